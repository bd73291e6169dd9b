/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hookfloor.h - what bench/hookfloor and bpf/hookfloor.bpf.c share. */
#ifndef HOOKFLOOR_H
#define HOOKFLOOR_H

/* What the sys_exit program does for the traced process (rodata `mode`). */
enum floor_mode {
	FLOOR_HOOK,	/* nothing: the hook's own price */
	FLOOR_RECORD,	/* one record per syscall, reserved and submitted */
	FLOOR_BATCHED,	/* records staged per CPU, FLOOR_BATCH per ring copy */
	FLOOR_PCPU,	/* records in a per-CPU ring that the loader reads in place */
};

#define FLOOR_BATCH	42	/* 42 x 96-byte records: just under 4 KiB */

#define FLOOR_SLOTS	8192	/* per-CPU ring: 8192 x 96 bytes = 768 KiB */

/*
 * One CPU's ring for FLOOR_PCPU: an element of a BPF_F_MMAPABLE array that
 * the loader maps. Only that CPU's programs write head (busy keeps out a
 * program that preempts another on the CPU), only the loader writes tail.
 * Needs struct mt_mem_event (memtrace.h) included first.
 */
struct floor_ring {
	__u64 head;
	__u32 busy;
	__u32 pad0[13];
	__u64 tail;		/* its own cache line: the loader writes it */
	__u64 pad1[7];
	struct mt_mem_event rec[FLOOR_SLOTS];
};

#endif
