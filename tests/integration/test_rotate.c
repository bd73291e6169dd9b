// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_rotate - long runs written to files an operator can ship (issue 13
 * case 15): --rotate SIZE[,COUNT] splits -o into FILE, FILE.1, ... each a
 * trace of its own, with no event lost or written twice across files;
 * SIGHUP reopens -o after logrotate moved it, and still stops a run
 * without -o.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	20000
#define STORM_N		10000
#define ROTATE_SIZE	(64 << 10)
#define MAX_FILES	256

static const char *const types[] = {
	"fork", "exec", "exit", "mmap", "munmap", "brk", "mprotect", "mremap",
};
#define NTYPES	(sizeof(types) / sizeof(types[0]))

static long long summary__count(const json_t *sum, const char *obj, const char *type)
{
	return ev__int_or(json_object_get(sum, obj), type, -1);
}

/*
 * One file of a split trace, checked on its own: it loads (start first,
 * summary last), `memtrace report` accepts it, and its summary counts
 * exactly the events in it. Adds its events to all. Returns the trace.
 */
static json_t *part__check(const char *path, json_t *all)
{
	json_t *tr = trace__load(path), *sum, *ev;
	struct proc p;
	size_t i, n;

	if (!EXPECT_MSG(tr, "%s is not a complete trace", path))
		return NULL;
	memtrace__run(&p, RUN_TIMEOUT_MS, "report", "-f", "json", path, NULL);
	EXPECT_MSG(p.code == 0, "memtrace report %s: exit %d: %s", path, p.code, p.err);
	proc__free(&p);
	sum = trace__summary(tr);
	for (i = 0; i < NTYPES; i++) {
		n = events__count_type(tr, types[i], -1);
		EXPECT_MSG((long long)n == summary__count(sum, "events", types[i]),
			   "%s: %zu %s events, its summary says %lld", path, n, types[i],
			   summary__count(sum, "events", types[i]));
	}
	n = json_array_size(tr);
	for (i = 1; i + 1 < n; i++) {
		ev = json_array_get(tr, i);
		json_array_append(all, ev);
	}
	return tr;
}

/* FILE.k, or FILE for k == 0 */
static const char *part__path(const char *path, int k)
{
	static char buf[512];

	if (!k)
		return path;
	snprintf(buf, sizeof(buf), "%s.%d", path, k);
	return buf;
}

/* How many FILE.k exist: FILE.1 ... FILE.n. */
static int parts__count(const char *path)
{
	int k = 1;

	while (k < MAX_FILES && file__exists(part__path(path, k)))
		k++;
	return k - 1;
}

/* one of the storm's own calls (not the loader's mprotects) */
static bool ev__is_storm_call(const json_t *ev, void *ctx)
{
	const char *prot = ev__str(ev, "prot");

	return ev__is(ev, "mprotect") && ev__int_or(ev, "len", 0) == 4096 && prot &&
	       !strcmp(prot, "rw-");
}

/*
 * A storm of mprotect calls with a small SIZE: the files, read oldest
 * first, hold every event the summaries count, in order, each once.
 */
static void test_rotate_storm(void)
{
	const char *out = harness_tmp("storm.jsonl");
	json_t *all = json_array(), *tr, *ev, *start;
	long long mprotects = 0, lost = 0, storms, wall = -1, part, ts, last_ts = -1;
	char n[32];
	struct proc p;
	struct stat st;
	int k, nold;
	size_t i;

	snprintf(n, sizeof(n), "%d", STORM_N);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-b", "16M", "-o", out,
		      "--rotate", "64K", "--", harness_bin("storm"), n, NULL);
	ASSERT_EQ(p.code, 0);
	proc__free(&p);
	nold = parts__count(out);
	harness_diag("%d files", nold + 1);
	/* about 1.3 MB of events in 64 KiB files */
	ASSERT_MSG(nold >= 10, "only %d rotated files", nold);
	for (k = nold; k >= 0; k--) {
		const char *path = part__path(out, k);

		ASSERT(!stat(path, &st));
		/* the record that crossed SIZE, then the summary */
		EXPECT_MSG(st.st_size < ROTATE_SIZE + 2048, "%s has %lld bytes", path,
			   (long long)st.st_size);
		EXPECT_EQ(st.st_mode & 0777, 0600);
		tr = part__check(path, all);
		if (!tr)
			return;
		start = json_array_get(tr, 0);
		part = ev__int_or(start, "part", -1);
		EXPECT_MSG(part == nold - k + 1, "%s is part %lld, want %d", path, part, nold - k + 1);
		/* one t0 for every file, so that ts goes on across them */
		if (wall < 0)
			wall = ev__int_or(start, "wall_start_ns", -1);
		EXPECT_EQ(ev__int_or(start, "wall_start_ns", -2), wall);
		EXPECT(ev__int_or(start, "root_pid", 0) > 0);
		/* only the last file knows how the program ended */
		EXPECT_EQ(json_is_null(json_object_get(trace__summary(tr), "exit_status")), k != 0);
		mprotects += summary__count(trace__summary(tr), "events", "mprotect");
		lost += summary__count(trace__summary(tr), "lost_by_type", "mprotect");
		json_decref(tr);
	}
	json_array_foreach(all, i, ev) {
		ts = ev__int_or(ev, "ts", -1);
		if (!EXPECT_MSG(ts >= last_ts, "event %zu of the union goes back in time: %s", i,
				ev__show(ev)))
			break;
		last_ts = ts;
	}
	/* none lost or written twice: the storm's calls, each in one file */
	EXPECT_EQ((long long)events__count_type(all, "mprotect", -1), mprotects);
	storms = events__count(all, ev__is_storm_call, NULL);
	harness_diag("%lld storm calls in the files, %lld mprotect events lost", storms, lost);
	EXPECT(storms <= STORM_N && storms + lost >= STORM_N);
	if (!lost)
		EXPECT_EQ(storms, STORM_N);
	json_decref(all);
}

/* --rotate SIZE,COUNT keeps COUNT old files, the newest ones */
static void test_rotate_count(void)
{
	const char *out = harness_tmp("count.jsonl");
	long long part0 = -1, part;
	json_t *tr;
	struct proc p;
	int k;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-b", "16M", "-o", out,
		      "--rotate", "64K,2", "--", harness_bin("storm"), "6000", NULL);
	ASSERT_EQ(p.code, 0);
	proc__free(&p);
	EXPECT_EQ(parts__count(out), 2);
	for (k = 0; k <= 2; k++) {
		tr = trace__load(part__path(out, k));
		ASSERT(tr);
		part = ev__int_or(json_array_get(tr, 0), "part", -1);
		if (!k)
			part0 = part;
		EXPECT_EQ(part, part0 - k);	/* the newest files */
		EXPECT(part > 5);
		json_decref(tr);
	}
}

static int execs__in(const char *path)
{
	json_t *tr = trace__load(path), *ev;
	const char *f;
	int n = 0;
	size_t i;

	if (!tr)
		return -1;
	json_array_foreach(tr, i, ev) {
		f = ev__str(ev, "filename");
		if (ev__is(ev, "exec") && f && !strcmp(f, "/bin/true"))
			n++;
	}
	json_decref(tr);
	return n;
}

/*
 * SIGHUP with -o, as logrotate's postrotate sends it: a HUP while FILE is
 * still in place changes nothing; after FILE was moved, the old file ends
 * with its summary and a new FILE starts. The run goes on to its end.
 */
static void test_sighup_reopens(void)
{
	const char *out = harness_tmp("hup.jsonl"), *moved = harness_tmp("hup.jsonl.moved");
	struct proc_opts o = PROC_OPTS_DEFAULT;
	json_t *tr;
	struct proc p;
	int a, b;

	memtrace__spawn(&p, &o, "run", "-q", "-f", "json", "-o", out, "--", "/bin/sh", "-c",
			"for i in 1 2 3 4 5 6 7 8; do /bin/true; sleep 0.1; done", NULL);
	ASSERT_MSG(file__wait_for(out, "\"filename\":\"/bin/true\"", 10000) >= 0, "no exec of /bin/true in %s", out);
	kill(p.pid, SIGHUP);	/* not moved: nothing to do */
	usleep(200 * 1000);
	ASSERT(!rename(out, moved));
	kill(p.pid, SIGHUP);
	proc__wait(&p, RUN_TIMEOUT_MS);
	EXPECT(!p.timed_out);
	EXPECT_MSG(p.code == 0, "exit %d (SIGHUP must not stop a -o run): %s", p.code, p.err);
	proc__free(&p);

	tr = part__check(moved, json_array());
	ASSERT(tr);
	EXPECT(!json_object_get(json_array_get(tr, 0), "part"));	/* absent: part 1 */
	EXPECT(json_is_null(json_object_get(trace__summary(tr), "exit_status")));
	json_decref(tr);
	tr = part__check(out, json_array());
	ASSERT(tr);
	EXPECT_EQ(ev__int_or(json_array_get(tr, 0), "part", -1), 2);
	EXPECT_EQ(ev__int_or(trace__summary(tr), "exit_status", -1), 0);
	json_decref(tr);
	a = execs__in(moved);
	b = execs__in(out);
	harness_diag("execs of /bin/true: %d before the HUP, %d after", a, b);
	EXPECT(a >= 1 && b >= 1);
	EXPECT_EQ(a + b, 8);
}

/* without -o, SIGHUP still stops the trace (the events go to a terminal) */
static void test_sighup_stops_without_o(void)
{
	struct proc_opts o = PROC_OPTS_DEFAULT;
	struct proc p;

	memtrace__spawn(&p, &o, "run", "-f", "json", "--", "/bin/sleep", "10", NULL);
	ASSERT_MSG(file__wait_for(p.out_path, "\"exec\"", 10000) >= 0, "no exec in the output");
	kill(p.pid, SIGHUP);
	proc__wait(&p, 5000);
	EXPECT(!p.timed_out);
	EXPECT_EQ(p.code, 128 + SIGHUP);
	proc__free(&p);
}

static void expect_usage_error(const char *want, const char *arg, const char *o)
{
	struct proc p;

	if (o)
		memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--rotate", arg, "-o", o, "heap", NULL);
	else
		memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--rotate", arg, "heap", NULL);
	EXPECT_EQ(p.code, 2);
	EXPECT_MSG(p.err && strstr(p.err, want), "stderr lacks \"%s\": %s", want, p.err);
	proc__free(&p);
}

static void test_rotate_usage(void)
{
	expect_usage_error("give it -o FILE", "1M", NULL);
	expect_usage_error("bad --rotate", "1M,", "x.jsonl");
	expect_usage_error("bad --rotate", "1M,0", "x.jsonl");
	expect_usage_error("bad --rotate", "big", "x.jsonl");
	expect_usage_error("too small", "1K", "x.jsonl");
}

static const struct harness_test tests[] = {
	{ "--rotate: union of the files = the summaries' events, in order", test_rotate_storm, true },
	{ "--rotate SIZE,COUNT: COUNT old files kept", test_rotate_count, true },
	{ "SIGHUP with -o: reopens after a move, the run goes on", test_sighup_reopens, true },
	{ "SIGHUP without -o: stops the trace", test_sighup_stops_without_o, true },
	{ "--rotate: usage errors", test_rotate_usage, false },
	{ NULL, NULL, false },
};

int main(void)
{
	return harness_main(tests);
}
