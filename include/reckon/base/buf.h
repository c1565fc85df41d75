/*
 * A growable, always NUL-terminated byte buffer (after git's strbuf). Used for
 * SQL text, file contents and rendered output. Not for binary-safe parsing:
 * the parsers take (s, n) and never allocate per token.
 */
#ifndef RECKON_BUF_H
#define RECKON_BUF_H

#include <stddef.h>

struct rk_buf {
	char *s;    /* owned; "" (static) while cap == 0, never NULL */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
};

extern char rk_buf_empty[];
#define RK_BUF_INIT                                                            \
	{                                                                      \
		rk_buf_empty, 0, 0                                             \
	}

void rk_buf_init(struct rk_buf *b);
/* Free the memory and reset to RK_BUF_INIT. */
void rk_buf_release(struct rk_buf *b);
/* Make sure n more bytes fit. */
void rk_buf_grow(struct rk_buf *b, size_t n);
void rk_buf_add(struct rk_buf *b, const void *p, size_t n);
void rk_buf_adds(struct rk_buf *b, const char *s);
void rk_buf_addc(struct rk_buf *b, char c);
__attribute__((format(printf, 2, 3))) void rk_buf_addf(struct rk_buf *b,
						       const char *fmt, ...);
/*
 * Append s[0..n) with every byte that is not part of valid UTF-8 (and
 * every NUL) written as \xNN, so that the result is always UTF-8: for
 * names from the file system or a database that JSON must carry.
 */
void rk_buf_add_utf8_escaped(struct rk_buf *b, const char *s, size_t n);
/* Empty the buffer, keeping the memory. */
void rk_buf_reset(struct rk_buf *b);
/* Hand the string over to the caller (who frees it); b is reset. */
char *rk_buf_detach(struct rk_buf *b, size_t *len);

/*
 * Read a whole file into b (appending). Returns 0, or -1 with errno set.
 */
int rk_buf_read_file(struct rk_buf *b, const char *path);
/* The same for a regular file only: a FIFO, device or directory is -1
 * (errno EINVAL) without blocking. For the files a detector peeks into
 * for evidence, where the scan itself reports what is not a file. */
int rk_buf_read_regular(struct rk_buf *b, const char *path);
/* The same for an open file descriptor, which it closes. */
int rk_buf_read_fd(struct rk_buf *b, int fd);

#endif
