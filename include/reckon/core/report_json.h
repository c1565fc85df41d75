/*
 * The JSON documents (report_json.c): each report of ops.h in the shapes of
 * SPEC.md, as a malloc'd string the caller frees, so the CLI and serve print
 * the very same document. Renderers compute nothing.
 */
#ifndef RECKON_REPORT_JSON_H
#define RECKON_REPORT_JSON_H

#include <stddef.h>

#include "reckon/core/ops.h"
#include "reckon/core/verify.h"

struct rk_err;

char *json_status(const struct rk_session *s);
struct rev_report;
/* history / current; with rev (a revision graph, revisions.h) also
 * "revisions" (history) or "heads" (current: every recorded head). */
char *json_history(const struct rk_session *s, const struct rev_report *rev,
		   int current_only);
/* {"framework", "tracking_table", key: [revisions], "warnings"} */
char *json_revisions(const struct rk_session *s, const struct rev_report *r,
		     const char *key);
char *json_run(const struct run_report *r);
char *json_mark(const struct mark_report *r, const char *key);
char *json_detect(const struct detect_report *r);
/* repair --move: {"ok", "framework", "from", "to", "written", "dropped",
 * "records": [{"name", "file", "action", "note"}]}; framework null when
 * nothing is misplaced. */
char *json_move(const struct move_report *r);
char *json_preview(const struct preview_report *r);
char *json_check(const struct check_report *r);
char *json_detect_schema(const struct schema_report *r);
char *json_adopt(const struct adopt_report *r);
char *json_verify(const struct verify_report *r);
char *json_diff(const struct diff_report *r);
struct lint_report;
/* {"findings": [...], "summary": {...}} (core/lint.h) */
char *json_lint(const struct lint_report *r);
struct lint_rule;
/* {"rules": [{"id", "dialect", "severity", "always", "catches", "why",
 * "safe_alternative"}]}: every rule, or only the one given. */
char *json_lint_rules(const struct lint_rule *only);
/* {"created": [paths]} */
char *json_created(char **paths, size_t n);
struct wait_report;
/* {"accepting": true, "waited_ms": N, "attempts": N, "server": bool} */
char *json_wait(const struct wait_report *r);
/* {"ok": false, "error": {...}} */
char *json_error(const struct rk_err *err);

#endif
