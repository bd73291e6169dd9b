// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mermaid - see mermaid.h. The picture is rendered into memory with limits
 * on how many address spaces, processes and threads are drawn; if the text
 * or the edges come out too big, it is drawn again with smaller limits.
 *
 * Ids: "asN" (a subgraph), "asN_pP" (process P's main thread in it),
 * "asN_tT" (thread T), "asN_heap", "asN_more" (threads not drawn),
 * "moreN" (address spaces not drawn that came from asN). Mermaid reads
 * labels as HTML: every byte that is not plain ASCII text is written as
 * an entity code ("#35;"), so ids and labels cannot be broken out of.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "mermaid.h"
#include "outbuf.h"

#define put_lit(ob, s)	outbuf__put(ob, s, sizeof(s) - 1)

/* How much is drawn; render__try halves it until the text fits. */
struct mm_limits {
	size_t as;		/* address spaces drawn in full */
	size_t procs;		/* processes per address space */
	size_t threads;		/* thread nodes per address space */
};

static const struct mm_limits mm_levels[] = {
	{ 16, 4, 8 }, { 10, 3, 6 }, { 6, 2, 4 }, { 4, 2, 3 }, { 3, 1, 2 }, { 2, 1, 1 },
};

struct mm {
	struct outbuf ob;
	const struct analysis *a;
	struct mm_limits lim;
	bool *drawn;		/* by as id */
	size_t edges;
	size_t nstyled;		/* address spaces coloured so far: alternate */
};

struct mm_stack {
	uint32_t tid;
	uint64_t start, bytes;
};

/* ---- text ---- */

static void mm__printf(struct mm *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Only for our own words and numbers: labels from the trace go through mm__text. */
static void mm__printf(struct mm *m, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		outbuf__put(&m->ob, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if none; *cp its code point. */
static size_t utf8__seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	c = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * s (n bytes at most, ends at a NUL) inside a quoted label: letters,
 * digits and plain punctuation as they are; anything Mermaid or HTML could
 * read as syntax (" # & < > ; ` \ and so on) as "#N;"; control characters
 * as their visible pictures (U+2400 + c); a byte that is not UTF-8 as its
 * Latin-1 character, like the JSON writer.
 */
static void mm__text(struct mm *m, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t i = 0, k;

	while (i < n && p[i]) {
		if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || strchr(" .,:_-+/=()[]!?*%@$~'", p[i])) {
			outbuf__putc(&m->ob, p[i++]);
			continue;
		}
		k = p[i] >= 0x80 ? utf8__seq(p + i, n - i, &cp) : 0;
		if (!k) {
			cp = p[i] < 0x20 ? 0x2400 + p[i] : p[i] == 0x7f ? 0x2421 : p[i];
			k = 1;
		}
		mm__printf(m, "#%u;", (unsigned)cp);
		i += k;
	}
}

static void mm__str(struct mm *m, const char *s)
{
	mm__text(m, s, strlen(s));
}

/* 8 MiB, 132 KiB, 1.5 GiB */
static void mm__size(struct mm *m, uint64_t b)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	uint64_t div = 1;
	int u = 0;

	while (u < 4 && b >= div * 1024) {
		div *= 1024;
		u++;
	}
	if (b % div == 0)
		mm__printf(m, "%llu %s", (unsigned long long)(b / div), units[u]);
	else
		mm__printf(m, "%.1f %s", (double)b / div, units[u]);
}

static const char *path__base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s && s[1] ? s + 1 : p;
}

/* ---- the model, read ---- */

/* Does process p use address space id at some time (its first, or an exec image)? */
static bool proc__uses(const struct proc *p, uint32_t id)
{
	size_t i;

	if (p->first_as == id)
		return true;
	for (i = 0; i < p->nexecs; i++)
		if (!p->execs[i].error && p->execs[i].as == id)
			return true;
	return false;
}

/* The exec that made as id in p, NULL if p got id another way. */
static const struct exec_step *proc__exec_into(const struct proc *p, uint32_t id)
{
	size_t i;

	for (i = 0; i < p->nexecs; i++)
		if (!p->execs[i].error && p->execs[i].as == id)
			return &p->execs[i];
	return NULL;
}

static int stack__cmp(const void *a, const void *b)
{
	const struct mm_stack *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The thread stacks still mapped in as, one per thread, by tid. */
static size_t as__stacks(const struct aspace *as, struct mm_stack **out)
{
	struct mm_stack *v = NULL, *nv;
	size_t n = 0, cap = 0, i, k;
	const struct region *r;

	for (i = 0; i < as->nregions; i++) {
		r = &as->regions[i];
		/* a fork copy holds its parent's thread stacks, not threads of its own */
		if (!r->stack_of || region__is_guard(r) || r->made_ts < as->start_ts)
			continue;
		for (k = 0; k < n && v[k].tid != r->stack_of; k++)
			;
		if (k == n) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					break;
				v = nv;
			}
			v[n++] = (struct mm_stack){ r->stack_of, r->start, 0 };
		}
		v[k].bytes += r->end - r->start;
	}
	if (n)
		qsort(v, n, sizeof(*v), stack__cmp);
	*out = v;
	return n;
}

/* The first drawn address space that as id descends from (by fork copy or exec), 0 if none. */
static uint32_t as__origin(const struct mm *m, uint32_t id)
{
	const struct aspace *as;
	uint32_t top = 0;
	size_t hops = 0;

	while ((as = analysis__as(m->a, id)) && hops++ < m->a->nas) {
		id = as->from_as ? as->from_as : as->by_exec ? as->exec_of_as : 0;
		if (!id)
			break;
		if (m->drawn[id])
			top = id;
	}
	return top;
}

/* ---- drawing ---- */

static void mm__edge(struct mm *m, const char *from, uint32_t a, const char *arrow,
		     const char *to, uint32_t b, const char *label)
{
	mm__printf(m, "  %s%u %s", from, a, arrow);
	if (label) {
		put_lit(&m->ob, "|\"");
		mm__str(m, label);
		put_lit(&m->ob, "\"|");
	}
	mm__printf(m, " %s%u\n", to, b);
	m->edges++;
}

static void mm__proc_node(struct mm *m, const struct aspace *as, const struct proc *p)
{
	const struct exec_step *ex = proc__exec_into(p, as->id);

	mm__printf(m, "    as%u_p%u[\"", as->id, p->pid);
	mm__printf(m, "pid %u ", p->pid);
	mm__str(m, p->comm);
	put_lit(&m->ob, "<br/>main thread");
	if (ex && ex->filename) {
		put_lit(&m->ob, "<br/>exec ");
		mm__str(m, path__base(ex->filename));
	}
	if (p->shared_vm && p->first_as == as->id)
		put_lit(&m->ob, "<br/>stack: its own, memory shared");
	else if (ex)
		put_lit(&m->ob, "<br/>stack: made by exec");
	else if (as->from_as)
		put_lit(&m->ob, "<br/>stack: a copy of the parent's");
	else
		put_lit(&m->ob, "<br/>stack: made before the trace");
	put_lit(&m->ob, "\"]:::thread\n");
}

static void mm__heap_node(struct mm *m, const struct aspace *as, size_t users)
{
	mm__printf(m, "    as%u_heap(\"", as->id);
	if (as->heap_start) {
		put_lit(&m->ob, "heap ");
		mm__size(m, as->heap_end > as->heap_start ? as->heap_end - as->heap_start : 0);
		if (as->heap_peak > as->heap_end) {
			put_lit(&m->ob, ", peak ");
			mm__size(m, as->heap_peak - as->heap_start);
		}
		mm__printf(m, "<br/>0x%llx-0x%llx", (unsigned long long)as->heap_start,
			   (unsigned long long)as->heap_end);
		if (as->brk_grows)
			mm__printf(m, "<br/>grown by brk %u time%s", as->brk_grows,
				   as->brk_grows == 1 ? "" : "s");
	} else {
		put_lit(&m->ob, "heap: no brk in the trace");
	}
	if (as->large_blocks) {
		mm__printf(m, "<br/>+ %u large block%s mmap'd, largest ", as->large_blocks,
			   as->large_blocks == 1 ? "" : "s");
		mm__size(m, as->largest_block);
	}
	if (users > 1)
		mm__printf(m, "<br/>shared by all %zu threads", users);
	put_lit(&m->ob, "\"):::heap\n");
}

/* One address space: its subgraph, the processes and threads in it, its heap. */
static void mm__as(struct mm *m, const struct aspace *as)
{
	const struct analysis *a = m->a;
	struct mm_stack *stacks = NULL;
	size_t nstacks, i, nprocs = 0, drawn_procs = 0, shown, users;
	uint32_t *linked = NULL;
	size_t nlinked = 0;
	const struct proc *p, *maker = analysis__proc(a, as->pid);
	bool replaced = false;

	for (i = 0; i < a->nedges; i++)
		/* a vfork child's exec leaves its parent's space alive: not replaced */
		if (a->edges[i].kind == EDGE_REPLACES && a->edges[i].from_as == as->id &&
		    a->edges[i].to_as != as->id && as->ended && as->ended_ts == a->edges[i].ts)
			replaced = true;

	mm__printf(m, "  subgraph as%u[\"address space %u", as->id, as->id);
	if (as->from_as)
		mm__printf(m, ", fork copy of %u", as->from_as);
	else if (as->by_exec)
		put_lit(&m->ob, ", made by exec");
	if (replaced)
		put_lit(&m->ob, ", replaced by exec");
	put_lit(&m->ob, ": ");
	mm__size(m, as->accessible);
	put_lit(&m->ob, " mapped");
	if (as->reserved) {
		put_lit(&m->ob, " + ");
		mm__size(m, as->reserved);
		put_lit(&m->ob, " reserved");
	}
	if (as->has_rss) {
		/* issue 11: what was really in memory */
		put_lit(&m->ob, ", RSS peak ");
		mm__size(m, as->rss_peak);
	}
	put_lit(&m->ob, "\"]\n");

	linked = calloc(m->lim.procs + m->lim.threads + 2, sizeof(*linked));
	/* the processes that used it: the one it was made for first */
	for (i = 0; i < a->nprocs; i++) {
		p = a->procs[i];
		if (!proc__uses(p, as->id))
			continue;
		nprocs++;
		if (drawn_procs >= m->lim.procs)
			continue;
		if (p != maker && maker && proc__uses(maker, as->id) && !drawn_procs)
			continue;	/* the maker comes first, below */
		mm__proc_node(m, as, p);
		if (linked)
			linked[nlinked++] = p->pid;
		drawn_procs++;
	}
	if (maker && proc__uses(maker, as->id) && !drawn_procs) {
		mm__proc_node(m, as, maker);
		if (linked)
			linked[nlinked++] = maker->pid;
		drawn_procs++;
	}
	if (nprocs > drawn_procs)
		mm__printf(m, "    as%u_procs[\"... %zu more processes sharing it\"]:::more\n",
			   as->id, nprocs - drawn_procs);

	/* the threads, with their stacks */
	nstacks = as__stacks(as, &stacks);
	shown = nstacks < m->lim.threads ? nstacks : m->lim.threads;
	for (i = 0; i < shown; i++) {
		mm__printf(m, "    as%u_t%u[\"thread %u<br/>stack ", as->id, stacks[i].tid,
			   stacks[i].tid);
		mm__size(m, stacks[i].bytes);
		mm__printf(m, " at 0x%llx\"]:::thread\n", (unsigned long long)stacks[i].start);
	}
	users = drawn_procs + (nprocs - drawn_procs) +
		(as->threads > nstacks ? as->threads : nstacks);
	if (as->threads > shown || nstacks > shown) {
		size_t more = (as->threads > nstacks ? as->threads : nstacks) - shown;

		mm__printf(m, "    as%u_more[\"... %zu more thread%s", as->id, more,
			   more == 1 ? "" : "s");
		if (as->threads > nstacks)
			mm__printf(m, "<br/>%zu without a stack of its own in the map<br/>(a reused or freed stack)",
				   (size_t)(as->threads - nstacks) < more ?
				   (size_t)(as->threads - nstacks) : more);
		put_lit(&m->ob, "\"]:::more\n");
	}
	mm__heap_node(m, as, users);
	put_lit(&m->ob, "  end\n");

	/* every thread shares the one heap */
	for (i = 0; i < nlinked; i++)
		mm__printf(m, "  as%u_p%u --- as%u_heap\n", as->id, linked[i], as->id), m->edges++;
	for (i = 0; i < shown; i++)
		mm__printf(m, "  as%u_t%u --- as%u_heap\n", as->id, stacks[i].tid, as->id), m->edges++;
	if (as->threads > shown || nstacks > shown)
		mm__printf(m, "  as%u_more --- as%u_heap\n", as->id, as->id), m->edges++;
	/* the seed's colours; an image that exec threw away is grey and dashed */
	if (replaced)
		mm__printf(m, "  style as%u fill:#f0f0f0,stroke:#999,stroke-width:1px,stroke-dasharray:4 3\n",
			   as->id);
	else
		mm__printf(m, "  style as%u fill:%s,stroke:#333,stroke-width:1px\n", as->id,
			   m->nstyled++ % 2 ? "#ffe8e8" : "#e8f1ff");
	free(linked);
	free(stacks);
}

/* The tree: fork copies and exec replacements between drawn address spaces, shares inside. */
static void mm__tree(struct mm *m)
{
	const struct analysis *a = m->a;
	const struct edge *e;
	char label[96];
	const char *sys;
	size_t i;

	for (i = 0; i < a->nedges; i++) {
		e = &a->edges[i];
		sys = e->syscall_nr != MT_NR_UNKNOWN ? event__syscall_name(e->syscall_nr) : NULL;
		switch (e->kind) {
		case EDGE_COPY:
			if (!e->from_as || !e->to_as || !m->drawn[e->from_as] || !m->drawn[e->to_as])
				break;
			snprintf(label, sizeof(label), "%s: copy, pid %u", sys ? sys : "fork", e->to_pid);
			mm__edge(m, "as", e->from_as, "-->", "as", e->to_as, label);
			break;
		case EDGE_REPLACES:
			if (!e->from_as || e->from_as == e->to_as || !m->drawn[e->from_as] ||
			    !m->drawn[e->to_as])
				break;
			/* after vfork the old space is the parent's: exec left it, threw nothing away */
			if (edge__leaves_shared(a, e))
				snprintf(label, sizeof(label), "exec: leaves it, still in use, pid %u",
					 e->to_pid);
			else
				snprintf(label, sizeof(label), "exec: replaces, pid %u", e->to_pid);
			mm__edge(m, "as", e->from_as, "==>", "as", e->to_as, label);
			break;
		case EDGE_SHARES:
			if (!e->from_as || !m->drawn[e->from_as])
				break;
			snprintf(label, sizeof(label), "%s: shares", sys ? sys : "clone");
			mm__printf(m, "  as%u_p%u -.->|\"%s\"| as%u_p%u\n", e->from_as, e->from_pid,
				   label, e->to_as, e->to_pid);
			m->edges++;
			break;
		}
	}
}

/* Address spaces not drawn, counted per drawn one they came from. */
static void mm__rest(struct mm *m, size_t first_undrawn)
{
	const struct analysis *a = m->a;
	size_t *copies, *images, i;
	const struct aspace *as;
	uint32_t o;

	copies = calloc(a->nas, sizeof(*copies));
	images = calloc(a->nas, sizeof(*images));
	if (!copies || !images)
		goto out;
	for (i = first_undrawn; i < a->nas; i++) {
		as = a->as[i];
		if (!as || m->drawn[i])
			continue;
		o = as__origin(m, as->id);
		if (as->by_exec && !as->from_as)
			images[o]++;
		else
			copies[o]++;
	}
	for (i = 0; i < a->nas; i++) {
		if (!copies[i] && !images[i])
			continue;
		mm__printf(m, "  more%zu[\"... %zu more address space%s", i, copies[i] + images[i],
			   copies[i] + images[i] == 1 ? "" : "s");
		if (i)
			mm__printf(m, " descending from %zu", i);
		mm__printf(m, "<br/>%zu fork cop%s, %zu exec image%s\"]:::more\n",
			   copies[i], copies[i] == 1 ? "y" : "ies", images[i], images[i] == 1 ? "" : "s");
		if (i)
			mm__printf(m, "  as%zu -.-> more%zu\n", i, i), m->edges++;
	}
out:
	free(copies);
	free(images);
}

static int mm__render(struct mm *m, const struct trace_start *st)
{
	const struct analysis *a = m->a;
	size_t i, drawn = 0, total = 0, first_undrawn = a->nas;

	m->ob.len = 0;
	m->edges = 0;
	m->nstyled = 0;
	memset(m->drawn, 0, a->nas * sizeof(*m->drawn));
	for (i = 1; i < a->nas; i++) {
		if (!a->as[i])
			continue;
		total++;
		/* an exec image is drawn with the address space it replaced */
		if (drawn >= m->lim.as && !(a->as[i]->by_exec && a->as[i]->exec_of_as &&
					    a->as[i]->exec_of_as < a->nas &&
					    m->drawn[a->as[i]->exec_of_as] && drawn < 2 * m->lim.as)) {
			if (first_undrawn == a->nas)
				first_undrawn = i;
			continue;
		}
		m->drawn[i] = true;
		drawn++;
	}
	put_lit(&m->ob, "%% memtrace report --mermaid");
	if (st && st->command) {
		put_lit(&m->ob, ": ");
		mm__str(m, st->command);
	}
	mm__printf(m, "\n%%%% %llu event%s, %zu process%s, %zu address space%s (%zu drawn)\n",
		   (unsigned long long)a->events, a->events == 1 ? "" : "s", a->nprocs,
		   a->nprocs == 1 ? "" : "es", total, total == 1 ? "" : "s", drawn);
	put_lit(&m->ob, "graph TD\n");
	put_lit(&m->ob, "  classDef thread fill:#d1e8ff,stroke:#333,stroke-width:1px\n");
	put_lit(&m->ob, "  classDef heap fill:#d1ffd1,stroke:#333,stroke-width:1px\n");
	put_lit(&m->ob, "  classDef more fill:#ffffff,stroke:#999,stroke-width:1px,stroke-dasharray:3 3\n");
	for (i = 1; i < a->nas; i++)
		if (m->drawn[i])
			mm__as(m, a->as[i]);
	mm__tree(m);
	if (first_undrawn < a->nas)
		mm__rest(m, first_undrawn);
	if (!drawn)
		put_lit(&m->ob, "  empty[\"no address space in the trace\"]:::more\n");
	return m->ob.err ? -m->ob.err : 0;
}

int mermaid__write(FILE *out, const struct analysis *a, const struct trace_start *st,
		   char *err, size_t errlen)
{
	struct mm m = { .a = a };
	size_t level;
	int e;

	e = outbuf__init(&m.ob, -1, 1 << 16);
	m.drawn = calloc(a->nas ? a->nas : 1, sizeof(*m.drawn));
	if (e || !m.drawn) {
		snprintf(err, errlen, "out of memory");
		e = -ENOMEM;
		goto out;
	}
	for (level = 0; level < sizeof(mm_levels) / sizeof(mm_levels[0]); level++) {
		m.lim = mm_levels[level];
		e = mm__render(&m, st);
		if (e || (m.ob.len <= MERMAID_MAX_TEXT && m.edges <= MERMAID_MAX_EDGES))
			break;
	}
	if (!e && (m.ob.len > MERMAID_MAX_TEXT || m.edges > MERMAID_MAX_EDGES))
		e = -E2BIG;	/* cannot happen with the last level's bounds; say so if it does */
	if (e) {
		snprintf(err, errlen, "cannot draw the picture: %s", strerror(-e));
		goto out;
	}
	if (fwrite(m.ob.buf, 1, m.ob.len, out) != m.ob.len) {
		e = errno ? -errno : -EIO;
		snprintf(err, errlen, "write failed: %s", strerror(-e));
	}
out:
	outbuf__free(&m.ob);
	free(m.drawn);
	return e;
}
