/*
 * libmicrohttpd's table (serve_int.h): the library is opened with dlopen()
 * the first time serve starts, so that every other command starts without
 * it and its GnuTLS chain. Only the loading lives here; the HTTP work is in
 * serve.c and serve_main.c.
 */
#include "serve_int.h"

#include <pthread.h>

#include "reckon/base/dl.h"
#include "reckon/base/err.h"
#include "reckon/base/util.h"
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
	static const char *const names[] = { MHD_FUNCS(RK_DL_NAME) };
#define MHD_SLOT(f) (void **)&mhd.p_##f,
	void **const slots[] = { MHD_FUNCS(MHD_SLOT) };
#undef MHD_SLOT

	(void)rk_dl_load(LIBMHD_SONAME, names, slots, ARRAY_SIZE(names),
			 mhd_error, sizeof(mhd_error));
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
