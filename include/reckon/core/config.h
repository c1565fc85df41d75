/*
 * Settings: reckon.yaml (read with libcyaml against a schema, so an unknown
 * key or a wrong type is an error naming file, line and key), then the
 * environment, then command-line flags, each overriding the one before.
 * The only module that reads the environment. Not here: option parsing
 * (opt.h) or connecting (db.h).
 */
#ifndef RECKON_CONFIG_H
#define RECKON_CONFIG_H

#include <stddef.h>

struct migpattern;
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
	int color;   /* stdout is a terminal, NO_COLOR unset, TERM not dumb */
	char *token; /* owned: RECKON_TOKEN for serve, or NULL */
	char *label; /* owned: what the user calls this database ("prod"),
		      * shown by confirmations and serve's banner; or NULL */
	int statement_timeout_ms; /* PG statement_timeout; 0: the server's */
	int wait_for_db_ms; /* --wait-for-db: wait this long for the server
			     * before connecting; 0: do not wait */
	char *env;  /* owned: the environment of reckon.yaml in use (--env,
		     * RECKON_ENV), or NULL */
	int dotenv; /* bits DOTENV_*: the variables a .env file gave */
	/* reckon.yaml "lint:" (lint.h), or --error-above */
	long long lint_error_above; /* bytes, when lint_error_above_set */
	int lint_error_above_set;
	char *lint_sqlite_version; /* owned: "3.34.1", or NULL: the
				    * linked library's */
	char *django_app;	   /* owned: the Django app label of --dir's
				    * migrations; NULL: the evidence tells */
	char *runner;		   /* owned: the framework's command for code
				    * migrations (argv words), or NULL: the
				    * detector's default */
	char *runner_env;	   /* owned: "NAME=VALUE" lines set for it
				    * ({url}: the database URL), or NULL */
	char *placeholders;	   /* owned: Flyway placeholders as "NAME=VALUE"
				    * lines, or NULL (placeholder.h) */
	struct migpattern *files_pattern; /* owned: reckon.yaml's
					   * files.pattern, compiled; NULL:
					   * the framework's own names */
};
/* Designated, so that a new member is NULL or 0 without a change here. */
#define RK_CONFIG_INIT                                                         \
	{                                                                      \
		.lock_timeout_ms = 5000, .connect_timeout_ms = -1,             \
		.lock_wait_s = 30,                                             \
	}

/*
 * Every setting that both reckon.yaml and a global option give, one row
 * each: the key in reckon.yaml (also the name of struct yaml_config's
 * member), the option without "--", the option value's name in --help,
 * how the value is read (enum cfg_type), the struct rk_config member it
 * sets, the default --help shows (NULL: none to show) and the help line.
 * The YAML schema, the global options, their help and the man page tests
 * are all made from this list.
 */
#define RK_CONFIG_KEYS(X)                                                      \
	X(database, "db", "URL", CFG_DATABASE, db_url, NULL,                   \
	  "the database: postgres://..., sqlite:FILE")                         \
	X(dir, "dir", "PATH", CFG_STRING, dir, "migrations",                   \
	  "the migrations directory")                                          \
	X(schema, "schema", "NAME", CFG_STRING, schema, NULL,                  \
	  "PostgreSQL: the tracking table's schema")                           \
	X(framework, "framework", "NAME", CFG_STRING, framework, NULL,         \
	  "use this framework's table; do not detect")                         \
	X(table, "table", "[SCHEMA.]NAME", CFG_TABLE, table, NULL,             \
	  "the tracking table's name")                                         \
	X(label, "label", "TEXT", CFG_STRING, label, NULL,                     \
	  "what to call this database; a write asks for it to be typed")       \
	X(lock_timeout, "lock-timeout", "DURATION", CFG_MS, lock_timeout_ms,   \
	  "5s", "PostgreSQL lock_timeout for a run")                           \
	X(connect_timeout, "connect-timeout", "DURATION", CFG_MS,              \
	  connect_timeout_ms, NULL,                                            \
	  "PostgreSQL: give up connecting after this (default: 10s)")          \
	X(lock_wait, "lock-wait", "DURATION", CFG_SECONDS, lock_wait_s, "30s", \
	  "how long to wait for another run's lock")                           \
	X(statement_timeout, "statement-timeout", "DURATION", CFG_MS,          \
	  statement_timeout_ms, NULL,                                          \
	  "PostgreSQL: cancel a statement that runs longer")                   \
	X(no_sidecar, "no-sidecar", NULL, CFG_BOOL, no_sidecar, NULL,          \
	  "do not keep reckon_file_hashes")                                    \
	X(django_app, "django-app", "LABEL", CFG_STRING, django_app, NULL,     \
	  "Django: the app label of --dir's migrations")                       \
	X(runner, "runner", "COMMAND", CFG_STRING, runner, NULL,               \
	  "the framework's command that runs code migrations")                 \
	X(runner_env, "runner-env", "NAME=VALUE...", CFG_VARS, runner_env,     \
	  NULL, "variables for it; {url} is the database URL")                 \
	X(placeholders, "placeholder", "NAME=VALUE", CFG_LIST, placeholders,   \
	  NULL, "Flyway: the value of ${NAME} (repeatable)")

/* How a key's value is read; the file and the options read it alike. */
enum cfg_type {
	CFG_STRING,   /* char *: the text */
	CFG_DATABASE, /* char *db_url, and db_source says where it came from */
	CFG_TABLE,    /* char *: a name; as an option [SCHEMA.]NAME */
	CFG_MS,	      /* int: a duration in milliseconds */
	CFG_SECONDS,  /* int: a duration in seconds, rounded up */
	CFG_BOOL,     /* int: true/yes or false/no; as an option a flag */
	CFG_LIST,     /* char *: "NAME=VALUE" lines, each option one
		       * NAME=VALUE (the option repeats) or the file a
		       * mapping; a name given again replaces its value
		       * (names match without regard to case) */
	CFG_VARS,     /* char *: "NAME=VALUE" lines; given as NAME=VALUE
		       * words (blanks or newlines between), or in the file
		       * as a mapping of NAME: VALUE */
};

struct cfg_key {
	const char *key;  /* in reckon.yaml: "lock_timeout" */
	const char *flag; /* the global option: "lock-timeout" */
	const char *argh; /* the option value's name in --help, or NULL */
	enum cfg_type type;
	size_t offset;	    /* of the struct rk_config member it sets */
	const char *defval; /* the default as --help shows it, or NULL */
	const char *help;   /* one line for --help */
};

#define CFG_KEY_ENUM(k, ...) CFG_KEY_##k,
enum { RK_CONFIG_KEYS(CFG_KEY_ENUM) CFG_NKEYS };
#undef CFG_KEY_ENUM

/* The rows of RK_CONFIG_KEYS, in order; CFG_NKEYS of them. */
extern const struct cfg_key cfg_keys[CFG_NKEYS];

/*
 * Set k in cfg from value, read as k->type says. source is where the
 * value came from ("--db", a file name): a CFG_DATABASE records it, and a
 * CFG_TABLE value from an option ("--...") may carry "SCHEMA." (which sets
 * schema). A value that is not valid is an RK_CONFIG error saying why,
 * without naming the key: the caller prefixes where it was written.
 */
int cfg_apply(struct rk_config *cfg, const struct cfg_key *k, const char *value,
	      const char *source, struct rk_err *err);

/*
 * Load the YAML file at path into cfg. When path is NULL, "reckon.yaml" in
 * the current directory is read if present. A missing file named
 * explicitly, bad YAML, an unknown key or a wrong type is an RK_CONFIG
 * error naming the file, the line and the key. With cfg->env set (--env)
 * or else RECKON_ENV, that entry of "environments:" is applied over the
 * top-level keys; an environment the file lacks is an RK_CONFIG error
 * listing those it has.
 */
int cfg_load(const char *path, struct rk_config *cfg, struct rk_err *err);

/* Bits of rk_config.dotenv. */
#define DOTENV_DATABASE_URL	   0x1
#define DOTENV_RECKON_DATABASE_URL 0x2
#define DOTENV_READ		   0x4 /* there was a .env */

/*
 * Read ".env" in the current directory, when there is one, as dbmate
 * does: "NAME=value" lines ("export " before, '...' or "..." around,
 * "#" comments), of which DATABASE_URL and RECKON_* are put in the
 * environment unless already set there (the real environment always
 * wins); other names are left alone. A line that is not NAME=value is an
 * RK_CONFIG error naming the file and line.
 */
int cfg_load_dotenv(struct rk_config *cfg, struct rk_err *err);

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

/*
 * Parse a size into bytes: a whole or fractional number, alone (bytes) or
 * followed by B, kB, MB, GB or TB (units of 1024, as PostgreSQL prints
 * them; any case, a space allowed before the unit). -1 if bad or
 * negative.
 */
long long cfg_parse_size(const char *s);

/* Replace *slot with a copy of value. */
void cfg_set(char **slot, const char *value);

/* A deep copy of src into dst (another thread's settings: serve); free
 * it with cfg_release(). */
void cfg_dup(struct rk_config *dst, const struct rk_config *src);
void cfg_release(struct rk_config *cfg);

#endif
