/*
 * Diesel: __diesel_schema_migrations(version, run_on), one row per applied
 * migration directory. A migration is a directory <version>_<name>/ with
 * up.sql (and down.sql, optional metadata.toml); the stored version is the
 * directory name up to its first '_' with every '-' removed, so
 * 2024-01-01-120000_create_users is stored as 20240101120000 (and Diesel's
 * own 00000000000000_diesel_initial_setup as 00000000000000). run_on comes
 * from the column default. No checksum, no failure marker.
 *
 * Checked against diesel-rs/diesel:
 *   diesel/src/migration/setup_migration_table.sql (the DDL, both
 *     databases),
 *   diesel_migrations/migrations_internals/src/lib.rs (version_from_string:
 *     split at '_', remove '-'; valid_sql_migration_directory: has up.sql),
 *   diesel_migrations/src/migration_harness.rs (insert of version only).
 */
#include <dirent.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const diesel_cols[] = { "version", "run_on", NULL };

/* "<dir>/up.sql" (MIG_UP) or "<dir>/down.sql" (MIG_DOWN). */
static int
diesel_parse(const char *rel, struct migname *out)
{
	const char *slash = strchr(rel, '/'), *us;
	size_t dlen, w = 0;

	memset(out, 0, sizeof(*out));
	if (!slash || slash == rel || strchr(slash + 1, '/'))
		return -1;
	if (strcmp(slash + 1, "up.sql") == 0)
		out->kind = MIG_UP;
	else if (strcmp(slash + 1, "down.sql") == 0)
		out->kind = MIG_DOWN;
	else
		return -1;
	dlen = (size_t)(slash - rel);
	us = memchr(rel, '_', dlen);
	for (const char *p = rel; p < (us ? us : slash); p++) {
		if (*p == '-')
			continue;
		if (w + 1 >= sizeof(out->version))
			return -1;
		out->version[w++] = *p;
	}
	if (w == 0 || (us && (size_t)(slash - us - 1) >= sizeof(out->desc)))
		return -1;
	if (us)
		memcpy(out->desc, us + 1, (size_t)(slash - us - 1));
	out->conv = CONV_PLAIN;
	return 0;
}

static int
diesel_read(struct db *db, const struct tracked *t, struct applied_set *out,
	    struct rk_err *err)
{
	return det_read_ids(db, t, "version", DET_VER_ID, "run_on",
			    "run_on, version", out, err);
}

static int
diesel_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_t(db, t,
			  "CREATE TABLE IF NOT EXISTS %T (\n"
			  "       version VARCHAR(50) PRIMARY KEY NOT NULL,\n"
			  "       run_on TIMESTAMP NOT NULL DEFAULT "
			  "CURRENT_TIMESTAMP\n)",
			  err);
}

static int
diesel_record(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, struct rk_err *err)
{
	const char *params[1] = { m->version };

	(void)exec_ms;
	return det_insert(db, t, "version", "$1", params, 1, err);
}

/* An entry <version>_<name>/ holding up.sql (a regular file holds
 * nothing: no stat needed to say so). */
static int
diesel_dir_entry(const char *dir, const char *name, unsigned char type)
{
	struct rk_buf rel = RK_BUF_INIT;
	struct migname mn;
	int ok;

	if (type == DT_REG)
		return 0;
	rk_buf_addf(&rel, "%s/up.sql", name);
	ok = diesel_parse(rel.s, &mn) == 0 && *mn.desc &&
	     det_dir_has(dir, rel.s);
	rk_buf_release(&rel);
	return ok;
}

static int
diesel_evidence(const char *dir, struct rk_buf *why)
{
	struct rk_buf first = RK_BUF_INIT;
	size_t n;
	int rc = det_dir_first(dir, diesel_dir_entry, &n, &first);

	if (rc)
		rk_buf_addf(why, "%zu <version>_<name>/up.sql director%s (%s)",
			    n, n == 1 ? "y" : "ies", first.s);
	rk_buf_release(&first);
	return rc;
}

/* 'new': <YYYY-MM-DD-HHMMSS>_<desc>/up.sql and down.sql, the name form
 * diesel migration generate writes, from a 14-digit version. */
static void
diesel_new_name(const char *ver, const char *desc, struct rk_buf *up,
		struct rk_buf *down)
{
	struct rk_buf dir = RK_BUF_INIT;

	if (strlen(ver) == 14)
		rk_buf_addf(&dir, "%.4s-%.2s-%.2s-%.6s_%s", ver, ver + 4,
			    ver + 6, ver + 8, desc);
	else
		rk_buf_addf(&dir, "%s_%s", ver, desc);
	rk_buf_addf(up, "%s/up.sql", dir.s);
	rk_buf_addf(down, "%s/down.sql", dir.s);
	rk_buf_release(&dir);
}

const struct detector det_diesel = {
	.name = "diesel",
	.table = "__diesel_schema_migrations",
	.columns = diesel_cols,
	.parse_name = diesel_parse,
	.file_id = det_id_version,
	.read = diesel_read,
	.ensure = diesel_ensure,
	.record = diesel_record,
	.id_column = "version",
	.dir_evidence = diesel_evidence,
	.new_name = diesel_new_name,
};
