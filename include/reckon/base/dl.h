/*
 * The libraries reckon loads on first use rather than links (libpq in
 * db/db_pg.c, libmicrohttpd in serve/serve_mhd.c, libcrypto in
 * base/crypto.c): each keeps a table of function pointers, typed from the
 * library's own header, that rk_dl_load() fills once.
 */
#ifndef RECKON_BASE_DL_H
#define RECKON_BASE_DL_H

#include <stddef.h>

/*
 * dlopen() soname and store its symbol names[i] in *slots[i], for each of
 * n: 0, or -1 with why (cap bytes) saying what is missing. A slot is the
 * address of a function pointer, cast: (void **)&table.f (POSIX's way to
 * store dlsym()'s void * in one).
 */
int rk_dl_load(const char *soname, const char *const *names,
	       void **const *slots, size_t n, char *why, size_t cap);

/* For X-macro lists of function names: the name as a string. */
#define RK_DL_NAME(f) #f,

#endif
