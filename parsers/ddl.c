/*
 * The DDL object extractor: reads the head of each statement sql_split()
 * cuts, as the lexer's tokens (strings, comments and bodies are single
 * tokens, so nothing inside them is ever read as SQL), and lists what the
 * file creates, net of what it drops and renames. A statement is read only
 * as far as the names need: CREATE TABLE stops after its name, a function
 * after its name, ALTER TABLE reads its comma-separated actions at paren
 * depth 0. Keywords are compared token by token, which says more than a
 * regular expression would here: the grammar is a few optional words, a
 * qualified name and a keyword or two, and names need PostgreSQL's own
 * folding, unquoting and truncation, which a pattern cannot do.
 *
 * Objects go into the caller's ddl_list (ddl_list.c), whose index makes
 * repeats (CREATE OR REPLACE, overloads) one object and lets DROP and
 * RENAME find what they undo; a dropped object leaves a hole, and the list
 * is compacted at the end, when the temporary objects go too. Names are
 * spelled by ddl_name.c. Not here: whether the SQL is valid or the objects
 * exist (src/schema_check.c).
 */
#include "reckon/ddl.h"

#include <string.h>

#include "reckon/buf.h"
#include "reckon/err.h"
#include "reckon/sql.h"
#include "reckon/util.h"

#include "reckon/banned.h"

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

/* ---- tokens ---- */

/* Advance to the next significant token; at the end, stay there. */
static void
next(struct cur *c)
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

static int
at_end(const struct cur *c)
{
	return c->t.kind == TK_SEMI;
}

/* Whether t is the keyword kw (lower case), in any ASCII case. */
static int
is_kw(const struct tok *t, const char *kw)
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
static int
accept(struct cur *c, const char *kw)
{
	if (!is_kw(&c->t, kw))
		return 0;
	next(c);
	return 1;
}

static int
is_op(const struct tok *t, char op)
{
	return t->kind == TK_OP && t->p[0] == op;
}

/*
 * Consume the words a, b (and c unless NULL) if they come next; else
 * consume nothing. "IF NOT EXISTS" this way leaves a table named "if"
 * alone.
 */
static int
accept_seq(struct cur *c, const char *a, const char *b, const char *w3)
{
	struct cur save = *c;

	if (accept(c, a) && accept(c, b) && (!w3 || accept(c, w3)))
		return 1;
	*c = save;
	return 0;
}

static int
if_not_exists(struct cur *c)
{
	return accept_seq(c, "if", "not", "exists");
}

static int
if_exists(struct cur *c)
{
	return accept_seq(c, "if", "exists", NULL);
}

/* Skip a balanced ( ... ) group from the current '('. */
static void
skip_parens(struct cur *c)
{
	unsigned depth = 0;

	do {
		if (c->t.kind == TK_LPAREN)
			depth++;
		else if (c->t.kind == TK_RPAREN)
			depth--;
		next(c);
	} while (depth > 0 && !at_end(c));
}

/*
 * Move past the next ',' outside ( ) and [ ]: the start of ALTER TABLE's
 * next action. Returns 0 at the statement's end.
 */
static int
next_action(struct cur *c)
{
	unsigned depth = 0;

	for (; !at_end(c); next(c)) {
		if (c->t.kind == TK_LPAREN || is_op(&c->t, '['))
			depth++;
		else if ((c->t.kind == TK_RPAREN || is_op(&c->t, ']')) &&
			 depth > 0)
			depth--;
		else if (c->t.kind == TK_COMMA && depth == 0) {
			next(c);
			return 1;
		}
	}
	return 0;
}

/* ---- names ---- */

static int
is_ident(const struct tok *t)
{
	return t->kind == TK_WORD || t->kind == TK_QIDENT;
}

/* An identifier (with U&"..." UESCAPE 'c'), consumed; 0 if none. */
static int
read_ident(struct cur *c, struct ident *id)
{
	struct cur save;

	if (!is_ident(&c->t))
		return 0;
	id->t = c->t;
	id->esc = '\\';
	next(c);
	if (id->t.kind != TK_QIDENT || (id->t.p[0] | 0x20) != 'u' ||
	    !is_kw(&c->t, "uescape"))
		return 1;
	save = *c;
	next(c);
	if (c->t.kind == TK_STRING && c->t.len == 3 && c->t.p[0] == '\'') {
		id->esc = c->t.p[1];
		next(c);
	} else {
		*c = save;
	}
	return 1;
}

/* a, s.a or db.s.a, consumed: the last two parts are kept. */
static int
read_qname(struct cur *c, struct qname *q)
{
	struct ident id;

	if (!read_ident(c, &id))
		return 0;
	q->part[1] = id;
	q->n = 1;
	while (c->t.kind == TK_DOT) {
		struct cur save = *c;

		next(c);
		if (!read_ident(c, &id)) {
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
static void
add_name(const struct ex *ex, const struct ident *id, struct rk_buf *b)
{
	ddl_ident_name(id->t.p, id->t.len, ex->d, id->esc, b);
}

/* b = the name of id. */
static void
set_name(const struct ex *ex, const struct ident *id, struct rk_buf *b)
{
	rk_buf_reset(b);
	add_name(ex, id, b);
}

/* sch and b = the schema ("" if none) and name of q. */
static void
set_qname(const struct ex *ex, const struct qname *q, struct rk_buf *sch,
	  struct rk_buf *b)
{
	rk_buf_reset(sch);
	if (q->n == 2)
		add_name(ex, &q->part[0], sch);
	set_name(ex, &q->part[1], b);
}

/* ---- the object list ---- */

/*
 * ex->obj = the object string for name (on table): "table.name" for a
 * trigger, column or constraint (ddl.h).
 */
static const char *
object_of(struct ex *ex, enum ddl_type t, const char *table, const char *name)
{
	rk_buf_reset(&ex->obj);
	if (ddl_type_has_table(t) && t != DDL_INDEX) {
		rk_buf_adds(&ex->obj, table);
		rk_buf_addc(&ex->obj, '.');
	}
	rk_buf_adds(&ex->obj, name);
	return ex->obj.s;
}

static int
is_temp_schema(const struct ex *ex, const char *schema)
{
	return ddl_name_eq(ex->out, schema, ex->temp);
}

/*
 * Schemas a and b may be the same: equal, or one of them unwritten; the
 * temporary schema matches only itself (unqualified names find it first,
 * by temp_first()).
 */
static int
schema_match(const struct ex *ex, const char *a, const char *b)
{
	if (ddl_name_eq(ex->out, a, b))
		return 1;
	if (is_temp_schema(ex, a) || is_temp_schema(ex, b))
		return 0;
	return !*a || !*b;
}

/* ddl_list_find()'s also: schema_match. */
static int
also_match(const char *want, const char *have, const void *arg)
{
	return schema_match(arg, want, have);
}

/*
 * The live object (t, schema, table.name or name), or DDL_NONE; with
 * loose, one whose schema only may match when no exact one exists.
 */
static size_t
find(struct ex *ex, enum ddl_type t, const char *schema, const char *table,
     const char *name, int loose)
{
	return ddl_list_find(ex->out, t, schema, object_of(ex, t, table, name),
			     loose ? also_match : NULL, ex);
}

/*
 * List (t, schema, table, name) unless it is listed, or it or its table
 * has an empty name (the server refuses "").
 */
static void
add(struct ex *ex, enum ddl_type t, const char *schema, const char *table,
    const char *name)
{
	if (!*name || (!*table && ddl_type_has_table(t)))
		return;
	(void)ddl_list_add(ex->out, t, schema, table, name, ex->stmt);
	if (is_temp_schema(ex, schema))
		ex->ntemp++;
}

/*
 * Each live object whose schema matches schema (exactly if exact) and,
 * unless table is NULL, that belongs to table: fn(ex, idx, arg).
 */
static void
each_in(struct ex *ex, const char *schema, const char *table, int exact,
	void (*fn)(struct ex *ex, size_t idx, const void *arg), const void *arg)
{
	size_t i;

	for (i = 0; i < ex->out->n; i++) {
		const struct ddl_object *o = &ex->out->v[i];

		if (!o->mem)
			continue;
		if (exact ? !ddl_name_eq(ex->out, o->schema, schema)
			  : !schema_match(ex, o->schema, schema))
			continue;
		if (table && (!ddl_type_has_table(o->type) ||
			      !ddl_name_eq(ex->out, o->table, table)))
			continue;
		fn(ex, i, arg);
	}
}

static void
remove_fn(struct ex *ex, size_t idx, const void *arg)
{
	(void)arg;
	ddl_list_remove(ex->out, idx);
}

/* Move object idx to the table named arg, keeping its schema and name. */
static void
retable_fn(struct ex *ex, size_t idx, const void *arg)
{
	const struct ddl_object *o = &ex->out->v[idx];

	ddl_list_rename(ex->out, idx, o->schema, arg, o->name);
}

/* Move object idx to the schema named arg. */
static void
reschema_fn(struct ex *ex, size_t idx, const void *arg)
{
	const struct ddl_object *o = &ex->out->v[idx];

	ddl_list_rename(ex->out, idx, arg, o->table, o->name);
}

/* Give object idx the name name, keeping its schema and table. */
static void
rename_to(struct ex *ex, size_t idx, const char *name)
{
	const struct ddl_object *o = &ex->out->v[idx];

	ddl_list_rename(ex->out, idx, o->schema, o->table, name);
}

/* Remove the dropped and temporary objects, keeping the order. */
static void
compact(struct ex *ex)
{
	size_t i;

	for (i = 0; i < ex->out->n; i++)
		if (ex->out->v[i].mem &&
		    is_temp_schema(ex, ex->out->v[i].schema))
			ddl_list_remove(ex->out, i);
	ddl_list_compact(ex->out);
}

/* ---- statements ---- */

/*
 * If ex->sch is "" (an unqualified name) and the file made a temporary
 * object (t, table, name), ex->sch = the temporary schema: it comes first
 * in the search_path, so the name means that one.
 */
static void
temp_first(struct ex *ex, enum ddl_type t, const char *table, const char *name)
{
	if (ex->ntemp && !*ex->sch.s &&
	    find(ex, t, ex->temp, table, name, 0) != DDL_NONE)
		rk_buf_adds(&ex->sch, ex->temp);
}

/*
 * ex->sch, ex->tab = the schema and name of a table reference: the schema
 * as written; else CREATE SCHEMA's; else the temporary schema when the
 * file created a temporary table of that name (it hides others, as
 * pg_temp comes first in the search_path); else "".
 */
static void
table_ref(struct ex *ex, const struct qname *q)
{
	set_qname(ex, q, &ex->sch, &ex->tab);
	if (!*ex->sch.s && ex->dflt)
		rk_buf_adds(&ex->sch, ex->dflt);
	else
		temp_first(ex, DDL_TABLE, "", ex->tab.s);
}

/* The schema a new object named by q lands in. */
static void
new_schema(struct ex *ex, const struct qname *q, int temp)
{
	rk_buf_reset(&ex->sch);
	if (temp)
		rk_buf_adds(&ex->sch, ex->temp);
	else if (q->n == 2)
		add_name(ex, &q->part[0], &ex->sch);
	else if (ex->dflt)
		rk_buf_adds(&ex->sch, ex->dflt);
}

/*
 * The object kind the words at c name (TABLE, FOREIGN TABLE, MATERIALIZED
 * VIEW, ...), consumed; 0 if they name none of ours.
 */
static int
object_kind(struct cur *c, enum ddl_type *t)
{
	static const struct {
		const char *word;
		enum ddl_type type;
	} kinds[] = {
		{ "table", DDL_TABLE },	      { "index", DDL_INDEX },
		{ "function", DDL_FUNCTION }, { "procedure", DDL_PROCEDURE },
		{ "type", DDL_TYPE },	      { "domain", DDL_DOMAIN },
		{ "view", DDL_VIEW },	      { "sequence", DDL_SEQUENCE },
		{ "schema", DDL_SCHEMA },     { "extension", DDL_EXTENSION },
		{ "trigger", DDL_TRIGGER },
	};
	size_t i;

	if (accept_seq(c, "materialized", "view", NULL)) {
		*t = DDL_MATVIEW;
		return 1;
	}
	if (accept_seq(c, "foreign", "table", NULL)) {
		*t = DDL_TABLE;
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (accept(c, kinds[i].word)) {
			*t = kinds[i].type;
			return 1;
		}
	}
	return 0;
}

/* CREATE TABLE/VIEW/FUNCTION/...: [IF NOT EXISTS] name. */
static void
create_named(struct ex *ex, struct cur *c, enum ddl_type t, int temp)
{
	struct qname q;

	(void)if_not_exists(c);
	if (!read_qname(c, &q))
		return;
	new_schema(ex, &q, temp);
	set_name(ex, &q.part[1], &ex->nam);
	add(ex, t, ex->sch.s, "", ex->nam.s);
}

/* CREATE EXTENSION [IF NOT EXISTS] name: extensions have no schema. */
static void
create_extension(struct ex *ex, struct cur *c)
{
	struct qname q;

	(void)if_not_exists(c);
	if (!read_qname(c, &q))
		return;
	set_name(ex, &q.part[1], &ex->nam);
	add(ex, DDL_EXTENSION, "", "", ex->nam.s);
}

/*
 * CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY]
 * table. An unnamed index is named by the server: not listed. On PG the
 * index is in its table's schema; on SQLite its own name says which.
 */
static void
create_index(struct ex *ex, struct cur *c)
{
	struct qname q, tq;

	(void)accept(c, "concurrently");
	(void)if_not_exists(c);
	if (is_kw(&c->t, "on") || !read_qname(c, &q))
		return;
	if (!accept(c, "on"))
		return;
	(void)accept(c, "only");
	if (!read_qname(c, &tq))
		return;
	table_ref(ex, &tq);
	set_name(ex, &q.part[1], &ex->nam);
	if (ex->d->schema_on_name && q.n == 2)
		set_name(ex, &q.part[0], &ex->sch);
	add(ex, DDL_INDEX, ex->sch.s, ex->tab.s, ex->nam.s);
}

/*
 * CREATE [TEMP] TRIGGER [IF NOT EXISTS] name {BEFORE|AFTER|INSTEAD OF}
 * events ON table: the first ON after the name is the table's (a column
 * named "on" would need quotes).
 */
static void
create_trigger(struct ex *ex, struct cur *c, int temp)
{
	struct qname q, tq;

	(void)if_not_exists(c);
	if (!read_qname(c, &q))
		return;
	while (!at_end(c) && !is_kw(&c->t, "on"))
		next(c);
	if (!accept(c, "on") || !read_qname(c, &tq))
		return;
	table_ref(ex, &tq);
	if (temp) {
		rk_buf_reset(&ex->sch);
		rk_buf_adds(&ex->sch, ex->temp);
	} else if (ex->d->schema_on_name && q.n == 2) {
		set_name(ex, &q.part[0], &ex->sch);
	}
	set_name(ex, &q.part[1], &ex->nam);
	add(ex, DDL_TRIGGER, ex->sch.s, ex->tab.s, ex->nam.s);
}

static void create_stmt(struct ex *ex, struct cur *c);

/*
 * CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role] [elements], or
 * CREATE SCHEMA AUTHORIZATION role (the schema takes the role's name; an
 * unquoted CURRENT_USER and the like name no role we can know). Elements
 * are CREATE statements without a ';', in the new schema.
 */
static void
create_schema(struct ex *ex, struct cur *c)
{
	struct ident id;

	(void)if_not_exists(c);
	if (accept(c, "authorization")) {
		if (is_kw(&c->t, "current_user") ||
		    is_kw(&c->t, "session_user") ||
		    is_kw(&c->t, "current_role") || !read_ident(c, &id))
			return;
	} else if (!read_ident(c, &id)) {
		return;
	} else if (accept(c, "authorization")) {
		next(c);
	}
	set_name(ex, &id, &ex->dflt_buf);
	add(ex, DDL_SCHEMA, "", "", ex->dflt_buf.s);
	ex->dflt = ex->dflt_buf.s;
	while (!at_end(c)) {
		if (accept(c, "create"))
			create_stmt(ex, c);
		else
			next(c);
	}
	ex->dflt = NULL;
}

/* CREATE [OR REPLACE] [modifiers] kind ...: c is past CREATE. */
static void
create_stmt(struct ex *ex, struct cur *c)
{
	static const char *const modifiers[] = {
		"local",      "global",	   "unlogged", "unique",
		"constraint", "recursive", "virtual",
	};
	enum ddl_type t;
	int temp = 0;
	size_t i;

	for (;;) {
		if (accept_seq(c, "or", "replace", NULL))
			continue;
		if (accept(c, "temp") || accept(c, "temporary")) {
			temp = 1;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(modifiers); i++)
			if (accept(c, modifiers[i]))
				break;
		if (i == ARRAY_SIZE(modifiers))
			break;
	}
	if (!object_kind(c, &t))
		return;
	switch (t) {
	case DDL_INDEX:
		create_index(ex, c);
		break;
	case DDL_TRIGGER:
		create_trigger(ex, c, temp);
		break;
	case DDL_SCHEMA:
		if (!ex->dflt) /* schema elements hold no schemas */
			create_schema(ex, c);
		break;
	case DDL_EXTENSION:
		create_extension(ex, c);
		break;
	case DDL_TABLE:
	case DDL_FUNCTION:
	case DDL_PROCEDURE:
	case DDL_TYPE:
	case DDL_DOMAIN:
	case DDL_VIEW:
	case DDL_MATVIEW:
	case DDL_SEQUENCE:
		create_named(ex, c, t, temp);
		break;
	case DDL_COLUMN:
	case DDL_CONSTRAINT:
		break;
	}
}

/* ADD [COLUMN] / ADD CONSTRAINT name: list it on the table in sch, tab. */
static void
add_item(struct ex *ex, struct cur *c, enum ddl_type t)
{
	struct ident id;

	if (!read_ident(c, &id))
		return;
	set_name(ex, &id, &ex->nam);
	add(ex, t, ex->sch.s, ex->tab.s, ex->nam.s);
}

/* DROP [COLUMN] / DROP CONSTRAINT name on the table in sch, tab. */
static void
drop_item(struct ex *ex, struct cur *c, enum ddl_type t)
{
	struct ident id;
	size_t idx;

	(void)if_exists(c);
	if (!read_ident(c, &id))
		return;
	set_name(ex, &id, &ex->nam);
	idx = find(ex, t, ex->sch.s, ex->tab.s, ex->nam.s, 1);
	if (idx != DDL_NONE)
		ddl_list_remove(ex->out, idx);
}

/* Words that start an unnamed table constraint after ADD. */
static int
is_constraint_start(const struct tok *t)
{
	return is_kw(t, "check") || is_kw(t, "unique") || is_kw(t, "primary") ||
	       is_kw(t, "foreign") || is_kw(t, "exclude");
}

/* One ALTER TABLE action: only ADD and DROP of columns and constraints. */
static void
table_action(struct ex *ex, struct cur *c)
{
	if (accept(c, "add")) {
		if (accept(c, "constraint"))
			add_item(ex, c, DDL_CONSTRAINT);
		else if (is_constraint_start(&c->t))
			return; /* named by the server */
		else {
			(void)accept(c, "column");
			(void)if_not_exists(c);
			add_item(ex, c, DDL_COLUMN);
		}
	} else if (accept(c, "drop")) {
		if (accept(c, "constraint"))
			drop_item(ex, c, DDL_CONSTRAINT);
		else {
			(void)accept(c, "column");
			drop_item(ex, c, DDL_COLUMN);
		}
	}
}

/* Rename the listed table-like object sch.tab to name, and its parts. */
static void
rename_table(struct ex *ex, const char *name)
{
	static const enum ddl_type rels[] = {
		DDL_TABLE, DDL_VIEW, DDL_MATVIEW, DDL_SEQUENCE, DDL_INDEX,
	};
	size_t i, idx;

	for (i = 0; i < ARRAY_SIZE(rels); i++) {
		idx = find(ex, rels[i], ex->sch.s, "", ex->tab.s, 1);
		if (idx != DDL_NONE) {
			rename_to(ex, idx, name);
			break;
		}
	}
	each_in(ex, ex->sch.s, ex->tab.s, 0, retable_fn, name);
}

/*
 * ALTER TABLE t RENAME TO n, RENAME [COLUMN] a TO b, RENAME CONSTRAINT
 * a TO b: c is past RENAME, sch and tab hold the table.
 */
static void
table_rename(struct ex *ex, struct cur *c)
{
	enum ddl_type t = DDL_COLUMN;
	struct ident from, to;
	size_t idx;

	if (accept(c, "to")) {
		if (read_ident(c, &to)) {
			set_name(ex, &to, &ex->nnam);
			if (*ex->nnam.s) /* the server refuses "" */
				rename_table(ex, ex->nnam.s);
		}
		return;
	}
	if (accept(c, "constraint"))
		t = DDL_CONSTRAINT;
	else
		(void)accept(c, "column");
	if (!read_ident(c, &from) || !accept(c, "to") || !read_ident(c, &to))
		return;
	set_name(ex, &from, &ex->nam);
	set_name(ex, &to, &ex->nnam);
	if (!*ex->nnam.s)
		return;
	idx = find(ex, t, ex->sch.s, ex->tab.s, ex->nam.s, 1);
	if (idx != DDL_NONE)
		rename_to(ex, idx, ex->nnam.s);
}

/* ALTER [FOREIGN] TABLE [IF EXISTS] [ONLY] name [*] action [, ...] */
static void
alter_table(struct ex *ex, struct cur *c)
{
	struct qname q;

	(void)if_exists(c);
	(void)accept(c, "only");
	if (!read_qname(c, &q))
		return;
	if (is_op(&c->t, '*'))
		next(c);
	table_ref(ex, &q);
	if (accept(c, "rename")) {
		table_rename(ex, c);
		return;
	}
	do
		table_action(ex, c);
	while (next_action(c));
}

/* ALTER kind name [(args)] RENAME TO new, for kinds other than TABLE. */
static void
alter_rename(struct ex *ex, struct cur *c, enum ddl_type t)
{
	struct qname q, tq;
	struct ident to;
	size_t idx;

	(void)if_exists(c);
	if (!read_qname(c, &q))
		return;
	if (t == DDL_TRIGGER) { /* ALTER TRIGGER name ON table (PG) */
		if (!accept(c, "on") || !read_qname(c, &tq))
			return;
		table_ref(ex, &tq);
		set_name(ex, &q.part[1], &ex->nam);
	} else {
		set_qname(ex, &q, &ex->sch, &ex->nam);
		rk_buf_reset(&ex->tab);
		temp_first(ex, t, "", ex->nam.s);
	}
	if (c->t.kind == TK_LPAREN)
		skip_parens(c);
	if (!accept_seq(c, "rename", "to", NULL) || !read_ident(c, &to))
		return;
	set_name(ex, &to, &ex->nnam);
	if (!*ex->nnam.s)
		return;
	if (t == DDL_SCHEMA) /* its objects move with it */
		each_in(ex, ex->nam.s, NULL, 1, reschema_fn, ex->nnam.s);
	idx = find(ex, t, ex->sch.s, ex->tab.s, ex->nam.s, 1);
	if (idx != DDL_NONE)
		rename_to(ex, idx, ex->nnam.s);
}

/* ALTER kind ...: c is past ALTER. */
static void
alter_stmt(struct ex *ex, struct cur *c)
{
	enum ddl_type t;

	if (!object_kind(c, &t) || t == DDL_EXTENSION)
		return;
	if (t == DDL_TABLE)
		alter_table(ex, c);
	else
		alter_rename(ex, c, t);
}

/*
 * DROP TRIGGER [IF EXISTS] name ON table (PG), or DROP TRIGGER [IF EXISTS]
 * [schema.]name (SQLite: trigger names are unique in their schema).
 */
static void
drop_trigger(struct ex *ex, struct cur *c)
{
	struct qname q, tq;
	size_t i;

	if (!read_qname(c, &q))
		return;
	set_name(ex, &q.part[1], &ex->nam);
	if (accept(c, "on")) {
		size_t idx;

		if (!read_qname(c, &tq))
			return;
		table_ref(ex, &tq);
		idx = find(ex, DDL_TRIGGER, ex->sch.s, ex->tab.s, ex->nam.s, 1);
		if (idx != DDL_NONE)
			ddl_list_remove(ex->out, idx);
		return;
	}
	set_qname(ex, &q, &ex->sch, &ex->nam);
	for (i = 0; i < ex->out->n; i++) {
		const struct ddl_object *o = &ex->out->v[i];

		if (o->mem && o->type == DDL_TRIGGER &&
		    ddl_name_eq(ex->out, o->name, ex->nam.s) &&
		    schema_match(ex, o->schema, ex->sch.s)) {
			ddl_list_remove(ex->out, i);
			return;
		}
	}
}

/* One name of DROP kind name [, ...]: it and what it holds go. */
static void
drop_one(struct ex *ex, enum ddl_type t, const struct qname *q)
{
	size_t idx;

	set_qname(ex, q, &ex->sch, &ex->nam);
	temp_first(ex, t, "", ex->nam.s);
	idx = find(ex, t, ex->sch.s, "", ex->nam.s, 1);
	if (idx != DDL_NONE)
		ddl_list_remove(ex->out, idx);
	if (t == DDL_TABLE)
		each_in(ex, ex->sch.s, ex->nam.s, 0, remove_fn, NULL);
	else if (t == DDL_SCHEMA) /* CASCADE, or it holds nothing */
		each_in(ex, ex->nam.s, NULL, 1, remove_fn, NULL);
}

/* DROP kind [CONCURRENTLY] [IF EXISTS] name [(args)] [, ...] */
static void
drop_stmt(struct ex *ex, struct cur *c)
{
	enum ddl_type t;
	struct qname q;

	if (!object_kind(c, &t))
		return;
	if (t == DDL_INDEX)
		(void)accept(c, "concurrently");
	(void)if_exists(c);
	if (t == DDL_TRIGGER) {
		drop_trigger(ex, c);
		return;
	}
	while (read_qname(c, &q)) {
		if (c->t.kind == TK_LPAREN)
			skip_parens(c);
		drop_one(ex, t, &q);
		if (c->t.kind != TK_COMMA)
			break;
		next(c);
	}
}

/* One statement s[off..off+len). */
static void
statement(struct ex *ex, const char *s, size_t off, size_t len)
{
	struct cur c = {
		.s = s,
		.i = off,
		.end = off + len,
		.d = ex->d,
	};

	next(&c);
	if (accept(&c, "create"))
		create_stmt(ex, &c);
	else if (accept(&c, "alter"))
		alter_stmt(ex, &c);
	else if (accept(&c, "drop"))
		drop_stmt(ex, &c);
}

int
ddl_extract(const char *s, size_t n, const struct sql_dialect *d,
	    struct ddl_list *out, struct rk_err *err)
{
	struct sql_stmt_list stmts = SQL_STMT_LIST_INIT;
	struct ex ex = {
		.d = d,
		.temp = d->temp_schema,
		.out = out,
		.dflt_buf = RK_BUF_INIT,
		.sch = RK_BUF_INIT,
		.tab = RK_BUF_INIT,
		.nam = RK_BUF_INIT,
		.obj = RK_BUF_INIT,
		.nnam = RK_BUF_INIT,
	};
	size_t i;

	if (sql_split(s, n, d, &stmts, err) < 0) {
		sql_stmt_list_release(&stmts);
		return -1;
	}
	if (!out->n)
		out->nocase = !d->fold_idents;
	for (i = 0; i < stmts.n; i++) {
		ex.stmt = (unsigned)i;
		statement(&ex, s, stmts.v[i].off, stmts.v[i].len);
	}
	compact(&ex);
	rk_buf_release(&ex.dflt_buf);
	rk_buf_release(&ex.sch);
	rk_buf_release(&ex.tab);
	rk_buf_release(&ex.nam);
	rk_buf_release(&ex.obj);
	rk_buf_release(&ex.nnam);
	sql_stmt_list_release(&stmts);
	return 0;
}
