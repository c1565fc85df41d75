/*
 * Allocation wrappers, version comparison, UTF-8 validation and line
 * counting: the small pieces every module needs. No I/O beyond rk_bug().
 */
#include "reckon/base/util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reckon/base/banned.h"

static void
oom(size_t n)
{
	rk_bug("out of memory allocating %zu bytes", n);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
rk_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
rk_grow(void **p, size_t *cap, size_t want, size_t elem)
{
	size_t c = *cap;

	if (want <= c)
		return;
	if (c < 8)
		c = 8;
	while (c < want)
		c *= 2;
	*p = xrealloc(*p, c * elem);
	*cap = c;
}

void
rk_bug(const char *fmt, ...)
{
	va_list ap;

	fputs("reckon: BUG: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
rk_vercmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (is_digit(*a) && is_digit(*b)) {
			const char *ea, *eb;
			size_t la, lb;
			int c;

			while (*a == '0' && is_digit(a[1]))
				a++;
			while (*b == '0' && is_digit(b[1]))
				b++;
			for (ea = a; is_digit(*ea); ea++)
				;
			for (eb = b; is_digit(*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			c = memcmp(a, b, la);
			if (c)
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int
rk_utf8_valid(const char *s, size_t n)
{
	return rk_utf8_check(s, n) == n;
}

size_t
rk_utf8_check(const char *s, size_t n)
{
	const unsigned char *b = (const unsigned char *)s, *p = b, *e = p + n;

	while (p < e) {
		unsigned c, need, min, cp;
		uint64_t w;

		/* eight ASCII bytes without a NUL at a time: no high bit,
		 * and no zero byte (the classic haszero test) */
		while (e - p >= 8) {
			memcpy(&w, p, 8);
			if ((w & 0x8080808080808080ULL) ||
			    ((w - 0x0101010101010101ULL) & ~w &
			     0x8080808080808080ULL))
				break;
			p += 8;
		}
		if (p >= e)
			break;
		c = *p;

		if (c < 0x80) {
			if (c == 0)
				return (size_t)(p - b);
			p++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			need = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return (size_t)(p - b);
		}
		if ((size_t)(e - p) <= need)
			return (size_t)(p - b);
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (size_t)(p - b);
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (size_t)(p - b);
		p += need + 1;
	}
	return n;
}

unsigned
rk_line_of(const char *s, size_t off)
{
	unsigned line = 1;
	const char *p = s, *e = s + off;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		line++;
		p++;
	}
	return line;
}

size_t
rk_edit_distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), row[64];

	if (na >= ARRAY_SIZE(row) || nb >= ARRAY_SIZE(row))
		return SIZE_MAX;
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[nb];
}

int
rk_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
rk_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
rk_deadline(struct timespec *at, long ms)
{
	(void)clock_gettime(CLOCK_MONOTONIC, at);
	at->tv_sec += ms / 1000;
	at->tv_nsec += (ms % 1000) * 1000000L;
	if (at->tv_nsec >= 1000000000L) {
		at->tv_sec++;
		at->tv_nsec -= 1000000000L;
	}
}
