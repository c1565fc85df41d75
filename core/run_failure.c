/*
 * The failure report of a run: the file, the line the server's position
 * points at, the statement and numbered lines around it; and the failure a
 * signal causes.
 */
#include "reckon/core/ops.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/core/interrupt.h"
#include "reckon/base/util.h"
#include "run.h"
#include "reckon/base/banned.h"

/* Line of the server's 1-based character position inside a statement. */
static unsigned
position_line(const char *s, size_t len, unsigned line, int position)
{
	size_t chars = 0;

	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 &&
		    ++chars >= (size_t)position)
			break;
		if (s[i] == '\n')
			line++;
	}
	return line;
}

/* Numbered lines around line in text, the line itself marked. */
static char *
excerpt(const char *text, size_t n, unsigned line)
{
	struct rk_buf b = RK_BUF_INIT;
	unsigned first = line > 2 ? line - 2 : 1, cur = 1;
	size_t i = 0;

	while (i < n && cur <= line + 2) {
		const char *e = memchr(text + i, '\n', n - i);
		size_t ll = e ? (size_t)(e - (text + i)) : n - i;

		if (cur >= first)
			rk_buf_addf(&b, "%s%5u | %.*s\n",
				    cur == line ? ">" : " ", cur, (int)ll,
				    text + i);
		i += ll + 1;
		cur++;
	}
	return rk_buf_detach(&b, NULL);
}

static char *
dup_nonempty(const char *s)
{
	return *s ? xstrdup(s) : NULL;
}

void
run_fail_report(struct run_report *r, const struct prepared *p,
		const struct sql_stmt *st, struct rk_err *err)
{
	struct run_failure *f;

	if (r->failed)
		return; /* the first failure is the cause */
	f = xcalloc(1, sizeof(*f));
	if (!*err->hint && (strcmp(err->sqlstate, "55P03") == 0 ||
			    strstr(err->msg, "database is locked")))
		rk_err_hint(err, "another session holds a lock this migration "
				 "needs; see 'reckon check', retry when it is "
				 "idle, or raise --lock-timeout");

	f->name = p ? xstrdup(p->file->name) : NULL;
	f->error = xstrdup(err->msg);
	f->detail = dup_nonempty(err->detail);
	f->hint = dup_nonempty(err->hint);
	memcpy(f->sqlstate, err->sqlstate, sizeof(f->sqlstate));

	if (p && st) {
		f->line = err->position > 0
				  ? position_line(p->text.s + st->off, st->len,
						  st->line, err->position)
				  : st->line;
		f->statement = xstrndup(p->text.s + st->off,
					st->len < 4000 ? st->len : 4000);
		f->excerpt = excerpt(p->text.s, p->text.len, f->line);
	}
	r->failed = f;
}

/* Fail because a signal asked the run to stop. */
int
run_interrupted(struct rk_err *err)
{
	int sig = rk_interrupted();

	rk_fail(err, RK_DB, "interrupted by %s",
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	rk_err_hint(err, "nothing more was sent; what committed is listed "
			 "above, and 'reckon status' shows the rest");
	return -1;
}
