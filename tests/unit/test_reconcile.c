/*
 * Unit tests for the reconciler (core/reconcile.c): hand-built file sets and
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

#include "reckon/base/buf.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/core/reconcile.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

#define HASH_A                                                                 \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B                                                                 \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* One test's inputs and result, released after it even on failure. */
struct fixture {
	struct mig_set files;
	struct applied_set rows;
	struct applied_set side;
	struct status_list out;
};

static int
setup(void **state)
{
	*state = xcalloc(1, sizeof(struct fixture));
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	status_list_release(&fx->out);
	applied_set_release(&fx->side);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
	free(fx);
	return 0;
}

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
	f->name = rk_arena_strdup(&s->strings, name);
	f->path = rk_arena_strdup(&s->strings, path);
	f->version = rk_arena_strdup(&s->strings, version);
	f->desc = rk_arena_strdup(&s->strings, "d");
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
	assert_string_equal(mig_state_name(ST_IGNORED), "ignored");
}

/* One migration in each state, the orphan sorted into its place. */
static void
test_every_state(void **state)
{
	struct fixture *fx = *state;
	const struct status_entry *e;

	add_file(&fx->files, "V1__init.sql", "1", HASH_A);
	add_file(&fx->files, "V2__users.sql", "2", HASH_A);
	add_file(&fx->files, "V3__orders.sql", "3", HASH_A);
	add_file(&fx->files, "V5__index.sql", "5", HASH_A);
	add_row(&fx->rows, "V1__init.sql", "1", HASH_A);
	add_row(&fx->rows, "V2__users.sql", "2", HASH_B);
	add_row(&fx->rows, "V3__orders.sql", "3", HASH_A)->failed = 1;
	add_row(&fx->rows, "V4__gone.sql", "4", HASH_A);

	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_order(&fx->out, "V1__init.sql V2__users.sql V3__orders.sql "
			      "V4__gone.sql V5__index.sql");
	check_counts(&fx->out, 1, 1, 1, 1, 1);

	e = &fx->out.v[0];
	assert_int_equal(e->state, ST_APPLIED);
	assert_ptr_equal(e->file, &fx->files.v[0]);
	assert_ptr_equal(e->row, &fx->rows.v[0]);
	assert_string_equal(e->id, "V1__init.sql");
	assert_false(e->out_of_order);
	assert_ptr_equal(e->file_hash, fx->files.v[0].sha256);
	assert_string_equal(e->stored_hash, HASH_A);

	e = &fx->out.v[1];
	assert_int_equal(e->state, ST_MODIFIED);
	assert_ptr_equal(e->file, &fx->files.v[1]);
	assert_ptr_equal(e->row, &fx->rows.v[1]);
	assert_string_equal(e->id, "V2__users.sql");
	assert_string_equal(e->stored_hash, HASH_B);
	assert_string_equal(e->file_hash, HASH_A);

	e = &fx->out.v[2];
	assert_int_equal(e->state, ST_FAILED);
	assert_ptr_equal(e->file, &fx->files.v[2]);
	assert_ptr_equal(e->row, &fx->rows.v[2]);

	e = &fx->out.v[3];
	assert_int_equal(e->state, ST_ORPHANED);
	assert_null(e->file);
	assert_ptr_equal(e->row, &fx->rows.v[3]);
	assert_string_equal(e->name, "V4__gone.sql");
	assert_string_equal(e->id, "V4__gone.sql");
	assert_false(e->out_of_order);
	assert_null(e->file_hash);
	assert_string_equal(e->stored_hash, HASH_A);

	e = &fx->out.v[4];
	assert_int_equal(e->state, ST_PENDING);
	assert_ptr_equal(e->file, &fx->files.v[3]);
	assert_null(e->row);
	assert_null(e->id);
	assert_false(e->out_of_order); /* 5 is newer than every row */
	assert_null(e->stored_hash);
	assert_string_equal(e->file_hash, HASH_A);

	status_list_release(&fx->out);
	assert_null(fx->out.v);
	assert_int_equal(fx->out.n, 0);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* No stored hash: nothing to compare, so the file counts as applied. */
static void
test_no_stored_hash(void **state)
{
	struct fixture *fx = *state;

	add_file(&fx->files, "001_create_users.sql", "001", HASH_A);
	add_row(&fx->rows, "001_create_users.sql", "001", NULL);
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_counts(&fx->out, 1, 0, 0, 0, 0);
	assert_int_equal(fx->out.v[0].state, ST_APPLIED);
	assert_null(fx->out.v[0].row->stored_hash);
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* A failed row stays failed even when its hash differs too. */
static void
test_failed_wins_over_modified(void **state)
{
	struct fixture *fx = *state;

	add_file(&fx->files, "V1__a.sql", "1", HASH_A);
	add_row(&fx->rows, "V1__a.sql", "1", HASH_B)->failed = 1;
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_counts(&fx->out, 0, 0, 0, 0, 1);
	assert_int_equal(fx->out.v[0].state, ST_FAILED);
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* Pending below the newest applied version is out of order. */
static void
test_out_of_order(void **state)
{
	struct fixture *fx = *state;

	add_file(&fx->files, "V1__a.sql", "1", HASH_A);
	add_file(&fx->files, "V2__b.sql", "2", HASH_A);
	add_file(&fx->files, "V9__c.sql", "9", HASH_A);
	add_file(&fx->files, "V10__d.sql", "10", HASH_A);
	add_file(&fx->files, "V11__e.sql", "11", HASH_A);
	add_file(&fx->files, "R__views.sql", "", HASH_A);
	add_row(&fx->rows, "V1__a.sql", "1", HASH_A);
	add_row(&fx->rows, "V10__d.sql", "10", HASH_A);

	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_order(&fx->out, "V1__a.sql V2__b.sql V9__c.sql V10__d.sql "
			      "V11__e.sql R__views.sql");
	check_counts(&fx->out, 2, 4, 0, 0, 0);
	assert_false(fx->out.v[0].out_of_order); /* applied */
	assert_true(fx->out.v[1].out_of_order);	 /* 2 < 10 */
	assert_true(fx->out.v[2].out_of_order);	 /* 9 < 10: numeric, not text */
	assert_false(fx->out.v[3].out_of_order); /* applied */
	assert_false(fx->out.v[4].out_of_order); /* 11 > 10 */
	assert_false(fx->out.v[5].out_of_order); /* repeatable: no version */
	assert_int_equal(fx->out.v[5].state, ST_PENDING);
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* Nothing applied: everything pending, nothing out of order. */
static void
test_no_rows(void **state)
{
	struct fixture *fx = *state;

	add_file(&fx->files, "20240101000000_a.up.sql", "20240101000000",
		 HASH_A);
	add_file(&fx->files, "20240102000000_b.up.sql", "20240102000000",
		 HASH_B);
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_order(&fx->out,
		    "20240101000000_a.up.sql 20240102000000_b.up.sql");
	check_counts(&fx->out, 0, 2, 0, 0, 0);
	for (size_t i = 0; i < fx->out.n; i++) {
		assert_false(fx->out.v[i].out_of_order);
		assert_null(fx->out.v[i].row);
		assert_null(fx->out.v[i].id);
	}
	status_list_release(&fx->out);
	mig_set_release(&fx->files);
}

/* No files: every row an orphan, versionless ones last, as applied. */
static void
test_only_orphans(void **state)
{
	struct fixture *fx = *state;

	add_row(&fx->rows, "V1.9__y.sql", "1.9", NULL);
	add_row(&fx->rows, "handmade", NULL, NULL);
	add_row(&fx->rows, "V1.10__x.sql", "1.10", NULL);
	add_row(&fx->rows, "another", "", NULL);
	add_row(&fx->rows, "V2__b.sql", "2", NULL);
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_order(&fx->out, "V1.9__y.sql V1.10__x.sql V2__b.sql handmade "
			      "another");
	check_counts(&fx->out, 0, 0, 0, 5, 0);
	for (size_t i = 0; i < fx->out.n; i++) {
		assert_null(fx->out.v[i].file);
		assert_non_null(fx->out.v[i].row);
		assert_string_equal(fx->out.v[i].id, fx->out.v[i].row->id);
		assert_string_equal(fx->out.v[i].name, fx->out.v[i].row->id);
	}
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);
}

/*
 * Orphans are in version order among themselves too, whatever order
 * they were applied in: the list is in version order (reconcile.h).
 */
static void
test_orphans_version_order(void **state)
{
	struct fixture *fx = *state;

	/* no files at all */
	add_row(&fx->rows, "V10__j.sql", "10", NULL);
	add_row(&fx->rows, "V2__b.sql", "2", NULL);
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_order(&fx->out, "V2__b.sql V10__j.sql");
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);

	/* two orphans between the same two files */
	add_file(&fx->files, "V1__a.sql", "1", HASH_A);
	add_file(&fx->files, "V5__e.sql", "5", HASH_A);
	add_row(&fx->rows, "V1__a.sql", "1", HASH_A);
	add_row(&fx->rows, "V4__d.sql", "4", HASH_A);
	add_row(&fx->rows, "V3__c.sql", "3", HASH_A);
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_order(&fx->out, "V1__a.sql V3__c.sql V4__d.sql V5__e.sql");
	check_counts(&fx->out, 1, 1, 0, 2, 0);
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* Append an entry mig_scan listed as ignored. */
static void
add_ignored(struct mig_set *s, const char *name, const char *version,
	    enum mig_ignore why)
{
	s->ignored =
		xrealloc(s->ignored, (s->nignored + 1) * sizeof(*s->ignored));
	s->ignored[s->nignored].name = xstrdup(name);
	s->ignored[s->nignored].version = xstrdup(version);
	s->ignored[s->nignored++].why = why;
}

/*
 * Ignored entries go among the files by their version, after an orphan of
 * the same version; names that follow no convention are not entries.
 * Each carries its reason, and the warning says it.
 */
static void
test_ignored(void **state)
{
	struct fixture *fx = *state;
	struct rk_buf w = RK_BUF_INIT;

	add_file(&fx->files, "V1__a.sql", "1", HASH_A);
	add_file(&fx->files, "V4__d.sql", "4", HASH_A);
	add_ignored(&fx->files, "V3__c.sql", "3", IGN_DANGLING);
	add_ignored(&fx->files, "notes.sql", "", IGN_NAME);
	add_ignored(&fx->files, "V2__b.sql", "2", IGN_FIFO);
	add_ignored(&fx->files, "V9__caf\\xe9.sql", "9", IGN_NOT_UTF8);
	add_row(&fx->rows, "V1__a.sql", "1", HASH_A);
	add_row(&fx->rows, "V3__c.sql", "3", HASH_A);
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_order(&fx->out, "V1__a.sql V2__b.sql V3__c.sql V3__c.sql "
			      "V4__d.sql V9__caf\\xe9.sql");
	assert_int_equal(fx->out.count[ST_IGNORED], 3);
	assert_int_equal(fx->out.v[2].state, ST_ORPHANED);
	assert_int_equal(fx->out.v[3].state, ST_IGNORED);
	assert_int_equal(fx->out.v[3].ignored->why, IGN_DANGLING);
	assert_null(fx->out.v[3].file);
	assert_null(fx->out.v[3].row);
	assert_int_equal(status_warning(&fx->out.v[0], &w), 0);
	assert_int_equal(status_warning(&fx->out.v[1], &w), 1);
	assert_string_equal(w.s, "'V2__b.sql' is ignored (not a regular file: "
				 "FIFO): it is never run or marked");
	rk_buf_release(&w);
}

/* Files keep their run order (mig_scan's); orphans go into place. */
static void
test_version_order(void **state)
{
	struct fixture *fx = *state;

	add_file(&fx->files, "V1__a.sql", "1", HASH_A);
	add_file(&fx->files, "V1.2__b.sql", "1.2", HASH_A);
	add_file(&fx->files, "V1.9__bb.sql", "1.9", HASH_A);
	add_file(&fx->files, "V1.10__c.sql", "1.10", HASH_A);
	add_file(&fx->files, "R__views.sql", "", HASH_A);
	add_row(&fx->rows, "V1.5__orphan.sql", "1.5", HASH_A);
	add_row(&fx->rows, "V1__a.sql", "1", HASH_A);
	add_row(&fx->rows, "V0__first.sql", "0", HASH_A);
	add_row(&fx->rows, "V1.100__last.sql", "1.100", HASH_A);
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_order(&fx->out, "V0__first.sql V1__a.sql V1.2__b.sql "
			      "V1.5__orphan.sql V1.9__bb.sql V1.10__c.sql "
			      "V1.100__last.sql R__views.sql");
	check_counts(&fx->out, 1, 4, 0, 3, 0);
	assert_int_equal(fx->out.v[0].state, ST_ORPHANED);
	assert_int_equal(fx->out.v[3].state, ST_ORPHANED);
	assert_int_equal(fx->out.v[6].state, ST_ORPHANED);
	/* entries still point at the right file after sorting */
	for (size_t i = 0; i < fx->out.n; i++)
		if (fx->out.v[i].file)
			assert_string_equal(fx->out.v[i].file->name,
					    fx->out.v[i].name);
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* Without a hash in the row, the sidecar's (keyed by file name) counts. */
static void
test_sidecar(void **state)
{
	struct fixture *fx = *state;

	add_file(&fx->files, "001_same.sql", "001", HASH_A);
	add_file(&fx->files, "002_changed.sql", "002", HASH_A);
	add_file(&fx->files, "003_unknown.sql", "003", HASH_A);
	add_file(&fx->files, "004_pending.sql", "004", HASH_A);
	add_row(&fx->rows, "001_same.sql", "001", NULL);
	add_row(&fx->rows, "002_changed.sql", "002", NULL);
	add_row(&fx->rows, "003_unknown.sql", "003", NULL);
	applied_add(&fx->side, "002_changed.sql", NULL, NULL, HASH_B);
	applied_add(&fx->side, "001_same.sql", NULL, NULL, HASH_A);
	reconcile(&fx->files, &fx->rows, &fx->side, &det_reckon, &fx->out);
	check_order(&fx->out, "001_same.sql 002_changed.sql 003_unknown.sql "
			      "004_pending.sql");
	check_counts(&fx->out, 2, 1, 1, 0, 0);
	assert_int_equal(fx->out.v[0].state, ST_APPLIED);
	assert_string_equal(fx->out.v[0].stored_hash, HASH_A);
	assert_int_equal(fx->out.v[1].state, ST_MODIFIED);
	assert_string_equal(fx->out.v[1].stored_hash, HASH_B);
	assert_string_equal(fx->out.v[1].file_hash, HASH_A);
	assert_int_equal(fx->out.v[2].state, ST_APPLIED);
	assert_null(fx->out.v[2].stored_hash); /* nothing known */
	assert_int_equal(fx->out.v[3].state, ST_PENDING);
	status_list_release(&fx->out);
	applied_set_release(&fx->side);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* A row's own hash wins over the sidecar's. */
static void
test_sidecar_row_wins(void **state)
{
	struct fixture *fx = *state;

	add_file(&fx->files, "V1__a.sql", "1", HASH_A);
	add_row(&fx->rows, "V1__a.sql", "1", HASH_A);
	applied_add(&fx->side, "V1__a.sql", NULL, NULL, HASH_B);
	reconcile(&fx->files, &fx->rows, &fx->side, &det_reckon, &fx->out);
	check_counts(&fx->out, 1, 0, 0, 0, 0);
	assert_string_equal(fx->out.v[0].stored_hash, HASH_A);
	status_list_release(&fx->out);
	applied_set_release(&fx->side);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* golang-migrate style: the row names the file its version maps to. */
static void
version_id(const struct mig_file *m, struct rk_buf *out)
{
	rk_buf_adds(out, m->version);
}

static const struct detector head_det = {
	.name = "head-test",
	.table = "schema_migrations",
	.flags = DET_HEAD,
	.file_id = version_id,
};

/* A head-only table: every file up to the head's version is applied. */
static void
test_head_rows(void **state)
{
	struct fixture *fx = *state;

	add_file(&fx->files, "1_a.up.sql", "1", HASH_A);
	add_file(&fx->files, "2_b.up.sql", "2", HASH_A);
	add_file(&fx->files, "3_c.up.sql", "3", HASH_A);
	add_file(&fx->files, "4_d.up.sql", "4", HASH_A);
	add_row(&fx->rows, "3", "3", NULL);
	reconcile(&fx->files, &fx->rows, NULL, &head_det, &fx->out);
	check_order(&fx->out, "1_a.up.sql 2_b.up.sql 3_c.up.sql 4_d.up.sql");
	check_counts(&fx->out, 3, 1, 0, 0, 0);
	assert_null(fx->out.v[0].row);
	assert_ptr_equal(fx->out.v[2].row, &fx->rows.v[0]);
	assert_string_equal(fx->out.v[2].id, "3");
	assert_int_equal(fx->out.v[3].state, ST_PENDING);
	assert_false(fx->out.v[3].out_of_order);
	status_list_release(&fx->out);

	/* dirty: the head row is failed, the ones below stay applied */
	fx->rows.v[0].failed = 1;
	reconcile(&fx->files, &fx->rows, NULL, &head_det, &fx->out);
	check_counts(&fx->out, 2, 1, 0, 0, 1);
	assert_int_equal(fx->out.v[2].state, ST_FAILED);
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* Two rows for one file (failed, then re-applied): the last one counts,
 * and neither is an orphan. */
static void
test_duplicate_rows(void **state)
{
	struct fixture *fx = *state;

	add_file(&fx->files, "V1__a.sql", "1", HASH_A);
	add_file(&fx->files, "V2__b.sql", "2", HASH_A);
	add_row(&fx->rows, "V1__a.sql", "1", HASH_A);
	add_row(&fx->rows, "V2__b.sql", "2", HASH_A)->failed = 1;
	add_row(&fx->rows, "V2__b.sql", "2", HASH_A);
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	check_order(&fx->out, "V1__a.sql V2__b.sql");
	check_counts(&fx->out, 2, 0, 0, 0, 0);
	assert_ptr_equal(fx->out.v[1].row, &fx->rows.v[2]);
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

/* Many files against rows in reverse order: each finds its own row. */
static void
test_many(void **state)
{
	struct fixture *fx = *state;
	char name[64], ver[16];
	size_t n = 2000;

	for (size_t i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "%zu_m.sql", i);
		snprintf(ver, sizeof(ver), "%zu", i);
		add_file(&fx->files, name, ver, i % 7 ? HASH_A : HASH_B);
	}
	for (size_t i = n; i >= 1; i--) {
		if (i % 2)
			continue; /* odd ones pending */
		snprintf(name, sizeof(name), "%zu_m.sql", i);
		snprintf(ver, sizeof(ver), "%zu", i);
		add_row(&fx->rows, name, ver, HASH_A);
	}
	reconcile(&fx->files, &fx->rows, NULL, &det_reckon, &fx->out);
	assert_int_equal(fx->out.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct status_entry *e = &fx->out.v[i];
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
	assert_int_equal(fx->out.count[ST_PENDING], 1000);
	assert_int_equal(fx->out.count[ST_MODIFIED], 142); /* k % 14 == 0 */
	assert_int_equal(fx->out.count[ST_APPLIED], 858);
	status_list_release(&fx->out);
	applied_set_release(&fx->rows);
	mig_set_release(&fx->files);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),
		cmocka_unit_test_setup_teardown(test_every_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_stored_hash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_wins_over_modified,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_orphans, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_orphans_version_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sidecar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sidecar_row_wins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_head_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignored, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
