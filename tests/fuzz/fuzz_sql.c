/*
 * libFuzzer target for the SQL lexer and splitter: any bytes, both
 * dialects. It checks what every caller relies on: the lexer covers the
 * input with tokens of length >= 1 that stay inside it; the splitter's
 * statements are in order, do not overlap, lie inside the input, start on a
 * significant byte on the line they claim, end on one or on ';', leave only
 * space, comments and ';' between them, and an error leaves the list as it
 * was. Build: make fuzz (make test runs it a fixed number of times).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/err.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_lex(const char *s, size_t n, const struct sql_dialect *d)
{
	size_t i = 0;

	while (i < n) {
		enum sql_tok kind;
		size_t len = sql_token(s + i, n - i, d, &kind);

		if (len < 1 || len > n - i)
			abort();
		if (kind == TK_UNTERMINATED && i + len != n)
			abort();
		i += len;
	}
}

/* s[from..to) holds nothing but space, comments and ';'. */
static void
check_gap(const char *s, size_t from, size_t to, const struct sql_dialect *d)
{
	while (from < to) {
		enum sql_tok kind;

		from += sql_token(s + from, to - from, d, &kind);
		if (kind != TK_SPACE && kind != TK_COMMENT && kind != TK_SEMI)
			abort();
	}
}

static void
check_split(const char *s, size_t n, const struct sql_dialect *d)
{
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	size_t i, prev_end = 0;

	if (sql_split(s, n, d, &l, &err) < 0) {
		if (l.n != 0 || err.kind != RK_INPUT || !err.msg[0] ||
		    !err.hint[0])
			abort();
		sql_stmt_list_release(&l);
		return;
	}
	for (i = 0; i < l.n; i++) {
		const struct sql_stmt *st = &l.v[i];
		enum sql_tok kind;

		if (st->len == 0 || st->off < prev_end || st->off >= n ||
		    st->len > n - st->off)
			abort();
		if (st->line != rk_line_of(s, st->off))
			abort();
		(void)sql_token(s + st->off, n - st->off, d, &kind);
		if (kind == TK_SPACE || kind == TK_COMMENT || kind == TK_SEMI)
			abort();
		if (st->off + st->len < n && s[st->off + st->len - 1] != ';' &&
		    i + 1 < l.n)
			abort();
		check_gap(s, prev_end, st->off, d);
		prev_end = st->off + st->len;
	}
	check_gap(s, prev_end, n, d);
	sql_stmt_list_release(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan sees a read of s[n] */
	char *s = xmalloc(size);

	if (size)
		memcpy(s, data, size);
	check_lex(s, size, &sql_dialect_pg);
	check_lex(s, size, &sql_dialect_sqlite);
	check_split(s, size, &sql_dialect_pg);
	check_split(s, size, &sql_dialect_sqlite);
	free(s);
	return 0;
}
