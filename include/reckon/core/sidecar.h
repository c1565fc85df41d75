/*
 * reckon_file_hashes: the SHA-256 and token hash (drift.h) of each file
 * reckon applied or marked, kept beside a framework's tracking table when
 * the framework stores no checksum of its own, so that "modified" (and
 * whether only cosmetically) can still be found. One row per file name
 * relative to --dir. --no-sidecar turns it off.
 */
#ifndef RECKON_SIDECAR_H
#define RECKON_SIDECAR_H

struct applied_set;
struct db;
struct rk_err;
struct tracked;

#define SIDECAR_TABLE "reckon_file_hashes"

/* Read every row (id = file name, stored_hash = sha256, token_hash where
 * the table has the column) if it exists. */
int sidecar_read(struct db *db, const struct tracked *t,
		 struct applied_set *out, struct rk_err *err);
/* Create the table if missing (inside the run's transaction). */
int sidecar_ensure(struct db *db, struct tracked *t, struct rk_err *err);
/* Insert or replace the hashes of name (token_hash NULL or "": unknown;
 * kept only where the table has the column, drift_add_columns()). */
int sidecar_put(struct db *db, const struct tracked *t, const char *name,
		const char *sha256, const char *token_hash, struct rk_err *err);
/* Forget name. */
int sidecar_delete(struct db *db, const struct tracked *t, const char *name,
		   struct rk_err *err);

#endif
