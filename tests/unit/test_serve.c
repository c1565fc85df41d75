/*
 * Unit tests for the HTTP API's checks that need no server (serve/serve_api.c):
 * percent-decoding of the path parameter, and which preview names are
 * refused, with which status, including symlinks, a FIFO and a directory in
 * a real temporary migrations directory. The request handlers themselves
 * are tested over HTTP in tests/integration/serve.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/serve/serve.h"

#include "reckon/base/banned.h"

static void
decodes(const char *in, const char *want, size_t want_len)
{
	struct rk_buf out = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;

	if (api_decode(in, strlen(in), &out, &err) < 0)
		fail_msg("api_decode(\"%s\") failed: %s", in, err.msg);
	assert_int_equal(out.len, want_len);
	assert_memory_equal(out.s, want, want_len);
	rk_buf_release(&out);
}

static void
refused(const char *in)
{
	struct rk_buf out = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;

	if (api_decode(in, strlen(in), &out, &err) == 0)
		fail_msg("api_decode(\"%s\") accepted a bad escape", in);
	assert_int_equal(err.kind, RK_USAGE);
	rk_buf_release(&out);
}

static void
test_decode(void **state)
{
	(void)state;
	decodes("001_users.sql", "001_users.sql", 13);
	decodes("a%2Fb", "a/b", 3);
	decodes("%2e%2E", "..", 2);
	decodes("a+b", "a+b", 3); /* a path, not a form: '+' stays */
	decodes("x%00y", "x\0y", 3);
	decodes("%252e", "%2e", 3); /* one level only */
	decodes("", "", 0);
	refused("%");
	refused("%2");
	refused("a%zz");
	refused("%g0");
	refused("abc%4");
}

/* A migrations directory with traps beside and inside it. */
struct fixture {
	char root[64];
	char dir[PATH_MAX];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct rk_buf p = RK_BUF_INIT;
	char *real;
	FILE *fp;

	snprintf(f->root, sizeof(f->root), "/tmp/reckon-test-serve-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	rk_buf_addf(&p, "%s/m", f->root);
	if (mkdir(p.s, 0700) < 0)
		return -1;
	real = realpath(p.s, NULL);
	snprintf(f->dir, sizeof(f->dir), "%s", real);
	free(real);
	rk_buf_reset(&p);
	rk_buf_addf(&p, "%s/001_a.sql", f->dir);
	if (!(fp = fopen(p.s, "w")))
		return -1;
	fputs("SELECT 1;\n", fp);
	fclose(fp);
	rk_buf_reset(&p);
	rk_buf_addf(&p, "%s/outside.sql", f->root);
	if (!(fp = fopen(p.s, "w")))
		return -1;
	fclose(fp);
	rk_buf_reset(&p);
	rk_buf_addf(&p, "%s/escape.sql", f->dir);
	if (symlink("../outside.sql", p.s) < 0)
		return -1;
	rk_buf_reset(&p);
	rk_buf_addf(&p, "%s/alias.sql", f->dir);
	if (symlink("001_a.sql", p.s) < 0)
		return -1;
	rk_buf_reset(&p);
	rk_buf_addf(&p, "%s/fifo.sql", f->dir);
	if (mkfifo(p.s, 0600) < 0)
		return -1;
	rk_buf_reset(&p);
	rk_buf_addf(&p, "%s/sub.sql", f->dir);
	if (mkdir(p.s, 0700) < 0)
		return -1;
	rk_buf_release(&p);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* api_check_name on name[0..n) answers want (0: allowed). */
static void
name_status(const struct fixture *f, const char *name, size_t n, unsigned want)
{
	struct rk_buf path = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	unsigned got = api_check_name(f->dir, name, n, &path, &err);

	if (got != want)
		fail_msg("'%.*s': status %u, want %u (%s)", (int)n, name, got,
			 want, err.msg);
	if (want == 0 && strncmp(path.s, f->dir, strlen(f->dir)) != 0)
		fail_msg("'%s' resolved to '%s', outside '%s'", name, path.s,
			 f->dir);
	if (want != 0 && (path.len != 0 || !*err.msg))
		fail_msg("'%.*s' refused without a message, or with a path",
			 (int)n, name);
	rk_buf_release(&path);
}

static void
check(const struct fixture *f, const char *name, unsigned want)
{
	name_status(f, name, strlen(name), want);
}

static void
test_names(void **state)
{
	const struct fixture *f = *state;

	check(f, "001_a.sql", 0);
	check(f, "alias.sql", 0); /* a symlink that stays inside */
	check(f, "", 400);
	check(f, "..", 400);
	check(f, "../outside.sql", 400);
	check(f, "a/../001_a.sql", 400);
	check(f, "..\\outside.sql", 400);
	check(f, "x..sql", 400);
	check(f, ".hidden.sql", 400);
	check(f, "%2e%2e.sql", 400);
	check(f, "001_a.txt", 400);
	check(f, "001_a.SQL", 400);
	check(f, "a\nb.sql", 400);
	check(f, "a\x7f.sql", 400);
	name_status(f, "001_a.sql\0.txt", 14, 400);
	name_status(f, "\0", 1, 400);
	check(f, "fifo.sql", 400);
	check(f, "sub.sql", 400);
	check(f, "escape.sql", 403);
	check(f, "missing.sql", 404);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
