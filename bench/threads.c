// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * threads - storm of pthread_create + pthread_join of a thread that returns
 * at once. glibc caches the stack of a joined thread, so after the first
 * iteration there is no mmap/mprotect: what is left is clone3 and the exit.
 */
#include <pthread.h>
#include "storm.h"

static void *thread__body(void *arg)
{
	return arg;
}

static void threads__loop(long iters)
{
	pthread_t t;
	long i;
	int e;

	for (i = 0; i < iters; i++) {
		e = pthread_create(&t, NULL, thread__body, NULL);
		if (e) {
			fprintf(stderr, "threads: pthread_create: %s\n", strerror(e));
			exit(1);
		}
		pthread_join(t, NULL);
	}
}

static const struct storm threads_storm = {
	.name = "threads",
	.what = "Creates a thread that returns at once, and joins it.",
	.events = "fork (thread), exit (the thread)",
	.default_iters = 8000,
	.loop = threads__loop,
};

int main(int argc, char **argv)
{
	return storm__main(&threads_storm, argc, argv);
}
