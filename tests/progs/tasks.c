// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tasks - task creations that memtrace once got wrong (issue 17), after
 * strace's own test programs (tests/clone_parent.c, clone3.c):
 *
 *   tasks parent    clone(CLONE_PARENT|SIGCHLD): the child belongs to our
 *                   parent, and we wait until that parent has reaped it,
 *                   as strace's test does. Exits 3 if it is not reaped in
 *                   5 s (a launcher that never reaps would hang us forever).
 *   tasks fail      creations that fail: clone3(NULL, 0) EINVAL,
 *                   clone(CLONE_SIGHAND) without CLONE_VM EINVAL, clone3
 *                   with CLONE_INTO_CGROUP and a bad fd EBADF, clone with
 *                   CLONE_THREAD but no CLONE_SIGHAND EINVAL.
 *   tasks newtime   clone3({flags=CLONE_NEWTIME, exit_signal=SIGCHLD}):
 *                   CLONE_NEWTIME is 0x80, inside clone's signal byte.
 *                   Exits 77 if this kernel refuses time namespaces.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

/*
 * For older headers; the values are the kernel's ABI. user/event/decode.c
 * has the same fallbacks, but a test program is built alone (WL_CFLAGS, no
 * user/ includes) so that it asks the kernel for these numbers, not for
 * whatever memtrace's decoder believes they are.
 */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME		0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP	0x200000000ULL
#endif

#define SKIP	77

static char stack[64 * 1024] __attribute__((aligned(16)));

static int child__fn(void *arg __attribute__((unused)))
{
	_exit(0);
}

static int parent(void)
{
	struct timespec t0, t;
	pid_t pid = clone(child__fn, stack + sizeof(stack), CLONE_PARENT | SIGCHLD, NULL);

	if (pid < 0) {
		perror("clone");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the child is our parent's to reap: it exists until then */
	while (!kill(pid, 0)) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 5) {
			fprintf(stderr, "tasks: our parent never reaped child %d\n", pid);
			return 3;
		}
		usleep(1000);
	}
	return 0;
}

static long clone3__call(uint64_t flags, uint64_t sig, uint64_t cgroup)
{
	struct clone_args a;

	memset(&a, 0, sizeof(a));
	a.flags = flags;
	a.exit_signal = sig;
	a.cgroup = cgroup;
	return syscall(SYS_clone3, &a, sizeof(a));
}

static int fail(void)
{
	int bad = 0;

	/* raw syscalls: nothing may succeed, a child here would run our code */
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != EINVAL)
		bad++;
	if (syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0) != -1 || errno != EINVAL)
		bad++;
	if (clone3__call(CLONE_INTO_CGROUP, SIGCHLD, 9999) != -1 || errno != EBADF)
		bad++;
	if (syscall(SYS_clone, CLONE_THREAD | SIGCHLD, 0, 0, 0, 0) != -1 || errno != EINVAL)
		bad++;
	return bad ? 1 : 0;
}

static int newtime(void)
{
	int status;
	long pid = clone3__call(CLONE_NEWTIME, SIGCHLD, 0);

	if (pid < 0)
		return errno == EINVAL || errno == EPERM ? SKIP : 1;
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "parent"))
		return parent();
	if (argc == 2 && !strcmp(argv[1], "fail"))
		return fail();
	if (argc == 2 && !strcmp(argv[1], "newtime"))
		return newtime();
	fprintf(stderr, "usage: tasks parent|fail|newtime\n");
	return 2;
}
