/*
 * The text renderers (report_text.c): each report of ops.h as readable
 * text on stdout, errors on stderr. The JSON documents are report_json.h's.
 * Renderers compute nothing.
 */
#ifndef RECKON_REPORT_H
#define RECKON_REPORT_H

#include <stddef.h>

#include "reckon/core/ops.h"
#include "reckon/core/verify.h"

struct lint_report;
struct lint_rule;
struct rk_err;

void text_status(const struct rk_ctx *ctx, const struct rk_session *s);
/* A warning on stderr for each cosmetically modified file (status
 * --check passes them). */
void text_cosmetic_warnings(const struct rk_ctx *ctx,
			    const struct rk_session *s);
struct rev_report;
/* history / current; with rev a revision graph (revisions.h), its lines as
 * alembic history --indicate-current / alembic current print them, each
 * after its state. */
void text_history(const struct rk_ctx *ctx, const struct rk_session *s,
		  const struct rev_report *rev, int current_only);
/* heads: each head as alembic heads prints it, (current) where recorded. */
void text_heads(const struct rk_ctx *ctx, const struct rk_session *s,
		const struct rev_report *r);
void text_run(const struct rk_ctx *ctx, const struct run_report *r);
void text_mark(const struct rk_ctx *ctx, const struct mark_report *r,
	       const char *verb);
void text_detect(const struct rk_ctx *ctx, const struct detect_report *r);
/* repair --move: the plan (or what moved), a line per record. */
void text_move(const struct rk_ctx *ctx, const struct move_report *r);
void text_preview(const struct rk_ctx *ctx, const struct preview_report *r);
void text_check(const struct rk_ctx *ctx, const struct check_report *r);
/* "reckon: <msg>" and the detail, hint and origin lines, on stderr. */
/* report_lint.c: lint's findings (each with its safe way), summary,
 * both; one rule's page (--explain); the rule list. */
void text_lint_findings(const struct lint_report *r);
void text_lint_summary(const struct lint_report *r);
void text_lint(const struct rk_ctx *ctx, const struct lint_report *r);
void text_lint_explain(const struct lint_rule *rule);
void text_lint_rules(void);
void text_error(const struct rk_ctx *ctx, const struct rk_err *err);
/* The progress hook for ctx->progress: one line per applied file. */
void text_progress(void *ud, const char *verb, const char *name, long ms);
/* After a failed or interrupted run: each file's outcome, then the
 * summary, on stderr. */
void text_run_outcome(const struct run_report *r);

void text_detect_schema(const struct rk_ctx *ctx,
			const struct schema_report *r);
void text_adopt(const struct rk_ctx *ctx, const struct adopt_report *r);
void text_verify(const struct rk_ctx *ctx, const struct verify_report *r);
void text_diff(const struct rk_ctx *ctx, const struct diff_report *r);
void text_created(const struct rk_ctx *ctx, char **paths, size_t n);
struct wait_report;
void text_wait(const struct rk_ctx *ctx, const struct wait_report *r);

#endif
