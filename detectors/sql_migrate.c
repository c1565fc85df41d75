/*
 * sql-migrate (rubenv/sql-migrate): gorp_migrations(id, applied_at), one
 * row per applied file, id = the file name including ".sql". Every *.sql
 * file of the directory is a migration; files whose names start with
 * digits run first, by that number, the rest by name. Sections are
 * "-- +migrate Up" / "-- +migrate Down" (the core runs the Up one).
 * applied_at is the client's time.Now(): a timestamptz on PostgreSQL, and
 * on SQLite Go's text form "2006-01-02 15:04:05.999999999-07:00" (trailing
 * fraction zeros dropped). No checksum: the open pull request #275 adds a
 * checksum column, which released versions do not have.
 *
 * Checked against rubenv/sql-migrate: migrate.go (MigrationRecord {Id,
 * AppliedAt}, table name gorp_migrations, findMigrations over *.sql,
 * ParseMigration(info.Name()), Migration.Less by numberPrefixRegex
 * `^(\d+).*$`, Insert(&MigrationRecord{Id, time.Now()}), Delete by Id),
 * sqlparse/sqlparse.go (the +migrate markers).
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const sm_cols[] = { "id", "applied_at", NULL };

/* Any top-level *.sql; version = leading digits, or "" when none. */
static int
sm_parse(const char *rel, struct migname *out)
{
	size_t n = strlen(rel);

	memset(out, 0, sizeof(*out));
	/* any .sql name: a leading number, if any, orders it */
	if (strchr(rel, '/') || n < 5 || strcmp(rel + n - 4, ".sql") != 0 ||
	    det_split_digits(rel, n - 4, "_-", DET_SEP_OPTIONAL, out) < 0)
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	return 0;
}

static int
sm_read(struct db *db, const struct tracked *t, struct applied_set *out,
	struct rk_err *err)
{
	return det_read_ids(db, t, "id", DET_VER_NONE, "applied_at",
			    "applied_at, id", out, err);
}

/* the table as sql-migrate creates it on each engine */
static const char *const sm_ddl[DB_NKINDS] = {
	[DB_PG] = "create table if not exists %T (\"id\" "
		  "text not null primary key, "
		  "\"applied_at\" timestamp with time zone)",
	[DB_SQLITE] = "create table if not exists %T (\"id\" "
		      "varchar(255) not null primary key, "
		      "\"applied_at\" datetime)",
};

static int
sm_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_ddl(db, t, sm_ddl, err);
}

/* Go's time.Time text in UTC: fraction without trailing zeros, +00:00. */
static void
go_time_now(char out[48])
{
	struct timeval tv;
	struct tm tm;
	char base[24], frac[16];
	time_t tt;
	int k;

	gettimeofday(&tv, NULL);
	tt = tv.tv_sec;
	gmtime_r(&tt, &tm);
	strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(frac, sizeof(frac), ".%06d", (int)tv.tv_usec % 1000000);
	for (k = 6; k > 0 && frac[k] == '0'; k--)
		frac[k] = '\0';
	if (k == 0)
		frac[0] = '\0';
	snprintf(out, 48, "%s%s+00:00", base, frac);
}

static int
sm_record(struct db *db, struct tracked *t, const struct mig_file *m,
	  long exec_ms, struct rk_err *err)
{
	char at[48];
	const char *params[2] = { m->name, at };

	(void)exec_ms;
	go_time_now(at);
	return det_insert(db, t, "id, applied_at", "$1, $2", params, 2, err);
}

/* "-- +migrate Up" and "-- +migrate Down" */
static const char *const sm_up[] = { "+migrate up", NULL };
static const char *const sm_down[] = { "+migrate down", NULL };
static const struct det_sections sm_sections = {
	.up = sm_up,
	.down = sm_down,
	.new_text = "-- +migrate Up\n-- %s\n\n\n-- +migrate Down\n\n",
};

const struct detector det_sql_migrate = {
	.name = "sql-migrate",
	.table = "gorp_migrations",
	.columns = sm_cols,
	.sections = &sm_sections,
	.parse_name = sm_parse,
	.read = sm_read,
	.ensure = sm_ensure,
	.record = sm_record,
	.id_column = "id",
};
