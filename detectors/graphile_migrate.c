/*
 * graphile-migrate (PostgreSQL only): graphile_migrate.migrations(hash,
 * previous_hash, filename, date) in its own schema, beside
 * graphile_migrate.current (the watch-mode working copy, not a list of
 * migrations). One row per committed migration: filename = its number +
 * ".sql" (000001.sql, also for 000001-add-users.sql), hash = the file's
 * "--! Hash:" header, previous_hash = its "--! Previous:" header (NULL for
 * "-"). Committed files are committed/<digits>[-slug].sql (the directory
 * level may be --dir itself): "--! Key: value" header lines, one empty
 * line, the body. The hash chains the files: "sha1:" + hex SHA-1 of
 * ((previous or "") + "\n" + body).trim() + "\n", body = the text after
 * the headers, trimmed, plus "\n"; with "--! AllowInvalidHash" the header
 * value stands. date comes from the column default.
 *
 * Checked against graphile/migrate: src/hash.ts (calculateHash),
 * src/migration.ts (_migrateMigrationSchema DDL, parseMigrationText,
 * getAllMigrations: filename = number + ".sql", Previous "-" = null,
 * runStringMigration's insert (hash, previous_hash, filename),
 * undoMigration delete by hash), src/migrationFilename.ts (VALID_FILE_REGEX
 * `^([0-9]+)(-[-_a-zA-Z0-9]*)?\.sql$`).
 */
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

#define GM_SCHEMA "graphile_migrate"

static const char *const gmi_cols[] = { "hash", "previous_hash", "filename",
					"date", NULL };
static const char *const gmi_comp[] = { "current", NULL };

static int
slug_char(char c)
{
	return c == '-' || c == '_' || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* [committed/]<digits>[-slug].sql */
static int
gmi_parse(const char *rel, struct migname *out)
{
	size_t n;
	int i;

	memset(out, 0, sizeof(*out));
	if (strncmp(rel, "committed/", 10) == 0)
		rel += 10;
	n = strlen(rel);
	if (strchr(rel, '/') || n < 5 || strcmp(rel + n - 4, ".sql") != 0)
		return -1;
	n -= 4;
	if ((i = det_split_digits(rel, n, "-", DET_SEP_OR_END, out)) <= 0)
		return -1;
	for (size_t k = (size_t)i; k < n; k++)
		if (!slug_char(rel[k]))
			return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	return 0;
}

/* "000001.sql" for committed/000001-add-users.sql */
static void
gmi_file_id(const struct mig_file *m, struct rk_buf *out)
{
	rk_buf_addf(out, "%s.sql", m->version);
}

/* The parts of a committed file graphile-migrate reads. */
struct gm_text {
	struct rk_buf previous; /* "" for "-" or none */
	struct rk_buf hash;	/* the Hash header */
	int allow_invalid;	/* AllowInvalidHash header */
	const char *body;	/* borrowed: trimmed body start */
	size_t body_len;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static void
add_trimmed(struct rk_buf *b, const char *s, size_t n)
{
	while (n && is_space(*s))
		s++, n--;
	while (n && is_space(s[n - 1]))
		n--;
	rk_buf_add(b, s, n);
}

/* Headers: lines "--! Key" or "--! Key: value", Key [A-Z][A-Za-z0-9_]*. */
static void
gm_split(const char *s, size_t n, struct gm_text *g)
{
	size_t i = 0;

	while (i < n) {
		const char *e = memchr(s + i, '\n', n - i);
		size_t len = e ? (size_t)(e - (s + i)) : n - i, k = 4, vlen;
		const char *l = s + i;

		if (len < 5 || memcmp(l, "--! ", 4) || l[4] < 'A' || l[4] > 'Z')
			break;
		while (k < len && (slug_char(l[k]) && l[k] != '-'))
			k++;
		if (k < len && l[k] != ':')
			break;
		vlen = k < len ? len - k - 1 : 0;
		if (k - 4 == 8 && !memcmp(l + 4, "Previous", 8))
			add_trimmed(&g->previous, l + k + 1, vlen);
		else if (k - 4 == 4 && !memcmp(l + 4, "Hash", 4))
			add_trimmed(&g->hash, l + k + 1, vlen);
		else if (k - 4 == 16 && !memcmp(l + 4, "AllowInvalidHash", 16))
			g->allow_invalid = 1;
		i += len + 1;
	}
	if (strcmp(g->previous.s, "-") == 0)
		rk_buf_reset(&g->previous);
	g->body = s + (i < n ? i : n);
	g->body_len = n - (size_t)(g->body - s);
	while (g->body_len && is_space(*g->body))
		g->body++, g->body_len--;
	while (g->body_len && is_space(g->body[g->body_len - 1]))
		g->body_len--;
}

static void
gm_text_release(struct gm_text *g)
{
	rk_buf_release(&g->previous);
	rk_buf_release(&g->hash);
}

static void
gmi_checksum(const char *s, size_t n, struct rk_buf *out)
{
	struct gm_text g = { RK_BUF_INIT, RK_BUF_INIT, 0, NULL, 0 };
	struct rk_buf in = RK_BUF_INIT, text = RK_BUF_INIT;
	unsigned char md[64];

	gm_split(s, n, &g);
	if (g.allow_invalid && g.hash.len) {
		rk_buf_add(out, g.hash.s, g.hash.len);
	} else {
		rk_buf_addf(&in, "%s\n", g.previous.s);
		rk_buf_add(&in, g.body, g.body_len);
		add_trimmed(&text, in.s, in.len);
		rk_buf_addc(&text, '\n');
		rk_buf_adds(out, "sha1:");
		det_hex(md, det_digest("sha1", text.s, text.len, md), out);
	}
	rk_buf_release(&text);
	rk_buf_release(&in);
	gm_text_release(&g);
}

static int
gmi_read(struct db *db, const struct tracked *t, struct applied_set *out,
	 struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;

	if (det_select(db, t, "filename, hash, date", "filename", &rows, err) <
	    0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *f = db_rows_get(&rows, i, 0);
		char at[32], v[32];
		size_t k = 0;

		while (f && k + 1 < sizeof(v) && f[k] >= '0' && f[k] <= '9') {
			v[k] = f[k];
			k++;
		}
		v[k] = '\0';
		applied_add(out, f, k ? v : NULL,
			    det_iso_time(db_rows_get(&rows, i, 2), at),
			    db_rows_get(&rows, i, 1));
	}
	db_rows_release(&rows);
	return 0;
}

/* Its schema is fixed: the table always lives in graphile_migrate. */
static int
gmi_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	free(t->schema);
	t->schema = xstrdup(GM_SCHEMA);
	return db_exec(db,
		       "create schema if not exists graphile_migrate;\n"
		       "create table if not exists graphile_migrate.migrations "
		       "(hash text primary key, previous_hash text references "
		       "graphile_migrate.migrations, filename text not null, "
		       "date timestamptz not null default now());\n"
		       "create table if not exists graphile_migrate.current "
		       "(filename text primary key default 'current.sql', "
		       "content text not null, date timestamptz not null "
		       "default now())",
		       err);
}

/* The hash and previous hash come from the headers of the bytes that ran. */
static int
gmi_record(struct db *db, struct tracked *t, const struct mig_file *m,
	   long exec_ms, struct rk_err *err)
{
	struct gm_text g = { RK_BUF_INIT, RK_BUF_INIT, 0, NULL, 0 };
	struct rk_buf id = RK_BUF_INIT;
	const char *params[3];
	int rc = -1;

	(void)exec_ms;
	gm_split(m->text, m->text_len, &g);
	if (!g.hash.len || (m->checksum && strcmp(m->checksum, g.hash.s))) {
		rk_fail(err, RK_INPUT,
			"'%s': its '--! Hash' header does not match its "
			"content "
			"(%s)",
			m->name, m->checksum ? m->checksum : "no checksum");
		rk_err_hint(err, "graphile-migrate would refuse it; commit it "
				 "again with graphile-migrate");
		goto out;
	}
	gmi_file_id(m, &id);
	params[0] = g.hash.s;
	params[1] = g.previous.len ? g.previous.s : NULL;
	params[2] = id.s;
	rc = det_insert(db, t, "hash, previous_hash, filename", "$1, $2, $3",
			params, 3, err);
out:
	rk_buf_release(&id);
	gm_text_release(&g);
	return rc;
}

const struct detector det_graphile_migrate = {
	.name = "graphile-migrate",
	.table = "migrations",
	.schema = GM_SCHEMA,
	.columns = gmi_cols,
	.companions = gmi_comp,
	.flags = DET_PG_ONLY,
	.parse_name = gmi_parse,
	.checksum = gmi_checksum,
	.file_id = gmi_file_id,
	.read = gmi_read,
	.ensure = gmi_ensure,
	.record = gmi_record,
	.id_column = "filename",
};
