/*
 * The driver-neutral half of db.h: which driver a URL is for, redacting
 * passwords out of URLs before anything prints them, the db_*() wrappers
 * over the vtable, and releasing or searching the copied-out rows and table
 * lists. It includes neither libpq nor sqlite3: talking to a server is
 * db_pg.c's and db_sqlite.c's job, and what the tables mean is the
 * detectors'.
 */
#include "reckon/db/db.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reckon/base/arena.h"
#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "db_driver.h"
#include "reckon/base/banned.h"

static int
has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int
has_suffix_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcasecmp(s + n - m, suffix);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static int
is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * 1 if s starts like a libpq conninfo string: a keyword, optional blanks
 * and '=' ("host=db", "dbname = app"). A bare file path rarely does, and
 * when one does, PostgreSQL wins: "sqlite:PATH" always means SQLite.
 */
static int
looks_like_conninfo(const char *s)
{
	const char *p = s;

	while (is_space(*p))
		p++;
	if (!is_key_char(*p))
		return 0;
	while (is_key_char(*p))
		p++;
	while (is_space(*p))
		p++;
	return *p == '=';
}

int
db_kind_of_url(const char *url, enum db_kind *kind, struct rk_err *err)
{
	struct rk_buf red = RK_BUF_INIT;

	if (!*url || has_prefix(url, "postgres://") ||
	    has_prefix(url, "postgresql://") || looks_like_conninfo(url)) {
		*kind = DB_PG;
		return 0;
	}
	if (has_prefix(url, "sqlite:") || has_suffix_ci(url, ".db") ||
	    has_suffix_ci(url, ".sqlite") || has_suffix_ci(url, ".sqlite3")) {
		*kind = DB_SQLITE;
		return 0;
	}
	db_url_redact(url, &red);
	rk_fail(err, RK_CONFIG,
		"unsupported database URL '%s': use postgres://..., "
		"postgresql://..., a libpq conninfo string (host=... "
		"dbname=...), sqlite:PATH, sqlite://PATH, sqlite::memory: "
		"or a file path ending in .db, .sqlite or .sqlite3",
		red.s);
	rk_buf_release(&red);
	return -1;
}

/*
 * Where the passwords are in a URL or conninfo string: byte ranges of the
 * text as written, and how libpq reads them (percent-encoded in a URI,
 * quoted with \ escapes in conninfo), so a message can be scrubbed of
 * both spellings.
 */
struct pw_span {
	size_t off;
	size_t len;
	int uri; /* percent-encoded (URI), else conninfo quoting */
};

struct pw_spans {
	struct pw_span *v; /* owned */
	size_t n;
	size_t cap;
};

static void
span_add(struct pw_spans *l, size_t off, size_t len, int uri)
{
	rk_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = (struct pw_span){ off, len, uri };
}

/* Append s[0..n) percent-decoded (a bad escape is kept as written). */
static void
percent_decode(const char *s, size_t n, struct rk_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = -1, lo = -1;

		if (s[i] == '%' && i + 2 < n) {
			hi = rk_hex_digit(s[i + 1]);
			lo = rk_hex_digit(s[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			rk_buf_addc(out, (char)(hi * 16 + lo));
			i += 2;
		} else {
			rk_buf_addc(out, s[i]);
		}
	}
}

/*
 * The passwords of a URI: the one in "scheme://user:password@host" and
 * any password query parameter (its name may be percent-encoded, as libpq
 * decodes it). libpq ends the userinfo at the first '@' before any '/';
 * the last '@' before the query counts too, so an unescaped '@' or '/' in
 * a password is still covered (at worst too much is starred, never too
 * little).
 */
static void
uri_spans(const char *url, const char *authority, struct pw_spans *out)
{
	const char *first = authority + strcspn(authority, "@/");
	const char *at = *first == '@' ? first : NULL;
	const char *from = at ? at : authority;
	const char *query = strpbrk(from, "?#"), *end, *colon, *p;

	end = query ? query : from + strlen(from);
	for (p = from; p < end; p++)
		if (*p == '@')
			at = p;
	colon = at ? memchr(authority, ':', (size_t)(at - authority)) : NULL;
	if (colon)
		span_add(out, (size_t)(colon + 1 - url),
			 (size_t)(at - colon - 1), 1);
	/* '&'-separated key=value parameters after the '?', to the end */
	for (p = strchr(at ? at : authority, '?'); p;) {
		const char *param = p + 1;
		size_t n = strcspn(param, "&"), k = strcspn(param, "=&");
		struct rk_buf key = RK_BUF_INIT;

		percent_decode(param, k, &key);
		if (k < n && !strcasecmp(key.s, "password"))
			span_add(out, (size_t)(param + k + 1 - url), n - k - 1,
				 1);
		rk_buf_release(&key);
		p = param[n] == '&' ? param + n : NULL;
	}
}

/* Length of a conninfo value at s: 'quoted' with \ escapes, or bare. */
static size_t
conninfo_value_len(const char *s)
{
	const char *p = s;

	if (*p == '\'') {
		for (p++; *p && *p != '\''; p++)
			if (*p == '\\' && p[1])
				p++;
		return (size_t)(p - s) + (*p == '\'');
	}
	for (; *p && !is_space(*p); p++)
		if (*p == '\\' && p[1])
			p++;
	return (size_t)(p - s);
}

/* Append a conninfo value as libpq reads it: unquoted, unescaped. */
static void
conninfo_unquote(const char *s, size_t n, struct rk_buf *out)
{
	size_t i = 0;

	if (n && s[0] == '\'') {
		i = 1;
		if (n > 1 && s[n - 1] == '\'')
			n--;
	}
	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		rk_buf_addc(out, s[i]);
	}
}

/*
 * The values of each "password" keyword of a conninfo string. Text that
 * does not parse as key=value ends the walk: it holds no keyword, so no
 * password.
 */
static void
conninfo_spans(const char *s, struct pw_spans *out)
{
	const char *p = s;

	while (*p) {
		const char *key, *q;
		size_t keylen, n;

		for (q = p; is_space(*q); q++)
			;
		for (key = q; is_key_char(*q); q++)
			;
		keylen = (size_t)(q - key);
		while (is_space(*q))
			q++;
		if (!keylen || *q != '=')
			return;
		for (q++; is_space(*q); q++)
			;
		n = conninfo_value_len(q);
		if (keylen == 8 && !strncasecmp(key, "password", 8))
			span_add(out, (size_t)(q - s), n, 0);
		p = q + n;
	}
}

static void
url_spans(const char *url, struct pw_spans *out)
{
	const char *sep = strstr(url, "://");

	if (sep && !has_prefix(url, "sqlite:"))
		uri_spans(url, sep + 3, out);
	else if (looks_like_conninfo(url))
		conninfo_spans(url, out);
}

void
db_url_redact(const char *url, struct rk_buf *out)
{
	struct pw_spans spans = { 0 };
	size_t at = 0;

	url_spans(url, &spans);
	for (size_t i = 0; i < spans.n; i++) {
		rk_buf_add(out, url + at, spans.v[i].off - at);
		rk_buf_adds(out, "***");
		at = spans.v[i].off + spans.v[i].len;
	}
	rk_buf_adds(out, url + at);
	free(spans.v);
}

/* Copy s to out with every occurrence of needle replaced by with. */
static void
replace_all(const char *s, const char *needle, const char *with,
	    struct rk_buf *out)
{
	size_t n = strlen(needle);
	const char *hit;

	while (n && (hit = strstr(s, needle)) != NULL) {
		rk_buf_add(out, s, (size_t)(hit - s));
		rk_buf_adds(out, with);
		s = hit + n;
	}
	rk_buf_adds(out, s);
}

/* Replace every occurrence of needle in *text by with. */
static void
replace_in(struct rk_buf *text, const char *needle, const char *with)
{
	struct rk_buf b = RK_BUF_INIT;

	if (!*needle || !strstr(text->s, needle))
		return;
	replace_all(text->s, needle, with, &b);
	rk_buf_release(text);
	*text = b;
}

/*
 * A password with a raw '/', '@' or ':' may be split there by libpq's URI
 * parser, which then quotes a piece as a host or port ("invalid integer
 * value "a" for ..."): star each piece where it appears so quoted.
 */
static void
scrub_pieces(struct rk_buf *t, const char *s, size_t n)
{
	struct rk_buf piece = RK_BUF_INIT;
	size_t k;

	if (strcspn(s, "/@:") >= n)
		return;
	for (; n; s += k + (k < n), n -= k + (k < n)) {
		k = strcspn(s, "/@:");
		if (k > n)
			k = n;
		if (!k)
			continue;
		rk_buf_reset(&piece);
		rk_buf_addc(&piece, '"');
		rk_buf_add(&piece, s, k);
		rk_buf_addc(&piece, '"');
		replace_in(t, piece.s, "\"***\"");
	}
	rk_buf_release(&piece);
}

void
db_url_scrub(const char *url, const char *extra, const char *text,
	     struct rk_buf *out)
{
	struct pw_spans spans = { 0 };
	struct rk_buf t = RK_BUF_INIT, red = RK_BUF_INIT, v = RK_BUF_INIT;

	rk_buf_adds(&t, text);
	if (*url) {
		db_url_redact(url, &red);
		replace_in(&t, url, red.s);
	}
	url_spans(url, &spans);
	for (size_t i = 0; i < spans.n; i++) {
		const char *s = url + spans.v[i].off;
		size_t n = spans.v[i].len;

		rk_buf_reset(&v);
		rk_buf_add(&v, s, n);
		replace_in(&t, v.s, "***");
		if (spans.v[i].uri)
			scrub_pieces(&t, s, n);
		rk_buf_reset(&v);
		if (spans.v[i].uri)
			percent_decode(s, n, &v);
		else
			conninfo_unquote(s, n, &v);
		replace_in(&t, v.s, "***");
	}
	if (extra)
		replace_in(&t, extra, "***");
	rk_buf_adds(out, t.s);
	rk_buf_release(&v);
	rk_buf_release(&red);
	rk_buf_release(&t);
	free(spans.v);
}

int
db_open(const char *url, const struct db_opts *o, struct db **out,
	struct rk_err *err)
{
	const struct db_opts defaults = DB_OPTS_INIT;
	enum db_kind kind;

	*out = NULL;
	if (db_kind_of_url(url, &kind, err) < 0)
		return -1;
	if (!o)
		o = &defaults;
	switch (kind) {
	case DB_PG:
		return db_pg_driver.open(url, o, out, err);
	case DB_SQLITE:
		return db_sqlite_driver.open(url, o, out, err);
	case DB_NKINDS:
		break;
	}
	rk_bug("database kind %d", (int)kind);
}

int
db_ping(const char *url, const struct db_opts *o, struct rk_err *err)
{
	const struct db_opts defaults = DB_OPTS_INIT;
	const struct db_driver *drv;
	enum db_kind kind;

	if (db_kind_of_url(url, &kind, err) < 0)
		return -1;
	drv = kind == DB_PG ? &db_pg_driver : &db_sqlite_driver;
	return drv->ping ? drv->ping(url, o ? o : &defaults, err) : 0;
}

void
db_close(struct db *db)
{
	if (db)
		db->drv->close(db);
}

enum db_kind
db_kind(const struct db *db)
{
	return db->drv->kind;
}

const struct db_dialect *
db_dialect(const struct db *db)
{
	return db->drv->dialect;
}

const char *
db_pick(const struct db *db, const char *const facts[DB_NKINDS])
{
	return facts[db->drv->dialect->kind];
}

void
db_capture(struct db *db, struct rk_buf *sink)
{
	db->capture = sink;
}

/* Skip the quoted string, identifier or comment starting at s[i], if any:
 * $1 inside one is text, not a parameter. Returns the index after it. */
static size_t
skip_quoted(const char *s, size_t i)
{
	char q = s[i];

	if (q == '-' && s[i + 1] == '-')
		return i + strcspn(s + i, "\n");
	if (q != '\'' && q != '"')
		return i;
	for (i++; s[i]; i++)
		if (s[i] == q) {
			if (s[i + 1] != q)
				return i + 1;
			i++;
		}
	return i;
}

/* Append one statement's text, ended so that the next one starts on a
 * line of its own: ";" unless it has one (on a line of its own after a
 * trailing "--" comment). */
static void
end_stmt(struct rk_buf *out, const char *sql)
{
	size_t n = strlen(sql), nl, k;
	int comment = 0;

	while (n && isspace((unsigned char)sql[n - 1]))
		n--;
	rk_buf_add(out, sql, n);
	if (n && sql[n - 1] == ';') {
		rk_buf_addc(out, '\n');
		return;
	}
	nl = n;
	while (nl && sql[nl - 1] != '\n')
		nl--;
	/* a "--" on the last line may end the statement in a comment */
	for (k = nl; k + 1 < n && !comment; k++)
		comment = sql[k] == '-' && sql[k + 1] == '-';
	rk_buf_adds(out, comment ? "\n;\n" : ";\n");
}

/* Append sql to the sink with each $n replaced by params[n-1] quoted as
 * a literal, and a comment first saying the values are bound. */
static void
capture_stmt(struct db *db, const char *sql, const struct db_param *params,
	     int nparams)
{
	struct rk_buf *out = db->capture;
	size_t i = 0;

	if (nparams == 0) { /* a migration's own text: as it is sent */
		end_stmt(out, sql);
		return;
	}
	rk_buf_addf(out,
		    "-- $1..$%d are bound parameters at run time; "
		    "shown here as literals\n",
		    nparams);
	while (sql[i]) {
		size_t j = skip_quoted(sql, i);
		char *end;
		long n;

		if (j != i) {
			rk_buf_add(out, sql + i, j - i);
			i = j;
			continue;
		}
		if (sql[i] == '$' && isdigit((unsigned char)sql[i + 1])) {
			n = strtol(sql + i + 1, &end, 10);
			if (n < 1 || n > nparams)
				rk_bug("$%ld of %d parameters", n, nparams);
			db->drv->quote_literal(db, &params[n - 1], out);
			i = (size_t)(end - sql);
			continue;
		}
		rk_buf_addc(out, sql[i++]);
	}
	rk_buf_adds(out, ";\n");
}

/*
 * A read while capturing runs against the database as it is, without the
 * captured writes: one of a table those writes create (the tracking table
 * on a first run) finds nothing, as it would find it empty.
 */
static int
capture_read(struct db *db, int rc, struct db_rows *out, struct rk_err *err)
{
	if (rc == 0 || !db->capture)
		return rc;
	if (strcmp(err->sqlstate, "42P01") != 0 &&
	    strstr(err->msg, "no such table") == NULL)
		return rc;
	*err = (struct rk_err)RK_ERR_INIT;
	db_rows_release(out);
	return 0;
}

int
db_exec(struct db *db, const char *sql, struct rk_err *err)
{
	if (db->capture) {
		capture_stmt(db, sql, NULL, 0);
		return 0;
	}
	return db->drv->exec(db, sql, err);
}

int
db_query(struct db *db, const char *sql, const char *const *params, int nparams,
	 struct db_rows *out, struct rk_err *err)
{
	if (db->capture && !out) {
		struct db_param *p = xcalloc((size_t)nparams + 1, sizeof(*p));

		for (int i = 0; i < nparams; i++)
			p[i] = (struct db_param){ DB_TEXT, params[i], 0 };
		capture_stmt(db, sql, p, nparams);
		free(p);
		return 0;
	}
	return capture_read(db,
			    db->drv->query(db, sql, params, nparams, out, err),
			    out, err);
}

int
db_query_typed(struct db *db, const char *sql, const struct db_param *params,
	       int nparams, struct db_rows *out, struct rk_err *err)
{
	if (db->capture && !out) {
		capture_stmt(db, sql, params, nparams);
		return 0;
	}
	return capture_read(
		db, db->drv->query_typed(db, sql, params, nparams, out, err),
		out, err);
}

void
db_quote_ident(struct db *db, const char *name, struct rk_buf *out)
{
	db->drv->quote_ident(db, name, out);
}

void
db_quote_qualified(struct db *db, const char *schema, const char *name,
		   struct rk_buf *out)
{
	if (schema && *schema) {
		db->drv->quote_ident(db, schema, out);
		rk_buf_addc(out, '.');
	}
	db->drv->quote_ident(db, name, out);
}

int
db_tables(struct db *db, struct db_table_list *out, struct rk_err *err)
{
	return db->drv->tables(db, NULL, out, err);
}

int
db_tables_named(struct db *db, const char *const *names,
		struct db_table_list *out, struct rk_err *err)
{
	return db->drv->tables(db, names, out, err);
}

int
db_tables_select(struct db *db, const char *base, const char *const *name_cols,
		 const char *const *names, const char *order,
		 struct db_table_list *out, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_buf sql = RK_BUF_INIT, in = RK_BUF_INIT;
	int n = 0, rc;

	*out = (struct db_table_list)DB_TABLE_LIST_INIT;
	rk_buf_adds(&sql, base);
	if (names) {
		rk_buf_adds(&in, " IN (");
		for (; names[n]; n++) {
			char num[16], *p = num + sizeof(num);
			int k = n + 1;

			/* ", $k": printf for each would be most of the work */
			*--p = '\0';
			do
				*--p = (char)('0' + k % 10);
			while ((k /= 10) > 0);
			*--p = '$';
			if (n)
				rk_buf_adds(&in, ", ");
			rk_buf_adds(&in, p);
		}
		rk_buf_adds(&in, n ? ")" : "NULL)");
		for (size_t c = 0; name_cols[c]; c++) {
			rk_buf_adds(&sql, " AND ");
			rk_buf_adds(&sql, name_cols[c]);
			rk_buf_adds(&sql, in.s);
		}
	}
	rk_buf_addf(&sql, " ORDER BY %s", order);
	rc = db->drv->query(db, sql.s, names, n, &rows, err);
	rk_buf_release(&in);
	rk_buf_release(&sql);
	if (rc == 0)
		db_tables_from_rows(&rows, out);
	db_rows_release(&rows);
	return rc;
}

int
db_begin(struct db *db, struct rk_err *err)
{
	if (db->capture) {
		capture_stmt(db, db->drv->begin_sql, NULL, 0);
		return 0;
	}
	return db->drv->begin(db, err);
}

int
db_commit(struct db *db, struct rk_err *err)
{
	return db_exec(db, "COMMIT", err);
}

void
db_rollback(struct db *db)
{
	struct rk_err ignored = RK_ERR_INIT;

	(void)db_exec(db, "ROLLBACK", &ignored);
}

int
db_idle(struct db *db)
{
	return db->drv->idle ? db->drv->idle(db) : 0;
}

void
db_keep_plans(struct db *db, int keep)
{
	if (db->drv->keep_plans)
		db->drv->keep_plans(db, keep);
}

int
db_lock(struct db *db, int wait_secs, struct rk_err *err)
{
	return db->drv->lock(db, wait_secs, err);
}

int
db_run_lock(struct db *db, int wait_secs, long *waited_ms, struct rk_err *err)
{
	return db->drv->run_lock(db, wait_secs, waited_ms, err);
}

void
db_run_unlock(struct db *db)
{
	db->drv->run_unlock(db);
}

void
db_cancel(struct db *db)
{
	db->drv->cancel(db);
}

int
db_info(struct db *db, struct db_info *out, struct rk_err *err)
{
	return db->drv->info(db, out, err);
}

const char *
db_password(struct db *db)
{
	return db->drv->password ? db->drv->password(db) : NULL;
}

const char *
db_missing_file(struct db *db)
{
	return db->drv->missing ? db->drv->missing(db) : NULL;
}

void
db_rows_release(struct db_rows *r)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		free(r->cols[i]);
	rk_arena_release(&r->strings);
	free(r->cols);
	free(r->vals);
	r->nrows = 0;
	r->ncols = 0;
	r->cols = NULL;
	r->vals = NULL;
}

void
db_rows_give_strings(struct db_rows *r, struct rk_arena *to)
{
	rk_arena_adopt(to, &r->strings);
}

const char *
db_rows_get(const struct db_rows *r, size_t row, size_t col)
{
	if (row >= r->nrows || col >= r->ncols)
		rk_bug("db_rows_get(%zu, %zu) outside %zu x %zu", row, col,
		       r->nrows, r->ncols);
	return r->vals[row * r->ncols + col];
}

void
db_table_list_release(struct db_table_list *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		struct db_table *t = &l->v[i];

		for (j = 0; j < t->ncols; j++) {
			free(t->cols[j].name);
			free(t->cols[j].type);
		}
		free(t->cols);
		free(t->schema);
		free(t->name);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}

/*
 * Build out from catalog rows (schema, table, column, type, notnull), one
 * row per column, ordered by schema, table and column position. column is
 * NULL for a table without columns; notnull is "t" or "1" when set.
 */
void
db_tables_from_rows(const struct db_rows *rows, struct db_table_list *out)
{
	struct db_table *t = NULL;
	size_t cap = 0, i;

	*out = (struct db_table_list)DB_TABLE_LIST_INIT;
	if (rows->nrows && rows->ncols != 5)
		rk_bug("catalog rows have %zu columns, not 5", rows->ncols);
	for (i = 0; i < rows->nrows; i++) {
		const char *schema = db_rows_get(rows, i, 0);
		const char *name = db_rows_get(rows, i, 1);
		const char *col = db_rows_get(rows, i, 2);
		const char *type = db_rows_get(rows, i, 3);
		const char *notnull = db_rows_get(rows, i, 4);
		struct db_column *c;

		if (!t || strcmp(t->schema, schema) || strcmp(t->name, name)) {
			rk_grow((void **)&out->v, &out->cap, out->n + 1,
				sizeof(*out->v));
			t = &out->v[out->n++];
			t->schema = xstrdup(schema);
			t->name = xstrdup(name);
			t->cols = NULL;
			t->ncols = 0;
			cap = 0;
		}
		if (!col)
			continue;
		rk_grow((void **)&t->cols, &cap, t->ncols + 1,
			sizeof(*t->cols));
		c = &t->cols[t->ncols++];
		c->name = xstrdup(col);
		c->type = xstrdup(type ? type : "");
		c->notnull = notnull &&
			     (!strcmp(notnull, "t") || !strcmp(notnull, "1"));
	}
}

const struct db_table *
db_table_find(const struct db_table_list *l, const char *schema,
	      const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct db_table *t = &l->v[i];

		if (!strcmp(t->name, name) &&
		    (!schema || !strcmp(t->schema, schema)))
			return t;
	}
	return NULL;
}

int
db_attach(struct db *db, const char *name, const char *file, struct rk_err *err)
{
	if (!db->drv->attach)
		return rk_fail(err, RK_DB,
			       "the %s driver cannot attach database files",
			       db->drv->name);
	return db->drv->attach(db, name, file, err);
}

int
db_backup(struct db *db, const char *dest, struct rk_err *err)
{
	if (!db->drv->backup)
		return rk_fail(err, RK_DB, "the %s driver cannot take backups",
			       db->drv->name);
	return db->drv->backup(db, dest, err);
}

void
db_quote_double(const char *name, struct rk_buf *out)
{
	rk_buf_addc(out, '"');
	for (const char *s = name; *s; s++) {
		if (*s == '"')
			rk_buf_addc(out, '"');
		rk_buf_addc(out, *s);
	}
	rk_buf_addc(out, '"');
}
