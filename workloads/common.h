/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * common - what every workload shares: the JSON Lines self-report, option
 * parsing helpers and a /proc/self/maps lookup.
 *
 * The self-report is how a workload tells a test (or a curious reader) what
 * it saw from the inside, so that memtrace's view from the kernel can be
 * compared with it. One object per line, each line written with a single
 * write() to a file opened with O_APPEND, so lines written by a parent, its
 * children and its threads never interleave. Every line starts with
 *	{"workload":"NAME","kind":"KIND","pid":N,"tid":N, ...
 * addresses are hex strings ("0x7f3a0d5d5000"), sizes and counts numbers.
 */
#ifndef WORKLOADS_COMMON_H
#define WORKLOADS_COMMON_H

#include <stdbool.h>
#include <stddef.h>

/* Environment variable naming the report file when --json is not given. */
#define REPORT_ENV	"MEMTRACE_SELF_REPORT"

/* Long-only options shared by the workloads (getopt_long values). */
#define OPT_JSON	0x100

/* Big enough for any line we write, including a maps path. */
#define JLINE_MAX	8192

/* One self-report line being built; lives on the caller's stack. */
struct jline {
	char buf[JLINE_MAX];
	size_t len;
	bool overflow;		/* something did not fit: the line is dropped */
};

/*
 * Opens the report file: `path`, or $MEMTRACE_SELF_REPORT when path is NULL.
 * Neither set means no report, and jline__emit() does nothing. Returns 0,
 * or -errno after printing why on stderr.
 */
int report__open(const char *workload, const char *path);
/* The path the report goes to, NULL if none (to hand on to a child). */
const char *report__path(void);
void report__close(void);

/* Starts a line with the workload, kind, pid and tid. */
void jline__begin(struct jline *j, const char *kind);
void jline__str(struct jline *j, const char *key, const char *val);
void jline__int(struct jline *j, const char *key, long long val);
void jline__addr(struct jline *j, const char *key, const void *addr);
void jline__bool(struct jline *j, const char *key, bool val);
/* Closes the object and writes it with one write(). Returns 0 or -errno. */
int jline__emit(struct jline *j);

/*
 * Option helpers: on bad input they print one line on stderr and exit(2).
 * opt__number() parses a decimal in [min, max]; opt__unknown() reports what
 * getopt_long returned '?' or ':' for (optstring must start with ':').
 */
long opt__number(const char *prog, const char *opt, const char *arg,
		 long min, long max);
void opt__unknown(const char *prog, char **argv, int c);
void opt__fail(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * Which region of /proc/self/maps holds addr: "[heap]", "[stack]", a file
 * path, "anonymous" for an unnamed mapping, or "unmapped". Written into buf
 * (size n), which is returned. Uses only open/read/close, never malloc, so
 * it does not disturb the heap it is asked about.
 */
char *region_of(const void *addr, char *buf, size_t n);

#endif /* WORKLOADS_COMMON_H */
