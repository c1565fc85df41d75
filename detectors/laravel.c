/*
 * Laravel: migrations(id, migration, batch), one row per applied file. The
 * row stores the file's name without ".php"; every migration of one run
 * shares a batch number, one more than the highest before the run. Files
 * are PHP classes: reckon reconciles and marks them, never runs them.
 *
 * Facts checked in laravel/framework:
 * - src/Illuminate/Database/Migrations/DatabaseMigrationRepository.php:
 *   createRepository (increments id, string migration, integer batch),
 *   getRan ordered by batch then migration, log() inserts (migration,
 *   batch), getNextBatchNumber = max(batch) + 1, delete by migration;
 * - src/Illuminate/Database/Migrations/Migrator.php: files match
 *   *_*.php in the path, the name is the base name without ".php";
 * - src/Illuminate/Database/Migrations/MigrationCreator.php: make:migration
 *   names files date('Y_m_d_His') . '_' . name . '.php';
 * - src/Illuminate/Database/Schema/Grammars/PostgresGrammar.php and
 *   SQLiteGrammar.php: serial / integer primary key autoincrement,
 *   varchar(255) / varchar, not null unless nullable().
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const laravel_cols[] = { "id", "migration", "batch", NULL };

/* <anything>_<anything>.php directly in the directory. */
static int
laravel_parse_name(const char *relpath, struct migname *out)
{
	size_t n = strlen(relpath);

	memset(out, 0, sizeof(*out));
	if (strchr(relpath, '/') || n < 6 ||
	    strcmp(relpath + n - 4, ".php") != 0 ||
	    !memchr(relpath, '_', n - 4) || n - 4 >= sizeof(out->version))
		return -1;
	/* the whole stem orders files as Laravel sorts them, and stays
	 * unique where two files share a timestamp */
	memcpy(out->version, relpath, n - 4);
	memcpy(out->desc, relpath, n - 4);
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

static int
laravel_read(struct db *db, const struct tracked *t, struct applied_set *out,
	     struct rk_err *err)
{
	return det_read_ids(db, t, "migration", DET_VER_ID, NULL,
			    "batch, migration", out, err);
}

/* the table as Laravel creates it on each engine */
static const char *const laravel_ddl[DB_NKINDS] = {
	[DB_PG] = "create table %T (\"id\" serial not null "
		  "primary key, \"migration\" varchar(255) not "
		  "null, \"batch\" integer not null)",
	[DB_SQLITE] = "create table %T (\"id\" integer primary key "
		      "autoincrement not null, \"migration\" "
		      "varchar not null, \"batch\" integer not "
		      "null)",
};

static int
laravel_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	int rc;

	rc = det_exec_ddl(db, t, laravel_ddl, err);
	if (rc == 0)
		t->exists = 1;
	return rc;
}

static int
laravel_record(struct db *db, struct tracked *t, const struct mig_file *m,
	       long exec_ms, struct rk_err *err)
{
	struct rk_buf name = RK_BUF_INIT;
	const char *params[2];
	char batch[32];
	int rc;

	(void)exec_ms;
	if (t->run_batch == 0) {
		if (det_max(db, t, "batch", &t->run_batch, err) < 0)
			return -1;
		t->run_batch++;
	}
	snprintf(batch, sizeof(batch), "%ld", t->run_batch);
	det_stem(m, &name);
	params[0] = name.s;
	params[1] = batch;
	rc = det_insert(db, t, "migration, batch", "$1, CAST($2 AS integer)",
			params, 2, err);
	rk_buf_release(&name);
	return rc;
}

/* A file as make:migration names it, YYYY_MM_DD_HHMMSS_<name>.php: no
 * other framework's shape, and reckon's own format has no .php files. */
static int
laravel_dir_entry(const char *dir, const char *name, unsigned char type)
{
	static const char shape[] = "dddd_dd_dd_dddddd_";
	size_t n = strlen(name), i;
	struct migname mn;

	(void)dir;
	(void)type;
	if (n <= sizeof(shape) - 1 + 4 || laravel_parse_name(name, &mn) < 0)
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)name[i])
				    : name[i] != shape[i])
			return 0;
	return 1;
}

static int
laravel_evidence(const char *dir, struct rk_buf *why)
{
	struct rk_buf first = RK_BUF_INIT;
	size_t n;
	int rc = det_dir_first(dir, laravel_dir_entry, &n, &first);

	if (rc)
		rk_buf_addf(why,
			    "%zu YYYY_MM_DD_HHMMSS_<name>.php file%s as "
			    "make:migration names them (%s)",
			    n, n == 1 ? "" : "s", first.s);
	rk_buf_release(&first);
	return rc;
}

const struct detector det_laravel = {
	.name = "laravel",
	.table = "migrations",
	.columns = laravel_cols,
	.kind_note = "Laravel migrations are PHP",
	.parse_name = laravel_parse_name,
	.file_id = det_id_stem,
	.read = laravel_read,
	.ensure = laravel_ensure,
	.record = laravel_record,
	.id_column = "migration",
	.dir_evidence = laravel_evidence,
};
