/*
 * The revision graph as Alembic's own commands show it: "heads" (the
 * files' heads), "current" (the heads the table records) and "history"
 * (every revision, newest first, with its parents and its markers), each
 * with the state reconcile gave it. A report for the renderers; the
 * lines follow alembic's Script._head_only (script/base.py) so reckon's
 * output can be compared with "alembic history --indicate-current"
 * line by line. Not here: reading files or rows (ops.c), or writing.
 */
#ifndef RECKON_REVISIONS_H
#define RECKON_REVISIONS_H

#include <stddef.h>

#include "reckon/core/reconcile.h"

struct rk_buf;
struct rk_session;

enum rev_which {
	REV_HISTORY, /* every revision, newest first */
	REV_HEADS,   /* the files' heads */
	REV_CURRENT, /* the heads the table records */
};

struct rev_line {
	const char *id;	     /* borrowed from the session: the revision */
	const char *name;    /* borrowed: its file, or NULL (a recorded head
			      * without a file) */
	char *parents;	     /* owned: "<base>" or "a, b" */
	const char *message; /* borrowed: the docstring's first paragraph,
			      * or "" */
	int head;	     /* no revision names it as a parent */
	int branchpoint;     /* several revisions name it */
	int mergepoint;	     /* it names several parents */
	int current;	     /* the table records it as a head */
	enum mig_state state;
};

struct rev_report {
	struct rev_line *v; /* owned */
	size_t n;
	int graph; /* the files form a revision graph */
};
#define REV_REPORT_INIT                                                        \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void rev_report_release(struct rev_report *r);

/*
 * Fill r from s (which must outlive r) for which. Without a graph (files
 * that do not name their parents) r->graph is 0, and REV_HEADS holds the
 * newest file, REV_CURRENT every row, REV_HISTORY nothing.
 */
void rev_report_build(const struct rk_session *s, enum rev_which which,
		      struct rev_report *r);

/* Parts of a line, as alembic's commands print them. */
#define REV_PARENTS 0x1u /* "parents -> " first (history) */
#define REV_TREE    0x2u /* " (branchpoint)", " (mergepoint)" */
#define REV_DOC	    0x4u /* ", message" last (history) */
#define REV_CUR	    0x8u /* " (current)" (history -i, heads) */

/* Append line l to out: "a, b -> id (head) (current) (mergepoint), doc"
 * with the parts asked for; (head) always where true. */
void rev_line_text(const struct rev_line *l, unsigned parts,
		   struct rk_buf *out);

#endif
