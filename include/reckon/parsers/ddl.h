/*
 * The DDL object extractor (parsers/ddl.c): which schema objects a migration
 * file leaves behind, read from the lexer's tokens (sql.h), so that strings,
 * comments and dollar-quoted or BEGIN ATOMIC bodies never confuse it. It
 * knows the heads of CREATE TABLE / INDEX / FUNCTION / PROCEDURE / TYPE /
 * DOMAIN / VIEW / MATERIALIZED VIEW / SEQUENCE / SCHEMA / EXTENSION / TRIGGER
 * and of ALTER TABLE ... ADD COLUMN / ADD CONSTRAINT, plus the DROP and
 * RENAME statements that undo or rename what the same file created. Names
 * come out as the database stores them. It does not validate SQL (the
 * server does), look inside DO blocks or function bodies, or touch a
 * database: schema_check.h compares the result with a live catalog.
 */
#ifndef RECKON_DDL_H
#define RECKON_DDL_H

#include <stddef.h>

struct ddl_slot;
struct rk_buf;
struct rk_err;
struct sql_dialect;

/* The kinds of object; ddl_type_name() spells them for output. */
enum ddl_type {
	DDL_TABLE,	/* "table": also FOREIGN and SQLite VIRTUAL tables */
	DDL_INDEX,	/* "index" */
	DDL_FUNCTION,	/* "function": all overloads are one object */
	DDL_PROCEDURE,	/* "procedure" */
	DDL_TYPE,	/* "type": enum, composite, range, base, shell */
	DDL_DOMAIN,	/* "domain" */
	DDL_VIEW,	/* "view" */
	DDL_MATVIEW,	/* "matview": a materialized view */
	DDL_SEQUENCE,	/* "sequence" */
	DDL_SCHEMA,	/* "schema" */
	DDL_EXTENSION,	/* "extension" */
	DDL_TRIGGER,	/* "trigger": object "table.trigger" */
	DDL_COLUMN,	/* "column": ALTER TABLE ADD; object "table.column" */
	DDL_CONSTRAINT, /* "constraint": ADD CONSTRAINT; "table.constraint" */
};
#define DDL_NTYPES (DDL_CONSTRAINT + 1)

/*
 * One object. Names are stored as the database stores them: on PostgreSQL
 * unquoted identifiers are folded to lower case (ASCII only, as the server
 * does in UTF-8) and every name is truncated to 63 bytes on a character
 * boundary; on SQLite names keep the case they were written in and are not
 * truncated. All four strings are NUL-terminated and live in mem.
 */
struct ddl_object {
	enum ddl_type type;
	unsigned stmt_index; /* 0-based: sql_split()'s statement creating it,
			      * in the input of the call that listed it */
	const char *schema;  /* as written, "" when unqualified; an index,
			      * trigger, column or constraint has its
			      * table's schema (on SQLite, as written on
			      * the index or trigger name) */
	const char *table;   /* index, trigger, column, constraint: the
			      * table's name; "" for other kinds */
	const char *name;    /* the object's own name */
	const char *object;  /* name, or "table.name" for a trigger, column
			      * or constraint: SPEC.md's "object" */
	char *mem;	     /* owned: the block the four strings live in */
};

/*
 * Objects in creation order, with a hash index on (type, object) that
 * keeps each (type, schema, object) once. Between ddl_list_remove() and
 * ddl_list_compact() a removed object stays in v with mem NULL.
 */
struct ddl_list {
	struct ddl_object *v; /* owned */
	size_t n;
	size_t cap;
	struct ddl_slot *slot; /* owned: the index (ddl_list.c) */
	size_t nslot;	       /* 0 or a power of 2 */
	size_t nused;	       /* slots not empty */
	int nocase; /* names compare ignoring ASCII case (SQLite): set
		     * before the first add */
};
#define DDL_LIST_INIT                                                          \
	{                                                                      \
		NULL, 0, 0, NULL, 0, 0, 0                                      \
	}
#define DDL_NONE ((size_t)-1) /* no such object */

/* Free every object, the array and the index; l is then DDL_LIST_INIT. */
void ddl_list_release(struct ddl_list *l);

/*
 * Append the object (t, schema, table, name) made by statement stmt_index
 * (strings copied) unless the same (t, schema, object) is listed; returns
 * the index of the new or listed object. table is "" unless
 * ddl_type_has_table(t).
 */
size_t ddl_list_add(struct ddl_list *l, enum ddl_type t, const char *schema,
		    const char *table, const char *name, unsigned stmt_index);

/*
 * The index of the listed object of type t whose object string is object
 * (name, or table.name) and whose schema is schema; if there is none, the
 * first for which also(schema, its schema, arg) returns non-zero (also
 * NULL: none); else DDL_NONE.
 */
size_t ddl_list_find(const struct ddl_list *l, enum ddl_type t,
		     const char *schema, const char *object,
		     int (*also)(const char *want, const char *have,
				 const void *arg),
		     const void *arg);

/* Remove object i (it stays as a hole until ddl_list_compact()). */
void ddl_list_remove(struct ddl_list *l, size_t i);

/*
 * Give object i new names (the arguments may be its current strings); if
 * that makes it a repeat of another listed object, it is removed.
 */
void ddl_list_rename(struct ddl_list *l, size_t i, const char *schema,
		     const char *table, const char *name);

/* Close the holes removed objects left, keeping the order. */
void ddl_list_compact(struct ddl_list *l);

/* Whether two names are the same under l's rules (nocase or exact). */
int ddl_name_eq(const struct ddl_list *l, const char *a, const char *b);

/* 1 for the kinds on a table: index, trigger, column, constraint. */
int ddl_type_has_table(enum ddl_type t);

/*
 * "table", "index", ... "constraint" as listed in enum ddl_type; a static
 * string. An out-of-range value is a bug (rk_bug).
 */
const char *ddl_type_name(enum ddl_type t);

/* The type spelled name (as ddl_type_name gives it): 0, or -1 if none. */
int ddl_type_from_name(const char *name, enum ddl_type *out);

/*
 * Append to out the name an identifier token s[0..n) stands for (a
 * TK_WORD or TK_QIDENT of dialect d, as sql_token() cuts it), as d's
 * database stores it: quotes removed and doubled quotes undoubled ("a""b",
 * [a b], `a``b`), U&"..." escapes decoded (esc is its escape character:
 * '\\', or what UESCAPE gave); on PG an unquoted name folded to lower case
 * (ASCII letters only, as in a UTF-8 database) and every name truncated to
 * 63 bytes on a UTF-8 character boundary. Returns 1 if it truncated, else
 * 0.
 */
int ddl_ident_name(const char *s, size_t n, const struct sql_dialect *d,
		   char esc, struct rk_buf *out);

/*
 * Append to out the objects that s[0..n) (a whole migration file, split as
 * sql_split() splits it) creates, in the order their statements come:
 * - each object once: CREATE OR REPLACE, IF NOT EXISTS and overloaded
 *   functions repeat a name, which is listed at its first statement (on
 *   SQLite, where names ignore ASCII case, "Users" repeats "users"); an
 *   object already in out is not listed again;
 * - implicit objects are not listed: serial sequences, inline and unnamed
 *   constraints, unnamed indexes, CREATE TABLE's own columns, CREATE TYPE
 *   AS RANGE's multirange;
 * - TEMP objects (and objects in pg_temp or SQLite's temp schema, and the
 *   indexes, triggers and columns of a temporary table the file creates)
 *   are not listed: they are gone when the session ends;
 * - net effect: an object the file creates and later drops is not listed,
 *   and one it renames is listed under its new name (DROP and ALTER ...
 *   RENAME of a table, view, materialized view, index, sequence, type,
 *   domain, schema, function, procedure, trigger, column or constraint;
 *   dropping a table drops its listed indexes, triggers, columns and
 *   constraints too; DROP FUNCTION drops all overloads), including
 *   objects out held before the call. A drop or rename matches the listed
 *   object with the same name and schema; failing that, one where either
 *   schema is unwritten (never a temporary one). An unqualified name means
 *   the file's temporary object of that name first, as pg_temp leads the
 *   search_path.
 * CREATE SCHEMA's elements are listed in that schema. Statements that are
 * not DDL, or not valid SQL, add nothing. An empty out takes nocase from
 * d. Returns 0; or -1 with err set (RK_INPUT, as sql_split() words it) if
 * a quote or comment is not closed, leaving out as it was.
 * XXX: objects made by EXECUTE in DO blocks and functions, SELECT INTO and
 * ALTER ... SET SCHEMA are not seen.
 */
int ddl_extract(const char *s, size_t n, const struct sql_dialect *d,
		struct ddl_list *out, struct rk_err *err);

#endif
