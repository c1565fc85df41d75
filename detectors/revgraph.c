/*
 * The revision graph of files that name their parents (revgraph.h).
 * Walks are iterative with an explicit stack, so a long chain of
 * revisions cannot exhaust the C stack, and each node is visited once.
 * XXX: parents are looked up by a linear scan (n^2 to build); an index
 * sorted by id would make it n log n for directories of thousands.
 *
 * Facts checked in sqlalchemy/alembic alembic/script/revision.py:
 * Revision.is_head (no nextrev), is_branch_point (more than one nextrev),
 * is_merge_point (more than one down_revision); RevisionMap
 * _get_ancestor_nodes / _get_descendant_nodes include the start node.
 */
#include "reckon/detectors/revgraph.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/detectors/migfile.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

size_t
revgraph_find(const struct revgraph *g, const char *id, size_t len)
{
	if (len == (size_t)-1)
		len = strlen(id);
	for (size_t i = 0; i < g->n; i++) {
		const char *x = g->v[i].id;

		if (x && strlen(x) == len && strncmp(x, id, len) == 0)
			return i;
	}
	return (size_t)-1;
}

static void
push_idx(size_t **v, size_t *n, size_t x)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = x;
}

int
revgraph_build(const struct mig_set *files, struct revgraph *g)
{
	int any = 0;

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < files->n; i++)
		any |= files->v[i].id != NULL;
	if (!any)
		return 0;
	g->files = files;
	g->n = files->n;
	g->v = xcalloc(files->n + 1, sizeof(*g->v));
	for (size_t i = 0; i < files->n; i++)
		g->v[i].id = files->v[i].id;
	for (size_t i = 0; i < files->n; i++) {
		const char *p = files->v[i].parent;

		while (p && *p) {
			size_t len = strcspn(p, ","), j;

			j = revgraph_find(g, p, len);
			if (j == (size_t)-1) {
				g->v[i].nmissing++;
			} else {
				push_idx(&g->v[i].parents, &g->v[i].nparents,
					 j);
				push_idx(&g->v[j].children, &g->v[j].nchildren,
					 i);
			}
			p += len + (p[len] == ',');
		}
	}
	return 1;
}

void
revgraph_release(struct revgraph *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].parents);
		free(g->v[i].children);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

int
revgraph_is_head(const struct revgraph *g, size_t i)
{
	return g->v[i].nchildren == 0;
}

int
revgraph_is_branchpoint(const struct revgraph *g, size_t i)
{
	return g->v[i].nchildren > 1;
}

int
revgraph_is_mergepoint(const struct revgraph *g, size_t i)
{
	return g->v[i].nparents + g->v[i].nmissing > 1;
}

/* Mark i and everything reachable from it by parents (up) or children. */
static void
walk(const struct revgraph *g, size_t i, int up, unsigned char *mark)
{
	size_t *stack = xcalloc(g->n + 1, sizeof(*stack)), n = 0;

	if (!mark[i]) {
		mark[i] = 1;
		stack[n++] = i;
	}
	while (n) {
		const struct rev_node *x = &g->v[stack[--n]];
		const size_t *next = up ? x->parents : x->children;
		size_t nn = up ? x->nparents : x->nchildren;

		for (size_t k = 0; k < nn; k++)
			if (!mark[next[k]]) {
				mark[next[k]] = 1;
				stack[n++] = next[k];
			}
	}
	free(stack);
}

void
revgraph_ancestors(const struct revgraph *g, size_t i, unsigned char *mark)
{
	walk(g, i, 1, mark);
}

void
revgraph_descendants(const struct revgraph *g, size_t i, unsigned char *mark)
{
	walk(g, i, 0, mark);
}
