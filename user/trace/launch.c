// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "launch.h"

static int path__check(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -ENOENT;
	if (S_ISDIR(st.st_mode) || access(path, X_OK))
		return -EACCES;
	return 0;
}

int launch__resolve(const char *cmd, char *path, size_t n)
{
	const char *env = getenv("PATH"), *p, *end;
	int err = -ENOENT, r;

	if (!*cmd)
		return -ENOENT;
	if (strchr(cmd, '/')) {
		if ((size_t)snprintf(path, n, "%s", cmd) >= n)
			return -ENAMETOOLONG;
		return path__check(path);
	}
	if (!env)
		env = "/usr/local/bin:/usr/bin:/bin";
	for (p = env; ; p = end + 1) {
		end = strchrnul(p, ':');
		/* an empty PATH element means the current directory */
		if (end == p)
			r = snprintf(path, n, "./%s", cmd);
		else
			r = snprintf(path, n, "%.*s/%s", (int)(end - p), p, cmd);
		if (r > 0 && (size_t)r < n) {
			r = path__check(path);
			if (!r)
				return 0;
			if (r == -EACCES)
				err = -EACCES;
		}
		if (!*end)
			break;
	}
	return err;
}

/*
 * The i-th place bundled workloads may be: a build tree, an install
 * relative to bin/ (DESTDIR, moved prefix), then the configured libexec.
 * Returns -ENOENT past the last.
 */
static int workload__dir(int i, char *dir, size_t n)
{
	char self[PATH_MAX], *slash;
	ssize_t len;

	if (i == 2)
		return (size_t)snprintf(dir, n, "%s", MEMTRACE_LIBEXECDIR) < n ? 0 : -ENAMETOOLONG;
	if (i > 2)
		return -ENOENT;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return -ENOENT;
	self[len] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(dir, n, i ? "%s/../libexec/memtrace" : "%s/workloads", self) >= n)
		return -ENAMETOOLONG;
	return 0;
}

int launch__workload_path(const char *name, char *path, size_t n)
{
	char dir[PATH_MAX];
	int i;

	/* names only: "../x" or "/bin/sh" are commands, not workloads */
	if (!*name || strchr(name, '/') || name[0] == '.')
		return -ENOENT;
	for (i = 0; i < 3; i++) {
		if (workload__dir(i, dir, sizeof(dir)))
			continue;
		if ((size_t)snprintf(path, n, "%s/%s", dir, name) < n && !path__check(path))
			return 0;
	}
	return -ENOENT;
}

void launch__workload_dirs(FILE *out)
{
	char dir[PATH_MAX];
	int i, k = 0;

	for (i = 0; i < 3; i++)
		if (!workload__dir(i, dir, sizeof(dir)))
			fprintf(out, "%s%s", k++ ? ", " : "", dir);
}

int launch__user_lookup(const char *spec, struct launch_user *u)
{
	struct passwd *pw;
	char *end;
	long v;

	errno = 0;
	pw = getpwnam(spec);
	if (!pw) {
		v = strtol(spec, &end, 10);
		if (*spec && !*end && v >= 0)
			pw = getpwuid((uid_t)v);
	}
	if (!pw)
		return -ENOENT;
	memset(u, 0, sizeof(*u));
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir);
	u->ngroups = sizeof(u->groups) / sizeof(u->groups[0]);
	if (getgrouplist(u->name, u->gid, u->groups, &u->ngroups) < 0)
		return -E2BIG;
	return 0;
}

/* In the child: drop to the user, groups first (they need the privilege). */
static int child__become(const struct launch_user *u)
{
	if (setgroups(u->ngroups, u->groups) || setgid(u->gid) || setuid(u->uid))
		return -errno;
	/* memtrace is single-threaded, so setenv is safe after fork */
	if (setenv("HOME", u->home, 1) || setenv("USER", u->name, 1) ||
	    setenv("LOGNAME", u->name, 1))
		return -errno;
	return 0;
}

/* In the child: wait for the go byte, then become the program. */
static void __attribute__((noreturn))
child__run(int wait_fd, const char *path, char *const argv[], bool stdout_to_stderr,
	   const struct launch_user *user)
{
	sigset_t none;
	char go;
	ssize_t r;
	int e;

	/* undo what memtrace set up for itself */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	do {
		r = read(wait_fd, &go, 1);
	} while (r < 0 && errno == EINTR);
	/* EOF: memtrace gave up (error or killed) - run nothing */
	if (r != 1)
		_exit(127);
	if (stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(127);
	if (user && (e = child__become(user))) {
		dprintf(STDERR_FILENO, "memtrace: cannot run %s as user %s: %s\n", path,
			user->name, strerror(-e));
		_exit(126);
	}
	execv(path, argv);
	dprintf(STDERR_FILENO, "memtrace: cannot run %s: %s\n", path, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int launch__start(struct launch *l, const char *path, char *const argv[], bool stdout_to_stderr)
{
	int fds[2];
	pid_t pid;

	l->pid = 0;
	l->go_fd = -1;
	/* O_CLOEXEC: the program must not inherit either end */
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		close(fds[1]);
		child__run(fds[0], path, argv, stdout_to_stderr, l->user);
	}
	close(fds[0]);
	l->pid = pid;
	l->go_fd = fds[1];
	return 0;
}

int launch__release(struct launch *l)
{
	ssize_t r;

	do {
		r = write(l->go_fd, "g", 1);
	} while (r < 0 && errno == EINTR);
	close(l->go_fd);
	l->go_fd = -1;
	return r == 1 ? 0 : -EPIPE;
}

void launch__abort(struct launch *l)
{
	if (l->go_fd >= 0) {
		close(l->go_fd);
		l->go_fd = -1;
	}
	if (l->pid > 0) {
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
		l->pid = 0;
	}
}
