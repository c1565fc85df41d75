/*
 * How big a table is (db_table_size): for the linter, which grades a
 * statement by the table it locks or rewrites. One catalog query per
 * table, the name bound as a parameter and resolved as the migration
 * will resolve it (PostgreSQL: to_regclass with the session's
 * search_path; SQLite: the schema's sqlite_master and dbstat).
 */
#include "reckon/db/db.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

/* relkind r (table), p (partitioned), m (matview): the sizes of the
 * relation itself and with its indexes and TOAST, and its row estimate. */
static const char pg_size_sql[] =
	"SELECT pg_catalog.pg_relation_size(c.oid), "
	"pg_catalog.pg_total_relation_size(c.oid), c.reltuples "
	"FROM pg_catalog.pg_class c WHERE c.oid = "
	"pg_catalog.to_regclass($1::pg_catalog.text) AND c.relkind IN "
	"('r', 'p', 'm')";

static long long
num(const struct db_rows *rows, size_t col)
{
	const char *v = db_rows_get(rows, 0, col);

	return v ? strtoll(v, NULL, 10) : -1;
}

static int
pg_size(struct db *db, const char *schema, const char *name,
	struct db_table_size *out, struct rk_err *err)
{
	struct rk_buf q = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	const char *params[1];
	int rc;

	db_quote_qualified(db, schema, name, &q);
	params[0] = q.s;
	rc = db_query(db, pg_size_sql, params, 1, &rows, err);
	if (rc == 0 && rows.nrows == 1) {
		const char *t = db_rows_get(&rows, 0, 2);

		out->exists = 1;
		out->heap_bytes = num(&rows, 0);
		out->total_bytes = num(&rows, 1);
		/* -1: never vacuumed or analyzed (PostgreSQL 14+) */
		out->rows = t ? strtod(t, NULL) : -1;
		if (out->rows < 0)
			out->rows = -1;
	}
	db_rows_release(&rows);
	rk_buf_release(&q);
	return rc;
}

/* SQLite: exists in the schema's catalog; empty by a one-row probe;
 * pages from dbstat where SQLite was built with it. */
static int
sqlite_size(struct db *db, const char *schema, const char *name,
	    struct db_table_size *out, struct rk_err *err)
{
	struct rk_buf q = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_err ignored = RK_ERR_INIT;
	const char *params[1] = { name };
	int rc;

	rk_buf_adds(&q, "SELECT name FROM ");
	if (*schema) {
		db_quote_ident(db, schema, &q);
		rk_buf_addc(&q, '.');
	}
	rk_buf_adds(&q, "sqlite_master WHERE type = 'table' AND name = $1 "
			"COLLATE NOCASE");
	rc = db_query(db, q.s, params, 1, &rows, err);
	if (rc < 0 || rows.nrows == 0)
		goto out;
	out->exists = 1;
	rk_buf_reset(&q);
	rk_buf_adds(&q, "SELECT EXISTS (SELECT 1 FROM ");
	db_quote_qualified(db, schema, db_rows_get(&rows, 0, 0), &q);
	rk_buf_adds(&q, ")");
	db_rows_release(&rows);
	if ((rc = db_query(db, q.s, NULL, 0, &rows, err)) < 0)
		goto out;
	out->heap_bytes = num(&rows, 0) == 0 ? 0 : -1;
	db_rows_release(&rows);
	rk_buf_reset(&q);
	rk_buf_adds(&q, "SELECT sum(pgsize) FROM ");
	if (*schema) {
		db_quote_ident(db, schema, &q);
		rk_buf_addc(&q, '.');
	}
	rk_buf_adds(&q, "dbstat WHERE name IN (SELECT name FROM ");
	if (*schema) {
		db_quote_ident(db, schema, &q);
		rk_buf_addc(&q, '.');
	}
	rk_buf_adds(&q, "sqlite_master WHERE tbl_name = $1 COLLATE NOCASE)");
	if (db_query(db, q.s, params, 1, &rows, &ignored) == 0 &&
	    rows.nrows == 1)
		out->total_bytes = num(&rows, 0);
	if (out->heap_bytes != 0)
		out->heap_bytes = out->total_bytes;
out:
	db_rows_release(&rows);
	rk_buf_release(&q);
	return rc;
}

int
db_table_size(struct db *db, const char *schema, const char *name,
	      struct db_table_size *out, struct rk_err *err)
{
	out->exists = 0;
	out->heap_bytes = out->total_bytes = -1;
	out->rows = -1;
	return db_kind(db) == DB_PG ? pg_size(db, schema, name, out, err)
				    : sqlite_size(db, schema, name, out, err);
}
