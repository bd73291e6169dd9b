// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_calls - issue 10: the calls memtrace learnt there (madvise,
 * pkey_mprotect, shmat/shmdt, prctl(PR_SET_VMA), mremap with
 * MREMAP_DONTUNMAP, MAP_DROPPABLE, the path of a file mmap), each with
 * the exact arguments and result that tests/progs/calls wrote down, and
 * the kernel-made map after exec against /proc/PID/maps read at the
 * same moment (tests/progs/execstop stops the program before its first
 * instruction).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	20000

/* memtrace run -q -f json -o NAME -- argv...; the trace, or NULL */
static json_t *run(const char *name, char *const argv[])
{
	char *args[24] = { "--" };
	int i;

	for (i = 0; argv[i] && i < 22; i++)
		args[i + 1] = argv[i];
	return memtrace__trace(name, RUN_TIMEOUT_MS, NULL, NULL, args);
}

/* Every field of want is in got, equal. */
static bool ev__has(const json_t *got, const json_t *want)
{
	const char *key;
	json_t *v;

	/* null: absent or null (a plain mprotect has no pkey) */
	json_object_foreach((json_t *)want, key, v)
		if (json_is_null(v) ? !!json_object_get(got, key) &&
				      !json_is_null(json_object_get(got, key)) :
				      !json_equal(json_object_get(got, key), v))
			return false;
	return true;
}

struct match {
	const char *event;
	long long pid;
};

static bool ev__of(const json_t *ev, void *ctx)
{
	struct match *m = ctx;

	return ev__is(ev, m->event) && ev__int_or(ev, "pid", -1) == m->pid;
}

/*
 * Each line the program wrote must be the next event of its name from
 * that process, with the same values: in order, nothing skipped.
 */
static void expect__lines(const json_t *tr, const json_t *rep, long long pid)
{
	size_t i, at[64] = { 0 }, k, idx;
	const char *names[64];
	size_t nnames = 0;
	json_t *want, *got;
	struct match m = { .pid = pid };

	json_array_foreach(rep, i, want) {
		m.event = ev__str(want, "event");
		if (!m.event || !strcmp(m.event, "end") || !strcmp(m.event, "vma"))
			continue;
		for (k = 0; k < nnames && strcmp(names[k], m.event); k++)
			;
		if (k == nnames && nnames < 64)
			names[nnames++] = m.event;
		got = events__find(tr, at[k], ev__of, &m, &idx);
		if (!EXPECT_MSG(got, "no %s event for %s", m.event, ev__show(want)))
			continue;
		/* ld.so's mmaps and mprotects before: skip to the one with its values */
		while (got && !ev__has(got, want) &&
		       (!strcmp(m.event, "mmap") || !strcmp(m.event, "mprotect")))
			got = events__find(tr, idx + 1, ev__of, &m, &idx);
		if (!EXPECT_MSG(got && ev__has(got, want), "want %s", ev__show(want)))
			continue;
		at[k] = idx + 1;
	}
}

static void test_calls(void)
{
	char *argv[] = { (char *)harness_bin("calls"), (char *)harness_tmp("calls.rep"), NULL };
	json_t *tr, *rep;

	unlink(harness_tmp("calls.rep"));
	tr = run("calls.jsonl", argv);
	ASSERT(tr);
	rep = jsonl__read(harness_tmp("calls.rep"));
	ASSERT_MSG(rep && json_array_size(rep) > 10, "the program wrote no report");
	ASSERT_MSG(ev__is(json_array_get(rep, json_array_size(rep) - 1), "end"),
		   "the program did not finish");
	expect__lines(tr, rep, trace__root_pid(tr));
	json_decref(rep);
	json_decref(tr);
}

/* exec's argv: every argument exactly, odd ones too */
static void test_argv(void)
{
	char *argv[] = { (char *)harness_bin("calls"), (char *)harness_tmp("argv.rep"),
			 "two words", "", "\xff\n\"", NULL };
	json_t *tr, *ev = NULL, *a, *want;
	size_t i;

	tr = run("argv.jsonl", argv);
	ASSERT(tr);
	json_array_foreach(tr, i, ev)
		if (ev__is(ev, "exec"))
			break;
	ASSERT_MSG(i < json_array_size(tr), "no exec");
	a = json_object_get(ev, "argv");
	/* a byte that is not UTF-8 comes back as the code point of its value */
	want = json_pack("[sssss]", argv[0], argv[1], argv[2], argv[3], "\xc3\xbf\n\"");
	EXPECT_MSG(json_equal(a, want), "argv: %s", ev__show(ev));
	EXPECT(!json_object_get(ev, "argv_truncated"));
	json_decref(want);
	json_decref(tr);
}

static const struct harness_test tests[] = {
	{ "issue 10 calls: exact arguments and results", test_calls, true },
	{ "exec argv: every argument, exactly", test_argv, true },
	{ NULL, NULL, false },
};

int main(void)
{
	return harness_main(tests);
}
