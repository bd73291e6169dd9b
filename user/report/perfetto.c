// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * perfetto - see perfetto.h. What Perfetto's JSON importer accepts
 * (src/trace_processor/importers/json/ in its repository):
 *
 * - ts and dur are microseconds; we write them with three decimals, so a
 *   nanosecond survives (the importer rounds value * 1000);
 * - events are sorted by ts, ties kept in file order: a life slice (X) is
 *   written when the task exits, after everything inside it, and the fork
 *   slice that starts a flow always comes before the life slice it ends in;
 * - flows v2 (bind_id + flow_out/flow_in) attach to the slice open on the
 *   thread's track, and only X/B events carry them: an instant cannot;
 * - X slices on a thread must nest or be disjoint; zero-length slices and
 *   instants at the same ts stack.
 *
 * Strings (comm, file names) go through outbuf__json_str, as in the JSON
 * Lines writer; every event's args are that writer's own record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "outbuf.h"
#include "perfetto.h"

#define put_lit(ob, s)	outbuf__put(ob, s, sizeof(s) - 1)
#define PF_COMM		64	/* a comm read back from JSON may be UTF-8 of 16 bytes */

/* A live task: its life slice is written when it ends. */
struct pf_task {
	uint32_t key;		/* tid + 1; 0 = empty slot */
	uint32_t pid;
	uint64_t start;
	uint64_t flow_in;	/* bind_id of the fork arrow that ends here, 0 = none */
	bool forked;		/* its fork is in the trace */
	uint8_t comm_len;
	char comm[PF_COMM];	/* the latest comm: the slice's name */
};

/* A live process: its name and the counters last written. */
struct pf_proc {
	uint32_t key;		/* pid + 1 */
	bool counted;
	uint64_t accessible, reserved, heap;
	bool rss_counted;	/* issue 11: an rss counter was written */
	uint8_t name_len;
	char name[PF_COMM];	/* the process_name last written */
};

/* Open addressing on a uint32 key at offset 0, deletion by backward shift. */
struct pf_table {
	char *slots;
	size_t size, cap, n;
};

struct pf {
	FILE *out;
	struct outbuf ob;	/* one event's text, handed to out and reset */
	struct analysis *a;
	struct formatter fmt;	/* the JSON Lines writer, for args */
	struct pf_table tasks, procs;
	uint64_t flows;		/* bind ids handed out */
	uint32_t procs_seen;	/* process_sort_index: order of appearance */
	uint64_t events;	/* trace events written */
	bool first;
};

/* ---- the table ---- */

static void *tab__at(const struct pf_table *t, size_t i)
{
	return t->slots + i * t->size;
}

static uint32_t tab__key(const struct pf_table *t, size_t i)
{
	return *(uint32_t *)tab__at(t, i);
}

static size_t tab__home(const struct pf_table *t, uint32_t key)
{
	return (key * 2654435761U) & (t->cap - 1);
}

static size_t tab__find(const struct pf_table *t, uint32_t key)
{
	size_t i = tab__home(t, key);

	while (tab__key(t, i) && tab__key(t, i) != key)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static void *tab__get(const struct pf_table *t, uint32_t id)
{
	size_t i;

	if (!t->cap)
		return NULL;
	i = tab__find(t, id + 1);
	return tab__key(t, i) ? tab__at(t, i) : NULL;
}

static int tab__grow(struct pf_table *t)
{
	struct pf_table big = { .size = t->size, .cap = t->cap ? t->cap * 2 : 64 };
	size_t i;

	big.slots = calloc(big.cap, big.size);
	if (!big.slots)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++) {
		if (tab__key(t, i))
			memcpy(tab__at(&big, tab__find(&big, tab__key(t, i))), tab__at(t, i), t->size);
	}
	big.n = t->n;
	free(t->slots);
	*t = big;
	return 0;
}

/* The entry for id, zeroed if new (*fresh says so); NULL without memory. */
static void *tab__put(struct pf_table *t, uint32_t id, bool *fresh)
{
	size_t i;
	void *e;

	if ((t->n + 1) * 2 > t->cap && tab__grow(t))
		return NULL;
	i = tab__find(t, id + 1);
	e = tab__at(t, i);
	*fresh = !tab__key(t, i);
	if (*fresh) {
		memset(e, 0, t->size);
		*(uint32_t *)e = id + 1;
		t->n++;
	}
	return e;
}

static void tab__del(struct pf_table *t, uint32_t id)
{
	size_t i, j, h;

	if (!t->cap)
		return;
	i = tab__find(t, id + 1);
	if (!tab__key(t, i))
		return;
	/* shift later members of the probe run back into the hole */
	for (j = (i + 1) & (t->cap - 1); tab__key(t, j); j = (j + 1) & (t->cap - 1)) {
		h = tab__home(t, tab__key(t, j));
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			memcpy(tab__at(t, i), tab__at(t, j), t->size);
			i = j;
		}
	}
	memset(tab__at(t, i), 0, t->size);
	t->n--;
}

/* ---- writing ---- */

static int pf__flush(struct pf *pf)
{
	if (pf->ob.err)
		return -pf->ob.err;
	if (pf->ob.len && fwrite(pf->ob.buf, 1, pf->ob.len, pf->out) != pf->ob.len)
		return errno ? -errno : -EIO;
	pf->ob.len = 0;
	return 0;
}

/* Microseconds with three decimals: 1234567 ns -> 1234.567 */
static void pf__us(struct outbuf *ob, uint64_t ns)
{
	uint64_t frac = ns % 1000;

	outbuf__u64(ob, ns / 1000);
	outbuf__putc(ob, '.');
	outbuf__putc(ob, '0' + frac / 100);
	outbuf__putc(ob, '0' + frac / 10 % 10);
	outbuf__putc(ob, '0' + frac % 10);
}

/* {"ph":"X","pid":P,"tid":T,"ts":TS  -- the caller adds the rest and '}'. */
static void pf__head(struct pf *pf, char ph, uint32_t pid, uint32_t tid, uint64_t ts)
{
	struct outbuf *ob = &pf->ob;

	if (!pf->first)
		put_lit(ob, ",\n");
	pf->first = false;
	pf->events++;
	put_lit(ob, "{\"ph\":\"");
	outbuf__putc(ob, ph);
	put_lit(ob, "\",\"pid\":");
	outbuf__u64(ob, pid);
	put_lit(ob, ",\"tid\":");
	outbuf__u64(ob, tid);
	put_lit(ob, ",\"ts\":");
	pf__us(ob, ts);
}

/* ,"args":{the event's JSON Lines record} */
static void pf__record_args(struct pf *pf, const struct mt_event *ev)
{
	struct outbuf *ob = &pf->ob;

	put_lit(ob, ",\"args\":");
	format__event(&pf->fmt, ob, ev);
	if (ob->len && ob->buf[ob->len - 1] == '\n')
		ob->len--;
}

/* M: process_name / thread_name, {"name": s}. */
static void pf__name(struct pf *pf, const char *what, uint32_t pid, uint32_t tid,
		     const char *s, size_t n)
{
	pf__head(pf, 'M', pid, tid, 0);
	put_lit(&pf->ob, ",\"name\":\"");
	outbuf__puts(&pf->ob, what);
	put_lit(&pf->ob, "\",\"args\":{\"name\":");
	outbuf__json_str(&pf->ob, s, n);
	put_lit(&pf->ob, "}}");
}

static size_t comm__copy(char *dst, const struct mt_str *s)
{
	size_t n = strnlen(s->s, s->max < PF_COMM ? s->max : PF_COMM);

	memcpy(dst, s->s, n);
	return n;
}

/* The process of pid, named on first sight and whenever its comm changes. */
static struct pf_proc *pf__proc(struct pf *pf, uint32_t pid, const char *comm, size_t n)
{
	struct pf_proc *p;
	bool fresh;

	p = tab__put(&pf->procs, pid, &fresh);
	if (!p)
		return NULL;
	if (fresh) {
		pf__head(pf, 'M', pid, pid, 0);
		put_lit(&pf->ob, ",\"name\":\"process_sort_index\",\"args\":{\"sort_index\":");
		outbuf__u64(&pf->ob, ++pf->procs_seen);
		put_lit(&pf->ob, "}}");
	}
	if (fresh || p->name_len != n || memcmp(p->name, comm, n)) {
		memcpy(p->name, comm, n);
		p->name_len = n;
		pf__name(pf, "process_name", pid, pid, comm, n);
	}
	return p;
}

/* A task seen for the first time at ts, with its name. */
static struct pf_task *pf__task_new(struct pf *pf, uint32_t pid, uint32_t tid, uint64_t ts,
				    const char *comm, size_t n)
{
	struct pf_task *t;
	bool fresh;

	t = tab__put(&pf->tasks, tid, &fresh);
	if (!t || !pf__proc(pf, pid, comm, n))
		return NULL;
	t->pid = pid;
	t->start = ts;
	memcpy(t->comm, comm, n);
	t->comm_len = n;
	pf__name(pf, "thread_name", pid, tid, comm, n);
	return t;
}

/*
 * The life slice of t, [start, ts], bound to its fork's arrow. how: "exit",
 * "exec" (a non-leader thread that exec'd became the leader), "reused" (a
 * new task took its tid without its exit in the trace), "end of trace".
 */
static void pf__task_end(struct pf *pf, struct pf_task *t, uint64_t ts, const char *how,
			 const struct mt_event *exit)
{
	struct outbuf *ob = &pf->ob;
	uint32_t tid = t->key - 1;

	pf__head(pf, 'X', t->pid, tid, t->start);
	put_lit(ob, ",\"dur\":");
	pf__us(ob, ts >= t->start ? ts - t->start : 0);
	put_lit(ob, ",\"cat\":\"task\",\"name\":");
	outbuf__json_str(ob, t->comm, t->comm_len);
	if (t->flow_in) {
		put_lit(ob, ",\"bind_id\":");
		outbuf__u64(ob, t->flow_in);
		put_lit(ob, ",\"flow_in\":true");
	}
	put_lit(ob, ",\"args\":{\"pid\":");
	outbuf__u64(ob, t->pid);
	put_lit(ob, ",\"tid\":");
	outbuf__u64(ob, tid);
	put_lit(ob, ",\"from\":\"");
	outbuf__puts(ob, t->forked ? "fork" : "first event");
	put_lit(ob, "\",\"to\":\"");
	outbuf__puts(ob, how);
	outbuf__putc(ob, '"');
	if (exit) {
		put_lit(ob, ",\"code\":");
		outbuf__u64(ob, exit->exit.code);
		put_lit(ob, ",\"signal\":");
		outbuf__u64(ob, exit->exit.signal);
		put_lit(ob, ",\"core\":");
		outbuf__puts(ob, exit->exit.core ? "true" : "false");
	}
	put_lit(ob, "}}");
	tab__del(&pf->tasks, tid);
}

/*
 * issue 11: an rss record is the counter of the process its address space
 * was made for, while that process uses it (not the old image's teardown
 * after an exec).
 */
static void pf__rss(struct pf *pf, const struct mt_event *ev)
{
	const struct aspace *as = analysis__as(pf->a, ev->as);
	const struct proc *p = as ? analysis__proc(pf->a, as->pid) : NULL;
	struct pf_proc *pp = p ? tab__get(&pf->procs, p->pid) : NULL;

	if (!pp || p->as != ev->as || p->ended)
		return;
	pf__head(pf, 'C', p->pid, p->pid, ev->ts);
	put_lit(&pf->ob, ",\"name\":\"rss\",\"args\":{\"anon\":");
	outbuf__u64(&pf->ob, ev->rss.rss.anon);
	put_lit(&pf->ob, ",\"file\":");
	outbuf__u64(&pf->ob, ev->rss.rss.file);
	put_lit(&pf->ob, ",\"shmem\":");
	outbuf__u64(&pf->ob, ev->rss.rss.shmem);
	put_lit(&pf->ob, ",\"swap\":");
	outbuf__u64(&pf->ob, ev->rss.rss.swap);
	put_lit(&pf->ob, "}}");
	pp->rss_counted = true;
}

/* The counters of process pid after an event, when they changed. */
static void pf__counters(struct pf *pf, uint32_t pid, uint64_t ts, bool gone)
{
	const struct proc *p = analysis__proc(pf->a, pid);
	const struct aspace *as = p && !gone ? analysis__as(pf->a, p->as) : NULL;
	uint64_t acc = 0, res = 0, heap = 0;
	struct pf_proc *pp = tab__get(&pf->procs, pid);

	if (!pp)
		return;
	if (as) {
		acc = as->accessible;
		res = as->reserved;
		heap = as->heap_start && as->heap_end > as->heap_start ?
		       as->heap_end - as->heap_start : 0;
	}
	if (!pp->counted || acc != pp->accessible || res != pp->reserved) {
		pf__head(pf, 'C', pid, pid, ts);
		put_lit(&pf->ob, ",\"name\":\"mapped\",\"args\":{\"accessible\":");
		outbuf__u64(&pf->ob, acc);
		put_lit(&pf->ob, ",\"reserved\":");
		outbuf__u64(&pf->ob, res);
		put_lit(&pf->ob, "}}");
	}
	if (!pp->counted || heap != pp->heap) {
		pf__head(pf, 'C', pid, pid, ts);
		put_lit(&pf->ob, ",\"name\":\"heap\",\"args\":{\"size\":");
		outbuf__u64(&pf->ob, heap);
		put_lit(&pf->ob, "}}");
	}
	if (gone && pp->rss_counted) {
		pf__head(pf, 'C', pid, pid, ts);
		put_lit(&pf->ob, ",\"name\":\"rss\",\"args\":{\"anon\":0,\"file\":0,\"shmem\":0,\"swap\":0}}");
	}
	pp->counted = true;
	pp->accessible = acc;
	pp->reserved = res;
	pp->heap = heap;
}

static void pf__instant(struct pf *pf, const struct mt_event *ev)
{
	pf__head(pf, 'i', ev->pid, ev->tid, ev->ts);
	put_lit(&pf->ob, ",\"s\":\"t\",\"cat\":\"");
	outbuf__puts(&pf->ob, event__is_mem(ev->type) || ev->type == MT_EV_VMA ? "memory" :
			      "task");
	put_lit(&pf->ob, "\",\"name\":\"");
	outbuf__puts(&pf->ob, event__name(ev->type));
	outbuf__putc(&pf->ob, '"');
	pf__record_args(pf, ev);
	outbuf__putc(&pf->ob, '}');
}

/* fork: a zero-length slice in the parent that starts the arrow to the child. */
static int pf__fork(struct pf *pf, const struct mt_event *ev, const struct pf_task *parent)
{
	const struct mt_fork *f = &ev->fork;
	struct pf_task *c;
	uint64_t id = ++pf->flows;

	pf__head(pf, 'X', ev->pid, ev->tid, ev->ts);
	put_lit(&pf->ob, ",\"dur\":0.000,\"cat\":\"task\",\"name\":\"");
	outbuf__puts(&pf->ob, f->thread ? "thread" : "fork");
	put_lit(&pf->ob, "\",\"bind_id\":");
	outbuf__u64(&pf->ob, id);
	put_lit(&pf->ob, ",\"flow_out\":true");
	pf__record_args(pf, ev);
	outbuf__putc(&pf->ob, '}');

	c = tab__get(&pf->tasks, f->child_tid);
	if (c)
		pf__task_end(pf, c, ev->ts, "reused", NULL);
	c = pf__task_new(pf, f->child_pid, f->child_tid, ev->ts, parent->comm, parent->comm_len);
	if (!c)
		return -ENOMEM;
	c->forked = true;
	c->flow_in = id;
	if (!f->thread)
		pf__counters(pf, f->child_pid, ev->ts, false);
	return 0;
}

static int pf__event(struct pf *pf, const struct mt_event *ev)
{
	char comm[PF_COMM];
	size_t n = comm__copy(comm, &ev->comm);
	struct pf_task *t, *old;
	bool renamed;

	t = tab__get(&pf->tasks, ev->tid);
	/* faults, fault, rss, as_end: records about memory, not a task's life */
	if (event__is_mem11(ev->type) && (!t || t->pid != ev->pid)) {
		/*
		 * A memory record of a task the export does not hold (written at
		 * mm teardown after the process's exit, or by memtrace at the end
		 * of the trace): it neither starts nor extends a task, nor names
		 * the process again. It stays an instant on its track; its values
		 * go to the counters only while the process lives (pf__rss).
		 */
		pf__instant(pf, ev);
		if (ev->type == MT_EV_RSS)
			pf__rss(pf, ev);
		return 0;
	}
	if (t && t->pid != ev->pid) {
		/* the tid now belongs to another process: the old task's exit is not in the trace */
		pf__task_end(pf, t, ev->ts, "reused", NULL);
		t = NULL;
	}
	if (!t) {
		t = pf__task_new(pf, ev->pid, ev->tid, ev->ts, comm, n);
		if (!t)
			return -ENOMEM;
	}
	renamed = t->comm_len != n || memcmp(t->comm, comm, n);
	memcpy(t->comm, comm, n);
	t->comm_len = n;

	switch (ev->type) {
	case MT_EV_FORK:
		return pf__fork(pf, ev, t);
	case MT_EV_EXEC:
		pf__instant(pf, ev);
		if (ev->exec.old_tid && ev->exec.old_tid != ev->tid) {
			/* the exec'ing thread took the leader's tid */
			old = tab__get(&pf->tasks, ev->exec.old_tid);
			if (old)
				pf__task_end(pf, old, ev->ts, "exec", NULL);
		}
		if (!pf__proc(pf, ev->pid, comm, n))
			return -ENOMEM;
		if (renamed)
			pf__name(pf, "thread_name", ev->pid, ev->tid, comm, n);
		pf__counters(pf, ev->pid, ev->ts, false);
		return 0;
	case MT_EV_EXIT:
		pf__instant(pf, ev);
		pf__task_end(pf, t, ev->ts, "exit", ev);
		if (!ev->exit.thread) {
			/* the last task: the process and its memory are gone */
			pf__counters(pf, ev->pid, ev->ts, true);
			tab__del(&pf->procs, ev->pid);
		}
		return 0;
	case MT_EV_RSS:
		pf__instant(pf, ev);
		pf__rss(pf, ev);
		return 0;
	default:
		pf__instant(pf, ev);
		/* issue 10: the kernel-made map counts in the mapped bytes too */
		if (event__is_mem(ev->type) || ev->type == MT_EV_VMA)
			pf__counters(pf, ev->pid, ev->ts, false);
		return 0;
	}
}

/* ,"metadata":{...}: the start record and what the summary says. */
static void pf__metadata(struct pf *pf, const struct reader *r)
{
	struct outbuf *ob = &pf->ob;
	const struct trace_start *st = &r->start;

	put_lit(ob, "\n],\n\"metadata\":{\"source\":\"memtrace\",\"command\":");
	if (st->command)
		outbuf__json_str(ob, st->command, SIZE_MAX);
	else
		put_lit(ob, "null");
	put_lit(ob, ",\"kernel\":");
	if (st->kernel_release)
		outbuf__json_str(ob, st->kernel_release, SIZE_MAX);
	else
		put_lit(ob, "null");
	put_lit(ob, ",\"root_pid\":");
	outbuf__u64(ob, st->root_pid);
	put_lit(ob, ",\"wall_start_ns\":");
	outbuf__i64(ob, st->wall_start_ns);
	put_lit(ob, ",\"events\":");
	outbuf__u64(ob, pf->a->events);
	put_lit(ob, ",\"complete\":");
	outbuf__puts(ob, reader__complete(r) ? "true" : "false");
	if (r->has_summary) {
		uint64_t lost = r->summary.missed;
		int i;

		for (i = 0; i < MT_COUNT_SLOTS; i++)
			lost += r->summary.lost[i];
		put_lit(ob, ",\"lost\":");
		outbuf__u64(ob, lost);
	}
	put_lit(ob, "}}\n");
}

int perfetto__write(FILE *out, struct reader *r, struct analysis *a, char *err, size_t errlen)
{
	struct pf pf = {
		.out = out, .a = a, .fmt = { .fmt = MT_FMT_JSON }, .first = true,
		.tasks = { .size = sizeof(struct pf_task) },
		.procs = { .size = sizeof(struct pf_proc) },
	};
	struct mt_event ev;
	uint64_t end;
	size_t i;
	int e, n;

	e = outbuf__init(&pf.ob, -1, 1 << 16);
	if (e) {
		snprintf(err, errlen, "out of memory");
		return e;
	}
	put_lit(&pf.ob, "{\"traceEvents\":[\n");
	while ((n = reader__next(r, &ev, err, errlen)) == 1) {
		/* the analysis runs out of memory: its counters are then lower bounds, go on */
		analysis__feed(a, &ev);
		e = pf__event(&pf, &ev);
		if (!e)
			e = pf__flush(&pf);
		if (e)
			goto fail;
	}
	if (n < 0) {
		e = n;		/* err names the line */
		goto out;
	}
	/* tasks still alive when the trace ended */
	end = r->has_summary && r->summary.duration_ns > a->last_ts ?
	      r->summary.duration_ns : a->last_ts;
	for (i = 0; i < pf.tasks.cap; i++) {
		while (tab__key(&pf.tasks, i)) {
			pf__task_end(&pf, tab__at(&pf.tasks, i), end, "end of trace", NULL);
			e = pf__flush(&pf);
			if (e)
				goto fail;
		}
	}
	pf__metadata(&pf, r);
	e = pf__flush(&pf);
	if (!e && ferror(out))
		e = -EIO;
	if (!e)
		goto out;
fail:
	snprintf(err, errlen, "%s", e == -ENOMEM ? "out of memory" : strerror(-e));
out:
	outbuf__free(&pf.ob);
	free(pf.tasks.slots);
	free(pf.procs.slots);
	return e;
}
