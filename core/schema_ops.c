/*
 * detect-schema and adopt: what a migration creates (the DDL extractor)
 * and whether the live database already has it (schema_check). adopt runs
 * that over every pending file and marks the ones whose objects all exist;
 * it never marks a file that is only partly there.
 */
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/core/ops.h"
#include "reckon/core/schema_check.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

void
schema_report_release(struct schema_report *r)
{
	if (r->objects) {
		ddl_list_release(r->objects);
		free(r->objects);
	}
	if (r->check) {
		schema_check_release(r->check);
		free(r->check);
	}
	memset(r, 0, sizeof(*r));
}

static const char *
recommend(const struct schema_report *r)
{
	if (!r->objects->n)
		return "The SQL creates no objects reckon can check.";
	if (!r->checked)
		return "Not checked against a database.";
	if (r->all_exist)
		return "All objects already exist: safe to mark this migration "
		       "as applied.";
	if (r->some_exist)
		return "Some objects already exist: the migration looks "
		       "partially applied; review it before running or "
		       "marking it.";
	return "No objects exist yet: safe to run.";
}

int
op_detect_schema(struct rk_ctx *ctx, const char *sql, size_t n,
		 const struct sql_dialect *d, struct schema_report *r,
		 struct rk_err *err)
{
	size_t found = 0;

	if (ctx->db)
		d = db_dialect(ctx->db)->lex;
	r->objects = xcalloc(1, sizeof(*r->objects));
	r->check = xcalloc(1, sizeof(*r->check));
	if (ddl_extract(sql, n, d, r->objects, err) < 0)
		return -1;
	if (ctx->db) {
		if (schema_check(ctx->db, r->objects, ctx->cfg.schema, r->check,
				 err) < 0)
			return -1;
		r->checked = 1;
		for (size_t i = 0; i < r->check->n; i++)
			found += r->check->v[i].exists != 0;
		r->all_exist = r->objects->n && found == r->objects->n;
		r->some_exist = found > 0; /* all implies some */
	}
	r->recommendation = recommend(r);
	return 0;
}

const char *
adopt_action_name(enum adopt_action a)
{
	switch (a) {
	case ADOPT_MARK:
		return "mark";
	case ADOPT_PARTIAL:
		return "partial";
	case ADOPT_RUN:
		return "run";
	case ADOPT_CODE:
		return "code";
	}
	rk_bug("adopt action %d", (int)a);
}

void
adopt_report_release(struct adopt_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		for (size_t k = 0; k < r->v[i].nmissing; k++)
			free(r->v[i].missing[k]);
		free(r->v[i].missing);
	}
	free(r->v);
	free(r->tracking_display);
	memset(r, 0, sizeof(*r));
}

/* Plan one pending file from its objects and the catalog's answers (its
 * up part as det's markers say). */
static int
plan_file(struct rk_ctx *ctx, const struct detector *det,
	  const struct mig_file *f, struct adopt_item *it, struct rk_err *err)
{
	struct schema_report sr = { 0 };
	struct rk_buf text = RK_BUF_INIT;
	size_t off, len;
	int rc = -1;

	if (f->code) {
		it->action = ADOPT_CODE;
		return 0;
	}
	if (mig_read(f->path, f->name, &text, err) < 0)
		goto out;
	mig_up_section(det, text.s, text.len, &off, &len);
	if (op_detect_schema(ctx, text.s + off, len, NULL, &sr, err) < 0) {
		rk_err_prefix(err, "%s", f->name);
		goto out;
	}
	it->objects = sr.objects->n;
	for (size_t i = 0; i < sr.check->n; i++) {
		const struct ddl_object *o = &sr.objects->v[i];
		struct rk_buf m = RK_BUF_INIT;

		if (sr.check->v[i].exists) {
			it->existing++;
			continue;
		}
		rk_buf_addf(&m, "%s %s%s%s", ddl_type_name(o->type), o->schema,
			    *o->schema ? "." : "", o->object);
		it->missing = xrealloc(it->missing,
				       (it->nmissing + 1) * sizeof(char *));
		it->missing[it->nmissing++] = rk_buf_detach(&m, NULL);
	}
	it->action = sr.all_exist    ? ADOPT_MARK
		     : sr.some_exist ? ADOPT_PARTIAL
				     : ADOPT_RUN;
	rc = 0;
out:
	schema_report_release(&sr);
	rk_buf_release(&text);
	return rc;
}

int
op_adopt(struct rk_ctx *ctx, int yes, struct adopt_report *r,
	 struct rk_err *err)
{
	struct rk_session s = { 0 };
	struct mark_report mr = { 0 };
	char **names = NULL;
	int nnames = 0, rc = -1;

	if (op_status(ctx, &s, err) < 0)
		goto out;
	r->tracking_display = xstrdup(s.tracking_display);
	for (size_t i = 0; i < s.status.n; i++) {
		const struct status_entry *e = &s.status.v[i];
		struct adopt_item *it;

		if (e->state != ST_PENDING)
			continue;
		rk_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v));
		it = &r->v[r->n++];
		memset(it, 0, sizeof(*it));
		it->name = xstrdup(e->name);
		if (plan_file(ctx, s.tracked.det, e->file, it, err) < 0)
			goto out;
		if (it->action == ADOPT_MARK) {
			names = xrealloc(names, (nnames + 1) * sizeof(char *));
			names[nnames++] = it->name;
		}
	}
	rc = 0;
	if (yes && nnames) {
		rc = op_mark(ctx, names, nnames, 0, &mr, err);
		for (size_t i = 0; rc == 0 && i < r->n; i++)
			r->v[i].marked = r->v[i].action == ADOPT_MARK;
		r->wrote = rc == 0;
	}
out:
	mark_report_release(&mr);
	free(names);
	session_release(&s);
	return rc;
}
