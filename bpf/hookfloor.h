/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hookfloor.h - what bench/hookfloor and bpf/hookfloor.bpf.c share. */
#ifndef HOOKFLOOR_H
#define HOOKFLOOR_H

/* What the sys_exit program does for the traced process (rodata `mode`). */
enum floor_mode {
	FLOOR_HOOK,	/* nothing: the hook's own price */
	FLOOR_RECORD,	/* one record per syscall, reserved and submitted */
	FLOOR_BATCHED,	/* records staged per CPU, FLOOR_BATCH per ring copy */
};

#define FLOOR_BATCH	42	/* 42 x 96-byte records: just under 4 KiB */

#endif
