/*
 * golang-migrate: schema_migrations(version, dirty) holds one row, the
 * current version; every file up to it is applied (DET_HEAD). dirty = true
 * means the head migration started and never finished, so the head file is
 * failed until "migrate force". Recording replaces the row, as SetVersion
 * does (TRUNCATE/DELETE then INSERT); golang-migrate writes it dirty before
 * the body and clean after, and inside reckon's one transaction only the
 * clean row can ever be seen. Files: <version>_<title>.up.sql / .down.sql,
 * the version an unsigned integer (leading zeros irrelevant). No checksum.
 *
 * Checked against golang-migrate/migrate:
 *   source/parse.go (Regex `^([0-9]+)_(.*)\.(down|up)\.(.*)$`, ParseUint),
 *   database/postgres/postgres.go (ensureVersionTable "version bigint not
 *     null primary key, dirty boolean not null"; SetVersion TRUNCATE then
 *     INSERT (version, dirty); Version reads one row),
 *   database/sqlite3/sqlite3.go ("version uint64,dirty bool" plus the
 *     unique index version_unique; SetVersion DELETE then INSERT).
 */
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const gm_cols[] = { "version", "dirty", NULL };

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* <digits>_<title>.up.sql or .down.sql (title may be empty). */
static int
gm_parse(const char *rel, struct migname *out)
{
	size_t n = strlen(rel);
	int down;

	memset(out, 0, sizeof(*out));
	if (strchr(rel, '/'))
		return -1;
	down = ends_with(rel, n, ".down.sql");
	if (!down && !ends_with(rel, n, ".up.sql"))
		return -1;
	n -= down ? 9 : 7;
	if (det_split_digits(rel, n, "_", DET_SEP_REQUIRED, out) <= 0)
		return -1;
	out->kind = down ? MIG_DOWN : MIG_UP;
	out->conv = CONV_UPDOWN;
	return 0;
}

static int
truthy(const char *v)
{
	return v && (strcmp(v, "t") == 0 || strcmp(v, "1") == 0 ||
		     strcmp(v, "true") == 0);
}

static int
gm_read(struct db *db, const struct tracked *t, struct applied_set *out,
	struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;

	if (det_select(db, t, "version, dirty", "version", &rows, err) < 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *v = db_rows_get(&rows, i, 0);
		struct applied *a = applied_add(out, v, v, NULL, NULL);

		a->failed = truthy(db_rows_get(&rows, i, 1));
	}
	db_rows_release(&rows);
	return 0;
}

/* the table as golang-migrate's drivers create it on each engine, and
 * how SetVersion empties it (TRUNCATE where the engine has it) */
static const char *const gm_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE IF NOT EXISTS %T (version bigint not null "
		  "primary key, dirty boolean not null)",
	[DB_SQLITE] = "CREATE TABLE IF NOT EXISTS %T (version uint64,dirty "
		      "bool); CREATE UNIQUE INDEX IF NOT EXISTS "
		      "version_unique ON %T (version)",
};
static const char *const gm_empty[DB_NKINDS] = {
	[DB_PG] = "TRUNCATE %T",
	[DB_SQLITE] = "DELETE FROM %T",
};

static int
gm_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_ddl(db, t, gm_ddl, err);
}

/* SetVersion(version, clean): empty the table, insert the one row. */
static int
gm_set_version(struct db *db, const struct tracked *t, const char *version,
	       int dirty, struct rk_err *err)
{
	const char *params[1] = { version };

	if (det_exec_ddl(db, t, gm_empty, err) < 0)
		return -1;
	return det_insert(db, t, "version, dirty",
			  dirty ? "$1, %TRUE" : "$1, %FALSE", params, 1, err);
}

/* SetVersion for m's version; dirty is what golang-migrate leaves when a
 * migration fails halfway (its "force" clears it). */
static int
gm_write(struct db *db, struct tracked *t, const struct mig_file *m, int dirty,
	 struct rk_err *err)
{
	struct rk_buf v = RK_BUF_INIT;
	int rc;

	det_id_int_version(m, &v);
	rc = gm_set_version(db, t, v.s, dirty, err);
	rk_buf_release(&v);
	return rc;
}

static int
gm_record(struct db *db, struct tracked *t, const struct mig_file *m,
	  long exec_ms, struct rk_err *err)
{
	(void)exec_ms;
	return gm_write(db, t, m, 0, err);
}

static int
gm_record_failed(struct db *db, struct tracked *t, const struct mig_file *m,
		 long exec_ms, struct rk_err *err)
{
	(void)exec_ms;
	return gm_write(db, t, m, 1, err);
}

/*
 * XXX: golang-migrate's down sets the previous file's version; the row
 * alone does not know it, so unmarking the head empties the table (what
 * golang-migrate does below its first migration). A hook that receives the
 * file list would let this write the previous version.
 */
/* "migrate force <version>": the same version, no longer dirty. */
static int
gm_repair(struct db *db, const struct tracked *t, const struct mig_file *m,
	  const struct applied *row, struct rk_err *err)
{
	(void)m;
	return gm_set_version(db, t, row->id, 0, err);
}

/* 'new': a <ver>_<desc>.up.sql / .down.sql pair */
static void
gm_new_name(const char *ver, const char *desc, struct rk_buf *up,
	    struct rk_buf *down)
{
	rk_buf_addf(up, "%s_%s.up.sql", ver, desc);
	rk_buf_addf(down, "%s_%s.down.sql", ver, desc);
}

const struct detector det_golang_migrate = {
	.name = "golang-migrate",
	.table = "schema_migrations",
	.columns = gm_cols,
	.flags = DET_HEAD,
	.parse_name = gm_parse,
	.file_id = det_id_int_version,
	.new_name = gm_new_name,
	.read = gm_read,
	.ensure = gm_ensure,
	.record = gm_record,
	.record_failed = gm_record_failed,
	.id_column = "version",
	.repair = gm_repair,
};
