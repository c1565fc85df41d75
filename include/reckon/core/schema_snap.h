/*
 * A database's schema as a sorted list of objects read from its catalog
 * (schema_snap.c), and the pure comparison of two such lists (schema_cmp.c)
 * that verify and diff report. Definitions come from the server's own
 * functions (PostgreSQL pg_get_indexdef, pg_get_constraintdef,
 * pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef, format_type;
 * SQLite sqlite_schema with pragma_table_xinfo, pragma_index_list,
 * pragma_index_xinfo and pragma_foreign_key_list), never from dump text.
 * Owners and privileges are not read. Not here: building or restoring the
 * databases compared (scratch.h).
 */
#ifndef RECKON_SCHEMA_SNAP_H
#define RECKON_SCHEMA_SNAP_H

#include <stddef.h>

struct db;
struct rk_err;

/* One object of a schema; every string owned, never NULL. */
struct schema_obj {
	char *kind;   /* "table", "column", "index", "constraint", "view",
		       * "materialized view", "sequence", "function",
		       * "procedure", "trigger", "type", "domain", "schema",
		       * "extension", "foreign key" (SQLite) */
	char *schema; /* "public"; SQLite "main" */
	char *table;  /* the table a column, index, constraint or trigger
		       * is on (a sequence: the table owning it); else "" */
	char *name;   /* a function's name carries its argument types */
	char *type;   /* a column's type as format_type() prints it (SQLite:
		       * the declared type, lower case); else "" */
	char *dflt;   /* a column's default expression, or "" */
	char *def;    /* the definition the server prints, with the
		       * object's own schema name taken out; a column:
		       * identity or generation, key position ("") */
	int notnull;  /* a column: NOT NULL */
	long pos;     /* a column: its position in the table */
};

struct schema_snap {
	struct schema_obj *v; /* owned, sorted by kind, schema, table, name */
	size_t n;
	size_t cap;
};
#define SCHEMA_SNAP_INIT                                                       \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void schema_snap_release(struct schema_snap *s);

/*
 * Append an object (the strings are copied; NULL reads as "") and keep
 * nothing sorted: schema_snap_sort() does that once all are in.
 */
struct schema_obj *schema_snap_add(struct schema_snap *s, const char *kind,
				   const char *schema, const char *table,
				   const char *name);
void schema_snap_sort(struct schema_snap *s);

/*
 * Read every user object of db into out (SCHEMA_SNAP_INIT), sorted. The
 * tables called one of skip (NULL-terminated: the tracking tables, in
 * any schema) are left out together with their columns, indexes,
 * constraints, triggers and owned sequences; on PostgreSQL so are the
 * system schemas and whatever an extension owns. Returns 0, or -1 with
 * err set (RK_DB) and out empty.
 */
int schema_snap_read(struct db *db, const char *const *skip,
		     struct schema_snap *out, struct rk_err *err);

/* How two schemas differ in one place. */
enum schema_change_kind {
	SC_ONLY_A,  /* the object is only in the first schema */
	SC_ONLY_B,  /* only in the second */
	SC_CHANGED, /* in both, one field differs */
	SC_ORDER,   /* informational: a table's columns in another order */
	SC_NKINDS
};

struct schema_change {
	enum schema_change_kind what;
	const char *field; /* static: SC_CHANGED "type", "nullable",
			    * "default", "definition"; SC_ORDER "column
			    * order"; NULL otherwise */
	char *kind;	   /* owned: the object's, as in schema_obj */
	char *schema;	   /* owned */
	char *table;	   /* owned, "" when none */
	char *name;	   /* owned */
	char *a;	   /* owned: the field's value in the first schema,
			    * NULL for SC_ONLY_*; SC_ORDER: the common
			    * columns in its order, "a, b, c" */
	char *b;	   /* owned: the same in the second */
};

struct schema_diff {
	struct schema_change *v; /* owned, in the order of the objects */
	size_t n;
	size_t cap;
	size_t count[SC_NKINDS]; /* how many of each */
};
#define SCHEMA_DIFF_INIT                                                       \
	{                                                                      \
		NULL, 0, 0,                                                    \
		{                                                              \
			0                                                      \
		}                                                              \
	}
void schema_diff_release(struct schema_diff *d);

/*
 * Pure: compare the sorted snapshots a and b into out (SCHEMA_DIFF_INIT).
 * A column, index or constraint of a table that exists on one side only
 * is not listed again beside its table. Column order is compared only for
 * the columns both sides have, and reported as SC_ORDER.
 */
void schema_compare(const struct schema_snap *a, const struct schema_snap *b,
		    struct schema_diff *out);

/* Differences that count (everything but SC_ORDER). */
size_t schema_diff_real(const struct schema_diff *d);

/* "only_a", "only_b", "changed", "column_order": the renderers put the
 * sides' own names ("live", "migrations") in place of a and b. */
const char *schema_change_name(enum schema_change_kind k);

#endif
