/*
 * Doctrine Migrations (PHP): doctrine_migration_versions(version,
 * executed_at, execution_time), one row per applied migration. The version
 * is the migration class's fully qualified name, "DoctrineMigrations\
 * Version20240101120000": the namespace comes from the file's own
 * "namespace" statement, so inspect() reads it. Migrations are PHP classes:
 * reckon reconciles and marks them, never runs them.
 *
 * Facts checked in doctrine/migrations:
 * - src/Metadata/Storage/TableMetadataStorage.php: getExpectedTable()
 *   (version string(191) NOT NULL primary key, executed_at datetime NULL,
 *   execution_time integer NULL), complete() inserts (version,
 *   executed_at, execution_time in ms) or deletes by version;
 * - src/Tools/Console/Command/VersionCommand.php: marking a version
 *   ("migrations:version --add", reckon's mark-applied) completes a bare
 *   ExecutionResult, so executed_at and execution_time stay NULL;
 * - src/Version/ExecutionResult.php: executedAt and time default to null;
 * - src/Finder/RecursiveRegexFinder.php: every .php file below the
 *   directory is loaded; generated migrations are Version<YmdHis>.php.
 * PG/SQLite renderings of the DBAL types (TIMESTAMP(0) WITHOUT TIME ZONE,
 * DATETIME) are from frameworks.md section 25.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const doctrine_cols[] = { "version", "executed_at",
					     "execution_time", NULL };

/* Version*.php, at the top or one directory down. */
static int
doctrine_parse_name(const char *relpath, struct migname *out)
{
	const char *base = strrchr(relpath, '/');
	size_t n;

	memset(out, 0, sizeof(*out));
	base = base ? base + 1 : relpath;
	n = strlen(base);
	if (n <= 11 || strncmp(base, "Version", 7) != 0 ||
	    strcmp(base + n - 4, ".php") != 0 || n - 4 >= sizeof(out->version))
		return -1;
	memcpy(out->version, base, n - 4);
	memcpy(out->desc, base + 7, n - 11);
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

static int
ident_char(char c)
{
	return c == '_' || c == '\\' || (c >= '0' && c <= '9') ||
	       (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (unsigned char)c >= 0x80;
}

/* If line s[0..n) starts with word, the name after it (else len 0). */
static size_t
after_word(const char *s, size_t n, const char *word, const char **name)
{
	size_t k = strlen(word), i, len = 0;

	if (n <= k || strncmp(s, word, k) != 0 || (s[k] != ' ' && s[k] != '\t'))
		return 0;
	for (i = k; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	while (i + len < n && ident_char(s[i + len]))
		len++;
	*name = s + i;
	return len;
}

/* The class's FQCN from "namespace X;" and "[final] class Y" lines. */
static void
doctrine_inspect(struct mig_file *f, const char *s, size_t n)
{
	const char *ns = NULL, *cls = NULL, *p = s, *end = s + n;
	struct rk_buf id = RK_BUF_INIT;
	size_t nslen = 0, clslen = 0;

	while (p < end && !clslen) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t ll = e ? (size_t)(e - p) : (size_t)(end - p);

		while (ll && (*p == ' ' || *p == '\t')) {
			p++;
			ll--;
		}
		if (!nslen)
			nslen = after_word(p, ll, "namespace", &ns);
		clslen = after_word(p, ll, "class", &cls);
		if (!clslen)
			clslen = after_word(p, ll, "final class", &cls);
		p += ll + 1;
	}
	if (!clslen)
		return;
	if (nslen) {
		rk_buf_add(&id, ns, nslen);
		rk_buf_addc(&id, '\\');
	}
	rk_buf_add(&id, cls, clslen);
	free(f->id);
	f->id = rk_buf_detach(&id, NULL);
}

static void
doctrine_file_id(const struct mig_file *m, struct rk_buf *out)
{
	if (m->id)
		rk_buf_adds(out, m->id);
	else
		det_stem(m, out);
}

static int
doctrine_read(struct db *db, const struct tracked *t, struct applied_set *out,
	      struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	char iso[32];
	int rc;

	rc = det_select(db, t, "version, executed_at, execution_time",
			"version", &rows, err);
	for (size_t i = 0; rc == 0 && i < rows.nrows; i++) {
		const char *ms = db_rows_get(&rows, i, 2);
		struct applied *a = applied_add(
			out, db_rows_get(&rows, i, 0), NULL,
			det_iso_time(db_rows_get(&rows, i, 1), iso), NULL);

		a->exec_ms = ms ? strtol(ms, NULL, 10) : -1;
	}
	db_rows_release(&rows);
	return rc;
}

/* the table as Doctrine creates it on each engine */
static const char *const doctrine_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE %T (version VARCHAR(191) NOT "
		  "NULL, executed_at TIMESTAMP(0) WITHOUT TIME "
		  "ZONE DEFAULT NULL, execution_time INT "
		  "DEFAULT NULL, PRIMARY KEY(version))",
	[DB_SQLITE] = "CREATE TABLE %T (version VARCHAR(191) NOT "
		      "NULL, executed_at DATETIME DEFAULT NULL, "
		      "execution_time INTEGER DEFAULT NULL, "
		      "PRIMARY KEY(version))",
};

static int
doctrine_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	int rc;

	rc = det_exec_ddl(db, t, doctrine_ddl, err);
	if (rc == 0)
		t->exists = 1;
	return rc;
}

/* As "migrations:version --add" does: the version alone. */
static int
doctrine_record(struct db *db, struct tracked *t, const struct mig_file *m,
		long exec_ms, struct rk_err *err)
{
	struct rk_buf v = RK_BUF_INIT;
	const char *params[1];
	int rc;

	(void)exec_ms;
	doctrine_file_id(m, &v);
	params[0] = v.s;
	rc = det_insert(db, t, "version", "$1", params, 1, err);
	rk_buf_release(&v);
	return rc;
}

const struct detector det_doctrine = {
	.name = "doctrine",
	.table = "doctrine_migration_versions",
	.columns = doctrine_cols,
	.kind_note = "Doctrine migrations are PHP",
	.parse_name = doctrine_parse_name,
	.inspect = doctrine_inspect,
	.file_id = doctrine_file_id,
	.read = doctrine_read,
	.ensure = doctrine_ensure,
	.record = doctrine_record,
	.id_column = "version",
};
