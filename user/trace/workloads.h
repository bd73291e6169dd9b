/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* workloads - the bundled experiments `memtrace list` shows. */
#ifndef MEMTRACE_WORKLOADS_H
#define MEMTRACE_WORKLOADS_H

#include <stdio.h>

struct workload {
	const char *name;
	const char *lang;	/* "C" or "Go" */
	const char *summary;	/* one line: what it shows */
};

/* NULL-name terminated table, in the order the seed tells the story. */
extern const struct workload workloads__table[];

const struct workload *workloads__find(const char *name);
/* "fork-exec, threads, race, channel, heap, go-exec, ..." */
void workloads__print_names(FILE *out);
/* One line each: name, language and summary. */
void workloads__print_list(FILE *out);

#endif /* MEMTRACE_WORKLOADS_H */
