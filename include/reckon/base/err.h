/*
 * Errors travel up as a struct rk_err filled by the function that knows the
 * reason; callers add context with rk_err_prefix(); only main.c (text) and
 * serve.c (JSON) turn one into output. Not for warnings or progress.
 */
#ifndef RECKON_ERR_H
#define RECKON_ERR_H

/* What kind of failure; main.c maps each to an exit code (rk_exit_code). */
enum rk_kind {
	RK_OK = 0,   /* no error */
	RK_USAGE,    /* bad command line: exit 2 */
	RK_CONFIG,   /* bad config, URL, directory or environment: exit 2 */
	RK_INPUT,    /* a migration file cannot be used: exit 1 */
	RK_DB,	     /* connection or SQL failure: exit 1 */
	RK_CONFLICT, /* ambiguity reckon refuses to guess on: exit 2 */
	RK_CHECK,    /* a check refused to go on (the drift gate): exit 3 */
};

/* Exit codes, as SPEC.md and man/reckon.1 give them. */
#define RK_EXIT_OK    0
#define RK_EXIT_FAIL  1
#define RK_EXIT_USAGE 2
#define RK_EXIT_CHECK 3

struct rk_err {
	enum rk_kind kind;
	char msg[512];	      /* what went wrong, where, what to do */
	char detail[512];     /* server DETAIL, or "" */
	char hint[512];	      /* server HINT or reckon's advice, or "" */
	char sqlstate[6];     /* "" unless the server sent one */
	int position;	      /* 1-based character position in the query, 0 */
	const char *src_file; /* where reckon raised it; shown by --debug */
	int src_line;
};

#define RK_ERR_INIT                                                            \
	{                                                                      \
		RK_OK, "", "", "", "", 0, NULL, 0                              \
	}

/* Fill err (kind, message) and return -1; use through rk_fail(). */
__attribute__((format(printf, 5, 6))) int rk_fail_at(struct rk_err *err,
						     enum rk_kind kind,
						     const char *file, int line,
						     const char *fmt, ...);
#define rk_fail(e, k, ...) rk_fail_at((e), (k), __FILE__, __LINE__, __VA_ARGS__)

/* Put "<prefix>: " before err->msg (truncating the tail if needed). */
__attribute__((format(printf, 2, 3))) void rk_err_prefix(struct rk_err *err,
							 const char *fmt, ...);

/* Set err->hint (advice shown under the message). */
__attribute__((format(printf, 2, 3))) void rk_err_hint(struct rk_err *err,
						       const char *fmt, ...);

/* Reset err to RK_ERR_INIT. */
void rk_err_clear(struct rk_err *err);

/* The exit code for an error kind (a switch without default). */
int rk_exit_code(enum rk_kind kind);

#endif
