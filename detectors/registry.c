/*
 * The one list of detectors, alphabetical, and the pure pieces shared by
 * all of them: column-signature matching and the applied-row containers.
 * Adding a framework is one file in detectors/ and one line here.
 */
#include "reckon/detectors/detector.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

extern const struct detector det_alembic;
extern const struct detector det_atlas;
extern const struct detector det_db_migrate;
extern const struct detector det_dbmate;
extern const struct detector det_diesel;
extern const struct detector det_django;
extern const struct detector det_doctrine;
extern const struct detector det_drizzle;
extern const struct detector det_ecto;
extern const struct detector det_ef_core;
extern const struct detector det_flyway;
extern const struct detector det_golang_migrate;
extern const struct detector det_goose;
extern const struct detector det_graphile_migrate;
extern const struct detector det_knex;
extern const struct detector det_kysely;
extern const struct detector det_laravel;
extern const struct detector det_liquibase;
extern const struct detector det_mikro_orm;
extern const struct detector det_node_pg_migrate;
extern const struct detector det_phinx;
extern const struct detector det_postgrator;
extern const struct detector det_prisma;
extern const struct detector det_rails;
extern const struct detector det_refinery;
extern const struct detector det_sequel;
extern const struct detector det_sequelize;
extern const struct detector det_sqitch;
extern const struct detector det_sql_migrate;
extern const struct detector det_sqlx;
extern const struct detector det_tern;
extern const struct detector det_trailbase;
extern const struct detector det_typeorm;
extern const struct detector det_umzug;
extern const struct detector det_yoyo;

/* one detector per line, alphabetical */
/* clang-format off */
const struct detector *const detectors[] = {
	&det_alembic,
	&det_atlas,
	&det_db_migrate,
	&det_dbmate,
	&det_diesel,
	&det_django,
	&det_doctrine,
	&det_drizzle,
	&det_ecto,
	&det_ef_core,
	&det_flyway,
	&det_golang_migrate,
	&det_goose,
	&det_graphile_migrate,
	&det_knex,
	&det_kysely,
	&det_laravel,
	&det_liquibase,
	&det_mikro_orm,
	&det_node_pg_migrate,
	&det_phinx,
	&det_postgrator,
	&det_prisma,
	&det_rails,
	&det_reckon,
	&det_refinery,
	&det_sequel,
	&det_sequelize,
	&det_sqitch,
	&det_sql_migrate,
	&det_sqlx,
	&det_tern,
	&det_trailbase,
	&det_typeorm,
	&det_umzug,
	&det_yoyo,
	NULL,
};
/* clang-format on */

const struct detector *
detector_find(const char *name)
{
	for (size_t i = 0; detectors[i]; i++)
		if (strcmp(detectors[i]->name, name) == 0)
			return detectors[i];
	return NULL;
}

const struct detector *
detector_of_conv(enum mig_conv c)
{
	switch (c) {
	case CONV_FLYWAY:
		return &det_flyway;
	case CONV_UPDOWN:
		return &det_golang_migrate;
	case CONV_PLAIN:
		return NULL;
	}
	rk_bug("naming convention %d", (int)c);
}

static void
add_names(const char ***v, size_t *n, size_t *cap, const char *const *names)
{
	for (; names && *names; names++) {
		rk_grow((void **)v, cap, *n + 2, sizeof(**v));
		(*v)[(*n)++] = *names;
	}
}

const char **
detector_table_names(const char *const *extra)
{
	const char **v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; detectors[i]; i++) {
		const char *const table[] = { detectors[i]->table, NULL };

		add_names(&v, &n, &cap, table);
		add_names(&v, &n, &cap, detectors[i]->companions);
		add_names(&v, &n, &cap, detectors[i]->excluders);
	}
	add_names(&v, &n, &cap, extra);
	rk_grow((void **)&v, &cap, n + 1, sizeof(*v));
	v[n] = NULL;
	return v;
}

char *
applied_str(struct applied_set *set, const char *s)
{
	return rk_arena_strdup(&set->strings, s);
}

void
applied_reserve(struct applied_set *s, size_t n)
{
	if (n > s->cap) {
		s->v = xrealloc(s->v, n * sizeof(*s->v));
		s->cap = n;
	}
}

struct applied *
applied_add(struct applied_set *s, const char *id, const char *version,
	    const char *applied_at, const char *stored_hash)
{
	struct applied *a;

	rk_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	a = &s->v[s->n++];
	memset(a, 0, sizeof(*a));
	a->id = applied_str(s, id);
	a->version = applied_str(s, version);
	a->applied_at = applied_str(s, applied_at);
	a->stored_hash = applied_str(s, stored_hash);
	a->exec_ms = -1;
	return a;
}

void
applied_set_release(struct applied_set *s)
{
	rk_arena_release(&s->strings);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void
tracked_release(struct tracked *t)
{
	free(t->schema);
	free(t->table);
	memset(t, 0, sizeof(*t));
}

void
tracked_qualified(struct db *db, const struct tracked *t, struct rk_buf *out)
{
	db_quote_qualified(db, t->schema, t->table, out);
}

void
tracked_sibling(struct db *db, const struct tracked *t, const char *table,
		struct rk_buf *out)
{
	db_quote_qualified(db, t->schema, table, out);
}

void
tracked_display(const struct tracked *t, struct rk_buf *out)
{
	if (t->schema && *t->schema)
		rk_buf_addf(out, "%s.", t->schema);
	rk_buf_adds(out, t->table);
}

void
detection_list_release(struct detection_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].schema);
		free(l->v[i].table);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
has_column(const struct db_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return 1;
	return 0;
}

static int
listed(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static int
sibling_exists(const struct db_table_list *tl, const struct db_table *t,
	       const char *name)
{
	return db_table_find(tl, t->schema, name) != NULL;
}

/*
 * Score of t for d: 0 unless t is d's table with every required column and
 * nothing unexpected beside it; then the number of required columns, plus
 * 10 for each companion table found next to it.
 */
static size_t
signature_score(const struct detector *d, const struct db_table_list *tl,
		const struct db_table *t, enum db_kind engine, int *companion)
{
	/* the flag that rules a framework out on each engine */
	static const unsigned not_on[DB_NKINDS] = {
		[DB_PG] = DET_SQLITE_ONLY,
		[DB_SQLITE] = DET_PG_ONLY,
	};
	size_t k = 0, score;

	*companion = 0;
	if (strcmp(t->name, d->table) != 0 || (d->flags & DET_EXPLICIT))
		return 0;
	if (d->flags & not_on[engine])
		return 0;
	for (; d->columns[k]; k++)
		if (!has_column(t, d->columns[k]))
			return 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (!listed(d->columns, t->cols[i].name) &&
		    !listed(d->optional, t->cols[i].name))
			return 0;
	for (const char *const *x = d->excluders; x && *x; x++)
		if (sibling_exists(tl, t, *x))
			return 0;
	score = k;
	for (const char *const *c = d->companions; c && *c; c++) {
		if (sibling_exists(tl, t, *c)) {
			score += 10;
			*companion = 1;
		}
	}
	if ((d->flags & DET_NEEDS_COMPANION) && !*companion)
		return 0;
	return score;
}

static int
cmp_detection(const void *pa, const void *pb)
{
	const struct detection *a = pa, *b = pb;

	if (a->matched != b->matched)
		return a->matched > b->matched ? -1 : 1;
	return strcmp(a->det->name, b->det->name);
}

void
detector_match(const struct db_table_list *tl, const struct db_dialect *engine,
	       struct detection_list *out)
{
	for (size_t i = 0; i < tl->n; i++) {
		const struct db_table *t = &tl->v[i];

		for (size_t k = 0; detectors[k]; k++) {
			struct detection *d;
			int companion;
			size_t m = signature_score(detectors[k], tl, t,
						   engine->kind, &companion);

			if (!m)
				continue;
			rk_grow((void **)&out->v, &out->cap, out->n + 1,
				sizeof(*out->v));
			d = &out->v[out->n++];
			d->det = detectors[k];
			/* on SQLite, a file attached beside main */
			d->schema = engine->schemas || strcmp(t->schema, "main")
					    ? xstrdup(t->schema)
					    : NULL;
			d->table = xstrdup(t->name);
			d->matched = m;
			d->companion = companion;
		}
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_detection);
}

/* detector_of_dir()'s work; *reset: why was emptied first (several). */
static const struct detector *
of_dir(const char *dir, const struct db_dialect *engine, struct rk_buf *why,
       int *reset)
{
	static const unsigned not_on[DB_NKINDS] = {
		[DB_PG] = DET_SQLITE_ONLY,
		[DB_SQLITE] = DET_PG_ONLY,
	};
	struct rk_buf ev = RK_BUF_INIT, all = RK_BUF_INIT;
	const struct detector *found = NULL;
	size_t n = 0;

	*reset = 0;
	for (size_t k = 0; dir && detectors[k]; k++) {
		const struct detector *d = detectors[k];

		if (!d->dir_evidence ||
		    (engine && (d->flags & not_on[engine->kind])))
			continue;
		rk_buf_reset(&ev);
		if (!d->dir_evidence(dir, &ev))
			continue;
		rk_buf_addf(&all, "%s%s's (%s)", n ? ", " : "", d->name, ev.s);
		if (!n++)
			found = d;
		if (n == 1)
			rk_buf_addf(why, "the directory is %s's: %s", d->name,
				    ev.s);
	}
	if (n > 1) {
		rk_buf_reset(why);
		*reset = 1;
		rk_buf_addf(why,
			    "the directory looks like %s alike; reckon's own "
			    "table is used (pass --framework to choose)",
			    all.s);
		found = NULL;
	}
	rk_buf_release(&all);
	rk_buf_release(&ev);
	return found;
}

/*
 * The answer for one directory and engine worked out ahead, on a thread,
 * while the connection opens (detector_of_dir_ahead); taken once, by the
 * first detector_of_dir() that asks the same.
 */
static struct {
	pthread_mutex_t lock;
	pthread_t th;
	int running; /* th is to be joined */
	int taken;   /* the answer went to a caller */
	char *dir;
	enum db_kind kind;
	const struct detector *found;
	struct rk_buf why;
	int reset;
} ahead = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void *
ahead_main(void *arg)
{
	(void)arg;
	ahead.found = of_dir(ahead.dir, db_dialect_for(ahead.kind), &ahead.why,
			     &ahead.reset);
	return NULL;
}

void
detector_of_dir_ahead(const char *dir, enum db_kind kind)
{
	sigset_t all, old;

	pthread_mutex_lock(&ahead.lock);
	if (!ahead.running && !ahead.dir && dir) {
		ahead.dir = xstrdup(dir);
		ahead.kind = kind;
		rk_buf_init(&ahead.why);
		/* signals stay with the main thread */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		ahead.running =
			pthread_create(&ahead.th, NULL, ahead_main, NULL) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!ahead.running) {
			free(ahead.dir);
			ahead.dir = NULL;
		}
	}
	pthread_mutex_unlock(&ahead.lock);
}

void
detector_of_dir_ahead_end(void)
{
	pthread_mutex_lock(&ahead.lock);
	if (ahead.running)
		pthread_join(ahead.th, NULL);
	ahead.running = 0;
	ahead.taken = 1;
	rk_buf_release(&ahead.why);
	pthread_mutex_unlock(&ahead.lock);
}

/* The answer worked out ahead for dir and engine: 1 and *found, why set,
 * when there is one not taken yet. */
static int
take_ahead(const char *dir, const struct db_dialect *engine,
	   const struct detector **found, struct rk_buf *why)
{
	int ok = 0;

	pthread_mutex_lock(&ahead.lock);
	if (ahead.dir && !ahead.taken && dir && engine &&
	    engine->kind == ahead.kind && strcmp(dir, ahead.dir) == 0) {
		if (ahead.running)
			pthread_join(ahead.th, NULL);
		ahead.running = 0;
		ahead.taken = 1;
		if (ahead.reset)
			rk_buf_reset(why);
		if (ahead.why.len)
			rk_buf_adds(why, ahead.why.s);
		*found = ahead.found;
		ok = 1;
	}
	pthread_mutex_unlock(&ahead.lock);
	return ok;
}

const struct detector *
detector_of_dir(const char *dir, const struct db_dialect *engine,
		struct rk_buf *why)
{
	const struct detector *found;
	int reset;

	if (take_ahead(dir, engine, &found, why))
		return found;
	return of_dir(dir, engine, why, &reset);
}
