/*
 * reckon lint: the rule engine's findings (parsers/lint.c) on migration
 * files, given a severity from the live table each is on (lint.h). Table
 * facts come through db_table_size(), one catalog query per table; a
 * table the linted files create earlier is new, so empty.
 */
#include "reckon/core/lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/core/ops.h"
#include "reckon/db/db.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/sql.h"
#include "run.h"
#include "reckon/base/banned.h"

void
lint_report_release(struct lint_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].file);
		free(r->v[i].message);
		free(r->v[i].table);
		free(r->v[i].allow);
	}
	free(r->v);
	free(r->dialect);
	free(r->sqlite_version);
	memset(r, 0, sizeof(*r));
}

size_t
lint_unsafe(const struct lint_report *r)
{
	return r->count[LINT_WARNING] + r->count[LINT_ERROR];
}

void
lint_size_text(long long bytes, struct rk_buf *out)
{
	static const char *const unit[] = { "bytes", "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 10240 && u + 1 < ARRAY_SIZE(unit)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		rk_buf_addf(out, "%lld bytes", bytes);
	else
		rk_buf_addf(out, "%.0f %s", v, unit[u]);
}

void
lint_finding_line(const struct lint_finding *f, struct rk_buf *out)
{
	rk_buf_addf(out, "%s:%u: %s %s: %s", f->file, f->line,
		    lint_severity_name(f->severity), f->rule->id, f->message);
	if (f->allow)
		rk_buf_addf(out, " (allowed: %s)", f->allow);
}

/* What the database says about one table, looked up once per lint. */
struct tfact {
	char *schema, *table;
	struct db_table_size size;
};

struct facts {
	struct tfact *v;
	size_t n, cap;
};

static void
facts_release(struct facts *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].schema);
		free(f->v[i].table);
	}
	free(f->v);
}

static int
table_facts(struct rk_ctx *ctx, struct facts *f, const char *schema,
	    const char *table, const struct db_table_size **out,
	    struct rk_err *err)
{
	struct tfact *t;

	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].schema, schema) &&
		    !strcmp(f->v[i].table, table)) {
			*out = &f->v[i].size;
			return 0;
		}
	rk_grow((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	t = &f->v[f->n];
	if (db_table_size(ctx->db, schema, table, &t->size, err) < 0)
		return -1;
	t->schema = xstrdup(schema);
	t->table = xstrdup(table);
	f->n++;
	*out = &t->size;
	return 0;
}

/* ALTER COLUMN TYPE on a live table: the column's current type keeps its
 * bytes under the new one (no rewrite)? */
static int
type_change_is_free(struct rk_ctx *ctx, const struct lint_hit *h,
		    struct rk_err *err)
{
	struct db_table_list l = DB_TABLE_LIST_INIT;
	const char *names[2] = { h->table, NULL };
	const struct db_table *t;
	int free_change = 0;

	if (db_tables_named(ctx->db, names, &l, err) < 0)
		return -1;
	t = db_table_find(&l, *h->schema ? h->schema : NULL, h->table);
	for (size_t i = 0; t && i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, h->column))
			free_change = lint_type_binary_compatible(
				t->cols[i].type, h->new_type);
	db_table_list_release(&l);
	return free_change;
}

/* The finding for hit h of file name, with its severity. 1: keep it, 0:
 * drop it (a binary-compatible type change), -1: error. */
static int
grade(struct rk_ctx *ctx, struct lint_report *r, struct facts *facts,
      const char *name, const struct lint_hit *h, struct lint_finding *f,
      struct rk_err *err)
{
	struct rk_buf m = RK_BUF_INIT;
	const struct db_table_size *sz = NULL;

	memset(f, 0, sizeof(*f));
	f->rule = h->rule;
	f->line = h->line;
	f->bytes = -1;
	f->rows = -1;
	f->severity = h->rule->severity;
	rk_buf_adds(&m, h->message);
	if (!h->rule->fixed && *h->table) {
		if (h->table_new) {
			f->severity = LINT_INFO;
			rk_buf_adds(&m, "; the table is created earlier in "
					"these files, so it is empty");
		} else if (h->rebuilt) {
			f->severity = LINT_INFO;
			rk_buf_adds(&m, "; the file rebuilds the table: a copy "
					"takes its name, so its data lives on");
		} else if (ctx->db) {
			if (table_facts(ctx, facts, h->schema, h->table, &sz,
					err) < 0)
				goto fail;
			if (h->column && h->new_type && sz->exists) {
				int freec = type_change_is_free(ctx, h, err);

				if (freec < 0)
					goto fail;
				if (freec) {
					rk_buf_release(&m);
					return 0;
				}
			}
			if (!sz->exists) {
				f->severity = LINT_INFO;
				rk_buf_adds(&m, "; the table does not exist in "
						"the database yet");
			} else if (sz->heap_bytes == 0) {
				f->severity = LINT_INFO;
				f->bytes = sz->total_bytes;
				f->rows = sz->rows;
				rk_buf_adds(&m, "; the table is empty");
			} else {
				f->bytes = sz->total_bytes;
				f->rows = sz->rows;
				if (sz->total_bytes >= 0) {
					rk_buf_adds(&m, "; the table holds ");
					lint_size_text(sz->total_bytes, &m);
					if (sz->rows >= 0)
						rk_buf_addf(&m,
							    ", about %.0f rows",
							    sz->rows);
				}
				if (sz->total_bytes > r->error_above) {
					f->severity = LINT_ERROR;
					rk_buf_adds(&m, ", more than "
							"lint.error_above (");
					lint_size_text(r->error_above, &m);
					rk_buf_adds(&m, ")");
				}
			}
		}
	}
	if (h->bad_allow)
		rk_buf_addf(&m,
			    " (reckon:allow %s without a reason does not "
			    "count: give one)",
			    h->rule->id);
	f->file = xstrdup(name);
	f->message = rk_buf_detach(&m, NULL);
	if (*h->table) {
		struct rk_buf t = RK_BUF_INIT;

		rk_buf_addf(&t, "%s%s%s", h->schema, *h->schema ? "." : "",
			    h->table);
		f->table = rk_buf_detach(&t, NULL);
	}
	f->allow = h->allow ? xstrdup(h->allow) : NULL;
	return 1;
fail:
	rk_buf_release(&m);
	return -1;
}

/* The SQLite version the version rules assume: lint.sqlite_version, else
 * the linked library's. */
static const char *
sqlite_version(const struct rk_ctx *ctx)
{
	return ctx->cfg.lint_sqlite_version ? ctx->cfg.lint_sqlite_version
					    : db_sqlite_library_version();
}

int
lint_inputs(struct rk_ctx *ctx, const struct sql_dialect *d,
	    const struct lint_input *in, size_t n, struct lint_report *r,
	    struct rk_err *err)
{
	struct lint_state st;
	struct facts facts = { 0 };
	int is_sqlite = !strcmp(d->name, "sqlite");
	int rc = 0;

	r->dialect = xstrdup(d->name);
	r->error_above = ctx->cfg.lint_error_above_set
				 ? ctx->cfg.lint_error_above
				 : LINT_ERROR_ABOVE_DEFAULT;
	r->live = ctx->db != NULL;
	if (is_sqlite)
		r->sqlite_version = xstrdup(sqlite_version(ctx));
	lint_state_init(&st, d,
			is_sqlite ? lint_sqlite_version_num(r->sqlite_version)
				  : 0);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct lint_hits hits = { 0 };

		r->files++;
		lint_text(&st, in[i].text, in[i].len, in[i].stmts, &hits);
		for (size_t k = 0; k < hits.n && rc == 0; k++) {
			struct lint_finding f;
			int keep = grade(ctx, r, &facts, in[i].name, &hits.v[k],
					 &f, err);

			if (keep < 0) {
				rc = -1;
				break;
			}
			if (!keep)
				continue;
			if (f.allow)
				r->suppressed++;
			else
				r->count[f.severity]++;
			rk_grow((void **)&r->v, &r->cap, r->n + 1,
				sizeof(*r->v));
			r->v[r->n++] = f;
		}
		lint_hits_release(&hits);
	}
	facts_release(&facts);
	lint_state_release(&st);
	return rc;
}

/* One file read for lint: its text, its up part's statements. */
struct lfile {
	char *name;
	struct rk_buf text;
	struct sql_stmt_list stmts;
};

static void
lfiles_release(struct lfile *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		rk_buf_release(&v[i].text);
		sql_stmt_list_release(&v[i].stmts);
	}
	free(v);
}

/* Read path (shown as name) and split its up part (det's markers). */
static int
read_part(const char *path, const char *name, const struct detector *det,
	  const struct sql_dialect *d, struct lfile *f, struct rk_err *err)
{
	size_t off, len;
	unsigned base;

	f->name = xstrdup(name);
	rk_buf_init(&f->text);
	if (mig_read(path, name, &f->text, err) < 0)
		return -1;
	mig_up_section(det, f->text.s, f->text.len, &off, &len);
	if (sql_split(f->text.s + off, len, d, &f->stmts, err) < 0) {
		rk_err_prefix(err, "%s", name);
		return -1;
	}
	base = rk_line_of(f->text.s, off) - 1;
	for (size_t i = 0; i < f->stmts.n; i++) {
		f->stmts.v[i].off += off;
		f->stmts.v[i].line += base;
	}
	return 0;
}

static int
lint_files(struct rk_ctx *ctx, const struct sql_dialect *d, struct lfile *v,
	   size_t n, struct lint_report *r, struct rk_err *err)
{
	struct lint_input *in = xcalloc(n + 1, sizeof(*in));
	int rc;

	for (size_t i = 0; i < n; i++) {
		in[i].name = v[i].name;
		in[i].text = v[i].text.s;
		in[i].len = v[i].text.len;
		in[i].stmts = &v[i].stmts;
	}
	rc = lint_inputs(ctx, d, in, n, r, err);
	free(in);
	return rc;
}

int
lint_pending(struct rk_ctx *ctx, const struct rk_session *s,
	     struct lint_report *r, struct rk_err *err)
{
	const struct sql_dialect *d = db_dialect(ctx->db)->lex;
	struct lfile *v = xcalloc(s->status.n + 1, sizeof(*v));
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < s->status.n && rc == 0; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->state != ST_PENDING || !e->file || e->file->code)
			continue;
		rc = read_part(e->file->path, e->name, s->tracked.det, d,
			       &v[n++], err);
	}
	if (rc == 0)
		rc = lint_files(ctx, d, v, n, r, err);
	lfiles_release(v, n);
	return rc;
}

int
op_lint(struct rk_ctx *ctx, char **files, int nfiles,
	const struct sql_dialect *d, struct lint_report *r, struct rk_err *err)
{
	struct rk_session s = { 0 };
	struct lfile *v;
	int rc = 0;

	if (ctx->db)
		d = db_dialect(ctx->db)->lex;
	if (nfiles == 0) {
		if (!ctx->db)
			return rk_fail(err, RK_USAGE,
				       "lint: name the files to lint, or give "
				       "a database to lint its pending files");
		if (op_status(ctx, &s, err) < 0)
			return -1;
		rc = lint_pending(ctx, &s, r, err);
		session_release(&s);
		return rc;
	}
	v = xcalloc((size_t)nfiles + 1, sizeof(*v));
	for (int i = 0; i < nfiles && rc == 0; i++) {
		struct rk_buf path = RK_BUF_INIT;
		struct stat st;

		/* a bare name is looked up in --dir first, then as a path */
		rk_buf_addf(&path, "%s/%s", ctx->cfg.dir, files[i]);
		if (strchr(files[i], '/') ||
		    (stat(path.s, &st) < 0 && stat(files[i], &st) == 0)) {
			rk_buf_reset(&path);
			rk_buf_adds(&path, files[i]);
		}
		rc = read_part(path.s, files[i], NULL, d, &v[i], err);
		rk_buf_release(&path);
	}
	if (rc == 0)
		rc = lint_files(ctx, d, v, (size_t)nfiles, r, err);
	lfiles_release(v, (size_t)nfiles);
	return rc;
}

int
run_lint_gate(struct rk_ctx *ctx, const struct prepared *ps, size_t n,
	      const struct run_opts *o, struct run_report *r,
	      struct rk_err *err)
{
	struct lint_input *in = xcalloc(n + 1, sizeof(*in));
	struct rk_buf more = RK_BUF_INIT;
	const struct lint_finding *first = NULL;
	size_t nerr;
	int rc;

	for (size_t i = 0; i < n; i++) {
		in[i].name = ps[i].file->name;
		in[i].text = ps[i].text.s;
		in[i].len = ps[i].text.len;
		in[i].stmts = &ps[i].stmts;
	}
	r->lint = xcalloc(1, sizeof(*r->lint));
	rc = lint_inputs(ctx, db_dialect(ctx->db)->lex, in, n, r->lint, err);
	free(in);
	nerr = r->lint->count[LINT_ERROR];
	if (rc < 0 || o->dry_run || o->allow_unsafe || nerr == 0)
		return rc;
	for (size_t i = 0; i < r->lint->n; i++) {
		const struct lint_finding *f = &r->lint->v[i];

		if (f->severity != LINT_ERROR || f->allow)
			continue;
		if (!first) {
			first = f;
			continue;
		}
		if (more.len)
			rk_buf_adds(&more, "; ");
		lint_finding_line(f, &more);
	}
	rk_fail(err, RK_CHECK,
		"refusing to run: %zu error-level lint finding(s): %s:%u: %s: "
		"%s",
		nerr, first->file, first->line, first->rule->id,
		first->message);
	if (more.len)
		snprintf(err->detail, sizeof(err->detail), "also %s", more.s);
	rk_err_hint(err,
		    "make it safe (reckon lint --explain %s), allow one "
		    "statement with '-- reckon:allow %s REASON', or pass "
		    "--allow-unsafe",
		    first->rule->id, first->rule->id);
	rk_buf_release(&more);
	return -1;
}

int
lint_preview(struct rk_ctx *ctx, const struct sql_dialect *d,
	     struct preview_report *r, struct rk_err *err)
{
	struct lint_input in = { r->name, r->content->s, r->content->len,
				 &r->stmts };

	r->lint = xcalloc(1, sizeof(*r->lint));
	return lint_inputs(ctx, d, &in, 1, r->lint, err);
}
