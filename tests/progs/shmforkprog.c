// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shmforkprog - a System V segment inherited over fork and detached by the
 * child: memtrace saw the parent's shmat, never the child's, so the
 * child's shmdt has no size in the trace and the report must take it from
 * the child's map (a copy of the parent's). Ground truth: the child's
 * /proc/self/maps copied at two marked points.
 *
 * Usage: shmforkprog MAPS1 MAPS2
 *        shmforkprog attach MAPS1 MAPS2 READY SECS
 *
 * attach: the same segment attached before memtrace attaches (-p): it
 * creates READY once attached, sleeps SECS seconds (memtrace attaches
 * meanwhile), then copies its maps around its own shmdt, whose size the
 * trace cannot have either.
 *
 * The child marks each copy with a failing munmap(marker, 0) (0x3000 before
 * its shmdt, 0x4000 after) and copies with open/read/write on a static
 * buffer only, so it maps nothing itself. The segment is 3 pages and a
 * bit (the kernel maps 4), with its second page made read-only by the
 * parent: three pieces the child's shmdt must all remove.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "maps_copy.h"

#define PG	4096UL

/* The marker the trace shows (munmap(marker, 0) fails, changes nothing), then the copy. */
static void maps__copy(const char *path, unsigned long marker)
{
	syscall(SYS_munmap, marker, 0);
	maps__copy_pid(0, path);
}

/* A 3-page-and-a-bit segment, its second page read-only; NULL on failure. */
static char *segment__attach(void)
{
	int id = shmget(IPC_PRIVATE, 3 * PG + 100, IPC_CREAT | 0600);
	char *p;

	if (id < 0)
		return NULL;
	p = shmat(id, NULL, 0);
	/* gone once every attachment is: nothing is left behind if we die */
	shmctl(id, IPC_RMID, NULL);
	if (p == (void *)-1)
		return NULL;
	p[0] = 1;
	if (syscall(SYS_mprotect, p + PG, PG, PROT_READ))
		return NULL;
	return p;
}

static int attach_mode(char **argv)
{
	struct timespec t = { .tv_sec = atoi(argv[5]) };
	char *p = segment__attach();
	int fd;

	if (!p)
		return 5;
	fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 6;
	close(fd);
	nanosleep(&t, NULL);
	maps__copy(argv[2], 0x3000);
	if (syscall(SYS_shmdt, p))
		return 9;
	maps__copy(argv[3], 0x4000);
	return 0;
}

int main(int argc, char **argv)
{
	int st;
	char *p;
	pid_t pid;

	if (argc == 6 && !strcmp(argv[1], "attach"))
		return attach_mode(argv);
	if (argc != 3)
		return 2;
	p = segment__attach();
	if (!p)
		return 5;
	pid = fork();
	if (pid < 0)
		return 8;
	if (pid == 0) {
		maps__copy(argv[1], 0x3000);
		if (syscall(SYS_shmdt, p))
			_exit(9);
		maps__copy(argv[2], 0x4000);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 10;
	return shmdt(p) ? 11 : 0;
}
