/*
 * db-migrate (node-db-migrate): migrations(id, name, run_on), one row per
 * applied migration, name = "/" + the file name without ".js"
 * ("/20240101120000-add-users"). The migrations are JavaScript files
 * YYYYMMDDHHMMSS-<name>.js; in SQL mode their SQL sits in
 * sqls/<stamp>-<name>-up.sql / -down.sql, run through the .js wrapper, so
 * the .js file is the migration and sqls/ is never listed. run_on is the
 * client's clock: a millisecond timestamp without time zone on PostgreSQL,
 * integer epoch milliseconds on SQLite (although declared datetime). The
 * table shares its name with Laravel's and TypeORM's and its columns with
 * node-pg-migrate's pgmigrations; the column set (run_on) tells it apart
 * from the first two, the table name from the last. No checksum.
 *
 * Checked against db-migrate/node-db-migrate: lib/walker.js and
 * lib/skeleton.js (filesRegEx /\.js$/, names \d{14}-..., the name stored
 * with the "/" scope prefix), lib/migrator.js (writeMigrationRecord, the
 * delete on down), lib/driver/base.js (createMigrationsTable: id, name,
 * run_on); db-migrate/pg index.js (SERIAL, VARCHAR(255), TIMESTAMP);
 * frameworks.md §20 for the stored values on both databases.
 */
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const dbm_cols[] = { "id", "name", "run_on", NULL };

/* Top-level <digits>-<name>.js; sqls/ and scope folders are not listed. */
static int
dbm_parse(const char *rel, struct migname *out)
{
	return det_parse_digits(rel, '-', ".js", 1, out);
}

static void
dbm_file_id(const struct mig_file *m, struct rk_buf *out)
{
	rk_buf_addc(out, '/');
	det_stem(m, out);
}

static int
dbm_read(struct db *db, const struct tracked *t, struct applied_set *out,
	 struct rk_err *err)
{
	return det_read_ids(db, t, "name", DET_VER_DIGITS, "run_on",
			    "run_on, id", out, err);
}

/* the table as db-migrate creates it on each engine */
static const char *const dbm_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE IF NOT EXISTS %T (\"id\" "
		  "SERIAL PRIMARY KEY, \"name\" VARCHAR(255) "
		  "NOT NULL, \"run_on\" TIMESTAMP NOT NULL)",
	[DB_SQLITE] = "CREATE TABLE IF NOT EXISTS %T (\"id\" "
		      "INTEGER PRIMARY KEY AUTOINCREMENT NOT "
		      "NULL, \"name\" VARCHAR (255) NOT NULL, "
		      "\"run_on\" datetime NOT NULL)",
};

static int
dbm_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_ddl(db, t, dbm_ddl, err);
}

/* db-migrate's run_on: a timestamp's text on PG, epoch milliseconds in
 * SQLite's datetime column (as its node drivers bind a JS Date) */
static const enum det_time dbm_time[DB_NKINDS] = {
	[DB_PG] = DET_TIME_SPACE_MS,
	[DB_SQLITE] = DET_TIME_EPOCH_MS,
};

static int
dbm_record(struct db *db, struct tracked *t, const struct mig_file *m,
	   long exec_ms, struct rk_err *err)
{
	struct rk_buf name = RK_BUF_INIT;
	const char *params[2];
	char at[40];
	int rc;

	(void)exec_ms;
	dbm_file_id(m, &name);
	det_now(DET_FACT(db, dbm_time), at);
	params[0] = name.s;
	params[1] = at;
	rc = det_insert(db, t, "name, run_on", "$1, $2", params, 2, err);
	rk_buf_release(&name);
	return rc;
}

const struct detector det_db_migrate = {
	.name = "db-migrate",
	.table = "migrations",
	.columns = dbm_cols,
	.kind_note = "db-migrate migrations are JavaScript (SQL-mode files "
		     "run through their .js wrapper)",
	.parse_name = dbm_parse,
	.file_id = dbm_file_id,
	.read = dbm_read,
	.ensure = dbm_ensure,
	.record = dbm_record,
	.id_column = "name",
};
