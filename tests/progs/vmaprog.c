// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vmaprog - the ground truth for memtrace's vma records (issue 10 §2):
 * /proc/PID/maps at the moment memtrace walks the map.
 *
 *   vmaprog exec MAPS PROG [ARG...]
 *	forks; the child asks to be traced (PTRACE_TRACEME) and execs PROG.
 *	The kernel stops it at its first instruction after the exec, after
 *	sched_process_exec and before the new image (or its dynamic loader)
 *	has run: the parent copies /proc/CHILD/maps to MAPS, prints the
 *	child's pid, and kills it.
 *
 *   vmaprog attach MAPS READY SECS
 *	maps a file, a deleted file, a memfd, shared and private anonymous
 *	memory and splits one mapping with mprotect, copies /proc/self/maps to MAPS, creates
 *	READY, then sleeps SECS seconds and exits: a `memtrace run -p` of it
 *	meanwhile must see exactly MAPS. Nothing after the copy maps anything
 *	(raw syscalls, static buffers).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "maps_copy.h"


static int do_exec(const char *maps, char **argv)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(5);
		execv(argv[0], argv);
		_exit(6);
	}
	/* the exec's SIGTRAP: stopped before its first user instruction */
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
		kill(pid, SIGKILL);
		return 7;
	}
	maps__copy_pid(pid, maps);
	printf("%d\n", pid);
	fflush(stdout);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return 0;
}

static int do_attach(const char *maps, const char *ready, int secs)
{
	struct timespec ts = { .tv_sec = secs };
	char *p;
	int fd;

	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		return 2;
	if (mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED ||
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
		return 3;
	/* "PATH (deleted)" and "/memfd:NAME (deleted)" in /proc/PID/maps */
	snprintf(maps_buf, sizeof(maps_buf), "%s.deleted", maps);
	fd = open(maps_buf, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 4096) ||
	    mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED || unlink(maps_buf))
		return 5;
	fd = memfd_create("vmaprog", 0);
	if (fd < 0 || ftruncate(fd, 8192) ||
	    mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED)
		return 6;
	p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + 4096, 4096, PROT_READ))
		return 4;
	maps__copy_pid(0, maps);
	close(open(ready, O_WRONLY | O_CREAT, 0644));
	syscall(SYS_nanosleep, &ts, NULL);
	syscall(SYS_exit_group, 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "exec"))
		return do_exec(argv[2], argv + 3);
	if (argc == 5 && !strcmp(argv[1], "attach"))
		return do_attach(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: vmaprog exec MAPS PROG [ARG...] | attach MAPS READY SECS\n");
	return 1;
}
