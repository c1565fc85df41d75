/*
 * The statement splitter: cuts a migration file into statements at ';'
 * outside quotes, comments, bodies and (on PG, as psql does) parentheses,
 * and flags the statements a runner must treat specially (no transaction,
 * transaction control, ADD VALUE). It is a small state machine over the
 * lexer's tokens, after SQLite's complete.c: the first words of a statement
 * pick a state, and the states that look further (function and trigger
 * heads, bodies, REINDEX, ALTER TYPE) read keywords until they know. It
 * does not parse: what a statement creates is ddl.c's business, and whether
 * it is valid is the server's.
 */
#include "reckon/parsers/sql.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/err.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

/* The words the state machine reacts to; any other word is KW_NONE. */
enum kw {
	KW_NONE,
	KW_ABORT,
	KW_ADD,
	KW_ALTER,
	KW_ATOMIC,
	KW_BEGIN,
	KW_CASE,
	KW_COMMIT,
	KW_CONCURRENTLY,
	KW_CREATE,
	KW_DATABASE, /* and TABLESPACE: the same rules apply */
	KW_DROP,
	KW_END,
	KW_FUNCTION, /* and PROCEDURE */
	KW_INDEX,
	KW_OR,
	KW_PREPARE,
	KW_REINDEX,
	KW_RELEASE,
	KW_REPLACE,
	KW_ROLLBACK,
	KW_SAVEPOINT,
	KW_START,
	KW_SYSTEM,
	KW_TEMP, /* and TEMPORARY */
	KW_TRANSACTION,
	KW_TRIGGER,
	KW_TYPE,
	KW_UNIQUE,
	KW_VACUUM,
	KW_VALUE,
};

/* Spelling (lower case) of each keyword. */
static const struct {
	const char *name;
	enum kw kw;
} keywords[] = {
	{ "abort", KW_ABORT },
	{ "add", KW_ADD },
	{ "alter", KW_ALTER },
	{ "atomic", KW_ATOMIC },
	{ "begin", KW_BEGIN },
	{ "case", KW_CASE },
	{ "commit", KW_COMMIT },
	{ "concurrently", KW_CONCURRENTLY },
	{ "create", KW_CREATE },
	{ "database", KW_DATABASE },
	{ "drop", KW_DROP },
	{ "end", KW_END },
	{ "function", KW_FUNCTION },
	{ "index", KW_INDEX },
	{ "or", KW_OR },
	{ "prepare", KW_PREPARE },
	{ "procedure", KW_FUNCTION },
	{ "reindex", KW_REINDEX },
	{ "release", KW_RELEASE },
	{ "replace", KW_REPLACE },
	{ "rollback", KW_ROLLBACK },
	{ "savepoint", KW_SAVEPOINT },
	{ "start", KW_START },
	{ "system", KW_SYSTEM },
	{ "tablespace", KW_DATABASE },
	{ "temp", KW_TEMP },
	{ "temporary", KW_TEMP },
	{ "transaction", KW_TRANSACTION },
	{ "trigger", KW_TRIGGER },
	{ "type", KW_TYPE },
	{ "unique", KW_UNIQUE },
	{ "vacuum", KW_VACUUM },
	{ "value", KW_VALUE },
};

#define KW_MAXLEN 12 /* strlen("concurrently") */

/*
 * Where the splitter is in the current statement. ST_IDLE is between
 * statements; every other state means a statement has begun. The states
 * after ST_IDLE mirror the words read so far (ST_CREATE_OR is "CREATE OR").
 */
enum split_state {
	ST_IDLE,	      /* no significant token yet */
	ST_PLAIN,	      /* nothing left to learn: wait for ';' */
	ST_CREATE,	      /* CREATE */
	ST_CREATE_OR,	      /* CREATE OR */
	ST_CREATE_OR_REPLACE, /* CREATE OR REPLACE */
	ST_CREATE_UNIQUE,     /* CREATE UNIQUE */
	ST_CREATE_TEMP,	      /* CREATE TEMP (SQLite) */
	ST_INDEX,	      /* CREATE [UNIQUE] INDEX, DROP INDEX */
	ST_DROP,	      /* DROP */
	ST_ALTER,	      /* ALTER */
	ST_ALTER_TYPE,	      /* ALTER TYPE ...: looking for ADD VALUE */
	ST_ALTER_TYPE_ADD,    /* ALTER TYPE ... ADD */
	ST_REINDEX,	      /* REINDEX ...: looking for CONCURRENTLY */
	ST_BEGIN,	      /* BEGIN as a statement: ATOMIC next? */
	ST_START_TX,	      /* START */
	ST_PREPARE,	      /* PREPARE (PG) */
	ST_FUNC,	      /* CREATE [OR REPLACE] FUNCTION ...: BEGIN? */
	ST_FUNC_BEGIN,	      /* CREATE FUNCTION ... BEGIN: ATOMIC next? */
	ST_TRIGGER,	      /* CREATE [TEMP] TRIGGER ...: looking for BEGIN */
	ST_BODY,	      /* in BEGIN ... END: ';' does not split */
};

struct splitter {
	const char *s;		     /* the input */
	const struct sql_dialect *d; /* what the dialect allows */
	enum split_state st;
	unsigned depth;	  /* ST_BODY: BEGINs and CASEs not yet ENDed */
	unsigned paren;	  /* ( not yet closed */
	size_t off;	  /* first significant byte of the statement */
	size_t end;	  /* end of its last significant token */
	unsigned line;	  /* line of s[off] */
	unsigned flags;	  /* SQL_* found so far */
	size_t line_pos;  /* newlines in s[0..line_pos) are counted */
	unsigned line_no; /* line of s[line_pos] */
};

void
sql_stmt_list_release(struct sql_stmt_list *l)
{
	struct sql_stmt_list empty = SQL_STMT_LIST_INIT;

	free(l->v);
	*l = empty;
}

/* The keyword a word is, ignoring ASCII case. */
static enum kw
kw_of(const char *w, size_t len)
{
	char low[KW_MAXLEN];
	size_t i;

	if (len > KW_MAXLEN)
		return KW_NONE;
	for (i = 0; i < len; i++)
		low[i] = (w[i] >= 'A' && w[i] <= 'Z') ? (char)(w[i] | 0x20)
						      : w[i];
	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (keywords[i].name[0] == low[0] && /* cheap filter first */
		    !strncmp(keywords[i].name, low, len) &&
		    !keywords[i].name[len])
			return keywords[i].kw;
	return KW_NONE;
}

/* The line of s[off]; off never goes back, so the whole input costs O(n). */
static unsigned
line_at(struct splitter *sp, size_t off)
{
	const char *p = sp->s + sp->line_pos, *e = sp->s + off;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		sp->line_no++;
		p++;
	}
	sp->line_pos = off;
	return sp->line_no;
}

/* The first word of a statement: which head state it starts. */
static enum split_state
first_word(struct splitter *sp, enum kw kw)
{
	const struct sql_dialect *r = sp->d;

	switch (kw) {
	case KW_CREATE:
		return ST_CREATE;
	case KW_DROP:
		return ST_DROP;
	case KW_ALTER:
		return ST_ALTER;
	case KW_REINDEX: /* REINDEX: CONCURRENTLY may come anywhere */
		return r->no_tx_stmts ? ST_REINDEX : ST_PLAIN;
	case KW_VACUUM: /* refused in a transaction on PG and SQLite */
		sp->flags |= SQL_NO_TX;
		return ST_PLAIN;
	case KW_BEGIN: /* BEGIN [TRANSACTION|WORK|DEFERRED|...], not ATOMIC */
		sp->flags |= SQL_TX_CONTROL;
		return ST_BEGIN;
	case KW_START: /* START TRANSACTION */
		return ST_START_TX;
	case KW_PREPARE: /* PREPARE TRANSACTION, not PREPARE name AS */
		return r->prepare_tx ? ST_PREPARE : ST_PLAIN;
	case KW_COMMIT:	   /* COMMIT [PREPARED] */
	case KW_END:	   /* END [TRANSACTION] */
	case KW_ROLLBACK:  /* ROLLBACK [TO SAVEPOINT] */
	case KW_SAVEPOINT: /* SAVEPOINT name */
	case KW_RELEASE:   /* RELEASE [SAVEPOINT] name */
	case KW_ABORT:	   /* ABORT (PG) */
		sp->flags |= SQL_TX_CONTROL;
		return ST_PLAIN;
	case KW_NONE:
	case KW_ADD:
	case KW_ATOMIC:
	case KW_CASE:
	case KW_CONCURRENTLY:
	case KW_DATABASE:
	case KW_FUNCTION:
	case KW_INDEX:
	case KW_OR:
	case KW_REPLACE:
	case KW_SYSTEM:
	case KW_TEMP:
	case KW_TRANSACTION:
	case KW_TRIGGER:
	case KW_TYPE:
	case KW_UNIQUE:
	case KW_VALUE:
		break;
	}
	return ST_PLAIN;
}

/* CREATE [OR REPLACE] FUNCTION/PROCEDURE: look for BEGIN ATOMIC (PG). */
static enum split_state
function_head(const struct splitter *sp)
{
	return sp->d->begin_atomic ? ST_FUNC : ST_PLAIN;
}

/* CREATE [TEMP] TRIGGER: look for the BEGIN of its body (SQLite). */
static enum split_state
trigger_head(const struct splitter *sp)
{
	return sp->d->trigger_bodies ? ST_TRIGGER : ST_PLAIN;
}

/* A no-transaction statement if the dialect is PG. */
static enum split_state
pg_no_tx(struct splitter *sp)
{
	if (sp->d->no_tx_stmts)
		sp->flags |= SQL_NO_TX;
	return ST_PLAIN;
}

/*
 * The transition on a significant token other than ';' (kw is KW_NONE for
 * punctuation, literals and words that are not keywords). Each case is one
 * state; each line in it one transition, and falling out of a case means
 * "nothing more to learn" (ST_PLAIN).
 */
static enum split_state
step(struct splitter *sp, enum kw kw)
{
	switch (sp->st) {
	case ST_IDLE:
		return first_word(sp, kw);
	case ST_PLAIN:
		return ST_PLAIN;
	case ST_CREATE:
		if (kw == KW_OR) /* CREATE OR REPLACE ... */
			return ST_CREATE_OR;
		if (kw == KW_UNIQUE) /* CREATE UNIQUE INDEX */
			return ST_CREATE_UNIQUE;
		if (kw == KW_INDEX) /* CREATE INDEX [CONCURRENTLY] */
			return ST_INDEX;
		if (kw == KW_FUNCTION) /* CREATE FUNCTION/PROCEDURE */
			return function_head(sp);
		if (kw == KW_TEMP) /* CREATE TEMP TRIGGER */
			return ST_CREATE_TEMP;
		if (kw == KW_TRIGGER) /* CREATE TRIGGER */
			return trigger_head(sp);
		if (kw == KW_DATABASE) /* CREATE DATABASE/TABLESPACE */
			return pg_no_tx(sp);
		break;
	case ST_CREATE_OR:
		if (kw == KW_REPLACE) /* CREATE OR REPLACE */
			return ST_CREATE_OR_REPLACE;
		break;
	case ST_CREATE_OR_REPLACE:
		if (kw == KW_FUNCTION) /* CREATE OR REPLACE FUNCTION */
			return function_head(sp);
		break;
	case ST_CREATE_UNIQUE:
		if (kw == KW_INDEX) /* CREATE UNIQUE INDEX */
			return ST_INDEX;
		break;
	case ST_CREATE_TEMP:
		if (kw == KW_TRIGGER) /* CREATE TEMP TRIGGER */
			return trigger_head(sp);
		break;
	case ST_INDEX:
		if (kw == KW_CONCURRENTLY) /* CREATE/DROP INDEX CONCURRENTLY */
			return pg_no_tx(sp);
		break;
	case ST_DROP:
		if (kw == KW_INDEX) /* DROP INDEX [CONCURRENTLY] */
			return ST_INDEX;
		if (kw == KW_DATABASE) /* DROP DATABASE/TABLESPACE */
			return pg_no_tx(sp);
		break;
	case ST_ALTER:
		if (kw == KW_SYSTEM) /* ALTER SYSTEM */
			return pg_no_tx(sp);
		if (kw == KW_TYPE) /* ALTER TYPE ... ADD VALUE */
			return ST_ALTER_TYPE;
		break;
	case ST_ALTER_TYPE:
		if (kw == KW_ADD) /* ... ADD */
			return ST_ALTER_TYPE_ADD;
		return ST_ALTER_TYPE; /* the type's name, or other words */
	case ST_ALTER_TYPE_ADD:
		if (kw == KW_VALUE) { /* ... ADD VALUE */
			sp->flags |= SQL_ADD_VALUE;
			return ST_PLAIN;
		}
		if (kw == KW_ADD) /* ALTER TYPE add ADD ... */
			return ST_ALTER_TYPE_ADD;
		return ST_ALTER_TYPE; /* ADD ATTRIBUTE: keep looking */
	case ST_REINDEX:
		if (kw == KW_CONCURRENTLY) /* REINDEX (..) TABLE CONCURRENTLY */
			return pg_no_tx(sp);
		return ST_REINDEX;
	case ST_BEGIN:
		if (kw == KW_ATOMIC) /* BEGIN ATOMIC is a body, not a tx */
			sp->flags &= ~SQL_TX_CONTROL;
		break;
	case ST_START_TX:
		if (kw == KW_TRANSACTION) /* START TRANSACTION */
			sp->flags |= SQL_TX_CONTROL;
		break;
	case ST_PREPARE:
		if (kw == KW_TRANSACTION) /* PREPARE TRANSACTION 'gid' */
			sp->flags |= SQL_TX_CONTROL;
		break;
	case ST_FUNC:
		if (kw == KW_BEGIN) /* ... BEGIN: ATOMIC next? */
			return ST_FUNC_BEGIN;
		return ST_FUNC;
	case ST_FUNC_BEGIN:
		if (kw == KW_ATOMIC) { /* BEGIN ATOMIC: the body */
			sp->depth = 1;
			return ST_BODY;
		}
		if (kw == KW_BEGIN)
			return ST_FUNC_BEGIN;
		return ST_FUNC; /* a parameter named begin */
	case ST_TRIGGER:
		if (kw == KW_BEGIN) { /* the trigger's body */
			sp->depth = 1;
			return ST_BODY;
		}
		return ST_TRIGGER;
	case ST_BODY:
		if (kw == KW_BEGIN || kw == KW_CASE) /* CASE ... END nests */
			sp->depth++;
		else if (kw == KW_END && --sp->depth == 0) /* the body ends */
			return ST_PLAIN;
		return ST_BODY;
	}
	return ST_PLAIN;
}

/* Append the current statement, ending at byte end, and start afresh. */
static void
emit(struct splitter *sp, size_t end, struct sql_stmt_list *out)
{
	void *v = out->v;
	struct sql_stmt *st;

	rk_grow(&v, &out->cap, out->n + 1, sizeof(*out->v));
	out->v = v;
	st = &out->v[out->n++];
	st->off = sp->off;
	st->len = end - sp->off;
	st->line = sp->line;
	st->flags = sp->flags;
	sp->st = ST_IDLE;
	sp->flags = 0;
	sp->depth = 0;
	sp->paren = 0;
}

/* A significant token (not space, comment or ';') at s[off..off+len). */
static void
significant(struct splitter *sp, size_t off, size_t len, enum sql_tok kind)
{
	enum kw kw = KW_NONE;

	if (sp->st == ST_IDLE) {
		sp->off = off;
		sp->line = line_at(sp, off);
	}
	if (kind == TK_WORD && sp->st != ST_PLAIN)
		kw = kw_of(sp->s + off, len);
	else if (kind == TK_LPAREN)
		sp->paren++;
	else if (kind == TK_RPAREN && sp->paren > 0) /* ignore extra ) */
		sp->paren--;
	sp->st = step(sp, kw);
	sp->end = off + len;
}

/*
 * A quote or comment that never closes: what it is, and what would close
 * it, from the token's first bytes.
 */
static int
unterminated(struct splitter *sp, const struct sql_dialect *d, size_t off,
	     size_t len, struct rk_err *err)
{
	const char *t = sp->s + off;
	unsigned line = line_at(sp, off);
	size_t q = 0;

	if (t[0] == '$') {
		size_t tag = 1;

		while (tag < len && t[tag] != '$')
			tag++;
		rk_fail(err, RK_INPUT,
			"unterminated dollar-quoted string %.*s starting at "
			"line %u",
			(int)(tag + 1), t, line);
		rk_err_hint(err, "close it with %.*s, spelled as it opens",
			    (int)(tag + 1), t);
		return -1;
	}
	if (t[0] == '/') {
		rk_fail(err, RK_INPUT,
			"unterminated block comment starting at line %u", line);
		if (d->nested_comments)
			rk_err_hint(err, "close it with */; comments nest, so "
					 "each /* inside needs its own */");
		else
			rk_err_hint(err, "close it with */");
		return -1;
	}
	if (t[0] != '\'' && t[0] != '"' && t[0] != '[' && t[0] != '`')
		q = len > 2 && t[1] == '&' ? 2 : 1; /* E' B' X' N' U&' U&" */
	if (t[q] == '\'') {
		rk_fail(err, RK_INPUT,
			"unterminated quoted string starting at line %u", line);
		if (q == 1 && (t[0] | 0x20) == 'e')
			rk_err_hint(err, "close it with '; inside E'' a quote "
					 "is written \\' or ''");
		else
			rk_err_hint(err, "close it with '; a quote inside a "
					 "string is written ''");
		return -1;
	}
	rk_fail(err, RK_INPUT,
		"unterminated quoted identifier starting at line %u", line);
	if (t[q] == '[')
		rk_err_hint(err, "close it with ]");
	else
		rk_err_hint(err,
			    "close it with %c; a %c inside a name is "
			    "written %c%c",
			    t[q], t[q], t[q], t[q]);
	return -1;
}

int
sql_split(const char *s, size_t n, const struct sql_dialect *d,
	  struct sql_stmt_list *out, struct rk_err *err)
{
	struct splitter sp = {
		.s = s,
		.d = d,
		.st = ST_IDLE,
		.line_no = 1,
	};
	size_t n0 = out->n, i = 0;

	while (i < n) {
		enum sql_tok kind;
		size_t len = sql_token(s + i, n - i, d, &kind);

		switch (kind) {
		case TK_SPACE:
		case TK_COMMENT:
			break;
		case TK_SEMI:
			if (sp.st == ST_BODY || (sp.paren && sp.d->paren_semis))
				sp.end = i + 1;	   /* inside a body or ( ) */
			else if (sp.st != ST_IDLE) /* ends the statement */
				emit(&sp, i + 1, out);
			break; /* else an empty statement: nothing */
		case TK_WORD:
		case TK_QIDENT:
		case TK_STRING:
		case TK_DOLLAR:
		case TK_NUMBER:
		case TK_PARAM:
		case TK_LPAREN:
		case TK_RPAREN:
		case TK_COMMA:
		case TK_DOT:
		case TK_OP:
			significant(&sp, i, len, kind);
			break;
		case TK_UNTERMINATED:
			out->n = n0;
			return unterminated(&sp, d, i, len, err);
		}
		i += len;
	}
	if (sp.st != ST_IDLE) /* the last statement has no ';' */
		emit(&sp, sp.end, out);
	return 0;
}
