// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * harness.c - see harness.h.
 *
 * Children write their stdout/stderr to files in the scratch directory, not
 * to pipes: a test that waits on a child while not reading a pipe could
 * deadlock on a full pipe, and files are still there to look at when a test
 * fails (the directory is kept then).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "harness.h"

#define MAX_ARGS		64
#define MAX_DIAG_PER_TEST	60
#define BPF_CHECK_TIMEOUT_MS	30000

static const char *const bpf_prog_names[] = {
	"handle_fork", "handle_prepare_exec", "handle_exec", "handle_exit", "handle_free", "handle_sys_exit", NULL,
};

static struct {
	bool failed;		/* the running test */
	char skip[256];		/* the running test's skip reason, "" if none */
	bool any_failed;	/* the whole binary: keep the scratch dir */
	int diags;		/* diagnostics printed by the running test */
	char tmpdir[64];
	bool bpf_checked;
	const char *bpf_reason;
	char bpf_reason_buf[512];
	char **strs;		/* strings handed out until exit */
	size_t nstrs;
	int nprocs;		/* names the capture files */
	pid_t pgids[1024];	/* process groups we started: what they hold is ours */
	size_t npgids;
} H;

/* ---- small utilities ---------------------------------------------------- */

uint64_t clock__mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep__ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Keeps s until exit, so helpers can return plain const char *. */
static const char *str__keep(char *s)
{
	char **n;

	if (!s)
		return NULL;
	n = realloc(H.strs, (H.nstrs + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return NULL;
	}
	H.strs = n;
	H.strs[H.nstrs++] = s;
	return s;
}

static const char *str__printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *str__printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : str__keep(s);
}

char *file__read(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

bool file__exists(const char *path)
{
	return access(path, F_OK) == 0;
}

size_t text__lines(const char *buf)
{
	size_t n = 0;
	const char *p;

	for (p = buf; *p; p++)
		if (*p == '\n')
			n++;
	if (p > buf && p[-1] != '\n')
		n++;
	return n;
}

/* ---- TAP and assertions ------------------------------------------------- */

static void diag__vprint(const char *fmt, va_list ap)
{
	char *msg, *line, *save = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	for (line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	free(msg);
}

void harness_diag(const char *fmt, ...)
{
	va_list ap;

	/* one broken invariant in a loop must not bury the TAP stream */
	if (++H.diags == MAX_DIAG_PER_TEST)
		printf("# (further diagnostics of this test suppressed)\n");
	if (H.diags >= MAX_DIAG_PER_TEST)
		return;
	va_start(ap, fmt);
	diag__vprint(fmt, ap);
	va_end(ap);
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	H.failed = true;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	harness_diag("%s:%d: %s", file, line, msg ? msg : fmt);
	free(msg);
}

void harness_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(H.skip, sizeof(H.skip), fmt, ap);
	va_end(ap);
}

bool harness_ok(void)
{
	return !H.failed;
}

bool harness__check(bool ok, const char *file, int line, const char *expr)
{
	if (!ok)
		harness_fail(file, line, "expected: %s", expr);
	return ok;
}

bool harness__eq_int(long long got, long long want, const char *gexpr,
		     const char *wexpr, const char *file, int line)
{
	if (got == want)
		return true;
	harness_fail(file, line, "%s == %s\n     got: %lld\nexpected: %lld",
		     gexpr, wexpr, got, want);
	return false;
}

bool harness__eq_str(const char *got, const char *want, const char *gexpr,
		     const char *wexpr, const char *file, int line)
{
	if (got && want && !strcmp(got, want))
		return true;
	harness_fail(file, line, "%s == %s\n     got: %s%s%s\nexpected: %s%s%s",
		     gexpr, wexpr, got ? "\"" : "", got ? got : "(null)", got ? "\"" : "",
		     want ? "\"" : "", want ? want : "(null)", want ? "\"" : "");
	return false;
}

bool harness__eq_hex(uint64_t got, uint64_t want, const char *gexpr,
		     const char *wexpr, const char *file, int line)
{
	if (got == want)
		return true;
	harness_fail(file, line, "%s == %s\n     got: 0x%llx\nexpected: 0x%llx", gexpr,
		     wexpr, (unsigned long long)got, (unsigned long long)want);
	return false;
}

/* ---- scratch directory and paths ---------------------------------------- */

static int rm__entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void tmpdir__cleanup(void)
{
	size_t i;

	if (H.tmpdir[0]) {
		if (H.any_failed)
			printf("# kept the failed tests' files in %s\n", H.tmpdir);
		else
			nftw(H.tmpdir, rm__entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	for (i = 0; i < H.nstrs; i++)
		free(H.strs[i]);
	free(H.strs);
}

const char *harness_tmpdir(void)
{
	if (!H.tmpdir[0]) {
		snprintf(H.tmpdir, sizeof(H.tmpdir), "/tmp/memtrace-test.XXXXXX");
		if (!mkdtemp(H.tmpdir)) {
			printf("Bail out! cannot create a scratch directory: %s\n",
			       strerror(errno));
			exit(1);
		}
		/* `nobody` runs memtrace in the not-root test: let it in */
		chmod(H.tmpdir, 0755);
	}
	return H.tmpdir;
}

const char *harness_tmp(const char *name)
{
	return str__printf("%s/%s", harness_tmpdir(), name);
}

/* Directory of the running test binary (tests/bin). */
static const char *self__dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n;
	char *slash;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0) {
		strcpy(dir, ".");
		return dir;
	}
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return dir;
}

const char *harness_memtrace(void)
{
	static const char *bin;
	const char *env = getenv("MEMTRACE_BIN");

	if (!bin)
		bin = env && *env ? env : str__printf("%s/../../memtrace", self__dir());
	return bin;
}

const char *harness_bin(const char *name)
{
	return str__printf("%s/%s", self__dir(), name);
}

/*
 * The cgroup v2 mount point from /proc/mounts (proc(5)), or NULL when
 * none is mounted. The string is static: valid until the next call.
 */
const char *cgroup2__mount(void)
{
	static char dir[256];
	char line[512], fs[64];
	FILE *f = fopen("/proc/mounts", "re");

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %255s %63s", dir, fs) == 2 && !strcmp(fs, "cgroup2")) {
			fclose(f);
			return dir;
		}
	}
	fclose(f);
	return NULL;
}

/* ---- processes ---------------------------------------------------------- */

static void __attribute__((noreturn))
child__exec(const struct proc_opts *o, const struct proc *p, char *const argv[])
{
	int in, out, err;

	setpgid(0, 0);
	/* a test may have ignored or blocked these; the child starts clean */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* O_CLOEXEC: the program gets these as 0, 1, 2 only, no stray fds */
	in = o->stdin_fd >= 0 ? o->stdin_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
	out = o->stdout_fd >= 0 ? o->stdout_fd :
	      open(p->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	err = o->stderr_fd >= 0 ? o->stderr_fd :
	      open(p->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(err, 2) < 0)
		_exit(126);
	execvp(argv[0], argv);
	dprintf(2, "harness: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int proc__spawn(struct proc *p, const struct proc_opts *o, char *const argv[])
{
	static const struct proc_opts dflt = PROC_OPTS_DEFAULT;
	pid_t pid;
	int n = ++H.nprocs;

	if (!o)
		o = &dflt;
	memset(p, 0, sizeof(*p));
	p->code = -1;
	snprintf(p->out_path, sizeof(p->out_path), "%s/proc%d.out", harness_tmpdir(), n);
	snprintf(p->err_path, sizeof(p->err_path), "%s/proc%d.err", harness_tmpdir(), n);
	/* nothing buffered may be written twice, by us and by the child */
	fflush(NULL);
	p->t0_ns = clock__mono_ns();
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child__exec(o, p, argv);
	/* both sides set the group, so a kill right after spawn reaches it */
	setpgid(pid, pid);
	if (H.npgids < 1024)
		H.pgids[H.npgids++] = pid;
	p->pid = pid;
	p->pgid = pid;
	return 0;
}

static void proc__load_output(struct proc *p)
{
	free(p->out);
	free(p->err);
	p->out = file__read(p->out_path, &p->out_len);
	p->err = file__read(p->err_path, &p->err_len);
	/* redirected elsewhere: no file, nothing captured */
	if (!p->out) {
		p->out = strdup("");
		p->out_len = 0;
	}
	if (!p->err) {
		p->err = strdup("");
		p->err_len = 0;
	}
}

int proc__wait(struct proc *p, int timeout_ms)
{
	uint64_t deadline = clock__mono_ns() + (uint64_t)timeout_ms * 1000000ULL;
	pid_t r;

	if (p->exited || !p->pid)
		return p->code;
	for (;;) {
		r = waitpid(p->pid, &p->status, WNOHANG);
		if (r == p->pid)
			break;
		if (r < 0 && errno != EINTR) {
			/* someone else reaped it: the status is lost */
			harness_diag("waitpid %d: %s", (int)p->pid, strerror(errno));
			p->timed_out = true;
			break;
		}
		if (clock__mono_ns() > deadline) {
			p->timed_out = true;
			kill(-p->pgid, SIGKILL);
			kill(p->pid, SIGKILL);
			while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		sleep__ms(2);
	}
	p->secs = (clock__mono_ns() - p->t0_ns) / 1e9;
	p->exited = true;
	p->pid = 0;
	if (p->timed_out)
		p->code = -1;
	else if (WIFSIGNALED(p->status))
		p->code = 128 + WTERMSIG(p->status);
	else
		p->code = WEXITSTATUS(p->status);
	proc__load_output(p);
	return p->code;
}

void proc__kill_group(struct proc *p)
{
	if (p->pgid > 0)
		kill(-p->pgid, SIGKILL);
}

void proc__free(struct proc *p)
{
	/* never leave a child running behind a test that gave up early */
	if (p->pid > 0) {
		proc__kill_group(p);
		proc__wait(p, 5000);
	}
	free(p->out);
	free(p->err);
	p->out = p->err = NULL;
}

/* Collects a NULL-terminated variadic list after `first` into argv. */
static void args__collect(char **argv, const char *first, va_list ap)
{
	const char *a;
	int n = 0;

	if (first)
		argv[n++] = (char *)first;
	while (n < MAX_ARGS - 1 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	argv[n] = NULL;
}

int proc__run(struct proc *p, int timeout_ms, const char *arg0, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;
	int e;

	va_start(ap, arg0);
	args__collect(argv, arg0, ap);
	va_end(ap);
	e = proc__spawn(p, NULL, argv);
	if (e)
		return e;
	return proc__wait(p, timeout_ms);
}

int memtrace__run(struct proc *p, int timeout_ms, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;
	int e;

	va_start(ap, timeout_ms);
	args__collect(argv, harness_memtrace(), ap);
	va_end(ap);
	e = proc__spawn(p, NULL, argv);
	if (e)
		return e;
	return proc__wait(p, timeout_ms);
}

json_t *memtrace__trace(const char *name, int timeout_ms, int *code, char **out,
			char *const argv[])
{
	char *args[MAX_ARGS] = { (char *)harness_memtrace(), "run", "-q", "-f", "json", "-o",
				 (char *)harness_tmp(name) };
	struct proc_opts o = PROC_OPTS_DEFAULT;
	struct proc p;
	int i, n = 7, rc;

	for (i = 0; argv[i] && n < MAX_ARGS - 1; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	if (proc__spawn(&p, &o, args)) {
		harness_fail(__FILE__, __LINE__, "cannot start memtrace");
		return NULL;
	}
	rc = proc__wait(&p, timeout_ms);
	if (rc)
		harness_diag("memtrace exited %d: %s", rc, p.err);
	if (code)
		*code = rc;
	if (out)
		*out = strdup(p.out ? p.out : "");
	proc__free(&p);
	return trace__load(harness_tmp(name));
}

int memtrace__spawn(struct proc *p, const struct proc_opts *o, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;

	va_start(ap, o);
	args__collect(argv, harness_memtrace(), ap);
	va_end(ap);
	return proc__spawn(p, o, argv);
}

int file__wait_for(const char *path, const char *needle, int timeout_ms)
{
	uint64_t t0 = clock__mono_ns(), now;
	char *buf;
	bool found;

	for (;;) {
		buf = file__read(path, NULL);
		found = buf && strstr(buf, needle);
		free(buf);
		now = clock__mono_ns();
		if (found)
			return (int)((now - t0) / 1000000);
		if (now - t0 > (uint64_t)timeout_ms * 1000000ULL)
			return -1;
		sleep__ms(5);
	}
}

/* ---- JSON Lines and events ---------------------------------------------- */

json_t *jsonl__parse(const char *buf, const char *what)
{
	json_t *arr = json_array(), *v;
	json_error_t jerr;
	const char *p = buf, *nl;
	size_t lineno = 0, len;

	while (*p) {
		lineno++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		v = json_loadb(p, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!v || !json_is_object(v)) {
			harness_diag("%s:%zu: not a JSON object: %s: %.200s", what, lineno,
				     v ? "not an object" : jerr.text, p);
			json_decref(v);
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, v);
		if (!nl)
			break;
		p = nl + 1;
	}
	return arr;
}

json_t *jsonl__read(const char *path)
{
	char *buf = file__read(path, NULL);
	json_t *arr;

	if (!buf) {
		harness_diag("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	arr = jsonl__parse(buf, path);
	free(buf);
	return arr;
}

bool hex__parse(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	const char *p;
	int d;

	if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
		return false;
	for (p = s + 2; *p; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (p - s > 17)		/* more than 16 digits */
			return false;
		x = x << 4 | d;
	}
	*v = x;
	return true;
}

const char *ev__str(const json_t *ev, const char *key)
{
	return json_string_value(json_object_get(ev, key));
}

bool ev__int(const json_t *ev, const char *key, long long *v)
{
	json_t *j = json_object_get(ev, key);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

long long ev__int_or(const json_t *ev, const char *key, long long dflt)
{
	long long v;

	return ev__int(ev, key, &v) ? v : dflt;
}

bool ev__bool(const json_t *ev, const char *key, bool *v)
{
	json_t *j = json_object_get(ev, key);

	if (!json_is_boolean(j))
		return false;
	*v = json_is_true(j);
	return true;
}

bool ev__addr(const json_t *ev, const char *key, uint64_t *v)
{
	return hex__parse(ev__str(ev, key), v);
}

bool ev__is(const json_t *ev, const char *event)
{
	const char *e = ev__str(ev, "event");

	return e && !strcmp(e, event);
}

const char *ev__show(const json_t *ev)
{
	static char buf[1024];
	char *s = ev ? json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	snprintf(buf, sizeof(buf), "%s", s ? s : "(none)");
	free(s);
	return buf;
}

json_t *events__find(const json_t *arr, size_t from, ev_pred pred, void *ctx, size_t *idx)
{
	size_t i;

	for (i = from; i < json_array_size(arr); i++) {
		json_t *ev = json_array_get(arr, i);

		if (pred(ev, ctx)) {
			if (idx)
				*idx = i;
			return ev;
		}
	}
	return NULL;
}

size_t events__count(const json_t *arr, ev_pred pred, void *ctx)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(arr); i++)
		if (pred(json_array_get(arr, i), ctx))
			n++;
	return n;
}

size_t events__count_type(const json_t *arr, const char *event, long long pid)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(arr); i++) {
		json_t *ev = json_array_get(arr, i);

		if (ev__is(ev, event) && (pid < 0 || ev__int_or(ev, "pid", -1) == pid))
			n++;
	}
	return n;
}

json_t *trace__load(const char *path)
{
	json_t *tr = jsonl__read(path);
	size_t n = json_array_size(tr);

	if (!tr) {
		harness_fail(__FILE__, __LINE__, "%s is not a JSON Lines trace", path);
		return NULL;
	}
	if (n < 2 || !ev__is(json_array_get(tr, 0), "start") ||
	    !ev__is(json_array_get(tr, n - 1), "summary")) {
		harness_fail(__FILE__, __LINE__, "%s: %zu lines; first %s; last %s", path, n,
			     ev__show(json_array_get(tr, 0)),
			     n ? ev__show(json_array_get(tr, n - 1)) : "-");
		json_decref(tr);
		return NULL;
	}
	return tr;
}

long long trace__root_pid(const json_t *tr)
{
	return ev__int_or(json_array_get(tr, 0), "root_pid", -1);
}

json_t *trace__summary(const json_t *tr)
{
	size_t n = json_array_size(tr);

	return n ? json_array_get(tr, n - 1) : NULL;
}

json_t *trace__exit_of(const json_t *tr, long long pid)
{
	json_t *ev;
	size_t i;
	bool thread;

	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "exit") && ev__int_or(ev, "pid", -1) == pid &&
		    ev__bool(ev, "thread", &thread) && !thread)
			return ev;
	}
	return NULL;
}

/* ---- BPF leftovers ------------------------------------------------------ */

static bool bpf__our_name(const char *name)
{
	int i;

	for (i = 0; name && bpf_prog_names[i]; i++)
		if (!strcmp(name, bpf_prog_names[i]))
			return true;
	return false;
}

/* `bpftool -j <what> show` as a JSON array; NULL if it failed. */
static json_t *bpftool__list(const char *what)
{
	struct proc p;
	json_t *arr;
	json_error_t jerr;

	int tries;

	/*
	 * bpftool fails (255) when a link or program it is listing goes away
	 * mid-listing: other memtraces on a shared machine come and go. Ask
	 * again before calling it a failure.
	 */
	for (tries = 1; proc__run(&p, 10000, "bpftool", "-j", what, "show", NULL) != 0; tries++) {
		if (tries == 5) {
			harness_diag("bpftool %s show failed %d times (exit %d): %s", what, tries,
				     p.code, p.err);
			proc__free(&p);
			return NULL;
		}
		proc__free(&p);
		sleep__ms(100);
	}
	arr = json_loads(p.out, 0, &jerr);
	proc__free(&p);
	if (!json_is_array(arr)) {
		harness_diag("bpftool %s show: unexpected output: %s", what, jerr.text);
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static bool ids__has(const uint32_t *ids, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The prog_id an fd's fdinfo names, 0 if none (not a BPF program or link). */
static uint32_t fdinfo__prog_id(const char *pid, const char *fd)
{
	char path[600], line[256];
	unsigned int id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "prog_id: %u", &id) == 1)
			break;
	fclose(f);
	return id;
}

/* Process group of pid (field 5 of /proc/PID/stat), -1 if unknown. */
static pid_t proc__pgid_of(const char *pid)
{
	char path[300], buf[512], *rp;
	int pgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* the comm in parentheses may hold blanks and ')': skip to the last one */
	if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')))
		sscanf(rp + 1, " %*c %*d %d", &pgid);
	fclose(f);
	return pgid;
}

static bool pgid__ours(pid_t pgid)
{
	size_t i;

	for (i = 0; i < H.npgids; i++)
		if (H.pgids[i] == pgid)
			return true;
	return false;
}

/*
 * Programs held open by live processes that are none of ours: another
 * engineer's memtrace (under whatever name) running next to the tests.
 * What our own process groups still hold, or nobody holds, is a leftover.
 * bpftool here is built without the "pids" field, so the holders come
 * from /proc/PID/fdinfo.
 */
static size_t procs__foreign_progs(uint32_t *ids, size_t max)
{
	DIR *proc = opendir("/proc"), *fds;
	struct dirent *p, *fd;
	char path[300];
	size_t n = 0;
	uint32_t id;

	if (!proc)
		return 0;
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		if (atoi(p->d_name) == getpid() || pgid__ours(proc__pgid_of(p->d_name)))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fd = readdir(fds)) && n < max) {
			if (fd->d_name[0] == '.')
				continue;
			id = fdinfo__prog_id(p->d_name, fd->d_name);
			if (id)
				ids[n++] = id;
		}
		closedir(fds);
	}
	closedir(proc);
	return n;
}

/* Our program ids in progs (into ids, when not NULL). */
static size_t bpf__our_progs(const json_t *progs, uint32_t *ids, size_t max)
{
	json_t *e;
	size_t i, n = 0;

	json_array_foreach(progs, i, e) {
		if (!bpf__our_name(ev__str(e, "name")))
			continue;
		if (ids && n < max)
			ids[n] = ev__int_or(e, "id", 0);
		n++;
	}
	return n;
}

void bpf__snapshot(struct bpf_snapshot *s)
{
	json_t *progs, *links, *e;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (geteuid() != 0)
		return;		/* bpftool needs root; bpf__leftovers says so */
	progs = bpftool__list("prog");
	links = bpftool__list("link");
	s->nprogs = bpf__our_progs(progs, s->prog_ids, 512);
	if (s->nprogs > 512)
		s->nprogs = 512;
	json_array_foreach(links, i, e) {
		uint32_t prog = ev__int_or(e, "prog_id", 0);

		if (ids__has(s->prog_ids, s->nprogs, prog) && s->nlinks < 512)
			s->link_ids[s->nlinks++] = ev__int_or(e, "id", 0);
	}
	json_decref(progs);
	json_decref(links);
}

/* One pass: how many of ours are left, with diagnostics if `report`. */
static int bpf__count_left(const struct bpf_snapshot *base, bool report)
{
	json_t *progs = bpftool__list("prog"), *links, *e;
	uint32_t left_ids[512], busy[1024];
	size_t i, nleft = 0, nbusy;
	int n = 0;

	if (!progs)
		return -1;
	links = bpftool__list("link");
	if (!links) {
		json_decref(progs);
		return -1;
	}
	nbusy = procs__foreign_progs(busy, 1024);
	json_array_foreach(progs, i, e) {
		uint32_t id = ev__int_or(e, "id", 0);

		if (!bpf__our_name(ev__str(e, "name")) ||
		    ids__has(base->prog_ids, base->nprogs, id) || ids__has(busy, nbusy, id))
			continue;
		if (nleft < 512)
			left_ids[nleft++] = id;
		n++;
		if (report)
			harness_diag("left behind: prog %s", ev__show(e));
	}
	json_array_foreach(links, i, e) {
		uint32_t id = ev__int_or(e, "id", 0), prog = ev__int_or(e, "prog_id", 0);

		if (ids__has(base->link_ids, base->nlinks, id) || !ids__has(left_ids, nleft, prog))
			continue;
		n++;
		if (report)
			harness_diag("left behind: link %s", ev__show(e));
	}
	json_decref(progs);
	json_decref(links);
	return n;
}

int bpf__new_progs(const struct bpf_snapshot *base)
{
	json_t *progs = bpftool__list("prog"), *e;
	size_t i;
	int n = 0;

	if (!progs)
		return -1;
	json_array_foreach(progs, i, e) {
		if (bpf__our_name(ev__str(e, "name")) &&
		    !ids__has(base->prog_ids, base->nprogs, ev__int_or(e, "id", 0)))
			n++;
	}
	json_decref(progs);
	return n;
}

int bpf__leftovers(const struct bpf_snapshot *base, int timeout_ms)
{
	uint64_t deadline = clock__mono_ns() + (uint64_t)timeout_ms * 1000000ULL;
	int n;

	if (geteuid() != 0) {
		harness_diag("cannot list BPF programs: not root");
		return -1;
	}
	for (;;) {
		n = bpf__count_left(base, false);
		if (n <= 0)
			return n;
		if (clock__mono_ns() > deadline)
			return bpf__count_left(base, true);
		sleep__ms(50);
	}
}

/* ---- the runner --------------------------------------------------------- */

const char *harness_require_bpf(void)
{
	struct proc p;
	const char *bin;
	char *nl;

	if (H.bpf_checked)
		return H.bpf_reason;
	H.bpf_checked = true;
	bin = harness_memtrace();
	if (geteuid() != 0) {
		H.bpf_reason = "not root: memtrace needs root to load BPF";
		return H.bpf_reason;
	}
	if (access(bin, X_OK)) {
		snprintf(H.bpf_reason_buf, sizeof(H.bpf_reason_buf),
			 "memtrace binary %s: %s (run make)", bin, strerror(errno));
		H.bpf_reason = H.bpf_reason_buf;
		return H.bpf_reason;
	}
	memtrace__run(&p, BPF_CHECK_TIMEOUT_MS, "run", "-q", "-o", "/dev/null", "--", "/bin/true",
		      NULL);
	if (p.code != 0) {
		nl = strchr(p.err, '\n');
		if (nl)
			*nl = '\0';
		snprintf(H.bpf_reason_buf, sizeof(H.bpf_reason_buf),
			 "BPF unavailable: `memtrace run -- /bin/true` %s %d: %s",
			 p.timed_out ? "timed out" : "exited", p.code, p.err);
		H.bpf_reason = H.bpf_reason_buf;
	}
	proc__free(&p);
	return H.bpf_reason;
}

int harness_main(const struct harness_test *tests)
{
	const char *req = getenv("MEMTRACE_REQUIRE_BPF");
	bool require = req && !strcmp(req, "1");
	const char *reason;
	int n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* a reader that went away must show up as EPIPE in the test, not kill it */
	signal(SIGPIPE, SIG_IGN);
	atexit(tmpdir__cleanup);
	for (; tests->name; tests++) {
		n++;
		H.failed = false;
		H.skip[0] = '\0';
		H.diags = 0;
		reason = tests->needs_bpf ? harness_require_bpf() : NULL;
		if (reason && !require) {
			printf("ok %d - %s # SKIP %s\n", n, tests->name, reason);
			continue;
		}
		if (reason) {
			printf("# %s (MEMTRACE_REQUIRE_BPF=1)\n", reason);
			H.failed = true;
		} else {
			tests->fn();
		}
		if (H.skip[0] && !H.failed)
			printf("ok %d - %s # SKIP %s\n", n, tests->name, H.skip);
		else
			printf("%sok %d - %s\n", H.failed ? "not " : "", n, tests->name);
		H.any_failed |= H.failed;
	}
	printf("1..%d\n", n);
	return H.any_failed ? 1 : 0;
}
