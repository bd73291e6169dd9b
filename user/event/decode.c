// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * decode - see decode.h. All names come from tables in this file rather
 * than from libc (strerrorname_np, sigabbrev_np), so the output is the same
 * whatever glibc the binary runs on, and kernel-internal values that a
 * syscall-exit tracepoint can see (ERESTARTNOINTR...) still get a name.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/sched.h>
#include "decode.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Older headers lack some of these; the values are the kernel's ABI. */
#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif
#ifndef PROT_GROWSDOWN
#define PROT_GROWSDOWN		0x01000000
#endif
#ifndef PROT_GROWSUP
#define PROT_GROWSUP		0x02000000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_32BIT
#define MAP_32BIT		0x40
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT		26
#endif
#ifndef MAP_HUGE_MASK
#define MAP_HUGE_MASK		0x3f
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD		0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP		0x02000000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND	0x100000000ULL
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME		0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP	0x200000000ULL
#endif
/*
 * The mapping type, the kernel's 4-bit field MAP_TYPE (include/uapi/linux/
 * mman.h), not flags: 1 shared, 2 private, 3 shared-validate, 8 droppable.
 */
#define MT_MAP_TYPE		0x0f
#define MT_CSIGNAL		0xff
#define MT_MAP_DROPPABLE	0x08

/* A bounded string builder: appends what fits, always NUL-terminated. */
struct namebuf {
	char *buf;
	size_t n;
	size_t len;
	bool sep;	/* a '|' goes before the next name */
};

static void namebuf__init(struct namebuf *nb, char *buf, size_t n)
{
	nb->buf = buf;
	nb->n = n;
	nb->len = 0;
	nb->sep = false;
	if (n)
		buf[0] = '\0';
}

static void namebuf__add(struct namebuf *nb, const char *s)
{
	size_t k = strlen(s);

	if (!nb->n || nb->len >= nb->n - 1)
		return;
	if (k > nb->n - 1 - nb->len)
		k = nb->n - 1 - nb->len;
	memcpy(nb->buf + nb->len, s, k);
	nb->len += k;
	nb->buf[nb->len] = '\0';
}

static void namebuf__u64(struct namebuf *nb, uint64_t v)
{
	char tmp[21], *p = tmp + sizeof(tmp) - 1;

	*p = '\0';
	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	namebuf__add(nb, p);
}

static void namebuf__hex(struct namebuf *nb, uint64_t v)
{
	char tmp[19], *p = tmp + sizeof(tmp) - 1;

	*p = '\0';
	do {
		*--p = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	namebuf__add(nb, p);
}

/* Adds one '|'-separated item. */
static void namebuf__item(struct namebuf *nb, const char *s)
{
	if (nb->sep)
		namebuf__add(nb, "|");
	namebuf__add(nb, s);
	nb->sep = true;
}

struct flag_name {
	uint64_t bit;
	const char *name;
};

#define FLAG(f)	{ f, #f }

static const struct flag_name prot_names[] = {
	FLAG(PROT_SEM),
	FLAG(PROT_GROWSDOWN),
	FLAG(PROT_GROWSUP),
};

static const struct flag_name mmap_names[] = {
	FLAG(MAP_FIXED),
	FLAG(MAP_ANONYMOUS),
	FLAG(MAP_32BIT),
	FLAG(MAP_GROWSDOWN),
	FLAG(MAP_DENYWRITE),
	FLAG(MAP_EXECUTABLE),
	FLAG(MAP_LOCKED),
	FLAG(MAP_NORESERVE),
	FLAG(MAP_POPULATE),
	FLAG(MAP_NONBLOCK),
	FLAG(MAP_STACK),
	FLAG(MAP_HUGETLB),
	FLAG(MAP_SYNC),
	FLAG(MAP_FIXED_NOREPLACE),
	FLAG(MAP_UNINITIALIZED),
};

static const char *const map_type_names[] = {
	[MAP_SHARED] = "MAP_SHARED",
	[MAP_PRIVATE] = "MAP_PRIVATE",
	[MAP_SHARED_VALIDATE] = "MAP_SHARED_VALIDATE",
	/* 6.11+: private, freed under memory pressure (mm/mmap.c do_mmap) */
	[MT_MAP_DROPPABLE] = "MAP_DROPPABLE",
};

/* shmat(2) flags (include/uapi/linux/shm.h) */
static const struct flag_name shm_names[] = {
	{ 010000, "SHM_RDONLY" },
	{ 020000, "SHM_RND" },
	{ 040000, "SHM_REMAP" },
	{ 0100000, "SHM_EXEC" },
};

/* madvise(2) advice values (include/uapi/asm-generic/mman-common.h). */
static const char *const madvise_names[] = {
	[0] = "MADV_NORMAL", [1] = "MADV_RANDOM", [2] = "MADV_SEQUENTIAL",
	[3] = "MADV_WILLNEED", [4] = "MADV_DONTNEED", [8] = "MADV_FREE",
	[9] = "MADV_REMOVE", [10] = "MADV_DONTFORK", [11] = "MADV_DOFORK",
	[12] = "MADV_MERGEABLE", [13] = "MADV_UNMERGEABLE", [14] = "MADV_HUGEPAGE",
	[15] = "MADV_NOHUGEPAGE", [16] = "MADV_DONTDUMP", [17] = "MADV_DODUMP",
	[18] = "MADV_WIPEONFORK", [19] = "MADV_KEEPONFORK", [20] = "MADV_COLD",
	[21] = "MADV_PAGEOUT", [22] = "MADV_POPULATE_READ", [23] = "MADV_POPULATE_WRITE",
	[24] = "MADV_DONTNEED_LOCKED", [25] = "MADV_COLLAPSE", [100] = "MADV_HWPOISON",
	[101] = "MADV_SOFT_OFFLINE", [102] = "MADV_GUARD_INSTALL",
	[103] = "MADV_GUARD_REMOVE",
};

static const struct flag_name mremap_names[] = {
	FLAG(MREMAP_MAYMOVE),
	FLAG(MREMAP_FIXED),
	FLAG(MREMAP_DONTUNMAP),
};

/*
 * The full 64-bit clone3 set, in bit order (include/uapi/linux/sched.h).
 * CLONE_NEWTIME sits in the low byte, which for clone() is the exit
 * signal: the signal is therefore never part of the flags (issue 17).
 */
static const struct flag_name clone_names[] = {
	FLAG(CLONE_NEWTIME),
	FLAG(CLONE_VM),
	FLAG(CLONE_FS),
	FLAG(CLONE_FILES),
	FLAG(CLONE_SIGHAND),
	FLAG(CLONE_PIDFD),
	FLAG(CLONE_PTRACE),
	FLAG(CLONE_VFORK),
	FLAG(CLONE_PARENT),
	FLAG(CLONE_THREAD),
	FLAG(CLONE_NEWNS),
	FLAG(CLONE_SYSVSEM),
	FLAG(CLONE_SETTLS),
	FLAG(CLONE_PARENT_SETTID),
	FLAG(CLONE_CHILD_CLEARTID),
	FLAG(CLONE_DETACHED),
	FLAG(CLONE_UNTRACED),
	FLAG(CLONE_CHILD_SETTID),
	FLAG(CLONE_NEWCGROUP),
	FLAG(CLONE_NEWUTS),
	FLAG(CLONE_NEWIPC),
	FLAG(CLONE_NEWUSER),
	FLAG(CLONE_NEWPID),
	FLAG(CLONE_NEWNET),
	FLAG(CLONE_IO),
	FLAG(CLONE_CLEAR_SIGHAND),
	FLAG(CLONE_INTO_CGROUP),
};

/* Adds the names of the bits of *flags found in the table and clears them. */
static void namebuf__flags(struct namebuf *nb, uint64_t *flags,
			   const struct flag_name *tab, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (*flags & tab[i].bit) {
			namebuf__item(nb, tab[i].name);
			*flags &= ~tab[i].bit;
		}
	}
}

/* Whatever no table knew, as one hex number, so no bit goes unseen. */
static void namebuf__rest(struct namebuf *nb, uint64_t rest)
{
	if (!rest)
		return;
	if (nb->sep)
		namebuf__add(nb, "|");
	namebuf__hex(nb, rest);
	nb->sep = true;
}

char *decode__prot(uint64_t prot, char *buf, size_t n)
{
	struct namebuf nb;
	char rwx[4] = "---";

	namebuf__init(&nb, buf, n);
	if (prot & PROT_READ)
		rwx[0] = 'r';
	if (prot & PROT_WRITE)
		rwx[1] = 'w';
	if (prot & PROT_EXEC)
		rwx[2] = 'x';
	namebuf__item(&nb, rwx);
	prot &= ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC);
	namebuf__flags(&nb, &prot, prot_names, ARRAY_SIZE(prot_names));
	namebuf__rest(&nb, prot);
	return buf;
}

/* "MAP_HUGE_2MB", as the kernel's MAP_HUGE_* macros spell it. */
static void namebuf__huge(struct namebuf *nb, unsigned int shift)
{
	namebuf__item(nb, "MAP_HUGE_");
	if (shift >= 30) {
		namebuf__u64(nb, 1ULL << (shift - 30));
		namebuf__add(nb, "GB");
	} else if (shift >= 20) {
		namebuf__u64(nb, 1ULL << (shift - 20));
		namebuf__add(nb, "MB");
	} else if (shift >= 10) {
		namebuf__u64(nb, 1ULL << (shift - 10));
		namebuf__add(nb, "KB");
	} else {
		namebuf__u64(nb, 1ULL << shift);
		namebuf__add(nb, "B");
	}
}

char *decode__mmap_flags(uint64_t flags, char *buf, size_t n)
{
	uint64_t type = flags & MT_MAP_TYPE, huge;
	struct namebuf nb;

	namebuf__init(&nb, buf, n);
	if (!flags) {
		namebuf__add(&nb, "0");
		return buf;
	}
	if (type < ARRAY_SIZE(map_type_names) && map_type_names[type]) {
		namebuf__item(&nb, map_type_names[type]);
		flags &= ~(uint64_t)MT_MAP_TYPE;
	}
	/*
	 * With MAP_HUGETLB, bits 26..31 are log2 of the page size; otherwise
	 * bit 26 is MAP_UNINITIALIZED.
	 */
	huge = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
	if ((flags & MAP_HUGETLB) && huge)
		flags &= ~((uint64_t)MAP_HUGE_MASK << MAP_HUGE_SHIFT);
	else
		huge = 0;
	namebuf__flags(&nb, &flags, mmap_names, ARRAY_SIZE(mmap_names));
	if (huge)
		namebuf__huge(&nb, huge);
	namebuf__rest(&nb, flags);
	return buf;
}

char *decode__shm_flags(uint64_t flags, char *buf, size_t n)
{
	struct namebuf nb;

	namebuf__init(&nb, buf, n);
	if (!flags) {
		namebuf__add(&nb, "0");
		return buf;
	}
	namebuf__flags(&nb, &flags, shm_names, ARRAY_SIZE(shm_names));
	namebuf__rest(&nb, flags);
	return buf;
}

char *decode__mremap_flags(uint64_t flags, char *buf, size_t n)
{
	struct namebuf nb;

	namebuf__init(&nb, buf, n);
	if (!flags) {
		namebuf__add(&nb, "0");
		return buf;
	}
	namebuf__flags(&nb, &flags, mremap_names, ARRAY_SIZE(mremap_names));
	namebuf__rest(&nb, flags);
	return buf;
}

/* x86_64 numbering; the names are the kernel's, without "SIG". */
#define SIG(s)	[SIG##s] = #s
static const char *const signal_names[] = {
	SIG(HUP), SIG(INT), SIG(QUIT), SIG(ILL), SIG(TRAP), SIG(ABRT),
	SIG(BUS), SIG(FPE), SIG(KILL), SIG(USR1), SIG(SEGV), SIG(USR2),
	SIG(PIPE), SIG(ALRM), SIG(TERM), SIG(STKFLT), SIG(CHLD), SIG(CONT),
	SIG(STOP), SIG(TSTP), SIG(TTIN), SIG(TTOU), SIG(URG), SIG(XCPU),
	SIG(XFSZ), SIG(VTALRM), SIG(PROF), SIG(WINCH), SIG(IO), SIG(PWR),
	SIG(SYS),
};

char *decode__clone_flags(uint64_t flags, uint32_t sig, char *buf, size_t n)
{
	struct namebuf nb;

	namebuf__init(&nb, buf, n);
	if (!flags && !sig) {
		namebuf__add(&nb, "0");
		return buf;
	}
	namebuf__flags(&nb, &flags, clone_names, ARRAY_SIZE(clone_names));
	namebuf__rest(&nb, flags);
	/* Last, as strace writes clone's: the signal the parent gets at the child's exit. */
	if (sig < ARRAY_SIZE(signal_names) && signal_names[sig]) {
		namebuf__item(&nb, "SIG");
		namebuf__add(&nb, signal_names[sig]);
	} else if (sig) {
		namebuf__item(&nb, "SIG");
		namebuf__u64(&nb, sig);
	}
	return buf;
}

const char *decode__signal_name(int sig, char *buf, size_t n)
{
	struct namebuf nb;

	if (sig > 0 && (size_t)sig < ARRAY_SIZE(signal_names) && signal_names[sig])
		return signal_names[sig];
	namebuf__init(&nb, buf, n);
	namebuf__add(&nb, sig < 0 ? "SIG-" : "SIG");
	namebuf__u64(&nb, sig < 0 ? -(uint64_t)sig : (uint64_t)sig);
	return buf;
}

/*
 * Kernel-internal codes: never returned to user space, but a tracepoint at
 * syscall exit sees them before signal handling rewrites them.
 */
#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ENOIOCTLCMD		515
#define ERESTART_RESTARTBLOCK	516
#define EPROBE_DEFER		517
#define EOPENSTALE		518
#define ENOPARAM		519
#define EBADHANDLE		521
#define ENOTSYNC		522
#define EBADCOOKIE		523
#define ENOTSUPP		524
#define ETOOSMALL		525
#define ESERVERFAULT		526
#define EBADTYPE		527
#define EJUKEBOX		528
#define EIOCBQUEUED		529
#define ERECALLCONFLICT		530
#define ENOGRACE		531

/* Aliases (EWOULDBLOCK, EDEADLOCK, ENOTSUP) print as the canonical name. */
#define E(e)	[e] = #e
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ECHRNG),
	E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH), E(ENOCSI),
	E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC),
	E(EBADSLT), E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR),
	E(ENONET), E(ENOPKG), E(EREMOTE), E(ENOLINK), E(EADV), E(ESRMNT),
	E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG),
	E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC),
	E(ELIBBAD), E(ELIBSCN), E(ELIBMAX), E(ELIBEXEC), E(EILSEQ),
	E(ERESTART), E(ESTRPIPE), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ),
	E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT),
	E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
	E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
	E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL),
	E(EISNAM), E(EREMOTEIO), E(EDQUOT), E(ENOMEDIUM), E(EMEDIUMTYPE),
	E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED),
	E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL),
	E(EHWPOISON),
	E(ERESTARTSYS), E(ERESTARTNOINTR), E(ERESTARTNOHAND), E(ENOIOCTLCMD),
	E(ERESTART_RESTARTBLOCK), E(EPROBE_DEFER), E(EOPENSTALE), E(ENOPARAM),
	E(EBADHANDLE), E(ENOTSYNC), E(EBADCOOKIE), E(ENOTSUPP), E(ETOOSMALL),
	E(ESERVERFAULT), E(EBADTYPE), E(EJUKEBOX), E(EIOCBQUEUED),
	E(ERECALLCONFLICT), E(ENOGRACE),
};

const char *decode__errno_name(int err, char *buf, size_t n)
{
	struct namebuf nb;

	if (err > 0 && (size_t)err < ARRAY_SIZE(errno_names) && errno_names[err])
		return errno_names[err];
	namebuf__init(&nb, buf, n);
	namebuf__add(&nb, err < 0 ? "E-" : "E");
	namebuf__u64(&nb, err < 0 ? -(uint64_t)err : (uint64_t)err);
	return buf;
}

/*
 * Binary units. Exact multiples print as integers ("8 KiB"); anything else
 * is rounded to one decimal ("1.5 MiB"), so "4.0 KiB" means "about".
 */
char *decode__size(uint64_t bytes, char *buf, size_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	uint64_t unit = 1024, whole, tenths;
	struct namebuf nb;
	size_t u = 0;

	namebuf__init(&nb, buf, n);
	if (bytes < 1024) {
		namebuf__u64(&nb, bytes);
		namebuf__add(&nb, " B");
		return buf;
	}
	while (u + 1 < ARRAY_SIZE(units) && bytes / unit >= 1024) {
		unit *= 1024;
		u++;
	}
	whole = bytes / unit;
	/* rem * 10 cannot overflow: rem < unit <= 2^60. */
	tenths = ((bytes % unit) * 10 + unit / 2) / unit;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	/* 1023.96 KiB rounds to 1024.0 KiB: say 1.0 MiB instead. */
	if (whole == 1024 && u + 1 < ARRAY_SIZE(units)) {
		whole = 1;
		u++;
	}
	namebuf__u64(&nb, whole);
	if (bytes % unit) {
		namebuf__add(&nb, ".");
		namebuf__u64(&nb, tenths);
	}
	namebuf__add(&nb, " ");
	namebuf__add(&nb, units[u]);
	return buf;
}

/* ---- the reverse: names back to numbers (the trace reader) ---- */

static bool name__lookup(const struct flag_name *tab, size_t count, const char *s,
			 size_t k, uint64_t *bit)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (strlen(tab[i].name) == k && !strncmp(tab[i].name, s, k)) {
			*bit = tab[i].bit;
			return true;
		}
	}
	return false;
}

/* "0x1f" of exactly k characters; what namebuf__rest writes. */
static bool hex__parse(const char *s, size_t k, uint64_t *v)
{
	size_t i;

	if (k < 3 || k > 18 || s[0] != '0' || s[1] != 'x')
		return false;
	*v = 0;
	for (i = 2; i < k; i++) {
		char c = s[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else
			return false;
	}
	return true;
}

/* A decimal of exactly k characters, at most max. */
static bool dec__parse(const char *s, size_t k, uint64_t max, uint64_t *v)
{
	size_t i;

	if (!k || k > 19)
		return false;
	*v = 0;
	for (i = 0; i < k; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return *v <= max;
}

/* MAP_HUGE_2MB -> log2 of the page size, the inverse of namebuf__huge. */
static bool huge__parse(const char *s, size_t k, uint64_t *shift)
{
	static const struct { const char *unit; unsigned int base; } units[] = {
		{ "GB", 30 }, { "MB", 20 }, { "KB", 10 }, { "B", 0 },
	};
	size_t i, p = sizeof("MAP_HUGE_") - 1, u;
	uint64_t n;

	if (k <= p || strncmp(s, "MAP_HUGE_", p))
		return false;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		u = strlen(units[i].unit);
		if (k - p > u && !strncmp(s + k - u, units[i].unit, u) &&
		    dec__parse(s + p, k - p - u, 1ULL << 40, &n) && n && !(n & (n - 1))) {
			*shift = units[i].base + __builtin_ctzll(n);
			return *shift <= MAP_HUGE_MASK;
		}
	}
	return false;
}

static bool signal__parse(const char *s, size_t k, uint64_t *sig)
{
	size_t i;

	if (k <= 3 || strncmp(s, "SIG", 3))
		return false;
	for (i = 1; i < ARRAY_SIZE(signal_names); i++) {
		if (signal_names[i] && strlen(signal_names[i]) == k - 3 &&
		    !strncmp(signal_names[i], s + 3, k - 3)) {
			*sig = i;
			return true;
		}
	}
	return dec__parse(s + 3, k - 3, MT_CSIGNAL, sig);
}

/* One '|'-separated item of a flags string: its bits, or false. */
static bool item__parse(enum decode_kind kind, const char *s, size_t k, bool first,
			uint64_t *bits)
{
	uint64_t v;
	size_t t;

	if (hex__parse(s, k, bits))
		return true;
	switch (kind) {
	case DECODE_PROT:
		/* "rw-" always comes first */
		if (first) {
			if (k != 3 || (s[0] != 'r' && s[0] != '-') ||
			    (s[1] != 'w' && s[1] != '-') || (s[2] != 'x' && s[2] != '-'))
				return false;
			*bits = (s[0] == 'r' ? PROT_READ : 0) | (s[1] == 'w' ? PROT_WRITE : 0) |
				(s[2] == 'x' ? PROT_EXEC : 0);
			return true;
		}
		return name__lookup(prot_names, ARRAY_SIZE(prot_names), s, k, bits);
	case DECODE_MMAP:
		for (t = 0; t < ARRAY_SIZE(map_type_names); t++) {
			if (map_type_names[t] && strlen(map_type_names[t]) == k &&
			    !strncmp(map_type_names[t], s, k)) {
				*bits = t;
				return true;
			}
		}
		if (huge__parse(s, k, &v)) {
			*bits = v << MAP_HUGE_SHIFT;
			return true;
		}
		return name__lookup(mmap_names, ARRAY_SIZE(mmap_names), s, k, bits);
	case DECODE_MREMAP:
		return name__lookup(mremap_names, ARRAY_SIZE(mremap_names), s, k, bits);
	case DECODE_SHM:
		return name__lookup(shm_names, ARRAY_SIZE(shm_names), s, k, bits);
	case DECODE_CLONE:
		return signal__parse(s, k, bits) ||
		       name__lookup(clone_names, ARRAY_SIZE(clone_names), s, k, bits);
	}
	return false;
}

const char *decode__madvise(uint64_t advice, char *buf, size_t n)
{
	if (advice < ARRAY_SIZE(madvise_names) && madvise_names[advice])
		return madvise_names[advice];
	snprintf(buf, n, "%llu", (unsigned long long)advice);
	return buf;
}

int decode__parse_madvise(const char *s, uint64_t *advice)
{
	char *end;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(madvise_names); i++) {
		if (madvise_names[i] && !strcmp(madvise_names[i], s)) {
			*advice = i;
			return 0;
		}
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*advice = strtoull(s, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

int decode__parse_flags(enum decode_kind kind, const char *s, uint64_t *out)
{
	bool first = true;
	uint64_t bits;
	size_t k;

	*out = 0;
	if (!s || !*s)
		return -EINVAL;
	if (kind != DECODE_PROT && !strcmp(s, "0"))
		return 0;
	for (;;) {
		k = strcspn(s, "|");
		if (!item__parse(kind, s, k, first, &bits))
			return -EINVAL;
		*out |= bits;
		first = false;
		if (!s[k])
			return 0;
		s += k + 1;
	}
}

int decode__parse_clone(const char *s, uint64_t *flags, uint32_t *sig)
{
	uint64_t bits;
	size_t k;

	*flags = 0;
	*sig = 0;
	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "0"))
		return 0;
	for (;;) {
		k = strcspn(s, "|");
		if (signal__parse(s, k, &bits))
			*sig = bits;
		else if (hex__parse(s, k, &bits) ||
			 name__lookup(clone_names, ARRAY_SIZE(clone_names), s, k, &bits))
			*flags |= bits;
		else
			return -EINVAL;
		if (!s[k])
			return 0;
		s += k + 1;
	}
}

int decode__parse_errno(const char *s)
{
	uint64_t v;
	size_t i;

	for (i = 1; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i] && !strcmp(errno_names[i], s))
			return (int)i;
	/* what decode__errno_name writes for a number without a name */
	if (s[0] == 'E' && dec__parse(s + 1, strlen(s + 1), 4095, &v) && v)
		return (int)v;
	return -EINVAL;
}
