// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_workloads - the kernel's story must match the workload's own.
 *
 * Each bundled workload runs under `memtrace run -f json -o T NAME ARGS`
 * with its self-report (workloads/README.md, "Self-report format"), and
 * what memtrace saw from the kernel is held against what the workload saw
 * from the inside: pids and tids, address spaces, thread stacks, where
 * malloc's memory came from, exit codes.
 *
 * The checks are plain functions of (trace, self-report). The last test
 * feeds them doctored copies of real runs - a child put in its parent's
 * address space, a thread fork with a wrong tid, a large block moved out
 * of its mapping - and requires each doctored copy to be rejected, so no
 * check here can pass whatever the trace says.
 */
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "selfcheck.h"

#define RUN_TIMEOUT_MS	SELFCHECK_TIMEOUT_MS
#define PAGE		4096ULL
#define CHILD_EXIT	3	/* fork-exec --child-exit */

/* ---- the runs ----------------------------------------------------------- */

static void check_fork_exec(const struct selfcheck_run *r);
static void check_threads(const struct selfcheck_run *r);
static void check_race(const struct selfcheck_run *r);
static void check_channel(const struct selfcheck_run *r);
static void check_heap(const struct selfcheck_run *r);

enum { FE, TH4, TH7, RACE, FIX1, FIX2, FIX3, CH1, CH2, CH3, HEAP, NRUNS };

/*
 * n: the threads a workload starts (besides main); m: channel's -m.
 * fork-exec and the second channel run get the report path from
 * MEMTRACE_SELF_REPORT (through memtrace, and for fork-exec on to the
 * exec'd child), the others from --json.
 */

#define RACE_FIXED(k)	{ "race --fixed (run " #k ")", "race", { "-n", "4", "-m", "100000", "--fixed" }, \
			  "expected ", 4, 0, false, check_race }
#define CHANNEL(k)	{ "channel -n 3 (run " #k ")", "channel", { "-n", "3", "-m", "2000" }, \
			  "sum ", 4, 2000, k == 2, check_channel }

static const struct selfcheck_spec specs[NRUNS] = {
	[FE]   = { "fork-exec --child-exit 3", "fork-exec", { "--child-exit", "3" },
		   "parent  pid=", 0, 0, true, check_fork_exec },
	[TH4]  = { "threads -n 4", "threads", { "-n", "4" }, "main       pid=", 4, 0, false,
		   check_threads },
	[TH7]  = { "threads -n 7", "threads", { "-n", "7" }, "main       pid=", 7, 0, false,
		   check_threads },
	[RACE] = { "race", "race", { "-n", "4", "-m", "100000" }, "expected ", 4, 0, false,
		   check_race },
	[FIX1] = RACE_FIXED(1), [FIX2] = RACE_FIXED(2), [FIX3] = RACE_FIXED(3),
	[CH1]  = CHANNEL(1), [CH2] = CHANNEL(2), [CH3] = CHANNEL(3),
	[HEAP] = { "heap", "heap", { "-s", "64", "-l", "1048576", "-c", "64", "-r", "3" },
		   "brk at start", 0, 0, false, check_heap },
};

static struct selfcheck_run runs[NRUNS];
static struct selfcheck_set workloads = { specs, runs, NRUNS, NULL };

/* ---- reading traces and reports ----------------------------------------- */

static bool str__ends_with(const char *s, const char *tail)
{
	size_t n = s ? strlen(s) : 0, m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

/* The as of the root's exec: the address space its program runs in. */
static long long root__as(const struct selfcheck_run *r)
{
	json_t *ev;
	size_t i;

	json_array_foreach(r->trace, i, ev)
		if (ev__is(ev, "exec") && ev__pid(ev) == r->root)
			return ev__int_or(ev, "as", -1);
	return -1;
}

/* ---- every workload ----------------------------------------------------- */

static void check_common(const struct selfcheck_run *r)
{
	const struct selfcheck_spec *s = r->spec;
	const json_t *tr = r->trace, *start = json_array_get(tr, 0), *first, *sum, *ex, *ev;
	const json_t *by_type;
	size_t i, last = json_array_size(tr) - 1;
	struct pidset fam;
	const char *key;
	json_t *v;

	CHECK(r->code == 0, "memtrace run %s exited %d, want 0 (the workload's status); stderr: %s",
	      s->label, r->code, r->err);
	CHECK(str__eq(ev__str(start, "target"), "workload"), "start record's target %s, want \"workload\"",
	      ev__str(start, "target") ?: "(none)");
	CHECK(r->root > 0, "root_pid %lld", r->root);
	first = json_array_get(tr, 1);
	{
		char tail[64];

		snprintf(tail, sizeof(tail), "/%s", s->name);
		CHECK(ev__is(first, "exec") && ev__pid(first) == r->root &&
		      str__ends_with(ev__str(first, "filename"), tail),
		      "first event %s, want the exec of .../%s by root_pid %lld", ev__show(first),
		      s->name, r->root);
	}

	sum = trace__summary(tr);
	CHECK(ev__int_or(sum, "lost", -1) == 0, "summary lost %lld, want 0", ev__int_or(sum, "lost", -1));
	by_type = json_object_get(sum, "lost_by_type");
	CHECK(json_is_object(by_type), "summary without lost_by_type: %s", ev__show(sum));
	json_object_foreach((json_t *)by_type, key, v)
		CHECK(json_integer_value(v) == 0, "summary lost_by_type.%s %lld, want 0", key,
		      (long long)json_integer_value(v));
	CHECK(ev__int_or(sum, "exit_status", -1) == 0, "summary exit_status %lld, want 0",
	      ev__int_or(sum, "exit_status", -1));
	ex = trace__exit_of(tr, r->root);
	CHECK(ex && ev__int_or(ex, "code", -1) == 0 && ev__int_or(ex, "signal", -1) == 0,
	      "root %lld's exit %s, want code 0 signal 0", r->root, ev__show(ex));

	/* every pid descends from root_pid; every event has the common fields */
	trace__family(tr, r->root, &fam);
	json_array_foreach(tr, i, ev) {
		if (i == 0 || i == last)
			continue;
		CHECK(pidset__has(&fam, ev__pid(ev)), "event of pid %lld, which no fork chain links to "
		      "root_pid %lld: %s", ev__pid(ev), r->root, ev__show(ev));
		CHECK(json_is_integer(json_object_get(ev, "ts")) && ev__str(ev, "event") &&
		      json_is_integer(json_object_get(ev, "tid")) && ev__str(ev, "comm") &&
		      json_is_integer(json_object_get(ev, "as")),
		      "event without ts/event/tid/comm/as: %s", ev__show(ev));
	}

	CHECK(json_array_size(r->report) > 0, "empty self-report");
	json_array_foreach(r->report, i, ev) {
		CHECK(str__eq(ev__str(ev, "workload"), s->name), "self-report line of workload %s, want %s",
		      ev__str(ev, "workload") ?: "(none)", s->name);
		CHECK(pidset__has(&fam, ev__pid(ev)), "self-report pid %lld is not root_pid %lld or a "
		      "descendant in the trace: %s", ev__pid(ev), r->root, ev__show(ev));
	}
	/* with -o the workload keeps memtrace's stdout; the trace file parsed line by line */
	CHECK(r->out && strstr(r->out, s->marker), "the workload's stdout lacks \"%s\": \"%.300s\"",
	      s->marker, r->out ?: "");
}

/* ---- fork-exec ---------------------------------------------------------- */

static void check_fork_exec(const struct selfcheck_run *r)
{
	const json_t *tr = r->trace, *parent, *child, *cexit, *fk = NULL, *exec = NULL, *ev;
	const json_t *pex, *cex;
	long long P = r->root, C, pas, fas = -1, eas, want;
	size_t i, fk_i = 0, exec_i = 0, nforks = 0, nexecs = 0, loader = 0;

	check_common(r);
	parent = report__find(r->report, "process", "role", "parent", 0);
	child = report__find(r->report, "process", "role", "child", 0);
	cexit = report__find(r->report, "child_exit", NULL, NULL, 0);
	if (!CHECK(parent && child && cexit, "self-report lacks a line: parent %s, child %s, "
		   "child_exit %s", ev__show(parent), ev__show(child), ev__show(cexit)))
		return;
	C = ev__pid(child);
	CHECK(ev__pid(parent) == P, "parent's self-reported pid %lld, trace's root_pid %lld",
	      ev__pid(parent), P);
	CHECK(ev__int_or(cexit, "child_pid", -1) == C, "parent says its child was %lld, the child "
	      "says it is %lld", ev__int_or(cexit, "child_pid", -1), C);
	CHECK(C != P, "parent and child have one pid, %lld", C);
	CHECK(ev__int_or(child, "ppid", -1) == P, "child's ppid %lld, want %lld",
	      ev__int_or(child, "ppid", -1), P);

	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "fork")) {
			nforks++;
			fk = ev;
			fk_i = i;
		}
	}
	if (!CHECK(nforks == 1, "%zu fork events, want 1 (the parent forking the child)", nforks))
		return;
	CHECK(ev__bool_is(fk, "thread", false) && ev__bool_is(fk, "shared_vm", false),
	      "fork %s, want thread:false, shared_vm:false", ev__show(fk));
	CHECK(ev__pid(fk) == P && ev__int_or(fk, "tid", -1) == P, "fork by %lld/%lld, want the "
	      "parent %lld: %s", ev__pid(fk), ev__int_or(fk, "tid", -1), P, ev__show(fk));
	CHECK(ev__int_or(fk, "child_pid", -1) == C && ev__int_or(fk, "child_tid", -1) == C,
	      "fork's child %lld/%lld, want the self-reported child %lld", ev__int_or(fk, "child_pid", -1),
	      ev__int_or(fk, "child_tid", -1), C);
	pas = root__as(r);
	fas = ev__int_or(fk, "child_as", -1);
	CHECK(ev__int_or(fk, "as", -1) == pas, "fork in as %lld, want the parent's %lld",
	      ev__int_or(fk, "as", -1), pas);
	CHECK(fas > 0 && fas != pas, "fork's child_as %lld, want a new as (the parent's is %lld)",
	      fas, pas);

	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "exec") && ev__pid(ev) == C) {
			nexecs++;
			exec = ev;
			exec_i = i;
		}
	}
	if (!CHECK(nexecs == 1, "%zu exec events in child %lld, want 1", nexecs, C))
		return;
	eas = ev__int_or(exec, "as", -1);
	CHECK(exec_i > fk_i, "the child's exec comes before its fork");
	CHECK(ev__int_or(exec, "tid", -1) == C, "exec by tid %lld, want %lld",
	      ev__int_or(exec, "tid", -1), C);
	CHECK(ev__int_or(exec, "old_as", -1) == fas, "exec's old_as %lld, want the fork's child_as %lld",
	      ev__int_or(exec, "old_as", -1), fas);
	CHECK(eas > 0 && eas != fas && eas != pas, "exec's as %lld, want a new one (fork gave %lld, "
	      "the parent has %lld)", eas, fas, pas);
	CHECK(str__ends_with(ev__str(exec, "filename"), "/fork-exec"), "exec filename %s",
	      ev__str(exec, "filename") ?: "(none)");

	/* never one address space for the two: every event of each, before and after exec */
	json_array_foreach(tr, i, ev) {
		if (ev__pid(ev) == P && i != 0 && i != json_array_size(tr) - 1) {
			CHECK(ev__int_or(ev, "as", -1) == pas, "parent event in as %lld, want %lld: %s",
			      ev__int_or(ev, "as", -1), pas, ev__show(ev));
		} else if (ev__pid(ev) == C) {
			want = i < exec_i ? fas : eas;
			CHECK(ev__int_or(ev, "as", -1) == want && want != pas, "child event %s the exec "
			      "in as %lld, want %lld (the parent's is %lld): %s",
			      i < exec_i ? "before" : "after", ev__int_or(ev, "as", -1), want, pas,
			      ev__show(ev));
			if (i > exec_i && ev__is(ev, "mmap"))
				loader++;
		}
	}
	CHECK(loader > 0, "no mmap in the child after exec: the loader maps libc there");

	cex = trace__exit_of(tr, C);
	pex = trace__exit_of(tr, P);
	if (!CHECK(cex && pex, "exit events: child %s, parent %s", ev__show(cex), ev__show(pex)))
		return;
	CHECK(ev__int_or(cex, "code", -1) == ev__int_or(cexit, "code", -2) &&
	      ev__int_or(cex, "code", -1) == CHILD_EXIT && ev__int_or(cex, "signal", -1) == 0,
	      "child's exit code %lld signal %lld; the parent's waitpid saw %lld, --child-exit %d",
	      ev__int_or(cex, "code", -1), ev__int_or(cex, "signal", -1),
	      ev__int_or(cexit, "code", -2), CHILD_EXIT);
	CHECK(ev__int_or(cex, "as", -1) == eas, "child's exit in as %lld, want %lld",
	      ev__int_or(cex, "as", -1), eas);
	CHECK(ev__int_or(pex, "code", -1) == 0, "parent's exit code %lld, want 0",
	      ev__int_or(pex, "code", -1));
	CHECK(trace__index(tr, cex) < trace__index(tr, pex),
	      "the parent exits before the child it waits for");
}

/* ---- threads, race, channel --------------------------------------------- */

/* The fork event that created tid, and its index. */
static const json_t *fork__of_tid(const json_t *tr, long long tid, size_t *idx, size_t *n)
{
	const json_t *found = NULL;
	json_t *ev;
	size_t i;

	*n = 0;
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "fork") && ev__int_or(ev, "child_tid", -1) == tid) {
			found = ev;
			*idx = i;
			(*n)++;
		}
	}
	return found;
}

static const json_t *exit__of_tid(const json_t *tr, long long tid)
{
	json_t *ev;
	size_t i;

	json_array_foreach(tr, i, ev)
		if (ev__is(ev, "exit") && ev__int_or(ev, "tid", -1) == tid)
			return ev;
	return NULL;
}

/*
 * The workload's `threads` threads: created by the main thread with a thread
 * fork each, in the root's as; their tids are the self-report's; each exits
 * with thread:true, and the main thread's exit, last, has thread:false.
 */
static void check_thread_tasks(const struct selfcheck_run *r)
{
	const json_t *tr = r->trace, *l, *ev, *last_exit = NULL;
	long long root = r->root, as = root__as(r), tid;
	int n = r->spec->n;
	size_t i, j, fk_i, nf, nthread = 0, nproc = 0, nexit = 0, nrep;

	json_array_foreach(tr, i, ev) {
		if (ev__pid(ev) == root && i != 0 && i != json_array_size(tr) - 1)
			CHECK(ev__int_or(ev, "as", -1) == as, "event of pid %lld in as %lld, want %lld: %s",
			      root, ev__int_or(ev, "as", -1), as, ev__show(ev));
		if (ev__is(ev, "exit") && ev__pid(ev) == root) {
			nexit++;
			last_exit = ev;
		}
		if (!ev__is(ev, "fork"))
			continue;
		if (!ev__bool_is(ev, "thread", true)) {
			nproc++;
			continue;
		}
		nthread++;
		tid = ev__int_or(ev, "child_tid", -1);
		CHECK(ev__pid(ev) == root && ev__int_or(ev, "tid", -1) == root &&
		      ev__int_or(ev, "child_pid", -1) == root,
		      "thread fork not from main thread %lld into its own process: %s", root, ev__show(ev));
		CHECK(ev__int_or(ev, "as", -1) == as && ev__int_or(ev, "child_as", -1) == as &&
		      ev__bool_is(ev, "shared_vm", true),
		      "thread fork with as %lld, child_as %lld, want both %lld (main's) and shared_vm: %s",
		      ev__int_or(ev, "as", -1), ev__int_or(ev, "child_as", -1), as, ev__show(ev));
		for (j = 0; (l = report__find(r->report, "thread", NULL, NULL, j)); j++)
			if (ev__int_or(l, "tid", -2) == tid)
				break;
		CHECK(l, "thread fork's child_tid %lld is none of the self-report's threads", tid);
	}
	CHECK(nthread == (size_t)n, "%zu fork events with thread:true, want %d", nthread, n);
	CHECK(nproc == 0, "%zu process forks, want none", nproc);

	nrep = report__count(r->report, "thread");
	CHECK(nrep == (size_t)n, "%zu thread lines in the self-report, want %d", nrep, n);
	for (j = 0; (l = report__find(r->report, "thread", NULL, NULL, j)); j++) {
		tid = ev__int_or(l, "tid", -1);
		CHECK(ev__pid(l) == root && tid != root, "thread %lld reports pid %lld, want %lld (and "
		      "a tid of its own)", tid, ev__pid(l), root);
		fork__of_tid(tr, tid, &fk_i, &nf);
		CHECK(nf == 1, "self-reported thread %lld has %zu fork events, want 1", tid, nf);
		ev = exit__of_tid(tr, tid);
		CHECK(ev && ev__pid(ev) == root && ev__bool_is(ev, "thread", true) &&
		      ev__int_or(ev, "code", -1) == 0 && ev__int_or(ev, "signal", -1) == 0,
		      "thread %lld's exit %s, want pid %lld, thread:true, code 0", tid, ev__show(ev), root);
	}
	CHECK(nexit == (size_t)n + 1, "%zu exit events in pid %lld, want %d (threads and main)",
	      nexit, root, n + 1);
	CHECK(last_exit && ev__int_or(last_exit, "tid", -1) == root &&
	      ev__bool_is(last_exit, "thread", false),
	      "last exit of pid %lld %s, want main thread %lld's with thread:false", root,
	      ev__show(last_exit), root);
}

struct stack_map {
	const json_t *mmap, *rw;
	size_t mmap_i, rw_i;
	uint64_t start, end, rw_start, rw_end;
};

/* The MAP_STACK mmap of pid holding addr, and the rw- mprotect inside it holding addr. */
static void stack__find(const json_t *tr, long long pid, uint64_t addr, struct stack_map *s)
{
	uint64_t a, e;
	json_t *ev;
	size_t i;

	memset(s, 0, sizeof(*s));
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "mmap") && ev__pid(ev) == pid && ev__ok(ev) &&
		    flags__has(ev, "MAP_STACK") && ev__range(ev, &a, &e) && a <= addr && addr < e) {
			s->mmap = ev;
			s->mmap_i = i;
			s->start = a;
			s->end = e;
		}
	}
	if (!s->mmap)
		return;
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "mprotect") && ev__pid(ev) == pid && ev__ok(ev) &&
		    str__eq(ev__str(ev, "prot"), "rw-") && ev__range(ev, &a, &e) &&
		    a >= s->start && e <= s->end && a <= addr && addr < e) {
			s->rw = ev;
			s->rw_i = i;
			s->rw_start = a;
			s->rw_end = e;
		}
	}
}

/* Is addr inside any mapping the trace shows being made, changed or unmapped? */
static const json_t *trace__mapping_of(const json_t *tr, uint64_t addr)
{
	uint64_t a, e;
	json_t *ev;
	size_t i;

	json_array_foreach(tr, i, ev) {
		if ((ev__is(ev, "mmap") || ev__is(ev, "mprotect") || ev__is(ev, "munmap")) &&
		    ev__ok(ev) && ev__range(ev, &a, &e) && a <= addr && addr < e)
			return ev;
	}
	return NULL;
}

static void check_threads(const struct selfcheck_run *r)
{
	const json_t *tr = r->trace, *l, *main_l;
	size_t seen[64], j, k, fk_i, nf;
	struct stack_map s;
	long long tid;
	uint64_t local;

	check_common(r);
	check_thread_tasks(r);
	main_l = report__find(r->report, "main", NULL, NULL, 0);
	if (CHECK(main_l, "self-report has no main line")) {
		CHECK(ev__pid(main_l) == r->root && ev__int_or(main_l, "tid", -1) == r->root &&
		      ev__int_or(main_l, "threads", -1) == r->spec->n,
		      "main line %s, want pid = tid = %lld, threads %ld", ev__show(main_l), r->root,
		      r->spec->n);
		/* main's stack is the kernel's [stack]: no syscall made it */
		CHECK(ev__addr(main_l, "local_addr", &local) && !trace__mapping_of(tr, local),
		      "main's &local is inside a traced mapping: %s",
		      ev__show(trace__mapping_of(tr, local)));
	}
	/* each thread's &local: in a MAP_STACK mapping of its own, in its rw- part */
	for (j = 0; (l = report__find(r->report, "thread", NULL, NULL, j)) && j < 64; j++) {
		tid = ev__int_or(l, "tid", -1);
		if (!CHECK(ev__addr(l, "local_addr", &local), "no local_addr: %s", ev__show(l)))
			continue;
		stack__find(tr, r->root, local, &s);
		seen[j] = s.mmap_i;
		if (!CHECK(s.mmap, "thread %lld's &local 0x%llx lies in no MAP_STACK mmap of pid %lld",
			   tid, (unsigned long long)local, r->root))
			continue;
		CHECK(str__eq(ev__str(s.mmap, "prot"), "---"), "stack mmap prot %s, want --- "
		      "(glibc maps it all inaccessible first): %s", ev__str(s.mmap, "prot") ?: "(none)",
		      ev__show(s.mmap));
		if (!CHECK(s.rw, "no rw- mprotect in stack [0x%llx, 0x%llx) holds thread %lld's &local "
			   "0x%llx", (unsigned long long)s.start, (unsigned long long)s.end, tid,
			   (unsigned long long)local))
			continue;
		CHECK(s.rw_start >= s.start + PAGE && s.rw_end == s.end,
		      "rw- part [0x%llx, 0x%llx) of stack [0x%llx, 0x%llx): want all but a guard page "
		      "at the bottom", (unsigned long long)s.rw_start, (unsigned long long)s.rw_end,
		      (unsigned long long)s.start, (unsigned long long)s.end);
		if (fork__of_tid(tr, tid, &fk_i, &nf))
			CHECK(s.mmap_i < fk_i && s.rw_i < fk_i, "thread %lld's stack was prepared after "
			      "its fork (mmap #%zu, mprotect #%zu, fork #%zu)", tid, s.mmap_i, s.rw_i, fk_i);
		for (k = 0; k < j; k++)
			CHECK(seen[k] != s.mmap_i, "two threads' locals in one stack mapping: %s",
			      ev__show(s.mmap));
	}
}

/*
 * race and channel: the workers' business (racing on a counter, passing
 * values) needs no memory syscall, so their only own events are their
 * exit and glibc giving back the unused part of their stack as they end
 * (madvise MADV_DONTNEED, nptl/nptl-stack.c advise_stack_range).
 */
static void check_workers_quiet(const struct selfcheck_run *r)
{
	json_t *ev;
	size_t i;

	json_array_foreach(r->trace, i, ev) {
		if (ev__pid(ev) == r->root && ev__int_or(ev, "tid", -1) != r->root)
			CHECK(ev__is(ev, "exit") || ev__is(ev, "madvise"), "a worker thread's event other than its exit: %s",
			      ev__show(ev));
	}
}

static void check_race(const struct selfcheck_run *r)
{
	const json_t *res;
	long long want, exp, act;
	bool fixed = false;
	int i;

	check_common(r);
	check_thread_tasks(r);
	check_workers_quiet(r);
	for (i = 0; r->spec->args[i]; i++)
		fixed |= !strcmp(r->spec->args[i], "--fixed");
	res = report__find(r->report, "result", NULL, NULL, 0);
	if (!CHECK(res, "self-report has no result line"))
		return;
	/* -n 4 -m 100000 */
	want = 4LL * 100000;
	exp = ev__int_or(res, "expected", -1);
	act = ev__int_or(res, "actual", -1);
	CHECK(exp == want, "expected %lld, want %lld (4 threads x 100000)", exp, want);
	CHECK(ev__bool_is(res, "fixed", fixed), "result's fixed is not %s", fixed ? "true" : "false");
	CHECK(act >= 0 && act <= exp && ev__int_or(res, "lost", -1) == exp - act,
	      "actual %lld, lost %lld: want 0 <= actual <= expected %lld and lost = expected - actual",
	      act, ev__int_or(res, "lost", -1), exp);
	if (fixed)
		CHECK(act == exp, "--fixed: actual %lld, want exactly %lld", act, exp);
}

static void check_channel(const struct selfcheck_run *r)
{
	long long producers = r->spec->n - 1, m = r->spec->m, want, got;
	const json_t *res, *l;
	size_t j, np = 0;

	check_common(r);
	check_thread_tasks(r);
	check_workers_quiet(r);
	res = report__find(r->report, "result", NULL, NULL, 0);
	if (!CHECK(res, "self-report has no result line"))
		return;
	want = producers * m * (m + 1) / 2;
	got = ev__int_or(res, "actual", -1);
	CHECK(ev__int_or(res, "expected", -1) == want && got == want,
	      "sum: actual %lld, self-reported expected %lld, want both %lld", got,
	      ev__int_or(res, "expected", -1), want);
	CHECK(ev__int_or(res, "received", -1) == producers * m, "received %lld, want %lld",
	      ev__int_or(res, "received", -1), producers * m);
	for (j = 0; (l = report__find(r->report, "thread", NULL, NULL, j)); j++) {
		if (str__eq(ev__str(l, "role"), "producer")) {
			np++;
			CHECK(ev__int_or(l, "count", -1) == m, "producer sent %lld, want %lld",
			      ev__int_or(l, "count", -1), m);
		} else {
			CHECK(ev__int_or(l, "count", -1) == producers * m, "consumer received %lld, want %lld",
			      ev__int_or(l, "count", -1), producers * m);
		}
	}
	CHECK(np == (size_t)producers, "%zu producer lines, want %lld", np, producers);
}

/* ---- heap --------------------------------------------------------------- */

struct heap_view {
	uint64_t first, max;		/* the initial break, the highest one */
	size_t max_i;
	const json_t *shrink;		/* last brk that lowered the break */
	size_t shrink_i;
	uint64_t before_shrink;
};

static bool heap__scan(const json_t *tr, long long pid, struct heap_view *h)
{
	uint64_t a, prev = 0;
	bool any = false;
	json_t *ev;
	size_t i;

	memset(h, 0, sizeof(*h));
	json_array_foreach(tr, i, ev) {
		if (!ev__is(ev, "brk") || ev__pid(ev) != pid || !ev__ok(ev) || !ev__addr(ev, "addr", &a))
			continue;
		if (!any) {
			any = true;
			h->first = a;
			/* the first brk must be the loader's query of where the heap begins */
			if (!CHECK(str__eq(ev__str(ev, "req"), "0x0"), "first brk is not a query: %s",
				   ev__show(ev)))
				return false;
		}
		if (a > h->max) {
			h->max = a;
			h->max_i = i;
		}
		if (a < prev) {
			h->shrink = ev;
			h->shrink_i = i;
			h->before_shrink = prev;
		}
		prev = a;
	}
	return CHECK(any, "no brk event in pid %lld", pid);
}

/* The anonymous mmap holding [addr, addr+size), and the munmap of that same mapping after it. */
static void large__find(const json_t *tr, long long pid, uint64_t addr, uint64_t size,
			const json_t **map, const json_t **unmap)
{
	uint64_t a, e, ua, ue;
	json_t *ev, *u;
	size_t i, j;

	*map = *unmap = NULL;
	json_array_foreach(tr, i, ev) {
		if (!ev__is(ev, "mmap") || ev__pid(ev) != pid || !ev__ok(ev) ||
		    !flags__has(ev, "MAP_ANONYMOUS") || !ev__range(ev, &a, &e) ||
		    addr < a || addr + size > e)
			continue;
		*map = ev;
		json_array_foreach(tr, j, u) {
			if (j > i && ev__is(u, "munmap") && ev__pid(u) == pid && ev__ok(u) &&
			    ev__range(u, &ua, &ue) && ua == a && ue == e) {
				*unmap = u;
				break;
			}
		}
	}
}

static void check_heap(const struct selfcheck_run *r)
{
	const json_t *tr = r->trace, *rep = r->report, *l, *map, *unmap, *m;
	const json_t *start, *after_small, *after_trim, *stack, *large, *freed;
	uint64_t a, b, s0, small_brk, trim, size;
	const char *what;
	struct heap_view h;
	size_t j, nsmall = 0;

	check_common(r);
	if (!heap__scan(tr, r->root, &h))
		return;
	start = report__find(rep, "brk", "when", "start", 0);
	after_small = report__find(rep, "brk", "when", "after_small", 0);
	after_trim = report__find(rep, "brk", "when", "after_trim", 0);
	stack = report__find(rep, "alloc", "what", "stack", 0);
	large = report__find(rep, "alloc", "what", "large", 0);
	freed = report__find(rep, "free", "what", "large", 0);
	if (!CHECK(start && after_small && after_trim && stack && large && freed,
		   "self-report lacks brk start/after_small/after_trim, alloc stack/large or free"))
		return;
	ev__addr(start, "addr", &s0);
	ev__addr(after_small, "addr", &small_brk);
	ev__addr(after_trim, "addr", &trim);
	CHECK(s0 == h.first, "sbrk(0) at start 0x%llx, the kernel's first break 0x%llx",
	      (unsigned long long)s0, (unsigned long long)h.first);
	CHECK(h.max > h.first, "the break never grew: first 0x%llx, max 0x%llx",
	      (unsigned long long)h.first, (unsigned long long)h.max);

	/* small blocks, the escaping point, churn: in [first break, highest break) */
	for (j = 0; (l = report__find(rep, "alloc", NULL, NULL, j)); j++) {
		what = ev__str(l, "what");
		if (!str__eq(what, "small") && !str__eq(what, "churn") &&
		    !(str__eq(what, "escape") && str__eq(ev__str(l, "returns"), "pointer")))
			continue;
		nsmall += str__eq(what, "small");
		size = ev__int_or(l, "size", 0);
		CHECK(ev__addr(l, "addr", &a) && a >= h.first && a + size <= h.max,
		      "%s block 0x%llx+%llu outside the brk heap [0x%llx, 0x%llx)", what,
		      (unsigned long long)a, (unsigned long long)size, (unsigned long long)h.first,
		      (unsigned long long)h.max);
		m = trace__mapping_of(tr, a);
		CHECK(!m, "%s block 0x%llx inside a traced mapping: %s", what, (unsigned long long)a,
		      ev__show(m));
		if (str__eq(what, "small"))
			CHECK(a + size <= small_brk, "small block 0x%llx ends above the break after the "
			      "small mallocs, 0x%llx", (unsigned long long)a, (unsigned long long)small_brk);
	}
	CHECK(nsmall == 64, "%zu small allocations in the self-report, want 64 (-s 64)", nsmall);

	/* the large block: its own anonymous mapping, unmapped whole at free */
	ev__addr(large, "addr", &a);
	size = ev__int_or(large, "size", 0);
	CHECK(size == 1048576, "large size %llu, want 1048576 (-l)", (unsigned long long)size);
	large__find(tr, r->root, a, size, &map, &unmap);
	if (CHECK(map, "large block [0x%llx, +%llu) lies in no anonymous mmap of pid %lld",
		  (unsigned long long)a, (unsigned long long)size, r->root)) {
		CHECK(ev__int_or(map, "fd", 0) == -1 && str__eq(ev__str(map, "prot"), "rw-") &&
		      ev__int_or(map, "len", 0) >= (long long)size,
		      "large block's mapping %s, want fd -1, rw-, len >= %llu", ev__show(map),
		      (unsigned long long)size);
		CHECK(unmap, "no munmap of the large block's mapping %s after it", ev__show(map));
	}
	CHECK(ev__addr(freed, "addr", &b) && b == a, "freed 0x%llx, allocated 0x%llx",
	      (unsigned long long)b, (unsigned long long)a);

	/* malloc_trim: one brk lowering the break, to what sbrk(0) said after it */
	if (CHECK(h.shrink, "no brk lowering the break (malloc_trim's)")) {
		ev__addr(h.shrink, "addr", &b);
		CHECK(b == trim, "break lowered to 0x%llx, sbrk(0) after malloc_trim 0x%llx",
		      (unsigned long long)b, (unsigned long long)trim);
		CHECK(h.shrink_i > h.max_i && b < h.max, "the shrink %s does not follow the highest "
		      "break 0x%llx", ev__show(h.shrink), (unsigned long long)h.max);
	}

	/* the stack array: in [stack], which no traced syscall made or touched */
	ev__addr(stack, "addr", &a);
	m = trace__mapping_of(tr, a);
	CHECK(!m, "stack array 0x%llx inside a traced mapping: %s", (unsigned long long)a, ev__show(m));
	CHECK(a < h.first || a >= h.max, "stack array 0x%llx inside the brk heap [0x%llx, 0x%llx)",
	      (unsigned long long)a, (unsigned long long)h.first, (unsigned long long)h.max);
	CHECK(str__eq(ev__str(stack, "region"), "[stack]"), "stack array's region %s",
	      ev__str(stack, "region") ?: "(none)");
}

/* ---- the tests ---------------------------------------------------------- */

static void test_fork_exec(void)
{
	selfcheck__run(&workloads, FE);
}

static void test_threads_4(void)
{
	selfcheck__run(&workloads, TH4);
}

static void test_threads_7(void)
{
	selfcheck__run(&workloads, TH7);
}

static void test_race(void)
{
	selfcheck__run(&workloads, RACE);
}

static void test_race_fixed(void)
{
	selfcheck__run(&workloads, FIX1);
	selfcheck__run(&workloads, FIX2);
	selfcheck__run(&workloads, FIX3);
}

static void test_channel(void)
{
	selfcheck__run(&workloads, CH1);
	selfcheck__run(&workloads, CH2);
	selfcheck__run(&workloads, CH3);
}

static void test_heap(void)
{
	selfcheck__run(&workloads, HEAP);
}

/* With events on stdout, the workload's stdout moves to stderr, whole. */
static void test_events_on_stdout(void)
{
	static const int which[] = { FE, TH4, RACE, CH1, HEAP };
	const struct selfcheck_spec *s;
	struct proc p;
	json_t *tr;
	size_t i, n;

	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		s = &specs[which[i]];
		memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", s->name, NULL);
		CHECK(p.code == 0, "memtrace run -f json %s exited %d; stderr: %.300s", s->name, p.code, p.err);
		tr = jsonl__parse(p.out, s->name);
		n = json_array_size(tr);
		CHECK(tr && n >= 2 && ev__is(json_array_get(tr, 0), "start") &&
		      ev__is(json_array_get(tr, n - 1), "summary"),
		      "%s: stdout is not a trace from start to summary (%zu lines)", s->name, n);
		CHECK(!strstr(p.out, s->marker), "%s: the workload's output \"%s\" is in the event stream",
		      s->name, s->marker);
		CHECK(strstr(p.err, s->marker), "%s: the workload's output \"%s\" is not on stderr: %.300s",
		      s->name, s->marker, p.err);
		json_decref(tr);
		proc__free(&p);
	}
}

/* ---- doctored traces ---------------------------------------------------- */

/* fork-exec: the child's exec'd program runs in the parent's address space. */
static void dr_fe_shared_as(struct selfcheck_run *r)
{
	long long pas = root__as(r);
	bool after = false;
	json_t *ev;
	size_t i;

	json_array_foreach(r->trace, i, ev) {
		if (ev__is(ev, "exec") && ev__pid(ev) != r->root)
			after = true;
		if (after && ev__pid(ev) != r->root && ev__pid(ev) > 0)
			ev__set_int(ev, "as", pas);
	}
}

static json_t *exit__of_child(struct selfcheck_run *r)
{
	json_t *ev;
	size_t i;

	json_array_foreach(r->trace, i, ev)
		if (ev__is(ev, "exit") && ev__pid(ev) != r->root)
			return ev;
	return NULL;
}

static void dr_fe_exit_code(struct selfcheck_run *r)
{
	json_t *ex = exit__of_child(r);

	ev__set_int(ex, "code", ev__int_or(ex, "code", 0) + 1);
}

static void dr_fe_report_pid(struct selfcheck_run *r)
{
	json_t *l = report__find(r->report, "child_exit", NULL, NULL, 0);

	ev__set_int(l, "child_pid", ev__int_or(l, "child_pid", 0) + 1000);
}

static void dr_fe_thread_fork(struct selfcheck_run *r)
{
	json_object_set_new(trace__nth(r->trace, "fork", -1, 0, NULL), "thread", json_true());
}

static void dr_root_exit_code(struct selfcheck_run *r)
{
	ev__set_int(trace__exit_of(r->trace, r->root), "code", 1);
}

/* threads: a thread fork into a new address space. */
static void dr_th_child_as(struct selfcheck_run *r)
{
	ev__set_int(trace__nth(r->trace, "fork", -1, 1, NULL), "child_as", root__as(r) + 1);
}

static void dr_th_child_tid(struct selfcheck_run *r)
{
	json_t *fk = trace__nth(r->trace, "fork", -1, 0, NULL);

	ev__set_int(fk, "child_tid", ev__int_or(fk, "child_tid", 0) + 1000);
}

/* threads: thread 0's report line and the stack its local lies in, or NULL. */
static json_t *thread0__stack(struct selfcheck_run *r, struct stack_map *s)
{
	json_t *l = report__find(r->report, "thread", NULL, NULL, 0);
	uint64_t local;

	if (!ev__addr(l, "local_addr", &local))
		return NULL;
	stack__find(r->trace, r->root, local, s);
	return l;
}

/* threads: thread 0's local moved into the guard page of its stack. */
static void dr_th_guard(struct selfcheck_run *r)
{
	struct stack_map s;
	json_t *l = thread0__stack(r, &s);

	if (l)
		ev__set_addr(l, "local_addr", s.start + 0x100);
}

/* threads: the mprotect that opens thread 0's stack is gone. */
static void dr_th_no_mprotect(struct selfcheck_run *r)
{
	struct stack_map s;

	if (thread0__stack(r, &s) && s.rw)
		json_array_remove(r->trace, s.rw_i);
}

static void dr_th_main_exit(struct selfcheck_run *r)
{
	json_object_set_new(trace__exit_of(r->trace, r->root), "thread", json_true());
}

static void dr_th_drop_fork(struct selfcheck_run *r)
{
	size_t i;

	if (trace__nth(r->trace, "fork", -1, 3, &i))
		json_array_remove(r->trace, i);
}

/* a thread's exit in another process */
static void dr_th_exit_pid(struct selfcheck_run *r)
{
	json_t *ev;
	size_t i;

	json_array_foreach(r->trace, i, ev) {
		if (ev__is(ev, "exit") && ev__bool_is(ev, "thread", true)) {
			ev__set_int(ev, "pid", ev__pid(ev) + 1);
			break;
		}
	}
}

/* a worker thread maps memory */
static void dr_worker_mmap(struct selfcheck_run *r)
{
	json_t *fk = trace__nth(r->trace, "fork", -1, 0, NULL);
	json_t *ev = json_deep_copy(trace__nth(r->trace, "mmap", -1, 0, NULL));

	ev__set_int(ev, "tid", ev__int_or(fk, "child_tid", 0));
	json_array_insert_new(r->trace, json_array_size(r->trace) - 2, ev);
}

static void dr_heap_large_moved(struct selfcheck_run *r)
{
	json_t *l = report__find(r->report, "alloc", "what", "large", 0);
	uint64_t a;

	if (ev__addr(l, "addr", &a))
		ev__set_addr(l, "addr", a + (2ULL << 20));
}

static json_t *large__map(struct selfcheck_run *r, const json_t **unmap)
{
	json_t *l = report__find(r->report, "alloc", "what", "large", 0);
	const json_t *map = NULL;
	uint64_t a;

	*unmap = NULL;
	if (ev__addr(l, "addr", &a))
		large__find(r->trace, r->root, a, ev__int_or(l, "size", 0), &map, unmap);
	return (json_t *)map;
}

static void dr_heap_munmap_len(struct selfcheck_run *r)
{
	const json_t *unmap;

	large__map(r, &unmap);
	ev__set_int((json_t *)unmap, "len", ev__int_or(unmap, "len", 0) - PAGE);
}

static void dr_heap_no_shrink(struct selfcheck_run *r)
{
	struct heap_view h;

	if (heap__scan(r->trace, r->root, &h) && h.shrink)
		ev__set_addr((json_t *)h.shrink, "addr", h.before_shrink);
}

static void dr_heap_stack_mapped(struct selfcheck_run *r)
{
	json_t *l = report__find(r->report, "alloc", "what", "stack", 0);
	const json_t *unmap, *map = large__map(r, &unmap);
	uint64_t a;

	if (ev__addr(map, "addr", &a))
		ev__set_addr(l, "addr", a + PAGE);
}

static void dr_heap_small_low(struct selfcheck_run *r)
{
	json_t *l = report__find(r->report, "alloc", "what", "small", 0);
	json_t *b = trace__nth(r->trace, "brk", r->root, 0, NULL);
	uint64_t a;

	if (ev__addr(b, "addr", &a))
		ev__set_addr(l, "addr", a - PAGE);
}

static void dr_lost(struct selfcheck_run *r)
{
	json_t *sum = trace__summary(r->trace);

	ev__set_int(sum, "lost", 1);
	ev__set_int(json_object_get(sum, "lost_by_type"), "mmap", 1);
}

/* an event of a process outside the tree */
static void dr_foreign(struct selfcheck_run *r)
{
	json_t *ev = json_deep_copy(trace__nth(r->trace, "mmap", -1, 0, NULL));

	ev__set_int(ev, "pid", 1);
	ev__set_int(ev, "tid", 1);
	json_array_insert_new(r->trace, json_array_size(r->trace) - 1, ev);
}

static const struct selfcheck_doctor doctored[] = {
	{ FE, "fork-exec: child's program in the parent's as", dr_fe_shared_as },
	{ FE, "fork-exec: child's exit code not the one waitpid saw", dr_fe_exit_code },
	{ FE, "fork-exec: parent names another child pid", dr_fe_report_pid },
	{ FE, "fork-exec: the fork makes a thread", dr_fe_thread_fork },
	{ FE, "fork-exec: parent exits 1", dr_root_exit_code },
	{ TH4, "threads: a thread fork into a new as", dr_th_child_as },
	{ TH4, "threads: a fork's child_tid is no reported thread", dr_th_child_tid },
	{ TH4, "threads: a &local in its stack's guard page", dr_th_guard },
	{ TH4, "threads: the rw- mprotect of a stack missing", dr_th_no_mprotect },
	{ TH4, "threads: main's last exit says thread:true", dr_th_main_exit },
	{ TH4, "threads: one thread fork missing", dr_th_drop_fork },
	{ TH4, "threads: a thread exits in another pid", dr_th_exit_pid },
	{ TH4, "threads: events lost", dr_lost },
	{ TH4, "threads: an event of a foreign pid", dr_foreign },
	{ RACE, "race: more increments than were made", doctor__race_over },
	{ FIX1, "race --fixed: one update lost", doctor__race_lost },
	{ CH1, "channel: the sum is off by one", doctor__sum_off },
	{ CH1, "channel: expected and actual agree but are wrong", doctor__sum_agreed },
	{ CH1, "channel: a worker thread maps memory", dr_worker_mmap },
	{ RACE, "race: a racing thread maps memory", dr_worker_mmap },
	{ HEAP, "heap: large block outside its mapping", dr_heap_large_moved },
	{ HEAP, "heap: munmap of a different length", dr_heap_munmap_len },
	{ HEAP, "heap: no brk shrink after malloc_trim", dr_heap_no_shrink },
	{ HEAP, "heap: stack array inside an mmap'd range", dr_heap_stack_mapped },
	{ HEAP, "heap: a small block below the initial break", dr_heap_small_low },
	{ HEAP, "heap: workload exits 1", dr_root_exit_code },
};

static void test_doctored(void)
{
	selfcheck__doctored(&workloads, doctored, sizeof(doctored) / sizeof(doctored[0]));
}

static const struct harness_test tests[] = {
	{ "fork-exec: two pids, a process fork, exec in the child, never one as, exit codes", test_fork_exec, true },
	{ "threads -n 4: 4 thread forks in main's as, tids and stacks as reported, exits", test_threads_4, true },
	{ "threads -n 7: 7 thread forks in main's as, tids and stacks as reported, exits", test_threads_7, true },
	{ "race: 4 thread forks in one as, workers make no memory syscall; actual <= expected", test_race, true },
	{ "race --fixed x3: thread forks, quiet workers; actual == expected every time", test_race_fixed, true },
	{ "channel x3: 4 thread forks, quiet workers; sum exact every time", test_channel, true },
	{ "heap: large block in its own mmap then munmap, small in brk heap, trim shrinks, stack untraced", test_heap, true },
	{ "every workload with events on stdout: trace intact, output on stderr", test_events_on_stdout, true },
	{ "the checks reject doctored traces and reports", test_doctored, true },
	{ NULL, NULL, false },
};

int main(void)
{
	return selfcheck__main(tests, &workloads);
}
