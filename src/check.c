/*
 * The pre-flight safety check: what a careful operator looks at before
 * running migrations against a live database. Everything is read-only:
 * the session's state (pending, drift), then the server's lock and
 * transaction views (PostgreSQL) or the file's journal mode and
 * writability (SQLite). Any finding becomes a warning; safe means none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reckon/buf.h"
#include "reckon/db.h"
#include "reckon/err.h"
#include "reckon/lockbudget.h"
#include "reckon/ops.h"
#include "reckon/util.h"
#include "reckon/banned.h"

void
check_report_release(struct check_report *r)
{
	free(r->database);
	free(r->user);
	free(r->server_version);
	for (size_t i = 0; i < r->npending; i++)
		free(r->pending[i]);
	free(r->pending);
	free(r->journal_mode);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}

__attribute__((format(printf, 2, 3))) static void
warn(struct check_report *r, const char *fmt, ...)
{
	struct rk_buf b = RK_BUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	rk_buf_grow(&b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b.s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b.len = (size_t)n;
	r->warnings = xrealloc(r->warnings,
			       (r->nwarnings + 1) * sizeof(*r->warnings));
	r->warnings[r->nwarnings++] = rk_buf_detach(&b, NULL);
}

/* A single number from a one-row query. */
static int
query_number(struct db *db, const char *sql, double *out, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	int rc = db_query(db, sql, NULL, 0, &rows, err);

	*out = 0;
	if (rc == 0 && rows.nrows == 1 && db_rows_get(&rows, 0, 0))
		*out = strtod(db_rows_get(&rows, 0, 0), NULL);
	db_rows_release(&rows);
	return rc;
}

static int
check_pg(struct rk_ctx *ctx, struct check_report *r, struct rk_err *err)
{
	double locks, active, oldest;

	if (query_number(ctx->db,
			 "SELECT count(*) FROM pg_catalog.pg_locks WHERE NOT "
			 "granted AND pid <> pg_catalog.pg_backend_pid()",
			 &locks, err) < 0)
		return -1;
	if (query_number(ctx->db,
			 "SELECT count(*) FROM pg_catalog.pg_stat_activity "
			 "WHERE state <> 'idle' AND xact_start IS NOT NULL AND "
			 "pid <> pg_catalog.pg_backend_pid() AND datname = "
			 "pg_catalog.current_database()",
			 &active, err) < 0)
		return -1;
	if (query_number(ctx->db,
			 "SELECT COALESCE(EXTRACT(EPOCH FROM pg_catalog.max("
			 "pg_catalog.now() - xact_start)), 0) FROM "
			 "pg_catalog.pg_stat_activity WHERE state <> 'idle' "
			 "AND xact_start IS NOT NULL AND pid <> "
			 "pg_catalog.pg_backend_pid() AND datname = "
			 "pg_catalog.current_database()",
			 &oldest, err) < 0)
		return -1;
	if (lock_capacity(ctx->db, &r->lock_capacity, err) < 0)
		return -1;
	if ((double)r->locks_needed >
	    LOCK_BUDGET_SHARE * (double)r->lock_capacity)
		warn(r,
		     "the pending batch would hold about %zu lock-table "
		     "entries, more than the server's %ld allow: raise "
		     "max_locks_per_transaction or run with --per-file",
		     r->locks_needed, r->lock_capacity);
	r->lock_count = (long)locks;
	r->active_tx = (long)active;
	r->oldest_tx_s = oldest;
	r->writable = 1;
	if (r->lock_count)
		warn(r,
		     "%ld lock request(s) are waiting: migrations would "
		     "queue behind them",
		     r->lock_count);
	if (r->active_tx > 3)
		warn(r, "%ld other transactions are active", r->active_tx);
	if (r->active_tx && oldest * 1000 > ctx->cfg.lock_timeout_ms)
		warn(r,
		     "a transaction has been open for %.0f s, longer than "
		     "the lock timeout (%d ms): DDL on its tables would "
		     "time out",
		     oldest, ctx->cfg.lock_timeout_ms);
	return 0;
}

static int
check_sqlite(struct rk_ctx *ctx, struct check_report *r, struct db_info *info,
	     struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	const char *file = info->database;

	if (db_query(ctx->db, "PRAGMA journal_mode", NULL, 0, &rows, err) < 0)
		return -1;
	if (rows.nrows == 1 && db_rows_get(&rows, 0, 0))
		r->journal_mode = xstrdup(db_rows_get(&rows, 0, 0));
	db_rows_release(&rows);
	r->writable = access(file, F_OK) != 0 || access(file, W_OK) == 0;
	if (!r->writable)
		warn(r, "the database file '%s' is not writable", file);
	return 0;
}

/* Pending files with a statement that refuses a transaction. */
static void
check_no_tx(struct rk_ctx *ctx, const struct rk_session *s,
	    struct check_report *r)
{
	int sqlite = db_kind(ctx->db) == DB_SQLITE;

	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];
		struct preview_report p = { 0 };
		struct rk_err ignored = RK_ERR_INIT;

		if (e->state != ST_PENDING || e->file->code)
			continue;
		if (op_preview(ctx, e->file->path, sqlite, &p, &ignored) < 0)
			warn(r, "'%s' cannot be read or split: %s", e->name,
			     ignored.msg);
		else if (!p.transactional)
			warn(r,
			     "'%s' has a statement that cannot run inside "
			     "a transaction",
			     e->name);
		if (p.objects)
			r->locks_needed += locks_for_objects(p.objects);
		preview_report_release(&p);
	}
}

static void
check_states(const struct rk_session *s, struct check_report *r)
{
	struct rk_buf w = RK_BUF_INIT;
	size_t ooo = 0;

	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->state == ST_PENDING) {
			r->pending = xrealloc(
				r->pending, (r->npending + 1) * sizeof(char *));
			r->pending[r->npending++] = xstrdup(e->name);
		}
		ooo += e->out_of_order;
		rk_buf_reset(&w);
		if (status_warning(e, &w))
			warn(r, "%s", w.s);
	}
	rk_buf_release(&w);
	if (!r->npending)
		warn(r, "nothing is pending");
	if (ooo)
		warn(r,
		     "%zu pending file(s) are out of order (older than the "
		     "newest applied)",
		     ooo);
	if (s->status.count[ST_MODIFIED])
		warn(r, "%zu applied file(s) were modified since",
		     s->status.count[ST_MODIFIED]);
	if (s->status.count[ST_ORPHANED])
		warn(r, "%zu record(s) have no file (orphaned)",
		     s->status.count[ST_ORPHANED]);
	if (s->status.count[ST_FAILED])
		warn(r, "%zu migration(s) are recorded as failed",
		     s->status.count[ST_FAILED]);
}

int
op_check(struct rk_ctx *ctx, struct check_report *r, struct rk_err *err)
{
	struct rk_session s = { 0 };
	struct db_info info;
	int rc = -1;

	if (db_info(ctx->db, &info, err) < 0)
		return -1;
	r->database =
		xstrdup(ctx->db_display ? ctx->db_display : info.database);
	r->user = xstrdup(info.user);
	r->server_version = xstrdup(info.server_version);
	if (op_status(ctx, &s, err) < 0)
		goto out;
	check_states(&s, r);
	check_no_tx(ctx, &s, r);
	if (db_kind(ctx->db) == DB_PG ? check_pg(ctx, r, err)
				      : check_sqlite(ctx, r, &info, err))
		goto out;
	r->safe = r->nwarnings == 0;
	rc = 0;
out:
	session_release(&s);
	return rc;
}
