/*
 * A file-name rule of the user's own, for a directory that follows no
 * convention reckon knows: reckon.yaml's files: {pattern: '...'}, a PCRE2
 * pattern whose named group "version" gives the version and "name" (if
 * present) the description. Compiled once (with JIT where the library
 * has it); matching is pure, a name in and fields out. Not here: reading
 * directories (migfile.h) or the config file (config.h).
 */
#ifndef RECKON_MIGPATTERN_H
#define RECKON_MIGPATTERN_H

struct migname;
struct migpattern;
struct rk_err;

/*
 * Compile pattern, which must match a whole file name (it is anchored at
 * both ends) and have a group named "version". A pattern that does not
 * compile (the message says what and at which character) or has no
 * version group is an RK_CONFIG error, without saying where it was
 * written: the caller prefixes that. Free the result with
 * migpattern_free().
 */
struct migpattern *migpattern_new(const char *pattern, struct rk_err *err);
void migpattern_free(struct migpattern *p);

/* The pattern's text, as given; borrowed from p. */
const char *migpattern_source(const struct migpattern *p);

/*
 * Match name (no directory part) against p. Returns 0 and fills out (an
 * up migration of the plain convention, version and desc from the groups)
 * when the whole name matches with a non-empty version that fits the
 * fields; -1 otherwise.
 */
int migpattern_parse(struct migpattern *p, const char *name,
		     struct migname *out);

#endif
