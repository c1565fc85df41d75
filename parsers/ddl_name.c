/*
 * Identifier names as the database stores them: the text of an identifier
 * token (sql_token()'s TK_WORD or TK_QIDENT) unquoted, unescaped, folded
 * and truncated the way PostgreSQL's scanner (src/backend/parser/scan.l,
 * scansup.c) or SQLite's does. Not here: which tokens are names (ddl.c).
 */
#include "reckon/parsers/ddl.h"

#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/parsers/sql.h"

#include "reckon/base/util.h"
#include "reckon/base/banned.h"

#define PG_NAME_MAX 63 /* NAMEDATALEN - 1 */

/* Append s[0..n) with every doubled q written once. */
static void
add_undoubled(struct rk_buf *b, const char *s, size_t n, char q)
{
	const char *e = s + n, *p;

	while ((p = memchr(s, q, (size_t)(e - s))) != NULL) {
		rk_buf_add(b, s, (size_t)(p - s) + 1);
		s = p + 2; /* skip the second of the pair */
		if (s > e)
			return;
	}
	rk_buf_add(b, s, (size_t)(e - s));
}

/* The value of the ndig hex digits at s, or -1. */
static long
hex_run(const char *s, size_t avail, size_t ndig)
{
	long v = 0;
	size_t i;

	if (avail < ndig)
		return -1;
	for (i = 0; i < ndig; i++) {
		int h = rk_hex_digit(s[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static void
add_utf8(struct rk_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	rk_buf_add(b, u, n);
}

/*
 * One escape of a U&"..." identifier at s[0] = esc: \\, \XXXX, \+XXXXXX,
 * and a surrogate pair written as two \XXXX. Returns the bytes consumed;
 * an invalid escape (an error on the server) is kept as written.
 */
static size_t
add_uescape(struct rk_buf *b, const char *s, size_t n, char esc)
{
	long cp, lo;
	size_t used;

	if (n > 1 && s[1] == esc) {
		rk_buf_addc(b, esc);
		return 2;
	}
	if (n > 1 && s[1] == '+') {
		cp = hex_run(s + 2, n - 2, 6);
		used = 8;
	} else {
		cp = hex_run(s + 1, n - 1, 4);
		used = 5;
	}
	if (cp < 0 || cp > 0x10ffff) {
		rk_buf_addc(b, esc);
		return 1;
	}
	if (cp >= 0xd800 && cp <= 0xdbff && n >= used + 5 && s[used] == esc &&
	    (lo = hex_run(s + used + 1, n - used - 1, 4)) >= 0xdc00 &&
	    lo <= 0xdfff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		used += 5;
	}
	add_utf8(b, (unsigned long)cp);
	return used;
}

/* The text of U&"..." (s[0..n) inside the quotes), unescaped. */
static void
add_unicode_ident(struct rk_buf *b, const char *s, size_t n, char esc)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == '"') { /* "" inside: one quote */
			rk_buf_addc(b, '"');
			i += 2;
		} else if (s[i] == esc) {
			i += add_uescape(b, s + i, n - i, esc);
		} else {
			rk_buf_addc(b, s[i++]);
		}
	}
}

/* Length of the UTF-8 character a byte starts, as PostgreSQL counts it. */
static size_t
utf8_len(unsigned char ch)
{
	if ((ch & 0x80) == 0)
		return 1;
	if ((ch & 0xe0) == 0xc0)
		return 2;
	if ((ch & 0xf0) == 0xe0)
		return 3;
	if ((ch & 0xf8) == 0xf0)
		return 4;
	return 1;
}

/*
 * Truncate b from start to PG_NAME_MAX bytes on a character boundary, as
 * truncate_identifier() (src/backend/parser/scansup.c) does through
 * pg_mbcliplen() in a UTF-8 database; 1 if it cut.
 */
static int
truncate_name(struct rk_buf *b, size_t start)
{
	const unsigned char *p = (const unsigned char *)b->s + start;
	size_t len = b->len - start, clen = 0;

	if (len <= PG_NAME_MAX)
		return 0;
	while (clen < len && p[clen]) {
		size_t l = utf8_len(p[clen]);

		if (clen + l > PG_NAME_MAX)
			break;
		clen += l;
		if (clen == PG_NAME_MAX)
			break;
	}
	b->len = start + clen;
	b->s[b->len] = '\0';
	return 1;
}

int
ddl_ident_name(const char *s, size_t n, const struct sql_dialect *d, char esc,
	       struct rk_buf *out)
{
	int fold = d->fold_idents;
	size_t start = out->len, i;

	if (n >= 2 && (s[0] == '"' || s[0] == '`') && s[n - 1] == s[0]) {
		add_undoubled(out, s + 1, n - 2, s[0]);
	} else if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		rk_buf_add(out, s + 1, n - 2);
	} else if (n >= 4 && (s[0] | 0x20) == 'u' && s[1] == '&' &&
		   s[2] == '"' && s[n - 1] == '"') {
		add_unicode_ident(out, s + 3, n - 4, esc);
	} else if (fold) {
		rk_buf_grow(out, n);
		for (i = 0; i < n; i++) {
			char ch = s[i];

			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch | 0x20);
			out->s[out->len + i] = ch;
		}
		out->len += n;
		out->s[out->len] = '\0';
	} else {
		rk_buf_add(out, s, n);
	}
	if (!fold)
		return 0;
	return truncate_name(out, start);
}
