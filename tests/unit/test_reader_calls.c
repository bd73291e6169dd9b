// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for user/event/reader.c (issue 10): records of the new calls,
 * exec's argv and the vma records go record -> event -> JSON line -> reader
 * -> event -> JSON line, and both lines must be the same bytes: the reader
 * loses nothing the writer wrote.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/types.h>
#include "memtrace.h"
#include "format.h"
#include "reader.h"
#include "vma_batch.h"

#define T0		5000000000ULL
#define HDR(type_, us)	{ .ts = T0 + (us) * 1000ULL, .type = (type_), .pid = 4242, \
			  .tid = 4242, .as = 1, .comm = "calls" }

struct rec {
	const void *p;
	size_t size;
};

static char *json_of(struct outbuf *ob, const struct mt_event *ev)
{
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = T0 };
	char *s;

	ob->len = 0;
	format__event(&f, ob, ev);
	s = strndup(ob->buf, ob->len);
	assert_non_null(s);
	return s;
}

/* Writes the records as a trace, reads it back, compares line by line. */
static void round_trip(const struct rec *recs, size_t n)
{
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = T0 };
	struct trace_start st = { .command = "calls", .target = "command", .root_pid = 4242 };
	char path[] = "/tmp/test_reader.XXXXXX", err[256], *want[32], *got;
	struct outbuf ob;
	struct reader r;
	struct mt_event ev;
	FILE *out;
	size_t i;
	int fd;

	assert_true(n <= 32);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	out = fdopen(fd, "w");
	assert_int_equal(outbuf__init(&ob, -1, 1 << 16), 0);
	format__start(&f, &ob, &st);
	fwrite(ob.buf, 1, ob.len, out);
	for (i = 0; i < n; i++) {
		assert_int_equal(event__from_record(&ev, recs[i].p, recs[i].size, T0), 0);
		want[i] = json_of(&ob, &ev);
		fputs(want[i], out);
	}
	fclose(out);
	assert_int_equal(reader__open(&r, path, err, sizeof(err)), 0);
	for (i = 0; i < n; i++) {
		if (reader__next(&r, &ev, err, sizeof(err)) != 1)
			fail_msg("reader: %s", err);
		got = json_of(&ob, &ev);
		assert_string_equal(got, want[i]);
		free(got);
		free(want[i]);
	}
	assert_int_equal(reader__next(&r, &ev, err, sizeof(err)), 0);
	reader__close(&r);
	outbuf__free(&ob);
	unlink(path);
}

static void test_calls(void **state)
{
	struct mt_mem_event madv = { .hdr = HDR(MT_EV_MADVISE, 1),
				     .args = { 0x7f0000000000, 16384, 4 } };
	struct mt_mem_event madv_unknown = { .hdr = HDR(MT_EV_MADVISE, 2),
					     .args = { 0x7f0000000000, 4096, 77 }, .ret = -22 };
	struct mt_mem_event pkey = { .hdr = HDR(MT_EV_MPROTECT, 3),
				     .args = { 0x7f0000001000, 4096, 1, MT_PKEY_SET | 0xffffffff } };
	struct mt_mem_event pkey15 = { .hdr = HDR(MT_EV_MPROTECT, 4),
				       .args = { 0x7f0000001000, 4096, 3, MT_PKEY_SET | 15 }, .ret = -22 };
	struct mt_mem_event mprot = { .hdr = HDR(MT_EV_MPROTECT, 5),
				      .args = { 0x7f0000001000, 4096, 3, 0 } };
	struct mt_mem_event shmat = { .hdr = HDR(MT_EV_SHMAT, 6),
				      .args = { 7, 0x7f1000000000, 010000, 12388 },
				      .ret = 0x7f1000000000 };
	struct mt_mem_event shmat_fail = { .hdr = HDR(MT_EV_SHMAT, 7),
					   .args = { (__u64)-1, 0, 0 }, .ret = -22 };
	struct mt_mem_event shmdt = { .hdr = HDR(MT_EV_SHMDT, 8),
				      .args = { 0x7f1000000000, 12388 } };
	struct mt_mem_event shmdt_unknown = { .hdr = HDR(MT_EV_SHMDT, 9),
					      .args = { 0x7f1000000000, 0 } };
	struct mt_mem_event dontunmap = { .hdr = HDR(MT_EV_MREMAP, 10),
					  .args = { 0x7f0000000000, 16384, 16384, 1 | 4,
						    0x7f2000000000 }, .ret = 0x7f2000000000 };
	struct mt_mem_event droppable = { .hdr = HDR(MT_EV_MMAP, 11),
					  .args = { 0, 4096, 3, 0x08 | 0x20, (__u64)-1, 0 },
					  .ret = 0x7f3000000000 };
	struct mt_vma_name_event name = { .hdr = HDR(MT_EV_VMA_NAME, 12),
					  .addr = 0x7f0000000000, .len = 16384,
					  .name = "calls \"buffer\"" };
	struct mt_vma_name_event noname = { .hdr = HDR(MT_EV_VMA_NAME, 13),
					    .addr = 0x7f0000000000, .len = 4096,
					    .flags = MT_VMA_NAME_NULL, .ret = -22 };
	const struct rec recs[] = {
		{ &madv, sizeof(madv) }, { &madv_unknown, sizeof(madv_unknown) },
		{ &pkey, sizeof(pkey) }, { &pkey15, sizeof(pkey15) }, { &mprot, sizeof(mprot) },
		{ &shmat, sizeof(shmat) }, { &shmat_fail, sizeof(shmat_fail) },
		{ &shmdt, sizeof(shmdt) }, { &shmdt_unknown, sizeof(shmdt_unknown) },
		{ &dontunmap, sizeof(dontunmap) }, { &droppable, sizeof(droppable) },
		{ &name, sizeof(name) }, { &noname, sizeof(noname) },
	};

	round_trip(recs, sizeof(recs) / sizeof(recs[0]));
}

/* An exec record with its arguments (the bytes of mm->arg_start..arg_end). */
struct exec_argv {
	struct mt_exec_event e;
	char data[64 + MT_ARGV_LEN];
};

static size_t exec_argv__fill(struct exec_argv *x, uint32_t us, const char *path,
			      const char *argv, size_t argv_len, uint32_t flags)
{
	memset(x, 0, sizeof(*x));
	x->e.hdr = (struct mt_header)HDR(MT_EV_EXEC, us);
	x->e.old_as = 1;
	x->e.old_tid = 4242;
	x->e.hdr.as = 2;
	x->e.flags = flags | MT_EXEC_HAS_ARGV;
	x->e.filename_len = strlen(path);
	memcpy(x->e.data, path, x->e.filename_len);
	x->e.argv_len = argv_len;
	memcpy(x->e.data + x->e.filename_len, argv, argv_len);
	return sizeof(x->e) + x->e.filename_len + argv_len;
}

/* issue 10: exec's argv (a JSON array) comes back as the writer wrote it. */
static void test_exec_argv(void **state)
{
	static const char plain[] = "cc1\0-quiet\0x.c";
	/* a space, an empty one, UTF-8, escapes (bytes that are not UTF-8: test_reader) */
	static const char odd[] = "a b\0\0\xc3\xa9\xe2\x82\xac\0\"q\\\0\t\x01\0";
	static struct exec_argv x[5];
	static char cut[MT_ARGV_LEN];
	size_t n[5];

	memset(cut, 'a', sizeof(cut));
	cut[10] = '\0';
	n[0] = exec_argv__fill(&x[0], 1, "/usr/lib/gcc/cc1", plain, sizeof(plain), 0);
	n[1] = exec_argv__fill(&x[1], 2, "/bin/odd", odd, sizeof(odd) - 1, 0);
	n[2] = exec_argv__fill(&x[2], 3, "/bin/none", "", 0, 0);	/* argv[0] NULL: [] */
	n[3] = exec_argv__fill(&x[3], 4, "/bin/long", cut, sizeof(cut), MT_EXEC_ARGV_TRUNCATED);
	n[4] = exec_argv__fill(&x[4], 5, "/bin/one", "", 1, 0);	/* one empty argument */
	{
		const struct rec recs[] = {
			{ &x[0], n[0] }, { &x[1], n[1] }, { &x[2], n[2] }, { &x[3], n[3] },
			{ &x[4], n[4] },
		};

		round_trip(recs, 5);
	}
}

/* issue 10: vma batches (tests/unit/vma_batch.h) */

/*
 * issue 10: vma records (one JSON line per VMA of a batch) come back as the
 * writer wrote them: a file, shared anonymous memory, kernel names, a cut
 * path, an attach map, a device beyond 8 bits.
 */
static void test_vma(void **state)
{
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = T0 };
	struct trace_start st = { .command = "calls", .target = "pid", .root_pid = 4242 };
	static struct vma_batch b[2];
	char path[] = "/tmp/test_reader.XXXXXX", err[256], *want, *got, *line, *save = NULL;
	struct mt_vma_event *h;
	struct outbuf ob, back;
	struct mt_event ev;
	struct reader r;
	FILE *out;
	int fd, i, n = 0;

	for (i = 0; i < 2; i++) {
		b[i].len = sizeof(struct mt_vma_event);
		h = (void *)b[i].buf;
		*h = (struct mt_vma_event){ .hdr = HDR(MT_EV_VMA, 20 + i), .flags = MT_VMA_LAST,
					    .origin = i ? MT_VMA_ORIGIN_ATTACH : MT_VMA_ORIGIN_EXEC };
	}
	vma_batch__add(&b[0], 0x55d6e4843000, 0x55d6e4848000, 5, MT_VMA_FILE, 0x2000,
		       254 << 20, 247134, "/usr/bin/cat");
	vma_batch__add(&b[0], 0x7f821da1d000, 0x7f821da3f000, 3, 0, 0, 0, 0, "");
	vma_batch__add(&b[0], 0x7f821da3f000, 0x7f821da40000, 3, MT_VMA_SHARED | MT_VMA_FILE, 0,
		       1, 1025, "/dev/zero (deleted)");
	vma_batch__add(&b[0], 0x7ffd70135000, 0x7ffd70156000, 3, 0, 0, 0, 0, "[stack]");
	vma_batch__add(&b[0], 0xffffffffff600000, 0xffffffffff601000, 4, 0, 0, 0, 0, "[vsyscall]");
	vma_batch__add(&b[1], 0x7f0000000000, 0x7f0000001000, 1,
		       MT_VMA_FILE | MT_VMA_NAME_TRUNCATED, 0, 259 << 20 | 0x1a, 12, "/d/e/f \"g\"");
	vma_batch__add(&b[1], 0x7f0000001000, 0x7f0000002000, 0, 0, 0, 0, 0, "[anon:calls buf]");

	fd = mkstemp(path);
	assert_true(fd >= 0);
	out = fdopen(fd, "w");
	assert_int_equal(outbuf__init(&ob, -1, 1 << 16), 0);
	assert_int_equal(outbuf__init(&back, -1, 1 << 16), 0);
	format__start(&f, &ob, &st);
	for (i = 0; i < 2; i++)
		n += format__records(&f, &ob, b[i].buf, b[i].len);
	assert_int_equal(n, 7);
	fwrite(ob.buf, 1, ob.len, out);
	fclose(out);
	assert_int_equal(reader__open(&r, path, err, sizeof(err)), 0);
	want = strndup(ob.buf, ob.len);
	assert_non_null(want);
	line = strtok_r(want, "\n", &save);	/* the start record */
	for (i = 0; i < n; i++) {
		line = strtok_r(NULL, "\n", &save);
		assert_non_null(line);
		if (reader__next(&r, &ev, err, sizeof(err)) != 1)
			fail_msg("reader: %s", err);
		got = json_of(&back, &ev);
		got[strcspn(got, "\n")] = '\0';
		assert_string_equal(got, line);
		free(got);
	}
	assert_int_equal(reader__next(&r, &ev, err, sizeof(err)), 0);
	reader__close(&r);
	free(want);
	outbuf__free(&ob);
	outbuf__free(&back);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_exec_argv),
		cmocka_unit_test(test_vma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
