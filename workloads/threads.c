// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * threads - N threads (the C cousin of goroutines) each print the PID, their
 * TID, &global and the address of a local on their own stack, and bump the
 * shared global without a lock.
 *
 * What it shows: one process, one address space. Every thread prints the
 * same PID and the same &global; each &local is different because each
 * thread runs on its own stack. The main thread's stack is the [stack] of
 * /proc/self/maps; the others' are plain anonymous mappings that glibc's
 * pthread_create made with mmap. (The unlocked global++ is a data race; see
 * the race workload for what that costs.)
 *
 * In memtrace: per thread, an mmap of about 8 MiB (PROT_NONE, MAP_STACK)
 * followed by an mprotect of all of it but the lowest page to rw-: that
 * page is the guard that turns a stack overflow into a crash. Then a `fork`
 * with thread:true in the same `as`, and at the end one `exit` per thread.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"

#define PROG		"threads"
#define MAX_THREADS	1024

struct worker {
	pthread_t thread;
	int index;
};

/* Shared by every thread and updated without a lock, on purpose. */
static volatile int global = 100;
/* Holds every thread until all exist, so all stacks are live at once. */
static pthread_barrier_t all_started;

static void usage(void)
{
	printf(
"Usage: " PROG " [-n THREADS] [--json FILE]\n"
"\n"
"Starts THREADS threads. Each prints the PID (the same for all), its TID,\n"
"&global (the same for all) and &local (its own stack), and increments the\n"
"shared global without a lock.\n"
"\n"
"  -n, --threads N  number of threads (1-%d, default 4)\n"
"  --json FILE      append a JSON Lines self-report to FILE\n"
"                   (default: $" REPORT_ENV " if set)\n"
"  -h, --help       this help\n"
"\n"
"In memtrace look for: one mmap (the stack) + mprotect (all but the guard\n"
"page) per thread, fork with thread:true in the same as, one exit per thread.\n"
"\n"
"Examples:\n"
"  " PROG " -n 8\n"
"  sudo ./memtrace run " PROG "\n", MAX_THREADS);
}

static int parse_args(int argc, char **argv, const char **json)
{
	static const struct option longopts[] = {
		{ "threads", required_argument, NULL, 'n' },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, n = 4;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = opt__number(PROG, "-n", optarg, 1, MAX_THREADS);
			break;
		case OPT_JSON:
			*json = optarg;
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
	return n;
}

static void report_thread(int index, const int *local, const char *region)
{
	struct jline j;

	jline__begin(&j, "thread");
	jline__int(&j, "index", index);
	jline__addr(&j, "global_addr", (const void *)&global);
	jline__addr(&j, "local_addr", local);
	jline__str(&j, "region", region);
	jline__emit(&j);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int local = w->index;
	char region[64];

	pthread_barrier_wait(&all_started);
	global = global + 1;
	region_of(&local, region, sizeof(region));
	printf("thread %-3d pid=%d tid=%d  &global=%p  &local=%p (%s)\n",
	       w->index, getpid(), gettid(), (void *)&global, (void *)&local,
	       region);
	report_thread(w->index, &local, region);
	return NULL;
}

static void report_main(int threads, const int *local, const char *region)
{
	struct jline j;

	jline__begin(&j, "main");
	jline__int(&j, "threads", threads);
	jline__addr(&j, "global_addr", (const void *)&global);
	jline__addr(&j, "local_addr", local);
	jline__str(&j, "region", region);
	jline__int(&j, "global", global);
	jline__emit(&j);
}

/* Starts n workers; returns how many really started. */
static int workers__start(struct worker *w, int n)
{
	int i, err;

	for (i = 0; i < n; i++) {
		w[i].index = i;
		err = pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
		if (err) {
			fprintf(stderr, PROG ": pthread_create: %s\n", strerror(err));
			break;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	const char *json = NULL;
	struct worker *w = NULL;
	int n, started = 0, local = -1, i, ret = 1;
	char region[64];

	n = parse_args(argc, argv, &json);
	if (report__open(PROG, json) < 0)
		return 1;
	w = calloc(n, sizeof(*w));
	if (!w || pthread_barrier_init(&all_started, NULL, n)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto cleanup;
	}

	region_of(&local, region, sizeof(region));
	printf("main       pid=%d tid=%d  &global=%p  &local=%p (%s)\n",
	       getpid(), gettid(), (void *)&global, (void *)&local, region);
	fflush(stdout);

	started = workers__start(w, n);
	/* A thread that failed to start would leave the rest at the barrier. */
	if (started < n) {
		fprintf(stderr, PROG ": only %d of %d threads started\n", started, n);
		exit(1);
	}
	for (i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	printf("main       global=%d after %d unlocked increments from 100\n",
	       global, n);
	report_main(n, &local, region);
	ret = 0;
cleanup:
	free(w);
	report__close();
	return ret;
}
