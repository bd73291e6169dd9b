// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for issue 11's records (faults, fault, rss, as_end): each
 * ring-buffer record in text, JSON and CSV, and the JSON read back by
 * reader.c into the same struct mt_event (a round trip).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/types.h>
#include "memtrace.h"
#include "format.h"
#include "reader.h"

#define T0	5000000000ULL
#define HDR(type_, us)	{ .ts = T0 + (us) * 1000ULL, .type = (type_), .pid = 4242, \
			  .tid = 4243, .as = 3, .comm = "fork-exec" }

static struct outbuf ob;

static const char *take(void)
{
	static char s[1 << 14];

	assert_true(ob.len < sizeof(s));
	memcpy(s, ob.buf, ob.len);
	s[ob.len] = '\0';
	ob.len = 0;
	return s;
}

static const char *format(enum mt_format fmt, const void *rec, size_t size)
{
	struct formatter f = { .fmt = fmt, .t0 = T0 };

	assert_int_equal(format__record(&f, &ob, rec, size), 0);
	return take();
}

static const struct mt_faults_event faults_rec = {
	.hdr = HDR(MT_EV_FAULTS, 1500),
	.start = 0x7f0000000000ULL, .end = 0x7f0000400000ULL,
	.counts = { [MT_FAULT_ANON] = 100, [MT_FAULT_COW] = 7, [MT_FAULT_STACK] = 2 },
	.kind = MT_REGION_HEAP, .reason = MT_FAULTS_UNMAP, .name = "[heap]",
};

static const struct mt_fault_event fault_rec = {
	.hdr = HDR(MT_EV_FAULT, 1600),
	.addr = 0x7f0000001234ULL, .ip = 0x555500001000ULL,
	.start = 0x7f0000000000ULL, .end = 0x7f0000400000ULL,
	.class = MT_FAULT_COW, .flags = MT_FAULT_F_WRITE | MT_FAULT_F_PRESENT,
};

static const struct mt_rss_event rss_rec = {
	.hdr = HDR(MT_EV_RSS, 1700),
	.pages = { .file = 256, .anon = 512, .swap = 0, .shmem = 1 },
	.peak = 800, .page_size = 4096,
};

static const struct mt_as_end_event as_end_rec = {
	.hdr = HDR(MT_EV_AS_END, 1800),
	.peak = 800, .last = { .file = 10, .anon = 20 },
	.faults = { [MT_FAULT_ANON] = 5, [MT_FAULT_FILE] = 3, [MT_FAULT_FILE_COW] = 1 },
	.page_size = 4096,
};

static void test_text(void **state)
{
	assert_string_equal(format(MT_FMT_TEXT, &faults_rec, sizeof(faults_rec)),
		"   0.001500    4242    4243 fork-exec           3 faults    "
		"0x7f0000000000-0x7f0000400000 [heap] (heap): anon 100, cow 7, stack 2, total 109 [unmap]\n");
	assert_string_equal(format(MT_FMT_TEXT, &fault_rec, sizeof(fault_rec)),
		"   0.001600    4242    4243 fork-exec           3 fault     "
		"0x7f0000001234 cow write ip 0x555500001000\n");
	assert_string_equal(format(MT_FMT_TEXT, &rss_rec, sizeof(rss_rec)),
		"   0.001700    4242    4243 fork-exec           3 rss       "
		"3.0 MiB (anon 2 MiB, file 1 MiB, shmem 4 KiB) peak 3.1 MiB\n");
	assert_string_equal(format(MT_FMT_TEXT, &as_end_rec, sizeof(as_end_rec)),
		"   0.001800    4242    4243 fork-exec           3 as_end    "
		"peak rss 3.1 MiB, last 120 KiB (anon 80 KiB, file 40 KiB, shmem 0 B); "
		"faults anon 5, file 3, file_cow 1, total 9\n");
}

static void test_json(void **state)
{
	assert_string_equal(format(MT_FMT_JSON, &faults_rec, sizeof(faults_rec)),
		"{\"ts\":1500000,\"event\":\"faults\",\"pid\":4242,\"tid\":4243,\"comm\":\"fork-exec\",\"as\":3,"
		"\"start\":\"0x7f0000000000\",\"end\":\"0x7f0000400000\",\"region\":\"[heap]\",\"kind\":\"heap\","
		"\"reason\":\"unmap\",\"anon\":100,\"cow\":7,\"file\":0,\"file_cow\":0,\"shared\":0,\"stack\":2,"
		"\"other\":0,\"total\":109}\n");
	assert_string_equal(format(MT_FMT_JSON, &as_end_rec, sizeof(as_end_rec)),
		"{\"ts\":1800000,\"event\":\"as_end\",\"pid\":4242,\"tid\":4243,\"comm\":\"fork-exec\",\"as\":3,"
		"\"rss_peak\":3276800,\"rss_anon\":81920,\"rss_file\":40960,\"rss_shmem\":0,\"rss_swap\":0,"
		"\"rss_total\":122880,\"faults\":{\"anon\":5,\"cow\":0,\"file\":3,\"file_cow\":1,\"shared\":0,"
		"\"stack\":0,\"other\":0,\"total\":9}}\n");
}

static void test_csv(void **state)
{
	const char *row = format(MT_FMT_CSV, &faults_rec, sizeof(faults_rec));
	int commas = 0;
	const char *p;

	for (p = row; *p; p++)
		commas += *p == ',';
	assert_int_equal(commas, 67);	/* 68 columns with issue 10's */
	assert_non_null(strstr(row, ",0x7f0000000000,0x7f0000400000,[heap],heap,unmap,100,7,0,0,0,2,0,109,"));
	row = format(MT_FMT_CSV, &rss_rec, sizeof(rss_rec));
	assert_non_null(strstr(row, ",2097152,1048576,4096,0,3149824,3276800,,,,,,,,,,,,\n"));
}

/* Every record written as JSON and read back gives the same event. */
static void test_round_trip(void **state)
{
	const void *recs[] = { &faults_rec, &fault_rec, &rss_rec, &as_end_rec };
	const size_t sizes[] = { sizeof(faults_rec), sizeof(fault_rec), sizeof(rss_rec),
				 sizeof(as_end_rec) };
	char path[] = "/tmp/memtrace-test-mem11-XXXXXX", err[256];
	struct mt_event want, got;
	struct reader r;
	FILE *f;
	size_t i;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("{\"event\":\"start\",\"schema\":1,\"ts\":0}\n", f);
	for (i = 0; i < 4; i++)
		fputs(format(MT_FMT_JSON, recs[i], sizes[i]), f);
	fclose(f);
	if (reader__open(&r, path, err, sizeof(err)))
		fail_msg("%s", err);
	for (i = 0; i < 4; i++) {
		assert_int_equal(event__from_record(&want, recs[i], sizes[i], T0), 0);
		if (reader__next(&r, &got, err, sizeof(err)) != 1)
			fail_msg("record %zu: %s", i, err);
		assert_int_equal(got.type, want.type);
		assert_int_equal(got.ts, want.ts);
		assert_int_equal(got.as, want.as);
		switch (want.type) {
		case MT_EV_FAULTS:
			assert_int_equal(got.faults.start, want.faults.start);
			assert_int_equal(got.faults.end, want.faults.end);
			assert_int_equal(got.faults.kind, want.faults.kind);
			assert_int_equal(got.faults.reason, want.faults.reason);
			assert_memory_equal(&got.faults.counts, &want.faults.counts,
					    sizeof(want.faults.counts));
			assert_int_equal(strncmp(got.faults.name.s, "[heap]", 7), 0);
			break;
		case MT_EV_FAULT:
			assert_int_equal(got.fault.addr, want.fault.addr);
			assert_int_equal(got.fault.ip, want.fault.ip);
			assert_int_equal(got.fault.class, want.fault.class);
			assert_int_equal(got.fault.write, want.fault.write);
			assert_int_equal(got.fault.kernel, want.fault.kernel);
			assert_int_equal(got.fault.present, want.fault.present);
			assert_int_equal(got.fault.start, want.fault.start);
			assert_int_equal(got.fault.end, want.fault.end);
			break;
		case MT_EV_RSS:
			assert_memory_equal(&got.rss, &want.rss, sizeof(want.rss));
			break;
		default:
			assert_memory_equal(&got.as_end, &want.as_end, sizeof(want.as_end));
			break;
		}
	}
	assert_int_equal(reader__next(&r, &got, err, sizeof(err)), 0);
	reader__close(&r);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_round_trip),
	};
	int rc;

	outbuf__init(&ob, -1, 1 << 16);
	rc = cmocka_run_group_tests_name("mem11", tests, NULL, NULL);
	outbuf__free(&ob);
	return rc;
}
