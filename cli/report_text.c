/*
 * Readable output: tables for people, colour only on a terminal (NO_COLOR
 * honoured, config.c decides). Results go to stdout, errors to stderr.
 */
#include "reckon/cli/report.h"

#include <stdio.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/parsers/ddl.h"
#include "reckon/base/err.h"
#include "reckon/core/lint.h"
#include "reckon/core/revisions.h"
#include "reckon/core/schema_check.h"
#include "reckon/base/util.h"
#include "reckon/core/wait.h"
#include "reckon/base/banned.h"

static const char *
state_colour(const struct rk_ctx *ctx, enum mig_state st)
{
	if (!ctx->cfg.color)
		return "";
	switch (st) {
	case ST_APPLIED:
		return "\033[32m";
	case ST_PENDING:
		return "\033[33m";
	case ST_MODIFIED:
	case ST_FAILED:
		return "\033[31m";
	case ST_ORPHANED:
	case ST_UNKNOWN:
		return "\033[35m";
	case ST_IGNORED:
		return "\033[2m";
	}
	return "";
}

static const char *
reset(const struct rk_ctx *ctx)
{
	return ctx->cfg.color ? "\033[0m" : "";
}

static int
name_width(const struct rk_session *s)
{
	size_t w = 9;

	for (size_t i = 0; i < s->status.n; i++)
		if (strlen(s->status.v[i].name) > w)
			w = strlen(s->status.v[i].name);
	return w > 60 ? 60 : (int)w;
}

static void
header(const struct rk_ctx *ctx, const struct rk_session *s)
{
	printf("Database:  %s\n", ctx->db_display);
	printf("Framework: %s (table %s%s)\n", s->tracked.det->name,
	       s->tracking_display,
	       s->tracked.exists ? "" : ", created on first write");
	if (s->chosen_by) /* no table yet: what the directory said */
		printf("           (%s)\n", s->chosen_by);
	printf("Directory: %s\n\n", ctx->cfg.dir);
	if (s->misplaced.note)
		printf("warning: %s\n\n", s->misplaced.note);
}

/* The last column: when it was applied, or why it is ignored. */
static const char *
status_note(const struct status_entry *e)
{
	if (e->ignored)
		return mig_ignore_reason(e->ignored->why);
	return e->row && e->row->applied_at ? e->row->applied_at : "";
}

static void
status_summary(const struct status_list *l)
{
	printf("\n%zu migration(s): %zu applied, %zu pending, %zu modified",
	       l->n - l->count[ST_IGNORED], l->count[ST_APPLIED],
	       l->count[ST_PENDING], l->count[ST_MODIFIED]);
	if (l->cosmetic)
		printf(" (%zu cosmetic)", l->cosmetic);
	printf(", %zu orphaned, %zu failed", l->count[ST_ORPHANED],
	       l->count[ST_FAILED]);
	if (l->count[ST_UNKNOWN])
		printf(", %zu unknown", l->count[ST_UNKNOWN]);
	if (l->count[ST_IGNORED])
		printf("; %zu ignored", l->count[ST_IGNORED]);
	printf("\n");
}

static void
status_warnings(const struct status_list *l)
{
	struct rk_buf w = RK_BUF_INIT;

	for (size_t i = 0; i < l->n; i++) {
		rk_buf_reset(&w);
		if (status_warning(&l->v[i], &w))
			printf("warning: %s\n", w.s);
	}
	if (l->heads_warning)
		printf("warning: %s\n", l->heads_warning);
	rk_buf_release(&w);
}

/* s, then spaces up to w bytes */
static void
add_padded(struct rk_buf *b, const char *s, size_t w)
{
	size_t n = strlen(s);

	rk_buf_add(b, s, n);
	while (n++ < w)
		rk_buf_addc(b, ' ');
}

void
text_status(const struct rk_ctx *ctx, const struct rk_session *s)
{
	int w = name_width(s);
	struct rk_buf out = RK_BUF_INIT;

	header(ctx, s);
	for (size_t i = 0; i < s->files.nignored; i++)
		if (mig_ignore_is_note(s->files.ignored[i].why))
			printf("note: ignoring '%s': %s\n",
			       s->files.ignored[i].name,
			       mig_ignore_reason(s->files.ignored[i].why));
	if (s->files.nignored > s->status.count[ST_IGNORED])
		printf("\n");
	if (!s->status.n) {
		printf("No migrations found.\n");
		return;
	}
	printf("  %-9s %-*s  %s\n", "STATE", w, "MIGRATION", "APPLIED AT");
	/* the lines through a buffer written out every 64 KiB (a printf
	 * each was most of the time of printing 10,000), padded by bytes
	 * as %-*s pads */
	for (size_t i = 0; i < s->status.n; i++) {
		const struct status_entry *e = &s->status.v[i];

		rk_buf_adds(&out, "  ");
		rk_buf_adds(&out, state_colour(ctx, e->state));
		add_padded(&out, mig_state_name(e->state), 9);
		rk_buf_adds(&out, reset(ctx));
		rk_buf_addc(&out, ' ');
		add_padded(&out, e->name, (size_t)w);
		rk_buf_adds(&out, "  ");
		rk_buf_adds(&out, status_note(e));
		if (e->out_of_order)
			rk_buf_adds(&out, "(out of order)");
		if (e->cosmetic)
			rk_buf_adds(
				&out,
				"  (cosmetic: comments or white space only)");
		rk_buf_addc(&out, '\n');
		if (out.len >= 65536 || i + 1 == s->status.n) {
			fwrite(out.s, 1, out.len, stdout);
			rk_buf_reset(&out);
		}
	}
	rk_buf_release(&out);
	status_summary(&s->status);
	status_warnings(&s->status);
}

void
text_cosmetic_warnings(const struct rk_ctx *ctx, const struct rk_session *s)
{
	(void)ctx;
	for (size_t i = 0; i < s->status.n; i++)
		if (s->status.v[i].cosmetic)
			fprintf(stderr,
				"reckon: warning: '%s' changed since it was "
				"applied, in comments, white space or line "
				"endings only; 'reckon repair %s' records it "
				"as it is\n",
				s->status.v[i].name, s->status.v[i].name);
}

static void
history_line(const struct applied *a, size_t rank)
{
	char ms[32] = "";

	if (a->exec_ms >= 0)
		snprintf(ms, sizeof(ms), "%ld ms", a->exec_ms);
	printf("  %4zu  %-40s %-20s  %-12s %s\n", rank, a->id ? a->id : "",
	       a->applied_at ? a->applied_at : "",
	       a->applied_by ? a->applied_by : "", ms);
}

/* The revision lines with parts, each after its state; then the
 * warnings status gives (several heads, a head without a file). */
static void
rev_lines(const struct rk_ctx *ctx, const struct rk_session *s,
	  const struct rev_report *r, unsigned parts)
{
	struct rk_buf line = RK_BUF_INIT;

	for (size_t i = 0; i < r->n; i++) {
		rk_buf_reset(&line);
		rev_line_text(&r->v[i], parts, &line);
		printf("  %s%-9s%s %s%s\n", state_colour(ctx, r->v[i].state),
		       mig_state_name(r->v[i].state), reset(ctx), line.s,
		       r->v[i].name ? "" : " (no file)");
	}
	rk_buf_release(&line);
	status_warnings(&s->status);
}

void
text_heads(const struct rk_ctx *ctx, const struct rk_session *s,
	   const struct rev_report *r)
{
	if (!r->n)
		printf("No migrations found.\n");
	rev_lines(ctx, s, r, REV_CUR);
}

void
text_history(const struct rk_ctx *ctx, const struct rk_session *s,
	     const struct rev_report *rev, int current_only)
{
	if (rev && rev->graph && (rev->n || !current_only)) {
		rev_lines(ctx, s, rev,
			  current_only
				  ? REV_TREE
				  : REV_PARENTS | REV_TREE | REV_DOC | REV_CUR);
		return;
	}
	if (!s->rows.n) {
		printf("No migrations applied yet (table %s).\n",
		       s->tracking_display);
		return;
	}
	printf("  %4s  %-40s %-20s  %-12s %s\n", "#", "MIGRATION", "APPLIED AT",
	       "BY", "TIME");
	/* a table of heads (DET_HEAD) has no single latest row */
	if (current_only && !(s->tracked.det->flags & DET_HEAD)) {
		history_line(&s->rows.v[s->rows.n - 1], s->rows.n);
		return;
	}
	for (size_t i = 0; i < s->rows.n; i++)
		history_line(&s->rows.v[i], i + 1);
}

void
text_progress(void *ud, const char *verb, const char *name, long ms)
{
	(void)ud;
	printf("  %-8s %-50s %6ld ms\n", verb, name, ms);
	fflush(stdout);
}

/* The outcomes that need saying, one line each: what committed, what a
 * no-transaction file left behind, what rolled back, what never ran. */
static void
outcome_lines(FILE *f, const struct run_report *r)
{
	for (size_t i = 0; i < r->nitems; i++) {
		const struct run_item *it = &r->items[i];
		struct rk_buf advice = RK_BUF_INIT;

		switch (it->outcome) {
		case RUN_COMMITTED:
			fprintf(f, "  committed    %s%s", it->name,
				r->redo	  ? " (redone)"
				: r->down ? " (reverted)"
					  : "");
			if (it->ran_by)
				fprintf(f, " (by %s)", it->ran_by);
			if (it->also && it->also_down)
				fprintf(f, " (and, as they need it, %s)",
					it->also);
			else if (it->also)
				fprintf(f, " (and, as it needs them, %s)",
					it->also);
			fprintf(f, "\n");
			break;
		case RUN_FAILED:
			fprintf(f, "  FAILED       %s: '%s' %s\n", it->name,
				it->ran_by ? it->ran_by : "?",
				it->recorded ? "failed after recording it"
					     : "failed; not recorded");
			break;
		case RUN_PARTIAL:
			run_partial_advice(r, i, &advice);
			fprintf(f,
				"  PARTIAL      %s: %zu of %zu statement(s) "
				"committed, %s\n    %s\n",
				it->name, it->stmts_done, it->nstmts,
				it->recorded ? "recorded as failed"
					     : "not recorded",
				advice.s);
			break;
		case RUN_ROLLED_BACK:
			fprintf(f, "  rolled back  %s\n", it->name);
			break;
		case RUN_NOT_STARTED:
			fprintf(f, "  not started  %s\n", it->name);
			break;
		case RUN_SKIPPED:
			fprintf(f, "  skipped      %s (another run %s it)\n",
				it->name, r->down ? "reverted" : "applied");
			break;
		case RUN_PLANNED:
			break;
		}
		rk_buf_release(&advice);
	}
}

void
text_run_outcome(const struct run_report *r)
{
	struct rk_buf sum = RK_BUF_INIT;

	if (r->backup)
		fprintf(stderr, "Backup taken before the run: %s\n", r->backup);
	outcome_lines(stderr, r);
	run_summary(r, &sum);
	fprintf(stderr, "%s\n", sum.s);
	rk_buf_release(&sum);
}

void
text_run(const struct rk_ctx *ctx, const struct run_report *r)
{
	struct rk_buf line = RK_BUF_INIT;

	(void)ctx;
	for (size_t i = 0; i < r->nwarnings; i++)
		printf("warning: %s\n", r->warnings[i]);
	if (!r->ok)
		return; /* cmd.c prints the error, then text_run_outcome() */
	if (r->dry_run && r->sql) {
		/* only SQL and comments: it can go to psql or sqlite3 */
		run_plan_text(r, &line);
		printf("-- Would apply %zu migration(s), %s (dry run, nothing "
		       "changed)\n",
		       r->nitems, line.s);
		for (size_t i = 0; r->lint && i < r->lint->n; i++) {
			rk_buf_reset(&line);
			lint_finding_line(&r->lint->v[i], &line);
			fputs("-- lint: ", stdout);
			for (const char *c = line.s; *c; c++)
				fputs(*c == '\n' ? "\n-- " : (char[2]){ *c, 0 },
				      stdout);
			fputc('\n', stdout);
		}
		fputs(r->sql, stdout);
		rk_buf_release(&line);
		return;
	}
	if (r->dry_run && !r->nothing_to_do) {
		run_plan_text(r, &line);
		printf("Would %s %zu migration(s), %s (dry run, nothing "
		       "changed):\n",
		       r->down ? "revert" : "apply", r->nitems, line.s);
		for (size_t i = 0; i < r->nitems; i++)
			printf("  %-50s %zu statement(s)%s%s\n",
			       r->items[i].name, r->items[i].nstmts,
			       r->items[i].skipped
				       ? ", its own BEGIN/COMMIT skipped"
				       : "",
			       r->items[i].no_tx ? ", no transaction" : "");
		if (r->lint && r->lint->n)
			text_lint(ctx, r->lint);
		for (size_t i = 0; i < r->nitems; i++)
			if (r->items[i].ran_by)
				printf("  %s: would run: %s\n",
				       r->items[i].name, r->items[i].ran_by);
		rk_buf_release(&line);
		return;
	}
	if (r->backup)
		printf("Backup: %s\n", r->backup);
	for (size_t i = 0; i < r->nitems; i++) {
		if (r->items[i].outcome != RUN_COMMITTED)
			continue;
		if (r->items[i].skipped)
			printf("note: %s: its own BEGIN/COMMIT was not sent; "
			       "the batch transaction covers it\n",
			       r->items[i].name);
		if (r->items[i].no_tx)
			printf("note: %s opts out of the transaction: it ran "
			       "on its own, and the batch was split around "
			       "it\n",
			       r->items[i].name);
	}
	/* who ran each code file (its time is on its progress line) */
	for (size_t i = 0; i < r->nitems; i++) {
		if (!r->items[i].ran_by || r->items[i].outcome != RUN_COMMITTED)
			continue;
		if (r->items[i].with)
			printf("  %-40s applied by the step of %s\n",
			       r->items[i].name, r->items[i].with);
		else
			printf("  %-40s ran by %s\n", r->items[i].name,
			       r->items[i].ran_by);
		if (r->items[i].also)
			printf("  %-40s which also %s %s\n", "",
			       r->items[i].also_down ? "reverted" : "applied",
			       r->items[i].also);
	}
	if (r->same_db)
		printf("Same database (asked before the run): %s\n",
		       r->same_db);
	run_summary(r, &line);
	if (r->nothing_to_do)
		printf("%s\n", line.s);
	else
		printf("%s Total: %ld ms.\n", line.s, r->total_ms);
	rk_buf_release(&line);
}

void
text_mark(const struct rk_ctx *ctx, const struct mark_report *r,
	  const char *verb)
{
	size_t changed = 0;

	(void)ctx;
	for (size_t i = 0; i < r->n; i++) {
		printf("  %-50s %s\n", r->items[i].name, r->items[i].note);
		changed += r->items[i].changed;
	}
	printf("%s %zu migration(s) in %s.\n", verb, changed,
	       r->tracking_display ? r->tracking_display : "?");
}

void
text_detect(const struct rk_ctx *ctx, const struct detect_report *r)
{
	printf("Database: %s\n\n", ctx->db_display);
	if (!r->detected.n && r->dir_det) {
		printf("No migration tracking table yet; %s.\n", r->dir_note);
		if (r->dir_det->ensure)
			printf("reckon will create %s's table (%s) on the "
			       "first write.\n",
			       r->dir_det->name, r->dir_det->table);
		else
			printf("reckon cannot create %s's table: let %s "
			       "create it first.\n",
			       r->dir_det->name, r->dir_det->name);
		return;
	}
	if (!r->detected.n) {
		printf("No migration tracking table found; reckon will create "
		       "its own (reckon_migrations) on the first write.\n");
		if (r->dir_note)
			printf("(%s)\n", r->dir_note);
		return;
	}
	printf("  %-16s %-40s %8s  %s\n", "FRAMEWORK", "TABLE", "ROWS",
	       "SIGNATURE");
	for (size_t i = 0; i < r->detected.n; i++) {
		const struct detection *d = &r->detected.v[i];
		char table[300], rows[32] = "?";

		snprintf(table, sizeof(table), "%s%s%s",
			 d->schema ? d->schema : "", d->schema ? "." : "",
			 d->table);
		if (r->rows[i] >= 0)
			snprintf(rows, sizeof(rows), "%ld", r->rows[i]);
		printf("  %-16s %-40s %8s  ", d->det->name, table, rows);
		for (size_t k = 0; d->det->columns[k]; k++)
			printf("%s%s", k ? "," : "", d->det->columns[k]);
		printf("\n");
	}
	if (r->misplaced.note)
		printf("\nwarning: %s\n", r->misplaced.note);
}

void
text_move(const struct rk_ctx *ctx, const struct move_report *r)
{
	size_t moving = 0;

	(void)ctx;
	if (!r->det) {
		printf("Nothing to move: no records of reckon's own sit "
		       "beside another framework's directory.\n");
		return;
	}
	printf("%s records from %s into %s's table %s:\n",
	       r->written ? "Moved" : "Plan: move", r->from, r->det->name,
	       r->to);
	for (size_t i = 0; i < r->n; i++) {
		printf("  %-40s %s%s%s\n", r->v[i].name, r->v[i].note,
		       r->v[i].file && strcmp(r->v[i].file, r->v[i].name)
			       ? " as "
			       : "",
		       r->v[i].file && strcmp(r->v[i].file, r->v[i].name)
			       ? r->v[i].file
			       : "");
		moving += r->v[i].action != MOVE_KEEP;
	}
	if (r->written)
		printf("%zu record(s) moved in one transaction%s.\n", moving,
		       r->dropped ? "; the emptied table was dropped" : "");
	else
		printf("%zu record(s) would move, in one transaction%s; "
		       "nothing was written: pass --yes to move them.\n",
		       moving,
		       moving == r->n && !r->stray
			       ? ", and the emptied table be dropped"
			       : "");
}

void
text_preview(const struct rk_ctx *ctx, const struct preview_report *r)
{
	(void)ctx;
	printf("%s: %u line(s), %zu statement(s), %s\n\n", r->name, r->lines,
	       r->stmts.n,
	       r->transactional ? "can run inside a transaction"
	       : r->opt_out	? "opts out of the batch transaction"
				: "CANNOT run inside a transaction");
	for (size_t i = 0; i < r->stmts.n; i++) {
		const struct sql_stmt *st = &r->stmts.v[i];
		const char *s = r->content->s + st->off;
		size_t len = st->len, cut = len;
		const char *nl = memchr(s, '\n', len);

		if (nl)
			cut = (size_t)(nl - s);
		if (cut > 70)
			cut = 70;
		printf("  line %-5u %.*s%s%s\n", st->line, (int)cut, s,
		       cut < len ? " ..." : "",
		       st->flags & SQL_NO_TX ? "   [no transaction]" : "");
		for (size_t k = 0; r->objects && k < r->objects->n; k++) {
			const struct ddl_object *o = &r->objects->v[k];

			if (o->stmt_index == i)
				printf("             creates %s %s%s%s\n",
				       ddl_type_name(o->type), o->schema,
				       *o->schema ? "." : "", o->object);
		}
	}
	if (r->lint && r->lint->n) {
		printf("\n");
		text_lint(ctx, r->lint);
	}
}

void
text_error(const struct rk_ctx *ctx, const struct rk_err *err)
{
	fprintf(stderr, "reckon: %s", err->msg);
	if (*err->sqlstate)
		fprintf(stderr, " (SQLSTATE %s)", err->sqlstate);
	fputc('\n', stderr);
	if (*err->detail)
		fprintf(stderr, "  detail: %s\n", err->detail);
	if (*err->hint)
		fprintf(stderr, "  hint: %s\n", err->hint);
	if (ctx && ctx->debug && err->src_file)
		fprintf(stderr, "  (raised at %s:%d)\n", err->src_file,
			err->src_line);
}

void
text_check(const struct rk_ctx *ctx, const struct check_report *r)
{
	(void)ctx;
	printf("Database:        %s\n", r->database);
	if (*r->user)
		printf("User:            %s\n", r->user);
	printf("Server version:  %s\n", r->server_version);
	if (r->journal_mode)
		printf("Journal mode:    %s\n", r->journal_mode);
	printf("Pending:         %zu\n", r->npending);
	for (size_t i = 0; i < r->npending; i++)
		printf("  %s\n", r->pending[i]);
	if (!r->journal_mode) {
		printf("Waiting locks:   %ld\n", r->lock_count);
		printf("Active tx:       %ld (oldest %.1f s)\n", r->active_tx,
		       r->oldest_tx_s);
	}
	for (size_t i = 0; i < r->nblocking; i++) {
		const struct check_blocker *b = &r->blocking[i];

		printf("Blocking:        %s (altered by %s): %zu session(s), "
		       "%zu waiting, pid",
		       b->relation, b->file, b->npids, b->waiting);
		for (size_t k = 0; k < b->npids; k++)
			printf("%s%ld", k ? ", " : " ", b->pids[k]);
		printf("\n");
	}
	if (r->lint) {
		printf("Lint:            ");
		text_lint_summary(r->lint);
	}
	for (size_t i = 0; i < r->ndelegated; i++)
		printf("  %s runs through: %s\n", r->delegated[i].name,
		       r->delegated[i].command);
	if (r->same_db)
		printf("Same database: %s\n", r->same_db);
	for (size_t i = 0; i < r->nwarnings; i++)
		printf("warning: %s\n", r->warnings[i]);
	printf("%s\n", r->safe ? "Safe to run." : "NOT safe to run.");
}

void
text_created(const struct rk_ctx *ctx, char **paths, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		printf("Created %s\n", paths[i]);
}

void
text_wait(const struct rk_ctx *ctx, const struct wait_report *r)
{
	if (r->no_server) {
		printf("%s is a SQLite file: there is no server to wait "
		       "for.\n",
		       ctx->cfg.db_url);
		return;
	}
	printf("The database accepts connections (waited %.1f s, %d "
	       "%s).\n",
	       r->waited_ms / 1000.0, r->attempts,
	       r->attempts == 1 ? "try" : "tries");
}

void
text_detect_schema(const struct rk_ctx *ctx, const struct schema_report *r)
{
	(void)ctx;
	for (size_t i = 0; i < r->objects->n; i++) {
		const struct ddl_object *o = &r->objects->v[i];
		const char *schema = o->schema;

		if (r->checked && r->check->v[i].schema)
			schema = r->check->v[i].schema;
		printf("  %-10s %s%s%s", ddl_type_name(o->type), schema,
		       *schema ? "." : "", o->object);
		if (r->checked)
			printf("  %s",
			       r->check->v[i].exists ? "exists" : "missing");
		printf("\n");
	}
	printf("%s%s\n", r->objects->n ? "\n" : "", r->recommendation);
}

void
text_adopt(const struct rk_ctx *ctx, const struct adopt_report *r)
{
	(void)ctx;
	if (!r->n) {
		printf("Nothing is pending: nothing to adopt.\n");
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct adopt_item *it = &r->v[i];

		printf("  %-8s %-44s %zu/%zu object(s) exist%s\n",
		       adopt_action_name(it->action), it->name, it->existing,
		       it->objects, it->marked ? ", marked applied" : "");
		if (it->action == ADOPT_PARTIAL)
			for (size_t k = 0; k < it->nmissing; k++)
				printf("           missing: %s\n",
				       it->missing[k]);
	}
	if (!r->wrote)
		printf("\nDry run: pass --yes to mark the 'mark' files as "
		       "applied.\n");
}

/* "public.users.email": where a schema object is. */
static void
object_path(const struct schema_change *c, struct rk_buf *out)
{
	rk_buf_addf(out, "%s.%s%s%s", c->schema, c->table, *c->table ? "." : "",
		    c->name);
}

/* "      type in the live database: integer", a definition of several
 * lines indented under its first. */
static void
change_side(const char *ind, const char *field, const char *side, const char *v)
{
	const char *p;

	printf("%s      %s in %s: ", ind, field, side);
	if (!*v) {
		printf("(none)\n");
		return;
	}
	for (p = v; *p; p++) {
		putchar(*p);
		if (*p == '\n' && p[1])
			printf("%s        ", ind);
	}
	if (p[-1] != '\n')
		putchar('\n');
}

/*
 * The differences of d, indented by ind; a and b name the sides as a
 * sentence says them ("the live database", "the migrations").
 */
static void
text_schema_diff(const struct schema_diff *d, const char *ind, const char *a,
		 const char *b)
{
	static const enum schema_change_kind order[] = { SC_ONLY_A, SC_ONLY_B,
							 SC_CHANGED, SC_ORDER };
	struct rk_buf path = RK_BUF_INIT;

	for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
		if (!d->count[order[k]])
			continue;
		switch (order[k]) {
		case SC_ONLY_A:
			printf("%sonly in %s (%zu):\n", ind, a,
			       d->count[order[k]]);
			break;
		case SC_ONLY_B:
			printf("%sonly in %s (%zu):\n", ind, b,
			       d->count[order[k]]);
			break;
		case SC_CHANGED:
			printf("%schanged (%zu):\n", ind, d->count[order[k]]);
			break;
		case SC_ORDER:
		case SC_NKINDS:
			printf("%sinfo (%zu):\n", ind, d->count[SC_ORDER]);
			break;
		}
		for (size_t i = 0; i < d->n; i++) {
			const struct schema_change *c = &d->v[i];

			if (c->what != order[k])
				continue;
			rk_buf_reset(&path);
			object_path(c, &path);
			printf("%s  %-10s %s", ind, c->kind, path.s);
			printf("\n");
			if (c->what == SC_CHANGED || c->what == SC_ORDER) {
				change_side(ind, c->field, a, c->a);
				change_side(ind, c->field, b, c->b);
			}
		}
	}
	rk_buf_release(&path);
}

void
text_diff(const struct rk_ctx *ctx, const struct diff_report *r)
{
	size_t real = schema_diff_real(&r->diff);

	(void)ctx;
	printf("Database:   %s\n", r->database);
	printf("Built in:   %s, from %zu migration(s)\n", r->scratch,
	       run_count(&r->build, RUN_COMMITTED));
	if (strcmp(r->framework, "reckon") == 0)
		printf("Left out:   reckon's tracking tables\n\n");
	else
		printf("Left out:   the tracking tables of %s and reckon\n\n",
		       r->framework);
	text_schema_diff(&r->diff, "", "the live database", "the migrations");
	if (real == 0)
		printf("%sNo differences: the live schema is the one the "
		       "migrations produce.\n",
		       r->diff.n ? "\n" : "");
	else
		printf("\n%zu difference(s): %zu only in the live database, "
		       "%zu only in the migrations, %zu changed.\n",
		       real, r->diff.count[SC_ONLY_A], r->diff.count[SC_ONLY_B],
		       r->diff.count[SC_CHANGED]);
}

static void
verify_item_text(const struct verify_item *it)
{
	const struct run_failure *f = it->run.failed;

	printf("%s (%s): ", it->snapshot, snapshot_format_name(it->format));
	if (it->stopped != VERIFY_DONE) {
		printf("FAILED at %s", verify_stage_name(it->stopped));
		if (f && f->name)
			printf(" of %s", f->name);
		if (f && f->name && f->line)
			printf(" line %u", f->line);
		printf("\n  %s\n", it->error ? it->error : "");
		if (f && f->statement)
			printf("  statement: %s\n", f->statement);
		return;
	}
	printf("upgraded, %zu migration(s) applied; ",
	       run_count(&it->run, RUN_COMMITTED));
	if (schema_diff_real(&it->diff) == 0) {
		printf("schema identical to a fresh build\n");
		text_schema_diff(&it->diff, "  ", "the upgraded snapshot",
				 "the fresh build");
		return;
	}
	printf("schema DIFFERS from a fresh build\n");
	text_schema_diff(&it->diff, "  ", "the upgraded snapshot",
			 "the fresh build");
}

void
text_verify(const struct rk_ctx *ctx, const struct verify_report *r)
{
	size_t failed = 0, differ = 0;

	(void)ctx;
	if (r->server)
		printf("Server:     %s (throwaway databases)\n", r->server);
	printf("Fresh build: %zu migration(s)\n\n",
	       run_count(&r->fresh, RUN_COMMITTED));
	for (size_t i = 0; i < r->n; i++) {
		verify_item_text(&r->v[i]);
		failed += r->v[i].stopped != VERIFY_DONE;
		differ += r->v[i].stopped == VERIFY_DONE &&
			  schema_diff_real(&r->v[i].diff) != 0;
	}
	printf("\n%zu snapshot(s): %zu upgraded to the fresh build's schema, "
	       "%zu failed, %zu differ.\n",
	       r->n, r->n - failed - differ, failed, differ);
}
