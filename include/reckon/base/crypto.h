/*
 * libcrypto (hashes, base64, random bytes), loaded on first use rather
 * than linked: its 17,000 relocations were half of what the dynamic
 * loader did before main(), and a command that hashes nothing (--version,
 * a status whose hashes are all cached) needs none of it. Include this
 * instead of the OpenSSL headers: the defines at the end send each call
 * below through a table that rk_crypto() fills once (thread-safe) with
 * dlsym(), typed from the OpenSSL headers, so a call is checked as a
 * direct one would be. A machine without the library gets one error
 * naming it and its Debian package, and exit 2.
 */
#ifndef RECKON_BASE_CRYPTO_H
#define RECKON_BASE_CRYPTO_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#ifndef LIBCRYPTO_SONAME
#define LIBCRYPTO_SONAME "libcrypto.so.3"
#endif

#define RK_CRYPTO_FUNCS(X)                                                     \
	X(CRYPTO_memcmp)                                                       \
	X(EVP_DecodeBlock)                                                     \
	X(EVP_Digest)                                                          \
	X(EVP_DigestFinal_ex)                                                  \
	X(EVP_DigestInit_ex)                                                   \
	X(EVP_DigestUpdate)                                                    \
	X(EVP_EncodeBlock)                                                     \
	X(EVP_MD_CTX_copy_ex)                                                  \
	X(EVP_MD_CTX_free)                                                     \
	X(EVP_MD_CTX_new)                                                      \
	X(EVP_MD_fetch)                                                        \
	X(EVP_MD_free)                                                         \
	X(EVP_get_digestbyname)                                                \
	X(EVP_md5)                                                             \
	X(EVP_sha256)                                                          \
	X(RAND_bytes)

#define RK_CRYPTO_PTR(f) __typeof__(f) *f;
struct rk_crypto {
	RK_CRYPTO_FUNCS(RK_CRYPTO_PTR)
};
#undef RK_CRYPTO_PTR

/* The loaded table; on the first call, loads the library (or, when it
 * cannot, says why on stderr and exits 2). */
const struct rk_crypto *rk_crypto(void);

/* Is the library loaded yet? (For tests of what a command loads.) */
int rk_crypto_loaded(void);

/* (base/crypto.c itself needs the plain names) */
#ifndef RK_CRYPTO_NO_DEFINES
#define CRYPTO_memcmp	     (rk_crypto()->CRYPTO_memcmp)
#define EVP_DecodeBlock	     (rk_crypto()->EVP_DecodeBlock)
#define EVP_Digest	     (rk_crypto()->EVP_Digest)
#define EVP_DigestFinal_ex   (rk_crypto()->EVP_DigestFinal_ex)
#define EVP_DigestInit_ex    (rk_crypto()->EVP_DigestInit_ex)
#define EVP_DigestUpdate     (rk_crypto()->EVP_DigestUpdate)
#define EVP_EncodeBlock	     (rk_crypto()->EVP_EncodeBlock)
#define EVP_MD_CTX_copy_ex   (rk_crypto()->EVP_MD_CTX_copy_ex)
#define EVP_MD_CTX_free	     (rk_crypto()->EVP_MD_CTX_free)
#define EVP_MD_CTX_new	     (rk_crypto()->EVP_MD_CTX_new)
#define EVP_MD_fetch	     (rk_crypto()->EVP_MD_fetch)
#define EVP_MD_free	     (rk_crypto()->EVP_MD_free)
#define EVP_get_digestbyname (rk_crypto()->EVP_get_digestbyname)
#define EVP_md5		     (rk_crypto()->EVP_md5)
#define EVP_sha256	     (rk_crypto()->EVP_sha256)
#define RAND_bytes	     (rk_crypto()->RAND_bytes)
#endif

#endif
