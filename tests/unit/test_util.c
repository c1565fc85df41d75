/*
 * Unit tests for the small shared pieces: version comparison, UTF-8
 * validation and line counting (base/util.c), and the growable buffer
 * (base/buf.c), including reading a real temporary file, and the string
 * arena (base/arena.c). Each UTF-8 input is passed with its exact length
 * so a read past it is an ASan error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reckon/base/arena.h"
#include "reckon/base/buf.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

/* rk_vercmp(a, b) has sign want, and rk_vercmp(b, a) the opposite. */
static void
check_vercmp(const char *a, const char *b, int want)
{
	int got = sign(rk_vercmp(a, b)), rev = sign(rk_vercmp(b, a));

	if (got != want)
		fail_msg("rk_vercmp(\"%s\", \"%s\") has sign %d, want %d", a, b,
			 got, want);
	if (rev != -want)
		fail_msg("rk_vercmp(\"%s\", \"%s\") has sign %d, want %d", b, a,
			 rev, -want);
}

static void
test_vercmp_numeric(void **state)
{
	(void)state;
	check_vercmp("1.10", "1.9", 1);
	check_vercmp("2", "10", -1);
	check_vercmp("9", "10", -1);
	check_vercmp("1.2.10", "1.2.9", 1);
	check_vercmp("20240101", "20240102", -1);
	check_vercmp("20240101120000", "20231231235959", 1);
	check_vercmp("1", "1.1", -1);
	check_vercmp("1.1", "1.1.0", -1);
	check_vercmp("", "1", -1);
}

static void
test_vercmp_equal(void **state)
{
	(void)state;
	check_vercmp("", "", 0);
	check_vercmp("1", "1", 0);
	check_vercmp("1.2.3", "1.2.3", 0);
	check_vercmp("001", "1", 0);
	check_vercmp("0", "00", 0);
	check_vercmp("0", "000", 0);
	check_vercmp("1.002", "1.2", 0);
	check_vercmp("0010_x", "10_x", 0);
	check_vercmp("create_users", "create_users", 0);
}

static void
test_vercmp_text(void **state)
{
	(void)state;
	check_vercmp("a", "b", -1);
	check_vercmp("abc", "abd", -1);
	check_vercmp("ab", "abc", -1);
	check_vercmp("1a", "1b", -1);
	check_vercmp("v2", "v10", -1);
	check_vercmp("1_b", "1_a", 1);
	/* non-ASCII bytes compare unsigned, after every ASCII byte */
	check_vercmp("\xc3\xa9", "z", 1);
}

/* Digit runs longer than any integer type still compare by value. */
static void
test_vercmp_long(void **state)
{
	(void)state;
	check_vercmp("123456789012345678901234567890",
		     "123456789012345678901234567891", -1);
	check_vercmp("99999999999999999999", "100000000000000000000", -1);
	check_vercmp("18446744073709551616", "18446744073709551615", 1);
	check_vercmp("000000000000000000000000000000000000042", "42", 0);
	check_vercmp("1.99999999999999999999999", "1.100000000000000000000000",
		     -1);
}

static void
check_utf8(const char *s, size_t n, int want)
{
	char *p = xmalloc(n ? n : 1);
	int got;

	memcpy(p, s, n);
	got = rk_utf8_valid(p, n);
	free(p);
	if (got != want) {
		char hex[128] = "";
		size_t k = 0;

		for (size_t i = 0; i < n && k + 4 < sizeof(hex); i++)
			k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%02x ",
					      (unsigned char)s[i]);
		fail_msg("rk_utf8_valid(%s) = %d, want %d", hex, got, want);
	}
}

#define UTF8(lit, want) check_utf8((lit), sizeof(lit) - 1, (want))

static void
test_utf8_valid(void **state)
{
	(void)state;
	UTF8("", 1);
	UTF8("CREATE TABLE t (id int);\n", 1);
	UTF8("caf\xc3\xa9", 1);	     /* U+00E9 */
	UTF8("\xc2\x80", 1);	     /* U+0080: smallest 2-byte */
	UTF8("\xdf\xbf", 1);	     /* U+07FF */
	UTF8("\xe0\xa0\x80", 1);     /* U+0800: smallest 3-byte */
	UTF8("\xe2\x82\xac", 1);     /* U+20AC euro */
	UTF8("\xed\x9f\xbf", 1);     /* U+D7FF: below surrogates */
	UTF8("\xee\x80\x80", 1);     /* U+E000: above surrogates */
	UTF8("\xef\xbf\xbf", 1);     /* U+FFFF */
	UTF8("\xf0\x90\x80\x80", 1); /* U+10000: smallest 4-byte */
	UTF8("\xf0\x9f\x98\x80", 1); /* U+1F600 */
	UTF8("\xf4\x8f\xbf\xbf", 1); /* U+10FFFF: the last */
	UTF8("-- \xe6\x97\xa5\xe6\x9c\xac\n", 1);
}

static void
test_utf8_invalid(void **state)
{
	(void)state;
	/* overlong encodings */
	UTF8("\xc0\x80", 0);
	UTF8("\xc1\xbf", 0);
	UTF8("\xe0\x80\x80", 0);
	UTF8("\xe0\x9f\xbf", 0);
	UTF8("\xf0\x80\x80\x80", 0);
	UTF8("\xf0\x8f\xbf\xbf", 0);
	/* UTF-16 surrogates */
	UTF8("\xed\xa0\x80", 0);
	UTF8("\xed\xbf\xbf", 0);
	/* beyond U+10FFFF, and lead bytes that cannot start a character */
	UTF8("\xf4\x90\x80\x80", 0);
	UTF8("\xf5\x80\x80\x80", 0);
	UTF8("\xf8\x88\x80\x80\x80", 0);
	UTF8("\xfe", 0);
	UTF8("\xff", 0);
	/* stray or missing continuation bytes */
	UTF8("\x80", 0);
	UTF8("a\xbf", 0);
	UTF8("\xc3\x28", 0);
	UTF8("\xe2\x28\xa1", 0);
	/* truncated at the end of the input */
	UTF8("\xc3", 0);
	UTF8("ok \xe2\x82", 0);
	UTF8("\xf0\x9f\x98", 0);
	/* NUL is not text */
	UTF8("a\0b", 0);
	UTF8("\0", 0);
}

/* Only n bytes are looked at: what follows is not the input. */
static void
test_utf8_length(void **state)
{
	(void)state;
	assert_int_equal(rk_utf8_valid("ab\xff", 2), 1);
	assert_int_equal(rk_utf8_valid("ab\0", 2), 1);
	/* a character cut by n is truncated */
	assert_int_equal(rk_utf8_valid("\xe2\x82\xac", 2), 0);
}

static void
test_line_of(void **state)
{
	static const char s[] = "a\nbc\n\nd";

	(void)state;
	assert_int_equal(rk_line_of(s, 0), 1);
	assert_int_equal(rk_line_of(s, 1), 1); /* the '\n' ends line 1 */
	assert_int_equal(rk_line_of(s, 2), 2);
	assert_int_equal(rk_line_of(s, 4), 2);
	assert_int_equal(rk_line_of(s, 5), 3);
	assert_int_equal(rk_line_of(s, 6), 4);
	assert_int_equal(rk_line_of(s, 7), 4); /* the end */
	assert_int_equal(rk_line_of("", 0), 1);
	assert_int_equal(rk_line_of("x\r\ny", 3), 2);
	/* offsets count bytes, not characters */
	assert_int_equal(rk_line_of("\xc3\xa9\n\xc3\xa9", 3), 2);
}

static void
test_buf_addf_growth(void **state)
{
	struct rk_buf b = RK_BUF_INIT;
	char want[16];

	(void)state;
	assert_ptr_equal(b.s, rk_buf_empty);
	assert_string_equal(b.s, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);

	/* an empty result allocates nothing and keeps "" */
	rk_buf_addf(&b, "%s", "");
	assert_int_equal(b.len, 0);
	assert_string_equal(b.s, "");

	for (int i = 0; i < 1000; i++)
		rk_buf_addf(&b, "%d,", i);
	/* 10*2 + 90*3 + 900*4 bytes */
	assert_int_equal(b.len, 3890);
	assert_true(b.cap > b.len);
	assert_int_equal(strlen(b.s), b.len);
	assert_memory_equal(b.s, "0,1,2,", 6);
	assert_string_equal(b.s + b.len - 8, "998,999,");
	for (int i = 97; i < 1000; i += 97) {
		snprintf(want, sizeof(want), ",%d,", i);
		assert_non_null(strstr(b.s, want));
	}

	/* one piece far larger than the current capacity */
	rk_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.s, "");
	rk_buf_addf(&b, "<%0*d>", 100000, 7);
	assert_int_equal(b.len, 100002);
	assert_int_equal(b.s[0], '<');
	assert_int_equal(b.s[99999], '0');
	assert_int_equal(b.s[100000], '7');
	assert_int_equal(b.s[100001], '>');
	assert_int_equal(b.s[100002], '\0');
	rk_buf_release(&b);
	assert_ptr_equal(b.s, rk_buf_empty);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void
test_buf_add_mixed(void **state)
{
	struct rk_buf b = RK_BUF_INIT;

	(void)state;
	rk_buf_adds(&b, "SELECT");
	rk_buf_addc(&b, ' ');
	rk_buf_add(&b, "1;xyz", 2);
	rk_buf_add(&b, "", 0);
	rk_buf_addf(&b, " -- %s=%u", "n", 42u);
	assert_string_equal(b.s, "SELECT 1; -- n=42");
	assert_int_equal(b.len, 17);
	/* binary-safe: an embedded NUL is kept and counted */
	rk_buf_add(&b, "\0z", 2);
	assert_int_equal(b.len, 19);
	assert_memory_equal(b.s + 17, "\0z\0", 3);
	rk_buf_release(&b);
}

static void
test_buf_detach(void **state)
{
	struct rk_buf b = RK_BUF_INIT;
	size_t len = 99;
	char *s;

	(void)state;
	/* an empty buffer detaches to a fresh "" the caller frees */
	s = rk_buf_detach(&b, &len);
	assert_non_null(s);
	assert_ptr_not_equal(s, rk_buf_empty);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);

	rk_buf_addf(&b, "%s/%s", "migrations", "V1__init.sql");
	s = rk_buf_detach(&b, &len);
	assert_string_equal(s, "migrations/V1__init.sql");
	assert_int_equal(len, 23);
	/* b is reset and reusable; s is no longer b's */
	assert_ptr_equal(b.s, rk_buf_empty);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	rk_buf_adds(&b, "again");
	assert_string_equal(b.s, "again");
	assert_string_equal(s, "migrations/V1__init.sql");
	free(s);
	s = rk_buf_detach(&b, NULL);
	assert_string_equal(s, "again");
	free(s);
	rk_buf_release(&b);
}

/* Write n bytes to a fresh temporary file; its path goes to path[]. */
static void
write_temp(char path[64], const char *s, size_t n)
{
	int fd;

	snprintf(path, 64, "/tmp/reckon-test-util-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static void
test_buf_read_file(void **state)
{
	static const char content[] = "CREATE TABLE t (id int);\n\0tail";
	struct rk_buf b = RK_BUF_INIT;
	char path[64];

	(void)state;
	write_temp(path, content, sizeof(content) - 1);

	/* appends, keeps NUL bytes, stays NUL-terminated */
	rk_buf_adds(&b, "pre:");
	assert_int_equal(rk_buf_read_file(&b, path), 0);
	assert_int_equal(b.len, 4 + sizeof(content) - 1);
	assert_memory_equal(b.s, "pre:", 4);
	assert_memory_equal(b.s + 4, content, sizeof(content) - 1);
	assert_int_equal(b.s[b.len], '\0');
	assert_int_equal(unlink(path), 0);

	/* a missing file: -1 with errno */
	rk_buf_reset(&b);
	errno = 0;
	assert_int_equal(rk_buf_read_file(&b, path), -1);
	assert_int_equal(errno, ENOENT);
	rk_buf_release(&b);

	/* an empty file reads as "" */
	write_temp(path, "", 0);
	assert_int_equal(rk_buf_read_file(&b, path), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.s, "");
	assert_int_equal(unlink(path), 0);
	rk_buf_release(&b);
}

/* A file larger than one read chunk comes back whole. */
static void
test_buf_read_large(void **state)
{
	size_t n = 300000;
	char *big = xmalloc(n);
	struct rk_buf b = RK_BUF_INIT;
	char path[64];

	(void)state;
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	write_temp(path, big, n);
	assert_int_equal(rk_buf_read_file(&b, path), 0);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.s, big, n);
	assert_int_equal(b.s[n], '\0');
	/* a new buffer holds the file exactly, not the next power of two */
	assert_int_equal(b.cap, n + 1);
	assert_int_equal(unlink(path), 0);
	rk_buf_release(&b);
	free(big);
}

/* Small strings share blocks, large ones get their own; each keeps its
 * bytes whatever comes after it (an overrun is an ASan error), and a
 * released arena is usable again. */
static void
test_arena(void **state)
{
	struct rk_arena a = RK_ARENA_INIT;
	char *small[5000], *large[8], want[64];
	char big[40000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < 5000; i++) {
			snprintf(want, sizeof(want), "file-%zu.sql", i);
			small[i] = rk_arena_strdup(&a, want);
			if (i % 700 == 0)
				large[i / 700] = rk_arena_strdup(&a, big);
		}
		for (size_t i = 0; i < 5000; i++) {
			snprintf(want, sizeof(want), "file-%zu.sql", i);
			assert_string_equal(small[i], want);
		}
		for (size_t i = 0; i < 5000 / 700 + 1; i++)
			assert_string_equal(large[i], big);
		assert_null(rk_arena_strdup(&a, NULL));
		assert_string_equal(rk_arena_strndup(&a, "abcdef", 3), "abc");
		rk_arena_release(&a);
		assert_null(a.head);
	}
}

/* An adopted arena's strings stay put, now owned by the adopter, whose
 * current block keeps taking small strings after them. */
static void
test_arena_adopt(void **state)
{
	struct rk_arena a = RK_ARENA_INIT, b = RK_ARENA_INIT;
	char *in_a, *in_b, *after;

	(void)state;
	rk_arena_adopt(&a, &b); /* nothing to take */
	assert_null(a.head);
	in_b = rk_arena_strdup(&b, "from b");
	rk_arena_adopt(&a, &b); /* a empty: b's blocks become a's */
	assert_null(b.head);
	assert_non_null(a.head);
	in_b = rk_arena_strdup(&b, "b again");
	in_a = rk_arena_strdup(&a, "in a");
	rk_arena_adopt(&a, &b);
	assert_null(b.head);
	after = rk_arena_strdup(&a, "after");
	assert_ptr_equal(after, in_a + strlen(in_a) + 1);
	rk_arena_release(&b);
	assert_string_equal(in_b, "b again");
	assert_string_equal(in_a, "in a");
	rk_arena_release(&a); /* every block once: ASan sees a double free */
}

static void
test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(rk_edit_distance("flyway", "flyway"), 0);
	assert_int_equal(rk_edit_distance("flywayy", "flyway"), 1);
	assert_int_equal(rk_edit_distance("flway", "flyway"), 1);
	assert_int_equal(rk_edit_distance("kenx", "knex"), 2);
	assert_int_equal(rk_edit_distance("", "sqlx"), 4);
	assert_int_equal(rk_edit_distance("sqlx", ""), 4);
	assert_int_equal(rk_edit_distance("kitten", "sitting"), 3);
	assert_true(rk_edit_distance("a", "0123456789012345678901234567890"
					  "1234567890123456789012345678901"
					  "23") == SIZE_MAX);
}

/* rk_buf_addf formats in place when the text fits and grows when it does
 * not, at every length around the buffer's room: the bytes are always the
 * ones snprintf gives, NUL-terminated. */
static void
test_buf_addf_every_fit(void **state)
{
	char xs[141], want[256];

	(void)state;
	memset(xs, 'x', sizeof(xs) - 1);
	xs[sizeof(xs) - 1] = '\0';
	for (int pre = 0; pre < 70; pre++)
		for (int n = 0; n < 140; n++) {
			struct rk_buf b = RK_BUF_INIT;

			for (int i = 0; i < pre; i++)
				rk_buf_addc(&b, 'p');
			rk_buf_addf(&b, "%.*s|%d", n, xs, n);
			memset(want, 'p', (size_t)pre);
			snprintf(want + pre, sizeof(want) - (size_t)pre,
				 "%.*s|%d", n, xs, n);
			assert_int_equal(b.len, strlen(want));
			assert_string_equal(b.s, want);
			rk_buf_addf(&b, "%s", "");
			assert_string_equal(b.s, want);
			rk_buf_release(&b);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_addf_every_fit),
		cmocka_unit_test(test_vercmp_numeric),
		cmocka_unit_test(test_vercmp_equal),
		cmocka_unit_test(test_vercmp_text),
		cmocka_unit_test(test_vercmp_long),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_line_of),
		cmocka_unit_test(test_buf_addf_growth),
		cmocka_unit_test(test_buf_add_mixed),
		cmocka_unit_test(test_buf_detach),
		cmocka_unit_test(test_buf_read_file),
		cmocka_unit_test(test_buf_read_large),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_arena_adopt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
