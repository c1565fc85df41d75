/*
 * What the HTTP server's two files share (serve.c: routes, requests and the
 * watchdog; serve_main.c: listening, start-up and the drain), kept out of
 * include/reckon/serve/serve.h, the callers' contract.
 */
#ifndef RECKON_SERVE_INT_H
#define RECKON_SERVE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <microhttpd.h>

#include "reckon/base/buf.h"
#include "reckon/serve/serve.h"

struct rk_err;

/*
 * libmicrohttpd, loaded by mhd_load() when serve starts rather than
 * linked, so that no other command pays for its GnuTLS chain at start-up.
 * The functions serve calls, typed from microhttpd.h and resolved once
 * with dlsym() (serve_mhd.c); the defines below send every call in
 * serve.c and serve_main.c through the table.
 */
#define MHD_FUNCS(X)                                                           \
	X(MHD_add_response_header)                                             \
	X(MHD_create_response_from_buffer)                                     \
	X(MHD_destroy_response)                                                \
	X(MHD_get_connection_info)                                             \
	X(MHD_get_connection_values)                                           \
	X(MHD_lookup_connection_value)                                         \
	X(MHD_queue_response)                                                  \
	X(MHD_quiesce_daemon)                                                  \
	X(MHD_start_daemon)                                                    \
	X(MHD_stop_daemon)
#define MHD_PTR(f) __typeof__(f) *p_##f;
struct mhd_table {
	MHD_FUNCS(MHD_PTR)
};
#undef MHD_PTR
extern struct mhd_table mhd; /* filled once by mhd_load() */

/* Load libmicrohttpd once (thread-safe): 0, or -1 with RK_CONFIG in err
 * naming the library and how to install it. */
int mhd_load(struct rk_err *err);

#define MHD_add_response_header		(mhd.p_MHD_add_response_header)
#define MHD_create_response_from_buffer (mhd.p_MHD_create_response_from_buffer)
#define MHD_destroy_response		(mhd.p_MHD_destroy_response)
#define MHD_get_connection_info		(mhd.p_MHD_get_connection_info)
#define MHD_get_connection_values	(mhd.p_MHD_get_connection_values)
#define MHD_lookup_connection_value	(mhd.p_MHD_lookup_connection_value)
#define MHD_queue_response		(mhd.p_MHD_queue_response)
#define MHD_quiesce_daemon		(mhd.p_MHD_quiesce_daemon)
#define MHD_start_daemon		(mhd.p_MHD_start_daemon)
#define MHD_stop_daemon			(mhd.p_MHD_stop_daemon)

#define DEFAULT_LISTEN	"127.0.0.1:8787"
#define MAX_CONNECTIONS 512u  /* open at once; each has a thread */
#define IDLE_TIMEOUT_S	60u   /* a connection with no progress is closed */
#define REQUEST_MS	10000 /* default --request-timeout */
#define MAX_PER_CLIENT	16    /* default --max-per-client */
#define MAX_WORK                                                               \
	(2 * API_MAX_DB)      /* API calls at once: at work or                 \
			       * waiting for a connection */
#define MAX_QUEUED	128   /* more calls wait for one of those ... */
#define QUEUE_MS	2000  /* ... this long at most; then 503 */
#define MAX_URL		4096u /* longer request targets answer 414 */
#define WATCH_MS	200   /* how often the watchdog looks */
#define TRIM_IDLE_MS	1000  /* idle this long: freed memory goes back */
#define DRAIN_MS	30000 /* default --drain: shutdown waits for runs */
#define CANCEL_GRACE_MS 5000  /* then, after cancelling, for their answers */

/*
 * One open connection (MHD's socket context), from accept to close. The
 * watchdog reads and cuts these under server.lock; MHD closes the socket
 * only after telling us, so a listed fd is still this connection's.
 */
struct conn {
	struct conn *prev, *next; /* in server.conns */
	MHD_socket fd;		  /* MHD's; we only shutdown(2) it */
	long since;		  /* monotonic ms: accepted, or last answer */
	int busy;		  /* a complete request is being answered */
	int seen;		  /* a request line has arrived since */
	int cut;		  /* the watchdog timed it out */
};

/* What every connection thread shares; read-only while serving, but for
 * the counters and the connection list. */
struct server {
	struct api *api;
	char token_sha[65];	 /* SHA-256 (hex) of the token, "" if none */
	int loopback;		 /* listening on a loopback address only */
	long request_ms;	 /* --request-timeout */
	unsigned max_per_client; /* --max-per-client, 0: no cap */
	unsigned max_conns;	 /* connections open at once */
	atomic_int active;	 /* requests begun and not yet completed */
	atomic_long last_done;	 /* monotonic ms the last one completed */
	pthread_mutex_t work_mu; /* guards working and queued */
	pthread_cond_t work_cv;	 /* signalled when a call ends */
	int working;		 /* API calls in their handler */
	int queued;		 /* calls waiting for one to end */
	atomic_int stopping;	 /* tells the watchdog to return */
	pthread_mutex_t lock;	 /* guards conns and each conn */
	struct conn *conns;	 /* open connections, newest first */
	char *late_doc;		 /* the 408's JSON error, owned */
};

/* One request in progress (MHD's per-request pointer). */
struct request {
	long t0;	    /* start, monotonic ms */
	struct rk_buf body; /* the body read so far */
	int too_big;	    /* the body passed API_MAX_BODY */
	int begun;	    /* on_request has seen it */
	unsigned early;	    /* status already answered at the headers */
	const char *target; /* the request target as the library read
			     * it, for the NUL check; borrowed */
	size_t target_len;  /* its length up to the first NUL */
	unsigned char bad;  /* first control byte in it, or 0 */
};

/* serve.c: the request handling that serve_main.c's daemon calls */
enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
			   const char *method, const char *version,
			   const char *upload, size_t *upload_size,
			   void **con_cls);
void *on_request_line(void *cls, const char *uri, struct MHD_Connection *c);
void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		  enum MHD_RequestTerminationCode toe);
void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
		   enum MHD_ConnectionNotificationCode code);
void *watchdog(void *arg);
size_t keep_escapes(void *cls, struct MHD_Connection *c, char *s);

#endif
