/*
 * Unit tests for the linter: the rule engine (parsers/lint.c) on the
 * fixture corpus and on the cases between its rules, and the grading
 * without a database (core/lint.c). Each fixtures/lint/<case>.sql is
 * linted on its own (a "sqlite_" case in SQLite's dialect, with the
 * version a "-- lint-fixture: sqlite_version X" line gives) and rendered
 * one finding per line:
 *	<line> <severity> <rule> <table or -> [allowed]
 * which must equal <case>.expected; RECKON_FIXTURES_UPDATE=1 writes the
 * renderings there instead, to be read before they are committed.
 * Live table sizes are tests/integration/t_lint.sh's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/core/config.h"
#include "reckon/core/lint.h"
#include "reckon/core/ops.h"
#include "reckon/parsers/lint.h"
#include "reckon/parsers/sql.h"

#include "reckon/base/banned.h"

#define PG   (&sql_dialect_pg)
#define LITE (&sql_dialect_sqlite)

/* Lint the texts (NULL-terminated) as consecutive files a.sql, b.sql, ...
 * without a database; render into out. */
static void
lint_render(const struct sql_dialect *d, const char *sqlite_version,
	    const char *const *texts, struct rk_buf *out)
{
	struct rk_ctx ctx = { .cfg = RK_CONFIG_INIT };
	struct lint_report r = { 0 };
	struct sql_stmt_list stmts[8];
	struct lint_input in[8];
	struct rk_err err = RK_ERR_INIT;
	char names[8][8];
	size_t n = 0;

	if (sqlite_version)
		ctx.cfg.lint_sqlite_version = xstrdup(sqlite_version);
	for (; texts[n]; n++) {
		struct sql_stmt_list empty = SQL_STMT_LIST_INIT;

		assert_true(n < 8);
		stmts[n] = empty;
		if (sql_split(texts[n], strlen(texts[n]), d, &stmts[n], &err) <
		    0)
			fail_msg("split: %s", err.msg);
		snprintf(names[n], sizeof(names[n]), "%c.sql", (char)('a' + n));
		in[n].name = names[n];
		in[n].text = texts[n];
		in[n].len = strlen(texts[n]);
		in[n].stmts = &stmts[n];
	}
	if (lint_inputs(&ctx, d, in, n, &r, &err) < 0)
		fail_msg("lint: %s", err.msg);
	for (size_t i = 0; i < r.n; i++) {
		const struct lint_finding *f = &r.v[i];

		if (n > 1)
			rk_buf_addf(out, "%s:", f->file);
		rk_buf_addf(out, "%u %s %s %s%s\n", f->line,
			    lint_severity_name(f->severity), f->rule->id,
			    f->table ? f->table : "-",
			    f->allow ? " allowed" : "");
	}
	for (size_t i = 0; i < n; i++)
		sql_stmt_list_release(&stmts[i]);
	lint_report_release(&r);
	cfg_release(&ctx.cfg);
}

static void
expect_lint(const struct sql_dialect *d, const char *sqlite_version,
	    const char *const *texts, const char *want)
{
	struct rk_buf got = RK_BUF_INIT;

	lint_render(d, sqlite_version, texts, &got);
	if (strcmp(got.s, want))
		fail_msg("for:\n%s\nwant:\n%sgot:\n%s", texts[0], want, got.s);
	rk_buf_release(&got);
}

#define EXPECT1(d, sql, want)                                                  \
	do {                                                                   \
		static const char *const t_[] = { sql, NULL };                 \
		expect_lint((d), NULL, t_, want);                              \
	} while (0)

/* ---- the corpus ---- */

static void
test_fixtures(void **state)
{
	glob_t g;
	int update = getenv("RECKON_FIXTURES_UPDATE") != NULL;
	size_t ncases = 0;

	(void)state;
	if (glob("fixtures/lint/*.sql", 0, NULL, &g) != 0)
		fail_msg("no fixtures/lint/*.sql (run from the repository "
			 "root)");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i], *base = strrchr(path, '/');
		struct rk_buf text = RK_BUF_INIT, want = RK_BUF_INIT;
		struct rk_buf got = RK_BUF_INIT, exp_path = RK_BUF_INIT;
		const char *texts[2];
		const char *ver;
		char version[32] = "";
		FILE *f;

		base = base ? base + 1 : path;
		if (rk_buf_read_file(&text, path) < 0)
			fail_msg("cannot read %s", path);
		ver = strstr(text.s, "lint-fixture: sqlite_version ");
		if (ver)
			sscanf(ver + 29, "%31s", version);
		texts[0] = text.s;
		texts[1] = NULL;
		lint_render(strncmp(base, "sqlite_", 7) == 0 ? LITE : PG,
			    *version ? version : NULL, texts, &got);
		rk_buf_add(&exp_path, path, strlen(path) - 4);
		rk_buf_adds(&exp_path, ".expected");
		if (update) {
			f = fopen(exp_path.s, "w");
			assert_non_null(f);
			fputs(got.s, f);
			fclose(f);
		} else {
			if (rk_buf_read_file(&want, exp_path.s) < 0)
				fail_msg("cannot read %s", exp_path.s);
			if (strcmp(got.s, want.s))
				fail_msg("%s:\nwant:\n%sgot:\n%s", path, want.s,
					 got.s);
		}
		/* every case has an unsafe form: a file with no finding
		 * would prove nothing */
		if (!got.len)
			fail_msg("%s: no findings", path);
		ncases++;
		rk_buf_release(&text);
		rk_buf_release(&want);
		rk_buf_release(&got);
		rk_buf_release(&exp_path);
	}
	globfree(&g);
	assert_true(ncases >= 19);
}

/* Every rule has a fixture that raises it. */
static void
test_every_rule_has_a_fixture(void **state)
{
	glob_t g;

	(void)state;
	assert_int_equal(glob("fixtures/lint/*.expected", 0, NULL, &g), 0);
	for (size_t k = 0; k < lint_nrules; k++) {
		int seen = 0;

		for (size_t i = 0; i < g.gl_pathc && !seen; i++) {
			struct rk_buf t = RK_BUF_INIT, word = RK_BUF_INIT;

			assert_int_equal(rk_buf_read_file(&t, g.gl_pathv[i]),
					 0);
			rk_buf_addf(&word, " %s ", lint_rules[k].id);
			seen = strstr(t.s, word.s) != NULL;
			rk_buf_release(&t);
			rk_buf_release(&word);
		}
		if (!seen)
			fail_msg("rule %s has no fixture", lint_rules[k].id);
	}
	globfree(&g);
}

/* ---- the engine's edges ---- */

static void
test_strings_and_comments_are_not_sql(void **state)
{
	(void)state;
	EXPECT1(PG,
		"SELECT 'CREATE INDEX i ON t (x)';\n"
		"-- DROP TABLE users;\n"
		"/* TRUNCATE users; */\n"
		"DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$;\n",
		"");
}

static void
test_new_table_across_files(void **state)
{
	static const char *const t[] = {
		"CREATE TABLE public.items (id int);",
		"CREATE INDEX items_id ON items (id);\n"
		"CREATE INDEX other_id ON other (id);",
		NULL,
	};

	(void)state;
	/* an unqualified name matches the qualified table made earlier */
	expect_lint(PG, NULL, t,
		    "b.sql:1 info create-index-not-concurrently items\n"
		    "b.sql:2 warning create-index-not-concurrently other\n");
}

static void
test_drop_then_recreate_is_not_new(void **state)
{
	(void)state;
	/* a table the file drops and creates again was there before: the
	 * DROP is on the old one */
	EXPECT1(PG,
		"CREATE TABLE t (x int);\n"
		"DROP TABLE t;\n"
		"CREATE INDEX i ON t2 (x);\n",
		"2 info drop-table t\n"
		"3 warning create-index-not-concurrently t2\n");
}

static void
test_names_fold_as_the_server_does(void **state)
{
	(void)state;
	/* PG folds Users to users; "Users" stays a different table */
	EXPECT1(PG,
		"CREATE TABLE Users (id int);\n"
		"CREATE INDEX a ON users (id);\n"
		"CREATE INDEX b ON \"Users\" (id);\n",
		"2 info create-index-not-concurrently users\n"
		"3 warning create-index-not-concurrently Users\n");
	/* SQLite compares names without case */
	EXPECT1(LITE,
		"CREATE TABLE Users (id int);\n"
		"DROP TABLE USERS;\n",
		"2 info drop-table USERS\n");
}

static void
test_allow_comments(void **state)
{
	(void)state;
	/* inside the statement, above it, with a block comment */
	EXPECT1(PG,
		"ALTER TABLE a -- reckon:allow drop-column retired in v2\n"
		"  DROP COLUMN x;\n"
		"/* reckon:allow truncate scratch table */\n"
		"TRUNCATE b;\n"
		"TRUNCATE c;\n",
		"1 warning drop-column a allowed\n"
		"4 warning truncate b allowed\n"
		"5 warning truncate c\n");
	/* after the statement on its own last line; a comment on the next
	 * line is the next statement's */
	EXPECT1(PG,
		"TRUNCATE a; -- reckon:allow truncate emptied nightly anyway\n"
		"TRUNCATE b;\n"
		"TRUNCATE c;\n"
		"-- reckon:allow truncate this is not for c\n",
		"1 warning truncate a allowed\n"
		"2 warning truncate b\n"
		"3 warning truncate c\n");
	/* inside the second statement of a line: the second one's */
	EXPECT1(PG, "TRUNCATE a; TRUNCATE /* reckon:allow truncate ok */ b;\n",
		"1 warning truncate a\n"
		"1 warning truncate b allowed\n");
	/* another rule's allow, or one without a reason, lets nothing pass */
	EXPECT1(PG,
		"-- reckon:allow truncate\n"
		"-- reckon:allow drop-table not this one\n"
		"TRUNCATE b;\n",
		"3 warning truncate b\n");
}

static void
test_allow_without_reason_is_said(void **state)
{
	struct rk_ctx ctx = { .cfg = RK_CONFIG_INIT };
	struct lint_report r = { 0 };
	struct sql_stmt_list st = SQL_STMT_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	const char *sql = "-- reckon:allow truncate\nTRUNCATE b;\n";
	struct lint_input in = { "a.sql", sql, strlen(sql), &st };

	(void)state;
	assert_int_equal(sql_split(sql, strlen(sql), PG, &st, &err), 0);
	assert_int_equal(lint_inputs(&ctx, PG, &in, 1, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_null(r.v[0].allow);
	assert_non_null(strstr(r.v[0].message, "without a reason"));
	assert_int_equal(lint_unsafe(&r), 1);
	assert_int_equal(r.suppressed, 0);
	sql_stmt_list_release(&st);
	lint_report_release(&r);
}

static void
test_alter_table_actions(void **state)
{
	(void)state;
	/* several actions in one statement, each read */
	EXPECT1(PG,
		"ALTER TABLE ONLY public.t ADD COLUMN a int DEFAULT "
		"(random() * 10)::int, DROP COLUMN b, ADD CONSTRAINT c CHECK "
		"(x > 0) NOT VALID, ALTER COLUMN d TYPE numeric(12, 2);\n",
		"1 warning add-column-volatile-default public.t\n"
		"1 warning alter-column-type public.t\n"
		"1 warning drop-column public.t\n");
	/* a default that merely mentions a name is not volatile */
	EXPECT1(PG,
		"ALTER TABLE t ADD COLUMN random int DEFAULT 4, ADD COLUMN "
		"label text DEFAULT 'random()';\n",
		"");
	/* IF EXISTS, and ADD COLUMN IF NOT EXISTS */
	EXPECT1(PG,
		"ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS u uuid "
		"DEFAULT uuid_generate_v4();\n",
		"1 warning add-column-volatile-default t\n");
}

static void
test_dml_with_ddl_per_transaction(void **state)
{
	(void)state;
	/* DDL after the data change counts too; COMMIT ends the
	 * transaction; a WHERE is said in the message only */
	EXPECT1(PG,
		"UPDATE t SET a = 1 WHERE id < 10;\n"
		"ALTER TABLE t ADD COLUMN b int;\n"
		"COMMIT;\n"
		"UPDATE t SET b = 2;\n",
		"1 warning dml-with-ddl t\n");
	/* INSERT ... VALUES is not a backfill */
	EXPECT1(PG,
		"ALTER TABLE t ADD COLUMN b int;\n"
		"INSERT INTO t (b) VALUES (1);\n",
		"");
}

static void
test_sqlite_rules_only_on_sqlite(void **state)
{
	(void)state;
	/* PostgreSQL's lock rules are not SQLite's and the other way */
	EXPECT1(LITE, "CREATE INDEX i ON t (x);\nVACUUM;\n", "");
	EXPECT1(PG, "ALTER TABLE t ALTER COLUMN c DROP DEFAULT;\n", "");
	EXPECT1(LITE, "ALTER TABLE t ALTER COLUMN c DROP DEFAULT;\n",
		"1 error sqlite-unsupported-alter t\n");
}

static void
test_sqlite_version_rule(void **state)
{
	static const char *const t[] = {
		"ALTER TABLE t DROP COLUMN c;\n"
		"ALTER TABLE t RENAME COLUMN a TO b;\n",
		NULL,
	};

	(void)state;
	expect_lint(LITE, "3.34.1", t,
		    "1 warning drop-column t\n"
		    "1 error sqlite-version t\n"
		    "2 warning rename-column t\n");
	expect_lint(LITE, "3.35.0", t,
		    "1 warning drop-column t\n"
		    "2 warning rename-column t\n");
	expect_lint(LITE, "3.24", t,
		    "1 warning drop-column t\n"
		    "1 error sqlite-version t\n"
		    "2 warning rename-column t\n"
		    "2 error sqlite-version t\n");
	assert_int_equal(lint_sqlite_version_num("3.35.0"), 3035000);
	assert_int_equal(lint_sqlite_version_num("3.8"), 3008000);
	assert_int_equal(lint_sqlite_version_num("x"), 0);
}

static void
test_binary_compatible_types(void **state)
{
	(void)state;
	assert_true(lint_type_binary_compatible("character varying(20)",
						"varchar(40)"));
	assert_true(lint_type_binary_compatible("character varying(20)",
						"VARCHAR"));
	assert_true(
		lint_type_binary_compatible("character varying(20)", "text"));
	assert_true(lint_type_binary_compatible("text", "varchar"));
	assert_true(
		lint_type_binary_compatible("numeric(10,2)", "numeric(12, 2)"));
	assert_true(lint_type_binary_compatible("integer", "int4"));
	assert_false(lint_type_binary_compatible("character varying(40)",
						 "varchar(20)"));
	assert_false(lint_type_binary_compatible("text", "varchar(20)"));
	assert_false(lint_type_binary_compatible("integer", "bigint"));
	assert_false(
		lint_type_binary_compatible("numeric(10,2)", "numeric(12,3)"));
	assert_false(lint_type_binary_compatible("timestamp without time zone",
						 "timestamptz"));
}

static void
test_sizes(void **state)
{
	struct rk_buf b = RK_BUF_INIT;

	(void)state;
	assert_int_equal(cfg_parse_size("100MB"), 100LL * 1024 * 1024);
	assert_int_equal(cfg_parse_size("64kB"), 64 * 1024);
	assert_int_equal(cfg_parse_size("64 kb"), 64 * 1024);
	assert_int_equal(cfg_parse_size("1.5GB"), 1536LL * 1024 * 1024);
	assert_int_equal(cfg_parse_size("512"), 512);
	assert_int_equal(cfg_parse_size("0"), 0);
	assert_int_equal(cfg_parse_size("10B"), 10);
	assert_int_equal(cfg_parse_size("-1MB"), -1);
	assert_int_equal(cfg_parse_size("12 parsecs"), -1);
	assert_int_equal(cfg_parse_size(""), -1);
	lint_size_text(64 * 1024, &b);
	assert_string_equal(b.s, "64 kB");
	rk_buf_reset(&b);
	lint_size_text(100LL * 1024 * 1024, &b);
	assert_string_equal(b.s, "100 MB");
	rk_buf_reset(&b);
	lint_size_text(900, &b);
	assert_string_equal(b.s, "900 bytes");
	rk_buf_release(&b);
}

static void
test_rules_are_documented(void **state)
{
	struct rk_buf man = RK_BUF_INIT;

	(void)state;
	assert_int_equal(rk_buf_read_file(&man, "man/reckon.1"), 0);
	for (size_t k = 0; k < lint_nrules; k++) {
		const struct lint_rule *r = &lint_rules[k];

		assert_ptr_equal(lint_rule_find(r->id), r);
		assert_true(*r->catches && *r->why && *r->safe);
		if (!strstr(man.s, r->id))
			fail_msg("man/reckon.1 does not document %s", r->id);
	}
	assert_null(lint_rule_find("no-such-rule"));
	rk_buf_release(&man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_every_rule_has_a_fixture),
		cmocka_unit_test(test_strings_and_comments_are_not_sql),
		cmocka_unit_test(test_new_table_across_files),
		cmocka_unit_test(test_drop_then_recreate_is_not_new),
		cmocka_unit_test(test_names_fold_as_the_server_does),
		cmocka_unit_test(test_allow_comments),
		cmocka_unit_test(test_allow_without_reason_is_said),
		cmocka_unit_test(test_alter_table_actions),
		cmocka_unit_test(test_dml_with_ddl_per_transaction),
		cmocka_unit_test(test_sqlite_rules_only_on_sqlite),
		cmocka_unit_test(test_sqlite_version_rule),
		cmocka_unit_test(test_binary_compatible_types),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_rules_are_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
