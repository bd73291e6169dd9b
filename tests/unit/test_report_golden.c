// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `memtrace report` on the golden traces of tests/data/ (recorded with
 * `memtrace run -f json -o tests/data/NAME.jsonl NAME`), built with ASan and
 * UBSan (Makefile):
 *  - the text and JSON reports equal the checked-in NAME.report.txt/.json
 *    (tests/data/regen.sh rewrites them after a deliberate change);
 *  - a checker holds the report to what the trace says (per-type event
 *    counts against the summary, fork-exec children end in their own
 *    address space, N threads share one with N-1 stacks), and doctored
 *    copies of the traces fail it;
 *  - a seeded mutation loop (bounded: MEMTRACE_FUZZ_SECONDS, default 3)
 *    never crashes the reader, the analysis or the report, and every
 *    failure is one line on stderr.
 * Runs from the repository root (tests/run.sh cds there).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "report.h"

#define DATA		"tests/data/"
#define MAX_TRACE	(1 << 20)

/*
 * fork-exec-vma is recorded with vma records and argv (issue 10); shmfork
 * and attach are written by hand (the kernel's map at exec and at -p,
 * shmdt of an unknown size after fork and after attach)
 */
static const char *const golden[] = { "fork-exec", "threads", "heap", "fork-exec-vma", "shmfork",
				       "attach" };
#define NGOLDEN		(sizeof(golden) / sizeof(golden[0]))

static char tmp_trace[64], tmp_out[64], tmp_err[64];

static int setup(void **state)
{
	char *names[] = { tmp_trace, tmp_out, tmp_err };
	int i, fd;

	for (i = 0; i < 3; i++) {
		strcpy(names[i], "/tmp/memtrace-test-report.XXXXXX");
		fd = mkstemp(names[i]);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static int teardown(void **state)
{
	unlink(tmp_trace);
	unlink(tmp_out);
	unlink(tmp_err);
	return 0;
}

/* The whole file, NUL-terminated (malloc'd); *len its size. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *s;
	size_t n;

	if (!f)
		fail_msg("cannot read %s (run the tests from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc(n + 1);
	assert_non_null(s);
	n = fread(s, 1, n, f);
	fclose(f);
	s[n] = '\0';
	if (len)
		*len = n;
	return s;
}

static void spill(const char *path, const char *s, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Runs `memtrace report ARGS` in-process, stdout to tmp_out and stderr to tmp_err. */
static int report(int argc, const char **argv)
{
	int out, err, fd1, fd2, rc;

	fflush(stdout);
	fflush(stderr);
	out = dup(1);
	err = dup(2);
	fd1 = open(tmp_out, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	fd2 = open(tmp_err, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	assert_true(out >= 0 && err >= 0 && fd1 >= 0 && fd2 >= 0);
	dup2(fd1, 1);
	dup2(fd2, 2);
	close(fd1);
	close(fd2);
	rc = cmd_report(argc, (char **)argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	return rc;
}

static int report_json(const char *path)
{
	const char *argv[] = { "report", "-f", "json", path };

	return report(4, argv);
}

/* ---- golden output ---- */

static void test_golden(void **state)
{
	char trace[128], want[128];
	const char *text[2], *json[4];
	char *got, *exp;
	size_t i;

	for (i = 0; i < NGOLDEN; i++) {
		snprintf(trace, sizeof(trace), DATA "%s.jsonl", golden[i]);
		text[0] = "report";
		text[1] = trace;
		json[0] = "report", json[1] = "-f", json[2] = "json", json[3] = trace;
		assert_int_equal(report(2, text), 0);
		snprintf(want, sizeof(want), DATA "%s.report.txt", golden[i]);
		got = slurp(tmp_out, NULL);
		exp = slurp(want, NULL);
		if (strcmp(got, exp))
			fail_msg("memtrace report %s differs from %s (tests/data/regen.sh after a deliberate change):\n%s",
				 trace, want, got);
		free(got);
		free(exp);
		assert_int_equal(report(4, json), 0);
		snprintf(want, sizeof(want), DATA "%s.report.json", golden[i]);
		got = slurp(tmp_out, NULL);
		exp = slurp(want, NULL);
		if (strcmp(got, exp))
			fail_msg("memtrace report -f json %s differs from %s", trace, want);
		free(got);
		free(exp);
	}
}

/* ---- the checker: the report against the trace ---- */

/* The trace's summary counts, by event name; NULL if it has no summary. */
static json_t *trace_summary(const char *trace)
{
	char *s = slurp(trace, NULL), *last, *end;
	json_t *sum;

	end = s + strlen(s);
	while (end > s && end[-1] == '\n')
		*--end = '\0';
	last = strrchr(s, '\n');
	sum = json_loads(last ? last + 1 : s, 0, NULL);
	free(s);
	if (sum && strcmp(json_string_value(json_object_get(sum, "event")) ?: "", "summary")) {
		json_decref(sum);
		return NULL;
	}
	return sum;
}

static json_t *find_proc(json_t *rep, json_int_t pid)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(rep, "processes"), i, p)
		if (json_integer_value(json_object_get(p, "pid")) == pid)
			return p;
	return NULL;
}

/*
 * Returns NULL if the report of `trace` agrees with it, else what is wrong.
 * kind: "fork-exec", "threads" or anything else (counts only).
 */
static const char *check(const char *trace, const char *kind)
{
	static char why[256];
	json_t *rep, *sum, *p, *e, *as, *r, *events;
	json_int_t n, want, threads, stacks;
	const char *name;
	size_t i, j;

	if (report_json(trace))
		return "the report failed";
	rep = json_load_file(tmp_out, 0, NULL);
	assert_non_null(rep);
	sum = trace_summary(trace);
	why[0] = '\0';
	/* every event of the summary is in the report, and no more */
	json_object_foreach(sum ? json_object_get(sum, "events") : NULL, name, events) {
		n = 0;
		json_array_foreach(json_object_get(rep, "processes"), i, p)
			n += json_integer_value(json_object_get(json_object_get(p, "events"), name));
		want = json_integer_value(events);
		if (n != want) {
			snprintf(why, sizeof(why), "%lld %s events in the report, %lld in the summary",
				 (long long)n, name, (long long)want);
			goto out;
		}
	}
	if (!strcmp(kind, "fork-exec")) {
		/* a copied child that exec'd ends in an address space its parent never had */
		json_array_foreach(json_object_get(rep, "tree"), i, e) {
			json_t *child, *parent;

			if (strcmp(json_string_value(json_object_get(e, "relation")), "copy"))
				continue;
			child = find_proc(rep, json_integer_value(json_object_get(e, "to_pid")));
			parent = find_proc(rep, json_integer_value(json_object_get(e, "from_pid")));
			if (!child || !parent || !json_array_size(json_object_get(child, "execs")))
				continue;
			if (json_integer_value(json_object_get(child, "as")) ==
			    json_integer_value(json_object_get(parent, "as")) ||
			    json_integer_value(json_object_get(child, "as")) ==
			    json_integer_value(json_object_get(e, "from_as"))) {
				snprintf(why, sizeof(why), "child pid %lld ends in its parent's address space",
					 (long long)json_integer_value(json_object_get(child, "pid")));
				goto out;
			}
		}
		json_array_foreach(json_object_get(rep, "claims"), i, e)
			if (strstr(json_string_value(e), "share no address space"))
				goto out;
		snprintf(why, sizeof(why), "no claim that parent and child share no address space");
	} else if (!strcmp(kind, "threads")) {
		/* N threads in one as: N-1 stacks of their own, one per thread */
		json_array_foreach(json_object_get(rep, "address_spaces"), i, as) {
			threads = json_integer_value(json_object_get(as, "threads"));
			if (!threads)
				continue;
			stacks = 0;
			json_array_foreach(json_object_get(as, "regions"), j, r)
				stacks += json_integer_value(json_object_get(r, "stack_of")) &&
					  !json_is_true(json_object_get(r, "guard"));
			if (stacks != threads) {
				snprintf(why, sizeof(why), "%lld threads in as %lld but %lld stacks",
					 (long long)threads + 1,
					 (long long)json_integer_value(json_object_get(as, "as")),
					 (long long)stacks);
				goto out;
			}
			goto out;
		}
		snprintf(why, sizeof(why), "no address space with threads");
	}
out:
	json_decref(sum);
	json_decref(rep);
	return why[0] ? why : NULL;
}

/*
 * A copy of trace with every line passed through fn, which edits the
 * object and returns 1 to drop it, 0 to keep it. Written to tmp_trace.
 */
static void doctor(const char *trace, int (*fn)(json_t *line, void *arg), void *arg)
{
	char *s = slurp(trace, NULL), *line, *save = NULL, *out;
	FILE *f = fopen(tmp_trace, "w");
	json_t *j;

	assert_non_null(f);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		j = json_loads(line, 0, NULL);
		assert_non_null(j);
		if (!fn(j, arg)) {
			out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fprintf(f, "%s\n", out);
			free(out);
		}
		json_decref(j);
	}
	fclose(f);
	free(s);
}

static bool is(json_t *line, const char *event)
{
	return !strcmp(json_string_value(json_object_get(line, "event")) ?: "", event);
}

/* The fork child's events moved into its parent's address space. */
static int child_in_parents_as(json_t *line, void *arg)
{
	json_int_t *pids = arg;	/* [0] parent, [1] child, [2] parent's as */

	if (is(line, "fork") && !json_is_true(json_object_get(line, "thread")) && !pids[1]) {
		pids[0] = json_integer_value(json_object_get(line, "pid"));
		pids[1] = json_integer_value(json_object_get(line, "child_pid"));
		pids[2] = json_integer_value(json_object_get(line, "as"));
		json_object_set_new(line, "child_as", json_integer(pids[2]));
	} else if (pids[1] && json_integer_value(json_object_get(line, "pid")) == pids[1]) {
		json_object_set_new(line, "as", json_integer(pids[2]));
		if (is(line, "exec"))
			json_object_set_new(line, "old_as", json_integer(pids[2]));
	}
	return 0;
}

/* The fork child's exec, and all after it, put into its parent's address space. */
static int child_execs_into_parents_as(json_t *line, void *arg)
{
	json_int_t *pids = arg;	/* [0] parent, [1] child, [2] parent's as, [3] exec'd */

	if (is(line, "fork") && !json_is_true(json_object_get(line, "thread")) && !pids[1]) {
		pids[0] = json_integer_value(json_object_get(line, "pid"));
		pids[1] = json_integer_value(json_object_get(line, "child_pid"));
		pids[2] = json_integer_value(json_object_get(line, "as"));
	} else if (pids[1] && json_integer_value(json_object_get(line, "pid")) == pids[1]) {
		if (is(line, "exec"))
			pids[3] = 1;
		if (pids[3])
			json_object_set_new(line, "as", json_integer(pids[2]));
	}
	return 0;
}

/* The first MAP_STACK mapping dropped. */
static int drop_a_stack(json_t *line, void *arg)
{
	int *done = arg;
	const char *flags = json_string_value(json_object_get(line, "flags"));

	if (*done || !is(line, "mmap") || !flags || !strstr(flags, "MAP_STACK"))
		return 0;
	return ++*done;
}

static int drop_a_munmap(json_t *line, void *arg)
{
	int *done = arg;

	return !*done && is(line, "munmap") ? ++*done : 0;
}

static int keep(json_t *line, void *arg)
{
	return 0;
}

static void test_checker(void **state)
{
	json_int_t pids[4] = { 0 };
	const char *why;
	char *err;
	int done;

	/* the golden traces pass, and so does a faithful copy */
	assert_null(check(DATA "fork-exec.jsonl", "fork-exec"));
	assert_null(check(DATA "threads.jsonl", "threads"));
	assert_null(check(DATA "heap.jsonl", "heap"));
	doctor(DATA "threads.jsonl", keep, NULL);
	assert_null(check(tmp_trace, "threads"));

	/* a fork copy in its parent's own address space: no kernel writes it, the reader refuses it */
	doctor(DATA "fork-exec.jsonl", child_in_parents_as, pids);
	assert_true(pids[1] != 0);
	why = check(tmp_trace, "fork-exec");
	assert_non_null(why);
	assert_non_null(strstr(why, "the report failed"));
	err = slurp(tmp_err, NULL);
	if (!strstr(err, ": fork record: a copy (no shared VM) in its parent's own address space"))
		fail_msg("not refused as a copy in its parent's as: %s", err);
	free(err);
	memset(pids, 0, sizeof(pids));
	doctor(DATA "fork-exec.jsonl", child_execs_into_parents_as, pids);
	assert_true(pids[3] != 0);
	why = check(tmp_trace, "fork-exec");
	assert_non_null(why);
	assert_non_null(strstr(why, "ends in its parent's address space"));

	done = 0;
	doctor(DATA "threads.jsonl", drop_a_stack, &done);
	assert_int_equal(done, 1);
	why = check(tmp_trace, "threads");
	assert_non_null(why);

	done = 0;
	doctor(DATA "fork-exec.jsonl", drop_a_munmap, &done);
	assert_int_equal(done, 1);
	why = check(tmp_trace, "counts");
	assert_non_null(why);
	assert_non_null(strstr(why, "munmap events in the report"));
}

/* ---- issue 10: the kernel-made map ---- */

/* The trace's lines as JSON objects (an array). */
static json_t *trace_lines(const char *trace)
{
	char *s = slurp(trace, NULL), *line, *save = NULL;
	json_t *all = json_array(), *j;

	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		j = json_loads(line, 0, NULL);
		assert_non_null(j);
		json_array_append_new(all, j);
	}
	free(s);
	return all;
}

static json_int_t jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
}

/* `report -f json --at T trace`: the regions of address space as (NULL if none). */
static json_t *regions_at(const char *trace, json_int_t ts, json_int_t as, json_t **doc)
{
	char at[32];
	const char *argv[] = { "report", "-f", "json", "--at", at, trace };
	json_t *s;
	size_t i;

	snprintf(at, sizeof(at), "%.9f", ts / 1e9);
	*doc = NULL;
	if (report(6, argv))
		return NULL;
	*doc = json_load_file(tmp_out, 0, NULL);
	json_array_foreach(json_object_get(*doc, "address_spaces"), i, s)
		if (jint(s, "as") == as)
			return json_object_get(s, "regions");
	return NULL;
}

/* The vma record as the report's region would show it: "start-end perms name". */
static void vma__line(json_t *v, char *buf, size_t n)
{
	snprintf(buf, n, "%s-%s %s%c %s", jstr(v, "start"), jstr(v, "end"), jstr(v, "prot"),
		 json_is_true(json_object_get(v, "shared")) ? 's' : 'p',
		 json_object_get(v, "path") ? jstr(v, "path") : jstr(v, "name"));
}

static void region__line(json_t *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s-%s %s %s", jstr(r, "start"), jstr(r, "end"), jstr(r, "perms"),
		 jstr(r, "name"));
}

/*
 * The checks of a trace with vma records. Returns NULL if its report
 * agrees, else what is wrong:
 *  - every address space a successful exec made has kernel_map, and its map
 *    right after its vma records (report --at) is exactly those records;
 *  - every shmdt without a len (the segment's size unknown to the tracer)
 *    removed a segment the map held just before, and nothing is left at
 *    its address just after.
 */
static const char *check_vma(const char *trace)
{
	static char why[1024];
	json_t *lines = trace_lines(trace), *l, *v, *regions, *doc, *rep, *as;
	char want[256], got[256];
	size_t i, j, k, n;
	json_int_t ts;
	bool found;

	why[0] = '\0';
	assert_int_equal(report_json(trace), 0);
	rep = json_load_file(tmp_out, 0, NULL);
	assert_non_null(rep);
	json_array_foreach(lines, i, l) {
		if (!is(l, "exec") || json_object_get(l, "error"))
			continue;
		json_array_foreach(json_object_get(rep, "address_spaces"), j, as)
			if (jint(as, "as") == jint(l, "as") && !json_is_true(json_object_get(as, "kernel_map")))
				snprintf(why, sizeof(why), "as %lld, made by exec, has no kernel map",
					 (long long)jint(l, "as"));
		if (why[0])
			goto out;
		/* the map right after its vma records (they may come a little after the exec) */
		ts = jint(l, "ts");
		json_array_foreach(lines, j, v)
			if (is(v, "vma") && jint(v, "as") == jint(l, "as") && jint(v, "ts") > ts)
				ts = jint(v, "ts");
		regions = regions_at(trace, ts, jint(l, "as"), &doc);
		n = 0;
		json_array_foreach(lines, j, v) {
			if (!is(v, "vma") || jint(v, "as") != jint(l, "as") ||
			    strcmp(jstr(v, "origin"), "exec"))
				continue;
			vma__line(v, want, sizeof(want));
			region__line(json_array_get(regions, n++), got, sizeof(got));
			if (strcmp(want, got)) {
				snprintf(why, sizeof(why), "as %lld at its exec: region %zu is '%s', the vma record '%s'",
					 (long long)jint(l, "as"), n - 1, got, want);
				break;
			}
		}
		if (!why[0] && n != json_array_size(regions))
			snprintf(why, sizeof(why), "as %lld at its exec: %zu regions, %zu vma records",
				 (long long)jint(l, "as"), json_array_size(regions), n);
		json_decref(doc);
		if (why[0])
			goto out;
	}
	json_array_foreach(lines, i, l) {
		if (!is(l, "shmdt") || json_object_get(l, "len") || json_object_get(l, "error"))
			continue;
		for (k = 0; k < 2; k++) {
			regions = regions_at(trace, jint(l, "ts") - 1 + k, jint(l, "as"), &doc);
			found = false;
			json_array_foreach(regions, j, v)
				found |= !strcmp(jstr(v, "start"), jstr(l, "addr"));
			json_decref(doc);
			if (found != !k) {
				snprintf(why, sizeof(why), "shmdt %s in as %lld: %s", jstr(l, "addr"),
					 (long long)jint(l, "as"), k ? "still mapped after it" :
					 "no segment there before it");
				goto out;
			}
		}
	}
out:
	json_decref(rep);
	json_decref(lines);
	return why[0] ? why : NULL;
}

/* The vma records of address space as[0] dropped (as[1] counts them), the summary's count with them. */
static int drop_vmas(json_t *line, void *arg)
{
	json_int_t *as = arg;
	json_t *events;

	if (is(line, "vma") && jint(line, "as") == as[0])
		return ++as[1] > 0;
	if (is(line, "summary")) {
		events = json_object_get(line, "events");
		json_object_set_new(events, "vma", json_integer(jint(events, "vma") - as[1]));
	}
	return 0;
}

/* The fork's child gets an address space of its own, not a copy (as 9, never used). */
static int child_not_a_copy(json_t *line, void *arg)
{
	if (is(line, "fork"))
		json_object_set_new(line, "child_as", json_integer(9));
	return 0;
}

/* Every vma record dropped and counted as lost in the summary (ring buffer full). */
static int lose_vmas(json_t *line, void *arg)
{
	json_int_t *lost = arg;
	json_t *events, *by_type;

	if (is(line, "vma"))
		return ++*lost > 0;
	if (is(line, "summary")) {
		events = json_object_get(line, "events");
		by_type = json_object_get(line, "lost_by_type");
		json_object_set_new(by_type, "vma", json_integer(*lost));
		json_object_set_new(events, "vma", json_integer(0));
		json_object_set_new(line, "lost", json_integer(jint(line, "lost") + *lost));
	}
	return 0;
}

/* issue 10: maps start from the kernel's (vma records); shmdt of an unknown size. */
static void test_checker_vma(void **state)
{
	json_int_t as[2] = { 3, 0 };
	const char *why;

	assert_null(check(DATA "shmfork.jsonl", "fork-exec"));
	assert_null(check(DATA "attach.jsonl", "counts"));
	assert_null(check(DATA "fork-exec-vma.jsonl", "fork-exec"));
	assert_null(check_vma(DATA "fork-exec-vma.jsonl"));
	assert_null(check_vma(DATA "shmfork.jsonl"));
	assert_null(check_vma(DATA "attach.jsonl"));
	doctor(DATA "shmfork.jsonl", keep, NULL);
	assert_null(check_vma(tmp_trace));

	/* the child's exec without its vma records: the counts agree, the map does not */
	doctor(DATA "shmfork.jsonl", drop_vmas, as);
	assert_true(as[1] > 5);
	assert_null(check(tmp_trace, "counts"));
	why = check_vma(tmp_trace);
	assert_non_null(why);
	assert_non_null(strstr(why, "as 3, made by exec, has no kernel map"));

	/* vma records lost: the report says so, in text and JSON, and which as lacks its map */
	{
		const char *text[] = { "report", tmp_trace };
		json_int_t lost = 0;
		char *out;

		doctor(DATA "attach.jsonl", lose_vmas, &lost);
		assert_true(lost > 5);
		assert_int_equal(report(2, text), 0);
		out = slurp(tmp_out, NULL);
		assert_non_null(strstr(out, "vma records were lost"));
		assert_non_null(strstr(out, ", without the kernel's map"));
		assert_null(strstr(out, "this trace has no vma records"));
		free(out);
		assert_int_equal(report_json(tmp_trace), 0);
		out = slurp(tmp_out, NULL);
		assert_non_null(strstr(out, "vma records were lost"));
		assert_non_null(strstr(out, "\"kernel_map\": false"));
		free(out);
		/* with them: no such note */
		assert_int_equal(report(2, (const char *[]){ "report", DATA "attach.jsonl" }), 0);
		out = slurp(tmp_out, NULL);
		assert_null(strstr(out, "vma records were lost"));
		assert_null(strstr(out, "without the kernel's map"));
		assert_null(strstr(out, "no vma records"));
		free(out);
	}

	/* a child that is no fork copy cannot know the inherited segment */
	doctor(DATA "shmfork.jsonl", child_not_a_copy, NULL);
	why = check_vma(tmp_trace);
	assert_non_null(why);
	assert_non_null(strstr(why, "no segment there before it"));
}

/* A trace cut short (memtrace killed): a report, with the warning. */
static void test_incomplete(void **state)
{
	const char *argv[] = { "report", tmp_trace };
	char *s, *end, *out;
	size_t len;

	s = slurp(DATA "heap.jsonl", &len);
	s[len - 1] = '\0';
	end = strrchr(s, '\n');	/* the summary is the last line */
	assert_non_null(strstr(end, "\"summary\""));
	spill(tmp_trace, s, end + 1 - s);
	assert_int_equal(report(2, argv), 0);
	out = slurp(tmp_out, NULL);
	assert_non_null(strstr(out, "WARNING: the trace has no summary record"));
	assert_non_null(strstr(out, "incomplete"));
	free(out);
	assert_int_equal(report_json(tmp_trace), 0);
	out = slurp(tmp_out, NULL);
	assert_non_null(strstr(out, "\"complete\": false"));
	assert_non_null(strstr(out, "incomplete: the trace has no summary record"));
	free(out);
	free(s);
}

/* ---- the summary's counts against the records (deleted, duplicated) ---- */

/* trace with its n-th (0-based) line of event `ev` deleted (copies 0) or doubled (2). */
static void edit_line(const char *trace, const char *ev, int nth, int copies)
{
	char *s = slurp(trace, NULL), *line, *save = NULL, key[64];
	FILE *f = fopen(tmp_trace, "w");
	int seen = 0, k, done = 0;

	assert_non_null(f);
	snprintf(key, sizeof(key), "\"event\":\"%s\"", ev);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		k = 1;
		if (strstr(line, key) && seen++ == nth) {
			k = copies;
			done = 1;
		}
		while (k--)
			fprintf(f, "%s\n", line);
	}
	fclose(f);
	free(s);
	assert_true(done);
}

/* Reports tmp_trace in text and JSON: exit 0, both say `want` (NULL: no count warning). */
static void expect_counts(const char *want_text, const char *want_json)
{
	const char *argv[] = { "report", tmp_trace };
	char *out;

	assert_int_equal(report(2, argv), 0);
	out = slurp(tmp_out, NULL);
	if (want_text && !strstr(out, want_text))
		fail_msg("no '%s' in:\n%s", want_text, out);
	if (!want_text && strstr(out, "records in the file"))
		fail_msg("a count warning in:\n%s", out);
	free(out);
	assert_int_equal(report_json(tmp_trace), 0);
	out = slurp(tmp_out, NULL);
	if (want_json) {
		assert_non_null(strstr(out, want_json));
		assert_non_null(strstr(out, "\"complete\": false"));
	} else {
		assert_null(strstr(out, "records in the file"));
	}
	free(out);
}

static int lose_an_mmap(json_t *line, void *arg)
{
	int *done = arg;
	json_t *events, *by_type;

	if (is(line, "mmap") && !*done)
		return ++*done;
	if (is(line, "summary")) {
		events = json_object_get(line, "events");
		by_type = json_object_get(line, "lost_by_type");
		json_object_set_new(events, "mmap", json_integer(jint(events, "mmap") - 1));
		json_object_set_new(by_type, "mmap", json_integer(jint(by_type, "mmap") + 1));
		json_object_set_new(line, "lost", json_integer(jint(line, "lost") + 1));
	}
	return 0;
}

static void test_counts(void **state)
{
	char trace[128], *out;
	int done = 0;
	size_t i;

	/* every golden trace's summary counts its records exactly */
	for (i = 0; i < NGOLDEN; i++) {
		snprintf(trace, sizeof(trace), DATA "%s.jsonl", golden[i]);
		doctor(trace, keep, NULL);
		expect_counts(NULL, NULL);
		assert_int_equal(report_json(tmp_trace), 0);
		out = slurp(tmp_out, NULL);
		assert_non_null(strstr(out, "\"complete\": true"));
		free(out);
	}
	/* heap.jsonl has 9 mmap records: one deleted, one doubled */
	edit_line(DATA "heap.jsonl", "mmap", 3, 0);
	expect_counts("WARNING: 8 mmap records in the file, the summary counts 9",
		      "incomplete: 8 mmap records in the file, the summary counts 9");
	edit_line(DATA "heap.jsonl", "mmap", 3, 2);
	expect_counts("WARNING: 10 mmap records in the file, the summary counts 9",
		      "incomplete: 10 mmap records in the file, the summary counts 9");
	/* a vma record doubled: two overlapping vma records of one exec */
	edit_line(DATA "fork-exec-vma.jsonl", "vma", 5, 2);
	expect_counts("WARNING: 27 vma records in the file, the summary counts 26",
		      "incomplete: 27 vma records in the file, the summary counts 26");
	/* records lost in the ring are in lost_by_type, not in events: no count warning */
	doctor(DATA "heap.jsonl", lose_an_mmap, &done);
	expect_counts(NULL, NULL);
	assert_int_equal(report(2, (const char *[]){ "report", tmp_trace }), 0);
	out = slurp(tmp_out, NULL);
	assert_non_null(strstr(out, "WARNING: 1 events were lost: the figures below may be off in either direction"));
	/* a lost munmap leaves a mapping that is gone: not a lower bound */
	assert_null(strstr(out, "lower bound"));
	free(out);
	assert_int_equal(report_json(tmp_trace), 0);
	out = slurp(tmp_out, NULL);
	assert_non_null(strstr(out, "\"1 events were lost: figures may be off in either direction"));
	assert_null(strstr(out, "lower bound"));
	free(out);
}

/* ---- what a trace says it lacks: unfollowed processes, unnumbered spaces, earlier parts ---- */

/*
 * A hand-made trace: sh (pid 100) forks 101 (followed), 102 (not followed:
 * its fork and nothing else) and 103, whose address space got no id (as 0).
 * START_ takes the start record's extra fields, SUMMARY_ the summary's.
 */
#define HM_FORK(ts, pid, as) \
	"{\"ts\":" #ts ",\"event\":\"fork\",\"pid\":100,\"tid\":100,\"comm\":\"sh\",\"as\":1," \
	"\"child_pid\":" #pid ",\"child_tid\":" #pid ",\"thread\":false,\"child_as\":" #as "," \
	"\"shared_vm\":false,\"flags\":\"CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD\"," \
	"\"exit_signal\":17,\"syscall\":\"clone\"}\n"
#define HM_MMAP(ts, pid, as, addr) \
	"{\"ts\":" #ts ",\"event\":\"mmap\",\"pid\":" #pid ",\"tid\":" #pid ",\"comm\":\"sh\"," \
	"\"as\":" #as ",\"addr\":\"" addr "\",\"len\":4096,\"prot\":\"rw-\"," \
	"\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0}\n"
#define HM_EXIT(ts, pid, as) \
	"{\"ts\":" #ts ",\"event\":\"exit\",\"pid\":" #pid ",\"tid\":" #pid ",\"comm\":\"sh\"," \
	"\"as\":" #as ",\"code\":0,\"signal\":0,\"core\":false,\"thread\":false}\n"
#define HM_TRACE(START_, SUMMARY_) \
	"{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\",\"command\":\"sh -c t\"," \
	"\"target\":\"command\",\"root_pid\":100,\"kernel\":\"6.1\",\"wall_start_ns\":0" START_ \
	",\"ts\":0}\n" \
	HM_FORK(1000, 101, 2) HM_MMAP(2000, 101, 2, "0x7f0000000000") HM_FORK(3000, 102, 3) \
	HM_FORK(4000, 103, 0) HM_MMAP(5000, 103, 0, "0x7f0000001000") HM_EXIT(6000, 101, 2) \
	HM_EXIT(7000, 103, 0) HM_EXIT(7500, 100, 1) \
	"{\"event\":\"summary\",\"ts\":8000,\"duration_ns\":8000,\"events\":{\"fork\":3," \
	"\"exit\":3,\"mmap\":2},\"lost\":0,\"missed\":0" SUMMARY_ ",\"exit_status\":0}\n"

/*
 * The summary's unfollowed and unnumbered counts and the start's part: a
 * warning each and "complete": false when they say something is missing;
 * nothing when they are 0 or absent (an older memtrace's trace).
 */
static void test_untracked(void **state)
{
	static const struct {
		const char *what, *trace;
		const char *text[3];	/* in the text report, NULL-ended */
		const char *json[3];	/* in the JSON report */
		bool complete;
	} cases[] = {
		{ "unfollowed and unnumbered",
		  HM_TRACE("", ",\"unfollowed\":1,\"unnumbered\":1"),
		  { "WARNING: 1 new processes were not followed (memtrace's pid filter was full)",
		    "WARNING: 1 address spaces got no id (memtrace's id map was full)",
		    "      102     100 sh                    0.003          - no exit seen" },
		  { "\"unfollowed\": 1", "\"unnumbered\": 1",
		    "incomplete: 1 new processes were not followed (pid filter full)" }, false },
		{ "unfollowed only",
		  HM_TRACE("", ",\"unfollowed\":7,\"unnumbered\":0"),
		  { "WARNING: 7 new processes were not followed" },
		  { "\"unfollowed\": 7", "\"unnumbered\": 0" }, false },
		{ "unnumbered only",
		  HM_TRACE("", ",\"unfollowed\":0,\"unnumbered\":2"),
		  { "WARNING: 2 address spaces got no id", "running at the end" },
		  { "incomplete: 2 address spaces got no id (id map full)" }, false },
		{ "both 0", HM_TRACE("", ",\"unfollowed\":0,\"unnumbered\":0"),
		  { "running at the end" }, { "\"unfollowed\": 0", "\"part\": null" }, true },
		{ "an older trace: neither field", HM_TRACE("", ""),
		  { "running at the end" }, { "\"unfollowed\": null", "\"unnumbered\": null" }, true },
		{ "part 3 of a split trace", HM_TRACE(",\"part\":3", ""),
		  { "WARNING: this file is part 3 of a split trace" },
		  { "\"part\": 3", "incomplete: part 3 of a split trace" }, false },
		{ "part 1: the start of the run is in it", HM_TRACE(",\"part\":1", ""),
		  { "running at the end" }, { "\"part\": 1" }, true },
	};
	const char *argv[] = { "report", tmp_trace };
	char *out;
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spill(tmp_trace, cases[i].trace, strlen(cases[i].trace));
		assert_int_equal(report(2, argv), 0);
		out = slurp(tmp_out, NULL);
		for (k = 0; k < 3 && cases[i].text[k]; k++)
			if (!strstr(out, cases[i].text[k]))
				fail_msg("%s: no '%s' in:\n%s", cases[i].what, cases[i].text[k], out);
		if (cases[i].complete && strstr(out, "WARNING"))
			fail_msg("%s: a warning in:\n%s", cases[i].what, out);
		free(out);
		assert_int_equal(report_json(tmp_trace), 0);
		out = slurp(tmp_out, NULL);
		for (k = 0; k < 3 && cases[i].json[k]; k++)
			if (!strstr(out, cases[i].json[k]))
				fail_msg("%s: no '%s' in:\n%s", cases[i].what, cases[i].json[k], out);
		if (!strstr(out, cases[i].complete ? "\"complete\": true" : "\"complete\": false"))
			fail_msg("%s: complete is not %d:\n%s", cases[i].what, cases[i].complete, out);
		free(out);
	}
}

/* ---- thread stacks: counted when mapped, not only when still in the map ---- */

#define TH_LINE(ts, ev, rest) \
	"{\"ts\":" #ts ",\"event\":\"" ev "\",\"pid\":200,\"tid\":200,\"comm\":\"py\",\"as\":1," rest "}\n"
#define TH_CLONE(ts, tid) \
	TH_LINE(ts, "fork", "\"child_pid\":200,\"child_tid\":" #tid ",\"thread\":true,\"child_as\":1," \
		"\"shared_vm\":true,\"flags\":\"CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|" \
		"CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID\"," \
		"\"exit_signal\":0,\"syscall\":\"clone3\"")

/*
 * pid 200 starts 4 threads: 201 on a new 8 MiB stack, unmapped after it
 * ends; 202 on none (glibc's cache); 203 on a new 8 MiB stack and 204 on a
 * new 1 MiB one, both still mapped at the end.
 */
static void test_thread_stacks(void **state)
{
	static const char trace[] =
		"{\"event\":\"start\",\"schema\":1,\"command\":\"py\",\"target\":\"command\","
		"\"root_pid\":200,\"kernel\":\"6.1\",\"ts\":0}\n"
		"{\"ts\":1000,\"event\":\"mmap\",\"pid\":200,\"tid\":200,\"comm\":\"py\",\"as\":1,"
		"\"addr\":\"0x7f0000000000\",\"len\":8392704,\"prot\":\"---\","
		"\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK\",\"fd\":-1,\"offset\":0}\n"
		TH_LINE(1100, "mprotect", "\"addr\":\"0x7f0000001000\",\"len\":8388608,\"prot\":\"rw-\"")
		TH_CLONE(1200, 201)
		"{\"ts\":2000,\"event\":\"exit\",\"pid\":200,\"tid\":201,\"comm\":\"py\",\"as\":1,"
		"\"code\":0,\"signal\":0,\"core\":false,\"thread\":true}\n"
		TH_LINE(2100, "munmap", "\"addr\":\"0x7f0000000000\",\"len\":8392704")
		TH_CLONE(3000, 202)
		"{\"ts\":4000,\"event\":\"mmap\",\"pid\":200,\"tid\":200,\"comm\":\"py\",\"as\":1,"
		"\"addr\":\"0x7f1000000000\",\"len\":8392704,\"prot\":\"---\","
		"\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK\",\"fd\":-1,\"offset\":0}\n"
		TH_LINE(4100, "mprotect", "\"addr\":\"0x7f1000001000\",\"len\":8388608,\"prot\":\"rw-\"")
		TH_CLONE(4200, 203)
		"{\"ts\":5000,\"event\":\"mmap\",\"pid\":200,\"tid\":200,\"comm\":\"py\",\"as\":1,"
		"\"addr\":\"0x7f2000000000\",\"len\":1052672,\"prot\":\"---\","
		"\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK\",\"fd\":-1,\"offset\":0}\n"
		TH_LINE(5100, "mprotect", "\"addr\":\"0x7f2000001000\",\"len\":1048576,\"prot\":\"rw-\"")
		TH_CLONE(5200, 204)
		"{\"event\":\"summary\",\"ts\":6000,\"duration_ns\":6000,\"events\":{\"fork\":4,"
		"\"exit\":1,\"mmap\":3,\"munmap\":1,\"mprotect\":3},\"lost\":0,\"missed\":0,"
		"\"exit_status\":0}\n";
	const char *argv[] = { "report", tmp_trace };
	char *out;

	spill(tmp_trace, trace, strlen(trace));
	assert_int_equal(report(2, argv), 0);
	out = slurp(tmp_out, NULL);
	if (!strstr(out, "5 threads of pid 200 share as 1 (one address space, the same globals and heap); "
		    "3 of them got a stack of their own, separate mappings of 1 MiB to 8 MiB "
		    "(2 of them still mapped); the other 1 got no new mapping"))
		fail_msg("no thread stacks claim in:\n%s", out);
	free(out);
	assert_int_equal(report_json(tmp_trace), 0);
	out = slurp(tmp_out, NULL);
	assert_non_null(strstr(out, "\"thread_stacks\": 3"));
	free(out);
}

/* The "PPID -" legend only under a table that shows a '-': not for a trace of no process. */
static void test_ppid_legend(void **state)
{
	static const char empty[] =
		"{\"event\":\"start\",\"schema\":1,\"ts\":0}\n"
		"{\"event\":\"summary\",\"ts\":9,\"duration_ns\":9,\"events\":{},\"lost\":0,"
		"\"missed\":0,\"exit_status\":0}\n";
	const char *argv[] = { "report", tmp_trace };
	char *out;

	spill(tmp_trace, empty, strlen(empty));
	assert_int_equal(report(2, argv), 0);
	out = slurp(tmp_out, NULL);
	assert_non_null(strstr(out, "\nProcesses\n"));
	if (strstr(out, "PPID - :"))
		fail_msg("a PPID legend with no process:\n%s", out);
	free(out);
	argv[1] = DATA "heap.jsonl";	/* its root process: PPID - */
	assert_int_equal(report(2, argv), 0);
	out = slurp(tmp_out, NULL);
	assert_non_null(strstr(out, "PPID - : the fork that made it is not in the trace"));
	free(out);
}

/* ---- argv in the text report: quoted as a shell needs it ---- */

/* Every exec's argv replaced by arg. */
static int set_argv(json_t *line, void *arg)
{
	if (is(line, "exec"))
		json_object_set(line, "argv", arg);
	return 0;
}

static char *report_of_argv(const char *json_argv)
{
	const char *argv[] = { "report", tmp_trace };
	json_t *a = json_loads(json_argv, 0, NULL);

	assert_non_null(a);
	doctor(DATA "fork-exec-vma.jsonl", set_argv, a);
	json_decref(a);
	assert_int_equal(report(2, argv), 0);
	return slurp(tmp_out, NULL);
}

static void test_argv_quoted(void **state)
{
	static const struct {
		const char *argv, *shown;
	} cases[] = {
		{ "[\"a b\",\"c\"]", "['a b' c]" },
		{ "[\"a\",\"b c\"]", "[a 'b c']" },
		{ "[\"x\",\"\",\"y\"]", "[x '' y]" },
		{ "[\"it's\"]", "['it'\\''s']" },
		{ "[\"t\\u0009ab\",\"-o=a/b.c\"]", "['t\\x09ab' -o=a/b.c]" },
		{ "[\"$HOME\",\"*\"]", "['$HOME' '*']" },
	};
	size_t i;
	char *out;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = report_of_argv(cases[i].argv);
		if (!strstr(out, cases[i].shown))
			fail_msg("argv %s: no '%s' in:\n%s", cases[i].argv, cases[i].shown, out);
		free(out);
	}
}

/* ---- fuzz ---- */

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? rng % n : 0;
}

/* The start of a random line of s (len bytes). */
static size_t line_at(const char *s, size_t len)
{
	size_t i = rnd(len);

	while (i && s[i - 1] != '\n')
		i--;
	return i;
}

static size_t insert(char *s, size_t len, size_t at, const char *what, size_t n)
{
	/* at past len: a strstr that ran into the bytes of an earlier, longer trace */
	char *copy;

	if (len + n > MAX_TRACE || at > len)
		return len;
	/* what may point into s (a piece of the trace itself): the move would shift it */
	copy = malloc(n ? n : 1);
	if (!copy)
		return len;
	memcpy(copy, what, n);
	memmove(s + at + n, s + at, len - at);
	memcpy(s + at, copy, n);
	free(copy);
	return len + n;
}

static size_t mutate(char *s, size_t len)
{
	static const char *const hostile[] = {
		"\\u0000", "\\ud800", "\xff\xfe", "\x1b[2J", "\\\"", "%s%n", "\xc3\x28",
		"\\u00ff\\u0080", "\"\"", "\n", "{}", "[", "\t",
	};
	static const char *const numbers[] = {
		"99999999999999999999999", "-1", "1e400", "18446744073709551615",
		"9223372036854775807", "4294967296", "0", "-9223372036854775808", "0.5", "null",
	};
	size_t at, end, n;
	const char *w, *p;

	if (!len)
		return len;
	switch (rnd(9)) {
	case 0:		/* flip bytes */
		for (n = 1 + rnd(4); n--;)
			s[rnd(len)] ^= 1 << rnd(8);
		return len;
	case 1:		/* cut the trace anywhere */
		return rnd(len);
	case 2:		/* delete a line */
		at = line_at(s, len);
		p = memchr(s + at, '\n', len - at);
		end = p ? (size_t)(p - s) + 1 : len;
		memmove(s + at, s + end, len - end);
		return len - (end - at);
	case 3:		/* duplicate a line (a second start or summary, a repeated event) */
		at = line_at(s, len);
		p = memchr(s + at, '\n', len - at);
		end = p ? (size_t)(p - s) + 1 : len;
		return insert(s, len, line_at(s, len), s + at, end - at);
	case 4:		/* a duplicate key */
		at = line_at(s, len);
		w = rnd(2) ? "\"ts\":1," : "\"as\":7,";
		return at + 1 <= len ? insert(s, len, at + 1, w, strlen(w)) : len;
	case 5:		/* a huge or odd number in place of one */
		at = rnd(len);
		while (at < len && (s[at] < '0' || s[at] > '9'))
			at++;
		end = at;
		while (end < len && s[end] >= '0' && s[end] <= '9')
			end++;
		if (at == len)
			return len;
		w = numbers[rnd(sizeof(numbers) / sizeof(numbers[0]))];
		memmove(s + at, s + end, len - end);
		len -= end - at;
		return insert(s, len, at, w, strlen(w));
	case 6:		/* hostile bytes inside a comm or filename */
		p = strstr(s + line_at(s, len), rnd(2) ? "\"comm\":\"" : "\"filename\":\"");
		if (!p)
			return len;
		w = hostile[rnd(sizeof(hostile) / sizeof(hostile[0]))];
		return insert(s, len, p - s + 8 + rnd(3), w, strlen(w));
	case 7:		/* swap two lines' order: ts goes backwards */
		at = line_at(s, len);
		p = memchr(s + at, '\n', len - at);
		if (!p)
			return len;
		end = p - s + 1;
		{
			char line[4096];

			n = end - at;
			if (n > sizeof(line))
				return len;
			memcpy(line, s + at, n);
			memmove(s + at, s + end, len - end);
			len -= n;
			return insert(s, len, line_at(s, len), line, n);
		}
	default:	/* an address or a flag name changed */
		p = strstr(s + line_at(s, len), rnd(2) ? "\"0x" : "MAP_");
		if (!p)
			return len;
		at = p - s + 1 + rnd(4);
		if (at < len)
			s[at] = "x0fgZ|_-"[rnd(8)];
		return len;
	}
}

/* Every failure is one line: "memtrace: ...\n". */
static void check_error(int rc, const char *what)
{
	char *err = slurp(tmp_err, NULL);

	if (rc != 0 && rc != 1)
		fail_msg("%s: exit status %d", what, rc);
	if (rc == 1 && (strncmp(err, "memtrace: ", 10) || !strchr(err, '\n') ||
			strchr(err, '\n')[1] != '\0'))
		fail_msg("%s: failed without one line of error: '%s'", what, err);
	free(err);
}

static void test_fuzz(void **state)
{
	const char *env = getenv("MEMTRACE_FUZZ_SECONDS");
	double seconds = env ? atof(env) : 3;
	const char *text[] = { "report", tmp_trace };
	const char *maps[] = { "report", "--maps", "--at", "0.01", tmp_trace };
	char *base[NGOLDEN], *s, path[128];
	size_t blen[NGOLDEN], len, i, k, iters = 0;
	struct timespec t0, t;

	env = getenv("MEMTRACE_FUZZ_SEED");
	rng = env ? strtoull(env, NULL, 0) : 0x9e3779b97f4a7c15ULL;
	print_message("fuzz seed 0x%llx for %.1f s (MEMTRACE_FUZZ_SEED, MEMTRACE_FUZZ_SECONDS)\n",
		      (unsigned long long)rng, seconds);
	for (i = 0; i < NGOLDEN; i++) {
		snprintf(path, sizeof(path), DATA "%s.jsonl", golden[i]);
		base[i] = slurp(path, &blen[i]);
	}
	s = malloc(MAX_TRACE + 1);
	assert_non_null(s);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		i = rnd(NGOLDEN);
		memcpy(s, base[i], blen[i]);
		len = blen[i];
		for (k = 1 + rnd(3); k--;) {
			s[len] = '\0';	/* strstr in mutate stops at this trace's end */
			len = mutate(s, len);
		}
		spill(tmp_trace, s, len);
		check_error(report(2, text), "report");
		check_error(report_json(tmp_trace), "report -f json");
		check_error(report(5, maps), "report --maps --at");
		iters++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	print_message("fuzz: %zu mutated traces, each through text, JSON and --maps --at\n", iters);
	for (i = 0; i < NGOLDEN; i++)
		free(base[i]);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_checker),
		cmocka_unit_test(test_checker_vma),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_untracked),
		cmocka_unit_test(test_thread_stacks),
		cmocka_unit_test(test_ppid_legend),
		cmocka_unit_test(test_argv_quoted),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
