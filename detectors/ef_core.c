/*
 * Entity Framework Core: "__EFMigrationsHistory"("MigrationId",
 * "ProductVersion"), one row per applied migration. MigrationId is
 * "<14-digit timestamp>_<Name>", the stem of Migrations/<id>.cs (the
 * <id>.Designer.cs beside it and the <Context>ModelSnapshot.cs are not
 * migrations); ProductVersion is the EF Core runtime's version. reckon
 * cannot know that runtime, so it writes what the newest row says, or,
 * in a fresh table, the version the migration's own Designer.cs was
 * generated with (its "ProductVersion" annotation). Migrations are C#:
 * reckon reconciles and marks them, never runs them.
 *
 * Facts checked in dotnet/efcore:
 * - src/EFCore.Relational/Migrations/HistoryRepository.cs: MigrationId
 *   string(150) key, ProductVersion string(32) required; insert of
 *   (MigrationId, ProductVersion); applied ids read ordered by MigrationId;
 * - test/EFCore.Sqlite.Tests/Migrations/SqliteHistoryRepositoryTest.cs:
 *   the SQLite create script ("MigrationId" TEXT NOT NULL CONSTRAINT
 *   "PK___EFMigrationsHistory" PRIMARY KEY, "ProductVersion" TEXT NOT NULL)
 *   and insert script;
 * and in npgsql/efcore.pg src/EFCore.PG/Migrations/Internal/
 * NpgsqlHistoryRepository.cs: character varying(150) / (32) with
 * CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId").
 */
#include <stdio.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const ef_cols[] = { "MigrationId", "ProductVersion", NULL };

/* <digits>_<Name>.cs with no other dot (<id>.Designer.cs is not a
 * migration), at the top or one directory down. */
static int
ef_parse_name(const char *relpath, struct migname *out)
{
	const char *base = strrchr(relpath, '/');
	size_t n;

	memset(out, 0, sizeof(*out));
	base = base ? base + 1 : relpath;
	n = strlen(base);
	if (n < 4 || strcmp(base + n - 3, ".cs") != 0)
		return -1;
	n -= 3;
	if (det_split_digits(base, n, "_", DET_SEP_REQUIRED, out) <= 0 ||
	    !out->desc[0] || memchr(base, '.', n))
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

static int
ef_read(struct db *db, const struct tracked *t, struct applied_set *out,
	struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	int rc;

	rc = det_select(db, t, "\"MigrationId\"", "\"MigrationId\"", &rows,
			err);
	for (size_t i = 0; rc == 0 && i < rows.nrows; i++) {
		const char *id = db_rows_get(&rows, i, 0);
		char ver[32];
		size_t k = 0;

		while (id && k + 1 < sizeof(ver) && id[k] >= '0' &&
		       id[k] <= '9') {
			ver[k] = id[k];
			k++;
		}
		ver[k] = '\0';
		applied_add(out, id, k ? ver : NULL, NULL, NULL);
	}
	db_rows_release(&rows);
	return rc;
}

/* the table as EF Core creates it on each engine */
static const char *const ef_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE IF NOT EXISTS %T (\"MigrationId\""
		  " character varying(150) NOT NULL, "
		  "\"ProductVersion\" character varying(32) NOT "
		  "NULL, CONSTRAINT \"PK___EFMigrationsHistory\""
		  " PRIMARY KEY (\"MigrationId\"))",
	[DB_SQLITE] = "CREATE TABLE IF NOT EXISTS %T (\"MigrationId\""
		      " TEXT NOT NULL CONSTRAINT "
		      "\"PK___EFMigrationsHistory\" PRIMARY KEY, "
		      "\"ProductVersion\" TEXT NOT NULL)",
};

static int
ef_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	int rc;

	rc = det_exec_ddl(db, t, ef_ddl, err);
	if (rc == 0)
		t->exists = 1;
	return rc;
}

/* The "ProductVersion" annotation in m's <id>.Designer.cs, into out. */
static void
designer_version(const struct mig_file *m, struct rk_buf *out)
{
	struct rk_buf path = RK_BUF_INIT, text = RK_BUF_INIT;
	const char *p, *q;

	rk_buf_add(&path, m->path, strlen(m->path) - 3);
	rk_buf_adds(&path, ".Designer.cs");
	if (rk_buf_read_regular(&text, path.s) == 0 &&
	    (p = strstr(text.s, "\"ProductVersion\"")) &&
	    (p = strchr(p + 16, '"')) && (q = strchr(p + 1, '"')) &&
	    q - p - 1 < 32)
		rk_buf_add(out, p + 1, (size_t)(q - p - 1));
	rk_buf_release(&text);
	rk_buf_release(&path);
}

static int
ef_record(struct db *db, struct tracked *t, const struct mig_file *m,
	  long exec_ms, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_buf id = RK_BUF_INIT, ver = RK_BUF_INIT;
	const char *params[2];
	int rc = -1;

	(void)exec_ms;
	if (det_select(db, t, "\"ProductVersion\"", "\"MigrationId\" DESC",
		       &rows, err) < 0)
		goto out;
	if (rows.nrows && db_rows_get(&rows, 0, 0))
		rk_buf_adds(&ver, db_rows_get(&rows, 0, 0));
	else
		designer_version(m, &ver);
	if (!ver.len) {
		rk_fail(err, RK_INPUT,
			"cannot tell which EF Core version to record for '%s'",
			m->name);
		rk_err_hint(err, "apply it once with 'dotnet ef database "
				 "update' so the table names the EF version");
		goto out;
	}
	det_stem(m, &id);
	params[0] = id.s;
	params[1] = ver.s;
	rc = det_insert(db, t, "\"MigrationId\", \"ProductVersion\"", "$1, $2",
			params, 2, err);
out:
	rk_buf_release(&ver);
	rk_buf_release(&id);
	db_rows_release(&rows);
	return rc;
}

const struct detector det_ef_core = {
	.name = "ef-core",
	.table = "__EFMigrationsHistory",
	.columns = ef_cols,
	.kind_note = "EF Core migrations are C#",
	.parse_name = ef_parse_name,
	.file_id = det_id_stem,
	.read = ef_read,
	.ensure = ef_ensure,
	.record = ef_record,
	.id_column = "\"MigrationId\"",
};
