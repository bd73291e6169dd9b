// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * memtrace - trace what the kernel does to a program's tasks and memory.
 * main() only dispatches: each command lives in its own file (run.c).
 */
#include <stdio.h>
#include <string.h>
#include "report.h"
#include "run.h"
#include "workloads.h"

static const char usage[] =
"Usage: memtrace COMMAND [ARGS...]\n"
"\n"
"Trace, from the kernel's side, what a program does to its tasks and its\n"
"memory: fork/clone, exec, exit, mmap, munmap, brk, mprotect, mremap.\n"
"\n"
"Commands:\n"
"  run        run a bundled workload or any command under the tracer\n"
"  report     turn a saved JSON trace into answers and pictures (no root needed)\n"
"  list       list the bundled workloads\n"
"  help       this help (`memtrace run --help` for run's options)\n"
"  version    print the version\n"
"\n"
"Examples:\n"
"  sudo memtrace run threads                   # a bundled experiment\n"
"  sudo memtrace run -f json -o t.jsonl fork-exec\n"
"  sudo memtrace run -- ls /                   # any command\n"
"  memtrace report t.jsonl                     # tree, maps, what the trace shows\n"
"  memtrace list\n"
"\n"
"The event schema is documented in docs/events.md and memtrace(1).\n";

static int cmd_list(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "memtrace: list takes no arguments\n");
		return 2;
	}
	workloads__print_list(stdout);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	fputs(usage, stdout);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	printf("memtrace %s\n", MEMTRACE_VERSION);
	return 0;
}

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "run",	cmd_run },
	{ "report",	cmd_report },
	{ "list",	cmd_list },
	{ "help",	cmd_help },
	{ "--help",	cmd_help },
	{ "-h",		cmd_help },
	{ "version",	cmd_version },
	{ "--version",	cmd_version },
	{ "-V",		cmd_version },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		fprintf(stderr, "memtrace: no command given (commands: run, report, list, help, version)\n"
			"Try 'memtrace --help' for more information.\n");
		return 2;
	}
	for (c = cmds; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "memtrace: unknown command '%s' (commands: run, report, list, help, version)\n"
		"Try 'memtrace --help' for more information.\n", argv[1]);
	return 2;
}
