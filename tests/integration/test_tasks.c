// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_tasks - task creation as strace -f sees it (issue 17), with
 * tests/progs/tasks.c: a CLONE_PARENT child must not hang the program
 * (the launcher reaps every child it gets), failed clone/clone3 calls are
 * fork events with the errno and the flags asked for, and clone3's
 * CLONE_NEWTIME (0x80, in clone's signal byte) is a flag, not a signal.
 * Every creation is compared, in order, with strace's line for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "strace.h"

#define RUN_TIMEOUT_MS	20000
#define SKIP		77

/*
 * Runs `tasks MODE` under strace -f and under memtrace and compares every
 * clone/clone3, in order. Returns the memtrace trace (NULL on failure or skip).
 */
static json_t *tasks__compare(const char *mode)
{
	struct creations theirs, mine;
	char s[64], t[64], *buf;
	struct proc p;
	json_t *tr;

	if (strace__missing())
		return NULL;
	snprintf(s, sizeof(s), "strace-%s.out", mode);
	snprintf(t, sizeof(t), "tasks-%s.jsonl", mode);
	proc__run(&p, RUN_TIMEOUT_MS, "strace", "-f", "-qq", "-e", "trace=clone,clone3",
		  "-e", "signal=none", "-o", harness_tmp(s), harness_bin("tasks"), mode, NULL);
	if (p.code == SKIP) {
		harness_skip("tasks %s: not possible on this kernel", mode);
		proc__free(&p);
		return NULL;
	}
	EXPECT_MSG(p.code == 0, "strace tasks %s exited %d: %s", mode, p.code, p.err);
	proc__free(&p);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", harness_tmp(t), "--",
		      harness_bin("tasks"), mode, NULL);
	EXPECT_MSG(p.code == 0 && !p.timed_out, "memtrace run -- tasks %s: exit %d%s: %s", mode,
		   p.code, p.timed_out ? " (timed out)" : "", p.err);
	proc__free(&p);
	tr = trace__load(harness_tmp(t));
	buf = file__read(harness_tmp(s), NULL);
	if (!tr || !buf) {
		EXPECT_MSG(buf, "no strace output");
		free(buf);
		json_decref(tr);
		return NULL;
	}
	creations__from_strace(&theirs, buf, true);
	free(buf);
	creations__from_trace(&mine, tr, true);
	creations__expect_equal(&theirs, &mine, false);
	creations__free(&theirs);
	creations__free(&mine);
	return tr;
}

/* The program waits for its CLONE_PARENT child to be reaped by its parent: memtrace. */
static void test_clone_parent(void)
{
	json_t *tr = tasks__compare("parent");

	if (!tr)
		return;
	EXPECT_EQ(ev__int_or(trace__summary(tr), "exit_status", -1), 0);
	json_decref(tr);
}

static void test_failed_creation(void)
{
	json_t *tr = tasks__compare("fail"), *ev;
	size_t i, failed = 0;

	if (!tr)
		return;
	json_array_foreach(tr, i, ev) {
		if (!ev__is(ev, "fork"))
			continue;
		failed++;
		/* no child: no child_pid, child_tid, child_as */
		EXPECT_MSG(ev__str(ev, "error") && !json_object_get(ev, "child_pid") &&
			   !json_object_get(ev, "child_as"), "not a failed creation: %s",
			   ev__show(ev));
	}
	EXPECT_EQ(failed, 4);
	json_decref(tr);
}

static void test_clone3_newtime(void)
{
	json_t *tr = tasks__compare("newtime"), *ev;
	size_t i;

	if (!tr)
		return;
	json_array_foreach(tr, i, ev) {
		if (!ev__is(ev, "fork"))
			continue;
		EXPECT_STREQ(ev__str(ev, "flags"), "CLONE_NEWTIME|SIGCHLD");
		EXPECT_EQ(ev__int_or(ev, "exit_signal", -1), 17);
	}
	json_decref(tr);
}

static const struct harness_test tests[] = {
	{ "CLONE_PARENT child: memtrace reaps it, the program ends, clones equal strace's",
	  test_clone_parent, true },
	{ "failed clone/clone3: fork events with error and flags equal strace's",
	  test_failed_creation, true },
	{ "clone3 CLONE_NEWTIME: a flag, exit_signal apart, equal strace's",
	  test_clone3_newtime, true },
	{ NULL, NULL, false },
};

int main(void)
{
	return harness_main(tests);
}
