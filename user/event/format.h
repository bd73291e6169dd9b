/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * format - writes decoded events (event.h) as the text, JSON Lines and CSV
 * streams documented in docs/events.md, and the start and summary records.
 */
#ifndef MEMTRACE_FORMAT_H
#define MEMTRACE_FORMAT_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "memtrace.h"
#include "event.h"
#include "outbuf.h"

/* JSON "schema" field of the start record; bump on an incompatible change. */
#define MT_SCHEMA_VERSION	1

enum mt_format {
	MT_FMT_TEXT,
	MT_FMT_JSON,
	MT_FMT_CSV,
};

/* What the start record says about the trace. */
struct trace_start {
	const char *command;		/* argv joined with spaces, or "pid 1234" / "all" */
	const char *target;		/* "workload", "command", "pid" or "all" */
	const char *kernel_release;	/* uname -r */
	const char *version;		/* memtrace version */
	const char *hostname;		/* uname -n, NULL if unknown */
	const char *boot_id;		/* /proc/sys/kernel/random/boot_id, NULL if unknown */
	int64_t wall_start_ns;		/* CLOCK_REALTIME at ts 0, ns since the epoch */
	uint32_t root_pid;		/* the launched/attached pid, 0 for -a */
	uint32_t part;			/* file number of a split trace (--rotate, SIGHUP), 0 if none */
};

/* One BPF program's kernel time (kernel.bpf_stats_enabled), for --cost. */
struct hook_cost {
	char hook[32];		/* the tracepoint: "sys_exit", "task_newtask", ... */
	uint64_t runs;
	uint64_t ns;
};

/* Slots of the per-type counters: room for event types yet to come. */
#define MT_COUNT_SLOTS	32
#define MT_COST_SLOTS	16	/* every program of the object: with -m there are more than 8 */

/* What the summary record says; counts and lost are indexed by enum mt_event_type. */
struct trace_summary {
	uint64_t events[MT_COUNT_SLOTS];
	uint64_t lost[MT_COUNT_SLOTS];	/* ring buffer full, per type */
	/*
	 * Events the kernel never produced because the program was already
	 * running on that CPU (a task preempted inside it): the kernel's
	 * per-program recursion_misses. Type unknown; part of the lost total.
	 */
	uint64_t missed;
	/*
	 * New processes not followed because the pid filter (`traced`) was
	 * full: their events are missing. Address spaces that got no id
	 * because `mm_ids` was full: their events carry as 0. The BPF side's
	 * untracked and unnumbered counters; neither is in the lost total.
	 */
	uint64_t unfollowed;
	uint64_t unnumbered;
	uint64_t duration_ns;
	/* events formatted but never written (the output failed): not in the file */
	uint64_t unwritten;
	int exit_status;		/* memtrace's own exit status, -1 if none */
	/*
	 * --cost: each hook's runs and kernel time, from the kernel's BPF
	 * statistics. Runs are system-wide (sys_exit runs for every syscall of
	 * every process); ncost is 0 without --cost.
	 */
	struct hook_cost cost[MT_COST_SLOTS];
	size_t ncost;
};

_Static_assert(MT_EV_MAX <= MT_COUNT_SLOTS, "per-type counters too small for enum mt_event_type");

/* Per-stream state: the format and ts 0 in CLOCK_MONOTONIC ns. */
struct formatter {
	enum mt_format fmt;
	uint64_t t0;
};

/* Parses "text"/"json"/"csv". Returns 0 or -EINVAL. */
int format__parse(const char *name, enum mt_format *fmt);
const char *format__name(enum mt_format fmt);

/* JSON: the start record; CSV: the header row; text: a column header line. */
void format__start(const struct formatter *f, struct outbuf *ob, const struct trace_start *st);
/* One decoded event, in the stream's format. */
void format__event(const struct formatter *f, struct outbuf *ob, const struct mt_event *ev);
/*
 * One ring-buffer record of `size` bytes: event__from_record + format__event.
 * Returns 0, or -EINVAL for a record too short for its type or of an
 * unknown type (nothing is written then).
 */
int format__record(const struct formatter *f, struct outbuf *ob, const void *rec, size_t size);
/* The same, returning how many events it wrote (a vma batch: one per VMA) or -EINVAL. */
int format__records(const struct formatter *f, struct outbuf *ob, const void *rec, size_t size);
/* JSON: the summary record; CSV and text: nothing (the summary goes to stderr). */
void format__summary(const struct formatter *f, struct outbuf *ob, const struct trace_summary *sum);
/* Events lost in any way: ring full (every type) + missed runs. */
uint64_t summary__lost(const struct trace_summary *sum);
/* The human summary memtrace prints on stderr at the end (with the lost warning). */
void summary__print(FILE *out, const struct trace_summary *sum);
/* --cost: one line per hook with its runs and kernel time (nothing without). */
void summary__print_cost(FILE *out, const struct trace_summary *sum);
/* Only the warning about lost events, if any: printed even with --quiet. */
void summary__print_lost(FILE *out, const struct trace_summary *sum);

#endif /* MEMTRACE_FORMAT_H */
