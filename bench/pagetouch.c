// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pagetouch - storm of page faults and no syscalls: one write per 4 KiB page
 * of a region mapped beforehand. memtrace records nothing in the loop, so
 * this shows what merely being attached costs a program that faults hard.
 */
#include <sys/mman.h>
#include "storm.h"

#define PAGE	4096

static volatile char *region;

static int pagetouch__setup(long iters)
{
	size_t bytes = (size_t)iters * PAGE;

	region = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	/* one fault per page, not one per 2 MiB */
	madvise((void *)region, bytes, MADV_NOHUGEPAGE);
	return 0;
}

static void pagetouch__loop(long iters)
{
	long i;

	for (i = 0; i < iters; i++)
		region[i * PAGE] = 1;
}

static const struct storm pagetouch_storm = {
	.name = "pagetouch",
	.what = "Writes one byte to each page of an ITERS-page region mapped beforehand.",
	.events = "nothing (page faults are not syscalls)",
	.default_iters = 100000,
	.setup = pagetouch__setup,
	.loop = pagetouch__loop,
};

int main(int argc, char **argv)
{
	return storm__main(&pagetouch_storm, argc, argv);
}
