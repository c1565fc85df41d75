/*
 * Pieces every detector needs (detectors/common.c): the SELECT, INSERT and
 * DELETE a tracking table gets, value formats (timestamps, versions), and
 * name mapping. A detector file then holds facts, not boilerplate. All
 * SQL goes through the db.h wrappers: values as $n parameters, names
 * quoted by the driver.
 */
#ifndef RECKON_DETCOMMON_H
#define RECKON_DETCOMMON_H

#include <stddef.h>

#include "reckon/db/db.h"

struct applied_set;
struct migname;
struct db;
struct db_rows;
struct mig_file;
struct rk_buf;
struct rk_err;
struct tracked;

/*
 * SQL text a detector passes in may hold the dialect tokens of
 * db_dialect_expand() (%TRUE, %INT, %NOW, ...): each builder below spells
 * them for db's engine.
 *
 * SELECT <cols> FROM <t's table> [ORDER BY <order>] into out. cols and
 * order are SQL text written by the detector (column names as literals in
 * its source, never user input).
 */
int det_select(struct db *db, const struct tracked *t, const char *cols,
	       const char *order, struct db_rows *out, struct rk_err *err);

/* Where det_read_ids() takes a row's version from. */
enum det_version_from {
	DET_VER_NONE,	/* no version */
	DET_VER_ID,	/* the id itself (Rails, dbmate, Laravel, ...) */
	DET_VER_DIGITS, /* the id's leading digits, after a leading '/'
			 * (db-migrate, node-pg-migrate) */
};

/*
 * The read() of a table that names each migration in one column: SELECT
 * id_col [, time_col] ORDER BY order, each row added with that id, its
 * version taken as ver says, and the time normalised by det_iso_time.
 * time_col may be NULL.
 */
int det_read_ids(struct db *db, const struct tracked *t, const char *id_col,
		 enum det_version_from ver, const char *time_col,
		 const char *order, struct applied_set *out,
		 struct rk_err *err);

/* INSERT INTO <t> (<cols>) VALUES (<values>): values is SQL text with $n
 * placeholders for the params. */
int det_insert(struct db *db, const struct tracked *t, const char *cols,
	       const char *values, const char *const *params, int nparams,
	       struct rk_err *err);

/* DELETE FROM <t> WHERE <col> = $1 with value (col: a literal name). */
int det_delete(struct db *db, const struct tracked *t, const char *col,
	       const char *value, struct rk_err *err);

/* UPDATE <t> SET <set> WHERE <where>: both SQL text with $n params. */
int det_update(struct db *db, const struct tracked *t, const char *set,
	       const char *where, const char *const *params, int nparams,
	       struct rk_err *err);

/* Run sql (DDL with no parameters) where "%T" stands for t's quoted,
 * qualified table name, and dialect tokens are spelled for db. */
int det_exec_t(struct db *db, const struct tracked *t, const char *sql,
	       struct rk_err *err);

/*
 * det_exec_t() of ddl[engine]: a framework's DDL as its own tool writes it
 * on each engine, stated as a fact:
 *	static const char *const ddl[DB_NKINDS] = {
 *		[DB_PG] = "CREATE TABLE %T (version bigint ...)",
 *		[DB_SQLITE] = "CREATE TABLE %T (version INTEGER ...)",
 *	};
 */
int det_exec_ddl(struct db *db, const struct tracked *t,
		 const char *const ddl[DB_NKINDS], struct rk_err *err);

/* Append sql to out with each tok (a detector's own placeholder, such as
 * a constraint's name) replaced by with. */
void det_subst(const char *sql, const char *tok, const char *with,
	       struct rk_buf *out);

/* The member of any per-engine fact table (a time format, a flag) for db's
 * engine; db_pick() is the same for tables of strings. */
#define DET_FACT(db, facts) ((facts)[db_dialect(db)->kind])

/* SELECT COALESCE(MAX(<col>), 0) FROM <t>, as a number. */
int det_max(struct db *db, const struct tracked *t, const char *col, long *out,
	    struct rk_err *err);

/*
 * Normalise a stored time to ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ" in out:
 * accepts "YYYY-MM-DD HH:MM:SS[.frac][+HH[:MM]|Z]" (PG text output, SQLite
 * text), "YYYY-MM-DDTHH:MM:SS..." and integer epoch seconds or
 * milliseconds (13 digits). Returns out, or NULL if raw is NULL or not a
 * time (out is then "").
 */
const char *det_iso_time(const char *raw, char out[32]);

/*
 * The current UTC time in one of the formats frameworks store:
 * DET_TIME_ISO_Z "2025-01-10T12:00:00.123Z" (Kysely), DET_TIME_SPACE_US
 * "2025-01-10 12:00:00.123456" (Django), DET_TIME_SPACE_MS
 * "2025-01-10 12:00:00.123", DET_TIME_SPACE "2025-01-10 12:00:00",
 * DET_TIME_EPOCH_MS "1736510400123", DET_TIME_COMPACT "20250110120000"
 * (a version number from the clock).
 */
enum det_time {
	DET_TIME_ISO_Z,
	DET_TIME_SPACE_US,
	DET_TIME_SPACE_MS,
	DET_TIME_SPACE,
	DET_TIME_EPOCH_MS,
	DET_TIME_COMPACT,
};
void det_now(enum det_time fmt, char out[40]);

/* Is there a file (or directory) rel under dir ("../env.py" allowed)? */
int det_dir_has(const char *dir, const char *rel);

/* dir_evidence() for a directory that has file rel: why says so. */
int det_dir_evidence_file(const char *dir, const char *rel, struct rk_buf *why);

/* The first entry of dir (sorted) that accepts (told readdir's d_type,
 * DT_UNKNOWN when the file system does not say): its name in why, and
 * how many there are in *n; 0 when none. */
int det_dir_first(const char *dir,
		  int (*accepts)(const char *dir, const char *name,
				 unsigned char type),
		  size_t *n, struct rk_buf *why);

/*
 * det_dir_first() for a test on a file's name and the bytes of the
 * regular file it names (a symbolic link followed): name_ok() first, then
 * text_ok() on the bytes. Verdicts are kept in the hash cache (hcache.h)
 * under tag, by the file's stat data, so an unchanged file is not read
 * again; a file that is no regular file or cannot be read is not taken.
 */
int det_dir_first_text(const char *dir, const char *tag,
		       int (*name_ok)(const char *name),
		       int (*text_ok)(const char *s, size_t n), size_t *n,
		       struct rk_buf *why);

/* Append m's name without its directory part and without the extension
 * (the last ".x"), e.g. "20240101_x" for "20240101_x.sql". */
void det_stem(const struct mig_file *m, struct rk_buf *out);
/* file_id hooks built on it: the stem; the version; the name. */
void det_id_stem(const struct mig_file *m, struct rk_buf *out);
void det_id_version(const struct mig_file *m, struct rk_buf *out);

/* Leading digits of a version with leading zeros removed ("0042" ->
 * "42", "0" stays "0"), for frameworks that store versions as integers. */
void det_id_int_version(const struct mig_file *m, struct rk_buf *out);

/* Lower-case hex of n bytes. */
void det_hex(const unsigned char *p, size_t n, struct rk_buf *out);

/* Digests from libcrypto ("sha1", "sha256", "sha384", "md5") of s[0..n)
 * into out as raw bytes (out must hold 64); returns the length. */
size_t det_digest(const char *algo, const void *s, size_t n,
		  unsigned char *out);

/*
 * Split the stem s[0..n) (a file name without its extension) into its
 * leading digits, out->version, and what follows them, out->desc; how
 * says what may follow the digits, seps lists the separator characters.
 * Returns the number of digits (0 is the caller's to refuse), or -1 when
 * the rule fails or a part does not fit out. Other fields are left alone.
 */
enum det_sep {
	DET_SEP_OR_END,	  /* a separator then the description, or nothing */
	DET_SEP_REQUIRED, /* a separator then the description (maybe "") */
	DET_SEP_OPTIONAL, /* a separator after the digits is skipped; the
			   * rest is the description */
};
int det_split_digits(const char *s, size_t n, const char *seps,
		     enum det_sep how, struct migname *out);

/* A standard ".sql" file name parse for frameworks whose names are
 * <digits><sep><desc><suffix>: sep '_' or '-', suffix e.g. ".sql",
 * ".up.sql", ".py"; code marks the result as code. */
int det_parse_digits(const char *relpath, char sep, const char *suffix,
		     int code, struct migname *out);

/*
 * Status output parsers for det_runner.parse_status: every line's first
 * word of [A-Za-z0-9_] (not a log line: INFO, WARNING, ERROR, DEBUG);
 * the word after prefix on lines that start (after blanks) with it
 * ("[X] ", "up "); one per line into out.
 */
void det_first_words(const char *s, size_t n, struct rk_buf *out);
void det_words_after(const char *s, size_t n, const char *prefix,
		     struct rk_buf *out);

#endif
