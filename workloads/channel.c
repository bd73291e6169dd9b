// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * channel - N producer threads send M numbers each (1..M) through a bounded
 * channel, the C version of a buffered Go channel: a ring of 8 slots with a
 * mutex and two condition variables. One consumer receives until the
 * channel is closed and adds everything up.
 *
 * What it shows: the safe way for threads to share work. No thread touches
 * another's variables; values are handed over through the channel, whose
 * lock orders every send and receive, so the sum is always exactly
 * N * M * (M + 1) / 2 - unlike the race workload. The channel itself lives
 * on main's stack: the other threads reach it by pointer, because all of
 * them share one address space.
 *
 * In memtrace: N + 1 thread stacks (mmap + mprotect each) and `fork` events
 * with thread:true in one `as`. Blocking on a full or empty channel sleeps
 * in futex, which is not a memory syscall, so the steady state is quiet:
 * sending a value costs no mmap or brk.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"

#define PROG		"channel"
#define CHAN_CAP	8
#define MAX_PRODUCERS	256
#define MAX_MESSAGES	10000000

struct chan {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	long slot[CHAN_CAP];
	unsigned int head;	/* next slot to receive from */
	unsigned int count;	/* values waiting */
	bool closed;
};

struct worker {
	pthread_t thread;
	struct chan *ch;
	int index;
	long messages;		/* producer: how many to send */
	long long sum;		/* consumer: what it received */
	long received;
};

static void usage(void)
{
	printf(
"Usage: " PROG " [-n PRODUCERS] [-m MESSAGES] [--json FILE]\n"
"\n"
"PRODUCERS threads each send the numbers 1..MESSAGES through a channel of\n"
"%d slots (mutex + condition variables); one consumer thread sums them.\n"
"The sum always equals the expected value: no shared variable, no race.\n"
"\n"
"  -n, --producers N  producer threads (1-%d, default 2)\n"
"  -m, --messages M   values each producer sends (1-%d, default 1000)\n"
"  --json FILE        append a JSON Lines self-report to FILE\n"
"                     (default: $" REPORT_ENV " if set)\n"
"  -h, --help         this help\n"
"\n"
"In memtrace look for: one stack mmap + mprotect and one fork (thread:true)\n"
"per thread, all in one as; then nothing while the values flow.\n"
"\n"
"Examples:\n"
"  " PROG " -n 4 -m 100000\n"
"  sudo ./memtrace run " PROG "\n", CHAN_CAP, MAX_PRODUCERS, MAX_MESSAGES);
}

static void parse_args(int argc, char **argv, int *producers, long *messages,
		       const char **json)
{
	static const struct option longopts[] = {
		{ "producers", required_argument, NULL, 'n' },
		{ "messages", required_argument, NULL, 'm' },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			*producers = opt__number(PROG, "-n", optarg, 1, MAX_PRODUCERS);
			break;
		case 'm':
			*messages = opt__number(PROG, "-m", optarg, 1, MAX_MESSAGES);
			break;
		case OPT_JSON:
			*json = optarg;
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

static void chan__init(struct chan *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->not_empty, NULL);
	pthread_cond_init(&c->not_full, NULL);
}

static void chan__destroy(struct chan *c)
{
	pthread_cond_destroy(&c->not_full);
	pthread_cond_destroy(&c->not_empty);
	pthread_mutex_destroy(&c->lock);
}

/* Blocks while the channel is full, like a send on a buffered Go channel. */
static void chan__send(struct chan *c, long val)
{
	pthread_mutex_lock(&c->lock);
	while (c->count == CHAN_CAP)
		pthread_cond_wait(&c->not_full, &c->lock);
	c->slot[(c->head + c->count) % CHAN_CAP] = val;
	c->count++;
	pthread_cond_signal(&c->not_empty);
	pthread_mutex_unlock(&c->lock);
}

/* Blocks while empty; false once the channel is closed and drained. */
static bool chan__recv(struct chan *c, long *val)
{
	bool ok = false;

	pthread_mutex_lock(&c->lock);
	while (c->count == 0 && !c->closed)
		pthread_cond_wait(&c->not_empty, &c->lock);
	if (c->count) {
		*val = c->slot[c->head];
		c->head = (c->head + 1) % CHAN_CAP;
		c->count--;
		pthread_cond_signal(&c->not_full);
		ok = true;
	}
	pthread_mutex_unlock(&c->lock);
	return ok;
}

static void chan__close(struct chan *c)
{
	pthread_mutex_lock(&c->lock);
	c->closed = true;
	pthread_cond_broadcast(&c->not_empty);
	pthread_mutex_unlock(&c->lock);
}

static void report_thread(const char *role, int index, long count)
{
	struct jline j;

	jline__begin(&j, "thread");
	jline__str(&j, "role", role);
	jline__int(&j, "index", index);
	jline__int(&j, "count", count);
	jline__emit(&j);
}

static void *producer_main(void *arg)
{
	struct worker *w = arg;
	long i;

	for (i = 1; i <= w->messages; i++)
		chan__send(w->ch, i);
	printf("producer %-3d tid=%d  sent %ld values\n", w->index, gettid(),
	       w->messages);
	report_thread("producer", w->index, w->messages);
	return NULL;
}

static void *consumer_main(void *arg)
{
	struct worker *w = arg;
	long val;

	while (chan__recv(w->ch, &val)) {
		w->sum += val;
		w->received++;
	}
	printf("consumer     tid=%d  received %ld values\n", gettid(),
	       w->received);
	report_thread("consumer", 0, w->received);
	return NULL;
}

static void report_result(int producers, long messages, long long expected,
			  const struct worker *consumer)
{
	struct jline j;

	jline__begin(&j, "result");
	jline__int(&j, "producers", producers);
	jline__int(&j, "messages", messages);
	jline__int(&j, "received", consumer->received);
	jline__int(&j, "expected", expected);
	jline__int(&j, "actual", consumer->sum);
	jline__emit(&j);
}

/* Starts the consumer, then the producers; returns how many threads started. */
static int workers__start(struct worker *w, int producers, long messages,
			  struct chan *ch)
{
	int i, err = 0;

	for (i = 0; i <= producers && !err; i++) {
		w[i].ch = ch;
		w[i].index = i - 1;
		w[i].messages = messages;
		err = pthread_create(&w[i].thread, NULL,
				     i ? producer_main : consumer_main, &w[i]);
	}
	if (err)
		fprintf(stderr, PROG ": pthread_create: %s\n", strerror(err));
	return err ? i - 1 : i;
}

int main(int argc, char **argv)
{
	const char *json = NULL;
	struct worker *w = NULL;	/* w[0] is the consumer */
	int producers = 2, started, i, ret = 1;
	long messages = 1000;
	long long expected;
	struct chan ch;

	parse_args(argc, argv, &producers, &messages, &json);
	if (report__open(PROG, json) < 0)
		return 1;
	w = calloc(producers + 1, sizeof(*w));
	if (!w) {
		fprintf(stderr, PROG ": out of memory\n");
		goto cleanup;
	}
	chan__init(&ch);
	printf("channel of %d slots at %p (main's stack), %d producers x %ld values\n",
	       CHAN_CAP, (void *)&ch, producers, messages);

	started = workers__start(w, producers, messages, &ch);
	/* Close only after every producer is done: the consumer then drains. */
	for (i = 1; i < started; i++)
		pthread_join(w[i].thread, NULL);
	chan__close(&ch);
	if (started > 0)
		pthread_join(w[0].thread, NULL);
	chan__destroy(&ch);

	expected = (long long)producers * messages * (messages + 1) / 2;
	printf("sum %lld, expected %lld: %s\n", w[0].sum, expected,
	       w[0].sum == expected ? "exact" : "WRONG");
	report_result(producers, messages, expected, &w[0]);
	ret = started == producers + 1 && w[0].sum == expected ? 0 : 1;
cleanup:
	free(w);
	report__close();
	return ret;
}
