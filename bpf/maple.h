/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * maple.h - find_vma() without the mmap lock, for the page-fault hook: a
 * bounded walk of mm->mm_mt, one 256-byte probe read per level. The fault
 * tracepoint runs with interrupts off before the kernel takes any lock;
 * bpf_find_vma() there costs an irq_work IPI per call and the VMA
 * iterator kfuncs return -EBUSY (docs/performance.md).
 *
 * Layout (include/linux/maple_tree.h, lib/maple_tree.c):
 *  - ma_root is an encoded node pointer | 2 (xa_mk_node); the node is at
 *    enode & ~0xff, its type (enode >> 3) & 0xf: 1 leaf_64, 2 range_64,
 *    3 arange_64 (the mm tree: arange_64 inner nodes, leaf_64 leaves);
 *  - a node is 32 words: w[0] parent; range/leaf_64: pivot[15] = w[1..15],
 *    slot[16] = w[16..31], the end in the low byte of w[31] when not full;
 *    arange_64: pivot[9] = w[1..9], slot[10] = w[10..19], end in w[30];
 *  - slot i covers (pivot[i-1], pivot[i]]; in leaves an entry is a
 *    struct vm_area_struct * or NULL (a gap).
 * Nodes and VMAs are RCU-freed and probe reads cannot fault, so a racing
 * munmap gives at worst a stale answer: fine for classification.
 */
#ifndef MEMTRACE_MAPLE_H
#define MEMTRACE_MAPLE_H

struct maple_words {
	__u64 w[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct maple_words);
} maple_scratch SEC(".maps");

#define MAPLE_DEPTH	8

/* The first VMA with vm_end > addr (find_vma's answer) as a number, or 0. */
static __always_inline __u64 maple__find_vma(__u64 root, __u64 addr)
{
	__u32 zero = 0;
	struct maple_words *b = bpf_map_lookup_elem(&maple_scratch, &zero);
	__u64 enode, max;
	int pass, depth;

	if (!b)
		return 0;
	/* a gap that ends a leaf continues in the next leaf: one more pass */
	for (pass = 0; pass < 2; pass++) {
		if ((root & 3) != 2 || root <= 4096)
			return 0;	/* empty tree, or one entry at index 0 */
		enode = root & ~3ULL;
		max = ~0ULL;
		for (depth = 0; depth < MAPLE_DEPTH; depth++) {
			__u64 type, slot, new_max;
			__u32 npiv, sbase, end, off, i;

			if (enode <= 4096)
				return 0;
			type = (enode >> 3) & 0xf;
			if (bpf_probe_read_kernel(b, sizeof(*b), (void *)(enode & ~0xffULL)))
				return 0;
			if (type == 3) {
				npiv = 9;
				sbase = 10;
				end = b->w[30] & 0xff;
			} else if (type == 1 || type == 2) {
				npiv = 15;
				sbase = 16;
				if (!b->w[15])
					end = b->w[31] & 0xff;
				else
					end = b->w[15] == max ? 14 : 15;
			} else {
				return 0;	/* mm trees have no dense nodes */
			}
			if (end > npiv)
				end = npiv;
			off = end;
			for (i = 0; i < 15; i++) {
				if (i >= end)
					break;
				if (b->w[(1 + i) & 31] >= addr) {
					off = i;
					break;
				}
			}
			new_max = off < end ? b->w[(1 + off) & 31] : max;
			slot = b->w[(sbase + off) & 31];
			if (type != 1) {	/* inner node: down */
				enode = slot;
				max = new_max;
				continue;
			}
			if (slot > 4096 && !(slot & 3))
				return slot;	/* the VMA containing addr */
			/* a gap: the next slot holds the next VMA */
			if (off < end) {
				slot = b->w[(sbase + off + 1) & 31];
				return slot > 4096 && !(slot & 3) ? slot : 0;
			}
			if (new_max == ~0ULL)
				return 0;
			addr = new_max + 1;
			break;
		}
	}
	return 0;
}

#endif /* MEMTRACE_MAPLE_H */
