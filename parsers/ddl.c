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
 * exist (core/schema_check.c).
 */
#include "reckon/parsers/ddl.h"

#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"
#include "ddl_int.h"

#include "reckon/base/banned.h"

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
	ddl_set_qname(ex, q, &ex->sch, &ex->tab);
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
		ddl_add_name(ex, &q->part[0], &ex->sch);
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

	if (ddl_accept_seq(c, "materialized", "view", NULL)) {
		*t = DDL_MATVIEW;
		return 1;
	}
	if (ddl_accept_seq(c, "foreign", "table", NULL)) {
		*t = DDL_TABLE;
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (ddl_accept(c, kinds[i].word)) {
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

	(void)ddl_if_not_exists(c);
	if (!ddl_read_qname(c, &q))
		return;
	new_schema(ex, &q, temp);
	ddl_set_name(ex, &q.part[1], &ex->nam);
	add(ex, t, ex->sch.s, "", ex->nam.s);
}

/* CREATE EXTENSION [IF NOT EXISTS] name: extensions have no schema. */
static void
create_extension(struct ex *ex, struct cur *c)
{
	struct qname q;

	(void)ddl_if_not_exists(c);
	if (!ddl_read_qname(c, &q))
		return;
	ddl_set_name(ex, &q.part[1], &ex->nam);
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

	(void)ddl_accept(c, "concurrently");
	(void)ddl_if_not_exists(c);
	if (ddl_is_kw(&c->t, "on") || !ddl_read_qname(c, &q))
		return;
	if (!ddl_accept(c, "on"))
		return;
	(void)ddl_accept(c, "only");
	if (!ddl_read_qname(c, &tq))
		return;
	table_ref(ex, &tq);
	ddl_set_name(ex, &q.part[1], &ex->nam);
	if (ex->d->schema_on_name && q.n == 2)
		ddl_set_name(ex, &q.part[0], &ex->sch);
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

	(void)ddl_if_not_exists(c);
	if (!ddl_read_qname(c, &q))
		return;
	while (!ddl_at_end(c) && !ddl_is_kw(&c->t, "on"))
		ddl_next(c);
	if (!ddl_accept(c, "on") || !ddl_read_qname(c, &tq))
		return;
	table_ref(ex, &tq);
	if (temp) {
		rk_buf_reset(&ex->sch);
		rk_buf_adds(&ex->sch, ex->temp);
	} else if (ex->d->schema_on_name && q.n == 2) {
		ddl_set_name(ex, &q.part[0], &ex->sch);
	}
	ddl_set_name(ex, &q.part[1], &ex->nam);
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

	(void)ddl_if_not_exists(c);
	if (ddl_accept(c, "authorization")) {
		if (ddl_is_kw(&c->t, "current_user") ||
		    ddl_is_kw(&c->t, "session_user") ||
		    ddl_is_kw(&c->t, "current_role") || !ddl_read_ident(c, &id))
			return;
	} else if (!ddl_read_ident(c, &id)) {
		return;
	} else if (ddl_accept(c, "authorization")) {
		ddl_next(c);
	}
	ddl_set_name(ex, &id, &ex->dflt_buf);
	add(ex, DDL_SCHEMA, "", "", ex->dflt_buf.s);
	ex->dflt = ex->dflt_buf.s;
	while (!ddl_at_end(c)) {
		if (ddl_accept(c, "create"))
			create_stmt(ex, c);
		else
			ddl_next(c);
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
		if (ddl_accept_seq(c, "or", "replace", NULL))
			continue;
		if (ddl_accept(c, "temp") || ddl_accept(c, "temporary")) {
			temp = 1;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(modifiers); i++)
			if (ddl_accept(c, modifiers[i]))
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

	if (!ddl_read_ident(c, &id))
		return;
	ddl_set_name(ex, &id, &ex->nam);
	add(ex, t, ex->sch.s, ex->tab.s, ex->nam.s);
}

/* DROP [COLUMN] / DROP CONSTRAINT name on the table in sch, tab. */
static void
drop_item(struct ex *ex, struct cur *c, enum ddl_type t)
{
	struct ident id;
	size_t idx;

	(void)ddl_if_exists(c);
	if (!ddl_read_ident(c, &id))
		return;
	ddl_set_name(ex, &id, &ex->nam);
	idx = find(ex, t, ex->sch.s, ex->tab.s, ex->nam.s, 1);
	if (idx != DDL_NONE)
		ddl_list_remove(ex->out, idx);
}

/* Words that start an unnamed table constraint after ADD. */
static int
is_constraint_start(const struct tok *t)
{
	return ddl_is_kw(t, "check") || ddl_is_kw(t, "unique") ||
	       ddl_is_kw(t, "primary") || ddl_is_kw(t, "foreign") ||
	       ddl_is_kw(t, "exclude");
}

/* One ALTER TABLE action: only ADD and DROP of columns and constraints. */
static void
table_action(struct ex *ex, struct cur *c)
{
	if (ddl_accept(c, "add")) {
		if (ddl_accept(c, "constraint"))
			add_item(ex, c, DDL_CONSTRAINT);
		else if (is_constraint_start(&c->t))
			return; /* named by the server */
		else {
			(void)ddl_accept(c, "column");
			(void)ddl_if_not_exists(c);
			add_item(ex, c, DDL_COLUMN);
		}
	} else if (ddl_accept(c, "drop")) {
		if (ddl_accept(c, "constraint"))
			drop_item(ex, c, DDL_CONSTRAINT);
		else {
			(void)ddl_accept(c, "column");
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

	if (ddl_accept(c, "to")) {
		if (ddl_read_ident(c, &to)) {
			ddl_set_name(ex, &to, &ex->nnam);
			if (*ex->nnam.s) /* the server refuses "" */
				rename_table(ex, ex->nnam.s);
		}
		return;
	}
	if (ddl_accept(c, "constraint"))
		t = DDL_CONSTRAINT;
	else
		(void)ddl_accept(c, "column");
	if (!ddl_read_ident(c, &from) || !ddl_accept(c, "to") ||
	    !ddl_read_ident(c, &to))
		return;
	ddl_set_name(ex, &from, &ex->nam);
	ddl_set_name(ex, &to, &ex->nnam);
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

	(void)ddl_if_exists(c);
	(void)ddl_accept(c, "only");
	if (!ddl_read_qname(c, &q))
		return;
	if (ddl_is_op(&c->t, '*'))
		ddl_next(c);
	table_ref(ex, &q);
	if (ddl_accept(c, "rename")) {
		table_rename(ex, c);
		return;
	}
	do
		table_action(ex, c);
	while (ddl_next_action(c));
}

/* ALTER kind name [(args)] RENAME TO new, for kinds other than TABLE. */
static void
alter_rename(struct ex *ex, struct cur *c, enum ddl_type t)
{
	struct qname q, tq;
	struct ident to;
	size_t idx;

	(void)ddl_if_exists(c);
	if (!ddl_read_qname(c, &q))
		return;
	if (t == DDL_TRIGGER) { /* ALTER TRIGGER name ON table (PG) */
		if (!ddl_accept(c, "on") || !ddl_read_qname(c, &tq))
			return;
		table_ref(ex, &tq);
		ddl_set_name(ex, &q.part[1], &ex->nam);
	} else {
		ddl_set_qname(ex, &q, &ex->sch, &ex->nam);
		rk_buf_reset(&ex->tab);
		temp_first(ex, t, "", ex->nam.s);
	}
	if (c->t.kind == TK_LPAREN)
		ddl_skip_parens(c);
	if (!ddl_accept_seq(c, "rename", "to", NULL) || !ddl_read_ident(c, &to))
		return;
	ddl_set_name(ex, &to, &ex->nnam);
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

	if (!ddl_read_qname(c, &q))
		return;
	ddl_set_name(ex, &q.part[1], &ex->nam);
	if (ddl_accept(c, "on")) {
		size_t idx;

		if (!ddl_read_qname(c, &tq))
			return;
		table_ref(ex, &tq);
		idx = find(ex, DDL_TRIGGER, ex->sch.s, ex->tab.s, ex->nam.s, 1);
		if (idx != DDL_NONE)
			ddl_list_remove(ex->out, idx);
		return;
	}
	ddl_set_qname(ex, &q, &ex->sch, &ex->nam);
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

	ddl_set_qname(ex, q, &ex->sch, &ex->nam);
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
		(void)ddl_accept(c, "concurrently");
	(void)ddl_if_exists(c);
	if (t == DDL_TRIGGER) {
		drop_trigger(ex, c);
		return;
	}
	while (ddl_read_qname(c, &q)) {
		if (c->t.kind == TK_LPAREN)
			ddl_skip_parens(c);
		drop_one(ex, t, &q);
		if (c->t.kind != TK_COMMA)
			break;
		ddl_next(c);
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

	ddl_next(&c);
	if (ddl_accept(&c, "create"))
		create_stmt(ex, &c);
	else if (ddl_accept(&c, "alter"))
		alter_stmt(ex, &c);
	else if (ddl_accept(&c, "drop"))
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
