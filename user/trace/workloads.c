// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "workloads.h"

const struct workload workloads__table[] = {
	{ "fork-exec", "parent and a fork+exec'd copy of itself: same-looking addresses, separate address spaces" },
	{ "threads",   "threads share one address space (same pid, same globals) with a stack each" },
	{ "race",      "unsynchronised counter: updates get lost (--fixed: atomic, always exact)" },
	{ "channel",   "producers and a consumer over a bounded channel: safe, deterministic" },
	{ "heap",      "stack vs heap: small mallocs grow the heap with brk, large ones get their own mmap" },
	{ NULL, NULL },
};

const struct workload *workloads__find(const char *name)
{
	const struct workload *w;

	for (w = workloads__table; w->name; w++)
		if (!strcmp(w->name, name))
			return w;
	return NULL;
}

void workloads__print_names(FILE *out)
{
	const struct workload *w;

	for (w = workloads__table; w->name; w++)
		fprintf(out, "%s%s", w == workloads__table ? "" : ", ", w->name);
}

void workloads__print_list(FILE *out)
{
	const struct workload *w;

	for (w = workloads__table; w->name; w++)
		fprintf(out, "%-10s %s\n", w->name, w->summary);
}
