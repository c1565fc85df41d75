/*
 * Tern (jackc/tern, PostgreSQL only): public.schema_version holds one row,
 * the sequence number of the last applied migration (DET_HEAD); 0 means
 * none, and the table gets that row when it is created. Files are
 * <digits>_<name>.sql numbered 1, 2, 3... without gaps, so a file's number
 * is its sequence. Each file is a Go text/template whose text above the
 * line "---- create above / drop below ----" migrates up. The core runs a
 * whole file, so files it cannot run as Tern would (a drop section,
 * template actions "{{", the disable-tx marker) are flagged as code:
 * reckon reconciles and marks them but leaves running them to Tern.
 * Sub-directories hold shared templates, never migrations. No checksum.
 *
 * Checked against jackc/tern: migrate/migrate.go (migrationPattern
 * `\A(\d+)_.+\.sql\z`, FindMigrationsEx gap/duplicate checks, the
 * "---- create above / drop below ----" split, evalMigration templates,
 * ensureSchemaVersionTableExists "create table if not exists %s(version
 * int4 not null)" then "insert ... select 0 where 0=(select count(*)...)",
 * MigrateTo "update <table> set version=$1", the disable-tx marker),
 * main.go (default version table public.schema_version).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

#define TERN_SPLIT "---- create above / drop below ----"

static const char *const tern_cols[] = { "version", NULL };

static int
tern_parse(const char *rel, struct migname *out)
{
	/* the name after the digits must not be empty: `_.+\.sql` */
	if (det_parse_digits(rel, '_', ".sql", 0, out) < 0 || !out->desc[0])
		return -1;
	return 0;
}

static const char *
find(const char *s, size_t n, const char *what)
{
	size_t k = strlen(what);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, what, k) == 0)
			return s + i;
	return NULL;
}

/* Does anything but white space follow p? */
static int
text_after(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return 1;
	return 0;
}

static void
tern_inspect(struct mig_file *f, const char *s, size_t n)
{
	const char *split = find(s, n, TERN_SPLIT);

	if ((split && text_after(split + strlen(TERN_SPLIT), s + n)) ||
	    find(s, n, "{{") || find(s, n, "---- tern: disable-tx ----"))
		f->code = 1;
}

static int
tern_read(struct db *db, const struct tracked *t, struct applied_set *out,
	  struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;

	if (det_select(db, t, "version", NULL, &rows, err) < 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *v = db_rows_get(&rows, i, 0);

		/* 0: Tern's "nothing applied yet" row */
		if (v && strtol(v, NULL, 10) > 0)
			applied_add(out, v, v, NULL, NULL);
	}
	db_rows_release(&rows);
	return 0;
}

static int
tern_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_t(db, t,
			  "create table if not exists %T(version int4 not "
			  "null); insert into %T(version) select 0 where "
			  "0=(select count(*) from %T)",
			  err);
}

static int
tern_set(struct db *db, const struct tracked *t, const char *version,
	 struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	const char *params[1] = { version };
	int rc;

	rk_buf_adds(&sql, "update ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " set version=$1");
	rc = db_query(db, sql.s, params, 1, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

static int
tern_record(struct db *db, struct tracked *t, const struct mig_file *m,
	    long exec_ms, struct rk_err *err)
{
	struct rk_buf v = RK_BUF_INIT;
	int rc;

	(void)exec_ms;
	det_id_int_version(m, &v);
	rc = tern_set(db, t, v.s, err);
	rk_buf_release(&v);
	return rc;
}

/* Tern's down step: the sequence before the head (numbers are gapless). */
static int
tern_unrecord(struct db *db, const struct tracked *t, const struct applied *row,
	      struct rk_err *err)
{
	char prev[32];
	long v = strtol(row->id, NULL, 10);

	snprintf(prev, sizeof(prev), "%ld", v > 0 ? v - 1 : 0);
	return tern_set(db, t, prev, err);
}

/* No up marker: what is above "---- create above / drop below ----" */
static const char *const tern_down[] = { "-- create above / drop below", NULL };
static const struct det_sections tern_sections = {
	.up = NULL,
	.down = tern_down,
	.new_text = "-- %s\n\n\n---- create above / drop below ----\n\n",
};

const struct detector det_tern = {
	.name = "tern",
	.table = "schema_version",
	.columns = tern_cols,
	.sections = &tern_sections,
	.flags = DET_HEAD | DET_PG_ONLY,
	.kind_note = "Tern migrations with a drop section, template actions "
		     "or disable-tx need Tern to render and split them",
	.parse_name = tern_parse,
	.inspect = tern_inspect,
	.file_id = det_id_int_version,
	.read = tern_read,
	.ensure = tern_ensure,
	.record = tern_record,
	.unrecord = tern_unrecord,
};
