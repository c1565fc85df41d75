/*
 * Unit tests for the SQL lexer and statement splitter (parsers/sql_lex.c,
 * parsers/sql_split.c): the nasty cases, one assertion per fact. Every input
 * is copied into a heap buffer of exactly its size, so ASan catches a read of
 * s[n]. Whole real-world files are fixtures (test_fixtures.c), not here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

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
	char *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

/* One expected token: its kind and length. */
struct tok {
	enum sql_tok kind;
	size_t len;
};

/*
 * Lex s[0..n) to the end and check the tokens against want[0..nwant).
 */
static void
check_tokens(const struct sql_dialect *d, const char *src, size_t n,
	     const struct tok *want, size_t nwant)
{
	char *s = exact(src, n);
	size_t i = 0, k = 0;

	while (i < n) {
		enum sql_tok kind;
		size_t len = sql_token(s + i, n - i, d, &kind);

		assert_true(len >= 1 && len <= n - i);
		if (k >= nwant)
			fail_msg("extra token at %zu in '%s'", i, src);
		if (kind != want[k].kind || len != want[k].len)
			fail_msg("token %zu of '%s': kind %d len %zu, want "
				 "kind %d len %zu",
				 k, src, (int)kind, len, (int)want[k].kind,
				 want[k].len);
		i += len;
		k++;
	}
	assert_int_equal(k, nwant);
	free(s);
}

#define TOKENS(d, src, ...)                                                    \
	do {                                                                   \
		static const struct tok want_[] = { __VA_ARGS__ };             \
		check_tokens((d), (src), sizeof(src) - 1, want_,               \
			     ARRAY_SIZE(want_));                               \
	} while (0)

/* The kind and length of the first token of src on d. */
static enum sql_tok
first(const struct sql_dialect *d, const char *src, size_t n, size_t *len)
{
	char *s = exact(src, n);
	enum sql_tok kind;

	*len = sql_token(s, n, d, &kind);
	free(s);
	return kind;
}

#define FIRST(d, src, kind, len)                                               \
	do {                                                                   \
		size_t l_;                                                     \
		assert_int_equal(first((d), (src), sizeof(src) - 1, &l_),      \
				 (kind));                                      \
		assert_int_equal(l_, (len));                                   \
	} while (0)

static void
test_lex_strings(void **state)
{
	(void)state;
	FIRST(PG, "'it''s; fine' x", TK_STRING, 13);
	FIRST(PG, "''", TK_STRING, 2);
	FIRST(PG, "'''' x", TK_STRING, 4);
	/* backslash is an ordinary byte in a standard string */
	FIRST(PG, "'a\\' x", TK_STRING, 4);
	FIRST(PG, "E'\\';' x", TK_STRING, 6);
	FIRST(PG, "e'a\\\\' x", TK_STRING, 6);
	FIRST(PG, "E'it''s' x", TK_STRING, 8);
	FIRST(PG, "B'1010' x", TK_STRING, 7);
	FIRST(PG, "X'fF' x", TK_STRING, 5);
	FIRST(PG, "n'x' x", TK_STRING, 4);
	FIRST(PG, "U&'d\\0061t' x", TK_STRING, 11);
	FIRST(PG, "u&\"d\\0061t\" x", TK_QIDENT, 11);
	FIRST(LITE, "X'00ff' x", TK_STRING, 7);
	/* no E'' strings on SQLite: E, then a string ending at \' */
	TOKENS(LITE, "E'\\';'", { TK_WORD, 1 }, { TK_STRING, 3 },
	       { TK_SEMI, 1 }, { TK_UNTERMINATED, 1 });
	/* a word that merely starts with a prefix letter */
	TOKENS(PG, "Ex'a'", { TK_WORD, 2 }, { TK_STRING, 3 });
	TOKENS(PG, "U&x", { TK_WORD, 1 }, { TK_OP, 1 }, { TK_WORD, 1 });
}

static void
test_lex_idents(void **state)
{
	(void)state;
	FIRST(PG, "\"quoted;ident\" x", TK_QIDENT, 14);
	FIRST(PG, "\"a\"\"b\" x", TK_QIDENT, 6);
	FIRST(PG, "café x", TK_WORD, 5);
	FIRST(PG, "\xe6\x97\xa5\xe6\x9c\xac x", TK_WORD, 6);
	FIRST(PG, "a$b$c x", TK_WORD, 5);
	FIRST(PG, "_x1 x", TK_WORD, 3);
	FIRST(LITE, "[a;b] x", TK_QIDENT, 5);
	FIRST(LITE, "[a\"]\" x", TK_QIDENT, 4);
	FIRST(LITE, "`a;b` x", TK_QIDENT, 5);
	FIRST(LITE, "`a``b` x", TK_QIDENT, 6);
	FIRST(LITE, "\"a;b\" x", TK_QIDENT, 5);
	/* brackets and backticks are operators on PG */
	TOKENS(PG, "[a;b]", { TK_OP, 1 }, { TK_WORD, 1 }, { TK_SEMI, 1 },
	       { TK_WORD, 1 }, { TK_OP, 1 });
	TOKENS(PG, "`a`", { TK_OP, 1 }, { TK_WORD, 1 }, { TK_OP, 1 });
}

static void
test_lex_dollar(void **state)
{
	(void)state;
	FIRST(PG, "$$a;'b$$ x", TK_DOLLAR, 8);
	FIRST(PG, "$$$$ x", TK_DOLLAR, 4);
	FIRST(PG, "$fn$ x $$ ; $$ y $fn$ z", TK_DOLLAR, 21);
	/* a longer tag that starts like ours does not close it */
	FIRST(PG, "$a$ $ab$ $a$ x", TK_DOLLAR, 12);
	FIRST(PG, "$_1$x$_1$ x", TK_DOLLAR, 9);
	FIRST(PG, "$é$x$é$ x", TK_DOLLAR, 9);
	FIRST(PG, "$1 x", TK_PARAM, 2);
	FIRST(PG, "$12$ x", TK_PARAM, 3);
	TOKENS(PG, "$ x", { TK_OP, 1 }, { TK_SPACE, 1 }, { TK_WORD, 1 });
	TOKENS(PG, "$a b$", { TK_OP, 1 }, { TK_WORD, 1 }, { TK_SPACE, 1 },
	       { TK_WORD, 2 });
	FIRST(PG, "$$ never closed", TK_UNTERMINATED, 15);
	FIRST(PG, "$t$ x $T$ y", TK_UNTERMINATED, 11);
	FIRST(PG, "$t$ x $t", TK_UNTERMINATED, 8);
	/* no dollar quotes on SQLite: $name and $1 are parameters */
	FIRST(LITE, "$name x", TK_PARAM, 5);
	FIRST(LITE, "$1 x", TK_PARAM, 2);
	TOKENS(LITE, "$$ ; $$", { TK_PARAM, 2 }, { TK_SPACE, 1 },
	       { TK_SEMI, 1 }, { TK_SPACE, 1 }, { TK_PARAM, 2 });
}

static void
test_lex_comments(void **state)
{
	(void)state;
	TOKENS(PG, "-- a ';\"\nx", { TK_COMMENT, 8 }, { TK_SPACE, 1 },
	       { TK_WORD, 1 });
	TOKENS(PG, "--", { TK_COMMENT, 2 });
	TOKENS(PG, "a-b", { TK_WORD, 1 }, { TK_OP, 1 }, { TK_WORD, 1 });
	TOKENS(PG, "a/b", { TK_WORD, 1 }, { TK_OP, 1 }, { TK_WORD, 1 });
	FIRST(PG, "/**/ x", TK_COMMENT, 4);
	FIRST(PG, "/* a /* b */ c */ x", TK_COMMENT, 17);
	FIRST(PG, "/*/**/*/ x", TK_COMMENT, 8);
	/* an opening slash-star then a slash: nothing closes */
	FIRST(PG, "/*/ x", TK_UNTERMINATED, 5);
	/* star-slash closes, and the star after it is outside */
	TOKENS(PG, "/* */*", { TK_COMMENT, 5 }, { TK_OP, 1 });
	FIRST(PG, "/* a /* b */ c", TK_UNTERMINATED, 14);
	/* SQLite does not nest: the first close ends it */
	TOKENS(LITE, "/* a /* b */ c */", { TK_COMMENT, 12 }, { TK_SPACE, 1 },
	       { TK_WORD, 1 }, { TK_SPACE, 1 }, { TK_OP, 1 }, { TK_OP, 1 });
	FIRST(LITE, "/* x", TK_UNTERMINATED, 4);
}

static void
test_lex_numbers_params(void **state)
{
	(void)state;
	FIRST(PG, "1 x", TK_NUMBER, 1);
	FIRST(PG, "1.5e3 x", TK_NUMBER, 5);
	FIRST(PG, "1.5E-3 x", TK_NUMBER, 6);
	FIRST(PG, ".5 x", TK_NUMBER, 2);
	FIRST(PG, "0x1F x", TK_NUMBER, 4);
	FIRST(PG, "1_000 x", TK_NUMBER, 5);
	TOKENS(PG, "1e", { TK_NUMBER, 1 }, { TK_WORD, 1 });
	TOKENS(PG, "a.b", { TK_WORD, 1 }, { TK_DOT, 1 }, { TK_WORD, 1 });
	TOKENS(PG, "f(1,2)", { TK_WORD, 1 }, { TK_LPAREN, 1 }, { TK_NUMBER, 1 },
	       { TK_COMMA, 1 }, { TK_NUMBER, 1 }, { TK_RPAREN, 1 });
	FIRST(PG, "? x", TK_PARAM, 1);
	FIRST(LITE, "?12 x", TK_PARAM, 3);
	FIRST(LITE, ":name x", TK_PARAM, 5);
	FIRST(LITE, "@name x", TK_PARAM, 5);
	/* a PG cast is one operator, not a parameter */
	TOKENS(PG, "a::text", { TK_WORD, 1 }, { TK_OP, 2 }, { TK_WORD, 4 });
	TOKENS(PG, "@>", { TK_OP, 1 }, { TK_OP, 1 });
}

static void
test_lex_bounds(void **state)
{
	static const char nul[] = { 'a', '\0', 'b' };

	(void)state;
	/* a NUL byte is an operator byte, not the end */
	check_tokens(PG, nul, sizeof(nul),
		     (const struct tok[]){
			     { TK_WORD, 1 }, { TK_OP, 1 }, { TK_WORD, 1 } },
		     3);
	/* n cuts every token short, wherever it falls */
	FIRST(PG, "'", TK_UNTERMINATED, 1);
	FIRST(PG, "'abc", TK_UNTERMINATED, 4);
	FIRST(PG, "'a''", TK_UNTERMINATED, 4);
	FIRST(PG, "E'\\", TK_UNTERMINATED, 3);
	FIRST(PG, "E'\\'", TK_UNTERMINATED, 4);
	FIRST(PG, "\"ab", TK_UNTERMINATED, 3);
	FIRST(PG, "U&'", TK_UNTERMINATED, 3);
	FIRST(LITE, "[ab", TK_UNTERMINATED, 3);
	FIRST(LITE, "`ab", TK_UNTERMINATED, 3);
	FIRST(PG, "/*", TK_UNTERMINATED, 2);
	FIRST(PG, "/*/", TK_UNTERMINATED, 3);
	FIRST(PG, "$", TK_OP, 1);
	FIRST(PG, "$a", TK_OP, 1);
	FIRST(PG, "$a$", TK_UNTERMINATED, 3);
	FIRST(PG, "-", TK_OP, 1);
	FIRST(PG, "/", TK_OP, 1);
	FIRST(PG, ":", TK_OP, 1);
	FIRST(PG, "E", TK_WORD, 1);
	FIRST(PG, "0x", TK_NUMBER, 1);
	FIRST(PG, " \t\r\n\f\v", TK_SPACE, 6);
}

/* Split src (an exact-size copy) with d; returns sql_split's result. */
static int
split(const struct sql_dialect *d, const char *src, size_t n,
      struct sql_stmt_list *l, struct rk_err *err)
{
	char *s = exact(src, n);
	int rc = sql_split(s, n, d, l, err);

	free(s);
	return rc;
}

/* Statement i of l over src: its text, line and flags. */
static void
check_stmt(const char *src, const struct sql_stmt_list *l, size_t i,
	   const char *text, unsigned line, unsigned flags)
{
	const struct sql_stmt *st;

	if (i >= l->n)
		fail_msg("no statement %zu (have %zu)", i, l->n);
	st = &l->v[i];
	if (st->len != strlen(text) || memcmp(src + st->off, text, st->len))
		fail_msg("statement %zu is '%.*s', want '%s'", i, (int)st->len,
			 src + st->off, text);
	assert_int_equal(st->line, line);
	assert_int_equal(st->flags, flags);
}

/* Split src with d, expecting success and n statements. */
#define SPLIT(d, src, l, want_n)                                               \
	do {                                                                   \
		struct rk_err e_ = RK_ERR_INIT;                                \
		if (split((d), (src), strlen(src), (l), &e_) < 0)              \
			fail_msg("split failed: %s", e_.msg);                  \
		assert_int_equal((l)->n, (want_n));                            \
	} while (0)

static void
test_split_basic(void **state)
{
	static const char src[] = "SELECT 1;SELECT 2 ;\n  select 3";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, src, &l, 3);
	assert_int_equal(l.v[0].off, 0);
	assert_int_equal(l.v[0].len, 9);
	assert_int_equal(l.v[1].off, 9);
	assert_int_equal(l.v[1].len, 10);
	assert_int_equal(l.v[2].off, 22);
	assert_int_equal(l.v[2].len, 8);
	check_stmt(src, &l, 2, "select 3", 2, 0);
	sql_stmt_list_release(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.cap, 0);
}

static void
test_split_comments_and_empty(void **state)
{
	static const char src[] = "-- head; 'not a quote\n"
				  "/* block; */ ;;\n"
				  "  -- before\n"
				  "  INSERT INTO t -- mid; \"\n"
				  "  VALUES (1); -- after; 'x\n"
				  "SELECT 2 -- tail\n"
				  "  /* more */  \n";
	static const char only[] = "-- nothing\n;\n/* ; */ ; ;\n";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, src, &l, 2);
	check_stmt(src, &l, 0, "INSERT INTO t -- mid; \"\n  VALUES (1);", 4, 0);
	check_stmt(src, &l, 1, "SELECT 2", 6, 0);
	sql_stmt_list_release(&l);
	SPLIT(PG, only, &l, 0);
	SPLIT(LITE, only, &l, 0);
	SPLIT(PG, "", &l, 0);
	SPLIT(PG, " \n\t", &l, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_quotes(void **state)
{
	static const char src[] =
		"INSERT INTO t VALUES ('a;b', E'\\';', \"q;i\", 'it''s;');\n"
		"SELECT $$ ; $$, $fn$ $$;$$ ; $fn$;\n"
		"SELECT U&'x;y', B'1', X'0a';";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, src, &l, 3);
	check_stmt(src, &l, 0,
		   "INSERT INTO t VALUES ('a;b', E'\\';', \"q;i\", 'it''s;');",
		   1, 0);
	check_stmt(src, &l, 1, "SELECT $$ ; $$, $fn$ $$;$$ ; $fn$;", 2, 0);
	check_stmt(src, &l, 2, "SELECT U&'x;y', B'1', X'0a';", 3, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_plpgsql(void **state)
{
	static const char src[] =
		"CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $body$\n"
		"BEGIN\n"
		"  EXECUTE $q$UPDATE t SET a = 1; $$ inner $$;$q$;\n"
		"  RETURN NEW;\n"
		"END;\n"
		"$body$ LANGUAGE plpgsql;\n"
		"DO $$BEGIN PERFORM 1; END$$;\n";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, src, &l, 2);
	assert_int_equal(l.v[0].off, 0);
	assert_int_equal(l.v[0].len, strstr(src, "DO $$") - src - 1);
	assert_int_equal(l.v[0].line, 1);
	assert_int_equal(l.v[0].flags, 0);
	check_stmt(src, &l, 1, "DO $$BEGIN PERFORM 1; END$$;", 7, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_nested_comments(void **state)
{
	static const char src[] = "SELECT 1 /* a /* b; */ c; */;\nSELECT 2;";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, src, &l, 2);
	check_stmt(src, &l, 0, "SELECT 1 /* a /* b; */ c; */;", 1, 0);
	check_stmt(src, &l, 1, "SELECT 2;", 2, 0);
	sql_stmt_list_release(&l);
	/* SQLite closes at the first star-slash: "c;" ends a statement */
	SPLIT(LITE, src, &l, 3);
	check_stmt(src, &l, 0, "SELECT 1 /* a /* b; */ c;", 1, 0);
	check_stmt(src, &l, 1, "*/;", 1, 0);
	check_stmt(src, &l, 2, "SELECT 2;", 2, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_sqlite_idents(void **state)
{
	static const char src[] = "CREATE TABLE [a;b] (`c;d` INT, \"e;f\");\n"
				  "SELECT [x];";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(LITE, src, &l, 2);
	check_stmt(src, &l, 0, "CREATE TABLE [a;b] (`c;d` INT, \"e;f\");", 1,
		   0);
	check_stmt(src, &l, 1, "SELECT [x];", 2, 0);
	sql_stmt_list_release(&l);
	/* on PG, [ and ` are operators and split where SQLite would not */
	SPLIT(PG, "SELECT [a;b];", &l, 2);
	sql_stmt_list_release(&l);
}

static void
test_split_begin_atomic(void **state)
{
	static const char src[] =
		"CREATE FUNCTION f(a int) RETURNS int\n"
		"LANGUAGE sql\n"
		"BEGIN ATOMIC\n"
		"  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n"
		"  SELECT CASE a WHEN 1 THEN (CASE WHEN true THEN 3 END)\n"
		"         END;\n"
		"END;\n"
		"create or replace procedure p() begin atomic insert into t "
		"values (1); end;\n"
		"SELECT 1;";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, src, &l, 3);
	assert_int_equal(l.v[0].off, 0);
	assert_int_equal(l.v[0].len, strstr(src, "create or") - src - 1);
	assert_int_equal(l.v[0].flags, 0);
	check_stmt(src, &l, 1,
		   "create or replace procedure p() begin atomic insert into t "
		   "values (1); end;",
		   8, 0);
	check_stmt(src, &l, 2, "SELECT 1;", 9, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_begin_atomic_edges(void **state)
{
	/* a parameter named begin is not a body */
	static const char param[] = "CREATE FUNCTION f(begin int) RETURNS int "
				    "RETURN begin + 1; SELECT 2;";
	/* a body that never ends runs to the end of the input */
	static const char open[] = "CREATE FUNCTION f() RETURNS int BEGIN "
				   "ATOMIC SELECT 1; SELECT 2; -- x\n";
	/* an SQLite-style body is no body on PG */
	static const char trig[] = "CREATE TRIGGER t AFTER INSERT ON x BEGIN "
				   "SELECT 1; END;";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, param, &l, 2);
	check_stmt(param, &l, 1, "SELECT 2;", 1, 0);
	sql_stmt_list_release(&l);
	SPLIT(PG, open, &l, 1);
	check_stmt(open, &l, 0,
		   "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; "
		   "SELECT 2;",
		   1, 0);
	sql_stmt_list_release(&l);
	SPLIT(PG, trig, &l, 2);
	check_stmt(trig, &l, 1, "END;", 1, SQL_TX_CONTROL);
	sql_stmt_list_release(&l);
}

static void
test_split_sqlite_trigger(void **state)
{
	static const char src[] =
		"CREATE TEMP TRIGGER IF NOT EXISTS tr AFTER UPDATE ON t\n"
		"WHEN CASE WHEN new.a THEN 1 END\n"
		"BEGIN\n"
		"  UPDATE u SET b = CASE WHEN new.a > 1 THEN 'x;' END;\n"
		"  INSERT INTO log VALUES (new.id);\n"
		"END;\n"
		"CREATE TRIGGER t2 BEFORE DELETE ON t BEGIN SELECT 1; END;\n"
		"DROP TABLE t;";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(LITE, src, &l, 3);
	assert_int_equal(l.v[0].off, 0);
	assert_int_equal(l.v[0].len,
			 strstr(src, "CREATE TRIGGER t2") - src - 1);
	assert_int_equal(l.v[0].line, 1);
	check_stmt(src, &l, 1,
		   "CREATE TRIGGER t2 BEFORE DELETE ON t BEGIN SELECT 1; END;",
		   7, 0);
	check_stmt(src, &l, 2, "DROP TABLE t;", 8, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_parens(void **state)
{
	static const char src[] = "CREATE RULE r AS ON INSERT TO t DO INSTEAD "
				  "(INSERT INTO a VALUES (1); DELETE FROM b);\n"
				  "SELECT 1);\nSELECT (2;";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	/* psql's rule: ';' inside ( ) does not split; an extra ) is ignored */
	SPLIT(PG, src, &l, 3);
	check_stmt(src, &l, 0,
		   "CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO a "
		   "VALUES (1); DELETE FROM b);",
		   1, 0);
	check_stmt(src, &l, 1, "SELECT 1);", 2, 0);
	check_stmt(src, &l, 2, "SELECT (2;", 3, 0);
	sql_stmt_list_release(&l);
	/* SQLite splits at every ';', as sqlite3_complete() does */
	SPLIT(LITE, src, &l, 4);
	check_stmt(src, &l, 1, "DELETE FROM b);", 1, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_no_semicolon(void **state)
{
	static const char src[] = "SELECT 1;\n\nSELECT 'a'  -- tail ;\n\n";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, src, &l, 2);
	check_stmt(src, &l, 1, "SELECT 'a'", 3, 0);
	sql_stmt_list_release(&l);
	SPLIT(PG, "x", &l, 1);
	check_stmt("x", &l, 0, "x", 1, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_lines_crlf(void **state)
{
	static const char src[] = "-- c\r\n\r\nSELECT 1;\r\n"
				  "SELECT\r\n 'a\r\nb';\r\n"
				  "/* x\r\n y */ SELECT 3;\r\n";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, src, &l, 3);
	check_stmt(src, &l, 0, "SELECT 1;", 3, 0);
	check_stmt(src, &l, 1, "SELECT\r\n 'a\r\nb';", 4, 0);
	check_stmt(src, &l, 2, "SELECT 3;", 8, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_nul(void **state)
{
	static const char src[] = "SELECT 'a\0;';\0SELECT 2;";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	assert_int_equal(split(PG, src, sizeof(src) - 1, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].off, 0);
	assert_int_equal(l.v[0].len, 13);
	/* the NUL is a token of its own and starts the next statement */
	assert_int_equal(l.v[1].off, 13);
	assert_int_equal(l.v[1].len, 10);
	sql_stmt_list_release(&l);
}

static void
test_split_appends(void **state)
{
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	SPLIT(PG, "SELECT 1; SELECT 2;", &l, 2);
	SPLIT(PG, "SELECT 3;", &l, 3);
	assert_int_equal(l.v[2].off, 0);
	/* a failed split leaves the list as it was */
	assert_int_equal(split(PG, "SELECT 4; '", 11, &l, &err), -1);
	assert_int_equal(l.n, 3);
	sql_stmt_list_release(&l);
}

/* Split src on d, expecting failure with msg and hint. */
static void
check_error(const struct sql_dialect *d, const char *src, const char *msg,
	    const char *hint)
{
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;

	assert_int_equal(split(d, src, strlen(src), &l, &err), -1);
	assert_int_equal(err.kind, RK_INPUT);
	assert_string_equal(err.msg, msg);
	assert_string_equal(err.hint, hint);
	assert_int_equal(l.n, 0);
	sql_stmt_list_release(&l);
}

static void
test_split_errors(void **state)
{
	(void)state;
	check_error(PG, "SELECT 1;\nSELECT 'a;\n\nb;\n",
		    "unterminated quoted string starting at line 2",
		    "close it with '; a quote inside a string is written ''");
	check_error(PG, "\n\nSELECT E'it\\';",
		    "unterminated quoted string starting at line 3",
		    "close it with '; inside E'' a quote is written \\' or ''");
	check_error(PG,
		    "SELECT 1;\n-- 'x\nCREATE FUNCTION f() AS $body$\n"
		    "BEGIN; END; $$;\n",
		    "unterminated dollar-quoted string $body$ starting at "
		    "line 3",
		    "close it with $body$, spelled as it opens");
	check_error(PG, "DO $$ x",
		    "unterminated dollar-quoted string $$ "
		    "starting at line 1",
		    "close it with $$, spelled as it opens");
	check_error(PG, "SELECT 1 AS \"a\nb",
		    "unterminated quoted identifier starting at line 1",
		    "close it with \"; a \" inside a name is written \"\"");
	check_error(PG, "SELECT 1;\r\n/* a /* b */\r\nSELECT 2;",
		    "unterminated block comment starting at line 2",
		    "close it with */; comments nest, so each /* inside "
		    "needs its own */");
	check_error(LITE, "\n/* a",
		    "unterminated block comment starting at "
		    "line 2",
		    "close it with */");
	check_error(LITE, "SELECT [a;\n",
		    "unterminated quoted identifier "
		    "starting at line 1",
		    "close it with ]");
	check_error(LITE, "\nSELECT `a;\n",
		    "unterminated quoted identifier "
		    "starting at line 2",
		    "close it with `; a ` inside a name is written ``");
	check_error(PG, "SELECT U&'x",
		    "unterminated quoted string starting "
		    "at line 1",
		    "close it with '; a quote inside a string is written ''");
}

/* The flags of the only statement src holds. */
static unsigned
flags_of(const struct sql_dialect *d, const char *src)
{
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;
	unsigned flags;

	SPLIT(d, src, &l, 1);
	flags = l.v[0].flags;
	sql_stmt_list_release(&l);
	return flags;
}

static void
test_flags_no_tx(void **state)
{
	(void)state;
	assert_int_equal(flags_of(PG, "CREATE INDEX CONCURRENTLY i ON t (a);"),
			 SQL_NO_TX);
	assert_int_equal(flags_of(PG, "create unique index concurrently if "
				      "not exists i on t (a)"),
			 SQL_NO_TX);
	assert_int_equal(flags_of(PG, "DROP INDEX CONCURRENTLY IF EXISTS i;"),
			 SQL_NO_TX);
	assert_int_equal(flags_of(PG, "REINDEX (VERBOSE) TABLE CONCURRENTLY "
				      "t;"),
			 SQL_NO_TX);
	assert_int_equal(flags_of(PG, "REINDEX INDEX CONCURRENTLY i;"),
			 SQL_NO_TX);
	assert_int_equal(flags_of(PG, "VACUUM ANALYZE t;"), SQL_NO_TX);
	assert_int_equal(flags_of(PG, "CREATE DATABASE d;"), SQL_NO_TX);
	assert_int_equal(flags_of(PG, "DROP DATABASE IF EXISTS d;"), SQL_NO_TX);
	assert_int_equal(flags_of(PG, "ALTER SYSTEM SET work_mem = '1MB';"),
			 SQL_NO_TX);
	assert_int_equal(flags_of(PG, "CREATE TABLESPACE s LOCATION '/x';"),
			 SQL_NO_TX);
	assert_int_equal(flags_of(PG, "DROP TABLESPACE s;"), SQL_NO_TX);
	/* comments between the words do not hide them */
	assert_int_equal(flags_of(PG, "CREATE /* c */ INDEX -- x\n"
				      "CONCURRENTLY i ON t (a);"),
			 SQL_NO_TX);
	/* and lookalikes are not flagged */
	assert_int_equal(flags_of(PG, "CREATE INDEX i ON t (a);"), 0);
	assert_int_equal(flags_of(PG, "CREATE INDEX \"concurrently\" ON t "
				      "(a);"),
			 0);
	assert_int_equal(flags_of(PG, "REINDEX TABLE t;"), 0);
	assert_int_equal(flags_of(PG, "ALTER DATABASE d SET x = 1;"), 0);
	assert_int_equal(flags_of(PG, "SELECT 'VACUUM';"), 0);
	assert_int_equal(flags_of(PG, "CREATE TABLE vacuum (a int);"), 0);
	/* SQLite: only VACUUM */
	assert_int_equal(flags_of(LITE, "VACUUM;"), SQL_NO_TX);
	assert_int_equal(flags_of(LITE, "CREATE INDEX CONCURRENTLY i ON t;"),
			 0);
	assert_int_equal(flags_of(LITE, "REINDEX CONCURRENTLY i;"), 0);
}

static void
test_flags_tx_control(void **state)
{
	static const char *const tx[] = {
		"BEGIN;",
		"begin transaction;",
		"BEGIN WORK",
		"START TRANSACTION ISOLATION LEVEL SERIALIZABLE;",
		"COMMIT;",
		"END;",
		"ROLLBACK;",
		"ROLLBACK TO SAVEPOINT s;",
		"SAVEPOINT s;",
		"RELEASE SAVEPOINT s;",
		"ABORT;",
		"PREPARE TRANSACTION 'x';",
		"COMMIT PREPARED 'x';",
	};
	static const char *const lite_tx[] = {
		"BEGIN DEFERRED;",  "BEGIN IMMEDIATE TRANSACTION;",
		"begin exclusive;", "END TRANSACTION;",
		"RELEASE s;",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tx); i++)
		if (flags_of(PG, tx[i]) != SQL_TX_CONTROL)
			fail_msg("'%s' is not transaction control", tx[i]);
	for (i = 0; i < ARRAY_SIZE(lite_tx); i++)
		if (flags_of(LITE, lite_tx[i]) != SQL_TX_CONTROL)
			fail_msg("'%s' is not transaction control", lite_tx[i]);
	assert_int_equal(flags_of(PG, "BEGIN ATOMIC;"), 0);
	assert_int_equal(flags_of(PG, "START x;"), 0);
	assert_int_equal(flags_of(PG, "PREPARE q AS SELECT 1;"), 0);
	assert_int_equal(flags_of(PG, "SELECT 1 AS begin;"), 0);
	assert_int_equal(flags_of(PG, "CREATE FUNCTION f() RETURNS int "
				      "BEGIN ATOMIC SELECT 1; END;"),
			 0);
	assert_int_equal(flags_of(LITE, "CREATE TRIGGER t AFTER INSERT ON x "
					"BEGIN SELECT 1; END;"),
			 0);
}

static void
test_flags_add_value(void **state)
{
	(void)state;
	assert_int_equal(flags_of(PG, "ALTER TYPE mood ADD VALUE 'meh';"),
			 SQL_ADD_VALUE);
	assert_int_equal(flags_of(PG, "alter type public.mood add value if "
				      "not exists 'x' before 'y';"),
			 SQL_ADD_VALUE);
	assert_int_equal(flags_of(PG, "ALTER TYPE add ADD VALUE 'x';"),
			 SQL_ADD_VALUE);
	assert_int_equal(flags_of(PG, "ALTER TYPE t ADD ATTRIBUTE value "
				      "int;"),
			 0);
	assert_int_equal(flags_of(PG, "ALTER TYPE t RENAME VALUE 'a' TO "
				      "'b';"),
			 0);
	assert_int_equal(flags_of(PG, "ALTER TABLE t ADD value int;"), 0);
}

static void
test_flags_reset(void **state)
{
	static const char src[] = "BEGIN; VACUUM; SELECT 1; ALTER TYPE t ADD "
				  "VALUE 'x'; COMMIT; SELECT 2";
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;

	(void)state;
	SPLIT(PG, src, &l, 6);
	assert_int_equal(l.v[0].flags, SQL_TX_CONTROL);
	assert_int_equal(l.v[1].flags, SQL_NO_TX);
	assert_int_equal(l.v[2].flags, 0);
	assert_int_equal(l.v[3].flags, SQL_ADD_VALUE);
	assert_int_equal(l.v[4].flags, SQL_TX_CONTROL);
	assert_int_equal(l.v[5].flags, 0);
	sql_stmt_list_release(&l);
}

static void
test_dialects(void **state)
{
	(void)state;
	assert_string_equal(sql_dialect_pg.name, "postgres");
	assert_true(sql_dialect_pg.nested_comments);
	assert_true(sql_dialect_pg.dollar_quotes);
	assert_true(sql_dialect_pg.e_strings);
	assert_false(sql_dialect_pg.bracket_idents);
	assert_string_equal(sql_dialect_sqlite.name, "sqlite");
	assert_false(sql_dialect_sqlite.nested_comments);
	assert_true(sql_dialect_sqlite.bracket_idents);
	assert_true(sql_dialect_sqlite.backtick_idents);
	/* What the splitter and extractor key on: the flags, not the object */
	assert_true(sql_dialect_pg.begin_atomic &&
		    !sql_dialect_pg.trigger_bodies);
	assert_true(sql_dialect_sqlite.trigger_bodies);
	assert_false(sql_dialect_sqlite.begin_atomic);
	assert_true(sql_dialect_pg.no_tx_stmts && sql_dialect_pg.prepare_tx);
	assert_false(sql_dialect_sqlite.no_tx_stmts ||
		     sql_dialect_sqlite.prepare_tx);
	assert_true(sql_dialect_pg.fold_idents &&
		    !sql_dialect_pg.schema_on_name);
	assert_true(sql_dialect_sqlite.schema_on_name);
	assert_false(sql_dialect_sqlite.fold_idents);
	assert_string_equal(sql_dialect_pg.temp_schema, "pg_temp");
	assert_string_equal(sql_dialect_sqlite.temp_schema, "temp");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lex_strings),
		cmocka_unit_test(test_lex_idents),
		cmocka_unit_test(test_lex_dollar),
		cmocka_unit_test(test_lex_comments),
		cmocka_unit_test(test_lex_numbers_params),
		cmocka_unit_test(test_lex_bounds),
		cmocka_unit_test(test_split_basic),
		cmocka_unit_test(test_split_comments_and_empty),
		cmocka_unit_test(test_split_quotes),
		cmocka_unit_test(test_split_plpgsql),
		cmocka_unit_test(test_split_nested_comments),
		cmocka_unit_test(test_split_sqlite_idents),
		cmocka_unit_test(test_split_begin_atomic),
		cmocka_unit_test(test_split_begin_atomic_edges),
		cmocka_unit_test(test_split_sqlite_trigger),
		cmocka_unit_test(test_split_parens),
		cmocka_unit_test(test_split_no_semicolon),
		cmocka_unit_test(test_split_lines_crlf),
		cmocka_unit_test(test_split_nul),
		cmocka_unit_test(test_split_appends),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_flags_no_tx),
		cmocka_unit_test(test_flags_tx_control),
		cmocka_unit_test(test_flags_add_value),
		cmocka_unit_test(test_flags_reset),
		cmocka_unit_test(test_dialects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
