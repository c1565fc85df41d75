/*
 * The hash cache (hcache.h): a text file loaded whole, an open-addressing
 * table by file name, written back to a temporary file and renamed.
 * Loaded strings point into the file's buffer (unescaped in place);
 * strings put by this scan are in the cache's arena. An entry's fields
 * are one run of NUL-terminated strings, each "=value" or "-" (NULL),
 * with any NULs between them skipped (an unescaped field is shorter than
 * its line's text, the rest of which is zeroed): the line itself for a
 * loaded entry, so that an entry is 64 bytes, not 112.
 */
#include "reckon/base/hcache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reckon/base/arena.h"
#include "reckon/base/buf.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

#define MAGIC "reckon-hash-cache"

struct hentry {
	char *name;
	char *fields; /* RK_HCACHE_FIELDS of them, as above */
	struct rk_hstat st;
	int seen; /* found or put by this scan: written back */
};

/* A slot of the table: the name's hash beside its entry, so that a probe
 * compares names only where the hashes agree. */
struct hslot {
	uint32_t idx; /* index + 1 into v; 0 empty */
	uint32_t h;
};

struct rk_hcache {
	char *path; /* NULL: no cache */
	char *key;
	struct rk_buf file;	 /* the loaded file's bytes */
	struct rk_arena strings; /* names and fields put by this scan */
	const char *got[RK_HCACHE_FIELDS]; /* what rk_hcache_get() gives */
	int64_t ref_ns;	  /* entries older than this by the margin are
			   * trusted */
	int64_t start_ns; /* when this scan began */
	struct hentry *v;
	size_t n, cap;
	struct hslot *slot; /* the table by name */
	size_t nslot;	    /* a power of two */
	size_t nloaded;
	int dirty;
	unsigned long hits;
};

void
rk_hstat_from(struct rk_hstat *h, const struct stat *st)
{
	h->dev = (uint64_t)st->st_dev;
	h->ino = (uint64_t)st->st_ino;
	h->size = (uint64_t)st->st_size;
	h->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000LL +
		      st->st_mtim.tv_nsec;
	h->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000LL +
		      st->st_ctim.tv_nsec;
}

/* The fields of an entry, at p, into out (NULL for "-"). */
static void
fields_of(const char *p, const char **out)
{
	for (size_t k = 0; k < RK_HCACHE_FIELDS; k++) {
		while (!*p)
			p++;
		out[k] = *p == '=' ? p + 1 : NULL;
		p += strlen(p);
	}
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

char *
rk_hcache_path(const char *key)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct rk_buf b = RK_BUF_INIT;

	/* the XDG spec: a relative $XDG_CACHE_HOME is ignored */
	if (xdg && xdg[0] == '/')
		rk_buf_adds(&b, xdg);
	else if (home && home[0] == '/')
		rk_buf_addf(&b, "%s/.cache", home);
	else
		return NULL;
	rk_buf_addf(&b, "/reckon/%016llx.v%d", (unsigned long long)fnv1a(key),
		    RK_HCACHE_VERSION);
	return rk_buf_detach(&b, NULL);
}

static size_t
slot_of(const struct rk_hcache *c, const char *name, uint32_t h)
{
	size_t i = (size_t)h & (c->nslot - 1);

	while (c->slot[i].idx && (c->slot[i].h != h ||
				  strcmp(c->v[c->slot[i].idx - 1].name, name)))
		i = (i + 1) & (c->nslot - 1);
	return i;
}

/* The slot of name: where it is, or where it would go. */
static struct hslot *
find_slot(const struct rk_hcache *c, const char *name)
{
	uint32_t h = (uint32_t)fnv1a(name);
	struct hslot *sl = &c->slot[slot_of(c, name, h)];

	sl->h = h; /* an empty slot's hash is only read once it is used */
	return sl;
}

static void
rehash(struct rk_hcache *c)
{
	struct hslot *old = c->slot;
	size_t nold = c->nslot;

	c->nslot = 64;
	while (c->nslot < 2 * c->cap)
		c->nslot *= 2;
	c->slot = xcalloc(c->nslot, sizeof(*c->slot));
	for (size_t k = 0; k < nold; k++)
		if (old[k].idx) {
			const struct hentry *e = &c->v[old[k].idx - 1];
			size_t i = slot_of(c, e->name, old[k].h);

			c->slot[i] = old[k];
		}
	free(old);
}

/* A new entry for name (not in the table yet) in its slot sl, which
 * find_slot() gave; its index. */
static size_t
add_entry(struct rk_hcache *c, struct hslot *sl, char *name,
	  const struct rk_hstat *st)
{
	size_t old = c->cap;
	struct hentry *e;

	rk_grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	e = &c->v[c->n];
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->st = *st;
	c->n++;
	sl->idx = (uint32_t)c->n;
	if (c->cap != old)
		rehash(c);
	return c->n - 1;
}

/* Unescape the field s in place, zeroing the bytes it no longer needs;
 * 0, or -1 when it is malformed. */
static int
unescape(char *s)
{
	char *w;

	s = strchr(s, '\\'); /* most fields have nothing to unescape */
	if (!s)
		return 0;
	for (w = s; *s; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		s++;
		if (*s == '\\')
			*w++ = '\\';
		else if (*s == 't')
			*w++ = '\t';
		else if (*s == 'n')
			*w++ = '\n';
		else
			return -1;
	}
	memset(w, 0, (size_t)(s - w));
	return 0;
}

/* A value field: "-" is NULL, "=..." a value. */
static int
value(char *s, char **out)
{
	if (strcmp(s, "-") == 0) {
		*out = NULL;
		return 0;
	}
	if (s[0] != '=' || unescape(s + 1) < 0)
		return -1;
	*out = s + 1;
	return 0;
}

/* A decimal number (digits only, no sign, no overflow); 0 or -1. */
static int
number(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (*s < '0' || *s > '9')
			return -1;
		/* v * 10 + d would pass UINT64_MAX */
		if (v >= UINT64_MAX / 10 &&
		    (v > UINT64_MAX / 10 || d > UINT64_MAX % 10))
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int
snumber(const char *s, int64_t *out)
{
	uint64_t u;
	int neg = *s == '-';

	if (number(s + neg, &u) < 0 || u > INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

/* Split line at tabs into at most max fields; how many. */
static size_t
split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *t = strchr(line, '\t');

		f[n++] = line;
		if (!t)
			break;
		*t = '\0';
		line = t + 1;
	}
	return n;
}

/* One "f" line (after "f\t"); 0 or -1. */
static int
parse_entry(struct rk_hcache *c, char *line)
{
	char *f[6 + RK_HCACHE_FIELDS + 1];
	struct rk_hstat st;
	char *name, *v;
	struct hslot *sl;
	size_t k;

	if (split_tabs(line, f, 6 + RK_HCACHE_FIELDS + 1) !=
	    6 + RK_HCACHE_FIELDS)
		return -1;
	if (value(f[0], &name) < 0 || !name || number(f[1], &st.dev) < 0 ||
	    number(f[2], &st.ino) < 0 || number(f[3], &st.size) < 0 ||
	    snumber(f[4], &st.mtime_ns) < 0 || snumber(f[5], &st.ctime_ns) < 0)
		return -1;
	sl = find_slot(c, name);
	if (sl->idx)
		return -1; /* a name twice: not a file we wrote */
	k = add_entry(c, sl, name, &st);
	for (size_t i = 0; i < RK_HCACHE_FIELDS; i++)
		if (value(f[6 + i], &v) < 0)
			return -1;
	c->v[k].fields = f[6];
	return 0;
}

/* Parse c->file; 0, or -1 when it is not a whole cache for c->key. */
static int
parse(struct rk_hcache *c)
{
	char *p = c->file.s, *line, *nl, *kv;
	uint64_t count;
	int64_t start;
	size_t nf = 0;
	int state = 0; /* 0 magic, 1 key, 2 start, 3 entries, 4 after end */

	if (!p || c->file.len == 0 || c->file.s[c->file.len - 1] != '\n' ||
	    memchr(p, '\0', c->file.len))
		return -1;
	/* size the table once: one entry a line, at most */
	for (line = p;
	     (line = memchr(line, '\n',
			    (size_t)(c->file.s + c->file.len - line)));
	     line++)
		nf++;
	c->v = xrealloc(c->v, nf * sizeof(*c->v));
	c->cap = nf;
	rehash(c);
	nf = 0;
	for (line = p; line < c->file.s + c->file.len; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		switch (state) {
		case 0:
			if (strncmp(line, MAGIC " ", sizeof(MAGIC)) != 0 ||
			    number(line + sizeof(MAGIC), &count) < 0 ||
			    count != RK_HCACHE_VERSION)
				return -1;
			break;
		case 1:
			if (strncmp(line, "key ", 4) != 0 ||
			    value(line + 4, &kv) < 0 || !kv ||
			    strcmp(kv, c->key) != 0)
				return -1;
			break;
		case 2:
			if (strncmp(line, "start ", 6) != 0 ||
			    snumber(line + 6, &start) < 0)
				return -1;
			if (start < c->ref_ns)
				c->ref_ns = start;
			break;
		case 3:
			if (strncmp(line, "f\t", 2) == 0) {
				if (parse_entry(c, line + 2) < 0)
					return -1;
				nf++;
				continue;
			}
			if (strncmp(line, "end ", 4) != 0 ||
			    number(line + 4, &count) < 0 || count != nf)
				return -1;
			break;
		default:
			return -1; /* anything after the end line */
		}
		state++;
	}
	return state == 4 ? 0 : -1;
}

/*
 * After a load: each entry's name and fields packed to the front of the
 * buffer (one string after another, no NULs between them), the rest (the
 * header, the stat numbers, the tabs) given back, about a third of it.
 */
static void
pack(struct rk_hcache *c)
{
	const char *f[RK_HCACHE_FIELDS];
	char *w = c->file.s, *p;
	uintptr_t was;

	for (size_t i = 0; i < c->n; i++) {
		struct hentry *e = &c->v[i];
		size_t len = strlen(e->name) + 1;

		/* w never passes what is still to be read: the output is
		 * never longer than the lines it comes from */
		fields_of(e->fields, f);
		memmove(w, e->name, len);
		e->name = w;
		w += len;
		e->fields = w;
		for (size_t k = 0; k < RK_HCACHE_FIELDS; k++) {
			*w++ = f[k] ? '=' : '-';
			len = f[k] ? strlen(f[k]) + 1 : 1;
			memmove(w, f[k] ? f[k] : "", len);
			w += len;
		}
	}
	c->file.len = (size_t)(w - c->file.s);
	was = (uintptr_t)c->file.s;
	c->file.s = xrealloc(c->file.s, c->file.len + 1);
	c->file.cap = c->file.len + 1;
	c->file.s[c->file.len] = '\0';
	if ((uintptr_t)c->file.s == was)
		return;
	/* moved (a shrink seldom does): the same walk again */
	p = c->file.s;
	for (size_t i = 0; i < c->n; i++) {
		c->v[i].name = p;
		p += strlen(p) + 1;
		c->v[i].fields = p;
		for (size_t k = 0; k < RK_HCACHE_FIELDS; k++)
			p += strlen(p) + 1;
	}
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
drop_entries(struct rk_hcache *c)
{
	rk_arena_release(&c->strings);
	free(c->v);
	free(c->slot);
	c->v = NULL;
	c->slot = NULL;
	c->n = c->cap = c->nslot = 0;
}

struct rk_hcache *
rk_hcache_open_dir(const char *dir, const char *tag)
{
	char real[PATH_MAX], *path;
	struct rk_buf key = RK_BUF_INIT;
	struct rk_hcache *c;
	struct stat st;

	if (!realpath(dir, real) || stat(real, &st) < 0)
		return rk_hcache_open(NULL, "");
	rk_buf_addf(&key, "%llu:%s:%s", (unsigned long long)st.st_dev, real,
		    tag);
	path = rk_hcache_path(key.s);
	c = rk_hcache_open(path, key.s);
	free(path);
	rk_buf_release(&key);
	return c;
}

struct rk_hcache *
rk_hcache_open(const char *path, const char *key)
{
	struct rk_hcache *c = xcalloc(1, sizeof(*c));
	struct stat st;
	int fd;

	c->start_ns = now_ns();
	c->key = xstrdup(key);
	if (!path)
		return c;
	c->path = xstrdup(path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return c;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return c;
	}
	/* git's rule: nothing is trusted that is not older than the file's
	 * own write (and, below, the start of the scan that wrote it) */
	c->ref_ns =
		(int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	if (rk_buf_read_fd(&c->file, fd) < 0 || parse(c) < 0) {
		drop_entries(c);
		rk_buf_release(&c->file);
		c->ref_ns = 0;
		c->dirty = 1; /* corrupt: rebuild it */
	} else {
		pack(c);
	}
	c->nloaded = c->n;
	return c;
}

const char *const *
rk_hcache_get(struct rk_hcache *c, const char *name, const struct rk_hstat *st)
{
	struct hentry *e;
	size_t i;

	if (!c->slot)
		return NULL;
	i = find_slot(c, name)->idx;
	if (!i)
		return NULL;
	e = &c->v[i - 1];
	if (e->st.dev != st->dev || e->st.ino != st->ino ||
	    e->st.size != st->size || e->st.mtime_ns != st->mtime_ns ||
	    e->st.ctime_ns != st->ctime_ns)
		return NULL;
	if (st->mtime_ns > c->ref_ns - RK_HCACHE_MARGIN_NS ||
	    st->ctime_ns > c->ref_ns - RK_HCACHE_MARGIN_NS)
		return NULL; /* racy: it may have changed in the same tick */
	e->seen = 1;
	c->hits++;
	fields_of(e->fields, c->got);
	return c->got;
}

void
rk_hcache_put(struct rk_hcache *c, const char *name, const struct rk_hstat *st,
	      const char *const *fields)
{
	struct hentry *e;
	struct hslot *sl;
	size_t i, len = 0;
	char *w;

	if (!c->slot)
		rehash(c);
	sl = find_slot(c, name);
	i = sl->idx;
	if (!i)
		i = add_entry(c, sl, rk_arena_strdup(&c->strings, name), st) +
		    1;
	e = &c->v[i - 1];
	e->st = *st;
	for (size_t k = 0; k < RK_HCACHE_FIELDS; k++)
		len += fields[k] ? strlen(fields[k]) + 2 : 2;
	e->fields = w = rk_arena_alloc(&c->strings, len);
	for (size_t k = 0; k < RK_HCACHE_FIELDS; k++) {
		size_t n = fields[k] ? strlen(fields[k]) : 0;

		*w++ = fields[k] ? '=' : '-';
		memcpy(w, fields[k] ? fields[k] : "", n + 1);
		w += n + 1;
	}
	e->seen = 1;
	c->dirty = 1;
}

size_t
rk_hcache_count(const struct rk_hcache *c)
{
	return c->nloaded;
}

unsigned long
rk_hcache_hits(const struct rk_hcache *c)
{
	return c->hits;
}

static void
add_escaped(struct rk_buf *b, const char *s)
{
	if (!s) {
		rk_buf_addc(b, '-');
		return;
	}
	rk_buf_addc(b, '=');
	for (; *s; s++) {
		if (*s == '\\')
			rk_buf_adds(b, "\\\\");
		else if (*s == '\t')
			rk_buf_adds(b, "\\t");
		else if (*s == '\n')
			rk_buf_adds(b, "\\n");
		else
			rk_buf_addc(b, *s);
	}
}

/* mkdir -p of path's directory (mode 0700); 0 or -1. */
static int
make_dirs(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Write b out to fd and empty it; 0, or -1 when the write failed. */
static int
flush_to(int fd, struct rk_buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t w = write(fd, b->s + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	rk_buf_reset(b);
	return 0;
}

/* The file goes out 64 KiB at a time: a whole 100,000-entry cache in
 * one buffer would be tens of megabytes more at the scan's end. */
static void
write_out(struct rk_hcache *c)
{
	struct rk_buf b = RK_BUF_INIT, tmp = RK_BUF_INIT;
	const char *v[RK_HCACHE_FIELDS];
	size_t count = 0;
	int fd, ok = 1;

	rk_buf_addf(&tmp, "%s.XXXXXX", c->path);
	fd = make_dirs(tmp.s) < 0 ? -1 : mkstemp(tmp.s);
	if (fd < 0)
		goto out;
	rk_buf_addf(&b, MAGIC " %d\nkey ", RK_HCACHE_VERSION);
	add_escaped(&b, c->key);
	rk_buf_addf(&b, "\nstart %lld\n", (long long)c->start_ns);
	for (size_t i = 0; ok && i < c->n; i++) {
		const struct hentry *e = &c->v[i];

		if (!e->seen)
			continue;
		rk_buf_adds(&b, "f\t");
		add_escaped(&b, e->name);
		rk_buf_addf(&b, "\t%llu\t%llu\t%llu\t%lld\t%lld",
			    (unsigned long long)e->st.dev,
			    (unsigned long long)e->st.ino,
			    (unsigned long long)e->st.size,
			    (long long)e->st.mtime_ns,
			    (long long)e->st.ctime_ns);
		fields_of(e->fields, v);
		for (size_t k = 0; k < RK_HCACHE_FIELDS; k++) {
			rk_buf_addc(&b, '\t');
			add_escaped(&b, v[k]);
		}
		rk_buf_addc(&b, '\n');
		count++;
		if (b.len >= 65536)
			ok = flush_to(fd, &b) == 0;
	}
	rk_buf_addf(&b, "end %zu\n", count);
	if (!ok || flush_to(fd, &b) < 0)
		ok = 0;
	if (close(fd) < 0)
		ok = 0;
	if (!ok || rename(tmp.s, c->path) < 0)
		unlink(tmp.s);
out:
	rk_buf_release(&tmp);
	rk_buf_release(&b);
}

void
rk_hcache_discard(struct rk_hcache *c)
{
	if (!c)
		return;
	drop_entries(c);
	rk_buf_release(&c->file);
	free(c->path);
	free(c->key);
	free(c);
}

void
rk_hcache_close(struct rk_hcache *c)
{
	size_t kept = 0;

	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		kept += c->v[i].seen;
	/* an entry loaded but not seen: a file that went away */
	if (c->path && (c->dirty || kept != c->nloaded))
		write_out(c);
	rk_hcache_discard(c);
}
