// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * outbuf - see outbuf.h. Every writer reserves its worst case once and then
 * fills the buffer directly, so the buffer can never overflow and the hot
 * path is a bounds check plus stores.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "outbuf.h"

/* Room kept free for one record (the largest, exec, is about 2 KiB as JSON). */
#define OUTBUF_SLACK	4096

static const char digit_pairs[] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";
static const char hex_digits[] = "0123456789abcdef";

int outbuf__init(struct outbuf *ob, int fd, size_t cap)
{
	memset(ob, 0, sizeof(*ob));
	ob->fd = fd;
	if (cap < 4096)
		return -EINVAL;
	ob->buf = malloc(cap);
	if (!ob->buf)
		return -ENOMEM;
	ob->cap = cap;
	ob->flush_at = cap >= 2 * OUTBUF_SLACK ? cap - OUTBUF_SLACK : cap / 2;
	return 0;
}

void outbuf__free(struct outbuf *ob)
{
	free(ob->buf);
	ob->buf = NULL;
	ob->len = 0;
	ob->cap = 0;
}

static bool outbuf__cancelled(const struct outbuf *ob)
{
	return ob->cancel && *ob->cancel;
}

/* A non-blocking fd (an inherited stdout may be one) must not lose output. */
static int fd__wait_writable(const struct outbuf *ob)
{
	struct pollfd pfd = { .fd = ob->fd, .events = POLLOUT };

	while (poll(&pfd, 1, -1) < 0) {
		if (errno != EINTR)
			return errno;
		if (outbuf__cancelled(ob))
			return ECANCELED;
	}
	return 0;
}

/* Lines in n bytes at p: each record is one line. Only on the error path. */
static uint64_t lines__count(const char *p, size_t n)
{
	const char *end = p + n;
	uint64_t k = 0;

	while (p < end && (p = memchr(p, '\n', end - p))) {
		k++;
		p++;
	}
	return k;
}

/* mid_record: called while a line is half formatted (make_room), from line_start. */
static int outbuf__write_out(struct outbuf *ob, bool mid_record)
{
	size_t off = 0;
	ssize_t r;

	if (ob->err)
		return -ob->err;
	if (ob->fd < 0)
		return 0;
	while (off < ob->len) {
		r = write(ob->fd, ob->buf + off, ob->len - off);
		if (r > 0) {
			off += r;
			continue;
		}
		if (r < 0 && errno == EINTR) {
			if (!outbuf__cancelled(ob))
				continue;
			ob->err = ECANCELED;
			break;
		}
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ob->err = fd__wait_writable(ob);
			if (!ob->err)
				continue;
			break;
		}
		/* write() returning 0 for a non-empty buffer would loop forever. */
		ob->err = r < 0 ? errno : EIO;
		break;
	}
	ob->written += off;
	/*
	 * After an error the rest is dropped: nothing more will be written.
	 * A half-formatted line is the formatter's to count (lines_unwritten),
	 * even if part of it reached fd: a cut line is no event.
	 */
	if (ob->err) {
		size_t end = mid_record ? ob->line_start : ob->len;

		ob->dropped_lines = off < end ? lines__count(ob->buf + off, end - off) : 0;
	}
	ob->len = 0;
	ob->line_start = 0;
	return -ob->err;
}

int outbuf__flush(struct outbuf *ob)
{
	return outbuf__write_out(ob, false);
}

int outbuf__maybe_flush(struct outbuf *ob)
{
	if (ob->len > ob->flush_at)
		return outbuf__flush(ob);
	return -ob->err;
}

static bool outbuf__grow(struct outbuf *ob, size_t n)
{
	size_t cap = ob->cap;
	char *buf;

	while (cap - ob->len < n) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	buf = realloc(ob->buf, cap);
	if (!buf)
		goto fail;
	ob->buf = buf;
	ob->cap = cap;
	return true;
fail:
	/* what is buffered is never written now, but for the line being formatted */
	ob->dropped_lines = lines__count(ob->buf, ob->line_start);
	ob->err = ENOMEM;
	return false;
}

/*
 * The slow half of outbuf__reserve() (outbuf.h): NULL once an error is
 * recorded (the put is then dropped); with an fd it flushes first so
 * memory stays bounded; it grows only for a put larger than the buffer.
 */
char *outbuf__make_room(struct outbuf *ob, size_t n)
{
	if (ob->err)
		return NULL;
	if (ob->fd >= 0 && ob->len && outbuf__write_out(ob, true))
		return NULL;
	if (ob->cap - ob->len < n && !outbuf__grow(ob, n))
		return NULL;
	return ob->buf + ob->len;
}

void outbuf__spaces(struct outbuf *ob, size_t n)
{
	char *o = outbuf__reserve(ob, n);

	if (!o)
		return;
	memset(o, ' ', n);
	ob->len += n;
}

/*
 * In place, into room the caller reserved: the digits are counted first
 * so that each pair lands where it belongs, with no temporary to copy
 * (the JSON writer's hot path, docs/performance.md, seventh session).
 */
char *outbuf__dec_at(char *o, uint64_t v)
{
	unsigned int n = 1, i;
	uint64_t t;
	char *p;

	for (t = v; t >= 100; t /= 100)
		n += 2;
	n += t >= 10;
	p = o + n;
	while (v >= 100) {
		i = v % 100 * 2;
		v /= 100;
		p -= 2;
		memcpy(p, digit_pairs + i, 2);
	}
	if (v >= 10)
		memcpy(p - 2, digit_pairs + v * 2, 2);
	else
		p[-1] = '0' + v;
	return o + n;
}

char *outbuf__hex_at(char *o, uint64_t v)
{
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1, i;

	o[0] = '0';
	o[1] = 'x';
	for (i = n + 1; i >= 2; i--, v >>= 4)
		o[i] = hex_digits[v & 0xf];
	return o + 2 + n;
}

void outbuf__u64(struct outbuf *ob, uint64_t v)
{
	char *o = outbuf__reserve(ob, OUTBUF_DEC_MAX);

	if (o)
		ob->len = outbuf__dec_at(o, v) - ob->buf;
}

void outbuf__i64(struct outbuf *ob, int64_t v)
{
	if (v < 0) {
		outbuf__putc(ob, '-');
		/* Negate as unsigned: -INT64_MIN does not fit an int64_t. */
		outbuf__u64(ob, -(uint64_t)v);
		return;
	}
	outbuf__u64(ob, v);
}

void outbuf__u64_pad(struct outbuf *ob, uint64_t v, int width)
{
	char tmp[OUTBUF_DEC_MAX];
	size_t len = outbuf__dec_at(tmp, v) - tmp;

	if (width > 0 && (size_t)width > len)
		outbuf__spaces(ob, width - len);
	outbuf__put(ob, tmp, len);
}

void outbuf__hex(struct outbuf *ob, uint64_t v)
{
	char *o = outbuf__reserve(ob, OUTBUF_HEX_MAX);

	if (o)
		ob->len = outbuf__hex_at(o, v) - ob->buf;
}

/*
 * Length of the well-formed UTF-8 sequence at p (at most m bytes), or 0 if
 * it is not one: overlong forms, surrogates and code points past U+10FFFF
 * are rejected, as RFC 3629 requires.
 */
static size_t utf8__seq_len(const unsigned char *p, size_t m)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (m < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return len;
}

/* U+0080..U+009F are C1 controls: terminals act on some (CSI is U+009B). */
static bool utf8__is_c1(const unsigned char *p, size_t len)
{
	return len == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

static char *hex__escape(char *o, const char *prefix, size_t plen, unsigned char c)
{
	memcpy(o, prefix, plen);
	o += plen;
	*o++ = hex_digits[c >> 4];
	*o++ = hex_digits[c & 0xf];
	return o;
}

/* The two-character escape JSON has for c, or 0. */
static char json__short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return '"';
	case '\\':
		return '\\';
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	}
	return 0;
}

void outbuf__json_str(struct outbuf *ob, const char *s, size_t n)
{
	size_t len = strnlen(s, n), k;
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char *o = outbuf__reserve(ob, 2 + 6 * len);
	char esc;

	if (!o)
		return;
	*o++ = '"';
	while (p < end) {
		unsigned char c = *p;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*o++ = c;
			p++;
			continue;
		}
		if (c >= 0x80 && (k = utf8__seq_len(p, end - p))) {
			if (utf8__is_c1(p, k)) {
				/* The code point equals the second byte. */
				o = hex__escape(o, "\\u00", 4, p[1]);
			} else {
				memcpy(o, p, k);
				o += k;
			}
			p += k;
			continue;
		}
		esc = json__short_escape(c);
		if (esc) {
			*o++ = '\\';
			*o++ = esc;
		} else {
			/* Other controls, DEL, and bytes that are not UTF-8. */
			o = hex__escape(o, "\\u00", 4, c);
		}
		p++;
	}
	*o++ = '"';
	ob->len = o - ob->buf;
}

/*
 * The text escaping shared by text and CSV output. Writes at o (room for
 * 4 bytes per input byte), doubling '"' when dq is set; *cols gets the
 * number of terminal columns used. Returns the new end.
 */
static char *text__escape(char *o, const unsigned char *p, size_t len, bool dq, size_t *cols)
{
	const unsigned char *end = p + len;
	size_t k, w = 0;

	while (p < end) {
		unsigned char c = *p;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			*o++ = c;
			if (c == '"' && dq)
				*o++ = c;
			p++;
			w++;
			continue;
		}
		if (c == '\\') {
			*o++ = '\\';
			*o++ = '\\';
			p++;
			w += 2;
			continue;
		}
		if (c >= 0x80 && (k = utf8__seq_len(p, end - p)) && !utf8__is_c1(p, k)) {
			memcpy(o, p, k);
			o += k;
			p += k;
			w++;
			continue;
		}
		/* Controls, DEL, a C1 control's bytes one by one, invalid bytes. */
		o = hex__escape(o, "\\x", 2, c);
		p++;
		w += 4;
	}
	*cols = w;
	return o;
}

size_t outbuf__text_str(struct outbuf *ob, const char *s, size_t n)
{
	size_t len = strnlen(s, n), cols;
	char *o = outbuf__reserve(ob, 4 * len);

	if (!o)
		return 0;
	o = text__escape(o, (const unsigned char *)s, len, false, &cols);
	ob->len = o - ob->buf;
	return cols;
}

void outbuf__csv_str(struct outbuf *ob, const char *s, size_t n)
{
	size_t len = strnlen(s, n), cols;
	/* CR and LF never survive text__escape, so only these force quotes. */
	bool quote = memchr(s, ',', len) || memchr(s, '"', len);
	char *o = outbuf__reserve(ob, 4 * len + 2);

	if (!o)
		return;
	if (quote)
		*o++ = '"';
	o = text__escape(o, (const unsigned char *)s, len, quote, &cols);
	if (quote)
		*o++ = '"';
	ob->len = o - ob->buf;
}

void outbuf__printf(struct outbuf *ob, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (k <= 0 || !(p = outbuf__reserve(ob, (size_t)k + 1)))
		return;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)k + 1, fmt, ap);
	va_end(ap);
	ob->len += k;
}
