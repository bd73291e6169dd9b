// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_safety - memtrace run as root by an operator, next to hostile users,
 * for long runs (issue 13): -o refuses planted links and files and creates
 * 0600 files; -u runs the program as another user; no tracing of itself;
 * capabilities named; a stuck reader or a full disk cannot hang it or hide
 * what was not written; closed standard fds; --fail-on-loss; clear
 * messages; --cgroup; what the start record tells a collector.
 *
 * The -u and --cgroup tests make their own user and cgroup and remove them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	20000

static void expect_in(const char *hay, const char *needle, const char *what)
{
	EXPECT_MSG(hay && strstr(hay, needle), "%s lacks \"%s\": \"%s\"", what, needle,
		   hay ? hay : "(null)");
}

static bool file__has(const char *path, const char *text)
{
	size_t len;
	char *buf = file__read(path, &len);
	bool ok = buf && !strcmp(buf, text);

	free(buf);
	return ok;
}

static void file__write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* 1. a final symlink another user planted is never followed */
static void test_output_symlink(void)
{
	const char *pub = harness_tmp("public"), *own = harness_tmp("users-own");
	const char *victim = harness_tmp("victim");
	char link1[512], link2[512];
	struct proc p;

	mkdir(pub, 0777);
	chmod(pub, 01777);	/* like /tmp */
	mkdir(own, 0755);
	ASSERT(!chown(own, 65534, 65534));	/* nobody's own directory */
	file__write(victim, "keep\n");
	snprintf(link1, sizeof(link1), "%s/trace.jsonl", pub);
	snprintf(link2, sizeof(link2), "%s/trace.jsonl", own);
	ASSERT(!symlink(victim, link1) && !lchown(link1, 65534, 65534));
	ASSERT(!symlink(victim, link2) && !lchown(link2, 65534, 65534));

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-f", "json", "-o", link1, "heap", NULL);
	EXPECT_EQ(p.code, 1);
	expect_in(p.err, "symbolic link", "stderr");
	expect_in(p.err, link1, "stderr");
	proc__free(&p);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-f", "json", "-o", link2, "heap", NULL);
	EXPECT_EQ(p.code, 1);
	expect_in(p.err, "symbolic link", "stderr");
	proc__free(&p);
	EXPECT_MSG(file__has(victim, "keep\n"), "the symlink's target was overwritten");
}

/* 1. nor someone else's file in a world-writable directory */
static void test_output_foreign_file(void)
{
	const char *pub = harness_tmp("public2");
	char path[512];
	struct proc p;

	mkdir(pub, 0777);
	chmod(pub, 01777);
	snprintf(path, sizeof(path), "%s/trace.txt", pub);
	file__write(path, "theirs\n");
	ASSERT(!chown(path, 65534, 65534));

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-o", path, "heap", NULL);
	EXPECT_EQ(p.code, 1);
	expect_in(p.err, "world-writable", "stderr");
	expect_in(p.err, "uid 65534", "stderr");
	EXPECT_EQ(text__lines(p.err), 1);
	EXPECT_MSG(file__has(path, "theirs\n"), "the other user's file was written");
	proc__free(&p);
}

/* 2. a trace is sensitive: a new file is 0600 whatever the umask */
static void test_output_mode(void)
{
	const char *path = harness_tmp("mode.jsonl");
	struct stat st;
	struct proc p;
	mode_t old = umask(0);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", path, "--", "true", NULL);
	umask(old);
	EXPECT_EQ(p.code, 0);
	ASSERT(!stat(path, &st));
	EXPECT_MSG((st.st_mode & 07777) == 0600, "mode %o, expected 600", st.st_mode & 07777);
	proc__free(&p);
}

/* 3. -u USER: uid, gid, groups and environment of that user; memtrace still traces */
static void test_user(void)
{
	const char *trace = harness_tmp("user.jsonl");
	char user[32], group[32], cmd[1024], want[512];
	struct proc p, q;
	struct passwd *pw;
	struct group *gr;
	json_t *tr;

	snprintf(user, sizeof(user), "mtsafe%d", (int)getpid() % 100000);
	snprintf(group, sizeof(group), "mtsafeg%d", (int)getpid() % 100000);
	proc__run(&q, RUN_TIMEOUT_MS, "groupadd", group, NULL);
	ASSERT_EQ(q.code, 0);
	proc__free(&q);
	proc__run(&q, RUN_TIMEOUT_MS, "useradd", "-M", "-N", "-d", "/nonexistent-mtsafe", "-G",
		  group, "-s", "/bin/sh", user, NULL);
	EXPECT_EQ(q.code, 0);
	proc__free(&q);
	pw = getpwnam(user);
	gr = getgrnam(group);
	if (!EXPECT(pw && gr))
		goto cleanup;

	snprintf(cmd, sizeof(cmd), "echo \"$(id -u) $(id -g) $(id -G) $HOME $USER $LOGNAME\"");
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-u", user, "-f", "json", "-o", trace,
		      "--", "sh", "-c", cmd, NULL);
	EXPECT_EQ(p.code, 0);
	snprintf(want, sizeof(want), "%u %u %u %u /nonexistent-mtsafe %s %s\n",
		 (unsigned)pw->pw_uid, (unsigned)pw->pw_gid, (unsigned)pw->pw_gid,
		 (unsigned)gr->gr_gid, user, user);
	EXPECT_STREQ(p.out, want);
	/* memtrace kept its privileges: the trace is complete */
	tr = trace__load(trace);
	if (EXPECT(tr))
		EXPECT(events__count_type(tr, "exec", -1) >= 2);
	json_decref(tr);
	proc__free(&p);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-u", "memtrace-no-such-user", "--", "true", NULL);
	EXPECT_EQ(p.code, 1);
	expect_in(p.err, "memtrace-no-such-user", "stderr");
	proc__free(&p);
cleanup:
	proc__run(&q, RUN_TIMEOUT_MS, "userdel", user, NULL);
	proc__free(&q);
	proc__run(&q, RUN_TIMEOUT_MS, "groupdel", group, NULL);
	proc__free(&q);
}

/* 4. -p of memtrace itself, or of the memtrace it runs under: exit 2, at once */
static void test_attach_self(void)
{
	char cmd[1024];
	struct proc p;

	snprintf(cmd, sizeof(cmd), "exec %s run -p $$", harness_memtrace());
	proc__run(&p, 10000, "sh", "-c", cmd, NULL);
	EXPECT(!p.timed_out);
	EXPECT_EQ(p.code, 2);
	expect_in(p.err, "itself", "stderr");
	proc__free(&p);

	snprintf(cmd, sizeof(cmd), "%s run -p $PPID", harness_memtrace());
	memtrace__run(&p, 10000, "run", "-q", "-o", "/dev/null", "--", "sh", "-c", cmd, NULL);
	EXPECT(!p.timed_out);
	EXPECT_EQ(p.code, 2);
	expect_in(p.err, "memtrace this one runs under", "stderr");
	proc__free(&p);
}

/* 5. capabilities, not the uid, and the missing ones named */
static void test_capabilities(void)
{
	const char *marker = harness_tmp("caps-marker");
	char cmd[1024];
	struct proc p;

	if (access("/usr/sbin/capsh", X_OK) && access("/sbin/capsh", X_OK)) {
		harness_skip("capsh not installed (libcap2-bin; make deps)");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s run -- touch %s", harness_memtrace(), marker);
	proc__run(&p, RUN_TIMEOUT_MS, "capsh", "--drop=cap_bpf,cap_perfmon,cap_sys_admin", "--",
		  "-c", cmd, NULL);
	EXPECT_EQ(p.code, 1);
	expect_in(p.err, "CAP_BPF, CAP_PERFMON", "stderr");
	EXPECT_EQ(text__lines(p.err), 1);
	EXPECT_MSG(!file__exists(marker), "the workload ran though memtrace could not trace");
	proc__free(&p);

	snprintf(cmd, sizeof(cmd), "%s run --cost -o /dev/null -- true", harness_memtrace());
	proc__run(&p, RUN_TIMEOUT_MS, "capsh", "--drop=cap_sys_admin", "--", "-c", cmd, NULL);
	EXPECT_EQ(p.code, 1);
	expect_in(p.err, "--cost needs CAP_SYS_ADMIN", "stderr");
	proc__free(&p);

	/* CAP_BPF and CAP_PERFMON are enough to trace */
	snprintf(cmd, sizeof(cmd), "%s run -q -o /dev/null -- true", harness_memtrace());
	proc__run(&p, RUN_TIMEOUT_MS, "capsh", "--drop=cap_sys_admin", "--", "-c", cmd, NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT_MSG(p.err_len == 0, "stderr: \"%s\"", p.err);
	proc__free(&p);
}

/* 6. SIGTERM while the reader takes nothing: stop, summary, detach, exit */
static void test_stuck_reader(void)
{
	struct proc_opts o = PROC_OPTS_DEFAULT;
	struct bpf_snapshot base;
	struct proc p;
	uint64_t t;
	int fds[2];

	bpf__snapshot(&base);
	ASSERT(!pipe2(fds, O_CLOEXEC));
	o.stdout_fd = fds[1];
	memtrace__spawn(&p, &o, "run", "-f", "json", "--", harness_bin("storm"), "1000000000",
			NULL);
	close(fds[1]);
	/* a pipe holds 64 KiB: long filled by now, memtrace blocked in write() */
	usleep(1500 * 1000);
	t = clock__mono_ns();
	kill(p.pid, SIGTERM);
	proc__wait(&p, 10000);
	t = clock__mono_ns() - t;
	close(fds[0]);
	EXPECT(!p.timed_out);
	EXPECT_MSG(t < 5000000000ULL, "took %.1f s to stop", t / 1e9);
	EXPECT_EQ(p.code, 1);
	expect_in(p.err, "events in", "stderr (summary)");
	expect_in(p.err, "written", "stderr");
	proc__kill_group(&p);
	EXPECT_EQ(bpf__leftovers(&base, 3000), 0);
	proc__free(&p);
}

/*
 * A stop signal while the light skeleton loads: the verifier gives up on
 * a pending signal (-EAGAIN), which is no reason to load everything again
 * with libbpf's loader (11 MiB of kernel BTF parsed, 100 ms more) only to
 * stop after it. Delays from 2 to 60 ms cover the ~30 ms load.
 */
static void test_stop_while_loading(void)
{
	struct bpf_snapshot base;
	struct proc p;
	int ms;

	bpf__snapshot(&base);
	for (ms = 2; ms <= 60; ms += 3) {
		memtrace__spawn(&p, NULL, "run", "-v", "-o", "/dev/null", "--", "true", NULL);
		usleep(ms * 1000);
		kill(p.pid, SIGTERM);
		proc__wait(&p, RUN_TIMEOUT_MS);
		EXPECT(!p.timed_out);
		/* the program may have run and ended before the signal */
		EXPECT_MSG(p.code == 128 + SIGTERM || p.code == 0, "SIGTERM after %d ms: exit %d",
			   ms, p.code);
		EXPECT_MSG(!strstr(p.err, "light skeleton not loaded") && !strstr(p.err, "libbpf: "),
			   "SIGTERM after %d ms: fell back to libbpf's loader: %.200s", ms, p.err);
		proc__free(&p);
	}
	EXPECT_EQ(bpf__leftovers(&base, 3000), 0);
}

/*
 * Started with SIGTERM and SIGINT blocked (a supervisor's mask is
 * inherited across exec): the handlers alone do nothing then, and
 * memtrace could not be stopped but by SIGKILL.
 */
static void test_blocked_stop_signals(void)
{
	sigset_t stop, old;
	struct proc p;
	uint64_t t;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, &old);
	memtrace__spawn(&p, NULL, "run", "-q", "-o", "/dev/null", "--", "sleep", "8", NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	usleep(800 * 1000);
	t = clock__mono_ns();
	kill(p.pid, SIGTERM);
	proc__wait(&p, 15000);
	t = clock__mono_ns() - t;
	EXPECT_MSG(t < 4000000000ULL && !p.timed_out, "SIGTERM took %.1f s to stop it", t / 1e9);
	EXPECT_EQ(p.code, 128 + SIGTERM);
	proc__kill_group(&p);
	proc__free(&p);
}

/* 7. a full disk: the summary says how many events the file really holds */
static void test_full_disk(void)
{
	const char *mnt = harness_tmp("small-fs");
	char path[512], *buf, *last;
	unsigned long long written = 0, total = 0;
	const char *w;
	struct proc p;
	size_t len;

	mkdir(mnt, 0755);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k")) {
		harness_skip("cannot mount a tmpfs: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/t.jsonl", mnt);
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-f", "json", "-o", path, "--",
		      harness_bin("storm"), "5000", NULL);
	EXPECT_EQ(p.code, 1);
	expect_in(p.err, "No space left on device", "stderr");
	w = strstr(p.err, "; written ");
	EXPECT_MSG(w && sscanf(w, "; written %llu of %llu", &written, &total) == 2,
		   "no \"written N of M\" in the summary: \"%s\"", p.err);
	EXPECT(written > 0 && written < total);
	buf = file__read(path, &len);
	if (EXPECT(buf && len)) {
		/* the start record and the events written, then a cut line */
		EXPECT_EQ(text__lines(buf) - 1 - (buf[len - 1] != '\n'), written);
		last = strrchr(buf, '\n');
		EXPECT_MSG(!strstr(last ? last : buf, "\"summary\""), "a truncated file ends with a summary");
	}
	free(buf);
	proc__free(&p);
	umount(mnt);
}

/* 8. closed fds 0-2: messages never land in the trace */
static void test_closed_fds(void)
{
	static const char *const redirs[] = { "2>&-", "<&- >&- 2>&-", ">&-" };
	const char *trace = harness_tmp("closed.jsonl");
	char cmd[1024];
	struct proc p;
	json_t *tr;
	size_t i;

	for (i = 0; i < sizeof(redirs) / sizeof(redirs[0]); i++) {
		snprintf(cmd, sizeof(cmd), "exec %s run -f json -o %s -- true %s",
			 harness_memtrace(), trace, redirs[i]);
		proc__run(&p, RUN_TIMEOUT_MS, "sh", "-c", cmd, NULL);
		EXPECT_EQ(p.code, 0);
		tr = trace__load(trace);
		EXPECT_MSG(tr, "with %s the trace is not a clean JSON trace", redirs[i]);
		json_decref(tr);
		proc__free(&p);
	}
}

/* 9. -o /dev/stdout is the event stream: the program's output goes to stderr */
static void test_dev_stdout(void)
{
	struct proc p;
	json_t *tr;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-f", "json", "-o", "/dev/stdout", "--",
		      "echo", "program-output-line", NULL);
	EXPECT_EQ(p.code, 0);
	tr = jsonl__parse(p.out, "stdout");
	EXPECT_MSG(tr, "stdout is not JSON Lines");
	json_decref(tr);
	expect_in(p.err, "program-output-line", "stderr");
	proc__free(&p);
}

/* 10. --fail-on-loss: an incomplete trace fails the run (3) */
static void test_fail_on_loss(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-b", "4K", "-o", "/dev/null",
		      "--fail-on-loss", "--", harness_bin("storm"), "20000", "--stop-parent", NULL);
	EXPECT_EQ(p.code, 3);
	expect_in(p.err, "lost", "stderr");
	proc__free(&p);

	/* opt-in: without it the program's status, as before */
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-b", "4K", "-o", "/dev/null", "--",
		      harness_bin("storm"), "20000", "--stop-parent", NULL);
	EXPECT_EQ(p.code, 0);
	proc__free(&p);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-o", "/dev/null", "--fail-on-loss", "--",
		      "true", NULL);
	EXPECT_EQ(p.code, 0);
	proc__free(&p);
}

/* 11. a value given to an option that takes none */
static void test_option_no_value(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--cost=1", "heap", NULL);
	EXPECT_EQ(p.code, 2);
	expect_in(p.err, "option '--cost' takes no value", "stderr");
	proc__free(&p);

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--quiet=yes", "heap", NULL);
	EXPECT_EQ(p.code, 2);
	expect_in(p.err, "option '--quiet' takes no value", "stderr");
	proc__free(&p);
}

/* 12. a copied binary without its workloads says where it looked */
static void test_workload_not_installed(void)
{
	const char *dir = harness_tmp("copy"), *bin = harness_tmp("copy/memtrace");
	char cmd[1024], where[512];
	struct proc p;

	if (!access(MEMTRACE_LIBEXECDIR "/heap", X_OK)) {
		harness_skip("memtrace is installed in " MEMTRACE_LIBEXECDIR);
		return;
	}
	mkdir(dir, 0755);
	snprintf(cmd, sizeof(cmd), "cp %s %s", harness_memtrace(), bin);
	ASSERT(!system(cmd));
	proc__run(&p, RUN_TIMEOUT_MS, bin, "run", "heap", NULL);
	EXPECT_EQ(p.code, 127);
	expect_in(p.err, "workload 'heap' is not installed", "stderr");
	snprintf(where, sizeof(where), "%s/workloads", dir);
	expect_in(p.err, where, "stderr");
	expect_in(p.err, MEMTRACE_LIBEXECDIR, "stderr");
	EXPECT_EQ(text__lines(p.err), 1);
	proc__free(&p);
}

/* 13. the man page says how to tell a trace cut by SIGKILL */
static void test_docs_incomplete(void)
{
	char path[512];
	char *buf;

	snprintf(path, sizeof(path), "%s/../../docs/memtrace.1", harness_bin(""));
	buf = file__read(path, NULL);
	ASSERT_MSG(buf, "cannot read %s", path);
	expect_in(buf, "INCOMPLETE TRACES", "docs/memtrace.1");
	expect_in(buf, "SIGKILL", "docs/memtrace.1");
	free(buf);
}

static bool ev__pid_is(const json_t *ev, void *ctx)
{
	return ev__int_or(ev, "pid", -1) == *(pid_t *)ctx;
}

/* 14. --cgroup: the processes of one cgroup, nothing else, filtered in the kernel */
static void test_cgroup(void)
{
	const char *trace = harness_tmp("cgroup.jsonl"), *root = cgroup2__mount();
	struct proc mt, in, out;
	char cg[512], cmd[1024];
	char *in_argv[] = { "sh", "-c", cmd, NULL };
	char *out_argv[] = { (char *)harness_bin("storm"), "5", NULL };
	pid_t in_pid, out_pid;
	json_t *tr;

	if (!root) {
		harness_skip("no cgroup v2 mounted");
		return;
	}
	snprintf(cg, sizeof(cg), "%s/memtrace-test-%d", root, (int)getpid());
	ASSERT_MSG(!mkdir(cg, 0755), "mkdir %s: %s", cg, strerror(errno));

	memtrace__spawn(&mt, NULL, "run", "-f", "json", "--cgroup", cg, "-o", trace, NULL);
	if (!EXPECT(file__wait_for(trace, "\"start\"", 10000) >= 0))
		goto cleanup;
	snprintf(cmd, sizeof(cmd), "echo $$ > %s/cgroup.procs && exec %s 7", cg, harness_bin("storm"));
	/* the pids, before proc__wait reaps them */
	proc__spawn(&in, NULL, in_argv);
	in_pid = in.pid;
	EXPECT_EQ(proc__wait(&in, RUN_TIMEOUT_MS), 0);
	proc__spawn(&out, NULL, out_argv);
	out_pid = out.pid;
	EXPECT_EQ(proc__wait(&out, RUN_TIMEOUT_MS), 0);
	usleep(200 * 1000);
	kill(mt.pid, SIGINT);
	proc__wait(&mt, 10000);
	EXPECT_EQ(mt.code, 0);
	tr = trace__load(trace);
	if (EXPECT(tr)) {
		EXPECT_STREQ(ev__str(json_array_get(tr, 0), "target"), "cgroup");
		EXPECT_MSG(events__count(tr, ev__pid_is, &in_pid) > 7,
			   "fewer than 8 events of the process in the cgroup");
		EXPECT_EQ(events__count(tr, ev__pid_is, &out_pid), 0);
	}
	json_decref(tr);
	proc__free(&in);
	proc__free(&out);
	proc__free(&mt);

	memtrace__run(&mt, RUN_TIMEOUT_MS, "run", "--cgroup", "/etc", NULL);
	EXPECT_EQ(mt.code, 1);
	expect_in(mt.err, "not a cgroup v2 directory", "stderr");
cleanup:
	proc__kill_group(&mt);
	proc__free(&mt);
	rmdir(cg);
}

/* 16. the start record: what a collector needs to merge hosts */
static void test_start_record(void)
{
	const char *trace = harness_tmp("start.jsonl");
	char *boot, *version;
	struct utsname u;
	struct proc p, v;
	json_t *tr, *st;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", trace, "--", "true",
		      NULL);
	EXPECT_EQ(p.code, 0);
	memtrace__run(&v, RUN_TIMEOUT_MS, "version", NULL);
	tr = trace__load(trace);
	boot = file__read("/proc/sys/kernel/random/boot_id", NULL);
	if (EXPECT(tr && boot)) {
		st = json_array_get(tr, 0);
		uname(&u);
		boot[strcspn(boot, "\n")] = '\0';
		version = v.out + strcspn(v.out, " ") + 1;
		version[strcspn(version, "\n")] = '\0';
		EXPECT_STREQ(ev__str(st, "hostname"), u.nodename);
		EXPECT_STREQ(ev__str(st, "boot_id"), boot);
		EXPECT_STREQ(ev__str(st, "version"), version);
		EXPECT(ev__str(st, "wall_start"));
	}
	free(boot);
	json_decref(tr);
	proc__free(&p);
	proc__free(&v);
}

static const struct harness_test tests[] = {
	{ "-o: a planted symlink is refused, its target untouched", test_output_symlink, true },
	{ "-o: another user's file in a world-writable dir is refused", test_output_foreign_file, true },
	{ "-o: a new file is 0600 whatever the umask", test_output_mode, true },
	{ "-u USER: uid, gid, groups, HOME/USER/LOGNAME", test_user, true },
	{ "-p of memtrace itself or its memtrace parent: exit 2", test_attach_self, true },
	{ "capabilities checked and named, not the uid", test_capabilities, true },
	{ "SIGTERM with a stuck reader: bounded stop with summary", test_stuck_reader, true },
	{ "SIGTERM while loading: no fallback to libbpf's loader", test_stop_while_loading, true },
	{ "SIGTERM blocked by whoever started it: still stops", test_blocked_stop_signals, true },
	{ "full disk: written N of M, file truncated", test_full_disk, true },
	{ "closed fds 0-2: messages stay out of the trace", test_closed_fds, true },
	{ "-o /dev/stdout: the program's output leaves the stream", test_dev_stdout, true },
	{ "--fail-on-loss: exit 3 on lost events, opt-in", test_fail_on_loss, true },
	{ "--cost=1: option takes no value", test_option_no_value, false },
	{ "copied binary: workload not installed, where it looked", test_workload_not_installed, false },
	{ "docs: how to tell a SIGKILLed trace", test_docs_incomplete, false },
	{ "--cgroup: only that cgroup's processes", test_cgroup, true },
	{ "start record: hostname, boot_id, version", test_start_record, true },
	{ NULL, NULL, false },
};

int main(void)
{
	return harness_main(tests);
}
