/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * memtrace.h - the ABI shared by the BPF programs (bpf/memtrace.bpf.c) and
 * user space (user/). Only defines, enums and structs with fixed-width
 * fields: the same bytes are written by the kernel and read by the loader,
 * so nothing here may depend on the compiler's idea of long or bool.
 *
 * Every ring-buffer record starts with struct mt_header; its `type` says
 * which of the structs below follows. Most records have a fixed size per
 * type; those that carry strings (exec, a file mmap, vma) end with them
 * and are only as long as their strings need (bpf_ringbuf_output of a
 * per-CPU scratch): their struct gives the minimum size.
 */
#ifndef MEMTRACE_H
#define MEMTRACE_H

#define MT_COMM_LEN	16
/* PATH_MAX: the kernel refuses longer exec paths (getname: ENAMETOOLONG). */
#define MT_PATH_LEN	4096

/* anon_vma_name's limit, NUL included (include/linux/mm_types.h ANON_VMA_NAME_MAX_LEN) */
#define MT_VMA_NAME_LEN	80
/* exec.argv: at most this many bytes of the NUL-separated arguments */
#define MT_ARGV_LEN	4096

/* Bump when a record layout changes (both sides build from this header). */
#define MT_ABI_VERSION	5

enum mt_event_type {
	MT_EV_NONE = 0,
	MT_EV_FORK,		/* a task was created (process or thread) */
	MT_EV_EXEC,		/* a process replaced its image */
	MT_EV_EXIT,		/* a task exited */
	MT_EV_MMAP,
	MT_EV_MUNMAP,
	MT_EV_BRK,
	MT_EV_MPROTECT,
	MT_EV_MREMAP,
	/* issue 11: the memory itself (faults, RSS, the end of an address space) */
	MT_EV_FAULTS,		/* fault counts of one region, by class (aggregated) */
	MT_EV_FAULT,		/* one page fault (--faults=all) */
	MT_EV_RSS,		/* an address space's RSS moved by a step */
	MT_EV_AS_END,		/* an address space was torn down (exit_mmap) */
	/* end of issue 11 */
	/* issue 10: more calls and the kernel-made map (one block, keep together) */
	MT_EV_MADVISE,		/* struct mt_mem_event: addr, len, advice */
	MT_EV_SHMAT,		/* struct mt_mem_event: shmid, shmaddr, shmflg, size */
	MT_EV_SHMDT,		/* struct mt_mem_event: shmaddr, size removed */
	MT_EV_VMA_NAME,		/* struct mt_vma_name_event */
	MT_EV_VMA,		/* struct mt_vma_event: the map after exec or at attach */
	/* end of the issue 10 block */
	MT_EV_MAX,		/* keep last: sizes the per-type counters */
};

/* Common prefix of every record. */
struct mt_header {
	__u64 ts;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 type;		/* enum mt_event_type */
	__u32 pid;		/* tgid, what user space calls the pid */
	__u32 tid;		/* the task's own id */
	__u32 as;		/* address-space id: small integer per mm_struct */
	char comm[MT_COMM_LEN];
};

/*
 * MT_EV_MMAP .. MT_EV_MREMAP: one layout for the five memory syscalls.
 * args[] are the syscall's arguments in order, as the kernel saw them;
 * ret is its raw return value (an address, 0, or -errno; for brk the new
 * break, which the kernel leaves unchanged when growing it failed).
 */
struct mt_mem_event {
	struct mt_header hdr;
	__u64 args[6];
	__s64 ret;
};

/*
 * The strings that may follow a record's fixed part (exec, mmap of a
 * file): each is `len` bytes with no NUL, and the next starts right after
 * it. A string's len of 0 with MT_STR_ABSENT means there is none.
 */
struct mt_str_head {
	__u16 len;
	__u16 flags;		/* MT_STR_* */
};
#define MT_STR_TRUNCATED	(1U << 0)	/* cut at memtrace's bound */
#define MT_STR_ABSENT		(1U << 1)	/* no string (not known) */

/*
 * MT_EV_MPROTECT: args[3] is 0 for a plain mprotect, and for pkey_mprotect
 * this bit with its pkey argument (an int) in the low 32 bits: pkey -1 is
 * a valid argument, so the bit says there was one.
 */
#define MT_PKEY_SET		(1ULL << 32)

/*
 * MT_EV_MMAP of a file (not MAP_ANONYMOUS, success): struct mt_mem_event,
 * then struct mt_str_head and the file's path as the kernel resolves it
 * from the fd's file (a dentry walk up to the root, across mounts, with
 * " (deleted)" like /proc/PID/maps). Anonymous mmaps stay mt_mem_event.
 */

/* prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name) */
#define MT_VMA_NAME_NULL	(1U << 0)	/* name was NULL: the name is removed */
struct mt_vma_name_event {
	struct mt_header hdr;
	__u64 addr;
	__u64 len;
	__s64 ret;
	__u32 flags;		/* MT_VMA_NAME_* */
	__u32 __pad;
	char name[MT_VMA_NAME_LEN];
};

/*
 * MT_EV_VMA: a batch of the VMAs of one address space (hdr.as), as
 * /proc/PID/maps shows them: count entries, each a struct mt_vma then
 * name_len bytes of its name (no NUL), padded to 8 bytes. One record per
 * exec (more if it does not fit the scratch); seq numbers the batches of
 * one walk and MT_VMA_LAST marks the last.
 */
#define MT_VMA_ORIGIN_EXEC	0
#define MT_VMA_ORIGIN_ATTACH	1
#define MT_VMA_LAST		(1U << 0)
struct mt_vma_event {
	struct mt_header hdr;
	__u32 origin;		/* MT_VMA_ORIGIN_* */
	__u32 count;		/* entries in this record */
	__u32 seq;		/* batch number within the walk */
	__u32 flags;		/* MT_VMA_LAST */
};

/* vma.flags */
#define MT_VMA_SHARED		(1U << 0)	/* VM_MAYSHARE: 's' in /proc/PID/maps */
#define MT_VMA_NAME_TRUNCATED	(1U << 1)
#define MT_VMA_FILE		(1U << 2)	/* name is a path (else [stack], [vdso], ...) */
struct mt_vma {
	__u64 start;
	__u64 end;
	__u64 offset;		/* vm_pgoff << PAGE_SHIFT, 0 for anonymous memory */
	__u64 inode;
	__u32 dev;		/* the kernel's dev_t: major << 20 | minor */
	__u32 prot;		/* PROT_READ/WRITE/EXEC */
	__u32 flags;		/* MT_VMA_* */
	__u16 name_len;
	__u16 __pad;
};

/* fork.fork_flags: clone_flags is valid (the kernel hands them to task_newtask: always). */
#define MT_FORK_FLAGS_KNOWN	(1U << 0)
/* fork.fork_flags: the child shares the parent's mm (CLONE_VM seen by the kernel). */
#define MT_FORK_SHARED_VM	(1U << 1)

/*
 * A created task comes from task_newtask (ret 0); a failed creation from
 * the clone/clone3/fork/vfork exit (ret -errno, no child: child_* are 0,
 * the flags and signal are what the caller asked for, flags unknown when
 * clone3's arguments could not be read).
 */
struct mt_fork_event {
	struct mt_header hdr;	/* the parent (the task that called clone) */
	__u32 child_pid;	/* child's tgid */
	__u32 child_tid;
	__u32 child_as;
	__u32 fork_flags;	/* MT_FORK_* */
	/*
	 * CLONE_* bits only, the full 64-bit clone3 set: clone's low byte is
	 * the exit signal (CSIGNAL) but clone3's low byte holds flags
	 * (CLONE_NEWTIME 0x80), so the signal never shares this field.
	 */
	__u64 clone_flags;
	__u32 syscall_nr;	/* x86_64 nr of the creating syscall, or ~0 */
	__s32 exit_signal;	/* signal the parent gets when the child exits; <= 0: none */
	__s32 ret;		/* 0, or -errno of a failed creation */
	__u32 __pad;
};

/* exec.flags */
#define MT_EXEC_TRUNCATED	(1U << 0)	/* filename filled the buffer: may be cut */
#define MT_EXEC_ARGV_TRUNCATED	(1U << 2)	/* argv cut at MT_ARGV_LEN bytes */
#define MT_EXEC_HAS_ARGV	(1U << 3)	/* argv follows (successful exec) */
/*
 * The exec failed after its point of no return (sched_prepare_exec fired):
 * the old image is gone, as is the new address space, and the process
 * is about to die (fs/exec.c: bprm->point_of_no_return -> SIGSEGV).
 */
#define MT_EXEC_NO_RETURN	(1U << 1)

/*
 * A successful exec comes from sched_process_exec (ret 0); a failed one
 * from the execve/execveat exit (ret -errno). Before the point of no
 * return the process keeps its image (as == old_as) and filename is the
 * path the caller passed; after it, filename and old_tid/old_as are what
 * sched_prepare_exec saw, and as is the new, half-built address space.
 *
 * Variable length: data[] holds filename_len bytes of the path (no NUL),
 * then, with MT_EXEC_HAS_ARGV, argv_len bytes of the new image's argument
 * area (mm->arg_start..arg_end: the strings, each NUL-terminated).
 */
struct mt_exec_event {
	struct mt_header hdr;	/* after exec: the new comm and the new as */
	__u32 old_tid;		/* differs from hdr.tid when a non-leader thread exec'd */
	__u32 old_as;		/* address space the process left */
	__s32 ret;		/* 0, or -errno of a failed execve/execveat */
	__u32 flags;		/* MT_EXEC_* */
	__u16 filename_len;
	__u16 argv_len;
	__u32 argc;		/* bprm->argc: how many arguments there were */
	char data[];
};

/*
 * Value of the `traced` map (tgid -> as id): this bit is set once the
 * process's last task has exited. The entry stays until the leader is
 * freed, so late events are still seen, but user space counts it as gone
 * (a zombie nobody reaps must not keep memtrace waiting).
 */
#define MT_TRACED_DEAD	(1U << 31)
/*
 * Set by the loader on the program it launches, until its first successful
 * exec: until then the task runs memtrace's own launcher code (fork, wait
 * for the go byte, exec, and on failure an error message and _exit), and
 * nothing of it is traced but failed execs.
 */
#define MT_TRACED_LAUNCH	(1U << 30)
#define MT_TRACED_AS_MASK	(~(MT_TRACED_DEAD | MT_TRACED_LAUNCH))

/* exit.flags */
#define MT_EXIT_GROUP_DEAD	(1U << 0)	/* last task of its process */

struct mt_exit_event {
	struct mt_header hdr;
	/*
	 * (status << 8) | signal | 0x80 core, as wait(2) reports it: the
	 * group's status (signal->group_exit_code) once the group is exiting,
	 * else task->exit_code, like wait_task_zombie (kernel/exit.c).
	 */
	__u32 exit_code;
	__u32 flags;		/* MT_EXIT_* */
};

/* ---- issue 11: page faults, RSS, the end of an address space ---- */

/*
 * What a page fault did, from the x86 error code and the VMA it hit
 * (arch/x86/mm/fault.c, mm/memory.c handle_pte_fault). A fault is not a
 * page: file faults map up to 16 pages around the one asked for
 * (do_fault_around), MAP_POPULATE and mlock map pages without faulting.
 */
enum mt_fault_class {
	MT_FAULT_ANON = 0,	/* private anonymous page not present: first touch (or swap-in) */
	MT_FAULT_COW,		/* write to a present private anonymous page: copy-on-write */
	MT_FAULT_FILE,		/* read/exec of a private file mapping */
	MT_FAULT_FILE_COW,	/* write to a private file mapping: the file page is copied */
	MT_FAULT_SHARED,	/* MAP_SHARED mapping (file, shmem, shared anonymous) */
	MT_FAULT_STACK,		/* below a VM_GROWSDOWN VMA: the stack grows */
	MT_FAULT_OTHER,		/* no VMA, access not allowed (SIGSEGV), vdso/uprobes/pfnmap */
	MT_FAULT_NCLASS,
};

/* Longest region name kept: a file's last path component, or [heap]/[stack]. */
#define MT_REGION_NAME_LEN	64

/* faults.kind: what the region is */
enum mt_region_kind {
	MT_REGION_ANON = 0,
	MT_REGION_FILE,
	MT_REGION_SHARED,	/* MAP_SHARED without a file name (shmem, shared anon) */
	MT_REGION_HEAP,
	MT_REGION_STACK,
	MT_REGION_UNKNOWN,	/* no VMA found (only faults of class other) */
};

/* faults.reason: why the counts were written */
enum mt_faults_reason {
	MT_FAULTS_UNMAP = 0,	/* munmap, mremap or MAP_FIXED took (part of) the region */
	MT_FAULTS_AS_END,	/* its address space was torn down */
	MT_FAULTS_TRACE_END,	/* the trace ended with the region still mapped */
};

/*
 * MT_EV_FAULTS: every fault of one region of one address space since its
 * last record, by class. The header's task is the one that unmapped it
 * (or tore the address space down; user space at the trace's end).
 */
struct mt_faults_event {
	struct mt_header hdr;
	__u64 start;		/* lowest and highest address the region had while faulting */
	__u64 end;
	__u64 counts[MT_FAULT_NCLASS];
	__u32 kind;		/* enum mt_region_kind */
	__u32 reason;		/* enum mt_faults_reason */
	char name[MT_REGION_NAME_LEN];
};

/* fault.flags */
#define MT_FAULT_F_WRITE	(1U << 0)
#define MT_FAULT_F_KERNEL	(1U << 1)	/* taken in kernel mode (copy_to_user ...) */
#define MT_FAULT_F_PRESENT	(1U << 2)	/* a page was mapped: a protection fault */
#define MT_FAULT_F_INSTR	(1U << 3)	/* instruction fetch */

/* MT_EV_FAULT: one page fault (--faults=all). */
struct mt_fault_event {
	struct mt_header hdr;
	__u64 addr;
	__u64 ip;		/* user ip (for a kernel-mode fault: where the syscall came from) */
	__u64 start;		/* the VMA, 0/0 if none */
	__u64 end;
	__u32 class;		/* enum mt_fault_class */
	__u32 flags;		/* MT_FAULT_F_* */
};

/* RSS counters, in pages (include/linux/mm_types_task.h MM_*PAGES order). */
struct mt_rss_pages {
	__u64 file;
	__u64 anon;
	__u64 swap;
	__u64 shmem;
};

/* MT_EV_RSS: the address space's RSS moved by a step since its last record. */
struct mt_rss_event {
	struct mt_header hdr;
	struct mt_rss_pages pages;
	__u64 peak;		/* pages: the highest file + anon + shmem seen so far */
	__u32 page_size;
	__u32 __pad;
};

/*
 * MT_EV_AS_END: an mm_struct was torn down (exit, or exec leaving it).
 * last: the counters when its last process exited or exec'd, before
 * the pages went (all zero if that was not seen).
 */
struct mt_as_end_event {
	struct mt_header hdr;	/* the task that dropped the last reference */
	__u64 peak;		/* pages, as VmHWM counts them */
	struct mt_rss_pages last;
	__u64 faults[MT_FAULT_NCLASS];	/* every fault of the address space */
	__u32 page_size;
	__u32 __pad;
};

/* The aggregation map's key and value (user space flushes it at the end). */
struct mt_region_key {
	__u32 as;
	__u32 growsdown;	/* anchor is the VMA's end: a stack moves its start */
	__u64 anchor;		/* the VMA's start (end for a stack) at the first fault */
};

struct mt_region_val {
	__u64 start;
	__u64 end;
	__u64 counts[MT_FAULT_NCLASS];
	__u32 kind;
	__u32 pid;		/* the process that faulted first */
	char name[MT_REGION_NAME_LEN];
};

/* ---- end of issue 11 ---- */

#endif /* MEMTRACE_H */
