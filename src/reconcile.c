/*
 * Files against rows. Rows are sorted by identifier once and each file is
 * looked up by binary search, so ten thousand files cost n log n, never a
 * quadratic scan.
 */
#include "reckon/reconcile.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/buf.h"
#include "reckon/detector.h"
#include "reckon/migfile.h"
#include "reckon/util.h"
#include "reckon/banned.h"

const char *
mig_state_name(enum mig_state s)
{
	switch (s) {
	case ST_APPLIED:
		return "applied";
	case ST_PENDING:
		return "pending";
	case ST_MODIFIED:
		return "modified";
	case ST_ORPHANED:
		return "orphaned";
	case ST_FAILED:
		return "failed";
	}
	rk_bug("state %d", (int)s);
}

void
status_list_release(struct status_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].id);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Row index sorted by id; the last row wins among equal ids. */
struct row_ref {
	const char *id;
	size_t idx;
};

static int
cmp_ref(const void *pa, const void *pb)
{
	const struct row_ref *a = pa, *b = pb;
	int c = strcmp(a->id, b->id);

	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static const struct row_ref *
find_row(const struct row_ref *refs, size_t n, const char *id)
{
	size_t lo = 0, hi = n;

	/* upper bound, then step back: the last row with this id */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(refs[mid].id, id) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && strcmp(refs[lo - 1].id, id) == 0)
		return &refs[lo - 1];
	return NULL;
}

static struct status_entry *
add_entry(struct status_list *out, const char *name, enum mig_state st)
{
	struct status_entry *e;

	rk_grow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	e = &out->v[out->n++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->state = st;
	return e;
}

static enum mig_state
file_state(const struct mig_file *f, const struct applied *row)
{
	if (!row)
		return ST_PENDING;
	if (row->failed)
		return ST_FAILED;
	if (row->stored_hash && strcmp(row->stored_hash, f->sha256) != 0)
		return ST_MODIFIED;
	return ST_APPLIED;
}

static const char *
entry_version(const struct status_entry *e)
{
	if (e->file)
		return e->file->version;
	return e->row && e->row->version ? e->row->version : NULL;
}

/* Version order; entries without a version keep their place at the end. */
static int
cmp_entry(const void *pa, const void *pb)
{
	const struct status_entry *a = pa, *b = pb;
	const char *va = entry_version(a), *vb = entry_version(b);

	if (!va || !*va || !vb || !*vb) {
		if ((va && *va) != (vb && *vb))
			return (va && *va) ? -1 : 1;
		return 0;
	}
	return rk_vercmp(va, vb);
}

static void
mark_out_of_order(struct status_list *out, const struct applied_set *rows)
{
	const char *max = NULL;

	for (size_t i = 0; i < rows->n; i++)
		if (rows->v[i].version && *rows->v[i].version &&
		    (!max || rk_vercmp(rows->v[i].version, max) > 0))
			max = rows->v[i].version;
	if (!max)
		return;
	for (size_t i = 0; i < out->n; i++) {
		struct status_entry *e = &out->v[i];

		if (e->state == ST_PENDING && *e->file->version &&
		    rk_vercmp(e->file->version, max) < 0)
			e->out_of_order = 1;
	}
}

static void
stable_sort(struct status_list *out)
{
	/* insertion sort keeps equal versions in input order; entries
	 * arrive almost sorted (files are), so this is near linear */
	for (size_t i = 1; i < out->n; i++) {
		struct status_entry tmp = out->v[i];
		size_t j = i;

		while (j > 0 && cmp_entry(&out->v[j - 1], &tmp) > 0) {
			out->v[j] = out->v[j - 1];
			j--;
		}
		out->v[j] = tmp;
	}
}

void
reconcile(const struct mig_set *files, const struct applied_set *rows,
	  const struct detector *det, struct status_list *out)
{
	struct row_ref *refs = xcalloc(rows->n, sizeof(*refs));
	unsigned char *used = xcalloc(rows->n, 1);
	struct rk_buf id = RK_BUF_INIT;

	for (size_t i = 0; i < rows->n; i++) {
		refs[i].id = rows->v[i].id ? rows->v[i].id : "";
		refs[i].idx = i;
	}
	qsort(refs, rows->n, sizeof(*refs), cmp_ref);
	for (size_t i = 0; i < files->n; i++) {
		const struct mig_file *f = &files->v[i];
		const struct row_ref *r;
		const struct applied *row = NULL;
		struct status_entry *e;

		rk_buf_reset(&id);
		if (det && det->file_id)
			det->file_id(f, &id);
		else
			rk_buf_adds(&id, f->name);
		r = find_row(refs, rows->n, id.s);
		if (r) {
			row = &rows->v[r->idx];
			/* every row with this id belongs to the file */
			for (const struct row_ref *p = r;
			     p >= refs && strcmp(p->id, id.s) == 0; p--)
				used[p->idx] = 1;
		}
		e = add_entry(out, f->name, file_state(f, row));
		e->file = f;
		e->row = row;
		if (row)
			e->id = xstrdup(id.s);
	}
	for (size_t i = 0; i < rows->n; i++) {
		struct status_entry *e;

		if (used[i])
			continue;
		e = add_entry(out, rows->v[i].id ? rows->v[i].id : "",
			      ST_ORPHANED);
		e->row = &rows->v[i];
		e->id = xstrdup(e->name);
	}
	stable_sort(out);
	mark_out_of_order(out, rows);
	for (size_t i = 0; i < out->n; i++)
		out->count[out->v[i].state]++;
	rk_buf_release(&id);
	free(used);
	free(refs);
}
