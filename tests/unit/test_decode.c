// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for user/decode.c: prot, mmap/mremap/clone flags, errno and
 * signal names, human sizes. Every assertion prints actual vs expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include "decode.h"

#define CANARY	'#'

static char buf[1024];

/* Fills buf with canaries so that a write past n shows up. */
static char *fresh(void)
{
	memset(buf, CANARY, sizeof(buf));
	return buf;
}

static void test_prot(void **state)
{
	assert_string_equal(decode__prot(0, fresh(), sizeof(buf)), "---");
	assert_string_equal(decode__prot(PROT_READ, fresh(), sizeof(buf)), "r--");
	assert_string_equal(decode__prot(PROT_READ | PROT_WRITE, fresh(), sizeof(buf)), "rw-");
	assert_string_equal(decode__prot(PROT_EXEC, fresh(), sizeof(buf)), "--x");
	assert_string_equal(decode__prot(7, fresh(), sizeof(buf)), "rwx");
	assert_string_equal(decode__prot(PROT_READ | PROT_WRITE | PROT_GROWSDOWN, fresh(), sizeof(buf)),
			    "rw-|PROT_GROWSDOWN");
	assert_string_equal(decode__prot(PROT_GROWSUP, fresh(), sizeof(buf)), "---|PROT_GROWSUP");
	assert_string_equal(decode__prot(0x8 | PROT_READ, fresh(), sizeof(buf)), "r--|PROT_SEM");
	assert_string_equal(decode__prot(0x10 | PROT_EXEC, fresh(), sizeof(buf)), "--x|0x10");
	assert_string_equal(decode__prot(1ULL << 40 | 0x10, fresh(), sizeof(buf)),
			    "---|0x10000000010");
}

static void test_mmap_flags(void **state)
{
	assert_string_equal(decode__mmap_flags(0, fresh(), sizeof(buf)), "0");
	assert_string_equal(decode__mmap_flags(MAP_PRIVATE | MAP_ANONYMOUS, fresh(), sizeof(buf)),
			    "MAP_PRIVATE|MAP_ANONYMOUS");
	assert_string_equal(decode__mmap_flags(MAP_SHARED, fresh(), sizeof(buf)), "MAP_SHARED");
	/* The type is a field: 3 is SHARED_VALIDATE, not SHARED|PRIVATE. */
	assert_string_equal(decode__mmap_flags(0x03 | 0x80000, fresh(), sizeof(buf)),
			    "MAP_SHARED_VALIDATE|MAP_SYNC");
	assert_string_equal(decode__mmap_flags(0x02 | 0x100000, fresh(), sizeof(buf)),
			    "MAP_PRIVATE|MAP_FIXED_NOREPLACE");
	assert_string_equal(decode__mmap_flags(0x812, fresh(), sizeof(buf)),
			    "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
	assert_string_equal(decode__mmap_flags(0x20022, fresh(), sizeof(buf)),
			    "MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK");
	assert_string_equal(decode__mmap_flags(0x7ff70 | 0x1, fresh(), sizeof(buf)),
			    "MAP_SHARED|MAP_FIXED|MAP_ANONYMOUS|MAP_32BIT|MAP_GROWSDOWN|"
			    "MAP_DENYWRITE|MAP_EXECUTABLE|MAP_LOCKED|MAP_NORESERVE|MAP_POPULATE|"
			    "MAP_NONBLOCK|MAP_STACK|MAP_HUGETLB|0x600");
	/* No type (mmap would fail with EINVAL): only the flags. */
	assert_string_equal(decode__mmap_flags(MAP_ANONYMOUS, fresh(), sizeof(buf)), "MAP_ANONYMOUS");
	assert_string_equal(decode__mmap_flags(0x4, fresh(), sizeof(buf)), "0x4");
	/* Bits 26..31 are the huge page size only together with MAP_HUGETLB. */
	assert_string_equal(decode__mmap_flags(0x22 | 0x40000 | (21ULL << 26), fresh(), sizeof(buf)),
			    "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB");
	assert_string_equal(decode__mmap_flags(0x22 | 0x40000 | (30ULL << 26), fresh(), sizeof(buf)),
			    "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_1GB");
	assert_string_equal(decode__mmap_flags(0x22 | 0x40000 | (16ULL << 26), fresh(), sizeof(buf)),
			    "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_64KB");
	assert_string_equal(decode__mmap_flags(0x22 | 0x4000000, fresh(), sizeof(buf)),
			    "MAP_PRIVATE|MAP_ANONYMOUS|MAP_UNINITIALIZED");
	assert_string_equal(decode__mmap_flags(0x22 | 0x80000000ULL, fresh(), sizeof(buf)),
			    "MAP_PRIVATE|MAP_ANONYMOUS|0x80000000");
	assert_string_equal(decode__mmap_flags(0x2 | 0xff00000000000000ULL, fresh(), sizeof(buf)),
			    "MAP_PRIVATE|0xff00000000000000");
}

static void test_mremap_flags(void **state)
{
	assert_string_equal(decode__mremap_flags(0, fresh(), sizeof(buf)), "0");
	assert_string_equal(decode__mremap_flags(MREMAP_MAYMOVE, fresh(), sizeof(buf)), "MREMAP_MAYMOVE");
	assert_string_equal(decode__mremap_flags(3, fresh(), sizeof(buf)), "MREMAP_MAYMOVE|MREMAP_FIXED");
	assert_string_equal(decode__mremap_flags(7, fresh(), sizeof(buf)),
			    "MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP");
	assert_string_equal(decode__mremap_flags(8, fresh(), sizeof(buf)), "0x8");
	assert_string_equal(decode__mremap_flags(9, fresh(), sizeof(buf)), "MREMAP_MAYMOVE|0x8");
}

static void test_clone_flags(void **state)
{
	uint64_t f;
	uint32_t sig;

	assert_string_equal(decode__clone_flags(0, 0, fresh(), sizeof(buf)), "0");
	/* fork(): only the exit signal. */
	assert_string_equal(decode__clone_flags(0, 17, fresh(), sizeof(buf)), "SIGCHLD");
	/* glibc's pthread_create. */
	assert_string_equal(decode__clone_flags(0x3d0f00, 0, fresh(), sizeof(buf)),
			    "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
			    "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
	/* vfork() and posix_spawn(). */
	assert_string_equal(decode__clone_flags(0x4100, 17, fresh(), sizeof(buf)),
			    "CLONE_VM|CLONE_VFORK|SIGCHLD");
	assert_string_equal(decode__clone_flags(0x01200000, 17, fresh(), sizeof(buf)),
			    "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	/* issue 17: clone3's CLONE_NEWTIME is in the low byte, not a signal */
	assert_string_equal(decode__clone_flags(0x80, 17, fresh(), sizeof(buf)),
			    "CLONE_NEWTIME|SIGCHLD");
	assert_string_equal(decode__clone_flags(0x3ffffff80ULL, 0, fresh(), sizeof(buf)),
			    "CLONE_NEWTIME|CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_PIDFD|"
			    "CLONE_PTRACE|CLONE_VFORK|CLONE_PARENT|CLONE_THREAD|CLONE_NEWNS|"
			    "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|"
			    "CLONE_DETACHED|CLONE_UNTRACED|CLONE_CHILD_SETTID|CLONE_NEWCGROUP|"
			    "CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|"
			    "CLONE_IO|CLONE_CLEAR_SIGHAND|CLONE_INTO_CGROUP");
	/* Unknown bits as hex (the low byte too), then the signal; past SIGSYS by number. */
	assert_string_equal(decode__clone_flags((1ULL << 40) | 0x100 | 1, 9, fresh(), sizeof(buf)),
			    "CLONE_VM|0x10000000001|SIGKILL");
	assert_string_equal(decode__clone_flags(0, 64, fresh(), sizeof(buf)), "SIG64");
	assert_string_equal(decode__clone_flags(0, 255, fresh(), sizeof(buf)), "SIG255");
	/* and back */
	assert_int_equal(decode__parse_clone("CLONE_NEWTIME|SIGCHLD", &f, &sig), 0);
	assert_int_equal(f, 0x80);
	assert_int_equal(sig, 17);
	assert_int_equal(decode__parse_clone("CLONE_VM|0x10000000001|SIG64", &f, &sig), 0);
	assert_int_equal(f, 0x10000000101ULL);
	assert_int_equal(sig, 64);
	assert_int_equal(decode__parse_clone("0", &f, &sig), 0);
	assert_int_equal(f | sig, 0);
	assert_int_equal(decode__parse_clone("CLONE_BOGUS", &f, &sig), -EINVAL);
}

/* Too small a buffer truncates, stays NUL-terminated and writes nothing past n. */
static void test_truncation(void **state)
{
	char full[1024];

	decode__clone_flags(0x3ffffff00ULL, 17, full, sizeof(full));
	assert_string_equal(decode__clone_flags(0x3ffffff00ULL, 17, fresh(), 10), "CLONE_VM|");
	assert_int_equal(buf[10], CANARY);
	assert_memory_equal(buf, full, 9);
	assert_string_equal(decode__mmap_flags(0x22, fresh(), 1), "");
	assert_int_equal(buf[1], CANARY);
	decode__mmap_flags(0x22, fresh(), 0);
	assert_int_equal(buf[0], CANARY);
	assert_string_equal(decode__prot(7 | 0x8 | 0x01000000, fresh(), 6), "rwx|P");
	assert_int_equal(buf[6], CANARY);
	assert_string_equal(decode__size(1536ULL << 20, fresh(), 4), "1.5");
	assert_int_equal(buf[4], CANARY);
	assert_string_equal(decode__errno_name(9999, fresh(), 3), "E9");
	assert_int_equal(buf[3], CANARY);
}

static void test_errno_names(void **state)
{
	assert_string_equal(decode__errno_name(EINVAL, fresh(), sizeof(buf)), "EINVAL");
	assert_string_equal(decode__errno_name(ENOMEM, fresh(), sizeof(buf)), "ENOMEM");
	assert_string_equal(decode__errno_name(EPERM, fresh(), sizeof(buf)), "EPERM");
	assert_string_equal(decode__errno_name(EACCES, fresh(), sizeof(buf)), "EACCES");
	assert_string_equal(decode__errno_name(EEXIST, fresh(), sizeof(buf)), "EEXIST");
	assert_string_equal(decode__errno_name(133, fresh(), sizeof(buf)), "EHWPOISON");
	/* Aliases print as the canonical name. */
	assert_string_equal(decode__errno_name(EWOULDBLOCK, fresh(), sizeof(buf)), "EAGAIN");
	assert_string_equal(decode__errno_name(EDEADLOCK, fresh(), sizeof(buf)), "EDEADLK");
	assert_string_equal(decode__errno_name(ENOTSUP, fresh(), sizeof(buf)), "EOPNOTSUPP");
	/* Kernel-internal codes a syscall-exit tracepoint can see. */
	assert_string_equal(decode__errno_name(512, fresh(), sizeof(buf)), "ERESTARTSYS");
	assert_string_equal(decode__errno_name(513, fresh(), sizeof(buf)), "ERESTARTNOINTR");
	assert_string_equal(decode__errno_name(516, fresh(), sizeof(buf)), "ERESTART_RESTARTBLOCK");
	assert_string_equal(decode__errno_name(524, fresh(), sizeof(buf)), "ENOTSUPP");
	/* Holes and out-of-range values get a number. */
	assert_string_equal(decode__errno_name(41, fresh(), sizeof(buf)), "E41");
	assert_string_equal(decode__errno_name(58, fresh(), sizeof(buf)), "E58");
	assert_string_equal(decode__errno_name(520, fresh(), sizeof(buf)), "E520");
	assert_string_equal(decode__errno_name(4095, fresh(), sizeof(buf)), "E4095");
	assert_string_equal(decode__errno_name(0, fresh(), sizeof(buf)), "E0");
	assert_string_equal(decode__errno_name(-5, fresh(), sizeof(buf)), "E-5");
}

/* Our table must agree with glibc's wherever glibc has a name. */
static void test_errno_matches_glibc(void **state)
{
	const char *mine, *libc;
	int e, named = 0;

	for (e = 1; e < 512; e++) {
		libc = strerrorname_np(e);
		mine = decode__errno_name(e, fresh(), sizeof(buf));
		if (!libc) {
			assert_true(mine == buf);	/* formatted, not from the table */
			continue;
		}
		assert_string_equal(mine, libc);
		named++;
	}
	assert_int_equal(named, 131);	/* 1..133 without the holes 41 and 58 */
}

static void test_signal_names(void **state)
{
	int s;

	assert_string_equal(decode__signal_name(SIGKILL, fresh(), sizeof(buf)), "KILL");
	assert_string_equal(decode__signal_name(SIGSEGV, fresh(), sizeof(buf)), "SEGV");
	assert_string_equal(decode__signal_name(SIGCHLD, fresh(), sizeof(buf)), "CHLD");
	assert_string_equal(decode__signal_name(SIGSYS, fresh(), sizeof(buf)), "SYS");
	assert_string_equal(decode__signal_name(0, fresh(), sizeof(buf)), "SIG0");
	assert_string_equal(decode__signal_name(42, fresh(), sizeof(buf)), "SIG42");
	assert_string_equal(decode__signal_name(-1, fresh(), sizeof(buf)), "SIG-1");
	for (s = 1; s < 32; s++) {
		/* glibc calls 29 "POLL" and "IO" both; the kernel's name is IO. */
		if (s == SIGIO)
			continue;
		assert_string_equal(decode__signal_name(s, fresh(), sizeof(buf)), sigabbrev_np(s));
	}
	assert_string_equal(decode__signal_name(SIGIO, fresh(), sizeof(buf)), "IO");
}

static void test_size(void **state)
{
	assert_string_equal(decode__size(0, fresh(), sizeof(buf)), "0 B");
	assert_string_equal(decode__size(1, fresh(), sizeof(buf)), "1 B");
	assert_string_equal(decode__size(1023, fresh(), sizeof(buf)), "1023 B");
	assert_string_equal(decode__size(1024, fresh(), sizeof(buf)), "1 KiB");
	assert_string_equal(decode__size(1536, fresh(), sizeof(buf)), "1.5 KiB");
	assert_string_equal(decode__size(4096, fresh(), sizeof(buf)), "4 KiB");
	assert_string_equal(decode__size(8192, fresh(), sizeof(buf)), "8 KiB");
	assert_string_equal(decode__size(132 << 10, fresh(), sizeof(buf)), "132 KiB");
	/* Not exact: one decimal, so "4.0" reads as "about 4". */
	assert_string_equal(decode__size(4097, fresh(), sizeof(buf)), "4.0 KiB");
	assert_string_equal(decode__size(1048535, fresh(), sizeof(buf)), "1.0 MiB");
	assert_string_equal(decode__size(1 << 20, fresh(), sizeof(buf)), "1 MiB");
	assert_string_equal(decode__size(3 << 19, fresh(), sizeof(buf)), "1.5 MiB");
	assert_string_equal(decode__size(2ULL << 30, fresh(), sizeof(buf)), "2 GiB");
	assert_string_equal(decode__size(5ULL << 40, fresh(), sizeof(buf)), "5 TiB");
	assert_string_equal(decode__size(1ULL << 60, fresh(), sizeof(buf)), "1 EiB");
	assert_string_equal(decode__size(UINT64_MAX, fresh(), sizeof(buf)), "16.0 EiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prot),
		cmocka_unit_test(test_mmap_flags),
		cmocka_unit_test(test_mremap_flags),
		cmocka_unit_test(test_clone_flags),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_errno_matches_glibc),
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_size),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
