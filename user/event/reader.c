// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * reader - see reader.h. One jansson document per line; the event's
 * strings point into it, so a parsed event keeps its document until it
 * has been handed out and the caller has moved on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>
#include "decode.h"
#include "reader.h"

struct reader_slot {
	struct mt_event ev;
	json_t *doc;
	uint64_t lineno;	/* ties in ts keep the file's order */
};

/* A field error: "NAME:LINE: mmap without 'len'". Returns -EINVAL. */
static int reader__fail(struct reader *r, char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int reader__fail(struct reader *r, char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k;

	k = snprintf(err, n, "%s:%llu: ", r->name, (unsigned long long)r->lineno);
	if (k < 0 || (size_t)k >= n)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + k, n - k, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- typed fields ---- */

struct fields {
	struct reader *r;
	json_t *obj;
	const char *event;	/* for messages */
	char *err;
	size_t errlen;
	int bad;		/* the first error, then every getter is a no-op */
};

static json_t *field__get(struct fields *f, const char *key, bool required)
{
	json_t *v;

	if (f->bad)
		return NULL;
	v = json_object_get(f->obj, key);
	if ((!v || json_is_null(v)) && required)
		f->bad = reader__fail(f->r, f->err, f->errlen, "%s record without '%s'",
				      f->event, key);
	return v && !json_is_null(v) ? v : NULL;
}

static void field__type_error(struct fields *f, const char *key, const char *want)
{
	f->bad = reader__fail(f->r, f->err, f->errlen, "%s record: '%s' is not %s",
			      f->event, key, want);
}

/* A non-negative integer no larger than max. */
static uint64_t field__uint(struct fields *f, const char *key, uint64_t max)
{
	json_t *v = field__get(f, key, true);
	json_int_t i;

	if (!v)
		return 0;
	i = json_is_integer(v) ? json_integer_value(v) : -1;
	if (i < 0 || (uint64_t)i > max) {
		field__type_error(f, key, "a non-negative integer in range");
		return 0;
	}
	return (uint64_t)i;
}

static int64_t field__int(struct fields *f, const char *key, int64_t min, int64_t max)
{
	json_t *v = field__get(f, key, true);
	json_int_t i;

	if (!v)
		return 0;
	i = json_is_integer(v) ? json_integer_value(v) : min - 1;
	if (!json_is_integer(v) || i < min || i > max) {
		field__type_error(f, key, "an integer in range");
		return 0;
	}
	return i;
}

static bool field__bool(struct fields *f, const char *key)
{
	json_t *v = field__get(f, key, true);

	if (v && !json_is_boolean(v))
		field__type_error(f, key, "true or false");
	return v && json_is_true(v);
}

/* NULL when absent and not required. */
static const char *field__str(struct fields *f, const char *key, bool required)
{
	json_t *v = field__get(f, key, required);

	if (v && !json_is_string(v)) {
		field__type_error(f, key, "a string");
		return NULL;
	}
	return v ? json_string_value(v) : NULL;
}

static struct mt_str field__mt_str(struct fields *f, const char *key)
{
	json_t *v = field__get(f, key, true);
	struct mt_str s = { "", 0 };

	if (v && !json_is_string(v))
		field__type_error(f, key, "a string");
	else if (v) {
		s.s = json_string_value(v);
		s.max = json_string_length(v);
	}
	return s;
}

/* Addresses are "0x..." strings (docs/events.md); *present says if it was there. */
static uint64_t field__addr(struct fields *f, const char *key, bool required, bool *present)
{
	const char *s = field__str(f, key, required);
	uint64_t v = 0;
	char *end;

	if (present)
		*present = s != NULL;
	if (!s)
		return 0;
	errno = 0;
	if (strncmp(s, "0x", 2) || !s[2] || (v = strtoull(s + 2, &end, 16), *end) || errno)
		field__type_error(f, key, "an address (\"0x...\")");
	return v;
}

static uint64_t field__flags(struct fields *f, const char *key, enum decode_kind kind)
{
	const char *s = field__str(f, key, true);
	uint64_t v = 0;

	if (s && decode__parse_flags(kind, s, &v))
		f->bad = reader__fail(f->r, f->err, f->errlen, "%s record: unknown %s '%s'",
				      f->event, key, s);
	return v;
}

/* ---- one record ---- */

static void event__fork(struct fields *f, struct mt_event *ev)
{
	const char *flags, *sc;
	/* a failed creation (issue 17) has no child: no child_* fields */
	bool failed = json_object_get(f->obj, "error") != NULL;
	uint32_t sig = 0;

	ev->fork.child_pid = failed ? 0 : field__uint(f, "child_pid", UINT32_MAX);
	ev->fork.child_tid = failed ? 0 : field__uint(f, "child_tid", UINT32_MAX);
	ev->fork.thread = field__bool(f, "thread");
	ev->fork.child_as = failed ? 0 : field__uint(f, "child_as", UINT32_MAX);
	ev->fork.shared_vm = field__bool(f, "shared_vm");
	/* null flags: not known (docs/events.md) */
	flags = field__str(f, "flags", false);
	ev->fork.flags_known = flags != NULL;
	ev->fork.clone_flags = 0;
	/* the signal is the SIG* item, never low bits: CLONE_NEWTIME is 0x80 */
	if (flags && decode__parse_clone(flags, &ev->fork.clone_flags, &sig))
		f->bad = reader__fail(f->r, f->err, f->errlen, "fork record: unknown flags '%s'",
				      flags);
	/* exit_signal is newer than flags: traces without it keep the SIG* item's */
	ev->fork.exit_signal = json_is_integer(json_object_get(f->obj, "exit_signal")) ?
			       field__uint(f, "exit_signal", UINT32_MAX) : sig;
	sc = field__str(f, "syscall", false);
	ev->fork.syscall_nr = sc ? event__syscall_nr(sc) : MT_NR_UNKNOWN;
	if (sc && ev->fork.syscall_nr == MT_NR_UNKNOWN && !f->bad)
		f->bad = reader__fail(f->r, f->err, f->errlen, "fork record: unknown syscall '%s'",
				      sc);
}

/*
 * argv, a JSON array of strings, back into the record's shape (each
 * string NUL-terminated): kept in the line's document under a key no
 * writer uses, so it lives as long as the event's other strings.
 */
static void exec__argv(struct fields *f, struct mt_event *ev)
{
	json_t *a = field__get(f, "argv", false), *v, *joined;
	char *buf;
	size_t i, len = 0, k;

	if (!a)
		return;
	if (!json_is_array(a)) {
		field__type_error(f, "argv", "an array of strings");
		return;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			field__type_error(f, "argv", "an array of strings");
			return;
		}
		len += json_string_length(v) + 1;
	}
	buf = malloc(len + 1);
	if (!buf) {
		f->bad = reader__fail(f->r, f->err, f->errlen, "out of memory");
		return;
	}
	len = 0;
	json_array_foreach(a, i, v) {
		k = json_string_length(v);
		memcpy(buf + len, json_string_value(v), k);
		len += k;
		buf[len++] = '\0';
	}
	ev->exec.argv_truncated = json_object_get(f->obj, "argv_truncated") &&
				  field__bool(f, "argv_truncated");
	/* a cut argument had no NUL in the record */
	if (ev->exec.argv_truncated && len)
		len--;
	joined = json_stringn_nocheck(buf, len);
	free(buf);
	if (!joined || json_object_set_new(f->obj, "\x01argv", joined)) {
		f->bad = reader__fail(f->r, f->err, f->errlen, "out of memory");
		return;
	}
	ev->exec.has_argv = true;
	ev->exec.argv = json_string_value(joined);
	ev->exec.argv_len = len;
}

static void event__exec(struct fields *f, struct mt_event *ev)
{
	ev->exec.filename = field__mt_str(f, "filename");
	ev->exec.old_as = field__uint(f, "old_as", UINT32_MAX);
	ev->exec.old_tid = json_object_get(f->obj, "old_tid") ?
			   field__uint(f, "old_tid", UINT32_MAX) : ev->tid;
	ev->exec.truncated = json_object_get(f->obj, "filename_truncated") &&
			     field__bool(f, "filename_truncated");
	exec__argv(f, ev);
}

static void event__exit(struct fields *f, struct mt_event *ev)
{
	ev->exit.code = field__uint(f, "code", 255);
	ev->exit.signal = field__uint(f, "signal", 127);
	ev->exit.core = field__bool(f, "core");
	ev->exit.thread = field__bool(f, "thread");
}

static void event__mem(struct fields *f, struct mt_event *ev)
{
	bool has;

	switch (ev->type) {
	case MT_EV_MMAP:
		ev->mmap.addr = field__addr(f, "addr", false, &ev->has_addr);
		ev->mmap.len = field__uint(f, "len", UINT64_MAX);
		ev->mmap.prot = field__flags(f, "prot", DECODE_PROT);
		ev->mmap.flags = field__flags(f, "flags", DECODE_MMAP);
		ev->mmap.fd = field__int(f, "fd", INT32_MIN, INT32_MAX);
		ev->mmap.offset = field__uint(f, "offset", UINT64_MAX);
		ev->mmap.hint = field__addr(f, "hint", false, NULL);
		ev->mmap.has_path = field__get(f, "path", false) != NULL;
		if (ev->mmap.has_path)
			ev->mmap.path = field__mt_str(f, "path");
		ev->mmap.path_truncated = json_object_get(f->obj, "path_truncated") &&
					  field__bool(f, "path_truncated");
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		ev->range.addr = field__addr(f, "addr", true, &ev->has_addr);
		ev->range.len = field__uint(f, "len", UINT64_MAX);
		ev->range.prot = ev->type == MT_EV_MPROTECT ?
				 field__flags(f, "prot", DECODE_PROT) : 0;
		ev->range.has_pkey = ev->type == MT_EV_MPROTECT &&
				     json_object_get(f->obj, "pkey") != NULL;
		ev->range.pkey = ev->range.has_pkey ?
				 field__int(f, "pkey", INT32_MIN, INT32_MAX) : 0;
		break;
	/* issue 10 */
	case MT_EV_MADVISE: {
		const char *adv;

		ev->madvise.addr = field__addr(f, "addr", true, &ev->has_addr);
		ev->madvise.len = field__uint(f, "len", UINT64_MAX);
		adv = field__str(f, "advice", true);
		if (adv && decode__parse_madvise(adv, &ev->madvise.advice))
			f->bad = reader__fail(f->r, f->err, f->errlen,
					      "madvise record: unknown advice '%s'", adv);
		break;
	}
	case MT_EV_SHMAT:
		ev->shm.addr = field__addr(f, "addr", false, &ev->has_addr);
		ev->shm.len = json_object_get(f->obj, "len") ? field__uint(f, "len", UINT64_MAX) : 0;
		ev->shm.shmid = field__int(f, "shmid", INT32_MIN, INT32_MAX);
		ev->shm.flags = field__flags(f, "flags", DECODE_SHM);
		ev->shm.shmaddr = field__addr(f, "hint", false, NULL);
		break;
	case MT_EV_SHMDT:
		ev->shm.addr = field__addr(f, "addr", true, &ev->has_addr);
		ev->shm.len = json_object_get(f->obj, "len") ? field__uint(f, "len", UINT64_MAX) : 0;
		break;
	case MT_EV_VMA_NAME:
		ev->vma_name.addr = field__addr(f, "addr", true, &ev->has_addr);
		ev->vma_name.len = field__uint(f, "len", UINT64_MAX);
		ev->vma_name.cleared = !field__get(f, "name", false);
		if (!ev->vma_name.cleared)
			ev->vma_name.name = field__mt_str(f, "name");
		break;
	case MT_EV_BRK:
		ev->brk.req = field__addr(f, "req", true, NULL);
		ev->brk.addr = field__addr(f, "addr", false, &ev->has_addr);
		break;
	default:	/* MT_EV_MREMAP */
		ev->mremap.addr = field__addr(f, "addr", false, &ev->has_addr);
		ev->mremap.old_addr = field__addr(f, "old_addr", true, NULL);
		ev->mremap.old_len = field__uint(f, "old_len", UINT64_MAX);
		ev->mremap.new_len = field__uint(f, "new_len", UINT64_MAX);
		ev->mremap.flags = field__flags(f, "flags", DECODE_MREMAP);
		ev->mremap.new_addr = field__addr(f, "new_addr", false, &has);
		break;
	}
}

/* ---- issue 11: faults, fault, rss, as_end ---- */

static void counts__parse(struct fields *f, json_t *obj, struct mt_fault_counts *c)
{
	json_t *saved = f->obj;
	int i;

	f->obj = obj;
	for (i = 0; i < MT_FAULT_NCLASS; i++)
		c->n[i] = field__uint(f, event__fault_class_name(i), UINT64_MAX);
	c->total = field__uint(f, "total", UINT64_MAX);
	f->obj = saved;
}

static void rss__parse(struct fields *f, struct mt_rss_bytes *b, const char *const keys[5])
{
	b->anon = field__uint(f, keys[0], UINT64_MAX);
	b->file = field__uint(f, keys[1], UINT64_MAX);
	b->shmem = field__uint(f, keys[2], UINT64_MAX);
	b->swap = field__uint(f, keys[3], UINT64_MAX);
	b->total = field__uint(f, keys[4], UINT64_MAX);
}

static void event__mem11(struct fields *f, struct mt_event *ev)
{
	static const char *const rss_keys[5] = { "anon", "file", "shmem", "swap", "total" };
	static const char *const last_keys[5] = { "rss_anon", "rss_file", "rss_shmem",
						  "rss_swap", "rss_total" };
	const char *s;
	json_t *faults;

	switch (ev->type) {
	case MT_EV_FAULTS:
		ev->faults.start = field__addr(f, "start", true, NULL);
		ev->faults.end = field__addr(f, "end", true, NULL);
		ev->faults.name = field__mt_str(f, "region");
		s = field__str(f, "kind", true);
		ev->faults.kind = s ? event__region_kind(s) : MT_REGION_UNKNOWN;
		s = field__str(f, "reason", true);
		ev->faults.reason = s ? event__faults_reason(s) : 0;
		if (s && ev->faults.reason == UINT32_MAX && !f->bad)
			f->bad = reader__fail(f->r, f->err, f->errlen,
					      "faults record: unknown reason '%s'", s);
		counts__parse(f, f->obj, &ev->faults.counts);
		break;
	case MT_EV_FAULT:
		ev->fault.addr = field__addr(f, "addr", true, NULL);
		ev->fault.ip = field__addr(f, "ip", true, NULL);
		s = field__str(f, "class", true);
		ev->fault.class = s ? event__fault_class(s) : 0;
		if (s && ev->fault.class == MT_FAULT_NCLASS && !f->bad)
			f->bad = reader__fail(f->r, f->err, f->errlen,
					      "fault record: unknown class '%s'", s);
		ev->fault.write = field__bool(f, "write");
		ev->fault.kernel = field__bool(f, "kernel");
		ev->fault.present = field__bool(f, "present");
		ev->fault.start = field__addr(f, "start", true, NULL);
		ev->fault.end = field__addr(f, "end", true, NULL);
		break;
	case MT_EV_RSS:
		rss__parse(f, &ev->rss.rss, rss_keys);
		ev->rss.peak = field__uint(f, "peak", UINT64_MAX);
		break;
	default:	/* MT_EV_AS_END */
		ev->as_end.rss_peak = field__uint(f, "rss_peak", UINT64_MAX);
		rss__parse(f, &ev->as_end.last, last_keys);
		faults = field__get(f, "faults", true);
		if (faults && !json_is_object(faults))
			field__type_error(f, "faults", "an object");
		else if (faults)
			counts__parse(f, faults, &ev->as_end.faults);
		break;
	}
}

/* ---- end of issue 11 ---- */

/* Fills ev from obj. Returns 0 or -EINVAL with the message in err. */
static int event__from_json(struct reader *r, json_t *obj, uint32_t type,
			    struct mt_event *ev, char *err, size_t errlen)
{
	struct fields f = { .r = r, .obj = obj, .event = event__name(type),
			    .err = err, .errlen = errlen };
	const char *e;

	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->ts = field__uint(&f, "ts", INT64_MAX);
	ev->pid = field__uint(&f, "pid", UINT32_MAX);
	ev->tid = field__uint(&f, "tid", UINT32_MAX);
	ev->as = field__uint(&f, "as", UINT32_MAX);
	ev->comm = field__mt_str(&f, "comm");
	switch (type) {
	case MT_EV_FORK:
		event__fork(&f, ev);
		break;
	case MT_EV_EXEC:
		event__exec(&f, ev);
		break;
	case MT_EV_EXIT:
		event__exit(&f, ev);
		break;
	case MT_EV_FAULTS:	/* issue 11 */
	case MT_EV_FAULT:
	case MT_EV_RSS:
	case MT_EV_AS_END:
		event__mem11(&f, ev);
		break;
	default:
		event__mem(&f, ev);
		break;
	}
	e = field__str(&f, "error", false);
	if (e) {
		ev->error = decode__parse_errno(e);
		if (ev->error < 0)
			return reader__fail(r, err, errlen, "%s record: unknown error '%s'",
					    f.event, e);
	}
	return f.bad;
}

/* ---- start and summary ---- */

static void counts__read(json_t *obj, uint64_t *v)
{
	const char *key;
	json_t *val;
	uint32_t t;

	json_object_foreach(obj, key, val) {
		t = event__type(key);
		if (t != MT_EV_NONE && json_is_integer(val) && json_integer_value(val) >= 0)
			v[t] = json_integer_value(val);
	}
}

static int reader__summary(struct reader *r, json_t *obj, char *err, size_t errlen)
{
	struct fields f = { .r = r, .obj = obj, .event = "summary", .err = err,
			    .errlen = errlen };
	json_t *v;

	if (r->has_summary)
		return reader__fail(r, err, errlen, "a second summary record");
	memset(&r->summary, 0, sizeof(r->summary));
	r->summary.duration_ns = field__uint(&f, "duration_ns", INT64_MAX);
	r->summary.missed = field__uint(&f, "missed", INT64_MAX);
	if (f.bad)
		return f.bad;
	v = json_object_get(obj, "events");
	if (!json_is_object(v))
		return reader__fail(r, err, errlen, "summary record without 'events'");
	counts__read(v, r->summary.events);
	v = json_object_get(obj, "lost_by_type");
	if (json_is_object(v))
		counts__read(v, r->summary.lost);
	/*
	 * lost = sum of lost_by_type + missed, plus types this reader has no
	 * name for: keep the difference in the unnamed slot 0 so no loss is
	 * forgotten.
	 */
	v = json_object_get(obj, "lost");
	if (json_is_integer(v)) {
		uint64_t named = r->summary.missed;
		int t;

		for (t = 0; t < MT_COUNT_SLOTS; t++)
			named += r->summary.lost[t];
		if ((uint64_t)json_integer_value(v) > named)
			r->summary.lost[MT_EV_NONE] += json_integer_value(v) - named;
	}
	v = json_object_get(obj, "exit_status");
	r->summary.exit_status = json_is_integer(v) ? (int)json_integer_value(v) : -1;
	r->has_summary = true;
	return 0;
}

static int reader__start(struct reader *r, json_t *obj, char *err, size_t errlen)
{
	struct fields f = { .r = r, .obj = obj, .event = "start", .err = err,
			    .errlen = errlen };
	json_t *schema = json_object_get(obj, "schema");

	if (!json_is_integer(schema))
		return reader__fail(r, err, errlen, "start record without a schema number");
	if (json_integer_value(schema) != MT_SCHEMA_VERSION)
		return reader__fail(r, err, errlen,
				    "trace schema %lld is not supported (this memtrace reads schema %d): use the memtrace that wrote it",
				    (long long)json_integer_value(schema), MT_SCHEMA_VERSION);
	r->start.version = field__str(&f, "version", false);
	r->start.command = field__str(&f, "command", false);
	r->start.target = field__str(&f, "target", false);
	r->start.kernel_release = field__str(&f, "kernel", false);
	r->start.root_pid = json_object_get(obj, "root_pid") ?
			    field__uint(&f, "root_pid", UINT32_MAX) : 0;
	r->start.wall_start_ns = json_object_get(obj, "wall_start_ns") ?
				 field__int(&f, "wall_start_ns", INT64_MIN, INT64_MAX) : 0;
	if (f.bad)
		return f.bad;
	r->start_doc = json_incref(obj);
	return 0;
}

/* ---- lines ---- */

/*
 * The next line as a JSON object; NULL at the end (*rc 0) or on an error
 * (*rc -EINVAL). Blank lines are not allowed: JSON Lines has none.
 */
static json_t *reader__line(struct reader *r, int *rc, char *err, size_t errlen)
{
	json_error_t jerr;
	ssize_t len;
	json_t *obj;

	*rc = 0;
	errno = 0;
	len = getline(&r->line, &r->cap, r->in);
	if (len < 0) {
		if (ferror(r->in))
			*rc = reader__fail(r, err, errlen, "read error: %s", strerror(errno ? errno : EIO));
		return NULL;
	}
	r->lineno++;
	if (len && r->line[len - 1] == '\n')
		len--;
	/* JSON_REJECT_DUPLICATES: a doctored line must not hide a second value */
	obj = json_loadb(r->line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		*rc = reader__fail(r, err, errlen, "not JSON (%s, column %d)%s", jerr.text,
				   jerr.column,
				   feof(r->in) ? ": the last line is cut short, was memtrace killed?" : "");
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		*rc = reader__fail(r, err, errlen, "not a JSON object");
		return NULL;
	}
	return obj;
}

int reader__open(struct reader *r, const char *path, char *err, size_t errlen)
{
	struct stat st;
	json_t *obj;
	const char *ev;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!strcmp(path, "-")) {
		r->in = stdin;
		r->name = "standard input";
		if (isatty(STDIN_FILENO)) {
			snprintf(err, errlen, "the trace would come from standard input, which is a terminal: pipe a trace in (memtrace run -f json -o - NAME | memtrace report -) or name a file");
			return -EINVAL;
		}
	} else {
		r->name = path;
		r->in = fopen(path, "re");
		if (!r->in) {
			rc = -errno;
			snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
			return rc;
		}
	}
	if (!fstat(fileno(r->in), &st) && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "'%s' is a directory: name a trace file (memtrace run -f json -o t.jsonl ...)", path);
		return -EISDIR;
	}
	obj = reader__line(r, &rc, err, errlen);
	if (!obj) {
		if (!rc) {
			snprintf(err, errlen, "%s is empty: not a memtrace trace (write one with memtrace run -f json -o FILE)",
				 r->name);
			return -EINVAL;
		}
		snprintf(err, errlen, "%s is not a memtrace JSON trace: its first line is not JSON (text and CSV traces cannot be read back: record with -f json)",
			 r->name);
		return -EINVAL;
	}
	ev = json_string_value(json_object_get(obj, "event"));
	if (!ev || strcmp(ev, "start")) {
		json_decref(obj);
		snprintf(err, errlen, "%s is not a memtrace trace: line 1 is not its start record ({\"event\":\"start\",...})",
			 r->name);
		return -EINVAL;
	}
	rc = reader__start(r, obj, err, errlen);
	json_decref(obj);
	return rc;
}

/* ---- the sorting window: a min-heap by (ts, line) ---- */

static bool slot__less(const struct reader_slot *a, const struct reader_slot *b)
{
	return a->ev.ts < b->ev.ts || (a->ev.ts == b->ev.ts && a->lineno < b->lineno);
}

/* Room for one more slot: the window grows with the trace, up to READER_WINDOW. */
static int heap__grow(struct reader *r)
{
	struct reader_slot *v;
	size_t cap;

	if (r->nheap < r->heap_cap)
		return 0;
	cap = r->heap_cap ? r->heap_cap * 2 : 64;
	v = realloc(r->heap, (cap < READER_WINDOW ? cap : READER_WINDOW) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->heap = v;
	r->heap_cap = cap < READER_WINDOW ? cap : READER_WINDOW;
	return 0;
}

static void heap__push(struct reader *r, const struct reader_slot *s)
{
	size_t i = r->nheap++, p;

	while (i && slot__less(s, &r->heap[p = (i - 1) / 2])) {
		r->heap[i] = r->heap[p];
		i = p;
	}
	r->heap[i] = *s;
}

static void heap__pop(struct reader *r, struct reader_slot *out)
{
	struct reader_slot last;
	size_t i = 0, c;

	*out = r->heap[0];
	last = r->heap[--r->nheap];
	for (;;) {
		c = 2 * i + 1;
		if (c >= r->nheap)
			break;
		if (c + 1 < r->nheap && slot__less(&r->heap[c + 1], &r->heap[c]))
			c++;
		if (!slot__less(&r->heap[c], &last))
			break;
		r->heap[i] = r->heap[c];
		i = c;
	}
	if (r->nheap)
		r->heap[i] = last;
}

/* Reads lines until one event is parsed into *s, the end, or an error. */
static int reader__parse_next(struct reader *r, struct reader_slot *s, char *err, size_t errlen)
{
	const char *name;
	uint32_t type;
	json_t *obj;
	int rc;

	for (;;) {
		obj = reader__line(r, &rc, err, errlen);
		if (!obj)
			return rc;
		name = json_string_value(json_object_get(obj, "event"));
		if (!name) {
			json_decref(obj);
			return reader__fail(r, err, errlen, "record without an \"event\" name");
		}
		if (r->has_summary) {
			/* name lives in obj: format the message before letting it go */
			rc = reader__fail(r, err, errlen,
					  "'%s' record after the summary: one trace per file (were two traces joined?)",
					  name);
			json_decref(obj);
			return rc;
		}
		if (!strcmp(name, "summary")) {
			rc = reader__summary(r, obj, err, errlen);
			json_decref(obj);
			if (rc)
				return rc;
			continue;
		}
		if (!strcmp(name, "start")) {
			json_decref(obj);
			return reader__fail(r, err, errlen,
					    "a second start record: one trace per file (were two traces joined?)");
		}
		type = event__type(name);
		if (type == MT_EV_NONE) {
			/* schema 1 may add event types: ignore, but count (report says so) */
			r->unknown++;
			json_decref(obj);
			continue;
		}
		rc = event__from_json(r, obj, type, &s->ev, err, errlen);
		if (rc) {
			json_decref(obj);
			return rc;
		}
		s->doc = obj;
		s->lineno = r->lineno;
		return 1;
	}
}

int reader__next(struct reader *r, struct mt_event *ev, char *err, size_t errlen)
{
	struct reader_slot s;
	int rc;

	json_decref(r->out_doc);
	r->out_doc = NULL;
	while (!r->eof && r->nheap < READER_WINDOW) {
		rc = reader__parse_next(r, &s, err, errlen);
		if (rc < 0)
			return rc;
		if (!rc) {
			r->eof = true;
			break;
		}
		if (heap__grow(r)) {
			json_decref(s.doc);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		heap__push(r, &s);
	}
	if (!r->nheap)
		return 0;
	heap__pop(r, &s);
	if (s.ev.ts < r->last_ts)
		r->late++;
	else
		r->last_ts = s.ev.ts;
	*ev = s.ev;
	r->out_doc = s.doc;
	r->events++;
	return 1;
}

void reader__close(struct reader *r)
{
	struct reader_slot s;

	while (r->heap && r->nheap) {
		heap__pop(r, &s);
		json_decref(s.doc);
	}
	free(r->heap);
	json_decref(r->out_doc);
	json_decref(r->start_doc);
	free(r->line);
	if (r->in && r->in != stdin)
		fclose(r->in);
	memset(r, 0, sizeof(*r));
}
