/*
 * Sequelize CLI and Umzug's SequelizeStorage: "SequelizeMeta"(name), plus
 * createdAt/updatedAt where timestamps are on. Both tools create the same
 * table and store the same rows (the migration's file name with its
 * extension), so nothing in a database tells them apart: this detector
 * answers for both ("Sequelize/Umzug"), and detectors/umzug.c is the same
 * behaviour under the name users of Umzug will type. Migrations are
 * JavaScript or TypeScript modules: read, reconciled and marked, never run.
 *
 * Checked against:
 * - sequelize/umzug src/storage/sequelize.ts: the model (column `name`,
 *   STRING, not null, unique, primary key, no autoincrement; `timestamps`
 *   off by default), logMigration() creates {name}, unlogMigration()
 *   destroys where {name}, executed() reads ordered by name ASC;
 * - sequelize/cli src/helpers/umzug-helper.js (table SequelizeMeta, option
 *   migrationTimestamps) and src/core/migrator.js (migrations matched by
 *   /^(?!.*\.d\.ts$).*\.(cjs|js|cts|ts)$/ in one directory; Umzug v3 also
 *   imports .mjs/.mts, so both sets are accepted);
 * - sequelize/sequelize v6 src/dialects/{postgres,sqlite}/query-generator.js
 *   for the CREATE TABLE text, and src/data-types.js DATE._stringify for the
 *   'YYYY-MM-DD HH:mm:ss.SSS +00:00' form timestamps are written in;
 * - frameworks.md §14 (confirmed with sequelize-cli 6.6.5 and Umzug 3.8.3):
 *   PG keeps only the primary key, SQLite the text verbatim.
 */
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const sqz_cols[] = { "name", NULL };
/* createdAt/updatedAt with timestamps on; id where the name column was
 * defined without primaryKey (umzug src/storage/sequelize.ts at 15fc2fe),
 * so Sequelize added its default key */
static const char *const sqz_optional[] = { "createdAt", "updatedAt", "id",
					    NULL };

/* What sequelize-cli and Umzug load; declaration files are not modules. */
static const char *const sqz_exts[] = { ".js",	".cjs", ".mjs", ".ts",
					".cts", ".mts", NULL };

/* Where the description starts after a leading timestamp:
 * "20240101120000-x" (sequelize-cli), "2024.01.01T12.00.00.x" (Umzug). */
static size_t
desc_start(const char *s, size_t n)
{
	size_t d = 0;

	while (d < n && s[d] >= '0' && s[d] <= '9')
		d++;
	if (d > 0 && d < n && (s[d] == '-' || s[d] == '_'))
		return d + 1;
	if (n > 20 && s[4] == '.' && s[10] == 'T' && s[19] == '.')
		return 20;
	return 0;
}

static int
sqz_parse_name(const char *relpath, struct migname *out)
{
	const char *dot = strrchr(relpath, '.');
	size_t n = dot ? (size_t)(dot - relpath) : 0, d;
	int known = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; dot && sqz_exts[i]; i++)
		known |= strcmp(dot, sqz_exts[i]) == 0;
	if (!known || strchr(relpath, '/') || n == 0 ||
	    n >= sizeof(out->version) ||
	    (n >= 2 && strncmp(dot - 2, ".d", 2) == 0))
		return -1;
	/* Umzug orders by file name: the whole stem is the version */
	memcpy(out->version, relpath, n);
	d = desc_start(relpath, n);
	memcpy(out->desc, relpath + d, n - d);
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

/* Index of column name in rows, or -1. */
static int
col_index(const struct db_rows *rows, const char *name)
{
	for (size_t i = 0; i < rows->ncols; i++)
		if (strcmp(rows->cols[i], name) == 0)
			return (int)i;
	return -1;
}

static int
sqz_read(struct db *db, const struct tracked *t, struct applied_set *out,
	 struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_buf ver = RK_BUF_INIT;
	int name, created;

	/* "*": the timestamp columns are there only if enabled */
	if (det_select(db, t, "*", "\"name\"", &rows, err) < 0)
		return -1;
	name = col_index(&rows, "name");
	created = col_index(&rows, "createdAt");
	for (size_t i = 0; name >= 0 && i < rows.nrows; i++) {
		const char *id = db_rows_get(&rows, i, (size_t)name);
		const char *dot = id ? strrchr(id, '.') : NULL;
		char iso[32];

		if (!id)
			continue;
		rk_buf_reset(&ver);
		rk_buf_add(&ver, id, dot ? (size_t)(dot - id) : strlen(id));
		applied_add(out, id, ver.s,
			    created < 0
				    ? NULL
				    : det_iso_time(db_rows_get(&rows, i,
							       (size_t)created),
						   iso),
			    NULL);
	}
	rk_buf_release(&ver);
	db_rows_release(&rows);
	return 0;
}

/* the table as Sequelize creates it on each engine */
static const char *const sequelize_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE IF NOT EXISTS %T (\"name\" "
		  "VARCHAR(255) NOT NULL UNIQUE , PRIMARY KEY "
		  "(\"name\"))",
	[DB_SQLITE] = "CREATE TABLE IF NOT EXISTS %T (`name` "
		      "VARCHAR(255) NOT NULL UNIQUE PRIMARY KEY)",
};

static int
sqz_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	if (det_exec_ddl(db, t, sequelize_ddl, err) < 0)
		return -1;
	t->exists = 1;
	return 0;
}

/* Does t have Sequelize's timestamp columns? */
static int
has_timestamps(struct db *db, const struct tracked *t, int *yes,
	       struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	int rc;

	rk_buf_adds(&sql, "SELECT * FROM ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " LIMIT 0");
	rc = db_query(db, sql.s, NULL, 0, &rows, err);
	*yes = rc == 0 && col_index(&rows, "createdAt") >= 0 &&
	       col_index(&rows, "updatedAt") >= 0;
	db_rows_release(&rows);
	rk_buf_release(&sql);
	return rc;
}

static int
sqz_record(struct db *db, struct tracked *t, const struct mig_file *m,
	   long exec_ms, struct rk_err *err)
{
	struct rk_buf now = RK_BUF_INIT;
	const char *params[2];
	char ms[40];
	int stamps, rc;

	(void)exec_ms;
	if (has_timestamps(db, t, &stamps, err) < 0)
		return -1;
	params[0] = m->name;
	if (!stamps)
		return det_insert(db, t, "\"name\"", "$1", params, 1, err);
	det_now(DET_TIME_SPACE_MS, ms);
	rk_buf_addf(&now, "%s +00:00", ms);
	params[1] = now.s;
	rc = det_insert(db, t, "\"name\", \"createdAt\", \"updatedAt\"",
			"$1, $2, $2", params, 2, err);
	rk_buf_release(&now);
	return rc;
}

/* "db:migrate:status": "up 20240101000001-one.js" */
static void
sqz_parse_status(const char *s, size_t n, const char *app, struct rk_buf *out)
{
	(void)app;
	det_words_after(s, n, "up ", out);
}

static const char *const sqz_roots[] = { ".sequelizerc", "package.json", NULL };
static const char *const sqz_up[] = { "db:migrate",	   "--to",  "{name}",
				      "--migrations-path", "{dir}", NULL };
static const char *const sqz_down[] = { "db:migrate:undo",   "--name", "{name}",
					"--migrations-path", "{dir}",  NULL };
static const char *const sqz_status[] = { "db:migrate:status",
					  "--migrations-path", "{dir}", NULL };
static const char *const sqz_env[] = { "DATABASE_URL", NULL };
static const struct det_runner sqz_runner = {
	.tool = "sequelize-cli",
	.how = DET_TOOL_BIN,
	.roots = sqz_roots,
	.up = sqz_up,
	.down = sqz_down,
	.status = sqz_status,
	.url_env = sqz_env,
	.parse_status = sqz_parse_status,
};

/* sequelize-cli's layout around the directory: a .sequelizerc, or
 * sequelize init's config/config.json and seeders/ beside it. */
static int
sqz_evidence(const char *dir, struct rk_buf *why)
{
	if (det_dir_has(dir, "../.sequelizerc")) {
		rk_buf_adds(why, ".sequelizerc is beside it");
		return 1;
	}
	if (det_dir_has(dir, "../config/config.json") &&
	    det_dir_has(dir, "../seeders")) {
		rk_buf_adds(why, "sequelize init's config/config.json and "
				 "seeders/ are beside it");
		return 1;
	}
	return 0;
}

const struct detector det_sequelize = {
	.name = "sequelize",
	.table = "SequelizeMeta",
	.columns = sqz_cols,
	.optional = sqz_optional,
	.kind_note = "Sequelize/Umzug migrations are JavaScript",
	.parse_name = sqz_parse_name,
	.runner = &sqz_runner,
	.read = sqz_read,
	.ensure = sqz_ensure,
	.record = sqz_record,
	.id_column = "\"name\"",
	.dir_evidence = sqz_evidence,
};
