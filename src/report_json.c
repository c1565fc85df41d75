/*
 * JSON renderers, with jansson. Objects are built with the reference-
 * stealing json_object_set_new() throughout, and dumped with keys in
 * insertion order so the documents read as SPEC.md writes them.
 */
#include "reckon/report.h"

#include <signal.h>
#include <string.h>

#include <jansson.h>

#include "reckon/buf.h"
#include "reckon/ddl.h"
#include "reckon/err.h"
#include "reckon/schema_check.h"
#include "reckon/util.h"
#include "reckon/banned.h"

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static char *
dump(json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(doc);
	if (!s)
		rk_bug("json_dumps failed");
	return s;
}

static json_t *
detected_tables(const struct detection_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "schema", str_or_null(l->v[i].schema));
		json_object_set_new(o, "table", json_string(l->v[i].table));
		json_object_set_new(o, "framework",
				    json_string(l->v[i].det->name));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
status_entry(const struct status_entry *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "state", json_string(mig_state_name(e->state)));
	json_object_set_new(o, "applied_at",
			    str_or_null(e->row ? e->row->applied_at : NULL));
	json_object_set_new(o, "stored_hash", str_or_null(e->stored_hash));
	json_object_set_new(o, "file_hash", str_or_null(e->file_hash));
	json_object_set_new(o, "out_of_order", json_boolean(e->out_of_order));
	if (e->state == ST_MODIFIED) /* only comments or white space changed */
		json_object_set_new(o, "cosmetic", json_boolean(e->cosmetic));
	if (e->id)
		json_object_set_new(o, "id", json_string(e->id));
	if (e->row && e->row->version)
		json_object_set_new(o, "version", json_string(e->row->version));
	else if (e->file && *e->file->version)
		json_object_set_new(o, "version",
				    json_string(e->file->version));
	return o;
}

char *
json_status(const struct rk_session *s)
{
	json_t *doc = json_object(), *migs = json_array(), *sum = json_object();

	json_object_set_new(doc, "framework",
			    json_string(s->tracked.det->name));
	json_object_set_new(doc, "tracking_table",
			    json_string(s->tracking_display));
	json_object_set_new(doc, "detected_tables",
			    detected_tables(&s->detected));
	for (size_t i = 0; i < s->status.n; i++)
		json_array_append_new(migs, status_entry(&s->status.v[i]));
	json_object_set_new(doc, "migrations", migs);
	for (int st = 0; st < ST_COUNT; st++)
		json_object_set_new(
			sum, mig_state_name((enum mig_state)st),
			json_integer((json_int_t)s->status.count[st]));
	json_object_set_new(doc, "summary", sum);
	return dump(doc);
}

static json_t *
history_row(const struct rk_session *s, const struct applied *a)
{
	json_t *o = json_object();
	const char *state = "orphaned";

	for (size_t i = 0; i < s->status.n; i++)
		if (s->status.v[i].row == a ||
		    (s->status.v[i].id && a->id &&
		     strcmp(s->status.v[i].id, a->id) == 0))
			state = mig_state_name(s->status.v[i].state);
	json_object_set_new(o, "name", str_or_null(a->id));
	json_object_set_new(o, "version", str_or_null(a->version));
	json_object_set_new(o, "applied_at", str_or_null(a->applied_at));
	json_object_set_new(o, "applied_by", str_or_null(a->applied_by));
	json_object_set_new(o, "execution_ms",
			    a->exec_ms >= 0 ? json_integer(a->exec_ms)
					    : json_null());
	json_object_set_new(o, "state", json_string(state));
	return o;
}

char *
json_history(const struct rk_session *s, int current_only)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "framework",
			    json_string(s->tracked.det->name));
	json_object_set_new(doc, "tracking_table",
			    json_string(s->tracking_display));
	if (current_only) {
		json_object_set_new(
			doc, "current",
			s->rows.n ? history_row(s, &s->rows.v[s->rows.n - 1])
				  : json_null());
	} else {
		json_t *a = json_array();

		for (size_t i = 0; i < s->rows.n; i++)
			json_array_append_new(a, history_row(s, &s->rows.v[i]));
		json_object_set_new(doc, "migrations", a);
	}
	return dump(doc);
}

static json_t *
failure(const struct run_failure *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", str_or_null(f->name));
	json_object_set_new(o, "error", json_string(f->error));
	json_object_set_new(o, "sqlstate",
			    *f->sqlstate ? json_string(f->sqlstate)
					 : json_null());
	json_object_set_new(o, "line",
			    f->line ? json_integer(f->line) : json_null());
	json_object_set_new(o, "statement", str_or_null(f->statement));
	json_object_set_new(o, "detail", str_or_null(f->detail));
	json_object_set_new(o, "hint", str_or_null(f->hint));
	return o;
}

/* The names of the items that ended in o. */
static json_t *
outcome_names(const struct run_report *r, enum run_outcome o)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nitems; i++)
		if (r->items[i].outcome == o)
			json_array_append_new(a, json_string(r->items[i].name));
	return a;
}

static json_t *
partial_items(const struct run_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nitems; i++) {
		const struct run_item *it = &r->items[i];
		struct rk_buf advice = RK_BUF_INIT;
		json_t *o;

		if (it->outcome != RUN_PARTIAL)
			continue;
		run_partial_advice(r, i, &advice);
		o = json_object();
		json_object_set_new(o, "name", json_string(it->name));
		json_object_set_new(o, "statements_committed",
				    json_integer((json_int_t)it->stmts_done));
		json_object_set_new(o, "statements",
				    json_integer((json_int_t)it->nstmts));
		json_object_set_new(o, "recorded", json_boolean(it->recorded));
		json_object_set_new(o, "advice", json_string(advice.s));
		json_array_append_new(a, o);
		rk_buf_release(&advice);
	}
	return a;
}

char *
json_run(const struct run_report *r)
{
	json_t *doc = json_object(), *a = json_array(), *all = json_array();
	struct rk_buf summary = RK_BUF_INIT, plan = RK_BUF_INIT;
	/* a dry run's "applied" is the plan, as before */
	enum run_outcome shown = r->dry_run ? RUN_PLANNED : RUN_COMMITTED;

	run_summary(r, &summary);
	run_plan_text(r, &plan);
	json_object_set_new(doc, "ok", json_boolean(r->ok));
	json_object_set_new(doc, "summary", json_string(summary.s));
	for (size_t i = 0; i < r->nitems; i++) {
		const struct run_item *it = &r->items[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(it->name));
		json_object_set_new(o, "outcome",
				    json_string(run_outcome_name(it->outcome)));
		json_object_set_new(
			o, "transaction",
			it->no_tx ? json_null()
				  : json_integer((json_int_t)it->txn));
		json_object_set_new(o, "statements",
				    json_integer((json_int_t)it->nstmts));
		json_array_append_new(all, o);
		if (it->outcome != shown)
			continue;
		o = json_object();
		json_object_set_new(o, "name", json_string(it->name));
		json_object_set_new(o, "hash", json_string(it->sha256));
		json_object_set_new(o, "ms", json_integer(it->ms));
		json_object_set_new(o, "ran_by", json_string("reckon"));
		json_array_append_new(a, o);
	}
	json_object_set_new(doc, r->down ? "reverted" : "applied", a);
	json_object_set_new(doc, "committed", outcome_names(r, RUN_COMMITTED));
	json_object_set_new(doc, "rolled_back",
			    outcome_names(r, RUN_ROLLED_BACK));
	json_object_set_new(doc, "partial", partial_items(r));
	json_object_set_new(doc, "not_started",
			    outcome_names(r, RUN_NOT_STARTED));
	json_object_set_new(doc, "skipped", outcome_names(r, RUN_SKIPPED));
	json_object_set_new(doc, "outcomes", all);
	json_object_set_new(doc, "plan",
			    r->nitems ? json_string(plan.s) : json_null());
	json_object_set_new(doc, "failed",
			    r->failed ? failure(r->failed) : json_null());
	json_object_set_new(doc, "dry_run", json_boolean(r->dry_run));
	json_object_set_new(doc, "transactions",
			    json_integer((json_int_t)r->segments));
	json_object_set_new(doc, "planned_transactions",
			    json_integer((json_int_t)r->planned_txns));
	json_object_set_new(doc, "interrupted",
			    r->interrupted == 0 ? json_null()
			    : r->interrupted == SIGTERM
				    ? json_string("SIGTERM")
				    : json_string("SIGINT"));
	json_object_set_new(doc, "lock_wait_ms", json_integer(r->lock_wait_ms));
	json_object_set_new(doc, "backup", str_or_null(r->backup));
	rk_buf_release(&summary);
	rk_buf_release(&plan);
	return dump(doc);
}

char *
json_mark(const struct mark_report *r, const char *key)
{
	json_t *doc = json_object(), *done = json_array(), *skip = json_array();

	json_object_set_new(doc, "ok", json_true());
	json_object_set_new(doc, "tracking_table",
			    str_or_null(r->tracking_display));
	for (size_t i = 0; i < r->n; i++) {
		if (r->items[i].changed) {
			json_array_append_new(done,
					      json_string(r->items[i].name));
		} else {
			json_t *o = json_object();

			json_object_set_new(o, "name",
					    json_string(r->items[i].name));
			json_object_set_new(o, "reason",
					    json_string(r->items[i].note));
			json_array_append_new(skip, o);
		}
	}
	json_object_set_new(doc, key, done);
	json_object_set_new(doc, "skipped", skip);
	return dump(doc);
}

char *
json_detect(const struct detect_report *r)
{
	json_t *doc = json_object(), *a = json_array();

	for (size_t i = 0; i < r->detected.n; i++) {
		const struct detection *d = &r->detected.v[i];
		json_t *o = json_object(), *cols = json_array();

		json_object_set_new(o, "framework", json_string(d->det->name));
		json_object_set_new(o, "schema", str_or_null(d->schema));
		json_object_set_new(o, "table", json_string(d->table));
		json_object_set_new(o, "rows",
				    r->rows[i] >= 0 ? json_integer(r->rows[i])
						    : json_null());
		for (size_t k = 0; d->det->columns[k]; k++)
			json_array_append_new(cols,
					      json_string(d->det->columns[k]));
		json_object_set_new(o, "matched_columns", cols);
		json_array_append_new(a, o);
	}
	json_object_set_new(doc, "detected", a);
	return dump(doc);
}

/* [{"type", "object"}] of what statement i creates. */
static json_t *
stmt_objects(const struct preview_report *r, size_t i)
{
	json_t *a = json_array();

	for (size_t k = 0; r->objects && k < r->objects->n; k++) {
		const struct ddl_object *o = &r->objects->v[k];
		json_t *ob;

		if (o->stmt_index != i)
			continue;
		ob = json_object();
		json_object_set_new(ob, "type",
				    json_string(ddl_type_name(o->type)));
		json_object_set_new(ob, "schema",
				    *o->schema ? json_string(o->schema)
					       : json_null());
		json_object_set_new(ob, "object", json_string(o->object));
		json_array_append_new(a, ob);
	}
	return a;
}

char *
json_preview(const struct preview_report *r)
{
	json_t *doc = json_object(), *a = json_array();

	json_object_set_new(doc, "filename", json_string(r->name));
	json_object_set_new(doc, "content",
			    json_stringn(r->content->s, r->content->len));
	json_object_set_new(doc, "lines", json_integer(r->lines));
	for (size_t i = 0; i < r->stmts.n; i++) {
		const struct sql_stmt *st = &r->stmts.v[i];
		json_t *o = json_object();

		json_object_set_new(o, "line", json_integer(st->line));
		json_object_set_new(
			o, "text",
			json_stringn(r->content->s + st->off, st->len));
		json_object_set_new(o, "no_transaction",
				    json_boolean(st->flags & SQL_NO_TX));
		json_object_set_new(o, "transaction_control",
				    json_boolean(st->flags & SQL_TX_CONTROL));
		json_object_set_new(o, "objects", stmt_objects(r, i));
		json_array_append_new(a, o);
	}
	json_object_set_new(doc, "statements", a);
	json_object_set_new(doc, "transactional",
			    json_boolean(r->transactional));
	json_object_set_new(doc, "opts_out_of_transaction",
			    json_boolean(r->opt_out));
	return dump(doc);
}

static const char *
kind_name(enum rk_kind k)
{
	switch (k) {
	case RK_OK:
		return "ok";
	case RK_USAGE:
		return "usage";
	case RK_CONFIG:
		return "config";
	case RK_INPUT:
		return "input";
	case RK_DB:
		return "database";
	case RK_CONFLICT:
		return "conflict";
	case RK_CHECK:
		return "check";
	}
	return "error";
}

char *
json_error(const struct rk_err *err)
{
	json_t *doc = json_object(), *e = json_object();

	json_object_set_new(e, "kind", json_string(kind_name(err->kind)));
	json_object_set_new(e, "message", json_string(err->msg));
	json_object_set_new(e, "detail",
			    *err->detail ? json_string(err->detail)
					 : json_null());
	json_object_set_new(e, "hint",
			    *err->hint ? json_string(err->hint) : json_null());
	json_object_set_new(e, "sqlstate",
			    *err->sqlstate ? json_string(err->sqlstate)
					   : json_null());
	json_object_set_new(doc, "ok", json_false());
	json_object_set_new(doc, "error", e);
	return dump(doc);
}

static json_t *
string_array(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

char *
json_check(const struct check_report *r)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "database", json_string(r->database));
	json_object_set_new(doc, "user", json_string(r->user));
	json_object_set_new(doc, "server_version",
			    json_string(r->server_version));
	json_object_set_new(doc, "pendingCount", json_integer(r->npending));
	json_object_set_new(doc, "pendingFiles",
			    string_array(r->pending, r->npending));
	json_object_set_new(doc, "lockCount", json_integer(r->lock_count));
	json_object_set_new(doc, "activeTxCount", json_integer(r->active_tx));
	json_object_set_new(doc, "oldestTxAgeSeconds",
			    json_real(r->oldest_tx_s));
	json_object_set_new(doc, "locksNeeded", json_integer(r->locks_needed));
	json_object_set_new(doc, "lockCapacity",
			    json_integer(r->lock_capacity));
	json_object_set_new(doc, "journalMode", str_or_null(r->journal_mode));
	json_object_set_new(doc, "writable", json_boolean(r->writable));
	json_object_set_new(doc, "warnings",
			    string_array(r->warnings, r->nwarnings));
	json_object_set_new(doc, "safe", json_boolean(r->safe));
	return dump(doc);
}

char *
json_created(char **paths, size_t n)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "created", string_array(paths, n));
	return dump(doc);
}

/* {"type", "schema", "object", "name"[, "exists"]} for object i. */
static json_t *
finding(const struct schema_report *r, size_t i)
{
	const struct ddl_object *o = &r->objects->v[i];
	const char *schema = *o->schema ? o->schema : NULL;
	json_t *f = json_object();
	char *name;

	if (r->checked && r->check->v[i].schema)
		schema = r->check->v[i].schema;
	json_object_set_new(f, "type", json_string(ddl_type_name(o->type)));
	json_object_set_new(f, "schema", str_or_null(schema));
	json_object_set_new(f, "object", json_string(o->object));
	name = xmalloc(strlen(schema ? schema : "") + strlen(o->object) + 2);
	snprintf(name, strlen(schema ? schema : "") + strlen(o->object) + 2,
		 "%s%s%s", schema ? schema : "", schema ? "." : "", o->object);
	json_object_set_new(f, "name", json_string(name));
	free(name);
	if (r->checked)
		json_object_set_new(f, "exists",
				    json_boolean(r->check->v[i].exists));
	return f;
}

char *
json_detect_schema(const struct schema_report *r)
{
	json_t *doc = json_object(), *a = json_array();

	for (size_t i = 0; i < r->objects->n; i++)
		json_array_append_new(a, finding(r, i));
	json_object_set_new(doc, "findings", a);
	json_object_set_new(doc, "all_objects_exist",
			    r->checked ? json_boolean(r->all_exist)
				       : json_null());
	json_object_set_new(doc, "some_objects_exist",
			    r->checked ? json_boolean(r->some_exist)
				       : json_null());
	json_object_set_new(doc, "recommendation",
			    json_string(r->recommendation));
	return dump(doc);
}

char *
json_adopt(const struct adopt_report *r)
{
	json_t *doc = json_object(), *a = json_array();

	json_object_set_new(doc, "tracking_table",
			    str_or_null(r->tracking_display));
	json_object_set_new(doc, "dry_run", json_boolean(!r->wrote));
	for (size_t i = 0; i < r->n; i++) {
		const struct adopt_item *it = &r->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(it->name));
		json_object_set_new(o, "action",
				    json_string(adopt_action_name(it->action)));
		json_object_set_new(o, "objects", json_integer(it->objects));
		json_object_set_new(o, "existing", json_integer(it->existing));
		json_object_set_new(o, "missing",
				    string_array(it->missing, it->nmissing));
		json_object_set_new(o, "marked", json_boolean(it->marked));
		json_array_append_new(a, o);
	}
	json_object_set_new(doc, "plan", a);
	return dump(doc);
}
