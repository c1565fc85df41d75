/*
 * A revision graph over migration files that name themselves and their
 * parents (Alembic's revision / down_revision, read by the detector's
 * inspect() into mig_file id and parent): nodes are files, edges run from
 * parent to child. Heads (no child), branch points (several children),
 * merge points (several parents), ancestors and descendants, as Alembic's
 * RevisionMap answers them. Pure: files in, indices out; never reads the
 * disk or the database.
 */
#ifndef RECKON_REVGRAPH_H
#define RECKON_REVGRAPH_H

#include <stddef.h>

struct mig_set;

struct rev_node {
	const char *id;	  /* borrowed: the file's revision id, or NULL */
	size_t *parents;  /* owned: indices of the parent files */
	size_t nparents;  /* parents found among the files */
	size_t nmissing;  /* parents named that no file declares */
	size_t *children; /* owned: indices of the child files */
	size_t nchildren;
};

struct revgraph {
	const struct mig_set *files; /* borrowed: node i is files->v[i] */
	struct rev_node *v;	     /* owned: one per file */
	size_t n;
};
#define REVGRAPH_INIT                                                          \
	{                                                                      \
		NULL, NULL, 0                                                  \
	}

/*
 * Build g over files (which must outlive g). Returns 1 when files form a
 * revision graph (some file names a revision id), else 0 with g empty.
 */
int revgraph_build(const struct mig_set *files, struct revgraph *g);
void revgraph_release(struct revgraph *g);

/* The index of the file declaring revision id (len bytes; (size_t)-1:
 * strlen), or (size_t)-1 when none does. */
size_t revgraph_find(const struct revgraph *g, const char *id, size_t len);

/* Whether node i is a head (no child), a branch point (several children),
 * a merge point (several parents, found or not). */
int revgraph_is_head(const struct revgraph *g, size_t i);
int revgraph_is_branchpoint(const struct revgraph *g, size_t i);
int revgraph_is_mergepoint(const struct revgraph *g, size_t i);

/*
 * Set mark[k] = 1 for node i and every ancestor (up) or descendant (down)
 * of it; mark has g->n bytes and is not cleared first.
 */
void revgraph_ancestors(const struct revgraph *g, size_t i,
			unsigned char *mark);
void revgraph_descendants(const struct revgraph *g, size_t i,
			  unsigned char *mark);

#endif
