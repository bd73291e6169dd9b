// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mprotect - events as fast as a program can make them: mprotect one page
 * to the protection it already has. The kernel checks and returns without
 * touching a page table, so this is the cheapest traced syscall there is
 * (~0.5 us on a 2-core VM). bench/run.sh runs it one copy per core to find
 * memtrace's drain capacity rather than to measure a slowdown.
 */
#include <sys/mman.h>
#include "storm.h"

static char *page;

static int mprotect__setup(long iters)
{
	(void)iters;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return page == MAP_FAILED ? -1 : 0;
}

static void mprotect__loop(long iters)
{
	long i;

	for (i = 0; i < iters; i++)
		mprotect(page, 4096, PROT_READ | PROT_WRITE);
}

static const struct storm mprotect_storm = {
	.name = "mprotect",
	.what = "Sets one read-write page to read-write: a traced syscall that does no work.",
	.events = "mprotect",
	.default_iters = 600000,
	.setup = mprotect__setup,
	.loop = mprotect__loop,
};

int main(int argc, char **argv)
{
	return storm__main(&mprotect_storm, argc, argv);
}
