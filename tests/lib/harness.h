/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * harness - the integration tests' small C harness.
 *
 * A test binary is a table of struct harness_test handed to harness_main(),
 * which runs them in order and prints TAP: "ok N - name", "not ok N - name",
 * "ok N - name # SKIP reason", diagnostics as "# ..." lines, and the plan
 * "1..N" at the end. Tests that need BPF are skipped with the reason when
 * this machine cannot trace, and fail instead with MEMTRACE_REQUIRE_BPF=1.
 *
 * Around that: run memtrace (or anything) as a child with a timeout that
 * kills its whole process group, so that no test can hang; read JSON Lines
 * into jansson arrays; find events; parse the hex addresses of the schema;
 * and check that no memtrace BPF program outlives its memtrace.
 */
#ifndef MEMTRACE_HARNESS_H
#define MEMTRACE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

/* ---- TAP ---------------------------------------------------------------- */

struct harness_test {
	const char *name;
	void (*fn)(void);
	bool needs_bpf;		/* skipped (or failed) when BPF is unavailable */
};

/* Runs the NULL-name-terminated table; returns the binary's exit status. */
int harness_main(const struct harness_test *tests);
/*
 * NULL when this process can trace: root, and `memtrace run -q -o
 * /dev/null -- /bin/true` exits 0 (checked once). Otherwise the reason.
 */
const char *harness_require_bpf(void);
/* One "# ..." line per line of the message. */
void harness_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Reports the running test as "ok N - name # SKIP reason" (for a missing
 * tool, say), unless it already failed; the test should return after it.
 */
void harness_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Marks the running test failed; the assertion macros call it. */
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* True while the running test has no failure. */
bool harness_ok(void);

bool harness__check(bool ok, const char *file, int line, const char *expr);
bool harness__eq_int(long long got, long long want, const char *gexpr,
		     const char *wexpr, const char *file, int line);
bool harness__eq_str(const char *got, const char *want, const char *gexpr,
		     const char *wexpr, const char *file, int line);
bool harness__eq_hex(uint64_t got, uint64_t want, const char *gexpr,
		     const char *wexpr, const char *file, int line);

/* EXPECT_* note a failure and go on; ASSERT_* also leave the test (void fn). */
#define EXPECT(c)		harness__check(!!(c), __FILE__, __LINE__, #c)
#define EXPECT_EQ(g, w)		\
	harness__eq_int((long long)(g), (long long)(w), #g, #w, __FILE__, __LINE__)
#define EXPECT_STREQ(g, w)	harness__eq_str((g), (w), #g, #w, __FILE__, __LINE__)
#define EXPECT_HEX(g, w)	\
	harness__eq_hex((uint64_t)(g), (uint64_t)(w), #g, #w, __FILE__, __LINE__)
/* Fails with a message of its own when c is false. */
#define EXPECT_MSG(c, ...)	\
	((c) ? true : (harness_fail(__FILE__, __LINE__, __VA_ARGS__), false))

#define ASSERT(c)		do { if (!EXPECT(c)) return; } while (0)
#define ASSERT_EQ(g, w)		do { if (!EXPECT_EQ(g, w)) return; } while (0)
#define ASSERT_STREQ(g, w)	do { if (!EXPECT_STREQ(g, w)) return; } while (0)
#define ASSERT_MSG(c, ...)	do { if (!EXPECT_MSG(c, __VA_ARGS__)) return; } while (0)

/* ---- files -------------------------------------------------------------- */

/* A per-binary scratch directory, removed at exit unless a test failed. */
const char *harness_tmpdir(void);
/* tmpdir/name; the string lives until exit. */
const char *harness_tmp(const char *name);
/* Path of the memtrace binary: $MEMTRACE_BIN, else ../../memtrace from us. */
const char *harness_memtrace(void);
/* tests/bin/name, next to the running test binary. */
const char *harness_bin(const char *name);
/* Whole file, NUL-terminated (malloc'd); NULL on error. */
char *file__read(const char *path, size_t *len);
bool file__exists(const char *path);
/* Lines in buf (a last line without '\n' counts). */
size_t text__lines(const char *buf);
/* The cgroup v2 mount point, or NULL (static string). */
const char *cgroup2__mount(void);

/* ---- processes ---------------------------------------------------------- */

struct proc {
	pid_t pid;		/* leader of its own process group; 0 once reaped */
	pid_t pgid;
	int status;		/* raw wait status */
	int code;		/* exit code, 128+N if signal N killed it, -1 if not done */
	bool exited;
	bool timed_out;		/* killed by proc__wait's timeout (or not ours to reap) */
	double secs;		/* spawn to exit */
	char *out, *err;	/* captured stdout/stderr, "" when redirected */
	size_t out_len, err_len;
	char out_path[256], err_path[256];
	uint64_t t0_ns;
};

struct proc_opts {
	int stdin_fd;		/* -1: /dev/null */
	int stdout_fd;		/* -1: captured into proc.out */
	int stderr_fd;		/* -1: captured into proc.err */
};

#define PROC_OPTS_DEFAULT	{ .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 }

/* Starts argv in a new process group. Returns 0 or -errno. */
int proc__spawn(struct proc *p, const struct proc_opts *o, char *const argv[]);
/*
 * Waits up to timeout_ms; on timeout kills the whole group with SIGKILL,
 * reaps the leader and sets timed_out. Then loads out/err. Returns code.
 */
int proc__wait(struct proc *p, int timeout_ms);
/* SIGKILL to whatever is left in the process group (a no-op if none). */
void proc__kill_group(struct proc *p);
void proc__free(struct proc *p);
/* spawn + wait; the argument list ends with NULL. */
int proc__run(struct proc *p, int timeout_ms, const char *arg0, ...);
/* Same with the memtrace binary prepended: memtrace__run(&p, 20000, "run", ...). */
int memtrace__run(struct proc *p, int timeout_ms, ...);
int memtrace__spawn(struct proc *p, const struct proc_opts *o, ...);
/*
 * memtrace run -q -f json -o harness_tmp(name) ARGV... (NULL-terminated;
 * put "--" before the program yourself): the trace as trace__load reads
 * it, NULL if memtrace could not start or left no readable trace. *code
 * gets memtrace's exit status, *out its standard output (malloc'd); either
 * may be NULL. A non-zero status is also written as a diagnostic.
 */
json_t *memtrace__trace(const char *name, int timeout_ms, int *code, char **out,
			char *const argv[]);
/* Milliseconds spent waiting until path contains needle (or -1 after timeout_ms). */
int file__wait_for(const char *path, const char *needle, int timeout_ms);
uint64_t clock__mono_ns(void);

/* ---- JSON Lines and events ---------------------------------------------- */

/*
 * Parses JSON Lines into an array of objects. Every line must be a JSON
 * object: anything else is a failure, reported with its line number as a
 * diagnostic, and NULL is returned. what names the file in messages.
 */
json_t *jsonl__parse(const char *buf, const char *what);
json_t *jsonl__read(const char *path);

/* "0x7f3a0d5d5000" -> value. Only lowercase/uppercase hex after "0x". */
bool hex__parse(const char *s, uint64_t *v);

const char *ev__str(const json_t *ev, const char *key);	/* NULL unless a string */
bool ev__int(const json_t *ev, const char *key, long long *v);	/* false unless an integer */
long long ev__int_or(const json_t *ev, const char *key, long long dflt);
bool ev__bool(const json_t *ev, const char *key, bool *v);
/* A hex-string address field. */
bool ev__addr(const json_t *ev, const char *key, uint64_t *v);
bool ev__is(const json_t *ev, const char *event);
/* The event as one compact JSON line, for diagnostics (static buffer). */
const char *ev__show(const json_t *ev);

typedef bool (*ev_pred)(const json_t *ev, void *ctx);
/* First event at index >= from that pred accepts; *idx gets its index. */
json_t *events__find(const json_t *arr, size_t from, ev_pred pred, void *ctx, size_t *idx);
size_t events__count(const json_t *arr, ev_pred pred, void *ctx);
/* Events of one type (any pid when pid < 0). */
size_t events__count_type(const json_t *arr, const char *event, long long pid);

/*
 * A memtrace JSON trace: every line must parse, the first must be the
 * start record and the last the summary; otherwise the test fails (with
 * the reason as a diagnostic) and NULL is returned.
 */
json_t *trace__load(const char *path);
/* root_pid of the start record, -1 if none. */
long long trace__root_pid(const json_t *tr);
/* The summary record (the last line). */
json_t *trace__summary(const json_t *tr);
/* The exit event of process pid's last task (thread false), NULL if none. */
json_t *trace__exit_of(const json_t *tr, long long pid);

/* ---- BPF leftovers ------------------------------------------------------ */

/* IDs of the memtrace-named programs and links loaded right now. */
struct bpf_snapshot {
	uint32_t prog_ids[512];
	size_t nprogs;
	uint32_t link_ids[512];
	size_t nlinks;
};

/*
 * memtrace's program names: handle_fork, handle_exec, handle_exit,
 * handle_sys_exit. bpftool needs root: without it the snapshot is empty.
 */
void bpf__snapshot(struct bpf_snapshot *s);
/*
 * Polls up to timeout_ms (the kernel frees programs asynchronously) for
 * memtrace programs and links not in base and not held open by a live
 * process outside the process groups this test started (another
 * engineer's memtrace, say). Returns how many are left (0: clean), listing them as
 * diagnostics; -1 if bpftool could not be run (not root, say).
 */
int bpf__leftovers(const struct bpf_snapshot *base, int timeout_ms);
/* memtrace programs loaded now and not in base, whoever holds them; -1 on error. */
int bpf__new_progs(const struct bpf_snapshot *base);

#endif /* MEMTRACE_HARNESS_H */
