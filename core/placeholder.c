/*
 * Flyway placeholders, after flyway-core's PlaceholderReplacer: prefix
 * "${", suffix "}", the name between them looked up without regard to
 * case; a name with no value is an error ("No value provided for
 * placeholder"). Built-ins as Flyway gives them: flyway:defaultSchema,
 * flyway:user, flyway:database, flyway:timestamp (yyyy-MM-dd HH:mm:ss,
 * local time), flyway:filename, flyway:table.
 */
#include "reckon/core/placeholder.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "reckon/base/arena.h"
#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/core/ops.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

/* The value of name[0..len) in vars, or NULL; *vlen its length. */
static const char *
lookup(const char *vars, const char *name, size_t len, size_t *vlen)
{
	for (const char *p = vars; p && *p;) {
		const char *eol = strchr(p, '\n'), *eq;

		if (!eol)
			eol = p + strlen(p);
		eq = memchr(p, '=', (size_t)(eol - p));
		if (eq && (size_t)(eq - p) == len &&
		    strncasecmp(p, name, len) == 0) {
			*vlen = (size_t)(eol - eq - 1);
			return eq + 1;
		}
		p = *eol ? eol + 1 : eol;
	}
	return NULL;
}

int
ph_replace(const char *s, size_t n, const char *vars, const char *path,
	   const char *name, struct rk_buf *out, struct rk_err *err)
{
	static const char fname[] = "flyway:filename";
	const char *base = strrchr(name, '/');
	size_t i = 0;

	base = base ? base + 1 : name;
	while (i < n) {
		const char *v;
		size_t j, vlen;

		if (i + 1 >= n || s[i] != '$' || s[i + 1] != '{') {
			rk_buf_addc(out, s[i++]);
			continue;
		}
		for (j = i + 2; j < n && s[j] != '}' && s[j] != '\n'; j++)
			;
		if (j >= n || s[j] != '}' || j == i + 2) {
			rk_buf_addc(out, s[i++]);
			continue;
		}
		v = lookup(vars, s + i + 2, j - i - 2, &vlen);
		if (!v && j - i - 2 == sizeof(fname) - 1 &&
		    strncasecmp(s + i + 2, fname, sizeof(fname) - 1) == 0) {
			v = base;
			vlen = strlen(base);
		}
		if (!v) {
			rk_fail(err, RK_CONFIG,
				"%s:%u: no value for placeholder ${%.*s}", path,
				rk_line_of(s, i), (int)(j - i - 2), s + i + 2);
			rk_err_hint(err,
				    "give it with --placeholder %.*s=VALUE or "
				    "in reckon.yaml's placeholders:",
				    (int)(j - i - 2), s + i + 2);
			return -1;
		}
		rk_buf_add(out, v, vlen);
		i = j + 1;
	}
	return 0;
}

/* "name=value\n", the value's line breaks as blanks */
static void
add_var(struct rk_buf *b, const char *name, const char *value)
{
	rk_buf_addf(b, "%s=", name);
	for (const char *p = value ? value : ""; *p; p++)
		rk_buf_addc(b, *p == '\n' || *p == '\r' ? ' ' : *p);
	rk_buf_addc(b, '\n');
}

/* Flyway's built-ins for s's connection and table. */
static int
builtins(struct rk_ctx *ctx, struct rk_session *s, struct rk_buf *b,
	 struct rk_err *err)
{
	struct db_rows r = DB_ROWS_INIT;
	struct tm tm;
	time_t now = time(NULL);
	char ts[32];

	if (db_kind(ctx->db) == DB_PG) {
		if (db_query(ctx->db,
			     "SELECT current_user::text, "
			     "current_database()::text, current_schema()::text",
			     NULL, 0, &r, err) < 0)
			return -1;
		add_var(b, "flyway:defaultSchema",
			s->tracked.schema ? s->tracked.schema
					  : db_rows_get(&r, 0, 2));
		add_var(b, "flyway:user", db_rows_get(&r, 0, 0));
		add_var(b, "flyway:database", db_rows_get(&r, 0, 1));
		db_rows_release(&r);
	} else {
		/* Flyway's SQLite: schema and database "main", user "" */
		add_var(b, "flyway:defaultSchema", "main");
		add_var(b, "flyway:user", "");
		add_var(b, "flyway:database", "main");
	}
	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	add_var(b, "flyway:timestamp", ts);
	add_var(b, "flyway:table", s->tracked.table);
	return 0;
}

int
ph_session(struct rk_ctx *ctx, struct rk_session *s, struct rk_err *err)
{
	const struct detector *det = s->tracked.det;
	struct rk_buf vars = RK_BUF_INIT, text = RK_BUF_INIT, out = RK_BUF_INIT;
	int rc = -1;

	if (!det || strcmp(det->name, "flyway") != 0)
		return 0;
	rk_buf_adds(&vars, ctx->cfg.placeholders ? ctx->cfg.placeholders : "");
	if (builtins(ctx, s, &vars, err) < 0)
		goto out;
	for (size_t i = 0; i < s->files.n; i++) {
		struct mig_file *m = &s->files.v[i];

		if (m->code)
			continue;
		rk_buf_reset(&text);
		rk_buf_reset(&out);
		if (mig_read(m->path, m->name, &text, err) < 0 ||
		    ph_replace(text.s, text.len, vars.s, m->path, m->name, &out,
			       err) < 0)
			goto out;
		/* repeatables: checksummed after replacement, so that a
		 * new value makes them outdated */
		if (!*m->version && det->checksum) {
			struct rk_buf sum = RK_BUF_INIT;

			det->checksum(out.s, out.len, &sum);
			m->checksum = rk_arena_strndup(&s->files.strings, sum.s,
						       sum.len);
			rk_buf_release(&sum);
		}
	}
	free(s->placeholders);
	s->placeholders = rk_buf_detach(&vars, NULL);
	rc = 0;
out:
	rk_buf_release(&vars);
	rk_buf_release(&text);
	rk_buf_release(&out);
	return rc;
}
