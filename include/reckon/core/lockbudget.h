/*
 * PostgreSQL holds a lock-table entry for every relation a transaction
 * creates until it commits; the shared lock table has room for
 * about max_locks_per_transaction times the number of backends entries,
 * so one batch creating a few thousand tables fails with "out of
 * shared memory" halfway. These estimate the entries a batch needs from
 * the DDL in its files, and read the capacity from the server, so check
 * can warn and run can refuse before anything happens.
 */
#ifndef RECKON_LOCKBUDGET_H
#define RECKON_LOCKBUDGET_H

#include <stddef.h>

struct db;
struct ddl_list;
struct rk_err;

/*
 * Lock entries a transaction creating l's objects will hold: a table
 * counts 4 (itself, its TOAST table and index, and the index of a primary
 * key or unique constraint), a materialized view 3, an index, sequence,
 * view or constraint 1, other kinds none.
 */
size_t locks_for_objects(const struct ddl_list *l);

/*
 * The server's lock table as PostgreSQL sizes it, in entries:
 * max_locks_per_transaction x (max_connections + autovacuum_max_workers +
 * 1 + max_worker_processes + max_wal_senders + max_prepared_transactions).
 * The server can borrow some shared memory beyond it (on PostgreSQL 15
 * with the defaults, 7,808 entries, a batch failed near 12,850), so a
 * batch within it never fails for lack of locks; one beyond it might.
 */
int lock_capacity(struct db *db, long *capacity, struct rk_err *err);

/* The share of the capacity one batch may use before reckon refuses. */
#define LOCK_BUDGET_SHARE 1.0

#endif
