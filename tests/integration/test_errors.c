// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_errors - what the user sees when memtrace cannot do what was asked:
 * a one-line "memtrace: ..." on stderr (usage errors add a "Try ... --help"
 * hint), the documented exit status, no events on stdout, the workload not
 * run, and no BPF program left behind. Also the help and version commands.
 *
 * Most of these fail before any BPF is loaded, so they run without root;
 * only the leftover check needs bpftool, hence root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	20000

/* How the message must look: the first line, and how many lines in all. */
static void expect_message(const struct proc *p, const char *needle, size_t lines)
{
	EXPECT_MSG(!strncmp(p->err, "memtrace: ", 10),
		   "stderr does not start with \"memtrace: \": \"%s\"", p->err);
	EXPECT_MSG(text__lines(p->err) == lines, "stderr has %zu lines, expected %zu: \"%s\"",
		   text__lines(p->err), lines, p->err);
	if (needle)
		EXPECT_MSG(strstr(p->err, needle), "stderr lacks \"%s\": \"%s\"", needle, p->err);
	EXPECT_MSG(p->out_len == 0, "stdout is not empty: \"%s\"", p->out);
}

/* A usage error: exit 2, the message, then the hint to --help. */
static void expect_usage_error(const struct proc *p, const char *needle)
{
	EXPECT_EQ(p->code, 2);
	expect_message(p, needle, 2);
	EXPECT_MSG(strstr(p->err, "--help"), "no hint to --help: \"%s\"", p->err);
}

/* As root, memtrace's programs must all be gone (the kernel frees them late). */
static void expect_nothing_attached(const struct bpf_snapshot *base)
{
	if (geteuid() != 0)
		return;
	EXPECT_EQ(bpf__leftovers(base, 3000), 0);
}

static void test_not_root(void)
{
	const char *marker = harness_tmp("not-root-marker");
	struct bpf_snapshot base;
	struct proc p;
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	if (geteuid() == 0) {
		bpf__snapshot(&base);
		/* nobody: uid and gid 65534, no supplementary groups, no capabilities */
		proc__run(&p, RUN_TIMEOUT_MS, "setpriv", "--reuid=65534", "--regid=65534",
			  "--clear-groups", "--inh-caps=-all", harness_memtrace(), "run", "--",
			  "sh", "-c", cmd, NULL);
	} else {
		proc__run(&p, RUN_TIMEOUT_MS, harness_memtrace(), "run", "--", "sh", "-c", cmd,
			  NULL);
	}
	EXPECT_EQ(p.code, 1);
	expect_message(&p, "sudo", 1);
	EXPECT_MSG(!file__exists(marker), "the workload ran although memtrace could not trace it");
	if (geteuid() == 0)
		expect_nothing_attached(&base);
	proc__free(&p);
}

/* Every name `memtrace list` prints must be offered in the message. */
static void test_unknown_workload(void)
{
	struct proc list, p;
	char *line, *save = NULL, name[64];
	int names = 0;

	/* its own hint (put a command after --) stands in for --help's */
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "no-such-workload", NULL);
	EXPECT_EQ(p.code, 2);
	expect_message(&p, "no-such-workload", 1);
	memtrace__run(&list, RUN_TIMEOUT_MS, "list", NULL);
	EXPECT_EQ(list.code, 0);
	for (line = strtok_r(list.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%63s", name) != 1)
			continue;
		names++;
		EXPECT_MSG(strstr(p.err, name), "`memtrace list` has '%s', the message not: %s",
			   name, p.err);
	}
	EXPECT_MSG(names >= 2, "`memtrace list` printed %d names: \"%s\"", names, list.out);
	proc__free(&list);
	proc__free(&p);
}

static void test_command_not_found(void)
{
	struct bpf_snapshot base;
	struct proc p;

	bpf__snapshot(&base);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--", "memtrace-no-such-command", NULL);
	EXPECT_EQ(p.code, 127);
	expect_message(&p, "memtrace-no-such-command", 1);
	EXPECT_MSG(strstr(p.err, "not found"), "message does not say not found: %s", p.err);
	proc__free(&p);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--", "/nonexistent/bin/x", NULL);
	EXPECT_EQ(p.code, 127);
	expect_message(&p, "/nonexistent/bin/x", 1);
	/* a path is not looked up in PATH: what is wrong is the path */
	EXPECT_MSG(strstr(p.err, "No such file or directory"), "message does not say why: %s", p.err);
	proc__free(&p);
	expect_nothing_attached(&base);
}

/* A file that is not executable: 126, like a shell says. */
static void test_not_executable(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--", "/etc/passwd", NULL);
	EXPECT_EQ(p.code, 126);
	expect_message(&p, "/etc/passwd", 1);
	proc__free(&p);
}

static void test_unwritable_output(void)
{
	const char *marker = harness_tmp("unwritable-marker");
	struct bpf_snapshot base;
	struct proc p;
	char cmd[512];

	bpf__snapshot(&base);
	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-o", "/nonexistent/dir/x", "--",
		      "sh", "-c", cmd, NULL);
	EXPECT_EQ(p.code, 1);
	expect_message(&p, "/nonexistent/dir/x", 1);
	EXPECT_MSG(!file__exists(marker), "the workload ran though the output could not be opened");
	proc__free(&p);
	expect_nothing_attached(&base);
}

/* The output opens but cannot take the trace (disk full): nothing runs. */
static void test_full_output(void)
{
	const char *marker = harness_tmp("full-marker");
	struct bpf_snapshot base;
	struct proc p;
	char cmd[512];

	bpf__snapshot(&base);
	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-f", "json", "-o", "/dev/full", "--",
		      "sh", "-c", cmd, NULL);
	EXPECT_EQ(p.code, 1);
	expect_message(&p, "No space left on device", 1);
	EXPECT_MSG(!file__exists(marker), "the workload ran though its trace could not be written");
	proc__free(&p);
	expect_nothing_attached(&base);
}

/*
 * Too few file descriptors (ulimit -n) for the maps and programs: one line
 * that says so, whichever loader ran out first, nothing more from
 * --report, the workload not run, no BPF object left. libbpf's loader
 * can turn the shortage into "Invalid argument", and a failed load is no
 * verifier matter.
 */
static void test_few_fds(void)
{
	const char *marker = harness_tmp("few-fds-marker");
	struct bpf_snapshot base;
	char cmd[1024];
	struct proc p;
	int n, failed = 0;

	bpf__snapshot(&base);
	for (n = 12; n <= 40; n += 2) {
		unlink(marker);
		snprintf(cmd, sizeof(cmd), "ulimit -n %d && exec %s run %s -- touch %s", n,
			 harness_memtrace(), n % 4 ? "--report" : "-q -o /dev/null", marker);
		proc__run(&p, RUN_TIMEOUT_MS, "sh", "-c", cmd, NULL);
		if (p.code == 0) {
			proc__free(&p);
			continue;
		}
		failed++;
		EXPECT_MSG(p.code == 1, "ulimit -n %d: exit %d", n, p.code);
		EXPECT_MSG(!strncmp(p.err, "memtrace: ", 10) && text__lines(p.err) == 1,
			   "ulimit -n %d: not one line: %s", n, p.err);
		EXPECT_MSG(strstr(p.err, "Too many open files") && !strstr(p.err, "verifier"),
			   "ulimit -n %d: does not say what ran out: %s", n, p.err);
		EXPECT_MSG(!file__exists(marker), "ulimit -n %d: the workload ran untraced", n);
		proc__free(&p);
	}
	EXPECT_MSG(failed > 0, "no ulimit -n from 12 to 40 was too few: test nothing");
	expect_nothing_attached(&base);
}

/* Inside a PID namespace our pids are not the kernel's: refuse, don't mis-trace. */
static void test_pid_namespace(void)
{
	struct proc p;

	proc__run(&p, RUN_TIMEOUT_MS, "unshare", "-fp", "--mount-proc", harness_memtrace(),
		  "run", "--", "/bin/true", NULL);
	EXPECT_EQ(p.code, 1);
	expect_message(&p, "PID namespace", 1);
	proc__free(&p);
}

static void test_bad_option(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--no-such-option", "--", "/bin/true", NULL);
	expect_usage_error(&p, "--no-such-option");
	proc__free(&p);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-Z", "--", "/bin/true", NULL);
	expect_usage_error(&p, "-Z");
	proc__free(&p);

	/* an option without its value */
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-f", NULL);
	expect_usage_error(&p, "-f");
	proc__free(&p);
}

static void test_bad_format(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--format", "yaml", "--", "/bin/true", NULL);
	expect_usage_error(&p, "yaml");
	proc__free(&p);
}

static void test_bad_buffer_size(void)
{
	static const char *const bad[] = { "3M", "lots", "-8M", "1K", "2G", "" };
	struct proc p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool ok = harness_ok();

		memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--buffer-size", bad[i], "--", "/bin/true",
			      NULL);
		expect_usage_error(&p, NULL);
		if (ok && !harness_ok())
			harness_diag("with --buffer-size '%s'", bad[i]);
		proc__free(&p);
	}
}

static void test_bad_pid(void)
{
	struct proc p;
	pid_t dead;
	char arg[32];

	/* a valid pid number (below 2^30) that no process has */
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-p", "999999999", NULL);
	EXPECT_EQ(p.code, 1);
	expect_message(&p, "999999999", 1);
	proc__free(&p);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-p", "abc", NULL);
	expect_usage_error(&p, "abc");
	proc__free(&p);

	/* a pid that existed a moment ago: reaped, so now it does not */
	dead = fork();
	if (dead == 0)
		_exit(0);
	ASSERT(dead > 0);
	waitpid(dead, NULL, 0);
	snprintf(arg, sizeof(arg), "%d", (int)dead);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-p", arg, NULL);
	EXPECT_EQ(p.code, 1);
	expect_message(&p, arg, 1);
	proc__free(&p);

	/* ended but not reaped yet (a zombie): as dead, not an empty trace and exit 0 */
	dead = fork();
	if (dead == 0)
		_exit(0);
	ASSERT(dead > 0);
	ASSERT(!waitid(P_PID, dead, NULL, WEXITED | WNOWAIT));
	snprintf(arg, sizeof(arg), "%d", (int)dead);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-p", arg, NULL);
	waitpid(dead, NULL, 0);
	EXPECT_EQ(p.code, 1);
	expect_message(&p, arg, 1);
	expect_message(&p, "exited", 1);
	proc__free(&p);
}

static void test_no_args(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, NULL);
	EXPECT_EQ(p.code, 2);
	/* a one-line error naming the commands, then the --help hint */
	EXPECT_MSG(strstr(p.err, "memtrace: no command given") && strstr(p.err, "--help"),
		   "no one-line error with a --help hint on stderr: \"%s\"", p.err);
	EXPECT_MSG(p.out_len == 0, "stdout is not empty: \"%s\"", p.out);
	proc__free(&p);

	/* `run` with nothing to run */
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", NULL);
	expect_usage_error(&p, NULL);
	proc__free(&p);
}

static void test_bogus_command(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "bogus", NULL);
	expect_usage_error(&p, "bogus");
	proc__free(&p);
}

/* An early exit must not close fd 0 (a zeroed tracer once had stats_fd 0). */
static void test_early_exit_keeps_stdin(void)
{
	const char *log = harness_tmp("close.strace");
	struct proc p;
	char *buf;

	proc__run(&p, RUN_TIMEOUT_MS, "strace", "-qq", "-e", "trace=close", "-o", log,
		  harness_memtrace(), "run", "--bogus", NULL);
	proc__free(&p);
	buf = file__read(log, NULL);
	if (!EXPECT_MSG(buf, "strace wrote nothing (is strace installed? scripts/deps.sh installs it)"))
		return;
	EXPECT_MSG(!strstr(buf, "close(0)"), "memtrace run --bogus closed fd 0:\n%s", buf);
	free(buf);
}

static void test_version(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "--version", NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT_MSG(!strncmp(p.out, "memtrace ", 9) && p.out[9] >= '0' && p.out[9] <= '9',
		   "unexpected version line: \"%s\"", p.out);
	EXPECT_EQ(p.err_len, 0);
	proc__free(&p);
}

static void expect_help(const struct proc *p, const char *usage_line)
{
	EXPECT_EQ(p->code, 0);
	EXPECT_MSG(strstr(p->out, usage_line), "stdout lacks \"%s\"", usage_line);
	EXPECT_MSG(strstr(p->out, "Examples"), "stdout lacks \"Examples\"");
	EXPECT_MSG(p->err_len == 0, "stderr is not empty: \"%s\"", p->err);
}

static void test_help(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "--help", NULL);
	expect_help(&p, "Usage: memtrace");
	proc__free(&p);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--help", NULL);
	expect_help(&p, "Usage: memtrace run");
	EXPECT_MSG(strstr(p.out, "--buffer-size"), "run --help does not list --buffer-size");
	proc__free(&p);
}

static const struct harness_test tests[] = {
	{ "not root: exit 1, says sudo, workload not run", test_not_root, false },
	{ "unknown workload: exit 2, lists the workloads", test_unknown_workload, false },
	{ "command not found: exit 127", test_command_not_found, false },
	{ "command not executable: exit 126", test_not_executable, false },
	{ "unwritable -o: exit 1, workload not run", test_unwritable_output, false },
	{ "-o /dev/full: exit 1, workload not run", test_full_output, true },
	{ "in a PID namespace: a clear error, exit 1", test_pid_namespace, true },
	{ "ulimit -n too low: one line that says so", test_few_fds, true },
	{ "unknown option: exit 2 with a hint", test_bad_option, false },
	{ "bad --format: exit 2", test_bad_format, false },
	{ "bad --buffer-size: exit 2", test_bad_buffer_size, false },
	{ "bad or dead -p pid: error", test_bad_pid, false },
	{ "no arguments: one-line error, exit 2", test_no_args, false },
	{ "unknown command: exit 2", test_bogus_command, false },
	{ "an early exit leaves fd 0 open", test_early_exit_keeps_stdin, false },
	{ "--version: exit 0", test_version, false },
	{ "--help and run --help: usage with examples", test_help, false },
	{ NULL, NULL, false },
};

int main(void)
{
	return harness_main(tests);
}
