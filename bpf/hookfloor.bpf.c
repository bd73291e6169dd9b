// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hookfloor - the least any sys_exit tracer pays, for `make bench`.
 *
 * Not part of memtrace: bench/hookfloor.c loads it around a storm so the
 * bench table can show, beside memtrace and its peers, what the hook alone
 * costs (every syscall of every process takes the syscall tracepoint slow
 * path and runs this program, which returns at once for other processes)
 * and what one bare record per syscall costs on top (a reservation in a
 * BPF ring of memtrace's default size, a timestamp, a submit without
 * wake-up), or the same records staged per CPU and sent FLOOR_BATCH at a
 * time (issue 15's batching, at its cheapest: no flush of idle CPUs, no
 * merge), or written into a per-CPU ring of the loader's own that it reads
 * in place (no reservation, no shared lock, no ring header: issue 15's
 * per-CPU design at its cheapest, again without a merge). memtrace's programs do more than this; nothing can do less and
 * still deliver each event.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "memtrace.h"

#include "hookfloor.h"

/* Set by the loader before load. */
const volatile __u32 target_tgid = 0;
const volatile __u32 mode = FLOOR_HOOK;	/* enum floor_mode */

/* Records the ring had no room for (the loader prints it). */
__u64 lost = 0;

/*
 * One CPU's staged records. busy keeps out a program that preempts this
 * one on the same CPU: tp_btf programs run with migration disabled, not
 * preemption; a busy batch falls back to a direct record.
 */
struct floor_batch {
	__u32 busy;
	__u32 n;
	struct mt_mem_event rec[FLOOR_BATCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct floor_batch);
} floor_batches SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);		/* the loader sets one per possible CPU */
	__type(key, __u32);
	__type(value, struct floor_ring);
} floor_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 2 << 20);	/* memtrace's default -b */
} floor_events SEC(".maps");

/* The least a record holds: when, what, whose; the rest of it is not written. */
static __always_inline void floor__fill(struct mt_mem_event *e, long ret)
{
	e->hdr.ts = bpf_ktime_get_ns();
	e->hdr.type = MT_EV_MMAP;
	e->hdr.pid = target_tgid;
	e->ret = ret;
}

/* Stages the record; a full batch goes to the ring in one copy. false: busy. */
static __always_inline bool floor__stage(long ret)
{
	struct floor_batch *b;
	__u32 key = 0, n;

	b = bpf_map_lookup_elem(&floor_batches, &key);
	if (!b || __sync_val_compare_and_swap(&b->busy, 0, 1))
		return false;
	n = b->n < FLOOR_BATCH ? b->n : 0;
	floor__fill(&b->rec[n], ret);
	if (++n == FLOOR_BATCH) {
		if (bpf_ringbuf_output(&floor_events, b->rec, sizeof(b->rec), BPF_RB_NO_WAKEUP))
			__sync_fetch_and_add(&lost, FLOOR_BATCH);
		n = 0;
	}
	b->n = n;
	*(volatile __u32 *)&b->busy = 0;
	return true;
}

/* Appends to this CPU's own ring. false: busy or full (then the BPF ring). */
static __always_inline bool floor__push(long ret)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct floor_ring *r;
	__u64 head;

	r = bpf_map_lookup_elem(&floor_rings, &cpu);
	if (!r || __sync_val_compare_and_swap(&r->busy, 0, 1))
		return false;
	head = r->head;
	if (head - *(volatile __u64 *)&r->tail >= FLOOR_SLOTS) {
		*(volatile __u32 *)&r->busy = 0;
		return false;
	}
	floor__fill(&r->rec[head & (FLOOR_SLOTS - 1)], ret);
	/* the record before the head that publishes it: x86 keeps stores in order */
	asm volatile("" ::: "memory");
	*(volatile __u64 *)&r->head = head + 1;
	*(volatile __u32 *)&r->busy = 0;
	return true;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_sys_exit, struct pt_regs *regs, long ret)
{
	struct mt_mem_event *e;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid || mode == FLOOR_HOOK)
		return 0;
	if (mode == FLOOR_BATCHED && floor__stage(ret))
		return 0;
	if (mode == FLOOR_PCPU && floor__push(ret))
		return 0;
	/* the size of memtrace's mmap/munmap record */
	e = bpf_ringbuf_reserve(&floor_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	floor__fill(e, ret);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
