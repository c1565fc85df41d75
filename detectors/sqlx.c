/*
 * SQLx's _sqlx_migrations: one row per applied version, the SHA-384 of the
 * file's text stored as 48 raw bytes (BYTEA / BLOB), rendered here as lower
 * hex on both sides (encode(.., 'hex') on PG, lower(hex(..)) on SQLite).
 * Checked against launchbadge/sqlx:
 * - sqlx-core/src/migrate/source.rs: <version>_<description>.sql, split at
 *   the first '_', version an i64, description without the suffix and with
 *   '_' as ' ', files of the top directory only;
 * - sqlx-core/src/migrate/migration_type.rs: .up.sql / .down.sql / .sql;
 * - sqlx-core/src/migrate/migration.rs: checksum = Sha384 of the text;
 * - sqlx-postgres/src/migrate.rs, sqlx-sqlite/src/migrate.rs: the DDL,
 *   INSERT (version, description, success TRUE, checksum, -1), then
 *   execution_time = elapsed nanoseconds; success = false is dirty.
 * The SQLite driver binds text only, so the blob is built from its hex in
 * SQL (SQLite 3.40 has no unhex()).
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
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

static const char *const sqlx_cols[] = {
	"version",  "description",    "installed_on", "success",
	"checksum", "execution_time", NULL,
};

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static int
sqlx_parse(const char *relpath, struct migname *out)
{
	size_t n = strlen(relpath), k;
	int i;

	memset(out, 0, sizeof(*out));
	if (strchr(relpath, '/') || !ends_with(relpath, n, ".sql"))
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	k = 4;
	if (ends_with(relpath, n, ".up.sql") ||
	    ends_with(relpath, n, ".down.sql")) {
		out->conv = CONV_UPDOWN;
		out->kind =
			ends_with(relpath, n, ".up.sql") ? MIG_UP : MIG_DOWN;
		k = out->kind == MIG_UP ? 7 : 9;
	}
	i = det_split_digits(relpath, n - k, "_", DET_SEP_REQUIRED, out);
	return i <= 0 || i > 18 ? -1 : 0;
}

static void
sqlx_checksum(const char *s, size_t n, struct rk_buf *out)
{
	unsigned char md[64];

	det_hex(md, det_digest("sha384", s, n, md), out);
}

static int
sqlx_read(struct db *db, const struct tracked *t, struct applied_set *out,
	  struct rk_err *err)
{
	struct rk_buf cols = RK_BUF_INIT;
	struct db_rows r = DB_ROWS_INIT;
	int rc;

	rk_buf_addf(&cols,
		    "version, installed_on, %schecksum%s, execution_time, "
		    "CASE WHEN success THEN 1 ELSE 0 END",
		    db_dialect(db)->hex_open, db_dialect(db)->hex_close);
	rc = det_select(db, t, cols.s, "version", &r, err);
	for (size_t i = 0; rc == 0 && i < r.nrows; i++) {
		const char *v = db_rows_get(&r, i, 0);
		const char *ns = db_rows_get(&r, i, 3);
		const char *ok = db_rows_get(&r, i, 4);
		char at[32];
		struct applied *a = applied_add(
			out, v, v, det_iso_time(db_rows_get(&r, i, 1), at),
			db_rows_get(&r, i, 2));
		long long t_ns = ns ? strtoll(ns, NULL, 10) : -1;

		a->exec_ms = t_ns < 0 ? -1 : (long)(t_ns / 1000000);
		a->failed = ok && strcmp(ok, "0") == 0;
	}
	db_rows_release(&r);
	rk_buf_release(&cols);
	return rc;
}

/* the table as SQLx creates it on each engine */
static const char *const sqlx_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE IF NOT EXISTS %T ("
		  " version BIGINT PRIMARY KEY,"
		  " description TEXT NOT NULL,"
		  " installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),"
		  " success BOOLEAN NOT NULL,"
		  " checksum BYTEA NOT NULL,"
		  " execution_time BIGINT NOT NULL)",
	[DB_SQLITE] = "CREATE TABLE IF NOT EXISTS %T ("
		      " version BIGINT PRIMARY KEY,"
		      " description TEXT NOT NULL,"
		      " installed_on TIMESTAMP NOT NULL DEFAULT "
		      "CURRENT_TIMESTAMP,"
		      " success BOOLEAN NOT NULL,"
		      " checksum BLOB NOT NULL,"
		      " execution_time BIGINT NOT NULL)",
};

static int
sqlx_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_ddl(db, t, sqlx_ddl, err);
}

/* The bytes whose lower-case hex is hex (a checksum reckon computed, so
 * always well formed), into out; nothing for NULL. */
static void
bytes_of_hex(const char *hex, struct rk_buf *out)
{
	static const char hx[] = "0123456789abcdef";

	for (const char *p = hex; p && p[0] && p[1]; p += 2) {
		const char *hi = strchr(hx, p[0]), *lo = strchr(hx, p[1]);

		if (!hi || !lo)
			rk_bug("checksum '%s' is not lower-case hex", hex);
		rk_buf_addc(out, (char)((hi - hx) << 4 | (lo - hx)));
	}
}

static void
sqlx_desc(const char *desc, struct rk_buf *out)
{
	for (const char *p = desc; *p; p++)
		rk_buf_addc(out, *p == '_' ? ' ' : *p);
}

/* The checksum is bound as bytes: BYTEA on PG, a BLOB on SQLite, as
 * SQLx stores it. */
static int
sqlx_record(struct db *db, struct tracked *t, const struct mig_file *m,
	    long exec_ms, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT, ver = RK_BUF_INIT, desc = RK_BUF_INIT,
		      sum = RK_BUF_INIT;
	struct db_param params[4];
	char ns[32];
	int rc;

	det_id_int_version(m, &ver);
	sqlx_desc(m->desc, &desc);
	bytes_of_hex(m->checksum, &sum);
	snprintf(ns, sizeof(ns), "%lld", (long long)exec_ms * 1000000);
	params[0] = (struct db_param){ DB_INT, ver.s, 0 };
	params[1] = (struct db_param){ DB_TEXT, desc.s, 0 };
	params[2] = (struct db_param){ DB_BYTES, m->checksum ? sum.s : NULL,
				       sum.len };
	params[3] = (struct db_param){ DB_INT, ns, 0 };
	rk_buf_adds(&sql, "INSERT INTO ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql,
		    " (version, description, success, checksum, "
		    "execution_time) SELECT CAST($1 AS BIGINT), $2, TRUE, "
		    "$3, CAST($4 AS BIGINT)");
	rc = db_query_typed(db, sql.s, params, 4, NULL, err);
	rk_buf_release(&sum);
	rk_buf_release(&desc);
	rk_buf_release(&ver);
	rk_buf_release(&sql);
	return rc;
}

/* The file's checksum becomes the stored one, and the row is clean. */
static int
sqlx_repair(struct db *db, const struct tracked *t, const struct mig_file *m,
	    const struct applied *row, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT, sum = RK_BUF_INIT;
	struct db_param params[2];
	int rc;

	bytes_of_hex(m->checksum, &sum);
	params[0] = (struct db_param){ DB_INT, row->id, 0 };
	params[1] = (struct db_param){ DB_BYTES, m->checksum ? sum.s : NULL,
				       sum.len };
	rk_buf_adds(&sql, "UPDATE ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " SET checksum = $2, success = TRUE WHERE version = "
			  "CAST($1 AS BIGINT)");
	rc = db_query_typed(db, sql.s, params, 2, NULL, err);
	rk_buf_release(&sum);
	rk_buf_release(&sql);
	return rc;
}

const struct detector det_sqlx = {
	.name = "sqlx",
	.table = "_sqlx_migrations",
	.columns = sqlx_cols,
	/* a first line that runs the file outside a transaction */
	.no_tx_marker = "-- no-transaction",
	.parse_name = sqlx_parse,
	.checksum = sqlx_checksum,
	.file_id = det_id_int_version,
	.read = sqlx_read,
	.ensure = sqlx_ensure,
	.record = sqlx_record,
	.id_column = "version",
	.repair = sqlx_repair,
};
