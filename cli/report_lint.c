/*
 * lint's text: each finding as "file:line: severity rule: message" with
 * its safe way under it, then one summary line; --explain's rule page.
 * check, preview and run --dry-run print the same lines.
 */
#include "reckon/cli/report.h"

#include <stdio.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/core/lint.h"
#include "reckon/core/ops.h"
#include "reckon/base/banned.h"

void
text_lint_findings(const struct lint_report *r)
{
	struct rk_buf line = RK_BUF_INIT;

	for (size_t i = 0; i < r->n; i++) {
		const struct lint_finding *f = &r->v[i];

		rk_buf_reset(&line);
		lint_finding_line(f, &line);
		printf("%s\n", line.s);
		if (f->severity != LINT_INFO && !f->allow)
			printf("  safe: %s\n", f->rule->safe);
	}
	rk_buf_release(&line);
}

void
text_lint_summary(const struct lint_report *r)
{
	struct rk_buf lim = RK_BUF_INIT;

	lint_size_text(r->error_above, &lim);
	printf("%zu file(s) linted: %zu error(s), %zu warning(s), %zu info, "
	       "%zu allowed",
	       r->files, r->count[LINT_ERROR], r->count[LINT_WARNING],
	       r->count[LINT_INFO], r->suppressed);
	if (r->live)
		printf(" (table sizes from the database; error above %s)\n",
		       lim.s);
	else
		printf(" (no database: every table the files do not create "
		       "counts as existing)\n");
	rk_buf_release(&lim);
}

void
text_lint(const struct rk_ctx *ctx, const struct lint_report *r)
{
	(void)ctx;
	text_lint_findings(r);
	text_lint_summary(r);
}

void
text_lint_explain(const struct lint_rule *rule)
{
	printf("%s (%s, %s)\n\n", rule->id,
	       !rule->dialect			      ? "PostgreSQL and SQLite"
	       : strcmp(rule->dialect, "sqlite") == 0 ? "SQLite only"
						      : "PostgreSQL only",
	       rule->fixed ? "always an error"
			   : "warning; error above lint.error_above, info on "
			     "a new, missing or empty table");
	printf("Catches:  %s\n", rule->catches);
	printf("Why:      %s\n", rule->why);
	printf("Safe way: %s\n", rule->safe);
	printf("Allow one statement with: -- reckon:allow %s REASON\n",
	       rule->id);
}

void
text_lint_rules(void)
{
	for (size_t i = 0; i < lint_nrules; i++)
		printf("%-30s %-8s %s\n", lint_rules[i].id,
		       lint_severity_name(lint_rules[i].severity),
		       lint_rules[i].catches);
}
