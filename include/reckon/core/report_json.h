/*
 * The JSON documents (report_json.c): each report of ops.h in the shapes of
 * SPEC.md, as a malloc'd string the caller frees, so the CLI and serve print
 * the very same document. Renderers compute nothing.
 */
#ifndef RECKON_REPORT_JSON_H
#define RECKON_REPORT_JSON_H

#include <pthread.h>
#include <stddef.h>

#include "reckon/core/ops.h"
#include "reckon/core/verify.h"

struct rk_err;

char *json_status(const struct rk_session *s);

/*
 * The last status document and its text, for a caller that renders the
 * same status again and again (serve): json_status_memo() gives the very
 * text json_status() would, copied from the memo when the new document
 * holds the same values in the same order, dumped (and kept) otherwise.
 * Safe to call from several threads on one memo.
 */
struct json_memo {
	pthread_mutex_t lock;
	void *doc; /* the json_t the text was dumped from, or NULL */
	char *text;
	size_t len;
};
void json_memo_init(struct json_memo *m);
void json_memo_release(struct json_memo *m);
char *json_status_memo(const struct rk_session *s, struct json_memo *m);
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
