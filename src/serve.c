/*
 * reckon serve: the HTTP API and the dashboard, on libmicrohttpd with a
 * thread per connection. This file is the HTTP side: listening, the route
 * table, the Host and token checks, body limits, the access log and
 * shutdown on SIGINT/SIGTERM. What each endpoint does is serve_api.c, which
 * calls the same ops and JSON renderers as the CLI. The dashboard is
 * src/web/dashboard.html, embedded at build time.
 */
#include "reckon/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "reckon/buf.h"
#include "reckon/cmd.h"
#include "reckon/config.h"
#include "reckon/db.h"
#include "reckon/err.h"
#include "reckon/interrupt.h"
#include "reckon/migfile.h"
#include "reckon/ops.h"
#include "reckon/opt.h"
#include "reckon/util.h"
#include "reckon/banned.h"

#include "dashboard.html.inc"

#define DEFAULT_LISTEN	"127.0.0.1:8787"
#define MAX_CONNECTIONS 512u  /* open at once; each has a thread */
#define IDLE_TIMEOUT_S	60u   /* an idle keep-alive connection is closed */
#define DRAIN_MS	30000 /* default --drain: shutdown waits for runs */
#define CANCEL_GRACE_MS 5000  /* then, after cancelling, for their answers */

/* Set by the SIGINT/SIGTERM handler: the one mutable global (STYLE §10). */
static volatile sig_atomic_t stop_requested;

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
	{ "POST", "/api/migrations/idempotent/detect-schema",
	  api_detect_schema },
	{ "POST", "/api/migrations/idempotent/mark-applied", api_mark_applied },
	{ "POST", "/api/migrations/idempotent/run", api_run },
	{ "GET", "/api/migrations/idempotent/status", api_status },
	{ "GET", "/api/migrations/preview/:filename", api_preview },
};

/* What every connection thread shares; read-only while serving. */
struct server {
	struct api *api;
	char token_sha[65]; /* SHA-256 (hex) of the token, "" if none */
	int loopback;	    /* listening on a loopback address only */
	atomic_int active;  /* requests begun and not yet completed */
};

/* One request in progress (MHD's per-request pointer). */
struct request {
	long t0;	    /* start, monotonic ms */
	struct rk_buf body; /* the body read so far */
	int too_big;	    /* the body passed API_MAX_BODY */
	unsigned early;	    /* status already answered at the headers */
};

static long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

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
		status, now_ms() - rq->t0);
	rk_buf_release(&path);
	return r;
}

/* Answer with a JSON document (owned, malloc'd; freed by MHD). */
static enum MHD_Result
reply_json(struct MHD_Connection *c, const struct request *rq,
	   const char *method, const char *url, unsigned status, char *doc)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		strlen(doc), doc, MHD_RESPMEM_MUST_FREE);

	if (!resp)
		rk_bug("cannot create a response");
	(void)MHD_add_response_header(resp, "Content-Type",
				      "application/json; charset=utf-8");
	(void)MHD_add_response_header(resp, "Cache-Control", "no-store");
	return reply(c, rq, method, url, status, resp);
}

/* Answer with json_error()'s document for err. */
static enum MHD_Result
reply_error(struct MHD_Connection *c, const struct request *rq,
	    const char *method, const char *url, unsigned status,
	    const struct rk_err *err)
{
	struct api_response out = { 0 };

	api_error(&out, status, err);
	return reply_json(c, rq, method, url, out.status, out.body);
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

/* The route for path; *param points into path for ":filename". */
static const struct route *
route_find(const char *method, const char *path, const char **param,
	   int *path_known)
{
	*path_known = 0;
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		const char *colon = strchr(routes[i].path, ':');
		size_t k = colon ? (size_t)(colon - routes[i].path) : 0;

		if (colon ? strncmp(path, routes[i].path, k) != 0 || !path[k]
			  : strcmp(path, routes[i].path) != 0)
			continue;
		*path_known = 1;
		if (strcmp(method, routes[i].method) == 0 ||
		    (strcmp(method, "HEAD") == 0 &&
		     strcmp(routes[i].method, "GET") == 0)) {
			*param = colon ? path + k : NULL;
			return &routes[i];
		}
	}
	return NULL;
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
	rt->fn(srv->api, &in, &out);
	r = reply_json(c, rq, method, url, out.status, out.body);
	rk_buf_release(&name);
	return r;
}

/* The whole request is in: check it, then route it. */
static enum MHD_Result
dispatch(struct server *srv, struct MHD_Connection *c, struct request *rq,
	 const char *method, const char *url)
{
	struct rk_err err = RK_ERR_INIT;
	const struct route *rt;
	const char *param = NULL;
	unsigned status;
	int known;

	if (srv->loopback && host_allowed(c, &err) < 0)
		return reply_error(c, rq, method, url, 403, &err);
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0) {
		if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
			return reply_dashboard(c, rq, method, url);
		rk_fail(&err, RK_USAGE, "the dashboard answers GET only");
		return reply_error(c, rq, method, url, 405, &err);
	}
	rt = route_find(method, url, &param, &known);
	if (!rt) {
		if (known)
			rk_fail(&err, RK_USAGE, "method %.10s not allowed here",
				method);
		else
			rk_fail(&err, RK_USAGE, "no such endpoint");
		rk_err_hint(&err, "the endpoints are listed under 'serve' in "
				  "reckon(1)");
		return reply_error(c, rq, method, url, known ? 405 : 404, &err);
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

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
	   const char *method, const char *version, const char *upload,
	   size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (!rq) {
		rq = xcalloc(1, sizeof(*rq));
		rq->t0 = now_ms();
		rk_buf_init(&rq->body);
		*con_cls = rq;
		atomic_fetch_add(&srv->active, 1);
		if (declared_too_big(c)) {
			struct rk_err err = RK_ERR_INIT;

			rq->early = 413;
			rk_fail(&err, RK_USAGE, "request body over %u bytes",
				API_MAX_BODY);
			return reply_error(c, rq, method, url, 413, &err);
		}
		return MHD_YES;
	}
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
	return dispatch(srv, c, rq, method, url);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request *rq = *con_cls;

	(void)c;
	(void)toe;
	if (!rq)
		return;
	atomic_fetch_sub(&srv->active, 1);
	rk_buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

/* Leave escapes in the path: call() decodes, and sees any %00. */
static size_t
keep_escapes(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* The token from --token-file (trailing white space dropped) or the
 * environment; "" when neither gives one. */
static int
load_token(const char *file, const struct rk_config *cfg, char sha[65],
	   struct rk_err *err)
{
	struct rk_buf b = RK_BUF_INIT;
	int rc = 0;

	sha[0] = '\0';
	if (!file) {
		if (cfg->token && *cfg->token)
			rk_sha256_hex(cfg->token, strlen(cfg->token), sha);
		return 0;
	}
	if (rk_buf_read_file(&b, file) < 0)
		return rk_fail(err, RK_CONFIG,
			       "cannot read token file '%s': %s", file,
			       strerror(errno));
	while (b.len && strchr(" \t\r\n", b.s[b.len - 1]))
		b.s[--b.len] = '\0';
	if (b.len == 0 || memchr(b.s, '\0', b.len) || strchr(b.s, '\n'))
		rc = rk_fail(err, RK_CONFIG,
			     "token file '%s' must hold one non-empty line",
			     file);
	else
		rk_sha256_hex(b.s, b.len, sha);
	/* the token itself is not kept, only its digest */
	explicit_bzero(b.s, b.len);
	rk_buf_release(&b);
	return rc;
}

static int
sockaddr_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)
				      ->sin_addr.s_addr) >>
			24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(
			&((const struct sockaddr_in6 *)(const void *)sa)
				 ->sin6_addr);
	return 0;
}

/* "ADDR:PORT" or "[V6ADDR]:PORT" to one socket address. */
static int
parse_listen(const char *listen, struct addrinfo **out, struct rk_err *err)
{
	const struct addrinfo hints = { .ai_family = AF_UNSPEC,
					.ai_socktype = SOCK_STREAM,
					.ai_flags = AI_NUMERICSERV };
	const char *colon = strrchr(listen, ':');
	char host[256], *end;
	long port;
	int rc;

	if (!colon || colon == listen ||
	    (size_t)(colon - listen) >= sizeof(host))
		goto bad;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
		goto bad;
	if (listen[0] == '[') {
		if (colon[-1] != ']')
			goto bad;
		memcpy(host, listen + 1, (size_t)(colon - listen - 2));
		host[colon - listen - 2] = '\0';
	} else {
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
	}
	rc = getaddrinfo(host, colon + 1, &hints, out);
	if (rc == 0)
		return 0;
	return rk_fail(err, RK_USAGE, "--listen: cannot resolve '%s': %s", host,
		       gai_strerror(rc));
bad:
	rk_fail(err, RK_USAGE, "--listen: '%s' is not ADDR:PORT", listen);
	rk_err_hint(err, "e.g. --listen 127.0.0.1:8787 or --listen [::1]:8787");
	return -1;
}

static struct MHD_Daemon *
start(struct server *srv, const struct addrinfo *ai)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD |
			 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;

	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
		ai->ai_addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL,
		MHD_OPTION_CONNECTION_LIMIT, MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_S, MHD_OPTION_END);
}

/* Wait until no request is in progress or the clock passes deadline. */
static void
wait_idle(struct server *srv, long deadline)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };

	while (atomic_load(&srv->active) > 0 && now_ms() < deadline)
		(void)nanosleep(&pause, NULL);
}

/*
 * Stop accepting, let the requests in progress finish and send their
 * answers (a run that started commits and says so) for up to drain_ms;
 * then cancel the statements still running, as Ctrl-C does on the command
 * line, so each run rolls back and answers with what it did; then stop.
 */
static void
drain(struct server *srv, struct MHD_Daemon *d, long drain_ms)
{
	MHD_socket listen_fd = MHD_quiesce_daemon(d);

	fprintf(stderr,
		"reckon serve: shutting down (%d request(s) in "
		"progress)\n",
		atomic_load(&srv->active));
	wait_idle(srv, now_ms() + drain_ms);
	if (atomic_load(&srv->active) > 0) {
		fprintf(stderr,
			"reckon serve: still busy after the drain deadline: "
			"cancelling %d request(s)\n",
			atomic_load(&srv->active));
		rk_interrupt_raise(SIGTERM);
		wait_idle(srv, now_ms() + CANCEL_GRACE_MS);
	}
	MHD_stop_daemon(d);
	if (listen_fd != MHD_INVALID_SOCKET)
		(void)close(listen_fd);
}

/* Serve until SIGINT or SIGTERM; in-flight requests finish first. */
static int
serve_until_signal(struct server *srv, const struct addrinfo *ai,
		   const char *listen, long drain_ms, const struct rk_ctx *ctx,
		   struct rk_err *err)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char host[NI_MAXHOST];

	(void)sigemptyset(&block);
	(void)sigaddset(&block, SIGINT);
	(void)sigaddset(&block, SIGTERM);
	(void)sigemptyset(&sa.sa_mask);
	/* blocked before MHD's threads start, so only this thread takes them */
	(void)pthread_sigmask(SIG_BLOCK, &block, &old);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	d = start(srv, ai);
	if (!d) {
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
		rk_fail(err, RK_CONFIG, "cannot listen on '%s'", listen);
		rk_err_hint(err, "is the port in use? pass --listen ADDR:PORT");
		return -1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL,
			0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	fprintf(stderr,
		"reckon serve: listening on http://%s%s%s:%u/ (database %s, "
		"migrations %s)%s\n",
		ai->ai_family == AF_INET6 ? "[" : "", host,
		ai->ai_family == AF_INET6 ? "]" : "",
		info ? (unsigned)info->port : 0u, ctx->db_display, ctx->cfg.dir,
		*srv->token_sha ? ""
				: "\nreckon serve: no token configured: POST "
				  "endpoints answer 403 (see --token-file)");
	while (!stop_requested)
		(void)sigsuspend(&old);
	drain(srv, d, drain_ms);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int
cmd_serve(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const char *listen = DEFAULT_LISTEN, *token_file = NULL,
		   *drain_s = NULL;
	long drain_ms = DRAIN_MS;
	const struct opt opts[] = {
		OPT_STRING(
			0, "drain", &drain_s, "DURATION",
			"on SIGTERM, how long runs may finish before they are "
			"cancelled (default: 30s)"),
		OPT_STRING(0, "listen", &listen, "ADDR:PORT",
			   "where to listen (default: " DEFAULT_LISTEN ")"),
		OPT_STRING(0, "token-file", &token_file, "FILE",
			   "file holding the bearer token for POSTs"),
		OPT_END(),
	};
	struct server srv = { 0 };
	struct addrinfo *ai = NULL;
	char **args = NULL;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "serve", opts, argc, argv, &args, &nargs,
			    err)) != 0) {
		rc = rc < 0 ? rc : 0;
		goto out;
	}
	rc = -1;
	if (nargs) {
		rk_fail(err, RK_USAGE, "serve: unexpected argument '%s'",
			args[0]);
		goto out;
	}
	if (drain_s && (drain_ms = cfg_parse_duration_ms(drain_s)) < 0) {
		rk_fail(err, RK_USAGE,
			"--drain: invalid duration '%s' (use e.g. 30s, 500ms, "
			"2m)",
			drain_s);
		goto out;
	}
	if (load_token(token_file, &ctx->cfg, srv.token_sha, err) < 0 ||
	    parse_listen(listen, &ai, err) < 0)
		goto out;
	srv.loopback = sockaddr_loopback(ai->ai_addr);
	if (!srv.loopback && !*srv.token_sha) {
		rk_fail(err, RK_USAGE,
			"refusing to listen on '%s' without a token: the API "
			"would be open to the network",
			listen);
		rk_err_hint(err, "pass --token-file FILE or set RECKON_TOKEN; "
				 "off loopback every API call needs it");
		goto out;
	}
	if (!(srv.api = api_new(ctx, err)))
		goto out;
	/* main's connection proved the database reachable; each request
	 * opens its own */
	if (ctx->db) {
		db_close(ctx->db);
		ctx->db = NULL;
	}
	rc = serve_until_signal(&srv, ai, listen, drain_ms, ctx, err);
out:
	api_free(srv.api);
	if (ai)
		freeaddrinfo(ai);
	free(args);
	return rc;
}
