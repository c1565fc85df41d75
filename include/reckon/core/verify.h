/*
 * verify and diff (verify.c, diff.c): two ops that build throwaway
 * databases (scratch.h) and compare schemas (schema_snap.h), filling the
 * reports below that report_text.c and report_json.c render. Neither ever
 * writes the live database or a snapshot file.
 */
#ifndef RECKON_VERIFY_H
#define RECKON_VERIFY_H

#include <stddef.h>

#include "reckon/core/ops.h"
#include "reckon/core/scratch.h"
#include "reckon/core/schema_snap.h"

struct rk_err;

/* Where the work on one snapshot stopped, if it did. */
enum verify_stage {
	VERIFY_DONE,	/* restored, upgraded and compared */
	VERIFY_RESTORE, /* the snapshot could not be restored */
	VERIFY_UPGRADE, /* a pending migration failed on it */
	VERIFY_COMPARE, /* its schema could not be read */
};
/* "done", "restore", "upgrade", "compare" */
const char *verify_stage_name(enum verify_stage s);

/* One snapshot's result. */
struct verify_item {
	char *snapshot; /* owned: the path as given */
	enum snapshot_format format;
	enum verify_stage stopped; /* VERIFY_DONE unless it failed */
	char *error;		   /* owned: why it stopped, or NULL */
	struct run_report run;	   /* the upgrade: pending files and how
				    * each ended; failed = the statement */
	struct schema_diff diff;   /* a = upgraded snapshot, b = fresh */
};

struct verify_report {
	struct verify_item *v; /* owned, in the order given */
	size_t n;
	size_t cap;
	char *server;		 /* owned: PG, the redacted URL of the
				  * server the throwaways lived on; NULL */
	struct run_report fresh; /* the build from nothing */
	int fresh_built;	 /* the fresh build ran and was read */
	int ok;			 /* every snapshot upgraded and identical */
};
void verify_report_release(struct verify_report *r);

struct verify_opts {
	char **snapshots; /* borrowed: the paths */
	int n;
	const char *dev_db; /* --dev-db URL, or NULL: the server of --db */
};

/*
 * For each snapshot: restore it into a throwaway database, run the
 * pending migrations there, compare its schema with a database built from
 * nothing with every migration (built once per engine), drop the
 * throwaways. A snapshot that fails is reported in its item and the next
 * one goes on; r->ok says whether all upgraded cleanly and identical.
 * Returns -1 with err set only when nothing could be compared: bad usage
 * (no snapshot, a PostgreSQL dump without a server: RK_USAGE), the fresh
 * build failing (r->fresh.failed), a signal, or a throwaway that could
 * not be dropped.
 */
int op_verify(struct rk_ctx *ctx, const struct verify_opts *o,
	      struct verify_report *r, struct rk_err *err);

struct diff_report {
	char *database;		 /* owned: the live database, redacted */
	char *scratch;		 /* owned: where the migrations were built */
	char *framework;	 /* owned: whose tracking table was left out */
	struct run_report build; /* the build from nothing */
	struct schema_diff diff; /* a = live, b = the migrations' */
};
void diff_report_release(struct diff_report *r);

/*
 * Compare ctx's live database with the schema every migration file
 * produces, built in a throwaway database on the server of dev_db
 * (PostgreSQL: required, else RK_USAGE) or a temporary file (SQLite).
 * The live database is only read. -1 with err set when the build fails
 * (r->build.failed) or a catalog cannot be read.
 */
int op_diff(struct rk_ctx *ctx, const char *dev_db, struct diff_report *r,
	    struct rk_err *err);

#endif
