/*
 * down: the newest applied migrations undone with their down scripts
 * (.down.sql, U files, "-- migrate:down" sections), newest first, in one
 * transaction under the run lock, their records deleted with them; a down
 * script that opts out of transactions runs on its own between them, as
 * run sends such a file.
 */
#include "reckon/core/ops.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/core/interrupt.h"
#include "reckon/core/sidecar.h"
#include "reckon/core/target.h"
#include "reckon/base/util.h"
#include "run.h"
#include "run_delegate.h"
#include "reckon/base/banned.h"

/* " (down script X)" or " (down section)": what runs for p. */
static void
down_label(const struct prepared *p, struct rk_buf *label)
{
	if (p->file->down_name)
		rk_buf_addf(label, " (down script %s)", p->file->down_name);
	else
		rk_buf_adds(label, " (down section)");
}

/* The applied entry whose row is rows->v[i], with its file, or NULL. */
static const struct status_entry *
entry_of_row(const struct rk_session *s, const struct applied *row)
{
	for (size_t i = 0; i < s->status.n; i++)
		if (s->status.v[i].row == row)
			return &s->status.v[i];
	return NULL;
}

/* Every one of the n entries is code its framework's tool can undo. */
static int
all_delegated(const struct rk_ctx *ctx, const struct rk_session *s,
	      const struct status_entry *const *v, size_t n)
{
	const struct det_runner *rn = s->tracked.det->runner;

	(void)ctx;
	if (!n || !rn || !rn->down)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i]->file || !v[i]->file->code)
			return 0;
	return 1;
}

/* The newest applied entries to undo, newest first; *delegated: every
 * one is code that the framework's own tool undoes. */
static int
down_targets(const struct rk_ctx *ctx, const struct rk_session *s,
	     const struct down_opts *o, const struct status_entry ***out,
	     size_t *n, int *delegated, struct rk_err *err)
{
	size_t want =
		o->to || o->all ? SIZE_MAX : (size_t)(o->steps ? o->steps : 1);

	*out = xcalloc(s->rows.n + 1, sizeof(**out));
	*n = 0;
	for (size_t i = s->rows.n; i-- > 0 && *n < want;) {
		const struct applied *row = &s->rows.v[i];
		const struct status_entry *e = entry_of_row(s, row);

		if (o->to && row->version &&
		    rk_vercmp(row->version, o->to) <= 0)
			break;
		if (!e)
			return rk_fail(err, RK_INPUT,
				       "cannot go down past '%s': its file is "
				       "gone (orphaned)",
				       row->id ? row->id : "?");
		(*out)[(*n)++] = e;
	}
	*delegated = all_delegated(ctx, s, *out, *n);
	return *delegated ? 0
			  : target_check_down(s->tracked.det, *out, *n, err);
}

/*
 * A revision graph (Alembic): the applied revisions the target would
 * undo, newest first (those not under a --to target, every one for
 * base, the newest N for -N), each checked as target_check_down does.
 */
static int
graph_down_targets(const struct rk_session *s, const struct down_opts *o,
		   const struct status_entry ***out, size_t *n,
		   struct rk_err *err)
{
	unsigned char *keep = o->to ? target_under(s, o->to) : NULL;
	size_t want =
		o->to || o->all ? SIZE_MAX : (size_t)(o->steps ? o->steps : 1);
	int rc;

	*out = xcalloc(s->status.n + 1, sizeof(**out));
	*n = 0;
	for (size_t i = s->status.n; i-- > 0 && *n < want;) {
		const struct status_entry *e = &s->status.v[i];

		if ((e->state != ST_APPLIED && e->state != ST_MODIFIED) ||
		    !e->file || (keep && keep[e->file - s->files.v]))
			continue;
		(*out)[(*n)++] = e;
	}
	free(keep);
	rc = target_check_down(s->tracked.det, *out, *n, err);
	return rc;
}

/* Delete the record of what p undid (in the open transaction). */
static int
unrecord(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	 const struct applied *row, struct rk_err *err)
{
	if (tracked_unrecord(ctx->db, &s->tracked, row, err) < 0)
		return -1;
	return s->tracked.sidecar ? sidecar_delete(ctx->db, &s->tracked,
						   p->file->name, err)
				  : 0;
}

/* Run one down script and delete the record of what it undid. */
static int
revert_one(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	   const struct applied *row, struct run_item *it, struct run_report *r,
	   struct rk_err *err)
{
	long t0 = rk_now_ms();
	struct rk_buf label = RK_BUF_INIT, shown = RK_BUF_INIT;
	int rc;

	down_label(p, &label);
	rc = run_send(ctx, p, label.s, &it->stmts_done, r, err);
	rk_buf_addf(&shown, "%s%s", p->file->name, label.s);
	rk_buf_release(&label);
	if (rc < 0) {
		rk_buf_release(&shown);
		return -1;
	}
	if (unrecord(ctx, s, p, row, err) < 0) {
		run_fail_report(r, p, NULL, err);
		rk_buf_release(&shown);
		return -1;
	}
	it->ms = rk_now_ms() - t0;
	run_progress(ctx, r, shown.s, it->ms);
	rk_buf_release(&shown);
	return 0;
}

/* One transaction reverting the plan's files [from, to), newest first
 * (run lock held). */
/* redo: apply up (the file's up part) again in the same transaction. */
static int
reapply(struct rk_ctx *ctx, struct rk_session *s, struct prepared *up,
	struct run_item *it, struct run_report *r, struct rk_err *err)
{
	long t0 = rk_now_ms();
	size_t done = 0;

	if (run_send(ctx, up, "", &done, r, err) < 0)
		return -1;
	if (run_record_ran(ctx, s, up, rk_now_ms() - t0, 0, err) < 0) {
		run_fail_report(r, up, NULL, err);
		rk_err_prefix(err, "cannot record '%s'", up->file->name);
		return -1;
	}
	it->ms += rk_now_ms() - t0;
	memcpy(it->sha256, up->sha256, sizeof(it->sha256));
	return 0;
}

static int
revert_segment(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
	       size_t from, size_t to, const struct status_entry **by,
	       struct prepared *up, struct run_report *r, struct rk_err *err)
{
	size_t i;

	if (rk_interrupted())
		return run_interrupted(err);
	if (db_begin(ctx->db, err) < 0)
		return -1;
	r->segments++;
	if (run_search_path(ctx, "LOCAL ", err) < 0)
		goto fail;
	for (i = from; i < to; i++) {
		const struct status_entry *e = by[ps[i].file - s->files.v];

		if (r->items[i].outcome == RUN_SKIPPED)
			continue;
		r->items[i].outcome = RUN_ROLLED_BACK; /* until COMMIT */
		if (revert_one(ctx, s, &ps[i], e->row, &r->items[i], r, err) <
			    0 ||
		    (up && reapply(ctx, s, up, &r->items[i], r, err) < 0))
			goto fail;
	}
	if (db_commit(ctx->db, err) < 0)
		goto fail;
	run_settle(r, from, to, RUN_COMMITTED);
	return 0;
fail:
	db_rollback(ctx->db);
	return -1;
}

/*
 * A down script that opted out of the transaction (CREATE/DROP INDEX
 * CONCURRENTLY): its statements one by one in autocommit, as run sends
 * such a file, then a short transaction deletes the record. Statements
 * that committed before a failure stay: RUN_PARTIAL, and the record stays
 * (the migration is not undone); a failure at the first leaves nothing.
 */
static int
revert_no_tx(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	     const struct applied *row, struct run_item *it,
	     struct run_report *r, struct rk_err *err)
{
	struct rk_buf label = RK_BUF_INIT;
	struct rk_err ignored = RK_ERR_INIT;
	long t0 = rk_now_ms();
	int rc;

	if (it->outcome == RUN_SKIPPED)
		return 0;
	if (rk_interrupted())
		return run_interrupted(err);
	down_label(p, &label);
	rc = run_search_path(ctx, "", err);
	if (rc == 0)
		rc = run_send(ctx, p, label.s, &it->stmts_done, r, err);
	(void)run_search_path(ctx, "RESET", &ignored);
	it->ms = rk_now_ms() - t0;
	if (rc == 0) {
		r->segments++;
		rc = db_begin(ctx->db, err);
		if (rc == 0 && (unrecord(ctx, s, p, row, err) < 0 ||
				db_commit(ctx->db, err) < 0)) {
			db_rollback(ctx->db);
			rc = -1;
		}
		if (rc < 0) {
			run_fail_report(r, p, NULL, err);
			rk_err_prefix(
				err,
				"'%s' was undone but its record cannot be "
				"deleted",
				p->file->name);
		}
	}
	if (rc == 0) {
		struct rk_buf shown = RK_BUF_INIT;

		it->outcome = RUN_COMMITTED;
		rk_buf_addf(&shown, "%s%s", p->file->name, label.s);
		run_progress(ctx, r, shown.s, it->ms);
		rk_buf_release(&shown);
	} else {
		it->outcome = it->stmts_done ? RUN_PARTIAL : RUN_ROLLED_BACK;
		it->recorded = 1; /* its row is still there */
	}
	rk_buf_release(&label);
	return rc;
}

/* The plan, newest first: runs of transactional down scripts in one
 * transaction each, a no-transaction one on its own between them. */
static int
revert_all(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
	   size_t n, struct prepared *up, struct run_report *r,
	   struct rk_err *err)
{
	const struct status_entry **by = run_entries_by_file(s);
	size_t i = 0;
	int rc = 0;

	while (rc == 0 && i < n) {
		size_t j = i + 1;

		if (ps[i].no_tx) {
			rc = revert_no_tx(ctx, s, &ps[i],
					  by[ps[i].file - s->files.v]->row,
					  &r->items[i], r, err);
			i = j;
			continue;
		}
		while (j < n && !ps[j].no_tx)
			j++;
		rc = revert_segment(ctx, s, ps, i, j, by, up, r, err);
		i = j;
	}
	free(by);
	return rc;
}

/* redo of SQL: the file's up part too, and both in the transaction. */
static int
redo_prepare(const struct rk_session *s, struct prepared *ps,
	     const struct sql_dialect *d, struct prepared *up,
	     struct rk_err *err)
{
	const struct mig_file *f = ps[0].file;

	if (run_prepare(f, s->tracked.det, s->placeholders, d, up, err) < 0)
		return -1;
	if (!ps[0].no_tx && !up->no_tx)
		return 0;
	rk_fail(err, RK_CHECK,
		"redo: '%s' runs without a transaction (its %s opts out), so "
		"its down and up cannot be one transaction",
		f->name, ps[0].no_tx ? "down script" : "up part");
	rk_err_hint(err, "run 'reckon down', then 'reckon run %s'", f->name);
	return -1;
}

/* The commands a delegated redo runs, "<down>, then <up>", as ran_by. */
static void
redo_commands(const struct delegate *dg, const struct rk_session *s,
	      const struct mig_file *f, struct run_item *it)
{
	struct rk_buf cmd = RK_BUF_INIT;
	char **argv = delegate_argv(dg, s, NULL, f);

	rk_buf_addf(&cmd, "%s, then ", it->ran_by);
	delegate_text(argv, &cmd);
	free(it->ran_by);
	it->ran_by = rk_buf_detach(&cmd, NULL);
	for (size_t k = 0; argv[k]; k++)
		free(argv[k]);
	free(argv);
}

/* A code migration's redo: the framework's down, then its up, each a
 * step of its own (each commits by itself). */
static int
redo_delegated(struct rk_ctx *ctx, struct rk_session *s,
	       const struct delegate *dg, const struct mig_file *f,
	       struct run_item *it, struct run_report *r, struct rk_err *err)
{
	char *both = it->ran_by, *down_done = NULL, **argv;
	struct rk_buf cmd = RK_BUF_INIT;
	long ms;
	int rc;

	argv = delegate_argv(dg, s, dg->rn->down, f);
	delegate_text(argv, &cmd);
	for (size_t k = 0; argv[k]; k++)
		free(argv[k]);
	free(argv);
	it->ran_by = rk_buf_detach(&cmd, NULL);
	rc = delegate_step(ctx, s, dg, f, 1, it, r, err);
	ms = it->ms;
	if (rc == 0) {
		free(it->output);
		it->output = NULL;
		down_done = it->ran_by; /* kept: the up may still fail */
		argv = delegate_argv(dg, s, NULL, f);
		delegate_text(argv, &cmd);
		for (size_t k = 0; argv[k]; k++)
			free(argv[k]);
		free(argv);
		it->ran_by = rk_buf_detach(&cmd, NULL);
		rc = delegate_step(ctx, s, dg, f, 0, it, r, err);
		it->ms += ms;
	}
	if (rc == 0) {
		free(it->ran_by);
		it->ran_by = both;
	} else {
		free(both); /* ran_by names the command that failed */
		if (down_done)
			it->undone_by = down_done; /* the report says so */
		down_done = NULL;
	}
	free(down_done);
	rk_buf_release(&cmd);
	return rc;
}

int
op_down(struct rk_ctx *ctx, const struct down_opts *o, struct run_report *r,
	struct rk_err *err)
{
	const struct sql_dialect *d = db_dialect(ctx->db)->lex;
	const struct status_entry **targets = NULL;
	struct rk_session s = { 0 };
	struct prepared *ps = NULL, up = { 0 };
	struct down_opts eff;
	struct delegate dg = { 0 };
	size_t n = 0, i, txn = 0;
	long t0 = rk_now_ms(), left;
	int rc = -1, locked = 0, delegated = 0;

	r->down = 1;
	r->redo = o->redo;
	r->dry_run = o->dry_run;
	rk_buf_init(&up.text);
	rk_interrupt_watch(ctx->db);
	if (op_status(ctx, &s, err) < 0)
		goto out;
	r->tracking_display = xstrdup(s.tracking_display);
	r->framework = xstrdup(s.tracked.det->name);
	/* a head-only table names one migration to undo: the head, which
	 * the framework's own tool can step back (alembic downgrade -1) */
	if ((s.tracked.det->flags & DET_HEAD) &&
	    !(s.tracked.det->runner && s.tracked.det->runner->down && !o->to &&
	      !o->all && o->steps <= 1 && s.rows.n == 1)) {
		/* a revision graph names what it would undo (code cannot be) */
		if (target_graph(&s) &&
		    (target_for_down(&s, o, &eff, err) < 0 ||
		     graph_down_targets(&s, &eff, &targets, &n, err) < 0))
			goto out;
		rk_fail(err, RK_CONFLICT,
			"down is not supported for %s, which records only "
			"its current version",
			s.tracked.det->name);
		goto out;
	}
	if (target_for_down(&s, o, &eff, err) < 0 ||
	    down_targets(ctx, &s, &eff, &targets, &n, &delegated, err) < 0)
		goto out;
	if ((s.tracked.det->flags & DET_HEAD) && !delegated) {
		rk_fail(err, RK_CONFLICT,
			"down is not supported for %s, which records only "
			"its current version",
			s.tracked.det->name);
		goto out;
	}
	if (delegated && delegate_open(ctx, &s, &dg, err) < 0)
		goto out;
	ps = xcalloc(n + 1, sizeof(*ps));
	for (i = 0; i < n; i++) {
		rk_buf_init(&ps[i].text);
		if (delegated) {
			ps[i].file = targets[i]->file;
			ps[i].det = s.tracked.det;
			ps[i].code = 1;
			memcpy(ps[i].sha256, ps[i].file->sha256,
			       sizeof(ps[i].sha256));
			continue;
		}
		if (run_prepare_down(targets[i]->file, s.tracked.det,
				     ctx->cfg.dir, d, &ps[i], err) < 0)
			goto out;
	}
	if (o->redo && n && !delegated && redo_prepare(&s, ps, d, &up, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		run_plan_item(r, &ps[i],
			      o->dry_run ? RUN_PLANNED : RUN_NOT_STARTED);
		/* a no-transaction script on its own, the rest in runs */
		if (delegated || ps[i].no_tx) {
			r->items[i].txn = 0;
			r->planned_txns++;
		} else {
			if (i == 0 || r->items[i - 1].txn == 0) {
				r->planned_txns++;
				txn++;
			}
			r->items[i].txn = txn;
		}
		if (delegated) {
			struct rk_buf cmd = RK_BUF_INIT;
			char **argv =
				delegate_argv(&dg, &s, dg.rn->down, ps[i].file);

			delegate_text(argv, &cmd);
			r->items[i].ran_by = rk_buf_detach(&cmd, NULL);
			for (size_t k = 0; argv[k]; k++)
				free(argv[k]);
			free(argv);
		}
	}
	if (o->redo && delegated && n)
		redo_commands(&dg, &s, ps[0].file, &r->items[0]);
	r->nothing_to_do = n == 0;
	if (o->dry_run || n == 0) {
		rc = 0;
		goto out;
	}
	if (op_can_write(&s, err) < 0 || run_lock(ctx, r, err) < 0)
		goto out;
	locked = 1;
	left = run_recheck(ctx, &s, ps, r, 1, err);
	if (left <= 0) {
		r->nothing_to_do = left == 0;
		rc = left == 0 ? 0 : -1;
		if (rc < 0)
			run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	if (delegated) {
		struct rk_buf note = RK_BUF_INIT;

		rc = delegate_same_db(ctx, &s, &dg, &note, err);
		r->same_db = rk_buf_detach(&note, NULL);
		for (i = 0; rc == 0 && i < n; i++)
			if (r->items[i].outcome != RUN_SKIPPED)
				rc = o->redo ? redo_delegated(
						       ctx, &s, &dg, ps[i].file,
						       &r->items[i], r, err)
					     : delegate_step(
						       ctx, &s, &dg, ps[i].file,
						       1, &r->items[i], r, err);
	} else {
		rc = revert_all(ctx, &s, ps, n, o->redo ? &up : NULL, r, err);
	}
	if (rc < 0 && !r->failed)
		run_fail_report(r, NULL, NULL, err);
out:
	delegate_release(&dg);
	run_finish(ctx, r, rc, locked, t0, err);
	for (i = 0; ps && i <= n; i++)
		run_prepared_release(&ps[i]);
	run_prepared_release(&up);
	free(ps);
	free(targets);
	session_release(&s);
	return rc;
}
