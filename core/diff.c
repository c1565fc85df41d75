/*
 * diff: the live database's schema against the one the migration files
 * produce, built from nothing in a throwaway database (a new database on
 * the --dev-db server, or a temporary SQLite file) with the run op. The
 * live database is only read: its tracking table (whichever framework's
 * reckon finds, and reckon's own) is left out of both sides. Not here:
 * the comparison (schema_cmp.c) or the throwaway (scratch.c).
 */
#include "reckon/core/verify.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/banned.h"

void
diff_report_release(struct diff_report *r)
{
	free(r->database);
	free(r->scratch);
	free(r->framework);
	run_report_release(&r->build);
	schema_diff_release(&r->diff);
	memset(r, 0, sizeof(*r));
}

/* The server to build on: dev_db, which must be PostgreSQL as the live
 * database is; SQLite needs none. */
static int
scratch_server(struct rk_ctx *ctx, const char *dev_db, struct db **server,
	       struct diff_report *r, struct rk_err *err)
{
	struct rk_buf shown = RK_BUF_INIT;
	struct db_opts dbo;
	enum db_kind kind;

	*server = NULL;
	if (db_kind(ctx->db) == DB_SQLITE) {
		if (dev_db)
			return rk_fail(err, RK_USAGE,
				       "diff: --dev-db is for PostgreSQL; on "
				       "SQLite the migrations are built in a "
				       "temporary file");
		r->scratch = xstrdup("a temporary SQLite file");
		return 0;
	}
	if (!dev_db) {
		rk_fail(err, RK_USAGE,
			"diff: PostgreSQL needs a scratch server to build the "
			"migrations' schema on: pass --dev-db URL");
		rk_err_hint(err,
			    "reckon creates a throwaway database there, runs "
			    "every migration in it and drops it; the live "
			    "database is only read");
		return -1;
	}
	if (db_kind_of_url(dev_db, &kind, err) < 0)
		return -1;
	if (kind != DB_PG)
		return rk_fail(err, RK_USAGE,
			       "diff: --dev-db must be a PostgreSQL server, as "
			       "the live database is");
	ctx_db_opts(&ctx->cfg, &dbo);
	if (db_open(dev_db, &dbo, server, err) < 0)
		return -1;
	if (*dev_db)
		db_url_redact(dev_db, &shown);
	else
		rk_buf_adds(&shown, "postgres (libpq defaults)");
	rk_buf_adds(&shown, " (a throwaway database)");
	r->scratch = rk_buf_detach(&shown, NULL);
	return 0;
}

/* The framework the build records as, so it keeps the live table's
 * shape; one reckon cannot create falls back to --framework or native. */
static const char *
build_framework(const struct rk_ctx *ctx, const struct detector *det)
{
	if (det->ensure && !(det->flags & DET_NO_WRITE))
		return det->name;
	return ctx->cfg.framework;
}

int
op_diff(struct rk_ctx *ctx, const char *dev_db, struct diff_report *r,
	struct rk_err *err)
{
	struct rk_session s = { 0 };
	struct schema_snap live = SCHEMA_SNAP_INIT, built = SCHEMA_SNAP_INIT;
	struct scratch sc = SCRATCH_INIT;
	struct rk_err derr = RK_ERR_INIT;
	struct db *server = NULL;
	const char **skip = NULL;
	int rc = -1;

	r->database = xstrdup(ctx->db_display ? ctx->db_display : "");
	if (scratch_server(ctx, dev_db, &server, r, err) < 0)
		goto out;
	if (op_status(ctx, &s, err) < 0)
		goto out;
	r->framework = xstrdup(s.tracked.det->name);
	skip = scratch_tracking_tables(s.tracked.det->name, ctx->cfg.table);
	if (schema_snap_read(ctx->db, skip, &live, err) < 0)
		goto out;
	if (scratch_create(server, dev_db, db_kind(ctx->db), &sc, err) < 0)
		goto out;
	rc = scratch_migrate(ctx, &sc, build_framework(ctx, s.tracked.det),
			     &r->build, &built, err);
	if (rc < 0)
		rk_err_prefix(err, "building the migrations' schema");
	if (scratch_drop(&sc, &derr) < 0) { /* outranks the build's error */
		*err = derr;
		rc = -1;
	}
	if (rc == 0)
		schema_compare(&live, &built, &r->diff);
out:
	free(skip);
	schema_snap_release(&live);
	schema_snap_release(&built);
	session_release(&s);
	if (server)
		db_close(server);
	return rc;
}
