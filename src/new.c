/*
 * 'new NAME': the next migration file in the directory's own convention.
 * The convention is read off the files already there: Flyway's V<n>__,
 * golang-migrate's .up.sql/.down.sql pairs, zero-padded sequence numbers
 * (001_), or timestamps (20250110120000_); with dbmate-style sections
 * when the newest file has them. An empty directory gets a timestamp.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reckon/buf.h"
#include "reckon/detcommon.h"
#include "reckon/err.h"
#include "reckon/migfile.h"
#include "reckon/ops.h"
#include "reckon/util.h"
#include "reckon/banned.h"

/* NAME as a file-name description: letters, digits, '_' for the rest. */
static int
describe(const char *name, struct rk_buf *out, struct rk_err *err)
{
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_')
			rk_buf_addc(out, (char)c);
		else if (out->len && out->s[out->len - 1] != '_')
			rk_buf_addc(out, '_');
	}
	while (out->len && out->s[out->len - 1] == '_')
		out->s[--out->len] = '\0';
	if (!out->len)
		return rk_fail(err, RK_USAGE,
			       "new: '%s' has no letters or digits to name a "
			       "file with",
			       name);
	return 0;
}

/* The next version after the newest file's, in its style. */
static void
next_version(const struct mig_file *last, struct rk_buf *out)
{
	char stamp[40];
	size_t w = strlen(last->version);

	det_now(DET_TIME_COMPACT, stamp);
	if (w >= 12) { /* a timestamp: now, or one past a future one */
		if (rk_vercmp(stamp, last->version) > 0) {
			rk_buf_adds(out, stamp);
			return;
		}
	}
	if (strchr(last->version, '.')) { /* Flyway 1.2 -> 2 */
		rk_buf_addf(out, "%ld", strtol(last->version, NULL, 10) + 1);
		return;
	}
	rk_buf_addf(out, "%0*lld", (int)w,
		    strtoll(last->version, NULL, 10) + 1);
}

static int
write_new(const char *path, const char *text, struct rk_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	size_t n = strlen(text);

	if (fd < 0)
		return rk_fail(err, RK_INPUT, "cannot create '%s': %s", path,
			       strerror(errno));
	if (write(fd, text, n) != (ssize_t)n) {
		int e = errno;

		close(fd);
		return rk_fail(err, RK_INPUT, "cannot write '%s': %s", path,
			       strerror(e));
	}
	return close(fd) == 0 ? 0
			      : rk_fail(err, RK_INPUT, "cannot write '%s': %s",
					path, strerror(errno));
}

static int
has_sections(const struct mig_file *f)
{
	struct rk_buf text = RK_BUF_INIT;
	size_t off, len;
	int yes = 0;

	if (rk_buf_read_file(&text, f->path) == 0)
		yes = mig_up_section(NULL, text.s, text.len, &off, &len);
	rk_buf_release(&text);
	return yes;
}

int
op_new(struct rk_ctx *ctx, const char *name, char ***created, size_t *n,
       struct rk_err *err)
{
	struct rk_buf desc = RK_BUF_INIT, ver = RK_BUF_INIT, path = RK_BUF_INIT;
	struct mig_set files = MIG_SET_INIT;
	const struct mig_file *last = NULL;
	int sections = 0;
	int rc = -1;

	*created = xcalloc(3, sizeof(char *));
	*n = 0;
	if (describe(name, &desc, err) < 0 ||
	    mig_scan(ctx->cfg.dir, NULL, &files, err) < 0)
		goto out;
	for (size_t i = 0; i < files.n; i++)
		if (*files.v[i].version)
			last = &files.v[i];
	if (last) {
		next_version(last, &ver);
	} else {
		char stamp[40];

		det_now(DET_TIME_COMPACT, stamp);
		rk_buf_adds(&ver, stamp);
	}
	sections = last && has_sections(last);
	if (last && last->conv == CONV_FLYWAY)
		rk_buf_addf(&path, "%s/V%s__%s.sql", ctx->cfg.dir, ver.s,
			    desc.s);
	else if (last && last->conv == CONV_UPDOWN)
		rk_buf_addf(&path, "%s/%s_%s.up.sql", ctx->cfg.dir, ver.s,
			    desc.s);
	else
		rk_buf_addf(&path, "%s/%s_%s.sql", ctx->cfg.dir, ver.s, desc.s);
	{
		struct rk_buf text = RK_BUF_INIT;

		if (sections)
			rk_buf_addf(&text,
				    "-- migrate:up\n-- %s\n\n\n"
				    "-- migrate:down\n\n",
				    name);
		else
			rk_buf_addf(&text, "-- %s\n\n", name);
		rc = write_new(path.s, text.s, err);
		rk_buf_release(&text);
	}
	if (rc == 0)
		(*created)[(*n)++] = xstrdup(path.s);
	if (rc == 0 && last && last->conv == CONV_UPDOWN) {
		rk_buf_reset(&path);
		rk_buf_addf(&path, "%s/%s_%s.down.sql", ctx->cfg.dir, ver.s,
			    desc.s);
		rc = write_new(path.s, "", err);
		if (rc == 0)
			(*created)[(*n)++] = xstrdup(path.s);
	}
out:
	mig_set_release(&files);
	rk_buf_release(&path);
	rk_buf_release(&ver);
	rk_buf_release(&desc);
	return rc;
}
