/*
 * A server's copy of the migrations directory as the scan found it, kept
 * between requests while inotify reports nothing under it: a create,
 * delete, move, write or attribute change in the directory or in one of
 * its subdirectories (the levels the scan reads) empties it, and the next
 * request scans again; so does one that finds another directory at the
 * path (a parent renamed, say, which no watch sees). Where inotify is
 * missing, or where a change could come without an event in those
 * directories (a symbolic link, a file with other hard links, a network
 * or overlay file system), nothing is kept: every request scans.
 */
#ifndef RECKON_SCAN_CACHE_H
#define RECKON_SCAN_CACHE_H

#include <pthread.h>
#include <sys/types.h>

#include "reckon/detectors/migfile.h"

struct detector;

struct scan_cache {
	pthread_mutex_t lock; /* held from a lookup that misses to the store */
	int fd;		      /* inotify descriptor, or -1 */
	int filled;	      /* set holds the scan, watched since before it */
	const struct detector *det; /* the framework the set was read as */
	struct mig_set set;
	dev_t dev; /* the directory the watches are on */
	ino_t ino;
};

void scan_cache_init(struct scan_cache *c);
void scan_cache_release(struct scan_cache *c);

/*
 * 1 with a copy of the kept scan of dir as det reads it in *out (owned
 * by the caller), when nothing has changed since. Otherwise 0, with the
 * cache locked and the directory watched anew: the caller scans and
 * calls scan_cache_store() whatever the scan's outcome.
 */
int scan_cache_lookup(struct scan_cache *c, const char *dir,
		      const struct detector *det, struct mig_set *out);

/* Keep a copy of set (NULL: the scan failed, keep nothing); unlocks. */
void scan_cache_store(struct scan_cache *c, const struct detector *det,
		      const struct mig_set *set);

#endif
