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
		if (e->kind == EDGE_REPLACES)
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
		r = claims__add(c, "%zu more processes were created the same ways (see the tree).",
				shown - 3);
	return r;
}

/* Threads: one address space, a stack mapping each. */
static int claims__threads(struct claims *c, const struct aspace *as)
{
	uint64_t stack = 0;
	size_t j, stacks = 0;
	char size[32];

	if (!as->threads)
		return 0;
	for (j = 0; j < as->nregions; j++) {
		if (as->regions[j].stack_of && !region__is_guard(&as->regions[j])) {
			stacks++;
			stack = as->regions[j].end - as->regions[j].start;
		}
	}
	if (stacks)
		return claims__add(c, "%u threads of pid %u share as %u (one address space, the same globals and heap); %zu of them got a stack of their own, a separate %s mapping each.",
				   as->threads + 1, as->pid, as->id, stacks,
				   decode__size(stack, size, sizeof(size)));
	return claims__add(c, "%u threads of pid %u share as %u: one address space, the same globals and heap; no stack mapping was seen per thread (the runtime carves stacks out of memory it already has).",
			   as->threads + 1, as->pid, as->id);
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
		return claims__add(c, "in as %u (pid %u) %u anonymous read-write mapping%s of %s or more (largest %s) were made with mmap rather than taken from the brk heap.",
				   as->id, as->pid, as->large_blocks, as->large_blocks == 1 ? "" : "s",
				   decode__size(AN_LARGE_BLOCK, s1, sizeof(s1)),
				   decode__size(as->largest_block, s2, sizeof(s2)));
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
	claims__threads, claims__heap, claims__reserved,
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
	if (claims__fork(c, a))
		return -ENOMEM;
	for (k = 0; k < sizeof(as_rules) / sizeof(as_rules[0]); k++)
		for (i = 1; i < a->nas; i++)
			if (a->as[i] && as_rules[k](c, a->as[i]))
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
