/*
 * SIGINT and SIGTERM during a run or down: the first signal cancels the
 * statement running on the watched connection (db_cancel(), which is
 * async-signal-safe) and leaves a flag the runner checks between
 * statements, so it rolls back, releases its lock and reports what
 * committed; a second signal says so and exits at once (130 / 143).
 * The one piece of process-wide state in reckon, because a signal handler
 * can reach nothing else.
 */
#ifndef RECKON_INTERRUPT_H
#define RECKON_INTERRUPT_H

struct db;

/* Install the handlers for SIGINT and SIGTERM (the CLI's run and down). */
void rk_interrupt_install(void);
/* Add db to the connections whose statements a signal cancels (up to 64
 * at once: serve runs one per request thread), or take it off again. */
void rk_interrupt_watch(struct db *db);
void rk_interrupt_unwatch(struct db *db);
/* The signal that arrived (SIGINT, SIGTERM), or 0. */
int rk_interrupted(void);
/* Act as if sig had arrived (serve's drain deadline, tests). */
void rk_interrupt_raise(int sig);
/* The exit code for an interrupted command: 128 + the signal. */
int rk_interrupt_exit_code(void);

#endif
