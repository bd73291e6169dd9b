/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report - `memtrace report`: a saved JSON trace turned into answers
 * (text or JSON) and pictures (Perfetto timeline, Mermaid). Needs no root
 * and no libbpf. docs/report.md documents every figure.
 */
#ifndef MEMTRACE_REPORT_H
#define MEMTRACE_REPORT_H

#include <stdio.h>
#include "analysis.h"
#include "reader.h"

/* `memtrace report ARGS...` (argv[0] is "report"). Returns the exit status. */
int cmd_report(int argc, char **argv);
/*
 * The text report of a trace file to out, as `memtrace report PATH` prints
 * it (used by `memtrace run --report`); label names the trace in the
 * header (NULL: its path). Returns 0, or 1 after printing the error on stderr.
 */
int report__file(const char *path, const char *label, FILE *out);
/*
 * The HTML page of a trace file (as `memtrace report --html` writes it) to
 * fd, already opened by the caller (`memtrace run --html`); name is the
 * page's file name for messages. Returns 0, or 1 after printing the error.
 */
int report__html_fd(const char *path, const char *label, int fd, const char *name);
/* The usage text of `memtrace report`. */
extern const char report__usage[];

/* Sentences about what the trace shows, computed from the analysis. */
struct claims {
	char **lines;
	size_t n;
};

/*
 * The `--format json` document of a finished analysis (a jansson json_t,
 * NULL when out of memory): the HTML page embeds it as its model.
 */
struct json_t *report__json(const struct reader *r, const struct analysis *a,
			    const struct claims *c);

/* Fills c from a finished analysis; returns 0 or -ENOMEM. */
int claims__build(struct claims *c, const struct analysis *a, const struct reader *r);
void claims__free(struct claims *c);

#endif /* MEMTRACE_REPORT_H */
