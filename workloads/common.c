// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * common - self-report writer, option helpers and region_of() for the
 * workloads. Nothing here calls malloc: the heap workload asks where its
 * allocations live, and the answer must not move the heap it looks at.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"

static int report_fd = -1;
static const char *report_name = "workload";
static const char *report_file;

int report__open(const char *workload, const char *path)
{
	report_name = workload;
	if (!path)
		path = getenv(REPORT_ENV);
	if (!path || !*path)
		return 0;
	/* O_APPEND: parent, children and threads all add whole lines. */
	report_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (report_fd < 0) {
		int err = errno;

		fprintf(stderr, "%s: cannot open self-report %s: %s\n",
			workload, path, strerror(err));
		return -err;
	}
	report_file = path;
	return 0;
}

const char *report__path(void)
{
	return report_file;
}

void report__close(void)
{
	if (report_fd >= 0)
		close(report_fd);
	report_fd = -1;
	report_file = NULL;
}

static void jline__printf(struct jline *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void jline__printf(struct jline *j, const char *fmt, ...)
{
	size_t room = sizeof(j->buf) - j->len;
	va_list ap;
	int n;

	if (j->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(j->buf + j->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		j->overflow = true;
		return;
	}
	j->len += n;
}

static void jline__quoted(struct jline *j, const char *s)
{
	jline__printf(j, "\"");
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			jline__printf(j, "\\%c", c);
		else if (c == '\n')
			jline__printf(j, "\\n");
		else if (c == '\t')
			jline__printf(j, "\\t");
		else if (c < 0x20 || c == 0x7f)
			jline__printf(j, "\\u%04x", c);
		else
			jline__printf(j, "%c", c);
	}
	jline__printf(j, "\"");
}

static void jline__key(struct jline *j, const char *key)
{
	if (j->len > 1)
		jline__printf(j, ",");
	jline__quoted(j, key);
	jline__printf(j, ":");
}

void jline__begin(struct jline *j, const char *kind)
{
	j->len = 0;
	j->overflow = false;
	jline__printf(j, "{");
	jline__str(j, "workload", report_name);
	jline__str(j, "kind", kind);
	jline__int(j, "pid", getpid());
	jline__int(j, "tid", gettid());
}

void jline__str(struct jline *j, const char *key, const char *val)
{
	jline__key(j, key);
	jline__quoted(j, val);
}

void jline__int(struct jline *j, const char *key, long long val)
{
	jline__key(j, key);
	jline__printf(j, "%lld", val);
}

void jline__addr(struct jline *j, const char *key, const void *addr)
{
	jline__key(j, key);
	jline__printf(j, "\"0x%lx\"", (unsigned long)(uintptr_t)addr);
}

void jline__bool(struct jline *j, const char *key, bool val)
{
	jline__key(j, key);
	jline__printf(j, "%s", val ? "true" : "false");
}

int jline__emit(struct jline *j)
{
	ssize_t n;

	jline__printf(j, "}\n");
	if (j->overflow) {
		/* A cut line would be invalid JSON; better none than that. */
		fprintf(stderr, "%s: self-report line too long, dropped\n",
			report_name);
		return -ENOSPC;
	}
	if (report_fd < 0)
		return 0;
	n = write(report_fd, j->buf, j->len);
	if (n < 0)
		return -errno;
	return (size_t)n == j->len ? 0 : -EIO;
}

void opt__fail(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

long opt__number(const char *prog, const char *opt, const char *arg,
		 long min, long max)
{
	char *end;
	long val;

	errno = 0;
	val = strtol(arg, &end, 10);
	if (errno || end == arg || *end || val < min || val > max)
		opt__fail(prog, "%s wants a number from %ld to %ld, not '%s'",
			  opt, min, max, arg);
	return val;
}

void opt__unknown(const char *prog, char **argv, int c)
{
	const char *what = argv[optind - 1];

	if (c == ':')
		opt__fail(prog, "option '%s' needs a value", what);
	/* A bad short option may sit inside a group like -xn: name the letter. */
	if (optopt > 0 && optopt < 0x80 && what[1] != '-')
		opt__fail(prog, "unknown option '-%c'", optopt);
	opt__fail(prog, "unknown option '%s'", what);
}

/*
 * One maps line: "start-end perms offset dev inode   [path]". Returns true
 * and fills buf when addr lies inside it.
 */
static bool maps_line_holds(char *line, uintptr_t addr, char *buf, size_t n)
{
	unsigned long long start, end;
	char *p;
	int field;

	start = strtoull(line, &p, 16);
	if (*p != '-')
		return false;
	end = strtoull(p + 1, &p, 16);
	if (addr < start || addr >= end)
		return false;
	for (field = 0; field < 4; field++) {	/* perms offset dev inode */
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
	}
	while (*p == ' ')
		p++;
	snprintf(buf, n, "%s", *p ? p : "anonymous");
	return true;
}

char *region_of(const void *addr, char *buf, size_t n)
{
	char chunk[PATH_MAX + 256];
	size_t have = 0;
	ssize_t got;
	int fd;

	snprintf(buf, n, "unmapped");
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	while ((got = read(fd, chunk + have, sizeof(chunk) - 1 - have)) > 0) {
		char *line = chunk, *nl;

		have += got;
		chunk[have] = '\0';
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			if (maps_line_holds(line, (uintptr_t)addr, buf, n))
				goto out;
			line = nl + 1;
		}
		/* Keep the partial last line for the next read. */
		have = strlen(line);
		memmove(chunk, line, have);
		if (have == sizeof(chunk) - 1)
			break;
	}
out:
	close(fd);
	return buf;
}
