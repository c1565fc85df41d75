/*
 * reckon.yaml and the environment. The YAML schema below is the whole file
 * format (man/reckon.yaml.5); libcyaml rejects anything else, and its log
 * lines are collected into the error so the user sees line and key.
 */
#include "reckon/core/config.h"

#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/parsers/migpattern.h"
#include "reckon/base/banned.h"

/* The file as libcyaml fills it: every key optional, all strings, one
 * member per row of RK_CONFIG_KEYS. */
/* The "lint:" mapping: its own keys, each optional. */
struct yaml_lint {
	char *error_above;
	char *sqlite_version;
};
static const cyaml_schema_field_t yaml_lint_fields[] = {
	CYAML_FIELD_STRING_PTR("error_above",
			       CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			       struct yaml_lint, error_above, 0, 64),
	CYAML_FIELD_STRING_PTR("sqlite_version",
			       CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			       struct yaml_lint, sqlite_version, 0, 64),
	CYAML_FIELD_END,
};
static const char *const lint_keys[] = { "error_above", "sqlite_version" };

/* The "files:" mapping: the file-name rule of a directory that follows
 * no known convention. */
struct yaml_files {
	char *pattern;
};
static const cyaml_schema_field_t yaml_files_fields[] = {
	CYAML_FIELD_STRING_PTR("pattern",
			       CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			       struct yaml_files, pattern, 0, 4096),
	CYAML_FIELD_END,
};
static const char *const files_keys[] = { "pattern" };

/* lines[] (yaml_check): each key of RK_CONFIG_KEYS by index, then "lint"
 * and its keys, then "files" and its keys. */
#define LINT_AT	      CFG_NKEYS
#define LINT_LINE(i)  (LINT_AT + 1 + (i)) /* lines[]: lint.key i */
#define FILES_AT      (LINT_AT + 1 + ARRAY_SIZE(lint_keys))
#define FILES_LINE(i) (FILES_AT + 1 + (i))
#define NLINES	      (FILES_AT + 1 + ARRAY_SIZE(files_keys))

/* A mapping under a top key ("lint:", "files:"), for yaml_check: its
 * name, its keys, their list for messages and where in lines[] its own
 * line goes (its keys' lines follow). */
struct nested {
	const char *name;
	const char *const *keys;
	size_t nkeys;
	const char *valid; /* "error_above, sqlite_version" */
	size_t at;
};
static const struct nested nested_maps[] = {
	{ "lint", lint_keys, ARRAY_SIZE(lint_keys),
	  "error_above, sqlite_version", LINT_AT },
	{ "files", files_keys, ARRAY_SIZE(files_keys), "pattern", FILES_AT },
};

#define YAML_MEMBER(k, ...) char *k;
struct yaml_config {
	RK_CONFIG_KEYS(YAML_MEMBER)
	struct yaml_lint *lint;
	struct yaml_files *files;
};
#undef YAML_MEMBER

/* A plain value for libcyaml; a CFG_VARS key (a mapping or a value) is
 * read by the libyaml pass instead (read_value). */
#define YAML_STRING(k)                                                         \
	CYAML_FIELD_STRING_PTR(#k, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,   \
			       struct yaml_config, k, 0, 4096),
#define YAML_FIELD_CFG_STRING(k)    YAML_STRING(k)
#define YAML_FIELD_CFG_DATABASE(k)  YAML_STRING(k)
#define YAML_FIELD_CFG_TABLE(k)	    YAML_STRING(k)
#define YAML_FIELD_CFG_MS(k)	    YAML_STRING(k)
#define YAML_FIELD_CFG_SECONDS(k)   YAML_STRING(k)
#define YAML_FIELD_CFG_BOOL(k)	    YAML_STRING(k)
#define YAML_FIELD_CFG_VARS(k)	    CYAML_FIELD_IGNORE(#k, CYAML_FLAG_OPTIONAL),
#define YAML_FIELD_CFG_LIST(k)	    YAML_FIELD_CFG_VARS(k)
#define YAML_FIELD(k, f, a, t, ...) YAML_FIELD_##t(k)
static const cyaml_schema_field_t yaml_fields[] = {
	RK_CONFIG_KEYS(YAML_FIELD) CYAML_FIELD_MAPPING_PTR(
		"lint", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
		struct yaml_config, lint, yaml_lint_fields),
	CYAML_FIELD_MAPPING_PTR("files",
				CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
				struct yaml_config, files, yaml_files_fields),
	/* read by check_environments() */
	CYAML_FIELD_IGNORE("environments", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_END,
};
#undef YAML_FIELD
#undef YAML_STRING

static const cyaml_schema_value_t yaml_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct yaml_config,
			    yaml_fields),
};

/* Where each key's value sits in struct yaml_config, by cfg_keys index. */
#define YAML_OFFSET(k, ...) offsetof(struct yaml_config, k),
static const size_t yaml_offsets[CFG_NKEYS] = { RK_CONFIG_KEYS(YAML_OFFSET) };
#undef YAML_OFFSET

#define KEY_ROW(k, f, a, t, m, d, h)                                           \
	{ #k, f, a, t, offsetof(struct rk_config, m), d, h },
const struct cfg_key cfg_keys[CFG_NKEYS] = { RK_CONFIG_KEYS(KEY_ROW) };
#undef KEY_ROW

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

long long
cfg_parse_size(const char *s)
{
	static const char *const units[] = { "b", "kb", "mb", "gb", "tb" };
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	if (*end) {
		size_t u;

		for (u = 0; u < ARRAY_SIZE(units); u++)
			if (strcasecmp(end, units[u]) == 0)
				break;
		if (u == ARRAY_SIZE(units))
			return -1;
		for (; u > 0; u--)
			v *= 1024;
	}
	if (v > 9.0e18)
		return -1;
	return (long long)v;
}

static int
parse_bool(const char *v)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
		return 1;
	if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
		return 0;
	return -1;
}

/* A variable's name: a letter or '_', then letters, digits and '_'. */
static int
var_name(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/*
 * value as NAME=VALUE lines: text with a newline is lines already (one
 * variable each, a value may hold blanks: what a mapping in the file
 * gives); other text is NAME=VALUE words between blanks.
 */
static int
set_vars(char **slot, const char *value, struct rk_err *err)
{
	const char *sep = strchr(value, '\n') ? "\r\n" : " \t\r\n";
	struct rk_buf b = RK_BUF_INIT;

	for (const char *p = value; *p;) {
		size_t len, eq;

		p += strspn(p, sep);
		len = strcspn(p, sep);
		if (!len)
			break;
		eq = strcspn(p, "=");
		if (eq >= len || !var_name(p, eq)) {
			rk_buf_release(&b);
			rk_fail(err, RK_CONFIG, "'%.*s' is not NAME=VALUE",
				(int)len, p);
			rk_err_hint(err,
				    "write NAME=VALUE words, or in reckon.yaml "
				    "a mapping (runner_env: {NAME: VALUE})");
			return -1;
		}
		rk_buf_addf(&b, "%.*s\n", (int)len, p);
		p += len;
	}
	free(*slot);
	*slot = b.len ? rk_buf_detach(&b, NULL) : NULL;
	rk_buf_release(&b);
	return 0;
}

/*
 * value, "NAME=VALUE" lines (one a line: a value may hold blanks), over
 * what *slot holds: a name given again (in any case) gets the new value.
 */
static int
merge_vars(char **slot, const char *value, struct rk_err *err)
{
	struct rk_buf b = RK_BUF_INIT;

	for (const char *p = value; *p;) {
		size_t len = strcspn(p, "\r\n"), eq = strcspn(p, "=");

		if (len && (eq >= len || !var_name(p, eq))) {
			rk_buf_release(&b);
			rk_fail(err, RK_CONFIG, "'%.*s' is not NAME=VALUE",
				(int)len, p);
			rk_err_hint(err, "write NAME=VALUE, or in reckon.yaml "
					 "a mapping (placeholders: {NAME: "
					 "VALUE})");
			return -1;
		}
		p += len;
		p += strspn(p, "\r\n");
	}
	/* the old lines whose names value does not give, then value's */
	for (const char *p = *slot; p && *p;) {
		size_t len = strcspn(p, "\n"), eq = strcspn(p, "=");
		int again = 0;

		for (const char *q = value; *q && !again;) {
			size_t ql = strcspn(q, "\r\n");

			again = ql > eq && q[eq] == '=' &&
				strncasecmp(p, q, eq) == 0;
			q += ql;
			q += strspn(q, "\r\n");
		}
		if (!again)
			rk_buf_addf(&b, "%.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
	for (const char *p = value; *p;) {
		size_t len = strcspn(p, "\r\n");

		if (len)
			rk_buf_addf(&b, "%.*s\n", (int)len, p);
		p += len;
		p += strspn(p, "\r\n");
	}
	free(*slot);
	*slot = b.len ? rk_buf_detach(&b, NULL) : NULL;
	rk_buf_release(&b);
	return 0;
}

int
cfg_apply(struct rk_config *cfg, const struct cfg_key *k, const char *value,
	  const char *source, struct rk_err *err)
{
	void *slot = (char *)cfg + k->offset;
	const char *dot;
	int v;

	switch (k->type) {
	case CFG_DATABASE:
		cfg_set(&cfg->db_source, source);
		cfg_set(slot, value);
		return 0;
	case CFG_TABLE:
		dot = source[0] == '-' ? strchr(value, '.') : NULL;
		if (dot) {
			char *schema = xstrndup(value, (size_t)(dot - value));

			cfg_set(&cfg->schema, schema);
			free(schema);
			value = dot + 1;
		}
		cfg_set(slot, value);
		return 0;
	case CFG_STRING:
		cfg_set(slot, value);
		return 0;
	case CFG_MS:
	case CFG_SECONDS:
		v = cfg_parse_duration_ms(value);
		if (v < 0)
			return rk_fail(err, RK_CONFIG,
				       "invalid duration '%s' (use e.g. 500ms, "
				       "5s, 2m, 1h)",
				       value);
		*(int *)slot = k->type == CFG_SECONDS ? (v + 999) / 1000 : v;
		return 0;
	case CFG_VARS:
		return set_vars(slot, value, err);
	case CFG_LIST:
		return merge_vars(slot, value, err);
	case CFG_BOOL:
		if ((v = parse_bool(value)) < 0)
			return rk_fail(err, RK_CONFIG,
				       "expected true or false, not '%s'",
				       value);
		*(int *)slot = v;
		return 0;
	}
	rk_bug("config key type %d", (int)k->type);
}

/* Does k take NAME=VALUE pairs (a mapping in the file)? */
static int
is_vars(const struct cfg_key *k)
{
	return k->type == CFG_VARS || k->type == CFG_LIST;
}

/* The row for a key as written in the file, or NULL. */
static const struct cfg_key *
key_find(const char *key)
{
	for (size_t i = 0; i < CFG_NKEYS; i++)
		if (strcmp(cfg_keys[i].key, key) == 0)
			return &cfg_keys[i];
	return NULL;
}

/* "valid keys: database, dir, ... (see reckon.yaml(5))"; at the top
 * level environments too */
static void
hint_keys(struct rk_err *err, int top)
{
	struct rk_buf b = RK_BUF_INIT;

	for (size_t i = 0; i < CFG_NKEYS; i++)
		rk_buf_addf(&b, "%s%s", i ? ", " : "", cfg_keys[i].key);
	rk_err_hint(err, "valid keys: %s%s (see reckon.yaml(5))", b.s,
		    top ? ", lint, files, environments" : "");
	rk_buf_release(&b);
}

/* What the file's "environments:" holds for the one asked for. */
struct env_pick {
	const char *want;	/* --env or RECKON_ENV, or NULL */
	unsigned line;		/* of "environments:", 0: absent */
	int found;		/* want is there */
	char *value[CFG_NKEYS]; /* owned: its keys' values, or NULL */
	char *top[CFG_NKEYS];	/* owned: the top level's CFG_VARS values
				 * (libcyaml reads the others), or NULL */
	unsigned lines[CFG_NKEYS];
	struct rk_buf names; /* "staging, production" */
};

static void
env_pick_release(struct env_pick *e)
{
	for (size_t i = 0; i < CFG_NKEYS; i++) {
		free(e->value[i]);
		free(e->top[i]);
	}
	rk_buf_release(&e->names);
}

static int
apply_yaml(const char *path, const struct yaml_config *y, const unsigned *lines,
	   struct rk_config *cfg, struct rk_err *err)
{
	for (size_t i = 0; i < CFG_NKEYS; i++) {
		const char *v =
			*(char *const *)((const char *)y + yaml_offsets[i]);

		if (v && cfg_apply(cfg, &cfg_keys[i], v, path, err) < 0) {
			rk_err_prefix(err, "%s:%u: key '%s'", path, lines[i],
				      cfg_keys[i].key);
			return -1;
		}
	}
	if (y->lint && y->lint->error_above) {
		long long v = cfg_parse_size(y->lint->error_above);

		if (v < 0)
			return rk_fail(err, RK_CONFIG,
				       "%s:%u: key 'lint.error_above': invalid "
				       "size '%s' (use e.g. 64kB, 100MB, 2GB)",
				       path, lines[LINT_LINE(0)],
				       y->lint->error_above);
		cfg->lint_error_above = v;
		cfg->lint_error_above_set = 1;
	}
	if (y->lint && y->lint->sqlite_version)
		cfg_set(&cfg->lint_sqlite_version, y->lint->sqlite_version);
	if (y->files && y->files->pattern) {
		struct migpattern *mp = migpattern_new(y->files->pattern, err);

		if (!mp) {
			rk_err_prefix(err, "%s:%u: key 'files.pattern'", path,
				      lines[FILES_LINE(0)]);
			return -1;
		}
		migpattern_free(cfg->files_pattern);
		cfg->files_pattern = mp;
	}
	return 0;
}

/* The chosen environment's keys, over the top level's. */
static int
apply_env(const char *path, const struct env_pick *e, struct rk_config *cfg,
	  struct rk_err *err)
{
	if (!e->want)
		return 0;
	if (!e->found) {
		if (e->names.len)
			rk_fail(err, RK_CONFIG,
				"%s has no environment '%s' (it has: %s)", path,
				e->want, e->names.s);
		else
			rk_fail(err, RK_CONFIG,
				"%s has no 'environments:', so no environment "
				"'%s'",
				path, e->want);
		rk_err_hint(err, "check --env or RECKON_ENV; see "
				 "reckon.yaml(5)");
		return -1;
	}
	for (size_t i = 0; i < CFG_NKEYS; i++) {
		if (!e->value[i])
			continue;
		if (cfg_apply(cfg, &cfg_keys[i], e->value[i], path, err) < 0) {
			rk_err_prefix(err, "%s:%u: environment '%s': key '%s'",
				      path, e->lines[i], e->want,
				      cfg_keys[i].key);
			return -1;
		}
	}
	return 0; /* (e->want is cfg->env) */
}

/*
 * libyaml's problems in a user's words. Each row: libyaml's problem text,
 * the context it comes with (NULL: any), ours, and whether the place to
 * show is where the construct began (an unclosed quote) rather than where
 * libyaml gave up (the end of the file).
 */
static const struct {
	const char *problem;
	const char *context;
	const char *ours;
	int at_context;
} yaml_problems[] = {
	{ "found unexpected end of stream", "while scanning a quoted scalar",
	  "a quoted value is never closed", 1 },
	{ "mapping values are not allowed in this context", NULL,
	  "bad indentation or a second ':' on the line (quote a value that "
	  "holds ': ')",
	  0 },
	{ "did not find expected key", NULL,
	  "bad indentation: this line is not in line with the keys above it",
	  0 },
	{ "did not find expected '-' indicator", NULL,
	  "bad indentation in a list", 0 },
	{ "could not find expected ':'", NULL, "a key without ':' after it",
	  0 },
	{ "found character that cannot start any token", NULL,
	  "a character that cannot start a value (indent with spaces, not "
	  "tabs; quote a value that starts with '@' or '`')",
	  0 },
	{ "found a tab character that violates indentation", NULL,
	  "a tab in the indentation: indent with spaces", 0 },
	{ "did not find expected node content", NULL, "a value is missing", 0 },
	{ "did not find expected ',' or ']'", NULL,
	  "a '[' is never closed with ']'", 1 },
	{ "did not find expected ',' or '}'", NULL,
	  "a '{' is never closed with '}'", 1 },
	{ "found unknown escape character", NULL,
	  "an unknown backslash escape in a double-quoted value (use single "
	  "quotes)",
	  0 },
};

/* key: the top-level key last read (on line key_line), or "": a problem in
 * its value, on its line or in a quote or bracket it opens, names it. */
static int
syntax_error(const yaml_parser_t *p, const char *path, const char *key,
	     size_t key_line, struct rk_err *err)
{
	const char *problem = p->problem ? p->problem : "not valid YAML";
	const yaml_mark_t *m = &p->problem_mark;
	const char *what = NULL;
	int at_context = 0;

	if (p->error == YAML_READER_ERROR)
		return rk_fail(err, RK_CONFIG,
			       "%s: byte %zu: not UTF-8 text (%s)", path,
			       p->problem_offset + 1, problem);
	for (size_t i = 0; i < ARRAY_SIZE(yaml_problems) && !what; i++) {
		if (strcmp(problem, yaml_problems[i].problem) != 0 ||
		    (yaml_problems[i].context && p->context &&
		     strcmp(p->context, yaml_problems[i].context) != 0))
			continue;
		what = yaml_problems[i].ours;
		at_context = yaml_problems[i].at_context && p->context;
	}
	if (at_context)
		m = &p->context_mark;
	if (*key && (at_context || m->line + 1 == key_line))
		return rk_fail(err, RK_CONFIG, "%s:%zu:%zu: key '%s': %s", path,
			       m->line + 1, m->column + 1, key,
			       what ? what : problem);
	return rk_fail(err, RK_CONFIG, "%s:%zu:%zu: %s", path, m->line + 1,
		       m->column + 1, what ? what : problem);
}

/* The next event, or a syntax error. */
static int
next_event(yaml_parser_t *p, yaml_event_t *ev, const char *path,
	   struct rk_err *err)
{
	if (yaml_parser_parse(p, ev))
		return 0;
	memset(ev, 0, sizeof(*ev));
	return syntax_error(p, path, "", 0, err);
}

static const char *
node_kind(yaml_event_type_t t)
{
	return t == YAML_SEQUENCE_START_EVENT  ? "a list"
	       : t == YAML_MAPPING_START_EVENT ? "a mapping"
	       : t == YAML_ALIAS_EVENT	       ? "an alias"
					       : "not a plain value";
}

/* What was found where a mapping belongs. */
static const char *
mapping_not(yaml_event_type_t t)
{
	return t == YAML_SCALAR_EVENT ? "a plain value" : node_kind(t);
}

/*
 * k's value, the next node: a plain value into *out (NULL: not kept), or
 * for a CFG_VARS key also a mapping of NAME: VALUE, kept as NAME=VALUE
 * lines. what names the key in errors ("key 'runner_env'").
 */
static int
read_value(yaml_parser_t *p, const char *path, unsigned line,
	   const struct cfg_key *k, const char *what, char **out,
	   struct rk_err *err)
{
	struct rk_buf b = RK_BUF_INIT;
	yaml_event_t ev;
	int rc = 0;

	if (next_event(p, &ev, path, err) < 0)
		return -1;
	if (ev.type == YAML_SCALAR_EVENT) {
		if (out)
			*out = xstrdup((const char *)ev.data.scalar.value);
		yaml_event_delete(&ev);
		return 0;
	}
	if (ev.type != YAML_MAPPING_START_EVENT || !is_vars(k)) {
		rc = rk_fail(err, RK_CONFIG, "%s:%u: %s: expected %s, not %s",
			     path, line, what,
			     is_vars(k) ? "NAME=VALUE words or a mapping"
					: "a plain value",
			     node_kind(ev.type));
		yaml_event_delete(&ev);
		return rc;
	}
	yaml_event_delete(&ev);
	while (rc == 0) {
		yaml_event_t val;
		const char *name, *v;

		if (next_event(p, &ev, path, err) < 0)
			break;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			if (out)
				*out = rk_buf_detach(&b, NULL);
			rk_buf_release(&b);
			return 0;
		}
		line = (unsigned)ev.start_mark.line + 1;
		if (next_event(p, &val, path, err) < 0) {
			yaml_event_delete(&ev);
			break;
		}
		name = ev.type == YAML_SCALAR_EVENT
			       ? (const char *)ev.data.scalar.value
			       : "";
		v = val.type == YAML_SCALAR_EVENT
			    ? (const char *)val.data.scalar.value
			    : NULL;
		if (!var_name(name, strlen(name)))
			rc = rk_fail(err, RK_CONFIG,
				     "%s:%u: %s: '%s' is not a variable name",
				     path, line, what, name);
		else if (!v || strpbrk(v, "\r\n"))
			rc = rk_fail(err, RK_CONFIG,
				     "%s:%u: %s: %s: expected a one-line "
				     "value, not %s",
				     path, line, what, name,
				     v ? "several lines" : node_kind(val.type));
		else
			rk_buf_addf(&b, "%s=%s\n", name, v);
		yaml_event_delete(&val);
		yaml_event_delete(&ev);
	}
	rk_buf_release(&b);
	return -1;
}

/*
 * One environment's "key: value" lines, after its MAPPING_START, through
 * its end: known keys, each once, plain values; kept when it is the one
 * asked for.
 */
static int
check_env_keys(yaml_parser_t *p, const char *path, const char *env,
	       struct env_pick *e, struct rk_err *err)
{
	unsigned seen[CFG_NKEYS] = { 0 };
	int keep = e->want && strcmp(e->want, env) == 0;

	for (;;) {
		struct rk_buf what = RK_BUF_INIT;
		yaml_event_t key;
		const struct cfg_key *k;
		unsigned line;
		int rc;

		if (next_event(p, &key, path, err) < 0)
			return -1;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			return 0;
		}
		line = (unsigned)key.start_mark.line + 1;
		if (key.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&key);
			return rk_fail(err, RK_CONFIG,
				       "%s:%u: environment '%s': a key must "
				       "be a plain word",
				       path, line, env);
		}
		k = key_find((const char *)key.data.scalar.value);
		if (!k) {
			rk_fail(err, RK_CONFIG,
				"%s:%u: environment '%s': unknown key '%s'",
				path, line, env,
				(const char *)key.data.scalar.value);
			hint_keys(err, 0);
			yaml_event_delete(&key);
			return -1;
		}
		yaml_event_delete(&key);
		if (seen[k - cfg_keys])
			return rk_fail(err, RK_CONFIG,
				       "%s:%u: environment '%s': key '%s' "
				       "given twice (first on line %u)",
				       path, line, env, k->key,
				       seen[k - cfg_keys]);
		seen[k - cfg_keys] = line;
		rk_buf_addf(&what, "environment '%s': key '%s'", env, k->key);
		rc = read_value(p, path, line, k, what.s,
				keep ? &e->value[k - cfg_keys] : NULL, err);
		rk_buf_release(&what);
		if (keep)
			e->lines[k - cfg_keys] = line;
		if (rc < 0)
			return -1;
	}
}

/* "environments:" and its mapping of names to mappings of keys. */
static int
check_environments(yaml_parser_t *p, const char *path, unsigned line,
		   struct env_pick *e, struct rk_err *err)
{
	yaml_event_t ev;

	if (e->line)
		return rk_fail(err, RK_CONFIG,
			       "%s:%u: key 'environments' given twice (first "
			       "on line %u)",
			       path, line, e->line);
	e->line = line;
	if (next_event(p, &ev, path, err) < 0)
		return -1;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		rk_fail(err, RK_CONFIG,
			"%s:%u: key 'environments': expected a mapping of "
			"names to keys (staging: {database: ...}), not %s",
			path, line, mapping_not(ev.type));
		yaml_event_delete(&ev);
		return -1;
	}
	yaml_event_delete(&ev);
	for (;;) {
		char *name;
		unsigned at;
		int rc;

		if (next_event(p, &ev, path, err) < 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		at = (unsigned)ev.start_mark.line + 1;
		if (ev.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&ev);
			return rk_fail(err, RK_CONFIG,
				       "%s:%u: an environment's name must be "
				       "a plain word",
				       path, at);
		}
		name = xstrdup((const char *)ev.data.scalar.value);
		yaml_event_delete(&ev);
		rk_buf_addf(&e->names, "%s%s", e->names.len ? ", " : "", name);
		if (e->want && strcmp(e->want, name) == 0) {
			if (e->found) {
				rc = rk_fail(err, RK_CONFIG,
					     "%s:%u: environment '%s' given "
					     "twice",
					     path, at, name);
				free(name);
				return rc;
			}
			e->found = 1;
		}
		rc = next_event(p, &ev, path, err);
		if (rc == 0 && ev.type != YAML_MAPPING_START_EVENT) {
			rc = rk_fail(err, RK_CONFIG,
				     "%s:%u: environment '%s': expected its "
				     "keys (database: ..., label: ...), not %s",
				     path, at, name, mapping_not(ev.type));
			yaml_event_delete(&ev);
		} else if (rc == 0) {
			yaml_event_delete(&ev);
			rc = check_env_keys(p, path, name, e, err);
		}
		free(name);
		if (rc < 0)
			return -1;
	}
}

/* "lint:", "files:" (nd) on line line: a mapping of nd's keys to plain
 * values, each once. */
static int
check_nested(yaml_parser_t *p, unsigned line, const char *path, unsigned *lines,
	     const struct nested *nd, struct rk_err *err)
{
	yaml_event_t ev;
	int rc = 0;

	if (lines[nd->at])
		return rk_fail(err, RK_CONFIG,
			       "%s:%u: key '%s' given twice (first on line "
			       "%u)",
			       path, line, nd->name, lines[nd->at]);
	lines[nd->at] = line;
	if (next_event(p, &ev, path, err) < 0)
		return -1;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		rc = rk_fail(err, RK_CONFIG,
			     "%s:%u: key '%s': expected a mapping (%s), not %s",
			     path, line, nd->name, nd->valid,
			     ev.type == YAML_SCALAR_EVENT ? "a plain value"
							  : node_kind(ev.type));
		yaml_event_delete(&ev);
		return rc;
	}
	yaml_event_delete(&ev);
	while (rc == 0) {
		unsigned kl;
		size_t i;

		if (next_event(p, &ev, path, err) < 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		kl = (unsigned)ev.start_mark.line + 1;
		for (i = 0; ev.type == YAML_SCALAR_EVENT && i < nd->nkeys; i++)
			if (!strcmp((const char *)ev.data.scalar.value,
				    nd->keys[i]))
				break;
		if (ev.type != YAML_SCALAR_EVENT || i == nd->nkeys)
			rc = rk_fail(err, RK_CONFIG,
				     "%s:%u: unknown key under '%s' (valid: "
				     "%s)",
				     path, kl, nd->name, nd->valid);
		else if (lines[nd->at + 1 + i])
			rc = rk_fail(err, RK_CONFIG,
				     "%s:%u: key '%s.%s' given twice", path, kl,
				     nd->name, nd->keys[i]);
		else
			lines[nd->at + 1 + i] = kl;
		yaml_event_delete(&ev);
		if (rc < 0)
			return -1;
		if (next_event(p, &ev, path, err) < 0)
			return -1;
		if (ev.type != YAML_SCALAR_EVENT)
			rc = rk_fail(err, RK_CONFIG,
				     "%s:%u: key '%s.%s': expected a plain "
				     "value, not %s",
				     path, kl, nd->name, nd->keys[i],
				     node_kind(ev.type));
		yaml_event_delete(&ev);
	}
	return rc;
}

/* One "key: value" of the top mapping, the key's event in hand. */
static int
check_pair(yaml_parser_t *p, const yaml_event_t *key, const char *path,
	   unsigned *lines, struct env_pick *e, struct rk_err *err)
{
	unsigned line = (unsigned)key->start_mark.line + 1;
	const char *name = (const char *)key->data.scalar.value;
	const struct cfg_key *k = key_find(name);
	struct rk_buf what = RK_BUF_INIT;
	int rc;

	for (size_t i = 0; !k && i < ARRAY_SIZE(nested_maps); i++)
		if (strcmp(name, nested_maps[i].name) == 0)
			return check_nested(p, line, path, lines,
					    &nested_maps[i], err);
	if (!k && strcmp(name, "environments") == 0)
		return check_environments(p, path, line, e, err);
	if (!k) {
		rk_fail(err, RK_CONFIG, "%s:%u: unknown key '%s'", path, line,
			name);
		hint_keys(err, 1);
		return -1;
	}
	if (lines[k - cfg_keys])
		return rk_fail(err, RK_CONFIG,
			       "%s:%u: key '%s' given twice (first on line "
			       "%u)",
			       path, line, name, lines[k - cfg_keys]);
	lines[k - cfg_keys] = line;
	rk_buf_addf(&what, "key '%s'", name);
	/* libcyaml reads the plain values; a CFG_VARS one is kept here */
	rc = read_value(p, path, line, k, what.s,
			is_vars(k) ? &e->top[k - cfg_keys] : NULL, err);
	rk_buf_release(&what);
	return rc;
}

/* The top mapping's pairs, after its MAPPING_START, through its end. */
static int
check_mapping(yaml_parser_t *p, const char *path, unsigned *lines,
	      struct env_pick *e, struct rk_err *err)
{
	for (;;) {
		yaml_event_t ev;
		int rc = 0;

		if (next_event(p, &ev, path, err) < 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT)
			rc = rk_fail(err, RK_CONFIG,
				     "%s:%u: a key must be a plain word, not "
				     "%s",
				     path, (unsigned)ev.start_mark.line + 1,
				     node_kind(ev.type));
		else
			rc = check_pair(p, &ev, path, lines, e, err);
		yaml_event_delete(&ev);
		if (rc < 0)
			return -1;
	}
}

/*
 * Read the file's YAML with libyaml before libcyaml sees it: syntax errors
 * with libyaml's line and column in our words, and the file's shape
 * (one mapping of known keys, each once, to plain values) with the line
 * of the key, which libcyaml's messages lack. lines[i] gets the line of
 * cfg_keys[i], 0 when absent.
 */
static void
parser_init(yaml_parser_t *p, const struct rk_buf *text)
{
	if (!yaml_parser_initialize(p))
		rk_bug("yaml_parser_initialize");
	yaml_parser_set_input_string(p, (const unsigned char *)text->s,
				     text->len);
}

/* The whole file, for syntax only: a broken line is named before any
 * key above it can be found wanting. */
static int
syntax_check(const char *path, const struct rk_buf *text, struct rk_err *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	char key[128] = "";
	size_t key_line = 0;
	int rc = 0, depth = 0;
	unsigned long nodes = 0; /* started in the top mapping: key, value */

	parser_init(&p, text);
	while (rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = syntax_error(&p, path, key, key_line, err);
			break;
		}
		if (depth == 1 &&
		    (ev.type == YAML_SCALAR_EVENT ||
		     ev.type == YAML_SEQUENCE_START_EVENT ||
		     ev.type == YAML_MAPPING_START_EVENT ||
		     ev.type == YAML_ALIAS_EVENT) &&
		    nodes++ % 2 == 0 && ev.type == YAML_SCALAR_EVENT) {
			snprintf(key, sizeof(key), "%s",
				 (const char *)ev.data.scalar.value);
			key_line = ev.start_mark.line + 1;
		}
		if (ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT ||
			 ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		if (ev.type == YAML_STREAM_END_EVENT)
			rc = 1;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc < 0 ? -1 : 0;
}

static int
yaml_check(const char *path, const struct rk_buf *text, unsigned *lines,
	   struct env_pick *e, struct rk_err *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int rc = -1, depth = 0;

	if (syntax_check(path, text, err) < 0)
		return -1;
	parser_init(&p, text);
	while (next_event(&p, &ev, path, err) == 0) {
		yaml_event_type_t t = ev.type;
		unsigned line = (unsigned)ev.start_mark.line + 1;

		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT) {
			rc = 0;
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT && ++depth > 1) {
			rk_fail(err, RK_CONFIG,
				"%s:%u: a second YAML document ('---'); "
				"reckon reads one",
				path, line);
			break;
		}
		if (t == YAML_MAPPING_START_EVENT) {
			if (check_mapping(&p, path, lines, e, err) < 0)
				break;
		} else if (t == YAML_SEQUENCE_START_EVENT ||
			   t == YAML_ALIAS_EVENT) {
			rk_fail(err, RK_CONFIG,
				"%s:%u: expected 'key: value' lines, not %s",
				path, line, node_kind(t));
			break;
		}
	}
	yaml_parser_delete(&p);
	return rc;
}

int
cfg_load(const char *path, struct rk_config *cfg, struct rk_err *err)
{
	struct rk_buf log = RK_BUF_INIT, text = RK_BUF_INIT;
	struct yaml_config *y = NULL;
	cyaml_config_t cc = {
		.log_fn = collect_log,
		.log_ctx = &log,
		.mem_fn = cyaml_mem,
		.log_level = CYAML_LOG_ERROR,
		.flags = CYAML_CFG_DEFAULT,
	};
	unsigned lines[NLINES] = { 0 };
	struct env_pick e = { .want = NULL };
	int rc = -1;

	if (!cfg->env && getenv("RECKON_ENV") && *getenv("RECKON_ENV"))
		cfg_set(&cfg->env, getenv("RECKON_ENV"));
	e.want = cfg->env;
	if (!path) {
		if (access("reckon.yaml", F_OK) != 0) {
			if (!e.want)
				return 0;
			rk_fail(err, RK_CONFIG,
				"environment '%s' asked for, but there is no "
				"reckon.yaml",
				e.want);
			rk_err_hint(err, "define it under 'environments:' in "
					 "reckon.yaml, or pass --config FILE");
			return -1;
		}
		path = "reckon.yaml";
	}
	if (rk_buf_read_file(&text, path) < 0)
		return rk_fail(err, RK_CONFIG,
			       "cannot read config file '%s': %s", path,
			       strerror(errno));
	if (text.len == 0) {
		rc = apply_env(path, &e, cfg,
			       err); /* an empty file is allowed */
		goto out;
	}
	if (yaml_check(path, &text, lines, &e, err) < 0)
		goto out;
	if (cyaml_load_data((const uint8_t *)text.s, text.len, &cc,
			    &yaml_schema, (cyaml_data_t **)&y,
			    NULL) != CYAML_OK) {
		/* yaml_check lets through only what the schema takes */
		rk_fail(err, RK_CONFIG, "%s: %s", path, log.s ? log.s : "");
		goto out;
	}
	rc = y ? apply_yaml(path, y, lines, cfg, err) : 0;
	for (size_t i = 0; rc == 0 && i < CFG_NKEYS; i++) {
		if (!e.top[i] ||
		    cfg_apply(cfg, &cfg_keys[i], e.top[i], path, err) == 0)
			continue;
		rk_err_prefix(err, "%s:%u: key '%s'", path, lines[i],
			      cfg_keys[i].key);
		rc = -1;
	}
	if (rc == 0)
		rc = apply_env(path, &e, cfg, err);
	cyaml_free(&cc, &yaml_schema, y, 0);
out:
	env_pick_release(&e);
	rk_buf_release(&text);
	rk_buf_release(&log);
	return rc;
}

/* One value of a .env line, at s; *out gets it (owned). */
static int
dotenv_value(const char *s, const char *path, unsigned line, char **out,
	     struct rk_err *err)
{
	struct rk_buf b = RK_BUF_INIT;
	char q = *s;

	if (q == '\'' || q == '"') {
		for (s++; *s && *s != q; s++) {
			if (q == '"' && *s == '\\' && s[1]) {
				s++;
				rk_buf_addc(&b, *s == 'n' ? '\n' : *s);
			} else {
				rk_buf_addc(&b, *s);
			}
		}
		if (*s != q) {
			rk_buf_release(&b);
			return rk_fail(err, RK_CONFIG,
				       "%s:%u: a quoted value is never closed "
				       "(reckon reads one line a value)",
				       path, line);
		}
	} else {
		size_t n = strlen(s);
		const char *hash = strstr(s, " #");

		if (hash)
			n = (size_t)(hash - s);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		rk_buf_add(&b, s, n);
	}
	*out = rk_buf_detach(&b, NULL);
	return 0;
}

int
cfg_load_dotenv(struct rk_config *cfg, struct rk_err *err)
{
	const char *path = ".env";
	struct rk_buf text = RK_BUF_INIT;
	char *line, *next;
	unsigned no = 0;
	int rc = 0;

	if (access(path, F_OK) != 0)
		return 0;
	if (rk_buf_read_file(&text, path) < 0)
		return rk_fail(err, RK_CONFIG, "cannot read '%s': %s", path,
			       strerror(errno));
	cfg->dotenv |= DOTENV_READ;
	for (line = text.s; line && rc == 0; line = next) {
		char *name, *eq, *value = NULL;
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		no++;
		n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (strncmp(line, "export ", 7) == 0)
			line += 7;
		name = line;
		eq = strchr(line, '=');
		n = eq ? strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "abcdefghijklmnopqrstuvwxyz0123456789_")
		       : 0;
		if (!eq || n == 0 || name + n != eq) {
			rc = rk_fail(err, RK_CONFIG,
				     "%s:%u: expected NAME=value", path, no);
			break;
		}
		*eq = '\0';
		if (strcmp(name, "DATABASE_URL") != 0 &&
		    strncmp(name, "RECKON_", 7) != 0)
			continue;
		if (dotenv_value(eq + 1, path, no, &value, err) < 0) {
			rc = -1;
			break;
		}
		if (!getenv(name)) {
			if (setenv(name, value, 0) != 0)
				rk_bug("setenv");
			if (strcmp(name, "DATABASE_URL") == 0)
				cfg->dotenv |= DOTENV_DATABASE_URL;
			else if (strcmp(name, "RECKON_DATABASE_URL") == 0)
				cfg->dotenv |= DOTENV_RECKON_DATABASE_URL;
		}
		free(value);
	}
	rk_buf_release(&text);
	return rc;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/*
 * The last fallback: the POSTGRES_* variables of the official postgres
 * image and of many app templates, each optional. They are handed to
 * libpq as the PG* variables it reads (never overriding one that is set),
 * so the password stays in the environment, out of every URL reckon
 * prints; POSTGRES_SCHEMA is --schema unless one is given. Returns the
 * first variable set, or NULL.
 */
static const char *
postgres_vars(struct rk_config *cfg)
{
	static const char *const vars[][2] = {
		{ "POSTGRES_HOST", "PGHOST" },
		{ "POSTGRES_SERVER", "PGHOST" },
		{ "POSTGRES_PORT", "PGPORT" },
		{ "POSTGRES_USER", "PGUSER" },
		{ "POSTGRES_PASSWORD", "PGPASSWORD" },
		{ "POSTGRES_DB", "PGDATABASE" },
		{ "POSTGRES_SCHEMA", NULL },
	};
	const char *first = NULL, *v;

	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		if (!(v = env(vars[i][0])))
			continue;
		if (!first)
			first = vars[i][0];
		if (vars[i][1] && !env(vars[i][1]) &&
		    setenv(vars[i][1], v, 0) < 0)
			return NULL;
		if (!vars[i][1] && !cfg->schema)
			cfg_set(&cfg->schema, v);
	}
	return first;
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
	/* a dumb terminal cannot show escapes (git: color.c) */
	v = env("TERM");
	cfg->color = isatty(STDOUT_FILENO) && !env("NO_COLOR") &&
		     !(v && strcmp(v, "dumb") == 0);
	if ((v = env("RECKON_TOKEN")) != NULL)
		cfg_set(&cfg->token, v);
	if (!cfg->dir)
		cfg_set(&cfg->dir, "migrations");
	if (cfg->db_source && strcmp(cfg->db_source, "--db") == 0)
		return 0;
	if ((v = env("RECKON_DATABASE_URL")) != NULL ||
	    (v = env("DATABASE_URL")) != NULL) {
		int rk = env("RECKON_DATABASE_URL") != NULL;
		int dot = cfg->dotenv & (rk ? DOTENV_RECKON_DATABASE_URL
					    : DOTENV_DATABASE_URL);

		cfg_set(&cfg->db_source,
			rk ? (dot ? "RECKON_DATABASE_URL in .env"
				  : "RECKON_DATABASE_URL")
			   : (dot ? "DATABASE_URL in .env" : "DATABASE_URL"));
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
	if ((v = postgres_vars(cfg)) != NULL) {
		cfg_set(&cfg->db_url, "");
		cfg_set(&cfg->db_source, v);
		return 0;
	}
	if (!need_db)
		return 0;
	rk_fail(err, RK_CONFIG, "no database given");
	rk_err_hint(err, "pass --db URL (postgres://... or sqlite:FILE), or "
			 "set RECKON_DATABASE_URL, DATABASE_URL, 'database' "
			 "in reckon.yaml, libpq's PG* variables or "
			 "POSTGRES_HOST/_PORT/_USER/_PASSWORD/_DB");
	return -1;
}

void
cfg_dup(struct rk_config *dst, const struct rk_config *src)
{
	struct rk_err ignored = RK_ERR_INIT;

	*dst = *src;
	dst->db_url = src->db_url ? xstrdup(src->db_url) : NULL;
	dst->db_source = src->db_source ? xstrdup(src->db_source) : NULL;
	dst->dir = src->dir ? xstrdup(src->dir) : NULL;
	dst->schema = src->schema ? xstrdup(src->schema) : NULL;
	dst->framework = src->framework ? xstrdup(src->framework) : NULL;
	dst->table = src->table ? xstrdup(src->table) : NULL;
	dst->actor = src->actor ? xstrdup(src->actor) : NULL;
	dst->token = src->token ? xstrdup(src->token) : NULL;
	dst->label = src->label ? xstrdup(src->label) : NULL;
	dst->env = src->env ? xstrdup(src->env) : NULL;
	dst->lint_sqlite_version = src->lint_sqlite_version
					   ? xstrdup(src->lint_sqlite_version)
					   : NULL;
	/* a compiled pattern keeps its match data: one per copy */
	dst->files_pattern =
		src->files_pattern
			? migpattern_new(migpattern_source(src->files_pattern),
					 &ignored)
			: NULL;
	dst->django_app = src->django_app ? xstrdup(src->django_app) : NULL;
	dst->runner = src->runner ? xstrdup(src->runner) : NULL;
	dst->runner_env = src->runner_env ? xstrdup(src->runner_env) : NULL;
	dst->placeholders =
		src->placeholders ? xstrdup(src->placeholders) : NULL;
}

/* (cfg_dup copies every member cfg_release frees: keep the two in step) */
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
	free(cfg->label);
	free(cfg->env);
	free(cfg->lint_sqlite_version);
	migpattern_free(cfg->files_pattern);
	free(cfg->django_app);
	free(cfg->runner);
	free(cfg->runner_env);
	free(cfg->placeholders);
	memset(cfg, 0, sizeof(*cfg));
}
