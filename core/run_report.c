/*
 * A run's report and the sentences every renderer takes from it: the
 * summary, the plan and the advice for a partly applied file are derived
 * from the per-file outcomes alone, so text, JSON, the API and the
 * dashboard cannot disagree about what happened.
 */
#include "reckon/core/ops.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/core/lint.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

const char *
run_outcome_name(enum run_outcome o)
{
	switch (o) {
	case RUN_PLANNED:
		return "planned";
	case RUN_NOT_STARTED:
		return "not_started";
	case RUN_COMMITTED:
		return "committed";
	case RUN_ROLLED_BACK:
		return "rolled_back";
	case RUN_PARTIAL:
		return "partial";
	case RUN_SKIPPED:
		return "skipped";
	case RUN_FAILED:
		return "failed";
	}
	return "?";
}

void
run_report_release(struct run_report *r)
{
	for (size_t i = 0; i < r->nitems; i++) {
		free(r->items[i].name);
		free(r->items[i].ran_by);
		free(r->items[i].output);
		free(r->items[i].also);
		free(r->items[i].undone_by);
		free(r->items[i].with);
	}
	free(r->items);
	free(r->sql);
	if (r->failed) {
		free(r->failed->name);
		free(r->failed->error);
		free(r->failed->detail);
		free(r->failed->hint);
		free(r->failed->statement);
		free(r->failed->excerpt);
		free(r->failed);
	}
	free(r->tracking_display);
	free(r->framework);
	free(r->backup);
	free(r->same_db);
	rk_strv_free(r->warnings, r->nwarnings);
	if (r->lint) {
		lint_report_release(r->lint);
		free(r->lint);
	}
	memset(r, 0, sizeof(*r));
}

size_t
run_count(const struct run_report *r, enum run_outcome o)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nitems; i++)
		n += r->items[i].outcome == o;
	return n;
}

/* "N <what> (a, b, c and 2 more)" for the items that ended in o. */
static void
counted_names(const struct run_report *r, enum run_outcome o, const char *what,
	      struct rk_buf *out)
{
	size_t n = run_count(r, o), shown = 0;

	rk_buf_addf(out, "%zu %s (", n, what);
	for (size_t i = 0; i < r->nitems && shown < 3; i++) {
		if (r->items[i].outcome != o)
			continue;
		rk_buf_addf(out, "%s%s", shown++ ? ", " : "", r->items[i].name);
	}
	if (n > shown)
		rk_buf_addf(out, " and %zu more", n - shown);
	rk_buf_addc(out, ')');
}

static const char *
signal_name(int sig)
{
	return sig == SIGINT	? "SIGINT"
	       : sig == SIGTERM ? "SIGTERM"
				: "a signal";
}

static void
failed_summary(const struct run_report *r, struct rk_buf *out)
{
	const char *undone = r->down ? "reverted" : "applied";
	size_t committed = run_count(r, RUN_COMMITTED);
	size_t partial = run_count(r, RUN_PARTIAL);
	size_t rolled = run_count(r, RUN_ROLLED_BACK);
	size_t later = run_count(r, RUN_NOT_STARTED);
	size_t failed = run_count(r, RUN_FAILED);

	if (r->interrupted)
		rk_buf_addf(out, "Interrupted by %s",
			    signal_name(r->interrupted));
	else if (r->failed && r->failed->name)
		rk_buf_addf(out, "Migration failed in %s", r->failed->name);
	else
		rk_buf_adds(out, "Migration failed");
	if (!committed && !partial && !failed) {
		rk_buf_addf(out, "; rolled back, nothing %s", undone);
		if (rolled + later)
			rk_buf_addf(out, " (%zu migration(s) not %s)",
				    rolled + later, undone);
		rk_buf_adds(out, ".");
		return;
	}
	rk_buf_adds(out, ": ");
	if (committed)
		counted_names(r, RUN_COMMITTED,
			      r->redo	? "redone and committed"
			      : r->down ? "reverted and committed"
					: "committed and recorded",
			      out);
	for (size_t i = 0; i < r->nitems; i++) {
		const struct run_item *it = &r->items[i];

		if (it->outcome != RUN_PARTIAL)
			continue;
		rk_buf_addf(out,
			    "%s%s partly applied (%zu of %zu statement(s) "
			    "committed, %s)",
			    committed ? "; " : "", it->name, it->stmts_done,
			    it->nstmts,
			    it->recorded ? "recorded as failed"
					 : "not recorded");
		committed = 1;
	}
	for (size_t i = 0; i < r->nitems; i++) {
		const struct run_item *it = &r->items[i];

		if (it->outcome != RUN_FAILED)
			continue;
		rk_buf_addf(out,
			    "%s%s failed in '%s' (%s: what it changed "
			    "is as its own transaction left it)",
			    committed ? "; " : "", it->name,
			    it->ran_by ? it->ran_by : "its framework",
			    it->recorded ? "recorded" : "not recorded");
		if (it->undone_by)
			rk_buf_addf(out,
				    ", after its down '%s' had committed: %s "
				    "is no longer applied ('reckon run' "
				    "applies it again)",
				    it->undone_by, it->name);
		committed = 1;
	}
	if (rolled) {
		rk_buf_adds(out, "; ");
		counted_names(r, RUN_ROLLED_BACK, "rolled back", out);
	}
	if (later) {
		rk_buf_adds(out, "; ");
		counted_names(r, RUN_NOT_STARTED, "not started", out);
	}
	rk_buf_adds(out, ".");
}

void
run_summary(const struct run_report *r, struct rk_buf *out)
{
	size_t done = run_count(r, RUN_COMMITTED);
	size_t skipped = run_count(r, RUN_SKIPPED);

	if (!r->ok) {
		failed_summary(r, out);
	} else if (r->nothing_to_do && skipped) {
		rk_buf_addf(out,
			    "Nothing to %s: another run %s the %zu "
			    "migration(s) while this one waited %ld ms for "
			    "the lock.",
			    r->down ? "undo" : "apply",
			    r->down ? "reverted" : "applied", skipped,
			    r->lock_wait_ms);
	} else if (r->nothing_to_do) {
		rk_buf_adds(out, r->down ? "Nothing to undo."
					 : "Nothing to apply: every migration "
					   "is applied.");
	} else if (r->dry_run) {
		rk_buf_addf(out,
			    "Would %s %zu migration(s) in %zu "
			    "transaction(s) (dry run, nothing changed).",
			    r->redo   ? "redo"
			    : r->down ? "revert"
				      : "apply",
			    r->nitems, r->planned_txns);
	} else {
		rk_buf_addf(out, "%s %zu migration(s) successfully",
			    r->redo   ? "Redid"
			    : r->down ? "Reverted"
				      : "Applied",
			    done);
		if (r->segments > 1)
			rk_buf_addf(out, " in %zu transactions", r->segments);
		rk_buf_adds(out, ".");
		if (skipped)
			rk_buf_addf(out,
				    " %zu more had been applied by another "
				    "run meanwhile.",
				    skipped);
	}
}

void
run_plan_text(const struct run_report *r, struct rk_buf *out)
{
	size_t groups = 0;

	for (size_t i = 0; i < r->nitems; i++)
		groups += i == 0 || r->items[i].no_tx || r->items[i].ran_by ||
			  r->items[i - 1].ran_by ||
			  r->items[i].txn != r->items[i - 1].txn;
	if (groups == 1 && r->nitems && !r->items[0].no_tx &&
	    !r->items[0].ran_by) {
		rk_buf_addf(out, "one transaction: %s", r->items[0].name);
		if (r->nitems > 1)
			rk_buf_addf(out, " to %s",
				    r->items[r->nitems - 1].name);
		return;
	}
	rk_buf_addf(out, "%zu step(s): ", groups);
	for (size_t i = 0, g = 0; i < r->nitems; g++) {
		size_t j = i + 1;

		while (!r->items[i].no_tx && !r->items[i].ran_by &&
		       j < r->nitems && !r->items[j].no_tx &&
		       !r->items[j].ran_by &&
		       r->items[j].txn == r->items[i].txn)
			j++;
		rk_buf_addf(out, "%s%s", g ? ", " : "", r->items[i].name);
		if (r->items[i].ran_by)
			rk_buf_addf(out, " through '%s'", r->items[i].ran_by);
		else if (r->items[i].no_tx)
			rk_buf_adds(out, " alone without a transaction");
		else if (j - i > 1)
			rk_buf_addf(out, " to %s in one transaction",
				    r->items[j - 1].name);
		else
			rk_buf_adds(out, " in its own transaction");
		i = j;
	}
}

void
run_partial_advice(const struct run_report *r, size_t i, struct rk_buf *out)
{
	const struct run_item *it = &r->items[i];

	if (r->down && it->stmts_done == it->nstmts) {
		rk_buf_addf(
			out,
			"all %zu statement(s) of %s's down script committed "
			"but its record could not be deleted: check the "
			"undo, then 'reckon unmark %s'",
			it->nstmts, it->name, it->name);
		return;
	}
	if (r->down) {
		rk_buf_addf(out,
			    "statements 1-%zu of %s's down script committed "
			    "and statement %zu failed; it runs without a "
			    "transaction, so nothing undid them: %s stays "
			    "recorded as applied; finish the undo by hand and "
			    "'reckon unmark %s', or redo what was undone",
			    it->stmts_done, it->name, it->stmts_done + 1,
			    it->name, it->name);
		return;
	}
	if (it->stmts_done == it->nstmts) {
		rk_buf_addf(out,
			    "all %zu statement(s) of %s committed but reckon "
			    "could not record it: check its changes, then "
			    "'reckon mark-applied %s'",
			    it->nstmts, it->name, it->name);
		return;
	}
	rk_buf_addf(out,
		    "statements 1-%zu of %s committed and statement %zu "
		    "failed; the file runs without a transaction, so nothing "
		    "undid them: undo them by hand (or make the file "
		    "idempotent) and run again, or finish the change and "
		    "'reckon mark-applied %s'%s",
		    it->stmts_done, it->name, it->stmts_done + 1, it->name,
		    it->recorded ? "; its failed record must go first "
				   "('reckon repair' or 'reckon unmark')"
				 : "");
}
