/*
 * Postgrator's schemaversion: one row per applied version (a number), the
 * MD5 hex of the .do. file's text, and a bootstrap row version 0 that is
 * not a migration. Checked against rickbergfalk/postgrator:
 * - postgrator.js: files <version>.<action>.<name>.<ext>, version =
 *   Number(first part), name = the parts between action and extension
 *   (may be empty), .sql and .js migrations;
 * - lib/Client.js: CREATE TABLE (version BIGINT PRIMARY KEY), INSERT of
 *   version 0, then ALTER TABLE ADD COLUMN name / md5 / run_at; INSERT
 *   (version, name, md5, run_at) with run_at = toISOString() without 'T'
 *   and 'Z' (UTC wall-clock text, read by PG in the session time zone);
 * - lib/PostgresClient.js, lib/Sqlite3Client.js: the added column types;
 * - lib/utils.js: md5 of the text (no "newline" option assumed).
 * SQLite's version column is INTEGER PRIMARY KEY (frameworks.md §27,
 * confirmed there against Postgrator 8.0.0).
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

static const char *const postgrator_cols[] = { "version", NULL };
static const char *const postgrator_opt[] = { "name", "md5", "run_at", NULL };

/* Extensions Postgrator loads, and whether they are code. */
static int
ext_kind(const char *ext)
{
	if (strcmp(ext, "sql") == 0)
		return 0;
	if (!strcmp(ext, "js") || !strcmp(ext, "mjs") || !strcmp(ext, "cjs"))
		return 1;
	return -1;
}

static int
postgrator_parse(const char *relpath, struct migname *out)
{
	const char *dot1 = strchr(relpath, '.'), *dot2, *ext;
	size_t vlen, nlen;
	int code;

	memset(out, 0, sizeof(*out));
	if (strchr(relpath, '/') || !dot1 || !(dot2 = strchr(dot1 + 1, '.')))
		return -1;
	ext = strrchr(relpath, '.') + 1;
	vlen = (size_t)(dot1 - relpath);
	if ((code = ext_kind(ext)) < 0 || vlen == 0 ||
	    vlen >= sizeof(out->version) ||
	    strspn(relpath, "0123456789") != vlen)
		return -1;
	if (!strncmp(dot1, ".do.", 4))
		out->kind = MIG_UP;
	else if (!strncmp(dot1, ".undo.", 6))
		out->kind = MIG_DOWN;
	else
		return -1;
	/* the name: between the action and the extension, maybe empty */
	nlen = ext - 1 > dot2 ? (size_t)(ext - 1 - dot2 - 1) : 0;
	if (nlen >= sizeof(out->desc))
		return -1;
	memcpy(out->version, relpath, vlen);
	if (nlen)
		memcpy(out->desc, dot2 + 1, nlen);
	out->conv = CONV_PLAIN;
	out->code = code;
	return 0;
}

static void
postgrator_checksum(const char *s, size_t n, struct rk_buf *out)
{
	unsigned char md[64];

	det_hex(md, det_digest("md5", s, n, md), out);
}

/* Columns by name: older tables may lack some. */
static const char *
get(const struct db_rows *r, size_t row, const char *col)
{
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->cols[c], col) == 0)
			return db_rows_get(r, row, c);
	return NULL;
}

static int
postgrator_read(struct db *db, const struct tracked *t, struct applied_set *out,
		struct rk_err *err)
{
	struct db_rows r = DB_ROWS_INIT;

	if (det_select(db, t, "*", "version", &r, err) < 0)
		return -1;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *v = get(&r, i, "version");
		char at[32];

		if (!v || strcmp(v, "0") == 0)
			continue; /* Postgrator's own starting row */
		applied_add(out, v, v, det_iso_time(get(&r, i, "run_at"), at),
			    get(&r, i, "md5"));
	}
	db_rows_release(&r);
	return 0;
}

/* the table as Postgrator creates it on each engine */
static const char *const pg_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE %T (version BIGINT PRIMARY "
		  "KEY); INSERT INTO %T (version) VALUES (0);"
		  " ALTER TABLE %T ADD COLUMN name TEXT;"
		  " ALTER TABLE %T ADD COLUMN md5 TEXT;"
		  " ALTER TABLE %T ADD COLUMN run_at "
		  "TIMESTAMP WITH TIME ZONE;",
	[DB_SQLITE] = "CREATE TABLE %T (version INTEGER PRIMARY "
		      "KEY); INSERT INTO %T (version) VALUES (0);"
		      " ALTER TABLE %T ADD COLUMN name TEXT;"
		      " ALTER TABLE %T ADD COLUMN md5 TEXT;"
		      " ALTER TABLE %T ADD COLUMN run_at "
		      "TIMESTAMP WITH TIME ZONE;",
};

static int
postgrator_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_ddl(db, t, pg_ddl, err);
}

/* a row as Postgrator writes it: the engine's casts */
static const char *const pg_values[DB_NKINDS] = {
	[DB_PG] = "CAST($1 AS BIGINT), $2, $3, "
		  "CAST($4 AS TIMESTAMPTZ)",
	[DB_SQLITE] = "CAST($1 AS INTEGER), $2, $3, $4",
};

static int
postgrator_record(struct db *db, struct tracked *t, const struct mig_file *m,
		  long exec_ms, struct rk_err *err)
{
	struct rk_buf ver = RK_BUF_INIT;
	const char *params[4];
	char now[40];
	int rc;

	(void)exec_ms;
	det_id_int_version(m, &ver);
	det_now(DET_TIME_SPACE_MS, now);
	params[0] = ver.s;
	params[1] = m->desc;
	params[2] = m->code ? NULL : m->checksum;
	params[3] = now;
	rc = det_insert(db, t, "version, name, md5, run_at",
			db_pick(db, pg_values), params, 4, err);
	rk_buf_release(&ver);
	return rc;
}

static int
postgrator_repair(struct db *db, const struct tracked *t,
		  const struct mig_file *m, const struct applied *row,
		  struct rk_err *err)
{
	const char *params[2] = { row->id, m->checksum };

	return det_update(db, t, "md5 = $2", "version = CAST($1 AS BIGINT)",
			  params, 2, err);
}

const struct detector det_postgrator = {
	.name = "postgrator",
	.table = "schemaversion",
	.columns = postgrator_cols,
	.optional = postgrator_opt,
	.kind_note = "Postgrator .js migrations are JavaScript",
	.parse_name = postgrator_parse,
	.checksum = postgrator_checksum,
	.file_id = det_id_int_version,
	.read = postgrator_read,
	.ensure = postgrator_ensure,
	.record = postgrator_record,
	.id_column = "version",
	.repair = postgrator_repair,
};
