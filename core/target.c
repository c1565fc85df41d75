/*
 * Targets against the session: which migration --to names, in the order
 * of SPEC.md's shared grammar, and whether a down can undo everything it
 * was asked to before it starts. Pure apart from reading a file to look
 * for its down section; never touches the database.
 */
#include "reckon/core/target.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/detectors/revgraph.h"
#include "reckon/core/ops.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

/* One version a target may name: a file's or a row's. */
struct cand {
	const char *version; /* borrowed: normalised, may be "" */
	const char *label;   /* borrowed: file name or stored id */
	char *norm;	     /* owned: version_norm() of version */
};

struct cands {
	struct cand *v; /* owned */
	size_t n;
	size_t cap;
};

/*
 * A version with its spelling taken out, for comparing what a person typed
 * with what a framework stores: a V or U before a digit (Flyway), every
 * byte that is not a letter or digit (Diesel's dashes, Flyway's _ and .),
 * leading zeros; letters lower-cased.
 */
static char *
version_norm(const char *s)
{
	struct rk_buf b = RK_BUF_INIT;

	if ((*s == 'V' || *s == 'v' || *s == 'U' || *s == 'u') &&
	    isdigit((unsigned char)s[1]))
		s++;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s))
			continue;
		if (*s == '0' && b.len == 0)
			continue;
		rk_buf_addc(&b, (char)tolower((unsigned char)*s));
	}
	if (!b.len)
		return xstrdup("");
	return rk_buf_detach(&b, NULL);
}

static void
cand_add(struct cands *c, const char *version, const char *label)
{
	struct cand *x;

	rk_grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	x = &c->v[c->n++];
	x->version = version ? version : "";
	x->label = label ? label : "";
	x->norm = version_norm(x->version);
}

static void
cands_release(struct cands *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].norm);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* name is spec, or spec plus ".sql", ".up.sql" or "/up.sql" (Diesel). */
static int
names_file(const char *name, const char *spec)
{
	static const char *const tails[] = { "", ".sql", ".up.sql", "/up.sql" };
	size_t n = strlen(spec);

	if (strncmp(name, spec, n) != 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(tails); i++)
		if (strcmp(name + n, tails[i]) == 0)
			return 1;
	return 0;
}

/* Tier 0: the exact spelling of a name, id or version. */
static int
exact(const struct rk_session *s, const char *spec, struct cands *out)
{
	for (size_t i = 0; i < s->files.n; i++) {
		const struct mig_file *f = &s->files.v[i];

		if (names_file(f->name, spec) ||
		    strcmp(f->version, spec) == 0 ||
		    (f->id && strcmp(f->id, spec) == 0))
			cand_add(out, f->version, f->name);
	}
	for (size_t i = 0; i < s->rows.n; i++) {
		const struct applied *r = &s->rows.v[i];

		if ((r->id && strcmp(r->id, spec) == 0) ||
		    (r->version && strcmp(r->version, spec) == 0))
			cand_add(out, r->version, r->id);
	}
	return out->n > 0;
}

/* Every version on disk and in the table, for the looser tiers. */
static void
all_versions(const struct rk_session *s, struct cands *out)
{
	for (size_t i = 0; i < s->files.n; i++)
		if (*s->files.v[i].version)
			cand_add(out, s->files.v[i].version,
				 s->files.v[i].name);
	for (size_t i = 0; i < s->rows.n; i++)
		if (s->rows.v[i].version && *s->rows.v[i].version)
			cand_add(out, s->rows.v[i].version, s->rows.v[i].id);
}

/* Tier 1: equal as versions (005 is 5); tier 2: equal once normalised. */
static void
loose(const struct cands *all, const char *spec, int tier, struct cands *out)
{
	char *n = version_norm(spec);

	for (size_t i = 0; *n && i < all->n; i++) {
		const struct cand *c = &all->v[i];

		if (tier == 1 ? rk_vercmp(c->version, spec) == 0
			      : strcmp(c->norm, n) == 0)
			cand_add(out, c->version, c->label);
	}
	free(n);
}

static int
cmp_norm(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;

	return rk_vercmp(a->norm, b->norm);
}

/* "nearest: 'a', 'b'": up to two versions either side of spec. */
static void
nearest(struct cands *all, const char *spec, struct rk_buf *out)
{
	char *n = version_norm(spec);
	size_t k = 0, pos = 0, from, shown = 0;

	if (all->n)
		qsort(all->v, all->n, sizeof(*all->v), cmp_norm);
	for (size_t i = 0; i < all->n; i++) /* one per version */
		if (i == 0 || strcmp(all->v[i].norm, all->v[k - 1].norm) != 0) {
			struct cand t = all->v[k];

			all->v[k] = all->v[i];
			all->v[i] = t;
			k++;
		}
	while (pos < k && rk_vercmp(all->v[pos].norm, n) < 0)
		pos++;
	from = pos >= 2 ? pos - 2 : 0;
	for (size_t i = from; i < k && i < pos + 2; i++)
		rk_buf_addf(out, "%s'%s'", shown++ ? ", " : "",
			    all->v[i].label);
	if (!shown)
		rk_buf_adds(out, "there are no versioned migrations");
	free(n);
}

/* The single version a tier's matches agree on, or an error. */
static int
one_version(const struct cands *m, const char *spec, const char **out,
	    struct rk_err *err)
{
	struct rk_buf names = RK_BUF_INIT;

	for (size_t i = 1; i < m->n; i++)
		if (strcmp(m->v[i].version, m->v[0].version) != 0) {
			for (size_t j = 0; j < m->n && j < 6; j++)
				rk_buf_addf(&names, "%s'%s'", j ? ", " : "",
					    m->v[j].label);
			rk_fail(err, RK_USAGE,
				"target '%s' names several migrations: %s",
				spec, names.s);
			rk_err_hint(err, "give the full version or file name");
			rk_buf_release(&names);
			return -1;
		}
	if (!*m->v[0].version)
		return rk_fail(err, RK_USAGE,
			       "target '%s' is '%s', which has no version to "
			       "stop at",
			       spec, m->v[0].label);
	*out = m->v[0].version;
	return 0;
}

/*
 * The normalised version spec names, in s; 0 with *out NULL when none
 * does and missing_ok, else an error listing the nearest.
 */
static int
resolve(const struct rk_session *s, const char *spec, int missing_ok,
	const char **out, struct rk_err *err)
{
	struct cands all = { 0 }, m = { 0 };
	struct rk_buf near = RK_BUF_INIT;
	int rc = 0;

	*out = NULL;
	all_versions(s, &all);
	if (!exact(s, spec, &m)) {
		loose(&all, spec, 1, &m);
		if (!m.n)
			loose(&all, spec, 2, &m);
	}
	if (m.n) {
		rc = one_version(&m, spec, out, err);
	} else if (!missing_ok) {
		nearest(&all, spec, &near);
		rc = rk_fail(err, RK_USAGE,
			     "no migration '%s' in '%s' or in %s; nearest: %s",
			     spec, s->files.dir ? s->files.dir : ".",
			     s->tracking_display, near.s);
		rk_err_hint(err, "give a version as the files spell it, a "
				 "file name, head, base, +N or -N");
	}
	rk_buf_release(&near);
	cands_release(&m);
	cands_release(&all);
	return rc;
}

int
target_steps(const char *cmd, long n, struct rk_err *err)
{
	if (n >= 1)
		return 0;
	rk_fail(err, RK_USAGE, "%s: steps must be 1 or more, not %ld", cmd, n);
	rk_err_hint(err, "leave it out to %s",
		    strcmp(cmd, "down") == 0 ? "undo the newest one"
					     : "apply every pending file");
	return -1;
}

int
target_relative(const char *spec, int *sign, long *steps)
{
	char *end;

	if ((spec[0] != '+' && spec[0] != '-') ||
	    !isdigit((unsigned char)spec[1]))
		return 0;
	*steps = strtol(spec + 1, &end, 10);
	if (*end || *steps > 1000000000)
		return 0;
	*sign = spec[0];
	return 1;
}

static int
empty_target(const char *cmd, struct rk_err *err)
{
	rk_fail(err, RK_USAGE, "%s: the target is empty", cmd);
	rk_err_hint(err, "give a version, a file name, head, base, +N or -N");
	return -1;
}

static int
nothing_named(const char *cmd, const char *spec, const char *what,
	      struct rk_err *err)
{
	rk_fail(err, RK_USAGE, "%s --to %s: %s", cmd, spec, what);
	return -1;
}

/* Build s's revision graph into g when its table records heads of one
 * (Alembic); 0 with g empty otherwise. */
static int
session_graph(const struct rk_session *s, struct revgraph *g)
{
	if (!(s->tracked.det->flags & DET_HEAD))
		return 0;
	return revgraph_build(&s->files, g);
}

/* Usage error unless the graph has one head: "head" is Alembic's
 * single head, as in its MultipleHeads error. */
static int
one_head(const struct rk_session *s, const char *cmd, struct rk_err *err)
{
	struct revgraph g = REVGRAPH_INIT;
	struct rk_buf names = RK_BUF_INIT;
	size_t n = 0;

	if (session_graph(s, &g))
		for (size_t i = 0; i < g.n; i++)
			if (revgraph_is_head(&g, i))
				rk_buf_addf(&names, "%s'%s'", n++ ? ", " : "",
					    g.v[i].id ? g.v[i].id : "?");
	revgraph_release(&g);
	if (n > 1) {
		rk_fail(err, RK_USAGE,
			"%s: 'head' is ambiguous: there are %zu heads (%s)",
			cmd, n, names.s);
		rk_err_hint(err, "give 'heads' for all of them, or one "
				 "revision");
	}
	rk_buf_release(&names);
	return n > 1 ? -1 : 0;
}

int
target_graph(const struct rk_session *s)
{
	struct revgraph g = REVGRAPH_INIT;
	int graph = session_graph(s, &g);

	revgraph_release(&g);
	return graph;
}

unsigned char *
target_under(const struct rk_session *s, const char *version)
{
	struct revgraph g = REVGRAPH_INIT;
	unsigned char *mark = NULL;

	if (!session_graph(s, &g))
		return NULL;
	mark = xcalloc(g.n + 1, 1);
	for (size_t i = 0; i < g.n; i++)
		if (strcmp(s->files.v[i].version, version) == 0)
			revgraph_ancestors(&g, i, mark);
	revgraph_release(&g);
	return mark;
}

int
target_within(const struct rk_session *s, const struct run_opts *o,
	      const struct mig_file *f)
{
	if (!o->to)
		return 1;
	if (o->within)
		return o->within[f - s->files.v];
	return !*f->version || rk_vercmp(f->version, o->to) <= 0;
}

int
target_for_run(const struct rk_session *s, const struct run_opts *o,
	       struct run_opts *eff, struct rk_err *err)
{
	return target_for_apply("run", s, o, eff, err);
}

int
target_for_apply(const char *cmd, const struct rk_session *s,
		 const struct run_opts *o, struct run_opts *eff,
		 struct rk_err *err)
{
	long steps;
	int sign;

	*eff = *o;
	eff->within = NULL;
	if (!o->to)
		return 0;
	if (!*o->to)
		return empty_target(cmd, err);
	if (strcmp(o->to, "head") == 0 &&
	    one_head(s,
		     strcmp(cmd, "run") == 0 ? "run --to" : "mark-applied --to",
		     err) < 0)
		return -1;
	if (strcmp(o->to, "head") == 0 || strcmp(o->to, "heads") == 0) {
		eff->to = NULL;
		return 0;
	}
	if (strcmp(o->to, "base") == 0)
		return nothing_named(cmd, o->to,
				     "base is before every migration: there is "
				     "nothing to apply up to it (undo with "
				     "down --to base)",
				     err);
	if (target_relative(o->to, &sign, &steps)) {
		if (sign == '-')
			return nothing_named(
				cmd, o->to,
				strcmp(cmd, "run") == 0
					? "run applies; undo with "
					  "down"
					: "-N names applied "
					  "migrations (see unmark)",
				err);
		if (target_steps(cmd, steps, err) < 0)
			return -1;
		if (o->steps)
			return rk_fail(err, RK_USAGE,
				       "%s: give --steps or --to +N, not "
				       "both",
				       cmd);
		eff->to = NULL;
		eff->steps = (int)steps;
		return 0;
	}
	if (resolve(s, o->to, 0, &eff->to, err) < 0)
		return -1;
	eff->within = target_under(s, eff->to);
	return 0;
}

int
target_for_down(const struct rk_session *s, const struct down_opts *o,
		struct down_opts *eff, struct rk_err *err)
{
	long steps;
	int sign;

	*eff = *o;
	if (!o->to)
		return 0;
	if (!*o->to)
		return empty_target("down", err);
	if (strcmp(o->to, "head") == 0 || strcmp(o->to, "heads") == 0)
		return nothing_named("down", o->to,
				     "nothing is newer than the head to undo",
				     err);
	if (target_relative(o->to, &sign, &steps)) {
		if (sign == '+')
			return nothing_named("down", o->to,
					     "down undoes; apply with run",
					     err);
		if (target_steps("down", steps, err) < 0)
			return -1;
		eff->to = NULL;
		eff->steps = (int)steps;
		return 0;
	}
	/* 0 is base, unless a migration has version 0 */
	if (strcmp(o->to, "0") == 0 && resolve(s, o->to, 1, &eff->to, err) < 0)
		return -1;
	if (strcmp(o->to, "base") == 0 ||
	    (strcmp(o->to, "0") == 0 && !eff->to)) {
		eff->to = NULL;
		eff->all = 1;
		return 0;
	}
	return resolve(s, o->to, 0, &eff->to, err);
}

int
target_for_mark(const struct rk_session *s, const char *spec,
		const struct status_entry ***v, size_t *n, struct rk_err *err)
{
	struct revgraph g = REVGRAPH_INIT;
	int graph, sign;
	long steps = 0;

	*v = NULL;
	*n = 0;
	if (strcmp(spec, "base") == 0)
		return nothing_named("mark-applied", spec,
				     "base is before every migration: there is "
				     "nothing to mark (unmark base removes "
				     "every record)",
				     err);
	if (target_relative(spec, &sign, &steps) && sign == '-')
		return nothing_named("mark-applied", spec,
				     "mark-applied records; step back with "
				     "unmark",
				     err);
	if (steps && target_steps("mark-applied", steps, err) < 0)
		return -1;
	if (!steps && strcmp(spec, "head") != 0 && strcmp(spec, "heads") != 0)
		return 1;
	if (strcmp(spec, "head") == 0 && one_head(s, "mark-applied", err) < 0)
		return -1;
	graph = session_graph(s, &g);
	*v = xcalloc(s->status.n + 1, sizeof(**v));
	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->state != ST_PENDING || (steps && *n >= (size_t)steps))
			continue;
		/* heads of a graph: stamping them covers the rest */
		if (!steps && graph &&
		    !revgraph_is_head(&g, (size_t)(e->file - s->files.v)))
			continue;
		(*v)[(*n)++] = e;
	}
	revgraph_release(&g);
	return 0;
}

/* Why e cannot be undone, or NULL when it can. */
static const char *
cannot_undo(const struct detector *det, const struct status_entry *e)
{
	struct rk_buf text = RK_BUF_INIT;
	struct rk_err ignored = RK_ERR_INIT;
	size_t off, len;
	const char *why = NULL;

	if (!e->file)
		return "its file is gone";
	if (e->file->code)
		return "code, not SQL";
	if (e->file->down_name)
		return NULL;
	/* an unreadable file is left for the down itself to report */
	if (mig_read(e->file->path, e->file->name, &text, &ignored) == 0 &&
	    !mig_down_section(det, text.s, text.len, &off, &len))
		why = "no down script";
	rk_buf_release(&text);
	return why;
}

int
target_check_down(const struct detector *det,
		  const struct status_entry *const *v, size_t n,
		  struct rk_err *err)
{
	struct rk_buf names = RK_BUF_INIT;
	size_t bad = 0, code = 0;

	for (size_t i = 0; i < n; i++) {
		const char *why = cannot_undo(det, v[i]);

		if (!why)
			continue;
		if (v[i]->file && v[i]->file->code)
			code++;
		if (bad < 10)
			rk_buf_addf(&names, "%s'%s' (%s)", bad ? ", " : "",
				    v[i]->name, why);
		bad++;
	}
	if (bad > 10)
		rk_buf_addf(&names, " and %zu more", bad - 10);
	if (bad) {
		rk_fail(err, RK_CHECK,
			"refusing to go down: %zu of the %zu migration(s) to "
			"undo cannot be undone: %s",
			bad, n, names.s);
		struct rk_buf how = RK_BUF_INIT;

		/* a down script added beside a code migration is not what
		 * its framework undoes: point at the framework instead */
		if (code == bad && det && det->kind_note)
			rk_err_hint(err,
				    "undo them with %s's own tool (%s), or "
				    "undo fewer (--steps N, --to VERSION); "
				    "nothing was changed",
				    det->name, det->kind_note);
		else {
			mig_down_advice(det, &how);
			rk_err_hint(err,
				    "add %s, or undo fewer (--steps N, --to "
				    "VERSION); nothing was changed",
				    how.s);
		}
		rk_buf_release(&how);
	}
	rk_buf_release(&names);
	return bad ? -1 : 0;
}
