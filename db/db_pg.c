/*
 * The PostgreSQL driver behind db.h, and the only file that includes
 * libpq-fe.h. It connects (URI or conninfo, "" for libpq's PG* defaults),
 * runs SQL, copies result rows and server errors (SQLSTATE, detail, hint,
 * position) out of libpq's memory, reads the catalog in one query, and polls
 * reckon's advisory lock. It never prints: notices are dropped and every
 * failure goes into struct rk_err with passwords kept out. Not here: what
 * the tables mean or when to lock (the detectors and the runner).
 */
#include "reckon/db/db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "reckon/base/arena.h"
#include "reckon/base/buf.h"
#include "reckon/base/dl.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "db_driver.h"
#include "reckon/base/banned.h"

/*
 * libpq, loaded on first use (pq_load(), from the three entry points:
 * pg_open(), pg_ping() and db_pg_conninfo_for()) rather than linked:
 * its Kerberos, LDAP and SASL chain costs every command a few
 * milliseconds at start-up, and a SQLite command needs none of it. The
 * functions this driver calls are resolved once with dlsym() into pq,
 * each typed from libpq-fe.h, and the defines after pq_resolve() send
 * every PQ* call below through it, checked as a direct call would be.
 * The one mutable global of this file, filled once under pq_once.
 */
#ifndef LIBPQ_SONAME
#define LIBPQ_SONAME "libpq.so.5"
#endif
#define PQ_FUNCS(X)                                                            \
	X(PQcancel)                                                            \
	X(PQclear)                                                             \
	X(PQconndefaults)                                                      \
	X(PQconnectdbParams)                                                   \
	X(PQconninfoFree)                                                      \
	X(PQconninfoParse)                                                     \
	X(PQerrorMessage)                                                      \
	X(PQescapeIdentifier)                                                  \
	X(PQescapeLiteral)                                                     \
	X(PQexec)                                                              \
	X(PQexecParams)                                                        \
	X(PQexecPrepared)                                                      \
	X(PQfinish)                                                            \
	X(PQfname)                                                             \
	X(PQfreeCancel)                                                        \
	X(PQfreemem)                                                           \
	X(PQgetCancel)                                                         \
	X(PQgetCopyData)                                                       \
	X(PQgetResult)                                                         \
	X(PQgetisnull)                                                         \
	X(PQgetlength)                                                         \
	X(PQgetvalue)                                                          \
	X(PQhost)                                                              \
	X(PQnfields)                                                           \
	X(PQntuples)                                                           \
	X(PQpass)                                                              \
	X(PQpingParams)                                                        \
	X(PQprepare)                                                           \
	X(PQport)                                                              \
	X(PQputCopyEnd)                                                        \
	X(PQresStatus)                                                         \
	X(PQresultErrorField)                                                  \
	X(PQresultErrorMessage)                                                \
	X(PQresultStatus)                                                      \
	X(PQserverVersion)                                                     \
	X(PQsetNoticeProcessor)                                                \
	X(PQsocket)                                                            \
	X(PQstatus)                                                            \
	X(PQtransactionStatus)                                                 \
	X(PQuser)
#define PQ_PTR(f) __typeof__(f) *f;
static struct {
	PQ_FUNCS(PQ_PTR)
} pq;
#undef PQ_PTR

static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static char pq_error[512]; /* why loading failed; "" when it did not */

static void
pq_resolve(void)
{
	static const char *const names[] = { PQ_FUNCS(RK_DL_NAME) };
#define PQ_SLOT(f) (void **)&pq.f,
	void **const slots[] = { PQ_FUNCS(PQ_SLOT) };
#undef PQ_SLOT

	(void)rk_dl_load(LIBPQ_SONAME, names, slots, ARRAY_SIZE(names),
			 pq_error, sizeof(pq_error));
}

/* Load libpq once (thread-safe): 0, or -1 with RK_CONFIG (the
 * environment lacks it) naming the library and how to install it. */
static int
pq_load(struct rk_err *err)
{
	(void)pthread_once(&pq_once, pq_resolve);
	if (!pq_error[0])
		return 0;
	rk_fail(err, RK_CONFIG,
		"cannot load the PostgreSQL client library %s: %s",
		LIBPQ_SONAME, pq_error);
	rk_err_hint(err,
		    "install libpq (Debian: apt-get install libpq5) to "
		    "use a PostgreSQL database; SQLite ones do not need it");
	return -1;
}

/* From here on, every PQ* call goes through the loaded table. */
#define PQcancel	     (pq.PQcancel)
#define PQclear		     (pq.PQclear)
#define PQconndefaults	     (pq.PQconndefaults)
#define PQconnectdbParams    (pq.PQconnectdbParams)
#define PQconninfoFree	     (pq.PQconninfoFree)
#define PQconninfoParse	     (pq.PQconninfoParse)
#define PQerrorMessage	     (pq.PQerrorMessage)
#define PQescapeIdentifier   (pq.PQescapeIdentifier)
#define PQescapeLiteral	     (pq.PQescapeLiteral)
#define PQexec		     (pq.PQexec)
#define PQexecParams	     (pq.PQexecParams)
#define PQexecPrepared	     (pq.PQexecPrepared)
#define PQfinish	     (pq.PQfinish)
#define PQfname		     (pq.PQfname)
#define PQfreeCancel	     (pq.PQfreeCancel)
#define PQfreemem	     (pq.PQfreemem)
#define PQgetCancel	     (pq.PQgetCancel)
#define PQgetCopyData	     (pq.PQgetCopyData)
#define PQgetResult	     (pq.PQgetResult)
#define PQgetisnull	     (pq.PQgetisnull)
#define PQgetlength	     (pq.PQgetlength)
#define PQgetvalue	     (pq.PQgetvalue)
#define PQhost		     (pq.PQhost)
#define PQnfields	     (pq.PQnfields)
#define PQntuples	     (pq.PQntuples)
#define PQpass		     (pq.PQpass)
#define PQpingParams	     (pq.PQpingParams)
#define PQprepare	     (pq.PQprepare)
#define PQport		     (pq.PQport)
#define PQputCopyEnd	     (pq.PQputCopyEnd)
#define PQresStatus	     (pq.PQresStatus)
#define PQresultErrorField   (pq.PQresultErrorField)
#define PQresultErrorMessage (pq.PQresultErrorMessage)
#define PQresultStatus	     (pq.PQresultStatus)
#define PQserverVersion	     (pq.PQserverVersion)
#define PQsetNoticeProcessor (pq.PQsetNoticeProcessor)
#define PQsocket	     (pq.PQsocket)
#define PQstatus	     (pq.PQstatus)
#define PQtransactionStatus  (pq.PQtransactionStatus)
#define PQuser		     (pq.PQuser)

/* How many of its own queries a connection keeps prepared at most. */
#define PG_PLANS 8

struct pg_db {
	struct db base;	  /* first: a struct db * is a struct pg_db * */
	PGconn *conn;	  /* owned; PQfinish() in pg_close() */
	PGcancel *cancel; /* owned: for pg_cancel(), made at connect */
	volatile sig_atomic_t cancelled; /* pg_cancel() was called */
	int run_locked;			 /* holds the session-level run lock */
	char *url;	/* owned: as given, to scrub libpq's messages */
	int keep_plans; /* db_keep_plans(): pg_query() prepares once */
	int nplans;
	unsigned plan_seq; /* the last plan's number, for its name */
	struct pg_plan {
		char *sql; /* owned: the text it was prepared from */
		int nparams;
		unsigned seq; /* named reckon_plan_<seq> */
	} plans[PG_PLANS];    /* oldest first */
};

/* How long lock() sleeps between tries, in nanoseconds. */
#define LOCK_POLL_NS 100000000L

/*
 * Every ordinary and partitioned table outside the system schemas (and
 * other sessions' temporary schemas) with its live columns in order. The
 * LEFT JOIN keeps tables without columns. Rows: schema, table, column,
 * type, notnull ("t"/"f"), as db_tables_from_rows() wants them.
 */
#define TABLES_SQL                                                             \
	"SELECT n.nspname, c.relname, a.attname,"                              \
	" pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull"       \
	" FROM pg_catalog.pg_class c"                                          \
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"            \
	" LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"           \
	" AND a.attnum > 0 AND NOT a.attisdropped"                             \
	" WHERE c.relkind IN ('r', 'p')"                                       \
	" AND n.nspname NOT IN ('pg_catalog', 'information_schema')"           \
	" AND pg_catalog.left(n.nspname, 8) <> 'pg_toast'"                     \
	" AND NOT pg_catalog.pg_is_other_temp_schema(n.oid)"
#define TABLES_ORDER "n.nspname, c.relname, a.attnum"

static struct pg_db *
pg_of(struct db *db)
{
	return (struct pg_db *)db;
}

/* libpq's notice processor: NOTICE and WARNING never reach stderr. */
static void
drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Copy the first line of s (no trailing blanks) into dst. */
static void
first_line(const char *s, char *dst, size_t size)
{
	size_t n = strcspn(s, "\n");

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	snprintf(dst, size, "%.*s", (int)n, s);
}

/*
 * The connection settings whose values libpq checks before it connects,
 * with the variable that sets each when the URL does not and what each
 * takes (libpq: fe-connect.c connectOptions2() and PQconninfoOptions).
 */
static const struct pg_setting {
	const char *name; /* the URL's parameter, "sslmode" */
	const char *env;  /* "PGSSLMODE" */
	const char *takes;
} pg_settings[] = {
	{ "sslmode", "PGSSLMODE",
	  "disable, allow, prefer, require, verify-ca or verify-full" },
	{ "gssencmode", "PGGSSENCMODE", "disable, prefer or require" },
	{ "channel_binding", "PGCHANNELBINDING", "disable, prefer or require" },
	{ "target_session_attrs", "PGTARGETSESSIONATTRS",
	  "any, read-write, read-only, primary, standby or prefer-standby" },
	{ "load_balance_hosts", "PGLOADBALANCEHOSTS", "disable or random" },
	{ "port", "PGPORT", "a port number" },
	{ "connect_timeout", "PGCONNECT_TIMEOUT", "a number of seconds" },
};

/*
 * A setting libpq refused before connecting, read from its first line:
 * 'invalid sslmode value: "bogus"' or 'invalid integer value "x" for
 * connection option "port"' (reckon never calls setlocale(), so libpq's
 * messages are its English ones). A configuration error naming the
 * setting, the value and where it came from: 0 if line is neither.
 */
static int
bad_setting(const char *url, const char *redacted, const char *line,
	    struct rk_err *err)
{
	char name[64], value[256], key[80];
	const struct pg_setting *st = NULL;

	if (sscanf(line, "invalid %63s value: \"%255[^\"]\"", name, value) !=
		    2 &&
	    sscanf(line,
		   "invalid integer value \"%255[^\"]\" for connection option "
		   "\"%63[^\"]\"",
		   value, name) != 2)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(pg_settings); i++)
		if (strcmp(pg_settings[i].name, name) == 0)
			st = &pg_settings[i];
	snprintf(key, sizeof(key), "%s=", name);
	/* the URL's, unless the URL holds neither the name nor the value (a
	 * port is in its authority; a value scrubbed of a password is its) */
	if (*url &&
	    (strstr(url, key) || strstr(url, value) || strstr(value, "***")))
		rk_fail(err, RK_CONFIG, "invalid %s '%s' in '%s'", name, value,
			redacted);
	else if (st)
		rk_fail(err, RK_CONFIG,
			"invalid %s '%s' (from the environment's %s)", name,
			value, st->env);
	else
		rk_fail(err, RK_CONFIG, "invalid %s '%s'", name, value);
	if (st)
		rk_err_hint(err, "%s takes %s", name, st->takes);
	return 1;
}

/* Whether libpq can read url as a URI or conninfo string at all. */
static int
conninfo_parses(const char *url)
{
	char *msg = NULL;
	PQconninfoOption *o = PQconninfoParse(url, &msg);

	PQfreemem(msg);
	if (!o)
		return 0;
	PQconninfoFree(o);
	return 1;
}

/*
 * Fill err for a failed connection: the redacted URL and libpq's first
 * line; its further lines (tabs dropped) go to the detail. libpq echoes a
 * URI it cannot parse whole, password and all, so its text is scrubbed of
 * the URL and of every password in it before anything keeps it.
 */
static int
connect_fail(const char *url, PGconn *conn, struct rk_err *err)
{
	struct rk_buf red = RK_BUF_INIT, text = RK_BUF_INIT;
	char line[400];
	const char *rest;
	size_t n;

	db_url_redact(url, &red);
	db_url_scrub(url, PQpass(conn), PQerrorMessage(conn), &text);
	first_line(text.s, line, sizeof(line));
	if (bad_setting(url, red.s, line, err))
		goto out;
	if (*url && !conninfo_parses(url)) {
		/* libpq cannot read it at all: bad configuration, not a
		 * connection that failed */
		rk_fail(err, RK_CONFIG,
			"cannot read the connection string '%s': %s", red.s,
			line);
		rk_err_hint(err, "write it as postgres://USER@HOST:PORT/DBNAME "
				 "or 'host=... dbname=...', with special "
				 "characters percent-encoded in a URL");
		goto out;
	}
	if (*url)
		rk_fail(err, RK_DB, "cannot connect to '%s': %s", red.s, line);
	else
		rk_fail(err, RK_DB,
			"cannot connect to PostgreSQL (libpq defaults from "
			"the PG* variables): %s",
			line);
	rest = text.s + strcspn(text.s, "\n");
	while (*rest == '\n' || *rest == '\t' || *rest == ' ')
		rest++;
	n = strlen(rest);
	while (n && (rest[n - 1] == '\n' || rest[n - 1] == ' '))
		n--;
	snprintf(err->detail, sizeof(err->detail), "%.*s", (int)n, rest);
	if (strstr(text.s, "timeout expired"))
		rk_err_hint(err, "the server did not answer in time; check "
				 "the host and port, or wait longer with "
				 "--connect-timeout DURATION");
out:
	rk_buf_release(&text);
	rk_buf_release(&red);
	return -1;
}

/*
 * Fill err from a failed result (res may be NULL when libpq could not even
 * send): the server's primary message, SQLSTATE, detail, hint and position.
 * A dead connection says so first, as no retry on it can work.
 */
static int
pg_fail(struct pg_db *p, const PGresult *res, struct rk_err *err)
{
	const char *primary = NULL, *v;
	struct rk_buf text = RK_BUF_INIT;
	char line[400];

	if (res)
		primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!primary && res && *PQresultErrorMessage(res))
		primary = PQresultErrorMessage(res);
	if (!primary)
		primary = PQerrorMessage(p->conn);
	if (res && PQresultErrorField(res, PG_DIAG_SQLSTATE))
		rk_buf_adds(&text, primary); /* the server's, as it said it */
	else /* libpq's own words may echo the connection string */
		db_url_scrub(p->url, PQpass(p->conn), primary, &text);
	first_line(text.s, line, sizeof(line));
	rk_buf_release(&text);
	if (!*line)
		snprintf(line, sizeof(line), "unexpected result %s",
			 PQresStatus(res ? PQresultStatus(res)
					 : PGRES_FATAL_ERROR));
	if (PQstatus(p->conn) == CONNECTION_BAD)
		rk_fail(err, RK_DB, "connection to server lost: %s", line);
	else
		rk_fail(err, RK_DB, "%s", line);
	if (!res)
		return -1;
	if ((v = PQresultErrorField(res, PG_DIAG_SQLSTATE)) != NULL)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", v);
	if ((v = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) != NULL)
		snprintf(err->detail, sizeof(err->detail), "%s", v);
	if ((v = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)) != NULL)
		snprintf(err->hint, sizeof(err->hint), "%s", v);
	v = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	if (v) {
		long pos = strtol(v, NULL, 10);

		err->position = pos > 0 && pos < 0x7fffffff ? (int)pos : 0;
	}
	return -1;
}

/* 0 if res is a success, else -1 with err filled. */
static int
pg_check(struct pg_db *p, const PGresult *res, struct rk_err *err)
{
	switch (res ? PQresultStatus(res) : PGRES_FATAL_ERROR) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return 0;
	default:
		return pg_fail(p, res, err);
	}
}

static int
is_copy(const PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	return st == PGRES_COPY_IN || st == PGRES_COPY_OUT;
}

/*
 * Get a connection stuck in COPY going again: COPY FROM STDIN is refused
 * (reckon has no data to send, so the server reports the failure), COPY TO
 * STDOUT is read and dropped. Returns the result that ends the SQL text,
 * the first error if there was one.
 */
static PGresult *
finish_copy(PGconn *conn, PGresult *res)
{
	PGresult *next;
	char *data;

	while (is_copy(res)) {
		if (PQresultStatus(res) == PGRES_COPY_IN)
			(void)PQputCopyEnd(conn,
					   "reckon does not feed COPY FROM "
					   "STDIN; use INSERT statements");
		else
			while (PQgetCopyData(conn, &data, 0) > 0)
				PQfreemem(data);
		PQclear(res);
		res = NULL;
		while ((next = PQgetResult(conn)) != NULL) {
			if (res && PQresultStatus(res) == PGRES_FATAL_ERROR) {
				PQclear(next);
				continue;
			}
			PQclear(res);
			res = next;
			if (is_copy(res))
				break;
		}
	}
	return res;
}

/* Copy a result's column names and values into out. */
static void
copy_rows(const PGresult *res, struct db_rows *out)
{
	int nrows = PQntuples(res), ncols = PQnfields(res), i, j;
	size_t k = 0;

	out->nrows = (size_t)nrows;
	out->ncols = (size_t)ncols;
	out->cols = xcalloc((size_t)ncols, sizeof(*out->cols));
	out->vals = xcalloc((size_t)nrows * (size_t)ncols, sizeof(*out->vals));
	for (j = 0; j < ncols; j++)
		out->cols[j] = xstrdup(PQfname(res, j));
	for (i = 0; i < nrows; i++)
		for (j = 0; j < ncols; j++, k++)
			if (!PQgetisnull(res, i, j))
				out->vals[k] = rk_arena_strndup(
					&out->strings, PQgetvalue(res, i, j),
					(size_t)PQgetlength(res, i, j));
}

static int
pg_exec(struct db *db, const char *sql, struct rk_err *err)
{
	struct pg_db *p = pg_of(db);
	PGresult *res = finish_copy(p->conn, PQexec(p->conn, sql));
	int rc = pg_check(p, res, err);

	PQclear(res);
	return rc;
}

static void pg_quote_ident(struct db *db, const char *name, struct rk_buf *out);

/* "reckon_plan_<seq>" */
static void
plan_name(unsigned seq, char *name, size_t n)
{
	snprintf(name, n, "reckon_plan_%u", seq);
}

/* Forget plan k, and deallocate it on the server when dealloc. */
static void
plan_drop(struct pg_db *p, int k, int dealloc)
{
	struct rk_buf sql = RK_BUF_INIT;
	char name[32];

	if (dealloc) {
		plan_name(p->plans[k].seq, name, sizeof(name));
		rk_buf_adds(&sql, "DEALLOCATE ");
		pg_quote_ident(&p->base, name, &sql);
		PQclear(PQexec(p->conn, sql.s));
		rk_buf_release(&sql);
	}
	free(p->plans[k].sql);
	memmove(&p->plans[k], &p->plans[k + 1],
		(size_t)(p->nplans - k - 1) * sizeof(p->plans[0]));
	p->nplans--;
}

/*
 * sql as a statement prepared on this connection: the kept one, or one
 * prepared now (the oldest deallocated when PG_PLANS are kept); -1 when
 * the server would not prepare it (the caller sends it as it is, and
 * gets the error that way).
 */
static int
plan_of(struct pg_db *p, const char *sql, int nparams)
{
	char name[32];
	PGresult *res;

	for (int k = 0; k < p->nplans; k++)
		if (p->plans[k].nparams == nparams &&
		    strcmp(p->plans[k].sql, sql) == 0)
			return k;
	if (p->nplans == PG_PLANS)
		plan_drop(p, 0, 1);
	plan_name(++p->plan_seq, name, sizeof(name));
	res = PQprepare(p->conn, name, sql, nparams, NULL);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		return -1;
	}
	PQclear(res);
	p->plans[p->nplans] =
		(struct pg_plan){ xstrdup(sql), nparams, p->plan_seq };
	return p->nplans++;
}

/*
 * With keep_plans, run sql through its prepared statement: the server
 * parses and plans it once per connection, not once per request. When
 * that fails outside a transaction (the statement was deallocated by
 * someone else, or a table it reads changed its columns), it is dropped
 * and sql sent as it is, whose answer (rows or error) is the one given.
 */
static PGresult *
pg_send(struct pg_db *p, const char *sql, const char *const *params,
	int nparams)
{
	char name[32];
	PGresult *res;
	int k;

	if (!p->keep_plans || (k = plan_of(p, sql, nparams)) < 0)
		return PQexecParams(p->conn, sql, nparams, NULL, params, NULL,
				    NULL, 0);
	plan_name(p->plans[k].seq, name, sizeof(name));
	res = PQexecPrepared(p->conn, name, nparams, params, NULL, NULL, 0);
	if (res && PQresultStatus(res) != PGRES_FATAL_ERROR)
		return res;
	if (PQtransactionStatus(p->conn) != PQTRANS_IDLE)
		return res;
	PQclear(res);
	plan_drop(p, k, 1);
	return PQexecParams(p->conn, sql, nparams, NULL, params, NULL, NULL, 0);
}

static int
pg_query(struct db *db, const char *sql, const char *const *params, int nparams,
	 struct db_rows *out, struct rk_err *err)
{
	struct pg_db *p = pg_of(db);
	PGresult *res;

	if (out)
		*out = (struct db_rows)DB_ROWS_INIT;
	res = finish_copy(p->conn, pg_send(p, sql, params, nparams));
	if (pg_check(p, res, err) < 0) {
		PQclear(res);
		return -1;
	}
	if (out)
		copy_rows(res, out);
	PQclear(res);
	return 0;
}

/*
 * Typed parameters: bytes go in binary format as bytea, integers as int8
 * text, text with its type left to the server, as PQexecParams() does for
 * the text-only pg_query(). The OIDs are pg_type.dat's, fixed since 7.x.
 */
#define PG_BYTEAOID 17
#define PG_INT8OID  20

static int
pg_query_typed(struct db *db, const char *sql, const struct db_param *params,
	       int nparams, struct db_rows *out, struct rk_err *err)
{
	struct pg_db *p = pg_of(db);
	size_t n = nparams > 0 ? (size_t)nparams : 1;
	const char **vals = xcalloc(n, sizeof(*vals));
	int *lens = xcalloc(n, sizeof(*lens));
	int *fmts = xcalloc(n, sizeof(*fmts));
	Oid *types = xcalloc(n, sizeof(*types));
	PGresult *res;
	int rc = -1;

	if (out)
		*out = (struct db_rows)DB_ROWS_INIT;
	for (int i = 0; i < nparams; i++) {
		vals[i] = params[i].s;
		if (params[i].type == DB_BYTES) {
			if (params[i].len > 0x7fffffff)
				rk_bug("bytes parameter of %zu bytes",
				       params[i].len);
			lens[i] = (int)params[i].len;
			fmts[i] = 1;
			types[i] = PG_BYTEAOID;
		} else if (params[i].type == DB_INT) {
			types[i] = PG_INT8OID;
		}
	}
	res = PQexecParams(p->conn, sql, nparams, types, vals, lens, fmts, 0);
	res = finish_copy(p->conn, res);
	if (pg_check(p, res, err) == 0) {
		if (out)
			copy_rows(res, out);
		rc = 0;
	}
	PQclear(res);
	free(types);
	free(fmts);
	free(lens);
	free(vals);
	return rc;
}

/* Set a session setting through a bound parameter. */
static int
pg_set(struct pg_db *p, const char *name, const char *value, struct rk_err *err)
{
	const char *params[2] = { name, value };

	return pg_query(&p->base, "SELECT pg_catalog.set_config($1, $2, false)",
			params, 2, NULL, err);
}

static void
pg_keep_plans(struct db *db, int keep)
{
	struct pg_db *p = pg_of(db);

	p->keep_plans = keep;
	while (!keep && p->nplans > 0)
		plan_drop(p, 0, PQstatus(p->conn) == CONNECTION_OK);
}

static void
pg_close(struct db *db)
{
	struct pg_db *p = pg_of(db);

	for (int k = 0; k < p->nplans; k++)
		free(p->plans[k].sql);

	if (p->cancel)
		PQfreeCancel(p->cancel);
	PQfinish(p->conn);
	free(p->url);
	free(p);
}

/* libpq's connect_timeout when nothing else sets one, in seconds. */
#define DEFAULT_CONNECT_S 10

/* 1 if options (from PQconninfoParse or PQconndefaults) set key. */
static int
option_set(const PQconninfoOption *options, const char *key)
{
	for (const PQconninfoOption *o = options; o && o->keyword; o++)
		if (!strcmp(o->keyword, key))
			return o->val && *o->val;
	return 0;
}

/*
 * The connect_timeout to pass, in seconds as libpq wants it, or -1 to
 * leave libpq's own: the caller's (rounded up, at least libpq's minimum
 * of 2; 0 waits forever), else none when url or the environment
 * (PGCONNECT_TIMEOUT, read by PQconndefaults) sets one, else 10 s. A
 * url that does not parse sets nothing: the connect reports it.
 */
static int
connect_timeout_s(const char *url, int ms)
{
	PQconninfoOption *parsed, *defaults;
	int given;

	if (ms >= 0) {
		int s = (int)(((long)ms + 999) / 1000);

		return s == 1 ? 2 : s;
	}
	parsed = *url ? PQconninfoParse(url, NULL) : NULL;
	defaults = PQconndefaults();
	given = option_set(parsed, "connect_timeout") ||
		option_set(defaults, "connect_timeout");
	PQconninfoFree(parsed);
	PQconninfoFree(defaults);
	return given ? -1 : DEFAULT_CONNECT_S;
}

/* Append value to out as a conninfo value: in single quotes, with '\'
 * and '\\' escaped (libpq's rule for keyword=value strings). */
static void
conninfo_value(const char *v, struct rk_buf *out)
{
	rk_buf_addc(out, '\'');
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			rk_buf_addc(out, '\\');
		rk_buf_addc(out, *v);
	}
	rk_buf_addc(out, '\'');
}

int
db_pg_conninfo_for(const char *url, const char *dbname, int with_password,
		   struct rk_buf *out, char **password, struct rk_err *err)
{
	PQconninfoOption *opts;
	char *msg = NULL;

	if (password)
		*password = NULL;
	if (pq_load(err) < 0)
		return -1;
	opts = PQconninfoParse(*url ? url : "dbname=postgres", &msg);
	if (!opts) {
		struct rk_buf shown = RK_BUF_INIT;

		db_url_redact(url, &shown);
		rk_fail(err, RK_CONFIG,
			"cannot read the connection string '%s'%s%s", shown.s,
			msg ? ": " : "", msg ? msg : "");
		rk_buf_release(&shown);
		PQfreemem(msg);
		return -1;
	}
	for (const PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !strcmp(o->keyword, "dbname"))
			continue;
		if (!strcmp(o->keyword, "password") && !with_password) {
			if (password)
				*password = xstrdup(o->val);
			continue;
		}
		rk_buf_addf(out, "%s=", o->keyword);
		conninfo_value(o->val, out);
		rk_buf_addc(out, ' ');
	}
	rk_buf_adds(out, "dbname=");
	conninfo_value(dbname, out);
	PQconninfoFree(opts);
	return 0;
}

/* The keywords for PQconnectdbParams (and PQpingParams): url, then what
 * overrides it; secs holds connect_timeout's text. */
static void
conn_params(const char *url, const struct db_opts *o, const char *keys[4],
	    const char *vals[4], char secs[16])
{
	int timeout_s = connect_timeout_s(url, o->connect_timeout_ms);

	keys[0] = "dbname";
	vals[0] = url;
	/* Later keys override what the URL says (libpq's expand_dbname):
	 * a chosen name or timeout wins, the fallback name does not. */
	keys[1] =
		o->app_name ? "application_name" : "fallback_application_name";
	vals[1] = o->app_name ? o->app_name : "reckon";
	keys[2] = vals[2] = keys[3] = vals[3] = NULL;
	if (timeout_s >= 0) {
		snprintf(secs, 16, "%d", timeout_s);
		keys[2] = "connect_timeout";
		vals[2] = secs;
	}
}

/* Set a duration setting in ms when it is > 0. */
static int
pg_set_ms(struct pg_db *p, const char *name, int ms, struct rk_err *err)
{
	char text[32];

	if (ms <= 0)
		return 0;
	snprintf(text, sizeof(text), "%dms", ms);
	if (pg_set(p, name, text, err) == 0)
		return 0;
	rk_err_prefix(err, "cannot set %s", name);
	return -1;
}

static int
pg_ping(const char *url, const struct db_opts *o, struct rk_err *err)
{
	const char *keys[4], *vals[4];
	char secs[16];
	struct db *db;

	if (pq_load(err) < 0)
		return -1;
	conn_params(url, o, keys, vals, secs);
	switch (PQpingParams(keys, vals, 1)) {
	case PQPING_OK:
		return 0;
	case PQPING_REJECT:
		return rk_fail(err, RK_DB,
			       "the server does not accept connections yet "
			       "(starting up or shutting down)"),
		       1;
	case PQPING_NO_RESPONSE:
		return rk_fail(err, RK_DB, "no server answers"), 1;
	case PQPING_NO_ATTEMPT:
		break;
	}
	/* the settings are not valid: connecting says how */
	if (db_pg_driver.open(url, o, &db, err) == 0) {
		db_pg_driver.close(db);
		return 0;
	}
	return -1;
}

static int
pg_open(const char *url, const struct db_opts *o, struct db **out,
	struct rk_err *err)
{
	const char *keys[4], *vals[4];
	struct pg_db *p;
	PGconn *conn;
	char secs[16];

	if (pq_load(err) < 0)
		return -1;
	conn_params(url, o, keys, vals, secs);
	conn = PQconnectdbParams(keys, vals, 1);
	if (!conn)
		rk_bug("out of memory in PQconnectdbParams");
	if (PQstatus(conn) != CONNECTION_OK) {
		connect_fail(url, conn, err);
		PQfinish(conn);
		return -1;
	}
	(void)PQsetNoticeProcessor(conn, drop_notice, NULL);
	p = xcalloc(1, sizeof(*p));
	p->base.drv = &db_pg_driver;
	p->conn = conn;
	p->cancel = PQgetCancel(conn);
	p->url = xstrdup(url);
	if (pg_set_ms(p, "lock_timeout", o->lock_timeout_ms, err) < 0 ||
	    pg_set_ms(p, "statement_timeout", o->statement_timeout_ms, err) <
		    0) {
		pg_close(&p->base);
		return -1;
	}
	*out = &p->base;
	return 0;
}

static void
pg_quote_ident(struct db *db, const char *name, struct rk_buf *out)
{
	char *q = PQescapeIdentifier(pg_of(db)->conn, name, strlen(name));

	if (q) {
		rk_buf_adds(out, q);
		PQfreemem(q);
		return;
	}
	/* Invalid in the client encoding: quote by hand; the server will
	 * refuse the name with a proper error. */
	db_quote_double(name, out);
}

static int
pg_tables(struct db *db, const char *const *names, struct db_table_list *out,
	  struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_buf arr = RK_BUF_INIT;
	const char *param;
	int rc;

	if (!names)
		return db_tables_select(db, TABLES_SQL, NULL, NULL,
					TABLES_ORDER, out, err);
	/* the names as one array value, not a parameter each: a statement
	 * with one parameter gets a generic plan the server keeps
	 * (db_keep_plans), where 48 got planned again on every call */
	rk_buf_addc(&arr, '{');
	for (size_t i = 0; names[i]; i++) {
		rk_buf_adds(&arr, i ? ",\"" : "\"");
		for (const char *c = names[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				rk_buf_addc(&arr, '\\');
			rk_buf_addc(&arr, *c);
		}
		rk_buf_addc(&arr, '"');
	}
	rk_buf_addc(&arr, '}');
	param = arr.s;
	*out = (struct db_table_list)DB_TABLE_LIST_INIT;
	rc = pg_query(db,
		      TABLES_SQL " AND c.relname = ANY ($1::pg_catalog.name[])"
				 " ORDER BY " TABLES_ORDER,
		      &param, 1, &rows, err);
	rk_buf_release(&arr);
	if (rc == 0)
		db_tables_from_rows(&rows, out);
	db_rows_release(&rows);
	return rc;
}

static int
pg_begin(struct db *db, struct rk_err *err)
{
	return pg_exec(db, db_pg_driver.begin_sql, err);
}

/* Text quoted by libpq; bytes as bytea's hex input; an integer as
 * written (db_query_typed binds it as int8). */
static void
pg_quote_literal(struct db *db, const struct db_param *prm, struct rk_buf *out)
{
	struct rk_buf hex = RK_BUF_INIT;
	const char *s = prm->s;
	size_t len;
	char *q;

	if (!s) {
		rk_buf_adds(out, "NULL");
		return;
	}
	if (prm->type == DB_INT) { /* "-1" in parentheses: never "x--1" */
		rk_buf_addf(out, *s == '-' ? "(%s)" : "%s", s);
		return;
	}
	len = strlen(s);
	if (prm->type == DB_BYTES) {
		rk_buf_adds(&hex, "\\x");
		for (size_t i = 0; i < prm->len; i++)
			rk_buf_addf(&hex, "%02x", (unsigned char)s[i]);
		s = hex.s;
		len = hex.len;
	}
	q = PQescapeLiteral(pg_of(db)->conn, s, len);
	if (!q)
		rk_bug("PQescapeLiteral: %s", PQerrorMessage(pg_of(db)->conn));
	rk_buf_adds(out, q);
	PQfreemem(q);
	if (prm->type == DB_BYTES)
		rk_buf_adds(out, "::bytea");
	rk_buf_release(&hex);
}

/* Seconds elapsed since start, on the monotonic clock. */
static double
since(const struct timespec *start)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		rk_bug("clock_gettime: %s", strerror(errno));
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * Poll fn (pg_try_advisory_lock or its _xact_ form) on reckon's key until
 * it is had, wait_secs pass, or pg_cancel() is called.
 */
static int
poll_lock(struct db *db, const char *fn, int wait_secs, long *waited_ms,
	  struct rk_err *err)
{
	const struct timespec pause = { 0, LOCK_POLL_NS };
	struct db_rows rows = DB_ROWS_INIT;
	struct timespec start;
	const char *params[1];
	char key[32], sql[96];
	int got;

	snprintf(key, sizeof(key), "%lld", (long long)RK_LOCK_KEY);
	snprintf(sql, sizeof(sql), "SELECT pg_catalog.%s($1::bigint)", fn);
	params[0] = key;
	if (clock_gettime(CLOCK_MONOTONIC, &start) < 0)
		rk_bug("clock_gettime: %s", strerror(errno));
	for (;;) {
		if (pg_query(db, sql, params, 1, &rows, err) < 0)
			return -1;
		got = rows.nrows == 1 && rows.ncols == 1 &&
		      db_rows_get(&rows, 0, 0) &&
		      !strcmp(db_rows_get(&rows, 0, 0), "t");
		db_rows_release(&rows);
		if (waited_ms)
			*waited_ms = (long)(since(&start) * 1000);
		if (got)
			return 0;
		if (pg_of(db)->cancelled)
			return rk_fail(err, RK_DB,
				       "interrupted while waiting for the "
				       "migration lock");
		if (since(&start) >= wait_secs)
			break;
		(void)nanosleep(&pause, NULL);
	}
	rk_fail(err, RK_DB,
		"another reckon run holds the migration lock (advisory lock "
		"%s); waited %ds",
		key, wait_secs > 0 ? wait_secs : 0);
	rk_err_hint(err,
		    "wait for it to finish, or wait longer with --lock-wait "
		    "SECONDS");
	return -1;
}

static int
pg_lock(struct db *db, int wait_secs, struct rk_err *err)
{
	if (PQtransactionStatus(pg_of(db)->conn) == PQTRANS_IDLE)
		rk_bug("db_lock() outside a transaction");
	return poll_lock(db, "pg_try_advisory_xact_lock", wait_secs, NULL, err);
}

static int
pg_run_lock(struct db *db, int wait_secs, long *waited_ms, struct rk_err *err)
{
	struct pg_db *p = pg_of(db);

	if (p->run_locked)
		rk_bug("db_run_lock() twice");
	if (poll_lock(db, "pg_try_advisory_lock", wait_secs, waited_ms, err) <
	    0)
		return -1;
	p->run_locked = 1;
	return 0;
}

/* A dead connection has released the lock already; nothing to report. */
static void
pg_run_unlock(struct db *db)
{
	struct pg_db *p = pg_of(db);
	struct rk_err ignored = RK_ERR_INIT;
	const char *params[1];
	char key[32];

	if (!p->run_locked)
		return;
	p->run_locked = 0;
	if (PQtransactionStatus(p->conn) != PQTRANS_IDLE)
		(void)pg_exec(db, "ROLLBACK", &ignored);
	snprintf(key, sizeof(key), "%lld", (long long)RK_LOCK_KEY);
	params[0] = key;
	(void)pg_query(db, "SELECT pg_catalog.pg_advisory_unlock($1::bigint)",
		       params, 1, NULL, &ignored);
}

static int
pg_idle(struct db *db)
{
	struct pg_db *p = pg_of(db);
	struct pollfd pfd;

	if (PQstatus(p->conn) != CONNECTION_OK ||
	    PQtransactionStatus(p->conn) != PQTRANS_IDLE || p->run_locked)
		return 0;
	pfd.fd = PQsocket(p->conn);
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* an idle session is sent nothing: whatever came, or EOF, says it
	 * is over (or at least not as the last request left it) */
	return pfd.fd >= 0 && poll(&pfd, 1, 0) == 0;
}

/* From a signal handler: PQcancel() is async-signal-safe. */
static void
pg_cancel(struct db *db)
{
	struct pg_db *p = pg_of(db);
	char buf[256];

	p->cancelled = 1;
	if (p->cancel)
		(void)PQcancel(p->cancel, buf, (int)sizeof(buf));
}

static int
pg_info(struct db *db, struct db_info *out, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	const char *v;

	memset(out, 0, sizeof(*out));
	if (pg_query(db,
		     "SELECT pg_catalog.current_setting('server_version'),"
		     " current_user, pg_catalog.current_database(),"
		     " pg_catalog.current_schema()",
		     NULL, 0, &rows, err) < 0)
		return -1;
	if (rows.nrows != 1 || rows.ncols != 4)
		rk_bug("session info: %zu rows", rows.nrows);
	/* "15.18 (Debian 15.18-1)": the version is the first word. */
	v = db_rows_get(&rows, 0, 0);
	snprintf(out->server_version, sizeof(out->server_version), "%.*s",
		 (int)strcspn(v ? v : "", " "), v ? v : "");
	v = db_rows_get(&rows, 0, 1);
	snprintf(out->user, sizeof(out->user), "%s", v ? v : "");
	v = db_rows_get(&rows, 0, 2);
	snprintf(out->database, sizeof(out->database), "%s", v ? v : "");
	v = db_rows_get(&rows, 0, 3);
	snprintf(out->schema, sizeof(out->schema), "%s", v ? v : "");
	out->server_version_num = PQserverVersion(pg_of(db)->conn);
	snprintf(out->host, sizeof(out->host), "%s",
		 PQhost(pg_of(db)->conn) ? PQhost(pg_of(db)->conn) : "");
	snprintf(out->port, sizeof(out->port), "%s",
		 PQport(pg_of(db)->conn) ? PQport(pg_of(db)->conn) : "");
	snprintf(out->login, sizeof(out->login), "%s",
		 PQuser(pg_of(db)->conn) ? PQuser(pg_of(db)->conn) : "");
	snprintf(out->reached, sizeof(out->reached), "%s@%s:%s/%s", out->user,
		 PQhost(pg_of(db)->conn) ? PQhost(pg_of(db)->conn) : "",
		 PQport(pg_of(db)->conn) ? PQport(pg_of(db)->conn) : "",
		 out->database);
	db_rows_release(&rows);
	return 0;
}

static const char *
pg_password(struct db *db)
{
	const char *p = PQpass(pg_of(db)->conn);

	return p && *p ? p : NULL;
}

const struct db_driver db_pg_driver = {
	.password = pg_password,
	.name = "postgres",
	.kind = DB_PG,
	.dialect = &db_dialect_pg,
	.open = pg_open,
	.ping = pg_ping,
	.close = pg_close,
	.exec = pg_exec,
	.query = pg_query,
	.query_typed = pg_query_typed,
	.quote_ident = pg_quote_ident,
	.keep_plans = pg_keep_plans,
	.tables = pg_tables,
	.begin = pg_begin,
	.begin_sql = "BEGIN",
	.quote_literal = pg_quote_literal,
	.lock = pg_lock,
	.run_lock = pg_run_lock,
	.run_unlock = pg_run_unlock,
	.idle = pg_idle,
	.cancel = pg_cancel,
	.info = pg_info,
};
