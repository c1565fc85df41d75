/*
 * The reconciler: migration files and applied rows in, one state per
 * migration out (SPEC.md "Migration states"). Pure: no I/O, no database,
 * so every rule is unit-tested with plain structs.
 */
#ifndef RECKON_RECONCILE_H
#define RECKON_RECONCILE_H

#include <stddef.h>

struct applied;
struct applied_set;
struct detector;
struct mig_file;
struct mig_set;

enum mig_state {
	ST_APPLIED,
	ST_PENDING,
	ST_MODIFIED,
	ST_ORPHANED,
	ST_FAILED,
};
#define ST_COUNT 5

/* "applied", "pending", ... as in SPEC.md and the JSON output. */
const char *mig_state_name(enum mig_state s);

struct status_entry {
	char *name; /* owned: file name relative to --dir, or for an orphan
		     * what the table stores */
	char *id;   /* owned: the row's stored identifier, or NULL */
	const struct mig_file *file; /* borrowed from the mig_set, or NULL */
	const struct applied *row; /* borrowed from the applied_set, or NULL */
	enum mig_state state;
	int out_of_order; /* pending, with a lower version than one applied */
};

struct status_list {
	struct status_entry *v; /* owned, in version order */
	size_t n;
	size_t cap;
	size_t count[ST_COUNT]; /* entries per state */
};
#define STATUS_LIST_INIT                                                       \
	{                                                                      \
		NULL, 0, 0,                                                    \
		{                                                              \
			0, 0, 0, 0, 0                                          \
		}                                                              \
	}
void status_list_release(struct status_list *l);

/*
 * Compare files with rows as detector det maps them (det->file_id). A file
 * is applied when a row has its id, modified when that row's stored hash
 * differs from the file's, failed when the row says so; a file without a
 * row is pending; a row without a file is orphaned. Results borrow from
 * files and rows, which must outlive out.
 */
void reconcile(const struct mig_set *files, const struct applied_set *rows,
	       const struct detector *det, struct status_list *out);

#endif
