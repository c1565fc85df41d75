/*
 * What run and down share: the plan's items, the statement loop (which
 * checks for a signal before each statement), progress, the run lock and
 * the re-read of the table under it.
 */
#include "reckon/core/ops.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/base/err.h"
#include "reckon/core/interrupt.h"
#include "reckon/base/util.h"
#include "run.h"
#include "reckon/base/banned.h"

/* Put p in the plan (r->items[k] is always ps[k]'s). */
void
run_plan_item(struct run_report *r, const struct prepared *p,
	      enum run_outcome outcome)
{
	struct run_item *it;

	rk_grow((void **)&r->items, &r->cap, r->nitems + 1, sizeof(*r->items));
	it = &r->items[r->nitems++];
	memset(it, 0, sizeof(*it));
	it->name = xstrdup(p->file->name);
	memcpy(it->sha256, p->sha256, sizeof(it->sha256));
	it->nstmts = p->stmts.n - p->nskip;
	it->skipped = p->nskip;
	it->no_tx = p->no_tx;
	it->outcome = outcome;
}

/*
 * Send p's statements one by one; *done counts those that succeeded. A
 * failure (or a signal, checked before each) fills r->failed and err.
 */
int
run_send(struct rk_ctx *ctx, struct prepared *p, const char *label,
	 size_t *done, struct run_report *r, struct rk_err *err)
{
	struct rk_buf stmt = RK_BUF_INIT;
	int rc = 0;

	*done = 0;
	for (size_t i = 0; i < p->stmts.n && rc == 0; i++) {
		const struct sql_stmt *st = &p->stmts.v[i];

		if (p->skip[i])
			continue;
		if (rk_interrupted()) {
			rc = run_interrupted(err);
			run_fail_report(r, p, NULL, err);
			break;
		}
		rk_buf_reset(&stmt);
		rk_buf_add(&stmt, p->text.s + st->off, st->len);
		rc = db_exec(ctx->db, stmt.s, err);
		if (rc < 0) {
			if (rk_interrupted())
				rk_err_prefix(err, "interrupted by %s",
					      rk_interrupted() == SIGTERM
						      ? "SIGTERM"
						      : "SIGINT");
			run_fail_report(r, p, st, err);
			rk_err_prefix(err, "%s%s:%u", p->file->name, label,
				      r->failed->line);
		} else {
			++*done;
		}
	}
	rk_buf_release(&stmt);
	return rc;
}

void
run_progress(struct rk_ctx *ctx, const struct run_report *r, const char *name,
	     long ms)
{
	if (ctx->progress)
		ctx->progress(ctx->progress_ud, r->down ? "reverted" : "ran",
			      name, ms);
}

/* Set every item of [from, to) that ran to o. */
void
run_settle(struct run_report *r, size_t from, size_t to, enum run_outcome o)
{
	for (size_t i = from; i < to; i++)
		if (r->items[i].outcome == RUN_ROLLED_BACK)
			r->items[i].outcome = o;
}

/*
 * Under the run lock: re-read the table (another runner may have applied
 * some of the plan while this one waited) and mark those RUN_SKIPPED.
 * Returns how many of the plan are still pending, or -1.
 */
const struct status_entry **
run_entries_by_file(const struct rk_session *s)
{
	const struct status_entry **by = xcalloc(s->files.n + 1, sizeof(*by));

	for (size_t k = 0; k < s->status.n; k++) {
		const struct mig_file *f = s->status.v[k].file;

		if (f && f >= s->files.v && f < s->files.v + s->files.n)
			by[f - s->files.v] = &s->status.v[k];
	}
	return by;
}

long
run_recheck(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
	    struct run_report *r, int down, struct rk_err *err)
{
	const struct status_entry **by;
	long left = 0;

	if (session_reload(ctx, s, err) < 0)
		return -1;
	by = run_entries_by_file(s);
	for (size_t i = 0; i < r->nitems; i++) {
		const struct status_entry *e = by[ps[i].file - s->files.v];
		int todo =
			e && (down ? e->row != NULL : e->state == ST_PENDING);

		if (!todo)
			r->items[i].outcome = RUN_SKIPPED;
		left += todo;
	}
	free(by);
	return left;
}

/* Take the run lock; a failure (or signal) while waiting is the report's. */
int
run_lock(struct rk_ctx *ctx, struct run_report *r, struct rk_err *err)
{
	if (db_run_lock(ctx->db, ctx->cfg.lock_wait_s, &r->lock_wait_ms, err) ==
	    0)
		return 0;
	if (rk_interrupted())
		(void)run_interrupted(err);
	run_fail_report(r, NULL, NULL, err);
	return -1;
}

void
run_finish(struct rk_ctx *ctx, struct run_report *r, int rc, int locked,
	   long t0, struct rk_err *err)
{
	if (locked)
		db_run_unlock(ctx->db);
	rk_interrupt_unwatch(ctx->db);
	if (rc < 0 && !r->failed && rk_interrupted())
		(void)run_interrupted(
			err); /* it cancelled a read: nothing ran */
	r->interrupted = rk_interrupted();
	r->ok = rc == 0;
	r->total_ms = rk_now_ms() - t0;
}

int
run_search_path(struct rk_ctx *ctx, const char *how, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	/* only a server has schemas; without --schema the user's path stays */
	if (!ctx->cfg.schema || db_kind(ctx->db) != DB_PG)
		return 0;
	if (strcmp(how, "RESET") == 0)
		return db_exec(ctx->db, "RESET search_path", err);
	rk_buf_addf(&sql, "SET %ssearch_path TO ", how);
	db_quote_ident(ctx->db, ctx->cfg.schema, &sql);
	rc = db_exec(ctx->db, sql.s, err);
	rk_buf_release(&sql);
	if (rc < 0)
		rk_err_prefix(err, "cannot set search_path to '%s'",
			      ctx->cfg.schema);
	return rc;
}
