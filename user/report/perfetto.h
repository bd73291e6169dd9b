/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* perfetto - a Chrome trace-event JSON timeline of a trace (placeholder until the export lands). */
#ifndef MEMTRACE_PERFETTO_H
#define MEMTRACE_PERFETTO_H

#include <stdio.h>
#include "analysis.h"
#include "reader.h"

/* Streams every event of r through a into out. Returns 0 or -errno with err. */
int perfetto__write(FILE *out, struct reader *r, struct analysis *a, char *err, size_t errlen);

#endif
