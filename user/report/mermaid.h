/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mermaid - the seed article's `graph TD` pictures, drawn for any trace
 * from a finished analysis (docs/report.md, "The Mermaid picture"):
 *
 * - a subgraph per address space, holding the main thread of each process
 *   that used it, its other threads with their stacks, and its heap;
 * - each thread is linked to the heap it shares;
 * - edges between address spaces: fork (copy), exec (replaces); vfork and
 *   CLONE_VM processes share one subgraph (shares).
 *
 * Large traces are collapsed (the first address spaces and threads are
 * drawn, the rest counted in "... more" nodes) so that the text stays well
 * under Mermaid's default 50,000-character limit and 500 edges. Node ids
 * are made of numbers only; every label is escaped (Mermaid entity codes),
 * so no comm or file name can break the diagram.
 */
#ifndef MEMTRACE_MERMAID_H
#define MEMTRACE_MERMAID_H

#include <stdio.h>
#include "analysis.h"
#include "format.h"

/* The most text mermaid__write produces: Mermaid's maxTextSize is 50,000. */
#define MERMAID_MAX_TEXT	40000
/* The most edges it draws: Mermaid's maxEdges is 500. */
#define MERMAID_MAX_EDGES	400

/* Writes the picture of a to out. Returns 0 or -errno with a one-line message in err. */
int mermaid__write(FILE *out, const struct analysis *a, const struct trace_start *st,
		   char *err, size_t errlen);

#endif /* MEMTRACE_MERMAID_H */
