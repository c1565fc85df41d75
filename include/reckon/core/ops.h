/*
 * Operations: what each command computes, as reports that report_text.c and
 * report_json.c render (compute once, render many; serve.c calls the same
 * ops). An op talks to the database and the file system; it never prints.
 */
#ifndef RECKON_OPS_H
#define RECKON_OPS_H

#include <stddef.h>

#include "reckon/core/config.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/core/reconcile.h"
#include "reckon/parsers/sql.h"

struct db;
struct db_opts;
struct ddl_list;
struct lint_report;
struct detector;
struct opt;
struct rk_buf;
struct rk_err;
struct schema_check;

/* Everything a command runs with; main.c fills it. */
struct scan_cache;

struct rk_ctx {
	struct rk_config cfg;
	struct db *db;	  /* open connection, or NULL */
	char *db_display; /* owned: the redacted URL */
	int json;	  /* --json */
	int debug;	  /* --debug: show where reckon raised errors */
	/* Run progress, set by the text renderer; NULL = silent. verb:
	 * "ran" or "reverted". */
	void (*progress)(void *ud, const char *verb, const char *name, long ms);
	void *progress_ud;
	/* Set: help is wanted, not a run; the command appends its options'
	 * help here and returns 0 (cmd_parse). */
	struct rk_buf *help;
	/* Set with help: the command's option table is wanted instead of
	 * its help; cmd_parse stores an opt_copy() of it here (owned by the
	 * caller), for shell completion. */
	struct opt **help_table;
	/* Set by serve: status reads the directory through it, scanning
	 * again only after a change (scan_cache.h); NULL: every time. */
	struct scan_cache *scan_cache;
};

/*
 * Records an earlier reckon kept in its own table (reckon_migrations)
 * before it read the directory as another framework's: that framework, the
 * table and its row count. det NULL: nothing is misplaced.
 */
struct misplaced {
	const struct detector *det; /* the framework the directory is */
	char *schema;		    /* owned: reckon's table's; NULL on
				     * SQLite */
	char *table;		    /* owned */
	long rows;		    /* rows in it, -1 if unreadable */
	int stray;		    /* not reckon's table: rows of the
				     * framework's own under a label an
				     * earlier reckon guessed (strays) */
	char *note;		    /* owned: the sentence status and detect
				     * show */
};
void misplaced_release(struct misplaced *m);

/*
 * Fill *out when l holds reckon's own table and cfg's directory is strong
 * evidence of another framework (and neither --framework nor --table
 * chose); *out stays empty otherwise. Reads only the row count.
 */
void op_misplaced(struct db *db, const struct rk_config *cfg,
		  const struct detection_list *l, struct misplaced *out);

/* What reckon knows about the migrations: files, table, rows, states. */
struct rk_session {
	struct tracked tracked;		/* the tracking table in use */
	struct detection_list detected; /* every framework table found */
	struct mig_set files;
	struct applied_set rows;
	struct applied_set sidecar; /* reckon_file_hashes rows, if used */
	struct status_list status;
	char *tracking_display;	    /* owned: "public.reckon_migrations" */
	char *chosen_by;	    /* owned: with no tracking table yet, why
				     * the directory chose the framework (or
				     * why it could not), else NULL */
	struct misplaced misplaced; /* reckon's own table beside another
				     * framework's directory */
	char *placeholders;	    /* owned: Flyway's placeholder values as
				     * "name=value" lines (placeholder.h), or NULL:
				     * files run as written */
};

void session_release(struct rk_session *s);

/* Append to *v (*n strings, each owned) the warnings s's entries deserve
 * (status_warning()), for commands that show them beside their result. */
void session_warnings(const struct rk_session *s, char ***v, size_t *n);

/*
 * Scan the directory, find the tracking table (--framework, or detection:
 * several frameworks found is an RK_CONFLICT error asking for
 * --framework), read its rows and reconcile. Nothing is written.
 */
int op_status(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err);

/* Re-read the rows and reconcile again (inside a locked transaction). */
int session_reload(struct rk_ctx *ctx, struct rk_session *s,
		   struct rk_err *err);

struct mark_report;

/* Refuse (RK_CONFLICT) when reckon cannot write s's tracking table. */
int op_can_write(const struct rk_session *s, struct rk_err *err);
/* Inside the locked transaction: create the tracking table (and the
 * sidecar) if missing. */
int op_prepare_tables(struct rk_ctx *ctx, struct rk_session *s,
		      struct rk_err *err);

/* Record m as applied through the session's detector (and its hash in
 * the sidecar where one is kept). */
int op_record(struct rk_ctx *ctx, struct rk_session *s,
	      const struct mig_file *m, long exec_ms, struct rk_err *err);

/* Re-record the checksums of modified files and clear failed markers
 * (names, or every modified/failed one with all). */
int op_repair(struct rk_ctx *ctx, char **names, int nnames, int all,
	      struct mark_report *r, struct rk_err *err);

/* BEGIN and take the run lock (waiting cfg.lock_wait_s); rolls back
 * and fails if the lock cannot be had. */
int op_begin_locked(struct rk_ctx *ctx, struct rk_err *err);

/*
 * What became of one file of a run's plan. Every renderer (text, JSON,
 * the HTTP API, the dashboard) derives its sentences from these, never
 * from a separate summary flag.
 */
enum run_outcome {
	RUN_PLANNED,	 /* dry run: would run */
	RUN_NOT_STARTED, /* never sent: a failure or a signal came first */
	RUN_COMMITTED,	 /* committed and recorded (down: reverted); a
			  * delegated file: the framework's command
			  * succeeded and its row is there */
	RUN_ROLLED_BACK, /* ran in a transaction that rolled back, or a
			  * no-transaction file whose first statement
			  * failed: nothing of it remains */
	RUN_PARTIAL,	 /* no-transaction file: statements 1..stmts_done
			  * committed, then one failed (or its record) */
	RUN_SKIPPED,	 /* another runner applied it while this one
			  * waited for the lock */
	RUN_FAILED,	 /* delegated: the framework's command failed or
			  * recorded other than this file; what it
			  * committed on its own is as its table says */
};
/* "committed", "rolled_back", ... as JSON and the API spell them. */
const char *run_outcome_name(enum run_outcome o);

/* One file of a run's plan, in order. */
struct run_item {
	char *name;	 /* owned */
	char sha256[65]; /* of the bytes that ran */
	long ms;	 /* execution time */
	size_t nstmts;	 /* statements to send */
	size_t skipped;	 /* the file's own BEGIN/COMMIT, not sent */
	int no_tx;	 /* runs outside a transaction (the file opted out) */
	size_t txn;	 /* 1-based transaction of the plan; 0 for no_tx */
	enum run_outcome outcome;
	size_t stmts_done; /* statements that succeeded */
	char *ran_by;	   /* owned: the framework's command that ran it
			    * (a code migration, delegated), or NULL:
			    * reckon sent its SQL itself */
	char *output;	   /* owned: the framework's output (its tail),
			    * or NULL */
	char *also;	   /* owned: files outside the plan that the same
			    * command applied first, as it needed them
			    * (", "-joined), or NULL; in a down, what
			    * it undid too (also_down) */
	int also_down;
	char *with;	 /* owned: the plan item whose framework step
			  * applied this one too (TypeORM's migration:run
			  * applies every pending class), or NULL */
	int recorded;	 /* a row records it: committed, or a partial
			  * file recorded as the framework records a
			  * failure (Flyway success = false, ...) */
	char *undone_by; /* owned: redo of code whose up failed: the
			  * down command that committed before it, or
			  * NULL */
};

/* Why a run failed. */
struct run_failure {
	char *name;   /* owned: the file, or NULL before any file */
	char *error;  /* owned: the message */
	char *detail; /* owned or NULL */
	char *hint;   /* owned or NULL */
	char sqlstate[6];
	unsigned line;	 /* line in the file, 0 if unknown */
	char *statement; /* owned: the failing statement, or NULL */
	char *excerpt;	 /* owned: numbered lines around it, or NULL */
};

struct run_report {
	int ok;
	int dry_run;
	int nothing_to_do;
	struct run_item *items; /* owned: the whole plan, in order */
	size_t nitems;
	size_t cap;
	struct run_failure *failed; /* owned, or NULL */
	long total_ms;
	long lock_wait_ms;	/* how long the run waited for its lock */
	char *tracking_display; /* owned */
	char *framework;	/* owned */
	char *backup;		/* owned: SQLite backup file written, or NULL */
	int down;		/* a down run: items were reverted */
	int redo;		/* and applied again (redo): items were
				 * redone */
	int interrupted;	/* the signal that stopped it, or 0 */
	size_t planned_txns;	/* transactions the plan has */
	size_t segments;	/* transactions the run began */
	char *same_db;		/* owned: how the framework's own status
				 * agreed with the database, or why it
				 * could not be asked; NULL: no delegated
				 * file */
	char **warnings;	/* owned: about entries the run left alone */
	size_t nwarnings;
	struct lint_report *lint; /* owned: the plan's lint findings, or
				   * NULL (core/lint.h) */
	char *sql; /* owned: with run_opts.sql, the SQL the run would send
		    * (db_capture), or NULL */
};
void run_report_release(struct run_report *r);
/* How many items ended in o. */
size_t run_count(const struct run_report *r, enum run_outcome o);
/* The one-sentence summary of r, derived from its items. */
void run_summary(const struct run_report *r, struct rk_buf *out);
/* The plan as a person reads it: "3 transactions: 001_a.sql-002_b.sql,
 * 003_c.sql alone without a transaction, 004_d.sql". */
void run_plan_text(const struct run_report *r, struct rk_buf *out);
/* What to do about a partial file (RUN_PARTIAL item i). */
void run_partial_advice(const struct run_report *r, size_t i,
			struct rk_buf *out);

struct run_opts {
	int dry_run;
	char **names; /* only these (file names), or NULL for all pending */
	int nnames;
	const char *to; /* only pending files up to this target (target.h;
			 * op_run resolves it), or NULL */
	unsigned char *within; /* owned, set by target_for_run in a revision
				* graph: per file of the session, whether
				* it lies under the target; else NULL */
	int steps;	       /* only the first steps pending files; 0 = all */
	int per_file;	       /* one transaction per file instead of one */
	int no_backup;	       /* SQLite: no backup before the run */
	int allow_drift;       /* run despite modified or failed records (the
				* drift gate, drift.h) */

	/* run despite error-level lint findings (core/lint.h) */
	int allow_unsafe;
	/* with dry_run: go through the run with the database's writes
	 * captured (db_capture) into run_report.sql instead of sent */
	int sql;
};

/*
 * Apply pending migrations in one transaction under the run lock. Files
 * are read and split before the database is touched; a SQL error rolls
 * everything back and is described in r->failed (return -1, err set).
 * Refused before anything happens: a target that names nothing
 * (RK_USAGE), drift unless allow_drift (RK_CHECK), error-level lint
 * findings unless allow_unsafe (RK_CHECK; r->lint lists them, and every
 * finding of a dry run).
 */
int op_run(struct rk_ctx *ctx, const struct run_opts *o, struct run_report *r,
	   struct rk_err *err);

struct down_opts {
	int steps;	/* how many of the newest applied; 0 = 1 */
	const char *to; /* or: undo everything newer than this target
			 * (target.h; op_down resolves it) */
	int dry_run;
	int all;  /* undo every applied migration (--to base) */
	int redo; /* then apply it again: the newest one only (redo) */
};

/*
 * Undo the newest applied migrations with their down scripts (.down.sql,
 * U files, "-- migrate:down" sections) and delete their records, in one
 * transaction under the run lock; items list what was reverted. Refused
 * before anything happens: a target that names nothing (RK_USAGE), a
 * migration to undo without a down script (RK_CHECK, naming each).
 */
int op_down(struct rk_ctx *ctx, const struct down_opts *o, struct run_report *r,
	    struct rk_err *err);

/*
 * Create the next migration file for NAME in the directory's convention;
 * *created (owned, n entries) lists the files written (an .up.sql gets
 * its .down.sql too).
 */
int op_new(struct rk_ctx *ctx, const char *name, char ***created, size_t *n,
	   struct rk_err *err);

/* Outcome of mark-applied / unmark for one name. */
struct mark_item {
	char *name;	  /* owned */
	const char *note; /* static: "marked", "already applied", ... */
	int changed;	  /* a row was written or deleted */
};

struct mark_report {
	struct mark_item *items; /* owned */
	size_t n;
	size_t cap;
	char *tracking_display; /* owned */
};
void mark_report_release(struct mark_report *r);

/* name without the migrations directory in front ("migrations/004_x.sql"
 * is "004_x.sql"), or name itself; borrowed from name. */
const char *op_local_name(const struct rk_ctx *ctx, const char *name);

/* Record names (or every pending file with all) as applied. */
int op_mark(struct rk_ctx *ctx, char **names, int nnames, int all,
	    struct mark_report *r, struct rk_err *err);
/* Record every pending file up to the target to (target.h, as run --to
 * takes it: a version, a file name, head, +N) as applied; a target that
 * names nothing is RK_USAGE before anything is written. */
int op_mark_to(struct rk_ctx *ctx, const char *to, struct mark_report *r,
	       struct rk_err *err);
/* Delete the records of names (file names or stored identifiers). */
int op_unmark(struct rk_ctx *ctx, char **names, int nnames,
	      struct mark_report *r, struct rk_err *err);

/* A tracking table found by detect, with its row count. */
struct detect_report {
	struct detection_list detected;
	long *rows; /* owned: row count per detection, -1 if unreadable */
	const struct detector *dir_det; /* no table found: the framework
					 * --dir is strong evidence of, or
					 * NULL */
	char *dir_note; /* owned: what --dir says (dir_det's evidence, or
			 * that it looks like several), or NULL */
	struct misplaced misplaced; /* as in a session */
};
void detect_report_release(struct detect_report *r);

/* What repair --move does (or, as a plan, would do) with each record. */
enum move_action {
	MOVE_RECORD, /* recorded as the framework records it, then the
		      * native record deleted */
	MOVE_DROP,   /* the framework records it already: only the native
		      * record goes */
	MOVE_KEEP,   /* stays where it is (note says why) */
};
struct move_item {
	char *name; /* owned: the native record's name */
	char *file; /* owned: the framework's file, or NULL */
	enum move_action action;
	const char *note; /* static */
};
struct move_report {
	const struct detector *det; /* the framework; NULL: nothing to
				     * move */
	char *from;		    /* owned: reckon's table, for display */
	char *to;		    /* owned: the framework's table */
	struct move_item *v;	    /* owned */
	size_t n;
	size_t cap;
	int written; /* committed (not a plan) */
	int dropped; /* reckon's table was left empty and dropped */
	int stray;   /* the framework's own rows under a guessed label */
};
void move_report_release(struct move_report *r);

/*
 * repair --move: the records of struct misplaced, each matched to the
 * framework's file of the same name (else the same version) whose bytes
 * still have the recorded SHA-256, moved into the framework's table (made
 * as the framework makes it when missing) with its record(); reckon's
 * table is dropped when nothing is left in it. write 0: the plan only,
 * nothing written. All in one transaction under the run lock.
 */
int op_move_native(struct rk_ctx *ctx, int write, struct move_report *r,
		   struct rk_err *err);
int op_detect(struct rk_ctx *ctx, struct detect_report *r, struct rk_err *err);

/* A file's statements, for preview. */
struct preview_report {
	char *name;		/* owned */
	struct rk_buf *content; /* owned */
	struct sql_stmt_list stmts;
	unsigned lines;
	int transactional; /* no statement refuses a transaction */
	int opt_out;	   /* the file opts out of the batch transaction */
	int code;	   /* not a .sql file (.cjs, .py, ...): content only,
			    * no statements or objects */
	struct ddl_list *objects; /* owned: what each statement creates */
	struct lint_report *lint; /* owned: lint findings (lint_preview), or
				   * NULL */
};
void preview_report_release(struct preview_report *r);
/* Split file (a name in --dir, or a path) with dialect d; a file not
 * named .sql is code, read but not split. */
int op_preview(struct rk_ctx *ctx, const char *file,
	       const struct sql_dialect *d, struct preview_report *r,
	       struct rk_err *err);

/* A table a pending file alters that other sessions lock or wait for. */
struct check_blocker {
	char *relation; /* owned: "schema.table" as the file names it */
	char *file;	/* owned: the first pending file that alters it */
	long *pids;	/* owned: the other sessions holding or awaiting
			 * a lock on it, by process id */
	size_t npids;
	size_t waiting; /* of them, those still waiting */
};

/* The pre-flight safety report (SPEC.md "Safety check"). */
struct check_report {
	char *database;	      /* owned: redacted URL or file */
	char *user;	      /* owned; "" on SQLite */
	char *server_version; /* owned */
	char **pending;	      /* owned: pending file names */
	size_t npending;
	long lock_count;     /* PG: lock requests waiting (not granted) in
			      * this database */
	long active_tx;	     /* PG: other non-idle transactions in it */
	double oldest_tx_s;  /* PG: age of the oldest of them, seconds */
	size_t locks_needed; /* PG: lock-table entries the batch's DDL
			      * will hold (lockbudget.h) */
	long lock_capacity;  /* PG: the server's lock table, entries */
	struct check_blocker *blocking; /* owned: PG */
	size_t nblocking;
	char *journal_mode; /* owned: SQLite journal mode, or NULL */
	int writable;	    /* the database accepts writes */
	struct check_delegated {
		char *name;    /* owned: a pending code migration */
		char *command; /* owned: the framework's command for it */
	} * delegated;	       /* owned */
	size_t ndelegated;
	char *same_db;	 /* owned: how the framework's own status agreed,
			  * or NULL */
	char **warnings; /* owned */
	size_t nwarnings;
	int safe; /* no warnings */

	/* owned: the pending files' lint findings (core/lint.h) */
	struct lint_report *lint;
};
void check_report_release(struct check_report *r);
int op_check(struct rk_ctx *ctx, struct check_report *r, struct rk_err *err);

/* What detect-schema found: objects and, with a database, whether each
 * exists (schema_check.h). */
struct schema_report {
	struct ddl_list *objects;   /* owned */
	struct schema_check *check; /* owned; n == 0 without a database */
	int checked;		    /* existence was looked up */
	int all_exist;		    /* every object exists (and there is one) */
	int some_exist;		    /* at least one (all implies some) */
	const char *recommendation; /* static text */
};
void schema_report_release(struct schema_report *r);

/*
 * The objects SQL text creates and, when ctx has a database (ctx->db not
 * NULL), whether each already exists. The text is read in the database's
 * dialect, or in d when there is no database. Errors: unterminated quotes
 * (RK_INPUT), catalog queries (RK_DB).
 */
int op_detect_schema(struct rk_ctx *ctx, const char *sql, size_t n,
		     const struct sql_dialect *d, struct schema_report *r,
		     struct rk_err *err);

/* adopt: for every pending file, what detect-schema says to do. */
enum adopt_action {
	ADOPT_MARK,    /* every object exists: mark it applied */
	ADOPT_PARTIAL, /* some exist: a person must look */
	ADOPT_RUN,     /* none exist (or it creates none): leave it to run */
	ADOPT_CODE,    /* code, not SQL: cannot be checked */
};
struct adopt_item {
	char *name; /* owned */
	enum adopt_action action;
	size_t objects;	 /* objects the file creates */
	size_t existing; /* of them, already in the database */
	char **missing;	 /* owned: "type name" of those not there */
	size_t nmissing;
	int marked; /* --yes recorded it */
};
struct adopt_report {
	struct adopt_item *v; /* owned */
	size_t n;
	size_t cap;
	int wrote;		/* --yes */
	char *tracking_display; /* owned */
};
void adopt_report_release(struct adopt_report *r);
const char *adopt_action_name(enum adopt_action a);
/* The plan; with yes, mark the ADOPT_MARK files as applied. */
int op_adopt(struct rk_ctx *ctx, int yes, struct adopt_report *r,
	     struct rk_err *err);

/* The connection settings cfg asks for: lock timeout (PostgreSQL's
 * lock_timeout and SQLite's busy timeout alike), connect timeout. */
void ctx_db_opts(const struct rk_config *cfg, struct db_opts *o);

/*
 * Open ctx->db from the configuration (main does this for NEEDS_DB
 * commands; OPENS_DB ones and detect-schema without --no-db do it
 * themselves). read_only: the command will not write (db_opts).
 */
int ctx_open_db(struct rk_ctx *ctx, int read_only, struct rk_err *err);
/*
 * For a command that goes to op_status() as soon as it has the
 * connection: start detector_of_dir() on cfg's directory on a thread
 * (detector_of_dir_ahead), unless the configuration names the framework
 * or the table. The caller ends it with detector_of_dir_ahead_end().
 */
void op_dir_ahead(const struct rk_config *cfg);

/* True if the file's text opts out of the batch transaction: reckon's
 * "reckon:no-transaction", or det's no_tx_marker (det NULL or without one:
 * any detector's). */
int mig_opts_out_of_tx(const struct detector *det, const char *s, size_t n);

#endif
