/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * storm.h - what every benchmark storm shares: the command line, the clock
 * and the one result line that bench/run.sh reads.
 *
 * A storm repeats one thing the tracer sees (a syscall pair, a fork, a
 * thread) or deliberately does not see (a page fault) as fast as it can.
 * Only the loop is timed, with CLOCK_MONOTONIC, so the tracer's start-up
 * and drain at exit do not count. The result is one line on stdout:
 *
 *	ns_per_iter=1234.5 iters=20000 jobs=1
 *
 * With -j J the storm runs J copies at once in J processes (to load every
 * core); ns_per_iter is then the wall time of the slowest copy per
 * iteration of one copy, so the total rate is J / ns_per_iter.
 *
 * Header-only on purpose: the Makefile builds each bench/NAME.c alone.
 */
#ifndef BENCH_STORM_H
#define BENCH_STORM_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

struct storm {
	const char *name;
	const char *what;		/* one line for --help */
	const char *events;		/* what memtrace records per iteration */
	long default_iters;		/* ~0.2-0.5 s untraced on a 2-core VM */
	int (*setup)(long iters);	/* optional, not timed; 0 or -errno */
	void (*loop)(long iters);	/* the timed part */
};

static inline uint64_t storm__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline void storm__usage(const struct storm *s)
{
	printf("Usage: %s [-n ITERS] [-j JOBS]\n"
	       "\n"
	       "%s\n"
	       "memtrace sees per iteration: %s.\n"
	       "\n"
	       "  -n ITERS  iterations per job (default %ld)\n"
	       "  -j JOBS   run JOBS copies in parallel processes (default 1)\n"
	       "  -h        this help\n"
	       "\n"
	       "Prints one line: ns_per_iter=N iters=N jobs=N (only the loop is timed).\n",
	       s->name, s->what, s->events, s->default_iters);
}

static inline long storm__number(const struct storm *s, const char *opt,
				 const char *arg, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max) {
		fprintf(stderr, "%s: %s wants a number from 1 to %ld, not '%s'\n",
			s->name, opt, max, arg);
		exit(2);
	}
	return v;
}

/* One copy: set up, wait for the start signal (if any), run the loop. */
static inline int storm__one(const struct storm *s, long iters, int start_fd)
{
	char go;

	if (s->setup && s->setup(iters)) {
		fprintf(stderr, "%s: setup failed: %s\n", s->name, strerror(errno));
		return 1;
	}
	/* every copy starts together, once all are set up */
	if (start_fd >= 0 && read(start_fd, &go, 1) < 0)
		return 1;
	s->loop(iters);
	return 0;
}

/* Forks jobs copies, starts them together, returns the wall time of all. */
static inline int storm__parallel(const struct storm *s, long iters, int jobs,
				  uint64_t *ns)
{
	int fds[2], i, status, failed = 0;
	uint64_t t0;

	if (pipe(fds))
		return 1;
	for (i = 0; i < jobs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			close(fds[1]);
			_exit(storm__one(s, iters, fds[0]));
		}
	}
	close(fds[0]);
	/* a short pause lets every copy finish its setup before the clock starts */
	usleep(20000);
	t0 = storm__now();
	close(fds[1]);		/* EOF: go */
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	*ns = storm__now() - t0;
	return failed;
}

static inline int storm__main(const struct storm *s, int argc, char **argv)
{
	long iters = s->default_iters;
	int jobs = 1, c;
	uint64_t t0, ns;

	while ((c = getopt(argc, argv, "n:j:h")) != -1) {
		switch (c) {
		case 'n':
			iters = storm__number(s, "-n", optarg, 1L << 40);
			break;
		case 'j':
			jobs = storm__number(s, "-j", optarg, 256);
			break;
		case 'h':
			storm__usage(s);
			return 0;
		default:
			fprintf(stderr, "Try '%s -h' for more information.\n", s->name);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", s->name, argv[optind]);
		return 2;
	}
	if (jobs == 1) {
		if (s->setup && s->setup(iters)) {
			fprintf(stderr, "%s: setup failed: %s\n", s->name, strerror(errno));
			return 1;
		}
		t0 = storm__now();
		s->loop(iters);
		ns = storm__now() - t0;
	} else if (storm__parallel(s, iters, jobs, &ns)) {
		fprintf(stderr, "%s: a job failed\n", s->name);
		return 1;
	}
	printf("ns_per_iter=%.1f iters=%ld jobs=%d\n", (double)ns / iters, iters, jobs);
	return 0;
}

#endif /* BENCH_STORM_H */
