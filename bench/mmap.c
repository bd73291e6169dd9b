// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mmap - storm of anonymous mmap + one write + munmap.
 *
 * The write makes the kernel fault a page in, so each iteration does the
 * work a real allocator's big-block path does; it is also the case where a
 * tracer's per-syscall cost shows most (two traced syscalls per ~2 us).
 */
#include <sys/mman.h>
#include "storm.h"

#define MAP_BYTES	(64 * 1024)

static void mmap__loop(long iters)
{
	long i;

	for (i = 0; i < iters; i++) {
		volatile char *p = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}
		p[0] = 1;
		munmap((void *)p, MAP_BYTES);
	}
}

static const struct storm mmap_storm = {
	.name = "mmap",
	.what = "Maps 64 KiB of anonymous memory, writes one byte, unmaps it.",
	.events = "mmap, munmap",
	.default_iters = 30000,
	.loop = mmap__loop,
};

int main(int argc, char **argv)
{
	return storm__main(&mmap_storm, argc, argv);
}
