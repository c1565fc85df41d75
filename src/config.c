/*
 * reckon.yaml and the environment. The YAML schema below is the whole file
 * format (man/reckon.yaml.5); libcyaml rejects anything else, and its log
 * lines are collected into the error so the user sees line and key.
 */
#include "reckon/config.h"

#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cyaml/cyaml.h>

#include "reckon/buf.h"
#include "reckon/err.h"
#include "reckon/util.h"
#include "reckon/banned.h"

/* The file as libcyaml fills it: every key optional, all strings. */
struct yaml_config {
	char *database;
	char *dir;
	char *schema;
	char *framework;
	char *table;
	char *lock_timeout;
	char *connect_timeout;
	char *lock_wait;
	char *no_sidecar; /* "true"/"false"/"yes"/"no" */
};

#define STR_FIELD(key, member)                                                 \
	CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,  \
			       struct yaml_config, member, 0, 4096)

static const cyaml_schema_field_t yaml_fields[] = {
	STR_FIELD("database", database),
	STR_FIELD("dir", dir),
	STR_FIELD("schema", schema),
	STR_FIELD("framework", framework),
	STR_FIELD("table", table),
	STR_FIELD("lock_timeout", lock_timeout),
	STR_FIELD("connect_timeout", connect_timeout),
	STR_FIELD("lock_wait", lock_wait),
	STR_FIELD("no_sidecar", no_sidecar),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t yaml_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct yaml_config,
			    yaml_fields),
};

/* libcyaml's log lines, gathered for the error message. */
static void
collect_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct rk_buf *b = ctx;
	char line[512];
	size_t n;

	if (level < CYAML_LOG_ERROR)
		return;
	vsnprintf(line, sizeof(line), fmt, args);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (strncmp(line, "Load: ", 6) == 0)
		memmove(line, line + 6, strlen(line + 6) + 1);
	if (!*line || strcmp(line, "Backtrace:") == 0)
		return;
	if (b->len)
		rk_buf_adds(b, "; ");
	rk_buf_adds(b, line);
}

void
cfg_set(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? xstrdup(value) : NULL;
}

int
cfg_parse_duration_ms(const char *s)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -1;
	if (!*end || strcmp(end, "s") == 0)
		v *= 1000;
	else if (strcmp(end, "min") == 0 || strcmp(end, "m") == 0)
		v *= 60000;
	else if (strcmp(end, "h") == 0)
		v *= 3600000;
	else if (strcmp(end, "ms") != 0)
		return -1;
	if (v > 86400000.0 * 7)
		return -1;
	return (int)v;
}

/* The line where key: is written the nth time in the file, or 1. */
static unsigned
key_line_nth(const char *path, const char *key, int nth)
{
	struct rk_buf b = RK_BUF_INIT;
	size_t k = strlen(key);
	unsigned line = 1, found = 0;
	const char *p;

	if (rk_buf_read_file(&b, path) < 0)
		return 1;
	for (p = b.s; *p && !found; line++) {
		const char *q = p, *e = strchr(p, '\n');

		while (*q == ' ' || *q == '\t' || *q == '"' || *q == '\'')
			q++;
		if (strncmp(q, key, k) == 0) {
			q += k;
			while (*q == ' ' || *q == '"' || *q == '\'')
				q++;
			if (*q == ':' && --nth == 0)
				found = line;
		}
		if (!e)
			break;
		p = e + 1;
	}
	rk_buf_release(&b);
	return found ? found : 1;
}

static unsigned
key_line(const char *path, const char *key)
{
	return key_line_nth(path, key, 1);
}

/* Turn libcyaml's log into "file:line: what" naming the key. */
static void
yaml_error(const char *path, const char *log, struct rk_err *err)
{
	char key[128] = "";
	const char *p;

	if ((p = strstr(log, "Unexpected key: ")) != NULL) {
		sscanf(p + 16, "%127[^; ]", key);
		rk_fail(err, RK_CONFIG, "%s:%u: unknown key '%s'", path,
			key_line(path, key), key);
		return;
	}
	if ((p = strstr(log, "already seen: ")) != NULL) {
		sscanf(p + 14, "%127[^; ]", key);
		rk_fail(err, RK_CONFIG, "%s:%u: key '%s' given twice", path,
			key_line_nth(path, key, 2), key);
		return;
	}
	if ((p = strstr(log, "mapping field '")) != NULL &&
	    sscanf(p + 15, "%127[^']", key) == 1) {
		rk_fail(err, RK_CONFIG, "%s:%u: key '%s': %s", path,
			key_line(path, key), key,
			strstr(log, "Expecting") ? "expected a plain value"
						 : log);
		return;
	}
	rk_fail(err, RK_CONFIG, "%s: %s", path, log);
}

static int
apply_duration(const char *path, const char *key, const char *val, int *ms,
	       int secs, struct rk_err *err)
{
	int v = cfg_parse_duration_ms(val);

	if (v < 0)
		return rk_fail(err, RK_CONFIG,
			       "%s:%u: key '%s': invalid duration '%s' (use "
			       "e.g. 500ms, 5s, 2m, 1h)",
			       path, key_line(path, key), key, val);
	*ms = secs ? (v + 999) / 1000 : v;
	return 0;
}

static int
apply_yaml(const char *path, const struct yaml_config *y, struct rk_config *cfg,
	   struct rk_err *err)
{
	if (y->database)
		cfg_set(&cfg->db_url, y->database);
	if (y->database)
		cfg_set(&cfg->db_source, path);
	if (y->dir)
		cfg_set(&cfg->dir, y->dir);
	if (y->schema)
		cfg_set(&cfg->schema, y->schema);
	if (y->framework)
		cfg_set(&cfg->framework, y->framework);
	if (y->table)
		cfg_set(&cfg->table, y->table);
	if (y->no_sidecar) {
		if (strcmp(y->no_sidecar, "true") == 0 ||
		    strcmp(y->no_sidecar, "yes") == 0)
			cfg->no_sidecar = 1;
		else if (strcmp(y->no_sidecar, "false") == 0 ||
			 strcmp(y->no_sidecar, "no") == 0)
			cfg->no_sidecar = 0;
		else
			return rk_fail(err, RK_CONFIG,
				       "%s:%u: key 'no_sidecar': expected "
				       "true or false, not '%s'",
				       path, key_line(path, "no_sidecar"),
				       y->no_sidecar);
	}
	if (y->lock_timeout &&
	    apply_duration(path, "lock_timeout", y->lock_timeout,
			   &cfg->lock_timeout_ms, 0, err) < 0)
		return -1;
	if (y->connect_timeout &&
	    apply_duration(path, "connect_timeout", y->connect_timeout,
			   &cfg->connect_timeout_ms, 0, err) < 0)
		return -1;
	if (y->lock_wait && apply_duration(path, "lock_wait", y->lock_wait,
					   &cfg->lock_wait_s, 1, err) < 0)
		return -1;
	return 0;
}

int
cfg_load(const char *path, struct rk_config *cfg, struct rk_err *err)
{
	struct rk_buf log = RK_BUF_INIT;
	struct yaml_config *y = NULL;
	cyaml_config_t cc = {
		.log_fn = collect_log,
		.log_ctx = &log,
		.mem_fn = cyaml_mem,
		.log_level = CYAML_LOG_ERROR,
		.flags = CYAML_CFG_DEFAULT,
	};
	cyaml_err_t e;
	int rc;

	if (!path) {
		if (access("reckon.yaml", F_OK) != 0)
			return 0;
		path = "reckon.yaml";
	}
	if (access(path, R_OK) != 0)
		return rk_fail(err, RK_CONFIG,
			       "cannot read config file '%s': %s", path,
			       strerror(errno));
	e = cyaml_load_file(path, &cc, &yaml_schema, (cyaml_data_t **)&y, NULL);
	if (e != CYAML_OK) {
		yaml_error(path, log.len ? log.s : cyaml_strerror(e), err);
		rk_err_hint(err, "valid keys: database, dir, schema, framework,"
				 " table, lock_timeout, connect_timeout, "
				 "lock_wait, no_sidecar "
				 "(see reckon.yaml(5))");
		rk_buf_release(&log);
		return -1;
	}
	rc = y ? apply_yaml(path, y, cfg, err) : 0;
	cyaml_free(&cc, &yaml_schema, y, 0);
	rk_buf_release(&log);
	return rc;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int
cfg_resolve_env(struct rk_config *cfg, int need_db, struct rk_err *err)
{
	static const char *const pgvars[] = { "PGHOST",	    "PGHOSTADDR",
					      "PGDATABASE", "PGSERVICE",
					      "PGPORT",	    NULL };
	const char *v;

	if (!cfg->actor && (v = env("USER")) != NULL)
		cfg_set(&cfg->actor, v);
	if (!cfg->actor) {
		struct passwd *pw = getpwuid(geteuid());

		if (pw && pw->pw_name)
			cfg_set(&cfg->actor, pw->pw_name);
	}
	cfg->color = isatty(STDOUT_FILENO) && !env("NO_COLOR");
	if ((v = env("RECKON_TOKEN")) != NULL)
		cfg_set(&cfg->token, v);
	if (!cfg->dir)
		cfg_set(&cfg->dir, "migrations");
	if (cfg->db_source && strcmp(cfg->db_source, "--db") == 0)
		return 0;
	if ((v = env("RECKON_DATABASE_URL")) != NULL ||
	    (v = env("DATABASE_URL")) != NULL) {
		cfg_set(&cfg->db_source, env("RECKON_DATABASE_URL")
						 ? "RECKON_DATABASE_URL"
						 : "DATABASE_URL");
		cfg_set(&cfg->db_url, v);
		return 0;
	}
	if (cfg->db_url)
		return 0;
	for (size_t i = 0; pgvars[i]; i++) {
		if (env(pgvars[i])) {
			cfg_set(&cfg->db_url, "");
			cfg_set(&cfg->db_source, pgvars[i]);
			return 0;
		}
	}
	if (!need_db)
		return 0;
	rk_fail(err, RK_CONFIG, "no database given");
	rk_err_hint(err, "pass --db URL (postgres://... or sqlite:FILE), or "
			 "set RECKON_DATABASE_URL, DATABASE_URL, 'database' "
			 "in reckon.yaml, or libpq's PG* variables");
	return -1;
}

void
cfg_release(struct rk_config *cfg)
{
	free(cfg->db_url);
	free(cfg->db_source);
	free(cfg->dir);
	free(cfg->schema);
	free(cfg->framework);
	free(cfg->table);
	free(cfg->actor);
	free(cfg->token);
	memset(cfg, 0, sizeof(*cfg));
}
