/*
 * Unit tests for the libraries reckon loads on first use rather than at
 * start-up (libpq in db/db_pg.c, libmicrohttpd in serve/serve_mhd.c,
 * libcrypto in base/crypto.c, which has no error to return: it says so
 * on stderr and exits 2, the same code): when
 * the library cannot be loaded, opening a PostgreSQL URL, pinging one,
 * building a conninfo and starting the server each fail with one error
 * that names the library and how to install it, as a bad environment
 * (RK_CONFIG: exit 2). The driver files are compiled in here with a
 * library name that does not exist (the Makefile links this test without
 * their usual objects); everything else is the real code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIBCRYPTO_SONAME "libcrypto-absent-for-reckon-tests.so.3"
#define LIBPQ_SONAME	 "libpq-absent-for-reckon-tests.so.5"
#define LIBMHD_SONAME	 "libmicrohttpd-absent-for-reckon-tests.so.12"
#include "../../db/db_pg.c"
#include "../../serve/serve_mhd.c"
#include "../../base/crypto.c"

static void
expect_missing(const struct rk_err *err, const char *lib, const char *what,
	       const char *package)
{
	assert_int_equal(err->kind, RK_CONFIG);
	assert_non_null(strstr(err->msg, what));
	assert_non_null(strstr(err->msg, lib));
	assert_non_null(strstr(err->hint, package));
}

static void
test_pg_open_names_libpq(void **state)
{
	struct rk_err err = RK_ERR_INIT;
	struct db *db = NULL;

	(void)state;
	assert_int_equal(
		db_open("postgres://u:secret@127.0.0.1:1/x", NULL, &db, &err),
		-1);
	assert_null(db);
	expect_missing(&err, LIBPQ_SONAME,
		       "cannot load the PostgreSQL client library", "libpq5");
	assert_null(strstr(err.msg, "secret"));
	/* a second try reports the same, without loading again */
	err = (struct rk_err)RK_ERR_INIT;
	assert_int_equal(db_open("dbname=x", NULL, &db, &err), -1);
	expect_missing(&err, LIBPQ_SONAME,
		       "cannot load the PostgreSQL client library", "libpq5");
}

static void
test_pg_ping_and_conninfo_name_libpq(void **state)
{
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf b = RK_BUF_INIT;
	const struct db_opts o = DB_OPTS_INIT;
	char *password = (char *)"unset";

	(void)state;
	assert_true(db_pg_driver.ping("dbname=x", &o, &err) < 0);
	expect_missing(&err, LIBPQ_SONAME,
		       "cannot load the PostgreSQL client library", "libpq5");
	err = (struct rk_err)RK_ERR_INIT;
	assert_int_equal(
		db_pg_conninfo_for("dbname=x", "y", 0, &b, &password, &err),
		-1);
	assert_null(password);
	assert_int_equal(b.len, 0);
	expect_missing(&err, LIBPQ_SONAME,
		       "cannot load the PostgreSQL client library", "libpq5");
	rk_buf_release(&b);
}

static void
test_mhd_load_names_libmicrohttpd(void **state)
{
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	assert_int_equal(mhd_load(&err), -1);
	expect_missing(&err, LIBMHD_SONAME,
		       "cannot load the HTTP server library",
		       "libmicrohttpd12");
	assert_null(mhd.p_MHD_start_daemon);
}

/* The first hash without libcrypto: exit 2, naming it and its package. */
static void
test_crypto_names_libcrypto(void **state)
{
	int fds[2], status;
	char out[1024];
	ssize_t n, got = 0;
	pid_t pid;

	(void)state;
	assert_false(rk_crypto_loaded());
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		(void)rk_crypto();
		_exit(0); /* not reached: it must not return */
	}
	close(fds[1]);
	while ((n = read(fds[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	assert_non_null(strstr(out, "cannot load the cryptography library "
				    "libcrypto-absent-for-reckon-tests.so.3"));
	assert_non_null(strstr(out, "apt-get install libssl3"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg_open_names_libpq),
		cmocka_unit_test(test_pg_ping_and_conninfo_name_libpq),
		cmocka_unit_test(test_mhd_load_names_libmicrohttpd),
		cmocka_unit_test(test_crypto_names_libcrypto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
