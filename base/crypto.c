/* libcrypto on first use (crypto.h). */
#define RK_CRYPTO_NO_DEFINES
#include "reckon/base/crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "reckon/base/dl.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
#include "reckon/base/banned.h"

/* The one mutable global of this file, filled once under once. */
static struct rk_crypto table;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[512]; /* why loading failed; "" when it did not */
static int loaded;

static void
resolve(void)
{
	static const char *const names[] = { RK_CRYPTO_FUNCS(RK_DL_NAME) };
#define RK_CRYPTO_SLOT(f) (void **)&table.f,
	void **const slots[] = { RK_CRYPTO_FUNCS(RK_CRYPTO_SLOT) };
#undef RK_CRYPTO_SLOT

	loaded = rk_dl_load(LIBCRYPTO_SONAME, names, slots, ARRAY_SIZE(names),
			    why, sizeof(why)) == 0;
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
