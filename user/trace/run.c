// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * run.c - `memtrace run`: one trace session from launch to summary.
 *
 * Order matters for exactness: load, fork the held child, put its pid in
 * the filter, attach, take ts 0, and only then let the child exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/types.h>
#include "memtrace.h"
#include "format.h"
#include "launch.h"
#include "opts.h"
#include "outbuf.h"
#include "procfs.h"
#include "report.h"
#include "run.h"
#include "tracer.h"
#include "workloads.h"

#define OUTBUF_SIZE	(1 << 20)
#define POLL_MS		50
/* After Ctrl-C, how long the workload gets to exit so its last events are seen. */
#define GRACE_NS	(1000ULL * 1000 * 1000)
/* After a stop signal, how long a write may block before we give it up. */
#define STOP_WRITE_SECS	1

static volatile sig_atomic_t exiting;	/* signal number that asked us to stop */
static volatile sig_atomic_t write_cancel;	/* set STOP_WRITE_SECS after it */
static volatile sig_atomic_t child_changed;
static volatile sig_atomic_t reopen_asked;	/* SIGHUP with -o FILE */
static volatile pid_t forward_pid;

struct session {
	struct run_opts o;
	struct tracer tracer;
	struct launch launch;
	struct formatter fmt;
	struct outbuf ob;
	struct trace_summary sum;
	struct launch_user user;	/* -u */
	char path[PATH_MAX];	/* what the child execs */
	char command[1024];	/* for the start record */
	int out_fd;
	int report_fd;		/* --report without -o: the JSON trace, unlinked; -1 if none */
	int html_fd;		/* --html: the page, opened (and checked) before the run; -1 if none */
	bool events_on_stdout;	/* out_fd is our stdout, whatever its fd number */
	uint64_t bad_records;
	bool failed;		/* the trace is incomplete: exit 1 */
	bool finished;		/* it ran to session__finish: a trace to report on */
	/*
	 * A trace split into files (--rotate, SIGHUP): each file has its
	 * start record (the same t0, so ts goes on across files) and a
	 * summary of the events in it, so each is a trace of its own.
	 */
	uint64_t t0, wall_ns;
	uint32_t part;		/* number of the file being written; 0: not split */
	pid_t root_pid;		/* of the start record */
	uint32_t rotated;	/* FILE.1 ... FILE.rotated are this run's */
	uint64_t file_start;	/* ob.written when this file began */
	struct trace_summary base;	/* counters when this file began */
};

static void on_stop_signal(int sig, siginfo_t *si, void *uc)
{
	if (exiting) {
		/* second Ctrl-C: leave now; the kernel detaches what we held */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	exiting = sig;
	/* a reader that takes nothing must not keep us from stopping */
	alarm(STOP_WRITE_SECS);
	/*
	 * A terminal's Ctrl-C already reached the whole process group; a
	 * kill(1) reached only us, so pass it on.
	 */
	if (forward_pid > 0 && si->si_code != SI_KERNEL)
		kill(forward_pid, sig);
}

/* SIGHUP with -o FILE: reopen FILE at the next record boundary (logrotate). */
static void on_hup(int sig)
{
	reopen_asked = 1;
}

static void on_sigchld(int sig)
{
	child_changed = 1;
}

/* Interrupts a blocked write() again each second until it gives up. */
static void on_alarm(int sig)
{
	write_cancel = 1;
	alarm(1);
}

static void signals__install(bool hup_reopens)
{
	struct sigaction sa = {};

	/* no SA_RESTART: a signal must cut the ring buffer's epoll_wait short */
	sa.sa_sigaction = on_stop_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (hup_reopens) {
		sa.sa_handler = on_hup;
		sa.sa_flags = 0;
		sigaction(SIGHUP, &sa, NULL);
	}

	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);

	sa.sa_handler = on_alarm;
	sa.sa_flags = 0;	/* no SA_RESTART: it is there to cut write() short */
	sigaction(SIGALRM, &sa, NULL);

	/* a closed output pipe shows up as EPIPE from write() instead */
	signal(SIGPIPE, SIG_IGN);

	/* blocked by whoever started us (the mask survives exec): no stop at all */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaddset(&sa.sa_mask, SIGCHLD);
	sigaddset(&sa.sa_mask, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &sa.sa_mask, NULL);
}

/*
 * Runs memtrace 10 nice levels above what it started at (the program,
 * forked before, keeps the old level). When the traced processes keep
 * every core busy, the consumer must still get the CPU to drain the ring:
 * six mprotect storms on two cores lost 790k of 1.8M events at equal
 * priority and none this way. Failing to renice is harmless.
 */
static void priority__raise(void)
{
	int cur;

	errno = 0;
	cur = getpriority(PRIO_PROCESS, 0);
	if (errno)
		return;
	setpriority(PRIO_PROCESS, 0, cur - 10 < -20 ? -20 : cur - 10);
}

static uint64_t clock__ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int session__next_file(struct session *s, bool rotate);

/*
 * The ring is read once, front to back, and after a burst its records are
 * out of cache (another CPU wrote them, long ago): ask now for the bytes a
 * few records ahead, both cache lines of a small record, so that decoding
 * them does not wait on memory (docs/performance.md, seventh session).
 */
#define RING_PREFETCH	2048

static int session__on_record(void *ctx, const void *rec, size_t size)
{
	struct session *s = ctx;
	const struct mt_header *h = rec;
	int n;

	__builtin_prefetch((const char *)rec + RING_PREFETCH);
	__builtin_prefetch((const char *)rec + RING_PREFETCH + 64);
	/* format__records checks the size and type before anything reads them */
	n = format__records(&s->fmt, &s->ob, rec, size);
	if (n < 0) {
		s->bad_records++;
		return 0;
	}
	s->sum.events[h->type] += n;	/* a vma batch holds n events */
	/*
	 * A write error is not returned: the records still in the ring must
	 * be counted (as not written, by the outbuf) as they come.
	 */
	if (outbuf__maybe_flush(&s->ob))
		return 0;
	/* between two records: no event is cut or written twice */
	if (s->o.rotate_size &&
		 s->ob.written + s->ob.len - s->file_start >= s->o.rotate_size)
		session__next_file(s, true);
	return 0;
}

static void command__join(char *buf, size_t n, int argc, char **argv)
{
	size_t len = 0;
	int i, r;

	buf[0] = '\0';
	for (i = 0; i < argc && len < n; i++) {
		r = snprintf(buf + len, n - len, "%s%s", i ? " " : "", argv[i]);
		if (r < 0)
			break;
		len += r;
	}
}

/*
 * -p accepts a thread id too (as `ps -L` or `top -H` show them): the filter
 * works on processes, so trace the process the thread belongs to.
 * Returns 0, -ESRCH if there is no such task, or -ECHILD if it is a
 * zombie (ended, not yet reaped).
 */
static int pid__to_tgid(pid_t *pid)
{
	struct procfs_status st;

	if (procfs__status(*pid, &st))
		return kill(*pid, 0) && errno == ESRCH ? -ESRCH : 0;
	if (st.tgid > 0 && st.tgid != *pid) {
		fprintf(stderr, "memtrace: %d is a thread of process %d: tracing the process\n",
			*pid, st.tgid);
		*pid = st.tgid;
	} else if (procfs__ended(&st)) {
		return -ECHILD;	/* ended, not yet reaped: nothing left to trace */
	}
	return 0;
}

/* Finds what to exec. Returns 0, or the exit status for the error it printed. */
static int session__resolve(struct session *s)
{
	const char *name = s->o.argv[0];
	int e;

	if (s->o.is_command) {
		e = launch__resolve(name, s->path, sizeof(s->path));
		if (e == -EACCES) {
			fprintf(stderr, "memtrace: %s: permission denied (not an executable file)\n", name);
			return 126;
		}
		if (e) {
			/* a path is not searched for: say what is wrong with it, as sh does */
			if (strchr(name, '/'))
				fprintf(stderr, "memtrace: %s: %s\n", name, strerror(-e));
			else
				fprintf(stderr, "memtrace: %s: command not found\n", name);
			return 127;
		}
		return 0;
	}
	if (workloads__find(name) && launch__workload_path(name, s->path, sizeof(s->path))) {
		fprintf(stderr, "memtrace: workload '%s' is not installed: it is not in ", name);
		launch__workload_dirs(stderr);
		fprintf(stderr, " (run memtrace from its build tree, or `make install`)\n");
		return 127;
	}
	if (!workloads__find(name)) {
		fprintf(stderr, "memtrace: unknown workload '%s' (available: ", name);
		workloads__print_names(stderr);
		fprintf(stderr, "); to trace a command put it after --: memtrace run -- %s\n", name);
		return 2;
	}
	return 0;
}

/* The directory part of path ("." for a bare name). */
static void path__dir(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, n, ".");
	else if (slash == path)
		snprintf(dir, n, "/");
	else
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

/*
 * May we, as root, write into st (path's file)? Not into someone else's
 * file in a world-writable directory (/tmp): they could have put it there
 * for us to fill, or keep it open to read what we write. Returns 0, or
 * -EPERM after saying why.
 */
static int output__check_owner(const char *path, const struct stat *st)
{
	struct stat dst;
	char dir[PATH_MAX];

	if (st->st_uid == geteuid())
		return 0;
	path__dir(path, dir, sizeof(dir));
	if (stat(dir, &dst) || !(dst.st_mode & S_IWOTH))
		return 0;
	fprintf(stderr, "memtrace: refusing to write to '%s': it belongs to uid %u and its directory %s is world-writable; remove it or write elsewhere\n",
		path, (unsigned)st->st_uid, dir);
	return -EPERM;
}

/*
 * Opens -o like a careful root must: a final symlink is followed only if
 * memtrace's user or root owns it (/dev/stdout), never one another user
 * planted; nobody else's file in a world-writable directory; a new file
 * gets mode 0600, since a trace shows every traced address and path.
 * Returns the fd, or -errno after saying why.
 */
static int output__open(const char *path)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, fd, e;
	struct stat st;

	if (!lstat(path, &st)) {
		if (S_ISLNK(st.st_mode) && st.st_uid && st.st_uid != geteuid()) {
			fprintf(stderr, "memtrace: refusing to write to '%s': it is a symbolic link owned by uid %u, which could point memtrace at any file; remove it or give the real path\n",
				path, (unsigned)st.st_uid);
			return -EPERM;
		}
		if (S_ISLNK(st.st_mode))
			flags &= ~O_NOFOLLOW;
		else if (output__check_owner(path, &st))
			return -EPERM;
	}
	/* no O_TRUNC: nothing is cut before the checks on what was opened */
	fd = open(path, flags, 0600);
	if (fd < 0) {
		e = -errno;
		if (e == -ELOOP)
			fprintf(stderr, "memtrace: refusing to write to '%s': it became a symbolic link while memtrace opened it\n",
				path);
		else
			fprintf(stderr, "memtrace: cannot write '%s': %s\n", path, strerror(-e));
		return e;
	}
	/* the file opened may not be the one looked at: check it again */
	if (fstat(fd, &st) || (S_ISREG(st.st_mode) && output__check_owner(path, &st))) {
		close(fd);
		return -EPERM;
	}
	/*
	 * Only a file with something in it is truncated: on ext4 a truncate
	 * to 0, even of an empty file, makes close() start the writeback of
	 * all that was written since (auto_da_alloc), and a big trace then
	 * holds memtrace's exit for that long (docs/performance.md).
	 */
	if (S_ISREG(st.st_mode) && st.st_size && ftruncate(fd, 0)) {
		e = -errno;
		fprintf(stderr, "memtrace: cannot write '%s': %s\n", path, strerror(-e));
		close(fd);
		return e;
	}
	return fd;
}

/*
 * Is fd the same open file as our stdout (-o /dev/stdout, -o /proc/self/fd/1)?
 * Decided by identity, not by fd number. /dev/null is never a stream.
 */
static bool fd__is_stdout(int fd)
{
	struct stat a, b;

	if (fd == STDOUT_FILENO)
		return true;
	if (fstat(fd, &a) || fstat(STDOUT_FILENO, &b))
		return false;
	if (S_ISCHR(a.st_mode) && a.st_rdev == makedev(1, 3))
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool output__is_regular(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISREG(st.st_mode);
}

static int session__open_output(struct session *s)
{
	int e;

	s->out_fd = STDOUT_FILENO;
	if (s->report_fd >= 0) {
		s->out_fd = s->report_fd;
	} else if (s->o.output && strcmp(s->o.output, "-")) {
		s->out_fd = output__open(s->o.output);
		if (s->out_fd < 0)
			return s->out_fd;
		if (s->o.rotate_size && !output__is_regular(s->out_fd)) {
			fprintf(stderr, "memtrace: --rotate renames '%s', which is not a regular file: give a file path\n",
				s->o.output);
			return -EINVAL;
		}
	}
	s->events_on_stdout = fd__is_stdout(s->out_fd);
	e = outbuf__init(&s->ob, s->out_fd, OUTBUF_SIZE);
	if (e)
		fprintf(stderr, "memtrace: out of memory for the output buffer\n");
	s->ob.cancel = &write_cancel;
	return e;
}

/* The kernel's id of this boot, to merge traces of many hosts; "" if unknown. */
static void boot__id(char *buf, size_t n)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, n, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/*
 * Writes out a start or summary line, the events before it already
 * flushed: if it fails, the line dropped is no event (ob.dropped_lines).
 * Returns 0 or -1 with ob.err set.
 */
static int session__flush_meta(struct session *s)
{
	if (!outbuf__flush(&s->ob))
		return 0;
	s->ob.dropped_lines = 0;
	return -1;
}

static void session__write_start(struct session *s, uint64_t wall_ns)
{
	struct trace_start st = {};
	struct utsname u;
	char boot_id[64];

	uname(&u);
	boot__id(boot_id, sizeof(boot_id));
	st.hostname = u.nodename;
	st.boot_id = boot_id[0] ? boot_id : NULL;
	st.command = s->command;
	st.target = s->o.cgroup ? "cgroup" : s->o.all ? "all" : s->o.attach_pid ? "pid" :
		    s->o.is_command ? "command" : "workload";
	st.kernel_release = u.release;
	st.version = MEMTRACE_VERSION;
	st.wall_start_ns = wall_ns;
	/* kept: the program may be reaped before a later file starts */
	if (!s->root_pid)
		s->root_pid = s->o.attach_pid ? s->o.attach_pid : s->launch.pid;
	st.root_pid = s->root_pid;
	st.part = s->part;
	format__start(&s->fmt, &s->ob, &st);
	session__flush_meta(s);
}

/* The counters of the current file: the run's so far less those at its start. */
static void summary__part(struct trace_summary *p, const struct trace_summary *run,
			  const struct trace_summary *base)
{
	size_t i;

	*p = *run;
	for (i = 0; i < MT_COUNT_SLOTS; i++) {
		p->events[i] -= base->events[i];
		p->lost[i] -= base->lost[i];
	}
	p->missed -= base->missed;
	p->unfollowed -= base->unfollowed;
	p->unnumbered -= base->unnumbered;
}

/* The kernel's loss counters so far, into sum. */
static void session__read_lost(struct session *s, struct trace_summary *sum)
{
	tracer__lost(&s->tracer, sum->lost, MT_EV_MAX);
	sum->missed = tracer__missed(&s->tracer);
	sum->unfollowed = tracer__untracked(&s->tracer);
	sum->unnumbered = tracer__unnumbered(&s->tracer);
}

/*
 * Makes room for a new FILE: FILE.k becomes FILE.k+1 (the oldest past
 * COUNT is replaced), FILE becomes FILE.1. rename() never follows a link
 * at its target. Returns 0 or -errno after saying why.
 */
static int output__shift(struct session *s)
{
	const char *path = s->o.output;
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	uint32_t k = s->rotated, count = s->o.rotate_count;

	if (count && k >= count)
		k = count - 1;
	for (; k >= 1; k--) {
		snprintf(from, sizeof(from), "%s.%u", path, k);
		snprintf(to, sizeof(to), "%s.%u", path, k + 1);
		if (rename(from, to) && errno != ENOENT)
			goto fail;
	}
	snprintf(from, sizeof(from), "%s", path);
	snprintf(to, sizeof(to), "%s.1", path);
	if (rename(from, to))
		goto fail;
	if (!count || s->rotated < count)
		s->rotated++;
	return 0;
fail:
	fprintf(stderr, "memtrace: --rotate: cannot rename '%s' to '%s': %s\n", from, to,
		strerror(errno));
	return -errno;
}

/* Is path still the file we write (not moved away, nor replaced)? */
static bool output__is_ours(const char *path, int fd)
{
	struct stat a, b;

	return !stat(path, &a) && !fstat(fd, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Ends the current file with its summary and goes on in a new one,
 * between two records: rotate renames the files first (--rotate); else
 * FILE was moved by someone else (SIGHUP). Returns 0 or -1 with ob.err
 * set, which stops the trace as any write error does.
 */
static int session__next_file(struct session *s, bool rotate)
{
	struct trace_summary run = s->sum, part;
	int fd;

	/* the events first, so that a failure counts events only */
	if (outbuf__flush(&s->ob))
		return -1;
	session__read_lost(s, &run);
	run.duration_ns = clock__ns(CLOCK_MONOTONIC) - s->t0;
	run.exit_status = -1;	/* the run goes on */
	summary__part(&part, &run, &s->base);
	format__summary(&s->fmt, &s->ob, &part);
	if (session__flush_meta(s))
		return -1;
	if (!s->part)
		s->part = 1;	/* the file just ended had no "part": it was 1 */
	if (rotate && output__is_ours(s->o.output, s->out_fd) && output__shift(s)) {
		s->ob.err = EIO;
		return -1;
	}
	close(s->out_fd);
	s->out_fd = -1;
	s->ob.fd = -1;
	fd = output__open(s->o.output);
	if (fd < 0) {
		s->ob.err = -fd;
		return -1;
	}
	s->out_fd = s->ob.fd = fd;
	s->base = run;
	s->part++;
	s->file_start = s->ob.written;
	session__write_start(s, s->wall_ns);
	return s->ob.err ? -1 : 0;
}

/* SIGHUP with -o: a new FILE if logrotate moved ours away, else nothing. */
static void session__reopen(struct session *s)
{
	reopen_asked = 0;
	if (s->ob.err || output__is_ours(s->o.output, s->out_fd))
		return;
	session__next_file(s, false);
}

/*
 * Reaps every child we have, keeping only the launched program's status.
 * A launcher must be as transparent as a shell: a CLONE_PARENT child of
 * the program is our child (kernel/fork.c: it gets the caller's parent),
 * and the program may wait until that child is reaped (issue 17); as a
 * subreaper (PR_SET_CHILD_SUBREAPER) we would also inherit orphans.
 * Returns true once the launched program is gone.
 */
static bool session__reap(struct session *s, int *status)
{
	bool done = false;
	pid_t r;
	int st;

	child_changed = 0;
	while ((r = waitpid(-1, &st, WNOHANG)) > 0) {
		if (r != s->launch.pid || !s->launch.pid)
			continue;
		*status = st;
		s->launch.pid = 0;
		forward_pid = 0;
		done = true;
	}
	return done;
}

/*
 * Streams records until the traced processes are all gone, or a signal
 * asked us to stop. Returns the exit status memtrace should end with.
 */
static int session__loop(struct session *s)
{
	bool root_done = false, attach = s->o.attach_pid || s->o.all, write_error_said = false;
	uint64_t deadline = 0;
	int status = 0, e;

	for (;;) {
		e = tracer__poll(&s->tracer, POLL_MS);
		if (e < 0 && e != -EINTR) {
			/* a write error is reported with the summary; anything else here */
			if (!s->ob.err)
				fprintf(stderr, "memtrace: reading the ring buffer failed: %s\n",
					strerror(-e));
			s->failed = true;
			break;
		}
		if (e > 0 && !s->ob.err)
			outbuf__flush(&s->ob);
		if (reopen_asked)
			session__reopen(s);
		/*
		 * A program we started is ours to wait for, output or not:
		 * leaving it would orphan it and lose its exit status. What
		 * follows is counted as not written (outbuf drops every put
		 * after an error). Processes we attached to are not ours.
		 */
		if (s->ob.err && attach)
			break;
		if (s->ob.err && !write_error_said) {
			write_error_said = true;
			if (s->ob.err != EPIPE && s->ob.err != ECANCELED && !exiting)
				fprintf(stderr, "memtrace: writing events to %s failed: %s; the trace goes on unwritten until the program ends (Ctrl-C stops it)\n",
					s->o.output ? s->o.output : "stdout", strerror(s->ob.err));
		}
		if (child_changed && session__reap(s, &status))
			root_done = true;
		/* like strace -f: done when every traced process is gone */
		if ((root_done || (attach && !s->o.all)) && tracer__idle(&s->tracer))
			break;
		if (exiting) {
			if (!deadline)
				deadline = clock__ns(CLOCK_MONOTONIC) + GRACE_NS;
			if (root_done || attach || clock__ns(CLOCK_MONOTONIC) > deadline)
				break;
		}
	}
	/*
	 * The last records: everything the kernel committed before we
	 * stopped. After a write error they are only counted, as not written.
	 */
	tracer__drain(&s->tracer);
	/* a reader that left (EPIPE) is settled by session__finish */
	if (root_done)
		return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	if (!attach && exiting)
		return 128 + exiting;
	return 0;
}

/*
 * Events memtrace knows it does not have: lost, missed, unwritten,
 * unfollowed; an address space without an id (unnumbered) is a process
 * whose events cannot be told apart.
 */
static uint64_t session__incomplete(const struct session *s)
{
	uint64_t n = s->sum.missed + s->sum.unwritten + s->sum.unfollowed + s->sum.unnumbered +
		     s->bad_records;
	size_t i;

	for (i = 0; i < MT_COUNT_SLOTS; i++)
		n += s->sum.lost[i];
	return n;
}

/* The failed write, with how much of the trace the output really holds. */
static void session__write_error(const struct session *s, uint64_t total)
{
	const char *where = s->o.output ? s->o.output : "stdout";

	if (s->ob.err == ECANCELED)
		fprintf(stderr, "memtrace: stopped writing to %s: it took nothing for %d s after the stop signal; only %llu of %llu events were written\n",
			where, STOP_WRITE_SECS, (unsigned long long)(total - s->sum.unwritten),
			(unsigned long long)total);
	else
		fprintf(stderr, "memtrace: writing events to %s failed: %s; only %llu of %llu events were written, the output is truncated\n",
			where, strerror(s->ob.err), (unsigned long long)(total - s->sum.unwritten),
			(unsigned long long)total);
}

/* Writes the summary. Returns the final exit status. */
static int session__finish(struct session *s, uint64_t t0, int status)
{
	uint64_t total = 0;
	size_t i;

	s->finished = true;
	session__read_lost(s, &s->sum);
	if (s->o.cost)
		s->sum.ncost = tracer__cost(&s->tracer, s->sum.cost,
					    sizeof(s->sum.cost) / sizeof(s->sum.cost[0]));
	s->sum.duration_ns = clock__ns(CLOCK_MONOTONIC) - t0;
	s->sum.exit_status = status;
	/* the events first, so that a failure counts only events as unwritten */
	if (!s->ob.err)
		outbuf__flush(&s->ob);
	for (i = 0; i < MT_COUNT_SLOTS; i++)
		total += s->sum.events[i];
	if (s->ob.err) {
		/* buffered when the error came, and formatted since (outbuf.h) */
		s->sum.unwritten = s->ob.dropped_lines + s->ob.lines_unwritten;
		if (s->sum.unwritten > total)
			s->sum.unwritten = total;
	}
	if (!s->ob.err) {
		struct trace_summary part;

		/* a split trace: this file's events and losses only */
		summary__part(&part, &s->sum, &s->base);
		format__summary(&s->fmt, &s->ob, &part);
		session__flush_meta(s);
	}
	if (s->ob.err == EPIPE)
		return 128 + SIGPIPE;	/* the reader left: say nothing */
	if (s->ob.err) {
		session__write_error(s, total);
		s->failed = true;
	}
	if (!s->o.quiet)
		summary__print(stderr, &s->sum);
	else {
		summary__print_cost(stderr, &s->sum);	/* asked for by name */
		summary__print_lost(stderr, &s->sum);	/* never silently */
	}
	if (s->sum.unfollowed)
		fprintf(stderr, "memtrace: warning: %llu new processes could not be followed (pid filter full)\n",
			(unsigned long long)s->sum.unfollowed);
	if (s->sum.unnumbered)
		fprintf(stderr, "memtrace: warning: %llu address spaces got no id (id map full): their events carry as 0\n",
			(unsigned long long)s->sum.unnumbered);
	if (s->bad_records)
		fprintf(stderr, "memtrace: warning: %llu malformed records skipped\n",
			(unsigned long long)s->bad_records);
	/* an incomplete trace must not pass for a good run */
	if (s->failed)
		return MT_EXIT_FAILURE;
	if (s->o.fail_on_loss && session__incomplete(s))
		return MT_EXIT_LOSS;
	return status;
}

static int session__run(struct session *s)
{
	struct tracer_opts to = {
		.buffer_size = s->o.buffer_size,
		.wakeup_bytes = s->o.buffer_size / 16,
		.all = s->o.all,
		.verbose = s->o.verbose,
		.faults = s->o.faults,	/* issue 11 */
		.rss = s->o.rss,
		.rss_step = s->o.rss_step,
		.snapshot = s->o.attach_pid || s->o.all,	/* issue 10 */
	};
	char err[512];
	uint64_t t0, wall;
	int e, status;

	if ((s->o.cgroup &&
	     tracer__cgroup(s->o.cgroup, &to.cgroup_id, &to.cgroup_level, err, sizeof(err))) ||
	    tracer__open_load(&s->tracer, &to, err, sizeof(err))) {
		fprintf(stderr, "memtrace: %s\n", err);
		return 1;
	}
	if (!s->o.attach_pid && !s->o.all) {
		/* events on stdout: keep the program's own output out of the stream */
		s->launch.user = s->o.user ? &s->user : NULL;
		e = launch__start(&s->launch, s->path, s->o.argv, s->events_on_stdout);
		if (e) {
			fprintf(stderr, "memtrace: cannot start %s: %s\n", s->o.argv[0], strerror(-e));
			return 1;
		}
		forward_pid = s->launch.pid;
	}
	priority__raise();
	e = s->o.all ? 0 : s->o.attach_pid ? tracer__add_pid(&s->tracer, s->o.attach_pid) :
		tracer__add_launched(&s->tracer, s->launch.pid);
	if (e) {
		fprintf(stderr, "memtrace: cannot fill the pid filter: %s\n", strerror(-e));
		goto abort;
	}
	e = tracer__ring_open(&s->tracer, session__on_record, s);
	if (e) {
		fprintf(stderr, "memtrace: cannot open the ring buffer: %s\n", strerror(-e));
		goto abort;
	}
	if (tracer__attach(&s->tracer, s->o.cost, err, sizeof(err))) {
		fprintf(stderr, "memtrace: %s\n", err);
		goto abort;
	}
	s->fmt.t0 = s->t0 = t0 = clock__ns(CLOCK_MONOTONIC);
	s->wall_ns = wall = clock__ns(CLOCK_REALTIME);
	if (s->o.rotate_size)
		s->part = 1;
	session__write_start(s, wall);
	if (s->ob.err) {
		/* better to run nothing than a program whose trace goes nowhere */
		fprintf(stderr, "memtrace: cannot write events to %s: %s\n",
			s->o.output ? s->o.output : "stdout", strerror(s->ob.err));
		goto abort;
	}
	/* stopped while loading: the program must not run, untraced, behind us */
	if (exiting) {
		launch__abort(&s->launch);
		return session__finish(s, t0, 128 + exiting);
	}
	/*
	 * issue 10: after attaching, so that nothing done between the walk
	 * and the first event is missed (a call just before the walk may be
	 * both in it and in an event: its ts says it came first).
	 */
	if ((s->o.attach_pid || s->o.all) &&
	    (e = tracer__snapshot(&s->tracer, s->o.attach_pid)) < 0)
		fprintf(stderr, "memtrace: warning: cannot read the maps of the traced processes at attach: %s\n",
			strerror(-e));
	if (s->launch.pid && launch__release(&s->launch)) {
		fprintf(stderr, "memtrace: the workload died before it could start\n");
		goto abort;
	}
	status = session__loop(s);
	/* issue 11: what regions still mapped took, so that every fault is in the trace */
	if (s->o.faults)
		tracer__flush_faults(&s->tracer, clock__ns(CLOCK_MONOTONIC));
	return session__finish(s, t0, status);

abort:
	/* the held program exits without running anything */
	launch__abort(&s->launch);
	return 1;
}

/*
 * --report: the trace is written as JSON (to -o, or to an unlinked
 * temporary file) and read back by the report at the end. Returns 0 or -errno.
 */
static int report__prepare(struct session *s)
{
	char path[] = "/tmp/memtrace-report-XXXXXX";
	const char *dir = getenv("TMPDIR");
	char buf[PATH_MAX];

	s->o.fmt = MT_FMT_JSON;
	s->fmt.fmt = MT_FMT_JSON;
	if (s->o.output && strcmp(s->o.output, "-"))
		return 0;
	if (s->o.output) {
		fprintf(stderr, "memtrace: --report reads the trace back: -o - (stdout) cannot be read; name a file or drop -o\n");
		return -EINVAL;
	}
	if (dir && *dir && snprintf(buf, sizeof(buf), "%s/memtrace-report-XXXXXX", dir) < (int)sizeof(buf))
		s->report_fd = mkostemp(buf, O_CLOEXEC);
	else
		s->report_fd = mkostemp(path, O_CLOEXEC);
	if (s->report_fd < 0) {
		fprintf(stderr, "memtrace: cannot make a temporary file for --report: %s (set TMPDIR or use -f json -o FILE)\n",
			strerror(errno));
		return -errno;
	}
	unlink(dir && *dir ? buf : path);
	return 0;
}

/*
 * Prints the report of the trace just written (--report) and writes its
 * page (--html). Returns 0 or 1.
 */
static int session__report(struct session *s)
{
	const char *trace = s->o.output, *label = NULL;
	char path[64];
	int r = 0;

	if (s->ob.err)
		return 1;	/* already said: the trace is incomplete */
	if (s->report_fd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", s->report_fd);
		trace = path;
		label = "the trace of this run";
	}
	if (s->o.report)
		r = report__file(trace, label, stdout);
	if (s->o.html) {
		if (report__html_fd(trace, label, s->html_fd, s->o.html))
			r = 1;
		else if (!s->o.quiet)
			fprintf(stderr, "memtrace: wrote %s: open it in a browser\n", s->o.html);
	}
	return r;
}

/*
 * Started with fd 0, 1 or 2 closed (`2>&-`), the first file we open would
 * take its number, and our messages would land in the trace: fill any gap
 * with /dev/null first.
 */
static void fds__guard(void)
{
	int fd;

	for (fd = 0; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) < 0)
			break;
	}
}

/* Is pid a memtrace (this binary, or one named so)? */
static bool pid__is_memtrace(pid_t pid)
{
	char path[64], comm[32] = "";
	struct stat a, b;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (!stat(path, &a) && !stat("/proc/self/exe", &b) &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	return !strcmp(comm, "memtrace\n");
}

/*
 * -p of ourselves (`bash -c 'exec memtrace run -p $$'`) or of a memtrace
 * we run under: each event we write makes more events, for ever.
 */
static bool pid__is_us(pid_t pid)
{
	struct procfs_status st;
	pid_t p = getppid();
	int depth;

	if (pid == getpid())
		return true;
	for (depth = 0; p > 1 && depth < 4096; depth++) {
		if (p == pid)
			return pid__is_memtrace(p);
		if (procfs__status(p, &st))
			break;
		p = st.ppid;
	}
	return false;
}

int cmd_run(int argc, char **argv)
{
	struct session *s;
	char err[512];
	int r;

	fds__guard();
	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "memtrace: out of memory\n");
		return 1;
	}
	s->out_fd = -1;
	s->report_fd = -1;
	s->html_fd = -1;
	s->tracer.stats_fd = -1;	/* nothing loaded: tracer__destroy must not close fd 0 */
	s->launch.go_fd = -1;	/* nothing launched: launch__abort must not close fd 0 */
	r = opts__parse_run(argc, argv, &s->o, err, sizeof(err));
	if (r == 1) {
		fputs(opts__run_usage, stdout);
		r = 0;
		goto cleanup;
	}
	if (r) {
		fprintf(stderr, "memtrace: %s\nTry 'memtrace run --help' for more information.\n", err);
		r = 2;
		goto cleanup;
	}
	s->fmt.fmt = s->o.fmt;
	if (s->o.attach_pid && (r = pid__to_tgid(&s->o.attach_pid))) {
		fprintf(stderr, r == -ECHILD ?
			"memtrace: process %d has exited (its parent has not reaped it yet): nothing to trace\n" :
			"memtrace: no process with pid %d\n", s->o.attach_pid);
		r = 1;
		goto cleanup;
	}
	if (s->o.attach_pid && pid__is_us(s->o.attach_pid)) {
		fprintf(stderr, "memtrace: -p %d is %s: it would trace its own output for ever; give another process\n",
			s->o.attach_pid, s->o.attach_pid == getpid() ? "memtrace itself" :
			"the memtrace this one runs under");
		r = MT_EXIT_USAGE;
		goto cleanup;
	}
	if (s->o.user && launch__user_lookup(s->o.user, &s->user)) {
		fprintf(stderr, "memtrace: -u %s: no such user (give a name or uid from the password database)\n",
			s->o.user);
		r = 1;
		goto cleanup;
	}
	if (s->o.argc) {
		r = session__resolve(s);
		if (r)
			goto cleanup;
		command__join(s->command, sizeof(s->command), s->o.argc, s->o.argv);
	} else if (s->o.attach_pid) {
		snprintf(s->command, sizeof(s->command), "pid %d", s->o.attach_pid);
	} else if (s->o.cgroup) {
		snprintf(s->command, sizeof(s->command), "cgroup %s", s->o.cgroup);
	} else {
		snprintf(s->command, sizeof(s->command), "all");
	}
	/* before -o is created: a run that cannot trace leaves no file behind */
	if (tracer__check(s->o.cost, err, sizeof(err))) {
		fprintf(stderr, "memtrace: %s\n", err);
		r = 1;
		goto cleanup;
	}
	if ((s->o.report || s->o.html) && report__prepare(s)) {
		r = 1;
		goto cleanup;
	}
	/* like -o, the page's file is opened (and checked) before the program starts */
	if (s->o.html && (s->html_fd = output__open(s->o.html)) < 0) {
		r = 1;
		goto cleanup;
	}
	if (session__open_output(s)) {
		r = 1;
		goto cleanup;
	}
	/* with -o FILE, SIGHUP is logrotate's "reopen", not a stop */
	signals__install(s->o.output && strcmp(s->o.output, "-") && !s->o.report);
	r = session__run(s);
	/* nothing traced (it said why): no second error about an empty trace */
	if ((s->o.report || s->o.html) && s->finished && session__report(s))
		r = 1;
cleanup:
	tracer__destroy(&s->tracer);
	outbuf__free(&s->ob);
	if (s->out_fd > STDERR_FILENO)
		close(s->out_fd);
	if (s->report_fd > STDERR_FILENO && s->report_fd != s->out_fd)
		close(s->report_fd);
	if (s->html_fd > STDERR_FILENO)
		close(s->html_fd);
	free(s);
	return r;
}
