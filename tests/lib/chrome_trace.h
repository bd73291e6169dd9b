/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * chrome_trace - a structural checker for Chrome trace-event JSON, what
 * `memtrace report --perfetto` writes. It checks what Perfetto's JSON
 * importer and chrome://tracing rely on, and stops at the first problem:
 *
 * - the document is {"traceEvents":[...]} (or a bare array);
 * - every event has ph (one known phase letter), a numeric ts, integer pid
 *   and tid;
 * - X slices have a numeric dur >= 0 and, per thread (pid, tid), nest or
 *   are disjoint, never partially overlapping;
 * - every flow id (v2 bind_id on slices, or v1 s/f ids) has exactly one
 *   start and one end, the end not before the start, and v2 flows sit on
 *   slices (X/B), never on instants, which Perfetto cannot bind to;
 * - counters (C) have a non-empty args object of numbers;
 * - every pid has a process_name and every (pid, tid) a thread_name;
 * - addresses in args (addr, hint, req, old_addr, new_addr) are "0x" hex
 *   strings, as in the JSON Lines schema.
 */
#ifndef MEMTRACE_CHROME_TRACE_H
#define MEMTRACE_CHROME_TRACE_H

#include <stddef.h>
#include <jansson.h>

struct chrome_trace_stats {
	size_t events, slices, instants, counters, metadata, flows;
	size_t processes, threads;
};

/*
 * Checks a parsed document. Returns 0, or -1 with the first problem in
 * why ("event 12: ts is not a number"). stats may be NULL.
 */
int chrome_trace__check(const json_t *doc, struct chrome_trace_stats *stats,
			char *why, size_t n);
/* The same on a file (a parse error is a problem too). */
int chrome_trace__check_file(const char *path, struct chrome_trace_stats *stats,
			     char *why, size_t n);

#endif /* MEMTRACE_CHROME_TRACE_H */
