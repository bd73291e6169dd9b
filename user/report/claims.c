// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * claims - "what this trace shows": sentences computed from the analysis,
 * never canned per workload. Each rule looks for one pattern of the seed's
 * experiments (docs/report.md lists them) and states it with this trace's
 * pids, address spaces and sizes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "decode.h"
#include "report.h"

#define MAX_CLAIMS	64

static int claims__add(struct claims *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int claims__add(struct claims *c, const char *fmt, ...)
{
	char **v;
	va_list ap;
	char *s;
	int k;

	if (c->n >= MAX_CLAIMS)
		return 0;
	va_start(ap, fmt);
	k = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (k < 0)
		return -ENOMEM;
	v = realloc(c->lines, (c->n + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	c->lines = v;
	c->lines[c->n++] = s;
	return 0;
}

/* Only the file's last component: "/work/main/workloads/fork-exec" -> "fork-exec". */
static const char *base__name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* The successful exec that gave pid the address space id, NULL if none. */
static const struct exec_step *exec__into(const struct proc *p, uint32_t id)
{
	size_t i;

	for (i = 0; i < p->nexecs; i++)
		if (!p->execs[i].error && p->execs[i].as == id)
			return &p->execs[i];
	return NULL;
}

/* Fork edges: a child that got a copy, or shared its parent's space until exec. */
static int claims__fork(struct claims *c, const struct analysis *a)
{
	const struct exec_step *x;
	const struct proc *child;
	const struct edge *e;
	size_t i, shown = 0;
	int r = 0;

	for (i = 0; i < a->nedges && !r; i++) {
		e = &a->edges[i];
		/* as 0: an address space without an id (unnumbered), nothing to say of it */
		if (e->kind == EDGE_REPLACES || !e->from_as || !e->to_as)
			continue;
		child = analysis__proc(a, e->to_pid);
		if (!child)
			continue;
		if (++shown > 3) {
			continue;
		}
		x = child->as != e->to_as ? exec__into(child, child->as) : NULL;
		if (e->kind == EDGE_COPY && x)
			r = claims__add(c, "pid %u (as %u) and its child pid %u (as %u) share no address space: the child's fork copy, as %u, was replaced when it exec'd %s.",
					e->from_pid, e->from_as, child->pid, child->as, e->to_as,
					base__name(x->filename));
		else if (e->kind == EDGE_COPY)
			r = claims__add(c, "pid %u got a copy of pid %u's address space at fork (as %u from as %u): the same addresses, separate memory; neither sees the other's writes.",
					child->pid, e->from_pid, e->to_as, e->from_as);
		else if (x)
			r = claims__add(c, "pid %u was created sharing pid %u's address space (as %u, CLONE_VM: vfork or posix_spawn) and got its own, as %u, when it exec'd %s.",
					child->pid, e->from_pid, e->from_as, child->as,
					base__name(x->filename));
		else
			r = claims__add(c, "pid %u was created sharing pid %u's address space (as %u, CLONE_VM without CLONE_THREAD): a process, yet every write is seen by both.",
					child->pid, e->from_pid, e->from_as);
	}
	if (!r && shown > 3)
		r = claims__add(c, "%zu more process%s created the same ways (see the tree).",
				shown - 3, shown - 3 == 1 ? " was" : "es were");
	return r;
}

/* ---- issue 11: what the pages say ---- */

/* "[stack]", "libc.so.6", "[anonymous] at 7f..": a place faults went to. */
static void place__name(const struct analysis *a, const struct fault_place *x, char *buf,
			size_t n)
{
	const char *name = analysis__name(a, x->name);

	if (*name)
		snprintf(buf, n, "%s", name);
	else if (x->region)
		snprintf(buf, n, "[%s] at %llx", region__kind(x->region) == REGION_ANON ? "anonymous" :
			 region__kind_name(region__kind(x->region)),
			 (unsigned long long)x->region->start);
	else
		snprintf(buf, n, "[%s] at %llx", x->area->kind == MT_REGION_ANON ? "anonymous" :
			 event__region_kind_name(x->area->kind), (unsigned long long)x->area->start);
}

#define COW_PLACES	4

/* Copy-on-write faults: anonymous (cow) and private file pages (file_cow). */
static uint64_t cow__n(const struct mt_fault_counts *c)
{
	return c->n[MT_FAULT_COW] + c->n[MT_FAULT_FILE_COW];
}

/*
 * The places of as with the most copy-on-write faults (both classes), most
 * first; returns how many, *all how many had some.
 */
static size_t cow__places(const struct aspace *as, struct fault_place *out, size_t *all)
{
	const struct mt_fault_counts *c;
	struct fault_place x;
	size_t j, have = 0, k;

	for (j = 0; j < as->nregions + as->nareas; j++) {
		if (j < as->nregions) {
			const struct region_mem *m = region__mem(as, &as->regions[j]);

			x = (struct fault_place){ .as = as->id, .region = &as->regions[j],
						  .faults = &m->faults, .name = m->name };
		} else {
			const struct fault_area *ar = &as->areas[j - as->nregions];

			x = (struct fault_place){ .as = as->id, .area = ar, .faults = &ar->faults,
						  .name = ar->name };
		}
		c = x.faults;
		if (!cow__n(c))
			continue;
		(*all)++;
		for (k = have < COW_PLACES ? have : COW_PLACES - 1; k > 0; k--) {
			const struct fault_place *y = &out[k - 1];

			if (cow__n(y->faults) >= cow__n(c))
				break;
			if (k < COW_PLACES)
				out[k] = out[k - 1];
		}
		if (k < COW_PLACES && (have < COW_PLACES || k < have)) {
			out[k] = x;
			if (have < COW_PLACES)
				have++;
		}
	}
	return have;
}

/*
 * Fork: the child's copy shares every page with its parent until one of
 * them writes; the write is a copy-on-write fault in the writer's space:
 * `cow` on an anonymous page, `file_cow` on a private file mapping (a
 * library's .data: the page is copied from the page cache or the shared
 * one). Each copies one page.
 */
static int claims__cow(struct claims *c, const struct analysis *a)
{
	struct fault_place top[COW_PLACES];
	char list[512], name[96], kinds[160];
	const struct aspace *cas;
	const struct edge *e;
	uint64_t acow, fcow, cow;
	size_t i, k, n, len, all, shown = 0;
	int r = 0;

	for (i = 0; i < a->nedges && !r; i++) {
		e = &a->edges[i];
		cas = analysis__as(a, e->to_as);
		if (e->kind != EDGE_COPY || !cas || !cas->fault_records || cas->from_as != e->from_as)
			continue;
		if (++shown > 3)
			break;
		acow = cas->faults.n[MT_FAULT_COW];
		fcow = cas->faults.n[MT_FAULT_FILE_COW];
		cow = cow__n(&cas->faults);
		if (!cow) {
			r = claims__add(c, "after fork, pid %u wrote no page it shared with pid %u: no copy-on-write fault in its copy (as %u), so nothing was copied.",
					e->to_pid, e->from_pid, e->to_as);
			continue;
		}
		all = 0;
		n = cow__places(cas, top, &all);
		list[0] = '\0';
		for (k = 0, len = 0; k < n && len < sizeof(list); k++) {
			place__name(a, &top[k], name, sizeof(name));
			len += snprintf(list + len, sizeof(list) - len, "%s%s %llu", k ? ", " : "",
					name, (unsigned long long)cow__n(top[k].faults));
		}
		if (fcow)
			snprintf(kinds, sizeof(kinds), " (%llu cow on anonymous pages, %llu file_cow on private file mappings)",
				 (unsigned long long)acow, (unsigned long long)fcow);
		else
			kinds[0] = '\0';
		/* one copy-on-write fault copies one page (4 KiB; no THP here) */
		r = claims__add(c, "after fork, pid %u wrote %llu page%s it shared with pid %u%s (%s%s): %llu copy-on-write fault%s%s in its copy, as %u; only those pages were copied, until then both shared the same physical pages.",
				e->to_pid, (unsigned long long)cow, cow == 1 ? "" : "s",
				e->from_pid, fcow ? " or with the page cache" : "", list,
				n < all ? ", ..." : "",
				(unsigned long long)cow, cow == 1 ? "" : "s", kinds, e->to_as);
	}
	return r;
}

/*
 * Exec: the old address space and every page in it go (its as_end). Not
 * after vfork: the old space is the parent's and lives on (claims__fork
 * says the child left it).
 */
static int claims__exec_pages(struct claims *c, const struct analysis *a)
{
	const struct aspace *old, *nas;
	const struct edge *e;
	char s1[32], s2[32], s3[32], s4[32];
	size_t i, shown = 0;
	int r = 0;

	for (i = 0; i < a->nedges && !r; i++) {
		e = &a->edges[i];
		old = analysis__as(a, e->from_as);
		nas = analysis__as(a, e->to_as);
		if (e->kind != EDGE_REPLACES || !old || !old->has_as_end || e->from_as == e->to_as ||
		    edge__leaves_shared(a, e))
			continue;
		if (++shown > 3)
			break;
		r = claims__add(c, "exec in pid %u threw away as %u and its %llu resident pages (%s: anon %s, file %s) when the kernel tore it down; the new image, as %u, started without them%s%s.",
				e->to_pid, old->id, (unsigned long long)(old->rss.total / AN_PAGE),
				decode__size(old->rss.total, s1, sizeof(s1)),
				decode__size(old->rss.anon, s2, sizeof(s2)),
				decode__size(old->rss.file, s3, sizeof(s3)), e->to_as,
				nas && nas->has_rss ? " and peaked at " : "",
				nas && nas->has_rss ? decode__size(nas->rss_peak, s4, sizeof(s4)) : "");
	}
	return r;
}

/* Threads share pages: none of their writes copies one. */
static int claims__threads_cow(struct claims *c, const struct aspace *as)
{
	uint64_t cow = as->faults.n[MT_FAULT_COW], fcow = as->faults.n[MT_FAULT_FILE_COW];

	if (!as->threads || !as->fault_records || as->from_as)
		return 0;
	if (!cow && !fcow)
		return claims__add(c, "the %u threads of pid %u took %llu page fault%s in as %u and none was copy-on-write: threads share the pages, nothing is copied.",
				   as->threads + 1, as->pid, (unsigned long long)as->faults.total,
				   as->faults.total == 1 ? "" : "s", as->id);
	/* file_cow: a private file page's first write copies it from the page cache, once */
	if (!cow)
		return claims__add(c, "the %u threads of pid %u took %llu page fault%s in as %u and none was copy-on-write between them: threads share the pages, nothing is copied from one to another; %llu %s first write%s to private file pages (file_cow: a program's or library's data, copied once from the page cache).",
				   as->threads + 1, as->pid, (unsigned long long)as->faults.total,
				   as->faults.total == 1 ? "" : "s", as->id, (unsigned long long)fcow,
				   fcow == 1 ? "was a" : "were", fcow == 1 ? "" : "s");
	return claims__add(c, "the %u threads of pid %u took %llu page fault%s in as %u, %llu of them copy-on-write: a write to a page first read (the shared zero page) or still shared with a forked child, never a copy between threads.",
			   as->threads + 1, as->pid, (unsigned long long)as->faults.total,
			   as->faults.total == 1 ? "" : "s", as->id, (unsigned long long)cow);
}

/*
 * Threads: one address space, a stack mapping each. The stacks counted are
 * those ever mapped for a new thread (as->thread_stacks), not those still
 * in the map: glibc unmaps a joined thread's stack beyond its cache.
 */
static int claims__threads(struct claims *c, const struct aspace *as)
{
	char size[64], s1[32], s2[32], live_s[64] = "", rest[160] = "";
	size_t j, live = 0;

	if (!as->threads)
		return 0;
	if (!as->thread_stacks)
		return claims__add(c, "%u threads of pid %u share as %u: one address space, the same globals and heap; no stack mapping was seen per thread (the runtime carves stacks out of memory it already has).",
				   as->threads + 1, as->pid, as->id);
	for (j = 0; j < as->nregions; j++)
		if (as->regions[j].stack_of && !region__is_guard(&as->regions[j]))
			live++;
	if (as->thread_stacks == 1)
		snprintf(size, sizeof(size), "a separate %s mapping",
			 decode__size(as->stack_max, s1, sizeof(s1)));
	else if (as->stack_min == as->stack_max)
		snprintf(size, sizeof(size), "a separate %s mapping each",
			 decode__size(as->stack_max, s1, sizeof(s1)));
	else
		snprintf(size, sizeof(size), "separate mappings of %s to %s",
			 decode__size(as->stack_min, s1, sizeof(s1)),
			 decode__size(as->stack_max, s2, sizeof(s2)));
	if (live != as->thread_stacks)
		snprintf(live_s, sizeof(live_s), " (%zu of them still mapped)", live);
	if (as->thread_stacks < as->threads)
		snprintf(rest, sizeof(rest), "; the other %u got no new mapping (glibc reuses the cached stack of a thread that ended)",
			 as->threads - as->thread_stacks);
	return claims__add(c, "%u threads of pid %u share as %u (one address space, the same globals and heap); %u of them got a stack of %s own, %s%s%s.",
			   as->threads + 1, as->pid, as->id, as->thread_stacks,
			   as->thread_stacks == 1 ? "its" : "their", size, live_s, rest);
}

/* The heap: brk for small blocks, a mapping of its own for a large one. */
static int claims__heap(struct claims *c, const struct aspace *as)
{
	char s1[32], s2[32];

	if (as->brk_grows && as->large_blocks)
		return claims__add(c, "in as %u (pid %u) small allocations grew the heap by brk %u time%s (to %s); %u large block%s got a mapping of %s own with mmap (largest %s).",
				   as->id, as->pid, as->brk_grows, as->brk_grows == 1 ? "" : "s",
				   decode__size(as->heap_peak - as->heap_start, s1, sizeof(s1)),
				   as->large_blocks, as->large_blocks == 1 ? "" : "s",
				   as->large_blocks == 1 ? "its" : "their",
				   decode__size(as->largest_block, s2, sizeof(s2)));
	if (as->brk_grows > 1)
		return claims__add(c, "in as %u (pid %u) the heap grew by brk %u times, to %s.",
				   as->id, as->pid, as->brk_grows,
				   decode__size(as->heap_peak - as->heap_start, s1, sizeof(s1)));
	if (as->large_blocks)
		return claims__add(c, "in as %u (pid %u) %u anonymous read-write mapping%s of %s or more (largest %s) %s made with mmap%s.",
				   as->id, as->pid, as->large_blocks, as->large_blocks == 1 ? "" : "s",
				   decode__size(AN_LARGE_BLOCK, s1, sizeof(s1)),
				   decode__size(as->largest_block, s2, sizeof(s2)),
				   as->large_blocks == 1 ? "was" : "were",
				   /* Go and other runtimes never call brk: no brk heap to compare with */
				   as->heap_start ? " rather than taken from the brk heap" :
				   " (no brk call at all: the runtime takes its memory with mmap only)");
	return 0;
}

/* Reservations: address space held PROT_NONE is not memory. */
static int claims__reserved(struct claims *c, const struct aspace *as)
{
	char s1[32], s2[32];

	if (as->peak_reserved < (64ULL << 20) || as->peak_reserved < as->peak_accessible)
		return 0;
	return claims__add(c, "as %u (pid %u) reserved up to %s PROT_NONE, more than the %s it could use at its peak: mapped bytes are not memory in use.",
			   as->id, as->pid, decode__size(as->peak_reserved, s1, sizeof(s1)),
			   decode__size(as->peak_accessible, s2, sizeof(s2)));
}

/* The rules about one address space, in the order they are said. */
static int (*const as_rules[])(struct claims *c, const struct aspace *as) = {
	claims__threads, claims__threads_cow, claims__heap, claims__reserved,
};

static int claims__exits(struct claims *c, const struct analysis *a)
{
	const struct proc *p;
	char buf[16];
	size_t i;
	int r = 0;

	for (i = 0; i < a->nprocs && !r; i++) {
		p = a->procs[i];
		if (p->ended && p->signal)
			r = claims__add(c, "pid %u was killed by SIG%s%s.", p->pid,
					decode__signal_name(p->signal, buf, sizeof(buf)),
					p->core ? " and dumped core" : "");
	}
	return r;
}

int claims__build(struct claims *c, const struct analysis *a, const struct reader *r)
{
	size_t k, i;

	memset(c, 0, sizeof(*c));
	/*
	 * --at: faults records come when a mapping goes or at the end, so the
	 * rules that count faults would give a fraction as the whole: left out.
	 */
	if (claims__fork(c, a) || (!a->cut && claims__cow(c, a)) || claims__exec_pages(c, a))
		return -ENOMEM;
	for (k = 0; k < sizeof(as_rules) / sizeof(as_rules[0]); k++) {
		if (a->cut && as_rules[k] == claims__threads_cow)
			continue;
		for (i = 1; i < a->nas; i++)
			if (a->as[i] && as_rules[k](c, a->as[i]))
				return -ENOMEM;
	}
	if (a->cut && a->has_mem &&
	    claims__add(c, "fault counts are left out of these sentences at --at: memtrace writes a mapping's faults when it is unmapped or at the end, so those taken by then are mostly not in the trace yet."))
		return -ENOMEM;
	if (claims__exits(c, a))
		return -ENOMEM;
	if (!c->n)
		return claims__add(c, "%zu process%s, no fork, thread or heap pattern of the seed's experiments.",
				   a->nprocs, a->nprocs == 1 ? "" : "es");
	return 0;
}

void claims__free(struct claims *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->lines[i]);
	free(c->lines);
	memset(c, 0, sizeof(*c));
}
