/*
 * reckon lint (core/lint.c): the rule engine's findings (parsers/lint.h)
 * on migration files, each given a severity from what the database says
 * about its table: missing or empty, info; bigger than lint.error_above,
 * error; else (or without a database) warning. check, preview and run
 * --dry-run carry the same findings; run refuses error-level ones unless
 * --allow-unsafe.
 */
#ifndef RECKON_CORE_LINT_H
#define RECKON_CORE_LINT_H

#include <stddef.h>

#include "reckon/parsers/lint.h"

struct rk_buf;
struct rk_ctx;
struct rk_err;
struct rk_session;
struct sql_dialect;
struct sql_stmt_list;

/* The default of lint.error_above: 100MB. */
#define LINT_ERROR_ABOVE_DEFAULT (100LL * 1024 * 1024)

/* One finding, as SPEC.md's lint document shows it. */
struct lint_finding {
	char *file; /* owned: the file as named (a pending file's name) */
	unsigned line;
	const struct lint_rule *rule;
	enum lint_severity severity;
	char *message;	 /* owned: what and, with sizes, how big */
	char *table;	 /* owned: "schema.table" as written, or NULL */
	long long bytes; /* pg_total_relation_size, or -1 unknown */
	double rows;	 /* pg_class.reltuples, or -1 unknown */
	char *allow;	 /* owned: the reckon:allow reason, or NULL */
};

struct lint_report {
	struct lint_finding *v; /* owned, in file and statement order */
	size_t n;
	size_t cap;
	size_t count[3];       /* by severity, not counting suppressed */
	size_t suppressed;     /* findings a reckon:allow comment let pass */
	size_t files;	       /* files read */
	int live;	       /* table sizes came from a database */
	long long error_above; /* bytes */
	char *dialect;	       /* owned: "postgres", "sqlite" */
	char *sqlite_version;  /* owned: what SQLite rules assumed, or NULL */
};
void lint_report_release(struct lint_report *r);

/* Findings of warning or error level not suppressed: unsafe ones. */
size_t lint_unsafe(const struct lint_report *r);

/* One file's part to lint: its statements of text[0..len). */
struct lint_input {
	const char *name;
	const char *text;
	size_t len;
	const struct sql_stmt_list *stmts;
};

/*
 * Lint the inputs in order (a table one of them creates is new in the
 * later ones) and give each finding its severity, looking tables up in
 * ctx->db when it is open (one catalog query per table). d is the
 * dialect the text is read in.
 */
int lint_inputs(struct rk_ctx *ctx, const struct sql_dialect *d,
		const struct lint_input *in, size_t n, struct lint_report *r,
		struct rk_err *err);

/*
 * reckon lint: the files named (in --dir first, then as paths; their up
 * part), or with none every pending SQL file of the session (ctx->db must
 * be open then). d: the dialect without a database.
 */
int op_lint(struct rk_ctx *ctx, char **files, int nfiles,
	    const struct sql_dialect *d, struct lint_report *r,
	    struct rk_err *err);

struct preview_report;
/* preview: lint r's file (the whole of it) into r->lint. */
int lint_preview(struct rk_ctx *ctx, const struct sql_dialect *d,
		 struct preview_report *r, struct rk_err *err);

/* lint of s's pending SQL files, for check. */
int lint_pending(struct rk_ctx *ctx, const struct rk_session *s,
		 struct lint_report *r, struct rk_err *err);

/* "file:line: severity rule: message" (and the allow), for lists. */
void lint_finding_line(const struct lint_finding *f, struct rk_buf *out);

/* "64 kB", "1.5 MB", as PostgreSQL's pg_size_pretty rounds. */
void lint_size_text(long long bytes, struct rk_buf *out);

#endif
