/*
 * Files against rows. Rows (and sidecar hashes) are sorted by identifier
 * once and each file is looked up by binary search, so ten thousand files
 * cost n log n, never a quadratic scan. Head-only tables (golang-migrate,
 * Tern, Alembic) are expanded here: every file up to a head is applied;
 * in a revision graph (Alembic) a head without a file leaves the files
 * no other head covers unknown.
 */
#include "reckon/core/reconcile.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/detectors/revgraph.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

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
	case ST_IGNORED:
		return "ignored";
	case ST_UNKNOWN:
		return "unknown";
	}
	rk_bug("state %d", (int)s);
}

int
status_warning(const struct status_entry *e, struct rk_buf *out)
{
	if (e->state == ST_ORPHANED && e->unplaced) {
		rk_buf_addf(out,
			    "the recorded head '%s' has no file, so %zu "
			    "migration(s) cannot be placed (unknown) and none "
			    "is run; restore its file, or 'reckon unmark %s' "
			    "if it is gone for good",
			    e->name, e->unplaced, e->name);
		return 1;
	}
	if (e->state != ST_IGNORED)
		return 0;
	rk_buf_addf(out, "'%s' is ignored (%s): it is never run or marked",
		    e->name, mig_ignore_reason(e->ignored->why));
	return 1;
}

void
status_list_release(struct status_list *l)
{
	rk_arena_release(&l->strings);
	free(l->v);
	free(l->heads_warning);
	memset(l, 0, sizeof(*l));
}

/* An index of rows sorted by id; the last row wins among equal ids. */
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

static struct row_ref *
index_rows(const struct applied_set *rows)
{
	struct row_ref *refs;

	if (!rows)
		return NULL;
	refs = xcalloc(rows->n + 1, sizeof(*refs));
	for (size_t i = 0; i < rows->n; i++) {
		refs[i].id = rows->v[i].id ? rows->v[i].id : "";
		refs[i].idx = i;
	}
	if (rows->n)
		qsort(refs, rows->n, sizeof(*refs), cmp_ref);
	return refs;
}

/* The last ref with this id, or NULL. */
static const struct row_ref *
find_ref(const struct row_ref *refs, size_t n, const char *id)
{
	size_t lo = 0, hi = n;

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

/* An entry named name, which is borrowed: from the files, the rows or the
 * ignored entries, all of which outlive the list (a session releases the
 * list first). */
static struct status_entry *
add_entry(struct status_list *out, const char *name, enum mig_state st)
{
	struct status_entry *e;

	rk_grow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	e = &out->v[out->n++];
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->state = st;
	return e;
}

/* Room for n more entries, exactly: a list of 100,000 files is then one
 * array of them, not the next power of two. */
static void
reserve(struct status_list *out, size_t n)
{
	if (out->n + n > out->cap) {
		out->cap = out->n + n;
		out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
	}
}

/* What reconcile works with, built once. */
struct rc {
	const struct mig_set *files;
	const struct applied_set *rows;
	const struct applied_set *sidecar;
	const struct detector *det;
	struct row_ref *refs;	 /* rows by id */
	struct row_ref *side;	 /* sidecar by file name */
	unsigned char *used;	 /* per row: a file claimed it */
	unsigned char *head_hit; /* per file: applied through a head */
	struct revgraph g;	 /* DET_HEAD files that name parents */
	int graph;		 /* g was built */
	size_t lost;		 /* heads of the table without a file */
	struct rk_buf id;
};

static void
file_id(const struct rc *rc, const struct mig_file *f, struct rk_buf *out)
{
	rk_buf_reset(out);
	if (rc->det && rc->det->file_id)
		rc->det->file_id(f, out);
	else
		rk_buf_adds(out, f->id ? f->id : f->name);
}

/* Fill stored_hash/file_hash and decide applied vs modified. */
static void
set_hashes(const struct rc *rc, struct status_entry *e)
{
	const struct mig_file *f = e->file;

	if (rc->det && rc->det->checksum) {
		e->file_hash = f->checksum;
		e->stored_hash = e->row ? e->row->stored_hash : NULL;
	} else {
		const struct row_ref *r = NULL;

		e->file_hash = f->sha256;
		if (e->row && e->row->stored_hash) {
			e->stored_hash = e->row->stored_hash;
			e->stored_tok = e->row->token_hash;
		} else if (rc->side &&
			   (r = find_ref(rc->side, rc->sidecar->n, f->name))) {
			e->stored_hash = rc->sidecar->v[r->idx].stored_hash;
			e->stored_tok = rc->sidecar->v[r->idx].token_hash;
		}
	}
	if (e->state == ST_APPLIED && e->stored_hash && e->file_hash &&
	    strcmp(e->stored_hash, e->file_hash) != 0)
		e->state = ST_MODIFIED;
}

/* Head-only tables without a graph: files up to a head's version. */
static void
expand_versions(struct rc *rc)
{
	for (size_t h = 0; h < rc->rows->n; h++) {
		const struct applied *row = &rc->rows->v[h];

		for (size_t i = 0; i < rc->files->n; i++) {
			const struct mig_file *f = &rc->files->v[i];

			file_id(rc, f, &rc->id);
			if (strcmp(rc->id.s, row->id ? row->id : "") == 0)
				rc->used[h] = 1;
			if (row->version && *f->version &&
			    rk_vercmp(f->version, row->version) <= 0)
				rc->head_hit[i] = 1;
		}
	}
}

/*
 * Head-only tables whose files name their parents (Alembic): a head's
 * file and its ancestors are applied. A head without a file is lost:
 * the files under it cannot be told apart from the rest.
 */
static void
expand_graph(struct rc *rc)
{
	for (size_t h = 0; h < rc->rows->n; h++) {
		const char *id = rc->rows->v[h].id ? rc->rows->v[h].id : "";
		size_t i = revgraph_find(&rc->g, id, (size_t)-1);

		if (i == (size_t)-1) {
			rc->lost++;
			continue;
		}
		rc->used[h] = 1;
		revgraph_ancestors(&rc->g, i, rc->head_hit);
	}
}

/* "multiple heads: 'a', 'b'; merge them: alembic merge -m '...' a b". */
static char *
heads_warning(const struct rc *rc)
{
	struct rk_buf w = RK_BUF_INIT, ids = RK_BUF_INIT;
	size_t n = 0;

	rk_buf_adds(&w, "multiple heads: ");
	for (size_t i = 0; i < rc->g.n; i++) {
		if (!revgraph_is_head(&rc->g, i) || !rc->g.v[i].id)
			continue;
		rk_buf_addf(&w, "%s'%s'", n++ ? ", " : "", rc->g.v[i].id);
		rk_buf_addf(&ids, " %s", rc->g.v[i].id);
	}
	rk_buf_addf(&w, "; merge them: %s merge -m '...'%s", rc->det->name,
		    ids.s);
	rk_buf_release(&ids);
	if (n > 1)
		return rk_buf_detach(&w, NULL);
	rk_buf_release(&w);
	return NULL;
}

static void
add_file_entries(struct rc *rc, struct status_list *out)
{
	int head = rc->det && (rc->det->flags & DET_HEAD);

	for (size_t i = 0; i < rc->files->n; i++) {
		const struct mig_file *f = &rc->files->v[i];
		const struct row_ref *r;
		const struct applied *row = NULL;
		struct status_entry *e;

		file_id(rc, f, &rc->id);
		r = find_ref(rc->refs, rc->rows->n, rc->id.s);
		if (r) {
			size_t k = (size_t)(r - rc->refs) + 1;

			row = &rc->rows->v[r->idx];
			/* every row with this id belongs to the file */
			while (k-- > 0 && strcmp(rc->refs[k].id, rc->id.s) == 0)
				rc->used[rc->refs[k].idx] = 1;
		}
		e = add_entry(out, f->name,
			      row || (head && rc->head_hit[i]) ? ST_APPLIED
			      : rc->lost		       ? ST_UNKNOWN
							       : ST_PENDING);
		e->file = f;
		e->row = row;
		e->key = 2 * i + 1;
		if (row) {
			/* the same text as rc->id (find_ref matched it) */
			e->id = row->id ? row->id : "";
			if (row->failed)
				e->state = ST_FAILED;
		} else if (head && rc->head_hit[i]) {
			/* recorded through the head: the id it would have */
			e->id = rk_arena_strdup(&out->strings, rc->id.s);
		}
		set_hashes(rc, e);
	}
}

/* Where an orphan (or an ignored entry) with this version goes: before
 * the first file with a greater version. */
static size_t
between_key(const struct rc *rc, const char *version)
{
	size_t lo = 0, hi = rc->files->n;

	if (!version || !*version)
		return 2 * rc->files->n + 2;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *v = rc->files->v[mid].version;

		if (*v && rk_vercmp(v, version) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 2 * lo;
}

static void
add_orphans(struct rc *rc, struct status_list *out)
{
	size_t unknown = 0;

	for (size_t i = 0; i < out->n; i++)
		unknown += out->v[i].state == ST_UNKNOWN;
	for (size_t i = 0; i < rc->rows->n; i++) {
		const struct applied *row = &rc->rows->v[i];
		struct status_entry *e;

		if (rc->used[i])
			continue;
		e = add_entry(out, row->id ? row->id : "", ST_ORPHANED);
		e->row = row;
		e->id = e->name;
		e->stored_hash = row->stored_hash;
		e->key = between_key(rc, row->version);
		if (rc->lost)
			e->unplaced = unknown;
		/* equal ids (Flyway repeatables): one entry is enough */
		for (size_t j = i + 1; j < rc->rows->n; j++)
			if (row->id && rc->rows->v[j].id &&
			    strcmp(row->id, rc->rows->v[j].id) == 0)
				rc->used[j] = 1;
	}
}

/* Entries the scan could not use, each with its reason (not IGN_NAME:
 * names that follow no convention are notes, not migrations). */
static void
add_ignored(struct rc *rc, struct status_list *out)
{
	for (size_t i = 0; i < rc->files->nignored; i++) {
		const struct mig_ignored *ig = &rc->files->ignored[i];
		struct status_entry *e;

		if (mig_ignore_is_note(ig->why))
			continue;
		e = add_entry(out, ig->name, ST_IGNORED);
		e->ignored = ig;
		e->key = between_key(rc, ig->version);
	}
}

/* The version an orphan's row or an ignored entry's name gives. */
static const char *
entry_version(const struct status_entry *e)
{
	if (e->row)
		return e->row->version;
	return e->ignored ? e->ignored->version : NULL;
}

/*
 * Files keep their scan order (keys are distinct); orphans that fall
 * between the same files go by version, versionless ones in the order
 * they were applied (their rows' order in the set); ignored entries go
 * by version too, after orphans of the same version, then by name.
 */
static int
cmp_key(const void *pa, const void *pb)
{
	const struct status_entry *a = pa, *b = pb;
	const char *va, *vb;
	int c;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	va = entry_version(a);
	vb = entry_version(b);
	if (va && vb && *va && *vb && (c = rk_vercmp(va, vb)) != 0)
		return c;
	if (!a->ignored != !b->ignored)
		return a->ignored ? 1 : -1;
	if (a->ignored)
		return strcmp(a->name, b->name);
	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	return 0;
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

void
reconcile(const struct mig_set *files, const struct applied_set *rows,
	  const struct applied_set *sidecar, const struct detector *det,
	  struct status_list *out)
{
	struct rc rc = {
		.files = files,
		.rows = rows,
		.sidecar = sidecar,
		.det = det,
		.g = REVGRAPH_INIT,
		.id = RK_BUF_INIT,
	};
	size_t orphans = 0;

	rc.refs = index_rows(rows);
	rc.side = index_rows(sidecar);
	rc.used = xcalloc(rows->n + 1, 1);
	rc.head_hit = xcalloc(files->n + 1, 1);
	if (det && (det->flags & DET_HEAD)) {
		rc.graph = revgraph_build(files, &rc.g);
		if (rc.graph)
			expand_graph(&rc);
		else
			expand_versions(&rc);
		if (rc.graph)
			out->heads_warning = heads_warning(&rc);
	}
	reserve(out, files->n);
	add_file_entries(&rc, out);
	for (size_t i = 0; i < rows->n; i++)
		orphans += !rc.used[i];
	reserve(out, orphans + files->nignored);
	add_orphans(&rc, out);
	add_ignored(&rc, out);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_key);
	if (!det || !(det->flags & DET_HEAD))
		mark_out_of_order(out, rows);
	for (size_t i = 0; i < out->n; i++)
		out->count[out->v[i].state]++;
	rk_buf_release(&rc.id);
	revgraph_release(&rc.g);
	free(rc.head_hit);
	free(rc.used);
	free(rc.side);
	free(rc.refs);
}
