/*
 * Settings: reckon.yaml (read with libcyaml against a schema, so an unknown
 * key or a wrong type is an error naming file, line and key), then the
 * environment, then command-line flags, each overriding the one before.
 * The only module that reads the environment. Not here: option parsing
 * (opt.h) or connecting (db.h).
 */
#ifndef RECKON_CONFIG_H
#define RECKON_CONFIG_H

struct rk_err;

struct rk_config {
	char *db_url;	     /* owned; NULL until resolved */
	char *db_source;     /* owned: where db_url came from ("--db", ...) */
	char *dir;	     /* owned; default "migrations" */
	char *schema;	     /* owned; NULL: the connection's current schema */
	char *framework;     /* owned; NULL: detect */
	char *table;	     /* owned; NULL: the framework's default */
	int lock_timeout_ms; /* PG lock_timeout, SQLite busy timeout; 5000 */
	int connect_timeout_ms; /* PG connect_timeout; -1 = not set (the
				 * URL's, PGCONNECT_TIMEOUT or 10 s) */
	int lock_wait_s;	/* how long a run waits for the run lock; 30 */
	int no_sidecar;		/* do not write reckon_file_hashes */
	char *actor; /* owned: who runs (for applied_by); may be NULL */
	int color;   /* stdout is a terminal and NO_COLOR is unset */
	char *token; /* owned: RECKON_TOKEN for serve, or NULL */
};
#define RK_CONFIG_INIT                                                         \
	{                                                                      \
		NULL, NULL, NULL, NULL, NULL, NULL, 5000, -1, 30, 0, NULL, 0,  \
			NULL                                                   \
	}

/*
 * Load the YAML file at path into cfg. When path is NULL, "reckon.yaml" in
 * the current directory is read if present. A missing file named
 * explicitly, bad YAML, an unknown key or a wrong type is an RK_CONFIG
 * error naming the file, the line and the key.
 */
int cfg_load(const char *path, struct rk_config *cfg, struct rk_err *err);

/*
 * Resolve the database URL when no --db was given: RECKON_DATABASE_URL,
 * DATABASE_URL, the config file's "database", then libpq's PG* variables
 * (as the empty conninfo ""). Also fills actor, color and token from the
 * environment. No database anywhere is an RK_CONFIG error.
 */
int cfg_resolve_env(struct rk_config *cfg, int need_db, struct rk_err *err);

/*
 * Parse a duration into ms, SPEC.md's shared grammar: a bare number is
 * seconds, else <n>ms, <n>s, <n>m (or <n>min) or <n>h; fractions are
 * allowed ("1.5s"). -1 if bad, negative or longer than 7 days.
 */
int cfg_parse_duration_ms(const char *s);

/* Replace *slot with a copy of value. */
void cfg_set(char **slot, const char *value);

void cfg_release(struct rk_config *cfg);

#endif
