/*
 * struct rk_arena: strings with one owner, kept in large blocks and freed
 * all at once (rk_arena_release), for sets of many small strings (a
 * directory scan's names and paths): one allocation per block, not per
 * string, and nothing to walk at release. A string in an arena is never
 * freed on its own. Moving the struct (by value) moves the ownership.
 */
#ifndef RECKON_ARENA_H
#define RECKON_ARENA_H

#include <stddef.h>

struct rk_arena_block;

struct rk_arena {
	struct rk_arena_block *head; /* the newest block; NULL: none */
	size_t left;		     /* bytes free at the end of head */
};
#define RK_ARENA_INIT                                                          \
	{                                                                      \
		NULL, 0                                                        \
	}

/* n bytes (no alignment: for characters), valid until release. */
char *rk_arena_alloc(struct rk_arena *a, size_t n);
/* s[0..n) and a NUL in the arena. */
char *rk_arena_strndup(struct rk_arena *a, const char *s, size_t n);
/* s copied into the arena; NULL stays NULL. */
char *rk_arena_strdup(struct rk_arena *a, const char *s);
/* Move every block of from into a: its strings stay where they are,
 * owned by a; from is empty after. */
void rk_arena_adopt(struct rk_arena *a, struct rk_arena *from);
/* Free every block; the arena is empty (and usable) again. */
void rk_arena_release(struct rk_arena *a);

#endif
