/*
 * reckon serve's life: the listening socket (bound here, so a failure names
 * the address asked for), the daemon and its watchdog, then on SIGINT or
 * SIGTERM the drain: requests in progress finish for up to --drain, then
 * the runs still going are cancelled as Ctrl-C cancels one.
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
#include "reckon/core/ops.h"
#include "reckon/base/util.h"
#include "serve_int.h"
#include "reckon/base/banned.h"

/* Set by the SIGINT/SIGTERM handler: the one mutable global (STYLE §10). */
static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
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

/*
 * Bind and listen here rather than in the library, whose message names
 * neither the address nor, for a port it did not choose, the port.
 */
static int
listen_on(const struct addrinfo *ai, const char *where, int *out,
	  struct rk_err *err)
{
	const int one = 1;
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			ai->ai_protocol);
	int e;

	if (fd < 0)
		return rk_fail(err, RK_CONFIG, "cannot listen on '%s': %s",
			       where, strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				 sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
	    listen(fd, 128) == 0) {
		*out = fd;
		return 0;
	}
	e = errno;
	(void)close(fd);
	rk_fail(err, RK_CONFIG, "cannot listen on '%s': %s", where,
		strerror(e));
	if (e == EADDRINUSE)
		rk_err_hint(err, "another process listens there; stop it, or "
				 "pass --listen ADDR:PORT (port 0 picks a "
				 "free one)");
	else if (e == EACCES)
		rk_err_hint(err, "ports below 1024 need privileges; pass "
				 "--listen ADDR:PORT with a higher port");
	else if (e == EADDRNOTAVAIL)
		rk_err_hint(err, "that address is not one of this machine's");
	return -1;
}

/* Connections at once: MAX_CONNECTIONS, less where threads are scarce. */
static unsigned
max_connections(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 2 < MAX_CONNECTIONS)
		return rl.rlim_cur / 2 > 16 ? (unsigned)(rl.rlim_cur / 2) : 16;
	return MAX_CONNECTIONS;
}

static struct MHD_Daemon *
start(struct server *srv, int fd)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD |
			 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;

	return MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET,
		fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_URI_LOG_CALLBACK, on_request_line, srv,
		MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL,
		MHD_OPTION_CONNECTION_LIMIT, srv->max_conns,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->max_per_client,
		MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_S, MHD_OPTION_END);
}

/* Wait until no request is in progress or the clock passes deadline. */
static void
wait_idle(struct server *srv, long deadline)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };

	while (atomic_load(&srv->active) > 0 && rk_now_ms() < deadline)
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
	wait_idle(srv, rk_now_ms() + drain_ms);
	if (atomic_load(&srv->active) > 0) {
		fprintf(stderr,
			"reckon serve: still busy after the drain deadline: "
			"cancelling %d request(s)\n",
			atomic_load(&srv->active));
		rk_interrupt_raise(SIGTERM);
		wait_idle(srv, rk_now_ms() + CANCEL_GRACE_MS);
	}
	MHD_stop_daemon(d);
	if (listen_fd != MHD_INVALID_SOCKET)
		(void)close(listen_fd);
}

/* The port the socket got (port 0 asks the kernel for one). */
static unsigned
bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t n = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &n) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
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
	pthread_t dog;
	char host[NI_MAXHOST];
	int fd = -1;

	if (listen_on(ai, listen, &fd, err) < 0)
		return -1;
	(void)sigemptyset(&block);
	(void)sigaddset(&block, SIGINT);
	(void)sigaddset(&block, SIGTERM);
	(void)sigemptyset(&sa.sa_mask);
	/* blocked before MHD's threads start, so only this thread takes them */
	(void)pthread_sigmask(SIG_BLOCK, &block, &old);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	d = start(srv, fd);
	if (!d) {
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
		(void)close(fd);
		return rk_fail(err, RK_CONFIG,
			       "cannot serve on '%s': the HTTP library did "
			       "not start",
			       listen);
	}
	if (pthread_create(&dog, NULL, watchdog, srv) != 0)
		rk_bug("cannot start the watchdog thread");
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL,
			0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	fprintf(stderr,
		"reckon serve: listening on http://%s%s%s:%u/ (database %s, "
		"migrations %s%s%s)%s\n",
		ai->ai_family == AF_INET6 ? "[" : "", host,
		ai->ai_family == AF_INET6 ? "]" : "", bound_port(fd),
		ctx->db_display, ctx->cfg.dir,
		ctx->cfg.label && *ctx->cfg.label ? ", label " : "",
		ctx->cfg.label && *ctx->cfg.label ? ctx->cfg.label : "",
		*srv->token_sha ? ""
				: "\nreckon serve: no token configured: POST "
				  "endpoints answer 403 (see --token-file)");
	while (!stop_requested)
		(void)sigsuspend(&old);
	drain(srv, d, drain_ms);
	atomic_store(&srv->stopping, 1);
	(void)pthread_join(dog, NULL);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int
serve_run(struct rk_ctx *ctx, const struct serve_opts *o, struct rk_err *err)
{
	const char *listen = o->listen ? o->listen : DEFAULT_LISTEN;
	long drain_ms = DRAIN_MS;
	struct server srv = { .lock = PTHREAD_MUTEX_INITIALIZER,
			      .work_mu = PTHREAD_MUTEX_INITIALIZER,
			      .request_ms = REQUEST_MS,
			      .max_per_client = MAX_PER_CLIENT };
	struct api_response late = { 0 };
	struct rk_err late_err = RK_ERR_INIT;
	struct addrinfo *ai = NULL;
	int rc = -1;

	pthread_condattr_t ca;

	/* a server that runs for weeks gives freed memory back, where the
	 * command line keeps it (cli/main.c): malloc's own thresholds */
	mallopt(M_MMAP_THRESHOLD, 128 << 10);
	mallopt(M_TRIM_THRESHOLD, 128 << 10);
	/* a queued call's deadline is on the monotonic clock */
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&srv.work_cv, &ca) != 0)
		rk_bug("cannot initialise a condition variable");
	(void)pthread_condattr_destroy(&ca);
	if (mhd_load(err) < 0)
		goto out;
	if (o->drain && (drain_ms = cfg_parse_duration_ms(o->drain)) < 0) {
		rk_fail(err, RK_USAGE,
			"--drain: invalid duration '%s' (use e.g. 30s, 500ms, "
			"2m)",
			o->drain);
		goto out;
	}
	if (o->request_timeout && ((srv.request_ms = cfg_parse_duration_ms(
					    o->request_timeout)) <= 0)) {
		rk_fail(err, RK_USAGE,
			"--request-timeout: invalid duration '%s' (use e.g. "
			"10s, 500ms, 1m; more than 0)",
			o->request_timeout);
		goto out;
	}
	srv.max_conns = max_connections();
	if (o->max_per_client >= 0)
		srv.max_per_client = (unsigned)o->max_per_client;
	if (srv.max_per_client > srv.max_conns)
		srv.max_per_client = srv.max_conns;
	if (load_token(o->token_file, &ctx->cfg, srv.token_sha, err) < 0 ||
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
	if (o->pool > API_MAX_DB || o->pool < -1) {
		rk_fail(err, RK_USAGE, "--pool: %d is not between 0 and %d",
			o->pool, API_MAX_DB);
		rk_err_hint(err, "pass --pool 0 to %d", API_MAX_DB);
		goto out;
	}
	if (!(srv.api = api_new(ctx, o->pool, err)))
		goto out;
	/* main's connection proved the database reachable; requests take
	 * theirs from the pool or open their own */
	if (ctx->db) {
		db_close(ctx->db);
		ctx->db = NULL;
	}
	rk_fail(&late_err, RK_USAGE,
		"no complete request within %ldms of the connection's start "
		"or its last answer",
		srv.request_ms);
	rk_err_hint(&late_err, "send the whole request at once");
	api_error(&late, 408, &late_err);
	srv.late_doc = late.body;
	rc = serve_until_signal(&srv, ai, listen, drain_ms, ctx, err);
out:
	free(srv.late_doc);
	api_free(srv.api);
	if (ai)
		freeaddrinfo(ai);
	return rc;
}
