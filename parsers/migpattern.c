/*
 * reckon.yaml's files.pattern: the user's file-name rule, in PCRE2. The
 * pattern is compiled once per run, JIT-compiled where the library can,
 * and matched against each name of the directory with one match block.
 */
#include "reckon/parsers/migpattern.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

struct migpattern {
	pcre2_code *code;     /* owned */
	pcre2_match_data *md; /* owned: reused by every match */
	int version;	      /* group number of (?<version>...) */
	int name;	      /* of (?<name>...), or -1 */
	char *source;	      /* owned: the pattern as given */
};

struct migpattern *
migpattern_new(const char *pattern, struct rk_err *err)
{
	struct migpattern *p;
	PCRE2_SIZE at;
	int code;
	pcre2_code *re =
		pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
			      PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF |
				      PCRE2_MATCH_INVALID_UTF,
			      &code, &at, NULL);

	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		rk_fail(err, RK_CONFIG,
			"pattern '%s' does not compile: %s (at character %zu)",
			pattern, (const char *)msg, (size_t)at + 1);
		rk_err_hint(err, "write it in PCRE2 syntax, e.g. "
				 "'^(?<version>\\d+)-(?<name>.+)\\.sql$'");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->code = re;
	p->version =
		pcre2_substring_number_from_name(re, (PCRE2_SPTR) "version");
	p->name = pcre2_substring_number_from_name(re, (PCRE2_SPTR) "name");
	if (p->version < 0) {
		rk_fail(err, RK_CONFIG,
			"pattern '%s' has no group named 'version'", pattern);
		rk_err_hint(err, "name the version's part (?<version>...), "
				 "e.g. '^(?<version>\\d+)-(?<name>.+)\\.sql$'");
		migpattern_free(p);
		return NULL;
	}
	if (p->name < 0)
		p->name = -1;
	/* no JIT on this platform or build: the interpreter matches alike */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	p->md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!p->md)
		rk_bug("out of memory");
	p->source = xstrdup(pattern);
	return p;
}

void
migpattern_free(struct migpattern *p)
{
	if (!p)
		return;
	pcre2_match_data_free(p->md);
	pcre2_code_free(p->code);
	free(p->source);
	free(p);
}

const char *
migpattern_source(const struct migpattern *p)
{
	return p->source;
}

/* Group g of the last match into dst (cap bytes); -1 if it does not fit
 * or (required) did not take part or is empty. */
static int
copy_group(const struct migpattern *p, int g, int required, char *dst,
	   size_t cap)
{
	PCRE2_SIZE len = cap;

	dst[0] = '\0';
	if (g < 0)
		return required ? -1 : 0;
	if (pcre2_substring_copy_bynumber(p->md, (uint32_t)g,
					  (PCRE2_UCHAR *)dst, &len) < 0)
		return required ? -1 : 0;
	return required && len == 0 ? -1 : 0;
}

int
migpattern_parse(struct migpattern *p, const char *name, struct migname *out)
{
	memset(out, 0, sizeof(*out));
	if (pcre2_match(p->code, (PCRE2_SPTR)name, strlen(name), 0, 0, p->md,
			NULL) < 0)
		return -1;
	if (copy_group(p, p->version, 1, out->version, sizeof(out->version)) <
		    0 ||
	    copy_group(p, p->name, 0, out->desc, sizeof(out->desc)) < 0)
		return -1;
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	return 0;
}
