/*
 * The sidecar hash table, next to the tracking table in the same schema.
 */
#include "reckon/core/sidecar.h"

#include <stddef.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

int
sidecar_read(struct db *db, const struct tracked *t, struct applied_set *out,
	     struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	int rc;

	if (!t->sidecar_exists)
		return 0;
	/* tables from before token_hash read as byte hashes only, and so
	 * does every table under --no-sidecar: no cosmetic edits then */
	rk_buf_addf(&sql, "SELECT name, sha256, %s FROM ",
		    t->sidecar && t->side_tok_col ? "token_hash" : "NULL");
	tracked_sibling(db, t, SIDECAR_TABLE, &sql);
	rc = db_query(db, sql.s, NULL, 0, &rows, err);
	for (size_t i = 0; rc == 0 && i < rows.nrows; i++) {
		struct applied *a =
			applied_add(out, db_rows_get(&rows, i, 0), NULL, NULL,
				    db_rows_get(&rows, i, 1));
		const char *tok = db_rows_get(&rows, i, 2);

		a->token_hash = tok && *tok ? applied_str(out, tok) : NULL;
	}
	db_rows_release(&rows);
	rk_buf_release(&sql);
	return rc;
}

int
sidecar_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	if (t->sidecar_exists)
		return 0;
	rk_buf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
	tracked_sibling(db, t, SIDECAR_TABLE, &sql);
	rk_buf_addf(&sql,
		    " (name text NOT NULL PRIMARY KEY,"
		    " sha256 text NOT NULL,"
		    " recorded_at %s NOT NULL,"
		    " recorded_by text NOT NULL,"
		    " token_hash text)",
		    db_dialect(db)->ts_type);
	rc = db_exec(db, sql.s, err);
	if (rc == 0)
		t->sidecar_exists = t->side_tok_col = 1;
	rk_buf_release(&sql);
	return rc;
}

int
sidecar_put(struct db *db, const struct tracked *t, const char *name,
	    const char *sha256, const char *token_hash, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	const char *params[4] = { name, sha256, t->actor ? t->actor : "",
				  token_hash && *token_hash ? token_hash
							    : NULL };
	int tok = t->side_tok_col, rc;

	rk_buf_adds(&sql, "INSERT INTO ");
	tracked_sibling(db, t, SIDECAR_TABLE, &sql);
	rk_buf_addf(&sql, " (name, sha256, recorded_at, recorded_by%s) ",
		    tok ? ", token_hash" : "");
	db_dialect_expand(db,
			  "VALUES ($1, $2, %NOW, COALESCE(NULLIF($3, ''), "
			  "%USER)",
			  &sql);
	rk_buf_addf(&sql,
		    "%s) ON CONFLICT (name) DO UPDATE SET sha256 = "
		    "excluded.sha256, recorded_at = excluded.recorded_at,"
		    " recorded_by = excluded.recorded_by%s",
		    tok ? ", $4" : "",
		    tok ? ", token_hash = excluded.token_hash" : "");
	rc = db_query(db, sql.s, params, tok ? 4 : 3, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

int
sidecar_delete(struct db *db, const struct tracked *t, const char *name,
	       struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	const char *params[1] = { name };
	int rc;

	if (!t->sidecar_exists)
		return 0;
	rk_buf_adds(&sql, "DELETE FROM ");
	tracked_sibling(db, t, SIDECAR_TABLE, &sql);
	rk_buf_adds(&sql, " WHERE name = $1");
	rc = db_query(db, sql.s, params, 1, NULL, err);
	rk_buf_release(&sql);
	return rc;
}
