// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * html - see html.h. One pass over the trace: the analysis replays it as
 * for the text report, and this file keeps what the page draws over time
 * (which the analysis, on purpose, does not): every piece of a mapping
 * with the time it appeared and went (the analysis's on_region_end hook),
 * each address space's counters after every change, the threads, and the
 * events for the table (the first ones and a uniform sample of the rest).
 * Memory grows with events here, and only here. At the end, what is too
 * much to draw is merged (bands) or thinned (counters), and the page says
 * so. The page is web/page.html with its style and script, compiled in
 * (html_assets.h, made by the Makefile with xxd -i).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "format.h"
#include "html.h"
#include "outbuf.h"
#include "report.h"
#include "html_assets.h"

/* A piece of a mapping, drawn from r.since to until. */
struct band {
	struct region r;
	uint64_t until;
	uint32_t as;
	uint32_t n;		/* pieces merged into this one (1: itself) */
	bool live;		/* still in the map at the end */
};

struct point {
	uint64_t ts, accessible, reserved, heap, rss, rss_peak;	/* rss UINT64_MAX: none yet */
};

struct series {
	struct point *p;
	size_t n, cap;
	uint64_t rss;		/* the last rss record's total (issue 11), UINT64_MAX before one */
	uint64_t rss_peak;	/* the highest peak/rss_peak so far (VmHWM), 0 before one */
	uint64_t rss_ts;	/* the time of the last rss record */
	uint64_t rss_before;	/* the value before it */
};

struct thread {
	uint32_t pid, tid;
	uint64_t start_ts, end_ts;	/* end 0: never seen to exit */
};

struct kept_event {
	uint64_t seq;		/* position in the trace */
	char *json;		/* the event's JSON Lines record, without '\n' */
};

struct html {
	struct band *bands;
	size_t nbands, cap_bands;
	struct series *series;	/* by as id */
	size_t nseries;
	struct thread *threads;
	size_t nthreads, cap_threads;
	struct kept_event *head, *sample;
	size_t nhead, nsample;
	uint64_t seen;		/* events fed */
	uint64_t rng;
	uint64_t merged_from;	/* bands before merging, 0 if not merged */
	uint64_t dropped_bands;	/* short-lived pieces not drawn at all */
	uint64_t quantum;	/* merge gap, ns */
	bool thinned;		/* some counters were thinned to HTML_MAX_POINTS */
	bool has_rss;		/* the trace has rss records: the counters carry RSS */
	bool threads_cut;
	uint64_t regions_cut;	/* the report's regions left out of the page */
	size_t regions_cut_as;	/* in how many address spaces */
	int err;
	struct outbuf line;	/* one event's JSON, reused */
};

/* ---- the page's JSON ---- */

void html__put_json(FILE *out, const char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '<')
			continue;
		fwrite(s + from, 1, i - from, out);
		fputs("\\u003c", out);
		from = i + 1;
	}
	fwrite(s + from, 1, n - from, out);
}

/* ---- collecting ---- */

static void *grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *nv;

	if (need <= *cap)
		return v;
	while (c < need)
		c *= 2;
	nv = realloc(v, c * size);
	if (nv)
		*cap = c;
	return nv;
}

static int band__add(struct html *h, uint32_t as, const struct region *r, uint64_t until, bool live)
{
	struct band *b = grow(h->bands, &h->cap_bands, h->nbands + 1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	h->bands = b;
	h->bands[h->nbands++] = (struct band){ .r = *r, .until = until, .as = as, .n = 1,
					       .live = live };
	return 0;
}

static void html__on_region_end(void *ctx, const struct aspace *as, const struct region *r,
				uint64_t ts)
{
	struct html *h = ctx;

	if (band__add(h, as->id, r, ts, false))
		h->err = -ENOMEM;
}

static struct series *series__get(struct html *h, uint32_t id)
{
	struct series *s;
	size_t cap;

	if (id >= h->nseries) {
		cap = h->nseries;
		s = grow(h->series, &cap, id + 1, sizeof(*s));
		if (!s)
			return NULL;
		memset(s + h->nseries, 0, (cap - h->nseries) * sizeof(*s));
		for (size_t j = h->nseries; j < cap; j++)
			s[j].rss = UINT64_MAX;
		h->series = s;
		h->nseries = cap;
	}
	return &h->series[id];
}

/* A point of as's counters, when one of them changed. */
static int series__note(struct html *h, const struct aspace *as, uint64_t ts)
{
	struct point pt = { .ts = ts, .accessible = as->accessible, .reserved = as->reserved,
			    .heap = as->heap_end > as->heap_start ? as->heap_end - as->heap_start : 0 };
	struct series *s = series__get(h, as->id);
	struct point *p;

	if (!s)
		return -ENOMEM;
	pt.rss = s->rss;
	pt.rss_peak = s->rss_peak;
	if (s->n && s->p[s->n - 1].accessible == pt.accessible &&
	    s->p[s->n - 1].reserved == pt.reserved && s->p[s->n - 1].heap == pt.heap &&
	    s->p[s->n - 1].rss == pt.rss && s->p[s->n - 1].rss_peak == pt.rss_peak)
		return 0;
	if (s->n && s->p[s->n - 1].ts == ts) {
		s->p[s->n - 1] = pt;	/* one event, one point */
		return 0;
	}
	p = grow(s->p, &s->cap, s->n + 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->p = p;
	s->p[s->n++] = pt;
	return 0;
}

static int thread__note(struct html *h, const struct mt_event *ev)
{
	struct thread *t;
	size_t i;

	/* A thread's exit, whatever its thread flag: the last task of a
	 * process to exit may not be its leader, and its exit record then
	 * says thread:false; it is still that thread's exit.  A tid that was
	 * not noted as a thread matches nothing here. */
	if (ev->type == MT_EV_EXIT) {
		for (i = h->nthreads; i-- > 0;) {
			if (h->threads[i].tid == ev->tid && !h->threads[i].end_ts) {
				h->threads[i].end_ts = ev->ts;
				break;
			}
		}
		return 0;
	}
	if (ev->type != MT_EV_FORK || ev->error || !ev->fork.thread)
		return 0;
	if (h->nthreads >= HTML_MAX_THREADS * 20) {
		h->threads_cut = true;
		return 0;
	}
	t = grow(h->threads, &h->cap_threads, h->nthreads + 1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	h->threads = t;
	h->threads[h->nthreads++] = (struct thread){ .pid = ev->pid, .tid = ev->fork.child_tid,
						     .start_ts = ev->ts };
	return 0;
}

/* xorshift64: a fixed seed, so that the same trace gives the same page. */
static uint64_t rng__next(struct html *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return h->rng;
}

/* Keeps the first HTML_HEAD_EVENTS events and a reservoir sample of the rest. */
static int event__keep(struct html *h, const struct mt_event *ev)
{
	static const struct formatter json = { .fmt = MT_FMT_JSON };
	uint64_t seq = h->seen++, later;
	struct kept_event *slot;
	char *s;

	if (seq < HTML_HEAD_EVENTS) {
		slot = &h->head[h->nhead++];
	} else if (h->nsample < HTML_SAMPLE_EVENTS) {
		slot = &h->sample[h->nsample++];
	} else {
		later = seq - HTML_HEAD_EVENTS + 1;
		later = rng__next(h) % later;
		if (later >= HTML_SAMPLE_EVENTS)
			return 0;
		slot = &h->sample[later];
		free(slot->json);
		slot->json = NULL;
	}
	h->line.len = 0;
	format__event(&json, &h->line, ev);
	if (h->line.err)
		return -ENOMEM;
	while (h->line.len && h->line.buf[h->line.len - 1] == '\n')
		h->line.len--;
	s = strndup(h->line.buf, h->line.len);
	if (!s)
		return -ENOMEM;
	slot->seq = seq;
	slot->json = s;
	return 0;
}

static int html__feed(struct html *h, struct reader *r, struct analysis *a, char *err, size_t errlen)
{
	const struct aspace *as;
	struct mt_event ev;
	int rc;

	while ((rc = reader__next(r, &ev, err, errlen)) > 0) {
		if (event__keep(h, &ev) || thread__note(h, &ev))
			goto oom;
		if (analysis__feed(a, &ev))
			break;		/* a->oom: the page warns, as the report does */
		if (ev.type == MT_EV_RSS && (as = analysis__as(a, ev.as))) {
			struct series *s = series__get(h, as->id);

			if (!s)
				goto oom;
			s->rss_before = s->rss;
			s->rss_ts = ev.ts;
			s->rss = ev.rss.rss.total;
			if (ev.rss.peak > s->rss_peak)
				s->rss_peak = ev.rss.peak;
			h->has_rss = true;
		}
		if (ev.type == MT_EV_AS_END && (as = analysis__as(a, ev.as))) {
			struct series *s = series__get(h, as->id);
			size_t j;

			if (!s)
				goto oom;
			/*
			 * as_end carries the counters before the pages went. An rss
			 * record below them since the last one was written while
			 * the pages were going (exec or exit teardown): the line
			 * keeps what the address space held until it ended instead
			 * of dropping to the teardown's remains.
			 */
			if (s->rss != UINT64_MAX && s->rss < ev.as_end.last.total) {
				for (j = s->n; j-- > 0 && s->p[j].ts >= s->rss_ts;)
					s->p[j].rss = ev.as_end.last.total;
			}
			s->rss = ev.as_end.last.total;
			if (ev.as_end.rss_peak > s->rss_peak)
				s->rss_peak = ev.as_end.rss_peak;
			h->has_rss = true;
		}
		if ((as = analysis__as(a, ev.as)) && series__note(h, as, ev.ts))
			goto oom;
		if (ev.type == MT_EV_FORK && !ev.error && !ev.fork.thread &&
		    (as = analysis__as(a, ev.fork.child_as)) && series__note(h, as, ev.ts))
			goto oom;
		if (h->err)
			goto oom;
	}
	return rc < 0 ? rc : 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/* ---- merging what is too much to draw ---- */

static int band__cmp_place(const void *x, const void *y)
{
	const struct band *a = x, *b = y;

#define CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
	CMP(as); CMP(r.start); CMP(r.end); CMP(r.prot); CMP(r.flags); CMP(r.fd);
	CMP(r.name); CMP(r.since);
#undef CMP
	return 0;
}

static int band__cmp_life(const void *x, const void *y)
{
	const struct band *a = x, *b = y;
	uint64_t la = a->until - a->r.since, lb = b->until - b->r.since;

	if (a->live != b->live)
		return a->live ? -1 : 1;
	return la != lb ? (la > lb ? -1 : 1) : 0;
}

/*
 * Merges pieces of the same place and kind that follow each other within
 * h->quantum ns (an mmap/munmap loop at one address becomes one band that
 * says how many it holds), widening the gap until the bands fit; then, if
 * they still do not, keeps the longest-lived.
 */
static void bands__fit(struct html *h, uint64_t duration)
{
	size_t i, n;

	if (h->nbands <= HTML_MAX_BANDS)
		return;
	h->merged_from = h->nbands;
	qsort(h->bands, h->nbands, sizeof(*h->bands), band__cmp_place);
	for (h->quantum = duration / 2000 ?: 1;; h->quantum *= 8) {
		for (i = 1, n = 1; i < h->nbands; i++) {
			struct band *last = &h->bands[n - 1], *b = &h->bands[i];

			if (b->as == last->as && b->r.start == last->r.start &&
			    b->r.end == last->r.end && b->r.prot == last->r.prot &&
			    b->r.flags == last->r.flags && b->r.fd == last->r.fd &&
			    b->r.name == last->r.name &&
			    b->r.since <= last->until + h->quantum) {
				last->until = b->until > last->until ? b->until : last->until;
				last->n += b->n;
				last->live |= b->live;
			} else {
				h->bands[n++] = *b;
			}
		}
		h->nbands = n;
		if (n <= HTML_MAX_BANDS || h->quantum > duration)
			break;
	}
	if (h->nbands > HTML_MAX_BANDS) {
		qsort(h->bands, h->nbands, sizeof(*h->bands), band__cmp_life);
		for (i = HTML_MAX_BANDS; i < h->nbands; i++)
			h->dropped_bands += h->bands[i].n;
		h->nbands = HTML_MAX_BANDS;
	}
}

static int kept__cmp(const void *x, const void *y)
{
	const struct kept_event *a = x, *b = y;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ---- writing the model ---- */

static void model__band(struct outbuf *ob, const struct analysis *a, const struct band *b)
{
	const struct region *r = &b->r;
	char perms[5];

	region__perms(r, perms);
	outbuf__printf(ob, "[%u,\"0x%llx\",\"0x%llx\",\"%s\",\"%s\",%llu,%llu,\"%s\",%llu,%u,%d,%llu,%u,%d,%u,%d,",
		       b->as, (unsigned long long)r->start, (unsigned long long)r->end, perms,
		       region__kind_name(region__kind(r)), (unsigned long long)r->since,
		       (unsigned long long)b->until, event__name(r->made_type) ?: "?",
		       (unsigned long long)r->made_ts, r->made_tid, r->fd,
		       (unsigned long long)r->offset, r->stack_of, region__is_guard(r), b->n, b->live);
	/* issue 10: the path or kernel name the trace gave it ("" if none) */
	outbuf__json_str(ob, analysis__name(a, r->name), SIZE_MAX);
	outbuf__putc(ob, ']');
}

/* as id -> [[ts, accessible, reserved, heap], ...], at most HTML_MAX_POINTS each */
static void model__counters(struct html *h, struct outbuf *ob)
{
	const struct point *p;
	size_t id, i, k, step, first = 1;
	struct point m;

	outbuf__puts(ob, "{");
	for (id = 0; id < h->nseries; id++) {
		const struct series *s = &h->series[id];

		if (!s->n)
			continue;
		outbuf__printf(ob, "%s\"%zu\":[", first ? "" : ",", id);
		first = 0;
		/* thinned: the peak of each run of `step` points, at the run's first time */
		step = (s->n + HTML_MAX_POINTS - 1) / HTML_MAX_POINTS;
		if (step > 1)
			h->thinned = true;
		for (i = 0; i < s->n; i += step) {
			m = s->p[i];
			for (k = i + 1; k < i + step && k < s->n; k++) {
				p = &s->p[k];
				m.accessible = p->accessible > m.accessible ? p->accessible : m.accessible;
				m.reserved = p->reserved > m.reserved ? p->reserved : m.reserved;
				m.heap = p->heap > m.heap ? p->heap : m.heap;
				if (p->rss != UINT64_MAX && (m.rss == UINT64_MAX || p->rss > m.rss))
					m.rss = p->rss;
				m.rss_peak = p->rss_peak > m.rss_peak ? p->rss_peak : m.rss_peak;
			}
			outbuf__printf(ob, "%s[%llu,%llu,%llu,%llu", i ? "," : "",
				       (unsigned long long)m.ts, (unsigned long long)m.accessible,
				       (unsigned long long)m.reserved, (unsigned long long)m.heap);
			/* RSS as the last rss record said (null before one) and its peak */
			if (h->has_rss && m.rss == UINT64_MAX)
				outbuf__puts(ob, ",null,null");
			else if (h->has_rss)
				outbuf__printf(ob, ",%llu,%llu", (unsigned long long)m.rss,
					       (unsigned long long)m.rss_peak);
			outbuf__puts(ob, "]");
		}
		outbuf__puts(ob, "]");
	}
	outbuf__puts(ob, "}");
}

static void model__events(struct html *h, struct outbuf *ob)
{
	size_t i;

	outbuf__puts(ob, "[");
	for (i = 0; i < h->nhead; i++)
		outbuf__printf(ob, "%s%s", i ? ",\n" : "\n", h->head[i].json);
	qsort(h->sample, h->nsample, sizeof(*h->sample), kept__cmp);
	for (i = 0; i < h->nsample; i++)
		outbuf__printf(ob, ",\n%s", h->sample[i].json);
	outbuf__puts(ob, "]");
}

/*
 * The report's regions of each address space at its end: the page does not
 * draw them (the map's bands are the pieces, capped above) but they are
 * embedded with the report, and a 10-minute -a trace had 77 MB of them.
 * Kept: the first HTML_MAX_AS_REGIONS of each as (in address order), at
 * most HTML_MAX_REGIONS in all; each as that lost some says regions_cut,
 * and the page says how many were left out.
 */
#define HTML_MAX_AS_REGIONS	500
#define HTML_MAX_REGIONS	10000

static void model__cap_regions(struct html *h, json_t *doc)
{
	json_t *as, *regs;
	size_t i, n, keep, total = 0;

	json_array_foreach(json_object_get(doc, "address_spaces"), i, as) {
		regs = json_object_get(as, "regions");
		if (!json_is_array(regs))
			continue;
		n = json_array_size(regs);
		keep = n < HTML_MAX_AS_REGIONS ? n : HTML_MAX_AS_REGIONS;
		if (total + keep > HTML_MAX_REGIONS)
			keep = HTML_MAX_REGIONS - total;
		total += keep;
		if (keep == n)
			continue;
		while (json_array_size(regs) > keep)
			json_array_remove(regs, json_array_size(regs) - 1);
		json_object_set_new(as, "regions_cut", json_integer((json_int_t)(n - keep)));
		h->regions_cut += n - keep;
		h->regions_cut_as++;
	}
}

static int model__write(struct html *h, struct outbuf *ob, const struct reader *r,
			const struct analysis *a, const struct claims *c)
{
	json_t *doc = report__json(r, a, c);
	char *rep;
	size_t i;

	if (doc)
		model__cap_regions(h, doc);
	rep = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!rep)
		return -ENOMEM;
	outbuf__puts(ob, "{\"report\":");
	outbuf__puts(ob, rep);
	free(rep);
	outbuf__puts(ob, ",\n\"band_fields\":[\"as\",\"start\",\"end\",\"perms\",\"kind\",\"since\",\"until\",\"made_by\",\"made_ts\",\"made_tid\",\"fd\",\"offset\",\"stack_of\",\"guard\",\"n\",\"live\",\"name\"],\n\"bands\":[");
	for (i = 0; i < h->nbands; i++) {
		if (i)
			outbuf__puts(ob, i % 8 ? "," : ",\n");
		model__band(ob, a, &h->bands[i]);
	}
	outbuf__puts(ob, "],\n\"counters\":");
	model__counters(h, ob);
	outbuf__puts(ob, ",\n\"threads\":[");
	for (i = 0; i < h->nthreads; i++)
		outbuf__printf(ob, "%s[%u,%u,%llu,%llu]", i ? "," : "", h->threads[i].pid,
			       h->threads[i].tid, (unsigned long long)h->threads[i].start_ts,
			       (unsigned long long)h->threads[i].end_ts);
	outbuf__puts(ob, "],\n\"events\":");
	model__events(h, ob);
	outbuf__printf(ob, ",\n\"sampling\":{\"events\":%llu,\"head\":%zu,\"sample\":%zu,"
		       "\"bands_before_merge\":%llu,\"bands_dropped\":%llu,\"merge_gap_ns\":%llu,"
		       "\"counters_thinned\":%s,\"max_points\":%d,\"threads_cut\":%s,"
		       "\"regions_cut\":%llu,\"regions_cut_as\":%zu,\"max_regions\":%d,"
		       "\"max_as_regions\":%d},\n"
		       "\"memtrace_version\":\"%s\"}",
		       (unsigned long long)h->seen, h->nhead, h->nsample,
		       (unsigned long long)h->merged_from, (unsigned long long)h->dropped_bands,
		       (unsigned long long)(h->merged_from ? h->quantum : 0),
		       h->thinned ? "true" : "false", HTML_MAX_POINTS,
		       h->threads_cut ? "true" : "false", (unsigned long long)h->regions_cut,
		       h->regions_cut_as, HTML_MAX_REGIONS, HTML_MAX_AS_REGIONS, MEMTRACE_VERSION);
	return ob->err ? -ob->err : 0;
}

/* ---- the page ---- */

/* Writes the template up to the marker "<!--@NAME@-->" and returns what follows it. */
static const char *page__upto(FILE *out, const char *tpl, const char *marker)
{
	const char *m = strstr(tpl, marker);

	if (!m) {
		fputs(tpl, out);
		return tpl + strlen(tpl);
	}
	fwrite(tpl, 1, m - tpl, out);
	return m + strlen(marker);
}

static void page__write(FILE *out, const struct outbuf *model)
{
	char *tpl = strndup((const char *)web_page_html, web_page_html_len);
	const char *t;

	if (!tpl)
		return;
	t = page__upto(out, tpl, "<!--@STYLE@-->");
	fwrite(web_uPlot_min_css, 1, web_uPlot_min_css_len, out);
	fwrite(web_page_css, 1, web_page_css_len, out);
	t = page__upto(out, t, "<!--@MODEL@-->");
	html__put_json(out, model->buf, model->len);
	t = page__upto(out, t, "<!--@SCRIPT@-->");
	fwrite(web_uPlot_iife_min_js, 1, web_uPlot_iife_min_js_len, out);
	fputs("\n", out);
	fwrite(web_page_js, 1, web_page_js_len, out);
	fputs(t, out);
	free(tpl);
}

static void html__free(struct html *h)
{
	size_t i;

	for (i = 0; i < h->nhead; i++)
		free(h->head[i].json);
	for (i = 0; i < h->nsample; i++)
		free(h->sample[i].json);
	for (i = 0; i < h->nseries; i++)
		free(h->series[i].p);
	free(h->head);
	free(h->sample);
	free(h->series);
	free(h->bands);
	free(h->threads);
	outbuf__free(&h->line);
}

int html__write(FILE *out, struct reader *r, struct analysis *a, char *err, size_t errlen)
{
	struct html h = { .rng = 0x9e3779b97f4a7c15ULL };
	struct outbuf model = { .fd = -1 };
	struct claims c = {};
	const struct aspace *as;
	size_t i, j;
	int rc = -ENOMEM;

	snprintf(err, errlen, "out of memory");
	h.head = calloc(HTML_HEAD_EVENTS, sizeof(*h.head));
	h.sample = calloc(HTML_SAMPLE_EVENTS, sizeof(*h.sample));
	if (!h.head || !h.sample || outbuf__init(&h.line, -1, 1 << 16) ||
	    outbuf__init(&model, -1, 1 << 20))
		goto cleanup;
	a->on_region_end = html__on_region_end;
	a->hook_ctx = &h;
	rc = html__feed(&h, r, a, err, errlen);
	a->on_region_end = NULL;
	if (rc)
		goto cleanup;
	rc = -ENOMEM;
	snprintf(err, errlen, "out of memory");
	/* what is still mapped: drawn to the end of its address space */
	for (i = 1; i < a->nas; i++) {
		if (!(as = a->as[i]))
			continue;
		for (j = 0; j < as->nregions; j++)
			if (band__add(&h, as->id, &as->regions[j],
				      as->ended ? as->ended_ts : a->last_ts, true))
				goto cleanup;
	}
	bands__fit(&h, a->last_ts);
	if (claims__build(&c, a, r) || model__write(&h, &model, r, a, &c))
		goto cleanup;
	errno = 0;
	page__write(out, &model);
	rc = ferror(out) ? -(errno ?: EIO) : 0;
	if (rc)
		snprintf(err, errlen, "%s", strerror(-rc));
cleanup:
	claims__free(&c);
	outbuf__free(&model);
	html__free(&h);
	return rc;
}
