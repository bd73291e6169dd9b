// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_exec - the exec and exit cases of issue 10 §3 that memtrace got
 * wrong, each against what the kernel (wait(2)) or the file system says:
 * an exec failing after its point of no return (path, new as, the calling
 * thread), a multithreaded core dump, nothing of memtrace's launcher after
 * a failed exec, and exec paths longer than 255 bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	20000
#define PYTHON		"/usr/bin/python3"

/* memtrace run -q -f json -o NAME -- argv...; returns the trace, *code its exit status. */
static json_t *run(const char *name, int *code, char *const argv[])
{
	char *args[16] = { "--" };
	int i;

	for (i = 0; argv[i] && i < 14; i++)
		args[i + 1] = argv[i];
	return memtrace__trace(name, RUN_TIMEOUT_MS, code, NULL, args);
}

static void test_no_return(bool thread)
{
	char *argv[] = { (char *)harness_bin("execs"), "noreturn", PYTHON,
			 thread ? "thread" : NULL, NULL };
	json_t *tr, *ev, *fail = NULL;
	long long pid, main_as = 0;
	size_t i;
	int code;

	if (access(PYTHON, X_OK)) {
		harness_skip("%s is not installed", PYTHON);
		return;
	}
	tr = run(thread ? "noreturn-thread.jsonl" : "noreturn.jsonl", &code, argv);
	ASSERT(tr);
	EXPECT_EQ(code, 128 + 11);
	pid = trace__root_pid(tr);
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "exec") && !ev__str(ev, "error"))
			main_as = ev__int_or(ev, "as", -1);
		if (ev__is(ev, "exec") && ev__str(ev, "error"))
			fail = ev;
	}
	ASSERT_MSG(fail, "no failed exec in the trace");
	harness_diag("%s", ev__show(fail));
	EXPECT_STREQ(ev__str(fail, "error"), "ENOMEM");
	EXPECT_STREQ(ev__str(fail, "filename"), PYTHON);
	/* the old image is gone: the process is in a new (half-built) address space */
	EXPECT_EQ(ev__int_or(fail, "old_as", -1), main_as);
	EXPECT_MSG(ev__int_or(fail, "as", -1) != main_as, "as == old_as after the point of no return");
	EXPECT_EQ(ev__int_or(fail, "tid", -1), pid);
	if (thread)
		EXPECT_MSG(ev__int_or(fail, "old_tid", -1) > pid,
			   "no old_tid of the calling thread: %s", ev__show(fail));
	ev = trace__exit_of(tr, pid);
	ASSERT_MSG(ev, "no process exit");
	EXPECT_EQ(ev__int_or(ev, "signal", -1), 11);
	EXPECT_EQ(ev__int_or(ev, "as", -1), ev__int_or(fail, "as", -2));
	json_decref(tr);
}

static void test_no_return_main(void)
{
	test_no_return(false);
}

static void test_no_return_thread(void)
{
	test_no_return(true);
}

/* The process exit says what wait(2) says: killed by SIGABRT, core dumped. */
static void test_core_dump_threads(void)
{
	char *argv[] = { (char *)harness_bin("execs"), "core", NULL };
	json_t *tr, *ex;
	struct proc p;
	bool core;
	int code;

	/* the kernel writes the core file in the cwd: keep it out of the tree */
	if (chdir(harness_tmpdir()))
		harness_diag("chdir: %m");
	proc__run(&p, RUN_TIMEOUT_MS, harness_bin("execs"), "core", NULL);
	core = WIFSIGNALED(p.status) && WCOREDUMP(p.status);
	proc__free(&p);
	if (!core) {
		harness_skip("no core dump here even untraced (core_pattern, limits)");
		return;
	}
	tr = run("core.jsonl", &code, argv);
	ASSERT(tr);
	EXPECT_EQ(code, 128 + 6);
	ex = trace__exit_of(tr, trace__root_pid(tr));
	ASSERT_MSG(ex, "no process exit");
	EXPECT_EQ(ev__int_or(ex, "signal", -1), 6);
	EXPECT_MSG(ev__bool(ex, "core", &core) && core, "not core dumped: %s", ev__show(ex));
	json_decref(tr);
}

/* A file without #! fails with ENOEXEC: then only that exec, nothing of the launcher. */
static void test_enoexec_launcher(void)
{
	const char *f = harness_tmp("no-shebang");
	char *argv[] = { (char *)f, NULL };
	json_t *tr, *ev;
	FILE *fp = fopen(f, "w");
	size_t i, n = 0;
	int code;

	ASSERT(fp);
	fputs("echo hi\n", fp);
	fclose(fp);
	chmod(f, 0755);
	tr = run("enoexec.jsonl", &code, argv);
	ASSERT(tr);
	EXPECT_EQ(code, 126);
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "start") || ev__is(ev, "summary"))
			continue;
		n++;
		EXPECT_MSG(ev__is(ev, "exec") && !strcmp(ev__str(ev, "error") ?: "", "ENOEXEC"),
			   "memtrace's launcher is in the trace: %s", ev__show(ev));
	}
	EXPECT_EQ(n, 1);
	json_decref(tr);
}

/* A path of 300 bytes comes out whole, without a truncation flag. */
static void test_long_path(void)
{
	char dir[1024], path[1100], cmd[2300];
	char *argv[] = { path, NULL };
	json_t *tr, *ev, *ex = NULL;
	struct proc p;
	size_t i;
	int code;

	snprintf(dir, sizeof(dir), "%s/%0120d/%0120d", harness_tmpdir(), 1, 2);
	snprintf(path, sizeof(path), "%s/true", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cp /bin/true %s", dir, path);
	proc__run(&p, RUN_TIMEOUT_MS, "sh", "-c", cmd, NULL);
	proc__free(&p);
	ASSERT(strlen(path) > 255);
	tr = run("longpath.jsonl", &code, argv);
	ASSERT(tr);
	EXPECT_EQ(code, 0);
	json_array_foreach(tr, i, ev)
		if (ev__is(ev, "exec"))
			ex = ev;
	ASSERT_MSG(ex, "no exec");
	EXPECT_STREQ(ev__str(ex, "filename"), path);
	EXPECT_MSG(!json_object_get(ex, "filename_truncated"), "truncated: %s", ev__show(ex));
	json_decref(tr);
}

static const struct harness_test tests[] = {
	{ "exec failing after the point of no return: path, new as, SIGSEGV",
	  test_no_return_main, true },
	{ "the same from a non-leader thread: old_tid is the caller, tid the pid",
	  test_no_return_thread, true },
	{ "multithreaded core dump: the process exit says core dumped, as wait(2)",
	  test_core_dump_threads, true },
	{ "ENOEXEC: the failed exec only, nothing of memtrace's launcher",
	  test_enoexec_launcher, true },
	{ "exec path of 300 bytes: whole, not truncated", test_long_path, true },
	{ NULL, NULL, false },
};

int main(void)
{
	return harness_main(tests);
}
