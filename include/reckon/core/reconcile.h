/*
 * The reconciler: migration files and applied rows in, one state per
 * migration out (SPEC.md "Migration states"). Pure: no I/O, no database,
 * so every rule is unit-tested with plain structs.
 */
#ifndef RECKON_RECONCILE_H
#define RECKON_RECONCILE_H

#include <stddef.h>

#include "reckon/base/arena.h"

struct applied;
struct applied_set;
struct rk_buf;
struct detector;
struct mig_file;
struct mig_ignored;
struct mig_set;

enum mig_state {
	ST_APPLIED,
	ST_PENDING,
	ST_MODIFIED,
	ST_ORPHANED,
	ST_FAILED,
	ST_IGNORED, /* named like a migration, but unusable: never run or
		     * marked (mig_ignored says why) */
	ST_UNKNOWN, /* a graph file the table cannot place: a recorded head
		     * has no file, so whether it lies under that head is
		     * unknown; never run or offered to run */
};
#define ST_COUNT 7

/* "applied", "pending", ... as in SPEC.md and the JSON output. */
const char *mig_state_name(enum mig_state s);

struct status_entry {
	const char *name; /* borrowed: the file's name relative to --dir,
			   * or for an orphan what the table stores */
	const char *id;	  /* borrowed or in the list's arena: the row's
			   * stored identifier, or NULL */
	const struct mig_file *file; /* borrowed from the mig_set, or NULL */
	const struct applied *row; /* borrowed from the applied_set, or NULL */
	const struct mig_ignored *ignored; /* borrowed from the mig_set:
					    * set exactly for ST_IGNORED */
	enum mig_state state;
	int out_of_order; /* pending, with a lower version than one applied */
	const char *stored_hash; /* borrowed: what the database keeps (the
				  * framework's checksum, or the sidecar's
				  * SHA-256), or NULL */
	const char *file_hash;	 /* borrowed: the same kind of hash of the
				  * file, or NULL for an orphan */
	const char *stored_tok;	 /* borrowed: the token hash (drift.h)
				  * stored beside stored_hash, or NULL */
	int cosmetic;		 /* modified, but only in comments, white
				  * space or line endings (drift_classify) */
	size_t key;		 /* sort key: files in order, orphans by
				  * version between them */
	size_t unplaced;	 /* an orphaned head: the files it leaves
				  * unknown (ST_UNKNOWN), else 0 */
};

struct status_list {
	struct status_entry *v; /* owned, in version order */
	size_t n;
	size_t cap;
	size_t count[ST_COUNT];	 /* entries per state */
	size_t cosmetic;	 /* of the modified, those only cosmetic */
	char *heads_warning;	 /* owned: the files' revision graph has
				  * several heads, and how to merge them;
				  * else NULL */
	struct rk_arena strings; /* ids the rows do not hold */
};
#define STATUS_LIST_INIT                                                       \
	{                                                                      \
		NULL, 0, 0, { 0, 0, 0, 0, 0, 0, 0 }, 0, NULL, RK_ARENA_INIT    \
	}
void status_list_release(struct status_list *l);

/*
 * Append to out the warning that e deserves on its own, one sentence
 * without a final period (an ignored entry: its name, why, and that it is
 * never used; an orphaned head that leaves files unknown: its id, how
 * many, what to do); returns 1 if there is one, else 0 with out
 * unchanged. The text and JSON renderers and check all say it with these
 * words.
 */
int status_warning(const struct status_entry *e, struct rk_buf *out);

/*
 * Compare files with rows as detector det maps them (det->file_id). A file
 * is applied when a row has its id, modified when the stored hash differs
 * from the file's (the framework's checksum where it keeps one, else the
 * SHA-256 in the row or in sidecar, whose rows are keyed by file name),
 * failed when the row says so; a file without a row is pending; a row
 * without a file is orphaned; an entry that files lists as ignored for
 * another reason than its name (mig_ignored, not IGN_NAME) is ignored,
 * placed among the files by the version its name gives. For DET_HEAD detectors
 * the rows are heads: files up to a head's version, or its ancestors when files
 * name their parents, are applied. When files name their parents and a head
 * has no file, that head is orphaned and every file no other head covers is
 * unknown, never pending; when the files' graph has several heads,
 * out->heads_warning says so. Results borrow from files, rows and sidecar
 * (may be NULL), which must outlive out.
 */
void reconcile(const struct mig_set *files, const struct applied_set *rows,
	       const struct applied_set *sidecar, const struct detector *det,
	       struct status_list *out);

#endif
