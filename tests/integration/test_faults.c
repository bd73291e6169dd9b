// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Integration tests of issue 11: tests/progs/faultprog takes page faults
 * whose classes and counts are known; the trace's faults records must
 * have exactly those for those regions, rss and as_end must agree with
 * the kernel's VmHWM/VmRSS, and nothing may be lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	30000

struct expect {
	uint64_t anon, file, filew, kread, stack_lo, child;
	long n_anon, n_file, n_filew, n_kread, n_stack, n_cow, hwm_kb, rss_kb;
};

static bool expect__read(struct expect *x, const char *path)
{
	char *buf = file__read(path, NULL);
	bool ok;

	if (!buf)
		return false;
	ok = sscanf(buf, "anon %lx %ld\nfile %lx %ld\nfilew %lx %ld\nkread %lx %ld\nstack %lx %ld\n"
		    "cow %*x %ld\nchild %lu\nhwm_kb %ld\nrss_kb %ld\n",
		    &x->anon, &x->n_anon, &x->file, &x->n_file, &x->filew, &x->n_filew,
		    &x->kread, &x->n_kread, &x->stack_lo, &x->n_stack, &x->n_cow, &x->child,
		    &x->hwm_kb, &x->rss_kb) == 14;
	free(buf);
	return ok;
}

/* Sum of class `cls` over the faults records of pid whose region holds addr. */
static long faults__at(const json_t *tr, long long pid, uint64_t addr, const char *cls)
{
	uint64_t start, end;
	long sum = 0;
	size_t i;
	json_t *ev;

	json_array_foreach(tr, i, ev) {
		if (!ev__is(ev, "faults") || ev__int_or(ev, "pid", -1) != pid ||
		    !ev__addr(ev, "start", &start) || !ev__addr(ev, "end", &end))
			continue;
		if (addr >= start && addr < end)
			sum += ev__int_or(ev, cls, 0);
	}
	return sum;
}

/* Sum of every faults record's counts, and of every as_end's totals. */
static void faults__totals(const json_t *tr, long long *records, long long *as_ends)
{
	size_t i;
	json_t *ev;

	*records = *as_ends = 0;
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "faults"))
			*records += ev__int_or(ev, "total", 0);
		else if (ev__is(ev, "as_end"))
			*as_ends += ev__int_or(json_object_get(ev, "faults"), "total", 0);
	}
}

static json_t *as_end__of(const json_t *tr, long long pid)
{
	size_t i;
	json_t *ev;

	json_array_foreach(tr, i, ev)
		if (ev__is(ev, "as_end") && ev__int_or(ev, "pid", -1) == pid)
			return ev;
	return NULL;
}

static void test_ground_truth(void)
{
	const char *out = harness_tmp("faults.out");
	struct expect x;
	json_t *tr, *sum, *end;
	long long pid, rec_total, end_total, peak;
	long file;
	int code;

	tr = memtrace__trace("faults.jsonl", RUN_TIMEOUT_MS, &code, NULL,
			     (char *[]){ "-m", "--", (char *)harness_bin("faultprog"), (char *)out,
					 (char *)harness_tmp("faults.dat"), NULL });
	ASSERT_MSG(code == 0, "memtrace exited %d", code);
	ASSERT_MSG(expect__read(&x, out), "faultprog wrote no results to %s", out);
	ASSERT(tr);
	pid = trace__root_pid(tr);
	sum = trace__summary(tr);
	EXPECT_EQ(ev__int_or(sum, "lost", -1), 0);

	/* exact: one fault per page for anonymous writes, file writes, read(2), stack growth */
	EXPECT_EQ(faults__at(tr, pid, x.anon, "anon"), x.n_anon);
	EXPECT_EQ(faults__at(tr, pid, x.anon, "cow"), 0);
	EXPECT_EQ(faults__at(tr, pid, x.filew, "file_cow"), x.n_filew);
	EXPECT_EQ(faults__at(tr, pid, x.kread, "anon"), x.n_kread);
	EXPECT_EQ(faults__at(tr, pid, x.stack_lo - 4096, "stack"), x.n_stack);
	/*
	 * File reads: fault-around (mm/memory.c do_fault_around) maps up to
	 * fault_around_bytes (64 KiB, 16 pages) per fault, so N pages take
	 * between N/16 and N faults.
	 */
	file = faults__at(tr, pid, x.file, "file");
	EXPECT_MSG(file >= x.n_file / 16 && file <= x.n_file,
		   "file faults %ld for %ld pages read", file, x.n_file);
	/* the child's copies of the pages it wrote, in its own address space */
	EXPECT_EQ(faults__at(tr, x.child, x.anon, "cow"), x.n_cow);
	EXPECT_EQ(faults__at(tr, x.child, x.anon, "anon"), 0);

	/* every fault is in a faults record, and in its address space's as_end */
	faults__totals(tr, &rec_total, &end_total);
	EXPECT_EQ(rec_total, end_total);

	/* the kernel's own figures: VmHWM of a process that did not exec */
	end = as_end__of(tr, pid);
	ASSERT_MSG(end, "no as_end for pid %lld", pid);
	peak = ev__int_or(end, "rss_peak", -1);
	EXPECT_EQ(peak / 1024, x.hwm_kb);
	EXPECT_EQ(ev__int_or(end, "rss_total", -1) / 1024, x.rss_kb);
	json_decref(tr);
}

/* Without -m, a command is traced as before: no memory records at all. */
static void test_off_by_default(void)
{
	json_t *tr;
	int code;

	tr = memtrace__trace("nofaults.jsonl", RUN_TIMEOUT_MS, &code, NULL,
			     (char *[]){ "--", "/bin/true", NULL });
	ASSERT_EQ(code, 0);
	ASSERT(tr);
	EXPECT_EQ(events__count_type(tr, "faults", -1), 0);
	EXPECT_EQ(events__count_type(tr, "rss", -1), 0);
	EXPECT_EQ(events__count_type(tr, "as_end", -1), 0);
	json_decref(tr);
}

/* --faults=all: one fault event per fault, as many as the faults records count. */
static void test_faults_all(void)
{
	long long rec_total, end_total;
	json_t *tr;
	int code;

	tr = memtrace__trace("faultsall.jsonl", RUN_TIMEOUT_MS, &code, NULL,
			     (char *[]){ "--faults=all", "--", (char *)harness_bin("faultprog"),
					 (char *)harness_tmp("faultsall.out"),
					 (char *)harness_tmp("faultsall.dat"), NULL });
	ASSERT_MSG(code == 0, "memtrace exited %d", code);
	ASSERT(tr);
	EXPECT_EQ(ev__int_or(trace__summary(tr), "lost", -1), 0);
	faults__totals(tr, &rec_total, &end_total);
	EXPECT_EQ((long long)events__count_type(tr, "fault", -1), rec_total);
	json_decref(tr);
}

/*
 * Many regions of one address space, each with one fault, removed by
 * munmap, by a MAP_FIXED mmap over it, or at exit: each is written exactly
 * once, with its own bounds and reason, and no flush takes a neighbour.
 * 100 regions fill more than one page of the kernel's index; 1100 more
 * than all its pages, so that flushes walk the whole map instead.
 */
static void regions__check(long want_n)
{
	const char *out = harness_tmp("regions.out");
	long long pid, rec_total, end_total;
	char nbuf[32], *buf;
	uint64_t base, start, end, i;
	long n = 0, *seen, bad = 0, stray = 0;
	const char *reason, *want;
	json_t *tr, *ev;
	size_t k;
	int code;

	snprintf(nbuf, sizeof(nbuf), "%ld", want_n);
	tr = memtrace__trace("regions.jsonl", RUN_TIMEOUT_MS, &code, NULL,
			     (char *[]){ "-m", "--", (char *)harness_bin("regionprog"), nbuf,
					 (char *)out, NULL });
	ASSERT_MSG(code == 0, "memtrace exited %d", code);
	buf = file__read(out, NULL);
	ASSERT_MSG(buf && sscanf(buf, "base %lx\nn %ld\n", &base, &n) == 2 && n == want_n,
		   "regionprog wrote no results to %s", out);
	free(buf);
	ASSERT(tr);
	pid = trace__root_pid(tr);
	EXPECT_EQ(ev__int_or(trace__summary(tr), "lost", -1), 0);
	seen = calloc(n, sizeof(*seen));
	ASSERT(seen);
	json_array_foreach(tr, k, ev) {
		if (!ev__is(ev, "faults") || ev__int_or(ev, "pid", -1) != pid ||
		    !ev__addr(ev, "start", &start) || !ev__addr(ev, "end", &end) ||
		    end <= base || start >= base + 2 * n * 4096)
			continue;
		i = (start - base) / 4096;
		if ((start - base) % (2 * 4096) || end != start + 4096 ||
		    ev__int_or(ev, "anon", -1) != 1 || ev__int_or(ev, "total", -1) != 1) {
			if (stray++ < 3)
				harness_diag("unexpected record %s", ev__show(ev));
			continue;
		}
		i /= 2;
		reason = ev__str(ev, "reason");
		want = i % 4 == 0 ? "as_end" : "unmap";
		if (!reason || strcmp(reason, want)) {
			if (bad++ < 3)
				harness_diag("region %lu: reason %s, want %s", (unsigned long)i,
					     reason ? reason : "(none)", want);
		}
		seen[i]++;
	}
	EXPECT_EQ(stray, 0);
	EXPECT_EQ(bad, 0);
	for (i = 0; i < (uint64_t)n; i++)
		if (seen[i] != 1 && bad++ < 6)
			harness_diag("region %lu written %ld times", (unsigned long)i, seen[i]);
	EXPECT_EQ(bad, 0);
	free(seen);
	faults__totals(tr, &rec_total, &end_total);
	EXPECT_EQ(rec_total, end_total);
	json_decref(tr);
}

/*
 * Threads of one process unmapping touched pages on two CPUs at once
 * (tests/progs/threadstorm with touch: 16 pages per mapping):
 * each munmap flushes its region's faults into the address space's
 * totals, and none of those additions may be lost (as_end = records).
 */
static void test_concurrent_unmaps(void)
{
	long long rec_total, end_total;
	json_t *tr;
	int code;

	tr = memtrace__trace("unmaps.jsonl", RUN_TIMEOUT_MS * 4, &code, NULL,
			     (char *[]){ "-m", "-b", "64M", "--", (char *)harness_bin("threadstorm"),
					 "2", "20000", "touch", NULL });
	ASSERT_MSG(code == 0, "memtrace exited %d", code);
	ASSERT(tr);
	EXPECT_EQ(ev__int_or(trace__summary(tr), "lost", -1), 0);
	faults__totals(tr, &rec_total, &end_total);
	/* at least the first touch of every page mapped: 2 threads x 20000 x 16 pages */
	EXPECT_MSG(rec_total >= 2 * 20000 * 16, "%lld faults for 640000 pages touched", rec_total);
	EXPECT_EQ(rec_total, end_total);
	json_decref(tr);
}

static void test_regions_indexed(void)
{
	regions__check(100);
}

static void test_regions_overflow(void)
{
	regions__check(1100);
}

static const struct harness_test tests[] = {
	{ "ground truth: anon, file (fault-around), file_cow, read(2), stack, child cow; VmHWM",
	  test_ground_truth, true },
	{ "a command without -m: no memory records", test_off_by_default, true },
	{ "--faults=all: one fault event per fault counted", test_faults_all, true },
	{ "100 regions: each written once, at its munmap, MAP_FIXED or exit", test_regions_indexed,
	  true },
	{ "1100 regions (index full): each written once all the same", test_regions_overflow, true },
	{ "threads unmapping on two CPUs at once: as_end has every fault the records have",
	  test_concurrent_unmaps, true },
	{ NULL, NULL, false },
};

int main(void)
{
	return harness_main(tests);
}
