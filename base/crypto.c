/* libcrypto on first use (crypto.h). */
#define RK_CRYPTO_NO_DEFINES
#include "reckon/base/crypto.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "reckon/base/err.h"
#include "reckon/base/banned.h"

/* The one mutable global of this file, filled once under once. */
static struct rk_crypto table;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[512]; /* why loading failed; "" when it did not */
static int loaded;

static void
resolve(void)
{
	void *h = dlopen(LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (!h) {
		e = dlerror();
		snprintf(why, sizeof(why), "%s", e ? e : "not found");
		return;
	}
	/* POSIX's way to store dlsym()'s void * in a function pointer; the
	 * names are spelt out, as the defines in crypto.h rename them */
#define RK_CRYPTO_SYM(f)                                                       \
	if (!(*(void **)&table.f = dlsym(h, #f)) && !why[0])                   \
		snprintf(why, sizeof(why), "%s has no %s", LIBCRYPTO_SONAME,   \
			 #f);
	RK_CRYPTO_FUNCS(RK_CRYPTO_SYM)
#undef RK_CRYPTO_SYM
	loaded = !why[0];
}

const struct rk_crypto *
rk_crypto(void)
{
	(void)pthread_once(&once, resolve);
	if (why[0]) {
		fprintf(stderr,
			"reckon: cannot load the cryptography library %s: %s\n"
			"  hint: install it (Debian: apt-get install "
			"libssl3)\n",
			LIBCRYPTO_SONAME, why);
		exit(RK_EXIT_USAGE);
	}
	return &table;
}

int
rk_crypto_loaded(void)
{
	return loaded;
}
