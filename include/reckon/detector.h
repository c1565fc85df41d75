/*
 * Detectors: one struct detector per migration framework (one file per
 * framework in detectors/), all listed in detectors/registry.c. A detector
 * knows its tracking table's column signature, how to read applied rows, how a
 * file maps to a row, and how to write a row exactly as its framework would.
 * Detection itself is one catalog query (db_tables) and pure column matching
 * (detector_match). Not here: comparing files with rows (reconcile.h) or
 * running SQL (runner.h).
 */
#ifndef RECKON_DETECTOR_H
#define RECKON_DETECTOR_H

#include <stddef.h>

struct db;
struct db_table_list;
struct mig_file;
struct rk_buf;
struct rk_err;

/* One applied row, normalised; all strings owned. */
struct applied {
	char *id;	   /* what the table stores to name the migration */
	char *version;	   /* the version, or NULL where none is kept */
	char *applied_at;  /* ISO 8601 UTC "2025-01-10T12:00:00Z", or NULL */
	char *stored_hash; /* the stored checksum as text, or NULL */
	char *applied_by;  /* or NULL */
	long exec_ms;	   /* execution time in ms, -1 if unknown */
	int failed;	   /* recorded as failed or dirty */
};

struct applied_set {
	struct applied *v; /* owned, in the order applied */
	size_t n;
	size_t cap;
};
#define APPLIED_SET_INIT                                                       \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void applied_set_release(struct applied_set *s);
/* Append a row; strings are copied (NULL stays NULL). */
struct applied *applied_add(struct applied_set *s, const char *id,
			    const char *version, const char *applied_at,
			    const char *stored_hash);

/* A tracking table found in (or chosen for) the database. */
struct tracked {
	const struct detector *det;
	char *schema;	   /* owned; NULL on SQLite */
	char *table;	   /* owned */
	int exists;	   /* 0: not created yet (first write creates it) */
	const char *actor; /* borrowed: who applies, for applied_by; NULL:
			    * the database user */
};
void tracked_release(struct tracked *t);
/* Append schema.table (or just table) quoted for t's database. */
void tracked_qualified(struct db *db, const struct tracked *t,
		       struct rk_buf *out);
/* Append schema.table for display (unquoted). */
void tracked_display(const struct tracked *t, struct rk_buf *out);

struct detector {
	const char *name;	    /* "reckon": --framework, output */
	const char *table;	    /* default tracking table name */
	const char *const *columns; /* signature: NULL-terminated */
	/* Read every applied row of t into out. */
	int (*read)(struct db *db, const struct tracked *t,
		    struct applied_set *out, struct rk_err *err);
	/* Create the tracking table if t->exists is 0 (inside the run's
	 * transaction, so a failed batch leaves no table behind). */
	int (*ensure)(struct db *db, struct tracked *t, struct rk_err *err);
	/* Record m (whose content hashed to m->sha256) as applied. */
	int (*record)(struct db *db, const struct tracked *t,
		      const struct mig_file *m, long exec_ms,
		      struct rk_err *err);
	/* Delete the record of the row with identifier id. */
	int (*unrecord)(struct db *db, const struct tracked *t, const char *id,
			struct rk_err *err);
	/* Append the identifier a row stores for file m; NULL: m->name. */
	void (*file_id)(const struct mig_file *m, struct rk_buf *out);
};

/* The registry: every detector, NULL-terminated (detectors/registry.c). */
extern const struct detector *const detectors[];
/* reckon's native table: used when no other framework's is found. */
extern const struct detector det_reckon;
/* The detector called name, or NULL. */
const struct detector *detector_find(const char *name);

/* One match of a detector against a table in the catalog. */
struct detection {
	const struct detector *det;
	char *schema;	/* owned; NULL on SQLite */
	char *table;	/* owned */
	size_t matched; /* signature columns found */
};

struct detection_list {
	struct detection *v; /* owned, best first */
	size_t n;
	size_t cap;
};
#define DETECTION_LIST_INIT                                                    \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void detection_list_release(struct detection_list *l);

/*
 * Pure: match every detector's signature against the tables in tl. A table
 * matches a detector when its name is the detector's table and it has all
 * the signature's columns. Results are ordered best first (more signature
 * columns matched first, then by name).
 */
void detector_match(const struct db_table_list *tl, int sqlite,
		    struct detection_list *out);

#endif
