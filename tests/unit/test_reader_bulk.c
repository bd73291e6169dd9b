// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The reader's fast path (yajl callbacks into the key table) on a
 * 10 000-line trace: every kind of event, strings with escapes, unknown
 * keys with nested values, unknown event types, timestamps out of order
 * within the sorting window. Every event comes back equal, field by field,
 * in (ts, line) order; the counts of unknown and late records are right.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/sched.h>
#include <cmocka.h>
#include "event.h"
#include "reader.h"

#define LINES		10000
#define START		"{\"event\":\"start\",\"schema\":1,\"version\":\"0.1.0\",\"command\":\"t\"," \
			"\"target\":\"command\",\"kernel\":\"6.1\",\"root_pid\":100,\"ts\":0}\n"

struct want {
	struct mt_event ev;
	uint64_t line;
	char comm[32], file[64];
};

static struct want want[LINES];
static size_t nwant;

/* xorshift: the trace is the same on every run */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

/* The JSON of comm/filename: escapes, as a writer may produce them. */
static const char *const comms[][2] = {
	{ "bash", "bash" },
	{ "a\\\"b\\\\c", "a\"b\\c" },
	{ "caf\\u00e9", "caf\xc3\xa9" },
	{ "tab\\there", "tab\there" },
	{ "x/y", "x/y" },
};

static int by_ts(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	if (x->ev.ts != y->ev.ts)
		return x->ev.ts < y->ev.ts ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* One line for event i at line number line; its expectation goes to want[]. */
static void put_line(FILE *f, size_t i, uint64_t line)
{
	struct want *w = &want[nwant++];
	struct mt_event *ev = &w->ev;
	unsigned c = rnd(5);

	memset(w, 0, sizeof(*w));
	w->line = line;
	/* within the window: at most 50 events early */
	ev->ts = 1000000 + i * 1000 - rnd(50) * 1000;
	ev->pid = 100 + rnd(20);
	ev->tid = ev->pid + rnd(3);
	ev->as = 1 + rnd(5);
	strcpy(w->comm, comms[c][1]);
	fprintf(f, "{\"ts\":%llu,\"pid\":%u,\"tid\":%u,\"comm\":\"%s\",\"as\":%u,",
		(unsigned long long)ev->ts, ev->pid, ev->tid, comms[c][0], ev->as);
	if (rnd(10) == 0)	/* keys of a later schema 1: skipped, nested or not */
		fprintf(f, "\"later\":{\"a\":[1,2.5,{\"b\":null}],\"c\":\"d\"},\"n\":-3,");
	switch (rnd(8)) {
	case 0:
		ev->type = MT_EV_MMAP;
		ev->has_addr = true;
		ev->mmap.addr = 0x7f0000000000ULL + rnd(1 << 20) * 4096;
		ev->mmap.len = 4096 * (1 + rnd(64));
		ev->mmap.prot = PROT_READ | PROT_WRITE;
		ev->mmap.flags = MAP_PRIVATE | MAP_ANONYMOUS;
		ev->mmap.fd = -1;
		fprintf(f, "\"event\":\"mmap\",\"addr\":\"0x%llx\",\"len\":%llu,\"prot\":\"rw-\","
			"\"flags\":\"MAP_PRIVATE|MAP_ANONYMOUS\",\"fd\":-1,\"offset\":0}\n",
			(unsigned long long)ev->mmap.addr, (unsigned long long)ev->mmap.len);
		break;
	case 1:
	case 2:
		ev->type = rnd(2) ? MT_EV_MUNMAP : MT_EV_MPROTECT;
		ev->has_addr = true;
		ev->range.addr = 0x7f0000000000ULL + rnd(1 << 20) * 4096;
		ev->range.len = 4096 * (1 + rnd(64));
		ev->range.prot = ev->type == MT_EV_MPROTECT ? PROT_READ : 0;
		fprintf(f, "\"event\":\"%s\",\"addr\":\"0x%llX\",\"len\":%llu%s}\n",
			ev->type == MT_EV_MPROTECT ? "mprotect" : "munmap",
			(unsigned long long)ev->range.addr, (unsigned long long)ev->range.len,
			ev->type == MT_EV_MPROTECT ? ",\"prot\":\"r--\"" : "");
		break;
	case 3:
		ev->type = MT_EV_BRK;
		ev->has_addr = true;
		ev->brk.req = 0x560000000000ULL + rnd(100) * 4096;
		ev->brk.addr = ev->brk.req;
		fprintf(f, "\"event\":\"brk\",\"req\":\"0x%llx\",\"addr\":\"0x%llx\"}\n",
			(unsigned long long)ev->brk.req, (unsigned long long)ev->brk.addr);
		break;
	case 4:
		ev->type = MT_EV_MREMAP;
		ev->error = ENOMEM;
		ev->mremap.old_addr = 0x7f0000000000ULL;
		ev->mremap.old_len = 4096;
		ev->mremap.new_len = 8192;
		ev->mremap.flags = MREMAP_MAYMOVE;
		fprintf(f, "\"event\":\"mremap\",\"addr\":null,\"old_addr\":\"0x7f0000000000\","
			"\"old_len\":4096,\"new_len\":8192,\"flags\":\"MREMAP_MAYMOVE\","
			"\"error\":\"ENOMEM\"}\n");
		break;
	case 5:
		ev->type = MT_EV_FORK;
		ev->fork.child_pid = 1000 + i;
		ev->fork.child_tid = 1000 + i;
		ev->fork.child_as = 6;
		ev->fork.syscall_nr = MT_NR_CLONE;
		ev->fork.flags_known = true;
		ev->fork.clone_flags = CLONE_VM | CLONE_VFORK;
		ev->fork.exit_signal = SIGCHLD;
		ev->fork.shared_vm = true;
		fprintf(f, "\"event\":\"fork\",\"child_pid\":%u,\"child_tid\":%u,\"thread\":false,"
			"\"child_as\":6,\"shared_vm\":true,\"flags\":\"CLONE_VM|CLONE_VFORK|SIGCHLD\","
			"\"syscall\":\"clone\"}\n", ev->fork.child_pid, ev->fork.child_tid);
		break;
	case 6:
		ev->type = MT_EV_EXEC;
		snprintf(w->file, sizeof(w->file), "/usr/bin/\xc3\xa9%zu", i);
		ev->exec.old_as = 2;
		ev->exec.old_tid = ev->tid;
		fprintf(f, "\"event\":\"exec\",\"filename\":\"\\/usr\\/bin\\/\\u00e9%zu\",\"old_as\":2}\n",
			i);
		break;
	default:
		ev->type = MT_EV_EXIT;
		ev->exit.code = rnd(256);
		ev->exit.thread = true;
		fprintf(f, "\"event\":\"exit\",\"code\":%u,\"signal\":0,\"core\":false,\"thread\":true}\n",
			ev->exit.code);
		break;
	}
}

static void expect_str(struct mt_str got, const char *want)
{
	assert_int_equal(strnlen(got.s, got.max), strlen(want));
	assert_memory_equal(got.s, want, strlen(want));
}

static void expect_event(const struct mt_event *b, const struct want *w)
{
	const struct mt_event *a = &w->ev;

	assert_int_equal(b->type, a->type);
	assert_int_equal(b->ts, a->ts);
	assert_int_equal(b->pid, a->pid);
	assert_int_equal(b->tid, a->tid);
	assert_int_equal(b->as, a->as);
	assert_int_equal(b->error, a->error);
	assert_int_equal(b->has_addr, a->has_addr);
	expect_str(b->comm, w->comm);
	switch (a->type) {
	case MT_EV_MMAP:
		assert_memory_equal(&b->mmap, &a->mmap, sizeof(a->mmap));
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		assert_memory_equal(&b->range, &a->range, sizeof(a->range));
		break;
	case MT_EV_BRK:
		assert_memory_equal(&b->brk, &a->brk, sizeof(a->brk));
		break;
	case MT_EV_MREMAP:
		assert_memory_equal(&b->mremap, &a->mremap, sizeof(a->mremap));
		break;
	case MT_EV_FORK:
		assert_int_equal(b->fork.child_pid, a->fork.child_pid);
		assert_int_equal(b->fork.child_tid, a->fork.child_tid);
		assert_int_equal(b->fork.child_as, a->fork.child_as);
		assert_int_equal(b->fork.thread, a->fork.thread);
		assert_int_equal(b->fork.shared_vm, a->fork.shared_vm);
		assert_int_equal(b->fork.flags_known, a->fork.flags_known);
		assert_int_equal(b->fork.clone_flags, a->fork.clone_flags);
		assert_int_equal(b->fork.exit_signal, a->fork.exit_signal);
		assert_int_equal(b->fork.syscall_nr, a->fork.syscall_nr);
		break;
	case MT_EV_EXEC:
		expect_str(b->exec.filename, w->file);
		assert_int_equal(b->exec.old_as, a->exec.old_as);
		assert_int_equal(b->exec.old_tid, a->exec.old_tid);
		assert_int_equal(b->exec.truncated, a->exec.truncated);
		break;
	default:
		assert_memory_equal(&b->exit, &a->exit, sizeof(a->exit));
		break;
	}
}

static void test_bulk(void **state)
{
	char path[] = "/tmp/memtrace-test-bulk.XXXXXX", err[512];
	uint64_t line = 1, unknown = 0;
	struct mt_event ev;
	struct reader r;
	size_t i, n = 0;
	FILE *f;
	int fd, rc;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(START, f);
	for (i = 0; line < LINES - 1; i++) {
		if (rnd(100) == 0) {	/* an event type of a later schema 1: counted, skipped */
			fprintf(f, "{\"ts\":%zu,\"event\":\"later\",\"x\":[[],{}]}\n", i);
			unknown++;
		} else {
			put_line(f, i, line + 1);
		}
		line++;
	}
	fprintf(f, "{\"event\":\"summary\",\"ts\":%zu,\"duration_ns\":1,\"events\":{},\"lost\":0,"
		"\"missed\":0,\"exit_status\":0}\n", (i + 2) * 1000000);
	assert_int_equal(fclose(f), 0);
	qsort(want, nwant, sizeof(want[0]), by_ts);

	assert_int_equal(reader__open(&r, path, err, sizeof(err)), 0);
	while ((rc = reader__next(&r, &ev, err, sizeof(err))) > 0) {
		assert_true(n < nwant);
		expect_event(&ev, &want[n++]);
	}
	if (rc)
		fail_msg("%s", err);
	assert_int_equal(n, nwant);
	assert_int_equal(r.lineno, LINES);
	assert_int_equal(r.unknown, unknown);
	assert_int_equal(r.late, 0);
	assert_true(r.has_summary);
	reader__close(&r);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
