/*
 * The sentences a run's report derives from its per-file outcomes
 * (core/run_report.c): the summary never says "nothing applied" when a
 * file committed, counts each outcome, and the plan names its real
 * transactions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/core/ops.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

/* Add an item: name, outcome, transaction (0: no transaction). */
static void
item(struct run_report *r, const char *name, enum run_outcome o, size_t txn)
{
	struct run_item *it;

	rk_grow((void **)&r->items, &r->cap, r->nitems + 1, sizeof(*r->items));
	it = &r->items[r->nitems++];
	memset(it, 0, sizeof(*it));
	it->name = xstrdup(name);
	it->outcome = o;
	it->txn = txn;
	it->no_tx = txn == 0;
	it->nstmts = 3;
}

static char *
summary(const struct run_report *r)
{
	struct rk_buf b = RK_BUF_INIT;

	run_summary(r, &b);
	return rk_buf_detach(&b, NULL);
}

static void
test_per_file_failure(void **state)
{
	struct run_report r = { 0 };
	char *s;

	(void)state;
	item(&r, "001_a.sql", RUN_COMMITTED, 1);
	item(&r, "002_b.sql", RUN_COMMITTED, 2);
	item(&r, "003_bad.sql", RUN_ROLLED_BACK, 3);
	item(&r, "004_d.sql", RUN_NOT_STARTED, 4);
	r.failed = xcalloc(1, sizeof(*r.failed));
	r.failed->name = xstrdup("003_bad.sql");
	s = summary(&r);
	assert_string_equal(s, "Migration failed in 003_bad.sql: 2 committed "
			       "and recorded (001_a.sql, 002_b.sql); 1 rolled "
			       "back (003_bad.sql); 1 not started "
			       "(004_d.sql).");
	assert_null(strstr(s, "nothing"));
	assert_int_equal(run_count(&r, RUN_COMMITTED), 2);
	free(s);
	run_report_release(&r);
}

static void
test_whole_batch_rolled_back(void **state)
{
	struct run_report r = { 0 };
	char *s;

	(void)state;
	item(&r, "001_a.sql", RUN_ROLLED_BACK, 1);
	item(&r, "002_b.sql", RUN_ROLLED_BACK, 1);
	item(&r, "003_c.sql", RUN_NOT_STARTED, 1);
	s = summary(&r);
	assert_string_equal(s, "Migration failed; rolled back, nothing applied "
			       "(3 migration(s) not applied).");
	free(s);
	r.down = 1;
	s = summary(&r);
	assert_non_null(strstr(s, "nothing reverted"));
	free(s);
	run_report_release(&r);
}

static void
test_partial_and_interrupt(void **state)
{
	struct run_report r = { 0 };
	struct rk_buf advice = RK_BUF_INIT;
	char *s;

	(void)state;
	item(&r, "001_a.sql", RUN_COMMITTED, 1);
	item(&r, "002_idx.sql", RUN_PARTIAL, 0);
	r.items[1].stmts_done = 1;
	r.interrupted = SIGINT;
	s = summary(&r);
	assert_string_equal(s, "Interrupted by SIGINT: 1 committed and "
			       "recorded (001_a.sql); 002_idx.sql partly "
			       "applied (1 of 3 statement(s) committed, not "
			       "recorded).");
	run_partial_advice(&r, 1, &advice);
	assert_non_null(strstr(advice.s, "statements 1-1 of 002_idx.sql "
					 "committed and statement 2 failed"));
	rk_buf_release(&advice);
	free(s);
	run_report_release(&r);
}

static void
test_success_and_skipped(void **state)
{
	struct run_report r = { 0 };
	char *s;

	(void)state;
	r.ok = 1;
	item(&r, "001_a.sql", RUN_COMMITTED, 1);
	item(&r, "002_b.sql", RUN_COMMITTED, 1);
	r.segments = 1;
	s = summary(&r);
	assert_string_equal(s, "Applied 2 migration(s) successfully.");
	free(s);
	run_report_release(&r);

	r.ok = 1;
	r.nothing_to_do = 1;
	r.lock_wait_ms = 120;
	item(&r, "001_a.sql", RUN_SKIPPED, 1);
	s = summary(&r);
	assert_string_equal(s, "Nothing to apply: another run applied the 1 "
			       "migration(s) while this one waited 120 ms for "
			       "the lock.");
	free(s);
	run_report_release(&r);
}

static void
test_plan_text(void **state)
{
	struct run_report r = { 0 };
	struct rk_buf b = RK_BUF_INIT;

	(void)state;
	item(&r, "V4.sql", RUN_PLANNED, 1);
	item(&r, "V5.sql", RUN_PLANNED, 1);
	item(&r, "V6.sql", RUN_PLANNED, 0);
	item(&r, "V7.sql", RUN_PLANNED, 2);
	item(&r, "V8.sql", RUN_PLANNED, 2);
	run_plan_text(&r, &b);
	assert_string_equal(b.s, "3 step(s): V4.sql to V5.sql in one "
				 "transaction, V6.sql alone without a "
				 "transaction, V7.sql to V8.sql in one "
				 "transaction");
	rk_buf_release(&b);
	run_report_release(&r);

	item(&r, "V1.sql", RUN_PLANNED, 1);
	item(&r, "V2.sql", RUN_PLANNED, 1);
	run_plan_text(&r, &b);
	assert_string_equal(b.s, "one transaction: V1.sql to V2.sql");
	rk_buf_release(&b);
	run_report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_file_failure),
		cmocka_unit_test(test_whole_batch_rolled_back),
		cmocka_unit_test(test_partial_and_interrupt),
		cmocka_unit_test(test_success_and_skipped),
		cmocka_unit_test(test_plan_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
