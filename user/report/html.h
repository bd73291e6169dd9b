/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * html - `memtrace report --html FILE`: one self-contained page to look at
 * a trace (process tree, the address-space map over time, counters, the
 * events, what the trace shows). Everything the page needs is inside it:
 * its script and style (web/) and uPlot are compiled into memtrace, and
 * the model is a JSON block computed by the analysis. No network, no node
 * at run time. docs/report.md ("The HTML page") says what it draws.
 */
#ifndef MEMTRACE_HTML_H
#define MEMTRACE_HTML_H

#include <stdio.h>
#include "analysis.h"
#include "reader.h"

/* What the page holds at most; beyond, it samples or merges and says so. */
#define HTML_HEAD_EVENTS	10000	/* the table keeps the first events... */
#define HTML_SAMPLE_EVENTS	10000	/* ...and a uniform sample of the rest */
#define HTML_MAX_BANDS		20000	/* pieces of mappings drawn on the map */
#define HTML_MAX_POINTS		2000	/* counter points per address space */
#define HTML_MAX_THREADS	1000	/* threads listed per process */

/*
 * Feeds every event of r through a (fresh from analysis__init) and writes
 * the page to out. Returns 0, or -errno with a one-line message in err.
 */
int html__write(FILE *out, struct reader *r, struct analysis *a, char *err, size_t errlen);

/*
 * Writes s as the text of a <script type="application/json"> block: every
 * '<' becomes \u003c (JSON allows it inside strings, the only place '<'
 * can be), so that no "</script>" or "<!--" in a comm or a file name can
 * end the block. Exposed for the tests.
 */
void html__put_json(FILE *out, const char *s, size_t n);

#endif /* MEMTRACE_HTML_H */
