/*
 * Command-line options as tables (after git's parse-options.h): each
 * command lists its options, opt_parse() fills the variables and collects
 * positional arguments, and opt_usage() prints the same table as --help,
 * so help and parser cannot disagree. Long options (--name, --name=value,
 * --name value) and a few single-letter boolean aliases (-h); "--" ends
 * options. Not here: what the options mean.
 */
#ifndef RECKON_OPT_H
#define RECKON_OPT_H

struct rk_buf;
struct rk_err;

enum opt_type {
	OPTION_BOOL,   /* int *: set to 1 */
	OPTION_STRING, /* const char **: borrowed from argv */
	OPTION_INT,    /* int *: a non-negative decimal */
	/* const char **: the value after "=", or "" when the option is
	 * given alone (--wait-for-db); never takes the next argument */
	OPTION_OPTSTRING,
	/* struct rk_buf *: repeatable; each value is appended, then a
	 * newline */
	OPTION_LIST,
	OPTION_END,
};

struct opt {
	char short_name;  /* 'h' for -h, or 0 */
	const char *name; /* without "--" */
	enum opt_type type;
	void *value;	    /* what the option sets; see opt_type */
	const char *argh;   /* the value's name in help ("N"), or NULL */
	const char *help;   /* one line for --help */
	const char *defval; /* shown as "(default: ...)", or NULL */
};

/* Table rows; s is the short name or 0, a the value's name for help. */
#define OPT_BOOL(s, l, v, h)                                                   \
	{                                                                      \
		(s), (l), OPTION_BOOL, (v), NULL, (h), NULL                    \
	}
#define OPT_STRING(s, l, v, a, h)                                              \
	{                                                                      \
		(s), (l), OPTION_STRING, (v), (a), (h), NULL                   \
	}
#define OPT_INT(s, l, v, a, h)                                                 \
	{                                                                      \
		(s), (l), OPTION_INT, (v), (a), (h), NULL                      \
	}
#define OPT_OPTSTRING(s, l, v, a, h)                                           \
	{                                                                      \
		(s), (l), OPTION_OPTSTRING, (v), (a), (h), NULL                \
	}
#define OPT_END()                                                              \
	{                                                                      \
		0, NULL, OPTION_END, NULL, NULL, NULL, NULL                    \
	}

/*
 * Parse argv[0..argc) against opts. Positional arguments, and when
 * keep_unknown is set also options not in the table, are appended in order
 * to rest (caller-provided, room for argc + 1; NULL-terminated) and counted
 * in *nrest; with keep_unknown a "--" is kept too, for the next parser. A
 * bad value, a missing argument, or an unknown option without
 * keep_unknown is an RK_USAGE error, its message prefixed with "cmd: "
 * unless cmd is NULL (the global options).
 */
int opt_parse(const char *cmd, const struct opt *opts, int argc, char **argv,
	      int keep_unknown, char **rest, int *nrest, struct rk_err *err);

/*
 * Append opts to out as --help shows them, one option a line:
 * "  -h, --help            what it does (default: x)", in table order.
 */
void opt_usage(struct rk_buf *out, const struct opt *opts);

/*
 * A copy of the table opts (through its OPT_END row) with every value
 * pointer NULL, so that it outlives the variables it pointed at: the
 * names, value names and help strings stay borrowed, as they are string
 * literals. The array is the caller's to free. Shell completion reads
 * the commands' tables this way.
 */
struct opt *opt_copy(const struct opt *opts);

#endif
