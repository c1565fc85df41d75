/*
 * The global options: one per row of RK_CONFIG_KEYS (config.h), so that
 * every setting reckon.yaml takes is an option of the same meaning, plus
 * the few that only the command line has (--config, --json, --help, ...).
 * Not here: parsing (opt.h) or what main does with them.
 */
#ifndef RECKON_GLOBALS_H
#define RECKON_GLOBALS_H

#include "reckon/core/config.h"
#include "reckon/base/buf.h"
#include "reckon/base/opt.h"

struct rk_err;

/* What the global options set; all pointers borrowed from argv but the
 * lists. */
struct rk_globals {
	const char *value[CFG_NKEYS];  /* by cfg_keys index, NULL: not given */
	struct rk_buf list[CFG_NKEYS]; /* a CFG_LIST key's values, one a
					* line (globals_release frees) */
	int flag[CFG_NKEYS];	       /* a CFG_BOOL key given as a flag */
	const char *config;	       /* --config FILE */
	const char *wait_for_db;       /* --wait-for-db[=DURATION]: "" alone */
	const char *env;	       /* --env NAME */
	int json, debug, no_color, help, version;
	int quiet, verbose;
};

/* Room for the options of globals_opts(), with its OPT_END(). */
#define GLOBALS_NOPTS (CFG_NKEYS + 11)

/* Fill opts (GLOBALS_NOPTS rows) with the global options, pointing at g. */
void globals_opts(struct rk_globals *g, struct opt *opts);

/* Free what the lists hold. */
void globals_release(struct rk_globals *g);

/*
 * Apply the options given in g to cfg, over what the config file said. A
 * bad value is an RK_USAGE error naming the option.
 */
int globals_apply(const struct rk_globals *g, struct rk_config *cfg,
		  struct rk_err *err);

#endif
