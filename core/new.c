/*
 * 'new NAME': the next migration file in the directory's own convention.
 * The convention is read off the newest file there, and the framework it
 * belongs to names the file (detector new_name: Flyway's V<n>__,
 * golang-migrate's .up.sql/.down.sql pairs) and, when the newest file has
 * section markers, writes its own (detector sections); versions stay
 * zero-padded sequence numbers (001_) or timestamps (20250110120000_). An
 * empty directory gets a timestamp.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/core/ops.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

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

/* A name such as Diesel's "<version>_<name>/up.sql" lives in a
 * directory of its own: make it (in dir, never above). */
static int
make_parent(const char *dir, const char *rel, struct rk_err *err)
{
	const char *slash = strrchr(rel, '/');
	struct rk_buf path = RK_BUF_INIT;
	int rc = 0;

	if (!slash)
		return 0;
	rk_buf_addf(&path, "%s/%.*s", dir, (int)(slash - rel), rel);
	if (mkdir(path.s, 0755) != 0 && errno != EEXIST)
		rc = rk_fail(err, RK_INPUT, "cannot create '%s': %s", path.s,
			     strerror(errno));
	rk_buf_release(&path);
	return rc;
}

/* The sectioned text f's framework starts a file with, or NULL when f
 * has no section markers. */
static const char *
sections_text(const struct mig_file *f)
{
	struct rk_buf text = RK_BUF_INIT;
	const struct detector *owner = NULL;

	if (rk_buf_read_file(&text, f->path) == 0)
		owner = mig_sections_owner(text.s, text.len);
	rk_buf_release(&text);
	return owner ? owner->sections->new_text : NULL;
}

/* The new file's text: tmpl with name where its "%s" is, or a comment. */
static void
new_text(const char *tmpl, const char *name, struct rk_buf *out)
{
	const char *at = tmpl ? strstr(tmpl, "%s") : NULL;

	if (!at) {
		rk_buf_addf(out, "-- %s\n\n", name);
		return;
	}
	rk_buf_add(out, tmpl, (size_t)(at - tmpl));
	rk_buf_adds(out, name);
	rk_buf_adds(out, at + 2);
}

int
op_new(struct rk_ctx *ctx, const char *name, char ***created, size_t *n,
       struct rk_err *err)
{
	struct rk_buf desc = RK_BUF_INIT, ver = RK_BUF_INIT, path = RK_BUF_INIT;
	struct rk_buf up = RK_BUF_INIT, down = RK_BUF_INIT, text = RK_BUF_INIT;
	struct mig_set files = MIG_SET_INIT;
	const struct mig_file *last = NULL;
	const struct detector *style = NULL, *fw;
	int rc = -1;

	*created = xcalloc(3, sizeof(char *));
	*n = 0;
	/* whose directory: --framework, else strong evidence in it */
	fw = ctx->cfg.framework ? detector_find(ctx->cfg.framework) : NULL;
	if (!fw && !ctx->cfg.framework) {
		fw = detector_of_dir(ctx->cfg.dir, NULL, &path);
		rk_buf_reset(&path);
	}
	if (describe(name, &desc, err) < 0 ||
	    mig_scan_named(ctx->cfg.dir, fw, ctx->cfg.files_pattern, &files,
			   err) < 0)
		goto out;
	for (size_t i = 0; i < files.n; i++)
		if (*files.v[i].version)
			last = &files.v[i];
	if (fw && (fw->flags & DET_NEW_EPOCH)) {
		long long now = (long long)time(NULL),
			  after = last ? strtoll(last->version, NULL, 10) + 1
				       : 0;

		rk_buf_addf(&ver, "%lld", now > after ? now : after);
	} else if (last) {
		next_version(last, &ver);
	} else {
		char stamp[40];

		det_now(DET_TIME_COMPACT, stamp);
		rk_buf_adds(&ver, stamp);
	}
	if (fw && fw->new_name)
		style = fw;
	else if (!fw || !fw->sections)
		style = last ? detector_of_conv(last->conv) : NULL;
	if (style && style->new_name)
		style->new_name(ver.s, desc.s, &up, &down);
	else
		rk_buf_addf(&up, "%s_%s.sql", ver.s, desc.s);
	new_text(fw && fw->sections ? fw->sections->new_text
		 : last		    ? sections_text(last)
				    : NULL,
		 name, &text);
	if (fw && fw->parse_name) {
		struct migname mn;

		if (fw->parse_name(up.s, &mn) < 0 || mn.code) {
			rk_fail(err, RK_USAGE,
				"new: reckon cannot write a %s migration "
				"('%s' would not be one)",
				fw->name, up.s);
			rk_err_hint(err, "create it with %s's own command",
				    fw->name);
			goto out;
		}
	}
	rk_buf_addf(&path, "%s/%s", ctx->cfg.dir, up.s);
	rc = make_parent(ctx->cfg.dir, up.s, err);
	if (rc == 0)
		rc = write_new(path.s, text.s, err);
	if (rc == 0)
		(*created)[(*n)++] = xstrdup(path.s);
	if (rc == 0 && down.len) {
		rk_buf_reset(&path);
		rk_buf_addf(&path, "%s/%s", ctx->cfg.dir, down.s);
		rc = write_new(path.s, "", err);
		if (rc == 0)
			(*created)[(*n)++] = xstrdup(path.s);
	}
out:
	rk_buf_release(&text);
	rk_buf_release(&down);
	rk_buf_release(&up);
	mig_set_release(&files);
	rk_buf_release(&path);
	rk_buf_release(&ver);
	rk_buf_release(&desc);
	return rc;
}
