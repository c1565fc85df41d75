/*
 * File-name conventions for SQL migrations. Each rule is a small
 * hand-written matcher: the grammar is three shapes and a version, so a
 * regex engine would cost more than it says. Detectors with other layouts
 * (Prisma's folders, Diesel's up.sql) map names themselves.
 */
#include "reckon/parsers/migname.h"

#include <string.h>

#include "reckon/base/banned.h"

const char migname_conventions[] =
	"V<version>__<description>.sql, U<version>__<description>.sql, "
	"<version>_<description>.sql, <version>_<description>.up.sql with "
	".down.sql";

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static int
copy_field(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* Flyway: digits separated by single '.' or '_' ("1", "1.2", "2_1_3"). */
static size_t
flyway_version_len(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t start = i;

		while (i < n && is_digit(s[i]))
			i++;
		if (i == start)
			return 0;
		if (i + 1 < n && (s[i] == '.' || s[i] == '_') &&
		    is_digit(s[i + 1]) && !(s[i] == '_' && s[i + 1] == '_'))
			i++;
		else
			return i;
	}
}

static int
parse_flyway(const char *s, size_t n, struct migname *out)
{
	size_t vlen, i;

	if (n < 2)
		return -1;
	if (s[0] == 'R' && s[1] == '_' && n > 3 && s[2] == '_') {
		out->kind = MIG_REPEATABLE;
		out->version[0] = '\0';
		return copy_field(out->desc, sizeof(out->desc), s + 3, n - 3);
	}
	if (s[0] != 'V' && s[0] != 'U')
		return -1;
	vlen = flyway_version_len(s + 1, n - 1);
	if (!vlen || 1 + vlen + 2 > n || s[1 + vlen] != '_' ||
	    s[2 + vlen] != '_')
		return -1;
	if (copy_field(out->version, sizeof(out->version), s + 1, vlen) < 0)
		return -1;
	for (i = 0; out->version[i]; i++)
		if (out->version[i] == '_')
			out->version[i] = '.';
	out->kind = s[0] == 'V' ? MIG_UP : MIG_DOWN;
	return copy_field(out->desc, sizeof(out->desc), s + 3 + vlen,
			  n - 3 - vlen);
}

/* <digits>[_-]<desc> or just <digits>. */
static int
parse_plain(const char *s, size_t n, struct migname *out)
{
	size_t i = 0;

	while (i < n && is_digit(s[i]))
		i++;
	if (i == 0)
		return -1;
	if (copy_field(out->version, sizeof(out->version), s, i) < 0)
		return -1;
	if (i == n) {
		out->desc[0] = '\0';
		return 0;
	}
	if ((s[i] != '_' && s[i] != '-') || i + 1 == n)
		return -1;
	return copy_field(out->desc, sizeof(out->desc), s + i + 1, n - i - 1);
}

int
migname_parse(const char *name, struct migname *out)
{
	size_t n = strlen(name);

	memset(out, 0, sizeof(*out));
	if (!ends_with(name, n, ".sql") || strchr(name, '/'))
		return -1;
	n -= 4;
	if (ends_with(name, n, ".up") || ends_with(name, n, ".down")) {
		int down = ends_with(name, n, ".down");

		n -= down ? 5 : 3;
		if (parse_plain(name, n, out) < 0)
			return -1;
		out->conv = CONV_UPDOWN;
		out->kind = down ? MIG_DOWN : MIG_UP;
		return 0;
	}
	if (parse_flyway(name, n, out) == 0) {
		out->conv = CONV_FLYWAY;
		return 0;
	}
	if (parse_plain(name, n, out) < 0)
		return -1;
	out->conv = CONV_PLAIN;
	out->kind = MIG_UP;
	return 0;
}
