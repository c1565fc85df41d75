/*
 * Existence checks of extracted DDL objects against the live catalog: one
 * query per object, chosen by the object's kind from a table (PostgreSQL)
 * or built per attached database (SQLite, where the schema name is part of
 * the table's name and goes through db_quote_ident). Values are bound as
 * $n parameters. Every PostgreSQL query returns at most one row, (schema,
 * exists): no row means neither the object nor, for an index, trigger,
 * column or constraint, its table was found. Not here: extracting the
 * objects (parsers/ddl.c) or reporting them (the ops and renderers).
 */
#include "reckon/core/schema_check.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

/*
 * PostgreSQL. Parameters: $1 the object's name, $2 its schema (NULL: look
 * along the search_path), $3 its table's name (index, trigger, column,
 * constraint). PATH numbers the search_path's schemas; IN_SCHEMA(nsp)
 * holds for the schema $2 names or, with $2 NULL, for one on the path,
 * and ORDER BY path.ord then takes the first, as name lookup does.
 */
#define PATH                                                                   \
	"WITH path AS (SELECT p.name, p.ord FROM pg_catalog.unnest("           \
	"pg_catalog.current_schemas(false)) WITH ORDINALITY AS p(name, ord)) "
#define IN_SCHEMA                                                              \
	"CASE WHEN $2::pg_catalog.text IS NULL THEN path.ord IS NOT NULL "     \
	"ELSE n.nspname = $2::pg_catalog.name END "

/* A pg_class relation named $1 of the given relkinds. */
#define REL(kinds)                                                             \
	PATH "SELECT n.nspname, true FROM pg_catalog.pg_class c "              \
	     "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "       \
	     "LEFT JOIN path ON path.name = n.nspname "                        \
	     "WHERE c.relname = $1::pg_catalog.name "                          \
	     "AND c.relkind IN (" kinds ") AND " IN_SCHEMA                     \
	     "ORDER BY path.ord LIMIT 1"

/* A pg_type named $1 passing cond. */
#define TYPE(cond)                                                             \
	PATH "SELECT n.nspname, true FROM pg_catalog.pg_type t "               \
	     "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "       \
	     "LEFT JOIN path ON path.name = n.nspname "                        \
	     "WHERE t.typname = $1::pg_catalog.name AND (" cond ") "           \
	     "AND " IN_SCHEMA "ORDER BY path.ord LIMIT 1"

/* A pg_proc named $1 of the given prokinds (PostgreSQL 11 and later). */
#define PROC(kinds)                                                            \
	PATH "SELECT n.nspname, true FROM pg_catalog.pg_proc p "               \
	     "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "       \
	     "LEFT JOIN path ON path.name = n.nspname "                        \
	     "WHERE p.proname = $1::pg_catalog.name "                          \
	     "AND p.prokind IN (" kinds ") AND " IN_SCHEMA                     \
	     "ORDER BY path.ord LIMIT 1"

/* The table $3 is found first; then whether exists_sql holds on it. */
#define ON_TABLE(exists_sql)                                                   \
	PATH ", tbl AS (SELECT c.oid, n.nspname "                              \
	     "FROM pg_catalog.pg_class c "                                     \
	     "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "       \
	     "LEFT JOIN path ON path.name = n.nspname "                        \
	     "WHERE c.relname = $3::pg_catalog.name "                          \
	     "AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND " IN_SCHEMA       \
	     "ORDER BY path.ord LIMIT 1) "                                     \
	     "SELECT tbl.nspname, EXISTS (" exists_sql ") FROM tbl"

/* How each kind is found on PostgreSQL: the query and its parameters. */
static const struct {
	int nparams; /* $1 name, $2 schema, $3 table: how many it takes */
	const char *sql;
} pg_queries[DDL_NTYPES] = {
	[DDL_TABLE] = { 2, REL("'r', 'p', 'f'") },
	[DDL_VIEW] = { 2, REL("'v'") },
	[DDL_MATVIEW] = { 2, REL("'m'") },
	[DDL_SEQUENCE] = { 2, REL("'S'") },
	/* not a domain, not a table's row type: enum, composite, range,
	 * multirange, base and shell types */
	[DDL_TYPE] = { 2, TYPE("t.typtype <> 'd' AND (t.typtype <> 'c' OR "
			       "EXISTS (SELECT 1 FROM pg_catalog.pg_class c "
			       "WHERE c.oid = t.typrelid "
			       "AND c.relkind = 'c'))") },
	[DDL_DOMAIN] = { 2, TYPE("t.typtype = 'd'") },
	[DDL_FUNCTION] = { 2, PROC("'f', 'w'") },
	[DDL_PROCEDURE] = { 2, PROC("'p'") },
	[DDL_SCHEMA] = { 1, "SELECT NULL::pg_catalog.text, true "
			    "FROM pg_catalog.pg_namespace "
			    "WHERE nspname = $1::pg_catalog.name" },
	[DDL_EXTENSION] = { 1, "SELECT NULL::pg_catalog.text, true "
			       "FROM pg_catalog.pg_extension "
			       "WHERE extname = $1::pg_catalog.name" },
	[DDL_INDEX] = { 3, ON_TABLE("SELECT 1 FROM pg_catalog.pg_index i "
				    "JOIN pg_catalog.pg_class ic "
				    "ON ic.oid = i.indexrelid "
				    "WHERE i.indrelid = tbl.oid "
				    "AND ic.relname = $1::pg_catalog.name") },
	[DDL_TRIGGER] = { 3, ON_TABLE("SELECT 1 FROM pg_catalog.pg_trigger g "
				      "WHERE g.tgrelid = tbl.oid "
				      "AND g.tgname = $1::pg_catalog.name "
				      "AND NOT g.tgisinternal") },
	[DDL_COLUMN] = { 3,
			 ON_TABLE("SELECT 1 FROM pg_catalog.pg_attribute a "
				  "WHERE a.attrelid = tbl.oid "
				  "AND a.attname = $1::pg_catalog.name "
				  "AND a.attnum > 0 AND NOT a.attisdropped") },
	[DDL_CONSTRAINT] = { 3,
			     ON_TABLE(
				     "SELECT 1 FROM pg_catalog.pg_constraint k "
				     "WHERE k.conrelid = tbl.oid "
				     "AND k.conname = $1::pg_catalog.name") },
};

void
schema_check_release(struct schema_check *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].schema);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* The schema to look in: as written, else dflt (NULL: the search path). */
static const char *
where(const struct ddl_object *o, const char *dflt)
{
	return *o->schema ? o->schema : dflt;
}

/* Add "checking <type> <schema.object>: " before err's message. */
static int
failed_on(const struct ddl_object *o, struct rk_err *err)
{
	rk_err_prefix(err, "checking %s %s%s%s", ddl_type_name(o->type),
		      o->schema, *o->schema ? "." : "", o->object);
	return -1;
}

static int
pg_check(struct db *db, const struct ddl_object *o, const char *dflt,
	 struct schema_found *f, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	const char *params[3];
	const char *schema, *exists;

	params[0] = o->name;
	params[1] = where(o, dflt);
	params[2] = o->table;
	if (db_query(db, pg_queries[o->type].sql, params,
		     pg_queries[o->type].nparams, &rows, err) < 0)
		return failed_on(o, err);
	if (rows.nrows == 0) {
		f->exists = 0;
		schema = o->type == DDL_SCHEMA || o->type == DDL_EXTENSION
				 ? NULL
				 : where(o, dflt);
	} else {
		schema = db_rows_get(&rows, 0, 0);
		exists = db_rows_get(&rows, 0, 1);
		f->exists = exists && !strcmp(exists, "t");
	}
	f->schema = schema ? xstrdup(schema) : NULL;
	db_rows_release(&rows);
	return 0;
}

/*
 * SQLite: the databases an object may be in, in lookup order, into
 * names (owned strings): the one written or dflt, or else temp, main and
 * the attached ones, as SQLite resolves an unqualified name.
 */
static int
lite_databases(struct db *db, const struct ddl_object *o, const char *dflt,
	       struct db_rows *names, struct rk_err *err)
{
	static const char sql[] =
		"SELECT name FROM pragma_database_list "
		"WHERE $1 IS NULL OR name = $1 COLLATE NOCASE "
		"ORDER BY CASE name WHEN 'temp' THEN 0 ELSE 1 END, seq";
	const char *params[1];

	params[0] = where(o, dflt);
	if (db_query(db, sql, params, 1, names, err) < 0)
		return failed_on(o, err);
	return 0;
}

/*
 * Whether database dbname holds o: its row in sqlite_schema ($1 type, $2
 * name, $3 the table an index or trigger is on) and, for a column, the
 * column in pragma_table_xinfo ($4 column, $5 database).
 */
static int
lite_in(struct db *db, const struct ddl_object *o, const char *dbname,
	int *found, struct rk_err *err)
{
	static const char *const types[DDL_NTYPES] = {
		[DDL_TABLE] = "table",	[DDL_VIEW] = "view",
		[DDL_INDEX] = "index",	[DDL_TRIGGER] = "trigger",
		[DDL_COLUMN] = "table",
	};
	struct rk_buf sql = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	const char *params[5];
	int rc;

	params[0] = types[o->type];
	params[1] = o->type == DDL_COLUMN ? o->table : o->name;
	params[2] = o->type == DDL_COLUMN || !*o->table ? NULL : o->table;
	params[3] = o->type == DDL_COLUMN ? o->name : NULL;
	params[4] = dbname;
	rk_buf_adds(&sql, "SELECT 1 FROM ");
	db_quote_ident(db, dbname, &sql);
	rk_buf_adds(&sql, ".sqlite_schema s WHERE s.type = $1 "
			  "AND s.name = $2 COLLATE NOCASE "
			  "AND ($3 IS NULL OR s.tbl_name = $3 COLLATE NOCASE)");
	if (o->type == DDL_COLUMN)
		rk_buf_adds(&sql, " AND EXISTS (SELECT 1 FROM "
				  "pragma_table_xinfo(s.name, $5) c "
				  "WHERE c.name = $4 COLLATE NOCASE)");
	rc = db_query(db, sql.s, params, 5, &rows, err);
	if (rc == 0)
		*found = rows.nrows > 0;
	db_rows_release(&rows);
	rk_buf_release(&sql);
	return rc < 0 ? failed_on(o, err) : 0;
}

static int
lite_check(struct db *db, const struct ddl_object *o, const char *dflt,
	   struct schema_found *f, struct rk_err *err)
{
	struct db_rows dbs = DB_ROWS_INIT;
	size_t i;
	int found = 0;

	f->exists = 0;
	f->schema = where(o, dflt) ? xstrdup(where(o, dflt)) : NULL;
	switch (o->type) {
	case DDL_TABLE:
	case DDL_VIEW:
	case DDL_INDEX:
	case DDL_TRIGGER:
	case DDL_COLUMN:
		break;
	case DDL_FUNCTION: /* none of these exists in SQLite */
	case DDL_PROCEDURE:
	case DDL_TYPE:
	case DDL_DOMAIN:
	case DDL_MATVIEW:
	case DDL_SEQUENCE:
	case DDL_SCHEMA:
	case DDL_EXTENSION:
	case DDL_CONSTRAINT: /* only inline in CREATE TABLE: never listed */
		return 0;
	}
	if (lite_databases(db, o, dflt, &dbs, err) < 0)
		return -1;
	for (i = 0; i < dbs.nrows && !found; i++) {
		const char *name = db_rows_get(&dbs, i, 0);

		if (lite_in(db, o, name, &found, err) < 0) {
			db_rows_release(&dbs);
			return -1;
		}
		if (found) {
			free(f->schema);
			f->schema = xstrdup(name);
		}
	}
	f->exists = found;
	db_rows_release(&dbs);
	return 0;
}

int
schema_check(struct db *db, const struct ddl_list *l, const char *dflt_schema,
	     struct schema_check *out, struct rk_err *err)
{
	/* XXX: the catalogs differ in shape (PG schemas, kinds and owners;
	 * SQLite's sqlite_schema per attached database), so each engine has
	 * its own lookup here; a db_driver member answering "does this
	 * object exist" would move them into the drivers */
	int pg = db_kind(db) == DB_PG;
	size_t i;

	out->v = xcalloc(l->n ? l->n : 1, sizeof(*out->v));
	out->n = 0;
	for (i = 0; i < l->n; i++) {
		const struct ddl_object *o = &l->v[i];
		struct schema_found *f = &out->v[out->n];
		int rc = pg ? pg_check(db, o, dflt_schema, f, err)
			    : lite_check(db, o, dflt_schema, f, err);

		if (rc < 0) {
			schema_check_release(out);
			return -1;
		}
		out->n++;
	}
	return 0;
}
