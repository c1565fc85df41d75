/*
 * Unit tests for the migration file-name conventions (parsers/migname.c):
 * which names are migrations, and the version, description, kind and
 * convention each yields. Names that are not migrations must say so
 * rather than guess. Directory scanning is test_migfile.c's business.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/err.h"
#include "reckon/parsers/migname.h"
#include "reckon/parsers/migpattern.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

/* One accepted name and every field it must parse to. */
struct good {
	const char *name;
	enum mig_kind kind;
	enum mig_conv conv;
	const char *version;
	const char *desc;
};

static void
check_good(const struct good *g)
{
	struct migname mn;

	if (migname_parse(g->name, &mn) != 0)
		fail_msg("'%s' was rejected", g->name);
	if (mn.kind != g->kind || mn.conv != g->conv)
		fail_msg("'%s': kind %d conv %d, want kind %d conv %d", g->name,
			 (int)mn.kind, (int)mn.conv, (int)g->kind,
			 (int)g->conv);
	if (strcmp(mn.version, g->version) != 0)
		fail_msg("'%s': version '%s', want '%s'", g->name, mn.version,
			 g->version);
	if (strcmp(mn.desc, g->desc) != 0)
		fail_msg("'%s': desc '%s', want '%s'", g->name, mn.desc,
			 g->desc);
}

static void
check_bad(const char *name)
{
	struct migname mn;

	if (migname_parse(name, &mn) != -1)
		fail_msg("'%s' was accepted (version '%s', desc '%s')", name,
			 mn.version, mn.desc);
}

static void
test_flyway_versioned(void **state)
{
	static const struct good cases[] = {
		{ "V1__init.sql", MIG_UP, CONV_FLYWAY, "1", "init" },
		{ "V1_2__x.sql", MIG_UP, CONV_FLYWAY, "1.2", "x" },
		{ "V1.2.10__x.sql", MIG_UP, CONV_FLYWAY, "1.2.10", "x" },
		{ "V2_1_3__add_users.sql", MIG_UP, CONV_FLYWAY, "2.1.3",
		  "add_users" },
		{ "V007__lead.sql", MIG_UP, CONV_FLYWAY, "007", "lead" },
		{ "V20240101120000__create_table.sql", MIG_UP, CONV_FLYWAY,
		  "20240101120000", "create_table" },
		/* Flyway splits at the first "__": the rest is the desc */
		{ "V1___x.sql", MIG_UP, CONV_FLYWAY, "1", "_x" },
		{ "V3__a__b.sql", MIG_UP, CONV_FLYWAY, "3", "a__b" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_good(&cases[i]);
}

static void
test_flyway_undo_repeatable(void **state)
{
	static const struct good cases[] = {
		{ "U3__undo.sql", MIG_DOWN, CONV_FLYWAY, "3", "undo" },
		{ "U1_2__undo_it.sql", MIG_DOWN, CONV_FLYWAY, "1.2",
		  "undo_it" },
		{ "R__views.sql", MIG_REPEATABLE, CONV_FLYWAY, "", "views" },
		{ "R__refresh_all_views.sql", MIG_REPEATABLE, CONV_FLYWAY, "",
		  "refresh_all_views" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_good(&cases[i]);
}

static void
test_updown(void **state)
{
	static const struct good cases[] = {
		{ "20240101120000_create.up.sql", MIG_UP, CONV_UPDOWN,
		  "20240101120000", "create" },
		{ "20240101120000_create.down.sql", MIG_DOWN, CONV_UPDOWN,
		  "20240101120000", "create" },
		{ "000001_init_schema.up.sql", MIG_UP, CONV_UPDOWN, "000001",
		  "init_schema" },
		{ "1_x.down.sql", MIG_DOWN, CONV_UPDOWN, "1", "x" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_good(&cases[i]);
}

static void
test_plain(void **state)
{
	static const struct good cases[] = {
		{ "001_create_users.sql", MIG_UP, CONV_PLAIN, "001",
		  "create_users" },
		{ "0001-x.sql", MIG_UP, CONV_PLAIN, "0001", "x" },
		{ "42.sql", MIG_UP, CONV_PLAIN, "42", "" },
		{ "20240101120000_add_index.sql", MIG_UP, CONV_PLAIN,
		  "20240101120000", "add_index" },
		/* a version wider than 64 bits is still a version */
		{ "123456789012345678901234567890_big.sql", MIG_UP, CONV_PLAIN,
		  "123456789012345678901234567890", "big" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_good(&cases[i]);
}

static void
test_not_migrations(void **state)
{
	static const char *const names[] = {
		"README.md",
		"x.sql",
		"V__x.sql",	/* no version */
		"V1_x.sql",	/* Flyway needs "__" after the version */
		"V1..2__x.sql", /* empty version segment */
		"V1.__x.sql",
		"v1__lower.sql", /* Flyway's prefix is case-sensitive */
		"R_views.sql",
		"_1.sql",
		".sql",
		"sql",
		"",
		"a/1_x.sql",
		"migrations/V1__x.sql",
		"1_.sql",
		"1-.sql",
		"1 x.sql",
		"1_x.SQL",
		"1_x.sql.bak",
		"1_x.up.sql.orig",
		".up.sql",
		"x.down.sql",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		check_bad(names[i]);
}

/* Versions and descriptions that do not fit the fields are refused. */
static void
test_long_fields(void **state)
{
	char name[1024], digits[200];
	struct migname mn;

	(void)state;
	memset(digits, '7', sizeof(digits));

	/* 127 digits fit version[128] exactly */
	snprintf(name, sizeof(name), "V%.*s__x.sql", 127, digits);
	assert_int_equal(migname_parse(name, &mn), 0);
	assert_int_equal(strlen(mn.version), 127);
	assert_string_equal(mn.desc, "x");
	snprintf(name, sizeof(name), "%.*s_x.sql", 127, digits);
	assert_int_equal(migname_parse(name, &mn), 0);
	assert_int_equal(strlen(mn.version), 127);

	/* 128 or more do not, in any convention */
	snprintf(name, sizeof(name), "V%.*s__x.sql", 128, digits);
	check_bad(name);
	snprintf(name, sizeof(name), "%.*s_x.sql", 128, digits);
	check_bad(name);
	snprintf(name, sizeof(name), "%.*s_x.up.sql", 150, digits);
	check_bad(name);
	snprintf(name, sizeof(name), "%.*s.sql", 200, digits);
	check_bad(name);

	/* desc[256]: 255 characters fit, 256 do not */
	memset(name, 0, sizeof(name));
	name[0] = 'V';
	name[1] = '1';
	name[2] = '_';
	name[3] = '_';
	memset(name + 4, 'd', 255);
	memcpy(name + 4 + 255, ".sql", 5);
	assert_int_equal(migname_parse(name, &mn), 0);
	assert_int_equal(strlen(mn.desc), 255);
	memset(name + 4, 'd', 256);
	memcpy(name + 4 + 256, ".sql", 5);
	check_bad(name);
}

/* The description is kept byte for byte, whatever it holds. */
static void
test_desc_literal(void **state)
{
	static const struct good cases[] = {
		{ "V2__x'); DROP TABLE t;--.sql", MIG_UP, CONV_FLYWAY, "2",
		  "x'); DROP TABLE t;--" },
		{ "3_a\"b;c.sql", MIG_UP, CONV_PLAIN, "3", "a\"b;c" },
		{ "4_caf\xc3\xa9 table.sql", MIG_UP, CONV_PLAIN, "4",
		  "caf\xc3\xa9 table" },
		{ "R__%s%n.sql", MIG_REPEATABLE, CONV_FLYWAY, "", "%s%n" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_good(&cases[i]);
}

/* Fields from an earlier parse never leak into the next one. */
static void
test_out_reset(void **state)
{
	struct migname mn;

	(void)state;
	assert_int_equal(migname_parse("V9__nine.sql", &mn), 0);
	assert_int_equal(migname_parse("42.sql", &mn), 0);
	assert_string_equal(mn.version, "42");
	assert_string_equal(mn.desc, "");
	assert_int_equal(mn.conv, CONV_PLAIN);
	assert_int_equal(mn.kind, MIG_UP);
	assert_int_equal(migname_parse("U12__undo_everything.sql", &mn), 0);
	assert_int_equal(migname_parse("R__v.sql", &mn), 0);
	assert_string_equal(mn.version, "");
	assert_string_equal(mn.desc, "v");
	assert_int_equal(mn.kind, MIG_REPEATABLE);
}

static void
test_conventions_text(void **state)
{
	(void)state;
	assert_non_null(
		strstr(migname_conventions, "V<version>__<description>.sql"));
	assert_non_null(strstr(migname_conventions, ".down.sql"));
}

/* files.pattern: the user's rule, whole names only, version required. */
static void
test_pattern_match(void **state)
{
	struct rk_err err = RK_ERR_INIT;
	struct migpattern *p =
		migpattern_new("^(?<version>\\d+)-(?<name>.+)\\.sql$", &err);
	struct migname mn;

	(void)state;
	assert_non_null(p);
	assert_int_equal(migpattern_parse(p, "0042-add users.sql", &mn), 0);
	assert_string_equal(mn.version, "0042");
	assert_string_equal(mn.desc, "add users");
	assert_int_equal(mn.kind, MIG_UP);
	assert_int_equal(mn.conv, CONV_PLAIN);
	/* no match, and what the fields would not hold */
	assert_int_equal(migpattern_parse(p, "42_add.sql", &mn), -1);
	assert_int_equal(migpattern_parse(p, "README", &mn), -1);
	assert_int_equal(migpattern_parse(p, "-x.sql", &mn), -1);
	/* not UTF-8: no match, no error */
	assert_int_equal(migpattern_parse(p, "1-\xff.sql", &mn), -1);
	assert_string_equal(migpattern_source(p),
			    "^(?<version>\\d+)-(?<name>.+)\\.sql$");
	migpattern_free(p);
}

/* Anchored at both ends even when the user wrote no ^ or $; a pattern
 * without a name group gives an empty description. */
static void
test_pattern_anchored(void **state)
{
	struct rk_err err = RK_ERR_INIT;
	struct migpattern *p = migpattern_new("(?<version>\\d+)\\.sql", &err);
	struct migname mn;
	char longv[200];

	(void)state;
	assert_non_null(p);
	assert_int_equal(migpattern_parse(p, "7.sql", &mn), 0);
	assert_string_equal(mn.version, "7");
	assert_string_equal(mn.desc, "");
	assert_int_equal(migpattern_parse(p, "x7.sql", &mn), -1);
	assert_int_equal(migpattern_parse(p, "7.sql.bak", &mn), -1);
	memset(longv, '1', 150);
	memcpy(longv + 150, ".sql", 5);
	assert_int_equal(migpattern_parse(p, longv, &mn), -1);
	migpattern_free(p);
}

static void
test_pattern_errors(void **state)
{
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	assert_null(migpattern_new("^(?<v>\\d+)\\.sql$", &err));
	assert_int_equal(err.kind, RK_CONFIG);
	assert_non_null(strstr(err.msg, "has no group named 'version'"));
	err = (struct rk_err)RK_ERR_INIT;
	assert_null(migpattern_new("^(?<version>\\d+", &err));
	assert_int_equal(err.kind, RK_CONFIG);
	assert_non_null(strstr(err.msg, "does not compile: missing closing "
					"parenthesis (at character 16)"));
	migpattern_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flyway_versioned),
		cmocka_unit_test(test_flyway_undo_repeatable),
		cmocka_unit_test(test_updown),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_not_migrations),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_desc_literal),
		cmocka_unit_test(test_out_reset),
		cmocka_unit_test(test_conventions_text),
		cmocka_unit_test(test_pattern_match),
		cmocka_unit_test(test_pattern_anchored),
		cmocka_unit_test(test_pattern_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
