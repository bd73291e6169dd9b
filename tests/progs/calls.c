// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * calls - the ground truth for issue 10: every call memtrace learnt there,
 * made with raw syscall() so the arguments are exactly the kernel's, and
 * written down as it happens, in the trace's own schema.
 *
 * Usage: calls REPORT_FILE [ARG...]   (the ARGs are only there to be traced)
 *
 * Each call is one line
 * {"event":NAME, field:value...} whose fields must be found, equal, in
 * the trace's next event of that name from this process. The test
 * (tests/integration/test_calls.c) compares them; this program only says
 * what happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE		4096UL
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

static FILE *out;

static void line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}

/* ",\"error\":\"EINVAL\"" for a raw -errno result, "" for success */
static const char *err(long ret)
{
	static char buf[64];

	if (ret >= 0 || ret < -4095)
		return "";
	snprintf(buf, sizeof(buf), ",\"error\":\"%s\"", strerrorname_np(-ret));
	return buf;
}

static long sys(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = syscall(nr, a, b, c, d, e, f);

	return r == -1 ? -errno : r;
}

int main(int argc, char **argv)
{
	char exe[4096];
	long a, b, r, id, s;
	ssize_t k;
	int fd;

	out = fopen(argc > 1 ? argv[1] : "/dev/stdout", "we");
	if (!out)
		return 2;
	k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[k > 0 ? k : 0] = '\0';

	a = sys(SYS_mmap, 0, 4 * PAGE, PROT_READ | PROT_WRITE, ANON, -1, 0);
	line("{\"event\":\"mmap\",\"addr\":\"0x%lx\",\"len\":%lu}", a, 4 * PAGE);
	memset((void *)a, 1, 4 * PAGE);

	/* madvise: known advice, an advice without a name, a failure */
	r = sys(SYS_madvise, a, 4 * PAGE, MADV_DONTNEED, 0, 0, 0);
	line("{\"event\":\"madvise\",\"addr\":\"0x%lx\",\"len\":%lu,\"advice\":\"MADV_DONTNEED\"%s}", a, 4 * PAGE, err(r));
	r = sys(SYS_madvise, a, 2 * PAGE, MADV_FREE, 0, 0, 0);
	line("{\"event\":\"madvise\",\"addr\":\"0x%lx\",\"len\":%lu,\"advice\":\"MADV_FREE\"%s}", a, 2 * PAGE, err(r));
	r = sys(SYS_madvise, a, 4 * PAGE, MADV_HUGEPAGE, 0, 0, 0);
	line("{\"event\":\"madvise\",\"addr\":\"0x%lx\",\"len\":%lu,\"advice\":\"MADV_HUGEPAGE\"%s}", a, 4 * PAGE, err(r));
	r = sys(SYS_madvise, a, PAGE, 77, 0, 0, 0);
	line("{\"event\":\"madvise\",\"addr\":\"0x%lx\",\"len\":%lu,\"advice\":\"77\"%s}", a, PAGE, err(r));

	/* pkey_mprotect: the default key (-1) always works */
	r = sys(SYS_pkey_mprotect, a + PAGE, PAGE, PROT_READ, -1, 0, 0);
	line("{\"event\":\"mprotect\",\"addr\":\"0x%lx\",\"len\":%lu,\"prot\":\"r--\",\"pkey\":-1%s}", a + PAGE, PAGE, err(r));
	r = sys(SYS_pkey_mprotect, a + PAGE, PAGE, PROT_READ | PROT_WRITE, 15, 0, 0);
	line("{\"event\":\"mprotect\",\"addr\":\"0x%lx\",\"len\":%lu,\"prot\":\"rw-\",\"pkey\":15%s}", a + PAGE, PAGE, err(r));
	r = sys(SYS_mprotect, a + PAGE, PAGE, PROT_READ | PROT_WRITE, 0, 0, 0);
	line("{\"event\":\"mprotect\",\"addr\":\"0x%lx\",\"len\":%lu,\"prot\":\"rw-\",\"pkey\":null%s}", a + PAGE, PAGE, err(r));

	/* naming anonymous memory, then removing the name */
	r = sys(SYS_prctl, PR_SET_VMA, PR_SET_VMA_ANON_NAME, a, 4 * PAGE, (long)"calls buffer", 0);
	line("{\"event\":\"vma_name\",\"addr\":\"0x%lx\",\"len\":%lu,\"name\":\"calls buffer\"%s}", a, 4 * PAGE, err(r));
	r = sys(SYS_prctl, PR_SET_VMA, PR_SET_VMA_ANON_NAME, a, PAGE, 0, 0);
	line("{\"event\":\"vma_name\",\"addr\":\"0x%lx\",\"len\":%lu,\"name\":null%s}", a, PAGE, err(r));

	/* mremap with MREMAP_DONTUNMAP: new_addr is a hint even without FIXED */
	b = a + 64 * PAGE * 1024;
	r = sys(SYS_mremap, a, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, b, 0);
	line("{\"event\":\"mremap\",\"old_addr\":\"0x%lx\",\"old_len\":%lu,\"new_len\":%lu,\"flags\":\"MREMAP_MAYMOVE|MREMAP_DONTUNMAP\",\"new_addr\":\"0x%lx\"%s%s0x%lx%s}",
	     a, 4 * PAGE, 4 * PAGE, b, err(r), r < 0 ? "" : ",\"addr\":\"", r, r < 0 ? "" : "\"");

	/* MAP_DROPPABLE: the mapping type 0x08 */
	r = sys(SYS_mmap, 0, PAGE, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
	line("{\"event\":\"mmap\",\"len\":%lu,\"flags\":\"MAP_DROPPABLE|MAP_ANONYMOUS\"%s}", PAGE, err(r));

	/* SysV shared memory: 3 pages and a bit; attached twice */
	id = shmget(IPC_PRIVATE, 3 * PAGE + 100, IPC_CREAT | 0600);
	s = sys(SYS_shmat, id, 0, 0, 0, 0, 0);
	line("{\"event\":\"shmat\",\"addr\":\"0x%lx\",\"len\":%lu,\"shmid\":%ld,\"flags\":\"0\"%s}", s, 3 * PAGE + 100, id, err(s));
	r = sys(SYS_shmdt, s, 0, 0, 0, 0, 0);
	line("{\"event\":\"shmdt\",\"addr\":\"0x%lx\",\"len\":%lu%s}", s, 3 * PAGE + 100, err(r));
	s = sys(SYS_shmat, id, 0, SHM_RDONLY, 0, 0, 0);
	line("{\"event\":\"shmat\",\"addr\":\"0x%lx\",\"len\":%lu,\"shmid\":%ld,\"flags\":\"SHM_RDONLY\"%s}", s, 3 * PAGE + 100, id, err(s));
	r = sys(SYS_shmdt, s, 0, 0, 0, 0, 0);
	line("{\"event\":\"shmdt\",\"addr\":\"0x%lx\",\"len\":%lu%s}", s, 3 * PAGE + 100, err(r));
	r = sys(SYS_shmat, -1, 0, 0, 0, 0, 0);
	line("{\"event\":\"shmat\",\"shmid\":-1,\"flags\":\"0\"%s}", err(r));
	r = sys(SYS_shmdt, 0x1000, 0, 0, 0, 0, 0);
	line("{\"event\":\"shmdt\",\"addr\":\"0x1000\"%s}", err(r));
	shmctl(id, IPC_RMID, NULL);

	/* a file mapping: the trace names the file */
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	r = sys(SYS_mmap, 0, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	line("{\"event\":\"mmap\",\"addr\":\"0x%lx\",\"len\":%lu,\"fd\":%d,\"path\":\"%s\"%s}", r, 2 * PAGE, fd, exe, err(r));
	sys(SYS_munmap, r, 2 * PAGE, 0, 0, 0, 0);
	close(fd);
	/* an unlinked file: named as /proc/PID/maps names it */
	fd = memfd_create("calls", MFD_CLOEXEC);
	if (ftruncate(fd, PAGE))
		return 2;
	r = sys(SYS_mmap, 0, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	line("{\"event\":\"mmap\",\"addr\":\"0x%lx\",\"len\":%lu,\"fd\":%d,\"path\":\"/memfd:calls (deleted)\"%s}", r, PAGE, fd, err(r));
	close(fd);
	line("{\"event\":\"end\"}");
	return 0;
}
