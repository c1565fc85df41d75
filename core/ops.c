/*
 * The read side and the small write ops: finding the tracking table,
 * status, mark-applied, unmark, detect and preview. Running migrations is
 * runner.c. Nothing here prints; results go into the reports of ops.h.
 */
#include "reckon/core/ops.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <stdio.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/parsers/ddl.h"
#include "reckon/core/drift.h"
#include "reckon/core/lint.h"
#include "reckon/core/placeholder.h"
#include "reckon/core/scan_cache.h"
#include "reckon/detectors/revgraph.h"
#include "reckon/base/err.h"
#include "reckon/core/sidecar.h"
#include "reckon/core/target.h"
#include "reckon/core/wait.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

void
session_release(struct rk_session *s)
{
	status_list_release(&s->status);
	applied_set_release(&s->rows);
	applied_set_release(&s->sidecar);
	mig_set_release(&s->files);
	detection_list_release(&s->detected);
	tracked_release(&s->tracked);
	free(s->tracking_display);
	free(s->chosen_by);
	free(s->placeholders);
	misplaced_release(&s->misplaced);
	memset(s, 0, sizeof(*s));
}

void
misplaced_release(struct misplaced *m)
{
	free(m->schema);
	free(m->table);
	free(m->note);
	memset(m, 0, sizeof(*m));
}

/* Rows in d's table, or -1 when they cannot be counted. */
static long
detection_rows(struct db *db, const struct detection *d)
{
	struct rk_buf sql = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_err ignored = RK_ERR_INIT;
	long n = -1;

	rk_buf_adds(&sql, "SELECT count(*) FROM ");
	db_quote_qualified(db, d->schema, d->table, &sql);
	if (db_query(db, sql.s, NULL, 0, &rows, &ignored) == 0 &&
	    rows.nrows == 1 && db_rows_get(&rows, 0, 0))
		n = strtol(db_rows_get(&rows, 0, 0), NULL, 10);
	db_rows_release(&rows);
	rk_buf_release(&sql);
	return n;
}

void
op_misplaced(struct db *db, const struct rk_config *cfg,
	     const struct detection_list *l, struct misplaced *out)
{
	const struct detection *native = NULL, *theirs = NULL;
	struct rk_buf why = RK_BUF_INIT, note = RK_BUF_INIT;
	const struct detector *det;
	int other_schema;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].det == &det_reckon && !native)
			native = &l->v[i];
	if (!native || cfg->framework || cfg->table)
		return;
	det = detector_of_dir(cfg->dir, db_dialect(db), &why);
	if (!det || det == &det_reckon) {
		rk_buf_release(&why);
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].det == det && !theirs)
			theirs = &l->v[i];
	other_schema = theirs && theirs->schema &&
		       (!native->schema ||
			strcmp(theirs->schema, native->schema) != 0);
	out->det = det;
	out->schema = native->schema ? xstrdup(native->schema) : NULL;
	out->table = xstrdup(native->table);
	out->rows = detection_rows(db, native);
	/* their table by the name status shows it under: qualified when
	 * it lives in another schema than reckon's (Sqitch's registry) */
	rk_buf_addf(&note,
		    "%s holds %ld record(s) an earlier reckon wrote as its "
		    "own, but %s; they belong in %s's table %s%s%s (%s): "
		    "'reckon repair --move' shows the plan, --yes moves them",
		    native->table, out->rows, why.s, det->name,
		    other_schema ? theirs->schema : "", other_schema ? "." : "",
		    theirs ? theirs->table : det->table,
		    theirs ? "the one in use" : "not created yet");
	out->note = rk_buf_detach(&note, NULL);
	rk_buf_release(&why);
}

void
session_warnings(const struct rk_session *s, char ***v, size_t *n)
{
	struct rk_buf w = RK_BUF_INIT;

	for (size_t i = 0; i < s->status.n; i++) {
		rk_buf_reset(&w);
		if (!status_warning(&s->status.v[i], &w))
			continue;
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = xstrdup(w.s);
	}
	if (s->status.heads_warning) {
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = xstrdup(s->status.heads_warning);
	}
	rk_buf_release(&w);
}

static int
detection_fits(const struct rk_config *cfg, const struct detection *d)
{
	if (cfg->framework && strcmp(cfg->framework, d->det->name) != 0)
		return 0;
	if (cfg->schema && d->schema && strcmp(cfg->schema, d->schema) != 0)
		return 0;
	return !cfg->table || strcmp(cfg->table, d->table) == 0;
}

static void
list_detections(const struct detection_list *l, struct rk_buf *out)
{
	for (size_t i = 0; i < l->n; i++)
		rk_buf_addf(out, "%s%s (%s%s%s)", i ? ", " : "",
			    l->v[i].det->name,
			    l->v[i].schema ? l->v[i].schema : "",
			    l->v[i].schema ? "." : "", l->v[i].table);
}

/*
 * Exactly one detection fits the settings: use it, or say why not. Two
 * that are reckon's own table and the table of the framework the
 * directory is (prefer, when not NULL) are one: the framework's, the
 * other being misplaced records (struct misplaced).
 */
static int
pick_detection(const struct rk_config *cfg, const struct detection_list *l,
	       const struct detector *prefer, const struct detection **out,
	       struct rk_err *err)
{
	const struct detection *first = NULL, *preferred = NULL;
	struct rk_buf names = RK_BUF_INIT;
	size_t n = 0, native = 0;

	*out = NULL;
	for (size_t i = 0; i < l->n; i++) {
		if (!detection_fits(cfg, &l->v[i]))
			continue;
		if (!first)
			first = &l->v[i];
		if (prefer && l->v[i].det == prefer && !preferred)
			preferred = &l->v[i];
		native += l->v[i].det == &det_reckon;
		n++;
	}
	if (n <= 1) {
		*out = first;
		return 0;
	}
	if (n == 2 && native == 1 && preferred) {
		*out = preferred;
		return 0;
	}
	list_detections(l, &names);
	rk_fail(err, RK_CONFLICT,
		"several tracking tables found: %s; reckon will not guess",
		names.s);
	rk_err_hint(err, "pass --framework NAME (and --schema or --table if "
			 "one framework has several tables)");
	rk_buf_release(&names);
	return -1;
}

static int
check_signature(const struct detector *det, const struct db_table *t,
		struct rk_err *err)
{
	for (size_t k = 0; det->columns[k]; k++) {
		int found = 0;

		for (size_t c = 0; c < t->ncols; c++)
			found |= strcmp(t->cols[c].name, det->columns[k]) == 0;
		if (!found) {
			rk_fail(err, RK_CONFLICT,
				"table '%s' exists but is not %s's tracking "
				"table (no column '%s')",
				t->name, det->name, det->columns[k]);
			rk_err_hint(err, "choose another --table or "
					 "--framework");
			return -1;
		}
	}
	return 0;
}

/* An unknown --framework: the nearest name when one is close (a typo is
 * at most a third of the name away), and every known name. */
static int
unknown_framework(const char *name, struct rk_err *err)
{
	struct rk_buf names = RK_BUF_INIT;
	const char *near = NULL;
	size_t best = strlen(name) / 3 + 1;

	for (int i = 0; detectors[i]; i++) {
		size_t d = rk_edit_distance(name, detectors[i]->name);

		rk_buf_addf(&names, "%s%s", i ? ", " : "", detectors[i]->name);
		if (d < best) {
			best = d;
			near = detectors[i]->name;
		}
	}
	if (near)
		rk_fail(err, RK_USAGE,
			"unknown framework '%s'; did you mean '%s'?", name,
			near);
	else
		rk_fail(err, RK_USAGE, "unknown framework '%s'", name);
	rk_err_hint(err, "known frameworks: %s", names.s);
	rk_buf_release(&names);
	return -1;
}

/* No table fits: the one to create (or the explicitly named one), the
 * framework the directory is strong evidence of, else reckon's own. */
static int
choose_new_table(struct rk_ctx *ctx, const struct db_table_list *tl,
		 struct tracked *t, char **chosen_by, struct rk_err *err)
{
	const struct rk_config *cfg = &ctx->cfg;
	const struct detector *det = &det_reckon;
	const struct db_table *found;

	if (cfg->framework && !(det = detector_find(cfg->framework)))
		return unknown_framework(cfg->framework, err);
	if (!cfg->framework && !cfg->table) {
		struct rk_buf why = RK_BUF_INIT;
		const struct detector *d =
			detector_of_dir(cfg->dir, db_dialect(ctx->db), &why);

		det = d ? d : det;
		*chosen_by = why.len ? rk_buf_detach(&why, NULL) : NULL;
		rk_buf_release(&why);
	}
	t->det = det;
	t->table = xstrdup(cfg->table ? cfg->table : det->table);
	if (db_dialect(ctx->db)->schemas) {
		struct db_info info;

		if (cfg->schema) {
			t->schema = xstrdup(cfg->schema);
		} else if (det->schema) {
			t->schema = xstrdup(det->schema);
		} else {
			if (db_info(ctx->db, &info, err) < 0)
				return -1;
			if (!*info.schema)
				return rk_fail(err, RK_CONFIG,
					       "the connection has no current "
					       "schema (empty search_path); "
					       "pass --schema");
			t->schema = xstrdup(info.schema);
		}
	}
	found = db_table_find(tl, t->schema, t->table);
	if (found && check_signature(det, found, err) < 0)
		return -1;
	t->exists = found != NULL;
	return 0;
}

/* The catalog, limited to tables detection looks at (and --table), with
 * the files where frameworks keep their tables apart attached first. */
static int
candidate_tables(struct rk_ctx *ctx, struct db_table_list *tl,
		 struct rk_err *err)
{
	const char *const extra[] = { SIDECAR_TABLE, ctx->cfg.table, NULL };
	const char **names;
	int rc;

	for (size_t i = 0; detectors[i]; i++)
		if (detectors[i]->attach &&
		    (!ctx->cfg.framework ||
		     !strcmp(ctx->cfg.framework, detectors[i]->name)) &&
		    detectors[i]->attach(ctx->db, ctx->cfg.dir, err) < 0)
			return -1;
	names = detector_table_names(extra);
	rc = db_tables_named(ctx->db, names, tl, err);

	free(names);
	return rc;
}

/* How many of l's detections fit the settings. */
static size_t
fitting(const struct rk_config *cfg, const struct detection_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += detection_fits(cfg, &l->v[i]) != 0;
	return n;
}

/*
 * The tracking table of s. Whose the directory looks like
 * (op_misplaced()) changes the pick only when two tables fit; otherwise
 * *later is set and the caller asks it once the table is read, so that
 * reading the table need not wait for the look at every file.
 */
static int
find_tracking(struct rk_ctx *ctx, struct rk_session *s, int *later,
	      struct rk_err *err)
{
	struct db_table_list tl = DB_TABLE_LIST_INIT;
	const struct detection *d;
	int rc = -1;

	if (candidate_tables(ctx, &tl, err) < 0)
		return -1;
	detector_match(&tl, db_dialect(ctx->db), &s->detected);
	*later = fitting(&ctx->cfg, &s->detected) <= 1;
	if (!*later)
		op_misplaced(ctx->db, &ctx->cfg, &s->detected, &s->misplaced);
	if (pick_detection(&ctx->cfg, &s->detected, s->misplaced.det, &d, err) <
	    0)
		goto out;
	if (d) {
		s->tracked.det = d->det;
		s->tracked.schema = d->schema ? xstrdup(d->schema) : NULL;
		s->tracked.table = xstrdup(d->table);
		s->tracked.exists = 1;
	} else if (choose_new_table(ctx, &tl, &s->tracked, &s->chosen_by, err) <
		   0) {
		goto out;
	}
	/* where connections have a role, it is recorded, as Flyway does */
	s->tracked.actor = db_dialect(ctx->db)->users ? NULL : ctx->cfg.actor;
	s->tracked.dir = ctx->cfg.dir;
	s->tracked.label = ctx->cfg.django_app;
	s->tracked.sidecar = !ctx->cfg.no_sidecar &&
			     !s->tracked.det->checksum &&
			     !(s->tracked.det->flags & DET_OWN_SHA256);
	s->tracked.sidecar_exists =
		db_table_find(&tl, s->tracked.schema, SIDECAR_TABLE) != NULL;
	drift_note_columns(&tl, &s->tracked);
	{
		struct rk_buf b = RK_BUF_INIT;

		tracked_display(&s->tracked, &b);
		s->tracking_display = rk_buf_detach(&b, NULL);
	}
	rc = 0;
out:
	db_table_list_release(&tl);
	return rc;
}

/* Another runner may have created the tables since we looked. */
static int
refresh_exists(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err)
{
	struct db_table_list tl = DB_TABLE_LIST_INIT;

	if (s->tracked.exists &&
	    (!s->tracked.sidecar || s->tracked.sidecar_exists))
		return 0;
	if (candidate_tables(ctx, &tl, err) < 0)
		return -1;
	s->tracked.exists =
		db_table_find(&tl, s->tracked.schema, s->tracked.table) != NULL;
	s->tracked.sidecar_exists =
		db_table_find(&tl, s->tracked.schema, SIDECAR_TABLE) != NULL;
	drift_note_columns(&tl, &s->tracked);
	db_table_list_release(&tl);
	return 0;
}

/* session_reload()'s reading half: what the database holds. */
static int
session_read(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err)
{
	if (refresh_exists(ctx, s, err) < 0)
		return -1;
	s->tracked.next_rank = 0; /* re-read under this transaction's lock */
	status_list_release(&s->status);
	applied_set_release(&s->rows);
	applied_set_release(&s->sidecar);
	if (s->tracked.exists &&
	    s->tracked.det->read(ctx->db, &s->tracked, &s->rows, err) < 0) {
		rk_err_prefix(err, "cannot read %s", s->tracking_display);
		return -1;
	}
	return sidecar_read(ctx->db, &s->tracked, &s->sidecar, err);
}

/* session_reload()'s other half: the files against the rows. */
static void
session_settle(struct rk_ctx *ctx, struct rk_session *s)
{
	reconcile(&s->files, &s->rows, &s->sidecar, s->tracked.det, &s->status);
	drift_classify(s, db_dialect(ctx->db)->lex);
}

int
session_reload(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err)
{
	if (session_read(ctx, s, err) < 0)
		return -1;
	session_settle(ctx, s);
	return 0;
}

/* 1 if dir/sub/name is what a file of set runs or undoes. */
static int
placed(const struct mig_set *set, const char *rel)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i].name, rel) == 0 ||
		    (set->v[i].down_name &&
		     strcmp(set->v[i].down_name, rel) == 0))
			return 1;
	return 0;
}

static void
add_ignored(struct mig_set *set, char *rel, enum mig_ignore why)
{
	set->ignored = xrealloc(set->ignored,
				(set->nignored + 1) * sizeof(*set->ignored));
	set->ignored[set->nignored++] = (struct mig_ignored){
		.name = rel,
		.version = xstrdup(""),
		.why = why,
	};
}

/* Does name end as a code migration does (.py, .js, .rb, ...)? */
static int
code_name(const char *name)
{
	static const char *const ext[] = { ".py", ".js",  ".cjs", ".mjs",
					   ".ts", ".cts", ".mts", ".rb",
					   ".go", ".php", ".exs", ".cs",
					   NULL };
	const char *dot = strrchr(name, '.');

	if (!dot || strcmp(name, "__init__.py") == 0)
		return 0;
	for (size_t i = 0; ext[i]; i++)
		if (strcmp(dot, ext[i]) == 0)
			return 1;
	return 0;
}

/*
 * When the scan placed nothing, the .sql files one directory down (a
 * Diesel <version>_<name>/up.sql tree read with another framework's
 * conventions) and the code files (another framework's .py, .js, .rb
 * migrations) are listed as ignored, with the reason, so that status
 * never says "No migrations found" over a directory full of them.
 */
static void
note_unplaced(const char *dir, struct mig_set *set)
{
	DIR *d = set->n ? NULL : opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		struct rk_buf sub = RK_BUF_INIT;
		struct dirent *fe;
		struct stat st;
		DIR *sd;

		if (de->d_name[0] == '.')
			continue;
		rk_buf_addf(&sub, "%s/%s", dir, de->d_name);
		if (stat(sub.s, &st) < 0) {
			rk_buf_release(&sub);
			continue;
		}
		if (S_ISREG(st.st_mode) && code_name(de->d_name) &&
		    !placed(set, de->d_name))
			add_ignored(set, xstrdup(de->d_name), IGN_CODE);
		sd = S_ISDIR(st.st_mode) ? opendir(sub.s) : NULL;
		while (sd && (fe = readdir(sd)) != NULL) {
			size_t n = strlen(fe->d_name);
			char *rel;

			if (fe->d_name[0] == '.' || n < 5 ||
			    strcmp(fe->d_name + n - 4, ".sql") != 0)
				continue;
			rel = xmalloc(strlen(de->d_name) + n + 2);
			snprintf(rel, strlen(de->d_name) + n + 2, "%s/%s",
				 de->d_name, fe->d_name);
			if (placed(set, rel)) {
				free(rel);
				continue;
			}
			add_ignored(set, rel, IGN_SUBDIR);
		}
		if (sd)
			closedir(sd);
		rk_buf_release(&sub);
	}
	if (d)
		closedir(d);
}

/* Rows the framework never reads, under a label an earlier reckon
 * guessed (det->strays): s->misplaced says so. */
static int
find_strays(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err)
{
	const struct detector *det = s->tracked.det;
	struct applied_set set = APPLIED_SET_INIT;
	struct rk_buf note = RK_BUF_INIT;

	if (s->misplaced.det || !s->tracked.exists || !det->strays)
		return 0;
	if (det->strays(ctx->db, &s->tracked, &set, err) < 0)
		return -1;
	if (set.n) {
		struct misplaced *m = &s->misplaced;

		m->det = det;
		m->stray = 1;
		m->schema =
			s->tracked.schema ? xstrdup(s->tracked.schema) : NULL;
		m->table = xstrdup(s->tracked.table);
		m->rows = (long)set.n;
		rk_buf_addf(&note,
			    "%s holds %zu row(s) an earlier reckon wrote "
			    "under the label '%s', a guess: they name this "
			    "directory's migrations, whose app has another "
			    "label, so %s never reads them: 'reckon repair "
			    "--move' shows the plan, --yes moves them to the "
			    "right app",
			    s->tracking_display, set.n, set.v[0].version,
			    det->name);
		m->note = rk_buf_detach(&note, NULL);
	}
	applied_set_release(&set);
	return 0;
}

/* session_read() on a thread of its own, while the directory is read. */
struct early_read {
	struct rk_ctx *ctx;
	struct rk_session *s;
	struct rk_err err;
	int rc;
};

static void *
early_read_main(void *arg)
{
	struct early_read *r = arg;

	r->rc = session_read(r->ctx, r->s, &r->err);
	/* a large table's transient copies (the result's value array,
	 * SQLite's pages) were freed in this thread's own malloc arena,
	 * which the scan on the main thread never reuses, and which
	 * M_TRIM_THRESHOLD (main.c) keeps: give them back now (100,000
	 * rows: about 8 MB of peak RSS) */
	if (r->s->rows.n >= 20000)
		malloc_trim(0);
	return NULL;
}

/*
 * Start reading reckon's own table while the files are scanned: the
 * server's time for 10,000 rows (and copying them) then overlaps the
 * scan. Nothing else touches the connection until the join, and the
 * thread blocks every signal, so an interrupt reaches the main thread as
 * before. Other frameworks' tables are read afterwards as they always
 * were (some read() more than one query). 1 if the thread runs.
 */
static int
early_read_start(struct early_read *r, pthread_t *th)
{
	sigset_t all, old;
	int rc;

	if (r->s->tracked.det != &det_reckon)
		return 0;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(th, NULL, early_read_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0;
}

/* The files of status: the directory scanned, or serve's kept copy of
 * the last scan while nothing in it has changed. */
static int
status_scan(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err)
{
	const struct detector *det = s->tracked.det;
	struct scan_cache *c = ctx->scan_cache;
	int rc;

	if (c && scan_cache_lookup(c, ctx->cfg.dir, det, &s->files))
		return 0;
	rc = mig_scan_named(ctx->cfg.dir, det, ctx->cfg.files_pattern,
			    &s->files, err);
	if (rc == 0)
		note_unplaced(ctx->cfg.dir, &s->files);
	if (c)
		scan_cache_store(c, det, rc == 0 ? &s->files : NULL);
	return rc;
}

int
op_status(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err)
{
	struct early_read r = { ctx, s, RK_ERR_INIT, 0 };
	pthread_t th;
	int early, rc, later;

	if (find_tracking(ctx, s, &later, err) < 0)
		return -1;
	early = early_read_start(&r, &th);
	rc = status_scan(ctx, s, err);
	if (early)
		pthread_join(th, NULL);
	if (rc < 0) {
		rk_err_clear(&r.err); /* the scan's error first, as without
				       * the thread */
		return -1;
	}
	if (later) /* the connection is free again */
		op_misplaced(ctx->db, &ctx->cfg, &s->detected, &s->misplaced);
	if (ph_session(ctx, s, err) < 0)
		return -1;
	if (early && r.rc < 0) {
		*err = r.err;
		return -1;
	}
	if (early)
		session_settle(ctx, s);
	else if (session_reload(ctx, s, err) < 0)
		return -1;
	return find_strays(ctx, s, err);
}

int
op_can_write(const struct rk_session *s, struct rk_err *err)
{
	const struct detector *det = s->tracked.det;

	if (det->flags & DET_NO_WRITE) {
		rk_fail(err, RK_CONFLICT,
			"reckon reads %s's table but cannot record migrations "
			"the way %s does",
			det->name, det->name);
		rk_err_hint(err, "use %s itself for this database", det->name);
		return -1;
	}
	if (!s->tracked.exists && !det->ensure) {
		rk_fail(err, RK_CONFLICT,
			"%s has no tracking table %s yet and "
			"reckon cannot create it as %s would",
			det->name, s->tracking_display, det->name);
		rk_err_hint(err, "let %s create its table first", det->name);
		return -1;
	}
	return 0;
}

int
op_prepare_tables(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err)
{
	if (!s->tracked.exists &&
	    s->tracked.det->ensure(ctx->db, &s->tracked, err) < 0)
		return -1;
	s->tracked.exists = 1;
	if (s->tracked.sidecar && sidecar_ensure(ctx->db, &s->tracked, err) < 0)
		return -1;
	return drift_add_columns(ctx->db, &s->tracked, err);
}

int
op_record(struct rk_ctx *ctx, struct rk_session *s, const struct mig_file *m,
	  long exec_ms, struct rk_err *err)
{
	struct mig_file rec = *m; /* shallow: token_hash is tok */
	struct rk_buf text = RK_BUF_INIT;
	char tok[65];
	int rc = -1;

	if (!rec.text) { /* marked, not run: the file's bytes as they are */
		if (mig_read(m->path, m->name, &text, err) < 0)
			goto out;
		rec.text = text.s;
		rec.text_len = text.len;
	}
	drift_fill(ctx->db, &s->tracked, m, tok);
	rec.token_hash = tok;
	if (s->tracked.det->record(ctx->db, &s->tracked, &rec, exec_ms, err) <
	    0)
		goto out;
	if (s->tracked.sidecar &&
	    sidecar_put(ctx->db, &s->tracked, m->name, m->sha256,
			rec.token_hash, err) < 0)
		goto out;
	rc = 0;
out:
	rk_buf_release(&text);
	return rc;
}

/* BEGIN, then the run lock: every write op runs inside this. */
int
op_begin_locked(struct rk_ctx *ctx, struct rk_err *err)
{
	if (db_begin(ctx->db, err) < 0)
		return -1;
	if (db_lock(ctx->db, ctx->cfg.lock_wait_s, err) < 0) {
		db_rollback(ctx->db);
		return -1;
	}
	return 0;
}

void
mark_report_release(struct mark_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->items[i].name);
	free(r->items);
	free(r->tracking_display);
	memset(r, 0, sizeof(*r));
}

static void
mark_add(struct mark_report *r, const char *name, const char *note, int changed)
{
	struct mark_item *it;

	rk_grow((void **)&r->items, &r->cap, r->n + 1, sizeof(*r->items));
	it = &r->items[r->n++];
	it->name = xstrdup(name);
	it->note = note;
	it->changed = changed;
}

/* The entry listed as name, or with name as its stored id or its file's
 * own (an Alembic revision). */
static const struct status_entry *
find_entry(const struct status_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0 ||
		    (l->v[i].id && strcmp(l->v[i].id, name) == 0) ||
		    (l->v[i].file && l->v[i].file->id &&
		     strcmp(l->v[i].file->id, name) == 0))
			return &l->v[i];
	return NULL;
}

/* The entry name names: as status lists it, by its stored id, or as a
 * path inside the directory ("migrations/004_x.sql", tab-completed). */
static const struct status_entry *
find_named(const struct rk_ctx *ctx, const struct status_list *l,
	   const char *name)
{
	const struct status_entry *e = find_entry(l, name);

	return e ? e : find_entry(l, op_local_name(ctx, name));
}

const char *
op_local_name(const struct rk_ctx *ctx, const char *name)
{
	const char *dir = ctx->cfg.dir, *n = name;
	size_t len;

	while (dir[0] == '.' && dir[1] == '/')
		dir += 2;
	while (n[0] == '.' && n[1] == '/')
		n += 2;
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len && strncmp(n, dir, len) == 0 && n[len] == '/')
		return n + len + 1;
	return name;
}

static int
mark_one(struct rk_ctx *ctx, struct rk_session *s, const char *name,
	 struct mark_report *r, struct rk_err *err)
{
	const struct status_entry *e = find_named(ctx, &s->status, name);

	if (e && e->ignored) {
		rk_fail(err, RK_USAGE, "cannot mark '%s': it is ignored (%s)",
			e->name, mig_ignore_reason(e->ignored->why));
		rk_err_hint(err, "make it a readable regular file with a UTF-8 "
				 "name, then mark it");
		return -1;
	}
	if (!e || !e->file) {
		rk_fail(err, RK_USAGE, "no migration file '%s' in '%s'", name,
			ctx->cfg.dir);
		rk_err_hint(err, "name a file as 'reckon status' lists it");
		return -1;
	}
	if (e->state == ST_UNKNOWN) {
		rk_fail(err, RK_CHECK,
			"cannot mark '%s': it is unknown (a recorded head has "
			"no file, so the table cannot place it)",
			e->name);
		rk_err_hint(err, "'reckon status' names the head to restore");
		return -1;
	}
	if (e->state != ST_PENDING) {
		mark_add(r, e->name,
			 e->state == ST_APPLIED ? "already applied"
						: "already recorded",
			 0);
		return 0;
	}
	if (op_record(ctx, s, e->file, 0, err) < 0) {
		rk_err_prefix(err, "cannot record '%s'", e->name);
		return -1;
	}
	mark_add(r, e->name, "marked applied", 1);
	return 0;
}

/* A name, or a target (head, heads, +N: target_for_mark) naming files. */
static int
mark_named(struct rk_ctx *ctx, struct rk_session *s, const char *name,
	   struct mark_report *r, struct rk_err *err)
{
	const struct status_entry **v = NULL;
	size_t n = 0;
	int rc = 0;

	if (find_named(ctx, &s->status, name))
		return mark_one(ctx, s, name, r, err);
	rc = target_for_mark(s, name, &v, &n, err);
	if (rc != 0) {
		free(v);
		return rc < 0 ? -1 : mark_one(ctx, s, name, r, err);
	}
	if (!n)
		mark_add(r, name, "nothing pending", 0);
	/* recording reads the table afresh, never s->status: v stays valid */
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = mark_one(ctx, s, v[i]->name, r, err);
	free(v);
	return rc;
}

/* Open the session, then lock and re-read inside a transaction; on failure
 * s is released (write_end() releases it otherwise). */
static int
write_session(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err)
{
	if (op_status(ctx, s, err) < 0 || op_can_write(s, err) < 0 ||
	    op_begin_locked(ctx, err) < 0)
		goto fail;
	if (op_prepare_tables(ctx, s, err) < 0 ||
	    session_reload(ctx, s, err) < 0) {
		db_rollback(ctx->db);
		goto fail;
	}
	return 0;
fail:
	session_release(s); /* a failed begin leaves nothing to end */
	return -1;
}

/*
 * End what write_session() began: commit, or (failed) roll back; either
 * way a report item changed only if its change committed.
 */
static int
write_end(struct rk_ctx *ctx, struct rk_session *s, struct mark_report *r,
	  int failed, struct rk_err *err)
{
	int rc = -1;

	if (failed)
		db_rollback(ctx->db);
	else
		rc = db_commit(ctx->db, err);
	for (size_t i = 0; rc < 0 && i < r->n; i++)
		r->items[i].changed = 0;
	session_release(s);
	return rc;
}

int
op_mark(struct rk_ctx *ctx, char **names, int nnames, int all,
	struct mark_report *r, struct rk_err *err)
{
	struct rk_session s = { 0 };

	if (write_session(ctx, &s, err) < 0)
		return -1;
	r->tracking_display = xstrdup(s.tracking_display);
	for (int i = 0; i < nnames; i++)
		if (mark_named(ctx, &s, names[i], r, err) < 0)
			return write_end(ctx, &s, r, 1, err);
	for (size_t i = 0; all && i < s.status.n; i++)
		if (s.status.v[i].state == ST_PENDING &&
		    mark_one(ctx, &s, s.status.v[i].name, r, err) < 0)
			return write_end(ctx, &s, r, 1, err);
	return write_end(ctx, &s, r, 0, err);
}

/* RK_USAGE: name names no migration; returns -1. */
static int
unknown_name(const struct rk_ctx *ctx, const struct rk_session *s,
	     const char *name, struct rk_err *err)
{
	rk_fail(err, RK_USAGE,
		"'%s' names no migration: no file in '%s' and no record in %s",
		name, ctx->cfg.dir, s->tracking_display);
	rk_err_hint(err,
		    "name migrations as 'reckon status' or 'reckon "
		    "history' lists them%s",
		    target_graph(s) ? ", a revision, base, heads or -N" : "");
	return -1;
}

/* Whether file i of s is applied (or modified) now. */
static int
applied_files_has(const struct rk_session *s, size_t i)
{
	for (size_t k = 0; k < s->status.n; k++)
		if (s->status.v[k].file == &s->files.v[i])
			return s->status.v[k].state == ST_APPLIED ||
			       s->status.v[k].state == ST_MODIFIED;
	return 0;
}

/* Per file of s: applied (or modified) now; owned. */
static unsigned char *
applied_files(const struct rk_session *s)
{
	unsigned char *v = xcalloc(s->files.n + 1, 1);

	for (size_t i = 0; i < s->status.n; i++)
		if (s->status.v[i].file &&
		    (s->status.v[i].state == ST_APPLIED ||
		     s->status.v[i].state == ST_MODIFIED))
			v[s->status.v[i].file - s->files.v] = 1;
	return v;
}

/*
 * One step down for the recorded heads of a revision graph: each (only
 * those in desc, when given: the descendants of the revision to unmark)
 * gives way to its parents (the detector's unrecord), then s is read
 * again. Sets *moved when a head was stepped back.
 */
static int
step_heads(struct rk_ctx *ctx, struct rk_session *s, const struct revgraph *g,
	   const unsigned char *desc, int *moved, struct rk_err *err)
{
	*moved = 0;
	for (size_t h = 0; h < s->rows.n; h++) {
		const char *id = s->rows.v[h].id ? s->rows.v[h].id : "";
		size_t i = revgraph_find(g, id, (size_t)-1);

		if (desc && (i == (size_t)-1 || !desc[i]))
			continue;
		if (tracked_unrecord(ctx->db, &s->tracked, &s->rows.v[h], err) <
		    0)
			return -1;
		*moved = 1;
	}
	return session_reload(ctx, s, err);
}

/*
 * unmark in a revision graph (Alembic), as "alembic stamp" moves down:
 * a revision (or file name) steps the heads above it back until it is no
 * longer applied; base until nothing is recorded; head, heads and -N step
 * every recorded head back once (N times). Each file no longer applied is
 * reported, its sidecar hash deleted.
 */
static int
unmark_graph(struct rk_ctx *ctx, struct rk_session *s, const char *spec,
	     struct mark_report *r, struct rk_err *err)
{
	const struct status_entry *x = find_named(ctx, &s->status, spec);
	struct revgraph g = REVGRAPH_INIT;
	unsigned char *before = applied_files(s), *after = NULL, *desc = NULL;
	size_t guard = s->files.n + s->rows.n + 2, xi = 0, changed = 0;
	long steps = 1;
	int rc = 0, moved = 1, base = strcmp(spec, "base") == 0, sign = 0;

	if (x && !x->file && x->row) { /* a head without a file: it goes */
		free(before);
		if (tracked_unrecord(ctx->db, &s->tracked, x->row, err) < 0)
			return -1;
		mark_add(r, x->name, "record deleted", 1);
		return 0;
	}
	(void)revgraph_build(&s->files, &g);
	if (x && x->file) {
		xi = (size_t)(x->file - s->files.v);
		desc = xcalloc(g.n + 1, 1);
		revgraph_descendants(&g, xi, desc);
	} else if (target_relative(spec, &sign, &steps) && sign == '+') {
		rc = rk_fail(err, RK_USAGE,
			     "unmark %s: unmark steps back; record with "
			     "mark-applied",
			     spec);
	} else if (!x && (sign || base || strcmp(spec, "head") == 0 ||
			  strcmp(spec, "heads") == 0)) {
		if (sign && steps < 1)
			rc = target_steps("unmark", steps, err);
	} else {
		rc = unknown_name(ctx, s, spec, err);
	}
	for (long k = 0; rc == 0 && moved && guard-- > 0; k++) {
		if (desc   ? !before[xi] || !applied_files_has(s, xi)
		    : base ? s->rows.n == 0
			   : k >= steps)
			break;
		rc = step_heads(ctx, s, &g, desc, &moved, err);
	}
	if (rc == 0)
		after = applied_files(s);
	for (size_t i = 0; after && i < s->files.n; i++) {
		const char *name = s->files.v[i].name;

		if (!before[i] || after[i])
			continue;
		if (sidecar_delete(ctx->db, &s->tracked, name, err) < 0) {
			rc = -1;
			break;
		}
		mark_add(r, name, "unmarked", 1);
		changed++;
	}
	if (rc == 0 && !changed)
		mark_add(r, x ? x->name : spec, "not recorded", 0);
	free(after);
	free(desc);
	free(before);
	revgraph_release(&g);
	return rc;
}
int
op_mark_to(struct rk_ctx *ctx, const char *to, struct mark_report *r,
	   struct rk_err *err)
{
	struct rk_session s = { 0 };
	struct run_opts o = { .to = to }, eff;
	int k = 0;

	if (write_session(ctx, &s, err) < 0)
		return -1;
	r->tracking_display = xstrdup(s.tracking_display);
	if (target_for_apply("mark-applied", &s, &o, &eff, err) < 0)
		return write_end(ctx, &s, r, 1, err);
	for (size_t i = 0; i < s.status.n; i++) {
		const struct status_entry *e = &s.status.v[i];

		if (e->state != ST_PENDING)
			continue;
		if (!target_within(&s, &eff, e->file))
			continue;
		if (eff.steps && k >= eff.steps)
			break;
		k++;
		if (mark_one(ctx, &s, e->name, r, err) < 0) {
			free(eff.within);
			return write_end(ctx, &s, r, 1, err);
		}
	}
	free(eff.within);
	return write_end(ctx, &s, r, 0, err);
}

int
op_unmark(struct rk_ctx *ctx, char **names, int nnames, struct mark_report *r,
	  struct rk_err *err)
{
	struct rk_session s = { 0 };

	if (write_session(ctx, &s, err) < 0)
		return -1;
	r->tracking_display = xstrdup(s.tracking_display);
	for (int i = 0; target_graph(&s) && i < nnames; i++)
		if (unmark_graph(ctx, &s, names[i], r, err) < 0)
			return write_end(ctx, &s, r, 1, err);
	if (target_graph(&s))
		return write_end(ctx, &s, r, 0, err);
	/* every name must name a file or a record before anything goes */
	for (int i = 0; i < nnames; i++)
		if (!find_named(ctx, &s.status, names[i])) {
			(void)unknown_name(ctx, &s, names[i], err);
			return write_end(ctx, &s, r, 1, err);
		}
	for (int i = 0; i < nnames; i++) {
		const struct status_entry *e =
			find_named(ctx, &s.status, names[i]);

		if (!e->row) {
			mark_add(r, e->name, "not recorded", 0);
			continue;
		}
		if (tracked_unrecord(ctx->db, &s.tracked, e->row, err) < 0 ||
		    (e->file && sidecar_delete(ctx->db, &s.tracked,
					       e->file->name, err) < 0)) {
			rk_err_prefix(err, "cannot unmark '%s'", e->name);
			return write_end(ctx, &s, r, 1, err);
		}
		mark_add(r, e->name, "record deleted", 1);
	}
	return write_end(ctx, &s, r, 0, err);
}

void
detect_report_release(struct detect_report *r)
{
	detection_list_release(&r->detected);
	free(r->rows);
	free(r->dir_note);
	misplaced_release(&r->misplaced);
	memset(r, 0, sizeof(*r));
}

/* A detected framework's rows under a label an earlier reckon guessed
 * (find_strays, as status finds them), into r->misplaced. A directory
 * status cannot read leaves detect's answer as it is. */
static void
detect_strays(struct rk_ctx *ctx, struct detect_report *r)
{
	struct rk_session s = { 0 };
	struct rk_err ignored = RK_ERR_INIT;
	int any = 0;

	for (size_t i = 0; i < r->detected.n; i++)
		any |= r->detected.v[i].det->strays != NULL;
	if (r->misplaced.det || !any)
		return;
	if (op_status(ctx, &s, &ignored) == 0 && s.misplaced.stray) {
		r->misplaced = s.misplaced;
		memset(&s.misplaced, 0, sizeof(s.misplaced));
	}
	rk_err_clear(&ignored);
	session_release(&s);
}

int
op_detect(struct rk_ctx *ctx, struct detect_report *r, struct rk_err *err)
{
	struct db_table_list tl = DB_TABLE_LIST_INIT;

	if (candidate_tables(ctx, &tl, err) < 0)
		return -1;
	detector_match(&tl, db_dialect(ctx->db), &r->detected);
	db_table_list_release(&tl);
	if (!r->detected.n && !ctx->cfg.framework) {
		struct rk_buf why = RK_BUF_INIT;

		r->dir_det = detector_of_dir(ctx->cfg.dir, db_dialect(ctx->db),
					     &why);
		r->dir_note = why.len ? rk_buf_detach(&why, NULL) : NULL;
		rk_buf_release(&why);
	}
	r->rows = xcalloc(r->detected.n, sizeof(*r->rows));
	for (size_t i = 0; i < r->detected.n; i++)
		r->rows[i] = detection_rows(ctx->db, &r->detected.v[i]);
	op_misplaced(ctx->db, &ctx->cfg, &r->detected, &r->misplaced);
	detect_strays(ctx, r);
	return 0;
}

void
preview_report_release(struct preview_report *r)
{
	free(r->name);
	if (r->content) {
		rk_buf_release(r->content);
		free(r->content);
	}
	sql_stmt_list_release(&r->stmts);
	if (r->objects) {
		ddl_list_release(r->objects);
		free(r->objects);
	}
	if (r->lint) {
		lint_report_release(r->lint);
		free(r->lint);
	}
	memset(r, 0, sizeof(*r));
}

/* Whether needle occurs in s[0..n): memchr to each candidate first byte. */
static int
mem_find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	const char *p = s, *e = s + n;

	while (e - p >= (ptrdiff_t)k &&
	       (p = memchr(p, needle[0], (size_t)(e - p) - k + 1)) != NULL) {
		if (memcmp(p, needle, k) == 0)
			return 1;
		p++;
	}
	return 0;
}

int
mig_opts_out_of_tx(const struct detector *det, const char *s, size_t n)
{
	size_t head = n < 4096 ? n : 4096;

	if (mem_find(s, head, "reckon:no-transaction")) /* reckon's own */
		return 1;
	if (det && det->no_tx_marker)
		return mem_find(s, head, det->no_tx_marker);
	for (size_t i = 0; detectors[i]; i++)
		if (detectors[i]->no_tx_marker &&
		    mem_find(s, head, detectors[i]->no_tx_marker))
			return 1;
	return 0;
}

int
op_preview(struct rk_ctx *ctx, const char *file, const struct sql_dialect *d,
	   struct preview_report *r, struct rk_err *err)
{
	struct rk_buf path = RK_BUF_INIT;
	struct stat st;
	int rc;

	/* a bare name is looked up in --dir first, then as a path */
	rk_buf_addf(&path, "%s/%s", ctx->cfg.dir, file);
	if (strchr(file, '/') ||
	    (stat(path.s, &st) < 0 && stat(file, &st) == 0)) {
		rk_buf_reset(&path);
		rk_buf_adds(&path, file);
	}
	r->name = xstrdup(file);
	r->content = xmalloc(sizeof(*r->content));
	rk_buf_init(r->content);
	rc = mig_read(path.s, file, r->content, err);
	rk_buf_release(&path);
	if (rc < 0)
		return -1;
	r->lines = r->content->len ? rk_line_of(r->content->s, r->content->len)
				   : 0;
	if (r->content->len && r->content->s[r->content->len - 1] == '\n')
		r->lines--;
	r->objects = xcalloc(1, sizeof(*r->objects));
	r->code = strlen(file) < 4 || strcmp(file + strlen(file) - 4, ".sql");
	if (r->code) /* code (.cjs, .py, ...): its text, never split */
		return 0;
	if (sql_split(r->content->s, r->content->len, d, &r->stmts, err) < 0) {
		rk_err_prefix(err, "%s", file);
		return -1;
	}
	r->transactional = 1;
	for (size_t i = 0; i < r->stmts.n; i++)
		if (r->stmts.v[i].flags & SQL_NO_TX)
			r->transactional = 0;
	r->opt_out = mig_opts_out_of_tx(NULL, r->content->s, r->content->len);
	return ddl_extract(r->content->s, r->content->len, d, r->objects, err);
}

/* Store e's current hash and clear its failed marker. */
static int
repair_one(struct rk_ctx *ctx, struct rk_session *s,
	   const struct status_entry *e, struct mark_report *r,
	   struct rk_err *err)
{
	const struct detector *det = s->tracked.det;
	struct rk_buf text = RK_BUF_INIT;
	struct rk_err ignored = RK_ERR_INIT;
	struct mig_file rec;
	char sha[65], tok[65];
	int rc;

	if (e->state != ST_MODIFIED && e->state != ST_FAILED) {
		mark_add(r, e->name, "nothing to repair", 0);
		return 0;
	}
	if (!e->file) {
		mark_add(r, e->name, "no file: use unmark", 0);
		return 0;
	}
	rec = *e->file; /* shallow: token_hash is tok */
	drift_fill(ctx->db, &s->tracked, e->file, tok);
	rec.token_hash = tok;
	/* the bytes whose hash is now recorded, where they are still those */
	if (mig_read(e->file->path, e->file->name, &text, &ignored) == 0) {
		rk_sha256_hex(text.s, text.len, sha);
		if (strcmp(sha, e->file->sha256) == 0) {
			rec.text = text.s;
			rec.text_len = text.len;
		}
	}
	rc = e->row && det->repair
		     ? det->repair(ctx->db, &s->tracked, &rec, e->row, err)
		     : 0;
	rk_buf_release(&text);
	if (rc < 0)
		goto fail;
	if (s->tracked.sidecar &&
	    sidecar_put(ctx->db, &s->tracked, e->file->name, e->file->sha256,
			rec.token_hash, err) < 0)
		goto fail;
	if (e->row && !det->repair && !s->tracked.sidecar) {
		mark_add(r, e->name, "cannot repair: no hash stored", 0);
		return 0;
	}
	mark_add(r, e->name,
		 e->state == ST_FAILED ? "failed marker cleared"
				       : "checksum re-recorded",
		 1);
	return 0;
fail:
	rk_err_prefix(err, "cannot repair '%s'", e->name);
	return -1;
}

int
op_repair(struct rk_ctx *ctx, char **names, int nnames, int all,
	  struct mark_report *r, struct rk_err *err)
{
	struct rk_session s = { 0 };

	if (write_session(ctx, &s, err) < 0)
		return -1;
	r->tracking_display = xstrdup(s.tracking_display);
	for (int i = 0; i < nnames; i++) {
		const struct status_entry *e =
			find_named(ctx, &s.status, names[i]);

		if (!e) {
			rk_fail(err, RK_USAGE,
				"no migration '%s' in '%s' or "
				"in %s",
				names[i], ctx->cfg.dir, s.tracking_display);
			return write_end(ctx, &s, r, 1, err);
		}
		if (repair_one(ctx, &s, e, r, err) < 0)
			return write_end(ctx, &s, r, 1, err);
	}
	for (size_t i = 0; all && i < s.status.n; i++) {
		const struct status_entry *e = &s.status.v[i];

		if ((e->state == ST_MODIFIED || e->state == ST_FAILED) &&
		    repair_one(ctx, &s, e, r, err) < 0)
			return write_end(ctx, &s, r, 1, err);
	}
	return write_end(ctx, &s, r, 0, err);
}

void
ctx_db_opts(const struct rk_config *cfg, struct db_opts *o)
{
	*o = (struct db_opts)DB_OPTS_INIT;
	o->lock_timeout_ms = cfg->lock_timeout_ms;
	o->busy_timeout_ms = cfg->lock_timeout_ms;
	o->connect_timeout_ms = cfg->connect_timeout_ms;
	o->statement_timeout_ms = cfg->statement_timeout_ms;
}

/*
 * Whose the directory looks like is asked before a command on reckon's
 * own table reads it (a look at every file's marker, op_misplaced()):
 * start on it while the connection opens. Not when the configuration
 * names the framework or table, which settles it without the directory.
 */
void
op_dir_ahead(const struct rk_config *cfg)
{
	struct rk_err e = RK_ERR_INIT;
	enum db_kind kind;

	if (cfg->dir && !cfg->framework && !cfg->table && cfg->db_url &&
	    db_kind_of_url(cfg->db_url, &kind, &e) == 0)
		detector_of_dir_ahead(cfg->dir, kind);
}

int
ctx_open_db(struct rk_ctx *ctx, int read_only, struct rk_err *err)
{
	struct db_opts o;
	struct rk_buf shown = RK_BUF_INIT;

	if (!ctx->cfg.db_url) {
		rk_fail(err, RK_CONFIG, "no database given");
		rk_err_hint(err,
			    "pass --db URL (postgres://... or sqlite:FILE), "
			    "or set RECKON_DATABASE_URL or DATABASE_URL");
		return -1;
	}
	if (*ctx->cfg.db_url)
		db_url_redact(ctx->cfg.db_url, &shown);
	else
		rk_buf_addf(&shown, "postgres (libpq defaults from %s)",
			    ctx->cfg.db_source);
	free(ctx->db_display);
	ctx->db_display = rk_buf_detach(&shown, NULL);
	if (ctx->cfg.wait_for_db_ms > 0) {
		struct wait_report w;

		if (op_wait(ctx, ctx->cfg.wait_for_db_ms, &w, err) < 0) {
			rk_buf_release(&shown);
			return -1;
		}
	}
	ctx_db_opts(&ctx->cfg, &o);
	o.read_only = read_only;
	if (db_open(ctx->cfg.db_url, &o, &ctx->db, err) < 0) {
		/* a URL that is wrong: say where it was written */
		if (err->kind == RK_CONFIG && *ctx->cfg.db_url &&
		    ctx->cfg.db_source && strcmp(ctx->cfg.db_source, "--db"))
			rk_err_prefix(err, "%s", ctx->cfg.db_source);
		return -1;
	}
	if (!*ctx->cfg.db_url) {
		/* libpq's defaults: say where they led */
		struct db_info info;
		struct rk_err ignored = RK_ERR_INIT;

		if (db_info(ctx->db, &info, &ignored) == 0) {
			rk_buf_addf(&shown,
				    "postgres://%s (libpq defaults from %s)",
				    info.reached, ctx->cfg.db_source);
			free(ctx->db_display);
			ctx->db_display = rk_buf_detach(&shown, NULL);
		}
	}
	return 0;
}
