/*
 * Unit tests for the reconciler (src/reconcile.c): hand-built file sets and
 * applied rows in, one state per migration out, with the detector reckon
 * uses for its own table (file_id NULL: a row names its file). No
 * directory and no database: the reconciler is pure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/detector.h"
#include "reckon/migfile.h"
#include "reckon/reconcile.h"
#include "reckon/util.h"

#include "reckon/banned.h"

#define HASH_A                                                                 \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B                                                                 \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* Append a file as mig_scan would have made it. */
static struct mig_file *
add_file(struct mig_set *s, const char *name, const char *version,
	 const char *sha)
{
	struct mig_file *f;
	char path[512];

	rk_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	f = &s->v[s->n++];
	memset(f, 0, sizeof(*f));
	snprintf(path, sizeof(path), "migrations/%s", name);
	f->name = xstrdup(name);
	f->path = xstrdup(path);
	f->version = xstrdup(version);
	f->desc = xstrdup("d");
	f->kind = *version ? MIG_UP : MIG_REPEATABLE;
	f->conv = CONV_FLYWAY;
	snprintf(f->sha256, sizeof(f->sha256), "%s", sha);
	f->size = 10;
	return f;
}

static struct applied *
add_row(struct applied_set *rows, const char *id, const char *version,
	const char *hash)
{
	return applied_add(rows, id, version, "2025-01-10T12:00:00Z", hash);
}

/* The names of out's entries, joined by spaces. */
static void
names_of(const struct status_list *out, char *buf, size_t cap)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < out->n && k < cap; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? " " : "",
				      out->v[i].name);
}

static void
check_order(const struct status_list *out, const char *want)
{
	char got[4096];

	names_of(out, got, sizeof(got));
	assert_string_equal(got, want);
}

static void
check_counts(const struct status_list *out, size_t applied, size_t pending,
	     size_t modified, size_t orphaned, size_t failed)
{
	assert_int_equal(out->count[ST_APPLIED], applied);
	assert_int_equal(out->count[ST_PENDING], pending);
	assert_int_equal(out->count[ST_MODIFIED], modified);
	assert_int_equal(out->count[ST_ORPHANED], orphaned);
	assert_int_equal(out->count[ST_FAILED], failed);
	assert_int_equal(out->n,
			 applied + pending + modified + orphaned + failed);
}

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(mig_state_name(ST_APPLIED), "applied");
	assert_string_equal(mig_state_name(ST_PENDING), "pending");
	assert_string_equal(mig_state_name(ST_MODIFIED), "modified");
	assert_string_equal(mig_state_name(ST_ORPHANED), "orphaned");
	assert_string_equal(mig_state_name(ST_FAILED), "failed");
}

/* One migration in each state, the orphan sorted into its place. */
static void
test_every_state(void **state)
{
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list out = STATUS_LIST_INIT;
	const struct status_entry *e;

	(void)state;
	add_file(&files, "V1__init.sql", "1", HASH_A);
	add_file(&files, "V2__users.sql", "2", HASH_A);
	add_file(&files, "V3__orders.sql", "3", HASH_A);
	add_file(&files, "V5__index.sql", "5", HASH_A);
	add_row(&rows, "V1__init.sql", "1", HASH_A);
	add_row(&rows, "V2__users.sql", "2", HASH_B);
	add_row(&rows, "V3__orders.sql", "3", HASH_A)->failed = 1;
	add_row(&rows, "V4__gone.sql", "4", HASH_A);

	reconcile(&files, &rows, &det_reckon, &out);
	check_order(&out, "V1__init.sql V2__users.sql V3__orders.sql "
			  "V4__gone.sql V5__index.sql");
	check_counts(&out, 1, 1, 1, 1, 1);

	e = &out.v[0];
	assert_int_equal(e->state, ST_APPLIED);
	assert_ptr_equal(e->file, &files.v[0]);
	assert_ptr_equal(e->row, &rows.v[0]);
	assert_string_equal(e->id, "V1__init.sql");
	assert_false(e->out_of_order);

	e = &out.v[1];
	assert_int_equal(e->state, ST_MODIFIED);
	assert_ptr_equal(e->file, &files.v[1]);
	assert_ptr_equal(e->row, &rows.v[1]);
	assert_string_equal(e->id, "V2__users.sql");

	e = &out.v[2];
	assert_int_equal(e->state, ST_FAILED);
	assert_ptr_equal(e->file, &files.v[2]);
	assert_ptr_equal(e->row, &rows.v[2]);

	e = &out.v[3];
	assert_int_equal(e->state, ST_ORPHANED);
	assert_null(e->file);
	assert_ptr_equal(e->row, &rows.v[3]);
	assert_string_equal(e->name, "V4__gone.sql");
	assert_string_equal(e->id, "V4__gone.sql");
	assert_false(e->out_of_order);

	e = &out.v[4];
	assert_int_equal(e->state, ST_PENDING);
	assert_ptr_equal(e->file, &files.v[3]);
	assert_null(e->row);
	assert_null(e->id);
	assert_false(e->out_of_order); /* 5 is newer than every row */

	status_list_release(&out);
	assert_null(out.v);
	assert_int_equal(out.n, 0);
	applied_set_release(&rows);
	mig_set_release(&files);
}

/* No stored hash: nothing to compare, so the file counts as applied. */
static void
test_no_stored_hash(void **state)
{
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list out = STATUS_LIST_INIT;

	(void)state;
	add_file(&files, "001_create_users.sql", "001", HASH_A);
	add_row(&rows, "001_create_users.sql", "001", NULL);
	reconcile(&files, &rows, &det_reckon, &out);
	check_counts(&out, 1, 0, 0, 0, 0);
	assert_int_equal(out.v[0].state, ST_APPLIED);
	assert_null(out.v[0].row->stored_hash);
	status_list_release(&out);
	applied_set_release(&rows);
	mig_set_release(&files);
}

/* A failed row stays failed even when its hash differs too. */
static void
test_failed_wins_over_modified(void **state)
{
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list out = STATUS_LIST_INIT;

	(void)state;
	add_file(&files, "V1__a.sql", "1", HASH_A);
	add_row(&rows, "V1__a.sql", "1", HASH_B)->failed = 1;
	reconcile(&files, &rows, &det_reckon, &out);
	check_counts(&out, 0, 0, 0, 0, 1);
	assert_int_equal(out.v[0].state, ST_FAILED);
	status_list_release(&out);
	applied_set_release(&rows);
	mig_set_release(&files);
}

/* Pending below the newest applied version is out of order. */
static void
test_out_of_order(void **state)
{
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list out = STATUS_LIST_INIT;

	(void)state;
	add_file(&files, "V1__a.sql", "1", HASH_A);
	add_file(&files, "V2__b.sql", "2", HASH_A);
	add_file(&files, "V9__c.sql", "9", HASH_A);
	add_file(&files, "V10__d.sql", "10", HASH_A);
	add_file(&files, "V11__e.sql", "11", HASH_A);
	add_file(&files, "R__views.sql", "", HASH_A);
	add_row(&rows, "V1__a.sql", "1", HASH_A);
	add_row(&rows, "V10__d.sql", "10", HASH_A);

	reconcile(&files, &rows, &det_reckon, &out);
	check_order(&out, "V1__a.sql V2__b.sql V9__c.sql V10__d.sql "
			  "V11__e.sql R__views.sql");
	check_counts(&out, 2, 4, 0, 0, 0);
	assert_false(out.v[0].out_of_order); /* applied */
	assert_true(out.v[1].out_of_order);  /* 2 < 10 */
	assert_true(out.v[2].out_of_order);  /* 9 < 10: numeric, not text */
	assert_false(out.v[3].out_of_order); /* applied */
	assert_false(out.v[4].out_of_order); /* 11 > 10 */
	assert_false(out.v[5].out_of_order); /* repeatable: no version */
	assert_int_equal(out.v[5].state, ST_PENDING);
	status_list_release(&out);
	applied_set_release(&rows);
	mig_set_release(&files);
}

/* Nothing applied: everything pending, nothing out of order. */
static void
test_no_rows(void **state)
{
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list out = STATUS_LIST_INIT;

	(void)state;
	add_file(&files, "20240101000000_a.up.sql", "20240101000000", HASH_A);
	add_file(&files, "20240102000000_b.up.sql", "20240102000000", HASH_B);
	reconcile(&files, &rows, &det_reckon, &out);
	check_order(&out, "20240101000000_a.up.sql 20240102000000_b.up.sql");
	check_counts(&out, 0, 2, 0, 0, 0);
	for (size_t i = 0; i < out.n; i++) {
		assert_false(out.v[i].out_of_order);
		assert_null(out.v[i].row);
		assert_null(out.v[i].id);
	}
	status_list_release(&out);
	mig_set_release(&files);
}

/* No files: every row an orphan, in version order, versionless last. */
static void
test_only_orphans(void **state)
{
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list out = STATUS_LIST_INIT;

	(void)state;
	add_row(&rows, "V10__j.sql", "10", NULL);
	add_row(&rows, "handmade", NULL, NULL);
	add_row(&rows, "V2__b.sql", "2", NULL);
	add_row(&rows, "V1.10__x.sql", "1.10", NULL);
	add_row(&rows, "V1.9__y.sql", "1.9", NULL);
	add_row(&rows, "another", NULL, NULL);
	reconcile(&files, &rows, &det_reckon, &out);
	check_order(&out, "V1.9__y.sql V1.10__x.sql V2__b.sql V10__j.sql "
			  "handmade another");
	check_counts(&out, 0, 0, 0, 6, 0);
	for (size_t i = 0; i < out.n; i++) {
		assert_null(out.v[i].file);
		assert_non_null(out.v[i].row);
		assert_string_equal(out.v[i].id, out.v[i].row->id);
		assert_string_equal(out.v[i].name, out.v[i].row->id);
	}
	status_list_release(&out);
	applied_set_release(&rows);
}

/* Output is in version order even when the input is not. */
static void
test_version_order(void **state)
{
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list out = STATUS_LIST_INIT;

	(void)state;
	add_file(&files, "R__views.sql", "", HASH_A);
	add_file(&files, "V1.10__c.sql", "1.10", HASH_A);
	add_file(&files, "V1.2__b.sql", "1.2", HASH_A);
	add_file(&files, "V1.9__bb.sql", "1.9", HASH_A);
	add_file(&files, "V1__a.sql", "1", HASH_A);
	add_row(&rows, "V1.5__orphan.sql", "1.5", HASH_A);
	add_row(&rows, "V1__a.sql", "1", HASH_A);
	reconcile(&files, &rows, &det_reckon, &out);
	check_order(&out, "V1__a.sql V1.2__b.sql V1.5__orphan.sql "
			  "V1.9__bb.sql V1.10__c.sql R__views.sql");
	check_counts(&out, 1, 4, 0, 1, 0);
	assert_int_equal(out.v[2].state, ST_ORPHANED);
	/* entries still point at the right file after sorting */
	for (size_t i = 0; i < out.n; i++)
		if (out.v[i].file)
			assert_string_equal(out.v[i].file->name, out.v[i].name);
	status_list_release(&out);
	applied_set_release(&rows);
	mig_set_release(&files);
}

/* Two rows for one file (failed, then re-applied): the last one counts,
 * and neither is an orphan. */
static void
test_duplicate_rows(void **state)
{
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list out = STATUS_LIST_INIT;

	(void)state;
	add_file(&files, "V1__a.sql", "1", HASH_A);
	add_file(&files, "V2__b.sql", "2", HASH_A);
	add_row(&rows, "V1__a.sql", "1", HASH_A);
	add_row(&rows, "V2__b.sql", "2", HASH_A)->failed = 1;
	add_row(&rows, "V2__b.sql", "2", HASH_A);
	reconcile(&files, &rows, &det_reckon, &out);
	check_order(&out, "V1__a.sql V2__b.sql");
	check_counts(&out, 2, 0, 0, 0, 0);
	assert_ptr_equal(out.v[1].row, &rows.v[2]);
	status_list_release(&out);
	applied_set_release(&rows);
	mig_set_release(&files);
}

/* Many files against rows in reverse order: each finds its own row. */
static void
test_many(void **state)
{
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list out = STATUS_LIST_INIT;
	char name[64], ver[16];
	size_t n = 2000;

	(void)state;
	for (size_t i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "%zu_m.sql", i);
		snprintf(ver, sizeof(ver), "%zu", i);
		add_file(&files, name, ver, i % 7 ? HASH_A : HASH_B);
	}
	for (size_t i = n; i >= 1; i--) {
		if (i % 2)
			continue; /* odd ones pending */
		snprintf(name, sizeof(name), "%zu_m.sql", i);
		snprintf(ver, sizeof(ver), "%zu", i);
		add_row(&rows, name, ver, HASH_A);
	}
	reconcile(&files, &rows, &det_reckon, &out);
	assert_int_equal(out.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct status_entry *e = &out.v[i];
		size_t k = i + 1;
		enum mig_state want = k % 2   ? ST_PENDING
				      : k % 7 ? ST_APPLIED
					      : ST_MODIFIED;

		snprintf(name, sizeof(name), "%zu_m.sql", k);
		assert_string_equal(e->name, name);
		assert_int_equal(e->state, want);
		/* every odd one is below the newest applied, 2000 */
		assert_int_equal(e->out_of_order, k % 2 == 1);
		if (e->row)
			assert_string_equal(e->row->id, name);
	}
	assert_int_equal(out.count[ST_PENDING], 1000);
	assert_int_equal(out.count[ST_MODIFIED], 142); /* k % 14 == 0 */
	assert_int_equal(out.count[ST_APPLIED], 858);
	status_list_release(&out);
	applied_set_release(&rows);
	mig_set_release(&files);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_every_state),
	    cmocka_unit_test(test_no_stored_hash),
	    cmocka_unit_test(test_failed_wins_over_modified),
	    cmocka_unit_test(test_out_of_order),
	    cmocka_unit_test(test_no_rows),
	    cmocka_unit_test(test_only_orphans),
	    cmocka_unit_test(test_version_order),
	    cmocka_unit_test(test_duplicate_rows),
	    cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
