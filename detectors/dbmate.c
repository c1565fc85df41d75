/*
 * dbmate: schema_migrations(version), one row per applied file holding the
 * file's leading digits exactly as written (leading zeros kept). No
 * checksum, no timestamps, no failure marker. The table has the same shape
 * as Rails' on PostgreSQL, so an ar_internal_metadata table beside it rules
 * dbmate out. Files are <digits>*.sql with "-- migrate:up" and
 * "-- migrate:down" sections (the core runs the up section only).
 *
 * Checked against amacneil/dbmate:
 *   pkg/dbmate/db.go (migrationFileRegexp `^(\d+).*\.sql$`, version = the
 *     first group as a string),
 *   pkg/dbmate/migration.go (the migrate:up / migrate:down markers),
 *   pkg/driver/postgres/postgres.go (CreateMigrationsTable "version varchar
 *     primary key", InsertMigration, DeleteMigration),
 *   pkg/driver/sqlite/sqlite.go ("version varchar(128) primary key").
 */
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const dbmate_cols[] = { "version", NULL };
/* Rails keeps the same table plus this one */
static const char *const dbmate_excl[] = { "ar_internal_metadata", NULL };

/* <digits><anything>.sql; desc is the rest without one leading '_'. */
static int
dbmate_parse(const char *rel, struct migname *out)
{
	size_t n = strlen(rel);

	memset(out, 0, sizeof(*out));
	if (strchr(rel, '/') || n < 5 || strcmp(rel + n - 4, ".sql") != 0 ||
	    det_split_digits(rel, n - 4, "_-", DET_SEP_OPTIONAL, out) <= 0)
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	return 0;
}

static int
dbmate_read(struct db *db, const struct tracked *t, struct applied_set *out,
	    struct rk_err *err)
{
	return det_read_ids(db, t, "version", DET_VER_ID, NULL, "version", out,
			    err);
}

/* the table as dbmate creates it on each engine */
static const char *const dbmate_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE IF NOT EXISTS %T "
		  "(version varchar PRIMARY KEY)",
	[DB_SQLITE] = "CREATE TABLE IF NOT EXISTS %T "
		      "(version varchar(128) primary key)",
};

static int
dbmate_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_ddl(db, t, dbmate_ddl, err);
}

static int
dbmate_record(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, struct rk_err *err)
{
	const char *params[1] = { m->version };

	(void)exec_ms;
	return det_insert(db, t, "version", "$1", params, 1, err);
}

/* pkg/dbmate/migration.go: "-- migrate:up" and "-- migrate:down" */
static const char *const dbmate_up[] = { "migrate:up", NULL };
static const char *const dbmate_down[] = { "migrate:down", NULL };
static const struct det_sections dbmate_sections = {
	.up = dbmate_up,
	.down = dbmate_down,
	.new_text = "-- migrate:up\n-- %s\n\n\n-- migrate:down\n\n",
};

const struct detector det_dbmate = {
	.name = "dbmate",
	.table = "schema_migrations",
	.columns = dbmate_cols,
	.sections = &dbmate_sections,
	/* "-- migrate:up transaction:false" */
	.no_tx_marker = "transaction:false",
	.excluders = dbmate_excl,
	.parse_name = dbmate_parse,
	.file_id = det_id_version,
	.read = dbmate_read,
	.ensure = dbmate_ensure,
	.record = dbmate_record,
	.id_column = "version",
};
