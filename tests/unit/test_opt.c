/*
 * Unit tests for the option-table parser (base/opt.c): boolean, string and
 * integer options in both "--name value" and "--name=value" forms,
 * positional arguments, "--", pass-through of unknown options, and the
 * exact usage errors a user sees. Every error must name the command.
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
#include "reckon/base/err.h"
#include "reckon/base/opt.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

/* The variables one command's table fills, and the table itself. */
struct vars {
	int check;
	int dry_run;
	const char *to;
	int steps;
	struct opt opts[5];
};

static void
vars_init(struct vars *v)
{
	const struct opt opts[] = {
		OPT_BOOL('c', "check", &v->check, "exit 3 on a problem"),
		OPT_BOOL(0, "dry-run", &v->dry_run, "touch nothing"),
		OPT_STRING(0, "to", &v->to, "VERSION", "stop at this version"),
		OPT_INT(0, "steps", &v->steps, "N", "at most this many"),
		OPT_END(),
	};

	memset(v, 0, sizeof(*v));
	v->steps = -7; /* "not set", to see that errors leave it alone */
	memcpy(v->opts, opts, sizeof(opts));
}

/* A writable argv (argc strings and a NULL) from string literals. */
struct args {
	int argc;
	char *argv[16];
	char *rest[17];
	int nrest;
};

static void
args_init(struct args *a, int argc, ...)
{
	va_list ap;

	memset(a, 0, sizeof(*a));
	a->nrest = -1;
	assert_true(argc < 16);
	a->argc = argc;
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		a->argv[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
}

static void
args_release(struct args *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	memset(a, 0, sizeof(*a));
}

static int
parse(struct vars *v, struct args *a, int keep_unknown, struct rk_err *err)
{
	return opt_parse("run", v->opts, a->argc, a->argv, keep_unknown,
			 a->rest, &a->nrest, err);
}

/* The rest array, joined by spaces, after a NULL terminator check. */
static void
check_rest(const struct args *a, const char *want)
{
	char got[512] = "";
	size_t k = 0;

	assert_true(a->nrest >= 0);
	assert_null(a->rest[a->nrest]);
	for (int i = 0; i < a->nrest; i++)
		k += (size_t)snprintf(got + k, sizeof(got) - k, "%s%s",
				      i ? " " : "", a->rest[i]);
	assert_string_equal(got, want);
}

/* Parsing fails with RK_USAGE and exactly the message want. */
static void
check_usage(struct args *a, int keep_unknown, const char *want)
{
	struct vars v;
	struct rk_err err = RK_ERR_INIT;

	vars_init(&v);
	assert_int_equal(parse(&v, a, keep_unknown, &err), -1);
	assert_int_equal(err.kind, RK_USAGE);
	assert_string_equal(err.msg, want);
	assert_int_equal(v.steps, -7);
	args_release(a);
}

static void
test_bool(void **state)
{
	struct vars v;
	struct args a;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	vars_init(&v);
	args_init(&a, 2, "--check", "--dry-run");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_int_equal(v.check, 1);
	assert_int_equal(v.dry_run, 1);
	assert_null(v.to);
	assert_int_equal(v.steps, -7);
	check_rest(&a, "");
	assert_int_equal(a.nrest, 0);
	args_release(&a);
}

static void
test_string(void **state)
{
	struct vars v;
	struct args a;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	vars_init(&v);
	args_init(&a, 2, "--to", "20240101");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_string_equal(v.to, "20240101");
	assert_ptr_equal(v.to, a.argv[1]); /* borrowed from argv */
	check_rest(&a, "");
	args_release(&a);

	vars_init(&v);
	args_init(&a, 1, "--to=1.2");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_string_equal(v.to, "1.2");
	assert_ptr_equal(v.to, a.argv[0] + 5);
	args_release(&a);

	/* "=" splits once; an empty value is a value */
	vars_init(&v);
	args_init(&a, 1, "--to=a=b");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_string_equal(v.to, "a=b");
	args_release(&a);
	vars_init(&v);
	args_init(&a, 1, "--to=");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_string_equal(v.to, "");
	args_release(&a);

	/* given twice, the last one counts */
	vars_init(&v);
	args_init(&a, 3, "--to=1", "--to", "2");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_string_equal(v.to, "2");
	args_release(&a);
}

static void
test_int(void **state)
{
	struct vars v;
	struct args a;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	vars_init(&v);
	args_init(&a, 2, "--steps", "3");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_int_equal(v.steps, 3);
	args_release(&a);

	vars_init(&v);
	args_init(&a, 1, "--steps=0");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_int_equal(v.steps, 0);
	args_release(&a);

	vars_init(&v);
	args_init(&a, 1, "--steps=1000000");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_int_equal(v.steps, 1000000);
	args_release(&a);
}

static void
test_int_errors(void **state)
{
	struct args a;

	(void)state;
	args_init(&a, 1, "--steps=x");
	check_usage(&a, 0,
		    "run: option '--steps' needs a whole number, not 'x'");
	args_init(&a, 2, "--steps", "-1");
	check_usage(&a, 0,
		    "run: option '--steps' needs a whole number, not '-1'");
	args_init(&a, 1, "--steps=");
	check_usage(&a, 0,
		    "run: option '--steps' needs a whole number, not ''");
	args_init(&a, 1, "--steps=3x");
	check_usage(&a, 0,
		    "run: option '--steps' needs a whole number, not '3x'");
	args_init(&a, 1, "--steps=99999999999999999999");
	check_usage(&a, 0,
		    "run: option '--steps' needs a whole number, not "
		    "'99999999999999999999'");
}

static void
test_missing_value(void **state)
{
	struct args a;

	(void)state;
	args_init(&a, 1, "--to");
	check_usage(&a, 0, "run: option '--to' needs a value");
	args_init(&a, 2, "--check", "--steps");
	check_usage(&a, 0, "run: option '--steps' needs a value");
	/* keep_unknown does not excuse a known option's missing value */
	args_init(&a, 1, "--steps");
	check_usage(&a, 1, "run: option '--steps' needs a value");
}

static void
test_unknown(void **state)
{
	struct args a;

	(void)state;
	args_init(&a, 1, "--nope");
	check_usage(&a, 0,
		    "run: unknown option '--nope'; see 'reckon run --help'");
	/* no abbreviations: --che is not --check */
	args_init(&a, 1, "--che");
	check_usage(&a, 0,
		    "run: unknown option '--che'; see 'reckon run --help'");
	args_init(&a, 1, "--checks");
	check_usage(&a, 0,
		    "run: unknown option '--checks'; see 'reckon run --help'");
	args_init(&a, 2, "x", "-v");
	check_usage(&a, 0,
		    "run: unknown option '-v' (options are long: --name)");
	args_init(&a, 1, "--check=yes");
	check_usage(&a, 0, "run: option '--check' takes no value");
}

static void
test_positional(void **state)
{
	struct vars v;
	struct args a;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	vars_init(&v);
	args_init(&a, 6, "V1__a.sql", "--check", "V2__b.sql", "-", "--to=3",
		  "V3__c.sql");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_int_equal(v.check, 1);
	assert_string_equal(v.to, "3");
	check_rest(&a, "V1__a.sql V2__b.sql - V3__c.sql");
	assert_int_equal(a.nrest, 4);
	assert_ptr_equal(a.rest[0], a.argv[0]);
	args_release(&a);

	vars_init(&v);
	args_init(&a, 0);
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_int_equal(a.nrest, 0);
	assert_null(a.rest[0]);
	args_release(&a);
}

/* "--" ends options: what follows is positional, dashes and all. */
static void
test_double_dash(void **state)
{
	struct vars v;
	struct args a;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	vars_init(&v);
	args_init(&a, 6, "--check", "--", "--to", "x", "--", "-v");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_int_equal(v.check, 1);
	assert_null(v.to);
	check_rest(&a, "--to x -- -v");
	args_release(&a);

	/* passing through, "--" is kept so the next parser stops too */
	vars_init(&v);
	args_init(&a, 4, "--check", "--", "--to", "x");
	assert_int_equal(parse(&v, &a, 1, &err), 0);
	assert_int_equal(v.check, 1);
	assert_null(v.to);
	check_rest(&a, "-- --to x");
	args_release(&a);
}

/* keep_unknown: options not in the table pass through, in order. */
static void
test_keep_unknown(void **state)
{
	struct vars v;
	struct args a;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	vars_init(&v);
	args_init(&a, 8, "--json", "status", "--check", "--db=sqlite:x.db",
		  "-v", "--to", "5", "--yes");
	assert_int_equal(parse(&v, &a, 1, &err), 0);
	assert_int_equal(v.check, 1);
	assert_string_equal(v.to, "5");
	check_rest(&a, "--json status --db=sqlite:x.db -v --yes");
	assert_int_equal(a.nrest, 5);
	assert_int_equal(err.kind, RK_OK);
	args_release(&a);
}

/* A single-letter alias sets its boolean; other letters stay unknown. */
static void
test_short(void **state)
{
	struct vars v;
	struct args a;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	vars_init(&v);
	args_init(&a, 2, "-c", "x");
	assert_int_equal(parse(&v, &a, 0, &err), 0);
	assert_int_equal(v.check, 1);
	check_rest(&a, "x");
	args_release(&a);
	args_init(&a, 1, "-cc");
	check_usage(&a, 0,
		    "run: unknown option '-cc' (options are long: --name)");
	args_init(&a, 2, "-x", "-c");
	vars_init(&v);
	assert_int_equal(parse(&v, &a, 1, &err), 0);
	check_rest(&a, "-x");
	assert_int_equal(v.check, 1);
	args_release(&a);
}

/* Without a command name (the global options) messages have no prefix. */
static void
test_global_messages(void **state)
{
	struct vars v;
	struct args a;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	vars_init(&v);
	args_init(&a, 1, "--to");
	assert_int_equal(opt_parse(NULL, v.opts, a.argc, a.argv, 1, a.rest,
				   &a.nrest, &err),
			 -1);
	assert_string_equal(err.msg, "option '--to' needs a value");
	args_release(&a);
}

/* --help's lines: aliases, value names, help, and a long option's help on
 * a line of its own. */
static void
test_usage(void **state)
{
	int b = 0;
	const char *s = NULL;
	const struct opt opts[] = {
		OPT_BOOL('h', "help", &b, "show this help"),
		OPT_STRING(0, "to", &s, "VERSION", "stop there"),
		{ 0, "a-rather-long-option", OPTION_STRING, &s, "DURATION",
		  "long", "5s" },
		OPT_END(),
	};
	struct rk_buf out = RK_BUF_INIT;

	(void)state;
	opt_usage(&out, opts);
	assert_string_equal(out.s,
			    "  -h, --help              show this help\n"
			    "      --to VERSION        stop there\n"
			    "      --a-rather-long-option DURATION\n"
			    "                          long (default: 5s)\n");
	rk_buf_release(&out);
}

/* An optional value: only "--name=value" gives one; "--name" alone is
 * "" and the next argument stays an argument. */
/* OPTION_LIST: every occurrence kept, in order, one a line */
static void
test_list(void **state)
{
	struct rk_buf v = RK_BUF_INIT;
	const struct opt opts[] = {
		{ 0, "placeholder", OPTION_LIST, &v, "NAME=VALUE", "a value",
		  NULL },
		OPT_END(),
	};
	struct rk_err err = RK_ERR_INIT;
	struct args a;

	(void)state;
	args_init(&a, 4, "--placeholder", "a=1 2", "--placeholder=B=x",
		  "status");
	assert_int_equal(opt_parse(NULL, opts, a.argc, a.argv, 0, a.rest,
				   &a.nrest, &err),
			 0);
	assert_string_equal(v.s, "a=1 2\nB=x\n");
	check_rest(&a, "status");
	args_release(&a);
	rk_buf_release(&v);
}

static void
test_optional_value(void **state)
{
	const char *w = NULL;
	const struct opt opts[] = {
		OPT_OPTSTRING(0, "wait-for-db", &w, "DURATION", "wait first"),
		OPT_END(),
	};
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf out = RK_BUF_INIT;
	struct args a;

	(void)state;
	args_init(&a, 2, "--wait-for-db", "status");
	assert_int_equal(opt_parse(NULL, opts, a.argc, a.argv, 0, a.rest,
				   &a.nrest, &err),
			 0);
	assert_non_null(w);
	assert_string_equal(w, "");
	check_rest(&a, "status");
	args_release(&a);
	w = NULL;
	args_init(&a, 2, "--wait-for-db=5s", "status");
	assert_int_equal(opt_parse(NULL, opts, a.argc, a.argv, 0, a.rest,
				   &a.nrest, &err),
			 0);
	assert_string_equal(w, "5s");
	check_rest(&a, "status");
	args_release(&a);
	w = NULL;
	args_init(&a, 1, "status");
	assert_int_equal(opt_parse(NULL, opts, a.argc, a.argv, 0, a.rest,
				   &a.nrest, &err),
			 0);
	assert_null(w);
	args_release(&a);
	opt_usage(&out, opts);
	assert_string_equal(out.s, "      --wait-for-db[=DURATION]\n"
				   "                          wait first\n");
	rk_buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_int_errors),
		cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_positional),
		cmocka_unit_test(test_double_dash),
		cmocka_unit_test(test_keep_unknown),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_global_messages),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_optional_value),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
