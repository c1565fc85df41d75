/*
 * Signal handling for runs (see interrupt.h). The handler only stores the
 * signal, calls db_cancel() and, on a second signal, write(2)s one line
 * and _exit()s: all async-signal-safe.
 */
#include "reckon/core/interrupt.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "reckon/db/db.h"
#include "reckon/base/banned.h"

#define MAX_WATCHED 64

static volatile sig_atomic_t got_signal;
/* lock-free atomics: safe to read from a handler and from threads */
static _Atomic(struct db *) watched[MAX_WATCHED];

static void
cancel_all(void)
{
	for (int i = 0; i < MAX_WATCHED; i++) {
		struct db *db = atomic_load(&watched[i]);

		if (db)
			db_cancel(db);
	}
}

static void
on_signal(int sig)
{
	if (got_signal) {
		static const char msg[] =
			"\nreckon: interrupted again: exiting now, without "
			"waiting for the rollback (the server rolls back the "
			"open transaction itself)\n";

		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		_exit(128 + sig);
	}
	got_signal = sig;
	cancel_all();
}

void
rk_interrupt_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns EINTR */
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
}

void
rk_interrupt_watch(struct db *db)
{
	for (int i = 0; i < MAX_WATCHED; i++) {
		struct db *none = NULL;

		if (atomic_compare_exchange_strong(&watched[i], &none, db))
			break;
	}
	/* (more than MAX_WATCHED at once: the rest only see the flag) */
	if (got_signal)
		db_cancel(db);
}

void
rk_interrupt_unwatch(struct db *db)
{
	for (int i = 0; i < MAX_WATCHED; i++) {
		struct db *mine = db;

		if (atomic_compare_exchange_strong(&watched[i], &mine, NULL))
			break;
	}
}

int
rk_interrupted(void)
{
	return got_signal;
}

void
rk_interrupt_raise(int sig)
{
	if (!got_signal)
		got_signal = sig;
	cancel_all();
}

int
rk_interrupt_exit_code(void)
{
	return got_signal ? 128 + got_signal : 0;
}
