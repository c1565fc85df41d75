/*
 * The lock-table estimate and the server's capacity (lockbudget.h).
 */
#include "reckon/core/lockbudget.h"

#include <stdlib.h>

#include "reckon/db/db.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/base/banned.h"

size_t
locks_for_objects(const struct ddl_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		switch (l->v[i].type) {
		case DDL_TABLE:
			n += 4;
			break;
		case DDL_MATVIEW:
			n += 3;
			break;
		case DDL_INDEX:
		case DDL_SEQUENCE:
		case DDL_VIEW:
		case DDL_CONSTRAINT:
			n += 1;
			break;
		case DDL_FUNCTION:
		case DDL_PROCEDURE:
		case DDL_TYPE:
		case DDL_DOMAIN:
		case DDL_SCHEMA:
		case DDL_EXTENSION:
		case DDL_TRIGGER:
		case DDL_COLUMN:
			break;
		}
	}
	return n;
}

int
lock_capacity(struct db *db, long *capacity, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	int rc = db_query(
		db,
		"SELECT pg_catalog.current_setting('max_locks_per_transaction')"
		"::bigint * (pg_catalog.current_setting('max_connections')"
		"::bigint + "
		"pg_catalog.current_setting('autovacuum_max_workers')"
		"::bigint + 1 + pg_catalog.current_setting("
		"'max_worker_processes')::bigint + pg_catalog.current_setting("
		"'max_wal_senders')::bigint + pg_catalog.current_setting("
		"'max_prepared_transactions')::bigint)",
		NULL, 0, &rows, err);

	*capacity = 0;
	if (rc == 0 && rows.nrows == 1 && db_rows_get(&rows, 0, 0))
		*capacity = strtol(db_rows_get(&rows, 0, 0), NULL, 10);
	db_rows_release(&rows);
	return rc;
}
