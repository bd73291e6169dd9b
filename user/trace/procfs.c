// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "procfs.h"

int procfs__status(pid_t pid, struct procfs_status *st)
{
	char path[64], line[128];
	long tgid = 0, ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	st->state = 0;
	st->threads = -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "State:", 6))
			sscanf(line + 6, " %c", &st->state);
		else if (!strncmp(line, "Tgid:", 5))
			sscanf(line + 5, "%ld", &tgid);
		else if (!strncmp(line, "PPid:", 5))
			sscanf(line + 5, "%ld", &ppid);
		else if (!strncmp(line, "Threads:", 8))
			sscanf(line + 8, "%d", &st->threads);
	}
	fclose(f);
	st->tgid = (pid_t)tgid;
	st->ppid = (pid_t)ppid;
	return 0;
}
