/*
 * The HTTP API's request handlers (serve/serve_api.c), kept free of the HTTP
 * library so that they can be tested without a socket: each takes the
 * decoded request (path parameter and body) and fills a status and a JSON
 * document, calling the same ops and JSON renderers as the CLI. serve/serve.c
 * owns the sockets, the route table, authentication and the access log.
 * Not here: anything that parses HTTP.
 */
#ifndef RECKON_SERVE_H
#define RECKON_SERVE_H

#include <stddef.h>

struct rk_buf;
struct rk_ctx;
struct rk_err;

/* What reckon serve was asked for (cmd.c parses it); NULL or -1: the
 * default. Durations in the shared grammar. */
struct serve_opts {
	const char *listen;	     /* ADDR:PORT, default 127.0.0.1:8787 */
	const char *token_file;	     /* the bearer token's file */
	const char *drain;	     /* how long runs may finish on SIGTERM */
	const char *request_timeout; /* deadline for a complete request */
	int max_per_client;	     /* connections one address may hold */
	int pool; /* PostgreSQL connections kept open between requests */
};

/* Serve the HTTP API and dashboard (serve_main.c) until SIGINT or
 * SIGTERM; a bad option value is an RK_USAGE error. */
int serve_run(struct rk_ctx *ctx, const struct serve_opts *o,
	      struct rk_err *err);

/* Request bodies larger than this are refused with 413. */
#define API_MAX_BODY (1024u * 1024u)

/*
 * Database connections open at once across all requests; a request waits
 * for a free one. Keeps a burst of requests within PostgreSQL's
 * max_connections (100 by default).
 */
#define API_MAX_DB 16

/* Default --pool: idle PostgreSQL connections kept for the next request
 * (at most API_MAX_DB). */
#define API_POOL_DEFAULT 4

/* The settings every request starts from (opaque; see api_new()). */
struct api;

/* One request, as the router hands it over. */
struct api_request {
	const char *param; /* the decoded :filename segment, or NULL */
	size_t param_len;  /* its length (it may hold NUL bytes) */
	const char *body;  /* the request body, or NULL when empty */
	size_t body_len;
};

/* What a handler answers. */
struct api_response {
	unsigned status; /* HTTP status code */
	char *body;	 /* owned (malloc): a JSON document */
};

/*
 * Capture what requests need from ctx (main's setup): a copy of the
 * configuration, the redacted database name, the migrations directory
 * resolved to an absolute path, and the database kind. ctx is not used
 * afterwards. A missing directory is an RK_CONFIG error. Free with
 * api_free().
 */
/* pool: --pool, or -1 for API_POOL_DEFAULT */
struct api *api_new(const struct rk_ctx *ctx, int pool, struct rk_err *err);
void api_free(struct api *api);

/*
 * The handlers, one per endpoint of SPEC.md's table. Each opens its own
 * database connection (at most API_MAX_DB at once), so they may run in
 * parallel threads on one api. They never fail: errors become a 4xx/5xx
 * status and json_error()'s document.
 */
void api_status(struct api *api, const struct api_request *rq,
		struct api_response *out);
void api_run(struct api *api, const struct api_request *rq,
	     struct api_response *out);
void api_mark_applied(struct api *api, const struct api_request *rq,
		      struct api_response *out);
void api_preview(struct api *api, const struct api_request *rq,
		 struct api_response *out);
void api_check(struct api *api, const struct api_request *rq,
	       struct api_response *out);
void api_detect_schema(struct api *api, const struct api_request *rq,
		       struct api_response *out);
void api_history(struct api *api, const struct api_request *rq,
		 struct api_response *out);
void api_current(struct api *api, const struct api_request *rq,
		 struct api_response *out);
void api_detect(struct api *api, const struct api_request *rq,
		struct api_response *out);
void api_unmark(struct api *api, const struct api_request *rq,
		struct api_response *out);
void api_repair(struct api *api, const struct api_request *rq,
		struct api_response *out);
/* The applied bytes (where reckon keeps them) beside the file's. */
void api_applied(struct api *api, const struct api_request *rq,
		 struct api_response *out);
/* {"database", "engine", "server_version", "user", "label"} */
void api_server(struct api *api, const struct api_request *rq,
		struct api_response *out);

/* Fill out with status and json_error()'s document for err. */
void api_error(struct api_response *out, unsigned status,
	       const struct rk_err *err);

/*
 * Decode the %XX escapes of s[0..n) into out (which may then hold NUL
 * bytes). A '%' not followed by two hex digits is an RK_USAGE error.
 */
int api_decode(const char *s, size_t n, struct rk_buf *out, struct rk_err *err);

/*
 * Check a decoded preview name: one plain ".sql" file name (no '/', no
 * "..", no NUL or control character, no leading '.', nothing left that
 * decodes again) naming a regular file that, with symlinks resolved, lies
 * inside dir_real (an absolute path without symlinks). On success the
 * resolved path is appended to path and 0 returned; otherwise err says why
 * and the HTTP status to answer is returned: 400 for a refused name, 403
 * for a file outside the directory, 404 for no such file.
 */
unsigned api_check_name(const char *dir_real, const char *name, size_t n,
			struct rk_buf *path, struct rk_err *err);

#endif
