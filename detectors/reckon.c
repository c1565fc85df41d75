/*
 * reckon's own tracking table, used when a database has no other
 * framework's table (created on the first write). One row per applied
 * file: its name relative to --dir, version, SHA-256 of the bytes that ran,
 * when, how long and by whom; installed_rank keeps the order applied.
 * token_hash (drift.h) came later: it is added on the first write to an
 * older table, and a table without it is read as byte hashes only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

static const char *const reckon_cols[] = {
	"installed_rank", "name",	  "version",	"sha256",
	"applied_at",	  "execution_ms", "applied_by", NULL,
};
static const char *const reckon_optional[] = { "token_hash", NULL };

static int
reckon_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	int rc;

	rc = det_exec_t(db, t,
			"CREATE TABLE IF NOT EXISTS %T"
			" (installed_rank integer NOT NULL,"
			" name text NOT NULL PRIMARY KEY,"
			" version text NOT NULL,"
			" sha256 text NOT NULL,"
			" applied_at %TS NOT NULL,"
			" execution_ms bigint NOT NULL,"
			" applied_by text NOT NULL,"
			" token_hash text)",
			err);
	if (rc == 0)
		t->exists = t->token_col = 1;
	return rc;
}

static int
reckon_read(struct db *db, const struct tracked *t, struct applied_set *out,
	    struct rk_err *err)
{
	const struct db_dialect *d = db_dialect(db);
	struct rk_buf sql = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	int rc = -1;

	if (!t->exists)
		return 0;
	rk_buf_addf(&sql,
		    "SELECT name, version, sha256, %sapplied_at%s, "
		    "execution_ms, applied_by, %s FROM ",
		    d->ts_iso_open, d->ts_iso_close,
		    t->token_col ? "token_hash" : "NULL");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " ORDER BY installed_rank");
	if (db_query(db, sql.s, NULL, 0, &rows, err) < 0)
		goto out;
	for (size_t i = 0; i < rows.nrows; i++) {
		struct applied *a = applied_add(
			out, db_rows_get(&rows, i, 0), db_rows_get(&rows, i, 1),
			db_rows_get(&rows, i, 3), db_rows_get(&rows, i, 2));
		const char *ms = db_rows_get(&rows, i, 4);
		const char *by = db_rows_get(&rows, i, 5);
		const char *tok = db_rows_get(&rows, i, 6);

		a->exec_ms = ms ? strtol(ms, NULL, 10) : -1;
		a->applied_by = by ? xstrdup(by) : NULL;
		a->token_hash = tok && *tok ? xstrdup(tok) : NULL;
	}
	rc = 0;
out:
	db_rows_release(&rows);
	rk_buf_release(&sql);
	return rc;
}

/*
 * The rank comes from the table once per run (under the run lock, so no
 * other runner inserts meanwhile), then counts up in the client: one
 * plain INSERT per file, not a scan of the table each time.
 */
static int
reckon_record(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, struct rk_err *err)
{
	char ms[32], rank[32];
	const char *params[7];
	int tok = t->token_col;

	if (!t->next_rank) {
		if (det_max(db, t, "installed_rank", &t->next_rank, err) < 0)
			return -1;
		t->next_rank++;
	}
	snprintf(ms, sizeof(ms), "%ld", exec_ms);
	snprintf(rank, sizeof(rank), "%ld", t->next_rank);
	params[0] = m->name;
	params[1] = m->version;
	params[2] = m->sha256;
	params[3] = ms;
	params[4] = t->actor ? t->actor : "";
	params[5] = rank;
	params[6] = m->token_hash[0] ? m->token_hash : NULL;
	if (det_insert(
		    db, t,
		    tok ? "installed_rank, name, version, sha256, applied_at, "
			  "execution_ms, applied_by, token_hash"
			: "installed_rank, name, version, sha256, applied_at, "
			  "execution_ms, applied_by",
		    tok ? "CAST($6 AS integer), $1, $2, $3, %NOW, "
			  "CAST($4 AS %INT), COALESCE(NULLIF($5, ''), %USER), "
			  "$7"
			: "CAST($6 AS integer), $1, $2, $3, %NOW, "
			  "CAST($4 AS %INT), COALESCE(NULLIF($5, ''), %USER)",
		    params, tok ? 7 : 6, err) < 0)
		return -1;
	t->next_rank++;
	return 0;
}

static int
reckon_repair(struct db *db, const struct tracked *t, const struct mig_file *m,
	      const struct applied *row, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	const char *params[3] = { m->sha256, row->id,
				  m->token_hash[0] ? m->token_hash : NULL };
	int rc;

	rk_buf_adds(&sql, "UPDATE ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, t->token_col ? " SET sha256 = $1, token_hash = $3 "
					 "WHERE name = $2"
				       : " SET sha256 = $1 WHERE name = $2");
	rc = db_query(db, sql.s, params, t->token_col ? 3 : 2, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

const struct detector det_reckon = {
	.name = "reckon",
	.table = "reckon_migrations",
	.columns = reckon_cols,
	.optional = reckon_optional,
	.flags = DET_OWN_SHA256,
	.read = reckon_read,
	.ensure = reckon_ensure,
	.record = reckon_record,
	.id_column = "name",
	.repair = reckon_repair,
};
