/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * analysis - what a trace says, computed exactly from its events: the
 * processes and their threads, the address spaces (an interval map per
 * `as`, started from its vma records, the kernel's map at exec or attach,
 * and replayed through every mmap, munmap, mprotect, mremap, brk, shmat,
 * shmdt and vma_name),
 * the tree with the address-space relation on each edge.
 *
 * A pure function of the event stream: analysis__feed() takes the events
 * in ts order (reader.h sorts them) and keeps only what is live plus one
 * record per process, address space and exec, so memory grows with tasks
 * and mappings, never with events. Outputs (report.c, perfetto.c,
 * mermaid.c) read the structures below after (or while) feeding.
 * docs/report.md says how every figure is computed.
 */
#ifndef MEMTRACE_ANALYSIS_H
#define MEMTRACE_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>
#include "event.h"

#define AN_PAGE		4096ULL
/* An anonymous mapping at least this big, made by malloc for one block. */
#define AN_LARGE_BLOCK	(128ULL * 1024)

enum region_kind {
	REGION_ANON,		/* anonymous private memory */
	REGION_FILE,		/* a file mapping (private or shared) */
	REGION_SHARED,		/* anonymous shared memory */
	REGION_HEAP,		/* [heap]: between the first break and the current one */
	REGION_STACK,		/* a MAP_STACK/MAP_GROWSDOWN mapping: a thread's stack */
	REGION_RESERVED,	/* PROT_NONE: address space held, not usable */
};

/* One mapping of an address space, like a line of /proc/PID/maps. */
struct region {
	uint64_t start, end;	/* [start, end), page aligned */
	uint64_t prot;		/* PROT_* now */
	uint64_t flags;		/* the mmap flags that made it */
	uint64_t offset;	/* file offset of start */
	int32_t fd;		/* the fd it was mapped from, -1 if anonymous */
	uint32_t made_type;	/* the event that made it: MT_EV_MMAP, _MREMAP, _BRK, _SHMAT, _VMA */
	uint64_t made_ts;
	uint32_t made_tid;
	uint32_t stack_of;	/* the thread (tid) whose stack this is, 0 if none known */
	uint32_t name;		/* analysis__name(): path, [anon:NAME], [stack], ...; 0 = none */
	uint64_t since;		/* this piece as it is since: made, copied by fork, moved, reprotected */
	uint32_t mem;		/* issue 11: its faults, as->rmem[mem - 1]; 0 = none (region__mem) */
	/* issue 10 */
	bool heap;		/* the kernel's [heap] VMA (a vma record): the brk area */
	bool sysv;		/* a System V shm attachment (shmat, or a vma record of one) */
	int32_t shmid;		/* its segment when sysv (a vma record: the inode, ipc/shm.c) */
};

/* issue 11: what `faults` records say of a live region (kept apart: forks copy regions). */
struct region_mem {
	struct mt_fault_counts faults;
	uint32_t name;		/* the record's region name: analysis__name(), 0 = none */
	/*
	 * A record whose VMA reaches past this region (the kernel merged it
	 * with neighbours the analysis keeps apart): the VMA's range, the
	 * union of such records'; 0, 0 when every record fit. Its faults may
	 * be on any of those mappings, not this one alone.
	 */
	uint64_t vma_start, vma_end;
};

/*
 * Faults of a region that is not in the live map: unmapped before the end
 * (the history) or never in the trace's map (no VMA at all, or, without
 * vma records, the kernel's own map at exec: the binary, the loader,
 * [stack]). Equal (start, end,
 * name) add up; past AN_MAX_AREAS per address space the rest adds up in
 * one last area with `rest` set.
 */
#define AN_MAX_AREAS	32
/* Distinct region names kept (file names of faults records); the rest unnamed. */
#define AN_MAX_NAMES	4096
struct fault_area {
	uint64_t start, end;
	uint32_t name;		/* analysis__name() */
	uint32_t kind;		/* enum mt_region_kind */
	bool unmapped;		/* a `faults` record with reason unmap: it was in the map */
	bool rest;		/* the sum of every area past AN_MAX_AREAS */
	struct mt_fault_counts faults;
};

/* An address space: one mm_struct, named by the trace's `as`. */
struct aspace {
	uint32_t id;
	uint32_t pid;		/* the process it was made for */
	uint32_t from_as;	/* a fork copy of this as, 0 if none */
	bool by_exec;		/* made by exec (replacing from_exec_as) */
	uint32_t exec_of_as;	/* the as exec left, 0 if none / untraced */
	uint64_t start_ts;
	struct region *regions;	/* sorted by start, never overlapping */
	size_t nregions, cap;
	uint64_t accessible;	/* bytes mapped with some permission now */
	uint64_t reserved;	/* bytes mapped PROT_NONE now */
	uint64_t peak_accessible, peak_reserved, peak_total;
	uint64_t heap_start;	/* the first break seen, 0 if brk was never called */
	uint64_t heap_end;	/* the break now */
	uint64_t heap_peak;	/* the highest break */
	uint32_t brk_grows;	/* brk calls that moved the break up */
	uint32_t threads;	/* tasks created sharing it with CLONE_THREAD */
	/*
	 * Threads that got a stack mapping of their own: a MAP_STACK mmap by
	 * their creator just before the clone (region.stack_of), counted when
	 * the thread is created, whether or not the mapping is still there at
	 * the end. Sizes in bytes, the guard page left out.
	 */
	uint32_t thread_stacks;
	uint64_t stack_min, stack_max;
	uint32_t tasks;		/* tasks that used it, ever */
	uint32_t shared_procs;	/* processes created into it with CLONE_VM (vfork) */
	uint32_t large_blocks;	/* anonymous rw- mmaps >= AN_LARGE_BLOCK that are not stacks */
	uint64_t largest_block;
	/* issue 10 */
	uint32_t madvises;	/* successful madvise calls */
	uint64_t madv_freed;	/* bytes given back with MADV_DONTNEED/FREE (asked, not resident) */
	bool kernel_map;	/* started from the kernel's map (vma records, or a copy of one) */
	uint32_t vma_records;	/* vma records put into its map */
	uint32_t shmdt_from_map;	/* shmdt of an unknown size: the map said what went */
	uint64_t ended_ts;	/* the last task using it exited or exec'd away; 0 = alive */
	bool ended;
	/* issue 11: the memory itself */
	struct mt_fault_counts faults;	/* sum of its `faults` records */
	struct mt_fault_counts fault_events;	/* its `fault` records (--faults=all) */
	uint64_t fault_records;	/* `faults` records */
	struct fault_area *areas;	/* faults outside the live map */
	size_t nareas;
	struct region_mem *rmem;	/* of live regions with faults (region.mem) */
	size_t nrmem, cap_rmem;
	bool has_rss;		/* an rss or as_end record was seen */
	uint64_t rss_peak;	/* bytes: the highest rss.peak / as_end.rss_peak */
	struct mt_rss_bytes rss;	/* the latest rss record (as_end: its last counters) */
	bool has_as_end;	/* the kernel tore it down (as_end record) */
	uint64_t as_end_ts;
	struct mt_fault_counts as_end_faults;	/* as_end's totals by class */
};

struct exec_step {
	uint64_t ts;
	char *filename;
	char *argv;		/* issue 10: NUL-separated as struct mt_exec.argv; NULL if none */
	size_t argv_len;
	bool argv_truncated;
	uint32_t as, old_as;
	int32_t error;		/* a failed exec: the process kept its image */
	uint32_t threads;	/* threads created in as after this exec */
};

struct tid_seen {
	uint32_t tid;
	bool before;		/* seen before (or without) its clone */
};

struct proc {
	uint32_t pid;
	uint32_t ppid;		/* the parent that forked it, 0 if it was there first */
	char comm[64];		/* the latest comm seen (escaped bytes kept as is) */
	uint64_t start_ts, end_ts;
	bool seen_start;	/* its fork is in the trace */
	bool ended;
	uint32_t code, signal;
	bool core;
	uint32_t as;		/* now */
	uint32_t first_as;
	uint32_t threads_created;
	uint32_t threads_first;	/* of those, created in first_as (before any exec) */
	/*
	 * Threads known by their tid only (an event with tid != pid and no
	 * clone of it in the trace): there before the trace started (-p, -a)
	 * or made by an untraced clone. Not in threads_created.
	 */
	uint32_t threads_before;
	struct tid_seen *tids;	/* every tid != pid seen, sorted */
	size_t ntids, cap_tids;
	uint32_t threads_live;	/* tasks alive now, the leader included */
	bool shared_vm;		/* created sharing its parent's address space (vfork) */
	uint64_t events[MT_EV_MAX];
	struct exec_step *execs;
	size_t nexecs;
};

/* An edge of the tree. */
enum edge_kind {
	EDGE_COPY,		/* fork without CLONE_VM: the child got a copy */
	EDGE_SHARES,		/* CLONE_VM without CLONE_THREAD: vfork, posix_spawn */
	EDGE_REPLACES,		/* exec: the process's as was replaced */
};

struct edge {
	enum edge_kind kind;
	uint64_t ts;
	uint32_t from_pid, to_pid;	/* the same pid for REPLACES */
	uint32_t from_as, to_as;
	uint32_t syscall_nr;
};

struct analysis {
	struct proc **procs;	/* in order of appearance */
	size_t nprocs, cap_procs;
	struct aspace **as;	/* by id; NULL where none */
	size_t nas;
	struct edge *edges;
	size_t nedges, cap_edges;
	void *pid_index;	/* pid -> proc (the latest with that pid) */
	void *tid_index;	/* tid -> pid, for live threads */
	uint64_t events, last_ts;
	uint64_t by_type[MT_EV_MAX];
	uint64_t failed;	/* events with an error: they changed nothing */
	bool oom;		/* ran out of memory: figures incomplete */
	uint32_t pending_stack_as;	/* a MAP_STACK mapping waiting for its thread */
	uint64_t pending_stack;
	uint32_t pending_stack_tid;
	char **names;		/* issue 11: region names of faults records, [0] unused */
	size_t nnames, cap_names;
	bool has_mem;		/* the trace has faults, fault, rss or as_end records */
	/*
	 * Events past cut_ts were not fed (report --at): `faults` records come
	 * when a mapping goes or at the end, so fault figures are incomplete.
	 */
	bool cut;
	uint64_t cut_ts;
	/*
	 * Optional, NULL but for the HTML page (which draws the map over
	 * time): called when a piece of a mapping leaves the map or changes
	 * permissions, with the piece as it was from r->since to ts. The
	 * analysis itself keeps no history.
	 */
	void (*on_region_end)(void *ctx, const struct aspace *as, const struct region *r,
			      uint64_t ts);
	void *hook_ctx;
};


/* Returns 0 or -ENOMEM. */
int analysis__init(struct analysis *a);
/*
 * Applies one event (in ts order). Returns 0 or -ENOMEM (then a->oom is
 * set and later figures are lower bounds).
 */
int analysis__feed(struct analysis *a, const struct mt_event *ev);
void analysis__free(struct analysis *a);

struct proc *analysis__proc(const struct analysis *a, uint32_t pid);
struct aspace *analysis__as(const struct analysis *a, uint32_t id);

/* A region name of the trace ("libc.so.6", "[heap]"); "" for 0. */
const char *analysis__name(const struct analysis *a, uint32_t id);

/*
 * issue 11, per process: its address spaces' figures added up (the fork
 * copy it started in, every exec image; a shared one counts in full).
 */
struct proc_mem {
	bool has_rss;
	uint64_t rss_peak;	/* bytes: the highest peak of its address spaces */
	struct mt_fault_counts faults;
};
void analysis__proc_mem(const struct analysis *a, const struct proc *p, struct proc_mem *m);

/* The faults of a live region (zero counts and no name if none). */
const struct region_mem *region__mem(const struct aspace *as, const struct region *r);

/* A place faults went to: a live region or an area (for "the regions that took most"). */
struct fault_place {
	uint32_t as;
	const struct region *region;	/* NULL: area */
	const struct fault_area *area;
	const struct mt_fault_counts *faults;	/* of either */
	uint32_t name;		/* of either: analysis__name() */
};
/* The n places of p's address spaces with the most faults, most first; returns how many. */
size_t analysis__top_places(const struct analysis *a, const struct proc *p,
			    struct fault_place *out, size_t n);

/* "file", "anon", "shared", "heap", "stack", "reserved". */
const char *region__kind_name(enum region_kind k);
enum region_kind region__kind(const struct region *r);
/* A PROT_NONE piece of a stack mapping: glibc's guard page. */
bool region__is_guard(const struct region *r);
/* "rw-p" as /proc/PID/maps writes it (p private, s shared). */
void region__perms(const struct region *r, char out[5]);
/* "copy", "shares", "replaces". */
const char *edge__kind_name(enum edge_kind k);
/*
 * A replaces edge whose old address space lives on after the exec: the
 * process got it by vfork/CLONE_VM and its parent still uses it. Nothing
 * was thrown away.
 */
bool edge__leaves_shared(const struct analysis *a, const struct edge *e);

#endif /* MEMTRACE_ANALYSIS_H */
