/*
 * The DDL extractor's cursor (ddl.c reads statements through it): the
 * significant tokens of one statement, keyword tests that compare token by
 * token, and identifiers and qualified names as PostgreSQL folds,
 * unquotes and truncates them.
 */
#include "reckon/parsers/ddl.h"

#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"
#include "ddl_int.h"

#include "reckon/base/banned.h"

/* ---- tokens ---- */

/* Advance to the next significant token; at the end, stay there. */
void
ddl_next(struct cur *c)
{
	while (c->i < c->end) {
		enum sql_tok k;
		const char *p = c->s + c->i;
		size_t len = sql_token(p, c->end - c->i, c->d, &k);

		c->i += len;
		if (k == TK_SPACE || k == TK_COMMENT)
			continue;
		if (k == TK_SEMI)
			break;
		c->t.kind = k;
		c->t.p = p;
		c->t.len = len;
		return;
	}
	c->i = c->end;
	c->t.kind = TK_SEMI;
	c->t.p = c->s + c->end;
	c->t.len = 0;
}

int
ddl_at_end(const struct cur *c)
{
	return c->t.kind == TK_SEMI;
}

/* Whether t is the keyword kw (lower case), in any ASCII case. */
int
ddl_is_kw(const struct tok *t, const char *kw)
{
	size_t i;

	if (t->kind != TK_WORD)
		return 0;
	for (i = 0; i < t->len; i++) {
		char ch = t->p[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch | 0x20);
		if (ch != kw[i]) /* kw[i] is NUL past its end: no match */
			return 0;
	}
	return kw[i] == '\0';
}

/* Consume the keyword kw if it is the current token. */
int
ddl_accept(struct cur *c, const char *kw)
{
	if (!ddl_is_kw(&c->t, kw))
		return 0;
	ddl_next(c);
	return 1;
}

int
ddl_is_op(const struct tok *t, char op)
{
	return t->kind == TK_OP && t->p[0] == op;
}

/*
 * Consume the words a, b (and c unless NULL) if they come next; else
 * consume nothing. "IF NOT EXISTS" this way leaves a table named "if"
 * alone.
 */
int
ddl_accept_seq(struct cur *c, const char *a, const char *b, const char *w3)
{
	struct cur save = *c;

	if (ddl_accept(c, a) && ddl_accept(c, b) && (!w3 || ddl_accept(c, w3)))
		return 1;
	*c = save;
	return 0;
}

int
ddl_if_not_exists(struct cur *c)
{
	return ddl_accept_seq(c, "if", "not", "exists");
}

int
ddl_if_exists(struct cur *c)
{
	return ddl_accept_seq(c, "if", "exists", NULL);
}

/* Skip a balanced ( ... ) group from the current '('. */
void
ddl_skip_parens(struct cur *c)
{
	unsigned depth = 0;

	do {
		if (c->t.kind == TK_LPAREN)
			depth++;
		else if (c->t.kind == TK_RPAREN)
			depth--;
		ddl_next(c);
	} while (depth > 0 && !ddl_at_end(c));
}

/*
 * Move past the next ',' outside ( ) and [ ]: the start of ALTER TABLE's
 * next action. Returns 0 at the statement's end.
 */
int
ddl_next_action(struct cur *c)
{
	unsigned depth = 0;

	for (; !ddl_at_end(c); ddl_next(c)) {
		if (c->t.kind == TK_LPAREN || ddl_is_op(&c->t, '['))
			depth++;
		else if ((c->t.kind == TK_RPAREN || ddl_is_op(&c->t, ']')) &&
			 depth > 0)
			depth--;
		else if (c->t.kind == TK_COMMA && depth == 0) {
			ddl_next(c);
			return 1;
		}
	}
	return 0;
}

/* ---- names ---- */

int
ddl_is_ident(const struct tok *t)
{
	return t->kind == TK_WORD || t->kind == TK_QIDENT;
}

/* An identifier (with U&"..." UESCAPE 'c'), consumed; 0 if none. */
int
ddl_read_ident(struct cur *c, struct ident *id)
{
	struct cur save;

	if (!ddl_is_ident(&c->t))
		return 0;
	id->t = c->t;
	id->esc = '\\';
	ddl_next(c);
	if (id->t.kind != TK_QIDENT || (id->t.p[0] | 0x20) != 'u' ||
	    !ddl_is_kw(&c->t, "uescape"))
		return 1;
	save = *c;
	ddl_next(c);
	if (c->t.kind == TK_STRING && c->t.len == 3 && c->t.p[0] == '\'') {
		id->esc = c->t.p[1];
		ddl_next(c);
	} else {
		*c = save;
	}
	return 1;
}

/* a, s.a or db.s.a, consumed: the last two parts are kept. */
int
ddl_read_qname(struct cur *c, struct qname *q)
{
	struct ident id;

	if (!ddl_read_ident(c, &id))
		return 0;
	q->part[1] = id;
	q->n = 1;
	while (c->t.kind == TK_DOT) {
		struct cur save = *c;

		ddl_next(c);
		if (!ddl_read_ident(c, &id)) {
			*c = save;
			break;
		}
		q->part[0] = q->part[1];
		q->part[1] = id;
		q->n = 2;
	}
	return 1;
}

/* Append the name id stands for, as the database stores it. */
void
ddl_add_name(const struct ex *ex, const struct ident *id, struct rk_buf *b)
{
	ddl_ident_name(id->t.p, id->t.len, ex->d, id->esc, b);
}

/* b = the name of id. */
void
ddl_set_name(const struct ex *ex, const struct ident *id, struct rk_buf *b)
{
	rk_buf_reset(b);
	ddl_add_name(ex, id, b);
}

/* sch and b = the schema ("" if none) and name of q. */
void
ddl_set_qname(const struct ex *ex, const struct qname *q, struct rk_buf *sch,
	      struct rk_buf *b)
{
	rk_buf_reset(sch);
	if (q->n == 2)
		ddl_add_name(ex, &q->part[0], sch);
	ddl_set_name(ex, &q->part[1], b);
}
