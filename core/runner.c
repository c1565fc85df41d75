/*
 * run: every pending file the run wants is read, checked and split before
 * the database is touched (run_prepare.c); then, under the run lock, the
 * table is read again (another runner may have applied some meanwhile)
 * and the plan runs: one transaction for the batch or one per file, each
 * no-transaction file on its own between them. Each file ends with an
 * outcome (ops.h) that the report's every sentence is derived from.
 */
#include "reckon/core/ops.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/parsers/ddl.h"
#include "reckon/core/drift.h"
#include "reckon/base/err.h"
#include "reckon/core/interrupt.h"
#include "reckon/core/lockbudget.h"
#include "reckon/core/sidecar.h"
#include "reckon/core/target.h"
#include "reckon/base/util.h"
#include "run.h"
#include "run_delegate.h"
#include "reckon/base/banned.h"

/* Number the plan's transactions: a batch, or one per file, with each
 * no-transaction file on its own between them (txn 0). */
static void
plan_transactions(struct run_report *r, int per_file)
{
	size_t txn = 0;

	for (size_t i = 0; i < r->nitems; i++) {
		struct run_item *it = &r->items[i];

		if (it->no_tx || it->ran_by) {
			it->txn = 0;
			r->planned_txns++;
			continue;
		}
		if (i == 0 || per_file || r->items[i - 1].no_tx ||
		    r->items[i - 1].ran_by) {
			txn++;
			r->planned_txns++;
		}
		it->txn = txn;
	}
}

static int
wanted(const struct run_opts *o, const char *name)
{
	if (!o->names)
		return 1;
	for (int i = 0; i < o->nnames; i++)
		if (strcmp(o->names[i], name) == 0)
			return 1;
	return 0;
}

static int
check_names(struct rk_ctx *ctx, const struct rk_session *s,
	    const struct run_opts *o, struct rk_err *err)
{
	for (int i = 0; o->names && i < o->nnames; i++) {
		if (mig_find(&s->files, o->names[i]))
			continue;
		rk_fail(err, RK_USAGE, "no migration file '%s' in '%s'",
			o->names[i], ctx->cfg.dir);
		rk_err_hint(err, "name files as 'reckon status' lists them");
		return -1;
	}
	return 0;
}

/*
 * Code migrations (Alembic .py, Rails .rb, ...) run through the
 * framework's own tool; where reckon knows none (and none is configured),
 * a batch that needs one refuses, naming each, before anything happens.
 */
static int
check_code(struct rk_ctx *ctx, const struct rk_session *s,
	   const struct run_opts *o, struct rk_err *err)
{
	if (s->tracked.det->runner || ctx->cfg.runner)
		return 0;
	struct rk_buf names = RK_BUF_INIT;
	size_t n = 0;

	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->state != ST_PENDING || !e->file->code ||
		    !wanted(o, e->name) || !target_within(s, o, e->file))
			continue;
		rk_buf_addf(&names, "%s'%s'", n++ ? ", " : "", e->name);
	}
	if (n) {
		rk_fail(err, RK_INPUT,
			"cannot execute %zu pending migration(s): %s (%s)", n,
			names.s,
			s->tracked.det->kind_note ? s->tracked.det->kind_note
						  : "not SQL");
		rk_err_hint(err,
			    "apply them with %s, or record them with "
			    "'reckon mark-applied' once their changes "
			    "are in place",
			    s->tracked.det->name);
	}
	rk_buf_release(&names);
	return n ? -1 : 0;
}

/*
 * A head without a file leaves some files unknown (reconcile.h): any of
 * them may already be applied, so nothing runs until the head is back.
 */
static int
refuse_unknown(const struct rk_session *s, struct rk_err *err)
{
	const char *head = "?";

	if (!s->status.count[ST_UNKNOWN])
		return 0;
	for (size_t i = 0; i < s->status.n; i++)
		if (s->status.v[i].unplaced)
			head = s->status.v[i].name;
	rk_fail(err, RK_CHECK,
		"refusing to run: %zu migration(s) are unknown, because the "
		"recorded head '%s' has no file",
		s->status.count[ST_UNKNOWN], head);
	rk_err_hint(err,
		    "restore the file of '%s', or 'reckon unmark %s' if it is "
		    "gone for good; nothing was changed",
		    head, head);
	return -1;
}

/* prepare_part(): the files first, first + step, ... of a run. */
struct prep_part {
	const struct rk_session *s;
	const struct sql_dialect *d;
	struct prepared *ps;
	size_t n, first, step;
	size_t failed; /* the index that failed, or n */
	struct rk_err err;
};

static void *
prepare_part(void *arg)
{
	struct prep_part *h = arg;

	h->failed = h->n;
	for (size_t i = h->first; i < h->n; i += h->step) {
		struct prepared *p = &h->ps[i];

		if (p->code)
			continue;
		if (run_prepare(p->file, h->s->tracked.det, h->s->placeholders,
				h->d, p, &h->err) < 0) {
			h->failed = i;
			break;
		}
	}
	return NULL;
}

/*
 * Read and split every pending file the run wants. Reading, hashing and
 * encoding a file for its record do not depend on the others, so a
 * larger run prepares them on two threads (the second blocks every
 * signal, as early_read_start's does); the first failure in file order
 * is the one reported, as one thread would report it, and ps[*n - 1] is
 * that file.
 */
static int
prepare_all(const struct rk_session *s, const struct run_opts *o,
	    const struct sql_dialect *d, struct prepared **out, size_t *n,
	    struct rk_err *err)
{
	struct prep_part h[2];
	size_t k = 0, failed;
	pthread_t th;
	int two = 0;

	*out = xcalloc(s->status.n + 1, sizeof(**out));
	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];
		struct prepared *p;

		if (e->state != ST_PENDING || !wanted(o, e->name))
			continue;
		if (!target_within(s, o, e->file))
			continue;
		if (o->steps && k >= (size_t)o->steps)
			break;
		p = &(*out)[k++];
		rk_buf_init(&p->text);
		p->file = e->file;
		p->det = s->tracked.det;
		if (e->file->code) {
			/* the framework runs it (check_code() let it) */
			p->code = 1;
			memcpy(p->sha256, e->file->sha256, sizeof(p->sha256));
		}
	}
	h[0] = (struct prep_part){ s, d, *out, k, 0, 1, k, RK_ERR_INIT };
	if (k >= 16 && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		sigset_t all, old;

		h[0].step = 2;
		h[1] = h[0];
		h[1].first = 1;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		two = pthread_create(&th, NULL, prepare_part, &h[1]) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!two)
			h[0].step = 1;
	}
	prepare_part(&h[0]);
	if (two)
		pthread_join(th, NULL);
	failed = two && h[1].failed < h[0].failed ? h[1].failed : h[0].failed;
	if (failed == k) {
		*n = k;
		return 0;
	}
	*err = two && h[1].failed < h[0].failed ? h[1].err : h[0].err;
	for (size_t i = failed + 1; i < k; i++) /* the other thread's */
		run_prepared_release(&(*out)[i]);
	*n = failed + 1;
	return -1;
}

int
run_record_ran(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	       long ms, int failed, struct rk_err *err)
{
	const struct detector *det = s->tracked.det;
	struct mig_file ran = *p->file;
	int rc;

	/* run --dry-run --sql: nothing ran, so no time is claimed (and the
	 * printed SQL does not depend on how busy the machine is) */
	if (ctx->db->capture)
		ms = 0;
	memcpy(ran.sha256, p->sha256, sizeof(ran.sha256));
	ran.text = p->text.s;
	ran.text_len = p->text.len;
	/* a versioned file with placeholders: "", the tokens of its bytes
	 * as status compares them (drift_fill reads it again) */
	ran.token_hash = p->token_hash;
	ran.text_z = p->text_z;
	ran.checksum = NULL;
	if (det->checksum && p->replaced) {
		/* Flyway: versioned files by their bytes, repeatables after
		 * replacement, as ph_session() computed it */
		ran.checksum =
			p->file->checksum ? xstrdup(p->file->checksum) : NULL;
	} else if (det->checksum) {
		struct rk_buf sum = RK_BUF_INIT;

		det->checksum(p->text.s, p->text.len, &sum);
		ran.checksum = rk_buf_detach(&sum, NULL);
	}
	rc = failed ? det->record_failed(ctx->db, &s->tracked, &ran, ms, err)
		    : op_record(ctx, s, &ran, ms, err);
	free(ran.checksum);
	return rc;
}

static int
apply_one(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	  struct run_item *it, struct run_report *r, struct rk_err *err)
{
	long t0 = rk_now_ms();

	if (run_send(ctx, p, "", &it->stmts_done, r, err) < 0)
		return -1;
	it->ms = rk_now_ms() - t0;
	if (run_record_ran(ctx, s, p, it->ms, 0, err) < 0) {
		run_fail_report(r, p, NULL, err);
		rk_err_prefix(err, "cannot record '%s'", p->file->name);
		return -1;
	}
	run_progress(ctx, r, p->file->name, it->ms);
	return 0;
}

/* How one transaction of the run behaves. */
struct seg_opts {
	int fk_check; /* SQLite: PRAGMA foreign_key_check before commit */
};

/*
 * One transaction for the files [from, to) (run lock held): each item that
 * ran is RUN_ROLLED_BACK until the COMMIT succeeds, then RUN_COMMITTED.
 */
static int
apply_segment(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
	      size_t from, size_t to, const struct seg_opts *so,
	      struct run_report *r, struct rk_err *err)
{
	size_t i;

	if (rk_interrupted())
		return run_interrupted(err);
	if (db_begin(ctx->db, err) < 0)
		return -1;
	r->segments++;
	if (run_search_path(ctx, "LOCAL ", err) < 0 ||
	    op_prepare_tables(ctx, s, err) < 0)
		goto fail;
	for (i = from; i < to; i++) {
		if (r->items[i].outcome == RUN_SKIPPED)
			continue;
		r->items[i].outcome = RUN_ROLLED_BACK; /* until COMMIT */
		if (apply_one(ctx, s, &ps[i], &r->items[i], r, err) < 0)
			goto fail;
	}
	if (so->fk_check && run_fk_check(ctx, err) < 0)
		goto fail;
	if (db_commit(ctx->db, err) < 0)
		goto fail;
	for (i = from; i < to; i++)
		if (r->items[i].outcome == RUN_ROLLED_BACK)
			r->items[i].recorded = 1;
	run_settle(r, from, to, RUN_COMMITTED);
	return 0;
fail:
	db_rollback(ctx->db);
	return -1;
}

/*
 * A file that opted out of the transaction: its statements run one by one
 * in autocommit (the server refuses them in a transaction block), then a
 * short transaction records it. A failure after the first statement leaves
 * those before it committed: RUN_PARTIAL, recorded as the framework
 * records a failure where it does (record_failed), else not at all.
 */
static int
apply_no_tx(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	    struct run_item *it, struct run_report *r, struct rk_err *err)
{
	const struct detector *det = s->tracked.det;
	struct prepared rec = *p;
	struct rk_err ignored = RK_ERR_INIT;
	long t0 = rk_now_ms();
	int rc;

	if (it->outcome == RUN_SKIPPED)
		return 0;
	if (rk_interrupted())
		return run_interrupted(err);
	rc = run_search_path(ctx, "", err);
	if (rc == 0)
		rc = run_send(ctx, p, "", &it->stmts_done, r, err);
	/* the statements' outcome stands; reckon's own queries qualify
	 * every name, so a failed RESET cannot misdirect them */
	(void)run_search_path(ctx, "RESET", &ignored);
	it->ms = rk_now_ms() - t0;
	if (rc == 0) {
		/* the record, in a transaction of its own; once more if a
		 * signal's cancel request, sent as the last statement ended,
		 * hit it instead: the statements did commit */
		rec.skip = xcalloc(p->stmts.n + 1, 1);
		memset(rec.skip, 1, p->stmts.n);
		for (int tries = 0; tries < 2; tries++) {
			if (db_begin(ctx->db, err) < 0) {
				rc = -1;
			} else {
				r->segments++;
				rc = op_prepare_tables(ctx, s, err) < 0 ||
						     run_record_ran(ctx, s, p,
								    it->ms, 0,
								    err) < 0 ||
						     db_commit(ctx->db, err) < 0
					     ? -1
					     : 0;
				if (rc < 0)
					db_rollback(ctx->db);
			}
			if (rc == 0 || !rk_interrupted())
				break;
		}
		free(rec.skip);
		if (rc == 0) {
			it->outcome = RUN_COMMITTED;
			it->recorded = 1;
			run_progress(ctx, r, p->file->name, it->ms);
			return 0;
		}
		run_fail_report(r, p, NULL, err);
		rk_err_prefix(err, "'%s' ran but cannot be recorded",
			      p->file->name);
	}
	if (it->stmts_done == 0) {
		it->outcome = RUN_ROLLED_BACK; /* nothing of it remains */
		return -1;
	}
	it->outcome = RUN_PARTIAL;
	if (det->record_failed && it->stmts_done < it->nstmts &&
	    db_begin(&*ctx->db, &ignored) == 0) {
		if (op_prepare_tables(ctx, s, &ignored) == 0 &&
		    run_record_ran(ctx, s, p, it->ms, 1, &ignored) == 0 &&
		    db_commit(ctx->db, &ignored) == 0)
			it->recorded = 1;
		else
			db_rollback(ctx->db);
	}
	return -1;
}

/* Run the plan: its transactions in order, each no-transaction file on
 * its own between them; stop at the first failure. */
static int
apply_all(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
	  size_t n, const struct delegate *dg, struct run_report *r,
	  struct rk_err *err)
{
	int fk = 0, rc = 0;
	struct db_rows old = DB_ROWS_INIT;
	struct seg_opts so = { 0 };
	size_t i = 0;

	/* fk_off is set only where the dialect has PRAGMA foreign_keys */
	for (size_t k = 0; k < n; k++)
		fk |= ps[k].fk_off;
	so.fk_check = fk;
	if (fk &&
	    (db_query(ctx->db, "PRAGMA foreign_keys", NULL, 0, &old, err) < 0 ||
	     run_set_foreign_keys(ctx, "0", err) < 0)) {
		db_rows_release(&old);
		if (!r->failed)
			run_fail_report(r, NULL, NULL, err);
		return -1;
	}
	while (rc == 0 && i < n) {
		size_t j = i + 1;

		if (ps[i].code && ctx->db->capture) {
			/* its framework's tool would send its SQL */
			rk_buf_addf(ctx->db->capture,
				    "-- %s: not SQL that reckon sends; it "
				    "would run: %s\n",
				    ps[i].file->name,
				    r->items[i].ran_by ? r->items[i].ran_by
						       : "?");
			i = j;
			continue;
		}
		if (ps[i].code) {
			/* skipped: another runner applied it; committed: an
			 * earlier step's command applied it as needed */
			rc = r->items[i].outcome == RUN_SKIPPED ||
					     r->items[i].outcome ==
						     RUN_COMMITTED
				     ? 0
				     : delegate_step(ctx, s, dg, ps[i].file, 0,
						     &r->items[i], r, err);
			i = j;
			continue;
		}
		if (ps[i].no_tx) {
			rc = apply_no_tx(ctx, s, &ps[i], &r->items[i], r, err);
			i = j;
			continue;
		}
		while (j < n && !ps[j].no_tx && !ps[j].code &&
		       r->items[j].txn == r->items[i].txn)
			j++;
		rc = apply_segment(ctx, s, ps, i, j, &so, r, err);
		i = j;
	}
	if (rc < 0 && !r->failed)
		run_fail_report(r, NULL, NULL, err);
	if (fk) {
		struct rk_err ignored = RK_ERR_INIT;
		const char *v = old.nrows ? db_rows_get(&old, 0, 0) : NULL;

		(void)run_set_foreign_keys(ctx, v ? v : "0", &ignored);
	}
	db_rows_release(&old);
	return rc;
}

/*
 * run --dry-run --sql: the plan goes through apply_all() as a real run
 * does, with the database's writes captured instead of sent (db_capture),
 * so the text is what that run would send; reads (the catalog, the
 * foreign-key check) still run against the unchanged database. The items
 * stay planned: nothing ran.
 */
static int
dry_sql(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps, size_t n,
	const struct delegate *dg, struct run_report *r, struct rk_err *err)
{
	void (*progress)(void *, const char *, const char *, long) =
		ctx->progress;
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_addf(&sql,
		    "-- reckon run --dry-run --sql: %zu migration(s) for %s, "
		    "tracked in %s\n",
		    n, s->tracked.det->name,
		    r->tracking_display ? r->tracking_display : "?");
	if (db_kind(ctx->db) == DB_PG)
		rk_buf_addf(&sql,
			    "-- the run holds advisory lock %lld "
			    "(pg_try_advisory_lock) from start to end\n",
			    (long long)RK_LOCK_KEY);
	else
		rk_buf_adds(&sql, "-- the run holds the file lock "
				  "<database>.reckon-lock from start to "
				  "end\n");
	ctx->progress = NULL;
	db_capture(ctx->db, &sql);
	rc = apply_all(ctx, s, ps, n, dg, r, err);
	db_capture(ctx->db, NULL);
	ctx->progress = progress;
	for (size_t i = 0; i < r->nitems; i++) {
		r->items[i].outcome = RUN_PLANNED;
		r->items[i].recorded = 0;
	}
	r->segments = 0;
	r->sql = rk_buf_detach(&sql, NULL);
	return rc;
}

int
op_run(struct rk_ctx *ctx, const struct run_opts *o, struct run_report *r,
       struct rk_err *err)
{
	const struct sql_dialect *d = db_dialect(ctx->db)->lex;
	struct rk_session s = { 0 };
	struct prepared *ps = NULL;
	struct run_opts eff = { 0 };
	struct delegate dg = { 0 };
	size_t n = 0, ndeleg = 0;
	long t0 = rk_now_ms(), left;
	int rc = -1, locked = 0;

	r->dry_run = o->dry_run;
	rk_interrupt_watch(ctx->db); /* a signal cancels even the reads */
	if (op_status(ctx, &s, err) < 0 || check_names(ctx, &s, o, err) < 0 ||
	    target_for_run(&s, o, &eff, err) < 0)
		goto out;
	o = &eff; /* the target resolved */
	r->tracking_display = xstrdup(s.tracking_display);
	r->framework = xstrdup(s.tracked.det->name);
	session_warnings(&s, &r->warnings, &r->nwarnings);
	if (refuse_unknown(&s, err) < 0 || check_code(ctx, &s, o, err) < 0)
		goto out;
	if (prepare_all(&s, o, d, &ps, &n, err) < 0) {
		run_fail_report(r, NULL, NULL, err);
		r->failed->name = xstrdup(ps[n - 1].file->name);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		run_plan_item(r, &ps[i],
			      o->dry_run ? RUN_PLANNED : RUN_NOT_STARTED);
	for (size_t i = 0; i < n; i++)
		ndeleg += ps[i].code;
	if (ndeleg && delegate_open(ctx, &s, &dg, err) < 0) {
		/* as check words it: the files, then why */
		struct rk_buf names = RK_BUF_INIT;

		for (size_t i = 0; i < n; i++)
			if (ps[i].code)
				rk_buf_addf(&names, "%s'%s'",
					    names.len ? ", " : "",
					    ps[i].file->name);
		rk_err_prefix(err,
			      "cannot execute %zu pending migration(s): %s "
			      "(%s)",
			      ndeleg, names.s,
			      s.tracked.det->kind_note
				      ? s.tracked.det->kind_note
				      : "not SQL");
		rk_buf_release(&names);
		goto out;
	}
	if (ndeleg)
		delegate_order(&s, dg.app, ps, r->items, n);
	if (ndeleg && delegate_check_plan(&s, &dg, ps, n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct rk_buf cmd = RK_BUF_INIT;
		char **argv;

		if (!ps[i].code)
			continue;
		argv = delegate_argv(&dg, &s, NULL, ps[i].file);
		delegate_text(argv, &cmd);
		r->items[i].ran_by = rk_buf_detach(&cmd, NULL);
		for (size_t k = 0; argv[k]; k++)
			free(argv[k]);
		free(argv);
	}
	plan_transactions(r, o->per_file);
	if (!o->dry_run && n && op_can_write(&s, err) < 0)
		goto out;
	if (!o->allow_drift && drift_gate(&s, err) < 0)
		goto out;
	if (run_lint_gate(ctx, ps, n, o, r, err) < 0)
		goto out;
	/* PostgreSQL keeps every lock of a transaction in a shared table of
	 * fixed size: only there can a batch run out of locks halfway */
	if (!o->dry_run && n && db_kind(ctx->db) == DB_PG &&
	    run_check_lock_budget(ctx, ps, n, o->per_file, err) < 0)
		goto out;
	r->nothing_to_do = n == 0;
	if (o->dry_run || n == 0) {
		rc = o->dry_run && o->sql && n
			     ? dry_sql(ctx, &s, ps, n, &dg, r, err)
			     : 0;
		goto out;
	}
	if (run_lock(ctx, r, err) < 0)
		goto out;
	locked = 1;
	left = run_recheck(ctx, &s, ps, r, 0, err);
	if (left < 0) {
		run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	if (left == 0) {
		r->nothing_to_do = 1;
		rc = 0;
		goto out;
	}
	/* under the lock, before any change, and only if this runner will
	 * change something: a runner that finds nothing takes no backup.
	 * Only SQLite: a file reckon can copy whole (the product promises a
	 * backup there, SPEC.md); a server's backups are its operator's */
	if (db_kind(ctx->db) == DB_SQLITE && !o->no_backup &&
	    run_backup(ctx, r, err) < 0) {
		run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	if (ndeleg) {
		/* the framework's own status must see this database before
		 * anything changes */
		struct rk_buf note = RK_BUF_INIT;

		rc = delegate_same_db(ctx, &s, &dg, &note, err);
		r->same_db = rk_buf_detach(&note, NULL);
		if (rc < 0) {
			run_fail_report(r, NULL, NULL, err);
			goto out;
		}
	}
	rc = apply_all(ctx, &s, ps, n, &dg, r, err);
out:
	delegate_release(&dg);
	run_finish(ctx, r, rc, locked, t0, err);
	for (size_t i = 0; ps && i <= n && i < s.status.n + 1; i++)
		run_prepared_release(&ps[i]);
	free(ps);
	free(eff.within);
	session_release(&s);
	return rc;
}
