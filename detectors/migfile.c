/*
 * Discovering and reading migration files. The directory listing is sorted
 * by version with rk_vercmp so "V10" follows "V9"; a down script is not a
 * migration of its own but the undo of the up file with the same version.
 */
#include "reckon/detectors/migfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reckon/base/buf.h"
#include "reckon/base/hcache.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/parsers/migpattern.h"
#include "reckon/base/crypto.h"
#include "reckon/base/banned.h"

/* SHA-256 with an algorithm fetched once (EVP_sha256() looks it up on
 * every call, which shows when hashing ten thousand files). */
static void
sha256_with(const EVP_MD *alg, const void *s, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(s, n, md, &len, alg, NULL))
		rk_bug("EVP_Digest(sha256) failed");
	for (unsigned i = 0; i < len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * len] = '\0';
}

void
rk_sha256_hex(const void *s, size_t n, char out[65])
{
	sha256_with(EVP_sha256(), s, n, out);
}

void
mig_set_release(struct mig_set *s)
{
	rk_arena_release(&s->strings);
	free(s->v);
	for (size_t i = 0; i < s->nignored; i++) {
		free(s->ignored[i].name);
		free(s->ignored[i].version);
	}
	free(s->ignored);
	free(s->dir);
	memset(s, 0, sizeof(*s));
}

/* s copied, or NULL */
static char *
copy_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Each string of a file is copied here: a member added to struct
 * mig_file belongs here too. */
void
mig_set_copy(struct mig_set *to, const struct mig_set *from)
{
	struct rk_arena *a = &to->strings;

	*to = (struct mig_set)MIG_SET_INIT;
	to->dir = copy_or_null(from->dir);
	to->n = to->cap = from->n;
	to->v = from->n ? xcalloc(from->n, sizeof(*to->v)) : NULL;
	for (size_t i = 0; i < from->n; i++) {
		const struct mig_file *f = &from->v[i];
		struct mig_file *t = &to->v[i];

		*t = *f;
		t->name = rk_arena_strdup(a, f->name);
		t->path = rk_arena_strdup(a, f->path);
		t->version = rk_arena_strdup(a, f->version);
		t->desc = rk_arena_strdup(a, f->desc);
		t->down_name = rk_arena_strdup(a, f->down_name);
		t->id = rk_arena_strdup(a, f->id);
		t->parent = rk_arena_strdup(a, f->parent);
		t->checksum = rk_arena_strdup(a, f->checksum);
		t->token_hash = NULL;
		t->text = NULL;
		t->text_len = 0;
		t->text_z = NULL;
	}
	to->nignored = from->nignored;
	to->ignored = from->nignored
			      ? xcalloc(from->nignored, sizeof(*to->ignored))
			      : NULL;
	for (size_t i = 0; i < from->nignored; i++) {
		to->ignored[i] = from->ignored[i];
		to->ignored[i].name = copy_or_null(from->ignored[i].name);
		to->ignored[i].version = copy_or_null(from->ignored[i].version);
	}
}

int
mig_ignore_is_note(enum mig_ignore why)
{
	return why == IGN_NAME || why == IGN_PATTERN;
}

const char *
mig_ignore_reason(enum mig_ignore why)
{
	switch (why) {
	case IGN_NAME:
		return "not a migration file name";
	case IGN_PATTERN:
		return "does not match files.pattern of reckon.yaml";
	case IGN_NOT_UTF8:
		return "file name is not UTF-8";
	case IGN_DANGLING:
		return "dangling symbolic link";
	case IGN_LOOP:
		return "symbolic link loop";
	case IGN_DIR:
		return "not a regular file: directory";
	case IGN_FIFO:
		return "not a regular file: FIFO";
	case IGN_SOCKET:
		return "not a regular file: socket";
	case IGN_DEVICE:
		return "not a regular file: device";
	case IGN_OTHER:
		return "not a regular file";
	case IGN_SUBDIR:
		return "in a subdirectory, which this framework does not read "
		       "(Diesel's <version>_<name>/up.sql: --framework diesel)";
	case IGN_CODE:
		return "a code migration this framework does not read; name "
		       "its framework with --framework";
	}
	rk_bug("ignore reason %d", (int)why);
}

const struct mig_file *
mig_find(const struct mig_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

/* buf holds name's bytes: are they UTF-8 text? */
static int
check_text(const char *name, const struct rk_buf *buf, struct rk_err *err)
{
	size_t bad = rk_utf8_check(buf->s, buf->len);

	if (bad != buf->len) {
		rk_fail(err, RK_INPUT, "'%s' is not UTF-8 text: %s at line %u",
			name,
			memchr(buf->s, '\0', buf->len) ? "NUL byte"
						       : "invalid byte",
			rk_line_of(buf->s, bad));
		rk_err_hint(err, "migration files must be UTF-8 SQL text; "
				 "convert or remove the file");
		return -1;
	}
	return 0;
}

int
mig_read(const char *path, const char *name, struct rk_buf *buf,
	 struct rk_err *err)
{
	rk_buf_reset(buf);
	if (rk_buf_read_file(buf, path) < 0)
		return rk_fail(err, RK_INPUT, "cannot read '%s': %s", path,
			       strerror(errno));
	return check_text(name, buf, err);
}

/* A marker comment line: "--" then optional space then the word. */
static int
marker_at(const char *s, size_t n, const char *word)
{
	size_t i = 2, k = strlen(word);

	if (n < 2 || s[0] != '-' || s[1] != '-')
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i < k || strncasecmp(s + i, word, k) != 0)
		return 0;
	i += k;
	return i == n || s[i] == ' ' || s[i] == '\t' || s[i] == '\r';
}

/* JavaScript's \s within a line (the Unicode spaces aside). */
static int
js_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * A marker as node-pg-migrate's sqlMigration.ts finds it,
 * /^\s*--[\s-]*up\s+migration/im: blanks, "--", blanks and dashes, then
 * the word with each of its blanks one or more blanks, in any case, and
 * anything after it ("---- UP   Migrations" counts).
 */
static int
loose_marker_at(const char *s, size_t n, const char *word)
{
	size_t i = 0;

	while (i < n && js_space(s[i]))
		i++;
	if (n - i < 2 || s[i] != '-' || s[i + 1] != '-')
		return 0;
	for (i += 2; i < n && (js_space(s[i]) || s[i] == '-'); i++)
		;
	for (; *word; word++) {
		if (*word == ' ') {
			if (i >= n || !js_space(s[i]))
				return 0;
			while (i < n && js_space(s[i]))
				i++;
		} else if (i >= n || tolower((unsigned char)s[i++]) !=
					     tolower((unsigned char)*word)) {
			return 0;
		}
	}
	return 1;
}

/* Is line s[0..ll) one of ds's up (down) markers? */
static int
marker_in(const struct det_sections *ds, int down, const char *s, size_t ll)
{
	for (const char *const *m = down ? ds->down : ds->up; m && *m; m++)
		if (ds->loose ? loose_marker_at(s, ll, *m)
			      : marker_at(s, ll, *m))
			return 1;
	return 0;
}

/*
 * Is line s[0..ll) an up marker (down: a down marker) that applies with
 * det: det's own, or, where det (or its sections) is NULL, any
 * detector's? *by is set to the detector whose marker it is.
 */
static int
is_marker(const struct detector *det, int down, const char *s, size_t ll,
	  const struct detector **by)
{
	size_t i = 0;

	while (i < ll && js_space(s[i]))
		i++;
	if (ll - i < 2 || s[i] != '-' || s[i + 1] != '-')
		return 0;
	if (det && det->sections) {
		*by = det;
		return marker_in(det->sections, down, s, ll);
	}
	for (size_t k = 0; detectors[k]; k++) {
		const struct det_sections *ds = detectors[k]->sections;

		if (ds && marker_in(ds, down, s, ll)) {
			*by = detectors[k];
			return 1;
		}
	}
	return 0;
}

/*
 * Where the up and down parts of a file with section markers are (the
 * markers det's, as is_marker says); a framework with only a down marker
 * (Tern) has its up part above it. *down_at is where the down marker line
 * starts and *down_body where the text after it starts (both n when there
 * is no down marker). Returns the detector whose marker came first, or
 * NULL when there are none.
 */
static const struct detector *
find_sections(const struct detector *det, const char *s, size_t n, size_t *up,
	      size_t *down_at, size_t *down_body)
{
	const struct detector *owner = NULL, *by = NULL;
	/* a UTF-8 byte-order mark is never SQL: the server would choke on
	 * it, and a marker on the first line must still be one */
	size_t i = n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	*up = i;
	*down_at = *down_body = n;
	while (i < n) {
		const char *e = memchr(s + i, '\n', n - i);
		size_t ll = e ? (size_t)(e - (s + i)) : n - i;

		/* an up marker counts only before any other marker */
		if (!owner && is_marker(det, 0, s + i, ll, &by)) {
			*up = i + ll;
			owner = by;
		}
		if (*down_at == n && i >= *up &&
		    is_marker(det, 1, s + i, ll, &by)) {
			*down_at = i;
			*down_body = e ? i + ll + 1 : n;
			owner = owner ? owner : by;
		}
		i += ll + 1;
	}
	return owner;
}

int
mig_up_section(const struct detector *det, const char *s, size_t n, size_t *off,
	       size_t *len)
{
	size_t up, down_at, down_body;
	int found = find_sections(det, s, n, &up, &down_at, &down_body) != NULL;

	*off = up;
	*len = down_at > up ? down_at - up : 0;
	return found;
}

int
mig_down_section(const struct detector *det, const char *s, size_t n,
		 size_t *off, size_t *len)
{
	size_t up, down_at, down_body;

	(void)find_sections(det, s, n, &up, &down_at, &down_body);
	*off = down_body;
	*len = n - down_body;
	return down_at < n;
}

void
mig_down_advice(const struct detector *det, struct rk_buf *out)
{
	const char *s = det && det->sections ? det->sections->new_text : NULL;

	for (const char *e; s && *s; s = *e ? e + 1 : e) {
		size_t ll;

		e = strchr(s, '\n');
		e = e ? e : s + strlen(s);
		ll = (size_t)(e - s);
		if (mig_marker_line(det, 1, s, ll)) {
			rk_buf_addf(out, "a '%.*s' section", (int)ll, s);
			return;
		}
	}
	rk_buf_adds(out, "a .down.sql (or U) file, or a '-- migrate:down' "
			 "section");
}

int
mig_marker_line(const struct detector *det, int down, const char *s, size_t ll)
{
	const struct detector *by = NULL;

	return is_marker(det, down, s, ll, &by);
}

const struct detector *
mig_sections_owner(const char *s, size_t n)
{
	size_t up, down_at, down_body;

	return find_sections(NULL, s, n, &up, &down_at, &down_body);
}

static int
cmp_files(const void *pa, const void *pb)
{
	const struct mig_file *a = pa, *b = pb;
	int c;

	/* repeatables (no version) run after every versioned file */
	if (!*a->version != !*b->version)
		return *a->version ? -1 : 1;
	c = rk_vercmp(a->version, b->version);
	if (c)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* A file and, when its version is a plain number of up to 18 digits,
 * that number + 1 (0 otherwise): most names compare by it alone. */
struct file_key {
	uint64_t num;
	struct mig_file *f;
};

static uint64_t
version_number(const char *v)
{
	uint64_t n = 0;
	size_t digits = 0;

	while (*v == '0' && v[1])
		v++;
	for (; *v; v++, digits++) {
		if (*v < '0' || *v > '9' || digits == 18)
			return 0;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	return digits ? n + 1 : 0;
}

static int
cmp_keys(const void *pa, const void *pb)
{
	const struct file_key *a = pa, *b = pb;

	/* equal numbers are equal versions (leading zeros aside, as
	 * rk_vercmp has them): kind and name decide, as in cmp_files */
	if (a->num && b->num && a->num != b->num)
		return a->num < b->num ? -1 : 1;
	return cmp_files(a->f, b->f);
}

/* Sort out->v in cmp_files order, by keys: moving a key is cheaper than
 * moving a mig_file, and a number compares faster than rk_vercmp. */
static void
sort_files(struct mig_set *out)
{
	struct file_key *k;
	struct mig_file tmp;

	if (out->n < 2)
		return;
	k = xcalloc(out->n, sizeof(*k));
	for (size_t i = 0; i < out->n; i++) {
		k[i].num = version_number(out->v[i].version);
		k[i].f = &out->v[i];
	}
	qsort(k, out->n, sizeof(*k), cmp_keys);
	/* put each file where it goes, a cycle of the permutation at a
	 * time (a second array of files would be megabytes of new pages):
	 * k[i].f is where position i's file is now, and becomes NULL once
	 * position i holds it */
	for (size_t i = 0; i < out->n; i++) {
		size_t j = i;

		if (!k[i].f)
			continue;
		tmp = out->v[i];
		while (k[j].f != &out->v[i]) {
			size_t from = (size_t)(k[j].f - out->v);

			out->v[j] = *k[j].f;
			k[j].f = NULL;
			j = from;
		}
		out->v[j] = tmp;
		k[j].f = NULL;
	}
	free(k);
}

/* What one directory scan works with. */
struct scan {
	const char *dir;
	const struct detector *det;
	struct mig_set *out;
	struct rk_buf content; /* reused for every file */
	EVP_MD *sha;	       /* fetched once per scan, when first needed */
	struct rk_hcache *cache;
	struct migpattern *pattern; /* files.pattern, or NULL */
};

/*
 * What the hash cache keeps per file (hcache.h): everything add_file()
 * learns from the bytes. A file that is not UTF-8 text is never cached
 * (the scan fails on it).
 */
enum { HC_SHA256, HC_CHECKSUM, HC_ID, HC_PARENT, HC_CODE, HC_DESC, HC_VERSION };

/* A new mig_file for rel, version from the name or the cache, its
 * bytes' facts still to fill (desc too). Its name is the end of its path
 * (dir + "/" + rel), one string in the set's arena. */
static struct mig_file *
new_file(struct scan *sc, const char *rel, const struct migname *mn,
	 const char *version)
{
	struct mig_set *s = sc->out;
	size_t dl = strlen(sc->dir), rl = strlen(rel);
	struct mig_file *f;

	rk_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	f = &s->v[s->n++];
	memset(f, 0, sizeof(*f));
	f->path = rk_arena_alloc(&s->strings, dl + 1 + rl + 1);
	memcpy(f->path, sc->dir, dl);
	f->path[dl] = '/';
	f->name = f->path + dl + 1;
	memcpy(f->name, rel, rl + 1);
	f->version = rk_arena_strdup(&s->strings, version);
	f->kind = mn->kind;
	f->conv = mn->conv;
	f->code = mn->code;
	return f;
}

static int
is_sha256_hex(const char *s)
{
	size_t i = 0;

	for (; s && i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s && s[64] == '\0';
}

/* List rel from the cache's fields when they are there; 1 if it was. */
static int
add_cached(struct scan *sc, const char *rel, const struct migname *mn,
	   const struct stat *st)
{
	struct rk_arena *a = &sc->out->strings;
	struct rk_hstat hs;
	const char *const *v;
	struct mig_file *f;

	rk_hstat_from(&hs, st);
	v = rk_hcache_get(sc->cache, rel, &hs);
	if (!v || !is_sha256_hex(v[HC_SHA256]) || !v[HC_CODE] ||
	    (strcmp(v[HC_CODE], "0") != 0 && strcmp(v[HC_CODE], "1") != 0) ||
	    !v[HC_DESC] || !v[HC_VERSION])
		return 0;
	f = new_file(sc, rel, mn, v[HC_VERSION]);
	f->size = (size_t)st->st_size;
	memcpy(f->sha256, v[HC_SHA256], 65);
	f->checksum = rk_arena_strdup(a, v[HC_CHECKSUM]);
	f->id = rk_arena_strdup(a, v[HC_ID]);
	f->parent = rk_arena_strdup(a, v[HC_PARENT]);
	f->code = v[HC_CODE][0] == '1';
	f->desc = rk_arena_strdup(a, v[HC_DESC]);
	return 1;
}

/* Remember what add_file() learnt about f, read with stat data st. */
static void
cache_file(struct scan *sc, const struct mig_file *f, const struct stat *st)
{
	const char *v[RK_HCACHE_FIELDS];
	struct rk_hstat hs;

	rk_hstat_from(&hs, st);
	v[HC_SHA256] = f->sha256;
	v[HC_CHECKSUM] = f->checksum;
	v[HC_ID] = f->id;
	v[HC_PARENT] = f->parent;
	v[HC_CODE] = f->code ? "1" : "0";
	v[HC_DESC] = f->desc;
	v[HC_VERSION] = f->version;
	rk_hcache_put(sc->cache, f->name, &hs, v);
}

static int
stat_fail(const struct scan *sc, const char *rel, int e, struct rk_err *err)
{
	return rk_fail(err, RK_INPUT, "cannot read '%s/%s': %s", sc->dir, rel,
		       strerror(e));
}

/* Move the malloc'd string *s (or NULL) into the arena. */
static void
into_arena(struct rk_arena *a, char **s)
{
	char *own = *s;

	*s = rk_arena_strdup(a, own);
	free(own);
}

/* Read the file rel (fd open on it), check, hash and list it. */
static int
add_file(struct scan *sc, int fd, const char *rel, const struct migname *mn,
	 struct rk_err *err)
{
	const struct detector *det = sc->det;
	struct rk_arena *a = &sc->out->strings;
	struct mig_file *f;
	struct stat st;
	int have_st;

	rk_buf_reset(&sc->content);
	/* the stat data of what is read, taken before reading it */
	have_st = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (rk_buf_read_fd(&sc->content, fd) < 0)
		return stat_fail(sc, rel, errno, err);
	if (check_text(rel, &sc->content, err) < 0)
		return -1;
	f = new_file(sc, rel, mn, mn->version);
	f->desc = xstrdup(mn->desc); /* inspect() may replace it */
	f->size = sc->content.len;
	/* fetched on the first file that is read: a scan the hash cache
	 * answers whole never starts OpenSSL's providers (~2 ms) */
	if (!sc->sha && !(sc->sha = EVP_MD_fetch(NULL, "SHA256", NULL)))
		rk_bug("no SHA-256 in libcrypto");
	sha256_with(sc->sha, sc->content.s, sc->content.len, f->sha256);
	if (det && det->checksum && mn->kind != MIG_DOWN) {
		struct rk_buf sum = RK_BUF_INIT;

		det->checksum(sc->content.s, sc->content.len, &sum);
		f->checksum = rk_buf_detach(&sum, NULL);
	}
	if (det && det->inspect && mn->kind != MIG_DOWN)
		det->inspect(f, sc->content.s, sc->content.len);
	/* what inspect() could free or replace, into the arena */
	into_arena(a, &f->desc);
	into_arena(a, &f->id);
	into_arena(a, &f->parent);
	into_arena(a, &f->checksum);
	if (have_st && (size_t)st.st_size == f->size)
		cache_file(sc, f, &st);
	return 0;
}

static int
parse_any(const struct scan *sc, const char *rel, struct migname *mn)
{
	if (sc->pattern)
		return migpattern_parse(sc->pattern, rel, mn);
	return sc->det && sc->det->parse_name ? sc->det->parse_name(rel, mn)
					      : migname_parse(rel, mn);
}

/* List rel (escaped, if need be, so the listing is UTF-8) as ignored. */
static void
add_ignored(struct mig_set *out, const char *rel, const char *version,
	    enum mig_ignore why)
{
	struct rk_buf b = RK_BUF_INIT;
	struct mig_ignored *ig;

	out->ignored = xrealloc(out->ignored,
				(out->nignored + 1) * sizeof(*out->ignored));
	ig = &out->ignored[out->nignored++];
	rk_buf_add_utf8_escaped(&b, rel, strlen(rel));
	ig->name = rk_buf_detach(&b, NULL);
	rk_buf_add_utf8_escaped(&b, version, strlen(version));
	ig->version = rk_buf_detach(&b, NULL);
	ig->why = why;
}

static int
ends_with_sql(const char *name)
{
	size_t len = strlen(name);

	return len >= 4 && strcmp(name + len - 4, ".sql") == 0;
}

/* What a directory entry is, for scan_entry(). */
enum entry_kind {
	ENT_FILE, /* a regular file, or a symbolic link to one */
	ENT_DIR,  /* a directory, or a link to one */
	ENT_ODD,  /* neither: *why says what */
};

/*
 * The entry's kind: readdir's d_type, or fstatat() where it has none (and
 * for symbolic links, which are followed). A link to nothing or into a
 * loop is ENT_ODD; other stat errors fail (err may be NULL).
 */
static int
entry_kind(const struct scan *sc, int dfd, const struct dirent *de,
	   const char *rel, enum mig_ignore *why, struct rk_err *err)
{
	struct stat st;
	int e;

	*why = IGN_DIR;
	if (de->d_type == DT_REG || de->d_type == DT_DIR)
		return de->d_type == DT_REG ? ENT_FILE : ENT_DIR;
	if (fstatat(dfd, de->d_name, &st, 0) < 0) {
		e = errno;
		*why = e == ELOOP ? IGN_LOOP : IGN_DANGLING;
		if (e == ELOOP ||
		    ((e == ENOENT || e == ENOTDIR) &&
		     fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		     S_ISLNK(st.st_mode)))
			return ENT_ODD;
		return err ? stat_fail(sc, rel, e, err) : -1;
	}
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? ENT_FILE : ENT_DIR;
	*why = S_ISFIFO(st.st_mode)			    ? IGN_FIFO
	       : S_ISSOCK(st.st_mode)			    ? IGN_SOCKET
	       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? IGN_DEVICE
							    : IGN_OTHER;
	return ENT_ODD;
}

static int scan_level(struct scan *sc, const char *sub, struct rk_err *err);

/*
 * One directory entry. A name no convention takes is descended into (a
 * directory, where the detector has its own layout) or noted (.sql); a
 * migration name is read, unless the name is not UTF-8 or the entry is
 * not a regular file: then it is listed as ignored, never opened.
 */
static int
scan_entry(struct scan *sc, int dfd, const char *sub, const struct dirent *de,
	   struct rk_buf *rel, struct rk_err *err)
{
	enum mig_ignore why;
	struct migname mn;
	struct stat st;
	int kind, fd;

	rk_buf_reset(rel);
	if (*sub) {
		rk_buf_adds(rel, sub);
		rk_buf_addc(rel, '/');
	}
	rk_buf_adds(rel, de->d_name);
	if (parse_any(sc, rel->s, &mn) < 0) {
		if (sc->pattern) {
			if (entry_kind(sc, dfd, de, rel->s, &why, NULL) ==
			    ENT_FILE)
				add_ignored(sc->out, rel->s, "", IGN_PATTERN);
			return 0;
		}
		if (!*sub && sc->det && sc->det->parse_name &&
		    entry_kind(sc, dfd, de, rel->s, &why, NULL) == ENT_DIR)
			return scan_level(sc, rel->s, err);
		if (!*sub && ends_with_sql(de->d_name))
			add_ignored(sc->out, rel->s, "", IGN_NAME);
		return 0;
	}
	if (!rk_utf8_valid(rel->s, rel->len)) {
		add_ignored(sc->out, rel->s, mn.version, IGN_NOT_UTF8);
		return 0;
	}
	kind = entry_kind(sc, dfd, de, rel->s, &why, err);
	if (kind < 0)
		return -1;
	if (kind != ENT_FILE) {
		add_ignored(sc->out, rel->s, mn.version, why);
		return 0;
	}
	/* unchanged since the cache was written: not read again */
	if (fstatat(dfd, de->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) &&
	    add_cached(sc, rel->s, &mn, &st))
		return 0;
	/* O_NONBLOCK: a FIFO swapped in since the stat must not hang us */
	fd = openat(dfd, de->d_name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return stat_fail(sc, rel->s, errno, err);
	return add_file(sc, fd, rel->s, &mn, err);
}

/*
 * List dir/sub (sub "" for the top): files the detector takes become
 * migrations; at the top, directories are listed too when the detector
 * has its own layout (depth is 1 there, 0 below).
 */
static int
scan_level(struct scan *sc, const char *sub, struct rk_err *err)
{
	struct rk_buf path = RK_BUF_INIT, rel = RK_BUF_INIT;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	rk_buf_adds(&path, sc->dir);
	if (*sub)
		rk_buf_addf(&path, "/%s", sub);
	d = opendir(path.s);
	if (!d) {
		rc = rk_fail(err, *sub ? RK_INPUT : RK_CONFIG,
			     "cannot open migrations directory '%s': %s",
			     path.s, strerror(errno));
		rk_err_hint(err, "create it, or point --dir (or 'dir' in "
				 "reckon.yaml) at your migrations");
		goto out;
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			rc = scan_entry(sc, dirfd(d), sub, de, &rel, err);
	if (rc == 0 && errno)
		rc = rk_fail(err, RK_CONFIG, "cannot list '%s': %s", path.s,
			     strerror(errno));
	closedir(d);
out:
	rk_buf_release(&rel);
	rk_buf_release(&path);
	return rc;
}

/* Attach each down file to its up file, drop it from the list. */
static int
pair_downs(struct mig_set *s, struct rk_err *err)
{
	size_t w = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct mig_file *f = &s->v[i];

		if (i > 0 && *f->version && f->kind == s->v[i - 1].kind &&
		    rk_vercmp(f->version, s->v[i - 1].version) == 0) {
			rk_fail(err, RK_INPUT,
				"duplicate migration version %s: '%s' and '%s'",
				f->version, s->v[i - 1].name, f->name);
			rk_err_hint(err, "give one of them a new version");
			return -1;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		struct mig_file *f = &s->v[i];

		if (f->kind != MIG_DOWN) {
			s->v[w++] = *f;
			continue;
		}
		if (w > 0 && rk_vercmp(s->v[w - 1].version, f->version) == 0 &&
		    !s->v[w - 1].down_name) {
			s->v[w - 1].down_name = f->name;
		}
	}
	s->n = w;
	return 0;
}

/* Depth of f in its revision graph (roots 0); cycles stop the walk. */
static size_t
graph_depth(const struct mig_set *s, size_t i, size_t *memo, int guard)
{
	const struct mig_file *f = &s->v[i];
	size_t best = 0;
	const char *p;

	if (memo[i])
		return memo[i] - 1;
	if (!f->parent || guard > 10000)
		return 0;
	for (p = f->parent; *p;) {
		size_t len = strcspn(p, ",");

		for (size_t j = 0; j < s->n; j++) {
			const char *id = s->v[j].id;

			if (id && strlen(id) == len && !strncmp(id, p, len)) {
				size_t d = graph_depth(s, j, memo, guard + 1);

				if (d + 1 > best)
					best = d + 1;
			}
		}
		p += len;
		if (*p == ',')
			p++;
	}
	memo[i] = best + 1;
	return best;
}

struct graph_key {
	size_t depth;
	const struct mig_file *f;
};

static int
cmp_graph(const void *pa, const void *pb)
{
	const struct graph_key *a = pa, *b = pb;

	if (a->depth != b->depth)
		return a->depth < b->depth ? -1 : 1;
	return strcmp(a->f->name, b->f->name);
}

/* Order files that name their parents as the graph runs: roots first. */
static void
order_graph(struct mig_set *s)
{
	struct graph_key *keys;
	struct mig_file *sorted;
	size_t *memo;
	int any = 0;

	for (size_t i = 0; i < s->n; i++)
		any |= s->v[i].parent != NULL;
	if (!any)
		return;
	memo = xcalloc(s->n, sizeof(*memo));
	keys = xcalloc(s->n, sizeof(*keys));
	for (size_t i = 0; i < s->n; i++) {
		keys[i].depth = graph_depth(s, i, memo, 0);
		keys[i].f = &s->v[i];
	}
	qsort(keys, s->n, sizeof(*keys), cmp_graph);
	sorted = xcalloc(s->n, sizeof(*sorted));
	for (size_t i = 0; i < s->n; i++)
		sorted[i] = *keys[i].f;
	memcpy(s->v, sorted, s->n * sizeof(*sorted));
	free(sorted);
	free(keys);
	free(memo);
}

/*
 * The hash cache for dir as det reads it, keyed by the directory's device
 * and real path (so ./m and /abs/m share one) and the detector, whose
 * checksum and inspect() give the cached fields. A directory that cannot
 * be resolved gets no cache (the scan then reports why it cannot read it).
 */
static struct rk_hcache *
open_cache(const char *dir, const struct detector *det)
{
	if (det && (det->flags & DET_INSPECT_OUTSIDE))
		return rk_hcache_open(NULL, "");
	return rk_hcache_open_dir(dir, det ? det->name : "");
}

int
mig_scan(const char *dir, const struct detector *det, struct mig_set *out,
	 struct rk_err *err)
{
	return mig_scan_named(dir, det, NULL, out, err);
}

int
mig_scan_named(const char *dir, const struct detector *det,
	       struct migpattern *pattern, struct mig_set *out,
	       struct rk_err *err)
{
	struct scan sc = { dir, det, out, RK_BUF_INIT, NULL, NULL, pattern };
	size_t hint;
	int rc;

	out->dir = xstrdup(dir);
	sc.cache = open_cache(dir, det);
	/* room for the files the cache knew and a few new ones: a large
	 * directory's array is then one allocation, not a doubling that
	 * leaves up to half of it unused */
	hint = rk_hcache_count(sc.cache);
	if (hint > out->cap) {
		hint += hint / 16 + 64;
		out->v = xrealloc(out->v, hint * sizeof(*out->v));
		out->cap = hint;
	}
	rc = scan_level(&sc, "", err);
	/* a failed scan (an unreadable or non-UTF-8 file) keeps the old
	 * cache: what it put is a part of the directory only */
	if (rc < 0)
		rk_hcache_discard(sc.cache);
	else
		rk_hcache_close(sc.cache);
	if (sc.sha) /* a scan that hashed nothing never loads libcrypto */
		EVP_MD_free(sc.sha);
	rk_buf_release(&sc.content);
	if (rc < 0)
		return -1;
	sort_files(out);
	if (pair_downs(out, err) < 0)
		return -1;
	order_graph(out);
	return 0;
}
