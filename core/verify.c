/*
 * verify: the release-database workflow. Each saved snapshot (a SQLite
 * file, a pg_dump file) is restored into a throwaway database, the pending
 * migrations run on it with the run op, and its schema is compared with a
 * database built from nothing by every migration; every throwaway is
 * dropped before the next step, failure or not. The snapshot is only ever
 * read. Not here: the throwaways themselves (scratch.c) or the comparison
 * (schema_cmp.c).
 */
#include "reckon/core/verify.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/core/interrupt.h"
#include "reckon/db/db.h"
#include "reckon/base/banned.h"

const char *
verify_stage_name(enum verify_stage s)
{
	switch (s) {
	case VERIFY_DONE:
		return "done";
	case VERIFY_RESTORE:
		return "restore";
	case VERIFY_UPGRADE:
		return "upgrade";
	case VERIFY_COMPARE:
		return "compare";
	}
	rk_bug("verify stage %d", (int)s);
}

void
verify_report_release(struct verify_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].snapshot);
		free(r->v[i].error);
		run_report_release(&r->v[i].run);
		schema_diff_release(&r->v[i].diff);
	}
	free(r->v);
	free(r->server);
	run_report_release(&r->fresh);
	memset(r, 0, sizeof(*r));
}

/* What verify works with besides the report. */
struct verify_state {
	struct rk_ctx *ctx;
	struct db *server;	  /* PG: where throwaways are made, or NULL */
	const char *server_url;	  /* borrowed */
	struct schema_snap fresh; /* the build from nothing */
	int built;
	const char *framework; /* borrowed: the first upgrade's, for the
				* fresh build to keep the same table */
};

/* Drop s; a failure to drop outranks any other error of the step. */
static int
drop(struct scratch *s, int rc, struct rk_err *err)
{
	struct rk_err derr = RK_ERR_INIT;

	if (scratch_drop(s, &derr) < 0) {
		*err = derr;
		return -2; /* fatal: something is left behind */
	}
	return rc;
}

/* Restore, upgrade and read one snapshot into it->... and snap. */
static int
upgrade_one(struct verify_state *vs, struct verify_item *it,
	    struct schema_snap *snap, struct rk_err *err)
{
	struct scratch s = SCRATCH_INIT;
	enum db_kind kind = snapshot_kind(it->format);
	int rc;

	if (scratch_create(vs->server, vs->server_url, kind, &s, err) < 0)
		return -2;
	it->stopped = VERIFY_RESTORE;
	rc = scratch_restore(&s, it->snapshot, it->format, err);
	if (rc == 0) {
		it->stopped = VERIFY_UPGRADE;
		rc = scratch_migrate(vs->ctx, &s, NULL, &it->run, snap, err);
		if (rc < 0 && it->run.ok)
			it->stopped = VERIFY_COMPARE;
	}
	if (rc == 0) {
		it->stopped = VERIFY_DONE;
		if (!vs->framework && it->run.framework)
			vs->framework = it->run.framework;
	}
	return drop(&s, rc, err);
}

/* Build the schema of every migration once, for kind. */
static int
build_fresh(struct verify_state *vs, enum db_kind kind, struct verify_report *r,
	    struct rk_err *err)
{
	struct scratch s = SCRATCH_INIT;
	int rc;

	if (vs->built)
		return 0;
	if (scratch_create(vs->server, vs->server_url, kind, &s, err) < 0)
		return -1;
	rc = scratch_migrate(vs->ctx, &s, vs->framework, &r->fresh, &vs->fresh,
			     err);
	if (rc < 0)
		rk_err_prefix(err, "building the schema from nothing");
	rc = drop(&s, rc, err);
	if (rc == 0)
		vs->built = r->fresh_built = 1;
	return rc < 0 ? -1 : 0;
}

/* Read every snapshot's format, and open the server PG ones need. */
static int
prepare(struct verify_state *vs, const struct verify_opts *o,
	struct verify_report *r, struct rk_err *err)
{
	int need_pg = 0, need_lite = 0;
	enum db_kind kind;
	struct db_opts dbo;
	struct rk_buf shown = RK_BUF_INIT;

	if (o->n == 0) {
		rk_fail(err, RK_USAGE, "verify: give --from SNAPSHOT");
		rk_err_hint(err, "a SQLite file or a pg_dump file saved at a "
				 "release");
		return -1;
	}
	for (int i = 0; i < o->n; i++) {
		struct verify_item *it;

		rk_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v));
		it = &r->v[r->n++];
		memset(it, 0, sizeof(*it));
		it->snapshot = xstrdup(o->snapshots[i]);
		if (snapshot_format_of(it->snapshot, &it->format, err) < 0)
			return -1;
		need_pg |= snapshot_kind(it->format) == DB_PG;
		need_lite |= snapshot_kind(it->format) == DB_SQLITE;
	}
	if (need_pg && need_lite)
		return rk_fail(err, RK_USAGE,
			       "verify: give snapshots of one engine, SQLite "
			       "files or pg_dump files, not both");
	if (!need_pg)
		return 0;
	vs->server_url = o->dev_db ? o->dev_db : vs->ctx->cfg.db_url;
	if (!vs->server_url || db_kind_of_url(vs->server_url, &kind, err) < 0 ||
	    kind != DB_PG) {
		rk_fail(err, RK_USAGE,
			"verify: restoring a pg_dump snapshot needs a "
			"PostgreSQL server");
		rk_err_hint(err, "pass --dev-db URL of a server where the role "
				 "may create databases");
		return -1;
	}
	ctx_db_opts(&vs->ctx->cfg, &dbo);
	if (db_open(vs->server_url, &dbo, &vs->server, err) < 0)
		return -1;
	if (*vs->server_url)
		db_url_redact(vs->server_url, &shown);
	else
		rk_buf_adds(&shown, "postgres (libpq defaults)");
	r->server = rk_buf_detach(&shown, NULL);
	return 0;
}

int
op_verify(struct rk_ctx *ctx, const struct verify_opts *o,
	  struct verify_report *r, struct rk_err *err)
{
	struct verify_state vs = { .ctx = ctx, .fresh = SCHEMA_SNAP_INIT };
	int rc = prepare(&vs, o, r, err);

	vs.framework = ctx->cfg.framework;
	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		struct verify_item *it = &r->v[i];
		struct schema_snap snap = SCHEMA_SNAP_INIT;
		int step = upgrade_one(&vs, it, &snap, err);

		if (step == -1 && !rk_interrupted()) {
			it->error = xstrdup(err->msg);
			rk_err_clear(err);
			step = 0;
		} else if (step == 0) {
			step = build_fresh(&vs, snapshot_kind(it->format), r,
					   err);
			if (step == 0)
				schema_compare(&snap, &vs.fresh, &it->diff);
		}
		schema_snap_release(&snap);
		if (step == 0 && rk_interrupted())
			step = rk_fail(err, RK_DB, "interrupted");
		rc = step < 0 ? -1 : 0;
	}
	r->ok = rc == 0;
	for (size_t i = 0; rc == 0 && i < r->n; i++)
		r->ok &= r->v[i].stopped == VERIFY_DONE &&
			 schema_diff_real(&r->v[i].diff) == 0;
	schema_snap_release(&vs.fresh);
	if (vs.server)
		db_close(vs.server);
	return rc;
}
