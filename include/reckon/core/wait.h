/*
 * Waiting until the database server accepts connections: `reckon wait`
 * and --wait-for-db, for a deploy that starts beside its database (a
 * container's start-up), as dbmate's wait does. Not here: connecting
 * itself (ctx_open_db).
 */
#ifndef RECKON_WAIT_H
#define RECKON_WAIT_H

struct rk_ctx;
struct rk_err;

/* Used when --wait-for-db or reckon wait names no duration. */
#define RK_WAIT_DEFAULT_MS 60000

struct wait_report {
	long waited_ms; /* from the first try to the one that succeeded */
	int attempts;	/* tries made, the successful one included */
	int no_server;	/* SQLite: there is no server, nothing to wait for */
};

/*
 * Try ctx->cfg's database (db_ping: the server answers, whatever it says
 * about the login) every half second until it accepts connections or
 * timeout_ms has passed. Each try gives up after what is left (libpq's
 * connect_timeout, at least 2 s). Timed out: an RK_DB error with the
 * last reason; settings that are not valid: db_open's error at once.
 */
int op_wait(struct rk_ctx *ctx, int timeout_ms, struct wait_report *r,
	    struct rk_err *err);

#endif
