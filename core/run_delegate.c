/*
 * Delegated execution: a code migration runs through its framework's own
 * tool (the detector's struct det_runner, or the configured runner
 * command). The tool is found the way the project would start it (the
 * project's virtualenv, node_modules/.bin, bin/rails), started with fork
 * and execve from an argv, never a shell, in the project's directory, and
 * handed the database in its environment: the URL variables the framework
 * reads and libpq's PG* ones, the password only there, never on argv
 * where ps shows it. Before the first step the framework's own status
 * command must agree with what reckon read; after each step reckon reads
 * the table again and checks that exactly the step's file was recorded.
 */
#include "run_delegate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/core/interrupt.h"
#include "reckon/core/ops.h"
#include "reckon/core/sidecar.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "run.h"
#include "reckon/base/banned.h"

extern char **environ;

/* The most of a tool's output kept (its tail). */
#define OUTPUT_KEEP (16 * 1024)

static void
strv_push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

static int
is_file(const char *path, int exec)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       (!exec || access(path, X_OK) == 0);
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The nearest of dir and its parents holding one of names, or NULL. */
static char *
find_up(const char *dir, const char *const *names)
{
	char cur[PATH_MAX];

	if (!names || !realpath(dir, cur))
		return NULL;
	for (;;) {
		char *slash;

		for (size_t i = 0; names[i]; i++) {
			struct rk_buf p = RK_BUF_INIT;
			int hit;

			rk_buf_addf(&p, "%s/%s", cur, names[i]);
			hit = exists(p.s);
			rk_buf_release(&p);
			if (hit)
				return xstrdup(cur);
		}
		slash = strrchr(cur, '/');
		if (!slash || slash == cur)
			return NULL;
		*slash = '\0';
	}
}

/* A program on PATH, or NULL. */
static char *
on_path(const char *name)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/'))
		return is_file(name, 1) ? xstrdup(name) : NULL;
	while (path && *path) {
		const char *e = strchr(path, ':');
		size_t len = e ? (size_t)(e - path) : strlen(path);
		struct rk_buf p = RK_BUF_INIT;

		rk_buf_addf(&p, "%.*s/%s", (int)(len ? len : 1),
			    len ? path : ".", name);
		if (is_file(p.s, 1))
			return rk_buf_detach(&p, NULL);
		rk_buf_release(&p);
		path = e ? e + 1 : NULL;
	}
	return NULL;
}

/* node_modules/.bin/<name> in from or a parent of it, or NULL. */
static char *
node_bin(const char *from, const char *name)
{
	char cur[PATH_MAX];

	if (!realpath(from, cur))
		return NULL;
	for (;;) {
		struct rk_buf p = RK_BUF_INIT;
		char *slash;

		rk_buf_addf(&p, "%s/node_modules/.bin/%s", cur, name);
		if (is_file(p.s, 1))
			return rk_buf_detach(&p, NULL);
		rk_buf_release(&p);
		slash = strrchr(cur, '/');
		if (!slash || slash == cur)
			return NULL;
		*slash = '\0';
	}
}

/* The project's virtualenv python (root/.venv, root/venv), else Debian's. */
static char *
python_of(const char *root)
{
	static const char *const venvs[] = { ".venv/bin/python",
					     "venv/bin/python" };

	for (size_t i = 0; root && i < ARRAY_SIZE(venvs); i++) {
		struct rk_buf p = RK_BUF_INIT;

		rk_buf_addf(&p, "%s/%s", root, venvs[i]);
		if (is_file(p.s, 1))
			return rk_buf_detach(&p, NULL);
		rk_buf_release(&p);
	}
	return xstrdup("/usr/bin/python3");
}

/* Percent-encode s into out (RFC 3986 unreserved stay). */
static void
url_escape(const char *s, struct rk_buf *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			rk_buf_addc(out, (char)c);
		else
			rk_buf_addf(out, "%%%02X", c);
	}
}

/* The database's URL as the framework reads it (with the password: for
 * the environment only). */
static void
framework_url(struct db *db, const struct db_info *info, const char *sqlite_url,
	      struct rk_buf *out)
{
	const char *pw = db_password(db);

	if (db_kind(db) == DB_SQLITE) {
		char abs[PATH_MAX];
		const char *f =
			realpath(info->database, abs) ? abs : info->database;

		rk_buf_addf(out, "%s%s", sqlite_url ? sqlite_url : "sqlite:///",
			    f);
		return;
	}
	rk_buf_adds(out, "postgresql://");
	url_escape(info->login, out);
	if (pw) {
		rk_buf_addc(out, ':');
		url_escape(pw, out);
	}
	rk_buf_addc(out, '@');
	if (info->host[0] != '/')
		url_escape(info->host, out);
	if (*info->port && info->host[0] != '/')
		rk_buf_addf(out, ":%s", info->port);
	rk_buf_addc(out, '/');
	url_escape(info->database, out);
	if (info->host[0] == '/') {
		rk_buf_adds(out, "?host=");
		url_escape(info->host, out);
		if (*info->port)
			rk_buf_addf(out, "&port=%s", info->port);
	}
}

/* The child's environment: ours, with name=value set over it. */
static void
env_set(char ***env, size_t *n, const char *name, const char *value)
{
	size_t len = strlen(name);
	struct rk_buf kv = RK_BUF_INIT;

	for (size_t i = 0; i < *n; i++) {
		if (strncmp((*env)[i], name, len) == 0 &&
		    (*env)[i][len] == '=') {
			free((*env)[i]);
			memmove(&(*env)[i], &(*env)[i + 1],
				(*n - i) * sizeof(**env));
			(*n)--;
			break;
		}
	}
	rk_buf_addf(&kv, "%s=%s", name, value);
	strv_push(env, n, kv.s);
	rk_buf_release(&kv);
}

static int
build_env(struct rk_ctx *ctx, const struct det_runner *rn, struct delegate *d,
	  struct rk_err *err)
{
	struct rk_buf url = RK_BUF_INIT;
	struct db_info info;
	size_t n = 0;

	if (db_info(ctx->db, &info, err) < 0)
		return -1;
	for (char **e = environ; e && *e; e++)
		strv_push(&d->env, &n, *e);
	if (!d->env)
		d->env = xcalloc(1, sizeof(*d->env));
	framework_url(ctx->db, &info, rn ? rn->sqlite_url : NULL, &url);
	/* plain output: it is parsed (runner_env may say otherwise) */
	env_set(&d->env, &n, "NO_COLOR", "1");
	env_set(&d->env, &n, "FORCE_COLOR", "0");
	for (size_t i = 0; rn && rn->url_env && rn->url_env[i]; i++)
		env_set(&d->env, &n, rn->url_env[i], url.s);
	/* NAME=VALUE lines (config.c checked them) */
	for (const char *p = ctx->cfg.runner_env; p && *p;) {
		size_t len = strcspn(p, "\n");
		const char *eq = memchr(p, '=', len);

		if (eq && eq > p) {
			char *name = xstrndup(p, (size_t)(eq - p));
			char *val =
				xstrndup(eq + 1, len - (size_t)(eq - p) - 1);

			env_set(&d->env, &n, name,
				strcmp(val, "{url}") == 0 ? url.s : val);
			free(name);
			free(val);
		}
		p += len + (p[len] == '\n');
	}
	if (db_kind(ctx->db) == DB_PG) {
		/* libpq's own variables, for tools that read those */
		const char *pw = db_password(ctx->db);

		env_set(&d->env, &n, "PGHOST", info.host);
		if (*info.port)
			env_set(&d->env, &n, "PGPORT", info.port);
		env_set(&d->env, &n, "PGUSER", info.login);
		env_set(&d->env, &n, "PGDATABASE", info.database);
		if (pw)
			env_set(&d->env, &n, "PGPASSWORD", pw);
	}
	rk_buf_release(&url);
	return 0;
}

/* Split a configured command at blanks (no shell: no quotes, no
 * expansion); "python"/"python3" first means the project's python. */
static void
split_command(const char *cmd, const char *root, struct delegate *d)
{
	const char *p = cmd;

	while (*p) {
		size_t len;
		char *w;

		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t");
		if (!len)
			break;
		w = xstrndup(p, len);
		if (d->ntool == 0 &&
		    (strcmp(w, "python") == 0 || strcmp(w, "python3") == 0)) {
			free(w);
			w = python_of(root);
		} else if (d->ntool == 0 && !strchr(w, '/')) {
			char *found = node_bin(root, w);

			if (!found)
				found = on_path(w);
			if (found) {
				free(w);
				w = found;
			}
		}
		strv_push(&d->tool, &d->ntool, w);
		free(w);
		p += len;
	}
}

/* The tool the detector names, found; 0, or -1 with why. */
static int
default_tool(const struct det_runner *rn, const char *root, struct delegate *d,
	     struct rk_err *err)
{
	char *py, *bin;
	struct rk_buf p = RK_BUF_INIT;
	int rc = 0;

	switch (rn->how) {
	case DET_TOOL_PYMOD:
		py = python_of(root);
		strv_push(&d->tool, &d->ntool, py);
		strv_push(&d->tool, &d->ntool, "-m");
		strv_push(&d->tool, &d->ntool, rn->tool);
		free(py);
		break;
	case DET_TOOL_PYFILE:
		py = python_of(root);
		strv_push(&d->tool, &d->ntool, py);
		strv_push(&d->tool, &d->ntool, rn->tool);
		free(py);
		if (!root)
			rc = rk_fail(err, RK_CONFIG,
				     "no %s in '%s' or a directory above it",
				     rn->tool, d->dir);
		break;
	case DET_TOOL_PROJECT:
		rk_buf_addf(&p, "%s/%s", root ? root : ".", rn->tool);
		strv_push(&d->tool, &d->ntool, p.s);
		if (!root || !is_file(p.s, 1))
			rc = rk_fail(err, RK_CONFIG,
				     "no %s in '%s' or a directory above it",
				     rn->tool, d->dir);
		break;
	case DET_TOOL_BIN:
		bin = node_bin(root ? root : d->dir, rn->tool);
		if (!bin)
			bin = node_bin(d->dir, rn->tool);
		if (!bin)
			bin = on_path(rn->tool);
		strv_push(&d->tool, &d->ntool, bin ? bin : rn->tool);
		if (!bin)
			rc = rk_fail(err, RK_CONFIG,
				     "%s is not installed: not in "
				     "node_modules/.bin above '%s' nor on PATH",
				     rn->tool, d->dir);
		free(bin);
		break;
	}
	rk_buf_release(&p);
	return rc;
}

void
delegate_text(char **argv, struct rk_buf *text)
{
	for (size_t i = 0; argv && argv[i]; i++) {
		const char *a = argv[i];

		if (i)
			rk_buf_addc(text, ' ');
		if (*a && strcspn(a, " \t\n'\"\\$`*?;&|<>()") == strlen(a)) {
			rk_buf_adds(text, a);
			continue;
		}
		rk_buf_addc(text, '\'');
		for (; *a; a++) {
			if (*a == '\'')
				rk_buf_adds(text, "'\\''");
			else
				rk_buf_addc(text, *a);
		}
		rk_buf_addc(text, '\'');
	}
}

int
delegate_open(struct rk_ctx *ctx, const struct rk_session *s,
	      struct delegate *d, struct rk_err *err)
{
	const struct det_runner *rn = s->tracked.det->runner;
	char abs[PATH_MAX];
	char *root;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->rn = rn;
	d->dir = xstrdup(realpath(ctx->cfg.dir, abs) ? abs : ctx->cfg.dir);
	if (!rn && !ctx->cfg.runner) {
		d->display = xstrdup("");
		return rk_fail(err, RK_CONFIG,
			       "reckon does not know %s's command for "
			       "applying one migration",
			       s->tracked.det->name);
	}
	root = find_up(d->dir, rn ? rn->roots : NULL);
	if (ctx->cfg.runner) {
		split_command(ctx->cfg.runner, root ? root : d->dir, d);
	} else {
		rc = default_tool(rn, root, d, err);
		if (rc == 0 && !root && rn->how != DET_TOOL_BIN && rn->roots)
			rc = rk_fail(err, RK_CONFIG,
				     "no %s in '%s' or a directory above it",
				     rn->roots[0], d->dir);
	}
	if (!d->ntool && rc == 0)
		rc = rk_fail(err, RK_CONFIG, "the runner command is empty");
	d->cwd = root;
	if (!root) {
		/* the migrations directory's parent, where its tools look */
		char *slash;

		d->cwd = xstrdup(d->dir);
		slash = strrchr(d->cwd, '/');
		if (slash && slash != d->cwd)
			*slash = '\0';
	}
	{
		struct rk_buf t = RK_BUF_INIT;

		delegate_text(d->tool, &t);
		d->display = rk_buf_detach(&t, NULL);
	}
	if (rc == 0 && d->ntool && d->tool[0][0] == '/' &&
	    !is_file(d->tool[0], 1))
		rc = rk_fail(err, RK_CONFIG, "'%s' is not installed",
			     d->tool[0]);
	if (rc == 0 && rn && rn->app) {
		struct rk_buf app = RK_BUF_INIT;

		rc = rn->app(ctx->db, &s->tracked, &app, err);
		d->app = rc == 0 ? rk_buf_detach(&app, NULL) : NULL;
		rk_buf_release(&app);
	}
	if (rc == 0)
		rc = build_env(ctx, rn, d, err);
	if (rc < 0)
		rk_err_hint(err,
			    "install it, or name the command in reckon.yaml "
			    "(runner: {command: ...}) or with --runner");
	return rc;
}

void
delegate_release(struct delegate *d)
{
	rk_strv_free(d->tool, d->ntool);
	if (d->env) {
		for (char **e = d->env; *e; e++)
			free(*e);
		free(d->env);
	}
	free(d->cwd);
	free(d->app);
	free(d->display);
	free(d->dir);
	memset(d, 0, sizeof(*d));
}

void
delegate_file_ident(const struct rk_session *s, const struct mig_file *f,
		    struct rk_buf *out)
{
	if (s->tracked.det->file_id)
		s->tracked.det->file_id(f, out);
	else
		rk_buf_adds(out, f->id ? f->id : f->name);
}

/* One template argument with its placeholders filled. */
static void
fill(const struct delegate *d, const struct rk_session *s, const char *tmpl,
     const struct mig_file *f, struct rk_buf *out)
{
	while (*tmpl) {
		const char *close = *tmpl == '{' ? strchr(tmpl, '}') : NULL;
		size_t len = close ? (size_t)(close - tmpl) + 1 : 0;

		if (len == 4 && strncmp(tmpl, "{id}", 4) == 0 && f)
			delegate_file_ident(s, f, out);
		else if (len == 6 && strncmp(tmpl, "{name}", 6) == 0 && f)
			rk_buf_adds(out, f->name);
		else if (len == 9 && strncmp(tmpl, "{version}", 9) == 0 && f)
			rk_buf_adds(out, f->version);
		else if (len == 6 && strncmp(tmpl, "{prev}", 6) == 0 && f) {
			size_t fi = (size_t)(f - s->files.v);

			if (fi > 0 && fi <= s->files.n)
				delegate_file_ident(s, &s->files.v[fi - 1],
						    out);
			else
				rk_buf_adds(out, "zero");
		} else if (len == 5 && strncmp(tmpl, "{app}", 5) == 0)
			rk_buf_adds(out, d->app ? d->app : "");
		else if (len == 5 && strncmp(tmpl, "{dir}", 5) == 0)
			rk_buf_adds(out, d->dir);
		else if (len == 7 && strncmp(tmpl, "{table}", 7) == 0)
			rk_buf_adds(out, s->tracked.table);
		else
			len = 0;
		if (len) {
			tmpl += len;
			continue;
		}
		rk_buf_addc(out, *tmpl++);
	}
}

char **
delegate_argv(const struct delegate *d, const struct rk_session *s,
	      const char *const *tmpl, const struct mig_file *f)
{
	char **argv = NULL;
	size_t n = 0;

	if (!tmpl)
		tmpl = d->rn ? d->rn->up : NULL;
	for (size_t i = 0; i < d->ntool; i++)
		strv_push(&argv, &n, d->tool[i]);
	for (size_t i = 0; tmpl && tmpl[i]; i++) {
		struct rk_buf a = RK_BUF_INIT;

		fill(d, s, tmpl[i], f, &a);
		strv_push(&argv, &n, a.s ? a.s : "");
		rk_buf_release(&a);
	}
	if (!tmpl && f) {
		/* a configured command with no known arguments: the file */
		struct rk_buf a = RK_BUF_INIT;

		delegate_file_ident(s, f, &a);
		strv_push(&argv, &n, a.s);
		rk_buf_release(&a);
	}
	return argv;
}

/* Keep the last OUTPUT_KEEP bytes of what a pipe gives. */
static void
keep_tail(struct rk_buf *b, const char *s, size_t n)
{
	rk_buf_add(b, s, n);
	if (b->len > 2 * OUTPUT_KEEP) {
		memmove(b->s, b->s + b->len - OUTPUT_KEEP, OUTPUT_KEEP);
		b->len = OUTPUT_KEEP;
		b->s[b->len] = '\0';
	}
}

/*
 * Drop terminal escape sequences (colour, underline, cursor moves) from a
 * framework's output: it is parsed and quoted, never shown on a terminal,
 * and a tool that colours regardless of NO_COLOR (TypeORM's migration:show
 * under some CI environments) must still read as plain text.
 */
static void
strip_escapes(struct rk_buf *b)
{
	size_t o = 0;

	for (size_t i = 0; i < b->len;) {
		unsigned char c = (unsigned char)b->s[i];

		if (c != 0x1b) {
			b->s[o++] = b->s[i++];
			continue;
		}
		i++;
		if (i < b->len && b->s[i] == '[') {
			/* CSI: parameters and intermediates, then a final byte
			 */
			for (i++; i < b->len; i++) {
				c = (unsigned char)b->s[i];
				if (c >= 0x40 && c <= 0x7e) {
					i++;
					break;
				}
			}
		} else if (i < b->len && b->s[i] == ']') {
			/* OSC (hyperlinks, titles): up to BEL or ESC \ */
			for (i++; i < b->len; i++) {
				if (b->s[i] == '\a') {
					i++;
					break;
				}
				if (b->s[i] == 0x1b && i + 1 < b->len &&
				    b->s[i + 1] == '\\') {
					i += 2;
					break;
				}
			}
		} else if (i < b->len) {
			i++; /* a two-byte escape */
		}
	}
	b->len = o;
	if (b->s)
		b->s[o] = '\0';
}

static int
cloexec_pipe(int p[2])
{
	if (pipe(p) < 0)
		return -1;
	(void)fcntl(p[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/*
 * Start argv in d->cwd with d->env, its stdin /dev/null, and wait for it:
 * stdout into out, stderr into errs. *status: its exit code, or 128 + the
 * signal that ended it. -1 only when it cannot be started.
 */
static int
spawn(const struct delegate *d, char **argv, struct rk_buf *out,
      struct rk_buf *errs, int *status, struct rk_err *err)
{
	int po[2], pe[2], ws = 0;
	pid_t pid;
	struct pollfd fds[2];
	int open_fds = 2;

	if (cloexec_pipe(po) < 0)
		return rk_fail(err, RK_CONFIG, "pipe: %s", strerror(errno));
	if (cloexec_pipe(pe) < 0) {
		close(po[0]);
		close(po[1]);
		return rk_fail(err, RK_CONFIG, "pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		return rk_fail(err, RK_CONFIG, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		signal(SIGPIPE, SIG_DFL);
		if (chdir(d->cwd) < 0) {
			dprintf(2, "reckon: cannot enter '%s': %s\n", d->cwd,
				strerror(errno));
			_exit(127);
		}
		execve(argv[0], argv, d->env);
		dprintf(2, "reckon: cannot start '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	fds[0].fd = po[0];
	fds[1].fd = pe[0];
	fds[0].events = fds[1].events = POLLIN;
	while (open_fds) {
		char buf[4096];

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int k = 0; k < 2; k++) {
			ssize_t got;

			if (fds[k].fd < 0 ||
			    !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(fds[k].fd, buf, sizeof(buf));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(fds[k].fd);
				fds[k].fd = -1;
				open_fds--;
				continue;
			}
			keep_tail(k ? errs : out, buf, (size_t)got);
		}
	}
	for (int k = 0; k < 2; k++)
		if (fds[k].fd >= 0)
			close(fds[k].fd);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(ws)	    ? WEXITSTATUS(ws)
		  : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws)
				    : 1;
	if (!out->s)
		rk_buf_adds(out, "");
	if (!errs->s)
		rk_buf_adds(errs, "");
	strip_escapes(out);
	strip_escapes(errs);
	return 0;
}

/* "word\n" lines of list, sorted-insensitive membership test */
static int
in_lines(const char *list, const char *w)
{
	size_t len = strlen(w);

	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == len && strncmp(p, w, len) == 0)
			return 1;
		p = e ? e + 1 : p + l;
	}
	return 0;
}

static size_t
count_lines(const char *list)
{
	size_t n = 0;

	for (const char *p = list; p && *p; p++)
		n += *p == '\n';
	return n;
}

/* The ids reckon holds applied (or pending, with pending) as lines. */
static void
reckon_ids(const struct rk_session *s, int pending, struct rk_buf *out)
{
	if (!pending) {
		for (size_t i = 0; i < s->rows.n; i++)
			rk_buf_addf(out, "%s\n", s->rows.v[i].id);
		return;
	}
	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->state != ST_PENDING || !e->file)
			continue;
		delegate_file_ident(s, e->file, out);
		rk_buf_addc(out, '\n');
	}
}

/* The last lines of a command's output, for an error. */
static void
output_tail(const struct rk_buf *out, const struct rk_buf *errs,
	    struct rk_buf *text)
{
	if (out->len)
		rk_buf_add(text, out->s, out->len);
	if (out->len && out->s[out->len - 1] != '\n')
		rk_buf_addc(text, '\n');
	if (errs->len)
		rk_buf_add(text, errs->s, errs->len);
	if (!text->s)
		rk_buf_adds(text, "");
}

int
delegate_same_db(struct rk_ctx *ctx, const struct rk_session *s,
		 const struct delegate *d, struct rk_buf *note,
		 struct rk_err *err)
{
	const struct det_runner *rn = d->rn;
	struct rk_buf out = RK_BUF_INIT, errs = RK_BUF_INIT;
	struct rk_buf theirs = RK_BUF_INIT, ours = RK_BUF_INIT,
		      cmd = RK_BUF_INIT;
	char **argv;
	int status = 0, rc = 0, agree = 1;

	(void)ctx;
	if (!rn || !rn->status || !rn->parse_status) {
		rk_buf_addf(note,
			    "not compared with the framework's own status: %s",
			    rn && rn->no_status ? rn->no_status
						: "it has no status command");
		return 0;
	}
	argv = delegate_argv(d, s, rn->status, NULL);
	delegate_text(argv, &cmd);
	if (spawn(d, argv, &out, &errs, &status, err) < 0) {
		rc = -1;
		goto done;
	}
	if (status != 0) {
		struct rk_buf text = RK_BUF_INIT;

		output_tail(&out, &errs, &text);
		rc = rk_fail(err, RK_CONFIG,
			     "'%s' (the framework's status, asked before "
			     "running) exited %d: %.300s",
			     cmd.s, status, text.s);
		rk_err_hint(err,
			    "make the framework's own command work in "
			    "'%s' first, or name it with --runner",
			    d->cwd);
		rk_buf_release(&text);
		goto done;
	}
	rn->parse_status(out.s, out.len, d->app, &theirs);
	rn->parse_status(errs.s, errs.len, d->app, &theirs);
	reckon_ids(s, rn->status_pending, &ours);
	agree = count_lines(theirs.s) == count_lines(ours.s);
	for (const char *p = ours.s; agree && p && *p;) {
		const char *e = strchr(p, '\n');
		char *w = xstrndup(p, (size_t)(e - p));

		agree = in_lines(theirs.s, w);
		free(w);
		p = e + 1;
	}
	if (!agree) {
		struct rk_buf text = RK_BUF_INIT;

		/* its own words too: what it printed shows where it looked */
		output_tail(&out, &errs, &text);
		rc = rk_fail(err, RK_CONFIG,
			     "the framework's configuration points at another "
			     "database: '%s' says %s %s, reckon read %s from "
			     "%s; it printed: %.300s",
			     cmd.s, rn->status_pending ? "pending" : "applied",
			     theirs.len ? theirs.s : "(none)",
			     ours.len ? ours.s : "(none)", ctx->db_display,
			     text.s);
		rk_buf_release(&text);
		rk_err_hint(err,
			    "make the framework read the database from %s "
			    "(reckon sets it), or run reckon with the "
			    "framework's database",
			    rn->url_env && rn->url_env[0] ? rn->url_env[0]
							  : "its environment");
		goto done;
	}
	rk_buf_addf(note, "'%s' agrees: %zu %s", cmd.s, count_lines(ours.s),
		    rn->status_pending ? "pending" : "applied");
done:
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
	rk_buf_release(&out);
	rk_buf_release(&errs);
	rk_buf_release(&theirs);
	rk_buf_release(&ours);
	rk_buf_release(&cmd);
	return rc;
}

/* Files (indexes into s->files) the status holds applied, as 0/1. */
static unsigned char *
applied_files(const struct rk_session *s)
{
	unsigned char *v = xcalloc(s->files.n + 1, 1);

	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->file &&
		    (e->state == ST_APPLIED || e->state == ST_MODIFIED ||
		     e->state == ST_FAILED))
			v[e->file - s->files.v] = 1;
	}
	return v;
}

int
delegate_check_plan(const struct rk_session *s, const struct delegate *d,
		    const struct prepared *ps, size_t n, struct rk_err *err)
{
	unsigned char *sim = applied_files(s);
	unsigned char *want = xcalloc(s->files.n + 1, 1);
	int all = d->rn && d->rn->up_all, rc = 0;

	/* what the plan asks for: its files and what they need */
	for (size_t i = 0; i < n; i++) {
		unsigned char *need;

		want[ps[i].file - s->files.v] = 1;
		if (!ps[i].code)
			continue;
		need = delegate_step_set(s, d->app, 0, ps[i].file, sim);
		for (size_t j = 0; j < s->files.n; j++)
			want[j] |= need[j];
		free(need);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct mig_file *f = ps[i].file;
		unsigned char *set;
		struct rk_buf extra = RK_BUF_INIT, cmd = RK_BUF_INIT;
		size_t nextra = 0;

		if (!ps[i].code) {
			sim[f - s->files.v] = 1;
			continue;
		}
		set = delegate_step_set(s, d->app, all, f, sim);
		for (size_t j = 0; j < s->files.n; j++) {
			if (set[j] && !want[j] && nextra++ < 3)
				rk_buf_addf(&extra, "%s'%s'",
					    extra.len ? ", " : "",
					    s->files.v[j].name);
			sim[j] |= set[j];
		}
		if (nextra) {
			char **argv = delegate_argv(d, s, NULL, f);

			delegate_text(argv, &cmd);
			for (size_t k = 0; argv[k]; k++)
				free(argv[k]);
			free(argv);
			rc = rk_fail(err, RK_USAGE,
				     "cannot apply only the migrations asked "
				     "for: the step for '%s' ('%s') %s %s%s, "
				     "which the run leaves out (--steps, "
				     "--to or the names given); nothing was "
				     "run",
				     f->name, cmd.s,
				     all ? "applies every pending migration "
					   "at once, also"
					 : "also applies",
				     extra.s, nextra > 3 ? " and more" : "");
			rk_err_hint(err,
				    "run all %s pending migrations (without "
				    "--steps, --to or names), or name a "
				    "command that applies one migration with "
				    "--runner",
				    s->tracked.det->name);
		}
		rk_buf_release(&extra);
		rk_buf_release(&cmd);
		free(set);
	}
	free(want);
	free(sim);
	return rc;
}

/* After the step: the set grew (down: shrank) by exactly expect? Else say
 * what it did. */
static int
check_grew(const struct rk_session *s, const unsigned char *before,
	   const unsigned char *expect, int down, struct rk_buf *why)
{
	unsigned char *after = applied_files(s);
	int ok = 1;

	for (size_t i = 0; i < s->files.n; i++) {
		const char *name = s->files.v[i].name;

		if (expect[i] && after[i] == before[i]) {
			ok = 0;
			rk_buf_addf(why, "%s%s is %s recorded",
				    why->len ? "; " : "", name,
				    down ? "still" : "not");
		} else if (!expect[i] && after[i] != before[i]) {
			ok = 0;
			rk_buf_addf(why, "%s%s was %s too",
				    why->len ? "; " : "", name,
				    after[i] ? "recorded" : "unrecorded");
		}
	}
	free(after);
	return ok;
}

/* The other files of the step's set: a later item of the plan is done by
 * this step (the same command ran it); one outside the plan is named in
 * it->also. */
static void
credit_set(const struct rk_session *s, const unsigned char *expect,
	   const struct mig_file *f, struct run_item *it, struct run_report *r)
{
	struct rk_buf also = RK_BUF_INIT;

	for (size_t i = 0; i < s->files.n; i++) {
		const char *name = s->files.v[i].name;
		size_t k = 0;

		if (!expect[i] || &s->files.v[i] == f)
			continue;
		while (k < r->nitems && strcmp(r->items[k].name, name) != 0)
			k++;
		if (k < r->nitems && r->items[k].outcome == RUN_NOT_STARTED) {
			struct run_item *o = &r->items[k];

			o->outcome = RUN_COMMITTED;
			o->recorded = 1;
			free(o->ran_by);
			o->ran_by = xstrdup(it->ran_by);
			free(o->with);
			o->with = xstrdup(f->name);
			continue;
		}
		rk_buf_addf(&also, "%s%s", also.len ? ", " : "", name);
	}
	free(it->also);
	it->also = also.len ? rk_buf_detach(&also, NULL) : NULL;
	rk_buf_release(&also);
}

/* The other apps' migrations the step's set names that the table does
 * not hold (before: its other-app rows), "app/name" lines into out. */
static void
foreign_needs(const struct rk_session *s, const char *app,
	      const unsigned char *expect, const char *before,
	      struct rk_buf *out)
{
	for (size_t i = 0; i < s->files.n; i++) {
		for (const char *p = expect[i] ? s->files.v[i].parent : NULL;
		     p && *p;) {
			size_t len = strcspn(p, ",");
			const char *slash;
			char *w;

			while (len && *p == ' ') {
				p++;
				len--;
			}
			slash = memchr(p, '/', len);
			w = xstrndup(p, len);
			if (slash && app &&
			    !(strlen(app) == (size_t)(slash - p) &&
			      strncmp(p, app, (size_t)(slash - p)) == 0) &&
			    !in_lines(before, w) && !in_lines(out->s, w))
				rk_buf_addf(out, "%s\n", w);
			free(w);
			p += len + (p[len] == ',');
		}
	}
	if (!out->s)
		rk_buf_adds(out, "");
}

/* The next line of the "\n"-ended list at *p, as a new string, and *p
 * past it; NULL at the end. */
static char *
next_line(const char **p)
{
	const char *e = *p ? strchr(*p, '\n') : NULL;
	char *w;

	if (!e)
		return NULL;
	w = xstrndup(*p, (size_t)(e - *p));
	*p = e + 1;
	return w;
}

/* Is the row w ("app/name") in need, or of an app need names (whose own
 * needs are not in need: their files are not here)? */
static int
needed(const char *need, const char *w)
{
	size_t alen = strcspn(w, "/");
	const char *p = need;
	char *q;
	int known = in_lines(need, w);

	while (!known && (q = next_line(&p)) != NULL) {
		known = strncmp(q, w, alen + 1) == 0;
		free(q);
	}
	return known;
}

/*
 * Did the other apps' rows change by exactly need? A run must add need
 * (and, in need's apps, what those need); a down must lose need and no
 * other row, and add none. The rows that came (a run) or went (a down)
 * into also, ", "-joined; why says what differs.
 */
static int
foreign_changed(const char *before, const char *after, const char *need,
		int down, struct rk_buf *also, struct rk_buf *why)
{
	const char *p;
	char *w;
	int ok = 1;

	for (p = need; (w = next_line(&p)) != NULL; free(w))
		if (in_lines(after, w) == down) {
			ok = 0;
			rk_buf_addf(why, "%s%s %s", why->len ? "; " : "", w,
				    down ? "is still recorded"
					 : "is not recorded");
		}
	for (p = down ? before : NULL; (w = next_line(&p)) != NULL; free(w)) {
		if (in_lines(after, w))
			continue;
		if (in_lines(need, w)) {
			rk_buf_addf(also, "%s%s", also->len ? ", " : "", w);
		} else {
			ok = 0;
			rk_buf_addf(why, "%s%s was unrecorded too",
				    why->len ? "; " : "", w);
		}
	}
	for (p = after; (w = next_line(&p)) != NULL; free(w)) {
		if (in_lines(before, w))
			continue;
		if (!down && needed(need, w)) {
			rk_buf_addf(also, "%s%s", also->len ? ", " : "", w);
		} else {
			ok = 0;
			rk_buf_addf(why, "%s%s was recorded%s",
				    why->len ? "; " : "", w,
				    down ? "" : " too");
		}
	}
	return ok;
}

/*
 * What else the down step undoes, as the framework plans it (Django's
 * migrate <app> <prev> --plan names the other apps' migrations that
 * depend on the one undone): "app/name" lines into need. The plan
 * changes nothing.
 */
static int
down_plan(const struct delegate *d, const struct rk_session *s,
	  const struct mig_file *f, struct rk_buf *need, struct rk_err *err)
{
	struct rk_buf out = RK_BUF_INIT, errs = RK_BUF_INIT, text = RK_BUF_INIT;
	char **argv = delegate_argv(d, s, d->rn->down_plan, f);
	struct rk_buf cmd = RK_BUF_INIT;
	int status = 0, rc = 0;

	delegate_text(argv, &cmd);
	if (spawn(d, argv, &out, &errs, &status, err) < 0) {
		rc = -1;
	} else if (status != 0) {
		output_tail(&out, &errs, &text);
		rc = rk_fail(err, RK_DB,
			     "'%s' (what the down of %s would undo) exited "
			     "%d; nothing was undone:\n%s",
			     cmd.s, f->name, status, text.s);
		rk_err_hint(err, "fix what the framework says and run "
				 "again");
	} else {
		d->rn->parse_plan(out.s, out.len, d->app, need);
	}
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
	rk_buf_release(&cmd);
	rk_buf_release(&out);
	rk_buf_release(&errs);
	rk_buf_release(&text);
	return rc;
}

/* The file's hash in the sidecar (its drift shows later), best effort. */
static void
remember_hash(struct rk_ctx *ctx, struct rk_session *s,
	      const struct mig_file *f)
{
	struct rk_err ignored = RK_ERR_INIT;

	if (!s->tracked.sidecar || db_begin(ctx->db, &ignored) < 0)
		return;
	if (op_prepare_tables(ctx, s, &ignored) == 0 &&
	    sidecar_put(ctx->db, &s->tracked, f->name, f->sha256, NULL,
			&ignored) == 0 &&
	    db_commit(ctx->db, &ignored) == 0)
		return;
	db_rollback(ctx->db);
}

int
delegate_step(struct rk_ctx *ctx, struct rk_session *s,
	      const struct delegate *d, const struct mig_file *f, int down,
	      struct run_item *it, struct run_report *r, struct rk_err *err)
{
	struct rk_buf out = RK_BUF_INIT, errs = RK_BUF_INIT;
	struct rk_buf text = RK_BUF_INIT, why = RK_BUF_INIT;
	struct rk_buf fbefore = RK_BUF_INIT, fafter = RK_BUF_INIT,
		      fneed = RK_BUF_INIT, falso = RK_BUF_INIT;
	unsigned char *before = NULL, *expect = NULL;
	char **argv =
		delegate_argv(d, s, down && d->rn ? d->rn->down : NULL, f);
	long t0;
	int status = 0, rc = -1, others;

	/* what the table holds now: the steps before may have been SQL
	 * that reckon recorded itself */
	if (session_reload(ctx, s, err) < 0) {
		run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	before = applied_files(s);
	others = d->rn && d->rn->others &&
		 (!down || (d->rn->down_plan && d->rn->parse_plan));
	if (others && d->rn->others(ctx->db, &s->tracked, &fbefore, err) < 0) {
		run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	if (down) {
		expect = xcalloc(s->files.n + 1, 1);
		expect[f - s->files.v] = 1;
	} else {
		expect = delegate_step_set(s, d->app, d->rn && d->rn->up_all, f,
					   before);
	}
	if (others && !down)
		foreign_needs(s, d->app, expect, fbefore.s, &fneed);
	if (others && down && down_plan(d, s, f, &fneed, err) < 0) {
		it->outcome = RUN_NOT_STARTED;
		run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	t0 = rk_now_ms();
	if (rk_interrupted()) {
		rc = run_interrupted(err);
		run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	it->outcome = RUN_FAILED; /* until the table says otherwise */
	if (spawn(d, argv, &out, &errs, &status, err) < 0) {
		it->outcome = RUN_NOT_STARTED;
		run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	it->ms = rk_now_ms() - t0;
	output_tail(&out, &errs, &text);
	it->output = xstrdup(text.s);
	if (session_reload(ctx, s, err) < 0) {
		run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	if (others && d->rn->others(ctx->db, &s->tracked, &fafter, err) < 0) {
		run_fail_report(r, NULL, NULL, err);
		goto out;
	}
	if (status == 0 && check_grew(s, before, expect, down, &why) &&
	    (!others || foreign_changed(fbefore.s, fafter.s, fneed.s, down,
					&falso, &why))) {
		it->outcome = RUN_COMMITTED;
		it->recorded = !down;
		credit_set(s, expect, f, it, r);
		if (falso.len) {
			/* another app's migrations the step needed */
			struct rk_buf all = RK_BUF_INIT;

			rk_buf_addf(&all, "%s%s%s", it->also ? it->also : "",
				    it->also ? ", " : "", falso.s);
			free(it->also);
			it->also = rk_buf_detach(&all, NULL);
			it->also_down = down;
		}
		for (size_t i = 0; !down && i < s->files.n; i++)
			if (expect[i])
				remember_hash(ctx, s, &s->files.v[i]);
		run_progress(ctx, r, f->name, it->ms);
		rc = 0;
		goto out;
	}
	if (status != 0) {
		unsigned char *now = applied_files(s);

		if (now[f - s->files.v] != down)
			it->recorded = 1; /* it failed after its own commit */
		free(now);
		rk_fail(err, RK_DB, "'%s' exited %d", it->ran_by, status);
	} else {
		rk_fail(err, RK_DB,
			"'%s' succeeded but the tracking table does not show "
			"exactly what it %s: %s",
			it->ran_by, down ? "reverts" : "applies", why.s);
	}
	rk_err_hint(err, "the framework's output is above; fix the cause and "
			 "run again: reckon resumes from what the table says");
	run_fail_report(r, NULL, NULL, err);
	free(r->failed->name);
	r->failed->name = xstrdup(f->name);
	free(r->failed->detail);
	r->failed->detail = xstrdup(text.s);
out:
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
	free(before);
	free(expect);
	rk_buf_release(&out);
	rk_buf_release(&errs);
	rk_buf_release(&text);
	rk_buf_release(&why);
	rk_buf_release(&fbefore);
	rk_buf_release(&fafter);
	rk_buf_release(&fneed);
	rk_buf_release(&falso);
	return rc;
}
