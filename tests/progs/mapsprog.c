// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mapsprog - changes its address space in every way the report replays,
 * and copies /proc/self/maps to a file at two known points, so a test can
 * hold `memtrace report --maps --at` against what the kernel says.
 *
 * Usage: mapsprog MAPS1 MAPS2
 *
 * Each copy is preceded by a marker the trace shows: munmap(0x1000, 0),
 * which fails with EINVAL and changes nothing (the first marker passes
 * 0x1000, the second 0x2000). Copies use only open/read/write on static
 * buffers, so they map nothing themselves; the program ends with _exit.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "maps_copy.h"

#define PG	4096UL

/* The marker the trace shows (munmap(marker, 0) fails, changes nothing), then the copy. */
static void maps__copy(const char *path, unsigned long marker)
{
	syscall(SYS_munmap, marker, 0);
	maps__copy_pid(0, path);
}

static void *map(void *hint, size_t len, int prot, int flags)
{
	void *p = (void *)syscall(SYS_mmap, hint, len, prot, flags, -1, 0);

	if (p == MAP_FAILED)
		_exit(5);
	return p;
}

int main(int argc, char **argv)
{
	char *a, *b, *c, *d, *e, *brk0;
	int fd;

	if (argc != 3)
		return 2;
	/* a 16-page mapping cut in every way */
	a = map(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	syscall(SYS_munmap, a + 4 * PG, 2 * PG);			/* a hole */
	syscall(SYS_mprotect, a + 8 * PG, 3 * PG, PROT_READ);		/* a split */
	syscall(SYS_mprotect, a + 14 * PG, 2 * PG, PROT_NONE);		/* a reservation */
	/* MAP_FIXED over part of it: replaced */
	map(a + PG, 2 * PG, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	/* mremap: grow in place or move, then shrink */
	b = map(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	c = (char *)syscall(SYS_mremap, b, 4 * PG, 64 * PG, MREMAP_MAYMOVE);
	syscall(SYS_mremap, c, 64 * PG, 8 * PG, 0);
	/* a forced move to a place of our choosing */
	d = map(NULL, 32 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
	e = map(NULL, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	syscall(SYS_mremap, e, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, d + 8 * PG);
	/* failures change nothing */
	syscall(SYS_munmap, a + 1, PG);
	syscall(SYS_mprotect, a + 1, PG, PROT_READ);
	/* a file mapping */
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0 || syscall(SYS_mmap, NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, PG) == -1)
		_exit(6);
	close(fd);
	maps__copy(argv[1], 0x1000);

	/* the heap: grow, shrink */
	brk0 = (char *)syscall(SYS_brk, 0);
	syscall(SYS_brk, brk0 + 40 * PG);
	syscall(SYS_brk, brk0 + 10 * PG + 100);
	syscall(SYS_munmap, a, 16 * PG);				/* all of a's pieces */
	maps__copy(argv[2], 0x2000);
	_exit(0);
}
