/*
 * Drift: the token hash that lets a cosmetic edit through, the token_hash
 * columns that keep it, and the gate that stops a run on real drift. The
 * hash is computed from the lexer's tokens (parsers/sql_lex.c), so what
 * counts as a comment is exactly what counts when statements are split.
 */
#include "reckon/core/drift.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/core/ops.h"
#include "reckon/core/sidecar.h"
#include "reckon/parsers/sql.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

#define TOKEN_COL "token_hash"
#define BYTES_COL "applied_zlib" /* reckon_migrations: the bytes applied */

/*
 * Comments that some tool reads, so that editing one changes what runs or
 * how: each is found anywhere in a comment, ignoring case (a false match
 * only makes an edit count as real, never the other way round). Each
 * detector's no_tx_marker (dbmate's transaction:false, SQLx's
 * -- no-transaction) counts as well.
 */
static const char *const directives[] = {
	"reckon:",	  /* reckon:no-transaction, reckon:foreign-keys */
	"migrate:",	  /* dbmate: migrate:up, migrate:down */
	"+goose",	  /* goose: Up, Down, StatementBegin, NO TRANSACTION */
	"+migrate",	  /* sql-migrate: Up, Down, notransaction */
	"${",		  /* Flyway placeholders are replaced in comments too */
	"up migration",	  /* node-pg-migrate: -- Up Migration */
	"down migration", /* node-pg-migrate: -- Down Migration */
	"depends:",	  /* yoyo */
	"changeset",	  /* Liquibase formatted SQL */
	"liquibase",	  /* Liquibase: --liquibase formatted sql */
	"rollback",	  /* Liquibase: --rollback */
};

static int
has_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	int c0 = tolower((unsigned char)needle[0]);

	for (size_t i = 0; i + k <= n; i++)
		if (tolower((unsigned char)s[i]) == c0 &&
		    strncasecmp(s + i, needle, k) == 0)
			return 1;
	return 0;
}

/* "--!" headers (graphile-migrate) and the comments listed above. */
static int
is_directive(const char *s, size_t n)
{
	if (n > 2 && s[0] == '-' && s[2] == '!')
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(directives); i++)
		if (has_ci(s, n, directives[i]))
			return 1;
	for (size_t k = 0; detectors[k]; k++)
		if (detectors[k]->no_tx_marker &&
		    has_ci(s, n, detectors[k]->no_tx_marker))
			return 1;
	return 0;
}

/* Append a token, CRLF as LF, then a NUL: tokens never run together. */
static void
add_token(struct rk_buf *b, const char *s, size_t n)
{
	const char *cr;

	while ((cr = memchr(s, '\r', n)) != NULL) {
		size_t k = (size_t)(cr - s) + 1; /* up to and with the CR */

		rk_buf_add(b, s, k - (k < n && cr[1] == '\n'));
		s += k;
		n -= k;
	}
	rk_buf_add(b, s, n);
	rk_buf_addc(b, '\0');
}

void
drift_token_hash(const char *s, size_t n, const struct sql_dialect *d,
		 char out[65])
{
	struct rk_buf b = RK_BUF_INIT;
	size_t i = 0;

	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n) {
		enum sql_tok k;
		size_t t = sql_token(s + i, n - i, d, &k);

		if (k == TK_COMMENT && is_directive(s + i, t)) {
			size_t e = t; /* a directive's trailing space is not */

			while (e > 0 &&
			       (s[i + e - 1] == ' ' || s[i + e - 1] == '\t' ||
				s[i + e - 1] == '\r'))
				e--;
			add_token(&b, s + i, e);
		} else if (k != TK_SPACE && k != TK_COMMENT) {
			add_token(&b, s + i, t);
		}
		i += t;
	}
	rk_sha256_hex(b.s ? b.s : "", b.len, out);
	rk_buf_release(&b);
}

static const struct sql_dialect *
dialect_of(struct db *db)
{
	return db_dialect(db)->lex;
}

/* Does t keep a token hash anywhere? */
static int
keeps_tokens(const struct tracked *t)
{
	return t->det == &det_reckon || t->sidecar;
}

void
drift_fill(struct db *db, const struct tracked *t, const struct mig_file *m,
	   char out[65])
{
	struct rk_buf text = RK_BUF_INIT;
	struct rk_err ignored = RK_ERR_INIT;
	char sha[65];

	out[0] = '\0';
	if (!keeps_tokens(t))
		return;
	if (m->token_hash && m->token_hash[0]) {
		memcpy(out, m->token_hash, 65);
		return;
	}
	if (mig_read(m->path, m->name, &text, &ignored) == 0) {
		rk_sha256_hex(text.s, text.len, sha);
		if (strcmp(sha, m->sha256) == 0)
			drift_token_hash(text.s, text.len, dialect_of(db), out);
	}
	rk_buf_release(&text);
}

static int
has_col(const struct db_table *tab, const char *col)
{
	for (size_t i = 0; tab && i < tab->ncols; i++)
		if (strcmp(tab->cols[i].name, col) == 0)
			return 1;
	return 0;
}

void
drift_note_columns(const struct db_table_list *tl, struct tracked *t)
{
	if (t->det == &det_reckon) {
		const struct db_table *tab =
			db_table_find(tl, t->schema, t->table);

		t->token_col = has_col(tab, TOKEN_COL);
		t->bytes_col = has_col(tab, BYTES_COL);
	}
	t->side_tok_col =
		has_col(db_table_find(tl, t->schema, SIDECAR_TABLE), TOKEN_COL);
}

/* ALTER TABLE <table> ADD COLUMN <col> text, unless it is there. */
static int
add_column(struct db *db, struct tracked *t, const char *table, const char *col,
	   int *have, struct rk_err *err)
{
	const char *const names[] = { table, NULL };
	struct db_table_list tl = DB_TABLE_LIST_INIT;
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	/* under the run lock: another runner may have added it since */
	if (db_tables_named(db, names, &tl, err) < 0)
		return -1;
	*have = has_col(db_table_find(&tl, t->schema, table), col);
	db_table_list_release(&tl);
	if (*have)
		return 0;
	rk_buf_adds(&sql, "ALTER TABLE ");
	tracked_sibling(db, t, table, &sql);
	rk_buf_addf(&sql, " ADD COLUMN %s text", col);
	rc = db_exec(db, sql.s, err);
	rk_buf_release(&sql);
	if (rc == 0)
		*have = 1;
	return rc;
}

int
drift_add_columns(struct db *db, struct tracked *t, struct rk_err *err)
{
	if (t->det == &det_reckon && t->exists && !t->token_col &&
	    add_column(db, t, t->table, TOKEN_COL, &t->token_col, err) < 0)
		return -1;
	if (t->det == &det_reckon && t->exists && !t->bytes_col &&
	    add_column(db, t, t->table, BYTES_COL, &t->bytes_col, err) < 0)
		return -1;
	if (t->sidecar && t->sidecar_exists && !t->side_tok_col &&
	    add_column(db, t, SIDECAR_TABLE, TOKEN_COL, &t->side_tok_col, err) <
		    0)
		return -1;
	return 0;
}

void
drift_classify(struct rk_session *s, const struct sql_dialect *d)
{
	struct rk_buf text = RK_BUF_INIT;

	s->status.cosmetic = 0;
	for (size_t i = 0; i < s->status.n; i++) {
		struct status_entry *e = &s->status.v[i];
		struct rk_err ignored = RK_ERR_INIT;
		char now[65];

		if (e->state != ST_MODIFIED || !e->file || !e->stored_tok)
			continue;
		if (mig_read(e->file->path, e->file->name, &text, &ignored) < 0)
			continue;
		drift_token_hash(text.s, text.len, d, now);
		e->cosmetic = strcmp(now, e->stored_tok) == 0;
		s->status.cosmetic += (size_t)e->cosmetic;
	}
	rk_buf_release(&text);
}

/* "'a' (modified), 'b' (failed)": at most 10 names, then a count. */
static void
list_drift(const struct rk_session *s, struct rk_buf *out, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (!(e->state == ST_MODIFIED && !e->cosmetic) &&
		    e->state != ST_FAILED)
			continue;
		if (*n < 10)
			rk_buf_addf(out, "%s'%s' (%s)", *n ? ", " : "", e->name,
				    e->state == ST_FAILED
					    ? "failed or dirty"
					    : "modified since applied");
		(*n)++;
	}
	if (*n > 10)
		rk_buf_addf(out, " and %zu more", *n - 10);
}

int
drift_gate(const struct rk_session *s, struct rk_err *err)
{
	struct rk_buf names = RK_BUF_INIT;
	size_t n;

	if (s->misplaced.det && s->misplaced.rows != 0) {
		rk_fail(err, RK_CHECK,
			"refusing to run: %s holds record(s) an earlier reckon "
			"wrote for this directory, which %s's table does not "
			"have: files recorded there could run again",
			s->misplaced.table, s->misplaced.det->name);
		rk_err_hint(err,
			    "'reckon repair --move' shows how they move "
			    "into %s's table; --allow-drift runs anyway",
			    s->misplaced.det->name);
		return -1;
	}
	list_drift(s, &names, &n);
	if (n) {
		rk_fail(err, RK_CHECK,
			"refusing to run: %zu applied migration(s) drifted "
			"from their records: %s",
			n, names.s);
		rk_err_hint(err, "see 'reckon status'; after review, 'reckon "
				 "repair NAME' accepts a file as it is now and "
				 "clears a failed marker, 'reckon unmark NAME' "
				 "forgets a record; --allow-drift runs anyway");
	}
	rk_buf_release(&names);
	return n ? -1 : 0;
}
