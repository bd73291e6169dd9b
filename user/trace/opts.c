// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "opts.h"

const char opts__run_usage[] =
"Usage: memtrace run [OPTIONS] WORKLOAD [ARGS...]\n"
"       memtrace run [OPTIONS] -- COMMAND [ARGS...]\n"
"       memtrace run [OPTIONS] -p PID | -a\n"
"\n"
"Start WORKLOAD (a bundled experiment, see `memtrace list`) or COMMAND and\n"
"stream what the kernel does to its tasks and memory: fork/clone, exec, exit,\n"
"mmap, munmap, brk, mprotect, mremap. Tracing starts before the first\n"
"instruction of the program; its children and threads are followed.\n"
"\n"
"Options:\n"
"  -f, --format FMT       text (default), json (JSON Lines) or csv\n"
"  -o, --output FILE      write events to FILE instead of stdout\n"
"  -b, --buffer-size SIZE ring buffer size, a power of two (default 2M)\n"
"  -p, --pid PID          attach to a running process and its future children\n"
"  -a, --all              trace every process on the system\n"
"  -q, --quiet            no summary on stderr (lost events are still reported)\n"
"  -u, --user USER        run the program as USER (name or uid): its uid, gid,\n"
"                         groups, HOME, USER and LOGNAME; memtrace stays root.\n"
"                         Without -u, under sudo the program runs as root\n"
"      --cgroup PATH      trace every process of the cgroup v2 directory PATH\n"
"                         and its sub-cgroups (filtered in the kernel), until\n"
"                         Ctrl-C\n"
"      --fail-on-loss     exit 3 if any event was lost or not written\n"
"      --rotate SIZE[,COUNT]\n"
"                         with -o FILE: once FILE reaches SIZE, rename it FILE.1\n"
"                         (FILE.1 to FILE.2, ...) and start a new FILE; keep\n"
"                         COUNT old files (default: all). Each file has its own\n"
"                         start record and summary\n"
"      --cost             also report the kernel time memtrace's BPF programs\n"
"                         took, per hook (turns on the kernel's BPF statistics:\n"
"                         two clock reads per run of every BPF program, 100 ns\n"
"                         or more in a VM, so the traced program runs slower)\n"
"      --report           print `memtrace report` of the trace at the end instead of\n"
"                         the events (with -f json -o FILE, the trace stays in FILE)\n"
"      --html FILE        write one self-contained page to look at the trace at the\n"
"                         end (memtrace report --html); the file is opened first\n"
"  -m, --memory           page faults per region and RSS (--faults --rss); on by\n"
"                         default for bundled workloads, off otherwise\n"
"      --faults[=all]     page faults counted in the kernel per region and class\n"
"                         (anon, cow, file, file_cow, shared, stack), written as\n"
"                         `faults` records when a region goes; =all: also one\n"
"                         `fault` event per fault (for short runs)\n"
"      --rss              `rss` records when RSS moves by a step, the peak, and\n"
"                         `as_end` when an address space is torn down\n"
"      --rss-step SIZE    the step (default max(1M, RSS/64))\n"
"      --no-memory        neither (a bundled workload's default is both)\n"
"  -v, --verbose          show libbpf's messages\n"
"  -h, --help             this help\n"
"\n"
"When events go to stdout, the workload's stdout is sent to stderr so that it\n"
"never mixes with the event stream. memtrace exits with the workload's status\n"
"(128+N if a signal N killed it), 127 if COMMAND is not found, 126 if it\n"
"cannot be executed, 2 on a usage error, 1 if it could not trace or writing\n"
"the trace failed. Lost events are reported but leave the status alone, or\n"
"exit 3 with --fail-on-loss. -o creates FILE\n"
"with mode 0600 and refuses a symlink or another user's file in a\n"
"world-writable directory. SIGINT and SIGTERM stop tracing; so does SIGHUP,\n"
"except with -o FILE, where it reopens FILE (after logrotate moved it).\n"
"\n"
"Examples:\n"
"  sudo memtrace run threads                   # bundled workload, text events\n"
"  sudo memtrace run --format json -o t.jsonl fork-exec\n"
"  sudo memtrace run -- python3 -c 'import os; os.fork()'\n"
"  sudo memtrace run -f json heap | jq -c 'select(.event==\"mmap\")'\n"
"  sudo memtrace run -p 1234                   # attach to a running process\n"
"  sudo memtrace run -u alice -- make          # the program runs as alice\n"
"  sudo memtrace run --cgroup /sys/fs/cgroup/system.slice/nginx.service -o t.jsonl\n"
"  sudo memtrace run -a -f json -o /var/log/memtrace.jsonl --rotate 100M,10\n"
"  sudo memtrace run --cost -o /dev/null heap  # what tracing cost in the kernel\n"
"  sudo memtrace run --report threads          # trace, then the report\n"
"  sudo memtrace run --html t.html threads     # trace, then a page to open in a browser\n";

void opts__memory_defaults(struct run_opts *o)
{
	bool workload = !o->is_command && !o->attach_pid && !o->all && o->argc;

	if (o->faults < 0)
		o->faults = workload;
	if (o->rss < 0)
		o->rss = workload;
}

int opts__parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default:
		return -EINVAL;
	}
	/* accept K, KB, KiB */
	if (shift && (!strcasecmp(end, "iB") || !strcasecmp(end, "B")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (shift && v > (~0ULL >> shift))
		return -EINVAL;
	*bytes = (uint64_t)v << shift;
	return 0;
}

enum {
	OPT_HELP = 'h',
	/* long options only */
	OPT_COST = 256,
	OPT_CGROUP,
	OPT_FAIL_ON_LOSS,
	OPT_REPORT,
	OPT_HTML,
	OPT_ROTATE,
	/* issue 11 */
	OPT_FAULTS,
	OPT_RSS,
	OPT_RSS_STEP,
	OPT_NO_MEMORY,
};

static const struct option run_longopts[] = {
	{ "format",	 required_argument, NULL, 'f' },
	{ "output",	 required_argument, NULL, 'o' },
	{ "buffer-size", required_argument, NULL, 'b' },
	{ "pid",	 required_argument, NULL, 'p' },
	{ "all",	 no_argument,	    NULL, 'a' },
	{ "quiet",	 no_argument,	    NULL, 'q' },
	{ "verbose",	 no_argument,	    NULL, 'v' },
	{ "cost",	 no_argument,	    NULL, OPT_COST },
	{ "report",	 no_argument,	    NULL, OPT_REPORT },
	{ "html",	 required_argument, NULL, OPT_HTML },
	{ "user",	 required_argument, NULL, 'u' },
	{ "cgroup",	 required_argument, NULL, OPT_CGROUP },
	{ "fail-on-loss", no_argument,	    NULL, OPT_FAIL_ON_LOSS },
	{ "rotate",	 required_argument, NULL, OPT_ROTATE },
	{ "faults",	 optional_argument, NULL, OPT_FAULTS },
	{ "rss",	 no_argument,	    NULL, OPT_RSS },
	{ "rss-step",	 required_argument, NULL, OPT_RSS_STEP },
	{ "memory",	 no_argument,	    NULL, 'm' },
	{ "no-memory",	 no_argument,	    NULL, OPT_NO_MEMORY },
	{ "help",	 no_argument,	    NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > 0x3fffffff)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

/*
 * "--cost=1" or "--no-such": getopt's optopt is the option's value (not a
 * character) or 0, so name the option from the argument itself.
 */
static void long__error(const char *arg, char *err, size_t errlen)
{
	const struct option *lo;
	size_t n = strcspn(arg + 2, "=");

	for (lo = run_longopts; lo->name; lo++) {
		if (strlen(lo->name) != n || strncmp(lo->name, arg + 2, n))
			continue;
		if (lo->has_arg == no_argument && arg[2 + n] == '=') {
			snprintf(err, errlen, "option '--%s' takes no value", lo->name);
			return;
		}
		break;
	}
	snprintf(err, errlen, "unknown option '%.*s'", (int)(n + 2), arg);
}

/* "SIZE" or "SIZE,COUNT" for --rotate. Returns 0 or -EINVAL. */
static int parse_rotate(const char *s, struct run_opts *o)
{
	char size[64], *end;
	const char *comma = strchr(s, ',');
	size_t n = comma ? (size_t)(comma - s) : strlen(s);
	unsigned long v;

	if (n >= sizeof(size))
		return -EINVAL;
	memcpy(size, s, n);
	size[n] = '\0';
	if (opts__parse_size(size, &o->rotate_size))
		return -EINVAL;
	o->rotate_count = 0;
	if (!comma)
		return 0;
	errno = 0;
	v = strtoul(comma + 1, &end, 10);
	if (errno || end == comma + 1 || *end || comma[1] == '-' || !v || v > MT_MAX_ROTATE_COUNT)
		return -EINVAL;
	o->rotate_count = v;
	return 0;
}

#define fail(...) do { snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } while (0)

int opts__parse_run(int argc, char **argv, struct run_opts *o, char *err, size_t errlen)
{
	const char *memory_opt = NULL;	/* the last of -m, --faults, --rss, --rss-step */
	bool no_memory = false;
	int c, dashdash = 0, i;

	memset(o, 0, sizeof(*o));
	o->fmt = MT_FMT_TEXT;
	o->buffer_size = MT_DEFAULT_BUFFER;
	o->faults = -1;
	o->rss = -1;

	/* getopt stops at `--` and eats it; remember whether it was there */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	}

	optind = 0;	/* full reset: the tests call us more than once */
	opterr = 0;
	/* '+': stop at the workload name, its own options are its own */
	while ((c = getopt_long(argc, argv, "+:f:o:b:p:u:aqvmh", run_longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (format__parse(optarg, &o->fmt))
				fail("unknown format '%s': use text, json or csv", optarg);
			break;
		case 'o':
			if (!*optarg)
				fail("empty file name for -o/--output");
			/* `-o -- cmd` would run cmd and write to a file named "--" */
			if (!strcmp(optarg, "--"))
				fail("-o needs a file name before `--`: -o FILE -- COMMAND");
			o->output = optarg;
			break;
		case 'b':
			if (opts__parse_size(optarg, &o->buffer_size))
				fail("bad buffer size '%s': use a size like 8M or 65536", optarg);
			if (o->buffer_size < MT_MIN_BUFFER || o->buffer_size > MT_MAX_BUFFER ||
			    (o->buffer_size & (o->buffer_size - 1)))
				fail("buffer size '%s' must be a power of two from 4K to 1G (e.g. 8M)", optarg);
			break;
		case 'p':
			if (parse_pid(optarg, &o->attach_pid))
				fail("bad pid '%s': give a positive process id", optarg);
			break;
		case 'a':
			o->all = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_COST:
			o->cost = true;
			break;
		case OPT_REPORT:
			o->report = true;
			break;
		case OPT_HTML:
			if (!*optarg || !strcmp(optarg, "--"))
				fail("--html needs a file name before `--`: --html FILE -- COMMAND");
			o->html = optarg;
			break;
		case OPT_FAIL_ON_LOSS:
			o->fail_on_loss = true;
			break;
		case OPT_ROTATE:
			if (parse_rotate(optarg, o))
				fail("bad --rotate '%s': use SIZE or SIZE,COUNT, like 100M or 100M,10 (COUNT 1 to %d)",
				     optarg, MT_MAX_ROTATE_COUNT);
			if (o->rotate_size < MT_MIN_ROTATE)
				fail("--rotate size '%s' is too small: give 64K or more", optarg);
			break;
		case 'u':
			if (!*optarg)
				fail("empty user name for -u/--user");
			o->user = optarg;
			break;
		case OPT_CGROUP:
			if (!*optarg)
				fail("empty path for --cgroup");
			o->cgroup = optarg;
			break;
		case OPT_FAULTS:
			memory_opt = "--faults";
			if (!optarg)
				o->faults = 1;
			else if (!strcmp(optarg, "all"))
				o->faults = 2;
			else
				fail("bad --faults value '%s': use --faults or --faults=all", optarg);
			break;
		case OPT_RSS:
			memory_opt = "--rss";
			o->rss = 1;
			break;
		case OPT_RSS_STEP:
			memory_opt = "--rss-step";
			if (opts__parse_size(optarg, &o->rss_step) || o->rss_step < 4096)
				fail("bad --rss-step '%s': use a size of 4K or more, like 1M", optarg);
			if (o->rss < 0)
				o->rss = 1;
			break;
		case 'm':
			memory_opt = "-m";
			if (o->faults < 1)
				o->faults = 1;
			o->rss = 1;
			break;
		case OPT_NO_MEMORY:
			no_memory = true;
			o->faults = 0;
			o->rss = 0;
			break;
		case OPT_HELP:
			return 1;
		case ':':
			fail("option '%s' needs a value", argv[optind - 1]);
		default:
			if (!strncmp(argv[optind - 1], "--", 2) && argv[optind - 1][2]) {
				long__error(argv[optind - 1], err, errlen);
				return -EINVAL;
			}
			if (optopt)
				fail("unknown option '-%c'", optopt);
			fail("unknown option '%s'", argv[optind - 1]);
		}
	}

	o->argc = argc - optind;
	o->argv = argv + optind;
	o->is_command = dashdash && optind > dashdash;

	/* whichever came last would silently undo the other */
	if (no_memory && memory_opt)
		fail("--no-memory and %s contradict each other: give one of them", memory_opt);
	if (o->attach_pid && o->all)
		fail("-p and -a exclude each other: pick one");
	if (o->cgroup && (o->attach_pid || o->argc))
		fail("--cgroup traces a whole cgroup: give no -p, workload or command with it");
	if (o->user && (o->attach_pid || o->all || o->cgroup))
		fail("-u applies to a program memtrace starts, not to -p, -a or --cgroup");
	/* a cgroup is traced like -a, its processes only */
	if (o->cgroup)
		o->all = true;
	if ((o->attach_pid || o->all) && o->argc)
		fail("'%s': give either a workload/command or -p/-a, not both", o->argv[0]);
	if (!o->attach_pid && !o->all && !o->argc)
		fail("nothing to run: give a workload (see `memtrace list`), `-- COMMAND`, -p PID or -a");
	if (o->report && o->fmt == MT_FMT_CSV)
		fail("--report prints the report, not the events: -f csv does not apply (or drop --report and use -f csv -o FILE)");
	/* the report reads the JSON trace back: it cannot read text or CSV */
	if (o->report && o->output && o->fmt != MT_FMT_JSON)
		fail("--report with -o needs -f json (it reads the trace back); or drop -o and the trace goes to a temporary file");
	if (o->html && o->output && o->fmt != MT_FMT_JSON)
		fail("--html with -o needs -f json (it reads the trace back); or drop -o and the trace goes to a temporary file");
	if (o->html && o->output && !strcmp(o->html, o->output))
		fail("--html and -o name the same file '%s': the page and the trace need one each", o->html);
	if (o->rotate_size && (!o->output || !strcmp(o->output, "-")))
		fail("--rotate renames the file it writes: give it -o FILE");
	if (o->rotate_size && o->report)
		fail("--report reads one file back: drop --rotate, or run `memtrace report` on each file");
	if (o->rotate_size && o->html)
		fail("--html reads one file back: drop --rotate, or run `memtrace report --html` on each file");
	if (!o->is_command && o->argc && o->argv[0][0] == '-')
		fail("unknown option '%s'", o->argv[0]);
	opts__memory_defaults(o);
	return 0;
}
