/*
 * Unit tests for the detectors of group b (dbmate, golang-migrate, Tern,
 * goose, Diesel, sql-migrate, node-pg-migrate, db-migrate, yoyo,
 * graphile-migrate): file names in each tool's own layout, the identifier
 * a row stores for a file, what inspect reads out of file text, and the
 * checksums against frameworks.md Appendix A. Pure: no database; reading
 * and writing rows is tests/integration/t_frameworks.sh's business.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"

#include "reckon/base/banned.h"

extern const struct detector det_db_migrate;
extern const struct detector det_dbmate;
extern const struct detector det_diesel;
extern const struct detector det_golang_migrate;
extern const struct detector det_goose;
extern const struct detector det_graphile_migrate;
extern const struct detector det_node_pg_migrate;
extern const struct detector det_sql_migrate;
extern const struct detector det_tern;
extern const struct detector det_yoyo;

/* One name and what it must parse to; version NULL: not a migration. */
struct name_case {
	const char *rel;
	const char *version;
	enum mig_kind kind;
	int code;
};

static void
check_names(const struct detector *d, const struct name_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct migname mn;
		int rc = d->parse_name(c[i].rel, &mn);

		if (!c[i].version) {
			if (rc == 0)
				fail_msg("%s: '%s' taken (version '%s')",
					 d->name, c[i].rel, mn.version);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: '%s' rejected", d->name, c[i].rel);
		if (strcmp(mn.version, c[i].version) != 0 ||
		    mn.kind != c[i].kind || mn.code != c[i].code)
			fail_msg("%s: '%s': version '%s' kind %d code %d, want "
				 "'%s' %d %d",
				 d->name, c[i].rel, mn.version, (int)mn.kind,
				 mn.code, c[i].version, (int)c[i].kind,
				 c[i].code);
	}
}

/* The row identifier d stores for a file called name with version v. */
static void
check_id(const struct detector *d, const char *name, const char *v,
	 const char *want)
{
	struct rk_buf b = RK_BUF_INIT;
	struct mig_file f;

	memset(&f, 0, sizeof(f));
	f.name = (char *)name;
	f.version = (char *)v;
	if (d->file_id)
		d->file_id(&f, &b);
	else
		rk_buf_adds(&b, f.name);
	if (strcmp(b.s, want) != 0)
		fail_msg("%s: id of '%s' is '%s', want '%s'", d->name, name,
			 b.s, want);
	rk_buf_release(&b);
}

static void
check_sum(const struct detector *d, const char *text, const char *want)
{
	struct rk_buf b = RK_BUF_INIT;

	d->checksum(text, strlen(text), &b);
	if (strcmp(b.s, want) != 0)
		fail_msg("%s: checksum '%s', want '%s'", d->name, b.s, want);
	rk_buf_release(&b);
}

static int
inspect_code(const struct detector *d, const char *text)
{
	struct mig_file f;

	memset(&f, 0, sizeof(f));
	d->inspect(&f, text, strlen(text));
	return f.code;
}

static void
test_dbmate(void **state)
{
	static const struct name_case c[] = {
		{ "20240101120000_create_users.sql", "20240101120000", MIG_UP,
		  0 },
		{ "001_init.sql", "001", MIG_UP, 0 },
		{ "20240101120000.sql", "20240101120000", MIG_UP, 0 },
		{ "create_users.sql", NULL, MIG_UP, 0 },
		{ "20240101120000_x.rb", NULL, MIG_UP, 0 },
		{ "sub/001_init.sql", NULL, MIG_UP, 0 },
	};

	(void)state;
	check_names(&det_dbmate, c, sizeof(c) / sizeof(c[0]));
	/* stored as written: leading zeros stay */
	check_id(&det_dbmate, "001_init.sql", "001", "001");
	assert_non_null(det_dbmate.excluders);
	assert_string_equal(det_dbmate.excluders[0], "ar_internal_metadata");
}

static void
test_golang_migrate(void **state)
{
	static const struct name_case c[] = {
		{ "000001_create_users.up.sql", "000001", MIG_UP, 0 },
		{ "000001_create_users.down.sql", "000001", MIG_DOWN, 0 },
		{ "1485949617_create_movies_table.up.sql", "1485949617", MIG_UP,
		  0 },
		{ "1_.up.sql", "1", MIG_UP, 0 },
		{ "1-x.up.sql", NULL, MIG_UP, 0 },
		{ "1_x.sql", NULL, MIG_UP, 0 },
		{ "x_1.up.sql", NULL, MIG_UP, 0 },
	};

	(void)state;
	check_names(&det_golang_migrate, c, sizeof(c) / sizeof(c[0]));
	check_id(&det_golang_migrate, "000042_x.up.sql", "000042", "42");
	assert_true(det_golang_migrate.flags & DET_HEAD);
}

static void
test_tern(void **state)
{
	static const struct name_case c[] = {
		{ "001_create_t1.sql", "001", MIG_UP, 0 },
		{ "004_data_interpolation.sql", "004", MIG_UP, 0 },
		{ "001_.sql", NULL, MIG_UP, 0 },
		{ "shared/001_x.sql", NULL, MIG_UP, 0 },
	};

	(void)state;
	check_names(&det_tern, c, sizeof(c) / sizeof(c[0]));
	check_id(&det_tern, "007_x.sql", "007", "7");
	assert_int_equal(inspect_code(&det_tern, "create table t1(id serial "
						 "primary key);\n"),
			 0);
	/* a drop section the core would run too */
	assert_int_equal(inspect_code(&det_tern,
				      "create table t1(id int);\n\n---- create "
				      "above / drop below ----\n\ndrop table "
				      "t1;\n"),
			 1);
	/* an empty drop section is harmless */
	assert_int_equal(inspect_code(&det_tern,
				      "create table t1(id int);\n---- create "
				      "above / drop below ----\n\n"),
			 0);
	assert_int_equal(inspect_code(&det_tern,
				      "create table {{.prefix}}_t(id int);\n"),
			 1);
	assert_true(det_tern.flags & DET_PG_ONLY);
}

static void
test_goose(void **state)
{
	static const struct name_case c[] = {
		{ "00001_create_users.sql", "00001", MIG_UP, 0 },
		{ "20240101120000_add_index.sql", "20240101120000", MIG_UP, 0 },
		{ "00002_seed.go", "00002", MIG_UP, 1 },
		{ "00000_bootstrap.sql", NULL, MIG_UP, 0 },
		{ "main.go", NULL, MIG_UP, 0 },
		{ "1-x.sql", NULL, MIG_UP, 0 },
	};

	(void)state;
	check_names(&det_goose, c, sizeof(c) / sizeof(c[0]));
	check_id(&det_goose, "00001_create_users.sql", "00001", "1");
}

static void
test_diesel(void **state)
{
	static const struct name_case c[] = {
		{ "2024-01-01-120000_create_users/up.sql", "20240101120000",
		  MIG_UP, 0 },
		{ "2024-01-01-120000_create_users/down.sql", "20240101120000",
		  MIG_DOWN, 0 },
		{ "00000000000000_diesel_initial_setup/up.sql",
		  "00000000000000", MIG_UP, 0 },
		{ "2024-01-01-120000_create_users/metadata.toml", NULL, MIG_UP,
		  0 },
		{ "up.sql", NULL, MIG_UP, 0 },
		{ "a/b/up.sql", NULL, MIG_UP, 0 },
	};

	(void)state;
	check_names(&det_diesel, c, sizeof(c) / sizeof(c[0]));
	check_id(&det_diesel, "2024-01-01-120000_create_users/up.sql",
		 "20240101120000", "20240101120000");
}

static void
test_sql_migrate(void **state)
{
	static const struct name_case c[] = {
		{ "1_initial.sql", "1", MIG_UP, 0 },
		{ "20240101120000-add-users.sql", "20240101120000", MIG_UP, 0 },
		{ "initial.sql", "", MIG_UP, 0 },
		{ "subfolder/3_record.sql", NULL, MIG_UP, 0 },
		{ "1_initial.sql.bak", NULL, MIG_UP, 0 },
	};

	(void)state;
	check_names(&det_sql_migrate, c, sizeof(c) / sizeof(c[0]));
	/* id = the file name, ".sql" included */
	check_id(&det_sql_migrate, "1_initial.sql", "1", "1_initial.sql");
}

static void
test_node_pg_migrate(void **state)
{
	static const struct name_case c[] = {
		{ "1391877300255_migration-title.js", "1391877300255", MIG_UP,
		  1 },
		{ "1391877300255_migration-title.sql", "1391877300255", MIG_UP,
		  0 },
		{ "20240101120000000_add-users.ts", "20240101120000000", MIG_UP,
		  1 },
		{ "1_x.mjs", "1", MIG_UP, 1 },
		{ "README.md", NULL, MIG_UP, 0 },
		{ "x.sql", NULL, MIG_UP, 0 },
	};

	(void)state;
	check_names(&det_node_pg_migrate, c, sizeof(c) / sizeof(c[0]));
	check_id(&det_node_pg_migrate, "1391877300255_migration-title.sql",
		 "1391877300255", "1391877300255_migration-title");
	assert_int_equal(inspect_code(&det_node_pg_migrate,
				      "-- Up Migration\nCREATE TABLE t (id "
				      "int);\n"),
			 0);
	/* SQL with both sections: reckon runs the up part */
	assert_int_equal(inspect_code(&det_node_pg_migrate,
				      "-- Up Migration\nCREATE TABLE t (id "
				      "int);\n-- Down Migration\nDROP TABLE "
				      "t;\n"),
			 0);
	/* the core reads markers as node-pg-migrate's pattern does:
	 * leading blanks, dashes, case, runs of blanks */
	assert_int_equal(inspect_code(&det_node_pg_migrate,
				      "  ---- UP   migration\nselect 1;\n"
				      "--DOWN\tMIGRATIONS\nselect 2;\n"),
			 0);
	/* a down marker with no up marker before it: node-pg-migrate runs
	 * the whole file as its up, so it is left to node-pg-migrate */
	assert_int_equal(inspect_code(&det_node_pg_migrate,
				      "select 1;\n  ---- DOWN   migration\n"),
			 1);
	assert_int_equal(inspect_code(&det_node_pg_migrate,
				      "-- Down Migration\nselect 2;\n"
				      "-- Up Migration\nselect 1;\n"),
			 1);
	assert_int_equal(inspect_code(&det_node_pg_migrate,
				      "select 1; -- down migration notes\n"),
			 0);
}

static void
test_db_migrate(void **state)
{
	static const struct name_case c[] = {
		{ "20240101120000-add-users.js", "20240101120000", MIG_UP, 1 },
		{ "sqls/20240101120000-add-users-up.sql", NULL, MIG_UP, 0 },
		{ "20240101120000_add-users.js", NULL, MIG_UP, 0 },
		{ "20240101120000-add-users.sql", NULL, MIG_UP, 0 },
	};

	(void)state;
	check_names(&det_db_migrate, c, sizeof(c) / sizeof(c[0]));
	/* the default scope's "/" and no extension */
	check_id(&det_db_migrate, "20240101120000-add-users.js",
		 "20240101120000", "/20240101120000-add-users");
}

static void
test_yoyo(void **state)
{
	static const struct name_case c[] = {
		{ "0001.init.sql", "0001.init", MIG_UP, 0 },
		{ "0001.init.rollback.sql", "0001.init", MIG_DOWN, 0 },
		{ "20240101_01_abcde-add-users.sql",
		  "20240101_01_abcde-add-users", MIG_UP, 0 },
		{ "0002.data.py", "0002.data", MIG_UP, 1 },
		{ "post-apply.sql", NULL, MIG_UP, 0 },
		{ "yoyo.ini", NULL, MIG_UP, 0 },
	};
	struct rk_buf hex = RK_BUF_INIT;
	unsigned char md[64];

	(void)state;
	check_names(&det_yoyo, c, sizeof(c) / sizeof(c[0]));
	check_id(&det_yoyo, "0001.init.sql", "0001.init", "0001.init");
	/* migration_hash = SHA-256 of the id, as yoyo_record computes it */
	det_hex(md, det_digest("sha256", "0001.init", 9, md), &hex);
	assert_string_equal(hex.s, "bb42b9f93f1c6aa4ddbb9b76367fcd2e2a06a82c79"
				   "983f27ef2317ad338fbb58");
	rk_buf_release(&hex);
	assert_non_null(det_yoyo.companions);
}

static void
test_graphile_names(void **state)
{
	static const struct name_case c[] = {
		{ "committed/000001.sql", "000001", MIG_UP, 0 },
		{ "committed/000002-add-users.sql", "000002", MIG_UP, 0 },
		{ "000003.sql", "000003", MIG_UP, 0 },
		{ "current.sql", NULL, MIG_UP, 0 },
		{ "committed/000004-bad slug.sql", NULL, MIG_UP, 0 },
		{ "committed/000004_x.sql", NULL, MIG_UP, 0 },
		{ "fixtures/000001.sql", NULL, MIG_UP, 0 },
	};

	(void)state;
	check_names(&det_graphile_migrate, c, sizeof(c) / sizeof(c[0]));
	check_id(&det_graphile_migrate, "committed/000002-add-users.sql",
		 "000002", "000002.sql");
	assert_string_equal(det_graphile_migrate.schema, "graphile_migrate");
}

static void
test_graphile_hash(void **state)
{
	(void)state;
	/* Appendix A: the first migration, then the same body chained */
	check_sum(&det_graphile_migrate,
		  "--! Previous: -\n--! Hash: sha1:x\n\nCREATE TABLE t (id "
		  "int);\n",
		  "sha1:9d425143f6c0084d58f4289ec9a78d367155bf76");
	check_sum(
		&det_graphile_migrate,
		"--! Previous: sha1:9d425143f6c0084d58f4289ec9a78d367155bf76\n"
		"--! Hash: sha1:x\n--! Message: again\n\nCREATE TABLE t (id "
		"int);\n",
		"sha1:d4e54375b857f606b0759b0f5086817f51c73a1e");
	/* upstream's fixture (graphile/migrate __tests__/helpers.ts) */
	check_sum(&det_graphile_migrate,
		  "--! Previous: -\n--! Hash: sha1:e00ec93314a423ee5cc68d1182ad"
		  "52f16442d7df\n\ncreate table if not exists foo (id serial "
		  "primary key);\n",
		  "sha1:e00ec93314a423ee5cc68d1182ad52f16442d7df");
	/* the body is trimmed: blank lines and spaces around it do not count */
	check_sum(&det_graphile_migrate,
		  "--! Previous: -\n--! Hash: sha1:x\n\n\n  CREATE TABLE t (id "
		  "int);  \n\n\n",
		  "sha1:9d425143f6c0084d58f4289ec9a78d367155bf76");
	/* AllowInvalidHash: the header stands */
	check_sum(
		&det_graphile_migrate,
		"--! AllowInvalidHash\n--! Previous: -\n--! Hash: sha1:abc\n\n"
		"select 1;\n",
		"sha1:abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dbmate),
		cmocka_unit_test(test_golang_migrate),
		cmocka_unit_test(test_tern),
		cmocka_unit_test(test_goose),
		cmocka_unit_test(test_diesel),
		cmocka_unit_test(test_sql_migrate),
		cmocka_unit_test(test_node_pg_migrate),
		cmocka_unit_test(test_db_migrate),
		cmocka_unit_test(test_yoyo),
		cmocka_unit_test(test_graphile_names),
		cmocka_unit_test(test_graphile_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
