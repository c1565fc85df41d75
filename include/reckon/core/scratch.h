/*
 * Throwaway databases for verify and diff (scratch.c): created under a
 * unique name on a PostgreSQL server (CREATE DATABASE from template0, never
 * a copy of a live database: a template copy fails while anyone is
 * connected to it) or as a file in a new temporary directory (SQLite), a
 * saved snapshot restored into one (psql or pg_restore run with an argv,
 * the password passed in their environment), the migrations run into one
 * by reckon's own run op, and each dropped again however the work ended.
 * Not here: comparing schemas (schema_snap.h) or what is reported (verify.h).
 */
#ifndef RECKON_SCRATCH_H
#define RECKON_SCRATCH_H

#include "reckon/db/db.h"

struct rk_ctx;
struct rk_err;
struct run_report;
struct schema_snap;

/* What a snapshot file holds, read from its first bytes. */
enum snapshot_format {
	SNAPSHOT_SQLITE,       /* a SQLite database file */
	SNAPSHOT_PG_PLAIN,     /* pg_dump's plain SQL (psql restores it) */
	SNAPSHOT_PG_CUSTOM,    /* pg_dump -Fc (pg_restore) */
	SNAPSHOT_PG_TAR,       /* pg_dump -Ft (pg_restore) */
	SNAPSHOT_PG_DIRECTORY, /* pg_dump -Fd: a directory (pg_restore) */
};
/* "sqlite", "pg_plain", "pg_custom", "pg_tar", "pg_directory". */
const char *snapshot_format_name(enum snapshot_format f);
/* The engine a snapshot of format f restores into. */
enum db_kind snapshot_kind(enum snapshot_format f);
/* Read path's first bytes (never writing it); an unreadable path is an
 * RK_INPUT error naming it. */
int snapshot_format_of(const char *path, enum snapshot_format *out,
		       struct rk_err *err);

/* One throwaway database. */
struct scratch {
	enum db_kind kind;
	struct db *server; /* borrowed: PG, the connection that creates
			    * and drops it; NULL for SQLite */
	char *name;	   /* owned: PG its name; SQLite its file */
	char *url;	   /* owned: how reckon opens it */
	char *conninfo;	   /* owned: PG, url without the password, for
			    * psql and pg_restore's argv */
	char *password;	   /* owned: PG the password, or NULL */
	char *dir;	   /* owned: SQLite, the temporary directory */
	int exists;	   /* created and not yet dropped */
};
#define SCRATCH_INIT                                                           \
	{                                                                      \
		DB_PG, NULL, NULL, NULL, NULL, NULL, NULL, 0                   \
	}

/*
 * Create an empty throwaway database: on PostgreSQL (server is a
 * connection to the server and server_url its URL) a new database named
 * reckon_scratch_<pid>_<n>_<time>; on SQLite (server NULL) a file in a new
 * directory under the temporary directory. On failure nothing is left
 * and err says why (a role without CREATEDB: what to pass instead).
 */
int scratch_create(struct db *server, const char *server_url, enum db_kind kind,
		   struct scratch *s, struct rk_err *err);

/*
 * Restore the snapshot at path (of format f) into s, which must be
 * empty: SQLite copies the file byte for byte; PostgreSQL runs psql -X
 * -v ON_ERROR_STOP=1 (plain) or pg_restore --exit-on-error --no-owner
 * --no-privileges, whose last lines of stderr a failure carries. A signal
 * stops the child. path is only ever read.
 */
int scratch_restore(struct scratch *s, const char *path, enum snapshot_format f,
		    struct rk_err *err);

/*
 * Run the pending migrations of ctx's directory into s with the run op
 * (one transaction, no backup, drift allowed: the files as they are now
 * are what is being tried), as framework (NULL: ctx's --framework or
 * detection), into r; then read s's schema into snap, leaving out the
 * tracking tables the run used. Returns 0; -1 with err set when the run
 * failed (r->failed says where) or the schema cannot be read.
 */
int scratch_migrate(const struct rk_ctx *ctx, struct scratch *s,
		    const char *framework, struct run_report *r,
		    struct schema_snap *snap, struct rk_err *err);

/*
 * The tracking tables of framework name (NULL: reckon's own), table
 * (--table, or NULL): a NULL-terminated array the caller frees, of
 * borrowed strings, that schema_snap_read() leaves out. Always holds
 * reckon's native table and its file-hash table too.
 */
const char **scratch_tracking_tables(const char *framework, const char *table);

/* Drop s (PG: DROP DATABASE ... WITH (FORCE) where the server has it;
 * SQLite: the file, its companions and the directory) and release it.
 * -1 with err set if the drop failed: the name is then still there, and
 * err names it for a person to drop. */
int scratch_drop(struct scratch *s, struct rk_err *err);

#endif
