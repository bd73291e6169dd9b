// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * threadstorm T N [touch] - T threads at once, each making N mmap + munmap
 * pairs with raw syscalls, as fast as they can. On several CPUs their
 * records reach the ring interleaved: test_order checks that the trace
 * stays in time order per thread and within the reader's sorting window
 * overall. With "touch" each thread writes its page before the munmap
 * (16 pages, one anonymous fault each): test_faults checks that the faults flushed
 * by munmaps on several CPUs at once all reach as_end.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS	64
#define TOUCH_LEN	(16 * 4096)	/* with touch: 16 pages, 16 faults per pair */

static long iters;
static int touch;
static pthread_barrier_t start;

static void *storm(void *arg)
{
	long i, addr, p, len = touch ? TOUCH_LEN : 4096;

	(void)arg;
	pthread_barrier_wait(&start);
	for (i = 0; i < iters; i++) {
		addr = syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (addr == -1)
			return (void *)1;
		for (p = 0; touch && p < len; p += 4096)
			*(volatile char *)(addr + p) = 1;
		syscall(SYS_munmap, addr, len);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[MAX_THREADS];
	long i, t = argc > 2 ? atol(argv[1]) : 0;
	void *rc;
	int bad = 0;

	iters = argc > 2 ? atol(argv[2]) : 0;
	touch = argc > 3 && !strcmp(argv[3], "touch");
	if (t <= 0 || t > MAX_THREADS || iters <= 0) {
		fprintf(stderr, "usage: threadstorm THREADS N [touch] (1..%d threads, N > 0 pairs each)\n",
			MAX_THREADS);
		return 2;
	}
	pthread_barrier_init(&start, NULL, t);
	for (i = 0; i < t; i++)
		if (pthread_create(&tid[i], NULL, storm, NULL)) {
			perror("threadstorm: pthread_create");
			return 1;
		}
	for (i = 0; i < t; i++) {
		pthread_join(tid[i], &rc);
		bad |= rc != NULL;
	}
	return bad;
}
