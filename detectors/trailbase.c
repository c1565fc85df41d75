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
#include <stddef.h>
#include <stdlib.h>

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

const struct detector det_trailbase = {
	.name = "trailbase",
	.table = "_schema_history",
	.columns = trailbase_cols,
	.flags = DET_SQLITE_ONLY,
	.parse_name = trailbase_parse,
	.inspect = trailbase_inspect,
	.checksum = trailbase_checksum,
	.file_id = det_id_int_version,
	.read = trailbase_read,
	.ensure = trailbase_ensure,
	.record = trailbase_record,
	.id_column = "version",
	.repair = trailbase_repair,
};
