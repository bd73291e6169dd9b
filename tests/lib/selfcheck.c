// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * selfcheck.c - see selfcheck.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "selfcheck.h"

#define MAX_ARGV	32

/* ---- CHECK -------------------------------------------------------------- */

static struct {
	bool on;
	int misses;
} probe;

bool selfcheck__check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (ok)
		return true;
	if (probe.on) {
		probe.misses++;
		return false;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	harness_fail(file, line, "%s", msg ? msg : fmt);
	free(msg);
	return false;
}

bool selfcheck__probing(void)
{
	return probe.on;
}

/* ---- the runs ----------------------------------------------------------- */

/* `memtrace run -f json -o T NAME ARGS [--json R]`, as the runner sees it. */
static void run__argv(const struct selfcheck_spec *s, const char *t, const char *rep, char **argv)
{
	int n = 0, i;

	argv[n++] = (char *)harness_memtrace();
	argv[n++] = "run";
	argv[n++] = "-f";
	argv[n++] = "json";
	argv[n++] = "-o";
	argv[n++] = (char *)t;
	argv[n++] = (char *)s->name;
	for (i = 0; s->args[i] && n < MAX_ARGV - 3; i++)
		argv[n++] = (char *)s->args[i];
	if (!s->env_report) {
		argv[n++] = "--json";
		argv[n++] = (char *)rep;
	}
	argv[n] = NULL;
}

bool selfcheck__load(struct selfcheck_set *set, int which)
{
	struct selfcheck_run *r = &set->runs[which];
	const struct selfcheck_spec *s = &set->specs[which];
	char *argv[MAX_ARGV], tname[64], rname[64];
	const char *t, *rep;
	struct proc p;
	int e;

	if (r->tried)
		return CHECK(r->ok, "the run of %s failed (see its first test)", s->label);
	if (set->can_run && !set->can_run(s))
		return false;
	r->tried = true;
	r->spec = s;
	snprintf(tname, sizeof(tname), "run%d.jsonl", which);
	snprintf(rname, sizeof(rname), "run%d.report", which);
	t = harness_tmp(tname);
	rep = harness_tmp(rname);
	unlink(rep);
	run__argv(s, t, rep, argv);
	if (s->env_report)
		setenv("MEMTRACE_SELF_REPORT", rep, 1);
	e = proc__spawn(&p, NULL, argv);
	unsetenv("MEMTRACE_SELF_REPORT");
	if (!CHECK(!e, "cannot start memtrace: %s", strerror(-e)))
		return false;
	proc__wait(&p, SELFCHECK_TIMEOUT_MS);
	r->code = p.code;
	r->timed_out = p.timed_out;
	r->out = p.out;
	r->err = p.err;
	p.out = p.err = NULL;
	proc__free(&p);
	if (!CHECK(!r->timed_out, "memtrace run %s timed out after %d ms", s->label,
		   SELFCHECK_TIMEOUT_MS))
		return false;
	r->trace = trace__load(t);
	r->report = jsonl__read(rep);
	if (!r->trace || !CHECK(r->report, "%s wrote no readable self-report to %s", s->label, rep)) {
		harness_diag("memtrace exited %d; stderr: %s", r->code, r->err);
		return false;
	}
	r->root = trace__root_pid(r->trace);
	r->ok = true;
	return true;
}

void selfcheck__run(struct selfcheck_set *set, int which)
{
	if (selfcheck__load(set, which))
		set->specs[which].check(&set->runs[which]);
}

void selfcheck__free(struct selfcheck_set *set)
{
	size_t i;

	for (i = 0; i < set->nruns; i++) {
		json_decref(set->runs[i].trace);
		json_decref(set->runs[i].report);
		free(set->runs[i].out);
		free(set->runs[i].err);
	}
}

int selfcheck__main(const struct harness_test *tests, struct selfcheck_set *set)
{
	int r = harness_main(tests);

	selfcheck__free(set);
	return r;
}

/* ---- doctored copies ---------------------------------------------------- */

/*
 * Misses of the run's checks on a copy, doctored or not. Probing is on
 * while the doctor works too: a doctor may find its target with helpers
 * that CHECK what they read.
 */
static int doctored__misses(const struct selfcheck_run *base, void (*doctor)(struct selfcheck_run *r))
{
	struct selfcheck_run c = *base;
	int misses;

	c.trace = json_deep_copy(base->trace);
	c.report = json_deep_copy(base->report);
	probe.on = true;
	probe.misses = 0;
	if (doctor)
		doctor(&c);
	probe.misses = 0;
	base->spec->check(&c);
	misses = probe.misses;
	probe.on = false;
	json_decref(c.trace);
	json_decref(c.report);
	return misses;
}

void selfcheck__doctored(struct selfcheck_set *set, const struct selfcheck_doctor *d, size_t n)
{
	bool *judged = calloc(set->nruns, sizeof(*judged)), *clean = calloc(set->nruns, sizeof(*clean));
	size_t i;
	int m, w;

	if (!CHECK(judged && clean, "out of memory")) {
		free(judged);
		free(clean);
		return;
	}
	for (i = 0; i < n; i++) {
		w = d[i].run;
		/* a doctored copy proves something only if the real run passes */
		if (!judged[w]) {
			judged[w] = true;
			if (!selfcheck__load(set, w))
				continue;
			m = doctored__misses(&set->runs[w], NULL);
			clean[w] = CHECK(m == 0, "%s: the real run already fails %d checks",
					 set->specs[w].label, m);
		}
		if (!clean[w])
			continue;
		m = doctored__misses(&set->runs[w], d[i].doctor);
		CHECK(m > 0, "doctored \"%s\": every check still passes", d[i].claim);
		if (m > 0)
			harness_diag("doctored \"%s\": rejected by %d check%s", d[i].claim, m,
				     m == 1 ? "" : "s");
	}
	free(judged);
	free(clean);
}

static json_t *result__line(struct selfcheck_run *r)
{
	return report__find(r->report, "result", NULL, NULL, 0);
}

void doctor__race_over(struct selfcheck_run *r)
{
	json_t *l = result__line(r);

	ev__set_int(l, "actual", ev__int_or(l, "expected", 0) + 1);
	ev__set_int(l, "lost", -1);
}

void doctor__race_lost(struct selfcheck_run *r)
{
	json_t *l = result__line(r);

	ev__set_int(l, "actual", ev__int_or(l, "expected", 0) - 1);
	ev__set_int(l, "lost", 1);
}

void doctor__sum_off(struct selfcheck_run *r)
{
	json_t *l = result__line(r);

	ev__set_int(l, "actual", ev__int_or(l, "actual", 0) - 1);
}

/* a report that agrees with itself but not with the options the workload ran with */
void doctor__sum_agreed(struct selfcheck_run *r)
{
	json_t *l = result__line(r);

	ev__set_int(l, "actual", ev__int_or(l, "actual", 0) + 7);
	ev__set_int(l, "expected", ev__int_or(l, "expected", 0) + 7);
}

/* ---- reading traces and reports ----------------------------------------- */

long long ev__pid(const json_t *ev)
{
	return ev__int_or(ev, "pid", -1);
}

bool ev__ok(const json_t *ev)
{
	return !json_object_get(ev, "error");
}

bool ev__inner(const json_t *tr, size_t i)
{
	return i != 0 && i != json_array_size(tr) - 1;
}

bool ev__bool_is(const json_t *ev, const char *key, bool want)
{
	bool b;

	return ev__bool(ev, key, &b) && b == want;
}

bool ev__range(const json_t *ev, uint64_t *start, uint64_t *end)
{
	long long len;

	if (!ev__addr(ev, "addr", start) || !ev__int(ev, "len", &len) || len < 0)
		return false;
	*end = *start + (uint64_t)len;
	return true;
}

bool flags__has(const json_t *ev, const char *name)
{
	const char *s = ev__str(ev, "flags"), *p;
	size_t m = strlen(name);

	for (p = s; p && *p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
		if (!strncmp(p, name, m) && (p[m] == '|' || !p[m]))
			return true;
	return false;
}

bool str__eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

json_t *trace__nth(json_t *tr, const char *event, long long pid, size_t nth, size_t *idx)
{
	json_t *ev;
	size_t i;

	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, event) && (pid < 0 || ev__pid(ev) == pid) && !nth--) {
			if (idx)
				*idx = i;
			return ev;
		}
	}
	return NULL;
}

json_t *report__find(const json_t *rep, const char *kind, const char *key, const char *val,
		     size_t nth)
{
	json_t *l;
	size_t i;

	json_array_foreach(rep, i, l) {
		if (!str__eq(ev__str(l, "kind"), kind) || (key && !str__eq(ev__str(l, key), val)))
			continue;
		if (!nth--)
			return l;
	}
	return NULL;
}

size_t report__count(const json_t *rep, const char *kind)
{
	size_t n = 0;

	while (report__find(rep, kind, NULL, NULL, n))
		n++;
	return n;
}

size_t trace__index(const json_t *tr, const json_t *ev)
{
	size_t i;

	for (i = 0; i < json_array_size(tr); i++)
		if (json_array_get(tr, i) == ev)
			break;
	return i;
}

bool pidset__has(const struct pidset *s, long long pid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return true;
	return false;
}

void trace__family(const json_t *tr, long long root, struct pidset *s)
{
	bool grew = true;
	json_t *ev;
	size_t i;

	s->n = 0;
	s->v[s->n++] = root;
	while (grew) {
		grew = false;
		json_array_foreach(tr, i, ev) {
			long long c = ev__int_or(ev, "child_pid", -1);

			if (ev__is(ev, "fork") && pidset__has(s, ev__pid(ev)) &&
			    !pidset__has(s, c) && s->n < SELFCHECK_MAX_PIDS) {
				s->v[s->n++] = c;
				grew = true;
			}
		}
	}
}

void ev__set_int(json_t *obj, const char *key, long long v)
{
	if (obj)
		json_object_set_new(obj, key, json_integer(v));
}

void ev__set_str(json_t *obj, const char *key, const char *v)
{
	if (obj)
		json_object_set_new(obj, key, json_string(v));
}

void ev__set_addr(json_t *obj, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	ev__set_str(obj, key, buf);
}
