/*
 * Atlas's atlas_schema_revisions (in the schema of that name on PG): one
 * row per version, its hash the file's entry in atlas.sum, a running
 * SHA-256 over every file's name and bytes in name order (base64), so an
 * edit to one file changes the hash of every later one. Checked against
 * ariga/atlas:
 * - cmd/atlas/internal/migrate/ent/schema/revision.go: the columns, type
 *   bits (1 baseline, 2 executed, 4 resolved), applied/total, error;
 * - sql/migrate/dir.go: files <version>_<description>.sql in name order,
 *   NewHashFile (name then bytes into one SHA-256, "atlas:sum ignore"
 *   files feed only their name and get no entry);
 * - cmd/atlas/internal/migrate/migrate.go: the ".atlas_cloud_identifier"
 *   row is not a revision.
 * Read-only (DET_NO_WRITE): a row Atlas trusts needs total = the number of
 * statements as Atlas's own lexer splits the file (a different count makes
 * Atlas resume a "partial" file and re-run statements), Atlas's CLI
 * version string and the atlas.sum entry; reckon cannot promise the first.
 * A row whose hash equals the one the current files give is stored with
 * the file's SHA-256, so it compares equal; any other keeps its base64.
 * That needs the migrations directory (tracked.dir); without it no hash
 * is compared.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/crypto.h"
#include "reckon/base/banned.h"

static const char *const atlas_cols[] = {
	"version",	  "description",      "type",  "applied",    "total",
	"executed_at",	  "execution_time",   "error", "error_stmt", "hash",
	"partial_hashes", "operator_version", NULL,
};

static int
atlas_parse(const char *relpath, struct migname *out)
{
	size_t n = strlen(relpath), v;

	memset(out, 0, sizeof(*out));
	if (strchr(relpath, '/') || n <= 4 || relpath[0] == '.' ||
	    strcmp(relpath + n - 4, ".sql") != 0)
		return -1;
	n -= 4;
	v = strcspn(relpath, "_");
	if (v > n)
		v = n;
	if (v == 0 || v >= sizeof(out->version) || n - v >= sizeof(out->desc))
		return -1;
	memcpy(out->version, relpath, v);
	if (v < n)
		memcpy(out->desc, relpath + v + 1, n - v - 1);
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	return 0;
}

/* "-- atlas:sum ignore" among the comment lines heading the file. */
static int
sum_ignored(const char *s)
{
	while (strncmp(s, "--", 2) == 0) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if (len >= 19 && strncmp(s, "-- atlas:sum ignore", 19) == 0)
			return 1;
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each file's atlas.sum entry ("<version>\t<base64>\t<sha256 hex>\n"
 * lines in out), from the files in dir as they are now. */
static void
dir_sums(const char *dir, struct rk_buf *out)
{
	struct rk_buf path = RK_BUF_INIT, text = RK_BUF_INIT;
	EVP_MD_CTX *h = EVP_MD_CTX_new(), *tmp = EVP_MD_CTX_new();
	char **names = NULL, hex[65];
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d || !h || !tmp || !EVP_DigestInit_ex(h, EVP_sha256(), NULL))
		goto out;
	while ((de = readdir(d)) != NULL) {
		struct migname mn;

		if (atlas_parse(de->d_name, &mn) == 0) {
			rk_grow((void **)&names, &cap, n + 1, sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		unsigned char md[32], b64[48];
		struct rk_err ignored = RK_ERR_INIT;
		struct migname mn;

		rk_buf_reset(&path);
		rk_buf_addf(&path, "%s/%s", dir, names[i]);
		if (mig_read(path.s, names[i], &text, &ignored) < 0)
			break;
		EVP_DigestUpdate(h, names[i], strlen(names[i]));
		if (sum_ignored(text.s))
			continue;
		EVP_DigestUpdate(h, text.s, text.len);
		EVP_MD_CTX_copy_ex(tmp, h);
		EVP_DigestFinal_ex(tmp, md, NULL);
		EVP_EncodeBlock(b64, md, 32);
		rk_sha256_hex(text.s, text.len, hex);
		(void)atlas_parse(names[i], &mn);
		rk_buf_addf(out, "%s\t%s\t%s\n", mn.version, b64, hex);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	EVP_MD_CTX_free(tmp);
	EVP_MD_CTX_free(h);
	rk_buf_release(&text);
	rk_buf_release(&path);
}

/* What to store for a row: the file's SHA-256 if its hash is current. */
static const char *
stored(const char *sums, const char *version, const char *hash, char hex[65])
{
	size_t vl = strlen(version), hl = hash ? strlen(hash) : 0;

	for (const char *l = sums; hash && *l; l = strchr(l, '\n') + 1)
		if (!strncmp(l, version, vl) && l[vl] == '\t' &&
		    !strncmp(l + vl + 1, hash, hl) && l[vl + 1 + hl] == '\t') {
			memcpy(hex, l + vl + hl + 2, 64);
			hex[64] = '\0';
			return hex;
		}
	return hash;
}

static int
atlas_read(struct db *db, const struct tracked *t, struct applied_set *out,
	   struct rk_err *err)
{
	struct db_rows r = DB_ROWS_INIT;
	struct rk_buf sums = RK_BUF_INIT;

	if (det_select(db, t,
		       "version, executed_at, hash, applied, total, error, "
		       "execution_time",
		       "version", &r, err) < 0)
		return -1;
	if (t->dir)
		dir_sums(t->dir, &sums);
	for (size_t i = 0; i < r.nrows; i++) {
		const char *v = db_rows_get(&r, i, 0);
		const char *ns = db_rows_get(&r, i, 6);
		const char *done = db_rows_get(&r, i, 3);
		const char *total = db_rows_get(&r, i, 4);
		char at[32], hex[65];
		struct applied *a;

		if (!v || strcmp(v, ".atlas_cloud_identifier") == 0)
			continue;
		a = applied_add(
			out, v, v, det_iso_time(db_rows_get(&r, i, 1), at),
			t->dir ? stored(sums.s, v, db_rows_get(&r, i, 2), hex)
			       : NULL);
		a->exec_ms = ns ? (long)(strtoll(ns, NULL, 10) / 1000000) : -1;
		a->failed = db_rows_get(&r, i, 5) != NULL ||
			    (done && total && strcmp(done, total) != 0);
	}
	rk_buf_release(&sums);
	db_rows_release(&r);
	return 0;
}

const struct detector det_atlas = {
	.name = "atlas",
	.table = "atlas_schema_revisions",
	.schema = "atlas_schema_revisions",
	.columns = atlas_cols,
	.flags = DET_NO_WRITE,
	.parse_name = atlas_parse,
	.file_id = det_id_version,
	.read = atlas_read,
};
