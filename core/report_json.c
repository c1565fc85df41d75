/*
 * JSON renderers, with jansson. Objects are built with the reference-
 * stealing set() throughout, and dumped with keys in
 * insertion order so the documents read as SPEC.md writes them.
 */
#include "reckon/core/report_json.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <jansson.h>

#include "reckon/base/buf.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/core/lint.h"
#include "reckon/core/revisions.h"
#include "reckon/core/schema_check.h"
#include "reckon/base/util.h"
#include "reckon/core/wait.h"
#include "reckon/base/banned.h"

/* A JSON string of s[0..n), bytes that are not UTF-8 written \xNN.
 * (Checked here, word by word, rather than byte by byte by jansson.) */
static json_t *
jstrn(const char *s, size_t n)
{
	struct rk_buf b = RK_BUF_INIT;
	json_t *v;

	if (rk_utf8_valid(s, n) && (v = json_stringn_nocheck(s, n)))
		return v;
	if ((v = json_stringn(s, n)))
		return v; /* valid with a NUL, which jansson takes */
	rk_buf_add_utf8_escaped(&b, s, n);
	v = json_stringn(b.s, b.len);
	rk_buf_release(&b);
	if (!v)
		rk_bug("JSON string of %zu bytes refused", n);
	return v;
}

static json_t *
jstr(const char *s)
{
	return jstrn(s, strlen(s));
}

/* o[key] = v, stealing v; a value jansson could not make is a bug. */
static void
set(json_t *o, const char *key, json_t *v)
{
	if (!v || !rk_utf8_valid(key, strlen(key)) ||
	    json_object_set_new_nocheck(o, key, v) < 0)
		rk_bug("cannot set JSON key '%s'", key);
}

static void
push(json_t *a, json_t *v)
{
	if (!v || json_array_append_new(a, v) < 0)
		rk_bug("cannot append to a JSON array");
}

static json_t *
str_or_null(const char *s)
{
	return s ? jstr(s) : json_null();
}

static json_t *
string_array(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		push(a, jstr(v[i]));
	return a;
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

		set(o, "schema", str_or_null(l->v[i].schema));
		set(o, "table", jstr(l->v[i].table));
		set(o, "framework", jstr(l->v[i].det->name));
		push(a, o);
	}
	return a;
}

static json_t *
status_entry(const struct status_entry *e)
{
	json_t *o = json_object();

	set(o, "name", jstr(e->name));
	set(o, "state", jstr(mig_state_name(e->state)));
	set(o, "applied_at", str_or_null(e->row ? e->row->applied_at : NULL));
	set(o, "stored_hash", str_or_null(e->stored_hash));
	set(o, "file_hash", str_or_null(e->file_hash));
	set(o, "out_of_order", json_boolean(e->out_of_order));
	if (e->state == ST_MODIFIED) /* only comments or white space changed */
		set(o, "cosmetic", json_boolean(e->cosmetic));
	if (e->id)
		set(o, "id", jstr(e->id));
	if (e->row && e->row->version)
		set(o, "version", jstr(e->row->version));
	else if (e->file && *e->file->version)
		set(o, "version", jstr(e->file->version));
	else if (e->ignored && *e->ignored->version)
		set(o, "version", jstr(e->ignored->version));
	if (e->ignored)
		set(o, "reason", jstr(mig_ignore_reason(e->ignored->why)));
	return o;
}

/* {"framework", "schema", "table", "rows", "message"} of records an
 * earlier reckon kept in its own table, or null. */
static json_t *
misplaced(const struct misplaced *m)
{
	json_t *o;

	if (!m->det)
		return json_null();
	o = json_object();
	set(o, "framework", jstr(m->det->name));
	set(o, "schema", str_or_null(m->schema));
	set(o, "table", jstr(m->table));
	set(o, "rows", m->rows >= 0 ? json_integer(m->rows) : json_null());
	set(o, "message", jstr(m->note));
	return o;
}

/* Each entry's warning (status_warning()), as an array of strings. */
static json_t *
status_warnings(const struct status_list *l)
{
	struct rk_buf w = RK_BUF_INIT;
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++) {
		rk_buf_reset(&w);
		if (status_warning(&l->v[i], &w))
			push(a, jstr(w.s));
	}
	if (l->heads_warning)
		push(a, jstr(l->heads_warning));
	rk_buf_release(&w);
	return a;
}

static json_t *
status_doc(const struct rk_session *s)
{
	json_t *doc = json_object(), *migs = json_array(), *sum = json_object();

	set(doc, "framework", jstr(s->tracked.det->name));
	set(doc, "tracking_table", jstr(s->tracking_display));
	set(doc, "framework_from_directory", str_or_null(s->chosen_by));
	set(doc, "misplaced", misplaced(&s->misplaced));
	set(doc, "detected_tables", detected_tables(&s->detected));
	for (size_t i = 0; i < s->status.n; i++)
		push(migs, status_entry(&s->status.v[i]));
	set(doc, "migrations", migs);
	for (int st = 0; st < ST_COUNT; st++)
		set(sum, mig_state_name((enum mig_state)st),
		    json_integer((json_int_t)s->status.count[st]));
	set(doc, "summary", sum);
	set(doc, "warnings", status_warnings(&s->status));
	return doc;
}

char *
json_status(const struct rk_session *s)
{
	return dump(status_doc(s));
}

/* a and b hold the same values with their keys in the same order, so
 * json_dumps() writes them as the same bytes */
static int
same_doc(json_t *a, json_t *b)
{
	void *ia, *ib;
	size_t n;

	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return 0;
		for (ia = json_object_iter(a), ib = json_object_iter(b); ia;
		     ia = json_object_iter_next(a, ia),
		    ib = json_object_iter_next(b, ib))
			if (strcmp(json_object_iter_key(ia),
				   json_object_iter_key(ib)) != 0 ||
			    !same_doc(json_object_iter_value(ia),
				      json_object_iter_value(ib)))
				return 0;
		return 1;
	case JSON_ARRAY:
		n = json_array_size(a);
		if (json_array_size(b) != n)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (!same_doc(json_array_get(a, i),
				      json_array_get(b, i)))
				return 0;
		return 1;
	case JSON_STRING:
		n = json_string_length(a);
		return json_string_length(b) == n &&
		       memcmp(json_string_value(a), json_string_value(b), n) ==
			       0;
	default: /* numbers, true, false, null */
		return json_equal(a, b);
	}
}

void
json_memo_init(struct json_memo *m)
{
	memset(m, 0, sizeof(*m));
	if (pthread_mutex_init(&m->lock, NULL) != 0)
		rk_bug("cannot initialise a mutex");
}

void
json_memo_release(struct json_memo *m)
{
	json_decref(m->doc);
	free(m->text);
	pthread_mutex_destroy(&m->lock);
	memset(m, 0, sizeof(*m));
}

char *
json_status_memo(const struct rk_session *s, struct json_memo *m)
{
	json_t *doc = status_doc(s);
	char *text = NULL;
	size_t len = 0;

	pthread_mutex_lock(&m->lock);
	if (m->doc && same_doc(m->doc, doc))
		text = xstrndup(m->text, m->len);
	pthread_mutex_unlock(&m->lock);
	if (text) {
		json_decref(doc);
		return text;
	}
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		rk_bug("json_dumps failed");
	len = strlen(text);
	pthread_mutex_lock(&m->lock);
	json_decref(m->doc);
	free(m->text);
	m->doc = doc;
	m->text = xstrndup(text, len);
	m->len = len;
	pthread_mutex_unlock(&m->lock);
	return text;
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
	set(o, "name", str_or_null(a->id));
	set(o, "version", str_or_null(a->version));
	set(o, "applied_at", str_or_null(a->applied_at));
	set(o, "applied_by", str_or_null(a->applied_by));
	set(o, "execution_ms",
	    a->exec_ms >= 0 ? json_integer(a->exec_ms) : json_null());
	set(o, "state", jstr(state));
	return o;
}

/* One revision of the graph (revisions.h). */
static json_t *
rev_line(const struct rev_line *l)
{
	json_t *o = json_object(), *p = json_array();
	const char *q = l->parents;

	set(o, "id", jstr(l->id));
	set(o, "name", str_or_null(l->name));
	while (l->name && strcmp(q, "<base>") != 0 && *q) {
		size_t len = strcspn(q, ",");

		push(p, jstrn(q, len));
		q += len;
		q += strspn(q, ", ");
	}
	set(o, "parents", p);
	set(o, "message", jstr(l->message));
	set(o, "head", json_boolean(l->head));
	set(o, "branchpoint", json_boolean(l->branchpoint));
	set(o, "mergepoint", json_boolean(l->mergepoint));
	set(o, "current", json_boolean(l->current));
	set(o, "state", jstr(mig_state_name(l->state)));
	return o;
}

char *
json_revisions(const struct rk_session *s, const struct rev_report *r,
	       const char *key)
{
	json_t *doc = json_object(), *a = json_array();

	set(doc, "framework", jstr(s->tracked.det->name));
	set(doc, "tracking_table", jstr(s->tracking_display));
	for (size_t i = 0; i < r->n; i++)
		push(a, rev_line(&r->v[i]));
	set(doc, key, a);
	set(doc, "warnings", status_warnings(&s->status));
	return dump(doc);
}

char *
json_history(const struct rk_session *s, const struct rev_report *rev,
	     int current_only)
{
	json_t *doc = json_object();

	set(doc, "framework", jstr(s->tracked.det->name));
	set(doc, "tracking_table", jstr(s->tracking_display));
	if (rev && rev->graph) {
		json_t *a = json_array();

		for (size_t i = 0; i < rev->n; i++)
			push(a, rev_line(&rev->v[i]));
		set(doc, current_only ? "heads" : "revisions", a);
	}
	if (current_only) {
		set(doc, "current",
		    s->rows.n ? history_row(s, &s->rows.v[s->rows.n - 1])
			      : json_null());
	} else {
		json_t *a = json_array();

		for (size_t i = 0; i < s->rows.n; i++)
			push(a, history_row(s, &s->rows.v[i]));
		set(doc, "migrations", a);
	}
	return dump(doc);
}

static json_t *
failure(const struct run_failure *f)
{
	json_t *o = json_object();

	set(o, "name", str_or_null(f->name));
	set(o, "error", jstr(f->error));
	set(o, "sqlstate", *f->sqlstate ? jstr(f->sqlstate) : json_null());
	set(o, "line", f->line ? json_integer(f->line) : json_null());
	set(o, "statement", str_or_null(f->statement));
	set(o, "detail", str_or_null(f->detail));
	set(o, "hint", str_or_null(f->hint));
	return o;
}

/* The names of the items that ended in o. */
static json_t *
outcome_names(const struct run_report *r, enum run_outcome o)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nitems; i++)
		if (r->items[i].outcome == o)
			push(a, jstr(r->items[i].name));
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
		set(o, "name", jstr(it->name));
		set(o, "statements_committed",
		    json_integer((json_int_t)it->stmts_done));
		set(o, "statements", json_integer((json_int_t)it->nstmts));
		set(o, "recorded", json_boolean(it->recorded));
		set(o, "advice", jstr(advice.s));
		push(a, o);
		rk_buf_release(&advice);
	}
	return a;
}

/* SPEC.md's lint findings: one object each. */
static json_t *
lint_findings(const struct lint_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; r && i < r->n; i++) {
		const struct lint_finding *f = &r->v[i];
		json_t *o = json_object();

		set(o, "file", jstr(f->file));
		set(o, "line", json_integer(f->line));
		set(o, "rule", jstr(f->rule->id));
		set(o, "severity", jstr(lint_severity_name(f->severity)));
		set(o, "message", jstr(f->message));
		set(o, "safe_alternative", jstr(f->rule->safe));
		set(o, "table", str_or_null(f->table));
		set(o, "table_bytes",
		    f->bytes >= 0 ? json_integer(f->bytes) : json_null());
		set(o, "table_rows",
		    f->rows >= 0 ? json_integer((json_int_t)f->rows)
				 : json_null());
		set(o, "suppressed", json_boolean(f->allow != NULL));
		set(o, "allow_reason", str_or_null(f->allow));
		push(a, o);
	}
	return a;
}

char *
json_lint(const struct lint_report *r)
{
	json_t *doc = json_object(), *sum = json_object();

	set(doc, "findings", lint_findings(r));
	set(sum, "files", json_integer((json_int_t)r->files));
	set(sum, "error", json_integer((json_int_t)r->count[LINT_ERROR]));
	set(sum, "warning", json_integer((json_int_t)r->count[LINT_WARNING]));
	set(sum, "info", json_integer((json_int_t)r->count[LINT_INFO]));
	set(sum, "suppressed", json_integer((json_int_t)r->suppressed));
	set(sum, "unsafe", json_boolean(lint_unsafe(r) > 0));
	set(sum, "live", json_boolean(r->live));
	set(sum, "error_above", json_integer(r->error_above));
	set(sum, "dialect", jstr(r->dialect ? r->dialect : ""));
	set(sum, "sqlite_version", str_or_null(r->sqlite_version));
	set(doc, "summary", sum);
	return dump(doc);
}

static json_t *
lint_rule(const struct lint_rule *r)
{
	json_t *o = json_object();

	set(o, "id", jstr(r->id));
	set(o, "dialect", str_or_null(r->dialect));
	set(o, "severity", jstr(lint_severity_name(r->severity)));
	set(o, "always", json_boolean(r->fixed));
	set(o, "catches", jstr(r->catches));
	set(o, "why", jstr(r->why));
	set(o, "safe_alternative", jstr(r->safe));
	return o;
}

char *
json_lint_rules(const struct lint_rule *only)
{
	json_t *doc = json_object(), *a = json_array();

	for (size_t i = 0; i < lint_nrules; i++)
		if (!only || only == &lint_rules[i])
			push(a, lint_rule(&lint_rules[i]));
	set(doc, "rules", a);
	return dump(doc);
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
	set(doc, "ok", json_boolean(r->ok));
	set(doc, "summary", jstr(summary.s));
	for (size_t i = 0; i < r->nitems; i++) {
		const struct run_item *it = &r->items[i];
		json_t *o = json_object();

		set(o, "name", jstr(it->name));
		set(o, "outcome", jstr(run_outcome_name(it->outcome)));
		set(o, "transaction",
		    it->no_tx ? json_null()
			      : json_integer((json_int_t)it->txn));
		set(o, "statements", json_integer((json_int_t)it->nstmts));
		set(o, "ran_by", jstr(it->ran_by ? it->ran_by : "reckon"));
		set(o, "ms", json_integer(it->ms));
		if (it->output)
			set(o, "output", jstr(it->output));
		if (it->also)
			set(o, it->also_down ? "also_reverted" : "also_applied",
			    jstr(it->also));
		if (it->undone_by)
			set(o, "undone_by", jstr(it->undone_by));
		if (it->with)
			set(o, "applied_with", jstr(it->with));
		push(all, o);
		if (it->outcome != shown)
			continue;
		o = json_object();
		set(o, "name", jstr(it->name));
		set(o, "hash", jstr(it->sha256));
		set(o, "ms", json_integer(it->ms));
		set(o, "ran_by", jstr(it->ran_by ? it->ran_by : "reckon"));
		push(a, o);
	}
	set(doc, r->redo ? "redone" : r->down ? "reverted" : "applied", a);
	set(doc, "committed", outcome_names(r, RUN_COMMITTED));
	set(doc, "rolled_back", outcome_names(r, RUN_ROLLED_BACK));
	set(doc, "partial", partial_items(r));
	set(doc, "not_started", outcome_names(r, RUN_NOT_STARTED));
	set(doc, "skipped", outcome_names(r, RUN_SKIPPED));
	set(doc, "failed_steps", outcome_names(r, RUN_FAILED));
	set(doc, "same_database", r->same_db ? jstr(r->same_db) : json_null());
	set(doc, "outcomes", all);
	set(doc, "plan", r->nitems ? jstr(plan.s) : json_null());
	set(doc, "failed", r->failed ? failure(r->failed) : json_null());
	set(doc, "dry_run", json_boolean(r->dry_run));
	if (r->sql)
		set(doc, "sql", jstr(r->sql));
	set(doc, "transactions", json_integer((json_int_t)r->segments));
	set(doc, "planned_transactions",
	    json_integer((json_int_t)r->planned_txns));
	set(doc, "interrupted",
	    r->interrupted == 0		? json_null()
	    : r->interrupted == SIGTERM ? jstr("SIGTERM")
					: jstr("SIGINT"));
	set(doc, "lock_wait_ms", json_integer(r->lock_wait_ms));
	set(doc, "backup", str_or_null(r->backup));
	set(doc, "warnings", string_array(r->warnings, r->nwarnings));
	set(doc, "lint", lint_findings(r->lint));
	rk_buf_release(&summary);
	rk_buf_release(&plan);
	return dump(doc);
}

char *
json_mark(const struct mark_report *r, const char *key)
{
	json_t *doc = json_object(), *done = json_array(), *skip = json_array();

	set(doc, "ok", json_true());
	set(doc, "tracking_table", str_or_null(r->tracking_display));
	for (size_t i = 0; i < r->n; i++) {
		if (r->items[i].changed) {
			push(done, jstr(r->items[i].name));
		} else {
			json_t *o = json_object();

			set(o, "name", jstr(r->items[i].name));
			set(o, "reason", jstr(r->items[i].note));
			push(skip, o);
		}
	}
	set(doc, key, done);
	set(doc, "skipped", skip);
	return dump(doc);
}

char *
json_move(const struct move_report *r)
{
	static const char *const action[] = {
		[MOVE_RECORD] = "move",
		[MOVE_DROP] = "drop",
		[MOVE_KEEP] = "keep",
	};
	json_t *doc = json_object(), *a = json_array();

	set(doc, "ok", json_true());
	set(doc, "framework", r->det ? jstr(r->det->name) : json_null());
	set(doc, "from", str_or_null(r->from));
	set(doc, "to", str_or_null(r->to));
	set(doc, "written", json_boolean(r->written));
	set(doc, "dropped", json_boolean(r->dropped));
	for (size_t i = 0; i < r->n; i++) {
		json_t *o = json_object();

		set(o, "name", jstr(r->v[i].name));
		set(o, "file", str_or_null(r->v[i].file));
		set(o, "action", jstr(action[r->v[i].action]));
		set(o, "note", jstr(r->v[i].note));
		push(a, o);
	}
	set(doc, "records", a);
	return dump(doc);
}

char *
json_detect(const struct detect_report *r)
{
	json_t *doc = json_object(), *a = json_array();

	for (size_t i = 0; i < r->detected.n; i++) {
		const struct detection *d = &r->detected.v[i];
		json_t *o = json_object(), *cols = json_array();

		set(o, "framework", jstr(d->det->name));
		set(o, "schema", str_or_null(d->schema));
		set(o, "table", jstr(d->table));
		set(o, "rows",
		    r->rows[i] >= 0 ? json_integer(r->rows[i]) : json_null());
		for (size_t k = 0; d->det->columns[k]; k++)
			push(cols, jstr(d->det->columns[k]));
		set(o, "matched_columns", cols);
		push(a, o);
	}
	set(doc, "detected", a);
	set(doc, "directory_framework",
	    r->dir_det ? jstr(r->dir_det->name) : json_null());
	set(doc, "directory_evidence", str_or_null(r->dir_note));
	set(doc, "misplaced", misplaced(&r->misplaced));
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
		set(ob, "type", jstr(ddl_type_name(o->type)));
		set(ob, "schema", *o->schema ? jstr(o->schema) : json_null());
		set(ob, "object", jstr(o->object));
		push(a, ob);
	}
	return a;
}

char *
json_preview(const struct preview_report *r)
{
	json_t *doc = json_object(), *a = json_array();

	set(doc, "filename", jstr(r->name));
	set(doc, "content", jstrn(r->content->s, r->content->len));
	set(doc, "lines", json_integer(r->lines));
	for (size_t i = 0; i < r->stmts.n; i++) {
		const struct sql_stmt *st = &r->stmts.v[i];
		json_t *o = json_object();

		set(o, "line", json_integer(st->line));
		set(o, "text", jstrn(r->content->s + st->off, st->len));
		set(o, "no_transaction", json_boolean(st->flags & SQL_NO_TX));
		set(o, "transaction_control",
		    json_boolean(st->flags & SQL_TX_CONTROL));
		set(o, "objects", stmt_objects(r, i));
		push(a, o);
	}
	set(doc, "statements", a);
	set(doc, "code", json_boolean(r->code));
	set(doc, "transactional", json_boolean(r->transactional));
	set(doc, "opts_out_of_transaction", json_boolean(r->opt_out));
	set(doc, "lint", lint_findings(r->lint));
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

	set(e, "kind", jstr(kind_name(err->kind)));
	set(e, "message", jstr(err->msg));
	set(e, "detail", *err->detail ? jstr(err->detail) : json_null());
	set(e, "hint", *err->hint ? jstr(err->hint) : json_null());
	set(e, "sqlstate", *err->sqlstate ? jstr(err->sqlstate) : json_null());
	set(doc, "ok", json_false());
	set(doc, "error", e);
	return dump(doc);
}

/* [{"relation", "file", "pids", "waiting"}]: tables the pending files
 * alter that other sessions hold up. */
static json_t *
blocking(const struct check_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nblocking; i++) {
		const struct check_blocker *b = &r->blocking[i];
		json_t *o = json_object(), *pids = json_array();

		for (size_t k = 0; k < b->npids; k++)
			push(pids, json_integer(b->pids[k]));
		set(o, "relation", jstr(b->relation));
		set(o, "file", jstr(b->file));
		set(o, "pids", pids);
		set(o, "waiting", json_integer((json_int_t)b->waiting));
		push(a, o);
	}
	return a;
}

char *
json_check(const struct check_report *r)
{
	json_t *doc = json_object();

	set(doc, "database", jstr(r->database));
	set(doc, "user", jstr(r->user));
	set(doc, "server_version", jstr(r->server_version));
	set(doc, "pendingCount", json_integer(r->npending));
	set(doc, "pendingFiles", string_array(r->pending, r->npending));
	set(doc, "lockCount", json_integer(r->lock_count));
	set(doc, "activeTxCount", json_integer(r->active_tx));
	set(doc, "oldestTxAgeSeconds", json_real(r->oldest_tx_s));
	set(doc, "locksNeeded", json_integer(r->locks_needed));
	set(doc, "lockCapacity", json_integer(r->lock_capacity));
	set(doc, "blocking", blocking(r));
	set(doc, "journalMode", str_or_null(r->journal_mode));
	set(doc, "writable", json_boolean(r->writable));
	{
		json_t *dl = json_array();

		for (size_t i = 0; i < r->ndelegated; i++) {
			json_t *o = json_object();

			set(o, "name", jstr(r->delegated[i].name));
			set(o, "command", jstr(r->delegated[i].command));
			push(dl, o);
		}
		set(doc, "delegated", dl);
	}
	set(doc, "same_database", r->same_db ? jstr(r->same_db) : json_null());
	set(doc, "warnings", string_array(r->warnings, r->nwarnings));
	set(doc, "safe", json_boolean(r->safe));
	set(doc, "lint", lint_findings(r->lint));
	return dump(doc);
}

char *
json_created(char **paths, size_t n)
{
	json_t *doc = json_object();

	set(doc, "created", string_array(paths, n));
	return dump(doc);
}

char *
json_wait(const struct wait_report *r)
{
	json_t *doc = json_object();

	set(doc, "accepting", json_true());
	set(doc, "server", json_boolean(!r->no_server));
	set(doc, "waited_ms", json_integer(r->waited_ms));
	set(doc, "attempts", json_integer(r->attempts));
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
	set(f, "type", jstr(ddl_type_name(o->type)));
	set(f, "schema", str_or_null(schema));
	set(f, "object", jstr(o->object));
	name = xmalloc(strlen(schema ? schema : "") + strlen(o->object) + 2);
	snprintf(name, strlen(schema ? schema : "") + strlen(o->object) + 2,
		 "%s%s%s", schema ? schema : "", schema ? "." : "", o->object);
	set(f, "name", jstr(name));
	free(name);
	if (r->checked)
		set(f, "exists", json_boolean(r->check->v[i].exists));
	return f;
}

char *
json_detect_schema(const struct schema_report *r)
{
	json_t *doc = json_object(), *a = json_array();

	for (size_t i = 0; i < r->objects->n; i++)
		push(a, finding(r, i));
	set(doc, "findings", a);
	set(doc, "all_objects_exist",
	    r->checked ? json_boolean(r->all_exist) : json_null());
	set(doc, "some_objects_exist",
	    r->checked ? json_boolean(r->some_exist) : json_null());
	set(doc, "recommendation", jstr(r->recommendation));
	return dump(doc);
}

char *
json_adopt(const struct adopt_report *r)
{
	json_t *doc = json_object(), *a = json_array();

	set(doc, "tracking_table", str_or_null(r->tracking_display));
	set(doc, "dry_run", json_boolean(!r->wrote));
	for (size_t i = 0; i < r->n; i++) {
		const struct adopt_item *it = &r->v[i];
		json_t *o = json_object();

		set(o, "name", jstr(it->name));
		set(o, "action", jstr(adopt_action_name(it->action)));
		set(o, "objects", json_integer(it->objects));
		set(o, "existing", json_integer(it->existing));
		set(o, "missing", string_array(it->missing, it->nmissing));
		set(o, "marked", json_boolean(it->marked));
		push(a, o);
	}
	set(doc, "plan", a);
	return dump(doc);
}

/* The differences of d, the sides named a and b ("live", "migrations"):
 * [{"change": "only_live", "severity", "kind", "schema", "table", "name",
 * "field", a, b}]. */
static json_t *
schema_changes(const struct schema_diff *d, const char *a, const char *b)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < d->n; i++) {
		const struct schema_change *c = &d->v[i];
		json_t *o = json_object();
		struct rk_buf what = RK_BUF_INIT;

		if (c->what == SC_ONLY_A || c->what == SC_ONLY_B)
			rk_buf_addf(&what, "only_%s",
				    c->what == SC_ONLY_A ? a : b);
		else
			rk_buf_adds(&what, schema_change_name(c->what));
		set(o, "change", jstr(what.s));
		set(o, "severity",
		    jstr(c->what == SC_ORDER ? "info" : "difference"));
		set(o, "kind", jstr(c->kind));
		set(o, "schema", jstr(c->schema));
		set(o, "table", *c->table ? jstr(c->table) : json_null());
		set(o, "name", jstr(c->name));
		set(o, "field", str_or_null(c->field));
		set(o, a, str_or_null(c->a));
		set(o, b, str_or_null(c->b));
		push(arr, o);
		rk_buf_release(&what);
	}
	return arr;
}

static json_t *
schema_counts(const struct schema_diff *d, const char *a, const char *b)
{
	json_t *o = json_object();
	struct rk_buf k = RK_BUF_INIT;

	rk_buf_addf(&k, "only_%s", a);
	set(o, k.s, json_integer((json_int_t)d->count[SC_ONLY_A]));
	rk_buf_reset(&k);
	rk_buf_addf(&k, "only_%s", b);
	set(o, k.s, json_integer((json_int_t)d->count[SC_ONLY_B]));
	set(o, "changed", json_integer((json_int_t)d->count[SC_CHANGED]));
	set(o, "info", json_integer((json_int_t)d->count[SC_ORDER]));
	rk_buf_release(&k);
	return o;
}

char *
json_diff(const struct diff_report *r)
{
	json_t *doc = json_object();

	set(doc, "database", jstr(r->database));
	set(doc, "scratch", jstr(r->scratch));
	set(doc, "framework", jstr(r->framework));
	set(doc, "identical", json_boolean(schema_diff_real(&r->diff) == 0));
	set(doc, "differences", schema_changes(&r->diff, "live", "migrations"));
	set(doc, "summary", schema_counts(&r->diff, "live", "migrations"));
	return dump(doc);
}

char *
json_verify(const struct verify_report *r)
{
	json_t *doc = json_object(), *a = json_array();

	set(doc, "ok", json_boolean(r->ok));
	set(doc, "server", str_or_null(r->server));
	for (size_t i = 0; i < r->n; i++) {
		const struct verify_item *it = &r->v[i];
		json_t *o = json_object();
		int done = it->stopped == VERIFY_DONE;

		set(o, "snapshot", jstr(it->snapshot));
		set(o, "format", jstr(snapshot_format_name(it->format)));
		set(o, "upgraded", json_boolean(done));
		set(o, "stopped_at",
		    done ? json_null() : jstr(verify_stage_name(it->stopped)));
		set(o, "error", str_or_null(it->error));
		set(o, "applied", outcome_names(&it->run, RUN_COMMITTED));
		set(o, "failed",
		    it->run.failed ? failure(it->run.failed) : json_null());
		set(o, "identical",
		    done ? json_boolean(schema_diff_real(&it->diff) == 0)
			 : json_null());
		set(o, "differences",
		    schema_changes(&it->diff, "upgraded", "fresh"));
		push(a, o);
	}
	set(doc, "snapshots", a);
	set(doc, "fresh_applied", outcome_names(&r->fresh, RUN_COMMITTED));
	return dump(doc);
}
