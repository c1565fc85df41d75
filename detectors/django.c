/*
 * Django: django_migrations(id, app, name, applied), one row per applied
 * migration of every installed app, Django's own contrib apps included.
 * --dir is one app's migrations package, so only that app's rows are read
 * (the others are neither applied nor orphaned here). The app label is
 * what the evidence says, not the package's name (an AppConfig may set
 * label): every ("app", "<module>") in the files' dependencies naming
 * another module of the directory, and every row naming one of its modules
 * (a row naming none counts against its app). The package containing
 * "migrations/" breaks a tie and stands in when nothing else tells; a tie
 * it cannot break is an error that points at --django-app, whose label
 * (t->label) overrides all of it. name is the module name (file stem);
 * applied is the UTC time:
 * timestamptz on PG, "YYYY-MM-DD HH:MM:SS.ffffff" text on SQLite (Python's
 * str() of the naive UTC value, so no fraction when it is zero).
 * Migrations are Python: reckon reconciles and marks them, never runs them.
 *
 * Facts checked in django/django:
 * - django/db/migrations/recorder.py: the Migration model (app, name
 *   CharField(255), applied DateTimeField default now, db_table
 *   "django_migrations"), record_applied = create(app=, name=),
 *   record_unapplied = filter(app=, name=).delete();
 * - django/db/migrations/loader.py: migration names are the modules of the
 *   app's "migrations" package not starting with "_" or "~"; the package
 *   is "<app package>.migrations";
 * - django/apps/config.py: AppConfig.label defaults to the last part of
 *   the package name and may be set to anything else;
 * - django/db/migrations/autodetector.py: a new migration of an app
 *   depends on (label, the app's previous migration).
 * DDL per backend (identity bigint on PG since Django 4.1 with
 * BigAutoField, AUTOINCREMENT on SQLite) from frameworks.md section 10.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

static const char *const django_cols[] = { "id", "app", "name", "applied",
					   NULL };

/* <module>.py directly in the package, not "_..." or "~...". */
static int
django_parse_name(const char *relpath, struct migname *out)
{
	size_t n = strlen(relpath), d = 0;

	memset(out, 0, sizeof(*out));
	if (strchr(relpath, '/') || n < 4 || relpath[0] == '_' ||
	    relpath[0] == '~' || strcmp(relpath + n - 3, ".py") != 0 ||
	    memchr(relpath, '.', n - 3) || n - 3 >= sizeof(out->version))
		return -1;
	/* the module name orders and identifies the file */
	memcpy(out->version, relpath, n - 3);
	while (d < n - 3 && relpath[d] >= '0' && relpath[d] <= '9')
		d++;
	if (d < n - 3 && relpath[d] == '_')
		d++;
	memcpy(out->desc, relpath + d, n - 3 - d);
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

/* Does the directory hold a migration module called name (len bytes)? */
static int
has_module(const char *dir, const char *name, size_t len)
{
	struct rk_buf path = RK_BUF_INIT;
	struct migname mn;
	FILE *f = NULL;

	rk_buf_addf(&path, "%.*s.py", (int)len, name);
	if (django_parse_name(path.s, &mn) == 0) {
		rk_buf_reset(&path);
		rk_buf_addf(&path, "%s/%.*s.py", dir, (int)len, name);
		f = fopen(path.s, "rb");
	}
	rk_buf_release(&path);
	if (f)
		fclose(f);
	return f != NULL;
}

/* Candidate app labels and the evidence for each. */
struct cands {
	struct cand {
		char *app; /* owned */
		long score;
	} * v;
	size_t n;
	size_t cap;
};

static struct cand *
cand_of(struct cands *c, const char *app, size_t len)
{
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->v[i].app) == len &&
		    !strncmp(c->v[i].app, app, len))
			return &c->v[i];
	rk_grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	c->v[c->n].app = xstrndup(app, len);
	c->v[c->n].score = 0;
	return &c->v[c->n++];
}

/* A quoted Python string at s[*i] (after blanks): *v, *len; -1 if none. */
static int
py_str(const char *s, size_t n, size_t *i, const char **v, size_t *len)
{
	const char *q;

	while (*i < n && strchr(" \t\r\n", s[*i]))
		(*i)++;
	if (*i >= n || (s[*i] != '\'' && s[*i] != '"'))
		return -1;
	q = memchr(s + *i + 1, s[*i], n - *i - 1);
	if (!q)
		return -1;
	*v = s + *i + 1;
	*len = (size_t)(q - *v);
	*i = (size_t)(q - s) + 1;
	return 0;
}

/*
 * Each ("app", "name") in the dependencies list of module stem (text s)
 * whose name is another module of dir: migrations of one app depend on
 * the one before, so the app named there is this directory's label.
 */
static void
deps_evidence(const char *dir, const char *stem, const char *s, size_t n,
	      struct cands *c)
{
	const char *d = n ? strstr(s, "dependencies") : NULL;
	size_t i = d ? (size_t)(d - s) + 12 : n;

	while (i < n && strchr(" \t=", s[i]))
		i++;
	if (i >= n || s[i] != '[')
		return;
	for (; i < n && s[i] != ']'; i++) {
		const char *app, *name;
		size_t k = i + 1, alen, nlen;

		if (s[i] != '(' || py_str(s, n, &k, &app, &alen) < 0)
			continue;
		while (k < n && strchr(" \t\r\n", s[k]))
			k++;
		if (k >= n || s[k++] != ',' ||
		    py_str(s, n, &k, &name, &nlen) < 0)
			continue;
		if ((strlen(stem) != nlen || strncmp(stem, name, nlen)) &&
		    has_module(dir, name, nlen))
			cand_of(c, app, alen)->score += 2;
		i = k - 1;
	}
}

/*
 * The dependencies list as f->parent, "app/name" joined by ",": the
 * runner orders a directory's pending migrations by the ones naming its
 * own app and knows that migrate <app> <name> applies them too
 * (django/db/migrations/loader.py build_graph: each (app_label,
 * migration_name) in Migration.dependencies is an edge; executor.py
 * migration_plan applies a target's unapplied ancestors first).
 */
static void
django_inspect(struct mig_file *f, const char *s, size_t n)
{
	const char *d = n ? strstr(s, "dependencies") : NULL;
	size_t i = d ? (size_t)(d - s) + 12 : n;
	struct rk_buf deps = RK_BUF_INIT;

	while (i < n && strchr(" \t=", s[i]))
		i++;
	if (i >= n || s[i] != '[')
		return;
	for (; i < n && s[i] != ']'; i++) {
		const char *app, *name;
		size_t k = i + 1, alen, nlen;

		if (s[i] != '(' || py_str(s, n, &k, &app, &alen) < 0)
			continue;
		while (k < n && strchr(" \t\r\n", s[k]))
			k++;
		if (k >= n || s[k++] != ',' ||
		    py_str(s, n, &k, &name, &nlen) < 0)
			continue;
		rk_buf_addf(&deps, "%s%.*s/%.*s", deps.len ? "," : "",
			    (int)alen, app, (int)nlen, name);
		i = k - 1;
	}
	free(f->parent);
	f->parent = deps.len ? rk_buf_detach(&deps, NULL) : NULL;
	rk_buf_release(&deps);
}

/* Evidence from every module of dir, and from rows: a row naming one of
 * its modules counts for its app, a row naming none against it. */
static void
gather(const char *dir, const struct db_rows *rows, struct cands *c)
{
	struct rk_buf path = RK_BUF_INIT, text = RK_BUF_INIT;
	DIR *dh = opendir(dir);
	struct dirent *de;
	struct migname mn;

	while (dh && (de = readdir(dh)) != NULL) {
		if (django_parse_name(de->d_name, &mn) < 0)
			continue;
		rk_buf_reset(&path);
		rk_buf_reset(&text);
		rk_buf_addf(&path, "%s/%s", dir, de->d_name);
		if (rk_buf_read_regular(&text, path.s) == 0)
			deps_evidence(dir, mn.version, text.s, text.len, c);
	}
	if (dh)
		closedir(dh);
	for (size_t i = 0; i < rows->nrows; i++) {
		const char *app = db_rows_get(rows, i, 0);
		const char *name = db_rows_get(rows, i, 1);

		cand_of(c, app, strlen(app))->score +=
			has_module(dir, name, strlen(name)) ? 1 : -1;
	}
	rk_buf_release(&text);
	rk_buf_release(&path);
}

/*
 * The app label for t->dir (*label owned, NULL when nothing tells). The
 * evidence decides (dependencies inside the files, then rows naming the
 * files); the package holding "migrations/" only breaks a tie or stands
 * in when there is none. A tie it cannot break is an error.
 */
static int
app_label(const struct tracked *t, const struct db_rows *rows, char **label,
	  struct rk_err *err)
{
	struct cands c = { NULL, 0, 0 };
	struct rk_buf tied = RK_BUF_INIT;
	char real[PATH_MAX], *slash;
	const struct cand *pkg = NULL, *best = NULL;
	size_t nbest = 0;
	int rc = 0;

	*label = NULL;
	if (t->label) { /* --django-app: the user's word wins */
		*label = xstrdup(t->label);
		return 0;
	}
	if (!t->dir || !realpath(t->dir, real))
		return 0;
	gather(real, rows, &c);
	slash = strrchr(real, '/');
	if (slash && slash > real && strcmp(slash + 1, "migrations") == 0) {
		*slash = '\0';
		slash = strrchr(real, '/');
		pkg = cand_of(&c, slash ? slash + 1 : real,
			      strlen(slash ? slash + 1 : real));
	}
	for (size_t i = 0; i < c.n; i++) {
		if (!best || c.v[i].score > best->score) {
			best = &c.v[i];
			nbest = 0;
			rk_buf_reset(&tied);
		}
		if (c.v[i].score == best->score) {
			nbest++;
			rk_buf_addf(&tied, "%s'%s'", tied.len ? ", " : "",
				    c.v[i].app);
		}
	}
	if (best && pkg && pkg->score == best->score) {
		*label = xstrdup(pkg->app);
	} else if (best && best->score > 0 && nbest == 1) {
		*label = xstrdup(best->app);
	} else if (best && best->score > 0) {
		rc = rk_fail(err, RK_CONFIG,
			     "cannot tell the Django app label of '%s': its "
			     "migrations and rows point at %s alike",
			     t->dir, tied.s);
		rk_err_hint(err, "name the app with --django-app LABEL (or "
				 "'django_app' in reckon.yaml)");
	}
	for (size_t i = 0; i < c.n; i++)
		free(c.v[i].app);
	free(c.v);
	rk_buf_release(&tied);
	return rc;
}

/* All rows (app, name, applied) in the order applied, and t's label. */
static int
load(struct db *db, const struct tracked *t, struct db_rows *rows, char **label,
     struct rk_err *err)
{
	*label = NULL;
	if (t->exists &&
	    det_select(db, t, "app, name, applied", "id", rows, err) < 0)
		return -1;
	return app_label(t, rows, label, err);
}

static int
django_read(struct db *db, const struct tracked *t, struct applied_set *out,
	    struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	char *label, iso[32];
	int rc;

	rc = load(db, t, &rows, &label, err);
	for (size_t i = 0; rc == 0 && label && i < rows.nrows; i++)
		if (strcmp(db_rows_get(&rows, i, 0), label) == 0)
			applied_add(out, db_rows_get(&rows, i, 1),
				    db_rows_get(&rows, i, 1),
				    det_iso_time(db_rows_get(&rows, i, 2), iso),
				    NULL);
	free(label);
	db_rows_release(&rows);
	return rc;
}

/* the table as Django creates it on each engine */
static const char *const django_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE %T (\"id\" bigint NOT NULL "
		  "PRIMARY KEY GENERATED BY DEFAULT AS "
		  "IDENTITY, \"app\" varchar(255) NOT NULL, "
		  "\"name\" varchar(255) NOT NULL, \"applied\" "
		  "timestamp with time zone NOT NULL)",
	[DB_SQLITE] = "CREATE TABLE %T (\"id\" integer NOT NULL "
		      "PRIMARY KEY AUTOINCREMENT, \"app\" "
		      "varchar(255) NOT NULL, \"name\" varchar(255) "
		      "NOT NULL, \"applied\" datetime NOT NULL)",
};

static int
django_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	int rc;

	rc = det_exec_ddl(db, t, django_ddl, err);
	if (rc == 0)
		t->exists = 1;
	return rc;
}

/* The label a write needs, or an error saying how to give one. */
static int
write_label(struct db *db, const struct tracked *t, char **label,
	    struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	int rc = load(db, t, &rows, label, err);

	db_rows_release(&rows);
	if (rc == 0 && !*label) {
		rk_fail(err, RK_CONFIG,
			"cannot tell the Django app label of '%s'",
			t->dir ? t->dir : "(migrations directory unknown)");
		rk_err_hint(err, "name the app with --django-app LABEL (or "
				 "'django_app' in reckon.yaml)");
		return -1;
	}
	return rc;
}

/*
 * A row as Django writes it: its "applied" value is a timezone-aware UTC
 * time on PG (timestamp with time zone), a naive one in SQLite's text.
 */
static const char *const django_zone[DB_NKINDS] = {
	[DB_PG] = "+00",
	[DB_SQLITE] = "",
};
static const char *const django_values[DB_NKINDS] = {
	[DB_PG] = "$1, $2, CAST($3 AS timestamptz)",
	[DB_SQLITE] = "$1, $2, $3",
};

static int
django_record(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, struct rk_err *err)
{
	struct rk_buf name = RK_BUF_INIT;
	const char *params[3];
	char *label, now[48];
	size_t len;
	int rc;

	(void)exec_ms;
	if (write_label(db, t, &label, err) < 0)
		return -1;
	det_now(DET_TIME_SPACE_US, now);
	len = strlen(now);
	if (len > 7 && strcmp(now + len - 7, ".000000") == 0)
		now[len - 7] = '\0';
	snprintf(now + strlen(now), sizeof(now) - strlen(now), "%s",
		 db_pick(db, django_zone));
	det_stem(m, &name);
	params[0] = label;
	params[1] = name.s;
	params[2] = now;
	rc = det_insert(db, t, "app, name, applied", db_pick(db, django_values),
			params, 3, err);
	rk_buf_release(&name);
	free(label);
	return rc;
}

static int
django_unrecord(struct db *db, const struct tracked *t,
		const struct applied *row, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	const char *params[2];
	char *label;
	int rc;

	if (write_label(db, t, &label, err) < 0)
		return -1;
	params[0] = label;
	params[1] = row->id;
	rk_buf_adds(&sql, "DELETE FROM ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " WHERE app = $1 AND name = $2");
	rc = db_query(db, sql.s, params, 2, NULL, err);
	rk_buf_release(&sql);
	free(label);
	return rc;
}

/* The package holding t->dir when it is a "migrations" directory (owned),
 * or NULL: the label an earlier reckon guessed. */
static char *
package_of(const struct tracked *t)
{
	char real[PATH_MAX], *slash;

	if (!t->dir || !realpath(t->dir, real))
		return NULL;
	slash = strrchr(real, '/');
	if (!slash || slash == real || strcmp(slash + 1, "migrations") != 0)
		return NULL;
	*slash = '\0';
	slash = strrchr(real, '/');
	return xstrdup(slash ? slash + 1 : real);
}

/* Labels of Django's own apps (django/contrib), whose migrations are in
 * no project's directory. */
static const char *const contrib_labels[] = {
	"admin",     "admindocs",   "auth",	   "contenttypes",
	"flatpages", "gis",	    "humanize",	   "messages",
	"postgres",  "redirects",   "sessions",	   "sitemaps",
	"sites",     "staticfiles", "syndication", NULL,
};

/* The label an apps.py sets ("label = '...'"), appended to out; 0 if
 * none. */
static int
apps_py_label(const char *pkgdir, struct rk_buf *out)
{
	struct rk_buf path = RK_BUF_INIT, text = RK_BUF_INIT;
	int found = 0;

	rk_buf_addf(&path, "%s/apps.py", pkgdir);
	if (rk_buf_read_regular(&text, path.s) == 0) {
		for (const char *p = text.s; !found && p && *p;
		     p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
			size_t i = strspn(p, " \t"), len;
			const char *v;

			if (strncmp(p + i, "label", 5) != 0)
				continue;
			i += 5 + strspn(p + i + 5, " \t");
			if (p[i] != '=')
				continue;
			i++;
			if (py_str(p, strcspn(p, "\n"), &i, &v, &len) == 0) {
				rk_buf_add(out, v, len);
				found = 1;
			}
		}
	}
	rk_buf_release(&text);
	rk_buf_release(&path);
	return found;
}

/* Append to labels (one per line, each between newlines) the label of
 * every app under dir (depth levels down) with a migrations package. */
static void
project_labels(const char *dir, int depth, struct rk_buf *labels)
{
	struct rk_buf sub = RK_BUF_INIT, init = RK_BUF_INIT;
	DIR *dh = opendir(dir);
	struct dirent *de;

	while (dh && (de = readdir(dh)) != NULL) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		rk_buf_reset(&sub);
		rk_buf_reset(&init);
		rk_buf_addf(&sub, "%s/%s", dir, de->d_name);
		rk_buf_addf(&init, "%s/migrations/__init__.py", sub.s);
		if ((f = fopen(init.s, "rb")) != NULL) {
			fclose(f);
			if (!apps_py_label(sub.s, labels))
				rk_buf_adds(labels, de->d_name);
			rk_buf_addc(labels, '\n');
		}
		if (depth > 1)
			project_labels(sub.s, depth - 1, labels);
	}
	if (dh)
		closedir(dh);
	rk_buf_release(&init);
	rk_buf_release(&sub);
}

/*
 * The labels of the project real (a migrations package) is in, as
 * "\nlabel\n..." lines, or NULL when no manage.py in the package's
 * parent or above (up to 3 levels) says where the project is.
 */
static char *
labels_of_project(const char *real)
{
	struct rk_buf root = RK_BUF_INIT, labels = RK_BUF_INIT,
		      mp = RK_BUF_INIT;
	char *slash;
	int found = 0;

	rk_buf_adds(&root, real);
	for (int up = 0; up < 5 && !found; up++) {
		slash = strrchr(root.s, '/');
		if (!slash || slash == root.s)
			break;
		*slash = '\0';
		root.len = (size_t)(slash - root.s);
		if (up < 1)
			continue; /* the package itself is no project */
		rk_buf_reset(&mp);
		rk_buf_addf(&mp, "%s/manage.py", root.s);
		found = access(mp.s, R_OK) == 0;
	}
	if (found) {
		rk_buf_addc(&labels, '\n');
		project_labels(root.s, 2, &labels);
	}
	rk_buf_release(&mp);
	rk_buf_release(&root);
	if (!found) {
		rk_buf_release(&labels);
		return NULL;
	}
	return rk_buf_detach(&labels, NULL);
}

static int
listed_label(const char *lines, const char *app)
{
	size_t n = strlen(app);

	for (const char *p = lines; p && (p = strstr(p, app)) != NULL; p++)
		if (p > lines && p[-1] == '\n' && p[n] == '\n')
			return 1;
	return 0;
}

/*
 * Whether the rows under app are an earlier reckon's guess for the
 * directory real: no app of the project (labels, NULL: unknown) and none
 * of Django's own has that label, every row names one of real's modules,
 * and not only "0001_initial" (every app's first migration is called so).
 */
static int
guessed_label(const struct db_rows *rows, const char *app, const char *real,
	      const char *labels)
{
	int any = 0, distinct = 0;

	if (!labels || listed_label(labels, app))
		return 0;
	for (size_t i = 0; contrib_labels[i]; i++)
		if (!strcmp(contrib_labels[i], app))
			return 0;
	for (size_t i = 0; i < rows->nrows; i++) {
		const char *name = db_rows_get(rows, i, 1);

		if (strcmp(db_rows_get(rows, i, 0), app) != 0)
			continue;
		if (!has_module(real, name, strlen(name)))
			return 0;
		any = 1;
		distinct |= strcmp(name, "0001_initial") != 0;
	}
	return any && distinct;
}

/*
 * Rows Django never reads for this directory's app, under a label an
 * earlier reckon guessed: the directory's package name, when the evidence
 * names another app (it took the package for the label), or a label no
 * app of the project has while the rows' names are this directory's
 * modules (written from another copy of it, named after that copy).
 */
static int
django_strays(struct db *db, const struct tracked *t, struct applied_set *out,
	      struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	char *label, *pkg = package_of(t), iso[32], real[PATH_MAX];
	char *labels = NULL;
	int rc, by_pkg;

	rc = load(db, t, &rows, &label, err);
	if (rc < 0 || !label || !t->dir || !realpath(t->dir, real))
		goto out;
	by_pkg = pkg && strcmp(label, pkg) != 0;
	labels = labels_of_project(real);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *app = db_rows_get(&rows, i, 0);
		const char *name = db_rows_get(&rows, i, 1);
		int stray;

		if (!strcmp(app, label))
			continue;
		if (by_pkg && !strcmp(app, pkg))
			stray = has_module(real, name, strlen(name));
		else
			stray = guessed_label(&rows, app, real, labels);
		if (stray)
			applied_add(out, name, app,
				    det_iso_time(db_rows_get(&rows, i, 2), iso),
				    NULL);
	}
out:
	free(labels);
	free(label);
	free(pkg);
	db_rows_release(&rows);
	return rc;
}

static int
django_unstray(struct db *db, const struct tracked *t,
	       const struct applied *row, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	const char *params[2] = { row->version, row->id };
	int rc;

	rk_buf_adds(&sql, "DELETE FROM ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " WHERE app = $1 AND name = $2");
	rc = db_query(db, sql.s, params, 2, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

/* A migrations package: "migrations" with __init__.py and a module. */
static int
django_dir_entry(const char *dir, const char *name, unsigned char type)
{
	struct migname mn;

	(void)dir;
	(void)type;
	return django_parse_name(name, &mn) == 0;
}

static int
django_evidence(const char *dir, struct rk_buf *why)
{
	const char *base = strrchr(dir, '/');
	size_t n;

	struct rk_buf first = RK_BUF_INIT;

	base = base ? base + 1 : dir;
	if (strcmp(base, "migrations") != 0 ||
	    !det_dir_has(dir, "__init__.py") ||
	    !det_dir_first(dir, django_dir_entry, &n, &first)) {
		rk_buf_release(&first);
		return 0;
	}
	rk_buf_addf(why, "a migrations package: __init__.py and %s", first.s);
	if (n > 1)
		rk_buf_addf(why, " and %zu more", n - 1);
	rk_buf_release(&first);
	return 1;
}

/* {app}: the label app_label() settles on for the directory */
static int
django_app(struct db *db, const struct tracked *t, struct rk_buf *out,
	   struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	char *label;
	int rc = load(db, t, &rows, &label, err);

	if (rc == 0 && !label)
		rc = rk_fail(err, RK_CONFIG,
			     "cannot tell the Django app label of '%s'",
			     t->dir);
	if (rc == 0)
		rk_buf_adds(out, label);
	free(label);
	db_rows_release(&rows);
	return rc;
}

/* "showmigrations <app>": " [X] 0001_initial" per applied migration */
static void
django_parse_show(const char *s, size_t n, const char *app, struct rk_buf *out)
{
	(void)app;
	det_words_after(s, n, "[X]", out);
}

static const char *const django_roots[] = { "manage.py", NULL };
static const char *const django_up[] = { "migrate", "{app}", "{id}", NULL };
static const char *const django_down[] = { "migrate", "{app}", "{prev}", NULL };
static const char *const django_down_plan[] = { "migrate", "{app}", "{prev}",
						"--plan", NULL };
static const char *const django_status[] = { "showmigrations", "{app}", NULL };
static const char *const django_env[] = { "DATABASE_URL", NULL };
/*
 * "migrate <app> <prev> --plan": "Planned operations:", then per migration
 * a line "label.name" at the margin and its operations indented under it.
 * The other labels' migrations are the ones that depend on what is undone.
 */
static void
django_parse_plan(const char *s, size_t n, const char *app, struct rk_buf *out)
{
	const char *end = s + n;

	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		size_t len = e ? (size_t)(e - s) : (size_t)(end - s);
		size_t lab = 0, rest;

		while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		while (lab < len &&
		       (isalnum((unsigned char)s[lab]) || s[lab] == '_'))
			lab++;
		rest = lab + 1;
		while (rest < len &&
		       (isalnum((unsigned char)s[rest]) || s[rest] == '_'))
			rest++;
		if (lab && lab < len && s[lab] == '.' && rest == len &&
		    len > lab + 1 &&
		    !(app && strlen(app) == lab && strncmp(s, app, lab) == 0))
			rk_buf_addf(out, "%.*s/%.*s\n", (int)lab, s,
				    (int)(len - lab - 1), s + lab + 1);
		s = e ? e + 1 : end;
	}
	if (!out->s)
		rk_buf_adds(out, "");
}

/* The rows of every other app, "app/name" lines. */
static int
django_others(struct db *db, const struct tracked *t, struct rk_buf *out,
	      struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	char *label;
	int rc = load(db, t, &rows, &label, err);

	for (size_t i = 0; rc == 0 && label && i < rows.nrows; i++)
		if (strcmp(db_rows_get(&rows, i, 0), label) != 0)
			rk_buf_addf(out, "%s/%s\n", db_rows_get(&rows, i, 0),
				    db_rows_get(&rows, i, 1));
	if (!out->s)
		rk_buf_adds(out, "");
	free(label);
	db_rows_release(&rows);
	return rc;
}

static const struct det_runner django_runner = {
	.tool = "manage.py",
	.how = DET_TOOL_PYFILE,
	.roots = django_roots,
	.up = django_up,
	.down = django_down,
	.down_plan = django_down_plan,
	.status = django_status,
	.url_env = django_env,
	.parse_status = django_parse_show,
	.app = django_app,
	.others = django_others,
	.parse_plan = django_parse_plan,
};

const struct detector det_django = {
	.name = "django",
	.table = "django_migrations",
	.columns = django_cols,
	.kind_note = "Django migrations are Python",
	.parse_name = django_parse_name,
	.inspect = django_inspect,
	.file_id = det_id_stem,
	.runner = &django_runner,
	.read = django_read,
	.ensure = django_ensure,
	.record = django_record,
	.unrecord = django_unrecord,
	.strays = django_strays,
	.unstray = django_unstray,
	.dir_evidence = django_evidence,
};
