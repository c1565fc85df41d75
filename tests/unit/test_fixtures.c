/*
 * Fixture tests: each fixtures/<suite>/<case>.sql is parsed and rendered,
 * and the rendering must equal <case>.expected. A new parser case is a file
 * pair, not new C; a new suite is a render function and a line in suites[].
 * In every suite, a case whose name starts with "sqlite_" is read with the
 * SQLite dialect, any other with PostgreSQL's. With RECKON_FIXTURES_UPDATE=1
 *the renderings are written to the .expected files instead (make
 *fixtures-update), to be read by a human before they are committed. Paths are
 *relative to the repository root, where the tests run.
 *
 * The split suite's rendering, one line per statement:
 *	<line> <flags> <first 60 bytes of the statement>
 * flags is a comma list of no_tx, tx_control and add_value, or "-". In the
 * text, newline, CR, tab and backslash are written \n \r \t \\, and other
 * control bytes \xHH; the cut backs off to a UTF-8 character boundary. A
 * file that does not split renders as "error: <message>".
 *
 * The ddl suite's rendering, one line per object ddl_extract() lists:
 *	<type> <schema or -> <object>
 * where the object of a trigger, column or constraint is <table>.<name>.
 * A schema, table or name made only of a-z, 0-9, _, $ and bytes >= 0x80
 * (not starting with a digit or $) is written as it is; any other is
 * double-quoted with " doubled, \ written \\ and control bytes \xHH, so
 * "Users", "a.b" and "my table" stay unambiguous. A file that does not
 * lex renders as "error: <message>".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

#define SPLIT_GLOB "fixtures/split/*.sql"
#define TEXT_MAX   60 /* bytes of each statement shown */

/* The case name: the file name without directory and ".sql". */
static void
case_name(const char *path, struct rk_buf *out)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".sql"))
		len -= 4;
	rk_buf_add(out, base, len);
}

static void
render_flags(unsigned flags, struct rk_buf *out)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ SQL_NO_TX, "no_tx" },
		{ SQL_TX_CONTROL, "tx_control" },
		{ SQL_ADD_VALUE, "add_value" },
	};
	const char *sep = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(flags & names[i].bit))
			continue;
		rk_buf_addf(out, "%s%s", sep, names[i].name);
		sep = ",";
	}
	if (!*sep)
		rk_buf_addc(out, '-');
}

/* Up to TEXT_MAX bytes of s[0..n), escaped as the header says. */
static void
render_text(const char *s, size_t n, struct rk_buf *out)
{
	size_t cut = n < TEXT_MAX ? n : TEXT_MAX, i;

	while (cut < n && cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	for (i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			rk_buf_adds(out, "\\n");
		else if (c == '\r')
			rk_buf_adds(out, "\\r");
		else if (c == '\t')
			rk_buf_adds(out, "\\t");
		else if (c == '\\')
			rk_buf_adds(out, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			rk_buf_addf(out, "\\x%02x", c);
		else
			rk_buf_addc(out, (char)c);
	}
}

/* The split suite: one line per statement, or the error. */
static void
render_split(const char *s, size_t n, const struct sql_dialect *d,
	     struct rk_buf *out)
{
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	size_t i;

	if (sql_split(s, n, d, &l, &err) < 0) {
		rk_buf_addf(out, "error: %s\n", err.msg);
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		rk_buf_addf(out, "%u ", l.v[i].line);
		render_flags(l.v[i].flags, out);
		rk_buf_addc(out, ' ');
		render_text(s + l.v[i].off, l.v[i].len, out);
		rk_buf_addc(out, '\n');
	}
out:
	sql_stmt_list_release(&l);
}

/* Whether a name can be written unquoted in the ddl rendering. */
static int
plain_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!*p || (*p >= '0' && *p <= '9') || *p == '$')
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '$' || *p >= 0x80))
			return 0;
	return 1;
}

/* One name of the ddl rendering, quoted as the header says. */
static void
render_name(const char *s, struct rk_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;

	if (plain_name(s)) {
		rk_buf_adds(out, s);
		return;
	}
	rk_buf_addc(out, '"');
	for (; *p; p++) {
		if (*p == '"')
			rk_buf_adds(out, "\"\"");
		else if (*p == '\\')
			rk_buf_adds(out, "\\\\");
		else if (*p < 0x20 || *p == 0x7f)
			rk_buf_addf(out, "\\x%02x", *p);
		else
			rk_buf_addc(out, (char)*p);
	}
	rk_buf_addc(out, '"');
}

/* The ddl suite: one line per object, or the error. */
static void
render_ddl(const char *s, size_t n, const struct sql_dialect *d,
	   struct rk_buf *out)
{
	struct ddl_list l = DDL_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	size_t i;

	if (ddl_extract(s, n, d, &l, &err) < 0) {
		rk_buf_addf(out, "error: %s\n", err.msg);
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		const struct ddl_object *o = &l.v[i];

		rk_buf_addf(out, "%s ", ddl_type_name(o->type));
		if (*o->schema)
			render_name(o->schema, out);
		else
			rk_buf_addc(out, '-');
		rk_buf_addc(out, ' ');
		if (strcmp(o->object, o->name)) { /* table.name */
			render_name(o->table, out);
			rk_buf_addc(out, '.');
		}
		render_name(o->name, out);
		rk_buf_addc(out, '\n');
	}
out:
	ddl_list_release(&l);
}

/* A directory of cases under fixtures/ and how a case renders. */
struct suite {
	const char *dir;
	void (*render)(const char *s, size_t n, const struct sql_dialect *d,
		       struct rk_buf *out);
};

static const struct suite suites[] = {
	{ "ddl", render_ddl },
	{ "split", render_split },
};

/* One test: a .sql file (owned by the glob) and its suite. */
struct fixture {
	const char *path;
	const struct suite *suite;
	struct rk_buf name; /* owned: "<suite>/<case>", the test's name */
};

static int
write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (!f)
		return -1;
	if (fwrite(s, 1, n, f) != n)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* Check (or, updating, rewrite) the .expected file of one .sql case. */
static void
test_case(void **state)
{
	const struct fixture *fx = *state;
	const char *path = fx->path, *update;
	struct rk_buf sql = RK_BUF_INIT, want = RK_BUF_INIT, got = RK_BUF_INIT;
	struct rk_buf name = RK_BUF_INIT, exp_path = RK_BUF_INIT;

	case_name(path, &name);
	rk_buf_add(&exp_path, path, strlen(path) - 4);
	rk_buf_adds(&exp_path, ".expected");
	if (rk_buf_read_file(&sql, path) < 0)
		fail_msg("cannot read '%s': %s", path, strerror(errno));
	fx->suite->render(sql.s, sql.len,
			  strncmp(name.s, "sqlite_", 7) ? &sql_dialect_pg
							: &sql_dialect_sqlite,
			  &got);
	update = getenv("RECKON_FIXTURES_UPDATE");
	if (update && !strcmp(update, "1")) {
		if (write_file(exp_path.s, got.s, got.len) < 0)
			fail_msg("cannot write '%s': %s", exp_path.s,
				 strerror(errno));
	} else if (rk_buf_read_file(&want, exp_path.s) < 0) {
		fail_msg("cannot read '%s': %s (make fixtures-update writes "
			 "it)",
			 exp_path.s, strerror(errno));
	} else if (want.len != got.len || memcmp(want.s, got.s, got.len)) {
		print_error("--- %s\n%s--- got\n%s", exp_path.s, want.s, got.s);
		fail_msg("'%s' does not render as '%s' says", path, exp_path.s);
	}
	rk_buf_release(&exp_path);
	rk_buf_release(&name);
	rk_buf_release(&got);
	rk_buf_release(&want);
	rk_buf_release(&sql);
}

/* Append to g and fx a fixture for each .sql file in suite su's directory. */
static void
find_cases(const struct suite *su, glob_t *g, size_t *nfx, struct fixture **fx,
	   size_t *cap)
{
	struct rk_buf pat = RK_BUF_INIT;
	size_t i, first = g->gl_pathc;
	void *v = *fx;

	rk_buf_addf(&pat, "fixtures/%s/*.sql", su->dir);
	if (glob(pat.s, first ? GLOB_APPEND : 0, NULL, g) != 0) {
		rk_buf_release(&pat);
		return;
	}
	rk_grow(&v, cap, g->gl_pathc, sizeof(**fx));
	*fx = v;
	for (i = first; i < g->gl_pathc; i++) {
		struct fixture *f = &(*fx)[(*nfx)++];

		f->path = g->gl_pathv[i];
		f->suite = su;
		rk_buf_init(&f->name);
		rk_buf_addf(&f->name, "%s/", su->dir);
		case_name(f->path, &f->name);
	}
	rk_buf_release(&pat);
}

int
main(void)
{
	struct fixture *fx = NULL;
	struct CMUnitTest *tests;
	size_t i, nfx = 0, cap = 0;
	glob_t g = { 0 };
	int rc = 1;

	for (i = 0; i < ARRAY_SIZE(suites); i++)
		find_cases(&suites[i], &g, &nfx, &fx, &cap);
	if (nfx == 0) {
		fprintf(stderr, "test_fixtures: no fixtures/*/*.sql (run from "
				"the repository root)\n");
		goto out;
	}
	tests = xcalloc(nfx, sizeof(*tests));
	for (i = 0; i < nfx; i++) {
		tests[i].name = fx[i].name.s;
		tests[i].test_func = test_case;
		tests[i].initial_state = &fx[i];
	}
	rc = _cmocka_run_group_tests("fixtures", tests, nfx, NULL, NULL);
	free(tests);
out:
	for (i = 0; i < nfx; i++)
		rk_buf_release(&fx[i].name);
	free(fx);
	globfree(&g);
	return rc;
}
