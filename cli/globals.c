/*
 * The global options, made from the config key table so that a key of
 * reckon.yaml and its option cannot drift apart.
 */
#include "reckon/cli/globals.h"

#include <stdio.h>
#include <string.h>

#include "reckon/base/err.h"
#include "reckon/core/wait.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

void
globals_opts(struct rk_globals *g, struct opt *opts)
{
	const struct opt rest[] = {
		OPT_STRING(0, "config", &g->config, "FILE",
			   "the configuration file (default: reckon.yaml)"),
		OPT_STRING(0, "env", &g->env, "NAME",
			   "use this environment of reckon.yaml "
			   "(default: $RECKON_ENV)"),
		OPT_BOOL(0, "json", &g->json, "print one JSON document"),
		OPT_BOOL(0, "debug", &g->debug,
			 "with an error, where reckon raised it"),
		OPT_BOOL(0, "no-color", &g->no_color,
			 "never colour the output"),
		OPT_OPTSTRING(0, "wait-for-db", &g->wait_for_db, "DURATION",
			      "first wait until the server accepts "
			      "connections (default: 60s)"),
		OPT_BOOL('q', "quiet", &g->quiet,
			 "print only errors (and what --json asks for)"),
		OPT_BOOL('v', "verbose", &g->verbose,
			 "also say where each setting came from"),
		OPT_BOOL('h', "help", &g->help, "show this help"),
		OPT_BOOL('V', "version", &g->version, "show reckon's version"),
		OPT_END(),
	};
	size_t n = 0;

	for (size_t i = 0; i < CFG_NKEYS; i++, n++) {
		const struct cfg_key *k = &cfg_keys[i];
		int flag = k->type == CFG_BOOL, list = k->type == CFG_LIST;

		rk_buf_init(&g->list[i]);
		opts[n] = (struct opt){
			.name = k->flag,
			.type = flag   ? OPTION_BOOL
				: list ? OPTION_LIST
				       : OPTION_STRING,
			.value = flag	? (void *)&g->flag[i]
				 : list ? (void *)&g->list[i]
					: (void *)&g->value[i],
			.argh = k->argh,
			.help = k->help,
			.defval = k->defval,
		};
	}
	_Static_assert(CFG_NKEYS + ARRAY_SIZE(rest) == GLOBALS_NOPTS,
		       "GLOBALS_NOPTS counts the rows");
	memcpy(opts + n, rest, sizeof(rest));
}

void
globals_release(struct rk_globals *g)
{
	for (size_t i = 0; i < CFG_NKEYS; i++)
		rk_buf_release(&g->list[i]);
}

int
globals_apply(const struct rk_globals *g, struct rk_config *cfg,
	      struct rk_err *err)
{
	for (size_t i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const char *v = g->flag[i]	 ? "true"
				: g->list[i].len ? g->list[i].s
						 : g->value[i];
		char src[64];

		if (!v)
			continue;
		snprintf(src, sizeof(src), "--%s", k->flag);
		if (cfg_apply(cfg, k, v, src, err) < 0) {
			rk_err_prefix(err, "%s", src);
			err->kind = RK_USAGE;
			return -1;
		}
	}
	if (g->wait_for_db) {
		int ms = *g->wait_for_db ? cfg_parse_duration_ms(g->wait_for_db)
					 : RK_WAIT_DEFAULT_MS;

		if (ms < 0)
			return rk_fail(err, RK_USAGE,
				       "--wait-for-db: invalid duration '%s' "
				       "(use e.g. 500ms, 5s, 2m, 1h)",
				       g->wait_for_db);
		cfg->wait_for_db_ms = ms;
	}
	return 0;
}
