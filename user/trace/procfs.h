/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* procfs - what /proc/PID/status says about a task, for -p and the end of a trace. */
#ifndef MEMTRACE_PROCFS_H
#define MEMTRACE_PROCFS_H

#include <sys/types.h>

struct procfs_status {
	pid_t tgid;		/* the process a task (maybe a thread) belongs to */
	pid_t ppid;		/* its parent process */
	char state;		/* 'R', 'S', 'Z', ... */
	int threads;		/* live threads (a zombie leader still counts itself) */
};

/* Reads /proc/PID/status. Returns 0, or -errno (-ENOENT: no such task). */
int procfs__status(pid_t pid, struct procfs_status *st);

#endif /* MEMTRACE_PROCFS_H */
