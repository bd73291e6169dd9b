/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* mermaid - a Mermaid graph TD of a finished analysis (placeholder until the picture lands). */
#ifndef MEMTRACE_MERMAID_H
#define MEMTRACE_MERMAID_H

#include <stdio.h>
#include "analysis.h"
#include "format.h"

/* Returns 0 or -errno with a one-line message in err. */
int mermaid__write(FILE *out, const struct analysis *a, const struct trace_start *st,
		   char *err, size_t errlen);

#endif
