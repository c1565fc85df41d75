/*
 * reckon's own tracking table, used when a database has no other
 * framework's table (created on the first write). One row per applied
 * file: its name relative to --dir, version, SHA-256 of the bytes that ran,
 * when, how long and by whom; installed_rank keeps the order applied.
 * token_hash (drift.h) came later: it is added on the first write to an
 * older table, and a table without it is read as byte hashes only. So did
 * applied_zlib: the bytes that ran (or were marked), zlib-compressed and
 * base64-encoded as text (one type on both engines), so that a modified
 * file can be shown against what was applied; NULL where only the hash is
 * known (rows written before, or files over RECKON_BYTES_MAX).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/base/util.h"
#include "reckon/base/crypto.h"
#include "reckon/base/banned.h"

static const char *const reckon_cols[] = {
	"installed_rank", "name",	  "version",	"sha256",
	"applied_at",	  "execution_ms", "applied_by", NULL,
};
static const char *const reckon_optional[] = { "token_hash", "applied_zlib",
					       NULL };

/* Files larger than this keep their hash only. */
#define RECKON_BYTES_MAX (4u << 20)

/*
 * text[0..n) compressed and base64-encoded into out; 0, or -1 when it is
 * too large to keep (out left empty). Every applied file passes here, so
 * the compressor is sized to the text: the fastest level, and a window
 * and hash table no larger than the text needs (a full-size one costs
 * more to set up than a small migration takes to compress). Any zlib
 * stream inflates the same, so rows written with other settings read
 * back alike.
 */
int
reckon_bytes_encode(const char *text, size_t n, struct rk_buf *out)
{
	z_stream st = { 0 };
	int wbits = 9, mem;
	uLong zn;
	unsigned char *z;
	size_t need;

	if (n > RECKON_BYTES_MAX)
		return -1;
	while (wbits < 15 && ((size_t)1 << wbits) < n)
		wbits++;
	mem = wbits - 7; /* a hash table about the window's size */
	if (deflateInit2(&st, Z_BEST_SPEED, Z_DEFLATED, wbits, mem,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zn = deflateBound(&st, (uLong)n);
	z = xmalloc(zn);
	st.next_in = (Bytef *)(uintptr_t)text;
	st.avail_in = (uInt)n;
	st.next_out = z;
	st.avail_out = (uInt)zn;
	if (deflate(&st, Z_FINISH) != Z_STREAM_END) {
		(void)deflateEnd(&st);
		free(z);
		return -1;
	}
	zn = st.total_out;
	(void)deflateEnd(&st);
	need = 4 * ((zn + 2) / 3) + 1;
	rk_buf_grow(out, need);
	out->len = (size_t)EVP_EncodeBlock((unsigned char *)out->s, z, (int)zn);
	out->s[out->len] = '\0';
	free(z);
	return 0;
}

/* Undo reckon_bytes_encode; -1 when the stored text does not decode. */
static int
bytes_decode(const char *b64, struct rk_buf *out)
{
	size_t n = strlen(b64), pad = 0;
	unsigned char *z = xmalloc(n / 4 * 3 + 3);
	int zn = EVP_DecodeBlock(z, (const unsigned char *)b64, (int)n);
	z_stream st = { 0 };
	int rc = -1, zr = Z_OK;

	while (pad < 2 && n > pad && b64[n - 1 - pad] == '=')
		pad++;
	if (zn < 0 || inflateInit(&st) != Z_OK) {
		free(z);
		return -1;
	}
	st.next_in = z;
	st.avail_in = (uInt)((size_t)zn - pad);
	while (zr == Z_OK) {
		rk_buf_grow(out, 65536);
		st.next_out = (Bytef *)out->s + out->len;
		st.avail_out = 65536;
		zr = inflate(&st, Z_NO_FLUSH);
		out->len = (size_t)((char *)st.next_out - out->s);
		if (out->len > RECKON_BYTES_MAX)
			break;
	}
	if (zr == Z_STREAM_END) {
		out->s[out->len] = '\0';
		rc = 0;
	}
	(void)inflateEnd(&st);
	free(z);
	return rc;
}

int
reckon_applied_bytes(struct db *db, const struct tracked *t, const char *name,
		     struct rk_buf *out, int *known, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	const char *params[1] = { name };
	const char *v;
	int rc = -1;

	*known = 0;
	if (t->det != &det_reckon || !t->exists || !t->bytes_col)
		return 0;
	rk_buf_adds(&sql, "SELECT applied_zlib FROM ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " WHERE name = $1");
	if (db_query(db, sql.s, params, 1, &rows, err) < 0)
		goto out;
	rc = 0;
	v = rows.nrows ? db_rows_get(&rows, 0, 0) : NULL;
	if (v && *v && bytes_decode(v, out) == 0)
		*known = 1;
	else
		rk_buf_reset(out);
out:
	db_rows_release(&rows);
	rk_buf_release(&sql);
	return rc;
}

static int
reckon_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	int rc;

	rc = det_exec_t(db, t,
			"CREATE TABLE IF NOT EXISTS %T"
			" (installed_rank integer NOT NULL,"
			" name text NOT NULL PRIMARY KEY,"
			" version text NOT NULL,"
			" sha256 text NOT NULL,"
			" applied_at %TS NOT NULL,"
			" execution_ms bigint NOT NULL,"
			" applied_by text NOT NULL,"
			" token_hash text,"
			" applied_zlib text)",
			err);
	if (rc == 0)
		t->exists = t->token_col = t->bytes_col = 1;
	return rc;
}

/* A row of the table and its installed_rank. */
struct rank_row {
	long long rank;
	size_t row;
};

static int
cmp_rank(const void *a, const void *b)
{
	const struct rank_row *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row; /* stable */
}

/* The rows (installed_rank in column 7) in the order they were applied. */
static struct rank_row *
by_rank(const struct db_rows *rows)
{
	struct rank_row *v = xcalloc(rows->nrows + 1, sizeof(*v));
	int sorted = 1;

	for (size_t i = 0; i < rows->nrows; i++) {
		const char *r = db_rows_get(rows, i, 7);

		v[i].rank = r ? strtoll(r, NULL, 10) : 0;
		v[i].row = i;
		sorted = sorted && (i == 0 || v[i - 1].rank <= v[i].rank);
	}
	/* rows usually come back in the order they were inserted */
	if (!sorted)
		qsort(v, rows->nrows, sizeof(*v), cmp_rank);
	return v;
}

/* Value (i, col) of rows whose strings an applied set has taken. */
static char *
kept(const struct db_rows *rows, size_t i, size_t col)
{
	return (char *)db_rows_get(rows, i, col);
}

static int
reckon_read(struct db *db, const struct tracked *t, struct applied_set *out,
	    struct rk_err *err)
{
	const struct db_dialect *d = db_dialect(db);
	struct rk_buf sql = RK_BUF_INIT;
	struct db_rows rows = DB_ROWS_INIT;
	struct rank_row *order;
	int rc = -1;

	if (!t->exists)
		return 0;
	/* no ORDER BY: the rows are put in installed_rank order here, which
	 * costs the server a sort of the whole table less */
	rk_buf_addf(&sql,
		    "SELECT name, version, sha256, %sapplied_at%s, "
		    "execution_ms, applied_by, %s, installed_rank FROM ",
		    d->ts_read_open, d->ts_read_close,
		    t->token_col ? "token_hash" : "NULL");
	tracked_qualified(db, t, &sql);
	if (db_query(db, sql.s, NULL, 0, &rows, err) < 0)
		goto out;
	order = by_rank(&rows);
	applied_reserve(out, out->n + rows.nrows);
	/* the rows' strings become the set's: each row points at them
	 * rather than at a second copy */
	db_rows_give_strings(&rows, &out->strings);
	for (size_t k = 0; k < rows.nrows; k++) {
		size_t i = order[k].row;
		char at[32];
		const char *iso = db_ts_iso(d, db_rows_get(&rows, i, 3), at);
		struct applied *a = applied_add(out, NULL, NULL, NULL, NULL);
		const char *ms = db_rows_get(&rows, i, 4);
		const char *tok = db_rows_get(&rows, i, 6);

		a->id = kept(&rows, i, 0);
		a->version = kept(&rows, i, 1);
		a->stored_hash = kept(&rows, i, 2);
		a->applied_at = iso == at ? applied_str(out, at) : (char *)iso;
		a->exec_ms = ms ? strtol(ms, NULL, 10) : -1;
		a->applied_by = kept(&rows, i, 5);
		a->token_hash = tok && *tok ? kept(&rows, i, 6) : NULL;
	}
	free(order);
	rc = 0;
out:
	db_rows_release(&rows);
	rk_buf_release(&sql);
	return rc;
}

/*
 * The rank comes from the table once per run (under the run lock, so no
 * other runner inserts meanwhile), then counts up in the client: one
 * plain INSERT per file, not a scan of the table each time.
 */
static int
reckon_record(struct db *db, struct tracked *t, const struct mig_file *m,
	      long exec_ms, struct rk_err *err)
{
	char ms[32], rank[32];
	const char *params[8];
	int tok = t->token_col, rc;
	struct rk_buf z = RK_BUF_INIT;

	if (!t->next_rank) {
		if (det_max(db, t, "installed_rank", &t->next_rank, err) < 0)
			return -1;
		t->next_rank++;
	}
	snprintf(ms, sizeof(ms), "%ld", exec_ms);
	snprintf(rank, sizeof(rank), "%ld", t->next_rank);
	params[0] = m->name;
	params[1] = m->version;
	params[2] = m->sha256;
	params[3] = ms;
	params[4] = t->actor ? t->actor : "";
	params[5] = rank;
	params[6] = m->token_hash && m->token_hash[0] ? m->token_hash : NULL;
	/* encoded already where the run prepared it (on another thread) */
	params[7] =
		m->text_z ? m->text_z
		: m->text && reckon_bytes_encode(m->text, m->text_len, &z) == 0
			? z.s
			: NULL;
	/* token_col is set wherever bytes_col is (both added together) */
	rc = det_insert(
		db, t,
		t->bytes_col ? "installed_rank, name, version, sha256, "
			       "applied_at, execution_ms, applied_by, "
			       "token_hash, applied_zlib"
		: tok	     ? "installed_rank, name, version, sha256, "
			       "applied_at, execution_ms, applied_by, token_hash"
			     : "installed_rank, name, version, sha256, "
			       "applied_at, execution_ms, applied_by",
		t->bytes_col ? "CAST($6 AS integer), $1, $2, $3, %NOW, "
			       "CAST($4 AS %INT), COALESCE(NULLIF($5, ''), "
			       "%USER), $7, $8"
		: tok	     ? "CAST($6 AS integer), $1, $2, $3, %NOW, "
			       "CAST($4 AS %INT), COALESCE(NULLIF($5, ''), "
			       "%USER), $7"
			     : "CAST($6 AS integer), $1, $2, $3, %NOW, "
			       "CAST($4 AS %INT), COALESCE(NULLIF($5, ''), %USER)",
		params,
		t->bytes_col ? 8
		: tok	     ? 7
			     : 6,
		err);
	rk_buf_release(&z);
	if (rc < 0)
		return -1;
	t->next_rank++;
	return 0;
}

static int
reckon_repair(struct db *db, const struct tracked *t, const struct mig_file *m,
	      const struct applied *row, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT, z = RK_BUF_INIT;
	const char *params[4] = {
		m->sha256, row->id,
		m->token_hash && m->token_hash[0] ? m->token_hash : NULL, NULL
	};
	int rc;

	/* the bytes now recorded are the file's; NULL: only the hash */
	if (m->text && reckon_bytes_encode(m->text, m->text_len, &z) == 0)
		params[3] = z.s;
	rk_buf_adds(&sql, "UPDATE ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, t->bytes_col	 ? " SET sha256 = $1, token_hash = $3, "
					   "applied_zlib = $4 WHERE name = $2"
			  : t->token_col ? " SET sha256 = $1, token_hash = $3 "
					   "WHERE name = $2"
					 : " SET sha256 = $1 WHERE name = $2");
	rc = db_query(db, sql.s, params,
		      t->bytes_col   ? 4
		      : t->token_col ? 3
				     : 2,
		      NULL, err);
	rk_buf_release(&sql);
	rk_buf_release(&z);
	return rc;
}

const struct detector det_reckon = {
	.name = "reckon",
	.table = "reckon_migrations",
	.columns = reckon_cols,
	.optional = reckon_optional,
	.flags = DET_OWN_SHA256,
	.read = reckon_read,
	.ensure = reckon_ensure,
	.record = reckon_record,
	.id_column = "name",
	.repair = reckon_repair,
};
