/*
 * Unit tests for reckon.yaml loading and duration parsing (core/config.c):
 * real YAML files in a temporary directory, and the errors a user sees for
 * an unknown key, a wrong type, a bad duration or broken YAML, each of which
 * must name the file, the line and the key. The environment half of the
 * module (cfg_resolve_env) is left to the integration tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reckon/core/config.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

/* A test's directory, its config, and the directory to return to. */
struct fixture {
	char dir[64];
	char path[128]; /* dir + "/reckon.yaml" */
	int cwd;	/* open fd of the directory the test started in */
	struct rk_config cfg;
};

static int
setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));
	struct rk_config init = RK_CONFIG_INIT;

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/reckon-test-config-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/reckon.yaml", fx->dir);
	fx->cwd = open(".", O_RDONLY | O_DIRECTORY);
	fx->cfg = init;
	*state = fx;
	return fx->cwd < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	int rc = fchdir(fx->cwd);

	close(fx->cwd);
	cfg_release(&fx->cfg);
	(void)unlink(fx->path);
	if (rmdir(fx->dir) < 0)
		rc = -1;
	free(fx);
	return rc;
}

static void
write_yaml(const struct fixture *fx, const char *text)
{
	FILE *f = fopen(fx->path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Load text as fx->path and expect an RK_CONFIG error whose message
 * contains the file's path and each NULL-terminated string. */
static void
check_error(struct fixture *fx, const char *text, ...)
{
	struct rk_err err = RK_ERR_INIT;
	const char *want;
	va_list ap;

	write_yaml(fx, text);
	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), -1);
	if (err.kind != RK_CONFIG)
		fail_msg("kind %d, want RK_CONFIG: %s", (int)err.kind, err.msg);
	if (!strstr(err.msg, fx->path))
		fail_msg("message '%s' does not name '%s'", err.msg, fx->path);
	va_start(ap, text);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (!strstr(err.msg, want)) {
			va_end(ap);
			fail_msg("message '%s' lacks '%s'", err.msg, want);
		}
	}
	va_end(ap);
}

static void
test_load_valid(void **state)
{
	struct fixture *fx = *state;
	struct rk_err err = RK_ERR_INIT;

	write_yaml(fx, "# reckon settings\n"
		       "database: postgres://app@db/prod\n"
		       "dir: db/migrations\n"
		       "schema: app\n"
		       "framework: flyway\n"
		       "table: app.flyway_schema_history\n"
		       "lock_timeout: 2s\n"
		       "lock_wait: 1min\n"
		       "no_sidecar: true\n");
	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), 0);
	assert_int_equal(err.kind, RK_OK);
	assert_string_equal(fx->cfg.db_url, "postgres://app@db/prod");
	assert_string_equal(fx->cfg.db_source, fx->path);
	assert_string_equal(fx->cfg.dir, "db/migrations");
	assert_string_equal(fx->cfg.schema, "app");
	assert_string_equal(fx->cfg.framework, "flyway");
	assert_string_equal(fx->cfg.table, "app.flyway_schema_history");
	assert_int_equal(fx->cfg.lock_timeout_ms, 2000);
	assert_int_equal(fx->cfg.lock_wait_s, 60);
	assert_int_equal(fx->cfg.no_sidecar, 1);
}

/* Keys not in the file leave what was there; the ones in it replace. */
static void
test_load_partial(void **state)
{
	struct fixture *fx = *state;
	struct rk_err err = RK_ERR_INIT;

	cfg_set(&fx->cfg.dir, "old");
	cfg_set(&fx->cfg.schema, "kept");
	write_yaml(fx, "dir: 'quoted dir'\n"
		       "lock_timeout: 250ms\n"
		       "lock_wait: 1500ms\n"
		       "no_sidecar: no\n");
	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), 0);
	assert_string_equal(fx->cfg.dir, "quoted dir");
	assert_string_equal(fx->cfg.schema, "kept");
	assert_null(fx->cfg.db_url);
	assert_null(fx->cfg.db_source);
	assert_null(fx->cfg.framework);
	assert_int_equal(fx->cfg.lock_timeout_ms, 250);
	assert_int_equal(fx->cfg.lock_wait_s, 2); /* whole seconds, up */
	assert_int_equal(fx->cfg.no_sidecar, 0);
}

/* An empty file is valid and changes nothing. */
static void
test_load_empty(void **state)
{
	struct fixture *fx = *state;
	struct rk_err err = RK_ERR_INIT;

	write_yaml(fx, "");
	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), 0);
	assert_null(fx->cfg.db_url);
	assert_null(fx->cfg.dir);
	assert_int_equal(fx->cfg.lock_timeout_ms, 5000);
	assert_int_equal(fx->cfg.lock_wait_s, 30);
}

static void
test_unknown_key(void **state)
{
	struct fixture *fx = *state;
	struct rk_err err = RK_ERR_INIT;

	check_error(fx, "database: sqlite:app.db\ndir: m\ndatbase: y\n",
		    ":3:", "unknown key", "'datbase'", NULL);
	check_error(fx, "# comment\n\ndir: m\n\"framewrk\": x\n",
		    ":4:", "'framewrk'", NULL);
	/* the hint lists the keys that exist */
	write_yaml(fx, "dir: m\nport: 5432\n");
	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), -1);
	assert_non_null(strstr(err.msg, ":2:"));
	assert_non_null(strstr(err.msg, "'port'"));
	assert_non_null(strstr(err.hint, "database"));
	assert_non_null(strstr(err.hint, "lock_timeout"));
}

static void
test_wrong_type(void **state)
{
	struct fixture *fx = *state;

	check_error(fx, "database:\n  - a\n  - b\n", ":1:", "'database'", NULL);
	check_error(fx, "dir: m\nschema:\n  name: app\n", ":2:", "'schema'",
		    NULL);
	check_error(fx, "framework: [flyway, knex]\n", ":1:", "'framework'",
		    NULL);
	/* the whole file must be a mapping */
	check_error(fx, "- database\n- dir\n", NULL);
}

/* runner_env: NAME=VALUE words, or a mapping whose values may hold
 * blanks; both become NAME=VALUE lines, at the top or in an environment. */
static void
test_runner_env(void **state)
{
	struct fixture *fx = *state;
	struct rk_err err = RK_ERR_INIT;

	write_yaml(fx, "runner_env: A={url}  B=2\n");
	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), 0);
	assert_string_equal(fx->cfg.runner_env, "A={url}\nB=2\n");
	write_yaml(fx, "runner_env: {ALEMBIC_URL: '{url}', X_Y: a b}\n");
	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), 0);
	assert_string_equal(fx->cfg.runner_env, "ALEMBIC_URL={url}\nX_Y=a b\n");
	write_yaml(fx, "runner_env:\n  ONE: 1\nenvironments:\n  ci:\n"
		       "    runner_env:\n      TWO: '2'\n");
	cfg_set(&fx->cfg.env, "ci");
	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), 0);
	assert_string_equal(fx->cfg.runner_env, "TWO=2\n");
	cfg_set(&fx->cfg.env, NULL);
	assert_int_equal(cfg_apply(&fx->cfg, &cfg_keys[CFG_KEY_runner_env],
				   "P=1 Q=x", "--runner-env", &err),
			 0);
	assert_string_equal(fx->cfg.runner_env, "P=1\nQ=x\n");

	check_error(fx, "runner_env: {1A: x}\n",
		    ":1:", "'1A' is not a variable name", NULL);
	check_error(fx, "runner_env:\n  A: [1, 2]\n",
		    ":2:", "A: expected a one-line value", NULL);
	check_error(fx, "runner_env: A=1 oops\n",
		    ":1:", "'oops' is not NAME=VALUE", NULL);
	check_error(fx, "runner_env: [A=1]\n",
		    ":1:", "NAME=VALUE words or a mapping", NULL);
	check_error(fx, "dir: m\nrunner:\n  A: 1\n",
		    ":2:", "expected a plain value", NULL);
}

/* placeholders: a mapping, each --placeholder over it by name (any
 * case), the rest of the line after '=' the value */
static void
test_placeholders(void **state)
{
	struct fixture *fx = *state;
	struct rk_err err = RK_ERR_INIT;
	const struct cfg_key *k = &cfg_keys[CFG_KEY_placeholders];

	write_yaml(fx, "placeholders: {tbl: orders, Owner: app}\n");
	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), 0);
	assert_string_equal(fx->cfg.placeholders, "tbl=orders\nOwner=app\n");
	assert_int_equal(cfg_apply(&fx->cfg, k, "owner=a b\nx=1\n",
				   "--placeholder", &err),
			 0);
	assert_string_equal(fx->cfg.placeholders,
			    "tbl=orders\nowner=a b\nx=1\n");
	assert_int_equal(
		cfg_apply(&fx->cfg, k, "nope\n", "--placeholder", &err), -1);
	assert_int_equal(err.kind, RK_CONFIG);
	assert_non_null(strstr(err.msg, "'nope' is not NAME=VALUE"));
	assert_string_equal(fx->cfg.placeholders,
			    "tbl=orders\nowner=a b\nx=1\n");
	check_error(fx, "placeholders: {1A: x}\n",
		    ":1:", "'1A' is not a variable name", NULL);
}

static void
test_bad_values(void **state)
{
	struct fixture *fx = *state;

	check_error(fx, "dir: m\nlock_timeout: soon\n", ":2:", "'lock_timeout'",
		    "'soon'", NULL);
	check_error(fx, "lock_wait: -5s\n", ":1:", "'lock_wait'", "'-5s'",
		    NULL);
	check_error(fx, "dir: m\n\nno_sidecar: maybe\n", ":3:", "'no_sidecar'",
		    "'maybe'", NULL);
}

/* The line of a repeated key is where it is repeated. */
static void
test_duplicate_key(void **state)
{
	struct fixture *fx = *state;

	check_error(fx, "dir: m\ndir: n\n", ":2:", "'dir'", NULL);
}

static void
test_bad_yaml(void **state)
{
	struct fixture *fx = *state;

	check_error(fx, "dir: m\ndatabase: 'unterminated\n", "database", NULL);
	check_error(fx, "dir: m\nschema: a: b\n", ":2:", "schema", NULL);
}

static void
test_missing_file(void **state)
{
	struct fixture *fx = *state;
	struct rk_err err = RK_ERR_INIT;

	assert_int_equal(cfg_load(fx->path, &fx->cfg, &err), -1);
	assert_int_equal(err.kind, RK_CONFIG);
	assert_non_null(strstr(err.msg, fx->path));
	assert_non_null(strstr(err.msg, "No such file or directory"));
}

/* Without a path, ./reckon.yaml is read if it exists, else nothing. */
static void
test_default_file(void **state)
{
	struct fixture *fx = *state;
	struct rk_err err = RK_ERR_INIT;

	assert_int_equal(chdir(fx->dir), 0);
	assert_int_equal(cfg_load(NULL, &fx->cfg, &err), 0);
	assert_null(fx->cfg.dir);
	assert_int_equal(err.kind, RK_OK);

	write_yaml(fx, "dir: from_default\n");
	assert_int_equal(cfg_load(NULL, &fx->cfg, &err), 0);
	assert_string_equal(fx->cfg.dir, "from_default");

	write_yaml(fx, "dri: typo\n");
	assert_int_equal(cfg_load(NULL, &fx->cfg, &err), -1);
	assert_non_null(strstr(err.msg, "reckon.yaml:1:"));
	assert_non_null(strstr(err.msg, "'dri'"));
}

static void
test_parse_duration(void **state)
{
	(void)state;
	assert_int_equal(cfg_parse_duration_ms("5s"), 5000);
	assert_int_equal(cfg_parse_duration_ms("500ms"), 500);
	assert_int_equal(cfg_parse_duration_ms("2min"), 120000);
	assert_int_equal(cfg_parse_duration_ms("3"), 3000);
	assert_int_equal(cfg_parse_duration_ms("0"), 0);
	assert_int_equal(cfg_parse_duration_ms("1.5s"), 1500);
	assert_int_equal(cfg_parse_duration_ms("x"), -1);
	assert_int_equal(cfg_parse_duration_ms("-1"), -1);
	assert_int_equal(cfg_parse_duration_ms("-1s"), -1);
	assert_int_equal(cfg_parse_duration_ms(""), -1);
	assert_int_equal(cfg_parse_duration_ms(NULL), -1);
	assert_int_equal(cfg_parse_duration_ms("5 s"), -1);
	assert_int_equal(cfg_parse_duration_ms("5sec"), -1);
	assert_int_equal(cfg_parse_duration_ms("2m"), 120000);
	assert_int_equal(cfg_parse_duration_ms("1h"), 3600000);
	assert_int_equal(cfg_parse_duration_ms("0.5h"), 1800000);
	assert_int_equal(cfg_parse_duration_ms("168h"), 604800000);
	assert_int_equal(cfg_parse_duration_ms("169h"), -1);
	assert_int_equal(cfg_parse_duration_ms("5hr"), -1);
	assert_int_equal(cfg_parse_duration_ms("ms"), -1);
	assert_int_equal(cfg_parse_duration_ms("inf"), -1);
	assert_int_equal(cfg_parse_duration_ms("99999999999s"), -1);
}

/* Not-a-number is not a duration (and must not reach an int cast). */
static void
test_parse_duration_nan(void **state)
{
	(void)state;
	assert_int_equal(cfg_parse_duration_ms("nan"), -1);
	assert_int_equal(cfg_parse_duration_ms("NaNms"), -1);
}

static void
test_set(void **state)
{
	struct fixture *fx = *state;
	char value[] = "first";

	cfg_set(&fx->cfg.schema, value);
	value[0] = 'F'; /* a copy was kept, not the pointer */
	assert_string_equal(fx->cfg.schema, "first");
	cfg_set(&fx->cfg.schema, "second");
	assert_string_equal(fx->cfg.schema, "second");
	cfg_set(&fx->cfg.schema, NULL);
	assert_null(fx->cfg.schema);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_valid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_partial, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wrong_type, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_yaml, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_default_file, setup,
						teardown),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_duration_nan),
		cmocka_unit_test_setup_teardown(test_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runner_env, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_placeholders, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
