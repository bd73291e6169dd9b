/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * perfetto - a trace as a Chrome trace-event JSON timeline, for
 * ui.perfetto.dev and chrome://tracing (docs/report.md, "The Perfetto
 * export", says what each track, slice and counter is):
 *
 *   M  process_name / thread_name / process_sort_index: a track per
 *      process and per thread, named by its comm;
 *   X  each task's life, from its fork (or first event) to its exit;
 *      each fork as a zero-length slice inside the parent's life;
 *   i  every other event, its full JSON Lines record as args;
 *   C  per process: mapped bytes (accessible, reserved) and heap size;
 *   flows (v2, bind_id) from a fork slice to the child's life slice:
 *      Perfetto binds flows to slices only, never to instants.
 *
 * The export streams: memory grows with live tasks, not with events.
 */
#ifndef MEMTRACE_PERFETTO_H
#define MEMTRACE_PERFETTO_H

#include <stdio.h>
#include "analysis.h"
#include "reader.h"

/*
 * Reads every event of r, feeds it to a (analysis__feed) and writes the
 * timeline to out. Returns 0, or -errno with a one-line message in err.
 */
int perfetto__write(FILE *out, struct reader *r, struct analysis *a, char *err, size_t errlen);

#endif /* MEMTRACE_PERFETTO_H */
