// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_lifecycle - how a memtrace session begins and ends: the exit status
 * it passes on, what a reader that leaves early does to it, how it reacts
 * to SIGINT/SIGTERM sent by kill(1) (not a terminal, so it must forward
 * them), that the trace is complete after a stop, that events are streamed
 * while the workload runs, and that no BPF program outlives it, however it
 * ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	20000
#define START_TIMEOUT_MS	10000

/* Runs `memtrace run -f json -o T -- sh -c script`, returns its exit code and the trace. */
static int run_sh(const char *name, const char *script, json_t **tr)
{
	const char *t = harness_tmp(name);
	struct proc p;
	int code;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", t, "--",
		      "sh", "-c", script, NULL);
	code = p.code;
	if (p.err_len)
		harness_diag("stderr: %s", p.err);
	proc__free(&p);
	*tr = trace__load(t);
	return code;
}

static void test_exit_status(void)
{
	json_t *tr, *ex;

	EXPECT_EQ(run_sh("exit5.jsonl", "exit 5", &tr), 5);
	ASSERT(tr);
	ex = trace__exit_of(tr, trace__root_pid(tr));
	ASSERT_MSG(ex, "no exit event of the root process");
	EXPECT_EQ(ev__int_or(ex, "code", -1), 5);
	EXPECT_EQ(ev__int_or(ex, "signal", -1), 0);
	EXPECT_EQ(ev__int_or(trace__summary(tr), "exit_status", -1), 5);
	json_decref(tr);
}

static void test_killed_status(void)
{
	json_t *tr, *ex;

	EXPECT_EQ(run_sh("kill9.jsonl", "kill -9 $$", &tr), 137);
	ASSERT(tr);
	ex = trace__exit_of(tr, trace__root_pid(tr));
	ASSERT_MSG(ex, "no exit event of the root process");
	EXPECT_EQ(ev__int_or(ex, "signal", -1), 9);
	EXPECT_EQ(ev__int_or(ex, "code", -1), 0);
	EXPECT_EQ(ev__int_or(trace__summary(tr), "exit_status", -1), 137);
	json_decref(tr);
}

static bool is_failed_exec(const json_t *ev, void *ctx)
{
	return ev__is(ev, "exec") && ev__str(ev, "error");
}

/* A failed execve is an exec event with error, in the caller's unchanged as. */
static void test_failed_exec(void)
{
	json_t *tr, *ev;

	EXPECT_EQ(run_sh("badexec.jsonl", "/nonexist/memtrace-x; exit 0", &tr), 0);
	ASSERT(tr);
	EXPECT_EQ((long long)events__count(tr, is_failed_exec, NULL), 1);
	ev = events__find(tr, 0, is_failed_exec, NULL, NULL);
	ASSERT_MSG(ev, "no exec event with an error");
	EXPECT_STREQ(ev__str(ev, "error"), "ENOENT");
	EXPECT_STREQ(ev__str(ev, "filename"), "/nonexist/memtrace-x");
	EXPECT_EQ(ev__int_or(ev, "as", -1), ev__int_or(ev, "old_as", -2));
	EXPECT_EQ(ev__int_or(trace__summary(tr), "lost", -1), 0);
	json_decref(tr);
}

static long long summary__count(const json_t *sum, const char *obj, const char *type)
{
	return ev__int_or(json_object_get(sum, obj), type, -1);
}

static long long summary__lost_total(const json_t *sum)
{
	json_t *v;
	const char *k;
	long long total = 0;

	json_object_foreach(json_object_get(sum, "lost_by_type"), k, v)
		total += json_integer_value(v);
	/* runs the kernel skipped (recursion) count in the total too */
	return total + ev__int_or(sum, "missed", -1000000);
}

/*
 * A ring buffer too small for a storm: every mprotect is either in the
 * trace or counted as lost, exactly, and the loss is said on stderr even
 * with --quiet.
 */
static void test_lost_counted(void)
{
	const char *big = harness_tmp("storm-big.jsonl"), *tiny = harness_tmp("storm-tiny.jsonl");
	long long full, got, lost;
	json_t *tr, *sum;
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-b", "8M", "-f", "json", "-o", big, "--",
		      harness_bin("storm"), "20000", "--stop-parent", NULL);
	EXPECT_EQ(p.code, 0);
	proc__free(&p);
	tr = trace__load(big);
	ASSERT(tr);
	sum = trace__summary(tr);
	full = summary__count(sum, "events", "mprotect");
	EXPECT_EQ(ev__int_or(sum, "lost", -1), 0);
	EXPECT_MSG(full >= 20000, "%lld mprotect events with an 8 MiB ring, want >= 20000", full);
	json_decref(tr);

	/* the storm stops memtrace while it runs: the 4 KiB ring must overflow */
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-b", "4K", "-f", "json", "-o", tiny, "--",
		      harness_bin("storm"), "20000", "--stop-parent", NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT_MSG(strstr(p.err, "events were lost") && strstr(p.err, "--buffer-size"),
		   "no lost-events warning on stderr with -q: \"%s\"", p.err);
	proc__free(&p);
	tr = trace__load(tiny);
	ASSERT(tr);
	sum = trace__summary(tr);
	got = summary__count(sum, "events", "mprotect");
	lost = summary__count(sum, "lost_by_type", "mprotect");
	EXPECT_MSG(lost > 0, "a 4 KiB ring lost nothing in a 20000-event storm (lost %lld)", lost);
	EXPECT_EQ(got + lost, full);
	/* the total is the sum over types (the storm's exit may be lost too) and missed */
	EXPECT_EQ(ev__int_or(sum, "lost", -1), summary__lost_total(sum));
	/* the summary's count is what the file holds */
	EXPECT_EQ((long long)events__count_type(tr, "mprotect", -1), got);
	json_decref(tr);
}

static int bpf_stats__enabled(void)
{
	char *s = file__read("/proc/sys/kernel/bpf_stats_enabled", NULL);
	int v = s ? atoi(s) : -1;

	free(s);
	return v;
}

/* One hook's {"runs":N,"ns":T} from the summary's bpf_cost; runs -1 if absent. */
static long long cost__runs(const json_t *sum, const char *hook, long long *ns)
{
	json_t *h = json_object_get(json_object_get(sum, "bpf_cost"), hook);

	*ns = ev__int_or(h, "ns", -1);
	return ev__int_or(h, "runs", -1);
}

/*
 * --cost: each hook ran at least once per event it produced and took
 * time; the summary says so on stderr even with -q; the kernel's
 * statistics are off again afterwards (they cost every BPF program).
 */
static void test_cost(void)
{
	const char *t = harness_tmp("cost.jsonl");
	long long runs, ns;
	int before = bpf_stats__enabled();
	json_t *tr, *sum;
	struct proc p;
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s 2000; true", harness_bin("storm"));
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "--cost", "-f", "json", "-o", t, "--",
		      "sh", "-c", cmd, NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT_MSG(strstr(p.err, "kernel time of its BPF programs") && strstr(p.err, "sys_exit"),
		   "no cost on stderr with -q --cost: \"%s\"", p.err);
	proc__free(&p);
	EXPECT_EQ(bpf_stats__enabled(), before);
	tr = trace__load(t);
	ASSERT(tr);
	sum = trace__summary(tr);
	runs = cost__runs(sum, "sys_exit", &ns);
	EXPECT_MSG(runs >= (long long)events__count_type(tr, "mprotect", -1) && runs >= 2000,
		   "sys_exit ran %lld times for %zu mprotect events", runs,
		   events__count_type(tr, "mprotect", -1));
	EXPECT_MSG(ns >= runs, "sys_exit: %lld runs in %lld ns", runs, ns);
	runs = cost__runs(sum, "task_newtask", &ns);
	EXPECT_MSG(runs >= (long long)events__count_type(tr, "fork", -1) && runs >= 1 && ns >= runs,
		   "task_newtask: %lld runs in %lld ns for %zu forks", runs, ns,
		   events__count_type(tr, "fork", -1));
	runs = cost__runs(sum, "sched_process_exit", &ns);
	EXPECT_MSG(runs >= (long long)events__count_type(tr, "exit", -1) && runs >= 2 && ns >= runs,
		   "sched_process_exit: %lld runs in %lld ns", runs, ns);
	json_decref(tr);

	/* without --cost: no bpf_cost in the summary */
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", t, "--", "true", NULL);
	EXPECT_EQ(p.code, 0);
	proc__free(&p);
	tr = trace__load(t);
	ASSERT(tr);
	EXPECT(!json_object_get(trace__summary(tr), "bpf_cost"));
	json_decref(tr);
}

/* memtrace raises its own priority to drain under load; the program keeps the caller's. */
static void test_program_priority(void)
{
	char want[32];
	struct proc p;

	errno = 0;
	snprintf(want, sizeof(want), "%d\n", getpriority(PRIO_PROCESS, 0));
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-o", harness_tmp("nice.txt"), "--",
		      "sh", "-c", "cut -d' ' -f19 /proc/self/stat", NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT_STREQ(p.out, want);
	proc__free(&p);
}

static void test_true_status(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-o", harness_tmp("true.txt"), "--",
		      "/bin/true", NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT_MSG(p.err_len == 0, "stderr with -q: \"%s\"", p.err);
	proc__free(&p);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-o", harness_tmp("false.txt"), "--",
		      "/bin/false", NULL);
	EXPECT_EQ(p.code, 1);
	proc__free(&p);
}

/* Reads from fd until a '\n' arrives or timeout_ms passes. True if it did. */
static bool pipe__read_line(int fd, int timeout_ms)
{
	uint64_t deadline = clock__mono_ns() + (uint64_t)timeout_ms * 1000000ULL;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096];
	ssize_t r;

	while (clock__mono_ns() < deadline) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			return false;
		if (memchr(buf, '\n', r))
			return true;
	}
	return false;
}

/* `memtrace ... | head -1`: the reader leaves after one line. */
static void test_reader_leaves(void)
{
	struct proc_opts o = PROC_OPTS_DEFAULT;
	struct proc p;
	uint64_t closed;
	int fds[2];
	bool got;

	/* O_CLOEXEC: memtrace must hold only its stdout, not our read end */
	ASSERT(!pipe2(fds, O_CLOEXEC));
	o.stdout_fd = fds[1];
	ASSERT(!memtrace__spawn(&p, &o, "run", "-f", "json", "--", "sh", "-c",
				"for i in $(seq 200); do /bin/true; done", NULL));
	close(fds[1]);
	got = pipe__read_line(fds[0], START_TIMEOUT_MS);
	close(fds[0]);
	closed = clock__mono_ns();
	proc__wait(&p, 10000);
	EXPECT_MSG(got, "no first line on the pipe");
	EXPECT_MSG(!p.timed_out, "memtrace still ran 10 s after its reader left");
	EXPECT_MSG((clock__mono_ns() - closed) / 1e9 < 5, "memtrace took %.1f s to notice",
		   (clock__mono_ns() - closed) / 1e9);
	/* 141 = 128 + SIGPIPE, as for any program in a broken pipeline */
	EXPECT_EQ(p.code, 141);
	EXPECT_MSG(p.err_len == 0, "stderr is not empty: \"%s\"", p.err);
	proc__kill_group(&p);
	proc__free(&p);
}

/* Complete event lines in a JSON trace (no start or summary; a cut last line is not one). */
static long long trace__event_lines(const char *path)
{
	char *buf = file__read(path, NULL), *line, *nl;
	long long n = 0;

	for (line = buf; line && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		if (!strstr(line, "\"event\":\"start\"") && !strstr(line, "\"event\":\"summary\""))
			n++;
	}
	free(buf);
	return n;
}

/*
 * The disk fills mid-trace: memtrace still waits for the program it
 * started (the program is not left orphaned), and "only N of M events
 * were written" is exact: N is what the file holds.
 */
static void test_disk_full(void)
{
	char dir[PATH_MAX], out[PATH_MAX + 16], mark[PATH_MAX + 16], cmd[2 * PATH_MAX];
	struct proc p;
	long long n = -1, m = -1, lines;
	const char *said;

	snprintf(dir, sizeof(dir), "%s", harness_tmp("full"));
	snprintf(out, sizeof(out), "%s/t.jsonl", dir);
	snprintf(mark, sizeof(mark), "%s.done", dir);
	ASSERT(!mkdir(dir, 0700) || errno == EEXIST);
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=16k memtrace-test '%s'", dir);
	ASSERT_MSG(!system(cmd), "cannot mount a 16 KiB tmpfs on %s", dir);
	snprintf(cmd, sizeof(cmd), "for i in $(seq 100); do /bin/true; done; sleep 0.5; echo done > '%s'; exit 3", mark);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", out, "--",
		      "sh", "-c", cmd, NULL);
	/* at memtrace's exit the program has ended: it waited */
	EXPECT_MSG(access(mark, F_OK) == 0, "memtrace exited before its program ended");
	EXPECT_EQ(p.code, 1);
	said = p.err ? strstr(p.err, "only ") : NULL;
	EXPECT_MSG(said && sscanf(said, "only %lld of %lld events were written", &n, &m) == 2,
		   "no \"only N of M events were written\": \"%s\"", p.err ? p.err : "");
	lines = trace__event_lines(out);
	EXPECT_MSG(n == lines, "memtrace says %lld events were written, the file holds %lld", n, lines);
	/* 100 execs, each with its exec, exit and map: far more than 16 KiB holds */
	EXPECT_MSG(m > n + 300, "only %lld events counted in all, %lld written", m, n);
	proc__free(&p);
	snprintf(cmd, sizeof(cmd), "umount '%s'", dir);
	EXPECT(!system(cmd));
	unlink(mark);
}

/* Waits until /proc/pid/comm is comm: the workload has exec'd. */
static bool proc__wait_comm(long long pid, const char *comm, int timeout_ms)
{
	uint64_t deadline = clock__mono_ns() + (uint64_t)timeout_ms * 1000000ULL;
	char path[64], *buf, *nl;
	bool same;

	snprintf(path, sizeof(path), "/proc/%lld/comm", pid);
	do {
		buf = file__read(path, NULL);
		nl = buf ? strchr(buf, '\n') : NULL;
		if (nl)
			*nl = '\0';
		same = buf && !strcmp(buf, comm);
		free(buf);
		if (same)
			return true;
		usleep(5000);
	} while (clock__mono_ns() < deadline);
	return false;
}

/*
 * Starts `memtrace run -q -f json -o t -- cmd...` (cmd NULL-terminated) and
 * waits until the workload (root_pid) runs comm. Returns root_pid, or -1
 * after failing the test.
 */
static long long session__start(struct proc *p, const char *t, const char *comm,
				 const char *const *cmd)
{
	char *argv[32] = { (char *)harness_memtrace(), "run", "-q", "-f", "json", "-o",
			   (char *)t, "--" };
	char *buf, *nl;
	json_t *start;
	long long root;
	int n = 8;

	while (*cmd && n < 31)
		argv[n++] = (char *)*cmd++;
	argv[n] = NULL;
	if (proc__spawn(p, NULL, argv)) {
		harness_fail(__FILE__, __LINE__, "cannot start memtrace");
		return -1;
	}
	/* the start record is written once BPF is attached, before the workload runs */
	if (file__wait_for(t, "\n", START_TIMEOUT_MS) < 0) {
		harness_fail(__FILE__, __LINE__, "no start record in %s after %d ms", t,
			     START_TIMEOUT_MS);
		return -1;
	}
	buf = file__read(t, NULL);
	nl = buf ? strchr(buf, '\n') : NULL;
	if (nl)
		nl[1] = '\0';
	start = buf ? jsonl__parse(buf, t) : NULL;
	free(buf);
	root = trace__root_pid(start);
	json_decref(start);
	if (root <= 0 || !proc__wait_comm(root, comm, START_TIMEOUT_MS)) {
		harness_fail(__FILE__, __LINE__, "workload %lld never became %s", root, comm);
		return -1;
	}
	return root;
}

static const char *const sleep30[] = { "sleep", "30", NULL };
/* SIGINT ignored by sh and, inherited, by its sleep */
static const char *const sh_ignoring_int[] = {
	"sh", "-c", "trap '' INT; sleep 30; echo survived", NULL,
};

/* Sends sig to memtrace; it must stop the workload with it and end like it. */
static void stop_with(int sig, const char *name)
{
	const char *t = harness_tmp(name);
	struct bpf_snapshot base;
	struct proc p;
	long long root;
	uint64_t sent;
	double took;
	json_t *tr, *ex;

	bpf__snapshot(&base);
	root = session__start(&p, t, "sleep", sleep30);
	if (root < 0) {
		proc__free(&p);
		return;
	}
	sent = clock__mono_ns();
	kill(p.pid, sig);
	proc__wait(&p, 10000);
	took = (clock__mono_ns() - sent) / 1e9;
	EXPECT_MSG(!p.timed_out && took < 3, "memtrace took %.1f s to stop after signal %d",
		   took, sig);
	EXPECT_EQ(p.code, 128 + sig);
	proc__kill_group(&p);
	proc__free(&p);

	tr = trace__load(t);
	ASSERT(tr);
	ex = trace__exit_of(tr, root);
	EXPECT_MSG(ex, "no exit event of the workload %lld", root);
	EXPECT_EQ(ev__int_or(ex, "signal", -1), sig);
	EXPECT_STREQ(ev__str(ex, "comm"), "sleep");
	EXPECT_EQ(ev__int_or(trace__summary(tr), "exit_status", -1), 128 + sig);
	EXPECT_EQ(ev__int_or(trace__summary(tr), "lost", -1), 0);
	json_decref(tr);
	EXPECT_EQ(bpf__leftovers(&base, 3000), 0);
}

static void test_sigint(void)
{
	stop_with(SIGINT, "sigint.jsonl");
}

static void test_sigterm(void)
{
	stop_with(SIGTERM, "sigterm.jsonl");
}

/*
 * SIGTERM while memtrace is still loading: it exits 143 at once and the
 * program it holds never runs (no untraced orphan left behind).
 */
static void test_sigterm_while_loading(void)
{
	struct proc m;
	int delay_ms;

	for (delay_ms = 5; delay_ms <= 40; delay_ms += 15) {
		struct timespec ts = { 0, delay_ms * 1000000L };
		struct proc left;

		ASSERT(!memtrace__spawn(&m, NULL, "run", "-q", "-o", "/dev/null", "--",
					"sleep", "7.25", NULL));
		nanosleep(&ts, NULL);
		kill(m.pid, SIGTERM);
		proc__wait(&m, 3000);
		EXPECT_MSG(!m.timed_out, "memtrace did not stop %d ms after start", delay_ms);
		EXPECT_EQ(m.code, 143);
		proc__free(&m);
		proc__run(&left, 5000, "pgrep", "-f", "^sleep 7.25$", NULL);
		EXPECT_MSG(left.code == 1, "the held program ran anyway (TERM at %d ms): pgrep says %s",
			   delay_ms, left.out);
		proc__free(&left);
	}
}

/*
 * A workload that ignores SIGINT: one SIGINT ends memtrace after a short
 * grace, a second one at once.
 */
static void test_sigint_ignored(void)
{
	const char *t1 = harness_tmp("sigint-ignored1.jsonl");
	const char *t2 = harness_tmp("sigint-ignored2.jsonl");
	struct proc p;
	uint64_t sent;
	double took;
	json_t *tr;

	if (session__start(&p, t1, "sh", sh_ignoring_int) > 0) {
		usleep(100 * 1000);	/* let sh set its trap and fork sleep */
		sent = clock__mono_ns();
		kill(p.pid, SIGINT);
		proc__wait(&p, 10000);
		took = (clock__mono_ns() - sent) / 1e9;
		EXPECT_MSG(!p.timed_out && took < 3, "one SIGINT: memtrace took %.1f s", took);
		EXPECT_EQ(p.code, 130);
		tr = trace__load(t1);
		json_decref(tr);
	}
	proc__kill_group(&p);
	proc__free(&p);

	if (session__start(&p, t2, "sh", sh_ignoring_int) > 0) {
		usleep(100 * 1000);
		kill(p.pid, SIGINT);
		usleep(100 * 1000);
		sent = clock__mono_ns();
		kill(p.pid, SIGINT);
		proc__wait(&p, 10000);
		took = (clock__mono_ns() - sent) / 1e9;
		/* the grace period after the first one is 1 s: this must beat it */
		EXPECT_MSG(!p.timed_out && took < 0.5, "second SIGINT: memtrace took %.2f s", took);
		EXPECT_EQ(p.code, 130);
	}
	proc__kill_group(&p);
	proc__free(&p);
}

/* The trace of a running workload is readable before the workload ends. */
static void test_streaming(void)
{
	const char *t = harness_tmp("streaming.jsonl");
	struct proc p;
	int ms;

	static const char *const sleep10[] = { "sleep", "10", NULL };

	if (session__start(&p, t, "sleep", sleep10) > 0) {
		/* the exec record was produced; it must reach the file soon */
		ms = file__wait_for(t, "\"event\":\"exec\"", 3000);
		EXPECT_MSG(ms >= 0, "no exec event in %s 3 s after the workload exec'd "
			   "(events held back until exit?)", t);
		kill(p.pid, SIGINT);
		proc__wait(&p, 10000);
	}
	proc__kill_group(&p);
	proc__free(&p);
}

static void test_nothing_left_after_exit(void)
{
	struct bpf_snapshot base;
	struct proc p;

	bpf__snapshot(&base);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-o", "/dev/null", "--", "/bin/true", NULL);
	EXPECT_EQ(p.code, 0);
	proc__free(&p);
	EXPECT_EQ(bpf__leftovers(&base, 3000), 0);
}

static void test_nothing_left_after_kill9(void)
{
	const char *t = harness_tmp("kill9-memtrace.jsonl");
	struct bpf_snapshot base;
	struct proc p;

	bpf__snapshot(&base);
	if (session__start(&p, t, "sleep", sleep30) > 0) {
		/* while it runs they are there: the check below can see them */
		EXPECT_MSG(bpf__new_progs(&base) >= 4, "no memtrace programs seen while it runs");
		kill(p.pid, SIGKILL);
		proc__wait(&p, 10000);
		EXPECT_EQ(p.code, 137);
	}
	/* the workload outlives memtrace; not ours to judge, just to clean up */
	proc__kill_group(&p);
	proc__free(&p);
	EXPECT_EQ(bpf__leftovers(&base, 3000), 0);
}

static const struct harness_test tests[] = {
	{ "exit status: sh -c 'exit 5' -> 5", test_exit_status, true },
	{ "exit status: killed by SIGKILL -> 137, exit event signal 9", test_killed_status, true },
	{ "exit status: /bin/true -> 0, /bin/false -> 1", test_true_status, true },
	{ "failed execve: exec event with error ENOENT", test_failed_exec, true },
	{ "the program keeps the caller's nice level", test_program_priority, true },
	{ "--cost: runs and kernel time per hook, statistics off again", test_cost, true },
	{ "ring buffer overflow: delivered + lost == all, warned even with -q", test_lost_counted, true },
	{ "reader leaves after one line: exit 141 fast, quiet", test_reader_leaves, true },
	{ "disk full: waits for the program, written N of M exact", test_disk_full, true },
	{ "SIGINT: forwarded, exit 130, complete trace, nothing left", test_sigint, true },
	{ "SIGTERM: forwarded, exit 143, complete trace, nothing left", test_sigterm, true },
	{ "SIGTERM while loading: exit 143, the program never runs", test_sigterm_while_loading, true },
	{ "SIGINT ignored by the workload: grace, 2nd SIGINT at once", test_sigint_ignored, true },
	{ "events reach the output while the workload runs", test_streaming, true },
	{ "nothing left attached after a normal exit", test_nothing_left_after_exit, true },
	{ "nothing left attached after kill -9 of memtrace", test_nothing_left_after_kill9, true },
	{ NULL, NULL, false },
};

int main(void)
{
	return harness_main(tests);
}
