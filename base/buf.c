/*
 * struct rk_buf: a growable NUL-terminated buffer. Allocation failure
 * aborts (util.h), so appending never fails.
 */
#include "reckon/base/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reckon/base/util.h"
#include "reckon/base/banned.h"

char rk_buf_empty[1];

void
rk_buf_init(struct rk_buf *b)
{
	b->s = rk_buf_empty;
	b->len = 0;
	b->cap = 0;
}

void
rk_buf_release(struct rk_buf *b)
{
	if (b->cap)
		free(b->s);
	rk_buf_init(b);
}

void
rk_buf_grow(struct rk_buf *b, size_t n)
{
	size_t want = b->len + n + 1, cap;

	if (want <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	if (b->cap) {
		b->s = xrealloc(b->s, cap);
	} else {
		b->s = xmalloc(cap);
		b->s[0] = '\0';
	}
	b->cap = cap;
}

void
rk_buf_add(struct rk_buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	rk_buf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
rk_buf_adds(struct rk_buf *b, const char *s)
{
	rk_buf_add(b, s, strlen(s));
}

void
rk_buf_addc(struct rk_buf *b, char c)
{
	rk_buf_add(b, &c, 1);
}

void
rk_buf_add_utf8_escaped(struct rk_buf *b, const char *s, size_t n)
{
	while (n) {
		size_t ok = rk_utf8_check(s, n);

		rk_buf_add(b, s, ok);
		if (ok == n)
			break;
		rk_buf_addf(b, "\\x%02x", (unsigned char)s[ok]);
		s += ok + 1;
		n -= ok + 1;
	}
}

void
rk_buf_addf(struct rk_buf *b, const char *fmt, ...)
{
	size_t room = b->cap ? b->cap - b->len : 0;
	va_list ap;
	int n;

	/* formatted once when it fits in the room the buffer has */
	va_start(ap, fmt);
	n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n <= 0) {
		if (room)
			b->s[b->len] = '\0';
		return;
	}
	if ((size_t)n < room) {
		b->len += (size_t)n;
		return;
	}
	rk_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
rk_buf_reset(struct rk_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->s[0] = '\0';
}

char *
rk_buf_detach(struct rk_buf *b, size_t *len)
{
	char *s;

	if (len)
		*len = b->len;
	s = b->cap ? b->s : xstrdup("");
	rk_buf_init(b);
	return s;
}

int
rk_buf_read_file(struct rk_buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	return rk_buf_read_fd(b, fd);
}

int
rk_buf_read_regular(struct rk_buf *b, const char *path)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return rk_buf_read_fd(b, fd);
}

int
rk_buf_read_fd(struct rk_buf *b, int fd)
{
	struct stat st;
	size_t start = b->len, want = 0;
	int saved;

	/* a regular file's size saves growing and the read that finds EOF */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		want = (size_t)st.st_size;
		if (!b->cap) { /* a new buffer: the file exactly, not the next
				* power of two (a large file is megabytes) */
			b->s = xmalloc(want + 1);
			b->s[0] = '\0';
			b->cap = want + 1;
		}
		rk_buf_grow(b, want);
	}
	for (;;) {
		ssize_t r;

		if (want && b->len - start >= want)
			break;
		rk_buf_grow(b, want ? want - (b->len - start) : 65536);
		r = read(fd, b->s + b->len, b->cap - b->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
	}
	b->s[b->len] = '\0';
	close(fd);
	return 0;
}
