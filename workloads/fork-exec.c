// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fork-exec - a process starts a copy of itself the way Go's os/exec does:
 * fork(), then exec() of its own binary (found through /proc/self/exe)
 * with a hidden --child option.
 * Parent (local = 10) and child (local = 20) print their PID and the
 * addresses of a global and a local variable.
 *
 * What it shows: two processes, two address spaces. Just after fork the
 * child is a copy of the parent, same addresses and all (the "forked" line).
 * exec then discards that copy and builds a new one, so the child's
 * addresses look alike (same program, same layout) yet with ASLR on they
 * are not equal; and whatever they are, the child writing 20 into its local
 * never changes the parent's 10.
 *
 * In memtrace: `fork` with thread:false from the parent, the child in a new
 * `as`; `exec` of this same binary in the child, which gets yet another `as`
 * (exec replaces the address space) followed by the dynamic loader's burst
 * of mmap/mprotect; the child's `exit` with code --child-exit; then the
 * parent's `exit`.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common.h"

#define PROG		"fork-exec"
#define OPT_CHILD	0x101
#define OPT_CHILD_EXIT	0x102

struct options {
	bool child;		/* we are the exec'd copy */
	int child_exit;		/* code the child exits with */
	const char *json;
};

static int global = 100;

static void usage(void)
{
	printf(
"Usage: " PROG " [--child-exit N] [--json FILE]\n"
"\n"
"Starts a copy of itself with fork + exec (like Go's os/exec). Parent and\n"
"child print their PID, &global and &local: different PIDs, addresses that\n"
"look alike, and separate memory (the child's local=20 is not the parent's).\n"
"\n"
"  --child-exit N  the child exits with code N (0-255, default 0)\n"
"  --json FILE     append a JSON Lines self-report to FILE\n"
"                  (default: $" REPORT_ENV " if set)\n"
"  -h, --help      this help\n"
"\n"
"In memtrace look for: fork (thread:false) from the parent, exec in the\n"
"child with a new address space (as), the child's exit code, the parent's exit.\n"
"\n"
"Examples:\n"
"  " PROG "\n"
"  sudo ./memtrace run " PROG " --child-exit 3\n");
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "child", no_argument, NULL, OPT_CHILD },
		{ "child-exit", required_argument, NULL, OPT_CHILD_EXIT },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CHILD:
			o->child = true;
			break;
		case OPT_CHILD_EXIT:
			o->child_exit = opt__number(PROG, "--child-exit", optarg, 0, 255);
			break;
		case OPT_JSON:
			o->json = optarg;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			opt__unknown(PROG, argv, c);
		}
	}
	if (optind < argc)
		opt__fail(PROG, "unexpected argument '%s'", argv[optind]);
}

static void show(const char *role, const int *local, const char *note)
{
	printf("%-7s pid=%d ppid=%d  &global=%p  &local=%p  local=%d%s\n",
	       role, getpid(), getppid(), (void *)&global, (void *)local,
	       *local, note);
}

static void report_process(const char *role, const int *local)
{
	struct jline j;

	jline__begin(&j, "process");
	jline__str(&j, "role", role);
	jline__int(&j, "ppid", getppid());
	jline__addr(&j, "global_addr", &global);
	jline__addr(&j, "local_addr", local);
	jline__int(&j, "local", *local);
	jline__emit(&j);
}

static int run_child(const struct options *o)
{
	int local = 20;

	show("child", &local, "   (after exec: a new address space)");
	report_process("child", &local);
	return o->child_exit;
}

/*
 * In the forked copy: become a fresh instance of this program. The path
 * /proc/self/exe points at is exec'd rather than the link itself, or the
 * kernel would name the child "exe" (comm is the basename of what is exec'd).
 */
static void __attribute__((noreturn)) exec_self(const struct options *o)
{
	char *args[] = { PROG, "--child", "--child-exit", NULL, NULL, NULL, NULL };
	const char *path = "/proc/self/exe";
	char self[PATH_MAX], code[16];
	ssize_t n;

	n = readlink(path, self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		path = self;
	}
	snprintf(code, sizeof(code), "%d", o->child_exit);
	args[3] = code;
	/* Hand the report on even when it came from --json, not the env. */
	if (report__path()) {
		args[4] = "--json";
		args[5] = (char *)report__path();
	}
	execv(path, args);
	fprintf(stderr, PROG ": exec %s: %s\n", path, strerror(errno));
	_exit(127);
}

static void report_child_exit(pid_t child, int code)
{
	struct jline j;

	jline__begin(&j, "child_exit");
	jline__int(&j, "child_pid", child);
	jline__int(&j, "code", code);
	jline__emit(&j);
}

static int run_parent(const struct options *o)
{
	int local = 10, status;
	pid_t child;

	show("parent", &local, "");
	report_process("parent", &local);
	/* Or the child would inherit, and print, our buffered output. */
	fflush(stdout);

	child = fork();
	if (child < 0) {
		fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0) {
		show("forked", &local, "   (fork's copy of the parent, before exec)");
		fflush(stdout);
		exec_self(o);
	}

	if (waitpid(child, &status, 0) < 0) {
		fprintf(stderr, PROG ": waitpid: %s\n", strerror(errno));
		return 1;
	}
	if (!WIFEXITED(status)) {
		fprintf(stderr, PROG ": child %d did not exit normally (status 0x%x)\n",
			child, status);
		return 1;
	}
	report_child_exit(child, WEXITSTATUS(status));
	printf("parent  child %d exited with code %d; parent's local is still %d\n",
	       child, WEXITSTATUS(status), local);
	return WEXITSTATUS(status) == o->child_exit ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int err;

	parse_args(argc, argv, &o);
	if (report__open(PROG, o.json) < 0)
		return 1;
	err = o.child ? run_child(&o) : run_parent(&o);
	report__close();
	return err;
}
