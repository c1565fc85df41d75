/*
 * Unit tests for the DDL object extractor (parsers/ddl.c, ddl_name.c,
 * ddl_list.c): the nasty cases, each with the exact objects expected.
 * Every input is copied into a heap buffer of exactly its size, so ASan
 * catches a read of s[n]. Whole real-world files are fixtures
 * (fixtures/ddl/, test_fixtures.c), not here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

#define PG   (&sql_dialect_pg)
#define LITE (&sql_dialect_sqlite)

/* An exact-size copy of s[0..n): reading s[n] is an ASan error. */
static char *
exact(const char *s, size_t n)
{
	char *p = xmalloc(n ? n : 1);

	memcpy(p, s, n);
	return p;
}

/* "<type> <schema or -> <object>" for each object of l, one per line. */
static void
render(const struct ddl_list *l, struct rk_buf *out)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct ddl_object *o = &l->v[i];

		rk_buf_addf(out, "%s %s %s\n", ddl_type_name(o->type),
			    *o->schema ? o->schema : "-", o->object);
	}
}

/*
 * Extract from src[0..n) on d into l (appending) and compare the rendering
 * with the NULL-terminated lines want.
 */
static void
check_into(const struct sql_dialect *d, const char *src, size_t n,
	   struct ddl_list *l, const char *const *want)
{
	struct rk_buf got = RK_BUF_INIT, exp = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	char *s = exact(src, n);

	if (ddl_extract(s, n, d, l, &err) < 0)
		fail_msg("ddl_extract failed on '%s': %s", src, err.msg);
	for (; *want; want++)
		rk_buf_addf(&exp, "%s\n", *want);
	render(l, &got);
	if (strcmp(got.s, exp.s))
		fail_msg("for:\n%s\nwant:\n%sgot:\n%s", src, exp.s, got.s);
	free(s);
	rk_buf_release(&exp);
	rk_buf_release(&got);
}

static void
check(const struct sql_dialect *d, const char *src, size_t n,
      const char *const *want)
{
	struct ddl_list l = DDL_LIST_INIT;

	check_into(d, src, n, &l, want);
	ddl_list_release(&l);
}

/* EXPECT(d, "sql", "table - a", ...): exactly these objects, in order. */
#define EXPECT(d, src, ...)                                                    \
	do {                                                                   \
		static const char *const want_[] = { __VA_ARGS__, NULL };      \
		check((d), (src), sizeof(src) - 1, want_);                     \
	} while (0)

/* NOTHING(d, "sql"): no objects at all. */
#define NOTHING(d, src)                                                        \
	do {                                                                   \
		static const char *const want_[] = { NULL };                   \
		check((d), (src), sizeof(src) - 1, want_);                     \
	} while (0)

static void
test_strings_and_comments_hide_sql(void **state)
{
	(void)state;
	EXPECT(PG,
	       "SELECT 'CREATE TABLE a (x int);';\n"
	       "-- CREATE TABLE b (x int);\n"
	       "/* CREATE TABLE c (x int); /* nested; */ CREATE TABLE c2; */\n"
	       "CREATE TABLE d (note text DEFAULT 'x; CREATE TABLE e (y "
	       "int)');",
	       "table - d");
	EXPECT(PG,
	       "INSERT INTO t VALUES (E'\\'; CREATE TABLE a (x int); --');\n"
	       "CREATE TABLE b (x int);",
	       "table - b");
	NOTHING(PG, "COMMENT ON TABLE t IS 'CREATE VIEW v AS SELECT 1';");
}

static void
test_dollar_bodies(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $outer$\n"
	       "BEGIN\n"
	       "  EXECUTE $inner$ CREATE TABLE no1 (x int); $inner$;\n"
	       "  EXECUTE $$ CREATE INDEX no2 ON t (x) $$;\n"
	       "  -- $outer is not the end, nor is $outer_x$\n"
	       "END;\n"
	       "$outer$;\n"
	       "CREATE TABLE yes (x int);",
	       "function - f", "table - yes");
	EXPECT(PG,
	       "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS "
	       "$q$ $$ not the end $$ $q$; CREATE TABLE after_q (x int);",
	       "function - g", "table - after_q");
	/* XXX-documented: DO blocks are bodies too */
	NOTHING(PG, "DO $$ BEGIN CREATE TABLE in_do (x int); END $$;");
}

static void
test_begin_atomic(void **state)
{
	struct ddl_list l = DDL_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	static const char src[] =
		"CREATE FUNCTION add_tax(a numeric) RETURNS numeric\n"
		" LANGUAGE sql BEGIN ATOMIC\n"
		"  SELECT a * 1.2; CREATE TABLE no (x int);\n"
		"  SELECT CASE WHEN a > 0 THEN a END;\n"
		"END;\n"
		"CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT 1; "
		"END;\n"
		"CREATE TABLE after_atomic (x int);";
	char *s = exact(src, sizeof(src) - 1);

	(void)state;
	assert_int_equal(ddl_extract(s, sizeof(src) - 1, PG, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].name, "add_tax");
	assert_int_equal(l.v[0].type, DDL_FUNCTION);
	assert_int_equal(l.v[0].stmt_index, 0);
	assert_int_equal(l.v[1].type, DDL_PROCEDURE);
	assert_int_equal(l.v[1].stmt_index, 1);
	assert_string_equal(l.v[2].name, "after_atomic");
	assert_int_equal(l.v[2].stmt_index, 2);
	ddl_list_release(&l);
	free(s);
}

static void
test_quoted_names(void **state)
{
	struct ddl_list l = DDL_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	static const char src[] =
		"CREATE TABLE \"a.b\".\"c d\" (x int);\n"
		"ALTER TABLE \"a.b\".\"c d\" ADD COLUMN \"e.f\" int;";
	char *s = exact(src, sizeof(src) - 1);

	(void)state;
	assert_int_equal(ddl_extract(s, sizeof(src) - 1, PG, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].schema, "a.b");
	assert_string_equal(l.v[0].name, "c d");
	assert_string_equal(l.v[0].table, "");
	assert_string_equal(l.v[0].object, "c d");
	assert_int_equal(l.v[1].type, DDL_COLUMN);
	assert_string_equal(l.v[1].schema, "a.b");
	assert_string_equal(l.v[1].table, "c d");
	assert_string_equal(l.v[1].name, "e.f");
	assert_string_equal(l.v[1].object, "c d.e.f");
	ddl_list_release(&l);
	free(s);
	EXPECT(PG, "CREATE TABLE \"q\"\"uote\" (x int);", "table - q\"uote");
	EXPECT(PG, "CREATE TABLE public . spaced (x int);",
	       "table public spaced");
	EXPECT(PG, "CREATE TABLE public/* c */./* d */commented (x int);",
	       "table public commented");
	EXPECT(PG, "CREATE TABLE db.s.three (x int);", "table s three");
}

static void
test_case_folding(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE TABLE Foo (x int); CREATE TABLE \"Foo\" (x int);\n"
	       "CREATE TABLE FOO (x int); CREATE TABLE ÜBER (x int);",
	       "table - foo", "table - Foo", "table - Über");
	EXPECT(LITE, "CREATE TABLE Foo (x); CREATE TABLE [Bar Baz] (x);",
	       "table - Foo", "table - Bar Baz");
	/* SQLite names ignore case: a repeat is the same object */
	EXPECT(LITE,
	       "CREATE TABLE IF NOT EXISTS Foo (x);\n"
	       "CREATE TABLE IF NOT EXISTS foo (x);\n"
	       "CREATE TABLE IF NOT EXISTS `FOO` (x);",
	       "table - Foo");
}

static void
test_truncation(void **state)
{
	(void)state;
	/* 70 ASCII bytes: 63 kept */
	EXPECT(PG,
	       "CREATE TABLE "
	       "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"
	       "defghij"
	       " (x int);",
	       "table - "
	       "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijab"
	       "c");
	/* 62 bytes then a 2-byte é: the é does not fit in 63 */
	EXPECT(PG,
	       "CREATE TABLE "
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "\xc3\xa9 (x int);",
	       "table - "
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "a");
	/* 61 bytes then é é: one é fits exactly */
	EXPECT(PG,
	       "CREATE TABLE "
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "\xc3\xa9\xc3\xa9 (x int);",
	       "table - "
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "\xc3\xa9");
	/* 62 bytes then a 4-byte emoji, quoted */
	EXPECT(PG,
	       "CREATE TABLE \""
	       "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	       "\xf0\x9f\x98\x80\" (x int);",
	       "table - "
	       "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	       "f");
	/* exactly 63 bytes: kept whole */
	EXPECT(PG,
	       "CREATE TABLE "
	       "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	       " (x int);",
	       "table - "
	       "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	       "c");
	/* two spellings that truncate alike are one object */
	EXPECT(PG,
	       "CREATE TABLE IF NOT EXISTS "
	       "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	       "_1"
	       " (x int);\n"
	       "CREATE TABLE IF NOT EXISTS "
	       "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	       "_2"
	       " (x int);",
	       "table - "
	       "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	       "d");
	/* SQLite does not truncate */
	EXPECT(LITE,
	       "CREATE TABLE "
	       "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
	       "eeeeeee"
	       " (x);",
	       "table - "
	       "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
	       "eeeeeee");
}

static void
test_ident_name(void **state)
{
	struct rk_buf b = RK_BUF_INIT;

	(void)state;
#define NAME(d, tok, esc, want)                                                \
	do {                                                                   \
		char *t_ = exact(tok, sizeof(tok) - 1);                        \
		rk_buf_reset(&b);                                              \
		(void)ddl_ident_name(t_, sizeof(tok) - 1, (d), (esc), &b);     \
		assert_string_equal(b.s, (want));                              \
		free(t_);                                                      \
	} while (0)
	NAME(PG, "MiXeD", '\\', "mixed");
	NAME(PG, "\"MiXeD\"", '\\', "MiXeD");
	NAME(PG, "\"a\"\"b\"", '\\', "a\"b");
	NAME(PG, "\"\"\"\"", '\\', "\"");
	NAME(PG, "U&\"d\\0061t\\+000061\"", '\\', "data");
	NAME(PG, "u&\"\\\\x\"", '\\', "\\x");
	NAME(PG, "U&\"!0441!0442\"", '!', "\xd1\x81\xd1\x82");
	NAME(PG, "U&\"\\D83D\\DE00\"", '\\', "\xf0\x9f\x98\x80");
	NAME(PG, "U&\"bad\\zz\"", '\\', "bad\\zz");
	NAME(PG, "U&\"a\"\"b\"", '\\', "a\"b");
	NAME(LITE, "MiXeD", '\\', "MiXeD");
	NAME(LITE, "[a \"b\"]", '\\', "a \"b\"");
	NAME(LITE, "`a``b`", '\\', "a`b");
	NAME(LITE, "\"a\"\"b\"", '\\', "a\"b");
#undef NAME
	rk_buf_reset(&b);
	assert_int_equal(
		ddl_ident_name(
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			"aaaaaaaaaaaaa",
			66, PG, '\\', &b),
		1);
	assert_int_equal(b.len, 63);
	rk_buf_release(&b);
}

static void
test_unicode_idents(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE TABLE U&\"d\\0061t\\+000061\" (x int);\n"
	       "CREATE TABLE U&\"!0441!0442\" UESCAPE '!' (x int);\n"
	       "CREATE TABLE public.U&\"x\\0079\" (x int);",
	       "table - data", "table - \xd1\x81\xd1\x82", "table public xy");
}

static void
test_if_not_exists_and_repeats(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE TABLE IF NOT EXISTS a (x int);\n"
	       "CREATE TABLE IF NOT EXISTS a (x int);\n"
	       "CREATE TABLE if (x int);\n"
	       "CREATE TABLE IF NOT EXISTS \"if\" (x int);\n"
	       "CREATE OR REPLACE VIEW v AS SELECT 1;\n"
	       "CREATE OR REPLACE VIEW v AS SELECT 2;",
	       "table - a", "table - if", "view - v");
	/* overloads are one object; a procedure of that name is another */
	EXPECT(PG,
	       "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT "
	       "1';\n"
	       "CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT "
	       "1';\n"
	       "CREATE OR REPLACE FUNCTION F(int, int) RETURNS int "
	       "LANGUAGE sql AS 'SELECT 1';\n"
	       "CREATE PROCEDURE f(date) LANGUAGE sql AS '';",
	       "function - f", "procedure - f");
	/* a qualified and an unqualified spelling stay apart */
	EXPECT(PG, "CREATE TABLE a (x int); CREATE TABLE public.a (x int);",
	       "table - a", "table public a");
}

static void
test_indexes(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i1 ON s.t (x);\n"
	       "CREATE INDEX i2 ON ONLY t USING gin (x);\n"
	       "CREATE INDEX ON t (x);\n"
	       "CREATE INDEX CONCURRENTLY ON t (x);\n"
	       "CREATE INDEX concurrently ON t (x);\n"
	       "CREATE INDEX \"I 3\" ON \"S\".\"T\" (x) WHERE x > 0;",
	       "index s i1", "index - i2", "index S I 3");
	/* SQLite: the index's own name carries the schema */
	EXPECT(LITE,
	       "CREATE UNIQUE INDEX IF NOT EXISTS main.i1 ON t (x);\n"
	       "CREATE INDEX i2 ON t (x);",
	       "index main i1", "index - i2");
}

static void
test_temp_and_unlogged(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE TEMP TABLE tmp (x int);\n"
	       "CREATE TEMPORARY VIEW tv AS SELECT 1;\n"
	       "CREATE LOCAL TEMPORARY TABLE lt (x int);\n"
	       "CREATE TEMP SEQUENCE ts;\n"
	       "CREATE INDEX tmp_x ON tmp (x);\n"
	       "ALTER TABLE tmp ADD COLUMN y int;\n"
	       "CREATE TRIGGER tmp_trg AFTER INSERT ON tmp "
	       "FOR EACH ROW EXECUTE FUNCTION f();\n"
	       "CREATE TABLE pg_temp.pt (x int);\n"
	       "CREATE UNLOGGED TABLE u (x int);\n"
	       "CREATE INDEX pub_tmp ON public.tmp (x);",
	       "table - u", "index public pub_tmp");
	/* DROP of an unqualified name drops the temporary table first */
	EXPECT(PG,
	       "CREATE TABLE keep (x int); CREATE INDEX keep_x ON keep (x);\n"
	       "CREATE TEMP TABLE keep (x int); DROP TABLE keep;",
	       "table - keep", "index - keep_x");
	EXPECT(LITE,
	       "CREATE TEMP TABLE t1 (x); CREATE TEMP TRIGGER tr AFTER "
	       "INSERT ON t1 BEGIN SELECT 1; END;\n"
	       "CREATE TABLE temp.t2 (x); CREATE TABLE TEMP.t3 (x);\n"
	       "CREATE TABLE real (x);",
	       "table - real");
}

static void
test_alter_table(void **state)
{
	(void)state;
	EXPECT(PG,
	       "ALTER TABLE ONLY public.t\n"
	       "  ADD COLUMN a numeric(10, 2) DEFAULT round(1.0, 2),\n"
	       "  ADD COLUMN tags text[] DEFAULT ARRAY['x', 'y'],\n"
	       "  ADD b int,\n"
	       "  ADD COLUMN IF NOT EXISTS c int,\n"
	       "  ADD IF NOT EXISTS d int,\n"
	       "  ADD CONSTRAINT t_a_check CHECK (a > 0),\n"
	       "  ADD PRIMARY KEY (id), ADD UNIQUE (a), ADD CHECK (a < 9),\n"
	       "  ADD FOREIGN KEY (b) REFERENCES u (id),\n"
	       "  ADD EXCLUDE USING gist (p WITH &&),\n"
	       "  ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY,\n"
	       "  ADD COLUMN \"if\" int;",
	       "column public t.a", "column public t.tags", "column public t.b",
	       "column public t.c", "column public t.d",
	       "constraint public t.t_a_check", "column public t.if");
	EXPECT(PG, "ALTER TABLE IF EXISTS ONLY t* ADD COLUMN z int;",
	       "column - t.z");
	EXPECT(PG, "ALTER FOREIGN TABLE ft ADD COLUMN z int;", "column - ft.z");
	NOTHING(PG,
		"ALTER TABLE t ALTER COLUMN x SET DEFAULT 1, OWNER TO app;\n"
		"ALTER TABLE t ALTER x ADD GENERATED BY DEFAULT AS IDENTITY "
		"(SEQUENCE NAME s.t_x_seq);");
	EXPECT(LITE, "ALTER TABLE t ADD COLUMN [a b] TEXT DEFAULT 'x,y';",
	       "column - t.a b");
}

static void
test_triggers(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE TRIGGER begin BEFORE UPDATE OF a, \"on\" ON s.t "
	       "FOR EACH ROW EXECUTE FUNCTION f();\n"
	       "CREATE OR REPLACE CONSTRAINT TRIGGER c AFTER INSERT ON t "
	       "DEFERRABLE FOR EACH ROW EXECUTE PROCEDURE f();\n"
	       "CREATE TRIGGER i INSTEAD OF INSERT ON \"V w\" "
	       "FOR EACH ROW EXECUTE FUNCTION f();\n"
	       "CREATE EVENT TRIGGER e ON ddl_command_end "
	       "EXECUTE FUNCTION f();",
	       "trigger s t.begin", "trigger - t.c", "trigger - V w.i");
	/* SQLite's DROP TRIGGER names no table; names ignore case */
	NOTHING(LITE,
		"CREATE TRIGGER t1 AFTER INSERT ON t BEGIN SELECT 1; END;\n"
		"CREATE TRIGGER t2 AFTER INSERT ON t BEGIN SELECT 1; END;\n"
		"DROP TRIGGER IF EXISTS main.T1; DROP TRIGGER T2;");
	EXPECT(LITE,
	       "CREATE TRIGGER IF NOT EXISTS main.tr AFTER INSERT ON t\n"
	       "BEGIN\n"
	       "  INSERT INTO log VALUES ('END; CREATE TABLE no (x);');\n"
	       "  SELECT CASE WHEN 1 THEN 'a' END;\n"
	       "END;\n"
	       "CREATE TABLE after_trigger (x);",
	       "trigger main t.tr", "table - after_trigger");
}

static void
test_create_schema(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE SCHEMA s\n"
	       "  CREATE TABLE t (x int)\n"
	       "  CREATE VIEW v AS SELECT x FROM t\n"
	       "  CREATE INDEX t_x ON t (x)\n"
	       "  CREATE TABLE other.q (y int)\n"
	       "  GRANT SELECT ON t TO PUBLIC;\n"
	       "CREATE SCHEMA AUTHORIZATION joe;\n"
	       "CREATE SCHEMA AUTHORIZATION CURRENT_USER;\n"
	       "CREATE SCHEMA IF NOT EXISTS \"App\" AUTHORIZATION app;\n"
	       "CREATE TABLE after_schema (x int);",
	       "schema - s", "table s t", "view s v", "index s t_x",
	       "table other q", "schema - joe", "schema - App",
	       "table - after_schema");
}

static void
test_kinds(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE TYPE e AS ENUM ('a');\n"
	       "CREATE TYPE c AS (a int);\n"
	       "CREATE TYPE r AS RANGE (subtype = int4);\n"
	       "CREATE TYPE shell;\n"
	       "CREATE DOMAIN d AS int CHECK (VALUE > 0);\n"
	       "CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1;\n"
	       "CREATE SEQUENCE IF NOT EXISTS sq;\n"
	       "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA x;\n"
	       "CREATE FOREIGN TABLE ft (x int) SERVER srv;\n"
	       "CREATE RECURSIVE VIEW rv (n) AS SELECT 1;\n"
	       "CREATE AGGREGATE agg (int) (SFUNC = f, STYPE = int);\n"
	       "CREATE POLICY p ON t USING (true);\n"
	       "CREATE ROLE r2; CREATE DATABASE db;",
	       "type - e", "type - c", "type - r", "type - shell", "domain - d",
	       "matview - mv", "sequence - sq", "extension - uuid-ossp",
	       "table - ft", "view - rv");
	EXPECT(LITE,
	       "CREATE TABLE a (x) WITHOUT ROWID, STRICT;\n"
	       "CREATE TABLE b (x) STRICT;\n"
	       "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(body);\n"
	       "CREATE VIEW IF NOT EXISTS v AS SELECT 1;",
	       "table - a", "table - b", "table - docs", "view - v");
}

static void
test_net_effect(void **state)
{
	(void)state;
	/* created then dropped, with what hangs off the table */
	EXPECT(PG,
	       "CREATE TABLE s (x int); CREATE INDEX s_x ON s (x);\n"
	       "ALTER TABLE s ADD COLUMN y int, ADD CONSTRAINT s_c CHECK (y > "
	       "0);\n"
	       "CREATE TRIGGER s_t AFTER INSERT ON s "
	       "FOR EACH ROW EXECUTE FUNCTION f();\n"
	       "DROP TABLE IF EXISTS other, s CASCADE;\n"
	       "CREATE TABLE kept (x int);",
	       "table - kept");
	/* SQLite's table rebuild */
	EXPECT(LITE,
	       "CREATE TABLE \"new_Post\" (id INTEGER);\n"
	       "INSERT INTO \"new_Post\" SELECT * FROM \"Post\";\n"
	       "DROP TABLE \"Post\";\n"
	       "ALTER TABLE \"new_Post\" RENAME TO \"Post\";\n"
	       "CREATE INDEX \"Post_id\" ON \"Post\" (id);",
	       "table - Post", "index - Post_id");
	/* renames carry the table's parts along */
	EXPECT(PG,
	       "CREATE TABLE a (x int); CREATE INDEX a_x ON a (x);\n"
	       "ALTER TABLE a ADD COLUMN y int;\n"
	       "ALTER TABLE a RENAME TO b;\n"
	       "ALTER TABLE b RENAME COLUMN y TO z;\n"
	       "ALTER INDEX a_x RENAME TO b_x;",
	       "table - b", "index - b_x", "column - b.z");
	/* columns and constraints: repeats, drops and renames */
	EXPECT(PG,
	       "ALTER TABLE t ADD CONSTRAINT c1 CHECK (x > 0);\n"
	       "ALTER TABLE t ADD CONSTRAINT c1 CHECK (x > 0);\n"
	       "ALTER TABLE t ADD CONSTRAINT c2 CHECK (x > 0), "
	       "ADD CONSTRAINT c3 CHECK (x > 0), ADD COLUMN a int, "
	       "ADD COLUMN b int, ADD COLUMN IF NOT EXISTS b int;\n"
	       "ALTER TABLE t DROP CONSTRAINT IF EXISTS c2, DROP COLUMN a;\n"
	       "ALTER TABLE t RENAME CONSTRAINT c3 TO c4;\n"
	       "ALTER TABLE u ADD CONSTRAINT c1 CHECK (x > 0);\n"
	       "ALTER TABLE u DROP CONSTRAINT c4;",
	       "constraint - t.c1", "constraint - t.c4", "column - t.b",
	       "constraint - u.c1");
	/* a helper function made and dropped */
	EXPECT(PG,
	       "CREATE FUNCTION tmp_fix() RETURNS void LANGUAGE sql AS $$ $$;\n"
	       "SELECT tmp_fix(); DROP FUNCTION tmp_fix();\n"
	       "CREATE SCHEMA x; CREATE TABLE x.t (a int);\n"
	       "DROP SCHEMA x CASCADE;\n"
	       "CREATE SCHEMA y; CREATE TABLE y.t (a int);\n"
	       "ALTER SCHEMA y RENAME TO z;",
	       "schema - z", "table z t");
	/* a qualified drop finds an unqualified create and the reverse */
	EXPECT(PG,
	       "CREATE TABLE a (x int); CREATE TABLE public.b (x int);\n"
	       "CREATE TABLE other.c (x int);\n"
	       "DROP TABLE public.a, b, public.c;",
	       "table other c");
}

static void
test_rename_keeps_table(void **state)
{
	struct ddl_list l = DDL_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	static const char src[] =
		"CREATE INDEX i ON s.t (x); ALTER INDEX s.i RENAME TO j;\n"
		"ALTER TABLE s.t ADD COLUMN c int; ALTER TABLE s.t RENAME TO "
		"u;\n"
		"CREATE TABLE v (x int); ALTER TABLE v RENAME TO \"\";\n"
		"ALTER TABLE v RENAME TO \"\0w\";";
	char *s = exact(src, sizeof(src) - 1);

	(void)state;
	assert_int_equal(ddl_extract(s, sizeof(src) - 1, PG, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].name, "j");
	assert_string_equal(l.v[0].table, "u"); /* moved with its table */
	assert_string_equal(l.v[0].schema, "s");
	assert_string_equal(l.v[1].object, "u.c");
	assert_string_equal(l.v[2].name, "v"); /* "" is no name */
	ddl_list_release(&l);
	free(s);
}

static void
test_errors_leave_list(void **state)
{
	struct ddl_list l = DDL_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	static const char good[] = "CREATE TABLE a (x int);";
	static const char bad[] = "CREATE TABLE b (x text DEFAULT 'open);";
	static const char *const want[] = { "table - a", NULL };
	char *s;

	(void)state;
	check_into(PG, good, sizeof(good) - 1, &l, want);
	s = exact(bad, sizeof(bad) - 1);
	assert_int_equal(ddl_extract(s, sizeof(bad) - 1, PG, &l, &err), -1);
	assert_int_equal(err.kind, RK_INPUT);
	assert_non_null(strstr(err.msg, "unterminated quoted string"));
	assert_int_equal(l.n, 1);
	free(s);
	ddl_list_release(&l);
}

static void
test_appending(void **state)
{
	struct ddl_list l = DDL_LIST_INIT;
	static const char *const one[] = { "table - a", "table - b", NULL };
	static const char *const two[] = { "table - a", "table - c", NULL };
	static const char f1[] =
		"CREATE TABLE a (x int); CREATE TABLE b (x int);";
	static const char f2[] = "CREATE TABLE IF NOT EXISTS a (x int); "
				 "DROP TABLE b; CREATE TABLE c (x int);";

	(void)state;
	check_into(PG, f1, sizeof(f1) - 1, &l, one);
	/* a second file: a repeat is not listed again, a drop applies */
	check_into(PG, f2, sizeof(f2) - 1, &l, two);
	assert_int_equal(l.v[1].stmt_index, 2);
	ddl_list_release(&l);
}

static void
test_empty_and_nul(void **state)
{
	(void)state;
	NOTHING(PG, "");
	NOTHING(PG, "-- only a comment");
	NOTHING(PG, ";;;");
	NOTHING(LITE, "/* x */ ;");
	NOTHING(PG, "CREATE");
	NOTHING(PG, "CREATE TABLE");
	NOTHING(PG, "CREATE TABLE IF NOT EXISTS");
	NOTHING(PG, "ALTER TABLE t ADD");
	NOTHING(PG, "DROP TABLE");
	NOTHING(PG, "CREATE TABLE (x int);");
	EXPECT(PG, "CREATE TABLE a\0b (x int);", "table - a");
	EXPECT(PG, "CREATE TABLE t (x int)", "table - t");
}

static void
test_type_names(void **state)
{
	unsigned i;
	enum ddl_type t;

	(void)state;
	for (i = 0; i < DDL_NTYPES; i++) {
		const char *name = ddl_type_name((enum ddl_type)i);

		assert_int_equal(ddl_type_from_name(name, &t), 0);
		assert_int_equal(t, i);
	}
	assert_string_equal(ddl_type_name(DDL_MATVIEW), "matview");
	assert_string_equal(ddl_type_name(DDL_CONSTRAINT), "constraint");
	assert_int_equal(ddl_type_from_name("materialized view", &t), -1);
	assert_true(ddl_type_has_table(DDL_INDEX));
	assert_true(ddl_type_has_table(DDL_COLUMN));
	assert_false(ddl_type_has_table(DDL_VIEW));
}

/* ddl_list_find()'s also: any schema at all. */
static int
any_schema(const char *want, const char *have, const void *arg)
{
	(void)want;
	(void)have;
	(void)arg;
	return 1;
}

static void
test_list(void **state)
{
	struct ddl_list l = DDL_LIST_INIT;
	size_t a, b, c;

	(void)state;
	a = ddl_list_add(&l, DDL_TABLE, "s", "", "t", 0);
	b = ddl_list_add(&l, DDL_COLUMN, "s", "t", "c", 1);
	assert_int_equal(ddl_list_add(&l, DDL_TABLE, "s", "", "t", 2), a);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[b].object, "t.c");
	assert_int_equal(ddl_list_find(&l, DDL_COLUMN, "s", "t.c", NULL, NULL),
			 b);
	assert_int_equal(ddl_list_find(&l, DDL_TABLE, "x", "t", NULL, NULL),
			 DDL_NONE);
	assert_int_equal(
		ddl_list_find(&l, DDL_TABLE, "x", "t", any_schema, NULL), a);
	/* a rename onto a listed object removes the renamed one */
	c = ddl_list_add(&l, DDL_TABLE, "s", "", "u", 3);
	ddl_list_rename(&l, c, l.v[c].schema, "", "t");
	assert_null(l.v[c].mem);
	ddl_list_rename(&l, a, l.v[a].schema, "", "v");
	assert_string_equal(l.v[a].name, "v");
	ddl_list_remove(&l, b);
	ddl_list_compact(&l);
	assert_int_equal(l.n, 1);
	assert_int_equal(ddl_list_find(&l, DDL_TABLE, "s", "v", NULL, NULL), 0);
	/* many objects: the index grows and still finds each */
	for (c = 0; c < 1000; c++) {
		char name[16];

		(void)snprintf(name, sizeof(name), "n%zu", c);
		(void)ddl_list_add(&l, DDL_INDEX, "", "t", name, 0);
	}
	assert_int_equal(l.n, 1001);
	assert_int_equal(ddl_list_find(&l, DDL_INDEX, "", "n777", NULL, NULL),
			 778);
	ddl_list_release(&l);
	assert_int_equal(l.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_and_comments_hide_sql),
		cmocka_unit_test(test_dollar_bodies),
		cmocka_unit_test(test_begin_atomic),
		cmocka_unit_test(test_quoted_names),
		cmocka_unit_test(test_case_folding),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_ident_name),
		cmocka_unit_test(test_unicode_idents),
		cmocka_unit_test(test_if_not_exists_and_repeats),
		cmocka_unit_test(test_indexes),
		cmocka_unit_test(test_temp_and_unlogged),
		cmocka_unit_test(test_alter_table),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_create_schema),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_net_effect),
		cmocka_unit_test(test_rename_keeps_table),
		cmocka_unit_test(test_errors_leave_list),
		cmocka_unit_test(test_appending),
		cmocka_unit_test(test_empty_and_nul),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
