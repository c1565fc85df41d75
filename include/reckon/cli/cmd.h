/*
 * The command table (cli/cmd.c): one row per command, sorted by name (a
 * unit test checks it), with what main.c must set up before calling it.
 */
#ifndef RECKON_CMD_H
#define RECKON_CMD_H

struct opt;
struct rk_ctx;
struct rk_err;

#define NEEDS_DB  0x1u /* main opens the database first */
#define NEEDS_DIR 0x2u /* the command reads the migrations directory */
/* With NEEDS_DB: the command never writes, so main opens the database
 * read-only (a missing SQLite file stays missing). */
#define READS_DB 0x4u
/* With NEEDS_DB: main resolves the database but the command opens it
 * (ctx_open_db), once its options say whether it writes (--dry-run). */
#define OPENS_DB 0x8u
/* With NEEDS_DIR: whose the directory looks like (detector_of_dir) is
 * worked out on a thread while the database opens, for a command that
 * asks it as soon as it has the connection (not serve, whose requests
 * come later and must see the directory as it is then). */
#define DIR_AHEAD 0x10u

/* A command's fn returns 0, RK_EXIT_CHECK (3) when its check found a
 * problem, -1 with *err set, or CMD_REPORTED when it has already shown
 * the failure (main then only exits with err's code). */
#define CMD_REPORTED (-2)

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct rk_ctx *ctx,
		  struct rk_err *err);
	unsigned needs;
	const char *synopsis; /* as in man/reckon.1 */
	const char *summary;  /* one line for --help */
};

extern const struct cmd commands[];
extern const unsigned ncommands;

/* The command called name, or NULL. */
const struct cmd *cmd_find(const char *name);

/*
 * Parse a command's options from its table. Positionals land in *args
 * (an array the caller frees, of strings borrowed from argv) and *nargs.
 * When ctx->help is set, parse nothing: append the table's help to it and
 * return 1, and the command returns 0 without doing anything (git's -h).
 * An RK_USAGE error returns -1 with *args NULL.
 */
int cmd_parse(struct rk_ctx *ctx, const char *cmd, const struct opt *opts,
	      int argc, char **argv, char ***args, int *nargs,
	      struct rk_err *err);

#endif
