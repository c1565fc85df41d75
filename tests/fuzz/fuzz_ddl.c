/*
 * libFuzzer target for the DDL object extractor: any bytes, both dialects.
 * It checks what callers rely on: ddl_extract() fails exactly when
 * sql_split() does, with an RK_INPUT message and the list untouched; on
 * success every object has a known type, a non-empty name, a statement
 * index inside the file, an object string that is name or table.name,
 * a table name exactly for an index, trigger, column or constraint, names
 * of at most 63 bytes on PostgreSQL, no repeat of (type, schema, object),
 * and ddl_list_find() finds each at its index; a second extraction into
 * the same list keeps all that. ddl_ident_name() runs on every identifier
 * token too: never longer than the token, at most 63 bytes on PostgreSQL,
 * and a plain word valid UTF-8 in stays valid UTF-8 out (the cut falls on
 * a character boundary). Build: make fuzz (make test runs it a fixed number of times).
 * Seeds: the .sql files under fixtures/ddl and fixtures/split.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

#define PG_NAME_MAX 63

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each identifier token's name: no longer than the token, <= 63 on PG. */
static void
check_names(const char *s, size_t n, const struct sql_dialect *d)
{
	struct rk_buf b = RK_BUF_INIT;
	size_t i = 0;

	while (i < n) {
		enum sql_tok kind;
		size_t len = sql_token(s + i, n - i, d, &kind);

		if (kind == TK_WORD || kind == TK_QIDENT) {
			rk_buf_reset(&b);
			(void)ddl_ident_name(s + i, len, d, '\\', &b);
			if (b.len > len)
				abort();
			if (d == &sql_dialect_pg && b.len > PG_NAME_MAX)
				abort();
			/* a plain word is cut on a character boundary */
			if (kind == TK_WORD && rk_utf8_valid(s + i, len) &&
			    !rk_utf8_valid(b.s, b.len))
				abort();
		}
		i += len;
	}
	rk_buf_release(&b);
}

static void
check_object(const struct ddl_list *l, size_t i, size_t nstmts, int pg)
{
	const struct ddl_object *o = &l->v[i];
	size_t lt = strlen(o->table);

	if ((unsigned)o->type >= DDL_NTYPES || !o->mem || !*o->name)
		abort();
	if (o->stmt_index >= nstmts)
		abort();
	if (ddl_type_has_table(o->type) != (lt > 0))
		abort();
	if (o->type == DDL_TRIGGER || o->type == DDL_COLUMN ||
	    o->type == DDL_CONSTRAINT) {
		if (strncmp(o->object, o->table, lt) || o->object[lt] != '.' ||
		    strcmp(o->object + lt + 1, o->name))
			abort();
	} else if (strcmp(o->object, o->name)) {
		abort();
	}
	if (pg && (strlen(o->schema) > PG_NAME_MAX || lt > PG_NAME_MAX ||
		   strlen(o->name) > PG_NAME_MAX))
		abort();
	if (ddl_list_find(l, o->type, o->schema, o->object, NULL, NULL) != i)
		abort();
}

/* The invariants of a list extracted from a file of nstmts statements. */
static void
check_list(const struct ddl_list *l, size_t nstmts, int pg)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		check_object(l, i, nstmts, pg);
		for (j = 0; j < i; j++)
			if (l->v[j].type == l->v[i].type &&
			    ddl_name_eq(l, l->v[j].schema, l->v[i].schema) &&
			    ddl_name_eq(l, l->v[j].object, l->v[i].object))
				abort();
	}
}

static void
check_extract(const char *s, size_t n, const struct sql_dialect *d)
{
	struct sql_stmt_list stmts = SQL_STMT_LIST_INIT;
	struct ddl_list l = DDL_LIST_INIT;
	struct rk_err err = RK_ERR_INIT, serr = RK_ERR_INIT;
	int split = sql_split(s, n, d, &stmts, &serr);
	int pg = d == &sql_dialect_pg;

	if (ddl_extract(s, n, d, &l, &err) < 0) {
		if (split == 0 || l.n != 0 || err.kind != RK_INPUT ||
		    strcmp(err.msg, serr.msg))
			abort();
		goto out;
	}
	if (split < 0)
		abort();
	check_list(&l, stmts.n, pg);
	if (ddl_extract(s, n, d, &l, &err) < 0)
		abort();
	check_list(&l, stmts.n, pg);
out:
	ddl_list_release(&l);
	sql_stmt_list_release(&stmts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan sees a read of s[n] */
	char *s = xmalloc(size ? size : 1);

	if (size)
		memcpy(s, data, size);
	check_names(s, size, &sql_dialect_pg);
	check_names(s, size, &sql_dialect_sqlite);
	check_extract(s, size, &sql_dialect_pg);
	check_extract(s, size, &sql_dialect_sqlite);
	free(s);
	return 0;
}
