// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * memtrace.bpf.c - the kernel side of memtrace.
 *
 * Task events come from BTF-typed tracepoints (task_newtask for fork, the
 * sched ones for exec and exit), memory events from the raw sys_exit
 * tracepoint. At syscall exit the task's saved user registers still hold
 * the syscall's arguments (x86_64 syscalls never write them back), so one
 * exit hook gives both what was asked and what the kernel answered: no
 * enter hook, no per-task map of pending arguments, and half the work per
 * traced syscall.
 *
 * Filtering happens here: only tasks whose tgid is in `traced` produce
 * events (unless trace_all). The loader inserts the workload's pid before
 * letting it exec; children are added at fork, and a process leaves when
 * its leader is freed (see handle_free). sys_exit also reports failed execs
 * and failed task creations (neither reaches a sched tracepoint).
 *
 * Program sets. The loader prefers light skeletons (bpftool gen skeleton
 * -L: the kernel does the CO-RE relocations, so no kernel BTF is parsed
 * in user space), and a light skeleton loads every program it holds.
 * This file is therefore built four times: without the memory programs
 * and the attach iterator (MT_WITHOUT_MEMORY, MT_WITHOUT_ATTACH: the
 * default run), without the memory programs (-p, -a), without the fault
 * programs (MT_WITHOUT_FAULTS: --rss alone; verifying them costs about 50
 * ms each), and whole (faults on; also the libbpf skeleton, which picks
 * programs with autoload and serves as the fallback).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memtrace.h"
#include "maple.h"

#ifdef MT_WITHOUT_MEMORY	/* "Program sets" above */
#define MT_WITHOUT_FAULTS
#define MT_WITHOUT_RSS
#endif

/* x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define NR_mmap		9
#define NR_mprotect	10
#define NR_munmap	11
#define NR_brk		12
#define NR_mremap	25
#define NR_execve	59
#define NR_execveat	322
#define NR_clone	56
#define NR_fork		57
#define NR_vfork	58
#define NR_clone3	435
/* issue 10: more calls */
#define NR_madvise	28
#define NR_shmat	30
#define NR_shmdt	67
#define NR_prctl	157
#define NR_pkey_mprotect 329

/* include/uapi/linux/prctl.h */
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0

#define CLONE_VM_F	0x00000100ULL
#define CLONE_VFORK_F	0x00004000ULL
#define CSIGNAL_F	0x000000ffULL
#define SIGCHLD_NR	17
/* CLONE_ARGS_SIZE_VER0 (include/uapi/linux/sched.h): clone3 refuses less */
#define CLONE_ARGS_VER0	64
#define TS_COMPAT	0x0002	/* thread_info.status: 32-bit syscall in progress */

/* Set by the loader before load. */
const volatile bool trace_all = false;
/* memtrace itself: with trace_all, tracing our own writes would feed on itself. */
const volatile __u32 self_tgid = 0;
/* Wake the consumer only when this much data waits (0: every record). */
const volatile __u64 wakeup_bytes = 0;
/*
 * --cgroup: with trace_all, only processes first seen inside this cgroup v2
 * (or a cgroup below it, at any depth) are added. 0: no cgroup filter.
 */
const volatile __u64 cgroup_id = 0;
const volatile __u32 cgroup_level = 0;	/* its depth below the root cgroup */

/* Records that could not be reserved, per type. Read by user space at exit. */
__u64 dropped[MT_EV_MAX] = {};
/* New processes that could not be added to `traced` (map full). */
__u64 untracked = 0;
/* Address spaces that got no id (`mm_ids` full): their events carry as 0. */
__u64 unnumbered = 0;
/* Last address-space id handed out. */
__u32 next_as = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 2 << 20);	/* resized by --buffer-size */
} events SEC(".maps");

/*
 * The hash maps are not preallocated: each gets an update per process or
 * per mm, not per event, and preallocating them cost most of start-up
 * (strace -T -e bpf: 20-100 ms per map on this VM). Lookups are as fast.
 */

/* tgid -> address-space id of that process; presence means "traced". */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 32768);	/* the loader sets it (tracer.c maps__capacity) */
	__type(key, __u32);
	__type(value, __u32);
} traced SEC(".maps");

/*
 * mm_struct pointer -> small id, so no kernel pointer leaves the kernel.
 * A fresh mm (fork without CLONE_VM, exec) always gets a new id even if
 * the allocator reused the address of a dead one, and exit_mmap deletes
 * the id when the mm dies (handle_exit_mmap, always loaded): the map
 * holds live address spaces only, and nothing evicts a live one.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);	/* the loader sets it (tracer.c maps__capacity) */
	__type(key, __u64);
	__type(value, __u32);
} mm_ids SEC(".maps");

/*
 * The address of a task's mm, as a number: it is only ever a key. Read with
 * a probe read on purpose: loading a pointer field from a trusted task
 * makes the verifier scan all of kernel BTF (btf_nested_type_is_trusted)
 * for every such load on every path, which was a third of start-up (28 ms).
 * The paths that need it are rare: a process fork, an exec, a first sight.
 */
static __always_inline __u64 task__mm(struct task_struct *task)
{
	return (__u64)BPF_CORE_READ(task, mm);
}

static __always_inline __u32 as__new(__u64 mm)
{
	__u32 id;

	if (!mm)
		return 0;
	id = __sync_fetch_and_add(&next_as, 1) + 1;
	if (bpf_map_update_elem(&mm_ids, &mm, &id, BPF_ANY)) {
		/* full: an id nobody can look up would change at every event */
		__sync_fetch_and_add(&unnumbered, 1);
		return 0;
	}
	return id;
}

static __always_inline __u32 as__of(__u64 mm)
{
	__u32 *id;

	if (!mm)
		return 0;
	id = bpf_map_lookup_elem(&mm_ids, &mm);
	if (id)
		return *id;
	/* First sight (attach with -p/-a): number it now. */
	return as__new(mm);
}

/*
 * A direct-mapped copy of `traced` (tgid -> as id), one u64 per slot:
 * tgid << 32 | as. Looking a tgid up in the hash map adds 80 ns to each
 * memory event inside a storm that keeps the caches cold (measured with
 * --cost); one load from here is nearly free. The hash map stays the
 * truth (user space reads it; a miss here falls back to it).
 *
 * Only three places write a slot, and none can leave a stale one:
 *  - proc__traced fills the slot of the *current* task's own process:
 *    while one of its tasks runs, its leader cannot be freed;
 *  - handle_exec updates it: exec has waited for every other thread
 *    to pass its exit tracepoint, so no thread of the process can fill
 *    the slot with the old id afterwards;
 *  - handle_free empties it when the leader is freed.
 * Two processes whose tgids share a slot just take turns in it.
 */
#define FC_SLOTS	4096
__u64 filter_cache[FC_SLOTS] = {};

static __always_inline void fcache__set(__u32 tgid, __u32 as)
{
	if (as)		/* 0 is "not known yet": keep asking the hash map */
		filter_cache[tgid & (FC_SLOTS - 1)] = (__u64)tgid << 32 | as;
}

static __always_inline void fcache__drop(__u32 tgid)
{
	__u64 *slot = &filter_cache[tgid & (FC_SLOTS - 1)];
	__u64 ent = *slot;

	/* only our own entry: another tgid may have taken the slot meanwhile */
	if ((ent >> 32) == tgid)
		__sync_val_compare_and_swap(slot, ent, 0);
}

/* With trace_all: may the current task's process be added? */
static __always_inline bool proc__admitted(__u32 tgid)
{
	if (!trace_all || tgid == self_tgid)
		return false;
	/* the verifier drops this when cgroup_id is 0 */
	return !cgroup_id || bpf_get_current_ancestor_cgroup_id(cgroup_level) == cgroup_id;
}

/*
 * Is this process traced? Sets *as to its address-space id. With
 * trace_all, processes are added on first sight so that later events
 * (exec's old_as) find their id cached like traced ones do.
 */
static __always_inline bool proc__traced(__u32 tgid, struct task_struct *task,
					 __u32 *as)
{
	__u64 ent = filter_cache[tgid & (FC_SLOTS - 1)];
	__u32 *v, id;

	/* tgid is the caller's own (see filter_cache); 0 is the idle task */
	if (tgid && (ent >> 32) == tgid) {
		*as = (__u32)ent;
		return true;
	}
	v = bpf_map_lookup_elem(&traced, &tgid);
	if (v) {
		/* memtrace's own launcher, before the program's first exec */
		if (*v & MT_TRACED_LAUNCH)
			return false;
		/* 0: inserted by the loader before we knew its mm (-p) */
		if (!(*v & MT_TRACED_AS_MASK))
			*v |= as__of(task__mm(task));
		*as = *v & MT_TRACED_AS_MASK;
		fcache__set(tgid, *as);
		return true;
	}
	if (!proc__admitted(tgid))
		return false;
	id = as__of(task__mm(task));
	if (!bpf_map_update_elem(&traced, &tgid, &id, BPF_NOEXIST))
		fcache__set(tgid, id);
	*as = id;
	return true;
}

/* Is tgid the launched program, still in memtrace's launcher code? */
static __always_inline bool proc__launching(__u32 tgid)
{
	__u32 *v = bpf_map_lookup_elem(&traced, &tgid);

	return v && (*v & MT_TRACED_LAUNCH);
}

static __always_inline void drop__count(__u32 type)
{
	if (type < MT_EV_MAX)
		__sync_fetch_and_add(&dropped[type], 1);
}

static __always_inline void header__fill(struct mt_header *h, __u32 type,
					 struct task_struct *task, __u32 as)
{
	h->ts = bpf_ktime_get_ns();
	h->type = type;
	h->pid = task->tgid;
	h->tid = task->pid;
	h->as = as;
	/* task is a trusted BTF pointer: a plain copy is cheaper than a probe read */
	__builtin_memcpy(h->comm, task->comm, sizeof(h->comm));
}

/*
 * A record of `size` bytes with its header filled in, or NULL when the
 * ring is full (counted per type: the summary reports it).
 */
static __always_inline void *event__new(__u64 size, __u32 type,
					struct task_struct *task, __u32 as)
{
	struct mt_header *h = bpf_ringbuf_reserve(&events, size, 0);

	if (!h) {
		drop__count(type);
		return NULL;
	}
	header__fill(h, type, task, as);
	return h;
}

/*
 * Batch wake-ups: a wake-up per record costs the traced task an IPI or a
 * context switch; the consumer also polls on a short timer, so records
 * never wait long.
 */
static __always_inline void event__submit(void *rec, __u64 size)
{
	__u64 flags = 0, avail;

	if (wakeup_bytes) {
		/*
		 * Wake only when this record crosses the threshold: a consumer
		 * that is behind is already awake, and forcing a wake-up for
		 * every record after the threshold costs the traced task an
		 * irq_work each (measured: 7x slower syscalls with a stalled
		 * consumer). The consumer's poll timeout covers a missed one.
		 */
		avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
		if (avail >= wakeup_bytes && avail < wakeup_bytes + size + 8)
			flags = BPF_RB_FORCE_WAKEUP;
		else
			flags = BPF_RB_NO_WAKEUP;
	}
	bpf_ringbuf_submit(rec, flags);
}

/* ---- issue 11: page faults, RSS, the end of an address space ---- */

/*
 * Set by the loader. With mem_faults off the fault and rss_stat programs
 * are not even loaded (the loader turns their autoload off), the verifier
 * drops the flushes in sys_exit, and exit_mmap only forgets the mm's id.
 */
const volatile bool mem_faults = false;	/* aggregate faults per region */
const volatile bool mem_faults_all = false;	/* and a record per fault */
const volatile bool mem_rss = false;	/* rss records and the peak */
/* --rss-step in pages; 0: max(256 pages, RSS / 64) */
const volatile __u64 rss_step_pages = 0;
const volatile __u32 page_size = 4096;

/*
 * (as, region) -> fault counts: flushed at unmap, at exit_mmap, at the end.
 * The loader shrinks this map and mm_states to one entry when faults and
 * RSS are off.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct mt_region_key);
	__type(value, struct mt_region_val);
} regions SEC(".maps");

/*
 * Which regions each address space has, so that a flush (munmap, mremap,
 * MAP_FIXED, exit_mmap) looks up those that can overlap the range instead
 * of walking every bucket of `regions`. An address space's slots come in
 * pages of REGION_SLOTS, (as, 0), (as, 1), ...: page n is made only when
 * n - 1 is full, so a flush stops at the first page missing. A region that
 * finds no slot sets its address space's `overflow` (REGION_PAGES full) or
 * regions_unindexed (this map full: for every address space, since an as
 * with no page 0 may get one later), and those flushes walk the whole map
 * as before: exact, only slow.
 */
#define REGION_SLOTS	64
#define REGION_PAGES	16

struct region_slot {
	__u64 code;		/* anchor | growsdown << 1 | 1; 0: free */
	__u64 lo, hi;		/* the region lies in [lo, hi); hi 0: not written yet */
};

struct region_page_key {
	__u32 as;
	__u32 page;
};

struct region_page {
	__u32 overflow;		/* page 0 only: a region of the as has no slot */
	__u32 __pad;
	struct region_slot slot[REGION_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 32768);
	__type(key, struct region_page_key);
	__type(value, struct region_page);
} region_index SEC(".maps");

/* a fresh page for bpf_map_update_elem: too big for the stack, never written */
static struct region_page region_page_zero;
/* region_index was full: an address space without a page may still have regions */
__u32 regions_unindexed = 0;

/* What memtrace keeps per traced mm_struct, from its creation to exit_mmap. */
struct mm_state {
	__u32 as;
	__u32 __pad;
	__s64 last;		/* total pages at the last rss record */
	__u64 peak;		/* pages */
	struct mt_rss_pages now;	/* exact counters, each refreshed when it moves */
	struct mt_rss_pages final;	/* at the last exit/exec of a user */
	__u64 faults[MT_FAULT_NCLASS];	/* flushed so far */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct mm_state);
} mm_states SEC(".maps");

/* include/linux/mm.h */
#define VM_READ		0x00000001
#define VM_WRITE	0x00000002
#define VM_MAYSHARE	0x00000080
#define VM_GROWSDOWN	0x00000100
#define VM_PFNMAP	0x00000400
#define VM_IO		0x00004000
#define VM_MIXEDMAP	0x10000000
/* arch/x86/include/asm/trap_pf.h */
#define X86_PF_PROT	(1 << 0)
#define X86_PF_WRITE	(1 << 1)
#define X86_PF_INSTR	(1 << 4)
/* the top of user space on x86_64 (TASK_SIZE_MAX, 4-level paging; 5-level is above) */
#define USER_ADDR_END	0x00ff000000000000ULL
/* include/linux/mm_types_task.h */
#define MM_FILEPAGES	0
#define MM_ANONPAGES	1
#define MM_SWAPENTS	2
#define MM_SHMEMPAGES	3

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * Exact RSS counters. Each is a percpu_counter: `count` plus a pending
 * delta per CPU below the batch (lib/percpu_counter.c), up to 32 pages
 * each here, so `count` alone can be off by more than a small process's
 * whole RSS. /proc (fs/proc/task_mmu.c task_mem, get_mm_counter_sum since
 * 6.16) shows the sum, and so do we: rss_stat fires on every change of a
 * counter (6.18; 5.5-6.1 throttled it), and we sum the one that moved.
 *
 * The per-CPU deltas live at counters + __per_cpu_offset[cpu]. That
 * array is no ksym here (no CONFIG_KALLSYMS_ALL), so the offsets come
 * from a per-CPU map of our own: bpf_map_lookup_percpu_elem() returns
 * its __percpu pointer plus __per_cpu_offset[cpu].
 */
#define MT_MAX_CPUS	64
const volatile __u32 nr_cpus = 1;	/* possible CPUs, set by the loader */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_probe SEC(".maps");

__u64 cpu_off[MT_MAX_CPUS] = {};
__u32 cpu_off_ready = 0;

/* a pointer's value as a plain number: the verifier tracks pointer types through casts */
static __always_inline __u64 ptr__value(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

static __always_inline bool cpu__offsets(void)
{
	__u64 base = 0, m, p;
	__u32 zero = 0, cpu;

	if (cpu_off_ready)
		return true;
	/* bpf_array.pptrs[0]: plain access to the map struct is refused */
	m = ptr__value(&pcpu_probe);
	if (bpf_probe_read_kernel(&base, sizeof(base),
				  (void *)(m + bpf_core_field_offset(struct bpf_array, pptrs))) ||
	    !base)
		return false;
	for (cpu = 0; cpu < MT_MAX_CPUS; cpu++) {
		if (cpu >= nr_cpus)
			break;
		p = ptr__value(bpf_map_lookup_percpu_elem(&pcpu_probe, &zero, cpu));
		if (!p)
			return false;
		cpu_off[cpu] = p - base;
	}
	cpu_off_ready = 1;
	return true;
}

/*
 * percpu_counter_sum() of mm->rss_stat[member], clamped at 0 like
 * get_mm_counter_sum. A global function, mm a plain number: verified once
 * per program instead of once per member and caller with its CPU loop.
 */
__noinline __u64 rss__exact(__u64 mm, __u32 member)
{
	struct percpu_counter pc = {};
	__u64 counters;
	__s64 v;
	__u32 cpu;

	/* a variable index into a BTF array is refused: compute the address */
	bpf_probe_read_kernel(&pc, sizeof(pc), (void *)(mm +
			      bpf_core_field_offset(struct mm_struct, rss_stat) +
			      (member & 3) * bpf_core_type_size(struct percpu_counter)));
	v = pc.count;
	counters = (__u64)pc.counters;
	if (counters && cpu__offsets()) {
		for (cpu = 0; cpu < MT_MAX_CPUS; cpu++) {
			__s32 d = 0;

			if (cpu >= nr_cpus)
				break;
			bpf_probe_read_kernel(&d, sizeof(d), (void *)(counters + cpu_off[cpu]));
			v += d;
		}
	}
	return v > 0 ? v : 0;
}

static __always_inline void rss__read(__u64 mm, struct mt_rss_pages *p)
{
	p->file = rss__exact(mm, MM_FILEPAGES);
	p->anon = rss__exact(mm, MM_ANONPAGES);
	p->swap = rss__exact(mm, MM_SWAPENTS);
	p->shmem = rss__exact(mm, MM_SHMEMPAGES);
}

/*
 * Starts tracking mm as address space `as`, from its counters now: a
 * fork's copied pages were counted (dup_mmap) before task_newtask, and
 * exec's argument pages before sched_process_exec.
 */
static __always_inline void mm__track(__u64 mm, __u32 as)
{
	struct mm_state st = { .as = as };
	struct mt_rss_pages p;

	if ((!mem_faults && !mem_rss) || !mm || !as)
		return;
	rss__read(mm, &p);
	st.now = p;
	st.peak = p.file + p.anon + p.shmem;
	st.last = st.peak;
	bpf_map_update_elem(&mm_states, &mm, &st, BPF_ANY);
}

/*
 * The new mm of an exec: its faults before sched_process_exec may have
 * numbered and tracked it already (fault__handle); keep that id.
 */
static __always_inline __u32 exec__new_as(__u64 mm)
{
	struct mm_state *st = (mem_faults || mem_rss) ? bpf_map_lookup_elem(&mm_states, &mm) : NULL;
	__u32 as;

	if (st)
		return st->as;
	as = as__new(mm);
	mm__track(mm, as);
	return as;
}

/* The state of the current task's mm, created on first sight (-p, -a). */
static __always_inline struct mm_state *mm__state_current(struct task_struct *task, __u32 as)
{
	__u64 mm = task__mm(task);
	struct mm_state *st = bpf_map_lookup_elem(&mm_states, &mm);

	if (st || !mm)
		return st;
	/* as 0: a new mm in the middle of an exec; sched_process_exec keeps this id */
	mm__track(mm, as ? as : as__of(mm));
	return bpf_map_lookup_elem(&mm_states, &mm);
}

struct vma_info {
	__u64 start, end, flags, file;
	__u64 ops;	/* vm_ops: NULL for private anonymous memory (vma_set_anonymous) */
};

/* The VMA at or above addr (find_vma), through the lockless maple walk. */
static __always_inline bool vma__find(struct task_struct *task, __u64 addr,
				      struct vma_info *vi, struct vm_area_struct **out)
{
	__u64 root = (__u64)BPF_CORE_READ(task, mm, mm_mt.ma_root);
	struct vm_area_struct *vma;
	__u64 v = maple__find_vma(root, addr);

	if (!v)
		return false;
	/* an untrusted BTF pointer: plain loads become probe reads */
	vma = bpf_rdonly_cast((void *)v, bpf_core_type_id_kernel(struct vm_area_struct));
	vi->start = vma->vm_start;
	vi->end = vma->vm_end;
	vi->flags = vma->vm_flags;
	vi->file = (__u64)vma->vm_file;
	vi->ops = (__u64)vma->vm_ops;
	*out = vma;
	return true;
}

/* mm/memory.c handle_pte_fault, as the error code and the VMA tell it. */
static __always_inline __u32 fault__class(__u64 addr, __u64 err, bool found,
					  const struct vma_info *vi)
{
	bool write = err & X86_PF_WRITE;

	if (!found)
		return MT_FAULT_OTHER;
	if (addr < vi->start)	/* expand_stack() or SIGSEGV (mm/mmap.c) */
		return vi->flags & VM_GROWSDOWN ? MT_FAULT_STACK : MT_FAULT_OTHER;
	if (vi->flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP))
		return MT_FAULT_OTHER;
	if ((write && !(vi->flags & VM_WRITE)) ||
	    (!write && !(err & X86_PF_INSTR) && !(vi->flags & VM_READ)))
		return MT_FAULT_OTHER;	/* access_error(): SIGSEGV */
	/* a read-only MAP_SHARED file loses VM_SHARED but keeps VM_MAYSHARE (mm/mmap.c) */
	if (vi->flags & VM_MAYSHARE)
		return MT_FAULT_SHARED;
	/* no file but vm_ops: a special mapping ([vdso], [uprobes]; mm/mmap.c) */
	if (!vi->file && vi->ops)
		return MT_FAULT_OTHER;
	if (!vi->file)
		return write && (err & X86_PF_PROT) ? MT_FAULT_COW : MT_FAULT_ANON;
	return write ? MT_FAULT_FILE_COW : MT_FAULT_FILE;
}

/* kind and name of a region seen for the first time */
static __always_inline void region__describe(struct mt_region_val *v, struct task_struct *task,
					     const struct vma_info *vi,
					     struct vm_area_struct *vma)
{
	struct mm_struct *mm = task->mm;
	const unsigned char *name;
	__u64 brk, start_brk, stack;

	if (vi->flags & VM_GROWSDOWN) {
		v->kind = MT_REGION_STACK;
		__builtin_memcpy(v->name, "[stack]", 8);
		return;
	}
	if (vi->file) {
		v->kind = vi->flags & VM_MAYSHARE ? MT_REGION_SHARED : MT_REGION_FILE;
		name = BPF_CORE_READ(vma, vm_file, f_path.dentry, d_name.name);
		if (bpf_probe_read_kernel_str(v->name, sizeof(v->name), name) < 0)
			v->name[0] = '\0';
		/* shmem and memfd files: still a file name, kind says shared */
		return;
	}
	if (vi->flags & VM_MAYSHARE) {
		v->kind = MT_REGION_SHARED;
		return;
	}
	brk = BPF_CORE_READ(mm, brk);
	start_brk = BPF_CORE_READ(mm, start_brk);
	stack = BPF_CORE_READ(mm, start_stack);
	/* fs/proc/task_mmu.c names these the same way */
	if (vi->start <= brk && vi->end >= start_brk) {
		v->kind = MT_REGION_HEAP;
		__builtin_memcpy(v->name, "[heap]", 7);
	} else if (vi->start <= stack && vi->end >= stack) {
		v->kind = MT_REGION_STACK;
		__builtin_memcpy(v->name, "[stack]", 8);
	} else {
		v->kind = MT_REGION_ANON;
	}
}

static __always_inline __u64 region__code(const struct mt_region_key *k)
{
	return k->anchor | (k->growsdown ? 2 : 0) | 1;
}

/*
 * Page n of as's index; made (empty) when make is set. NULL when missing,
 * or when it cannot be made (map full: regions_unindexed says so).
 */
static __always_inline struct region_page *region__page(__u32 as, __u32 n, bool make)
{
	struct region_page_key pk = { .as = as, .page = n };
	struct region_page *pg = bpf_map_lookup_elem(&region_index, &pk);

	if (pg || !make)
		return pg;
	/* NOEXIST: a thread of the same as may be making it too */
	bpf_map_update_elem(&region_index, &pk, &region_page_zero, BPF_NOEXIST);
	pg = bpf_map_lookup_elem(&region_index, &pk);
	if (!pg)
		regions_unindexed = 1;
	return pg;
}

/*
 * What region__index and region__reindex look for in a page. The slot
 * loops run in bpf_loop callbacks: unrolled in the fault programs, their
 * 16 x 64 iterations took the verifier 0.4 s more per program.
 */
struct index_ctx {
	struct region_page *pg;
	__u64 code;
	__u64 lo, hi;
	bool done;
};

/* Claims slot i for c->code if it is free. */
static long region__claim(__u32 i, struct index_ctx *c)
{
	struct region_slot *sl;

	if (!c->pg || i >= REGION_SLOTS)
		return 1;
	sl = &c->pg->slot[i];
	if (sl->code || __sync_val_compare_and_swap(&sl->code, 0, c->code))
		return 0;
	/* until these are written hi is 0: a flush looks the region up */
	sl->lo = c->lo;
	sl->hi = c->hi;
	c->done = true;
	return 1;
}

/* Widens slot i's bounds if it is c->code's. */
static long region__widen(__u32 i, struct index_ctx *c)
{
	struct region_slot *sl;

	if (!c->pg || i >= REGION_SLOTS)
		return 1;
	sl = &c->pg->slot[i];
	if (sl->code != c->code)
		return 0;
	if (c->lo < sl->lo)
		sl->lo = c->lo;
	if (c->hi > sl->hi)
		sl->hi = c->hi;
	c->done = true;
	return 1;
}

/*
 * Adds a region just made (index code region__code) to its address
 * space's index. A global function: verified once per program, not once
 * per path into each caller with its 16 pages unrolled each time
 * (docs/performance.md, seventh session).
 */
__noinline int region__index(__u32 as, __u64 code, __u64 lo, __u64 hi)
{
	struct index_ctx c = { .code = code, .lo = lo, .hi = hi };
	struct region_page *first = NULL;
	__u32 n;

	for (n = 0; n < REGION_PAGES; n++) {
		c.pg = region__page(as, n, true);
		if (!c.pg)
			break;
		if (!n)
			first = c.pg;
		bpf_loop(REGION_SLOTS, region__claim, &c, 0);
		if (c.done)
			return 0;
	}
	/* no page 0: regions_unindexed is set and every flush walks the map */
	if (first)
		first->overflow = 1;
	return 0;
}

/* A region grew (brk, the stack): its slot's bounds follow. */
static __always_inline void region__reindex(__u32 as, const struct mt_region_key *k,
					    __u64 lo, __u64 hi)
{
	struct index_ctx c = { .code = region__code(k), .lo = lo, .hi = hi };
	__u32 n;

	for (n = 0; n < REGION_PAGES; n++) {
		c.pg = region__page(as, n, false);
		if (!c.pg)
			return;
		bpf_loop(REGION_SLOTS, region__widen, &c, 0);
		if (c.done)
			return;
	}
}

/* A faults record of region v, counts left to the caller; NULL: ring full. */
static __always_inline struct mt_faults_event *faults__new(struct task_struct *task, __u32 as,
							   const struct mt_region_val *v,
							   __u32 reason)
{
	struct mt_faults_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return NULL;
	header__fill(&e->hdr, MT_EV_FAULTS, task, as);
	e->start = v->start;
	e->end = v->end;
	e->kind = v->kind;
	e->reason = reason;
	__builtin_memcpy(e->name, v->name, sizeof(e->name));
	return e;
}

/*
 * n faults of class cls that landed in region v after a munmap on another
 * CPU took it (region__take deletes the entry, then takes its counts): they
 * are written as a record of their own, so that the records and the
 * address space's totals still hold every fault.
 */
static __noinline void region__late(struct task_struct *task, __u32 as,
					 const struct mt_region_val *v, __u32 cls, __u64 n)
{
	struct mm_state *st = mm__state_current(task, as);
	struct mt_faults_event *e;
	int i;

	if (st && cls < MT_FAULT_NCLASS)
		__sync_fetch_and_add(&st->faults[cls], n);
	e = faults__new(task, as, v, MT_FAULTS_UNMAP);
	if (!e) {
		drop__count(MT_EV_FAULTS);
		return;
	}
	for (i = 0; i < MT_FAULT_NCLASS; i++)
		e->counts[i] = i == cls ? n : 0;
	event__submit(e, sizeof(*e));
}

static __always_inline void region__count(struct task_struct *task, __u32 as, __u64 addr,
					  __u32 cls, bool found, const struct vma_info *vi,
					  struct vm_area_struct *vma)
{
	struct mt_region_key k = { .as = as };
	struct mt_region_val *v, nv = {};

	if (found && (vi->flags & VM_GROWSDOWN)) {
		k.growsdown = 1;
		k.anchor = vi->end;
	} else if (found && addr >= vi->start) {
		k.anchor = vi->start;
	} else {
		k.anchor = 0;	/* no VMA: one bucket per address space */
	}
	v = bpf_map_lookup_elem(&regions, &k);
	if (!v) {
		if (found && addr >= vi->start) {
			nv.start = vi->start;
			nv.end = vi->end;
		} else if (found) {	/* the stack grows down to addr */
			nv.start = addr & ~4095ULL;
			nv.end = vi->end;
		} else {
			nv.kind = MT_REGION_UNKNOWN;
		}
		if (found)
			region__describe(&nv, task, vi, vma);
		nv.pid = task->tgid;
		/* only the thread that made it indexes it */
		if (!bpf_map_update_elem(&regions, &k, &nv, BPF_NOEXIST))
			region__index(as, region__code(&k), nv.start, nv.end);
		v = bpf_map_lookup_elem(&regions, &k);
		/*
		 * Another thread's munmap may have flushed (deleted) the entry
		 * between our failed insert and the lookup: insert once more.
		 */
		if (!v && !bpf_map_update_elem(&regions, &k, &nv, BPF_NOEXIST)) {
			region__index(as, region__code(&k), nv.start, nv.end);
			v = bpf_map_lookup_elem(&regions, &k);
		}
		if (!v) {
			drop__count(MT_EV_FAULTS);	/* map full: a fault not counted */
			return;
		}
	}
	if (cls < MT_FAULT_NCLASS) {
		__sync_fetch_and_add(&v->counts[cls], 1);
		/*
		 * Still the live entry? If a munmap took it since our lookup,
		 * its counts may already be gone: take back what is left (the
		 * element stays readable until an RCU grace period passes).
		 */
		if (bpf_map_lookup_elem(&regions, &k) != v) {
			__u64 n = __sync_lock_test_and_set(&v->counts[cls], 0);

			if (n)
				region__late(task, as, v, cls, n);
			return;
		}
	}
	/* the VMA moves: brk grows the heap, the stack grows down */
	if (found && (addr < v->start || vi->end > v->end)) {
		if (addr < v->start)
			v->start = addr & ~4095ULL;
		if (vi->end > v->end)
			v->end = vi->end;
		region__reindex(as, &k, v->start, v->end);
	}
}

static __always_inline void fault__record(struct task_struct *task, __u32 as, __u64 addr,
					  __u64 ip, __u64 err, bool kernel, __u32 cls,
					  bool found, const struct vma_info *vi)
{
	struct mt_fault_event *e = event__new(sizeof(*e), MT_EV_FAULT, task, as);

	if (!e)
		return;
	e->addr = addr;
	e->ip = ip;
	e->start = found ? vi->start : 0;
	e->end = found ? vi->end : 0;
	e->class = cls;
	e->flags = (err & X86_PF_WRITE ? MT_FAULT_F_WRITE : 0) |
		   (err & X86_PF_PROT ? MT_FAULT_F_PRESENT : 0) |
		   (err & X86_PF_INSTR ? MT_FAULT_F_INSTR : 0) |
		   (kernel ? MT_FAULT_F_KERNEL : 0);
	event__submit(e, sizeof(*e));
}

#ifndef MT_WITHOUT_FAULTS	/* "Program sets" at the top */
static __always_inline int fault__handle(__u64 addr, __u64 ip, __u64 err, bool kernel)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma = NULL;
	struct vma_info vi = {};
	struct mm_state *st;
	__u32 as, cls;
	bool found;

	if (!proc__traced(task->tgid, task, &as))
		return 0;
	/*
	 * The address space of the mm faulting, not the process's cached id:
	 * between exec_mmap and sched_process_exec the kernel already faults
	 * in the new mm (create_elf_tables, clearing bss) while the cache
	 * still names the old one, whose faults were written at its exit_mmap.
	 */
	st = mm__state_current(task, 0);
	if (!st)
		return 0;
	as = st->as;
	found = vma__find(task, addr, &vi, &vma);
	cls = fault__class(addr, err, found, &vi);
	region__count(task, as, addr, cls, found, &vi, vma);
	if (mem_faults_all)
		fault__record(task, as, addr, ip, err, kernel, cls, found, &vi);
	return 0;
}

/*
 * Fires in do_user_addr_fault (arch/x86/mm/fault.c) before the kernel
 * looks the VMA up, with interrupts off.
 */
SEC("tp_btf/page_fault_user")
int BPF_PROG(handle_fault_user, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	return fault__handle(address, regs->ip, error_code, false);
}

/*
 * The kernel touching user memory for the task: read(2) into fresh pages,
 * copy_to_user of a syscall's result. The same fault, only taken in
 * kernel mode; kernel addresses (vmalloc) are not ours.
 */
SEC("tp_btf/page_fault_kernel")
int BPF_PROG(handle_fault_kernel, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	struct pt_regs *user;

	if (address >= USER_ADDR_END)
		return 0;
	user = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return fault__handle(address, user ? user->ip : 0, error_code, true);
}
#endif /* MT_WITHOUT_FAULTS */

/* Which regions a flush takes, and what it adds up. */
struct flush_ctx {
	struct task_struct *task;
	struct region_page *page;	/* the index page being walked */
	__u32 as;
	__u32 reason;
	__u64 lo, hi;		/* [lo, hi): regions overlapping it; all with AS_END */
	__u64 faults[MT_FAULT_NCLASS];
};

/* Writes region k (and forgets it) if it overlaps c's range: true if it did. */
static __always_inline bool region__take(struct flush_ctx *c, struct mt_region_key *k,
					 struct mt_region_val *v)
{
	struct mt_faults_event *e;
	int i;

	if (c->reason != MT_FAULTS_AS_END && (v->end <= c->lo || v->start >= c->hi))
		return false;
	e = faults__new(c->task, c->as, v, c->reason);
	/*
	 * Forget it first, then take the counts atomically: a fault that
	 * found the entry before the delete and counts after our exchange
	 * sees it gone and writes what it added itself (region__count).
	 */
	bpf_map_delete_elem(&regions, k);
	for (i = 0; i < MT_FAULT_NCLASS; i++) {
		__u64 n = __sync_lock_test_and_set(&v->counts[i], 0);

		if (e)
			e->counts[i] = n;
		c->faults[i] += n;
	}
	if (e)
		event__submit(e, sizeof(*e));
	else
		drop__count(MT_EV_FAULTS);
	return true;
}

/* bpf_for_each_map_elem: the whole map, for an address space not (fully) indexed */
static long region__flush_one(struct bpf_map *map, struct mt_region_key *k,
			      struct mt_region_val *v, struct flush_ctx *c)
{
	if (k->as == c->as)
		region__take(c, k, v);
	return 0;
}

/* bpf_loop over the slots of one index page */
static long region__flush_slot(__u32 i, struct flush_ctx *c)
{
	struct region_page *pg = c->page;
	struct mt_region_key k = { .as = c->as };
	struct mt_region_val *v;
	struct region_slot *sl;
	__u64 code;

	if (!pg || i >= REGION_SLOTS)
		return 1;
	sl = &pg->slot[i];
	code = sl->code;
	if (!code)
		return 0;
	if (c->reason != MT_FAULTS_AS_END && sl->hi && (sl->hi <= c->lo || sl->lo >= c->hi))
		return 0;
	k.growsdown = code & 2 ? 1 : 0;
	k.anchor = code & ~3ULL;
	v = bpf_map_lookup_elem(&regions, &k);
	if (v && !region__take(c, &k, v))
		return 0;
	/* written, or already gone (a whole-map walk, the end of the trace) */
	sl->hi = 0;
	sl->lo = 0;
	__sync_val_compare_and_swap(&sl->code, code, 0);
	return 0;
}

/*
 * Writes (and forgets) the regions of as that overlap [lo, hi), through the
 * address space's index; with AS_END all of them, and the index goes too.
 */
/*
 * A global function (scalars in, the current task looked up here, the
 * mm's state by its key mm, 0 for none): checked once per program instead
 * of inline in each caller (docs/performance.md, seventh session). Both
 * callers run in the task whose regions end.
 */
__noinline int regions__flush(__u32 as, __u32 reason, __u64 lo, __u64 hi, __u64 mm)
{
	struct flush_ctx c = { .task = bpf_get_current_task_btf(), .as = as, .reason = reason,
			       .lo = lo, .hi = hi };
	struct region_page_key pk = { .as = as };
	struct region_page *first;
	struct mm_state *st;
	__u32 n;
	int i;

	first = bpf_map_lookup_elem(&region_index, &pk);
	if (regions_unindexed || (first && first->overflow)) {
		bpf_for_each_map_elem(&regions, region__flush_one, &c, 0);
	} else if (first) {
		for (n = 0; n < REGION_PAGES; n++) {
			pk.page = n;
			c.page = bpf_map_lookup_elem(&region_index, &pk);
			if (!c.page)
				break;
			bpf_loop(REGION_SLOTS, region__flush_slot, &c, 0);
		}
	}
	if (reason == MT_FAULTS_AS_END && first) {
		for (n = 0; n < REGION_PAGES; n++) {
			pk.page = n;
			if (bpf_map_delete_elem(&region_index, &pk))
				break;
		}
	}
	st = mm ? bpf_map_lookup_elem(&mm_states, &mm) : NULL;
	if (!st)
		return 0;
	/* threads of one mm unmap on several CPUs at once: a plain += loses counts */
	for (i = 0; i < MT_FAULT_NCLASS; i++)
		if (c.faults[i])
			__sync_fetch_and_add(&st->faults[i], c.faults[i]);
	return 0;
}

/* munmap, mremap's old range, MAP_FIXED over old mappings: regions gone. */
static __always_inline void mem__unmapped(struct pt_regs *regs, long ret, __u32 type,
					  struct task_struct *task, __u32 as)
{
	__u64 lo, len;

	if (!mem_faults || (ret < 0 && ret >= -4095))
		return;
	switch (type) {
	case MT_EV_MUNMAP:
		lo = regs->di;
		len = regs->si;
		break;
	case MT_EV_MREMAP:	/* (old_addr, old_len, ...): moved or shrunk */
		lo = regs->di;
		len = regs->si;
		break;
	case MT_EV_MMAP:
		if (!(regs->r10 & 0x10))	/* MAP_FIXED: replaced what was there */
			return;
		lo = ret;
		len = regs->si;
		break;
	default:
		return;
	}
	regions__flush(as, MT_FAULTS_UNMAP, lo, lo + len,
		       mm__state_current(task, as) ? task__mm(task) : 0);
}

/* RSS: every change of an mm counter (include/linux/mm.h add_mm_counter). */
#ifndef MT_WITHOUT_RSS
SEC("tp_btf/rss_stat")
int BPF_PROG(handle_rss, struct mm_struct *mm, int member)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 key = (__u64)mm, step;
	struct mt_rss_event *e;
	struct mt_rss_pages p;
	struct mm_state *st;
	__s64 total, d;
	__u32 as;

	st = bpf_map_lookup_elem(&mm_states, &key);
	if (!st) {
		/* first sight of a traced process's mm (-p, -a) */
		if (key != task__mm(task) || !proc__traced(task->tgid, task, &as))
			return 0;
		st = mm__state_current(task, as);
		if (!st)
			return 0;
	}
	/* only the counter that moved: the others are as we last read them */
	switch (member) {
	case MM_FILEPAGES:
		st->now.file = rss__exact(ptr__value(mm), MM_FILEPAGES);
		break;
	case MM_ANONPAGES:
		st->now.anon = rss__exact(ptr__value(mm), MM_ANONPAGES);
		break;
	case MM_SWAPENTS:
		st->now.swap = rss__exact(ptr__value(mm), MM_SWAPENTS);
		break;
	default:
		st->now.shmem = rss__exact(ptr__value(mm), MM_SHMEMPAGES);
		break;
	}
	p = st->now;
	total = p.file + p.anon + p.shmem;
	if (total > 0 && (__u64)total > st->peak)
		st->peak = total;
	if (!mem_rss)
		return 0;
	d = total - st->last;
	step = rss_step_pages;
	if (!step) {
		step = (__u64)st->last / 64;	/* last >= 0: clang cannot emit signed division */
		if (step < 256)		/* 1 MiB of 4 KiB pages */
			step = 256;
	}
	if (d < (__s64)step && -d < (__s64)step)
		return 0;
	st->last = total;
	e = event__new(sizeof(*e), MT_EV_RSS, task, st->as);
	if (!e)
		return 0;
	e->pages = p;
	e->peak = st->peak;
	e->page_size = page_size;
	e->__pad = 0;
	event__submit(e, sizeof(*e));
	return 0;
}
#endif /* MT_WITHOUT_RSS */

/* The counters while the mm is still whole: its user exits or execs. */
static __always_inline void mm__last(struct task_struct *task)
{
	__u64 mm = task__mm(task);
	struct mm_state *st;

	if (!mem_faults && !mem_rss)
		return;
	st = bpf_map_lookup_elem(&mm_states, &mm);
	if (st)
		rss__read(mm, &st->final);
}

/*
 * mm teardown (kernel/fork.c mmput -> mm/mmap.c exit_mmap): once per mm,
 * in its last user's context (the exiting task, or the task whose exec
 * dropped it), after the pages are gone and before the maple tree is.
 */
SEC("tp_btf/exit_mmap")
int BPF_PROG(handle_exit_mmap, struct mm_struct *mm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 key = (__u64)mm;
	struct mt_as_end_event *e;
	struct mm_state *st;
	int i;

	/*
	 * A new mm at the same address must not inherit the id (exec__new_as,
	 * as__of). Most mms that die were never numbered (untraced processes):
	 * the lookup spares them the bucket lock, an irqsave spinlock.
	 */
	if (bpf_map_lookup_elem(&mm_ids, &key))
		bpf_map_delete_elem(&mm_ids, &key);
	if (!mem_faults && !mem_rss)
		return 0;
	st = bpf_map_lookup_elem(&mm_states, &key);
	if (!st)
		return 0;
	if (mem_faults)
		regions__flush(st->as, MT_FAULTS_AS_END, 0, ~0ULL, ptr__value(mm));
	e = event__new(sizeof(*e), MT_EV_AS_END, task, st->as);
	if (e) {
		e->peak = st->peak;
		e->last = st->final;
		for (i = 0; i < MT_FAULT_NCLASS; i++)
			e->faults[i] = st->faults[i];
		e->page_size = page_size;
		e->__pad = 0;
		event__submit(e, sizeof(*e));
	}
	bpf_map_delete_elem(&mm_states, &key);
	return 0;
}

/* ---- end of issue 11 ---- */


/*
 * Records with strings (exec, a file mmap, vma) are built in a per-CPU
 * scratch and copied to the ring with bpf_ringbuf_output at the length
 * they need: reserving the largest size would cost a 4 KiB path and 4 KiB
 * of arguments per exec in ring space. A slot is claimed with a cmpxchg:
 * on this PREEMPT_DYNAMIC kernel a task can be preempted inside a program
 * (migrate_disable only) and another task on the same CPU may run one.
 */
#define SCRATCH_SLOTS	4		/* scratch__claim tries each */
#define REC_LEN		16384		/* a power of two: offsets are masked with it */
#define NAME_READ	256		/* NAME_MAX + 1: one dentry name */
#define PATH_DEPTH	32		/* directories walked up from a file */

struct scratch {
	__u32 busy;
	__u32 n;			/* path__resolve's loop counters: see there */
	__u32 pos;
	__u32 __pad;
	__u64 comp[PATH_DEPTH];		/* dentry names, leaf first */
	/* slack after REC_LEN: a masked offset may still take a full read */
	char rec[REC_LEN + MT_PATH_LEN + NAME_READ];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/*
 * Claims a free slot of this CPU: its index, or -1 when all are busy.
 * Global, so the verifier checks the claim loop once, not once per path
 * of every caller (inlined, it took sys_exit's load from 1 ms to 1.8 s).
 */
static __always_inline bool scratch__try(__u32 i)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch, &i);

	return s && !__sync_val_compare_and_swap(&s->busy, 0, 1);
}

__noinline int scratch__claim(void)
{
	/* unrolled by hand: a loop's key on the stack read as an infinite loop */
	if (scratch__try(0))
		return 0;
	if (scratch__try(1))
		return 1;
	if (scratch__try(2))
		return 2;
	if (scratch__try(3))
		return 3;
	return -1;
}

/* A free slot of this CPU (its index in *slot), or NULL: all busy. */
static __always_inline struct scratch *scratch__get(__u32 *slot)
{
	int i = scratch__claim();

	if (i < 0)
		return NULL;
	*slot = i;
	return bpf_map_lookup_elem(&scratch, slot);
}

/*
 * A scratch slot with the record's header filled in, for the records
 * built there (exec, failed exec, file mmap); NULL with the record counted
 * lost when every slot of this CPU is busy.
 */
static __always_inline struct scratch *scratch__event(__u32 type, struct task_struct *task,
						      __u32 as, __u32 *slot)
{
	struct scratch *s = scratch__get(slot);

	if (!s) {
		drop__count(type);
		return NULL;
	}
	header__fill((struct mt_header *)s->rec, type, task, as);
	return s;
}

static __always_inline void scratch__put(struct scratch *s)
{
	/* a plain store: only this slot's owner writes it while busy */
	*(volatile __u32 *)&s->busy = 0;
}

/*
 * Copies the record built in s->rec (len bytes) to the ring, with the
 * same wake-up batching as event__submit; a full ring (or no scratch,
 * s NULL) counts `n` lost records of `type`, so loss stays exact.
 */
static __always_inline void scratch__output(struct scratch *s, __u64 len, __u32 type, __u32 n)
{
	__u64 flags = 0, avail;

	/* never true (records stay below REC_LEN), but the verifier must know */
	if (len >= REC_LEN) {
		if (type < MT_EV_MAX)
			__sync_fetch_and_add(&dropped[type], n);
		return;
	}
	len &= REC_LEN - 1;
	if (wakeup_bytes) {
		avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
		if (avail + len + 8 >= wakeup_bytes && avail < wakeup_bytes)
			flags = BPF_RB_FORCE_WAKEUP;
		else
			flags = BPF_RB_NO_WAKEUP;
	}
	if (bpf_ringbuf_output(&events, s->rec, len, flags) && type < MT_EV_MAX)
		__sync_fetch_and_add(&dropped[type], n);
}

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
/*
 * Open-coded loops (kernel 6.4+): the verifier checks the body until its
 * states converge instead of unrolling every path of a bounded loop
 * (the dentry walk's did not fit in a million instructions).
 */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

#define DELETED		" (deleted)"
#define ANON_INODE	"anon_inode:"
#define ANON_INODE_FS_MAGIC	0x09041934	/* include/uapi/linux/magic.h */

static __always_inline int path__pseudo(struct scratch *s, struct dentry *d, __u32 off)
{
	bool anon = d->d_sb->s_magic == ANON_INODE_FS_MAGIC;
	__u32 pos = off;
	long r;

	if (anon) {
		__builtin_memcpy(&s->rec[pos & (REC_LEN - 1)], ANON_INODE, sizeof(ANON_INODE) - 1);
		pos += sizeof(ANON_INODE) - 1;
	} else {
		s->rec[pos & (REC_LEN - 1)] = '/';
		pos++;
	}
	r = bpf_probe_read_kernel_str(&s->rec[pos & (REC_LEN - 1)], NAME_READ, d->d_name.name);
	if (r > 0)
		pos += r - 1;
	if (!anon) {
		__builtin_memcpy(&s->rec[pos & (REC_LEN - 1)], DELETED, sizeof(DELETED) - 1);
		pos += sizeof(DELETED) - 1;
	}
	return pos - off;
}

/*
 * d_path() by hand (bpf_d_path is refused in tp_btf): the dentry names up
 * to the root, crossing mount points (struct mount holds the vfsmount;
 * fs/d_path.c prepend_path), then written root first at rec[off], with
 * " (deleted)" for an unlinked file as /proc/PID/maps shows it. Returns
 * the length, | MT_STR_TRUNCATED << 16 when deeper than PATH_DEPTH or
 * longer than MT_PATH_LEN. Global (verified once, scalars in): inlined
 * into the VMA loop it blew the verifier's budget (research FINDINGS).
 */
__noinline int path__resolve(__u32 slot, __u64 file_p, __u32 off)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch, &slot);
	struct file *f = bpf_rdonly_cast((void *)file_p, bpf_core_type_id_kernel(struct file));
	struct dentry *d, *parent, *mroot;
	struct vfsmount *vm;
	struct mount *mnt, *mparent;
	struct bpf_iter_num it;
	__u32 n, pos, trunc = 0, start = off;
	bool deleted;
	long r;

	if (!s || !file_p || off >= REC_LEN)
		return 0;
	d = f->f_path.dentry;
	vm = f->f_path.mnt;
	if (!d || !vm)
		return 0;
	/*
	 * A pseudo file (alloc_file_pseudo: memfd, SysV shm, anon inodes) has
	 * a dentry that is its own parent and d_path() asks its d_dname():
	 * "/NAME (deleted)" (simple_dname, fs/libfs.c) or, for anon inodes,
	 * "anon_inode:NAME" (fs/anon_inodes.c).
	 */
	if (d == d->d_parent && d != vm->mnt_root)
		return path__pseudo(s, d, off);
	/* d_unlinked(): unhashed and not a root */
	deleted = !d->d_hash.pprev && d != d->d_parent;
	mnt = bpf_rdonly_cast((void *)vm - bpf_core_field_offset(struct mount, mnt),
			      bpf_core_type_id_kernel(struct mount));
	/*
	 * The loops' counters live in the slot, not in registers: the
	 * verifier does not track map memory, so each pass starts from the
	 * same state and the loop is checked once or twice, not once per
	 * depth and length (docs/performance.md, sixth session: in registers
	 * this was most of start-up).
	 */
	WRITE_ONCE(s->n, 0);
	bpf_iter_num_new(&it, 0, PATH_DEPTH + 8);
	while (bpf_iter_num_next(&it)) {
		mroot = vm->mnt_root;
		parent = d->d_parent;
		if (d == mroot || d == parent) {
			mparent = mnt->mnt_parent;
			if (d != mroot || mparent == mnt)
				break;	/* the namespace's root, or an internal mount's */
			d = mnt->mnt_mountpoint;
			mnt = bpf_rdonly_cast(mparent, bpf_core_type_id_kernel(struct mount));
			vm = &mnt->mnt;
			continue;
		}
		n = READ_ONCE(s->n);
		if (n >= PATH_DEPTH) {
			trunc = MT_STR_TRUNCATED;
			break;
		}
		s->comp[n & (PATH_DEPTH - 1)] = (__u64)d->d_name.name;
		WRITE_ONCE(s->n, n + 1);
		d = parent;
	}
	bpf_iter_num_destroy(&it);
	pos = off;
	if (!READ_ONCE(s->n)) {
		s->rec[pos & (REC_LEN - 1)] = '/';
		pos++;
	}
	WRITE_ONCE(s->pos, pos);
	bpf_iter_num_new(&it, 0, PATH_DEPTH);
	while (bpf_iter_num_next(&it)) {
		n = READ_ONCE(s->n);
		if (!n)
			break;
		pos = READ_ONCE(s->pos);
		if (pos - start > MT_PATH_LEN - NAME_READ - 16) {
			trunc = MT_STR_TRUNCATED;
			break;
		}
		n--;
		WRITE_ONCE(s->n, n);
		s->rec[pos & (REC_LEN - 1)] = '/';
		pos++;
		r = bpf_probe_read_kernel_str(&s->rec[pos & (REC_LEN - 1)], NAME_READ,
					      (void *)s->comp[n & (PATH_DEPTH - 1)]);
		if (r <= 0) {
			WRITE_ONCE(s->pos, pos);
			break;
		}
		WRITE_ONCE(s->pos, pos + r - 1);	/* without the NUL */
	}
	bpf_iter_num_destroy(&it);
	pos = READ_ONCE(s->pos);
	if (deleted && !trunc) {
		__builtin_memcpy(&s->rec[pos & (REC_LEN - 1)], DELETED, sizeof(DELETED) - 1);
		pos += sizeof(DELETED) - 1;
	}
	return ((pos - start) & 0xffff) | (trunc << 16);
}

/*
 * The creating syscall, from the caller's saved registers (a BTF pointer:
 * plain loads). Kernel threads and io_uring workers come from no syscall
 * of these (a kernel thread's saved registers are zero).
 */
static __always_inline __u32 fork__syscall(struct task_struct *parent)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(parent);
	__u64 nr;

	if (!regs || (parent->thread_info.status & TS_COMPAT))
		return ~0U;
	nr = regs->orig_ax;
	switch (nr) {
	case NR_clone:
	case NR_clone3:
	case NR_fork:
	case NR_vfork:
		return nr;
	default:
		return ~0U;	/* io_uring worker, user-mode helper, ... */
	}
}

/*
 * task_newtask fires at the end of copy_process, with the child fully set
 * up (pid, tgid, mm) but not yet woken, in the caller's context, and it
 * hands over the clone flags the kernel acted on. sched_process_fork comes
 * a moment later but without the flags; recovering them from the caller's
 * registers and clone3's user-space arguments cost more than the rest of
 * the fork event together (measured: 850 -> 450 ns per thread creation).
 */
SEC("tp_btf/task_newtask")
int handle_fork(__u64 *ctx)
{
	struct task_struct *child = (struct task_struct *)ctx[0];
	__u64 clone_flags = ctx[1];
	struct task_struct *parent = bpf_get_current_task_btf();
	struct mt_fork_event *e;
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	bool thread = ctgid == ptgid;
	/* CLONE_VM is exactly when copy_mm shares the mm (kernel threads: both NULL) */
	bool shared_vm = clone_flags & CLONE_VM_F;
	__u32 pas, cas;

	if (!proc__traced(ptgid, parent, &pas))
		return 0;

	cas = shared_vm ? pas : as__new(task__mm(child));
	if (!shared_vm)
		mm__track(task__mm(child), cas);	/* issue 11 */
	if (!thread && bpf_map_update_elem(&traced, &ctgid, &cas, BPF_ANY))
		__sync_fetch_and_add(&untracked, 1);

	e = event__new(sizeof(*e), MT_EV_FORK, parent, pas);
	if (!e)
		return 0;
	e->child_pid = ctgid;
	e->child_tid = child->pid;
	e->child_as = cas;
	e->fork_flags = MT_FORK_FLAGS_KNOWN | (shared_vm ? MT_FORK_SHARED_VM : 0);
	/*
	 * kernel_clone_args.flags: clone's CSIGNAL byte already stripped
	 * (kernel/fork.c), clone3's taken whole. The signal is the one the
	 * kernel will send (a thread sends none: -1; CLONE_PARENT inherits
	 * the new parent's).
	 */
	e->clone_flags = clone_flags;
	e->exit_signal = child->exit_signal;
	e->syscall_nr = fork__syscall(parent);
	e->ret = 0;
	e->__pad = 0;
	event__submit(e, sizeof(*e));
	return 0;
}

/*
 * What sched_prepare_exec saw, for an exec that then fails after its point
 * of no return: by its syscall exit the path (in the freed bprm, or in
 * user memory that no longer exists) and the calling thread's tid (a
 * non-leader took the leader's) are gone. Task storage, because the task
 * is the same object before and after de_thread.
 */
struct exec_pending {
	__u32 pending;		/* set at prepare, cleared at exec success or exit */
	__u32 old_tid;
	__u32 old_as;
	__u32 flags;		/* MT_EXEC_TRUNCATED */
	__u32 len;		/* of filename, without its NUL */
	char filename[MT_PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct exec_pending);
} exec_pending SEC(".maps");

/*
 * The point of no return (fs/exec.c begin_new_exec, kernel 6.10+; the
 * loader leaves this out where the tracepoint is missing): the task still
 * has its old mm and tid, every later error kills the process.
 */
SEC("tp_btf/sched_prepare_exec")
int BPF_PROG(handle_prepare_exec, struct task_struct *task, struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid;
	__u32 *v = bpf_map_lookup_elem(&traced, &tgid);
	struct exec_pending *p;
	long n;

	if (!v && (!trace_all || tgid == self_tgid))
		return 0;
	p = bpf_task_storage_get(&exec_pending, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return 0;
	p->old_tid = task->pid;
	p->old_as = v ? *v & MT_TRACED_AS_MASK : 0;
	n = bpf_probe_read_kernel_str(p->filename, sizeof(p->filename),
				      BPF_CORE_READ(bprm, filename));
	p->flags = n == sizeof(p->filename) ? MT_EXEC_TRUNCATED : 0;
	p->len = n > 0 ? n - 1 : 0;
	p->pending = 1;
	mm__last(task);		/* issue 11: the old mm, still whole */
	return 0;
}

/*
 * The new image's arguments, from its stack (mm->arg_start..arg_end, put
 * there by exec's copy_strings: resident, and this is its own mm now), at
 * rec[off]. Returns their length (at most MT_ARGV_LEN, flagged if cut).
 */
static __always_inline __u32 exec__argv(struct scratch *s, struct task_struct *task,
					__u32 off, __u32 *flags)
{
	__u64 start = BPF_CORE_READ(task, mm, arg_start);
	__u64 end = BPF_CORE_READ(task, mm, arg_end), len;

	if (!start || end <= start)
		return 0;
	len = end - start;
	if (len > MT_ARGV_LEN) {
		len = MT_ARGV_LEN;
		*flags |= MT_EXEC_ARGV_TRUNCATED;
	}
	/* clang copies len before the test: the mask gives the verifier its bound */
	asm volatile("" : "+r"(len));
	len &= 2 * MT_ARGV_LEN - 1;
	if (bpf_probe_read_user(&s->rec[off & (REC_LEN - 1)], len, (void *)start))
		return 0;
	*flags |= MT_EXEC_HAS_ARGV;
	return len;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct mt_exec_event *e;
	struct exec_pending *p;
	struct scratch *s;
	__u32 tgid = task->tgid;
	__u32 *v = bpf_map_lookup_elem(&traced, &tgid);
	__u32 old_as, as, slot, flen, alen, flags;
	long n;

	if (!v && !proc__admitted(tgid))
		return 0;
	p = bpf_task_storage_get(&exec_pending, task, NULL, 0);
	if (p)
		p->pending = 0;
	/* task->mm is already the new mm: the old id can only come from the cache */
	old_as = v ? *v & MT_TRACED_AS_MASK : 0;
	as = exec__new_as(task__mm(task));	/* issue 11: as__new unless faults named it */
	if (v)
		*v = as;
	/* the slot may hold the old id; not cached if the map had no room */
	if (v || !bpf_map_update_elem(&traced, &tgid, &as, BPF_ANY))
		fcache__set(tgid, as);

	s = scratch__event(MT_EV_EXEC, task, as, &slot);
	if (!s)
		return 0;
	e = (void *)s->rec;
	e->old_tid = old_pid;
	e->old_as = old_as;
	e->ret = 0;
	n = bpf_probe_read_kernel_str(e->data, MT_PATH_LEN, BPF_CORE_READ(bprm, filename));
	flen = n > 0 ? n - 1 : 0;
	flags = n == MT_PATH_LEN ? MT_EXEC_TRUNCATED : 0;
	e->argc = BPF_CORE_READ(bprm, argc);
	alen = exec__argv(s, task, sizeof(*e) + flen, &flags);
	e->flags = flags;
	e->filename_len = flen;
	e->argv_len = alen;
	scratch__output(s, sizeof(*e) + flen + alen, MT_EV_EXEC, 1);
	scratch__put(s);
	return 0;
}

/* ---- issue 10 §2: the kernel-made map (vma records) ---- */

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it,
				 struct task_struct *task, __u64 addr) __ksym __weak;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym __weak;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym __weak;
/*
 * The address of special_mapping_name (mm/mmap.c), the vm_ops->name of
 * every mapping made by _install_special_mapping: [vdso], [vvar],
 * [vvar_vclock], [uprobes]. Learnt from the vdso's VMA (vma__learn_special)
 * rather than declared as a __ksym: a typeless ksym makes libbpf read all
 * of /proc/kallsyms at every start (see docs/performance.md). 0: not yet.
 */
__u64 special_name_fn = 0;

#ifndef VM_EXEC
#define VM_EXEC		0x00000004
#endif
#define MM_CONTEXT_HAS_VSYSCALL	1	/* bit of mm->context.flags (arch/x86 asm/mmu.h) */

/*
 * The gate VMA ([vsyscall]) belongs to no mm: /proc/PID/maps adds it last
 * for every 64-bit mm (get_gate_vma). The loader copies its line from its
 * own /proc/self/maps (one global page); gate_end 0: there is none.
 */
const volatile __u64 gate_start = 0;
const volatile __u64 gate_end = 0;
const volatile __u32 gate_prot = 0;

/* A batch is sent when the next VMA might not fit: a path takes up to MT_PATH_LEN. */
#define VMA_FLUSH_AT	(REC_LEN - sizeof(struct mt_vma) - MT_PATH_LEN - NAME_READ - 64)

/* CONFIG_ANON_VMA_NAME only (not on every kernel, nor in our vmlinux.h) */
struct vm_area_struct___an {
	struct anon_vma_name *anon_name;
} __attribute__((preserve_access_index));

/* name[pos..] = "PREFIX" NAME "]" for [anon:NAME] / [anon_shmem:NAME]; returns its length */
static __always_inline __u32 vma__anon_name(struct scratch *s, __u32 pos, const char *prefix,
					    __u32 plen, const char *name)
{
	long r;

	__builtin_memcpy(&s->rec[pos & (REC_LEN - 1)], prefix, 12);	/* may copy past plen */
	r = bpf_probe_read_kernel_str(&s->rec[(pos + plen) & (REC_LEN - 1)], MT_VMA_NAME_LEN, name);
	if (r <= 0)
		r = 1;
	s->rec[(pos + plen + r - 1) & (REC_LEN - 1)] = ']';
	return plen + r;
}

/*
 * The path of a VMA's file, for the map walks. path__resolve's loops keep
 * positions in registers, so the verifier sees a new state at every turn:
 * called from here it made this program's load hundreds of times slower
 * (docs/performance.md, issue 10 vma records). This walk prepends each name
 * (fs/d_path.c prepend_path does the same) and keeps its position and
 * pointers in memory: the verifier sees the same state at every turn.
 * A path longer than VMA_PATH_LEN keeps its end and is flagged.
 */
#define VMA_PATH_LEN	4096
#define NAME_MAX_	255

struct vma_path {
	__u64 d, mnt;		/* the dentry and struct mount being walked */
	__u32 pos;		/* buf[pos..VMA_PATH_LEN) holds the path so far */
	__u32 done;		/* reached the root */
	char buf[VMA_PATH_LEN + NAME_MAX_ + 1];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);	/* one per scratch slot: claimed with it */
	__type(key, __u32);
	__type(value, struct vma_path);
} vma_paths SEC(".maps");

__noinline int vma__path(__u32 slot, __u64 file_p, __u32 off)
{
	struct vma_path *pb = bpf_map_lookup_elem(&vma_paths, &slot);
	struct scratch *s = bpf_map_lookup_elem(&scratch, &slot);
	struct file *f = bpf_rdonly_cast((void *)file_p, bpf_core_type_id_kernel(struct file));
	struct dentry *d, *parent;
	struct mount *mnt, *mparent;
	struct bpf_iter_num it;
	__u32 len, p, total, trunc = 0;
	bool deleted;

	if (!pb || !s || !file_p || off >= REC_LEN)
		return 0;
	d = f->f_path.dentry;
	if (!d || !f->f_path.mnt)
		return 0;
	/* memfd, SysV shm, anon inodes: see path__resolve */
	if (d == d->d_parent && d != f->f_path.mnt->mnt_root)
		return path__pseudo(s, d, off);
	deleted = !d->d_hash.pprev && d != d->d_parent;
	pb->d = (__u64)d;
	pb->mnt = (__u64)f->f_path.mnt - bpf_core_field_offset(struct mount, mnt);
	pb->pos = VMA_PATH_LEN;
	pb->done = 0;
	bpf_iter_num_new(&it, 0, PATH_DEPTH + 8);
	while (bpf_iter_num_next(&it)) {
		d = bpf_rdonly_cast((void *)pb->d, bpf_core_type_id_kernel(struct dentry));
		mnt = bpf_rdonly_cast((void *)pb->mnt, bpf_core_type_id_kernel(struct mount));
		parent = d->d_parent;
		if (d == mnt->mnt.mnt_root || d == parent) {
			mparent = mnt->mnt_parent;
			if (d != mnt->mnt.mnt_root || mparent == mnt) {
				pb->done = 1;	/* the namespace's root, or an internal mount's */
				break;
			}
			pb->d = (__u64)mnt->mnt_mountpoint;
			pb->mnt = (__u64)mparent;
			continue;
		}
		len = d->d_name.len;
		p = pb->pos;
		if (len > NAME_MAX_ || p < len + 1) {
			trunc = 1;
			break;
		}
		p -= len;
		bpf_probe_read_kernel(&pb->buf[p & (VMA_PATH_LEN - 1)], len & NAME_MAX_, d->d_name.name);
		p--;
		pb->buf[p & (VMA_PATH_LEN - 1)] = '/';
		pb->pos = p;
		pb->d = (__u64)parent;
	}
	bpf_iter_num_destroy(&it);
	p = pb->pos;
	if (p >= VMA_PATH_LEN) {	/* the root itself */
		p = VMA_PATH_LEN - 1;
		pb->buf[p] = '/';
	}
	if (!pb->done)
		trunc = 1;	/* deeper than PATH_DEPTH + 8 */
	total = VMA_PATH_LEN - p;
	if (total > VMA_PATH_LEN)
		total = VMA_PATH_LEN;
	bpf_probe_read_kernel(&s->rec[off & (REC_LEN - 1)], total, &pb->buf[p & (VMA_PATH_LEN - 1)]);
	if (deleted && !trunc) {
		__builtin_memcpy(&s->rec[(off + total) & (REC_LEN - 1)], DELETED, sizeof(DELETED) - 1);
		total += sizeof(DELETED) - 1;
	}
	return total | (trunc << 16);
}

/*
 * Writes one VMA at s->rec[pos]: a struct mt_vma and its name padded to 8
 * bytes, named the way fs/proc/task_mmu.c get_vma_name() does. Returns
 * the bytes written, or 0 when pos is out of range. Global (verified
 * once, scalars in): the walks call it for every VMA.
 */
__noinline int vma__put(__u32 slot, __u64 vma_p, __u64 mm_p, __u32 pos)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch, &slot);
	struct vm_area_struct *vma = bpf_rdonly_cast((void *)vma_p,
						     bpf_core_type_id_kernel(struct vm_area_struct));
	struct mm_struct *mm = bpf_rdonly_cast((void *)mm_p, bpf_core_type_id_kernel(struct mm_struct));
	struct anon_vma_name *an = NULL;
	const struct vm_operations_struct *ops;
	struct vm_special_mapping *sm;
	struct mt_vma *v;
	struct inode *ino;
	struct file *f;
	__u32 name = pos + sizeof(*v), len = 0, flags = 0;
	__u64 fl, start, end;
	long r;

	if (!s || !vma_p || pos > VMA_FLUSH_AT)
		return 0;
	v = (void *)&s->rec[pos & (REC_LEN - 1)];
	start = vma->vm_start;
	end = vma->vm_end;
	fl = vma->vm_flags;
	f = vma->vm_file;
	if (bpf_core_field_exists(((struct vm_area_struct___an *)vma)->anon_name))
		an = ((struct vm_area_struct___an *)vma)->anon_name;
	v->start = start;
	v->end = end;
	v->prot = fl & (VM_READ | VM_WRITE | VM_EXEC);	/* the same bits as PROT_* */
	v->offset = 0;
	v->inode = 0;
	v->dev = 0;
	if (fl & VM_MAYSHARE)
		flags |= MT_VMA_SHARED;
	if (f) {
		/* /proc shows the pgoff of file VMAs only */
		v->offset = vma->vm_pgoff << 12;
		ino = f->f_inode;
		v->inode = ino->i_ino;
		v->dev = ino->i_sb->s_dev;
		if (an) {
			len = vma__anon_name(s, name, "[anon_shmem:", 12, an->name);
		} else {
			r = vma__path(slot, ptr__value(f), name);
			len = r & 0xffff;
			flags |= MT_VMA_FILE;
			if (r >> 16)
				flags |= MT_VMA_NAME_TRUNCATED;
		}
		goto done;
	}
	ops = vma->vm_ops;
	if (ops && special_name_fn && ptr__value(ops->name) == special_name_fn) {
		/* [vdso], [vvar], [vvar_vclock], [uprobes]: vm_private_data is the mapping */
		sm = vma->vm_private_data;
		r = bpf_probe_read_kernel_str(&s->rec[name & (REC_LEN - 1)], NAME_READ, sm->name);
		len = r > 0 ? r - 1 : 0;
	} else if (start <= mm->brk && end >= mm->start_brk) {
		__builtin_memcpy(&s->rec[name & (REC_LEN - 1)], "[heap]", 6);
		len = 6;
	} else if (start <= mm->start_stack && end >= mm->start_stack) {
		__builtin_memcpy(&s->rec[name & (REC_LEN - 1)], "[stack]", 7);
		len = 7;
	} else if (an) {
		len = vma__anon_name(s, name, "[anon:\0\0\0\0\0\0", 6, an->name);
	}
done:
	len &= 0x1fff;
	/* zero the padding: the slot holds older records */
	*(__u64 *)&s->rec[(name + len) & (REC_LEN - 1)] = 0;
	v->name_len = len;
	v->flags = flags;
	v->__pad = 0;
	return sizeof(*v) + ((len + 7) & ~7U);
}

/* The gate VMA at s->rec[pos]; see gate_start. Returns the bytes written. */
static __always_inline __u32 vma__gate(struct scratch *s, __u32 pos)
{
	struct mt_vma *v = (void *)&s->rec[pos & (REC_LEN - 1)];

	v->start = gate_start;
	v->end = gate_end;
	v->offset = 0;
	v->inode = 0;
	v->dev = 0;
	v->prot = gate_prot;
	v->flags = 0;
	v->name_len = 10;
	v->__pad = 0;
	__builtin_memcpy(&s->rec[(pos + sizeof(*v)) & (REC_LEN - 1)], "[vsyscall]\0\0\0\0\0", 16);
	return sizeof(*v) + 16;
}

/* Sends the batch of n VMAs built in slot (pos bytes) and starts the next. */
__noinline int vma__flush(__u32 slot, __u32 pos, __u32 n, __u32 flags)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch, &slot);
	struct mt_vma_event *b;

	if (!s)
		return 0;
	b = (void *)s->rec;
	b->count = n;
	b->flags = flags;
	/* pos is an unknown scalar here: bound it where the verifier sees it */
	asm volatile("" : "+r"(pos));
	pos &= REC_LEN - 1;
	if (n || (flags & MT_VMA_LAST))
		scratch__output(s, pos, MT_EV_VMA, n);
	b->seq++;
	return 0;
}

/*
 * Every VMA of task's mm, in address order, as MT_EV_VMA batches (one
 * when they fit the scratch, as after an exec). The open-coded task_vma
 * iterator takes the mmap lock with a trylock: if it is busy (someone
 * reads /proc/PID/maps right now) the map is lost, and counted.
 */
/*
 * Finds special_name_fn once: the VMA at mm->context.vdso (arch/x86
 * entry/vdso/vma.c map_vdso) is a special mapping, so its vm_ops->name is
 * the function every special mapping shares. Without a vdso (vdso=0 on
 * the command line) the names stay unknown and those VMAs are nameless.
 */
static __always_inline void vma__learn_special(struct task_struct *task)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	__u64 vdso = (__u64)BPF_CORE_READ(task, mm, context.vdso);

	if (special_name_fn || !vdso)
		return;
	if (!bpf_iter_task_vma_new(&it, task, vdso)) {
		vma = bpf_iter_task_vma_next(&it);
		if (vma && vma->vm_start == vdso && vma->vm_ops)
			special_name_fn = ptr__value(vma->vm_ops->name);
	}
	bpf_iter_task_vma_destroy(&it);
}

static __always_inline void vma__walk(struct task_struct *task, __u32 as, __u32 origin)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct mt_vma_event *b;
	struct scratch *s;
	__u64 mm = task__mm(task);
	__u32 slot, pos = sizeof(*b), n = 0;
	int r;

	s = scratch__event(MT_EV_VMA, task, as, &slot);
	if (!s)
		return;
	b = (void *)s->rec;
	b->origin = origin;
	b->seq = 0;
	vma__learn_special(task);
	if (bpf_iter_task_vma_new(&it, task, 0)) {
		/* destroyed even so: the verifier tracks the iterator from _new */
		bpf_iter_task_vma_destroy(&it);
		drop__count(MT_EV_VMA);
		goto out;
	}
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (pos > VMA_FLUSH_AT) {
			vma__flush(slot, pos, n, 0);
			pos = sizeof(*b);
			n = 0;
		}
		r = vma__put(slot, ptr__value(vma), mm, pos);
		if (r <= 0)
			break;
		pos += r;
		n++;
	}
	bpf_iter_task_vma_destroy(&it);
	if (gate_end && pos <= VMA_FLUSH_AT &&
	    (BPF_CORE_READ(task, mm, context.flags) & (1UL << MM_CONTEXT_HAS_VSYSCALL))) {
		pos += vma__gate(s, pos);
		n++;
	}
	vma__flush(slot, pos, n, MT_VMA_LAST);
out:
	scratch__put(s);
}

/*
 * The new image's map. A second program on the tracepoint, attached after
 * handle_exec (probes run in attach order): its verification does not add
 * to handle_exec's, and it finds the new as that handle_exec stored.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec_vma, struct task_struct *task, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid;
	__u32 *v = bpf_map_lookup_elem(&traced, &tgid);

	if (!v || (*v & MT_TRACED_LAUNCH) || !(*v & MT_TRACED_AS_MASK))
		return 0;
#ifndef MT_WITHOUT_ATTACH
	/*
	 * An exec that began before we attached has no storage from
	 * handle_prepare_exec: make one before the walk, so that the attach
	 * walk (vma_attach), if it has not reached this process yet, skips it
	 * rather than write this map a second time.
	 */
	bpf_task_storage_get(&exec_pending, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
#endif
	vma__walk(task, *v & MT_TRACED_AS_MASK, MT_VMA_ORIGIN_EXEC);
	return 0;
}

#ifndef MT_WITHOUT_ATTACH
/* With trace_all and --cgroup: is task inside cgroup_id (at cgroup_level)? */
static __always_inline bool task__in_cgroup(struct task_struct *task)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);

	if (!cgroup_id)
		return true;
	if (!cg || BPF_CORE_READ(cg, level) < (int)cgroup_level)
		return false;
	cg = BPF_CORE_READ(cg, ancestors[cgroup_level]);
	return cg && BPF_CORE_READ(cg, kn, id) == cgroup_id;
}

/*
 * The map of every traced process at attach (-p, -a): a task iterator
 * that the loader runs once (read() on the iterator's fd) right after
 * attaching. It walks each process's VMAs with the same vma__walk as
 * exec, so attach records are the same MT_EV_VMA batches, and the as ids
 * come from the same maps as every later event. Kept out of the default
 * load (autoload off unless -p/-a): start-up pays nothing for it.
 * One byte per process is written to the seq file, so that a 1-byte
 * read() returns after each process and the loader can drain the ring.
 */
SEC("iter/task")
int vma_attach(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u32 tgid, *v, as;
	__u64 mm;

	/* one walk per process: its leader's (a zombie leader's threads are skipped) */
	if (!task || task->pid != task->tgid)
		return 0;
	tgid = task->tgid;
	mm = task__mm(task);
	if (!mm)
		return 0;	/* kernel threads, exiting processes */
	/*
	 * Storage means an exec since we attached: past sched_prepare_exec
	 * (it can no longer fail: fs/exec.c begin_new_exec,
	 * point_of_no_return) or at handle_exec_vma, which writes (or wrote)
	 * the new image's map. A walk here too would write it twice.
	 */
	if (bpf_task_storage_get(&exec_pending, task, NULL, 0))
		return 0;
	v = bpf_map_lookup_elem(&traced, &tgid);
	if (v) {
		if (*v & MT_TRACED_LAUNCH)
			return 0;
		if (!(*v & MT_TRACED_AS_MASK))
			*v |= as__of(mm);
		as = *v & MT_TRACED_AS_MASK;
	} else {
		if (!trace_all || tgid == self_tgid || !task__in_cgroup(task))
			return 0;
		as = as__of(mm);
		if (bpf_map_update_elem(&traced, &tgid, &as, BPF_NOEXIST))
			return 0;
	}
	/* not cached in filter_cache: only the process's own tasks fill its slot */
	vma__walk(task, as, MT_VMA_ORIGIN_ATTACH);
	bpf_seq_write(ctx->meta->seq, "\n", 1);
	return 0;
}
#endif /* MT_WITHOUT_ATTACH */

/* ---- end of issue 10 §2 ---- */

/*
 * Older kernels (6.1, for one) pass sched_process_exit only the task. The loader
 * tries the new prototype first and sets this to false when it is refused;
 * the verifier then drops the branch that reads the missing argument.
 */
const volatile bool exit_has_group_dead = true;

/* include/linux/sched/signal.h: signal->flags while the group exits */
#define SIGNAL_GROUP_EXIT	0x00000004

/*
 * The status wait(2) will report, as wait_task_zombie (kernel/exit.c)
 * computes it: once the group exits (exit_group, a fatal signal, a core
 * dump) the group's code, else the task's own. A core dump sets 0x80 in
 * group_exit_code only (fs/coredump.c), the dumping thread's exit_code
 * never has it: a multithreaded process that dumped core read "no core".
 */
static __always_inline __u32 exit__status(struct task_struct *task)
{
	if (BPF_CORE_READ(task, signal, flags) & SIGNAL_GROUP_EXIT)
		return BPF_CORE_READ(task, signal, group_exit_code);
	return task->exit_code;
}

SEC("tp_btf/sched_process_exit")
int handle_exit(__u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx[0];
	struct mt_exit_event *e;
	__u32 tgid = task->tgid;
	bool group_dead;
	__u32 as, *v;

	/*
	 * Without the argument: signal->live is decremented before the
	 * tracepoint, so 0 means the last task (two threads exiting at the
	 * same instant may both see 0).
	 */
	if (exit_has_group_dead)
		group_dead = ctx[1];
	else
		group_dead = BPF_CORE_READ(task, signal, live.counter) == 0;

	if (proc__traced(tgid, task, &as)) {
		if (group_dead)
			mm__last(task);		/* issue 11 */
		e = event__new(sizeof(*e), MT_EV_EXIT, task, as);
		if (e) {
			e->exit_code = exit__status(task);
			e->flags = group_dead ? MT_EXIT_GROUP_DEAD : 0;
			event__submit(e, sizeof(*e));
		}
	}
	/* also a launcher that never exec'd (MT_TRACED_LAUNCH): it is gone */
	if (group_dead) {
		v = bpf_map_lookup_elem(&traced, &tgid);
		if (v)
			__sync_fetch_and_or(v, MT_TRACED_DEAD);
	}
	return 0;
}

/*
 * A process leaves the filter when its leader's task_struct is freed, not
 * at group_dead: another thread can still be between its own exit and its
 * exit tracepoint when the last one marks the group dead, and its exit
 * must still be seen. The leader is freed only after every thread of the
 * group has been released. (After a non-leader exec, the old leader leaves
 * with the exec'ing thread's old tid, so pid != tgid keeps the entry.)
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(handle_free, struct task_struct *task)
{
	__u32 tgid = task->tgid;

	if (task->pid == tgid) {
		bpf_map_delete_elem(&traced, &tgid);
		fcache__drop(tgid);
	}
	return 0;
}

static __always_inline __u32 mem__type(struct pt_regs *regs, long nr)
{
	switch (nr) {
	case NR_mmap:		return MT_EV_MMAP;
	case NR_munmap:		return MT_EV_MUNMAP;
	case NR_brk:		return MT_EV_BRK;
	case NR_mprotect:	return MT_EV_MPROTECT;
	case NR_mremap:		return MT_EV_MREMAP;
	/* issue 10 */
	case NR_pkey_mprotect:	return MT_EV_MPROTECT;
	case NR_madvise:	return MT_EV_MADVISE;
	case NR_shmat:		return MT_EV_SHMAT;
	case NR_shmdt:		return MT_EV_SHMDT;
	case NR_prctl:
		/* only the naming of anonymous memory (kernel/sys.c prctl_set_vma) */
		return regs->di == PR_SET_VMA && regs->si == PR_SET_VMA_ANON_NAME ?
		       MT_EV_VMA_NAME : MT_EV_NONE;
	default:		return MT_EV_NONE;
	}
}

/*
 * shmat's segment size, for shmdt: by shmdt's exit the VMAs are gone, and
 * ksys_shmdt (ipc/shm.c) removes as much as the segment's size from the
 * attach address. Key: the mm and the address; attachments inherited
 * over fork or made before attach are unknown (len 0).
 */
struct shm_key {
	__u64 mm;
	__u64 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);	/* the loader sets it (tracer.c maps__capacity) */
	__type(key, struct shm_key);
	__type(value, __u64);
} shm_sizes SEC(".maps");

/*
 * The attached segment's file is a clone of the shm file (ipc/shm.c
 * do_shmat: alloc_file_clone), whose inode size is the segment's size
 * (shmem_kernel_file_setup / hugetlb_file_setup set i_size).
 */
static long shm__vma_size(struct task_struct *task, struct vm_area_struct *vma, __u64 *size)
{
	struct file *f = vma->vm_file;

	*size = vma->vm_start == size[1] && f ? f->f_inode->i_size : 0;
	return 0;
}

/*
 * The VMA comes from bpf_find_vma: sys_exit runs with interrupts on, so
 * its mmap_read_trylock is cheap, and it is verified as one small
 * callback instead of the lockless maple walk (bpf/maple.h, for the
 * fault hook), a large share of every start-up. A contended mmap lock
 * (another thread mapping at that instant) leaves the size unknown (0),
 * as for a segment attached before tracing began.
 */
__noinline __u64 shm__attached(__u64 addr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct shm_key k = { .mm = task__mm(task), .addr = addr };
	__u64 ctx[2] = { 0, addr };	/* out: the size; in: the address */

	if (bpf_find_vma(task, addr, shm__vma_size, ctx, 0) || !ctx[0])
		return 0;
	bpf_map_update_elem(&shm_sizes, &k, &ctx[0], BPF_ANY);
	return ctx[0];
}

static __always_inline __u64 shm__detached(struct task_struct *task, __u64 addr)
{
	struct shm_key k = { .mm = task__mm(task), .addr = addr };
	__u64 *v = bpf_map_lookup_elem(&shm_sizes, &k), size = v ? *v : 0;

	if (v)
		bpf_map_delete_elem(&shm_sizes, &k);
	return size;
}

/* prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name) */
static __always_inline void vma_name__event(struct pt_regs *regs, long ret,
					    struct task_struct *task, __u32 as)
{
	struct mt_vma_name_event *e;
	const char *name = (const char *)regs->r8;

	e = event__new(sizeof(*e), MT_EV_VMA_NAME, task, as);
	if (!e)
		return;
	e->addr = regs->dx;
	e->len = regs->r10;
	e->ret = ret;
	e->flags = name ? 0 : MT_VMA_NAME_NULL;
	e->__pad = 0;
	e->name[0] = '\0';
	if (name && bpf_probe_read_user_str(e->name, sizeof(e->name), name) < 0)
		e->name[0] = '\0';
	event__submit(e, sizeof(*e));
}

/*
 * After the point of no return: the event tells what sched_prepare_exec
 * saw (path, calling thread, old as) and the address space the process
 * now has, which is not the old one: exec_mmap already switched, and the
 * process dies with SIGSEGV next. Returns the path's length, or -1 if
 * this exec never got that far.
 */
static __always_inline long exec__no_return(struct mt_exec_event *e, struct task_struct *task)
{
	struct exec_pending *p = bpf_task_storage_get(&exec_pending, task, NULL, 0);
	__u32 tgid = task->tgid, *v, as;
	__u64 mm;

	if (!p || !p->pending)
		return -1;
	p->pending = 0;
	mm = task__mm(task);
	v = bpf_map_lookup_elem(&mm_ids, &mm);
	/* exec_mmap not reached (de_thread failed): still the old mm */
	as = v && *v == p->old_as ? p->old_as : as__new(mm);
	v = bpf_map_lookup_elem(&traced, &tgid);
	if (v)
		*v = as;
	fcache__set(tgid, as);
	e->hdr.as = as;
	e->old_tid = p->old_tid;
	e->old_as = p->old_as;
	e->flags = MT_EXEC_NO_RETURN | p->flags;
	bpf_probe_read_kernel(e->data, MT_PATH_LEN, p->filename);
	return p->len < MT_PATH_LEN ? p->len : MT_PATH_LEN - 1;
}

/*
 * A failed execve/execveat, like strace shows it: a shell's PATH search or
 * a missing interpreter is otherwise invisible. Success is sched_process_exec's.
 */
static __always_inline void exec__failed(struct pt_regs *regs, long ret, long nr,
					 struct task_struct *task, __u32 as)
{
	struct mt_exec_event *e;
	struct scratch *s;
	const char *path;
	__u32 slot;
	long n;

	s = scratch__event(MT_EV_EXEC, task, as, &slot);
	if (!s)
		return;
	e = (void *)s->rec;
	e->ret = ret;
	e->argc = 0;
	e->argv_len = 0;
	n = exec__no_return(e, task);
	if (n < 0) {
		e->old_tid = task->pid;
		e->old_as = as;
		/* execveat(dirfd, path, ...): the path is the second argument */
		path = (const char *)(nr == NR_execve ? regs->di : regs->si);
		n = bpf_probe_read_user_str(e->data, MT_PATH_LEN, path);
		e->flags = n == MT_PATH_LEN ? MT_EXEC_TRUNCATED : 0;
		n = n > 0 ? n - 1 : 0;
	}
	e->filename_len = n;
	scratch__output(s, sizeof(*e) + (n & (MT_PATH_LEN - 1)), MT_EV_EXEC, 1);
	scratch__put(s);
}

/* The part of clone3's struct clone_args (include/uapi/linux/sched.h) we read. */
struct clone_args_head {
	__u64 flags;
	__u64 pidfd;
	__u64 child_tid;
	__u64 parent_tid;
	__u64 exit_signal;
};

/*
 * A failed clone/clone3/fork/vfork, like strace shows it: no task_newtask
 * fires, so only the syscall's exit sees it (a fork bomb's EAGAIN, a
 * bad flag combination's EINVAL). The flags are the ones asked for.
 */
static __always_inline void fork__failed(struct pt_regs *regs, long ret, long nr,
					 struct task_struct *task, __u32 as)
{
	struct clone_args_head ca;
	struct mt_fork_event *e;
	__u64 flags = 0;
	__s32 sig = 0;
	bool known = true;

	switch (nr) {
	case NR_clone:
		/* kernel/fork.c: only the low 32 bits count; the low byte is the signal */
		flags = (__u32)regs->di & ~CSIGNAL_F;
		sig = regs->di & CSIGNAL_F;
		break;
	case NR_fork:
		sig = SIGCHLD_NR;
		break;
	case NR_vfork:
		flags = CLONE_VM_F | CLONE_VFORK_F;
		sig = SIGCHLD_NR;
		break;
	default:	/* NR_clone3: (struct clone_args *, size) */
		known = regs->di && regs->si >= CLONE_ARGS_VER0 &&
			!bpf_probe_read_user(&ca, sizeof(ca), (void *)regs->di);
		if (known) {
			flags = ca.flags;
			sig = ca.exit_signal;
		}
		break;
	}
	e = event__new(sizeof(*e), MT_EV_FORK, task, as);
	if (!e)
		return;
	e->child_pid = 0;
	e->child_tid = 0;
	e->child_as = 0;
	e->fork_flags = (known ? MT_FORK_FLAGS_KNOWN : 0) |
			(flags & CLONE_VM_F ? MT_FORK_SHARED_VM : 0);
	e->clone_flags = flags;
	e->exit_signal = sig;
	e->syscall_nr = nr;
	e->ret = ret;
	e->__pad = 0;
	event__submit(e, sizeof(*e));
}

static __always_inline bool nr__creates(long nr)
{
	return nr == NR_clone || nr == NR_clone3 || nr == NR_fork || nr == NR_vfork;
}

/* The file behind fd in task's table (include/linux/fdtable.h), or 0. */
static __always_inline __u64 fd__file(struct task_struct *task, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	__u64 f = 0;

	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/*
 * A successful mmap of a file: the mem record, then the path of the fd's
 * file (what strace -y shows), built in a scratch slot.
 */
static __always_inline void mmap__file_event(struct pt_regs *regs, long ret,
					     struct task_struct *task, __u32 as)
{
	struct mt_mem_event *e;
	struct mt_str_head *sh;
	struct scratch *s;
	__u32 slot, len;
	__u64 f;
	int r;

	s = scratch__event(MT_EV_MMAP, task, as, &slot);
	if (!s)
		return;
	e = (void *)s->rec;
	e->args[0] = regs->di;
	e->args[1] = regs->si;
	e->args[2] = regs->dx;
	e->args[3] = regs->r10;
	e->args[4] = regs->r8;
	e->args[5] = regs->r9;
	e->ret = ret;
	sh = (void *)(e + 1);
	f = fd__file(task, (int)regs->r8);
	r = f ? path__resolve(slot, f, sizeof(*e) + sizeof(*sh)) : 0;
	len = r & 0xffff;
	sh->len = len;
	sh->flags = f ? r >> 16 : MT_STR_ABSENT;
	scratch__output(s, sizeof(*e) + sizeof(*sh) + (len & (MT_PATH_LEN - 1)), MT_EV_MMAP, 1);
	scratch__put(s);
}

#define MAP_ANONYMOUS_F	0x20

static __always_inline void mem__event(struct pt_regs *regs, long ret, long nr, __u32 type,
				       struct task_struct *task, __u32 as)
{
	struct mt_mem_event *e;

	if (type == MT_EV_VMA_NAME) {
		vma_name__event(regs, ret, task, as);
		return;
	}
	if (nr == NR_mmap && !(regs->r10 & MAP_ANONYMOUS_F) && (ret >= 0 || ret < -4095)) {
		mmap__file_event(regs, ret, task, as);
		return;
	}
	e = event__new(sizeof(*e), type, task, as);
	if (!e)
		return;
	e->args[0] = regs->di;
	e->args[1] = regs->si;
	e->args[2] = regs->dx;
	e->args[3] = regs->r10;
	e->args[4] = regs->r8;
	e->args[5] = regs->r9;
	e->ret = ret;
	switch (nr) {
	case NR_mprotect:
		e->args[3] = 0;
		break;
	case NR_pkey_mprotect:
		e->args[3] = MT_PKEY_SET | (__u32)regs->r10;	/* an int (mm/mprotect.c) */
		break;
	case NR_shmat:
		e->args[3] = ret < 0 && ret >= -4095 ? 0 : shm__attached(ret);
		break;
	case NR_shmdt:
		e->args[1] = ret ? 0 : shm__detached(task, regs->di);
		break;
	}
	event__submit(e, sizeof(*e));
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	long nr = regs->orig_ax;
	bool failed_exec = (nr == NR_execve || nr == NR_execveat) && ret < 0;
	bool failed_fork = ret < 0 && nr__creates(nr);
	__u32 type = mem__type(regs, nr), as;

	/* most syscalls end here, before any map lookup */
	if (type == MT_EV_NONE && !failed_exec && !failed_fork)
		return 0;
	task = bpf_get_current_task_btf();
	/* a 32-bit task's numbers and registers mean other syscalls */
	if (task->thread_info.status & TS_COMPAT)
		return 0;
	if (!proc__traced(task->tgid, task, &as)) {
		/* the launcher's failed exec of the program is the program's */
		if (!failed_exec || !proc__launching(task->tgid))
			return 0;
		as = 0;
	}
	if (failed_exec)
		exec__failed(regs, ret, nr, task, as);
	else if (failed_fork)
		fork__failed(regs, ret, nr, task, as);
	else
		mem__event(regs, ret, nr, type, task, as);
	if (type != MT_EV_NONE)
		mem__unmapped(regs, ret, type, task, as);	/* issue 11 */
	return 0;
}


char LICENSE[] SEC("license") = "Dual BSD/GPL";
