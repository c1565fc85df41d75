/*
 * The migration linter's rule engine (parsers/lint.c): which statements of
 * a migration lock or rewrite a table, break running application code, or
 * will not run at all on the engine, read from the lexer's tokens (sql.h)
 * with the DDL extractor's cursor, so strings, comments and bodies never
 * confuse it. Pure: no I/O, no database. It says which table a finding is
 * on and whether the same input created that table earlier; core/lint.c
 * turns that and the live table's size into a severity.
 */
#ifndef RECKON_PARSERS_LINT_H
#define RECKON_PARSERS_LINT_H

#include <stddef.h>

#include "reckon/parsers/ddl.h"

struct rk_err;
struct sql_dialect;
struct sql_stmt_list;

enum lint_severity {
	LINT_INFO,
	LINT_WARNING,
	LINT_ERROR,
};
/* "info", "warning", "error". */
const char *lint_severity_name(enum lint_severity s);

/* One rule: lint_rules[], documented in man/reckon.1 (LINT RULES). */
struct lint_rule {
	const char *id;		     /* "create-index-not-concurrently" */
	const char *dialect;	     /* "postgres", "sqlite", or NULL: both */
	enum lint_severity severity; /* on an existing table of unknown or
				      * moderate size */
	int fixed;		     /* the severity never depends on the
				      * table (the statement fails) */
	const char *catches;	     /* what it catches, one line */
	const char *why;	     /* why it hurts */
	const char *safe;	     /* the safe way to do it */
};
extern const struct lint_rule lint_rules[];
extern const size_t lint_nrules;
/* The rule called id, or NULL. */
const struct lint_rule *lint_rule_find(const char *id);

/* One finding of the engine. */
struct lint_hit {
	const struct lint_rule *rule;
	unsigned stmt;	/* 0-based statement of the text */
	unsigned line;	/* 1-based line of the statement */
	char *schema;	/* owned: the table's schema, "" if unqualified */
	char *table;	/* owned: the table, "" when the finding has none */
	char *column;	/* owned: ALTER COLUMN TYPE's column, or NULL */
	char *new_type; /* owned: ALTER COLUMN TYPE's type as written */
	int table_new;	/* the same input created the table earlier */
	int rebuilt;	/* DROP TABLE of a table the same file rebuilds (a
			 * copy is renamed to its name) */
	char *message;	/* owned */
	char *allow;	/* owned: a reckon:allow reason, or NULL */
	int bad_allow;	/* a reckon:allow for this rule without reason */
};

struct lint_hits {
	struct lint_hit *v; /* owned */
	size_t n;
	size_t cap;
};
void lint_hits_release(struct lint_hits *h);

/*
 * The engine's state across the files of one lint: the tables they
 * created so far (a later file's finding on one of them is on a new,
 * empty table).
 */
struct lint_state {
	const struct sql_dialect *d;
	unsigned sqlite_version; /* 3035000 for 3.35.0; 0 = any (newest) */
	struct ddl_list created; /* tables the input created so far */
};
void lint_state_init(struct lint_state *st, const struct sql_dialect *d,
		     unsigned sqlite_version);
void lint_state_release(struct lint_state *st);

/*
 * Append to out the findings of the statements stmts of s[0..n) (as
 * sql_split() cut them from s), in statement order; "-- reckon:allow RULE
 * REASON" in a comment before a statement or inside it sets allow on that
 * statement's findings of RULE (without a REASON, bad_allow instead).
 * The rebuild rule counts a file as turning SQLite's foreign keys off
 * when it says PRAGMA foreign_keys = OFF or reckon:foreign-keys off.
 */
void lint_text(struct lint_state *st, const char *s, size_t n,
	       const struct sql_stmt_list *stmts, struct lint_hits *out);

/*
 * Whether changing a column of type from (as format_type() prints it:
 * "character varying(20)", "text", "numeric(10,2)") to to (as written in
 * the migration) keeps its bytes, so PostgreSQL rewrites nothing: the
 * same type, varchar(n) to varchar(m >= n), varchar or text, text to
 * varchar, numeric(p,s) to numeric(q >= p, s) or numeric, varbit(n)
 * widened, and timestamp to timestamptz is not (it depends on TimeZone).
 */
int lint_type_binary_compatible(const char *from, const char *to);

/* "3.35.0" as 3035000; 0 if s is not a version. */
unsigned lint_sqlite_version_num(const char *s);

#endif
