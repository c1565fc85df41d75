/*
 * Shared detector plumbing: SQL builders around the tracking table, time
 * and name formats, digests. No framework facts live here.
 */
#include "reckon/detectors/detcommon.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/base/hcache.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/crypto.h"
#include "reckon/base/banned.h"

int
det_select(struct db *db, const struct tracked *t, const char *cols,
	   const char *order, struct db_rows *out, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_adds(&sql, "SELECT ");
	db_dialect_expand(db, cols, &sql);
	rk_buf_adds(&sql, " FROM ");
	tracked_qualified(db, t, &sql);
	if (order)
		rk_buf_addf(&sql, " ORDER BY %s", order);
	rc = db_query(db, sql.s, NULL, 0, out, err);
	rk_buf_release(&sql);
	return rc;
}

/* The version of id as ver says, in buf (which must hold 32). */
static const char *
version_of(const char *id, enum det_version_from ver, char buf[32])
{
	size_t k = 0;

	if (!id || ver == DET_VER_NONE)
		return NULL;
	if (ver == DET_VER_ID)
		return id;
	if (*id == '/')
		id++;
	while (k + 1 < 32 && id[k] >= '0' && id[k] <= '9') {
		buf[k] = id[k];
		k++;
	}
	buf[k] = '\0';
	return k ? buf : NULL;
}

int
det_read_ids(struct db *db, const struct tracked *t, const char *id_col,
	     enum det_version_from ver, const char *time_col, const char *order,
	     struct applied_set *out, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_buf cols = RK_BUF_INIT;
	int rc;

	rk_buf_adds(&cols, id_col);
	if (time_col)
		rk_buf_addf(&cols, ", %s", time_col);
	rc = det_select(db, t, cols.s, order, &rows, err);
	for (size_t i = 0; rc == 0 && i < rows.nrows; i++) {
		const char *id = db_rows_get(&rows, i, 0);
		char at[32], v[32];

		applied_add(out, id, version_of(id, ver, v),
			    time_col
				    ? det_iso_time(db_rows_get(&rows, i, 1), at)
				    : NULL,
			    NULL);
	}
	db_rows_release(&rows);
	rk_buf_release(&cols);
	return rc;
}

int
det_insert(struct db *db, const struct tracked *t, const char *cols,
	   const char *values, const char *const *params, int nparams,
	   struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_adds(&sql, "INSERT INTO ");
	tracked_qualified(db, t, &sql);
	rk_buf_addf(&sql, " (%s) VALUES (", cols);
	db_dialect_expand(db, values, &sql);
	rk_buf_adds(&sql, ")");
	rc = db_query(db, sql.s, params, nparams, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

int
det_delete(struct db *db, const struct tracked *t, const char *col,
	   const char *value, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	const char *params[1] = { value };
	int rc;

	rk_buf_adds(&sql, "DELETE FROM ");
	tracked_qualified(db, t, &sql);
	rk_buf_addf(&sql, " WHERE %s = $1", col);
	rc = db_query(db, sql.s, params, 1, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

int
tracked_unrecord(struct db *db, const struct tracked *t,
		 const struct applied *row, struct rk_err *err)
{
	const struct detector *det = t->det;

	if (det->unrecord)
		return det->unrecord(db, t, row, err);
	if (!det->id_column)
		rk_bug("%s has neither unrecord nor id_column", det->name);
	return det_delete(db, t, det->id_column, row->id, err);
}

int
det_update(struct db *db, const struct tracked *t, const char *set,
	   const char *where, const char *const *params, int nparams,
	   struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_adds(&sql, "UPDATE ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " SET ");
	db_dialect_expand(db, set, &sql);
	rk_buf_adds(&sql, " WHERE ");
	db_dialect_expand(db, where, &sql);
	rc = db_query(db, sql.s, params, nparams, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

int
det_exec_t(struct db *db, const struct tracked *t, const char *sql,
	   struct rk_err *err)
{
	struct rk_buf out = RK_BUF_INIT, name = RK_BUF_INIT;
	const char *p;
	int rc;

	tracked_qualified(db, t, &name);
	for (p = sql; *p;) {
		size_t n = *p == '%' ? db_dialect_token(db, p, &out) : 0;

		if (n) {
			p += n;
		} else if (p[0] == '%' && p[1] == 'T') {
			rk_buf_add(&out, name.s, name.len);
			p += 2;
		} else {
			rk_buf_addc(&out, *p++);
		}
	}
	rc = db_exec(db, out.s, err);
	rk_buf_release(&name);
	rk_buf_release(&out);
	return rc;
}

void
det_subst(const char *sql, const char *tok, const char *with,
	  struct rk_buf *out)
{
	size_t n = strlen(tok);
	const char *p;

	while ((p = strstr(sql, tok)) != NULL) {
		rk_buf_add(out, sql, (size_t)(p - sql));
		rk_buf_adds(out, with);
		sql = p + n;
	}
	rk_buf_adds(out, sql);
}

int
det_exec_ddl(struct db *db, const struct tracked *t,
	     const char *const ddl[DB_NKINDS], struct rk_err *err)
{
	return det_exec_t(db, t, db_pick(db, ddl), err);
}

int
det_max(struct db *db, const struct tracked *t, const char *col, long *out,
	struct rk_err *err)
{
	struct rk_buf cols = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	int rc;

	rk_buf_addf(&cols, "COALESCE(MAX(%s), 0)", col);
	rc = det_select(db, t, cols.s, NULL, &rows, err);
	*out = 0;
	if (rc == 0 && rows.nrows == 1 && db_rows_get(&rows, 0, 0))
		*out = strtol(db_rows_get(&rows, 0, 0), NULL, 10);
	db_rows_release(&rows);
	rk_buf_release(&cols);
	return rc;
}

static int
all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

const char *
det_iso_time(const char *raw, char out[32])
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	struct tm tm;
	time_t tt;

	out[0] = '\0';
	if (!raw)
		return NULL;
	if (all_digits(raw)) {
		long long v = strtoll(raw, NULL, 10);

		if (strlen(raw) >= 13)
			v /= 1000;
		tt = (time_t)v;
		if (!gmtime_r(&tt, &tm))
			return NULL;
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return out;
	}
	if (sscanf(raw, "%4d-%2d-%2d%*1[ T]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
		   &sec, &n) < 3)
		return NULL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tt = timegm(&tm);
	if (n > 0) {
		const char *z = raw + n;
		int oh = 0, om = 0, sign;

		while (*z == '.' || (*z >= '0' && *z <= '9'))
			z++;
		if (*z == '+' || *z == '-') {
			sign = *z == '-' ? -1 : 1;
			if (sscanf(z + 1, "%2d:%2d", &oh, &om) < 1 &&
			    sscanf(z + 1, "%2d%2d", &oh, &om) < 1)
				oh = om = 0;
			tt -= sign * (oh * 3600 + om * 60);
		}
	}
	if (!gmtime_r(&tt, &tm))
		return NULL;
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

void
det_now(enum det_time fmt, char out[40])
{
	struct timeval tv;
	struct tm tm;
	char base[24];
	time_t tt;

	gettimeofday(&tv, NULL);
	tt = tv.tv_sec;
	gmtime_r(&tt, &tm);
	strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm);
	switch (fmt) {
	case DET_TIME_ISO_Z:
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(out, 40, "%s.%03dZ", base,
			 (int)(tv.tv_usec / 1000) % 1000);
		return;
	case DET_TIME_SPACE_US:
		snprintf(out, 40, "%s.%06d", base, (int)tv.tv_usec % 1000000);
		return;
	case DET_TIME_SPACE_MS:
		snprintf(out, 40, "%s.%03d", base,
			 (int)(tv.tv_usec / 1000) % 1000);
		return;
	case DET_TIME_SPACE:
		snprintf(out, 40, "%s", base);
		return;
	case DET_TIME_EPOCH_MS:
		snprintf(out, 40, "%lld",
			 (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
		return;
	case DET_TIME_COMPACT:
		strftime(out, 40, "%Y%m%d%H%M%S", &tm);
		return;
	}
	rk_bug("time format %d", (int)fmt);
}

void
det_stem(const struct mig_file *m, struct rk_buf *out)
{
	const char *base = strrchr(m->name, '/');
	const char *dot;

	base = base ? base + 1 : m->name;
	dot = strrchr(base, '.');
	rk_buf_add(out, base, dot ? (size_t)(dot - base) : strlen(base));
}

void
det_id_stem(const struct mig_file *m, struct rk_buf *out)
{
	det_stem(m, out);
}

void
det_id_version(const struct mig_file *m, struct rk_buf *out)
{
	rk_buf_adds(out, m->version);
}

void
det_id_int_version(const struct mig_file *m, struct rk_buf *out)
{
	const char *v = m->version;

	while (*v == '0' && v[1] >= '0' && v[1] <= '9')
		v++;
	rk_buf_adds(out, v);
}

void
det_hex(const unsigned char *p, size_t n, struct rk_buf *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		rk_buf_addc(out, hex[p[i] >> 4]);
		rk_buf_addc(out, hex[p[i] & 15]);
	}
}

size_t
det_digest(const char *algo, const void *s, size_t n, unsigned char *out)
{
	const EVP_MD *md = EVP_get_digestbyname(algo);
	unsigned int len = 0;

	if (!md || !EVP_Digest(s, n, out, &len, md, NULL))
		rk_bug("digest %s failed", algo);
	return len;
}

int
det_split_digits(const char *s, size_t n, const char *seps, enum det_sep how,
		 struct migname *out)
{
	size_t i = 0, d;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i >= sizeof(out->version))
		return -1;
	d = i;
	if (i < n && s[i] && strchr(seps, s[i])) {
		if (how != DET_SEP_OPTIONAL || i > 0)
			d = i + 1;
	} else if (how == DET_SEP_REQUIRED ||
		   (how == DET_SEP_OR_END && i < n)) {
		return -1;
	}
	if (n - d >= sizeof(out->desc))
		return -1;
	memcpy(out->version, s, i);
	out->version[i] = '\0';
	memcpy(out->desc, s + d, n - d);
	out->desc[n - d] = '\0';
	return (int)i;
}

int
det_parse_digits(const char *relpath, char sep, const char *suffix, int code,
		 struct migname *out)
{
	size_t n = strlen(relpath), k = strlen(suffix);
	const char seps[2] = { sep, '\0' };

	memset(out, 0, sizeof(*out));
	if (strchr(relpath, '/') || n <= k ||
	    strcmp(relpath + n - k, suffix) != 0)
		return -1;
	if (det_split_digits(relpath, n - k, seps, DET_SEP_OR_END, out) <= 0)
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = code;
	return 0;
}

int
det_dir_has(const char *dir, const char *rel)
{
	struct rk_buf path = RK_BUF_INIT;
	struct stat st;
	int rc;

	rk_buf_addf(&path, "%s/%s", dir, rel);
	rc = stat(path.s, &st) == 0;
	rk_buf_release(&path);
	return rc;
}

int
det_dir_evidence_file(const char *dir, const char *rel, struct rk_buf *why)
{
	if (!det_dir_has(dir, rel))
		return 0;
	rk_buf_addf(why, "%s is there", rel);
	return 1;
}

/*
 * The entries are read in directory order and the first by alphasort()'s
 * order (strcoll) kept: the same answer as sorting them all, without the
 * sort. accepts() is told readdir's d_type, so that it can skip a check
 * the type already answers.
 */
int
det_dir_first(const char *dir,
	      int (*accepts)(const char *dir, const char *name,
			     unsigned char type),
	      size_t *n, struct rk_buf *why)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *best = NULL;

	*n = 0;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    !accepts(dir, de->d_name, de->d_type))
			continue;
		(*n)++;
		if (!best || strcoll(de->d_name, best) < 0) {
			free(best);
			best = xstrdup(de->d_name);
		}
	}
	if (d)
		closedir(d);
	if (best)
		rk_buf_adds(why, best);
	free(best);
	return *n > 0;
}

/* The hash cache that keeps tag's verdicts on the files of dir, keyed as
 * migfile.c keys its own (device and real path), plus the tag. */
static struct rk_hcache *
verdict_cache(const char *dir, const char *tag)
{
	struct rk_buf t = RK_BUF_INIT;
	struct rk_hcache *c;

	rk_buf_addf(&t, "evidence:%s", tag);
	c = rk_hcache_open_dir(dir, t.s);
	rk_buf_release(&t);
	return c;
}

/* text_ok()'s verdict on the regular file name (in the directory dfd):
 * from the cache when the file is unchanged, else read; 0 when it is no
 * regular file or cannot be read. */
static int
content_verdict(struct rk_hcache *c, int dfd, const char *name,
		int (*text_ok)(const char *s, size_t n), struct rk_buf *text)
{
	const char *v[RK_HCACHE_FIELDS] = { NULL };
	const char *const *got;
	struct rk_hstat hs;
	struct stat st;
	int fd, ok;

	/* followed, as open() follows it */
	if (fstatat(dfd, name, &st, 0) == 0 && S_ISREG(st.st_mode)) {
		rk_hstat_from(&hs, &st);
		got = rk_hcache_get(c, name, &hs);
		if (got && got[0] &&
		    (!strcmp(got[0], "1") || !strcmp(got[0], "0")))
			return got[0][0] == '1';
	}
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	rk_buf_reset(text);
	if (rk_buf_read_fd(text, fd) < 0)
		return 0;
	ok = text_ok(text->s, text->len) != 0;
	if ((size_t)st.st_size == text->len) {
		rk_hstat_from(&hs, &st);
		v[0] = ok ? "1" : "0";
		rk_hcache_put(c, name, &hs, v);
	}
	return ok;
}

int
det_dir_first_text(const char *dir, const char *tag,
		   int (*name_ok)(const char *name),
		   int (*text_ok)(const char *s, size_t n), size_t *n,
		   struct rk_buf *why)
{
	struct rk_buf text = RK_BUF_INIT;
	struct rk_hcache *c;
	struct dirent *de;
	char *best = NULL;
	DIR *d = opendir(dir);

	*n = 0;
	if (!d)
		return 0;
	c = verdict_cache(dir, tag);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR ||
		    !name_ok(de->d_name) ||
		    !content_verdict(c, dirfd(d), de->d_name, text_ok, &text))
			continue;
		(*n)++;
		if (!best || strcoll(de->d_name, best) < 0) {
			free(best);
			best = xstrdup(de->d_name);
		}
	}
	closedir(d);
	rk_hcache_close(c);
	rk_buf_release(&text);
	if (best)
		rk_buf_adds(why, best);
	free(best);
	return *n > 0;
}

static int
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

void
det_first_words(const char *s, size_t n, struct rk_buf *out)
{
	static const char *const logs[] = { "INFO", "WARNING", "ERROR",
					    "DEBUG" };
	size_t i = 0;

	while (i < n) {
		const char *e = memchr(s + i, '\n', n - i);
		size_t end = e ? (size_t)(e - s) : n, w;
		int log = 0;

		while (i < end && (s[i] == ' ' || s[i] == '\t'))
			i++;
		for (w = i; w < end && word_char(s[w]); w++)
			;
		for (size_t k = 0; k < sizeof(logs) / sizeof(logs[0]); k++)
			log |= w - i == strlen(logs[k]) &&
			       strncmp(s + i, logs[k], w - i) == 0;
		if (w > i && !log && (w == end || s[w] == ' ')) {
			rk_buf_add(out, s + i, w - i);
			rk_buf_addc(out, '\n');
		}
		i = end + 1;
	}
}

void
det_words_after(const char *s, size_t n, const char *prefix, struct rk_buf *out)
{
	size_t i = 0, pl = strlen(prefix);

	while (i < n) {
		const char *e = memchr(s + i, '\n', n - i);
		size_t end = e ? (size_t)(e - s) : n, w;

		while (i < end && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (end - i > pl && strncmp(s + i, prefix, pl) == 0) {
			i += pl;
			while (i < end && s[i] == ' ')
				i++;
			for (w = i; w < end && word_char(s[w]); w++)
				;
			if (w > i) {
				rk_buf_add(out, s + i, w - i);
				rk_buf_addc(out, '\n');
			}
		}
		i = end + 1;
	}
}
