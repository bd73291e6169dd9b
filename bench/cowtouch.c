// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cowtouch - storm of copy-on-write faults: a region of ITERS pages is
 * written once before the loop; the timed loop forks a child that writes
 * one byte to each page (one CoW fault per page, in the child's address
 * space) and waits for it. The fork itself (copying the page tables) is
 * in the loop, but small next to ITERS faults.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "storm.h"

#define PAGE	4096

static volatile char *region;

static int cowtouch__setup(long iters)
{
	size_t bytes = (size_t)iters * PAGE;
	long i;

	region = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	madvise((void *)region, bytes, MADV_NOHUGEPAGE);
	for (i = 0; i < iters; i++)
		region[i * PAGE] = 1;
	return 0;
}

static void cowtouch__loop(long iters)
{
	pid_t pid = fork();
	long i;

	if (pid == 0) {
		for (i = 0; i < iters; i++)
			region[i * PAGE] = 2;
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static const struct storm cowtouch_storm = {
	.name = "cowtouch",
	.what = "Forks a child that writes one byte to each page of an ITERS-page region the parent wrote.",
	.events = "a fork, an exit, ITERS copy-on-write faults (with --faults)",
	.default_iters = 50000,
	.setup = cowtouch__setup,
	.loop = cowtouch__loop,
};

int main(int argc, char **argv)
{
	return storm__main(&cowtouch_storm, argc, argv);
}
