/*
 * The HTTP API's handlers: decode and check what a request asks for, open
 * a database connection of its own, call the op the CLI command calls and
 * answer with the CLI's JSON renderer (compute once, render many). Request
 * bodies are read with jansson and checked strictly: unknown fields, wrong
 * types and duplicate keys are refused. Not here: sockets, routing,
 * authentication (serve.c).
 */
#include "reckon/serve/serve.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "reckon/base/buf.h"
#include "reckon/core/config.h"
#include "reckon/db/db.h"
#include "reckon/base/err.h"
#include "reckon/core/ops.h"
#include "reckon/core/report_json.h"
#include "reckon/core/revisions.h"
#include "reckon/core/scan_cache.h"
#include "reckon/core/target.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

/* How long a request waits for a pooled connection before the first
 * login was timed (see db_slot_take) */
#define LOGIN_MS_FIRST 20

struct api {
	struct rk_config cfg; /* copied from main's; token cleared */
	char *db_display;     /* owned: the redacted database URL */
	char *dir_real;	      /* owned: cfg.dir, absolute, no symlinks */
	const struct sql_dialect *lex; /* the database's dialect */
	pthread_mutex_t mu;	       /* guards free_db and idle */
	pthread_cond_t cv; /* signalled when a connection is given back */
	int free_db;	   /* connections that may still be opened */
	int pool;	   /* PostgreSQL connections kept between requests */
	int nidle;	   /* how many of idle[] are held */
	struct db *idle[API_MAX_DB]; /* owned: open, reset, unused */
	int pg;			     /* the database is PostgreSQL */
	long login_ms;		/* how long opening a connection took last */
	struct scan_cache scan; /* status's directory, kept between requests */
	struct json_memo status_text; /* status's last answer */
};

struct api *
api_new(const struct rk_ctx *ctx, int pool, struct rk_err *err)
{
	struct api *api;
	char *real = realpath(ctx->cfg.dir, NULL);
	pthread_condattr_t ca;
	enum db_kind kind;
	struct stat st;

	if (!real || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		rk_fail(err, RK_CONFIG,
			"cannot serve migrations directory '%s': %s",
			ctx->cfg.dir,
			real ? "not a directory" : strerror(errno));
		rk_err_hint(err, "pass --dir PATH");
		free(real);
		return NULL;
	}
	api = xcalloc(1, sizeof(*api));
	/* every setting but the token (serve checks it itself) and colour */
	cfg_dup(&api->cfg, &ctx->cfg);
	free(api->cfg.token);
	api->cfg.token = NULL;
	api->cfg.color = 0;
	api->db_display = xstrdup(ctx->db_display ? ctx->db_display : "");
	api->dir_real = real;
	api->lex = ctx->db ? db_dialect(ctx->db)->lex
			   : sql_dialect_find("postgres");
	if (pthread_mutex_init(&api->mu, NULL) != 0 ||
	    pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&api->cv, &ca) != 0)
		rk_bug("cannot initialise a mutex");
	(void)pthread_condattr_destroy(&ca);
	api->free_db = API_MAX_DB;
	api->pg = api->cfg.db_url &&
		  db_kind_of_url(api->cfg.db_url, &kind, NULL) == 0 &&
		  kind == DB_PG;
	api->login_ms = LOGIN_MS_FIRST;
	scan_cache_init(&api->scan);
	json_memo_init(&api->status_text);
	api->pool = pool < 0 ? API_POOL_DEFAULT : pool;
	if (api->pool > API_MAX_DB)
		api->pool = API_MAX_DB;
	return api;
}

void
api_free(struct api *api)
{
	if (!api)
		return;
	for (int i = 0; i < api->nidle; i++)
		db_close(api->idle[i]);
	scan_cache_release(&api->scan);
	json_memo_release(&api->status_text);
	cfg_release(&api->cfg);
	free(api->db_display);
	free(api->dir_real);
	(void)pthread_mutex_destroy(&api->mu);
	(void)pthread_cond_destroy(&api->cv);
	free(api);
}

/*
 * Wait for one of the API_MAX_DB connections; an idle pooled one comes
 * with it (*db), else *db is NULL and the caller opens one. While the
 * pool's connections are all in use, wait for one of them to come back,
 * but no longer than opening a new one took last time: under a burst of
 * short requests a connection comes back in a millisecond or two, where
 * logging in again costs many, and a request behind long ones (runs)
 * still opens its own once that wait is over.
 */
static void
db_slot_take(struct api *api, struct db **db)
{
	struct timespec until;
	int waited = !api->pg || api->pool == 0;

	(void)pthread_mutex_lock(&api->mu);
	rk_deadline(&until, api->login_ms);
	for (;;) {
		if (api->free_db > 0 && (api->nidle > 0 || waited ||
					 API_MAX_DB - api->free_db < api->pool))
			break;
		if (api->free_db == 0)
			(void)pthread_cond_wait(&api->cv, &api->mu);
		else if (pthread_cond_timedwait(&api->cv, &api->mu, &until) ==
			 ETIMEDOUT)
			waited = 1;
	}
	api->free_db--;
	*db = api->nidle > 0 ? api->idle[--api->nidle] : NULL;
	(void)pthread_mutex_unlock(&api->mu);
}

/* Give the slot back, and db (if not NULL) to the pool while it has
 * room; else close it. */
static void
db_slot_give(struct api *api, struct db *db)
{
	(void)pthread_mutex_lock(&api->mu);
	if (db && api->nidle < api->pool) {
		api->idle[api->nidle++] = db;
		db = NULL;
	}
	api->free_db++;
	(void)pthread_cond_signal(&api->cv);
	(void)pthread_mutex_unlock(&api->mu);
	if (db)
		db_close(db);
}

/*
 * Make a PostgreSQL connection a request used fit for the next one: no
 * transaction, no advisory lock, no setting, prepared statement or
 * temporary table left (DISCARD ALL), then the session settings db_open()
 * made (o) again. 0, or -1 when the connection is not worth keeping.
 */
static int
db_reset(struct db *db, const struct db_opts *o)
{
	struct rk_err err = RK_ERR_INIT;
	char lock_ms[32], stmt_ms[32];
	const char *params[2] = { lock_ms, stmt_ms };
	int rc;

	db_rollback(db);
	/* two statements: one text would be one implicit transaction,
	 * where DISCARD ALL is refused */
	rc = db_exec(db, "SELECT pg_catalog.pg_advisory_unlock_all()", &err);
	if (rc == 0)
		rc = db_exec(db, "DISCARD ALL", &err);
	if (rc == 0 &&
	    (o->lock_timeout_ms > 0 || o->statement_timeout_ms > 0)) {
		/* 0 is DISCARD's default again: leave it */
		snprintf(lock_ms, sizeof(lock_ms), "%dms", o->lock_timeout_ms);
		snprintf(stmt_ms, sizeof(stmt_ms), "%dms",
			 o->statement_timeout_ms);
		rc = db_query(db,
			      "SELECT CASE WHEN $1 <> '0ms' THEN "
			      "pg_catalog.set_config('lock_timeout', $1, false)"
			      " END, CASE WHEN $2 <> '0ms' THEN "
			      "pg_catalog.set_config('statement_timeout', $2, "
			      "false) END",
			      params, 2, NULL, &err);
	}
	rk_err_clear(&err);
	return rc;
}

/* ctx_open's with_db for a request that only reads. */
#define WITH_DB_READ 2
/*
 * And for one that sends only reckon's own SELECTs (status): no SET, no
 * session lock, no temporary table, so a connection it leaves outside a
 * transaction (db_idle) goes back to the pool without db_reset()'s round
 * trips. Its queries are prepared once per connection (db_keep_plans):
 * those statements stay for the next status request, and any other
 * request deallocates them before it sends anything.
 */
#define WITH_DB_PEEK 3

/*
 * A context of the request's own; with_db: and a connection that no other
 * request uses until ctx_close() (WITH_DB_READ: opened read-only, see
 * db_opts). PostgreSQL's come from the pool when one is idle and answers
 * (a connection whose server went away is opened again); SQLite's are
 * opened per request (cheap, and read_only is fixed at open).
 */
static int
ctx_open(struct api *api, int with_db, struct rk_ctx *ctx, struct rk_err *err)
{
	struct db_opts o;
	struct db *db;
	long t0, t1;

	memset(ctx, 0, sizeof(*ctx));
	cfg_dup(&ctx->cfg, &api->cfg);
	ctx->db_display = xstrdup(api->db_display);
	ctx->json = 1;
	if (!with_db)
		return 0;
	db_slot_take(api, &db);
	if (db) {
		/* no round trip: a terminated backend has sent its FATAL
		 * or closed the socket, which db_idle() sees */
		if (db_idle(db)) {
			ctx->db = db;
			db_keep_plans(db, with_db == WITH_DB_PEEK);
			return 0;
		}
		db_close(db);
	}
	ctx_db_opts(&ctx->cfg, &o);
	o.read_only = with_db == WITH_DB_READ || with_db == WITH_DB_PEEK;
	o.app_name = "reckon serve";
	t0 = rk_now_ms();
	if (db_open(ctx->cfg.db_url, &o, &ctx->db, err) < 0) {
		ctx->db = NULL;
		db_slot_give(api, NULL);
		return -1;
	}
	t1 = rk_now_ms();
	(void)pthread_mutex_lock(&api->mu);
	api->login_ms = t1 - t0 < 1 ? 1 : t1 - t0 > 1000 ? 1000 : t1 - t0;
	(void)pthread_mutex_unlock(&api->mu);
	db_keep_plans(ctx->db, with_db == WITH_DB_PEEK);
	return 0;
}

/* Give ctx's connection back (to the pool, or closed) as soon as the
 * request needs it no more; peek: ctx was opened WITH_DB_PEEK (see
 * there). */
static void
ctx_db_done(struct api *api, struct rk_ctx *ctx, int peek)
{
	if (ctx->db) {
		struct db *keep = NULL;
		struct db_opts o;

		db_capture(ctx->db, NULL); /* its sink was the request's */
		/* a no-op after a run that unlocked; else the next run on
		 * this connection would find the lock flagged as held */
		db_run_unlock(ctx->db);
		ctx_db_opts(&ctx->cfg, &o);
		if (api->pool > 0 && db_kind(ctx->db) == DB_PG &&
		    ((peek && db_idle(ctx->db)) || db_reset(ctx->db, &o) == 0))
			keep = ctx->db;
		else
			db_close(ctx->db);
		db_slot_give(api, keep);
		ctx->db = NULL;
	}
}

static void
ctx_close_as(struct api *api, struct rk_ctx *ctx, int peek)
{
	ctx_db_done(api, ctx, peek);
	free(ctx->db_display);
	cfg_release(&ctx->cfg);
	memset(ctx, 0, sizeof(*ctx));
}

static void
ctx_close(struct api *api, struct rk_ctx *ctx)
{
	ctx_close_as(api, ctx, 0);
}

/*
 * The HTTP status for an error, from the exit code the CLI would give it
 * (SPEC.md's shared grammar): 2 -> 400, 3 -> 409, 1 -> 500. An error
 * without a kind is reckon's bug: 500.
 */
static unsigned
status_of(enum rk_kind kind)
{
	if (kind == RK_OK)
		return 500;
	switch (rk_exit_code(kind)) {
	case RK_EXIT_USAGE:
		return 400;
	case RK_EXIT_CHECK:
		return 409;
	default:
		return 500;
	}
}

void
api_error(struct api_response *out, unsigned status, const struct rk_err *err)
{
	out->status = status;
	out->body = json_error(err);
}

static void
answer(struct api_response *out, unsigned status, char *doc)
{
	out->status = status;
	out->body = doc;
}

static int
listed(const char *const *names, const char *key)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], key) == 0)
			return 1;
	return 0;
}

/*
 * The request body as a JSON object whose keys are all in fields (NULL-
 * terminated); an empty body is an empty object. NULL with err set for
 * bad JSON, a duplicate key, a non-object or an unknown field.
 */
static json_t *
body_object(const struct api_request *rq, const char *const *fields,
	    struct rk_err *err)
{
	const char *key;
	json_error_t je;
	json_t *o, *v;

	if (!rq->body || rq->body_len == 0)
		return json_object();
	o = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		rk_fail(err, RK_USAGE,
			"request body is not valid JSON: %s (line %d, column "
			"%d)",
			je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		rk_fail(err, RK_USAGE, "request body must be a JSON object");
		return NULL;
	}
	json_object_foreach(o, key, v)
	{
		struct rk_buf allowed = RK_BUF_INIT;

		if (listed(fields, key))
			continue;
		for (size_t i = 0; fields[i]; i++)
			rk_buf_addf(&allowed, "%s'%s'", i ? ", " : "",
				    fields[i]);
		rk_fail(err, RK_USAGE,
			"unknown field '%.100s' in the request body", key);
		rk_err_hint(err, "this endpoint takes %s",
			    allowed.len ? allowed.s : "no fields");
		rk_buf_release(&allowed);
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A non-empty string member, required or not. */
static int
string_field(json_t *o, const char *key, int required, const char **out,
	     struct rk_err *err)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v && !required)
		return 0;
	if (!v)
		return rk_fail(err, RK_USAGE,
			       "the request body needs '%s' (a string)", key);
	if (!json_is_string(v) || json_string_length(v) == 0)
		return rk_fail(err, RK_USAGE, "'%s' must be a non-empty string",
			       key);
	*out = json_string_value(v);
	return 0;
}

static int
bool_field(json_t *o, const char *key, int *out, struct rk_err *err)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return rk_fail(err, RK_USAGE, "'%s' must be true or false",
			       key);
	*out = json_is_true(v);
	return 0;
}

/* "to": any string; op_run judges it as it judges --to. */
static int
target_field(json_t *o, const char *key, const char **out, struct rk_err *err)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return rk_fail(err, RK_USAGE,
			       "'%s' must be a string: a version, a file "
			       "name, head, +N",
			       key);
	*out = json_string_value(v);
	return 0;
}

/* "steps": a whole number, 1 or more, checked as --steps is. */
static int
steps_field(json_t *o, const char *key, int *out, struct rk_err *err)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	if (!v)
		return 0;
	if (!json_is_integer(v))
		return rk_fail(err, RK_USAGE, "'%s' must be a whole number",
			       key);
	n = json_integer_value(v);
	if (n > 1000000000)
		return rk_fail(err, RK_USAGE, "'%s' is too large", key);
	if (target_steps("run", n < -1000000000 ? -1000000000 : (long)n, err) <
	    0)
		return -1;
	*out = (int)n;
	return 0;
}

/* "migrations": a non-empty array of non-empty strings, copied out. */
static int
names_field(json_t *o, const char *key, char ***names, int *n,
	    struct rk_err *err)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	*names = NULL;
	*n = 0;
	if (!a)
		return 0;
	if (!json_is_array(a))
		return rk_fail(err, RK_USAGE,
			       "'%s' must be an array of file names", key);
	if (json_array_size(a) == 0) {
		rk_fail(err, RK_USAGE, "'%s' is empty", key);
		rk_err_hint(err,
			    "name at least one file, or leave '%s' out "
			    "to run every pending migration",
			    key);
		return -1;
	}
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0)
			return rk_fail(err, RK_USAGE,
				       "'%s'[%zu] must be a non-empty string",
				       key, i);
	}
	*names = xcalloc(json_array_size(a) + 1, sizeof(**names));
	json_array_foreach(a, i, v)
	{
		(*names)[i] = xstrdup(json_string_value(v));
	}
	*n = (int)json_array_size(a);
	return 0;
}

static void
names_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * On a labelled server ("label" in reckon.yaml, --label) a write must
 * carry the label in "confirm_label", as the dashboard has the user type
 * it: a request meant for staging cannot land on production. 0, or -1
 * with err set and *status the 409 to answer.
 */
static int
label_confirmed(const struct api *api, json_t *body, unsigned *status,
		struct rk_err *err)
{
	const char *given;

	*status = 400;
	if (string_field(body, "confirm_label", 0, &given, err) < 0)
		return -1;
	if (!api->cfg.label || !*api->cfg.label)
		return 0;
	if (given && strcmp(given, api->cfg.label) == 0)
		return 0;
	*status = 409;
	rk_fail(err, RK_CHECK,
		given ? "'confirm_label' does not match this server's label "
			"'%s'; nothing changed"
		      : "this server is labelled '%s': a write must confirm "
			"it; nothing changed",
		api->cfg.label);
	rk_err_hint(err,
		    "send \"confirm_label\": \"%s\" once you mean this "
		    "database",
		    api->cfg.label);
	return -1;
}

void
api_status(struct api *api, const struct api_request *rq,
	   struct api_response *out)
{
	struct rk_err err = RK_ERR_INIT;
	struct rk_session s = { 0 };
	struct rk_ctx ctx;
	int rc;

	(void)rq;
	if (ctx_open(api, WITH_DB_PEEK, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		return;
	}
	ctx.scan_cache = &api->scan;
	rc = op_status(&ctx, &s, &err);
	/* the next request may have the connection while this one renders */
	ctx_db_done(api, &ctx, 1);
	if (rc == 0)
		answer(out, 200, json_status_memo(&s, &api->status_text));
	else
		api_error(out, status_of(err.kind), &err);
	session_release(&s);
	ctx_close_as(api, &ctx, 1);
}

void
api_run(struct api *api, const struct api_request *rq, struct api_response *out)
{
	static const char *const fields[] = {
		"migrations", "dry_run",       "to", "steps", "allow_drift",
		"per_file",   "confirm_label", NULL
	};
	struct rk_err err = RK_ERR_INIT;
	struct run_report r = { 0 };
	struct run_opts o = { 0 };
	json_t *body = body_object(rq, fields, &err);
	struct rk_ctx ctx;
	unsigned status;

	if (!body || bool_field(body, "dry_run", &o.dry_run, &err) < 0 ||
	    bool_field(body, "allow_drift", &o.allow_drift, &err) < 0 ||
	    bool_field(body, "per_file", &o.per_file, &err) < 0 ||
	    target_field(body, "to", &o.to, &err) < 0 ||
	    steps_field(body, "steps", &o.steps, &err) < 0 ||
	    names_field(body, "migrations", &o.names, &o.nnames, &err) < 0) {
		api_error(out, 400, &err);
		goto out;
	}
	if (!o.dry_run && label_confirmed(api, body, &status, &err) < 0) {
		api_error(out, status, &err);
		goto out;
	}
	if (ctx_open(api, o.dry_run ? WITH_DB_READ : 1, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		goto out;
	}
	if (op_run(&ctx, &o, &r, &err) == 0)
		answer(out, 200, json_run(&r));
	else if (r.interrupted) /* the server is stopping: what it did */
		answer(out, 503, json_run(&r));
	else if (r.failed) /* the CLI's report of what failed, and where */
		answer(out, status_of(err.kind), json_run(&r));
	else
		api_error(out, status_of(err.kind), &err);
	ctx_close(api, &ctx);
out:
	run_report_release(&r);
	names_free(o.names, o.nnames);
	json_decref(body);
}

void
api_mark_applied(struct api *api, const struct api_request *rq,
		 struct api_response *out)
{
	static const char *const fields[] = { "migration", "confirm_label",
					      NULL };
	struct rk_err err = RK_ERR_INIT;
	struct mark_report r = { 0 };
	json_t *body = body_object(rq, fields, &err);
	const char *name;
	struct rk_ctx ctx;
	char *names[1];
	unsigned status = 400;

	if (!body || string_field(body, "migration", 1, &name, &err) < 0 ||
	    label_confirmed(api, body, &status, &err) < 0) {
		api_error(out, status, &err);
		goto out;
	}
	if (ctx_open(api, 1, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		goto out;
	}
	names[0] = xstrdup(name);
	if (op_mark(&ctx, names, 1, 0, &r, &err) == 0)
		answer(out, 200, json_mark(&r, "marked"));
	else
		api_error(out, status_of(err.kind), &err);
	free(names[0]);
	ctx_close(api, &ctx);
out:
	mark_report_release(&r);
	json_decref(body);
}

int
api_decode(const char *s, size_t n, struct rk_buf *out, struct rk_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] != '%') {
			rk_buf_addc(out, s[i]);
			continue;
		}
		if (i + 2 >= n || (hi = rk_hex_digit(s[i + 1])) < 0 ||
		    (lo = rk_hex_digit(s[i + 2])) < 0)
			return rk_fail(err, RK_USAGE,
				       "bad percent-escape in the path");
		rk_buf_addc(out, (char)(hi * 16 + lo));
		i += 2;
	}
	return 0;
}

/* Whether name (n bytes) ends as the migration files of some framework
 * do: SQL, or the code and change-log files frameworks run themselves. */
static int
migration_ext(const char *name, size_t n)
{
	static const char *const exts[] = { ".sql",  ".js",  ".cjs", ".mjs",
					    ".ts",   ".py",  ".rb",  ".php",
					    ".exs",  ".go",  ".cs",  ".xml",
					    ".yaml", ".yml", ".json" };

	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t k = strlen(exts[i]);

		if (n > k && strcmp(name + n - k, exts[i]) == 0)
			return 1;
	}
	return 0;
}

/* The checks on the name's own bytes; 0 or -1 with err set. */
static int
plain_name(const char *name, size_t n, struct rk_err *err)
{
	if (n == 0)
		return rk_fail(err, RK_USAGE, "name a migration file");
	if (n > NAME_MAX)
		return rk_fail(err, RK_USAGE, "file name too long");
	if (memchr(name, '\0', n))
		return rk_fail(err, RK_USAGE, "file name contains a NUL byte");
	if (strchr(name, '/') || strchr(name, '\\'))
		return rk_fail(err, RK_USAGE,
			       "file name contains a path separator: only "
			       "files directly in the migrations directory "
			       "are served");
	if (strstr(name, ".."))
		return rk_fail(err, RK_USAGE, "file name contains '..'");
	if (name[0] == '.')
		return rk_fail(err, RK_USAGE, "hidden files are not served");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			return rk_fail(err, RK_USAGE,
				       "file name contains a control "
				       "character");
		if (c == '%' && i + 2 < n && rk_hex_digit(name[i + 1]) >= 0 &&
		    rk_hex_digit(name[i + 2]) >= 0)
			return rk_fail(err, RK_USAGE,
				       "file name is still percent-encoded "
				       "after decoding (encoded twice?)");
	}
	if (!migration_ext(name, n))
		return rk_fail(err, RK_USAGE,
			       "only migration files (.sql, .js, .cjs, .mjs, "
			       ".ts, .py, .rb, .php, .exs, .go, .cs, .xml, "
			       ".yaml, .yml, .json) can be previewed");
	return 0;
}

unsigned
api_check_name(const char *dir_real, const char *name, size_t n,
	       struct rk_buf *path, struct rk_err *err)
{
	struct rk_buf joined = RK_BUF_INIT;
	size_t dl = strlen(dir_real);
	unsigned status = 0;
	struct stat st;
	char *real;

	if (plain_name(name, n, err) < 0)
		return 400;
	rk_buf_addf(&joined, "%s/%s", dir_real, name);
	real = realpath(joined.s, NULL);
	if (!real) {
		status = errno == ENOENT ? 404 : 400;
		rk_fail(err, RK_USAGE, "cannot open '%s': %s", name,
			strerror(errno));
		if (status == 404)
			rk_err_hint(err, "name a file as status lists it");
	} else if (strncmp(real, dir_real, dl) != 0 || real[dl] != '/') {
		status = 403;
		rk_fail(err, RK_USAGE,
			"'%s' resolves to a file outside the migrations "
			"directory",
			name);
	} else if (stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
		status = 400;
		rk_fail(err, RK_USAGE, "'%s' is not a regular file", name);
	} else {
		rk_buf_adds(path, real);
	}
	free(real);
	rk_buf_release(&joined);
	return status;
}

void
api_preview(struct api *api, const struct api_request *rq,
	    struct api_response *out)
{
	struct rk_err err = RK_ERR_INIT;
	struct preview_report r = { 0 };
	struct rk_buf path = RK_BUF_INIT;
	struct rk_ctx ctx;
	unsigned status;

	status = api_check_name(api->dir_real, rq->param ? rq->param : "",
				rq->param ? rq->param_len : 0, &path, &err);
	if (status) {
		api_error(out, status, &err);
		goto out;
	}
	(void)ctx_open(api, 0, &ctx, &err);
	/* the resolved path, read as is: never looked up anywhere else */
	if (op_preview(&ctx, path.s, api->lex, &r, &err) == 0) {
		free(r.name);
		r.name = xstrdup(rq->param);
		answer(out, 200, json_preview(&r));
	} else {
		api_error(out, status_of(err.kind), &err);
	}
	ctx_close(api, &ctx);
out:
	preview_report_release(&r);
	rk_buf_release(&path);
}

void
api_check(struct api *api, const struct api_request *rq,
	  struct api_response *out)
{
	static const char *const fields[] = { NULL };
	struct rk_err err = RK_ERR_INIT;
	struct check_report r = { 0 };
	json_t *body = body_object(rq, fields, &err);
	struct rk_ctx ctx;

	if (!body) {
		api_error(out, 400, &err);
		goto out;
	}
	if (ctx_open(api, WITH_DB_READ, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		goto out;
	}
	/* an unsafe verdict is a result, not an error: 200 with "safe" */
	if (op_check(&ctx, &r, &err) == 0)
		answer(out, 200, json_check(&r));
	else
		api_error(out, status_of(err.kind), &err);
	ctx_close(api, &ctx);
out:
	check_report_release(&r);
	json_decref(body);
}

void
api_detect_schema(struct api *api, const struct api_request *rq,
		  struct api_response *out)
{
	static const char *const fields[] = { "sql", NULL };
	struct rk_err err = RK_ERR_INIT;
	json_t *body = body_object(rq, fields, &err);
	const char *sql;

	struct schema_report r = { 0 };
	struct rk_ctx ctx;

	if (!body || string_field(body, "sql", 1, &sql, &err) < 0) {
		api_error(out, 400, &err);
		goto out;
	}
	if (ctx_open(api, WITH_DB_READ, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		goto out;
	}
	if (op_detect_schema(&ctx, sql, strlen(sql), api->lex, &r, &err) == 0)
		answer(out, 200, json_detect_schema(&r));
	else
		api_error(out, status_of(err.kind), &err);
	ctx_close(api, &ctx);
out:
	schema_report_release(&r);
	json_decref(body);
}

/* history and current: the CLI's documents (json_history) */
static void
history(struct api *api, int current, struct api_response *out)
{
	struct rk_err err = RK_ERR_INIT;
	struct rk_session s = { 0 };
	struct rev_report rev = REV_REPORT_INIT;
	struct rk_ctx ctx;

	if (ctx_open(api, WITH_DB_PEEK, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		return;
	}
	if (op_status(&ctx, &s, &err) == 0) {
		rev_report_build(&s, current ? REV_CURRENT : REV_HISTORY, &rev);
		answer(out, 200, json_history(&s, &rev, current));
	} else {
		api_error(out, status_of(err.kind), &err);
	}
	rev_report_release(&rev);
	session_release(&s);
	ctx_close(api, &ctx);
}

void
api_history(struct api *api, const struct api_request *rq,
	    struct api_response *out)
{
	(void)rq;
	history(api, 0, out);
}

void
api_current(struct api *api, const struct api_request *rq,
	    struct api_response *out)
{
	(void)rq;
	history(api, 1, out);
}

void
api_detect(struct api *api, const struct api_request *rq,
	   struct api_response *out)
{
	struct rk_err err = RK_ERR_INIT;
	struct detect_report r = { 0 };
	struct rk_ctx ctx;

	(void)rq;
	if (ctx_open(api, WITH_DB_READ, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		return;
	}
	if (op_detect(&ctx, &r, &err) == 0)
		answer(out, 200, json_detect(&r));
	else
		api_error(out, status_of(err.kind), &err);
	detect_report_release(&r);
	ctx_close(api, &ctx);
}

/* unmark and repair: {"migrations": [...], "confirm_label"}, the CLI's
 * document under key (repair's move: move_write); body is the caller's,
 * checked against its fields */
static void
mark_write(struct api *api, json_t *body, struct api_response *out, int repair)
{
	struct rk_err err = RK_ERR_INIT;
	struct mark_report r = { 0 };
	char **names = NULL;
	int n = 0, rc;
	unsigned status = 400;
	struct rk_ctx ctx;

	if (names_field(body, "migrations", &names, &n, &err) < 0 ||
	    (n == 0 && rk_fail(&err, RK_USAGE,
			       "the request body needs 'migrations' (an "
			       "array of names)") < 0) ||
	    label_confirmed(api, body, &status, &err) < 0) {
		api_error(out, status, &err);
		goto out;
	}
	if (ctx_open(api, 1, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		goto out;
	}
	rc = repair ? op_repair(&ctx, names, n, 0, &r, &err)
		    : op_unmark(&ctx, names, n, &r, &err);
	if (rc == 0)
		answer(out, 200,
		       json_mark(&r, repair ? "repaired" : "unmarked"));
	else
		api_error(out, status_of(err.kind), &err);
	ctx_close(api, &ctx);
out:
	mark_report_release(&r);
	names_free(names, n);
}

void
api_unmark(struct api *api, const struct api_request *rq,
	   struct api_response *out)
{
	static const char *const fields[] = { "migrations", "confirm_label",
					      NULL };
	struct rk_err err = RK_ERR_INIT;
	json_t *body = body_object(rq, fields, &err);

	if (!body)
		api_error(out, 400, &err);
	else
		mark_write(api, body, out, 0);
	json_decref(body);
}

/*
 * repair with "move": true, the CLI's repair --move: the plan, or with
 * "confirm": true (and the label on a labelled server) the move, and
 * the CLI's document (json_move).
 */
static void
move_write(struct api *api, json_t *body, int confirm, struct api_response *out)
{
	struct rk_err err = RK_ERR_INIT;
	struct move_report r = { 0 };
	unsigned status = 400;
	struct rk_ctx ctx;

	if (json_object_get(body, "migrations")) {
		rk_fail(&err, RK_USAGE,
			"repair with \"move\" takes no 'migrations': it "
			"moves every record it can");
		rk_err_hint(&err, "send {\"move\": true} for the plan, then "
				  "add \"confirm\": true to move");
		api_error(out, 400, &err);
		return;
	}
	if (confirm && label_confirmed(api, body, &status, &err) < 0) {
		api_error(out, status, &err);
		return;
	}
	if (ctx_open(api, confirm ? 1 : WITH_DB_READ, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		return;
	}
	if (op_move_native(&ctx, confirm, &r, &err) == 0)
		answer(out, 200, json_move(&r));
	else
		api_error(out, status_of(err.kind), &err);
	ctx_close(api, &ctx);
	move_report_release(&r);
}

void
api_repair(struct api *api, const struct api_request *rq,
	   struct api_response *out)
{
	static const char *const fields[] = { "migrations", "confirm_label",
					      "move", "confirm", NULL };
	struct rk_err err = RK_ERR_INIT;
	json_t *body = body_object(rq, fields, &err);
	int move = 0, confirm = 0;

	if (!body || bool_field(body, "move", &move, &err) < 0 ||
	    bool_field(body, "confirm", &confirm, &err) < 0 ||
	    (confirm && !move &&
	     rk_fail(&err, RK_USAGE,
		     "'confirm' goes with \"move\": true (the plan of a "
		     "move, confirmed); a repair of named migrations "
		     "needs none") < 0)) {
		api_error(out, 400, &err);
	} else if (move) {
		move_write(api, body, confirm, out);
	} else {
		mark_write(api, body, out, 1);
	}
	json_decref(body);
}

/* What the page's header shows: the database, the server, the label. */
void
api_server(struct api *api, const struct api_request *rq,
	   struct api_response *out)
{
	struct rk_err err = RK_ERR_INIT;
	struct db_info info;
	struct rk_ctx ctx;
	json_t *doc;

	(void)rq;
	if (ctx_open(api, WITH_DB_READ, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		return;
	}
	if (db_info(ctx.db, &info, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		ctx_close(api, &ctx);
		return;
	}
	doc = json_object();
	json_object_set_new(doc, "database", json_string(api->db_display));
	json_object_set_new(doc, "engine",
			    json_string(db_dialect(ctx.db)->name));
	json_object_set_new(doc, "server_version",
			    json_string(info.server_version));
	json_object_set_new(doc, "user", json_string(info.user));
	json_object_set_new(doc, "label",
			    api->cfg.label && *api->cfg.label
				    ? json_string(api->cfg.label)
				    : json_null());
	answer(out, 200, json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER));
	json_decref(doc);
	if (!out->body)
		rk_bug("json_dumps failed");
	ctx_close(api, &ctx);
}

/* A string of n bytes, with invalid UTF-8 written as \xNN. */
static json_t *
text_json(const char *s, size_t n)
{
	struct rk_buf b = RK_BUF_INIT;
	json_t *v = json_stringn(s, n);

	if (v)
		return v;
	rk_buf_add_utf8_escaped(&b, s, n);
	v = json_stringn(b.s, b.len);
	rk_buf_release(&b);
	return v ? v : json_null();
}

/*
 * What was applied for one migration against the file as it is now, for
 * the page's repair diff: {"name", "state", "stored_hash", "file_hash",
 * "applied_known", "applied", "file"}; "applied" is null, and
 * applied_known false, where reckon keeps only the hash.
 */
void
api_applied(struct api *api, const struct api_request *rq,
	    struct api_response *out)
{
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf bytes = RK_BUF_INIT, text = RK_BUF_INIT;
	struct rk_session s = { 0 };
	const struct status_entry *e = NULL;
	struct rk_ctx ctx;
	int known = 0;
	json_t *doc;

	if (!rq->param || rq->param_len == 0 ||
	    memchr(rq->param, '\0', rq->param_len)) {
		rk_fail(&err, RK_USAGE, "name a migration");
		api_error(out, 400, &err);
		return;
	}
	if (ctx_open(api, WITH_DB_READ, &ctx, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		return;
	}
	if (op_status(&ctx, &s, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		goto out;
	}
	for (size_t i = 0; i < s.status.n && !e; i++)
		if (strcmp(s.status.v[i].name, rq->param) == 0)
			e = &s.status.v[i];
	if (!e) {
		rk_fail(&err, RK_USAGE, "no migration '%s' in '%s' or in %s",
			rq->param, ctx.cfg.dir, s.tracking_display);
		rk_err_hint(&err, "name a migration as status lists it");
		api_error(out, 404, &err);
		goto out;
	}
	if (e->row && reckon_applied_bytes(ctx.db, &s.tracked,
					   e->row->id ? e->row->id : e->name,
					   &bytes, &known, &err) < 0) {
		api_error(out, status_of(err.kind), &err);
		goto out;
	}
	doc = json_object();
	json_object_set_new(doc, "name", json_string(e->name));
	json_object_set_new(doc, "state",
			    json_string(mig_state_name(e->state)));
	json_object_set_new(doc, "stored_hash",
			    e->stored_hash ? json_string(e->stored_hash)
					   : json_null());
	json_object_set_new(doc, "file_hash",
			    e->file_hash ? json_string(e->file_hash)
					 : json_null());
	json_object_set_new(doc, "applied_known", json_boolean(known));
	json_object_set_new(doc, "applied",
			    known ? text_json(bytes.s, bytes.len)
				  : json_null());
	json_object_set_new(doc, "file",
			    e->file && mig_read(e->file->path, e->file->name,
						&text, &err) == 0
				    ? text_json(text.s, text.len)
				    : json_null());
	answer(out, 200, json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER));
	json_decref(doc);
	if (!out->body)
		rk_bug("json_dumps failed");
out:
	rk_buf_release(&bytes);
	rk_buf_release(&text);
	session_release(&s);
	ctx_close(api, &ctx);
}
