/*
 * TrailBase's _schema_history: its fork of refinery (same columns, names,
 * SipHash-1-3 checksum and row format) on SQLite, in a STRICT table with
 * TEXT columns. Checked against trailbaseio/trailbase:
 * - crates/refinery/src/drivers/trailbase.rs: the DDL (version INT PRIMARY
 *   KEY, name, applied_on, checksum TEXT, STRICT on SQLite), applied_on
 *   parsed as RFC 3339, checksum as a u64 string;
 * - crates/refinery/src/traits/mod.rs: table name _schema_history, the
 *   INSERT, rows read by version.
 * Everything but the table's DDL is refinery's (refinery.c), reached
 * through det_refinery; only .sql files, TrailBase has no code migrations.
 * Rows of TrailBase's own embedded migrations are left out by version.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

extern const struct detector det_refinery;

static const char *const trailbase_cols[] = {
	"version", "name", "applied_on", "checksum", NULL,
};

static int
trailbase_parse(const char *relpath, struct migname *out)
{
	if (det_refinery.parse_name(relpath, out) < 0 || out->code)
		return -1;
	return 0;
}

static void
trailbase_inspect(struct mig_file *f, const char *s, size_t n)
{
	det_refinery.inspect(f, s, n);
}

static void
trailbase_checksum(const char *s, size_t n, struct rk_buf *out)
{
	det_refinery.checksum(s, n, out);
}

/* Versions of TrailBase's own migrations (embedded in the binary, applied
 * to the same table): crates/core/migrations/{base,main}. */
static const long builtin[] = { 1, 2, 3, 4, 7, 8, 1785764695, 1791097712 };

static int
trailbase_read(struct db *db, const struct tracked *t, struct applied_set *out,
	       struct rk_err *err)
{
	struct db_rows r = DB_ROWS_INIT;

	if (det_select(db, t, "version, applied_on, checksum", "version", &r,
		       err) < 0)
		return -1;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *v = db_rows_get(&r, i, 0);
		long n = v ? strtol(v, NULL, 10) : 0;
		size_t k = 0;
		char at[32];

		while (k < ARRAY_SIZE(builtin) && builtin[k] != n)
			k++;
		if (k < ARRAY_SIZE(builtin))
			continue;
		applied_add(out, v, v, det_iso_time(db_rows_get(&r, i, 1), at),
			    db_rows_get(&r, i, 2));
	}
	db_rows_release(&r);
	return 0;
}

static int
trailbase_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_t(db, t,
			  "CREATE TABLE IF NOT EXISTS %T("
			  " version INT PRIMARY KEY,"
			  " name TEXT,"
			  " applied_on TEXT,"
			  " checksum TEXT) STRICT;",
			  err);
}

static int
trailbase_record(struct db *db, struct tracked *t, const struct mig_file *m,
		 long exec_ms, struct rk_err *err)
{
	return det_refinery.record(db, t, m, exec_ms, err);
}

static int
trailbase_repair(struct db *db, const struct tracked *t,
		 const struct mig_file *m, const struct applied *row,
		 struct rk_err *err)
{
	return det_refinery.repair(db, t, m, row, err);
}

/* TrailBase's layout: <data dir>/migrations/main, the data dir holding
 * config.textproto or called traildepot (crates/core/src/data_dir.rs). */
static int
trailbase_evidence(const char *dir, struct rk_buf *why)
{
	char real[PATH_MAX];
	size_t n;

	if (!realpath(dir, real) || (n = strlen(real)) < 16 ||
	    strcmp(real + n - 16, "/migrations/main") != 0)
		return 0;
	if (!det_dir_has(dir, "../../config.textproto") &&
	    !strstr(real, "/traildepot/"))
		return 0;
	rk_buf_adds(why, "migrations/main in a TrailBase data directory");
	return 1;
}

/* 'new': U<unix seconds>__<desc>.sql, as TrailBase's own generator
 * (crates/core/src/migrations.rs) names a migration. */
static void
trailbase_new_name(const char *ver, const char *desc, struct rk_buf *up,
		   struct rk_buf *down)
{
	(void)down;
	rk_buf_addf(up, "U%s__%s.sql", ver, desc);
}

const struct detector det_trailbase = {
	.name = "trailbase",
	.table = "_schema_history",
	.columns = trailbase_cols,
	.flags = DET_SQLITE_ONLY | DET_NEW_EPOCH,
	.parse_name = trailbase_parse,
	.inspect = trailbase_inspect,
	.checksum = trailbase_checksum,
	.file_id = det_id_int_version,
	.read = trailbase_read,
	.ensure = trailbase_ensure,
	.record = trailbase_record,
	.id_column = "version",
	.repair = trailbase_repair,
	.dir_evidence = trailbase_evidence,
	.new_name = trailbase_new_name,
};
