// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for user/report/analysis.c on small hand-made event streams:
 * each test feeds a few events and compares the interval map with the one
 * the kernel would have (mm/mmap.c, mprotect.c, mremap.c), region by region.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/sched.h>
#include <signal.h>
#include <cmocka.h>
#include "analysis.h"
#include "report.h"

#define K	4096ULL
#define BASE	0x7f0000000000ULL
#define ANON	(MAP_PRIVATE | MAP_ANONYMOUS)
#define RW	(PROT_READ | PROT_WRITE)

static struct analysis a;
static uint64_t now;

static int setup(void **state)
{
	now = 0;
	return analysis__init(&a);
}

static int teardown(void **state)
{
	analysis__free(&a);
	return 0;
}

static struct mt_event ev_of(uint32_t type, uint32_t pid, uint32_t tid, uint32_t as)
{
	struct mt_event e = { .type = type, .ts = ++now * 1000, .pid = pid, .tid = tid, .as = as,
			      .comm = { "t", 1 } };
	return e;
}

static void feed(const struct mt_event *e)
{
	assert_int_equal(analysis__feed(&a, e), 0);
}

static void do_mmap(uint32_t as, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		    int32_t err)
{
	struct mt_event e = ev_of(MT_EV_MMAP, 100, 100, as);

	e.mmap = (struct mt_mmap){ .addr = err ? 0 : addr, .len = len, .prot = prot,
				   .flags = flags, .fd = flags & MAP_ANONYMOUS ? -1 : 3,
				   .hint = flags & MAP_FIXED ? addr : 0 };
	e.has_addr = !err;
	e.error = err;
	feed(&e);
}

static void do_range(uint32_t type, uint32_t as, uint64_t addr, uint64_t len, uint64_t prot,
		     int32_t err)
{
	struct mt_event e = ev_of(type, 100, 100, as);

	e.range = (struct mt_range){ .addr = addr, .len = len, .prot = prot };
	e.has_addr = true;
	e.error = err;
	feed(&e);
}

static void do_mremap(uint32_t as, uint64_t old, uint64_t old_len, uint64_t new_len,
		      uint64_t flags, uint64_t to, int32_t err)
{
	struct mt_event e = ev_of(MT_EV_MREMAP, 100, 100, as);

	e.mremap = (struct mt_mremap){ .addr = err ? 0 : to, .old_addr = old, .old_len = old_len,
				       .new_len = new_len, .flags = flags,
				       .new_addr = flags & MREMAP_FIXED ? to : 0 };
	e.has_addr = !err;
	e.error = err;
	feed(&e);
}

static void do_brk(uint32_t as, uint64_t req, uint64_t ret, int32_t err)
{
	struct mt_event e = ev_of(MT_EV_BRK, 100, 100, as);

	e.brk.req = req;
	e.brk.addr = ret;
	e.has_addr = true;
	e.error = err;
	feed(&e);
}

/* Expected region: start, end (offsets from BASE in pages), prot. */
struct want {
	uint64_t start, end, prot;
};

/*
 * The map as the kernel shows it: adjacent regions with the same
 * permissions and flags are one line of /proc/PID/maps (the kernel merges
 * such VMAs; the analysis keeps them apart to say which event made each).
 */
static void expect_map(uint32_t id, const struct want *w, size_t n)
{
	const struct aspace *as = analysis__as(&a, id);
	uint64_t acc = 0, res = 0, start, end, prot;
	size_t i, k = 0;

	assert_non_null(as);
	for (i = 0; i < as->nregions; i++, k++) {
		start = as->regions[i].start;
		end = as->regions[i].end;
		prot = as->regions[i].prot;
		while (i + 1 < as->nregions && as->regions[i + 1].start == end &&
		       as->regions[i + 1].prot == prot &&
		       as->regions[i + 1].flags == as->regions[i].flags)
			end = as->regions[++i].end;
		if (k >= n || start != BASE + w[k].start * K || end != BASE + w[k].end * K ||
		    prot != w[k].prot)
			fail_msg("as %u region %zu: got +%llu..+%llu prot %llu, want %s%llu..+%llu prot %llu",
				 id, k, (unsigned long long)((start - BASE) / K),
				 (unsigned long long)((end - BASE) / K), (unsigned long long)prot,
				 k >= n ? "nothing, not +" : "+",
				 k < n ? (unsigned long long)w[k].start : 0ULL,
				 k < n ? (unsigned long long)w[k].end : 0ULL,
				 k < n ? (unsigned long long)w[k].prot : 0ULL);
		if (prot)
			acc += end - start;
		else
			res += end - start;
	}
	assert_int_equal(k, n);
	assert_int_equal(as->accessible, acc);
	assert_int_equal(as->reserved, res);
}

/* The first event of pid 100 makes it and its as 1 (the root process). */
static void test_partial_munmap(void **state)
{
	const struct want w[] = { { 0, 2, RW }, { 5, 8, RW }, { 9, 10, RW } };

	do_mmap(1, BASE, 10 * K, RW, ANON, 0);
	do_range(MT_EV_MUNMAP, 1, BASE + 2 * K, 3 * K, 0, 0);		/* a hole */
	do_range(MT_EV_MUNMAP, 1, BASE + 8 * K, K - 100, 0, 0);	/* rounded up to a page */
	expect_map(1, w, 3);
	assert_int_equal(analysis__as(&a, 1)->peak_accessible, 10 * K);
	do_range(MT_EV_MUNMAP, 1, BASE, 20 * K, 0, 0);			/* more than is mapped */
	expect_map(1, NULL, 0);
}

static void test_mprotect_split(void **state)
{
	const struct want w[] = { { 0, 1, RW }, { 1, 3, PROT_READ }, { 3, 4, 0 }, { 4, 6, RW } };
	const struct aspace *as;

	do_mmap(1, BASE, 6 * K, RW, ANON, 0);
	do_range(MT_EV_MPROTECT, 1, BASE + K, 2 * K, PROT_READ, 0);
	do_range(MT_EV_MPROTECT, 1, BASE + 3 * K, 1, PROT_NONE, 0);
	expect_map(1, w, 4);
	as = analysis__as(&a, 1);
	assert_int_equal(as->peak_reserved, K);
	assert_int_equal(as->regions[3].offset, 0);	/* anonymous: no file offset */
}

static void test_mremap(void **state)
{
	/* grow in place, shrink, move (MAYMOVE), move to a FIXED target over a mapping */
	const struct want grown[] = { { 0, 4, RW } };
	const struct want shrunk[] = { { 0, 1, RW } };
	const struct want moved[] = { { 100, 102, RW } };
	const struct want fixed[] = { { 100, 102, RW }, { 202, 204, RW }, { 300, 301, RW },
				      { 301, 302, PROT_READ }, { 302, 304, RW } };

	do_mmap(1, BASE, 2 * K, RW, ANON, 0);
	do_mremap(1, BASE, 2 * K, 4 * K, 0, BASE, 0);
	expect_map(1, grown, 1);
	do_mremap(1, BASE, 4 * K, K, 0, BASE, 0);
	expect_map(1, shrunk, 1);
	do_mremap(1, BASE, K, 2 * K, MREMAP_MAYMOVE, BASE + 100 * K, 0);
	expect_map(1, moved, 1);
	do_mremap(1, BASE + 100 * K, 2 * K, 8 * K, MREMAP_MAYMOVE, 0, ENOMEM);	/* failed */
	expect_map(1, moved, 1);
	do_mmap(1, BASE + 200 * K, 4 * K, RW, ANON, 0);
	do_range(MT_EV_MPROTECT, 1, BASE + 200 * K, K, PROT_READ, 0);
	do_mmap(1, BASE + 300 * K, 4 * K, RW, ANON, 0);
	/* MREMAP_FIXED moves 2 pages (r--, rw-) onto the middle of another mapping */
	do_mremap(1, BASE + 200 * K, 2 * K, 2 * K, MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 301 * K, 0);
	expect_map(1, fixed, 5);
}

static void test_map_fixed(void **state)
{
	const struct want w[] = { { 0, 3, RW }, { 3, 5, PROT_READ }, { 5, 10, RW } };
	const struct aspace *as;

	do_mmap(1, BASE, 10 * K, RW, ANON, 0);
	do_mmap(1, BASE + 3 * K, 2 * K, PROT_READ, MAP_PRIVATE | MAP_FIXED, 0);	/* a file */
	expect_map(1, w, 3);
	as = analysis__as(&a, 1);
	assert_int_equal(region__kind(&as->regions[1]), REGION_FILE);
	assert_int_equal(as->regions[1].fd, 3);
	assert_int_equal(as->regions[2].offset, 0);
	assert_int_equal(as->peak_accessible, 10 * K);
}

static void test_brk(void **state)
{
	const uint64_t h = BASE;
	const struct want grown[] = { { 0, 3, RW } };
	const struct want shrunk[] = { { 0, 1, RW } };
	const struct aspace *as;

	do_brk(1, 0, h, 0);				/* the query at start: no heap yet */
	expect_map(1, NULL, 0);
	do_brk(1, h + K, h + K, 0);
	do_brk(1, h + 3 * K - 10, h + 3 * K - 10, 0);	/* the break need not be aligned */
	expect_map(1, grown, 1);
	do_brk(1, h + (1ULL << 40), h + 3 * K - 10, ENOMEM);	/* refused: nothing changes */
	expect_map(1, grown, 1);
	do_brk(1, h + 100, h + 100, 0);			/* shrink to inside the first page */
	expect_map(1, shrunk, 1);
	as = analysis__as(&a, 1);
	assert_int_equal(region__kind(&as->regions[0]), REGION_HEAP);
	assert_int_equal(as->heap_start, h);
	assert_int_equal(as->heap_end, h + 100);
	assert_int_equal(as->heap_peak, h + 3 * K - 10);
	assert_int_equal(as->brk_grows, 2);
	do_brk(1, h, h, 0);
	expect_map(1, NULL, 0);
}

static void test_failed_calls(void **state)
{
	const struct want w[] = { { 0, 4, RW } };

	do_mmap(1, BASE, 4 * K, RW, ANON, 0);
	do_mmap(1, BASE + 8 * K, 4 * K, RW, ANON, ENOMEM);
	do_mmap(1, BASE, 4 * K, PROT_READ, ANON | MAP_FIXED, EPERM);
	do_range(MT_EV_MUNMAP, 1, BASE, 4 * K, 0, EINVAL);
	do_range(MT_EV_MPROTECT, 1, BASE, 4 * K, PROT_NONE, EACCES);
	do_mremap(1, BASE, 4 * K, 8 * K, 0, 0, ENOMEM);
	expect_map(1, w, 1);
	assert_int_equal(a.failed, 5);
}

/* fork copies the map; the copy then changes alone; exec replaces it with a new as. */
static void test_fork_exec(void **state)
{
	const struct want parent[] = { { 0, 4, RW } };
	const struct want child[] = { { 0, 2, RW }, { 3, 4, RW } };
	struct mt_event f = ev_of(MT_EV_FORK, 100, 100, 1);
	struct mt_event x = ev_of(MT_EV_EXEC, 101, 101, 3);
	struct mt_event m;
	const struct proc *p;
	const struct edge *e;

	do_mmap(1, BASE, 4 * K, RW, ANON, 0);
	f.ts = ++now * 1000;
	f.fork = (struct mt_fork){ .child_pid = 101, .child_tid = 101, .child_as = 2,
				   .flags_known = true, .clone_flags = SIGCHLD,
				   .syscall_nr = MT_NR_CLONE };
	feed(&f);
	expect_map(2, parent, 1);
	assert_int_equal(analysis__as(&a, 2)->from_as, 1);
	m = ev_of(MT_EV_MUNMAP, 101, 101, 2);
	m.range = (struct mt_range){ .addr = BASE + 2 * K, .len = K };
	feed(&m);
	expect_map(2, child, 2);
	expect_map(1, parent, 1);		/* separate memory */
	x.ts = ++now * 1000;
	x.exec = (struct mt_exec){ .filename = { "/bin/true", 9 }, .old_as = 2, .old_tid = 101 };
	feed(&x);
	expect_map(3, NULL, 0);			/* a new image starts empty */
	p = analysis__proc(&a, 101);
	assert_non_null(p);
	assert_int_equal(p->ppid, 100);
	assert_int_equal(p->as, 3);
	assert_int_equal(p->first_as, 2);
	assert_true(analysis__as(&a, 2)->ended);
	assert_false(analysis__as(&a, 1)->ended);
	assert_int_equal(a.nedges, 2);
	e = &a.edges[0];
	assert_int_equal(e->kind, EDGE_COPY);
	assert_int_equal(e->from_as, 1);
	assert_int_equal(e->to_as, 2);
	e = &a.edges[1];
	assert_int_equal(e->kind, EDGE_REPLACES);
	assert_int_equal(e->from_as, 2);
	assert_int_equal(e->to_as, 3);
}

/* A failed exec keeps the image; vfork shares the as. */
static void test_vfork_failed_exec(void **state)
{
	struct mt_event f = ev_of(MT_EV_FORK, 100, 100, 1);
	struct mt_event x = ev_of(MT_EV_EXEC, 101, 101, 1);

	f.fork = (struct mt_fork){ .child_pid = 101, .child_tid = 101, .child_as = 1,
				   .shared_vm = true, .flags_known = true,
				   .clone_flags = CLONE_VM | CLONE_VFORK | SIGCHLD,
				   .syscall_nr = MT_NR_VFORK };
	feed(&f);
	x.ts = ++now * 1000;
	x.error = ENOENT;
	x.exec = (struct mt_exec){ .filename = { "/nope", 5 }, .old_as = 1, .old_tid = 101 };
	feed(&x);
	assert_int_equal(a.nedges, 1);
	assert_int_equal(a.edges[0].kind, EDGE_SHARES);
	assert_int_equal(analysis__proc(&a, 101)->as, 1);
	assert_int_equal(analysis__proc(&a, 101)->nexecs, 1);
	assert_int_equal(analysis__proc(&a, 101)->execs[0].error, ENOENT);
	assert_int_equal(analysis__as(&a, 1)->shared_procs, 1);
}

/* Whether a claim contains needle (NULL: none does). */
static const char *claims_find(const struct claims *c, const char *needle)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strstr(c->lines[i], needle))
			return c->lines[i];
	return NULL;
}

static void do_thread(uint32_t pid, uint32_t tid, uint32_t as)
{
	struct mt_event f = ev_of(MT_EV_FORK, pid, pid, as);

	f.fork = (struct mt_fork){ .child_pid = pid, .child_tid = tid, .child_as = as,
				   .thread = true, .shared_vm = true, .flags_known = true,
				   .clone_flags = 0x3d0f00, .syscall_nr = MT_NR_CLONE3 };
	feed(&f);
}

/*
 * vfork then exec (Go's os/exec): the old space is the parent's and lives
 * on, so no claim says exec threw it away; the threads the child makes in
 * its new image share that one, not the parent's.
 */
static void test_vfork_exec_shared(void **state)
{
	struct mt_event f = ev_of(MT_EV_FORK, 100, 100, 1);
	struct mt_event x, end;
	const struct proc *c;
	struct claims cl;

	do_mmap(1, BASE, 4 * K, RW, ANON, 0);
	do_thread(100, 102, 1);
	f.ts = ++now * 1000;
	f.fork = (struct mt_fork){ .child_pid = 101, .child_tid = 101, .child_as = 1,
				   .shared_vm = true, .flags_known = true,
				   .clone_flags = CLONE_VM | CLONE_VFORK | SIGCHLD,
				   .syscall_nr = MT_NR_CLONE };
	feed(&f);
	x = ev_of(MT_EV_EXEC, 101, 101, 2);
	x.exec = (struct mt_exec){ .filename = { "/bin/go", 7 }, .old_as = 1, .old_tid = 101 };
	feed(&x);
	do_thread(101, 103, 2);
	do_thread(101, 104, 2);
	end = ev_of(MT_EV_AS_END, 100, 100, 1);
	end.as_end.last.total = 545 * K;
	feed(&end);
	assert_int_equal(a.nedges, 2);
	assert_int_equal(a.edges[1].kind, EDGE_REPLACES);
	assert_true(edge__leaves_shared(&a, &a.edges[1]));
	c = analysis__proc(&a, 101);
	assert_int_equal(c->threads_created, 2);
	assert_int_equal(c->threads_first, 0);
	assert_int_equal(c->execs[0].threads, 2);
	assert_int_equal(analysis__proc(&a, 100)->threads_first, 1);
	assert_int_equal(claims__build(&cl, &a, NULL), 0);
	assert_null(claims_find(&cl, "threw away"));
	assert_non_null(claims_find(&cl, "got its own, as 2, when it exec'd go"));
	claims__free(&cl);
}

/*
 * -p: a thread that was there before the attach shows up by its tid only;
 * a thread whose event comes before its clone is counted once.
 */
static void test_threads_before(void **state)
{
	struct mt_event m = ev_of(MT_EV_MMAP, 100, 4426, 1);
	const struct proc *p;

	m.mmap = (struct mt_mmap){ .addr = BASE, .len = K, .prot = RW, .flags = ANON, .fd = -1 };
	m.has_addr = true;
	feed(&m);
	m = ev_of(MT_EV_MUNMAP, 100, 4426, 1);
	m.range = (struct mt_range){ .addr = BASE, .len = K };
	feed(&m);
	m = ev_of(MT_EV_MUNMAP, 100, 200, 1);	/* an event of 200 before its clone */
	m.range = (struct mt_range){ .addr = BASE, .len = K };
	feed(&m);
	p = analysis__proc(&a, 100);
	assert_int_equal(p->threads_before, 2);
	do_thread(100, 200, 1);
	assert_int_equal(p->threads_before, 1);
	assert_int_equal(p->threads_created, 1);
	assert_int_equal(p->threads_live, 3);
	assert_int_equal(p->ntids, 2);
	assert_true(p->tids[1].before);		/* 4426, sorted after 200 */
}

/*
 * A faults record whose VMA spans two mappings (the kernel merged them):
 * its counts go to the first, with the VMA's range, never silently.
 */
static void test_faults_span(void **state)
{
	struct mt_event f = ev_of(MT_EV_FAULTS, 100, 100, 1);
	const struct region_mem *m;
	const struct aspace *as;

	do_mmap(1, BASE, 4 * K, RW, ANON, 0);
	do_mmap(1, BASE + 4 * K, 4 * K, RW, ANON | MAP_NORESERVE, 0);
	f.faults = (struct mt_faults){ .start = BASE + K, .end = BASE + 8 * K,
				       .kind = MT_REGION_ANON };
	f.faults.counts.n[MT_FAULT_ANON] = 8;
	f.faults.counts.total = 8;
	feed(&f);
	as = analysis__as(&a, 1);
	assert_int_equal(as->nregions, 2);
	m = region__mem(as, &as->regions[0]);
	assert_int_equal(m->faults.total, 8);
	assert_int_equal(m->vma_start, BASE + K);
	assert_int_equal(m->vma_end, BASE + 8 * K);
	f = ev_of(MT_EV_FAULTS, 100, 100, 1);	/* fits its region: no span */
	f.faults = (struct mt_faults){ .start = BASE + 4 * K, .end = BASE + 8 * K,
				       .kind = MT_REGION_ANON };
	f.faults.counts.total = 1;
	feed(&f);
	assert_int_equal(region__mem(as, &as->regions[1])->vma_end, 0);
}

/* After fork, a write to a private file page (file_cow) copies a page too. */
static void test_cow_claim_file_cow(void **state)
{
	struct mt_event f = ev_of(MT_EV_FORK, 100, 100, 1);
	struct mt_event r;
	struct claims cl;

	do_mmap(1, BASE, 4 * K, RW, ANON, 0);
	f.fork = (struct mt_fork){ .child_pid = 101, .child_tid = 101, .child_as = 2,
				   .flags_known = true, .clone_flags = SIGCHLD,
				   .syscall_nr = MT_NR_CLONE };
	feed(&f);
	r = ev_of(MT_EV_FAULTS, 101, 101, 2);
	r.faults = (struct mt_faults){ .start = BASE, .end = BASE + 4 * K, .kind = MT_REGION_ANON };
	r.faults.counts.n[MT_FAULT_COW] = 8;
	r.faults.counts.n[MT_FAULT_FILE_COW] = 4;
	r.faults.counts.total = 12;
	feed(&r);
	assert_int_equal(claims__build(&cl, &a, NULL), 0);
	assert_non_null(claims_find(&cl, "wrote 12 pages it shared with pid 100 or with the page cache"));
	assert_non_null(claims_find(&cl, "12 copy-on-write faults (8 cow on anonymous pages, 4 file_cow on private file mappings)"));
	claims__free(&cl);
}

/* --at: faults records are written late, so no sentence counts faults. */
static void test_at_leaves_faults_out(void **state)
{
	struct mt_event r = ev_of(MT_EV_FAULTS, 100, 100, 1);
	struct claims cl;

	do_mmap(1, BASE, 4 * K, RW, ANON, 0);
	do_thread(100, 101, 1);
	r.faults = (struct mt_faults){ .start = BASE, .end = BASE + 4 * K, .kind = MT_REGION_ANON };
	r.faults.counts.n[MT_FAULT_ANON] = 1;
	r.faults.counts.total = 1;
	feed(&r);
	assert_int_equal(claims__build(&cl, &a, NULL), 0);
	assert_non_null(claims_find(&cl, "took 1 page fault in as 1"));
	claims__free(&cl);
	a.cut = true;		/* as report --at leaves it */
	a.cut_ts = now * 1000;
	assert_int_equal(claims__build(&cl, &a, NULL), 0);
	assert_null(claims_find(&cl, "page fault"));
	assert_non_null(claims_find(&cl, "fault counts are left out of these sentences at --at"));
	claims__free(&cl);
}

/* Go never calls brk: its large mappings are not framed against a brk heap; singular said so. */
static void test_heap_claim_no_brk(void **state)
{
	struct claims cl;

	do_mmap(1, BASE, 64 * K, RW, ANON, 0);
	assert_int_equal(claims__build(&cl, &a, NULL), 0);
	assert_non_null(claims_find(&cl, "1 anonymous read-write mapping of 128 KiB or more (largest 256 KiB) was made with mmap (no brk call at all"));
	assert_null(claims_find(&cl, "brk heap"));
	claims__free(&cl);
}

/* glibc's pthread_create: mmap(MAP_STACK), mprotect the guard, clone: both pieces are the thread's. */
static void test_thread_stack(void **state)
{
	struct mt_event f;
	const struct aspace *as;
	int i;

	for (i = 0; i < 2; i++) {
		uint64_t at = BASE + (uint64_t)i * 0x1000 * K;

		do_mmap(1, at, 2049 * K, PROT_NONE, ANON | MAP_STACK, 0);
		do_range(MT_EV_MPROTECT, 1, at + K, 2048 * K, RW, 0);
		f = ev_of(MT_EV_FORK, 100, 100, 1);
		f.fork = (struct mt_fork){ .child_pid = 100, .child_tid = 201 + i, .child_as = 1,
					   .thread = true, .shared_vm = true, .flags_known = true,
					   .clone_flags = 0x3d0f00, .syscall_nr = MT_NR_CLONE3 };
		feed(&f);
	}
	do_mmap(1, BASE + 0x3000 * K, 4 * K, RW, ANON, 0);	/* not a stack */
	as = analysis__as(&a, 1);
	assert_int_equal(as->nregions, 5);
	assert_int_equal(as->threads, 2);
	assert_int_equal(as->regions[0].stack_of, 201);
	assert_true(region__is_guard(&as->regions[0]));
	assert_int_equal(as->regions[1].stack_of, 201);
	assert_false(region__is_guard(&as->regions[1]));
	assert_int_equal(region__kind(&as->regions[1]), REGION_STACK);
	assert_int_equal(as->regions[2].stack_of, 202);
	assert_int_equal(as->regions[3].stack_of, 202);
	assert_int_equal(as->regions[4].stack_of, 0);
	assert_int_equal(as->reserved, 2 * K);
	assert_int_equal(analysis__proc(&a, 100)->threads_created, 2);
	assert_int_equal(a.nedges, 0);		/* threads are not tree edges */
}

/* A process killed by a signal ends its address space. */
static void test_exit_and_counts(void **state)
{
	struct mt_event x = ev_of(MT_EV_EXIT, 100, 100, 1);
	const struct proc *p;

	do_mmap(1, BASE, K, RW, ANON, 0);
	x.exit = (struct mt_exit){ .signal = SIGSEGV, .core = true };
	feed(&x);
	p = analysis__proc(&a, 100);
	assert_true(p->ended);
	assert_int_equal(p->signal, SIGSEGV);
	assert_true(p->core);
	assert_true(analysis__as(&a, 1)->ended);
	assert_int_equal(p->events[MT_EV_MMAP], 1);
	assert_int_equal(a.by_type[MT_EV_EXIT], 1);
	assert_int_equal(a.events, 2);
}

/* ---- issue 10: the kernel-made map, shmdt of an unknown size, argv ---- */

/* One vma record of pages [start, end) from BASE; name NULL for none, file: it is a path. */
static void do_vma(uint32_t pid, uint32_t as, uint32_t origin, uint64_t start, uint64_t end,
		   uint32_t prot, bool shared, const char *name, bool file, uint64_t inode)
{
	struct mt_event e = ev_of(MT_EV_VMA, pid, pid, as);

	e.vma = (struct mt_vma_ev){ .start = BASE + start * K, .end = BASE + end * K,
				    .prot = prot, .origin = origin, .shared = shared,
				    .file = file, .inode = inode,
				    .offset = file ? start * K : 0,
				    .name = { name ?: "", name ? strlen(name) : 0 } };
	feed(&e);
}

static void do_shm(uint32_t type, uint32_t pid, uint32_t as, uint64_t addr, uint64_t len,
		   int32_t shmid)
{
	struct mt_event e = ev_of(type, pid, pid, as);

	e.shm = (struct mt_shm){ .addr = addr, .len = len, .shmid = shmid };
	e.has_addr = true;
	feed(&e);
}

static const struct region *region_at(uint32_t id, uint64_t page)
{
	const struct aspace *as = analysis__as(&a, id);
	size_t i;

	for (i = 0; as && i < as->nregions; i++)
		if (as->regions[i].start <= BASE + page * K && BASE + page * K < as->regions[i].end)
			return &as->regions[i];
	return NULL;
}

/* exec: the new map starts from the vma records, not empty; the program's calls apply on top. */
static void test_exec_vma(void **state)
{
	static const char argv[] = "true\0--version";
	struct mt_event x = ev_of(MT_EV_EXEC, 100, 100, 2);
	const struct want at_exec[] = {
		{ 0, 1, PROT_READ }, { 1, 3, PROT_READ | PROT_EXEC }, { 3, 5, RW },
		{ 5, 6, RW }, { 20, 30, RW },
	};
	const struct want later[] = {
		{ 0, 1, PROT_READ }, { 1, 3, PROT_READ | PROT_EXEC }, { 3, 4, PROT_READ },
		{ 4, 5, RW }, { 5, 8, RW }, { 20, 30, RW },
	};
	const struct region *r;
	const struct proc *p;

	x.exec = (struct mt_exec){ .filename = { "/bin/true", 9 }, .old_as = 1, .old_tid = 100,
				   .has_argv = true, .argv = argv, .argv_len = sizeof(argv) };
	do_mmap(1, BASE + 100 * K, K, RW, ANON, 0);	/* the old image: left behind */
	x.ts = ++now * 1000;
	feed(&x);
	do_vma(100, 2, MT_VMA_ORIGIN_EXEC, 0, 1, PROT_READ, false, "/bin/true", true, 7);
	do_vma(100, 2, MT_VMA_ORIGIN_EXEC, 1, 3, PROT_READ | PROT_EXEC, false, "/bin/true", true, 7);
	do_vma(100, 2, MT_VMA_ORIGIN_EXEC, 3, 5, RW, false, "/bin/true", true, 7);
	do_vma(100, 2, MT_VMA_ORIGIN_EXEC, 5, 6, RW, false, "[heap]", false, 0);
	do_vma(100, 2, MT_VMA_ORIGIN_EXEC, 20, 30, RW, false, "[stack]", false, 0);
	expect_map(2, at_exec, 5);
	assert_true(analysis__as(&a, 2)->kernel_map);
	assert_false(analysis__as(&a, 1)->kernel_map);
	assert_int_equal(analysis__as(&a, 2)->vma_records, 5);
	assert_int_equal(analysis__as(&a, 2)->peak_accessible, 16 * K);
	/* names and kinds as /proc/PID/maps gives them */
	r = region_at(2, 1);
	assert_string_equal(analysis__name(&a, r->name), "/bin/true");
	assert_int_equal(region__kind(r), REGION_FILE);
	assert_int_equal(r->made_type, MT_EV_VMA);
	assert_int_equal(r->offset, K);
	assert_int_equal(region__kind(region_at(2, 5)), REGION_HEAP);
	assert_int_equal(region__kind(region_at(2, 25)), REGION_STACK);
	assert_string_equal(analysis__name(&a, region_at(2, 25)->name), "[stack]");
	/* RELRO splits a kernel-made file region: the upper piece keeps its file offset */
	do_range(MT_EV_MPROTECT, 2, BASE + 3 * K, K, PROT_READ, 0);
	assert_int_equal(region_at(2, 4)->offset, 4 * K);
	/*
	 * at exec the break comes from the program's first brk, as before: the
	 * heap is what brk added above it (the kernel merges it with the bss
	 * VMA below; the map keeps who made which piece)
	 */
	do_brk(2, 0, BASE + 6 * K, 0);
	do_brk(2, BASE + 8 * K, BASE + 8 * K, 0);
	expect_map(2, later, 6);
	assert_int_equal(region_at(2, 7)->made_type, MT_EV_BRK);
	assert_int_equal(region_at(2, 5)->made_type, MT_EV_VMA);
	assert_int_equal(analysis__as(&a, 2)->heap_peak - analysis__as(&a, 2)->heap_start, 2 * K);
	/* the arguments are kept with the exec */
	p = analysis__proc(&a, 100);
	assert_int_equal(p->nexecs, 1);
	assert_int_equal(p->execs[0].argv_len, sizeof(argv));
	assert_memory_equal(p->execs[0].argv, argv, sizeof(argv));
	assert_int_equal(p->events[MT_EV_VMA], 5);
}

/*
 * -p: the map at attach, [heap] bounds standing for the break, a SysV
 * segment attached before: its shmdt has no size, the map gives it.
 */
static void test_attach_vma_shmdt(void **state)
{
	const struct want at_end[] = { { 0, 6, RW }, { 10, 11, RW }, { 30, 31, RW } };
	const struct aspace *as;

	do_vma(300, 1, MT_VMA_ORIGIN_ATTACH, 0, 4, RW, false, "[heap]", false, 0);
	do_vma(300, 1, MT_VMA_ORIGIN_ATTACH, 10, 11, RW, true, "/dev/zero (deleted)", true, 5);
	do_vma(300, 1, MT_VMA_ORIGIN_ATTACH, 20, 23, RW, true, "/SYSV00000000 (deleted)", true, 42);
	do_vma(300, 1, MT_VMA_ORIGIN_ATTACH, 23, 24, RW, true, "/SYSV0000abcd (deleted)", true, 43);
	do_vma(300, 1, MT_VMA_ORIGIN_ATTACH, 30, 31, RW, false, NULL, false, 0);
	as = analysis__as(&a, 1);
	assert_int_equal(analysis__proc(&a, 300)->as, 1);
	assert_int_equal(as->heap_start, BASE);
	assert_int_equal(region__kind(region_at(1, 10)), REGION_SHARED);
	assert_int_equal(region__kind(region_at(1, 21)), REGION_SHARED);
	/* the break moves from the [heap] VMA's end */
	{
		struct mt_event b = ev_of(MT_EV_BRK, 300, 300, 1);

		b.brk = (struct mt_brk){ .req = BASE + 6 * K, .addr = BASE + 6 * K };
		b.has_addr = true;
		feed(&b);
	}
	assert_int_equal(as->heap_peak - as->heap_start, 6 * K);
	assert_int_equal(region_at(1, 5)->start, BASE);	/* grown in place */
	/* shmdt of a segment whose size memtrace never saw: segment 42 only, not 43 */
	do_shm(MT_EV_SHMDT, 300, 1, BASE + 20 * K, 0, 0);
	assert_null(region_at(1, 20));
	assert_non_null(region_at(1, 23));
	assert_int_equal(as->shmdt_from_map, 1);
	/* then 43; a shmdt where no segment starts changes nothing (EINVAL in the kernel) */
	do_shm(MT_EV_SHMDT, 300, 1, BASE + 23 * K, 0, 0);
	do_shm(MT_EV_SHMDT, 300, 1, BASE + 30 * K, 0, 0);
	do_shm(MT_EV_SHMDT, 300, 1, BASE + 10 * K, 0, 0);
	expect_map(1, at_end, 3);
	assert_int_equal(as->shmdt_from_map, 2);
}

/* fork: the child's map is a copy, so the child's shmdt (size unknown to it) removes the segment. */
static void test_shmdt_after_fork(void **state)
{
	const struct want parent[] = { { 0, 1, RW }, { 4, 5, RW }, { 5, 6, PROT_READ } };
	const struct want child[] = { { 0, 1, RW }, { 6, 8, RW } };
	struct mt_event f = ev_of(MT_EV_FORK, 100, 100, 1);
	struct mt_event s = ev_of(MT_EV_SHMAT, 100, 100, 1);

	do_vma(100, 1, MT_VMA_ORIGIN_EXEC, 0, 1, RW, false, "[stack]", false, 0);
	s.shm = (struct mt_shm){ .addr = BASE + 4 * K, .len = 2 * K - 100, .shmid = 7 };
	s.has_addr = true;
	s.ts = ++now * 1000;
	feed(&s);
	s.shm = (struct mt_shm){ .addr = BASE + 6 * K, .len = 2 * K, .shmid = 8 };
	s.ts = ++now * 1000;
	feed(&s);
	/* a piece of segment 7 made read-only: still the one segment */
	do_range(MT_EV_MPROTECT, 1, BASE + 5 * K, K, PROT_READ, 0);
	f.ts = ++now * 1000;
	f.fork = (struct mt_fork){ .child_pid = 101, .child_tid = 101, .child_as = 2,
				   .flags_known = true, .clone_flags = SIGCHLD,
				   .syscall_nr = MT_NR_CLONE };
	feed(&f);
	assert_true(analysis__as(&a, 2)->kernel_map);
	do_shm(MT_EV_SHMDT, 101, 2, BASE + 4 * K, 0, 0);
	expect_map(2, child, 2);
	assert_int_equal(analysis__as(&a, 2)->shmdt_from_map, 1);
	/* the parent's own shmdt has its size (the tracer saw the shmat): both pieces go */
	do_shm(MT_EV_SHMDT, 100, 1, BASE + 6 * K, 2 * K, 0);
	expect_map(1, parent, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_partial_munmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mprotect_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mremap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_fixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_brk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfork_failed_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfork_exec_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults_span, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cow_claim_file_cow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_leaves_faults_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heap_claim_no_brk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_vma, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_vma_shmdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shmdt_after_fork, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
