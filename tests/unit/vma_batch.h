/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * vma_batch.h - builds an MT_EV_VMA ring record the way bpf/memtrace.bpf.c
 * (vma__put) lays it out: a struct mt_vma_event header, then for each VMA
 * a struct mt_vma and its name padded to 8 bytes (bpf/memtrace.h).
 * The caller fills the header (.len = sizeof(struct mt_vma_event) to start).
 */
#ifndef MEMTRACE_TEST_VMA_BATCH_H
#define MEMTRACE_TEST_VMA_BATCH_H

#include <stdint.h>
#include <string.h>
#include "memtrace.h"

struct vma_batch {
	size_t len;		/* bytes used in buf */
	unsigned char buf[2048];
};

/* Appends one VMA; name is its path or kernel name ("" for none). */
static inline void vma_batch__add(struct vma_batch *b, uint64_t start, uint64_t end,
				  uint32_t prot, uint32_t flags, uint64_t off, uint32_t dev,
				  uint64_t ino, const char *name)
{
	struct mt_vma v = { .start = start, .end = end, .offset = off, .inode = ino, .dev = dev,
			    .prot = prot, .flags = flags, .name_len = strlen(name) };

	memcpy(b->buf + b->len, &v, sizeof(v));
	memcpy(b->buf + b->len + sizeof(v), name, v.name_len);
	b->len += sizeof(v) + ((v.name_len + 7) & ~7U);
	((struct mt_vma_event *)b->buf)->count++;
}

#endif /* MEMTRACE_TEST_VMA_BATCH_H */
