/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * launch - start the traced program held at the door: fork, then wait in
 * the child on a pipe until the tracer has put the child's pid in the
 * filter and attached everything; only then exec. Nothing the program does
 * after exec can be missed.
 */
#ifndef MEMTRACE_LAUNCH_H
#define MEMTRACE_LAUNCH_H

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* -u: who the program runs as, looked up before the fork. */
struct launch_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[256];	/* supplementary groups, as initgroups would set */
	int ngroups;
	char name[64];
	char home[PATH_MAX];
};

struct launch {
	pid_t pid;		/* the held child, 0 if none */
	int go_fd;		/* write end of the pipe the child waits on */
	const struct launch_user *user;	/* NULL: the program runs as memtrace does */
};

/* Looks up a user name (or uid) like `strace -u`. Returns 0, -ENOENT or -E2BIG. */
int launch__user_lookup(const char *spec, struct launch_user *u);

/*
 * Finds cmd like execvp would: a name with a '/' is taken as is, others are
 * searched in $PATH. Returns 0, -ENOENT (not found) or -EACCES (found, not
 * executable).
 */
int launch__resolve(const char *cmd, char *path, size_t n);
/*
 * Finds the bundled workload `name` next to the memtrace binary
 * (workloads/NAME in a build tree, ../libexec/memtrace/NAME when installed)
 * or in MEMTRACE_LIBEXECDIR. -ENOENT if there is none.
 */
int launch__workload_path(const char *name, char *path, size_t n);
/* Where launch__workload_path looks, as a comma-separated list. */
void launch__workload_dirs(FILE *out);
/*
 * Forks a child that waits, then execs path with argv. With
 * stdout_to_stderr the child's stdout becomes memtrace's stderr.
 */
int launch__start(struct launch *l, const char *path, char *const argv[], bool stdout_to_stderr);
/* Lets the child exec. */
int launch__release(struct launch *l);
/* Child never released: it exits without running anything; reaps it. */
void launch__abort(struct launch *l);

#endif /* MEMTRACE_LAUNCH_H */
