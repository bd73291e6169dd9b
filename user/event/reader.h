/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * reader - the second producer of struct mt_event: a JSON Lines trace as
 * `memtrace run -f json` writes it (docs/events.md). Event lines are parsed
 * with yajl's callback API into a fixed table of known keys (no tree, no
 * allocation per value); the start and summary records with jansson.
 *
 * The first line must be the start record; a summary record may end the
 * trace (without one the trace is incomplete: memtrace was killed). Events
 * come back sorted by ts within a window of READER_WINDOW events, since
 * records from different CPUs may reach the ring buffer a little out of
 * order. Anything the reader does not understand is an error naming the
 * line: it never guesses.
 */
#ifndef MEMTRACE_READER_H
#define MEMTRACE_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "event.h"
#include "format.h"

/* Events held back to be sorted by ts; a record later than this is counted. */
#define READER_WINDOW	4096

struct reader_state;

struct reader {
	FILE *in;
	const char *name;	/* for messages: the path or "standard input" */
	char *line;
	size_t cap;
	uint64_t lineno;
	struct trace_start start;
	void *start_doc;	/* json_t owning start's strings */
	bool has_summary;	/* the trace ended with its summary record */
	struct trace_summary summary;
	/*
	 * The summary has "unfollowed" and "unnumbered" (summary.unfollowed,
	 * summary.unnumbered); a trace of an older memtrace has neither, and
	 * both are 0.
	 */
	bool has_untracked;
	uint64_t events;	/* events returned so far */
	uint64_t late;		/* events that came later than the window could sort */
	uint64_t unknown;	/* records of event types this reader does not know: skipped */
	uint64_t read[MT_COUNT_SLOTS];	/* records read per type, vma per VMA (as the summary counts) */
	bool cut_tail;		/* the last line had no newline: cut, left out */
	uint64_t last_ts;
	/* the line parser, the parsed events' slots and their min-heap by (ts, line) */
	struct reader_state *st;
	bool eof;
};

/*
 * Opens path ("-" = standard input) and reads its start record. Returns 0,
 * or -errno / -EINVAL with a one-line message in err: not a file, empty,
 * not a memtrace JSON trace, an unknown schema.
 */
int reader__open(struct reader *r, const char *path, char *err, size_t errlen);
/*
 * The next event in ts order. Returns 1 with *ev filled (its strings stay
 * valid until the next call), 0 at the end of the trace, or -EINVAL with
 * "NAME:LINE: what is wrong" in err.
 */
int reader__next(struct reader *r, struct mt_event *ev, char *err, size_t errlen);
/*
 * After the last event: the first type at or after from whose count of
 * records read differs from the summary's "events" count (records deleted,
 * duplicated or added; records lost in the ring are in neither), or
 * MT_COUNT_SLOTS if none differs or there is no summary. A rotated trace's
 * files each carry their own counts, so each file is checked on its own.
 */
uint32_t reader__miscount(const struct reader *r, uint32_t from);
/*
 * After the last event: a summary, no cut line, every count agrees, no
 * process unfollowed nor address space unnumbered, and not a later part of
 * a split trace (whose start is in the files before it).
 */
bool reader__complete(const struct reader *r);
/* The trace is part 2 or later of a split trace (start.part > 1). */
bool reader__later_part(const struct reader *r);
/* Frees everything; accepts a zeroed reader. */
void reader__close(struct reader *r);

#endif /* MEMTRACE_READER_H */
