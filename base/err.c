/*
 * Filling and decorating struct rk_err, and the one mapping from error
 * kinds to exit codes. Printing errors is main.c's and serve.c's job.
 */
#include "reckon/base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reckon/base/banned.h"

int
rk_fail_at(struct rk_err *err, enum rk_kind kind, const char *file, int line,
	   const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	rk_err_clear(err);
	err->kind = kind;
	err->src_file = file;
	err->src_line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
rk_err_prefix(struct rk_err *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	size_t n;
	va_list ap;

	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (n + 2 < sizeof(err->msg)) {
		memcpy(err->msg + n, ": ", 2);
		n += 2;
		memcpy(err->msg + n, old, sizeof(err->msg) - n - 1);
		err->msg[sizeof(err->msg) - 1] = '\0';
	}
}

void
rk_err_hint(struct rk_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

void
rk_err_clear(struct rk_err *err)
{
	struct rk_err empty = RK_ERR_INIT;

	*err = empty;
}

int
rk_exit_code(enum rk_kind kind)
{
	switch (kind) {
	case RK_OK:
		return RK_EXIT_OK;
	case RK_USAGE:
	case RK_CONFIG:
	case RK_CONFLICT:
		return RK_EXIT_USAGE;
	case RK_INPUT:
	case RK_DB:
		return RK_EXIT_FAIL;
	case RK_CHECK:
		return RK_EXIT_CHECK;
	}
	return RK_EXIT_FAIL;
}
