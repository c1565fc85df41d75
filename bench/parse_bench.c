/*
 * Parser throughput for make bench (bench/run.sh builds it with -O2 from
 * the parsers/ sources, base/util.c, base/err.c and base/buf.c). Over one
 * file held in memory it times, best and median of several passes:
 *
 *   lex       sql_token() from the first byte to the last (PG dialect)
 *   split     sql_split() of the whole buffer into statements
 *   sqlite3   sqlite3_complete() over the same bytes: SQLite's own
 *             tokenizer state machine, the side-by-side baseline
 *   ddl       ddl_extract() of every statement (only when built with
 *             -DHAVE_DDL, i.e. include/reckon/parsers/ddl.h exists)
 *
 * Each pass is timed on this thread's CPU clock, so that other work on a
 * busy machine does not count against the parser (on an idle machine the
 * CPU and wall clocks agree for this single-threaded loop); the wall
 * clock's median is printed beside it.
 *
 * Output, one line each (run.sh parses it):
 *   NAME cpu_median_MBps cpu_best_MBps count wall_median_MBps
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "reckon/base/buf.h"
#include "reckon/base/err.h"
#include "reckon/parsers/sql.h"
#ifdef HAVE_DDL
#include "reckon/parsers/ddl.h"
#endif

#define PASSES 5

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass's start: both clocks. */
struct stamp {
	double cpu, wall;
};

static struct stamp
now(void)
{
	struct stamp t = { clock_s(CLOCK_THREAD_CPUTIME_ID),
			   clock_s(CLOCK_MONOTONIC) };

	return t;
}

static void
since(struct stamp t0, double *cpu, double *wall)
{
	struct stamp t1 = now();

	*cpu = t1.cpu - t0.cpu;
	*wall = t1.wall - t0.wall;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
print_rate(const char *name, double cpu[PASSES], double wall[PASSES],
	   size_t bytes, size_t count)
{
	double mb = (double)bytes / (1024.0 * 1024.0);

	qsort(cpu, PASSES, sizeof(cpu[0]), cmp_double);
	qsort(wall, PASSES, sizeof(wall[0]), cmp_double);
	printf("%s %.1f %.1f %zu %.1f\n", name, mb / cpu[PASSES / 2],
	       mb / cpu[0], count, mb / wall[PASSES / 2]);
}

static size_t
lex_all(const char *s, size_t n)
{
	size_t i = 0, ntok = 0;

	while (i < n) {
		enum sql_tok k;

		i += sql_token(s + i, n - i, &sql_dialect_pg, &k);
		ntok++;
	}
	return ntok;
}

static size_t
split_all(const char *s, size_t n)
{
	struct sql_stmt_list l = SQL_STMT_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	size_t count;

	if (sql_split(s, n, &sql_dialect_pg, &l, &err) < 0) {
		fprintf(stderr, "parse_bench: sql_split: %s\n", err.msg);
		exit(1);
	}
	count = l.n;
	sql_stmt_list_release(&l);
	return count;
}

#ifdef HAVE_DDL
#include "ddl_call.inc"
#endif

int
main(int argc, char **argv)
{
	struct rk_buf b = RK_BUF_INIT;
	double cpu[PASSES], wall[PASSES];
	volatile size_t sink = 0;
	size_t count = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: parse_bench FILE\n");
		return 2;
	}
	if (rk_buf_read_file(&b, argv[1]) < 0) {
		perror(argv[1]);
		return 1;
	}
	printf("bytes %zu\n", b.len);
	for (int p = 0; p < PASSES; p++) {
		struct stamp t0 = now();

		count = lex_all(b.s, b.len);
		since(t0, &cpu[p], &wall[p]);
	}
	print_rate("lex", cpu, wall, b.len, count);
	for (int p = 0; p < PASSES; p++) {
		struct stamp t0 = now();

		count = split_all(b.s, b.len);
		since(t0, &cpu[p], &wall[p]);
	}
	print_rate("split", cpu, wall, b.len, count);
	for (int p = 0; p < PASSES; p++) {
		struct stamp t0 = now();

		sink += (size_t)sqlite3_complete(b.s);
		since(t0, &cpu[p], &wall[p]);
	}
	print_rate("sqlite3_complete", cpu, wall, b.len, sink);
#ifdef HAVE_DDL
	for (int p = 0; p < PASSES; p++) {
		struct stamp t0 = now();

		count = ddl_all(b.s, b.len);
		since(t0, &cpu[p], &wall[p]);
	}
	print_rate("ddl", cpu, wall, b.len, count);
#endif
	rk_buf_release(&b);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
