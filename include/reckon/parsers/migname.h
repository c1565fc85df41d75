/*
 * Migration file-name conventions (parsers/migname.c): which names are
 * migrations, their version and description, and whether a file is an up,
 * down or repeatable script. Pure: a name in, fields out; no file access.
 */
#ifndef RECKON_MIGNAME_H
#define RECKON_MIGNAME_H

#include <stddef.h>

enum mig_kind {
	MIG_UP,		/* runs forward */
	MIG_DOWN,	/* undoes its up counterpart (U.., .down.sql) */
	MIG_REPEATABLE, /* Flyway R__: reruns when changed; no version */
};

/* Which naming convention a name followed. */
enum mig_conv {
	CONV_FLYWAY, /* V<ver>__<desc>.sql, U<ver>__<desc>.sql, R__<desc>.sql */
	CONV_UPDOWN, /* <ver>_<desc>.up.sql / .down.sql (golang-migrate) */
	CONV_PLAIN,  /* <ver>_<desc>.sql (dbmate, goose, sqlx, ...) */
};

struct migname {
	enum mig_kind kind;
	enum mig_conv conv;
	char version[128]; /* normalised: Flyway's '_' separators become '.' */
	char desc[256];	   /* as written, '_' kept */
	int code;	   /* the file is code (.py, .rb, .js, ...), not SQL:
			    * reckon reconciles and marks it, never runs it */
};

/*
 * Parse a file name (no directory part). Returns 0 and fills out when the
 * name follows a convention, -1 when it is not a migration name. Versions
 * are digits with '.' or '_' between digit runs (Flyway) or one run of
 * digits; anything longer than the fields hold is not a migration name.
 */
int migname_parse(const char *name, struct migname *out);

/* A line describing the accepted conventions, for error hints. */
extern const char migname_conventions[];

#endif
