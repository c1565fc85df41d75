/*
 * The conformance suite both database drivers must pass (db.h's promises),
 * run against real servers and no mocks: once on a PostgreSQL server (URL
 * from RECKON_TEST_PG_URL; default "", libpq's PG* variables, as
 * pg_virtualenv sets them) in a schema of its own that it drops at the end,
 * and once on a SQLite file in a temporary directory. The same test
 * functions run on both; a few cover what only one driver has (advisory
 * lock, connection errors; busy timeout, file permissions). The URL tests
 * need no database. Not here: detectors, the runner, the CLI.
 */
#include <dirent.h>
#include <setjmp.h> /* setjmp.h to stdint.h: cmocka.h needs them first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/base/err.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

/* One driver under test: the group setup fills it. */
struct fx {
	struct db *db;	 /* the main connection */
	char url[512];	 /* for second connections */
	char schema[64]; /* PG: this run's schema; SQLite: "" */
	char dir[256];	 /* SQLite: the temporary directory */
	char path[320];	 /* SQLite: the database file */
	char role[80];	 /* PG: a role the password test made, or "" */
};

/* The uid/gid the read-only test drops to when run as root. */
#define NOBODY 65534

static struct fx *
fx_of(void **state)
{
	return *state;
}

/* The schema tables() reports this run's tables in. */
static const char *
fx_schema(const struct fx *fx)
{
	return *fx->schema ? fx->schema : "main";
}

/* tmpl with every "@T" replaced by the qualified, quoted table name. */
static char *
tsql(struct fx *fx, const char *tmpl, const char *table)
{
	struct rk_buf b = RK_BUF_INIT;
	const char *at;

	while ((at = strstr(tmpl, "@T")) != NULL) {
		rk_buf_add(&b, tmpl, (size_t)(at - tmpl));
		db_quote_qualified(fx->db, fx->schema, table, &b);
		tmpl = at + 2;
	}
	rk_buf_adds(&b, tmpl);
	return rk_buf_detach(&b, NULL);
}

static void
run_on(struct db *db, const char *sql)
{
	struct rk_err err = RK_ERR_INIT;

	if (db_exec(db, sql, &err) < 0)
		fail_msg("exec failed: %s\n  sql: %s", err.msg, sql);
}

/* Execute tmpl (with @T for table), failing the test on error. */
static void
run(struct fx *fx, const char *tmpl, const char *table)
{
	struct rk_err err = RK_ERR_INIT;
	char *sql = tsql(fx, tmpl, table);
	char shown[200];
	int rc = db_exec(fx->db, sql, &err);

	snprintf(shown, sizeof(shown), "%s", sql);
	free(sql);
	if (rc < 0)
		fail_msg("exec failed: %s\n  sql: %s", err.msg, shown);
}

/* Query tmpl (with @T for table) into rows, failing the test on error. */
static void
ask(struct fx *fx, const char *tmpl, const char *table,
    const char *const *params, int n, struct db_rows *rows)
{
	struct rk_err err = RK_ERR_INIT;
	char *sql = tsql(fx, tmpl, table);
	char shown[200];
	int rc = db_query(fx->db, sql, params, n, rows, &err);

	snprintf(shown, sizeof(shown), "%s", sql);
	free(sql);
	if (rc < 0)
		fail_msg("query failed: %s\n  sql: %s", err.msg, shown);
}

/* Query tmpl expecting failure; returns the error. */
static struct rk_err
ask_fails(struct fx *fx, const char *tmpl, const char *table,
	  const char *const *params, int n)
{
	struct rk_err err = RK_ERR_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	char *sql = tsql(fx, tmpl, table);

	if (db_query(fx->db, sql, params, n, &rows, &err) == 0)
		fail_msg("query succeeded, expected an error: %s", sql);
	free(sql);
	assert_int_equal(rows.nrows, 0);
	assert_int_equal(err.kind, RK_DB);
	assert_true(*err.msg);
	return err;
}

/* The single value of rows, copied (NULL for SQL NULL); releases rows. */
static char *
only_value(struct db_rows *rows)
{
	const char *v;
	char *s;

	assert_int_equal(rows->nrows, 1);
	assert_int_equal(rows->ncols, 1);
	v = db_rows_get(rows, 0, 0);
	s = v ? xstrdup(v) : NULL;
	db_rows_release(rows);
	return s;
}

/* The single value a query returns. */
static char *
ask1(struct fx *fx, const char *tmpl, const char *table,
     const char *const *params, int n)
{
	struct db_rows rows = DB_ROWS_INIT;

	ask(fx, tmpl, table, params, n, &rows);
	return only_value(&rows);
}

static void
assert_ask1(struct fx *fx, const char *tmpl, const char *table,
	    const char *const *params, int n, const char *want)
{
	char *got = ask1(fx, tmpl, table, params, n);

	if (!want)
		assert_null(got);
	else
		assert_non_null(got);
	if (want)
		assert_string_equal(got, want);
	free(got);
}

static int
has_table(struct fx *fx, const char *name)
{
	struct db_table_list l = DB_TABLE_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	int found;

	if (db_tables(fx->db, &l, &err) < 0)
		fail_msg("tables failed: %s", err.msg);
	found = db_table_find(&l, fx_schema(fx), name) != NULL;
	db_table_list_release(&l);
	return found;
}

static void
contains(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("'%s' does not contain '%s'", s, want);
}

static void
lacks(const char *s, const char *unwanted)
{
	if (strstr(s, unwanted))
		fail_msg("'%s' contains '%s'", s, unwanted);
}

/* A second connection to the same database. */
static struct db *
second(struct fx *fx, const struct db_opts *o)
{
	struct rk_err err = RK_ERR_INIT;
	struct db *db;

	if (db_open(fx->url, o, &db, &err) < 0)
		fail_msg("second connection failed: %s", err.msg);
	return db;
}

/* ---- URLs (no database) ---- */

static void
test_redact(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "postgres://app:s3cret@db/prod",
		  "postgres://app:***@db/prod" },
		{ "postgresql://app@db:5432/prod",
		  "postgresql://app@db:5432/prod" },
		{ "postgres://u:p%40ss@h:5432/d?sslmode=require",
		  "postgres://u:***@h:5432/d?sslmode=require" },
		{ "postgres://u:pa@ss/x@h/d", "postgres://u:***@h/d" },
		{ "postgres://h/d?sslmode=require&password=s3cret&user=u",
		  "postgres://h/d?sslmode=require&password=***&user=u" },
		{ "postgres://h/d?password=s3cret",
		  "postgres://h/d?password=***" },
		{ "postgres://u:s3cret@h1:5432,h2/d",
		  "postgres://u:***@h1:5432,h2/d" },
		{ "host=db dbname=prod password=s3cret user=app",
		  "host=db dbname=prod password=*** user=app" },
		{ "host=db password = 'se cr\\'et' dbname=prod",
		  "host=db password = *** dbname=prod" },
		{ "password=s3cret", "password=***" },
		{ "sqlite:/var/lib/app.db", "sqlite:/var/lib/app.db" },
		{ "sqlite::memory:", "sqlite::memory:" },
		{ "data/app.db", "data/app.db" },
		{ "mysql://root:hunter2@h/db", "mysql://root:***@h/db" },
		/* libpq's userinfo runs to the first '@': '?' and '#' in it
		 * are the password's */
		{ "postgres://u:se?cr#et@h/d?sslmode=require",
		  "postgres://u:***@h/d?sslmode=require" },
		/* a parameter value runs to the next '&', '#' and all */
		{ "postgres://h/d?password=se#cret&user=u",
		  "postgres://h/d?password=***&user=u" },
		/* libpq decodes parameter names too */
		{ "postgres://h/d?pass%77ord=s3cret",
		  "postgres://h/d?pass%77ord=***" },
		{ "postgres://h:5432/d?options=a@b",
		  "postgres://h:5432/d?options=a@b" },
		{ "postgres://u:s3cret@[::1", "postgres://u:***@[::1" },
		{ "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rk_buf b = RK_BUF_INIT;

		db_url_redact(cases[i].in, &b);
		assert_string_equal(b.s, cases[i].out);
		rk_buf_release(&b);
	}
}

/* libpq's messages echo URIs and pieces of them; none keeps a password. */
static void
test_scrub(void **state)
{
	static const struct {
		const char *url, *extra, *text, *out;
	} cases[] = {
		{ "postgres://app:s3cret@[::1", NULL,
		  "end of string reached in URI: "
		  "\"postgres://app:s3cret@[::1\"",
		  "end of string reached in URI: \"postgres://app:***@[::1\"" },
		{ "postgres://app:p%40ss@[::1", NULL, "a p%40ss b p@ss c",
		  "a *** b *** c" },
		{ "postgres://app:s%zzcret@h/d", NULL,
		  "invalid percent-encoded token: \"s%zzcret\"",
		  "invalid percent-encoded token: \"***\"" },
		{ "postgres://app:ab/cd@[::1", NULL,
		  "invalid integer value \"ab\" for connection option "
		  "\"port\"",
		  "invalid integer value \"***\" for connection option "
		  "\"port\"" },
		{ "host=h password='se cr\\'et'", NULL,
		  "x 'se cr\\'et' y se cr'et z", "x *** y *** z" },
		{ "postgres://h/d?password=s%33cret", NULL, "s%33cret s3cret",
		  "*** ***" },
		{ "host=h", "fromenv", "no fromenv here", "no *** here" },
		{ "", NULL, "nothing to hide", "nothing to hide" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rk_buf b = RK_BUF_INIT;

		db_url_scrub(cases[i].url, cases[i].extra, cases[i].text, &b);
		assert_string_equal(b.s, cases[i].out);
		rk_buf_release(&b);
	}
}

static void
test_kind_of_url(void **state)
{
	static const struct {
		const char *url;
		enum db_kind kind;
	} cases[] = {
		{ "", DB_PG },
		{ "postgres://u@h/d", DB_PG },
		{ "postgresql://u@h/d", DB_PG },
		{ "host=x dbname=y", DB_PG },
		{ "  dbname = y", DB_PG },
		{ "dbname=app.db", DB_PG },
		{ "sqlite:app.db", DB_SQLITE },
		{ "sqlite:relative/file", DB_SQLITE },
		{ "sqlite:///abs/file", DB_SQLITE },
		{ "sqlite::memory:", DB_SQLITE },
		{ "app.db", DB_SQLITE },
		{ "/var/lib/x.sqlite", DB_SQLITE },
		{ "dir/x.sqlite3", DB_SQLITE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rk_err err = RK_ERR_INIT;
		enum db_kind kind = cases[i].kind == DB_PG ? DB_SQLITE : DB_PG;

		if (db_kind_of_url(cases[i].url, &kind, &err) < 0)
			fail_msg("'%s': %s", cases[i].url, err.msg);
		assert_int_equal(kind, cases[i].kind);
	}
}

static void
test_kind_bad_url(void **state)
{
	static const char *const bad[] = {
		"mysql://root:hunter2@h/db",
		"notes.txt",
		"app.db.bak",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct rk_err err = RK_ERR_INIT;
		enum db_kind kind;
		struct db *db = NULL;

		assert_int_equal(db_kind_of_url(bad[i], &kind, &err), -1);
		assert_int_equal(err.kind, RK_CONFIG);
		contains(err.msg, "unsupported database URL");
		contains(err.msg, "postgres://");
		contains(err.msg, "sqlite:PATH");
		contains(err.msg, "sqlite::memory:");
		contains(err.msg, ".sqlite3");
		lacks(err.msg, "hunter2");
		rk_err_clear(&err);
		assert_int_equal(db_open(bad[i], NULL, &db, &err), -1);
		assert_null(db);
		assert_int_equal(err.kind, RK_CONFIG);
	}
	{
		struct rk_err err = RK_ERR_INIT;
		enum db_kind kind;

		assert_int_equal(db_kind_of_url(bad[0], &kind, &err), -1);
		contains(err.msg, "'mysql://root:***@h/db'");
	}
}

/* ---- both drivers ---- */

static void
test_exec_multi(void **state)
{
	struct fx *fx = fx_of(state);

	run(fx,
	    "CREATE TABLE @T (id integer, v text);\n"
	    "INSERT INTO @T (id, v) VALUES (1, 'a');\n"
	    "-- a comment between statements\n"
	    "INSERT INTO @T (id, v) VALUES (2, 'b; still b');",
	    "t_multi");
	assert_ask1(fx, "SELECT count(*) FROM @T", "t_multi", NULL, 0, "2");
	assert_ask1(fx, "SELECT v FROM @T WHERE id = 2", "t_multi", NULL, 0,
		    "b; still b");
	/* Nothing to run is not an error. */
	run(fx, "", "t_multi");
	run(fx, "  -- only a comment\n", "t_multi");
	run(fx, ";", "t_multi");
}

static void
test_query_params(void **state)
{
	static const char *const vals[] = {
		"it's",
		"a;b",
		"'); DROP TABLE t_params;--",
		"\"quoted\" $1 ? :x @y",
		"",
		NULL,
		"caf\xc3\xa9 \xe2\x82\xac",
		"line\nbreak\ttab",
	};
	struct fx *fx = fx_of(state);
	char id[16];
	size_t i;

	run(fx, "CREATE TABLE @T (id integer, v text)", "t_params");
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		const char *p[2] = { id, vals[i] };

		snprintf(id, sizeof(id), "%zu", i);
		ask(fx, "INSERT INTO @T (id, v) VALUES ($1, $2)", "t_params", p,
		    2, NULL);
	}
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		const char *p[1] = { id };

		snprintf(id, sizeof(id), "%zu", i);
		assert_ask1(fx, "SELECT v FROM @T WHERE id = $1", "t_params", p,
			    1, vals[i]);
	}
	{
		const char *p[1] = { vals[2] };

		assert_ask1(fx, "SELECT count(*) FROM @T WHERE v = $1",
			    "t_params", p, 1, "1");
	}
	{
		const char *p[1] = { NULL };

		/* NULL is bound as SQL NULL: "v = NULL" matches nothing. */
		assert_ask1(fx, "SELECT count(*) FROM @T WHERE v = $1",
			    "t_params", p, 1, "0");
		assert_ask1(fx, "SELECT count(*) FROM @T WHERE v IS NULL",
			    "t_params", NULL, 0, "1");
	}
	{
		/* The same parameter twice, and parameters out of order. */
		const char *p[2] = { "x", "y" };

		assert_ask1(fx, "SELECT $2 || $1 || $2", "t_params", p, 2,
			    "yxy");
	}
	assert_true(has_table(fx, "t_params"));
	assert_ask1(fx, "SELECT count(*) FROM @T", "t_params", NULL, 0, "8");
}

/* tmpl with the dialect's tokens spelled for fx's engine (then @T). */
static char *
dsql(struct fx *fx, const char *tmpl)
{
	struct rk_buf b = RK_BUF_INIT;

	db_dialect_expand(fx->db, tmpl, &b);
	return rk_buf_detach(&b, NULL);
}

/* The single value a typed query returns (NULL for SQL NULL). */
static char *
ask1_typed(struct fx *fx, const char *tmpl, const char *table,
	   const struct db_param *params, int n)
{
	struct rk_err err = RK_ERR_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	char *sql = tsql(fx, tmpl, table);

	if (db_query_typed(fx->db, sql, params, n, &rows, &err) < 0)
		fail_msg("query failed: %s\n  sql: %s", err.msg, sql);
	free(sql);
	return only_value(&rows);
}

/*
 * Typed parameters: bytes with a NUL and high bytes arrive whole as the
 * engine's bytes type (no text on the way, so nothing stops at the NUL or
 * is checked as UTF-8), integers as integers, NULL as SQL NULL.
 */
static void
test_typed_params(void **state)
{
	static const char raw[] = { 'a', '\0', '\xff', '\x80', '\'', 'z' };
	struct fx *fx = fx_of(state);
	const struct db_dialect *d = db_dialect(fx->db);
	struct db_param p[3] = {
		{ DB_INT, "7", 0 },
		{ DB_BYTES, raw, sizeof(raw) },
		{ DB_INT, "9007199254740993", 0 },
	};
	struct rk_buf q = RK_BUF_INIT;
	char *ddl = dsql(fx, "CREATE TABLE @T (id integer, b %BYTES, n %INT)");
	char *v;

	run(fx, ddl, "t_typed");
	free(ddl);
	v = ask1_typed(fx,
		       "INSERT INTO @T (id, b, n) VALUES ($1, $2, $3) "
		       "RETURNING id",
		       "t_typed", p, 3);
	assert_string_equal(v, "7");
	free(v);
	rk_buf_addf(&q, "SELECT %sb%s FROM @T WHERE id = $1", d->hex_open,
		    d->hex_close);
	v = ask1_typed(fx, q.s, "t_typed", p, 1);
	assert_string_equal(v, "6100ff80277a");
	free(v);
	v = ask1_typed(fx, "SELECT n FROM @T WHERE id = $1", "t_typed", p, 1);
	assert_string_equal(v, "9007199254740993");
	free(v);
	/* bytes compare as bytes: the stored value equals the bound one */
	p[0] = (struct db_param){ DB_BYTES, raw, sizeof(raw) };
	v = ask1_typed(fx, "SELECT count(*) FROM @T WHERE b = $1", "t_typed", p,
		       1);
	assert_string_equal(v, "1");
	free(v);
	/* NULL binds SQL NULL whatever its type; empty bytes are not NULL */
	p[0] = (struct db_param){ DB_BYTES, NULL, 0 };
	p[1] = (struct db_param){ DB_BYTES, "", 0 };
	v = ask1_typed(fx,
		       "SELECT CASE WHEN $1 IS NULL AND $2 IS NOT NULL THEN "
		       "'ok' ELSE 'bad' END",
		       "t_typed", p, 2);
	assert_string_equal(v, "ok");
	free(v);
	p[0] = (struct db_param){ DB_TEXT, "it's", 0 };
	v = ask1_typed(fx, "SELECT $1", "t_typed", p, 1);
	assert_string_equal(v, "it's");
	free(v);
	rk_buf_release(&q);
}

/*
 * db_capture: writes go to the sink, not the server, with their bound
 * values quoted by the driver; sent afterwards as text, those literals
 * store exactly what binding them stores. Reads still run.
 */
static void
test_capture(void **state)
{
	static const char raw[] = { 'a', '\0', '\xff', '\\', '\'', 'z' };
	static const char weird[] = "it's \\ a \"$1\" -- not; a comment\n"
				    "\xc3\xa9\xe2\x82\xac";
	struct fx *fx = fx_of(state);
	struct db_param p[4] = {
		{ DB_TEXT, weird, 0 },
		{ DB_BYTES, raw, sizeof(raw) },
		{ DB_INT, "-9007199254740993", 0 },
		{ DB_TEXT, NULL, 0 },
	};
	const char *tp[2] = { "o'k", NULL };
	struct rk_buf sink = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	char *ddl =
		dsql(fx, "CREATE TABLE @T (s text, b %BYTES, n %INT, z text)");
	char *ins = tsql(fx,
			 "INSERT INTO @T (s, b, n, z) VALUES ($1, $2, $3, "
			 "$4)",
			 "t_cap");
	char *ins2 = tsql(fx, "INSERT INTO @T (s, z) VALUES ($1, $2)", "t_cap");
	char *count = tsql(fx, "SELECT count(*) FROM @T", "t_cap");
	char *v;

	run(fx, ddl, "t_cap");
	free(ddl);
	db_capture(fx->db, &sink);
	assert_int_equal(db_begin(fx->db, &err), 0);
	assert_int_equal(db_query_typed(fx->db, ins, p, 4, NULL, &err), 0);
	assert_int_equal(db_query(fx->db, ins2, tp, 2, NULL, &err), 0);
	assert_int_equal(db_exec(fx->db, "SELECT 1", &err), 0);
	/* a read that wants rows runs, and is not in the text */
	assert_int_equal(db_query(fx->db, count, NULL, 0, &rows, &err), 0);
	v = only_value(&rows);
	assert_string_equal(v, "0");
	free(v);
	assert_int_equal(db_commit(fx->db, &err), 0);
	db_capture(fx->db, NULL);
	lacks(sink.s, "SELECT count(*)");
	contains(sink.s,
		 db_kind(fx->db) == DB_PG ? "BEGIN;\n" : "BEGIN IMMEDIATE;\n");
	contains(sink.s, "bound parameters at run time");
	contains(sink.s, "SELECT 1;\nCOMMIT;\n");
	lacks(sink.s, "VALUES ($");
	contains(sink.s, "(-9007199254740993)"); /* never "x--9", a comment */
	/* nothing reached the table while capturing */
	assert_ask1(fx, "SELECT count(*) FROM @T", "t_cap", NULL, 0, "0");
	/* the text, sent, stores what binding stores */
	run_on(fx->db, sink.s);
	assert_int_equal(db_query_typed(fx->db, ins, p, 4, NULL, &err), 0);
	assert_int_equal(db_query(fx->db, ins2, tp, 2, NULL, &err), 0);
	assert_ask1(fx, "SELECT count(*) FROM @T", "t_cap", NULL, 0, "4");
	v = ask1_typed(fx,
		       "SELECT count(*) FROM @T WHERE s = $1 AND b = $2 AND "
		       "n = $3 AND z IS NULL",
		       "t_cap", p, 3);
	assert_string_equal(v, "2");
	free(v);
	assert_ask1(fx,
		    "SELECT count(*) FROM @T WHERE s = $1 AND z IS NULL AND "
		    "b IS NULL",
		    "t_cap", tp, 1, "2");
	free(count);
	free(ins2);
	free(ins);
	rk_buf_release(&sink);
}

/*
 * The dialect the driver hands out: one per engine, its lexer the one the
 * engine's SQL splits with, and every token spelled so the engine accepts
 * it and means the same thing.
 */
static void
test_dialect(void **state)
{
	static const char *const facts[DB_NKINDS] = {
		[DB_PG] = "pg",
		[DB_SQLITE] = "sqlite",
	};
	struct fx *fx = fx_of(state);
	const struct db_dialect *d = db_dialect(fx->db);
	struct rk_buf q = RK_BUF_INIT;
	char *sql, *v, at[32];
	const char *iso;
	size_t n;

	assert_int_equal(d->kind, db_kind(fx->db));
	assert_ptr_equal(d, db_dialect_for(d->kind));
	assert_string_equal(d->name, d->lex->name);
	assert_string_equal(db_pick(fx->db, facts),
			    d->kind == DB_PG ? "pg" : "sqlite");
	assert_int_equal(d->schemas, *fx->schema != '\0');
	/* booleans */
	v = ask1(fx, sql = dsql(fx, "SELECT CASE WHEN %TRUE THEN 1 ELSE 0 END"),
		 NULL, NULL, 0);
	assert_string_equal(v, "1");
	free(v);
	free(sql);
	v = ask1(fx,
		 sql = dsql(fx, "SELECT CASE WHEN %FALSE THEN 1 ELSE 0 END"),
		 NULL, NULL, 0);
	assert_string_equal(v, "0");
	free(v);
	free(sql);
	/* a 64-bit cast keeps every digit */
	v = ask1(fx,
		 sql = dsql(fx, "SELECT CAST('-9223372036854775808' AS %INT)"),
		 NULL, NULL, 0);
	assert_string_equal(v, "-9223372036854775808");
	free(v);
	free(sql);
	/* now, stored in a time column and read back as ISO 8601 UTC */
	sql = dsql(fx, "CREATE TABLE @T (at %TS NOT NULL)");
	run(fx, sql, "t_dialect");
	free(sql);
	sql = dsql(fx, "INSERT INTO @T (at) VALUES (%NOW)");
	run(fx, sql, "t_dialect");
	free(sql);
	rk_buf_addf(&q, "SELECT %sat%s FROM @T", d->ts_read_open,
		    d->ts_read_close);
	v = ask1(fx, q.s, "t_dialect", NULL, 0);
	iso = db_ts_iso(d, v, at);
	assert_non_null(iso);
	n = strlen(iso);
	assert_int_equal(n, 20);
	assert_true(iso[4] == '-' && iso[10] == 'T' && iso[n - 1] == 'Z');
	free(v);
	/* a time read back is the time stored, to the second, truncated */
	sql = dsql(fx, "DELETE FROM @T");
	run(fx, sql, "t_dialect");
	free(sql);
	sql = dsql(fx, d->ts_epoch ? "INSERT INTO @T (at) VALUES "
				     "('2025-01-10 12:34:56.999+00')"
				   : "INSERT INTO @T (at) VALUES "
				     "('2025-01-10T12:34:56Z')");
	run(fx, sql, "t_dialect");
	free(sql);
	v = ask1(fx, q.s, "t_dialect", NULL, 0);
	assert_string_equal(db_ts_iso(d, v, at), "2025-01-10T12:34:56Z");
	free(v);
	if (d->ts_epoch) { /* an infinite time reads as no time */
		sql = dsql(fx, "UPDATE @T SET at = 'infinity'");
		run(fx, sql, "t_dialect");
		free(sql);
		v = ask1(fx, q.s, "t_dialect", NULL, 0);
		assert_null(db_ts_iso(d, v, at));
		free(v);
	}
	/* the session role: a name where the engine has roles, else '' */
	v = ask1(fx, sql = dsql(fx, "SELECT %USER"), NULL, NULL, 0);
	assert_non_null(v);
	assert_int_equal(*v != '\0', d->users);
	free(v);
	free(sql);
	/* only whole tokens are replaced: strftime's %S and %TSX stay */
	rk_buf_reset(&q);
	db_dialect_expand(fx->db, "'%S %TSX %T %NOW_'", &q);
	assert_string_equal(q.s, "'%S %TSX %T %NOW_'");
	rk_buf_release(&q);
}

static void
test_rows_copied(void **state)
{
	struct fx *fx = fx_of(state);
	struct db_rows rows = DB_ROWS_INIT;

	ask(fx,
	    "SELECT 1 AS one, NULL AS missing, '' AS empty, 'x' AS \"Mixed\"",
	    "", NULL, 0, &rows);
	assert_int_equal(rows.nrows, 1);
	assert_int_equal(rows.ncols, 4);
	assert_string_equal(rows.cols[0], "one");
	assert_string_equal(rows.cols[1], "missing");
	assert_string_equal(rows.cols[2], "empty");
	assert_string_equal(rows.cols[3], "Mixed");
	assert_string_equal(db_rows_get(&rows, 0, 0), "1");
	assert_null(db_rows_get(&rows, 0, 1));
	assert_non_null(db_rows_get(&rows, 0, 2));
	assert_string_equal(db_rows_get(&rows, 0, 2), "");
	assert_string_equal(db_rows_get(&rows, 0, 3), "x");
	db_rows_release(&rows);
	assert_int_equal(rows.nrows, 0);
	assert_null(rows.vals);

	run(fx,
	    "CREATE TABLE @T (a integer, b text);"
	    " INSERT INTO @T VALUES (1, 'one');"
	    " INSERT INTO @T VALUES (2, NULL);"
	    " INSERT INTO @T VALUES (3, 'three')",
	    "t_rows");
	ask(fx, "SELECT a, b FROM @T ORDER BY a", "t_rows", NULL, 0, &rows);
	assert_int_equal(rows.nrows, 3);
	assert_int_equal(rows.ncols, 2);
	assert_string_equal(db_rows_get(&rows, 1, 0), "2");
	assert_null(db_rows_get(&rows, 1, 1));
	assert_string_equal(db_rows_get(&rows, 2, 1), "three");
	db_rows_release(&rows);

	/* No rows: the columns are still known. */
	ask(fx, "SELECT a, b FROM @T WHERE a > 10", "t_rows", NULL, 0, &rows);
	assert_int_equal(rows.nrows, 0);
	assert_int_equal(rows.ncols, 2);
	assert_string_equal(rows.cols[1], "b");
	db_rows_release(&rows);

	/* A statement without a result set. */
	ask(fx, "UPDATE @T SET b = 'two' WHERE a = 2", "t_rows", NULL, 0,
	    &rows);
	assert_int_equal(rows.nrows, 0);
	db_rows_release(&rows);
	assert_ask1(fx, "SELECT b FROM @T WHERE a = 2", "t_rows", NULL, 0,
		    "two");
}

static void
test_quote_ident_weird(void **state)
{
	static const char *const names[] = { "a\"b", "Mixed Case",
					     "semi;colon" };
	struct fx *fx = fx_of(state);
	struct rk_buf b = RK_BUF_INIT;
	struct db_table_list l = DB_TABLE_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	size_t i;

	db_quote_ident(fx->db, "a\"b", &b);
	assert_string_equal(b.s, "\"a\"\"b\"");
	rk_buf_reset(&b);
	db_quote_qualified(fx->db, NULL, "x", &b);
	assert_string_equal(b.s, "\"x\"");
	rk_buf_reset(&b);
	db_quote_qualified(fx->db, "", "x", &b);
	assert_string_equal(b.s, "\"x\"");
	rk_buf_reset(&b);
	db_quote_qualified(fx->db, "s", "x", &b);
	assert_string_equal(b.s, "\"s\".\"x\"");
	rk_buf_release(&b);

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const char *p[1] = { names[i] };

		rk_buf_adds(&b, "CREATE TABLE @T (");
		db_quote_ident(fx->db, names[i], &b);
		rk_buf_adds(&b, " integer, ");
		db_quote_ident(fx->db, "other", &b);
		rk_buf_adds(&b, " text); INSERT INTO @T (other) VALUES ('x')");
		run(fx, b.s, names[i]);
		rk_buf_reset(&b);
		rk_buf_adds(&b, "SELECT count(*) FROM @T WHERE other = 'x'");
		assert_ask1(fx, b.s, names[i], NULL, 0, "1");
		rk_buf_reset(&b);
		/* The name came back from the server as it was sent. */
		assert_ask1(fx, "SELECT $1", "", p, 1, names[i]);
	}
	rk_buf_release(&b);
	if (db_tables(fx->db, &l, &err) < 0)
		fail_msg("tables failed: %s", err.msg);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const struct db_table *t =
			db_table_find(&l, fx_schema(fx), names[i]);

		if (!t)
			fail_msg("table '%s' not in tables()", names[i]);
		assert_string_equal(t->name, names[i]);
		assert_int_equal(t->ncols, 2);
		assert_string_equal(t->cols[0].name, names[i]);
		assert_string_equal(t->cols[1].name, "other");
	}
	/* Case is kept: "mixed case" is another name. */
	assert_null(db_table_find(&l, fx_schema(fx), "mixed case"));
	assert_null(db_table_find(&l, "no_such_schema", names[1]));
	assert_non_null(db_table_find(&l, NULL, names[1]));
	db_table_list_release(&l);
	assert_int_equal(l.n, 0);
}

static void
test_tables_columns(void **state)
{
	struct fx *fx = fx_of(state);
	struct db_table_list l = DB_TABLE_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	const struct db_table *t;
	int pg = db_kind(fx->db) == DB_PG;
	size_t i;

	run(fx,
	    "CREATE TABLE @T (id INTEGER NOT NULL, name VARCHAR(20),"
	    " note TEXT, at TIMESTAMP, \"Zeta\" TEXT NOT NULL)",
	    "t_cols");
	if (db_tables(fx->db, &l, &err) < 0)
		fail_msg("tables failed: %s", err.msg);
	t = db_table_find(&l, fx_schema(fx), "t_cols");
	assert_non_null(t);
	assert_string_equal(t->schema, fx_schema(fx));
	assert_int_equal(t->ncols, 5);
	assert_string_equal(t->cols[0].name, "id");
	assert_string_equal(t->cols[1].name, "name");
	assert_string_equal(t->cols[2].name, "note");
	assert_string_equal(t->cols[3].name, "at");
	assert_string_equal(t->cols[4].name, "Zeta");
	assert_string_equal(t->cols[0].type, "integer");
	assert_string_equal(t->cols[1].type,
			    pg ? "character varying(20)" : "varchar(20)");
	assert_string_equal(t->cols[2].type, "text");
	assert_string_equal(t->cols[3].type,
			    pg ? "timestamp without time zone" : "timestamp");
	assert_true(t->cols[0].notnull);
	assert_false(t->cols[1].notnull);
	assert_true(t->cols[4].notnull);
	/* Only user tables: no catalogs, no SQLite internals. */
	for (i = 0; i < l.n; i++) {
		assert_string_not_equal(l.v[i].schema, "pg_catalog");
		assert_string_not_equal(l.v[i].schema, "information_schema");
		assert_true(strncmp(l.v[i].name, "sqlite_", 7));
	}
	db_table_list_release(&l);

	/* A dropped column is gone and the order stays. */
	run(fx, "ALTER TABLE @T DROP COLUMN note", "t_cols");
	if (db_tables(fx->db, &l, &err) < 0)
		fail_msg("tables failed: %s", err.msg);
	t = db_table_find(&l, fx_schema(fx), "t_cols");
	assert_non_null(t);
	assert_int_equal(t->ncols, 4);
	assert_string_equal(t->cols[2].name, "at");
	db_table_list_release(&l);
}

static void
test_rollback(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err = RK_ERR_INIT;

	assert_int_equal(db_begin(fx->db, &err), 0);
	run(fx, "CREATE TABLE @T (id integer); INSERT INTO @T VALUES (1)",
	    "t_rolled_back");
	assert_true(has_table(fx, "t_rolled_back"));
	db_rollback(fx->db);
	assert_false(has_table(fx, "t_rolled_back"));
	/* Rolling back with no transaction open is harmless. */
	db_rollback(fx->db);
	run(fx, "SELECT 1", "");
}

static void
test_commit(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err = RK_ERR_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	struct db *other;
	char *sql;

	assert_int_equal(db_begin(fx->db, &err), 0);
	run(fx, "CREATE TABLE @T (id integer); INSERT INTO @T VALUES (7)",
	    "t_committed");
	assert_int_equal(db_commit(fx->db, &err), 0);
	assert_true(has_table(fx, "t_committed"));
	/* Another connection sees it: it is on disk, not in our session. */
	other = second(fx, NULL);
	sql = tsql(fx, "SELECT id FROM @T", "t_committed");
	assert_int_equal(db_query(other, sql, NULL, 0, &rows, &err), 0);
	assert_int_equal(rows.nrows, 1);
	assert_string_equal(db_rows_get(&rows, 0, 0), "7");
	db_rows_release(&rows);
	free(sql);
	db_close(other);
}

static void
test_err_missing_table(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err;

	err = ask_fails(fx, "SELECT * FROM @T", "no_such_table", NULL, 0);
	contains(err.msg, "no_such_table");
	if (db_kind(fx->db) == DB_PG) {
		assert_string_equal(err.sqlstate, "42P01");
		assert_int_equal(err.position, 15);
	} else {
		assert_string_equal(err.sqlstate, "");
		contains(err.msg, "no such table");
		contains(err.detail, "SQLite error 1 (");
	}
	/* The connection is still usable after an error. */
	assert_ask1(fx, "SELECT 'ok'", "", NULL, 0, "ok");
}

static void
test_err_unique(void **state)
{
	const char *p[1] = { "1" };
	struct fx *fx = fx_of(state);
	struct rk_err err = RK_ERR_INIT;
	char *sql;

	run(fx, "CREATE TABLE @T (id integer UNIQUE)", "t_unique");
	ask(fx, "INSERT INTO @T (id) VALUES ($1)", "t_unique", p, 1, NULL);
	err = ask_fails(fx, "INSERT INTO @T (id) VALUES ($1)", "t_unique", p,
			1);
	if (db_kind(fx->db) == DB_PG) {
		assert_string_equal(err.sqlstate, "23505");
		contains(err.msg, "duplicate key value violates unique");
		assert_string_equal(err.detail, "Key (id)=(1) already exists.");
	} else {
		assert_string_equal(err.sqlstate, "");
		contains(err.msg, "UNIQUE constraint failed");
		assert_string_equal(err.detail,
				    "SQLite error 2067 (constraint failed)");
	}
	/* Through exec, too. */
	sql = tsql(fx,
		   "INSERT INTO @T (id) VALUES (2); "
		   "INSERT INTO @T (id) VALUES (1)",
		   "t_unique");
	rk_err_clear(&err);
	assert_int_equal(db_exec(fx->db, sql, &err), -1);
	free(sql);
	assert_int_equal(err.kind, RK_DB);
	if (db_kind(fx->db) == DB_PG)
		assert_string_equal(err.sqlstate, "23505");
	else
		contains(err.msg, "UNIQUE constraint failed");
}

static void
test_err_syntax_position(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err = RK_ERR_INIT;
	int pg = db_kind(fx->db) == DB_PG;

	assert_int_equal(db_exec(fx->db, "SELECT 1;\nSELEC 2;", &err), -1);
	assert_int_equal(err.kind, RK_DB);
	contains(err.msg, "SELEC");
	assert_int_equal(err.position, 11);
	if (pg)
		assert_string_equal(err.sqlstate, "42601");
	else
		contains(err.detail, "SQLite error 1 (");

	/* Positions count characters, not bytes: "é" and "€" are one each. */
	rk_err_clear(&err);
	assert_int_equal(db_exec(fx->db,
				 "SELECT 'caf\xc3\xa9 \xe2\x82\xac';\nSELEC 2;",
				 &err),
			 -1);
	assert_int_equal(err.position, 18);

	/* And in a query. */
	err = ask_fails(fx, "SELECT 1 FROM WHERE", "", NULL, 0);
	if (pg)
		assert_string_equal(err.sqlstate, "42601");
	assert_int_equal(err.position, 15);
}

static void
test_query_one_statement(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err;

	/* Bound parameters need a single statement on both drivers. */
	err = ask_fails(fx, "SELECT 1; SELECT 2", "", NULL, 0);
	(void)err;
	/* A trailing semicolon or comment is still one statement. */
	assert_ask1(fx, "SELECT 3; -- done\n", "", NULL, 0, "3");
}

static void
test_info(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err = RK_ERR_INIT;
	struct db_info info;
	char *end;
	long major;

	assert_int_equal(db_info(fx->db, &info, &err), 0);
	assert_true(*info.server_version);
	assert_true(*info.database);
	major = strtol(info.server_version, &end, 10);
	assert_int_equal(*end, '.');
	if (db_kind(fx->db) == DB_PG) {
		char *user = ask1(fx, "SELECT current_user", "", NULL, 0);

		assert_true(info.server_version_num >= 90000);
		if (major >= 10)
			assert_int_equal(major,
					 info.server_version_num / 10000);
		assert_string_equal(info.user, user);
		free(user);
		assert_true(*info.schema);
		assert_null(strchr(info.server_version, ' '));
	} else {
		char real[4096];

		assert_int_equal(major, 3);
		assert_true(info.server_version_num >= 3000000);
		assert_int_equal(info.server_version_num / 1000000, 3);
		assert_string_equal(info.user, "");
		assert_string_equal(info.schema, "main");
		assert_non_null(realpath(fx->path, real));
		assert_string_equal(info.database, real);
	}
}

/* ---- PostgreSQL only ---- */

/* url with key=value added (URI query parameter or conninfo pair). */
static void
url_add(const char *url, const char *key, const char *value, struct rk_buf *out)
{
	rk_buf_adds(out, url);
	if (!strncmp(url, "postgres://", 11) ||
	    !strncmp(url, "postgresql://", 13))
		rk_buf_addf(out, "%c%s=%s", strchr(url, '?') ? '&' : '?', key,
			    value);
	else
		rk_buf_addf(out, "%s%s='%s'", *url ? " " : "", key, value);
}

static void
test_pg_lock(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err = RK_ERR_INIT;
	struct db *other = second(fx, NULL);
	char want[160];

	snprintf(want, sizeof(want),
		 "another reckon run holds the migration lock (advisory lock "
		 "%lld); waited 1s",
		 (long long)RK_LOCK_KEY);
	assert_int_equal(db_begin(fx->db, &err), 0);
	assert_int_equal(db_lock(fx->db, 0, &err), 0);
	/* Taking it again in the same transaction is fine. */
	assert_int_equal(db_lock(fx->db, 0, &err), 0);

	assert_int_equal(db_begin(other, &err), 0);
	assert_int_equal(db_lock(other, 1, &err), -1);
	assert_int_equal(err.kind, RK_DB);
	assert_string_equal(err.msg, want);
	contains(err.hint, "--lock-wait");
	db_rollback(other);

	assert_int_equal(db_commit(fx->db, &err), 0);
	rk_err_clear(&err);
	assert_int_equal(db_begin(other, &err), 0);
	assert_int_equal(db_lock(other, 1, &err), 0);
	assert_int_equal(db_commit(other, &err), 0);
	db_close(other);
}

static void
test_pg_unreachable(void **state)
{
	static const struct {
		const char *url, *shown;
	} cases[] = {
		{ "postgres://u:secret@127.0.0.1:1/x",
		  "'postgres://u:***@127.0.0.1:1/x'" },
		{ "postgresql://127.0.0.1:1/x?user=u&password=secret",
		  "'postgresql://127.0.0.1:1/x?user=u&password=***'" },
		{ "host=127.0.0.1 port=1 user=u password=secret dbname=x",
		  "'host=127.0.0.1 port=1 user=u password=*** dbname=x'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rk_err err = RK_ERR_INIT;
		struct db *db = NULL;

		assert_int_equal(db_open(cases[i].url, NULL, &db, &err), -1);
		assert_null(db);
		assert_int_equal(err.kind, RK_DB);
		contains(err.msg, "cannot connect to ");
		contains(err.msg, cases[i].shown);
		contains(err.msg, "127.0.0.1");
		lacks(err.msg, "secret");
		lacks(err.detail, "secret");
		lacks(err.hint, "secret");
	}
}

static void
test_pg_wrong_password(void **state)
{
	struct fx *fx = fx_of(state);
	const char *p[2];
	struct rk_buf url = RK_BUF_INIT, tmp = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct db *db = NULL;
	char *sql;
	int rc;

	/* The role and password go through format(): values stay bound. */
	snprintf(fx->role, sizeof(fx->role), "%s_pw", fx->schema);
	p[0] = fx->role;
	p[1] = "right-horse-battery";
	sql = ask1(fx,
		   "SELECT pg_catalog.format("
		   "'CREATE ROLE %I LOGIN PASSWORD %L', $1::text,"
		   " $2::text)",
		   "", p, 2);
	run_on(fx->db, sql);
	free(sql);

	url_add(fx->url, "user", fx->role, &tmp);
	url_add(tmp.s, "password", "wrong-horse-staple", &url);
	rc = db_open(url.s, NULL, &db, &err);
	if (rc == 0) {
		db_close(db);
		rk_buf_release(&url);
		rk_buf_release(&tmp);
		print_message("server trusts this connection: a wrong "
			      "password cannot be tested here\n");
		skip();
	}
	assert_int_equal(err.kind, RK_DB);
	contains(err.msg, "cannot connect to ");
	contains(err.msg, "password authentication failed");
	contains(err.msg, "***");
	lacks(err.msg, "wrong-horse");
	lacks(err.detail, "wrong-horse");
	rk_buf_release(&url);
	rk_buf_release(&tmp);

	/* The right password works, so it was the password that failed. */
	rk_buf_init(&url);
	rk_buf_init(&tmp);
	url_add(fx->url, "user", fx->role, &tmp);
	url_add(tmp.s, "password", "right-horse-battery", &url);
	rk_err_clear(&err);
	if (db_open(url.s, NULL, &db, &err) < 0)
		fail_msg("right password failed: %s", err.msg);
	db_close(db);
	rk_buf_release(&url);
	rk_buf_release(&tmp);
}

static void
test_pg_settings(void **state)
{
	struct fx *fx = fx_of(state);
	struct db_opts o = DB_OPTS_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_buf url = RK_BUF_INIT;
	static const char q[] =
		"SELECT pg_catalog.current_setting('lock_timeout'),"
		" pg_catalog.current_setting('application_name')";
	struct db *db;

	/* The fixture's connection: DB_OPTS_INIT. */
	ask(fx, q, "", NULL, 0, &rows);
	assert_string_equal(db_rows_get(&rows, 0, 0), "5s");
	assert_string_equal(db_rows_get(&rows, 0, 1), "reckon");
	db_rows_release(&rows);

	o.lock_timeout_ms = 1234;
	o.app_name = "reckon-conformance";
	db = second(fx, &o);
	assert_int_equal(db_query(db, q, NULL, 0, &rows, &err), 0);
	assert_string_equal(db_rows_get(&rows, 0, 0), "1234ms");
	assert_string_equal(db_rows_get(&rows, 0, 1), "reckon-conformance");
	db_rows_release(&rows);
	db_close(db);

	/* 0 leaves the server's lock_timeout; a name in the URL wins
	 * over the default one. */
	o.lock_timeout_ms = 0;
	o.app_name = NULL;
	url_add(fx->url, "application_name", "from-url", &url);
	assert_int_equal(db_open(url.s, &o, &db, &err), 0);
	assert_int_equal(db_query(db, q, NULL, 0, &rows, &err), 0);
	assert_string_equal(db_rows_get(&rows, 0, 0), "0");
	assert_string_equal(db_rows_get(&rows, 0, 1), "from-url");
	db_rows_release(&rows);
	db_close(db);
	rk_buf_release(&url);
}

static void
test_pg_hint(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err;

	err = ask_fails(fx, "SELECT pg_catalog.no_such_function(1)", "", NULL,
			0);
	assert_string_equal(err.sqlstate, "42883");
	contains(err.msg, "no_such_function");
	contains(err.hint, "No function matches");
	assert_int_equal(err.position, 8);
}

static void
test_pg_notices_silent(void **state)
{
	struct fx *fx = fx_of(state);
	char tmpl[] = "/tmp/reckon-ct-stderr.XXXXXX";
	char got[256];
	int fd, saved;
	ssize_t n;

	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fd, 2) >= 0);
	run(fx,
	    "DO $$BEGIN RAISE NOTICE 'reckon-notice'; "
	    "RAISE WARNING 'reckon-warning'; END$$",
	    "");
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	n = pread(fd, got, sizeof(got) - 1, 0);
	close(fd);
	unlink(tmpl);
	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, "");
}

static void
test_pg_copy(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err = RK_ERR_INIT;
	char *sql;

	run(fx, "CREATE TABLE @T (i integer)", "t_copy");
	/* COPY TO STDOUT output is dropped; what follows still runs. */
	run(fx, "COPY (SELECT 1) TO STDOUT; INSERT INTO @T VALUES (1)",
	    "t_copy");
	assert_ask1(fx, "SELECT count(*) FROM @T", "t_copy", NULL, 0, "1");
	/* COPY FROM STDIN is refused, and the connection is not stuck. */
	sql = tsql(fx, "COPY @T FROM STDIN", "t_copy");
	assert_int_equal(db_exec(fx->db, sql, &err), -1);
	free(sql);
	assert_int_equal(err.kind, RK_DB);
	contains(err.msg, "COPY");
	assert_ask1(fx, "SELECT count(*) FROM @T", "t_copy", NULL, 0, "1");
}

static void
test_pg_connection_lost(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_err err = RK_ERR_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	struct db *other = second(fx, NULL);
	const char *p[1];
	char *pid;

	assert_int_equal(db_query(other, "SELECT pg_catalog.pg_backend_pid()",
				  NULL, 0, &rows, &err),
			 0);
	pid = xstrdup(db_rows_get(&rows, 0, 0));
	db_rows_release(&rows);
	p[0] = pid;
	assert_ask1(fx, "SELECT pg_catalog.pg_terminate_backend($1, 10000)", "",
		    p, 1, "t");
	free(pid);
	assert_int_equal(db_exec(other, "SELECT 1", &err), -1);
	assert_int_equal(err.kind, RK_DB);
	contains(err.msg, "connection to server lost: ");
	db_rollback(other);
	db_close(other);
}

/* ---- SQLite only ---- */

static void
test_sqlite_busy(void **state)
{
	struct fx *fx = fx_of(state);
	struct db_opts o = DB_OPTS_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct db *other;

	o.busy_timeout_ms = 200;
	other = second(fx, &o);
	assert_int_equal(db_begin(fx->db, &err), 0);
	assert_int_equal(db_lock(fx->db, 1, &err), 0);
	assert_int_equal(db_begin(other, &err), -1);
	assert_int_equal(err.kind, RK_DB);
	assert_string_equal(err.msg, "database is locked");
	assert_string_equal(err.detail, "SQLite error 5 (database is locked)");
	assert_int_equal(db_commit(fx->db, &err), 0);
	rk_err_clear(&err);
	assert_int_equal(db_begin(other, &err), 0);
	db_rollback(other);
	db_close(other);
}

static void
test_sqlite_url_forms(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_buf url = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct db_info a, b;
	struct db *db;

	assert_int_equal(db_info(fx->db, &a, &err), 0);
	/* sqlite:///abs/path and a bare path reach the same file. */
	rk_buf_addf(&url, "sqlite://%s", fx->path);
	assert_int_equal(db_open(url.s, NULL, &db, &err), 0);
	assert_int_equal(db_info(db, &b, &err), 0);
	assert_string_equal(a.database, b.database);
	db_close(db);
	assert_int_equal(db_open(fx->path, NULL, &db, &err), 0);
	assert_int_equal(db_kind(db), DB_SQLITE);
	assert_int_equal(db_info(db, &b, &err), 0);
	assert_string_equal(a.database, b.database);
	db_close(db);
	rk_buf_release(&url);

	assert_int_equal(db_open("sqlite::memory:", NULL, &db, &err), 0);
	assert_int_equal(db_info(db, &b, &err), 0);
	assert_string_equal(b.database, ":memory:");
	assert_int_equal(db_exec(db,
				 "CREATE TABLE m (x); INSERT INTO m "
				 "VALUES (1)",
				 &err),
			 0);
	db_close(db);

	assert_int_equal(db_open("sqlite:", NULL, &db, &err), -1);
	assert_int_equal(err.kind, RK_CONFIG);
}

static void
test_sqlite_missing_dir(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_buf url = RK_BUF_INIT, dir = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct db *db = NULL;
	struct stat st;

	rk_buf_addf(&dir, "%s/no-such-dir", fx->dir);
	rk_buf_addf(&url, "sqlite:%s/sub/app.db", dir.s);
	assert_int_equal(db_open(url.s, NULL, &db, &err), -1);
	assert_null(db);
	assert_int_equal(err.kind, RK_CONFIG);
	contains(err.msg, "/no-such-dir/sub/app.db");
	contains(err.msg, "does not exist");
	assert_int_equal(stat(dir.s, &st), -1);

	/* A directory is no database either. */
	rk_buf_reset(&url);
	rk_buf_addf(&url, "sqlite:%s", fx->dir);
	assert_int_equal(db_open(url.s, NULL, &db, &err), -1);
	assert_int_equal(err.kind, RK_CONFIG);
	contains(err.msg, "is a directory");
	rk_buf_release(&url);
	rk_buf_release(&dir);
}

static void
test_sqlite_not_a_database(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_buf path = RK_BUF_INIT, url = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct db *db = NULL;
	char junk[1024];
	FILE *f;

	rk_buf_addf(&path, "%s/junk.db", fx->dir);
	memset(junk, 'x', sizeof(junk));
	f = fopen(path.s, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	assert_int_equal(fclose(f), 0);
	rk_buf_addf(&url, "sqlite:%s", path.s);
	assert_int_equal(db_open(url.s, NULL, &db, &err), -1);
	assert_null(db);
	assert_int_equal(err.kind, RK_DB);
	contains(err.msg, path.s);
	contains(err.msg, "not a database");
	rk_buf_release(&path);
	rk_buf_release(&url);
}

/*
 * Open the read-only file at url, read it and try to write it: NULL when
 * all went as it should, else what did not. No cmocka asserts: this also
 * runs in a child process.
 */
static const char *
readonly_check(const char *url, const char *path)
{
	struct rk_err err = RK_ERR_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	const char *why = NULL;
	struct db *db;

	if (db_open(url, NULL, &db, &err) < 0)
		return "open failed";
	if (db_query(db, "SELECT count(*) FROM t", NULL, 0, &rows, &err) < 0 ||
	    rows.nrows != 1 || strcmp(db_rows_get(&rows, 0, 0), "1"))
		why = "read failed";
	else if (db_exec(db, "INSERT INTO t VALUES (2)", &err) == 0)
		why = "write succeeded";
	else if (err.kind != RK_DB ||
		 strcmp(err.msg, "attempt to write a readonly database") ||
		 !strstr(err.detail, "SQLite error 8 (") ||
		 !strstr(err.hint, path))
		why = "wrong error for the write";
	else if (db_exec(db, "CREATE TABLE u (x)", &err) == 0)
		why = "DDL succeeded";
	db_rows_release(&rows);
	db_close(db);
	return why;
}

static void
test_sqlite_readonly(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_buf path = RK_BUF_INIT, url = RK_BUF_INIT;
	struct rk_buf before = RK_BUF_INIT, after = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	const char *why;
	struct db *db;

	rk_buf_addf(&path, "%s/ro.db", fx->dir);
	rk_buf_addf(&url, "sqlite:%s", path.s);
	assert_int_equal(db_open(url.s, NULL, &db, &err), 0);
	run_on(db, "CREATE TABLE t (x integer); INSERT INTO t VALUES (1)");
	db_close(db);
	assert_int_equal(chmod(path.s, 0444), 0);
	assert_int_equal(rk_buf_read_file(&before, path.s), 0);

	if (geteuid() == 0) {
		/* root writes any file: check as nobody instead. */
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgid(NOBODY) || setuid(NOBODY))
				_exit(2);
			why = readonly_check(url.s, path.s);
			if (why)
				fprintf(stderr, "readonly: %s\n", why);
			_exit(why ? 1 : 0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	} else {
		why = readonly_check(url.s, path.s);
		if (why)
			fail_msg("read-only database: %s", why);
	}
	assert_int_equal(rk_buf_read_file(&after, path.s), 0);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.s, after.s, before.len);
	rk_buf_release(&before);
	rk_buf_release(&after);
	rk_buf_release(&path);
	rk_buf_release(&url);
}

/*
 * db_attach: another file as a schema, its name bound (a quote and a '?'
 * in it are only characters), in the catalog as that schema, once per
 * name; read-only for a read-only connection, the stand-in for a missing
 * file included; a missing file is an error and is not created.
 */
static void
test_sqlite_attach(void **state)
{
	struct fx *fx = fx_of(state);
	struct rk_buf reg = RK_BUF_INIT, url = RK_BUF_INIT,
		      before = RK_BUF_INIT, after = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct db_table_list tl = DB_TABLE_LIST_INIT;
	struct db_opts ro = DB_OPTS_INIT;
	struct db *r, *db;
	struct stat st;

	rk_buf_addf(&reg, "%s/it's reg?.db", fx->dir);
	rk_buf_addf(&url, "sqlite:%s", reg.s);
	assert_int_equal(db_open(url.s, NULL, &r, &err), 0);
	assert_int_equal(db_exec(r, "CREATE TABLE changes (id text)", &err), 0);
	db_close(r);

	assert_int_equal(db_attach(fx->db, "sqitch", reg.s, &err), 0);
	assert_int_equal(db_attach(fx->db, "sqitch", reg.s, &err), 0);
	assert_int_equal(db_tables(fx->db, &tl, &err), 0);
	assert_non_null(db_table_find(&tl, "sqitch", "changes"));
	db_table_list_release(&tl);
	assert_int_equal(db_exec(fx->db,
				 "INSERT INTO \"sqitch\".changes VALUES ('a')",
				 &err),
			 0);
	assert_int_equal(db_attach(fx->db, "sqitch", fx->path, &err), -1);
	contains(err.msg, "attached to");
	rk_buf_reset(&url);
	rk_buf_addf(&url, "%s/none.db", fx->dir);
	assert_int_equal(db_attach(fx->db, "other", url.s, &err), -1);
	assert_int_equal(err.kind, RK_DB);
	assert_int_equal(stat(url.s, &st), -1);

	/* read-only: on the file, and on the stand-in for a missing one */
	ro.read_only = 1;
	assert_int_equal(rk_buf_read_file(&before, reg.s), 0);
	for (int missing = 0; missing < 2; missing++) {
		rk_buf_reset(&url);
		rk_buf_addf(&url, "sqlite:%s%s", missing ? fx->dir : fx->path,
			    missing ? "/missing.db" : "");
		assert_int_equal(db_open(url.s, &ro, &db, &err), 0);
		assert_int_equal(db_attach(db, "sqitch", reg.s, &err), 0);
		assert_int_equal(db_tables(db, &tl, &err), 0);
		assert_non_null(db_table_find(&tl, "sqitch", "changes"));
		db_table_list_release(&tl);
		assert_int_equal(db_exec(db,
					 "INSERT INTO \"sqitch\".changes "
					 "VALUES ('b')",
					 &err),
				 -1);
		contains(err.detail, "readonly database");
		db_close(db);
	}
	assert_int_equal(stat(url.s + 7, &st), -1);
	assert_int_equal(rk_buf_read_file(&after, reg.s), 0);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.s, after.s, before.len);
	rk_buf_release(&before);
	rk_buf_release(&after);
	rk_buf_release(&url);
	rk_buf_release(&reg);
}

/* ---- fixtures ---- */

static int
pg_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));
	const char *url = getenv("RECKON_TEST_PG_URL");
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf sql = RK_BUF_INIT;

	snprintf(fx->url, sizeof(fx->url), "%s", url ? url : "");
	snprintf(fx->schema, sizeof(fx->schema), "reckon_ct_%ld",
		 (long)getpid());
	if (db_open(fx->url, NULL, &fx->db, &err) < 0) {
		fprintf(stderr, "db_conformance: PostgreSQL: %s\n", err.msg);
		free(fx);
		return -1;
	}
	rk_buf_adds(&sql, "CREATE SCHEMA ");
	db_quote_ident(fx->db, fx->schema, &sql);
	if (db_exec(fx->db, sql.s, &err) < 0) {
		fprintf(stderr, "db_conformance: %s\n", err.msg);
		db_close(fx->db);
		free(fx);
		rk_buf_release(&sql);
		return -1;
	}
	rk_buf_release(&sql);
	*state = fx;
	return 0;
}

static int
pg_teardown(void **state)
{
	struct fx *fx = *state;
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf sql = RK_BUF_INIT;
	int rc = 0;

	if (!fx)
		return 0; /* the setup failed and said why */
	db_rollback(fx->db);
	rk_buf_adds(&sql, "DROP SCHEMA ");
	db_quote_ident(fx->db, fx->schema, &sql);
	rk_buf_adds(&sql, " CASCADE");
	if (*fx->role) {
		rk_buf_adds(&sql, "; DROP ROLE IF EXISTS ");
		db_quote_ident(fx->db, fx->role, &sql);
	}
	if (db_exec(fx->db, sql.s, &err) < 0) {
		fprintf(stderr, "db_conformance: cleanup: %s\n", err.msg);
		rc = -1;
	}
	rk_buf_release(&sql);
	db_close(fx->db);
	free(fx);
	return rc;
}

static int
sqlite_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));
	struct rk_err err = RK_ERR_INIT;

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/reckon-ct.XXXXXX");
	if (!mkdtemp(fx->dir) || chmod(fx->dir, 0755) < 0) {
		perror("db_conformance: mkdtemp");
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/conformance.db", fx->dir);
	snprintf(fx->url, sizeof(fx->url), "sqlite:%s", fx->path);
	if (db_open(fx->url, NULL, &fx->db, &err) < 0) {
		fprintf(stderr, "db_conformance: SQLite: %s\n", err.msg);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
sqlite_teardown(void **state)
{
	struct fx *fx = *state;
	struct rk_buf path = RK_BUF_INIT;
	struct dirent *e;
	DIR *d;

	if (!fx)
		return 0; /* the setup failed and said why */
	db_rollback(fx->db);
	db_close(fx->db);
	d = opendir(fx->dir);
	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		rk_buf_reset(&path);
		rk_buf_addf(&path, "%s/%s", fx->dir, e->d_name);
		if (unlink(path.s) < 0)
			perror(path.s);
	}
	if (d)
		closedir(d);
	if (rmdir(fx->dir) < 0)
		perror(fx->dir);
	rk_buf_release(&path);
	free(fx);
	return 0;
}

/* The tests every driver passes, in one list for both groups. */
/* clang-format off */
#define CONFORMANCE_TESTS					\
	cmocka_unit_test(test_exec_multi),			\
	cmocka_unit_test(test_query_params),			\
	cmocka_unit_test(test_typed_params),			\
	cmocka_unit_test(test_capture),				\
	cmocka_unit_test(test_dialect),				\
	cmocka_unit_test(test_rows_copied),			\
	cmocka_unit_test(test_quote_ident_weird),		\
	cmocka_unit_test(test_tables_columns),			\
	cmocka_unit_test(test_rollback),			\
	cmocka_unit_test(test_commit),				\
	cmocka_unit_test(test_err_missing_table),		\
	cmocka_unit_test(test_err_unique),			\
	cmocka_unit_test(test_err_syntax_position),		\
	cmocka_unit_test(test_query_one_statement),		\
	cmocka_unit_test(test_info)
/* clang-format on */

int
main(void)
{
	const struct CMUnitTest url_tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_kind_of_url),
		cmocka_unit_test(test_kind_bad_url),
	};
	const struct CMUnitTest sqlite_tests[] = {
		CONFORMANCE_TESTS,
		cmocka_unit_test(test_sqlite_busy),
		cmocka_unit_test(test_sqlite_url_forms),
		cmocka_unit_test(test_sqlite_missing_dir),
		cmocka_unit_test(test_sqlite_not_a_database),
		cmocka_unit_test(test_sqlite_readonly),
		cmocka_unit_test(test_sqlite_attach),
	};
	const struct CMUnitTest pg_tests[] = {
		CONFORMANCE_TESTS,
		cmocka_unit_test(test_pg_lock),
		cmocka_unit_test(test_pg_unreachable),
		cmocka_unit_test(test_pg_wrong_password),
		cmocka_unit_test(test_pg_settings),
		cmocka_unit_test(test_pg_hint),
		cmocka_unit_test(test_pg_notices_silent),
		cmocka_unit_test(test_pg_copy),
		cmocka_unit_test(test_pg_connection_lost),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("db_url", url_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("db_sqlite", sqlite_tests,
					      sqlite_setup, sqlite_teardown);
	failed += cmocka_run_group_tests_name("db_postgres", pg_tests, pg_setup,
					      pg_teardown);
	return failed ? 1 : 0;
}
