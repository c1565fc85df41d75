/*
 * libFuzzer target for the configuration loader (core/config.c): any bytes
 * as reckon.yaml. It checks that cfg_load() either succeeds or fails with
 * an RK_CONFIG error whose message names the file, and that what it loads
 * can be released (the sanitizers catch leaks and bad frees).
 * Seeds: tests/fuzz/corpus/config.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reckon/core/config.h"
#include "reckon/base/err.h"

#include "reckon/base/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rk_config cfg = RK_CONFIG_INIT;
	struct rk_err err = RK_ERR_INIT;
	char path[64];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/tmp/reckon-fuzz-%ld.yaml",
		 (long)getpid());
	f = fopen(path, "wb");
	if (!f)
		return 0;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fclose(f);
	rc = cfg_load(path, &cfg, &err);
	if (rc < 0 && (err.kind != RK_CONFIG || !strstr(err.msg, path)))
		abort(); /* every failure is a config error naming the file */
	if (rc != 0 && rc != -1)
		abort();
	cfg_release(&cfg);
	(void)unlink(path);
	return 0;
}
