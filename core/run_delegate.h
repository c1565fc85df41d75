/*
 * Delegated execution (run_delegate.c): a code migration (Alembic .py,
 * Django, Rails, Knex, node-pg-migrate .cjs, ...) is applied by the
 * framework's own tool (struct det_runner), started with an argv (never a
 * shell) in the project's directory, handed the database in its
 * environment only. Shared by runner.c and check.c, like run.h.
 */
#ifndef RECKON_RUN_DELEGATE_H
#define RECKON_RUN_DELEGATE_H

#include <stddef.h>

#include "reckon/base/buf.h"

struct det_runner;
struct mig_file;
struct prepared;
struct rk_ctx;
struct rk_err;
struct rk_session;
struct run_item;
struct run_report;

/* The framework's tool, found and ready to start. */
struct delegate {
	const struct det_runner *rn; /* the detector's (or NULL: none) */
	char **tool;		     /* owned: argv before the arguments */
	size_t ntool;
	char *cwd;     /* owned: the project's directory */
	char **env;    /* owned: the child's environment, NULL-ended */
	char *app;     /* owned: {app}, or NULL */
	char *display; /* owned: the tool as shown, "python3 -m alembic" */
	char *dir;     /* owned: the migrations directory, absolute */
};

/*
 * Find s's framework tool (the configured runner command, else the
 * detector's default: the project's virtualenv or /usr/bin/python3 for
 * Python, node_modules/.bin or PATH for the rest) and build its
 * environment. Fails (RK_CONFIG) when the framework has no runner, or the
 * tool is not there, saying which command it would use; d->display is set
 * even then.
 */
int delegate_open(struct rk_ctx *ctx, const struct rk_session *s,
		  struct delegate *d, struct rk_err *err);
void delegate_release(struct delegate *d);

/* The command that applies f (tmpl NULL: the runner's up) as argv (owned,
 * NULL-ended), and as text for people in text (arguments quoted where
 * they need it). */
char **delegate_argv(const struct delegate *d, const struct rk_session *s,
		     const char *const *tmpl, const struct mig_file *f);
void delegate_text(char **argv, struct rk_buf *text);

/*
 * Before the first step: ask the framework's own status command and
 * compare it with what reckon read. Agreeing (or no command to ask): 0,
 * with a sentence in note. Disagreeing: RK_CONFIG, "the framework's
 * configuration points at another database".
 */
int delegate_same_db(struct rk_ctx *ctx, const struct rk_session *s,
		     const struct delegate *d, struct rk_buf *note,
		     struct rk_err *err);

/*
 * Apply f (down: undo it, the newest applied) through the framework (run
 * lock held, no transaction open): start the command, wait, re-read the
 * table and check the recorded set grew (down: shrank) by exactly f. it gets
 * ms, output and the outcome (RUN_COMMITTED or RUN_FAILED); a failure fills
 * r->failed with the framework's output.
 */
int delegate_step(struct rk_ctx *ctx, struct rk_session *s,
		  const struct delegate *d, const struct mig_file *f, int down,
		  struct run_item *it, struct run_report *r,
		  struct rk_err *err);

/*
 * Before anything runs: would a step of the plan (ps, n of them, in the
 * order they run) apply a file the plan neither holds nor needs (TypeORM's
 * migration:run applies every pending one, so --steps or --to short of
 * the last cannot be honoured)? 0, or -1 (RK_USAGE) naming the step and
 * the file.
 */
int delegate_check_plan(const struct rk_session *s, const struct delegate *d,
			const struct prepared *ps, size_t n,
			struct rk_err *err);

/* The identifier f's row stores, as the framework names it, appended to
 * out. */
void delegate_file_ident(const struct rk_session *s, const struct mig_file *f,
			 struct rk_buf *out);

/*
 * run_steps.c. Whether f names g among what it needs (f's parent list:
 * Alembic's down_revision ids; Django's "app/name" dependencies, of which
 * only those of app, the directory's label, are files here).
 */
int delegate_depends(const struct rk_session *s, const char *app,
		     const struct mig_file *f, const struct mig_file *g);

/* Reorder the plan (ps and its report items alike, n of each) so that
 * each file comes after the planned files it needs; otherwise the order
 * stays as listed. */
void delegate_order(const struct rk_session *s, const char *app,
		    struct prepared *ps, struct run_item *items, size_t n);

/*
 * What the framework's command for f applies: f and, transitively, each
 * file it needs that applied (s->files.n bytes, 1 = in the table) does not
 * hold; with all, every code file applied does not hold (a command that
 * applies all pending). Returns s->files.n bytes, 1 = in the step's set;
 * the caller frees.
 */
unsigned char *delegate_step_set(const struct rk_session *s, const char *app,
				 int all, const struct mig_file *f,
				 const unsigned char *applied);

#endif
