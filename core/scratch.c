/*
 * Throwaway databases (scratch.h): create, restore, migrate, drop. The
 * PostgreSQL side runs CREATE and DROP DATABASE on the caller's server
 * connection, with the name quoted by the driver; psql and pg_restore are
 * started with posix_spawnp() and an argv (never a shell), the password in
 * their environment rather than their arguments, stdout discarded and
 * stderr kept in a temporary file for the error message. The SQLite side
 * works in a directory of its own, so dropping it is removing that.
 */
#include "reckon/core/scratch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/core/interrupt.h"
#include "reckon/core/ops.h"
#include "reckon/core/schema_snap.h"
#include "reckon/core/sidecar.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/banned.h"

extern char **environ;

/* XXX: TMPDIR is not honoured (only config.c reads the environment); a
 * tmpdir setting in struct rk_config would close this */
#define SCRATCH_TMP "/tmp"

const char *
snapshot_format_name(enum snapshot_format f)
{
	switch (f) {
	case SNAPSHOT_SQLITE:
		return "sqlite";
	case SNAPSHOT_PG_PLAIN:
		return "pg_plain";
	case SNAPSHOT_PG_CUSTOM:
		return "pg_custom";
	case SNAPSHOT_PG_TAR:
		return "pg_tar";
	case SNAPSHOT_PG_DIRECTORY:
		return "pg_directory";
	}
	rk_bug("snapshot format %d", (int)f);
}

enum db_kind
snapshot_kind(enum snapshot_format f)
{
	return f == SNAPSHOT_SQLITE ? DB_SQLITE : DB_PG;
}

int
snapshot_format_of(const char *path, enum snapshot_format *out,
		   struct rk_err *err)
{
	static const char sqlite_magic[16] = "SQLite format 3";
	unsigned char head[512];
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(path, &st) < 0)
		return rk_fail(err, RK_INPUT, "cannot read snapshot '%s': %s",
			       path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		struct rk_buf toc = RK_BUF_INIT;
		int ok;

		rk_buf_addf(&toc, "%s/toc.dat", path);
		ok = access(toc.s, R_OK) == 0;
		rk_buf_release(&toc);
		if (!ok)
			return rk_fail(err, RK_INPUT,
				       "snapshot '%s' is a directory without "
				       "pg_dump's toc.dat",
				       path);
		*out = SNAPSHOT_PG_DIRECTORY;
		return 0;
	}
	if ((fd = open(path, O_RDONLY)) < 0)
		return rk_fail(err, RK_INPUT, "cannot read snapshot '%s': %s",
			       path, strerror(errno));
	n = read(fd, head, sizeof(head));
	(void)close(fd);
	if (n < 0)
		return rk_fail(err, RK_INPUT, "cannot read snapshot '%s': %s",
			       path, strerror(errno));
	if (n >= 16 && memcmp(head, sqlite_magic, 16) == 0)
		*out = SNAPSHOT_SQLITE;
	else if (n >= 5 && memcmp(head, "PGDMP", 5) == 0)
		*out = SNAPSHOT_PG_CUSTOM;
	else if (n >= 262 && memcmp(head + 257, "ustar", 5) == 0)
		*out = SNAPSHOT_PG_TAR;
	else if (n > 0 &&
		 rk_utf8_check((const char *)head, (size_t)n) + 4 >= (size_t)n)
		*out = SNAPSHOT_PG_PLAIN; /* (a character cut at 512 bytes) */
	else
		return rk_fail(err, RK_INPUT,
			       "snapshot '%s' is neither a SQLite database nor "
			       "a pg_dump file",
			       path);
	return 0;
}

static void
scratch_release(struct scratch *s)
{
	free(s->name);
	free(s->url);
	free(s->conninfo);
	free(s->password);
	free(s->dir);
	*s = (struct scratch)SCRATCH_INIT;
}

static int
lite_create(struct scratch *s, struct rk_err *err)
{
	struct rk_buf b = RK_BUF_INIT;
	char tmpl[] = SCRATCH_TMP "/reckon-scratch-XXXXXX";

	if (!mkdtemp(tmpl))
		return rk_fail(err, RK_CONFIG,
			       "cannot create a temporary directory in '%s': "
			       "%s",
			       SCRATCH_TMP, strerror(errno));
	s->kind = DB_SQLITE;
	s->dir = xstrdup(tmpl);
	rk_buf_addf(&b, "%s/scratch.db", tmpl);
	s->name = xstrdup(b.s);
	rk_buf_reset(&b);
	rk_buf_addf(&b, "sqlite:%s", s->name);
	s->url = rk_buf_detach(&b, NULL);
	s->exists = 1;
	return 0;
}

/* A name no other run picks: pid, a counter and the time. */
static void
pg_scratch_name(struct rk_buf *out)
{
	static unsigned counter;
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	rk_buf_addf(out, "reckon_scratch_%ld_%u_%lx%05lx", (long)getpid(),
		    ++counter, (unsigned long)ts.tv_sec,
		    (unsigned long)(ts.tv_nsec / 10000) & 0xfffffUL);
}

static int
pg_create(struct db *server, const char *server_url, struct scratch *s,
	  struct rk_err *err)
{
	struct rk_buf name = RK_BUF_INIT, sql = RK_BUF_INIT, b = RK_BUF_INIT;
	int rc = -1;

	pg_scratch_name(&name);
	rk_buf_adds(&sql, "CREATE DATABASE ");
	db_quote_ident(server, name.s, &sql);
	rk_buf_adds(&sql, " TEMPLATE template0");
	if (db_pg_conninfo_for(server_url, name.s, 1, &b, NULL, err) < 0)
		goto out;
	s->url = rk_buf_detach(&b, NULL);
	if (db_pg_conninfo_for(server_url, name.s, 0, &b, &s->password, err) <
	    0)
		goto out;
	s->conninfo = rk_buf_detach(&b, NULL);
	if (db_exec(server, sql.s, err) < 0) {
		rk_err_prefix(err, "cannot create the throwaway database '%s'",
			      name.s);
		if (!strcmp(err->sqlstate, "42501"))
			rk_err_hint(err,
				    "the role needs CREATEDB; pass --dev-db "
				    "URL of a server where it may create "
				    "databases");
		goto out;
	}
	s->kind = DB_PG;
	s->server = server;
	s->name = rk_buf_detach(&name, NULL);
	s->exists = 1;
	rc = 0;
out:
	if (rc < 0)
		scratch_release(s);
	rk_buf_release(&name);
	rk_buf_release(&sql);
	rk_buf_release(&b);
	return rc;
}

int
scratch_create(struct db *server, const char *server_url, enum db_kind kind,
	       struct scratch *s, struct rk_err *err)
{
	*s = (struct scratch)SCRATCH_INIT;
	if (kind == DB_SQLITE)
		return lite_create(s, err);
	if (!server)
		rk_bug("a PostgreSQL scratch database needs a server");
	return pg_create(server, server_url, s, err);
}

/* Copy the file at from to the new file to, byte for byte. */
static int
copy_file(const char *from, const char *to, struct rk_err *err)
{
	char buf[65536];
	int in, out, rc = 0;
	ssize_t n;

	if ((in = open(from, O_RDONLY)) < 0)
		return rk_fail(err, RK_INPUT, "cannot read snapshot '%s': %s",
			       from, strerror(errno));
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		(void)close(in);
		return rk_fail(err, RK_CONFIG, "cannot create '%s': %s", to,
			       strerror(errno));
	}
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		ssize_t off = 0;

		if (n < 0) {
			rc = errno == EINTR && !rk_interrupted()
				     ? 0
				     : rk_fail(err, RK_INPUT,
					       "cannot read snapshot '%s': %s",
					       from, strerror(errno));
			continue;
		}
		while (rc == 0 && off < n) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0 && errno != EINTR)
				rc = rk_fail(err, RK_CONFIG,
					     "cannot write '%s': %s", to,
					     strerror(errno));
			off += w > 0 ? w : 0;
		}
	}
	(void)close(in);
	if (close(out) < 0 && rc == 0)
		rc = rk_fail(err, RK_CONFIG, "cannot write '%s': %s", to,
			     strerror(errno));
	return rc;
}

/* The environment for a child: ours, with PGPASSWORD when s has one. */
static char **
child_env(const struct scratch *s, struct rk_buf *pw)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	for (size_t i = 0; i < n; i++)
		if (!s->password || strncmp(environ[i], "PGPASSWORD=", 11))
			env[k++] = environ[i];
	if (s->password) {
		rk_buf_addf(pw, "PGPASSWORD=%s", s->password);
		env[k++] = pw->s;
	}
	env[k] = NULL;
	return env;
}

/* The last lines of what the child wrote to stderr (fd, rewound). */
static void
child_stderr(int fd, struct rk_buf *out)
{
	struct rk_buf all = RK_BUF_INIT;
	size_t from = 0, lines = 0;

	if (lseek(fd, 0, SEEK_SET) == 0 && rk_buf_read_fd(&all, fd) == 0) {
		while (all.len && (all.s[all.len - 1] == '\n'))
			all.s[--all.len] = '\0';
		for (size_t i = all.len; i > 0; i--)
			if (all.s[i - 1] == '\n' && ++lines == 3) {
				from = i;
				break;
			}
		rk_buf_adds(out, all.s + from);
	} else {
		(void)close(fd);
	}
	rk_buf_release(&all);
}

/* Wait for pid; a signal to reckon stops it too. 0 if it exited 0. */
static int
child_wait(pid_t pid, int *status)
{
	int sent = 0;

	for (;;) {
		pid_t w = waitpid(pid, status, 0);

		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -1;
		if (rk_interrupted() && !sent) {
			(void)kill(pid, SIGTERM);
			sent = 1;
		}
	}
}

/* Run argv (argv[0] looked up in PATH) with s's password; its stderr
 * becomes the error when it fails. */
static int
run_child(const struct scratch *s, const char *const argv[], const char *what,
	  struct rk_err *err)
{
	struct rk_buf pw = RK_BUF_INIT, msg = RK_BUF_INIT;
	posix_spawn_file_actions_t fa;
	char tmpl[] = SCRATCH_TMP "/reckon-stderr-XXXXXX";
	char **env;
	pid_t pid;
	int fd, status = 0, rc;

	if ((fd = mkstemp(tmpl)) < 0)
		return rk_fail(err, RK_CONFIG,
			       "cannot create a temporary file in '%s': %s",
			       SCRATCH_TMP, strerror(errno));
	(void)unlink(tmpl);
	env = child_env(s, &pw);
	(void)posix_spawn_file_actions_init(&fa);
	(void)posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
					       0);
	(void)posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
					       0);
	(void)posix_spawn_file_actions_adddup2(&fa, fd, 2);
	/* (posix_spawnp's argv is not const only for historical reasons) */
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, env);
	(void)posix_spawn_file_actions_destroy(&fa);
	free(env);
	rk_buf_release(&pw);
	if (rc != 0) {
		(void)close(fd);
		rk_fail(err, RK_CONFIG, "cannot run %s: %s", argv[0],
			strerror(rc));
		rk_err_hint(err, "install the PostgreSQL client programs "
				 "(Debian: postgresql-client)");
		return -1;
	}
	if (child_wait(pid, &status) < 0) {
		(void)close(fd);
		return rk_fail(err, RK_CONFIG, "cannot wait for %s: %s",
			       argv[0], strerror(errno));
	}
	if (rk_interrupted()) {
		(void)close(fd);
		return rk_fail(err, RK_DB, "interrupted while %s", what);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		(void)close(fd);
		return 0;
	}
	child_stderr(fd, &msg);
	if (WIFEXITED(status))
		rk_fail(err, RK_DB, "%s failed (%s exited %d)%s%s", what,
			argv[0], WEXITSTATUS(status), msg.len ? ": " : "",
			msg.s);
	else
		rk_fail(err, RK_DB, "%s failed (%s killed by signal %d)", what,
			argv[0], WTERMSIG(status));
	rk_buf_release(&msg);
	return -1;
}

int
scratch_restore(struct scratch *s, const char *path, enum snapshot_format f,
		struct rk_err *err)
{
	struct rk_buf what = RK_BUF_INIT;
	int rc;

	if (s->kind == DB_SQLITE) {
		if (f != SNAPSHOT_SQLITE)
			rk_bug("restoring a pg_dump into SQLite");
		return copy_file(path, s->name, err);
	}
	rk_buf_addf(&what, "restoring '%s'", path);
	if (f == SNAPSHOT_PG_PLAIN) {
		const char *const argv[] = {
			"psql", "-X",	     "-q", "-v", "ON_ERROR_STOP=1",
			"-d",	s->conninfo, "-f", path, NULL
		};

		rc = run_child(s, argv, what.s, err);
	} else {
		const char *const argv[] = { "pg_restore", "--exit-on-error",
					     "--no-owner", "--no-privileges",
					     "-d",	   s->conninfo,
					     path,	   NULL };

		rc = run_child(s, argv, what.s, err);
	}
	rk_buf_release(&what);
	return rc;
}

const char **
scratch_tracking_tables(const char *framework, const char *table)
{
	const struct detector *det =
		framework ? detector_find(framework) : NULL;
	size_t ncomp = 0, n = 0;
	const char **v;

	while (det && det->companions && det->companions[ncomp])
		ncomp++;
	v = xcalloc(5 + ncomp, sizeof(*v));
	v[n++] = det_reckon.table;
	v[n++] = SIDECAR_TABLE;
	if (table)
		v[n++] = table;
	if (det)
		v[n++] = det->table;
	for (size_t i = 0; i < ncomp; i++)
		v[n++] = det->companions[i];
	v[n] = NULL;
	return v;
}

int
scratch_migrate(const struct rk_ctx *ctx, struct scratch *s,
		const char *framework, struct run_report *r,
		struct schema_snap *snap, struct rk_err *err)
{
	struct rk_ctx sub = *ctx; /* borrows ctx's settings; never released */
	struct run_opts o = { .no_backup = 1, .allow_drift = 1 };
	struct db_opts dbo;
	const char **skip;
	int rc;

	ctx_db_opts(&ctx->cfg, &dbo);
	sub.db = NULL;
	sub.progress = NULL;
	sub.help = NULL;
	if (framework)
		sub.cfg.framework = (char *)framework;
	if (db_open(s->url, &dbo, &sub.db, err) < 0)
		return -1;
	rc = op_run(&sub, &o, r, err);
	if (rc == 0) {
		skip = scratch_tracking_tables(r->framework, ctx->cfg.table);
		rc = schema_snap_read(sub.db, skip, snap, err);
		free(skip);
	}
	db_close(sub.db);
	return rc;
}

/* Remove dir and everything in it (one level: the scratch file and the
 * journal, WAL and lock files SQLite and reckon put beside it). */
static int
remove_dir(const char *dir, struct rk_err *err)
{
	struct rk_buf p = RK_BUF_INIT;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return rk_fail(err, RK_CONFIG, "cannot remove '%s': %s", dir,
			       strerror(errno));
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		rk_buf_reset(&p);
		rk_buf_addf(&p, "%s/%s", dir, e->d_name);
		(void)unlink(p.s);
	}
	(void)closedir(d);
	rk_buf_release(&p);
	if (rmdir(dir) < 0)
		return rk_fail(err, RK_CONFIG, "cannot remove '%s': %s", dir,
			       strerror(errno));
	return 0;
}

int
scratch_drop(struct scratch *s, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	struct db_info info;
	int rc = 0;

	if (!s->exists) {
		scratch_release(s);
		return 0;
	}
	if (s->kind == DB_SQLITE) {
		rc = remove_dir(s->dir, err);
	} else {
		rk_buf_adds(&sql, "DROP DATABASE IF EXISTS ");
		db_quote_ident(s->server, s->name, &sql);
		/* PostgreSQL 13 and later end any session still in it */
		if (db_info(s->server, &info, err) == 0 &&
		    info.server_version_num >= 130000)
			rk_buf_adds(&sql, " WITH (FORCE)");
		rc = db_exec(s->server, sql.s, err);
		if (rc < 0) {
			rk_err_prefix(err,
				      "cannot drop the throwaway database "
				      "'%s'",
				      s->name);
			rk_err_hint(err, "drop it by hand: DROP DATABASE %s",
				    s->name);
		}
		rk_buf_release(&sql);
	}
	scratch_release(s);
	return rc;
}
