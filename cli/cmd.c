/*
 * The commands: each parses its own options from a table, calls one op and
 * hands the report to a renderer. The table at the bottom is the list of
 * commands; keep it sorted (tests/unit/test_cmd.c checks).
 */
#include "reckon/cli/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/core/interrupt.h"
#include "reckon/core/lint.h"
#include "reckon/core/ops.h"
#include "reckon/base/opt.h"
#include "reckon/cli/completion.h"
#include "reckon/cli/report.h"
#include "reckon/core/report_json.h"
#include "reckon/core/revisions.h"
#include "reckon/serve/serve.h"
#include "reckon/core/target.h"
#include "reckon/core/wait.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

/* Print a JSON document from a renderer and free it. */
static void
emit(char *doc)
{
	fputs(doc, stdout);
	fputc('\n', stdout);
	free(doc);
}

int
cmd_parse(struct rk_ctx *ctx, const char *cmd, const struct opt *opts, int argc,
	  char **argv, char ***args, int *nargs, struct rk_err *err)
{
	if (ctx->help) {
		if (ctx->help_table)
			*ctx->help_table = opt_copy(opts);
		else
			opt_usage(ctx->help, opts);
		*args = NULL;
		*nargs = 0;
		return 1;
	}
	*args = xcalloc((size_t)argc + 1, sizeof(char *));
	if (opt_parse(cmd, opts, argc, argv, 0, *args, nargs, err) < 0) {
		free(*args);
		*args = NULL;
		return -1;
	}
	return 0;
}

static int
no_args(const char *cmd, int nargs, char **args, struct rk_err *err)
{
	if (nargs == 0)
		return 0;
	return rk_fail(err, RK_USAGE, "%s: unexpected argument '%s'", cmd,
		       args[0]);
}

/*
 * Ask before a write: on a terminal, "what" and the database's label (if
 * any) are shown and, with a label, only the label typed back confirms
 * (a "y" is too easy on the wrong database); without a terminal, refuse
 * unless --yes. "what" is "Delete the tracking record of 'x'", say.
 */
static int
confirm(const struct rk_ctx *ctx, const char *cmd, const char *what,
	struct rk_err *err)
{
	const char *label = ctx->cfg.label;
	char answer[256];
	size_t n;

	if (!isatty(STDIN_FILENO)) {
		if (label)
			return rk_fail(err, RK_USAGE,
				       "%s writes to '%s'; pass --yes to "
				       "confirm",
				       cmd, label);
		return rk_fail(err, RK_USAGE,
			       "%s deletes tracking records; pass --yes to "
			       "confirm",
			       cmd);
	}
	if (label)
		fprintf(stderr, "%s on '%s'? Type '%s' to confirm: ", what,
			label, label);
	else
		fprintf(stderr, "%s? [y/N] ", what);
	if (!fgets(answer, sizeof(answer), stdin))
		answer[0] = '\0';
	n = strlen(answer);
	while (n && (answer[n - 1] == '\n' || answer[n - 1] == '\r'))
		answer[--n] = '\0';
	if (label ? strcmp(answer, label) == 0
		  : answer[0] == 'y' || answer[0] == 'Y')
		return 0;
	return rk_fail(err, RK_USAGE, "%s: not confirmed; nothing changed",
		       cmd);
}

/* With a label, a write asks first (confirm), unless --yes. */
static int
confirm_labelled(const struct rk_ctx *ctx, const char *cmd, int yes,
		 const char *what, struct rk_err *err)
{
	if (yes || !ctx->cfg.label)
		return 0;
	return confirm(ctx, cmd, what, err);
}

/* "Delete the tracking record of 'a' 'b'" */
static char *
names_what(const char *verb, char **names, int n)
{
	struct rk_buf b = RK_BUF_INIT;

	rk_buf_adds(&b, verb);
	for (int i = 0; i < n; i++)
		rk_buf_addf(&b, " '%s'", names[i]);
	return rk_buf_detach(&b, NULL);
}

static int
cmd_status(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	int check = 0, nargs, rc;
	const struct opt opts[] = {
		OPT_BOOL(0, "check", &check,
			 "exit 3 unless everything is applied and unchanged"),
		OPT_END(),
	};
	struct rk_session s = { 0 };
	char **args;

	if ((rc = cmd_parse(ctx, "status", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = no_args("status", nargs, args, err);
	if (rc == 0)
		rc = op_status(ctx, &s, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_status(&s));
		else
			text_status(ctx, &s);
		/* a cosmetic edit passes, with a warning; ignored entries
		 * are warned about, not counted against */
		if (check && s.status.count[ST_APPLIED] + s.status.cosmetic +
					     s.status.count[ST_IGNORED] !=
				     s.status.n)
			rc = RK_EXIT_CHECK;
		else if (check)
			text_cosmetic_warnings(ctx, &s);
	}
	session_release(&s);
	free(args);
	return rc;
}

static int
history_cmd(const char *name, int current, int argc, char **argv,
	    struct rk_ctx *ctx, struct rk_err *err)
{
	const struct opt opts[] = { OPT_END() };
	struct rk_session s = { 0 };
	struct rev_report rev = REV_REPORT_INIT;
	char **args;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, name, opts, argc, argv, &args, &nargs, err)) !=
	    0)
		return rc < 0 ? rc : 0;
	rc = no_args(name, nargs, args, err);
	if (rc == 0)
		rc = op_status(ctx, &s, err);
	if (rc == 0) {
		rev_report_build(&s, current ? REV_CURRENT : REV_HISTORY, &rev);
		if (ctx->json)
			emit(json_history(&s, &rev, current));
		else
			text_history(ctx, &s, &rev, current);
	}
	rev_report_release(&rev);
	session_release(&s);
	free(args);
	return rc;
}

static int
cmd_heads(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const struct opt opts[] = { OPT_END() };
	struct rk_session s = { 0 };
	struct rev_report r = REV_REPORT_INIT;
	char **args;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "heads", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = no_args("heads", nargs, args, err);
	if (rc == 0)
		rc = op_status(ctx, &s, err);
	if (rc == 0) {
		rev_report_build(&s, REV_HEADS, &r);
		if (ctx->json)
			emit(json_revisions(&s, &r, "heads"));
		else
			text_heads(ctx, &s, &r);
	}
	rev_report_release(&r);
	session_release(&s);
	free(args);
	return rc;
}

/* lint --error-above SIZE: lint.error_above for this run. */
static int
error_above_opt(struct rk_ctx *ctx, const char *v, struct rk_err *err)
{
	long long n;

	if (!v)
		return 0;
	if ((n = cfg_parse_size(v)) < 0)
		return rk_fail(err, RK_USAGE,
			       "--error-above: invalid size '%s' (use e.g. "
			       "64kB, 100MB, 2GB)",
			       v);
	ctx->cfg.lint_error_above = n;
	ctx->cfg.lint_error_above_set = 1;
	return 0;
}

static int
cmd_lint(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const char *explain = NULL, *above = NULL;
	int no_db = 0, sqlite = 0, rules = 0, nargs, rc;
	const struct opt opts[] = {
		OPT_STRING(0, "explain", &explain, "RULE",
			   "what RULE catches, why it hurts, the safe way"),
		OPT_BOOL(0, "rules", &rules, "list the rules"),
		OPT_STRING(0, "error-above", &above, "SIZE",
			   "a finding on a table bigger than SIZE is an error "
			   "(default: lint.error_above, 100MB)"),
		OPT_BOOL(0, "no-db", &no_db,
			 "do not connect: every table counts as existing"),
		OPT_BOOL(0, "sqlite", &sqlite,
			 "without a database: SQLite's dialect and rules"),
		OPT_END(),
	};
	struct lint_report r = { 0 };
	const struct lint_rule *rule;
	char **args;

	if ((rc = cmd_parse(ctx, "lint", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	if (explain || rules) {
		rule = explain ? lint_rule_find(explain) : NULL;
		if (explain && !rule) {
			rc = rk_fail(err, RK_USAGE, "lint: no rule '%s'",
				     explain);
			rk_err_hint(err, "'reckon lint --rules' lists them");
		} else if (ctx->json) {
			emit(json_lint_rules(rule));
		} else if (rule) {
			text_lint_explain(rule);
		} else {
			text_lint_rules();
		}
		free(args);
		return rc;
	}
	rc = error_above_opt(ctx, above, err);
	if (rc == 0 && !no_db && ctx->cfg.db_url)
		rc = ctx_open_db(ctx, 1, err);
	if (rc == 0)
		rc = op_lint(ctx, args, nargs,
			     sql_dialect_find(sqlite ? "sqlite" : "postgres"),
			     &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_lint(&r));
		else
			text_lint(ctx, &r);
		if (lint_unsafe(&r))
			rc = RK_EXIT_CHECK;
	}
	lint_report_release(&r);
	free(args);
	return rc;
}

static int
cmd_check(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const struct opt opts[] = { OPT_END() };
	struct check_report r = { 0 };
	char **args;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "check", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = no_args("check", nargs, args, err);
	if (rc == 0)
		rc = op_check(ctx, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_check(&r));
		else
			text_check(ctx, &r);
		if (!r.safe)
			rc = RK_EXIT_CHECK;
	}
	check_report_release(&r);
	free(args);
	return rc;
}

static void
show_run_failure(const struct rk_ctx *ctx, const struct run_report *r,
		 const struct rk_err *err)
{
	text_error(ctx, err);
	if (r->failed && r->failed->excerpt)
		fprintf(stderr, "\n%s", r->failed->excerpt);
	for (size_t i = 0; i < r->nitems; i++)
		if (r->items[i].outcome == RUN_FAILED && r->items[i].output)
			fprintf(stderr, "\n%s's output (%s):\n%s\n",
				r->items[i].name, r->items[i].ran_by,
				r->items[i].output);
	text_run_outcome(r);
}

/*
 * Option tables start steps at this, which the parser never writes (it
 * takes whole numbers from 0): still there afterwards means not given.
 */
#define STEPS_UNSET (-1)

/* --steps given: it must be 1 or more; not given: 0. */
static int
check_steps(const char *cmd, int *steps, struct rk_err *err)
{
	if (*steps == STEPS_UNSET) {
		*steps = 0;
		return 0;
	}
	return target_steps(cmd, *steps, err);
}

/* Render a run (or down) report and say what main still has to do. */
static int
show_run(const struct rk_ctx *ctx, const struct run_report *r, int rc,
	 struct rk_err *err)
{
	if (ctx->json && (rc == 0 || r->failed)) {
		emit(json_run(r));
		if (rc < 0) {
			text_error(ctx, err);
			rc = CMD_REPORTED;
		}
	} else if (rc == 0) {
		text_run(ctx, r);
	} else if (r->failed) {
		show_run_failure(ctx, r, err);
		rc = CMD_REPORTED;
	}
	if (rc == -1 && r->interrupted) {
		if (ctx->json)
			emit(json_error(err));
		text_error(ctx, err);
		rc = CMD_REPORTED;
	}
	if (rc != 0 && r->interrupted)
		rc = rk_interrupt_exit_code(); /* 130, 143 */
	return rc;
}

/* down and redo, once their options are checked (rc): undo through
 * op_down and report as run does; frees args. */
static int
down_then_show(struct rk_ctx *ctx, const struct down_opts *o, int rc,
	       char **args, struct rk_err *err)
{
	struct run_report r = { 0 };

	if (!ctx->json)
		ctx->progress = text_progress;
	rk_interrupt_install();
	if (rc == 0)
		rc = ctx_open_db(ctx, o->dry_run, err);
	if (rc == 0)
		rc = op_down(ctx, o, &r, err);
	rc = show_run(ctx, &r, rc, err);
	run_report_release(&r);
	free(args);
	return rc;
}

static int
cmd_down(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	struct down_opts o = { .steps = STEPS_UNSET };
	int yes = 0;
	const struct opt opts[] = {
		OPT_INT(0, "steps", &o.steps, "N",
			"undo the newest N (default: 1)"),
		OPT_STRING(0, "to", &o.to, "VERSION",
			   "undo everything newer than VERSION"),
		OPT_BOOL(0, "dry-run", &o.dry_run, "show what would run"),
		OPT_BOOL(0, "yes", &yes,
			 "with a --label: do not ask for it to be typed"),
		OPT_END(),
	};
	char **args;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "down", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = no_args("down", nargs, args, err);
	if (rc == 0 && o.steps != STEPS_UNSET && o.to)
		rc = rk_fail(err, RK_USAGE,
			     "down: give --steps or --to, not "
			     "both");
	if (rc == 0)
		rc = check_steps("down", &o.steps, err);
	if (rc == 0)
		rc = confirm_labelled(ctx, "down", yes || o.dry_run,
				      "Undo the newest applied migrations",
				      err);
	return down_then_show(ctx, &o, rc, args, err);
}

static int
cmd_redo(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	struct down_opts o = { .steps = 1, .redo = 1 };
	int yes = 0;
	const struct opt opts[] = {
		OPT_BOOL(0, "dry-run", &o.dry_run, "show what would run"),
		OPT_BOOL(0, "yes", &yes,
			 "with a --label: do not ask for it to be typed"),
		OPT_END(),
	};
	char **args;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "redo", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = no_args("redo", nargs, args, err);
	if (rc == 0)
		rc = confirm_labelled(ctx, "redo", yes || o.dry_run,
				      "Undo and apply again the newest "
				      "applied migration",
				      err);
	return down_then_show(ctx, &o, rc, args, err);
}

static int
cmd_new(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const struct opt opts[] = { OPT_END() };
	char **args, **created = NULL;
	size_t n = 0;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "new", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = nargs == 1 ? 0 : rk_fail(err, RK_USAGE, "new: give one NAME");
	if (rc == 0)
		rc = op_new(ctx, args[0], &created, &n, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_created(created, n));
		else
			text_created(ctx, created, n);
	}
	for (size_t i = 0; i < n; i++)
		free(created[i]);
	free(created);
	free(args);
	return rc;
}

/* The SQL for detect-schema: --sql TEXT, a FILE, or "-" (stdin). */
static int
schema_input(const char *sql, char **args, int nargs, struct rk_buf *out,
	     struct rk_err *err)
{
	if (sql && nargs)
		return rk_fail(err, RK_USAGE,
			       "detect-schema: give FILE or --sql, not both");
	if (sql) {
		rk_buf_adds(out, sql);
		return 0;
	}
	if (nargs != 1)
		return rk_fail(err, RK_USAGE,
			       "detect-schema: give FILE, '-' or --sql TEXT");
	return mig_read(strcmp(args[0], "-") == 0 ? "/dev/stdin" : args[0],
			args[0], out, err);
}

static int
cmd_detect_schema(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const char *sql = NULL;
	int no_db = 0, sqlite = 0, nargs, rc;
	const struct opt opts[] = {
		OPT_STRING(0, "sql", &sql, "TEXT", "the SQL text itself"),
		OPT_BOOL(0, "no-db", &no_db, "parse only; do not connect"),
		OPT_BOOL(0, "sqlite", &sqlite,
			 "with --no-db: SQLite's dialect"),
		OPT_END(),
	};
	struct schema_report r = { 0 };
	struct rk_buf text = RK_BUF_INIT;
	char **args;

	if ((rc = cmd_parse(ctx, "detect-schema", opts, argc, argv, &args,
			    &nargs, err)) != 0)
		return rc < 0 ? rc : 0;
	rc = schema_input(sql, args, nargs, &text, err);
	if (rc == 0 && !no_db)
		rc = ctx_open_db(ctx, 1, err);
	if (rc == 0)
		rc = op_detect_schema(
			ctx, text.s, text.len,
			sql_dialect_find(sqlite ? "sqlite" : "postgres"), &r,
			err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_detect_schema(&r));
		else
			text_detect_schema(ctx, &r);
	}
	schema_report_release(&r);
	rk_buf_release(&text);
	free(args);
	return rc;
}

static int
cmd_adopt(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	int yes = 0, dry = 0, nargs, rc;
	const struct opt opts[] = {
		OPT_BOOL(0, "yes", &yes, "mark the fully present files"),
		OPT_BOOL(0, "dry-run", &dry, "only show the plan (default)"),
		OPT_END(),
	};
	struct adopt_report r = { 0 };
	char **args;

	if ((rc = cmd_parse(ctx, "adopt", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = no_args("adopt", nargs, args, err);
	if (rc == 0 && yes && dry)
		rc = rk_fail(err, RK_USAGE,
			     "adopt: --yes or --dry-run, not "
			     "both");
	if (rc == 0)
		rc = ctx_open_db(ctx, !yes, err);
	if (rc == 0)
		rc = op_adopt(ctx, yes, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_adopt(&r));
		else
			text_adopt(ctx, &r);
	}
	adopt_report_release(&r);
	free(args);
	return rc;
}

static int
cmd_current(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	return history_cmd("current", 1, argc, argv, ctx, err);
}

static int
cmd_history(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	return history_cmd("history", 0, argc, argv, ctx, err);
}

static int
cmd_detect(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const struct opt opts[] = { OPT_END() };
	struct detect_report r = { 0 };
	char **args;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "detect", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = no_args("detect", nargs, args, err);
	if (rc == 0)
		rc = op_detect(ctx, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_detect(&r));
		else
			text_detect(ctx, &r);
	}
	detect_report_release(&r);
	free(args);
	return rc;
}

static int
cmd_run(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	struct run_opts o = { .steps = STEPS_UNSET };
	int yes = 0;
	const char *above = NULL;
	const struct opt opts[] = {
		OPT_BOOL(0, "dry-run", &o.dry_run,
			 "show what would run; touch nothing"),
		OPT_BOOL(0, "sql", &o.sql,
			 "with --dry-run: print the SQL the run would send"),
		OPT_BOOL(0, "allow-unsafe", &o.allow_unsafe,
			 "run despite error-level lint findings"),
		OPT_BOOL(0, "allow-drift", &o.allow_drift,
			 "run even though applied files changed or records "
			 "failed"),
		OPT_STRING(0, "to", &o.to, "VERSION",
			   "only pending files up to VERSION"),
		OPT_INT(0, "steps", &o.steps, "N",
			"only the first N pending files"),
		OPT_BOOL(0, "per-file", &o.per_file,
			 "one transaction per file instead of one for the "
			 "batch"),
		OPT_BOOL(0, "no-backup", &o.no_backup,
			 "SQLite: no backup copy before the run"),
		OPT_BOOL(0, "yes", &yes,
			 "with a --label: do not ask for it to be typed"),
		OPT_END(),
	};
	struct run_report r = { 0 };
	char **args;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "run", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	for (int i = 0; i < nargs; i++) /* "migrations/004_x.sql" too */
		args[i] = (char *)op_local_name(ctx, args[i]);
	o.names = nargs ? args : NULL;
	o.nnames = nargs;
	if (o.sql && !o.dry_run) {
		free(args);
		return rk_fail(err, RK_USAGE,
			       "run: --sql only shows what a run would send; "
			       "add --dry-run");
	}
	if (check_steps("run", &o.steps, err) < 0 ||
	    error_above_opt(ctx, above, err) < 0 ||
	    confirm_labelled(ctx, "run", yes || o.dry_run,
			     "Apply the pending migrations", err) < 0) {
		free(args);
		return -1;
	}
	if (!ctx->json)
		ctx->progress = text_progress;
	rk_interrupt_install();
	op_dir_ahead(&ctx->cfg); /* op_run() starts with op_status() */
	rc = ctx_open_db(ctx, o.dry_run, err);
	if (rc == 0)
		rc = op_run(ctx, &o, &r, err);
	detector_of_dir_ahead_end();
	rc = show_run(ctx, &r, rc, err);
	run_report_release(&r);
	free(args);
	return rc;
}

static int
cmd_mark_applied(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	int all = 0, yes = 0, nargs, rc;
	const char *to = NULL;
	const struct opt opts[] = {
		OPT_BOOL(0, "all", &all, "mark every pending file"),
		OPT_STRING(0, "to", &to, "VERSION",
			   "mark every pending file up to VERSION"),
		OPT_BOOL(0, "yes", &yes,
			 "with a --label: do not ask for it to be typed"),
		OPT_END(),
	};
	struct mark_report r = { 0 };
	char **args;

	if ((rc = cmd_parse(ctx, "mark-applied", opts, argc, argv, &args,
			    &nargs, err)) != 0)
		return rc < 0 ? rc : 0;
	if (!nargs && !all && !to) {
		free(args);
		return rk_fail(err, RK_USAGE,
			       "mark-applied: name the migrations to mark, or "
			       "pass --to VERSION or --all");
	}
	if ((nargs || all) && to) {
		free(args);
		return rk_fail(err, RK_USAGE,
			       "mark-applied: give --to, or names or --all, "
			       "not both");
	}
	{
		char *what =
			to    ? names_what("Record as applied every pending "
					      "migration up to",
					   (char **)&to, 1)
			: all ? xstrdup("Record every pending migration as "
					"applied")
			      : names_what("Record as applied", args, nargs);

		rc = confirm_labelled(ctx, "mark-applied", yes, what, err);
		free(what);
	}
	if (rc == 0 && to)
		rc = op_mark_to(ctx, to, &r, err);
	else if (rc == 0)
		rc = op_mark(ctx, args, nargs, all, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_mark(&r, "marked"));
		else
			text_mark(ctx, &r, "Marked");
	}
	mark_report_release(&r);
	free(args);
	return rc;
}

static int
cmd_unmark(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	int yes = 0, nargs, rc;
	const struct opt opts[] = {
		OPT_BOOL(0, "yes", &yes, "do not ask for confirmation"),
		OPT_END(),
	};
	struct mark_report r = { 0 };
	char **args;

	if ((rc = cmd_parse(ctx, "unmark", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = nargs ? 0
		   : rk_fail(err, RK_USAGE,
			     "unmark: name the migrations to unmark");
	if (rc == 0 && !yes) {
		char *what = names_what("Delete the tracking record of", args,
					nargs);

		rc = confirm(ctx, "unmark", what, err);
		free(what);
	}
	if (rc == 0)
		rc = op_unmark(ctx, args, nargs, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_mark(&r, "unmarked"));
		else
			text_mark(ctx, &r, "Unmarked");
	}
	mark_report_release(&r);
	free(args);
	return rc;
}

/* repair --move: the plan, or with --yes the move. */
static int
repair_move(struct rk_ctx *ctx, int yes, int nargs, int all, struct rk_err *err)
{
	struct move_report r = { 0 };
	int rc = nargs || all ? rk_fail(err, RK_USAGE,
					"repair --move takes no names and no "
					"--all: it moves every record it can")
			      : 0;

	if (rc == 0 && yes)
		rc = confirm_labelled(ctx, "repair", 0,
				      "Move reckon's records into the "
				      "framework's table",
				      err);
	if (rc == 0)
		rc = op_move_native(ctx, yes, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_move(&r));
		else
			text_move(ctx, &r);
	}
	move_report_release(&r);
	return rc;
}

static int
cmd_repair(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	int all = 0, yes = 0, move = 0, nargs, rc;
	const struct opt opts[] = {
		OPT_BOOL(0, "all", &all, "repair every modified or failed one"),
		OPT_BOOL(0, "move", &move,
			 "move records an earlier reckon kept in its own "
			 "table into the framework's (a plan; --yes moves)"),
		OPT_BOOL(0, "yes", &yes,
			 "with a --label: do not ask for it to be typed; "
			 "with --move: move"),
		OPT_END(),
	};
	struct mark_report r = { 0 };
	char **args;

	if ((rc = cmd_parse(ctx, "repair", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	if (move) {
		rc = repair_move(ctx, yes, nargs, all, err);
		free(args);
		return rc;
	}
	rc = nargs || all ? 0
			  : rk_fail(err, RK_USAGE,
				    "repair: name the reviewed migrations, or "
				    "pass --all");
	if (rc == 0) {
		char *what = all ? xstrdup("Repair every modified or failed "
					   "migration")
				 : names_what("Repair", args, nargs);

		rc = confirm_labelled(ctx, "repair", yes, what, err);
		free(what);
	}
	if (rc == 0)
		rc = op_repair(ctx, args, nargs, all, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_mark(&r, "repaired"));
		else
			text_mark(ctx, &r, "Repaired");
	}
	mark_report_release(&r);
	free(args);
	return rc;
}

static int
cmd_preview(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	int sqlite = 0, nargs, rc;
	const struct opt opts[] = {
		OPT_BOOL(0, "sqlite", &sqlite, "split with SQLite's dialect"),
		OPT_END(),
	};
	struct preview_report r = { 0 };
	char **args;

	if ((rc = cmd_parse(ctx, "preview", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	if (nargs != 1) {
		free(args);
		return rk_fail(err, RK_USAGE, "preview: name one file");
	}
	rc = op_preview(ctx, args[0],
			sql_dialect_find(sqlite ? "sqlite" : "postgres"), &r,
			err);
	if (rc == 0)
		rc = lint_preview(
			ctx, sql_dialect_find(sqlite ? "sqlite" : "postgres"),
			&r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_preview(&r));
		else
			text_preview(ctx, &r);
	}
	preview_report_release(&r);
	free(args);
	return rc;
}

static int
cmd_wait(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const char *timeout = NULL;
	const struct opt opts[] = {
		OPT_STRING(0, "timeout", &timeout, "DURATION",
			   "give up after this (default: 60s)"),
		OPT_END(),
	};
	struct wait_report r;
	char **args;
	int nargs, ms = RK_WAIT_DEFAULT_MS, rc;

	if ((rc = cmd_parse(ctx, "wait", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = no_args("wait", nargs, args, err);
	if (rc == 0 && timeout && (ms = cfg_parse_duration_ms(timeout)) < 0)
		rc = rk_fail(err, RK_USAGE,
			     "wait: --timeout: invalid duration '%s' (use "
			     "e.g. 500ms, 5s, 2m, 1h)",
			     timeout);
	if (rc == 0)
		rc = op_wait(ctx, ms, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_wait(&r));
		else
			text_wait(ctx, &r);
	}
	free(args);
	return rc;
}

static int
cmd_serve(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	struct serve_opts so = { .max_per_client = -1, .pool = -1 };
	const struct opt opts[] = {
		OPT_STRING(
			0, "drain", &so.drain, "DURATION",
			"on SIGTERM, how long runs may finish before they are "
			"cancelled (default: 30s)"),
		OPT_STRING(0, "listen", &so.listen, "ADDR:PORT",
			   "where to listen (default: 127.0.0.1:8787)"),
		OPT_INT(0, "max-per-client", &so.max_per_client, "N",
			"connections one client address may hold open "
			"(default: 16; 0: no cap)"),
		OPT_INT(0, "pool", &so.pool, "N",
			"PostgreSQL connections kept open for the next request "
			"(default: 4; 0: one per request; at most 16)"),
		OPT_STRING(0, "request-timeout", &so.request_timeout,
			   "DURATION",
			   "time a connection has to send a complete request "
			   "(default: 10s)"),
		OPT_STRING(0, "token-file", &so.token_file, "FILE",
			   "file holding the bearer token for POSTs"),
		OPT_END(),
	};
	char **args = NULL;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "serve", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	if (nargs)
		rc = rk_fail(err, RK_USAGE, "serve: unexpected argument '%s'",
			     args[0]);
	else
		rc = serve_run(ctx, &so, err);
	free(args);
	return rc;
}

/* A failure that a signal caused: shown here, and exit 130 or 143. */
static int
interrupted_exit(const struct rk_ctx *ctx, int rc, const struct rk_err *err)
{
	if (rc >= 0 || !rk_interrupted())
		return rc;
	if (ctx->json)
		emit(json_error(err));
	text_error(ctx, err);
	return rk_interrupt_exit_code();
}

static int
cmd_verify(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	struct verify_opts o = { 0 };
	const char *from = NULL;
	const struct opt opts[] = {
		OPT_STRING(0, "from", &from, "SNAPSHOT",
			   "a saved database: SQLite file or pg_dump file "
			   "(more may follow as arguments)"),
		OPT_STRING(0, "dev-db", &o.dev_db, "URL",
			   "PostgreSQL server for the throwaway databases "
			   "(default: that of --db)"),
		OPT_END(),
	};
	struct verify_report r = { 0 };
	char **args, **all;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "verify", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	all = xcalloc((size_t)nargs + 2, sizeof(*all));
	if (from)
		all[o.n++] = (char *)from;
	for (int i = 0; i < nargs; i++)
		all[o.n++] = args[i];
	o.snapshots = all;
	rk_interrupt_install();
	rc = op_verify(ctx, &o, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_verify(&r));
		else
			text_verify(ctx, &r);
		if (!r.ok)
			rc = RK_EXIT_CHECK;
	}
	rc = interrupted_exit(ctx, rc, err);
	verify_report_release(&r);
	free(all);
	free(args);
	return rc;
}

static int
cmd_diff(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const char *dev_db = NULL;
	const struct opt opts[] = {
		OPT_STRING(0, "dev-db", &dev_db, "URL",
			   "PostgreSQL server to build the migrations' "
			   "schema on, in a throwaway database"),
		OPT_END(),
	};
	struct diff_report r = { 0 };
	char **args;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "diff", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	rc = no_args("diff", nargs, args, err);
	rk_interrupt_install();
	if (rc == 0)
		rc = op_diff(ctx, dev_db, &r, err);
	if (rc == 0) {
		if (ctx->json)
			emit(json_diff(&r));
		else
			text_diff(ctx, &r);
		if (schema_diff_real(&r.diff))
			rc = RK_EXIT_CHECK;
	}
	rc = interrupted_exit(ctx, rc, err);
	diff_report_release(&r);
	free(args);
	return rc;
}

const struct cmd commands[] = {
	{ "adopt", cmd_adopt, NEEDS_DB | NEEDS_DIR | OPENS_DB,
	  "adopt [--dry-run | --yes] [--json]",
	  "mark pending files whose objects all exist already (plan first)" },
	{ "check", cmd_check, NEEDS_DB | NEEDS_DIR | READS_DB | DIR_AHEAD,
	  "check [--json]",
	  "pre-flight safety check: pending, locks, long transactions, drift" },
	{ "completion", cmd_completion, 0, "completion bash|zsh|fish",
	  "print a completion script for the shell, made from reckon's own "
	  "tables" },
	{ "current", cmd_current, NEEDS_DB | NEEDS_DIR | READS_DB | DIR_AHEAD,
	  "current [--json]",
	  "the latest applied migration (every recorded head)" },
	{ "detect", cmd_detect, NEEDS_DB | READS_DB, "detect [--json]",
	  "list the migration tracking tables in the database" },
	{ "detect-schema", cmd_detect_schema, NEEDS_DIR,
	  "detect-schema [FILE | -] [--sql TEXT] [--no-db] [--sqlite] "
	  "[--json]",
	  "the objects SQL creates, and whether each exists already" },
	{ "diff", cmd_diff, NEEDS_DB | NEEDS_DIR | READS_DB,
	  "diff [--dev-db URL] [--json]",
	  "the live schema against the one the migrations produce" },
	{ "down", cmd_down, NEEDS_DB | NEEDS_DIR | OPENS_DB,
	  "down [--steps N | --to VERSION] [--dry-run] [--yes] [--json]",
	  "undo the newest applied migrations with their down scripts" },
	{ "heads", cmd_heads, NEEDS_DB | NEEDS_DIR | READS_DB | DIR_AHEAD,
	  "heads [--json]",
	  "the newest migration of each branch, (current) where applied" },
	{ "history", cmd_history, NEEDS_DB | NEEDS_DIR | READS_DB | DIR_AHEAD,
	  "history [--json]",
	  "applied migrations in order, with time, who and how long (a "
	  "revision graph: every revision, newest first)" },
	{ "lint", cmd_lint, NEEDS_DIR,
	  "lint [FILE...] [--error-above SIZE] [--no-db] [--sqlite] "
	  "[--explain RULE | --rules] [--json]",
	  "find migrations that lock or rewrite big tables or break running "
	  "code" },
	{ "mark-applied", cmd_mark_applied, NEEDS_DB | NEEDS_DIR,
	  "mark-applied NAME... | --all | --to VERSION [--yes] [--json]",
	  "record migrations as applied without running them" },
	{ "new", cmd_new, NEEDS_DIR, "new NAME [--json]",
	  "create the next migration file in the directory's convention" },
	{ "preview", cmd_preview, NEEDS_DIR, "preview FILE [--sqlite] [--json]",
	  "a file's statements with line numbers" },
	{ "redo", cmd_redo, NEEDS_DB | NEEDS_DIR | OPENS_DB,
	  "redo [--dry-run] [--yes] [--json]",
	  "undo the newest applied migration and apply it again" },
	{ "repair", cmd_repair, NEEDS_DB | NEEDS_DIR,
	  "repair NAME... | --all | --move [--yes] [--json]",
	  "re-record checksums of reviewed modified files, clear failed "
	  "markers" },
	{ "run", cmd_run, NEEDS_DB | NEEDS_DIR | OPENS_DB,
	  "run [NAME...] [--to VERSION] [--steps N] [--per-file] [--dry-run "
	  "[--sql]] "
	  "[--no-backup] [--allow-drift] [--allow-unsafe] [--error-above "
	  "SIZE] [--yes] [--json]",
	  "apply pending migrations in one transaction" },
	{ "serve", cmd_serve, NEEDS_DB | NEEDS_DIR | READS_DB,
	  "serve [--listen ADDR:PORT] [--token-file FILE] [--drain DURATION] "
	  "[--request-timeout DURATION] [--max-per-client N] [--pool N]",
	  "HTTP API and dashboard" },
	{ "status", cmd_status, NEEDS_DB | NEEDS_DIR | READS_DB | DIR_AHEAD,
	  "status [--check] [--json]",
	  "each migration's state: applied, pending, modified, orphaned, "
	  "failed" },
	{ "unmark", cmd_unmark, NEEDS_DB | NEEDS_DIR,
	  "unmark NAME... [--yes] [--json]",
	  "delete the tracking record of migrations" },
	{ "verify", cmd_verify, NEEDS_DIR,
	  "verify --from SNAPSHOT [SNAPSHOT...] [--dev-db URL] [--json]",
	  "upgrade throwaway copies of saved databases and compare each with "
	  "a fresh build" },
	{ "wait", cmd_wait, NEEDS_DB | OPENS_DB, "wait [--timeout DURATION]",
	  "wait until the database server accepts connections" },
};
const unsigned ncommands = ARRAY_SIZE(commands);

const struct cmd *
cmd_find(const char *name)
{
	for (unsigned i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
