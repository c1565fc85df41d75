/*
 * The SQL lexer and statement splitter (parsers/sql_lex.c, sql_split.c).
 * They take a buffer and return offsets into it: no I/O, no allocation per
 * token, never read past n (input may hold NUL bytes). Dialects are data.
 * Not here: which objects a statement creates (ddl.h).
 */
#ifndef RECKON_SQL_H
#define RECKON_SQL_H

#include <stddef.h>

struct rk_err;

enum sql_tok {
	TK_SPACE,	 /* white space */
	TK_COMMENT,	 /* -- to end of line, or a (nested) block comment */
	TK_WORD,	 /* keyword or unquoted identifier */
	TK_QIDENT,	 /* "ident", and on SQLite [ident] and `ident` */
	TK_STRING,	 /* 'str', E'str', B'..', X'..', N'..', U&'..' */
	TK_DOLLAR,	 /* $$...$$ or $tag$...$tag$ (PG) */
	TK_NUMBER,	 /* 1, 1.5e3, 0x1F */
	TK_PARAM,	 /* $1, ?, ?1, :name, @name */
	TK_SEMI,	 /* ; */
	TK_LPAREN,	 /* ( */
	TK_RPAREN,	 /* ) */
	TK_COMMA,	 /* , */
	TK_DOT,		 /* . */
	TK_OP,		 /* any other operator or punctuation */
	TK_UNTERMINATED, /* a quote or comment that runs to the end */
};

/*
 * What a dialect allows; sql_dialect_pg and sql_dialect_sqlite. The lexer,
 * splitter and DDL extractor read only these members, never which dialect
 * object they were given, so a third dialect is one more table.
 */
struct sql_dialect {
	const char *name;	      /* "postgres", "sqlite" */
	const char *temp_schema;      /* where TEMP objects live: "pg_temp",
				       * "temp" */
	unsigned nested_comments : 1; /* block comments nest (PG) */
	unsigned dollar_quotes : 1;   /* $tag$ strings (PG) */
	unsigned e_strings : 1;	      /* E'..' with backslash escapes (PG) */
	unsigned bracket_idents : 1;  /* [ident] (SQLite) */
	unsigned backtick_idents : 1; /* `ident` (SQLite) */
	unsigned begin_atomic : 1;    /* CREATE FUNCTION .. BEGIN ATOMIC ..
				       * END is one statement (PG 14) */
	unsigned trigger_bodies : 1;  /* CREATE TRIGGER .. BEGIN .. END is
				       * one statement (SQLite) */
	unsigned paren_semis : 1;     /* ';' inside ( ) does not split (psql):
				       * CREATE RULE .. DO (a; b) */
	unsigned no_tx_stmts : 1;     /* CREATE INDEX CONCURRENTLY, CREATE
				       * DATABASE, ... refuse a transaction
				       * (PG; VACUUM is flagged on all) */
	unsigned prepare_tx : 1;      /* PREPARE TRANSACTION is transaction
				       * control (PG two-phase commit) */
	unsigned fold_idents : 1;     /* unquoted names fold to lower case
				       * and truncate to 63 bytes (PG); else
				       * kept as written, compared without
				       * case (SQLite) */
	unsigned fk_pragma : 1;	      /* PRAGMA foreign_keys, which does
				       * nothing inside a transaction, so the
				       * runner sets it around a batch
				       * (SQLite) */
	unsigned schema_on_name : 1;  /* CREATE INDEX/TRIGGER s.name puts the
				       * object in schema s, the table's
				       * (SQLite); PG takes the table's */
};
extern const struct sql_dialect sql_dialect_pg;
extern const struct sql_dialect sql_dialect_sqlite;
/* The dialect called name ("postgres", "sqlite"), or NULL. */
const struct sql_dialect *sql_dialect_find(const char *name);

/*
 * Length (>= 1) and kind of the token at s[0], for n >= 1. An unterminated
 * quote or comment runs to s[n] and is TK_UNTERMINATED.
 */
size_t sql_token(const char *s, size_t n, const struct sql_dialect *d,
		 enum sql_tok *kind);

/* Statement flags found by the splitter. */
#define SQL_NO_TX                                                              \
	0x1u /* refused inside a transaction block (CREATE/DROP                \
	      * INDEX CONCURRENTLY, REINDEX .. CONCURRENTLY,                   \
	      * VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM,                    \
	      * CREATE/DROP TABLESPACE) */
#define SQL_TX_CONTROL                                                         \
	0x2u /* BEGIN, START TRANSACTION, COMMIT, END,                         \
	      * ROLLBACK, SAVEPOINT, RELEASE, ABORT */
#define SQL_ADD_VALUE                                                          \
	0x4u /* ALTER TYPE .. ADD VALUE: no-transaction before                 \
	      * PostgreSQL 12 */

/* One statement: a slice of the caller's buffer. */
struct sql_stmt {
	size_t off;	/* first byte that is not space or comment */
	size_t len;	/* through the terminating ';' (or end of input) */
	unsigned line;	/* 1-based line of s[off] */
	unsigned flags; /* SQL_* above */
};

struct sql_stmt_list {
	struct sql_stmt *v; /* owned */
	size_t n;
	size_t cap;
};
#define SQL_STMT_LIST_INIT                                                     \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void sql_stmt_list_release(struct sql_stmt_list *l);

/*
 * Split s[0..n) into statements, appending to out. Statements end at ';'
 * outside quotes, comments and bodies; PG "BEGIN ATOMIC ... END" and SQLite
 * "CREATE TRIGGER ... BEGIN ... END" are one statement each. Text holding
 * only space, comments and ';' makes no statement. An unterminated quote,
 * dollar quote, quoted identifier or comment is an RK_INPUT error naming
 * what and the line where it starts (the caller prefixes the file name).
 */
int sql_split(const char *s, size_t n, const struct sql_dialect *d,
	      struct sql_stmt_list *out, struct rk_err *err);

#endif
