// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_report - `memtrace report` against the kernel's own word.
 *
 * tests/progs/mapsprog changes its address space in every way the report
 * replays and copies /proc/self/maps at two marked points; the report's
 * map of its address space at those moments must agree with the kernel's:
 * every region the report shows lies inside a kernel VMA with the same
 * permissions, and every VMA the trace touched is covered by the report's
 * regions (the kernel merges neighbours the report keeps apart). With the
 * kernel-made map in the trace (issue 10: vma records) every VMA must be
 * covered, the binary, the loader, [stack] and [vdso] included, with the
 * same names and file offsets.
 * Then every bundled workload's report must state its claim, computed from
 * its trace, and doctored reports must fail the same checks.
 */
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define RUN_TIMEOUT_MS	30000
#define MAX_VMAS	512

struct vma {
	uint64_t start, end;
	uint64_t offset;
	uint64_t inode;
	char perms[5];
	char name[256];		/* path or [name], "" for none */
};

/* /proc/PID/maps lines into v; returns how many. */
static size_t maps__parse(const char *buf, struct vma *v, size_t max)
{
	unsigned long long s, e, off, ino;
	const char *p = buf, *nl;
	size_t n = 0, k;
	char perms[8];
	int name_at;

	while (p && *p && n < max) {
		name_at = 0;
		/* %n before the name: a blank would also skip the newline of a nameless line */
		if (sscanf(p, "%llx-%llx %4s %llx %*x:%*x %llu%n", &s, &e, perms, &off, &ino,
			   &name_at) == 5 && name_at) {
			while (p[name_at] == ' ')
				name_at++;
			v[n].start = s;
			v[n].end = e;
			v[n].offset = off;
			v[n].inode = ino;
			memcpy(v[n].perms, perms, 5);
			nl = strchr(p + name_at, '\n');
			k = nl ? (size_t)(nl - p - name_at) : strlen(p + name_at);
			k = k < sizeof(v[n].name) - 1 ? k : sizeof(v[n].name) - 1;
			memcpy(v[n].name, p + name_at, k);
			v[n].name[k] = '\0';
			n++;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

/* The regions of address space `as` in a `report -f json` document. */
static json_t *report__regions(json_t *doc, long long as)
{
	json_t *spaces = json_object_get(doc, "address_spaces"), *s;
	size_t i;

	json_array_foreach(spaces, i, s)
		if (json_integer_value(json_object_get(s, "as")) == as)
			return json_object_get(s, "regions");
	return NULL;
}

/* The name /proc/PID/maps would give a report region: its name; brk's heap is [heap]. */
static const char *region__name(json_t *r)
{
	const char *name = ev__str(r, "name") ?: "";

	return !*name && !strcmp(ev__str(r, "kind") ?: "", "heap") ? "[heap]" : name;
}

/*
 * Does the report region [rs, re) agree with the kernel VMA v on its name
 * and file offset? Only with the kernel-made map: before it, regions had
 * neither paths nor kernel names.
 */
static bool region__same_file(json_t *r, uint64_t rs, const struct vma *v)
{
	unsigned long long id;
	long long off;

	/*
	 * the program's shmat names its segment [SysV shm ID] (the trace has
	 * the id, not the key); the kernel /SYSV<key> (deleted), inode = ID
	 */
	if (sscanf(region__name(r), "[SysV shm %llu]", &id) == 1)
		return !strncmp(v->name, "/SYSV", 5) && v->inode == id;
	if (strcmp(region__name(r), v->name))
		return false;
	if (strcmp(ev__str(r, "kind") ?: "", "file"))
		return true;
	return ev__int(r, "offset", &off) && (uint64_t)off == v->offset + (rs - v->start);
}

/*
 * The check: report regions vs kernel VMAs. Returns the number of
 * disagreements (each one a diagnostic), so that a doctored report can be
 * shown to fail it. whole (the trace has the kernel-made map): every VMA
 * must be covered, names and offsets must agree; the main [stack] may have
 * grown down below what its vma record said (a stack grows without a call),
 * so there only its top part must be covered.
 */
static int maps__compare(json_t *regions, const struct vma *v, size_t nv, bool whole, bool quiet)
{
	uint64_t rs, re, covered, low;
	json_t *r;
	int bad = 0;
	size_t i, k;

	json_array_foreach(regions, i, r) {
		const char *perms = ev__str(r, "perms");
		bool inside = false, named = true;

		if (!ev__addr(r, "start", &rs) || !ev__addr(r, "end", &re) || !perms) {
			bad++;
			continue;
		}
		for (k = 0; k < nv; k++) {
			if (v[k].start <= rs && re <= v[k].end && !strcmp(v[k].perms, perms)) {
				inside = true;
				named = !whole || region__same_file(r, rs, &v[k]);
			}
		}
		if (!inside || !named) {
			bad++;
			if (!quiet)
				harness_diag("report region %llx-%llx %s '%s' is in no kernel VMA with %s",
					     (unsigned long long)rs, (unsigned long long)re, perms,
					     region__name(r), inside ? "that name and offset" :
					     "those permissions");
		}
	}
	/* every VMA the report knows something of is wholly known */
	for (k = 0; k < nv; k++) {
		bool touched = false;

		covered = 0;
		low = v[k].end;
		json_array_foreach(regions, i, r) {
			if (!ev__addr(r, "start", &rs) || !ev__addr(r, "end", &re))
				continue;
			if (rs < v[k].end && re > v[k].start) {
				touched = true;
				covered += (re < v[k].end ? re : v[k].end) -
					   (rs > v[k].start ? rs : v[k].start);
				low = rs < low ? rs : low;
			}
		}
		if (whole && !strcmp(v[k].name, "[stack]") && touched && low > v[k].start &&
		    covered == v[k].end - low)
			continue;	/* grown below its record: the rest is known */
		if ((touched || whole) && covered != v[k].end - v[k].start) {
			bad++;
			if (!quiet)
				harness_diag("kernel VMA %llx-%llx %s %s: the report covers %llu of %llu bytes",
					     (unsigned long long)v[k].start, (unsigned long long)v[k].end,
					     v[k].perms, v[k].name, (unsigned long long)covered,
					     (unsigned long long)(v[k].end - v[k].start));
		}
	}
	return bad;
}

/* ts of the failed munmap(marker, 0) that mapsprog makes before a copy. */
static bool marker__ts(json_t *tr, const char *marker, long long *ts)
{
	json_t *ev;
	size_t i;

	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "munmap") && ev__str(ev, "addr") && !strcmp(ev__str(ev, "addr"), marker))
			return ev__int(ev, "ts", ts);
	}
	return false;
}

static json_t *report__json(const char *trace, const char *at)
{
	struct proc p;
	json_error_t jerr;
	json_t *doc = NULL;
	int rc;

	if (at)
		rc = memtrace__run(&p, RUN_TIMEOUT_MS, "report", "-f", "json", "--at", at, trace, NULL);
	else
		rc = memtrace__run(&p, RUN_TIMEOUT_MS, "report", "-f", "json", trace, NULL);
	if (rc != 0)
		harness_diag("memtrace report exited %d: %s", rc, p.err);
	else if (!(doc = json_loads(p.out, 0, &jerr)))
		harness_diag("report is not JSON: %s", jerr.text);
	proc__free(&p);
	return doc;
}

/* The index of the first region named name (-1: none). */
static long regions__find(json_t *regions, const char *name)
{
	json_t *r;
	size_t i;

	json_array_foreach(regions, i, r)
		if (!strcmp(region__name(r), name))
			return (long)i;
	return -1;
}

/*
 * Doctored copies of a right report must fail the check: a region dropped,
 * a permission changed; with the kernel-made map also the kernel's
 * regions dropped ([vdso], the binary's first piece), a name and a file
 * offset changed.
 */
static void maps__doctored(json_t *regions, const struct vma *v, size_t nv, bool whole,
			   const char *exe)
{
	const char *gone[] = { "[vdso]", "[stack]", exe };
	json_t *copy, *r;
	long k;
	int i;

	copy = json_deep_copy(regions);
	json_array_remove(copy, 1);
	EXPECT_MSG(maps__compare(copy, v, nv, whole, true) > 0,
		   "a report missing a region passed the check");
	json_object_set_new(json_array_get(copy, 0), "perms", json_string("rwxs"));
	EXPECT_MSG(maps__compare(copy, v, nv, whole, true) > 1,
		   "a report with wrong permissions passed the check");
	json_decref(copy);
	if (!whole)
		return;
	for (i = 0; i < 3; i++) {
		copy = json_deep_copy(regions);
		k = regions__find(copy, gone[i]);
		if (EXPECT_MSG(k >= 0, "no %s region in the report", gone[i])) {
			json_array_remove(copy, k);
			EXPECT_MSG(maps__compare(copy, v, nv, whole, true) > 0,
				   "a report without %s passed the check", gone[i]);
		}
		json_decref(copy);
	}
	copy = json_deep_copy(regions);
	k = regions__find(copy, exe);
	if (k >= 0) {
		r = json_array_get(copy, k + 1);
		json_object_set_new(r, "offset", json_integer(ev__int_or(r, "offset", 0) + 4096));
		EXPECT_MSG(maps__compare(copy, v, nv, whole, true) > 0,
			   "a report with a wrong file offset passed the check");
		json_object_set_new(json_array_get(copy, k), "name", json_string("/bin/true"));
		EXPECT_MSG(maps__compare(copy, v, nv, whole, true) > 1,
			   "a report with a wrong name passed the check");
	}
	json_decref(copy);
}

/* Does the trace have the kernel-made map of as (its vma records)? */
static bool trace__has_vmas(json_t *tr, long long as)
{
	json_t *ev;
	size_t i;

	json_array_foreach(tr, i, ev)
		if (ev__is(ev, "vma") && ev__int_or(ev, "as", -1) == as)
			return true;
	return false;
}

static void test_maps_equal_proc(void)
{
	const char *trace = harness_tmp("maps.jsonl");
	const char *m[2] = { harness_tmp("maps1"), harness_tmp("maps2") };
	const char *markers[2] = { "0x1000", "0x2000" };
	struct vma v[MAX_VMAS];
	struct proc p;
	json_t *tr, *doc, *regions;
	long long ts, as;
	char at[64], *buf, exe[4096];
	bool whole;
	size_t nv;
	int i, rc;

	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", trace, "--",
			   harness_bin("mapsprog"), m[0], m[1], NULL);
	proc__free(&p);
	ASSERT_EQ(rc, 0);
	tr = trace__load(trace);
	ASSERT(tr);
	as = ev__int_or(json_array_get(tr, 1), "as", -1);
	/* issue 10: the map the kernel made at exec is in the trace, and so in the report */
	whole = trace__has_vmas(tr, as);
	EXPECT_MSG(whole, "the trace has no vma records of as %lld", as);
	/* the kernel names the binary by its resolved path */
	if (!realpath(harness_bin("mapsprog"), exe))
		snprintf(exe, sizeof(exe), "%s", harness_bin("mapsprog"));
	for (i = 0; i < 2; i++) {
		ASSERT_MSG(marker__ts(tr, markers[i], &ts), "marker %s not in the trace", markers[i]);
		snprintf(at, sizeof(at), "%.9f", ts / 1e9);
		doc = report__json(trace, at);
		buf = file__read(m[i], NULL);
		if (EXPECT(doc) && EXPECT(buf)) {
			regions = report__regions(doc, as);
			nv = maps__parse(buf, v, MAX_VMAS);
			EXPECT(regions && json_array_size(regions) > 5);
			EXPECT_EQ(maps__compare(regions, v, nv, whole, false), 0);
			if (regions && json_array_size(regions) > 2)
				maps__doctored(regions, v, nv, whole, exe);
		}
		free(buf);
		json_decref(doc);
	}
	json_decref(tr);
}

/* How many regions of as are a SysV segment (as the report names them); -1: no such as. */
static int regions__sysv(json_t *doc, long long as)
{
	json_t *regions = report__regions(doc, as), *r;
	int n = 0;
	size_t i;

	if (!regions)
		return -1;
	json_array_foreach(regions, i, r)
		n += !strncmp(ev__str(r, "name") ?: "", "[SysV shm ", 10) ||
		     !strncmp(ev__str(r, "name") ?: "", "/SYSV", 5);
	return n;
}

/*
 * issue 10: shmdt of a segment inherited over fork. The trace has no size
 * for the child's shmdt (the tracer saw only the parent attach it); the
 * report takes it from the child's map, a copy of the parent's: before the
 * child's shmdt its map holds the segment's three pieces, after it none,
 * exactly as the child's /proc/self/maps says, and the parent keeps its
 * own until its shmdt.
 */
static void test_shmdt_after_fork(void)
{
	const char *trace = harness_tmp("shm.jsonl");
	const char *m[2] = { harness_tmp("shm1"), harness_tmp("shm2") };
	const char *markers[2] = { "0x3000", "0x4000" };
	struct vma v[MAX_VMAS];
	json_t *tr, *ev, *doc, *regions, *fk = NULL, *dt = NULL;
	long long ts, pas, cas;
	char at[64], *buf;
	struct proc p;
	size_t nv, i;
	int rc;

	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", trace, "--",
			   harness_bin("shmforkprog"), m[0], m[1], NULL);
	proc__free(&p);
	ASSERT_EQ(rc, 0);
	tr = trace__load(trace);
	ASSERT(tr);
	json_array_foreach(tr, i, ev) {
		if (ev__is(ev, "fork") && !fk)
			fk = ev;
		if (ev__is(ev, "shmdt") && fk && ev__int_or(ev, "pid", 0) == ev__int_or(fk, "child_pid", -1))
			dt = ev;
	}
	ASSERT_MSG(fk && dt, "no fork, or no shmdt of the child, in the trace");
	/* the premise: the tracer could not give the child's shmdt a size */
	EXPECT_MSG(!json_object_get(dt, "len"), "the child's shmdt has a len: %s", ev__show(dt));
	pas = ev__int_or(fk, "as", -1);
	cas = ev__int_or(fk, "child_as", -1);
	for (i = 0; i < 2; i++) {
		ASSERT_MSG(marker__ts(tr, markers[i], &ts), "marker %s not in the trace", markers[i]);
		snprintf(at, sizeof(at), "%.9f", ts / 1e9);
		doc = report__json(trace, at);
		buf = file__read(m[i], NULL);
		if (EXPECT(doc) && EXPECT(buf)) {
			regions = report__regions(doc, cas);
			nv = maps__parse(buf, v, MAX_VMAS);
			EXPECT_EQ(maps__compare(regions, v, nv, true, false), 0);
			EXPECT_EQ(regions__sysv(doc, cas), (i ? 0 : 3));
			EXPECT_EQ(regions__sysv(doc, pas), 3);
		}
		free(buf);
		json_decref(doc);
	}
	/* the parent's own shmdt (with its size): gone there too at the end */
	doc = report__json(trace, NULL);
	if (EXPECT(doc))
		EXPECT_EQ(regions__sysv(doc, pas), 0);
	json_decref(doc);
	json_decref(tr);
}

/* The address space of pid's first event in the trace; -1 if none. */
static long long trace__as_of(json_t *tr, long long pid)
{
	json_t *ev;
	size_t i;

	json_array_foreach(tr, i, ev)
		if (ev__int_or(ev, "pid", -1) == pid && ev__int_or(ev, "as", -1) >= 0)
			return ev__int_or(ev, "as", -1);
	return -1;
}

/*
 * issue 10: with -p, a segment attached before memtrace came: the map at
 * attach (vma records) has it as /SYSV... (deleted), the program's shmdt
 * has no size in the trace, the report removes it as the map says.
 * Before and after, the report's map of the process equals its
 * /proc/self/maps as a whole.
 */
static void test_shmdt_attach(void)
{
	const char *trace = harness_tmp("shma.jsonl"), *ready = harness_tmp("shma.ready");
	const char *m[2] = { harness_tmp("shma1"), harness_tmp("shma2") };
	const char *markers[2] = { "0x3000", "0x4000" };
	char *prog[] = { (char *)harness_bin("shmforkprog"), "attach", (char *)m[0], (char *)m[1],
			 (char *)ready, "5", NULL };
	struct proc_opts o = PROC_OPTS_DEFAULT;
	struct vma v[MAX_VMAS];
	struct proc p, mt;
	json_t *tr, *doc;
	long long ts, as;
	char at[64], pid_s[16], *buf;
	size_t nv, i;
	int rc;

	ASSERT(!proc__spawn(&p, &o, prog));
	if (file__wait_for(ready, "", 5000) < 0) {
		proc__kill_group(&p);
		proc__wait(&p, 1000);
		proc__free(&p);
		ASSERT_MSG(false, "shmforkprog attach never got ready");
	}
	snprintf(pid_s, sizeof(pid_s), "%d", p.pid);
	rc = memtrace__run(&mt, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", trace, "-p",
			   pid_s, NULL);
	proc__free(&mt);
	proc__wait(&p, RUN_TIMEOUT_MS);
	EXPECT_EQ(p.code, 0);
	proc__free(&p);
	ASSERT_EQ(rc, 0);
	tr = trace__load(trace);
	ASSERT(tr);
	as = trace__as_of(tr, atoll(pid_s));
	ASSERT_MSG(trace__has_vmas(tr, as), "no vma records at attach for pid %s", pid_s);
	for (i = 0; i < 2; i++) {
		ASSERT_MSG(marker__ts(tr, markers[i], &ts), "marker %s not in the trace (attached too late?)",
			   markers[i]);
		snprintf(at, sizeof(at), "%.9f", ts / 1e9);
		doc = report__json(trace, at);
		buf = file__read(m[i], NULL);
		if (EXPECT(doc) && EXPECT(buf)) {
			nv = maps__parse(buf, v, MAX_VMAS);
			EXPECT_EQ(maps__compare(report__regions(doc, as), v, nv, true, false), 0);
			EXPECT_EQ(regions__sysv(doc, as), (i ? 0 : 3));
		}
		free(buf);
		json_decref(doc);
	}
	json_decref(tr);
}

/* The claims of a workload's report; NULL if the report failed. */
static json_t *workload__report(const char *name, const char *trace)
{
	struct proc p;
	int rc;

	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", trace, name, NULL);
	proc__free(&p);
	if (rc != 0) {
		harness_diag("memtrace run %s exited %d", name, rc);
		return NULL;
	}
	return report__json(trace, NULL);
}

static bool claims__has(json_t *doc, const char *needle)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "claims"), i, c)
		if (json_is_string(c) && strstr(json_string_value(c), needle))
			return true;
	return false;
}

/*
 * fork-exec: two processes that end in different address spaces, the
 * child's fork copy replaced by exec. Returns the number of failed checks.
 */
static int fork_exec__check(json_t *doc)
{
	json_t *procs = json_object_get(doc, "processes"), *tree = json_object_get(doc, "tree");
	json_t *e;
	long long pas, cas;
	int bad = 0, copies = 0, replaces = 0;
	size_t i;

	if (json_array_size(procs) != 2)
		return 1;
	pas = ev__int_or(json_array_get(procs, 0), "as", -1);
	cas = ev__int_or(json_array_get(procs, 1), "as", -1);
	bad += pas == cas;
	json_array_foreach(tree, i, e) {
		copies += !strcmp(ev__str(e, "relation") ?: "", "copy");
		replaces += !strcmp(ev__str(e, "relation") ?: "", "replaces") &&
			    ev__int_or(e, "from_as", 0) != 0;
	}
	bad += copies != 1 || replaces != 1;
	bad += !claims__has(doc, "share no address space");
	return bad;
}

/* ---- issue 11: the claims from the pages, against the trace ---- */

/* Sum of the cow counts of the trace's faults records in address space as (-1: all). */
static long long trace__cow(const json_t *tr, long long as, long long *records)
{
	long long sum = 0;
	json_t *ev;
	size_t i;

	*records = 0;
	json_array_foreach(tr, i, ev) {
		if (!ev__is(ev, "faults") || (as >= 0 && ev__int_or(ev, "as", -1) != as))
			continue;
		(*records)++;
		sum += ev__int_or(ev, "cow", 0);
	}
	return sum;
}

/* Writes that copied a page in as: cow plus file_cow (a private file page). */
static long long trace__copies(const json_t *tr, long long as)
{
	long long sum = 0;
	json_t *ev;
	size_t i;

	json_array_foreach(tr, i, ev)
		if (ev__is(ev, "faults") && ev__int_or(ev, "as", -1) == as)
			sum += ev__int_or(ev, "cow", 0) + ev__int_or(ev, "file_cow", 0);
	return sum;
}

/* N of the claim "after fork, pid C wrote N page(s)"; -1 if there is none. */
static long long claim__cow_pages(json_t *doc, long long pid)
{
	long long c, n;
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(doc, "claims"), i, l)
		if (json_is_string(l) &&
		    sscanf(json_string_value(l), "after fork, pid %lld wrote %lld page", &c, &n) == 2 &&
		    c == pid)
			return n;
	return -1;
}

static json_t *report__as(json_t *doc, long long as)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(doc, "address_spaces"), i, s)
		if (ev__int_or(s, "as", -1) == as)
			return s;
	return NULL;
}

/*
 * fork-exec: the child writes its stack (and stdio's buffers) before exec,
 * so its fork copy takes copy-on-write faults; the claim says how many (cow
 * and file_cow), as the trace's faults records of that copy count them, and that exec threw
 * the copy's pages away. Returns the number of failed checks.
 */
static int fork_exec_cow__check(json_t *doc, const json_t *tr, bool quiet)
{
	json_t *fk = NULL, *ev, *as;
	long long child, copy, want, got, records;
	size_t i;
	int bad = 0;

	json_array_foreach(tr, i, ev)
		if (ev__is(ev, "fork"))
			fk = ev;
	if (!fk)
		return 1;
	child = ev__int_or(fk, "child_pid", -1);
	copy = ev__int_or(fk, "child_as", -1);
	want = trace__cow(tr, copy, &records);
	got = claim__cow_pages(doc, child);
	as = report__as(doc, copy);
	bad += records == 0 || want <= 0;
	bad += got != trace__copies(tr, copy);	/* the claim counts file_cow too */
	bad += !as || ev__int_or(json_object_get(as, "faults"), "cow", -1) != want;
	bad += !claims__has(doc, "threw away as");
	if (bad && !quiet)
		harness_diag("child %lld's fork copy as %lld: %lld faults records, %lld cow faults; the claim says %lld",
			     child, copy, records, want, got);
	return bad;
}

/* threads: faults, none of them copy-on-write, and the claim says so. */
static int threads_cow__check(json_t *doc, const json_t *tr)
{
	long long records, cow = trace__cow(tr, -1, &records);

	return (records == 0) + (cow != 0) + !claims__has(doc, "none was copy-on-write");
}

/* The trace with every faults record of address space as passed through edit. */
static void trace__doctor(const json_t *tr, const char *path, long long as,
			  void (*edit)(json_t *ev))
{
	FILE *f = fopen(path, "w");
	json_t *ev, *copy;
	size_t i;

	ASSERT(f);
	json_array_foreach(tr, i, ev) {
		copy = json_deep_copy(ev);
		if (ev__is(copy, "faults") && (as < 0 || ev__int_or(copy, "as", -1) == as))
			edit(copy);
		json_dumpf(copy, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', f);
		json_decref(copy);
	}
	fclose(f);
}

/* cow faults relabelled as first touches: no copy happened */
static void edit__no_cow(json_t *ev)
{
	long long cow = ev__int_or(ev, "cow", 0);

	json_object_set_new(ev, "anon", json_integer(ev__int_or(ev, "anon", 0) + cow));
	json_object_set_new(ev, "cow", json_integer(0));
}

/* a copy-on-write fault where threads took none */
static void edit__add_cow(json_t *ev)
{
	json_object_set_new(ev, "cow", json_integer(ev__int_or(ev, "cow", 0) + 1));
	json_object_set_new(ev, "total", json_integer(ev__int_or(ev, "total", 0) + 1));
}

static void test_fork_exec_claim(void)
{
	json_t *doc = workload__report("fork-exec", harness_tmp("fe.jsonl")), *copy;
	json_t *tr, *fk = NULL, *ev, *bad_tr;
	const char *doctored = harness_tmp("fe-doctored.jsonl");
	size_t i;

	ASSERT(doc);
	EXPECT_EQ(fork_exec__check(doc), 0);
	/* issue 11: the child's copy-on-write faults, as the trace counts them */
	tr = jsonl__read(harness_tmp("fe.jsonl"));
	ASSERT(tr);
	EXPECT_EQ(fork_exec_cow__check(doc, tr, false), 0);
	json_array_foreach(tr, i, ev)
		if (ev__is(ev, "fork"))
			fk = ev;
	if (EXPECT(fk)) {
		/* doctored: the child's copy took no copy-on-write fault */
		trace__doctor(tr, doctored, ev__int_or(fk, "child_as", -1), edit__no_cow);
		copy = report__json(doctored, NULL);
		bad_tr = jsonl__read(doctored);
		if (EXPECT(copy && bad_tr))
			EXPECT_MSG(fork_exec_cow__check(copy, bad_tr, true) > 0,
				   "a child without copy-on-write faults passed");
		json_decref(copy);
		json_decref(bad_tr);
	}
	json_decref(tr);
	/* doctored: the child left in its parent's address space */
	copy = json_deep_copy(doc);
	json_object_set(json_array_get(json_object_get(copy, "processes"), 1), "as",
			json_object_get(json_array_get(json_object_get(copy, "processes"), 0), "as"));
	EXPECT_MSG(fork_exec__check(copy) > 0, "a child in its parent's as passed");
	json_decref(copy);
	json_decref(doc);
}

/* threads: N threads, one as, N-1 stack mappings of their own. */
static int threads__check(json_t *doc, long long want_threads)
{
	json_t *spaces = json_object_get(doc, "address_spaces"), *r;
	json_t *regions = json_object_get(json_array_get(spaces, 0), "regions");
	long long stacks = 0;
	size_t i;

	json_array_foreach(regions, i, r)
		if (ev__int_or(r, "stack_of", 0) && !json_is_true(json_object_get(r, "guard")))
			stacks++;
	return (json_array_size(json_object_get(doc, "processes")) != 1) +
	       (json_array_size(spaces) != 1) +
	       (ev__int_or(json_array_get(json_object_get(doc, "processes"), 0), "threads", 0) !=
		want_threads) +
	       (stacks != want_threads - 1) + !claims__has(doc, "share as");
}

static void test_threads_claim(void)
{
	json_t *doc = workload__report("threads", harness_tmp("th.jsonl")), *copy, *regions;
	json_t *r, *tr, *bad_tr;
	const char *doctored = harness_tmp("th-doctored.jsonl");
	size_t i;

	ASSERT(doc);
	/* the workload's default: the main thread and 4 more */
	EXPECT_EQ(threads__check(doc, 5), 0);
	/* issue 11: threads take page faults, never a copy-on-write one */
	tr = jsonl__read(harness_tmp("th.jsonl"));
	ASSERT(tr);
	EXPECT_EQ(threads_cow__check(doc, tr), 0);
	trace__doctor(tr, doctored, -1, edit__add_cow);
	copy = report__json(doctored, NULL);
	bad_tr = jsonl__read(doctored);
	if (EXPECT(copy && bad_tr))
		EXPECT_MSG(threads_cow__check(copy, bad_tr) > 0, "threads with a copy-on-write fault passed");
	json_decref(copy);
	json_decref(bad_tr);
	json_decref(tr);
	copy = json_deep_copy(doc);
	regions = json_object_get(json_array_get(json_object_get(copy, "address_spaces"), 0),
				  "regions");
	json_array_foreach(regions, i, r) {
		if (ev__int_or(r, "stack_of", 0) && !json_is_true(json_object_get(r, "guard"))) {
			json_object_set_new(r, "stack_of", json_integer(0));
			break;
		}
	}
	EXPECT_MSG(threads__check(copy, 5) > 0, "a report missing a thread's stack passed");
	json_decref(copy);
	json_decref(doc);
}

static void test_heap_claim(void)
{
	json_t *doc = workload__report("heap", harness_tmp("heap.jsonl")), *as;

	ASSERT(doc);
	as = json_array_get(json_object_get(doc, "address_spaces"), 0);
	EXPECT(ev__int_or(as, "brk_grows", 0) >= 1);
	EXPECT(ev__int_or(as, "large_blocks", 0) >= 1);
	EXPECT(claims__has(doc, "grew the heap by brk"));
	json_decref(doc);
}

static void test_other_workloads(void)
{
	static const char *const names[] = { "race", "channel" };
	json_t *doc;
	size_t i;

	for (i = 0; i < 2; i++) {
		doc = workload__report(names[i], harness_tmp(names[i]));
		if (EXPECT(doc))
			EXPECT_MSG(claims__has(doc, "share as"), "%s: no claim about its threads",
				   names[i]);
		json_decref(doc);
	}
}

static void test_run_report(void)
{
	struct proc p;
	int rc;

	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "--report", "fork-exec", NULL);
	EXPECT_EQ(rc, 0);
	EXPECT(strstr(p.out, "What this trace shows"));
	EXPECT(strstr(p.out, "share no address space"));
	EXPECT(strstr(p.out, "Memory maps"));
	EXPECT(!strstr(p.out, "\"event\""));	/* the report, not the events */
	proc__free(&p);
	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--report", "-o", harness_tmp("x.txt"),
			   "heap", NULL);
	EXPECT_EQ(rc, 2);
	EXPECT(strstr(p.err, "needs -f json"));
	proc__free(&p);
}

/* `memtrace report -f json trace`: exit 0, complete unless a later part, no count warning. */
static void counts__expect_clean(const char *trace, bool lost)
{
	struct proc p;
	json_t *doc, *t;
	json_int_t part;

	memtrace__run(&p, RUN_TIMEOUT_MS, "report", "-f", "json", trace, NULL);
	EXPECT_MSG(p.code == 0, "report %s: %d %s", trace, p.code, p.err);
	doc = json_loads(p.out, 0, NULL);
	ASSERT_MSG(doc, "report %s: not JSON", trace);
	t = json_object_get(doc, "trace");
	/* a later part of a rotated run lacks what came before it: incomplete, and said */
	part = json_integer_value(json_object_get(t, "part"));
	EXPECT_MSG(json_is_true(json_object_get(t, "complete")) == (part <= 1),
		   "%s: part %lld, complete is not %d: %s", trace, (long long)part, part <= 1, p.out);
	EXPECT_MSG(part <= 1 || strstr(p.out, "of a split trace"), "%s: part %lld, no warning: %s",
		   trace, (long long)part, p.out);
	EXPECT_MSG(!strstr(p.out, "records in the file"), "%s: a count warning", trace);
	EXPECT_MSG(lost == (json_integer_value(json_object_get(t, "lost")) > 0),
		   "%s: lost %lld", trace, (long long)json_integer_value(json_object_get(t, "lost")));
	json_decref(doc);
	proc__free(&p);
}

/*
 * Real traces: the summary's per-type counts equal the records (vma per
 * VMA), in each file of a rotated run and in a run that lost events; one
 * mmap line deleted from a real trace is found.
 */
static void test_counts_real(void)
{
	const char *rot = harness_tmp("rot.jsonl"), *lost = harness_tmp("lost.jsonl");
	const char *doctored = harness_tmp("doctored.jsonl");
	char path[512], *s, *line;
	struct proc p;
	FILE *f;
	int k;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-b", "16M", "-o", rot,
		      "--rotate", "64K", "--", harness_bin("storm"), "5000", NULL);
	ASSERT_EQ(p.code, 0);
	proc__free(&p);
	ASSERT(file__exists(harness_tmp("rot.jsonl.2")));
	counts__expect_clean(rot, false);
	for (k = 1; k < 100; k++) {
		snprintf(path, sizeof(path), "%s.%d", rot, k);
		if (!file__exists(path))
			break;
		counts__expect_clean(path, false);
	}
	/* a 4 KiB ring: most of the storm's mprotects are lost, and counted as lost only */
	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-b", "4K", "-o", lost,
		      "--", harness_bin("storm"), "20000", "--stop-parent", NULL);
	ASSERT_EQ(p.code, 0);
	proc__free(&p);
	counts__expect_clean(lost, true);
	/* the lost run's first mmap line deleted */
	s = file__read(lost, NULL);
	ASSERT(s);
	line = strstr(s, "\"event\":\"mmap\"");
	ASSERT(line);
	while (line > s && line[-1] != '\n')
		line--;
	f = fopen(doctored, "w");
	ASSERT(f);
	fwrite(s, 1, line - s, f);
	fputs(strchr(line, '\n') + 1, f);
	fclose(f);
	free(s);
	memtrace__run(&p, RUN_TIMEOUT_MS, "report", doctored, NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT_MSG(strstr(p.out, "mmap records in the file, the summary counts"),
		   "no count warning: %s", p.out);
	proc__free(&p);
}

/*
 * The exit statuses --help states are the man page's: lost events leave
 * run's status alone (3 with --fail-on-loss); an incomplete trace still
 * gets its report (0).
 */
static void test_help_status(void)
{
	struct proc p;

	memtrace__run(&p, RUN_TIMEOUT_MS, "run", "--help", NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT_MSG(!strstr(p.out, "or the trace is incomplete"), "run --help: %s", p.out);
	EXPECT(strstr(p.out, "exit 3 with --fail-on-loss"));
	EXPECT(strstr(p.out, "1 if it could not trace or writing\nthe trace failed"));
	proc__free(&p);
	memtrace__run(&p, RUN_TIMEOUT_MS, "report", "--help", NULL);
	EXPECT_EQ(p.code, 0);
	EXPECT(strstr(p.out, "Exit status: 0 when the report is written, also for an incomplete trace"));
	proc__free(&p);
}

/* Bad input: one line, non-zero, never a crash (no root needed). */
static void test_bad_input(void)
{
	static const struct {
		const char *content;	/* NULL: the scratch directory itself */
		const char *want;
	} cases[] = {
		{ "", "is empty" },
		{ "    TIME(s)     PID     TID COMM\n", "not a memtrace JSON trace" },
		{ "{\"event\":\"mmap\"}\n", "not its start record" },
		{ "{\"event\":\"start\",\"schema\":7}\n", "schema 7 is not supported" },
		{ "{\"event\":\"start\",\"schema\":1}\n{\"ts\":1,\"event\":\"mmap\"}\n", ":2: mmap record without" },
		{ "{\"event\":\"start\",\"schema\":1}\n{\"ts\":1,\n", ":2: not JSON" },
		{ NULL, "is a directory" },
	};
	char cmd[PATH_MAX + 128];
	const char *path;
	struct proc p;
	size_t i;
	FILE *f;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		path = harness_tmpdir();
		if (cases[i].content) {
			path = harness_tmp("bad.jsonl");
			f = fopen(path, "w");
			ASSERT(f);
			fputs(cases[i].content, f);
			fclose(f);
		}
		rc = memtrace__run(&p, RUN_TIMEOUT_MS, "report", path, NULL);
		EXPECT_EQ(rc, 1);
		EXPECT_MSG(strstr(p.err, cases[i].want) && text__lines(p.err) == 1,
			   "case %zu: want one line with '%s', got: %s", i, cases[i].want, p.err);
		proc__free(&p);
	}
	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "report", "--at", "soon", path, NULL);
	EXPECT_EQ(rc, 2);
	proc__free(&p);
	/* endless input: refused at the line cap, in bounded memory (50 MB of address space) */
	snprintf(cmd, sizeof(cmd), "ulimit -v 50000; head -c 50M /dev/zero | '%s' report -",
		 harness_memtrace());
	rc = proc__run(&p, RUN_TIMEOUT_MS, "/bin/sh", "-c", cmd, NULL);
	EXPECT_EQ(rc, 1);
	EXPECT_MSG(strstr(p.err, "standard input:1: line longer than") && text__lines(p.err) == 1,
		   "endless input: %s", p.err);
	EXPECT_MSG(p.secs < 5, "endless input took %.1f s", p.secs);
	proc__free(&p);
}

/*
 * A report that cannot be written (a full disk: /dev/full) fails, exit 1,
 * with one line naming the output and the error, whatever the output: the
 * text, --maps, JSON, Mermaid on standard output, --html and --perfetto.
 */
static void test_output_full(void)
{
	static const struct {
		const char *args;	/* between "report" and the trace */
		bool to_stdout;		/* else the file is /dev/full itself */
	} cases[] = {
		{ "", true }, { "--maps", true }, { "-f json", true }, { "-f json --maps", true },
		{ "--mermaid", true }, { "--at 0.01", true },
		{ "--html /dev/full", false }, { "--perfetto /dev/full", false },
	};
	const char *trace = "tests/data/heap.jsonl";
	char cmd[PATH_MAX + 256];
	struct proc p;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(cmd, sizeof(cmd), "'%s' report %s %s%s", harness_memtrace(), cases[i].args,
			 trace, cases[i].to_stdout ? " > /dev/full" : "");
		rc = proc__run(&p, RUN_TIMEOUT_MS, "/bin/sh", "-c", cmd, NULL);
		EXPECT_MSG(rc == 1, "report %s: exit %d", cases[i].args, rc);
		EXPECT_MSG(text__lines(p.err) == 1 && strstr(p.err, "No space left on device") &&
			   strstr(p.err, cases[i].to_stdout ? "writing the report to standard output failed" :
				  "/dev/full"),
			   "report %s: want one line naming the output and the error, got: '%s'",
			   cases[i].args, p.err);
		proc__free(&p);
	}
}

/*
 * --perfetto/--html to what is not a regular file: written to, never
 * renamed over (the link, /dev/null, stay what they were); through a
 * link to a regular file: that file gets the page, the link stays.
 */
static void test_output_not_regular(void)
{
	const char *trace = harness_tmp("start-only.jsonl"), *file = harness_tmp("out.pf");
	const char *to_null = harness_tmp("to-null"), *to_file = harness_tmp("to-file");
	struct stat st;
	struct proc p;
	char *text;
	FILE *f;
	int rc;

	f = fopen(trace, "w");
	ASSERT(f);
	fputs("{\"event\":\"start\",\"schema\":1}\n", f);
	fclose(f);
	f = fopen(file, "w");
	ASSERT(f);
	fputs("old\n", f);
	fclose(f);
	unlink(to_null);
	unlink(to_file);
	ASSERT(!symlink("/dev/null", to_null) && !symlink(file, to_file));

	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "report", "--perfetto", to_null, trace, NULL);
	EXPECT_MSG(rc == 0, "exit %d: %s", rc, p.err);
	proc__free(&p);
	EXPECT(!lstat(to_null, &st) && S_ISLNK(st.st_mode));
	EXPECT(!stat("/dev/null", &st) && S_ISCHR(st.st_mode));

	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "report", "--html", to_file, trace, NULL);
	EXPECT_MSG(rc == 0, "exit %d: %s", rc, p.err);
	proc__free(&p);
	EXPECT(!lstat(to_file, &st) && S_ISLNK(st.st_mode));
	text = file__read(file, NULL);
	EXPECT_MSG(text && strstr(text, "<html"), "%s does not hold the page", file);
	free(text);
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "report maps equal /proc/self/maps at two points", test_maps_equal_proc, true },
		{ "shmdt of a segment inherited over fork: the child's map says its size", test_shmdt_after_fork, true },
		{ "-p: the map at attach, and shmdt of a segment attached before", test_shmdt_attach, true },
		{ "fork-exec report: two processes, no shared address space; the child's copy-on-write faults", test_fork_exec_claim, true },
		{ "threads report: one address space, a stack each, no copy-on-write", test_threads_claim, true },
		{ "heap report: brk for small blocks, mmap for the large one", test_heap_claim, true },
		{ "race and channel reports state their threads", test_other_workloads, true },
		{ "run --report prints the report", test_run_report, true },
		{ "report: summary counts equal the records of real traces (rotated, lost); a deleted line is found", test_counts_real, true },
		{ "report refuses bad input with one line", test_bad_input, false },
		{ "--help states the man page's exit statuses", test_help_status, false },
		{ "--perfetto/--html through a link or to a device: written to, never renamed over", test_output_not_regular, false },
		{ "a report to a full disk (text, JSON, --maps, --mermaid, --html, --perfetto): exit 1, one line", test_output_full, false },
		{ NULL, NULL, false },
	};

	return harness_main(tests);
}
