/*
 * yoyo-migrations: _yoyo_migration(migration_hash, migration_id,
 * applied_at_utc), one row per applied migration, migration_id = the file
 * name without its extension and migration_hash (the key yoyo looks rows
 * up by) = hex SHA-256 of that id, not of the content. Companions:
 * _yoyo_log (one row per apply/rollback/mark/unmark), _yoyo_version (the
 * internal schema version, 2) and yoyo_lock. Migrations are the *.sql and
 * *.py files of the directory (.py is code); *.rollback.sql undoes the
 * migration with the same stem; post-apply* files are hooks, never
 * recorded. Times are naive UTC with microseconds. No checksum.
 *
 * Checked against yoyo-migrations 8.2.0 (Debian python3-yoyo, the source
 * frameworks.md §37 cites: yoyo/migrations.py, yoyo/backends/base.py,
 * yoyo/internalmigrations/v2.py) and a SQLite database yoyo created (its
 * schema dump, found with find_string "applied_at_utc": the four CREATE
 * TABLE texts used below). The source is not on GitHub (sourcehut).
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/crypto.h"
#include "reckon/base/banned.h"

static const char *const yoyo_cols[] = { "migration_hash", "migration_id",
					 "applied_at_utc", NULL };
static const char *const yoyo_comp[] = { "_yoyo_log", "_yoyo_version",
					 "yoyo_lock", NULL };

/* The same declared text on both databases, as yoyo sends it. */
static const char *const yoyo_ddl[] = {
	"CREATE TABLE IF NOT EXISTS %T ( migration_hash VARCHAR(64), "
	"migration_id VARCHAR(255), applied_at_utc TIMESTAMP, PRIMARY KEY "
	"(migration_hash))",
	"CREATE TABLE IF NOT EXISTS %L ( id VARCHAR(36), migration_hash "
	"VARCHAR(64), migration_id VARCHAR(255), operation VARCHAR(10), "
	"username VARCHAR(255), hostname VARCHAR(255), comment VARCHAR(255), "
	"created_at_utc TIMESTAMP, PRIMARY KEY (id))",
	"CREATE TABLE IF NOT EXISTS %V (version INT NOT NULL PRIMARY KEY, "
	"installed_at_utc TIMESTAMP)",
	"CREATE TABLE IF NOT EXISTS %K ( locked INT DEFAULT 1, ctime "
	"TIMESTAMP, pid INT NOT NULL, PRIMARY KEY (locked))",
};

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* version and desc are both the id (the stem): yoyo orders by depends. */
static int
yoyo_parse(const char *rel, struct migname *out)
{
	size_t n = strlen(rel);

	memset(out, 0, sizeof(*out));
	if (strchr(rel, '/') || strncmp(rel, "post-apply", 10) == 0)
		return -1;
	if (ends_with(rel, n, ".rollback.sql")) {
		out->kind = MIG_DOWN;
		n -= 13;
	} else if (ends_with(rel, n, ".sql") || ends_with(rel, n, ".py")) {
		out->code = rel[n - 1] == 'y';
		n -= out->code ? 3 : 4;
	} else {
		return -1;
	}
	if (n == 0 || n >= sizeof(out->version))
		return -1;
	memcpy(out->version, rel, n);
	memcpy(out->desc, rel, n);
	out->conv = CONV_PLAIN;
	return 0;
}

static void
hash_id(const char *id, char out[65])
{
	struct rk_buf hex = RK_BUF_INIT;
	unsigned char md[64];

	det_hex(md, det_digest("sha256", id, strlen(id), md), &hex);
	snprintf(out, 65, "%s", hex.s);
	rk_buf_release(&hex);
}

static int
yoyo_read(struct db *db, const struct tracked *t, struct applied_set *out,
	  struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;

	if (det_select(db, t, "migration_id, applied_at_utc",
		       "applied_at_utc, migration_id", &rows, err) < 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		char at[32];

		applied_add(out, db_rows_get(&rows, i, 0), NULL,
			    det_iso_time(db_rows_get(&rows, i, 1), at), NULL);
	}
	db_rows_release(&rows);
	return 0;
}

/* Run sql with %T = t and %L/%V/%K = yoyo's companion tables. */
static int
yoyo_exec(struct db *db, const struct tracked *t, const char *sql,
	  struct rk_err *err)
{
	struct rk_buf out = RK_BUF_INIT;
	int rc;

	for (const char *p = sql; *p; p++) {
		if (p[0] != '%' || !p[1]) {
			rk_buf_addc(&out, *p);
			continue;
		}
		p++;
		if (*p == 'T')
			tracked_qualified(db, t, &out);
		else
			tracked_sibling(db, t,
					*p == 'L'   ? "_yoyo_log"
					: *p == 'V' ? "_yoyo_version"
						    : "yoyo_lock",
					&out);
	}
	rc = db_exec(db, out.s, err);
	rk_buf_release(&out);
	return rc;
}

static int
yoyo_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	char now[40];
	const char *params[1] = { now };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(yoyo_ddl) / sizeof(*yoyo_ddl);
	     i++)
		rc = yoyo_exec(db, t, yoyo_ddl[i], err);
	if (rc < 0)
		return -1;
	/* yoyo >= 6 records its internal schema version 2 */
	det_now(DET_TIME_SPACE_US, now);
	rk_buf_adds(&sql, "INSERT INTO ");
	tracked_sibling(db, t, "_yoyo_version", &sql);
	rk_buf_adds(&sql, " (version, installed_at_utc) VALUES (2, $1)");
	rc = db_query(db, sql.s, params, 1, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

/* A UUID1 string: 100 ns ticks since 1582-10-15, random clock and node. */
static void
uuid1(char out[37])
{
	unsigned char r[8] = { 0 };
	struct timeval tv;
	unsigned long long ts;

	gettimeofday(&tv, NULL);
	ts = ((unsigned long long)tv.tv_sec * 10000000ULL) +
	     (unsigned long long)tv.tv_usec * 10ULL + 0x01B21DD213814000ULL;
	if (RAND_bytes(r, sizeof(r)) != 1)
		r[0] ^= (unsigned char)getpid();
	snprintf(out, 37,
		 "%08llx-%04llx-1%03llx-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 ts & 0xffffffffULL, (ts >> 32) & 0xffffULL,
		 (ts >> 48) & 0x0fffULL, (r[0] & 0x3f) | 0x80, r[1], r[2] | 1,
		 r[3], r[4], r[5], r[6], r[7]);
}

/* One _yoyo_log row, as yoyo writes beside every change. */
static int
yoyo_log(struct db *db, const struct tracked *t, const char *hash,
	 const char *id, const char *op, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	struct passwd *pw = getpwuid(geteuid());
	char uuid[37], host[256] = "", now[40];
	const char *params[7] = { uuid, hash, id, op, NULL, host, now };
	int rc;

	uuid1(uuid);
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	params[4] = t->actor ? t->actor : pw ? pw->pw_name : "";
	det_now(DET_TIME_SPACE_US, now);
	rk_buf_adds(&sql, "INSERT INTO ");
	tracked_sibling(db, t, "_yoyo_log", &sql);
	rk_buf_adds(&sql, " (id, migration_hash, migration_id, operation, "
			  "username, hostname, comment, created_at_utc) "
			  "VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)");
	rc = db_query(db, sql.s, params, 7, NULL, err);
	rk_buf_release(&sql);
	return rc;
}

static int
yoyo_record(struct db *db, struct tracked *t, const struct mig_file *m,
	    long exec_ms, struct rk_err *err)
{
	struct rk_buf id = RK_BUF_INIT;
	char hash[65], now[40];
	const char *params[3] = { hash, NULL, now };
	int rc;

	(void)exec_ms;
	det_stem(m, &id);
	hash_id(id.s, hash);
	params[1] = id.s;
	det_now(DET_TIME_SPACE_US, now);
	rc = yoyo_log(db, t, hash, id.s, "apply", err);
	if (rc == 0)
		rc = det_insert(db, t,
				"migration_hash, migration_id, applied_at_utc",
				"$1, $2, $3", params, 3, err);
	rk_buf_release(&id);
	return rc;
}

static int
yoyo_unrecord(struct db *db, const struct tracked *t, const struct applied *row,
	      struct rk_err *err)
{
	char hash[65];

	hash_id(row->id, hash);
	if (yoyo_log(db, t, hash, row->id, "unmark", err) < 0)
		return -1;
	return det_delete(db, t, "migration_hash", hash, err);
}

const struct detector det_yoyo = {
	.name = "yoyo",
	.table = "_yoyo_migration",
	.columns = yoyo_cols,
	.companions = yoyo_comp,
	.kind_note = "yoyo .py migrations are Python",
	.parse_name = yoyo_parse,
	.file_id = det_id_stem,
	.read = yoyo_read,
	.ensure = yoyo_ensure,
	.record = yoyo_record,
	.unrecord = yoyo_unrecord,
};
