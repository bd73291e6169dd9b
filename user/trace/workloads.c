// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "workloads.h"

const struct workload workloads__table[] = {
	{ "fork-exec", "C", "parent and a fork+exec'd copy of itself: same-looking addresses, separate address spaces" },
	{ "threads",   "C", "threads share one address space (same pid, same globals) with a stack each" },
	{ "race",      "C", "unsynchronised counter: updates get lost (--fixed: atomic, always exact)" },
	{ "channel",   "C", "producers and a consumer over a bounded channel: safe, deterministic" },
	{ "heap",      "C", "stack vs heap: small mallocs grow the heap with brk, large ones get their own mmap" },
	{ "go-exec",       "Go", "os/exec runs a copy of itself: a vfork-style clone in the parent's address space, then exec" },
	{ "go-goroutines", "Go", "1000 goroutines on a few OS threads, their stacks and locals in the Go heap arena" },
	{ "go-race",       "Go", "unsynchronised goroutines lose updates (--fixed: mutex; make workloads-race: -race)" },
	{ "go-channel",    "Go", "producer and consumer goroutines over a channel: exact, no syscall while they talk" },
	{ "go-heap",       "Go", "escape analysis and the GC heap: 64 MiB arenas reserved, committed with MAP_FIXED, no brk" },
	{ NULL, NULL, NULL },
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
		fprintf(out, "%-14s %-3s %s\n", w->name, w->lang, w->summary);
}
