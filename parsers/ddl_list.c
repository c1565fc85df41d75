/*
 * The object list of ddl.h: an array of objects in creation order with a
 * hash index on (type, object), so that a repeated name is found in O(1)
 * and DROP / RENAME can remove or rename what an earlier statement made.
 * Each object's four strings share one allocation. Not here: which
 * statements make objects (ddl.c) or how names are spelled (ddl_name.c).
 */
#include "reckon/parsers/ddl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/util.h"

#include "reckon/base/banned.h"

#define EMPTY 0	       /* a slot never used */
#define TOMB  SIZE_MAX /* a slot whose object went */

/* Spelling of each type, in enum order. */
static const char *const type_names[DDL_NTYPES] = {
	[DDL_TABLE] = "table",	       [DDL_INDEX] = "index",
	[DDL_FUNCTION] = "function",   [DDL_PROCEDURE] = "procedure",
	[DDL_TYPE] = "type",	       [DDL_DOMAIN] = "domain",
	[DDL_VIEW] = "view",	       [DDL_MATVIEW] = "matview",
	[DDL_SEQUENCE] = "sequence",   [DDL_SCHEMA] = "schema",
	[DDL_EXTENSION] = "extension", [DDL_TRIGGER] = "trigger",
	[DDL_COLUMN] = "column",       [DDL_CONSTRAINT] = "constraint",
};

const char *
ddl_type_name(enum ddl_type t)
{
	if ((unsigned)t >= DDL_NTYPES)
		rk_bug("ddl type %d", (int)t);
	return type_names[t];
}

int
ddl_type_from_name(const char *name, enum ddl_type *out)
{
	size_t i;

	for (i = 0; i < DDL_NTYPES; i++) {
		if (!strcmp(type_names[i], name)) {
			*out = (enum ddl_type)i;
			return 0;
		}
	}
	return -1;
}

int
ddl_type_has_table(enum ddl_type t)
{
	return t == DDL_INDEX || t == DDL_TRIGGER || t == DDL_COLUMN ||
	       t == DDL_CONSTRAINT;
}

/* Trigger, column and constraint objects are "table.name". */
static int
table_prefixed(enum ddl_type t)
{
	return t == DDL_TRIGGER || t == DDL_COLUMN || t == DDL_CONSTRAINT;
}

static char
fold(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch | 0x20) : ch;
}

int
ddl_name_eq(const struct ddl_list *l, const char *a, const char *b)
{
	if (!l->nocase)
		return !strcmp(a, b);
	for (; *a && fold(*a) == fold(*b); a++, b++)
		;
	return fold(*a) == fold(*b);
}

/*
 * One entry of the index: the object's position + 1 (EMPTY, or TOMB once
 * the object went) and the hash of its key, compared before the object
 * itself is looked at, so that a probe rarely leaves the slot array.
 */
struct ddl_slot {
	size_t idx;
	size_t hash;
};

/* FNV-1a over s (ASCII case folded if nocase), continuing from h. */
static uint64_t
hash_add(const struct ddl_list *l, uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)(l->nocase ? fold(*s) : *s);
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/*
 * The hash of (t, table.name) or (t, name), whichever is the object
 * string (table NULL: name is the whole object string): FNV-1a, then
 * MurmurHash3's finaliser, as FNV's low bits depend only on the inputs'
 * low bits and the index uses the low bits.
 */
static size_t
key_hash(const struct ddl_list *l, enum ddl_type t, const char *table,
	 const char *name)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325) ^ (uint64_t)t;

	h *= UINT64_C(0x100000001b3);
	if (table && table_prefixed(t)) {
		h = hash_add(l, h, table);
		h = hash_add(l, h, ".");
	}
	h = hash_add(l, h, name);
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (size_t)h;
}

/* The slot holding object i, or SIZE_MAX if i is not indexed. */
static size_t
slot_of(const struct ddl_list *l, size_t i)
{
	const struct ddl_object *o = &l->v[i];
	size_t mask = l->nslot - 1, k;

	if (!l->nslot)
		return SIZE_MAX;
	for (k = key_hash(l, o->type, NULL, o->object) & mask;
	     l->slot[k].idx != EMPTY; k = (k + 1) & mask)
		if (l->slot[k].idx == i + 1)
			return k;
	return SIZE_MAX;
}

/*
 * The probe for (t, schema, object) with hash h: the exact match, else
 * (with also) the first loose one, else DDL_NONE.
 */
static size_t
probe(const struct ddl_list *l, size_t h, enum ddl_type t, const char *schema,
      const char *object,
      int (*also)(const char *want, const char *have, const void *arg),
      const void *arg)
{
	size_t mask = l->nslot - 1, k, found = DDL_NONE;
	const struct ddl_slot *e;

	if (!l->nslot)
		return DDL_NONE;
	for (k = h & mask; (e = &l->slot[k])->idx != EMPTY;
	     k = (k + 1) & mask) {
		const struct ddl_object *o;

		if (e->idx == TOMB || e->hash != h)
			continue;
		o = &l->v[e->idx - 1];
		if (o->type != t || !ddl_name_eq(l, o->object, object))
			continue;
		if (ddl_name_eq(l, o->schema, schema))
			return e->idx - 1;
		if (also && found == DDL_NONE && also(schema, o->schema, arg))
			found = e->idx - 1;
	}
	return found;
}

size_t
ddl_list_find(const struct ddl_list *l, enum ddl_type t, const char *schema,
	      const char *object,
	      int (*also)(const char *want, const char *have, const void *arg),
	      const void *arg)
{
	return probe(l, key_hash(l, t, NULL, object), t, schema, object, also,
		     arg);
}

/* Index object i (not indexed yet) under hash h. */
static void
slot_put(struct ddl_list *l, size_t i, size_t h)
{
	size_t mask = l->nslot - 1, k;

	for (k = h & mask; l->slot[k].idx != EMPTY && l->slot[k].idx != TOMB;
	     k = (k + 1) & mask)
		;
	if (l->slot[k].idx == EMPTY)
		l->nused++;
	l->slot[k].idx = i + 1;
	l->slot[k].hash = h;
}

/* Make room for one more entry: at most half the slots in use. */
static void
slot_reserve(struct ddl_list *l)
{
	struct ddl_slot *old = l->slot;
	size_t nold = l->nslot, k;

	if ((l->nused + 1) * 2 <= l->nslot)
		return;
	l->nslot = nold ? nold * 2 : 64;
	l->slot = xcalloc(l->nslot, sizeof(*l->slot));
	l->nused = 0;
	for (k = 0; k < nold; k++)
		if (old[k].idx != EMPTY && old[k].idx != TOMB)
			slot_put(l, old[k].idx - 1, old[k].hash);
	free(old);
}

/*
 * Fill o's strings in one new block of memory; the arguments may point
 * into the old block, which is freed after the copy.
 */
static void
set_strings(struct ddl_object *o, const char *schema, const char *table,
	    const char *name)
{
	size_t ls = strlen(schema) + 1, lt = strlen(table) + 1;
	size_t ln = strlen(name) + 1;
	char *m =
		xmalloc(ls + lt + ln + (table_prefixed(o->type) ? lt : 0) + ln);

	o->schema = memcpy(m, schema, ls);
	o->table = memcpy(m + ls, table, lt);
	o->name = memcpy(m + ls + lt, name, ln);
	o->object = o->name;
	if (table_prefixed(o->type)) {
		char *obj = m + ls + lt + ln;

		memcpy(obj, table, lt - 1);
		obj[lt - 1] = '.';
		memcpy(obj + lt, name, ln);
		o->object = obj;
	}
	free(o->mem);
	o->mem = m;
}

size_t
ddl_list_add(struct ddl_list *l, enum ddl_type t, const char *schema,
	     const char *table, const char *name, unsigned stmt_index)
{
	struct ddl_object *o;
	size_t h = key_hash(l, t, table, name), i;
	void *v = l->v;

	rk_grow(&v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v = v;
	o = &l->v[l->n];
	memset(o, 0, sizeof(*o));
	o->type = t;
	o->stmt_index = stmt_index;
	set_strings(o, schema, table, name);
	i = probe(l, h, t, schema, o->object, NULL, NULL);
	if (i != DDL_NONE) { /* listed already: forget the new copy */
		free(o->mem);
		return i;
	}
	slot_reserve(l);
	slot_put(l, l->n, h);
	return l->n++;
}

void
ddl_list_remove(struct ddl_list *l, size_t i)
{
	size_t k = slot_of(l, i);

	if (k != SIZE_MAX)
		l->slot[k].idx = TOMB;
	free(l->v[i].mem);
	l->v[i].mem = NULL;
}

void
ddl_list_rename(struct ddl_list *l, size_t i, const char *schema,
		const char *table, const char *name)
{
	struct ddl_object *o = &l->v[i];
	size_t k = slot_of(l, i), h;

	if (k != SIZE_MAX)
		l->slot[k].idx = TOMB;
	set_strings(o, schema, table, name);
	h = key_hash(l, o->type, NULL, o->object);
	if (probe(l, h, o->type, o->schema, o->object, NULL, NULL) !=
	    DDL_NONE) {
		free(o->mem);
		o->mem = NULL;
		return;
	}
	slot_reserve(l);
	slot_put(l, i, h);
}

void
ddl_list_compact(struct ddl_list *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (l->v[i].mem)
			l->v[n++] = l->v[i];
	if (n == l->n) /* no holes: the index stands */
		return;
	l->n = n;
	free(l->slot);
	l->slot = NULL;
	l->nslot = 0;
	l->nused = 0;
	for (i = 0; i < l->n; i++) {
		slot_reserve(l);
		slot_put(l, i, key_hash(l, l->v[i].type, NULL, l->v[i].object));
	}
}

void
ddl_list_release(struct ddl_list *l)
{
	struct ddl_list empty = DDL_LIST_INIT;
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].mem);
	free(l->v);
	free(l->slot);
	*l = empty;
}
