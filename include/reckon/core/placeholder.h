/*
 * Flyway placeholders: ${name} in the files of a Flyway directory,
 * replaced in the SQL that runs, from reckon.yaml's placeholders: and
 * --placeholder, plus Flyway's built-ins ${flyway:user} and the like.
 * Names match without regard to case, as in Flyway's
 * PlaceholderReplacer. Not here: other frameworks, which run ${x} as
 * written.
 */
#ifndef RECKON_PLACEHOLDER_H
#define RECKON_PLACEHOLDER_H

#include <stddef.h>

struct rk_buf;
struct rk_ctx;
struct rk_err;
struct rk_session;

/*
 * Append s[0..n) to out with every ${name} replaced by its value from
 * vars ("name=value" lines), ${flyway:filename} by the base name of
 * name. An unknown placeholder is an RK_CONFIG error naming path and
 * its line.
 */
int ph_replace(const char *s, size_t n, const char *vars, const char *path,
	       const char *name, struct rk_buf *out, struct rk_err *err);

/*
 * For a Flyway session: set s->placeholders to the user's values and
 * the built-ins, read every SQL file once to check its placeholders,
 * and checksum repeatables after replacement (frameworks.md §15).
 * Other frameworks: nothing, s->placeholders stays NULL.
 */
int ph_session(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err);

#endif
