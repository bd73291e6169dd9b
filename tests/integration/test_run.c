// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_run - is the trace true? tests/bin/groundtruth performs a known
 * sequence of memory and process operations with raw syscalls and writes
 * down each one with its exact arguments and result (the contract is its
 * top comment). Its trace must contain every one of them, in the right
 * task and address space, nothing from outside its process tree, and the
 * same number of memory syscalls strace sees. Then the other formats, -p,
 * and where the workload's own output goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "harness.h"
#include "strace.h"

#define RUN_TIMEOUT_MS	30000
#define NTYPES		13

static const char *const mem_types[] = { "mmap", "munmap", "brk", "mprotect", "mremap", NULL };
static const char *const all_types[NTYPES] = {
	"fork", "exec", "exit", "mmap", "munmap", "brk", "mprotect", "mremap",
	"madvise", "shmat", "shmdt", "vma_name", "vma",
};

/* ---- decoding memtrace's names back into numbers ------------------------ */

struct name_bit {
	const char *name;
	unsigned long bit;
};

static const struct name_bit mmap_bits[] = {
	{ "MAP_SHARED", MAP_SHARED }, { "MAP_PRIVATE", MAP_PRIVATE },
	{ "MAP_SHARED_VALIDATE", 0x03 }, { "MAP_FIXED", MAP_FIXED },
	{ "MAP_ANONYMOUS", MAP_ANONYMOUS }, { "MAP_32BIT", 0x40 },
	{ "MAP_GROWSDOWN", MAP_GROWSDOWN }, { "MAP_DENYWRITE", MAP_DENYWRITE },
	{ "MAP_EXECUTABLE", MAP_EXECUTABLE }, { "MAP_LOCKED", MAP_LOCKED },
	{ "MAP_NORESERVE", MAP_NORESERVE }, { "MAP_POPULATE", MAP_POPULATE },
	{ "MAP_NONBLOCK", MAP_NONBLOCK }, { "MAP_STACK", MAP_STACK },
	{ "MAP_HUGETLB", MAP_HUGETLB }, { "MAP_SYNC", 0x80000 },
	{ "MAP_FIXED_NOREPLACE", 0x100000 }, { "MAP_UNINITIALIZED", 0x4000000 },
	{ NULL, 0 },
};

static const struct name_bit mremap_bits[] = {
	{ "MREMAP_MAYMOVE", 1 }, { "MREMAP_FIXED", 2 }, { "MREMAP_DONTUNMAP", 4 },
	{ NULL, 0 },
};

/*
 * "MAP_PRIVATE|MAP_ANONYMOUS" -> 0x22. Comparing numbers, not strings,
 * keeps the test free of the decoder's name order. False on a name the
 * table lacks (a leftover "0x.." is taken as bits).
 */
static bool flags__parse(const char *s, const struct name_bit *tab, unsigned long *v)
{
	char buf[512], *tok, *save = NULL;
	uint64_t x;
	size_t i;

	if (!s || snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return false;
	*v = 0;
	if (!strcmp(s, "0"))
		return true;
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		if (hex__parse(tok, &x)) {
			*v |= x;
			continue;
		}
		for (i = 0; tab[i].name && strcmp(tab[i].name, tok); i++)
			;
		if (!tab[i].name)
			return false;
		*v |= tab[i].bit;
	}
	return true;
}

/* "rw-" -> PROT_READ|PROT_WRITE; extra "|PROT_..." names make it fail. */
static bool prot__parse(const char *s, unsigned long *v)
{
	if (!s || strlen(s) != 3 || (s[0] != 'r' && s[0] != '-') ||
	    (s[1] != 'w' && s[1] != '-') || (s[2] != 'x' && s[2] != '-'))
		return false;
	*v = (s[0] == 'r' ? PROT_READ : 0) | (s[1] == 'w' ? PROT_WRITE : 0) |
	     (s[2] == 'x' ? PROT_EXEC : 0);
	return true;
}

/* ---- the ground-truth run, shared by the tests that judge it ------------ */

static struct {
	bool tried, ok;
	int code;		/* memtrace's exit status */
	json_t *trace, *report;
	long long root;		/* root_pid, the groundtruth process */
	long long as;		/* its address space after exec */
} gt;

/* Report lines of one op, in order. */
static json_t *report__op(const char *op, size_t nth)
{
	json_t *l;
	size_t i;

	json_array_foreach(gt.report, i, l) {
		const char *o = ev__str(l, "op");

		if (o && !strcmp(o, op) && !nth--)
			return l;
	}
	return NULL;
}

/* Runs groundtruth under memtrace once; false (with diagnostics) if that failed. */
static bool gt__load(void)
{
	const char *t = harness_tmp("groundtruth.jsonl"), *r = harness_tmp("groundtruth.report");
	json_t *end;
	struct proc p;

	if (gt.tried)
		return EXPECT_MSG(gt.ok, "the ground-truth run failed (see the first test)");
	gt.tried = true;
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", t, "--",
		      harness_bin("groundtruth"), r, NULL);
	gt.code = p.code;
	EXPECT_MSG(!p.timed_out, "memtrace timed out");
	EXPECT_MSG(p.err_len == 0, "stderr: %s", p.err);
	proc__free(&p);
	gt.report = jsonl__read(r);
	gt.trace = trace__load(t);
	if (!EXPECT_MSG(gt.report, "no readable report from groundtruth") || !gt.trace)
		return false;
	end = report__op("end", 0);
	if (!EXPECT_MSG(json_is_true(json_object_get(end, "ok")),
			"groundtruth says its own run went wrong: %s", ev__show(end)))
		return false;
	gt.root = trace__root_pid(gt.trace);
	gt.as = ev__int_or(json_array_get(gt.trace, 1), "as", -1);
	gt.ok = true;
	return true;
}

/* ---- matching a report line with its trace event ------------------------ */

static bool field__hex_eq(const json_t *a, const char *ka, const json_t *b, const char *kb)
{
	uint64_t x, y;

	return ev__addr(a, ka, &x) && ev__addr(b, kb, &y) && x == y;
}

static bool field__int_eq(const json_t *a, const char *ka, const json_t *b, const char *kb)
{
	long long x, y;

	return ev__int(a, ka, &x) && ev__int(b, kb, &y) && x == y;
}

/*
 * The result: an address in "addr" (mmap, mremap, brk), nothing (munmap,
 * mprotect), or on failure "error" named like the report's "errno" and, for
 * mmap/mremap, no "addr" at all.
 */
static bool result__matches(const json_t *op, const json_t *ev, const char *type)
{
	bool addr_result = !strcmp(type, "mmap") || !strcmp(type, "mremap") || !strcmp(type, "brk");
	const char *err = ev__str(ev, "error");
	long long ret;

	if (ev__int(op, "ret", &ret) && ret < 0) {
		if (!err || strcmp(err, ev__str(op, "errno") ? ev__str(op, "errno") : ""))
			return false;
		return !(strcmp(type, "mmap") && strcmp(type, "mremap")) ?
		       !json_object_get(ev, "addr") : true;
	}
	if (err)
		return false;
	if (addr_result)
		return field__hex_eq(op, "ret", ev, "addr");
	return ev__int(op, "ret", &ret) && ret == 0;
}

static bool args__match(const json_t *op, const json_t *ev, const char *type)
{
	unsigned long prot, flags;
	long long want;
	uint64_t hint;

	if (!strcmp(type, "mmap")) {
		/* the hint is there exactly when the program asked for an address */
		if (!ev__addr(op, "addr", &hint))
			return false;
		if (hint ? !field__hex_eq(op, "addr", ev, "hint") : !!json_object_get(ev, "hint"))
			return false;
		return field__int_eq(op, "len", ev, "len") &&
		       prot__parse(ev__str(ev, "prot"), &prot) && ev__int(op, "prot", &want) &&
		       prot == (unsigned long)want &&
		       flags__parse(ev__str(ev, "flags"), mmap_bits, &flags) &&
		       ev__int(op, "flags", &want) && flags == (unsigned long)want &&
		       field__int_eq(op, "fd", ev, "fd") &&
		       field__int_eq(op, "offset", ev, "offset");
	}
	if (!strcmp(type, "munmap"))
		return field__hex_eq(op, "addr", ev, "addr") && field__int_eq(op, "len", ev, "len");
	if (!strcmp(type, "mprotect"))
		return field__hex_eq(op, "addr", ev, "addr") &&
		       field__int_eq(op, "len", ev, "len") &&
		       prot__parse(ev__str(ev, "prot"), &prot) && ev__int(op, "prot", &want) &&
		       prot == (unsigned long)want;
	if (!strcmp(type, "brk"))
		return field__hex_eq(op, "req", ev, "req");
	/* mremap */
	return field__hex_eq(op, "old_addr", ev, "old_addr") &&
	       field__int_eq(op, "old_len", ev, "old_len") &&
	       field__int_eq(op, "new_len", ev, "new_len") &&
	       flags__parse(ev__str(ev, "flags"), mremap_bits, &flags) &&
	       ev__int(op, "flags", &want) && flags == (unsigned long)want;
}

struct op_ctx {
	const json_t *op;
	const char *type;
};

static bool op__matches(const json_t *ev, void *ctx)
{
	const struct op_ctx *c = ctx;

	return ev__is(ev, c->type) && field__int_eq(c->op, "tid", ev, "tid") &&
	       field__int_eq(c->op, "pid", ev, "pid") && args__match(c->op, ev, c->type) &&
	       result__matches(c->op, ev, c->type);
}

static bool is_mem_op(const char *op)
{
	int i;

	for (i = 0; op && mem_types[i]; i++)
		if (!strcmp(op, mem_types[i]))
			return true;
	return false;
}

/* Trace events of type in task tid from index from, next to a missing op. */
static void diag__candidates(const char *type, long long tid, size_t from)
{
	json_t *ev;
	size_t i;
	int n = 0;

	json_array_foreach(gt.trace, i, ev) {
		if (i >= from && ev__is(ev, type) && ev__int_or(ev, "tid", -1) == tid && n++ < 4)
			harness_diag("  trace has: %s", ev__show(ev));
	}
	if (!n)
		harness_diag("  trace has no %s event in tid %lld after that", type, tid);
}

/* Each task's events are in program order, so a match must follow the previous one. */
struct task_pos {
	long long tid;
	size_t next;
};

static size_t *task__next(struct task_pos *pos, size_t *n, long long tid)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (pos[i].tid == tid)
			return &pos[i].next;
	if (*n == 32)
		return &pos[0].next;
	pos[*n].tid = tid;
	pos[*n].next = 0;
	return &pos[(*n)++].next;
}

/* The address space a pid's events must carry: root's, or what its fork/exec said. */
static long long as__of_pid(long long pid)
{
	long long as = pid == gt.root ? gt.as : -1;
	json_t *ev;
	size_t i;

	json_array_foreach(gt.trace, i, ev) {
		if (ev__is(ev, "fork") && ev__int_or(ev, "child_pid", -1) == pid && pid != gt.root)
			as = ev__int_or(ev, "child_as", -1);
		if (ev__is(ev, "exec") && ev__int_or(ev, "pid", -1) == pid)
			as = ev__int_or(ev, "as", -1);
	}
	return as;
}

static void test_gt_memory_ops(void)
{
	struct task_pos pos[32];
	size_t npos = 0, i, idx, *next;
	json_t *op, *ev;
	int checked = 0;

	if (!gt__load())
		return;
	json_array_foreach(gt.report, i, op) {
		struct op_ctx c = { op, ev__str(op, "op") };

		if (!is_mem_op(c.type))
			continue;
		checked++;
		next = task__next(pos, &npos, ev__int_or(op, "tid", -1));
		ev = events__find(gt.trace, *next, op__matches, &c, &idx);
		if (!ev) {
			harness_fail(__FILE__, __LINE__, "report line %zu: no exact event in the "
				     "trace after index %zu: %s", i + 1, *next, ev__show(op));
			diag__candidates(c.type, ev__int_or(op, "tid", -1), *next);
			continue;
		}
		*next = idx + 1;
		EXPECT_MSG(ev__int_or(ev, "as", -1) == as__of_pid(ev__int_or(op, "pid", -1)),
			   "event in the wrong address space (expected %lld): %s",
			   as__of_pid(ev__int_or(op, "pid", -1)), ev__show(ev));
	}
	/*
	 * The contract's ops: 5 on the anonymous mapping, 3 brk, 3 failures,
	 * 2 on the file, 2 per thread, 2 in the forked child.
	 */
	EXPECT_EQ(checked, 19);
}

static void test_gt_start_and_exec(void)
{
	json_t *start, *exec;
	const char *fn;

	if (!gt__load())
		return;
	start = json_array_get(gt.trace, 0);
	EXPECT_EQ(ev__int_or(start, "schema", -1), 1);
	EXPECT_EQ(gt.root, ev__int_or(report__op("start", 0), "pid", -2));
	exec = json_array_get(gt.trace, 1);
	ASSERT_MSG(ev__is(exec, "exec"), "first event is not an exec: %s", ev__show(exec));
	EXPECT_EQ(ev__int_or(exec, "pid", -1), gt.root);
	EXPECT_EQ(ev__int_or(exec, "tid", -1), gt.root);
	EXPECT_STREQ(ev__str(exec, "comm"), "groundtruth");
	fn = ev__str(exec, "filename");
	EXPECT_MSG(fn && strlen(fn) >= 11 && !strcmp(fn + strlen(fn) - 11, "groundtruth"),
		   "exec filename: %s", fn ? fn : "(none)");
	EXPECT_MSG(gt.as > 0, "bad address-space id: %s", ev__show(exec));
	EXPECT_MSG(ev__int_or(exec, "ts", -1) >= 0, "bad ts: %s", ev__show(exec));
}

static void test_gt_status_and_summary(void)
{
	json_t *sum, *counts, *lost, *ex, *v;
	size_t n, total = 0, i;
	const char *key;

	if (!gt__load())
		return;
	n = json_array_size(gt.trace);
	/* groundtruth exits 0 when every step did what its contract says */
	EXPECT_EQ(gt.code, 0);
	ex = trace__exit_of(gt.trace, gt.root);
	ASSERT_MSG(ex, "no exit event of the root process");
	EXPECT_EQ(ev__int_or(ex, "code", -1), 0);
	EXPECT_EQ(ev__int_or(ex, "signal", -1), 0);
	EXPECT_MSG(ex == json_array_get(gt.trace, n - 2), "the root's exit is not the last event");
	sum = trace__summary(gt.trace);
	EXPECT_EQ(ev__int_or(sum, "exit_status", -1), 0);
	EXPECT_EQ(ev__int_or(sum, "lost", -1), 0);
	lost = json_object_get(sum, "lost_by_type");
	EXPECT(json_is_object(lost));
	json_object_foreach(lost, key, v)
		EXPECT_MSG(json_integer_value(v) == 0, "lost_by_type.%s = %lld", key,
			   (long long)json_integer_value(v));
	counts = json_object_get(sum, "events");
	ASSERT(json_is_object(counts));
	for (i = 0; i < NTYPES; i++) {
		size_t in_file = events__count_type(gt.trace, all_types[i], -1);

		v = json_object_get(counts, all_types[i]);
		EXPECT_MSG(json_is_integer(v) && (size_t)json_integer_value(v) == in_file,
			   "summary says %s %lld, the file has %zu", all_types[i],
			   (long long)json_integer_value(v), in_file);
		total += json_integer_value(v);
	}
	/* nothing of a type the summary does not count; start and summary aside */
	EXPECT_EQ(total, n - 2);
}

struct fork_ctx {
	const char *key;
	long long val;
};

static bool fork__of(const json_t *ev, void *ctx)
{
	const struct fork_ctx *c = ctx;

	return ev__is(ev, "fork") && ev__int_or(ev, c->key, -1) == c->val;
}

static json_t *fork__find(const char *key, long long val)
{
	struct fork_ctx c = { key, val };

	return events__find(gt.trace, 0, fork__of, &c, NULL);
}

struct mem_ctx {
	const char *type;
	long long tid;
	uint64_t addr;
	long long len;
	const char *prot;
};

static bool mem__at(const json_t *ev, void *ctx)
{
	const struct mem_ctx *c = ctx;
	uint64_t a;

	return ev__is(ev, c->type) && ev__int_or(ev, "tid", -1) == c->tid &&
	       ev__addr(ev, "addr", &a) && a == c->addr && ev__int_or(ev, "len", -1) == c->len &&
	       !json_object_get(ev, "error") && !strcmp(ev__str(ev, "prot") ?: "", c->prot);
}

/* The fork that made thread tid: by the main thread, into the same process and mm. */
static void thread__check_fork(const json_t *fk, long long tid)
{
	const char *flags = ev__str(fk, "flags") ?: "", *sc = ev__str(fk, "syscall") ?: "";
	bool b;

	EXPECT_MSG(ev__bool(fk, "thread", &b) && b, "not thread:true: %s", ev__show(fk));
	EXPECT_MSG(ev__bool(fk, "shared_vm", &b) && b, "not shared_vm: %s", ev__show(fk));
	EXPECT_EQ(ev__int_or(fk, "pid", -1), gt.root);
	EXPECT_EQ(ev__int_or(fk, "tid", -1), gt.root);
	EXPECT_EQ(ev__int_or(fk, "child_pid", -1), gt.root);
	EXPECT_EQ(ev__int_or(fk, "child_tid", -1), tid);
	EXPECT_EQ(ev__int_or(fk, "as", -1), gt.as);
	EXPECT_EQ(ev__int_or(fk, "child_as", -1), gt.as);
	EXPECT_MSG(strstr(flags, "CLONE_THREAD") && strstr(flags, "CLONE_VM"),
		   "clone flags of a thread: %s", ev__show(fk));
	EXPECT_MSG(!strcmp(sc, "clone3") || !strcmp(sc, "clone"),
		   "syscall of a pthread_create: %s", ev__show(fk));
}

/*
 * glibc mapped the stack, guard included, PROT_NONE with MAP_STACK, in the
 * main thread before the clone; then opened all but the guard read-write.
 */
static void thread__check_stack(const json_t *op, size_t fork_idx)
{
	long long tid = ev__int_or(op, "tid", -1), size, guard;
	unsigned long flags;
	uint64_t stack;
	size_t idx;
	json_t *ev;

	ASSERT(ev__addr(op, "stack_addr", &stack) && ev__int(op, "stack_size", &size) &&
	       ev__int(op, "guard_size", &guard));
	{
		struct mem_ctx m = { "mmap", gt.root, stack - guard, size + guard, "---" };
		struct mem_ctx p = { "mprotect", gt.root, stack, size, "rw-" };

		ev = events__find(gt.trace, 0, mem__at, &m, &idx);
		if (EXPECT_MSG(ev, "no mmap(0x%llx, %lld, ---) of thread %lld's stack",
			       (unsigned long long)(stack - guard), size + guard, tid)) {
			EXPECT_MSG(flags__parse(ev__str(ev, "flags"), mmap_bits, &flags) &&
				   (flags & MAP_STACK), "stack mmap without MAP_STACK: %s",
				   ev__show(ev));
			EXPECT_MSG(idx < fork_idx, "stack mapped after the thread started");
		}
		EXPECT_MSG(events__find(gt.trace, 0, mem__at, &p, NULL),
			   "no mprotect(0x%llx, %lld, rw-) of thread %lld's stack",
			   (unsigned long long)stack, size, tid);
	}
}

/* Everything the thread did is in its process and address space; it exits as a thread. */
static void thread__check_events(long long tid)
{
	json_t *ev, *ex = NULL;
	size_t i;
	bool b;

	json_array_foreach(gt.trace, i, ev) {
		if (ev__int_or(ev, "tid", -1) != tid)
			continue;
		EXPECT_MSG(ev__int_or(ev, "pid", -1) == gt.root &&
			   ev__int_or(ev, "as", -1) == gt.as,
			   "thread event outside its process: %s", ev__show(ev));
		if (ev__is(ev, "exit"))
			ex = ev;
	}
	if (EXPECT_MSG(ex, "no exit event of thread %lld", tid))
		EXPECT_MSG(ev__bool(ex, "thread", &b) && b && ev__int_or(ex, "code", -1) == 0,
			   "thread exit: %s", ev__show(ex));
}

static void test_gt_threads(void)
{
	struct fork_ctx c = { "child_tid", 0 };
	size_t i, fork_idx;
	json_t *op, *fk;
	int n = 0;

	if (!gt__load())
		return;
	json_array_foreach(gt.report, i, op) {
		if (strcmp(ev__str(op, "op") ?: "", "thread"))
			continue;
		n++;
		c.val = ev__int_or(op, "tid", -1);
		fk = events__find(gt.trace, 0, fork__of, &c, &fork_idx);
		if (!EXPECT_MSG(fk, "no fork event for thread %lld", c.val))
			continue;
		thread__check_fork(fk, c.val);
		thread__check_stack(op, fork_idx);
		thread__check_events(c.val);
	}
	EXPECT_EQ(n, 2);
}

static void test_gt_fork_child(void)
{
	json_t *op = report__op("child", 0), *fk, *ex, *ev;
	long long child, cas;
	size_t i;
	int mem = 0;
	bool b;

	if (!gt__load())
		return;
	ASSERT_MSG(op, "the report has no child line");
	child = ev__int_or(op, "pid", -1);
	fk = fork__find("child_pid", child);
	ASSERT_MSG(fk, "no fork event for child %lld", child);
	EXPECT_MSG(ev__bool(fk, "thread", &b) && !b, "fork of a process: %s", ev__show(fk));
	EXPECT_MSG(ev__bool(fk, "shared_vm", &b) && !b, "fork shares the vm: %s", ev__show(fk));
	EXPECT_EQ(ev__int_or(fk, "pid", -1), gt.root);
	EXPECT_EQ(ev__int_or(fk, "child_tid", -1), child);
	cas = ev__int_or(fk, "child_as", -1);
	EXPECT_MSG(cas > 0 && cas != gt.as, "child_as %lld, parent's %lld", cas, gt.as);
	json_array_foreach(gt.trace, i, ev) {
		if (ev__int_or(ev, "pid", -1) != child)
			continue;
		EXPECT_MSG(ev__int_or(ev, "as", -1) == cas, "child event not in child_as %lld: %s",
			   cas, ev__show(ev));
		if (ev__is(ev, "mmap") || ev__is(ev, "munmap"))
			mem++;
	}
	EXPECT_EQ(mem, 2);
	ex = trace__exit_of(gt.trace, child);
	ASSERT_MSG(ex, "no exit event of child %lld", child);
	EXPECT_EQ(ev__int_or(ex, "code", -1), 7);
	EXPECT_EQ(ev__int_or(ex, "signal", -1), 0);
	EXPECT_EQ(ev__int_or(report__op("waited", 0), "code", -1), 7);
}

static void test_gt_exec_child(void)
{
	json_t *op = report__op("exec_child", 0), *fk, *ex, *exec = NULL, *ev;
	long long child, fas, eas;
	size_t i;
	bool b;

	if (!gt__load())
		return;
	ASSERT_MSG(op, "the report has no exec_child line");
	child = ev__int_or(op, "pid", -1);
	fk = fork__find("child_pid", child);
	ASSERT_MSG(fk, "no fork event for child %lld", child);
	EXPECT_MSG(ev__bool(fk, "thread", &b) && !b, "fork of a process: %s", ev__show(fk));
	fas = ev__int_or(fk, "child_as", -1);
	EXPECT_MSG(fas > 0 && fas != gt.as, "fork child_as %lld, parent's %lld", fas, gt.as);
	json_array_foreach(gt.trace, i, ev)
		if (ev__is(ev, "exec") && ev__int_or(ev, "pid", -1) == child)
			exec = ev;
	ASSERT_MSG(exec, "no exec event of child %lld", child);
	EXPECT_STREQ(ev__str(exec, "filename"), "/proc/self/exe");
	EXPECT_STREQ(ev__str(exec, "comm"), ev__str(op, "comm"));
	EXPECT_EQ(ev__int_or(exec, "tid", -1), child);
	EXPECT_EQ(ev__int_or(exec, "old_as", -1), fas);
	eas = ev__int_or(exec, "as", -1);
	EXPECT_MSG(eas > 0 && eas != fas && eas != gt.as, "exec as %lld (fork's %lld, root's %lld)",
		   eas, fas, gt.as);
	ex = trace__exit_of(gt.trace, child);
	ASSERT_MSG(ex, "no exit event of child %lld", child);
	EXPECT_EQ(ev__int_or(ex, "code", -1), 3);
	EXPECT_EQ(ev__int_or(ex, "as", -1), eas);
	EXPECT_EQ(ev__int_or(report__op("waited", 1), "code", -1), 3);
}

/* Every pid is the root or a child whose fork came earlier. */
static void test_nothing_foreign(void)
{
	long long known[256], pid;
	size_t n = 0, i, k;
	json_t *ev;
	bool found;

	if (!gt__load())
		return;
	known[n++] = gt.root;
	json_array_foreach(gt.trace, i, ev) {
		if (ev__is(ev, "start") || ev__is(ev, "summary"))
			continue;
		pid = ev__int_or(ev, "pid", -1);
		for (found = false, k = 0; k < n && !found; k++)
			found = known[k] == pid;
		EXPECT_MSG(found, "event of a process not descended from root %lld: %s", gt.root,
			   ev__show(ev));
		if (ev__is(ev, "fork") && n < 256)
			known[n++] = ev__int_or(ev, "child_pid", -1);
	}
	/* the root, then one per fork: two threads, two children */
	EXPECT_EQ(n, 1 + 4);
}

/* ---- strace ------------------------------------------------------------- */

/* Counts the calls per memory syscall. */
static void strace__count(const char *buf, size_t *counts)
{
	const char *p = buf, *name;
	size_t len;
	int i;

	for (; *p; p += *p == '\n') {
		name = strace__call(p, &len);
		for (i = 0; name && mem_types[i]; i++)
			if (strlen(mem_types[i]) == len && !strncmp(name, mem_types[i], len))
				counts[i]++;
		p = strchrnul(p, '\n');
	}
}

static void test_strace_counts(void)
{
	const char *s = harness_tmp("strace.out"), *r = harness_tmp("strace.report");
	size_t counts[5] = {}, mine;
	struct proc p;
	char *buf;
	int i;

	if (!gt__load())
		return;
	if (strace__missing())
		return;
	proc__run(&p, RUN_TIMEOUT_MS, "strace", "-f", "-qq",
		  "-e", "trace=mmap,munmap,brk,mprotect,mremap", "-e", "signal=none",
		  "-o", s, harness_bin("groundtruth"), r, NULL);
	EXPECT_MSG(p.code == 0, "strace groundtruth exited %d: %s", p.code, p.err);
	proc__free(&p);
	buf = file__read(s, NULL);
	ASSERT_MSG(buf, "no strace output in %s", s);
	strace__count(buf, counts);
	free(buf);
	/*
	 * Same program, same kernel, different runs: equal counts per type.
	 * groundtruth settles malloc first, so no count depends on ASLR.
	 */
	for (i = 0; mem_types[i]; i++) {
		mine = events__count_type(gt.trace, mem_types[i], -1);
		EXPECT_MSG(mine == counts[i], "%s: memtrace %zu, strace %zu", mem_types[i], mine,
			   counts[i]);
	}
	EXPECT_MSG(counts[0] > 10, "strace saw only %zu mmaps: parsing broken?", counts[0]);
}

/* Every fork event's syscall and clone flags, against strace's for the same program. */
static void test_strace_clone_flags(void)
{
	const char *s = harness_tmp("strace-clone.out"), *r = harness_tmp("strace-clone.report");
	struct creations theirs, mine;
	struct proc p;
	char *buf;

	if (!gt__load())
		return;
	if (strace__missing())
		return;
	proc__run(&p, RUN_TIMEOUT_MS, "strace", "-f", "-qq", "-e",
		  "trace=clone,clone3,fork,vfork", "-e", "signal=none", "-o", s,
		  harness_bin("groundtruth"), r, NULL);
	EXPECT_MSG(p.code == 0, "strace groundtruth exited %d: %s", p.code, p.err);
	proc__free(&p);
	buf = file__read(s, NULL);
	ASSERT_MSG(buf, "no strace output in %s", s);
	creations__from_strace(&theirs, buf, false);
	free(buf);
	creations__from_trace(&mine, gt.trace, false);
	/* same program, different runs: the same creations, compared as sorted lists */
	creations__expect_equal(&theirs, &mine, true);
	creations__free(&theirs);
	creations__free(&mine);
}

/* ---- address-space ids across exec --------------------------------------- */

/*
 * Every event carries the as its process got at its latest fork or exec:
 * a shell that has mapped its libraries forks a child that execs, then
 * execs itself. The kernel side caches each process's id; exec must
 * replace it, or the new program's events would carry the old one.
 */
static void test_as_follows_exec(void)
{
	const char *t = harness_tmp("as-exec.jsonl");
	long long pids[16], ases[16], pid, as;
	size_t n = 0, i, k, execs = 0, checked = 0;
	struct proc p;
	json_t *tr, *ev;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", t, "--", "sh", "-c",
		      "/bin/true; exec /bin/true", NULL);
	EXPECT_EQ(p.code, 0);
	proc__free(&p);
	tr = trace__load(t);
	ASSERT(tr);
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "start") || ev__is(ev, "summary"))
			continue;
		pid = ev__int_or(ev, "pid", -1);
		as = ev__int_or(ev, "as", -1);
		for (k = 0; k < n && pids[k] != pid; k++)
			;
		if (ev__is(ev, "exec") && !json_object_get(ev, "error")) {
			if (k == n && n < 16)
				pids[n++] = pid;
			if (k < 16) {
				EXPECT_MSG(k == n - 1 || ev__int_or(ev, "old_as", -1) == ases[k],
					   "exec's old_as is not the as before: %s", ev__show(ev));
				ases[k] = as;
			}
			execs++;
			continue;
		}
		if (k < n) {
			EXPECT_MSG(as == ases[k], "as %lld, but pid %lld has as %lld since its last "
				   "fork/exec: %s", as, pid, ases[k], ev__show(ev));
			checked++;
		}
		if (ev__is(ev, "fork") && n < 16) {
			pid = ev__int_or(ev, "child_pid", -1);
			for (k = 0; k < n && pids[k] != pid; k++)
				;
			if (k == n)
				pids[n++] = pid;
			ases[k] = ev__int_or(ev, "child_as", -1);
		}
	}
	/* memtrace's exec of sh, the child's of /bin/true, sh's own of /bin/true */
	EXPECT_MSG(execs == 3, "%zu execs, want 3", execs);
	EXPECT_MSG(checked > 20, "only %zu events checked: is the trace empty?", checked);
	json_decref(tr);
}

/* ---- io_uring ----------------------------------------------------------- */

static bool exit__of(const json_t *ev, void *ctx)
{
	return ev__is(ev, "exit") && ev__int_or(ev, "tid", -1) == *(const long long *)ctx;
}

/*
 * An io_uring worker is made by copy_process inside io_uring_enter, with no
 * clone syscall and no sched_process_fork: its fork event must still come,
 * before its exit, with the flags the kernel used.
 */
static void test_iouring_worker(void)
{
	const char *t = harness_tmp("iouring.jsonl");
	struct fork_ctx c = { "child_tid", 0 };
	const char *flags, *out;
	size_t fork_idx, exit_idx;
	json_t *tr, *fk;
	struct proc p;
	long long root;
	bool b;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", t, "--",
		      harness_bin("iouring"), NULL);
	if (p.code == 77) {
		harness_skip("io_uring is not available here: %s", p.err);
		proc__free(&p);
		return;
	}
	EXPECT_MSG(p.code == 0, "iouring exited %d: %s", p.code, p.err);
	out = strstr(p.out ?: "", "worker ");
	c.val = out ? atoll(out + 7) : 0;
	proc__free(&p);
	ASSERT_MSG(c.val > 0, "iouring did not say its worker's tid");
	tr = trace__load(t);
	ASSERT(tr);
	root = trace__root_pid(tr);
	fk = events__find(tr, 0, fork__of, &c, &fork_idx);
	if (EXPECT_MSG(fk, "no fork event for io_uring worker %lld", c.val)) {
		flags = ev__str(fk, "flags") ?: "";
		EXPECT_EQ(ev__int_or(fk, "pid", -1), root);
		EXPECT_EQ(ev__int_or(fk, "child_pid", -1), root);
		EXPECT_MSG(ev__bool(fk, "thread", &b) && b, "not a thread: %s", ev__show(fk));
		EXPECT_MSG(ev__bool(fk, "shared_vm", &b) && b, "not shared_vm: %s", ev__show(fk));
		EXPECT_MSG(strstr(flags, "CLONE_IO") && strstr(flags, "CLONE_THREAD") &&
			   strstr(flags, "CLONE_VM"), "io worker flags: %s", ev__show(fk));
		EXPECT_MSG(json_is_null(json_object_get(fk, "syscall")),
			   "a worker comes from no clone syscall: %s", ev__show(fk));
		EXPECT_MSG(events__find(tr, 0, exit__of, &c.val, &exit_idx) && exit_idx > fork_idx,
			   "no exit of worker %lld after its fork", c.val);
	}
	json_decref(tr);
}

/* ---- other formats ------------------------------------------------------ */

/* Splits one RFC 4180 record at *p into fields; returns the count, advances *p. */
static int csv__record(const char **p, char fields[][64], int max)
{
	const char *s = *p;
	int n = 0, len = 0;
	bool quoted = false;

	for (;;) {
		char c = *s;

		if (quoted) {
			if (!c)
				break;
			if (c == '"' && s[1] == '"') {
				s++;
			} else if (c == '"') {
				quoted = false;
				s++;
				continue;
			}
		} else if (c == '"') {
			quoted = true;
			s++;
			continue;
		} else if (c == ',' || c == '\n' || !c) {
			if (n < max)
				fields[n][len < 63 ? len : 63] = '\0';
			n++;
			len = 0;
			if (c != ',') {
				if (c)
					s++;
				break;
			}
			s++;
			continue;
		}
		if (n < max && len < 63)
			fields[n][len] = c;
		len++;
		s++;
	}
	*p = s;
	return n;
}

/* Runs groundtruth with -f fmt; returns the output (malloc'd) or NULL. */
static char *gt__run_format(const char *fmt)
{
	const char *t = harness_tmp(fmt);
	const char *r = harness_tmp(strcmp(fmt, "csv") ? "text.report" : "csv.report");
	struct proc p;
	char *out;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", fmt, "-o", t, "--",
		      harness_bin("groundtruth"), r, NULL);
	EXPECT_EQ(p.code, 0);
	proc__free(&p);
	out = file__read(t, NULL);
	EXPECT_MSG(out, "no %s output", fmt);
	return out;
}

static int type__index(const char *name)
{
	int i;

	for (i = 0; i < NTYPES; i++)
		if (!strcmp(name, all_types[i]))
			return i;
	return -1;
}

/* Per-type counts of a format's rows against the JSON run's. */
static void counts__compare(const size_t *counts, const char *fmt)
{
	size_t want;
	int i;

	for (i = 0; i < NTYPES; i++) {
		want = events__count_type(gt.trace, all_types[i], -1);
		EXPECT_MSG(counts[i] == want, "%s: %zu %s rows, JSON has %zu", fmt, counts[i],
			   all_types[i], want);
	}
}

static void test_csv(void)
{
	char fields[40][64], *out;
	const char *p;
	size_t counts[NTYPES] = {};
	int ncols, n, t, rows = 0;

	if (!gt__load())
		return;
	out = gt__run_format("csv");
	if (!out)
		return;
	p = out;
	ncols = csv__record(&p, fields, 40);
	EXPECT_MSG(ncols > 6 && !strcmp(fields[0], "ts") && !strcmp(fields[1], "event") &&
		   !strcmp(fields[2], "pid") && !strcmp(fields[3], "tid"),
		   "CSV header: %.200s", out);
	while (*p) {
		n = csv__record(&p, fields, 40);
		rows++;
		if (!EXPECT_MSG(n == ncols, "CSV row %d has %d fields, the header %d", rows + 1,
				n, ncols))
			continue;
		t = type__index(fields[1]);
		if (EXPECT_MSG(t >= 0, "CSV row %d: unknown event '%s'", rows + 1, fields[1]))
			counts[t]++;
	}
	EXPECT_EQ(rows, json_array_size(gt.trace) - 2);
	counts__compare(counts, "csv");
	free(out);
}

static void test_text(void)
{
	char *out, *line, *save = NULL, ev[32];
	size_t counts[NTYPES] = {};
	int rows = 0, t;

	if (!gt__load())
		return;
	out = gt__run_format("text");
	if (!out)
		return;
	line = strtok_r(out, "\n", &save);
	EXPECT_MSG(line && strstr(line, "EVENT") && strstr(line, "PID"), "text header: %s",
		   line ? line : "(none)");
	/* TIME PID TID COMM AS EVENT ...: groundtruth's comms have no blanks */
	while ((line = strtok_r(NULL, "\n", &save))) {
		rows++;
		if (!EXPECT_MSG(sscanf(line, "%*s %*s %*s %*s %*s %31s", ev) == 1, "text line: %s",
				line))
			continue;
		t = type__index(ev);
		if (EXPECT_MSG(t >= 0, "text line with unknown event: %s", line))
			counts[t]++;
	}
	EXPECT_EQ(rows, json_array_size(gt.trace) - 2);
	counts__compare(counts, "text");
	free(out);
}

/* ---- -p ----------------------------------------------------------------- */

/* Did parent fork child (a process) in tr? */
static bool fork__seen(const json_t *tr, long long parent, long long child)
{
	json_t *ev;
	size_t i;
	bool thread;

	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "fork") && ev__int_or(ev, "pid", -1) == parent &&
		    ev__int_or(ev, "child_pid", -1) == child && ev__bool(ev, "thread", &thread) &&
		    !thread)
			return true;
	}
	return false;
}

static void test_attach_pid(void)
{
	const char *t = harness_tmp("attach.jsonl");
	struct proc_opts ho = PROC_OPTS_DEFAULT;
	struct proc helper, m;
	char pid[32];
	char *argv[] = { "sh", "-c", "read go; for i in 1 2 3; do /bin/true; done", NULL };
	long long hp, child;
	json_t *tr = NULL, *ev, *ex;
	size_t i;
	int fds[2], forks = 0, execs = 0;
	bool b;

	/* the helper waits on a pipe until memtrace is attached: no sleep to guess */
	ASSERT(!pipe2(fds, O_CLOEXEC));
	ho.stdin_fd = fds[0];
	ASSERT(!proc__spawn(&helper, &ho, argv));
	close(fds[0]);
	hp = helper.pid;
	snprintf(pid, sizeof(pid), "%lld", hp);
	ASSERT(!memtrace__spawn(&m, NULL, "run", "-q", "-f", "json", "-o", t, "-p", pid, NULL));
	if (EXPECT_MSG(file__wait_for(t, "\n", 10000) >= 0, "memtrace -p wrote no start record"))
		EXPECT_EQ(write(fds[1], "\n", 1), 1);
	close(fds[1]);
	EXPECT_EQ(proc__wait(&helper, 10000), 0);
	/* nothing tells memtrace to stop: the process it follows is gone */
	proc__wait(&m, 10000);
	EXPECT_MSG(!m.timed_out, "memtrace -p did not exit after its process did");
	EXPECT_EQ(m.code, 0);
	proc__free(&helper);
	proc__free(&m);

	tr = trace__load(t);
	ASSERT(tr);
	EXPECT_EQ(trace__root_pid(tr), hp);
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "fork") && ev__int_or(ev, "pid", -1) == hp &&
		    ev__bool(ev, "thread", &b) && !b)
			forks++;
		if (!ev__is(ev, "exec") || strcmp(ev__str(ev, "filename") ?: "", "/bin/true"))
			continue;
		execs++;
		child = ev__int_or(ev, "pid", -1);
		EXPECT_MSG(fork__seen(tr, hp, child), "/bin/true ran in %lld, no child of %lld",
			   child, hp);
		ex = trace__exit_of(tr, child);
		EXPECT_MSG(ex && ev__int_or(ex, "code", -1) == 0, "/bin/true %lld: exit %s", child,
			   ev__show(ex));
	}
	EXPECT_EQ(execs, 3);
	EXPECT_MSG(forks >= 3, "%d forks of %lld", forks, hp);
	ex = trace__exit_of(tr, hp);
	EXPECT_MSG(ex && ev__int_or(ex, "code", -1) == 0, "helper's exit: %s", ev__show(ex));
	json_decref(tr);
}

/*
 * -p of a process whose parent never reaps it: its zombie must not keep
 * memtrace waiting. The subshell's parent execs `sleep`, which never waits.
 */
static void test_attach_unreaped(void)
{
	const char *t = harness_tmp("unreaped.jsonl"), *pidfile = harness_tmp("unreaped.pid");
	struct proc holder, m;
	char cmd[512], *pid;
	json_t *tr, *ex;
	long long zp;

	/* fd 3: sh gives a background job /dev/null for stdin */
	snprintf(cmd, sizeof(cmd), "exec 3<&0; (read go <&3; exit 4) & echo $! > %s; exec sleep 8 3<&-",
		 pidfile);
	{
		char *argv[] = { "sh", "-c", cmd, NULL };
		struct proc_opts o = PROC_OPTS_DEFAULT;
		int fds[2];

		ASSERT(!pipe2(fds, O_CLOEXEC));
		o.stdin_fd = fds[0];
		ASSERT(!proc__spawn(&holder, &o, argv));
		close(fds[0]);
		ASSERT_MSG(file__wait_for(pidfile, "\n", 5000) >= 0, "no pid from the holder");
		pid = file__read(pidfile, NULL);
		ASSERT(pid);
		pid[strcspn(pid, "\n")] = '\0';
		zp = atoll(pid);
		ASSERT(!memtrace__spawn(&m, NULL, "run", "-q", "-f", "json", "-o", t, "-p", pid, NULL));
		if (EXPECT_MSG(file__wait_for(t, "\n", 10000) >= 0, "memtrace -p wrote no start record"))
			EXPECT_EQ(write(fds[1], "\n", 1), 1);
		close(fds[1]);
		free(pid);
	}
	proc__wait(&m, 4000);
	EXPECT_MSG(!m.timed_out, "memtrace -p kept waiting on a zombie nobody reaps");
	EXPECT_EQ(m.code, 0);
	proc__free(&m);
	proc__kill_group(&holder);
	proc__wait(&holder, 5000);
	proc__free(&holder);

	tr = trace__load(t);
	ASSERT(tr);
	ex = trace__exit_of(tr, zp);
	EXPECT_MSG(ex && ev__int_or(ex, "code", -1) == 4, "exit of %lld: %s", zp, ev__show(ex));
	json_decref(tr);
}

/* ---- where the workload's output goes ----------------------------------- */

static void test_stdout_events_only(void)
{
	struct proc p;
	json_t *tr;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "--", "sh", "-c",
		      "echo hello; echo err >&2", NULL);
	EXPECT_EQ(p.code, 0);
	tr = jsonl__parse(p.out, "stdout");
	EXPECT_MSG(tr, "stdout is not only JSON lines");
	EXPECT_MSG(tr && ev__is(json_array_get(tr, 0), "start") &&
		   ev__is(json_array_get(tr, json_array_size(tr) - 1), "summary"),
		   "stdout does not run from start to summary");
	/* (the start record's "command" quotes the script, so look for the line) */
	EXPECT_MSG(strncmp(p.out, "hello\n", 6) && !strstr(p.out, "\nhello\n"),
		   "the workload's stdout is mixed into the events");
	EXPECT_MSG(strstr(p.err, "hello\n"), "the workload's stdout is not on stderr: \"%s\"",
		   p.err);
	EXPECT_MSG(strstr(p.err, "err\n"), "the workload's stderr is lost: \"%s\"", p.err);
	json_decref(tr);
	proc__free(&p);
}

static void test_output_file_keeps_stdout(void)
{
	const char *t = harness_tmp("keep-stdout.jsonl");
	struct proc p;
	json_t *tr;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", t, "--", "sh", "-c",
		      "echo hello; echo err >&2", NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT_STREQ(p.out, "hello\n");
	EXPECT_STREQ(p.err, "err\n");
	tr = trace__load(t);
	json_decref(tr);
	proc__free(&p);
}

/*
 * The loaders: a light skeleton by default, libbpf's skeleton as the
 * fallback (older kernels, or a light skeleton the kernel refuses). -v
 * shows which one ran: only libbpf's loader prints "libbpf: " lines.
 */
static void test_loaders(void)
{
	const char *out = harness_tmp("bad-loader.txt"), *marker = harness_tmp("bad-loader-ran");
	struct proc p;

	/* MEMTRACE_LOADER (NULL: unset), an option, and whether libbpf's loader must run */
	static const struct {
		const char *env, *opt;
		bool libbpf;
	} runs[] = {
		{ NULL, "-q", false },
		{ "libbpf", "-q", true },
		{ "", "-q", false },		/* set but empty: the default */
		{ "light", "-q", false },
		{ NULL, "--rss", false },	/* its own program set, no fault programs */
		{ NULL, "-m", false },
		{ "libbpf", "-m", true },
	};
	size_t i;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		if (runs[i].env)
			setenv("MEMTRACE_LOADER", runs[i].env, 1);
		else
			unsetenv("MEMTRACE_LOADER");
		memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-v", runs[i].opt, "-q", "-o", "/dev/null",
			      "--", "true", NULL);
		EXPECT_EQ(p.code, 0);
		EXPECT_MSG(!strstr(p.err, "libbpf: ") == !runs[i].libbpf,
			   "MEMTRACE_LOADER=%s %s: libbpf's loader %s: %.300s",
			   runs[i].env ? runs[i].env : "(unset)", runs[i].opt,
			   runs[i].libbpf ? "did not run" : "ran", p.err);
		proc__free(&p);
	}
	unsetenv("MEMTRACE_LOADER");

	/* refused before -o is created or the program started, like any check */
	setenv("MEMTRACE_LOADER", "fast", 1);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-o", out, "--", "touch", marker, NULL);
	unsetenv("MEMTRACE_LOADER");
	EXPECT_MSG(p.code != 0, "MEMTRACE_LOADER=fast was accepted");
	EXPECT_MSG(strstr(p.err, "MEMTRACE_LOADER=fast") && strchr(p.err, '\n') &&
		   !strchr(p.err, '\n')[1], "not a one-line error naming it: %s", p.err);
	EXPECT_MSG(!file__exists(out), "MEMTRACE_LOADER=fast left %s behind", out);
	EXPECT_MSG(!file__exists(marker), "MEMTRACE_LOADER=fast: the program ran");
	proc__free(&p);
}

/* The ground-truth checks again, with the kernel side loaded by libbpf's loader. */
static void test_gt_libbpf_loader(void)
{
	json_decref(gt.trace);
	json_decref(gt.report);
	memset(&gt, 0, sizeof(gt));
	/* groundtruth appends to its report */
	unlink(harness_tmp("groundtruth.report"));
	unlink(harness_tmp("groundtruth.jsonl"));
	setenv("MEMTRACE_LOADER", "libbpf", 1);
	test_gt_status_and_summary();
	unsetenv("MEMTRACE_LOADER");
	test_gt_start_and_exec();
	test_gt_memory_ops();
	test_gt_threads();
	test_gt_fork_child();
	test_gt_exec_child();
}

static const struct harness_test tests[] = {
	{ "groundtruth: exit 0 passed on, summary exact, nothing lost", test_gt_status_and_summary,
	  true },
	{ "groundtruth: first event is its exec by root_pid", test_gt_start_and_exec, true },
	{ "groundtruth: every memory op traced with exact args and result", test_gt_memory_ops,
	  true },
	{ "groundtruth: threads are thread forks in the same address space", test_gt_threads,
	  true },
	{ "groundtruth: fork child in its own address space, exit 7", test_gt_fork_child, true },
	{ "groundtruth: exec child gets a new address space, exit 3", test_gt_exec_child, true },
	{ "nothing foreign: every pid descends from root_pid", test_nothing_foreign, true },
	{ "memory syscall counts equal strace -f's", test_strace_counts, true },
	{ "clone flags and syscall of every fork equal strace -f's", test_strace_clone_flags,
	  true },
	{ "io_uring worker: fork event from inside io_uring_enter", test_iouring_worker, true },
	{ "as of every event follows its process's latest fork/exec", test_as_follows_exec, true },
	{ "csv: header and one row per event", test_csv, true },
	{ "text: header and one line per event", test_text, true },
	{ "-p of a process nobody reaps: exits at its exit", test_attach_unreaped, true },
	{ "-p PID: follows its children, exits with it", test_attach_pid, true },
	{ "events on stdout: workload's stdout moved to stderr", test_stdout_events_only, true },
	{ "-o FILE: workload's stdout stays stdout", test_output_file_keeps_stdout, true },
	{ "loaders: light skeleton by default, MEMTRACE_LOADER=libbpf, bad value refused",
	  test_loaders, true },
	/* last: it replaces the ground-truth run the tests above share */
	{ "groundtruth with libbpf's loader: the same checks", test_gt_libbpf_loader, true },
	{ NULL, NULL, false },
};

int main(void)
{
	int r = harness_main(tests);

	json_decref(gt.trace);
	json_decref(gt.report);
	return r;
}
