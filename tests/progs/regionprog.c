// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * regionprog - many small regions, each taking one fault, removed in known
 * ways, for tests/integration/test_faults.c (issue 11: the per-address-space
 * index of regions that a flush looks at).
 *
 *   regionprog N OUT
 *
 * Reserves 2N pages PROT_NONE, maps page 2i (i < N) read-write over it
 * with MAP_FIXED, so that the PROT_NONE pages between keep them N separate
 * VMAs, and writes one byte to each (one anon fault per region). Then:
 * i odd: munmap; i % 4 == 2: a MAP_FIXED mmap over it (never touched
 * again); i % 4 == 0: left mapped until exit. Writes to OUT "base ADDR\nn N\n".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#define PAGE	4096

int main(int argc, char **argv)
{
	char buf[64];
	char *base, *p;
	long n, i;
	int out, len;

	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0)
		return 2;
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
		return 3;
	base = mmap(NULL, 2 * n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return 4;
	for (i = 0; i < n; i++) {
		p = mmap(base + 2 * i * PAGE, PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p == MAP_FAILED)
			return 5;
		*(volatile char *)p = 1;
	}
	for (i = 0; i < n; i++) {
		p = base + 2 * i * PAGE;
		if (i % 2 && munmap(p, PAGE))
			return 6;
		if (i % 4 == 2 && mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				       -1, 0) == MAP_FAILED)
			return 7;
	}
	len = snprintf(buf, sizeof(buf), "base %lx\nn %ld\n", (unsigned long)base, n);
	if (write(out, buf, len) != len)
		return 8;
	close(out);
	return 0;
}
