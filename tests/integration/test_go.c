// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_go - the Go workloads: the kernel's story must match the Go
 * program's own.
 *
 * Each Go workload runs under `memtrace run -f json -o T NAME ARGS` with its
 * self-report (workloads/README.md), as in test_workloads.c, and the claims
 * the seed makes about Go are held against what the kernel saw: a thousand
 * goroutines on a few raw-clone threads with no syscall of their own, their
 * stacks and escaped locals inside the heap arena that the runtime reserved
 * PROT_NONE at 0xc000000000 and committed rw- with MAP_FIXED; os/exec's
 * vfork-style clone that shares the parent's as until exec; no brk, and
 * arena commits that add up to what runtime.MemStats says it has.
 *
 * The checks are plain functions of (trace, self-report); the last test
 * runs them on doctored copies of real runs and requires each to be
 * rejected. go-heap's debug.FreeOSMemory() is held against the madvise
 * and rss records (bundled workloads get them by default): what MemStats
 * says was released is madvise(MADV_DONTNEED)'d inside arena commits, and
 * RSS falls by most of it.
 *
 * The Go workloads are built only when `go` is found: without them these
 * tests skip, and fail under MEMTRACE_REQUIRE_BPF=1, as CI runs them.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "selfcheck.h"

#define ARENA_HINT	0xc000000000ULL	/* Go's first heap arena on linux/amd64 */
#define ARENA_BYTES	(64ULL << 20)	/* heapArenaBytes */
#define GOROUTINES	1000
#define HEAP_BLOCKS	64
#define BLOCK		(1ULL << 20)
/* threads the runtime may start beyond GOMAXPROCS: sysmon, a template, GC */
#define EXTRA_THREADS	3
/*
 * go-heap: RSS after FreeOSMemory's madvise calls must be below the peak by
 * at least RSS_DROP_NUM/RSS_DROP_DEN of the bytes released. Not all of
 * them: an rss record is written only when RSS moved by --rss-step
 * (max(1 MiB, RSS/64), about 1.1 MiB at the peak), so the last one before
 * the exit may trail the truth by a step, and released pages that were
 * never touched (the rest of a 4 MiB commit) were never resident. Measured:
 * the drop is 99-100% of the release.
 */
#define RSS_DROP_NUM	3
#define RSS_DROP_DEN	4

/* ---- the runs ----------------------------------------------------------- */

static void check_exec(const struct selfcheck_run *r);
static void check_goroutines(const struct selfcheck_run *r);
static void check_race(const struct selfcheck_run *r);
static void check_channel(const struct selfcheck_run *r);
static void check_heap(const struct selfcheck_run *r);

enum { EXEC, GOR, RACE, FIX1, FIX2, CHAN, HEAP, NRUNS };

#define CHILD_EXIT	3

/* n: goroutines / producers / blocks; m: -m */
static const struct selfcheck_spec specs[NRUNS] = {
	[EXEC] = { "go-exec --child-exit 3", "go-exec", { "--child-exit", "3" }, "exited with 3",
		   0, 0, true, check_exec },
	[GOR]  = { "go-goroutines -n 1000", "go-goroutines", { "-n", "1000" }, "1000 goroutines: 1 pid",
		   GOROUTINES, 0, false, check_goroutines },
	[RACE] = { "go-race", "go-race", { "-n", "4", "-m", "100000" }, "expected 400000, actual ",
		   4, 100000, false, check_race },
	[FIX1] = { "go-race --fixed (run 1)", "go-race", { "-n", "4", "-m", "100000", "--fixed" },
		   "expected 400000, actual 400000: exact", 4, 100000, false, check_race },
	[FIX2] = { "go-race --fixed (run 2)", "go-race", { "-n", "4", "-m", "100000", "--fixed" },
		   "expected 400000, actual 400000: exact", 4, 100000, true, check_race },
	[CHAN] = { "go-channel -n 3 -m 2000", "go-channel", { "-n", "3", "-m", "2000" }, "sum 6003000",
		   3, 2000, false, check_channel },
	[HEAP] = { "go-heap -b 64", "go-heap", { "-b", "64" }, "after_free", HEAP_BLOCKS, 0, false,
		   check_heap },
};

/* workloads/NAME next to the memtrace binary: where `memtrace run NAME` finds it. */
static const char *workload__path(const char *name)
{
	static char path[PATH_MAX];
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", harness_memtrace());
	snprintf(path, sizeof(path), "%s/workloads/%s", dirname(dir), name);
	return path;
}

/*
 * The Go workloads exist only if make found `go`. Without them: skip, or
 * fail when MEMTRACE_REQUIRE_BPF=1 asks for every test to really run.
 */
static bool go__built(const struct selfcheck_spec *s)
{
	const char *req = getenv("MEMTRACE_REQUIRE_BPF");
	const char *path = workload__path(s->name);

	if (!access(path, X_OK))
		return true;
	if (req && !strcmp(req, "1"))
		harness_fail(__FILE__, __LINE__, "%s: %s (go not found at build time? make deps "
			     "installs golang-go; MEMTRACE_REQUIRE_BPF=1)", path, strerror(errno));
	else
		harness_skip("%s not built: go not found (make deps installs golang-go)", s->name);
	return false;
}

static struct selfcheck_run runs[NRUNS];
static struct selfcheck_set workloads = { specs, runs, NRUNS, go__built };

/* ---- reading traces and reports ----------------------------------------- */

/* The as of pid's (last) exec: the address space its Go program runs in. */
static long long exec__as(const json_t *tr, long long pid, size_t *idx)
{
	long long as = -1;
	json_t *ev;
	size_t i;

	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "exec") && ev__pid(ev) == pid) {
			as = ev__int_or(ev, "as", -1);
			if (idx)
				*idx = i;
		}
	}
	return as;
}

/* What Go 1.19 takes for GOMAXPROCS: the CPUs this process may run on. */
static int cpus__allowed(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return (int)sysconf(_SC_NPROCESSORS_ONLN);
	return CPU_COUNT(&set);
}

/* ---- the Go heap arena -------------------------------------------------- */

/*
 * A reservation: an mmap of pid with no access, a whole number of arenas,
 * placed where the runtime asked. Go's arena hints are i<<40 | 0xc000000000
 * and grow upwards from there; its other reservations (page summaries,
 * scavenger index) take any address the kernel gives.
 */
static bool arena__is_reservation(const json_t *ev, long long pid)
{
	uint64_t a, e, hint;

	return ev__is(ev, "mmap") && ev__pid(ev) == pid && ev__ok(ev) &&
	       str__eq(ev__str(ev, "prot"), "---") && ev__range(ev, &a, &e) &&
	       ev__addr(ev, "hint", &hint) && hint == a &&
	       (a & ((1ULL << 40) - 1)) >= ARENA_HINT && (e - a) % ARENA_BYTES == 0 && e > a;
}

/*
 * The commit holding addr: an mmap rw- with MAP_FIXED of pid that lies
 * inside an earlier reservation. NULL if none.
 */
static const json_t *arena__commit_of(const json_t *tr, long long pid, uint64_t addr)
{
	uint64_t a, e, ra, re;
	json_t *ev, *res;
	size_t i, j;

	json_array_foreach(tr, i, ev) {
		if (!ev__is(ev, "mmap") || ev__pid(ev) != pid || !ev__ok(ev) ||
		    !str__eq(ev__str(ev, "prot"), "rw-") || !flags__has(ev, "MAP_FIXED") ||
		    !ev__range(ev, &a, &e) || addr < a || addr >= e)
			continue;
		for (j = 0; j < i; j++) {
			res = json_array_get(tr, j);
			if (arena__is_reservation(res, pid) && ev__range(res, &ra, &re) &&
			    ra <= a && e <= re)
				return ev;
		}
	}
	return NULL;
}

/* [a, e) is covered by arena commits (adjacent commits may share a block). */
static bool arena__covers(const json_t *tr, long long pid, uint64_t a, uint64_t e)
{
	const json_t *c;
	uint64_t ca, ce;

	while (a < e) {
		c = arena__commit_of(tr, pid, a);
		if (!c || !ev__range(c, &ca, &ce))
			return false;
		a = ce;
	}
	return true;
}

/* Bytes committed in arenas by pid (sum of the commits' lengths). */
static uint64_t arena__committed(const json_t *tr, long long pid)
{
	uint64_t sum = 0, a, e;
	json_t *ev;
	size_t i;

	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "mmap") && ev__range(ev, &a, &e) && arena__commit_of(tr, pid, a) == ev)
			sum += e - a;
	}
	return sum;
}

/*
 * What every Go process shows: its threads come from raw clone (no clone3)
 * in its own as, never more than GOMAXPROCS + a few; no brk, no MAP_STACK;
 * the first arena reserved at 0xc000000000 and committed. Returns the
 * number of thread forks.
 */
static size_t check_go_process(const json_t *tr, long long pid, long long as)
{
	size_t i, nthreads = 0, nres = 0, ncommit = 0;
	uint64_t a, e;
	json_t *ev;
	int cpus = cpus__allowed();

	json_array_foreach(tr, i, ev) {
		if (!ev__inner(tr, i) || ev__pid(ev) != pid)
			continue;
		CHECK(!ev__is(ev, "brk"), "a Go program called brk: %s", ev__show(ev));
		CHECK(!(ev__is(ev, "mmap") && flags__has(ev, "MAP_STACK")),
		      "a Go program mapped a MAP_STACK stack: %s", ev__show(ev));
		if (arena__is_reservation(ev, pid) && ev__range(ev, &a, &e) && a == ARENA_HINT)
			nres++;
		if (ev__is(ev, "mmap") && ev__range(ev, &a, &e) && arena__commit_of(tr, pid, a) == ev)
			ncommit++;
		if (!ev__is(ev, "fork") || !ev__bool_is(ev, "thread", true))
			continue;
		nthreads++;
		CHECK(ev__int_or(ev, "as", -1) == as && ev__int_or(ev, "child_as", -1) == as &&
		      ev__bool_is(ev, "shared_vm", true) && ev__int_or(ev, "child_pid", -1) == pid,
		      "thread fork of pid %lld not in its as %lld: %s", pid, as, ev__show(ev));
		CHECK(flags__has(ev, "CLONE_THREAD") && flags__has(ev, "CLONE_SETTLS") &&
		      str__eq(ev__str(ev, "syscall"), "clone") && !flags__has(ev, "CLONE_CHILD_CLEARTID"),
		      "Go thread fork %s: want a raw clone(VM|...|THREAD|SETTLS), not glibc's clone3",
		      ev__show(ev));
	}
	CHECK(nres == 1, "pid %lld: %zu reservations at 0x%llx, want 1 (the first arena, prot ---, "
	      "a multiple of 64 MiB)", pid, nres, ARENA_HINT);
	CHECK(ncommit >= 1, "pid %lld: no rw- MAP_FIXED commit inside an arena reservation", pid);
	CHECK(nthreads >= 1 && nthreads <= (size_t)cpus + EXTRA_THREADS,
	      "pid %lld: %zu thread forks, want 1 to GOMAXPROCS (%d) + %d", pid, nthreads, cpus,
	      EXTRA_THREADS);
	return nthreads;
}

/* Every workload: exit status, first event, nothing lost, the report's pids. */
static void check_common(const struct selfcheck_run *r)
{
	const struct selfcheck_spec *s = r->spec;
	const json_t *tr = r->trace, *first = json_array_get(tr, 1), *sum, *ex, *ev;
	struct pidset fam;
	char tail[64];
	size_t i;

	CHECK(r->code == 0, "memtrace run %s exited %d; stderr: %.300s", s->label, r->code, r->err);
	snprintf(tail, sizeof(tail), "/%s", s->name);
	CHECK(ev__is(first, "exec") && ev__pid(first) == r->root &&
	      strstr(ev__str(first, "filename") ?: "", tail),
	      "first event %s, want the exec of .../%s by root_pid %lld", ev__show(first), s->name,
	      r->root);
	sum = trace__summary(tr);
	CHECK(ev__int_or(sum, "lost", -1) == 0, "summary lost %lld, want 0", ev__int_or(sum, "lost", -1));
	ex = trace__exit_of(tr, r->root);
	CHECK(ex && ev__int_or(ex, "code", -1) == 0 && ev__int_or(ex, "signal", -1) == 0,
	      "root %lld's exit %s, want code 0", r->root, ev__show(ex));
	trace__family(tr, r->root, &fam);
	json_array_foreach(tr, i, ev) {
		if (!ev__inner(tr, i))
			continue;
		CHECK(pidset__has(&fam, ev__pid(ev)) && json_is_integer(json_object_get(ev, "as")),
		      "event outside root_pid %lld's tree, or without as: %s", r->root, ev__show(ev));
	}
	CHECK(json_array_size(r->report) > 0, "empty self-report");
	json_array_foreach(r->report, i, ev)
		CHECK(str__eq(ev__str(ev, "workload"), s->name) && pidset__has(&fam, ev__pid(ev)),
		      "self-report line not of %s in root_pid %lld's tree: %s", s->name, r->root,
		      ev__show(ev));
	CHECK(r->out && strstr(r->out, s->marker), "stdout lacks \"%s\": \"%.300s\"", s->marker,
	      r->out ?: "");
}

/* Every tid in the report is the main thread or a thread the trace saw created. */
static void check_report_tids(const struct selfcheck_run *r)
{
	const json_t *l, *ev;
	size_t i, j;
	bool found;
	long long tid;

	json_array_foreach(r->report, i, l) {
		tid = ev__int_or(l, "tid", -1);
		found = tid == ev__pid(l);
		json_array_foreach(r->trace, j, ev)
			if (ev__is(ev, "fork") && ev__bool_is(ev, "thread", true) &&
			    ev__int_or(ev, "child_tid", -1) == tid && ev__int_or(ev, "child_pid", -1) == ev__pid(l))
				found = true;
		CHECK(found, "self-report line written on tid %lld, which is neither main nor a "
		      "thread the trace saw created: %s", tid, ev__show(l));
	}
}

/* ---- go-exec ------------------------------------------------------------ */

static void check_exec(const struct selfcheck_run *r)
{
	const json_t *tr = r->trace, *parent, *child, *cexit, *fk = NULL, *ev, *cex, *pex;
	long long P = r->root, C, pas, eas;
	size_t i, exec_i = 0, nforks = 0;
	uint64_t pg, cg;

	check_common(r);
	parent = report__find(r->report, "process", "role", "parent", 0);
	child = report__find(r->report, "process", "role", "child", 0);
	cexit = report__find(r->report, "child_exit", NULL, NULL, 0);
	if (!CHECK(parent && child && cexit, "self-report lacks parent %s, child %s or child_exit %s",
		   ev__show(parent), ev__show(child), ev__show(cexit)))
		return;
	C = ev__pid(child);
	CHECK(ev__pid(parent) == P && C != P && ev__int_or(child, "ppid", -1) == P &&
	      ev__int_or(cexit, "child_pid", -1) == C,
	      "pids: parent %lld (root %lld), child %lld (ppid %lld), child_exit names %lld",
	      ev__pid(parent), P, C, ev__int_or(child, "ppid", -1), ev__int_or(cexit, "child_pid", -1));
	CHECK(ev__int_or(parent, "local", -1) == 10 && ev__int_or(child, "local", -1) == 20,
	      "localVar: parent %lld, child %lld; want 10 and 20", ev__int_or(parent, "local", -1),
	      ev__int_or(child, "local", -1));
	/* not position-independent: one &globalVar number, two memories (checked below) */
	CHECK(ev__addr(parent, "global_addr", &pg) && ev__addr(child, "global_addr", &cg) && pg == cg,
	      "&globalVar differs: parent %s, child %s (a Go binary is not PIE)",
	      ev__str(parent, "global_addr") ?: "-", ev__str(child, "global_addr") ?: "-");

	pas = exec__as(tr, P, NULL);
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "fork") && ev__bool_is(ev, "thread", false)) {
			nforks++;
			fk = ev;
		}
	}
	if (!CHECK(nforks == 1, "%zu process forks, want 1 (os/exec starting the child)", nforks))
		return;
	CHECK(ev__pid(fk) == P && ev__int_or(fk, "child_pid", -1) == C,
	      "the process fork %s, want parent %lld creating child %lld", ev__show(fk), P, C);
	CHECK(flags__has(fk, "CLONE_VM") && flags__has(fk, "CLONE_VFORK") &&
	      ev__bool_is(fk, "shared_vm", true) && ev__int_or(fk, "child_as", -1) == pas &&
	      ev__int_or(fk, "as", -1) == pas,
	      "os/exec's fork %s: want CLONE_VM|CLONE_VFORK, shared_vm, child_as = the parent's %lld",
	      ev__show(fk), pas);

	eas = exec__as(tr, C, &exec_i);
	CHECK(eas > 0 && eas != pas, "child's exec in as %lld, want a new one (parent's %lld)", eas, pas);
	ev = json_array_get(tr, exec_i);
	CHECK(ev__int_or(ev, "old_as", -1) == pas, "child's exec left as %lld, want the parent's "
	      "%lld (it ran in it since the vfork)", ev__int_or(ev, "old_as", -1), pas);
	CHECK(events__count_type(tr, "exec", C) == 1, "%zu execs of child %lld, want 1",
	      events__count_type(tr, "exec", C), C);

	/* before its exec the child is in the parent's as; after it, never again */
	json_array_foreach(tr, i, ev) {
		if (!ev__inner(tr, i))
			continue;
		if (ev__pid(ev) == P)
			CHECK(ev__int_or(ev, "as", -1) == pas, "parent event in as %lld, want %lld: %s",
			      ev__int_or(ev, "as", -1), pas, ev__show(ev));
		else if (ev__pid(ev) == C && i >= exec_i)
			CHECK(ev__int_or(ev, "as", -1) == eas, "child event after its exec in as %lld, "
			      "want %lld: %s", ev__int_or(ev, "as", -1), eas, ev__show(ev));
		else if (ev__pid(ev) == C)
			CHECK(ev__int_or(ev, "as", -1) == pas, "child event before its exec in as %lld, "
			      "want the parent's %lld: %s", ev__int_or(ev, "as", -1), pas, ev__show(ev));
	}
	check_go_process(tr, P, pas);
	check_go_process(tr, C, eas);
	check_report_tids(r);

	cex = trace__exit_of(tr, C);
	pex = trace__exit_of(tr, P);
	if (!CHECK(cex && pex, "exits: child %s, parent %s", ev__show(cex), ev__show(pex)))
		return;
	CHECK(ev__int_or(cex, "code", -1) == CHILD_EXIT && ev__int_or(cexit, "code", -1) == CHILD_EXIT,
	      "child's exit code %lld, the parent's Wait saw %lld, want %d", ev__int_or(cex, "code", -1),
	      ev__int_or(cexit, "code", -1), CHILD_EXIT);
	CHECK(trace__index(tr, cex) < trace__index(tr, pex),
	      "the parent exits before the child it waits for");
}

/* ---- go-goroutines ------------------------------------------------------ */

static int addr__cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void check_goroutines(const struct selfcheck_run *r)
{
	const json_t *tr = r->trace, *main_l, *l, *ev;
	long long as = exec__as(tr, r->root, NULL), n = r->spec->n, created;
	uint64_t global, g, local, stack, *locals;
	size_t i, j, nthreads, nmmap = 0, nlocals = 0;

	check_common(r);
	nthreads = check_go_process(tr, r->root, as);
	check_report_tids(r);
	main_l = report__find(r->report, "main", NULL, NULL, 0);
	if (!CHECK(main_l && ev__addr(main_l, "global_addr", &global), "no main line: %s",
		   ev__show(main_l)))
		return;
	CHECK(ev__int_or(main_l, "goroutines", -1) == n && ev__int_or(main_l, "distinct_locals", -1) == n,
	      "main line %s, want goroutines and distinct_locals %lld", ev__show(main_l), n);
	/* the runtime's own count of threads includes the main one, which no clone made */
	created = ev__int_or(main_l, "threads_created", -1);
	CHECK(created >= 1 && (long long)nthreads >= created - 1 && (long long)nthreads <= created,
	      "the trace has %zu thread forks; the runtime says it created %lld threads (main "
	      "included)", nthreads, created);
	CHECK((long long)nthreads * 10 < n, "%zu threads for %lld goroutines: not far fewer",
	      nthreads, n);

	json_array_foreach(tr, i, ev) {
		if (!ev__inner(tr, i))
			continue;
		CHECK(ev__int_or(ev, "as", -1) == as, "event in as %lld, want the one as %lld: %s",
		      ev__int_or(ev, "as", -1), as, ev__show(ev));
		if (ev__is(ev, "mmap"))
			nmmap++;
	}
	CHECK((long long)nmmap * 10 < n, "%zu mmaps for %lld goroutines: a syscall per goroutine?",
	      nmmap, n);

	CHECK((long long)report__count(r->report, "goroutine") == n,
	      "%zu goroutine lines, want %lld", report__count(r->report, "goroutine"), n);
	locals = calloc(n, sizeof(*locals));
	if (!locals)
		return;
	for (j = 0; (l = report__find(r->report, "goroutine", NULL, NULL, j)); j++) {
		CHECK(ev__pid(l) == r->root && ev__addr(l, "global_addr", &g) && g == global,
		      "goroutine line %s: want pid %lld and &globalVar 0x%llx", ev__show(l), r->root,
		      (unsigned long long)global);
		if (!CHECK(ev__addr(l, "local_addr", &local) && ev__addr(l, "stack_addr", &stack),
			   "goroutine line without addresses: %s", ev__show(l)))
			continue;
		/* escaped local and goroutine stack: both in memory the runtime committed */
		CHECK(arena__commit_of(tr, r->root, local), "goroutine %lld's &localVar 0x%llx lies in "
		      "no arena commit (rw- MAP_FIXED inside a --- reservation)",
		      ev__int_or(l, "index", -1), (unsigned long long)local);
		CHECK(arena__commit_of(tr, r->root, stack), "goroutine %lld's stack 0x%llx lies in no "
		      "arena commit", ev__int_or(l, "index", -1), (unsigned long long)stack);
		if (nlocals < (size_t)n)
			locals[nlocals++] = local;
	}
	qsort(locals, nlocals, sizeof(*locals), addr__cmp);
	for (j = 1; j < nlocals; j++)
		if (!CHECK(locals[j] != locals[j - 1], "two goroutines report &localVar 0x%llx",
			   (unsigned long long)locals[j]))
			break;
	free(locals);
}

/* ---- go-race, go-channel ------------------------------------------------ */

/* What go-race and go-channel share; their result line, NULL if none. */
static const json_t *check_go_result(const struct selfcheck_run *r)
{
	const json_t *res;

	check_common(r);
	check_go_process(r->trace, r->root, exec__as(r->trace, r->root, NULL));
	check_report_tids(r);
	res = report__find(r->report, "result", NULL, NULL, 0);
	return CHECK(res, "no result line") ? res : NULL;
}

static void check_race(const struct selfcheck_run *r)
{
	const json_t *res;
	long long want = r->spec->n * r->spec->m, actual, lost;
	bool fixed = false, b;

	res = check_go_result(r);
	if (!res)
		return;
	actual = ev__int_or(res, "actual", -1);
	lost = ev__int_or(res, "lost", -1);
	for (int i = 0; r->spec->args[i]; i++)
		fixed |= !strcmp(r->spec->args[i], "--fixed");
	CHECK(ev__int_or(res, "expected", -1) == want && ev__bool(res, "fixed", &b) && b == fixed,
	      "result %s, want expected %lld, fixed %d", ev__show(res), want, fixed);
	CHECK(actual >= 0 && actual <= want && lost == want - actual,
	      "result %s: actual must be at most %lld and lost the difference", ev__show(res), want);
	if (fixed)
		CHECK(actual == want, "--fixed: actual %lld, expected %lld", actual, want);
	CHECK((long long)report__count(r->report, "goroutine") == r->spec->n,
	      "%zu goroutine lines, want %ld", report__count(r->report, "goroutine"), r->spec->n);
	if (!selfcheck__probing())
		harness_diag("%s: expected %lld, actual %lld", r->spec->label, want, actual);
}

static void check_channel(const struct selfcheck_run *r)
{
	const json_t *res, *l;
	long long n = r->spec->n, m = r->spec->m, want = n * m * (m + 1) / 2;
	size_t j;

	res = check_go_result(r);
	if (!res)
		return;
	CHECK(ev__int_or(res, "expected", -1) == want && ev__int_or(res, "actual", -1) == want &&
	      ev__int_or(res, "received", -1) == n * m,
	      "result %s, want sum %lld of %lld values", ev__show(res), want, n * m);
	for (j = 0; (l = report__find(r->report, "goroutine", "role", "producer", j)); j++)
		CHECK(ev__int_or(l, "count", -1) == m, "producer sent %lld, want %lld",
		      ev__int_or(l, "count", -1), m);
	CHECK((long long)j == n, "%zu producer lines, want %lld", j, n);
	l = report__find(r->report, "goroutine", "role", "consumer", 0);
	CHECK(l && ev__int_or(l, "count", -1) == n * m, "consumer line %s, want count %lld",
	      ev__show(l), n * m);
}

/* ---- go-heap ------------------------------------------------------------ */

static int range__cmp(const void *x, const void *y)
{
	const uint64_t *a = x, *b = y;

	return a[0] < b[0] ? -1 : a[0] > b[0];
}

/* Bytes in the union of n ranges [r[i][0], r[i][1]) (sorts r). */
static uint64_t ranges__union(uint64_t (*r)[2], size_t n)
{
	uint64_t sum = 0, a = 0, e = 0;
	size_t i;

	qsort(r, n, sizeof(*r), range__cmp);
	for (i = 0; i < n; i++) {
		if (i && r[i][0] <= e) {
			if (r[i][1] > e)
				e = r[i][1];
			continue;
		}
		sum += e - a;
		a = r[i][0];
		e = r[i][1];
	}
	return sum + e - a;
}

/*
 * debug.FreeOSMemory() in the trace. Go 1.19 on Linux gives pages back with
 * madvise(MADV_DONTNEED) (its default since 1.16, GODEBUG=madvdontneed=1;
 * strace shows MADV_HUGEPAGE/NOHUGEPAGE calls beside them, never
 * MADV_FREE), only ever inside its arenas. The heap's RSS peak is the rss
 * record with the highest total: all blocks touched, before runtime.GC().
 * After it, the DONTNEED ranges (their union: the scavenger may release a
 * range twice) must cover what HeapReleased grew by from after_gc to
 * after_free, FreeOSMemory's own release; and the last rss record before
 * the process exits (teardown records come after its exit and would drop
 * anyway) must lie below the peak by most of that.
 */
static void check_heap_release(const struct selfcheck_run *r, const json_t *gc,
			       const json_t *freed)
{
	const json_t *tr = r->trace, *ev, *top = NULL, *last = NULL;
	long long root = r->root, as = exec__as(tr, root, NULL), drop = 0;
	long long released = ev__int_or(freed, "heap_released", 0) - ev__int_or(gc, "heap_released", 0);
	size_t i, top_i = 0, last_i = 0, exit_i = json_array_size(tr), n = 0, ndontneed = 0;
	uint64_t (*rg)[2], a, e, madvised;
	const char *adv;

	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "exit") && ev__pid(ev) == root) {
			exit_i = i;
			break;
		}
	}
	json_array_foreach(tr, i, ev) {
		if (i >= exit_i)
			break;
		if (!ev__is(ev, "rss") || ev__int_or(ev, "as", -1) != as)
			continue;
		if (!top || ev__int_or(ev, "total", 0) > ev__int_or(top, "total", 0)) {
			top = ev;
			top_i = i;
		}
		last = ev;
		last_i = i;
	}
	if (!CHECK(top, "no rss record of as %lld before the exit (bundled workloads have them "
		   "by default)", as))
		return;

	rg = calloc(json_array_size(tr) + 1, sizeof(*rg));
	if (!rg)
		return;
	json_array_foreach(tr, i, ev) {
		if (!ev__is(ev, "madvise") || ev__pid(ev) != root)
			continue;
		adv = ev__str(ev, "advice");
		CHECK(!str__eq(adv, "MADV_FREE"), "Go 1.19 on Linux releases with MADV_DONTNEED, "
		      "not MADV_FREE: %s", ev__show(ev));
		if (!str__eq(adv, "MADV_DONTNEED") || !ev__ok(ev) || !ev__range(ev, &a, &e))
			continue;
		ndontneed++;
		if (!CHECK(arena__covers(tr, root, a, e), "MADV_DONTNEED outside the arena commits: %s",
			   ev__show(ev)))
			continue;
		if (i > top_i && i < exit_i) {
			rg[n][0] = a;
			rg[n][1] = e;
			n++;
		}
	}
	madvised = ranges__union(rg, n);
	free(rg);
	CHECK(released > 0 && madvised >= (uint64_t)released,
	      "FreeOSMemory: HeapReleased grew by %lld bytes, but the MADV_DONTNEED calls in arena "
	      "commits after the RSS peak cover %llu (%zu calls)", released,
	      (unsigned long long)madvised, n);

	drop = ev__int_or(top, "total", 0) - ev__int_or(last, "total", 0);
	CHECK(last_i > top_i && drop * RSS_DROP_DEN >= released * RSS_DROP_NUM,
	      "RSS: the last rss record before the exit %s is %lld bytes below the peak %lld, want "
	      "at least %d/%d of the %lld released", ev__show(last), drop,
	      ev__int_or(top, "total", 0), RSS_DROP_NUM, RSS_DROP_DEN, released);
	if (!selfcheck__probing())
		harness_diag("go-heap: FreeOSMemory released %lld bytes (HeapReleased); MADV_DONTNEED "
			     "calls %zu in all, %zu after the RSS peak covering %llu bytes; RSS %lld -> "
			     "%lld (drop %.1f%% of released)", released, ndontneed, n,
			     (unsigned long long)madvised, ev__int_or(top, "total", 0),
			     ev__int_or(last, "total", 0), released > 0 ? 100.0 * drop / released : 0.0);
}

static void check_heap(const struct selfcheck_run *r)
{
	const json_t *tr = r->trace, *l, *last, *peak, *gc, *ev;
	long long root = r->root;
	uint64_t a, e, committed, mapped;
	size_t i, j, nlarge = 0, nres = 0;

	check_common(r);
	check_go_process(tr, root, exec__as(tr, root, NULL));

	/* every block of the big heap lies in arena commits */
	for (j = 0; (l = report__find(r->report, "alloc", "what", "large", j)); j++) {
		nlarge++;
		if (!CHECK(ev__addr(l, "addr", &a), "large alloc without addr: %s", ev__show(l)))
			continue;
		CHECK(arena__covers(tr, root, a, a + BLOCK), "block %lld [0x%llx, +1 MiB) is not inside "
		      "arena commits", ev__int_or(l, "index", -1), (unsigned long long)a);
	}
	CHECK(nlarge == (size_t)r->spec->n, "%zu large blocks reported, want %ld", nlarge, r->spec->n);
	/* the goroutine's stack array, the escaped point and the copy: the same arenas */
	json_array_foreach(r->report, j, l) {
		if (str__eq(ev__str(l, "kind"), "alloc") && !str__eq(ev__str(l, "what"), "large"))
			CHECK(ev__addr(l, "addr", &a) && arena__commit_of(tr, root, a),
			      "%s lies in no arena commit", ev__show(l));
	}

	/* 64 blocks of 1 MiB outgrow the first 64 MiB arena: a second reservation */
	json_array_foreach(tr, i, ev) {
		if (arena__is_reservation(ev, root))
			nres++;
		CHECK(!(ev__is(ev, "munmap") && ev__ok(ev) && ev__range(ev, &a, &e) && a >= ARENA_HINT &&
			a < ARENA_HINT + (1ULL << 40)), "an arena range unmapped: %s", ev__show(ev));
	}
	peak = report__find(r->report, "phase", "phase", "after_alloc", 0);
	last = report__find(r->report, "phase", "phase", "after_free", 0);
	if (!CHECK(peak && last, "phases after_alloc %s, after_free %s", ev__show(peak), ev__show(last)))
		return;
	CHECK(nres * ARENA_BYTES >= (uint64_t)ev__int_or(peak, "heap_sys", 0) && nres >= 2,
	      "%zu arena reservations (64 MiB each) for HeapSys %lld, want enough and at least 2",
	      nres, ev__int_or(peak, "heap_sys", 0));

	/* what the runtime says it mapped is what the kernel saw committed */
	committed = arena__committed(tr, root);
	mapped = ev__int_or(last, "heap_sys", 0) + ev__int_or(last, "stack_inuse", 0);
	CHECK(committed == mapped, "arena commits total %llu bytes; HeapSys + StackInuse = %llu",
	      (unsigned long long)committed, (unsigned long long)mapped);
	CHECK((uint64_t)ev__int_or(peak, "heap_inuse", 0) >= r->spec->n * BLOCK,
	      "HeapInuse after the blocks %lld, want at least %ld MiB", ev__int_or(peak, "heap_inuse", 0),
	      r->spec->n);
	/* FreeOSMemory: released grows by about the blocks, and the kernel saw it */
	CHECK(ev__int_or(last, "heap_released", 0) - ev__int_or(peak, "heap_released", 0) >=
	      (long long)((r->spec->n - 1) * BLOCK),
	      "HeapReleased grew from %lld to %lld, want by the blocks' %ld MiB",
	      ev__int_or(peak, "heap_released", 0), ev__int_or(last, "heap_released", 0), r->spec->n);
	gc = report__find(r->report, "phase", "phase", "after_gc", 0);
	if (CHECK(gc, "no after_gc phase"))
		check_heap_release(r, gc, last);
	if (!selfcheck__probing())
		harness_diag("go-heap: %zu arena reservations, %llu MiB committed, HeapSys %lld MiB",
			     nres, (unsigned long long)(committed >> 20),
			     ev__int_or(last, "heap_sys", 0) >> 20);
}

/* ---- the tests ---------------------------------------------------------- */

static void test_exec(void)
{
	selfcheck__run(&workloads, EXEC);
}

static void test_goroutines(void)
{
	selfcheck__run(&workloads, GOR);
}

static void test_race(void)
{
	selfcheck__run(&workloads, RACE);
}

static void test_race_fixed(void)
{
	selfcheck__run(&workloads, FIX1);
	selfcheck__run(&workloads, FIX2);
}

static void test_channel(void)
{
	selfcheck__run(&workloads, CHAN);
}

static void test_heap(void)
{
	selfcheck__run(&workloads, HEAP);
}

/* ---- doctored traces ---------------------------------------------------- */

/* The process fork (os/exec's) of a go-exec trace. */
static json_t *exec__fork(struct selfcheck_run *r)
{
	json_t *ev;
	size_t i;

	json_array_foreach(r->trace, i, ev)
		if (ev__is(ev, "fork") && ev__bool_is(ev, "thread", false))
			return ev;
	return NULL;
}

/* os/exec as a plain fork: a copy of the address space */
static void dr_exec_copy(struct selfcheck_run *r)
{
	json_t *fk = exec__fork(r);

	ev__set_str(fk, "flags", "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	json_object_set_new(fk, "shared_vm", json_false());
	ev__set_int(fk, "child_as", 99);
}

/* the vfork flag alone gone */
static void dr_exec_no_vfork(struct selfcheck_run *r)
{
	ev__set_str(exec__fork(r), "flags", "CLONE_VM|SIGCHLD");
}

/* the child's program runs in the parent's as */
static void dr_exec_shared_after(struct selfcheck_run *r)
{
	json_t *ev, *fk = exec__fork(r);
	long long C = ev__int_or(fk, "child_pid", -1), pas = ev__int_or(fk, "as", -1);
	size_t i;

	json_array_foreach(r->trace, i, ev)
		if (ev__pid(ev) == C)
			ev__set_int(ev, "as", pas);
}

static void dr_exec_child_code(struct selfcheck_run *r)
{
	json_t *fk = exec__fork(r), *ex = trace__exit_of(r->trace, ev__int_or(fk, "child_pid", -1));

	ev__set_int(ex, "code", ev__int_or(ex, "code", 0) + 1);
}

/* the child's memory starts at its fork as a copy: its exec's old_as is new */
static void dr_exec_old_as(struct selfcheck_run *r)
{
	json_t *fk = exec__fork(r);

	ev__set_int(trace__nth(r->trace, "exec", ev__int_or(fk, "child_pid", -1), 0, NULL), "old_as", 99);
}

/* a Go thread made by glibc's clone3 */
static void dr_clone3(struct selfcheck_run *r)
{
	json_t *ev;
	size_t i;

	json_array_foreach(r->trace, i, ev) {
		if (ev__is(ev, "fork") && ev__bool_is(ev, "thread", true)) {
			ev__set_str(ev, "syscall", "clone3");
			return;
		}
	}
}

/* a thread per goroutine: many more thread forks */
static void dr_many_threads(struct selfcheck_run *r)
{
	json_t *fk = NULL, *ev;
	size_t i;

	json_array_foreach(r->trace, i, ev)
		if (ev__is(ev, "fork") && ev__bool_is(ev, "thread", true))
			fk = ev;
	for (i = 0; fk && i < 200; i++) {
		ev = json_deep_copy(fk);
		ev__set_int(ev, "child_tid", ev__int_or(fk, "child_tid", 0) + 10000 + i);
		json_array_insert_new(r->trace, json_array_size(r->trace) - 1, ev);
	}
}

/* an mmap per goroutine */
static void dr_mmap_each(struct selfcheck_run *r)
{
	json_t *m = trace__nth(r->trace, "mmap", r->root, 0, NULL), *ev;
	long i;

	for (i = 0; m && i < r->spec->n; i++) {
		ev = json_deep_copy(m);
		ev__set_addr(ev, "addr", 0x7f0000000000ULL + (uint64_t)i * 0x10000);
		json_array_insert_new(r->trace, json_array_size(r->trace) - 1, ev);
	}
}

/* a goroutine's local outside the arena, in the first (non-FIXED) mmap */
static void dr_local_outside(struct selfcheck_run *r)
{
	json_t *l = report__find(r->report, "goroutine", NULL, NULL, 7);
	uint64_t a;

	if (ev__addr(trace__nth(r->trace, "mmap", r->root, 0, NULL), "addr", &a))
		ev__set_addr(l, "local_addr", a + 0x100);
}

/* a goroutine's stack in a MAP_STACK mapping of its own */
static void dr_stack_mapped(struct selfcheck_run *r)
{
	json_t *m = json_deep_copy(trace__nth(r->trace, "mmap", r->root, 0, NULL));
	json_t *l = report__find(r->report, "goroutine", NULL, NULL, 3);

	ev__set_str(m, "flags", "MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK");
	ev__set_addr(m, "addr", 0x7e0000000000ULL);
	ev__set_addr(l, "stack_addr", 0x7e0000000100ULL);
	json_array_insert_new(r->trace, 2, m);
}

static json_t *arena__first_commit(struct selfcheck_run *r, size_t *idx)
{
	json_t *ev;
	size_t i;
	uint64_t a, e;

	json_array_foreach(r->trace, i, ev) {
		if (ev__is(ev, "mmap") && ev__range(ev, &a, &e) && a == ARENA_HINT &&
		    flags__has(ev, "MAP_FIXED")) {
			*idx = i;
			return ev;
		}
	}
	return NULL;
}

/* the commit was not MAP_FIXED: no reservation is filled */
static void dr_commit_not_fixed(struct selfcheck_run *r)
{
	size_t i;

	ev__set_str(arena__first_commit(r, &i), "flags", "MAP_PRIVATE|MAP_ANONYMOUS");
}

/* the PROT_NONE reservation at 0xc000000000 missing */
static void dr_no_reservation(struct selfcheck_run *r)
{
	json_t *ev;
	size_t i;

	json_array_foreach(r->trace, i, ev) {
		if (arena__is_reservation(ev, r->root)) {
			json_array_remove(r->trace, i);
			return;
		}
	}
}

/* a goroutine that ran on a thread the trace never saw */
static void dr_unknown_tid(struct selfcheck_run *r)
{
	ev__set_int(report__find(r->report, "goroutine", NULL, NULL, 5), "tid", 1);
}

static void dr_two_locals(struct selfcheck_run *r)
{
	json_t *a = report__find(r->report, "goroutine", NULL, NULL, 1);

	ev__set_str(report__find(r->report, "goroutine", NULL, NULL, 2), "local_addr",
		ev__str(a, "local_addr"));
}

/* an event in a second address space */
static void dr_other_as(struct selfcheck_run *r)
{
	json_t *ev = trace__nth(r->trace, "mmap", r->root, 3, NULL);

	ev__set_int(ev, "as", ev__int_or(ev, "as", 0) + 1);
}

static void dr_brk(struct selfcheck_run *r)
{
	json_t *ev = json_deep_copy(trace__nth(r->trace, "mmap", r->root, 0, NULL));

	ev__set_str(ev, "event", "brk");
	json_array_insert_new(r->trace, 3, ev);
}

static void dr_heap_block_moved(struct selfcheck_run *r)
{
	json_t *l = report__find(r->report, "alloc", "what", "large", 40);
	uint64_t a;

	if (ev__addr(l, "addr", &a))
		ev__set_addr(l, "addr", a + (1ULL << 30));
}

/* one 4 MiB commit missing: the heap is bigger than what was mapped */
static void dr_heap_commit_gone(struct selfcheck_run *r)
{
	json_t *ev;
	size_t i, n = 0;
	uint64_t a, e;

	json_array_foreach(r->trace, i, ev) {
		if (ev__is(ev, "mmap") && ev__range(ev, &a, &e) && arena__commit_of(r->trace, r->root, a) == ev &&
		    ++n == 5) {
			json_array_remove(r->trace, i);
			return;
		}
	}
}

static void dr_heap_one_arena(struct selfcheck_run *r)
{
	json_t *ev;
	size_t i;
	uint64_t a, e;

	json_array_foreach(r->trace, i, ev) {
		if (arena__is_reservation(ev, r->root) && ev__range(ev, &a, &e) && a != ARENA_HINT) {
			json_array_remove(r->trace, i);
			return;
		}
	}
}

static void dr_heap_unmap(struct selfcheck_run *r)
{
	size_t i;
	json_t *ev = json_deep_copy(arena__first_commit(r, &i));

	ev__set_str(ev, "event", "munmap");
	json_array_insert_new(r->trace, json_array_size(r->trace) - 2, ev);
}

static void dr_heap_sys(struct selfcheck_run *r)
{
	json_t *l = report__find(r->report, "phase", "phase", "after_free", 0);

	ev__set_int(l, "heap_sys", ev__int_or(l, "heap_sys", 0) + (4 << 20));
}

/* FreeOSMemory gave nothing back: its MADV_DONTNEED calls gone */
static void dr_heap_no_madvise(struct selfcheck_run *r)
{
	json_t *ev;
	size_t i = 0;

	while (i < json_array_size(r->trace)) {
		ev = json_array_get(r->trace, i);
		if (ev__is(ev, "madvise") && str__eq(ev__str(ev, "advice"), "MADV_DONTNEED"))
			json_array_remove(r->trace, i);
		else
			i++;
	}
}

/* The last rss record before the exit raised back to the peak: RSS never fell */
static void dr_heap_rss_kept(struct selfcheck_run *r)
{
	json_t *ev, *last = NULL;
	long long top = 0;
	size_t i;

	json_array_foreach(r->trace, i, ev) {
		if (ev__is(ev, "exit") && ev__pid(ev) == r->root)
			break;
		if (!ev__is(ev, "rss"))
			continue;
		if (ev__int_or(ev, "total", 0) > top)
			top = ev__int_or(ev, "total", 0);
		last = ev;
	}
	ev__set_int(last, "total", top);
}

static void dr_lost(struct selfcheck_run *r)
{
	ev__set_int(trace__summary(r->trace), "lost", 1);
}

static const struct selfcheck_doctor doctored[] = {
	{ EXEC, "go-exec: os/exec as a copying fork", dr_exec_copy },
	{ EXEC, "go-exec: the clone without CLONE_VFORK", dr_exec_no_vfork },
	{ EXEC, "go-exec: the child's program in the parent's as", dr_exec_shared_after },
	{ EXEC, "go-exec: the child's exec leaves an as of its own", dr_exec_old_as },
	{ EXEC, "go-exec: child's exit code not what Wait saw", dr_exec_child_code },
	{ EXEC, "go-exec: a runtime thread made by clone3", dr_clone3 },
	{ GOR, "go-goroutines: a thread per goroutine", dr_many_threads },
	{ GOR, "go-goroutines: an mmap per goroutine", dr_mmap_each },
	{ GOR, "go-goroutines: a &localVar outside the arena", dr_local_outside },
	{ GOR, "go-goroutines: a goroutine stack in a MAP_STACK mapping", dr_stack_mapped },
	{ GOR, "go-goroutines: the arena commit without MAP_FIXED", dr_commit_not_fixed },
	{ GOR, "go-goroutines: no PROT_NONE reservation", dr_no_reservation },
	{ GOR, "go-goroutines: a goroutine on an unseen thread", dr_unknown_tid },
	{ GOR, "go-goroutines: two goroutines, one &localVar", dr_two_locals },
	{ GOR, "go-goroutines: an event in another as", dr_other_as },
	{ GOR, "go-goroutines: events lost", dr_lost },
	{ RACE, "go-race: more increments than were made", doctor__race_over },
	{ FIX1, "go-race --fixed: one update lost", doctor__race_lost },
	{ CHAN, "go-channel: the sum is off by one", doctor__sum_off },
	{ CHAN, "go-channel: expected and actual agree but are wrong", doctor__sum_agreed },
	{ HEAP, "go-heap: a brk", dr_brk },
	{ HEAP, "go-heap: a block outside the arena commits", dr_heap_block_moved },
	{ HEAP, "go-heap: a commit missing", dr_heap_commit_gone },
	{ HEAP, "go-heap: one arena reservation only", dr_heap_one_arena },
	{ HEAP, "go-heap: an arena range unmapped", dr_heap_unmap },
	{ HEAP, "go-heap: HeapSys more than was committed", dr_heap_sys },
	{ HEAP, "go-heap: FreeOSMemory's MADV_DONTNEED calls removed", dr_heap_no_madvise },
	{ HEAP, "go-heap: RSS back at the peak after the release", dr_heap_rss_kept },
};

static void test_doctored(void)
{
	selfcheck__doctored(&workloads, doctored, sizeof(doctored) / sizeof(doctored[0]));
}

static const struct harness_test tests[] = {
	{ "go-exec: a CLONE_VM|CLONE_VFORK child in the parent's as until its exec, then never; exit codes", test_exec, true },
	{ "go-goroutines: 1000 goroutines on a few raw-clone threads, no mmap each, locals and stacks in arena commits, one as", test_goroutines, true },
	{ "go-race: actual <= expected, a few threads, no brk, no MAP_STACK", test_race, true },
	{ "go-race --fixed x2: actual == expected", test_race_fixed, true },
	{ "go-channel: the sum is exact", test_channel, true },
	{ "go-heap: no brk, blocks in arena commits, two reservations, commits = HeapSys + StackInuse; FreeOSMemory madvise(MADV_DONTNEED)s what HeapReleased says, in arenas, and RSS falls", test_heap, true },
	{ "the Go checks reject doctored traces and reports", test_doctored, true },
	{ NULL, NULL, false },
};

int main(void)
{
	return selfcheck__main(tests, &workloads);
}
