/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* procfs - what /proc/PID/status says about a task, for -p and the end of a trace. */
#ifndef MEMTRACE_PROCFS_H
#define MEMTRACE_PROCFS_H

#include <stdbool.h>
#include <sys/types.h>

struct procfs_status {
	pid_t tgid;		/* the process a task (maybe a thread) belongs to */
	pid_t ppid;		/* its parent process */
	char state;		/* 'R', 'S', 'Z', ... */
	int threads;		/* live threads (a zombie leader still counts itself) */
};

/* Reads /proc/PID/status. Returns 0, or -errno (-ENOENT: no such task). */
int procfs__status(pid_t pid, struct procfs_status *st);

/*
 * Has the process ended, its leader a zombie with no live thread left?
 * (A zombie leader whose threads still run counts them in Threads:.)
 */
static inline bool procfs__ended(const struct procfs_status *st)
{
	return (st->state == 'Z' || st->state == 'X') && st->threads <= 1;
}

#endif /* MEMTRACE_PROCFS_H */
