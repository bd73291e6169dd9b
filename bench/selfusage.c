// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * selfusage - run a command and report what that one process (not its
 * children) used: CPU time and peak RSS. bench/run.sh wraps memtrace in it.
 *
 * Why not /usr/bin/time: wait4() returns the rusage of the child *and* of
 * every descendant it reaped, and ru_maxrss is then the largest of them.
 * memtrace reaps the workload, so time(1) reports the workload's CPU and,
 * for a storm that touches 400 MiB, the workload's RSS as memtrace's.
 *
 * How: the command runs under ptrace with PTRACE_O_TRACEEXIT only, so it
 * stops once, on its way out, while its memory still exists; we read
 * /proc/PID/status and /proc/PID/task/TID/schedstat then. Nothing else is
 * traced: no syscall stops, its children are not ptraced.
 */
#include <errno.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#define PROG	"selfusage"

struct usage {
	unsigned long long cpu_ns;	/* on-CPU time of all its threads */
	long hwm_kb;			/* VmHWM: peak RSS */
	long anon_kb;			/* RssAnon at exit */
	long file_kb;			/* RssFile at exit (libs, ring buffer pages) */
};

static long status__field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

static int usage__read(pid_t pid, struct usage *u)
{
	char path[64], text[4096];
	struct dirent *d;
	unsigned long long ns;
	size_t n;
	FILE *f;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	u->hwm_kb = status__field(text, "VmHWM:");
	u->anon_kb = status__field(text, "RssAnon:");
	u->file_kb = status__field(text, "RssFile:");

	/* schedstat's first field is exact on-CPU ns; /proc/PID/stat has 10 ms ticks */
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	u->cpu_ns = 0;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/schedstat", pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			u->cpu_ns += ns;
		fclose(f);
	}
	closedir(dir);
	return 0;
}

static int usage__write(const char *out, const struct usage *u)
{
	FILE *f = out ? fopen(out, "w") : stderr;

	if (!f) {
		fprintf(stderr, PROG ": cannot write '%s': %s\n", out, strerror(errno));
		return -1;
	}
	fprintf(f, "cpu_ms=%.2f maxrss_kb=%ld rss_anon_kb=%ld rss_file_kb=%ld\n",
		u->cpu_ns / 1e6, u->hwm_kb, u->anon_kb, u->file_kb);
	if (out)
		fclose(f);
	return 0;
}

/* Runs the child to its end, forwarding signals; returns its wait status. */
static int child__follow(pid_t pid, struct usage *u, int *seen)
{
	int status, sig;

	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return status;
		if (!WIFSTOPPED(status))
			continue;
		sig = WSTOPSIG(status);
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			/* the main thread is leaving; its mm is still there */
			if (!*seen && !usage__read(pid, u))
				*seen = 1;
			sig = 0;
		} else if (sig == SIGTRAP) {
			sig = 0;	/* the stop after execve */
		}
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	struct usage u = {};
	int c, status, seen = 0;
	pid_t pid;

	while ((c = getopt(argc, argv, "+o:h")) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("Usage: " PROG " [-o FILE] [--] COMMAND [ARGS...]\n"
			       "Runs COMMAND; at its exit writes its own CPU time and peak RSS\n"
			       "(not its children's) to FILE or stderr as one line:\n"
			       "  cpu_ms=N maxrss_kb=N rss_anon_kb=N rss_file_kb=N\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": no command given\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror(PROG ": fork");
		return 1;
	}
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(126);
		raise(SIGSTOP);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, PROG ": cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status)) {
		fprintf(stderr, PROG ": the child did not stop\n");
		return 1;
	}
	ptrace(PTRACE_SETOPTIONS, pid, NULL,
	       (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	/* ^C reaches the child through the process group; do not die first */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	status = child__follow(pid, &u, &seen);
	if (status < 0) {
		perror(PROG ": waitpid");
		return 1;
	}
	if (!seen)
		fprintf(stderr, PROG ": could not read the usage of %s\n", argv[optind]);
	else if (usage__write(out, &u))
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
