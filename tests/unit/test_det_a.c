/*
 * Unit tests for the detectors of group a (Flyway, SQLx, Prisma, Drizzle,
 * refinery, TrailBase, Postgrator, Atlas, Liquibase): file names in each
 * tool's own layout, the identifier a row stores for a file, and the
 * checksums against frameworks.md Appendix A (and upstream fixtures where
 * it cites them). Atlas's cumulative hashes are checked through its read()
 * on an in-memory SQLite database and a temporary directory, the only way
 * they are computed. Writing rows is tests/integration/t_frameworks.sh's
 * business.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

extern const struct detector det_atlas;
extern const struct detector det_drizzle;
extern const struct detector det_flyway;
extern const struct detector det_liquibase;
extern const struct detector det_postgrator;
extern const struct detector det_prisma;
extern const struct detector det_refinery;
extern const struct detector det_sqlx;
extern const struct detector det_trailbase;

/* Appendix A's input: 25 bytes, LF-terminated, no BOM. */
static const char body[] = "CREATE TABLE t (id int);\n";

/* One name and what it must parse to; version NULL: not a migration. */
struct name_case {
	const char *rel;
	const char *version;
	enum mig_kind kind;
	const char *desc;
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
				fail_msg("%s: '%s' accepted", d->name,
					 c[i].rel);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: '%s' rejected", d->name, c[i].rel);
		if (strcmp(mn.version, c[i].version) != 0 ||
		    mn.kind != c[i].kind || strcmp(mn.desc, c[i].desc) != 0 ||
		    mn.code != c[i].code)
			fail_msg("%s: '%s' -> version '%s' kind %d desc '%s' "
				 "code %d",
				 d->name, c[i].rel, mn.version, (int)mn.kind,
				 mn.desc, mn.code);
	}
}

/* d's checksum of s, compared with want. */
static void
check_sum(const struct detector *d, const char *s, const char *want)
{
	struct rk_buf out = RK_BUF_INIT;

	d->checksum(s, strlen(s), &out);
	if (strcmp(out.s, want) != 0)
		fail_msg("%s: checksum '%s', want '%s'", d->name, out.s, want);
	rk_buf_release(&out);
}

/* d's file_id for a file called name (version, desc, sha256 given). */
static void
check_id(const struct detector *d, const char *name, const char *version,
	 const char *desc, const char *want)
{
	struct mig_file f;
	struct rk_buf out = RK_BUF_INIT;

	memset(&f, 0, sizeof(f));
	f.name = (char *)name;
	f.version = (char *)version;
	f.desc = (char *)desc;
	rk_sha256_hex(body, strlen(body), f.sha256);
	d->file_id(&f, &out);
	if (strcmp(out.s, want) != 0)
		fail_msg("%s: file_id of '%s' is '%s', want '%s'", d->name,
			 name, out.s, want);
	rk_buf_release(&out);
}

static void
test_flyway_crc32(void **state)
{
	(void)state;
	check_sum(&det_flyway, body, "92137680");
	/* line endings, a BOM and blank lines do not count */
	check_sum(&det_flyway, "CREATE TABLE t (id int);\r\n", "92137680");
	check_sum(&det_flyway,
		  "\xef\xbb\xbf"
		  "CREATE TABLE t (id int);\n",
		  "92137680");
	check_sum(&det_flyway, "CREATE TABLE t (id int);\n\n", "92137680");
	check_sum(&det_flyway, "CREATE TABLE t (id int);", "92137680");
	check_sum(&det_flyway, "select 1;\nselect 2;\n", "-593479011");
	check_sum(&det_flyway, "select 1;\r\rselect 2;", "-593479011");
	check_sum(&det_flyway, "select 1;select 2;", "-593479011");
	check_sum(&det_flyway, "", "0");
}

static void
test_flyway_names(void **state)
{
	static const struct name_case cases[] = {
		{ "V1__init.sql", "1", MIG_UP, "init", 0 },
		{ "V1_1__add_users.sql", "1.1", MIG_UP, "add_users", 0 },
		{ "V2.0.1__x.sql", "2.0.1", MIG_UP, "x", 0 },
		{ "U2__undo_users.sql", "2", MIG_DOWN, "undo_users", 0 },
		{ "R__refresh_views.sql", "", MIG_REPEATABLE, "refresh_views",
		  0 },
		{ "sub/V3__in_folder.sql", "3", MIG_UP, "in_folder", 0 },
		{ "1_init.sql", NULL, MIG_UP, NULL, 0 },
		{ "V1_init.sql", NULL, MIG_UP, NULL, 0 },
		{ "V1__init.txt", NULL, MIG_UP, NULL, 0 },
		{ "V1__x.up.sql", NULL, MIG_UP, NULL, 0 },
	};

	(void)state;
	check_names(&det_flyway, cases, ARRAY_SIZE(cases));
	/* versioned rows are keyed by version, repeatables by description */
	check_id(&det_flyway, "V1_1__add_users.sql", "1.1", "add_users", "1.1");
	check_id(&det_flyway, "R__refresh_all_views.sql", "",
		 "refresh_all_views", "refresh all views");
}

static void
test_sqlx(void **state)
{
	static const struct name_case cases[] = {
		{ "20240101120000_create_users.sql", "20240101120000", MIG_UP,
		  "create_users", 0 },
		{ "1_init.up.sql", "1", MIG_UP, "init", 0 },
		{ "1_init.down.sql", "1", MIG_DOWN, "init", 0 },
		{ "0002_.sql", "0002", MIG_UP, "", 0 },
		{ "1.sql", NULL, MIG_UP, NULL, 0 },
		{ "x_1.sql", NULL, MIG_UP, NULL, 0 },
		{ "1_init.py", NULL, MIG_UP, NULL, 0 },
		{ "sub/1_init.sql", NULL, MIG_UP, NULL, 0 },
	};

	(void)state;
	check_names(&det_sqlx, cases, ARRAY_SIZE(cases));
	check_sum(&det_sqlx, body,
		  "e1cc0b49a7d453bb345d9fc52670c0bfd4a694b2befb7061a9bad559"
		  "16701e1ef4ddd22ee7cb1c80b4317a1b5780422c");
	/* the BIGINT version: leading zeros go */
	check_id(&det_sqlx, "0042_x.sql", "0042", "x", "42");
}

static void
test_prisma(void **state)
{
	static const struct name_case cases[] = {
		{ "20240101120000_init/migration.sql", "20240101120000", MIG_UP,
		  "init", 0 },
		{ "0_init/migration.sql", "0", MIG_UP, "init", 0 },
		{ "migration_lock.toml", NULL, MIG_UP, NULL, 0 },
		{ "20240101120000_init/README.md", NULL, MIG_UP, NULL, 0 },
		{ "migration.sql", NULL, MIG_UP, NULL, 0 },
	};

	(void)state;
	check_names(&det_prisma, cases, ARRAY_SIZE(cases));
	check_sum(&det_prisma, body,
		  "12c83f983b0c94b9c7010dcc92149589d5fb01a3d32af8f6d6995"
		  "45d95db9040");
	check_id(&det_prisma, "20240101120000_init/migration.sql",
		 "20240101120000", "init", "20240101120000_init");
}

static void
test_drizzle(void **state)
{
	static const struct name_case cases[] = {
		{ "0000_brave_wolverine.sql", "0000", MIG_UP, "brave_wolverine",
		  0 },
		{ "20250101120000_init/migration.sql", "20250101120000", MIG_UP,
		  "init", 0 },
		{ "meta/_journal.json", NULL, MIG_UP, NULL, 0 },
		{ "20250101120000_init/snapshot.json", NULL, MIG_UP, NULL, 0 },
		{ "custom.sql", NULL, MIG_UP, NULL, 0 },
	};

	(void)state;
	check_names(&det_drizzle, cases, ARRAY_SIZE(cases));
	check_sum(&det_drizzle, body,
		  "12c83f983b0c94b9c7010dcc92149589d5fb01a3d32af8f6d6995"
		  "45d95db9040");
	/* journal rows keep only the hash; folder rows the folder name */
	check_id(&det_drizzle, "0000_init.sql", "0000", "init",
		 "12c83f983b0c94b9c7010dcc92149589d5fb01a3d32af8f6d699545d95db"
		 "9040");
	check_id(&det_drizzle, "20250101120000_init/migration.sql",
		 "20250101120000", "init", "20250101120000_init");
}

/* The refinery checksum: inspect() sums name, version and text. */
static void
check_refinery(const struct detector *d, const char *name, const char *ver,
	       const char *text, const char *want)
{
	struct mig_file f;

	memset(&f, 0, sizeof(f));
	f.name = (char *)name;
	f.desc = (char *)name;
	f.version = (char *)ver;
	d->inspect(&f, text, strlen(text));
	if (!f.checksum || strcmp(f.checksum, want) != 0)
		fail_msg("%s: checksum of %s/%s is '%s', want '%s'", d->name,
			 ver, name, f.checksum ? f.checksum : "(null)", want);
	free(f.checksum);
}

static void
test_refinery(void **state)
{
	static const struct name_case cases[] = {
		{ "V1__initial.sql", "1", MIG_UP, "initial", 0 },
		{ "U20240101__merge_out_of_order.sql", "20240101", MIG_UP,
		  "merge_out_of_order", 0 },
		{ "V2__add_cars_table.rs", "2", MIG_UP, "add_cars_table", 1 },
		{ "sub/dir/V3__deep.sql", "3", MIG_UP, "deep", 0 },
		{ "V1__bad-name.sql", NULL, MIG_UP, NULL, 0 },
		{ "V1.sql", NULL, MIG_UP, NULL, 0 },
		{ "X1__x.sql", NULL, MIG_UP, NULL, 0 },
		{ "V99999999999__too_big.sql", NULL, MIG_UP, NULL, 0 },
	};

	(void)state;
	check_names(&det_refinery, cases, ARRAY_SIZE(cases));
	check_refinery(&det_refinery, "init", "1", body, "6576007071847067829");
	/* more than one 8-byte block, and an i32 beyond one byte */
	check_refinery(&det_refinery, "initial", "1",
		       "CREATE TABLE persons (id int, name varchar(255), city "
		       "varchar(255));",
		       "9011118159008407467");
	check_id(&det_refinery, "V007__x.sql", "007", "x", "7");
}

static void
test_trailbase(void **state)
{
	static const struct name_case cases[] = {
		{ "U1736510400__create_users.sql", "1736510400", MIG_UP,
		  "create_users", 0 },
		{ "V1__initial.sql", "1", MIG_UP, "initial", 0 },
		{ "U1__x.rs", NULL, MIG_UP, NULL, 0 },
	};

	(void)state;
	check_names(&det_trailbase, cases, ARRAY_SIZE(cases));
	check_refinery(&det_trailbase, "init", "1", body,
		       "6576007071847067829");
	check_refinery(&det_trailbase, "create_users", "1736510400",
		       "CREATE TABLE fx_users (id INTEGER PRIMARY KEY, email "
		       "TEXT NOT NULL) STRICT;\n",
		       "1143081593702107538");
}

static void
test_postgrator(void **state)
{
	static const struct name_case cases[] = {
		{ "001.do.create-users.sql", "001", MIG_UP, "create-users", 0 },
		{ "001.undo.create-users.sql", "001", MIG_DOWN, "create-users",
		  0 },
		{ "002.do.sql", "002", MIG_UP, "", 0 },
		{ "003.do.a.b.sql", "003", MIG_UP, "a.b", 0 },
		{ "004.do.seed.js", "004", MIG_UP, "seed", 1 },
		{ "005.do.seed.cjs", "005", MIG_UP, "seed", 1 },
		{ "005.knex.js", NULL, MIG_UP, NULL, 0 },
		{ "x.do.y.sql", NULL, MIG_UP, NULL, 0 },
		{ "001.sql", NULL, MIG_UP, NULL, 0 },
	};

	(void)state;
	check_names(&det_postgrator, cases, ARRAY_SIZE(cases));
	check_sum(&det_postgrator, body, "cd693128f6e326e5b6817a24ba8764af");
	check_id(&det_postgrator, "001.do.create-users.sql", "001",
		 "create-users", "1");
}

static void
test_liquibase(void **state)
{
	static const struct name_case cases[] = {
		{ "001-users.sql", "", MIG_UP, "001-users", 0 },
		{ "changes/002.sql", "", MIG_UP, "changes/002", 0 },
		{ "db.changelog-master.xml", "", MIG_UP, "db.changelog-master",
		  1 },
		{ "changelog.yaml", "", MIG_UP, "changelog", 1 },
		{ "liquibase.properties", NULL, MIG_UP, NULL, 0 },
	};

	(void)state;
	check_names(&det_liquibase, cases, ARRAY_SIZE(cases));
	/* Appendix A: one change set with body CREATE TABLE t (id int); */
	check_sum(&det_liquibase,
		  "--liquibase formatted sql\n--changeset jane:1\n"
		  "CREATE TABLE t (id int);\n",
		  "9:6d4549ab668f0fa3a148fb9da6d22712");
	/* whitespace, comments and rollbacks do not count */
	check_sum(&det_liquibase,
		  "-- liquibase formatted sql\r\n\r\n-- changeset jane:1 "
		  "runOnChange:true\r\n--comment: the t table\r\n"
		  "CREATE TABLE t\r\n  (id int);\r\n--rollback DROP TABLE t;"
		  "\r\n/* liquibase rollback\r\nDROP TABLE t;\r\n*/\r\n",
		  "9:6d4549ab668f0fa3a148fb9da6d22712");
	check_sum(&det_liquibase,
		  "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE "
		  "t (id int);\n--changeset a:2\n",
		  "9:6d4549ab668f0fa3a148fb9da6d22712,"
		  "9:f01deb4f054d9620e0ddc9a1cfbdf6c9");
	check_sum(&det_liquibase, body, "");
	check_id(&det_liquibase, "changes/002.sql", "", "changes/002",
		 "002.sql");
}

static void
test_atlas_names(void **state)
{
	static const struct name_case cases[] = {
		{ "20250101120000_init.sql", "20250101120000", MIG_UP, "init",
		  0 },
		{ "1.sql", "1", MIG_UP, "", 0 },
		{ "2_next_step.sql", "2", MIG_UP, "next_step", 0 },
		{ "atlas.sum", NULL, MIG_UP, NULL, 0 },
		{ "sub/1_x.sql", NULL, MIG_UP, NULL, 0 },
	};

	(void)state;
	check_names(&det_atlas, cases, ARRAY_SIZE(cases));
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/*
 * Appendix A: 1_init.sql and 2_next.sql, both the 25-byte body, hash to
 * CljdN0mR... and (cumulatively) Jcp42HwV...; read() stores a row whose
 * hash is current as the file's SHA-256, and keeps any other hash.
 */
static void
test_atlas_sums(void **state)
{
	struct db_opts o = DB_OPTS_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct tracked t;
	struct db *db = NULL;
	char dir[] = "/tmp/reckon-atlas-XXXXXX", hex[65], path[600];

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "1_init.sql", body);
	write_file(dir, "2_next.sql", body);
	write_file(dir, "3_more.sql", "SELECT 3;\n");
	assert_int_equal(db_open("sqlite::memory:", &o, &db, &err), 0);
	assert_int_equal(
		db_exec(db,
			"CREATE TABLE atlas_schema_revisions (version text, "
			"executed_at datetime, hash text, applied integer, "
			"total integer, error text, execution_time integer);"
			"INSERT INTO atlas_schema_revisions VALUES "
			"('.atlas_cloud_identifier', '', '', 0, 0, NULL, 0),"
			"('1', '2025-01-10 12:00:00', "
			"'CljdN0mRRypLgnOb0bKKlZ2rGT42jXDb5lFPkN5gFHI=', 1, 1, "
			"NULL, 1000000),"
			"('2', '2025-01-10 12:00:01', "
			"'Jcp42HwVoCvPUnNLAloST451a3XABMDXxn6edj3bvjI=', 1, 2, "
			"NULL, 2000000),"
			"('3', '2025-01-10 12:00:02', 'stale=', 1, 1, NULL, 0)",
			&err),
		0);
	memset(&t, 0, sizeof(t));
	t.det = &det_atlas;
	t.table = (char *)"atlas_schema_revisions";
	t.exists = 1;
	t.dir = dir;
	assert_int_equal(det_atlas.read(db, &t, &rows, &err), 0);
	assert_int_equal(rows.n, 3);
	rk_sha256_hex(body, strlen(body), hex);
	assert_string_equal(rows.v[0].id, "1");
	assert_string_equal(rows.v[0].stored_hash, hex);
	assert_string_equal(rows.v[1].stored_hash, hex);
	assert_int_equal(rows.v[1].failed, 1); /* applied 1 of 2 */
	assert_int_equal(rows.v[1].exec_ms, 2);
	assert_string_equal(rows.v[2].stored_hash, "stale=");
	assert_string_equal(rows.v[0].applied_at, "2025-01-10T12:00:00Z");
	applied_set_release(&rows);
	db_close(db);
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = { "1_init.sql", "2_next.sql",
						     "3_more.sql" };

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

/*
 * The SQLite driver turns SQLite's memory statistics off before SQLite's
 * first use (each allocation would take a global mutex): with them on, a
 * connection holding a table reports memory in use.
 */
static void
test_sqlite_no_memstatus(void **state)
{
	struct db_opts o = DB_OPTS_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct db *db = NULL;

	(void)state;
	assert_int_equal(db_open("sqlite::memory:", &o, &db, &err), 0);
	assert_int_equal(db_exec(db,
				 "CREATE TABLE t (a text); "
				 "INSERT INTO t VALUES ('x')",
				 &err),
			 0);
	assert_int_equal(sqlite3_memory_used(), 0);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flyway_crc32),
		cmocka_unit_test(test_flyway_names),
		cmocka_unit_test(test_sqlx),
		cmocka_unit_test(test_prisma),
		cmocka_unit_test(test_drizzle),
		cmocka_unit_test(test_refinery),
		cmocka_unit_test(test_trailbase),
		cmocka_unit_test(test_postgrator),
		cmocka_unit_test(test_liquibase),
		cmocka_unit_test(test_atlas_names),
		cmocka_unit_test(test_atlas_sums),
		cmocka_unit_test(test_sqlite_no_memstatus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
