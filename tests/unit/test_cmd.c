/*
 * Consistency tests for the command table (cli/cmd.c) against itself and
 * against the manual (git: t/t0450-txt-doc-vs-help.sh): the table is
 * sorted, every command and its synopsis is in man/reckon.1, and so is
 * every exit code, under EXIT STATUS. The page is read as mandoc renders
 * it when mandoc is installed, and as its roff source with requests and
 * escapes stripped either way, so that neither markup style nor line
 * wrapping decides the outcome. Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/cli/cmd.h"
#include "reckon/cli/completion.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/cli/globals.h"
#include "reckon/core/ops.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

#ifndef MAN_PATH
#define MAN_PATH "man/reckon.1"
#endif
#define MAN5_PATH "man/reckon.yaml.5"

/* Two plain-text readings of the page; either may be NULL. */
struct man {
	char *text[2];
};

/* mandoc's terminal output without its overstrike (bold "b\bb",
 * underline "_\bc"); NULL when mandoc cannot render the page. */
static char *
man_rendered(void)
{
	struct rk_buf raw = RK_BUF_INIT, out = RK_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *p;

	p = popen("mandoc -Tascii -Owidth=250 " MAN_PATH " 2>/dev/null", "r");
	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		rk_buf_add(&raw, chunk, n);
	if (pclose(p) != 0 || raw.len == 0) {
		rk_buf_release(&raw);
		return NULL;
	}
	for (size_t i = 0; i < raw.len; i++) {
		if (i + 1 < raw.len && raw.s[i + 1] == '\b') {
			i++; /* drop the char and the backspace */
			continue;
		}
		rk_buf_addc(&out, raw.s[i]);
	}
	rk_buf_release(&raw);
	return rk_buf_detach(&out, NULL);
}

/* Append s[0..n) with roff escapes replaced by what they print. */
static void
unescape(struct rk_buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		char c;

		if (s[i] != '\\' || i + 1 >= n) {
			rk_buf_addc(out, s[i++]);
			continue;
		}
		c = s[i + 1];
		i += 2;
		if (c == 'f' || c == '*') {
			/* font or string: \fB, \f(BI, \f[CR], \*x, \*(xx */
			if (i < n && s[i] == '(')
				i += 3;
			else if (i < n && s[i] == '[')
				while (i < n && s[i++] != ']')
					;
			else
				i++;
		} else if (c == '(') {
			/* special character \(xx */
			if (i + 1 < n && (memcmp(s + i, "em", 2) == 0 ||
					  memcmp(s + i, "en", 2) == 0 ||
					  memcmp(s + i, "mi", 2) == 0 ||
					  memcmp(s + i, "hy", 2) == 0))
				rk_buf_addc(out, '-');
			else if (i + 1 < n && (memcmp(s + i, "lq", 2) == 0 ||
					       memcmp(s + i, "rq", 2) == 0))
				rk_buf_addc(out, '"');
			else if (i + 1 < n && memcmp(s + i, "ba", 2) == 0)
				rk_buf_addc(out, '|');
			i += 2;
		} else if (c == '[') {
			while (i < n && s[i++] != ']')
				;
		} else if (c == ' ' || c == '~') {
			rk_buf_addc(out, ' ');
		} else if (c == 'e' || c == '\\') {
			rk_buf_addc(out, '\\');
		} else if (!strchr("&|^:/,c)", c)) {
			rk_buf_addc(out, c); /* \- and the like */
		}
	}
}

/* Append a request's arguments, quoted ones unquoted, joined by sep. */
static void
add_args(struct rk_buf *out, const char *s, const char *sep)
{
	int first = 1;

	for (;;) {
		const char *e;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return;
		if (*s == '"') {
			e = strchr(++s, '"');
			if (!e)
				e = s + strlen(s);
		} else {
			e = s + strcspn(s, " \t");
		}
		if (!first)
			rk_buf_adds(out, sep);
		unescape(out, s, (size_t)(e - s));
		first = 0;
		s = *e == '"' ? e + 1 : e;
	}
}

/* One source line as text: headings unindented, the rest indented. */
static void
strip_line(struct rk_buf *out, const char *line)
{
	static const char *const alternating[] = { "BR", "BI", "IB",
						   "IR", "RB", "RI" };
	char name[8] = "";
	size_t k = 0;
	const char *p;

	if (line[0] != '.' && line[0] != '\'') {
		rk_buf_addc(out, ' ');
		unescape(out, line, strlen(line));
		rk_buf_addc(out, '\n');
		return;
	}
	if (line[1] == '\\' && line[2] == '"')
		return; /* comment */
	for (p = line + 1; *p && !isspace((unsigned char)*p); p++)
		if (k + 1 < sizeof(name))
			name[k++] = *p;
	name[k] = '\0';
	if (strcmp(name, "SH") == 0 || strcmp(name, "Sh") == 0 ||
	    strcmp(name, "SS") == 0 || strcmp(name, "Ss") == 0) {
		add_args(out, p, " ");
		rk_buf_addc(out, '\n');
		return;
	}
	rk_buf_addc(out, ' ');
	for (size_t i = 0; i < ARRAY_SIZE(alternating); i++)
		if (strcmp(name, alternating[i]) == 0) {
			add_args(out, p, "");
			rk_buf_addc(out, '\n');
			return;
		}
	add_args(out, p, " ");
	rk_buf_addc(out, '\n');
}

/* The roff source with requests and escapes stripped. */
static char *
man_stripped(const char *src)
{
	struct rk_buf out = RK_BUF_INIT, line = RK_BUF_INIT;
	const char *p = src;

	while (*p) {
		size_t n = strcspn(p, "\n");

		rk_buf_reset(&line);
		rk_buf_add(&line, p, n);
		strip_line(&out, line.s);
		p += n + (p[n] == '\n');
	}
	rk_buf_release(&line);
	return rk_buf_detach(&out, NULL);
}

/* Read the page, or fail the test saying what is missing. */
static void
man_load(struct man *m)
{
	struct rk_buf src = RK_BUF_INIT;

	memset(m, 0, sizeof(*m));
	if (rk_buf_read_file(&src, MAN_PATH) < 0)
		fail_msg("cannot read %s (run the tests from the repository "
			 "root; the manual must exist)",
			 MAN_PATH);
	m->text[0] = man_rendered();
	m->text[1] = man_stripped(src.s);
	rk_buf_release(&src);
}

static void
man_release(struct man *m)
{
	free(m->text[0]);
	free(m->text[1]);
}

/* s without any whitespace, so wrapping and spacing do not matter. */
static char *
squeeze(const char *s)
{
	struct rk_buf b = RK_BUF_INIT;

	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			rk_buf_addc(&b, *s);
	return rk_buf_detach(&b, NULL);
}

static int
word_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* word occurs in text with no word character on either side. */
static int
has_word(const char *text, const char *word)
{
	size_t k = strlen(word);

	for (const char *p = text; (p = strstr(p, word)) != NULL; p++)
		if ((p == text || !word_char(p[-1])) && !word_char(p[k]))
			return 1;
	return 0;
}

static int
has_synopsis(const char *text, const char *synopsis)
{
	char *t = squeeze(text), *s = squeeze(synopsis);
	int found = strstr(t, s) != NULL;

	free(t);
	free(s);
	return found;
}

/*
 * The EXIT STATUS section of text (a heading is a line that starts
 * without indentation; the section runs to the next one), or NULL.
 */
static char *
exit_section(const char *text)
{
	const char *p = text, *start = NULL;

	while (*p) {
		size_t n = strcspn(p, "\n");
		int heading = n > 0 && !isspace((unsigned char)p[0]);

		if (start && heading)
			return xstrndup(start, (size_t)(p - start));
		if (heading && n >= 11 && strncmp(p, "EXIT STATUS", 11) == 0 &&
		    (n == 11 || isspace((unsigned char)p[11])))
			start = p + n;
		p += n + (p[n] == '\n');
	}
	return start ? xstrdup(start) : NULL;
}

/* code appears as a number of its own in text. */
static int
has_code(const char *text, int code)
{
	char want[16];
	size_t k;

	snprintf(want, sizeof(want), "%d", code);
	k = strlen(want);
	for (const char *p = text; (p = strstr(p, want)) != NULL; p++)
		if ((p == text || !isdigit((unsigned char)p[-1])) &&
		    !isdigit((unsigned char)p[k]))
			return 1;
	return 0;
}

/* The roff source of the list item for command name after its ".It Cm"
 * line (the synopsis: naming an option there does not describe it), up
 * to the next command's or the end of the list; NULL if none. */
static char *
man_command_item(const char *src, const char *name)
{
	size_t k = strlen(name);
	const char *p = src, *start = NULL;
	int depth = 0;

	while (*p) {
		size_t n = strcspn(p, "\n");
		const char *q = p + 7;

		if (start && depth == 0 &&
		    (strncmp(p, ".It Cm ", 7) == 0 ||
		     strncmp(p, ".El", 3) == 0 || strncmp(p, ".Sh", 3) == 0))
			return xstrndup(start, (size_t)(p - start));
		if (start && strncmp(p, ".Bl", 3) == 0)
			depth++;
		if (start && strncmp(p, ".El", 3) == 0)
			depth--;
		if (!start && strncmp(p, ".It Cm ", 7) == 0) {
			if (*q == '"')
				q++;
			if (strncmp(q, name, k) == 0 &&
			    (q[k] == ' ' || q[k] == '"' || q[k] == '\n' ||
			     q[k] == '\0'))
				start = p + n + (p[n] == '\n');
		}
		p += n + (p[n] == '\n');
	}
	return start ? xstrdup(start) : NULL;
}

/* --name in text, as "--name" or as mdoc's "Fl -name" stripped to
 * "-name": dashes before it, no word character around it. */
static int
has_option(const char *text, const char *name)
{
	size_t k = strlen(name);

	for (const char *p = text; (p = strstr(p, name)) != NULL; p++) {
		const char *b = p;

		while (b > text && b[-1] == '-')
			b--;
		if (b == p || (b > text && word_char(b[-1])) || word_char(p[k]))
			continue;
		return 1;
	}
	return 0;
}

/* The long option names a help text lists ("  -h, --help   ..."). */
static size_t
help_options(const char *help, char names[][64], size_t max)
{
	size_t n = 0;

	for (const char *p = help; *p && n < max;) {
		size_t len = strcspn(p, "\n");
		const char *o = p;

		while (*o == ' ')
			o++;
		if (o[0] == '-' && o[1] != '-' && o[1] && o[2] == ',')
			o += 3;
		while (*o == ' ')
			o++;
		if (o > p && strncmp(o, "--", 2) == 0) {
			size_t w = strcspn(o + 2, " \n");

			if (w >= 64)
				fail_msg("option name too long: %.*s", (int)w,
					 o + 2);
			memcpy(names[n], o + 2, w);
			names[n++][w] = '\0';
		}
		p += len + (p[len] == '\n');
	}
	return n;
}

/* A command's --help, as main prints it: the command fills it from its
 * option table and runs nothing. */
static char *
command_help(const struct cmd *c)
{
	struct rk_ctx ctx = { .cfg = RK_CONFIG_INIT };
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf b = RK_BUF_INIT;
	char *argv[1] = { NULL };

	ctx.help = &b;
	if (c->fn(0, argv, &ctx, &err) != 0)
		fail_msg("reckon %s --help failed: %s", c->name, err.msg);
	assert_null(ctx.db);
	return rk_buf_detach(&b, NULL);
}

static void
test_table_sorted(void **state)
{
	(void)state;
	assert_true(ncommands > 0);
	for (unsigned i = 1; i < ncommands; i++)
		if (strcmp(commands[i - 1].name, commands[i].name) >= 0)
			fail_msg("commands[] not sorted: '%s' before '%s'",
				 commands[i - 1].name, commands[i].name);
}

static void
test_table_rows(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ncommands; i++) {
		const struct cmd *c = &commands[i];
		size_t k = strlen(c->name);

		assert_true(k > 0);
		assert_non_null(c->fn);
		assert_int_equal(c->needs & ~(NEEDS_DB | NEEDS_DIR | READS_DB |
					      OPENS_DB | DIR_AHEAD),
				 0);
		/* the directory ahead: only for a command that reads it
		 * and has main open the database; never serve */
		if (c->needs & DIR_AHEAD) {
			assert_true(c->needs & NEEDS_DIR);
			assert_true(c->needs & NEEDS_DB);
			assert_false(c->needs & OPENS_DB);
			assert_string_not_equal(c->name, "serve");
		}
		/* read-only or opened later: only for a command that has
		 * a database, and not both */
		if (c->needs & (READS_DB | OPENS_DB))
			assert_true(c->needs & NEEDS_DB);
		assert_false((c->needs & READS_DB) && (c->needs & OPENS_DB));
		assert_non_null(c->summary);
		assert_true(*c->summary);
		/* the synopsis begins with the command's name */
		if (strncmp(c->synopsis, c->name, k) != 0 ||
		    (c->synopsis[k] != ' ' && c->synopsis[k] != '\0'))
			fail_msg("synopsis '%s' does not start with '%s'",
				 c->synopsis, c->name);
		assert_ptr_equal(cmd_find(c->name), c);
	}
	assert_null(cmd_find("no-such-command"));
	assert_null(cmd_find(""));
}

static void
test_man_commands(void **state)
{
	struct man m;
	int missing = 0;

	(void)state;
	man_load(&m);
	for (unsigned i = 0; i < ncommands; i++) {
		const char *name = commands[i].name;

		if ((m.text[0] && has_word(m.text[0], name)) ||
		    has_word(m.text[1], name))
			continue;
		print_error("%s does not mention command '%s'\n", MAN_PATH,
			    name);
		missing++;
	}
	man_release(&m);
	assert_int_equal(missing, 0);
}

static void
test_man_synopses(void **state)
{
	struct man m;
	int missing = 0;

	(void)state;
	man_load(&m);
	for (unsigned i = 0; i < ncommands; i++) {
		const char *syn = commands[i].synopsis;

		if ((m.text[0] && has_synopsis(m.text[0], syn)) ||
		    has_synopsis(m.text[1], syn))
			continue;
		print_error("%s lacks the synopsis '%s'\n", MAN_PATH, syn);
		missing++;
	}
	man_release(&m);
	assert_int_equal(missing, 0);
}

static void
test_man_exit_status(void **state)
{
	static const int codes[] = { RK_EXIT_OK, RK_EXIT_FAIL, RK_EXIT_USAGE,
				     RK_EXIT_CHECK };
	char *sec[2] = { NULL, NULL };
	struct man m;
	int missing = 0;

	(void)state;
	man_load(&m);
	for (int t = 0; t < 2; t++)
		if (m.text[t])
			sec[t] = exit_section(m.text[t]);
	if (!sec[0] && !sec[1]) {
		man_release(&m);
		fail_msg("%s has no EXIT STATUS section", MAN_PATH);
	}
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		if ((sec[0] && has_code(sec[0], codes[i])) ||
		    (sec[1] && has_code(sec[1], codes[i])))
			continue;
		print_error("%s: EXIT STATUS does not document %d\n", MAN_PATH,
			    codes[i]);
		missing++;
	}
	free(sec[0]);
	free(sec[1]);
	man_release(&m);
	assert_int_equal(missing, 0);
}

/* Every option in a command's table has help text and is described in
 * the manual under that command (git: t0450 checks -h against docs). */
static void
test_man_command_options(void **state)
{
	struct rk_buf src = RK_BUF_INIT;
	int missing = 0;

	(void)state;
	if (rk_buf_read_file(&src, MAN_PATH) < 0)
		fail_msg("cannot read %s", MAN_PATH);
	for (unsigned i = 0; i < ncommands; i++) {
		char *help = command_help(&commands[i]);
		char *item = man_command_item(src.s, commands[i].name);
		char *text = item ? man_stripped(item) : NULL;
		char names[32][64];
		size_t n = help_options(help, names, ARRAY_SIZE(names));

		if (!text)
			fail_msg("%s has no item for command '%s'", MAN_PATH,
				 commands[i].name);
		for (size_t j = 0; j < n; j++) {
			if (has_option(text, names[j]))
				continue;
			print_error("%s: command '%s' does not describe "
				    "--%s\n",
				    MAN_PATH, commands[i].name, names[j]);
			missing++;
		}
		free(text);
		free(item);
		free(help);
	}
	rk_buf_release(&src);
	assert_int_equal(missing, 0);
}

/* What a command's --help says, on two commands whose tables are known. */
static void
test_command_help(void **state)
{
	char *help = command_help(cmd_find("down"));
	char names[8][64];

	(void)state;
	assert_int_equal(help_options(help, names, 8), 4);
	assert_string_equal(names[0], "steps");
	assert_string_equal(names[1], "to");
	assert_string_equal(names[2], "dry-run");
	assert_string_equal(names[3], "yes");
	assert_non_null(strstr(help, "  --steps N"));
	assert_non_null(strstr(help, "(default: 1)"));
	free(help);
	help = command_help(cmd_find("check"));
	assert_string_equal(help, "");
	free(help);
}

/* The roff source of section name (".Sh name" to the next ".Sh"), or
 * NULL. */
static char *
man_section(const char *src, const char *name)
{
	size_t k = strlen(name);
	const char *p = src, *start = NULL;

	while (*p) {
		size_t n = strcspn(p, "\n");

		if (strncmp(p, ".Sh ", 4) == 0) {
			if (start)
				return xstrndup(start, (size_t)(p - start));
			if (n == 4 + k && strncmp(p + 4, name, k) == 0)
				start = p + n + (p[n] == '\n');
		}
		p += n + (p[n] == '\n');
	}
	return start ? xstrdup(start) : NULL;
}

/* Section name of the page at path, stripped to text (and its source in
 * *raw when raw is not NULL); fails if absent. */
static char *
section_text(const char *path, const char *name, char **raw)
{
	struct rk_buf src = RK_BUF_INIT;
	char *sec, *text;

	if (rk_buf_read_file(&src, path) < 0)
		fail_msg("cannot read %s", path);
	sec = man_section(src.s, name);
	rk_buf_release(&src);
	if (!sec)
		fail_msg("%s has no section %s", path, name);
	text = man_stripped(sec);
	if (raw)
		*raw = sec;
	else
		free(sec);
	return text;
}

/* -c in mdoc source: "Fl c" as a word of its own. */
static int
has_short(const char *src, char c)
{
	char want[8];

	snprintf(want, sizeof(want), "Fl %c", c);
	for (const char *p = src; (p = strstr(p, want)) != NULL; p++)
		if (!word_char(p[4]))
			return 1;
	return 0;
}

/* Every global option, and its one-letter alias, under GLOBAL OPTIONS. */
static void
test_man_global_options(void **state)
{
	struct rk_globals g = { .config = NULL };
	struct opt opts[GLOBALS_NOPTS];
	char *raw = NULL;
	char *text = section_text(MAN_PATH, "GLOBAL OPTIONS", &raw);
	int missing = 0;

	(void)state;
	globals_opts(&g, opts);
	for (const struct opt *o = opts; o->type != OPTION_END; o++) {
		assert_non_null(o->help);
		if (!has_option(text, o->name)) {
			print_error("%s: GLOBAL OPTIONS lacks --%s\n", MAN_PATH,
				    o->name);
			missing++;
		}
		if (o->short_name && !has_short(raw, o->short_name)) {
			print_error("%s: GLOBAL OPTIONS lacks -%c\n", MAN_PATH,
				    o->short_name);
			missing++;
		}
	}
	free(raw);
	free(text);
	assert_int_equal(missing, 0);
}

/* Every key of the config table is an item of reckon.yaml(5)'s KEYS. */
static void
test_man_config_keys(void **state)
{
	char *text = section_text(MAN5_PATH, "KEYS", NULL);
	int missing = 0;

	(void)state;
	for (size_t i = 0; i < CFG_NKEYS; i++) {
		if (has_word(text, cfg_keys[i].key))
			continue;
		print_error("%s: KEYS lacks '%s'\n", MAN5_PATH,
			    cfg_keys[i].key);
		missing++;
	}
	free(text);
	assert_int_equal(missing, 0);
}

/* Every framework of the registry is named where --framework is
 * described, under GLOBAL OPTIONS. */
static void
test_man_frameworks(void **state)
{
	char *text = section_text(MAN_PATH, "GLOBAL OPTIONS", NULL);
	int missing = 0;

	(void)state;
	for (size_t i = 0; detectors[i]; i++) {
		if (has_word(text, detectors[i]->name))
			continue;
		print_error("%s: GLOBAL OPTIONS does not name framework "
			    "'%s'\n",
			    MAN_PATH, detectors[i]->name);
		missing++;
	}
	free(text);
	assert_int_equal(missing, 0);
}

/* The helpers above, on text whose answers are known. */
static void
test_helpers(void **state)
{
	char *t, *sec;

	(void)state;
	t = man_stripped(".\\\" comment run\n"
			 ".SH \"EXIT STATUS\"\n"
			 ".TP\n.B 0\nok\n"
			 ".BR mark\\-applied \" \" \\fINAME\\fR...\n"
			 "\\fBrun\\fR [\\-\\-dry\\-run]\n"
			 ".SH SEE ALSO\n3 and 10\n");
	assert_string_equal(t, "EXIT STATUS\n \n 0\n ok\n"
			       " mark-applied NAME...\n"
			       " run [--dry-run]\n"
			       "SEE ALSO\n 3 and 10\n");
	assert_true(has_word(t, "run"));
	assert_false(has_word(t, "comment"));
	assert_false(has_word(t, "mark"));
	assert_true(has_synopsis(t, "mark-applied NAME..."));
	assert_false(has_synopsis(t, "run [--json]"));
	sec = exit_section(t);
	assert_non_null(sec);
	assert_true(has_code(sec, 0));
	assert_false(has_code(sec, 3));
	assert_false(has_code(sec, 1));
	assert_true(has_code(t, 10));
	free(sec);
	free(t);
	t = man_command_item(
		".Bl -tag\n.It Cm \"run [--x]\"\nA\n.Fl \\-per-file\n"
		".Bl -bullet\n.It\nb\n.El\nc\n"
		".It Cm runner\nd --other\n.El\n",
		"run");
	assert_non_null(t);
	sec = man_stripped(t);
	assert_true(has_option(sec, "per-file"));
	assert_false(has_option(sec, "x"));
	assert_false(has_option(sec, "other"));
	assert_false(has_option(sec, "file"));
	assert_non_null(strstr(sec, " c\n"));
	free(sec);
	free(t);
	assert_null(man_command_item(".It Cm runner\n", "run"));
}

/* Nonzero (and says so) when script lacks option name as the shell's
 * script spells it: "--name" for bash and zsh, "-l name" for fish. */
static int
script_lacks(const char *shell, const char *script, const char *cmd,
	     const char *name)
{
	char want[96];

	if (strcmp(shell, "fish") == 0)
		snprintf(want, sizeof(want), "-l %s", name);
	else
		snprintf(want, sizeof(want), "--%s", name);
	/* "-l dir" must not be found as the start of "-l dir-x" */
	for (const char *p = script; (p = strstr(p, want)) != NULL; p++)
		if ((p == script || !word_char(p[-1])) &&
		    !word_char(p[strlen(want)]))
			return 0;
	print_error("reckon completion %s: no --%s (%s)\n", shell, name, cmd);
	return 1;
}

/* Each completion script names every command, every command's options
 * and every global option: they are made from the same tables. */
static void
test_completion_scripts(void **state)
{
	static const char *const shells[] = { "bash", "zsh", "fish" };
	struct rk_globals g = { .config = NULL };
	struct opt gopts[GLOBALS_NOPTS];
	int missing = 0;

	(void)state;
	globals_opts(&g, gopts);
	for (size_t s = 0; s < ARRAY_SIZE(shells); s++) {
		struct rk_buf b = RK_BUF_INIT;
		struct rk_err err = RK_ERR_INIT;

		assert_int_equal(completion_script(shells[s], &b, &err), 0);
		for (unsigned i = 0; i < ncommands; i++) {
			char *help = command_help(&commands[i]);
			char names[64][64];
			size_t n = help_options(help, names, 64);

			if (!has_word(b.s, commands[i].name)) {
				print_error("reckon completion %s: no command "
					    "'%s'\n",
					    shells[s], commands[i].name);
				missing++;
			}
			for (size_t k = 0; k < n; k++)
				missing += script_lacks(shells[s], b.s,
							commands[i].name,
							names[k]);
			free(help);
		}
		for (const struct opt *o = gopts; o->type != OPTION_END; o++)
			missing +=
				script_lacks(shells[s], b.s, "global", o->name);
		rk_buf_release(&b);
	}
	assert_int_equal(missing, 0);
}

static void
test_completion_unknown_shell(void **state)
{
	struct rk_buf b = RK_BUF_INIT;
	struct rk_err err = RK_ERR_INIT;

	(void)state;
	assert_int_equal(completion_script("tcsh", &b, &err), -1);
	assert_int_equal(err.kind, RK_USAGE);
	assert_string_equal(err.msg, "completion: unknown shell 'tcsh'");
	assert_int_equal(b.len, 0);
	rk_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_table_sorted),
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_man_commands),
		cmocka_unit_test(test_man_synopses),
		cmocka_unit_test(test_man_exit_status),
		cmocka_unit_test(test_command_help),
		cmocka_unit_test(test_man_command_options),
		cmocka_unit_test(test_man_global_options),
		cmocka_unit_test(test_man_config_keys),
		cmocka_unit_test(test_man_frameworks),
		cmocka_unit_test(test_completion_scripts),
		cmocka_unit_test(test_completion_unknown_shell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
