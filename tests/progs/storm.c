// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * storm N [--stop-parent] - N no-op mprotect calls as fast as possible, on
 * one page. Tests use it to overflow a tiny ring buffer on purpose and
 * check that every event is either delivered or counted as lost. With
 * --stop-parent the storm stops its parent (memtrace, which launched it)
 * for its duration, so that the ring surely overflows.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 0;
	int stop = argc > 2 && !strcmp(argv[2], "--stop-parent");
	void *page;

	if (n <= 0 || (argc > 2 && !stop)) {
		fprintf(stderr, "usage: storm N [--stop-parent] (N > 0 mprotect calls)\n");
		return 2;
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		perror("storm: mmap");
		return 1;
	}
	if (stop)
		kill(getppid(), SIGSTOP);
	/* raw syscalls: exactly n, nothing from libc in between */
	for (i = 0; i < n; i++)
		syscall(SYS_mprotect, page, 4096, PROT_READ | PROT_WRITE);
	if (stop)
		kill(getppid(), SIGCONT);
	return 0;
}
