// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * groundtruth - a program whose every memory and process operation is known
 * in advance and written down as it happens, so an integration test can put
 * memtrace's trace of it side by side with what it really did.
 *
 * Usage: groundtruth REPORT_FILE
 *
 * REPORT_FILE gets JSON Lines appended (O_APPEND, one write() per line, so
 * parent and children never interleave within a line). Every line is
 *	{"op":OP,"pid":PID,"tid":TID, ...fields}
 * Addresses are hex strings ("0x7f..."), lengths, prot, flags, fd and
 * offsets decimal numbers. "ret" is what the raw syscall returned: a hex
 * string for mmap, mremap and brk, 0 for munmap and mprotect; on failure it
 * is the kernel's -errno as a number and "errno" names it ("EINVAL").
 * Memory syscalls are issued with syscall(SYS_...), so the arguments in the
 * report are exactly the ones the kernel saw.
 *
 * The sequence (the contract with the tests; all in the main thread unless
 * said otherwise):
 *
 *  0. Before "start", not recorded: open REPORT_FILE, and settle glibc's
 *     malloc so it makes no syscalls later: M_ARENA_MAX=1 (a thread's first
 *     malloc, inside pthread_getattr_np, would otherwise mmap a new arena),
 *     M_TRIM_THRESHOLD=1 GiB (free never shrinks the break), and one
 *     malloc/free so the [heap] exists now (brk) rather than mid-sequence.
 *  1. start     {"ppid"}
 *  2. mmap      (NULL, 3*4096, PROT_READ|PROT_WRITE (3),
 *                MAP_PRIVATE|MAP_ANONYMOUS (34), -1, 0) -> A; then all three
 *                pages are written to (page faults, no syscall).
 *  3. mprotect  (A+4096, 4096, PROT_READ) -> 0; the mapping splits in three.
 *     mprotect  (A+4096, 4096, PROT_READ|PROT_WRITE) -> 0; it merges again.
 *                Needed: mremap fails with EFAULT on a range that spans
 *                more than one mapping.
 *  4. mremap    (A, 3*4096, 5*4096, MREMAP_MAYMOVE (1)) -> B (B may be A).
 *                Fields: old_addr, old_len, new_len, flags, ret.
 *  5. munmap    (B, 5*4096) -> 0
 *  6. brk       req 0 -> C (the current break; glibc's heap ends there)
 *     brk       req C+65536 -> C+65536
 *     brk       req C -> C
 *                Fields: req, ret.
 *  7. Failures, each with "ret":-errno and "errno":
 *     mmap      (NULL, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) EINVAL
 *     munmap    (0x1001, 4096)                                         EINVAL
 *     mprotect  (0x10000, 4096, PROT_READ)    nothing mapped there:    ENOMEM
 *  8. open      {"path":"/proc/self/exe","fd":F}
 *     mmap      (NULL, 8192, PROT_READ (1), MAP_PRIVATE (2), F, 0) -> D
 *     munmap    (D, 8192) -> 0; then F is closed.
 *  9. Two threads from pthread_create with default attributes. glibc
 *     mmaps each one's stack (PROT_NONE, with MAP_STACK) and mprotects all
 *     but the guard page at its bottom to read-write; "stack_addr" and
 *     "stack_size" are that read-write part, "guard_size" the guard, so the
 *     mmap was (stack_addr - guard_size, stack_size + guard_size). The
 *     threads take turns, index 0 first; each, in its own tid:
 *     thread    {"index","stack_addr","stack_size","guard_size"}
 *     mmap      (NULL, 65536, 3, 34, -1, 0) -> E
 *     munmap    (E, 65536) -> 0
 *     Main joins both. The stacks stay mapped: glibc caches them.
 * 10. fork(). The child:
 *     child     {"ppid"}
 *     mmap      (NULL, 7*4096, 3, 34, -1, 0) -> G
 *     munmap    (G, 7*4096) -> 0
 *     and _exit(7). The parent: waited {"child_pid","code":7}
 * 11. fork(); the child execv()s /proc/self/exe with argv
 *     {"groundtruth", "--exec-child", REPORT_FILE}; so its comm becomes
 *     "exe". The new image writes
 *     exec_child {"ppid","comm"}
 *     and _exit(3). The parent: waited {"child_pid","code":3}
 * 12. end       {"ok":true}, exit(0). "ok":false and exit(1) if any result
 *     above differed from what is written here (details on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE		4096L
#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define NR_THREADS	2
#define LINE_MAX_LEN	512

struct gt_thread {
	pthread_t thread;
	int index;
};

static int report_fd = -1;
static bool all_ok = true;

/* Threads take turns so that their lines come in a fixed order. */
static pthread_mutex_t turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cond = PTHREAD_COND_INITIALIZER;
static int turn;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	all_ok = false;
	fprintf(stderr, "groundtruth: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

/*
 * Writes {"op":OP,"pid":..,"tid":..<fields>}; fields is empty or starts
 * with a comma. A stack buffer and one write(): no stdio, no malloc.
 */
static void emit(const char *op, const char *fields, ...)
	__attribute__((format(printf, 2, 3)));

static void emit(const char *op, const char *fields, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int n, m;

	n = snprintf(line, sizeof(line), "{\"op\":\"%s\",\"pid\":%d,\"tid\":%d",
		     op, getpid(), gettid());
	va_start(ap, fields);
	m = vsnprintf(line + n, sizeof(line) - n, fields, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) + 2 >= sizeof(line)) {
		fail("report line for %s too long", op);
		return;
	}
	n += m;
	line[n++] = '}';
	line[n++] = '\n';
	if (write(report_fd, line, n) != n)
		fail("writing the report: %s", strerror(errno));
}

/* syscall() turns errors into -1 + errno; give back the kernel's -errno. */
static long raw(long ret)
{
	return ret == -1 ? -errno : ret;
}

/* `,"ret":...` for ret: hex if it is an address, and the errno on failure. */
static const char *ret_field(long ret, bool is_addr, char *buf, size_t n)
{
	const char *name;

	if (ret < 0 && ret >= -4095) {
		name = strerrorname_np(-ret);
		if (name)
			snprintf(buf, n, ",\"ret\":%ld,\"errno\":\"%s\"", ret, name);
		else
			snprintf(buf, n, ",\"ret\":%ld,\"errno\":\"E%ld\"", ret, -ret);
	} else if (is_addr) {
		snprintf(buf, n, ",\"ret\":\"0x%lx\"", (unsigned long)ret);
	} else {
		snprintf(buf, n, ",\"ret\":%ld", ret);
	}
	return buf;
}

static long do_mmap(unsigned long addr, long len, int prot, int flags, int fd,
		    long off)
{
	long ret = raw(syscall(SYS_mmap, addr, len, prot, flags, fd, off));
	char r[64];

	emit("mmap", ",\"addr\":\"0x%lx\",\"len\":%ld,\"prot\":%d,\"flags\":%d,"
	     "\"fd\":%d,\"offset\":%ld%s", addr, len, prot, flags, fd, off,
	     ret_field(ret, true, r, sizeof(r)));
	return ret;
}

static long do_munmap(unsigned long addr, long len)
{
	long ret = raw(syscall(SYS_munmap, addr, len));
	char r[64];

	emit("munmap", ",\"addr\":\"0x%lx\",\"len\":%ld%s", addr, len,
	     ret_field(ret, false, r, sizeof(r)));
	return ret;
}

static long do_mprotect(unsigned long addr, long len, int prot)
{
	long ret = raw(syscall(SYS_mprotect, addr, len, prot));
	char r[64];

	emit("mprotect", ",\"addr\":\"0x%lx\",\"len\":%ld,\"prot\":%d%s", addr,
	     len, prot, ret_field(ret, false, r, sizeof(r)));
	return ret;
}

static long do_mremap(unsigned long old, long old_len, long new_len, int flags)
{
	long ret = raw(syscall(SYS_mremap, old, old_len, new_len, flags, 0L));
	char r[64];

	emit("mremap", ",\"old_addr\":\"0x%lx\",\"old_len\":%ld,\"new_len\":%ld,"
	     "\"flags\":%d%s", old, old_len, new_len, flags,
	     ret_field(ret, true, r, sizeof(r)));
	return ret;
}

static long do_brk(unsigned long req)
{
	long ret = raw(syscall(SYS_brk, req));
	char r[64];

	emit("brk", ",\"req\":\"0x%lx\"%s", req, ret_field(ret, true, r, sizeof(r)));
	return ret;
}

static void expect(const char *what, long got, long want)
{
	if (got != want)
		fail("%s: got %ld, expected %ld", what, got, want);
}

static void expect_ok(const char *what, long ret)
{
	if (ret < 0)
		fail("%s failed: %s", what, strerror(-ret));
}

/* Steps 2-5: one anonymous mapping through its whole life. */
static void step_anon(void)
{
	long a, b;
	int i;

	a = do_mmap(0, 3 * PAGE, RW, ANON, -1, 0);
	expect_ok("mmap", a);
	if (a < 0)
		return;
	for (i = 0; i < 3; i++)
		((volatile char *)a)[i * PAGE] = 1;
	expect("mprotect ro", do_mprotect(a + PAGE, PAGE, PROT_READ), 0);
	expect("mprotect rw", do_mprotect(a + PAGE, PAGE, RW), 0);
	b = do_mremap(a, 3 * PAGE, 5 * PAGE, MREMAP_MAYMOVE);
	expect_ok("mremap", b);
	if (b < 0)
		return;
	expect("munmap", do_munmap(b, 5 * PAGE), 0);
}

/* Step 6: move the break up and back, under glibc's feet but net zero. */
static void step_brk(void)
{
	long cur = do_brk(0);

	expect("brk grow", do_brk(cur + 65536), cur + 65536);
	expect("brk shrink", do_brk(cur), cur);
}

/* Step 7: calls the kernel must refuse. */
static void step_failures(void)
{
	expect("mmap len 0", do_mmap(0, 0, PROT_READ, ANON, -1, 0), -EINVAL);
	expect("munmap unaligned", do_munmap(0x1001, PAGE), -EINVAL);
	expect("mprotect unmapped", do_mprotect(0x10000, PAGE, PROT_READ), -ENOMEM);
}

/* Step 8: a file-backed mapping of our own executable. */
static void step_file(void)
{
	const char *path = "/proc/self/exe";
	long d;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	emit("open", ",\"path\":\"%s\",\"fd\":%d", path, fd);
	if (fd < 0) {
		fail("open %s: %s", path, strerror(errno));
		return;
	}
	d = do_mmap(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	expect_ok("file mmap", d);
	if (d >= 0)
		expect("file munmap", do_munmap(d, 2 * PAGE), 0);
	close(fd);
}

static void turn__wait(int index)
{
	pthread_mutex_lock(&turn_lock);
	while (turn != index)
		pthread_cond_wait(&turn_cond, &turn_lock);
	pthread_mutex_unlock(&turn_lock);
}

static void turn__pass(void)
{
	pthread_mutex_lock(&turn_lock);
	turn++;
	pthread_cond_broadcast(&turn_cond);
	pthread_mutex_unlock(&turn_lock);
}

static void report_stack(int index)
{
	size_t size = 0, guard = 0;
	pthread_attr_t attr;
	void *stack = NULL;

	if (pthread_getattr_np(pthread_self(), &attr)) {
		fail("pthread_getattr_np failed");
	} else {
		pthread_attr_getstack(&attr, &stack, &size);
		pthread_attr_getguardsize(&attr, &guard);
		pthread_attr_destroy(&attr);
	}
	emit("thread", ",\"index\":%d,\"stack_addr\":\"0x%lx\",\"stack_size\":%zu,"
	     "\"guard_size\":%zu", index, (unsigned long)stack, size, guard);
}

static void *thread_main(void *arg)
{
	struct gt_thread *t = arg;
	long e;

	turn__wait(t->index);
	report_stack(t->index);
	e = do_mmap(0, 65536, RW, ANON, -1, 0);
	expect_ok("thread mmap", e);
	if (e >= 0)
		expect("thread munmap", do_munmap(e, 65536), 0);
	turn__pass();
	return NULL;
}

/* Step 9. Both are created before either is joined: no stack reuse. */
static void step_threads(void)
{
	struct gt_thread t[NR_THREADS];
	int i, n, err;

	for (n = 0; n < NR_THREADS; n++) {
		t[n].index = n;
		err = pthread_create(&t[n].thread, NULL, thread_main, &t[n]);
		if (err) {
			fail("pthread_create: %s", strerror(err));
			break;
		}
	}
	/* With a thread missing the later ones would wait for its turn forever. */
	if (n < NR_THREADS)
		exit(1);
	for (i = 0; i < n; i++)
		pthread_join(t[i].thread, NULL);
}

/* Waits for child and records its exit code (-1 if it did not exit). */
static void wait_child(pid_t child, int want)
{
	int status, code = -1;

	if (waitpid(child, &status, 0) < 0)
		fail("waitpid: %s", strerror(errno));
	else if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	emit("waited", ",\"child_pid\":%d,\"code\":%d", child, code);
	expect("child exit code", code, want);
}

/* Step 10: a forked child works in its own copy of our memory. */
static void step_fork(void)
{
	pid_t child;
	long g;

	child = fork();
	if (child < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (child == 0) {
		emit("child", ",\"ppid\":%d", getppid());
		g = do_mmap(0, 7 * PAGE, RW, ANON, -1, 0);
		if (g >= 0)
			do_munmap(g, 7 * PAGE);
		_exit(7);
	}
	wait_child(child, 7);
}

/* Step 11: a forked child that replaces itself with a new image. */
static void step_exec(const char *report)
{
	char *args[] = { "groundtruth", "--exec-child", (char *)report, NULL };
	pid_t child;

	child = fork();
	if (child < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (child == 0) {
		execv("/proc/self/exe", args);
		fprintf(stderr, "groundtruth: exec /proc/self/exe: %s\n",
			strerror(errno));
		_exit(127);
	}
	wait_child(child, 3);
}

/* What the exec'd image of step 11 does. */
static int exec_child(const char *report)
{
	char comm[17] = "";

	report_fd = open(report, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (report_fd < 0)
		return 126;
	prctl(PR_GET_NAME, comm);
	emit("exec_child", ",\"ppid\":%d,\"comm\":\"%s\"", getppid(), comm);
	_exit(3);
}

/* Step 0: make glibc's malloc quiet for the rest of the run. */
static void malloc__settle(void)
{
	/* volatile: the compiler drops a malloc whose result goes unused. */
	void *volatile p;

	mallopt(M_ARENA_MAX, 1);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	p = malloc(1);
	free(p);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--exec-child"))
		return exec_child(argv[2]);
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: groundtruth REPORT_FILE\n");
		return 2;
	}
	report_fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (report_fd < 0) {
		fprintf(stderr, "groundtruth: cannot open %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	malloc__settle();

	emit("start", ",\"ppid\":%d", getppid());
	step_anon();
	step_brk();
	step_failures();
	step_file();
	step_threads();
	step_fork();
	step_exec(argv[1]);
	emit("end", ",\"ok\":%s", all_ok ? "true" : "false");
	close(report_fd);
	return all_ok ? 0 : 1;
}
