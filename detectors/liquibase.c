/*
 * Liquibase's databasechangelog: one row per change set, identified by
 * (id, author, filename), with an MD5SUM of the change set. A changelog
 * file holds many change sets, reckon's files are one migration each, so
 * this detector maps a changelog file to the rows whose FILENAME has the
 * same base name, and compares the file's change-set checksums (in file
 * order, comma-joined) with the rows' MD5SUMs (in ORDEREXECUTED order): an
 * edited change set, or one added and not yet run, shows as modified.
 * Checked against liquibase/liquibase (liquibase-standard/src/main/java/):
 * - liquibase/change/AbstractSQLChange.java: the v9 change checksum is the
 *   MD5 of the SQL's bytes with every space, tab, CR and LF removed;
 * - liquibase/changelog/ChangeSet.java: the change-set checksum is the MD5
 *   of "<change checksum>:" per change, stored as "9:<hex>";
 * - liquibase/parser/AbstractFormattedChangeLogParser.java: formatted SQL
 *   ("--liquibase formatted sql", "--changeset author:id"; --comment,
 *   --rollback, --validCheckSum and --precondition lines are not SQL);
 * - liquibase/sqlgenerator/core/CreateDatabaseChangeLogTableGenerator.java
 *   via frameworks.md §16: the columns and the lock table beside them.
 * Read-only (DET_NO_WRITE): one reckon file is many Liquibase change sets,
 * each needing its own row (id, author, ORDEREXECUTED, DEPLOYMENT_ID, the
 * Liquibase version); the core records one row per file. Not handled:
 * ${property} substitution, checksums older than v9 (not compared), XML,
 * YAML and JSON changelogs (listed as code: reconciled, never run), and
 * SQLite, where Liquibase creates DATABASECHANGELOG in upper case.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/base/arena.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/crypto.h"
#include "reckon/base/banned.h"

static const char *const lb_cols[] = {
	"id",	    "author", "filename", "dateexecuted", "orderexecuted",
	"exectype", NULL,
};
static const char *const lb_opt[] = {
	"md5sum",   "description", "comments",	    "tag", "liquibase",
	"contexts", "labels",	   "deployment_id", NULL,
};
static const char *const lb_companions[] = { "databasechangeloglock", NULL };

static int
lb_parse(const char *relpath, struct migname *out)
{
	static const char *const code[] = { ".xml", ".yaml", ".yml", ".json" };
	const char *ext = strrchr(relpath, '.');
	const char *slash = strrchr(relpath, '/');

	memset(out, 0, sizeof(*out));
	if (!ext || (slash && ext < slash) ||
	    strlen(relpath) >= sizeof(out->desc))
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	memcpy(out->desc, relpath, (size_t)(ext - relpath));
	if (strcmp(ext, ".sql") == 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(code); i++)
		out->code |= strcmp(ext, code[i]) == 0;
	return out->code ? 0 : -1;
}

/* "--" then optional blanks then word (case-insensitive). */
static int
directive(const char *line, size_t len, const char *word)
{
	size_t i = 0, k = strlen(word);

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < 2 || line[i] != '-' || line[i + 1] != '-')
		return 0;
	i += 2;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return len - i >= k && strncasecmp(line + i, word, k) == 0;
}

/* Close a change set: "9:" + MD5 of "9:<MD5 of the body>:". */
static void
end_set(EVP_MD_CTX *body, struct rk_buf *out)
{
	unsigned char md[16];
	struct rk_buf s = RK_BUF_INIT;

	EVP_DigestFinal_ex(body, md, NULL);
	rk_buf_adds(&s, "9:");
	det_hex(md, 16, &s);
	rk_buf_addc(&s, ':');
	if (out->len)
		rk_buf_addc(out, ',');
	rk_buf_adds(out, "9:");
	det_hex(md, det_digest("md5", s.s, s.len, md), out);
	rk_buf_release(&s);
}

/* The line ends a block comment. */
static int
closes(const char *l, size_t len)
{
	for (size_t k = 0; k + 1 < len; k++)
		if (l[k] == '*' && l[k + 1] == '/')
			return 1;
	return 0;
}

static int
skipped(const char *l, size_t len)
{
	return directive(l, len, "rollback ") || directive(l, len, "comment") ||
	       directive(l, len, "validCheckSum") ||
	       directive(l, len, "precondition");
}

/* The change sets' v9 checksums of a formatted SQL changelog, else "". */
static void
lb_checksum(const char *s, size_t n, struct rk_buf *out)
{
	EVP_MD_CTX *body = EVP_MD_CTX_new();
	int open = 0, rollback = 0, first = 1;

	for (size_t i = 0; i < n && body;) {
		const char *l = s + i, *e = memchr(l, '\n', n - i);
		size_t len = e ? (size_t)(e - l) : n - i;

		i += len + 1;
		if (first && !directive(l, len, "liquibase formatted"))
			break;
		first = 0;
		if (directive(l, len, "changeset")) {
			if (open)
				end_set(body, out);
			open = EVP_DigestInit_ex(body, EVP_md5(), NULL);
		} else if (rollback ||
			   (len >= 21 &&
			    !strncasecmp(l, "/* liquibase rollback", 21))) {
			rollback = !closes(l, len);
		} else if (open && !skipped(l, len)) {
			for (size_t k = 0; k < len; k++)
				if (!strchr(" \t\r\n", l[k]))
					EVP_DigestUpdate(body, l + k, 1);
		}
	}
	if (open)
		end_set(body, out);
	EVP_MD_CTX_free(body);
}

/* No change sets (not formatted SQL, or code): nothing to compare. */
static void
lb_inspect(struct mig_file *f, const char *s, size_t n)
{
	(void)s, (void)n;
	if (f->checksum && !*f->checksum) {
		free(f->checksum);
		f->checksum = NULL;
	}
}

static void
base_name(const char *path, struct rk_buf *out)
{
	const char *b = strrchr(path, '/');

	rk_buf_adds(out, b ? b + 1 : path);
}

static void
lb_file_id(const struct mig_file *m, struct rk_buf *out)
{
	base_name(m->name, out);
}

/* Add row i's change set to the entry of its file (one per base name). */
static void
add_row(struct applied_set *out, const struct db_rows *r, size_t i)
{
	struct rk_buf id = RK_BUF_INIT;
	const char *sum = db_rows_get(r, i, 2), *type = db_rows_get(r, i, 3);
	struct applied *a = NULL;
	char at[32];

	base_name(db_rows_get(r, i, 0) ? db_rows_get(r, i, 0) : "", &id);
	for (size_t k = 0; k < out->n && !a; k++)
		if (strcmp(out->v[k].id, id.s) == 0)
			a = &out->v[k];
	if (!a) {
		a = applied_add(out, id.s, NULL,
				det_iso_time(db_rows_get(r, i, 1), at), "");
	}
	if (a->stored_hash && sum && strncmp(sum, "9:", 2) == 0) {
		size_t len = strlen(a->stored_hash), sl = strlen(sum);
		char *joined = rk_arena_alloc(&out->strings, len + sl + 2);

		memcpy(joined, a->stored_hash, len);
		if (len)
			joined[len++] = ',';
		memcpy(joined + len, sum, sl + 1);
		a->stored_hash = joined;
	} else {
		a->stored_hash = NULL; /* an older or cleared checksum */
	}
	a->failed |= type && strcmp(type, "FAILED") == 0;
	rk_buf_release(&id);
}

static int
lb_read(struct db *db, const struct tracked *t, struct applied_set *out,
	struct rk_err *err)
{
	struct db_rows r = DB_ROWS_INIT;

	if (det_select(db, t, "filename, dateexecuted, md5sum, exectype",
		       "dateexecuted, orderexecuted", &r, err) < 0)
		return -1;
	for (size_t i = 0; i < r.nrows; i++)
		add_row(out, &r, i);
	db_rows_release(&r);
	return 0;
}

const struct detector det_liquibase = {
	.name = "liquibase",
	.table = "databasechangelog",
	.columns = lb_cols,
	.optional = lb_opt,
	.companions = lb_companions,
	.flags = DET_NO_WRITE,
	.kind_note = "Liquibase XML, YAML and JSON changelogs are not SQL",
	.parse_name = lb_parse,
	.inspect = lb_inspect,
	.checksum = lb_checksum,
	.file_id = lb_file_id,
	.read = lb_read,
};
