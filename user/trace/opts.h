/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * opts - the command line of `memtrace run`, parsed into struct run_opts.
 * Kept apart from main() so that the unit tests can feed it bad input.
 */
#ifndef MEMTRACE_OPTS_H
#define MEMTRACE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "format.h"

/*
 * Ring buffer, bytes. Every record is written to memory the ring last
 * touched one lap ago: the smaller the lap, the likelier those lines are
 * still in cache. 2 MiB instead of 8 MiB took ~250 ns off each event in
 * the kernel on the PVM host (docs/performance.md, fifth session).
 */
#define MT_DEFAULT_BUFFER	(2ULL << 20)
#define MT_MIN_BUFFER		(4096ULL)
#define MT_MAX_BUFFER		(1ULL << 30)
#define MT_MIN_ROTATE		(64ULL << 10)	/* --rotate: below, start and summary dominate */
#define MT_MAX_ROTATE_COUNT	10000	/* each rotation renames every file kept */

/* memtrace's own exit statuses (otherwise it exits with the program's). */
#define MT_EXIT_FAILURE		1	/* could not trace, or writing the trace failed */
#define MT_EXIT_USAGE		2	/* bad command line */
#define MT_EXIT_LOSS		3	/* --fail-on-loss and events were lost */

struct run_opts {
	enum mt_format fmt;
	const char *output;	/* NULL or "-": stdout */
	uint64_t buffer_size;	/* power of two, page multiple */
	pid_t attach_pid;	/* -p, 0 if none */
	bool all;		/* -a: every process */
	bool verbose;		/* libbpf's messages too */
	bool quiet;		/* no summary on stderr */
	bool cost;		/* --cost: measure the BPF programs' kernel time */
	bool report;		/* --report: the report of the trace at the end */
	const char *html;	/* --html FILE: the HTML page of the trace at the end, or NULL */
	bool fail_on_loss;	/* --fail-on-loss: exit MT_EXIT_LOSS if any event is missing */
	const char *user;	/* -u: run the program as this user (name or uid), or NULL */
	const char *cgroup;	/* --cgroup: only processes of this cgroup v2 directory */
	uint64_t rotate_size;	/* --rotate: start a new -o file at this size; 0: never */
	uint32_t rotate_count;	/* --rotate: old files kept (FILE.1...); 0: all */
	/* issue 11: -1 until decided (opts__memory_defaults) */
	int faults;		/* 0 off, 1 aggregated per region, 2 every fault (--faults=all) */
	int rss;		/* 0 off, 1 rss records */
	uint64_t rss_step;	/* --rss-step bytes; 0: max(1 MiB, RSS/64) */
	bool is_command;	/* argv came after `--` */
	int argc;		/* workload name or command, with its arguments */
	char **argv;
};

/*
 * Parses the arguments after "run" (argv[0] is "run"). On error returns
 * -EINVAL and writes a one-line message (no "memtrace: " prefix) to err.
 * Returns 1 when --help was asked for.
 */
int opts__parse_run(int argc, char **argv, struct run_opts *o, char *err, size_t errlen);
/*
 * issue 11: faults and rss left undecided by the command line get their
 * default: on for a bundled workload (showing memory is what they are
 * for), off otherwise (docs/performance.md: what they cost).
 */
void opts__memory_defaults(struct run_opts *o);
/* "8M", "16MiB", "65536", "1G" -> bytes. Returns 0 or -EINVAL. */
int opts__parse_size(const char *s, uint64_t *bytes);
/* The usage text of `memtrace run`. */
extern const char opts__run_usage[];

#endif /* MEMTRACE_OPTS_H */
