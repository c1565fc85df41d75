/*
 * Targets: what --to VERSION and --steps N (and the API's "to" and
 * "steps") name, checked against the files and the tracking table before
 * anything runs (SPEC.md "Shared grammars"). A target that names nothing
 * is a usage error listing the nearest versions, never a silent "apply
 * everything" or "nothing to do". Not here: applying or reverting
 * (runner.c).
 */
#ifndef RECKON_TARGET_H
#define RECKON_TARGET_H

#include <stddef.h>

struct detector;
struct down_opts;
struct rk_err;
struct rk_session;
struct run_opts;
struct status_entry;

/* "+N" or "-N" with N digits: the sign ('+' or '-') in *sign and N in
 * *steps, returning 1; 0 (nothing set) if spec is not that form. */
int target_relative(const char *spec, int *sign, long *steps);

/* --steps N / "steps": N must be at least 1, else RK_USAGE. */
int target_steps(const char *cmd, long n, struct rk_err *err);

/*
 * A run's options with o->to resolved against s into *eff: a version as
 * the files spell it or as the framework normalises it (Diesel
 * 2025-08-01-000015 or 20250801000015, Flyway V5 or 5), a file name, a
 * stored identifier (Alembic revision), head/heads (everything; head
 * must be the only head of a revision graph), or +N (the next N).
 * eff->to then borrows the normalised version from s; in a revision
 * graph eff->within (owned: free it) marks the files under the target,
 * its ancestors, which alone it applies.
 * Errors (RK_USAGE): an empty target, base or -N (nothing to apply), a
 * target that names no migration (the message lists the nearest), one
 * that names several versions, or one without a version.
 */
int target_for_run(const struct rk_session *s, const struct run_opts *o,
		   struct run_opts *eff, struct rk_err *err);

/* target_for_run for another command that goes forward (mark-applied
 * --to): its messages name cmd. */
int target_for_apply(const char *cmd, const struct rk_session *s,
		     const struct run_opts *o, struct run_opts *eff,
		     struct rk_err *err);
struct mig_file;
/* Whether s's files form a revision graph whose heads its table records
 * (Alembic). */
int target_graph(const struct rk_session *s);
/* In such a graph, which files lie under the file whose version is
 * version (itself and its ancestors): owned, one byte per file of s, or
 * NULL when s has no graph. */
unsigned char *target_under(const struct rk_session *s, const char *version);

/* Whether the run with resolved options o (target_for_run) may apply f,
 * a file of s: under its --to (a version at most, or in a revision graph
 * an ancestor of the target or the target itself). */
int target_within(const struct rk_session *s, const struct run_opts *o,
		  const struct mig_file *f);

/*
 * The same for down: a version as for run (undo everything newer), base
 * or 0 (undo every applied migration; 0 only when no migration has
 * version 0), or -N (the newest N). Errors as for run; head and +N name
 * nothing to undo.
 */
int target_for_down(const struct rk_session *s, const struct down_opts *o,
		    struct down_opts *eff, struct rk_err *err);

/*
 * The pending entries a mark-applied target names, in order, into *v
 * (owned; the entries borrowed from s): heads (in a revision graph its
 * pending heads, which record their ancestors with them; else every
 * pending file), head (the same, but a graph must have only one), +N (the
 * next N pending). Returns 1 with nothing set when spec is no such
 * target (a name), -1 with RK_USAGE for base, -N, a bad N or an
 * ambiguous head.
 */
int target_for_mark(const struct rk_session *s, const char *spec,
		    const struct status_entry ***v, size_t *n,
		    struct rk_err *err);

/*
 * Before down touches anything: every one of the n entries to undo must
 * have a file, be SQL and have a down script (a .down.sql or U file, or a
 * down section, as det's markers say). RK_CHECK naming every one that
 * does not; 0 otherwise.
 */
int target_check_down(const struct detector *det,
		      const struct status_entry *const *v, size_t n,
		      struct rk_err *err);

#endif
