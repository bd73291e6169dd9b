// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * execs - exits and execs that memtrace once reported wrongly (issue 10 §3):
 *
 *   execs core             two threads, then abort(): the process dumps
 *                          core (RLIMIT_CORE raised here) and wait(2)
 *                          says so; the status lives in the group's
 *                          signal->group_exit_code, not the last thread's.
 *   execs noreturn [thread] exec PATH with RLIMIT_AS at 4000 KiB, from
 *                          the main thread or a second one: the kernel
 *                          fails (ENOMEM) after the point of no return,
 *                          the old image is gone and SIGSEGV kills us.
 *                          Prints "tid N" (the calling thread) first.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *exec_path;

static void *sleeper(void *arg)
{
	pause();
	return arg;
}

static int core(void)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
	pthread_t t;

	setrlimit(RLIMIT_CORE, &r);
	if (pthread_create(&t, NULL, sleeper, NULL))
		return 1;
	usleep(10000);
	abort();
}

static void *exec__noreturn(void *arg)
{
	struct rlimit r = { 4000 * 1024, 4000 * 1024 };
	char *argv[] = { (char *)exec_path, "-c", "1", NULL };

	printf("tid %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	setrlimit(RLIMIT_AS, &r);
	execv(exec_path, argv);
	perror("execv");	/* failed before the point of no return */
	exit(1);
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc == 2 && !strcmp(argv[1], "core"))
		return core();
	if (argc >= 3 && !strcmp(argv[1], "noreturn")) {
		exec_path = argv[2];
		if (argc == 4 && !strcmp(argv[3], "thread")) {
			if (pthread_create(&t, NULL, exec__noreturn, NULL))
				return 1;
			pause();
		}
		exec__noreturn(NULL);
	}
	fprintf(stderr, "usage: execs core | execs noreturn PATH [thread]\n");
	return 2;
}
