/*
 * The option-table parser behind every command, and the --help it prints.
 */
#include "reckon/base/opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

/* Help's first column: options longer than this get a line of their own,
 * as git's usage_with_options() does. */
#define USAGE_WIDTH 26

static const struct opt *
find_opt(const struct opt *opts, const char *name, size_t n)
{
	for (; opts->type != OPTION_END; opts++)
		if (strlen(opts->name) == n &&
		    strncmp(opts->name, name, n) == 0)
			return opts;
	return NULL;
}

static const struct opt *
find_short(const struct opt *opts, char c)
{
	for (; opts->type != OPTION_END; opts++)
		if (opts->short_name && opts->short_name == c)
			return opts;
	return NULL;
}

/* "cmd: " before a message, or nothing for the global options. */
static const char *
pfx(const char *cmd)
{
	return cmd ? cmd : "";
}

static const char *
sep(const char *cmd)
{
	return cmd ? ": " : "";
}

static int
set_value(const char *cmd, const struct opt *o, const char *val,
	  struct rk_err *err)
{
	char *end;
	long v;

	switch (o->type) {
	case OPTION_BOOL:
		if (val)
			return rk_fail(err, RK_USAGE,
				       "%s%soption '--%s' takes no value",
				       pfx(cmd), sep(cmd), o->name);
		*(int *)o->value = 1;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = val;
		return 0;
	case OPTION_OPTSTRING:
		*(const char **)o->value = val ? val : "";
		return 0;
	case OPTION_LIST:
		rk_buf_adds(o->value, val);
		rk_buf_addc(o->value, '\n');
		return 0;
	case OPTION_INT:
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno || end == val || *end || v < 0 || v > 1000000000)
			return rk_fail(
				err, RK_USAGE,
				"%s%soption '--%s' needs a whole number, "
				"not '%s'",
				pfx(cmd), sep(cmd), o->name, val);
		*(int *)o->value = (int)v;
		return 0;
	case OPTION_END:
		break;
	}
	return rk_fail(err, RK_USAGE, "%s%sbad option table", pfx(cmd),
		       sep(cmd));
}

/* A short option: "-h" (booleans only, one letter at a time). */
static int
parse_short(const char *cmd, const struct opt *opts, const char *a,
	    int *handled, struct rk_err *err)
{
	const struct opt *o = a[2] == '\0' ? find_short(opts, a[1]) : NULL;

	*handled = o != NULL;
	return o ? set_value(cmd, o, NULL, err) : 0;
}

int
opt_parse(const char *cmd, const struct opt *opts, int argc, char **argv,
	  int keep_unknown, char **rest, int *nrest, struct rk_err *err)
{
	int i, only_args = 0, handled;

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
			if (parse_short(cmd, opts, a, &handled, err) < 0)
				return -1;
			if (handled)
				continue;
			if (keep_unknown) {
				rest[(*nrest)++] = argv[i];
				continue;
			}
			return rk_fail(err, RK_USAGE,
				       "%s%sunknown option '%s' (options are "
				       "long: --name)",
				       pfx(cmd), sep(cmd), a);
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
				       "%s%sunknown option '%s'; see 'reckon "
				       "%s%s--help'",
				       pfx(cmd), sep(cmd), a, pfx(cmd),
				       cmd ? " " : "");
		}
		if (eq)
			val = eq + 1;
		else if (o->type != OPTION_BOOL &&
			 o->type != OPTION_OPTSTRING) {
			if (i + 1 >= argc)
				return rk_fail(
					err, RK_USAGE,
					"%s%soption '--%s' needs a value",
					pfx(cmd), sep(cmd), o->name);
			val = argv[++i];
		}
		if (set_value(cmd, o, val, err) < 0)
			return -1;
	}
	rest[*nrest] = NULL;
	return 0;
}

void
opt_usage(struct rk_buf *out, const struct opt *opts)
{
	for (; opts->type != OPTION_END; opts++) {
		size_t start = out->len, w;

		rk_buf_adds(out, "  ");
		if (opts->short_name)
			rk_buf_addf(out, "-%c, ", opts->short_name);
		else
			rk_buf_adds(out, "    ");
		rk_buf_addf(out, "--%s", opts->name);
		if (opts->argh && opts->type == OPTION_OPTSTRING)
			rk_buf_addf(out, "[=%s]", opts->argh);
		else if (opts->argh)
			rk_buf_addf(out, " %s", opts->argh);
		w = out->len - start;
		if (w + 2 > USAGE_WIDTH)
			rk_buf_addf(out, "\n%*s", USAGE_WIDTH, "");
		else
			rk_buf_addf(out, "%*s", (int)(USAGE_WIDTH - w), "");
		rk_buf_adds(out, opts->help ? opts->help : "");
		if (opts->defval)
			rk_buf_addf(out, " (default: %s)", opts->defval);
		rk_buf_addc(out, '\n');
	}
}

struct opt *
opt_copy(const struct opt *opts)
{
	size_t n = 0;
	struct opt *v;

	while (opts[n].type != OPTION_END)
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i <= n; i++) {
		v[i] = opts[i];
		v[i].value = NULL;
	}
	return v;
}
