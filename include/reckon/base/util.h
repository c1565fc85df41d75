/*
 * Small helpers every module uses: allocation that never returns NULL (an
 * out-of-memory condition aborts, as git's xmalloc does: atomicity comes from
 * the database transaction, not from unwinding), and rk_bug() for states the
 * code never expects. Not for I/O or error reporting to the user (err.h).
 */
#ifndef RECKON_UTIL_H
#define RECKON_UTIL_H

#include <stddef.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* malloc/calloc/realloc/strdup that abort on failure; never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Free the n strings of v, then v (either may be NULL/0). */
void rk_strv_free(char **v, size_t n);

/*
 * Grow *p (an array of elements of size elem) so that it holds at least
 * want elements; *cap is its current capacity, updated in place.
 */
void rk_grow(void **p, size_t *cap, size_t want, size_t elem);

/* Report an internal error (a bug in reckon) and abort. */
__attribute__((noreturn, format(printf, 1, 2))) void rk_bug(const char *fmt,
							    ...);

/*
 * Compare two version strings as numbers segment by segment: runs of
 * digits compare by value (leading zeros ignored, any length), other
 * characters byte-wise; "1.10" > "1.9", "20240101" < "20240102".
 * Returns <0, 0, >0 like strcmp.
 */
int rk_vercmp(const char *a, const char *b);

/*
 * The Levenshtein distance between a and b (insertions, deletions and
 * substitutions of one byte each), for "did you mean" suggestions; strings
 * longer than 63 bytes count as far from everything (SIZE_MAX).
 */
size_t rk_edit_distance(const char *a, const char *b);

/* 1 if the n bytes at s are valid UTF-8 without NUL bytes, else 0. */
int rk_utf8_valid(const char *s, size_t n);
/* Offset of the first byte that makes s invalid UTF-8 (or is NUL), or n. */
size_t rk_utf8_check(const char *s, size_t n);

/* Line number (1-based) of byte offset off in s. */
unsigned rk_line_of(const char *s, size_t off);

/* The value of the hex digit c (either case), or -1. */
int rk_hex_digit(char c);

/* Milliseconds on the monotonic clock. */
long rk_now_ms(void);
/* *at = the monotonic clock ms milliseconds from now, as
 * pthread_cond_timedwait() takes it on a CLOCK_MONOTONIC condition. */
void rk_deadline(struct timespec *at, long ms);

#endif
