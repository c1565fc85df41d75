/*
 * Drizzle ORM's __drizzle_migrations (PG schema "drizzle"), two formats:
 * v0 (stable): <out>/<tag>.sql listed in <out>/meta/_journal.json, rows of
 *   (id, hash, created_at) only: hash = SHA-256 hex of the file, created_at
 *   = the journal entry's "when", copied unchanged; no name is stored, so
 *   a row is matched to its file through created_at (file_id = the "when"
 *   of the file's tag in the journal) and the hash is compared: an edited
 *   file is modified, a deleted one (file and journal entry) leaves its
 *   row orphaned. Rows without a created_at fall back to the hash.
 * v1 (1.0 rc): <out>/<YYYYMMDDHHMMSS>_<name>/migration.sql, rows add name
 *   (the folder) and applied_at; matched by name, hash compared.
 * Checked against drizzle-team/drizzle-orm:
 * - drizzle-orm/src/migrator.ts: readMigrationFiles (journal entries, tag
 *   files, sha256 hex of the text);
 * - drizzle-orm/src/sqlite-core/dialect.ts (and pg-core/dialect.ts): the
 *   v0 DDL, INSERT ("hash", "created_at") VALUES (hash, when);
 * - drizzle-orm/src/up-migrations/{sqlite,utils}.ts: v1 = the table has a
 *   name column; the v0 -> v1 upgrade (name back-filled, applied_at NULL).
 * v1 rows as frameworks.md §7 gives them (rc.4: PG (hash, created_at,
 * name), SQLite adds applied_at ISO text); reckon creates only v0 tables.
 * XXX: one migrator.ts revision hashes the text with CRLF turned into LF;
 * this follows frameworks.md (bytes as read), the same for LF files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

static const char *const drizzle_cols[] = { "id", "hash", "created_at", NULL };
static const char *const drizzle_opt[] = { "name", "applied_at", "version",
					   NULL };

/* v1 "<digits>_<name>/migration.sql" or v0 "<digits>_<tag>.sql". */
static int
drizzle_parse(const char *relpath, struct migname *out)
{
	const char *slash = strchr(relpath, '/');
	size_t n = strlen(relpath);

	memset(out, 0, sizeof(*out));
	if (slash) {
		if (strcmp(slash + 1, "migration.sql") != 0)
			return -1;
		n = (size_t)(slash - relpath);
	} else if (n <= 4 || strcmp(relpath + n - 4, ".sql") != 0) {
		return -1;
	} else {
		n -= 4;
	}
	if (det_split_digits(relpath, n, "_", DET_SEP_REQUIRED, out) <= 0)
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	return 0;
}

static void
drizzle_checksum(const char *s, size_t n, struct rk_buf *out)
{
	char hex[65];

	rk_sha256_hex(s, n, hex);
	rk_buf_adds(out, hex);
}

/* The journal's "when" for tag: the entry object holding "tag": "<tag>". */
static int
journal_when(const char *dir, const char *tag, char out[24], struct rk_err *err)
{
	struct rk_buf j = RK_BUF_INIT, path = RK_BUF_INIT, want = RK_BUF_INIT;
	const char *p, *lb, *rb, *w;
	int rc = -1;

	rk_buf_addf(&path, "%s/meta/_journal.json", dir);
	rk_buf_addf(&want, "\"%s\"", tag);
	if (rk_buf_read_file(&j, path.s) < 0) {
		rk_fail(err, RK_INPUT, "cannot read '%s'", path.s);
		goto out;
	}
	for (p = j.s; (p = strstr(p, "\"tag\"")) != NULL; p += 5) {
		const char *v = p + 5 + strspn(p + 5, " \t\r\n:");

		if (strncmp(v, want.s, want.len) != 0)
			continue;
		for (lb = p; lb > j.s && *lb != '{'; lb--)
			;
		rb = strchr(p, '}');
		w = strstr(lb, "\"when\"");
		if (!rb || !w || w > rb)
			break;
		w += 6 + strspn(w + 6, " \t\r\n:");
		snprintf(out, 24, "%.*s", (int)strspn(w, "0123456789"), w);
		rc = *out ? 0 : -1;
		break;
	}
	if (rc < 0)
		rk_fail(err, RK_INPUT,
			"'%s' has no entry with a \"when\" for "
			"tag '%s'",
			path.s, tag);
out:
	rk_buf_release(&want);
	rk_buf_release(&path);
	rk_buf_release(&j);
	return rc;
}

/*
 * v1: the folder name; v0: the journal's "when" for the file's tag, which
 * Drizzle copies into created_at (the hash, when the journal has no entry
 * for it, matches rows written without one).
 * XXX: reads the journal once per file; a parsed journal kept in the
 * tracked table's state would read it once.
 */
static void
drizzle_file_id(const struct mig_file *m, struct rk_buf *out)
{
	const char *slash = strchr(m->name, '/');
	struct rk_buf dir = RK_BUF_INIT, tag = RK_BUF_INIT;
	struct rk_err err = { 0 };
	char when[24];

	if (slash) {
		rk_buf_add(out, m->name, (size_t)(slash - m->name));
		return;
	}
	if (!m->path) {
		rk_buf_adds(out, m->sha256);
		return;
	}
	/* the migrations dir: m->path is "<dir>/<name>" */
	rk_buf_add(&dir, m->path, strlen(m->path) - strlen(m->name));
	det_stem(m, &tag);
	if (journal_when(dir.s, tag.s, when, &err) == 0)
		rk_buf_adds(out, when);
	else
		rk_buf_adds(out, m->sha256);
	rk_buf_release(&tag);
	rk_buf_release(&dir);
}

static int
col(const struct db_rows *r, const char *name)
{
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->cols[c], name) == 0)
			return (int)c;
	return -1;
}

static const char *
get(const struct db_rows *r, size_t row, int c)
{
	return c < 0 ? NULL : db_rows_get(r, row, (size_t)c);
}

static int
drizzle_read(struct db *db, const struct tracked *t, struct applied_set *out,
	     struct rk_err *err)
{
	struct db_rows r = DB_ROWS_INIT;
	int hash, name, created, at;

	if (det_select(db, t, "*", "created_at, id", &r, err) < 0)
		return -1;
	hash = col(&r, "hash");
	name = col(&r, "name");
	created = col(&r, "created_at");
	at = col(&r, "applied_at");
	for (size_t i = 0; i < r.nrows; i++) {
		const char *id = get(&r, i, name >= 0 ? name : created);
		char iso[32];

		applied_add(out, id ? id : get(&r, i, hash), NULL,
			    det_iso_time(get(&r, i, at), iso),
			    get(&r, i, hash));
	}
	db_rows_release(&r);
	return 0;
}

static int
has_journal(const struct tracked *t)
{
	struct rk_buf path = RK_BUF_INIT;
	FILE *f;

	rk_buf_addf(&path, "%s/meta/_journal.json", t->dir);
	f = fopen(path.s, "r");
	rk_buf_release(&path);
	if (f)
		fclose(f);
	return f != NULL;
}

/* created_at as Drizzle's journal table declares it on each engine */
static const char *const created_at_type[DB_NKINDS] = {
	[DB_PG] = "bigint",
	[DB_SQLITE] = "numeric",
};

static int
drizzle_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	if (t->dir && !has_journal(t))
		return rk_fail(err, RK_CONFLICT,
			       "reckon creates only Drizzle's journal (v0) "
			       "table, and '%s' has no meta/_journal.json",
			       t->dir ? t->dir : ".");
	if (t->schema) { /* set only where the engine has schemas */
		rk_buf_adds(&sql, "CREATE SCHEMA IF NOT EXISTS ");
		db_quote_ident(db, t->schema, &sql);
		rk_buf_adds(&sql, "; ");
	}
	rk_buf_addf(&sql,
		    "CREATE TABLE IF NOT EXISTS %%T (id SERIAL PRIMARY KEY, "
		    "hash text NOT NULL, created_at %s)",
		    db_pick(db, created_at_type));
	rc = det_exec_t(db, t, sql.s, err);
	rk_buf_release(&sql);
	return rc;
}

/* v1's created_at: the folder's YYYYMMDDHHMMSS as UTC epoch ms. */
static void
folder_millis(const char *v, char out[24])
{
	struct tm tm = { 0 };

	if (sscanf(v, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		snprintf(out, 24, "0");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	snprintf(out, 24, "%lld", (long long)timegm(&tm) * 1000);
}

/* A folder (v1) row as Drizzle writes it: on SQLite it also keeps the
 * time applied_at; on PG the table has no such column. */
static const char *const v1_cols[DB_NKINDS] = {
	[DB_PG] = "\"hash\", \"created_at\", \"name\"",
	[DB_SQLITE] = "\"hash\", \"created_at\", \"name\", \"applied_at\"",
};
static const char *const v1_values[DB_NKINDS] = {
	[DB_PG] = "$1, CAST($2 AS BIGINT), $3",
	[DB_SQLITE] = "$1, CAST($2 AS INTEGER), $3, $4",
};
static const int v1_nparams[DB_NKINDS] = {
	[DB_PG] = 3,
	[DB_SQLITE] = 4,
};

static int
drizzle_record(struct db *db, struct tracked *t, const struct mig_file *m,
	       long exec_ms, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT, name = RK_BUF_INIT;
	struct db_rows r = DB_ROWS_INIT;
	int v1, rc = -1;
	const char *params[4];
	char when[24], now[40];

	(void)exec_ms;
	rk_buf_adds(&sql, "SELECT * FROM ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " WHERE 1 = 0");
	if (db_query(db, sql.s, NULL, 0, &r, err) < 0)
		goto out;
	v1 = col(&r, "name") >= 0;
	if (v1 != (strchr(m->name, '/') != NULL)) {
		rk_fail(err, RK_CONFLICT,
			"a Drizzle %s migration cannot be recorded in a %s "
			"table",
			v1 ? "journal (v0)" : "folder (v1)",
			v1 ? "folder (v1)" : "journal (v0)");
		goto out;
	}
	if (v1) {
		folder_millis(m->version, when);
		drizzle_file_id(m, &name);
	} else {
		/* the migrations dir: m->path is "<dir>/<name>" */
		rk_buf_reset(&sql);
		rk_buf_add(&sql, m->path, strlen(m->path) - strlen(m->name));
		det_stem(m, &name);
		if (journal_when(sql.s, name.s, when, err) < 0)
			goto out;
	}
	det_now(DET_TIME_ISO_Z, now);
	params[0] = m->checksum;
	params[1] = when;
	params[2] = name.s;
	params[3] = now;
	if (!v1)
		rc = det_insert(db, t, "\"hash\", \"created_at\"",
				"$1, CAST($2 AS %INT)", params, 2, err);
	else
		rc = det_insert(db, t, db_pick(db, v1_cols),
				db_pick(db, v1_values), params,
				DET_FACT(db, v1_nparams), err);
out:
	db_rows_release(&r);
	rk_buf_release(&name);
	rk_buf_release(&sql);
	return rc;
}

/* v0 rows are known by created_at (or, without one, the hash), v1 rows
 * by their name. */
static const char *
key_col(const struct applied *row)
{
	if (row->stored_hash && strcmp(row->id, row->stored_hash) == 0)
		return "hash";
	if (row->id[strspn(row->id, "0123456789")] == '\0')
		return "created_at";
	return "name";
}

static int
drizzle_unrecord(struct db *db, const struct tracked *t,
		 const struct applied *row, struct rk_err *err)
{
	return det_delete(db, t, key_col(row), row->id, err);
}

/* Store the file's hash in the row matched by name or created_at (a row
 * known only by its hash cannot differ from its file). */
static int
drizzle_repair(struct db *db, const struct tracked *t, const struct mig_file *m,
	       const struct applied *row, struct rk_err *err)
{
	const char *params[2] = { row->id, m->checksum };
	const char *key = key_col(row);

	if (strcmp(key, "hash") == 0)
		return 0;
	return det_update(db, t, "hash = $2",
			  strcmp(key, "name") == 0
				  ? "name = $1"
				  : "created_at = CAST($1 AS BIGINT)",
			  params, 2, err);
}

/* drizzle-kit's journal (meta/_journal.json) is its alone. */
static int
drizzle_evidence(const char *dir, struct rk_buf *why)
{
	return det_dir_evidence_file(dir, "meta/_journal.json", why);
}

const struct detector det_drizzle = {
	.name = "drizzle",
	.table = "__drizzle_migrations",
	.schema = "drizzle",
	.columns = drizzle_cols,
	.optional = drizzle_opt,
	.parse_name = drizzle_parse,
	.checksum = drizzle_checksum,
	.file_id = drizzle_file_id,
	.read = drizzle_read,
	.ensure = drizzle_ensure,
	.record = drizzle_record,
	.unrecord = drizzle_unrecord,
	.repair = drizzle_repair,
	.dir_evidence = drizzle_evidence,
};
