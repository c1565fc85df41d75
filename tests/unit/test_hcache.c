/*
 * Unit tests for the hash cache (base/hcache.c) on real files in a
 * temporary directory: the file format read back, escaping, every stat
 * field in the key, the racy-entry rule, corrupt, truncated, foreign and
 * other-version files ignored and rebuilt, a scan that changes nothing
 * writing nothing, a directory that cannot be created, and where the
 * cache lives ($XDG_CACHE_HOME, $HOME).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/base/hcache.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

#define KEY   "2049:/srv/app/migrations:flyway"
#define SHA_A "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define SHA_B "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"

struct fixture {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/reckon-hcache-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	/* a directory that does not exist yet: close creates it */
	snprintf(fx->path, sizeof(fx->path), "%s/reckon/cache.v1", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char sub[96];

	unlink(fx->path);
	snprintf(sub, sizeof(sub), "%s/reckon", fx->dir);
	rmdir(sub);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Stat data of a file last changed age_s seconds ago. */
static struct rk_hstat
hst(uint64_t ino, uint64_t size, int age_s)
{
	struct rk_hstat h = { 2049, ino, size, 0, 0 };

	h.mtime_ns = now_ns() - (int64_t)age_s * 1000000000LL;
	h.ctime_ns = h.mtime_ns + 7;
	return h;
}

static void
put2(const char *path, const struct rk_hstat *a, const struct rk_hstat *b)
{
	struct rk_hcache *c = rk_hcache_open(path, KEY);
	const char *fa[RK_HCACHE_FIELDS] = { SHA_A, "-1234", NULL, NULL,
					     "0",   "a",     "1" };
	const char *fb[RK_HCACHE_FIELDS] = { SHA_B, NULL, "ab\tc\\d\ne",
					     "p,q", "1",  "b",
					     "2" };

	assert_null(rk_hcache_get(c, "V1__a.sql", a));
	rk_hcache_put(c, "V1__a.sql", a, fa);
	rk_hcache_put(c, "sub dir/we\tird\\name\n.sql", b, fb);
	rk_hcache_close(c);
}

/* v holds put2()'s first five fields of b */
static void
check_b_fields(const char *const *v)
{
	assert_non_null(v);
	assert_string_equal(v[0], SHA_B);
	assert_null(v[1]);
	assert_string_equal(v[2], "ab\tc\\d\ne");
	assert_string_equal(v[3], "p,q");
	assert_string_equal(v[4], "1");
}

static char *
slurp(const char *path)
{
	struct rk_buf b = RK_BUF_INIT;

	if (rk_buf_read_file(&b, path) < 0)
		return NULL;
	return rk_buf_detach(&b, NULL);
}

static void
spit(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fputs(s, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
test_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct rk_hstat a = hst(11, 100, 10), b = hst(12, 200, 10);
	const char *const *v;
	struct rk_hcache *c;
	char *text;

	put2(fx->path, &a, &b);
	text = slurp(fx->path);
	assert_non_null(text);
	assert_int_equal(
		strncmp(text, "reckon-hash-cache 3\nkey =" KEY "\nstart ",
			strlen("reckon-hash-cache 3\nkey =" KEY "\nstart ")),
		0);
	assert_non_null(strstr(text, "\t=sub dir/we\\tird\\\\name\\n.sql\t"));
	assert_non_null(strstr(text, "=ab\\tc\\\\d\\ne\t=p,q\t=1\t=b\t=2\n"));
	assert_non_null(strstr(text, "\t=-1234\t-\t-\t=0\t=a\t=1\n"));
	assert_int_equal(strcmp(text + strlen(text) - 6, "end 2\n"), 0);
	free(text);

	c = rk_hcache_open(fx->path, KEY);
	v = rk_hcache_get(c, "V1__a.sql", &a);
	assert_non_null(v);
	assert_string_equal(v[0], SHA_A);
	assert_string_equal(v[1], "-1234");
	assert_null(v[2]);
	assert_null(v[3]);
	assert_string_equal(v[4], "0");
	v = rk_hcache_get(c, "sub dir/we\tird\\name\n.sql", &b);
	check_b_fields(v);
	assert_null(rk_hcache_get(c, "V2__other.sql", &a));
	assert_int_equal(rk_hcache_hits(c), 2);
	rk_hcache_close(c);
}

/* Loaded entries (packed in the buffer after the load) are written back
 * field for field when another entry is put, escapes and NULLs kept. */
static void
test_loaded_written_back(void **state)
{
	struct fixture *fx = *state;
	struct rk_hstat a = hst(11, 100, 10), b = hst(12, 200, 10);
	struct rk_hstat n = hst(13, 300, 10);
	const char *fn[RK_HCACHE_FIELDS] = {
		SHA_A, NULL, "", "x", "0", "n", "3"
	};
	const char *const *v;
	struct rk_hcache *c;

	put2(fx->path, &a, &b);
	c = rk_hcache_open(fx->path, KEY);
	assert_int_equal(rk_hcache_count(c), 2);
	assert_non_null(rk_hcache_get(c, "V1__a.sql", &a));
	assert_non_null(rk_hcache_get(c, "sub dir/we\tird\\name\n.sql", &b));
	rk_hcache_put(c, "V3__n.sql", &n, fn);
	rk_hcache_close(c);

	c = rk_hcache_open(fx->path, KEY);
	assert_int_equal(rk_hcache_count(c), 3);
	v = rk_hcache_get(c, "sub dir/we\tird\\name\n.sql", &b);
	check_b_fields(v);
	assert_string_equal(v[5], "b");
	assert_string_equal(v[6], "2");
	v = rk_hcache_get(c, "V1__a.sql", &a);
	assert_non_null(v);
	assert_string_equal(v[1], "-1234");
	assert_null(v[2]);
	assert_string_equal(v[6], "1");
	v = rk_hcache_get(c, "V3__n.sql", &n);
	assert_non_null(v);
	assert_null(v[1]);
	assert_string_equal(v[2], "");
	assert_string_equal(v[3], "x");
	assert_string_equal(v[6], "3");
	rk_hcache_close(c);
}

/* Every stat field is a part of the key: any change is a miss. */
static void
test_stat_key(void **state)
{
	struct fixture *fx = *state;
	struct rk_hstat a = hst(11, 100, 10), b = hst(12, 200, 10), x;
	struct rk_hcache *c;

	put2(fx->path, &a, &b);
	c = rk_hcache_open(fx->path, KEY);
	x = a;
	x.dev++;
	assert_null(rk_hcache_get(c, "V1__a.sql", &x));
	x = a;
	x.ino++;
	assert_null(rk_hcache_get(c, "V1__a.sql", &x));
	x = a;
	x.size++;
	assert_null(rk_hcache_get(c, "V1__a.sql", &x));
	x = a;
	x.mtime_ns++;
	assert_null(rk_hcache_get(c, "V1__a.sql", &x));
	x = a;
	x.ctime_ns++;
	assert_null(rk_hcache_get(c, "V1__a.sql", &x));
	/* b's stat data under a's name */
	assert_null(rk_hcache_get(c, "V1__a.sql", &b));
	assert_non_null(rk_hcache_get(c, "V1__a.sql", &a));
	rk_hcache_close(c);
}

/*
 * git's racy rule: a file changed within the margin before the scan that
 * wrote the cache may have changed again in the same tick, keeping its
 * stat data, so its entry is not trusted, however exactly it matches.
 */
static void
test_racy(void **state)
{
	struct fixture *fx = *state;
	struct rk_hstat a = hst(11, 100, 0), b = hst(12, 200, 10);
	struct rk_hcache *c;

	b.ctime_ns = now_ns(); /* a chmod just now: racy too */
	put2(fx->path, &a, &b);
	c = rk_hcache_open(fx->path, KEY);
	assert_null(rk_hcache_get(c, "V1__a.sql", &a));
	assert_null(rk_hcache_get(c, "sub dir/we\tird\\name\n.sql", &b));
	assert_int_equal(rk_hcache_hits(c), 0);
	rk_hcache_close(c);
}

/* A scan that found every entry and put nothing leaves the file alone;
 * one whose file went away rewrites it without that entry. */
static void
test_write_only_changes(void **state)
{
	struct fixture *fx = *state;
	struct rk_hstat a = hst(11, 100, 10), b = hst(12, 200, 10);
	struct rk_hcache *c;
	struct stat before, after;
	char *text;

	put2(fx->path, &a, &b);
	assert_int_equal(stat(fx->path, &before), 0);
	c = rk_hcache_open(fx->path, KEY);
	assert_non_null(rk_hcache_get(c, "V1__a.sql", &a));
	assert_non_null(rk_hcache_get(c, "sub dir/we\tird\\name\n.sql", &b));
	rk_hcache_close(c);
	assert_int_equal(stat(fx->path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino); /* not replaced */

	c = rk_hcache_open(fx->path, KEY);
	assert_non_null(rk_hcache_get(c, "V1__a.sql", &a));
	rk_hcache_close(c);
	assert_int_equal(stat(fx->path, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino); /* renamed over */
	text = slurp(fx->path);
	assert_non_null(text);
	assert_null(strstr(text, "sub dir"));
	assert_non_null(strstr(text, "V1__a.sql"));
	assert_int_equal(strcmp(text + strlen(text) - 6, "end 1\n"), 0);
	free(text);
}

/* Text that is not a whole cache file for this key: no entry trusted,
 * and the next close writes a good file in its place. */
static void
check_ignored(const char *path, const char *text)
{
	struct rk_hstat a = hst(11, 100, 10);
	const char *fa[RK_HCACHE_FIELDS] = { SHA_A, NULL, NULL, NULL, "0" };
	struct rk_hcache *c;
	char *back;

	spit(path, text);
	c = rk_hcache_open(path, KEY);
	assert_null(rk_hcache_get(c, "V1__a.sql", &a));
	rk_hcache_put(c, "V1__a.sql", &a, fa);
	rk_hcache_close(c);
	c = rk_hcache_open(path, KEY);
	assert_non_null(rk_hcache_get(c, "V1__a.sql", &a));
	rk_hcache_close(c);
	back = slurp(path);
	assert_non_null(back);
	assert_int_equal(strncmp(back, "reckon-hash-cache 3\n", 20), 0);
	free(back);
}

static void
test_corrupt(void **state)
{
	struct fixture *fx = *state;
	struct rk_hstat a = hst(11, 100, 10), b = hst(12, 200, 10);
	struct rk_buf good = RK_BUF_INIT, bad = RK_BUF_INIT;
	char *text, *end;

	put2(fx->path, &a, &b);
	text = slurp(fx->path);
	assert_non_null(text);
	rk_buf_adds(&good, text);
	end = strstr(text, "end 2\n");
	assert_non_null(end);

	*end = '\0'; /* truncated: no end line */
	check_ignored(fx->path, text);
	rk_buf_reset(&bad); /* the wrong count */
	rk_buf_adds(&bad, text);
	rk_buf_adds(&bad, "end 3\n");
	check_ignored(fx->path, bad.s);
	rk_buf_reset(&bad); /* something after the end */
	rk_buf_adds(&bad, good.s);
	rk_buf_adds(&bad, "f\tx\n");
	check_ignored(fx->path, bad.s);
	rk_buf_reset(&bad); /* cut inside a line */
	rk_buf_add(&bad, good.s, good.len / 2);
	check_ignored(fx->path, bad.s);
	rk_buf_reset(&bad); /* another format version */
	rk_buf_adds(&bad, "reckon-hash-cache 1");
	rk_buf_adds(&bad, strchr(good.s, '\n'));
	check_ignored(fx->path, bad.s);
	rk_buf_reset(&bad); /* another directory's cache */
	rk_buf_adds(&bad, "reckon-hash-cache 3\nkey =2049:/elsewhere:flyway");
	rk_buf_adds(&bad, strchr(strchr(good.s, '\n') + 1, '\n'));
	check_ignored(fx->path, bad.s);
	check_ignored(fx->path, "");
	check_ignored(fx->path, "\x89PNG\r\n\x1a\n binary junk \x01\x02\n");
	check_ignored(fx->path,
		      "reckon-hash-cache 3\nkey =" KEY
		      "\nstart 1\nf\t=V1__a.sql\t2049\t11\t100\t5\t5"
		      "\t=x\\q\t-\t-\t-\t=0\t-\t-\nend 1\n"); /* bad escape */
	check_ignored(fx->path,
		      "reckon-hash-cache 3\nkey =" KEY
		      "\nstart 1\nf\t=V1__a.sql\t2049\t11\t-100\t5\t5"
		      "\t-\t-\t-\t-\t=0\t-\t-\nend 1\n"); /* bad number */
	check_ignored(fx->path,
		      "reckon-hash-cache 3\nkey =" KEY
		      "\nstart 1\nf\t=V1__a.sql\t2049\t18446744073709551616"
		      "\t100\t5\t5\t-\t-\t-\t-\t=0\t-\t-\nend 1\n"); /* 2^64 */
	check_ignored(fx->path,
		      "reckon-hash-cache 3\nkey =" KEY
		      "\nstart 1\nf\t=V1__a.sql\t2049\t184467440737095516150"
		      "\t100\t5\t5\t-\t-\t-\t-\t=0\t-\t-\nend 1\n");
	check_ignored(fx->path,
		      "reckon-hash-cache 3\nkey =" KEY
		      "\nstart 1\nf\t=V1__a.sql\t2049\t11\t100\t5\t5"
		      "\t-\t-\t-\t-\t-\t-\nend 1\n"); /* a field short */
	check_ignored(
		fx->path,
		"reckon-hash-cache 3\nkey =" KEY
		"\nstart 1\nf\t=a\t1\t1\t1\t5\t5\t-\t-\t-\t-\t-\t-\t-\n"
		"f\t=a\t1\t1\t1\t5\t5\t-\t-\t-\t-\t-\t-\t-\nend 2\n"); /* twice
									*/
	rk_buf_release(&good);
	rk_buf_release(&bad);
	free(text);
}

/* No cache (no directory for it) and a directory that cannot be made:
 * every lookup misses, nothing fails, nothing is written. */
static void
test_no_cache(void **state)
{
	struct fixture *fx = *state;
	struct rk_hstat a = hst(11, 100, 10);
	const char *fa[RK_HCACHE_FIELDS] = { SHA_A, NULL, NULL, NULL, "0" };
	char blocker[96], path[128];
	struct rk_hcache *c;
	struct stat st;

	c = rk_hcache_open(NULL, KEY);
	rk_hcache_put(c, "V1__a.sql", &a, fa);
	assert_null(rk_hcache_get(c, "V2__b.sql", &a));
	rk_hcache_close(c);

	/* the cache directory's parent is a regular file */
	snprintf(blocker, sizeof(blocker), "%s/file", fx->dir);
	spit(blocker, "x");
	snprintf(path, sizeof(path), "%s/reckon/cache.v1", blocker);
	c = rk_hcache_open(path, KEY);
	rk_hcache_put(c, "V1__a.sql", &a, fa);
	rk_hcache_close(c);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(stat(blocker, &st), 0);
	assert_int_equal(st.st_size, 1);
	unlink(blocker);
}

static void
test_path(void **state)
{
	char *p;

	(void)state;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/home/u", 1);
	p = rk_hcache_path(KEY);
	assert_non_null(p);
	assert_int_equal(strncmp(p, "/x/cache/reckon/", 16), 0);
	assert_int_equal(strcmp(p + strlen(p) - 3, ".v3"), 0);
	free(p);
	setenv("XDG_CACHE_HOME", "relative/cache",
	       1); /* ignored, as XDG says */
	p = rk_hcache_path(KEY);
	assert_non_null(p);
	assert_int_equal(strncmp(p, "/home/u/.cache/reckon/", 22), 0);
	free(p);
	unsetenv("XDG_CACHE_HOME");
	p = rk_hcache_path("another key");
	assert_non_null(p);
	assert_int_equal(strncmp(p, "/home/u/.cache/reckon/", 22), 0);
	free(p);
	unsetenv("HOME");
	assert_null(rk_hcache_path(KEY));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_loaded_written_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stat_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_racy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_only_changes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cache, setup, teardown),
		cmocka_unit_test(test_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
