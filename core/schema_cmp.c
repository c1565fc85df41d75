/*
 * The comparison of two schema snapshots (schema_snap.h): a merge of two
 * sorted lists, then a pass over the tables both have for the order of
 * their columns. Pure: objects in, differences out, no database; the unit
 * tests drive it directly. Not here: reading a catalog (schema_snap.c).
 */
#include "reckon/core/schema_snap.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

void
schema_diff_release(struct schema_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct schema_change *c = &d->v[i];

		free(c->kind);
		free(c->schema);
		free(c->table);
		free(c->name);
		free(c->a);
		free(c->b);
	}
	free(d->v);
	*d = (struct schema_diff)SCHEMA_DIFF_INIT;
}

const char *
schema_change_name(enum schema_change_kind k)
{
	switch (k) {
	case SC_ONLY_A:
		return "only_a";
	case SC_ONLY_B:
		return "only_b";
	case SC_CHANGED:
		return "changed";
	case SC_ORDER:
		return "column_order";
	case SC_NKINDS:
		break;
	}
	rk_bug("schema change kind %d", (int)k);
}

size_t
schema_diff_real(const struct schema_diff *d)
{
	return d->count[SC_ONLY_A] + d->count[SC_ONLY_B] + d->count[SC_CHANGED];
}

/* The order snapshots are sorted in: kind, schema, table, name. */
static int
obj_cmp(const struct schema_obj *x, const struct schema_obj *y)
{
	int c = strcmp(x->kind, y->kind);

	if (!c)
		c = strcmp(x->schema, y->schema);
	if (!c)
		c = strcmp(x->table, y->table);
	if (!c)
		c = strcmp(x->name, y->name);
	return c;
}

static int
obj_qsort_cmp(const void *x, const void *y)
{
	return obj_cmp(x, y);
}

void
schema_snap_sort(struct schema_snap *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), obj_qsort_cmp);
}

static struct schema_change *
add_change(struct schema_diff *d, enum schema_change_kind what,
	   const char *field, const struct schema_obj *o, const char *a,
	   const char *b)
{
	struct schema_change *c;

	rk_grow((void **)&d->v, &d->cap, d->n + 1, sizeof(*d->v));
	c = &d->v[d->n++];
	c->what = what;
	c->field = field;
	c->kind = xstrdup(o->kind);
	c->schema = xstrdup(o->schema);
	c->table = xstrdup(o->table);
	c->name = xstrdup(o->name);
	c->a = a ? xstrdup(a) : NULL;
	c->b = b ? xstrdup(b) : NULL;
	d->count[what]++;
	return c;
}

/* Does snapshot s have the table (schema, name)? */
static int
has_table(const struct schema_snap *s, const char *schema, const char *name)
{
	struct schema_obj key = { .kind = (char *)"table",
				  .schema = (char *)schema,
				  .table = (char *)"",
				  .name = (char *)name };

	return s->n &&
	       bsearch(&key, s->v, s->n, sizeof(*s->v), obj_qsort_cmp) != NULL;
}

/* An object on one side only; one on a table that the other side lacks
 * altogether is said by the table's own line. */
static void
only_one(struct schema_diff *d, enum schema_change_kind what,
	 const struct schema_obj *o, const struct schema_snap *mine,
	 const struct schema_snap *other)
{
	if (*o->table && has_table(mine, o->schema, o->table) &&
	    !has_table(other, o->schema, o->table))
		return;
	add_change(d, what, NULL, o, NULL, NULL);
}

static void
compare_fields(struct schema_diff *d, const struct schema_obj *x,
	       const struct schema_obj *y)
{
	if (strcmp(x->type, y->type) != 0)
		add_change(d, SC_CHANGED, "type", x, x->type, y->type);
	if (x->notnull != y->notnull)
		add_change(d, SC_CHANGED, "nullable", x,
			   x->notnull ? "NOT NULL" : "NULL",
			   y->notnull ? "NOT NULL" : "NULL");
	if (strcmp(x->dflt, y->dflt) != 0)
		add_change(d, SC_CHANGED, "default", x, x->dflt, y->dflt);
	if (strcmp(x->def, y->def) != 0)
		add_change(d, SC_CHANGED, "definition", x, x->def, y->def);
}

/* A column of a table, for ordering. */
struct col_ref {
	const char *name;
	long pos;
};

static int
col_pos_cmp(const void *x, const void *y)
{
	const struct col_ref *p = x, *q = y;

	return (p->pos > q->pos) - (p->pos < q->pos);
}

/* The columns of (schema, table) in s that other has too, by position. */
static size_t
common_columns(const struct schema_snap *s, const struct schema_snap *other,
	       const struct schema_obj *t, struct col_ref **out)
{
	size_t n = 0;

	*out = xcalloc(s->n + 1, sizeof(**out));
	for (size_t i = 0; i < s->n; i++) {
		const struct schema_obj *c = &s->v[i];

		if (strcmp(c->kind, "column") != 0 ||
		    strcmp(c->schema, t->schema) != 0 ||
		    strcmp(c->table, t->name) != 0)
			continue;
		if (other->n && !bsearch(c, other->v, other->n,
					 sizeof(*other->v), obj_qsort_cmp))
			continue;
		(*out)[n].name = c->name;
		(*out)[n++].pos = c->pos;
	}
	if (n)
		qsort(*out, n, sizeof(**out), col_pos_cmp);
	return n;
}

static char *
join_names(const struct col_ref *v, size_t n)
{
	struct rk_buf b = RK_BUF_INIT;

	for (size_t i = 0; i < n; i++)
		rk_buf_addf(&b, "%s%s", i ? ", " : "", v[i].name);
	return rk_buf_detach(&b, NULL);
}

static void
compare_order(struct schema_diff *d, const struct schema_snap *a,
	      const struct schema_snap *b, const struct schema_obj *t)
{
	struct col_ref *ca, *cb;
	size_t na = common_columns(a, b, t, &ca);
	size_t nb = common_columns(b, a, t, &cb);
	int same = na == nb;

	for (size_t i = 0; same && i < na; i++)
		same = strcmp(ca[i].name, cb[i].name) == 0;
	if (!same) {
		struct schema_change *c =
			add_change(d, SC_ORDER, "column order", t, NULL, NULL);

		c->a = join_names(ca, na);
		c->b = join_names(cb, nb);
	}
	free(ca);
	free(cb);
}

void
schema_compare(const struct schema_snap *a, const struct schema_snap *b,
	       struct schema_diff *out)
{
	size_t i = 0, k = 0;

	while (i < a->n || k < b->n) {
		int c = i >= a->n   ? 1
			: k >= b->n ? -1
				    : obj_cmp(&a->v[i], &b->v[k]);

		if (c < 0) {
			only_one(out, SC_ONLY_A, &a->v[i++], a, b);
		} else if (c > 0) {
			only_one(out, SC_ONLY_B, &b->v[k++], b, a);
		} else {
			compare_fields(out, &a->v[i], &b->v[k]);
			if (strcmp(a->v[i].kind, "table") == 0)
				compare_order(out, a, b, &a->v[i]);
			i++;
			k++;
		}
	}
}
