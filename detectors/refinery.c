/*
 * refinery's refinery_schema_history: one row per applied version (an
 * i32), the migration's name and a SipHash-1-3 checksum as a decimal
 * string. Checked against rust-db/refinery:
 * - refinery_core/src/util.rs: files ^[UV](\d+(\.\d+)?)__(\w+)\.(sql|rs)$
 *   anywhere below the location (U = unversioned, may run out of order);
 * - refinery_core/src/migration.rs: SipHasher13 (keys 0) fed name, the
 *   i32 version and the SQL as Rust's Hash does (a str is its bytes then
 *   0xff; the i32 its 4 little-endian bytes), stored as u64;
 * - refinery_core/src/traits/mod.rs: the DDL (version INT4 PRIMARY KEY,
 *   name, applied_on, checksum as VARCHAR(255)), rows read by version,
 *   INSERT (version, name, applied_on RFC 3339, checksum).
 * trailbase.c reuses these hooks for TrailBase's fork. The checksum needs
 * the file's name and version, which the checksum hook is not given:
 * inspect() computes the real one, record() recomputes it from the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

static const char *const refinery_cols[] = {
	"version", "name", "applied_on", "checksum", NULL,
};

static int
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || (c & 0x80);
}

static int
refinery_parse(const char *relpath, struct migname *out)
{
	const char *s = strrchr(relpath, '/'), *ext;
	size_t i = 1, n;

	memset(out, 0, sizeof(*out));
	s = s ? s + 1 : relpath;
	ext = strrchr(s, '.');
	if ((s[0] != 'U' && s[0] != 'V') || !ext ||
	    (strcmp(ext, ".sql") != 0 && strcmp(ext, ".rs") != 0))
		return -1;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	n = (size_t)(ext - s);
	if (i == 1 || i > 11 || strtoll(s + 1, NULL, 10) > 2147483647 ||
	    s[i] != '_' || s[i + 1] != '_' || i + 2 >= n ||
	    n - i - 2 >= sizeof(out->desc))
		return -1;
	for (size_t k = i + 2; k < n; k++)
		if (!word_char(s[k]))
			return -1;
	memcpy(out->version, s + 1, i - 1);
	memcpy(out->desc, s + i + 2, n - i - 2);
	out->kind = MIG_UP;
	out->conv = CONV_FLYWAY;
	out->code = strcmp(ext, ".rs") == 0;
	return 0;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_round(uint64_t v[4])
{
	v[0] += v[1], v[1] = ROTL(v[1], 13), v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3], v[3] = ROTL(v[3], 16), v[3] ^= v[2];
	v[0] += v[3], v[3] = ROTL(v[3], 21), v[3] ^= v[0];
	v[2] += v[1], v[1] = ROTL(v[1], 17), v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

/* SipHash-1-3 with keys 0, 0 of p[0..n). */
static uint64_t
siphash13(const unsigned char *p, size_t n)
{
	uint64_t v[4] = { 0x736f6d6570736575ULL, 0x646f72616e646f6dULL,
			  0x6c7967656e657261ULL, 0x7465646279746573ULL };
	uint64_t m, last = (uint64_t)(n & 0xff) << 56;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		m = 0;
		for (int k = 7; k >= 0; k--)
			m = (m << 8) | p[i + (size_t)k];
		v[3] ^= m, sip_round(v), v[0] ^= m;
	}
	for (int k = 0; i + (size_t)k < n; k++)
		last |= (uint64_t)p[i + (size_t)k] << (8 * k);
	v[3] ^= last, sip_round(v), v[0] ^= last;
	v[2] ^= 0xff;
	sip_round(v), sip_round(v), sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* The checksum refinery stores for name, version and sql. */
static void
refinery_sum(const char *name, const char *version, const char *s, size_t n,
	     struct rk_buf *out)
{
	struct rk_buf in = RK_BUF_INIT;
	uint32_t v = (uint32_t)strtol(version, NULL, 10);
	unsigned char le[4] = { (unsigned char)v, (unsigned char)(v >> 8),
				(unsigned char)(v >> 16),
				(unsigned char)(v >> 24) };

	rk_buf_adds(&in, name);
	rk_buf_addc(&in, (char)0xff);
	rk_buf_add(&in, le, 4);
	rk_buf_add(&in, s, n);
	rk_buf_addc(&in, (char)0xff);
	rk_buf_addf(out, "%llu",
		    (unsigned long long)siphash13((const unsigned char *)in.s,
						  in.len));
	rk_buf_release(&in);
}

/* Without the name: a stand-in that inspect() replaces. */
static void
refinery_checksum(const char *s, size_t n, struct rk_buf *out)
{
	refinery_sum("", "0", s, n, out);
}

static void
refinery_inspect(struct mig_file *f, const char *s, size_t n)
{
	struct rk_buf sum = RK_BUF_INIT;

	free(f->checksum);
	f->checksum = NULL;
	if (f->code)
		return; /* summed over the SQL the Rust code builds */
	refinery_sum(f->desc, f->version, s, n, &sum);
	f->checksum = rk_buf_detach(&sum, NULL);
}

static int
refinery_read(struct db *db, const struct tracked *t, struct applied_set *out,
	      struct rk_err *err)
{
	struct db_rows r = DB_ROWS_INIT;

	if (det_select(db, t, "version, name, applied_on, checksum", "version",
		       &r, err) < 0)
		return -1;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *v = db_rows_get(&r, i, 0);
		char at[32];

		applied_add(out, v, v, det_iso_time(db_rows_get(&r, i, 2), at),
			    db_rows_get(&r, i, 3));
	}
	db_rows_release(&r);
	return 0;
}

static int
refinery_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	return det_exec_t(db, t,
			  "CREATE TABLE IF NOT EXISTS %T("
			  " version INT4 PRIMARY KEY,"
			  " name VARCHAR(255),"
			  " applied_on VARCHAR(255),"
			  " checksum VARCHAR(255));",
			  err);
}

/* RFC 3339 UTC as the time crate writes it: fraction without trailing
 * zeros, none when zero. */
static void
rfc3339_now(char out[48])
{
	struct timeval tv;
	struct tm tm;
	time_t sec;
	char frac[16] = "";
	size_t len;

	gettimeofday(&tv, NULL);
	sec = tv.tv_sec;
	gmtime_r(&sec, &tm);
	len = strftime(out, 48, "%Y-%m-%dT%H:%M:%S", &tm);
	if (tv.tv_usec) {
		snprintf(frac, sizeof(frac), ".%06d", (int)tv.tv_usec);
		for (size_t k = strlen(frac); frac[k - 1] == '0'; k--)
			frac[k - 1] = '\0';
	}
	snprintf(out + len, 48 - len, "%sZ", frac);
}

static int
refinery_record(struct db *db, struct tracked *t, const struct mig_file *m,
		long exec_ms, struct rk_err *err)
{
	struct rk_buf ver = RK_BUF_INIT, sum = RK_BUF_INIT;
	const char *params[4];
	char now[48];
	int rc = -1;

	(void)exec_ms;
	if (m->code) {
		rk_fail(err, RK_INPUT,
			"cannot record '%s': refinery sums the SQL its Rust "
			"code builds, which reckon cannot know",
			m->name);
		goto out;
	}
	refinery_sum(m->desc, m->version, m->text, m->text_len, &sum);
	det_id_int_version(m, &ver);
	rfc3339_now(now);
	params[0] = ver.s;
	params[1] = m->desc;
	params[2] = now;
	params[3] = sum.s;
	rc = det_insert(db, t, "version, name, applied_on, checksum",
			"CAST($1 AS INTEGER), $2, $3, $4", params, 4, err);
out:
	rk_buf_release(&sum);
	rk_buf_release(&ver);
	return rc;
}

static int
refinery_repair(struct db *db, const struct tracked *t,
		const struct mig_file *m, const struct applied *row,
		struct rk_err *err)
{
	const char *params[3] = { row->id, m->checksum, m->desc };

	return det_update(db, t, "checksum = $2, name = $3",
			  "version = CAST($1 AS INTEGER)", params, 3, err);
}

const struct detector det_refinery = {
	.name = "refinery",
	.table = "refinery_schema_history",
	.columns = refinery_cols,
	.kind_note = "refinery .rs migrations are Rust code",
	.parse_name = refinery_parse,
	.inspect = refinery_inspect,
	.checksum = refinery_checksum,
	.file_id = det_id_int_version,
	.read = refinery_read,
	.ensure = refinery_ensure,
	.record = refinery_record,
	.id_column = "version",
	.repair = refinery_repair,
};
