// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * strace.c - see strace.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "strace.h"

bool strace__missing(void)
{
	if (access("/usr/bin/strace", X_OK) && access("/bin/strace", X_OK)) {
		harness_skip("strace is not installed");
		return true;
	}
	return false;
}

const char *strace__call(const char *line, size_t *len)
{
	const char *name = line + strspn(line, "0123456789");

	name += strspn(name, " ");
	*len = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");
	return name[*len] == '(' ? name : NULL;
}

/* "syscall:A|B|C[:ERR]" with the flag names sorted; err NULL leaves it out. */
static void creation__spell(const char *sc, size_t sclen, const char *flags, const char *err,
			    char *out, size_t n)
{
	char names[32][40], buf[512], t[40], *tok, *save;
	size_t k = 0, i, j, len;

	snprintf(buf, sizeof(buf), "%s", flags);
	for (tok = strtok_r(buf, "|", &save); tok && k < 32; tok = strtok_r(NULL, "|", &save))
		snprintf(names[k++], sizeof(names[0]), "%s", tok);
	for (i = 1; i < k; i++)		/* insertion sort: a handful of names */
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			memcpy(t, names[j], sizeof(t));
			memcpy(names[j], names[j - 1], sizeof(t));
			memcpy(names[j - 1], t, sizeof(t));
		}
	len = snprintf(out, n, "%.*s:", (int)sclen, sc);
	for (i = 0; i < k && len < n; i++)
		len += snprintf(out + len, n - len, "%s%s", i ? "|" : "", names[i]);
	if (err && len < n)
		snprintf(out + len, n - len, ":%s", err);
}

/*
 * One creation from a strace line, successful or not:
 * "PID clone(child_stack=NULL, flags=A|B|SIGCHLD) = -1 EINVAL (...)",
 * "PID clone3({flags=A|B, ..., exit_signal=SIGCHLD, ...}, 88) = 123" (the
 * signal folded in, as memtrace does), "PID clone3(NULL, 0) = -1 EINVAL"
 * (flags "null"), "PID fork()" or "PID vfork()" (the flags the kernel
 * uses for them).
 */
static bool strace__creation(const char *line, bool errors, char *out, size_t n)
{
	const char *p, *f, *sig, *eq;
	char flags[512] = "null", err[32] = "ok";
	size_t len;

	p = strace__call(line, &len);
	if (!p)
		return false;
	if (len == 4 && !strncmp(p, "fork", 4)) {
		snprintf(flags, sizeof(flags), "SIGCHLD");
	} else if (len == 5 && !strncmp(p, "vfork", 5)) {
		snprintf(flags, sizeof(flags), "CLONE_VM|CLONE_VFORK|SIGCHLD");
	} else if ((len == 5 && !strncmp(p, "clone", 5)) || (len == 6 && !strncmp(p, "clone3", 6))) {
		f = strstr(p, "flags=");
		if (f) {
			f += 6;
			snprintf(flags, sizeof(flags), "%.*s", (int)strcspn(f, ",})"), f);
			sig = strstr(p, "exit_signal=");
			if (sig && (sig += 12) && strncmp(sig, "0,", 2) && strncmp(sig, "0}", 2))
				snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "|%.*s",
					 (int)strcspn(sig, ",}"), sig);
		}
	} else {
		return false;
	}
	eq = strstr(p, "= -1 ");	/* strace pads short calls before " = " */
	if (eq)
		snprintf(err, sizeof(err), "%.*s", (int)strcspn(eq + 5, " "), eq + 5);
	creation__spell(p, len, flags, errors ? err : NULL, out, n);
	return true;
}

void creations__from_strace(struct creations *c, char *buf, bool errors)
{
	char one[512], *line, *save;

	c->n = 0;
	for (line = strtok_r(buf, "\n", &save); line && c->n < CREATIONS_MAX;
	     line = strtok_r(NULL, "\n", &save))
		if (strace__creation(line, errors, one, sizeof(one)))
			c->v[c->n++] = strdup(one);
}

void creations__from_trace(struct creations *c, const json_t *tr, bool errors)
{
	const char *sc;
	char one[512];
	json_t *ev;
	size_t i;

	c->n = 0;
	json_array_foreach(tr, i, ev) {
		if (!ev__is(ev, "fork") || c->n >= CREATIONS_MAX)
			continue;
		sc = ev__str(ev, "syscall") ?: "null";
		creation__spell(sc, strlen(sc), ev__str(ev, "flags") ?: "null",
				errors ? ev__str(ev, "error") ?: "ok" : NULL, one, sizeof(one));
		c->v[c->n++] = strdup(one);
	}
}

static int str__cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void creations__expect_equal(struct creations *theirs, struct creations *mine, bool sort)
{
	size_t i;

	if (sort) {
		qsort(theirs->v, theirs->n, sizeof(*theirs->v), str__cmp);
		qsort(mine->v, mine->n, sizeof(*mine->v), str__cmp);
	}
	EXPECT_MSG(theirs->n == mine->n && theirs->n > 0, "strace saw %zu creations, memtrace %zu",
		   theirs->n, mine->n);
	for (i = 0; i < theirs->n && i < mine->n; i++)
		EXPECT_MSG(!strcmp(theirs->v[i], mine->v[i]), "%s %zu: strace %s, memtrace %s",
			   sort ? "sorted call" : "call", i, theirs->v[i], mine->v[i]);
}

void creations__free(struct creations *c)
{
	while (c->n)
		free(c->v[--c->n]);
}
