/*
 * Alembic (SQLAlchemy): alembic_version(version_num), one row per current
 * head, usually exactly one. A revision script names itself and its parents
 * inside the file (revision = "...", down_revision = None, "..." or a tuple
 * for a merge), which inspect() reads into f->id and f->parent ("a,b");
 * the core then orders files by graph depth and counts every ancestor of a
 * head as applied (DET_HEAD). Several rows are several heads ("multiple
 * heads"), each expanded on its own. Recording moves heads the way
 * "alembic stamp <rev>" does: every recorded head that is an ancestor of
 * the revision gives way to it (one UPDATEd, the others deleted); with
 * none, the revision is INSERTed as a new head.
 * A new head is refused while a recorded head has no file: what lies
 * under that head is unknown, and the new one may be an ancestor of it.
 * Unrecording a head steps it back to its parent(s), as a one-step
 * downgrade does. Revisions are Python: reckon reconciles and marks them
 * (as "alembic stamp" does), never runs them.
 *
 * Facts checked in sqlalchemy/alembic:
 * - alembic/script/base.py: ScriptDirectory._stamp_revs (heads in the
 *   target's lineage are replaced by it, else a new branch); Script.doc;
 * - alembic/runtime/migration.py: HeadMaintainer._insert_version,
 *   _delete_version, _update_version (UPDATE ... SET version_num = new
 *   WHERE version_num = old), update_to_step; RevisionStep
 *   should_create_branch (no parent is a head: insert),
 *   should_merge_branches / merge_branch_idents (delete all but the last
 *   parent head, update it), update_version_num, unmerge_branch_idents;
 *   get_current_heads selects every version_num;
 * - alembic/script/base.py: every "*.py" in a versions directory except
 *   "__init__" and ".#" editor files is a revision script;
 * - alembic/ddl/impl.py: version_table_impl, version_num String(32) NOT
 *   NULL with PrimaryKeyConstraint named "<table>_pkc".
 */
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/detectors/revgraph.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

extern const struct detector det_alembic;

static const char *const alembic_cols[] = { "version_num", NULL };

/* Every <name>.py directly in the versions directory. */
static int
alembic_parse_name(const char *relpath, struct migname *out)
{
	size_t n = strlen(relpath);

	memset(out, 0, sizeof(*out));
	if (strchr(relpath, '/') || n < 4 || strcmp(relpath + n - 3, ".py") ||
	    strncmp(relpath, "__init__", 8) == 0 ||
	    strncmp(relpath, ".#", 2) == 0 || n - 3 >= sizeof(out->version))
		return -1;
	/* the graph orders revisions; the stem only keeps them apart */
	memcpy(out->version, relpath, n - 3);
	memcpy(out->desc, relpath, n - 3);
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

/* A Python string literal at s[*i] (prefix letters allowed) into out. */
static int
py_string(const char *s, size_t n, size_t *i, struct rk_buf *out)
{
	size_t k = *i;
	char q;

	while (k < n && strchr("rRuUbB", s[k]) && k - *i < 2)
		k++;
	if (k >= n || (s[k] != '\'' && s[k] != '"'))
		return -1;
	q = s[k++];
	while (k < n && s[k] != q && s[k] != '\n')
		rk_buf_addc(out, s[k++]);
	if (k >= n || s[k] != q)
		return -1;
	*i = k + 1;
	return 0;
}

/* The value after "name =" at s[i]: a string, None, or a tuple/list of
 * strings joined by ","; NULL for None or anything else. */
static char *
py_value(const char *s, size_t n, size_t i)
{
	struct rk_buf v = RK_BUF_INIT;
	char close;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && (s[i] == '(' || s[i] == '[')) {
		close = s[i] == '(' ? ')' : ']';
		for (i++; i < n && s[i] != close;) {
			if (strchr(" \t\r\n,", s[i])) {
				i++;
				continue;
			}
			if (v.len)
				rk_buf_addc(&v, ',');
			if (py_string(s, n, &i, &v) < 0)
				break;
		}
		if (i >= n || s[i] != close)
			rk_buf_reset(&v);
	} else if (py_string(s, n, &i, &v) < 0) {
		rk_buf_reset(&v);
	}
	if (v.len)
		return rk_buf_detach(&v, NULL);
	rk_buf_release(&v);
	return NULL;
}

/* If the line at s[i] assigns name (annotation allowed), where its value
 * starts; else 0. */
static size_t
assigns(const char *s, size_t n, size_t i, const char *name)
{
	size_t k = strlen(name);

	if (n - i <= k || strncmp(s + i, name, k) != 0)
		return 0;
	for (i += k; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i < n && s[i] == ':')
		while (i < n && s[i] != '=' && s[i] != '\n')
			i++;
	if (i + 1 >= n || s[i] != '=' || s[i + 1] == '=')
		return 0;
	return i + 1;
}

/*
 * The module docstring's first paragraph (Alembic's Script.doc: the
 * docstring stripped, up to the first blank line), or NULL when the file
 * does not open with one (after blank lines and # comments).
 */
static char *
py_docstring(const char *s, size_t n)
{
	size_t i = 0, k, q = 1, end, start;

	while (i < n) {
		if (s[i] == '#')
			while (i < n && s[i] != '\n')
				i++;
		else if (strchr(" \t\r\n\f", s[i]))
			i++;
		else
			break;
	}
	while (i < n && strchr("rRuU", s[i]) && i + 1 < n &&
	       (s[i + 1] == '"' || s[i + 1] == '\''))
		i++;
	if (i >= n || (s[i] != '"' && s[i] != '\''))
		return NULL;
	if (i + 2 < n && s[i + 1] == s[i] && s[i + 2] == s[i])
		q = 3;
	start = i + q;
	for (k = start; k + q <= n; k++) {
		if (q == 1 && s[k] == '\n')
			return NULL;
		if (s[k] == s[i] &&
		    (q == 1 || (s[k + 1] == s[i] && s[k + 2] == s[i])))
			break;
	}
	if (k + q > n)
		return NULL;
	while (start < k && strchr(" \t\r\n", s[start]))
		start++;
	end = start;
	while (end < k &&
	       !(s[end] == '\n' && end + 1 < k && s[end + 1] == '\n'))
		end++;
	while (end > start && strchr(" \t\r\n", s[end - 1]))
		end--;
	return xstrndup(s + start, end - start);
}

static void
alembic_inspect(struct mig_file *f, const char *s, size_t n)
{
	char *doc = py_docstring(s, n);

	/* history shows the message where Alembic does */
	if (doc) {
		free(f->desc);
		f->desc = doc;
	}
	for (size_t i = 0; i < n;) {
		const char *e = memchr(s + i, '\n', n - i);
		size_t v;

		if ((v = assigns(s, n, i, "revision"))) {
			free(f->id);
			f->id = py_value(s, n, v);
		} else if ((v = assigns(s, n, i, "down_revision"))) {
			free(f->parent);
			f->parent = py_value(s, n, v);
		}
		i = e ? (size_t)(e - s) + 1 : n;
	}
}

static int
alembic_read(struct db *db, const struct tracked *t, struct applied_set *out,
	     struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	int rc;

	rc = det_select(db, t, "version_num", "version_num", &rows, err);
	for (size_t i = 0; rc == 0 && i < rows.nrows; i++)
		applied_add(out, db_rows_get(&rows, i, 0), NULL, NULL, NULL);
	db_rows_release(&rows);
	return rc;
}

static int
alembic_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT, pkc = RK_BUF_INIT;
	int rc;

	rk_buf_addf(&pkc, "%s_pkc", t->table);
	rk_buf_adds(&sql, "CREATE TABLE ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " (version_num VARCHAR(32) NOT NULL, CONSTRAINT ");
	db_quote_ident(db, pkc.s, &sql);
	rk_buf_adds(&sql, " PRIMARY KEY (version_num))");
	rc = db_exec(db, sql.s, err);
	rk_buf_release(&pkc);
	rk_buf_release(&sql);
	if (rc == 0)
		t->exists = 1;
	return rc;
}

/* The file of files declaring revision id, or NULL. */
static const struct mig_file *
find_revision(const struct mig_set *files, const char *id)
{
	for (size_t i = 0; i < files->n; i++)
		if (files->v[i].id && strcmp(files->v[i].id, id) == 0)
			return &files->v[i];
	return NULL;
}

/* The parents ("a,b") of the revision id among the files of dir (owned),
 * or NULL; *found says whether a file declares id at all. */
static char *
parents_of(const char *dir, const char *id, int *found)
{
	struct mig_set files = MIG_SET_INIT;
	struct rk_err ignored = RK_ERR_INIT;
	const struct mig_file *f = NULL;
	char *parents = NULL;

	if (dir && mig_scan(dir, &det_alembic, &files, &ignored) == 0)
		f = find_revision(&files, id);
	if (f && f->parent)
		parents = xstrdup(f->parent);
	*found = f != NULL;
	mig_set_release(&files);
	return parents;
}

/*
 * A new head beside heads is safe only when each of them has its file:
 * the revisions under a head without one are unknown, and rev may be
 * among them (Alembic then refuses the table: "overlaps").
 */
static int
heads_known(const struct tracked *t, const struct db_rows *heads,
	    const char *rev, struct rk_err *err)
{
	for (size_t i = 0; i < heads->nrows; i++) {
		const char *h = db_rows_get(heads, i, 0);
		int found;

		free(parents_of(t->dir, h, &found));
		if (!found) {
			rk_fail(err, RK_CONFLICT,
				"cannot tell whether '%s' is already applied: "
				"the recorded head '%s' has no file",
				rev, h);
			rk_err_hint(err,
				    "restore the file of '%s', or "
				    "'reckon unmark %s' if it is gone "
				    "for good",
				    h, h);
			return -1;
		}
	}
	return 0;
}

/*
 * Which recorded heads lie under rev (its ancestors, by the files of
 * dir): under[k] = 1 for heads row k. Returns 1 when rev has a file.
 */
static int
heads_under(const char *dir, const char *rev, const struct db_rows *heads,
	    unsigned char *under)
{
	struct mig_set files = MIG_SET_INIT;
	struct rk_err ignored = RK_ERR_INIT;
	struct revgraph g = REVGRAPH_INIT;
	unsigned char *mark = NULL;
	size_t r = (size_t)-1;

	if (dir && mig_scan(dir, &det_alembic, &files, &ignored) == 0 &&
	    revgraph_build(&files, &g))
		r = revgraph_find(&g, rev, (size_t)-1);
	if (r != (size_t)-1) {
		mark = xcalloc(g.n + 1, 1);
		revgraph_ancestors(&g, r, mark);
		for (size_t k = 0; k < heads->nrows; k++) {
			const char *h = db_rows_get(heads, k, 0);
			size_t i = h ? revgraph_find(&g, h, (size_t)-1)
				     : (size_t)-1;

			under[k] = i != (size_t)-1 && i != r && mark[i];
		}
	}
	free(mark);
	revgraph_release(&g);
	mig_set_release(&files);
	return r != (size_t)-1;
}

/*
 * Record rev as "alembic stamp rev" does (command.stamp, _stamp_revs):
 * every recorded head under rev gives way to it, the last one updated to
 * rev and the others deleted (a merge); with none under it, rev is
 * inserted as a new head, which is safe only when every head has a file.
 */
static int
move_heads(struct db *db, const struct tracked *t, const char *rev,
	   struct rk_err *err)
{
	struct db_rows heads = DB_ROWS_INIT;
	unsigned char *under = NULL;
	const char *from = NULL;
	int rc = det_select(db, t, "version_num", NULL, &heads, err);

	if (rc == 0) {
		under = xcalloc(heads.nrows + 1, 1);
		(void)heads_under(t->dir, rev, &heads, under);
	}
	for (size_t k = 0; rc == 0 && k < heads.nrows; k++) {
		if (!under[k])
			continue;
		if (from)
			rc = det_delete(db, t, "version_num", from, err);
		from = db_rows_get(&heads, k, 0);
	}
	if (rc == 0 && from) {
		const char *params[2] = { rev, from };

		rc = det_update(db, t, "version_num = $1", "version_num = $2",
				params, 2, err);
	} else if (rc == 0 && (rc = heads_known(t, &heads, rev, err)) == 0) {
		const char *params[1] = { rev };

		rc = det_insert(db, t, "version_num", "$1", params, 1, err);
	}
	free(under);
	db_rows_release(&heads);
	return rc;
}

static int
alembic_record(struct db *db, struct tracked *t, const struct mig_file *m,
	       long exec_ms, struct rk_err *err)
{
	(void)exec_ms;
	if (!m->id) {
		rk_fail(err, RK_INPUT, "'%s' declares no revision", m->name);
		rk_err_hint(err, "an Alembic script needs revision = \"<id>\"");
		return -1;
	}
	return move_heads(db, t, m->id, err);
}

/*
 * The parents of the head id that are to become heads when it steps back
 * (owned, *n of them, each owned): those that are not under another
 * recorded head, Alembic deleting the branch rather than recording an
 * ancestor of a head (RevisionStep.should_delete_branch). None when id
 * has no file or is a root.
 */
static char **
new_heads(const char *dir, const char *id, const struct db_rows *heads,
	  size_t *n)
{
	struct mig_set files = MIG_SET_INIT;
	struct rk_err ignored = RK_ERR_INIT;
	struct revgraph g = REVGRAPH_INIT;
	unsigned char *under = NULL;
	char **out = NULL;
	size_t r = (size_t)-1;

	*n = 0;
	if (dir && mig_scan(dir, &det_alembic, &files, &ignored) == 0 &&
	    revgraph_build(&files, &g))
		r = revgraph_find(&g, id, (size_t)-1);
	if (r != (size_t)-1) {
		under = xcalloc(g.n + 1, 1);
		for (size_t k = 0; k < heads->nrows; k++) {
			const char *h = db_rows_get(heads, k, 0);
			size_t i = h ? revgraph_find(&g, h, (size_t)-1)
				     : (size_t)-1;

			if (i != (size_t)-1 && i != r)
				revgraph_ancestors(&g, i, under);
		}
		out = xcalloc(g.v[r].nparents + 1, sizeof(*out));
		for (size_t p = 0; p < g.v[r].nparents; p++)
			if (!under[g.v[r].parents[p]])
				out[(*n)++] =
					xstrdup(g.v[g.v[r].parents[p]].id);
	}
	free(under);
	revgraph_release(&g);
	mig_set_release(&files);
	return out;
}

/* One step down from head row, as "alembic downgrade" takes it: the
 * parents that are not already covered become heads (the first takes
 * the row, others are inserted); with none, or at a root, the row goes. */
static int
alembic_unrecord(struct db *db, const struct tracked *t,
		 const struct applied *row, struct rk_err *err)
{
	struct db_rows heads = DB_ROWS_INIT;
	char **ids = NULL;
	size_t n = 0;
	int rc;

	rc = det_select(db, t, "version_num", NULL, &heads, err);
	if (rc == 0)
		ids = new_heads(t->dir, row->id, &heads, &n);
	for (size_t p = 0; rc == 0 && p < n; p++) {
		const char *params[2] = { ids[p], row->id };

		rc = p ? det_insert(db, t, "version_num", "$1", params, 1, err)
		       : det_update(db, t, "version_num = $1",
				    "version_num = $2", params, 2, err);
	}
	if (rc == 0 && !n)
		rc = det_delete(db, t, "version_num", row->id, err);
	for (size_t p = 0; p < n; p++)
		free(ids[p]);
	free(ids);
	db_rows_release(&heads);
	return rc;
}

/* Lines of "alembic current": "<rev>" or "<rev> (head)" and the like;
 * log lines ("INFO  [alembic...]") are not revisions. */
static void
alembic_parse_current(const char *s, size_t n, const char *app,
		      struct rk_buf *out)
{
	(void)app;
	det_first_words(s, n, out);
}

static const char *const alembic_roots[] = { "alembic.ini", NULL };
static const char *const alembic_up[] = { "upgrade", "{id}", NULL };
static const char *const alembic_down[] = { "downgrade", "-1", NULL };
static const char *const alembic_status[] = { "current", NULL };
static const char *const alembic_env[] = { "SQLALCHEMY_URL", "DATABASE_URL",
					   NULL };
static const struct det_runner alembic_runner = {
	.tool = "alembic",
	.how = DET_TOOL_PYMOD,
	.roots = alembic_roots,
	.up = alembic_up,
	.down = alembic_down,
	.status = alembic_status,
	.url_env = alembic_env,
	.parse_status = alembic_parse_current,
};

/* A versions/ directory beside Alembic's env.py (alembic init's layout):
 * reckon's own format has no env.py. */
static int
alembic_evidence(const char *dir, struct rk_buf *why)
{
	const char *base = strrchr(dir, '/');

	base = base ? base + 1 : dir;
	if (strcmp(base, "versions") != 0 || !det_dir_has(dir, "../env.py"))
		return 0;
	rk_buf_adds(why, "versions/ beside Alembic's env.py");
	return 1;
}

const struct detector det_alembic = {
	.name = "alembic",
	.table = "alembic_version",
	.columns = alembic_cols,
	.flags = DET_HEAD,
	.kind_note = "Alembic revisions are Python",
	.parse_name = alembic_parse_name,
	.inspect = alembic_inspect,
	.read = alembic_read,
	.ensure = alembic_ensure,
	.record = alembic_record,
	.unrecord = alembic_unrecord,
	.runner = &alembic_runner,
	.dir_evidence = alembic_evidence,
};
