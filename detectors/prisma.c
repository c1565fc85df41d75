/*
 * Prisma Migrate's _prisma_migrations: one row per attempt at a migration
 * folder <dir>/<name>/migration.sql, keyed by migration_name (the folder),
 * with the SHA-256 hex of migration.sql. Checked against
 * prisma/prisma-engines:
 * - schema-engine/connectors/sql-schema-connector/src/flavour/sqlite.rs
 *   (and postgres.rs): the DDL; rows read ordered by started_at;
 * - .../src/sql_migration_persistence.rs: a run inserts id (UUID v4),
 *   checksum, started_at, migration_name, then applied_steps_count + 1 and
 *   finished_at; "resolve --applied" inserts logs '' and
 *   started_at = finished_at; "resolve --rolled-back" sets rolled_back_at;
 * - schema-engine/connectors/schema-connector/src/checksum.rs: SHA-256.
 * Failed = finished_at and rolled_back_at both NULL; rolled-back attempts
 * do not count as applied, so they are left out. Times are written by the
 * client: ISO text on PG, integer epoch milliseconds on SQLite (quaint
 * binds date-times as ms there, frameworks.md §5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/crypto.h"
#include "reckon/base/banned.h"

static const char *const prisma_cols[] = {
	"id",	"checksum",	  "finished_at", "migration_name",
	"logs", "rolled_back_at", "started_at",	 "applied_steps_count",
	NULL,
};

/* <name>/migration.sql; version = the name's leading digits. */
static int
prisma_parse(const char *relpath, struct migname *out)
{
	const char *slash = strchr(relpath, '/');

	memset(out, 0, sizeof(*out));
	/* <timestamp>_<name>/migration.sql */
	if (!slash || strcmp(slash + 1, "migration.sql") != 0 ||
	    det_split_digits(relpath, (size_t)(slash - relpath), "_",
			     DET_SEP_OPTIONAL, out) < 0)
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	return 0;
}

static void
prisma_checksum(const char *s, size_t n, struct rk_buf *out)
{
	char hex[65];

	rk_sha256_hex(s, n, hex);
	rk_buf_adds(out, hex);
}

/* The folder name is the migration_name. */
static void
prisma_file_id(const struct mig_file *m, struct rk_buf *out)
{
	const char *slash = strchr(m->name, '/');

	rk_buf_add(out, m->name,
		   slash ? (size_t)(slash - m->name) : strlen(m->name));
}

static int
prisma_read(struct db *db, const struct tracked *t, struct applied_set *out,
	    struct rk_err *err)
{
	struct db_rows r = DB_ROWS_INIT;

	if (det_select(db, t,
		       "migration_name, checksum, finished_at, started_at, "
		       "rolled_back_at, logs",
		       "started_at", &r, err) < 0)
		return -1;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *done = db_rows_get(&r, i, 2);
		struct applied *a;
		char at[32];

		if (db_rows_get(&r, i, 4))
			continue; /* rolled back: not applied */
		a = applied_add(
			out, db_rows_get(&r, i, 0), NULL,
			det_iso_time(done ? done : db_rows_get(&r, i, 3), at),
			db_rows_get(&r, i, 1));
		a->failed = done == NULL;
	}
	db_rows_release(&r);
	return 0;
}

/* the table as Prisma creates it on each engine */
static const char *const prisma_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE %T ("
		  " \"id\" VARCHAR(36) PRIMARY KEY NOT NULL,"
		  " \"checksum\" VARCHAR(64) NOT NULL,"
		  " \"finished_at\" TIMESTAMPTZ,"
		  " \"migration_name\" VARCHAR(255) NOT NULL,"
		  " \"logs\" TEXT,"
		  " \"rolled_back_at\" TIMESTAMPTZ,"
		  " \"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(),"
		  " \"applied_steps_count\" INTEGER NOT NULL DEFAULT 0)",
	[DB_SQLITE] = "CREATE TABLE %T ("
		      " \"id\" TEXT PRIMARY KEY NOT NULL,"
		      " \"checksum\" TEXT NOT NULL,"
		      " \"finished_at\" DATETIME,"
		      " \"migration_name\" TEXT NOT NULL,"
		      " \"logs\" TEXT,"
		      " \"rolled_back_at\" DATETIME,"
		      " \"started_at\" DATETIME NOT NULL DEFAULT "
		      "current_timestamp,"
		      " \"applied_steps_count\" INTEGER UNSIGNED NOT NULL "
		      "DEFAULT 0)",
};

static int
prisma_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_ddl(db, t, prisma_ddl, err);
}

/* A random (version 4) UUID, hyphenated lower-case hex. */
static void
uuid_v4(char out[37])
{
	unsigned char b[16];
	struct rk_buf hex = RK_BUF_INIT;

	if (RAND_bytes(b, sizeof(b)) != 1)
		rk_bug("RAND_bytes failed");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	det_hex(b, sizeof(b), &hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex.s, hex.s + 8,
		 hex.s + 12, hex.s + 16, hex.s + 20);
	rk_buf_release(&hex);
}

/* Prisma's client-side times: ISO text (timestamptz on PG), or epoch
 * milliseconds (SQLite's DATETIME, as Prisma's SQLite driver writes it). */
static const int iso_times[DB_NKINDS] = {
	[DB_PG] = 1,
	[DB_SQLITE] = 0,
};

/* A client time ms before now: ISO text, or epoch ms. */
static void
client_time(int iso, long ago_ms, char out[40])
{
	struct timeval tv;
	long long ms;
	time_t sec;
	struct tm tm;
	char base[24];

	gettimeofday(&tv, NULL);
	ms = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000 - ago_ms;
	if (!iso) {
		snprintf(out, 40, "%lld", ms);
		return;
	}
	sec = (time_t)(ms / 1000);
	gmtime_r(&sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%03dZ", base, (int)(ms % 1000));
}

/* a row as Prisma writes it: times are timestamptz on PG, epoch milliseconds on
 * SQLite */
static const char *const prisma_values[DB_NKINDS] = {
	[DB_PG] = "$1, $2, CAST($3 AS TIMESTAMPTZ), $4, "
		  "CAST($5 AS TIMESTAMPTZ), 1",
	[DB_SQLITE] = "$1, $2, CAST($3 AS INTEGER), $4, "
		      "CAST($5 AS INTEGER), 1",
};

/* As a completed "migrate deploy" leaves it: one step, finished. */
static int
prisma_record(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, struct rk_err *err)
{
	struct rk_buf name = RK_BUF_INIT;
	char id[37], started[40], finished[40];
	const char *params[5];
	int iso = DET_FACT(db, iso_times), rc;

	uuid_v4(id);
	client_time(iso, exec_ms, started);
	client_time(iso, 0, finished);
	prisma_file_id(m, &name);
	params[0] = id;
	params[1] = m->checksum;
	params[2] = finished;
	params[3] = name.s;
	params[4] = started;
	rc = det_insert(db, t,
			"id, checksum, finished_at, migration_name, "
			"started_at, applied_steps_count",
			db_pick(db, prisma_values), params, 5, err);
	rk_buf_release(&name);
	return rc;
}

/* and so does resolving a failed attempt */
static const char *const prisma_rolled_back[DB_NKINDS] = {
	[DB_PG] = "rolled_back_at = CAST($2 AS TIMESTAMPTZ)",
	[DB_SQLITE] = "rolled_back_at = CAST($2 AS INTEGER)",
};

/* A failed attempt is resolved as rolled back (the folder is pending
 * again); an edited file's checksum is re-recorded. */
static int
prisma_repair(struct db *db, const struct tracked *t, const struct mig_file *m,
	      const struct applied *row, struct rk_err *err)
{
	const char *params[2] = { row->id, NULL };
	char now[40];

	if (row->failed) {
		client_time(DET_FACT(db, iso_times), 0, now);
		params[1] = now;
		return det_update(
			db, t, db_pick(db, prisma_rolled_back),
			"migration_name = $1 AND finished_at IS NULL AND "
			"rolled_back_at IS NULL",
			params, 2, err);
	}
	params[1] = m->checksum;
	return det_update(db, t, "checksum = $2",
			  "migration_name = $1 AND rolled_back_at IS NULL",
			  params, 2, err);
}

/* prisma migrate writes migration_lock.toml beside its migrations. */
static int
prisma_evidence(const char *dir, struct rk_buf *why)
{
	return det_dir_evidence_file(dir, "migration_lock.toml", why);
}

const struct detector det_prisma = {
	.name = "prisma",
	.table = "_prisma_migrations",
	.columns = prisma_cols,
	.parse_name = prisma_parse,
	.checksum = prisma_checksum,
	.file_id = prisma_file_id,
	.read = prisma_read,
	.ensure = prisma_ensure,
	.record = prisma_record,
	.id_column = "migration_name",
	.repair = prisma_repair,
	.dir_evidence = prisma_evidence,
};
