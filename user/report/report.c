// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report - see report.h. One pass: the reader hands events in ts order to
 * the analysis; the outputs read the analysis at the end (or at --at).
 * The text goes through an outbuf (comm and file names escaped as the
 * event writers escape them); the JSON is built with jansson.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <jansson.h>
#include "decode.h"
#include "html.h"
#include "mermaid.h"
#include "outbuf.h"
#include "perfetto.h"
#include "report.h"

#define NSEC_PER_SEC	1000000000ULL
/* Largest mappings listed per process. */
#define TOP_REGIONS	3

const char report__usage[] =
"Usage: memtrace report [OPTIONS] TRACE\n"
"\n"
"Turns a JSON trace (memtrace run -f json -o TRACE) into answers: what the\n"
"trace shows, the processes, their tree with the address-space relation on\n"
"each edge (copy, shares, replaces) and the memory map of every address\n"
"space, replayed exactly from the events. TRACE '-' reads standard input.\n"
"Needs no root.\n"
"\n"
"Options:\n"
"  -f, --format text|json  text (default) for people; one JSON document for programs\n"
"      --maps              only the memory maps\n"
"      --at SECONDS        the state at that time (seconds since the start, as the\n"
"                          text trace's TIME column), not at the end\n"
"      --perfetto FILE     write a timeline for ui.perfetto.dev or chrome://tracing\n"
"      --mermaid           print a Mermaid graph TD of processes, threads and memory\n"
"      --html FILE         write one self-contained page to look at the trace (tree,\n"
"                          address-space map over time, counters, events); no network\n"
"  -h, --help              this help\n"
"\n"
"Examples:\n"
"  sudo memtrace run -f json -o t.jsonl fork-exec && memtrace report t.jsonl\n"
"  memtrace report --format json t.jsonl | jq '.processes[] | {pid, peak_accessible}'\n"
"  memtrace report --maps --at 0.0042 t.jsonl\n"
"  memtrace report --perfetto t.json t.jsonl\n"
"  memtrace report --mermaid t.jsonl > t.mmd\n"
"  memtrace report --html t.html t.jsonl && xdg-open t.html\n"
"  sudo memtrace run -f json -o - heap | memtrace report -\n"
"  sudo memtrace run --report threads\n"
"\n"
"Exit status: 0 when the report is written, also for an incomplete trace (no\n"
"summary, a cut last line, counts that disagree with the summary, processes\n"
"not followed, a later part of a split trace: each is a WARNING in the report,\n"
"\"complete\": false in JSON; lost events are a WARNING too); 1 for a trace it\n"
"cannot read (a line not JSON, too long or binary, named by its number) or a\n"
"report it cannot write (a full disk: the output and the error are named); 2 on\n"
"a usage error.\n"
"\n"
"Every figure is explained in docs/report.md.\n";

enum {
	OPT_MAPS = 256,
	OPT_AT,
	OPT_PERFETTO,
	OPT_MERMAID,
	OPT_HTML,
};

struct report_opts {
	bool json;
	bool maps_only;
	bool has_at;
	uint64_t at_ns;
	const char *perfetto;
	bool mermaid;
	const char *html;
	const char *path;
	const char *label;	/* what the header calls the trace, if not its path */
};

/* ---- text ---- */

static void text__ms(struct outbuf *ob, uint64_t ns)
{
	outbuf__printf(ob, "%.3f", (double)ns / 1e6);
}

static void text__size(struct outbuf *ob, uint64_t bytes)
{
	char buf[32];

	outbuf__puts(ob, decode__size(bytes, buf, sizeof(buf)));
}

/* issue 11: "71 (anon 14, cow 10, file 32)": the classes that are not 0. */
static void text__faults(struct outbuf *ob, const struct mt_fault_counts *c)
{
	const char *sep = " (";
	int k;

	outbuf__printf(ob, "%llu", (unsigned long long)c->total);
	for (k = 0; k < MT_FAULT_NCLASS; k++) {
		if (!c->n[k])
			continue;
		outbuf__printf(ob, "%s%s %llu", sep, event__fault_class_name(k),
			       (unsigned long long)c->n[k]);
		sep = ", ";
	}
	if (*sep == ',')
		outbuf__putc(ob, ')');
}

/* Longest argv shown after an exec in the text (the JSON has it whole). */
#define ARGV_SHOWN	160

/* Bytes a shell leaves alone unquoted (as shlex.quote's set). */
static bool arg__plain(const char *s, size_t n)
{
	size_t i;
	char c;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_@%+=:,./-", c)))
			return false;
	}
	return true;
}

/*
 * One argument, n bytes (no NUL), as a shell would need it: as is, or in
 * single quotes ('a b', '' for an empty one, a quote as '\''), so that
 * ['a b', 'c'] and ['a', 'b c'] differ. Control bytes keep the text
 * output's \xHH escapes.
 */
static void text__arg(struct outbuf *ob, const char *s, size_t n)
{
	const char *q;

	if (arg__plain(s, n)) {
		outbuf__text_str(ob, s, n);
		return;
	}
	outbuf__putc(ob, '\'');
	while ((q = memchr(s, '\'', n))) {
		outbuf__text_str(ob, s, q - s);
		outbuf__puts(ob, "'\\''");
		n -= q + 1 - s;
		s = q + 1;
	}
	outbuf__text_str(ob, s, n);
	outbuf__putc(ob, '\'');
}

/*
 * issue 10: " [cc1 -quiet 'my file.c']" after an exec's path: the
 * arguments as the kernel gave them, quoted as a shell would need them,
 * cut at ARGV_SHOWN bytes.
 */
static void text__argv(struct outbuf *ob, const struct exec_step *x)
{
	const char *p = x->argv, *end = x->argv + x->argv_len, *nul;
	size_t shown = 0, k;

	if (!x->argv)
		return;
	outbuf__puts(ob, " [");
	while (p < end && shown < ARGV_SHOWN) {
		nul = memchr(p, '\0', end - p);
		k = (nul ? nul : end) - p;
		if (shown)
			outbuf__putc(ob, ' ');
		k = k > ARGV_SHOWN - shown ? ARGV_SHOWN - shown : k;
		text__arg(ob, p, k);
		shown += k + 1;
		p = nul ? nul + 1 : end;
	}
	outbuf__puts(ob, p < end || x->argv_truncated ? " ...]" : "]");
}

/* What a region is, for the maps view. */
static void text__what(struct outbuf *ob, const struct analysis *a, const struct aspace *as,
		       const struct region *r)
{
	uint32_t name = region__mem(as, r)->name;

	/* issue 10: the file's path or the kernel's name, when the trace has it */
	if (r->name && !(region__kind(r) == REGION_STACK && r->stack_of)) {
		outbuf__text_str(ob, analysis__name(a, r->name), SIZE_MAX);
		if (region__is_guard(r))
			outbuf__puts(ob, " guard page");
		return;
	}
	switch (region__kind(r)) {
	case REGION_FILE:
		outbuf__printf(ob, "file (fd %d)", r->fd);
		if (name) {
			outbuf__putc(ob, ' ');
			outbuf__text_str(ob, analysis__name(a, name), SIZE_MAX);
		}
		break;
	case REGION_HEAP:
		outbuf__puts(ob, "[heap]");
		break;
	case REGION_STACK:
		if (r->stack_of)
			outbuf__printf(ob, "[stack of thread %u]%s", r->stack_of,
				       region__is_guard(r) ? " guard page" : "");
		else
			outbuf__printf(ob, "[stack]%s", region__is_guard(r) ? " guard page" : "");
		break;
	case REGION_SHARED:
		outbuf__puts(ob, "[shared anonymous]");
		break;
	case REGION_RESERVED:
		outbuf__puts(ob, "[reserved]");
		break;
	default:
		outbuf__puts(ob, "[anonymous]");
		break;
	}
}

static void text__region(struct outbuf *ob, const struct analysis *a, const struct aspace *as,
			 const struct region *r)
{
	const struct region_mem *m = region__mem(as, r);
	char perms[5], size[32];

	region__perms(r, perms);
	outbuf__printf(ob, "    %012llx-%012llx %s %08llx %10s  ",
		       (unsigned long long)r->start, (unsigned long long)r->end, perms,
		       (unsigned long long)r->offset, decode__size(r->end - r->start, size, sizeof(size)));
	text__what(ob, a, as, r);
	outbuf__printf(ob, "  <- %s at ", event__name(r->made_type));
	text__ms(ob, r->made_ts);
	outbuf__printf(ob, " ms by tid %u", r->made_tid);
	if (m->faults.total) {
		outbuf__puts(ob, "  faults ");
		text__faults(ob, &m->faults);
		if (m->vma_end)
			outbuf__printf(ob, " of the VMA %012llx-%012llx, which spans several mappings",
				       (unsigned long long)m->vma_start,
				       (unsigned long long)m->vma_end);
	}
	outbuf__putc(ob, '\n');
}

/* "[anonymous]" as the maps say it, not the faults record's short "anon". */
static const char *area__kind_label(uint32_t kind)
{
	if (kind == MT_REGION_ANON)
		return "anonymous";
	if (kind == MT_REGION_UNKNOWN)
		return "no mapping";
	return event__region_kind_name(kind);
}

/* An area: faults of a region that is not in the map (issue 11). */
static void text__area(struct outbuf *ob, const struct analysis *a, const struct fault_area *x)
{
	const char *name = analysis__name(a, x->name);

	if (x->rest) {
		outbuf__printf(ob, "    %-25s ", "(more regions)");
	} else {
		outbuf__printf(ob, "    %012llx-%012llx ", (unsigned long long)x->start,
			       (unsigned long long)x->end);
	}
	if (*name)
		outbuf__text_str(ob, name, SIZE_MAX);
	else if (!x->rest)
		outbuf__printf(ob, "[%s]", area__kind_label(x->kind));
	outbuf__puts(ob, x->rest ? "" : x->unmapped ? " (unmapped before the end)" :
		     " (not in the trace's map)");
	outbuf__puts(ob, "  faults ");
	text__faults(ob, &x->faults);
	outbuf__putc(ob, '\n');
}

/* The as header's memory: RSS peak, faults (issue 11). */
static void text__as_mem(struct outbuf *ob, const struct aspace *as)
{
	if (!as->has_rss && !as->fault_records)
		return;
	outbuf__puts(ob, "    memory:");
	if (as->has_rss) {
		outbuf__puts(ob, " RSS peak ");
		text__size(ob, as->rss_peak);
		outbuf__puts(ob, as->has_as_end ? ", at its end " : ", last seen ");
		text__size(ob, as->rss.total);
		outbuf__puts(ob, " (anon ");
		text__size(ob, as->rss.anon);
		outbuf__puts(ob, ", file ");
		text__size(ob, as->rss.file);
		if (as->rss.shmem)
			outbuf__puts(ob, ", shmem "), text__size(ob, as->rss.shmem);
		if (as->rss.swap)
			outbuf__puts(ob, ", swap "), text__size(ob, as->rss.swap);
		outbuf__puts(ob, ");");
	}
	outbuf__puts(ob, " faults ");
	text__faults(ob, &as->faults);
	if (as->has_as_end && as->as_end_faults.total != as->faults.total)
		outbuf__printf(ob, " [as_end counted %llu]",
			       (unsigned long long)as->as_end_faults.total);
	if (as->fault_events.total)
		outbuf__printf(ob, "; %llu fault events", (unsigned long long)as->fault_events.total);
	outbuf__putc(ob, '\n');
}

/*
 * issue 10: does the trace have the kernel-made maps (vma records)? How
 * many were lost, and how many address spaces are without one.
 */
struct kmap {
	bool has_vma;		/* the trace has vma records (read, or counted by the summary) */
	uint64_t lost;		/* vma records lost (summary lost_by_type) */
	size_t without;		/* address spaces whose map did not start from the kernel's */
};

static void kmap__get(const struct reader *r, const struct analysis *a, struct kmap *k)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	k->has_vma = a->by_type[MT_EV_VMA] || (r->has_summary && r->summary.events[MT_EV_VMA]);
	k->lost = r->summary.lost[MT_EV_VMA];
	for (i = 1; i < a->nas; i++)
		if (a->as[i] && !a->as[i]->kernel_map)
			k->without++;
}

/* An address space that should have the kernel's map and does not. */
static bool kmap__missing(const struct kmap *k, const struct aspace *as)
{
	return (k->has_vma || k->lost) && !as->kernel_map;
}

static void text__kmap_note(struct outbuf *ob, const struct kmap *k)
{
	if (!k->has_vma && !k->lost) {
		outbuf__puts(ob, "  Only what the program mapped itself: this trace has no vma records, so the kernel-made\n"
			      "  map at exec (binary, loader, [stack], [vdso]) is not in it.\n");
		return;
	}
	outbuf__puts(ob, "  '<- vma' marks the kernel's map at exec or attach (vma records); [stack] is as that\n"
		      "  record left it (its growth is not traced).\n");
	if (k->lost)
		outbuf__printf(ob, "  WARNING: %llu vma records were lost: an address space 'without the kernel's map'\n"
			       "  holds only what the program mapped itself.\n", (unsigned long long)k->lost);
	else if (k->without)
		outbuf__puts(ob, "  note: an address space 'without the kernel's map' has no vma records: it holds\n"
			      "  only what the program mapped itself.\n");
}

static void text__maps(struct outbuf *ob, const struct reader *rd, const struct analysis *a,
		       const struct report_opts *o)
{
	const struct aspace *as;
	const struct proc *p;
	struct kmap k;
	size_t i, j;

	outbuf__puts(ob, "\nMemory maps");
	if (o->has_at) {
		outbuf__puts(ob, " at ");
		text__ms(ob, o->at_ns);
		outbuf__puts(ob, " ms");
	} else {
		outbuf__puts(ob, " at the end (an ended address space: as it was when it ended)");
	}
	outbuf__putc(ob, '\n');
	kmap__get(rd, a, &k);
	text__kmap_note(ob, &k);
	for (i = 1; i < a->nas; i++) {
		as = a->as[i];
		if (!as)
			continue;
		p = analysis__proc(a, as->pid);
		outbuf__printf(ob, "\n  as %u (pid %u", as->id, as->pid);
		if (p) {
			outbuf__putc(ob, ' ');
			outbuf__text_str(ob, p->comm, sizeof(p->comm));
		}
		outbuf__puts(ob, ")");
		if (as->from_as)
			outbuf__printf(ob, ", a fork copy of as %u", as->from_as);
		if (as->by_exec)
			outbuf__printf(ob, ", made by exec%s", as->exec_of_as ? "" : " (at the start)");
		if (as->ended)
			outbuf__puts(ob, ", ended at "), text__ms(ob, as->ended_ts), outbuf__puts(ob, " ms");
		if (kmap__missing(&k, as))
			outbuf__puts(ob, ", without the kernel's map");
		outbuf__puts(ob, ": ");
		text__size(ob, as->accessible);
		outbuf__puts(ob, " accessible, ");
		text__size(ob, as->reserved);
		outbuf__printf(ob, " reserved, %zu mappings", as->nregions);
		if (as->madvises) {
			outbuf__printf(ob, "; %u madvise, ", as->madvises);
			text__size(ob, as->madv_freed);
			outbuf__puts(ob, " given back (MADV_DONTNEED/FREE)");
		}
		outbuf__putc(ob, '\n');
		text__as_mem(ob, as);
		for (j = 0; j < as->nregions; j++)
			text__region(ob, a, as, &as->regions[j]);
		if (as->nareas)
			outbuf__puts(ob, "    faults outside the map above:\n");
		for (j = 0; j < as->nareas; j++)
			text__area(ob, a, &as->areas[j]);
	}
}

/* A place faults went to, short: "libc.so.6 in as 1". */
static void text__place(struct outbuf *ob, const struct analysis *a, const struct fault_place *x)
{
	const char *name;

	if (x->region) {
		name = analysis__name(a, x->name);
		if (*name)
			outbuf__text_str(ob, name, SIZE_MAX);
		else
			text__what(ob, a, analysis__as(a, x->as), x->region);
		outbuf__printf(ob, " at %llx", (unsigned long long)x->region->start);
	} else {
		name = analysis__name(a, x->area->name);
		if (*name)
			outbuf__text_str(ob, name, SIZE_MAX);
		else if (x->area->rest)
			outbuf__puts(ob, "more regions");
		else
			outbuf__printf(ob, "[%s]", area__kind_label(x->area->kind));
		if (!x->area->rest)
			outbuf__printf(ob, " at %llx", (unsigned long long)x->area->start);
		if (x->area->unmapped)
			outbuf__puts(ob, " (unmapped)");
	}
	outbuf__printf(ob, " in as %u: ", x->as);
	text__faults(ob, x->faults);
}

/* "faults 71 (anon 14, ...); most in: ..." under a process (issue 11). */
static void text__proc_faults(struct outbuf *ob, const struct analysis *a, const struct proc *p)
{
	struct fault_place top[TOP_REGIONS];
	struct proc_mem m;
	size_t n, k;

	analysis__proc_mem(a, p, &m);
	if (!m.faults.total)
		return;
	outbuf__puts(ob, "            faults ");
	text__faults(ob, &m.faults);
	outbuf__putc(ob, '\n');
	n = analysis__top_places(a, p, top, TOP_REGIONS);
	for (k = 0; k < n; k++) {
		outbuf__puts(ob, k ? "                        " : "              most in: ");
		text__place(ob, a, &top[k]);
		outbuf__putc(ob, '\n');
	}
}

/* Threads the table counts that no clone in the trace made: say which and why. */
static void text__threads_before(struct outbuf *ob, const struct proc *p)
{
	size_t i, k = 0;

	outbuf__printf(ob, "            %u thread%s seen only by %s tid (", p->threads_before,
		       p->threads_before == 1 ? "" : "s", p->threads_before == 1 ? "its" : "their");
	for (i = 0; i < p->ntids; i++) {
		if (!p->tids[i].before)
			continue;
		if (k++ == 8) {
			outbuf__puts(ob, ", ...");
			break;
		}
		outbuf__printf(ob, "%stid %u", k > 1 ? ", " : "", p->tids[i].tid);
	}
	outbuf__printf(ob, "): %s before the trace began (-p, -a) or its clone was not traced\n",
		       p->threads_before == 1 ? "it existed" : "they existed");
}

static void text__processes(struct outbuf *ob, const struct reader *r, const struct analysis *a)
{
	const struct aspace *as;
	const struct proc *p;
	size_t i, j, orphans = 0;

	outbuf__puts(ob, "\nProcesses\n");
	outbuf__printf(ob, "  %7s %7s %-16s %10s %10s %-22s %7s %12s %12s %10s", "PID", "PPID",
		       "COMM", "START(ms)", "END(ms)", "EXIT", "THREADS", "ACCESSIBLE", "RESERVED",
		       "HEAP");
	if (a->has_mem)
		outbuf__printf(ob, " %10s %8s", "RSS PEAK", "FAULTS");
	outbuf__putc(ob, '\n');
	for (i = 0; i < a->nprocs; i++) {
		char acc[32], res[32], heap[32], exit[40], sig[16];
		uint64_t pa = 0, pr = 0, hp = 0;

		p = a->procs[i];
		/* peaks of the address spaces the process used (shared ones count for each) */
		for (j = 0; j <= p->nexecs; j++) {
			as = analysis__as(a, j ? p->execs[j - 1].as : p->first_as);
			if (!as)
				continue;
			pa = as->peak_accessible > pa ? as->peak_accessible : pa;
			pr = as->peak_reserved > pr ? as->peak_reserved : pr;
			hp = as->heap_peak - as->heap_start > hp ? as->heap_peak - as->heap_start : hp;
		}
		/* with processes unfollowed, one without an exit may be one of them */
		if (!p->ended)
			snprintf(exit, sizeof(exit), r->summary.unfollowed ? "no exit seen" : "running at the end");
		else if (p->signal)
			snprintf(exit, sizeof(exit), "SIG%s%s",
				 decode__signal_name(p->signal, sig, sizeof(sig)),
				 p->core ? " (core)" : "");
		else
			snprintf(exit, sizeof(exit), "code %u", p->code);
		/* 0: the fork that made it is not in the trace (docs/report.md) */
		if (p->ppid) {
			outbuf__printf(ob, "  %7u %7u ", p->pid, p->ppid);
		} else {
			outbuf__printf(ob, "  %7u %7s ", p->pid, "-");
			orphans++;
		}
		j = outbuf__text_str(ob, p->comm, sizeof(p->comm));
		outbuf__spaces(ob, j < 16 ? 16 - j : 0);
		outbuf__printf(ob, " %10.3f ", (double)p->start_ts / 1e6);
		if (p->ended)
			outbuf__printf(ob, "%10.3f", (double)p->end_ts / 1e6);
		else
			outbuf__printf(ob, "%10s", "-");
		outbuf__printf(ob, " %-22s %7u %12s %12s %10s", exit,
			       p->threads_created + p->threads_before + 1,
			       decode__size(pa, acc, sizeof(acc)), decode__size(pr, res, sizeof(res)),
			       decode__size(hp, heap, sizeof(heap)));
		if (a->has_mem) {
			struct proc_mem m;

			analysis__proc_mem(a, p, &m);
			outbuf__printf(ob, " %10s %8llu", m.has_rss ? decode__size(m.rss_peak, acc,
				       sizeof(acc)) : "-", (unsigned long long)m.faults.total);
		}
		outbuf__putc(ob, '\n');
		if (p->threads_before)
			text__threads_before(ob, p);
		for (j = 0; j < p->nexecs; j++) {
			outbuf__puts(ob, "            exec ");
			outbuf__text_str(ob, p->execs[j].filename, SIZE_MAX);
			text__argv(ob, &p->execs[j]);
			if (p->execs[j].error)
				outbuf__printf(ob, " failed: %s\n",
					       decode__errno_name(p->execs[j].error, sig, sizeof(sig)));
			else
				outbuf__printf(ob, " -> as %u\n", p->execs[j].as);
		}
		if (a->has_mem)
			text__proc_faults(ob, a, p);
	}
	if (orphans)	/* the legend of a '-' only under a table that shows one */
		outbuf__puts(ob, "  PPID - : the fork that made it is not in the trace (memtrace started it, or it ran before -p/-a).\n");
	outbuf__puts(ob, "  ACCESSIBLE, RESERVED (PROT_NONE) and HEAP are peaks over the process's address spaces.\n");
	if (a->has_mem)
		outbuf__puts(ob, "  RSS PEAK is the highest resident set of its address spaces (VmHWM); FAULTS adds up\n  their page faults (faults are not pages: a file fault maps up to 16).\n");
}

/*
 * Ends an exec line of the tree: the threads the process made in the new
 * image share that one, not the image it left.
 */
static void text__exec_threads(struct outbuf *ob, const struct proc *p, const struct edge *e)
{
	size_t i;

	for (i = p->nexecs; i > 0; i--)
		if (!p->execs[i - 1].error && p->execs[i - 1].as == e->to_as &&
		    p->execs[i - 1].ts == e->ts)
			break;
	if (i && p->execs[i - 1].threads)
		outbuf__printf(ob, " (%u threads sharing it)", p->execs[i - 1].threads + 1);
	outbuf__puts(ob, "\n");
}

/* The children of pid in the tree, depth first. */
static void text__subtree(struct outbuf *ob, const struct analysis *a, uint32_t pid,
			  int depth, int budget[1])
{
	const struct proc *c, *p = analysis__proc(a, pid);
	const struct edge *e;
	size_t i;

	if (!p || depth > 64)
		return;
	for (i = 0; i < a->nedges; i++) {
		e = &a->edges[i];
		if (e->from_pid != pid)
			continue;
		if (e->kind == EDGE_REPLACES) {
			/* as 0: the image before was memtrace's launcher, not traced */
			if (!e->from_as)
				continue;
			/* after vfork the old space is the parent's, and it lives on */
			if (edge__leaves_shared(a, e))
				outbuf__printf(ob, "%*s  = exec: leaves as %u (still in use) for as %u",
					       depth * 4, "", e->from_as, e->to_as);
			else
				outbuf__printf(ob, "%*s  = exec: as %u replaces as %u", depth * 4, "",
					       e->to_as, e->from_as);
			text__exec_threads(ob, p, e);
			continue;
		}
		if (--budget[0] < 0)
			continue;
		c = analysis__proc(a, e->to_pid);
		outbuf__printf(ob, "%*s  +- %s -> pid %u ", depth * 4, "", edge__kind_name(e->kind),
			       e->to_pid);
		if (c)
			outbuf__text_str(ob, c->comm, sizeof(c->comm));
		outbuf__printf(ob, " (as %u", e->to_as);
		if (c && c->threads_first)
			outbuf__printf(ob, ", %u threads sharing it", c->threads_first + 1);
		outbuf__puts(ob, ")\n");
		text__subtree(ob, a, e->to_pid, depth + 1, budget);
	}
}

static void text__tree(struct outbuf *ob, const struct analysis *a)
{
	const struct proc *p;
	int budget[1] = { 200 };
	size_t i;

	outbuf__puts(ob, "\nTree (copy: fork gave a copy; shares: CLONE_VM, one address space; replaces: exec)\n");
	for (i = 0; i < a->nprocs; i++) {
		p = a->procs[i];
		if (p->seen_start && analysis__proc(a, p->ppid))
			continue;	/* drawn under its parent */
		outbuf__printf(ob, "  pid %u ", p->pid);
		outbuf__text_str(ob, p->comm, sizeof(p->comm));
		outbuf__printf(ob, " (as %u", p->first_as);
		if (p->threads_first)
			outbuf__printf(ob, ", %u threads sharing it", p->threads_first + 1);
		outbuf__puts(ob, ")\n");
		text__subtree(ob, a, p->pid, 0, budget);
	}
	if (budget[0] < 0)
		outbuf__printf(ob, "  ... %d more children not shown\n", -budget[0]);
}

static void text__header(struct outbuf *ob, const struct reader *r, const struct analysis *a)
{
	uint64_t lost = summary__lost(&r->summary);
	char cmd_pid[24];
	uint32_t t;

	outbuf__puts(ob, "memtrace report: ");
	outbuf__text_str(ob, r->name, SIZE_MAX);
	outbuf__puts(ob, "\n  trace of ");
	outbuf__text_str(ob, r->start.command ? r->start.command : "?", SIZE_MAX);
	/* -p: say how it was traced; the command "pid N" already names the pid */
	if (r->start.target && !strcmp(r->start.target, "pid"))
		outbuf__puts(ob, " (attached with -p");
	else
		outbuf__printf(ob, " (%s", r->start.target ? r->start.target : "?");
	snprintf(cmd_pid, sizeof(cmd_pid), "pid %u", r->start.root_pid);
	if (r->start.root_pid && !(r->start.command && !strcmp(r->start.command, cmd_pid)))
		outbuf__printf(ob, ", pid %u", r->start.root_pid);
	outbuf__printf(ob, "), kernel %s: %llu event%s ",
		       r->start.kernel_release ? r->start.kernel_release : "?",
		       (unsigned long long)a->events, a->events == 1 ? "" : "s");
	/* --at: the events fed so far, not the trace's */
	if (a->cut) {
		outbuf__puts(ob, "in the first ");
		text__ms(ob, a->cut_ts);
		outbuf__puts(ob, " ms of a ");
	} else {
		outbuf__puts(ob, "over ");
	}
	text__ms(ob, r->has_summary ? r->summary.duration_ns : a->cut ? r->last_ts : a->last_ts);
	outbuf__printf(ob, " ms%s, %llu lost\n", a->cut ? " trace" : "", (unsigned long long)lost);
	if (a->cut && a->has_mem)
		outbuf__puts(ob, "  note: at --at the fault figures are incomplete: memtrace writes a mapping's faults record when it is unmapped or at the end, so most faults taken by then are not counted yet.\n");
	if (r->cut_tail)
		outbuf__printf(ob, "  WARNING: the last line (%llu) was cut short and is left out.\n",
			       (unsigned long long)r->lineno);
	if (!r->has_summary)
		outbuf__puts(ob, "  WARNING: the trace has no summary record: memtrace did not finish (killed?); the trace is incomplete and so is this report.\n");
	for (t = reader__miscount(r, 0); t < MT_COUNT_SLOTS; t = reader__miscount(r, t + 1))
		outbuf__printf(ob, "  WARNING: %llu %s records in the file, the summary counts %llu: records were deleted, duplicated or added; the trace is incomplete and so is this report.\n",
			       (unsigned long long)r->read[t], event__name(t),
			       (unsigned long long)r->summary.events[t]);
	/* not a lower bound: a lost munmap leaves a mapping in, a lost mmap leaves one out */
	if (lost)
		outbuf__printf(ob, "  WARNING: %llu events were lost: the figures below may be off in either direction (a lost mmap leaves a mapping out, a lost munmap leaves in one that is gone).\n",
			       (unsigned long long)lost);
	if (r->summary.unfollowed)
		outbuf__printf(ob, "  WARNING: %llu new processes were not followed (memtrace's pid filter was full): their events are missing, each shows only as its parent's fork, with no exit; no option enlarges the filter, so the trace is incomplete and so is this report.\n",
			       (unsigned long long)r->summary.unfollowed);
	if (r->summary.unnumbered)
		outbuf__printf(ob, "  WARNING: %llu address spaces got no id (memtrace's id map was full): their events carry as 0 and are left out of the maps and memory figures; no option enlarges the map, so the trace is incomplete and so is this report.\n",
			       (unsigned long long)r->summary.unnumbered);
	if (reader__later_part(r))
		outbuf__printf(ob, "  WARNING: this file is part %u of a split trace (--rotate, or SIGHUP with -o): everything before it is in the earlier parts, so processes, maps and figures lack it (a process started before shows as first seen here, a map holds only what was mapped since); the report is incomplete.\n",
			       r->start.part);
	if (r->unknown)
		outbuf__printf(ob, "  note: %llu records of event types this memtrace does not know were skipped.\n",
			       (unsigned long long)r->unknown);
	if (r->late)
		outbuf__printf(ob, "  WARNING: %llu events came later than the %d-event sorting window: the order of those is the file's.\n",
			       (unsigned long long)r->late, READER_WINDOW);
	if (a->oom)
		outbuf__puts(ob, "  WARNING: out of memory while analysing: figures are incomplete.\n");
}

static void text__report(struct outbuf *ob, const struct reader *r, const struct analysis *a,
			 const struct claims *c, const struct report_opts *o)
{
	size_t i;

	text__header(ob, r, a);
	if (o->has_at && o->at_ns > r->last_ts)
		outbuf__printf(ob, "  note: --at %.6f s is after the trace's last event (%.6f s): this is the state at the end.\n",
			       (double)o->at_ns / 1e9, (double)r->last_ts / 1e9);
	if (!o->maps_only) {
		outbuf__puts(ob, "  (as N: an address space, one mm_struct; tasks with the same as share memory.\n"
			      "   Times are ms since the trace started.)\n");
		outbuf__puts(ob, "\nWhat this trace shows\n");
		for (i = 0; i < c->n; i++)
			outbuf__printf(ob, "  - %s\n", c->lines[i]);
		text__processes(ob, r, a);
		text__tree(ob, a);
	}
	text__maps(ob, r, a, o);
}

/* ---- JSON ---- */

static json_t *json__hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

/* Strings from the trace came through jansson, so they are valid UTF-8. */
static json_t *json__str(const char *s)
{
	return json_string(s) ?: json_string("");
}

/* issue 10: "argv": [...] of an exec, "argv_truncated": true when cut. */
static void json__argv(json_t *x, const struct exec_step *e)
{
	const char *p = e->argv, *end = e->argv + e->argv_len, *nul;
	json_t *argv = json_array();

	while (p < end) {
		nul = memchr(p, '\0', end - p);
		json_array_append_new(argv, json_stringn(p, (nul ? nul : end) - p) ?:
				      json_string(""));
		p = nul ? nul + 1 : end;
	}
	json_object_set_new(x, "argv", argv);
	if (e->argv_truncated)
		json_object_set_new(x, "argv_truncated", json_true());
}

/* {"anon": n, ..., "total": n} (issue 11) */
static json_t *json__faults(const struct mt_fault_counts *c)
{
	json_t *o = json_object();
	int k;

	for (k = 0; k < MT_FAULT_NCLASS; k++)
		json_object_set_new(o, event__fault_class_name(k), json_integer(c->n[k]));
	json_object_set_new(o, "total", json_integer(c->total));
	return o;
}

static json_t *json__rss(const struct mt_rss_bytes *r)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I}", "anon", (json_int_t)r->anon,
			 "file", (json_int_t)r->file, "shmem", (json_int_t)r->shmem,
			 "swap", (json_int_t)r->swap, "total", (json_int_t)r->total);
}

static json_t *json__area(const struct analysis *a, const struct fault_area *x)
{
	return json_pack("{s:o,s:o,s:o,s:s,s:b,s:b,s:o}", "start", json__hex(x->start),
			 "end", json__hex(x->end), "name", json__str(analysis__name(a, x->name)),
			 "kind", event__region_kind_name(x->kind), "unmapped", x->unmapped,
			 "rest", x->rest, "faults", json__faults(&x->faults));
}

static json_t *json__region(const struct analysis *a, const struct aspace *as,
			    const struct region *r)
{
	const struct region_mem *m = region__mem(as, r);
	char perms[5];
	json_t *o;

	region__perms(r, perms);
	o = json_pack("{s:o,s:o,s:I,s:s,s:I,s:s,s:i,s:b,s:i,s:s,s:I,s:i}",
			 "start", json__hex(r->start), "end", json__hex(r->end),
			 "size", (json_int_t)(r->end - r->start), "perms", perms,
			 "offset", (json_int_t)r->offset, "kind", region__kind_name(region__kind(r)),
			 "stack_of", (int)r->stack_of, "guard", region__is_guard(r),
			 "fd", (int)r->fd, "made_by", event__name(r->made_type),
			 "made_ts", (json_int_t)r->made_ts, "made_tid", (int)r->made_tid);
	/* issue 10: the path or kernel name the trace gave it, else its faults records' */
	json_object_set_new(o, "name", json__str(analysis__name(a, r->name ?: m->name)));
	json_object_set_new(o, "faults", json__faults(&m->faults));
	/* only when they are the faults of a VMA reaching past this region */
	if (m->vma_end) {
		json_object_set_new(o, "faults_vma_start", json__hex(m->vma_start));
		json_object_set_new(o, "faults_vma_end", json__hex(m->vma_end));
	}
	return o;
}

static json_t *json__aspace(const struct analysis *a, const struct aspace *as)
{
	json_t *o, *regions = json_array(), *areas = json_array();
	size_t j;

	for (j = 0; j < as->nregions; j++)
		json_array_append_new(regions, json__region(a, as, &as->regions[j]));
	for (j = 0; j < as->nareas; j++)
		json_array_append_new(areas, json__area(a, &as->areas[j]));
	o = json_pack("{s:i,s:i,s:i,s:b,s:i,s:I,s:b,s:I,s:I,s:I,s:I,s:I,s:i,s:i,s:i}",
		      "as", (int)as->id, "pid", (int)as->pid, "fork_copy_of", (int)as->from_as,
		      "by_exec", as->by_exec, "exec_replaced", (int)as->exec_of_as,
		      "start_ts", (json_int_t)as->start_ts, "ended", as->ended,
		      "accessible", (json_int_t)as->accessible, "reserved", (json_int_t)as->reserved,
		      "peak_accessible", (json_int_t)as->peak_accessible,
		      "peak_reserved", (json_int_t)as->peak_reserved,
		      "peak_total", (json_int_t)as->peak_total,
		      "threads", (int)as->threads, "brk_grows", (int)as->brk_grows,
		      "large_blocks", (int)as->large_blocks);
	/* threads that got a stack mapping of their own, mapped or not now */
	json_object_set_new(o, "thread_stacks", json_integer(as->thread_stacks));
	if (as->heap_start) {
		json_object_set_new(o, "heap_start", json__hex(as->heap_start));
		json_object_set_new(o, "heap_end", json__hex(as->heap_end));
		json_object_set_new(o, "heap_peak", json__hex(as->heap_peak));
	}
	if (as->ended)
		json_object_set_new(o, "ended_ts", json_integer(as->ended_ts));
	/* issue 11: null where the trace has no rss/as_end record of it */
	json_object_set_new(o, "rss_peak", as->has_rss ? json_integer(as->rss_peak) : json_null());
	json_object_set_new(o, "rss", as->has_rss ? json__rss(&as->rss) : json_null());
	json_object_set_new(o, "faults", json__faults(&as->faults));
	json_object_set_new(o, "fault_records", json_integer(as->fault_records));
	json_object_set_new(o, "fault_events", json__faults(&as->fault_events));
	json_object_set_new(o, "as_end", as->has_as_end ?
			    json_pack("{s:I,s:o}", "ts", (json_int_t)as->as_end_ts,
				      "faults", json__faults(&as->as_end_faults)) : json_null());
	/* issue 10: its map started from the kernel's (vma records, or a fork copy of one) */
	json_object_set_new(o, "kernel_map", json_boolean(as->kernel_map));
	json_object_set_new(o, "vma_records", json_integer(as->vma_records));
	json_object_set_new(o, "regions", regions);
	json_object_set_new(o, "fault_areas", areas);
	return o;
}

/* issue 11: rss_peak, faults and the regions that took most of them. */
static void json__proc_mem(const struct analysis *a, const struct proc *p, json_t *o)
{
	struct fault_place top[TOP_REGIONS];
	json_t *places = json_array(), *x;
	struct proc_mem m;
	size_t n, k;

	analysis__proc_mem(a, p, &m);
	n = analysis__top_places(a, p, top, TOP_REGIONS);
	for (k = 0; k < n; k++) {
		if (top[k].region) {
			x = json_pack("{s:i,s:o,s:o,s:o,s:s,s:b,s:b,s:o}", "as", (int)top[k].as,
				      "start", json__hex(top[k].region->start),
				      "end", json__hex(top[k].region->end),
				      "name", json__str(analysis__name(a, top[k].name)),
				      "kind", region__kind_name(region__kind(top[k].region)),
				      "in_map", true, "unmapped", false,
				      "faults", json__faults(top[k].faults));
		} else {
			x = json_pack("{s:i,s:o,s:o,s:o,s:s,s:b,s:b,s:o}", "as", (int)top[k].as,
				      "start", json__hex(top[k].area->start),
				      "end", json__hex(top[k].area->end),
				      "name", json__str(analysis__name(a, top[k].area->name)),
				      "kind", event__region_kind_name(top[k].area->kind),
				      "in_map", false, "unmapped", top[k].area->unmapped,
				      "faults", json__faults(&top[k].area->faults));
		}
		json_array_append_new(places, x);
	}
	json_object_set_new(o, "rss_peak", m.has_rss ? json_integer(m.rss_peak) : json_null());
	json_object_set_new(o, "faults", json__faults(&m.faults));
	json_object_set_new(o, "top_fault_regions", places);
}

static json_t *json__proc(const struct analysis *a, const struct proc *p)
{
	json_t *o, *execs = json_array(), *events = json_object();
	const struct aspace *as;
	uint64_t pa = 0, pr = 0;
	char buf[32];
	size_t j;
	int t;

	for (j = 0; j < p->nexecs; j++) {
		json_t *x = json_pack("{s:I,s:o,s:i,s:i}", "ts", (json_int_t)p->execs[j].ts,
				      "filename", json__str(p->execs[j].filename),
				      "as", (int)p->execs[j].as, "old_as", (int)p->execs[j].old_as);

		if (p->execs[j].error)
			json_object_set_new(x, "error", json_string(decode__errno_name(
						p->execs[j].error, buf, sizeof(buf))));
		if (p->execs[j].argv)
			json__argv(x, &p->execs[j]);
		json_array_append_new(execs, x);
	}
	for (j = 0; j <= p->nexecs; j++) {
		as = analysis__as(a, j ? p->execs[j - 1].as : p->first_as);
		if (as) {
			pa = as->peak_accessible > pa ? as->peak_accessible : pa;
			pr = as->peak_reserved > pr ? as->peak_reserved : pr;
		}
	}
	for (t = MT_EV_NONE + 1; t < MT_EV_MAX; t++)
		json_object_set_new(events, event__name(t), json_integer(p->events[t]));
	o = json_pack("{s:i,s:i,s:o,s:I,s:b,s:i,s:i,s:i,s:b,s:i,s:i,s:b,s:I,s:I,s:o,s:o}",
		      "pid", (int)p->pid, "ppid", (int)p->ppid, "comm", json__str(p->comm),
		      "start_ts", (json_int_t)p->start_ts, "ended", p->ended,
		      "code", (int)p->code, "signal", (int)p->signal, "threads", (int)(p->threads_created + p->threads_before + 1),
		      "core", p->core, "first_as", (int)p->first_as, "as", (int)p->as,
		      "shared_vm_at_fork", p->shared_vm,
		      "peak_accessible", (json_int_t)pa, "peak_reserved", (json_int_t)pr,
		      "execs", execs, "events", events);
	if (p->ended)
		json_object_set_new(o, "end_ts", json_integer(p->end_ts));
	json__proc_mem(a, p, o);
	return o;
}

static json_t *json__report(const struct reader *r, const struct analysis *a,
			    const struct claims *c, const struct report_opts *o)
{
	json_t *root, *procs = json_array(), *edges = json_array(), *spaces = json_array();
	json_t *claims = json_array(), *warnings = json_array();
	uint64_t lost = summary__lost(&r->summary);
	struct kmap k;
	char buf[256];
	uint32_t t;
	size_t i;
	for (i = 0; i < a->nprocs; i++)
		json_array_append_new(procs, json__proc(a, a->procs[i]));
	for (i = 0; i < a->nedges; i++)
		json_array_append_new(edges, json_pack("{s:s,s:I,s:i,s:i,s:i,s:i}",
			"relation", edge__kind_name(a->edges[i].kind), "ts", (json_int_t)a->edges[i].ts,
			"from_pid", (int)a->edges[i].from_pid, "to_pid", (int)a->edges[i].to_pid,
			"from_as", (int)a->edges[i].from_as, "to_as", (int)a->edges[i].to_as));
	for (i = 1; i < a->nas; i++)
		if (a->as[i])
			json_array_append_new(spaces, json__aspace(a, a->as[i]));
	for (i = 0; i < c->n; i++)
		json_array_append_new(claims, json_string(c->lines[i]));
	if (r->cut_tail)
		json_array_append_new(warnings, json_string("the last line was cut short and is left out"));
	if (!r->has_summary)
		json_array_append_new(warnings, json_string("incomplete: the trace has no summary record"));
	for (t = reader__miscount(r, 0); t < MT_COUNT_SLOTS; t = reader__miscount(r, t + 1)) {
		snprintf(buf, sizeof(buf), "incomplete: %llu %s records in the file, the summary counts %llu",
			 (unsigned long long)r->read[t], event__name(t),
			 (unsigned long long)r->summary.events[t]);
		json_array_append_new(warnings, json_string(buf));
	}
	if (lost) {
		snprintf(buf, sizeof(buf), "%llu events were lost: figures may be off in either direction (a lost mmap leaves a mapping out, a lost munmap leaves in one that is gone)",
			 (unsigned long long)lost);
		json_array_append_new(warnings, json_string(buf));
	}
	if (r->summary.unfollowed) {
		snprintf(buf, sizeof(buf), "incomplete: %llu new processes were not followed (pid filter full): their events are missing",
			 (unsigned long long)r->summary.unfollowed);
		json_array_append_new(warnings, json_string(buf));
	}
	if (r->summary.unnumbered) {
		snprintf(buf, sizeof(buf), "incomplete: %llu address spaces got no id (id map full): their events carry as 0 and are not in the maps",
			 (unsigned long long)r->summary.unnumbered);
		json_array_append_new(warnings, json_string(buf));
	}
	if (reader__later_part(r)) {
		snprintf(buf, sizeof(buf), "incomplete: part %u of a split trace: processes, maps and figures lack everything in the parts before it",
			 r->start.part);
		json_array_append_new(warnings, json_string(buf));
	}
	if (a->oom)
		json_array_append_new(warnings, json_string("out of memory while analysing"));
	kmap__get(r, a, &k);
	if (!k.has_vma && !k.lost)
		json_array_append_new(warnings, json_string("the trace has no vma records: maps hold what the program mapped itself, not the kernel-made map at exec"));
	else if (k.lost) {
		snprintf(buf, sizeof(buf), "%llu vma records were lost: an address space with kernel_map false holds only what the program mapped itself",
			 (unsigned long long)k.lost);
		json_array_append_new(warnings, json_string(buf));
	}
	else if (k.without)
		json_array_append_new(warnings, json_string("some address spaces have no vma records (kernel_map false): their maps hold only what the program mapped itself"));
	root = json_pack("{s:i,s:{s:o,s:o,s:i,s:I,s:I,s:b,s:I,s:I,s:I},s:o,s:o,s:o,s:o,s:o}",
		"report_schema", 1,
		"trace", "command", json__str(r->start.command ? r->start.command : ""),
		"kernel", json__str(r->start.kernel_release ? r->start.kernel_release : ""),
		"root_pid", (int)r->start.root_pid, "events", (json_int_t)a->events,
		"lost", (json_int_t)lost, "complete", reader__complete(r),
		"duration_ns", (json_int_t)(r->has_summary ? r->summary.duration_ns : a->last_ts),
		"failed_calls", (json_int_t)a->failed, "unknown_records", (json_int_t)r->unknown,
		"claims", claims, "warnings", warnings, "processes", procs, "tree", edges,
		"address_spaces", spaces);
	/* issue 11: the trace has faults/fault/rss/as_end records */
	json_object_set_new(json_object_get(root, "trace"), "memory", json_boolean(a->has_mem));
	/* null: the trace does not say (not split; a summary of an older memtrace, or none) */
	json_object_set_new(json_object_get(root, "trace"), "part",
			    r->start.part ? json_integer(r->start.part) : json_null());
	json_object_set_new(json_object_get(root, "trace"), "unfollowed",
			    r->has_untracked ? json_integer(r->summary.unfollowed) : json_null());
	json_object_set_new(json_object_get(root, "trace"), "unnumbered",
			    r->has_untracked ? json_integer(r->summary.unnumbered) : json_null());
	if (o->has_at)
		json_object_set_new(root, "at_ns", json_integer(o->at_ns));
	if (o->maps_only) {
		/* --maps: the trace's identity and the maps, nothing else */
		json_object_del(root, "claims");
		json_object_del(root, "processes");
		json_object_del(root, "tree");
	}
	return root;
}

struct json_t *report__json(const struct reader *r, const struct analysis *a,
			    const struct claims *c)
{
	struct report_opts o = {};

	return json__report(r, a, c, &o);
}

/* ---- the command ---- */

/* "0.0042" seconds -> ns; -EINVAL for anything that is not a time. */
static int at__parse(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1e9)
		return -EINVAL;
	*ns = (uint64_t)llround(v * NSEC_PER_SEC);
	return 0;
}

static int opts__parse_report(int argc, char **argv, struct report_opts *o, char *err, size_t n)
{
	static const struct option longs[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "maps", no_argument, NULL, OPT_MAPS },
		{ "at", required_argument, NULL, OPT_AT },
		{ "perfetto", required_argument, NULL, OPT_PERFETTO },
		{ "mermaid", no_argument, NULL, OPT_MERMAID },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:h", longs, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				o->json = true;
			else if (strcmp(optarg, "text")) {
				snprintf(err, n, "unknown report format '%s' (use text or json)", optarg);
				return -EINVAL;
			}
			break;
		case OPT_MAPS:
			o->maps_only = true;
			break;
		case OPT_AT:
			if (at__parse(optarg, &o->at_ns)) {
				snprintf(err, n, "--at takes seconds since the start of the trace, like 0.0042 (got '%s')",
					 optarg);
				return -EINVAL;
			}
			o->has_at = true;
			break;
		case OPT_PERFETTO:
			o->perfetto = optarg;
			break;
		case OPT_MERMAID:
			o->mermaid = true;
			break;
		case OPT_HTML:
			o->html = optarg;
			break;
		case 'h':
			return 1;
		case ':':
			snprintf(err, n, "option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			snprintf(err, n, "unknown option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		snprintf(err, n, optind == argc ? "no trace given: name a JSON trace file, or - for standard input" :
			 "one trace at a time (got %d)", argc - optind);
		return -EINVAL;
	}
	if ((o->perfetto != NULL) + o->mermaid + o->json + (o->html != NULL) > 1) {
		snprintf(err, n, "--perfetto, --mermaid, --html and --format json each make their own output: pick one");
		return -EINVAL;
	}
	if (o->perfetto && (o->has_at || o->maps_only)) {
		snprintf(err, n, "--perfetto exports the whole trace as a timeline: --at and --maps do not apply");
		return -EINVAL;
	}
	if (o->mermaid && o->maps_only) {
		snprintf(err, n, "--mermaid draws processes and address spaces, not maps: drop --maps");
		return -EINVAL;
	}
	if (o->html && (o->has_at || o->maps_only)) {
		snprintf(err, n, "--html draws the whole trace over time: --at and --maps do not apply");
		return -EINVAL;
	}
	o->path = argv[optind];
	return 0;
}

/* Feeds every event (up to --at). Returns 0, or 1 after printing the error. */
static int report__feed(struct reader *r, struct analysis *a, const struct report_opts *o)
{
	struct mt_event ev;
	char err[512];
	int rc;

	while ((rc = reader__next(r, &ev, err, sizeof(err))) > 0) {
		if (o->has_at && ev.ts > o->at_ns) {
			a->cut = true;
			a->cut_ts = o->at_ns;
			continue;	/* read on: the summary says whether the trace is whole */
		}
		if (analysis__feed(a, &ev))
			break;		/* a->oom: reported as a warning */
	}
	if (rc < 0) {
		fprintf(stderr, "memtrace: %s\n", err);
		return 1;
	}
	return 0;
}

/* What writes a whole file from the trace: perfetto__write, html__write. */
typedef int (*file_writer)(FILE *out, struct reader *r, struct analysis *a, char *err,
			   size_t errlen);

/* --perfetto/--html to what is not a regular file: written straight to it. */
static int report__to_stream(const char *path, file_writer write, struct reader *r,
			     struct analysis *a)
{
	char err[512] = "";
	FILE *f = fopen(path, "we");
	int rc;

	if (!f) {
		fprintf(stderr, "memtrace: cannot write '%s': %s\n", path, strerror(errno));
		return 1;
	}
	rc = write(f, r, a, err, sizeof(err));
	if (fclose(f) && !rc) {
		rc = -errno;
		snprintf(err, sizeof(err), "%s", strerror(errno));
	}
	if (rc) {
		fprintf(stderr, "memtrace: %s: %s\n", path, err);
		return 1;
	}
	return 0;
}

/*
 * --perfetto FILE, --html FILE: written beside as a temporary file (0600,
 * like -o: a trace shows every address and path it saw) and renamed when
 * whole, so that a failed run never leaves half a file nor touches one
 * that was there. Returns 0 or 1.
 */
static int report__to_file(const char *path, file_writer write, struct reader *r,
			   struct analysis *a)
{
	char tmp[4096], real[PATH_MAX], err[512] = "";
	struct stat st;
	FILE *f;
	int fd, rc;

	/*
	 * What is there and is not a regular file (/dev/stdout, a pipe, a
	 * device) is written to, never renamed over: rename() would replace
	 * the link or the device node itself. A link to a regular file: the
	 * temporary file goes beside the file it names.
	 */
	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return report__to_stream(path, write, r, a);
	if (!lstat(path, &st) && S_ISLNK(st.st_mode)) {
		if (!realpath(path, real))
			return report__to_stream(path, write, r, a);
		path = real;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "memtrace: '%s': name too long\n", path);
		return 1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, "memtrace: cannot write '%s': %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return 1;
	}
	rc = write(f, r, a, err, sizeof(err));
	if (fclose(f) && !rc) {
		rc = -errno;
		snprintf(err, sizeof(err), "%s", strerror(errno));
	}
	if (!rc && rename(tmp, path)) {
		rc = -errno;
		snprintf(err, sizeof(err), "%s", strerror(errno));
	}
	if (rc) {
		fprintf(stderr, "memtrace: %s: %s\n", path, err);
		unlink(tmp);
		return 1;
	}
	return 0;
}

/* Is path the trace itself (same file)? Writing it would destroy the input. */
static bool path__is_input(const char *path, const struct reader *r)
{
	struct stat a, b;

	return !stat(path, &a) && !fstat(fileno(r->in), &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Writing the report to out failed (e: a positive errno): one line naming
 * the output and why. EPIPE, the reader gone (`| head` under `memtrace run
 * --report`, which ignores SIGPIPE), is left unsaid, as run leaves it.
 * Returns 1.
 */
static int report__write_failed(FILE *out, int e)
{
	if (e != EPIPE)
		fprintf(stderr, "memtrace: writing the report to %s failed: %s\n",
			out == stdout ? "standard output" : "its output", strerror(e));
	return 1;
}

/* Flushes out's stdio buffer: 0, or 1 after saying why it failed. */
static int report__flush(FILE *out)
{
	errno = 0;
	if (fflush(out) || ferror(out))
		return report__write_failed(out, errno ?: EIO);
	return 0;
}

static int report__run(const struct report_opts *o, FILE *out)
{
	struct reader r = {};
	struct analysis a = {};
	struct claims c = {};
	struct outbuf ob = { .fd = -1 };
	char err[512];
	json_t *doc;
	int rc = 1, e;

	if (reader__open(&r, o->path, err, sizeof(err))) {
		fprintf(stderr, "memtrace: %s\n", err);
		goto cleanup;
	}
	if (o->label)
		r.name = o->label;
	if (analysis__init(&a)) {
		fprintf(stderr, "memtrace: out of memory\n");
		goto cleanup;
	}
	if ((o->perfetto && path__is_input(o->perfetto, &r)) ||
	    (o->html && path__is_input(o->html, &r))) {
		fprintf(stderr, "memtrace: '%s' is the trace itself: name another output file (memtrace report --%s OUT TRACE)\n",
			o->perfetto ?: o->html, o->perfetto ? "perfetto" : "html");
		goto cleanup;
	}
	if (o->perfetto || o->html) {
		rc = report__to_file(o->perfetto ?: o->html, o->perfetto ? perfetto__write : html__write,
				     &r, &a);
		goto cleanup;
	}
	if (report__feed(&r, &a, o))
		goto cleanup;
	/* every output to out ends with its flush checked: a full disk is an error, said */
	if (o->mermaid) {
		e = mermaid__write(out, &a, &r.start, err, sizeof(err));
		if (e && !ferror(out))
			fprintf(stderr, "memtrace: %s\n", err);	/* not a write: the drawing */
		else
			rc = e ? report__write_failed(out, -e) : report__flush(out);
		goto cleanup;
	}
	if (claims__build(&c, &a, &r)) {
		fprintf(stderr, "memtrace: out of memory\n");
		goto cleanup;
	}
	if (o->json) {
		doc = json__report(&r, &a, &c, o);
		errno = 0;
		if (!doc)
			fprintf(stderr, "memtrace: out of memory\n");
		else if (json_dumpf(doc, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER) ||
			 fputc('\n', out) == EOF)
			report__write_failed(out, errno ?: EIO);
		else
			rc = report__flush(out);
		json_decref(doc);
		goto cleanup;
	}
	if (outbuf__init(&ob, fileno(out), 1 << 16)) {
		fprintf(stderr, "memtrace: out of memory\n");
		goto cleanup;
	}
	/* what stdio holds goes first: the text is written to the fd itself */
	if (report__flush(out))
		goto cleanup;
	text__report(&ob, &r, &a, &c, o);
	rc = outbuf__flush(&ob) ? report__write_failed(out, ob.err) : 0;
cleanup:
	outbuf__free(&ob);
	claims__free(&c);
	analysis__free(&a);
	reader__close(&r);
	return rc;
}

int report__html_fd(const char *path, const char *label, int fd, const char *name)
{
	struct reader r = {};
	struct analysis a = {};
	char err[512];
	FILE *f = NULL;
	int rc = 1, dfd;

	if (reader__open(&r, path, err, sizeof(err))) {
		fprintf(stderr, "memtrace: %s\n", err);
		goto cleanup;
	}
	if (label)
		r.name = label;
	dfd = dup(fd);
	if (dfd < 0 || !(f = fdopen(dfd, "w")) || analysis__init(&a)) {
		fprintf(stderr, "memtrace: %s: %s\n", name, strerror(errno));
		if (dfd >= 0 && !f)
			close(dfd);
		goto cleanup;
	}
	if (html__write(f, &r, &a, err, sizeof(err))) {
		fprintf(stderr, "memtrace: %s: %s\n", name, err);
		goto cleanup;
	}
	if (fflush(f)) {
		fprintf(stderr, "memtrace: %s: %s\n", name, strerror(errno));
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (f && fclose(f) && !rc) {
		fprintf(stderr, "memtrace: writing '%s' failed: %s\n", name, strerror(errno));
		rc = 1;
	}
	analysis__free(&a);
	reader__close(&r);
	return rc;
}

int report__file(const char *path, const char *label, FILE *out)
{
	struct report_opts o = { .path = path, .label = label };

	return report__run(&o, out);
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	char err[512];
	int r;

	r = opts__parse_report(argc, argv, &o, err, sizeof(err));
	if (r == 1) {
		fputs(report__usage, stdout);
		return 0;
	}
	if (r) {
		fprintf(stderr, "memtrace: %s\nTry 'memtrace report --help' for more information.\n", err);
		return 2;
	}
	return report__run(&o, stdout);
}
