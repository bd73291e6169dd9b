// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * analysis - see analysis.h. The interval map follows the kernel's rules
 * (mm/mmap.c, mm/mprotect.c, mm/mremap.c): lengths are rounded up to a
 * page, a successful mmap replaces whatever it overlaps (MAP_FIXED), munmap
 * and mprotect split the mappings they cut, a failed call changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/sched.h>
#include "analysis.h"

#define PROT_RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)

static uint64_t page__up(uint64_t v)
{
	return v > UINT64_MAX - (AN_PAGE - 1) ? UINT64_MAX & ~(AN_PAGE - 1) :
	       (v + AN_PAGE - 1) & ~(AN_PAGE - 1);
}

/* ---- pid -> proc: open addressing, the latest process with that pid ---- */

struct pid_map {
	uint32_t *keys;		/* 0 = empty (pid 0 is never traced) */
	struct proc **vals;
	size_t cap, n;
};

static size_t pid__slot(const struct pid_map *m, uint32_t pid)
{
	size_t i = (pid * 2654435761U) & (m->cap - 1);

	while (m->keys[i] && m->keys[i] != pid)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int pid_map__put(struct pid_map *m, uint32_t pid, struct proc *p)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct pid_map big = { .cap = m->cap ? m->cap * 2 : 256 };
		size_t k;

		big.keys = calloc(big.cap, sizeof(*big.keys));
		big.vals = calloc(big.cap, sizeof(*big.vals));
		if (!big.keys || !big.vals) {
			free(big.keys);
			free(big.vals);
			return -ENOMEM;
		}
		for (k = 0; k < m->cap; k++) {
			if (m->keys[k]) {
				i = pid__slot(&big, m->keys[k]);
				big.keys[i] = m->keys[k];
				big.vals[i] = m->vals[k];
				big.n++;
			}
		}
		free(m->keys);
		free(m->vals);
		*m = big;
	}
	i = pid__slot(m, pid);
	if (!m->keys[i])
		m->n++;
	m->keys[i] = pid;
	m->vals[i] = p;
	return 0;
}

static struct proc *pid_map__get(const struct pid_map *m, uint32_t pid)
{
	size_t i;

	if (!m || !m->cap || !pid)
		return NULL;
	i = pid__slot(m, pid);
	return m->keys[i] ? m->vals[i] : NULL;
}

/* ---- names ---- */

const char *region__kind_name(enum region_kind k)
{
	static const char *const names[] = {
		[REGION_ANON] = "anon", [REGION_FILE] = "file", [REGION_SHARED] = "shared",
		[REGION_HEAP] = "heap", [REGION_STACK] = "stack", [REGION_RESERVED] = "reserved",
	};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* MAP_PRIVATE, or MAP_DROPPABLE (0x08: private memory the kernel may drop) */
static bool region__private(const struct region *r)
{
	return (r->flags & 0x0f) == MAP_PRIVATE || (r->flags & 0x0f) == 0x08;
}

enum region_kind region__kind(const struct region *r)
{
	if (r->made_type == MT_EV_BRK)
		return REGION_HEAP;
	if (r->flags & (MAP_STACK | MAP_GROWSDOWN))
		return REGION_STACK;	/* its PROT_NONE guard too: r->guard */
	if (!(r->prot & PROT_RWX))
		return REGION_RESERVED;
	if (!(r->flags & MAP_ANONYMOUS))
		return REGION_FILE;
	if (!region__private(r))
		return REGION_SHARED;
	return REGION_ANON;
}

bool region__is_guard(const struct region *r)
{
	return (r->flags & (MAP_STACK | MAP_GROWSDOWN)) && !(r->prot & PROT_RWX);
}

void region__perms(const struct region *r, char out[5])
{
	out[0] = r->prot & PROT_READ ? 'r' : '-';
	out[1] = r->prot & PROT_WRITE ? 'w' : '-';
	out[2] = r->prot & PROT_EXEC ? 'x' : '-';
	out[3] = region__private(r) ? 'p' : 's';
	out[4] = '\0';
}

const char *edge__kind_name(enum edge_kind k)
{
	switch (k) {
	case EDGE_COPY:
		return "copy";
	case EDGE_SHARES:
		return "shares";
	default:
		return "replaces";
	}
}

/* ---- region names ---- */

static uint64_t name__hash(const char *s, size_t k)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (k--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

const char *analysis__name(const struct analysis *a, uint32_t name)
{
	return name && name < a->nnames ? a->names[name] : NULL;
}

static int names__grow(struct analysis *a)
{
	size_t cap = a->cap_index ? a->cap_index * 2 : 256, i, j;
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (i = 1; i < a->nnames; i++) {
		j = name__hash(a->names[i], strlen(a->names[i])) & (cap - 1);
		while (idx[j])
			j = (j + 1) & (cap - 1);
		idx[j] = i;
	}
	free(a->name_index);
	a->name_index = idx;
	a->cap_index = cap;
	return 0;
}

/* The id of the k bytes at s (no NUL needed), added if new; 0 on no memory. */
static uint32_t analysis__intern(struct analysis *a, const char *s, size_t k)
{
	char **v;
	size_t j;

	if ((a->nnames + 1) * 2 > a->cap_index && names__grow(a))
		return 0;
	j = name__hash(s, k) & (a->cap_index - 1);
	for (; a->name_index[j]; j = (j + 1) & (a->cap_index - 1)) {
		const char *n = a->names[a->name_index[j]];

		if (!strncmp(n, s, k) && !n[k])
			return a->name_index[j];
	}
	if (!a->nnames)
		a->nnames = 1;
	if (a->nnames >= a->cap_names) {
		size_t cap = a->cap_names ? a->cap_names * 2 : 64;

		v = realloc(a->names, cap * sizeof(*v));
		if (!v)
			return 0;
		a->names = v;
		a->cap_names = cap;
	}
	a->names[a->nnames] = strndup(s, k);
	if (!a->names[a->nnames])
		return 0;
	a->name_index[j] = a->nnames;
	return a->nnames++;
}

/* ---- the interval map ---- */

static void as__account(struct aspace *as, const struct region *r, int sign)
{
	uint64_t len = r->end - r->start;
	uint64_t *sum = r->prot & PROT_RWX ? &as->accessible : &as->reserved;

	*sum = sign > 0 ? *sum + len : *sum - len;
}

static void as__peaks(struct aspace *as)
{
	if (as->accessible > as->peak_accessible)
		as->peak_accessible = as->accessible;
	if (as->reserved > as->peak_reserved)
		as->peak_reserved = as->reserved;
	if (as->accessible + as->reserved > as->peak_total)
		as->peak_total = as->accessible + as->reserved;
}

/* Index of the first region that ends after addr. */
static size_t as__lower(const struct aspace *as, uint64_t addr)
{
	size_t lo = 0, hi = as->nregions, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (as->regions[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int as__reserve(struct aspace *as, size_t more)
{
	struct region *r;
	size_t cap;

	if (as->nregions + more <= as->cap)
		return 0;
	cap = as->cap ? as->cap * 2 : 16;
	while (cap < as->nregions + more)
		cap *= 2;
	r = realloc(as->regions, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	as->regions = r;
	as->cap = cap;
	return 0;
}

/* Cuts the region holding addr (strictly inside it) in two. */
static int as__split(struct aspace *as, uint64_t addr)
{
	size_t i = as__lower(as, addr);
	struct region *r;

	if (i == as->nregions || as->regions[i].start >= addr)
		return 0;
	if (as__reserve(as, 1))
		return -ENOMEM;
	r = &as->regions[i];
	memmove(r + 1, r, (as->nregions - i) * sizeof(*r));
	as->nregions++;
	r[0].end = addr;
	/* /proc/PID/maps shows an offset for file mappings only */
	if (r[1].fd >= 0)
		r[1].offset += addr - r[1].start;
	r[1].start = addr;
	return 0;
}

/* Removes [start, end): the regions cut at the edges keep their outer parts. */
static int as__remove(struct aspace *as, uint64_t start, uint64_t end)
{
	size_t i, j;

	if (start >= end || as__split(as, start) || as__split(as, end))
		return start >= end ? 0 : -ENOMEM;
	i = as__lower(as, start);
	for (j = i; j < as->nregions && as->regions[j].end <= end; j++)
		as__account(as, &as->regions[j], -1);
	if (j == i)
		return 0;	/* nothing there (regions may still be NULL) */
	memmove(&as->regions[i], &as->regions[j], (as->nregions - j) * sizeof(*as->regions));
	as->nregions -= j - i;
	return 0;
}

/* Maps r, replacing whatever it overlaps (a successful mmap always may). */
static int as__insert(struct aspace *as, const struct region *r)
{
	size_t i;

	if (r->start >= r->end)
		return 0;
	if (as__remove(as, r->start, r->end) || as__reserve(as, 1))
		return -ENOMEM;
	i = as__lower(as, r->start);
	memmove(&as->regions[i + 1], &as->regions[i], (as->nregions - i) * sizeof(*r));
	as->regions[i] = *r;
	as->nregions++;
	as__account(as, r, +1);
	return 0;
}

static int as__protect(struct aspace *as, uint64_t start, uint64_t end, uint64_t prot)
{
	struct region *r;
	size_t i;

	if (start >= end)
		return 0;
	if (as__split(as, start) || as__split(as, end))
		return -ENOMEM;
	for (i = as__lower(as, start); i < as->nregions && as->regions[i].end <= end; i++) {
		r = &as->regions[i];
		as__account(as, r, -1);
		r->prot = prot;
		as__account(as, r, +1);
	}
	return 0;
}

/* ---- objects ---- */

static struct aspace *as__get(struct analysis *a, uint32_t id, uint32_t pid, uint64_t ts)
{
	struct aspace **v, *as;
	size_t n;

	if (!id)
		return NULL;
	if (id >= a->nas) {
		n = a->nas ? a->nas : 64;
		while (n <= id)
			n *= 2;
		v = realloc(a->as, n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + a->nas, 0, (n - a->nas) * sizeof(*v));
		a->as = v;
		a->nas = n;
	}
	if (!a->as[id]) {
		as = calloc(1, sizeof(*as));
		if (!as)
			return NULL;
		as->id = id;
		as->pid = pid;
		as->start_ts = ts;
		a->as[id] = as;
	}
	return a->as[id];
}

struct aspace *analysis__as(const struct analysis *a, uint32_t id)
{
	return id && id < a->nas ? a->as[id] : NULL;
}

struct proc *analysis__proc(const struct analysis *a, uint32_t pid)
{
	return pid_map__get(a->pid_index, pid);
}

static struct proc *proc__new(struct analysis *a, uint32_t pid, uint64_t ts)
{
	struct proc *p, **v;

	if (a->nprocs == a->cap_procs) {
		size_t cap = a->cap_procs ? a->cap_procs * 2 : 64;

		v = realloc(a->procs, cap * sizeof(*v));
		if (!v)
			return NULL;
		a->procs = v;
		a->cap_procs = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p || pid_map__put(a->pid_index, pid, p)) {
		free(p);
		return NULL;
	}
	p->pid = pid;
	p->start_ts = ts;
	p->threads_live = 1;
	a->procs[a->nprocs++] = p;
	return p;
}

static int edge__add(struct analysis *a, const struct edge *e)
{
	struct edge *v;

	if (a->nedges == a->cap_edges) {
		size_t cap = a->cap_edges ? a->cap_edges * 2 : 64;

		v = realloc(a->edges, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->edges = v;
		a->cap_edges = cap;
	}
	a->edges[a->nedges++] = *e;
	return 0;
}

/* A process stopped using as (exit or exec): the last one ends it. */
static void as__leave(struct analysis *a, uint32_t id, uint64_t ts)
{
	struct aspace *as = analysis__as(a, id);

	if (as && as->tasks && !--as->tasks) {
		as->ended = true;
		as->ended_ts = ts;
	}
}

/* ---- events ---- */

static int analysis__fork(struct analysis *a, struct proc *p, struct aspace *as,
			  const struct mt_event *ev)
{
	const struct mt_fork *f = &ev->fork;
	struct aspace *cas;
	struct proc *c;
	struct edge e;
	size_t i;

	if (f->thread) {
		p->threads_created++;
		p->threads_live++;
		if (as)
			as->threads++;
		/* the MAP_STACK mapping this thread made last is the new thread's stack */
		if (as && a->pending_stack_as == as->id && a->pending_stack_tid == ev->tid) {
			uint64_t made = 0, at = a->pending_stack;

			/* every piece of that one mmap (mprotect split off the guard) */
			for (i = as__lower(as, at); i < as->nregions &&
			     as->regions[i].start == at &&
			     (!made || as->regions[i].made_ts == made); i++) {
				made = as->regions[i].made_ts;
				as->regions[i].stack_of = f->child_tid;
				at = as->regions[i].end;
			}
			a->pending_stack_as = 0;
		}
		return 0;
	}
	c = proc__new(a, f->child_pid, ev->ts);
	if (!c)
		return -ENOMEM;
	c->ppid = ev->pid;
	c->seen_start = true;
	c->shared_vm = f->shared_vm;
	c->as = c->first_as = f->child_as;
	memcpy(c->comm, p->comm, sizeof(c->comm));
	cas = as__get(a, f->child_as, c->pid, ev->ts);
	if (!cas)
		return -ENOMEM;
	cas->tasks++;
	if (f->shared_vm) {
		cas->shared_procs++;
	} else if (as && cas != as && !cas->nregions) {
		/* fork copies the parent's map: same addresses, separate memory */
		if (as__reserve(cas, as->nregions))
			return -ENOMEM;
		memcpy(cas->regions, as->regions, as->nregions * sizeof(*as->regions));
		cas->nregions = as->nregions;
		cas->accessible = as->accessible;
		cas->reserved = as->reserved;
		cas->heap_start = as->heap_start;
		cas->heap_end = cas->heap_peak = as->heap_end;
		cas->from_as = as->id;
		as__peaks(cas);
	}
	e = (struct edge){ .kind = f->shared_vm ? EDGE_SHARES : EDGE_COPY, .ts = ev->ts,
			   .from_pid = ev->pid, .to_pid = c->pid, .from_as = ev->as,
			   .to_as = f->child_as, .syscall_nr = f->syscall_nr };
	return edge__add(a, &e);
}

static int analysis__exec(struct analysis *a, struct proc *p, const struct mt_event *ev)
{
	struct exec_step *s;
	struct aspace *nas;
	struct edge e;
	size_t k = ev->exec.filename.max;

	s = realloc(p->execs, (p->nexecs + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	p->execs = s;
	s = &p->execs[p->nexecs++];
	memset(s, 0, sizeof(*s));
	s->ts = ev->ts;
	s->filename = strndup(ev->exec.filename.s, k);
	s->as = ev->as;
	s->old_as = ev->exec.old_as;
	s->error = ev->error;
	if (!s->filename)
		return -ENOMEM;
	if (ev->error)
		return 0;	/* the process kept its image */
	p->threads_live = 1;	/* exec kills every other thread (fs/exec.c de_thread) */
	nas = as__get(a, ev->as, p->pid, ev->ts);
	if (!nas)
		return -ENOMEM;
	if (ev->exec.old_as != ev->as) {
		nas->by_exec = true;
		nas->exec_of_as = ev->exec.old_as;
	}
	/* the process moves to the new image (first sight already counted it there) */
	if (p->as != ev->as) {
		nas->tasks++;
		as__leave(a, p->as, ev->ts);
		p->as = ev->as;
	}
	if (!p->first_as)
		p->first_as = ev->as;
	e = (struct edge){ .kind = EDGE_REPLACES, .ts = ev->ts, .from_pid = p->pid,
			   .to_pid = p->pid, .from_as = ev->exec.old_as, .to_as = ev->as,
			   .syscall_nr = MT_NR_UNKNOWN };
	return edge__add(a, &e);
}

static void analysis__exit(struct analysis *a, struct proc *p, const struct mt_event *ev)
{
	if (ev->exit.thread) {
		if (p->threads_live > 1)
			p->threads_live--;
		return;
	}
	p->ended = true;
	p->end_ts = ev->ts;
	p->code = ev->exit.code;
	p->signal = ev->exit.signal;
	p->core = ev->exit.core;
	p->threads_live = 0;
	as__leave(a, p->as, ev->ts);
}

static int analysis__mmap(struct analysis *a, struct aspace *as, const struct mt_event *ev)
{
	const struct mt_mmap *m = &ev->mmap;
	struct region r = {
		.start = m->addr, .end = m->addr + page__up(m->len), .prot = m->prot,
		.flags = m->flags, .offset = m->flags & MAP_ANONYMOUS ? 0 : m->offset,
		.fd = m->flags & MAP_ANONYMOUS ? -1 : m->fd, .made_type = MT_EV_MMAP,
		.made_ts = ev->ts, .made_tid = ev->tid,
	};

	/* the file's path, when the kernel told it */
	if (m->has_path)
		r.name = analysis__intern(a, m->path.s, strnlen(m->path.s, m->path.max));
	if (as__insert(as, &r))
		return -ENOMEM;
	if (m->flags & (MAP_STACK | MAP_GROWSDOWN)) {
		a->pending_stack_as = as->id;
		a->pending_stack = r.start;
		a->pending_stack_tid = ev->tid;
	} else if ((m->flags & MAP_ANONYMOUS) && (m->flags & 0x0f) == MAP_PRIVATE &&
		   !(m->flags & MAP_FIXED) && (m->prot & PROT_RWX) == (PROT_READ | PROT_WRITE) &&
		   r.end - r.start >= AN_LARGE_BLOCK) {
		as->large_blocks++;
		if (r.end - r.start > as->largest_block)
			as->largest_block = r.end - r.start;
	}
	return 0;
}

static int analysis__mremap(struct aspace *as, const struct mt_event *ev)
{
	const struct mt_mremap *m = &ev->mremap;
	uint64_t old_end = m->old_addr + page__up(m->old_len);
	uint64_t new_len = page__up(m->new_len), delta;
	struct region *copy = NULL, tail;
	size_t i, j, n = 0;
	int e = 0;

	if (as__split(as, m->old_addr) || as__split(as, old_end))
		return -ENOMEM;
	i = as__lower(as, m->old_addr);
	for (j = i; j < as->nregions && as->regions[j].end <= old_end; j++)
		;
	/* what moves: the old regions, then (growing) more of the last one */
	if (j > i) {
		copy = malloc((j - i + 1) * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, &as->regions[i], (j - i) * sizeof(*copy));
		n = j - i;
	}
	if (!(m->flags & MREMAP_DONTUNMAP) && m->old_len)
		e = as__remove(as, m->old_addr, old_end);
	delta = m->addr - m->old_addr;
	for (i = 0; !e && i < n; i++) {
		if (copy[i].start - m->old_addr >= new_len)
			break;
		copy[i].start += delta;
		copy[i].end += delta;
		if (copy[i].end > m->addr + new_len)
			copy[i].end = m->addr + new_len;
		copy[i].made_type = copy[i].made_type == MT_EV_BRK ? MT_EV_MREMAP : copy[i].made_type;
		e = as__insert(as, &copy[i]);
	}
	if (!e && n && new_len > page__up(m->old_len)) {
		tail = copy[n - 1];
		if (tail.fd >= 0)
			tail.offset += tail.end - tail.start;
		tail.start = m->addr + page__up(m->old_len);
		tail.end = m->addr + new_len;
		tail.made_type = MT_EV_MREMAP;
		tail.made_ts = ev->ts;
		tail.made_tid = ev->tid;
		e = as__insert(as, &tail);
	}
	free(copy);
	return e;
}

static int analysis__brk(struct aspace *as, const struct mt_event *ev)
{
	uint64_t brk = ev->brk.addr, old_top, new_top;
	struct region r;
	size_t i;

	if (!as->heap_start) {
		/* the first answer is the start of the heap (brk(0) at program start) */
		as->heap_start = as->heap_end = as->heap_peak = brk;
		if (!ev->brk.req)
			return 0;
	}
	old_top = page__up(as->heap_end);
	new_top = page__up(brk);
	if (brk > as->heap_end)
		as->brk_grows++;
	as->heap_end = brk;
	if (brk > as->heap_peak)
		as->heap_peak = brk;
	if (new_top < old_top)
		return as__remove(as, new_top < as->heap_start ? as->heap_start : new_top, old_top);
	if (new_top == old_top)
		return 0;
	/* grow the [heap] region in place, as the kernel extends its VMA */
	i = as__lower(as, old_top - 1);
	if (old_top > page__up(as->heap_start) && i < as->nregions &&
	    as->regions[i].made_type == MT_EV_BRK && as->regions[i].end == old_top) {
		r = as->regions[i];
		r.end = new_top;
		return as__insert(as, &r);
	}
	r = (struct region){ .start = old_top > page__up(as->heap_start) ? old_top :
					page__up(as->heap_start),
			     .end = new_top, .prot = PROT_READ | PROT_WRITE,
			     .flags = MAP_PRIVATE | MAP_ANONYMOUS, .fd = -1,
			     .made_type = MT_EV_BRK, .made_ts = ev->ts, .made_tid = ev->tid };
	return as__insert(as, &r);
}

/* ---- issue 10: more calls ---- */

#define MADV_DONTNEED_NR	4
#define MADV_FREE_NR		8
#define SHM_RDONLY_F		010000
#define SHM_EXEC_F		0100000

/* madvise changes no mapping; what was given back is counted. */
static void analysis__madvise(struct aspace *as, const struct mt_event *ev)
{
	as->madvises++;
	if (ev->madvise.advice == MADV_DONTNEED_NR || ev->madvise.advice == MADV_FREE_NR)
		as->madv_freed += page__up(ev->madvise.len);
}

/* shmat maps the whole segment shared (ipc/shm.c do_shmat), shmdt removes it. */
static int analysis__shmat(struct analysis *a, struct aspace *as, const struct mt_event *ev)
{
	char name[48];
	struct region r = {
		.start = ev->shm.addr, .end = ev->shm.addr + page__up(ev->shm.len),
		.prot = ev->shm.flags & SHM_RDONLY_F ? PROT_READ : PROT_READ | PROT_WRITE,
		.flags = MAP_SHARED | MAP_ANONYMOUS, .fd = -1, .made_type = MT_EV_SHMAT,
		.made_ts = ev->ts, .made_tid = ev->tid,
	};

	if (!ev->shm.len)
		return 0;	/* size unknown: nothing to place */
	if (ev->shm.flags & SHM_EXEC_F)
		r.prot |= PROT_EXEC;
	snprintf(name, sizeof(name), "[SysV shm %d]", ev->shm.shmid);
	r.name = analysis__intern(a, name, strlen(name));
	return as__insert(as, &r);
}

/* prctl(PR_SET_VMA_ANON_NAME): /proc/PID/maps shows [anon:NAME] */
static int analysis__vma_name(struct analysis *a, struct aspace *as, const struct mt_event *ev)
{
	uint64_t start = ev->vma_name.addr, end = start + page__up(ev->vma_name.len);
	char name[MT_VMA_NAME_LEN + 8];
	uint32_t id = 0;
	size_t i;

	if (!ev->vma_name.cleared) {
		snprintf(name, sizeof(name), "[anon:%.*s]",
			 (int)strnlen(ev->vma_name.name.s, ev->vma_name.name.max),
			 ev->vma_name.name.s);
		id = analysis__intern(a, name, strlen(name));
	}
	if (start >= end || as__split(as, start) || as__split(as, end))
		return start >= end ? 0 : -ENOMEM;
	for (i = as__lower(as, start); i < as->nregions && as->regions[i].end <= end; i++)
		as->regions[i].name = id;
	return 0;
}

int analysis__feed(struct analysis *a, const struct mt_event *ev)
{
	struct aspace *as;
	struct proc *p;
	size_t k;
	int e = 0;

	if (ev->type >= MT_EV_MAX)
		return 0;
	a->events++;
	a->by_type[ev->type]++;
	a->last_ts = ev->ts;
	/*
	 * issue 11: faults/rss/as_end come after a process's exit (exit_mmap,
	 * the trace's end) and name no new process; the report does not use
	 * them yet.
	 */
	if (event__is_mem11(ev->type)) {
		/* counted for the process named, if the trace knows it */
		p = analysis__proc(a, ev->pid);
		if (p)
			p->events[ev->type]++;
		return 0;
	}
	p = analysis__proc(a, ev->pid);
	if (!p || (p->ended && !(ev->type == MT_EV_EXIT))) {
		/* first sight (the root process, or one running before -p/-a) */
		p = proc__new(a, ev->pid, ev->ts);
		if (!p)
			goto oom;
		p->as = p->first_as = ev->as;
		as = as__get(a, ev->as, ev->pid, ev->ts);
		if (as)
			as->tasks++;
	}
	p->events[ev->type]++;
	k = strnlen(ev->comm.s, ev->comm.max < sizeof(p->comm) - 1 ? ev->comm.max :
		    sizeof(p->comm) - 1);
	memcpy(p->comm, ev->comm.s, k);
	p->comm[k] = '\0';
	as = as__get(a, ev->as, ev->pid, ev->ts);
	if (ev->as && !as)
		goto oom;
	if (ev->error && ev->type != MT_EV_EXEC) {
		a->failed++;	/* a failed call changes nothing */
		return 0;
	}
	switch (ev->type) {
	case MT_EV_FORK:
		e = analysis__fork(a, p, as, ev);
		break;
	case MT_EV_EXEC:
		if (ev->error)
			a->failed++;
		e = analysis__exec(a, p, ev);
		break;
	case MT_EV_EXIT:
		analysis__exit(a, p, ev);
		break;
	case MT_EV_MMAP:
		e = analysis__mmap(a, as, ev);
		break;
	case MT_EV_MUNMAP:
		e = as__remove(as, ev->range.addr, ev->range.addr + page__up(ev->range.len));
		break;
	case MT_EV_MPROTECT:
		e = as__protect(as, ev->range.addr, ev->range.addr + page__up(ev->range.len),
				ev->range.prot);
		break;
	case MT_EV_BRK:
		e = analysis__brk(as, ev);
		break;
	case MT_EV_MREMAP:
		e = analysis__mremap(as, ev);
		break;
	/* issue 10 */
	case MT_EV_MADVISE:
		if (as)
			analysis__madvise(as, ev);
		break;
	case MT_EV_SHMAT:
		e = as ? analysis__shmat(a, as, ev) : 0;
		break;
	case MT_EV_SHMDT:
		e = as ? as__remove(as, ev->shm.addr, ev->shm.addr + page__up(ev->shm.len)) : 0;
		break;
	case MT_EV_VMA_NAME:
		e = as ? analysis__vma_name(a, as, ev) : 0;
		break;
	}
	if (as)
		as__peaks(as);
	if (!e)
		return 0;
oom:
	a->oom = true;
	return -ENOMEM;
}

int analysis__init(struct analysis *a)
{
	memset(a, 0, sizeof(*a));
	a->pid_index = calloc(1, sizeof(struct pid_map));
	return a->pid_index ? 0 : -ENOMEM;
}

void analysis__free(struct analysis *a)
{
	struct pid_map *m = a->pid_index;
	size_t i, j;

	for (i = 0; i < a->nprocs; i++) {
		for (j = 0; j < a->procs[i]->nexecs; j++)
			free(a->procs[i]->execs[j].filename);
		free(a->procs[i]->execs);
		free(a->procs[i]);
	}
	free(a->procs);
	for (i = 0; i < a->nas; i++) {
		if (a->as[i])
			free(a->as[i]->regions);
		free(a->as[i]);
	}
	free(a->as);
	free(a->edges);
	for (i = 1; i < a->nnames; i++)
		free(a->names[i]);
	free(a->names);
	free(a->name_index);
	if (m) {
		free(m->keys);
		free(m->vals);
		free(m);
	}
	memset(a, 0, sizeof(*a));
}
