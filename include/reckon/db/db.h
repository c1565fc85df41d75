/*
 * The database-driver interface: one small vtable with a PostgreSQL (libpq,
 * db_pg.c) and a SQLite (sqlite3, db_sqlite.c) implementation. Callers use
 * the db_*() wrappers below, never db->drv directly, and never see a libpq or
 * sqlite3 object: rows are copied into struct db_rows and server errors into
 * struct rk_err before the library's memory is released.
 *
 * Promises both drivers keep (tests/integration/db_conformance.c proves them):
 * - values reach SQL only as bound parameters, written $1, $2, ... in the SQL
 *   text for both drivers; identifiers only through db_quote_ident();
 * - reckon's own queries qualify every name, so they never depend on the
 *   search_path, and the user's search_path is left alone for migrations;
 * - settings (lock_timeout, busy timeout) arrive only through db_open().
 * Not here: what the tables mean (detectors), running migrations (runner).
 */
#ifndef RECKON_DB_H
#define RECKON_DB_H

#include <stddef.h>

#include "reckon/base/arena.h"

struct rk_buf;
struct rk_err;

enum db_kind {
	DB_PG,
	DB_SQLITE,
	DB_NKINDS /* how many: the size of a per-engine fact table */
};

struct sql_dialect;

/*
 * What differs between the engines, as data the driver hands out: chosen
 * once, when the connection opens, and the same for its whole life. SQL
 * that reckon writes for itself uses these members, or the %-tokens
 * db_dialect_expand() replaces, instead of asking which engine it talks
 * to. A framework's own per-engine facts (the exact DDL its tool runs) are
 * arrays indexed by kind, picked with db_pick().
 */
struct db_dialect {
	enum db_kind kind;	       /* the index into per-engine tables */
	const char *name;	       /* "postgres", "sqlite" */
	const struct sql_dialect *lex; /* how its SQL text splits */
	const char *ts_type;	       /* %TS: a column of UTC times that
					* reckon keeps: "timestamptz", "text" */
	const char *now;	       /* %NOW: the time now, as ts_type */
	const char *true_lit;	       /* %TRUE: "true", "1" */
	const char *false_lit;	       /* %FALSE: "false", "0" */
	const char *int_type;	       /* %INT: CAST(x AS %INT) reads a
					* 64-bit integer: "bigint", "integer" */
	const char *bytes_type;	       /* %BYTES: "bytea", "BLOB" */
	const char *session_user;      /* %USER: SQL for the role connected,
					* or "''" where the engine has none */
	const char *ts_read_open;      /* ts_read_open col ts_read_close reads
					* a ts_type column in the form
					* db_ts_iso() turns into ISO 8601 UTC
					* text "YYYY-MM-DDTHH:MM:SSZ" */
	const char *ts_read_close;
	int ts_epoch; /* that form is whole seconds since 1970 (formatting
		       * 10,000 times on the server costs more than the
		       * scan), else the ISO text itself */
	const char *hex_open; /* hex_open col hex_close: lower-case
			       * hex of a bytes column */
	const char *hex_close;
	unsigned schemas : 1; /* tables live in named schemas (PG);
			       * else one namespace, "main" */
	unsigned users : 1;   /* connections belong to a role, which
			       * %USER names (PG) */
};

/* What a bound parameter is, so each engine binds it as its own type. */
enum db_type {
	DB_TEXT,  /* text */
	DB_INT,	  /* a 64-bit integer, written in decimal */
	DB_BYTES, /* raw bytes: PG bytea (binary format), SQLite BLOB */
};

/* One bound parameter of db_query_typed(); nothing owned. */
struct db_param {
	enum db_type type;
	const char *s; /* the value (NUL-terminated unless DB_BYTES); NULL
			* binds SQL NULL */
	size_t len;    /* DB_BYTES: bytes at s; else unused */
};

/* Rows of a result, copied out of the driver; all strings owned. */
struct db_rows {
	size_t nrows;
	size_t ncols;
	char **cols; /* owned: ncols column names */
	char **vals; /* owned: nrows * ncols values, row-major; NULL = SQL NULL
		      */
	struct rk_arena strings; /* the values' bytes */
};
#define DB_ROWS_INIT                                                           \
	{                                                                      \
		0, 0, NULL, NULL, RK_ARENA_INIT                                \
	}
void db_rows_release(struct db_rows *r);
/* Hand the values' bytes to the arena to: they stay where they are
 * (db_rows_get() still reads them) and live as long as to, not r. A
 * caller that keeps the values (an applied set) then holds one copy of
 * them, not two. */
void db_rows_give_strings(struct db_rows *r, struct rk_arena *to);
/* The value at (row, col), or NULL for SQL NULL; borrowed from r. */
const char *db_rows_get(const struct db_rows *r, size_t row, size_t col);

/* One column of a table, as the catalog stores it. */
struct db_column {
	char *name; /* owned, exactly as stored (case kept) */
	char *type; /* owned, lower case: "integer", "text", "timestamp ..." */
	int notnull;
};

/* One table with its columns, from db_tables(). */
struct db_table {
	char *schema;		/* owned; "main" on SQLite */
	char *name;		/* owned, exactly as stored */
	struct db_column *cols; /* owned, in column order */
	size_t ncols;
};

struct db_table_list {
	struct db_table *v; /* owned */
	size_t n;
	size_t cap;
};
#define DB_TABLE_LIST_INIT                                                     \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void db_table_list_release(struct db_table_list *l);
/* The table schema.name (schema NULL: any schema), or NULL; borrowed. */
const struct db_table *db_table_find(const struct db_table_list *l,
				     const char *schema, const char *name);

/* Settings fixed when the connection opens. */
struct db_opts {
	int lock_timeout_ms;	  /* PG lock_timeout; 0 = server default */
	int busy_timeout_ms;	  /* SQLite busy timeout; 0 = 5000 */
	int connect_timeout_ms;	  /* PG connect_timeout, rounded up to whole
				   * seconds (at least 2); 0 = wait forever;
				   * -1 = the URL's, else PGCONNECT_TIMEOUT's,
				   * else 10 s */
	const char *app_name;	  /* PG application_name; NULL = "reckon" */
	int read_only;		  /* the caller never writes: SQLite opens
				   * the file read-only, and a missing file
				   * reads as empty and is never created */
	int statement_timeout_ms; /* PG statement_timeout for the session;
				   * 0 = the server's */
};
#define DB_OPTS_INIT                                                           \
	{                                                                      \
		5000, 5000, -1, NULL, 0, 0                                     \
	}

/* Facts about the server and session, from db_info(). */
struct db_info {
	char server_version[64]; /* "15.18" or "3.40.1" */
	char user[128];		 /* PG current_user; SQLite: "" */
	char database[512];	 /* PG current_database(); SQLite: file path */
	char schema[128];	 /* PG current_schema(); SQLite: "main" */
	int server_version_num;	 /* PG 150018; SQLite 3040001 */
	char host[256];		 /* PG the host (or socket directory)
				  * connected to; SQLite: "" */
	char port[16];		 /* PG the port; SQLite: "" */
	char login[128];	 /* PG the user it logged in as */
	char reached[800];	 /* where the connection went: PG
				  * "user@host:port/dbname" (no password),
				  * SQLite the file path */
};

struct db;

struct db_driver {
	const char *name; /* "postgres", "sqlite" */
	enum db_kind kind;
	const struct db_dialect *dialect; /* what its SQL spells differently */
	/* Connect; url is already known to be for this driver. */
	int (*open)(const char *url, const struct db_opts *o, struct db **out,
		    struct rk_err *err);
	/* Does the server accept connections (PG: PQpingParams)? As
	 * db_ping; NULL: always (SQLite has no server). */
	int (*ping)(const char *url, const struct db_opts *o,
		    struct rk_err *err);
	void (*close)(struct db *db);
	/* Run SQL text that may hold several statements; no parameters. */
	int (*exec)(struct db *db, const char *sql, struct rk_err *err);
	/* Run one statement with text parameters $1..$n; fill out if not
	 * NULL. params[i] NULL binds SQL NULL. */
	int (*query)(struct db *db, const char *sql, const char *const *params,
		     int nparams, struct db_rows *out, struct rk_err *err);
	/* The same with typed parameters (struct db_param). */
	int (*query_typed)(struct db *db, const char *sql,
			   const struct db_param *params, int nparams,
			   struct db_rows *out, struct rk_err *err);
	/* Append the quoted identifier to out. */
	void (*quote_ident)(struct db *db, const char *name,
			    struct rk_buf *out);
	/* Every user table and its columns (all schemas on PG); with
	 * names (NULL-terminated), only tables so called. */
	int (*tables)(struct db *db, const char *const *names,
		      struct db_table_list *out, struct rk_err *err);
	/* Open a transaction: PG BEGIN; SQLite BEGIN IMMEDIATE. */
	int (*begin)(struct db *db, struct rk_err *err);
	/* Take the run lock for the current transaction, waiting at most
	 * wait_secs: PG pg_advisory_xact_lock(RK_LOCK_KEY) polled with
	 * pg_try_advisory_xact_lock; SQLite: nothing (BEGIN IMMEDIATE). */
	int (*lock)(struct db *db, int wait_secs, struct rk_err *err);
	/* Take the run lock for the session, not a transaction, so it
	 * holds across a run's transactions until run_unlock(), waiting at
	 * most wait_secs; *waited_ms says how long it waited. PG:
	 * pg_try_advisory_lock(RK_LOCK_KEY) polled (it also keeps out the
	 * xact-level lock() of other sessions); SQLite: flock(2) on the
	 * file "<database>.reckon-lock", which the kernel releases however
	 * the process ends. Stops early, failing, after cancel(). */
	int (*run_lock)(struct db *db, int wait_secs, long *waited_ms,
			struct rk_err *err);
	void (*run_unlock)(struct db *db);
	/* 1 when the session is outside any transaction, holds no run
	 * lock and the server has sent nothing since its last answer, so
	 * it is fit for another request as it is; 0 otherwise. No round
	 * trip: a terminated backend's last message, or its closed
	 * socket, shows as bytes to read. NULL: never fit (SQLite). */
	int (*idle)(struct db *db);
	/* db_keep_plans(); NULL: a no-op (SQLite). */
	void (*keep_plans)(struct db *db, int keep);
	/* Ask the server to stop the statement running now; async-signal-
	 * safe (a signal handler calls it): PG PQcancel() on a PGcancel
	 * made at connect, SQLite sqlite3_interrupt(). */
	void (*cancel)(struct db *db);
	int (*info)(struct db *db, struct db_info *out, struct rk_err *err);
	/* The password the connection used, or NULL (never printed: only
	 * handed to a framework's tool in its environment). */
	const char *(*password)(struct db *db);
	/* The file the first write will create, while it does not exist
	 * (borrowed from db); NULL where files are never missing (PG). */
	const char *(*missing)(struct db *db);
	/* Copy the whole database to the file dest (SQLite backup API);
	 * NULL where the driver has none (PostgreSQL). */
	int (*backup)(struct db *db, const char *dest, struct rk_err *err);
	/* Attach another existing database file as schema name (SQLite
	 * ATTACH); NULL where the driver has none (PostgreSQL). */
	int (*attach)(struct db *db, const char *name, const char *file,
		      struct rk_err *err);
	/* Append p as an SQL literal of its type, quoted by the library
	 * (PG PQescapeLiteral, SQLite sqlite3_mprintf("%Q")): only for
	 * showing a bound value (db_capture), never for sending one. */
	void (*quote_literal)(struct db *db, const struct db_param *p,
			      struct rk_buf *out);
	const char *begin_sql; /* what begin() sends */
};

struct db {
	const struct db_driver *drv;
	struct rk_buf *capture; /* db_capture()'s sink, or NULL */
};

/*
 * The advisory lock key reckon's PostgreSQL runs hold (documented in
 * man/reckon.1): the bytes "reckon" read as a big-endian integer.
 */
#define RK_LOCK_KEY 0x7265636b6f6eLL

/*
 * Open a connection for url (see SPEC.md: postgres:// URIs or any libpq
 * conninfo, "" for libpq's PG* defaults, sqlite:PATH, sqlite::memory:, or a
 * path ending in .db/.sqlite/.sqlite3). On failure err names the redacted
 * URL and the reason. The caller frees *out with db_close().
 */
int db_open(const char *url, const struct db_opts *o, struct db **out,
	    struct rk_err *err);
void db_close(struct db *db);
/*
 * Whether the server for url accepts connections now, without logging in
 * (a wrong password still counts as accepting): 0 yes, 1 not yet (err
 * says why: nothing answers, or it is starting up), -1 never (settings
 * that are not valid; err as db_open's). SQLite: always 0.
 */
int db_ping(const char *url, const struct db_opts *o, struct rk_err *err);
/* Which driver a URL is for; -1 with err set if none fits. */
int db_kind_of_url(const char *url, enum db_kind *kind, struct rk_err *err);
/* Append url to out with any password replaced by "***". */
void db_url_redact(const char *url, struct rk_buf *out);
/*
 * Append text (a message that may echo url, such as libpq's) to out with
 * url replaced by its redacted form and every password url holds replaced
 * by "***", as written and as libpq reads it (percent-decoded, unquoted);
 * extra (a password from elsewhere, or NULL) is replaced too.
 */
void db_url_scrub(const char *url, const char *extra, const char *text,
		  struct rk_buf *out);

/*
 * PostgreSQL: append to out a libpq keyword=value connection string for
 * the database dbname on the server url leads to (url's every setting,
 * with dbname replaced; "" is libpq's defaults). Without with_password the
 * password url holds is left out of out and, when password is not NULL,
 * copied to *password (owned, NULL if none), so a child process can be
 * given it through its environment instead of its argv. A url libpq
 * cannot read is an RK_CONFIG error.
 */
int db_pg_conninfo_for(const char *url, const char *dbname, int with_password,
		       struct rk_buf *out, char **password, struct rk_err *err);

enum db_kind db_kind(const struct db *db);
/* The engine's dialect: static data, valid as long as the program runs. */
const struct db_dialect *db_dialect(const struct db *db);
/* The dialect of an engine without a connection to it (pure code, tests). */
const struct db_dialect *db_dialect_for(enum db_kind kind);
/* The member of a per-engine table (facts[DB_PG], facts[DB_SQLITE]) for
 * db's engine; borrowed from facts. */
const char *db_pick(const struct db *db, const char *const facts[DB_NKINDS]);
/*
 * Append sql to out with each dialect token replaced by db's spelling of
 * it: %TS, %NOW, %TRUE, %FALSE, %INT, %BYTES, %USER (see struct
 * db_dialect). A token is a '%' and those capitals, not followed by a
 * letter, digit or '_'; any other '%' (strftime's '%Y', a LIKE pattern) is
 * copied as it is.
 */
/* v, as a ts_read_open/close column gives it, as ISO 8601 UTC text (in
 * buf, or v itself when it already is); NULL stays NULL. */
const char *db_ts_iso(const struct db_dialect *d, const char *v, char buf[32]);
void db_dialect_expand(const struct db *db, const char *sql,
		       struct rk_buf *out);
/* If s starts with a dialect token, append its replacement to out and
 * return the token's length; else append nothing and return 0. */
size_t db_dialect_token(const struct db *db, const char *s, struct rk_buf *out);
/*
 * With sink not NULL, what would change the database is written to sink
 * instead of being sent (run --dry-run --sql): db_exec()'s text, each
 * db_query()/db_query_typed() without rows wanted (out NULL) with its
 * bound values shown inline as literals (quote_literal) under a comment
 * saying so, and db_begin(), db_commit(), db_rollback() as the driver
 * spells them; each ends ";\n". A query that wants rows (out) still runs,
 * as a read of the unchanged database. NULL sends everything again.
 */
void db_capture(struct db *db, struct rk_buf *sink);
int db_exec(struct db *db, const char *sql, struct rk_err *err);
int db_query(struct db *db, const char *sql, const char *const *params,
	     int nparams, struct db_rows *out, struct rk_err *err);
/*
 * db_query() with typed parameters: a DB_BYTES value binds as bytes (PG
 * bytea sent in binary format, SQLite sqlite3_bind_blob), a DB_INT as an
 * integer, so neither passes through text on the way in. A column read
 * back still arrives as text (bytes as the engine prints them).
 */
int db_query_typed(struct db *db, const char *sql,
		   const struct db_param *params, int nparams,
		   struct db_rows *out, struct rk_err *err);
void db_quote_ident(struct db *db, const char *name, struct rk_buf *out);
/* Append "schema"."name" (just "name" when schema is NULL or ""). */
void db_quote_qualified(struct db *db, const char *schema, const char *name,
			struct rk_buf *out);
int db_tables(struct db *db, struct db_table_list *out, struct rk_err *err);
/* Only the tables called one of names (NULL-terminated): one catalog
 * query that reads no other table's columns. */
int db_tables_named(struct db *db, const char *const *names,
		    struct db_table_list *out, struct rk_err *err);
int db_begin(struct db *db, struct rk_err *err);
int db_commit(struct db *db, struct rk_err *err);
/* Roll back; never fails visibly (a dead connection rolls back itself). */
void db_rollback(struct db *db);
/* The driver's idle(): fit for another request as it is; 0 without one. */
int db_idle(struct db *db);
/*
 * keep: from now on each query db_query() sends is prepared once on this
 * connection, as a statement named reckon_plan_<n>, and run through it
 * again (PostgreSQL parses and plans it once, not on every call), for a
 * connection that sends the same few queries over and over (serve's
 * status). 0: deallocate those statements and send queries as they are.
 * Only for queries outside a transaction: one that fails through its
 * statement is sent again as it is.
 */
void db_keep_plans(struct db *db, int keep);
int db_lock(struct db *db, int wait_secs, struct rk_err *err);
int db_run_lock(struct db *db, int wait_secs, long *waited_ms,
		struct rk_err *err);
void db_run_unlock(struct db *db);
/* Async-signal-safe: cancel the running statement (see db_driver). */
void db_cancel(struct db *db);
int db_info(struct db *db, struct db_info *out, struct rk_err *err);
/* The connection's password, or NULL: for a framework's environment only,
 * never for output. */
const char *db_password(struct db *db);
/*
 * The database file that does not exist yet, or NULL: a missing SQLite
 * file reads as an empty database, and only the first write creates it
 * (never, when opened read_only). Borrowed from db until db_close().
 */
const char *db_missing_file(struct db *db);
/* Back the database up to dest; an RK_DB error where unsupported. */
int db_backup(struct db *db, const char *dest, struct rk_err *err);
/*
 * Make the existing database file file readable and writable as schema
 * name ("name"."table") on this connection, as a framework that keeps its
 * tables in a file of their own needs (Sqitch's registry on SQLite). The
 * file name is bound, never spliced into SQL; a caller that only reads
 * gets it read-only; attaching the same file under the same name again
 * does nothing, and it stays attached when the driver reopens. A missing
 * file, another file under that name, or a driver without files (RK_DB)
 * is an error.
 */
int db_attach(struct db *db, const char *name, const char *file,
	      struct rk_err *err);

/* How big a table is (db_size.c); -1 where the engine cannot say. */
struct db_table_size {
	int exists;	       /* the name resolves to a table */
	long long heap_bytes;  /* PG pg_relation_size; 0 when empty */
	long long total_bytes; /* PG pg_total_relation_size (indexes and
				* TOAST too); SQLite dbstat's pages */
	double rows;	       /* PG pg_class.reltuples; -1 unknown */
};
/*
 * The size of table schema.name (schema "" resolves as an unqualified
 * name in a migration would: PG's search_path, SQLite's main). A name
 * that is no table is exists 0, not an error.
 */
int db_table_size(struct db *db, const char *schema, const char *name,
		  struct db_table_size *out, struct rk_err *err);
/* The SQLite library reckon is linked with: "3.40.1" (db_sqlite.c). */
const char *db_sqlite_library_version(void);

#endif
