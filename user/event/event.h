/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * event - the one decoded memtrace event.
 *
 * Two producers fill it: event__from_record() from a ring-buffer record
 * (the live tracer, bpf/memtrace.h) and reader__next() from a line of a
 * JSON Lines trace (user/event/reader.h). Every consumer reads only this:
 * the three writers (format.c) and every analysis of user/report/. What a
 * field means is documented once, in docs/events.md; the names here are
 * the JSON keys.
 *
 * Strings are not copied on the live path: struct mt_str points into the
 * record (or the reader's line) and is valid until the producer is called
 * again. It may hold any bytes, is not necessarily NUL-terminated and is
 * at most `max` bytes long (it ends earlier at a NUL).
 */
#ifndef MEMTRACE_EVENT_H
#define MEMTRACE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "memtrace.h"

/* x86_64 numbers of the syscalls that create tasks (fork.syscall_nr). */
#define MT_NR_CLONE	56
#define MT_NR_FORK	57
#define MT_NR_VFORK	58
#define MT_NR_CLONE3	435
#define MT_NR_UNKNOWN	0xffffffffU

struct mt_str {
	const char *s;
	size_t max;		/* bytes at most; ends earlier at a NUL */
};

/*
 * fork: a task was created (or creating one failed: error != 0, then
 * child_* are 0). The header's pid/tid are the parent.
 */
struct mt_fork {
	uint32_t child_pid;	/* tgid of the child */
	uint32_t child_tid;
	uint32_t child_as;	/* the child's address space (== as: shared) */
	bool thread;		/* a thread (CLONE_THREAD), asked for when error != 0 */
	bool shared_vm;		/* the child shares the parent's mm (CLONE_VM) */
	bool flags_known;	/* clone_flags and exit_signal are valid */
	uint64_t clone_flags;	/* CLONE_* bits, the 64-bit clone3 set; no signal */
	uint32_t exit_signal;	/* signal the parent gets at the child's exit, 0 = none */
	uint32_t syscall_nr;	/* MT_NR_*, MT_NR_UNKNOWN for a kernel-made task */
};

/* exec: the process replaced its image (or failed to: error != 0). */
struct mt_exec {
	struct mt_str filename;
	uint32_t old_as;	/* the address space left behind, 0 = untraced */
	uint32_t old_tid;	/* the exec'ing thread's tid before exec (== tid mostly) */
	bool truncated;		/* filename filled its buffer: it may be cut */
	/* issue 10: the new image's arguments (successful exec only) */
	bool has_argv;
	bool argv_truncated;	/* cut at MT_ARGV_LEN bytes */
	const char *argv;	/* argv_len bytes: the strings, each ended by a NUL */
	size_t argv_len;	/* (the last one may lack it when cut) */
};

/* exit: a task ended; thread = false for the last task of its process. */
struct mt_exit {
	uint32_t code;		/* exit status, 0..255 (0 when killed) */
	uint32_t signal;	/* the signal that killed it, 0 if none */
	bool core;		/* it dumped core */
	bool thread;		/* not the last task of its process */
};

/*
 * The memory calls. `addr` is the result (mmap, mremap, brk) or the
 * argument (munmap, mprotect); has_addr says whether it is there (a failed
 * mmap has none). Lengths are bytes as the caller passed them.
 */
struct mt_mmap {
	uint64_t addr, len, prot, flags, offset;
	uint64_t hint;		/* the caller's addr argument, 0 = none */
	int32_t fd;
	/* issue 10: the file's path, resolved in the kernel from the fd */
	bool has_path;
	bool path_truncated;
	struct mt_str path;
};

struct mt_range {		/* munmap, mprotect */
	uint64_t addr, len;
	uint64_t prot;		/* mprotect only */
	bool has_pkey;		/* mprotect: it was pkey_mprotect */
	int32_t pkey;		/* its pkey argument (-1: the default key) */
};

struct mt_brk {
	uint64_t req;		/* the argument: 0 is a query */
	uint64_t addr;		/* the break after the call */
};

struct mt_mremap {
	uint64_t addr;		/* the new address */
	uint64_t old_addr, old_len, new_len, flags;
	uint64_t new_addr;	/* the MREMAP_FIXED or MREMAP_DONTUNMAP target, 0 = none */
};

/* ---- issue 11: faults, rss, as_end ---- */

/* Fault counts by enum mt_fault_class, and their sum. */
struct mt_fault_counts {
	uint64_t n[MT_FAULT_NCLASS];
	uint64_t total;
};

/* faults: the faults one region took since its last record. */
struct mt_faults {
	uint64_t start, end;	/* the region's lowest and highest address while faulting */
	struct mt_str name;	/* file name, [heap], [stack]; empty if none */
	uint32_t kind;		/* enum mt_region_kind */
	uint32_t reason;	/* enum mt_faults_reason */
	struct mt_fault_counts counts;
};

/* fault: one page fault (--faults=all). */
struct mt_fault {
	uint64_t addr, ip;
	uint64_t start, end;	/* the VMA; 0/0 if none */
	uint32_t class;		/* enum mt_fault_class */
	bool write, kernel, present, instr;
};

/* Bytes. */
struct mt_rss_bytes {
	uint64_t anon, file, shmem, swap;
	uint64_t total;		/* anon + file + shmem, what VmRSS counts */
};

/* rss: the address space's RSS moved by a step. */
struct mt_rss {
	struct mt_rss_bytes rss;
	uint64_t peak;		/* bytes: the highest total so far */
};

/* as_end: an address space was torn down. */
struct mt_as_end {
	uint64_t rss_peak;	/* bytes: VmHWM of the address space */
	struct mt_rss_bytes last;	/* at its last exit/exec, before the pages went */
	struct mt_fault_counts faults;
};

/* end of issue 11 */
/* ---- issue 10: more calls (keep this block together) ---- */

struct mt_madvise {
	uint64_t addr, len;
	uint64_t advice;	/* MADV_* value */
};

/* shmat: addr is the result (has_addr); shmdt: addr is the argument. */
struct mt_shm {
	uint64_t addr;
	uint64_t len;		/* the segment's size, 0 = unknown */
	uint64_t shmaddr;	/* shmat: the caller's address argument, 0 = none */
	uint64_t flags;		/* shmat: SHM_* flags */
	int32_t shmid;		/* shmat */
};

/* vma_name: prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name) */
struct mt_vma_name {
	uint64_t addr, len;
	struct mt_str name;
	bool cleared;		/* name was NULL: the region loses its name */
};

/*
 * vma: one VMA of the map the kernel made at exec (origin "exec") or found
 * at attach (-p/-a, origin "attach"), as a line of /proc/PID/maps shows it
 * (fs/proc/task_mmu.c show_map_vma). One MT_EV_VMA ring record carries a
 * batch; the writer emits one event per VMA, in address order.
 */
struct mt_vma_ev {
	uint64_t start, end;	/* [start, end) */
	uint64_t offset;	/* bytes into the file, 0 for anonymous memory */
	uint64_t inode;		/* 0 for anonymous memory */
	uint32_t dev_major, dev_minor;	/* of the file's device, 0:0 if none */
	uint32_t prot;		/* PROT_READ/WRITE/EXEC */
	uint32_t origin;	/* MT_VMA_ORIGIN_* */
	bool shared;		/* VM_MAYSHARE: 's' in /proc/PID/maps */
	bool file;		/* name is a file's path; else a kernel name or empty */
	bool name_truncated;
	struct mt_str name;	/* path, or [heap], [stack], [vdso], [vvar], ... */
};
/* ---- end of the issue 10 block ---- */

struct mt_event {
	uint32_t type;		/* enum mt_event_type */
	uint64_t ts;		/* ns since the start of the trace */
	uint32_t pid, tid, as;
	struct mt_str comm;
	int32_t error;		/* errno value (> 0) of a failed call, 0 = success */
	bool has_addr;		/* memory calls: .addr holds the result */
	union {
		struct mt_fork fork;
		struct mt_exec exec;
		struct mt_exit exit;
		struct mt_mmap mmap;
		struct mt_range range;
		struct mt_brk brk;
		struct mt_mremap mremap;
		/* issue 11 */
		struct mt_faults faults;
		struct mt_fault fault;
		struct mt_rss rss;
		struct mt_as_end as_end;
		/* issue 10 */
		struct mt_madvise madvise;
		struct mt_shm shm;
		struct mt_vma_name vma_name;
		struct mt_vma_ev vma;
	};
};

/*
 * Decodes one ring-buffer record of `size` bytes; t0 is ts 0 in
 * CLOCK_MONOTONIC ns. ev points into rec afterwards (strings). Returns 0,
 * or -EINVAL for a record too short for its type or of an unknown type.
 */
int event__from_record(struct mt_event *ev, const void *rec, size_t size, uint64_t t0);

/*
 * issue 10: an MT_EV_VMA record is a batch, one event per VMA. The
 * cursor walks it: event__from_record checks the whole batch and decodes
 * the header and the first VMA; event__vma_next then puts each following
 * VMA into ev->vma (the header fields stay), false after the last.
 *
 *	if (!event__from_record(&ev, rec, size, t0)) {
 *		event__vma_begin(&c, rec, size);
 *		do use(&ev); while (event__vma_next(&c, &ev));
 *	}
 *
 * For any other type the loop runs once: event__vma_begin makes an empty
 * cursor. Call it only on a record event__from_record accepted: it does not
 * check the batch again.
 */
struct event_vma_cursor {
	const unsigned char *next;	/* the entry after the one in ev */
	uint32_t left;			/* entries after the one in ev */
};

void event__vma_begin(struct event_vma_cursor *c, const void *rec, size_t size);
bool event__vma_next(struct event_vma_cursor *c, struct mt_event *ev);
/* VMAs in a record that event__from_record accepted: 1 for other types. */
uint32_t event__record_events(const void *rec);

/* Event name as used in every format ("mmap", "fork", ...); NULL if unknown. */
const char *event__name(uint32_t type);
/* strlen(event__name(type)), 0 if unknown. */
size_t event__name_len(uint32_t type);
/* The type of a name; MT_EV_NONE if unknown. */
uint32_t event__type(const char *name);
/* "clone", "clone3", "fork", "vfork"; NULL for MT_NR_UNKNOWN and others. */
const char *event__syscall_name(uint32_t nr);
/* The reverse of event__syscall_name; MT_NR_UNKNOWN if unknown. */
uint32_t event__syscall_nr(const char *name);
/* A memory call (mmap .. mremap, madvise, shmat, shmdt, vma_name). */
bool event__is_mem(uint32_t type);

/* issue 11: "anon", "cow", ... for enum mt_fault_class; NULL if unknown. */
const char *event__fault_class_name(uint32_t cls);
uint32_t event__fault_class(const char *name);	/* MT_FAULT_NCLASS if unknown */
/* "anon", "file", "shared", "heap", "stack", "unknown" */
const char *event__region_kind_name(uint32_t kind);
uint32_t event__region_kind(const char *name);	/* MT_REGION_UNKNOWN if unknown */
/* "unmap", "as_end", "trace_end" */
const char *event__faults_reason_name(uint32_t reason);
uint32_t event__faults_reason(const char *name);	/* UINT32_MAX if unknown */
/* faults, fault, rss, as_end: the memory itself rather than a call. */
bool event__is_mem11(uint32_t type);
/* Sets c->total from c->n. */
void fault_counts__sum(struct mt_fault_counts *c);

#endif /* MEMTRACE_EVENT_H */
