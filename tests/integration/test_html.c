// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_html - `memtrace report --html` and `memtrace run --html`, looked at
 * in a real browser: Debian's chromium, driven by tests/html/check.js
 * (playwright-core from web/package-lock.json). For every bundled workload
 * the page must load from file:// with no console error and no request
 * leaving it, its tree must list the trace's processes, its map must draw
 * one band per piece of mapping the page holds and, at the end, exactly the
 * report's regions, and its table must filter. A screenshot of each goes to
 * tests/out/html-NAME.png. Without the browser the tests skip, and fail
 * under MEMTRACE_REQUIRE_BPF=1 (CI installs it: scripts/deps.sh).
 * Two traces are made here, without BPF: one whose comm and file name try
 * to end the page's script block, and one of a million events.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "harness.h"

#define RUN_TIMEOUT_MS		60000
#define BROWSER_TIMEOUT_MS	180000
#define BIG_EVENTS		1000000

static char root[4096];		/* the repository: memtrace's folder */

static const char *repo(const char *rel)
{
	static char buf[8][4096];
	static int k;
	char *b = buf[k++ % 8];

	if (!root[0]) {
		char bin[sizeof(root)];

		snprintf(bin, sizeof(bin), "%s", harness_memtrace());
		snprintf(root, sizeof(root), "%s", dirname(bin));
	}
	snprintf(b, sizeof(buf[0]), "%.2000s/%.2000s", root, rel);
	return b;
}

/* NULL when the browser test can run, else why not. */
static const char *browser__missing(void)
{
	const char *chromium = getenv("MEMTRACE_CHROMIUM") ?: "/usr/bin/chromium";
	struct proc p;
	int rc;

	if (!file__exists(chromium))
		return "no chromium (scripts/deps.sh installs Debian's)";
	if (!file__exists(repo("web/node_modules/playwright-core/package.json")))
		return "no web/node_modules/playwright-core (make builds it with npm ci)";
	rc = proc__run(&p, 10000, "node", "--version", NULL);
	proc__free(&p);
	return rc ? "no node (scripts/deps.sh installs it)" : NULL;
}

/* Skips the running test when there is no browser; a failure under MEMTRACE_REQUIRE_BPF=1. */
static bool browser__ready(void)
{
	const char *why = browser__missing(), *req = getenv("MEMTRACE_REQUIRE_BPF");

	if (!why)
		return true;
	if (req && !strcmp(req, "1"))
		harness_fail(__FILE__, __LINE__, "%s (MEMTRACE_REQUIRE_BPF=1)", why);
	else
		harness_skip("%s", why);
	return false;
}

/* What check.js saw of a page, or NULL after a failure. */
static json_t *page__check(const char *html, const char *name)
{
	char shot[4096], node_path[4096];
	json_t *out;
	struct proc p;
	int rc;

	mkdir(repo("tests/out"), 0755);
	snprintf(shot, sizeof(shot), "%s/html-%s.png", repo("tests/out"), name);
	snprintf(node_path, sizeof(node_path), "%s", repo("web/node_modules"));
	setenv("NODE_PATH", node_path, 1);
	rc = proc__run(&p, BROWSER_TIMEOUT_MS, "node", repo("tests/html/check.js"), html, shot, NULL);
	out = rc ? NULL : json_loads(p.out, 0, NULL);
	if (!out)
		harness_fail(__FILE__, __LINE__, "check.js %s exited %d: %s%s", html, rc, p.err,
			     p.timed_out ? " (timed out)" : "");
	else
		harness_diag("%s: loaded in %lld ms; screenshot %s", name,
			     ev__int_or(out, "load_ms", -1), shot);
	proc__free(&p);
	return out;
}

/* The model block of a page, parsed. */
static json_t *page__model(const char *html)
{
	static const char tag[] = "<script type=\"application/json\" id=\"model\">";
	char *buf = file__read(html, NULL), *s, *e;
	json_t *m = NULL;

	if (buf && (s = strstr(buf, tag)) && (e = strstr(s, "</script>"))) {
		s += sizeof(tag) - 1;
		m = json_loadb(s, e - s, 0, NULL);
	}
	free(buf);
	if (!m)
		harness_fail(__FILE__, __LINE__, "%s: no model block that parses", html);
	return m;
}

static json_t *report__json_of(const char *trace)
{
	struct proc p;
	json_t *doc = NULL;

	if (memtrace__run(&p, RUN_TIMEOUT_MS, "report", "-f", "json", trace, NULL) == 0)
		doc = json_loads(p.out, 0, NULL);
	if (!doc)
		harness_fail(__FILE__, __LINE__, "memtrace report -f json %s: %s", trace, p.err);
	proc__free(&p);
	return doc;
}

/* The page showed nothing wrong: no error, no request, no dialog. */
static void page__clean(json_t *seen)
{
	const char *kinds[] = { "errors", "requests", "dialogs" };
	json_t *v;
	size_t i, k;

	for (k = 0; k < 3; k++) {
		json_array_foreach(json_object_get(seen, kinds[k]), i, v)
			harness_diag("%s: %s", kinds[k], json_string_value(v));
		EXPECT_MSG(json_array_size(json_object_get(seen, kinds[k])) == 0, "the page had %s",
			   kinds[k]);
	}
	EXPECT_EQ(ev__int_or(seen, "scripts", -1), 2);
}

/* Bands of address space as in the model: all, and those still mapped at the end. */
static void model__bands(json_t *model, long long as, long long *all, long long *live)
{
	json_t *b;
	size_t i;

	*all = *live = 0;
	json_array_foreach(json_object_get(model, "bands"), i, b) {
		if (json_integer_value(json_array_get(b, 0)) != as)
			continue;
		(*all)++;
		*live += json_integer_value(json_array_get(b, 15)) != 0;
	}
}

/* Is there a live band of as with exactly this start, end and perms? */
static bool model__has_live(json_t *model, long long as, const char *start, const char *end,
			    const char *perms)
{
	json_t *b;
	size_t i;

	json_array_foreach(json_object_get(model, "bands"), i, b)
		if (json_integer_value(json_array_get(b, 0)) == as &&
		    json_integer_value(json_array_get(b, 15)) &&
		    !strcmp(json_string_value(json_array_get(b, 1)), start) &&
		    !strcmp(json_string_value(json_array_get(b, 2)), end) &&
		    !strcmp(json_string_value(json_array_get(b, 3)), perms))
			return true;
	return false;
}

/*
 * The page against the report and the trace: processes, the map of every
 * address space, the table's filters. Returns what check.js saw (to free).
 */
static json_t *page__matches(const char *name, const char *trace, const char *html)
{
	json_t *seen, *doc, *model, *tr, *spaces, *s, *r, *pids, *byas;
	long long all, live, mmaps, n;
	char key[32];
	size_t i, k;

	seen = page__check(html, name);
	doc = report__json_of(trace);
	model = page__model(html);
	tr = trace__load(trace);
	if (!seen || !doc || !model || !tr)
		goto out;
	page__clean(seen);
	/* the tree lists the trace's processes */
	pids = json_object_get(seen, "pids");
	EXPECT_EQ(json_array_size(pids), json_array_size(json_object_get(doc, "processes")));
	json_array_foreach(json_object_get(doc, "processes"), i, s) {
		bool found = false;

		json_array_foreach(pids, k, r)
			found |= json_integer_value(r) == ev__int_or(s, "pid", -1);
		EXPECT_MSG(found, "pid %lld is not in the page's tree", ev__int_or(s, "pid", -1));
		/* the chart's RSS peak line reaches the peak the report gives */
		if (json_is_integer(json_object_get(s, "rss_peak"))) {
			char key[32];
			json_t *c;

			snprintf(key, sizeof(key), "%lld", ev__int_or(s, "pid", -1));
			c = json_object_get(json_object_get(seen, "rss"), key);
			EXPECT_MSG(ev__int_or(c, "peak", -1) == ev__int_or(s, "rss_peak", -2),
				   "pid %s: the chart's RSS peak is %lld, the report's %lld", key,
				   ev__int_or(c, "peak", -1), ev__int_or(s, "rss_peak", -2));
			EXPECT_MSG(ev__int_or(c, "rss", -1) > 0 &&
				   ev__int_or(c, "rss", -1) <= ev__int_or(s, "rss_peak", -2),
				   "pid %s: the chart's RSS line tops at %lld, the peak is %lld", key,
				   ev__int_or(c, "rss", -1), ev__int_or(s, "rss_peak", -2));
		}
	}
	/* the map: every band drawn; at the end, the report's regions exactly */
	spaces = json_object_get(doc, "address_spaces");
	byas = json_object_get(seen, "as");
	json_array_foreach(spaces, i, s) {
		long long id = ev__int_or(s, "as", -1);
		json_t *drew;

		snprintf(key, sizeof(key), "%lld", id);
		drew = json_object_get(byas, key);
		model__bands(model, id, &all, &live);
		if (!EXPECT_MSG(drew, "as %lld has no chip in the tree to show its map", id))
			continue;
		EXPECT_EQ(ev__int_or(drew, "drawn", -1), all);
		EXPECT_EQ(ev__int_or(drew, "live", -1), live);
		EXPECT_EQ(live, json_array_size(json_object_get(s, "regions")));
		json_array_foreach(json_object_get(s, "regions"), k, r)
			EXPECT_MSG(model__has_live(model, id, ev__str(r, "start"), ev__str(r, "end"),
						   ev__str(r, "perms")),
				   "as %lld: region %s-%s %s of the report is not on the map", id,
				   ev__str(r, "start"), ev__str(r, "end"), ev__str(r, "perms"));
	}
	/* the table: everything, one type, each process, an empty address range */
	n = json_array_size(tr) - 2;
	mmaps = events__count_type(tr, "mmap", -1);
	EXPECT_EQ(ev__int_or(seen, "rows_all", -1), n < 1000 ? n : 1000);
	EXPECT_EQ(ev__int_or(seen, "rows_mmap", -1), mmaps < 1000 ? mmaps : 1000);
	json_array_foreach(pids, i, r) {
		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(r));
		EXPECT(ev__int_or(json_object_get(seen, "rows_pid"), key, 0) > 0);
	}
	EXPECT_EQ(ev__int_or(seen, "rows_nowhere", -1), 0);
	EXPECT(ev__int_or(seen, "counters", 0) >= 1);
out:
	json_decref(doc);
	json_decref(model);
	json_decref(tr);
	return seen;
}

/* Traces a workload to NAME.jsonl and writes NAME.html with run --html. */
static bool workload__page(const char *name, char *trace, char *html, size_t n)
{
	struct proc p;
	struct stat st;
	int rc;

	snprintf(trace, n, "%s", harness_tmp(name));
	strncat(trace, ".jsonl", n - strlen(trace) - 1);
	snprintf(html, n, "%s", harness_tmp(name));
	strncat(html, ".html", n - strlen(html) - 1);
	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "run", "-q", "-f", "json", "-o", trace, "--html",
			   html, name, NULL);
	if (rc)
		harness_diag("memtrace run --html %s exited %d: %s", name, rc, p.err);
	proc__free(&p);
	if (rc)
		return false;
	/* like -o: a trace shows every address and path, so the page is 0600 */
	EXPECT(!stat(html, &st) && (st.st_mode & 0777) == 0600);
	return true;
}

static void test_workloads(void)
{
	static const char *const names[] = { "threads", "fork-exec", "heap", "channel", "race",
					     "go-exec", "go-goroutines", "go-heap" };
	char trace[4096], html[4096], wl[64];
	json_t *seen;
	size_t i;

	if (!browser__ready())
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* the Go workloads are built when go is found (make deps installs it) */
		snprintf(wl, sizeof(wl), "workloads/%s", names[i]);
		if (!strncmp(names[i], "go-", 3) && !file__exists(repo(wl))) {
			harness_diag("%s is not built (no go): not tried", names[i]);
			continue;
		}
		if (!EXPECT_MSG(workload__page(names[i], trace, html, sizeof(trace)),
				"no page for %s", names[i]))
			continue;
		seen = page__matches(names[i], trace, html);
		json_decref(seen);
	}
}

/* threads: one address space that the threads share, a stack each, readable on the page. */
static void test_threads_page(void)
{
	char trace[4096], html[4096], needle[64];
	json_t *seen, *tr, *ev;
	size_t i, stacks = 0;

	if (!browser__ready() || !workload__page("threads", trace, html, sizeof(trace)))
		return;
	seen = page__check(html, "threads-done");
	tr = trace__load(trace);
	if (!seen || !tr)
		goto out;
	page__clean(seen);
	EXPECT_EQ(json_array_size(json_object_get(seen, "pids")), 1);
	EXPECT_EQ(json_object_size(json_object_get(seen, "as")), 1);
	json_array_foreach(tr, i, ev) {
		bool thread;

		if (!ev__is(ev, "fork") || !ev__bool(ev, "thread", &thread) || !thread)
			continue;
		snprintf(needle, sizeof(needle), "thread %lld \xc2\xb7 stack ", ev__int_or(ev, "child_tid", 0));
		stacks++;
		EXPECT_MSG(strstr(ev__str(seen, "tree_text") ?: "", needle),
			   "the tree does not show %s...", needle);
	}
	EXPECT(stacks >= 4);
	EXPECT(strstr(ev__str(seen, "tree_text") ?: "", "sharing its address space"));
	EXPECT(strstr(json_dumps(json_object_get(seen, "claims"), 0) ?: "", "share as"));
	/* the topmost band: the kernel's map at exec ([vsyscall], issue 10) or a mapping of its own */
	EXPECT(strstr(ev__str(seen, "tip") ?: "", "<- mmap at") ||
	       strstr(ev__str(seen, "tip") ?: "", "<- vma at"));
out:
	json_decref(seen);
	json_decref(tr);
}

/* fork-exec: two processes, three address spaces, a copy edge and a replaces edge. */
static void test_fork_exec_page(void)
{
	char trace[4096], html[4096];
	json_t *seen, *e;
	size_t i;
	int copy = 0, replaces = 0;

	if (!browser__ready() || !workload__page("fork-exec", trace, html, sizeof(trace)))
		return;
	seen = page__check(html, "fork-exec-done");
	if (!seen)
		return;
	page__clean(seen);
	EXPECT_EQ(json_array_size(json_object_get(seen, "pids")), 2);
	EXPECT_EQ(json_object_size(json_object_get(seen, "as")), 3);
	json_array_foreach(json_object_get(seen, "edges"), i, e) {
		copy += !strcmp(json_string_value(e), "copy");
		replaces += !strcmp(json_string_value(e), "replaces");
	}
	EXPECT_EQ(copy, 1);
	EXPECT_EQ(replaces, 1);
	json_decref(seen);
}

static const char hostile[] = "</script><script>alert(1)</script><!--";

/* A comm and a file name that try to end the model's <script> block. */
static void test_hostile_strings(void)
{
	const char *trace = harness_tmp("hostile.jsonl"), *html = harness_tmp("hostile.html");
	char *page;
	json_t *seen;
	struct proc p;
	FILE *f;
	size_t n = 0;
	const char *s;
	int rc;

	f = fopen(trace, "w");
	ASSERT(f);
	fprintf(f, "{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\",\"command\":\"%s\",\"target\":\"command\",\"root_pid\":100,\"kernel\":\"6.1\",\"hostname\":null,\"boot_id\":null,\"wall_start\":\"2026-01-01T00:00:00Z\",\"wall_start_ns\":0,\"ts\":0}\n",
		"<\\/script><img src=x onerror=alert(2)>");
	fprintf(f, "{\"ts\":1000,\"event\":\"exec\",\"pid\":100,\"tid\":100,\"comm\":\"</script><b>\",\"as\":1,\"filename\":\"/tmp/%s\",\"old_as\":0}\n", "<\\/script><script>alert(1)<\\/script><!--");
	fprintf(f, "{\"ts\":2000,\"event\":\"mmap\",\"pid\":100,\"tid\":100,\"comm\":\"%s\",\"as\":1,\"addr\":\"0x7f0000000000\",\"len\":8192,\"prot\":\"rw-\",\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0}\n",
		"<\\/script><b>");
	fprintf(f, "{\"ts\":3000,\"event\":\"exit\",\"pid\":100,\"tid\":100,\"comm\":\"</script><b>\",\"as\":1,\"code\":0,\"signal\":0,\"core\":false,\"thread\":false}\n");
	fprintf(f, "{\"event\":\"summary\",\"ts\":4000,\"duration_ns\":4000,\"events\":{\"fork\":0,\"exec\":1,\"exit\":1,\"mmap\":1,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"lost\":0,\"lost_by_type\":{\"fork\":0,\"exec\":0,\"exit\":0,\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"missed\":0,\"exit_status\":0}\n");
	fclose(f);
	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "report", "--html", html, trace, NULL);
	EXPECT_MSG(rc == 0, "report --html exited %d: %s", rc, p.err);
	proc__free(&p);
	page = file__read(html, NULL);
	ASSERT(page);
	/* the page's own two scripts end; nothing of the trace ends one */
	for (s = page; (s = strstr(s, "</script")); s++)
		n++;
	EXPECT_EQ(n, 2);
	EXPECT(!strstr(page, "<!--\"") && !strstr(page, "<b>"));
	free(page);
	if (!browser__ready())
		return;
	seen = page__check(html, "hostile");
	if (!seen)
		return;
	page__clean(seen);
	/* the strings are on the page as text */
	EXPECT(strstr(ev__str(seen, "tree_text") ?: "", "</script><b>"));
	EXPECT(strstr(ev__str(seen, "tree_text") ?: "", hostile));
	json_decref(seen);
}

/*
 * A million events: 20 processes mapping, protecting and unmapping in
 * 5,000 places, threads coming and going, the heap growing. The page must
 * be written in bounded size, say that it samples and merges, and load.
 */
static void test_big_trace(void)
{
	const char *trace = harness_tmp("big.jsonl"), *html = harness_tmp("big.html");
	unsigned long long ts = 1000, a;
	json_t *seen, *model, *sampling;
	struct stat st;
	struct proc p;
	long long i, k = 1;	/* the exec */
	FILE *f;
	int rc, pid;

	f = fopen(trace, "w");
	ASSERT(f);
	fprintf(f, "{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\",\"command\":\"big\",\"target\":\"command\",\"root_pid\":1000,\"kernel\":\"6.1\",\"hostname\":null,\"boot_id\":null,\"wall_start\":\"2026-01-01T00:00:00Z\",\"wall_start_ns\":0,\"ts\":0}\n");
	fprintf(f, "{\"ts\":%llu,\"event\":\"exec\",\"pid\":1000,\"tid\":1000,\"comm\":\"big\",\"as\":1,\"filename\":\"/usr/bin/big\",\"old_as\":0}\n", ts);
	for (pid = 1001; pid < 1020; pid++, k++)
		fprintf(f, "{\"ts\":%llu,\"event\":\"fork\",\"pid\":1000,\"tid\":1000,\"comm\":\"big\",\"as\":1,\"child_pid\":%d,\"child_tid\":%d,\"thread\":false,\"child_as\":%d,\"shared_vm\":false,\"flags\":\"SIGCHLD\",\"exit_signal\":17,\"syscall\":\"clone\"}\n",
			ts += 100, pid, pid, pid - 999);
	for (i = 0; k < BIG_EVENTS - 40; i++) {
		pid = 1000 + (int)(i % 20);
		a = 0x7f0000000000ULL + (unsigned long long)(i % 5000) * 0x100000;
		ts += 500;
		switch (i / 20 % 4) {
		case 0:
			fprintf(f, "{\"ts\":%llu,\"event\":\"mmap\",\"pid\":%d,\"tid\":%d,\"comm\":\"big\",\"as\":%d,\"addr\":\"0x%llx\",\"len\":65536,\"prot\":\"rw-\",\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0}\n",
				ts, pid, pid, pid - 999, a);
			break;
		case 1:
			fprintf(f, "{\"ts\":%llu,\"event\":\"mprotect\",\"pid\":%d,\"tid\":%d,\"comm\":\"big\",\"as\":%d,\"addr\":\"0x%llx\",\"len\":4096,\"prot\":\"r--\"}\n",
				ts, pid, pid, pid - 999, a);
			break;
		case 2:
			fprintf(f, "{\"ts\":%llu,\"event\":\"brk\",\"pid\":%d,\"tid\":%d,\"comm\":\"big\",\"as\":%d,\"req\":\"0x%llx\",\"addr\":\"0x%llx\"}\n",
				ts, pid, pid, pid - 999, 0x560000000000ULL + (i % 1000) * 4096,
				0x560000000000ULL + (i % 1000) * 4096);
			break;
		default:
			fprintf(f, "{\"ts\":%llu,\"event\":\"munmap\",\"pid\":%d,\"tid\":%d,\"comm\":\"big\",\"as\":%d,\"addr\":\"0x%llx\",\"len\":65536}\n",
				ts, pid, pid, pid - 999, a);
			break;
		}
		k++;
	}
	for (pid = 1019; pid >= 1000; pid--, k++)
		fprintf(f, "{\"ts\":%llu,\"event\":\"exit\",\"pid\":%d,\"tid\":%d,\"comm\":\"big\",\"as\":%d,\"code\":0,\"signal\":0,\"core\":false,\"thread\":false}\n",
			ts += 100, pid, pid, pid - 999);
	fprintf(f, "{\"event\":\"summary\",\"ts\":%llu,\"duration_ns\":%llu,\"events\":{\"fork\":19,\"exec\":1,\"exit\":20,\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"lost\":0,\"lost_by_type\":{\"fork\":0,\"exec\":0,\"exit\":0,\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"missed\":0,\"exit_status\":0}\n",
		ts, ts);
	ASSERT(!fclose(f));
	rc = memtrace__run(&p, 300000, "report", "--html", html, trace, NULL);
	harness_diag("report --html of %d events: %.1f s", BIG_EVENTS, p.secs);
	EXPECT_MSG(rc == 0, "report --html exited %d: %s", rc, p.err);
	proc__free(&p);
	ASSERT(!stat(html, &st));
	harness_diag("page: %lld bytes", (long long)st.st_size);
	EXPECT(st.st_size < 16 * 1024 * 1024);
	model = page__model(html);
	ASSERT(model);
	sampling = json_object_get(model, "sampling");
	EXPECT_EQ(ev__int_or(sampling, "events", -1), k);
	EXPECT(ev__int_or(sampling, "bands_before_merge", 0) > 0);
	EXPECT(json_array_size(json_object_get(model, "events")) <= 20000);
	json_decref(model);
	if (!browser__ready())
		return;
	seen = page__check(html, "big");
	if (!seen)
		return;
	page__clean(seen);
	EXPECT_EQ(json_array_size(json_object_get(seen, "pids")), 20);
	EXPECT_MSG(ev__int_or(seen, "load_ms", 1 << 30) < 20000, "the page took %lld ms to load",
		   ev__int_or(seen, "load_ms", -1));
	json_decref(seen);
}

/*
 * The last task of a process to exit may be a thread, not the leader: its
 * exit record says thread:false. The page must still see that thread exit
 * (it said "no exit seen" for go-heap's thread 17715).
 */
static void test_last_thread_exit(void)
{
	const char *trace = harness_tmp("lastthread.jsonl"), *html = harness_tmp("lastthread.html");
	json_t *model, *seen, *th;
	struct proc p;
	size_t i;
	FILE *f;
	int rc, found = 0;

	f = fopen(trace, "w");
	ASSERT(f);
	fprintf(f, "{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\",\"command\":\"lt\",\"target\":\"command\",\"root_pid\":100,\"kernel\":\"6.1\",\"hostname\":null,\"boot_id\":null,\"wall_start\":\"2026-01-01T00:00:00Z\",\"wall_start_ns\":0,\"ts\":0}\n");
	fprintf(f, "{\"ts\":1000,\"event\":\"exec\",\"pid\":100,\"tid\":100,\"comm\":\"lt\",\"as\":1,\"filename\":\"/usr/bin/lt\",\"old_as\":0}\n");
	fprintf(f, "{\"ts\":2000,\"event\":\"fork\",\"pid\":100,\"tid\":100,\"comm\":\"lt\",\"as\":1,\"child_pid\":100,\"child_tid\":101,\"thread\":true,\"child_as\":1,\"shared_vm\":true,\"flags\":\"CLONE_VM|CLONE_THREAD\",\"exit_signal\":0,\"syscall\":\"clone\"}\n");
	fprintf(f, "{\"ts\":3000,\"event\":\"exit\",\"pid\":100,\"tid\":100,\"comm\":\"lt\",\"as\":1,\"code\":0,\"signal\":0,\"core\":false,\"thread\":true}\n");
	fprintf(f, "{\"ts\":4000,\"event\":\"exit\",\"pid\":100,\"tid\":101,\"comm\":\"lt\",\"as\":1,\"code\":0,\"signal\":0,\"core\":false,\"thread\":false}\n");
	fprintf(f, "{\"event\":\"summary\",\"ts\":5000,\"duration_ns\":5000,\"events\":{\"fork\":1,\"exec\":1,\"exit\":2,\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"lost\":0,\"lost_by_type\":{\"fork\":0,\"exec\":0,\"exit\":0,\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"missed\":0,\"exit_status\":0}\n");
	fclose(f);
	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "report", "--html", html, trace, NULL);
	EXPECT_MSG(rc == 0, "report --html exited %d: %s", rc, p.err);
	proc__free(&p);
	model = page__model(html);
	ASSERT(model);
	json_array_foreach(json_object_get(model, "threads"), i, th) {
		if (json_integer_value(json_array_get(th, 1)) != 101)
			continue;
		found++;
		EXPECT_MSG(json_integer_value(json_array_get(th, 3)) == 4000,
			   "thread 101 ends at %lld, not at its exit (4000)",
			   (long long)json_integer_value(json_array_get(th, 3)));
	}
	EXPECT_EQ(found, 1);
	json_decref(model);
	if (!browser__ready())
		return;
	seen = page__check(html, "lastthread");
	if (!seen)
		return;
	page__clean(seen);
	EXPECT_MSG(!strstr(ev__str(seen, "tree_text") ?: "", "no exit seen"),
		   "the tree says no exit seen: %s", ev__str(seen, "tree_text") ?: "");
	EXPECT(strstr(ev__str(seen, "tree_text") ?: "", "thread 101"));
	json_decref(seen);
}

/*
 * Many address spaces with many regions at the end (a 10-minute -a trace
 * made a 79 MB page of them): the embedded report keeps at most 500 per
 * address space and 10,000 in all, says so, and the page says it too.
 */
static void test_many_regions(void)
{
	const char *trace = harness_tmp("regions.jsonl"), *html = harness_tmp("regions.html");
	unsigned long long ts = 1000;
	json_t *model, *sp, *seen;
	size_t i, total = 0;
	struct proc p;
	struct stat st;
	FILE *f;
	int rc, k, j;

	f = fopen(trace, "w");
	ASSERT(f);
	fprintf(f, "{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\",\"command\":\"regions\",\"target\":\"command\",\"root_pid\":1000,\"kernel\":\"6.1\",\"hostname\":null,\"boot_id\":null,\"wall_start\":\"2026-01-01T00:00:00Z\",\"wall_start_ns\":0,\"ts\":0}\n");
	fprintf(f, "{\"ts\":%llu,\"event\":\"exec\",\"pid\":1000,\"tid\":1000,\"comm\":\"regions\",\"as\":1,\"filename\":\"/usr/bin/regions\",\"old_as\":0}\n", ts++);
	for (k = 1; k <= 40; k++) {
		fprintf(f, "{\"ts\":%llu,\"event\":\"fork\",\"pid\":1000,\"tid\":1000,\"comm\":\"regions\",\"as\":1,\"child_pid\":%d,\"child_tid\":%d,\"thread\":false,\"child_as\":%d,\"shared_vm\":false,\"flags\":\"SIGCHLD\",\"exit_signal\":17,\"syscall\":\"clone\"}\n",
			ts++, 1000 + k, 1000 + k, 1 + k);
		/* 600 regions that cannot merge: alternating permissions, a page apart */
		for (j = 0; j < 600; j++)
			fprintf(f, "{\"ts\":%llu,\"event\":\"mmap\",\"pid\":%d,\"tid\":%d,\"comm\":\"regions\",\"as\":%d,\"addr\":\"0x%llx\",\"len\":4096,\"prot\":\"%s\",\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0}\n",
				ts++, 1000 + k, 1000 + k, 1 + k, 0x7f0000000000ULL + (unsigned long long)j * 8192,
				j % 2 ? "rw-" : "r--");
	}
	fprintf(f, "{\"event\":\"summary\",\"ts\":%llu,\"duration_ns\":%llu,\"events\":{\"fork\":40,\"exec\":1,\"exit\":0,\"mmap\":24000,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"lost\":0,\"lost_by_type\":{\"fork\":0,\"exec\":0,\"exit\":0,\"mmap\":0,\"munmap\":0,\"brk\":0,\"mprotect\":0,\"mremap\":0},\"missed\":0,\"exit_status\":0}\n",
		ts, ts);
	fclose(f);
	rc = memtrace__run(&p, RUN_TIMEOUT_MS, "report", "--html", html, trace, NULL);
	EXPECT_MSG(rc == 0, "report --html exited %d: %s", rc, p.err);
	proc__free(&p);
	ASSERT(!stat(html, &st));
	harness_diag("page: %lld bytes", (long long)st.st_size);
	model = page__model(html);
	ASSERT(model);
	json_array_foreach(json_object_get(json_object_get(model, "report"), "address_spaces"), i, sp) {
		size_t n = json_array_size(json_object_get(sp, "regions"));

		EXPECT(n <= 500);
		total += n;
	}
	EXPECT_MSG(total == 10000, "the page holds %zu regions, not the cap of 10000", total);
	EXPECT_EQ(ev__int_or(json_object_get(model, "sampling"), "regions_cut", -1), 40 * 600 - 10000);
	json_decref(model);
	if (!browser__ready())
		return;
	seen = page__check(html, "regions");
	if (!seen)
		return;
	page__clean(seen);
	EXPECT_MSG(strstr(ev__str(seen, "notes") ?: "", "regions of"),
		   "the page does not say that regions were left out: %s", ev__str(seen, "notes") ?: "");
	json_decref(seen);
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "a hostile comm and file name cannot break out of the page", test_hostile_strings, false },
		{ "the last thread to exit, with thread:false, is seen to exit", test_last_thread_exit, false },
		{ "many regions: the embedded report is capped and the page says so", test_many_regions, false },
		{ "a 1M-event trace: a bounded page that says it samples, and loads", test_big_trace, false },
		{ "every workload's page: loads clean, tree, map and table agree with the report", test_workloads, true },
		{ "threads page: one address space, a stack each", test_threads_page, true },
		{ "fork-exec page: two processes, three address spaces, copy and replaces", test_fork_exec_page, true },
		{ NULL, NULL, false },
	};

	return harness_main(tests);
}
