/*
 * The option-table parser behind every command.
 */
#include "reckon/opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/err.h"
#include "reckon/banned.h"

static const struct opt *
find_opt(const struct opt *opts, const char *name, size_t n)
{
	for (; opts->type != OPT_END; opts++)
		if (strlen(opts->name) == n &&
		    strncmp(opts->name, name, n) == 0)
			return opts;
	return NULL;
}

static int
set_value(const char *cmd, const struct opt *o, const char *val,
	  struct rk_err *err)
{
	char *end;
	long v;

	switch (o->type) {
	case OPT_BOOL:
		if (val)
			return rk_fail(err, RK_USAGE,
				       "%s: option '--%s' takes no value", cmd,
				       o->name);
		*(int *)o->value = 1;
		return 0;
	case OPT_STRING:
		*(const char **)o->value = val;
		return 0;
	case OPT_INT:
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno || end == val || *end || v < 0 || v > 1000000000)
			return rk_fail(
				err, RK_USAGE,
				"%s: option '--%s' needs a whole number, "
				"not '%s'",
				cmd, o->name, val);
		*(int *)o->value = (int)v;
		return 0;
	case OPT_END:
		break;
	}
	return rk_fail(err, RK_USAGE, "%s: bad option table", cmd);
}

int
opt_parse(const char *cmd, const struct opt *opts, int argc, char **argv,
	  int keep_unknown, char **rest, int *nrest, struct rk_err *err)
{
	int i, only_args = 0;

	*nrest = 0;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, *val = NULL;
		const struct opt *o;
		size_t n;

		if (only_args || a[0] != '-' || a[1] == '\0') {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			if (keep_unknown)
				rest[(*nrest)++] = argv[i];
			only_args = 1;
			continue;
		}
		if (a[1] != '-') {
			if (keep_unknown) {
				rest[(*nrest)++] = argv[i];
				continue;
			}
			return rk_fail(err, RK_USAGE,
				       "%s: unknown option '%s' (options are "
				       "long: --name)",
				       cmd, a);
		}
		eq = strchr(a + 2, '=');
		n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
		o = find_opt(opts, a + 2, n);
		if (!o) {
			if (keep_unknown) {
				rest[(*nrest)++] = argv[i];
				continue;
			}
			return rk_fail(err, RK_USAGE,
				       "%s: unknown option '%s'; see 'reckon "
				       "%s --help'",
				       cmd, a, cmd);
		}
		if (eq)
			val = eq + 1;
		else if (o->type != OPT_BOOL) {
			if (i + 1 >= argc)
				return rk_fail(
					err, RK_USAGE,
					"%s: option '--%s' needs a value", cmd,
					o->name);
			val = argv[++i];
		}
		if (set_value(cmd, o, val, err) < 0)
			return -1;
	}
	rest[*nrest] = NULL;
	return 0;
}
