// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * faultprog - page faults whose classes and counts are known, for
 * tests/integration/test_faults.c (issue 11).
 *
 *   faultprog OUT FILE
 *
 * In this order: writes N_ANON pages of a fresh anonymous mapping (anon),
 * reads N_FILE pages of a private mapping of FILE (file, fewer faults
 * than pages: fault-around), writes N_FILEW pages of another private
 * mapping of FILE (file_cow), read(2)s N_KREAD pages of FILE into a fresh
 * anonymous mapping (anon faults taken in kernel mode), writes N_STACK
 * pages just below the stack VMA (stack growth), then forks: the child
 * writes N_COW pages of the anonymous region (cow, in the child's address
 * space) and exits; the parent waits, and writes to OUT the addresses,
 * the counts and its own VmHWM/VmRSS (kB) from /proc/self/status, read
 * with no allocation after the last page it touches.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define N_ANON	200
#define N_FILE	64
#define N_FILEW	20
#define N_KREAD	16
#define N_STACK	8
#define N_COW	50
#define PAGE	4096

static char status_buf[8192];
static char out_buf[2048];

static unsigned long stack__start(void)
{
	static char maps[65536];
	unsigned long lo, hi;
	ssize_t n;
	char *line;
	int fd = open("/proc/self/maps", O_RDONLY);

	n = fd < 0 ? -1 : read(fd, maps, sizeof(maps) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	maps[n] = '\0';
	for (line = strtok(maps, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			return lo;
	return 0;
}

static long status__kb(const char *key)
{
	char *p = strstr(status_buf, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int main(int argc, char **argv)
{
	volatile char *anon, *fr, *fw, *kr, *stk;
	unsigned long sp_lo;
	int fd, out, i, status;
	ssize_t n;
	pid_t pid;
	long sum = 0;

	if (argc != 3)
		return 2;
	out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (out < 0 || fd < 0 || ftruncate(fd, N_FILE * PAGE))
		return 3;
	for (i = 0; i < N_FILE; i++)	/* real data in the page cache */
		if (pwrite(fd, "x", 1, (off_t)i * PAGE) != 1)
			return 3;

	anon = mmap(NULL, N_ANON * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fr = mmap(NULL, N_FILE * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	fw = mmap(NULL, N_FILEW * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	kr = mmap(NULL, N_KREAD * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED || fr == MAP_FAILED || fw == MAP_FAILED || kr == MAP_FAILED)
		return 4;
	/* one fault per page: no transparent huge page */
	madvise((void *)anon, N_ANON * PAGE, MADV_NOHUGEPAGE);
	madvise((void *)kr, N_KREAD * PAGE, MADV_NOHUGEPAGE);

	for (i = 0; i < N_ANON; i++)
		anon[i * PAGE] = 1;
	for (i = 0; i < N_FILE; i++)
		sum += fr[i * PAGE];
	for (i = 0; i < N_FILEW; i++)
		fw[i * PAGE] = 2;
	n = pread(fd, (void *)kr, N_KREAD * PAGE, 0);
	if (n != N_KREAD * PAGE)
		return 5;
	/* below the stack VMA, one page at a time: each fault grows it (mm/mmap.c expand_stack) */
	sp_lo = stack__start();
	if (!sp_lo)
		return 6;
	stk = (volatile char *)sp_lo;
	for (i = 1; i <= N_STACK; i++)
		stk[-(long)i * PAGE] = 3;

	pid = fork();
	if (pid < 0)
		return 7;
	if (!pid) {
		for (i = 0; i < N_COW; i++)
			anon[i * PAGE] = 4;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 8;

	/*
	 * VmHWM last: nothing after it touches a new page (static buffers, no
	 * stdio). The code used after the read runs once before it, so that
	 * its text is already mapped: a first call would fault in 16 pages of
	 * libc at once (fault-around) after VmHWM was read.
	 */
	strcpy(status_buf, "VmHWM: 1\n");
	n = snprintf(out_buf, sizeof(out_buf), "%lx %d %ld", (unsigned long)anon, 1,
		     status__kb("VmHWM:"));
	memset(out_buf, 0, sizeof(out_buf));
	i = open("/proc/self/status", O_RDONLY);
	n = i < 0 ? -1 : read(i, status_buf, sizeof(status_buf) - 1);
	if (n <= 0)
		return 9;
	close(i);
	status_buf[n] = '\0';
	n = snprintf(out_buf, sizeof(out_buf),
		     "anon %lx %d\nfile %lx %d\nfilew %lx %d\nkread %lx %d\nstack %lx %d\ncow %lx %d\n"
		     "child %d\nhwm_kb %ld\nrss_kb %ld\nsum %ld\n",
		     (unsigned long)anon, N_ANON, (unsigned long)fr, N_FILE,
		     (unsigned long)fw, N_FILEW, (unsigned long)kr, N_KREAD,
		     sp_lo, N_STACK, (unsigned long)anon, N_COW, (int)pid,
		     status__kb("VmHWM:"), status__kb("VmRSS:"), sum);
	if (write(out, out_buf, n) != n)
		_exit(10);
	/* not return: exit() would run (and fault in) libc's exit handlers */
	_exit(0);
}
