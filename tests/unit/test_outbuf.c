// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for user/outbuf.c: number writers, JSON/CSV/text escaping of
 * hostile bytes (checked with jansson, a strict parser), growth, and
 * flushing through short writes, EINTR, EAGAIN and EPIPE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "outbuf.h"

#define PATTERN_LEN	(1 << 20)

/* A memory-only outbuf per test (fd -1: nothing is written, it grows). */
static int ob_setup(void **state)
{
	struct outbuf *ob = malloc(sizeof(*ob));

	if (!ob || outbuf__init(ob, -1, 4096))
		return -1;
	*state = ob;
	return 0;
}

static int ob_teardown(void **state)
{
	outbuf__free(*state);
	free(*state);
	return 0;
}

/* The buffered bytes as a C string; empties the buffer for the next check. */
static const char *take(struct outbuf *ob)
{
	static char s[1 << 16];

	assert_true(ob->len < sizeof(s));
	memcpy(s, ob->buf, ob->len);
	s[ob->len] = '\0';
	ob->len = 0;
	return s;
}

static void test_init(void **state)
{
	struct outbuf ob;

	assert_int_equal(outbuf__init(&ob, 1, 4095), -EINVAL);
	outbuf__free(&ob);
	assert_int_equal(outbuf__init(&ob, 1, 1 << 20), 0);
	assert_int_equal(ob.len, 0);
	assert_int_equal(ob.err, 0);
	/* Room for the largest record is always left above flush_at. */
	assert_true(ob.cap - ob.flush_at >= 4096);
	outbuf__free(&ob);
	assert_null(ob.buf);
}

static void test_u64(void **state)
{
	struct outbuf *ob = *state;

	outbuf__u64(ob, 0);
	assert_string_equal(take(ob), "0");
	outbuf__u64(ob, 9);
	assert_string_equal(take(ob), "9");
	outbuf__u64(ob, 10);
	assert_string_equal(take(ob), "10");
	outbuf__u64(ob, 99);
	assert_string_equal(take(ob), "99");
	outbuf__u64(ob, 100);
	assert_string_equal(take(ob), "100");
	outbuf__u64(ob, 1234567);
	assert_string_equal(take(ob), "1234567");
	outbuf__u64(ob, UINT64_MAX);
	assert_string_equal(take(ob), "18446744073709551615");
	outbuf__i64(ob, 0);
	assert_string_equal(take(ob), "0");
	outbuf__i64(ob, -1);
	assert_string_equal(take(ob), "-1");
	outbuf__i64(ob, INT64_MAX);
	assert_string_equal(take(ob), "9223372036854775807");
	outbuf__i64(ob, INT64_MIN);
	assert_string_equal(take(ob), "-9223372036854775808");
	outbuf__u64_pad(ob, 42, 7);
	assert_string_equal(take(ob), "     42");
	outbuf__u64_pad(ob, 12345678, 3);
	assert_string_equal(take(ob), "12345678");
	outbuf__u64_pad(ob, 0, 0);
	assert_string_equal(take(ob), "0");
}

static void test_hex(void **state)
{
	struct outbuf *ob = *state;

	outbuf__hex(ob, 0);
	assert_string_equal(take(ob), "0x0");
	outbuf__hex(ob, 0xf);
	assert_string_equal(take(ob), "0xf");
	outbuf__hex(ob, 0x10);
	assert_string_equal(take(ob), "0x10");
	outbuf__hex(ob, 0x7f3a0d5d5000);
	assert_string_equal(take(ob), "0x7f3a0d5d5000");
	outbuf__hex(ob, 0xffffffffffffffffULL);
	assert_string_equal(take(ob), "0xffffffffffffffff");
	outbuf__hex(ob, 0x8000000000000000ULL);
	assert_string_equal(take(ob), "0x8000000000000000");
}

static void test_put(void **state)
{
	struct outbuf *ob = *state;

	outbuf__puts(ob, "ab");
	outbuf__putc(ob, 'c');
	outbuf__put(ob, "def", 2);
	outbuf__spaces(ob, 3);
	outbuf__puts(ob, "");
	assert_string_equal(take(ob), "abcde   ");
}

/*
 * json_str of s (n bytes max) must be exactly `want` and, parsed by
 * jansson, give the UTF-8 string `decoded`.
 */
static void check_json(struct outbuf *ob, const char *s, size_t n,
		       const char *want, const char *decoded)
{
	json_error_t jerr;
	const char *text;
	json_t *j;

	outbuf__json_str(ob, s, n);
	text = take(ob);
	assert_string_equal(text, want);
	j = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!j)
		fail_msg("jansson rejects %s: %s", text, jerr.text);
	assert_true(json_is_string(j));
	assert_string_equal(json_string_value(j), decoded);
	json_decref(j);
}

static void test_json_escape(void **state)
{
	struct outbuf *ob = *state;
	char comm[16];

	check_json(ob, "threads", 16, "\"threads\"", "threads");
	check_json(ob, "", 16, "\"\"", "");
	check_json(ob, "a\"b\\c", 16, "\"a\\\"b\\\\c\"", "a\"b\\c");
	check_json(ob, "\b\f\n\r\t", 16, "\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t");
	check_json(ob, "\x01\x1f\x7f", 16, "\"\\u0001\\u001f\\u007f\"", "\x01\x1f\x7f");
	check_json(ob, "\x1b[31mred", 16, "\"\\u001b[31mred\"", "\x1b[31mred");
	/* Valid UTF-8 passes through: é, €, U+1F600. */
	check_json(ob, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 16,
		   "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
		   "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* Invalid bytes become the code point of the same value (Latin-1). */
	check_json(ob, "\xff\xfe", 16, "\"\\u00ff\\u00fe\"", "\xc3\xbf\xc3\xbe");
	/* Overlong '/', a UTF-16 surrogate, past U+10FFFF, a cut sequence. */
	check_json(ob, "\xc0\xaf", 16, "\"\\u00c0\\u00af\"", "\xc3\x80\xc2\xaf");
	check_json(ob, "\xed\xa0\x80", 16, "\"\\u00ed\\u00a0\\u0080\"", "\xc3\xad\xc2\xa0\xc2\x80");
	check_json(ob, "\xf4\x90\x80\x80", 16, "\"\\u00f4\\u0090\\u0080\\u0080\"",
		   "\xc3\xb4\xc2\x90\xc2\x80\xc2\x80");
	check_json(ob, "x\xe2\x82", 16, "\"x\\u00e2\\u0082\"", "x\xc3\xa2\xc2\x82");
	/* A sequence cut by n, not by the string: the rest is not read. */
	check_json(ob, "\xe2\x82\xac", 2, "\"\\u00e2\\u0082\"", "\xc3\xa2\xc2\x82");
	/* A C1 control (CSI) is valid UTF-8 but escaped for terminals. */
	check_json(ob, "\xc2\x9b", 16, "\"\\u009b\"", "\xc2\x9b");
	/* Stops at NUL. */
	check_json(ob, "ab\0cd", 16, "\"ab\"", "ab");
	/* comm is 16 bytes with no NUL when the kernel's is full. */
	memcpy(comm, "0123456789abcdef", 16);
	check_json(ob, comm, sizeof(comm), "\"0123456789abcdef\"", "0123456789abcdef");
}

/* Whatever the bytes, the output is JSON that jansson accepts. */
static void test_json_fuzz(void **state)
{
	struct outbuf *ob = *state;
	unsigned char s[64];
	json_error_t jerr;
	const char *text;
	unsigned int seed = 1;
	json_t *j;
	int i, k;

	for (i = 0; i < 20000; i++) {
		for (k = 0; k < (int)sizeof(s); k++) {
			/* Bias towards the interesting bytes. */
			s[k] = rand_r(&seed) % 4 ? 0x80 + rand_r(&seed) % 0x80 : rand_r(&seed) % 0x80;
		}
		outbuf__json_str(ob, (const char *)s, sizeof(s));
		text = take(ob);
		j = json_loads(text, JSON_DECODE_ANY, &jerr);
		if (!j)
			fail_msg("iteration %d: jansson rejects %s: %s", i, text, jerr.text);
		json_decref(j);
	}
}

static void test_csv_escape(void **state)
{
	struct outbuf *ob = *state;

	outbuf__csv_str(ob, "threads", 16);
	assert_string_equal(take(ob), "threads");
	outbuf__csv_str(ob, "", 16);
	assert_string_equal(take(ob), "");
	outbuf__csv_str(ob, "a,b", 16);
	assert_string_equal(take(ob), "\"a,b\"");
	outbuf__csv_str(ob, "say \"hi\"", 16);
	assert_string_equal(take(ob), "\"say \"\"hi\"\"\"");
	outbuf__csv_str(ob, "\"", 16);
	assert_string_equal(take(ob), "\"\"\"\"");
	/* CR and LF are escaped like text, so they never need quotes. */
	outbuf__csv_str(ob, "a\r\nb", 16);
	assert_string_equal(take(ob), "a\\x0d\\x0ab");
	outbuf__csv_str(ob, "a\\b\xff", 16);
	assert_string_equal(take(ob), "a\\\\b\\xff");
	outbuf__csv_str(ob, "x,\x01\"", 16);
	assert_string_equal(take(ob), "\"x,\\x01\"\"\"");
	outbuf__csv_str(ob, "caf\xc3\xa9 bar", 16);
	assert_string_equal(take(ob), "caf\xc3\xa9 bar");
}

static void test_text_escape(void **state)
{
	struct outbuf *ob = *state;

	assert_int_equal(outbuf__text_str(ob, "threads", 16), 7);
	assert_string_equal(take(ob), "threads");
	assert_int_equal(outbuf__text_str(ob, "a\x01" "b", 16), 6);
	assert_string_equal(take(ob), "a\\x01b");
	assert_int_equal(outbuf__text_str(ob, "\x1b[2J\x7f", 16), 11);
	assert_string_equal(take(ob), "\\x1b[2J\\x7f");
	assert_int_equal(outbuf__text_str(ob, "a\\b", 16), 4);
	assert_string_equal(take(ob), "a\\\\b");
	/* One column per character, however many bytes. */
	assert_int_equal(outbuf__text_str(ob, "caf\xc3\xa9", 16), 4);
	assert_string_equal(take(ob), "caf\xc3\xa9");
	assert_int_equal(outbuf__text_str(ob, "\xff\xfe", 16), 8);
	assert_string_equal(take(ob), "\\xff\\xfe");
	assert_int_equal(outbuf__text_str(ob, "\xc2\x9b" "1m", 16), 10);
	assert_string_equal(take(ob), "\\xc2\\x9b1m");
	assert_int_equal(outbuf__text_str(ob, "0123456789abcdefXYZ", 16), 16);
	assert_string_equal(take(ob), "0123456789abcdef");
}

static void test_grow(void **state)
{
	struct outbuf *ob = *state;
	size_t n = 100 << 10, i;
	char *big = malloc(n + 1);

	assert_non_null(big);
	for (i = 0; i < n; i++)
		big[i] = 'a' + i % 26;
	big[n] = '\0';
	outbuf__putc(ob, '<');
	outbuf__put(ob, big, n);
	outbuf__putc(ob, '>');
	assert_int_equal(ob->err, 0);
	assert_int_equal(ob->len, n + 2);
	assert_true(ob->cap >= ob->len);
	assert_memory_equal(ob->buf + 1, big, n);
	assert_int_equal(ob->buf[n + 1], '>');
	ob->len = 0;

	/* Escaping reserves its worst case up front: 6 bytes per \x01. */
	memset(big, 1, n);
	outbuf__json_str(ob, big, n);
	assert_int_equal(ob->len, 6 * n + 2);
	assert_memory_equal(ob->buf, "\"\\u0001\\u0001", 13);
	assert_int_equal(outbuf__flush(ob), 0);		/* memory-only: kept */
	assert_int_equal(ob->len, 6 * n + 2);
	ob->len = 0;
	free(big);
}

/* Reads fd to the end; returns the bytes read (malloc'd), *len their count. */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	assert_non_null(buf);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		assert_true(r >= 0);
		if (!r)
			break;
		n += r;
	}
	*len = n;
	return buf;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

static char pattern(size_t i)
{
	return 'A' + (i * 7 + i / 251) % 58;
}

/* With a file, flush writes everything and counts it; puts flush when full. */
static void test_flush_file(void **state)
{
	int fd = memfd_create("outbuf", 0);
	struct outbuf ob;
	size_t i, len;
	char *got;

	assert_true(fd >= 0);
	assert_int_equal(outbuf__init(&ob, fd, 4096), 0);
	outbuf__puts(&ob, "hello ");
	assert_int_equal(outbuf__maybe_flush(&ob), 0);
	assert_int_equal(ob.len, 6);			/* not past flush_at yet */
	for (i = 0; i < PATTERN_LEN; i++)
		outbuf__putc(&ob, pattern(i));		/* flushes when full */
	assert_true(ob.len <= ob.cap);
	assert_int_equal(ob.cap, 4096);			/* flushed instead of growing */
	assert_int_equal(outbuf__maybe_flush(&ob), 0);
	assert_true(ob.len <= ob.flush_at);
	assert_int_equal(outbuf__flush(&ob), 0);
	assert_int_equal(ob.len, 0);
	assert_int_equal(ob.written, 6 + PATTERN_LEN);
	outbuf__free(&ob);

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	got = read_all(fd, &len);
	assert_int_equal(len, 6 + PATTERN_LEN);
	assert_memory_equal(got, "hello ", 6);
	for (i = 0; i < PATTERN_LEN; i++) {
		if (got[6 + i] != pattern(i))
			fail_msg("byte %zu: got %c want %c", i, got[6 + i], pattern(i));
	}
	free(got);
	close(fd);
}

/*
 * A child reads the pipe slowly and checks every byte; the parent flushes
 * 1 MiB through it. Blocking: a timer interrupts the writes (short writes
 * and EINTR). nonblock: the pipe fills and write() fails with EAGAIN.
 */
static void flush_through_pipe(int nonblock)
{
	struct itimerval tick = { { 0, 2000 }, { 0, 2000 } }, off = { 0 };
	struct sigaction sa = { .sa_handler = SIG_IGN };
	int pfd[2], status;
	struct outbuf ob;
	size_t i, len;
	pid_t pid;
	char *got;

	assert_int_equal(pipe(pfd), 0);
	fcntl(pfd[1], F_SETPIPE_SZ, 4096);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(pfd[1]);
		usleep(50000);		/* let the writer fill the pipe and wait */
		got = read_all(pfd[0], &len);
		if (len != PATTERN_LEN)
			_exit(2);
		for (i = 0; i < len; i++) {
			if (got[i] != pattern(i))
				_exit(3);
		}
		_exit(0);
	}
	close(pfd[0]);
	if (nonblock) {
		fcntl(pfd[1], F_SETFL, O_NONBLOCK);
	} else {
		/* A handler without SA_RESTART makes write() return early. */
		sa.sa_handler = on_alarm;
		sa.sa_flags = 0;
		alarms = 0;
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &tick, NULL);
	}
	assert_int_equal(outbuf__init(&ob, pfd[1], PATTERN_LEN), 0);
	for (i = 0; i < PATTERN_LEN; i++)
		ob.buf[i] = pattern(i);
	ob.len = PATTERN_LEN;
	assert_int_equal(outbuf__flush(&ob), 0);
	assert_int_equal(ob.written, PATTERN_LEN);
	setitimer(ITIMER_REAL, &off, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGALRM, &sa, NULL);
	outbuf__free(&ob);
	close(pfd[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	if (!nonblock)
		assert_true(alarms > 0);	/* the writes really were interrupted */
}

static void test_flush_eintr(void **state)
{
	flush_through_pipe(0);
}

static void test_flush_eagain(void **state)
{
	flush_through_pipe(1);
}

/* A reader that went away: -EPIPE, sticky, later puts dropped, no crash. */
static void test_epipe(void **state)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	struct outbuf ob;
	int pfd[2];

	assert_int_equal(pipe(pfd), 0);
	close(pfd[0]);
	assert_int_equal(outbuf__init(&ob, pfd[1], 4096), 0);
	outbuf__puts(&ob, "{\"event\":\"start\"}\n");
	assert_int_equal(outbuf__flush(&ob), -EPIPE);
	assert_int_equal(ob.err, EPIPE);
	assert_int_equal(ob.written, 0);
	assert_int_equal(ob.len, 0);
	outbuf__puts(&ob, "dropped");
	outbuf__hex(&ob, 0x1234);
	outbuf__json_str(&ob, "x", 1);
	assert_int_equal(ob.len, 0);
	assert_int_equal(outbuf__maybe_flush(&ob), -EPIPE);
	assert_int_equal(outbuf__flush(&ob), -EPIPE);
	/* Puts larger than the buffer must not try to grow or write either. */
	outbuf__spaces(&ob, 10000);
	assert_int_equal(ob.len, 0);
	assert_int_equal(ob.cap, 4096);
	outbuf__free(&ob);
	close(pfd[1]);
	signal(SIGPIPE, old);
}

static void test_bad_fd(void **state)
{
	struct outbuf ob;

	assert_int_equal(outbuf__init(&ob, 1000000, 4096), 0);
	outbuf__putc(&ob, 'x');
	assert_int_equal(outbuf__flush(&ob), -EBADF);
	outbuf__free(&ob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test_setup_teardown(test_u64, ob_setup, ob_teardown),
		cmocka_unit_test_setup_teardown(test_hex, ob_setup, ob_teardown),
		cmocka_unit_test_setup_teardown(test_put, ob_setup, ob_teardown),
		cmocka_unit_test_setup_teardown(test_json_escape, ob_setup, ob_teardown),
		cmocka_unit_test_setup_teardown(test_json_fuzz, ob_setup, ob_teardown),
		cmocka_unit_test_setup_teardown(test_csv_escape, ob_setup, ob_teardown),
		cmocka_unit_test_setup_teardown(test_text_escape, ob_setup, ob_teardown),
		cmocka_unit_test_setup_teardown(test_grow, ob_setup, ob_teardown),
		cmocka_unit_test(test_flush_file),
		cmocka_unit_test(test_flush_eintr),
		cmocka_unit_test(test_flush_eagain),
		cmocka_unit_test(test_epipe),
		cmocka_unit_test(test_bad_fd),
	};

	return cmocka_run_group_tests_name("outbuf", tests, NULL, NULL);
}
