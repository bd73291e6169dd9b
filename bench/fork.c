// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fork - storm of fork + child _exit + waitpid: process creation and
 * teardown, the path a shell or a pre-fork server takes.
 */
#include "storm.h"

static void fork__loop(long iters)
{
	long i;
	pid_t pid;

	for (i = 0; i < iters; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(1);
		}
		if (pid == 0)
			_exit(0);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
}

static const struct storm fork_storm = {
	.name = "fork",
	.what = "Forks a child that exits at once, and waits for it.",
	.events = "fork, exit (the child)",
	.default_iters = 1500,
	.loop = fork__loop,
};

int main(int argc, char **argv)
{
	return storm__main(&fork_storm, argc, argv);
}
