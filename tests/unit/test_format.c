// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for user/format.c: every event type in text, JSON and CSV
 * with exact expected output, failure cases, hostile strings, the start
 * and summary records. Every JSON line is also parsed with jansson and
 * every CSV row is checked to have all the columns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <linux/types.h>
#include "memtrace.h"
#include "decode.h"
#include "format.h"
#include "vma_batch.h"

#define T0		5000000000ULL	/* CLOCK_MONOTONIC at trace start */
#define CSV_NCOLS	68	/* 33 + issue 11's 23 + issue 10's 12 */
#define HDR(type_, us)	{ .ts = T0 + (us) * 1000ULL, .type = (type_), .pid = 4242, \
			  .tid = 4242, .as = 1, .comm = "threads" }

static struct outbuf ob;

static int group_setup(void **state)
{
	return outbuf__init(&ob, -1, 4096);
}

static int group_teardown(void **state)
{
	outbuf__free(&ob);
	return 0;
}

/* The buffered bytes as a C string; empties the buffer for the next check. */
static const char *take(void)
{
	static char s[1 << 14];

	assert_true(ob.len < sizeof(s));
	memcpy(s, ob.buf, ob.len);
	s[ob.len] = '\0';
	ob.len = 0;
	return s;
}

/* Fields in one CSV row, by RFC 4180 rules; -1 if the quoting is broken. */
static int csv_fields(const char *row)
{
	int n = 1, quoted = 0;
	const char *p;

	for (p = row; *p && *p != '\n'; p++) {
		if (*p == '"') {
			if (quoted && p[1] == '"')
				p++;
			else if (quoted || p == row || p[-1] == ',')
				quoted = !quoted;
			else
				return -1;
		} else if (*p == ',' && !quoted) {
			n++;
		}
	}
	return quoted ? -1 : n;
}

/* Output must be one line and, for text and CSV, carry no control bytes. */
static void check_line(enum mt_format fmt, const char *s)
{
	size_t len = strlen(s), i;
	json_error_t jerr;
	json_t *j;

	assert_true(len > 0);
	assert_int_equal(s[len - 1], '\n');
	for (i = 0; i < len - 1; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			fail_msg("control byte 0x%02x at %zu in %s", s[i], i, s);
	}
	if (fmt == MT_FMT_JSON) {
		j = json_loads(s, 0, &jerr);
		if (!j)
			fail_msg("jansson rejects %s: %s", s, jerr.text);
		assert_true(json_is_object(j));
		json_decref(j);
	} else if (fmt == MT_FMT_CSV) {
		assert_int_equal(csv_fields(s), CSV_NCOLS);
	}
}

static const char *format(enum mt_format fmt, const void *rec, size_t size)
{
	struct formatter f = { .fmt = fmt, .t0 = T0 };
	const char *s;

	assert_int_equal(format__record(&f, &ob, rec, size), 0);
	s = take();
	check_line(fmt, s);
	return s;
}

/* The record in all three formats, each compared with what is expected. */
static void expect(const void *rec, size_t size, const char *text, const char *json,
		   const char *csv)
{
	assert_string_equal(format(MT_FMT_TEXT, rec, size), text);
	assert_string_equal(format(MT_FMT_JSON, rec, size), json);
	assert_string_equal(format(MT_FMT_CSV, rec, size), csv);
}

static void test_names(void **state)
{
	enum mt_format fmt = MT_FMT_TEXT;

	assert_int_equal(format__parse("json", &fmt), 0);
	assert_int_equal(fmt, MT_FMT_JSON);
	assert_int_equal(format__parse("csv", &fmt), 0);
	assert_int_equal(fmt, MT_FMT_CSV);
	assert_int_equal(format__parse("text", &fmt), 0);
	assert_int_equal(fmt, MT_FMT_TEXT);
	assert_int_equal(format__parse("JSON", &fmt), -EINVAL);
	assert_int_equal(format__parse("", &fmt), -EINVAL);
	assert_int_equal(fmt, MT_FMT_TEXT);
	assert_string_equal(format__name(MT_FMT_JSON), "json");
	assert_string_equal(format__name(MT_FMT_CSV), "csv");
	assert_string_equal(format__name(MT_FMT_TEXT), "text");
	assert_string_equal(event__name(MT_EV_FORK), "fork");
	assert_string_equal(event__name(MT_EV_MREMAP), "mremap");
	assert_null(event__name(MT_EV_NONE));
	assert_null(event__name(MT_EV_MAX));
	assert_null(event__name(1000));
	assert_int_equal(event__name_len(MT_EV_MAX), 0);
	for (uint32_t t = MT_EV_NONE + 1; t < MT_EV_MAX; t++)
		assert_int_equal(event__name_len(t), strlen(event__name(t)));
}

/* Short or unknown records: -EINVAL and nothing written. */
static void test_reject(void **state)
{
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = T0 };
	struct mt_mem_event m = { .hdr = HDR(MT_EV_MMAP, 1) };
	struct mt_exec_event e = { .hdr = HDR(MT_EV_EXEC, 1) };

	assert_int_equal(format__record(&f, &ob, &m, sizeof(m) - 1), -EINVAL);
	assert_int_equal(format__record(&f, &ob, &m, 4), -EINVAL);
	assert_int_equal(format__record(&f, &ob, &e, sizeof(struct mt_exec_event) - 1), -EINVAL);
	/* a variable-length record shorter than its strings */
	e.filename_len = 10;
	assert_int_equal(format__record(&f, &ob, &e, sizeof(struct mt_exec_event) + 9), -EINVAL);
	m.hdr.type = MT_EV_NONE;
	assert_int_equal(format__record(&f, &ob, &m, sizeof(m)), -EINVAL);
	m.hdr.type = MT_EV_MAX;
	assert_int_equal(format__record(&f, &ob, &m, sizeof(m)), -EINVAL);
	m.hdr.type = 0xffffffff;
	assert_int_equal(format__record(&f, &ob, &m, sizeof(m)), -EINVAL);
	assert_int_equal(ob.len, 0);
	/* Larger than the struct is fine: ring-buffer records are padded. */
	m.hdr.type = MT_EV_MUNMAP;
	assert_int_equal(format__record(&f, &ob, &m, sizeof(m)), 0);
	take();
}

static void test_mmap(void **state)
{
	struct mt_mem_event anon = {
		.hdr = HDR(MT_EV_MMAP, 412),
		.args = { 0, 8192, 3, 0x22, (__u64)-1, 0 },
		.ret = 0x7f3a0d5d5000,
	};
	/* fd as the kernel may see it: a 32-bit -1, zero-extended. */
	struct mt_mem_event anon32 = anon;
	struct mt_mem_event file = {
		.hdr = HDR(MT_EV_MMAP, 1500000),
		.args = { 0x400000, 0x2000, 5, 0x812, 3, 0x1000 },
		.ret = 0x400000,
	};

	anon32.args[4] = 0xffffffff;
	expect(&anon, sizeof(anon),
	       "   0.000412    4242    4242 threads             1 mmap      "
	       "0x7f3a0d5d5000 8 KiB rw- PRIVATE|ANONYMOUS\n",
	       "{\"ts\":412000,\"event\":\"mmap\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"addr\":\"0x7f3a0d5d5000\",\"len\":8192,\"prot\":\"rw-\","
	       "\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0}\n",
	       "412000,mmap,4242,4242,threads,1,0x7f3a0d5d5000,8192,rw-,MAP_PRIVATE|MAP_ANONYMOUS,-1,0,"
	       ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	assert_string_equal(format(MT_FMT_JSON, &anon32, sizeof(anon32)),
			    format(MT_FMT_JSON, &anon, sizeof(anon)));
	expect(&file, sizeof(file),
	       "   1.500000    4242    4242 threads             1 mmap      "
	       "0x400000 8 KiB r-x PRIVATE|FIXED|DENYWRITE fd 3 off 0x1000 hint 0x400000\n",
	       "{\"ts\":1500000000,\"event\":\"mmap\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"addr\":\"0x400000\",\"len\":8192,\"prot\":\"r-x\","
	       "\"flags\":\"MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE\",\"fd\":3,\"offset\":4096,"
	       "\"hint\":\"0x400000\"}\n",
	       "1500000000,mmap,4242,4242,threads,1,0x400000,8192,r-x,"
	       "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE,3,4096,0x400000,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
}

/* A failed mmap has `error` and no `addr`. */
static void test_mmap_error(void **state)
{
	struct mt_mem_event einval = {
		.hdr = HDR(MT_EV_MMAP, 600),
		.args = { 0, 0, 3, 0x22, (__u64)-1, 0 },
		.ret = -EINVAL,
	};
	struct mt_mem_event enomem = {
		.hdr = HDR(MT_EV_MMAP, 700),
		.args = { 0, 1ULL << 40, 3, 0x4022, (__u64)-1, 0 },
		.ret = -ENOMEM,
	};
	json_t *j;

	expect(&einval, sizeof(einval),
	       "   0.000600    4242    4242 threads             1 mmap      "
	       "EINVAL (0 B rw- PRIVATE|ANONYMOUS)\n",
	       "{\"ts\":600000,\"event\":\"mmap\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"len\":0,\"prot\":\"rw-\",\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,"
	       "\"offset\":0,\"error\":\"EINVAL\"}\n",
	       "600000,mmap,4242,4242,threads,1,,0,rw-,MAP_PRIVATE|MAP_ANONYMOUS,-1,0,"
	       ",,,,,,,,,,,,,,,,,,EINVAL,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	j = json_loads(format(MT_FMT_JSON, &enomem, sizeof(enomem)), 0, NULL);
	assert_non_null(j);
	assert_null(json_object_get(j, "addr"));
	assert_string_equal(json_string_value(json_object_get(j, "error")), "ENOMEM");
	assert_int_equal(json_integer_value(json_object_get(j, "len")), 1LL << 40);
	json_decref(j);
	assert_string_equal(format(MT_FMT_TEXT, &enomem, sizeof(enomem)),
			    "   0.000700    4242    4242 threads             1 mmap      "
			    "ENOMEM (1 TiB rw- PRIVATE|ANONYMOUS|NORESERVE)\n");
}

/* -4095 is the last errno value; -4096 is an address (0xfffffffffffff000). */
static void test_errno_boundary(void **state)
{
	struct mt_mem_event m = {
		.hdr = HDR(MT_EV_MMAP, 0),
		.args = { 0, 4096, 0, 0x22, (__u64)-1, 0 },
		.ret = -4095,
	};

	assert_non_null(strstr(format(MT_FMT_JSON, &m, sizeof(m)), ",\"error\":\"E4095\"}"));
	m.ret = -4096;
	assert_non_null(strstr(format(MT_FMT_JSON, &m, sizeof(m)), "\"addr\":\"0xfffffffffffff000\""));
	assert_null(strstr(format(MT_FMT_JSON, &m, sizeof(m)), "error"));
	m.ret = -1;
	assert_non_null(strstr(format(MT_FMT_JSON, &m, sizeof(m)), ",\"error\":\"EPERM\"}"));
}

static void test_munmap_mprotect(void **state)
{
	struct mt_mem_event un = {
		.hdr = HDR(MT_EV_MUNMAP, 500),
		.args = { 0x7f3a0d5d5000, 0x100000 },
		.ret = 0,
	};
	struct mt_mem_event prot = {
		.hdr = HDR(MT_EV_MPROTECT, 800),
		.args = { 0x7f3a0d5d5000, 0x1000, 1 },
		.ret = 0,
	};

	expect(&un, sizeof(un),
	       "   0.000500    4242    4242 threads             1 munmap    0x7f3a0d5d5000 1 MiB\n",
	       "{\"ts\":500000,\"event\":\"munmap\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"addr\":\"0x7f3a0d5d5000\",\"len\":1048576}\n",
	       "500000,munmap,4242,4242,threads,1,0x7f3a0d5d5000,1048576,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	/* munmap and mprotect keep their input addr and add error. */
	un.ret = -EINVAL;
	expect(&un, sizeof(un),
	       "   0.000500    4242    4242 threads             1 munmap    EINVAL (0x7f3a0d5d5000 1 MiB)\n",
	       "{\"ts\":500000,\"event\":\"munmap\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"addr\":\"0x7f3a0d5d5000\",\"len\":1048576,\"error\":\"EINVAL\"}\n",
	       "500000,munmap,4242,4242,threads,1,0x7f3a0d5d5000,1048576,,,,,,,,,,,,,,,,,,,,,,,EINVAL,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	expect(&prot, sizeof(prot),
	       "   0.000800    4242    4242 threads             1 mprotect  0x7f3a0d5d5000 4 KiB r--\n",
	       "{\"ts\":800000,\"event\":\"mprotect\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"addr\":\"0x7f3a0d5d5000\",\"len\":4096,\"prot\":\"r--\"}\n",
	       "800000,mprotect,4242,4242,threads,1,0x7f3a0d5d5000,4096,r--,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	prot.ret = -EACCES;
	prot.args[2] = 7;
	expect(&prot, sizeof(prot),
	       "   0.000800    4242    4242 threads             1 mprotect  "
	       "EACCES (0x7f3a0d5d5000 4 KiB rwx)\n",
	       "{\"ts\":800000,\"event\":\"mprotect\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"addr\":\"0x7f3a0d5d5000\",\"len\":4096,\"prot\":\"rwx\",\"error\":\"EACCES\"}\n",
	       "800000,mprotect,4242,4242,threads,1,0x7f3a0d5d5000,4096,rwx,,,,,,,,,,,,,,,,,,,,,,EACCES,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
}

static void test_brk(void **state)
{
	struct mt_mem_event q = {
		.hdr = HDR(MT_EV_BRK, 100),
		.args = { 0 },
		.ret = 0x55d0c3a1f000,
	};
	struct mt_mem_event grow = q, fail = q, intr = q;

	expect(&q, sizeof(q),
	       "   0.000100    4242    4242 threads             1 brk       query -> 0x55d0c3a1f000\n",
	       "{\"ts\":100000,\"event\":\"brk\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"req\":\"0x0\",\"addr\":\"0x55d0c3a1f000\"}\n",
	       "100000,brk,4242,4242,threads,1,0x55d0c3a1f000,,,,,,,0x0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	grow.args[0] = 0x55d0c3a40000;
	grow.ret = 0x55d0c3a40000;
	expect(&grow, sizeof(grow),
	       "   0.000100    4242    4242 threads             1 brk       "
	       "req 0x55d0c3a40000 -> 0x55d0c3a40000\n",
	       "{\"ts\":100000,\"event\":\"brk\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"req\":\"0x55d0c3a40000\",\"addr\":\"0x55d0c3a40000\"}\n",
	       "100000,brk,4242,4242,threads,1,0x55d0c3a40000,,,,,,,0x55d0c3a40000,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	/* Refused: the break comes back unchanged; that is ENOMEM. */
	fail.args[0] = 0x7fd0c3a40000;
	expect(&fail, sizeof(fail),
	       "   0.000100    4242    4242 threads             1 brk       "
	       "ENOMEM (req 0x7fd0c3a40000 -> 0x55d0c3a1f000)\n",
	       "{\"ts\":100000,\"event\":\"brk\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"req\":\"0x7fd0c3a40000\",\"addr\":\"0x55d0c3a1f000\",\"error\":\"ENOMEM\"}\n",
	       "100000,brk,4242,4242,threads,1,0x55d0c3a1f000,,,,,,,0x7fd0c3a40000,"
	       ",,,,,,,,,,,,,,,,ENOMEM,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	/* A fatal signal while waiting for the mm lock: a real -errno, no addr. */
	intr.args[0] = 0x55d0c3a40000;
	intr.ret = -EINTR;
	expect(&intr, sizeof(intr),
	       "   0.000100    4242    4242 threads             1 brk       EINTR (req 0x55d0c3a40000)\n",
	       "{\"ts\":100000,\"event\":\"brk\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"req\":\"0x55d0c3a40000\",\"error\":\"EINTR\"}\n",
	       "100000,brk,4242,4242,threads,1,,,,,,,,0x55d0c3a40000,,,,,,,,,,,,,,,,,EINTR,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
}

static void test_mremap(void **state)
{
	struct mt_mem_event ok = {
		.hdr = HDR(MT_EV_MREMAP, 900),
		.args = { 0x7f0000000000, 1 << 20, 2 << 20, 1, 0 },
		.ret = 0x7f2000000000,
	};
	struct mt_mem_event fixed = {
		.hdr = HDR(MT_EV_MREMAP, 900),
		.args = { 0x7f0000000000, 1 << 20, 2 << 20, 3, 0x7f1000000000 },
		.ret = -ENOMEM,
	};
	struct mt_mem_event shrink = {
		.hdr = HDR(MT_EV_MREMAP, 900),
		.args = { 0x7f0000000000, 2 << 20, 1 << 20, 0, 0 },
		.ret = 0x7f0000000000,
	};

	expect(&ok, sizeof(ok),
	       "   0.000900    4242    4242 threads             1 mremap    "
	       "0x7f0000000000 1 MiB -> 0x7f2000000000 2 MiB MAYMOVE\n",
	       "{\"ts\":900000,\"event\":\"mremap\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"addr\":\"0x7f2000000000\",\"old_addr\":\"0x7f0000000000\",\"old_len\":1048576,"
	       "\"new_len\":2097152,\"flags\":\"MREMAP_MAYMOVE\"}\n",
	       "900000,mremap,4242,4242,threads,1,0x7f2000000000,,,MREMAP_MAYMOVE,,,,,"
	       "0x7f0000000000,1048576,2097152,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	expect(&fixed, sizeof(fixed),
	       "   0.000900    4242    4242 threads             1 mremap    "
	       "ENOMEM (0x7f0000000000 1 MiB -> 0x7f1000000000 2 MiB MAYMOVE|FIXED)\n",
	       "{\"ts\":900000,\"event\":\"mremap\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"old_addr\":\"0x7f0000000000\",\"old_len\":1048576,\"new_len\":2097152,"
	       "\"flags\":\"MREMAP_MAYMOVE|MREMAP_FIXED\",\"new_addr\":\"0x7f1000000000\","
	       "\"error\":\"ENOMEM\"}\n",
	       "900000,mremap,4242,4242,threads,1,,,,MREMAP_MAYMOVE|MREMAP_FIXED,,,,,"
	       "0x7f0000000000,1048576,2097152,0x7f1000000000,,,,,,,,,,,,,ENOMEM,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	expect(&shrink, sizeof(shrink),
	       "   0.000900    4242    4242 threads             1 mremap    "
	       "0x7f0000000000 2 MiB -> 0x7f0000000000 1 MiB\n",
	       "{\"ts\":900000,\"event\":\"mremap\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"addr\":\"0x7f0000000000\",\"old_addr\":\"0x7f0000000000\",\"old_len\":2097152,"
	       "\"new_len\":1048576,\"flags\":\"0\"}\n",
	       "900000,mremap,4242,4242,threads,1,0x7f0000000000,,,0,,,,,"
	       "0x7f0000000000,2097152,1048576,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
}

static void test_fork(void **state)
{
	struct mt_fork_event thread = {
		.hdr = HDR(MT_EV_FORK, 1100),
		.child_pid = 4242, .child_tid = 4243, .child_as = 1,
		.fork_flags = MT_FORK_FLAGS_KNOWN | MT_FORK_SHARED_VM,
		.clone_flags = 0x3d0f00, .exit_signal = -1, .syscall_nr = 56,
	};
	struct mt_fork_event proc = {
		.hdr = HDR(MT_EV_FORK, 1200),
		.child_pid = 4250, .child_tid = 4250, .child_as = 2,
		.fork_flags = MT_FORK_FLAGS_KNOWN, .clone_flags = 0, .exit_signal = 17,
		.syscall_nr = 57,
	};
	struct mt_fork_event vfork = {
		.hdr = HDR(MT_EV_FORK, 1300),
		.child_pid = 4251, .child_tid = 4251, .child_as = 1,
		.fork_flags = MT_FORK_FLAGS_KNOWN | MT_FORK_SHARED_VM,
		.clone_flags = 0x4100, .exit_signal = 17, .syscall_nr = 58,
	};
	struct mt_fork_event unknown = {
		.hdr = HDR(MT_EV_FORK, 1400),
		.child_pid = 4252, .child_tid = 4252, .child_as = 3,
		.fork_flags = 0, .clone_flags = 0, .syscall_nr = ~0U,
	};

	expect(&thread, sizeof(thread),
	       "   0.001100    4242    4242 threads             1 fork      thread 4243 (as 1) "
	       "clone(VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID)\n",
	       "{\"ts\":1100000,\"event\":\"fork\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"child_pid\":4242,\"child_tid\":4243,\"thread\":true,\"child_as\":1,\"shared_vm\":true,"
	       "\"flags\":\"CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
	       "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID\",\"exit_signal\":0,"
	       "\"syscall\":\"clone\"}\n",
	       "1100000,fork,4242,4242,threads,1,,,,CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
	       "CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID,"
	       ",,,,,,,,4242,4243,1,1,1,clone,,,,,,,,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	expect(&proc, sizeof(proc),
	       "   0.001200    4242    4242 threads             1 fork      process 4250 (as 2) "
	       "fork(SIGCHLD)\n",
	       "{\"ts\":1200000,\"event\":\"fork\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"child_pid\":4250,\"child_tid\":4250,\"thread\":false,\"child_as\":2,\"shared_vm\":false,"
	       "\"flags\":\"SIGCHLD\",\"exit_signal\":17,\"syscall\":\"fork\"}\n",
	       "1200000,fork,4242,4242,threads,1,,,,SIGCHLD,,,,,,,,,4250,4250,2,0,0,fork,,,,,,,,17,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	expect(&vfork, sizeof(vfork),
	       "   0.001300    4242    4242 threads             1 fork      process 4251 "
	       "(as 1, shared vm) vfork(VM|VFORK|SIGCHLD)\n",
	       "{\"ts\":1300000,\"event\":\"fork\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"child_pid\":4251,\"child_tid\":4251,\"thread\":false,\"child_as\":1,\"shared_vm\":true,"
	       "\"flags\":\"CLONE_VM|CLONE_VFORK|SIGCHLD\",\"exit_signal\":17,\"syscall\":\"vfork\"}\n",
	       "1300000,fork,4242,4242,threads,1,,,,CLONE_VM|CLONE_VFORK|SIGCHLD,,,,,,,,,"
	       "4251,4251,1,0,1,vfork,,,,,,,,17,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	/* Flags unknown: null, not "0"; an unknown syscall is null too. */
	expect(&unknown, sizeof(unknown),
	       "   0.001400    4242    4242 threads             1 fork      process 4252 (as 3)\n",
	       "{\"ts\":1400000,\"event\":\"fork\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"child_pid\":4252,\"child_tid\":4252,\"thread\":false,\"child_as\":3,\"shared_vm\":false,"
	       "\"flags\":null,\"exit_signal\":null,\"syscall\":null}\n",
	       "1400000,fork,4242,4242,threads,1,,,,,,,,,,,,,4252,4252,3,0,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	unknown.syscall_nr = 435;
	assert_string_equal(format(MT_FMT_TEXT, &unknown, sizeof(unknown)),
			    "   0.001400    4242    4242 threads             1 fork      "
			    "process 4252 (as 3) clone3\n");
	/* issue 17: a failed creation has no child, the flags asked for and its error */
	struct mt_fork_event failed = {
		.hdr = HDR(MT_EV_FORK, 1500),
		.fork_flags = MT_FORK_FLAGS_KNOWN, .clone_flags = 0x800, .exit_signal = 0,
		.syscall_nr = 56, .ret = -22,
	};
	expect(&failed, sizeof(failed),
	       "   0.001500    4242    4242 threads             1 fork      EINVAL clone(SIGHAND)\n",
	       "{\"ts\":1500000,\"event\":\"fork\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
	       "\"thread\":false,\"shared_vm\":false,\"flags\":\"CLONE_SIGHAND\",\"exit_signal\":0,"
	       "\"syscall\":\"clone\",\"error\":\"EINVAL\"}\n",
	       "1500000,fork,4242,4242,threads,1,,,,CLONE_SIGHAND,,,,,,,,,,,,0,0,clone,,,,,,,EINVAL,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	/* clone3's CLONE_NEWTIME: a flag, the signal apart */
	failed.clone_flags = 0x80;
	failed.exit_signal = 17;
	failed.syscall_nr = 435;
	failed.ret = 0;
	failed.child_pid = failed.child_tid = 4260;
	failed.child_as = 4;
	assert_string_equal(format(MT_FMT_JSON, &failed, sizeof(failed)),
			    "{\"ts\":1500000,\"event\":\"fork\",\"pid\":4242,\"tid\":4242,"
			    "\"comm\":\"threads\",\"as\":1,\"child_pid\":4260,\"child_tid\":4260,"
			    "\"thread\":false,\"child_as\":4,\"shared_vm\":false,"
			    "\"flags\":\"CLONE_NEWTIME|SIGCHLD\",\"exit_signal\":17,"
			    "\"syscall\":\"clone3\"}\n");
	unknown.syscall_nr = 1;
	unknown.fork_flags = MT_FORK_FLAGS_KNOWN;
	unknown.clone_flags = 0;
	unknown.exit_signal = 17;
	assert_string_equal(format(MT_FMT_TEXT, &unknown, sizeof(unknown)),
			    "   0.001400    4242    4242 threads             1 fork      "
			    "process 4252 (as 3) SIGCHLD\n");
}

/* An exec record: the fixed part, then the path (variable length). */
struct exec_rec {
	struct mt_exec_event e;
	char filename[MT_PATH_LEN];
};

static void exec_rec__path(struct exec_rec *r, const char *path)
{
	r->e.filename_len = strlen(path);
	memcpy(r->e.data, path, r->e.filename_len);
}

static void test_exec(void **state)
{
	struct exec_rec r = { .e = {
		.hdr = HDR(MT_EV_EXEC, 0),
		.old_tid = 4242, .old_as = 1,
	} };

	exec_rec__path(&r, "/work/main/workloads/threads");

	r.e.hdr.as = 2;
	expect(&r, sizeof(r.e) + r.e.filename_len,
	       "   0.000000    4242    4242 threads             2 exec      "
	       "/work/main/workloads/threads (old as 1)\n",
	       "{\"ts\":0,\"event\":\"exec\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":2,"
	       "\"filename\":\"/work/main/workloads/threads\",\"old_as\":1}\n",
	       "0,exec,4242,4242,threads,2,,,,,,,,,,,,,,,,,,,/work/main/workloads/threads,,1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	/* A non-leader thread exec'd: it takes over the leader's tid. */
	r.e.old_tid = 4245;
	expect(&r, sizeof(r.e) + r.e.filename_len,
	       "   0.000000    4242    4242 threads             2 exec      "
	       "/work/main/workloads/threads (old as 1, old tid 4245)\n",
	       "{\"ts\":0,\"event\":\"exec\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":2,"
	       "\"filename\":\"/work/main/workloads/threads\",\"old_as\":1,\"old_tid\":4245}\n",
	       "0,exec,4242,4242,threads,2,,,,,,,,,,,,,,,,,,,/work/main/workloads/threads,4245,1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	/* A failed execve: the image stays, the error is named, the as unchanged. */
	r.e.old_tid = 4242;
	r.e.old_as = 2;
	r.e.ret = -2;
	exec_rec__path(&r, "/nonexist/x");
	expect(&r, sizeof(r.e) + r.e.filename_len,
	       "   0.000000    4242    4242 threads             2 exec      "
	       "ENOENT /nonexist/x\n",
	       "{\"ts\":0,\"event\":\"exec\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":2,"
	       "\"filename\":\"/nonexist/x\",\"old_as\":2,\"error\":\"ENOENT\"}\n",
	       "0,exec,4242,4242,threads,2,,,,,,,,,,,,,,,,,,,/nonexist/x,,2,,,,ENOENT,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
}

/* issue 10: vma batches (tests/unit/vma_batch.h) */

/* Every VMA of a batch, formatted: one line each. */
static const char *format_batch(enum mt_format fmt, const struct vma_batch *b, int *n)
{
	struct formatter f = { .fmt = fmt, .t0 = T0 };

	const char *s, *nl;

	*n = format__records(&f, &ob, b->buf, b->len);
	s = take();
	/* each line on its own: valid JSON, all CSV columns */
	for (const char *p = s; *p; p = nl + 1) {
		char line[1024];

		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true((size_t)(nl - p) < sizeof(line) - 1);
		memcpy(line, p, nl - p + 1);
		line[nl - p + 1] = '\0';
		check_line(fmt, line);
	}
	return s;
}

static void test_vma(void **state)
{
	struct vma_batch b = { .len = sizeof(struct mt_vma_event) };
	struct mt_vma_event *h = (void *)b.buf;
	struct mt_event ev;
	struct event_vma_cursor c;
	int n;

	*h = (struct mt_vma_event){ .hdr = HDR(MT_EV_VMA, 2), .origin = MT_VMA_ORIGIN_EXEC,
				    .flags = MT_VMA_LAST };
	vma_batch__add(&b, 0x55d6e4843000, 0x55d6e4848000, 5, MT_VMA_FILE, 0x2000,
		       (254 << 20) | 0, 247134, "/usr/bin/cat");
	vma_batch__add(&b, 0x7f821da1d000, 0x7f821da3f000, 3, MT_VMA_SHARED, 0, 0, 0, "");
	vma_batch__add(&b, 0x7ffd70135000, 0x7ffd70156000, 3, 0, 0, 0, 0, "[stack]");
	assert_string_equal(format_batch(MT_FMT_JSON, &b, &n),
		"{\"ts\":2000,\"event\":\"vma\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
		"\"origin\":\"exec\",\"start\":\"0x55d6e4843000\",\"end\":\"0x55d6e4848000\",\"prot\":\"r-x\","
		"\"shared\":false,\"offset\":8192,\"dev\":\"fe:00\",\"inode\":247134,\"path\":\"/usr/bin/cat\"}\n"
		"{\"ts\":2000,\"event\":\"vma\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
		"\"origin\":\"exec\",\"start\":\"0x7f821da1d000\",\"end\":\"0x7f821da3f000\",\"prot\":\"rw-\","
		"\"shared\":true,\"offset\":0,\"dev\":\"00:00\",\"inode\":0}\n"
		"{\"ts\":2000,\"event\":\"vma\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\",\"as\":1,"
		"\"origin\":\"exec\",\"start\":\"0x7ffd70135000\",\"end\":\"0x7ffd70156000\",\"prot\":\"rw-\","
		"\"shared\":false,\"offset\":0,\"dev\":\"00:00\",\"inode\":0,\"name\":\"[stack]\"}\n");
	assert_int_equal(n, 3);
	assert_string_equal(format_batch(MT_FMT_TEXT, &b, &n),
		"   0.000002    4242    4242 threads             1 vma       "
		"0x55d6e4843000-0x55d6e4848000 20 KiB r-xp off 0x2000 dev fe:00 inode 247134 /usr/bin/cat (exec)\n"
		"   0.000002    4242    4242 threads             1 vma       "
		"0x7f821da1d000-0x7f821da3f000 136 KiB rw-s (exec)\n"
		"   0.000002    4242    4242 threads             1 vma       "
		"0x7ffd70135000-0x7ffd70156000 132 KiB rw-p [stack] (exec)\n");
	h->origin = MT_VMA_ORIGIN_ATTACH;
	assert_string_equal(format_batch(MT_FMT_CSV, &b, &n),
		"2000,vma,4242,4242,threads,1,,,r-x,,,8192,,,,,,,,,,,,,,,,,,,,,,0x55d6e4843000,0x55d6e4848000,"
		",,,,,,,,,,,,,,,,,,,,,,,,,/usr/bin/cat,,,,attach,0,fe:00,247134\n"
		"2000,vma,4242,4242,threads,1,,,rw-,,,0,,,,,,,,,,,,,,,,,,,,,,0x7f821da1d000,0x7f821da3f000,"
		",,,,,,,,,,,,,,,,,,,,,,,,,,,,,attach,1,00:00,0\n"
		"2000,vma,4242,4242,threads,1,,,rw-,,,0,,,,,,,,,,,,,,,,,,,,,,0x7ffd70135000,0x7ffd70156000,"
		",,,,,,,,,,,,,,,,,,,,,,,,[stack],,,,,attach,0,00:00,0\n");
	/* the cursor gives the same VMAs one at a time */
	assert_int_equal(event__from_record(&ev, b.buf, b.len, T0), 0);
	event__vma_begin(&c, b.buf, b.len);
	assert_int_equal(ev.vma.start, 0x55d6e4843000);
	assert_true(event__vma_next(&c, &ev));
	assert_true(ev.vma.shared);
	assert_true(event__vma_next(&c, &ev));
	assert_int_equal(ev.vma.name.max, 7);
	assert_false(event__vma_next(&c, &ev));
	assert_int_equal(event__record_events(b.buf), 3);
	/* malformed: an entry past the end, a name past the end, no entry */
	assert_int_equal(format__records(&(struct formatter){ .fmt = MT_FMT_JSON }, &ob, b.buf,
					 b.len - 8), -EINVAL);
	h->count = 4;
	assert_int_equal(format__records(&(struct formatter){ .fmt = MT_FMT_JSON }, &ob, b.buf,
					 b.len), -EINVAL);
	h->count = 0;
	assert_int_equal(format__records(&(struct formatter){ .fmt = MT_FMT_JSON }, &ob, b.buf,
					 b.len), -EINVAL);
	assert_int_equal(ob.len, 0);
}

static void test_exit(void **state)
{
	struct mt_exit_event thr = {
		.hdr = HDR(MT_EV_EXIT, 1200),
		.exit_code = 0, .flags = 0,
	};
	struct mt_exit_event proc = {
		.hdr = HDR(MT_EV_EXIT, 3000000),
		.exit_code = 3 << 8, .flags = MT_EXIT_GROUP_DEAD,
	};
	struct mt_exit_event segv = {
		.hdr = HDR(MT_EV_EXIT, 3000000),
		.exit_code = 0x80 | 11, .flags = MT_EXIT_GROUP_DEAD,
	};

	thr.hdr.tid = 4243;
	expect(&thr, sizeof(thr),
	       "   0.001200    4242    4243 threads             1 exit      thread exit code 0\n",
	       "{\"ts\":1200000,\"event\":\"exit\",\"pid\":4242,\"tid\":4243,\"comm\":\"threads\",\"as\":1,"
	       "\"code\":0,\"signal\":0,\"core\":false,\"thread\":true}\n",
	       "1200000,exit,4242,4243,threads,1,,,,,,,,,,,,,,,,1,,,,,,0,0,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	expect(&proc, sizeof(proc),
	       "   3.000000    4242    4242 threads             1 exit      exit code 3\n",
	       "{\"ts\":3000000000,\"event\":\"exit\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\","
	       "\"as\":1,\"code\":3,\"signal\":0,\"core\":false,\"thread\":false}\n",
	       "3000000000,exit,4242,4242,threads,1,,,,,,,,,,,,,,,,0,,,,,,3,0,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	expect(&segv, sizeof(segv),
	       "   3.000000    4242    4242 threads             1 exit      "
	       "killed by SIGSEGV (core dumped)\n",
	       "{\"ts\":3000000000,\"event\":\"exit\",\"pid\":4242,\"tid\":4242,\"comm\":\"threads\","
	       "\"as\":1,\"code\":0,\"signal\":11,\"core\":true,\"thread\":false}\n",
	       "3000000000,exit,4242,4242,threads,1,,,,,,,,,,,,,,,,0,,,,,,0,11,1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
	thr.exit_code = 9;
	assert_string_equal(format(MT_FMT_TEXT, &thr, sizeof(thr)),
			    "   0.001200    4242    4243 threads             1 exit      "
			    "thread killed by SIGKILL\n");
	thr.exit_code = 42;
	assert_string_equal(format(MT_FMT_TEXT, &thr, sizeof(thr)),
			    "   0.001200    4242    4243 threads             1 exit      "
			    "thread killed by SIG42\n");
}

/*
 * The writers format numbers and addresses in place (outbuf.c
 * outbuf__dec_at, outbuf__hex_at): every digit count, carry and the
 * extremes, against printf.
 */
static void test_json_numbers(void **state)
{
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = 0 };
	struct mt_mem_event m = { .hdr = HDR(MT_EV_MUNMAP, 0) };
	uint64_t vals[3 * 20 + 3 * 16 + 8];
	char want[512];
	size_t n = 0, i;
	uint64_t p;
	int k;

	/* 10^k - 1, 10^k, 10^k + 1 and 16^k - 1, 16^k, 16^k + 1 */
	for (k = 0, p = 1; k < 20; k++, p *= 10) {
		vals[n++] = p - 1;
		vals[n++] = p;
		vals[n++] = p + 1;
	}
	for (k = 0, p = 1; k < 16; k++, p *= 16) {
		vals[n++] = p - 1;
		vals[n++] = p;
		vals[n++] = p + 1;
	}
	vals[n++] = UINT32_MAX;
	vals[n++] = (uint64_t)UINT32_MAX + 1;
	vals[n++] = 1ULL << 53;
	vals[n++] = (1ULL << 53) + 1;
	vals[n++] = INT64_MAX;
	vals[n++] = (uint64_t)INT64_MAX + 1;
	vals[n++] = UINT64_MAX - 1;
	vals[n++] = UINT64_MAX;
	assert_int_equal(n, sizeof(vals) / sizeof(vals[0]));
	for (i = 0; i < n; i++) {
		m.hdr.ts = vals[i];
		m.hdr.pid = (uint32_t)vals[i];
		m.hdr.tid = (uint32_t)(vals[i] >> 32);
		m.hdr.as = (uint32_t)vals[(i + 1) % n];
		m.args[0] = vals[i];
		m.args[1] = vals[n - 1 - i];
		snprintf(want, sizeof(want),
			 "{\"ts\":%llu,\"event\":\"munmap\",\"pid\":%u,\"tid\":%u,\"comm\":\"threads\","
			 "\"as\":%u,\"addr\":\"0x%llx\",\"len\":%llu}\n",
			 (unsigned long long)m.hdr.ts, m.hdr.pid, m.hdr.tid, m.hdr.as,
			 (unsigned long long)m.args[0], (unsigned long long)m.args[1]);
		assert_int_equal(format__record(&f, &ob, &m, sizeof(m)), 0);
		assert_string_equal(take(), want);
	}
}

/* JSON's prot has a table for the rwx combinations: it must say what decode__prot says. */
static void test_json_prot(void **state)
{
	static const uint64_t prots[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x1000000, 0x2000007, 0x1000000000ULL, UINT64_MAX,
	};
	struct mt_mem_event m = {
		.hdr = HDR(MT_EV_MPROTECT, 800),
		.args = { 0x7f3a0d5d5000, 0x1000 },
	};
	char want[256], names[256];
	size_t i;

	for (i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		m.args[2] = prots[i];
		snprintf(want, sizeof(want), ",\"prot\":\"%s\"}\n",
			 decode__prot(prots[i], names, sizeof(names)));
		assert_non_null(strstr(format(MT_FMT_JSON, &m, sizeof(m)), want));
	}
}

/* ts is relative to t0 and never wraps below it; wide values still line up. */
static void test_ts(void **state)
{
	struct mt_mem_event m = {
		.hdr = HDR(MT_EV_MUNMAP, 0),
		.args = { 0x1000, 0x1000 },
	};

	m.hdr.ts = T0 - 1;
	assert_non_null(strstr(format(MT_FMT_JSON, &m, sizeof(m)), "{\"ts\":0,"));
	m.hdr.ts = 0;
	assert_non_null(strstr(format(MT_FMT_CSV, &m, sizeof(m)), "0,munmap,"));
	m.hdr.ts = T0 + 12345678999999ULL;
	m.hdr.pid = 4194304;
	m.hdr.tid = 4194303;
	m.hdr.as = 65535;
	assert_string_equal(format(MT_FMT_TEXT, &m, sizeof(m)),
			    "12345.678999 4194304 4194303 threads          65535 munmap    0x1000 4 KiB\n");
	assert_non_null(strstr(format(MT_FMT_JSON, &m, sizeof(m)), "{\"ts\":12345678999999,"));
}

/*
 * comm is 16 bytes with no NUL (the next field must not leak in); the
 * filename is 256 bytes with no NUL, followed by junk that must not print.
 */
static void test_hostile_strings(void **state)
{
	/* 16 bytes: the literal's NUL is not copied. */
	static const char comm[] = "\"q\\\x01\x7f\xff\xfe,\n\te\xc3\xa9xyz";
	struct {
		struct mt_exec_event e;
		char filename[MT_PATH_LEN];
		char junk[16];
	} rec;
	json_error_t jerr;
	const char *s;
	json_t *j;

	memset(&rec, 'Z', sizeof(rec));
	rec.e.hdr = (struct mt_header)HDR(MT_EV_EXEC, 1);
	assert_int_equal(sizeof(comm), MT_COMM_LEN + 1);
	memcpy(rec.e.hdr.comm, comm, MT_COMM_LEN);
	rec.e.old_tid = 0x41414141;	/* "AAAA" right after comm */
	rec.e.old_as = 1;
	memset(rec.filename, 'f', sizeof(rec.filename));
	rec.filename[0] = '/';
	rec.filename[1] = '\x1b';
	rec.filename[2] = '\x80';
	rec.e.filename_len = MT_PATH_LEN;
	rec.e.argv_len = 0;
	rec.e.flags = 0;

	s = format(MT_FMT_JSON, &rec, sizeof(rec));
	assert_non_null(strstr(s, ",\"comm\":\"\\\"q\\\\\\u0001\\u007f\\u00ff\\u00fe,\\n\\te\xc3\xa9xyz\","));
	assert_null(strstr(s, "AAAA"));
	assert_null(strstr(s, "Z"));
	j = json_loads(s, 0, &jerr);
	if (!j)
		fail_msg("jansson: %s", jerr.text);
	/* Invalid bytes decode as the code point of the same value. */
	assert_string_equal(json_string_value(json_object_get(j, "comm")),
			    "\"q\\\x01\x7f\xc3\xbf\xc3\xbe,\n\te\xc3\xa9xyz");
	assert_int_equal(strlen(json_string_value(json_object_get(j, "filename"))), MT_PATH_LEN + 1);
	assert_int_equal(json_integer_value(json_object_get(j, "old_tid")), 0x41414141);
	json_decref(j);

	s = format(MT_FMT_TEXT, &rec, sizeof(rec));
	assert_non_null(strstr(s, " \"q\\\\\\x01\\x7f\\xff\\xfe,\\x0a\\x09e\xc3\xa9xyz    1 exec      "
				  "/\\x1b\\x80fff"));
	assert_null(strstr(s, "AAAA"));
	assert_null(strstr(s, "Z"));

	s = format(MT_FMT_CSV, &rec, sizeof(rec));
	assert_non_null(strstr(s, ",\"\"\"q\\\\\\x01\\x7f\\xff\\xfe,\\x0a\\x09e\xc3\xa9xyz\","));
	assert_non_null(strstr(s, ",/\\x1b\\x80fff"));
	assert_null(strstr(s, "Z"));

	/* Short comm: padded in text so the columns stay aligned. */
	memset(rec.e.hdr.comm, 0, MT_COMM_LEN);
	memcpy(rec.e.hdr.comm, "a\x01", 2);
	assert_non_null(strstr(format(MT_FMT_TEXT, &rec, sizeof(rec)),
			       "    4242 a\\x01               1 exec"));
	/* A comma forces quotes in CSV; an empty filename is an empty field. */
	memcpy(rec.e.hdr.comm, "a,b", 4);
	rec.e.filename_len = 0;
	assert_string_equal(format(MT_FMT_CSV, &rec, sizeof(rec)),
			    "1000,exec,4242,4242,\"a,b\",1,,,,,,,,,,,,,,,,,,,,1094795585,1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
}

static void test_start(void **state)
{
	struct trace_start st = {
		.command = "./workloads/threads 4",
		.target = "workload",
		.kernel_release = "6.1.0-18-amd64",
		.version = "0.1.0",
		.hostname = "web-3",
		.boot_id = "2b609966-35f8-46f2-b5fb-6c2f029a551b",
		.wall_start_ns = 1795632967123456789LL,
		.root_pid = 4242,
	};
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = T0 };
	json_t *j;

	format__start(&f, &ob, &st);
	assert_string_equal(take(),
			    "{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\","
			    "\"command\":\"./workloads/threads 4\",\"target\":\"workload\",\"root_pid\":4242,"
			    "\"kernel\":\"6.1.0-18-amd64\",\"hostname\":\"web-3\","
			    "\"boot_id\":\"2b609966-35f8-46f2-b5fb-6c2f029a551b\","
			    "\"wall_start\":\"2026-11-25T18:56:07.123456789Z\","
			    "\"wall_start_ns\":1795632967123456789,\"ts\":0}\n");
	/* Missing strings are null; a command is escaped like any string. */
	st.command = "sh -c 'echo \"hi\"\n'";
	st.kernel_release = NULL;
	st.version = NULL;
	st.hostname = NULL;
	st.wall_start_ns = 5;
	st.root_pid = 0;
	format__start(&f, &ob, &st);
	j = json_loads(take(), 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "command")), st.command);
	assert_true(json_is_null(json_object_get(j, "kernel")));
	assert_true(json_is_null(json_object_get(j, "version")));
	assert_true(json_is_null(json_object_get(j, "hostname")));
	assert_string_equal(json_string_value(json_object_get(j, "wall_start")),
			    "1970-01-01T00:00:00.000000005Z");
	assert_int_equal(json_integer_value(json_object_get(j, "schema")), MT_SCHEMA_VERSION);
	json_decref(j);

	f.fmt = MT_FMT_CSV;
	format__start(&f, &ob, &st);
	assert_string_equal(take(),
			    "ts,event,pid,tid,comm,as,addr,len,prot,flags,fd,offset,hint,req,"
			    "old_addr,old_len,new_len,new_addr,child_pid,child_tid,child_as,thread,"
			    "shared_vm,syscall,filename,old_tid,old_as,code,signal,core,error,exit_signal,filename_truncated,"
			    "start,end,region,kind,reason,faults_anon,faults_cow,faults_file,faults_file_cow,"
			    "faults_shared,faults_stack,faults_other,faults_total,ip,class,write,kernel,"
			    "rss_anon,rss_file,rss_shmem,rss_swap,rss_total,rss_peak,"
			    "advice,pkey,shmid,name,path,path_truncated,argv,argv_truncated,origin,shared,dev,inode\n");
	f.fmt = MT_FMT_TEXT;
	format__start(&f, &ob, &st);
	assert_string_equal(take(),
			    "    TIME(s)     PID     TID COMM               AS EVENT     DETAILS\n");
}

static void test_summary(void **state)
{
	struct trace_summary sum = {
		.events = { [MT_EV_FORK] = 4, [MT_EV_EXEC] = 1, [MT_EV_EXIT] = 5,
			    [MT_EV_MMAP] = 30, [MT_EV_MUNMAP] = 2, [MT_EV_BRK] = 3,
			    [MT_EV_MPROTECT] = 6, [MT_EV_MREMAP] = 1 },
		.lost = { [MT_EV_MMAP] = 15, [MT_EV_MUNMAP] = 2 },
		.unfollowed = 3,
		.unnumbered = 1,
		.duration_ns = 520000000,
		.exit_status = 0,
	};
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = T0 };

	format__summary(&f, &ob, &sum);
	assert_string_equal(take(),
			    "{\"event\":\"summary\",\"ts\":520000000,\"duration_ns\":520000000,"
			    "\"events\":{\"fork\":4,\"exec\":1,\"exit\":5,\"mmap\":30,\"munmap\":2,"
			    "\"brk\":3,\"mprotect\":6,\"mremap\":1,\"faults\":0,\"fault\":0,\"rss\":0,\"as_end\":0,\"madvise\":0,\"shmat\":0,\"shmdt\":0,\"vma_name\":0,\"vma\":0},\"lost\":17,"
			    "\"lost_by_type\":{\"fork\":0,\"exec\":0,\"exit\":0,\"mmap\":15,\"munmap\":2,"
			    "\"brk\":0,\"mprotect\":0,\"mremap\":0,\"faults\":0,\"fault\":0,\"rss\":0,\"as_end\":0,\"madvise\":0,\"shmat\":0,\"shmdt\":0,\"vma_name\":0,\"vma\":0},\"missed\":0,\"unfollowed\":3,\"unnumbered\":1,\"exit_status\":0}\n");
	sum.exit_status = -1;
	format__summary(&f, &ob, &sum);
	assert_non_null(strstr(take(), ",\"exit_status\":null}\n"));
	/* missed runs count in the lost total, apart from the per-type counts */
	sum.missed = 3;
	format__summary(&f, &ob, &sum);
	assert_non_null(strstr(take(), "\"lost\":20,\"lost_by_type\""));
	format__summary(&f, &ob, &sum);
	assert_non_null(strstr(take(), "\"missed\":3,"));
	/* --cost: per hook, between missed and exit_status */
	snprintf(sum.cost[0].hook, sizeof(sum.cost[0].hook), "sys_exit");
	sum.cost[0].runs = 1000;
	sum.cost[0].ns = 81000;
	snprintf(sum.cost[1].hook, sizeof(sum.cost[1].hook), "task_newtask");
	sum.cost[1].runs = 4;
	sum.cost[1].ns = 2000;
	sum.ncost = 2;
	format__summary(&f, &ob, &sum);
	assert_non_null(strstr(take(), "\"missed\":3,\"unfollowed\":3,\"unnumbered\":1,\"bpf_cost\":{\"sys_exit\":{\"runs\":1000,"
				       "\"ns\":81000},\"task_newtask\":{\"runs\":4,\"ns\":2000}},"
				       "\"exit_status\":null}\n"));
	f.fmt = MT_FMT_CSV;
	format__summary(&f, &ob, &sum);
	assert_int_equal(ob.len, 0);
	f.fmt = MT_FMT_TEXT;
	format__summary(&f, &ob, &sum);
	assert_int_equal(ob.len, 0);
}

static void test_summary_print(void **state)
{
	struct trace_summary sum = {
		.events = { [MT_EV_FORK] = 4, [MT_EV_EXEC] = 1, [MT_EV_EXIT] = 5,
			    [MT_EV_MMAP] = 30, [MT_EV_MUNMAP] = 2, [MT_EV_BRK] = 3,
			    [MT_EV_MPROTECT] = 6, [MT_EV_MREMAP] = 1 },
		.duration_ns = 520000000,
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	summary__print(f, &sum);
	fflush(f);
	assert_string_equal(text,
			    "memtrace: 52 events in 0.52 s (fork 4, exec 1, exit 5, mmap 30, munmap 2, "
			    "brk 3, mprotect 6, mremap 1); 0 lost\n");
	rewind(f);
	sum.lost[MT_EV_MMAP] = 15;
	sum.lost[MT_EV_MUNMAP] = 2;
	summary__print(f, &sum);
	fclose(f);
	assert_string_equal(text,
			    "memtrace: 52 events in 0.52 s (fork 4, exec 1, exit 5, mmap 30, munmap 2, "
			    "brk 3, mprotect 6, mremap 1); 17 lost\n"
			    "memtrace: warning: 17 events were lost because the ring buffer was full "
			    "(mmap 15, munmap 2); the trace is incomplete: raise --buffer-size\n");
	free(text);
	text = NULL;
	/* --cost: a line per hook, then the total */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	memset(sum.lost, 0, sizeof(sum.lost));
	snprintf(sum.cost[0].hook, sizeof(sum.cost[0].hook), "sys_exit");
	sum.cost[0].runs = 1000;
	sum.cost[0].ns = 81000;
	sum.ncost = 1;
	summary__print_cost(f, &sum);
	fclose(f);
	assert_string_equal(text,
			    "memtrace: kernel time of its BPF programs (runs by every process):\n"
			    "memtrace:   sys_exit                     1000 runs       81 ns each      0.081 ms\n"
			    "memtrace:   total                                                        0.081 ms\n");
	free(text);
}

/* A write error leaves the formatter harmless: events still return 0. */
static void test_after_error(void **state)
{
	struct mt_mem_event m = { .hdr = HDR(MT_EV_MUNMAP, 1), .args = { 0x1000, 0x1000 } };
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = T0 };
	struct outbuf dead;

	assert_int_equal(outbuf__init(&dead, -1, 4096), 0);
	dead.err = EPIPE;
	assert_int_equal(format__record(&f, &dead, &m, sizeof(m)), 0);
	assert_int_equal(dead.len, 0);
	assert_int_equal(dead.lines_unwritten, 1);
	outbuf__free(&dead);
}

/* A failed write: every event is either in the output or counted, once. */
static void test_unwritten_exact(void **state)
{
	struct mt_mem_event m = { .hdr = HDR(MT_EV_MUNMAP, 1), .args = { 0x1000, 0x1000 } };
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = T0 };
	struct outbuf full;
	int fd = open("/dev/full", O_WRONLY), i;

	assert_true(fd >= 0);
	assert_int_equal(outbuf__init(&full, fd, 4096), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(format__record(&f, &full, &m, sizeof(m)), 0);
	assert_int_equal(outbuf__flush(&full), -ENOSPC);
	assert_int_equal(full.dropped_lines, 5);	/* buffered, never written */
	for (i = 0; i < 2; i++)
		assert_int_equal(format__record(&f, &full, &m, sizeof(m)), 0);
	assert_int_equal(full.lines_unwritten, 2);	/* formatted after the error */
	assert_int_equal(full.written, 0);
	outbuf__free(&full);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_mmap),
		cmocka_unit_test(test_mmap_error),
		cmocka_unit_test(test_errno_boundary),
		cmocka_unit_test(test_munmap_mprotect),
		cmocka_unit_test(test_brk),
		cmocka_unit_test(test_mremap),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_vma),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_ts),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_json_prot),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_print),
		cmocka_unit_test(test_after_error),
		cmocka_unit_test(test_unwritten_exact),
	};

	return cmocka_run_group_tests_name("format", tests, group_setup, group_teardown);
}
