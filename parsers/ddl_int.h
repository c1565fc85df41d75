/*
 * What the DDL extractor's two files share (ddl.c: the object list and the
 * statements; ddl_cursor.c: the token cursor and names), kept out of
 * include/reckon/parsers/ddl.h, the callers' contract.
 */
#ifndef RECKON_DDL_INT_H
#define RECKON_DDL_INT_H

#include <stddef.h>

#include "reckon/base/buf.h"
#include "reckon/parsers/ddl.h"
#include "reckon/parsers/sql.h"

/* A significant token; kind TK_SEMI with len 0 at the statement's end. */
struct tok {
	enum sql_tok kind;
	const char *p; /* into the input */
	size_t len;
};

/* A cursor over one statement's significant tokens. */
struct cur {
	const char *s;
	size_t i;   /* next byte to lex */
	size_t end; /* the statement's end */
	const struct sql_dialect *d;
	struct tok t; /* the current token */
};

/* An identifier token as written; esc is U&"..."'s escape character. */
struct ident {
	struct tok t;
	char esc;
};

/* A qualified name: part[1] the name, part[0] its schema when n == 2. */
struct qname {
	struct ident part[2];
	int n;
};

/* The extractor's state for one ddl_extract() call. */
struct ex {
	const struct sql_dialect *d;
	const char *temp;	/* the temporary schema: pg_temp, temp */
	struct ddl_list *out;	/* where the objects go */
	unsigned stmt;		/* the statement being read */
	size_t ntemp;		/* temporary objects listed: if 0, no
				 * lookup for them is needed */
	const char *dflt;	/* CREATE SCHEMA's name while reading its
				 * elements, else NULL */
	struct rk_buf dflt_buf; /* owned: dflt's text */
	struct rk_buf sch, tab; /* owned: scratch for a schema, table */
	struct rk_buf nam, obj; /* owned: scratch for a name, object */
	struct rk_buf nnam;	/* owned: scratch for a new name */
};

/* ddl_cursor.c */
void ddl_next(struct cur *c);
int ddl_at_end(const struct cur *c);
int ddl_is_kw(const struct tok *t, const char *kw);
int ddl_accept(struct cur *c, const char *kw);
int ddl_is_op(const struct tok *t, char op);
int ddl_accept_seq(struct cur *c, const char *a, const char *b, const char *w3);
int ddl_if_not_exists(struct cur *c);
int ddl_if_exists(struct cur *c);
void ddl_skip_parens(struct cur *c);
int ddl_next_action(struct cur *c);
int ddl_is_ident(const struct tok *t);
int ddl_read_ident(struct cur *c, struct ident *id);
int ddl_read_qname(struct cur *c, struct qname *q);
void ddl_add_name(const struct ex *ex, const struct ident *id,
		  struct rk_buf *b);
void ddl_set_name(const struct ex *ex, const struct ident *id,
		  struct rk_buf *b);
void ddl_set_qname(const struct ex *ex, const struct qname *q,
		   struct rk_buf *sch, struct rk_buf *b);

#endif
