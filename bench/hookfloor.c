// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hookfloor - run a command with the cheapest possible sys_exit tracer on.
 *
 *	hookfloor [-r | -b | -p] -- CMD [ARG...]
 *
 * Alone, the program on tp_btf/sys_exit returns at once: what is left is
 * the syscall tracepoint slow path every task takes while any program is on
 * raw_syscalls (include/linux/entry-common.h, SYSCALL_WORK_SYSCALL_TRACEPOINT)
 * plus the BPF dispatch. With -r each syscall of CMD's process also writes
 * one timestamped record of memtrace's mmap size into a 2 MiB BPF ring,
 * drained every 10 ms without wake-ups; with -b the same records are staged
 * per CPU and copied to the ring FLOOR_BATCH at a time (the last partial
 * batch of each CPU is never sent); with -p they go into a per-CPU ring in a
 * BPF_F_MMAPABLE array that this loader reads in place every 10 ms (a full
 * one overflows into the BPF ring). bench/run.sh runs storms under these
 * (floor-hook, floor-record, floor-batch; floor-pcpu when asked for) to show
 * the floor under memtrace.
 *
 * Exit status: CMD's (128 + signal if it was killed); 1 if the program could
 * not be loaded, 2 for bad usage. Records delivered and lost go to stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include <sys/mman.h>
#include "hookfloor.skel.h"
#include "memtrace.h"
#include "hookfloor.h"

static unsigned long long records;
static volatile __u64 drained_ts;	/* the last record's ts: read as a consumer would */

static int floor__count(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data;
	records += size / sizeof(struct mt_mem_event);	/* a batch holds several */
	return 0;
}

/* Takes what every CPU's ring holds, reading each record as a consumer would. */
static void floor__drain(struct floor_ring *rings, int ncpu)
{
	for (int c = 0; c < ncpu; c++) {
		struct floor_ring *r = &rings[c];
		__u64 h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

		for (__u64 t = r->tail; t < h; t++)
			drained_ts = r->rec[t & (FLOOR_SLOTS - 1)].hdr.ts;
		records += h - r->tail;
		__atomic_store_n(&r->tail, h, __ATOMIC_RELEASE);
	}
}

/* Forks CMD stopped on a pipe read; *gate is the end that releases it. */
static pid_t child__spawn(char **argv, int *gate)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(127);	/* the tracer gave up */
		execvp(argv[0], argv);
		fprintf(stderr, "hookfloor: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	*gate = fds[1];
	return pid;
}

static int status__code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	struct hookfloor_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct floor_ring *rings = MAP_FAILED;
	int ncpu = libbpf_num_possible_cpus();
	const char *what = "open the BPF object";
	enum floor_mode mode = FLOOR_HOOK;
	int opt, gate = -1, st = 0, err = 1;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+rbph")) != -1) {
		switch (opt) {
		case 'r':
			mode = FLOOR_RECORD;
			break;
		case 'b':
			mode = FLOOR_BATCHED;
			break;
		case 'p':
			mode = FLOOR_PCPU;
			break;
		default:
			fprintf(stderr, "usage: hookfloor [-r | -b | -p] -- CMD [ARG...]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "hookfloor: no command: usage: hookfloor [-r | -b | -p] -- CMD [ARG...]\n");
		return 2;
	}
	pid = child__spawn(argv + optind, &gate);
	if (pid < 0) {
		fprintf(stderr, "hookfloor: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	skel = hookfloor_bpf__open();
	if (!skel)
		goto out;
	skel->rodata->target_tgid = pid;
	skel->rodata->mode = mode;
	what = "size the per-CPU rings";
	if (ncpu <= 0 || bpf_map__set_max_entries(skel->maps.floor_rings, ncpu))
		goto out;
	what = "load and attach the program (run as root)";
	if (hookfloor_bpf__load(skel) || hookfloor_bpf__attach(skel))
		goto out;
	what = "set up the ring";
	if (mode != FLOOR_HOOK) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.floor_events), floor__count, NULL, NULL);
		if (!rb)
			goto out;
	}
	what = "map the per-CPU rings";
	if (mode == FLOOR_PCPU) {
		rings = mmap(NULL, (size_t)ncpu * sizeof(*rings), PROT_READ | PROT_WRITE,
			     MAP_SHARED, bpf_map__fd(skel->maps.floor_rings), 0);
		if (rings == MAP_FAILED)
			goto out;
	}
	what = "start the command";
	if (write(gate, "x", 1) != 1)
		goto out;
	close(gate);
	gate = -1;
	what = "wait for the command";
	for (;;) {
		pid_t w;

		if (rb) {
			/* records never wake us (BPF_RB_NO_WAKEUP): poll is a 10 ms sleep */
			ring_buffer__poll(rb, 10);
			ring_buffer__consume(rb);
		}
		if (rings != MAP_FAILED)
			floor__drain(rings, ncpu);
		w = waitpid(pid, &st, rb ? WNOHANG : 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			goto out;
	}
	if (rb)
		ring_buffer__consume(rb);
	if (rings != MAP_FAILED)
		floor__drain(rings, ncpu);
	if (rb)
		fprintf(stderr, "hookfloor: %llu records, %llu lost\n", records,
			(unsigned long long)skel->bss->lost);
	err = status__code(st);
	pid = 0;
out:
	if (pid > 0) {
		fprintf(stderr, "hookfloor: cannot %s: %s\n", what, strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (gate >= 0)
		close(gate);
	if (rings != MAP_FAILED)
		munmap(rings, (size_t)ncpu * sizeof(*rings));
	ring_buffer__free(rb);
	hookfloor_bpf__destroy(skel);
	return err;
}
