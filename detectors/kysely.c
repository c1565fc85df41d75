/*
 * Kysely's Migrator: kysely_migration(name, timestamp) beside
 * kysely_migration_lock(id, is_locked). With FileMigrationProvider a row
 * names its file without the extension, and the timestamp is the ISO text
 * of when it ran ("2026-01-02T03:04:05.678Z", a varchar on both databases).
 * Migrations are TypeScript or JavaScript modules: read, reconciled and
 * marked, never run. Kysely refuses to run when the applied names are not
 * the first ones in name order; reckon's out_of_order flag shows that.
 *
 * Checked against kysely-org/kysely:
 * - src/migration/migrator.ts: DEFAULT_MIGRATION_TABLE, _LOCK_TABLE, the
 *   two CREATE TABLEs (name varchar(255) not null primary key, timestamp
 *   varchar(255) not null; id varchar(255) not null primary key, is_locked
 *   integer not null default 0), the lock row ('migration_lock', 0),
 *   migrations sorted by name, insert {name, timestamp: new
 *   Date().toISOString()}, delete where name;
 * - src/migration/file-migration-provider.ts: .js .cjs .mjs .ts .mts files,
 *   declaration files skipped, key = the file name up to its last '.';
 * - frameworks.md §28 (confirmed with Kysely 0.28.18, PG and SQLite; .cts
 *   is accepted there too).
 */
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const kysely_cols[] = { "name", "timestamp", NULL };
static const char *const kysely_companions[] = { "kysely_migration_lock",
						 NULL };
static const char *const kysely_exts[] = { ".ts",  ".js",  ".mts", ".cts",
					   ".mjs", ".cjs", NULL };

static int
kysely_parse_name(const char *relpath, struct migname *out)
{
	const char *dot = strrchr(relpath, '.');
	size_t n = dot ? (size_t)(dot - relpath) : 0;
	int known = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; dot && kysely_exts[i]; i++)
		known |= strcmp(dot, kysely_exts[i]) == 0;
	if (!known || strchr(relpath, '/') || n == 0 ||
	    n >= sizeof(out->version) ||
	    (n >= 2 && strncmp(dot - 2, ".d", 2) == 0))
		return -1;
	/* names are free-form ("2024-01-01-users", "0001_init") and ordered
	 * as text: the whole key is the version */
	memcpy(out->version, relpath, n);
	memcpy(out->desc, relpath, n);
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

static int
kysely_read(struct db *db, const struct tracked *t, struct applied_set *out,
	    struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;

	if (det_select(db, t, "\"name\", \"timestamp\"",
		       "\"timestamp\", \"name\"", &rows, err) < 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *name = db_rows_get(&rows, i, 0);
		char iso[32];

		if (name)
			applied_add(out, name, name,
				    det_iso_time(db_rows_get(&rows, i, 1), iso),
				    NULL);
	}
	db_rows_release(&rows);
	return 0;
}

static int
kysely_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	struct rk_buf lock = RK_BUF_INIT, sql = RK_BUF_INIT;
	const char *row[2] = { "migration_lock", "0" };
	int rc = -1;

	if (det_exec_t(db, t,
		       "CREATE TABLE IF NOT EXISTS %T (\"name\" varchar(255) "
		       "not null primary key, \"timestamp\" varchar(255) not "
		       "null)",
		       err) < 0)
		goto out;
	tracked_sibling(db, t, "kysely_migration_lock", &lock);
	rk_buf_addf(&sql,
		    "CREATE TABLE IF NOT EXISTS %s (\"id\" varchar(255) not "
		    "null primary key, \"is_locked\" integer default 0 not "
		    "null)",
		    lock.s);
	if (db_exec(db, sql.s, err) < 0)
		goto out;
	rk_buf_reset(&sql);
	rk_buf_addf(&sql,
		    "INSERT INTO %s (\"id\", \"is_locked\") SELECT "
		    "CAST($1 AS varchar(255)), CAST($2 AS integer) WHERE NOT "
		    "EXISTS (SELECT 1 FROM %s WHERE \"id\" = "
		    "CAST($1 AS varchar(255)))",
		    lock.s, lock.s);
	if (db_query(db, sql.s, row, 2, NULL, err) < 0)
		goto out;
	t->exists = 1;
	rc = 0;
out:
	rk_buf_release(&sql);
	rk_buf_release(&lock);
	return rc;
}

static int
kysely_record(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, struct rk_err *err)
{
	struct rk_buf key = RK_BUF_INIT;
	const char *params[2];
	char now[40];
	int rc;

	(void)exec_ms;
	det_stem(m, &key);
	det_now(DET_TIME_ISO_Z, now);
	params[0] = key.s;
	params[1] = now;
	rc = det_insert(db, t, "\"name\", \"timestamp\"", "$1, $2", params, 2,
			err);
	rk_buf_release(&key);
	return rc;
}

const struct detector det_kysely = {
	.name = "kysely",
	.table = "kysely_migration",
	.columns = kysely_cols,
	.companions = kysely_companions,
	.kind_note = "Kysely migrations are TypeScript or JavaScript",
	.parse_name = kysely_parse_name,
	.file_id = det_id_stem,
	.read = kysely_read,
	.ensure = kysely_ensure,
	.record = kysely_record,
	.id_column = "\"name\"",
};
