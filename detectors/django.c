/*
 * Django: django_migrations(id, app, name, applied), one row per applied
 * migration of every installed app, Django's own contrib apps included.
 * --dir is one app's migrations package, so only that app's rows are read
 * (the others are neither applied nor orphaned here). The app label is the
 * directory containing "migrations/"; when --dir is not named
 * "migrations" the label is the app whose rows name the most files of the
 * directory. name is the module name (file stem); applied is the UTC time:
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
 *   is "<app package>.migrations".
 * DDL per backend (identity bigint on PG since Django 4.1 with
 * BigAutoField, AUTOINCREMENT on SQLite) from frameworks.md section 10.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/buf.h"
#include "reckon/db.h"
#include "reckon/detcommon.h"
#include "reckon/detector.h"
#include "reckon/err.h"
#include "reckon/migfile.h"
#include "reckon/migname.h"
#include "reckon/util.h"
#include "reckon/banned.h"

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

/* Does the directory hold a migration module called name? */
static int
has_module(const char *dir, const char *name)
{
	struct rk_buf path = RK_BUF_INIT;
	struct migname mn;
	FILE *f;

	rk_buf_addf(&path, "%s.py", name);
	if (django_parse_name(path.s, &mn) < 0) {
		rk_buf_release(&path);
		return 0;
	}
	rk_buf_reset(&path);
	rk_buf_addf(&path, "%s/%s.py", dir, name);
	f = fopen(path.s, "rb");
	rk_buf_release(&path);
	if (f)
		fclose(f);
	return f != NULL;
}

/* The app whose rows name the most modules of dir; NULL if no single one. */
static char *
app_by_rows(const char *dir, const struct db_rows *rows)
{
	const char *best = NULL;
	size_t best_n = 0, tie = 0;

	for (size_t i = 0; i < rows->nrows; i++) {
		const char *app = db_rows_get(rows, i, 0);
		size_t n = 0;
		int seen = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(db_rows_get(rows, j, 0), app) == 0;
		for (size_t j = i; !seen && j < rows->nrows; j++)
			if (strcmp(db_rows_get(rows, j, 0), app) == 0 &&
			    has_module(dir, db_rows_get(rows, j, 1)))
				n++;
		if (seen || n == 0 || n < best_n)
			continue;
		tie = n == best_n;
		best = app;
		best_n = n;
	}
	return best && !tie ? xstrdup(best) : NULL;
}

/* The app label for t->dir (owned), or NULL when it cannot be told. */
static char *
app_label(const struct tracked *t, const struct db_rows *rows)
{
	char real[PATH_MAX], *slash;

	if (!t->dir || !realpath(t->dir, real))
		return NULL;
	slash = strrchr(real, '/');
	if (slash && slash > real && strcmp(slash + 1, "migrations") == 0) {
		*slash = '\0';
		slash = strrchr(real, '/');
		return xstrdup(slash ? slash + 1 : real);
	}
	return app_by_rows(real, rows);
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
	*label = app_label(t, rows);
	return 0;
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
		rk_err_hint(err, "point --dir at <app>/migrations");
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

const struct detector det_django = {
	.name = "django",
	.table = "django_migrations",
	.columns = django_cols,
	.kind_note = "Django migrations are Python",
	.parse_name = django_parse_name,
	.file_id = det_id_stem,
	.read = django_read,
	.ensure = django_ensure,
	.record = django_record,
	.unrecord = django_unrecord,
};
