/*
 * The SQL lexer: the length and kind of the token at the start of a buffer,
 * for PostgreSQL and SQLite (the two dialects are data, below). It knows
 * exactly as much SQL as finding where statements end needs: quotes, dollar
 * quotes, comments and the punctuation the splitter and the DDL extractor
 * look at. It is not a parser: operators are one byte each, keywords are
 * plain TK_WORDs, and a token's meaning is the caller's business. It never
 * allocates and never reads s[n] or beyond (input may hold NUL bytes).
 *
 * Parameter tokens are a hint, not a promise: "?", ":name" and "@name" lex
 * as TK_PARAM in both dialects, although PostgreSQL reads "?" and "@" as
 * operators; no caller's decision depends on it. B'', X'', N'' and U&''
 * prefixes are accepted in both dialects for the same reason: the string's
 * extent is the same either way.
 */
#include "reckon/parsers/sql.h"

#include <string.h>

#include "reckon/base/util.h"

#include "reckon/base/banned.h"

const struct sql_dialect sql_dialect_pg = {
	.name = "postgres",
	.temp_schema = "pg_temp",
	.nested_comments = 1,
	.dollar_quotes = 1,
	.e_strings = 1,
	.begin_atomic = 1,
	.paren_semis = 1,
	.no_tx_stmts = 1,
	.prepare_tx = 1,
	.fold_idents = 1,
};

const struct sql_dialect sql_dialect_sqlite = {
	.name = "sqlite",
	.temp_schema = "temp",
	.bracket_idents = 1,
	.backtick_idents = 1,
	.trigger_bodies = 1,
	.fk_pragma = 1,
	.schema_on_name = 1,
};

const struct sql_dialect *
sql_dialect_find(const char *name)
{
	static const struct sql_dialect *const all[] = {
		&sql_dialect_pg,
		&sql_dialect_sqlite,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

/*
 * What a byte can start. cls_of[256] maps each byte to one of these; bytes
 * not listed are BC_OTHER. BC_IDENT, BC_DIGIT and BC_DOLLAR are adjacent:
 * together they are the bytes that continue an identifier.
 */
enum byte_class {
	BC_OTHER = 0,	  /* NUL, controls, operators: a one-byte TK_OP */
	BC_SPACE = 1,	  /* \t \n \v \f \r and space */
	BC_IDENT = 2,	  /* A-Z a-z _ and bytes >= 0x80 (UTF-8) */
	BC_DIGIT = 3,	  /* 0-9 */
	BC_DOLLAR = 4,	  /* $: $1, $tag$ (PG), $name (SQLite) */
	BC_QUOTE = 5,	  /* ' */
	BC_DQUOTE = 6,	  /* " */
	BC_MINUS = 7,	  /* -: or a -- comment */
	BC_SLASH = 8,	  /* /: or a block comment */
	BC_SEMI = 9,	  /* ; */
	BC_LPAREN = 10,	  /* ( */
	BC_RPAREN = 11,	  /* ) */
	BC_COMMA = 12,	  /* , */
	BC_DOT = 13,	  /* .: or a number such as .5 */
	BC_LBRACKET = 14, /* [: an identifier on SQLite */
	BC_BACKTICK = 15, /* `: an identifier on SQLite */
	BC_QMARK = 16,	  /* ?: ? and ?NNN parameters */
	BC_COLON = 17,	  /* :name parameter, or :: and : */
	BC_AT = 18,	  /* @name parameter, or @ */
};

/* clang-format off */
static const unsigned char cls_of[256] = {
	/*       x0 x1 x2 x3 x4 x5 x6 x7 x8 x9 xa xb xc xd xe xf */
	/* 0x */  0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0,
	/* 1x */  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 2x */  1, 0, 6, 0, 4, 0, 0, 5,10,11, 0, 0,12, 7,13, 8,
	/* 3x */  3, 3, 3, 3, 3, 3, 3, 3, 3, 3,17, 9, 0, 0, 0,16,
	/* 4x */ 18, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 5x */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,14, 0, 0, 0, 2,
	/* 6x */ 15, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 7x */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
	/* 8x */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 9x */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* ax */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* bx */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* cx */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* dx */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* ex */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* fx */  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};
/* clang-format on */

static enum byte_class
cls(char c)
{
	return (enum byte_class)cls_of[(unsigned char)c];
}

/* Letters, digits, _, $ and UTF-8 bytes: what follows an identifier's start. */
static int
ident_cont(char c)
{
	enum byte_class k = cls(c);

	return k == BC_IDENT || k == BC_DIGIT || k == BC_DOLLAR;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex_digit(char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* A run of bytes of class BC_SPACE. */
static size_t
space(const char *s, size_t n, enum sql_tok *kind)
{
	size_t i = 1;

	while (i < n && cls(s[i]) == BC_SPACE)
		i++;
	*kind = TK_SPACE;
	return i;
}

/* The identifier characters from s[i] on; returns the index past them. */
static size_t
ident_end(const char *s, size_t n, size_t i)
{
	while (i < n && ident_cont(s[i]))
		i++;
	return i;
}

static size_t
word(const char *s, size_t n, enum sql_tok *kind)
{
	*kind = TK_WORD;
	return ident_end(s, n, 1);
}

/*
 * A token quoted with q from s[open] on, where q written twice stands for
 * itself ('it''s', "a""b", `a``b`). Unterminated, it runs to n.
 */
static size_t
quoted(const char *s, size_t n, size_t open, char q, enum sql_tok ok,
       enum sql_tok *kind)
{
	const char *p = s + open + 1, *e = s + n;

	while (p < e && (p = memchr(p, q, (size_t)(e - p))) != NULL) {
		if (p + 1 < e && p[1] == q) {
			p += 2;
			continue;
		}
		*kind = ok;
		return (size_t)(p + 1 - s);
	}
	*kind = TK_UNTERMINATED;
	return n;
}

/* E'...' (PG): a backslash escapes the next byte, and '' is a quote too. */
static size_t
e_string(const char *s, size_t n, enum sql_tok *kind)
{
	size_t i = 2;

	while (i < n) {
		if (s[i] == '\\') {
			i += 2;
			continue;
		}
		if (s[i] == '\'') {
			if (i + 1 < n && s[i + 1] == '\'') {
				i += 2;
				continue;
			}
			*kind = TK_STRING;
			return i + 1;
		}
		i++;
	}
	*kind = TK_UNTERMINATED;
	return n;
}

/* [ident] (SQLite): no escapes, it ends at the first ]. */
static size_t
bracketed(const char *s, size_t n, enum sql_tok *kind)
{
	const char *p = memchr(s + 1, ']', n - 1);

	if (!p) {
		*kind = TK_UNTERMINATED;
		return n;
	}
	*kind = TK_QIDENT;
	return (size_t)(p + 1 - s);
}

/*
 * A word, unless it is the prefix of a string: E'..' (PG), B'..' X'..' N'..'
 * and U&'..' (also U&"..", an identifier).
 */
static size_t
word_or_prefixed(const char *s, size_t n, const struct sql_dialect *d,
		 enum sql_tok *kind)
{
	if (n > 1 && s[1] == '\'') {
		switch (s[0]) {
		case 'E':
		case 'e':
			if (d->e_strings)
				return e_string(s, n, kind);
			break;
		case 'B':
		case 'b':
		case 'N':
		case 'n':
		case 'X':
		case 'x':
			return quoted(s, n, 1, '\'', TK_STRING, kind);
		}
	}
	if (n > 2 && (s[0] | 0x20) == 'u' && s[1] == '&') {
		if (s[2] == '\'')
			return quoted(s, n, 2, '\'', TK_STRING, kind);
		if (s[2] == '"')
			return quoted(s, n, 2, '"', TK_QIDENT, kind);
	}
	return word(s, n, kind);
}

/*
 * 12, 1.5, .5, 1e-3, 1_000 and 0x1F (also 0o17 and 0b101, PG 16). A dot or
 * exponent with nothing after it is left for the next token.
 */
static size_t
number(const char *s, size_t n, enum sql_tok *kind)
{
	size_t i = 0;

	*kind = TK_NUMBER;
	if (n > 2 && s[0] == '0' &&
	    ((s[1] | 0x20) == 'x' || (s[1] | 0x20) == 'o' ||
	     (s[1] | 0x20) == 'b') &&
	    is_hex_digit(s[2])) {
		i = 3;
		while (i < n && (is_hex_digit(s[i]) || s[i] == '_'))
			i++;
		return i;
	}
	while (i < n && (is_digit(s[i]) || s[i] == '_'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && (is_digit(s[i]) || s[i] == '_'))
			i++;
	}
	if (i < n && (s[i] | 0x20) == 'e') {
		size_t j = i + 1;

		if (j < n && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < n && is_digit(s[j])) {
			i = j + 1;
			while (i < n && is_digit(s[i]))
				i++;
		}
	}
	return i;
}

/* -- to the end of the line, the newline excluded. */
static size_t
line_comment(const char *s, size_t n, enum sql_tok *kind)
{
	const char *p = memchr(s + 2, '\n', n - 2);

	*kind = TK_COMMENT;
	return p ? (size_t)(p - s) : n;
}

/*
 * A block comment from s[0] = '/', s[1] = '*'. Every open and close holds a
 * '*', so memchr finds the candidates: a '*' after an unconsumed '/' opens
 * (when comments nest), one before a '/' closes. "/ * /" opens and leaves the
 * last '/' alone, as PostgreSQL's and SQLite's scanners do.
 */
static size_t
block_comment(const char *s, size_t n, int nested, enum sql_tok *kind)
{
	const char *p = s + 2, *e = s + n, *q;
	size_t depth = 1;

	while (p < e && (q = memchr(p, '*', (size_t)(e - p))) != NULL) {
		if (nested && q > p && q[-1] == '/') {
			depth++;
			p = q + 1;
		} else if (q + 1 < e && q[1] == '/') {
			p = q + 2;
			if (--depth == 0) {
				*kind = TK_COMMENT;
				return (size_t)(p - s);
			}
		} else {
			p = q + 1;
		}
	}
	*kind = TK_UNTERMINATED;
	return n;
}

/*
 * The body of a dollar quote whose opening tag ($$ or $tag$) is s[0..taglen):
 * up to and including the first copy of the same tag.
 */
static size_t
dollar_body(const char *s, size_t n, size_t taglen, enum sql_tok *kind)
{
	const char *p = s + taglen, *e = s + n;

	while ((size_t)(e - p) >= taglen) {
		p = memchr(p, '$', (size_t)(e - p) - taglen + 1);
		if (!p)
			break;
		if (memcmp(p, s, taglen) == 0) {
			*kind = TK_DOLLAR;
			return (size_t)(p + taglen - s);
		}
		p++;
	}
	*kind = TK_UNTERMINATED;
	return n;
}

/*
 * PG: $1 is a parameter; $$ and $tag$ open a dollar quote, where a tag is
 * letters, digits, _ and UTF-8 bytes, not starting with a digit. SQLite:
 * $name is a parameter. Any other $ is an operator byte.
 */
static size_t
dollar(const char *s, size_t n, const struct sql_dialect *d, enum sql_tok *kind)
{
	size_t i;

	*kind = TK_OP;
	if (n < 2)
		return 1;
	if (!d->dollar_quotes) {
		if (!ident_cont(s[1]))
			return 1;
		*kind = TK_PARAM;
		return ident_end(s, n, 2);
	}
	if (is_digit(s[1])) {
		for (i = 2; i < n && is_digit(s[i]); i++)
			;
		*kind = TK_PARAM;
		return i;
	}
	if (s[1] == '$')
		return dollar_body(s, n, 2, kind);
	if (cls(s[1]) != BC_IDENT)
		return 1;
	for (i = 2; i < n && (cls(s[i]) == BC_IDENT || is_digit(s[i])); i++)
		;
	if (i < n && s[i] == '$')
		return dollar_body(s, n, i + 1, kind);
	return 1;
}

/* ?, ?NNN */
static size_t
qmark(const char *s, size_t n, enum sql_tok *kind)
{
	size_t i = 1;

	while (i < n && is_digit(s[i]))
		i++;
	*kind = TK_PARAM;
	return i;
}

/* :name and @name are parameters; :: is one operator (PG casts). */
static size_t
named_param(const char *s, size_t n, enum sql_tok *kind)
{
	*kind = TK_OP;
	if (n < 2)
		return 1;
	if (s[0] == ':' && s[1] == ':')
		return 2;
	if (cls(s[1]) != BC_IDENT)
		return 1;
	*kind = TK_PARAM;
	return ident_end(s, n, 2);
}

static size_t
one(enum sql_tok k, enum sql_tok *kind)
{
	*kind = k;
	return 1;
}

size_t
sql_token(const char *s, size_t n, const struct sql_dialect *d,
	  enum sql_tok *kind)
{
	switch (cls(s[0])) {
	case BC_OTHER:
		return one(TK_OP, kind);
	case BC_SPACE:
		return space(s, n, kind);
	case BC_IDENT:
		return word_or_prefixed(s, n, d, kind);
	case BC_DIGIT:
		return number(s, n, kind);
	case BC_DOLLAR:
		return dollar(s, n, d, kind);
	case BC_QUOTE:
		return quoted(s, n, 0, '\'', TK_STRING, kind);
	case BC_DQUOTE:
		return quoted(s, n, 0, '"', TK_QIDENT, kind);
	case BC_MINUS:
		if (n > 1 && s[1] == '-')
			return line_comment(s, n, kind);
		return one(TK_OP, kind);
	case BC_SLASH:
		if (n > 1 && s[1] == '*')
			return block_comment(s, n, d->nested_comments, kind);
		return one(TK_OP, kind);
	case BC_SEMI:
		return one(TK_SEMI, kind);
	case BC_LPAREN:
		return one(TK_LPAREN, kind);
	case BC_RPAREN:
		return one(TK_RPAREN, kind);
	case BC_COMMA:
		return one(TK_COMMA, kind);
	case BC_DOT:
		if (n > 1 && is_digit(s[1]))
			return number(s, n, kind);
		return one(TK_DOT, kind);
	case BC_LBRACKET:
		if (d->bracket_idents)
			return bracketed(s, n, kind);
		return one(TK_OP, kind);
	case BC_BACKTICK:
		if (d->backtick_idents)
			return quoted(s, n, 0, '`', TK_QIDENT, kind);
		return one(TK_OP, kind);
	case BC_QMARK:
		return qmark(s, n, kind);
	case BC_COLON:
	case BC_AT:
		return named_param(s, n, kind);
	}
	rk_bug("byte class %d", cls_of[(unsigned char)s[0]]);
}
