// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * iouring - makes the kernel start one io_uring worker thread in this
 * process: a read from an empty pipe, forced to a worker (IOSQE_ASYNC),
 * then the byte it waits for. The worker is created by copy_process from
 * inside io_uring_enter, not by a clone syscall. Prints "worker TID" for
 * the test to find it (the worker is named iou-wrk-PID).
 * Exits 77 when io_uring is unavailable here (disabled, or too old).
 */
#include <dirent.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SKIP	77

/* The tid of this process's io_uring worker, from /proc/self/task/N/comm; 0 if none. */
static long worker__tid(void)
{
	char path[300], comm[32];
	struct dirent *d;
	long tid = 0;
	DIR *dir = opendir("/proc/self/task");
	FILE *f;

	while (dir && (d = readdir(dir)) && !tid) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (f && fgets(comm, sizeof(comm), f) && !strncmp(comm, "iou-wrk-", 8))
			tid = atol(d->d_name);
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return tid;
}

int main(void)
{
	struct io_uring_params p = {};
	struct io_uring_sqe *sqes;
	unsigned *tail, *array;
	int fd, pipefd[2], i;
	char *sq, buf[1];
	long tid = 0;

	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0) {
		fprintf(stderr, "iouring: io_uring_setup: %s\n", strerror(errno));
		return SKIP;
	}
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || sqes == MAP_FAILED || pipe(pipefd)) {
		perror("iouring: setup");
		return 1;
	}
	tail = (unsigned *)(sq + p.sq_off.tail);
	array = (unsigned *)(sq + p.sq_off.array);
	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_READ;
	sqes[0].fd = pipefd[0];
	sqes[0].addr = (unsigned long)buf;
	sqes[0].len = 1;
	sqes[0].flags = IOSQE_ASYNC;	/* straight to a worker thread */
	array[0] = 0;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, fd, 1, 0, 0, NULL, 0) != 1) {
		fprintf(stderr, "iouring: io_uring_enter: %s\n", strerror(errno));
		return SKIP;
	}
	/* the worker blocks on the empty pipe: it is there to be seen */
	for (i = 0; i < 200 && !(tid = worker__tid()); i++)
		usleep(5000);
	if (!tid) {
		fprintf(stderr, "iouring: no io_uring worker thread appeared\n");
		return SKIP;
	}
	printf("worker %ld\n", tid);
	fflush(stdout);
	if (write(pipefd[1], "x", 1) != 1 ||
	    syscall(__NR_io_uring_enter, fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
		perror("iouring: completing the read");
		return 1;
	}
	return 0;
}
