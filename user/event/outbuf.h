/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * outbuf - a large output buffer with hand-rolled integer, hex and JSON
 * string writers. Events are formatted straight into it and written to the
 * fd in big blocks: no stdio, no printf per event (see docs/performance.md).
 */
#ifndef MEMTRACE_OUTBUF_H
#define MEMTRACE_OUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct outbuf {
	int fd;			/* where flushes go */
	char *buf;
	size_t len;		/* bytes waiting in buf */
	size_t cap;
	size_t flush_at;	/* flush once len passes this (cap - slack) */
	int err;		/* first write error (positive errno), sticky */
	uint64_t written;	/* bytes written to fd so far */
	/*
	 * Set by the first write error: the complete lines (events) that
	 * were buffered and never reached fd. The line being formatted when
	 * the error came (from line_start on) is not among them: the
	 * formatter counts it, and every line after it, in lines_unwritten.
	 * Their sum is exactly the events the output does not hold.
	 */
	uint64_t dropped_lines;
	uint64_t lines_unwritten;
	size_t line_start;	/* where the line being formatted starts in buf */
	/*
	 * Optional: when a write is interrupted by a signal (EINTR) and
	 * *cancel is set, give up with ECANCELED instead of retrying, so
	 * that a reader that takes nothing cannot hold us for ever.
	 */
	const volatile int *cancel;
};

/*
 * cap: buffer size in bytes (>= 4096). Returns 0 or -errno.
 * fd < 0 makes a memory-only buffer: flushes keep the bytes and puts grow
 * it (unit tests read buf/len directly).
 */
int outbuf__init(struct outbuf *ob, int fd, size_t cap);
void outbuf__free(struct outbuf *ob);

/* Writes everything buffered. Returns 0 or -errno (e.g. -EPIPE); sticky. */
int outbuf__flush(struct outbuf *ob);
/* Flushes when the buffer is nearly full; call once per record. */
int outbuf__maybe_flush(struct outbuf *ob);

char *outbuf__make_room(struct outbuf *ob, size_t n);

/*
 * Makes room for n more bytes and returns where they go, or NULL once an
 * error is recorded. Inline, with the writers below: most puts are a few
 * bytes of constant length (JSON keys), which the compiler then turns into
 * a store or two instead of a call to memcpy.
 */
static inline char *outbuf__reserve(struct outbuf *ob, size_t n)
{
	if (__builtin_expect(!ob->err && ob->cap - ob->len >= n, 1))
		return ob->buf + ob->len;
	return outbuf__make_room(ob, n);
}

static inline void outbuf__put(struct outbuf *ob, const void *s, size_t n)
{
	char *o = outbuf__reserve(ob, n);

	if (!o)
		return;
	memcpy(o, s, n);
	ob->len += n;
}

static inline void outbuf__puts(struct outbuf *ob, const char *s)
{
	outbuf__put(ob, s, strlen(s));
}

static inline void outbuf__putc(struct outbuf *ob, char c)
{
	char *o = outbuf__reserve(ob, 1);

	if (!o)
		return;
	*o = c;
	ob->len++;
}
/*
 * v written at o, which has room for OUTBUF_DEC_MAX (decimal) or
 * OUTBUF_HEX_MAX ("0x7f3a0d5d5000") bytes, as from outbuf__reserve;
 * returns the end. The writers' hot path: no temporary, one room check.
 */
#define OUTBUF_DEC_MAX	20
#define OUTBUF_HEX_MAX	18
char *outbuf__dec_at(char *o, uint64_t v);
char *outbuf__hex_at(char *o, uint64_t v);
void outbuf__u64(struct outbuf *ob, uint64_t v);	/* decimal */
void outbuf__i64(struct outbuf *ob, int64_t v);	/* decimal, signed */
void outbuf__hex(struct outbuf *ob, uint64_t v);	/* "0x7f3a0d5d5000" */
/* Pads/aligns: writes v right-aligned in width columns. */
void outbuf__u64_pad(struct outbuf *ob, uint64_t v, int width);
/*
 * s (at most n bytes, stops at NUL) as a quoted JSON string, any bytes made
 * safe: valid UTF-8 as is, an invalid byte as \u00XX (read as Latin-1).
 */
void outbuf__json_str(struct outbuf *ob, const char *s, size_t n);
/* s (at most n bytes, stops at NUL) as an RFC 4180 CSV field. */
void outbuf__csv_str(struct outbuf *ob, const char *s, size_t n);
/*
 * s (at most n bytes, stops at NUL) for a terminal: valid UTF-8 as is,
 * control characters and invalid bytes as \xHH, a backslash as \\.
 * Returns the number of columns written, for padding.
 */
size_t outbuf__text_str(struct outbuf *ob, const char *s, size_t n);
/* n spaces. */
void outbuf__spaces(struct outbuf *ob, size_t n);
/* printf into the buffer: for reports, never on the per-event path. */
void outbuf__printf(struct outbuf *ob, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* MEMTRACE_OUTBUF_H */
