/*
 * What db.c shares with the two drivers, kept out of include/reckon/db/db.h
 * (the callers' contract): the vtables, which only db_open() picks
 * between, and the pieces both tables() implementations use.
 */
#ifndef RECKON_DB_DRIVER_H
#define RECKON_DB_DRIVER_H

struct db_dialect;
struct db_driver;
struct rk_buf;
struct db_rows;
struct db_table_list;
struct db;
struct rk_err;

extern const struct db_driver db_pg_driver;
extern const struct db_driver db_sqlite_driver;
/* The drivers' dialects (db/db_dialect.c), one per vtable. */
extern const struct db_dialect db_dialect_pg;
extern const struct db_dialect db_dialect_sqlite;

/* Build a table list from catalog rows (schema, table, column, type,
 * notnull), ordered by schema, table and column position. */
void db_tables_from_rows(const struct db_rows *rows, struct db_table_list *out);

/*
 * Run the catalog query and build the list: base (a SELECT of schema,
 * table, column, type, notnull ... WHERE ...), then, with names,
 * "AND col IN ($1, ..., $n)" for each of name_cols (NULL-terminated),
 * binding the names, then ORDER BY order.
 */
int db_tables_select(struct db *db, const char *base,
		     const char *const *name_cols, const char *const *names,
		     const char *order, struct db_table_list *out,
		     struct rk_err *err);

/* Append name in double quotes, each '"' doubled: SQL's quoted
 * identifier, for both drivers. */
void db_quote_double(const char *name, struct rk_buf *out);

#endif
