/*
 * Phinx (CakePHP): phinxlog(version, migration_name, start_time, end_time,
 * breakpoint), one row per applied migration. version is the file's
 * leading digits (a bigint); migration_name is the migration's class name,
 * which Phinx derives from the file name ("20240101120000_create_users.php"
 * holds class CreateUsers) and prefixes with the namespace when the
 * migration path is namespaced: inspect() reads the file's "namespace"
 * statement. Times are "Y-m-d H:i:s" in PHP's time zone; reckon writes UTC.
 * Migrations are PHP: reckon reconciles and marks them (as "phinx migrate
 * --fake" does), never runs them.
 *
 * Facts checked in cakephp/phinx:
 * - src/Phinx/Util/Util.php: MIGRATION_FILE_NAME_PATTERN
 *   /^\d+_([\w_]+).php$/i, getVersionFromFileName (leading digits),
 *   mapFileNameToClassName (ucwords of the name part, "_" removed);
 * - src/Phinx/Migration/AbstractMigration.php: getName() is static::class;
 * - src/Phinx/Db/Adapter/PdoAdapter.php: migrated() inserts (version,
 *   migration_name = substr(getName(), 0, 100), start_time, end_time,
 *   breakpoint = false), deletes by version on the way down;
 * - src/Phinx/Db/Adapter/PostgresAdapter.php / AbstractAdapter.php:
 *   createSchemaTable (version biginteger primary key, migration_name
 *   string(100) null, start_time and end_time timestamp null, breakpoint
 *   boolean not null default false).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const phinx_cols[] = {
	"version",  "migration_name", "start_time",
	"end_time", "breakpoint",     NULL,
};

static int
word_char(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* <digits>_<word chars>.php directly in the directory. */
static int
phinx_parse_name(const char *relpath, struct migname *out)
{
	size_t n = strlen(relpath);

	memset(out, 0, sizeof(*out));
	if (strchr(relpath, '/') || n < 5 ||
	    strcasecmp(relpath + n - 4, ".php") != 0)
		return -1;
	n -= 4;
	if (det_split_digits(relpath, n, "_", DET_SEP_REQUIRED, out) <= 0 ||
	    !out->desc[0])
		return -1;
	for (const char *p = out->desc; *p; p++)
		if (!word_char(*p))
			return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

/* f->id = [<namespace>\]<CamelCase of the name part>. */
static void
phinx_inspect(struct mig_file *f, const char *s, size_t n)
{
	struct rk_buf id = RK_BUF_INIT;
	const char *p = s, *end = s + n;
	int up = 1;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t ll = e ? (size_t)(e - p) : (size_t)(end - p), k = 0;

		while (k < ll && (p[k] == ' ' || p[k] == '\t'))
			k++;
		if (ll - k > 10 && strncmp(p + k, "namespace", 9) == 0 &&
		    (p[k + 9] == ' ' || p[k + 9] == '\t')) {
			for (k += 10; k < ll && (p[k] == ' ' || p[k] == '\t');
			     k++)
				;
			while (k < ll && (word_char(p[k]) || p[k] == '\\'))
				rk_buf_addc(&id, p[k++]);
			if (id.len)
				rk_buf_addc(&id, '\\');
			break;
		}
		p += ll + 1;
	}
	for (const char *c = f->desc; *c; c++) {
		if (*c == '_')
			up = 1;
		else if (up && *c >= 'a' && *c <= 'z')
			rk_buf_addc(&id, (char)(*c - 'a' + 'A'));
		else
			rk_buf_addc(&id, *c);
		if (*c != '_')
			up = 0;
	}
	free(f->id);
	f->id = rk_buf_detach(&id, NULL);
}

static int
phinx_read(struct db *db, const struct tracked *t, struct applied_set *out,
	   struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	char iso[32];
	int rc;

	rc = det_select(db, t, "version, start_time", "start_time, version",
			&rows, err);
	for (size_t i = 0; rc == 0 && i < rows.nrows; i++)
		applied_add(out, db_rows_get(&rows, i, 0),
			    db_rows_get(&rows, i, 0),
			    det_iso_time(db_rows_get(&rows, i, 1), iso), NULL);
	db_rows_release(&rows);
	return rc;
}

/* the table as Phinx creates it on each engine */
static const char *const phinx_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE %T (\"version\" BIGINT NOT NULL, "
		  "\"migration_name\" CHARACTER VARYING (100) NULL "
		  "DEFAULT NULL, \"start_time\" TIMESTAMP NULL DEFAULT "
		  "NULL, \"end_time\" TIMESTAMP NULL DEFAULT NULL, "
		  "\"breakpoint\" BOOLEAN NOT NULL DEFAULT FALSE, "
		  "PRIMARY KEY (\"version\"))",
	[DB_SQLITE] = "CREATE TABLE %T (\"version\" BIGINT NOT NULL, "
		      "\"migration_name\" VARCHAR(100) NULL DEFAULT NULL, "
		      "\"start_time\" TIMESTAMP NULL DEFAULT NULL, "
		      "\"end_time\" TIMESTAMP NULL DEFAULT NULL, "
		      "\"breakpoint\" BOOLEAN NOT NULL DEFAULT FALSE, "
		      "PRIMARY KEY (\"version\"))",
};

static int
phinx_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	int rc;

	rc = det_exec_ddl(db, t, phinx_ddl, err);
	if (rc == 0)
		t->exists = 1;
	return rc;
}

/* a row as Phinx writes it: the engine's casts and boolean */
static const char *const phinx_values[DB_NKINDS] = {
	[DB_PG] = "CAST($1 AS bigint), $2, CAST($3 AS "
		  "timestamp), CAST($3 AS timestamp), false",
	[DB_SQLITE] = "CAST($1 AS integer), $2, $3, $3, 0",
};

static int
phinx_record(struct db *db, struct tracked *t, const struct mig_file *m,
	     long exec_ms, struct rk_err *err)
{
	struct rk_buf v = RK_BUF_INIT, name = RK_BUF_INIT;
	const char *params[3];
	char now[40];
	int rc;

	(void)exec_ms;
	det_id_int_version(m, &v);
	if (m->id)
		rk_buf_add(&name, m->id,
			   strlen(m->id) > 100 ? 100 : strlen(m->id));
	det_now(DET_TIME_SPACE, now);
	params[0] = v.s;
	params[1] = name.len ? name.s : NULL;
	params[2] = now;
	rc = det_insert(db, t,
			"version, migration_name, start_time, end_time, "
			"breakpoint",
			db_pick(db, phinx_values), params, 3, err);
	rk_buf_release(&name);
	rk_buf_release(&v);
	return rc;
}

const struct detector det_phinx = {
	.name = "phinx",
	.table = "phinxlog",
	.columns = phinx_cols,
	.kind_note = "Phinx migrations are PHP",
	.parse_name = phinx_parse_name,
	.inspect = phinx_inspect,
	.file_id = det_id_int_version,
	.read = phinx_read,
	.ensure = phinx_ensure,
	.record = phinx_record,
	.id_column = "version",
};
