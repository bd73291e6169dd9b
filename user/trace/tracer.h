/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tracer - owns the BPF side: checks the machine can run it, opens, sizes,
 * loads and attaches the skeleton, fills the pid filter, and hands ring
 * buffer records to a callback. Everything it attaches is held by file
 * descriptors only (no pinning), so it all goes away when memtrace exits,
 * however it exits.
 */
#ifndef MEMTRACE_TRACER_H
#define MEMTRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "format.h"

struct memtrace_bpf;
struct memtrace_bpf__bss;
struct ring_buffer;

struct tracer_opts {
	uint64_t buffer_size;	/* ring buffer bytes, power of two */
	uint64_t wakeup_bytes;	/* batch wake-ups to this much data; 0 = every record */
	bool all;		/* no pid filter */
	uint64_t cgroup_id;	/* with all: only this cgroup v2 and below; 0 = any */
	uint32_t cgroup_level;	/* its depth below the root cgroup */
	bool verbose;		/* libbpf messages to stderr */
	/* issue 11 */
	int faults;		/* MT_MEM_FAULTS_*: off, aggregated per region, every fault */
	bool rss;		/* rss records and the peak */
	uint64_t rss_step;	/* bytes; 0: max(1 MiB, RSS/64) */
	bool snapshot;		/* issue 10: load the attach-time map walk (-p, -a) */
};

enum { MT_MEM_FAULTS_OFF = 0, MT_MEM_FAULTS_AGG, MT_MEM_FAULTS_ALL };

/* Called per record; a negative return stops the current poll with that error. */
typedef int (*tracer_record_fn)(void *ctx, const void *rec, size_t size);

/* One loaded program: what --cost calls it, and its link once attached. */
struct tracer_prog {
	int fd;
	int link_fd;		/* 0: not attached */
	const char *hook;	/* "sys_exit", ...: static, or name if not in the table */
	char name[16];		/* the kernel's name for it (BPF_OBJ_NAME_LEN) */
	bool attach;		/* attached in this run (the iterator never is) */
};

#define TRACER_PROGS_MAX 16

struct tracer {
	/* loaded from a light skeleton (lskel), or else libbpf's skeleton (skel) */
	void *lskel;
	void (*lskel_destroy)(void *lskel);
	struct memtrace_bpf *skel;
	/* what the rest needs of either */
	int events_fd, traced_fd, regions_fd;
	int iter_fd;		/* vma_attach, or -1 when not loaded */
	struct memtrace_bpf__bss *bss;
	struct tracer_prog progs[TRACER_PROGS_MAX];
	size_t nr_progs;
	struct ring_buffer *rb;
	tracer_record_fn fn;
	void *ctx;
	int stats_fd;		/* BPF_ENABLE_STATS: on while open; -1 if off */
};


/* The kernel tracepoints memtrace attaches to, NULL-terminated. */
extern const char *const tracer__tracepoints[];

/*
 * Can this process and kernel run memtrace? Checks MEMTRACE_LOADER,
 * capabilities (CAP_BPF and CAP_PERFMON, CAP_SYS_ADMIN too with cost) and
 * BTF. Returns 0 or
 * -errno with a one-line explanation in err.
 */
int tracer__check(bool cost, char *err, size_t errlen);
/*
 * Finds the cgroup v2 directory path: its id and depth below the root.
 * Returns 0 or -errno with a one-line explanation in err.
 */
int tracer__cgroup(const char *path, uint64_t *id, uint32_t *level, char *err, size_t errlen);
/*
 * Does each tracepoint in tps exist in kernel BTF? Used to explain a
 * failed load. Returns 0 or -ENOENT naming the first missing one.
 */
int tracer__check_tracepoints(const char *const *tps, char *err, size_t errlen);
/*
 * Loads the kernel side for opts: the smallest light skeleton holding the
 * programs this run needs (the kernel relocates it against its own BTF),
 * else libbpf's skeleton with its fallbacks for older kernels (no
 * sched_prepare_exec before 6.10; sched_process_exit without group_dead).
 * MEMTRACE_LOADER=libbpf skips the light skeleton, =light (or unset, or
 * empty) is the default; any other value is an error. Returns 0 or -errno with a one-line
 * explanation in err.
 */
int tracer__open_load(struct tracer *t, const struct tracer_opts *o, char *err, size_t errlen);
/* Puts pid in the filter; its children follow automatically. */
int tracer__add_pid(struct tracer *t, pid_t pid);
/* The same for the program memtrace launched: hidden until its first exec. */
int tracer__add_launched(struct tracer *t, pid_t pid);
int tracer__attach(struct tracer *t, bool cost, char *err, size_t errlen);
int tracer__ring_open(struct tracer *t, tracer_record_fn fn, void *ctx);
/* Waits up to timeout_ms for records and consumes them. Returns count or -errno. */
int tracer__poll(struct tracer *t, int timeout_ms);
/* Consumes whatever is waiting without blocking. */
int tracer__drain(struct tracer *t);
/* True when no traced process is left. */
bool tracer__idle(struct tracer *t);
/* Records the kernel could not deliver, per enum mt_event_type (MT_EV_MAX entries). */
void tracer__lost(struct tracer *t, uint64_t *lost, size_t n);
/*
 * Program runs the kernel skipped because the same program was already
 * running on that CPU (its task preempted inside it): events never made.
 */
uint64_t tracer__missed(struct tracer *t);
/* New processes the kernel could not add to the filter (it was full). */
uint64_t tracer__untracked(struct tracer *t);
/* New address spaces that got no id (its map was full): their events carry as 0. */
uint64_t tracer__unnumbered(struct tracer *t);
/* Fills up to n entries, one per program that ran; returns how many. */
size_t tracer__cost(struct tracer *t, struct hook_cost *c, size_t n);
/*
 * issue 11: hands every region's fault counts still in the kernel to the
 * record callback as faults records (reason trace_end), then forgets them.
 * Returns how many.
 */
int tracer__flush_faults(struct tracer *t, uint64_t ts);
/*
 * issue 10: the map of every traced process as it is now (vma records,
 * origin attach), handed to the record callback like any record: process
 * pid, or every traced process when pid is 0 (-a). Needs snapshot at
 * load, an open ring and the programs attached. Returns how many
 * processes were walked, or -errno.
 */
int tracer__snapshot(struct tracer *t, pid_t pid);
/* Detaches and frees everything; accepts a tracer never loaded if its stats_fd is -1. */
void tracer__destroy(struct tracer *t);

#endif /* MEMTRACE_TRACER_H */
