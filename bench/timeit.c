/*
 * The bench's side-by-side timer (bench/run.sh builds it). It runs two or
 * more commands in alternation, round after round (A B, B A, A B, ...: the
 * order flips every round so neither side always runs on a warmer cache),
 * each one after its own untimed preparation, and prints per command the
 * median, min and max wall time, the median and max peak RSS and the
 * median CPU time (user + system, of the command and what it waited for:
 * less sensitive than wall time to other work on a busy machine).
 *
 *   timeit [-n RUNS] [-w WARMUP] -- LABEL PREP CMD [LABEL PREP CMD ...]
 *
 * PREP and CMD are /bin/sh -c strings ("" for no PREP). CMD's stdout goes
 * to /dev/null and its stderr to build/bench/timeit.err; a CMD or PREP that
 * exits non-zero stops the bench with that text. Wall time is taken from
 * before the fork to after wait4(); the peak RSS is wait4()'s ru_maxrss,
 * the figure GNU time's %M prints (the largest of the shell and what it
 * ran: write "exec prog" so the shell is replaced, as run.sh does).
 *
 * Output, one line per command (run.sh parses it):
 *   LABEL median_ms min_ms max_ms median_rss_kb max_rss_kb runs cpu_ms
 * then, with two or more commands, the first against the second round by
 * round (both ran within seconds of each other, so a slow spell on a busy
 * machine hits both sides of a pair):
 *   pair median_ratio min_ratio max_ratio
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CMDS 8
#define MAX_RUNS 200

struct cmd {
	const char *label, *prep, *sh;
	double ms[MAX_RUNS];
	double cpu[MAX_RUNS];
	long rss[MAX_RUNS];
};

static const char err_path[] = "build/bench/timeit.err";

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Run sh -c s; stdout to /dev/null when quiet. Returns the exit status. */
static double
tv_ms(const struct timeval *tv)
{
	return (double)tv->tv_sec * 1e3 + (double)tv->tv_usec / 1e3;
}

static int
run_sh(const char *s, int quiet, double *ms, double *cpu_ms, long *rss_kb)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)s, NULL };
	struct rusage ru;
	double t0;
	pid_t pid;
	int st, rc;

	posix_spawn_file_actions_init(&fa);
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
						 0);
	posix_spawn_file_actions_addopen(&fa, 2, err_path,
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	t0 = now_ms();
	rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "timeit: cannot start /bin/sh: %s\n",
			strerror(rc));
		exit(1);
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("timeit: wait4");
			exit(1);
		}
	if (ms)
		*ms = now_ms() - t0;
	if (rss_kb)
		*rss_kb = ru.ru_maxrss;
	if (cpu_ms)
		*cpu_ms = tv_ms(&ru.ru_utime) + tv_ms(&ru.ru_stime);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
check(int rc, const char *what, const char *s)
{
	FILE *f;
	char line[512];

	if (rc == 0)
		return;
	fprintf(stderr, "timeit: %s exited %d: %s\n", what, rc, s);
	if ((f = fopen(err_path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f))
			fprintf(stderr, "  | %s", line);
		fclose(f);
	}
	exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
report(struct cmd *c, int n)
{
	double med, cmed = median(c->cpu, n);
	long rmed;

	qsort(c->ms, (size_t)n, sizeof(c->ms[0]), cmp_double);
	qsort(c->rss, (size_t)n, sizeof(c->rss[0]), cmp_long);
	med = n % 2 ? c->ms[n / 2] : (c->ms[n / 2 - 1] + c->ms[n / 2]) / 2;
	rmed = n % 2 ? c->rss[n / 2] : (c->rss[n / 2 - 1] + c->rss[n / 2]) / 2;
	printf("%s %.2f %.2f %.2f %ld %ld %d %.2f\n", c->label, med, c->ms[0],
	       c->ms[n - 1], rmed, c->rss[n - 1], n, cmed);
}

static int
int_arg(const char *s, int lo, int hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < lo || v > hi) {
		fprintf(stderr, "timeit: bad number '%s'\n", s);
		exit(2);
	}
	return (int)v;
}

/* Median, min and max over the rounds of a.ms[r] / b.ms[r]. */
static void
report_pairs(const struct cmd *a, const struct cmd *b, int n)
{
	double q[MAX_RUNS];

	for (int r = 0; r < n; r++)
		q[r] = b->ms[r] > 0 ? a->ms[r] / b->ms[r] : 0;
	printf("pair %.3f", median(q, n));
	printf(" %.3f %.3f\n", q[0], q[n - 1]);
}

int
main(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS];
	int runs = 7, warm = 1, ncmd = 0, i = 1;

	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			runs = int_arg(argv[++i], 1, MAX_RUNS);
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			warm = int_arg(argv[++i], 0, 100);
		else
			break;
	}
	if (i >= argc || strcmp(argv[i], "--") != 0 ||
	    (argc - i - 1) % 3 != 0 || argc - i - 1 < 3 ||
	    (argc - i - 1) / 3 > MAX_CMDS) {
		fprintf(stderr, "usage: timeit [-n RUNS] [-w WARMUP] -- LABEL "
				"PREP CMD [LABEL PREP CMD ...]\n");
		return 2;
	}
	if (access("build/bench", W_OK) != 0) {
		fprintf(stderr, "timeit: run from the top of the tree (it "
				"writes %s)\n",
			err_path);
		return 2;
	}
	for (i++; i < argc; i += 3, ncmd++) {
		cmds[ncmd].label = argv[i];
		cmds[ncmd].prep = argv[i + 1];
		cmds[ncmd].sh = argv[i + 2];
	}
	for (int r = 0; r < warm + runs; r++) {
		for (int k = 0; k < ncmd; k++) {
			struct cmd *c = &cmds[r % 2 ? ncmd - 1 - k : k];
			double ms, cpu;
			long rss;

			if (*c->prep)
				check(run_sh(c->prep, 1, NULL, NULL, NULL),
				      "prep",
				      c->prep);
			check(run_sh(c->sh, 1, &ms, &cpu, &rss), c->label,
			      c->sh);
			if (r >= warm) {
				c->ms[r - warm] = ms;
				c->cpu[r - warm] = cpu;
				c->rss[r - warm] = rss;
			}
		}
	}
	/* pairs first: report() sorts the samples in place */
	if (ncmd >= 2)
		report_pairs(&cmds[0], &cmds[1], runs);
	for (int k = 0; k < ncmd; k++)
		report(&cmds[k], runs);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
