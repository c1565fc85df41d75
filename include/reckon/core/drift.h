/*
 * Drift: applied files that changed since they were recorded, and records
 * a framework marked failed or dirty. Two things live here. The token hash
 * tells a cosmetic edit (comments, white space, line endings) from a real
 * one: reckon stores it beside the byte hash whenever it applies or marks
 * a file, in reckon_migrations.token_hash or reckon_file_hashes.token_hash.
 * The drift gate refuses a run while real drift is there (SPEC.md
 * "Running"). Not here: what the states are (reconcile.h).
 */
#ifndef RECKON_DRIFT_H
#define RECKON_DRIFT_H

#include <stddef.h>

struct db;
struct db_table_list;
struct mig_file;
struct rk_err;
struct rk_session;
struct sql_dialect;
struct tracked;

/*
 * Hex SHA-256 of s[0..n)'s token stream into out[65]: every token the
 * lexer finds, in order, except white space and ordinary comments. A
 * comment that steers a tool (reckon:, migrate:up, +goose, +migrate,
 * no-transaction, Flyway ${placeholders}, ...) is a token. CRLF counts as
 * LF inside tokens and a leading UTF-8 BOM is ignored, as Flyway's
 * checksum ignores both.
 */
void drift_token_hash(const char *s, size_t n, const struct sql_dialect *d,
		      char out[65]);

/*
 * The token hash to record for m in out[65]: m->token_hash if set, else
 * that of m->path read again, provided its bytes still hash to m->sha256
 * (the bytes that ran); "" when t keeps no token hash or the file cannot
 * be read or changed meanwhile (the record is then byte-only, which is
 * safe: a later edit of any kind counts as real drift).
 */
void drift_fill(struct db *db, const struct tracked *t,
		const struct mig_file *m, char out[65]);

/* Note in t whether its tables in tl have the token_hash column. */
void drift_note_columns(const struct db_table_list *tl, struct tracked *t);

/*
 * Inside the write transaction, after the tables exist: add token_hash to
 * reckon_migrations (native) or reckon_file_hashes (sidecar) where it is
 * missing. Reads never add it; tables without it stay readable.
 */
int drift_add_columns(struct db *db, struct tracked *t, struct rk_err *err);

/*
 * Mark each modified entry of s whose file's token hash (in d's dialect)
 * equals the stored one as cosmetic, and count them in s->status.cosmetic.
 * Only modified files with a stored token hash are read again; a file
 * that cannot be read stays a real modification.
 */
void drift_classify(struct rk_session *s, const struct sql_dialect *d);

/*
 * The drift gate: RK_CHECK naming every applied file modified for real
 * (not cosmetic) and every failed or dirty record, with what to do;
 * 0 when there is none.
 */
int drift_gate(const struct rk_session *s, struct rk_err *err);

#endif
