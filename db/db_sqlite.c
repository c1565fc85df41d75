/*
 * The SQLite driver behind db.h, and the only file that includes sqlite3.h.
 * It opens a database file (creating it at the first write, but never its
 * directory; read-only when the caller only reads or the file is
 * write-protected), runs SQL, binds $1..$n as text, copies rows and errors
 * out of sqlite3's memory, and reads tables and columns from sqlite_schema
 * and pragma_table_info in one query. Transactions take BEGIN IMMEDIATE
 * with the busy timeout; a whole run holds flock(2) on a sibling lock file
 * besides (never an fcntl lock on the database, which SQLite owns). Not
 * here: what the tables mean or backups before a run (the detectors and
 * the runner).
 */
#include "reckon/db/db.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "reckon/base/arena.h"
#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "db_driver.h"
#include "reckon/base/banned.h"

struct sqlite_db {
	struct db base;	  /* first: a struct db * is a struct sqlite_db * */
	sqlite3 *h;	  /* owned; sqlite3_close_v2() in sq_close() */
	char *path;	  /* owned: the file as the URL named it */
	int lazy;	  /* the file does not exist yet: h is an empty
			   * private database until the first write */
	int read_only;	  /* the caller only reads: never write or create */
	int busy_ms;	  /* busy timeout, for the reopen */
	int lock_fd;	  /* the run lock file, flock()ed; -1 if not held */
	char **attached;  /* owned: name, file, name, file ...: what
			   * sq_attach() attached, again after a reopen */
	size_t nattached; /* entries in attached (two per database) */
	volatile sig_atomic_t cancelled; /* sq_cancel() was called */
};

/* Busy timeout when db_opts leaves it 0, in milliseconds. */
#define DEFAULT_BUSY_MS 5000

/*
 * Every user table of the main database and of the databases attached to
 * it (db_attach) with its columns in order, the rows db_tables_from_rows()
 * wants: schema ("main", or the name it was attached as), table, column,
 * type (lower case, as declared; "" when none), notnull (1/0). sqlite_%
 * tables are SQLite's own; temp is the connection's own scratch space.
 */
static const char tables_sql[] =
	"SELECT s.schema, s.name, p.name, lower(p.type), p.\"notnull\""
	" FROM pragma_table_list AS s"
	" JOIN pragma_table_info(s.name, s.schema) AS p"
	" WHERE s.type IN ('table', 'virtual') AND s.schema <> 'temp'"
	" AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

static struct sqlite_db *
sq_of(struct db *db)
{
	return (struct sqlite_db *)db;
}

/* The 1-based character (not byte) position of byte off in UTF-8 s. */
static int
char_pos(const char *s, size_t off)
{
	size_t i, n = strlen(s);
	int pos = 1;

	if (off > n)
		off = n;
	for (i = 0; i < off; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			pos++;
	return pos;
}

/*
 * Fill err from the connection's last error: sqlite3's message, its
 * extended code in the detail, and the position when sqlite3 knows one
 * (an offset into stmt, the statement that sql, the whole text, holds).
 */
static int
sq_fail(struct sqlite_db *p, const char *sql, const char *stmt,
	struct rk_err *err)
{
	int off = sqlite3_error_offset(p->h);
	int code = sqlite3_extended_errcode(p->h);

	rk_fail(err, RK_DB, "%s", sqlite3_errmsg(p->h));
	snprintf(err->detail, sizeof(err->detail), "SQLite error %d (%s)", code,
		 sqlite3_errstr(code));
	if (off >= 0 && sql && stmt)
		err->position =
			char_pos(sql, (size_t)(stmt - sql) + (size_t)off);
	if ((code & 0xff) == SQLITE_BUSY)
		rk_err_hint(err,
			    "another connection holds the write lock on '%s'; "
			    "retry when it is done, or wait longer than %d ms "
			    "with --lock-timeout DURATION",
			    p->path, p->busy_ms);
	else if ((code & 0xff) == SQLITE_READONLY && p->read_only)
		rk_err_hint(err, "this command opened '%s' read-only", p->path);
	else if ((code & 0xff) == SQLITE_READONLY)
		rk_err_hint(err,
			    "check that '%s' and its directory are writable "
			    "by this user",
			    p->path);
	return -1;
}

static int sq_materialize(struct sqlite_db *p, struct rk_err *err);
static int sq_query(struct db *db, const char *sql, const char *const *params,
		    int nparams, struct db_rows *out, struct rk_err *err);

/*
 * Before st runs on the stand-in for a missing file. A file that another
 * process has created meanwhile (a concurrent run) is opened instead, so
 * what is read is what is there. For a caller that only reads, everything
 * else runs on the stand-in and nothing is created: what a statement
 * writes (PRAGMA journal_mode counts) stays in the private stand-in. For a
 * writer, only queries (read-only, with result columns) run there;
 * anything else first creates the file: a write, and also what sets up
 * the connection (ATTACH, PRAGMA settings, BEGIN), which would be lost
 * with the stand-in. Returns 1 to prepare st again on the file (st
 * finalized), 0 to run st, -1 with err set (st finalized).
 */
static int
sq_before_write(struct sqlite_db *p, sqlite3_stmt *st, struct rk_err *err)
{
	if (!p->lazy)
		return 0;
	if (access(p->path, F_OK) != 0 &&
	    (p->read_only ||
	     (sqlite3_stmt_readonly(st) && sqlite3_column_count(st) > 0)))
		return 0;
	sqlite3_finalize(st);
	return sq_materialize(p, err) < 0 ? -1 : 1;
}

static int
sq_exec(struct db *db, const char *sql, struct rk_err *err)
{
	struct sqlite_db *p = sq_of(db);
	const char *tail = sql, *next;
	sqlite3_stmt *st;
	int rc;

	while (*tail) {
		if (sqlite3_prepare_v2(p->h, tail, -1, &st, &next) != SQLITE_OK)
			return sq_fail(p, sql, tail, err);
		if (!st) {
			/* Only blanks, comments or an empty statement. */
			if (next == tail)
				break;
			tail = next;
			continue;
		}
		if ((rc = sq_before_write(p, st, err)) != 0) {
			if (rc < 0)
				return -1;
			continue; /* the same statement, on the new file */
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			sq_fail(p, sql, tail, err);
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
		tail = next;
	}
	return 0;
}

/* 1 if s holds no statement (only blanks, comments and semicolons). */
static int
no_statement(struct sqlite_db *p, const char *s)
{
	const char *next;
	sqlite3_stmt *st;

	while (*s) {
		if (sqlite3_prepare_v2(p->h, s, -1, &st, &next) != SQLITE_OK ||
		    st) {
			sqlite3_finalize(st);
			return 0;
		}
		if (next == s)
			break;
		s = next;
	}
	return 1;
}

/* Bind one typed parameter at idx: text, a 64-bit integer or a BLOB. */
static int
bind_one(sqlite3_stmt *st, int idx, const struct db_param *v)
{
	if (!v->s)
		return sqlite3_bind_null(st, idx);
	switch (v->type) {
	case DB_TEXT:
		break;
	case DB_INT:
		return sqlite3_bind_int64(st, idx, strtoll(v->s, NULL, 10));
	case DB_BYTES:
		return sqlite3_bind_blob64(st, idx, v->len ? v->s : "",
					   (sqlite3_uint64)v->len,
					   SQLITE_TRANSIENT);
	}
	return sqlite3_bind_text(st, idx, v->s, -1, SQLITE_TRANSIENT);
}

/* Bind params[i] to "$<i+1>" wherever the statement names it. */
static int
bind_params(struct sqlite_db *p, sqlite3_stmt *st,
	    const struct db_param *params, int nparams, const char *sql,
	    struct rk_err *err)
{
	char name[16];
	int i, idx, rc;

	for (i = 0; i < nparams; i++) {
		snprintf(name, sizeof(name), "$%d", i + 1);
		idx = sqlite3_bind_parameter_index(st, name);
		if (!idx)
			continue;
		rc = bind_one(st, idx, &params[i]);
		if (rc != SQLITE_OK)
			return sq_fail(p, sql, NULL, err);
	}
	return 0;
}

/* Copy the current row of st onto the end of out. */
static void
copy_row(sqlite3_stmt *st, struct db_rows *out, size_t *cap)
{
	size_t base = out->nrows * out->ncols, j;

	rk_grow((void **)&out->vals, cap, base + out->ncols,
		sizeof(*out->vals));
	for (j = 0; j < out->ncols; j++) {
		const unsigned char *v;
		int n;

		if (sqlite3_column_type(st, (int)j) == SQLITE_NULL) {
			out->vals[base + j] = NULL;
			continue;
		}
		v = sqlite3_column_text(st, (int)j);
		n = sqlite3_column_bytes(st, (int)j);
		if (!v)
			rk_bug("out of memory in sqlite3_column_text");
		out->vals[base + j] = rk_arena_strndup(
			&out->strings, (const char *)v, (size_t)n);
	}
	out->nrows++;
}

static int
sq_query_typed(struct db *db, const char *sql, const struct db_param *params,
	       int nparams, struct db_rows *out, struct rk_err *err)
{
	struct sqlite_db *p = sq_of(db);
	struct db_rows rows = DB_ROWS_INIT;
	sqlite3_stmt *st;
	const char *tail;
	size_t cap = 0, j;
	int rc;

	if (out)
		*out = rows;
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, &tail) != SQLITE_OK)
		return sq_fail(p, sql, sql, err);
	if (!st)
		return 0;
	if (!no_statement(p, tail)) {
		sqlite3_finalize(st);
		return rk_fail(err, RK_DB,
			       "cannot run more than one statement as a query");
	}
	if ((rc = sq_before_write(p, st, err)) != 0)
		return rc < 0 ? -1
			      : sq_query_typed(db, sql, params, nparams, out,
					       err);
	if (bind_params(p, st, params, nparams, sql, err) < 0) {
		sqlite3_finalize(st);
		return -1;
	}
	rows.ncols = (size_t)sqlite3_column_count(st);
	rows.cols = xcalloc(rows.ncols, sizeof(*rows.cols));
	for (j = 0; j < rows.ncols; j++) {
		const char *name = sqlite3_column_name(st, (int)j);

		if (!name)
			rk_bug("out of memory in sqlite3_column_name");
		rows.cols[j] = xstrdup(name);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		copy_row(st, &rows, &cap);
	if (rc != SQLITE_DONE) {
		sq_fail(p, sql, sql, err);
		sqlite3_finalize(st);
		db_rows_release(&rows);
		return -1;
	}
	sqlite3_finalize(st);
	if (out)
		*out = rows;
	else
		db_rows_release(&rows);
	return 0;
}

/* Text parameters: each is DB_TEXT. */
static int
sq_query(struct db *db, const char *sql, const char *const *params, int nparams,
	 struct db_rows *out, struct rk_err *err)
{
	struct db_param *v =
		xcalloc(nparams > 0 ? (size_t)nparams : 1, sizeof(*v));
	int rc;

	for (int i = 0; i < nparams; i++)
		v[i] = (struct db_param){ DB_TEXT, params[i], 0 };
	rc = sq_query_typed(db, sql, v, nparams, out, err);
	free(v);
	return rc;
}

/* The file part of a sqlite URL: "sqlite:", "sqlite://" dropped. */
static const char *
path_of_url(const char *url)
{
	if (!strncmp(url, "sqlite://", 9))
		return url + 9;
	if (!strncmp(url, "sqlite:", 7))
		return url + 7;
	return url;
}

/*
 * Refuse what SQLite would turn into a vague "unable to open database
 * file": a path that is a directory, or a new file in a directory that
 * does not exist (creating the file is fine, creating its directory is
 * not reckon's business).
 */
static int
check_path(const char *path, struct rk_err *err)
{
	struct rk_buf dir = RK_BUF_INIT;
	const char *slash;
	struct stat st;
	int rc = 0;

	if (!strcmp(path, ":memory:"))
		return 0;
	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode))
			return rk_fail(err, RK_CONFIG,
				       "cannot open SQLite database '%s': it "
				       "is a directory",
				       path);
		return 0;
	}
	if (errno != ENOENT)
		return rk_fail(err, RK_CONFIG,
			       "cannot open SQLite database '%s': %s", path,
			       strerror(errno));
	slash = strrchr(path, '/');
	if (!slash)
		rk_buf_adds(&dir, ".");
	else if (slash == path)
		rk_buf_adds(&dir, "/");
	else
		rk_buf_add(&dir, path, (size_t)(slash - path));
	if (stat(dir.s, &st) || !S_ISDIR(st.st_mode))
		rc = rk_fail(err, RK_CONFIG,
			     "cannot create SQLite database '%s': directory "
			     "'%s' does not exist",
			     path, dir.s);
	rk_buf_release(&dir);
	return rc;
}

static void
sq_run_unlock(struct db *db)
{
	struct sqlite_db *p = sq_of(db);

	if (p->lock_fd >= 0)
		(void)close(p->lock_fd); /* releases the flock */
	p->lock_fd = -1;
}

static void
sq_close(struct db *db)
{
	struct sqlite_db *p = sq_of(db);

	sq_run_unlock(db);
	(void)sqlite3_close_v2(p->h);
	for (size_t i = 0; i < p->nattached; i++)
		free(p->attached[i]);
	free(p->attached);
	free(p->path);
	free(p);
}

/* Append s to out as a URI path: percent-encoded but for [A-Za-z0-9/._-]. */
static void
uri_path(const char *s, struct rk_buf *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/._-", c))
			rk_buf_addc(out, (char)c);
		else
			rk_buf_addf(out, "%%%02X", c);
	}
}

/*
 * ATTACH file as schema name, the file name bound as a parameter. An
 * attached file opens as the main one did: read-only for a caller that
 * only reads. The stand-in for a missing main file was opened read-write,
 * so there a reader attaches through a URI with mode=ro.
 */
static int
attach_file(struct sqlite_db *p, const char *name, const char *file,
	    struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT, uri = RK_BUF_INIT;
	const char *params[1] = { file };
	int rc;

	if (p->lazy && p->read_only) {
		rk_buf_adds(&uri, "file:");
		uri_path(file, &uri);
		rk_buf_adds(&uri, "?mode=ro");
		params[0] = uri.s;
	}
	rk_buf_adds(&sql, "ATTACH DATABASE $1 AS ");
	db_quote_double(name, &sql);
	rc = sq_query(&p->base, sql.s, params, 1, NULL, err);
	if (rc < 0)
		rk_err_prefix(err, "cannot attach SQLite database '%s'", file);
	rk_buf_release(&uri);
	rk_buf_release(&sql);
	return rc;
}

/*
 * Before SQLite's first use: no memory statistics (reckon reads none).
 * With them, every allocation takes a global mutex and updates counters;
 * opening a database with 30,000 schema objects makes about a million
 * allocations, and closing it as many frees.
 */
static void
sq_configure(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * Open p->h on p->path: read-write, or read-only for a caller that only
 * reads (sqlite3 itself falls back to read-only on a write-protected
 * file). A file that does not exist yet reads as an empty database (a
 * private temporary one, "", which behaves like a new file) and is created
 * only by the first write (sq_before_write), so status or a dry run on a
 * mistyped path leaves no file behind.
 */
static int
sq_connect(struct sqlite_db *p, struct rk_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	const char *path = p->path;
	int flags = p->read_only ? SQLITE_OPEN_READONLY
				 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc, sys;

	pthread_once(&once, sq_configure);
	p->lazy = strcmp(path, ":memory:") != 0 && access(path, F_OK) != 0 &&
		  errno == ENOENT;
	if (p->lazy) {
		/* URI file names only here, for sq_attach()'s mode=ro */
		path = "";
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			SQLITE_OPEN_URI;
	}
	rc = sqlite3_open_v2(path, &p->h, flags, NULL);
	if (rc != SQLITE_OK) {
		if (!p->h)
			rk_bug("out of memory in sqlite3_open_v2");
		sys = sqlite3_system_errno(p->h);
		rk_fail(err, RK_DB,
			"cannot open SQLite database '%s': %s%s%s%s", p->path,
			sqlite3_errmsg(p->h), sys ? " (" : "",
			sys ? strerror(sys) : "", sys ? ")" : "");
		return -1;
	}
	(void)sqlite3_extended_result_codes(p->h, 1);
	(void)sqlite3_busy_timeout(p->h, p->busy_ms);
	/* Read the header now, so a file that is no database says so here. */
	if (sq_exec(&p->base, "PRAGMA main.schema_version", err) < 0) {
		rk_err_prefix(err, "cannot open SQLite database '%s'", p->path);
		return -1;
	}
	for (size_t i = 0; i + 1 < p->nattached; i += 2)
		if (attach_file(p, p->attached[i], p->attached[i + 1], err) < 0)
			return -1;
	return 0;
}

static int
sq_open(const char *url, const struct db_opts *o, struct db **out,
	struct rk_err *err)
{
	const char *path = path_of_url(url);
	struct sqlite_db *p;

	if (!*path)
		return rk_fail(err, RK_CONFIG,
			       "no file name in database URL '%s': use "
			       "sqlite:PATH or sqlite::memory:",
			       url);
	if (check_path(path, err) < 0)
		return -1;
	p = xcalloc(1, sizeof(*p));
	p->base.drv = &db_sqlite_driver;
	p->path = xstrdup(path);
	p->lock_fd = -1;
	p->read_only = o->read_only;
	p->busy_ms =
		o->busy_timeout_ms > 0 ? o->busy_timeout_ms : DEFAULT_BUSY_MS;
	if (sq_connect(p, err) < 0) {
		sq_close(&p->base);
		return -1;
	}
	*out = &p->base;
	return 0;
}

/* Attach the existing file as schema name, once; reopens attach it again. */
static int
sq_attach(struct db *db, const char *name, const char *file, struct rk_err *err)
{
	struct sqlite_db *p = sq_of(db);

	for (size_t i = 0; i + 1 < p->nattached; i += 2)
		if (!strcmp(p->attached[i], name))
			return !strcmp(p->attached[i + 1], file)
				       ? 0
				       : rk_fail(err, RK_DB,
						 "'%s' is attached to '%s' "
						 "already",
						 name, p->attached[i + 1]);
	if (access(file, F_OK) != 0)
		return rk_fail(err, RK_DB,
			       "cannot attach SQLite database '%s': %s", file,
			       strerror(errno));
	if (attach_file(p, name, file, err) < 0)
		return -1;
	p->attached = xrealloc(p->attached,
			       (p->nattached + 2) * sizeof(*p->attached));
	p->attached[p->nattached++] = xstrdup(name);
	p->attached[p->nattached++] = xstrdup(file);
	return 0;
}

static void
sq_quote_ident(struct db *db, const char *name, struct rk_buf *out)
{
	(void)db;
	db_quote_double(name, out);
}

static int
sq_tables(struct db *db, const char *const *names, struct db_table_list *out,
	  struct rk_err *err)
{
	/* s.arg: pragma_table_list lists only the tables so named (in
	 * every schema, matching as identifiers do, without case), not all
	 * of them (5,000 tables: 34 M instructions less); s.name keeps the
	 * match exact */
	static const char *const cols[] = { "s.arg", "s.name", NULL };

	return db_tables_select(db, tables_sql, cols, names,
				"s.schema <> 'main', s.schema, s.name, p.cid",
				out, err);
}

/* Swap the empty stand-in for the real file, creating it unless another
 * process has (or this caller only reads). */
static int
sq_materialize(struct sqlite_db *p, struct rk_err *err)
{
	(void)sqlite3_close_v2(p->h);
	p->h = NULL;
	/* an empty file is an empty database; O_EXCL lets concurrent
	 * runners race here harmlessly */
	if (!p->read_only && access(p->path, F_OK) != 0) {
		int fd = open(p->path, O_WRONLY | O_CREAT | O_EXCL, 0666);

		if (fd >= 0)
			(void)close(fd);
	}
	return sq_connect(p, err);
}

static int
sq_begin(struct db *db, struct rk_err *err)
{
	return sq_exec(db, db_sqlite_driver.begin_sql, err);
}

/* Text quoted by sqlite3_mprintf("%Q"); bytes as a blob literal; an
 * integer as written (db_query_typed binds it as int64). */
static void
sq_quote_literal(struct db *db, const struct db_param *prm, struct rk_buf *out)
{
	char *q;

	(void)db;
	if (prm->s && prm->type == DB_INT) { /* never "x--1" */
		rk_buf_addf(out, *prm->s == '-' ? "(%s)" : "%s", prm->s);
		return;
	}
	if (prm->s && prm->type == DB_BYTES) {
		rk_buf_adds(out, "X'");
		for (size_t i = 0; i < prm->len; i++)
			rk_buf_addf(out, "%02x", (unsigned char)prm->s[i]);
		rk_buf_addc(out, '\'');
		return;
	}
	q = sqlite3_mprintf("%Q", prm->s);
	if (!q)
		rk_bug("sqlite3_mprintf: out of memory");
	rk_buf_adds(out, q);
	sqlite3_free(q);
}

/* BEGIN IMMEDIATE already holds the write lock: nothing more to take. */
static int
sq_lock(struct db *db, int wait_secs, struct rk_err *err)
{
	(void)db;
	(void)wait_secs;
	(void)err;
	return 0;
}

/* Seconds since start on the monotonic clock. */
static double
since(const struct timespec *start)
{
	struct timespec now;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * flock(2) on "<path>.reckon-lock", polled. The file stays (removing it
 * would race with the next runner's open); the lock goes with the process,
 * so a killed run never leaves it held.
 */
static int
sq_run_lock(struct db *db, int wait_secs, long *waited_ms, struct rk_err *err)
{
	const struct timespec pause = { 0, 50000000L };
	struct sqlite_db *p = sq_of(db);
	struct rk_buf path = RK_BUF_INIT;
	struct timespec start;
	int fd, rc = -1;

	if (p->lock_fd >= 0)
		rk_bug("db_run_lock() twice");
	*waited_ms = 0;
	if (strcmp(p->path, ":memory:") == 0)
		return 0; /* no other process can see it */
	rk_buf_addf(&path, "%s.reckon-lock", p->path);
	fd = open(path.s, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 && (errno == EACCES || errno == EROFS)) {
		/* a directory this user cannot write: flock(2) the database
		 * file itself (flock and SQLite's fcntl locks are separate
		 * on Linux); the run's first write says why it cannot go on */
		rk_buf_reset(&path);
		rk_buf_adds(&path, p->path);
		fd = open(path.s, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		rk_fail(err, RK_DB, "cannot open the run lock file '%s': %s",
			path.s, strerror(errno));
		rk_err_hint(err, "a run needs to create it beside the database "
				 "(SQLite writes its journal there too): make "
				 "the directory writable");
		goto out;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		*waited_ms = (long)(since(&start) * 1000);
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rk_fail(err, RK_DB, "cannot lock '%s': %s", path.s,
				strerror(errno));
		} else if (p->cancelled) {
			rk_fail(err, RK_DB,
				"interrupted while waiting for "
				"the migration lock");
		} else if (since(&start) >= wait_secs) {
			rk_fail(err, RK_DB,
				"another reckon run holds the migration lock "
				"('%s'); waited %ds",
				path.s, wait_secs > 0 ? wait_secs : 0);
			rk_err_hint(err, "wait for it to finish, or wait "
					 "longer with --lock-wait SECONDS");
		} else {
			(void)nanosleep(&pause, NULL);
			continue;
		}
		(void)close(fd);
		goto out;
	}
	*waited_ms = (long)(since(&start) * 1000);
	p->lock_fd = fd;
	rc = 0;
out:
	rk_buf_release(&path);
	return rc;
}

/* From a signal handler: sqlite3_interrupt() may be called from anywhere. */
static void
sq_cancel(struct db *db)
{
	struct sqlite_db *p = sq_of(db);
	sqlite3 *h = p->h;

	p->cancelled = 1;
	if (h)
		sqlite3_interrupt(h);
}

static const char *
sq_missing(struct db *db)
{
	return sq_of(db)->lazy ? sq_of(db)->path : NULL;
}

static int
sq_info(struct db *db, struct db_info *out, struct rk_err *err)
{
	const char *file = sqlite3_db_filename(sq_of(db)->h, "main");

	(void)err;
	memset(out, 0, sizeof(*out));
	snprintf(out->server_version, sizeof(out->server_version), "%s",
		 sqlite3_libversion());
	out->server_version_num = sqlite3_libversion_number();
	snprintf(out->database, sizeof(out->database), "%s",
		 sq_of(db)->lazy ? sq_of(db)->path
		 : file && *file ? file
				 : ":memory:");
	snprintf(out->reached, sizeof(out->reached), "%s", out->database);
	snprintf(out->schema, sizeof(out->schema), "main");
	return 0;
}

/*
 * A consistent copy through the backup API, page by page in one go. It
 * reads through a second, read-only connection: the run's own connection
 * may already hold the write lock (BEGIN IMMEDIATE), which the backup API
 * refuses to read through, while other readers are still allowed.
 */
static int
sq_backup(struct db *db, const char *dest, struct rk_err *err)
{
	struct sqlite_db *p = sq_of(db);
	sqlite3 *to = NULL, *from = NULL;
	sqlite3_backup *b;
	int rc;

	if (p->lazy)
		return 0; /* nothing to back up yet */
	rc = sqlite3_open_v2(p->path, &from, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		(void)sqlite3_busy_timeout(from, p->busy_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_open_v2(dest, &to,
				     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
				     NULL);
	if (rc == SQLITE_OK) {
		b = sqlite3_backup_init(to, "main", from, "main");
		if (b) {
			rc = sqlite3_backup_step(b, -1);
			(void)sqlite3_backup_finish(b);
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
		} else {
			rc = sqlite3_errcode(to);
		}
	}
	if (rc != SQLITE_OK) {
		rk_fail(err, RK_DB, "cannot back up '%s' to '%s': %s", p->path,
			dest, sqlite3_errstr(rc));
		rk_err_hint(err, "check free space and permissions there, or "
				 "pass --no-backup");
	}
	(void)sqlite3_close_v2(to);
	(void)sqlite3_close_v2(from);
	return rc == SQLITE_OK ? 0 : -1;
}

const struct db_driver db_sqlite_driver = {
	.name = "sqlite",
	.kind = DB_SQLITE,
	.dialect = &db_dialect_sqlite,
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.query = sq_query,
	.query_typed = sq_query_typed,
	.quote_ident = sq_quote_ident,
	.tables = sq_tables,
	.begin = sq_begin,
	.begin_sql = "BEGIN IMMEDIATE",
	.quote_literal = sq_quote_literal,
	.lock = sq_lock,
	.run_lock = sq_run_lock,
	.run_unlock = sq_run_unlock,
	.cancel = sq_cancel,
	.info = sq_info,
	.missing = sq_missing,
	.backup = sq_backup,
	.attach = sq_attach,
};

const char *
db_sqlite_library_version(void)
{
	return sqlite3_libversion();
}
