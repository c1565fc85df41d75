/*
 * The migration files of a directory: discovered, named by convention
 * (migname.h), hashed, paired with their down scripts and ordered by
 * version. Not here: what the database recorded (detector.h) or how the
 * two compare (reconcile.h).
 */
#ifndef RECKON_MIGFILE_H
#define RECKON_MIGFILE_H

#include <stddef.h>

#include "reckon/base/arena.h"
#include "reckon/parsers/migname.h"

struct detector;
struct rk_buf;
struct migpattern;
struct rk_err;

/*
 * In a mig_set, every string of a file is in the set's arena (strings),
 * never freed on its own. While a detector's inspect() runs, desc, id,
 * parent and checksum are malloc'd (it may free or replace them); the
 * scan moves them into the arena afterwards.
 */
struct mig_file {
	char *name;	 /* path relative to the directory, as on disk */
	char *path;	 /* directory + "/" + name */
	char *version;	 /* normalised version, "" for repeatables */
	char *desc;	 /* from the name (Alembic: the docstring) */
	char *down_name; /* the matching down script's name, or NULL */
	char *id;	 /* the identifier the framework stores, when it
			  * comes from inside the file (Alembic), or NULL */
	char *parent;	 /* what the file needs, ","-joined: Alembic's
			  * down_revision ids, Django's dependencies as
			  * "app/name"; or NULL */
	char *checksum;	 /* the framework's checksum of the bytes, or NULL
			  * when it stores none */
	size_t size;	 /* bytes */
	enum mig_kind kind;
	enum mig_conv conv;
	int code;		/* code, not SQL: never executed */
	char sha256[65];	/* hex SHA-256 of the file's bytes */
	const char *token_hash; /* borrowed: hex hash of the bytes' token
				 * stream (drift.h), or NULL (or "") when
				 * not computed; NULL in a mig_set */
	const char *text;	/* borrowed: the bytes that ran (or, marked
				 * without running, the file's bytes), in
				 * the copy record() and record_failed()
				 * get; NULL in a mig_set */
	size_t text_len;	/* bytes at text */
	const char *text_z;	/* borrowed: text as reckon_bytes_encode()
				 * gives it, when already encoded, or NULL */
};

/*
 * Why a directory entry is listed but never read, run or marked. Apart
 * from IGN_NAME (a note), each is a migration name that reckon cannot use
 * (reconcile.h lists it as ST_IGNORED); mig_ignore_reason() says why.
 */
enum mig_ignore {
	IGN_NAME,     /* a .sql name that follows no convention */
	IGN_PATTERN,  /* a name reckon.yaml's files.pattern does not match */
	IGN_NOT_UTF8, /* the name is not UTF-8 */
	IGN_DANGLING, /* a symbolic link to nothing */
	IGN_LOOP,     /* a symbolic link that leads back to itself */
	IGN_DIR,      /* not a regular file: a directory */
	IGN_FIFO,     /* ... a FIFO (named pipe) */
	IGN_SOCKET,   /* ... a socket */
	IGN_DEVICE,   /* ... a character or block device */
	IGN_OTHER,    /* ... anything else stat() can name */
	IGN_SUBDIR,   /* a .sql file one directory down, which the
		       * framework in use does not read (Diesel's
		       * <version>_<name>/up.sql without --framework) */
	IGN_CODE,     /* a code file (.py, .js, .rb, ...) the framework in
		       * use does not read: another framework's migration */
};

struct mig_ignored {
	char *name;    /* owned: as on disk, bytes that are not UTF-8
			* written \xNN, so it is always UTF-8 */
	char *version; /* owned: the version its name gives, or "" */
	enum mig_ignore why;
};

/* "not a migration file name", "dangling symbolic link", "not a regular
 * file: FIFO", ...: a static string. */
const char *mig_ignore_reason(enum mig_ignore why);

/* Nonzero for the reasons that make a note, not an ignored migration:
 * IGN_NAME and IGN_PATTERN (names that are not migrations at all). */
int mig_ignore_is_note(enum mig_ignore why);

struct mig_set {
	struct mig_file *v; /* owned: up and repeatable files, in run order */
	size_t n;
	size_t cap;
	struct mig_ignored *ignored; /* owned: entries listed, never used,
				      * in the directory's order */
	size_t nignored;
	char *dir;		 /* owned */
	struct rk_arena strings; /* the files' strings */
};
#define MIG_SET_INIT                                                           \
	{                                                                      \
		NULL, 0, 0, NULL, 0, NULL, RK_ARENA_INIT                       \
	}

/*
 * Read the directory dir: every file that det (NULL: reckon's own
 * conventions) takes for a migration becomes a mig_file, down scripts
 * attached to their up file rather than listed; other .sql files are
 * listed in ignored (IGN_NAME). So is, with its reason, every entry named
 * like a migration that is not a regular file (a dangling symbolic link or
 * a loop, a directory, a FIFO, a socket, a device) or whose name is not
 * UTF-8: those are never opened. Files one directory down are offered to
 * det too when it has its own parse_name (Prisma's <name>/migration.sql).
 * Each file is read once to hash it, checksum it as det does and let det
 * inspect it. Files whose det->inspect gives them a parent are ordered as
 * their graph runs (roots first), the others by version. Errors: a missing
 * or unreadable directory (RK_CONFIG), an unreadable file, a file that is
 * not UTF-8 text, two files with the same version (RK_INPUT, naming both).
 */
int mig_scan(const char *dir, const struct detector *det, struct mig_set *out,
	     struct rk_err *err);
/*
 * mig_scan() with the user's file-name rule: with pattern (not NULL), a
 * file is a migration when pattern matches its name, whatever det's own
 * names are, and every other regular file is listed in ignored
 * (IGN_PATTERN). det still checksums and inspects the files.
 */
int mig_scan_named(const char *dir, const struct detector *det,
		   struct migpattern *pattern, struct mig_set *out,
		   struct rk_err *err);
void mig_set_release(struct mig_set *s);
/* A copy of from in *to (owned by the caller), every string its own;
 * the files' text, borrowed, is not copied. */
void mig_set_copy(struct mig_set *to, const struct mig_set *from);

/* The file called name, or NULL; borrowed from s. */
const struct mig_file *mig_find(const struct mig_set *s, const char *name);

/*
 * Read a migration file's text into buf (replacing its contents) and check
 * it is UTF-8 text without NUL bytes; errors name the file (RK_INPUT).
 */
int mig_read(const char *path, const char *name, struct rk_buf *buf,
	     struct rk_err *err);

/*
 * The part of a file's text that migrates up: where the file has section
 * markers (det's sections: dbmate's "-- migrate:up"/"-- migrate:down",
 * goose's "-- +goose Up/Down", ...), the text between the up and the
 * down marker; otherwise all of it. With det NULL or without sections
 * (reckon's own table, Flyway's, ...) the directory conventions apply:
 * every detector's markers. *off and *len select the slice of s; returns
 * 1 if markers were found, else 0.
 */
int mig_up_section(const struct detector *det, const char *s, size_t n,
		   size_t *off, size_t *len);

/* The down part of a file with section markers (det's, as for
 * mig_up_section); returns 1 if there is one, else 0 (and *len 0). */
int mig_down_section(const struct detector *det, const char *s, size_t n,
		     size_t *off, size_t *len);

/* The detector whose section markers (any detector's) s[0..n) has, the
 * first marker deciding; NULL when it has none. */
const struct detector *mig_sections_owner(const char *s, size_t n);

/*
 * Append how a file gets a down script in det's style, for a hint: its
 * own down marker line as 'new' writes it ("a '-- Down Migration'
 * section" for node-pg-migrate), else the directory conventions ("a
 * .down.sql (or U) file, or a '-- migrate:down' section").
 */
void mig_down_advice(const struct detector *det, struct rk_buf *out);

/* Is the line s[0..ll) (no newline) one of det's up markers (down: down
 * markers), as mig_up_section reads them? */
int mig_marker_line(const struct detector *det, int down, const char *s,
		    size_t ll);

/* Hex SHA-256 of s[0..n) into out[65]. */
void rk_sha256_hex(const void *s, size_t n, char out[65]);

#endif
