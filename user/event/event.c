// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * event - see event.h. event__from_record is on the live per-event path:
 * it only copies integers and points at strings.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include "event.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

/* Linux returns -1..-4095 for errors; nothing else in that range is valid. */
#define MAX_ERRNO	4095

/* With their lengths: the writers copy a name per event, without strlen(). */
#define EV_NAME(s)	{ s, sizeof(s) - 1 }

static const struct {
	const char *s;
	size_t len;
} event_names[MT_EV_MAX] = {
	[MT_EV_FORK] = EV_NAME("fork"),
	[MT_EV_EXEC] = EV_NAME("exec"),
	[MT_EV_EXIT] = EV_NAME("exit"),
	[MT_EV_MMAP] = EV_NAME("mmap"),
	[MT_EV_MUNMAP] = EV_NAME("munmap"),
	[MT_EV_BRK] = EV_NAME("brk"),
	[MT_EV_MPROTECT] = EV_NAME("mprotect"),
	[MT_EV_MREMAP] = EV_NAME("mremap"),
	/* issue 11 */
	[MT_EV_FAULTS] = EV_NAME("faults"),
	[MT_EV_FAULT] = EV_NAME("fault"),
	[MT_EV_RSS] = EV_NAME("rss"),
	[MT_EV_AS_END] = EV_NAME("as_end"),
	[MT_EV_MADVISE] = EV_NAME("madvise"),
	[MT_EV_SHMAT] = EV_NAME("shmat"),
	[MT_EV_SHMDT] = EV_NAME("shmdt"),
	[MT_EV_VMA_NAME] = EV_NAME("vma_name"),
	[MT_EV_VMA] = EV_NAME("vma"),
};

static const size_t record_sizes[MT_EV_MAX] = {
	[MT_EV_FORK] = sizeof(struct mt_fork_event),
	[MT_EV_EXEC] = sizeof(struct mt_exec_event),
	[MT_EV_EXIT] = sizeof(struct mt_exit_event),
	[MT_EV_MMAP] = sizeof(struct mt_mem_event),
	[MT_EV_MUNMAP] = sizeof(struct mt_mem_event),
	[MT_EV_BRK] = sizeof(struct mt_mem_event),
	[MT_EV_MPROTECT] = sizeof(struct mt_mem_event),
	[MT_EV_MREMAP] = sizeof(struct mt_mem_event),
	/* issue 11 */
	[MT_EV_FAULTS] = sizeof(struct mt_faults_event),
	[MT_EV_FAULT] = sizeof(struct mt_fault_event),
	[MT_EV_RSS] = sizeof(struct mt_rss_event),
	[MT_EV_AS_END] = sizeof(struct mt_as_end_event),
	[MT_EV_MADVISE] = sizeof(struct mt_mem_event),
	[MT_EV_SHMAT] = sizeof(struct mt_mem_event),
	[MT_EV_SHMDT] = sizeof(struct mt_mem_event),
	[MT_EV_VMA_NAME] = sizeof(struct mt_vma_name_event),
	[MT_EV_VMA] = sizeof(struct mt_vma_event),
};

/* ---- issue 11 ---- */

static const char *const fault_class_names[MT_FAULT_NCLASS] = {
	[MT_FAULT_ANON] = "anon",
	[MT_FAULT_COW] = "cow",
	[MT_FAULT_FILE] = "file",
	[MT_FAULT_FILE_COW] = "file_cow",
	[MT_FAULT_SHARED] = "shared",
	[MT_FAULT_STACK] = "stack",
	[MT_FAULT_OTHER] = "other",
};

static const char *const region_kind_names[] = {
	[MT_REGION_ANON] = "anon",
	[MT_REGION_FILE] = "file",
	[MT_REGION_SHARED] = "shared",
	[MT_REGION_HEAP] = "heap",
	[MT_REGION_STACK] = "stack",
	[MT_REGION_UNKNOWN] = "unknown",
};

static const char *const faults_reason_names[] = {
	[MT_FAULTS_UNMAP] = "unmap",
	[MT_FAULTS_AS_END] = "as_end",
	[MT_FAULTS_TRACE_END] = "trace_end",
};

#define NAMES_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static uint32_t names__find(const char *const *names, uint32_t n, const char *name)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return n;
}

const char *event__fault_class_name(uint32_t cls)
{
	return cls < MT_FAULT_NCLASS ? fault_class_names[cls] : NULL;
}

uint32_t event__fault_class(const char *name)
{
	return names__find(fault_class_names, MT_FAULT_NCLASS, name);
}

const char *event__region_kind_name(uint32_t kind)
{
	return kind < NAMES_LEN(region_kind_names) ? region_kind_names[kind] : "unknown";
}

uint32_t event__region_kind(const char *name)
{
	uint32_t k = names__find(region_kind_names, NAMES_LEN(region_kind_names), name);

	return k < NAMES_LEN(region_kind_names) ? k : MT_REGION_UNKNOWN;
}

const char *event__faults_reason_name(uint32_t reason)
{
	return reason < NAMES_LEN(faults_reason_names) ? faults_reason_names[reason] : NULL;
}

uint32_t event__faults_reason(const char *name)
{
	uint32_t r = names__find(faults_reason_names, NAMES_LEN(faults_reason_names), name);

	return r < NAMES_LEN(faults_reason_names) ? r : UINT32_MAX;
}

void fault_counts__sum(struct mt_fault_counts *c)
{
	int i;

	c->total = 0;
	for (i = 0; i < MT_FAULT_NCLASS; i++)
		c->total += c->n[i];
}

static void counts__from(struct mt_fault_counts *c, const __u64 *n)
{
	int i;

	for (i = 0; i < MT_FAULT_NCLASS; i++)
		c->n[i] = n[i];
	fault_counts__sum(c);
}

static void rss__bytes(struct mt_rss_bytes *b, const struct mt_rss_pages *p, uint64_t page)
{
	b->anon = p->anon * page;
	b->file = p->file * page;
	b->shmem = p->shmem * page;
	b->swap = p->swap * page;
	b->total = b->anon + b->file + b->shmem;
}

static void mem11__decode(struct mt_event *ev, const void *rec)
{
	const struct mt_faults_event *fs = rec;
	const struct mt_fault_event *f = rec;
	const struct mt_rss_event *r = rec;
	const struct mt_as_end_event *a = rec;

	switch (ev->type) {
	case MT_EV_FAULTS:
		ev->faults.start = fs->start;
		ev->faults.end = fs->end;
		ev->faults.name.s = fs->name;
		ev->faults.name.max = MT_REGION_NAME_LEN;
		ev->faults.kind = fs->kind;
		ev->faults.reason = fs->reason;
		counts__from(&ev->faults.counts, fs->counts);
		break;
	case MT_EV_FAULT:
		ev->fault.addr = f->addr;
		ev->fault.ip = f->ip;
		ev->fault.start = f->start;
		ev->fault.end = f->end;
		ev->fault.class = f->class;
		ev->fault.write = f->flags & MT_FAULT_F_WRITE;
		ev->fault.kernel = f->flags & MT_FAULT_F_KERNEL;
		ev->fault.present = f->flags & MT_FAULT_F_PRESENT;
		ev->fault.instr = f->flags & MT_FAULT_F_INSTR;
		break;
	case MT_EV_RSS:
		rss__bytes(&ev->rss.rss, &r->pages, r->page_size);
		ev->rss.peak = r->peak * r->page_size;
		break;
	default:	/* MT_EV_AS_END */
		ev->as_end.rss_peak = a->peak * a->page_size;
		rss__bytes(&ev->as_end.last, &a->last, a->page_size);
		counts__from(&ev->as_end.faults, a->faults);
		break;
	}
}

bool event__is_mem11(uint32_t type)
{
	return type >= MT_EV_FAULTS && type <= MT_EV_AS_END;
}

/* ---- end of issue 11 ---- */

const char *event__name(uint32_t type)
{
	return type < MT_EV_MAX ? event_names[type].s : NULL;
}

size_t event__name_len(uint32_t type)
{
	return type < MT_EV_MAX ? event_names[type].len : 0;
}

uint32_t event__type(const char *name)
{
	uint32_t t;

	for (t = MT_EV_NONE + 1; t < MT_EV_MAX; t++)
		if (event_names[t].s && !strcmp(name, event_names[t].s))
			return t;
	return MT_EV_NONE;
}

bool event__is_mem(uint32_t type)
{
	return (type >= MT_EV_MMAP && type <= MT_EV_MREMAP) ||
	       (type >= MT_EV_MADVISE && type <= MT_EV_VMA_NAME);
}

static const struct {
	uint32_t nr;
	const char *name;
} syscalls[] = {
	{ MT_NR_CLONE, "clone" },
	{ MT_NR_CLONE3, "clone3" },
	{ MT_NR_FORK, "fork" },
	{ MT_NR_VFORK, "vfork" },
};

const char *event__syscall_name(uint32_t nr)
{
	size_t i;

	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (syscalls[i].nr == nr)
			return syscalls[i].name;
	return NULL;
}

uint32_t event__syscall_nr(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (!strcmp(syscalls[i].name, name))
			return syscalls[i].nr;
	return MT_NR_UNKNOWN;
}

/* errno of a raw syscall return value, 0 if it is not an error. */
static int32_t ret__errno(int64_t ret)
{
	return ret < 0 && ret >= -MAX_ERRNO ? (int32_t)-ret : 0;
}

static void mem__decode(struct mt_event *ev, const struct mt_mem_event *e)
{
	ev->error = ret__errno(e->ret);
	ev->has_addr = !ev->error;
	switch (e->hdr.type) {
	case MT_EV_MMAP:
		ev->mmap.addr = ev->has_addr ? (uint64_t)e->ret : 0;
		ev->mmap.hint = e->args[0];
		ev->mmap.len = e->args[1];
		ev->mmap.prot = e->args[2];
		ev->mmap.flags = e->args[3];
		ev->mmap.fd = (int32_t)e->args[4];
		ev->mmap.offset = e->args[5];
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		ev->has_addr = true;	/* the argument: shown even on failure */
		ev->range.addr = e->args[0];
		ev->range.len = e->args[1];
		ev->range.prot = e->hdr.type == MT_EV_MPROTECT ? e->args[2] : 0;
		ev->range.has_pkey = e->hdr.type == MT_EV_MPROTECT && (e->args[3] & MT_PKEY_SET);
		ev->range.pkey = ev->range.has_pkey ? (int32_t)(uint32_t)e->args[3] : 0;
		break;
	case MT_EV_MADVISE:
		ev->has_addr = true;	/* the argument, like munmap */
		ev->madvise.addr = e->args[0];
		ev->madvise.len = e->args[1];
		ev->madvise.advice = e->args[2];
		break;
	case MT_EV_SHMAT:
		ev->shm.addr = ev->has_addr ? (uint64_t)e->ret : 0;
		ev->shm.shmid = (int32_t)e->args[0];
		ev->shm.shmaddr = e->args[1];
		ev->shm.flags = (uint32_t)e->args[2];
		ev->shm.len = e->args[3];
		break;
	case MT_EV_SHMDT:
		ev->has_addr = true;
		ev->shm.addr = e->args[0];
		ev->shm.len = e->args[1];
		break;
	case MT_EV_BRK:
		ev->brk.req = e->args[0];
		ev->brk.addr = ev->has_addr ? (uint64_t)e->ret : 0;
		/*
		 * brk never returns -errno for a refused request: it returns the
		 * break unchanged (mm/mmap.c). Report that as ENOMEM, as glibc's
		 * brk() does, with the break still shown. brk(0) is a query.
		 */
		if (!ev->error && e->args[0] && (uint64_t)e->ret != e->args[0])
			ev->error = ENOMEM;
		break;
	default:	/* MT_EV_MREMAP */
		ev->mremap.addr = ev->has_addr ? (uint64_t)e->ret : 0;
		ev->mremap.old_addr = e->args[0];
		ev->mremap.old_len = e->args[1];
		ev->mremap.new_len = e->args[2];
		ev->mremap.flags = e->args[3];
		/* the kernel reads new_addr for DONTUNMAP too, as a hint (mm/mremap.c) */
		ev->mremap.new_addr = e->args[3] & (MREMAP_FIXED | MREMAP_DONTUNMAP) ?
				      e->args[4] : 0;
		break;
	}
}

/* A file mmap's path, after the mt_mem_event (bpf/memtrace.h). */
static int mmap__path(struct mt_event *ev, const void *rec, size_t size)
{
	const struct mt_str_head *sh = (const void *)((const char *)rec + sizeof(struct mt_mem_event));

	ev->mmap.has_path = false;
	ev->mmap.path_truncated = false;
	ev->mmap.path.s = "";
	ev->mmap.path.max = 0;
	if (size < sizeof(struct mt_mem_event) + sizeof(*sh))
		return 0;	/* anonymous, failed, or no path known */
	if (size < sizeof(struct mt_mem_event) + sizeof(*sh) + sh->len)
		return -EINVAL;
	if (sh->flags & MT_STR_ABSENT)
		return 0;
	ev->mmap.has_path = true;
	ev->mmap.path_truncated = sh->flags & MT_STR_TRUNCATED;
	ev->mmap.path.s = (const char *)(sh + 1);
	ev->mmap.path.max = sh->len;
	return 0;
}

/* bytes of one batch entry: the struct, its name padded to 8 */
static size_t vma__entry_size(const struct mt_vma *v)
{
	return sizeof(*v) + (((size_t)v->name_len + 7) & ~(size_t)7);
}

static void vma__decode(struct mt_vma_ev *e, const struct mt_vma *v, uint32_t origin)
{
	e->start = v->start;
	e->end = v->end;
	e->offset = v->offset;
	e->inode = v->inode;
	/* the kernel's dev_t (MAJOR/MINOR in include/linux/kdev_t.h) */
	e->dev_major = v->dev >> 20;
	e->dev_minor = v->dev & 0xfffff;
	e->prot = v->prot;
	e->origin = origin;
	e->shared = v->flags & MT_VMA_SHARED;
	e->file = v->flags & MT_VMA_FILE;
	e->name_truncated = v->flags & MT_VMA_NAME_TRUNCATED;
	e->name.s = (const char *)(v + 1);
	e->name.max = v->name_len;
}

/* Every entry of a vma batch inside size, and at least one. Returns 0 or -EINVAL. */
static int vma__check(const struct mt_vma_event *b, size_t size)
{
	const unsigned char *p = (const unsigned char *)(b + 1), *end = (const unsigned char *)b + size;
	uint32_t i;

	if (!b->count || b->origin > MT_VMA_ORIGIN_ATTACH)
		return -EINVAL;
	for (i = 0; i < b->count; i++) {
		if ((size_t)(end - p) < sizeof(struct mt_vma) ||
		    (size_t)(end - p) < vma__entry_size((const struct mt_vma *)p))
			return -EINVAL;
		p += vma__entry_size((const struct mt_vma *)p);
	}
	return 0;
}

void event__vma_begin(struct event_vma_cursor *c, const void *rec, size_t size)
{
	const struct mt_vma_event *b = rec;

	c->left = 0;
	c->next = NULL;
	/* event__from_record has checked the whole batch (vma__check) */
	if (size < sizeof(*b) || b->hdr.type != MT_EV_VMA)
		return;
	c->next = (const unsigned char *)(b + 1) + vma__entry_size((const struct mt_vma *)(b + 1));
	c->left = b->count - 1;
}

bool event__vma_next(struct event_vma_cursor *c, struct mt_event *ev)
{
	const struct mt_vma *v = (const void *)c->next;

	if (!c->left)
		return false;
	vma__decode(&ev->vma, v, ev->vma.origin);
	c->next += vma__entry_size(v);
	c->left--;
	return true;
}

uint32_t event__record_events(const void *rec)
{
	const struct mt_vma_event *b = rec;

	return b->hdr.type == MT_EV_VMA ? b->count : 1;
}

int event__from_record(struct mt_event *ev, const void *rec, size_t size, uint64_t t0)
{
	const struct mt_header *h = rec;
	const struct mt_fork_event *fk = rec;
	const struct mt_exec_event *ex = rec;
	const struct mt_exit_event *xt = rec;

	if (size < sizeof(*h) || h->type >= MT_EV_MAX || !event_names[h->type].s ||
	    size < record_sizes[h->type])
		return -EINVAL;
	ev->type = h->type;
	/* events read before t0 was taken would otherwise wrap to 2^64 */
	ev->ts = h->ts > t0 ? h->ts - t0 : 0;
	ev->pid = h->pid;
	ev->tid = h->tid;
	ev->as = h->as;
	ev->comm.s = h->comm;
	ev->comm.max = MT_COMM_LEN;
	ev->error = 0;
	ev->has_addr = false;
	switch (h->type) {
	case MT_EV_FORK:
		ev->fork.child_pid = fk->child_pid;
		ev->fork.child_tid = fk->child_tid;
		ev->fork.child_as = fk->child_as;
		ev->error = ret__errno(fk->ret);
		/* no child on failure: what was asked for */
		ev->fork.thread = ev->error ? !!(fk->clone_flags & CLONE_THREAD) :
			fk->child_pid != fk->child_tid;
		ev->fork.shared_vm = fk->fork_flags & MT_FORK_SHARED_VM;
		ev->fork.flags_known = fk->fork_flags & MT_FORK_FLAGS_KNOWN;
		ev->fork.clone_flags = fk->clone_flags;
		ev->fork.exit_signal = fk->exit_signal > 0 ? (uint32_t)fk->exit_signal : 0;
		ev->fork.syscall_nr = fk->syscall_nr;
		break;
	case MT_EV_EXEC:
		/* variable length: the strings must be there */
		if (size < sizeof(*ex) + ex->filename_len + ex->argv_len)
			return -EINVAL;
		ev->exec.filename.s = ex->data;
		ev->exec.filename.max = ex->filename_len;
		ev->exec.has_argv = ex->flags & MT_EXEC_HAS_ARGV;
		ev->exec.argv_truncated = ex->flags & MT_EXEC_ARGV_TRUNCATED;
		ev->exec.argv = ex->data + ex->filename_len;
		ev->exec.argv_len = ev->exec.has_argv ? ex->argv_len : 0;
		ev->exec.old_as = ex->old_as;
		ev->exec.old_tid = ex->old_tid;
		ev->exec.truncated = ex->flags & MT_EXEC_TRUNCATED;
		ev->error = ret__errno(ex->ret);
		break;
	case MT_EV_VMA: {
		const struct mt_vma_event *b = rec;

		/* the first VMA; event__vma_next gives the others */
		if (vma__check(b, size))
			return -EINVAL;
		vma__decode(&ev->vma, (const struct mt_vma *)(b + 1), b->origin);
		break;
	}
	case MT_EV_VMA_NAME: {
		const struct mt_vma_name_event *vn = rec;

		ev->error = ret__errno(vn->ret);
		ev->has_addr = true;
		ev->vma_name.addr = vn->addr;
		ev->vma_name.len = vn->len;
		ev->vma_name.cleared = vn->flags & MT_VMA_NAME_NULL;
		ev->vma_name.name.s = vn->name;
		ev->vma_name.name.max = ev->vma_name.cleared ? 0 : MT_VMA_NAME_LEN;
		break;
	}
	case MT_EV_EXIT:
		/* task->exit_code is (status << 8) | signal | 0x80 core, as wait(2) splits it */
		ev->exit.code = (xt->exit_code >> 8) & 0xff;
		ev->exit.signal = xt->exit_code & 0x7f;
		ev->exit.core = xt->exit_code & 0x80;
		ev->exit.thread = !(xt->flags & MT_EXIT_GROUP_DEAD);
		break;
	case MT_EV_FAULTS:	/* issue 11 */
	case MT_EV_FAULT:
	case MT_EV_RSS:
	case MT_EV_AS_END:
		mem11__decode(ev, rec);
		break;
	default:
		mem__decode(ev, rec);
		if (h->type == MT_EV_MMAP)
			return mmap__path(ev, rec, size);
		break;
	}
	return 0;
}
