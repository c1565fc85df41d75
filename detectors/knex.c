/*
 * Knex.js: knex_migrations(id, name, batch, migration_time) beside its lock
 * table knex_migrations_lock(index, is_locked). Migrations are JavaScript or
 * TypeScript modules, so reckon reconciles and marks them but never runs
 * them; a row stores the file name with its extension, and every row of one
 * run shares the batch max(batch) + 1. Not here: Knex's lock protocol (the
 * run holds reckon's own lock).
 *
 * Checked against knex/knex:
 * - lib/migrations/migrate/table-creator.js: both tables (increments, string,
 *   integer, timestamp; lock: increments('index'), integer('is_locked')) and
 *   the lock table's seed row is_locked = 0; the lock table is always
 *   <table>_lock (table-resolver.js getLockTableName);
 * - lib/migrations/migrate/sources/fs-migrations.js: getMigrationName() is
 *   the file name itself, files kept by extension only, one directory level,
 *   sorted by name; lib/migrations/common/MigrationsLoader.js: the default
 *   load extensions (.sql is not among them);
 * - lib/migrations/migrate/Migrator.js: insert {name, batch, migration_time:
 *   new Date()} with batch = _latestBatchNumber() + 1 once per run; down
 *   deletes where {name}; migration-list-resolver.js reads ordered by id;
 * - frameworks.md §6 (confirmed with Knex 3.3.0): PG stores the client's
 *   time in timestamptz at millisecond precision, better-sqlite3 an INTEGER
 *   of epoch milliseconds in the datetime column.
 */
#include <stdio.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const knex_cols[] = { "id", "name", "batch",
					 "migration_time", NULL };
static const char *const knex_companions[] = { "knex_migrations_lock", NULL };

/* Knex's DEFAULT_LOAD_EXTENSIONS, plus the ES module forms it loads. */
static const char *const knex_exts[] = {
	".js", ".cjs", ".mjs",	".ts", ".cts",	     ".mts", ".coffee",
	".co", ".eg",  ".iced", ".ls", ".litcoffee", NULL,
};

/* The name without its last extension: Knex sorts and names by file. */
static size_t
stem_len(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? (size_t)(dot - name) : strlen(name);
}

static int
knex_parse_name(const char *relpath, struct migname *out)
{
	const char *dot = strrchr(relpath, '.');
	size_t n = stem_len(relpath), d = 0;
	int known = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; dot && knex_exts[i]; i++)
		known |= strcmp(dot, knex_exts[i]) == 0;
	if (!known || strchr(relpath, '/') || n == 0 ||
	    n >= sizeof(out->version))
		return -1;
	/* the version is the whole stem: Knex orders by file name and
	 * allows two files to share a timestamp prefix */
	memcpy(out->version, relpath, n);
	while (d < n && relpath[d] >= '0' && relpath[d] <= '9')
		d++;
	if (d > 0 && d < n && (relpath[d] == '_' || relpath[d] == '-'))
		d++;
	else
		d = 0;
	memcpy(out->desc, relpath + d, n - d);
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

static int
knex_read(struct db *db, const struct tracked *t, struct applied_set *out,
	  struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_buf ver = RK_BUF_INIT;

	if (det_select(db, t, "name, migration_time", "id", &rows, err) < 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *name = db_rows_get(&rows, i, 0);
		char iso[32];

		if (!name)
			continue;
		rk_buf_reset(&ver);
		rk_buf_add(&ver, name, stem_len(name));
		applied_add(out, name, ver.s,
			    det_iso_time(db_rows_get(&rows, i, 1), iso), NULL);
	}
	rk_buf_release(&ver);
	db_rows_release(&rows);
	return 0;
}

/* CREATE TABLE <t's sibling name> <cols>. */
static int
create_sibling(struct db *db, const struct tracked *t, const char *name,
	       const char *cols, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_adds(&sql, "CREATE TABLE ");
	tracked_sibling(db, t, name, &sql);
	rk_buf_addf(&sql, " %s", cols);
	rc = db_exec(db, sql.s, err);
	rk_buf_release(&sql);
	return rc;
}

/* the tables as Knex creates them on each engine: migrations */
static const char *const knex_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE %T (\"id\" serial primary key, "
		  "\"name\" varchar(255), \"batch\" integer, "
		  "\"migration_time\" timestamptz)",
	[DB_SQLITE] = "CREATE TABLE %T (`id` integer not null primary "
		      "key autoincrement, `name` varchar(255), `batch` "
		      "integer, `migration_time` datetime)",
};

/* and its _lock companion */
static const char *const knex_lock_ddl[DB_NKINDS] = {
	[DB_PG] = "(\"index\" serial primary key, "
		  "\"is_locked\" integer)",
	[DB_SQLITE] = "(`index` integer not null primary key "
		      "autoincrement, `is_locked` integer)",
};

static int
knex_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	struct rk_buf lock = RK_BUF_INIT, sql = RK_BUF_INIT;
	const char *zero[1] = { "0" };
	int rc = -1;

	rk_buf_addf(&lock, "%s_lock", t->table);
	if (det_exec_ddl(db, t, knex_ddl, err) < 0 ||
	    create_sibling(db, t, lock.s, db_pick(db, knex_lock_ddl), err) < 0)
		goto out;
	rk_buf_adds(&sql, "INSERT INTO ");
	tracked_sibling(db, t, lock.s, &sql);
	rk_buf_adds(&sql, " (is_locked) VALUES (CAST($1 AS integer))");
	if (db_query(db, sql.s, zero, 1, NULL, err) < 0)
		goto out;
	t->exists = 1;
	rc = 0;
out:
	rk_buf_release(&sql);
	rk_buf_release(&lock);
	return rc;
}

/* a row as Knex writes it: migration_time is a timestamptz on PG, epoch
 * milliseconds on SQLite */
static const enum det_time knex_time[DB_NKINDS] = {
	[DB_PG] = DET_TIME_ISO_Z,
	[DB_SQLITE] = DET_TIME_EPOCH_MS,
};
static const char *const knex_values[DB_NKINDS] = {
	[DB_PG] = "$1, CAST($2 AS integer), CAST($3 AS timestamptz)",
	[DB_SQLITE] = "$1, CAST($2 AS integer), CAST($3 AS integer)",
};

static int
knex_record(struct db *db, struct tracked *t, const struct mig_file *m,
	    long exec_ms, struct rk_err *err)
{
	char batch[24], now[40];
	const char *params[3];

	(void)exec_ms;
	if (!t->run_batch) {
		long max;

		if (det_max(db, t, "batch", &max, err) < 0)
			return -1;
		t->run_batch = max + 1;
	}
	snprintf(batch, sizeof(batch), "%ld", t->run_batch);
	det_now(DET_FACT(db, knex_time), now);
	params[0] = m->name;
	params[1] = batch;
	params[2] = now;
	return det_insert(db, t, "name, batch, migration_time",
			  db_pick(db, knex_values), params, 3, err);
}

/* "migrate:list": the file names between "Found N Completed Migration
 * file/s." and the pending part */
static void
knex_parse_list(const char *s, size_t n, const char *app, struct rk_buf *out)
{
	size_t i = 0;
	int in = 0;

	(void)app;
	while (i < n) {
		const char *e = memchr(s + i, '\n', n - i);
		size_t end = e ? (size_t)(e - s) : n;

		if (end - i >= 6 && strncmp(s + i, "Found ", 6) == 0) {
			in = 0;
			for (size_t k = i; k + 9 <= end && !in; k++)
				in = strncmp(s + k, "Completed", 9) == 0;
		} else if (end - i >= 3 && strncmp(s + i, "No ", 3) == 0)
			in = 0;
		else if (in)
			det_first_words(s + i, end - i, out);
		i = end + 1;
	}
}

static const char *const knex_roots[] = { "knexfile.js", "knexfile.ts",
					  "knexfile.cjs", "knexfile.mjs",
					  NULL };
static const char *const knex_up[] = { "migrate:up", "{name}", NULL };
static const char *const knex_down[] = { "migrate:down", "{name}", NULL };
static const char *const knex_status[] = { "migrate:list", NULL };
static const char *const knex_env[] = { "DATABASE_URL", NULL };
static const struct det_runner knex_runner = {
	.tool = "knex",
	.how = DET_TOOL_BIN,
	.roots = knex_roots,
	.up = knex_up,
	.down = knex_down,
	.status = knex_status,
	.url_env = knex_env,
	.parse_status = knex_parse_list,
};

/* A knexfile beside the directory (knex init's layout: ./knexfile.js and
 * ./migrations): reckon's own format has none. */
static int
knex_evidence(const char *dir, struct rk_buf *why)
{
	static const char *const files[] = { "../knexfile.js",
					     "../knexfile.cjs",
					     "../knexfile.mjs",
					     "../knexfile.ts", NULL };

	for (size_t i = 0; files[i]; i++)
		if (det_dir_has(dir, files[i])) {
			rk_buf_addf(why, "%s is beside it", files[i] + 3);
			return 1;
		}
	return 0;
}

const struct detector det_knex = {
	.name = "knex",
	.table = "knex_migrations",
	.columns = knex_cols,
	.companions = knex_companions,
	.kind_note = "Knex migrations are JavaScript",
	.parse_name = knex_parse_name,
	.runner = &knex_runner,
	.read = knex_read,
	.ensure = knex_ensure,
	.record = knex_record,
	.id_column = "name",
	.dir_evidence = knex_evidence,
};
