/*
 * The steps of a run that only one engine has: on SQLite, the backup
 * before the first change and the foreign_keys pragma around a
 * table-rebuild batch (with the check before commit); on PostgreSQL, the
 * lock-table budget a batch's DDL needs.
 */
#include "reckon/core/ops.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/parsers/ddl.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/base/err.h"
#include "reckon/core/lockbudget.h"
#include "reckon/detectors/migfile.h"
#include "reckon/base/util.h"
#include "run.h"
#include "reckon/base/banned.h"

/* PRAGMA foreign_key_check: any row is a violation the batch made. */
int
run_fk_check(struct rk_ctx *ctx, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	int rc = db_query(ctx->db, "PRAGMA foreign_key_check", NULL, 0, &rows,
			  err);

	if (rc == 0 && rows.nrows) {
		rc = rk_fail(err, RK_DB,
			     "foreign key check failed: %zu row(s) in '%s' "
			     "refer to missing rows in '%s'",
			     rows.nrows,
			     db_rows_get(&rows, 0, 0) ? db_rows_get(&rows, 0, 0)
						      : "?",
			     db_rows_get(&rows, 0, 2) ? db_rows_get(&rows, 0, 2)
						      : "?");
		rk_err_hint(err, "the batch turned foreign keys off and left "
				 "dangling references; fix the migration");
	}
	db_rows_release(&rows);
	return rc;
}

/* SQLite: a copy of the database file before anything changes. */
int
run_backup(struct rk_ctx *ctx, struct run_report *r, struct rk_err *err)
{
	struct db_info info;
	struct rk_buf path = RK_BUF_INIT;
	struct stat st;
	char stamp[40];

	if (db_info(ctx->db, &info, err) < 0)
		return -1;
	if (strcmp(info.database, ":memory:") == 0 ||
	    stat(info.database, &st) != 0 || st.st_size == 0)
		return 0; /* nothing in it yet */
	if (access(info.database, W_OK) != 0)
		return 0; /* read-only: the first write fails, saying so */
	det_now(DET_TIME_COMPACT, stamp);
	rk_buf_addf(&path, "%s.reckon-backup-%s", info.database, stamp);
	for (int k = 2; access(path.s, F_OK) == 0; k++) {
		rk_buf_reset(&path);
		rk_buf_addf(&path, "%s.reckon-backup-%s-%d", info.database,
			    stamp, k);
	}
	if (db_backup(ctx->db, path.s, err) < 0) {
		rk_buf_release(&path);
		return -1;
	}
	r->backup = rk_buf_detach(&path, NULL);
	return 0;
}

int
run_set_foreign_keys(struct rk_ctx *ctx, const char *value, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_addf(&sql, "PRAGMA foreign_keys = %s",
		    strcmp(value, "1") == 0 ? "ON" : "OFF");
	rc = db_exec(ctx->db, sql.s, err);
	rk_buf_release(&sql);
	return rc;
}

/*
 * Refuse a batch whose DDL would not fit in the server's lock table (it
 * would fail halfway with "out of shared memory"), before it starts.
 */
int
run_check_lock_budget(struct rk_ctx *ctx, struct prepared *ps, size_t n,
		      int per_file, struct rk_err *err)
{
	size_t need = 0, most = 0;
	long cap;

	for (size_t i = 0; i < n; i++) {
		struct ddl_list objs = DDL_LIST_INIT;
		struct rk_err ignored = RK_ERR_INIT;
		size_t off, len;

		if (ps[i].code)
			continue; /* its framework's own transaction */
		mig_up_section(ps[i].det, ps[i].text.s, ps[i].text.len, &off,
			       &len);
		if (ddl_extract(ps[i].text.s + off, len,
				db_dialect(ctx->db)->lex, &objs, &ignored) == 0)
			ps[i].locks = locks_for_objects(&objs);
		ddl_list_release(&objs);
		need += ps[i].locks;
		if (ps[i].locks > most)
			most = ps[i].locks;
	}
	if (per_file)
		need = most;
	if (need < 64 || lock_capacity(ctx->db, &cap, err) < 0)
		return need < 64 ? 0 : -1;
	if ((double)need <= LOCK_BUDGET_SHARE * (double)cap)
		return 0;
	rk_fail(err, RK_INPUT,
		"this %s would hold about %zu lock-table entries until it "
		"commits; the server has room for %ld in all",
		per_file ? "run's largest file" : "batch", need, cap);
	rk_err_hint(err,
		    "raise max_locks_per_transaction (the lock table "
		    "holds it x max_connections and the other "
		    "backends)%s",
		    per_file ? "" : ", or run with --per-file or --steps");
	return -1;
}
