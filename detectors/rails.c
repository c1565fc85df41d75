/*
 * Rails ActiveRecord: schema_migrations(version), one row per applied
 * migration, the version being the file's leading digits as an integer
 * written back as text ("001_x.rb" is stored as "1"). Rails keeps
 * ar_internal_metadata beside it; that companion is what tells Rails from
 * dbmate, whose table has the same single column, so Rails matches only
 * with it (DET_NEEDS_COMPANION). Migrations are Ruby:
 * reckon reconciles and marks them, never runs them.
 *
 * Facts checked in rails/rails:
 * - activerecord/lib/active_record/migration.rb: MigrationFilenameRegexp
 *   \A([0-9]+)_([_a-z0-9]*)\.?([_a-z0-9]*)?\.rb\z, files globbed
 *   recursively under each migrations path, version.to_i, recorded with
 *   create_version(version.to_s), deleted with delete_version;
 * - activerecord/lib/active_record/schema_migration.rb: create_table with
 *   id: false and a string "version" primary key, Arel INSERT of version;
 * - activerecord/lib/active_record/internal_metadata.rb: ar_internal_metadata
 *   with string "key" primary key, string "value" and timestamps.
 * DDL renderings (varchar without length, timestamp(6) / datetime(6)) are
 * from frameworks.md section 11, confirmed there against ActiveRecord 6.1.
 * ar_internal_metadata's "environment" row is left for Rails to write: it
 * names the Rails environment, which reckon cannot know.
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

static const char *const rails_cols[] = { "version", NULL };
static const char *const rails_companions[] = { "ar_internal_metadata", NULL };

static int
lower_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* <digits>_<name>[.<scope>].rb, at the top or one directory down. */
static int
rails_parse_name(const char *relpath, struct migname *out)
{
	const char *base = strrchr(relpath, '/'), *name, *dot, *end;
	size_t n;
	int digits;

	memset(out, 0, sizeof(*out));
	base = base ? base + 1 : relpath;
	n = strlen(base);
	if (n < 4 || strcmp(base + n - 3, ".rb") != 0)
		return -1;
	end = base + n - 3;
	digits = det_split_digits(base, n - 3, "_", DET_SEP_REQUIRED, out);
	if (digits <= 0)
		return -1;
	name = base + digits + 1;
	dot = memchr(name, '.', (size_t)(end - name));
	if (!lower_word(name, (size_t)((dot ? dot : end) - name)) ||
	    (dot && !lower_word(dot + 1, (size_t)(end - dot - 1))))
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

static int
rails_read(struct db *db, const struct tracked *t, struct applied_set *out,
	   struct rk_err *err)
{
	return det_read_ids(db, t, "version", DET_VER_ID, NULL, "version", out,
			    err);
}

/* Rails' timestamp(6) column type on each engine */
static const char *const rails_ts[DB_NKINDS] = {
	[DB_PG] = "timestamp(6)",
	[DB_SQLITE] = "datetime(6)",
};

static int
rails_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " (\"version\" varchar NOT NULL PRIMARY KEY);\n"
			  "CREATE TABLE IF NOT EXISTS ");
	tracked_sibling(db, t, "ar_internal_metadata", &sql);
	rk_buf_addf(&sql,
		    " (\"key\" varchar NOT NULL PRIMARY KEY, \"value\" varchar,"
		    " \"created_at\" %s NOT NULL, \"updated_at\" %s NOT NULL)",
		    db_pick(db, rails_ts), db_pick(db, rails_ts));
	rc = db_exec(db, sql.s, err);
	rk_buf_release(&sql);
	if (rc == 0)
		t->exists = 1;
	return rc;
}

static int
rails_record(struct db *db, struct tracked *t, const struct mig_file *m,
	     long exec_ms, struct rk_err *err)
{
	struct rk_buf v = RK_BUF_INIT;
	const char *params[1];
	int rc;

	(void)exec_ms;
	det_id_int_version(m, &v);
	params[0] = v.s;
	rc = det_insert(db, t, "version", "$1", params, 1, err);
	rk_buf_release(&v);
	return rc;
}

/* "db:migrate:status": "   up     20240101000001  Create users" */
static void
rails_parse_status(const char *s, size_t n, const char *app, struct rk_buf *out)
{
	(void)app;
	det_words_after(s, n, "up ", out);
}

static const char *const rails_roots[] = { "bin/rails", NULL };
static const char *const rails_up[] = { "db:migrate:up", "VERSION={version}",
					NULL };
static const char *const rails_down[] = { "db:migrate:down",
					  "VERSION={version}", NULL };
static const char *const rails_status[] = { "db:migrate:status", NULL };
static const char *const rails_env[] = { "DATABASE_URL", NULL };
static const struct det_runner rails_runner = {
	.tool = "bin/rails",
	.how = DET_TOOL_PROJECT,
	.roots = rails_roots,
	.up = rails_up,
	.down = rails_down,
	.status = rails_status,
	.url_env = rails_env,
	.sqlite_url = "sqlite3:",
	.parse_status = rails_parse_status,
};

const struct detector det_rails = {
	.name = "rails",
	.table = "schema_migrations",
	.columns = rails_cols,
	.companions = rails_companions,
	.flags = DET_NEEDS_COMPANION,
	.kind_note = "Rails migrations are Ruby",
	.parse_name = rails_parse_name,
	.file_id = det_id_int_version,
	.runner = &rails_runner,
	.read = rails_read,
	.ensure = rails_ensure,
	.record = rails_record,
	.id_column = "version",
};
