// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests: `memtrace run` option parsing and the tracepoint check. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "opts.h"
#include "tracer.h"

#define ARGV(...) ((char *[]){ "run", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "run", __VA_ARGS__ }) / sizeof(char *)))

static int parse(int argc, char **argv, struct run_opts *o, char *err)
{
	return opts__parse_run(argc, argv, o, err, 256);
}

#define PARSE(o, err, ...) parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o, err)

static void test_defaults_workload(void **state)
{
	struct run_opts o;
	char err[256] = "";

	assert_int_equal(PARSE(&o, err, "threads", "-n", "8"), 0);
	assert_int_equal(o.fmt, MT_FMT_TEXT);
	assert_int_equal(o.buffer_size, MT_DEFAULT_BUFFER);
	assert_null(o.output);
	assert_false(o.is_command);
	/* the workload's own options are left to it */
	assert_int_equal(o.argc, 3);
	assert_string_equal(o.argv[0], "threads");
	assert_string_equal(o.argv[1], "-n");
}

static void test_command_after_dashdash(void **state)
{
	struct run_opts o;
	char err[256] = "";

	assert_int_equal(PARSE(&o, err, "-f", "json", "-o", "t.jsonl", "--", "ls", "-l"), 0);
	assert_int_equal(o.fmt, MT_FMT_JSON);
	assert_string_equal(o.output, "t.jsonl");
	assert_true(o.is_command);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[0], "ls");
	assert_string_equal(o.argv[1], "-l");
}

static void test_dashdash_after_workload_is_its_arg(void **state)
{
	struct run_opts o;
	char err[256] = "";

	assert_int_equal(PARSE(&o, err, "heap", "--", "x"), 0);
	assert_false(o.is_command);
	assert_int_equal(o.argc, 3);
}

static void test_long_options(void **state)
{
	struct run_opts o;
	char err[256] = "";

	assert_int_equal(PARSE(&o, err, "--format=csv", "--buffer-size", "64K", "-q", "-v", "heap"), 0);
	assert_int_equal(o.fmt, MT_FMT_CSV);
	assert_int_equal(o.buffer_size, 65536);
	assert_true(o.quiet);
	assert_true(o.verbose);
	assert_false(o.cost);
	assert_int_equal(PARSE(&o, err, "--cost", "heap"), 0);
	assert_true(o.cost);
	assert_int_equal(PARSE(&o, err, "--fail-on-loss", "-u", "alice", "heap"), 0);
	assert_true(o.fail_on_loss);
	assert_string_equal(o.user, "alice");
	/* --cgroup is -a for one cgroup */
	assert_int_equal(PARSE(&o, err, "--cgroup", "/sys/fs/cgroup/x"), 0);
	assert_string_equal(o.cgroup, "/sys/fs/cgroup/x");
	assert_true(o.all);
	/* long only: no letter is taken from the workload's options */
	assert_int_equal(PARSE(&o, err, "-c", "heap"), -EINVAL);
}

static void test_pid_and_all(void **state)
{
	struct run_opts o;
	char err[256] = "";

	assert_int_equal(PARSE(&o, err, "-p", "1234"), 0);
	assert_int_equal(o.attach_pid, 1234);
	assert_int_equal(o.argc, 0);
	assert_int_equal(PARSE(&o, err, "-a"), 0);
	assert_true(o.all);
}

static void test_help(void **state)
{
	struct run_opts o;
	char err[256] = "";

	assert_int_equal(PARSE(&o, err, "--help"), 1);
	assert_non_null(strstr(opts__run_usage, "Examples:"));
}

struct bad_case {
	char *argv[8];
	const char *needle;	/* must appear in the message */
};

static void test_bad_input(void **state)
{
	static const struct bad_case cases[] = {
		{ { "run", "-f", "xml", "heap" }, "unknown format 'xml'" },
		{ { "run", "-b", "3M", "heap" }, "power of two" },
		{ { "run", "-b", "lots", "heap" }, "bad buffer size 'lots'" },
		{ { "run", "-b", "1K", "heap" }, "power of two" },
		{ { "run", "-b", "-8M", "heap" }, "bad buffer size" },
		{ { "run", "-p", "abc" }, "bad pid 'abc'" },
		{ { "run", "-p", "0" }, "bad pid '0'" },
		{ { "run", "-p", "12", "-a" }, "exclude each other" },
		{ { "run", "-p", "12", "heap" }, "not both" },
		{ { "run" }, "nothing to run" },
		{ { "run", "--bogus", "heap" }, "unknown option '--bogus'" },
		{ { "run", "-x", "heap" }, "unknown option '-x'" },
		{ { "run", "heap", "-f" }, NULL },	/* fine: -f belongs to heap */
		{ { "run", "-o" }, "needs a value" },
		{ { "run", "-o", "", "heap" }, "empty file name" },
		{ { "run", "-o", "--", "true" }, "-o needs a file name before `--`" },
		{ { "run", "--html", "--", "true" }, "--html needs a file name before `--`" },
		{ { "run", "--faults=all", "--no-memory", "heap" }, "--no-memory and --faults contradict" },
		{ { "run", "--no-memory", "-m", "heap" }, "--no-memory and -m contradict" },
		{ { "run", "--rss-step", "1M", "--no-memory", "heap" }, "--no-memory and --rss-step contradict" },
		{ { "run", "--cost=1", "heap" }, "option '--cost' takes no value" },
		{ { "run", "--quiet=yes", "heap" }, "option '--quiet' takes no value" },
		{ { "run", "--bogus=1", "heap" }, "unknown option '--bogus'" },
		{ { "run", "-u", "alice", "-p", "12" }, "-u applies to a program" },
		{ { "run", "-u", "alice", "-a" }, "-u applies to a program" },
		{ { "run", "--cgroup", "/sys/fs/cgroup/x", "heap" }, "--cgroup traces a whole cgroup" },
		{ { "run", "--cgroup", "/sys/fs/cgroup/x", "-p", "12" }, "--cgroup traces a whole cgroup" },
		{ { "run", "-u", "", "heap" }, "empty user name" },
	};
	struct run_opts o;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "";
		int argc = 0, r;

		while (cases[i].argv[argc])
			argc++;
		r = opts__parse_run(argc, (char **)cases[i].argv, &o, err, sizeof(err));
		if (!cases[i].needle) {
			assert_int_equal(r, 0);
			continue;
		}
		if (r != -EINVAL || !strstr(err, cases[i].needle))
			fail_msg("case %zu: got %d '%s', expected -EINVAL with '%s'",
				 i, r, err, cases[i].needle);
		/* one line: no newline inside the message */
		assert_null(strchr(err, '\n'));
	}
}

static void test_parse_size(void **state)
{
	static const struct { const char *s; int ret; uint64_t v; } cases[] = {
		{ "4096", 0, 4096 }, { "8M", 0, 8 << 20 }, { "8MiB", 0, 8 << 20 },
		{ "16mb", 0, 16 << 20 }, { "1G", 0, 1ULL << 30 }, { "64k", 0, 65536 },
		{ "", -EINVAL, 0 }, { "M", -EINVAL, 0 }, { "8X", -EINVAL, 0 },
		{ "8Mx", -EINVAL, 0 }, { "-1", -EINVAL, 0 },
		{ "99999999999999999999", -EINVAL, 0 }, { "17179869184G", -EINVAL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		int r = opts__parse_size(cases[i].s, &v);

		if (r != cases[i].ret || (!r && v != cases[i].v))
			fail_msg("'%s': got %d/%llu, expected %d/%llu", cases[i].s, r,
				 (unsigned long long)v, cases[i].ret, (unsigned long long)cases[i].v);
	}
}

static void test_missing_tracepoint_named(void **state)
{
	const char *const tps[] = { "sched_process_fork", "no_such_tracepoint", NULL };
	char err[256] = "";

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip();
	assert_int_equal(tracer__check_tracepoints(tps, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no tracepoint 'no_such_tracepoint'"));
	assert_int_equal(tracer__check_tracepoints(tracer__tracepoints, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_workload),
		cmocka_unit_test(test_command_after_dashdash),
		cmocka_unit_test(test_dashdash_after_workload_is_its_arg),
		cmocka_unit_test(test_long_options),
		cmocka_unit_test(test_pid_and_all),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_missing_tracepoint_named),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
