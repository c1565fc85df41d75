/*
 * Unit tests for migration-file discovery (detectors/migfile.c): mig_scan on
 * real temporary directories (order, down scripts, duplicates, ignored names,
 * symlink loops, non-UTF-8 files, hashes) and mig_up_section on dbmate,
 * goose and sql-migrate texts. Each test makes its own directory under
 * /tmp and removes it, whatever the outcome of the scan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/core/ops.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

extern const struct detector det_dbmate;
extern const struct detector det_flyway;
extern const struct detector det_goose;
extern const struct detector det_node_pg_migrate;
extern const struct detector det_sqlx;

#define SHA_TABLE_T                                                            \
	"12c83f983b0c94b9c7010dcc92149589d5fb01a3d32af8f6d699545d95db9040"
#define SHA_EMPTY                                                              \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void
put_file(const char *dir, const char *name, const char *s, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

#define PUT(dir, name, lit) put_file((dir), (name), (lit), sizeof(lit) - 1)

/* Remove everything in dir (and one level of subdirectories). */
static void
empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) < 0 && (errno == EISDIR || errno == EPERM)) {
			empty_dir(path);
			assert_int_equal(rmdir(path), 0);
		}
	}
	closedir(d);
}

/* Each test's directory and scan result, cleaned up after it even when
 * an assertion fails half-way. */
struct fixture {
	char dir[64];
	struct mig_set set;
};

static int
setup_dir(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/reckon-test-migfile-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
teardown_dir(void **state)
{
	struct fixture *fx = *state;
	int rc;

	mig_set_release(&fx->set);
	empty_dir(fx->dir);
	rc = rmdir(fx->dir);
	free(fx);
	return rc;
}

/* name is listed as ignored for reason why */
static int
has_ignored(const struct mig_set *s, const char *name, enum mig_ignore why)
{
	for (size_t i = 0; i < s->nignored; i++)
		if (strcmp(s->ignored[i].name, name) == 0)
			return s->ignored[i].why == why;
	return 0;
}

/* err->msg contains each of the NULL-terminated strings. */
static void
check_msg(const struct rk_err *err, enum rk_kind kind, ...)
{
	va_list ap;
	const char *want;

	if (err->kind != kind)
		fail_msg("error kind %d, want %d: %s", (int)err->kind,
			 (int)kind, err->msg);
	va_start(ap, kind);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (!strstr(err->msg, want)) {
			va_end(ap);
			fail_msg("message '%s' lacks '%s'", err->msg, want);
		}
	}
	va_end(ap);
}

static void
test_scan_order(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;
	char path[128];
	static const char *const want[] = {
		"V1__one.sql",	"V1_5__half.sql", "V2__two.sql",
		"V10__ten.sql", "R__views.sql",
	};
	static const char *const vers[] = { "1", "1.5", "2", "10", "" };

	PUT(dir, "V10__ten.sql", "SELECT 10;\n");
	PUT(dir, "V2__two.sql", "SELECT 2;\n");
	PUT(dir, "R__views.sql", "SELECT 'r';\n");
	PUT(dir, "V1_5__half.sql", "SELECT 1.5;\n");
	PUT(dir, "V1__one.sql", "SELECT 1;\n");

	assert_int_equal(mig_scan(dir, NULL, s, &err), 0);
	assert_string_equal(s->dir, dir);
	assert_int_equal(s->n, 5);
	assert_int_equal(s->nignored, 0);
	for (size_t i = 0; i < s->n; i++) {
		assert_string_equal(s->v[i].name, want[i]);
		assert_string_equal(s->v[i].version, vers[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, want[i]);
		assert_string_equal(s->v[i].path, path);
		assert_int_equal(s->v[i].conv, CONV_FLYWAY);
		assert_null(s->v[i].down_name);
		assert_int_equal(strlen(s->v[i].sha256), 64);
	}
	assert_string_equal(s->v[1].desc, "half");
	assert_int_equal(s->v[0].kind, MIG_UP);
	assert_int_equal(s->v[4].kind, MIG_REPEATABLE);
	assert_int_equal(s->v[3].size, 11);
	assert_ptr_equal(mig_find(s, "V10__ten.sql"), &s->v[3]);
	assert_null(mig_find(s, "V3__none.sql"));
	mig_set_release(s);
}

/* Numbers longer than 18 digits, leading zeros, dotted and plain numbers
 * mixed: the same order as comparing the versions themselves. */
static void
test_scan_order_numbers(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;
	static const char *const want[] = {
		"V1__a.sql",
		"V1_5__half.sql",
		"V2__two.sql",
		"V0010__ten.sql",
		"V10_1__ten_one.sql",
		"V999999999999999999__big.sql",
		"V1000000000000000000__bigger.sql",
		"V00012345678901234567890__huge.sql",
		"V12345678901234567891__huger.sql",
		"R__views.sql",
	};

	for (size_t i = ARRAY_SIZE(want); i-- > 0;)
		put_file(dir, want[i], "SELECT 1;\n", 10);
	assert_int_equal(mig_scan(dir, NULL, s, &err), 0);
	assert_int_equal(s->n, ARRAY_SIZE(want));
	for (size_t i = 0; i < s->n; i++)
		assert_string_equal(s->v[i].name, want[i]);
	for (size_t i = 2; i < s->n; i++) /* the repeatable last */
		assert_true(rk_vercmp(s->v[i - 2].version,
				      s->v[i - 1].version) < 0);
	mig_set_release(s);
}

static void
test_scan_hash(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;
	char hex[65];

	(void)state;
	rk_sha256_hex("CREATE TABLE t (id int);\n", 25, hex);
	assert_string_equal(hex, SHA_TABLE_T);
	rk_sha256_hex("", 0, hex);
	assert_string_equal(hex, SHA_EMPTY);

	PUT(dir, "001_t.sql", "CREATE TABLE t (id int);\n");
	PUT(dir, "002_empty.sql", "");
	assert_int_equal(mig_scan(dir, NULL, s, &err), 0);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->v[0].name, "001_t.sql");
	assert_string_equal(s->v[0].sha256, SHA_TABLE_T);
	assert_int_equal(s->v[0].size, 25);
	assert_int_equal(s->v[0].conv, CONV_PLAIN);
	assert_string_equal(s->v[1].sha256, SHA_EMPTY);
	assert_int_equal(s->v[1].size, 0);
	mig_set_release(s);
}

static void
test_scan_empty_dir(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;

	assert_int_equal(mig_scan(dir, NULL, s, &err), 0);
	assert_int_equal(s->n, 0);
	assert_int_equal(s->nignored, 0);
	mig_set_release(s);
}

/* Down scripts hang off their up file and are not listed themselves. */
static void
test_scan_downs(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;

	PUT(dir, "20240101120000_create.up.sql", "CREATE TABLE a (x int);\n");
	PUT(dir, "20240101120000_create.down.sql", "DROP TABLE a;\n");
	PUT(dir, "20240102000000_more.up.sql", "CREATE TABLE b (x int);\n");
	assert_int_equal(mig_scan(dir, NULL, s, &err), 0);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->v[0].name, "20240101120000_create.up.sql");
	assert_int_equal(s->v[0].conv, CONV_UPDOWN);
	assert_int_equal(s->v[0].kind, MIG_UP);
	assert_string_equal(s->v[0].down_name,
			    "20240101120000_create.down.sql");
	assert_string_equal(s->v[1].name, "20240102000000_more.up.sql");
	assert_null(s->v[1].down_name);
	assert_null(mig_find(s, "20240101120000_create.down.sql"));
	assert_int_equal(s->nignored, 0);
	mig_set_release(s);
	empty_dir(dir);

	/* Flyway's undo scripts pair the same way */
	PUT(dir, "V1__a.sql", "CREATE TABLE a (x int);\n");
	PUT(dir, "U1__a.sql", "DROP TABLE a;\n");
	PUT(dir, "V2__b.sql", "CREATE TABLE b (x int);\n");
	assert_int_equal(mig_scan(dir, NULL, s, &err), 0);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->v[0].name, "V1__a.sql");
	assert_string_equal(s->v[0].down_name, "U1__a.sql");
	assert_string_equal(s->v[1].name, "V2__b.sql");
	assert_null(s->v[1].down_name);
	mig_set_release(s);
}

static void
test_scan_duplicate(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;

	PUT(dir, "V1__a.sql", "SELECT 1;\n");
	PUT(dir, "1_b.sql", "SELECT 1;\n");
	assert_int_equal(mig_scan(dir, NULL, s, &err), -1);
	check_msg(&err, RK_INPUT, "duplicate", "'V1__a.sql'", "'1_b.sql'",
		  NULL);
	mig_set_release(s);
	empty_dir(dir);

	rk_err_clear(&err);
	PUT(dir, "V2__x.sql", "SELECT 1;\n");
	PUT(dir, "V2__y.sql", "SELECT 2;\n");
	PUT(dir, "V3__z.sql", "SELECT 3;\n");
	assert_int_equal(mig_scan(dir, NULL, s, &err), -1);
	check_msg(&err, RK_INPUT, "duplicate", "V2__x.sql", "V2__y.sql", NULL);
	assert_null(strstr(err.msg, "V3__z.sql"));
	mig_set_release(s);
}

/* "001" and "1" are one version (rk_vercmp, and every framework that
 * reads versions as numbers): two files with them collide. */
static void
test_scan_duplicate_leading_zeros(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;

	PUT(dir, "001_a.sql", "SELECT 1;\n");
	PUT(dir, "1_b.sql", "SELECT 1;\n");
	assert_int_equal(mig_scan(dir, NULL, s, &err), -1);
	check_msg(&err, RK_INPUT, "duplicate", "001_a.sql", "1_b.sql", NULL);
	mig_set_release(s);
}

/* Other .sql names are listed as ignored; other files are not; a
 * directory named like a migration is listed with its reason. */
static void
test_scan_ignored(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;
	char sub[128];

	PUT(dir, "V1__ok.sql", "SELECT 1;\n");
	PUT(dir, "notes.sql", "SELECT 'notes';\n");
	PUT(dir, "V1_x.sql", "SELECT 'x';\n");
	PUT(dir, "README.md", "# readme\n");
	PUT(dir, "data.csv", "\xff\xfe binary\n");
	PUT(dir, "V2__b.sql.bak", "SELECT 2;\n");
	PUT(dir, ".hidden.sql", "SELECT 'h';\n");
	snprintf(sub, sizeof(sub), "%s/V3__dir.sql", dir);
	assert_int_equal(mkdir(sub, 0700), 0);

	assert_int_equal(mig_scan(dir, NULL, s, &err), 0);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->v[0].name, "V1__ok.sql");
	assert_int_equal(s->nignored, 3);
	assert_true(has_ignored(s, "notes.sql", IGN_NAME));
	assert_true(has_ignored(s, "V1_x.sql", IGN_NAME));
	assert_true(has_ignored(s, "V3__dir.sql", IGN_DIR));
	mig_set_release(s);
}

static void
test_scan_missing_dir(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/missing", fx->dir);
	assert_int_equal(mig_scan(dir, NULL, s, &err), -1);
	check_msg(&err, RK_CONFIG, dir, "No such file or directory", NULL);
	assert_int_equal(s->n, 0);
	mig_set_release(s);
}

/*
 * Entries named like migrations that are not regular files, or whose name
 * is not UTF-8, are listed as ignored with their reason and never opened
 * (a FIFO would block the read); the scan goes on.
 */
static void
test_scan_not_regular(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;
	char path[128];

	PUT(dir, "V1__ok.sql", "SELECT 1;\n");
	PUT(dir, "V6__caf\xe9.sql", "SELECT 6;\n");
	snprintf(path, sizeof(path), "%s/V5__loop.sql", dir);
	assert_int_equal(symlink("V5__loop.sql", path), 0);
	snprintf(path, sizeof(path), "%s/V4__gone.sql", dir);
	assert_int_equal(symlink("nowhere/V4.sql", path), 0);
	snprintf(path, sizeof(path), "%s/V3__pipe.sql", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/V2__ok.sql", dir);
	assert_int_equal(symlink("V1__ok.sql", path), 0);

	assert_int_equal(mig_scan(dir, NULL, s, &err), 0);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->v[1].name, "V2__ok.sql");
	assert_int_equal(s->nignored, 4);
	assert_true(has_ignored(s, "V5__loop.sql", IGN_LOOP));
	assert_true(has_ignored(s, "V4__gone.sql", IGN_DANGLING));
	assert_true(has_ignored(s, "V3__pipe.sql", IGN_FIFO));
	assert_true(has_ignored(s, "V6__caf\\xe9.sql", IGN_NOT_UTF8));
	for (size_t i = 0; i < s->nignored; i++)
		if (s->ignored[i].why == IGN_FIFO)
			assert_string_equal(s->ignored[i].version, "3");
	assert_string_equal(mig_ignore_reason(IGN_FIFO),
			    "not a regular file: FIFO");
	mig_set_release(s);
}

static void
test_scan_not_utf8(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;

	PUT(dir, "V1__bad.sql", "SELECT 1;\nSELECT '\xff';\n");
	assert_int_equal(mig_scan(dir, NULL, s, &err), -1);
	check_msg(&err, RK_INPUT, "'V1__bad.sql'", "UTF-8", "line 2", NULL);
	assert_true(*err.hint);
	mig_set_release(s);
	empty_dir(dir);

	rk_err_clear(&err);
	PUT(dir, "V1__nul.sql", "SELECT 1;\n\0");
	assert_int_equal(mig_scan(dir, NULL, s, &err), -1);
	check_msg(&err, RK_INPUT, "'V1__nul.sql'", "NUL", "line 2", NULL);
	mig_set_release(s);
}

/* The line of the bad byte, not of an earlier valid multibyte one. */
static void
test_scan_not_utf8_after_multibyte(void **state)
{
	struct fixture *fx = *state;
	struct mig_set *s = &fx->set;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;

	PUT(dir, "V1__bad.sql", "-- caf\xc3\xa9\nSELECT 1;\nSELECT '\xff';\n");
	assert_int_equal(mig_scan(dir, NULL, s, &err), -1);
	check_msg(&err, RK_INPUT, "'V1__bad.sql'", "line 3", NULL);
	mig_set_release(s);
}

static void
test_read(void **state)
{
	struct fixture *fx = *state;
	struct rk_buf b = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	const char *dir = fx->dir;
	char path[128];

	PUT(dir, "V1__t.sql", "CREATE TABLE t (id int);\n");
	snprintf(path, sizeof(path), "%s/V1__t.sql", dir);
	rk_buf_adds(&b, "old contents");
	assert_int_equal(mig_read(path, "V1__t.sql", &b, &err), 0);
	assert_string_equal(b.s, "CREATE TABLE t (id int);\n");
	assert_int_equal(b.len, 25);

	snprintf(path, sizeof(path), "%s/V2__missing.sql", dir);
	assert_int_equal(mig_read(path, "V2__missing.sql", &b, &err), -1);
	check_msg(&err, RK_INPUT, "V2__missing.sql", "No such file", NULL);
	rk_buf_release(&b);
}

/* The slice mig_up_section selects with det's markers, whitespace
 * trimmed at both ends. */
static void
check_up_with(const struct detector *det, const char *s, int want_found,
	      const char *want)
{
	size_t off = 99, len = 99, n = strlen(s);
	int found = mig_up_section(det, s, n, &off, &len);

	assert_int_equal(found, want_found);
	assert_true(off <= n && len <= n - off);
	while (len && strchr(" \t\r\n", s[off])) {
		off++;
		len--;
	}
	while (len && strchr(" \t\r\n", s[off + len - 1]))
		len--;
	if (len != strlen(want) || memcmp(s + off, want, len) != 0)
		fail_msg("up section '%.*s', want '%s'", (int)len, s + off,
			 want);
}

/* ... with the directory conventions (reckon's own table). */
static void
check_up(const char *s, int want_found, const char *want)
{
	check_up_with(NULL, s, want_found, want);
}

static void
test_up_section(void **state)
{
	(void)state;
	/* dbmate */
	check_up("-- migrate:up\nCREATE TABLE t (id int);\n\n"
		 "-- migrate:down\nDROP TABLE t;\n",
		 1, "CREATE TABLE t (id int);");
	check_up("-- migrate:up transaction:false\n"
		 "CREATE INDEX CONCURRENTLY i ON t (id);\n"
		 "-- migrate:down\nDROP INDEX i;\n",
		 1, "CREATE INDEX CONCURRENTLY i ON t (id);");
	/* goose, with its statement markers kept in the up part */
	check_up("-- +goose Up\n-- +goose StatementBegin\n"
		 "CREATE TABLE g (id int);\n-- +goose StatementEnd\n\n"
		 "-- +goose Down\nDROP TABLE g;\n",
		 1,
		 "-- +goose StatementBegin\nCREATE TABLE g (id int);\n"
		 "-- +goose StatementEnd");
	/* sql-migrate */
	check_up("-- +migrate Up\nCREATE TABLE m (id int);\n"
		 "-- +migrate Down\nDROP TABLE m;\n",
		 1, "CREATE TABLE m (id int);");
	/* an up marker without a down one runs to the end */
	check_up("-- +goose Up\nCREATE TABLE u (id int);\n", 1,
		 "CREATE TABLE u (id int);");
	/* text before the up marker is not part of it */
	check_up("-- a comment\n-- migrate:up\nSELECT 1;\n-- migrate:down\n"
		 "SELECT 2;\n",
		 1, "SELECT 1;");
	/* CRLF line ends */
	check_up("-- migrate:up\r\nSELECT 1;\r\n-- migrate:down\r\n"
		 "SELECT 2;\r\n",
		 1, "SELECT 1;");
	/* Tern: a down marker only, the up part above it */
	check_up("CREATE TABLE t (id int);\n---- create above / drop below "
		 "----\nDROP TABLE t;\n",
		 1, "CREATE TABLE t (id int);");
}

/* A framework with markers of its own honours only those; one without
 * (Flyway) follows the directory conventions. */
static void
test_up_section_per_framework(void **state)
{
	static const char goose[] = "-- +goose Up\nSELECT 1;\n"
				    "-- +goose Down\nSELECT 2;\n";

	(void)state;
	check_up_with(&det_goose, goose, 1, "SELECT 1;");
	check_up_with(&det_flyway, goose, 1, "SELECT 1;");
	check_up_with(&det_dbmate, goose, 0,
		      "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;");
	assert_ptr_equal(mig_sections_owner(goose, strlen(goose)), &det_goose);
	assert_null(mig_sections_owner("SELECT 1;\n", 10));
}

/* node-pg-migrate's markers as sqlMigration.ts's pattern reads them,
 * /^\s*--[\s-]*up\s+migration/im, in both directions. */
static void
test_up_section_node_pg_migrate(void **state)
{
	static const char wide[] = "\t---- UP \t Migration: users\r\n"
				   "CREATE TABLE u (id int);\n"
				   "  --- - down   MIGRATIONS\nDROP TABLE u;\n";
	size_t off, len;

	(void)state;
	check_up_with(&det_node_pg_migrate, wide, 1,
		      "CREATE TABLE u (id int);");
	assert_int_equal(mig_down_section(&det_node_pg_migrate, wide,
					  strlen(wide), &off, &len),
			 1);
	assert_string_equal(wide + off, "DROP TABLE u;\n");
	check_up_with(&det_node_pg_migrate,
		      "-- Up Migration\nSELECT 1;\n-- Down Migration\n"
		      "SELECT 2;\n",
		      1, "SELECT 1;");
	/* "up" and "migration" need a blank between them, and "--" */
	check_up_with(&det_node_pg_migrate,
		      "-- upmigration\nSELECT 1;\n- up migration\n", 0,
		      "-- upmigration\nSELECT 1;\n- up migration");
	/* in a directory nobody's table claims, the wide spelling is
	 * node-pg-migrate's */
	assert_ptr_equal(mig_sections_owner(wide, strlen(wide)),
			 &det_node_pg_migrate);
}

/* dbmate's and SQLx's opt-outs are theirs; reckon's always counts. */
static void
test_no_tx_markers(void **state)
{
	static const char dbmate[] = "-- migrate:up transaction:false\n";
	static const char sqlx[] = "-- no-transaction\nSELECT 1;\n";
	static const char own[] = "-- reckon:no-transaction\nSELECT 1;\n";

	(void)state;
	assert_true(mig_opts_out_of_tx(NULL, dbmate, strlen(dbmate)));
	assert_true(mig_opts_out_of_tx(NULL, sqlx, strlen(sqlx)));
	assert_true(mig_opts_out_of_tx(&det_dbmate, dbmate, strlen(dbmate)));
	assert_false(mig_opts_out_of_tx(&det_dbmate, sqlx, strlen(sqlx)));
	assert_true(mig_opts_out_of_tx(&det_sqlx, own, strlen(own)));
	assert_false(mig_opts_out_of_tx(NULL, "SELECT 1;", 9));
}

static void
test_up_section_no_markers(void **state)
{
	static const char s[] = "CREATE TABLE t (id int);\n-- up\n";
	size_t off = 99, len = 99;

	(void)state;
	assert_int_equal(mig_up_section(NULL, s, sizeof(s) - 1, &off, &len), 0);
	assert_int_equal(off, 0);
	assert_int_equal(len, sizeof(s) - 1);
	assert_int_equal(mig_up_section(NULL, "", 0, &off, &len), 0);
	assert_int_equal(off, 0);
	assert_int_equal(len, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan_order, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_scan_order_numbers,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_scan_hash, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_scan_empty_dir, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_scan_downs, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_scan_duplicate, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(
			test_scan_duplicate_leading_zeros, setup_dir,
			teardown_dir),
		cmocka_unit_test_setup_teardown(test_scan_ignored, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_scan_missing_dir,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_scan_not_regular,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_scan_not_utf8, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(
			test_scan_not_utf8_after_multibyte, setup_dir,
			teardown_dir),
		cmocka_unit_test_setup_teardown(test_read, setup_dir,
						teardown_dir),
		cmocka_unit_test(test_up_section),
		cmocka_unit_test(test_up_section_per_framework),
		cmocka_unit_test(test_up_section_node_pg_migrate),
		cmocka_unit_test(test_no_tx_markers),
		cmocka_unit_test(test_up_section_no_markers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
