/*
 * The hash cache: what reading a migration file gave (its hashes and what
 * a detector found inside) remembered by the file's stat data, so that an
 * unchanged file is not read and hashed again. One cache file per
 * migrations directory (and detector), under $XDG_CACHE_HOME/reckon
 * (default ~/.cache/reckon): outside the project and the database. A
 * missing, unreadable, read-only, corrupt or foreign cache file just means
 * no cache: everything is read again and the file rewritten when it can
 * be. Not here: which fields a file has (migfile.c decides).
 *
 * Staleness follows git's racy-index rule: an entry is trusted only when
 * the file's mtime and ctime are older, by RK_HCACHE_MARGIN_NS, than the
 * moment the scan that wrote it began (and than the cache file's own
 * mtime), so an edit within the same timestamp tick as the scan, keeping
 * the size, is still seen.
 *
 * File format (text, one record a line, fields separated by tabs, values
 * escaped: \\ \t \n; a NULL field is "-", a value is "=" then the value):
 *   reckon-hash-cache 2
 *   key =<key>
 *   start <ns since the epoch>
 *   f <name> <dev> <ino> <size> <mtime ns> <ctime ns> <field>...
 *   end <number of f lines>
 * Anything else (another version, a missing or wrong end line, a line
 * that does not parse) makes the whole file ignored.
 */
#ifndef RECKON_HCACHE_H
#define RECKON_HCACHE_H

#include <stddef.h>
#include <stdint.h>

#define RK_HCACHE_VERSION   3
#define RK_HCACHE_FIELDS    7		 /* values per file */
#define RK_HCACHE_MARGIN_NS 1000000000LL /* one second */

struct stat;

/* The stat data an entry is keyed by. */
struct rk_hstat {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
};

void rk_hstat_from(struct rk_hstat *h, const struct stat *st);

struct rk_hcache;

/*
 * The cache file path for key (any bytes that name the directory: the
 * caller passes device + real path + detector) into a new string, or NULL
 * when there is no cache directory ($XDG_CACHE_HOME not absolute and $HOME
 * unset or not absolute).
 */
char *rk_hcache_path(const char *key);

/*
 * Open the cache at path (NULL: no cache at all, every lookup misses and
 * nothing is written) for key; a file that is missing, unreadable, of
 * another version or key, or corrupt is taken as empty. Never fails.
 */
struct rk_hcache *rk_hcache_open(const char *path, const char *key);

/*
 * The cache of directory dir for tag (what the entries are: a detector's
 * name, a kind of verdict), keyed by dir's device and real path and tag;
 * no cache at all (as rk_hcache_open(NULL, ...)) when dir cannot be
 * resolved. Never fails.
 */
struct rk_hcache *rk_hcache_open_dir(const char *dir, const char *tag);

/*
 * The fields recorded for name when its stat data is st and the entry is
 * not racy; NULL otherwise. Borrowed: the strings are valid until
 * rk_hcache_close(), the array until the next rk_hcache_get(). A field
 * may be NULL.
 */
const char *const *rk_hcache_get(struct rk_hcache *c, const char *name,
				 const struct rk_hstat *st);

/* Record name's fields (copied; any may be NULL) for the next scan. */
void rk_hcache_put(struct rk_hcache *c, const char *name,
		   const struct rk_hstat *st, const char *const *fields);

/*
 * Write the cache back when this scan changed anything (a new, changed,
 * racy or vanished entry): every entry put since open, to a temporary
 * file renamed over the old one; the directory is created (mode 0700)
 * when missing. Failures are silent (no cache next time). Frees c.
 */
void rk_hcache_close(struct rk_hcache *c);

/* Free c without writing anything (a scan that failed). */
void rk_hcache_discard(struct rk_hcache *c);

/* How many entries the cache file held when opened. */
size_t rk_hcache_count(const struct rk_hcache *c);

/* How many lookups hit (for tests). */
unsigned long rk_hcache_hits(const struct rk_hcache *c);

#endif
