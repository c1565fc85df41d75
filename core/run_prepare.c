/*
 * Reading a migration for a run: the file (or its down script or section)
 * split into statements and checked before the database is touched:
 * statements that cannot run in a transaction, a file's own BEGIN/COMMIT,
 * SQLite's foreign_keys pragma.
 */
#include "reckon/core/ops.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/core/drift.h"
#include "reckon/core/placeholder.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/base/util.h"
#include "run.h"
#include "reckon/base/banned.h"

void
run_prepared_release(struct prepared *p)
{
	rk_buf_release(&p->text);
	sql_stmt_list_release(&p->stmts);
	free(p->skip);
	free(p->text_z);
	p->skip = NULL; /* released twice is released once */
	p->text_z = NULL;
}

/* The first n words of a statement, upper-cased, space-separated. */
static void
head_words(const char *s, size_t len, const struct sql_dialect *d, int n,
	   char *out, size_t cap)
{
	size_t i = 0, w = 0;

	out[0] = '\0';
	while (i < len && n > 0) {
		enum sql_tok k;
		size_t t = sql_token(s + i, len - i, d, &k);

		if (k == TK_WORD && w + t + 2 < cap) {
			if (w)
				out[w++] = ' ';
			for (size_t j = 0; j < t; j++)
				out[w++] = (char)(s[i + j] >= 'a' && s[i + j] <=
									     'z'
							  ? s[i + j] - 32
							  : s[i + j]);
			out[w] = '\0';
			n--;
		} else if (k != TK_SPACE && k != TK_COMMENT) {
			break;
		}
		i += t;
	}
}

/* Decide what to do with a transaction-control statement. */
static int
tx_control(struct prepared *p, size_t i, const struct sql_dialect *d,
	   struct rk_err *err)
{
	const struct sql_stmt *st = &p->stmts.v[i];
	char words[64];

	head_words(p->text.s + st->off, st->len, d, 2, words, sizeof(words));
	if (strncmp(words, "SAVEPOINT", 9) == 0 ||
	    strncmp(words, "RELEASE", 7) == 0 ||
	    strncmp(words, "ROLLBACK TO", 11) == 0)
		return 0;
	if (strncmp(words, "ROLLBACK", 8) == 0 ||
	    strncmp(words, "ABORT", 5) == 0) {
		rk_fail(err, RK_INPUT,
			"%s:%u: %s would end reckon's transaction",
			p->file->name, st->line, words);
		rk_err_hint(err, "remove it: reckon rolls back by itself when "
				 "anything fails");
		return -1;
	}
	/* BEGIN/COMMIT around a file: reckon's batch transaction does
	 * their job, and sending them would commit the batch halfway */
	p->skip[i] = 1;
	p->nskip++;
	return 0;
}

/* "PRAGMA foreign_keys = OFF" (or 0, false, no): the value turns it off. */
static int
pragma_value_off(const char *s, size_t len)
{
	static const char *const offs[] = { "off", "0", "false", "no" };
	const char *eq = memchr(s, '=', len);
	size_t i, k;

	if (!eq)
		return 0;
	i = (size_t)(eq - s) + 1;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\''))
		i++;
	for (k = 0; k < ARRAY_SIZE(offs); k++) {
		size_t w = strlen(offs[k]);

		if (len - i >= w && strncasecmp(s + i, offs[k], w) == 0 &&
		    (i + w == len ||
		     !((s[i + w] | 32) >= 'a' && (s[i + w] | 32) <= 'z')))
			return 1;
	}
	return 0;
}

/*
 * SQLite cannot change PRAGMA foreign_keys inside a transaction, so a
 * table-rebuild migration's "PRAGMA foreign_keys = OFF" would silently do
 * nothing: the runner turns it off around the whole batch instead (and
 * checks the keys before commit), and does not send the file's own.
 */
static int
fk_pragma(struct prepared *p, size_t i, const struct sql_dialect *d)
{
	const struct sql_stmt *st = &p->stmts.v[i];
	char words[64];

	if (!d->fk_pragma)
		return 0;
	head_words(p->text.s + st->off, st->len, d, 2, words, sizeof(words));
	if (strcmp(words, "PRAGMA FOREIGN_KEYS") != 0)
		return 0;
	if (pragma_value_off(p->text.s + st->off, st->len))
		p->fk_off = 1;
	return 1;
}

static int
check_statements(struct prepared *p, const struct sql_dialect *d,
		 struct rk_err *err)
{
	int opt_out = mig_opts_out_of_tx(p->det, p->text.s, p->text.len);

	p->skip = xcalloc(p->stmts.n, 1);
	/* an opt-out is honoured whether or not a statement needs it: the
	 * file's author (dbmate transaction:false, SQLx) asked for it */
	p->no_tx = opt_out;
	if (strstr(p->text.s, "reckon:foreign-keys off"))
		p->fk_off = d->fk_pragma;
	for (size_t i = 0; i < p->stmts.n; i++) {
		const struct sql_stmt *st = &p->stmts.v[i];
		char words[64];

		if (fk_pragma(p, i, d)) {
			p->skip[i] = 1;
			p->nskip++;
			continue;
		}
		if ((st->flags & SQL_NO_TX) && opt_out)
			continue;
		if (st->flags & SQL_NO_TX) {
			head_words(p->text.s + st->off, st->len, d, 4, words,
				   sizeof(words));
			rk_fail(err, RK_INPUT,
				"%s:%u: %s cannot run inside a transaction",
				p->file->name, st->line, words);
			rk_err_hint(
				err,
				"reckon runs the batch in one transaction; "
				"put '-- reckon:no-transaction' in the file "
				"to run it on its own, outside one");
			return -1;
		}
		if ((st->flags & SQL_TX_CONTROL) &&
		    tx_control(p, i, d, err) < 0)
			return -1;
	}
	return 0;
}

/* Which part of a file to run. */
enum part {
	PART_UP,	/* the file, or its up section */
	PART_DOWN_FILE, /* a separate down script (.down.sql, U file) */
	PART_DOWN,	/* the down section of the file itself */
};

/* Split p->text's part into statements; errors name the file. */
static int
split_part(struct prepared *p, const char *path, enum part part,
	   const struct sql_dialect *d, struct rk_err *err)
{
	size_t off = 0, len = p->text.len;
	unsigned base;

	if (part == PART_UP)
		mig_up_section(p->det, p->text.s, p->text.len, &off, &len);
	else if (part == PART_DOWN)
		mig_down_section(p->det, p->text.s, p->text.len, &off, &len);
	if (sql_split(p->text.s + off, len, d, &p->stmts, err) < 0) {
		rk_err_prefix(err, "%s", path);
		return -1;
	}
	base = rk_line_of(p->text.s, off) - 1;
	for (size_t i = 0; i < p->stmts.n; i++) {
		p->stmts.v[i].off += off;
		p->stmts.v[i].line += base;
	}
	return 0;
}

/* Read, split and check one file; errors name it. */
int
run_prepare(const struct mig_file *f, const struct detector *det,
	    const char *placeholders, const struct sql_dialect *d,
	    struct prepared *p, struct rk_err *err)
{
	p->file = f;
	p->det = det;
	if (mig_read(f->path, f->name, &p->text, err) < 0)
		return -1;
	rk_sha256_hex(p->text.s, p->text.len, p->sha256);
	if (placeholders) {
		struct rk_buf out = RK_BUF_INIT;

		if (ph_replace(p->text.s, p->text.len, placeholders, f->path,
			       f->name, &out, err) < 0) {
			rk_buf_release(&out);
			return -1;
		}
		rk_buf_release(&p->text);
		p->text = out;
		p->replaced = 1;
	}
	if (split_part(p, f->path, PART_UP, d, err) < 0)
		return -1;
	if (p->stmts.n == 0) {
		rk_fail(err, RK_INPUT, "'%s' has no SQL statements", f->path);
		rk_err_hint(err,
			    "add SQL, delete the file, or record it "
			    "without running: reckon mark-applied %s",
			    f->name);
		return -1;
	}
	if (check_statements(p, d, err) < 0)
		return -1;
	/* what recording it needs, worked out here, where files are
	 * prepared side by side (prepare_all), and not on the run's path */
	if (p->replaced && *f->version) /* status compares the file's */
		p->token_hash[0] = '\0';
	else
		drift_token_hash(p->text.s, p->text.len, d, p->token_hash);
	if (det == &det_reckon) {
		struct rk_buf z = RK_BUF_INIT;

		if (reckon_bytes_encode(p->text.s, p->text.len, &z) == 0)
			p->text_z = rk_buf_detach(&z, NULL);
		rk_buf_release(&z);
	}
	return 0;
}

/* The down script of f: its own file, or its down section. */
int
run_prepare_down(const struct mig_file *f, const struct detector *det,
		 const char *dir, const struct sql_dialect *d,
		 struct prepared *p, struct rk_err *err)
{
	struct rk_buf path = RK_BUF_INIT;
	size_t off, len;
	int rc = -1;

	p->file = f;
	p->det = det;
	if (f->down_name)
		rk_buf_addf(&path, "%s/%s", dir, f->down_name);
	else
		rk_buf_adds(&path, f->path);
	if (mig_read(path.s, f->down_name ? f->down_name : f->name, &p->text,
		     err) < 0)
		goto out;
	rk_sha256_hex(p->text.s, p->text.len, p->sha256);
	if (!f->down_name &&
	    !mig_down_section(det, p->text.s, p->text.len, &off, &len)) {
		struct rk_buf how = RK_BUF_INIT;

		mig_down_advice(det, &how);
		rk_fail(err, RK_INPUT, "'%s' has no down migration", f->name);
		rk_err_hint(err, "add %s", how.s);
		rk_buf_release(&how);
		goto out;
	}
	if (split_part(p, path.s, f->down_name ? PART_DOWN_FILE : PART_DOWN, d,
		       err) < 0)
		goto out;
	rc = check_statements(p, d, err);
out:
	rk_buf_release(&path);
	return rc;
}
