// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "memtrace.skel.h"
#include "memtrace_base.lskel.h"
#include "memtrace_attach.lskel.h"
#include "memtrace_rss.lskel.h"
#include "memtrace.lskel.h"
#include "memtrace.h"
#include "procfs.h"
#include "tracer.h"

#define BTF_VMLINUX	"/sys/kernel/btf/vmlinux"
#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif

const char *const tracer__tracepoints[] = {
	"task_newtask",
	"sched_process_exec",
	"sched_process_exit",
	"sched_process_free",
	"exit_mmap",
	"sys_exit",	/* sched_prepare_exec (6.10+) is optional: not listed */
	NULL,
};

static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* even warnings are noise unless asked for: our own errors say what failed */
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static bool cap__has(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

int tracer__check_tracepoints(const char *const *tps, char *err, size_t errlen)
{
	struct btf *btf;
	char name[128];
	int i, e = 0;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		e = -errno;
		snprintf(err, errlen, "cannot read kernel BTF from %s: %s", BTF_VMLINUX, strerror(-e));
		return e;
	}
	/* tp_btf programs attach by the tracepoint's typedef in kernel BTF */
	for (i = 0; tps[i]; i++) {
		snprintf(name, sizeof(name), "btf_trace_%s", tps[i]);
		if (btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) < 0) {
			snprintf(err, errlen, "this kernel has no tracepoint '%s' (memtrace needs it: kernel 5.15 or newer with BTF)",
				 tps[i]);
			e = -ENOENT;
			break;
		}
	}
	btf__free(btf);
	return e;
}

/*
 * Privileges and BTF only: parsing kernel BTF to look for each tracepoint
 * costs ~15 ms and 11 MiB, so tracer__open_load does it only when loading
 * failed, to name what is missing.
 */
/* The initial PID namespace's inode number (PROC_PID_INIT_INO in the kernel). */
#define PID_NS_INIT_INO	0xEFFFFFFCUL

/* MEMTRACE_LOADER: NULL (unset or empty), "light" or "libbpf"; anything else is an error. */
static int loader__get(const char **loader, char *err, size_t errlen)
{
	*loader = getenv("MEMTRACE_LOADER");
	if (*loader && !**loader)
		*loader = NULL;	/* set but empty, as unset */
	if (*loader && strcmp(*loader, "light") && strcmp(*loader, "libbpf")) {
		snprintf(err, errlen, "MEMTRACE_LOADER=%s: no such loader; use 'light' (the default) or 'libbpf'",
			 *loader);
		return -EINVAL;
	}
	return 0;
}

int tracer__check(bool cost, char *err, size_t errlen)
{
	bool admin = cap__has(CAP_SYS_ADMIN);
	const char *loader;
	char missing[64] = "";
	struct stat st;

	/* here, before run.c creates -o: a typo must leave no empty file */
	if (loader__get(&loader, err, errlen))
		return -EINVAL;

	/*
	 * The capabilities, not the uid: root in a container or under
	 * capsh --drop may lack them, and the kernel's refusal would read
	 * like a verifier problem. CAP_SYS_ADMIN stands in for both.
	 */
	if (!admin && !cap__has(CAP_BPF))
		strcat(missing, ", CAP_BPF");
	if (!admin && !cap__has(CAP_PERFMON))
		strcat(missing, ", CAP_PERFMON");
	if (missing[0]) {
		snprintf(err, errlen, "tracing needs CAP_BPF and CAP_PERFMON, and this process lacks %s: run it as root with sudo (and all capabilities)",
			 missing + 2);
		return -EPERM;
	}
	/* BPF_ENABLE_STATS is CAP_SYS_ADMIN only */
	if (cost && !admin) {
		snprintf(err, errlen, "--cost needs CAP_SYS_ADMIN (to turn on the kernel's BPF statistics), which this process lacks: run it as root with all capabilities, or without --cost");
		return -EPERM;
	}
	if (access(BTF_VMLINUX, R_OK)) {
		snprintf(err, errlen, "this kernel has no BTF (%s: %s): memtrace needs a kernel built with CONFIG_DEBUG_INFO_BTF=y",
			 BTF_VMLINUX, strerror(errno));
		return -ENOTSUP;
	}
	/*
	 * The kernel side sees host pids; inside a PID namespace ours differ
	 * and the filter would follow the wrong process or none.
	 */
	if (!stat("/proc/self/ns/pid", &st) && st.st_ino != PID_NS_INIT_INO) {
		snprintf(err, errlen, "running in a PID namespace (a container?): its pids are not the kernel's; run it in the host's PID namespace");
		return -ENOTSUP;
	}
	return 0;
}

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

/* Does path lie on a cgroup v2 file system, on device dev? */
static bool cgroup__is_v2(const char *path, dev_t dev)
{
	struct statfs sf;
	struct stat st;

	return !statfs(path, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC &&
	       !stat(path, &st) && st.st_dev == dev;
}

int tracer__cgroup(const char *path, uint64_t *id, uint32_t *level, char *err, size_t errlen)
{
	char real[PATH_MAX], *slash;
	struct stat st;

	if (!realpath(path, real) || stat(real, &st)) {
		snprintf(err, errlen, "--cgroup %s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || !cgroup__is_v2(real, st.st_dev)) {
		snprintf(err, errlen, "--cgroup %s: not a cgroup v2 directory (the unified hierarchy, often /sys/fs/cgroup or /sys/fs/cgroup/unified)",
			 path);
		return -EINVAL;
	}
	/* on cgroup v2 a directory's inode number is the cgroup's id */
	*id = st.st_ino;
	/* the depth: parents on the same cgroup2 mount, up to its root */
	*level = 0;
	while ((slash = strrchr(real, '/')) && slash != real) {
		*slash = '\0';
		if (!cgroup__is_v2(real, st.st_dev))
			break;
		(*level)++;
	}
	return 0;
}

/*
 * The gate VMA ([vsyscall]) is one global page that /proc/PID/maps lists
 * last for every 64-bit process; the BPF map walks cannot see it (it is
 * in no mm), so they take it from our own maps. Absent (vsyscall=none,
 * other architectures): the walks add nothing.
 */
static void gate__read(struct memtrace_bpf__rodata *r)
{
	unsigned long long start, end;
	char line[256], prot[5];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[vsyscall]") ||
		    sscanf(line, "%llx-%llx %4s", &start, &end, prot) != 3)
			continue;
		r->gate_start = start;
		r->gate_end = end;
		r->gate_prot = (prot[0] == 'r' ? 1 : 0) | (prot[1] == 'w' ? 2 : 0) |
			       (prot[2] == 'x' ? 4 : 0);
	}
	fclose(f);
}

/* The settings the kernel side reads as constants, the same for either loader. */
static void rodata__fill(struct memtrace_bpf__rodata *r, const struct tracer_opts *o,
			 bool exit_group_dead)
{
	r->trace_all = o->all;
	r->self_tgid = getpid();
	r->wakeup_bytes = o->wakeup_bytes;
	r->exit_has_group_dead = exit_group_dead;
	r->cgroup_id = o->cgroup_id;
	r->cgroup_level = o->cgroup_level;
	r->mem_faults = o->faults != MT_MEM_FAULTS_OFF;
	r->mem_faults_all = o->faults == MT_MEM_FAULTS_ALL;
	r->mem_rss = o->rss;
	r->rss_step_pages = o->rss_step / getpagesize();
	r->page_size = getpagesize();
	r->nr_cpus = libbpf_num_possible_cpus() > 0 ? libbpf_num_possible_cpus() : 1;
	gate__read(r);
}

/* When a program is attached: always, or only with the memory options it serves. */
enum prog__when {
	PROG_ALWAYS,
	PROG_FAULTS,	/* --faults, -m */
	PROG_MEMORY,	/* --faults or --rss */
	PROG_NEVER,	/* the iterator: tracer__snapshot runs it */
};

/* Does this run need the programs of `when`? The one place options pick programs. */
static bool prog__due(enum prog__when when, const struct tracer_opts *o)
{
	switch (when) {
	case PROG_ALWAYS:
		return true;
	case PROG_FAULTS:
		return o->faults != MT_MEM_FAULTS_OFF;
	case PROG_MEMORY:
		return o->faults != MT_MEM_FAULTS_OFF || o->rss;
	default:
		return false;
	}
}

/*
 * The programs, by name (BPF_OBJ_NAME_LEN - 1 characters of it is all the
 * kernel keeps), with the hook --cost names and when a run attaches them.
 */
static const struct prog__hook {
	const char *prog, *hook;
	enum prog__when when;
} prog__hooks[] = {
	{ "handle_fault_user", "page_fault_user", PROG_FAULTS },
	{ "handle_fault_kernel", "page_fault_kernel", PROG_FAULTS },
	{ "handle_rss", "rss_stat", PROG_MEMORY },
	{ "handle_exit_mmap", "exit_mmap", PROG_ALWAYS },
	{ "handle_fork", "task_newtask", PROG_ALWAYS },
	{ "handle_prepare_exec", "sched_prepare_exec", PROG_ALWAYS },
	{ "handle_exec", "sched_process_exec", PROG_ALWAYS },
	{ "handle_exec_vma", "process_exec/vma", PROG_ALWAYS },
	{ "vma_attach", "iter/task (attach)", PROG_NEVER },
	{ "handle_exit", "sched_process_exit", PROG_ALWAYS },
	{ "handle_free", "sched_process_free", PROG_ALWAYS },
	{ "handle_sys_exit", "sys_exit", PROG_ALWAYS },
};

static bool prog__info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return fd > 0 && !bpf_obj_get_info_by_fd(fd, info, &len);
}

/* Adds a loaded program (fd > 0) to t->progs, named from prog__hooks. */
static void tracer__add_prog(struct tracer *t, int fd, const struct tracer_opts *o)
{
	struct bpf_prog_info info;
	struct tracer_prog *p;
	size_t i;

	if (t->nr_progs == TRACER_PROGS_MAX || !prog__info(fd, &info))
		return;
	p = &t->progs[t->nr_progs++];
	p->fd = fd;
	/* info is ours for this call only: a program missing from the table keeps a copy */
	snprintf(p->name, sizeof(p->name), "%s", info.name);
	p->hook = p->name;
	p->attach = true;
	for (i = 0; i < sizeof(prog__hooks) / sizeof(prog__hooks[0]); i++) {
		const struct prog__hook *h = &prog__hooks[i];

		if (strncmp(info.name, h->prog, BPF_OBJ_NAME_LEN - 1))
			continue;
		p->hook = h->hook;
		p->attach = prog__due(h->when, o);
		if (h->when == PROG_NEVER)
			t->iter_fd = fd;
		break;
	}
}

/*
 * How many processes (traced) and address spaces (mm_ids) can be followed
 * at once, and how many shm attachments keep their size for shmdt
 * (shm_sizes). -a follows the whole system; a command's tree needs far
 * fewer, and creating a hash costs about 40 ns per entry here even without
 * preallocation (its buckets: 2-3 ms of start-up for 65,536), an LRU hash,
 * always preallocated, about 300 ns (docs/performance.md). A full
 * traced/mm_ids is never silent: tracer__untracked and tracer__unnumbered
 * count what did not fit, and run.c warns; shm_sizes forgets its oldest
 * attachment, whose shmdt then shows length 0 (unknown), as for one made
 * before memtrace started.
 */
static void maps__capacity(const struct tracer_opts *o, __u32 *procs, __u32 *ases,
			   __u32 *shms)
{
	*procs = o->all ? 32768 : 8192;
	*ases = o->all ? 65536 : 16384;
	*shms = o->all ? 4096 : 256;
}

/*
 * A light skeleton (bpftool gen skeleton -L) is loaded by a loader
 * program in the kernel, which also does the CO-RE relocations against
 * the kernel's own BTF: user space never reads /sys/kernel/btf/vmlinux.
 * That is most of start-up with libbpf 1.1 (docs/performance.md). It
 * loads every program it holds, hence one per program set; they differ in
 * programs only, so each is handled through this view of its parts.
 */
struct lskel_view {
	void *skel;
	struct bpf_loader_ctx *ctx;
	struct bpf_map_desc *events, *traced, *mm_ids, *regions, *region_index, *mm_states;
	struct bpf_map_desc *shm_sizes;
	struct bpf_prog_desc *progs;
	size_t nr_progs;
	struct memtrace_bpf__rodata **rodata;
	struct memtrace_bpf__bss **bss;
	int (*load)(void *skel);
	void (*destroy)(void *skel);
};

/*
 * rodata__fill and tracer__lost use the libbpf skeleton's layout for every
 * light skeleton: equal sizes are not enough, a variable left out of one
 * program set could shift the others into its padding.
 */
#define SAME_AT(name, sec, f)								\
	_Static_assert(offsetof(struct name##__##sec, f) ==				\
		       offsetof(struct memtrace_bpf__##sec, f), #name ": ." #sec "." #f " moved")
#define SAME_LAYOUT(name)								\
	SAME_AT(name, rodata, trace_all); SAME_AT(name, rodata, self_tgid);		\
	SAME_AT(name, rodata, wakeup_bytes); SAME_AT(name, rodata, cgroup_id);		\
	SAME_AT(name, rodata, cgroup_level); SAME_AT(name, rodata, mem_faults);		\
	SAME_AT(name, rodata, mem_faults_all); SAME_AT(name, rodata, mem_rss);		\
	SAME_AT(name, rodata, rss_step_pages); SAME_AT(name, rodata, page_size);	\
	SAME_AT(name, rodata, nr_cpus); SAME_AT(name, rodata, gate_start);		\
	SAME_AT(name, rodata, gate_end); SAME_AT(name, rodata, gate_prot);		\
	SAME_AT(name, rodata, exit_has_group_dead);					\
	SAME_AT(name, bss, dropped); SAME_AT(name, bss, untracked);			\
	SAME_AT(name, bss, unnumbered)

#define LSKEL_VIEW(name)								\
SAME_LAYOUT(name);									\
/* tracer__add_prog has room for so many: one more would go unattached */		\
_Static_assert(sizeof(((struct name *)0)->progs) / sizeof(struct bpf_prog_desc) <=	\
	       TRACER_PROGS_MAX, #name ": more programs than TRACER_PROGS_MAX");		\
static int name##__load_any(void *s) { return name##__load(s); }			\
static void name##__destroy_any(void *s) { name##__destroy(s); }			\
static bool name##__view(struct lskel_view *v)						\
{											\
	struct name *s = name##__open();						\
											\
	_Static_assert(sizeof(*s->rodata) == sizeof(struct memtrace_bpf__rodata),	\
		       #name ": .rodata differs from the libbpf skeleton's");		\
	_Static_assert(sizeof(*s->bss) == sizeof(struct memtrace_bpf__bss),		\
		       #name ": .bss differs from the libbpf skeleton's");		\
	if (!s)										\
		return false;								\
	v->skel = s;									\
	v->ctx = &s->ctx;								\
	v->events = &s->maps.events;							\
	v->traced = &s->maps.traced;							\
	v->mm_ids = &s->maps.mm_ids;							\
	v->regions = &s->maps.regions;							\
	v->region_index = &s->maps.region_index;					\
	v->mm_states = &s->maps.mm_states;						\
	v->shm_sizes = &s->maps.shm_sizes;						\
	/* the generated progs struct holds nothing but bpf_prog_desc */		\
	v->progs = (struct bpf_prog_desc *)&s->progs;					\
	v->nr_progs = sizeof(s->progs) / sizeof(struct bpf_prog_desc);			\
	v->rodata = (struct memtrace_bpf__rodata **)&s->rodata;				\
	v->bss = (struct memtrace_bpf__bss **)&s->bss;					\
	v->load = name##__load_any;							\
	v->destroy = name##__destroy_any;						\
	return true;									\
}

LSKEL_VIEW(memtrace_base_lskel)
LSKEL_VIEW(memtrace_attach_lskel)
LSKEL_VIEW(memtrace_rss_lskel)
LSKEL_VIEW(memtrace_lskel)

/*
 * Loads the smallest light skeleton that has every program this run
 * needs. Returns 0 or -errno; on failure nothing is left open, and the
 * caller falls back to libbpf's loader, which has the fallbacks for older
 * kernels and the verifier's log for -v.
 */
static int lskel__load(struct tracer *t, const struct tracer_opts *o)
{
	bool memory = prog__due(PROG_MEMORY, o);
	struct lskel_view v;
	size_t i;
	int e;

	if (!(prog__due(PROG_FAULTS, o) ? memtrace_lskel__view(&v) :
	      memory ? memtrace_rss_lskel__view(&v) :
	      o->snapshot ? memtrace_attach_lskel__view(&v) : memtrace_base_lskel__view(&v)))
		return -errno ? -errno : -ENOMEM;
	rodata__fill(*v.rodata, o, true);
	v.events->max_entries = o->buffer_size;
	maps__capacity(o, &v.traced->max_entries, &v.mm_ids->max_entries,
		       &v.shm_sizes->max_entries);
	if (!memory) {
		v.regions->max_entries = 1;
		v.region_index->max_entries = 1;
		v.mm_states->max_entries = 1;
	}
	e = v.load(v.skel);
	if (e) {
		e = e < 0 ? e : -e;
		v.destroy(v.skel);
		return e;
	}
	t->lskel = v.skel;
	t->lskel_destroy = v.destroy;
	t->events_fd = v.events->map_fd;
	t->traced_fd = v.traced->map_fd;
	t->regions_fd = v.regions->map_fd;
	t->bss = *v.bss;
	for (i = 0; i < v.nr_progs; i++)
		tracer__add_prog(t, v.progs[i].prog_fd, o);
	return 0;
}

/* Too few fds (ulimit -n) or too little memory: no loader can do better. */
static bool load__short_of(int e)
{
	return e == -EMFILE || e == -ENFILE || e == -ENOMEM;
}

/* Why loading failed, in one line: the verifier's log helps with a refused program only. */
static void load__explain(int e, const struct tracer_opts *o, char *err, size_t errlen)
{
	unsigned long long kib = o->buffer_size >> 10;
	char hint[128] = "";

	if (e == -EMFILE || e == -ENFILE)
		snprintf(hint, sizeof(hint), " (memtrace needs about 50 file descriptors: raise ulimit -n)");
	else if (e == -ENOMEM && kib > 16 << 10)	/* -b: a power of two, 4K to 1G */
		snprintf(hint, sizeof(hint), " (the ring buffer alone takes -b %llu%c: a smaller one may fit)",
			 kib >= 1 << 20 ? kib >> 20 : kib >> 10, kib >= 1 << 20 ? 'G' : 'M');
	else if (e != -ENOMEM && !o->verbose)
		snprintf(hint, sizeof(hint), " (run with -v for the verifier's log)");
	snprintf(err, errlen, "failed to load BPF programs: %s%s", strerror(-e), hint);
}

/* Opens, configures and loads the libbpf skeleton once. Returns 0 or -errno. */
static int skel__load(struct tracer *t, const struct tracer_opts *o, bool exit_group_dead,
		      bool prepare_exec, char *err, size_t errlen)
{
	struct bpf_program *prog;
	__u32 procs, ases, shms;
	int e;

	t->skel = memtrace_bpf__open();
	if (!t->skel) {
		e = -errno;
		snprintf(err, errlen, "failed to open BPF object: %s", strerror(-e));
		return e;
	}
	rodata__fill(t->skel->rodata, o, exit_group_dead);
	bpf_program__set_autoload(t->skel->progs.handle_prepare_exec, prepare_exec);
	/* issue 11: what is off is not loaded at all, so it costs nothing */
	bpf_program__set_autoload(t->skel->progs.handle_fault_user, prog__due(PROG_FAULTS, o));
	bpf_program__set_autoload(t->skel->progs.handle_fault_kernel, prog__due(PROG_FAULTS, o));
	bpf_program__set_autoload(t->skel->progs.handle_rss, prog__due(PROG_MEMORY, o));
	/* always: it forgets a dead mm's id (mm_ids) */
	if (!prog__due(PROG_MEMORY, o)) {
		bpf_map__set_max_entries(t->skel->maps.regions, 1);
		bpf_map__set_max_entries(t->skel->maps.region_index, 1);
		bpf_map__set_max_entries(t->skel->maps.mm_states, 1);
	}
	/* issue 10: run by tracer__snapshot, never attached */
	bpf_program__set_autoload(t->skel->progs.vma_attach, o->snapshot);
	maps__capacity(o, &procs, &ases, &shms);
	bpf_map__set_max_entries(t->skel->maps.traced, procs);
	bpf_map__set_max_entries(t->skel->maps.mm_ids, ases);
	bpf_map__set_max_entries(t->skel->maps.shm_sizes, shms);
	e = bpf_map__set_max_entries(t->skel->maps.events, o->buffer_size);
	if (e) {
		snprintf(err, errlen, "bad ring buffer size %llu: %s",
			 (unsigned long long)o->buffer_size, strerror(-e));
		return e;
	}
	e = memtrace_bpf__load(t->skel);
	if (e) {
		load__explain(e, o, err, errlen);
		return e;
	}
	t->events_fd = bpf_map__fd(t->skel->maps.events);
	t->traced_fd = bpf_map__fd(t->skel->maps.traced);
	t->regions_fd = bpf_map__fd(t->skel->maps.regions);
	t->bss = t->skel->bss;
	bpf_object__for_each_program(prog, t->skel->obj)
		tracer__add_prog(t, bpf_program__fd(prog), o);
	return 0;
}

/*
 * libbpf reads and indexes all of kernel BTF (5.5 MiB here) to load us:
 * some 3000 page faults for its buffers, and a fault is dear in a VM
 * (17-29 us in the PVM guest). Served from a heap marked for huge pages,
 * they are 400-800: start-up CPU 130-150 -> 65-100 ms there. The
 * settings are put back after load and malloc_trim returns the memory.
 */
#define LOAD_HEAP	(32UL << 20)
#define HUGE_PAGE	(2UL << 20)

static void heap__grow_huge(void)
{
	uintptr_t start, end;
	void *p;

	mallopt(M_MMAP_THRESHOLD, LOAD_HEAP);	/* big buffers from the heap too */
	mallopt(M_TRIM_THRESHOLD, 2 * LOAD_HEAP);	/* kept until heap__restore */
	p = malloc(LOAD_HEAP / 2);		/* grows the heap, untouched */
	if (!p)
		return;
	start = ((uintptr_t)p + 4096 + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	end = (uintptr_t)sbrk(0) & ~(HUGE_PAGE - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
	free(p);
}

static void heap__restore(void)
{
	mallopt(M_MMAP_THRESHOLD, 128 << 10);	/* glibc's defaults */
	mallopt(M_TRIM_THRESHOLD, 128 << 10);
	malloc_trim(0);
}

/* Frees a libbpf skeleton that failed to load, before trying another variant. */
static void skel__discard(struct tracer *t)
{
	memtrace_bpf__destroy(t->skel);
	t->skel = NULL;
}

int tracer__open_load(struct tracer *t, const struct tracer_opts *o, char *err, size_t errlen)
{
	const char *loader;
	char err2[256];
	int e, i, light_err = 0;

	memset(t, 0, sizeof(*t));
	t->stats_fd = -1;
	t->iter_fd = -1;
	verbose = o->verbose;
	libbpf_set_print(libbpf_print);

	/* MEMTRACE_LOADER=libbpf: the fallback on purpose (tests, comparisons) */
	e = loader__get(&loader, err, errlen);
	if (e)
		return e;
	if (strcmp(loader ? loader : "light", "libbpf")) {
		/*
		 * The verifier gives up on a pending signal (-EAGAIN): the kernel
		 * did not refuse the skeleton, so load it again (libbpf retries
		 * too), rather than parse kernel BTF for nothing.
		 */
		for (i = 0; (e = lskel__load(t, o)) == -EAGAIN && i < 5; i++)
			;
		if (!e)
			return 0;
		light_err = e;
		if (verbose)
			fprintf(stderr, "memtrace: light skeleton not loaded (%s): trying libbpf's loader\n",
				strerror(-e));
	}
	heap__grow_huge();
	e = skel__load(t, o, true, true, err, errlen);
	if (e && t->skel) {
		/*
		 * Before 6.10 there is no sched_prepare_exec: an exec failing
		 * after its point of no return then loses its path.
		 */
		skel__discard(t);
		if (!skel__load(t, o, true, false, err2, sizeof(err2)))
			e = 0;
	}
	if (e && t->skel) {
		/*
		 * Kernels before sched_process_exit gained its group_dead
		 * argument reject reading it: load the variant that derives it.
		 */
		skel__discard(t);
		if (!skel__load(t, o, false, false, err2, sizeof(err2)))
			e = 0;
	}
	if (!e) {
		/* give back the memory libbpf used to parse kernel BTF (~11 MiB) */
		heap__restore();
		return 0;
	}
	/*
	 * Short of fds, libbpf's loader can fail on a later step with
	 * -EINVAL: then the light skeleton's error says what ran out.
	 */
	if (!load__short_of(e) && load__short_of(light_err)) {
		e = light_err;
		load__explain(e, o, err, errlen);
	}
	/* a missing tracepoint is the likely cause on an old kernel: name it */
	if (!load__short_of(e))
		tracer__check_tracepoints(tracer__tracepoints, err, errlen);
	heap__restore();
	return e;
}

int tracer__add_pid(struct tracer *t, pid_t pid)
{
	__u32 key = pid, as = 0;	/* 0: id assigned at the first event */

	if (bpf_map_update_elem(t->traced_fd, &key, &as, BPF_ANY))
		return -errno;
	return 0;
}

int tracer__add_launched(struct tracer *t, pid_t pid)
{
	/* hidden until its first exec: memtrace's launcher code is not the program */
	__u32 key = pid, v = MT_TRACED_LAUNCH;

	if (bpf_map_update_elem(t->traced_fd, &key, &v, BPF_ANY))
		return -errno;
	return 0;
}

int tracer__attach(struct tracer *t, bool cost, char *err, size_t errlen)
{
	size_t i;
	int e, fd;

	/* before attaching, so that every run is counted */
	if (cost) {
		t->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (t->stats_fd < 0) {
			e = -errno;
			snprintf(err, errlen, "--cost: cannot turn on the kernel's BPF statistics: %s",
				 strerror(-e));
			return e;
		}
	}
	/*
	 * Every program but the iterator is a tp_btf one: attached by its
	 * BTF target, the same for programs of either loader.
	 */
	for (i = 0; i < t->nr_progs; i++) {
		if (!t->progs[i].attach)
			continue;
		fd = bpf_raw_tracepoint_open(NULL, t->progs[i].fd);
		if (fd < 0) {
			e = -errno;
			snprintf(err, errlen, "failed to attach to tracepoint %s: %s",
				 t->progs[i].hook, strerror(-e));
			return e;
		}
		t->progs[i].link_fd = fd;
	}
	return 0;
}

static int ring__sample(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	return t->fn(t->ctx, data, size);
}

int tracer__ring_open(struct tracer *t, tracer_record_fn fn, void *ctx)
{
	t->fn = fn;
	t->ctx = ctx;
	t->rb = ring_buffer__new(t->events_fd, ring__sample, t, NULL);
	if (!t->rb)
		return -errno;
	return 0;
}

int tracer__poll(struct tracer *t, int timeout_ms)
{
	int n = ring_buffer__poll(t->rb, timeout_ms);

	/*
	 * Wake-ups are batched (wakeup_bytes), so epoll may time out with
	 * records waiting: take them now, a timeout's worth late at most.
	 */
	if (n == 0)
		n = ring_buffer__consume(t->rb);
	return n;
}

int tracer__drain(struct tracer *t)
{
	return ring_buffer__consume(t->rb);
}

/*
 * The vma_attach iterator writes one byte per process walked, and a
 * read() of one byte returns after it (bpf_seq_read stops once it holds
 * what was asked): the ring is drained between two processes, so that
 * -a on a busy system does not overflow it.
 */
int tracer__snapshot(struct tracer *t, pid_t pid)
{
	DECLARE_LIBBPF_OPTS(bpf_link_create_opts, opts);
	union bpf_iter_link_info linfo = {};
	int link, fd, n = 0, e = 0;
	ssize_t r;
	char c;

	if (t->iter_fd < 0)
		return -ENOENT;	/* loaded without opts->snapshot */
	if (pid) {
		linfo.task.pid = pid;
		opts.iter_info = &linfo;
		opts.iter_info_len = sizeof(linfo);
	}
	link = bpf_link_create(t->iter_fd, 0, BPF_TRACE_ITER, &opts);
	if (link < 0)
		return -errno;
	fd = bpf_iter_create(link);
	if (fd < 0) {
		e = -errno;
		goto out_link;
	}
	while ((r = read(fd, &c, 1)) > 0) {
		n++;
		ring_buffer__consume(t->rb);
	}
	if (r < 0)
		e = -errno;
	close(fd);
out_link:
	close(link);
	ring_buffer__consume(t->rb);
	return e ? e : n;
}

/*
 * Has process pid ended for good? True if it is gone, or a zombie with no
 * live thread left (a zombie leader whose threads still run counts them
 * in Threads:). A zombie that nobody reaps must not keep us waiting.
 */
static bool proc__ended(pid_t pid)
{
	struct procfs_status st;
	int e;

	if (kill(pid, 0) && errno == ESRCH)
		return true;
	e = procfs__status(pid, &st);
	if (e)
		return e == -ENOENT;
	return procfs__ended(&st);
}

bool tracer__idle(struct tracer *t)
{
	int fd = t->traced_fd;
	__u32 key, next, val;
	bool empty = true;
	int e;

	/*
	 * Entries marked dead (last task exited) stay until the kernel frees
	 * the leader; they do not count. A process that ended before we
	 * attached (-p) never fires the exit tracepoint, so also ask /proc.
	 */
	for (e = bpf_map_get_next_key(fd, NULL, &next); !e;
	     e = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &val) && (val & MT_TRACED_DEAD))
			continue;
		if (!proc__ended((pid_t)key))
			empty = false;
	}
	return empty;
}

void tracer__lost(struct tracer *t, uint64_t *lost, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		lost[i] = i < MT_EV_MAX ? t->bss->dropped[i] : 0;
}

uint64_t tracer__missed(struct tracer *t)
{
	struct bpf_prog_info info;
	uint64_t missed = 0;
	size_t i;

	for (i = 0; i < t->nr_progs; i++)
		if (prog__info(t->progs[i].fd, &info))
			missed += info.recursion_misses;
	return missed;
}

size_t tracer__cost(struct tracer *t, struct hook_cost *c, size_t n)
{
	struct bpf_prog_info info;
	size_t i, k = 0;

	for (i = 0; i < t->nr_progs && k < n; i++) {
		if (!prog__info(t->progs[i].fd, &info) || !info.run_cnt)
			continue;
		snprintf(c[k].hook, sizeof(c[k].hook), "%s", t->progs[i].hook);
		c[k].runs = info.run_cnt;
		c[k].ns = info.run_time_ns;
		k++;
	}
	return k;
}

uint64_t tracer__untracked(struct tracer *t)
{
	return t->bss->untracked;
}

uint64_t tracer__unnumbered(struct tracer *t)
{
	return t->bss->unnumbered;
}

int tracer__flush_faults(struct tracer *t, uint64_t ts)
{
	int fd = t->regions_fd;
	struct mt_region_key key, next;
	struct mt_region_val v;
	struct mt_faults_event e;
	int n = 0, err;

	/* restart from the first key each time: the current one is deleted */
	while (!(err = bpf_map_get_next_key(fd, NULL, &next))) {
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &v)) {
			memset(&e, 0, sizeof(e));
			e.hdr.ts = ts;
			e.hdr.type = MT_EV_FAULTS;
			e.hdr.pid = v.pid;
			e.hdr.tid = v.pid;
			e.hdr.as = key.as;
			e.start = v.start;
			e.end = v.end;
			memcpy(e.counts, v.counts, sizeof(e.counts));
			e.kind = v.kind;
			e.reason = MT_FAULTS_TRACE_END;
			memcpy(e.name, v.name, sizeof(e.name));
			if (t->fn)
				t->fn(t->ctx, &e, sizeof(e));
			n++;
		}
		if (bpf_map_delete_elem(fd, &key))
			break;
	}
	return n;
}

void tracer__destroy(struct tracer *t)
{
	size_t i;

	ring_buffer__free(t->rb);
	for (i = 0; i < t->nr_progs; i++)
		if (t->progs[i].link_fd > 0)
			close(t->progs[i].link_fd);
	t->nr_progs = 0;
	if (t->lskel)
		t->lskel_destroy(t->lskel);
	memtrace_bpf__destroy(t->skel);
	if (t->stats_fd >= 0)
		close(t->stats_fd);
	t->stats_fd = -1;
	t->rb = NULL;
	t->skel = NULL;
	t->lskel = NULL;
	t->bss = NULL;
}
