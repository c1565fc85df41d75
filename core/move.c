/*
 * repair --move: records an earlier reckon kept in its own table
 * (reckon_migrations) before it read the directory as another framework's
 * (TrailBase, Sqitch, Diesel, ...) move into that framework's table,
 * written by the framework's detector as it records a migration, so that
 * the framework itself agrees afterwards. Only the op: the plan and what
 * was done go into a move_report, which the renderers draw.
 */
#include "reckon/core/ops.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/db/db.h"
#include "reckon/base/banned.h"

void
move_report_release(struct move_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].file);
	}
	free(r->v);
	free(r->from);
	free(r->to);
	memset(r, 0, sizeof(*r));
}

static void
move_add(struct move_report *r, const char *name, const char *file,
	 enum move_action action, const char *note)
{
	struct move_item *it;

	rk_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v));
	it = &r->v[r->n++];
	it->name = xstrdup(name);
	it->file = file ? xstrdup(file) : NULL;
	it->action = action;
	it->note = note;
}

/* Whether a and b spell the same number: their digits, leading zeros
 * aside ("2024-01-01-120000" and "20240101120000", "0100" and "100"). */
static int
same_digits(const char *a, const char *b)
{
	int any = 0;

	while (*a == '0' || (*a && !isdigit((unsigned char)*a)))
		a++;
	while (*b == '0' || (*b && !isdigit((unsigned char)*b)))
		b++;
	for (;;) {
		while (*a && !isdigit((unsigned char)*a))
			a++;
		while (*b && !isdigit((unsigned char)*b))
			b++;
		if (!*a || !*b)
			return !*a && !*b && any;
		if (*a++ != *b++)
			return 0;
		any = 1;
	}
}

/* The framework's entry for a native row: the file of the same name,
 * else the one file of the same version. */
static const struct status_entry *
match_row(const struct rk_session *s, const struct applied *row)
{
	const struct status_entry *by_version = NULL;
	size_t nversion = 0;

	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (!e->file)
			continue;
		if (strcmp(e->file->name, row->id) == 0)
			return e;
		if (row->version &&
		    same_digits(e->file->version, row->version)) {
			by_version = e;
			nversion++;
		}
	}
	return nversion == 1 ? by_version : NULL;
}

/* What becomes of each native row: r's items, in the rows' order. */
static void
plan(const struct rk_session *s, const struct applied_set *native,
     struct move_report *r)
{
	for (size_t i = 0; i < native->n; i++) {
		const struct applied *row = &native->v[i];
		const struct status_entry *e = match_row(s, row);

		if (!e)
			move_add(r, row->id, NULL, MOVE_KEEP,
				 "stays: no file of the framework's is it");
		else if (!row->stored_hash ||
			 strcmp(row->stored_hash, e->file->sha256) != 0)
			move_add(r, row->id, e->file->name, MOVE_KEEP,
				 "stays: the file changed since it was "
				 "recorded (review it, then move it by hand)");
		else if (e->state == ST_PENDING)
			move_add(r, row->id, e->file->name, MOVE_RECORD,
				 "moves");
		else
			move_add(r, row->id, e->file->name, MOVE_DROP,
				 "the framework records it already: only "
				 "reckon's record goes");
	}
}

/* Carry out r's plan in the open transaction; reckon's table goes when
 * nothing stays in it. */
static int
move_rows(struct rk_ctx *ctx, struct rk_session *s, const struct tracked *nt,
	  const struct applied_set *native, struct move_report *r,
	  struct rk_err *err)
{
	size_t kept = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct move_item *it = &r->v[i];
		const struct status_entry *e = NULL;

		if (it->action == MOVE_KEEP) {
			kept++;
			continue;
		}
		for (size_t k = 0; !e && k < s->status.n; k++)
			if (s->status.v[k].file &&
			    !strcmp(s->status.v[k].file->name, it->file))
				e = &s->status.v[k];
		if ((it->action == MOVE_RECORD &&
		     op_record(ctx, s, e->file, native->v[i].exec_ms, err) <
			     0) ||
		    tracked_unrecord(ctx->db, nt, &native->v[i], err) < 0) {
			rk_err_prefix(err, "cannot move '%s'", it->name);
			return -1;
		}
	}
	if (!kept) {
		struct rk_buf sql = RK_BUF_INIT;
		int rc;

		rk_buf_adds(&sql, "DROP TABLE ");
		tracked_qualified(ctx->db, nt, &sql);
		rc = db_exec(ctx->db, sql.s, err);
		rk_buf_release(&sql);
		if (rc < 0)
			return -1;
		r->dropped = 1;
	}
	return 0;
}

/* The session for det's table (forced as --framework would), inside the
 * locked transaction when writing. */
static int
framework_session(struct rk_ctx *ctx, const struct detector *det, int write,
		  struct rk_session *s, struct rk_err *err)
{
	char *given = ctx->cfg.framework;
	int rc;

	ctx->cfg.framework = xstrdup(det->name);
	rc = op_status(ctx, s, err);
	if (rc == 0 && write)
		rc = op_can_write(s, err) < 0 || op_begin_locked(ctx, err) < 0
			     ? -1
			     : 0;
	if (rc == 0 && write &&
	    (op_prepare_tables(ctx, s, err) < 0 ||
	     session_reload(ctx, s, err) < 0)) {
		db_rollback(ctx->db);
		rc = -1;
	}
	free(ctx->cfg.framework);
	ctx->cfg.framework = given;
	return rc;
}

/* The entry whose file's stem is name (a Django row's name). */
static const struct status_entry *
entry_of_stem(const struct rk_session *s, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < s->status.n; i++) {
		const struct mig_file *f = s->status.v[i].file;

		if (f && !strncmp(f->name, name, n) && f->name[n] == '.')
			return &s->status.v[i];
	}
	return NULL;
}

/*
 * The framework's own rows under a guessed label (det->strays): each is
 * recorded again as the framework records it (under the label the
 * evidence names), where it is not already, and the stray row deleted.
 */
static int
move_strays(struct rk_ctx *ctx, int write, struct move_report *r,
	    struct rk_err *err)
{
	struct rk_session s = { 0 };
	struct applied_set set = APPLIED_SET_INIT;
	int rc = -1;

	r->stray = 1;
	if (framework_session(ctx, r->det, write, &s, err) < 0)
		return -1;
	r->to = xstrdup(s.tracking_display);
	if (r->det->strays(ctx->db, &s.tracked, &set, err) < 0)
		goto out;
	if (set.n) {
		struct rk_buf b = RK_BUF_INIT;

		rk_buf_addf(&b, "%s, app '%s'", s.tracking_display,
			    set.v[0].version);
		r->from = rk_buf_detach(&b, NULL);
	}
	for (size_t i = 0; i < set.n; i++) {
		const struct status_entry *e = entry_of_stem(&s, set.v[i].id);

		if (!e || (e->state != ST_PENDING && e->state != ST_APPLIED))
			move_add(r, set.v[i].id, e ? e->file->name : NULL,
				 MOVE_KEEP,
				 "stays: not a pending or applied file");
		else
			move_add(r, set.v[i].id, e->file->name,
				 e->state == ST_PENDING ? MOVE_RECORD
							: MOVE_DROP,
				 e->state == ST_PENDING
					 ? "moves"
					 : "recorded already: only the stray "
					   "row goes");
	}
	for (size_t i = 0; write && i < r->n; i++) {
		const struct status_entry *e = entry_of_stem(&s, set.v[i].id);

		if (r->v[i].action == MOVE_KEEP)
			continue;
		if ((r->v[i].action == MOVE_RECORD &&
		     op_record(ctx, &s, e->file, 0, err) < 0) ||
		    r->det->unstray(ctx->db, &s.tracked, &set.v[i], err) < 0) {
			rk_err_prefix(err, "cannot move '%s'", r->v[i].name);
			goto out;
		}
	}
	rc = 0;
out:
	if (write && rc == 0)
		rc = db_commit(ctx->db, err);
	else if (write)
		db_rollback(ctx->db);
	r->written = write && rc == 0;
	applied_set_release(&set);
	session_release(&s);
	return rc;
}

int
op_move_native(struct rk_ctx *ctx, int write, struct move_report *r,
	       struct rk_err *err)
{
	struct rk_session probe = { 0 }, s = { 0 };
	struct applied_set native = APPLIED_SET_INIT;
	struct tracked nt = { 0 };
	struct rk_buf b = RK_BUF_INIT;
	int rc = -1, began = 0;

	if (op_status(ctx, &probe, err) < 0)
		return -1;
	if (!probe.misplaced.det) {
		session_release(&probe);
		return 0;
	}
	r->det = probe.misplaced.det;
	if (probe.misplaced.stray) {
		session_release(&probe);
		return move_strays(ctx, write, r, err);
	}
	nt.det = &det_reckon;
	nt.schema =
		probe.misplaced.schema ? xstrdup(probe.misplaced.schema) : NULL;
	nt.table = xstrdup(probe.misplaced.table);
	nt.exists = 1;
	tracked_display(&nt, &b);
	r->from = rk_buf_detach(&b, NULL);
	session_release(&probe);
	if (framework_session(ctx, r->det, write, &s, err) < 0)
		goto out;
	began = write;
	r->to = xstrdup(s.tracking_display);
	if (det_reckon.read(ctx->db, &nt, &native, err) < 0) {
		rk_err_prefix(err, "cannot read %s", r->from);
		goto out;
	}
	plan(&s, &native, r);
	if (write && move_rows(ctx, &s, &nt, &native, r, err) < 0)
		goto out;
	rc = 0;
out:
	if (began && rc == 0)
		rc = db_commit(ctx->db, err);
	else if (began)
		db_rollback(ctx->db);
	r->written = began && rc == 0;
	applied_set_release(&native);
	tracked_release(&nt);
	rk_buf_release(&b);
	session_release(&s);
	return rc;
}
