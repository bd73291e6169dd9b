/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * maps_copy.h - the ground-truth programs' copy of /proc/PID/maps.
 *
 * The copy maps nothing itself (open/read/write on a static buffer, no
 * stdio, no malloc), so the file shows the address space exactly as it was
 * when the copy began. Included by one program each: the buffer is static.
 */
#ifndef MEMTRACE_MAPS_COPY_H
#define MEMTRACE_MAPS_COPY_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>

static char maps_buf[1 << 20];

/*
 * Copies /proc/PID/maps (pid 0: /proc/self/maps) to path, created 0644.
 * Exits with 3 if either file cannot be opened, 4 on a short write: the
 * test then fails on the status rather than on a half copy.
 */
static void maps__copy_pid(pid_t pid, const char *path)
{
	char src[64];
	ssize_t n, len = 0;
	int in, out;

	if (pid)
		snprintf(src, sizeof(src), "/proc/%d/maps", pid);
	else
		strcpy(src, "/proc/self/maps");
	in = open(src, O_RDONLY);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0)
		_exit(3);
	while ((n = read(in, maps_buf + len, sizeof(maps_buf) - len)) > 0)
		len += n;
	if (write(out, maps_buf, len) != len)
		_exit(4);
	close(in);
	close(out);
}

#endif /* MEMTRACE_MAPS_COPY_H */
