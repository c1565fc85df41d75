/*
 * Umzug with its SequelizeStorage: exactly the table sequelize-cli creates
 * ("SequelizeMeta"(name), createdAt/updatedAt with timestamps on), holding
 * exactly the same rows, because sequelize-cli is built on Umzug. Nothing in
 * a database tells the two apart, so detection reports the table once, as
 * "sequelize" (Sequelize/Umzug), and this detector only answers when asked
 * for by name (--framework umzug); it then behaves as det_sequelize does,
 * hook for hook. Umzug's other storages (its default JSON file, MongoDB,
 * custom classes) keep no table reckon could find.
 *
 * Checked against sequelize/umzug src/storage/sequelize.ts (SequelizeStorage:
 * model SequelizeMeta, column `name`, logMigration/unlogMigration/executed)
 * and src/umzug.ts (the default resolver names a migration by the file's
 * base name, extension included); frameworks.md §14 and D.3 (the two tables
 * are identical, confirmed with sequelize-cli 6.6.5 and Umzug 3.8.3).
 *
 * Detection cannot tell the two apart, so this detector is DET_EXPLICIT:
 * a SequelizeMeta table is reported as sequelize, and --framework umzug
 * chooses this one.
 */
#include "reckon/detectors/detector.h"
#include "reckon/base/banned.h"

extern const struct detector det_sequelize;

static const char *const umzug_cols[] = { "name", NULL };
static const char *const umzug_optional[] = { "createdAt", "updatedAt", "id",
					      NULL };

static int
umzug_parse_name(const char *relpath, struct migname *out)
{
	return det_sequelize.parse_name(relpath, out);
}

static int
umzug_read(struct db *db, const struct tracked *t, struct applied_set *out,
	   struct rk_err *err)
{
	return det_sequelize.read(db, t, out, err);
}

static int
umzug_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_sequelize.ensure(db, t, err);
}

static int
umzug_record(struct db *db, struct tracked *t, const struct mig_file *m,
	     long exec_ms, struct rk_err *err)
{
	return det_sequelize.record(db, t, m, exec_ms, err);
}

const struct detector det_umzug = {
	.name = "umzug",
	.table = "SequelizeMeta",
	.columns = umzug_cols,
	.optional = umzug_optional,
	.flags = DET_EXPLICIT,
	.kind_note = "Umzug migrations are JavaScript",
	.parse_name = umzug_parse_name,
	.read = umzug_read,
	.ensure = umzug_ensure,
	.record = umzug_record,
	.id_column = "\"name\"",
};
