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

/*
 * Makes room for `need` elements of `size` bytes in *v (capacity *cap,
 * doubling from `first`). Every growing array of the analysis goes through
 * it. Returns 0 or -ENOMEM (*v unchanged).
 */
static int array__reserve(void *v, size_t *cap, size_t need, size_t size, size_t first)
{
	void **pv = v, *nv;
	size_t n = *cap ? *cap : first;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	nv = realloc(*pv, n * size);
	if (!nv)
		return -ENOMEM;
	*pv = nv;
	*cap = n;
	return 0;
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

/* A file's pages, not anonymous memory: /proc/PID/maps shows its offset. */
static bool region__is_file(const struct region *r)
{
	return !(r->flags & MAP_ANONYMOUS);
}

enum region_kind region__kind(const struct region *r)
{
	if (r->made_type == MT_EV_BRK || r->heap)
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

bool edge__leaves_shared(const struct analysis *a, const struct edge *e)
{
	const struct aspace *old = analysis__as(a, e->from_as);

	/* exec ends the old space at the exec's ts unless another task holds it */
	return e->kind == EDGE_REPLACES && old && (!old->ended || old->ended_ts != e->ts);
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

/* A piece leaves the map, or its permissions change, at the current event. */
static void as__ended(struct analysis *a, const struct aspace *as, const struct region *r)
{
	if (a->on_region_end)
		a->on_region_end(a->hook_ctx, as, r, a->last_ts);
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
	return array__reserve(&as->regions, &as->cap, as->nregions + more,
			      sizeof(*as->regions), 16);
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
	/* a `faults` record gave its counts to the whole: they stay with the lower piece */
	r[1].mem = 0;
	/* /proc/PID/maps shows an offset for file mappings only */
	if (region__is_file(&r[1]))
		r[1].offset += addr - r[1].start;
	r[1].start = addr;
	return 0;
}

static void as__area_add(struct aspace *as, const struct fault_area *x);

static const struct region_mem no_mem;

const struct region_mem *region__mem(const struct aspace *as, const struct region *r)
{
	return r->mem && r->mem <= as->nrmem ? &as->rmem[r->mem - 1] : &no_mem;
}

/* A region leaves the map: its faults go to the history. */
static void region__forget(struct aspace *as, const struct region *r)
{
	const struct region_mem *m = region__mem(as, r);
	struct fault_area x = {
		.start = r->start, .end = r->end, .name = m->name, .unmapped = true,
		.faults = m->faults,
	};

	if (!m->faults.total)
		return;
	switch (region__kind(r)) {
	case REGION_FILE:
		x.kind = MT_REGION_FILE;
		break;
	case REGION_SHARED:
		x.kind = MT_REGION_SHARED;
		break;
	case REGION_HEAP:
		x.kind = MT_REGION_HEAP;
		break;
	case REGION_STACK:
		x.kind = MT_REGION_STACK;
		break;
	default:
		x.kind = MT_REGION_ANON;
		break;
	}
	as__area_add(as, &x);
}

/* Removes [start, end): the regions cut at the edges keep their outer parts. */
static int as__remove(struct analysis *a, struct aspace *as, uint64_t start, uint64_t end)
{
	size_t i, j;

	if (start >= end || as__split(as, start) || as__split(as, end))
		return start >= end ? 0 : -ENOMEM;
	i = as__lower(as, start);
	for (j = i; j < as->nregions && as->regions[j].end <= end; j++) {
		as__ended(a, as, &as->regions[j]);
		as__account(as, &as->regions[j], -1);
		region__forget(as, &as->regions[j]);
	}
	if (j == i)
		return 0;	/* nothing there (regions may still be NULL) */
	memmove(&as->regions[i], &as->regions[j], (as->nregions - j) * sizeof(*as->regions));
	as->nregions -= j - i;
	return 0;
}

/* Maps r, replacing whatever it overlaps (a successful mmap always may). */
static int as__insert(struct analysis *a, struct aspace *as, const struct region *r)
{
	size_t i;

	if (r->start >= r->end)
		return 0;
	if (as__remove(a, as, r->start, r->end) || as__reserve(as, 1))
		return -ENOMEM;
	i = as__lower(as, r->start);
	memmove(&as->regions[i + 1], &as->regions[i], (as->nregions - i) * sizeof(*r));
	as->regions[i] = *r;
	as->regions[i].since = a->last_ts;
	as->nregions++;
	as__account(as, r, +1);
	return 0;
}

static int as__protect(struct analysis *a, struct aspace *as, uint64_t start, uint64_t end,
		       uint64_t prot)
{
	struct region *r;
	size_t i;

	if (start >= end)
		return 0;
	if (as__split(as, start) || as__split(as, end))
		return -ENOMEM;
	for (i = as__lower(as, start); i < as->nregions && as->regions[i].end <= end; i++) {
		r = &as->regions[i];
		if (r->prot == prot)
			continue;
		as__ended(a, as, r);
		as__account(as, r, -1);
		r->prot = prot;
		r->since = a->last_ts;
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
	struct proc *p;

	if (array__reserve(&a->procs, &a->cap_procs, a->nprocs + 1, sizeof(*a->procs), 64))
		return NULL;
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

/*
 * Notes that tid is a thread of p. A tid first seen in an event (not its
 * clone) was there before the trace (-p, -a) or cloned untraced: it is
 * counted in threads_before, until its clone turns up after all.
 */
static int proc__tid(struct proc *p, uint32_t tid, bool clone)
{
	size_t lo = 0, hi = p->ntids, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (p->tids[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->ntids && p->tids[lo].tid == tid) {
		if (clone && p->tids[lo].before) {
			p->tids[lo].before = false;
			p->threads_before--;
			p->threads_live--;	/* the clone counts it again */
		}
		return 0;
	}
	if (array__reserve(&p->tids, &p->cap_tids, p->ntids + 1, sizeof(*p->tids), 8))
		return -ENOMEM;
	memmove(&p->tids[lo + 1], &p->tids[lo], (p->ntids - lo) * sizeof(*p->tids));
	p->tids[lo] = (struct tid_seen){ .tid = tid, .before = !clone };
	p->ntids++;
	if (!clone) {
		p->threads_before++;
		p->threads_live++;
	}
	return 0;
}

static int edge__add(struct analysis *a, const struct edge *e)
{
	if (array__reserve(&a->edges, &a->cap_edges, a->nedges + 1, sizeof(*a->edges), 64))
		return -ENOMEM;
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

/* ---- issue 11: faults, fault, rss, as_end ---- */

const char *analysis__name(const struct analysis *a, uint32_t id)
{
	return id && id < a->nnames ? a->names[id] : "";
}

/* The id of a region name (interned: few distinct names); 0 for none. */
static uint32_t analysis__intern(struct analysis *a, const struct mt_str *s)
{
	size_t k = s->s ? strnlen(s->s, s->max) : 0, i;

	if (!k)
		return 0;
	for (i = 1; i < a->nnames; i++)
		if (!strncmp(a->names[i], s->s, k) && !a->names[i][k])
			return i;
	if (a->nnames >= AN_MAX_NAMES)
		return 0;	/* a trace of that many files: the rest go unnamed */
	if (array__reserve(&a->names, &a->cap_names, a->nnames + 2, sizeof(*a->names), 64))
		return 0;
	if (!a->nnames)
		a->names[a->nnames++] = NULL;	/* id 0: none */
	a->names[a->nnames] = strndup(s->s, k);
	return a->names[a->nnames] ? a->nnames++ : 0;
}

static void counts__add(struct mt_fault_counts *to, const struct mt_fault_counts *c)
{
	size_t i;

	for (i = 0; i < MT_FAULT_NCLASS; i++)
		to->n[i] += c->n[i];
	to->total += c->total;
}

/* Adds x to the areas of as: to an equal one, a new one, or the rest. */
static void as__area_add(struct aspace *as, const struct fault_area *x)
{
	struct fault_area *v;
	size_t i;

	for (i = 0; i < as->nareas; i++) {
		v = &as->areas[i];
		if ((v->start == x->start && v->end == x->end && v->name == x->name &&
		     v->unmapped == x->unmapped && !v->rest) ||
		    (v->rest && i == AN_MAX_AREAS - 1)) {
			counts__add(&v->faults, &x->faults);
			return;
		}
	}
	if (!as->areas) {
		as->areas = calloc(AN_MAX_AREAS, sizeof(*as->areas));
		if (!as->areas)
			return;
	}
	if (as->nareas == AN_MAX_AREAS - 1) {
		/* the last slot: everything from here on */
		v = &as->areas[as->nareas];
		memset(v, 0, sizeof(*v));
		v->rest = true;
		v->kind = MT_REGION_UNKNOWN;
		v->faults = x->faults;
	} else {
		/* kept in address order, as the maps are */
		for (i = as->nareas; i > 0 && as->areas[i - 1].start > x->start; i--)
			;
		memmove(&as->areas[i + 1], &as->areas[i], (as->nareas - i) * sizeof(*v));
		as->areas[i] = *x;
	}
	as->nareas++;
}

/* Gives r a region_mem of its own; false when out of memory. */
static bool as__new_mem(struct aspace *as, struct region *r)
{
	if (array__reserve(&as->rmem, &as->cap_rmem, as->nrmem + 1, sizeof(*as->rmem), 16))
		return false;
	memset(&as->rmem[as->nrmem], 0, sizeof(*as->rmem));
	r->mem = ++as->nrmem;
	return true;
}

/* faults: to the live region that holds the record's VMA, else to an area. */
static void analysis__faults(struct analysis *a, struct aspace *as, const struct mt_event *ev)
{
	const struct mt_faults *f = &ev->faults;
	struct fault_area x = { .start = f->start, .end = f->end, .kind = f->kind,
				.unmapped = f->reason == MT_FAULTS_UNMAP, .faults = f->counts };
	struct region_mem *m;
	struct region *r;
	size_t i;

	x.name = analysis__intern(a, &f->name);
	as->fault_records++;
	counts__add(&as->faults, &f->counts);
	i = as__lower(as, f->start);
	if (f->start < f->end && i < as->nregions && as->regions[i].start < f->end) {
		/* the kernel merges neighbours: the first of them takes the VMA's faults */
		r = &as->regions[i];
		if (!r->mem && !as__new_mem(as, r))
			return;		/* out of memory: counted for the address space only */
		m = &as->rmem[r->mem - 1];
		counts__add(&m->faults, &f->counts);
		if (x.name)
			m->name = x.name;
		/* the VMA spans several regions: say so rather than pin them all on this one */
		if (f->start < r->start || f->end > r->end) {
			if (!m->vma_end || f->start < m->vma_start)
				m->vma_start = f->start;
			if (f->end > m->vma_end)
				m->vma_end = f->end;
		}
		return;
	}
	as__area_add(as, &x);
}

static int analysis__mem(struct analysis *a, const struct mt_event *ev)
{
	struct aspace *as = as__get(a, ev->as, ev->pid, ev->ts);
	const struct mt_fault *f = &ev->fault;

	if (!ev->as)
		return 0;
	if (!as)
		return -ENOMEM;
	switch (ev->type) {
	case MT_EV_FAULTS:
		analysis__faults(a, as, ev);
		break;
	case MT_EV_FAULT:
		if (f->class < MT_FAULT_NCLASS)
			as->fault_events.n[f->class]++;
		as->fault_events.total++;
		break;
	case MT_EV_RSS:
		as->has_rss = true;
		as->rss = ev->rss.rss;
		if (ev->rss.peak > as->rss_peak)
			as->rss_peak = ev->rss.peak;
		if (ev->rss.rss.total > as->rss_peak)
			as->rss_peak = ev->rss.rss.total;
		break;
	case MT_EV_AS_END:
		as->has_rss = true;
		as->has_as_end = true;
		as->as_end_ts = ev->ts;
		as->rss = ev->as_end.last;
		as->as_end_faults = ev->as_end.faults;
		if (ev->as_end.rss_peak > as->rss_peak)
			as->rss_peak = ev->as_end.rss_peak;
		break;
	}
	return 0;
}

/* The address spaces p used, each once: its first and every exec image. */
static size_t proc__spaces(const struct proc *p, uint32_t *ids, size_t max)
{
	size_t n = 0, i, k;
	uint32_t id;

	for (i = 0; i <= p->nexecs && n < max; i++) {
		id = i ? (p->execs[i - 1].error ? 0 : p->execs[i - 1].as) : p->first_as;
		for (k = 0; k < n && id; k++)
			if (ids[k] == id)
				id = 0;
		if (id)
			ids[n++] = id;
	}
	return n;
}

#define PROC_MAX_SPACES	64

void analysis__proc_mem(const struct analysis *a, const struct proc *p, struct proc_mem *m)
{
	uint32_t ids[PROC_MAX_SPACES];
	const struct aspace *as;
	size_t n = proc__spaces(p, ids, PROC_MAX_SPACES), i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++) {
		as = analysis__as(a, ids[i]);
		if (!as)
			continue;
		m->has_rss |= as->has_rss;
		if (as->rss_peak > m->rss_peak)
			m->rss_peak = as->rss_peak;
		counts__add(&m->faults, &as->faults);
	}
}

static uint64_t place__total(const struct fault_place *x)
{
	return x->faults->total;
}

/* Inserts x into the n best of out (most first); returns the new count. */
static size_t places__put(struct fault_place *out, size_t have, size_t n,
			  const struct fault_place *x)
{
	size_t i = have < n ? have : n - 1;

	if (have >= n && place__total(&out[n - 1]) >= place__total(x))
		return have;
	while (i > 0 && place__total(&out[i - 1]) < place__total(x)) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = *x;
	return have < n ? have + 1 : n;
}

size_t analysis__top_places(const struct analysis *a, const struct proc *p,
			    struct fault_place *out, size_t n)
{
	uint32_t ids[PROC_MAX_SPACES];
	struct fault_place x;
	const struct aspace *as;
	size_t ns = proc__spaces(p, ids, PROC_MAX_SPACES), i, j, have = 0;

	if (!n)
		return 0;
	for (i = 0; i < ns; i++) {
		as = analysis__as(a, ids[i]);
		if (!as)
			continue;
		for (j = 0; j < as->nregions; j++) {
			const struct region_mem *m = region__mem(as, &as->regions[j]);

			if (!m->faults.total)
				continue;
			x = (struct fault_place){ .as = as->id, .region = &as->regions[j],
						  .faults = &m->faults, .name = m->name };
			have = places__put(out, have, n, &x);
		}
		for (j = 0; j < as->nareas; j++) {
			/* the catch-all adds up many regions: not one to rank */
			if (!as->areas[j].faults.total || as->areas[j].rest)
				continue;
			x = (struct fault_place){ .as = as->id, .area = &as->areas[j],
						  .faults = &as->areas[j].faults, .name = as->areas[j].name };
			have = places__put(out, have, n, &x);
		}
	}
	return have;
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
		if (proc__tid(p, f->child_tid, true))
			return -ENOMEM;
		p->threads_created++;
		p->threads_live++;
		/* counted against the image that has them: exec kills threads of the old one */
		if (p->as == p->first_as) {
			p->threads_first++;
		} else {
			for (i = p->nexecs; i > 0; i--)
				if (!p->execs[i - 1].error && p->execs[i - 1].as == p->as) {
					p->execs[i - 1].threads++;
					break;
				}
		}
		if (as)
			as->threads++;
		/* the MAP_STACK mapping this thread made last is the new thread's stack */
		if (as && a->pending_stack_as == as->id && a->pending_stack_tid == ev->tid) {
			uint64_t made = 0, at = a->pending_stack, size = 0;

			/* every piece of that one mmap (mprotect split off the guard) */
			for (i = as__lower(as, at); i < as->nregions &&
			     as->regions[i].start == at &&
			     (!made || as->regions[i].made_ts == made); i++) {
				made = as->regions[i].made_ts;
				as->regions[i].stack_of = f->child_tid;
				if (!region__is_guard(&as->regions[i]))
					size += as->regions[i].end - as->regions[i].start;
				at = as->regions[i].end;
			}
			a->pending_stack_as = 0;
			if (made) {
				as->thread_stacks++;
				if (!as->stack_min || size < as->stack_min)
					as->stack_min = size;
				if (size > as->stack_max)
					as->stack_max = size;
			}
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
	/* child_as 0: the address space got no id (unnumbered), no map to follow */
	cas = as__get(a, f->child_as, c->pid, ev->ts);
	if (f->child_as && !cas)
		return -ENOMEM;
	if (cas)
		cas->tasks++;
	if (cas && f->shared_vm) {
		cas->shared_procs++;
	} else if (cas && as && cas != as && !cas->nregions) {
		/* fork copies the parent's map: same addresses, separate memory */
		if (as__reserve(cas, as->nregions))
			return -ENOMEM;
		if (as->nregions)	/* an empty map may have no array at all */
			memcpy(cas->regions, as->regions, as->nregions * sizeof(*as->regions));
		cas->nregions = as->nregions;
		/* the child's faults are its own */
		for (i = 0; i < cas->nregions; i++)
			cas->regions[i].mem = 0;
		for (i = 0; i < cas->nregions; i++)
			cas->regions[i].since = ev->ts;
		cas->accessible = as->accessible;
		cas->reserved = as->reserved;
		cas->heap_start = as->heap_start;
		cas->heap_end = cas->heap_peak = as->heap_end;
		cas->from_as = as->id;
		cas->kernel_map = as->kernel_map;	/* the copy holds the kernel's map too */
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
	if (ev->exec.has_argv) {
		/* one more byte: a cut last argument gets its NUL */
		s->argv = malloc(ev->exec.argv_len + 1);
		if (!s->argv)
			return -ENOMEM;
		memcpy(s->argv, ev->exec.argv, ev->exec.argv_len);
		s->argv[ev->exec.argv_len] = '\0';
		s->argv_len = ev->exec.argv_len;
		s->argv_truncated = ev->exec.argv_truncated;
	}
	if (ev->error)
		return 0;	/* the process kept its image */
	p->threads_live = 1;	/* exec kills every other thread (fs/exec.c de_thread) */
	/* as 0: the new image got no id (unnumbered), no map to follow */
	nas = as__get(a, ev->as, p->pid, ev->ts);
	if (ev->as && !nas)
		return -ENOMEM;
	if (nas && ev->exec.old_as != ev->as) {
		nas->by_exec = true;
		nas->exec_of_as = ev->exec.old_as;
	}
	/* the process moves to the new image (first sight already counted it there) */
	if (p->as != ev->as) {
		if (nas)
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
		r.name = analysis__intern(a, &m->path);
	if (as__insert(a, as, &r))
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

static int analysis__mremap(struct analysis *a, struct aspace *as, const struct mt_event *ev)
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
		/* the kernel writes the old range's faults at mremap: they stay behind */
		for (j = 0; j < n; j++)
			copy[j].mem = 0;
	}
	if (!(m->flags & MREMAP_DONTUNMAP) && m->old_len)
		e = as__remove(a, as, m->old_addr, old_end);
	delta = m->addr - m->old_addr;
	for (i = 0; !e && i < n; i++) {
		if (copy[i].start - m->old_addr >= new_len)
			break;
		copy[i].start += delta;
		copy[i].end += delta;
		if (copy[i].end > m->addr + new_len)
			copy[i].end = m->addr + new_len;
		copy[i].made_type = copy[i].made_type == MT_EV_BRK ? MT_EV_MREMAP : copy[i].made_type;
		copy[i].heap = false;	/* moved out of the brk area */
		e = as__insert(a, as, &copy[i]);
	}
	if (!e && n && new_len > page__up(m->old_len)) {
		tail = copy[n - 1];
		if (region__is_file(&tail))
			tail.offset += tail.end - tail.start;
		tail.start = m->addr + page__up(m->old_len);
		tail.end = m->addr + new_len;
		tail.made_type = MT_EV_MREMAP;
		tail.made_ts = ev->ts;
		tail.made_tid = ev->tid;
		e = as__insert(a, as, &tail);
	}
	free(copy);
	return e;
}

static int analysis__brk(struct analysis *a, struct aspace *as, const struct mt_event *ev)
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
		return as__remove(a, as, new_top < as->heap_start ? as->heap_start : new_top, old_top);
	if (new_top == old_top)
		return 0;
	/* grow the [heap] region in place, as the kernel extends its VMA */
	i = as__lower(as, old_top - 1);
	if (old_top > page__up(as->heap_start) && i < as->nregions &&
	    (as->regions[i].made_type == MT_EV_BRK || as->regions[i].heap) &&
	    as->regions[i].end == old_top) {
		r = as->regions[i];
		r.end = new_top;
		/* the same region grows: its faults go with it, not to the history */
		as->regions[i].mem = 0;
		return as__insert(a, as, &r);
	}
	r = (struct region){ .start = old_top > page__up(as->heap_start) ? old_top :
					page__up(as->heap_start),
			     .end = new_top, .prot = PROT_READ | PROT_WRITE,
			     .flags = MAP_PRIVATE | MAP_ANONYMOUS, .fd = -1,
			     .made_type = MT_EV_BRK, .made_ts = ev->ts, .made_tid = ev->tid };
	return as__insert(a, as, &r);
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
		.made_ts = ev->ts, .made_tid = ev->tid, .sysv = true, .shmid = ev->shm.shmid,
	};

	if (!ev->shm.len)
		return 0;	/* size unknown: nothing to place */
	if (ev->shm.flags & SHM_EXEC_F)
		r.prot |= PROT_EXEC;
	snprintf(name, sizeof(name), "[SysV shm %d]", ev->shm.shmid);
	r.name = analysis__intern(a, &(struct mt_str){ name, strlen(name) });
	return as__insert(a, as, &r);
}

/*
 * shmdt removes the segment attached at addr: ksys_shmdt (ipc/shm.c) takes
 * the shm VMA that starts there and unmaps every VMA of the same segment
 * up to its size. The trace says the size when this address space's shmat
 * was seen; else (attached before -p/-a, or inherited over fork: the
 * child's map is a copy of the parent's) the map says it: the pieces of
 * that segment from addr on. Nothing is removed if the map has none there
 * (a trace without the kernel's map), as the trace cannot tell.
 */
static int analysis__shmdt(struct analysis *a, struct aspace *as, const struct mt_event *ev)
{
	uint64_t addr = ev->shm.addr, end = addr + page__up(ev->shm.len);
	const struct region *r;
	size_t i;

	if (ev->shm.len)
		return as__remove(a, as, addr, end);
	i = as__lower(as, addr);
	if (i == as->nregions || as->regions[i].start != addr || !as->regions[i].sysv)
		return 0;
	for (end = addr, r = &as->regions[i]; i < as->nregions && as->regions[i].start == end &&
	     as->regions[i].sysv && as->regions[i].shmid == r->shmid; i++)
		end = as->regions[i].end;
	as->shmdt_from_map++;
	return as__remove(a, as, addr, end);
}

/* A kernel name of a VMA (show_map_vma): "[heap]", "[stack]", ... */
static bool vma__named(const struct mt_vma_ev *v, const char *name)
{
	size_t k = strlen(name);

	return !v->file && v->name.max >= k && !strncmp(v->name.s, name, k) &&
	       (v->name.max == k || !v->name.s[k]);
}

static bool vma__path_starts(const struct mt_vma_ev *v, const char *prefix)
{
	size_t k = strlen(prefix);

	return v->file && v->name.max >= k && !strncmp(v->name.s, prefix, k);
}

/*
 * vma: one VMA of the kernel's map at exec or at attach (a snapshot at
 * ev->ts), put into the map as it is, over whatever the map had there.
 * made_type MT_EV_VMA says the kernel made it, not a call of the program.
 */
static int analysis__vma(struct analysis *a, struct aspace *as, const struct mt_event *ev)
{
	const struct mt_vma_ev *v = &ev->vma;
	struct region r = {
		.start = v->start, .end = v->end, .prot = v->prot & PROT_RWX,
		.flags = v->shared ? MAP_SHARED : MAP_PRIVATE,
		.fd = -1, .made_type = MT_EV_VMA, .made_ts = ev->ts, .made_tid = ev->tid,
	};

	if (v->start >= v->end)
		return 0;
	r.name = analysis__intern(a, &v->name);
	/* a file whose path the kernel side could not give still has its inode */
	if (!v->file && !v->inode)
		r.flags |= MAP_ANONYMOUS;
	if (v->file || v->inode)
		r.offset = v->offset;
	if (vma__named(v, "[stack]")) {
		r.flags |= MAP_GROWSDOWN;	/* the kernel's stack VMA is VM_GROWSDOWN */
	} else if (vma__named(v, "[heap]")) {
		r.heap = true;
		/*
		 * At attach the first break is not in the trace: the [heap]
		 * VMA's bounds stand for it (the break is in its last page).
		 * At exec the program's first brk answer says it, as before.
		 */
		if (v->origin == MT_VMA_ORIGIN_ATTACH && !as->heap_start) {
			as->heap_start = v->start;
			as->heap_end = as->heap_peak = v->end;
		}
	} else if (v->shared && (vma__path_starts(v, "/SYSV") ||
				 vma__path_starts(v, "/dev/zero (deleted)") ||
				 (!v->file && v->name.max >= 12 &&
				  !strncmp(v->name.s, "[anon_shmem:", 12)))) {
		/* shared memory the program would have made with shmat or mmap: the same kinds */
		r.flags |= MAP_ANONYMOUS;
		r.sysv = vma__path_starts(v, "/SYSV");
		r.shmid = (int32_t)v->inode;	/* newseg sets the inode to the shmid */
	}
	as->kernel_map = true;
	as->vma_records++;
	return as__insert(a, as, &r);
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
		id = analysis__intern(a, &(struct mt_str){ name, strlen(name) });
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
	 * the trace's end) and name no new process: they go to their `as`.
	 */
	if (event__is_mem11(ev->type)) {
		p = analysis__proc(a, ev->pid);
		if (p)
			p->events[ev->type]++;
		a->has_mem = true;
		if (analysis__mem(a, ev))
			goto oom;
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
	/* a thread's clone may be before the trace (-p): its tid still says it is there */
	if (ev->tid && ev->tid != ev->pid && !(ev->type == MT_EV_FORK && ev->fork.thread &&
					      ev->fork.child_tid == ev->tid) &&
	    proc__tid(p, ev->tid, false))
		goto oom;
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
	if (!as && (event__is_mem(ev->type) || ev->type == MT_EV_VMA))
		return 0;	/* as 0: no address space the trace follows */
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
		e = as__remove(a, as, ev->range.addr, ev->range.addr + page__up(ev->range.len));
		break;
	case MT_EV_MPROTECT:
		e = as__protect(a, as, ev->range.addr, ev->range.addr + page__up(ev->range.len),
				ev->range.prot);
		break;
	case MT_EV_BRK:
		e = analysis__brk(a, as, ev);
		break;
	case MT_EV_MREMAP:
		e = analysis__mremap(a, as, ev);
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
		e = as ? analysis__shmdt(a, as, ev) : 0;
		break;
	case MT_EV_VMA:
		e = as ? analysis__vma(a, as, ev) : 0;
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
		for (j = 0; j < a->procs[i]->nexecs; j++) {
			free(a->procs[i]->execs[j].filename);
			free(a->procs[i]->execs[j].argv);
		}
		free(a->procs[i]->execs);
		free(a->procs[i]->tids);
		free(a->procs[i]);
	}
	free(a->procs);
	for (i = 0; i < a->nas; i++) {
		if (a->as[i]) {
			free(a->as[i]->regions);
			free(a->as[i]->areas);
			free(a->as[i]->rmem);
		}
		free(a->as[i]);
	}
	free(a->as);
	free(a->edges);
	for (i = 1; i < a->nnames; i++)
		free(a->names[i]);
	free(a->names);
	if (m) {
		free(m->keys);
		free(m->vals);
		free(m);
	}
	memset(a, 0, sizeof(*a));
}
