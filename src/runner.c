/*
 * Applying migrations. Every pending file is read, checked and split into
 * statements before the database is touched; then one transaction takes
 * the run lock, re-reads the tracking table (another runner may have
 * finished meanwhile), runs each statement and records each file. Any
 * error rolls the whole batch back, so nothing is ever half-applied.
 */
#include "reckon/ops.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reckon/buf.h"
#include "reckon/db.h"
#include "reckon/detcommon.h"
#include "reckon/ddl.h"
#include "reckon/err.h"
#include "reckon/interrupt.h"
#include "reckon/lockbudget.h"
#include "reckon/sidecar.h"
#include "reckon/util.h"
#include "reckon/banned.h"

/* A pending file, read and split, ready to send. */
struct prepared {
	const struct mig_file *file; /* borrowed from the session */
	struct rk_buf text;	     /* the whole file */
	struct sql_stmt_list stmts;  /* the up section's statements */
	unsigned char *skip;	     /* owned: per statement, 1 = not sent */
	size_t nskip;
	char sha256[65]; /* of text, the bytes that run */
	int no_tx;	 /* opted out: runs outside any transaction */
	int fk_off;	 /* SQLite: needs PRAGMA foreign_keys off */
	size_t locks;	 /* PG lock-table entries its DDL will hold */
};

static void
prepared_release(struct prepared *p)
{
	rk_buf_release(&p->text);
	sql_stmt_list_release(&p->stmts);
	free(p->skip);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

	if (d != &sql_dialect_sqlite)
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
	int opt_out = mig_opts_out_of_tx(p->text.s, p->text.len);

	p->skip = xcalloc(p->stmts.n, 1);
	/* an opt-out is honoured whether or not a statement needs it: the
	 * file's author (dbmate transaction:false, SQLx) asked for it */
	p->no_tx = opt_out;
	if (strstr(p->text.s, "reckon:foreign-keys off"))
		p->fk_off = d == &sql_dialect_sqlite;
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
		mig_up_section(p->text.s, p->text.len, &off, &len);
	else if (part == PART_DOWN)
		mig_down_section(p->text.s, p->text.len, &off, &len);
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
static int
prepare(const struct mig_file *f, const struct sql_dialect *d,
	struct prepared *p, struct rk_err *err)
{
	p->file = f;
	if (mig_read(f->path, f->name, &p->text, err) < 0)
		return -1;
	rk_sha256_hex(p->text.s, p->text.len, p->sha256);
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
	return check_statements(p, d, err);
}

/* The down script of f: its own file, or its down section. */
static int
prepare_down(const struct mig_file *f, const char *dir,
	     const struct sql_dialect *d, struct prepared *p,
	     struct rk_err *err)
{
	struct rk_buf path = RK_BUF_INIT;
	size_t off, len;
	int rc = -1;

	p->file = f;
	if (f->down_name)
		rk_buf_addf(&path, "%s/%s", dir, f->down_name);
	else
		rk_buf_adds(&path, f->path);
	if (mig_read(path.s, f->down_name ? f->down_name : f->name, &p->text,
		     err) < 0)
		goto out;
	rk_sha256_hex(p->text.s, p->text.len, p->sha256);
	if (!f->down_name &&
	    !mig_down_section(p->text.s, p->text.len, &off, &len)) {
		rk_fail(err, RK_INPUT, "'%s' has no down migration", f->name);
		rk_err_hint(err, "add a .down.sql (or U) file, or a "
				 "'-- migrate:down' section");
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

/* Line of the server's 1-based character position inside a statement. */
static unsigned
position_line(const char *s, size_t len, unsigned line, int position)
{
	size_t chars = 0;

	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 &&
		    ++chars >= (size_t)position)
			break;
		if (s[i] == '\n')
			line++;
	}
	return line;
}

/* Numbered lines around line in text, the line itself marked. */
static char *
excerpt(const char *text, size_t n, unsigned line)
{
	struct rk_buf b = RK_BUF_INIT;
	unsigned first = line > 2 ? line - 2 : 1, cur = 1;
	size_t i = 0;

	while (i < n && cur <= line + 2) {
		const char *e = memchr(text + i, '\n', n - i);
		size_t ll = e ? (size_t)(e - (text + i)) : n - i;

		if (cur >= first)
			rk_buf_addf(&b, "%s%5u | %.*s\n",
				    cur == line ? ">" : " ", cur, (int)ll,
				    text + i);
		i += ll + 1;
		cur++;
	}
	return rk_buf_detach(&b, NULL);
}

static char *
dup_nonempty(const char *s)
{
	return *s ? xstrdup(s) : NULL;
}

static void
fail_report(struct run_report *r, const struct prepared *p,
	    const struct sql_stmt *st, struct rk_err *err)
{
	struct run_failure *f;

	if (r->failed)
		return; /* the first failure is the cause */
	f = xcalloc(1, sizeof(*f));
	if (!*err->hint && (strcmp(err->sqlstate, "55P03") == 0 ||
			    strstr(err->msg, "database is locked")))
		rk_err_hint(err, "another session holds a lock this migration "
				 "needs; see 'reckon check', retry when it is "
				 "idle, or raise --lock-timeout");

	f->name = p ? xstrdup(p->file->name) : NULL;
	f->error = xstrdup(err->msg);
	f->detail = dup_nonempty(err->detail);
	f->hint = dup_nonempty(err->hint);
	memcpy(f->sqlstate, err->sqlstate, sizeof(f->sqlstate));

	if (p && st) {
		f->line = err->position > 0
				  ? position_line(p->text.s + st->off, st->len,
						  st->line, err->position)
				  : st->line;
		f->statement = xstrndup(p->text.s + st->off,
					st->len < 4000 ? st->len : 4000);
		f->excerpt = excerpt(p->text.s, p->text.len, f->line);
	}
	r->failed = f;
}

/* Put p in the plan (r->items[k] is always ps[k]'s). */
static void
plan_item(struct run_report *r, const struct prepared *p,
	  enum run_outcome outcome)
{
	struct run_item *it;

	rk_grow((void **)&r->items, &r->cap, r->nitems + 1, sizeof(*r->items));
	it = &r->items[r->nitems++];
	memset(it, 0, sizeof(*it));
	it->name = xstrdup(p->file->name);
	memcpy(it->sha256, p->sha256, sizeof(it->sha256));
	it->nstmts = p->stmts.n - p->nskip;
	it->skipped = p->nskip;
	it->no_tx = p->no_tx;
	it->outcome = outcome;
}

/* Number the plan's transactions: a batch, or one per file, with each
 * no-transaction file on its own between them (txn 0). */
static void
plan_transactions(struct run_report *r, int per_file)
{
	size_t txn = 0;

	for (size_t i = 0; i < r->nitems; i++) {
		struct run_item *it = &r->items[i];

		if (it->no_tx) {
			it->txn = 0;
			r->planned_txns++;
			continue;
		}
		if (i == 0 || per_file || r->items[i - 1].no_tx) {
			txn++;
			r->planned_txns++;
		}
		it->txn = txn;
	}
}

static int
wanted(const struct run_opts *o, const char *name)
{
	if (!o->names)
		return 1;
	for (int i = 0; i < o->nnames; i++)
		if (strcmp(o->names[i], name) == 0)
			return 1;
	return 0;
}

static int
check_names(struct rk_ctx *ctx, const struct rk_session *s,
	    const struct run_opts *o, struct rk_err *err)
{
	for (int i = 0; o->names && i < o->nnames; i++) {
		if (mig_find(&s->files, o->names[i]))
			continue;
		rk_fail(err, RK_USAGE, "no migration file '%s' in '%s'",
			o->names[i], ctx->cfg.dir);
		rk_err_hint(err, "name files as 'reckon status' lists them");
		return -1;
	}
	return 0;
}

/*
 * Code migrations (Alembic .py, Rails .rb, ...) are reconciled, never run:
 * a batch that needs one refuses, naming each, before anything happens.
 */
static int
check_code(const struct rk_session *s, const struct run_opts *o,
	   struct rk_err *err)
{
	struct rk_buf names = RK_BUF_INIT;
	size_t n = 0;

	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->state != ST_PENDING || !e->file->code ||
		    !wanted(o, e->name))
			continue;
		rk_buf_addf(&names, "%s'%s'", n++ ? ", " : "", e->name);
	}
	if (n) {
		rk_fail(err, RK_INPUT,
			"cannot execute %zu pending migration(s): %s (%s)", n,
			names.s,
			s->tracked.det->kind_note ? s->tracked.det->kind_note
						  : "not SQL");
		rk_err_hint(err,
			    "apply them with %s, or record them with "
			    "'reckon mark-applied' once their changes "
			    "are in place",
			    s->tracked.det->name);
	}
	rk_buf_release(&names);
	return n ? -1 : 0;
}

/* Read and split every pending file the run wants. */
static int
prepare_all(const struct rk_session *s, const struct run_opts *o,
	    const struct sql_dialect *d, struct prepared **out, size_t *n,
	    struct rk_err *err)
{
	size_t k = 0;

	*out = xcalloc(s->status.n + 1, sizeof(**out));
	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		if (e->state != ST_PENDING || !wanted(o, e->name))
			continue;
		if (o->to && *e->file->version &&
		    rk_vercmp(e->file->version, o->to) > 0)
			continue;
		if (o->steps && k >= (size_t)o->steps)
			break;
		if (e->file->code)
			continue; /* refused as a whole by check_code() */
		rk_buf_init(&(*out)[k].text);
		if (prepare(e->file, d, &(*out)[k++], err) < 0) {
			*n = k;
			return -1;
		}
	}
	*n = k;
	return 0;
}

/* Fail because a signal asked the run to stop. */
static int
interrupted(struct rk_err *err)
{
	int sig = rk_interrupted();

	rk_fail(err, RK_DB, "interrupted by %s",
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	rk_err_hint(err, "nothing more was sent; what committed is listed "
			 "above, and 'reckon status' shows the rest");
	return -1;
}

/*
 * Send p's statements one by one; *done counts those that succeeded. A
 * failure (or a signal, checked before each) fills r->failed and err.
 */
static int
send_statements(struct rk_ctx *ctx, struct prepared *p, const char *label,
		size_t *done, struct run_report *r, struct rk_err *err)
{
	struct rk_buf stmt = RK_BUF_INIT;
	int rc = 0;

	*done = 0;
	for (size_t i = 0; i < p->stmts.n && rc == 0; i++) {
		const struct sql_stmt *st = &p->stmts.v[i];

		if (p->skip[i])
			continue;
		if (rk_interrupted()) {
			rc = interrupted(err);
			fail_report(r, p, NULL, err);
			break;
		}
		rk_buf_reset(&stmt);
		rk_buf_add(&stmt, p->text.s + st->off, st->len);
		rc = db_exec(ctx->db, stmt.s, err);
		if (rc < 0) {
			if (rk_interrupted())
				rk_err_prefix(err, "interrupted by %s",
					      rk_interrupted() == SIGTERM
						      ? "SIGTERM"
						      : "SIGINT");
			fail_report(r, p, st, err);
			rk_err_prefix(err, "%s%s:%u", p->file->name, label,
				      r->failed->line);
		} else {
			++*done;
		}
	}
	rk_buf_release(&stmt);
	return rc;
}

static void
progress(struct rk_ctx *ctx, const struct run_report *r, const char *name,
	 long ms)
{
	if (ctx->progress)
		ctx->progress(ctx->progress_ud, r->down ? "reverted" : "ran",
			      name, ms);
}

/* Record p as ran in the tracking table (inside the open transaction). */
static int
record_ran(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	   long ms, int failed, struct rk_err *err)
{
	const struct detector *det = s->tracked.det;
	struct mig_file ran = *p->file;
	int rc;

	memcpy(ran.sha256, p->sha256, sizeof(ran.sha256));
	ran.checksum = NULL;
	if (det->checksum) {
		struct rk_buf sum = RK_BUF_INIT;

		det->checksum(p->text.s, p->text.len, &sum);
		ran.checksum = rk_buf_detach(&sum, NULL);
	}
	rc = failed ? det->record_failed(ctx->db, &s->tracked, &ran, ms, err)
		    : op_record(ctx, s, &ran, ms, err);
	free(ran.checksum);
	return rc;
}

static int
apply_one(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	  struct run_item *it, struct run_report *r, struct rk_err *err)
{
	long t0 = now_ms();

	if (send_statements(ctx, p, "", &it->stmts_done, r, err) < 0)
		return -1;
	it->ms = now_ms() - t0;
	if (record_ran(ctx, s, p, it->ms, 0, err) < 0) {
		fail_report(r, p, NULL, err);
		rk_err_prefix(err, "cannot record '%s'", p->file->name);
		return -1;
	}
	progress(ctx, r, p->file->name, it->ms);
	return 0;
}

/* PRAGMA foreign_key_check: any row is a violation the batch made. */
static int
foreign_key_check(struct rk_ctx *ctx, struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	int rc = db_query(ctx->db, "PRAGMA foreign_key_check", NULL, 0, &rows,
			  err);

	if (rc == 0 && rows.nrows) {
		rc = rk_fail(err, RK_DB,
			     "foreign key check failed: %zu row(s) in '%s' "
			     "refer to missing rows in '%s'",
			     rows.nrows,
			     db_rows_get(&rows, 0, 0) ? db_rows_get(&rows, 0, 0)
						      : "?",
			     db_rows_get(&rows, 0, 2) ? db_rows_get(&rows, 0, 2)
						      : "?");
		rk_err_hint(err, "the batch turned foreign keys off and left "
				 "dangling references; fix the migration");
	}
	db_rows_release(&rows);
	return rc;
}

/* SQLite: a copy of the database file before anything changes. */
static int
take_backup(struct rk_ctx *ctx, struct run_report *r, struct rk_err *err)
{
	struct db_info info;
	struct rk_buf path = RK_BUF_INIT;
	struct stat st;
	char stamp[40];

	if (db_info(ctx->db, &info, err) < 0)
		return -1;
	if (strcmp(info.database, ":memory:") == 0 ||
	    stat(info.database, &st) != 0 || st.st_size == 0)
		return 0; /* nothing in it yet */
	if (access(info.database, W_OK) != 0)
		return 0; /* read-only: the first write fails, saying so */
	det_now(DET_TIME_COMPACT, stamp);
	rk_buf_addf(&path, "%s.reckon-backup-%s", info.database, stamp);
	for (int k = 2; access(path.s, F_OK) == 0; k++) {
		rk_buf_reset(&path);
		rk_buf_addf(&path, "%s.reckon-backup-%s-%d", info.database,
			    stamp, k);
	}
	if (db_backup(ctx->db, path.s, err) < 0) {
		rk_buf_release(&path);
		return -1;
	}
	r->backup = rk_buf_detach(&path, NULL);
	return 0;
}

/* How one transaction of the run behaves. */
struct seg_opts {
	int fk_check; /* SQLite: PRAGMA foreign_key_check before commit */
};

/*
 * Refuse a batch whose DDL would not fit in the server's lock table (it
 * would fail halfway with "out of shared memory"), before it starts.
 */
static int
check_lock_budget(struct rk_ctx *ctx, struct prepared *ps, size_t n,
		  int per_file, struct rk_err *err)
{
	size_t need = 0, most = 0;
	long cap;

	for (size_t i = 0; i < n; i++) {
		struct ddl_list objs = DDL_LIST_INIT;
		struct rk_err ignored = RK_ERR_INIT;
		size_t off, len;

		mig_up_section(ps[i].text.s, ps[i].text.len, &off, &len);
		if (ddl_extract(ps[i].text.s + off, len, &sql_dialect_pg, &objs,
				&ignored) == 0)
			ps[i].locks = locks_for_objects(&objs);
		ddl_list_release(&objs);
		need += ps[i].locks;
		if (ps[i].locks > most)
			most = ps[i].locks;
	}
	if (per_file)
		need = most;
	if (need < 64 || lock_capacity(ctx->db, &cap, err) < 0)
		return need < 64 ? 0 : -1;
	if ((double)need <= LOCK_BUDGET_SHARE * (double)cap)
		return 0;
	rk_fail(err, RK_INPUT,
		"this %s would hold about %zu lock-table entries until it "
		"commits; the server has room for %ld in all",
		per_file ? "run's largest file" : "batch", need, cap);
	rk_err_hint(err,
		    "raise max_locks_per_transaction (the lock table "
		    "holds it x max_connections and the other "
		    "backends)%s",
		    per_file ? "" : ", or run with --per-file or --steps");
	return -1;
}

/* Set every item of [from, to) that ran to o. */
static void
settle(struct run_report *r, size_t from, size_t to, enum run_outcome o)
{
	for (size_t i = from; i < to; i++)
		if (r->items[i].outcome == RUN_ROLLED_BACK)
			r->items[i].outcome = o;
}

/*
 * One transaction for the files [from, to) (run lock held): each item that
 * ran is RUN_ROLLED_BACK until the COMMIT succeeds, then RUN_COMMITTED.
 */
static int
apply_segment(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
	      size_t from, size_t to, const struct seg_opts *so,
	      struct run_report *r, struct rk_err *err)
{
	size_t i;

	if (rk_interrupted())
		return interrupted(err);
	if (db_begin(ctx->db, err) < 0)
		return -1;
	r->segments++;
	if (op_prepare_tables(ctx, s, err) < 0)
		goto fail;
	for (i = from; i < to; i++) {
		if (r->items[i].outcome == RUN_SKIPPED)
			continue;
		r->items[i].outcome = RUN_ROLLED_BACK; /* until COMMIT */
		if (apply_one(ctx, s, &ps[i], &r->items[i], r, err) < 0)
			goto fail;
	}
	if (so->fk_check && foreign_key_check(ctx, err) < 0)
		goto fail;
	if (db_commit(ctx->db, err) < 0)
		goto fail;
	for (i = from; i < to; i++)
		if (r->items[i].outcome == RUN_ROLLED_BACK)
			r->items[i].recorded = 1;
	settle(r, from, to, RUN_COMMITTED);
	return 0;
fail:
	db_rollback(ctx->db);
	return -1;
}

/*
 * A file that opted out of the transaction: its statements run one by one
 * in autocommit (the server refuses them in a transaction block), then a
 * short transaction records it. A failure after the first statement leaves
 * those before it committed: RUN_PARTIAL, recorded as the framework
 * records a failure where it does (record_failed), else not at all.
 */
static int
apply_no_tx(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	    struct run_item *it, struct run_report *r, struct rk_err *err)
{
	const struct detector *det = s->tracked.det;
	struct prepared rec = *p;
	struct rk_err ignored = RK_ERR_INIT;
	long t0 = now_ms();
	int rc;

	if (it->outcome == RUN_SKIPPED)
		return 0;
	if (rk_interrupted())
		return interrupted(err);
	rc = send_statements(ctx, p, "", &it->stmts_done, r, err);
	it->ms = now_ms() - t0;
	if (rc == 0) {
		/* the record, in a transaction of its own; once more if a
		 * signal's cancel request, sent as the last statement ended,
		 * hit it instead: the statements did commit */
		rec.skip = xcalloc(p->stmts.n + 1, 1);
		memset(rec.skip, 1, p->stmts.n);
		for (int tries = 0; tries < 2; tries++) {
			if (db_begin(ctx->db, err) < 0) {
				rc = -1;
			} else {
				r->segments++;
				rc = op_prepare_tables(ctx, s, err) < 0 ||
						     record_ran(ctx, s, p,
								it->ms, 0,
								err) < 0 ||
						     db_commit(ctx->db, err) < 0
					     ? -1
					     : 0;
				if (rc < 0)
					db_rollback(ctx->db);
			}
			if (rc == 0 || !rk_interrupted())
				break;
		}
		free(rec.skip);
		if (rc == 0) {
			it->outcome = RUN_COMMITTED;
			it->recorded = 1;
			progress(ctx, r, p->file->name, it->ms);
			return 0;
		}
		fail_report(r, p, NULL, err);
		rk_err_prefix(err, "'%s' ran but cannot be recorded",
			      p->file->name);
	}
	if (it->stmts_done == 0) {
		it->outcome = RUN_ROLLED_BACK; /* nothing of it remains */
		return -1;
	}
	it->outcome = RUN_PARTIAL;
	if (det->record_failed && it->stmts_done < it->nstmts &&
	    db_begin(&*ctx->db, &ignored) == 0) {
		if (op_prepare_tables(ctx, s, &ignored) == 0 &&
		    record_ran(ctx, s, p, it->ms, 1, &ignored) == 0 &&
		    db_commit(ctx->db, &ignored) == 0)
			it->recorded = 1;
		else
			db_rollback(ctx->db);
	}
	return -1;
}

static int
set_foreign_keys(struct rk_ctx *ctx, const char *value, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	int rc;

	rk_buf_addf(&sql, "PRAGMA foreign_keys = %s",
		    strcmp(value, "1") == 0 ? "ON" : "OFF");
	rc = db_exec(ctx->db, sql.s, err);
	rk_buf_release(&sql);
	return rc;
}

/* Run the plan: its transactions in order, each no-transaction file on
 * its own between them; stop at the first failure. */
static int
apply_all(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
	  size_t n, struct run_report *r, struct rk_err *err)
{
	int sqlite = db_kind(ctx->db) == DB_SQLITE, fk = 0, rc = 0;
	struct db_rows old = DB_ROWS_INIT;
	struct seg_opts so = { 0 };
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		fk |= sqlite && ps[k].fk_off;
	so.fk_check = fk;
	if (fk &&
	    (db_query(ctx->db, "PRAGMA foreign_keys", NULL, 0, &old, err) < 0 ||
	     set_foreign_keys(ctx, "0", err) < 0)) {
		db_rows_release(&old);
		if (!r->failed)
			fail_report(r, NULL, NULL, err);
		return -1;
	}
	while (rc == 0 && i < n) {
		size_t j = i + 1;

		if (ps[i].no_tx) {
			rc = apply_no_tx(ctx, s, &ps[i], &r->items[i], r, err);
			i = j;
			continue;
		}
		while (j < n && !ps[j].no_tx &&
		       r->items[j].txn == r->items[i].txn)
			j++;
		rc = apply_segment(ctx, s, ps, i, j, &so, r, err);
		i = j;
	}
	if (rc < 0 && !r->failed)
		fail_report(r, NULL, NULL, err);
	if (fk) {
		struct rk_err ignored = RK_ERR_INIT;
		const char *v = old.nrows ? db_rows_get(&old, 0, 0) : NULL;

		(void)set_foreign_keys(ctx, v ? v : "0", &ignored);
	}
	db_rows_release(&old);
	return rc;
}

/*
 * Under the run lock: re-read the table (another runner may have applied
 * some of the plan while this one waited) and mark those RUN_SKIPPED.
 * Returns how many of the plan are still pending, or -1.
 */
static long
recheck_plan(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
	     struct run_report *r, int down, struct rk_err *err)
{
	long left = 0;

	if (session_reload(ctx, s, err) < 0)
		return -1;
	for (size_t i = 0; i < r->nitems; i++) {
		int todo = 0;

		for (size_t k = 0; k < s->status.n; k++)
			if (s->status.v[k].file == ps[i].file)
				todo = down ? s->status.v[k].row != NULL
					    : s->status.v[k].state ==
						       ST_PENDING;
		if (!todo)
			r->items[i].outcome = RUN_SKIPPED;
		left += todo;
	}
	return left;
}

/* Take the run lock; a failure (or signal) while waiting is the report's. */
static int
run_lock(struct rk_ctx *ctx, struct run_report *r, struct rk_err *err)
{
	if (db_run_lock(ctx->db, ctx->cfg.lock_wait_s, &r->lock_wait_ms, err) ==
	    0)
		return 0;
	if (rk_interrupted())
		(void)interrupted(err);
	fail_report(r, NULL, NULL, err);
	return -1;
}

int
op_run(struct rk_ctx *ctx, const struct run_opts *o, struct run_report *r,
       struct rk_err *err)
{
	const struct sql_dialect *d = db_kind(ctx->db) == DB_SQLITE
					      ? &sql_dialect_sqlite
					      : &sql_dialect_pg;
	struct rk_session s = { 0 };
	struct prepared *ps = NULL;
	size_t n = 0;
	long t0 = now_ms(), left;
	int rc = -1, locked = 0;

	r->dry_run = o->dry_run;
	rk_interrupt_watch(ctx->db); /* a signal cancels even the reads */
	if (op_status(ctx, &s, err) < 0 || check_names(ctx, &s, o, err) < 0)
		goto out;
	r->tracking_display = xstrdup(s.tracking_display);
	r->framework = xstrdup(s.tracked.det->name);
	session_warnings(&s, &r->warnings, &r->nwarnings);
	if (check_code(&s, o, err) < 0)
		goto out;
	if (prepare_all(&s, o, d, &ps, &n, err) < 0) {
		fail_report(r, NULL, NULL, err);
		r->failed->name = xstrdup(ps[n - 1].file->name);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		plan_item(r, &ps[i],
			  o->dry_run ? RUN_PLANNED : RUN_NOT_STARTED);
	plan_transactions(r, o->per_file);
	if (!o->dry_run && n && op_can_write(&s, err) < 0)
		goto out;
	if (!o->dry_run && n && db_kind(ctx->db) == DB_PG &&
	    check_lock_budget(ctx, ps, n, o->per_file, err) < 0)
		goto out;
	r->nothing_to_do = n == 0;
	if (o->dry_run || n == 0) {
		rc = 0;
		goto out;
	}
	if (run_lock(ctx, r, err) < 0)
		goto out;
	locked = 1;
	left = recheck_plan(ctx, &s, ps, r, 0, err);
	if (left < 0) {
		fail_report(r, NULL, NULL, err);
		goto out;
	}
	if (left == 0) {
		r->nothing_to_do = 1;
		rc = 0;
		goto out;
	}
	/* under the lock, before any change, and only if this runner will
	 * change something: a runner that finds nothing takes no backup */
	if (db_kind(ctx->db) == DB_SQLITE && !o->no_backup &&
	    take_backup(ctx, r, err) < 0) {
		fail_report(r, NULL, NULL, err);
		goto out;
	}
	rc = apply_all(ctx, &s, ps, n, r, err);
out:
	if (locked)
		db_run_unlock(ctx->db);
	rk_interrupt_unwatch(ctx->db);
	if (rc < 0 && !r->failed && rk_interrupted())
		(void)interrupted(err); /* it cancelled a read: nothing ran */
	r->interrupted = rk_interrupted();
	r->ok = rc == 0;
	r->total_ms = now_ms() - t0;
	for (size_t i = 0; ps && i <= n && i < s.status.n + 1; i++)
		prepared_release(&ps[i]);
	free(ps);
	session_release(&s);
	return rc;
}

/* Run one down script and delete the record of what it undid. */
static int
revert_one(struct rk_ctx *ctx, struct rk_session *s, struct prepared *p,
	   const struct applied *row, struct run_item *it, struct run_report *r,
	   struct rk_err *err)
{
	long t0 = now_ms();

	if (send_statements(ctx, p, " (down)", &it->stmts_done, r, err) < 0)
		return -1;
	if (s->tracked.det->unrecord(ctx->db, &s->tracked, row, err) < 0 ||
	    (s->tracked.sidecar &&
	     sidecar_delete(ctx->db, &s->tracked, p->file->name, err) < 0)) {
		fail_report(r, p, NULL, err);
		return -1;
	}
	it->ms = now_ms() - t0;
	progress(ctx, r, p->file->name, it->ms);
	return 0;
}

/* The applied entry whose row is rows->v[i], with its file, or NULL. */
static const struct status_entry *
entry_of_row(const struct rk_session *s, const struct applied *row)
{
	for (size_t i = 0; i < s->status.n; i++)
		if (s->status.v[i].row == row)
			return &s->status.v[i];
	return NULL;
}

/* The newest applied entries to undo, newest first. */
static int
down_targets(const struct rk_session *s, const struct down_opts *o,
	     const struct status_entry ***out, size_t *n, struct rk_err *err)
{
	size_t want = o->to ? SIZE_MAX : (size_t)(o->steps ? o->steps : 1);

	*out = xcalloc(s->rows.n + 1, sizeof(**out));
	*n = 0;
	for (size_t i = s->rows.n; i-- > 0 && *n < want;) {
		const struct applied *row = &s->rows.v[i];
		const struct status_entry *e = entry_of_row(s, row);

		if (o->to && row->version &&
		    rk_vercmp(row->version, o->to) <= 0)
			break;
		if (!e || !e->file)
			return rk_fail(err, RK_INPUT,
				       "cannot go down past '%s': its file is "
				       "gone (orphaned)",
				       row->id ? row->id : "?");
		if (e->file->code)
			return rk_fail(err, RK_INPUT,
				       "cannot go down past '%s': it is code, "
				       "not SQL",
				       e->name);
		(*out)[(*n)++] = e;
	}
	return 0;
}

/* One transaction reverting the plan, newest first (run lock held). */
static int
revert_all(struct rk_ctx *ctx, struct rk_session *s, struct prepared *ps,
	   size_t n, struct run_report *r, struct rk_err *err)
{
	size_t i;

	if (rk_interrupted())
		return interrupted(err);
	if (db_begin(ctx->db, err) < 0)
		return -1;
	r->segments = 1;
	for (i = 0; i < n; i++) {
		const struct status_entry *e = NULL;

		if (r->items[i].outcome == RUN_SKIPPED)
			continue;
		for (size_t k = 0; k < s->status.n; k++)
			if (s->status.v[k].file == ps[i].file)
				e = &s->status.v[k];
		r->items[i].outcome = RUN_ROLLED_BACK; /* until COMMIT */
		if (revert_one(ctx, s, &ps[i], e->row, &r->items[i], r, err) <
		    0)
			goto fail;
	}
	if (db_commit(ctx->db, err) < 0)
		goto fail;
	settle(r, 0, n, RUN_COMMITTED);
	return 0;
fail:
	db_rollback(ctx->db);
	return -1;
}

int
op_down(struct rk_ctx *ctx, const struct down_opts *o, struct run_report *r,
	struct rk_err *err)
{
	const struct sql_dialect *d = db_kind(ctx->db) == DB_SQLITE
					      ? &sql_dialect_sqlite
					      : &sql_dialect_pg;
	const struct status_entry **targets = NULL;
	struct rk_session s = { 0 };
	struct prepared *ps = NULL;
	size_t n = 0, i;
	long t0 = now_ms(), left;
	int rc = -1, locked = 0;

	r->down = 1;
	r->dry_run = o->dry_run;
	rk_interrupt_watch(ctx->db);
	if (op_status(ctx, &s, err) < 0)
		goto out;
	r->tracking_display = xstrdup(s.tracking_display);
	r->framework = xstrdup(s.tracked.det->name);
	if (s.tracked.det->flags & DET_HEAD) {
		rk_fail(err, RK_CONFLICT,
			"down is not supported for %s, which records only "
			"its current version",
			s.tracked.det->name);
		goto out;
	}
	if (down_targets(&s, o, &targets, &n, err) < 0)
		goto out;
	ps = xcalloc(n + 1, sizeof(*ps));
	for (i = 0; i < n; i++) {
		rk_buf_init(&ps[i].text);
		if (prepare_down(targets[i]->file, ctx->cfg.dir, d, &ps[i],
				 err) < 0)
			goto out;
	}
	for (i = 0; i < n; i++) {
		plan_item(r, &ps[i],
			  o->dry_run ? RUN_PLANNED : RUN_NOT_STARTED);
		r->items[i].txn = 1;
	}
	r->planned_txns = n ? 1 : 0;
	r->nothing_to_do = n == 0;
	if (o->dry_run || n == 0) {
		rc = 0;
		goto out;
	}
	if (op_can_write(&s, err) < 0 || run_lock(ctx, r, err) < 0)
		goto out;
	locked = 1;
	left = recheck_plan(ctx, &s, ps, r, 1, err);
	if (left <= 0) {
		r->nothing_to_do = left == 0;
		rc = left == 0 ? 0 : -1;
		if (rc < 0)
			fail_report(r, NULL, NULL, err);
		goto out;
	}
	rc = revert_all(ctx, &s, ps, n, r, err);
	if (rc < 0 && !r->failed)
		fail_report(r, NULL, NULL, err);
out:
	if (locked)
		db_run_unlock(ctx->db);
	rk_interrupt_unwatch(ctx->db);
	if (rc < 0 && !r->failed && rk_interrupted())
		(void)interrupted(err); /* it cancelled a read: nothing ran */
	r->interrupted = rk_interrupted();
	r->ok = rc == 0;
	r->total_ms = now_ms() - t0;
	for (i = 0; ps && i <= n; i++)
		prepared_release(&ps[i]);
	free(ps);
	free(targets);
	session_release(&s);
	return rc;
}
