/*
 * Ecto (ecto_sql; SQLite through ecto_sqlite3): schema_migrations(version,
 * inserted_at), one row per applied migration. The version is the file's
 * leading integer; inserted_at is the UTC time truncated to seconds, a
 * naive datetime (PG timestamp(0), SQLite ISO 8601 text without a zone).
 * The inserted_at column is what tells Ecto's table from the other
 * schema_migrations tables (Rails, dbmate, golang-migrate). Migrations are
 * Elixir: reckon reconciles and marks them, never runs them.
 *
 * Facts checked:
 * - elixir-ecto/ecto_sql lib/ecto/migration/schema_migration.ex: table
 *   created with create_if_not_exists, version :bigint primary key,
 *   inserted_at :naive_datetime (timestamps updated_at: false); up()
 *   inserts %SchemaMigration{version: v}, down() deletes by version;
 * - elixir-ecto/ecto_sql lib/ecto/migrator.ex: files "**" / "*.exs" under
 *   the migrations path, Integer.parse(rootname) followed by "_" <> name;
 * - elixir-sqlite/ecto_sqlite3 lib/ecto/adapters/sqlite3/data_type.ex:
 *   bigint -> INTEGER, naive_datetime -> TEXT; codec.ex: naive datetimes
 *   encoded with NaiveDateTime.to_iso8601 by default.
 */
#include <stdio.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const ecto_cols[] = { "version", "inserted_at", NULL };

/* <digits>_<name>.exs, at the top or one directory down. */
static int
ecto_parse_name(const char *relpath, struct migname *out)
{
	const char *base = strrchr(relpath, '/');
	size_t n;

	memset(out, 0, sizeof(*out));
	base = base ? base + 1 : relpath;
	n = strlen(base);
	if (n < 5 || strcmp(base + n - 4, ".exs") != 0 ||
	    det_split_digits(base, n - 4, "_", DET_SEP_REQUIRED, out) <= 0)
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

static int
ecto_read(struct db *db, const struct tracked *t, struct applied_set *out,
	  struct rk_err *err)
{
	return det_read_ids(db, t, "version", DET_VER_ID, "inserted_at",
			    "version", out, err);
}

/* the table as Ecto creates it on each engine */
static const char *const ecto_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE IF NOT EXISTS %T (\"version\" "
		  "bigint, \"inserted_at\" timestamp(0), "
		  "PRIMARY KEY (\"version\"))",
	[DB_SQLITE] = "CREATE TABLE IF NOT EXISTS %T (\"version\" "
		      "INTEGER PRIMARY KEY, \"inserted_at\" TEXT)",
};

static int
ecto_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	int rc;

	rc = det_exec_ddl(db, t, ecto_ddl, err);
	if (rc == 0)
		t->exists = 1;
	return rc;
}

/* a row as Ecto writes it: the engine's casts, and its NaiveDateTime
 * text ("2025-01-10 12:00:00" on PG, ISO "2025-01-10T12:00:00" in SQLite) */
static const char *const ecto_time_sep[DB_NKINDS] = {
	[DB_PG] = " ",
	[DB_SQLITE] = "T",
};
static const char *const ecto_values[DB_NKINDS] = {
	[DB_PG] = "CAST($1 AS bigint), CAST($2 AS timestamp)",
	[DB_SQLITE] = "CAST($1 AS integer), $2",
};

static int
ecto_record(struct db *db, struct tracked *t, const struct mig_file *m,
	    long exec_ms, struct rk_err *err)
{
	struct rk_buf v = RK_BUF_INIT;
	const char *params[2];
	char now[40];
	int rc;

	(void)exec_ms;
	det_id_int_version(m, &v);
	det_now(DET_TIME_SPACE, now);
	/* NaiveDateTime.to_iso8601 on SQLite; PG takes either form */
	now[10] = *db_pick(db, ecto_time_sep);
	params[0] = v.s;
	params[1] = now;
	rc = det_insert(db, t, "version, inserted_at", db_pick(db, ecto_values),
			params, 2, err);
	rk_buf_release(&v);
	return rc;
}

const struct detector det_ecto = {
	.name = "ecto",
	.table = "schema_migrations",
	.columns = ecto_cols,
	.kind_note = "Ecto migrations are Elixir",
	.parse_name = ecto_parse_name,
	.file_id = det_id_int_version,
	.read = ecto_read,
	.ensure = ecto_ensure,
	.record = ecto_record,
	.id_column = "version",
};
