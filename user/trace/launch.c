// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
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

int launch__workload_path(const char *name, char *path, size_t n)
{
	char self[PATH_MAX], *slash;
	ssize_t len;

	/* names only: "../x" or "/bin/sh" are commands, not workloads */
	if (!*name || strchr(name, '/') || name[0] == '.')
		return -ENOENT;

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			/* a build tree, then an install relative to bin/ (DESTDIR, moved prefix) */
			if ((size_t)snprintf(path, n, "%s/workloads/%s", self, name) < n &&
			    !path__check(path))
				return 0;
			if ((size_t)snprintf(path, n, "%s/../libexec/memtrace/%s", self, name) < n &&
			    !path__check(path))
				return 0;
		}
	}
	if ((size_t)snprintf(path, n, "%s/%s", MEMTRACE_LIBEXECDIR, name) < n &&
	    !path__check(path))
		return 0;
	return -ENOENT;
}

/* In the child: wait for the go byte, then become the program. */
static void __attribute__((noreturn))
child__run(int wait_fd, const char *path, char *const argv[], bool stdout_to_stderr)
{
	sigset_t none;
	char go;
	ssize_t r;

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
		child__run(fds[0], path, argv, stdout_to_stderr);
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
