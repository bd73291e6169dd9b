// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_order - is the trace in time order? Four threads of
 * tests/bin/threadstorm make mmap/munmap pairs at once, on both CPUs. Each
 * thread's events must come with non-decreasing ts (a thread's syscalls
 * happen one after the other, whatever CPU it runs on), and the whole
 * trace must be sorted once each event may move up to READER_WINDOW
 * (4096) places: that is what `memtrace report`'s reader sorts, so it
 * then sees every event in time order (its "late" count stays 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	120000
#define THREADS		"4"
#define PAIRS		"5000"
#define WINDOW		4096	/* READER_WINDOW (user/event/reader.h) */
#define MAX_TIDS	64

struct tid_last {
	long long tid, ts, n;
};

static struct tid_last *tid__slot(struct tid_last *t, size_t *n, long long tid)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (t[i].tid == tid)
			return &t[i];
	if (*n == MAX_TIDS)
		return NULL;
	t[*n] = (struct tid_last){ .tid = tid, .ts = -1 };
	return &t[(*n)++];
}

static void test_threadstorm_order(void)
{
	const char *out = harness_tmp("order.jsonl");
	struct tid_last tids[MAX_TIDS];
	long long ts, lost = -1, *ts_at, maxback = 0, storm_tids = 0;
	size_t ntids = 0, i, n, nts = 0, late = 0, back = 0;
	json_t *tr, *ev, *sum;
	struct tid_last *t;
	struct proc p;
	int code;

	code = memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", out, "--",
			     harness_bin("threadstorm"), THREADS, PAIRS, NULL);
	EXPECT_EQ(code, 0);
	proc__free(&p);
	tr = trace__load(out);
	ASSERT(tr);
	sum = trace__summary(tr);
	EXPECT(sum && ev__int(sum, "lost", &lost));
	EXPECT_EQ(lost, 0);
	n = json_array_size(tr);
	ts_at = calloc(n, sizeof(*ts_at));
	ASSERT(ts_at);
	/* the records between the start and the summary, in file order */
	for (i = 1; i + 1 < n; i++) {
		ev = json_array_get(tr, i);
		if (!ev__int(ev, "ts", &ts)) {
			harness_fail(__FILE__, __LINE__, "event %zu has no ts: %s", i, ev__show(ev));
			continue;
		}
		t = tid__slot(tids, &ntids, ev__int_or(ev, "tid", -1));
		if (t) {
			EXPECT_MSG(ts >= t->ts, "tid %lld went back in time at line %zu: %lld after %lld",
				   t->tid, i + 1, ts, t->ts);
			t->ts = ts;
			t->n++;
		}
		/* the running maximum: how far back this event reaches */
		if (nts && ts < ts_at[nts - 1]) {
			back++;
			if (ts_at[nts - 1] - ts > maxback)
				maxback = ts_at[nts - 1] - ts;
		}
		/* later than an event WINDOW places before it: the reader could not sort it */
		if (nts >= WINDOW && ts < ts_at[nts - WINDOW])
			late++;
		ts_at[nts] = nts && ts_at[nts - 1] > ts ? ts_at[nts - 1] : ts;
		nts++;
	}
	for (i = 0; i < ntids; i++)
		if (tids[i].n >= 2 * atoi(PAIRS))
			storm_tids++;
	EXPECT_MSG(storm_tids == atoi(THREADS), "%lld threads with %d events or more, want %s",
		   storm_tids, 2 * atoi(PAIRS), THREADS);
	EXPECT_MSG(late == 0, "%zu events came more than %d events late", late, WINDOW);
	harness_diag("%zu events, %zu behind the running maximum ts (at most %lld ns behind)",
		     nts, back, maxback);
	free(ts_at);
	json_decref(tr);
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "threadstorm: per-thread ts order, sorted within the reader's window",
		  test_threadstorm_order, true },
		{ NULL, NULL, false },
	};

	return harness_main(tests);
}
