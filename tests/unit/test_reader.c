// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for user/event/reader.c: every kind of ring record goes
 * record -> mt_event -> JSON line -> reader -> mt_event and comes back equal
 * field by field; bad input is one line of error that says what and where.
 * Linked with the no-libbpf objects only (Makefile): the report side must
 * build and run without libbpf.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/sched.h>
#include <signal.h>
#include <cmocka.h>
#include "memtrace.h"
#include "event.h"
#include "format.h"
#include "reader.h"

#define T0		5000000000ULL
#define HDR(type_, us)	{ .ts = T0 + (us) * 1000ULL, .type = (type_), .pid = 4242, \
			  .tid = 4242, .as = 1, .comm = "threads" }
#define START		"{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\",\"command\":\"t\"," \
			"\"target\":\"workload\",\"root_pid\":4242,\"kernel\":\"6.1\",\"ts\":0}\n"
#define SUMMARY		"{\"event\":\"summary\",\"ts\":9,\"duration_ns\":9,\"events\":{},\"lost\":0," \
			"\"missed\":0,\"exit_status\":0}\n"
#define MMAP_AT(ts)	"{\"ts\":" #ts ",\"event\":\"mmap\",\"pid\":1,\"tid\":1,\"comm\":\"a\",\"as\":1," \
			"\"addr\":\"0x1000\",\"len\":4096,\"prot\":\"rw-\"," \
			"\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0}\n"

static char path[64];

static int setup(void **state)
{
	int fd;

	strcpy(path, "/tmp/memtrace-test-reader.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

static void put_file(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Reads path to the end; returns what reader__open/next said last (0 = clean end). */
static int read_all(struct reader *r, char *err, size_t n, struct mt_event *evs, size_t max,
		    size_t *count)
{
	struct mt_event ev;
	int rc;

	*count = 0;
	err[0] = '\0';
	rc = reader__open(r, path, err, n);
	if (rc)
		return rc;
	while ((rc = reader__next(r, &ev, err, n)) > 0) {
		if (*count < max)
			evs[*count] = ev;
		(*count)++;
	}
	return rc;
}

/* The error text for a trace made of `text`: must fail, with one line. */
static const char *error_of(const char *text)
{
	static char err[512];
	struct reader r;
	size_t n;

	put_file(text, strlen(text));
	assert_true(read_all(&r, err, sizeof(err), NULL, 0, &n) < 0);
	reader__close(&r);
	assert_null(strchr(err, '\n'));
	assert_true(strlen(err) > 10);
	return err;
}

/* ---- the round trip ---- */

static size_t str_len(struct mt_str s)
{
	return strnlen(s.s, s.max);
}

/*
 * rec -> event__from_record -> format__record(JSON) -> reader -> equal.
 * Strings are compared with `comm`/`filename` as the reader must return
 * them (docs/events.md: an invalid byte comes back as its Latin-1 character);
 * NULL means "the same bytes".
 */
static void round_trip(const void *rec, size_t size, const char *comm, const char *filename)
{
	struct formatter f = { .fmt = MT_FMT_JSON, .t0 = T0 };
	struct mt_event a, b;
	struct outbuf ob;
	struct reader r;
	char err[512], *text;

	assert_int_equal(event__from_record(&a, rec, size, T0), 0);
	assert_int_equal(outbuf__init(&ob, -1, 1 << 14), 0);
	outbuf__puts(&ob, START);
	assert_int_equal(format__record(&f, &ob, rec, size), 0);
	outbuf__puts(&ob, SUMMARY);
	text = ob.buf;
	put_file(text, ob.len);
	assert_int_equal(reader__open(&r, path, err, sizeof(err)), 0);
	if (reader__next(&r, &b, err, sizeof(err)) != 1)
		fail_msg("reader: %s\n%.*s", err, (int)ob.len, text);
	assert_int_equal(b.type, a.type);
	assert_int_equal(b.ts, a.ts);
	assert_int_equal(b.pid, a.pid);
	assert_int_equal(b.tid, a.tid);
	assert_int_equal(b.as, a.as);
	assert_int_equal(b.error, a.error);
	assert_int_equal(b.has_addr, a.has_addr);
	if (!comm) {
		assert_int_equal(str_len(b.comm), str_len(a.comm));
		assert_memory_equal(b.comm.s, a.comm.s, str_len(a.comm));
	} else {
		assert_int_equal(str_len(b.comm), strlen(comm));
		assert_memory_equal(b.comm.s, comm, strlen(comm));
	}
	switch (a.type) {
	case MT_EV_FORK:
		assert_int_equal(b.fork.child_pid, a.fork.child_pid);
		assert_int_equal(b.fork.child_tid, a.fork.child_tid);
		assert_int_equal(b.fork.child_as, a.fork.child_as);
		assert_int_equal(b.fork.thread, a.fork.thread);
		assert_int_equal(b.fork.shared_vm, a.fork.shared_vm);
		assert_int_equal(b.fork.flags_known, a.fork.flags_known);
		if (a.fork.flags_known)
			assert_int_equal(b.fork.clone_flags, a.fork.clone_flags);
		assert_int_equal(b.fork.syscall_nr, a.fork.syscall_nr);
		break;
	case MT_EV_EXEC:
		assert_int_equal(b.exec.old_as, a.exec.old_as);
		assert_int_equal(b.exec.old_tid, a.exec.old_tid);
		if (!filename) {
			assert_int_equal(str_len(b.exec.filename), str_len(a.exec.filename));
			assert_memory_equal(b.exec.filename.s, a.exec.filename.s,
					    str_len(a.exec.filename));
		} else {
			assert_int_equal(str_len(b.exec.filename), strlen(filename));
			assert_memory_equal(b.exec.filename.s, filename, strlen(filename));
		}
		break;
	case MT_EV_EXIT:
		assert_int_equal(b.exit.code, a.exit.code);
		assert_int_equal(b.exit.signal, a.exit.signal);
		assert_int_equal(b.exit.core, a.exit.core);
		assert_int_equal(b.exit.thread, a.exit.thread);
		break;
	case MT_EV_MMAP:
		assert_int_equal(b.mmap.addr, a.mmap.addr);
		assert_int_equal(b.mmap.len, a.mmap.len);
		assert_int_equal(b.mmap.prot, a.mmap.prot);
		assert_int_equal(b.mmap.flags, a.mmap.flags);
		assert_int_equal(b.mmap.offset, a.mmap.offset);
		assert_int_equal(b.mmap.hint, a.mmap.hint);
		assert_int_equal(b.mmap.fd, a.mmap.fd);
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		assert_int_equal(b.range.addr, a.range.addr);
		assert_int_equal(b.range.len, a.range.len);
		assert_int_equal(b.range.prot, a.range.prot);
		break;
	case MT_EV_BRK:
		assert_int_equal(b.brk.req, a.brk.req);
		assert_int_equal(b.brk.addr, a.brk.addr);
		break;
	case MT_EV_MREMAP:
		assert_int_equal(b.mremap.addr, a.mremap.addr);
		assert_int_equal(b.mremap.old_addr, a.mremap.old_addr);
		assert_int_equal(b.mremap.old_len, a.mremap.old_len);
		assert_int_equal(b.mremap.new_len, a.mremap.new_len);
		assert_int_equal(b.mremap.flags, a.mremap.flags);
		assert_int_equal(b.mremap.new_addr, a.mremap.new_addr);
		break;
	}
	assert_int_equal(reader__next(&r, &b, err, sizeof(err)), 0);
	assert_true(r.has_summary);
	reader__close(&r);
	outbuf__free(&ob);
}

static void mem(uint32_t type, int64_t ret, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		uint64_t a4, uint64_t a5)
{
	struct mt_mem_event m = { .hdr = HDR(type, 77), .args = { a0, a1, a2, a3, a4, a5 },
				  .ret = ret };

	round_trip(&m, sizeof(m), NULL, NULL);
}

static void test_rt_mmap(void **state)
{
	/* anonymous, file, failed, huge pages (MAP_HUGETLB | 21 << MAP_HUGE_SHIFT), unknown bits */
	mem(MT_EV_MMAP, 0x7f3a0d5d5000, 0, 8192, 3, 0x22, (uint64_t)-1, 0);
	mem(MT_EV_MMAP, 0x400000, 0x400000, 0x2000, 5, 0x812, 3, 0x1000);
	mem(MT_EV_MMAP, -ENOMEM, 0, 1ULL << 40, 3, 0x4022, (uint64_t)-1, 0);
	mem(MT_EV_MMAP, -EINVAL, 0, 0, 3, 0x22, (uint64_t)-1, 0);
	mem(MT_EV_MMAP, 0x7f0000200000, 0, 2 << 20, 3, 0x40022 | (21ULL << 26), (uint64_t)-1, 0);
	mem(MT_EV_MMAP, 0x7f0000200000, 0, 1 << 30, 3, 0x40022 | (30ULL << 26), (uint64_t)-1, 0);
	mem(MT_EV_MMAP, 0x7f0000200000, 0, 4096, 0x10000007, 0x22 | (1ULL << 60), (uint64_t)-1, 0);
	/* the highest result that is an address (len 0: a range reaching 2^64 is refused) */
	mem(MT_EV_MMAP, 0xfffffffffffff000ULL, 0, 0, 0, 0x22, (uint64_t)-1, 0);
	mem(MT_EV_MMAP, -4095, 0, 4096, 0, 0x22, (uint64_t)-1, 0);
	mem(MT_EV_MMAP, 0x7f0000000000, 0, 8 << 20, 3, 0x20022, (uint64_t)-1, 0);	/* MAP_STACK */
}

static void test_rt_munmap_mprotect(void **state)
{
	mem(MT_EV_MUNMAP, 0, 0x7f3a0d5d5000, 0x100000, 0, 0, 0, 0);
	mem(MT_EV_MUNMAP, -EINVAL, 0x7f3a0d5d5001, 0x1000, 0, 0, 0, 0);
	mem(MT_EV_MPROTECT, 0, 0x7f3a0d5d5000, 0x1000, 1, 0, 0, 0);
	mem(MT_EV_MPROTECT, 0, 0x7f3a0d5d5000, 0x1000, 0, 0, 0, 0);
	mem(MT_EV_MPROTECT, -EACCES, 0x7f3a0d5d5000, 0x1000, 7, 0, 0, 0);
	mem(MT_EV_MPROTECT, 0, 0x7f3a0d5d5000, 0x1000, 0x1000003, 0, 0, 0);	/* PROT_GROWSDOWN */
}

static void test_rt_brk(void **state)
{
	mem(MT_EV_BRK, 0x55d0c0a4e000, 0, 0, 0, 0, 0, 0);			/* query */
	mem(MT_EV_BRK, 0x55d0c0a6f000, 0x55d0c0a6f000, 0, 0, 0, 0, 0);		/* grow */
	mem(MT_EV_BRK, 0x55d0c0a4e000, 0x55d0c0a4e000, 0, 0, 0, 0, 0);		/* shrink */
	mem(MT_EV_BRK, 0x55d0c0a4e000, 0x7fffffffffff, 0, 0, 0, 0, 0);		/* ENOMEM */
}

static void test_rt_mremap(void **state)
{
	mem(MT_EV_MREMAP, 0x7f0000100000, 0x7f0000000000, 0x1000, 0x100000, 1, 0, 0);
	mem(MT_EV_MREMAP, 0x7f0000000000, 0x7f0000000000, 0x100000, 0x1000, 0, 0, 0);
	mem(MT_EV_MREMAP, 0x7f0000900000, 0x7f0000000000, 0x1000, 0x2000, 3, 0x7f0000900000, 0);
	mem(MT_EV_MREMAP, 0x7f0000900000, 0x7f0000000000, 0x1000, 0x1000, 7, 0x7f0000900000, 0);
	mem(MT_EV_MREMAP, -ENOMEM, 0x7f0000000000, 0x1000, 1ULL << 40, 0, 0, 0);
	/* not FIXED: args[4] is garbage the kernel ignores, and so does the event */
	mem(MT_EV_MREMAP, 0x7f0000100000, 0x7f0000000000, 0x1000, 0x2000, 1, 0xdead, 0);
	mem(MT_EV_MREMAP, 0x7f0000100000, 0x7f0000000000, 0x1000, 0x2000, 1 | 0x80, 0, 0);
}

static void test_rt_fork(void **state)
{
	struct mt_fork_event f = { .hdr = HDR(MT_EV_FORK, 5), .child_pid = 4242,
				   .child_tid = 4243, .child_as = 1,
				   .fork_flags = MT_FORK_FLAGS_KNOWN | MT_FORK_SHARED_VM,
				   .clone_flags = 0x3d0f00, .syscall_nr = MT_NR_CLONE3 };

	round_trip(&f, sizeof(f), NULL, NULL);
	f.child_pid = f.child_tid = 5000;	/* fork(): SIGCHLD in the low byte */
	f.child_as = 2;
	f.fork_flags = MT_FORK_FLAGS_KNOWN;
	f.clone_flags = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;
	f.syscall_nr = MT_NR_CLONE;
	round_trip(&f, sizeof(f), NULL, NULL);
	f.clone_flags = CLONE_VM | CLONE_VFORK | SIGUSR1;	/* vfork-like, odd signal */
	f.fork_flags = MT_FORK_FLAGS_KNOWN | MT_FORK_SHARED_VM;
	f.child_as = 1;
	f.syscall_nr = MT_NR_VFORK;
	round_trip(&f, sizeof(f), NULL, NULL);
	f.clone_flags = 42 | (1ULL << 40);	/* SIG42, an unnamed high bit */
	f.fork_flags = MT_FORK_FLAGS_KNOWN;
	f.child_as = 3;				/* a copy: never the parent's as */
	f.syscall_nr = MT_NR_FORK;
	round_trip(&f, sizeof(f), NULL, NULL);
	f.fork_flags = 0;			/* kernel-made task: nothing known */
	f.clone_flags = 0;
	f.syscall_nr = MT_NR_UNKNOWN;
	round_trip(&f, sizeof(f), NULL, NULL);
}

/* An exec record: the fixed part, then the path (variable length, issue 10). */
struct exec_rec {
	struct mt_exec_event e;
	char filename[MT_PATH_LEN];
};

static void exec_rec__path(struct exec_rec *r, const char *path)
{
	r->e.filename_len = strlen(path);
	memcpy(r->e.data, path, r->e.filename_len);
}

static void test_rt_exec_exit(void **state)
{
	struct exec_rec er = { .e = { .hdr = HDR(MT_EV_EXEC, 9), .old_tid = 4242, .old_as = 1 } };
	struct mt_exit_event x = { .hdr = HDR(MT_EV_EXIT, 10), .exit_code = 3 << 8,
				   .flags = MT_EXIT_GROUP_DEAD };

	exec_rec__path(&er, "/usr/bin/true");
	er.e.hdr.as = 2;
	round_trip(&er, sizeof(er.e) + er.e.filename_len, NULL, NULL);
	er.e.ret = -ENOENT;
	er.e.hdr.as = 1;
	round_trip(&er, sizeof(er.e) + er.e.filename_len, NULL, NULL);
	er.e.ret = 0;
	er.e.old_tid = 4250;	/* a non-leader thread exec'd */
	er.e.old_as = 0;
	round_trip(&er, sizeof(er.e) + er.e.filename_len, NULL, NULL);
	memset(er.e.data, 'f', MT_PATH_LEN);
	er.e.filename_len = MT_PATH_LEN;	/* full, no NUL */
	round_trip(&er, sizeof(er.e) + er.e.filename_len, NULL, NULL);
	round_trip(&x, sizeof(x), NULL, NULL);
	x.exit_code = SIGSEGV | 0x80;
	round_trip(&x, sizeof(x), NULL, NULL);
	x.exit_code = SIGKILL;
	x.flags = 0;
	round_trip(&x, sizeof(x), NULL, NULL);
}

/* Bytes that are not UTF-8 come back as their Latin-1 characters (docs/events.md). */
static void test_rt_odd_comm(void **state)
{
	static const char comm[] = "\"q\\\x01\x7f\xff\xfe,\n\te\xc3\xa9xyz";
	struct exec_rec er = { .e = { .hdr = HDR(MT_EV_EXEC, 1), .old_as = 1, .old_tid = 4242 } };
	struct mt_mem_event m = { .hdr = HDR(MT_EV_MUNMAP, 2), .args = { 0x1000, 0x1000 } };

	memcpy(er.e.hdr.comm, comm, MT_COMM_LEN);
	exec_rec__path(&er, "/\x1b[31m\x80/x y\"z");
	round_trip(&er, sizeof(er.e) + er.e.filename_len, "\"q\\\x01\x7f\xc3\xbf\xc3\xbe,\n\te\xc3\xa9xyz",
		   "/\x1b[31m\xc2\x80/x y\"z");
	memcpy(m.hdr.comm, "ok\xe2\x82\xac\xf0\x9f\x98\x80", 10);	/* euro sign, emoji */
	round_trip(&m, sizeof(m), NULL, NULL);
	memset(m.hdr.comm, 0, sizeof(m.hdr.comm));	/* empty comm */
	round_trip(&m, sizeof(m), NULL, NULL);
}

/* ---- bad input ---- */

static void test_not_a_trace(void **state)
{
	const char *e;

	e = error_of("{\"ts\":1,\"event\":\"mmap\"}\n");
	assert_non_null(strstr(e, "is not a memtrace trace: line 1 is not its start record"));
	e = error_of("   0.000412    4242    4242 threads  1 mmap\n");
	assert_non_null(strstr(e, "is not a memtrace JSON trace"));
	/* JSON, but not an object: said as such, not as "not JSON" */
	e = error_of("[1,2]\n");
	assert_non_null(strstr(e, "is not a memtrace trace: its first line is JSON but not an object"));
	e = error_of("\"start\"\n");
	assert_non_null(strstr(e, "its first line is JSON but not an object"));
	e = error_of("{\"event\":\n");
	assert_non_null(strstr(e, "is not a memtrace JSON trace: its first line is not JSON"));
}

static void test_unknown_schema(void **state)
{
	const char *e = error_of("{\"event\":\"start\",\"schema\":7,\"ts\":0}\n");

	assert_non_null(strstr(e, "trace schema 7 is not supported"));
	e = error_of("{\"event\":\"start\",\"schema\":\"one\",\"ts\":0}\n");
	assert_non_null(strstr(e, "without a schema number"));
}

static void test_malformed_line(void **state)
{
	const char *e;

	e = error_of(START MMAP_AT(1) "{\"ts\":2,\"event\":\"mmap\",\n" MMAP_AT(3));
	assert_non_null(strstr(e, ":3: not JSON"));
	e = error_of(START MMAP_AT(1) MMAP_AT(2) "\n");
	assert_non_null(strstr(e, ":4: not JSON"));
	/*
	 * a line cut short at the end (memtrace killed mid-write, the disk
	 * full): no newline, so it is left out and flagged; what came before
	 * is read
	 */
	{
		static const char cut[] = START MMAP_AT(1) "{\"ts\":2,\"event\":\"mm";
		struct reader r;
		char err[512];
		size_t n;

		put_file(cut, strlen(cut));
		assert_int_equal(read_all(&r, err, sizeof(err), NULL, 0, &n), 0);
		assert_int_equal(n, 1);
		assert_true(r.cut_tail);
		assert_false(r.has_summary);
		reader__close(&r);
	}
	/* a field of the wrong type, a missing one, a bad flag name, a bad address */
	e = error_of(START "{\"ts\":1,\"event\":\"munmap\",\"pid\":1,\"tid\":1,\"comm\":\"a\","
		     "\"as\":1,\"addr\":\"0x1000\",\"len\":\"big\"}\n");
	assert_non_null(strstr(e, ":2: munmap record: 'len' is not"));
	e = error_of(START "{\"ts\":1,\"event\":\"munmap\",\"pid\":1,\"tid\":1,\"comm\":\"a\","
		     "\"as\":1,\"addr\":\"0x1000\"}\n");
	assert_non_null(strstr(e, ":2: munmap record without 'len'"));
	e = error_of(START "{\"ts\":1,\"event\":\"mprotect\",\"pid\":1,\"tid\":1,\"comm\":\"a\","
		     "\"as\":1,\"addr\":\"0x1000\",\"len\":1,\"prot\":\"rwz\"}\n");
	assert_non_null(strstr(e, ":2: mprotect record: unknown prot 'rwz'"));
	e = error_of(START "{\"ts\":1,\"event\":\"munmap\",\"pid\":1,\"tid\":1,\"comm\":\"a\","
		     "\"as\":1,\"addr\":\"4096\",\"len\":1}\n");
	assert_non_null(strstr(e, ":2: munmap record: 'addr' is not an address"));
	e = error_of(START "{\"ts\":-1,\"event\":\"munmap\",\"pid\":1,\"tid\":1,\"comm\":\"a\","
		     "\"as\":1,\"addr\":\"0x1\",\"len\":1}\n");
	assert_non_null(strstr(e, ":2: munmap record: 'ts' is not"));
	e = error_of(START "{\"ts\":1,\"event\":\"munmap\",\"pid\":1,\"tid\":1,\"comm\":\"a\","
		     "\"as\":1,\"addr\":\"0x1\",\"len\":1,\"error\":\"EWHAT\"}\n");
	assert_non_null(strstr(e, ":2: munmap record: unknown error 'EWHAT'"));
	/* duplicate keys: a doctored line must not hide a second value */
	e = error_of(START "{\"ts\":1,\"ts\":2,\"event\":\"munmap\"}\n");
	assert_non_null(strstr(e, ":2: not JSON"));
	e = error_of(START "{\"ts\":1}\n");
	assert_non_null(strstr(e, ":2: record without an \"event\" name"));
}

static void test_empty_and_dir(void **state)
{
	struct reader r;
	char err[512];
	const char *e;

	e = error_of("");
	assert_non_null(strstr(e, "is empty: not a memtrace trace"));
	assert_int_equal(reader__open(&r, "/tmp", err, sizeof(err)), -EISDIR);
	assert_string_equal(err, "'/tmp' is a directory: name a trace file (memtrace run -f json -o t.jsonl ...)");
	reader__close(&r);
	assert_int_equal(reader__open(&r, "/nonexistent/t.jsonl", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "cannot read '/nonexistent/t.jsonl': No such file or directory");
	reader__close(&r);
}

static void test_truncated(void **state)
{
	struct mt_event evs[4];
	struct reader r;
	char err[512];
	size_t n;

	put_file(START MMAP_AT(1) MMAP_AT(2), strlen(START MMAP_AT(1) MMAP_AT(2)));
	assert_int_equal(read_all(&r, err, sizeof(err), evs, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_false(r.has_summary);
	reader__close(&r);
	put_file(START MMAP_AT(1) SUMMARY, strlen(START MMAP_AT(1) SUMMARY));
	assert_int_equal(read_all(&r, err, sizeof(err), evs, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_true(r.has_summary);
	assert_int_equal(r.summary.duration_ns, 9);
	reader__close(&r);
}

static void test_joined_traces(void **state)
{
	const char *e;

	e = error_of(START MMAP_AT(1) START MMAP_AT(2));
	assert_non_null(strstr(e, ":3: a second start record"));
	e = error_of(START MMAP_AT(1) SUMMARY MMAP_AT(2));
	assert_non_null(strstr(e, ":4: 'mmap' record after the summary"));
	e = error_of(START SUMMARY SUMMARY);
	assert_non_null(strstr(e, ":3: "));
	/* a fragment without a newline after the summary is not a cut line */
	e = error_of(START MMAP_AT(1) SUMMARY "{\"ts\":2,\"event\":\"mm");
	assert_non_null(strstr(e, ":4: text after the summary"));
	e = error_of(START SUMMARY "x");
	assert_non_null(strstr(e, ":3: text after the summary"));
}

/* Event types from a newer memtrace (schema 1 may add some): skipped and counted. */
static void test_unknown_type(void **state)
{
	static const char t[] = START MMAP_AT(1)
		"{\"ts\":2,\"event\":\"vm_stat\",\"pid\":1,\"whatever\":[1,2]}\n"
		"{\"ts\":3,\"event\":\"page_fault\"}\n" MMAP_AT(4) SUMMARY;
	struct mt_event evs[4];
	struct reader r;
	char err[512];
	size_t n;

	put_file(t, strlen(t));
	assert_int_equal(read_all(&r, err, sizeof(err), evs, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r.unknown, 2);
	assert_int_equal(evs[1].ts, 4);
	reader__close(&r);
}

/* Records from other CPUs a little out of order come back sorted, ties in file order. */
static void test_sorted(void **state)
{
	static const char t[] = START MMAP_AT(5) MMAP_AT(3) MMAP_AT(9) MMAP_AT(1) MMAP_AT(3)
		"{\"ts\":3,\"event\":\"munmap\",\"pid\":1,\"tid\":1,\"comm\":\"a\",\"as\":1,"
		"\"addr\":\"0x1000\",\"len\":4096}\n" MMAP_AT(7) SUMMARY;
	static const uint64_t want[] = { 1, 3, 3, 3, 5, 7, 9 };
	struct mt_event evs[8];
	struct reader r;
	char err[512];
	size_t n, i;

	put_file(t, strlen(t));
	assert_int_equal(read_all(&r, err, sizeof(err), evs, 8, &n), 0);
	assert_int_equal(n, 7);
	for (i = 0; i < n; i++)
		assert_int_equal(evs[i].ts, want[i]);
	assert_int_equal(evs[3].type, MT_EV_MUNMAP);	/* the third ts 3 of the file */
	assert_int_equal(r.late, 0);
	reader__close(&r);
}

/* Further back than the window: kept in file order and counted as late. */
static void test_late(void **state)
{
	struct outbuf ob;
	struct mt_event ev;
	struct reader r;
	char err[512], line[256];
	uint64_t last = 0;
	int i, rc, late = 0;

	assert_int_equal(outbuf__init(&ob, -1, 1 << 22), 0);
	outbuf__puts(&ob, START);
	for (i = 0; i < READER_WINDOW + 10; i++) {
		snprintf(line, sizeof(line), "{\"ts\":%d,\"event\":\"munmap\",\"pid\":1,\"tid\":1,"
			 "\"comm\":\"a\",\"as\":1,\"addr\":\"0x1000\",\"len\":4096}\n",
			 i == READER_WINDOW + 5 ? 0 : i + 1);
		outbuf__puts(&ob, line);
	}
	put_file(ob.buf, ob.len);
	assert_int_equal(reader__open(&r, path, err, sizeof(err)), 0);
	while ((rc = reader__next(&r, &ev, err, sizeof(err))) > 0) {
		late += ev.ts < last;
		last = ev.ts > last ? ev.ts : last;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(late, 1);
	assert_int_equal(r.late, 1);
	assert_int_equal(r.events, READER_WINDOW + 10);
	reader__close(&r);
	outbuf__free(&ob);
}

/* ---- issue 10: vma records and exec's argv ---- */

#define VMA_HEAD	"{\"ts\":5,\"event\":\"vma\",\"pid\":7,\"tid\":7,\"comm\":\"cat\",\"as\":2,"
#define VMA_RANGE	"\"start\":\"0x55d6e4843000\",\"end\":\"0x55d6e4848000\","
#define VMA_REST	"\"prot\":\"r-x\",\"shared\":false,\"offset\":8192,\"dev\":\"fe:00\"," \
			"\"inode\":247134"
#define VMA_OK		"\"origin\":\"exec\"," VMA_RANGE VMA_REST
#define EXEC_HEAD	"{\"ts\":4,\"event\":\"exec\",\"pid\":7,\"tid\":7,\"comm\":\"cat\",\"as\":2," \
			"\"filename\":\"/usr/bin/cat\",\"old_as\":1"

/* The events of START + lines + SUMMARY (at most 8) into evs; fails on an error. */
static size_t read_lines(const char *lines, struct mt_event *evs, struct reader *r)
{
	char text[4096], err[512];
	size_t n;

	snprintf(text, sizeof(text), START "%s" SUMMARY, lines);
	put_file(text, strlen(text));
	if (read_all(r, err, sizeof(err), evs, 8, &n))
		fail_msg("reader: %s", err);
	return n;
}

static void assert_str(struct mt_str s, const char *want)
{
	assert_int_equal(strnlen(s.s, s.max), strlen(want));
	assert_memory_equal(s.s, want, strlen(want));
}

/* vma lines as docs/events.md shows them: a file, anonymous memory, a kernel name. */
static void test_vma(void **state)
{
	struct mt_event ev[8];
	struct reader r;

	assert_int_equal(read_lines(
		VMA_HEAD VMA_OK ",\"path\":\"/usr/bin/cat\"}\n"
		VMA_HEAD "\"origin\":\"attach\",\"start\":\"0x7f821da1d000\",\"end\":\"0x7f821da3f000\","
		"\"prot\":\"rw-\",\"shared\":true,\"offset\":0,\"dev\":\"00:00\",\"inode\":0}\n"
		VMA_HEAD "\"origin\":\"exec\",\"start\":\"0x7ffd70135000\",\"end\":\"0x7ffd70156000\","
		"\"prot\":\"rw-\",\"shared\":false,\"offset\":0,\"dev\":\"00:00\",\"inode\":0,"
		"\"name\":\"[stack]\"}\n"
		VMA_HEAD "\"origin\":\"exec\"," VMA_RANGE "\"prot\":\"---\",\"shared\":false,"
		"\"offset\":0,\"dev\":\"103:1A\",\"inode\":5,\"path\":\"/long\",\"path_truncated\":true}\n",
		ev, &r), 4);
	assert_int_equal(ev[0].type, MT_EV_VMA);
	assert_int_equal(ev[0].as, 2);
	assert_int_equal(ev[0].vma.start, 0x55d6e4843000ULL);
	assert_int_equal(ev[0].vma.end, 0x55d6e4848000ULL);
	assert_int_equal(ev[0].vma.prot, PROT_READ | PROT_EXEC);
	assert_false(ev[0].vma.shared);
	assert_int_equal(ev[0].vma.offset, 8192);
	assert_int_equal(ev[0].vma.dev_major, 0xfe);
	assert_int_equal(ev[0].vma.dev_minor, 0);
	assert_int_equal(ev[0].vma.inode, 247134);
	assert_int_equal(ev[0].vma.origin, MT_VMA_ORIGIN_EXEC);
	assert_true(ev[0].vma.file);
	assert_false(ev[0].vma.name_truncated);
	assert_str(ev[0].vma.name, "/usr/bin/cat");
	assert_int_equal(ev[1].vma.origin, MT_VMA_ORIGIN_ATTACH);
	assert_true(ev[1].vma.shared);
	assert_false(ev[1].vma.file);
	assert_str(ev[1].vma.name, "");
	assert_false(ev[2].vma.file);
	assert_str(ev[2].vma.name, "[stack]");
	assert_int_equal(ev[3].vma.prot, 0);
	assert_int_equal(ev[3].vma.dev_major, 0x103);
	assert_int_equal(ev[3].vma.dev_minor, 0x1a);
	assert_true(ev[3].vma.name_truncated);
	reader__close(&r);
}

/* One event line after a good start record, and the error it must give. */
struct bad_line {
	const char *line, *want;
};

/* Each case's line must be refused with an error containing its want. */
static void bad_lines__check(const struct bad_line *cases, size_t n)
{
	char text[2048];
	const char *e;
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(text, sizeof(text), START "%s", cases[i].line);
		e = error_of(text);
		if (!strstr(e, cases[i].want))
			fail_msg("case %zu: want '%s', got '%s'", i, cases[i].want, e);
	}
}

static void test_vma_bad(void **state)
{
	static const struct bad_line cases[] = {
		{ VMA_HEAD "\"origin\":\"exec\",\"end\":\"0x1000\"," VMA_REST "}\n",
		  ":2: vma record without 'start'" },
		{ VMA_HEAD "\"origin\":\"exec\",\"start\":4096,\"end\":\"0x2000\"," VMA_REST "}\n",
		  ":2: vma record: 'start' is not a string" },
		{ VMA_HEAD "\"origin\":\"exec\",\"start\":\"4096\",\"end\":\"0x2000\"," VMA_REST "}\n",
		  ":2: vma record: 'start' is not an address" },
		{ VMA_HEAD "\"origin\":\"fork\"," VMA_RANGE VMA_REST "}\n",
		  ":2: vma record: unknown origin 'fork'" },
		{ VMA_HEAD "\"origin\":1," VMA_RANGE VMA_REST "}\n",
		  ":2: vma record: 'origin' is not a string" },
		{ VMA_HEAD "\"origin\":\"exec\"," VMA_RANGE "\"prot\":\"r-x\",\"shared\":\"no\","
		  "\"offset\":0,\"dev\":\"00:00\",\"inode\":0}\n",
		  ":2: vma record: 'shared' is not true or false" },
		{ VMA_HEAD "\"origin\":\"exec\"," VMA_RANGE "\"prot\":\"r-x\",\"shared\":false,"
		  "\"offset\":0,\"dev\":\"8:1:2\",\"inode\":0}\n",
		  ":2: vma record: 'dev' is not a device" },
		{ VMA_HEAD "\"origin\":\"exec\"," VMA_RANGE "\"prot\":\"r-x\",\"shared\":false,"
		  "\"offset\":0,\"dev\":\"fe00\",\"inode\":0}\n",
		  ":2: vma record: 'dev' is not a device" },
		{ VMA_HEAD "\"origin\":\"exec\"," VMA_RANGE "\"prot\":\"r-x\",\"shared\":false,"
		  "\"offset\":0,\"dev\":\":00\",\"inode\":0}\n",
		  ":2: vma record: 'dev' is not a device" },
		{ VMA_HEAD "\"origin\":\"exec\"," VMA_RANGE "\"prot\":\"r-x\",\"shared\":false,"
		  "\"offset\":-1,\"dev\":\"00:00\",\"inode\":0}\n",
		  ":2: vma record: 'offset' is not a non-negative integer" },
		{ VMA_HEAD VMA_OK ",\"path\":[\"/bin\"]}\n",
		  ":2: vma record: 'path' is not a string" },
		{ VMA_HEAD VMA_OK ",\"path\":\"/bin/x\",\"name\":\"[heap]\"}\n",
		  ":2: vma record with both 'path' and 'name'" },
		{ VMA_HEAD "\"origin\":\"exec\",\"start\":\"0x2000\",\"end\":\"0x2000\"," VMA_REST "}\n",
		  ":2: vma record: start 0x2000 is not below end 0x2000" },
		{ VMA_HEAD "\"origin\":\"exec\"," VMA_RANGE "\"prot\":\"rwq\",\"shared\":false,"
		  "\"offset\":0,\"dev\":\"00:00\",\"inode\":0}\n",
		  ":2: vma record: unknown prot 'rwq'" },
	};

	bad_lines__check(cases, sizeof(cases) / sizeof(cases[0]));
}

/* exec's argv, an array of strings, packed as struct mt_exec.argv. */
static void test_argv(void **state)
{
	static const char want[] = "cat\0-n\0\0\xc3\xa9\xc3\xbf";
	struct mt_event ev[8];
	struct reader r;

	/* "\u00ff": a byte that was not UTF-8 comes back as its Latin-1 character */
	assert_int_equal(read_lines(
		EXEC_HEAD ",\"argv\":[\"cat\",\"-n\",\"\",\"\xc3\xa9\\u00ff\"]}\n"
		EXEC_HEAD ",\"argv\":[],\"argv_truncated\":true}\n"
		EXEC_HEAD "}\n", ev, &r), 3);
	assert_true(ev[0].exec.has_argv);
	assert_false(ev[0].exec.argv_truncated);
	assert_int_equal(ev[0].exec.argv_len, sizeof(want));
	assert_memory_equal(ev[0].exec.argv, want, sizeof(want));
	assert_str(ev[0].exec.filename, "/usr/bin/cat");
	assert_true(ev[1].exec.has_argv);
	assert_true(ev[1].exec.argv_truncated);
	assert_int_equal(ev[1].exec.argv_len, 0);
	assert_false(ev[2].exec.has_argv);	/* an older trace, or a failed exec */
	reader__close(&r);
}

static void test_argv_bad(void **state)
{
	static const struct bad_line cases[] = {
		{ EXEC_HEAD ",\"argv\":\"cat -n\"}\n", ":2: exec record: 'argv' is not an array of strings" },
		{ EXEC_HEAD ",\"argv\":[\"cat\",1]}\n", ":2: exec record: 'argv' is not an array of strings" },
		{ EXEC_HEAD ",\"argv\":[\"cat\",null]}\n", ":2: exec record: 'argv' is not an array of strings" },
		{ EXEC_HEAD ",\"argv\":[[\"cat\"]]}\n", ":2: exec record: 'argv' is not an array of strings" },
		{ EXEC_HEAD ",\"argv\":[{\"a\":\"b\"}]}\n", ":2: exec record: 'argv' is not an array of strings" },
		{ EXEC_HEAD ",\"argv\":[true]}\n", ":2: exec record: 'argv' is not an array of strings" },
		{ EXEC_HEAD ",\"argv\":null}\n", ":2: exec record: 'argv' is not an array of strings" },
		{ EXEC_HEAD ",\"argv\":[\"a\\u0000b\"]}\n", ":2: not JSON (\\u0000 is not allowed" },
		{ EXEC_HEAD ",\"argv\":[\"a\"],\"argv\":[\"b\"]}\n", ":2: not JSON (duplicate object key 'argv'" },
		{ EXEC_HEAD ",\"argv\":[\"a\"],\"argv_truncated\":1}\n",
		  ":2: exec record: 'argv_truncated' is not true or false" },
	};

	bad_lines__check(cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * Endless or binary input is refused at a bounded size: a line longer than
 * any record memtrace writes, or one holding a NUL byte, names its line.
 */
static void test_long_and_binary_lines(void **state)
{
	size_t big = (2 << 20) + 5, n;
	struct reader r;
	char err[512];
	char *s;

	/* 2 MiB of 'x' without a newline after a good start: not "cut short" */
	s = malloc(strlen(START) + big + 1);
	assert_non_null(s);
	strcpy(s, START);
	memset(s + strlen(START), 'x', big);
	put_file(s, strlen(START) + big);
	assert_int_equal(read_all(&r, err, sizeof(err), NULL, 0, &n), -E2BIG);
	assert_false(r.cut_tail);
	reader__close(&r);
	assert_non_null(strstr(err, ":2: line longer than 1048576 bytes"));
	/* the same as the first line (no start record yet): its own message */
	memset(s, 0, big);
	put_file(s, big);
	assert_int_equal(read_all(&r, err, sizeof(err), NULL, 0, &n), -E2BIG);
	reader__close(&r);
	assert_non_null(strstr(err, ":1: line longer than"));
	free(s);
	/* a NUL byte inside a line, with a newline after it */
	put_file(START MMAP_AT(1) "{\"ts\":2,\0}\n" SUMMARY,
		 strlen(START MMAP_AT(1)) + 11 + strlen(SUMMARY));
	assert_int_equal(read_all(&r, err, sizeof(err), NULL, 0, &n), -E2BIG);
	reader__close(&r);
	assert_non_null(strstr(err, ":3: a NUL byte in the line"));
	/* a record of the largest size memtrace writes is still read: just under the cap */
	s = malloc(2 << 20);
	assert_non_null(s);
	n = snprintf(s, 2 << 20, "%s{\"ts\":1,\"event\":\"x_new\",\"pad\":\"", START);
	/* line 2 is (1 << 20) - 1 bytes with its newline */
	memset(s + n, 'y', (1 << 20) - 1 - (n - strlen(START)) - 3);
	strcpy(s + strlen(START) + (1 << 20) - 4, "\"}\n" SUMMARY);
	put_file(s, strlen(s));
	free(s);
	assert_int_equal(read_all(&r, err, sizeof(err), NULL, 0, &n), 0);
	assert_int_equal(r.unknown, 1);
	reader__close(&r);
}

/*
 * The summary's per-type counts against the records read: a deleted or
 * duplicated record is found; lost records are in neither count.
 */
static void test_counts(void **state)
{
#define SUM2 "{\"event\":\"summary\",\"ts\":9,\"duration_ns\":9,\"events\":{\"mmap\":2}," \
	     "\"lost\":3,\"lost_by_type\":{\"mmap\":3},\"missed\":0,\"exit_status\":0}\n"
	/* the trace, the mmap records read, the first type that disagrees, complete? */
	static const struct {
		const char *what, *text;
		uint64_t mmaps;
		uint32_t miscount;
		bool complete;
	} cases[] = {
		{ "two mmap records, the summary counts two (and three lost)",
		  START MMAP_AT(1) MMAP_AT(2) SUM2, 2, MT_COUNT_SLOTS, true },
		{ "one deleted", START MMAP_AT(1) SUM2, 1, MT_EV_MMAP, false },
		{ "one duplicated", START MMAP_AT(1) MMAP_AT(2) MMAP_AT(2) SUM2, 3, MT_EV_MMAP, false },
		{ "no summary: nothing to compare, but not complete either",
		  START MMAP_AT(1), 1, MT_COUNT_SLOTS, false },
	};
#undef SUM2
	char err[512];
	struct reader r;
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put_file(cases[i].text, strlen(cases[i].text));
		assert_int_equal(read_all(&r, err, sizeof(err), NULL, 0, &n), 0);
		if (r.read[MT_EV_MMAP] != cases[i].mmaps ||
		    reader__miscount(&r, 0) != cases[i].miscount ||
		    reader__complete(&r) != cases[i].complete)
			fail_msg("%s: read %llu mmap, miscount %u, complete %d", cases[i].what,
				 (unsigned long long)r.read[MT_EV_MMAP], reader__miscount(&r, 0),
				 reader__complete(&r));
		/* no other type disagrees */
		if (cases[i].miscount < MT_COUNT_SLOTS)
			assert_int_equal(reader__miscount(&r, cases[i].miscount + 1), MT_COUNT_SLOTS);
		reader__close(&r);
	}
}

/*
 * The summary's unfollowed/unnumbered counts (newer than the rest: absent
 * is 0, not an error) and the start record's part, checked like every count.
 */
static void test_untracked_and_part(void **state)
{
#define SUM_WITH(extra) "{\"event\":\"summary\",\"ts\":9,\"duration_ns\":9,\"events\":{\"mmap\":1}," \
			"\"lost\":0,\"missed\":0" extra ",\"exit_status\":0}\n"
#define START_WITH(extra) "{\"event\":\"start\",\"schema\":1,\"command\":\"t\",\"root_pid\":1" \
			  extra ",\"ts\":0}\n"
	static const struct {
		const char *text;
		bool has;
		uint64_t unfollowed, unnumbered;
		uint32_t part;
		bool complete;
	} good[] = {
		{ START MMAP_AT(1) SUM_WITH(""), false, 0, 0, 0, true },
		{ START MMAP_AT(1) SUM_WITH(",\"unfollowed\":0,\"unnumbered\":0"), true, 0, 0, 0, true },
		{ START MMAP_AT(1) SUM_WITH(",\"unfollowed\":3,\"unnumbered\":0"), true, 3, 0, 0, false },
		{ START MMAP_AT(1) SUM_WITH(",\"unfollowed\":0,\"unnumbered\":5"), true, 0, 5, 0, false },
		{ START_WITH(",\"part\":1") MMAP_AT(1) SUM_WITH(""), false, 0, 0, 1, true },
		{ START_WITH(",\"part\":2") MMAP_AT(1) SUM_WITH(""), false, 0, 0, 2, false },
	};
	static const struct bad_line bad[] = {
		{ SUM_WITH(",\"unfollowed\":-1,\"unnumbered\":0"),
		  ":2: summary record: 'unfollowed' is not a non-negative integer" },
		{ SUM_WITH(",\"unfollowed\":0,\"unnumbered\":\"many\""),
		  ":2: summary record: 'unnumbered' is not a non-negative integer" },
		{ SUM_WITH(",\"unfollowed\":1.5,\"unnumbered\":0"),
		  ":2: summary record: 'unfollowed' is not a non-negative integer" },
	};
	char err[512];
	struct reader r;
	size_t i, n;
	const char *e;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		put_file(good[i].text, strlen(good[i].text));
		if (read_all(&r, err, sizeof(err), NULL, 0, &n))
			fail_msg("case %zu: %s", i, err);
		if (r.has_untracked != good[i].has || r.summary.unfollowed != good[i].unfollowed ||
		    r.summary.unnumbered != good[i].unnumbered || r.start.part != good[i].part ||
		    reader__complete(&r) != good[i].complete)
			fail_msg("case %zu: has %d unfollowed %llu unnumbered %llu part %u complete %d",
				 i, r.has_untracked, (unsigned long long)r.summary.unfollowed,
				 (unsigned long long)r.summary.unnumbered, r.start.part, reader__complete(&r));
		reader__close(&r);
	}
	bad_lines__check(bad, sizeof(bad) / sizeof(bad[0]));
	e = error_of(START_WITH(",\"part\":0") SUM_WITH(""));
	assert_non_null(strstr(e, ":1: start record: 'part' is 0"));
	e = error_of(START_WITH(",\"part\":\"2\"") SUM_WITH(""));
	assert_non_null(strstr(e, ":1: start record: 'part' is not a non-negative integer"));
#undef SUM_WITH
#undef START_WITH
}

/*
 * Records no kernel writes are refused with the line: a successful call
 * whose range wraps past 2^64, a new process with its parent's pid, a fork
 * copy in its parent's address space. What the kernel does write passes:
 * failed calls with any arguments, threads, vfork, as 0.
 */
static void test_impossible(void **state)
{
#define MEM_LINE(ev, rest) "{\"ts\":1,\"event\":\"" ev "\",\"pid\":1,\"tid\":1,\"comm\":\"a\"," \
			   "\"as\":1," rest "}\n"
#define ANON "\"prot\":\"rw-\",\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0"
#define FORK_LINE(pid, as, rest) "{\"ts\":1,\"event\":\"fork\",\"pid\":" #pid ",\"tid\":" #pid \
			   ",\"comm\":\"a\",\"as\":" #as "," rest "}\n"
#define COPY(child, as) "\"child_pid\":" #child ",\"child_tid\":" #child ",\"thread\":false," \
			"\"child_as\":" #as ",\"shared_vm\":false," \
			"\"flags\":\"CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD\"," \
			"\"exit_signal\":17,\"syscall\":\"clone\""
	static const struct bad_line bad[] = {
		{ MEM_LINE("mmap", "\"addr\":\"0xfffffffffffff000\",\"len\":1048576," ANON),
		  ":2: mmap record: addr 0xfffffffffffff000 + len 1048576 wraps past 2^64" },
		{ MEM_LINE("mmap", "\"addr\":\"0xfffffffffffff000\",\"len\":1," ANON),
		  ":2: mmap record: addr 0xfffffffffffff000 + len 1 wraps past 2^64" },
		{ MEM_LINE("munmap", "\"addr\":\"0x9000000000000000\",\"len\":9223372036854775807"),
		  ":2: munmap record: addr 0x9000000000000000 + len 9223372036854775807 wraps" },
		{ MEM_LINE("mprotect", "\"addr\":\"0xffffffffffff0000\",\"len\":65537,\"prot\":\"r--\""),
		  ":2: mprotect record: addr 0xffffffffffff0000 + len 65537 wraps" },
		{ MEM_LINE("madvise", "\"addr\":\"0xffffffffffe00000\",\"len\":4194304,"
			   "\"advice\":\"MADV_DONTNEED\""),
		  ":2: madvise record: addr 0xffffffffffe00000 + len 4194304 wraps" },
		{ MEM_LINE("mremap", "\"addr\":\"0xfffffffffff00000\",\"old_addr\":\"0x7f0000000000\","
			   "\"old_len\":4096,\"new_len\":2097152,\"flags\":\"MREMAP_MAYMOVE\""),
		  ":2: mremap record: addr 0xfffffffffff00000 + new_len 2097152 wraps" },
		{ MEM_LINE("mremap", "\"addr\":\"0x7f0000000000\",\"old_addr\":\"0xfffffffffffff000\","
			   "\"old_len\":8192,\"new_len\":4096,\"flags\":\"0\""),
		  ":2: mremap record: old_addr 0xfffffffffffff000 + old_len 8192 wraps" },
		{ FORK_LINE(7, 1, COPY(7, 2)),
		  ":2: fork record: a new process (thread false) with its parent's pid 7 as child_pid" },
		{ FORK_LINE(7, 1, COPY(8, 1)),
		  ":2: fork record: a copy (no shared VM) in its parent's own address space (child_as 1 == as)" },
	};
	static const char *const good[] = {
		/* a failed call keeps whatever arguments it was given */
		MEM_LINE("munmap", "\"addr\":\"0xfffffffffffff000\",\"len\":1048576,\"error\":\"EINVAL\""),
		MEM_LINE("mmap", "\"len\":9223372036854775807," ANON ",\"error\":\"ENOMEM\""),
		MEM_LINE("mmap", "\"addr\":\"0x7ffffffff000\",\"len\":4096," ANON),
		/* a thread: child_pid is its process, the parent's pid; child_as the same as */
		FORK_LINE(7, 1, "\"child_pid\":7,\"child_tid\":8,\"thread\":true,\"child_as\":1,"
			  "\"shared_vm\":true,\"flags\":\"CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
			  "CLONE_THREAD\",\"exit_signal\":0,\"syscall\":\"clone3\""),
		/* vfork: a new process in its parent's as */
		FORK_LINE(7, 1, "\"child_pid\":9,\"child_tid\":9,\"thread\":false,\"child_as\":1,"
			  "\"shared_vm\":true,\"flags\":\"CLONE_VM|CLONE_VFORK|SIGCHLD\","
			  "\"exit_signal\":17,\"syscall\":\"vfork\""),
		/* as 0: no id (unnumbered), on either side */
		FORK_LINE(7, 0, COPY(10, 0)),
		FORK_LINE(7, 1, COPY(11, 2)),
		/* a failed fork has no child */
		FORK_LINE(7, 1, "\"thread\":false,\"shared_vm\":false,\"flags\":\"SIGCHLD\","
			  "\"exit_signal\":17,\"syscall\":\"fork\",\"error\":\"EAGAIN\""),
	};
	char text[2048], err[512];
	struct reader r;
	size_t i, n;

	bad_lines__check(bad, sizeof(bad) / sizeof(bad[0]));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), START "%s", good[i]);
		put_file(text, strlen(text));
		if (read_all(&r, err, sizeof(err), NULL, 0, &n) || n != 1)
			fail_msg("case %zu refused: %s", i, err);
		reader__close(&r);
	}
#undef MEM_LINE
#undef ANON
#undef FORK_LINE
#undef COPY
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rt_mmap),
		cmocka_unit_test(test_rt_munmap_mprotect),
		cmocka_unit_test(test_rt_brk),
		cmocka_unit_test(test_rt_mremap),
		cmocka_unit_test(test_rt_fork),
		cmocka_unit_test(test_rt_exec_exit),
		cmocka_unit_test(test_rt_odd_comm),
		cmocka_unit_test(test_not_a_trace),
		cmocka_unit_test(test_unknown_schema),
		cmocka_unit_test(test_malformed_line),
		cmocka_unit_test(test_empty_and_dir),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_joined_traces),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_late),
		cmocka_unit_test(test_vma),
		cmocka_unit_test(test_vma_bad),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_argv_bad),
		cmocka_unit_test(test_long_and_binary_lines),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_untracked_and_part),
		cmocka_unit_test(test_impossible),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
