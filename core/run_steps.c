/*
 * The framework's order and the set of migrations each delegated step
 * applies (run_delegate.h). A code migration may name the ones it needs
 * (mig_file parent: Alembic's down_revision ids, Django's "app/name"
 * dependencies); the framework's command for one migration applies its
 * unapplied ancestors first (alembic upgrade <rev>, manage.py migrate
 * <app> <name>), so the run goes in dependency order and each step's
 * expected growth of the table is the file and what it still needs. Pure:
 * the session's files and what they name in, orders and marks out.
 */
#include "run_delegate.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/util.h"
#include "reckon/core/ops.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "run.h"
#include "reckon/base/banned.h"

/* Does one entry (len bytes) of a parent list name g? "app/name" names a
 * migration of app (this directory's when app is its label), a bare entry
 * a revision id. */
static int
entry_names(const struct rk_session *s, const char *app, const char *p,
	    size_t len, const struct mig_file *g)
{
	const char *slash = memchr(p, '/', len);
	struct rk_buf id = RK_BUF_INIT;
	int hit;

	if (slash) {
		size_t alen = (size_t)(slash - p);

		if (!app || strlen(app) != alen || strncmp(p, app, alen) != 0)
			return 0;
		len -= alen + 1;
		p = slash + 1;
	} else if (!g->id) {
		return 0;
	}
	delegate_file_ident(s, g, &id);
	hit = id.len == len && strncmp(id.s, p, len) == 0;
	rk_buf_release(&id);
	return hit;
}

int
delegate_depends(const struct rk_session *s, const char *app,
		 const struct mig_file *f, const struct mig_file *g)
{
	for (const char *p = f->parent; f != g && p && *p;) {
		size_t len = strcspn(p, ",");

		while (len && *p == ' ') {
			p++;
			len--;
		}
		if (len && entry_names(s, app, p, len, g))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

void
delegate_order(const struct rk_session *s, const char *app, struct prepared *ps,
	       struct run_item *items, size_t n)
{
	unsigned char *done = xcalloc(n + 1, 1);
	struct prepared *nps = xcalloc(n + 1, sizeof(*nps));
	struct run_item *nit = xcalloc(n + 1, sizeof(*nit));

	for (size_t k = 0; k < n; k++) {
		size_t pick = n;

		/* the first in listing order whose planned needs are done;
		 * a cycle (the framework refuses it itself) keeps listing
		 * order */
		for (size_t i = 0; i < n && pick == n; i++) {
			int ready = !done[i];

			for (size_t j = 0; ready && j < n; j++)
				ready = done[j] ||
					!delegate_depends(s, app, ps[i].file,
							  ps[j].file);
			if (ready)
				pick = i;
		}
		for (size_t i = 0; i < n && pick == n; i++)
			if (!done[i])
				pick = i;
		done[pick] = 1;
		nps[k] = ps[pick];
		nit[k] = items[pick];
	}
	memcpy(ps, nps, n * sizeof(*ps));
	memcpy(items, nit, n * sizeof(*items));
	free(nit);
	free(nps);
	free(done);
}

unsigned char *
delegate_step_set(const struct rk_session *s, const char *app, int all,
		  const struct mig_file *f, const unsigned char *applied)
{
	size_t n = s->files.n;
	unsigned char *mark = xcalloc(n + 1, 1);
	size_t *stack = xcalloc(n + 1, sizeof(*stack));
	size_t top = 0;

	mark[f - s->files.v] = 1;
	stack[top++] = (size_t)(f - s->files.v);
	if (all)
		for (size_t j = 0; j < n; j++)
			mark[j] |= !applied[j] && s->files.v[j].code;
	while (top) {
		const struct mig_file *cur = &s->files.v[stack[--top]];

		for (size_t j = 0; j < n; j++) {
			if (mark[j] || applied[j] ||
			    !delegate_depends(s, app, cur, &s->files.v[j]))
				continue;
			mark[j] = 1;
			stack[top++] = j;
		}
	}
	free(stack);
	return mark;
}
