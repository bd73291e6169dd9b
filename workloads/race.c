// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * race - N threads each add 1 to a shared int M times, with a plain load
 * and store: the read-modify-write of two threads can overlap, and then one
 * of the two increments is lost. --fixed makes each increment atomic.
 *
 * What it shows: threads share memory, and sharing without synchronisation
 * loses updates. The shortfall (expected - actual) changes from run to run;
 * with --fixed it is always 0. Build it with `make workloads-tsan` and run
 * workloads/race-tsan to have ThreadSanitizer name the two racing accesses,
 * as `go run -race` would.
 *
 * In memtrace: nothing about the race itself - it happens in memory the
 * process already has, without a syscall. What you do see is the setup: an
 * mmap + mprotect per thread stack, `fork` with thread:true per thread in
 * one `as`, and each thread's `exit`.
 */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"

#define PROG		"race"
#define MAX_THREADS	1024
#define OPT_FIXED	0x101

struct racer {
	pthread_t thread;
	int index;
};

struct options {
	int threads;
	long iterations;
	bool fixed;
	const char *json;
};

/* A plain int, not an atomic: the race is the point. */
static int counter;
static struct options opts = { .threads = 4, .iterations = 100000 };
/*
 * The start line. Racers spin on `go` until main sees all of them ready, so
 * they set off at the same instant; a barrier wakes sleepers one by one,
 * and on few CPUs the first would often finish before the last started.
 */
static int ready, go;

static void usage(void)
{
	printf(
"Usage: " PROG " [-n THREADS] [-m INCREMENTS] [--fixed] [--json FILE]\n"
"\n"
"THREADS threads each increment one shared int INCREMENTS times without a\n"
"lock; prints the expected and the actual total. Updates get lost, and how\n"
"many changes from run to run. --fixed uses atomic increments: always exact.\n"
"\n"
"  -n, --threads N     threads (1-%d, default 4)\n"
"  -m, --iterations M  increments per thread (default 100000)\n"
"  --fixed             atomic increments instead of a plain load and store\n"
"  --json FILE         append a JSON Lines self-report to FILE\n"
"                      (default: $" REPORT_ENV " if set)\n"
"  -h, --help          this help\n"
"\n"
"In memtrace look for: the race makes no syscalls, so only the threads'\n"
"stacks (mmap + mprotect), their creation (fork, thread:true) and exits show.\n"
"\n"
"Examples:\n"
"  " PROG " -n 8 -m 1000000\n"
"  " PROG " --fixed\n"
"  make workloads-tsan && workloads/race-tsan   # ThreadSanitizer's report\n"
"  sudo ./memtrace run " PROG "\n", MAX_THREADS);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "threads", required_argument, NULL, 'n' },
		{ "iterations", required_argument, NULL, 'm' },
		{ "fixed", no_argument, NULL, OPT_FIXED },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->threads = opt__number(PROG, "-n", optarg, 1, MAX_THREADS);
			break;
		case 'm':
			o->iterations = opt__number(PROG, "-m", optarg, 1, INT_MAX);
			break;
		case OPT_FIXED:
			o->fixed = true;
			break;
		case OPT_JSON:
			o->json = optarg;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			opt__unknown(PROG, argv, c);
		}
	}
	if (optind < argc)
		opt__fail(PROG, "unexpected argument '%s'", argv[optind]);
	/* The total has to fit the int being counted into. */
	if (o->iterations > INT_MAX / o->threads)
		opt__fail(PROG, "-n %d x -m %ld does not fit in an int",
			  o->threads, o->iterations);
}

static void add_racy(long n)
{
	/* volatile: one load and one store per step, never folded into "+= n". */
	volatile int *c = &counter;
	long i;

	for (i = 0; i < n; i++)
		*c = *c + 1;
}

static void add_atomic(long n)
{
	long i;

	for (i = 0; i < n; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
}

static void report_thread(const struct racer *r)
{
	struct jline j;

	jline__begin(&j, "thread");
	jline__int(&j, "index", r->index);
	jline__int(&j, "iterations", opts.iterations);
	jline__emit(&j);
}

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	/* Report before the start line: the write must not skew the race. */
	report_thread(r);
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sched_yield();
	if (opts.fixed)
		add_atomic(opts.iterations);
	else
		add_racy(opts.iterations);
	return NULL;
}

static void report_result(long expected, long actual)
{
	struct jline j;

	jline__begin(&j, "result");
	jline__int(&j, "threads", opts.threads);
	jline__int(&j, "iterations", opts.iterations);
	jline__int(&j, "expected", expected);
	jline__int(&j, "actual", actual);
	jline__int(&j, "lost", expected - actual);
	jline__bool(&j, "fixed", opts.fixed);
	jline__emit(&j);
}

/* Starts the racers; returns how many really started. */
static int racers__start(struct racer *r, int n)
{
	int i, err;

	for (i = 0; i < n; i++) {
		r[i].index = i;
		err = pthread_create(&r[i].thread, NULL, racer_main, &r[i]);
		if (err) {
			fprintf(stderr, PROG ": pthread_create: %s\n", strerror(err));
			break;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	struct racer *r = NULL;
	long expected, actual;
	int i, started, ret = 1;

	parse_args(argc, argv, &opts);
	if (report__open(PROG, opts.json) < 0)
		return 1;
	r = calloc(opts.threads, sizeof(*r));
	if (!r) {
		fprintf(stderr, PROG ": out of memory\n");
		goto cleanup;
	}
	started = racers__start(r, opts.threads);
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < started)
		sched_yield();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < started; i++)
		pthread_join(r[i].thread, NULL);
	if (started < opts.threads)
		goto cleanup;

	expected = (long)opts.threads * opts.iterations;
	actual = counter;
	report_result(expected, actual);
	printf("%d threads x %ld %s increments of one int\n", opts.threads,
	       opts.iterations, opts.fixed ? "atomic" : "unsynchronised");
	printf("expected %ld, actual %ld", expected, actual);
	if (actual == expected)
		printf(": exact\n");
	else
		printf(": %ld updates lost (run it again: the number changes)\n",
		       expected - actual);
	/* Lost updates are the expected outcome; only --fixed must be exact. */
	ret = opts.fixed && actual != expected;
cleanup:
	free(r);
	report__close();
	return ret;
}
