// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_vma - the kernel-made map (issue 10 §2): the vma records after an
 * exec, and at attach with -p, must equal /proc/PID/maps read at the same
 * moment by tests/progs/vmaprog (a ptrace stop at the new image's first
 * instruction; a process that does nothing after copying its own maps).
 * Every field is compared: start, end, prot, shared, offset, dev, inode,
 * path or name. A doctored trace (a VMA removed, a field changed) must
 * fail the same comparison.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	20000

/* One VMA as /proc/PID/maps would print it, spaces before the name squeezed. */
static void line__format(char *out, size_t n, uint64_t start, uint64_t end, const char *prot,
			 bool shared, unsigned long long off, unsigned maj, unsigned min,
			 unsigned long long ino, const char *name)
{
	snprintf(out, n, "%llx-%llx %s%c %08llx %02x:%02x %llu %s", (unsigned long long)start,
		 (unsigned long long)end, prot, shared ? 's' : 'p', off, maj, min, ino, name);
}

/* The same line from a vma record; false if a field is missing or malformed. */
static bool vma__line(const json_t *ev, char *out, size_t n)
{
	const char *prot = ev__str(ev, "prot"), *dev = ev__str(ev, "dev");
	const char *name = ev__str(ev, "path");
	uint64_t start, end;
	long long off, ino;
	unsigned maj, min;
	bool shared;

	if (!name)
		name = ev__str(ev, "name");
	if (!ev__addr(ev, "start", &start) || !ev__addr(ev, "end", &end) || !prot ||
	    strlen(prot) != 3 || !ev__bool(ev, "shared", &shared) ||
	    !ev__int(ev, "offset", &off) || !dev || sscanf(dev, "%x:%x", &maj, &min) != 2 ||
	    !ev__int(ev, "inode", &ino))
		return false;
	/* an anonymous VMA has neither: /proc ends its line after the inode */
	if (ev__str(ev, "path") && ev__str(ev, "name"))
		return false;
	line__format(out, n, start, end, prot, shared, off, maj, min, ino, name ? name : "");
	return true;
}

/* The same from a line of /proc/PID/maps (NUL-terminated, no newline). */
static bool maps__line(const char *l, char *out, size_t n)
{
	unsigned long long start, end, off, ino;
	unsigned maj, min;
	char perms[8];
	int pos = 0;

	if (sscanf(l, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &maj, &min,
		   &ino, &pos) != 7 || strlen(perms) != 4)
		return false;
	perms[3] = perms[3] == 's' ? 's' : 'p';
	snprintf(out, n, "%llx-%llx %s %08llx %02x:%02x %llu %s", start, end, perms, off, maj, min,
		 ino, pos ? l + pos : "");
	return true;
}

/* The doctored comparisons are expected to fail: no diagnostics for them. */
static bool quiet;

#define vma__diag(...)	do { if (!quiet) harness_diag(__VA_ARGS__); } while (0)

/*
 * Do the vma records (a JSON array) equal the maps file's text, line for
 * line? Says where they first differ when not.
 */
static bool vmas__equal(const json_t *vmas, const char *maps)
{
	char want[4200], got[4200], line[4200];
	const char *p = maps, *nl;
	size_t i = 0, len;

	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line)) {
			vma__diag("maps line too long");
			return false;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : p + len;
		if (!maps__line(line, want, sizeof(want))) {
			vma__diag("bad maps line: %s", line);
			return false;
		}
		if (i >= json_array_size(vmas)) {
			vma__diag("maps has more lines than the trace has vma records (%zu): missing %s",
				     json_array_size(vmas), want);
			return false;
		}
		if (!vma__line(json_array_get(vmas, i), got, sizeof(got))) {
			vma__diag("malformed vma record: %s", ev__show(json_array_get(vmas, i)));
			return false;
		}
		if (strcmp(got, want)) {
			vma__diag("VMA %zu differs:\n  maps:  %s\n  trace: %s", i, want, got);
			return false;
		}
		i++;
	}
	if (i != json_array_size(vmas)) {
		vma__diag("the trace has %zu vma records, maps %zu lines", json_array_size(vmas), i);
		return false;
	}
	return true;
}

/* The vma records of pid with this origin, in trace order (a new array). */
static json_t *vmas__of(const json_t *tr, long long pid, const char *origin)
{
	json_t *out = json_array(), *ev;
	const char *o;
	size_t i;

	json_array_foreach(tr, i, ev) {
		o = ev__str(ev, "origin");
		if (ev__is(ev, "vma") && ev__int_or(ev, "pid", -1) == pid && o && !strcmp(o, origin))
			json_array_append(out, ev);
	}
	return out;
}

/* memtrace run -q -f json -o NAME ARGS...; returns the trace (NULL unless memtrace exited 0), *out the workload's stdout. */
static json_t *run(const char *name, char **out, char *const argv[])
{
	json_t *tr;
	int code;

	tr = memtrace__trace(name, RUN_TIMEOUT_MS, &code, out, argv);
	if (code) {
		json_decref(tr);
		return NULL;
	}
	return tr;
}

/*
 * vmaprog exec MAPS PROG under memtrace: the child's exec record, then
 * its vma records right after it (same pid, tid and as), equal to MAPS.
 */
static void check_exec(const char *tag, const char *prog)
{
	char maps_name[64], trace_name[64], *out = NULL, *maps;
	char *argv[] = { "--", (char *)harness_bin("vmaprog"), "exec", maps_name, (char *)prog,
			 "idle", NULL };
	json_t *tr, *vmas, *ev, *exec = NULL;
	long long child, as = -1;
	size_t i, at = 0;

	snprintf(maps_name, sizeof(maps_name), "%s", harness_tmp(tag));
	snprintf(trace_name, sizeof(trace_name), "%s.jsonl", tag);
	tr = run(trace_name, &out, argv);
	ASSERT(tr);
	child = out ? atoll(out) : 0;
	free(out);
	ASSERT_MSG(child > 0, "vmaprog printed no child pid");
	maps = file__read(maps_name, NULL);
	ASSERT_MSG(maps && *maps, "vmaprog wrote no maps");
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "exec") && ev__int_or(ev, "pid", -1) == child) {
			exec = ev;
			at = i;
			as = ev__int_or(ev, "as", -1);
		}
	}
	ASSERT_MSG(exec, "no exec of child %lld in the trace", child);
	vmas = vmas__of(tr, child, "exec");
	EXPECT_MSG(json_array_size(vmas) > 5, "only %zu vma records", json_array_size(vmas));
	/* right after the exec, with its ids */
	json_array_foreach(vmas, i, ev) {
		EXPECT_MSG(json_array_get(tr, at + 1 + i) == ev,
			   "vma record %zu is not right after the exec: %s", i, ev__show(ev));
		EXPECT_EQ(ev__int_or(ev, "as", -1), as);
		EXPECT_EQ(ev__int_or(ev, "tid", -1), child);
	}
	EXPECT_MSG(vmas__equal(vmas, maps), "the vma records after exec differ from /proc/%lld/maps",
		   child);
	EXPECT_EQ(json_integer_value(json_object_get(json_object_get(
			trace__summary(tr), "lost_by_type"), "vma")), 0);
	json_decref(vmas);
	free(maps);
	json_decref(tr);
}

static void test_exec_dynamic(void)
{
	/* a PIE with an interpreter: the binary, ld.so, [vdso], [vvar], [stack] */
	check_exec("exec-dynamic.maps", harness_bin("vmaprog"));
}

static void test_exec_static(void)
{
	/* a static PIE: no interpreter, the kernel places the break itself */
	if (access("/sbin/ldconfig", X_OK)) {
		harness_skip("no /sbin/ldconfig");
		return;
	}
	check_exec("exec-static.maps", "/sbin/ldconfig");
}

static void test_attach(void)
{
	const char *maps_path = harness_tmp("attach.maps"), *ready = harness_tmp("attach.ready");
	char pid_s[16], *maps;
	char *argv[] = { "-p", pid_s, NULL };
	char *prog[] = { (char *)harness_bin("vmaprog"), "attach", (char *)maps_path,
			 (char *)ready, "5", NULL };
	struct proc_opts o = PROC_OPTS_DEFAULT;
	struct proc p;
	json_t *tr, *vmas, *ev;
	size_t i;

	ASSERT(!proc__spawn(&p, &o, prog));
	if (file__wait_for(ready, "", 5000) < 0 && !file__exists(ready)) {
		proc__kill_group(&p);
		proc__wait(&p, 1000);
		proc__free(&p);
		ASSERT_MSG(false, "vmaprog attach never got ready");
	}
	snprintf(pid_s, sizeof(pid_s), "%d", p.pid);
	tr = run("attach.jsonl", NULL, argv);
	proc__wait(&p, RUN_TIMEOUT_MS);
	EXPECT_EQ(p.code, 0);
	proc__free(&p);
	ASSERT(tr);
	maps = file__read(maps_path, NULL);
	ASSERT(maps);
	vmas = vmas__of(tr, atoll(pid_s), "attach");
	EXPECT_MSG(json_array_size(vmas) > 5, "only %zu vma records", json_array_size(vmas));
	/* the first events after start, one as for all */
	json_array_foreach(vmas, i, ev) {
		EXPECT_MSG(json_array_get(tr, 1 + i) == ev, "vma record %zu is not first: %s", i,
			   ev__show(ev));
		EXPECT_EQ(ev__int_or(ev, "as", -1), ev__int_or(json_array_get(vmas, 0), "as", -2));
	}
	EXPECT_MSG(vmas__equal(vmas, maps), "the vma records at attach differ from /proc/%s/maps",
		   pid_s);
	json_decref(vmas);
	free(maps);
	json_decref(tr);
}

/*
 * -a (through --cgroup, so that only our process counts): every process
 * already running gets its map at attach, the one in the cgroup equal to
 * its /proc/PID/maps, and nothing outside the cgroup.
 */
/*
 * Makes ROOT/memtrace-TAG-PID (cg, n bytes) and starts `sh -c` that moves
 * itself into it and then runs script (exec'd by sh). Returns 0, or -1
 * after skipping (no cgroup v2) or failing the test.
 */
static int cgroup__spawn(struct proc *p, char *cg, size_t n, const char *tag, const char *script)
{
	const char *root = cgroup2__mount();
	char cmd[1024];
	char *sh[] = { "sh", "-c", cmd, NULL };

	if (!root) {
		harness_skip("no cgroup v2 mounted");
		return -1;
	}
	snprintf(cg, n, "%s/memtrace-%s-%d", root, tag, (int)getpid());
	if (!EXPECT_MSG(!mkdir(cg, 0755), "mkdir %s: %s", cg, strerror(errno)))
		return -1;
	snprintf(cmd, sizeof(cmd), "echo $$ > %s/cgroup.procs && %s", cg, script);
	if (!EXPECT(!proc__spawn(p, NULL, sh))) {
		rmdir(cg);
		return -1;
	}
	return 0;
}

/* Kills what is left in cg (a loop's last child) and removes it, waiting up to 2 s. */
static void cgroup__remove(const char *cg)
{
	char path[600], *procs, *p;
	int tries;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	for (tries = 0; tries < 200 && rmdir(cg) && errno == EBUSY; tries++) {
		procs = file__read(path, NULL);
		for (p = procs; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
			if (atoi(p) > 0)
				kill(atoi(p), SIGKILL);
		free(procs);
		usleep(10000);
	}
	EXPECT_MSG(access(cg, F_OK), "cgroup %s left behind", cg);
}

static void test_attach_all(void)
{
	const char *trace = harness_tmp("all.jsonl");
	const char *maps_path = harness_tmp("all.maps"), *ready = harness_tmp("all.ready");
	char cg[512], cmd[1024], *maps;
	struct proc prog, mt;
	json_t *tr = NULL, *vmas = NULL, *ev;
	long long pid;
	size_t i;

	snprintf(cmd, sizeof(cmd), "exec %s attach %s %s 5", harness_bin("vmaprog"), maps_path,
		 ready);
	if (cgroup__spawn(&prog, cg, sizeof(cg), "vma", cmd))
		return;
	pid = prog.pid;
	if (!EXPECT(file__wait_for(ready, "", 5000) >= 0 || file__exists(ready)))
		goto out_prog;
	memtrace__spawn(&mt, NULL, "run", "-q", "-f", "json", "--cgroup", cg, "-o", trace, NULL);
	proc__wait(&prog, RUN_TIMEOUT_MS);
	EXPECT_EQ(prog.code, 0);
	kill(mt.pid, SIGINT);
	proc__wait(&mt, 10000);
	EXPECT_EQ(mt.code, 0);
	proc__free(&mt);
	tr = trace__load(trace);
	maps = file__read(maps_path, NULL);
	if (EXPECT(tr && maps)) {
		vmas = vmas__of(tr, pid, "attach");
		EXPECT_MSG(vmas__equal(vmas, maps), "-a: the vma records at attach differ from /proc/%lld/maps",
			   pid);
		/* nothing of any other process */
		json_array_foreach(tr, i, ev)
			EXPECT_MSG(!ev__is(ev, "vma") || ev__int_or(ev, "pid", -1) == pid,
				   "a vma record outside the cgroup: %s", ev__show(ev));
	}
	free(maps);
	json_decref(vmas);
	json_decref(tr);
out_prog:
	proc__kill_group(&prog);
	proc__free(&prog);
	cgroup__remove(cg);
}

/*
 * Processes exec'ing while memtrace attaches (--cgroup): one that exec'd
 * after the programs were attached has its new map written by the exec;
 * the walk at attach must not write it again. So for every pid, no
 * origin-attach record comes after one of its exec records. The window is
 * a millisecond wide: three attaches into a loop of execs.
 */
static void test_attach_exec_race(void)
{
	const char *trace = harness_tmp("race.jsonl");
	struct proc loop, mt;
	json_t *tr, *ev, *exec_seen;
	char cg[512];
	size_t i;
	int round;

	if (cgroup__spawn(&loop, cg, sizeof(cg), "race", "while :; do /bin/true; done"))
		return;
	usleep(100000);
	for (round = 0; round < 3; round++) {
		memtrace__spawn(&mt, NULL, "run", "-q", "-f", "json", "--cgroup", cg, "-o", trace, NULL);
		usleep(700000);
		kill(mt.pid, SIGINT);
		proc__wait(&mt, 10000);
		EXPECT_EQ(mt.code, 0);
		proc__free(&mt);
		tr = trace__load(trace);
		if (!EXPECT(tr))
			break;
		exec_seen = json_object();
		json_array_foreach(tr, i, ev) {
			char key[32];
			const char *o = ev__str(ev, "origin");

			if (!ev__is(ev, "vma") || !o)
				continue;
			snprintf(key, sizeof(key), "%lld", ev__int_or(ev, "pid", -1));
			if (!strcmp(o, "exec"))
				json_object_set_new(exec_seen, key, json_true());
			else if (!strcmp(o, "attach"))
				EXPECT_MSG(!json_object_get(exec_seen, key),
					   "pid %s: its map written at attach after its exec had written it: %s",
					   key, ev__show(ev));
		}
		json_decref(exec_seen);
		json_decref(tr);
	}
	proc__kill_group(&loop);
	proc__free(&loop);
	cgroup__remove(cg);
}

/* The comparison itself must see a VMA removed, a prot, an inode or a name changed. */
static void test_doctored(void)
{
	char *argv[] = { "--", (char *)harness_bin("vmaprog"), "exec",
			 (char *)harness_tmp("doctored.maps"), (char *)harness_bin("vmaprog"), "idle",
			 NULL };
	static const char *const fields[] = { "prot", "inode", "path", "name", "end", "dev" };
	json_t *tr, *vmas, *copy, *ev;
	char *out = NULL, *maps;
	long long child;
	size_t i, k;

	tr = run("doctored.jsonl", &out, argv);
	ASSERT(tr);
	child = out ? atoll(out) : 0;
	free(out);
	maps = file__read(harness_tmp("doctored.maps"), NULL);
	ASSERT(maps);
	vmas = vmas__of(tr, child, "exec");
	ASSERT_MSG(vmas__equal(vmas, maps), "the undoctored trace must pass");
	quiet = true;
	/* each VMA removed in turn */
	for (i = 0; i < json_array_size(vmas); i++) {
		copy = json_deep_copy(vmas);
		json_array_remove(copy, i);
		EXPECT_MSG(!vmas__equal(copy, maps), "VMA %zu removed and still equal", i);
		json_decref(copy);
	}
	/* one field changed in each VMA that has it */
	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		json_array_foreach(vmas, i, ev) {
			if (!json_object_get(ev, fields[k]))
				continue;
			copy = json_deep_copy(vmas);
			ev = json_array_get(copy, i);
			if (!strcmp(fields[k], "inode"))
				json_object_set_new(ev, "inode", json_integer(ev__int_or(ev, "inode", 0) + 1));
			else if (!strcmp(fields[k], "prot"))
				json_object_set_new(ev, "prot", json_string(strcmp(ev__str(ev, "prot"), "rw-") ? "rw-" : "r--"));
			else if (!strcmp(fields[k], "end"))
				json_object_set_new(ev, "end", json_string("0x1000"));
			else if (!strcmp(fields[k], "dev"))
				json_object_set_new(ev, "dev", json_string("01:02"));
			else
				json_object_set_new(ev, fields[k], json_string("/doctored"));
			EXPECT_MSG(!vmas__equal(copy, maps), "%s of VMA %zu changed and still equal",
				   fields[k], i);
			json_decref(copy);
		}
	}
	/* and a shared flag flipped */
	copy = json_deep_copy(vmas);
	ev = json_array_get(copy, 0);
	json_object_set_new(ev, "shared", json_true());
	EXPECT_MSG(!vmas__equal(copy, maps), "shared flipped and still equal");
	json_decref(copy);
	quiet = false;
	json_decref(vmas);
	free(maps);
	json_decref(tr);
}

static const struct harness_test tests[] = {
	{ "vma records after exec of a dynamic PIE equal /proc/PID/maps at its first instruction",
	  test_exec_dynamic, true },
	{ "the same for a static PIE (/sbin/ldconfig)", test_exec_static, true },
	{ "-p: vma records at attach (origin attach) equal /proc/PID/maps", test_attach, true },
	{ "-a (--cgroup): the map of the process in the cgroup at attach, no other",
	  test_attach_all, true },
	{ "--cgroup while processes exec: no map written twice (exec, then attach)",
	  test_attach_exec_race, true },
	{ "a doctored trace (a VMA removed, a field changed) fails the comparison",
	  test_doctored, true },
	{ NULL, NULL, false },
};

int main(void)
{
	return harness_main(tests);
}
