/*
 * reckon completion: the bash, zsh and fish scripts, made from the tables
 * every run uses (commands[], each command's OPT_* table, the global
 * options of RK_CONFIG_KEYS), so they cannot drift from the program. What
 * a value completes to is read from the tables too: an option's value
 * name (PATH, FILE, VERSION) and a synopsis's positional words (NAME...,
 * FILE) say it. The scripts call "reckon completion names" and
 * "reckon completion frameworks" back for what only a run knows.
 */
#include "reckon/cli/completion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/base/opt.h"
#include "reckon/base/util.h"
#include "reckon/cli/cmd.h"
#include "reckon/cli/globals.h"
#include "reckon/core/ops.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/base/banned.h"

/* What a value or a positional argument completes to. */
enum comp_kind {
	CK_NONE,       /* nothing to offer: the user types it */
	CK_DIR,	       /* a directory */
	CK_FILE,       /* a file */
	CK_NAMES,      /* the migration names of --dir (a call back) */
	CK_FRAMEWORKS, /* the registry's frameworks (a call back) */
	CK_SHELLS,     /* the shells this file writes for */
};

/* The words the scripts give each kind to their helper function. */
static const char *const kind_word[] = {
	[CK_NONE] = "none",
	[CK_DIR] = "dir",
	[CK_FILE] = "file",
	[CK_NAMES] = "names",
	[CK_FRAMEWORKS] = "frameworks",
	[CK_SHELLS] = "shells",
};

/* The global options whose values the call backs pass on, as they
 * choose the directory (and how its files are named). */
static const char call_opts[] = "--dir --config --env --framework";

struct comp_model;

static void bash_script(const struct comp_model *m, struct rk_buf *b);
static void fish_script(const struct comp_model *m, struct rk_buf *b);
static void zsh_script(const struct comp_model *m, struct rk_buf *b);

/* The shells this file writes for, and how. */
static const struct shell {
	const char *name;
	void (*script)(const struct comp_model *m, struct rk_buf *b);
} shells[] = {
	{ "bash", bash_script },
	{ "fish", fish_script },
	{ "zsh", zsh_script },
};

/* The shells' names, separated by sep, in single quotes for sh or fish
 * (the two quote these names alike). */
static void
add_shell_words(struct rk_buf *b, const char *sep)
{
	rk_buf_addc(b, '\'');
	for (size_t i = 0; i < ARRAY_SIZE(shells); i++)
		rk_buf_addf(b, "%s%s", i ? sep : "", shells[i].name);
	rk_buf_addc(b, '\'');
}

/* One command as the scripts see it. */
struct comp_cmd {
	const struct cmd *c;
	struct opt *opts; /* owned: opt_copy() of the command's table */
	enum comp_kind args;
};

struct comp_model {
	struct rk_globals g; /* what gopts point at (never read) */
	struct opt gopts[GLOBALS_NOPTS];
	struct comp_cmd *cmds; /* owned: ncommands of them */
};

static int
takes_value(const struct opt *o)
{
	return o->type == OPTION_STRING || o->type == OPTION_INT ||
	       o->type == OPTION_LIST;
}

/* What o's value completes to: its value's name says. */
static enum comp_kind
value_kind(const struct opt *o)
{
	if (!takes_value(o) && o->type != OPTION_OPTSTRING)
		return CK_NONE;
	if (strcmp(o->name, "framework") == 0)
		return CK_FRAMEWORKS;
	if (!o->argh)
		return CK_NONE;
	if (strcmp(o->argh, "PATH") == 0)
		return CK_DIR;
	if (strcmp(o->argh, "FILE") == 0 || strcmp(o->argh, "SNAPSHOT") == 0)
		return CK_FILE;
	if (strcmp(o->argh, "VERSION") == 0)
		return CK_NAMES;
	return CK_NONE;
}

/* What c's positional arguments complete to: the first word of its
 * synopsis that is not an option's value ("run [NAME...]": names,
 * "lint [FILE...]": files; "new NAME" names a file yet to be). */
static enum comp_kind
args_kind(const struct cmd *c)
{
	const char *p = c->synopsis + strlen(c->name);
	int after_opt = 0;

	if (strcmp(c->name, "completion") == 0)
		return CK_SHELLS;
	while (*p) {
		size_t n;

		p += strspn(p, " []|");
		n = strcspn(p, " []|");
		if (!n)
			break;
		if (!after_opt && n >= 4 && strncmp(p, "FILE", 4) == 0)
			return CK_FILE;
		if (!after_opt && n >= 8 && strncmp(p, "SNAPSHOT", 8) == 0)
			return CK_FILE;
		if (!after_opt && n == 7 && strncmp(p, "NAME...", 7) == 0)
			return CK_NAMES;
		after_opt = p[0] == '-';
		p += n;
	}
	return CK_NONE;
}

static void
model_init(struct comp_model *m)
{
	memset(m, 0, sizeof(*m));
	globals_opts(&m->g, m->gopts);
	m->cmds = xcalloc(ncommands, sizeof(*m->cmds));
	for (unsigned i = 0; i < ncommands; i++) {
		struct rk_ctx ctx = { .cfg = RK_CONFIG_INIT };
		struct rk_err err = RK_ERR_INIT;
		struct rk_buf help = RK_BUF_INIT;
		char *argv[1] = { NULL };
		struct comp_cmd *cc = &m->cmds[i];

		cc->c = &commands[i];
		cc->args = args_kind(cc->c);
		ctx.help = &help;
		ctx.help_table = &cc->opts;
		/* with help set, a command parses nothing and runs nothing */
		if (cc->c->fn(0, argv, &ctx, &err) != 0 || !cc->opts)
			rk_bug("'%s' gave no option table", cc->c->name);
		rk_buf_release(&help);
		cfg_release(&ctx.cfg);
	}
}

static void
model_release(struct comp_model *m)
{
	for (unsigned i = 0; i < ncommands; i++)
		free(m->cmds[i].opts);
	free(m->cmds);
}

/* " --name" for each option of opts, and " -x" for a short name. */
static void
add_option_words(struct rk_buf *b, const struct opt *opts)
{
	for (; opts->type != OPTION_END; opts++) {
		if (opts->short_name)
			rk_buf_addf(b, " -%c", opts->short_name);
		rk_buf_addf(b, " --%s", opts->name);
	}
}

/* s in single quotes for sh (bash, zsh): ' becomes '\''. */
static void
add_sh_quoted(struct rk_buf *b, const char *s)
{
	rk_buf_addc(b, '\'');
	for (; *s; s++)
		if (*s == '\'')
			rk_buf_adds(b, "'\\''");
		else
			rk_buf_addc(b, *s);
	rk_buf_addc(b, '\'');
}

/* s in single quotes for fish: \ and ' are escaped with \. */
static void
add_fish_quoted(struct rk_buf *b, const char *s)
{
	rk_buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			rk_buf_addc(b, '\\');
		rk_buf_addc(b, *s);
	}
	rk_buf_addc(b, '\'');
}

/*
 * The shell "case" arms that complete the value after an option of opts:
 * "\t\t--dir) _reckon_values dir; return ;;" (sh syntax, bash and zsh
 * alike). Options whose value has nothing to offer still get an arm, so
 * their value is not completed as a command or option.
 */
static void
add_value_arms(struct rk_buf *b, const struct opt *opts, const char *indent)
{
	for (; opts->type != OPTION_END; opts++)
		if (takes_value(opts))
			rk_buf_addf(b, "%s--%s) _reckon_values %s; return ;;\n",
				    indent, opts->name,
				    kind_word[value_kind(opts)]);
}

/* A command's "case $prev in ... esac", when it has options that take
 * a value. */
static void
add_prev_case(struct rk_buf *b, const struct opt *opts)
{
	size_t start = b->len;

	rk_buf_adds(b, "\t\tcase $prev in\n");
	add_value_arms(b, opts, "\t\t");
	if (b->len == start + strlen("\t\tcase $prev in\n"))
		b->len = start, b->s[start] = '\0';
	else
		rk_buf_adds(b, "\t\tesac\n");
}

/* The space-separated global options that take the next word. */
static void
add_global_value_words(struct rk_buf *b, const struct comp_model *m)
{
	for (const struct opt *o = m->gopts; o->type != OPTION_END; o++)
		if (takes_value(o))
			rk_buf_addf(b, " --%s", o->name);
}

/*
 * bash and zsh alike: "case $cmd in", an arm per command setting opts
 * (its options between open and close: a string or an array) and args
 * (what its arguments complete to) or completing the value after one of
 * its options, then the arms for the global options' values.
 */
static void
add_command_arms(struct rk_buf *b, const struct comp_model *m, const char *open,
		 const char *close)
{
	for (unsigned i = 0; i < ncommands; i++) {
		const struct comp_cmd *cc = &m->cmds[i];

		rk_buf_addf(b, "\t%s)\n", cc->c->name);
		add_prev_case(b, cc->opts);
		rk_buf_addf(b, "\t\topts=%s", open);
		add_option_words(b, cc->opts);
		rk_buf_addf(b, "%s\t\targs=%s ;;\n", close,
			    kind_word[cc->args]);
	}
	rk_buf_adds(b, "\tesac\n\tcase $prev in\n");
	add_value_arms(b, m->gopts, "\t");
	rk_buf_adds(b, "\tesac\n");
}

static const char sh_header[] =
	"# reckon(1) completion for %s, made by 'reckon completion %s' from\n"
	"# reckon's command and option tables: make it again after an "
	"upgrade.\n";

static void
bash_script(const struct comp_model *m, struct rk_buf *b)
{
	rk_buf_addf(b, sh_header, "bash", "bash");
	rk_buf_adds(b, "_reckon_shells=");
	add_shell_words(b, "\n");
	rk_buf_adds(b, "\n\n_reckon_call()\n{\n"
		       "\tlocal i w a=()\n"
		       "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
		       "\t\tw=${COMP_WORDS[i]}\n"
		       "\t\tcase \" ");
	rk_buf_adds(b, call_opts);
	rk_buf_adds(b,
		    " \" in *\" $w \"*)\n"
		    "\t\t\ti=$((i + 1))\n"
		    "\t\t\t[[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))\n"
		    "\t\t\ta+=(\"$w\" \"${COMP_WORDS[i]}\") ;;\n"
		    "\t\tesac\n"
		    "\tdone\n"
		    "\t\"${COMP_WORDS[0]}\" \"${a[@]}\" completion \"$1\" "
		    "2>/dev/null\n}\n\n"
		    "_reckon_values()\n{\n"
		    "\tlocal IFS=$'\\n'\n"
		    "\tcase $1 in\n"
		    "\tdir) compopt -o filenames 2>/dev/null\n"
		    "\t\tCOMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
		    "\tfile) compopt -o filenames 2>/dev/null\n"
		    "\t\tCOMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
		    "\tnames | frameworks)\n"
		    "\t\tCOMPREPLY=($(compgen -W \"$(_reckon_call \"$1\")\" -- "
		    "\"$cur\")) ;;\n"
		    "\tshells) COMPREPLY=($(compgen -W \"$_reckon_shells\" -- "
		    "\"$cur\")) ;;\n"
		    "\tesac\n}\n\n"
		    "_reckon()\n{\n"
		    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=\n"
		    "\tlocal cmd= opts= args=none i w p gvalue='");
	add_global_value_words(b, m);
	rk_buf_adds(
		b,
		" '\n"
		"\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
		"\t# bash splits --dir=x into --dir, = and x\n"
		"\tif [[ $cur == = ]]; then\n\t\tcur=\n"
		"\telif [[ $prev == = ]]; then\n"
		"\t\tprev=${COMP_WORDS[COMP_CWORD - 2]}\n\tfi\n"
		"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
		"\t\tw=${COMP_WORDS[i]} p=${COMP_WORDS[i - 1]}\n"
		"\t\t[[ $w == -* || $w == = || $p == = ]] && continue\n"
		"\t\t((i > 1)) && [[ $gvalue == *\" $p \"* ]] && continue\n"
		"\t\tcmd=$w\n\t\tbreak\n\tdone\n"
		"\tcase $cmd in\n");
	add_command_arms(b, m, "'", "'\n");
	rk_buf_adds(b, "\tif [[ $cur == -* ]]; then\n"
		       "\t\tCOMPREPLY=($(compgen -W \"$opts");
	add_option_words(b, m->gopts);
	rk_buf_adds(b, "\" -- \"$cur\"))\n"
		       "\telif [[ -z $cmd ]]; then\n"
		       "\t\tCOMPREPLY=($(compgen -W '");
	for (unsigned i = 0; i < ncommands; i++)
		rk_buf_addf(b, "%s%s", i ? " " : "", commands[i].name);
	rk_buf_adds(b, "' -- \"$cur\"))\n"
		       "\telse\n\t\t_reckon_values \"$args\"\n\tfi\n}\n"
		       "complete -F _reckon reckon\n");
}

static void
zsh_script(const struct comp_model *m, struct rk_buf *b)
{
	rk_buf_adds(b, "#compdef reckon\n");
	rk_buf_addf(b, sh_header, "zsh", "zsh");
	rk_buf_adds(b, "_reckon_shells=");
	add_shell_words(b, " ");
	rk_buf_adds(b, "\n\n_reckon_call() {\n"
		       "\tlocal i w\n\tlocal -a a\n"
		       "\tfor ((i = 2; i < CURRENT; i++)); do\n"
		       "\t\tw=${words[i]}\n"
		       "\t\tcase \" ");
	rk_buf_adds(b, call_opts);
	rk_buf_adds(
		b,
		" \" in\n"
		"\t\t*\" $w \"*) a+=(\"$w\" \"${(Q)words[i + 1]}\"); "
		"i=$((i + 1)) ;;\n"
		"\t\t*\" ${w%%=*} \"*) a+=(\"${(Q)w}\") ;;\n"
		"\t\tesac\n\tdone\n"
		"\t${words[1]} \"${a[@]}\" completion \"$1\" 2>/dev/null\n}\n\n"
		"_reckon_values() {\n"
		"\tlocal -a v\n"
		"\tcase $1 in\n"
		"\tdir) _files -/ ;;\n"
		"\tfile) _files ;;\n"
		"\tnames | frameworks) v=(${(f)\"$(_reckon_call $1)\"})\n"
		"\t\tcompadd -a v ;;\n"
		"\tshells) compadd -- ${=_reckon_shells} ;;\n"
		"\tesac\n}\n\n"
		"_reckon() {\n"
		"\tlocal cur=${words[CURRENT]} prev=${words[CURRENT - 1]}\n"
		"\tlocal cmd= args=none i w p gvalue='");
	add_global_value_words(b, m);
	rk_buf_adds(b, " '\n\tlocal -a opts cmds\n"
		       "\tif [[ $cur == --*=* ]]; then\n"
		       "\t\tprev=${cur%%=*}\n\t\tcompset -P '*='\n"
		       "\t\tcur=${cur#*=}\n\tfi\n"
		       "\tfor ((i = 2; i < CURRENT; i++)); do\n"
		       "\t\tw=${words[i]} p=${words[i - 1]}\n"
		       "\t\t[[ $w == -* ]] && continue\n"
		       "\t\t((i > 2)) && [[ $gvalue == *\" $p \"* ]] && "
		       "continue\n"
		       "\t\tcmd=$w\n\t\tbreak\n\tdone\n"
		       "\tcase $cmd in\n");
	add_command_arms(b, m, "(", " )\n");
	rk_buf_adds(b, "\tif [[ $cur == -* ]]; then\n"
		       "\t\tcompadd -- $opts");
	add_option_words(b, m->gopts);
	rk_buf_adds(b, "\n\telif [[ -z $cmd ]]; then\n\t\tcmds=(\n");
	for (unsigned i = 0; i < ncommands; i++) {
		struct rk_buf item = RK_BUF_INIT;

		rk_buf_addf(&item, "%s:%s", commands[i].name,
			    commands[i].summary);
		rk_buf_adds(b, "\t\t\t");
		add_sh_quoted(b, item.s);
		rk_buf_addc(b, '\n');
		rk_buf_release(&item);
	}
	rk_buf_adds(b,
		    "\t\t)\n\t\t_describe command cmds\n"
		    "\telse\n\t\t_reckon_values $args\n\tfi\n}\n\n"
		    "if [[ $funcstack[1] == _reckon ]]; then\n"
		    "\t_reckon \"$@\"\nelse\n\tcompdef _reckon reckon\nfi\n");
}

/* One fish "complete" line for option o, under condition cond (or
 * none): its value's completion and its help as the description. */
static void
fish_option(struct rk_buf *b, const struct opt *o, const char *cond)
{
	static const char *const value_args[] = {
		[CK_NONE] = " -x",
		[CK_DIR] = " -x -a '(__fish_complete_directories)'",
		[CK_FILE] = " -r -F",
		[CK_NAMES] = " -x -a '(__reckon_call names)'",
		[CK_FRAMEWORKS] = " -x -a '(__reckon_call frameworks)'",
		[CK_SHELLS] = " -x", /* no option's value is a shell */
	};

	rk_buf_adds(b, "complete -c reckon");
	if (cond)
		rk_buf_addf(b, " -n '%s'", cond);
	if (o->short_name)
		rk_buf_addf(b, " -s %c", o->short_name);
	rk_buf_addf(b, " -l %s", o->name);
	if (takes_value(o))
		rk_buf_adds(b, value_args[value_kind(o)]);
	if (o->help) {
		rk_buf_adds(b, " -d ");
		add_fish_quoted(b, o->help);
	}
	rk_buf_addc(b, '\n');
}

static void
fish_script(const struct comp_model *m, struct rk_buf *b)
{
	static const char *const arg_args[] = {
		[CK_NONE] = NULL,
		[CK_DIR] = "-x -a '(__fish_complete_directories)'",
		[CK_FILE] = "-F",
		[CK_NAMES] = "-x -a '(__reckon_call names)'",
		[CK_FRAMEWORKS] = "-x -a '(__reckon_call frameworks)'",
		[CK_SHELLS] = "-x -a",
	};

	rk_buf_addf(b, sh_header, "fish", "fish");
	rk_buf_adds(b, "function __reckon_cmd\n"
		       "\tset -l w (commandline -opc)\n"
		       "\tset -l i 2\n"
		       "\twhile test $i -le (count $w)\n"
		       "\t\tswitch $w[$i]\n\t\tcase");
	add_global_value_words(b, m);
	rk_buf_adds(b, "\n\t\t\tset i (math $i + 1)\n"
		       "\t\tcase '-*'\n"
		       "\t\tcase '*'\n\t\t\techo $w[$i]\n\t\t\treturn 0\n"
		       "\t\tend\n\t\tset i (math $i + 1)\n\tend\n"
		       "\treturn 1\nend\n\n"
		       "function __reckon_using\n"
		       "\tset -l c (__reckon_cmd); or return 1\n"
		       "\tcontains -- $c $argv\nend\n\n"
		       "function __reckon_call\n"
		       "\tset -l w (commandline -opc)\n"
		       "\tset -l a\n\tset -l i 2\n"
		       "\twhile test $i -le (count $w)\n"
		       "\t\tif contains -- $w[$i] ");
	rk_buf_adds(b, call_opts);
	rk_buf_adds(b, "\n\t\t\tand test $i -lt (count $w)\n"
		       "\t\t\tset -a a $w[$i] $w[(math $i + 1)]\n"
		       "\t\t\tset i (math $i + 1)\n"
		       "\t\telse if string match -qr -- '^--(dir|config|env|"
		       "framework)=' $w[$i]\n"
		       "\t\t\tset -a a $w[$i]\n\t\tend\n"
		       "\t\tset i (math $i + 1)\n\tend\n"
		       "\t$w[1] $a completion $argv 2>/dev/null\nend\n\n"
		       "complete -c reckon -f\n");
	for (unsigned i = 0; i < ncommands; i++) {
		rk_buf_addf(b,
			    "complete -c reckon -n 'not __reckon_cmd "
			    ">/dev/null' -a %s -d ",
			    commands[i].name);
		add_fish_quoted(b, commands[i].summary);
		rk_buf_addc(b, '\n');
	}
	for (const struct opt *o = m->gopts; o->type != OPTION_END; o++)
		fish_option(b, o, NULL);
	for (unsigned i = 0; i < ncommands; i++) {
		const struct comp_cmd *cc = &m->cmds[i];
		char cond[128];

		snprintf(cond, sizeof(cond), "__reckon_using %s", cc->c->name);
		for (const struct opt *o = cc->opts; o->type != OPTION_END; o++)
			fish_option(b, o, cond);
		if (!arg_args[cc->args])
			continue;
		rk_buf_addf(b, "complete -c reckon -n '%s' %s", cond,
			    arg_args[cc->args]);
		if (cc->args == CK_SHELLS) {
			rk_buf_addc(b, ' ');
			add_shell_words(b, " ");
		}
		rk_buf_addc(b, '\n');
	}
}

int
completion_script(const char *shell, struct rk_buf *out, struct rk_err *err)
{
	struct comp_model m;

	for (size_t i = 0; i < ARRAY_SIZE(shells); i++) {
		if (strcmp(shells[i].name, shell) != 0)
			continue;
		model_init(&m);
		shells[i].script(&m, out);
		model_release(&m);
		return 0;
	}
	rk_fail(err, RK_USAGE, "completion: unknown shell '%s'", shell);
	rk_err_hint(err, "give bash, zsh or fish");
	return -1;
}

/* The migration names of the directory, as the commands take them; a
 * directory that cannot be read gives none (and says nothing). */
static void
print_names(const struct rk_config *cfg)
{
	const struct detector *det = NULL;
	struct mig_set set = MIG_SET_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf why = RK_BUF_INIT;

	if (cfg->framework)
		det = detector_find(cfg->framework);
	else
		det = detector_of_dir(cfg->dir, NULL, &why);
	if (mig_scan_named(cfg->dir, det, cfg->files_pattern, &set, &err) == 0)
		for (size_t i = 0; i < set.n; i++)
			printf("%s\n", set.v[i].name);
	mig_set_release(&set);
	rk_buf_release(&why);
}

int
cmd_completion(int argc, char **argv, struct rk_ctx *ctx, struct rk_err *err)
{
	const struct opt opts[] = { OPT_END() };
	struct rk_buf b = RK_BUF_INIT;
	char **args;
	int nargs, rc;

	if ((rc = cmd_parse(ctx, "completion", opts, argc, argv, &args, &nargs,
			    err)) != 0)
		return rc < 0 ? rc : 0;
	if (nargs != 1) {
		free(args);
		rk_fail(err, RK_USAGE, "completion: give one shell");
		rk_err_hint(err, "reckon completion bash | zsh | fish");
		return -1;
	}
	if (strcmp(args[0], "names") == 0) {
		print_names(&ctx->cfg);
	} else if (strcmp(args[0], "frameworks") == 0) {
		for (size_t i = 0; detectors[i]; i++)
			printf("%s\n", detectors[i]->name);
	} else if ((rc = completion_script(args[0], &b, err)) == 0) {
		fputs(b.s, stdout);
	}
	rk_buf_release(&b);
	free(args);
	return rc;
}
