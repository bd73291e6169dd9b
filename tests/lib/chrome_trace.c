// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * chrome_trace - see chrome_trace.h. Times are compared in integer
 * nanoseconds (ts and dur are microseconds with up to three decimals).
 */
#include <math.h>	/* isfinite: a macro, no -lm */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chrome_trace.h"

struct ct_slice {
	uint64_t thread;	/* pid << 32 | tid */
	int64_t ts, dur;
	size_t idx;
};

struct ct_flow {
	char key[96];		/* "v2:ID" or "v1:CAT:NAME:ID" */
	int starts, ends;
	int64_t start_ts, end_ts;
	size_t idx;
};

struct ct {
	struct ct_slice *slices;
	size_t nslices;
	struct ct_flow *flows;
	size_t nflows;
	uint64_t *pids, *named_pids, *threads, *named_threads;
	size_t npids, nnamed_pids, nthreads, nnamed_threads;
	char *why;
	size_t n;
};

static int ct__fail(struct ct *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int ct__fail(struct ct *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, c->n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool ct__push(void **v, size_t *n, size_t size, const void *item)
{
	void *nv;

	if ((*n & (*n - 1)) == 0) {	/* grow at powers of two */
		nv = realloc(*v, (*n ? *n * 2 : 16) * size);
		if (!nv)
			return false;
		*v = nv;
	}
	memcpy((char *)*v + *n * size, item, size);
	(*n)++;
	return true;
}

static int u64__cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool u64__has(const uint64_t *v, size_t n, uint64_t k)
{
	return n && bsearch(&k, v, n, sizeof(*v), u64__cmp);
}

static int slice__cmp(const void *a, const void *b)
{
	const struct ct_slice *x = a, *y = b;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->dur != y->dur)
		return x->dur > y->dur ? -1 : 1;	/* the enclosing one first */
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* A JSON number of microseconds -> ns. */
static bool ct__time(const json_t *v, int64_t *ns)
{
	double d;

	if (!json_is_number(v))
		return false;
	d = json_number_value(v);
	if (!isfinite(d))
		return false;
	d *= 1000.0;
	*ns = (int64_t)(d >= 0 ? d + 0.5 : d - 0.5);
	return true;
}

static struct ct_flow *ct__flow(struct ct *c, const char *key)
{
	struct ct_flow f = { 0 };
	size_t i;

	for (i = 0; i < c->nflows; i++)
		if (!strcmp(c->flows[i].key, key))
			return &c->flows[i];
	snprintf(f.key, sizeof(f.key), "%s", key);
	if (!ct__push((void **)&c->flows, &c->nflows, sizeof(f), &f))
		return NULL;
	return &c->flows[c->nflows - 1];
}

static void id__str(const json_t *id, char *buf, size_t n)
{
	if (json_is_integer(id))
		snprintf(buf, n, "%lld", (long long)json_integer_value(id));
	else if (json_is_string(id))
		snprintf(buf, n, "%s", json_string_value(id));
	else
		snprintf(buf, n, "?");
}

/* One flow end point; dir 1 = start, -1 = end. */
static int ct__flow_point(struct ct *c, size_t i, const char *key, int dir, int64_t ts)
{
	struct ct_flow *f = ct__flow(c, key);

	if (!f)
		return ct__fail(c, "out of memory");
	if (dir > 0) {
		f->starts++;
		f->start_ts = ts;
	} else {
		f->ends++;
		f->end_ts = ts;
	}
	f->idx = i;
	return 0;
}

static int ct__addresses(struct ct *c, size_t i, const json_t *args)
{
	static const char *const keys[] = { "addr", "hint", "req", "old_addr", "new_addr" };
	const json_t *v;
	const char *s;
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		v = json_object_get(args, keys[k]);
		if (!v)
			continue;
		s = json_string_value(v);
		if (!s || strncmp(s, "0x", 2) || !s[2] || strspn(s + 2, "0123456789abcdef") != strlen(s + 2))
			return ct__fail(c, "event %zu: args.%s is not a hex string", i, keys[k]);
	}
	return 0;
}

static int ct__event(struct ct *c, size_t i, const json_t *ev)
{
	const json_t *ph = json_object_get(ev, "ph"), *args = json_object_get(ev, "args");
	const json_t *pid = json_object_get(ev, "pid"), *tid = json_object_get(ev, "tid");
	const json_t *bind = json_object_get(ev, "bind_id"), *v;
	const char *p, *name = json_string_value(json_object_get(ev, "name"));
	uint64_t thread;
	int64_t ts, dur = 0;
	char key[96], id[48];
	const char *k;

	if (!json_is_object(ev))
		return ct__fail(c, "event %zu is not an object", i);
	p = json_string_value(ph);
	if (!p || strlen(p) != 1 || !strchr("BEXiIRCMsftbenNOD", p[0]))
		return ct__fail(c, "event %zu: no valid ph", i);
	if (!ct__time(json_object_get(ev, "ts"), &ts))
		return ct__fail(c, "event %zu (ph %s): ts is not a number", i, p);
	if (!json_is_integer(pid) || json_integer_value(pid) < 0)
		return ct__fail(c, "event %zu (ph %s): pid is not an integer", i, p);
	if (!json_is_integer(tid) || json_integer_value(tid) < 0)
		return ct__fail(c, "event %zu (ph %s): tid is not an integer", i, p);
	thread = (uint64_t)json_integer_value(pid) << 32 | (uint32_t)json_integer_value(tid);
	if (!ct__push((void **)&c->pids, &c->npids, sizeof(uint64_t),
		      &(uint64_t){ (uint64_t)json_integer_value(pid) }))
		return ct__fail(c, "out of memory");
	if (args && !json_is_object(args))
		return ct__fail(c, "event %zu (ph %s): args is not an object", i, p);
	if (args && ct__addresses(c, i, args))
		return -1;

	switch (p[0]) {
	case 'X':
		if (!ct__time(json_object_get(ev, "dur"), &dur) || dur < 0)
			return ct__fail(c, "event %zu: X slice without a numeric dur >= 0", i);
		/* fall through */
	case 'B':
		if (!name)
			return ct__fail(c, "event %zu: slice without a name", i);
		if (p[0] == 'X' && !ct__push((void **)&c->slices, &c->nslices, sizeof(struct ct_slice),
					     &(struct ct_slice){ thread, ts, dur, i }))
			return ct__fail(c, "out of memory");
		/* fall through */
	case 'i': case 'I': case 'R':
		if (!ct__push((void **)&c->threads, &c->nthreads, sizeof(uint64_t), &thread))
			return ct__fail(c, "out of memory");
		break;
	case 'C': {
		size_t nv = 0;

		if (!name)
			return ct__fail(c, "event %zu: counter without a name", i);
		if (!json_is_object(args) || !json_object_size(args))
			return ct__fail(c, "event %zu: counter '%s' without args", i, name);
		json_object_foreach((json_t *)args, k, v) {
			if (!json_is_number(v))
				return ct__fail(c, "event %zu: counter '%s' value '%s' is not a number",
						i, name, k);
			nv++;
		}
		(void)nv;
		break;
	}
	case 'M':
		if (!name)
			return ct__fail(c, "event %zu: metadata without a name", i);
		if (!strcmp(name, "process_name") || !strcmp(name, "thread_name")) {
			const char *s = json_string_value(json_object_get(args, "name"));

			if (!s || !*s)
				return ct__fail(c, "event %zu: %s without a non-empty args.name", i, name);
			if (name[0] == 'p' && !ct__push((void **)&c->named_pids, &c->nnamed_pids,
							sizeof(uint64_t),
							&(uint64_t){ (uint64_t)json_integer_value(pid) }))
				return ct__fail(c, "out of memory");
			if (name[0] == 't' && !ct__push((void **)&c->named_threads, &c->nnamed_threads,
							sizeof(uint64_t), &thread))
				return ct__fail(c, "out of memory");
		}
		break;
	case 's': case 'f': case 't':
		if (!json_object_get(ev, "id"))
			return ct__fail(c, "event %zu: flow event without an id", i);
		id__str(json_object_get(ev, "id"), id, sizeof(id));
		snprintf(key, sizeof(key), "v1:%s:%s:%s",
			 json_string_value(json_object_get(ev, "cat")) ?: "", name ?: "", id);
		if (p[0] != 't' && ct__flow_point(c, i, key, p[0] == 's' ? 1 : -1, ts))
			return -1;
		break;
	}

	if (bind) {
		bool out = json_is_true(json_object_get(ev, "flow_out"));
		bool in = json_is_true(json_object_get(ev, "flow_in"));

		if (p[0] != 'X' && p[0] != 'B')
			return ct__fail(c, "event %zu: bind_id on a ph '%s' event: flows bind only to slices",
					i, p);
		if (out == in)
			return ct__fail(c, "event %zu: bind_id needs exactly one of flow_in, flow_out", i);
		id__str(bind, id, sizeof(id));
		snprintf(key, sizeof(key), "v2:%s", id);
		if (ct__flow_point(c, i, key, out ? 1 : -1, ts))
			return -1;
	}
	return 0;
}

/* X slices on each thread nest or are disjoint. */
static int ct__nesting(struct ct *c)
{
	const struct ct_slice *s, **stack;
	size_t i, depth = 0;

	qsort(c->slices, c->nslices, sizeof(*c->slices), slice__cmp);
	stack = malloc((c->nslices + 1) * sizeof(*stack));
	if (!stack)
		return ct__fail(c, "out of memory");
	for (i = 0; i < c->nslices; i++) {
		s = &c->slices[i];
		if (i && s->thread != c->slices[i - 1].thread)
			depth = 0;
		while (depth && stack[depth - 1]->ts + stack[depth - 1]->dur <= s->ts &&
		       !(stack[depth - 1]->dur == 0 && s->dur == 0 && stack[depth - 1]->ts == s->ts))
			depth--;
		if (depth && s->ts + s->dur > stack[depth - 1]->ts + stack[depth - 1]->dur) {
			ct__fail(c, "event %zu: slice [%lld, %lld] ns on pid %u tid %u partially "
				 "overlaps event %zu [%lld, %lld] ns", s->idx, (long long)s->ts,
				 (long long)(s->ts + s->dur), (unsigned)(s->thread >> 32),
				 (unsigned)s->thread, stack[depth - 1]->idx,
				 (long long)stack[depth - 1]->ts,
				 (long long)(stack[depth - 1]->ts + stack[depth - 1]->dur));
			free(stack);
			return -1;
		}
		stack[depth++] = s;
	}
	free(stack);
	return 0;
}

static size_t u64__uniq(uint64_t *v, size_t n)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), u64__cmp);
	for (i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

static int ct__finish(struct ct *c, struct chrome_trace_stats *st)
{
	size_t i;

	for (i = 0; i < c->nflows; i++) {
		const struct ct_flow *f = &c->flows[i];

		if (f->starts != 1 || f->ends != 1)
			return ct__fail(c, "flow %s has %d start(s) and %d end(s) (event %zu)",
					f->key, f->starts, f->ends, f->idx);
		if (f->end_ts < f->start_ts)
			return ct__fail(c, "flow %s ends before it starts", f->key);
	}
	if (ct__nesting(c))
		return -1;
	c->npids = u64__uniq(c->pids, c->npids);
	c->nnamed_pids = u64__uniq(c->named_pids, c->nnamed_pids);
	c->nthreads = u64__uniq(c->threads, c->nthreads);
	c->nnamed_threads = u64__uniq(c->named_threads, c->nnamed_threads);
	for (i = 0; i < c->npids; i++)
		if (!u64__has(c->named_pids, c->nnamed_pids, c->pids[i]))
			return ct__fail(c, "pid %llu has no process_name", (unsigned long long)c->pids[i]);
	for (i = 0; i < c->nthreads; i++)
		if (!u64__has(c->named_threads, c->nnamed_threads, c->threads[i]))
			return ct__fail(c, "pid %u tid %u has no thread_name",
					(unsigned)(c->threads[i] >> 32), (unsigned)c->threads[i]);
	if (st) {
		st->flows = c->nflows;
		st->processes = c->npids;
		st->threads = c->nthreads;
	}
	return 0;
}

int chrome_trace__check(const json_t *doc, struct chrome_trace_stats *st, char *why, size_t n)
{
	struct ct c = { .why = why, .n = n };
	const json_t *events = json_is_array(doc) ? doc : json_object_get(doc, "traceEvents");
	const json_t *ev;
	const char *ph;
	size_t i;
	int e = 0;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!json_is_array(events))
		return ct__fail(&c, "no traceEvents array");
	json_array_foreach(events, i, ev) {
		e = ct__event(&c, i, ev);
		if (e)
			break;
		ph = json_string_value(json_object_get(ev, "ph"));
		if (st) {
			st->events++;
			st->slices += ph[0] == 'X' || ph[0] == 'B';
			st->instants += ph[0] == 'i' || ph[0] == 'I';
			st->counters += ph[0] == 'C';
			st->metadata += ph[0] == 'M';
		}
	}
	if (!e)
		e = ct__finish(&c, st);
	free(c.slices);
	free(c.flows);
	free(c.pids);
	free(c.named_pids);
	free(c.threads);
	free(c.named_threads);
	return e;
}

int chrome_trace__check_file(const char *path, struct chrome_trace_stats *st, char *why, size_t n)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	int e;

	if (!doc) {
		snprintf(why, n, "%s:%d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	e = chrome_trace__check(doc, st, why, n);
	json_decref(doc);
	return e;
}
