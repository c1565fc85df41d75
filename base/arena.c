/*
 * The string arena (arena.h): blocks of 64 KiB, each handing out its
 * bytes from the front; a string longer than a quarter of that gets a
 * block of its own, behind the current one, so the current block's free
 * end is kept for the small strings that follow.
 */
#include "reckon/base/arena.h"

#include <stdlib.h>
#include <string.h>

#include "reckon/base/util.h"
#include "reckon/base/banned.h"

enum { BLOCK = 65536 };

struct rk_arena_block {
	struct rk_arena_block *next;
	size_t size; /* bytes in data */
	char data[];
};

static struct rk_arena_block *
new_block(size_t size)
{
	struct rk_arena_block *b = xmalloc(sizeof(*b) + size);

	b->next = NULL;
	b->size = size;
	return b;
}

char *
rk_arena_alloc(struct rk_arena *a, size_t n)
{
	struct rk_arena_block *b;

	if (n <= a->left) {
		a->left -= n;
		return a->head->data + a->head->size - a->left - n;
	}
	if (n > BLOCK / 4) {
		b = new_block(n);
		if (a->head) { /* behind the current block */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			a->head = b; /* full from the start */
			a->left = 0;
		}
		return b->data;
	}
	b = new_block(BLOCK - sizeof(*b));
	b->next = a->head;
	a->head = b;
	a->left = b->size - n;
	return b->data;
}

char *
rk_arena_strndup(struct rk_arena *a, const char *s, size_t n)
{
	char *p = rk_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
rk_arena_strdup(struct rk_arena *a, const char *s)
{
	return s ? rk_arena_strndup(a, s, strlen(s)) : NULL;
}

void
rk_arena_adopt(struct rk_arena *a, struct rk_arena *from)
{
	struct rk_arena_block *last = from->head;

	if (!last)
		return;
	if (!a->head) {
		*a = *from;
	} else { /* behind a's current block, whose free end stays in use */
		while (last->next)
			last = last->next;
		last->next = a->head->next;
		a->head->next = from->head;
	}
	from->head = NULL;
	from->left = 0;
}

void
rk_arena_release(struct rk_arena *a)
{
	struct rk_arena_block *b = a->head;

	while (b) {
		struct rk_arena_block *next = b->next;

		free(b);
		b = next;
	}
	a->head = NULL;
	a->left = 0;
}
