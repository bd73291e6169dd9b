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

#define RUN_TIMEOUT_MS	20000
#define SKIP		77
#define MAX_CALLS	16

static bool strace__missing(void)
{
	if (access("/usr/bin/strace", X_OK) && access("/bin/strace", X_OK)) {
		harness_skip("strace is not installed");
		return true;
	}
	return false;
}

/* "name:A|B|SIGCHLD:ERR" with the flag names sorted, so the order of names does not matter. */
static void creation__spell(const char *sc, size_t sclen, const char *flags, const char *err,
			    char *out, size_t n)
{
	char names[32][40], buf[512], t[40], *tok, *save;
	size_t k = 0, i, j, len;

	snprintf(buf, sizeof(buf), "%s", flags);
	for (tok = strtok_r(buf, "|", &save); tok && k < 32; tok = strtok_r(NULL, "|", &save))
		snprintf(names[k++], sizeof(names[0]), "%s", tok);
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			memcpy(t, names[j], sizeof(t));
			memcpy(names[j], names[j - 1], sizeof(t));
			memcpy(names[j - 1], t, sizeof(t));
		}
	len = snprintf(out, n, "%.*s:", (int)sclen, sc);
	for (i = 0; i < k && len < n; i++)
		len += snprintf(out + len, n - len, "%s%s", i ? "|" : "", names[i]);
	if (len < n)
		snprintf(out + len, n - len, ":%s", err);
}

/*
 * One creation from a strace -f line, successful or not:
 * "clone(child_stack=NULL, flags=A|SIGCHLD) = -1 EINVAL (...)",
 * "clone3({flags=A, exit_signal=SIGCHLD, ...}, 88) = 123", "clone3(NULL, 0) = -1 EINVAL".
 */
static bool strace__creation(const char *line, char *out, size_t n)
{
	const char *p, *f, *sig, *eq;
	char flags[512] = "null", err[32] = "ok";
	size_t len;

	p = line + strspn(line, "0123456789 ");
	len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (p[len] != '(' || !((len == 5 && !strncmp(p, "clone", 5)) ||
			       (len == 6 && !strncmp(p, "clone3", 6))))
		return false;
	f = strstr(p, "flags=");
	if (f) {
		f += 6;
		snprintf(flags, sizeof(flags), "%.*s", (int)strcspn(f, ",})"), f);
		sig = strstr(p, "exit_signal=");
		if (sig && (sig += 12) && strncmp(sig, "0,", 2) && strncmp(sig, "0}", 2))
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "|%.*s",
				 (int)strcspn(sig, ",}"), sig);
	}
	eq = strstr(p, "= -1 ");	/* strace pads short calls before " = " */
	if (eq)
		snprintf(err, sizeof(err), "%.*s", (int)strcspn(eq + 5, " "), eq + 5);
	creation__spell(p, len, flags, err, out, n);
	return true;
}

/*
 * Runs `tasks MODE` under strace -f and under memtrace and compares every
 * clone/clone3, in order. Returns the memtrace trace (NULL on failure or skip).
 */
static json_t *tasks__compare(const char *mode)
{
	char s[64], t[64], one[512], *theirs[MAX_CALLS], *mine[MAX_CALLS], *buf, *line;
	size_t nt = 0, nm = 0, i;
	struct proc p;
	json_t *tr, *ev;

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
	for (line = strtok(buf, "\n"); line && nt < MAX_CALLS; line = strtok(NULL, "\n"))
		if (strace__creation(line, one, sizeof(one)))
			theirs[nt++] = strdup(one);
	free(buf);
	json_array_foreach(tr, i, ev) {
		const char *sc = ev__str(ev, "syscall") ?: "null";

		if (!ev__is(ev, "fork") || nm >= MAX_CALLS)
			continue;
		creation__spell(sc, strlen(sc), ev__str(ev, "flags") ?: "null",
				ev__str(ev, "error") ?: "ok", one, sizeof(one));
		mine[nm++] = strdup(one);
	}
	EXPECT_MSG(nt == nm && nt > 0, "strace saw %zu creations, memtrace %zu", nt, nm);
	for (i = 0; i < nt && i < nm; i++)
		EXPECT_MSG(!strcmp(theirs[i], mine[i]), "call %zu: strace %s, memtrace %s", i,
			   theirs[i], mine[i]);
	for (i = 0; i < nt; i++)
		free(theirs[i]);
	for (i = 0; i < nm; i++)
		free(mine[i]);
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
