// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * brk - storm of heap growth and shrink: brk up by 64 KiB, write a byte in
 * the new part, brk back down. What malloc does when it trims its top.
 * Raw brk syscalls, not sbrk(), so each call is exactly one syscall.
 */
#include <sys/syscall.h>
#include "storm.h"

#define GROW_BYTES	(64 * 1024)

static char *base;

static int brk__setup(long iters)
{
	(void)iters;
	base = (char *)syscall(SYS_brk, 0);
	return base ? 0 : -1;
}

static void brk__loop(long iters)
{
	long i;

	for (i = 0; i < iters; i++) {
		char *top = (char *)syscall(SYS_brk, base + GROW_BYTES);

		if (top != base + GROW_BYTES) {
			fprintf(stderr, "brk: cannot grow the heap\n");
			exit(1);
		}
		((volatile char *)base)[GROW_BYTES - 1] = 1;
		syscall(SYS_brk, base);
	}
}

static const struct storm brk_storm = {
	.name = "brk",
	.what = "Grows the heap by 64 KiB with brk, writes one byte, shrinks it back.",
	.events = "brk, brk",
	.default_iters = 25000,
	.setup = brk__setup,
	.loop = brk__loop,
};

int main(int argc, char **argv)
{
	return storm__main(&brk_storm, argc, argv);
}
