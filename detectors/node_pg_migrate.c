/*
 * node-pg-migrate (PostgreSQL only): pgmigrations(id, name, run_on), one
 * row per applied file, name = the file name without its extension
 * ("1391877300255_add-users" for 1391877300255_add-users.js or .sql), run_on
 * = the server's NOW() (timestamp without time zone). Migrations are .js /
 * .cjs / .mjs / .ts files (code) or .sql files, which reckon runs: the
 * core splits them at "-- Up Migration" / "-- Down Migration" lines in
 * every spelling node-pg-migrate's own pattern accepts ("---- UP
 * migration", loose markers) and runs the up part, as sqlMigration.ts
 * does. A .sql file with a down marker but no up marker before it is
 * code: node-pg-migrate would run its down part as part of the up. No
 * checksum.
 *
 * Checked against salsita/node-pg-migrate:
 *   src/runner.ts (ensureMigrationsTable "id SERIAL PRIMARY KEY, name
 *     varchar(255) NOT NULL, run_on timestamp NOT NULL"; getRunMigrations
 *     ORDER BY run_on, id; .sql files through sqlMigration),
 *   src/migration.ts (name = basename without extname; INSERT (name,
 *     run_on) VALUES (name, NOW()); DELETE ... WHERE name),
 *   src/sqlMigration.ts (markers `^\s*--[\s-]*up\s+migration` and
 *     `...down\s+migration`, case-insensitive, multiline; the first of
 *     each found by search(); checked in node-pg-migrate 9.0.0's
 *     dist/legacy/sqlMigration.js).
 */
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const npm_cols[] = { "id", "name", "run_on", NULL };

/* Extensions node-pg-migrate loads; all but .sql are code. */
static const char *const npm_exts[] = { ".sql", ".js",	".cjs", ".mjs",
					".ts",	".cts", ".mts" };

static int
npm_parse(const char *rel, struct migname *out)
{
	const char *dot = strrchr(rel, '.');

	if (!dot)
		return -1;
	for (size_t i = 0; i < sizeof(npm_exts) / sizeof(npm_exts[0]); i++) {
		int code = i > 0;

		if (strcmp(dot, npm_exts[i]) != 0)
			continue;
		if (det_parse_digits(rel, '_', npm_exts[i], code, out) == 0 ||
		    det_parse_digits(rel, '-', npm_exts[i], code, out) == 0)
			return 0;
		break;
	}
	return -1;
}

extern const struct detector det_node_pg_migrate;

/*
 * Code when the core's split would differ from sqlMigration.ts's
 * getActions(): that takes the first up and the first down marker
 * anywhere, runs everything from the up marker to a later down marker
 * (or the end), and with no up marker the whole file, down part and all.
 * The core runs the part between them alike when the up marker comes
 * first; a down marker with no up marker before it is left to
 * node-pg-migrate.
 */
static void
npm_inspect(struct mig_file *f, const char *s, size_t n)
{
	int up = 0;

	for (size_t i = 0; !f->code && i < n;) {
		const char *e = memchr(s + i, '\n', n - i);
		size_t ll = e ? (size_t)(e - (s + i)) : n - i;

		up = up || mig_marker_line(&det_node_pg_migrate, 0, s + i, ll);
		if (!up && mig_marker_line(&det_node_pg_migrate, 1, s + i, ll))
			f->code = 1;
		if (up)
			return;
		i += ll + 1;
	}
}

static int
npm_read(struct db *db, const struct tracked *t, struct applied_set *out,
	 struct rk_err *err)
{
	return det_read_ids(db, t, "name", DET_VER_DIGITS, "run_on",
			    "run_on, id", out, err);
}

static int
npm_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_t(db, t,
			  "CREATE TABLE %T (id SERIAL PRIMARY KEY, name "
			  "varchar(255) NOT NULL, run_on timestamp NOT NULL)",
			  err);
}

static int
npm_record(struct db *db, struct tracked *t, const struct mig_file *m,
	   long exec_ms, struct rk_err *err)
{
	struct rk_buf name = RK_BUF_INIT;
	const char *params[1];
	int rc;

	(void)exec_ms;
	det_stem(m, &name);
	params[0] = name.s;
	rc = det_insert(db, t, "name, run_on", "$1, NOW()", params, 1, err);
	rk_buf_release(&name);
	return rc;
}

/* .sql migrations: "-- Up Migration" and "-- Down Migration" */
static const char *const npm_up[] = { "up migration", NULL };
static const char *const npm_down[] = { "down migration", NULL };
static const struct det_sections npm_sections = {
	.up = npm_up,
	.down = npm_down,
	.new_text = "-- Up Migration\n-- %s\n\n\n-- Down Migration\n\n",
	.loose = 1,
};

/* A .sql migration whose first marker is node-pg-migrate's up marker
 * (a regular file only: the scan reports the others as ignored). */
static int
npm_sql_name(const char *name)
{
	struct migname mn;

	return npm_parse(name, &mn) == 0 && !mn.code;
}

static int
npm_marked(const char *s, size_t n)
{
	return mig_sections_owner(s, n) == &det_node_pg_migrate;
}

static int
npm_evidence(const char *dir, struct rk_buf *why)
{
	struct rk_buf first = RK_BUF_INIT;
	size_t n;
	int rc = det_dir_first_text(dir, "node-pg-migrate", npm_sql_name,
				    npm_marked, &n, &first);

	if (rc)
		rk_buf_addf(why, "'-- Up Migration' markers in %zu file%s (%s)",
			    n, n == 1 ? "" : "s", first.s);
	rk_buf_release(&first);
	return rc;
}
/* "up --dry-run" lists what it would run: "> - 1704067200003_three" */
static void
npm_parse_dry(const char *s, size_t n, const char *app, struct rk_buf *out)
{
	(void)app;
	det_words_after(s, n, "> -", out);
}

static const char *const npm_roots[] = { "package.json", "node_modules", NULL };
static const char *const npm_run_up[] = { "up", "1",	   "-m", "{dir}",
					  "-t", "{table}", NULL };
static const char *const npm_run_down[] = { "down", "1",       "-m", "{dir}",
					    "-t",   "{table}", NULL };
static const char *const npm_status[] = { "up", "--dry-run", "-m", "{dir}",
					  "-t", "{table}",   NULL };
static const char *const npm_env[] = { "DATABASE_URL", NULL };
static const struct det_runner npm_runner = {
	.tool = "node-pg-migrate",
	.how = DET_TOOL_BIN,
	.roots = npm_roots,
	.up = npm_run_up,
	.down = npm_run_down,
	.status = npm_status,
	.status_pending = 1,
	.url_env = npm_env,
	.parse_status = npm_parse_dry,
};

const struct detector det_node_pg_migrate = {
	.name = "node-pg-migrate",
	.table = "pgmigrations",
	.columns = npm_cols,
	.sections = &npm_sections,
	.flags = DET_PG_ONLY,
	.kind_note = "node-pg-migrate JavaScript/TypeScript migrations, and "
		     ".sql files with a down marker before any up marker, "
		     "need node-pg-migrate to run them",
	.runner = &npm_runner,
	.parse_name = npm_parse,
	.inspect = npm_inspect,
	.file_id = det_id_stem,
	.read = npm_read,
	.ensure = npm_ensure,
	.record = npm_record,
	.id_column = "name",
	.dir_evidence = npm_evidence,
};
