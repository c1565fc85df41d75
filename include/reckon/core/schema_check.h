/*
 * Existence checks of the objects a migration creates (ddl.h) against a live
 * catalog, through db.h: on PostgreSQL pg_catalog by schema and kind, an
 * unqualified name looked up along the session's search_path (as
 * current_schemas(false) lists it); on SQLite sqlite_schema of each attached
 * database and pragma_table_xinfo. One parameterised query per object; no
 * value is formatted into SQL (SQLite schema names go through
 * db_quote_ident). Not here: deciding what to do with the answer (the
 * detect-schema and adopt ops).
 */
#ifndef RECKON_SCHEMA_CHECK_H
#define RECKON_SCHEMA_CHECK_H

#include <stddef.h>

struct db;
struct ddl_list;
struct rk_err;

/* What the catalog says about one object. */
struct schema_found {
	int exists;   /* 1 if the catalog holds it, else 0 */
	char *schema; /* owned: the schema (SQLite: database) it is in: as
		       * written, or the default schema, or where the
		       * search_path found it (on PG, or its table); NULL
		       * when unqualified and not found, and for schemas
		       * and extensions, which have none */
};

struct schema_check {
	struct schema_found *v; /* owned: v[i] is about the list's v[i] */
	size_t n;
};
#define SCHEMA_CHECK_INIT                                                      \
	{                                                                      \
		NULL, 0                                                        \
	}

void schema_check_release(struct schema_check *c);

/*
 * Look up every object of l (a compacted list, as ddl_extract() leaves
 * it) in db and fill out (which must be SCHEMA_CHECK_INIT) with one
 * answer per object, in order. dflt_schema, when not NULL, is where
 * unqualified names are looked for (reckon's --schema) instead of the
 * search_path (PG) or temp, main and the attached databases in order
 * (SQLite). How each kind is found:
 * - PG: table (relkind r, p, f), view (v), matview (m), sequence (S) by
 *   pg_class; type (any pg_type but domains and tables' row types) and
 *   domain by pg_type; function (prokind f, w) and procedure (p) by
 *   pg_proc; schema by pg_namespace; extension by pg_extension; index,
 *   trigger (not internal), column (not dropped) and constraint on their
 *   table, which is found first (the table's name is looked up as a
 *   table, partitioned or foreign table, view or matview).
 * - SQLite: table, view, index and trigger by sqlite_schema (index and
 *   trigger on their table), column by pragma_table_xinfo, all ignoring
 *   ASCII case as SQLite does; other kinds do not exist in SQLite and are
 *   never found.
 * Returns 0, or -1 with err set (RK_DB, the message naming the object)
 * if a query fails; out is then empty.
 */
int schema_check(struct db *db, const struct ddl_list *l,
		 const char *dflt_schema, struct schema_check *out,
		 struct rk_err *err);

#endif
