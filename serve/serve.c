/*
 * reckon serve: the HTTP API and the dashboard, on libmicrohttpd with a
 * thread per connection. This file is the HTTP side: listening, the route
 * table, the Host and token checks, body limits, the access log and
 * shutdown on SIGINT/SIGTERM. What each endpoint does is serve_api.c, which
 * calls the same ops and JSON renderers as the CLI. The dashboard is
 * serve/web/dashboard.html, embedded at build time.
 */
#include "reckon/serve/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "reckon/base/buf.h"
#include "reckon/core/config.h"
#include "reckon/db/db.h"
#include "reckon/base/err.h"
#include "reckon/core/interrupt.h"
#include "reckon/detectors/migfile.h"
#include "reckon/core/ops.h"
#include "reckon/base/util.h"
#include "serve_int.h"
#include "reckon/base/crypto.h"
#include "reckon/base/banned.h"

#include "dashboard.html.inc"

/*
 * The API: one row per endpoint of SPEC.md's table. A path ending in
 * "/:filename" matches any one non-empty segment there, handed to the
 * handler percent-decoded. Every POST needs the bearer token.
 */
struct route {
	const char *method; /* "GET" (HEAD too) or "POST" */
	const char *path;
	void (*fn)(struct api *api, const struct api_request *rq,
		   struct api_response *out);
};

static const struct route routes[] = {
	{ "POST", "/api/migrations/check", api_check },
	{ "GET", "/api/migrations/current", api_current },
	{ "GET", "/api/migrations/detect", api_detect },
	{ "GET", "/api/migrations/history", api_history },
	{ "POST", "/api/migrations/idempotent/repair", api_repair },
	{ "POST", "/api/migrations/idempotent/unmark", api_unmark },
	{ "GET", "/api/migrations/server", api_server },
	{ "GET", "/api/migrations/idempotent/applied/:filename", api_applied },
	{ "POST", "/api/migrations/idempotent/detect-schema",
	  api_detect_schema },
	{ "POST", "/api/migrations/idempotent/mark-applied", api_mark_applied },
	{ "POST", "/api/migrations/idempotent/run", api_run },
	{ "GET", "/api/migrations/idempotent/status", api_status },
	{ "GET", "/api/migrations/preview/:filename", api_preview },
};

/* The path as sent (escapes kept), printable and short, for the log. */
static void
log_path(const char *url, struct rk_buf *out)
{
	for (size_t i = 0; url[i] && i < 200; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			rk_buf_addf(out, "\\x%02x", c);
		else
			rk_buf_addc(out, (char)c);
	}
}

/*
 * Queue a response and log the request: method, path, status, time. No
 * header is logged, so no token; bodies never are.
 */
static enum MHD_Result
reply(struct MHD_Connection *c, const struct request *rq, const char *method,
      const char *url, unsigned status, struct MHD_Response *resp)
{
	struct rk_buf path = RK_BUF_INIT;
	enum MHD_Result r;

	(void)MHD_add_response_header(resp, "X-Content-Type-Options",
				      "nosniff");
	(void)MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	(void)MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	log_path(url, &path);
	fprintf(stderr, "reckon serve: %.10s %s %u %ldms\n", method, path.s,
		status, rk_now_ms() - rq->t0);
	rk_buf_release(&path);
	return r;
}

/* A response holding a JSON document (owned, malloc'd; freed by MHD). */
static struct MHD_Response *
json_response(char *doc)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		strlen(doc), doc, MHD_RESPMEM_MUST_FREE);

	if (!resp)
		rk_bug("cannot create a response");
	(void)MHD_add_response_header(resp, "Content-Type",
				      "application/json; charset=utf-8");
	(void)MHD_add_response_header(resp, "Cache-Control", "no-store");
	return resp;
}

/* Answer with a JSON document (owned, malloc'd; freed by MHD). */
static enum MHD_Result
reply_json(struct MHD_Connection *c, const struct request *rq,
	   const char *method, const char *url, unsigned status, char *doc)
{
	return reply(c, rq, method, url, status, json_response(doc));
}

/*
 * Answer with json_error()'s document for err, and the header name: value
 * when name is not NULL (Allow for 405, Retry-After for 503).
 */
static enum MHD_Result
reply_error_with(struct MHD_Connection *c, const struct request *rq,
		 const char *method, const char *url, unsigned status,
		 const struct rk_err *err, const char *name, const char *value)
{
	struct api_response out = { 0 };
	struct MHD_Response *resp;

	api_error(&out, status, err);
	resp = json_response(out.body);
	if (name)
		(void)MHD_add_response_header(resp, name, value);
	return reply(c, rq, method, url, out.status, resp);
}

static enum MHD_Result
reply_error(struct MHD_Connection *c, const struct request *rq,
	    const char *method, const char *url, unsigned status,
	    const struct rk_err *err)
{
	return reply_error_with(c, rq, method, url, status, err, NULL, NULL);
}

static enum MHD_Result
reply_dashboard(struct MHD_Connection *c, const struct request *rq,
		const char *method, const char *url)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		dashboard_html_len, (void *)dashboard_html,
		MHD_RESPMEM_PERSISTENT);

	if (!resp)
		rk_bug("cannot create a response");
	(void)MHD_add_response_header(resp, "Content-Type",
				      "text/html; charset=utf-8");
	(void)MHD_add_response_header(resp, "Cache-Control", "no-cache");
	(void)MHD_add_response_header(
		resp, "Content-Security-Policy",
		"default-src 'none'; script-src 'unsafe-inline'; "
		"style-src 'unsafe-inline'; connect-src 'self'; "
		"img-src 'self' data:; base-uri 'none'; form-action 'none'; "
		"frame-ancestors 'none'");
	return reply(c, rq, method, url, 200, resp);
}

static int
is_loopback_host(const char *host, size_t n)
{
	char buf[64];
	struct in_addr a4;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, host, n);
	buf[n] = '\0';
	if (strcasecmp(buf, "localhost") == 0 || strcmp(buf, "[::1]") == 0)
		return 1;
	return inet_pton(AF_INET, buf, &a4) == 1 &&
	       (ntohl(a4.s_addr) >> 24) == 127;
}

/*
 * On loopback the Host header must name this machine, so that a web page
 * elsewhere cannot reach the API by pointing its own name at 127.0.0.1
 * (DNS rebinding).
 */
static int
host_allowed(struct MHD_Connection *c, struct rk_err *err)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_HOST);
	const char *end;

	if (!h)
		return rk_fail(err, RK_USAGE, "no Host header");
	end = h[0] == '[' ? strchr(h, ']') : strrchr(h, ':');
	if (h[0] == '[' && end)
		end++;
	if (!end || *end != ':')
		end = h + strlen(h);
	if (is_loopback_host(h, (size_t)(end - h)))
		return 0;
	rk_fail(err, RK_USAGE,
		"Host '%.100s' is not a name of this machine; reckon serve "
		"answers to localhost names only",
		h);
	return -1;
}

/* 0 if the request carries the token; else the status to answer. */
static unsigned
auth(const struct server *srv, struct MHD_Connection *c, struct rk_err *err)
{
	const char *h = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	char given[65];

	if (!*srv->token_sha) {
		rk_fail(err, RK_CONFIG,
			"this endpoint is disabled: reckon serve was started "
			"without a token");
		rk_err_hint(err, "restart it with --token-file FILE or "
				 "RECKON_TOKEN set, and send 'Authorization: "
				 "Bearer <token>'");
		return 403;
	}
	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		rk_fail(err, RK_USAGE, "this endpoint needs a token");
		rk_err_hint(err, "send 'Authorization: Bearer <token>'");
		return 401;
	}
	h += 7;
	while (*h == ' ')
		h++;
	/* equal-length digests, compared in constant time */
	rk_sha256_hex(h, strlen(h), given);
	if (CRYPTO_memcmp(given, srv->token_sha, 64) == 0)
		return 0;
	rk_fail(err, RK_USAGE, "the token is not valid");
	return 401;
}

/* A POST body must be JSON if it says what it is. */
static int
json_body(struct MHD_Connection *c, struct rk_err *err)
{
	const char *t = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t k = strlen("application/json");

	if (!t || (strncasecmp(t, "application/json", k) == 0 &&
		   (t[k] == '\0' || t[k] == ';' || t[k] == ' ')))
		return 0;
	rk_fail(err, RK_USAGE,
		"request body must be application/json, not '%.60s'", t);
	rk_err_hint(err, "send 'Content-Type: application/json'");
	return -1;
}

/*
 * The route for path; *param points into path for ":filename". *allow
 * names the methods path answers ("" when none: no such endpoint).
 */
static const struct route *
route_find(const char *method, const char *path, const char **param,
	   const char **allow)
{
	*allow = "";
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		const char *colon = strchr(routes[i].path, ':');
		size_t k = colon ? (size_t)(colon - routes[i].path) : 0;

		if (colon ? strncmp(path, routes[i].path, k) != 0 || !path[k]
			  : strcmp(path, routes[i].path) != 0)
			continue;
		*allow = strcmp(routes[i].method, "GET") == 0
				 ? "GET, HEAD"
				 : routes[i].method;
		if (strcmp(method, routes[i].method) == 0 ||
		    (strcmp(method, "HEAD") == 0 &&
		     strcmp(routes[i].method, "GET") == 0)) {
			*param = colon ? path + k : NULL;
			return &routes[i];
		}
	}
	return NULL;
}

/*
 * Take one of MAX_WORK places for an API call. When all are taken the
 * call waits, first come first served by the library's threads, up to
 * QUEUE_MS and with at most MAX_QUEUED others: a burst of clients is
 * answered a little later instead of refused. 0, or -1 for overload.
 */
static int
work_begin(struct server *srv)
{
	struct timespec until;
	int rc = 0;

	(void)pthread_mutex_lock(&srv->work_mu);
	if (srv->working >= MAX_WORK) {
		if (srv->queued >= MAX_QUEUED) {
			(void)pthread_mutex_unlock(&srv->work_mu);
			return -1;
		}
		rk_deadline(&until, QUEUE_MS);
		srv->queued++;
		while (srv->working >= MAX_WORK && rc == 0)
			rc = pthread_cond_timedwait(&srv->work_cv,
						    &srv->work_mu, &until);
		srv->queued--;
		if (srv->working >= MAX_WORK) {
			(void)pthread_mutex_unlock(&srv->work_mu);
			return -1;
		}
	}
	srv->working++;
	(void)pthread_mutex_unlock(&srv->work_mu);
	return 0;
}

static void
work_end(struct server *srv)
{
	(void)pthread_mutex_lock(&srv->work_mu);
	srv->working--;
	(void)pthread_cond_signal(&srv->work_cv);
	(void)pthread_mutex_unlock(&srv->work_mu);
}

static enum MHD_Result
call(struct server *srv, struct MHD_Connection *c, struct request *rq,
     const char *method, const char *url, const struct route *rt,
     const char *param)
{
	struct api_request in = { 0 };
	struct api_response out = { 0 };
	struct rk_buf name = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;
	enum MHD_Result r;

	if (param && api_decode(param, strlen(param), &name, &err) < 0) {
		rk_buf_release(&name);
		return reply_error(c, rq, method, url, 400, &err);
	}
	if (param) {
		in.param = name.s;
		in.param_len = name.len;
	}
	if (strcmp(rt->method, "POST") == 0) {
		in.body = rq->body.len ? rq->body.s : NULL;
		in.body_len = rq->body.len;
	}
	if (work_begin(srv) < 0) {
		rk_buf_release(&name);
		rk_fail(&err, RK_DB,
			"busy: %d API requests are in progress and %d more "
			"waited %d ms",
			MAX_WORK, MAX_QUEUED, QUEUE_MS);
		rk_err_hint(&err, "retry after the time in Retry-After");
		return reply_error_with(c, rq, method, url, 503, &err,
					"Retry-After", "1");
	}
	rt->fn(srv->api, &in, &out);
	work_end(srv);
	r = reply_json(c, rq, method, url, out.status, out.body);
	rk_buf_release(&name);
	return r;
}

static enum MHD_Result
count_host(void *cls, enum MHD_ValueKind kind, const char *key,
	   const char *value)
{
	int *n = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
		(*n)++;
	return MHD_YES;
}

/*
 * What the library lets through but HTTP does not: a request target with
 * a NUL (which C strings would cut short, so another file could be
 * served) or another control byte, one too long, or two Host headers
 * (RFC 9112 section 3.2). 0, or the status to answer with err set.
 */
static unsigned
malformed(struct MHD_Connection *c, const struct request *rq,
	  const char *version, struct rk_err *err)
{
	uintptr_t end = (uintptr_t)rq->target + rq->target_len + 1;
	int hosts = 0;

	/* the version follows the target in the library's line buffer */
	if (rq->target && (uintptr_t)version > end &&
	    (uintptr_t)version <= end + MAX_URL) {
		rk_fail(err, RK_USAGE, "the request target holds a NUL byte");
		return 400;
	}
	if (rq->bad) {
		rk_fail(err, RK_USAGE,
			"the request target holds the control byte 0x%02x",
			rq->bad);
		rk_err_hint(err, "percent-encode it");
		return 400;
	}
	if (rq->target_len > MAX_URL) {
		rk_fail(err, RK_USAGE, "the request target is over %u bytes",
			MAX_URL);
		return 414;
	}
	(void)MHD_get_connection_values(c, MHD_HEADER_KIND, count_host, &hosts);
	if (hosts > 1) {
		rk_fail(err, RK_USAGE, "%d Host headers; HTTP allows one",
			hosts);
		return 400;
	}
	return 0;
}

/* The whole request is in: check it, then route it. */
static enum MHD_Result
dispatch(struct server *srv, struct MHD_Connection *c, struct request *rq,
	 const char *method, const char *url)
{
	struct rk_err err = RK_ERR_INIT;
	const struct route *rt;
	const char *param = NULL, *allow;
	unsigned status;

	if (srv->loopback && host_allowed(c, &err) < 0)
		return reply_error(c, rq, method, url, 403, &err);
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0) {
		if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
			return reply_dashboard(c, rq, method, url);
		rk_fail(&err, RK_USAGE, "the dashboard answers GET only");
		return reply_error_with(c, rq, method, url, 405, &err, "Allow",
					"GET, HEAD");
	}
	rt = route_find(method, url, &param, &allow);
	if (!rt) {
		if (*allow)
			rk_fail(&err, RK_USAGE,
				"method %.10s not allowed here (only %s)",
				method, allow);
		else
			rk_fail(&err, RK_USAGE, "no such endpoint");
		rk_err_hint(&err, "the endpoints are listed under 'serve' in "
				  "reckon(1)");
		if (*allow)
			return reply_error_with(c, rq, method, url, 405, &err,
						"Allow", allow);
		return reply_error(c, rq, method, url, 404, &err);
	}
	if (rq->too_big) {
		rk_fail(&err, RK_USAGE, "request body over %u bytes",
			API_MAX_BODY);
		return reply_error(c, rq, method, url, 413, &err);
	}
	if ((strcmp(rt->method, "POST") == 0 || !srv->loopback) &&
	    (status = auth(srv, c, &err)) != 0)
		return reply_error(c, rq, method, url, status, &err);
	if (strcmp(rt->method, "POST") == 0 && rq->body.len &&
	    json_body(c, &err) < 0)
		return reply_error(c, rq, method, url, 415, &err);
	return call(srv, c, rq, method, url, rt, param);
}

/* A Content-Length over the limit is refused before reading the body. */
static int
declared_too_big(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	return errno == ERANGE || n > API_MAX_BODY;
}

static struct conn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/*
 * The request is in, headers and body: from here the watchdog leaves the
 * connection alone. -1 if it was too late, and the connection is cut.
 */
static int
conn_busy(struct server *srv, struct MHD_Connection *c)
{
	struct conn *k = conn_of(c);
	int rc = 0;

	if (!k)
		return 0;
	pthread_mutex_lock(&srv->lock);
	if (k->cut)
		rc = -1;
	else
		k->busy = 1;
	pthread_mutex_unlock(&srv->lock);
	return rc;
}

/* An answer is done: the next request's time starts now. */
static void
conn_idle(struct server *srv, struct MHD_Connection *c)
{
	struct conn *k = conn_of(c);

	if (!k)
		return;
	pthread_mutex_lock(&srv->lock);
	k->busy = 0;
	k->seen = 0;
	k->since = rk_now_ms();
	pthread_mutex_unlock(&srv->lock);
}

/* The headers are in: refuse what must not be served, or too big. */
static enum MHD_Result
on_headers(struct server *srv, struct MHD_Connection *c, struct request *rq,
	   const char *method, const char *url, const char *version)
{
	struct rk_err err = RK_ERR_INIT;
	unsigned status = malformed(c, rq, version, &err);

	rq->begun = 1;
	if (!status && declared_too_big(c)) {
		status = 413;
		rk_fail(&err, RK_USAGE, "request body over %u bytes",
			API_MAX_BODY);
	}
	if (!status)
		return MHD_YES;
	if (conn_busy(srv, c) < 0)
		return MHD_NO;
	rq->early = status;
	return reply_error(c, rq, method, url, status, &err);
}

enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
	   const char *method, const char *version, const char *upload,
	   size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct request *rq = *con_cls;

	if (!rq)
		rk_bug("a request without its log callback");
	if (!rq->begun)
		return on_headers(srv, c, rq, method, url, version);
	if (*upload_size) {
		if (rq->too_big || rq->body.len + *upload_size > API_MAX_BODY)
			rq->too_big = 1;
		else
			rk_buf_add(&rq->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->early)
		return MHD_YES;
	if (conn_busy(srv, c) < 0)
		return MHD_NO;
	return dispatch(srv, c, rq, method, url);
}

/*
 * The request line is in (the library calls this before it touches the
 * target): start the request, and note what a C string would hide.
 */
void *
on_request_line(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct server *srv = cls;
	struct request *rq = xcalloc(1, sizeof(*rq));
	struct conn *k = conn_of(c);

	rq->t0 = rk_now_ms();
	rk_buf_init(&rq->body);
	rq->target = uri;
	rq->target_len = strlen(uri);
	for (size_t i = 0; i < rq->target_len && !rq->bad; i++)
		if ((unsigned char)uri[i] < 0x20 || uri[i] == 0x7f)
			rq->bad = (unsigned char)uri[i];
	atomic_fetch_add(&srv->active, 1);
	if (k) {
		pthread_mutex_lock(&srv->lock);
		k->seen = 1;
		pthread_mutex_unlock(&srv->lock);
	}
	return rq;
}

void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request *rq = *con_cls;

	(void)toe;
	conn_idle(srv, c);
	if (!rq)
		return;
	atomic_store(&srv->last_done, rk_now_ms());
	atomic_fetch_sub(&srv->active, 1);
	rk_buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

/* Keep the list of open connections for the watchdog. */
void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
	      enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;
	struct conn *k = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		k = xcalloc(1, sizeof(*k));
		k->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
		k->since = rk_now_ms();
		pthread_mutex_lock(&srv->lock);
		k->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = k;
		srv->conns = k;
		pthread_mutex_unlock(&srv->lock);
		*socket_context = k;
		return;
	}
	if (!k)
		return;
	pthread_mutex_lock(&srv->lock);
	if (k->prev)
		k->prev->next = k->next;
	else
		srv->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	pthread_mutex_unlock(&srv->lock);
	free(k);
	*socket_context = NULL;
}

/*
 * Cut k, late with its request: a 408 if a request line came (best
 * effort, the socket may be full), then shutdown(2), which wakes the
 * connection's thread to close it. Called with server.lock held.
 */
static void
conn_cut(struct server *srv, struct conn *k)
{
	char head[256];
	size_t len = strlen(srv->late_doc);
	int n;

	k->cut = 1;
	if (k->seen) {
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 408 Request Timeout\r\n"
			     "Content-Type: application/json; charset=utf-8\r\n"
			     "Content-Length: %zu\r\n"
			     "Connection: close\r\n\r\n",
			     len);
		(void)send(k->fd, head, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
		(void)send(k->fd, srv->late_doc, len,
			   MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	(void)shutdown(k->fd, SHUT_RDWR);
}

/*
 * The library's own timeout counts idleness only, so a client trickling
 * a byte at a time would hold its connection (and thread) for ever. This
 * thread closes each connection that has not delivered a complete request
 * within --request-timeout of its start or of its last answer; and once
 * the server has been idle TRIM_IDLE_MS after requests, it gives the
 * memory they freed back.
 */
void *
watchdog(void *arg)
{
	struct server *srv = arg;
	const struct timespec pause = { 0, WATCH_MS * 1000 * 1000 };
	long trimmed = 0;

	while (!atomic_load(&srv->stopping)) {
		long now = rk_now_ms(), done = atomic_load(&srv->last_done);
		int cut = 0;

		/* idle after requests: give the memory they freed back to the
		 * system, from every thread's arena, not only from the tops of
		 * the heaps free() trims */
		if (done > trimmed && now - done >= TRIM_IDLE_MS &&
		    atomic_load(&srv->active) == 0) {
			(void)malloc_trim(0);
			trimmed = now;
		}

		pthread_mutex_lock(&srv->lock);
		for (struct conn *k = srv->conns; k; k = k->next) {
			if (k->busy || k->cut || k->fd == MHD_INVALID_SOCKET ||
			    now - k->since < srv->request_ms)
				continue;
			conn_cut(srv, k);
			cut++;
		}
		pthread_mutex_unlock(&srv->lock);
		if (cut)
			fprintf(stderr,
				"reckon serve: closed %d connection(s) with no "
				"complete request in %ldms\n",
				cut, srv->request_ms);
		(void)nanosleep(&pause, NULL);
	}
	return NULL;
}

/* Leave escapes in the path: call() decodes, and sees any %00. */
size_t
keep_escapes(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}
