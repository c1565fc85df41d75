/*
 * The migration linter's rules (lint.h). Each statement is read once with
 * the DDL extractor's cursor (ddl_int.h): its head says what it is, and
 * ALTER TABLE is read action by action. Per file, the tables a transaction
 * changes with DDL and the data-changing statements in it are kept until
 * the transaction ends (COMMIT, or the end of the file), and the CHECK (col
 * IS NOT NULL) constraints seen, so SET NOT NULL after a validated one
 * passes.
 */
#include "reckon/parsers/lint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/util.h"
#include "reckon/parsers/sql.h"
#include "ddl_int.h"

#include "reckon/base/banned.h"

#define NOCONC "create-index-not-concurrently"

const struct lint_rule lint_rules[] = {
	{ NOCONC, "postgres", LINT_WARNING, 0,
	  "CREATE INDEX without CONCURRENTLY on a table that exists",
	  "the build holds a SHARE lock: every INSERT, UPDATE and DELETE on "
	  "the table waits until the whole index is built",
	  "CREATE INDEX CONCURRENTLY, alone in a file marked "
	  "'-- reckon:no-transaction' (it cannot run in a transaction)" },
	{ "add-column-volatile-default", "postgres", LINT_WARNING, 0,
	  "ADD COLUMN with a volatile DEFAULT (random(), gen_random_uuid(), "
	  "clock_timestamp(), nextval(), serial) or GENERATED ... STORED",
	  "the table is rewritten under an ACCESS EXCLUSIVE lock: no reads "
	  "or writes until every row has its value",
	  "add the column without a default (or with a constant one), set "
	  "the default for new rows with ALTER COLUMN ... SET DEFAULT, and "
	  "fill old rows in batches" },
	{ "alter-column-type", "postgres", LINT_WARNING, 0,
	  "ALTER COLUMN ... TYPE that is not a known binary-compatible "
	  "change (varchar(n) widened, varchar to text, numeric widened)",
	  "the table and its indexes are rewritten under an ACCESS "
	  "EXCLUSIVE lock: no reads or writes until it ends",
	  "add a column of the new type, fill it in batches, switch the "
	  "application, then drop the old column" },
	{ "set-not-null", "postgres", LINT_WARNING, 0,
	  "ALTER COLUMN ... SET NOT NULL without a validated CHECK (col IS "
	  "NOT NULL) before it",
	  "the whole table is scanned under an ACCESS EXCLUSIVE lock to "
	  "prove no row is NULL",
	  "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE "
	  "CONSTRAINT c (in a later transaction); then SET NOT NULL uses it "
	  "and scans nothing (PostgreSQL 12+); drop c afterwards" },
	{ "constraint-not-valid", "postgres", LINT_WARNING, 0,
	  "ADD CONSTRAINT ... FOREIGN KEY or CHECK without NOT VALID",
	  "every row is checked while the lock is held (a foreign key "
	  "also locks the referenced table against writes)",
	  "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a "
	  "later transaction: it takes a lock that lets reads and writes go "
	  "on" },
	{ "unique-without-index", "postgres", LINT_WARNING, 0,
	  "ADD UNIQUE or PRIMARY KEY without USING INDEX",
	  "the index is built under an ACCESS EXCLUSIVE lock: no reads or "
	  "writes until it is built",
	  "CREATE UNIQUE INDEX CONCURRENTLY first (its own no-transaction "
	  "file), then ADD CONSTRAINT c UNIQUE USING INDEX idx (or PRIMARY "
	  "KEY USING INDEX)" },
	{ "drop-column", NULL, LINT_WARNING, 0, "ALTER TABLE ... DROP COLUMN",
	  "application code still running reads or writes the column and "
	  "fails until it is deployed again",
	  "stop using the column in the application (Rails ignored_columns, "
	  "Django SeparateDatabaseAndState), deploy, then drop it" },
	{ "drop-table", NULL, LINT_WARNING, 0,
	  "DROP TABLE of a table that exists",
	  "the data is gone, and running code that uses the table fails",
	  "stop using the table and deploy first; keep a backup or rename "
	  "it aside before dropping it in a later release" },
	{ "rename-column", NULL, LINT_WARNING, 0,
	  "ALTER TABLE ... RENAME COLUMN",
	  "running application code still uses the old name and fails",
	  "add the new column, write both, backfill, switch reads, then "
	  "drop the old one; or a view that keeps the old name" },
	{ "rename-table", NULL, LINT_WARNING, 0, "ALTER TABLE ... RENAME TO",
	  "running application code still uses the old name and fails",
	  "create the new table (or a view under the old name) and move the "
	  "application over before the old name goes" },
	{ "truncate", NULL, LINT_WARNING, 0, "TRUNCATE",
	  "every row is gone, under an ACCESS EXCLUSIVE lock",
	  "delete what must go in batches with a WHERE, or make sure the "
	  "table is really disposable" },
	{ "vacuum-full", "postgres", LINT_WARNING, 0, "VACUUM FULL",
	  "the table is rewritten under an ACCESS EXCLUSIVE lock",
	  "plain VACUUM, or pg_repack / pg_squeeze, outside a migration" },
	{ "cluster", "postgres", LINT_WARNING, 0, "CLUSTER",
	  "the table is rewritten under an ACCESS EXCLUSIVE lock",
	  "pg_repack --order-by, outside a migration" },
	{ "reindex-not-concurrently", "postgres", LINT_WARNING, 0,
	  "REINDEX without CONCURRENTLY",
	  "writes to the table (and reads that use the index) wait while it "
	  "rebuilds",
	  "REINDEX ... CONCURRENTLY (PostgreSQL 12+), alone in a file "
	  "marked '-- reckon:no-transaction'" },
	{ "lock-table", "postgres", LINT_WARNING, 0, "LOCK TABLE",
	  "an explicit lock (ACCESS EXCLUSIVE unless a mode is given) blocks "
	  "others for the rest of the transaction",
	  "let each statement take the lock it needs, and keep the "
	  "transaction short" },
	{ "dml-with-ddl", NULL, LINT_WARNING, 0,
	  "UPDATE, DELETE or INSERT ... SELECT (a backfill) in the same "
	  "transaction as DDL on the same table",
	  "the DDL's ACCESS EXCLUSIVE lock is held until the data change "
	  "ends: with every row to change, the table is blocked that long",
	  "change the schema in one migration, backfill in batches in "
	  "another (its own transactions), then add constraints" },
	{ "sqlite-unsupported-alter", "sqlite", LINT_ERROR, 1,
	  "an ALTER TABLE form SQLite cannot do: ALTER COLUMN, ADD/DROP "
	  "CONSTRAINT, ADD COLUMN with PRIMARY KEY, UNIQUE, NOT NULL without "
	  "a default, or a non-constant default",
	  "SQLite refuses the statement: the migration fails",
	  "rebuild the table: PRAGMA foreign_keys = OFF; CREATE TABLE "
	  "new_t (...); INSERT INTO new_t SELECT ... FROM t; DROP TABLE t; "
	  "ALTER TABLE new_t RENAME TO t; recreate indexes and triggers" },
	{ "sqlite-rebuild-foreign-keys", "sqlite", LINT_WARNING, 0,
	  "the table-rebuild pattern (DROP TABLE t; ALTER TABLE new_t RENAME "
	  "TO t) without turning foreign keys off",
	  "with foreign_keys on, DROP TABLE t deletes or refuses through "
	  "other tables' references, and ON DELETE CASCADE removes their "
	  "rows",
	  "PRAGMA foreign_keys = OFF in the file (reckon turns it off around "
	  "the batch and runs PRAGMA foreign_key_check before COMMIT)" },
	{ "sqlite-version", "sqlite", LINT_ERROR, 1,
	  "DROP COLUMN on SQLite older than 3.35, RENAME COLUMN older than "
	  "3.25 (lint.sqlite_version)",
	  "that SQLite refuses the statement: the migration fails",
	  "rebuild the table (see sqlite-unsupported-alter), or require a "
	  "newer SQLite" },
};
const size_t lint_nrules = ARRAY_SIZE(lint_rules);

const struct lint_rule *
lint_rule_find(const char *id)
{
	for (size_t i = 0; i < lint_nrules; i++)
		if (strcmp(lint_rules[i].id, id) == 0)
			return &lint_rules[i];
	return NULL;
}

const char *
lint_severity_name(enum lint_severity s)
{
	switch (s) {
	case LINT_INFO:
		return "info";
	case LINT_WARNING:
		return "warning";
	case LINT_ERROR:
		return "error";
	}
	rk_bug("lint severity %d", (int)s);
}

void
lint_hits_release(struct lint_hits *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].schema);
		free(h->v[i].table);
		free(h->v[i].column);
		free(h->v[i].new_type);
		free(h->v[i].message);
		free(h->v[i].allow);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

void
lint_state_init(struct lint_state *st, const struct sql_dialect *d,
		unsigned sqlite_version)
{
	struct ddl_list empty = DDL_LIST_INIT;

	st->d = d;
	st->sqlite_version = sqlite_version;
	st->created = empty;
	st->created.nocase = !d->fold_idents;
}

void
lint_state_release(struct lint_state *st)
{
	ddl_list_release(&st->created);
}

unsigned
lint_sqlite_version_num(const char *s)
{
	unsigned part[3] = { 0, 0, 0 };
	int k = 0;

	if (!s || *s < '0' || *s > '9')
		return 0;
	while (*s && k < 3) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v > 999)
			return 0;
		part[k++] = (unsigned)v;
		s = end;
		if (*s == '.')
			s++;
		else
			break;
	}
	return part[0] * 1000000 + part[1] * 1000 + part[2];
}

/* ---- binary-compatible type changes ---- */

/* The type as "base" and "(args)": lower case, no spaces, aliases one
 * spelling. */
static void
type_norm(const char *t, char *base, size_t bcap, long *a1, long *a2)
{
	static const struct {
		const char *from, *to;
	} alias[] = {
		{ "charactervarying", "varchar" },
		{ "decimal", "numeric" },
		{ "bitvarying", "varbit" },
		{ "int4", "integer" },
		{ "int", "integer" },
		{ "int8", "bigint" },
		{ "int2", "smallint" },
		{ "bool", "boolean" },
	};
	char buf[128];
	size_t n = 0;
	char *paren;

	for (; *t && n + 1 < sizeof(buf); t++) {
		char ch = *t;

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '"')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch | 0x20);
		buf[n++] = ch;
	}
	buf[n] = '\0';
	if (strncmp(buf, "pg_catalog.", 11) == 0)
		memmove(buf, buf + 11, strlen(buf + 11) + 1);
	*a1 = *a2 = -1;
	paren = strchr(buf, '(');
	if (paren) {
		char *end;

		*paren = '\0';
		*a1 = strtol(paren + 1, &end, 10);
		if (*end == ',')
			*a2 = strtol(end + 1, &end, 10);
	}
	for (size_t i = 0; i < ARRAY_SIZE(alias); i++)
		if (strcmp(buf, alias[i].from) == 0) {
			snprintf(buf, sizeof(buf), "%s", alias[i].to);
			break;
		}
	snprintf(base, bcap, "%s", buf);
}

int
lint_type_binary_compatible(const char *from, const char *to)
{
	char fb[128], tb[128];
	long f1, f2, t1, t2;

	type_norm(from, fb, sizeof(fb), &f1, &f2);
	type_norm(to, tb, sizeof(tb), &t1, &t2);
	if (!strcmp(fb, tb) && f1 == t1 && f2 == t2)
		return 1;
	if (!strcmp(fb, "varchar") || !strcmp(fb, "text")) {
		if (!strcmp(tb, "text"))
			return 1;
		if (!strcmp(tb, "varchar"))
			return t1 < 0 ||
			       (!strcmp(fb, "varchar") && f1 >= 0 && t1 >= f1);
	}
	if ((!strcmp(fb, "numeric") && !strcmp(tb, "numeric")) ||
	    (!strcmp(fb, "varbit") && !strcmp(tb, "varbit")))
		return t1 < 0 || (f1 >= 0 && t1 >= f1 && t2 == f2);
	if (!strcmp(fb, "cidr") && !strcmp(tb, "inet"))
		return 1;
	return 0;
}

/* ---- the per-file reader ---- */

/* A "-- reckon:allow RULE REASON" comment. */
struct allow {
	unsigned stmt;
	char rule[64];
	char *reason; /* owned; NULL when none was given */
};

/* A table named by a statement: its schema and name as stored. */
struct tname {
	char *schema, *table;
};

/* A data-changing statement waiting for its transaction's end. */
struct dml {
	struct tname t;
	unsigned stmt, line;
	const char *verb; /* "UPDATE", "DELETE", "INSERT ... SELECT" */
	int no_where;
	int table_new;
};

/* CHECK (col IS NOT NULL) seen on a table. */
struct nncheck {
	struct tname t;
	char *name;   /* the constraint's, or "" */
	char *column; /* the column */
	int validated;
};

struct lx {
	struct lint_state *st;
	const char *s;
	size_t n;
	const struct sql_stmt_list *stmts;
	struct lint_hits *out;
	struct ex ex; /* for ddl_set_qname's folding: only d is read */
	unsigned i;   /* the statement being read */
	unsigned line;
	struct allow *allow;
	size_t nallow, callow;
	struct tname *ddl; /* tables the transaction changed with DDL */
	size_t nddl, cddl;
	struct dml *dml;
	size_t ndml, cdml;
	struct nncheck *nn;
	size_t nnn, cnn;
	struct tname *dropped; /* tables this file dropped */
	size_t ndropped, cdropped;
	int fk_off;
	size_t first;		   /* out->v[first..]: this file's findings */
	struct rk_buf sch, tab, b; /* scratch */
};

static void
tname_set(struct tname *t, const char *schema, const char *table)
{
	t->schema = xstrdup(schema);
	t->table = xstrdup(table);
}

static void
tname_free(struct tname *t)
{
	free(t->schema);
	free(t->table);
}

static int
name_eq(const struct lx *x, const char *a, const char *b)
{
	return ddl_name_eq(&x->st->created, a, b);
}

/* The same table: same name, and the same schema or one unwritten. */
static int
tname_eq(const struct lx *x, const struct tname *t, const char *schema,
	 const char *table)
{
	return name_eq(x, t->table, table) &&
	       (!*t->schema || !*schema || name_eq(x, t->schema, schema));
}

static int
either_unwritten(const char *want, const char *have, const void *arg)
{
	(void)arg;
	return !*want || !*have;
}

static size_t
created_find(const struct lx *x, const char *schema, const char *table)
{
	return ddl_list_find(&x->st->created, DDL_TABLE, schema, table,
			     either_unwritten, NULL);
}

/* Add a finding on the current statement; table NULL for none. */
__attribute__((format(printf, 5, 6))) static struct lint_hit *
hit(struct lx *x, const char *rule, const char *schema, const char *table,
    const char *fmt, ...)
{
	struct rk_buf m = RK_BUF_INIT;
	struct lint_hit *h;
	va_list ap;
	int len;
	const struct lint_rule *r = lint_rule_find(rule);

	if (!r)
		rk_bug("lint rule %s", rule);
	if (r->dialect && strcmp(r->dialect, x->st->d->name) != 0)
		return NULL;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	rk_buf_grow(&m, (size_t)len);
	va_start(ap, fmt);
	vsnprintf(m.s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	m.len = (size_t)len;
	rk_grow((void **)&x->out->v, &x->out->cap, x->out->n + 1,
		sizeof(*x->out->v));
	h = &x->out->v[x->out->n++];
	memset(h, 0, sizeof(*h));
	h->rule = r;
	h->stmt = x->i;
	h->line = x->line;
	h->schema = xstrdup(table ? schema : "");
	h->table = xstrdup(table ? table : "");
	h->table_new = table && created_find(x, schema, table) != DDL_NONE;
	h->message = rk_buf_detach(&m, NULL);
	for (size_t k = 0; k < x->nallow; k++) {
		if (x->allow[k].stmt != x->i || strcmp(x->allow[k].rule, rule))
			continue;
		if (x->allow[k].reason) {
			free(h->allow);
			h->allow = xstrdup(x->allow[k].reason);
			h->bad_allow = 0;
		} else if (!h->allow) {
			h->bad_allow = 1;
		}
	}
	return h;
}

/* "s.t" or "t" for messages; into x->b. */
static const char *
qual(struct lx *x, const char *schema, const char *table)
{
	rk_buf_reset(&x->b);
	rk_buf_addf(&x->b, "%s%s%s", schema, *schema ? "." : "", table);
	return x->b.s;
}

static void
mark_ddl(struct lx *x, const char *schema, const char *table)
{
	for (size_t k = 0; k < x->nddl; k++)
		if (tname_eq(x, &x->ddl[k], schema, table))
			return;
	rk_grow((void **)&x->ddl, &x->cddl, x->nddl + 1, sizeof(*x->ddl));
	tname_set(&x->ddl[x->nddl++], schema, table);
}

/* The transaction ends: a data change on a table it changed with DDL. */
static void
flush_tx(struct lx *x)
{
	unsigned save_i = x->i, save_line = x->line;

	for (size_t k = 0; k < x->ndml; k++) {
		struct dml *m = &x->dml[k];
		int ddl = 0;

		for (size_t j = 0; j < x->nddl && !ddl; j++)
			ddl = tname_eq(x, &x->ddl[j], m->t.schema, m->t.table);
		if (ddl) {
			struct lint_hit *h;

			x->i = m->stmt;
			x->line = m->line;
			h = hit(x, "dml-with-ddl", m->t.schema, m->t.table,
				"%s on %s%s in the same transaction as DDL on "
				"it: the DDL's lock is held until it ends",
				m->verb, qual(x, m->t.schema, m->t.table),
				m->no_where ? " (no WHERE: every row)" : "");
			if (h)
				h->table_new = m->table_new;
		}
		tname_free(&m->t);
	}
	x->ndml = 0;
	for (size_t j = 0; j < x->nddl; j++)
		tname_free(&x->ddl[j]);
	x->nddl = 0;
	x->i = save_i;
	x->line = save_line;
}

/* Read a qualified table name into x->sch, x->tab; 0 if none. */
static int
read_table(struct lx *x, struct cur *c)
{
	struct qname q;

	if (!ddl_read_qname(c, &q))
		return 0;
	ddl_set_qname(&x->ex, &q, &x->sch, &x->tab);
	return 1;
}

/* Whether a word kw comes at depth 0 before the statement's end (or a
 * ',' at depth 0 when stop_comma), from c (c is not moved). */
static int
ahead(const struct cur *c0, const char *kw, int stop_comma)
{
	struct cur c = *c0;
	unsigned depth = 0;

	for (; !ddl_at_end(&c); ddl_next(&c)) {
		if (c.t.kind == TK_LPAREN)
			depth++;
		else if (c.t.kind == TK_RPAREN && depth)
			depth--;
		else if (depth == 0 && stop_comma && c.t.kind == TK_COMMA)
			return 0;
		else if (depth == 0 && ddl_is_kw(&c.t, kw))
			return 1;
	}
	return 0;
}

/* Whether the words a b come in that order at depth 0 in the action. */
static int
ahead2(const struct cur *c0, const char *a, const char *b)
{
	struct cur c = *c0;
	unsigned depth = 0;
	int prev = 0;

	for (; !ddl_at_end(&c); ddl_next(&c)) {
		int is_a;

		if (c.t.kind == TK_LPAREN)
			depth++;
		else if (c.t.kind == TK_RPAREN && depth)
			depth--;
		else if (depth == 0 && c.t.kind == TK_COMMA)
			return 0;
		is_a = depth == 0 && ddl_is_kw(&c.t, a);
		if (prev && depth == 0 && ddl_is_kw(&c.t, b))
			return 1;
		prev = is_a;
	}
	return 0;
}

static const char *const volatile_fns[] = {
	"random",	    "gen_random_uuid",
	"uuid_generate_v1", "uuid_generate_v1mc",
	"uuid_generate_v4", "clock_timestamp",
	"timeofday",	    "nextval",
	"random_normal",
};

/* ADD COLUMN's definition, after the name: a rewrite? Returns the reason
 * or NULL. */
static const char *
volatile_default(const struct cur *c0)
{
	struct cur c = *c0;
	unsigned depth = 0;
	int first = 1, in_default = 0;

	for (; !ddl_at_end(&c); ddl_next(&c), first = 0) {
		if (c.t.kind == TK_LPAREN)
			depth++;
		else if (c.t.kind == TK_RPAREN && depth)
			depth--;
		else if (depth == 0 && c.t.kind == TK_COMMA)
			break;
		if (first &&
		    (ddl_is_kw(&c.t, "serial") ||
		     ddl_is_kw(&c.t, "bigserial") ||
		     ddl_is_kw(&c.t, "smallserial") ||
		     ddl_is_kw(&c.t, "serial4") || ddl_is_kw(&c.t, "serial8")))
			return "a serial column fills every row from a "
			       "sequence";
		if (depth == 0 && ddl_is_kw(&c.t, "stored"))
			return "a stored generated column is computed for "
			       "every row";
		if (depth == 0 && ddl_is_kw(&c.t, "default"))
			in_default = 1;
		else if (depth == 0 &&
			 (ddl_is_kw(&c.t, "not") || ddl_is_kw(&c.t, "null") ||
			  ddl_is_kw(&c.t, "constraint") ||
			  ddl_is_kw(&c.t, "references") ||
			  ddl_is_kw(&c.t, "check") ||
			  ddl_is_kw(&c.t, "unique") ||
			  ddl_is_kw(&c.t, "primary")))
			in_default = 0;
		if (!in_default || c.t.kind != TK_WORD)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(volatile_fns); k++)
			if (ddl_is_kw(&c.t, volatile_fns[k]))
				return "a volatile default is computed for "
				       "every row";
	}
	return NULL;
}

/* SQLite's ADD COLUMN limits; the reason it refuses, or NULL. */
static const char *
sqlite_add_column(const struct cur *c0)
{
	struct cur c = *c0;
	unsigned depth = 0;
	int notnull = 0, dflt = 0, nonnull_dflt = 0, after_default = 0;

	for (; !ddl_at_end(&c); ddl_next(&c)) {
		int was_default = after_default;

		after_default = 0;
		if (c.t.kind == TK_LPAREN) {
			if (depth == 0 && was_default)
				return "a default in parentheses (an "
				       "expression)";
			depth++;
			continue;
		}
		if (c.t.kind == TK_RPAREN) {
			if (depth)
				depth--;
			continue;
		}
		if (depth)
			continue;
		if (ddl_is_kw(&c.t, "primary"))
			return "a PRIMARY KEY column";
		if (ddl_is_kw(&c.t, "unique"))
			return "a UNIQUE column";
		if (ddl_is_kw(&c.t, "stored"))
			return "a STORED generated column";
		if (ddl_is_kw(&c.t, "not")) {
			struct cur n = c;

			ddl_next(&n);
			if (ddl_is_kw(&n.t, "null"))
				notnull = 1;
		}
		if (ddl_is_kw(&c.t, "default")) {
			dflt = after_default = 1;
			continue;
		}
		if (was_default) {
			if (ddl_is_kw(&c.t, "current_time") ||
			    ddl_is_kw(&c.t, "current_date") ||
			    ddl_is_kw(&c.t, "current_timestamp"))
				return "a default of CURRENT_TIME, "
				       "CURRENT_DATE or CURRENT_TIMESTAMP";
			nonnull_dflt = !ddl_is_kw(&c.t, "null");
		}
	}
	if (notnull && (!dflt || !nonnull_dflt))
		return "a NOT NULL column without a non-NULL default";
	return NULL;
}

/* The text of the type after ALTER COLUMN ... TYPE, up to USING, COLLATE
 * or the action's end, into out (one space between tokens). */
static void
read_type(struct cur *c, struct rk_buf *out)
{
	unsigned depth = 0;

	rk_buf_reset(out);
	for (; !ddl_at_end(c); ddl_next(c)) {
		if (c->t.kind == TK_LPAREN)
			depth++;
		else if (c->t.kind == TK_RPAREN && depth)
			depth--;
		else if (depth == 0 &&
			 (c->t.kind == TK_COMMA || ddl_is_kw(&c->t, "using") ||
			  ddl_is_kw(&c->t, "collate")))
			break;
		if (out->len && c->t.kind != TK_LPAREN &&
		    c->t.kind != TK_RPAREN && c->t.kind != TK_COMMA &&
		    out->s[out->len - 1] != '(' && out->s[out->len - 1] != ',')
			rk_buf_addc(out, ' ');
		rk_buf_add(out, c->t.p, c->t.len);
	}
}

/* A CHECK's expression, from its '(': "( col IS NOT NULL )"? The column
 * goes into out. */
static int
check_is_not_null(struct lx *x, const struct cur *c0, struct rk_buf *out)
{
	struct cur c = *c0;
	struct ident id;

	if (c.t.kind != TK_LPAREN)
		return 0;
	ddl_next(&c);
	if (!ddl_read_ident(&c, &id))
		return 0;
	if (!ddl_accept(&c, "is") || !ddl_accept(&c, "not") ||
	    !ddl_accept(&c, "null") || c.t.kind != TK_RPAREN)
		return 0;
	ddl_set_name(&x->ex, &id, out);
	return 1;
}

static struct nncheck *
nn_find_column(struct lx *x, const char *schema, const char *table,
	       const char *column)
{
	for (size_t k = 0; k < x->nnn; k++)
		if (tname_eq(x, &x->nn[k].t, schema, table) &&
		    name_eq(x, x->nn[k].column, column) && x->nn[k].validated)
			return &x->nn[k];
	return NULL;
}

/* ADD [CONSTRAINT name] ...: c is at the constraint's kind. */
static void
add_constraint(struct lx *x, struct cur *c, const char *name, int sqlite)
{
	const char *schema = x->sch.s, *table = x->tab.s;
	char *sch = xstrdup(schema), *tab = xstrdup(table);
	int not_valid = ahead2(c, "not", "valid");

	if (sqlite) {
		hit(x, "sqlite-unsupported-alter", sch, tab,
		    "SQLite cannot ADD a constraint to %s: rebuild the table",
		    qual(x, sch, tab));
		goto out;
	}
	if (ddl_is_kw(&c->t, "check")) {
		struct cur e = *c;
		struct rk_buf col = RK_BUF_INIT;

		ddl_next(&e);
		if (check_is_not_null(x, &e, &col)) {
			rk_grow((void **)&x->nn, &x->cnn, x->nnn + 1,
				sizeof(*x->nn));
			tname_set(&x->nn[x->nnn].t, sch, tab);
			x->nn[x->nnn].name = xstrdup(name);
			x->nn[x->nnn].column = rk_buf_detach(&col, NULL);
			x->nn[x->nnn++].validated = !not_valid;
		}
		rk_buf_release(&col);
	}
	if ((ddl_is_kw(&c->t, "check") || ddl_is_kw(&c->t, "foreign")) &&
	    !not_valid)
		hit(x, "constraint-not-valid", sch, tab,
		    "ADD %s on %s without NOT VALID checks every row under "
		    "the lock",
		    ddl_is_kw(&c->t, "check") ? "CHECK" : "FOREIGN KEY",
		    qual(x, sch, tab));
	if ((ddl_is_kw(&c->t, "unique") || ddl_is_kw(&c->t, "primary")) &&
	    !ahead2(c, "using", "index"))
		hit(x, "unique-without-index", sch, tab,
		    "ADD %s on %s builds its index under an ACCESS EXCLUSIVE "
		    "lock",
		    ddl_is_kw(&c->t, "unique") ? "UNIQUE" : "PRIMARY KEY",
		    qual(x, sch, tab));
out:
	free(sch);
	free(tab);
}

static int
is_constraint_kind(const struct tok *t)
{
	return ddl_is_kw(t, "check") || ddl_is_kw(t, "foreign") ||
	       ddl_is_kw(t, "unique") || ddl_is_kw(t, "primary") ||
	       ddl_is_kw(t, "exclude");
}

/* One ALTER TABLE action, from its first word, for the table in
 * sch/tab. Returns 0 when the statement should stop being read. */
static void
alter_action(struct lx *x, struct cur *c, const char *sch, const char *tab)
{
	int sqlite = !strcmp(x->st->d->name, "sqlite");
	struct rk_buf name = RK_BUF_INIT;
	struct ident id;

	if (ddl_accept(c, "add")) {
		if (ddl_accept(c, "constraint")) {
			if (ddl_read_ident(c, &id))
				ddl_set_name(&x->ex, &id, &name);
			add_constraint(x, c, name.s, sqlite);
		} else if (is_constraint_kind(&c->t)) {
			add_constraint(x, c, "", sqlite);
		} else {
			const char *why;

			ddl_accept(c, "column");
			ddl_if_not_exists(c);
			if (!ddl_read_ident(c, &id))
				goto out;
			ddl_set_name(&x->ex, &id, &name);
			why = sqlite ? sqlite_add_column(c)
				     : volatile_default(c);
			if (why && sqlite)
				hit(x, "sqlite-unsupported-alter", sch, tab,
				    "SQLite cannot ADD COLUMN %s to %s with %s",
				    name.s, qual(x, sch, tab), why);
			else if (why)
				hit(x, "add-column-volatile-default", sch, tab,
				    "ADD COLUMN %s rewrites %s: %s", name.s,
				    qual(x, sch, tab), why);
		}
	} else if (ddl_accept(c, "alter")) {
		ddl_accept(c, "column");
		if (!ddl_read_ident(c, &id))
			goto out;
		ddl_set_name(&x->ex, &id, &name);
		if (sqlite) {
			hit(x, "sqlite-unsupported-alter", sch, tab,
			    "SQLite cannot ALTER COLUMN %s of %s: rebuild the "
			    "table",
			    name.s, qual(x, sch, tab));
		} else if (ddl_accept(c, "type") ||
			   ddl_accept_seq(c, "set", "data", "type")) {
			struct rk_buf type = RK_BUF_INIT;
			struct lint_hit *h;

			read_type(c, &type);
			h = hit(x, "alter-column-type", sch, tab,
				"ALTER COLUMN %s TYPE %s rewrites %s under an "
				"ACCESS EXCLUSIVE lock unless the change is "
				"binary-compatible",
				name.s, type.s, qual(x, sch, tab));
			if (h) {
				h->column = xstrdup(name.s);
				h->new_type = xstrdup(type.s);
			}
			rk_buf_release(&type);
		} else if (ddl_accept_seq(c, "set", "not", "null")) {
			if (!nn_find_column(x, sch, tab, name.s))
				hit(x, "set-not-null", sch, tab,
				    "SET NOT NULL on %s.%s scans the whole "
				    "table "
				    "under an ACCESS EXCLUSIVE lock (no "
				    "validated CHECK (%s IS NOT NULL) before "
				    "it)",
				    qual(x, sch, tab), name.s, name.s);
		}
	} else if (ddl_accept(c, "drop")) {
		if (ddl_accept(c, "constraint")) {
			if (sqlite)
				hit(x, "sqlite-unsupported-alter", sch, tab,
				    "SQLite cannot DROP CONSTRAINT on %s: "
				    "rebuild the table",
				    qual(x, sch, tab));
			goto out;
		}
		ddl_accept(c, "column");
		ddl_if_exists(c);
		if (!ddl_read_ident(c, &id))
			goto out;
		ddl_set_name(&x->ex, &id, &name);
		hit(x, "drop-column", sch, tab,
		    "DROP COLUMN %s of %s breaks application code that still "
		    "uses it",
		    name.s, qual(x, sch, tab));
		if (sqlite && x->st->sqlite_version &&
		    x->st->sqlite_version < 3035000)
			hit(x, "sqlite-version", sch, tab,
			    "DROP COLUMN needs SQLite 3.35 or newer "
			    "(lint.sqlite_version is %u.%u.%u)",
			    x->st->sqlite_version / 1000000,
			    x->st->sqlite_version / 1000 % 1000,
			    x->st->sqlite_version % 1000);
	} else if (ddl_accept(c, "validate")) {
		if (ddl_accept(c, "constraint") && ddl_read_ident(c, &id)) {
			ddl_set_name(&x->ex, &id, &name);
			for (size_t k = 0; k < x->nnn; k++)
				if (tname_eq(x, &x->nn[k].t, sch, tab) &&
				    name_eq(x, x->nn[k].name, name.s))
					x->nn[k].validated = 1;
		}
	} else if (sqlite && !ddl_is_kw(&c->t, "rename")) {
		hit(x, "sqlite-unsupported-alter", sch, tab,
		    "SQLite's ALTER TABLE can only RENAME, ADD COLUMN and DROP "
		    "COLUMN: rebuild %s",
		    qual(x, sch, tab));
	}
out:
	rk_buf_release(&name);
}

/* The file's DROP TABLE of schema.table is half of a rebuild: a copy
 * takes its name back, so its data lives on. */
static void
rebuilt(struct lx *x, const char *schema, const char *table)
{
	for (size_t k = x->first; k < x->out->n; k++) {
		struct lint_hit *h = &x->out->v[k];

		if (!strcmp(h->rule->id, "drop-table") &&
		    name_eq(x, h->table, table) &&
		    (!*h->schema || !*schema || name_eq(x, h->schema, schema)))
			h->rebuilt = 1;
	}
}

static void
rename_action(struct lx *x, struct cur *c, const char *sch, const char *tab)
{
	struct rk_buf name = RK_BUF_INIT, to = RK_BUF_INIT;
	struct ident id;
	int sqlite = !strcmp(x->st->d->name, "sqlite");

	if (ddl_accept(c, "to")) {
		size_t k = created_find(x, sch, tab);

		if (!ddl_read_ident(c, &id))
			goto out;
		ddl_set_name(&x->ex, &id, &to);
		hit(x, "rename-table", sch, tab,
		    "RENAME %s TO %s breaks application code that still uses "
		    "the old name",
		    qual(x, sch, tab), to.s);
		for (size_t j = 0; j < x->ndropped; j++) {
			if (!tname_eq(x, &x->dropped[j], sch, to.s))
				continue;
			rebuilt(x, sch, to.s);
			if (sqlite && !x->fk_off)
				hit(x, "sqlite-rebuild-foreign-keys", sch, to.s,
				    "%s is rebuilt (dropped, then %s renamed "
				    "to "
				    "it) with foreign keys on",
				    to.s, tab);
		}
		mark_ddl(x, sch, to.s); /* later statements use the new name */
		if (k != DDL_NONE)
			ddl_list_rename(&x->st->created, k,
					x->st->created.v[k].schema, "", to.s);
		goto out;
	}
	if (ddl_accept(c, "constraint"))
		goto out;
	ddl_accept(c, "column");
	if (!ddl_read_ident(c, &id))
		goto out;
	ddl_set_name(&x->ex, &id, &name);
	if (ddl_accept(c, "to") && ddl_read_ident(c, &id))
		ddl_set_name(&x->ex, &id, &to);
	hit(x, "rename-column", sch, tab,
	    "RENAME COLUMN %s%s%s of %s breaks application code that still "
	    "uses the old name",
	    name.s, to.len ? " TO " : "", to.s, qual(x, sch, tab));
	if (sqlite && x->st->sqlite_version && x->st->sqlite_version < 3025000)
		hit(x, "sqlite-version", sch, tab,
		    "RENAME COLUMN needs SQLite 3.25 or newer "
		    "(lint.sqlite_version is %u.%u.%u)",
		    x->st->sqlite_version / 1000000,
		    x->st->sqlite_version / 1000 % 1000,
		    x->st->sqlite_version % 1000);
out:
	rk_buf_release(&name);
	rk_buf_release(&to);
}

static void
alter_table(struct lx *x, struct cur *c)
{
	char *sch, *tab;

	ddl_if_exists(c);
	ddl_accept(c, "only");
	if (!read_table(x, c))
		return;
	sch = xstrdup(x->sch.s);
	tab = xstrdup(x->tab.s);
	if (ddl_is_op(&c->t, '*'))
		ddl_next(c);
	mark_ddl(x, sch, tab);
	if (ddl_accept(c, "rename")) {
		rename_action(x, c, sch, tab);
	} else {
		do {
			alter_action(x, c, sch, tab);
		} while (ddl_next_action(c));
	}
	free(sch);
	free(tab);
}

static void
create_stmt(struct lx *x, struct cur *c)
{
	int concurrently = 0;

	ddl_accept_seq(c, "or", "replace", NULL);
	if (ddl_accept(c, "temp") || ddl_accept(c, "temporary"))
		return; /* gone with the session */
	ddl_accept(c, "unlogged");
	if (ddl_accept(c, "table")) {
		ddl_if_not_exists(c);
		if (read_table(x, c) &&
		    created_find(x, x->sch.s, x->tab.s) == DDL_NONE)
			ddl_list_add(&x->st->created, DDL_TABLE, x->sch.s, "",
				     x->tab.s, x->i);
		return;
	}
	ddl_accept(c, "unique");
	if (!ddl_accept(c, "index"))
		return;
	concurrently = ddl_accept(c, "concurrently");
	ddl_if_not_exists(c);
	if (!ddl_is_kw(&c->t, "on")) {
		struct ident id;

		if (!ddl_read_ident(c, &id))
			return;
		while (c->t.kind == TK_DOT) {
			ddl_next(c);
			ddl_read_ident(c, &id);
		}
	}
	if (!ddl_accept(c, "on"))
		return;
	ddl_accept(c, "only");
	if (!read_table(x, c))
		return;
	mark_ddl(x, x->sch.s, x->tab.s);
	if (!concurrently) {
		char *sch = xstrdup(x->sch.s), *tab = xstrdup(x->tab.s);

		hit(x, NOCONC, sch, tab,
		    "CREATE INDEX on %s without CONCURRENTLY blocks writes to "
		    "it while the index builds",
		    qual(x, sch, tab));
		free(sch);
		free(tab);
	}
}

/* A statement naming one or more tables: TRUNCATE, DROP TABLE, LOCK. */
static void
each_table(struct lx *x, struct cur *c, const char *rule, const char *verb,
	   const char *what)
{
	do {
		char *sch, *tab;

		ddl_accept(c, "only");
		if (!read_table(x, c))
			return;
		if (ddl_is_op(&c->t, '*'))
			ddl_next(c);
		sch = xstrdup(x->sch.s);
		tab = xstrdup(x->tab.s);
		hit(x, rule, sch, tab, "%s %s %s", verb, qual(x, sch, tab),
		    what);
		if (!strcmp(rule, "drop-table")) {
			size_t k = created_find(x, sch, tab);

			if (k != DDL_NONE) {
				ddl_list_remove(&x->st->created, k);
				ddl_list_compact(&x->st->created);
			}
			rk_grow((void **)&x->dropped, &x->cdropped,
				x->ndropped + 1, sizeof(*x->dropped));
			tname_set(&x->dropped[x->ndropped++], sch, tab);
		}
		free(sch);
		free(tab);
		if (c->t.kind != TK_COMMA)
			return;
		ddl_next(c);
	} while (!ddl_at_end(c));
}

static void
add_dml(struct lx *x, struct cur *c, const char *verb)
{
	struct dml *m;

	ddl_accept(c, "only");
	if (!read_table(x, c))
		return;
	/* filling a table the same file creates is what creating it is
	 * for: nobody else can be waiting on it */
	if (created_find(x, x->sch.s, x->tab.s) != DDL_NONE)
		return;
	rk_grow((void **)&x->dml, &x->cdml, x->ndml + 1, sizeof(*x->dml));
	m = &x->dml[x->ndml++];
	tname_set(&m->t, x->sch.s, x->tab.s);
	m->stmt = x->i;
	m->line = x->line;
	m->verb = verb;
	m->no_where =
		strcmp(verb, "INSERT ... SELECT") != 0 && !ahead(c, "where", 0);
	m->table_new = created_find(x, x->sch.s, x->tab.s) != DDL_NONE;
}

static void
vacuum_stmt(struct lx *x, struct cur *c)
{
	int full = 0;

	if (c->t.kind == TK_LPAREN) {
		struct cur p = *c;
		unsigned depth = 0;

		do {
			if (p.t.kind == TK_LPAREN)
				depth++;
			else if (p.t.kind == TK_RPAREN)
				depth--;
			else if (ddl_is_kw(&p.t, "full"))
				full = 1;
			ddl_next(&p);
		} while (depth && !ddl_at_end(&p));
		ddl_skip_parens(c);
	} else {
		full = ddl_accept(c, "full");
		ddl_accept(c, "freeze");
		ddl_accept(c, "verbose");
		ddl_accept(c, "analyze");
	}
	if (!full)
		return;
	if (read_table(x, c)) {
		char *sch = xstrdup(x->sch.s), *tab = xstrdup(x->tab.s);

		hit(x, "vacuum-full", sch, tab,
		    "VACUUM FULL rewrites %s under an ACCESS EXCLUSIVE lock",
		    qual(x, sch, tab));
		free(sch);
		free(tab);
	} else {
		hit(x, "vacuum-full", "", NULL,
		    "VACUUM FULL rewrites every table of the database under "
		    "ACCESS EXCLUSIVE locks");
	}
}

static void
reindex_stmt(struct lx *x, struct cur *c)
{
	int is_table;

	if (c->t.kind == TK_LPAREN) {
		if (ahead(c, "concurrently", 0)) {
			ddl_skip_parens(c);
			return;
		}
		ddl_skip_parens(c);
	}
	is_table = ddl_is_kw(&c->t, "table");
	ddl_next(c); /* INDEX, TABLE, SCHEMA, DATABASE, SYSTEM */
	if (ddl_accept(c, "concurrently"))
		return;
	if (is_table && read_table(x, c)) {
		char *sch = xstrdup(x->sch.s), *tab = xstrdup(x->tab.s);

		hit(x, "reindex-not-concurrently", sch, tab,
		    "REINDEX TABLE %s without CONCURRENTLY blocks writes to it",
		    qual(x, sch, tab));
		free(sch);
		free(tab);
	} else {
		hit(x, "reindex-not-concurrently", "", NULL,
		    "REINDEX without CONCURRENTLY blocks writes to the tables "
		    "whose indexes it rebuilds");
	}
}

static void
pragma_fk(struct lx *x, struct cur *c)
{
	if (!ddl_accept(c, "foreign_keys"))
		return;
	if (ddl_is_op(&c->t, '='))
		ddl_next(c);
	if (ddl_is_kw(&c->t, "off") || ddl_is_kw(&c->t, "false") ||
	    ddl_is_kw(&c->t, "no") ||
	    (c->t.kind == TK_NUMBER && c->t.len == 1 && c->t.p[0] == '0') ||
	    (c->t.kind == TK_STRING && c->t.len >= 3 &&
	     (c->t.p[1] | 0x20) == 'o' && (c->t.p[2] | 0x20) == 'f'))
		x->fk_off = 1;
}

static void
statement(struct lx *x, struct cur *c)
{
	if (ddl_accept(c, "create")) {
		create_stmt(x, c);
	} else if (ddl_accept(c, "alter")) {
		if (ddl_accept(c, "table"))
			alter_table(x, c);
	} else if (ddl_accept(c, "drop")) {
		if (ddl_accept(c, "table")) {
			ddl_if_exists(c);
			each_table(x, c, "drop-table", "DROP TABLE",
				   "deletes its data and breaks code that "
				   "still uses it");
		}
	} else if (ddl_accept(c, "truncate")) {
		ddl_accept(c, "table");
		each_table(x, c, "truncate", "TRUNCATE",
			   "deletes every row under an ACCESS EXCLUSIVE lock");
	} else if (ddl_accept(c, "lock")) {
		ddl_accept(c, "table");
		each_table(x, c, "lock-table", "LOCK TABLE",
			   "blocks others until the transaction ends");
	} else if (ddl_accept(c, "vacuum")) {
		vacuum_stmt(x, c);
	} else if (ddl_accept(c, "cluster")) {
		ddl_accept(c, "verbose");
		if (read_table(x, c)) {
			char *sch = xstrdup(x->sch.s), *tab = xstrdup(x->tab.s);

			hit(x, "cluster", sch, tab,
			    "CLUSTER rewrites %s under an ACCESS EXCLUSIVE "
			    "lock",
			    qual(x, sch, tab));
			free(sch);
			free(tab);
		} else {
			hit(x, "cluster", "", NULL,
			    "CLUSTER rewrites every clustered table under "
			    "ACCESS EXCLUSIVE locks");
		}
	} else if (ddl_accept(c, "reindex")) {
		reindex_stmt(x, c);
	} else if (ddl_accept(c, "update")) {
		add_dml(x, c, "UPDATE");
	} else if (ddl_accept_seq(c, "delete", "from", NULL)) {
		add_dml(x, c, "DELETE");
	} else if (ddl_accept_seq(c, "insert", "into", NULL) ||
		   ddl_accept_seq(c, "replace", "into", NULL)) {
		if (ahead(c, "select", 0))
			add_dml(x, c, "INSERT ... SELECT");
	} else if (ddl_accept(c, "commit") || ddl_accept(c, "end")) {
		flush_tx(x);
	} else if (ddl_accept(c, "pragma")) {
		pragma_fk(x, c);
	}
}

/* The first n2-byte needle in s[0..n), or NULL. */
static const char *
find_bytes(const char *s, size_t n, const char *needle, size_t n2)
{
	for (size_t i = 0; n2 <= n && i <= n - n2; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n2) == 0)
			return s + i;
	return NULL;
}

/* One "reckon:allow RULE REASON" comment, s[0..len), for statement i. */
static void
add_allow(struct lx *x, unsigned i, const char *s, size_t len)
{
	const char *a = find_bytes(s, len, "reckon:allow", 12), *e = s + len;
	struct allow *w;
	size_t r = 0;

	if (!a)
		return;
	a += 12;
	while (a < e && (*a == ' ' || *a == '\t'))
		a++;
	rk_grow((void **)&x->allow, &x->callow, x->nallow + 1,
		sizeof(*x->allow));
	w = &x->allow[x->nallow++];
	memset(w, 0, sizeof(*w));
	w->stmt = i;
	while (a < e && r + 1 < sizeof(w->rule) &&
	       ((*a >= 'a' && *a <= 'z') || (*a >= '0' && *a <= '9') ||
		*a == '-'))
		w->rule[r++] = *a++;
	while (a < e && (*a == ' ' || *a == '\t' || *a == ':' || *a == '-'))
		a++;
	while (e > a && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\r' ||
			 e[-1] == '/' || e[-1] == '*'))
		e--;
	if (e > a) {
		const char *nl = memchr(a, '\n', (size_t)(e - a));

		w->reason = xstrndup(a, (size_t)((nl ? nl : e) - a));
	}
}

/*
 * The reckon:allow comments of every statement: above it (after the one
 * before), inside it, or after it on the line where it ends.
 */
static void
read_allows(struct lx *x)
{
	size_t from = 0, n = x->stmts->n;

	for (size_t i = 0; i <= n; i++) {
		size_t end =
			i < n ? x->stmts->v[i].off + x->stmts->v[i].len : x->n;
		size_t p = from;
		int same_line = i > 0; /* still on statement i-1's last line */

		while (p < end) {
			enum sql_tok k;
			size_t len = sql_token(x->s + p, end - p, x->st->d, &k);

			if (i < n && p >= x->stmts->v[i].off)
				same_line = 0; /* inside statement i */
			if (k == TK_COMMENT && (same_line || i < n))
				add_allow(x, (unsigned)(same_line ? i - 1 : i),
					  x->s + p, len);
			if (k != TK_COMMENT &&
			    memchr(x->s + p, '\n', len) != NULL)
				same_line = 0;
			if (k == TK_COMMENT && x->s[p] == '-')
				same_line = 0; /* a line comment ends it */
			p += len;
		}
		from = end;
	}
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct lint_hit *x = a, *y = b;

	if (x->stmt != y->stmt)
		return x->stmt < y->stmt ? -1 : 1;
	/* the rule table's order within a statement; stable enough */
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

void
lint_text(struct lint_state *st, const char *s, size_t n,
	  const struct sql_stmt_list *stmts, struct lint_hits *out)
{
	struct lx x;
	size_t first = out->n;

	memset(&x, 0, sizeof(x));
	x.st = st;
	x.s = s;
	x.n = n;
	x.stmts = stmts;
	x.out = out;
	x.first = first;
	x.ex.d = st->d;
	rk_buf_init(&x.sch);
	rk_buf_init(&x.tab);
	rk_buf_init(&x.b);
	x.fk_off = find_bytes(s, n, "reckon:foreign-keys off", 23) != NULL;
	read_allows(&x);
	for (x.i = 0; x.i < stmts->n; x.i++) {
		const struct sql_stmt *sst = &stmts->v[x.i];
		struct cur c = { s,
				 sst->off,
				 sst->off + sst->len,
				 st->d,
				 { TK_SEMI, NULL, 0 } };

		x.line = sst->line;
		ddl_next(&c);
		statement(&x, &c);
	}
	x.i = stmts->n ? (unsigned)stmts->n - 1 : 0;
	flush_tx(&x);
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), hit_cmp);
	for (size_t k = 0; k < x.nallow; k++)
		free(x.allow[k].reason);
	free(x.allow);
	free(x.ddl);
	free(x.dml);
	for (size_t k = 0; k < x.nnn; k++) {
		tname_free(&x.nn[k].t);
		free(x.nn[k].name);
		free(x.nn[k].column);
	}
	free(x.nn);
	for (size_t k = 0; k < x.ndropped; k++)
		tname_free(&x.dropped[k]);
	free(x.dropped);
	rk_buf_release(&x.sch);
	rk_buf_release(&x.tab);
	rk_buf_release(&x.b);
}
