// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format - see format.h; docs/events.md is the contract for the output.
 * Each format has one function per event type; all of them write straight
 * into the outbuf, and none calls printf on the per-event path.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/types.h>
#include "memtrace.h"
#include "decode.h"
#include "format.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* A string literal without strlen() at run time. */
#define put_lit(ob, s)	outbuf__put(ob, s, sizeof(s) - 1)

#define NSEC_PER_SEC	1000000000ULL
/* x86_64 numbers of the syscalls that create tasks. */
#define NR_CLONE	56
#define NR_FORK		57
#define NR_VFORK	58
#define NR_CLONE3	435
/* Linux returns -1..-4095 for errors; nothing else in that range is valid. */
#define MAX_ERRNO	4095

static const char *const event_names[MT_EV_MAX] = {
	[MT_EV_FORK] = "fork",
	[MT_EV_EXEC] = "exec",
	[MT_EV_EXIT] = "exit",
	[MT_EV_MMAP] = "mmap",
	[MT_EV_MUNMAP] = "munmap",
	[MT_EV_BRK] = "brk",
	[MT_EV_MPROTECT] = "mprotect",
	[MT_EV_MREMAP] = "mremap",
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
};

const char *event__name(uint32_t type)
{
	return type < MT_EV_MAX ? event_names[type] : NULL;
}

static const char *const format_names[] = {
	[MT_FMT_TEXT] = "text",
	[MT_FMT_JSON] = "json",
	[MT_FMT_CSV] = "csv",
};

int format__parse(const char *name, enum mt_format *fmt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(format_names); i++) {
		if (!strcmp(name, format_names[i])) {
			*fmt = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *format__name(enum mt_format fmt)
{
	return (size_t)fmt < ARRAY_SIZE(format_names) ? format_names[fmt] : NULL;
}

static uint64_t format__ts(const struct formatter *f, const struct mt_header *h)
{
	/* Events read before t0 was taken would otherwise wrap to 2^64. */
	return h->ts > f->t0 ? h->ts - f->t0 : 0;
}

static const char *syscall__name(uint32_t nr)
{
	switch (nr) {
	case NR_CLONE:
		return "clone";
	case NR_CLONE3:
		return "clone3";
	case NR_FORK:
		return "fork";
	case NR_VFORK:
		return "vfork";
	}
	return NULL;
}

/* The errno name if ret is a failed syscall's -errno, else NULL. */
static const char *ret__error(int64_t ret, char *buf, size_t n)
{
	if (ret < 0 && ret >= -MAX_ERRNO)
		return decode__errno_name(-ret, buf, n);
	return NULL;
}

/*
 * The error of a memory syscall, NULL if it succeeded. *with_addr says
 * whether ret is an address to show (mmap, mremap and brk).
 * brk never returns -errno for a refused request: it returns the break
 * unchanged. Report that as ENOMEM, as glibc's brk() does, with the break
 * still shown. brk(0) is a query and cannot fail.
 */
static const char *mem__error(const struct mt_mem_event *e, char *buf, size_t n,
			      int *with_addr)
{
	const char *err = ret__error(e->ret, buf, n);

	*with_addr = !err;
	if (e->hdr.type == MT_EV_BRK && !err && e->args[0] &&
	    (uint64_t)e->ret != e->args[0])
		err = "ENOMEM";
	return err;
}

static int fork__is_thread(const struct mt_fork_event *e)
{
	return e->child_pid != e->child_tid;
}

/* Exit status fields of task->exit_code, as wait(2) splits them. */
static unsigned int exit__code(uint32_t c)
{
	return (c >> 8) & 0xff;
}

static unsigned int exit__signal(uint32_t c)
{
	return c & 0x7f;
}

static int exit__core(uint32_t c)
{
	return !!(c & 0x80);
}

/* ---- JSON Lines ---- */

/*
 * Keys are written as one literal: K("len") expands to the key's text
 * ",\"len\":" and its length, so no strlen() runs per field.
 */
#define K(name)		",\"" name "\":", sizeof(",\"" name "\":") - 1

static void json__key(struct outbuf *ob, const char *key, size_t klen)
{
	outbuf__put(ob, key, klen);
}

static void json__u64(struct outbuf *ob, const char *key, size_t klen, uint64_t v)
{
	json__key(ob, key, klen);
	outbuf__u64(ob, v);
}

/* Addresses are strings: a JSON number past 2^53 loses precision. */
static void json__hex(struct outbuf *ob, const char *key, size_t klen, uint64_t v)
{
	json__key(ob, key, klen);
	outbuf__putc(ob, '"');
	outbuf__hex(ob, v);
	outbuf__putc(ob, '"');
}

/* s is one of our own ASCII names: nothing to escape. */
static void json__name(struct outbuf *ob, const char *key, size_t klen, const char *s)
{
	json__key(ob, key, klen);
	if (!s) {
		put_lit(ob, "null");
		return;
	}
	outbuf__putc(ob, '"');
	outbuf__puts(ob, s);
	outbuf__putc(ob, '"');
}

static void json__bool(struct outbuf *ob, const char *key, size_t klen, int b)
{
	json__key(ob, key, klen);
	if (b)
		put_lit(ob, "true");
	else
		put_lit(ob, "false");
}

static void json__header(const struct formatter *f, struct outbuf *ob,
			 const struct mt_header *h)
{
	put_lit(ob, "{\"ts\":");
	outbuf__u64(ob, format__ts(f, h));
	put_lit(ob, ",\"event\":\"");
	outbuf__puts(ob, event_names[h->type]);
	put_lit(ob, "\",\"pid\":");
	outbuf__u64(ob, h->pid);
	put_lit(ob, ",\"tid\":");
	outbuf__u64(ob, h->tid);
	put_lit(ob, ",\"comm\":");
	outbuf__json_str(ob, h->comm, MT_COMM_LEN);
	put_lit(ob, ",\"as\":");
	outbuf__u64(ob, h->as);
}

static void json__fork(struct outbuf *ob, const struct mt_fork_event *e)
{
	char flags[512];

	json__u64(ob, K("child_pid"), e->child_pid);
	json__u64(ob, K("child_tid"), e->child_tid);
	json__bool(ob, K("thread"), fork__is_thread(e));
	json__u64(ob, K("child_as"), e->child_as);
	json__bool(ob, K("shared_vm"), e->fork_flags & MT_FORK_SHARED_VM);
	json__name(ob, K("flags"), e->fork_flags & MT_FORK_FLAGS_KNOWN ?
		   decode__clone_flags(e->clone_flags, flags, sizeof(flags)) : NULL);
	json__name(ob, K("syscall"), syscall__name(e->syscall_nr));
}

static void json__exec(struct outbuf *ob, const struct mt_exec_event *e)
{
	char ebuf[32];
	const char *err = ret__error(e->ret, ebuf, sizeof(ebuf));

	json__key(ob, K("filename"));
	outbuf__json_str(ob, e->filename, MT_PATH_LEN);
	json__u64(ob, K("old_as"), e->old_as);
	if (e->old_tid != e->hdr.tid)
		json__u64(ob, K("old_tid"), e->old_tid);
	if (err)
		json__name(ob, K("error"), err);
}

static void json__exit(struct outbuf *ob, const struct mt_exit_event *e)
{
	json__u64(ob, K("code"), exit__code(e->exit_code));
	json__u64(ob, K("signal"), exit__signal(e->exit_code));
	json__bool(ob, K("core"), exit__core(e->exit_code));
	json__bool(ob, K("thread"), !(e->flags & MT_EXIT_GROUP_DEAD));
}

static void json__mem(struct outbuf *ob, const struct mt_mem_event *e)
{
	char names[256], ebuf[16];
	int with_addr;
	const char *err = mem__error(e, ebuf, sizeof(ebuf), &with_addr);

	switch (e->hdr.type) {
	case MT_EV_MMAP:
		if (with_addr)
			json__hex(ob, K("addr"), e->ret);
		json__u64(ob, K("len"), e->args[1]);
		json__name(ob, K("prot"), decode__prot(e->args[2], names, sizeof(names)));
		json__name(ob, K("flags"), decode__mmap_flags(e->args[3], names, sizeof(names)));
		json__key(ob, K("fd"));
		outbuf__i64(ob, (int)e->args[4]);
		json__u64(ob, K("offset"), e->args[5]);
		if (e->args[0])
			json__hex(ob, K("hint"), e->args[0]);
		break;
	case MT_EV_MUNMAP:
		json__hex(ob, K("addr"), e->args[0]);
		json__u64(ob, K("len"), e->args[1]);
		break;
	case MT_EV_MPROTECT:
		json__hex(ob, K("addr"), e->args[0]);
		json__u64(ob, K("len"), e->args[1]);
		json__name(ob, K("prot"), decode__prot(e->args[2], names, sizeof(names)));
		break;
	case MT_EV_BRK:
		json__hex(ob, K("req"), e->args[0]);
		if (with_addr)
			json__hex(ob, K("addr"), e->ret);
		break;
	default:	/* MT_EV_MREMAP */
		if (with_addr)
			json__hex(ob, K("addr"), e->ret);
		json__hex(ob, K("old_addr"), e->args[0]);
		json__u64(ob, K("old_len"), e->args[1]);
		json__u64(ob, K("new_len"), e->args[2]);
		json__name(ob, K("flags"), decode__mremap_flags(e->args[3], names, sizeof(names)));
		if (e->args[3] & MREMAP_FIXED)
			json__hex(ob, K("new_addr"), e->args[4]);
		break;
	}
	if (err)
		json__name(ob, K("error"), err);
}

/* What one line format does with each part of a record (JSON, text). */
struct line_ops {
	void (*header)(const struct formatter *f, struct outbuf *ob, const struct mt_header *h);
	void (*fork)(struct outbuf *ob, const struct mt_fork_event *e);
	void (*exec)(struct outbuf *ob, const struct mt_exec_event *e);
	void (*exit)(struct outbuf *ob, const struct mt_exit_event *e);
	void (*mem)(struct outbuf *ob, const struct mt_mem_event *e);
	const char *end;
};

static void line__event(const struct line_ops *ops, const struct formatter *f,
			struct outbuf *ob, const void *rec)
{
	const struct mt_header *h = rec;

	ops->header(f, ob, h);
	switch (h->type) {
	case MT_EV_FORK:
		ops->fork(ob, rec);
		break;
	case MT_EV_EXEC:
		ops->exec(ob, rec);
		break;
	case MT_EV_EXIT:
		ops->exit(ob, rec);
		break;
	default:
		ops->mem(ob, rec);
		break;
	}
	outbuf__puts(ob, ops->end);
}

static const struct line_ops json_ops = {
	.header = json__header, .fork = json__fork, .exec = json__exec,
	.exit = json__exit, .mem = json__mem, .end = "}\n",
};

/* ---- text ---- */

/* Seconds with 6 decimals, right-aligned in 11 columns. */
static void text__time(struct outbuf *ob, uint64_t ns)
{
	uint64_t us = ns % NSEC_PER_SEC / 1000;
	char frac[6];
	int i;

	for (i = 5; i >= 0; i--, us /= 10)
		frac[i] = '0' + us % 10;
	outbuf__u64_pad(ob, ns / NSEC_PER_SEC, 4);
	outbuf__putc(ob, '.');
	outbuf__put(ob, frac, 6);
}

/* Decoded flags without their MAP_/CLONE_/MREMAP_/PROT_ prefixes. */
static void text__flags(struct outbuf *ob, const char *s)
{
	static const char *const prefixes[] = { "MAP_", "CLONE_", "MREMAP_", "PROT_" };
	size_t i, k;

	while (*s) {
		for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
			k = strlen(prefixes[i]);
			if (!strncmp(s, prefixes[i], k)) {
				s += k;
				break;
			}
		}
		k = strcspn(s, "|");
		outbuf__put(ob, s, k);
		s += k;
		if (*s == '|') {
			outbuf__putc(ob, '|');
			s++;
		}
	}
}

static void text__size(struct outbuf *ob, uint64_t bytes)
{
	char buf[32];

	outbuf__puts(ob, decode__size(bytes, buf, sizeof(buf)));
}

static void text__prot(struct outbuf *ob, uint64_t prot)
{
	char buf[128];

	text__flags(ob, decode__prot(prot, buf, sizeof(buf)));
}

static void text__header(const struct formatter *f, struct outbuf *ob,
			 const struct mt_header *h)
{
	size_t cols;

	text__time(ob, format__ts(f, h));
	outbuf__u64_pad(ob, h->pid, 8);
	outbuf__u64_pad(ob, h->tid, 8);
	outbuf__putc(ob, ' ');
	cols = outbuf__text_str(ob, h->comm, MT_COMM_LEN);
	outbuf__spaces(ob, cols < 16 ? 16 - cols : 0);
	/* Its own space: an escaped comm may overflow its column. */
	outbuf__putc(ob, ' ');
	outbuf__u64_pad(ob, h->as, 4);
	outbuf__putc(ob, ' ');
	outbuf__puts(ob, event_names[h->type]);
	outbuf__spaces(ob, 10 - strlen(event_names[h->type]));
}

static void text__fork(struct outbuf *ob, const struct mt_fork_event *e)
{
	const char *sc = syscall__name(e->syscall_nr);
	int thread = fork__is_thread(e);
	char flags[512];

	if (thread)
		put_lit(ob, "thread ");
	else
		put_lit(ob, "process ");
	outbuf__u64(ob, thread ? e->child_tid : e->child_pid);
	put_lit(ob, " (as ");
	outbuf__u64(ob, e->child_as);
	/* Threads always share; a process sharing its parent's mm is news. */
	if (!thread && (e->fork_flags & MT_FORK_SHARED_VM))
		put_lit(ob, ", shared vm");
	outbuf__putc(ob, ')');
	if (sc) {
		outbuf__putc(ob, ' ');
		outbuf__puts(ob, sc);
	}
	if (e->fork_flags & MT_FORK_FLAGS_KNOWN) {
		outbuf__putc(ob, sc ? '(' : ' ');
		text__flags(ob, decode__clone_flags(e->clone_flags, flags, sizeof(flags)));
		if (sc)
			outbuf__putc(ob, ')');
	}
}

static void text__exec(struct outbuf *ob, const struct mt_exec_event *e)
{
	bool tid_changed = e->old_tid != e->hdr.tid;
	char ebuf[32];
	const char *err = ret__error(e->ret, ebuf, sizeof(ebuf));

	if (err) {
		outbuf__puts(ob, err);
		outbuf__putc(ob, ' ');
		outbuf__text_str(ob, e->filename, MT_PATH_LEN);
		return;
	}
	outbuf__text_str(ob, e->filename, MT_PATH_LEN);
	/* old as 0: the image before was not traced (memtrace's own launcher) */
	if (!e->old_as && !tid_changed)
		return;
	put_lit(ob, " (");
	if (e->old_as) {
		put_lit(ob, "old as ");
		outbuf__u64(ob, e->old_as);
	}
	if (tid_changed) {
		if (e->old_as)
			put_lit(ob, ", ");
		put_lit(ob, "old tid ");
		outbuf__u64(ob, e->old_tid);
	}
	outbuf__putc(ob, ')');
}

static void text__exit(struct outbuf *ob, const struct mt_exit_event *e)
{
	unsigned int sig = exit__signal(e->exit_code);
	const char *name;
	char buf[16];

	if (!(e->flags & MT_EXIT_GROUP_DEAD))
		put_lit(ob, "thread ");
	if (!sig) {
		put_lit(ob, "exit code ");
		outbuf__u64(ob, exit__code(e->exit_code));
		return;
	}
	put_lit(ob, "killed by ");
	name = decode__signal_name(sig, buf, sizeof(buf));
	/* Unknown signals already come back as "SIG42". */
	if (strncmp(name, "SIG", 3))
		put_lit(ob, "SIG");
	outbuf__puts(ob, name);
	if (exit__core(e->exit_code))
		put_lit(ob, " (core dumped)");
}

/* mmap's arguments after the result: "8 KiB rw- PRIVATE|ANONYMOUS". */
static void text__mmap_args(struct outbuf *ob, const struct mt_mem_event *e)
{
	char flags[256];

	text__size(ob, e->args[1]);
	outbuf__putc(ob, ' ');
	text__prot(ob, e->args[2]);
	outbuf__putc(ob, ' ');
	text__flags(ob, decode__mmap_flags(e->args[3], flags, sizeof(flags)));
	if (!(e->args[3] & MAP_ANONYMOUS)) {
		put_lit(ob, " fd ");
		outbuf__i64(ob, (int)e->args[4]);
		put_lit(ob, " off ");
		outbuf__hex(ob, e->args[5]);
	}
	if (e->args[0]) {
		put_lit(ob, " hint ");
		outbuf__hex(ob, e->args[0]);
	}
}

/* "0x7f.. 1 MiB -> [0x7f.. ]2 MiB[ MAYMOVE]"; the target only on failure. */
static void text__mremap_args(struct outbuf *ob, const struct mt_mem_event *e, int ok)
{
	char flags[128];

	outbuf__hex(ob, e->args[0]);
	outbuf__putc(ob, ' ');
	text__size(ob, e->args[1]);
	put_lit(ob, " -> ");
	if (ok) {
		outbuf__hex(ob, e->ret);
		outbuf__putc(ob, ' ');
	} else if (e->args[3] & MREMAP_FIXED) {
		outbuf__hex(ob, e->args[4]);
		outbuf__putc(ob, ' ');
	}
	text__size(ob, e->args[2]);
	if (e->args[3]) {
		outbuf__putc(ob, ' ');
		text__flags(ob, decode__mremap_flags(e->args[3], flags, sizeof(flags)));
	}
}

/*
 * Success shows the result first; failure shows "ENOMEM (" the arguments
 * ")" so the error name stands where the address would be.
 */
static void text__mem(struct outbuf *ob, const struct mt_mem_event *e)
{
	char ebuf[16];
	int with_addr;
	const char *err = mem__error(e, ebuf, sizeof(ebuf), &with_addr);

	if (err) {
		outbuf__puts(ob, err);
		put_lit(ob, " (");
	}
	switch (e->hdr.type) {
	case MT_EV_MMAP:
		if (with_addr) {
			outbuf__hex(ob, e->ret);
			outbuf__putc(ob, ' ');
		}
		text__mmap_args(ob, e);
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		outbuf__hex(ob, e->args[0]);
		outbuf__putc(ob, ' ');
		text__size(ob, e->args[1]);
		if (e->hdr.type == MT_EV_MPROTECT) {
			outbuf__putc(ob, ' ');
			text__prot(ob, e->args[2]);
		}
		break;
	case MT_EV_BRK:
		if (!e->args[0]) {
			put_lit(ob, "query");
		} else {
			put_lit(ob, "req ");
			outbuf__hex(ob, e->args[0]);
		}
		if (with_addr) {
			put_lit(ob, " -> ");
			outbuf__hex(ob, e->ret);
		}
		break;
	default:	/* MT_EV_MREMAP */
		text__mremap_args(ob, e, with_addr);
		break;
	}
	if (err)
		outbuf__putc(ob, ')');
}

static const struct line_ops text_ops = {
	.header = text__header, .fork = text__fork, .exec = text__exec,
	.exit = text__exit, .mem = text__mem, .end = "\n",
};

/* ---- CSV ---- */

/* The CSV columns, in order; the header row is these names. */
#define CSV_COLUMNS(X)							\
	X(TS, ts) X(EVENT, event) X(PID, pid) X(TID, tid) X(COMM, comm)	\
	X(AS, as) X(ADDR, addr) X(LEN, len) X(PROT, prot) X(FLAGS, flags)	\
	X(FD, fd) X(OFFSET, offset) X(HINT, hint) X(REQ, req)		\
	X(OLD_ADDR, old_addr) X(OLD_LEN, old_len) X(NEW_LEN, new_len)	\
	X(NEW_ADDR, new_addr) X(CHILD_PID, child_pid)			\
	X(CHILD_TID, child_tid) X(CHILD_AS, child_as) X(THREAD, thread)	\
	X(SHARED_VM, shared_vm) X(SYSCALL, syscall) X(FILENAME, filename)	\
	X(OLD_TID, old_tid) X(OLD_AS, old_as) X(CODE, code)		\
	X(SIGNAL, signal) X(CORE, core) X(ERROR, error)

#define CSV_ENUM(id, name)	CSV_##id,
#define CSV_NAME(id, name)	#name,
enum csv_col { CSV_COLUMNS(CSV_ENUM) CSV_NCOLS };
static const char *const csv_names[] = { CSV_COLUMNS(CSV_NAME) };

/* A row being written: col is the column the next value lands in. */
struct csv_row {
	struct outbuf *ob;
	int col;
};

/* Moves to column col, leaving the columns skipped empty. */
static struct outbuf *csv__at(struct csv_row *r, enum csv_col col)
{
	for (; r->col < (int)col; r->col++)
		outbuf__putc(r->ob, ',');
	return r->ob;
}

static void csv__u64(struct csv_row *r, enum csv_col col, uint64_t v)
{
	outbuf__u64(csv__at(r, col), v);
}

static void csv__hex(struct csv_row *r, enum csv_col col, uint64_t v)
{
	outbuf__hex(csv__at(r, col), v);
}

/* Our own names: never a comma, quote or control character. */
static void csv__name(struct csv_row *r, enum csv_col col, const char *s)
{
	if (s)
		outbuf__puts(csv__at(r, col), s);
}

static void csv__bool(struct csv_row *r, enum csv_col col, int b)
{
	outbuf__putc(csv__at(r, col), b ? '1' : '0');
}

static void csv__mem(struct csv_row *r, const struct mt_mem_event *e)
{
	char names[256], ebuf[16];
	int with_addr;
	const char *err = mem__error(e, ebuf, sizeof(ebuf), &with_addr);

	switch (e->hdr.type) {
	case MT_EV_MMAP:
		if (with_addr)
			csv__hex(r, CSV_ADDR, e->ret);
		csv__u64(r, CSV_LEN, e->args[1]);
		csv__name(r, CSV_PROT, decode__prot(e->args[2], names, sizeof(names)));
		csv__name(r, CSV_FLAGS, decode__mmap_flags(e->args[3], names, sizeof(names)));
		outbuf__i64(csv__at(r, CSV_FD), (int)e->args[4]);
		csv__u64(r, CSV_OFFSET, e->args[5]);
		if (e->args[0])
			csv__hex(r, CSV_HINT, e->args[0]);
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		csv__hex(r, CSV_ADDR, e->args[0]);
		csv__u64(r, CSV_LEN, e->args[1]);
		if (e->hdr.type == MT_EV_MPROTECT)
			csv__name(r, CSV_PROT, decode__prot(e->args[2], names, sizeof(names)));
		break;
	case MT_EV_BRK:
		if (with_addr)
			csv__hex(r, CSV_ADDR, e->ret);
		csv__hex(r, CSV_REQ, e->args[0]);
		break;
	default:	/* MT_EV_MREMAP */
		if (with_addr)
			csv__hex(r, CSV_ADDR, e->ret);
		csv__name(r, CSV_FLAGS, decode__mremap_flags(e->args[3], names, sizeof(names)));
		csv__hex(r, CSV_OLD_ADDR, e->args[0]);
		csv__u64(r, CSV_OLD_LEN, e->args[1]);
		csv__u64(r, CSV_NEW_LEN, e->args[2]);
		if (e->args[3] & MREMAP_FIXED)
			csv__hex(r, CSV_NEW_ADDR, e->args[4]);
		break;
	}
	csv__name(r, CSV_ERROR, err);
}

static void csv__event(const struct formatter *f, struct outbuf *ob, const void *rec)
{
	const struct mt_header *h = rec;
	const struct mt_fork_event *fk = rec;
	const struct mt_exec_event *ex = rec;
	const struct mt_exit_event *ev = rec;
	struct csv_row r = { .ob = ob, .col = 0 };
	char flags[512];

	csv__u64(&r, CSV_TS, format__ts(f, h));
	csv__name(&r, CSV_EVENT, event_names[h->type]);
	csv__u64(&r, CSV_PID, h->pid);
	csv__u64(&r, CSV_TID, h->tid);
	outbuf__csv_str(csv__at(&r, CSV_COMM), h->comm, MT_COMM_LEN);
	csv__u64(&r, CSV_AS, h->as);
	switch (h->type) {
	case MT_EV_FORK:
		if (fk->fork_flags & MT_FORK_FLAGS_KNOWN)
			csv__name(&r, CSV_FLAGS, decode__clone_flags(fk->clone_flags,
								     flags, sizeof(flags)));
		csv__u64(&r, CSV_CHILD_PID, fk->child_pid);
		csv__u64(&r, CSV_CHILD_TID, fk->child_tid);
		csv__u64(&r, CSV_CHILD_AS, fk->child_as);
		csv__bool(&r, CSV_THREAD, fork__is_thread(fk));
		csv__bool(&r, CSV_SHARED_VM, fk->fork_flags & MT_FORK_SHARED_VM);
		csv__name(&r, CSV_SYSCALL, syscall__name(fk->syscall_nr));
		break;
	case MT_EV_EXEC:
		outbuf__csv_str(csv__at(&r, CSV_FILENAME), ex->filename, MT_PATH_LEN);
		if (ex->old_tid != h->tid)
			csv__u64(&r, CSV_OLD_TID, ex->old_tid);
		csv__u64(&r, CSV_OLD_AS, ex->old_as);
		csv__name(&r, CSV_ERROR, ret__error(ex->ret, flags, sizeof(flags)));
		break;
	case MT_EV_EXIT:
		csv__bool(&r, CSV_THREAD, !(ev->flags & MT_EXIT_GROUP_DEAD));
		csv__u64(&r, CSV_CODE, exit__code(ev->exit_code));
		csv__u64(&r, CSV_SIGNAL, exit__signal(ev->exit_code));
		csv__bool(&r, CSV_CORE, exit__core(ev->exit_code));
		break;
	default:
		csv__mem(&r, rec);
		break;
	}
	csv__at(&r, CSV_NCOLS - 1);
	outbuf__putc(ob, '\n');
}

/* ---- entry points ---- */

int format__event(const struct formatter *f, struct outbuf *ob, const void *rec, size_t size)
{
	const struct mt_header *h = rec;

	if (size < sizeof(*h) || h->type >= MT_EV_MAX || !event_names[h->type] ||
	    size < record_sizes[h->type])
		return -EINVAL;
	switch (f->fmt) {
	case MT_FMT_JSON:
		line__event(&json_ops, f, ob, rec);
		break;
	case MT_FMT_CSV:
		csv__event(f, ob, rec);
		break;
	default:
		line__event(&text_ops, f, ob, rec);
		break;
	}
	return 0;
}

static void json__str_or_null(struct outbuf *ob, const char *key, size_t klen, const char *s)
{
	json__key(ob, key, klen);
	if (s)
		outbuf__json_str(ob, s, SIZE_MAX);
	else
		put_lit(ob, "null");
}

/* "2026-11-25T18:56:07.123456789Z" */
static void json__wall_time(struct outbuf *ob, const char *key, size_t klen, int64_t ns)
{
	int64_t sec = ns / (int64_t)NSEC_PER_SEC, nsec = ns % (int64_t)NSEC_PER_SEC;
	char buf[64], frac[16];
	time_t t;
	struct tm tm;

	if (nsec < 0) {
		nsec += NSEC_PER_SEC;
		sec--;
	}
	t = sec;
	json__key(ob, key, klen);
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm)) {
		put_lit(ob, "null");
		return;
	}
	snprintf(frac, sizeof(frac), ".%09lldZ", (long long)nsec);
	outbuf__putc(ob, '"');
	outbuf__puts(ob, buf);
	outbuf__puts(ob, frac);
	outbuf__putc(ob, '"');
}

void format__start(const struct formatter *f, struct outbuf *ob, const struct trace_start *st)
{
	size_t i;

	switch (f->fmt) {
	case MT_FMT_JSON:
		put_lit(ob, "{\"event\":\"start\",\"schema\":");
		outbuf__u64(ob, MT_SCHEMA_VERSION);
		json__str_or_null(ob, K("version"), st->version);
		json__str_or_null(ob, K("command"), st->command);
		json__str_or_null(ob, K("target"), st->target);
		json__u64(ob, K("root_pid"), st->root_pid);
		json__str_or_null(ob, K("kernel"), st->kernel_release);
		json__str_or_null(ob, K("hostname"), st->hostname);
		json__str_or_null(ob, K("boot_id"), st->boot_id);
		json__wall_time(ob, K("wall_start"), st->wall_start_ns);
		json__key(ob, K("wall_start_ns"));
		outbuf__i64(ob, st->wall_start_ns);
		put_lit(ob, ",\"ts\":0}\n");
		break;
	case MT_FMT_CSV:
		for (i = 0; i < CSV_NCOLS; i++) {
			if (i)
				outbuf__putc(ob, ',');
			outbuf__puts(ob, csv_names[i]);
		}
		outbuf__putc(ob, '\n');
		break;
	default:
		put_lit(ob, "    TIME(s)     PID     TID COMM               AS EVENT     DETAILS\n");
		break;
	}
}

static uint64_t counts__total(const uint64_t *v)
{
	uint64_t sum = 0;
	int i;

	/* All 16 slots: a count the BPF side keeps under no name still counts. */
	for (i = 0; i < MT_COUNT_SLOTS; i++)
		sum += v[i];
	return sum;
}

static void json__counts(struct outbuf *ob, const char *key, size_t klen, const uint64_t *v)
{
	int t;

	json__key(ob, key, klen);
	for (t = MT_EV_NONE + 1; t < MT_EV_MAX; t++) {
		outbuf__putc(ob, t == MT_EV_NONE + 1 ? '{' : ',');
		outbuf__putc(ob, '"');
		outbuf__puts(ob, event_names[t]);
		put_lit(ob, "\":");
		outbuf__u64(ob, v[t]);
	}
	outbuf__putc(ob, '}');
}

/* "bpf_cost":{"sys_exit":{"runs":N,"ns":T},...}: hooks are our own names, no escaping */
static void json__cost(struct outbuf *ob, const struct trace_summary *sum)
{
	size_t i;

	json__key(ob, K("bpf_cost"));
	outbuf__putc(ob, '{');
	for (i = 0; i < sum->ncost; i++) {
		if (i)
			outbuf__putc(ob, ',');
		outbuf__putc(ob, '"');
		outbuf__puts(ob, sum->cost[i].hook);
		put_lit(ob, "\":{\"runs\":");
		outbuf__u64(ob, sum->cost[i].runs);
		put_lit(ob, ",\"ns\":");
		outbuf__u64(ob, sum->cost[i].ns);
		outbuf__putc(ob, '}');
	}
	outbuf__putc(ob, '}');
}

void format__summary(const struct formatter *f, struct outbuf *ob, const struct trace_summary *sum)
{
	if (f->fmt != MT_FMT_JSON)
		return;
	put_lit(ob, "{\"event\":\"summary\",\"ts\":");
	outbuf__u64(ob, sum->duration_ns);
	json__u64(ob, K("duration_ns"), sum->duration_ns);
	json__counts(ob, K("events"), sum->events);
	json__u64(ob, K("lost"), counts__total(sum->lost) + sum->missed);
	json__counts(ob, K("lost_by_type"), sum->lost);
	json__u64(ob, K("missed"), sum->missed);
	if (sum->ncost)
		json__cost(ob, sum);
	json__key(ob, K("exit_status"));
	if (sum->exit_status < 0)
		put_lit(ob, "null");
	else
		outbuf__i64(ob, sum->exit_status);
	put_lit(ob, "}\n");
}

void summary__print(FILE *out, const struct trace_summary *sum)
{
	uint64_t lost = counts__total(sum->lost) + sum->missed;
	const char *sep = "";
	int t;

	fprintf(out, "memtrace: %llu events in %.2f s (",
		(unsigned long long)counts__total(sum->events),
		(double)sum->duration_ns / NSEC_PER_SEC);
	for (t = MT_EV_NONE + 1; t < MT_EV_MAX; t++) {
		fprintf(out, "%s%s %llu", sep, event_names[t],
			(unsigned long long)sum->events[t]);
		sep = ", ";
	}
	fprintf(out, "); %llu lost", (unsigned long long)lost);
	if (sum->unwritten)
		fprintf(out, "; written %llu of %llu (the output failed)",
			(unsigned long long)(counts__total(sum->events) - sum->unwritten),
			(unsigned long long)counts__total(sum->events));
	fputc('\n', out);
	summary__print_cost(out, sum);
	summary__print_lost(out, sum);
}

void summary__print_cost(FILE *out, const struct trace_summary *sum)
{
	uint64_t total = 0;
	size_t i;

	if (!sum->ncost)
		return;
	fprintf(out, "memtrace: kernel time of its BPF programs (runs by every process):\n");
	for (i = 0; i < sum->ncost; i++) {
		fprintf(out, "memtrace:   %-20s %12llu runs %8.0f ns each %10.3f ms\n",
			sum->cost[i].hook, (unsigned long long)sum->cost[i].runs,
			(double)sum->cost[i].ns / sum->cost[i].runs,
			(double)sum->cost[i].ns / 1e6);
		total += sum->cost[i].ns;
	}
	fprintf(out, "memtrace:   %-20s %34s %10.3f ms\n", "total", "", (double)total / 1e6);
}

void summary__print_lost(FILE *out, const struct trace_summary *sum)
{
	uint64_t lost = counts__total(sum->lost);
	const char *sep;
	int t;

	if (sum->missed)
		fprintf(out, "memtrace: warning: %llu events were missed: a BPF program was preempted and ran again on the same CPU (the kernel skips such runs); the trace is incomplete\n",
			(unsigned long long)sum->missed);
	if (!lost)
		return;
	fprintf(out, "memtrace: warning: %llu events were lost because the ring buffer was full (",
		(unsigned long long)lost);
	sep = "";
	for (t = 0; t < MT_COUNT_SLOTS; t++) {
		if (!sum->lost[t])
			continue;
		if (t > MT_EV_NONE && t < MT_EV_MAX)
			fprintf(out, "%s%s %llu", sep, event_names[t],
				(unsigned long long)sum->lost[t]);
		else
			fprintf(out, "%stype %d %llu", sep, t,
				(unsigned long long)sum->lost[t]);
		sep = ", ";
	}
	fprintf(out, "); the trace is incomplete: raise --buffer-size\n");
}
