// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * heap - where C's memory comes from: a stack array, small mallocs, one
 * large malloc and its free, a pointer that "escapes" versus a value that
 * is copied, and a churn of allocations that grows the heap and is handed
 * back with malloc_trim(0). Every address is printed with the region of
 * /proc/self/maps that holds it.
 *
 * What it shows: Go decides stack or heap by escape analysis and frees with
 * its GC; in C you decide, and glibc's malloc decides where the bytes come
 * from. Small blocks are carved out of [heap], which the first malloc
 * creates by moving the program break (brk); blocks of M_MMAP_THRESHOLD
 * (128 KiB) or more get an anonymous mmap of their own, and free() gives
 * them straight back with munmap. Freed small blocks stay with malloc to be
 * reused - the churn rounds after the first need no syscall - until
 * malloc_trim(0) shrinks the break again.
 *
 * To keep that picture the same on every run, main() fixes the mmap
 * threshold at 128 KiB (glibc would otherwise raise it after the first
 * free of a large block) and turns off free()'s automatic trimming (so the
 * break shrinks only in malloc_trim). stdout gets a static buffer, since
 * stdio would otherwise malloc one and create the heap before we look.
 *
 * In memtrace: one brk of about 132 KiB at the first malloc, which then
 * serves all the small ones; an mmap of the large size plus a page (malloc's
 * header rounded up), and its munmap; brk calls growing the heap during the
 * first churn round only, each by a block plus 128 KiB of padding
 * (M_TOP_PAD); one brk shrinking it at malloc_trim. The stack array and the
 * escape make no syscall at all.
 */
#include <getopt.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"

#define PROG		"heap"
#define MMAP_THRESHOLD	(128 * 1024)
#define SMALL_SIZE	1024
#define CHURN_SIZE	(16 * 1024)
#define STACK_ARRAY	4096
#define MAX_BLOCKS	100000

struct options {
	long small;		/* count of SMALL_SIZE mallocs */
	long large;		/* bytes of the large malloc */
	long churn;		/* CHURN_SIZE blocks per churn round */
	long rounds;
	const char *json;
};

struct point {
	long x, y;
};

static char stdout_buf[BUFSIZ];

static void usage(void)
{
	printf(
"Usage: " PROG " [-s COUNT] [-l BYTES] [-c COUNT] [-r ROUNDS] [--json FILE]\n"
"\n"
"Allocates on the stack, with small mallocs, with one large malloc (then\n"
"frees it), returns a heap pointer and a stack copy from functions, and\n"
"churns through alloc/free rounds before malloc_trim(0). Prints every\n"
"address with its region of /proc/self/maps ([heap], [stack], anonymous).\n"
"M_MMAP_THRESHOLD is fixed at %d bytes and free() does not trim.\n"
"\n"
"  -s, --small N   small mallocs of %d bytes (default 64)\n"
"  -l, --large B   size of the large malloc (default 1048576)\n"
"  -c, --churn N   blocks of %d bytes per churn round (default 64)\n"
"  -r, --rounds N  churn rounds (default 3)\n"
"  --json FILE     append a JSON Lines self-report to FILE\n"
"                  (default: $" REPORT_ENV " if set)\n"
"  -h, --help      this help\n"
"\n"
"In memtrace look for: brk growing the heap at the first small malloc, an\n"
"mmap + munmap for the large block, brk growing in churn round 1 only, brk\n"
"shrinking at malloc_trim; no event for the stack array or the escape.\n"
"\n"
"Examples:\n"
"  " PROG " -l 65536        # below the threshold: lands in [heap]\n"
"  sudo ./memtrace run " PROG "\n",
	       MMAP_THRESHOLD, SMALL_SIZE, CHURN_SIZE);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "small", required_argument, NULL, 's' },
		{ "large", required_argument, NULL, 'l' },
		{ "churn", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:l:c:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->small = opt__number(PROG, "-s", optarg, 1, MAX_BLOCKS);
			break;
		case 'l':
			o->large = opt__number(PROG, "-l", optarg, 1, 1L << 30);
			break;
		case 'c':
			o->churn = opt__number(PROG, "-c", optarg, 1, MAX_BLOCKS);
			break;
		case 'r':
			o->rounds = opt__number(PROG, "-r", optarg, 1, 1000);
			break;
		case OPT_JSON:
			o->json = optarg;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			opt__unknown(PROG, argv, c);
		}
	}
	if (optind < argc)
		opt__fail(PROG, "unexpected argument '%s'", argv[optind]);
}

/* Prints addr (if label) and starts its "alloc" line; the caller emits it. */
static void show_alloc(struct jline *j, const char *what, const void *addr,
		       long size, const char *label)
{
	char region[256];

	region_of(addr, region, sizeof(region));
	if (label)
		printf("%-34s %14p  %s\n", label, addr, region);
	jline__begin(j, "alloc");
	jline__str(j, "what", what);
	jline__addr(j, "addr", addr);
	jline__int(j, "size", size);
	jline__str(j, "region", region);
}

static void show_brk(const char *when, const char *label)
{
	void *cur = sbrk(0);
	struct jline j;

	printf("%-34s %14p\n", label, cur);
	jline__begin(&j, "brk");
	jline__str(&j, "when", when);
	jline__addr(&j, "addr", cur);
	jline__emit(&j);
}

static void stack_phase(void)
{
	char buf[STACK_ARRAY];
	struct jline j;

	/* Touch it, or the compiler may not give it a home at all. */
	memset(buf, 1, sizeof(buf));
	__asm__ volatile("" : : "r"(buf) : "memory");
	show_alloc(&j, "stack", buf, sizeof(buf), "stack array char[4096]");
	jline__emit(&j);
}

/* Fills blocks[] (freed by main at the end). */
static int small_phase(void **blocks, long count)
{
	struct jline j;
	char label[64];
	long i;

	for (i = 0; i < count; i++) {
		blocks[i] = malloc(SMALL_SIZE);
		if (!blocks[i])
			return -1;
		snprintf(label, sizeof(label), "small malloc #%ld of %d", i, SMALL_SIZE);
		/* Print the first and the last; report them all. */
		show_alloc(&j, "small", blocks[i], SMALL_SIZE,
			   i == 0 || i == count - 1 ? label : NULL);
		jline__int(&j, "index", i);
		jline__emit(&j);
	}
	return 0;
}

static int large_phase(long size)
{
	char label[64];
	struct jline j;
	char *p;

	p = malloc(size);
	if (!p)
		return -1;
	memset(p, 1, size);
	snprintf(label, sizeof(label), "large malloc of %ld", size);
	show_alloc(&j, "large", p, size, label);
	jline__emit(&j);
	/* Say it before doing it: p may not be looked at after the free. */
	printf("%-34s %14p  (munmap if it was an mmap)\n", "free(large)", (void *)p);
	jline__begin(&j, "free");
	jline__str(&j, "what", "large");
	jline__addr(&j, "addr", p);
	free(p);
	jline__emit(&j);
	return 0;
}

/* The object must outlive the call, so it cannot live in our frame. */
static __attribute__((noinline)) struct point *point__new(long x, long y)
{
	struct point *p = malloc(sizeof(*p));

	if (p) {
		p->x = x;
		p->y = y;
	}
	return p;
}

/* Returned by value: copied into the caller's frame, nothing escapes. */
static __attribute__((noinline)) struct point point__make(long x, long y)
{
	struct point p = { x, y };

	return p;
}

static int escape_phase(void)
{
	struct point *heap_pt = point__new(1, 2);
	struct point copy = point__make(3, 4);
	struct jline j;

	if (!heap_pt)
		return -1;
	show_alloc(&j, "escape", heap_pt, sizeof(*heap_pt),
		   "escape: point__new() pointer");
	jline__str(&j, "returns", "pointer");
	jline__emit(&j);
	__asm__ volatile("" : : "r"(&copy) : "memory");
	show_alloc(&j, "escape", &copy, sizeof(copy),
		   "no escape: point__make() copy");
	jline__str(&j, "returns", "copy");
	jline__emit(&j);
	free(heap_pt);
	return 0;
}

/* One round: allocate count blocks, report the first, free them all. */
static int churn_round(long round, long count, void **blocks)
{
	struct jline j;
	char label[64];
	long i;
	int err = 0;

	for (i = 0; i < count; i++) {
		blocks[i] = malloc(CHURN_SIZE);
		if (!blocks[i]) {
			err = -1;
			break;
		}
		memset(blocks[i], 1, CHURN_SIZE);
	}
	if (!err) {
		snprintf(label, sizeof(label), "churn round %ld: %ld x %d", round,
			 count, CHURN_SIZE);
		show_alloc(&j, "churn", blocks[0], CHURN_SIZE, label);
		jline__int(&j, "round", round);
		jline__int(&j, "count", count);
		jline__emit(&j);
	}
	while (i-- > 0)
		free(blocks[i]);
	return err;
}

static int churn_phase(long rounds, long count)
{
	void **blocks = calloc(count, sizeof(*blocks));
	char label[64];
	long r;
	int err = -1;

	if (!blocks)
		return -1;
	for (r = 1; r <= rounds; r++) {
		err = churn_round(r, count, blocks);
		if (err)
			break;
		snprintf(label, sizeof(label), "brk after churn round %ld", r);
		show_brk("after_churn", label);
	}
	free(blocks);
	return err;
}

int main(int argc, char **argv)
{
	struct options o = { .small = 64, .large = 1 << 20, .churn = 64, .rounds = 3 };
	void **small = NULL;
	long i;
	int ret = 1;

	/* Before anything can malloc: see the comment at the top. */
	setvbuf(stdout, stdout_buf, _IOLBF, sizeof(stdout_buf));
	mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	parse_args(argc, argv, &o);
	if (report__open(PROG, o.json) < 0)
		return 1;

	show_brk("start", "brk at start (no heap yet)");
	stack_phase();
	small = calloc(o.small, sizeof(*small));
	if (!small || small_phase(small, o.small))
		goto cleanup;
	show_brk("after_small", "brk after the small mallocs");
	if (large_phase(o.large) || escape_phase() || churn_phase(o.rounds, o.churn))
		goto cleanup;
	malloc_trim(0);
	show_brk("after_trim", "brk after malloc_trim(0)");
	ret = 0;
cleanup:
	if (ret)
		fprintf(stderr, PROG ": out of memory\n");
	for (i = 0; small && i < o.small; i++)
		free(small[i]);
	free(small);
	report__close();
	return ret;
}
