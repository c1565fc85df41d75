/*
 * The pre-flight safety check: what a careful operator looks at before
 * running migrations against a live database. Everything is read-only:
 * the session's state (pending, drift), then the server's lock and
 * transaction views (PostgreSQL) or the file's journal mode and
 * writability (SQLite). Only this database counts: another database's
 * lock queue on the same server does not delay our DDL. Any finding
 * becomes a warning; safe means none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/core/lint.h"
#include "reckon/core/lockbudget.h"
#include "reckon/core/ops.h"
#include "reckon/base/util.h"
#include "run.h"
#include "run_delegate.h"
#include "reckon/base/banned.h"

void
check_report_release(struct check_report *r)
{
	free(r->database);
	free(r->user);
	free(r->server_version);
	for (size_t i = 0; i < r->npending; i++)
		free(r->pending[i]);
	free(r->pending);
	free(r->journal_mode);
	for (size_t i = 0; i < r->nblocking; i++) {
		free(r->blocking[i].relation);
		free(r->blocking[i].file);
		free(r->blocking[i].pids);
	}
	free(r->blocking);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	if (r->lint) {
		lint_report_release(r->lint);
		free(r->lint);
	}
	for (size_t i = 0; i < r->ndelegated; i++) {
		free(r->delegated[i].name);
		free(r->delegated[i].command);
	}
	free(r->delegated);
	free(r->same_db);
	memset(r, 0, sizeof(*r));
}

__attribute__((format(printf, 2, 3))) static void
warn(struct check_report *r, const char *fmt, ...)
{
	struct rk_buf b = RK_BUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	rk_buf_grow(&b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b.s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b.len = (size_t)n;
	r->warnings = xrealloc(r->warnings,
			       (r->nwarnings + 1) * sizeof(*r->warnings));
	r->warnings[r->nwarnings++] = rk_buf_detach(&b, NULL);
}

/* A single number from a one-row query. */
static int
query_number(struct db *db, const char *sql, double *out, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	int rc = db_query(db, sql, NULL, 0, &rows, err);

	*out = 0;
	if (rc == 0 && rows.nrows == 1 && db_rows_get(&rows, 0, 0))
		*out = strtod(db_rows_get(&rows, 0, 0), NULL);
	db_rows_release(&rows);
	return rc;
}

/* A table a pending file alters (adds a column, constraint, index or
 * trigger to), and the first file that does. */
struct touched {
	char *schema;	  /* owned: as the file writes it, "" if unqualified */
	char *table;	  /* owned */
	const char *file; /* borrowed from the session */
};

struct touched_list {
	struct touched *v; /* owned */
	size_t n;
	size_t cap;
};

static void
touched_release(struct touched_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].schema);
		free(l->v[i].table);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The tables objects alters, each listed once, for file. */
static void
touched_add(struct touched_list *l, const struct ddl_list *objects,
	    const char *file)
{
	for (size_t k = 0; k < objects->n; k++) {
		const struct ddl_object *o = &objects->v[k];
		size_t i;

		if (!ddl_type_has_table(o->type) || !*o->table)
			continue;
		for (i = 0; i < l->n; i++)
			if (!strcmp(l->v[i].schema, o->schema) &&
			    !strcmp(l->v[i].table, o->table))
				break;
		if (i < l->n)
			continue;
		rk_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n].schema = xstrdup(o->schema);
		l->v[l->n].table = xstrdup(o->table);
		l->v[l->n++].file = file;
	}
}

/*
 * Lock requests waiting in this database: on its relations, or made by
 * its sessions (a row lock waits on a transaction id, which names no
 * database). Our own session's are not counted.
 */
static const char waiting_locks_sql[] =
	"SELECT count(*) FROM pg_catalog.pg_locks l WHERE NOT l.granted AND "
	"l.pid <> pg_catalog.pg_backend_pid() AND (l.database = (SELECT "
	"d.oid FROM pg_catalog.pg_database d WHERE d.datname = "
	"pg_catalog.current_database()) OR l.pid IN (SELECT a.pid FROM "
	"pg_catalog.pg_stat_activity a WHERE a.datname = "
	"pg_catalog.current_database()))";

/*
 * Other sessions holding or awaiting a lock on relation $1 (a quoted,
 * possibly qualified name, resolved with the session's search_path as the
 * migration will be), one row each: pid, and whether all its requests
 * were granted. Every lock mode conflicts with the ACCESS EXCLUSIVE lock
 * that ALTER TABLE takes, so each of them would hold the migration up.
 */
static const char relation_lockers_sql[] =
	"SELECT l.pid, pg_catalog.bool_and(l.granted) FROM pg_catalog.pg_locks "
	"l WHERE l.relation = pg_catalog.to_regclass($1::pg_catalog.text) AND "
	"l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE "
	"d.datname = pg_catalog.current_database()) AND l.pid <> "
	"pg_catalog.pg_backend_pid() GROUP BY l.pid ORDER BY l.pid";

/* Fill b from relation_lockers_sql's rows; the pids as "412, 415". */
static void
blocker_from_rows(struct check_blocker *b, const struct db_rows *rows,
		  struct rk_buf *pids)
{
	b->npids = rows->nrows;
	b->pids = xcalloc(rows->nrows + 1, sizeof(*b->pids));
	for (size_t i = 0; i < rows->nrows; i++) {
		const char *granted = db_rows_get(rows, i, 1);

		b->pids[i] = strtol(db_rows_get(rows, i, 0), NULL, 10);
		b->waiting += !granted || *granted != 't';
		rk_buf_addf(pids, "%s%ld", i ? ", " : "", b->pids[i]);
	}
}

static int
check_blocking(struct rk_ctx *ctx, const struct touched *t,
	       struct check_report *r, struct rk_err *err)
{
	struct rk_buf name = RK_BUF_INIT, pids = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	struct check_blocker *b;
	const char *params[1];
	int rc;

	db_quote_qualified(ctx->db, t->schema, t->table, &name);
	params[0] = name.s;
	rc = db_query(ctx->db, relation_lockers_sql, params, 1, &rows, err);
	if (rc < 0 || rows.nrows == 0)
		goto out;
	r->blocking = xrealloc(r->blocking,
			       (r->nblocking + 1) * sizeof(*r->blocking));
	b = &r->blocking[r->nblocking++];
	memset(b, 0, sizeof(*b));
	rk_buf_reset(&name);
	rk_buf_addf(&name, "%s%s%s", t->schema, *t->schema ? "." : "",
		    t->table);
	b->relation = rk_buf_detach(&name, NULL);
	b->file = xstrdup(t->file);
	blocker_from_rows(b, &rows, &pids);
	warn(r,
	     "'%s' alters %s, which %zu other session(s) lock or wait for "
	     "(pid %s): the migration would wait behind them",
	     b->file, b->relation, b->npids, pids.s);
out:
	db_rows_release(&rows);
	rk_buf_release(&pids);
	rk_buf_release(&name);
	return rc;
}

static int
check_pg(struct rk_ctx *ctx, const struct touched_list *touched,
	 struct check_report *r, struct rk_err *err)
{
	double locks, active, oldest;

	if (query_number(ctx->db, waiting_locks_sql, &locks, err) < 0)
		return -1;
	if (query_number(ctx->db,
			 "SELECT count(*) FROM pg_catalog.pg_stat_activity "
			 "WHERE state <> 'idle' AND xact_start IS NOT NULL AND "
			 "pid <> pg_catalog.pg_backend_pid() AND datname = "
			 "pg_catalog.current_database()",
			 &active, err) < 0)
		return -1;
	if (query_number(ctx->db,
			 "SELECT COALESCE(EXTRACT(EPOCH FROM pg_catalog.max("
			 "pg_catalog.now() - xact_start)), 0) FROM "
			 "pg_catalog.pg_stat_activity WHERE state <> 'idle' "
			 "AND xact_start IS NOT NULL AND pid <> "
			 "pg_catalog.pg_backend_pid() AND datname = "
			 "pg_catalog.current_database()",
			 &oldest, err) < 0)
		return -1;
	if (lock_capacity(ctx->db, &r->lock_capacity, err) < 0)
		return -1;
	if ((double)r->locks_needed >
	    LOCK_BUDGET_SHARE * (double)r->lock_capacity)
		warn(r,
		     "the pending batch would hold about %zu lock-table "
		     "entries, more than the server's %ld allow: raise "
		     "max_locks_per_transaction or run with --per-file",
		     r->locks_needed, r->lock_capacity);
	r->lock_count = (long)locks;
	r->active_tx = (long)active;
	r->oldest_tx_s = oldest;
	r->writable = 1;
	if (r->lock_count)
		warn(r,
		     "%ld lock request(s) are waiting in this database: "
		     "migrations would queue behind them",
		     r->lock_count);
	if (r->active_tx > 3)
		warn(r, "%ld other transactions are active", r->active_tx);
	if (r->active_tx && oldest * 1000 > ctx->cfg.lock_timeout_ms)
		warn(r,
		     "a transaction has been open for %.0f s, longer than "
		     "the lock timeout (%d ms): DDL on its tables would "
		     "time out",
		     oldest, ctx->cfg.lock_timeout_ms);
	for (size_t i = 0; i < touched->n; i++)
		if (check_blocking(ctx, &touched->v[i], r, err) < 0)
			return -1;
	return 0;
}

static int
check_sqlite(struct rk_ctx *ctx, struct check_report *r, struct db_info *info,
	     struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	const char *file = info->database;

	if (db_query(ctx->db, "PRAGMA journal_mode", NULL, 0, &rows, err) < 0)
		return -1;
	if (rows.nrows == 1 && db_rows_get(&rows, 0, 0))
		r->journal_mode = xstrdup(db_rows_get(&rows, 0, 0));
	db_rows_release(&rows);
	r->writable = access(file, F_OK) != 0 || access(file, W_OK) == 0;
	if (!r->writable)
		warn(r, "the database file '%s' is not writable", file);
	return 0;
}

/* Pending files with a statement that refuses a transaction; the tables
 * the pending files alter go into touched. */
static void
check_no_tx(struct rk_ctx *ctx, const struct rk_session *s,
	    struct check_report *r, struct touched_list *touched)
{
	const struct sql_dialect *d = db_dialect(ctx->db)->lex;

	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];
		struct preview_report p = { 0 };
		struct rk_err ignored = RK_ERR_INIT;

		if (e->state != ST_PENDING || e->file->code)
			continue;
		if (op_preview(ctx, e->file->path, d, &p, &ignored) < 0)
			warn(r, "'%s' cannot be read or split: %s", e->name,
			     ignored.msg);
		else if (!p.transactional)
			warn(r,
			     "'%s' has a statement that cannot run inside "
			     "a transaction",
			     e->name);
		if (p.objects) {
			r->locks_needed += locks_for_objects(p.objects);
			touched_add(touched, p.objects, e->name);
		}
		preview_report_release(&p);
	}
}

/* The pending files' lint findings: warnings and errors are warnings of
 * the check (info never makes it unsafe); suppressed ones are listed in
 * r->lint only. */
static int
check_lint(struct rk_ctx *ctx, const struct rk_session *s,
	   struct check_report *r, struct rk_err *err)
{
	struct rk_buf line = RK_BUF_INIT;

	r->lint = xcalloc(1, sizeof(*r->lint));
	if (lint_pending(ctx, s, r->lint, err) < 0) {
		if (err->kind != RK_INPUT)
			return -1;
		warn(r, "the pending files cannot be linted: %s", err->msg);
		rk_err_clear(err);
	}
	for (size_t i = 0; i < r->lint->n; i++) {
		const struct lint_finding *f = &r->lint->v[i];

		if (f->allow || f->severity == LINT_INFO)
			continue;
		rk_buf_reset(&line);
		lint_finding_line(f, &line);
		warn(r, "%s", line.s);
	}
	rk_buf_release(&line);
	return 0;
}

/*
 * Pending code migrations: 'run' hands each to the framework's own tool.
 * Name the command for each; warn when the tool is not there (or none is
 * known), and when the framework's own status reads another database.
 */
static void
check_code(struct rk_ctx *ctx, const struct rk_session *s,
	   struct check_report *r)
{
	const struct detector *det = s->tracked.det;
	struct rk_buf names = RK_BUF_INIT, note = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct delegate d;
	struct prepared *ps;
	struct run_item *items;
	size_t n = 0, np = 0;

	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->state == ST_PENDING && e->file->code)
			rk_buf_addf(&names, "%s'%s'", n++ ? ", " : "", e->name);
	}
	if (!n)
		goto out;
	if (delegate_open(ctx, s, &d, &err) < 0) {
		warn(r,
		     "'reckon run' cannot execute %zu pending migration(s): "
		     "%s (%s): %s%s%s; %s",
		     n, names.s, det->kind_note ? det->kind_note : "not SQL",
		     err.msg, *d.display ? ", the command would be " : "",
		     d.display, err.hint);
		delegate_release(&d);
		goto out;
	}
	/* in the order 'run' applies them: the framework's (its graph) */
	ps = xcalloc(s->status.n + 1, sizeof(*ps));
	items = xcalloc(s->status.n + 1, sizeof(*items));
	for (size_t i = 0; i < s->status.n; i++)
		if (s->status.v[i].state == ST_PENDING && s->status.v[i].file)
			ps[np++].file = s->status.v[i].file;
	delegate_order(s, d.app, ps, items, np);
	for (size_t i = 0; i < np; i++) {
		const struct mig_file *f = ps[i].file;
		struct rk_buf cmd = RK_BUF_INIT;
		char **argv;

		if (!f->code)
			continue;
		argv = delegate_argv(&d, s, NULL, f);
		delegate_text(argv, &cmd);
		for (size_t k = 0; argv[k]; k++)
			free(argv[k]);
		free(argv);
		r->delegated =
			xrealloc(r->delegated,
				 (r->ndelegated + 1) * sizeof(*r->delegated));
		r->delegated[r->ndelegated].name = xstrdup(f->name);
		r->delegated[r->ndelegated++].command =
			rk_buf_detach(&cmd, NULL);
	}
	free(ps);
	free(items);
	if (delegate_same_db(ctx, s, &d, &note, &err) < 0)
		warn(r, "%s", err.msg);
	else
		r->same_db = rk_buf_detach(&note, NULL);
	delegate_release(&d);
out:
	rk_buf_release(&names);
	rk_buf_release(&note);
}

static void
check_states(struct rk_ctx *ctx, const struct rk_session *s,
	     struct check_report *r)
{
	struct rk_buf w = RK_BUF_INIT;
	size_t ooo = 0;

	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->state == ST_PENDING) {
			r->pending = xrealloc(
				r->pending, (r->npending + 1) * sizeof(char *));
			r->pending[r->npending++] = xstrdup(e->name);
		}
		ooo += e->out_of_order;
		rk_buf_reset(&w);
		if (status_warning(e, &w))
			warn(r, "%s", w.s);
	}
	rk_buf_release(&w);
	check_code(ctx, s, r);
	if (!r->npending)
		warn(r, "nothing is pending");
	if (ooo)
		warn(r,
		     "%zu pending file(s) are out of order (older than the "
		     "newest applied)",
		     ooo);
	if (s->status.count[ST_MODIFIED])
		warn(r, "%zu applied file(s) were modified since",
		     s->status.count[ST_MODIFIED]);
	if (s->status.count[ST_ORPHANED])
		warn(r, "%zu record(s) have no file (orphaned)",
		     s->status.count[ST_ORPHANED]);
	if (s->status.count[ST_FAILED])
		warn(r, "%zu migration(s) are recorded as failed",
		     s->status.count[ST_FAILED]);
	if (s->status.count[ST_UNKNOWN])
		warn(r,
		     "%zu migration(s) are unknown: the table cannot place "
		     "them, and 'reckon run' refuses to run",
		     s->status.count[ST_UNKNOWN]);
	if (s->status.heads_warning)
		warn(r, "%s", s->status.heads_warning);
	if (s->misplaced.note)
		warn(r, "%s", s->misplaced.note);
}

int
op_check(struct rk_ctx *ctx, struct check_report *r, struct rk_err *err)
{
	struct touched_list touched = { 0 };
	struct rk_session s = { 0 };
	struct db_info info;
	int rc = -1;

	if (db_info(ctx->db, &info, err) < 0)
		return -1;
	r->database =
		xstrdup(ctx->db_display ? ctx->db_display : info.database);
	r->user = xstrdup(info.user);
	r->server_version = xstrdup(info.server_version);
	if (op_status(ctx, &s, err) < 0)
		goto out;
	check_states(ctx, &s, r);
	check_no_tx(ctx, &s, r, &touched);
	if (check_lint(ctx, &s, r, err) < 0)
		goto out;
	/* what can stop a run differs in kind, not spelling: on a server,
	 * other sessions' locks and connections; on SQLite, the file */
	if (db_kind(ctx->db) == DB_PG ? check_pg(ctx, &touched, r, err)
				      : check_sqlite(ctx, r, &info, err))
		goto out;
	r->safe = r->nwarnings == 0;
	rc = 0;
out:
	touched_release(&touched);
	session_release(&s);
	return rc;
}
