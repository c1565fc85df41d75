/*
 * TypeORM: migrations(id, timestamp, name). A row names the migration's
 * class (CreateUsers1700000000000), not its file (1700000000000-CreateUsers
 * .ts), and keeps the class name's last 13 digits as the timestamp; so the
 * identifier is read from inside the file. Migrations are TypeScript or
 * JavaScript classes, run through the typeorm CLI: migration:run applies
 * every pending one (so a step's set is all of them), migration:revert
 * undoes the newest, migration:show lists "[X] <n> <name>" per executed
 * one. The CLI has no default data source: the runner command names it
 * (--runner 'typeorm -d data-source.js').
 *
 * Checked against typeorm/typeorm:
 * - src/migration/MigrationExecutor.ts: the name is the instance's `name`
 *   property, else its class name; the timestamp is parseInt of its last 13
 *   characters; executed rows are read ordered by id; insert {timestamp,
 *   name}; delete where timestamp and name; the table has id (generated,
 *   increment, primary), timestamp and name, none nullable;
 * - src/driver/postgres/PostgresDriver.ts and
 *   src/driver/sqlite-abstract/AbstractSqliteDriver.ts: mapped types
 *   migrationId int4/integer, migrationTimestamp int8/bigint,
 *   migrationName varchar;
 * - src/naming-strategy/DefaultNamingStrategy.ts: primary key name "PK_" +
 *   the first 27 hex digits of SHA-1("<table>_id");
 * - src/commands/MigrationCreateCommand.ts: files <timestamp>-<Name>.ts
 *   holding class <Name><timestamp>;
 * - src/commands/MigrationRunCommand.ts, MigrationRevertCommand.ts,
 *   MigrationShowCommand.ts (-d/--dataSource is required);
 *   MigrationExecutor.ts showMigrations logs "[X] <id> <name>" for an
 *   executed one and "[ ] <name>" for a pending one;
 * - frameworks.md §12 (confirmed with TypeORM 1.1.1, PG and SQLite).
 */
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

static const char *const typeorm_cols[] = { "id", "timestamp", "name", NULL };
static const char *const typeorm_exts[] = { ".ts",  ".js",  ".mts", ".cts",
					    ".mjs", ".cjs", NULL };

static int
typeorm_parse_name(const char *relpath, struct migname *out)
{
	const char *dot = strrchr(relpath, '.');

	if (!dot || (dot - relpath >= 2 && strncmp(dot - 2, ".d", 2) == 0))
		return -1;
	for (size_t i = 0; typeorm_exts[i]; i++)
		if (strcmp(dot, typeorm_exts[i]) == 0)
			return det_parse_digits(relpath, '-', dot, 1, out);
	return -1;
}

static int
is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$';
}

/* A migration name: an identifier whose last 13 characters are digits. */
static int
is_migration_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ident(s[i]) ||
		    (i + 13 >= n && (s[i] < '0' || s[i] > '9')))
			return 0;
	return n > 13;
}

/* The value of `name = '...'` (class field or this.name) at s[i], or 0. */
static size_t
name_field(const char *s, size_t n, size_t i, size_t *start)
{
	size_t j = i + 4, k;

	if (n - i < 4 || memcmp(s + i, "name", 4) != 0 ||
	    (i > 0 && is_ident(s[i - 1])))
		return 0;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j + 1 >= n || s[j] != '=' || s[j + 1] == '=')
		return 0;
	for (j++; j < n && (s[j] == ' ' || s[j] == '\t');)
		j++;
	if (j >= n || (s[j] != '\'' && s[j] != '"' && s[j] != '`'))
		return 0;
	for (k = j + 1; k < n && s[k] != s[j] && s[k] != '\n';)
		k++;
	*start = j + 1;
	return k < n && s[k] == s[j] ? k - j - 1 : 0;
}

/* The identifier after "class " at s[i], or 0. */
static size_t
class_name(const char *s, size_t n, size_t i, size_t *start)
{
	size_t j = i + 5, k;

	if (n - i < 6 || memcmp(s + i, "class", 5) != 0 ||
	    (i > 0 && is_ident(s[i - 1])) || (s[j] != ' ' && s[j] != '\t'))
		return 0;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	for (k = j; k < n && is_ident(s[k]);)
		k++;
	*start = j;
	return k - j;
}

/* What TypeORM's migration:create names the class of file <ts>-<desc>. */
static char *
class_from_file(const struct mig_file *f)
{
	struct rk_buf b = RK_BUF_INIT;
	int up = 1;

	for (const char *p = f->desc; *p; p++) {
		if (*p == '-' || *p == '_' || *p == ' ') {
			up = 1;
			continue;
		}
		rk_buf_addc(&b, up && *p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		up = 0;
	}
	rk_buf_adds(&b, f->version);
	return rk_buf_detach(&b, NULL);
}

static void
typeorm_inspect(struct mig_file *f, const char *s, size_t n)
{
	size_t cls = 0, cls_len = 0, at = 0, len;

	for (size_t i = 0; i < n; i++) {
		if ((len = name_field(s, n, i, &at)) &&
		    is_migration_name(s + at, len)) {
			cls = at; /* an explicit name wins */
			cls_len = len;
			break;
		}
		if (!cls_len && (len = class_name(s, n, i, &at)) &&
		    is_migration_name(s + at, len)) {
			cls = at;
			cls_len = len;
		}
	}
	free(f->id);
	f->id = cls_len ? xstrndup(s + cls, cls_len) : class_from_file(f);
}

static int
typeorm_read(struct db *db, const struct tracked *t, struct applied_set *out,
	     struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;

	if (det_select(db, t, "\"name\", \"timestamp\"", "\"id\"", &rows, err) <
	    0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++)
		if (db_rows_get(&rows, i, 0))
			applied_add(out, db_rows_get(&rows, i, 0),
				    db_rows_get(&rows, i, 1), NULL, NULL);
	db_rows_release(&rows);
	return 0;
}

/*
 * The table as TypeORM creates it on each engine. On PG it names the
 * primary key "PK_" and the first 27 hex digits of sha1("<table>_id"):
 * %K below.
 */
static const char *const typeorm_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE %T (\"id\" SERIAL NOT NULL, \"timestamp\" "
		  "bigint NOT NULL, \"name\" character varying NOT NULL, "
		  "CONSTRAINT \"PK_%K\" PRIMARY KEY (\"id\"))",
	[DB_SQLITE] = "CREATE TABLE %T (\"id\" integer PRIMARY KEY "
		      "AUTOINCREMENT NOT NULL, \"timestamp\" bigint NOT NULL, "
		      "\"name\" varchar NOT NULL)",
};

static int
typeorm_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	struct rk_buf key = RK_BUF_INIT, pk = RK_BUF_INIT, sql = RK_BUF_INIT;
	const char *ddl = db_pick(db, typeorm_ddl), *k = strstr(ddl, "%K");
	unsigned char md[64];
	int rc;

	if (k) {
		rk_buf_addf(&key, "%s_id", t->table);
		det_hex(md, det_digest("sha1", key.s, key.len, md), &pk);
		rk_buf_add(&sql, ddl, (size_t)(k - ddl));
		rk_buf_add(&sql, pk.s, pk.len < 27 ? pk.len : 27);
		rk_buf_adds(&sql, k + 2);
		ddl = sql.s;
	}
	rc = det_exec_t(db, t, ddl, err);
	if (rc == 0)
		t->exists = 1;
	rk_buf_release(&sql);
	rk_buf_release(&pk);
	rk_buf_release(&key);
	return rc;
}

static int
typeorm_record(struct db *db, struct tracked *t, const struct mig_file *m,
	       long exec_ms, struct rk_err *err)
{
	const char *name = m->id ? m->id : m->name;
	size_t n = strlen(name);
	const char *params[2];

	(void)exec_ms;
	params[0] = is_migration_name(name, n) ? name + n - 13 : m->version;
	params[1] = name;
	return det_insert(db, t, "\"timestamp\", \"name\"",
			  "CAST($1 AS %INT), $2", params, 2, err);
}

/* migration:show: "[X] 1 CreateUsers1700000000000" per executed one */
static void
typeorm_parse_show(const char *s, size_t n, const char *app, struct rk_buf *out)
{
	struct rk_buf words = RK_BUF_INIT;

	(void)app;
	for (size_t i = 0; i < n;) {
		const char *e = memchr(s + i, '\n', n - i);
		size_t end = e ? (size_t)(e - s) : n, k = i;

		while (k < end && s[k] == ' ')
			k++;
		if (end - k > 4 && strncmp(s + k, "[X] ", 4) == 0) {
			k += 4;
			while (k < end && s[k] >= '0' && s[k] <= '9')
				k++;
			rk_buf_reset(&words);
			det_words_after(s + k, end - k, "", &words);
			if (words.len)
				rk_buf_add(out, words.s, words.len);
		}
		i = end + 1;
	}
	rk_buf_release(&words);
}

static const char *const typeorm_roots[] = { "package.json", NULL };
static const char *const typeorm_up[] = { "migration:run", NULL };
static const char *const typeorm_down[] = { "migration:revert", NULL };
static const char *const typeorm_status[] = { "migration:show", NULL };
static const char *const typeorm_env[] = { "DATABASE_URL", NULL };
static const struct det_runner typeorm_runner = {
	.tool = "typeorm",
	.how = DET_TOOL_BIN,
	.roots = typeorm_roots,
	.up = typeorm_up,
	.up_all = 1,
	.down = typeorm_down,
	.status = typeorm_status,
	.url_env = typeorm_env,
	.sqlite_url = "",
	.parse_status = typeorm_parse_show,
};

const struct detector det_typeorm = {
	.name = "typeorm",
	.table = "migrations",
	.columns = typeorm_cols,
	.kind_note = "TypeORM migrations are TypeScript classes",
	.parse_name = typeorm_parse_name,
	.inspect = typeorm_inspect,
	.read = typeorm_read,
	.ensure = typeorm_ensure,
	.record = typeorm_record,
	.id_column = "\"name\"",
	.runner = &typeorm_runner,
};
