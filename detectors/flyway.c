/*
 * Flyway's flyway_schema_history: one row per execution, ordered by
 * installed_rank; versioned rows keyed by version, repeatables (version
 * NULL) by description. Checked against flyway/flyway:
 * - flyway-core/.../internal/resolver/ChecksumCalculator.java: CRC-32 of
 *   each line's UTF-8 bytes, lines as BufferedReader.readLine() splits them
 *   (so CR and LF never count), a BOM dropped from the first line, stored
 *   as a signed int;
 * - flyway-core/.../internal/schemahistory/JdbcTableSchemaHistory.java:
 *   installed_rank = MAX + 1, the INSERT's columns, read ordered by rank,
 *   repair deletes failed rows and rewrites description/type/checksum;
 * - flyway-database-postgresql/.../PostgreSQLDatabase.java: the PG DDL
 *   ("<table>_pk", "<table>_s_idx"), installed_by = SELECT current_user;
 * - flyway-core/.../internal/database/sqlite/SQLiteDatabase.java: current
 *   user "" and booleans 1/0 on SQLite (DDL as in frameworks.md §15, also
 *   seen in a dump of a Flyway-made SQLite table).
 * Names: V<ver>__<desc>.sql (U = undo, R__ = repeatable), also one folder
 * down, script = the path below the location; description = desc with '_'
 * as ' ', at most 200 chars ("..."-abbreviated), script at most 1000.
 * Not here: Flyway <= 3 (version_rank) and the legacy table name
 * schema_version, which this signature does not match.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

static const char *const flyway_cols[] = {
	"installed_rank", "version",  "description",  "type",
	"script",	  "checksum", "installed_by", "installed_on",
	"execution_time", "success",  NULL,
};

static int
flyway_parse(const char *relpath, struct migname *out)
{
	const char *base = strrchr(relpath, '/');

	if (migname_parse(base ? base + 1 : relpath, out) < 0 ||
	    out->conv != CONV_FLYWAY)
		return -1;
	return 0;
}

/* CRC-32 of every byte but CR and LF, a leading BOM skipped. */
static void
flyway_checksum(const char *s, size_t n, struct rk_buf *out)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	size_t i = 0, start;

	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n) {
		for (start = i; i < n && s[i] != '\r' && s[i] != '\n'; i++)
			;
		crc = crc32(crc, (const Bytef *)s + start, (uInt)(i - start));
		while (i < n && (s[i] == '\r' || s[i] == '\n'))
			i++;
	}
	rk_buf_addf(out, "%d", (int)(int32_t)(uint32_t)crc);
}

/* Flyway's description: '_' shown as ' '. */
static void
flyway_desc(const char *desc, struct rk_buf *out)
{
	for (const char *p = desc; *p; p++)
		rk_buf_addc(out, *p == '_' ? ' ' : *p);
}

/* Byte offset of the k-th character of UTF-8 text s (or its end). */
static size_t
char_at(const char *s, size_t k)
{
	size_t i = 0;

	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k-- == 0)
			break;
	return i;
}

/* AbbreviationUtils: more than max characters become the head's max-3
 * and "..." (tail: "..." and the last max-3). */
static void
abbreviate(const char *s, size_t max, int tail, struct rk_buf *out)
{
	size_t n = 0;

	for (const char *p = s; *p; p++)
		n += ((unsigned char)*p & 0xc0) != 0x80;
	if (n <= max) {
		rk_buf_adds(out, s);
	} else if (!tail) {
		rk_buf_add(out, s, char_at(s, max - 3));
		rk_buf_adds(out, "...");
	} else {
		rk_buf_adds(out, "...");
		rk_buf_adds(out, s + char_at(s, n - (max - 3)));
	}
}

/* The description column: '_' as ' ', at most 200 characters. */
static void
description(const char *desc, struct rk_buf *out)
{
	struct rk_buf d = RK_BUF_INIT;

	flyway_desc(desc, &d);
	abbreviate(d.s, 200, 0, out);
	rk_buf_release(&d);
}

/* Versioned rows are known by version, repeatables by description. */
static void
flyway_file_id(const struct mig_file *m, struct rk_buf *out)
{
	if (*m->version)
		rk_buf_adds(out, m->version);
	else
		description(m->desc, out);
}

static int
is_false(const char *v)
{
	return v && (*v == 'f' || *v == 'F' || *v == '0');
}

/* Rows an undo or a DELETE row cancels: the latest earlier one with the
 * same key. */
static void
mark_dead(const struct db_rows *r, unsigned char *dead)
{
	for (size_t i = 0; i < r->nrows; i++) {
		const char *type = db_rows_get(r, i, 3);
		const char *key = db_rows_get(r, i, 1);

		if (!type || (strcmp(type, "DELETE") != 0 &&
			      strncmp(type, "UNDO_", 5) != 0))
			continue;
		dead[i] = 1;
		for (size_t j = i; key && j-- > 0;) {
			const char *k = db_rows_get(r, j, 1);

			if (!dead[j] && k && strcmp(k, key) == 0) {
				dead[j] = 1;
				break;
			}
		}
	}
}

/* what read() selects: installed_on is a zone-less TIMESTAMP on PG, read as
 * timestamptz */
static const char *const flyway_read_cols[DB_NKINDS] = {
	[DB_PG] = "installed_rank, version, description, type, "
		  "checksum, installed_on::timestamptz, "
		  "installed_by, execution_time, success",
	[DB_SQLITE] = "installed_rank, version, description, type, "
		      "checksum, installed_on, installed_by, "
		      "execution_time, success",
};

static int
flyway_read(struct db *db, const struct tracked *t, struct applied_set *out,
	    struct rk_err *err)
{
	struct db_rows r = DB_ROWS_INIT;
	unsigned char *dead;

	if (det_select(db, t, db_pick(db, flyway_read_cols), "installed_rank",
		       &r, err) < 0)
		return -1;
	dead = xcalloc(r.nrows + 1, 1);
	mark_dead(&r, dead);
	for (size_t i = 0; i < r.nrows; i++) {
		const char *ver = db_rows_get(&r, i, 1);
		const char *type = db_rows_get(&r, i, 3);
		const char *ms = db_rows_get(&r, i, 7), *by;
		struct applied *a;
		char at[32];

		if (dead[i] || (type && strcmp(type, "SCHEMA") == 0))
			continue;
		a = applied_add(out, ver ? ver : db_rows_get(&r, i, 2), ver,
				det_iso_time(db_rows_get(&r, i, 5), at),
				db_rows_get(&r, i, 4));
		by = db_rows_get(&r, i, 6);
		a->applied_by = applied_str(out, by);
		a->exec_ms = ms ? strtol(ms, NULL, 10) : -1;
		a->failed = is_false(db_rows_get(&r, i, 8));
	}
	free(dead);
	db_rows_release(&r);
	return 0;
}

/*
 * The table as Flyway's PostgreSQL and SQLite createMetaDataTable.sql
 * write it: %K is the primary key constraint "<table>_pk" (PG names it),
 * %I the index "<table>_s_idx".
 */
static const char *const flyway_ddl[DB_NKINDS] = {
	[DB_PG] =
		"CREATE TABLE %T (\"installed_rank\" INT NOT NULL,"
		" \"version\" VARCHAR(50),"
		" \"description\" VARCHAR(200) NOT NULL,"
		" \"type\" VARCHAR(20) NOT NULL,"
		" \"script\" VARCHAR(1000) NOT NULL,"
		" \"checksum\" INTEGER, \"installed_by\" VARCHAR(100) NOT NULL,"
		" \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),"
		" \"execution_time\" INTEGER NOT NULL,"
		" \"success\" BOOLEAN NOT NULL);"
		" ALTER TABLE %T ADD CONSTRAINT %K PRIMARY KEY"
		" (\"installed_rank\"); CREATE INDEX %I ON %T (\"success\")",
	[DB_SQLITE] = "CREATE TABLE %T (\"installed_rank\" INT NOT NULL "
		      "PRIMARY KEY,"
		      " \"version\" VARCHAR(50),"
		      " \"description\" VARCHAR(200) NOT NULL,"
		      " \"type\" VARCHAR(20) NOT NULL,"
		      " \"script\" VARCHAR(1000) NOT NULL,"
		      " \"checksum\" INT, \"installed_by\" VARCHAR(100) NOT "
		      "NULL, \"installed_on\" TEXT NOT NULL DEFAULT "
		      "(strftime('%Y-%m-%d %H:%M:%f','now')),"
		      " \"execution_time\" INT NOT NULL,"
		      " \"success\" BOOLEAN NOT NULL);"
		      " CREATE INDEX %I ON %T (\"success\")",
};

static int
flyway_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	struct rk_buf name = RK_BUF_INIT, pk = RK_BUF_INIT, idx = RK_BUF_INIT;
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_addf(&name, "%s_pk", t->table);
	db_quote_ident(db, name.s, &pk);
	rk_buf_reset(&name);
	rk_buf_addf(&name, "%s_s_idx", t->table);
	db_quote_ident(db, name.s, &idx);
	rk_buf_reset(&name);
	det_subst(db_pick(db, flyway_ddl), "%K", pk.s, &name);
	det_subst(name.s, "%I", idx.s, &sql);
	rc = det_exec_t(db, t, sql.s, err);
	rk_buf_release(&name);
	rk_buf_release(&idx);
	rk_buf_release(&pk);
	rk_buf_release(&sql);
	return rc;
}

/* installed_by: the role connected on PG (Flyway's default), reckon's
 * actor or "" on SQLite */
static const char *const flyway_by[DB_NKINDS] = {
	[DB_PG] = "COALESCE($6::text, CURRENT_USER::text)",
	[DB_SQLITE] = "COALESCE($6, '')",
};

/* One history row for m; success false is how Flyway records a failed
 * migration on a database without transactional DDL. */
static int
flyway_insert(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, int success, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT, q = RK_BUF_INIT, desc = RK_BUF_INIT,
		      script = RK_BUF_INIT;
	const char *params[6];
	int rc;
	char ms[32];

	description(m->desc, &desc);
	abbreviate(m->name, 1000, 1, &script);
	snprintf(ms, sizeof(ms), "%ld", exec_ms);
	params[0] = *m->version ? m->version : NULL;
	params[1] = desc.s;
	params[2] = script.s;
	params[3] = m->checksum;
	params[4] = ms;
	params[5] = t->actor;
	tracked_qualified(db, t, &q);
	rk_buf_addf(&sql,
		    "INSERT INTO %s (\"installed_rank\", \"version\", "
		    "\"description\", \"type\", \"script\", \"checksum\", "
		    "\"installed_by\", \"execution_time\", \"success\") "
		    "SELECT COALESCE(MAX(\"installed_rank\"), 0) + 1, $1, $2, "
		    "'SQL', $3, CAST($4 AS INTEGER), %s, CAST($5 AS INTEGER), "
		    "%s FROM %s",
		    q.s, db_pick(db, flyway_by),
		    success ? db_dialect(db)->true_lit
			    : db_dialect(db)->false_lit,
		    q.s);
	rc = db_query(db, sql.s, params, 6, NULL, err);
	rk_buf_release(&script);
	rk_buf_release(&desc);
	rk_buf_release(&q);
	rk_buf_release(&sql);
	return rc;
}

static int
flyway_record(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, struct rk_err *err)
{
	return flyway_insert(db, t, m, exec_ms, 1, err);
}

static int
flyway_record_failed(struct db *db, struct tracked *t, const struct mig_file *m,
		     long exec_ms, struct rk_err *err)
{
	return flyway_insert(db, t, m, exec_ms, 0, err);
}

/* The row's key column: version, or description for repeatables. */
static const char *
key_where(const struct applied *row)
{
	return row->version ? "\"version\" = $1"
			    : "\"version\" IS NULL AND \"description\" = $1";
}

/* DELETE the rows of row's migration (and, with only_failed, failed). */
static int
delete_rows(struct db *db, const struct tracked *t, const struct applied *row,
	    int only_failed, struct rk_err *err)
{
	const char *params[1] = { row->id };
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_adds(&sql, "DELETE FROM ");
	tracked_qualified(db, t, &sql);
	rk_buf_addf(&sql, " WHERE %s%s", key_where(row),
		    only_failed ? " AND NOT \"success\"" : "");
	rc = db_query(db, sql.s, params, 1, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

static int
flyway_unrecord(struct db *db, const struct tracked *t,
		const struct applied *row, struct rk_err *err)
{
	return delete_rows(db, t, row, 0, err);
}

/* As Flyway's repair: failed rows go (the file is pending again), an
 * edited file's checksum, description and type are re-recorded. */
static int
flyway_repair(struct db *db, const struct tracked *t, const struct mig_file *m,
	      const struct applied *row, struct rk_err *err)
{
	struct rk_buf desc = RK_BUF_INIT;
	const char *params[3] = { row->id, m->checksum, NULL };
	int rc;

	if (row->failed)
		return delete_rows(db, t, row, 1, err);
	description(m->desc, &desc);
	params[2] = desc.s;
	rc = det_update(db, t,
			"\"checksum\" = CAST($2 AS INTEGER), \"description\" = "
			"$3, \"type\" = 'SQL'",
			key_where(row), params, 3, err);
	rk_buf_release(&desc);
	return rc;
}

/* 'new': V<ver>__<desc>.sql, no undo file */
static void
flyway_new_name(const char *ver, const char *desc, struct rk_buf *up,
		struct rk_buf *down)
{
	(void)down;
	rk_buf_addf(up, "V%s__%s.sql", ver, desc);
}

/* Flyway's configuration file in the directory or the project above. */
static int
flyway_evidence(const char *dir, struct rk_buf *why)
{
	static const char *const conf[] = {
		"flyway.toml",	  "flyway.conf",       "../flyway.toml",
		"../flyway.conf", "../../flyway.toml", "../../flyway.conf",
	};

	for (size_t i = 0; i < sizeof(conf) / sizeof(conf[0]); i++)
		if (det_dir_evidence_file(dir, conf[i], why))
			return 1;
	return 0;
}

const struct detector det_flyway = {
	.name = "flyway",
	.table = "flyway_schema_history",
	.columns = flyway_cols,
	.parse_name = flyway_parse,
	.checksum = flyway_checksum,
	.file_id = flyway_file_id,
	.new_name = flyway_new_name,
	.read = flyway_read,
	.ensure = flyway_ensure,
	.record = flyway_record,
	.record_failed = flyway_record_failed,
	.unrecord = flyway_unrecord,
	.repair = flyway_repair,
	.dir_evidence = flyway_evidence,
};
