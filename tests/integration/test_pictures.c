// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_pictures - `memtrace report --perfetto` and `--mermaid`.
 *
 * The Perfetto export of every bundled workload (and of a synthetic trace,
 * which needs no root) passes tests/lib/chrome_trace's structural checker,
 * and doctored exports are rejected by it. The Mermaid picture of every
 * workload, of real process and thread storms and of a synthetic trace
 * with thousands of tasks and hostile names stays under Mermaid's limits
 * and is parsed and rendered by the real Mermaid (mmdc from
 * tests/mermaid/, with Debian's chromium); the PNGs are left in
 * .output/pictures/. Without mmdc those tests skip with the reason, and
 * fail under MEMTRACE_REQUIRE_BPF=1: `make test-deps` installs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "chrome_trace.h"
#include "harness.h"

#define TIMEOUT_MS	60000
#define MMDC_TIMEOUT_MS	180000

static const char *const workloads[] = { "fork-exec", "threads", "race", "channel", "heap" };
#define NWL	(sizeof(workloads) / sizeof(workloads[0]))

static const char *root__path(const char *rel)
{
	static char buf[8][4096];
	static int k;
	char *b = buf[k++ % 8];

	snprintf(b, sizeof(buf[0]), "%s/../../%s", harness_bin(""), rel);
	return b;
}

static const char *pictures__dir(void)
{
	static char d[4096];

	snprintf(d, sizeof(d), "%s", root__path(".output/pictures"));
	mkdir(root__path(".output"), 0755);
	mkdir(d, 0755);
	return d;
}

/* ---- traces ---- */

/* `memtrace run -q -f json -o T NAME ARGS...`; T's path, NULL on failure. */
static const char *trace__record(const char *tag, const char *const *argv)
{
	const char *t = harness_tmp(tag);
	char *args[16];
	struct proc p;
	int n = 0, rc;

	args[n++] = (char *)harness_memtrace();
	args[n++] = "run";
	args[n++] = "-q";
	args[n++] = "-f";
	args[n++] = "json";
	args[n++] = "-o";
	args[n++] = (char *)t;
	for (; *argv && n < 15; argv++)
		args[n++] = (char *)*argv;
	args[n] = NULL;
	rc = proc__spawn(&p, &(struct proc_opts)PROC_OPTS_DEFAULT, args);
	if (rc) {
		harness_fail(__FILE__, __LINE__, "cannot start memtrace: %s", strerror(-rc));
		return NULL;
	}
	rc = proc__wait(&p, TIMEOUT_MS);
	if (rc != 0 || !file__exists(t)) {
		harness_fail(__FILE__, __LINE__, "memtrace run %s: exit %d\n%s", tag, rc, p.err);
		proc__free(&p);
		return NULL;
	}
	proc__free(&p);
	return t;
}

static const char *workload__trace(size_t i)
{
	static const char *done[NWL];
	char tag[64];

	if (!done[i]) {
		snprintf(tag, sizeof(tag), "%s.jsonl", workloads[i]);
		done[i] = trace__record(tag, (const char *const[]){ workloads[i], NULL });
	}
	return done[i];
}

/*
 * A synthetic trace, no root needed: nproc processes forked by the root,
 * each exec'ing and exiting; nthr threads of the root with their stacks;
 * nmem mmap + munmap pairs in the root; names with every character that
 * could break JSON or Mermaid.
 */
static const char *trace__synthetic(const char *tag, int nproc, int nthr, int nmem)
{
	const char *t = harness_tmp(tag);
	static const char *const hostile[] = {
		"a\\\"quote", "<b>x</b>", "end", "x-->y%%", "#35;", "`md`", "tab\\there",
		"\\u00ff\\u0001", "[(})]|;&",
	};
	uint64_t ts = 1000;
	int i, as = 1, pid = 1000;
	FILE *f = fopen(t, "w");

	if (!f)
		return NULL;
	fprintf(f, "{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\",\"command\":\"synthetic \\\"<test>\\\"\","
		"\"target\":\"command\",\"root_pid\":%d,\"kernel\":\"6.1.0\",\"wall_start\":\"2026-01-01T00:00:00.000000000Z\","
		"\"wall_start_ns\":1767225600000000000,\"ts\":0}\n", pid);
#define EV(fmt, ...) fprintf(f, "{\"ts\":%llu," fmt "}\n", (unsigned long long)(ts += 1000), __VA_ARGS__)
	EV("\"event\":\"exec\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"filename\":\"/bin/r\\\"oot\",\"old_as\":0", pid, pid);
	EV("\"event\":\"brk\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"req\":\"0x0\",\"addr\":\"0x555555554000\"", pid, pid);
	EV("\"event\":\"brk\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"req\":\"0x555555575000\",\"addr\":\"0x555555575000\"", pid, pid);
	for (i = 0; i < nthr; i++) {
		unsigned long long stk = 0x7f0000000000ULL - (unsigned long long)i * 0x801000;

		EV("\"event\":\"mmap\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"addr\":\"0x%llx\",\"len\":8392704,\"prot\":\"---\","
		   "\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK\",\"fd\":-1,\"offset\":0", pid, pid, stk);
		EV("\"event\":\"mprotect\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"addr\":\"0x%llx\",\"len\":8388608,\"prot\":\"rw-\"",
		   pid, pid, stk + 4096);
		EV("\"event\":\"fork\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"child_pid\":%d,\"child_tid\":%d,\"thread\":true,"
		   "\"child_as\":1,\"shared_vm\":true,\"flags\":\"CLONE_VM|CLONE_THREAD\",\"syscall\":\"clone3\"", pid, pid, pid, 100000 + i);
		EV("\"event\":\"mmap\",\"pid\":%d,\"tid\":%d,\"comm\":\"%s\",\"as\":1,\"addr\":\"0x7e%010x\",\"len\":4096,\"prot\":\"rw-\","
		   "\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0", pid, 100000 + i,
		   hostile[i % 9], (unsigned)i * 4096);
		EV("\"event\":\"exit\",\"pid\":%d,\"tid\":%d,\"comm\":\"%s\",\"as\":1,\"thread\":true,\"code\":0,\"signal\":0,\"core\":false",
		   pid, 100000 + i, hostile[i % 9]);
	}
	for (i = 0; i < nmem; i++) {
		EV("\"event\":\"mmap\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"addr\":\"0x7d0000000000\",\"len\":%d,"
		   "\"prot\":\"rw-\",\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0", pid, pid, 4096 * (1 + i % 64));
		EV("\"event\":\"munmap\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"addr\":\"0x7d0000000000\",\"len\":%d",
		   pid, pid, 4096 * (1 + i % 64));
	}
	for (i = 0; i < nproc; i++) {
		int c = pid + 1 + i;

		EV("\"event\":\"fork\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"child_pid\":%d,\"child_tid\":%d,\"thread\":false,"
		   "\"child_as\":%d,\"shared_vm\":false,\"flags\":\"SIGCHLD\",\"syscall\":\"clone\"", pid, pid, c, c, as + 1);
		EV("\"event\":\"exec\",\"pid\":%d,\"tid\":%d,\"comm\":\"%s\",\"as\":%d,\"filename\":\"/usr/bin/%s\",\"old_as\":%d",
		   c, c, hostile[i % 9], as + 2, hostile[(i + 1) % 9], as + 1);
		EV("\"event\":\"mmap\",\"pid\":%d,\"tid\":%d,\"comm\":\"%s\",\"as\":%d,\"addr\":\"0x7f0000001000\",\"len\":8192,\"prot\":\"rw-\","
		   "\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0", c, c, hostile[i % 9], as + 2);
		EV("\"event\":\"exit\",\"pid\":%d,\"tid\":%d,\"comm\":\"%s\",\"as\":%d,\"thread\":false,\"code\":0,\"signal\":0,\"core\":false",
		   c, c, hostile[i % 9], as + 2);
		as += 2;
	}
	EV("\"event\":\"exit\",\"pid\":%d,\"tid\":%d,\"comm\":\"root\",\"as\":1,\"thread\":false,\"code\":0,\"signal\":0,\"core\":false", pid, pid);
#undef EV
	fprintf(f, "{\"event\":\"summary\",\"ts\":%llu,\"duration_ns\":%llu,\"events\":{\"fork\":0,\"exec\":0,\"exit\":0,"
		"\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"lost\":0,\"lost_by_type\":{\"fork\":0,"
		"\"exec\":0,\"exit\":0,\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"missed\":0,"
		"\"exit_status\":0}\n", (unsigned long long)ts, (unsigned long long)ts);
	if (fclose(f))
		return NULL;
	return t;
}

/* ---- memtrace report ---- */

/* `memtrace report --perfetto OUT T`; OUT's path, NULL on failure. *secs: how long it took. */
static const char *report__perfetto(const char *trace, const char *tag, double *secs, long *maxrss_kb)
{
	const char *out = harness_tmp(tag);
	struct rusage ru;
	struct proc p;
	int rc;

	rc = memtrace__run(&p, TIMEOUT_MS, "report", "--perfetto", out, trace, NULL);
	if (rc != 0) {
		harness_fail(__FILE__, __LINE__, "memtrace report --perfetto %s: exit %d\n%s", trace, rc, p.err);
		proc__free(&p);
		return NULL;
	}
	if (secs)
		*secs = p.secs;
	if (maxrss_kb && !getrusage(RUSAGE_CHILDREN, &ru))
		*maxrss_kb = ru.ru_maxrss;
	proc__free(&p);
	return out;
}

/* `memtrace report --mermaid T > OUT`; OUT's path, NULL on failure. */
static const char *report__mermaid(const char *trace, const char *out)
{
	struct proc p;
	int rc;

	rc = memtrace__run(&p, TIMEOUT_MS, "report", "--mermaid", trace, NULL);
	if (rc != 0) {
		harness_fail(__FILE__, __LINE__, "memtrace report --mermaid %s: exit %d\n%s", trace, rc, p.err);
		proc__free(&p);
		return NULL;
	}
	FILE *f = fopen(out, "w");

	if (!f || fwrite(p.out, 1, p.out_len, f) != p.out_len || fclose(f)) {
		harness_fail(__FILE__, __LINE__, "cannot write %s", out);
		proc__free(&p);
		return NULL;
	}
	proc__free(&p);
	return out;
}

/* ---- the Perfetto export ---- */

static bool perfetto__ok(const char *path, struct chrome_trace_stats *st)
{
	char why[512];

	if (chrome_trace__check_file(path, st, why, sizeof(why))) {
		harness_fail(__FILE__, __LINE__, "%s fails the checker: %s", path, why);
		return false;
	}
	return true;
}

/* Every event is in the export: forks as slices with a flow each, the rest as instants. */
static void perfetto__matches(const char *trace_path, const struct chrome_trace_stats *st)
{
	json_t *tr = trace__load(trace_path);
	size_t forks, total;

	if (!tr)
		return;
	total = json_array_size(tr) - 2;	/* start and summary */
	forks = events__count_type(tr, "fork", -1);
	EXPECT_EQ(st->instants, total - forks);
	EXPECT_EQ(st->flows, forks);
	/* every process's life, every thread's life and every fork are slices */
	EXPECT(st->slices >= forks + 1 + forks);
	EXPECT(st->counters > 0);
	json_decref(tr);
}

static void perfetto__one_life(const char *path);

static void test_perfetto_workloads(void)
{
	struct chrome_trace_stats st;
	const char *t, *out;
	char tag[64];
	size_t i;

	for (i = 0; i < NWL; i++) {
		t = workload__trace(i);
		if (!t)
			continue;
		snprintf(tag, sizeof(tag), "%s.perfetto.json", workloads[i]);
		out = report__perfetto(t, tag, NULL, NULL);
		if (!out || !perfetto__ok(out, &st))
			continue;
		harness_diag("%s: %zu events, %zu slices, %zu instants, %zu counters, %zu flows, %zu processes",
			     workloads[i], st.events, st.slices, st.instants, st.counters, st.flows,
			     st.processes);
		perfetto__matches(t, &st);
		perfetto__one_life(out);
	}
}

/*
 * A process is one process in the export: one sort index and no task
 * slice that starts after its last task's exit (memory records written at
 * mm teardown, after the exit, made a second one).
 */
static void perfetto__one_life(const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr), *evs, *e, *f;
	size_t i, j;

	if (!EXPECT_MSG(doc, "%s:%d: %s", path, jerr.line, jerr.text))
		return;
	evs = json_object_get(doc, "traceEvents");
	json_array_foreach(evs, i, e) {
		json_int_t pid = json_integer_value(json_object_get(e, "pid"));
		const char *ph = json_string_value(json_object_get(e, "ph")) ?: "";
		const char *name = json_string_value(json_object_get(e, "name")) ?: "";
		double exit_ts;

		if (!strcmp(ph, "M") && !strcmp(name, "process_sort_index")) {
			json_array_foreach(evs, j, f) {
				if (j > i && json_integer_value(json_object_get(f, "pid")) == pid &&
				    !strcmp(json_string_value(json_object_get(f, "name")) ?: "",
					    "process_sort_index"))
					harness_fail(__FILE__, __LINE__,
						     "%s: pid %lld has a second process_sort_index",
						     path, (long long)pid);
			}
		}
		if (strcmp(ph, "i") || strcmp(name, "exit") ||
		    !json_is_false(json_object_get(json_object_get(e, "args"), "thread")))
			continue;
		exit_ts = json_number_value(json_object_get(e, "ts"));
		json_array_foreach(evs, j, f) {
			if (json_integer_value(json_object_get(f, "pid")) != pid || j <= i)
				continue;
			EXPECT_MSG(strcmp(json_string_value(json_object_get(f, "ph")) ?: "", "X") ||
				   json_number_value(json_object_get(f, "ts")) <= exit_ts,
				   "%s: pid %lld has a slice at %.3f us, after its exit at %.3f us",
				   path, (long long)pid, json_number_value(json_object_get(f, "ts")), exit_ts);
			EXPECT_MSG(strcmp(json_string_value(json_object_get(f, "ph")) ?: "", "M"),
				   "%s: pid %lld is named again after its exit", path, (long long)pid);
		}
	}
	json_decref(doc);
}

/* rss, faults and as_end after a process's exit (mm teardown) stay off its tasks. */
static void test_perfetto_teardown(void)
{
	const char *t = harness_tmp("teardown.jsonl"), *out;
	FILE *f = fopen(t, "w");

	ASSERT(f);
	fprintf(f, "{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\",\"command\":\"td\",\"target\":\"command\",\"root_pid\":100,\"kernel\":\"6.1\",\"hostname\":null,\"boot_id\":null,\"wall_start\":\"2026-01-01T00:00:00Z\",\"wall_start_ns\":0,\"ts\":0}\n");
	fprintf(f, "{\"ts\":1000,\"event\":\"exec\",\"pid\":100,\"tid\":100,\"comm\":\"td\",\"as\":1,\"filename\":\"/usr/bin/td\",\"old_as\":0}\n");
	fprintf(f, "{\"ts\":1500,\"event\":\"fork\",\"pid\":100,\"tid\":100,\"comm\":\"td\",\"as\":1,\"child_pid\":100,\"child_tid\":101,\"thread\":true,\"child_as\":1,\"shared_vm\":true,\"flags\":\"CLONE_VM|CLONE_THREAD\",\"exit_signal\":0,\"syscall\":\"clone\"}\n");
	fprintf(f, "{\"ts\":2000,\"event\":\"rss\",\"pid\":100,\"tid\":100,\"comm\":\"td\",\"as\":1,\"anon\":1048576,\"file\":0,\"shmem\":0,\"swap\":0,\"total\":1048576,\"peak\":1048576}\n");
	fprintf(f, "{\"ts\":3000,\"event\":\"exit\",\"pid\":100,\"tid\":100,\"comm\":\"td\",\"as\":1,\"code\":0,\"signal\":0,\"core\":false,\"thread\":true}\n");
	fprintf(f, "{\"ts\":4000,\"event\":\"exit\",\"pid\":100,\"tid\":101,\"comm\":\"td\",\"as\":1,\"code\":0,\"signal\":0,\"core\":false,\"thread\":false}\n");
	fprintf(f, "{\"ts\":4100,\"event\":\"rss\",\"pid\":100,\"tid\":101,\"comm\":\"td\",\"as\":1,\"anon\":4096,\"file\":0,\"shmem\":0,\"swap\":0,\"total\":4096,\"peak\":1048576}\n");
	fprintf(f, "{\"ts\":4200,\"event\":\"faults\",\"pid\":100,\"tid\":101,\"comm\":\"td\",\"as\":1,\"start\":\"0x7f0000000000\",\"end\":\"0x7f0000100000\",\"region\":\"anon\",\"kind\":\"anon\",\"reason\":\"as_end\",\"anon\":256,\"cow\":0,\"file\":0,\"file_cow\":0,\"shared\":0,\"stack\":0,\"other\":0,\"total\":256}\n");
	fprintf(f, "{\"ts\":4300,\"event\":\"as_end\",\"pid\":100,\"tid\":101,\"comm\":\"td\",\"as\":1,\"rss_peak\":1048576,\"rss_anon\":1048576,\"rss_file\":0,\"rss_shmem\":0,\"rss_swap\":0,\"rss_total\":1048576,\"faults\":{\"anon\":256,\"cow\":0,\"file\":0,\"file_cow\":0,\"shared\":0,\"stack\":0,\"other\":0,\"total\":256}}\n");
	fprintf(f, "{\"event\":\"summary\",\"ts\":5000,\"duration_ns\":5000,\"events\":{\"fork\":1,\"exec\":1,\"exit\":2,\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"lost\":0,\"lost_by_type\":{\"fork\":0,\"exec\":0,\"exit\":0,\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"missed\":0,\"exit_status\":0}\n");
	fclose(f);
	out = report__perfetto(t, "teardown.perfetto.json", NULL, NULL);
	ASSERT(out);
	ASSERT(perfetto__ok(out, NULL));
	perfetto__one_life(out);
}

/* Mutates a parsed export; returns false if it found nothing to change. */
typedef bool (*doctor_fn)(json_t *events);

static bool ph__is(const json_t *ev, const char *ph)
{
	const char *s = json_string_value(json_object_get(ev, "ph"));

	return s && !strcmp(s, ph);
}

/* The first event of phase ph (any if NULL) that has key (any if NULL). */
static json_t *event__find(json_t *events, const char *ph, const char *key)
{
	json_t *ev;
	size_t i;

	json_array_foreach(events, i, ev) {
		if ((!ph || ph__is(ev, ph)) && (!key || json_object_get(ev, key)))
			return ev;
	}
	return NULL;
}

static bool doctor__no_ph(json_t *evs)
{
	json_t *ev = event__find(evs, "i", NULL);

	return ev && !json_object_del(ev, "ph");
}

static bool doctor__ts_string(json_t *evs)
{
	json_t *ev = event__find(evs, "i", NULL);

	return ev && !json_object_set_new(ev, "ts", json_string("12.5"));
}

static bool doctor__no_tid(json_t *evs)
{
	json_t *ev = event__find(evs, "C", NULL);

	return ev && !json_object_del(ev, "tid");
}

/* A life slice that ends half-way through a later one on the same thread. */
static bool doctor__overlap(json_t *evs)
{
	json_t *ev = event__find(evs, "X", "flow_in"), *bad;
	double ts, dur;

	if (!ev)
		return false;
	ts = json_number_value(json_object_get(ev, "ts"));
	dur = json_number_value(json_object_get(ev, "dur"));
	bad = json_deep_copy(ev);
	json_object_del(bad, "bind_id");
	json_object_del(bad, "flow_in");
	json_object_set_new(bad, "ts", json_real(ts + dur / 2));
	json_object_set_new(bad, "dur", json_real(dur));
	return !json_array_append_new(evs, bad);
}

static bool doctor__flow_twice(json_t *evs)
{
	json_t *ev = event__find(evs, "X", "flow_out");

	return ev && !json_array_append_new(evs, json_deep_copy(ev));
}

static bool doctor__flow_no_end(json_t *evs)
{
	json_t *ev = event__find(evs, "X", "flow_in");

	return ev && !json_object_del(ev, "bind_id") && !json_object_del(ev, "flow_in");
}

/* A flow bound to an instant: Perfetto would drop it. */
static bool doctor__flow_on_instant(json_t *evs)
{
	json_t *ev = event__find(evs, "X", "flow_in"), *i = event__find(evs, "i", NULL);

	if (!ev || !i)
		return false;
	json_object_set(i, "bind_id", json_object_get(ev, "bind_id"));
	json_object_set_new(i, "flow_in", json_true());
	json_object_del(ev, "bind_id");
	json_object_del(ev, "flow_in");
	return true;
}

static bool doctor__counter_string(json_t *evs)
{
	json_t *ev = event__find(evs, "C", NULL);

	return ev && !json_object_set_new(json_object_get(ev, "args"), "accessible", json_string("4096"));
}

static bool doctor__unnamed_pid(json_t *evs)
{
	json_t *ev, *copy;
	size_t i;

	/* every event of the first process moves to a pid nobody named */
	json_array_foreach(evs, i, ev) {
		if (ph__is(ev, "i")) {
			copy = json_deep_copy(ev);
			json_object_set_new(copy, "pid", json_integer(999999));
			return !json_array_append_new(evs, copy);
		}
	}
	return false;
}

static bool doctor__addr_number(json_t *evs)
{
	json_t *ev;
	size_t i;

	json_array_foreach(evs, i, ev) {
		json_t *args = json_object_get(ev, "args");

		if (ph__is(ev, "i") && json_object_get(args, "addr"))
			return !json_object_set_new(args, "addr", json_integer(140737488351232));
	}
	return false;
}

static void test_perfetto_doctored(void)
{
	static const struct {
		const char *name;
		doctor_fn fn;
		const char *why;	/* in the checker's message */
	} doctors[] = {
		{ "no ph", doctor__no_ph, "no valid ph" },
		{ "ts as a string", doctor__ts_string, "ts is not a number" },
		{ "counter without tid", doctor__no_tid, "tid is not an integer" },
		{ "partially overlapping slices", doctor__overlap, "partially overlaps" },
		{ "a flow started twice", doctor__flow_twice, "2 start(s)" },
		{ "a flow without its end", doctor__flow_no_end, "0 end(s)" },
		{ "a flow on an instant", doctor__flow_on_instant, "flows bind only to slices" },
		{ "a counter that is a string", doctor__counter_string, "is not a number" },
		{ "a pid without a name", doctor__unnamed_pid, "has no process_name" },
		{ "an address as a number", doctor__addr_number, "not a hex string" },
	};
	struct chrome_trace_stats st;
	const char *t, *out;
	json_error_t jerr;
	json_t *doc, *bad;
	char why[512];
	size_t i;

	t = trace__synthetic("synthetic-small.jsonl", 3, 3, 2);
	ASSERT(t);
	out = report__perfetto(t, "synthetic-small.perfetto.json", NULL, NULL);
	ASSERT(out);
	ASSERT(perfetto__ok(out, &st));
	perfetto__matches(t, &st);
	EXPECT_EQ(st.processes, 4);
	EXPECT_EQ(st.threads, 4 + 3);
	doc = json_load_file(out, 0, &jerr);
	ASSERT_MSG(doc, "%s:%d: %s", out, jerr.line, jerr.text);
	for (i = 0; i < sizeof(doctors) / sizeof(doctors[0]); i++) {
		bad = json_deep_copy(doc);
		if (!EXPECT_MSG(doctors[i].fn(json_object_get(bad, "traceEvents")),
				"doctor '%s' found nothing to change", doctors[i].name)) {
			json_decref(bad);
			continue;
		}
		why[0] = '\0';
		EXPECT_MSG(chrome_trace__check(bad, NULL, why, sizeof(why)) != 0,
			   "the checker accepted an export with %s", doctors[i].name);
		EXPECT_MSG(strstr(why, doctors[i].why), "%s: rejected for another reason: %s",
			   doctors[i].name, why);
		json_decref(bad);
	}
	json_decref(doc);
}

/* The export streams: 8 times the events (and the same tasks), about the same memory. */
static void test_perfetto_streams(void)
{
	const char *small, *big, *out;
	long rss_small = 0, rss_big = 0;
	double secs = 0;
	struct stat sb;

	small = trace__synthetic("stream-small.jsonl", 100, 100, 25000);
	big = trace__synthetic("stream-big.jsonl", 100, 100, 200000);
	ASSERT(small && big);
	/* RUSAGE_CHILDREN's maxrss is the largest child so far: the small run goes first */
	ASSERT(report__perfetto(small, "stream-small.json", NULL, &rss_small));
	out = report__perfetto(big, "stream-big.json", &secs, &rss_big);
	ASSERT(out);
	ASSERT(perfetto__ok(out, NULL));
	stat(big, &sb);
	harness_diag("401,000 events (%lld bytes of trace) exported in %.3f s (%.0f events/s); "
		     "max RSS %ld KiB (51,000 events: %ld KiB)", (long long)sb.st_size, secs,
		     401000 / (secs > 0 ? secs : 1), rss_big, rss_small);
	EXPECT_MSG(rss_big < rss_small + 8 * 1024, "max RSS grew from %ld to %ld KiB", rss_small, rss_big);
}

/* ---- the Mermaid picture ---- */

static const char *mmdc__path(void)
{
	return root__path("tests/mermaid/node_modules/.bin/mmdc");
}

/* NULL when mmdc and chromium are there, else why not. */
static const char *mmdc__missing(void)
{
	if (access("/usr/bin/chromium", X_OK))
		return "chromium is not installed (make test-deps)";
	if (access(mmdc__path(), X_OK))
		return "mmdc is not installed in tests/mermaid (make test-deps)";
	return NULL;
}

/* Skips (or fails under MEMTRACE_REQUIRE_BPF=1) without mmdc; true if it is there. */
static bool mmdc__require(void)
{
	const char *why = mmdc__missing(), *req = getenv("MEMTRACE_REQUIRE_BPF");

	if (!why)
		return true;
	if (req && !strcmp(req, "1"))
		harness_fail(__FILE__, __LINE__, "%s; MEMTRACE_REQUIRE_BPF=1 needs the real Mermaid parser", why);
	else
		harness_skip("%s", why);
	return false;
}

/* mmdc -i in -o out: the real parser and renderer. Returns its exit code; the error in diag. */
static int mmdc__render(const char *in, const char *out)
{
	struct proc p;
	int rc;

	rc = proc__run(&p, MMDC_TIMEOUT_MS, mmdc__path(), "-q", "-p",
		       root__path("tests/mermaid/puppeteer.json"), "-b", "white",
		       "-i", in, "-o", out, NULL);
	if (rc != 0)
		harness_diag("mmdc %s: exit %d%s\n%.2000s", in, rc, p.timed_out ? " (timed out)" : "", p.err);
	proc__free(&p);
	return rc;
}

static size_t str__count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* What every picture must be: a graph TD within Mermaid's limits. */
static bool mermaid__shape(const char *path, size_t *subgraphs)
{
	size_t len = 0;
	char *text = file__read(path, &len);
	bool ok = true;

	if (!EXPECT_MSG(text, "cannot read %s", path))
		return false;
	ok &= EXPECT_MSG(strstr(text, "\ngraph TD\n") || !strncmp(text, "graph TD\n", 9),
			 "%s: no graph TD", path);
	ok &= EXPECT_MSG(len < 50000, "%s: %zu characters, Mermaid's limit is 50,000", path, len);
	ok &= EXPECT_MSG(str__count(text, "---") + str__count(text, "-->") +
			 str__count(text, "==>") + str__count(text, "-.->") < 500,
			 "%s: 500 edges or more", path);
	ok &= EXPECT_MSG(str__count(text, "subgraph ") == str__count(text, "\n  end\n"),
			 "%s: unbalanced subgraphs", path);
	if (subgraphs)
		*subgraphs = str__count(text, "subgraph ");
	free(text);
	return ok;
}

static void test_mermaid_workloads(void)
{
	const char *t, *dir;
	char mmd[4096], png[4096];
	size_t i, n;
	json_t *tr;

	if (!mmdc__require())
		return;
	dir = pictures__dir();
	for (i = 0; i < NWL; i++) {
		t = workload__trace(i);
		if (!t)
			continue;
		snprintf(mmd, sizeof(mmd), "%s/%s.mmd", dir, workloads[i]);
		snprintf(png, sizeof(png), "%s/%s.png", dir, workloads[i]);
		if (!report__mermaid(t, mmd) || !mermaid__shape(mmd, &n))
			continue;
		/* one subgraph per address space of the trace */
		tr = trace__load(t);
		if (tr) {
			json_t *ev;
			size_t k, max_as = 0;

			json_array_foreach(tr, k, ev) {
				long long as = ev__int_or(ev, "as", 0), cas = ev__int_or(ev, "child_as", 0);

				max_as = (size_t)as > max_as ? (size_t)as : max_as;
				max_as = (size_t)cas > max_as ? (size_t)cas : max_as;
			}
			EXPECT_MSG(n == max_as, "%s: %zu subgraphs for %zu address spaces", workloads[i], n, max_as);
			json_decref(tr);
		}
		EXPECT_MSG(mmdc__render(mmd, png) == 0, "Mermaid rejects the picture of %s", workloads[i]);
	}
}

/* Many processes and many threads: collapsed, still under the limits, still parsed. */
static void test_mermaid_storms(void)
{
	static const char *const procs[] = {
		"--", "/bin/sh", "-c", "for i in $(seq 120); do /bin/true & done; wait", NULL };
	static const char *const threads[] = { "threads", "-n", "300", NULL };
	const char *t, *dir;
	char mmd[4096], png[4096];
	size_t n;
	struct stat sb;

	if (!mmdc__require())
		return;
	dir = pictures__dir();
	t = trace__record("procs-storm.jsonl", procs);
	snprintf(mmd, sizeof(mmd), "%s/procs-storm.mmd", dir);
	snprintf(png, sizeof(png), "%s/procs-storm.png", dir);
	if (t && report__mermaid(t, mmd) && mermaid__shape(mmd, &n)) {
		stat(mmd, &sb);
		harness_diag("120 processes: %zu subgraphs, %lld characters", n, (long long)sb.st_size);
		EXPECT(n <= 32);
		EXPECT_MSG(mmdc__render(mmd, png) == 0, "Mermaid rejects the process storm");
	}
	t = trace__record("threads-storm.jsonl", threads);
	snprintf(mmd, sizeof(mmd), "%s/threads-storm.mmd", dir);
	snprintf(png, sizeof(png), "%s/threads-storm.png", dir);
	if (t && report__mermaid(t, mmd) && mermaid__shape(mmd, &n)) {
		stat(mmd, &sb);
		harness_diag("300 threads: %lld characters", (long long)sb.st_size);
		EXPECT_MSG(mmdc__render(mmd, png) == 0, "Mermaid rejects the thread storm");
	}
}

/* Thousands of tasks with hostile names, no root needed. */
static void test_mermaid_synthetic(void)
{
	const char *t, *dir;
	char mmd[4096], png[4096], *text;
	struct stat sb;

	if (!mmdc__require())
		return;
	dir = pictures__dir();
	t = trace__synthetic("synthetic-big.jsonl", 3000, 2000, 0);
	ASSERT(t);
	snprintf(mmd, sizeof(mmd), "%s/synthetic.mmd", dir);
	snprintf(png, sizeof(png), "%s/synthetic.png", dir);
	ASSERT(report__mermaid(t, mmd));
	ASSERT(mermaid__shape(mmd, NULL));
	stat(mmd, &sb);
	harness_diag("3,000 processes and 2,000 threads: %lld characters", (long long)sb.st_size);
	text = file__read(mmd, NULL);
	ASSERT(text);
	/* no byte of a name reaches the diagram raw */
	EXPECT(!strstr(text, "<b>"));
	EXPECT(!strstr(text, "x-->y"));
	EXPECT(!strstr(text, "`md`"));
	EXPECT(strstr(text, "more address spaces"));
	EXPECT(strstr(text, "more threads"));
	free(text);
	EXPECT_MSG(mmdc__render(mmd, png) == 0, "Mermaid rejects the synthetic picture");
}

/* The check is real: mmdc fails on a broken diagram. */
static void test_mermaid_parser_rejects(void)
{
	const char *bad = harness_tmp("bad.mmd");
	FILE *f;

	if (!mmdc__require())
		return;
	f = fopen(bad, "w");
	ASSERT(f);
	fputs("graph TD\n  a[\"x\"] -->\n  subgraph\n", f);
	fclose(f);
	EXPECT_MSG(mmdc__render(bad, harness_tmp("bad.png")) != 0, "mmdc accepted a broken diagram");
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "perfetto export of every workload passes the checker", test_perfetto_workloads, true },
		{ "memory records after an exit make no task and no second process", test_perfetto_teardown, false },
		{ "checker rejects doctored exports", test_perfetto_doctored, false },
		{ "perfetto export streams", test_perfetto_streams, false },
		{ "mermaid parser rejects a broken diagram", test_mermaid_parser_rejects, false },
		{ "mermaid picture of every workload parses and renders", test_mermaid_workloads, true },
		{ "mermaid picture of process and thread storms", test_mermaid_storms, true },
		{ "mermaid picture of 5,000 tasks with hostile names", test_mermaid_synthetic, false },
		{ NULL, NULL, false },
	};

	return harness_main(tests);
}
