/*
 * Revision-graph reports for heads, current and history (revisions.h).
 * Pure: the session's files, rows and states in, lines out.
 *
 * Facts checked in sqlalchemy/alembic: alembic/script/base.py
 * Script._head_only (marker order: head, current, branchpoint,
 * mergepoint), _format_down_revision ("<base>" for a root, parents joined
 * by ", "), doc (the docstring's first paragraph); alembic/command.py
 * heads (include_branches, tree_indicators=False), current (every
 * version_num row), history (include_parents, include_doc, newest first).
 */
#include "reckon/core/revisions.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/core/ops.h"
#include "reckon/detectors/revgraph.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

void
rev_report_release(struct rev_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].parents);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static struct rev_line *
add_line(struct rev_report *r)
{
	struct rev_line *l;

	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	l = &r->v[r->n++];
	memset(l, 0, sizeof(*l));
	l->message = "";
	return l;
}

/* The state reconcile gave the entry named name (or with id). */
static enum mig_state
state_of(const struct rk_session *s, const char *name, const char *id)
{
	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if ((name && strcmp(e->name, name) == 0) ||
		    (!name && e->id && strcmp(e->id, id) == 0))
			return e->state;
	}
	return ST_ORPHANED;
}

static int
recorded(const struct rk_session *s, const char *id)
{
	for (size_t i = 0; i < s->rows.n; i++)
		if (s->rows.v[i].id && strcmp(s->rows.v[i].id, id) == 0)
			return 1;
	return 0;
}

static void
file_line(const struct rk_session *s, const struct revgraph *g, size_t i,
	  struct rev_report *r)
{
	const struct mig_file *f = &s->files.v[i];
	struct rev_line *l = add_line(r);
	struct rk_buf p = RK_BUF_INIT;
	const char *q = f->parent;

	l->id = f->id ? f->id : f->name;
	l->name = f->name;
	l->message = f->desc ? f->desc : "";
	l->head = revgraph_is_head(g, i);
	l->branchpoint = revgraph_is_branchpoint(g, i);
	l->mergepoint = revgraph_is_mergepoint(g, i);
	l->current = f->id && recorded(s, f->id);
	l->state = state_of(s, f->name, NULL);
	while (q && *q) {
		size_t len = strcspn(q, ",");

		rk_buf_addf(&p, "%s%.*s", p.len ? ", " : "", (int)len, q);
		q += len + (q[len] == ',');
	}
	if (!p.len)
		rk_buf_adds(&p, "<base>");
	l->parents = rk_buf_detach(&p, NULL);
}

/* A recorded head that no file declares. */
static void
lost_line(const struct rk_session *s, const char *id, struct rev_report *r)
{
	struct rev_line *l = add_line(r);

	l->id = id;
	l->parents = xstrdup("?");
	l->head = 1;
	l->current = 1;
	l->state = state_of(s, NULL, id);
}

/*
 * Newest first: by depth in the graph (the longest path from a root),
 * deepest first, then in the files' order. The files come roots first,
 * so a parent's depth is known before its children's.
 */
static size_t *
newest_first(const struct revgraph *g)
{
	size_t *depth = xcalloc(g->n + 1, sizeof(*depth));
	size_t *order = xcalloc(g->n + 1, sizeof(*order)), k = 0, max = 0;

	for (size_t i = 0; i < g->n; i++) {
		for (size_t p = 0; p < g->v[i].nparents; p++)
			if (depth[g->v[i].parents[p]] + 1 > depth[i])
				depth[i] = depth[g->v[i].parents[p]] + 1;
		if (depth[i] > max)
			max = depth[i];
	}
	for (size_t d = max + 1; d-- > 0;)
		for (size_t i = 0; i < g->n; i++)
			if (depth[i] == d)
				order[k++] = i;
	free(depth);
	return order;
}

static void
no_graph(const struct rk_session *s, enum rev_which which, struct rev_report *r)
{
	if (which == REV_HEADS && s->files.n) {
		const struct mig_file *f = &s->files.v[s->files.n - 1];
		struct rev_line *l = add_line(r);

		l->id = f->id ? f->id : f->name;
		l->name = f->name;
		l->parents = xstrdup("");
		l->head = 1;
		l->state = state_of(s, f->name, NULL);
		l->current = l->state == ST_APPLIED;
	}
	for (size_t i = 0; which == REV_CURRENT && i < s->rows.n; i++) {
		const char *id = s->rows.v[i].id ? s->rows.v[i].id : "";

		lost_line(s, id, r);
		r->v[r->n - 1].name = NULL;
		r->v[r->n - 1].state = state_of(s, NULL, id);
	}
}

void
rev_report_build(const struct rk_session *s, enum rev_which which,
		 struct rev_report *r)
{
	struct revgraph g = REVGRAPH_INIT;
	size_t *order;

	memset(r, 0, sizeof(*r));
	r->graph = (s->tracked.det->flags & DET_HEAD) &&
		   revgraph_build(&s->files, &g);
	if (!r->graph) {
		revgraph_release(&g);
		no_graph(s, which, r);
		return;
	}
	if (which == REV_CURRENT) {
		for (size_t h = 0; h < s->rows.n; h++) {
			const char *id = s->rows.v[h].id ? s->rows.v[h].id : "";
			size_t i = revgraph_find(&g, id, (size_t)-1);

			if (i == (size_t)-1)
				lost_line(s, id, r);
			else
				file_line(s, &g, i, r);
		}
		revgraph_release(&g);
		return;
	}
	order = newest_first(&g);
	for (size_t k = 0; k < g.n; k++)
		if (which == REV_HISTORY || revgraph_is_head(&g, order[k]))
			file_line(s, &g, order[k], r);
	free(order);
	revgraph_release(&g);
}

void
rev_line_text(const struct rev_line *l, unsigned parts, struct rk_buf *out)
{
	if (parts & REV_PARENTS)
		rk_buf_addf(out, "%s -> ", l->parents);
	rk_buf_adds(out, l->id);
	if (l->head)
		rk_buf_adds(out, " (head)");
	if ((parts & REV_CUR) && l->current)
		rk_buf_adds(out, " (current)");
	if ((parts & REV_TREE) && l->branchpoint)
		rk_buf_adds(out, " (branchpoint)");
	if ((parts & REV_TREE) && l->mergepoint)
		rk_buf_adds(out, " (mergepoint)");
	if (parts & REV_DOC)
		rk_buf_addf(out, ", %s", l->message);
}
