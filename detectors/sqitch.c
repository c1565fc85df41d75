/*
 * Sqitch: a registry of tables changes, events, projects, tags,
 * dependencies and releases. One changes row per deployed change, matched
 * to deploy/<change>.sql by the change's name; a deploy that failed leaves
 * only an events row with event 'fail'. --dir is the project directory:
 * sqitch.plan there gives the project and the order of changes (inspect()
 * makes each change's parent the change before it, so the core orders
 * files as the plan does); revert/<change>.sql is the down script.
 * script_hash is the SHA-1 of the deploy script's bytes. Recording writes
 * what "sqitch deploy" logs: the projects row on first use, the changes
 * row (change_id recomputed from the plan), dependencies, the tags that
 * follow the change in the plan, and a 'deploy' event. Sqitch takes the
 * committer from the user's configuration (user.name, user.email), which
 * reckon does not read: it writes the registry's last committer of the
 * project, else the planner.
 *
 * On PostgreSQL the registry is the schema sqitch. On SQLite it is a
 * database file of its own, which attach() attaches as schema "sqitch":
 * the registry named by sqitch.conf in --dir (target.<target>.registry,
 * engine.sqlite.registry, core.registry, else "sqitch"; the target is
 * engine.sqlite.target or core.target), an absolute path as it is, else
 * the database file's name with its stem replaced ("app.db" gives
 * "sqitch.db" beside it), or replaced whole when the registry has a dot
 * of its own. There Sqitch writes times as text in UTC: committed_at
 * 'YYYY-MM-DD HH:MM:SS.SSS', planned_at 'YYYY-MM-DD HH:MM:SS', and an
 * event's requires and conflicts joined with ',' and its tags with ' '
 * (PostgreSQL: arrays).
 *
 * Facts checked in sqitchers/sqitch (1.3.1, as Debian installs it):
 * - lib/App/Sqitch/Plan/Change.pm: info (project, uri, change, parent,
 *   planner "<name> <email>", date, requires "  + x", conflicts "  - x",
 *   blank line + note), id = SHA-1 of "change <len>\0<info>";
 * - lib/App/Sqitch/Plan/Tag.pm: info (project, uri, tag @name, change
 *   <change id>, planner, date, note), id = SHA-1 of "tag <len>\0<info>";
 * - lib/App/Sqitch/Plan/Line.pm: notes trimmed, \\ \n \r unescaped;
 * - lib/App/Sqitch/Role/DBIEngine.pm: register_project, log_deploy_change
 *   (changes, dependencies with resolved ids, tags), _log_event (events
 *   with tags, requires, conflicts; _log_*_param join them),
 *   log_revert_change, deployed_changes ordered by committed_at;
 * - lib/App/Sqitch/Engine/pg.sql, sqlite.sql: registry DDL and defaults;
 * - lib/App/Sqitch/Engine/sqlite.pm: registry_uri (where the registry
 *   file is), _ts_default strftime('%Y-%m-%d %H:%M:%f'), _char2ts;
 * - lib/App/Sqitch/Target.pm: registry from target.<name>, engine.<key>,
 *   core (in that order), else the engine's default_registry "sqitch";
 * - lib/App/Sqitch.pm: user.name / user.email from the configuration.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

static const char *const sq_cols[] = {
	"change_id",  "script_hash",  "change",		"project",
	"note",	      "committed_at", "committer_name", "committer_email",
	"planned_at", "planner_name", "planner_email",	NULL,
};
static const char *const sq_companions[] = { "events", "projects", NULL };

/* A change or tag line of sqitch.plan. */
struct sq_line {
	int tag;       /* "@name" line */
	char *name;    /* change name, or tag name without "@" */
	char *deps;    /* "[...]" contents: "x" requires, "!x" conflicts */
	char *pname;   /* planner name */
	char *pemail;  /* planner e-mail, without "<>" */
	char *date;    /* "2024-01-01T00:00:00Z" as written */
	char *note;    /* trimmed and unescaped, "" when none */
	char id[41];   /* change_id / tag_id */
	size_t change; /* tags: index of the change they follow */
};

struct sq_plan {
	char *project; /* owned; NULL if the plan names none */
	char *uri;     /* owned or NULL */
	struct sq_line *v;
	size_t n;
	size_t cap;
};

static void
plan_release(struct sq_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].deps);
		free(p->v[i].pname);
		free(p->v[i].pemail);
		free(p->v[i].date);
		free(p->v[i].note);
	}
	free(p->v);
	free(p->project);
	free(p->uri);
	memset(p, 0, sizeof(*p));
}

static const char *
skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* The word at *p up to white space (or stop), advancing *p. */
static char *
word(const char **p, const char *e, char stop)
{
	const char *s = *p;

	while (*p < e && **p != ' ' && **p != '\t' && **p != stop)
		(*p)++;
	return xstrndup(s, (size_t)(*p - s));
}

static char *
note_of(const char *p, const char *e)
{
	struct rk_buf b = RK_BUF_INIT;

	while (p < e && strchr(" \t\r\v\f", *p))
		p++;
	while (e > p && strchr(" \t\r\v\f", e[-1]))
		e--;
	for (; p < e; p++) {
		if (*p == '\\' && p + 1 < e && strchr("\\nr", p[1])) {
			p++;
			rk_buf_addc(&b, *p == 'n'   ? '\n'
					: *p == 'r' ? '\r'
						    : '\\');
		} else {
			rk_buf_addc(&b, *p);
		}
	}
	return rk_buf_detach(&b, NULL);
}

/* "[+]name [deps] date planner <email> [# note]" or "@tag ...". */
static void
parse_line(struct sq_plan *pl, const char *p, const char *e)
{
	struct sq_line *l;
	const char *lt;

	p = skip_ws(p, e);
	if (p < e && *p == '+')
		p = skip_ws(p + 1, e);
	rk_grow((void **)&pl->v, &pl->cap, pl->n + 1, sizeof(*pl->v));
	l = &pl->v[pl->n++];
	memset(l, 0, sizeof(*l));
	l->tag = p < e && *p == '@';
	p += l->tag;
	l->name = word(&p, e, '[');
	p = skip_ws(p, e);
	if (p < e && *p == '[') {
		const char *close = memchr(p, ']', (size_t)(e - p));

		close = close ? close : e;
		l->deps = xstrndup(p + 1, (size_t)(close - p - 1));
		p = skip_ws(close + (close < e), e);
	}
	l->date = word(&p, e, 0);
	p = skip_ws(p, e);
	lt = memchr(p, '<', (size_t)(e - p));
	lt = lt ? lt : e;
	l->pname = xstrndup(p, (size_t)(lt - p));
	for (size_t k = strlen(l->pname); k && l->pname[k - 1] == ' '; k--)
		l->pname[k - 1] = '\0';
	p = lt < e ? lt + 1 : e;
	l->pemail = word(&p, e, '>');
	p = memchr(p, '#', (size_t)(e - p));
	l->note = p ? note_of(p + 1, e) : xstrdup("");
	l->change = pl->n - 1;
	for (size_t k = pl->n - 1; l->tag && k-- > 0;)
		if (!pl->v[k].tag) {
			l->change = k;
			break;
		}
}

/* The space-separated dependencies of kind ("x" or "!x") as info lines. */
static void
add_deps(struct rk_buf *b, const char *deps, int conflicts)
{
	const char *p = deps ? deps : "";
	int any = 0;

	while (*p) {
		size_t len = strcspn(p, " \t");

		if (len && (p[0] == '!') == conflicts) {
			rk_buf_adds(b, any	   ? ""
				       : conflicts ? "\nconflicts"
						   : "\nrequires");
			rk_buf_addf(b, "\n  %c %.*s", conflicts ? '-' : '+',
				    (int)(len - (size_t)conflicts),
				    p + conflicts);
			any = 1;
		}
		p += len;
		p += strspn(p, " \t");
	}
}

/* Compute the id of line i (changes before it already have theirs). */
static void
line_id(const struct sq_plan *pl, size_t i)
{
	struct sq_line *l = &pl->v[i];
	struct rk_buf info = RK_BUF_INIT, obj = RK_BUF_INIT, hex = RK_BUF_INIT;
	unsigned char md[64];
	const char *parent = NULL;

	for (size_t k = i; !l->tag && k-- > 0;)
		if (!pl->v[k].tag) {
			parent = pl->v[k].id;
			break;
		}
	rk_buf_addf(&info, "project %s\n", pl->project ? pl->project : "");
	if (pl->uri)
		rk_buf_addf(&info, "uri %s\n", pl->uri);
	if (l->tag)
		rk_buf_addf(&info, "tag @%s\nchange %s\n", l->name,
			    pl->v[l->change].id);
	else
		rk_buf_addf(&info, "change %s\n", l->name);
	if (parent)
		rk_buf_addf(&info, "parent %s\n", parent);
	rk_buf_addf(&info, "planner %s <%s>\ndate %s", l->pname, l->pemail,
		    l->date);
	if (!l->tag) {
		add_deps(&info, l->deps, 0);
		add_deps(&info, l->deps, 1);
	}
	if (*l->note)
		rk_buf_addf(&info, "\n\n%s", l->note);
	rk_buf_addf(&obj, "%s %zu", l->tag ? "tag" : "change", info.len);
	rk_buf_addc(&obj, '\0');
	rk_buf_add(&obj, info.s, info.len);
	det_hex(md, det_digest("sha1", obj.s, obj.len, md), &hex);
	memcpy(l->id, hex.s, sizeof(l->id) - 1);
	rk_buf_release(&hex);
	rk_buf_release(&obj);
	rk_buf_release(&info);
}

/* "%name=value": keep project and uri. */
static void
pragma(struct sq_plan *pl, const char *s, const char *e)
{
	const char *eq = memchr(s, '=', (size_t)(e - s)), *n = eq, *v;
	char **dst;

	if (!eq)
		return;
	while (n > s && (n[-1] == ' ' || n[-1] == '\t'))
		n--;
	dst = n - s == 7 && !strncmp(s, "project", 7) ? &pl->project
	      : n - s == 3 && !strncmp(s, "uri", 3)   ? &pl->uri
						      : NULL;
	v = skip_ws(eq + 1, e);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (dst && !*dst)
		*dst = xstrndup(v, (size_t)(e - v));
}

/* Read <dir>/sqitch.plan (dir_len bytes of dir) into pl; -1 if absent. */
static int
plan_load(const char *dir, size_t dir_len, struct sq_plan *pl)
{
	struct rk_buf path = RK_BUF_INIT, text = RK_BUF_INIT;
	const char *p, *end;
	int rc;

	memset(pl, 0, sizeof(*pl));
	rk_buf_addf(&path, "%.*s/sqitch.plan", (int)dir_len, dir);
	rc = rk_buf_read_file(&text, path.s);
	for (p = text.s, end = text.s + text.len; rc == 0 && p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p)), *s, *next;

		next = e ? e + 1 : end;
		e = e ? e : end;
		if (e > p && e[-1] == '\r')
			e--;
		s = skip_ws(p, e);
		if (s < e && *s == '%')
			pragma(pl, s + 1, e);
		else if (s < e && *s != '#') {
			parse_line(pl, s, e);
			line_id(pl, pl->n - 1);
		}
		p = next;
	}
	rk_buf_release(&text);
	rk_buf_release(&path);
	return rc;
}

/* The last change line called name, or NULL. */
static const struct sq_line *
plan_find(const struct sq_plan *pl, const char *name, size_t len)
{
	for (size_t i = pl->n; i-- > 0;)
		if (!pl->v[i].tag && strlen(pl->v[i].name) == len &&
		    strncmp(pl->v[i].name, name, len) == 0)
			return &pl->v[i];
	return NULL;
}

/* deploy/<change>.sql is an up script, revert/<change>.sql its down. */
static int
sq_parse_name(const char *relpath, struct migname *out)
{
	int down = strncmp(relpath, "revert/", 7) == 0;
	size_t n = strlen(relpath);

	memset(out, 0, sizeof(*out));
	if ((!down && strncmp(relpath, "deploy/", 7) != 0) || n < 7 + 5 ||
	    strchr(relpath + 7, '/') || strcmp(relpath + n - 4, ".sql") != 0 ||
	    n - 11 >= sizeof(out->version))
		return -1;
	memcpy(out->version, relpath + 7, n - 11);
	memcpy(out->desc, relpath + 7, n - 11);
	out->kind = down ? MIG_DOWN : MIG_UP;
	out->conv = CONV_PLAIN;
	return 0;
}

/* id = the change's name, parent = the change planned before it. */
static void
sq_inspect(struct mig_file *f, const char *s, size_t n)
{
	struct sq_plan pl;
	const struct sq_line *l;

	(void)s;
	(void)n;
	free(f->id);
	f->id = xstrdup(f->version);
	if (plan_load(f->path, strlen(f->path) - strlen(f->name) - 1, &pl) ==
		    0 &&
	    (l = plan_find(&pl, f->version, strlen(f->version)))) {
		for (size_t k = (size_t)(l - pl.v); k-- > 0;)
			if (!pl.v[k].tag) {
				free(f->parent);
				f->parent = xstrdup(pl.v[k].name);
				break;
			}
	}
	plan_release(&pl);
}

static void
sq_checksum(const char *s, size_t n, struct rk_buf *out)
{
	unsigned char md[64];

	det_hex(md, det_digest("sha1", s, n, md), out);
}

/* The project of t->dir's plan (owned), or NULL. */
static char *
project_of(const struct tracked *t)
{
	struct sq_plan pl;
	char *project = NULL;

	if (t->dir && plan_load(t->dir, strlen(t->dir), &pl) == 0) {
		project = pl.project;
		pl.project = NULL;
	}
	if (t->dir)
		plan_release(&pl);
	return project;
}

/*
 * How Sqitch writes on each engine (pg.pm, sqlite.pm): the time of a
 * write (_ts_default), a plan time as planned_at ($n, _char2ts), and an
 * events list from text joined with ',' (requires, conflicts) or ' '
 * (tags).
 */
static const char *const sq_now[DB_NKINDS] = {
	[DB_PG] = "clock_timestamp()",
	[DB_SQLITE] = "strftime('%Y-%m-%d %H:%M:%f')",
};
/* The time of a write, but later than the project's ($4) latest in a
 * table (@): sqitch status takes the change with the latest committed_at
 * as the one deployed last, and two changes recorded in the same
 * millisecond (SQLite keeps no finer time) would tie, showing the one
 * before the last as current and the last as undeployed. */
static const char *const sq_later[DB_NKINDS] = {
	[DB_PG] = "greatest(clock_timestamp(), (SELECT max(committed_at) +"
		  " interval '1 microsecond' FROM @ WHERE project = $4))",
	[DB_SQLITE] = "max(strftime('%Y-%m-%d %H:%M:%f'), coalesce((SELECT"
		      " strftime('%Y-%m-%d %H:%M:%f', max(committed_at),"
		      " '+0.001 seconds') FROM @ WHERE project = $4), ''))",
};
static const char *const sq_planned[DB_NKINDS] = {
	[DB_PG] = "$@::timestamptz",
	[DB_SQLITE] = "strftime('%Y-%m-%d %H:%M:%S', $@)",
};
static const char *const sq_csv[DB_NKINDS] = {
	[DB_PG] = "string_to_array($@, ',')",
	[DB_SQLITE] = "$@",
};
static const char *const sq_ssv[DB_NKINDS] = {
	[DB_PG] = "string_to_array($@, ' ')",
	[DB_SQLITE] = "$@",
};

/*
 * Run sql where {name} stands for the registry's table name, {now} for
 * the time of the write, {at N} for parameter N as a planned_at, and
 * {csv N} / {ssv N} for parameter N as an events list joined with ',' or
 * ' ', each as Sqitch spells them on db's engine.
 */
static int
sq_query(struct db *db, const struct tracked *t, const char *sql,
	 const char *const *params, int n, struct db_rows *out,
	 struct rk_err *err)
{
	struct rk_buf q = RK_BUF_INIT;
	int rc;

	for (const char *p = sql; *p; p++) {
		const char *c = *p == '{' ? strchr(p, '}') : NULL;
		char *tok = c ? xstrndup(p + 1, (size_t)(c - p - 1)) : NULL;
		const char *arg = tok ? strchr(tok, ' ') : NULL;
		const char *const *fmt = !arg			    ? NULL
					 : !strncmp(tok, "at ", 3)  ? sq_planned
					 : !strncmp(tok, "csv ", 4) ? sq_csv
					 : !strncmp(tok, "ssv ", 4) ? sq_ssv
								    : NULL;

		if (!tok)
			rk_buf_addc(&q, *p);
		else if (!strcmp(tok, "now"))
			rk_buf_adds(&q, db_pick(db, sq_now));
		else if (fmt)
			det_subst(db_pick(db, fmt), "@", arg + 1, &q);
		else if (arg && !strncmp(tok, "later ", 6)) {
			struct rk_buf table = RK_BUF_INIT;

			tracked_sibling(db, t, arg + 1, &table);
			det_subst(db_pick(db, sq_later), "@", table.s, &q);
			rk_buf_release(&table);
		} else
			tracked_sibling(db, t, tok, &q);
		free(tok);
		p = c ? c : p;
	}
	rc = db_query(db, q.s, params, n, out, err);
	rk_buf_release(&q);
	return rc;
}

/*
 * sqitch.conf is git-config text: "[section]" or "[section "sub"]" lines,
 * then "key = value" lines; section and key names are not case-sensitive,
 * the last setting wins, '#' and ';' start comments, and a value may be
 * in double quotes. conf_get() appends the value of section.sub.key (sub
 * NULL: none) to out and returns 1, or returns 0 when it is not set.
 */
static int
conf_get(const char *text, size_t len, const char *section, const char *sub,
	 const char *key, struct rk_buf *out)
{
	const char *p = text, *end = text + len;
	int in = 0, found = 0;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p)), *s;

		e = e ? e : end;
		s = skip_ws(p, e);
		if (s < e && *s == '[') {
			const char *q = s + 1, *n = q, *close;
			size_t sl = strlen(section);

			while (q < e && *q != ']' && *q != ' ' && *q != '\t')
				q++;
			in = (size_t)(q - n) == sl &&
			     !strncasecmp(n, section, sl);
			q = skip_ws(q, e);
			if (q < e && *q == '"') {
				close = memchr(q + 1, '"', (size_t)(e - q - 1));
				close = close ? close : e;
				in = in && sub &&
				     (size_t)(close - q - 1) == strlen(sub) &&
				     !strncmp(q + 1, sub, strlen(sub));
			} else {
				in = in && !sub;
			}
		} else if (in && s < e && *s != '#' && *s != ';') {
			const char *k = s, *v;
			size_t kl = strlen(key);
			int quoted = 0;

			while (s < e && *s != '=' && *s != ' ' && *s != '\t')
				s++;
			v = skip_ws(s, e);
			if ((size_t)(s - k) == kl && !strncasecmp(k, key, kl) &&
			    v < e && *v == '=') {
				rk_buf_reset(out);
				for (v = skip_ws(v + 1, e); v < e; v++) {
					if (*v == '"')
						quoted = !quoted;
					else if (!quoted &&
						 (*v == '#' || *v == ';'))
						break;
					else if (*v == '\\' && v + 1 < e)
						rk_buf_addc(out, *++v);
					else if (*v != '\r')
						rk_buf_addc(out, *v);
				}
				while (out->len &&
				       (out->s[out->len - 1] == ' ' ||
					out->s[out->len - 1] == '\t'))
					out->s[--out->len] = '\0';
				found = 1;
			}
		}
		p = e + (e < end);
	}
	return found;
}

/* The registry's name as Target.pm finds it in dir's sqitch.conf. */
static void
registry_name(const char *dir, struct rk_buf *out)
{
	struct rk_buf path = RK_BUF_INIT, conf = RK_BUF_INIT,
		      target = RK_BUF_INIT;
	int found = 0;

	rk_buf_addf(&path, "%s/sqitch.conf", dir ? dir : ".");
	if (rk_buf_read_file(&conf, path.s) == 0) {
		if ((conf_get(conf.s, conf.len, "engine", "sqlite", "target",
			      &target) ||
		     conf_get(conf.s, conf.len, "core", NULL, "target",
			      &target)) &&
		    !strchr(target.s, ':'))
			found = conf_get(conf.s, conf.len, "target", target.s,
					 "registry", out);
		found = found || conf_get(conf.s, conf.len, "engine", "sqlite",
					  "registry", out);
		found = found || conf_get(conf.s, conf.len, "core", NULL,
					  "registry", out);
	}
	if (!found || !out->len) {
		rk_buf_reset(out);
		rk_buf_adds(out, "sqitch");
	}
	rk_buf_release(&target);
	rk_buf_release(&conf);
	rk_buf_release(&path);
}

/*
 * Sqitch's registry on SQLite is another database file (sqlite.pm,
 * registry_uri): attach it as schema "sqitch" when it is there and is not
 * the database itself.
 */
static int
sq_attach(struct db *db, const char *dir, struct rk_err *err)
{
	struct rk_buf reg = RK_BUF_INIT, path = RK_BUF_INIT;
	struct db_info info;
	const char *base, *dot;
	char *a = NULL, *b = NULL;
	int rc = 0;

	if (db_kind(db) != DB_SQLITE)
		return 0;
	if (db_info(db, &info, err) < 0)
		return -1;
	if (!strcmp(info.database, ":memory:"))
		return 0;
	registry_name(dir, &reg);
	base = strrchr(info.database, '/');
	base = base ? base + 1 : info.database;
	dot = strchr(base, '.');
	if (reg.s[0] == '/')
		rk_buf_adds(&path, reg.s);
	else if (strchr(reg.s, '.') || !dot)
		rk_buf_addf(&path, "%.*s%s", (int)(base - info.database),
			    info.database, reg.s);
	else
		rk_buf_addf(&path, "%.*s%s%s", (int)(base - info.database),
			    info.database, reg.s, dot);
	if (access(path.s, F_OK) == 0 && (a = realpath(path.s, NULL)) &&
	    !((b = realpath(info.database, NULL)) && !strcmp(a, b)))
		rc = db_attach(db, "sqitch", path.s, err);
	free(b);
	free(a);
	rk_buf_release(&path);
	rk_buf_release(&reg);
	return rc;
}

/* Deployed changes, then failed deploys not deployed since. */
static int
sq_read(struct db *db, const struct tracked *t, struct applied_set *out,
	struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	char *project = project_of(t);
	const char *params[1] = { project };
	char iso[32];
	int rc;

	rc = sq_query(
		db, t,
		"SELECT change, script_hash, committed_at, committer_name,"
		" 0 FROM {changes} WHERE CAST($1 AS TEXT) IS NULL OR"
		" project = $1 UNION ALL SELECT e.change, NULL,"
		" e.committed_at, e.committer_name, 1 FROM {events} e WHERE"
		" e.event = 'fail' AND (CAST($1 AS TEXT) IS NULL OR"
		" e.project = $1) AND NOT"
		" EXISTS (SELECT 1 FROM {events} l WHERE l.change_id ="
		" e.change_id AND l.committed_at > e.committed_at) ORDER"
		" BY 5, 3",
		params, 1, &rows, err);
	for (size_t i = 0; rc == 0 && i < rows.nrows; i++) {
		struct applied *a =
			applied_add(out, db_rows_get(&rows, i, 0), NULL,
				    det_iso_time(db_rows_get(&rows, i, 2), iso),
				    db_rows_get(&rows, i, 1));

		a->applied_by = applied_str(out, db_rows_get(&rows, i, 3));
		a->failed = strcmp(db_rows_get(&rows, i, 4), "1") == 0;
	}
	db_rows_release(&rows);
	free(project);
	return rc;
}

/* Who deploys: the registry's last committer, else the planner. */
static int
committer(struct db *db, const struct tracked *t, const struct sq_plan *pl,
	  const struct sq_line *l, struct rk_buf *name, struct rk_buf *email,
	  struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	const char *params[1] = { pl->project };
	int last;

	if (sq_query(db, t,
		     "SELECT committer_name, committer_email FROM {changes}"
		     " WHERE project = $1 ORDER BY committed_at DESC LIMIT 1",
		     params, 1, &rows, err) < 0)
		return -1;
	last = rows.nrows && db_rows_get(&rows, 0, 0) &&
	       db_rows_get(&rows, 0, 1);
	rk_buf_adds(name, last ? db_rows_get(&rows, 0, 0) : l->pname);
	rk_buf_adds(email, last ? db_rows_get(&rows, 0, 1) : l->pemail);
	db_rows_release(&rows);
	return 0;
}

/* The dependencies rows of change l, and its events arrays. */
static int
log_deps(struct db *db, const struct tracked *t, const struct sq_plan *pl,
	 const struct sq_line *l, struct rk_buf *req, struct rk_buf *conf,
	 struct rk_err *err)
{
	const char *p = l->deps ? l->deps : "";

	while (*p) {
		size_t len = strcspn(p, " \t");
		int c = p[0] == '!';
		char *dep = xstrndup(p + c, len - (size_t)c), *colon;
		const char *params[4] = { l->id, dep, pl->project, dep };
		int rc;

		if ((colon = strchr(dep, ':'))) {
			*colon = '\0';
			params[2] = dep;
			params[3] = colon + 1;
		}
		rk_buf_addf(c ? conf : req, "%s%.*s",
			    (c ? conf : req)->len ? "," : "",
			    (int)(len - (size_t)c), p + c);
		if (strchr(params[3], '@'))
			rc = rk_fail(err, RK_INPUT,
				     "reckon cannot resolve the tagged sqitch "
				     "dependency '%s' of '%s'",
				     params[3], l->name);
		else if (c)
			rc = sq_query(db, t,
				      "INSERT INTO {dependencies} (change_id,"
				      " type, dependency, dependency_id) VALUES"
				      " ($1, 'conflict', $2, NULL)",
				      params, 2, NULL, err);
		else
			rc = sq_query(
				db, t,
				"INSERT INTO {dependencies} (change_id,"
				" type, dependency, dependency_id) VALUES"
				" ($1, 'require', $2, (SELECT change_id FROM"
				" {changes} WHERE project = $3 AND change ="
				" $4 ORDER BY committed_at LIMIT 1))",
				params, 4, NULL, err);
		free(dep);
		if (rc < 0)
			return -1;
		p += len;
		p += strspn(p, " \t");
	}
	return 0;
}

/* What sqitch deploy logs for change l after running its script. */
static int
log_deploy(struct db *db, const struct tracked *t, const struct sq_plan *pl,
	   const struct sq_line *l, const char *script_hash, const char *who,
	   const char *email, struct rk_err *err)
{
	struct rk_buf req = RK_BUF_INIT, conf = RK_BUF_INIT, tags = RK_BUF_INIT;
	const char *p[12] = { l->id,	script_hash, l->name, pl->project,
			      l->note,	who,	     email,   l->date,
			      l->pname, l->pemail,   NULL,    NULL };
	int rc;

	rc = sq_query(db, t,
		      "INSERT INTO {changes} (change_id, script_hash, change,"
		      " project, note, committer_name, committer_email,"
		      " planned_at, planner_name, planner_email, committed_at)"
		      " VALUES ($1, $2, $3, $4, $5, $6, $7, {at 8}, $9, $10,"
		      " {later changes})",
		      p, 10, NULL, err);
	if (rc == 0)
		rc = log_deps(db, t, pl, l, &req, &conf, err);
	for (const struct sq_line *g = l + 1;
	     rc == 0 && g < pl->v + pl->n && g->tag; g++) {
		const char *tp[10] = { g->id,	 g->name,  pl->project, l->id,
				       g->note,	 who,	   email,	g->date,
				       g->pname, g->pemail };

		rk_buf_addf(&tags, "%s@%s", tags.len ? " " : "", g->name);
		rc = sq_query(db, t,
			      "INSERT INTO {tags} (tag_id, tag, project,"
			      " change_id, note, committer_name,"
			      " committer_email, planned_at, planner_name,"
			      " planner_email, committed_at) VALUES ($1, '@'"
			      " || $2, $3, $4, $5, $6, $7, {at 8}, $9, $10,"
			      " {now})",
			      tp, 10, NULL, err);
	}
	p[1] = req.s;
	p[10] = conf.s;
	p[11] = tags.s;
	if (rc == 0)
		rc = sq_query(
			db, t,
			"INSERT INTO {events} (event, change_id, change,"
			" project, note, committer_name, committer_email,"
			" planned_at, planner_name, planner_email,"
			" requires, conflicts, tags, committed_at) VALUES"
			" ('deploy', $1, $3, $4, $5, $6, $7, {at 8}, $9, $10,"
			" {csv 2}, {csv 11}, {ssv 12}, {later events})",
			p, 12, NULL, err);
	rk_buf_release(&tags);
	rk_buf_release(&conf);
	rk_buf_release(&req);
	return rc;
}

static int
sq_record(struct db *db, struct tracked *t, const struct mig_file *m,
	  long exec_ms, struct rk_err *err)
{
	struct rk_buf who = RK_BUF_INIT, email = RK_BUF_INIT;
	size_t dir_len = strlen(m->path) - strlen(m->name) - 1;
	const struct sq_line *l = NULL;
	struct sq_plan pl;
	int rc = -1;

	(void)exec_ms;
	if (plan_load(m->path, dir_len, &pl) < 0 || !pl.project ||
	    !(l = plan_find(&pl, m->version, strlen(m->version)))) {
		rk_fail(err, RK_INPUT,
			"'%s' is not a change of %.*s/sqitch.plan", m->name,
			(int)dir_len, m->path);
		rk_err_hint(err, "add it with 'sqitch add' first");
		goto out;
	}
	if (committer(db, t, &pl, l, &who, &email, err) < 0)
		goto out;
	{
		const char *params[4] = { pl.project, pl.uri, who.s, email.s };

		rc = sq_query(db, t,
			      "INSERT INTO {projects} (project, uri,"
			      " creator_name, creator_email, created_at)"
			      " SELECT $1, $2, $3, $4, {now} WHERE NOT EXISTS"
			      " (SELECT 1 FROM {projects} WHERE project = $1)",
			      params, 4, NULL, err);
	}
	if (rc == 0)
		rc = log_deploy(db, t, &pl, l, m->checksum, who.s, email.s,
				err);
out:
	rk_buf_release(&email);
	rk_buf_release(&who);
	plan_release(&pl);
	return rc;
}

/* An events list column of the revert: PG an array, SQLite ','-joined
 * (log_revert_change joins them all with ','). @: a SELECT of one
 * column x. */
static const char *const sq_agg[DB_NKINDS] = {
	[DB_PG] = "ARRAY(@)",
	[DB_SQLITE] = "COALESCE((SELECT group_concat(x, ',') FROM (@)), '')",
};

/* As log_revert_change: a 'revert' event, then the rows go. */
static int
sq_unrecord(struct db *db, const struct tracked *t, const struct applied *row,
	    struct rk_err *err)
{
	static const char *const lists[3] = {
		"SELECT dependency AS x FROM {dependencies} WHERE change_id"
		" = $1 AND type = 'require'",
		"SELECT dependency AS x FROM {dependencies} WHERE change_id"
		" = $1 AND type = 'conflict'",
		"SELECT tag AS x FROM {tags} WHERE change_id = $1",
	};
	static const char *const deletes[3] = {
		"DELETE FROM {tags} WHERE change_id = $1",
		"DELETE FROM {dependencies} WHERE change_id = $1",
		"DELETE FROM {changes} WHERE change_id = $1",
	};
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_buf ev = RK_BUF_INIT;
	char *project = project_of(t);
	const char *params[2] = { row->id, project };
	int rc;

	rc = sq_query(db, t,
		      "SELECT change_id FROM {changes} WHERE change = $1 AND"
		      " (CAST($2 AS TEXT) IS NULL OR project = $2) ORDER BY"
		      " committed_at DESC LIMIT 1",
		      params, 2, &rows, err);
	if (rc < 0 || rows.nrows == 0)
		goto out;
	params[0] = db_rows_get(&rows, 0, 0);
	rk_buf_adds(&ev, "INSERT INTO {events} (event, change_id, change,"
			 " project, note, requires, conflicts, tags,"
			 " committer_name, committer_email, planned_at,"
			 " planner_name, planner_email, committed_at) SELECT"
			 " 'revert', change_id, change, project, note");
	for (int i = 0; i < 3; i++) {
		rk_buf_adds(&ev, ", ");
		det_subst(db_pick(db, sq_agg), "@", lists[i], &ev);
	}
	rk_buf_adds(&ev, ", committer_name, committer_email, planned_at,"
			 " planner_name, planner_email, {now} FROM {changes}"
			 " WHERE change_id = $1");
	rc = sq_query(db, t, ev.s, params, 1, NULL, err);
	for (int i = 0; rc == 0 && i < 3; i++)
		rc = sq_query(db, t, deletes[i], params, 1, NULL, err);
out:
	rk_buf_release(&ev);
	db_rows_release(&rows);
	free(project);
	return rc;
}

/* Store the deploy script's new hash (after a human reviewed it). */
static int
sq_repair(struct db *db, const struct tracked *t, const struct mig_file *m,
	  const struct applied *row, struct rk_err *err)
{
	char *project = project_of(t);
	const char *params[3] = { m->checksum, row->id, project };
	int rc;

	rc = sq_query(db, t,
		      "UPDATE {changes} SET script_hash = $1 WHERE change = $2"
		      " AND (CAST($3 AS TEXT) IS NULL OR project = $3)",
		      params, 3, NULL, err);
	free(project);
	return rc;
}

static int
sq_evidence(const char *dir, struct rk_buf *why)
{
	return det_dir_evidence_file(dir, "sqitch.plan", why);
}

const struct detector det_sqitch = {
	.name = "sqitch",
	.table = "changes",
	.schema = "sqitch",
	.columns = sq_cols,
	.companions = sq_companions,
	.parse_name = sq_parse_name,
	.inspect = sq_inspect,
	.flags = DET_INSPECT_OUTSIDE,
	.checksum = sq_checksum,
	.read = sq_read,
	.record = sq_record,
	.unrecord = sq_unrecord,
	.repair = sq_repair,
	.attach = sq_attach,
	.dir_evidence = sq_evidence,
};
