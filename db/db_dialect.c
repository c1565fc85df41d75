/*
 * The two engines' dialects: every spelling reckon's own SQL needs that
 * PostgreSQL and SQLite write differently (a time column, now, booleans,
 * a 64-bit cast, bytes, the current role, reading times and bytes back as
 * text), and the %-tokens that stand for them in SQL text. The drivers
 * point their vtables here; callers reach them through db_dialect(). Not
 * here: a framework's own DDL (its detector states it per engine) or the
 * catalog queries (each driver's tables()).
 */
#include "reckon/db/db.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"
#include "db_driver.h"
#include "reckon/base/banned.h"

const struct db_dialect db_dialect_pg = {
	.kind = DB_PG,
	.name = "postgres",
	.lex = &sql_dialect_pg,
	.ts_type = "timestamptz",
	/* the statement's time, not the transaction's: a batch's rows
	 * keep the order and spacing they ran in */
	.now = "pg_catalog.clock_timestamp()",
	.true_lit = "true",
	.false_lit = "false",
	.int_type = "bigint",
	.bytes_type = "bytea",
	.session_user = "CURRENT_USER",
	/* seconds, truncated as to_char(.., 'SS') would; an infinite
	 * time reads as NULL */
	.ts_read_open = "CAST(pg_catalog.floor(NULLIF(NULLIF("
			"pg_catalog.date_part('epoch', ",
	.ts_read_close = "), 'Infinity'), '-Infinity')) AS bigint)",
	.ts_epoch = 1,
	.hex_open = "pg_catalog.encode(",
	.hex_close = ", 'hex')",
	.schemas = 1,
	.users = 1,
};

const struct db_dialect db_dialect_sqlite = {
	.kind = DB_SQLITE,
	.name = "sqlite",
	.lex = &sql_dialect_sqlite,
	/* SQLite has no time type: ISO 8601 text sorts and reads back */
	.ts_type = "text",
	.now = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
	.true_lit = "1",
	.false_lit = "0",
	.int_type = "integer",
	.bytes_type = "BLOB",
	.session_user = "''",
	.ts_read_open = "",
	.ts_read_close = "",
	.hex_open = "lower(hex(",
	.hex_close = "))",
};

/* The civil date of day z since 1970-01-01 (proleptic Gregorian). */
static void
civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

/* Two decimal digits of v (< 100) at w; past them. */
static char *
put2(char *w, unsigned v)
{
	w[0] = (char)('0' + v / 10);
	w[1] = (char)('0' + v % 10);
	return w + 2;
}

const char *
db_ts_iso(const struct db_dialect *d, const char *v, char buf[32])
{
	long long secs, days, y;
	unsigned mon, day, sod;
	char *end, *w;

	if (!v || !d->ts_epoch)
		return v;
	errno = 0;
	secs = strtoll(v, &end, 10);
	/* years 0 to 9999, as to_char's YYYY would show them */
	if (end == v || *end || errno || secs < -62167219200LL ||
	    secs > 253402300799LL)
		return NULL;
	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	sod = (unsigned)(secs - days * 86400);
	civil_from_days(days, &y, &mon, &day);
	w = put2(buf, (unsigned)y / 100);
	w = put2(w, (unsigned)y % 100);
	*w++ = '-';
	w = put2(w, mon);
	*w++ = '-';
	w = put2(w, day);
	*w++ = 'T';
	w = put2(w, sod / 3600);
	*w++ = ':';
	w = put2(w, sod / 60 % 60);
	*w++ = ':';
	w = put2(w, sod % 60);
	*w++ = 'Z';
	*w = '\0';
	return buf;
}

const struct db_dialect *
db_dialect_for(enum db_kind kind)
{
	static const struct db_dialect *const all[DB_NKINDS] = {
		[DB_PG] = &db_dialect_pg,
		[DB_SQLITE] = &db_dialect_sqlite,
	};

	if ((unsigned)kind >= DB_NKINDS)
		rk_bug("database kind %d", (int)kind);
	return all[kind];
}

/* The tokens db_dialect_expand() knows, longest first where one is a
 * prefix of another; member is the offset of its spelling. */
static const struct {
	const char *tok;
	size_t member;
} tokens[] = {
	{ "%TRUE", offsetof(struct db_dialect, true_lit) },
	{ "%TS", offsetof(struct db_dialect, ts_type) },
	{ "%NOW", offsetof(struct db_dialect, now) },
	{ "%FALSE", offsetof(struct db_dialect, false_lit) },
	{ "%INT", offsetof(struct db_dialect, int_type) },
	{ "%BYTES", offsetof(struct db_dialect, bytes_type) },
	{ "%USER", offsetof(struct db_dialect, session_user) },
};

static int
is_word_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

size_t
db_dialect_token(const struct db *db, const char *s, struct rk_buf *out)
{
	const struct db_dialect *d = db_dialect(db);

	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		size_t n = strlen(tokens[i].tok);

		if (strncmp(s, tokens[i].tok, n) != 0 || is_word_char(s[n]))
			continue;
		rk_buf_adds(out, *(const char *const *)((const char *)d +
							tokens[i].member));
		return n;
	}
	return 0;
}

void
db_dialect_expand(const struct db *db, const char *sql, struct rk_buf *out)
{
	const char *p = sql;

	while (*p) {
		size_t n = *p == '%' ? db_dialect_token(db, p, out) : 0;

		if (n) {
			p += n;
			continue;
		}
		rk_buf_addc(out, *p++);
	}
}
