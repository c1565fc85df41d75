/*
 * The schema comparer (core/schema_cmp.c): snapshots built by hand, as
 * schema_snap_read() would fill them, compared without a database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "reckon/core/schema_snap.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

static struct schema_obj *
col(struct schema_snap *s, const char *table, const char *name,
    const char *type, int notnull, const char *dflt, long pos)
{
	struct schema_obj *o =
		schema_snap_add(s, "column", "public", table, name);

	free(o->type);
	o->type = xstrdup(type);
	free(o->dflt);
	o->dflt = xstrdup(dflt);
	o->notnull = notnull;
	o->pos = pos;
	return o;
}

static void
with_def(struct schema_obj *o, const char *def)
{
	free(o->def);
	o->def = xstrdup(def);
}

/* users(id, email) with an index, as the migrations build it. */
static void
users(struct schema_snap *s)
{
	(void)schema_snap_add(s, "table", "public", "", "users");
	col(s, "users", "id", "integer", 1, "", 1);
	col(s, "users", "email", "text", 1, "", 2);
	with_def(schema_snap_add(s, "index", "public", "users", "users_email"),
		 "CREATE INDEX users_email ON users USING btree (email)");
}

/* Sort both snapshots, as schema_snap_read() leaves them, and compare. */
static void
compare(struct schema_snap *a, struct schema_snap *b, struct schema_diff *d)
{
	schema_snap_sort(a);
	schema_snap_sort(b);
	schema_compare(a, b, d);
}

static void
release(struct schema_snap *a, struct schema_snap *b, struct schema_diff *d)
{
	schema_diff_release(d);
	schema_snap_release(a);
	schema_snap_release(b);
}

static void
test_identical(void **state)
{
	struct schema_snap a = SCHEMA_SNAP_INIT, b = SCHEMA_SNAP_INIT;
	struct schema_diff d = SCHEMA_DIFF_INIT;

	(void)state;
	users(&a);
	users(&b);
	compare(&a, &b, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(schema_diff_real(&d), 0);
	release(&a, &b, &d);
}

/* A hand-made index and a dropped column, as diff meets them. */
static void
test_only_each_side(void **state)
{
	struct schema_snap live = SCHEMA_SNAP_INIT, mig = SCHEMA_SNAP_INIT;
	struct schema_diff d = SCHEMA_DIFF_INIT;

	(void)state;
	(void)schema_snap_add(&live, "table", "public", "", "users");
	col(&live, "users", "id", "integer", 1, "", 1);
	with_def(schema_snap_add(&live, "index", "public", "users", "hand"),
		 "CREATE INDEX hand ON users USING btree (id)");
	with_def(schema_snap_add(&live, "index", "public", "users",
				 "users_email"),
		 "CREATE INDEX users_email ON users USING btree (email)");
	users(&mig);
	compare(&live, &mig, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.count[SC_ONLY_A], 1);
	assert_int_equal(d.count[SC_ONLY_B], 1);
	/* sorted: column before index */
	assert_int_equal(d.v[0].what, SC_ONLY_B);
	assert_string_equal(d.v[0].kind, "column");
	assert_string_equal(d.v[0].name, "email");
	assert_string_equal(d.v[0].table, "users");
	assert_null(d.v[0].a);
	assert_int_equal(d.v[1].what, SC_ONLY_A);
	assert_string_equal(d.v[1].kind, "index");
	assert_string_equal(d.v[1].name, "hand");
	assert_string_equal(schema_change_name(d.v[1].what), "only_a");
	release(&live, &mig, &d);
}

/* Type, nullability, default and definition each make one change. */
static void
test_changed_fields(void **state)
{
	struct schema_snap a = SCHEMA_SNAP_INIT, b = SCHEMA_SNAP_INIT;
	struct schema_diff d = SCHEMA_DIFF_INIT;

	(void)state;
	(void)schema_snap_add(&a, "table", "public", "", "users");
	col(&a, "users", "id", "bigint", 0, "0", 1);
	col(&a, "users", "email", "text", 1, "", 2);
	with_def(
		schema_snap_add(&a, "index", "public", "users", "users_email"),
		"CREATE UNIQUE INDEX users_email ON users USING btree (email)");
	users(&b);
	compare(&a, &b, &d);
	assert_int_equal(d.count[SC_CHANGED], 4);
	assert_int_equal(schema_diff_real(&d), 4);
	assert_string_equal(d.v[0].name, "id");
	assert_string_equal(d.v[0].field, "type");
	assert_string_equal(d.v[0].a, "bigint");
	assert_string_equal(d.v[0].b, "integer");
	assert_string_equal(d.v[1].field, "nullable");
	assert_string_equal(d.v[1].a, "NULL");
	assert_string_equal(d.v[1].b, "NOT NULL");
	assert_string_equal(d.v[2].field, "default");
	assert_string_equal(d.v[2].a, "0");
	assert_string_equal(d.v[2].b, "");
	assert_string_equal(d.v[3].kind, "index");
	assert_string_equal(d.v[3].field, "definition");
	release(&a, &b, &d);
}

/* Columns in another order are information; a dropped column between
 * them does not count as a move. */
static void
test_column_order_is_info(void **state)
{
	struct schema_snap a = SCHEMA_SNAP_INIT, b = SCHEMA_SNAP_INIT;
	struct schema_diff d = SCHEMA_DIFF_INIT;

	(void)state;
	(void)schema_snap_add(&a, "table", "public", "", "t");
	col(&a, "t", "x", "integer", 0, "", 1);
	col(&a, "t", "z", "integer", 0, "", 3); /* y dropped: pos 2 gone */
	(void)schema_snap_add(&b, "table", "public", "", "t");
	col(&b, "t", "x", "integer", 0, "", 1);
	col(&b, "t", "z", "integer", 0, "", 2);
	compare(&a, &b, &d);
	assert_int_equal(d.n, 0);
	release(&a, &b, &d);

	(void)schema_snap_add(&a, "table", "public", "", "t");
	col(&a, "t", "x", "integer", 0, "", 2);
	col(&a, "t", "z", "integer", 0, "", 1);
	(void)schema_snap_add(&b, "table", "public", "", "t");
	col(&b, "t", "x", "integer", 0, "", 1);
	col(&b, "t", "z", "integer", 0, "", 2);
	compare(&a, &b, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].what, SC_ORDER);
	assert_string_equal(d.v[0].a, "z, x");
	assert_string_equal(d.v[0].b, "x, z");
	assert_int_equal(schema_diff_real(&d), 0);
	release(&a, &b, &d);
}

/* A table on one side only is one line, not one per column or index. */
static void
test_missing_table_once(void **state)
{
	struct schema_snap a = SCHEMA_SNAP_INIT, b = SCHEMA_SNAP_INIT;
	struct schema_diff d = SCHEMA_DIFF_INIT;

	(void)state;
	users(&b);
	schema_snap_sort(&b);
	schema_compare(&a, &b, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].what, SC_ONLY_B);
	assert_string_equal(d.v[0].kind, "table");
	assert_string_equal(d.v[0].table, "");
	schema_diff_release(&d);
	schema_snap_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_only_each_side),
		cmocka_unit_test(test_changed_fields),
		cmocka_unit_test(test_column_order_is_info),
		cmocka_unit_test(test_missing_table_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
