/*
 * Unit tests for the token hash (core/drift.c): which edits are cosmetic
 * (comments, white space, line endings, a BOM) and which are not (any
 * token, a directive comment, where one token ends and the next begins).
 * Each text is passed with its exact length so a read past it is an ASan
 * error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "reckon/core/drift.h"
#include "reckon/parsers/sql.h"

#include "reckon/base/banned.h"

/* Do a and b hash alike in dialect d? */
static int
same_in(const char *a, const char *b, const struct sql_dialect *d)
{
	char ha[65], hb[65];

	drift_token_hash(a, strlen(a), d, ha);
	drift_token_hash(b, strlen(b), d, hb);
	return strcmp(ha, hb) == 0;
}

static int
same(const char *a, const char *b)
{
	return same_in(a, b, &sql_dialect_pg) &&
	       same_in(a, b, &sql_dialect_sqlite);
}

static void
test_cosmetic_edits(void **state)
{
	const char *base = "CREATE TABLE t (id int);\n";

	(void)state;
	assert_true(same(base, "CREATE TABLE t (id int);"));
	assert_true(same(base, "CREATE   TABLE\tt\n(\n  id int\n);\n\n"));
	assert_true(same(base, "-- why\nCREATE TABLE t (id int); -- done\n"));
	assert_true(same(base, "/* a\n * block */ CREATE TABLE t (id int);"));
	assert_true(same(base, "CREATE TABLE t (id int);\r\n"));
	assert_true(same(base, "\xef\xbb\xbf"
			       "CREATE TABLE t (id int);\n"));
	assert_true(same_in(base,
			    "/* outer /* inner */ */ CREATE TABLE t "
			    "(id int);",
			    &sql_dialect_pg));
}

static void
test_real_edits(void **state)
{
	const char *base = "CREATE TABLE t (id int);\n";

	(void)state;
	assert_false(same(base, "CREATE TABLE t (id bigint);\n"));
	assert_false(same(base, "create table t (id int);\n"));
	assert_false(same(base, "CREATE TABLE t (id int)\n"));
	/* token boundaries: "a b" is not "ab" */
	assert_false(same("SELECT a b;", "SELECT ab;"));
	/* space inside a string or a quoted name is content */
	assert_false(same("SELECT 'a b';", "SELECT 'a  b';"));
	assert_false(same("SELECT \"a b\";", "SELECT \"a  b\";"));
	assert_false(same_in("SELECT $$a b$$;", "SELECT $$a  b$$;",
			     &sql_dialect_pg));
	/* but a line ending inside one is still only a line ending */
	assert_true(same("SELECT 'a\nb';", "SELECT 'a\r\nb';"));
	assert_true(same("SELECT 'a\n\nb\n';", "SELECT 'a\r\n\r\nb\r\n';"));
	/* a CR of its own is a character of the string */
	assert_false(same("SELECT 'a\nb';", "SELECT 'a\rb';"));
	assert_false(same("SELECT 'ab';", "SELECT 'a\rb';"));
	assert_false(same("SELECT 'a\n';", "SELECT 'a\r\r\n';"));
	/* a comment marker inside a string is no comment */
	assert_false(same("SELECT '-- x';", "SELECT '-- y';"));
}

static void
test_directives_are_tokens(void **state)
{
	const char *base = "CREATE INDEX CONCURRENTLY i ON t (id);\n";

	(void)state;
	assert_false(same(base, "-- reckon:no-transaction\n"
				"CREATE INDEX CONCURRENTLY i ON t (id);\n"));
	assert_false(same(base, "-- no-transaction\n"
				"CREATE INDEX CONCURRENTLY i ON t (id);\n"));
	/* dbmate's opt-out, from its detector's no_tx_marker */
	assert_false(same("-- migrate:up\n"
			  "CREATE INDEX i ON t (id);\n",
			  "-- migrate:up transaction:false\n"
			  "CREATE INDEX i ON t (id);\n"));
	assert_false(same("-- a note\nSELECT 1;\n",
			  "-- a note transaction:false\nSELECT 1;\n"));
	assert_false(same("-- migrate:up\nSELECT 1;\n-- migrate:down\n"
			  "SELECT 2;\n",
			  "-- migrate:up\nSELECT 1;\nSELECT 2;\n"));
	assert_false(same("-- +goose Up\nSELECT 1;\n", "SELECT 1;\n"));
	assert_false(same("-- +migrate Up\nSELECT 1;\n", "SELECT 1;\n"));
	assert_false(same("SELECT 1; -- ${schema}\n", "SELECT 1;\n"));
	/* directives keep their meaning across line endings and trailing
	 * space */
	assert_true(same("-- migrate:up\nSELECT 1;\n",
			 "-- migrate:up  \r\nSELECT 1;\r\n"));
	/* and comments around them are still cosmetic */
	assert_true(same("-- migrate:up\nSELECT 1;\n",
			 "-- a note\n-- migrate:up\n\nSELECT 1; -- one\n"));
}

static void
test_placeholders_and_edge_input(void **state)
{
	char h[65], e[65];

	(void)state;
	assert_false(same("SELECT ${a};", "SELECT ${b};"));
	drift_token_hash("", 0, &sql_dialect_pg, e);
	drift_token_hash("  -- nothing\n", 13, &sql_dialect_pg, h);
	assert_string_equal(h, e);
	assert_int_equal(strlen(h), 64);
	/* unterminated input hashes without reading past its end */
	drift_token_hash("SELECT 'abc", 11, &sql_dialect_pg, h);
	drift_token_hash("/* open", 7, &sql_dialect_sqlite, h);
	assert_int_equal(strlen(h), 64);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cosmetic_edits),
		cmocka_unit_test(test_real_edits),
		cmocka_unit_test(test_directives_are_tokens),
		cmocka_unit_test(test_placeholders_and_edge_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
