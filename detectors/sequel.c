/*
 * Sequel's TimestampMigrator (Ruby): schema_migrations(filename), one row per
 * applied file holding its base name lower-cased. Files are
 * <digits>_<name>.rb, Ruby code: reckon reads and marks them, never runs
 * them. The table shares its name with golang-migrate's, Rails', dbmate's and
 * Ecto's; its one column, filename, tells it apart.
 *
 * Checked against jeremyevans/sequel 5.63 (Debian's ruby-sequel),
 * lib/sequel/extensions/migration.rb: MIGRATION_FILE_PATTERN
 * /\A(\d+)_.+\.rb\z/i; TimestampMigrator#schema_dataset creates the table
 * with `String :filename, primary_key: true` (varchar(255) NOT NULL PRIMARY
 * KEY on both engines, as Sequel itself printed it here); #run inserts
 * f.downcase inside the migration's transaction.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const sequel_cols[] = { "filename", NULL };

/* <digits>_<anything>.rb (the .rb in any case, as the pattern's /i). */
static int
sequel_parse(const char *rel, struct migname *out)
{
	size_t n = strlen(rel);

	memset(out, 0, sizeof(*out));
	if (strchr(rel, '/') || n < 6 || strcasecmp(rel + n - 3, ".rb") != 0 ||
	    det_split_digits(rel, n - 3, "_", DET_SEP_REQUIRED, out) <= 0 ||
	    !*out->desc)
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

/* The row's value: the file's base name, lower-cased (f.downcase). */
static void
sequel_id(const struct mig_file *m, struct rk_buf *out)
{
	for (const char *s = m->name; *s; s++)
		rk_buf_addc(out, (char)tolower((unsigned char)*s));
}

static int
sequel_read(struct db *db, const struct tracked *t, struct applied_set *out,
	    struct rk_err *err)
{
	return det_read_ids(db, t, "filename", DET_VER_DIGITS, NULL, "filename",
			    out, err);
}

static const char *const sequel_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE IF NOT EXISTS %T "
		  "(\"filename\" varchar(255) NOT NULL PRIMARY KEY)",
	[DB_SQLITE] = "CREATE TABLE IF NOT EXISTS %T "
		      "(`filename` varchar(255) NOT NULL PRIMARY KEY)",
};

static int
sequel_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_ddl(db, t, sequel_ddl, err);
}

static int
sequel_record(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, struct rk_err *err)
{
	struct rk_buf id = RK_BUF_INIT;
	const char *params[1];
	int rc;

	(void)exec_ms;
	sequel_id(m, &id);
	params[0] = id.s;
	rc = det_insert(db, t, "filename", "$1", params, 1, err);
	rk_buf_release(&id);
	return rc;
}

const struct detector det_sequel = {
	.name = "sequel",
	.table = "schema_migrations",
	.columns = sequel_cols,
	.kind_note = "Sequel migrations are Ruby",
	.parse_name = sequel_parse,
	.file_id = sequel_id,
	.read = sequel_read,
	.ensure = sequel_ensure,
	.record = sequel_record,
	.id_column = "filename",
};
