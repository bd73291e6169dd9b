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
#include "event.h"
#include "format.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* A string literal without strlen() at run time. */
#define put_lit(ob, s)	outbuf__put(ob, s, sizeof(s) - 1)

#define NSEC_PER_SEC	1000000000ULL

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
/* mremap's new_addr counts with these (mm/mremap.c: DONTUNMAP takes it as a hint) */
#define MREMAP_TARGET	(MREMAP_FIXED | MREMAP_DONTUNMAP)

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

/* The event's errno name, NULL if it succeeded. */
static const char *event__error(const struct mt_event *ev, char *buf, size_t n)
{
	return ev->error ? decode__errno_name(ev->error, buf, n) : NULL;
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

/*
 * Addresses are strings: a JSON number past 2^53 loses precision. Written
 * in place with their quotes, into room reserved once (outbuf__hex_at):
 * every event has several (docs/performance.md, seventh session).
 */
static void json__hex(struct outbuf *ob, const char *key, size_t klen, uint64_t v)
{
	char *o;

	json__key(ob, key, klen);
	o = outbuf__reserve(ob, OUTBUF_HEX_MAX + 2);
	if (!o)
		return;
	*o++ = '"';
	o = outbuf__hex_at(o, v);
	*o++ = '"';
	ob->len = o - ob->buf;
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

/*
 * decode__prot's name for the PROT_READ/WRITE/EXEC combinations, quoted:
 * nearly every prot is one, and this spares decode__prot's string
 * building (a strlen and a copy per flag) on the per-event path.
 */
static const char rwx_names[8][sizeof("\"rwx\"")] = {
	"\"---\"", "\"r--\"", "\"-w-\"", "\"rw-\"", "\"--x\"", "\"r-x\"", "\"-wx\"", "\"rwx\"",
};

_Static_assert(PROT_READ == 1 && PROT_WRITE == 2 && PROT_EXEC == 4, "rwx_names is indexed by prot");

static void json__prot(struct outbuf *ob, uint64_t prot)
{
	char buf[256];

	if (prot <= (PROT_READ | PROT_WRITE | PROT_EXEC)) {
		json__key(ob, K("prot"));
		outbuf__put(ob, rwx_names[prot], sizeof(rwx_names[prot]) - 1);
		return;
	}
	json__name(ob, K("prot"), decode__prot(prot, buf, sizeof(buf)));
}

static void json__bool(struct outbuf *ob, const char *key, size_t klen, int b)
{
	json__key(ob, key, klen);
	if (b)
		put_lit(ob, "true");
	else
		put_lit(ob, "false");
}

static void json__header(struct outbuf *ob, const struct mt_event *ev)
{
	put_lit(ob, "{\"ts\":");
	outbuf__u64(ob, ev->ts);
	put_lit(ob, ",\"event\":\"");
	outbuf__put(ob, event__name(ev->type), event__name_len(ev->type));
	put_lit(ob, "\",\"pid\":");
	outbuf__u64(ob, ev->pid);
	put_lit(ob, ",\"tid\":");
	outbuf__u64(ob, ev->tid);
	put_lit(ob, ",\"comm\":");
	outbuf__json_str(ob, ev->comm.s, ev->comm.max);
	put_lit(ob, ",\"as\":");
	outbuf__u64(ob, ev->as);
}

static void json__fork(struct outbuf *ob, const struct mt_event *ev)
{
	const struct mt_fork *e = &ev->fork;
	char flags[512];

	/* a failed creation has no child: only what was asked for */
	if (!ev->error)
		json__u64(ob, K("child_pid"), e->child_pid);
	if (!ev->error)
		json__u64(ob, K("child_tid"), e->child_tid);
	json__bool(ob, K("thread"), e->thread);
	if (!ev->error)
		json__u64(ob, K("child_as"), e->child_as);
	json__bool(ob, K("shared_vm"), e->shared_vm);
	json__name(ob, K("flags"), e->flags_known ?
		   decode__clone_flags(e->clone_flags, e->exit_signal, flags, sizeof(flags)) :
		   NULL);
	json__key(ob, K("exit_signal"));
	if (e->flags_known)
		outbuf__u64(ob, e->exit_signal);
	else
		put_lit(ob, "null");
	json__name(ob, K("syscall"), event__syscall_name(e->syscall_nr));
}

/* Calls fn for each argument of argv (NUL-separated, the last maybe cut). */
static void argv__each(const struct mt_exec *e, void (*fn)(struct outbuf *, const char *,
							   size_t, size_t), struct outbuf *ob)
{
	const char *p = e->argv, *end = e->argv + e->argv_len, *nul;
	size_t i = 0;

	while (p < end) {
		nul = memchr(p, '\0', end - p);
		fn(ob, p, (nul ? nul : end) - p, i++);
		p = nul ? nul + 1 : end;
	}
}

static void json__arg(struct outbuf *ob, const char *s, size_t k, size_t i)
{
	if (i)
		outbuf__putc(ob, ',');
	outbuf__json_str(ob, s, k);
}

/* "argv":["cc1","-quiet","x.c"] and "argv_truncated":true when cut */
static void json__argv(struct outbuf *ob, const struct mt_exec *e)
{
	json__key(ob, K("argv"));
	outbuf__putc(ob, '[');
	argv__each(e, json__arg, ob);
	outbuf__putc(ob, ']');
	if (e->argv_truncated)
		json__bool(ob, K("argv_truncated"), true);
}

static void json__exec(struct outbuf *ob, const struct mt_event *ev)
{
	json__key(ob, K("filename"));
	outbuf__json_str(ob, ev->exec.filename.s, ev->exec.filename.max);
	if (ev->exec.truncated)
		json__bool(ob, K("filename_truncated"), true);
	json__u64(ob, K("old_as"), ev->exec.old_as);
	if (ev->exec.old_tid != ev->tid)
		json__u64(ob, K("old_tid"), ev->exec.old_tid);
	if (ev->exec.has_argv)
		json__argv(ob, &ev->exec);
}

static void json__exit(struct outbuf *ob, const struct mt_event *ev)
{
	json__u64(ob, K("code"), ev->exit.code);
	json__u64(ob, K("signal"), ev->exit.signal);
	json__bool(ob, K("core"), ev->exit.core);
	json__bool(ob, K("thread"), ev->exit.thread);
}

/* issue 10: "fe:00", as /proc/PID/maps prints a device (show_map_vma) */
static const char *vma__dev(const struct mt_vma_ev *v, char *buf, size_t n)
{
	snprintf(buf, n, "%02x:%02x", v->dev_major, v->dev_minor);
	return buf;
}

static const char *vma__origin(const struct mt_vma_ev *v)
{
	return v->origin == MT_VMA_ORIGIN_ATTACH ? "attach" : "exec";
}

static void json__vma(struct outbuf *ob, const struct mt_vma_ev *v)
{
	char buf[32];

	json__name(ob, K("origin"), vma__origin(v));
	json__hex(ob, K("start"), v->start);
	json__hex(ob, K("end"), v->end);
	json__prot(ob, v->prot);
	json__bool(ob, K("shared"), v->shared);
	json__u64(ob, K("offset"), v->offset);
	json__name(ob, K("dev"), vma__dev(v, buf, sizeof(buf)));
	json__u64(ob, K("inode"), v->inode);
	if (!v->name.max)
		return;
	if (v->file)
		json__key(ob, K("path"));
	else
		json__key(ob, K("name"));
	outbuf__json_str(ob, v->name.s, v->name.max);
	if (v->file && v->name_truncated)
		json__bool(ob, K("path_truncated"), true);
}

static void json__mem(struct outbuf *ob, const struct mt_event *ev)
{
	char names[256];

	switch (ev->type) {
	case MT_EV_MMAP:
		if (ev->has_addr)
			json__hex(ob, K("addr"), ev->mmap.addr);
		json__u64(ob, K("len"), ev->mmap.len);
		json__prot(ob, ev->mmap.prot);
		json__name(ob, K("flags"), decode__mmap_flags(ev->mmap.flags, names, sizeof(names)));
		json__key(ob, K("fd"));
		outbuf__i64(ob, ev->mmap.fd);
		json__u64(ob, K("offset"), ev->mmap.offset);
		if (ev->mmap.hint)
			json__hex(ob, K("hint"), ev->mmap.hint);
		if (ev->mmap.has_path) {
			json__key(ob, K("path"));
			outbuf__json_str(ob, ev->mmap.path.s, ev->mmap.path.max);
			if (ev->mmap.path_truncated)
				json__bool(ob, K("path_truncated"), true);
		}
		break;
	case MT_EV_MUNMAP:
		json__hex(ob, K("addr"), ev->range.addr);
		json__u64(ob, K("len"), ev->range.len);
		break;
	case MT_EV_MPROTECT:
		json__hex(ob, K("addr"), ev->range.addr);
		json__u64(ob, K("len"), ev->range.len);
		json__prot(ob, ev->range.prot);
		if (ev->range.has_pkey) {
			json__key(ob, K("pkey"));
			outbuf__i64(ob, ev->range.pkey);
		}
		break;
	/* issue 10 */
	case MT_EV_MADVISE:
		json__hex(ob, K("addr"), ev->madvise.addr);
		json__u64(ob, K("len"), ev->madvise.len);
		json__key(ob, K("advice"));
		outbuf__json_str(ob, decode__madvise(ev->madvise.advice, names, sizeof(names)),
				 SIZE_MAX);
		break;
	case MT_EV_SHMAT:
		if (ev->has_addr)
			json__hex(ob, K("addr"), ev->shm.addr);
		if (ev->shm.len)
			json__u64(ob, K("len"), ev->shm.len);
		json__key(ob, K("shmid"));
		outbuf__i64(ob, ev->shm.shmid);
		json__name(ob, K("flags"), decode__shm_flags(ev->shm.flags, names, sizeof(names)));
		if (ev->shm.shmaddr)
			json__hex(ob, K("hint"), ev->shm.shmaddr);
		break;
	case MT_EV_SHMDT:
		json__hex(ob, K("addr"), ev->shm.addr);
		if (ev->shm.len)
			json__u64(ob, K("len"), ev->shm.len);
		break;
	case MT_EV_VMA_NAME:
		json__hex(ob, K("addr"), ev->vma_name.addr);
		json__u64(ob, K("len"), ev->vma_name.len);
		json__key(ob, K("name"));
		if (ev->vma_name.cleared)
			put_lit(ob, "null");
		else
			outbuf__json_str(ob, ev->vma_name.name.s, ev->vma_name.name.max);
		break;
	case MT_EV_VMA:
		json__vma(ob, &ev->vma);
		break;
	case MT_EV_BRK:
		json__hex(ob, K("req"), ev->brk.req);
		if (ev->has_addr)
			json__hex(ob, K("addr"), ev->brk.addr);
		break;
	default:	/* MT_EV_MREMAP */
		if (ev->has_addr)
			json__hex(ob, K("addr"), ev->mremap.addr);
		json__hex(ob, K("old_addr"), ev->mremap.old_addr);
		json__u64(ob, K("old_len"), ev->mremap.old_len);
		json__u64(ob, K("new_len"), ev->mremap.new_len);
		json__name(ob, K("flags"), decode__mremap_flags(ev->mremap.flags, names, sizeof(names)));
		if (ev->mremap.flags & MREMAP_TARGET)
			json__hex(ob, K("new_addr"), ev->mremap.new_addr);
		break;
	}
}

static void json__error(struct outbuf *ob, const struct mt_event *ev)
{
	char ebuf[32];

	if (ev->error)
		json__name(ob, K("error"), event__error(ev, ebuf, sizeof(ebuf)));
}

/* ---- issue 11: faults, fault, rss, as_end in JSON ---- */

/* ,"anon":N,...,"total":N; open: '{' before the first key instead of ',' */
static void json__fault_counts(struct outbuf *ob, const struct mt_fault_counts *c, char open)
{
	int i;

	for (i = 0; i < MT_FAULT_NCLASS; i++) {
		outbuf__putc(ob, i ? ',' : open);
		outbuf__putc(ob, '"');
		outbuf__puts(ob, event__fault_class_name(i));
		put_lit(ob, "\":");
		outbuf__u64(ob, c->n[i]);
	}
	json__u64(ob, K("total"), c->total);
}

static void json__mem11(struct outbuf *ob, const struct mt_event *ev)
{
	const struct mt_rss_bytes *b;

	switch (ev->type) {
	case MT_EV_FAULTS:
		json__hex(ob, K("start"), ev->faults.start);
		json__hex(ob, K("end"), ev->faults.end);
		json__key(ob, K("region"));
		outbuf__json_str(ob, ev->faults.name.s, ev->faults.name.max);
		json__name(ob, K("kind"), event__region_kind_name(ev->faults.kind));
		json__name(ob, K("reason"), event__faults_reason_name(ev->faults.reason));
		json__fault_counts(ob, &ev->faults.counts, ',');
		break;
	case MT_EV_FAULT:
		json__hex(ob, K("addr"), ev->fault.addr);
		json__hex(ob, K("ip"), ev->fault.ip);
		json__name(ob, K("class"), event__fault_class_name(ev->fault.class));
		json__bool(ob, K("write"), ev->fault.write);
		json__bool(ob, K("kernel"), ev->fault.kernel);
		json__bool(ob, K("present"), ev->fault.present);
		json__hex(ob, K("start"), ev->fault.start);
		json__hex(ob, K("end"), ev->fault.end);
		break;
	case MT_EV_RSS:
		b = &ev->rss.rss;
		json__u64(ob, K("anon"), b->anon);
		json__u64(ob, K("file"), b->file);
		json__u64(ob, K("shmem"), b->shmem);
		json__u64(ob, K("swap"), b->swap);
		json__u64(ob, K("total"), b->total);
		json__u64(ob, K("peak"), ev->rss.peak);
		break;
	default:	/* MT_EV_AS_END */
		b = &ev->as_end.last;
		json__u64(ob, K("rss_peak"), ev->as_end.rss_peak);
		json__u64(ob, K("rss_anon"), b->anon);
		json__u64(ob, K("rss_file"), b->file);
		json__u64(ob, K("rss_shmem"), b->shmem);
		json__u64(ob, K("rss_swap"), b->swap);
		json__u64(ob, K("rss_total"), b->total);
		json__key(ob, K("faults"));
		json__fault_counts(ob, &ev->as_end.faults, '{');
		outbuf__putc(ob, '}');
		break;
	}
}

/* ---- end of issue 11 ---- */

/* What one line format does with each part of an event (JSON, text). */
struct line_ops {
	void (*header)(struct outbuf *ob, const struct mt_event *ev);
	void (*fork)(struct outbuf *ob, const struct mt_event *ev);
	void (*exec)(struct outbuf *ob, const struct mt_event *ev);
	void (*exit)(struct outbuf *ob, const struct mt_event *ev);
	void (*mem)(struct outbuf *ob, const struct mt_event *ev);
	void (*error)(struct outbuf *ob, const struct mt_event *ev);
	void (*mem11)(struct outbuf *ob, const struct mt_event *ev);	/* issue 11 */
	const char *end;
	size_t end_len;
};

#define LINE_END(s)	.end = s, .end_len = sizeof(s) - 1

static void line__event(const struct line_ops *ops, struct outbuf *ob,
			const struct mt_event *ev)
{
	ops->header(ob, ev);
	switch (ev->type) {
	case MT_EV_FORK:
		ops->fork(ob, ev);
		break;
	case MT_EV_EXEC:
		ops->exec(ob, ev);
		break;
	case MT_EV_EXIT:
		ops->exit(ob, ev);
		break;
	case MT_EV_FAULTS:	/* issue 11 */
	case MT_EV_FAULT:
	case MT_EV_RSS:
	case MT_EV_AS_END:
		ops->mem11(ob, ev);
		break;
	default:
		ops->mem(ob, ev);
		break;
	}
	if (ops->error)
		ops->error(ob, ev);
	outbuf__put(ob, ops->end, ops->end_len);
}

static const struct line_ops json_ops = {
	.header = json__header, .fork = json__fork, .exec = json__exec,
	.exit = json__exit, .mem = json__mem, .error = json__error,
	.mem11 = json__mem11, LINE_END("}\n"),
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

/* The EVENT column is 10 wide; a longer name still gets one space after it. */
#define TEXT_EVENT_COLS	10

static void text__header(struct outbuf *ob, const struct mt_event *ev)
{
	const char *name = event__name(ev->type);
	size_t cols, k = strlen(name);

	text__time(ob, ev->ts);
	outbuf__u64_pad(ob, ev->pid, 8);
	outbuf__u64_pad(ob, ev->tid, 8);
	outbuf__putc(ob, ' ');
	cols = outbuf__text_str(ob, ev->comm.s, ev->comm.max);
	outbuf__spaces(ob, cols < 16 ? 16 - cols : 0);
	/* Its own space: an escaped comm may overflow its column. */
	outbuf__putc(ob, ' ');
	outbuf__u64_pad(ob, ev->as, 4);
	outbuf__putc(ob, ' ');
	outbuf__put(ob, name, k);
	outbuf__spaces(ob, k < TEXT_EVENT_COLS ? TEXT_EVENT_COLS - k : 1);
}

static void text__fork(struct outbuf *ob, const struct mt_event *ev)
{
	const struct mt_fork *e = &ev->fork;
	const char *sc = event__syscall_name(e->syscall_nr);
	char flags[512];

	/* failed: "EINVAL clone(SIGHAND)", the error where the child would be */
	if (ev->error) {
		outbuf__puts(ob, event__error(ev, flags, sizeof(flags)));
		if (sc) {
			outbuf__putc(ob, ' ');
			outbuf__puts(ob, sc);
		}
		if (e->flags_known) {
			outbuf__putc(ob, sc ? '(' : ' ');
			text__flags(ob, decode__clone_flags(e->clone_flags, e->exit_signal,
							    flags, sizeof(flags)));
			if (sc)
				outbuf__putc(ob, ')');
		}
		return;
	}
	if (e->thread)
		put_lit(ob, "thread ");
	else
		put_lit(ob, "process ");
	outbuf__u64(ob, e->thread ? e->child_tid : e->child_pid);
	put_lit(ob, " (as ");
	outbuf__u64(ob, e->child_as);
	/* Threads always share; a process sharing its parent's mm is news. */
	if (!e->thread && e->shared_vm)
		put_lit(ob, ", shared vm");
	outbuf__putc(ob, ')');
	if (sc) {
		outbuf__putc(ob, ' ');
		outbuf__puts(ob, sc);
	}
	if (e->flags_known) {
		outbuf__putc(ob, sc ? '(' : ' ');
		text__flags(ob, decode__clone_flags(e->clone_flags, e->exit_signal, flags,
						    sizeof(flags)));
		if (sc)
			outbuf__putc(ob, ')');
	}
}

static void text__arg(struct outbuf *ob, const char *s, size_t k, size_t i)
{
	if (i)
		outbuf__putc(ob, ' ');
	outbuf__text_str(ob, s, k);
}

static void text__exec(struct outbuf *ob, const struct mt_event *ev)
{
	const struct mt_exec *e = &ev->exec;
	bool tid_changed = e->old_tid != ev->tid;
	char ebuf[32];

	if (ev->error) {
		outbuf__puts(ob, event__error(ev, ebuf, sizeof(ebuf)));
		outbuf__putc(ob, ' ');
		outbuf__text_str(ob, e->filename.s, e->filename.max);
		if (e->truncated)
			put_lit(ob, "...");
		return;
	}
	outbuf__text_str(ob, e->filename.s, e->filename.max);
	if (e->truncated)
		put_lit(ob, "...");
	if (e->has_argv) {
		put_lit(ob, " [");
		argv__each(e, text__arg, ob);
		if (e->argv_truncated)
			put_lit(ob, " ...");
		outbuf__putc(ob, ']');
	}
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

static void text__exit(struct outbuf *ob, const struct mt_event *ev)
{
	const char *name;
	char buf[16];

	if (ev->exit.thread)
		put_lit(ob, "thread ");
	if (!ev->exit.signal) {
		put_lit(ob, "exit code ");
		outbuf__u64(ob, ev->exit.code);
		return;
	}
	put_lit(ob, "killed by ");
	name = decode__signal_name(ev->exit.signal, buf, sizeof(buf));
	/* Unknown signals already come back as "SIG42". */
	if (strncmp(name, "SIG", 3))
		put_lit(ob, "SIG");
	outbuf__puts(ob, name);
	if (ev->exit.core)
		put_lit(ob, " (core dumped)");
}

/* mmap's arguments after the result: "8 KiB rw- PRIVATE|ANONYMOUS". */
static void text__mmap_args(struct outbuf *ob, const struct mt_mmap *e)
{
	char flags[256];

	text__size(ob, e->len);
	outbuf__putc(ob, ' ');
	text__prot(ob, e->prot);
	outbuf__putc(ob, ' ');
	text__flags(ob, decode__mmap_flags(e->flags, flags, sizeof(flags)));
	if (!(e->flags & MAP_ANONYMOUS)) {
		put_lit(ob, " fd ");
		outbuf__i64(ob, e->fd);
		put_lit(ob, " off ");
		outbuf__hex(ob, e->offset);
	}
	if (e->has_path) {
		outbuf__putc(ob, ' ');
		outbuf__text_str(ob, e->path.s, e->path.max);
		if (e->path_truncated)
			put_lit(ob, "...");
	}
	if (e->hint) {
		put_lit(ob, " hint ");
		outbuf__hex(ob, e->hint);
	}
}

/* "0x7f.. 1 MiB -> [0x7f.. ]2 MiB[ MAYMOVE]"; the target only on failure. */
static void text__mremap_args(struct outbuf *ob, const struct mt_mremap *e, bool ok)
{
	char flags[128];

	outbuf__hex(ob, e->old_addr);
	outbuf__putc(ob, ' ');
	text__size(ob, e->old_len);
	put_lit(ob, " -> ");
	if (ok) {
		outbuf__hex(ob, e->addr);
		outbuf__putc(ob, ' ');
	} else if (e->flags & MREMAP_TARGET) {
		outbuf__hex(ob, e->new_addr);
		outbuf__putc(ob, ' ');
	}
	text__size(ob, e->new_len);
	if (e->flags) {
		outbuf__putc(ob, ' ');
		text__flags(ob, decode__mremap_flags(e->flags, flags, sizeof(flags)));
	}
}

/* START-END SIZE PROTp off 0xOFF dev MAJ:MIN inode N NAME (origin) */
static void text__vma(struct outbuf *ob, const struct mt_vma_ev *v)
{
	char buf[32];

	outbuf__hex(ob, v->start);
	outbuf__putc(ob, '-');
	outbuf__hex(ob, v->end);
	outbuf__putc(ob, ' ');
	text__size(ob, v->end - v->start);
	outbuf__putc(ob, ' ');
	outbuf__puts(ob, decode__prot(v->prot, buf, sizeof(buf)));
	outbuf__putc(ob, v->shared ? 's' : 'p');
	if (v->inode || v->file) {
		put_lit(ob, " off ");
		outbuf__hex(ob, v->offset);
		put_lit(ob, " dev ");
		outbuf__puts(ob, vma__dev(v, buf, sizeof(buf)));
		put_lit(ob, " inode ");
		outbuf__u64(ob, v->inode);
	}
	if (v->name.max) {
		outbuf__putc(ob, ' ');
		outbuf__text_str(ob, v->name.s, v->name.max);
		if (v->name_truncated)
			put_lit(ob, "...");
	}
	put_lit(ob, " (");
	outbuf__puts(ob, vma__origin(v));
	outbuf__putc(ob, ')');
}

/*
 * Success shows the result first; failure shows "ENOMEM (" the arguments
 * ")" so the error name stands where the address would be.
 */
static void text__mem(struct outbuf *ob, const struct mt_event *ev)
{
	char ebuf[32];

	if (ev->type == MT_EV_VMA) {
		text__vma(ob, &ev->vma);
		return;
	}

	if (ev->error) {
		outbuf__puts(ob, event__error(ev, ebuf, sizeof(ebuf)));
		put_lit(ob, " (");
	}
	switch (ev->type) {
	case MT_EV_MMAP:
		if (ev->has_addr) {
			outbuf__hex(ob, ev->mmap.addr);
			outbuf__putc(ob, ' ');
		}
		text__mmap_args(ob, &ev->mmap);
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		outbuf__hex(ob, ev->range.addr);
		outbuf__putc(ob, ' ');
		text__size(ob, ev->range.len);
		if (ev->type == MT_EV_MPROTECT) {
			outbuf__putc(ob, ' ');
			text__prot(ob, ev->range.prot);
		}
		if (ev->type == MT_EV_MPROTECT && ev->range.has_pkey) {
			put_lit(ob, " pkey ");
			outbuf__i64(ob, ev->range.pkey);
		}
		break;
	/* issue 10 */
	case MT_EV_MADVISE: {
		char adv[32];

		outbuf__hex(ob, ev->madvise.addr);
		outbuf__putc(ob, ' ');
		text__size(ob, ev->madvise.len);
		outbuf__putc(ob, ' ');
		outbuf__puts(ob, decode__madvise(ev->madvise.advice, adv, sizeof(adv)));
		break;
	}
	case MT_EV_SHMAT: {
		char fl[64];

		if (ev->has_addr) {
			outbuf__hex(ob, ev->shm.addr);
			outbuf__putc(ob, ' ');
		}
		if (ev->shm.len) {
			text__size(ob, ev->shm.len);
			outbuf__putc(ob, ' ');
		}
		put_lit(ob, "shmid ");
		outbuf__i64(ob, ev->shm.shmid);
		if (ev->shm.flags) {
			outbuf__putc(ob, ' ');
			outbuf__puts(ob, decode__shm_flags(ev->shm.flags, fl, sizeof(fl)));
		}
		if (ev->shm.shmaddr) {
			put_lit(ob, " hint ");
			outbuf__hex(ob, ev->shm.shmaddr);
		}
		break;
	}
	case MT_EV_SHMDT:
		outbuf__hex(ob, ev->shm.addr);
		if (ev->shm.len) {
			outbuf__putc(ob, ' ');
			text__size(ob, ev->shm.len);
		}
		break;
	case MT_EV_VMA_NAME:
		outbuf__hex(ob, ev->vma_name.addr);
		outbuf__putc(ob, ' ');
		text__size(ob, ev->vma_name.len);
		if (ev->vma_name.cleared) {
			put_lit(ob, " (no name)");
		} else {
			put_lit(ob, " \"");
			outbuf__text_str(ob, ev->vma_name.name.s, ev->vma_name.name.max);
			outbuf__putc(ob, '"');
		}
		break;
	case MT_EV_BRK:
		if (!ev->brk.req) {
			put_lit(ob, "query");
		} else {
			put_lit(ob, "req ");
			outbuf__hex(ob, ev->brk.req);
		}
		if (ev->has_addr) {
			put_lit(ob, " -> ");
			outbuf__hex(ob, ev->brk.addr);
		}
		break;
	default:	/* MT_EV_MREMAP */
		text__mremap_args(ob, &ev->mremap, ev->has_addr);
		break;
	}
	if (ev->error)
		outbuf__putc(ob, ')');
}

/* ---- issue 11: faults, fault, rss, as_end in text ---- */

/* "anon 3, cow 1, total 4": the classes that are not 0 */
static void text__fault_counts(struct outbuf *ob, const struct mt_fault_counts *c)
{
	int i;

	for (i = 0; i < MT_FAULT_NCLASS; i++) {
		if (!c->n[i])
			continue;
		outbuf__puts(ob, event__fault_class_name(i));
		outbuf__putc(ob, ' ');
		outbuf__u64(ob, c->n[i]);
		put_lit(ob, ", ");
	}
	put_lit(ob, "total ");
	outbuf__u64(ob, c->total);
}

static void text__rss_bytes(struct outbuf *ob, const struct mt_rss_bytes *b)
{
	text__size(ob, b->total);
	put_lit(ob, " (anon ");
	text__size(ob, b->anon);
	put_lit(ob, ", file ");
	text__size(ob, b->file);
	put_lit(ob, ", shmem ");
	text__size(ob, b->shmem);
	if (b->swap) {
		put_lit(ob, ", swap ");
		text__size(ob, b->swap);
	}
	outbuf__putc(ob, ')');
}

static void text__mem11(struct outbuf *ob, const struct mt_event *ev)
{
	const struct mt_faults *fs = &ev->faults;

	switch (ev->type) {
	case MT_EV_FAULTS:
		outbuf__hex(ob, fs->start);
		outbuf__putc(ob, '-');
		outbuf__hex(ob, fs->end);
		outbuf__putc(ob, ' ');
		if (fs->name.s && fs->name.s[0]) {
			outbuf__text_str(ob, fs->name.s, fs->name.max);
			outbuf__putc(ob, ' ');
		}
		outbuf__putc(ob, '(');
		outbuf__puts(ob, event__region_kind_name(fs->kind));
		put_lit(ob, "): ");
		text__fault_counts(ob, &fs->counts);
		put_lit(ob, " [");
		outbuf__puts(ob, event__faults_reason_name(fs->reason) ?: "?");
		outbuf__putc(ob, ']');
		break;
	case MT_EV_FAULT:
		outbuf__hex(ob, ev->fault.addr);
		outbuf__putc(ob, ' ');
		outbuf__puts(ob, event__fault_class_name(ev->fault.class) ?: "?");
		if (ev->fault.write)
			put_lit(ob, " write");
		else
			put_lit(ob, " read");
		if (ev->fault.kernel)
			put_lit(ob, " (kernel)");
		put_lit(ob, " ip ");
		outbuf__hex(ob, ev->fault.ip);
		break;
	case MT_EV_RSS:
		text__rss_bytes(ob, &ev->rss.rss);
		put_lit(ob, " peak ");
		text__size(ob, ev->rss.peak);
		break;
	default:	/* MT_EV_AS_END */
		put_lit(ob, "peak rss ");
		text__size(ob, ev->as_end.rss_peak);
		put_lit(ob, ", last ");
		text__rss_bytes(ob, &ev->as_end.last);
		put_lit(ob, "; faults ");
		text__fault_counts(ob, &ev->as_end.faults);
		break;
	}
}

/* ---- end of issue 11 ---- */

static const struct line_ops text_ops = {
	.header = text__header, .fork = text__fork, .exec = text__exec,
	.exit = text__exit, .mem = text__mem, .mem11 = text__mem11, LINE_END("\n"),
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
	X(SIGNAL, signal) X(CORE, core) X(ERROR, error)			\
	X(EXIT_SIGNAL, exit_signal) X(FILENAME_TRUNCATED, filename_truncated)	\
	CSV_COLUMNS_ISSUE11(X) CSV_COLUMNS_ISSUE10(X)

/* issue 10: more calls, names for what is mapped (after issue 11's) */
#define CSV_COLUMNS_ISSUE10(X)						\
	X(ADVICE, advice) X(PKEY, pkey) X(SHMID, shmid) X(NAME, name)	\
	X(PATH, path) X(PATH_TRUNCATED, path_truncated) X(ARGV, argv)	\
	X(ARGV_TRUNCATED, argv_truncated) X(ORIGIN, origin) X(SHARED, shared)	\
	X(DEV, dev) X(INODE, inode)

/* issue 11: faults, fault, rss, as_end (appended: older columns keep their place) */
#define CSV_COLUMNS_ISSUE11(X)						\
	X(START, start) X(END, end) X(REGION, region) X(KIND, kind)	\
	X(REASON, reason) X(F_ANON, faults_anon) X(F_COW, faults_cow)	\
	X(F_FILE, faults_file) X(F_FILE_COW, faults_file_cow)		\
	X(F_SHARED, faults_shared) X(F_STACK, faults_stack)		\
	X(F_OTHER, faults_other) X(F_TOTAL, faults_total) X(IP, ip)	\
	X(CLASS, class) X(WRITE, write) X(KERNEL, kernel)		\
	X(RSS_ANON, rss_anon) X(RSS_FILE, rss_file) X(RSS_SHMEM, rss_shmem)	\
	X(RSS_SWAP, rss_swap) X(RSS_TOTAL, rss_total) X(RSS_PEAK, rss_peak)

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

static void csv__mem(struct csv_row *r, const struct mt_event *ev)
{
	char names[256];

	switch (ev->type) {
	case MT_EV_VMA:	/* issue 10: start, end and the rest after error */
		csv__name(r, CSV_PROT, decode__prot(ev->vma.prot, names, sizeof(names)));
		csv__u64(r, CSV_OFFSET, ev->vma.offset);
		break;
	case MT_EV_MMAP:
		if (ev->has_addr)
			csv__hex(r, CSV_ADDR, ev->mmap.addr);
		csv__u64(r, CSV_LEN, ev->mmap.len);
		csv__name(r, CSV_PROT, decode__prot(ev->mmap.prot, names, sizeof(names)));
		csv__name(r, CSV_FLAGS, decode__mmap_flags(ev->mmap.flags, names, sizeof(names)));
		outbuf__i64(csv__at(r, CSV_FD), ev->mmap.fd);
		csv__u64(r, CSV_OFFSET, ev->mmap.offset);
		if (ev->mmap.hint)
			csv__hex(r, CSV_HINT, ev->mmap.hint);
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		csv__hex(r, CSV_ADDR, ev->range.addr);
		csv__u64(r, CSV_LEN, ev->range.len);
		if (ev->type == MT_EV_MPROTECT)
			csv__name(r, CSV_PROT, decode__prot(ev->range.prot, names, sizeof(names)));
		break;
	/* issue 10 */
	case MT_EV_MADVISE:
		csv__hex(r, CSV_ADDR, ev->madvise.addr);
		csv__u64(r, CSV_LEN, ev->madvise.len);
		break;
	case MT_EV_SHMAT:
		if (ev->has_addr)
			csv__hex(r, CSV_ADDR, ev->shm.addr);
		if (ev->shm.len)
			csv__u64(r, CSV_LEN, ev->shm.len);
		csv__name(r, CSV_FLAGS, decode__shm_flags(ev->shm.flags, names, sizeof(names)));
		if (ev->shm.shmaddr)
			csv__hex(r, CSV_HINT, ev->shm.shmaddr);
		break;
	case MT_EV_SHMDT:
		csv__hex(r, CSV_ADDR, ev->shm.addr);
		if (ev->shm.len)
			csv__u64(r, CSV_LEN, ev->shm.len);
		break;
	case MT_EV_VMA_NAME:
		csv__hex(r, CSV_ADDR, ev->vma_name.addr);
		csv__u64(r, CSV_LEN, ev->vma_name.len);
		break;
	case MT_EV_BRK:
		if (ev->has_addr)
			csv__hex(r, CSV_ADDR, ev->brk.addr);
		csv__hex(r, CSV_REQ, ev->brk.req);
		break;
	default:	/* MT_EV_MREMAP */
		if (ev->has_addr)
			csv__hex(r, CSV_ADDR, ev->mremap.addr);
		csv__name(r, CSV_FLAGS, decode__mremap_flags(ev->mremap.flags, names, sizeof(names)));
		csv__hex(r, CSV_OLD_ADDR, ev->mremap.old_addr);
		csv__u64(r, CSV_OLD_LEN, ev->mremap.old_len);
		csv__u64(r, CSV_NEW_LEN, ev->mremap.new_len);
		if (ev->mremap.flags & MREMAP_TARGET)
			csv__hex(r, CSV_NEW_ADDR, ev->mremap.new_addr);
		break;
	}
}

/*
 * argv as one field: the arguments separated by spaces (a space inside
 * one is not told apart: JSON has the exact array).
 */
static void csv__argv(struct csv_row *r, const struct mt_exec *e)
{
	char buf[MT_ARGV_LEN];
	size_t k = e->argv_len < sizeof(buf) ? e->argv_len : sizeof(buf), i;

	memcpy(buf, e->argv, k);
	while (k && !buf[k - 1])
		k--;
	for (i = 0; i < k; i++)
		if (!buf[i])
			buf[i] = ' ';
	outbuf__csv_str(csv__at(r, CSV_ARGV), buf, k);
}

/* The columns added after error (issue 10), in their order. */
static void csv__late(struct csv_row *r, const struct mt_event *ev)
{
	char buf[32];

	switch (ev->type) {
	case MT_EV_MPROTECT:
		if (ev->range.has_pkey)
			outbuf__i64(csv__at(r, CSV_PKEY), ev->range.pkey);
		break;
	case MT_EV_MADVISE:
		csv__name(r, CSV_ADVICE, decode__madvise(ev->madvise.advice, buf, sizeof(buf)));
		break;
	case MT_EV_SHMAT:
		outbuf__i64(csv__at(r, CSV_SHMID), ev->shm.shmid);
		break;
	case MT_EV_VMA_NAME:
		if (!ev->vma_name.cleared)
			outbuf__csv_str(csv__at(r, CSV_NAME), ev->vma_name.name.s,
					ev->vma_name.name.max);
		break;
	case MT_EV_MMAP:
		if (!ev->mmap.has_path)
			break;
		outbuf__csv_str(csv__at(r, CSV_PATH), ev->mmap.path.s, ev->mmap.path.max);
		if (ev->mmap.path_truncated)
			csv__bool(r, CSV_PATH_TRUNCATED, true);
		break;
	case MT_EV_EXEC:
		if (!ev->exec.has_argv)
			break;
		csv__argv(r, &ev->exec);
		if (ev->exec.argv_truncated)
			csv__bool(r, CSV_ARGV_TRUNCATED, true);
		break;
	case MT_EV_VMA:
		if (ev->vma.name.max)
			outbuf__csv_str(csv__at(r, ev->vma.file ? CSV_PATH : CSV_NAME),
					ev->vma.name.s, ev->vma.name.max);
		if (ev->vma.file && ev->vma.name_truncated)
			csv__bool(r, CSV_PATH_TRUNCATED, true);
		csv__name(r, CSV_ORIGIN, vma__origin(&ev->vma));
		csv__bool(r, CSV_SHARED, ev->vma.shared);
		csv__name(r, CSV_DEV, vma__dev(&ev->vma, buf, sizeof(buf)));
		csv__u64(r, CSV_INODE, ev->vma.inode);
		break;
	}
}

/* ---- issue 11 ---- */

static void csv__fault_counts(struct csv_row *r, const struct mt_fault_counts *c)
{
	int i;

	for (i = 0; i < MT_FAULT_NCLASS; i++)
		csv__u64(r, CSV_F_ANON + i, c->n[i]);
	csv__u64(r, CSV_F_TOTAL, c->total);
}

static void csv__rss_bytes(struct csv_row *r, const struct mt_rss_bytes *b)
{
	csv__u64(r, CSV_RSS_ANON, b->anon);
	csv__u64(r, CSV_RSS_FILE, b->file);
	csv__u64(r, CSV_RSS_SHMEM, b->shmem);
	csv__u64(r, CSV_RSS_SWAP, b->swap);
	csv__u64(r, CSV_RSS_TOTAL, b->total);
}

/* After the error column: these columns all come after it. */
static void csv__mem11(struct csv_row *r, const struct mt_event *ev)
{
	switch (ev->type) {
	case MT_EV_FAULTS:
		csv__hex(r, CSV_START, ev->faults.start);
		csv__hex(r, CSV_END, ev->faults.end);
		outbuf__csv_str(csv__at(r, CSV_REGION), ev->faults.name.s, ev->faults.name.max);
		csv__name(r, CSV_KIND, event__region_kind_name(ev->faults.kind));
		csv__name(r, CSV_REASON, event__faults_reason_name(ev->faults.reason));
		csv__fault_counts(r, &ev->faults.counts);
		break;
	case MT_EV_FAULT:
		csv__hex(r, CSV_START, ev->fault.start);
		csv__hex(r, CSV_END, ev->fault.end);
		csv__hex(r, CSV_IP, ev->fault.ip);
		csv__name(r, CSV_CLASS, event__fault_class_name(ev->fault.class));
		csv__bool(r, CSV_WRITE, ev->fault.write);
		csv__bool(r, CSV_KERNEL, ev->fault.kernel);
		break;
	case MT_EV_RSS:
		csv__rss_bytes(r, &ev->rss.rss);
		csv__u64(r, CSV_RSS_PEAK, ev->rss.peak);
		break;
	default:	/* MT_EV_AS_END: rss_* are the last counters */
		csv__fault_counts(r, &ev->as_end.faults);
		csv__rss_bytes(r, &ev->as_end.last);
		csv__u64(r, CSV_RSS_PEAK, ev->as_end.rss_peak);
		break;
	}
}

/* ---- end of issue 11 ---- */

static void csv__event(struct outbuf *ob, const struct mt_event *ev)
{
	struct csv_row r = { .ob = ob, .col = 0 };
	char buf[512];

	csv__u64(&r, CSV_TS, ev->ts);
	csv__name(&r, CSV_EVENT, event__name(ev->type));
	csv__u64(&r, CSV_PID, ev->pid);
	csv__u64(&r, CSV_TID, ev->tid);
	outbuf__csv_str(csv__at(&r, CSV_COMM), ev->comm.s, ev->comm.max);
	csv__u64(&r, CSV_AS, ev->as);
	switch (ev->type) {
	case MT_EV_FORK:
		if (ev->fork.flags_known)
			csv__name(&r, CSV_FLAGS, decode__clone_flags(ev->fork.clone_flags,
								     ev->fork.exit_signal,
								     buf, sizeof(buf)));
		if (!ev->error) {
			csv__u64(&r, CSV_CHILD_PID, ev->fork.child_pid);
			csv__u64(&r, CSV_CHILD_TID, ev->fork.child_tid);
			csv__u64(&r, CSV_CHILD_AS, ev->fork.child_as);
		}
		csv__bool(&r, CSV_THREAD, ev->fork.thread);
		csv__bool(&r, CSV_SHARED_VM, ev->fork.shared_vm);
		csv__name(&r, CSV_SYSCALL, event__syscall_name(ev->fork.syscall_nr));
		break;
	case MT_EV_EXEC:
		outbuf__csv_str(csv__at(&r, CSV_FILENAME), ev->exec.filename.s,
				ev->exec.filename.max);
		if (ev->exec.old_tid != ev->tid)
			csv__u64(&r, CSV_OLD_TID, ev->exec.old_tid);
		csv__u64(&r, CSV_OLD_AS, ev->exec.old_as);
		break;
	case MT_EV_EXIT:
		csv__bool(&r, CSV_THREAD, ev->exit.thread);
		csv__u64(&r, CSV_CODE, ev->exit.code);
		csv__u64(&r, CSV_SIGNAL, ev->exit.signal);
		csv__bool(&r, CSV_CORE, ev->exit.core);
		break;
	case MT_EV_FAULTS:	/* issue 11: columns after error, below */
	case MT_EV_FAULT:
	case MT_EV_RSS:
	case MT_EV_AS_END:
		if (ev->type == MT_EV_FAULT)
			csv__hex(&r, CSV_ADDR, ev->fault.addr);
		break;
	default:
		csv__mem(&r, ev);
		break;
	}
	csv__name(&r, CSV_ERROR, event__error(ev, buf, sizeof(buf)));
	if (ev->type == MT_EV_FORK && ev->fork.flags_known)
		csv__u64(&r, CSV_EXIT_SIGNAL, ev->fork.exit_signal);
	if (ev->type == MT_EV_EXEC && ev->exec.truncated)
		csv__bool(&r, CSV_FILENAME_TRUNCATED, true);
	if (event__is_mem11(ev->type))
		csv__mem11(&r, ev);
	if (ev->type == MT_EV_VMA) {	/* issue 10: issue 11's columns */
		csv__hex(&r, CSV_START, ev->vma.start);
		csv__hex(&r, CSV_END, ev->vma.end);
	}
	csv__late(&r, ev);
	csv__at(&r, CSV_NCOLS - 1);
	outbuf__putc(ob, '\n');
}

/* ---- entry points ---- */

void format__event(const struct formatter *f, struct outbuf *ob, const struct mt_event *ev)
{
	ob->line_start = ob->len;	/* a line cut by a write error is counted below */
	switch (f->fmt) {
	case MT_FMT_JSON:
		line__event(&json_ops, ob, ev);
		break;
	case MT_FMT_CSV:
		csv__event(ob, ev);
		break;
	default:
		line__event(&text_ops, ob, ev);
		break;
	}
	/* the error came before this line was whole: it is not in the output */
	if (__builtin_expect(ob->err != 0, 0))
		ob->lines_unwritten++;
}

int format__records(const struct formatter *f, struct outbuf *ob, const void *rec, size_t size)
{
	struct event_vma_cursor c;
	struct mt_event ev;
	int n = 0;

	if (event__from_record(&ev, rec, size, f->t0))
		return -EINVAL;
	/* a vma batch is one event per VMA; any other record one event */
	event__vma_begin(&c, rec, size);
	do {
		format__event(f, ob, &ev);
		n++;
	} while (event__vma_next(&c, &ev));
	return n;
}

int format__record(const struct formatter *f, struct outbuf *ob, const void *rec, size_t size)
{
	return format__records(f, ob, rec, size) < 0 ? -EINVAL : 0;
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
		if (st->part)
			json__u64(ob, K("part"), st->part);
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

	/* All the slots: a count the BPF side keeps under no name still counts. */
	for (i = 0; i < MT_COUNT_SLOTS; i++)
		sum += v[i];
	return sum;
}

uint64_t summary__lost(const struct trace_summary *sum)
{
	return counts__total(sum->lost) + sum->missed;
}

static void json__counts(struct outbuf *ob, const char *key, size_t klen, const uint64_t *v)
{
	int t;

	json__key(ob, key, klen);
	outbuf__putc(ob, '{');
	for (t = MT_EV_NONE + 1; t < MT_EV_MAX; t++) {
		if (!event__name(t))
			continue;
		if (t != MT_EV_NONE + 1)
			outbuf__putc(ob, ',');
		outbuf__putc(ob, '"');
		outbuf__puts(ob, event__name(t));
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
	json__u64(ob, K("lost"), summary__lost(sum));
	json__counts(ob, K("lost_by_type"), sum->lost);
	json__u64(ob, K("missed"), sum->missed);
	json__u64(ob, K("unfollowed"), sum->unfollowed);
	json__u64(ob, K("unnumbered"), sum->unnumbered);
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
	uint64_t lost = summary__lost(sum);
	const char *sep = "";
	int t;

	fprintf(out, "memtrace: %llu events in %.2f s (",
		(unsigned long long)counts__total(sum->events),
		(double)sum->duration_ns / NSEC_PER_SEC);
	for (t = MT_EV_NONE + 1; t < MT_EV_MAX; t++) {
		/*
		 * issue 11: memory records only when there are some (off by
		 * default); issue 10's new calls likewise, so the usual line stays
		 */
		if ((event__is_mem11(t) || t > MT_EV_MREMAP) && !sum->events[t])
			continue;
		fprintf(out, "%s%s %llu", sep, event__name(t),
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
			fprintf(out, "%s%s %llu", sep, event__name(t),
				(unsigned long long)sum->lost[t]);
		else
			fprintf(out, "%stype %d %llu", sep, t,
				(unsigned long long)sum->lost[t]);
		sep = ", ";
	}
	fprintf(out, "); the trace is incomplete: raise --buffer-size\n");
}
