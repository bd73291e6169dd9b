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
	__u64 w[32];		/* the node being read */
	/* the walk's state, kept here where the verifier does not track it */
	__u64 enode, max, addr;
	__u32 pass, depth;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct maple_words);
} maple_scratch SEC(".maps");

#define MAPLE_DEPTH	8

/* a load or store the compiler keeps, for state the verifier must not track */
#define READ_ONCE(x)		(*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))

/* open-coded loops (kernel 6.4+): the body is verified until it converges */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

/* One node of the walk: 0 to go on (state in b), 1 done with *vma set. */
static __always_inline int maple__step(struct maple_words *b, __u64 root, __u64 *vma)
{
	__u64 enode = READ_ONCE(b->enode), max = READ_ONCE(b->max), addr = READ_ONCE(b->addr);
	__u64 type, slot, new_max;
	__u32 npiv, sbase, end, off, i;

	*vma = 0;
	if (enode <= 4096 || READ_ONCE(b->depth) >= MAPLE_DEPTH)
		return 1;
	WRITE_ONCE(b->depth, READ_ONCE(b->depth) + 1);
	type = (enode >> 3) & 0xf;
	if (bpf_probe_read_kernel(b->w, sizeof(b->w), (void *)(enode & ~0xffULL)))
		return 1;
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
		return 1;	/* mm trees have no dense nodes */
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
		WRITE_ONCE(b->enode, slot);
		WRITE_ONCE(b->max, new_max);
		return 0;
	}
	if (slot > 4096 && !(slot & 3)) {
		*vma = slot;	/* the VMA containing addr */
		return 1;
	}
	/* a gap: the next slot holds the next VMA */
	if (off < end) {
		slot = b->w[(sbase + off + 1) & 31];
		*vma = slot > 4096 && !(slot & 3) ? slot : 0;
		return 1;
	}
	/* a gap that ends a leaf continues in the next leaf: one more pass */
	if (new_max == ~0ULL || READ_ONCE(b->pass))
		return 1;
	WRITE_ONCE(b->pass, 1);
	WRITE_ONCE(b->depth, 0);
	WRITE_ONCE(b->addr, new_max + 1);
	WRITE_ONCE(b->enode, root & ~3ULL);
	WRITE_ONCE(b->max, ~0ULL);
	return 0;
}

/*
 * The first VMA with vm_end > addr (find_vma's answer) as a number, or 0.
 * Global, with its state in the per-CPU buffer and an open-coded loop:
 * the verifier checks one node's step instead of every path through two
 * passes of eight levels inlined into each fault program (docs/performance.md).
 */
__noinline __u64 maple__find_vma(__u64 root, __u64 addr)
{
	__u32 zero = 0;
	struct maple_words *b = bpf_map_lookup_elem(&maple_scratch, &zero);
	struct bpf_iter_num it;
	__u64 vma = 0;

	if (!b || (root & 3) != 2 || root <= 4096)
		return 0;	/* empty tree, or one entry at index 0 */
	WRITE_ONCE(b->enode, root & ~3ULL);
	WRITE_ONCE(b->max, ~0ULL);
	WRITE_ONCE(b->addr, addr);
	WRITE_ONCE(b->pass, 0);
	WRITE_ONCE(b->depth, 0);
	bpf_iter_num_new(&it, 0, 2 * MAPLE_DEPTH);
	while (bpf_iter_num_next(&it)) {
		if (maple__step(b, root, &vma))
			break;
	}
	bpf_iter_num_destroy(&it);
	return vma;
}

#endif /* MEMTRACE_MAPLE_H */
