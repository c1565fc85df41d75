/*
 * reckon wait and --wait-for-db: poll db_ping() until the server accepts
 * connections or the time is up.
 */
#include "reckon/core/wait.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "reckon/base/err.h"
#include "reckon/core/ops.h"
#include "reckon/db/db.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

/* Time between two tries. */
#define WAIT_STEP_MS 500

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* "60s", "1.5s", "250ms" */
static void
show_ms(int ms, char *out, size_t n)
{
	if (ms % 1000 == 0)
		snprintf(out, n, "%ds", ms / 1000);
	else if (ms < 1000)
		snprintf(out, n, "%dms", ms);
	else
		snprintf(out, n, "%.1fs", ms / 1000.0);
}

/* The time is up: connect once more for libpq's own words on why. */
static int
give_up(const char *url, const struct db_opts *o, int timeout_ms,
	struct wait_report *r, const struct rk_err *last, struct rk_err *err)
{
	char within[32];
	struct db *db;

	if (db_open(url, o, &db, err) == 0) {
		/* it came up just now */
		db_close(db);
		r->attempts++;
		r->waited_ms = timeout_ms;
		return 0;
	}
	if (err->kind != RK_DB)
		*err = *last;
	show_ms(timeout_ms, within, sizeof(within));
	rk_err_prefix(err, "gave up waiting after %s (%d tries)", within,
		      r->attempts);
	rk_err_hint(err, "start the server, or wait longer (reckon wait "
			 "--timeout DURATION, --wait-for-db=DURATION)");
	return -1;
}

int
op_wait(struct rk_ctx *ctx, int timeout_ms, struct wait_report *r,
	struct rk_err *err)
{
	const char *url = ctx->cfg.db_url;
	struct db_opts o;
	long start = rk_now_ms();
	enum db_kind kind;

	memset(r, 0, sizeof(*r));
	if (!url)
		return rk_fail(err, RK_CONFIG, "no database given");
	if (db_kind_of_url(url, &kind, err) < 0)
		return -1;
	if (kind == DB_SQLITE) {
		r->no_server = 1;
		r->attempts = 0;
		return 0;
	}
	ctx_db_opts(&ctx->cfg, &o);
	for (;;) {
		struct rk_err last = RK_ERR_INIT;
		long elapsed = rk_now_ms() - start;
		long left = timeout_ms - elapsed;
		int rc;

		/* a try may not outlast the wait (libpq: whole seconds) */
		o.connect_timeout_ms = left > 0 ? (int)left : 1;
		if (ctx->cfg.connect_timeout_ms > 0 &&
		    ctx->cfg.connect_timeout_ms < left)
			o.connect_timeout_ms = ctx->cfg.connect_timeout_ms;
		rc = db_ping(url, &o, &last);
		r->attempts++;
		elapsed = rk_now_ms() - start;
		if (rc == 0) {
			r->waited_ms = elapsed;
			return 0;
		}
		if (rc < 0) {
			*err = last;
			return -1;
		}
		if (elapsed >= timeout_ms)
			return give_up(url, &o, timeout_ms, r, &last, err);
		left = timeout_ms - elapsed;
		sleep_ms(left < WAIT_STEP_MS ? left : WAIT_STEP_MS);
	}
}
