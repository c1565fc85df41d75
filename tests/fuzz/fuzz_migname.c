/*
 * libFuzzer target for the file-name conventions (parsers/migname.c): any
 * bytes as a name. It checks what callers rely on: a parse either fails
 * or fills a NUL-terminated version of digits and dots (empty only for a
 * repeatable), a description that fits its field, a known kind and
 * convention, and parsing the same name twice gives the same answer.
 * Seeds: tests/fuzz/corpus/migname.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reckon/parsers/migname.h"

#include "reckon/base/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct migname a, b;
	char *name = malloc(size + 1);
	int rc;

	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	memset(&a, 0x5a, sizeof(a));
	rc = migname_parse(name, &a);
	if (rc == 0) {
		size_t vl = strnlen(a.version, sizeof(a.version));

		if (vl == sizeof(a.version) ||
		    strnlen(a.desc, sizeof(a.desc)) == sizeof(a.desc))
			abort(); /* unterminated field */
		if (a.kind != MIG_UP && a.kind != MIG_DOWN &&
		    a.kind != MIG_REPEATABLE)
			abort();
		if (a.conv != CONV_FLYWAY && a.conv != CONV_UPDOWN &&
		    a.conv != CONV_PLAIN)
			abort();
		if (vl == 0 && a.kind != MIG_REPEATABLE)
			abort(); /* only R__ files have no version */
		for (size_t i = 0; i < vl; i++)
			if (!((a.version[i] >= '0' && a.version[i] <= '9') ||
			      a.version[i] == '.'))
				abort();
		if (migname_parse(name, &b) != 0 ||
		    strcmp(a.version, b.version) != 0 ||
		    strcmp(a.desc, b.desc) != 0 || a.kind != b.kind)
			abort(); /* not deterministic */
	} else if (rc != -1) {
		abort();
	}
	free(name);
	return 0;
}
