/*
 * The kept scan (scan_cache.h). The watches are placed before the scan
 * reads anything, so a change made while it reads leaves an event that
 * the next lookup sees: the copy may be of a directory that has just
 * changed, never kept past the change.
 */
#include "reckon/core/scan_cache.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

#define WATCH                                                                  \
	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY |     \
	 IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
#define FILE_WATCH                                                             \
	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)

void
scan_cache_init(struct scan_cache *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (pthread_mutex_init(&c->lock, NULL) != 0)
		rk_bug("cannot initialise a mutex");
}

static void
forget(struct scan_cache *c)
{
	if (c->filled)
		mig_set_release(&c->set);
	c->filled = 0;
	c->det = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void
scan_cache_release(struct scan_cache *c)
{
	forget(c);
	(void)pthread_mutex_destroy(&c->lock);
}

/* Nonzero if an event (or an overflow, or an error) is waiting on fd. */
static int
changed(int fd)
{
	char ev[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n = read(fd, ev, sizeof(ev));

	return n != -1 || errno != EAGAIN;
}

/*
 * Nonzero if path is on a file system that only this kernel changes, so
 * that inotify sees every change: a network file system (NFS, SMB, a
 * FUSE mount) can change under it without an event, and an overlay when
 * a layer is written directly.
 */
static int
local_fs(const char *path)
{
	static const unsigned long local[] = {
		0xEF53,	    /* ext2, ext3, ext4 */
		0x58465342, /* XFS */
		0x9123683E, /* Btrfs */
		0x01021994, /* tmpfs */
		0xF2F52010, /* F2FS */
		0x2FC12FC1, /* ZFS */
	};
	struct statfs fs;

	if (statfs(path, &fs) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(local) / sizeof(*local); i++)
		if ((unsigned long)fs.f_type == local[i])
			return 1;
	return 0;
}

/*
 * Watch path and its regular files; 0 if it is not on a local file
 * system (local_fs) or its entries (and, depth 0, its subdirectories') can
 * change only with an event there: no symbolic links, no regular file
 * with another hard link, which a write through another name changes
 * without telling these directories.
 */
static int
watch(int fd, const char *path, int depth)
{
	struct rk_buf sub = RK_BUF_INIT;
	struct dirent *de;
	int ok = local_fs(path) &&
		 inotify_add_watch(fd, path, WATCH | IN_ONLYDIR) >= 0;
	DIR *d = ok ? opendir(path) : NULL;

	ok = d != NULL;
	while (ok && (de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		rk_buf_reset(&sub);
		rk_buf_addf(&sub, "%s/%s", path, de->d_name);
		if (lstat(sub.s, &st) < 0 || S_ISLNK(st.st_mode) ||
		    (S_ISREG(st.st_mode) && st.st_nlink > 1))
			ok = 0;
		else if (S_ISDIR(st.st_mode) && depth == 0)
			ok = watch(fd, sub.s, 1);
		else if (S_ISREG(st.st_mode))
			/* the file itself: a hard link made later, outside,
			 * writes it without an event in this directory */
			ok = inotify_add_watch(fd, sub.s,
					       FILE_WATCH | IN_DONT_FOLLOW) >=
			     0;
	}
	if (d)
		closedir(d);
	rk_buf_release(&sub);
	return ok;
}

/* Nonzero if dir is the directory that c watches. */
static int
same_dir(const struct scan_cache *c, const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && st.st_dev == c->dev &&
	       st.st_ino == c->ino;
}

int
scan_cache_lookup(struct scan_cache *c, const char *dir,
		  const struct detector *det, struct mig_set *out)
{
	struct stat st;

	pthread_mutex_lock(&c->lock);
	if (c->filled && c->det == det && strcmp(c->set.dir, dir) == 0 &&
	    !changed(c->fd) && same_dir(c, dir)) {
		mig_set_copy(out, &c->set);
		pthread_mutex_unlock(&c->lock);
		return 1;
	}
	forget(c);
	c->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	/* another directory put at the path between this stat and the
	 * watches makes the next lookup miss, as it should */
	if (stat(dir, &st) < 0)
		memset(&st, 0, sizeof(st)); /* no directory matches */
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	if (c->fd >= 0 && !watch(c->fd, dir, 0)) {
		close(c->fd);
		c->fd = -1;
	}
	return 0;
}

void
scan_cache_store(struct scan_cache *c, const struct detector *det,
		 const struct mig_set *set)
{
	if (set && set->dir && c->fd >= 0) {
		mig_set_copy(&c->set, set);
		c->filled = 1;
		c->det = det;
	} else {
		forget(c);
	}
	pthread_mutex_unlock(&c->lock);
}
