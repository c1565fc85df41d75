/*
 * Existence checks (core/schema_check.c) against real catalogs, no mocks:
 * a PostgreSQL server (URL from RECKON_TEST_PG_URL; default "", libpq's
 * PG* variables as `pg_virtualenv -t` sets them) in two schemas of its own
 * that it drops at the end, and a SQLite file with a second one attached,
 * in a temporary directory. For every kind of object, present and absent,
 * qualified and unqualified, the SQL a migration would hold goes through
 * ddl_extract() and schema_check(), and each answer is compared with the
 * expected "<type> <schema or -> <object> <yes|no>". Without a server
 * configured (no RECKON_TEST_PG_URL and no PGHOST, as when make test's
 * unit pass runs it) the PostgreSQL group is skipped with a message. Not
 * here: the extractor's own cases (tests/unit/test_ddl.c).
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
#include <unistd.h>

#include <cmocka.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/core/schema_check.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

/* One backend under test: the group setup fills it. */
struct fx {
	struct db *db;
	char a[64];	/* PG: the schema on the search_path; SQLite: "" */
	char b[64];	/* PG: a second schema, off the path */
	char dir[256];	/* SQLite: the temporary directory */
	char path[320]; /* SQLite: the main database file */
};

/* s with every "@A" and "@B" replaced by fx's schema names. */
static void
expand(const struct fx *fx, const char *s, struct rk_buf *out)
{
	rk_buf_reset(out);
	for (; *s; s++) {
		if (s[0] == '@' && (s[1] == 'A' || s[1] == 'B')) {
			rk_buf_adds(out, s[1] == 'A' ? fx->a : fx->b);
			s++;
		} else {
			rk_buf_addc(out, *s);
		}
	}
}

static void
exec_or_fail(struct fx *fx, const char *tmpl)
{
	struct rk_buf sql = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;

	expand(fx, tmpl, &sql);
	if (db_exec(fx->db, sql.s, &err) < 0)
		fail_msg("%s: %s", sql.s, err.msg);
	rk_buf_release(&sql);
}

/*
 * Extract the objects of the migration text tmpl, check them with
 * dflt as the default schema, and compare with the NULL-terminated
 * expected lines (both with @A and @B expanded).
 */
static void
check(struct fx *fx, const char *tmpl, const char *dflt,
      const char *const *want)
{
	const struct sql_dialect *d = db_kind(fx->db) == DB_PG
					      ? &sql_dialect_pg
					      : &sql_dialect_sqlite;
	struct rk_buf sql = RK_BUF_INIT, got = RK_BUF_INIT, exp = RK_BUF_INIT;
	struct rk_buf line = RK_BUF_INIT, dflt_buf = RK_BUF_INIT;
	struct ddl_list l = DDL_LIST_INIT;
	struct schema_check c = SCHEMA_CHECK_INIT;
	struct rk_err err = RK_ERR_INIT;
	size_t i;

	expand(fx, tmpl, &sql);
	if (dflt)
		expand(fx, dflt, &dflt_buf);
	if (ddl_extract(sql.s, sql.len, d, &l, &err) < 0)
		fail_msg("extract: %s", err.msg);
	if (schema_check(fx->db, &l, dflt ? dflt_buf.s : NULL, &c, &err) < 0)
		fail_msg("schema_check: %s", err.msg);
	assert_int_equal(c.n, l.n);
	for (i = 0; i < l.n; i++)
		rk_buf_addf(&got, "%s %s %s %s\n", ddl_type_name(l.v[i].type),
			    c.v[i].schema ? c.v[i].schema : "-", l.v[i].object,
			    c.v[i].exists ? "yes" : "no");
	for (; *want; want++) {
		expand(fx, *want, &line);
		rk_buf_addf(&exp, "%s\n", line.s);
	}
	if (strcmp(got.s, exp.s))
		fail_msg("for:\n%s\nwant:\n%sgot:\n%s", sql.s, exp.s, got.s);
	schema_check_release(&c);
	ddl_list_release(&l);
	rk_buf_release(&dflt_buf);
	rk_buf_release(&line);
	rk_buf_release(&exp);
	rk_buf_release(&got);
	rk_buf_release(&sql);
}

#define CHECK(fx, sql, dflt, ...)                                              \
	do {                                                                   \
		static const char *const want_[] = { __VA_ARGS__, NULL };      \
		check((fx), (sql), (dflt), want_);                             \
	} while (0)

/* ---- PostgreSQL ---- */

/* Every kind, created in schema @A (on the path) by the group setup. */
static const char pg_objects[] =
	"CREATE TABLE @A.t (id int PRIMARY KEY, x int);"
	"CREATE TABLE @A.part (id int) PARTITION BY RANGE (id);"
	"CREATE VIEW @A.v AS SELECT 1 AS one;"
	"CREATE MATERIALIZED VIEW @A.mv AS SELECT 1 AS one;"
	"CREATE SEQUENCE @A.sq;"
	"CREATE INDEX t_x ON @A.t (x);"
	"CREATE TYPE @A.e AS ENUM ('a');"
	"CREATE TYPE @A.comp AS (a int);"
	"CREATE TYPE @A.r AS RANGE (subtype = int4);"
	"CREATE TYPE @A.shell;"
	"CREATE DOMAIN @A.d AS int;"
	"CREATE FUNCTION @A.f() RETURNS trigger LANGUAGE plpgsql AS "
	"$$ BEGIN RETURN NEW; END $$;"
	"CREATE FUNCTION @A.f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';"
	"CREATE PROCEDURE @A.p() LANGUAGE sql AS '';"
	"CREATE TRIGGER trg BEFORE INSERT ON @A.t "
	"FOR EACH ROW EXECUTE FUNCTION @A.f();"
	"ALTER TABLE @A.t ADD COLUMN added int;"
	"ALTER TABLE @A.t ADD CONSTRAINT t_x_check CHECK (x > 0);"
	"CREATE TABLE @B.only_b (id int);"
	"CREATE TABLE @B.t (id int);"
	"CREATE INDEX b_t_id ON @B.t (id);";

static void
test_pg_present_qualified(void **state)
{
	CHECK(*state,
	      "CREATE TABLE @A.t (id int);"
	      "CREATE TABLE @A.part (id int) PARTITION BY RANGE (id);"
	      "CREATE VIEW @A.v AS SELECT 1;"
	      "CREATE MATERIALIZED VIEW @A.mv AS SELECT 1;"
	      "CREATE SEQUENCE @A.sq;"
	      "CREATE INDEX t_x ON @A.t (x);"
	      "CREATE TYPE @A.e AS ENUM ('a');"
	      "CREATE TYPE @A.comp AS (a int);"
	      "CREATE TYPE @A.r AS RANGE (subtype = int4);"
	      "CREATE TYPE @A.shell;"
	      "CREATE DOMAIN @A.d AS int;"
	      "CREATE FUNCTION @A.f() RETURNS trigger AS $$ $$;"
	      "CREATE PROCEDURE @A.p() LANGUAGE sql AS '';"
	      "CREATE SCHEMA @A;"
	      "CREATE EXTENSION IF NOT EXISTS plpgsql;"
	      "CREATE TRIGGER trg BEFORE INSERT ON @A.t "
	      "FOR EACH ROW EXECUTE FUNCTION @A.f();"
	      "ALTER TABLE @A.t ADD COLUMN added int, ADD COLUMN id int,"
	      " ADD CONSTRAINT t_x_check CHECK (x > 0);",
	      NULL, "table @A t yes", "table @A part yes", "view @A v yes",
	      "matview @A mv yes", "sequence @A sq yes", "index @A t_x yes",
	      "type @A e yes", "type @A comp yes", "type @A r yes",
	      "type @A shell yes", "domain @A d yes", "function @A f yes",
	      "procedure @A p yes", "schema - @A yes",
	      "extension - plpgsql yes", "trigger @A t.trg yes",
	      "column @A t.added yes", "column @A t.id yes",
	      "constraint @A t.t_x_check yes");
}

static void
test_pg_present_unqualified(void **state)
{
	/* @A is on the search_path: every name resolves to it */
	CHECK(*state,
	      "CREATE TABLE t (id int); CREATE VIEW v AS SELECT 1;"
	      "CREATE MATERIALIZED VIEW mv AS SELECT 1;"
	      "CREATE SEQUENCE sq; CREATE INDEX t_x ON t (x);"
	      "CREATE TYPE e AS ENUM ('a'); CREATE DOMAIN d AS int;"
	      "CREATE FUNCTION f(int) RETURNS int AS 'SELECT 1';"
	      "CREATE PROCEDURE p() LANGUAGE sql AS '';"
	      "CREATE TRIGGER trg BEFORE INSERT ON t "
	      "FOR EACH ROW EXECUTE FUNCTION f();"
	      "ALTER TABLE t ADD COLUMN added int,"
	      " ADD CONSTRAINT t_x_check CHECK (x > 0);",
	      NULL, "table @A t yes", "view @A v yes", "matview @A mv yes",
	      "sequence @A sq yes", "index @A t_x yes", "type @A e yes",
	      "domain @A d yes", "function @A f yes", "procedure @A p yes",
	      "trigger @A t.trg yes", "column @A t.added yes",
	      "constraint @A t.t_x_check yes");
}

static void
test_pg_absent_qualified(void **state)
{
	CHECK(*state,
	      "CREATE TABLE @A.no_t (id int); CREATE VIEW @A.no_v AS SELECT 1;"
	      "CREATE MATERIALIZED VIEW @A.no_mv AS SELECT 1;"
	      "CREATE SEQUENCE @A.no_sq; CREATE INDEX no_i ON @A.t (x);"
	      "CREATE TYPE @A.no_e AS ENUM ('a'); CREATE DOMAIN @A.no_d AS int;"
	      "CREATE FUNCTION @A.no_f() RETURNS int AS 'SELECT 1';"
	      "CREATE PROCEDURE @A.no_p() LANGUAGE sql AS '';"
	      "CREATE SCHEMA reckon_no_such_schema;"
	      "CREATE EXTENSION reckon_no_such_extension;"
	      "CREATE TRIGGER no_trg BEFORE INSERT ON @A.t "
	      "FOR EACH ROW EXECUTE FUNCTION @A.f();"
	      "ALTER TABLE @A.t ADD COLUMN no_col int,"
	      " ADD CONSTRAINT no_check CHECK (x > 0);"
	      "ALTER TABLE @A.no_t ADD COLUMN c int;"
	      "CREATE INDEX i_on_missing ON @A.no_t (x);",
	      NULL, "table @A no_t no", "view @A no_v no",
	      "matview @A no_mv no", "sequence @A no_sq no", "index @A no_i no",
	      "type @A no_e no", "domain @A no_d no", "function @A no_f no",
	      "procedure @A no_p no", "schema - reckon_no_such_schema no",
	      "extension - reckon_no_such_extension no",
	      "trigger @A t.no_trg no", "column @A t.no_col no",
	      "constraint @A t.no_check no", "column @A no_t.c no",
	      "index @A i_on_missing no");
}

static void
test_pg_absent_unqualified(void **state)
{
	CHECK(*state,
	      "CREATE TABLE no_t (id int); CREATE VIEW no_v AS SELECT 1;"
	      "CREATE MATERIALIZED VIEW no_mv AS SELECT 1;"
	      "CREATE SEQUENCE no_sq; CREATE INDEX no_i ON t (x);"
	      "CREATE TYPE no_e AS ENUM ('a'); CREATE DOMAIN no_d AS int;"
	      "CREATE FUNCTION no_f() RETURNS int AS 'SELECT 1';"
	      "CREATE PROCEDURE no_p() LANGUAGE sql AS '';"
	      "CREATE TRIGGER no_trg BEFORE INSERT ON t "
	      "FOR EACH ROW EXECUTE FUNCTION f();"
	      "ALTER TABLE t ADD COLUMN no_col int;"
	      "ALTER TABLE no_t ADD CONSTRAINT c CHECK (true);"
	      /* @B is off the path: its tables are not seen unqualified */
	      "CREATE TABLE only_b (id int);",
	      NULL, "table - no_t no", "view - no_v no", "matview - no_mv no",
	      "sequence - no_sq no", "index @A no_i no", "type - no_e no",
	      "domain - no_d no", "function - no_f no", "procedure - no_p no",
	      "trigger @A t.no_trg no", "column @A t.no_col no",
	      "constraint - no_t.c no", "table - only_b no");
}

static void
test_pg_kinds_do_not_mix(void **state)
{
	/* right name, wrong kind: a view is no table, a table's row type no
	 * type, a domain no type, a function no procedure */
	CHECK(*state,
	      "CREATE TABLE @A.v (x int); CREATE VIEW @A.t AS SELECT 1;"
	      "CREATE TYPE @A.t AS (a int); CREATE TYPE @A.d AS ENUM ('x');"
	      "CREATE DOMAIN @A.e AS int; CREATE PROCEDURE @A.f() AS '';"
	      "CREATE FUNCTION @A.p() RETURNS int AS 'SELECT 1';"
	      "CREATE SEQUENCE @A.t; CREATE INDEX t ON @A.t (x);",
	      NULL, "table @A v no", "view @A t no", "type @A t no",
	      "type @A d no", "domain @A e no", "procedure @A f no",
	      "function @A p no", "sequence @A t no", "index @A t no");
}

static void
test_pg_default_schema(void **state)
{
	/* with a default schema, unqualified names are looked for there */
	CHECK(*state,
	      "CREATE TABLE only_b (id int); CREATE TABLE t (id int);"
	      "CREATE INDEX b_t_id ON t (id); CREATE INDEX t_x ON t (x);"
	      "CREATE TABLE @A.t (id int);",
	      "@B", "table @B only_b yes", "table @B t yes",
	      "index @B b_t_id yes", "index @B t_x no", "table @A t yes");
}

static void
test_pg_search_path_order(void **state)
{
	struct fx *fx = *state;

	/* @B first: its t hides @A's */
	exec_or_fail(fx, "SET search_path TO @B, @A");
	CHECK(fx,
	      "CREATE TABLE t (id int); CREATE INDEX b_t_id ON t (id);"
	      "CREATE INDEX t_x ON t (x); CREATE VIEW v AS SELECT 1;",
	      NULL, "table @B t yes", "index @B b_t_id yes", "index @B t_x no",
	      "view @A v yes");
	exec_or_fail(fx, "SET search_path TO @A, public");
}

static void
test_pg_quoted_names(void **state)
{
	struct fx *fx = *state;

	exec_or_fail(fx, "CREATE TABLE @A.\"Mixed Case\" (\"Col\" int);"
			 "CREATE TABLE @A.lower_case (x int)");
	CHECK(fx,
	      "CREATE TABLE \"Mixed Case\" (x int);"
	      "CREATE TABLE \"mixed case\" (x int);"
	      "CREATE TABLE LOWER_CASE (x int);"
	      "ALTER TABLE \"Mixed Case\" ADD COLUMN \"Col\" int,"
	      " ADD COLUMN col int;",
	      NULL, "table @A Mixed Case yes", "table - mixed case no",
	      "table @A lower_case yes", "column @A Mixed Case.Col yes",
	      "column @A Mixed Case.col no");
}

static int
pg_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));
	const char *url = getenv("RECKON_TEST_PG_URL");
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf tmpl = RK_BUF_INIT, sql = RK_BUF_INIT;
	int rc = 0;

	snprintf(fx->a, sizeof(fx->a), "reckon_sc_%ld", (long)getpid());
	snprintf(fx->b, sizeof(fx->b), "reckon_sc_%ld_b", (long)getpid());
	if (db_open(url ? url : "", NULL, &fx->db, &err) < 0) {
		fprintf(stderr, "test_schema_check: PostgreSQL: %s\n", err.msg);
		free(fx);
		return -1;
	}
	rk_buf_adds(&tmpl, "CREATE SCHEMA @A; CREATE SCHEMA @B;"
			   "SET search_path TO @A, public;");
	rk_buf_adds(&tmpl, pg_objects);
	expand(fx, tmpl.s, &sql);
	if (db_exec(fx->db, sql.s, &err) < 0) {
		fprintf(stderr, "test_schema_check: setup: %s\n", err.msg);
		rc = -1;
	}
	rk_buf_release(&sql);
	rk_buf_release(&tmpl);
	if (rc < 0) {
		db_close(fx->db);
		free(fx);
		return -1;
	}
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
	expand(fx, "DROP SCHEMA @A, @B CASCADE", &sql);
	if (db_exec(fx->db, sql.s, &err) < 0) {
		fprintf(stderr, "test_schema_check: cleanup: %s\n", err.msg);
		rc = -1;
	}
	rk_buf_release(&sql);
	db_close(fx->db);
	free(fx);
	return rc;
}

/* ---- SQLite ---- */

static const char lite_objects[] =
	"CREATE TABLE Users (id INTEGER PRIMARY KEY, email TEXT);"
	"CREATE TABLE kv (k TEXT PRIMARY KEY, v ANY) WITHOUT ROWID, STRICT;"
	"CREATE VIEW recent AS SELECT * FROM Users;"
	"CREATE INDEX users_email ON Users (email);"
	"CREATE TRIGGER users_trg AFTER INSERT ON Users BEGIN SELECT 1; END;"
	"ALTER TABLE Users ADD COLUMN nickname TEXT;"
	"CREATE TABLE gen (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2));"
	"CREATE TABLE aux.only_aux (x);"
	"CREATE INDEX aux.only_aux_x ON only_aux (x);";

static void
test_lite_present(void **state)
{
	CHECK(*state,
	      "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY);"
	      "CREATE TABLE main.kv (k TEXT PRIMARY KEY) WITHOUT ROWID, STRICT;"
	      "CREATE VIEW Recent AS SELECT 1;"
	      "CREATE INDEX main.users_email ON users (email);"
	      "CREATE TRIGGER USERS_TRG AFTER INSERT ON users BEGIN "
	      "SELECT 1; END;"
	      "ALTER TABLE users ADD COLUMN nickname TEXT;"
	      "ALTER TABLE main.Users ADD COLUMN EMAIL TEXT;"
	      "ALTER TABLE gen ADD COLUMN b INTEGER;"
	      "CREATE TABLE only_aux (x); CREATE TABLE aux.only_aux (x);"
	      "CREATE INDEX only_aux_x ON only_aux (x);",
	      NULL, "table main users yes", "table main kv yes",
	      "view main Recent yes", "index main users_email yes",
	      "trigger main users.USERS_TRG yes",
	      "column main users.nickname yes", "column main Users.EMAIL yes",
	      "column main gen.b yes", "table aux only_aux yes",
	      "table aux only_aux yes", "index aux only_aux_x yes");
}

static void
test_lite_absent(void **state)
{
	CHECK(*state,
	      "CREATE TABLE no_t (x); CREATE TABLE main.no_t2 (x);"
	      "CREATE VIEW users AS SELECT 1;"
	      "CREATE INDEX no_i ON Users (email);"
	      "CREATE INDEX users_email ON kv (k);"
	      "CREATE TRIGGER no_trg AFTER INSERT ON Users BEGIN SELECT 1; END;"
	      "ALTER TABLE Users ADD COLUMN no_col TEXT;"
	      "ALTER TABLE no_t3 ADD COLUMN c TEXT;"
	      "CREATE TABLE aux.users (x);",
	      NULL, "table - no_t no", "table main no_t2 no", "view - users no",
	      "index - no_i no", "index - users_email no",
	      "trigger - Users.no_trg no", "column - Users.no_col no",
	      "column - no_t3.c no", "table aux users no");
}

static void
test_lite_default_schema(void **state)
{
	CHECK(*state, "CREATE TABLE only_aux (x); CREATE TABLE users (x);",
	      "aux", "table aux only_aux yes", "table aux users no");
}

static void
test_lite_other_kinds(void **state)
{
	/* what SQLite has no notion of is never found */
	CHECK(*state,
	      "CREATE SCHEMA s; CREATE SEQUENCE sq; CREATE TYPE e AS ENUM ();"
	      "CREATE FUNCTION f() RETURNS int AS 'SELECT 1';"
	      "CREATE MATERIALIZED VIEW mv AS SELECT 1;"
	      "CREATE EXTENSION x; CREATE DOMAIN d AS int;"
	      "ALTER TABLE Users ADD CONSTRAINT c CHECK (1);",
	      NULL, "schema - s no", "sequence - sq no", "type - e no",
	      "function - f no", "matview - mv no", "extension - x no",
	      "domain - d no", "constraint - Users.c no");
}

static int
lite_teardown(void **state)
{
	struct fx *fx = *state;
	struct rk_buf path = RK_BUF_INIT;
	struct dirent *e;
	DIR *d;

	if (!fx)
		return 0;
	if (fx->db)
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

static int
lite_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf aux = RK_BUF_INIT, url = RK_BUF_INIT;
	const char *params[1];

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/reckon-sc.XXXXXX");
	if (!mkdtemp(fx->dir)) {
		perror("test_schema_check: mkdtemp");
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/main.db", fx->dir);
	rk_buf_addf(&url, "sqlite:%s", fx->path);
	rk_buf_addf(&aux, "%s/aux.db", fx->dir);
	params[0] = aux.s;
	if (db_open(url.s, NULL, &fx->db, &err) < 0 ||
	    db_query(fx->db, "ATTACH DATABASE $1 AS aux", params, 1, NULL,
		     &err) < 0 ||
	    db_exec(fx->db, lite_objects, &err) < 0) {
		fprintf(stderr, "test_schema_check: SQLite: %s\n", err.msg);
		rk_buf_release(&aux);
		rk_buf_release(&url);
		*state = fx;
		(void)lite_teardown(state);
		*state = NULL;
		return -1;
	}
	rk_buf_release(&aux);
	rk_buf_release(&url);
	*state = fx;
	return 0;
}

/* Whether a PostgreSQL server is configured for this run. */
static int
pg_configured(void)
{
	return getenv("RECKON_TEST_PG_URL") || getenv("PGHOST");
}

int
main(void)
{
	const struct CMUnitTest lite_tests[] = {
		cmocka_unit_test(test_lite_present),
		cmocka_unit_test(test_lite_absent),
		cmocka_unit_test(test_lite_default_schema),
		cmocka_unit_test(test_lite_other_kinds),
	};
	const struct CMUnitTest pg_tests[] = {
		cmocka_unit_test(test_pg_present_qualified),
		cmocka_unit_test(test_pg_present_unqualified),
		cmocka_unit_test(test_pg_absent_qualified),
		cmocka_unit_test(test_pg_absent_unqualified),
		cmocka_unit_test(test_pg_kinds_do_not_mix),
		cmocka_unit_test(test_pg_default_schema),
		cmocka_unit_test(test_pg_search_path_order),
		cmocka_unit_test(test_pg_quoted_names),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("schema_check_sqlite", lite_tests,
					      lite_setup, lite_teardown);
	if (!pg_configured()) {
		fprintf(stderr,
			"test_schema_check: no PostgreSQL configured "
			"(RECKON_TEST_PG_URL or PGHOST, as pg_virtualenv "
			"-t sets them): PostgreSQL tests skipped\n");
		return failed ? 1 : 0;
	}
	failed += cmocka_run_group_tests_name("schema_check_postgres", pg_tests,
					      pg_setup, pg_teardown);
	return failed ? 1 : 0;
}
