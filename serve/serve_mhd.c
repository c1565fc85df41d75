/*
 * libmicrohttpd's table (serve_int.h): the library is opened with dlopen()
 * the first time serve starts, so that every other command starts without
 * it and its GnuTLS chain. Only the loading lives here; the HTTP work is in
 * serve.c and serve_main.c.
 */
#include "serve_int.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "reckon/base/err.h"
#include "reckon/base/banned.h"

#ifndef LIBMHD_SONAME
#define LIBMHD_SONAME "libmicrohttpd.so.12"
#endif

struct mhd_table mhd;

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static char mhd_error[512]; /* why loading failed; "" when it did not */

static void
mhd_resolve(void)
{
	void *h = dlopen(LIBMHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (!h) {
		e = dlerror();
		snprintf(mhd_error, sizeof(mhd_error), "%s",
			 e ? e : "not found");
		return;
	}
	/* POSIX's way to store dlsym()'s void * in a function pointer */
#define MHD_SYM(f)                                                             \
	if (!(*(void **)&mhd.p_##f = dlsym(h, #f)) && !mhd_error[0])           \
		snprintf(mhd_error, sizeof(mhd_error), "%s has no %s",         \
			 LIBMHD_SONAME, #f);
	MHD_FUNCS(MHD_SYM)
#undef MHD_SYM
}

int
mhd_load(struct rk_err *err)
{
	(void)pthread_once(&mhd_once, mhd_resolve);
	if (!mhd_error[0])
		return 0;
	rk_fail(err, RK_CONFIG, "cannot load the HTTP server library %s: %s",
		LIBMHD_SONAME, mhd_error);
	rk_err_hint(err, "install libmicrohttpd (Debian: apt-get install "
			 "libmicrohttpd12) to use reckon serve");
	return -1;
}
