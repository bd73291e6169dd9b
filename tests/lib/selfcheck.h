/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * selfcheck - a workload's own story against the kernel's, for
 * test_workloads.c (C workloads) and test_go.c (Go workloads).
 *
 * A spec names a bundled workload, its options and its check. Its run is
 * `memtrace run -f json -o T NAME ARGS` with the workload's self-report
 * (workloads/README.md, "Self-report format") going to R through --json R
 * or MEMTRACE_SELF_REPORT; the first test that needs a run makes it, and
 * the others reuse it. A check is a plain function of (trace, self-report)
 * that says what is wrong with CHECK().
 *
 * A check earns its keep only if it can fail: selfcheck__doctored() runs
 * every check on the real run, which must pass, and then on doctored copies
 * of it, each of which must be rejected by at least one CHECK.
 */
#ifndef MEMTRACE_SELFCHECK_H
#define MEMTRACE_SELFCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "harness.h"

#define SELFCHECK_TIMEOUT_MS	30000
#define SELFCHECK_MAX_PIDS	256

/* ---- CHECK: an assertion a doctored copy can probe ---------------------- */

/*
 * CHECK(c, fmt, ...) fails the running test with its message, except while
 * selfcheck__doctored() probes a copy, when it only counts the miss.
 * Either way it returns c.
 */
#define CHECK(c, ...)	selfcheck__check(!!(c), __FILE__, __LINE__, __VA_ARGS__)

bool selfcheck__check(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* True while a copy is being probed: checks keep their diagnostics to themselves. */
bool selfcheck__probing(void);

/* ---- the runs ----------------------------------------------------------- */

struct selfcheck_run;

struct selfcheck_spec {
	const char *label;		/* for messages: "threads -n 4" */
	const char *name;		/* the bundled workload */
	const char *args[12];		/* its options, NULL-terminated */
	const char *marker;		/* a piece of its stdout */
	long n, m;			/* sizes its check holds the run to (the check says which) */
	bool env_report;		/* report path via MEMTRACE_SELF_REPORT, not --json */
	void (*check)(const struct selfcheck_run *r);
};

struct selfcheck_run {
	const struct selfcheck_spec *spec;
	bool tried, ok;
	int code;			/* memtrace's exit status */
	bool timed_out;
	char *out, *err;		/* memtrace's stdout (the workload's) and stderr */
	json_t *trace, *report;
	long long root;			/* root_pid */
};

/* A test binary's workloads: runs[i] is the run of specs[i], made at most once. */
struct selfcheck_set {
	const struct selfcheck_spec *specs;
	struct selfcheck_run *runs;
	size_t nruns;
	/* NULL, or false (having skipped or failed the test) when s cannot run here */
	bool (*can_run)(const struct selfcheck_spec *s);
};

/* Runs specs[which] under memtrace once; false (having said why) if that failed. */
bool selfcheck__load(struct selfcheck_set *set, int which);
/* Loads run which and runs its spec's check on it. */
void selfcheck__run(struct selfcheck_set *set, int which);
void selfcheck__free(struct selfcheck_set *set);
/* harness_main(tests), then the runs freed: a test binary's main(). */
int selfcheck__main(const struct harness_test *tests, struct selfcheck_set *set);

/* ---- doctored copies ---------------------------------------------------- */

struct selfcheck_doctor {
	int run;			/* index into the set */
	const char *claim;		/* what the doctored copy says, for messages */
	void (*doctor)(struct selfcheck_run *r);	/* edits r's trace and report */
};

/*
 * For each doctor: its run must pass its check, and a deep copy of it, once
 * doctored, must fail at least one CHECK. Says "doctored "claim": rejected
 * by N checks" for each.
 */
void selfcheck__doctored(struct selfcheck_set *set, const struct selfcheck_doctor *d, size_t n);

/* Doctors of the self-report's result line, which C and Go workloads write alike. */
void doctor__race_over(struct selfcheck_run *r);	/* more increments than were made */
void doctor__race_lost(struct selfcheck_run *r);	/* one update lost */
void doctor__sum_off(struct selfcheck_run *r);		/* the sum off by one */
void doctor__sum_agreed(struct selfcheck_run *r);	/* expected and actual agree, both wrong */

/* ---- reading traces and reports ----------------------------------------- */

long long ev__pid(const json_t *ev);
/* No "error" field: the call succeeded. */
bool ev__ok(const json_t *ev);
/* Neither the start record (first) nor the summary (last). */
bool ev__inner(const json_t *tr, size_t i);
bool ev__bool_is(const json_t *ev, const char *key, bool want);
/* [start, start+len) of a memory event, false if it has no address. */
bool ev__range(const json_t *ev, uint64_t *start, uint64_t *end);
/* One name of a "A|B|C" flags string, matched whole. */
bool flags__has(const json_t *ev, const char *name);
bool str__eq(const char *a, const char *b);

/* The nth event of a type (of pid, unless pid < 0) in a trace, NULL if none. */
json_t *trace__nth(json_t *tr, const char *event, long long pid, size_t nth, size_t *idx);
/* The nth report line of a kind (with key == val when key is set). */
json_t *report__find(const json_t *rep, const char *kind, const char *key, const char *val,
		     size_t nth);
size_t report__count(const json_t *rep, const char *kind);
/* Where ev stands in the trace (its size if it is not there). */
size_t trace__index(const json_t *tr, const json_t *ev);

struct pidset {
	long long v[SELFCHECK_MAX_PIDS];
	size_t n;
};

bool pidset__has(const struct pidset *s, long long pid);
/* root and every process its forks created, transitively. */
void trace__family(const json_t *tr, long long root, struct pidset *s);

/* For doctors: set a field of obj (a no-op when obj is NULL). */
void ev__set_int(json_t *obj, const char *key, long long v);
void ev__set_str(json_t *obj, const char *key, const char *v);
void ev__set_addr(json_t *obj, const char *key, uint64_t v);	/* as "0x..." */

#endif /* MEMTRACE_SELFCHECK_H */
