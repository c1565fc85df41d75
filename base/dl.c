/* Libraries loaded on first use (dl.h). */
#include "reckon/base/dl.h"

#include <dlfcn.h>
#include <stdio.h>

#include "reckon/base/banned.h"

int
rk_dl_load(const char *soname, const char *const *names, void **const *slots,
	   size_t n, char *why, size_t cap)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	why[0] = '\0';
	if (!h) {
		e = dlerror();
		snprintf(why, cap, "%s", e ? e : "not found");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!(*slots[i] = dlsym(h, names[i]))) {
			snprintf(why, cap, "%s has no %s", soname, names[i]);
			return -1;
		}
	return 0;
}
