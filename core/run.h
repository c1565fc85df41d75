/*
 * What the run's modules share (runner.c: run; run_down.c: down;
 * run_prepare.c, run_exec.c, run_failure.c, run_engine.c), kept out of
 * include/reckon/core/ops.h, the callers' contract, as db_driver.h is for the
 * drivers.
 */
#ifndef RECKON_RUN_H
#define RECKON_RUN_H

#include <stddef.h>

#include "reckon/base/buf.h"
#include "reckon/parsers/sql.h"

struct detector;
struct mig_file;
struct rk_ctx;
struct rk_err;
struct rk_session;
struct run_report;
struct status_entry;
enum run_outcome;

/* A pending file (or down script), read and split, ready to send. */
struct prepared {
	const struct mig_file *file; /* borrowed from the session */
	const struct detector *det;  /* the session's: its section and
				      * no-transaction markers apply */
	struct rk_buf text;	     /* the whole file */
	struct sql_stmt_list stmts;  /* the part's statements */
	unsigned char *skip;	     /* owned: per statement, 1 = not sent */
	size_t nskip;
	char sha256[65];     /* of the file's bytes (text before placeholders
			      * were replaced) */
	int replaced;	     /* text is the file with placeholders replaced:
			      * record the file's own checksum */
	int no_tx;	     /* opted out: runs outside any transaction */
	int code;	     /* a code migration: the framework's tool runs it
			      * (run_delegate.h); text and stmts stay empty */
	int fk_off;	     /* SQLite: needs PRAGMA foreign_keys off */
	size_t locks;	     /* PG lock-table entries its DDL will hold */
	char token_hash[65]; /* of text (drift.h), "" where status compares
			      * another text (placeholders replaced) */
	char *text_z;	     /* owned: reckon_bytes_encode() of text, where
			      * the table is reckon's; else NULL */
};

/* runner.c: record p as ran in the tracking table, inside the open
 * transaction (failed: as the framework records a failure). */
int run_record_ran(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
		   long ms, int failed, struct rk_err *err);

/* run_prepare.c: read, split and check f's up part (errors name it),
 * with det's markers (mig_up_section); placeholders (not NULL: the
 * session's Flyway values) are replaced in the text that runs. */
int run_prepare(const struct mig_file *f, const struct detector *det,
		const char *placeholders, const struct sql_dialect *d,
		struct prepared *p, struct rk_err *err);
/* The down script of f: its own file in dir, or its down section. */
int run_prepare_down(const struct mig_file *f, const struct detector *det,
		     const char *dir, const struct sql_dialect *d,
		     struct prepared *p, struct rk_err *err);
void run_prepared_release(struct prepared *p);

/* run_failure.c: describe the failure in r->failed (the first one wins);
 * p and st, when known, give the file, line and excerpt. */
void run_fail_report(struct run_report *r, const struct prepared *p,
		     const struct sql_stmt *st, struct rk_err *err);
/* Fail (-1) because a signal asked the run to stop. */
int run_interrupted(struct rk_err *err);

/* run_exec.c */
/* Put p in the plan (r->items[k] is always ps[k]'s). */
void run_plan_item(struct run_report *r, const struct prepared *p,
		   enum run_outcome outcome);
/* Send p's statements one by one (a signal is checked before each);
 * *done counts those that succeeded. label follows the name in errors. */
int run_send(struct rk_ctx *ctx, struct prepared *p, const char *label,
	     size_t *done, struct run_report *r, struct rk_err *err);
void run_progress(struct rk_ctx *ctx, const struct run_report *r,
		  const char *name, long ms);
/* Set every item of [from, to) that ran (RUN_ROLLED_BACK) to o. */
void run_settle(struct run_report *r, size_t from, size_t to,
		enum run_outcome o);
/* Under the run lock: read the table again and mark what another runner
 * did meanwhile RUN_SKIPPED; how many are left, or -1. */
long run_recheck(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
		 struct run_report *r, int down, struct rk_err *err);
/* s's entries indexed by file (by[f - s->files.v]; NULL where a file
 * has none), owned by the caller; valid until s is reloaded. */
const struct status_entry **run_entries_by_file(const struct rk_session *s);
/*
 * With --schema on PostgreSQL, point the migrations' unqualified names at
 * that schema (quoted by the driver): how "LOCAL " right after BEGIN (the
 * transaction's own), "" before a no-transaction file and "RESET" after
 * it. Without --schema it does nothing: the user's search_path stays.
 */
int run_search_path(struct rk_ctx *ctx, const char *how, struct rk_err *err);
/* Take the run lock for the whole run (db_run_lock). */
int run_lock(struct rk_ctx *ctx, struct run_report *r, struct rk_err *err);

/* The end of every run or down: release the lock and the signal watch,
 * and set r's ok, interrupted and total time. */
void run_finish(struct rk_ctx *ctx, struct run_report *r, int rc, int locked,
		long t0, struct rk_err *err);

/* run_engine.c */
int run_fk_check(struct rk_ctx *ctx, struct rk_err *err);
int run_backup(struct rk_ctx *ctx, struct run_report *r, struct rk_err *err);
int run_set_foreign_keys(struct rk_ctx *ctx, const char *value,
			 struct rk_err *err);
/* lint.c: lint the plan's files into r->lint; refuse (RK_CHECK) an
 * error-level finding unless o->dry_run or o->allow_unsafe. */
struct run_opts;
int run_lint_gate(struct rk_ctx *ctx, const struct prepared *ps, size_t n,
		  const struct run_opts *o, struct run_report *r,
		  struct rk_err *err);

/* Refuse a batch whose DDL would not fit the server's lock table. */
int run_check_lock_budget(struct rk_ctx *ctx, struct prepared *ps, size_t n,
			  int per_file, struct rk_err *err);

#endif
