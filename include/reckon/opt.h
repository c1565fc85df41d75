/*
 * Command-line options as tables (after git's parse-options.h): each
 * command lists its options, opt_parse() fills the variables and collects
 * positional arguments. Long options only: --name, --name=value,
 * --name value; "--" ends options. Not here: what the options mean.
 */
#ifndef RECKON_OPT_H
#define RECKON_OPT_H

struct rk_err;

enum opt_type {
	OPT_BOOL,   /* int *: set to 1 */
	OPT_STRING, /* const char **: borrowed from argv */
	OPT_INT,    /* int *: a non-negative decimal */
	OPT_END,
};

struct opt {
	const char *name; /* without "--" */
	enum opt_type type;
	void *value;
	const char *help;
};
#define OPT_TABLE_END                                                          \
	{                                                                      \
		NULL, OPT_END, NULL, NULL                                      \
	}

/*
 * Parse argv[0..argc) against opts. Positional arguments, and when
 * keep_unknown is set also options not in the table, are appended in order
 * to rest (caller-provided, room for argc + 1; NULL-terminated) and counted
 * in *nrest. A bad value, a missing argument, or an unknown option without
 * keep_unknown is an RK_USAGE error naming the command.
 */
int opt_parse(const char *cmd, const struct opt *opts, int argc, char **argv,
	      int keep_unknown, char **rest, int *nrest, struct rk_err *err);

#endif
