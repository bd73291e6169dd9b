/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * strace - reading `strace -f -o FILE` output, to hold memtrace's trace
 * against another tool's view of the same program (test_run.c, test_tasks.c).
 *
 * Task creations are compared as strings "syscall:A|B|SIGCHLD" (and
 * ":ERRNO" or ":ok" when errors are compared), with the flag names sorted
 * so that the order each tool prints them in does not matter.
 */
#ifndef MEMTRACE_STRACE_H
#define MEMTRACE_STRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define CREATIONS_MAX	64

/* True, having skipped the running test, when strace is not installed. */
bool strace__missing(void);
/*
 * The syscall of a strace -f line "PID name(...": its name and length, or
 * NULL for other lines. A call that strace splits into "<unfinished ...>"
 * and "<... name resumed>" starts with "name(" only once, on the
 * unfinished line, so the resumed half is never taken for another call.
 */
const char *strace__call(const char *line, size_t *len);

struct creations {
	char *v[CREATIONS_MAX];		/* malloc'd */
	size_t n;
};

/* Every clone/clone3/fork/vfork in strace output buf (which it cuts into lines). */
void creations__from_strace(struct creations *c, char *buf, bool errors);
/* Every fork event of a memtrace trace. */
void creations__from_trace(struct creations *c, const json_t *tr, bool errors);
/*
 * As many creations (at least one) and equal one by one: in the order they
 * came, or as sorted lists when two runs may order them differently.
 */
void creations__expect_equal(struct creations *theirs, struct creations *mine, bool sort);
void creations__free(struct creations *c);

#endif /* MEMTRACE_STRACE_H */
