/*
 * Shell completion: the bash, zsh and fish scripts, written at run time
 * from the command table (cmd.c), each command's option table and the
 * global options (globals.h), so that a new command or option completes
 * without anyone editing a script. The scripts ask reckon back for what
 * only the run time knows: the migration names of --dir and the
 * frameworks of the registry. Not here: what the options mean.
 */
#ifndef RECKON_COMPLETION_H
#define RECKON_COMPLETION_H

struct rk_buf;
struct rk_ctx;
struct rk_err;

/*
 * Append to out the completion script for shell ("bash", "zsh" or
 * "fish"). An unknown shell is an RK_USAGE error naming the known ones.
 */
int completion_script(const char *shell, struct rk_buf *out,
		      struct rk_err *err);

/*
 * reckon completion SHELL | names | frameworks: print the script, the
 * migration names of ctx->cfg.dir (one a line; nothing when the
 * directory cannot be read, as a completion must never complain), or
 * the frameworks of the registry (one a line). The command table's fn.
 */
int cmd_completion(int argc, char **argv, struct rk_ctx *ctx,
		   struct rk_err *err);

#endif
