// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * reader - see reader.h. Event lines go through yajl's callback (SAX)
 * API: the callbacks fill a fixed table of the known top-level keys with
 * typed values, the typed getters turn the table into struct mt_event, and
 * the event's strings are copied into its slot of the sorting window, which
 * lives until the event has been handed out and the caller has moved on.
 * Nothing is allocated per line once the window is full. The start and
 * summary records (one line each) are read with jansson.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/sched.h>
#include <math.h>
#include <jansson.h>
#include <yajl/yajl_parse.h>
#include "decode.h"
#include "reader.h"

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

/* ---- the key table ---- */

/*
 * Every top-level key the reader looks at, in any record: X(name). A new
 * field is one line here plus its getter call below; the parser stores the
 * value of a key listed here and skips (but still checks) any other.
 */
#define READER_KEYS(X)							\
	X(event) X(ts) X(pid) X(tid) X(as) X(comm) X(error)		\
	X(child_pid) X(child_tid) X(thread) X(child_as) X(shared_vm)	\
	X(flags) X(exit_signal) X(syscall)				\
	X(filename) X(old_as) X(old_tid) X(filename_truncated)		\
	X(code) X(signal) X(core)					\
	X(addr) X(len) X(prot) X(fd) X(offset) X(hint) X(req)		\
	X(old_addr) X(old_len) X(new_len) X(new_addr)			\
	X(schema) X(version) X(command) X(target) X(kernel)		\
	X(root_pid) X(wall_start_ns) X(duration_ns) X(missed)		\
	X(unfollowed) X(unnumbered) X(part)				\
	/* issue 11: faults, fault, rss, as_end (kernel is above) */	\
	X(start) X(end) X(region) X(kind) X(reason) X(ip) X(class)	\
	X(write) X(present) X(peak) X(total) X(faults)	\
	X(anon) X(file) X(shmem) X(swap) X(cow) X(file_cow) X(shared)	\
	X(stack) X(other) X(rss_peak) X(rss_anon) X(rss_file)		\
	X(rss_shmem) X(rss_swap) X(rss_total)				\
	/* issue 10: more calls, names, argv, the kernel-made map */	\
	X(advice) X(pkey) X(shmid) X(name) X(path) X(path_truncated)	\
	X(argv) X(argv_truncated) X(origin) X(dev) X(inode)

#define KEY_HASH	256	/* open addressing, power of two > 2 * K_COUNT */

enum reader_key {
#define KEY__ENUM(k) K_##k,
	READER_KEYS(KEY__ENUM)
#undef KEY__ENUM
	K_COUNT,
	K_OTHER = K_COUNT,	/* a key the reader does not look at */
};

_Static_assert(K_COUNT < KEY_HASH / 2 && K_COUNT < 255, "READER_KEYS outgrew the key hash");

static const char *const key_names[K_COUNT] = {
#define KEY__NAME(k) [K_##k] = #k,
	READER_KEYS(KEY__NAME)
#undef KEY__NAME
};

enum jv_kind { JV_NULL = 1, JV_FALSE, JV_TRUE, JV_INT, JV_REAL, JV_STR, JV_OBJECT, JV_ARRAY };

/*
 * One value of a key: what the getters below read, from yajl or jansson.
 * A JV_ARRAY of a yajl line holds its strings packed: s, len bytes, each
 * string ended by a NUL, i of them (struct mt_exec.argv's form); nonstr
 * says some element was not a string (jansson's arrays always say so:
 * only event lines, read with yajl, carry arrays).
 */
struct jv {
	uint32_t gen;		/* == the line's generation: present on this line */
	uint8_t kind;		/* enum jv_kind */
	bool nonstr;		/* JV_ARRAY: an element is not a string */
	int64_t i;		/* JV_INT (jansson's json_int_t range); JV_ARRAY: elements */
	const char *s;		/* JV_STR: NUL-terminated, len bytes (may hold none) */
	size_t len;
};

/* A key of an object other than the top-level one's known keys (duplicate check). */
struct seen_key {
	const char *s;
	size_t len;
};

/* ---- the line parser: yajl callbacks into the key table ---- */

#define MAX_DEPTH	2048	/* jansson's limit: deeper lines are not JSON for it either */
#define ARENA_SIZE	8192
#define READER_BUFSIZE	(256 << 10)	/* reads of the trace */
/*
 * The longest line accepted. memtrace's longest record is an exec: path
 * (MT_PATH_LEN) and argv (MT_ARGV_LEN) bytes, each at worst escaped as
 * \u00XX (6 bytes), argv's empty strings as "", (3 bytes each), comm and
 * the numbers: under 64 KiB. 1 MiB leaves room and bounds what endless
 * input (/dev/zero) can take.
 */
#define READER_MAX_LINE	(1 << 20)

/*
 * A parsed event in the window. Its strings live in str (the unescaped
 * strings of its line) or, for a line read with jansson, in doc.
 */
struct reader_slot {
	struct mt_event ev;
	char *str;
	size_t cap;
	json_t *doc;
};

struct reader_ent {		/* a heap entry: a parsed event waiting in the window */
	uint64_t ts, lineno;	/* ties in ts keep the file's order */
	uint32_t slot;
};

struct reader_state {
	/* the line */
	yajl_handle yajl;
	struct jv vals[K_COUNT];
	uint32_t gen;
	uint32_t depth;		/* 0 outside the line's value, 1 in the top-level object */
	int key;		/* enum reader_key of the depth-1 key whose value comes next */
	struct jv *arr;		/* the known key's array being read (depth 2 inside it) */
	bool object;		/* the line is a JSON object */
	const char *text;	/* the line being parsed */
	size_t text_len;
	const char *why;	/* our own reason to refuse the line (not yajl's) */
	char why_buf[96];
	struct reader_slot *slot;	/* the slot being filled: its str holds the line's strings */
	char *sbuf;		/* == slot->str while parsing */
	size_t sused;
	struct seen_key *keys;	/* keys of the open objects, not known depth-1 keys */
	size_t nkeys, kcap;
	size_t *open;		/* per depth: first index in keys, SIZE_MAX for an array */
	size_t open_cap;
	/* yajl's allocations: a bump arena reset per line */
	unsigned char arena[ARENA_SIZE] __attribute__((aligned(16)));
	size_t aused;
	/* the known keys by hash: key index + 1, 0 = empty */
	uint8_t hash[KEY_HASH];
	uint8_t key_len[K_COUNT];
	/* the window */
	struct reader_slot *slots;
	uint32_t nslots, slot_cap, *free_slots, nfree;
	struct reader_ent *heap;
	size_t nheap;
	uint32_t out;		/* slot of the event last returned, UINT32_MAX = none */
	/* the input: our own buffer, so that a line's length is known before it is kept */
	char ibuf[READER_BUFSIZE];
	size_t ipos, ilen;
	bool ieof;
};

static uint32_t key__hash(const unsigned char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *s++) * 16777619u;
	return h;
}

static void keys__init(struct reader_state *st)
{
	uint32_t k, h;

	for (k = 0; k < K_COUNT; k++) {
		st->key_len[k] = strlen(key_names[k]);
		h = key__hash((const unsigned char *)key_names[k], strlen(key_names[k]));
		while (st->hash[h & (KEY_HASH - 1)])
			h++;
		st->hash[h & (KEY_HASH - 1)] = k + 1;
	}
}

static int key__lookup(const struct reader_state *st, const unsigned char *s, size_t len)
{
	uint32_t h = key__hash(s, len);
	int k;

	while ((k = st->hash[h & (KEY_HASH - 1)])) {
		if (st->key_len[k - 1] == len && !memcmp(key_names[k - 1], s, len))
			return k - 1;
		h++;
	}
	return K_OTHER;
}

/* The key of a name made at run time (fault classes); every such name is in READER_KEYS. */
static enum reader_key key__of(const char *name)
{
	enum reader_key k;

	for (k = 0; k < K_COUNT; k++)
		if (!strcmp(key_names[k], name))
			return k;
	abort();	/* a name missing from READER_KEYS: a bug, caught by any test */
}

/* yajl's allocator: a bump arena, so a handle per line costs no malloc. */
struct arena_hdr {
	size_t size;
	size_t pad;
};

static void *arena__malloc(void *ctx, size_t n)
{
	struct reader_state *st = ctx;
	struct arena_hdr *h;
	size_t need = sizeof(*h) + ((n + 15) & ~(size_t)15);

	if (st->aused + need > ARENA_SIZE) {
		h = malloc(sizeof(*h) + n);
	} else {
		h = (struct arena_hdr *)(st->arena + st->aused);
		st->aused += need;
	}
	if (!h)
		return NULL;
	h->size = n;
	return h + 1;
}

static bool arena__owns(struct reader_state *st, void *p)
{
	return (unsigned char *)p >= st->arena && (unsigned char *)p < st->arena + ARENA_SIZE;
}

static void arena__free(void *ctx, void *p)
{
	if (p && !arena__owns(ctx, p))
		free((struct arena_hdr *)p - 1);
}

static void *arena__realloc(void *ctx, void *p, size_t n)
{
	struct arena_hdr *h;
	void *q;

	if (!p)
		return arena__malloc(ctx, n);
	h = (struct arena_hdr *)p - 1;
	if (!arena__owns(ctx, p)) {
		h = realloc(h, sizeof(*h) + n);
		if (!h)
			return NULL;
		h->size = n;
		return h + 1;
	}
	q = arena__malloc(ctx, n);
	if (q)
		memcpy(q, p, h->size < n ? h->size : n);
	return q;
}

static int parse__refuse(struct reader_state *st, const char *why)
{
	st->why = why;
	return 0;	/* stops yajl: yajl_status_client_canceled */
}

/* Copies a string or key into sbuf (room for the line is made beforehand). */
static const char *parse__copy(struct reader_state *st, const unsigned char *s, size_t len)
{
	char *d = st->sbuf + st->sused;

	memcpy(d, s, len);
	d[len] = '\0';
	st->sused += len + 1;
	return d;
}

/* Where the value that comes next goes: NULL if the reader does not keep it. */
static struct jv *parse__slot(struct reader_state *st)
{
	struct jv *v;

	if (st->depth != 1 || st->key == K_OTHER)
		return NULL;
	v = &st->vals[st->key];
	v->gen = st->gen;
	return v;
}

/* A value inside a known key's array that is not a string. */
static void parse__element(struct reader_state *st)
{
	if (st->arr && st->depth == 2)
		st->arr->nonstr = true;
}

static int parse__null(void *ctx)
{
	struct jv *v = parse__slot(ctx);

	parse__element(ctx);
	if (v)
		v->kind = JV_NULL;
	return 1;
}

static int parse__bool(void *ctx, int b)
{
	struct jv *v = parse__slot(ctx);

	parse__element(ctx);
	if (v)
		v->kind = b ? JV_TRUE : JV_FALSE;
	return 1;
}

/* A number with a fraction or an exponent: a real, refused only if it overflows. */
static int parse__real(struct reader_state *st, struct jv *v, const char *s, size_t len)
{
	char tmp[64];
	double d;

	if (len < sizeof(tmp)) {
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		errno = 0;
		d = strtod(tmp, NULL);
		if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
			return parse__refuse(st, "real number overflow");
	}
	if (v)
		v->kind = JV_REAL;
	return 1;
}

/* An integer beyond json_int_t: not JSON for jansson, unless it is a real after all. */
static int parse__big(struct reader_state *st, struct jv *v, const char *s, size_t len, bool neg)
{
	if (memchr(s, '.', len) || memchr(s, 'e', len) || memchr(s, 'E', len))
		return parse__real(st, v, s, len);
	return parse__refuse(st, neg ? "too big negative integer" : "too big integer");
}

/*
 * Numbers come as yajl checked their syntax. Integers must fit jansson's
 * json_int_t (long long) as before, else the line is not JSON.
 */
static int parse__number(void *ctx, const char *s, size_t len)
{
	struct reader_state *st = ctx;
	struct jv *v = parse__slot(st);
	bool neg = *s == '-';
	uint64_t u = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	unsigned int d;
	size_t i;

	parse__element(st);
	for (i = neg; i < len; i++) {
		d = (unsigned char)s[i] - '0';
		if (d > 9)
			return parse__real(st, v, s, len);
		if (u > (lim - d) / 10)
			return parse__big(st, v, s, len, neg);
		u = u * 10 + d;
	}
	if (v) {
		v->kind = JV_INT;
		v->i = neg ? (int64_t)(0 - u) : (int64_t)u;
	}
	return 1;
}

/*
 * A string yajl had to unescape (it is not in the line): the only way a
 * NUL gets into one, since yajl refuses raw control characters.
 */
static bool parse__unescaped(const struct reader_state *st, const unsigned char *s)
{
	return (const char *)s < st->text || (const char *)s >= st->text + st->text_len;
}

static int parse__string(void *ctx, const unsigned char *s, size_t len)
{
	struct reader_state *st = ctx;
	struct jv *v;

	/* jansson refuses \u0000 (no JSON_ALLOW_NUL): so do we */
	if (parse__unescaped(st, s) && memchr(s, '\0', len))
		return parse__refuse(st, "\\u0000 is not allowed");
	if (st->arr && st->depth == 2) {
		/* an element of a known key's array: packed after the ones before */
		parse__copy(st, s, len);
		st->arr->len += len + 1;
		st->arr->i++;
		return 1;
	}
	v = parse__slot(st);
	if (v) {
		v->kind = JV_STR;
		v->s = parse__copy(st, s, len);
		v->len = len;
	}
	return 1;
}

static int parse__open(struct reader_state *st, bool object)
{
	struct jv *v = parse__slot(st);
	size_t *o;

	parse__element(st);
	if (v) {
		v->kind = object ? JV_OBJECT : JV_ARRAY;
		if (!object) {
			/* its strings are copied next to each other from here */
			v->s = st->sbuf + st->sused;
			v->len = 0;
			v->i = 0;
			v->nonstr = false;
			st->arr = v;
		}
	}
	if (!st->depth && object)
		st->object = true;
	if (st->depth >= MAX_DEPTH)
		return parse__refuse(st, "maximum parsing depth reached");
	if (st->depth >= st->open_cap) {
		o = realloc(st->open, (st->open_cap * 2 + 16) * sizeof(*o));
		if (!o)
			return parse__refuse(st, "out of memory");
		st->open = o;
		st->open_cap = st->open_cap * 2 + 16;
	}
	st->open[st->depth++] = object ? st->nkeys : SIZE_MAX;
	return 1;
}

static int parse__start_map(void *ctx)
{
	return parse__open(ctx, true);
}

static int parse__start_array(void *ctx)
{
	return parse__open(ctx, false);
}

static int parse__close(void *ctx)
{
	struct reader_state *st = ctx;
	size_t first = st->open[--st->depth];

	if (first != SIZE_MAX)
		st->nkeys = first;
	if (st->depth == 1)
		st->arr = NULL;
	return 1;
}

/* Duplicate keys are refused (jansson's JSON_REJECT_DUPLICATES, as before). */
static int parse__key(void *ctx, const unsigned char *s, size_t len)
{
	struct reader_state *st = ctx;
	struct seen_key *k;
	size_t i;

	if (parse__unescaped(st, s) && memchr(s, '\0', len))
		return parse__refuse(st, "\\u0000 is not allowed");
	st->key = st->depth == 1 ? key__lookup(st, s, len) : K_OTHER;
	if (st->key != K_OTHER) {
		if (st->vals[st->key].gen == st->gen)
			goto dup;
		return 1;
	}
	for (i = st->open[st->depth - 1]; i < st->nkeys; i++)
		if (st->keys[i].len == len && !memcmp(st->keys[i].s, s, len))
			goto dup;
	if (st->nkeys == st->kcap) {
		k = realloc(st->keys, (st->kcap * 2 + 16) * sizeof(*k));
		if (!k)
			return parse__refuse(st, "out of memory");
		st->keys = k;
		st->kcap = st->kcap * 2 + 16;
	}
	st->keys[st->nkeys].s = parse__copy(st, s, len);
	st->keys[st->nkeys++].len = len;
	return 1;
dup:
	snprintf(st->why_buf, sizeof(st->why_buf), "duplicate object key '%.*s'",
		 len > 40 ? 40 : (int)len, (const char *)s);
	return parse__refuse(st, st->why_buf);
}

static const yajl_callbacks parse__callbacks = {
	.yajl_null = parse__null,
	.yajl_boolean = parse__bool,
	.yajl_number = parse__number,
	.yajl_string = parse__string,
	.yajl_start_map = parse__start_map,
	.yajl_map_key = parse__key,
	.yajl_end_map = parse__close,
	.yajl_start_array = parse__start_array,
	.yajl_end_array = parse__close,
};

/* ---- typed fields ---- */

struct fields {
	struct reader *r;
	const struct jv *vals;	/* the line's keys (yajl), or NULL: read obj */
	uint32_t gen;
	json_t *obj;		/* start and summary records (jansson) */
	struct jv tmp;		/* obj's value as a jv */
	const char *event;	/* for messages */
	char *err;
	size_t errlen;
	int bad;		/* the first error, then every getter is a no-op */
};

/* The key's value, or NULL if the record does not have it (null counts as there). */
static const struct jv *field__raw(struct fields *f, enum reader_key key)
{
	json_t *v;

	if (f->vals)
		return f->vals[key].gen == f->gen ? &f->vals[key] : NULL;
	v = json_object_get(f->obj, key_names[key]);
	if (!v)
		return NULL;
	memset(&f->tmp, 0, sizeof(f->tmp));
	switch (json_typeof(v)) {
	case JSON_NULL: f->tmp.kind = JV_NULL; break;
	case JSON_FALSE: f->tmp.kind = JV_FALSE; break;
	case JSON_TRUE: f->tmp.kind = JV_TRUE; break;
	case JSON_INTEGER: f->tmp.kind = JV_INT; f->tmp.i = json_integer_value(v); break;
	case JSON_REAL: f->tmp.kind = JV_REAL; break;
	case JSON_STRING:
		f->tmp.kind = JV_STR;
		f->tmp.s = json_string_value(v);
		f->tmp.len = json_string_length(v);
		break;
	case JSON_ARRAY: f->tmp.kind = JV_ARRAY; f->tmp.nonstr = true; break;
	default: f->tmp.kind = JV_OBJECT; break;
	}
	return &f->tmp;
}

static bool field__has(struct fields *f, enum reader_key key)
{
	return field__raw(f, key) != NULL;
}

static bool field__is_int(struct fields *f, enum reader_key key)
{
	const struct jv *v = field__raw(f, key);

	return v && v->kind == JV_INT;
}

static const struct jv *field__get(struct fields *f, enum reader_key key, bool required)
{
	const struct jv *v;

	if (f->bad)
		return NULL;
	v = field__raw(f, key);
	if (v && v->kind == JV_NULL)
		v = NULL;
	if (!v && required)
		f->bad = reader__fail(f->r, f->err, f->errlen, "%s record without '%s'",
				      f->event, key_names[key]);
	return v;
}

static void field__type_error(struct fields *f, enum reader_key key, const char *want)
{
	f->bad = reader__fail(f->r, f->err, f->errlen, "%s record: '%s' is not %s",
			      f->event, key_names[key], want);
}

/* A non-negative integer no larger than max. */
static uint64_t field__uint(struct fields *f, enum reader_key key, uint64_t max)
{
	const struct jv *v = field__get(f, key, true);
	int64_t i;

	if (!v)
		return 0;
	i = v->kind == JV_INT ? v->i : -1;
	if (i < 0 || (uint64_t)i > max) {
		field__type_error(f, key, "a non-negative integer in range");
		return 0;
	}
	return (uint64_t)i;
}

static int64_t field__int(struct fields *f, enum reader_key key, int64_t min, int64_t max)
{
	const struct jv *v = field__get(f, key, true);

	if (!v)
		return 0;
	if (v->kind != JV_INT || v->i < min || v->i > max) {
		field__type_error(f, key, "an integer in range");
		return 0;
	}
	return v->i;
}

static bool field__bool(struct fields *f, enum reader_key key)
{
	const struct jv *v = field__get(f, key, true);

	if (v && v->kind != JV_TRUE && v->kind != JV_FALSE)
		field__type_error(f, key, "true or false");
	return v && v->kind == JV_TRUE;
}

/* NULL when absent and not required. */
static const char *field__str(struct fields *f, enum reader_key key, bool required)
{
	const struct jv *v = field__get(f, key, required);

	if (v && v->kind != JV_STR) {
		field__type_error(f, key, "a string");
		return NULL;
	}
	return v ? v->s : NULL;
}

static struct mt_str field__mt_str(struct fields *f, enum reader_key key)
{
	const struct jv *v = field__get(f, key, true);
	struct mt_str s = { "", 0 };

	if (v && v->kind != JV_STR)
		field__type_error(f, key, "a string");
	else if (v) {
		s.s = v->s;
		s.max = v->len;
	}
	return s;
}

/*
 * An array of strings, packed as struct mt_exec.argv: *len bytes, each
 * string ended by a NUL. false (and a type error) for anything else.
 */
static bool field__strings(struct fields *f, enum reader_key key, const char **s, size_t *len)
{
	const struct jv *v = field__raw(f, key);

	*s = "";
	*len = 0;
	if (f->bad || !v)
		return false;
	if (v->kind != JV_ARRAY || v->nonstr) {
		field__type_error(f, key, "an array of strings");
		return false;
	}
	*s = v->s;
	*len = v->len;
	return true;
}

static int hex__digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Addresses are "0x..." strings (docs/events.md); *present says if it was there. */
static uint64_t field__addr(struct fields *f, enum reader_key key, bool required, bool *present)
{
	const char *s = field__str(f, key, required);
	uint64_t v = 0;
	char *end;
	size_t i;
	int d;

	if (present)
		*present = s != NULL;
	if (!s)
		return 0;
	if (strncmp(s, "0x", 2) || !s[2])
		goto bad;
	/* the usual case, hex digits only; anything else gets strtoull's rule as ever */
	for (i = 2; s[i] && (d = hex__digit(s[i])) >= 0 && !(v >> 60); i++)
		v = v << 4 | (uint64_t)d;
	if (!s[i])
		return v;
	errno = 0;
	if ((v = strtoull(s + 2, &end, 16), *end) || errno)
		goto bad;
	return v;
bad:
	field__type_error(f, key, "an address (\"0x...\")");
	return 0;
}

static uint64_t field__flags(struct fields *f, enum reader_key key, enum decode_kind kind)
{
	const char *s = field__str(f, key, true);
	uint64_t v = 0;

	if (s && decode__parse_flags(kind, s, &v))
		f->bad = reader__fail(f->r, f->err, f->errlen, "%s record: unknown %s '%s'",
				      f->event, key_names[key], s);
	return v;
}

/* ---- one record ---- */

static void event__fork(struct fields *f, struct mt_event *ev)
{
	const char *flags, *sc;
	/* a failed creation (issue 17) has no child: no child_* fields */
	bool failed = field__has(f, K_error);
	uint32_t sig = 0;

	ev->fork.child_pid = failed ? 0 : field__uint(f, K_child_pid, UINT32_MAX);
	ev->fork.child_tid = failed ? 0 : field__uint(f, K_child_tid, UINT32_MAX);
	ev->fork.thread = field__bool(f, K_thread);
	ev->fork.child_as = failed ? 0 : field__uint(f, K_child_as, UINT32_MAX);
	ev->fork.shared_vm = field__bool(f, K_shared_vm);
	/* null flags: not known (docs/events.md) */
	flags = field__str(f, K_flags, false);
	ev->fork.flags_known = flags != NULL;
	ev->fork.clone_flags = 0;
	/* the signal is the SIG* item, never low bits: CLONE_NEWTIME is 0x80 */
	if (flags && decode__parse_clone(flags, &ev->fork.clone_flags, &sig))
		f->bad = reader__fail(f->r, f->err, f->errlen, "fork record: unknown flags '%s'",
				      flags);
	/* exit_signal is newer than flags: traces without it keep the SIG* item's */
	ev->fork.exit_signal = field__is_int(f, K_exit_signal) ?
			       field__uint(f, K_exit_signal, UINT32_MAX) : sig;
	sc = field__str(f, K_syscall, false);
	ev->fork.syscall_nr = sc ? event__syscall_nr(sc) : MT_NR_UNKNOWN;
	if (sc && ev->fork.syscall_nr == MT_NR_UNKNOWN && !f->bad)
		f->bad = reader__fail(f->r, f->err, f->errlen, "fork record: unknown syscall '%s'",
				      sc);
}

static void event__exec(struct fields *f, struct mt_event *ev)
{
	ev->exec.filename = field__mt_str(f, K_filename);
	ev->exec.old_as = field__uint(f, K_old_as, UINT32_MAX);
	ev->exec.old_tid = field__has(f, K_old_tid) ?
			   field__uint(f, K_old_tid, UINT32_MAX) : ev->tid;
	ev->exec.truncated = field__has(f, K_filename_truncated) &&
			     field__bool(f, K_filename_truncated);
	/* issue 10: the arguments (a successful exec of a newer memtrace) */
	if (field__has(f, K_argv))
		ev->exec.has_argv = field__strings(f, K_argv, &ev->exec.argv,
						   &ev->exec.argv_len);
	ev->exec.argv_truncated = field__has(f, K_argv_truncated) &&
				  field__bool(f, K_argv_truncated);
}

static void event__exit(struct fields *f, struct mt_event *ev)
{
	ev->exit.code = field__uint(f, K_code, 255);
	ev->exit.signal = field__uint(f, K_signal, 127);
	ev->exit.core = field__bool(f, K_core);
	ev->exit.thread = field__bool(f, K_thread);
}

static void event__mem(struct fields *f, struct mt_event *ev)
{
	bool has;

	switch (ev->type) {
	case MT_EV_MMAP:
		ev->mmap.addr = field__addr(f, K_addr, false, &ev->has_addr);
		ev->mmap.len = field__uint(f, K_len, UINT64_MAX);
		ev->mmap.prot = field__flags(f, K_prot, DECODE_PROT);
		ev->mmap.flags = field__flags(f, K_flags, DECODE_MMAP);
		ev->mmap.fd = field__int(f, K_fd, INT32_MIN, INT32_MAX);
		ev->mmap.offset = field__uint(f, K_offset, UINT64_MAX);
		ev->mmap.hint = field__addr(f, K_hint, false, NULL);
		ev->mmap.has_path = field__has(f, K_path);
		if (ev->mmap.has_path)
			ev->mmap.path = field__mt_str(f, K_path);
		ev->mmap.path_truncated = field__has(f, K_path_truncated) &&
					  field__bool(f, K_path_truncated);
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		ev->range.addr = field__addr(f, K_addr, true, &ev->has_addr);
		ev->range.len = field__uint(f, K_len, UINT64_MAX);
		ev->range.prot = ev->type == MT_EV_MPROTECT ?
				 field__flags(f, K_prot, DECODE_PROT) : 0;
		ev->range.has_pkey = ev->type == MT_EV_MPROTECT &&
				     field__has(f, K_pkey);
		ev->range.pkey = ev->range.has_pkey ?
				 field__int(f, K_pkey, INT32_MIN, INT32_MAX) : 0;
		break;
	/* issue 10 */
	case MT_EV_MADVISE: {
		const char *adv;

		ev->madvise.addr = field__addr(f, K_addr, true, &ev->has_addr);
		ev->madvise.len = field__uint(f, K_len, UINT64_MAX);
		adv = field__str(f, K_advice, true);
		if (adv && decode__parse_madvise(adv, &ev->madvise.advice))
			f->bad = reader__fail(f->r, f->err, f->errlen,
					      "madvise record: unknown advice '%s'", adv);
		break;
	}
	case MT_EV_SHMAT:
		ev->shm.addr = field__addr(f, K_addr, false, &ev->has_addr);
		ev->shm.len = field__has(f, K_len) ? field__uint(f, K_len, UINT64_MAX) : 0;
		ev->shm.shmid = field__int(f, K_shmid, INT32_MIN, INT32_MAX);
		ev->shm.flags = field__flags(f, K_flags, DECODE_SHM);
		ev->shm.shmaddr = field__addr(f, K_hint, false, NULL);
		break;
	case MT_EV_SHMDT:
		ev->shm.addr = field__addr(f, K_addr, true, &ev->has_addr);
		ev->shm.len = field__has(f, K_len) ? field__uint(f, K_len, UINT64_MAX) : 0;
		break;
	case MT_EV_VMA_NAME:
		ev->vma_name.addr = field__addr(f, K_addr, true, &ev->has_addr);
		ev->vma_name.len = field__uint(f, K_len, UINT64_MAX);
		ev->vma_name.cleared = !field__get(f, K_name, false);
		if (!ev->vma_name.cleared)
			ev->vma_name.name = field__mt_str(f, K_name);
		break;
	case MT_EV_BRK:
		ev->brk.req = field__addr(f, K_req, true, NULL);
		ev->brk.addr = field__addr(f, K_addr, false, &ev->has_addr);
		break;
	default:	/* MT_EV_MREMAP */
		ev->mremap.addr = field__addr(f, K_addr, false, &ev->has_addr);
		ev->mremap.old_addr = field__addr(f, K_old_addr, true, NULL);
		ev->mremap.old_len = field__uint(f, K_old_len, UINT64_MAX);
		ev->mremap.new_len = field__uint(f, K_new_len, UINT64_MAX);
		ev->mremap.flags = field__flags(f, K_flags, DECODE_MREMAP);
		ev->mremap.new_addr = field__addr(f, K_new_addr, false, &has);
		break;
	}
}

/* "MAJ:MIN" in hex, as /proc/PID/maps and docs/events.md write dev ("fe:00"). */
static void field__dev(struct fields *f, enum reader_key key, uint32_t *maj, uint32_t *min)
{
	const char *s = field__str(f, key, true), *p;
	uint64_t v[2] = { 0, 0 };
	int i, d, n;

	*maj = *min = 0;
	if (!s)
		return;
	for (i = 0, p = s; i < 2; i++, p++) {
		for (n = 0; (d = hex__digit(*p)) >= 0 && n < 9; n++, p++)
			v[i] = v[i] << 4 | (uint64_t)d;
		if (!n || v[i] > UINT32_MAX || *p != (i ? '\0' : ':')) {
			field__type_error(f, key, "a device (\"MAJ:MIN\" in hex)");
			return;
		}
	}
	*maj = v[0];
	*min = v[1];
}

/*
 * vma: one VMA of the kernel-made map. A file's VMA has `path`, any other
 * a kernel `name` or neither (anonymous memory); never both.
 */
static void event__vma(struct fields *f, struct mt_event *ev)
{
	struct mt_vma_ev *v = &ev->vma;
	const char *origin;

	v->start = field__addr(f, K_start, true, NULL);
	v->end = field__addr(f, K_end, true, NULL);
	v->prot = field__flags(f, K_prot, DECODE_PROT);
	v->shared = field__bool(f, K_shared);
	v->offset = field__uint(f, K_offset, UINT64_MAX);
	field__dev(f, K_dev, &v->dev_major, &v->dev_minor);
	v->inode = field__uint(f, K_inode, UINT64_MAX);
	origin = field__str(f, K_origin, true);
	if (origin && !strcmp(origin, "exec"))
		v->origin = MT_VMA_ORIGIN_EXEC;
	else if (origin && !strcmp(origin, "attach"))
		v->origin = MT_VMA_ORIGIN_ATTACH;
	else if (origin && !f->bad)
		f->bad = reader__fail(f->r, f->err, f->errlen,
				      "vma record: unknown origin '%s' (exec or attach)", origin);
	v->file = field__get(f, K_path, false) != NULL;
	if (v->file && field__has(f, K_name) && !f->bad)
		f->bad = reader__fail(f->r, f->err, f->errlen,
				      "vma record with both 'path' and 'name'");
	if (v->file) {
		v->name = field__mt_str(f, K_path);
		v->name_truncated = field__has(f, K_path_truncated) &&
				    field__bool(f, K_path_truncated);
	} else if (field__get(f, K_name, false)) {
		v->name = field__mt_str(f, K_name);	/* a kernel name: never cut */
	} else {
		v->name = (struct mt_str){ "", 0 };
	}
	if (!f->bad && v->start >= v->end)
		f->bad = reader__fail(f->r, f->err, f->errlen,
				      "vma record: start 0x%llx is not below end 0x%llx",
				      (unsigned long long)v->start, (unsigned long long)v->end);
}

/* ---- issue 11: faults, fault, rss, as_end ---- */

/* The counts by class name: at the top level (vals) or in a nested object (obj, jansson). */
static void counts__parse(struct fields *f, json_t *obj, struct mt_fault_counts *c)
{
	json_t *saved = f->obj;
	const struct jv *vals = f->vals;
	int i;

	f->obj = obj;
	if (obj)
		f->vals = NULL;
	for (i = 0; i < MT_FAULT_NCLASS; i++)
		c->n[i] = field__uint(f, key__of(event__fault_class_name(i)), UINT64_MAX);
	c->total = field__uint(f, K_total, UINT64_MAX);
	f->obj = saved;
	f->vals = vals;
}

static void rss__parse(struct fields *f, struct mt_rss_bytes *b, const enum reader_key keys[5])
{
	b->anon = field__uint(f, keys[0], UINT64_MAX);
	b->file = field__uint(f, keys[1], UINT64_MAX);
	b->shmem = field__uint(f, keys[2], UINT64_MAX);
	b->swap = field__uint(f, keys[3], UINT64_MAX);
	b->total = field__uint(f, keys[4], UINT64_MAX);
}

static void event__mem11(struct fields *f, struct mt_event *ev)
{
	static const enum reader_key rss_keys[5] = { K_anon, K_file, K_shmem, K_swap, K_total };
	static const enum reader_key last_keys[5] = { K_rss_anon, K_rss_file, K_rss_shmem,
						      K_rss_swap, K_rss_total };
	const struct jv *faults;
	const char *s;

	switch (ev->type) {
	case MT_EV_FAULTS:
		ev->faults.start = field__addr(f, K_start, true, NULL);
		ev->faults.end = field__addr(f, K_end, true, NULL);
		ev->faults.name = field__mt_str(f, K_region);
		s = field__str(f, K_kind, true);
		ev->faults.kind = s ? event__region_kind(s) : MT_REGION_UNKNOWN;
		s = field__str(f, K_reason, true);
		ev->faults.reason = s ? event__faults_reason(s) : 0;
		if (s && ev->faults.reason == UINT32_MAX && !f->bad)
			f->bad = reader__fail(f->r, f->err, f->errlen,
					      "faults record: unknown reason '%s'", s);
		counts__parse(f, NULL, &ev->faults.counts);
		break;
	case MT_EV_FAULT:
		ev->fault.addr = field__addr(f, K_addr, true, NULL);
		ev->fault.ip = field__addr(f, K_ip, true, NULL);
		s = field__str(f, K_class, true);
		ev->fault.class = s ? event__fault_class(s) : 0;
		if (s && ev->fault.class == MT_FAULT_NCLASS && !f->bad)
			f->bad = reader__fail(f->r, f->err, f->errlen,
					      "fault record: unknown class '%s'", s);
		ev->fault.write = field__bool(f, K_write);
		ev->fault.kernel = field__bool(f, K_kernel);
		ev->fault.present = field__bool(f, K_present);
		ev->fault.start = field__addr(f, K_start, true, NULL);
		ev->fault.end = field__addr(f, K_end, true, NULL);
		break;
	case MT_EV_RSS:
		rss__parse(f, &ev->rss.rss, rss_keys);
		ev->rss.peak = field__uint(f, K_peak, UINT64_MAX);
		break;
	default:	/* MT_EV_AS_END */
		ev->as_end.rss_peak = field__uint(f, K_rss_peak, UINT64_MAX);
		rss__parse(f, &ev->as_end.last, last_keys);
		faults = field__get(f, K_faults, true);
		if (faults && faults->kind != JV_OBJECT)
			field__type_error(f, K_faults, "an object");
		else if (faults)	/* as_end lines are read with jansson: f->obj */
			counts__parse(f, json_object_get(f->obj, "faults"), &ev->as_end.faults);
		break;
	}
}

/* ---- end of issue 11 ---- */

/* ---- what no kernel writes ---- */

/*
 * Does [addr, addr + len) pass the top of 64 bits, len rounded up to pages
 * as the kernel and the analysis round it? No successful call's range
 * does: the kernel refuses one with EINVAL (mm/mmap.c, mm/mprotect.c).
 */
static bool range__wraps(uint64_t addr, uint64_t len)
{
	return len > UINT64_MAX - addr || addr + len > UINT64_MAX - 4095;
}

static void range__check(struct fields *f, const char *addr_key, uint64_t addr,
			 const char *len_key, uint64_t len)
{
	if (!f->bad && range__wraps(addr, len))
		f->bad = reader__fail(f->r, f->err, f->errlen,
				      "%s record: %s 0x%llx + %s %llu wraps past 2^64: no kernel maps there",
				      f->event, addr_key, (unsigned long long)addr, len_key,
				      (unsigned long long)len);
}

/*
 * Records no kernel can write, refused like a malformed field rather than
 * dropped in silence by the analysis: a successful call whose range wraps,
 * a new process with its parent's pid, a fork copy in its parent's
 * address space. A failed call keeps its arguments, whatever they were; as
 * 0 is an address space without an id.
 */
static void event__check(struct fields *f, const struct mt_event *ev)
{
	const struct mt_fork *k = &ev->fork;
	bool shares;

	if (f->bad || ev->error)
		return;
	switch (ev->type) {
	case MT_EV_MMAP:
		if (ev->has_addr)
			range__check(f, "addr", ev->mmap.addr, "len", ev->mmap.len);
		break;
	case MT_EV_MUNMAP:
	case MT_EV_MPROTECT:
		range__check(f, "addr", ev->range.addr, "len", ev->range.len);
		break;
	case MT_EV_MADVISE:
		range__check(f, "addr", ev->madvise.addr, "len", ev->madvise.len);
		break;
	case MT_EV_VMA_NAME:
		range__check(f, "addr", ev->vma_name.addr, "len", ev->vma_name.len);
		break;
	case MT_EV_SHMAT:
	case MT_EV_SHMDT:
		if (ev->has_addr)
			range__check(f, "addr", ev->shm.addr, "len", ev->shm.len);
		break;
	case MT_EV_MREMAP:
		range__check(f, "old_addr", ev->mremap.old_addr, "old_len", ev->mremap.old_len);
		if (ev->has_addr)
			range__check(f, "addr", ev->mremap.addr, "new_len", ev->mremap.new_len);
		break;
	case MT_EV_FORK:
		if (k->thread)
			break;	/* a thread's child_pid is its process: the parent's pid */
		if (k->child_pid == ev->pid)
			f->bad = reader__fail(f->r, f->err, f->errlen,
					      "fork record: a new process (thread false) with its parent's pid %u as child_pid",
					      ev->pid);
		/* CLONE_VM (vfork, posix_spawn): the child is in the parent's as */
		shares = k->shared_vm || (k->flags_known && (k->clone_flags & CLONE_VM)) ||
			 k->syscall_nr == MT_NR_VFORK;
		if (!f->bad && !shares && k->child_as && k->child_as == ev->as)
			f->bad = reader__fail(f->r, f->err, f->errlen,
					      "fork record: a copy (no shared VM) in its parent's own address space (child_as %u == as)",
					      ev->as);
		break;
	default:
		break;
	}
}

/*
 * Fills ev from the line's key table, or from obj if the line was read
 * with jansson. Returns 0 or -EINVAL with the message in err.
 */
static int event__from_line(struct reader *r, uint32_t type, json_t *obj,
			    struct mt_event *ev, char *err, size_t errlen)
{
	struct fields f = { .r = r, .vals = obj ? NULL : r->st->vals, .gen = r->st->gen,
			    .obj = obj, .event = event__name(type), .err = err,
			    .errlen = errlen };
	const char *e;

	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->ts = field__uint(&f, K_ts, INT64_MAX);
	ev->pid = field__uint(&f, K_pid, UINT32_MAX);
	ev->tid = field__uint(&f, K_tid, UINT32_MAX);
	ev->as = field__uint(&f, K_as, UINT32_MAX);
	ev->comm = field__mt_str(&f, K_comm);
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
	case MT_EV_VMA:		/* issue 10 */
		event__vma(&f, ev);
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
	e = field__str(&f, K_error, false);
	if (e) {
		ev->error = decode__parse_errno(e);
		if (ev->error < 0)
			return reader__fail(r, err, errlen, "%s record: unknown error '%s'",
					    f.event, e);
	}
	event__check(&f, ev);
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
	r->summary.duration_ns = field__uint(&f, K_duration_ns, INT64_MAX);
	r->summary.missed = field__uint(&f, K_missed, INT64_MAX);
	/* newer than the rest: a trace of an older memtrace does not say (0) */
	r->has_untracked = field__has(&f, K_unfollowed) || field__has(&f, K_unnumbered);
	r->summary.unfollowed = field__has(&f, K_unfollowed) ?
				field__uint(&f, K_unfollowed, INT64_MAX) : 0;
	r->summary.unnumbered = field__has(&f, K_unnumbered) ?
				field__uint(&f, K_unnumbered, INT64_MAX) : 0;
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
	r->start.version = field__str(&f, K_version, false);
	r->start.command = field__str(&f, K_command, false);
	r->start.target = field__str(&f, K_target, false);
	r->start.kernel_release = field__str(&f, K_kernel, false);
	r->start.root_pid = field__has(&f, K_root_pid) ?
			    field__uint(&f, K_root_pid, UINT32_MAX) : 0;
	r->start.wall_start_ns = field__has(&f, K_wall_start_ns) ?
				 field__int(&f, K_wall_start_ns, INT64_MIN, INT64_MAX) : 0;
	/* a split trace's file number, 1, 2, ...; absent: not split, or its first file */
	r->start.part = field__has(&f, K_part) ? field__uint(&f, K_part, UINT32_MAX) : 0;
	if (!f.bad && field__has(&f, K_part) && !r->start.part)
		return reader__fail(r, err, errlen,
				    "start record: 'part' is 0: the files of a split trace count from 1");
	if (f.bad)
		return f.bad;
	r->start_doc = json_incref(obj);
	return 0;
}

/* ---- lines ---- */

/*
 * Reads the next line into r->line (without its newline) and *len. Returns
 * 1, 0 at the end, -EINVAL on a read error, or -E2BIG for a line longer than
 * READER_MAX_LINE or holding a NUL byte (binary or endless input). Blank lines are not allowed:
 * JSON Lines has none (the parsers refuse them).
 */
static int reader__getline(struct reader *r, size_t *len, char *err, size_t errlen)
{
	struct reader_state *st = r->st;
	size_t n = 0, take;
	char *nl, *b;
	bool ended = false;

	for (;;) {
		if (st->ipos == st->ilen) {
			if (st->ieof)
				break;
			errno = 0;
			st->ilen = fread(st->ibuf, 1, READER_BUFSIZE, r->in);
			st->ipos = 0;
			if (!st->ilen) {
				if (ferror(r->in))
					return reader__fail(r, err, errlen, "read error: %s",
							    strerror(errno ? errno : EIO));
				st->ieof = true;
				break;
			}
		}
		nl = memchr(st->ibuf + st->ipos, '\n', st->ilen - st->ipos);
		take = (nl ? (size_t)(nl - st->ibuf) : st->ilen) - st->ipos;
		/*
		 * Refused before it is stored: endless input (/dev/zero, a
		 * stream without newlines) must not take all memory.
		 */
		if (n + take > READER_MAX_LINE) {
			r->lineno++;
			reader__fail(r, err, errlen,
				     "line longer than %d bytes: memtrace never writes one (not a memtrace trace?)",
				     READER_MAX_LINE);
			return -E2BIG;
		}
		if (n + take + 1 > r->cap) {
			size_t want = n + take + 1 > 2 * r->cap ? n + take + 1 : 2 * r->cap;

			b = realloc(r->line, want);
			if (!b)
				return reader__fail(r, err, errlen, "out of memory");
			r->cap = want;
			r->line = b;
		}
		memcpy(r->line + n, st->ibuf + st->ipos, take);
		n += take;
		st->ipos += take;
		if (nl) {
			st->ipos++;
			ended = true;
			break;
		}
	}
	if (!n && !ended)
		return 0;
	r->line[n] = '\0';
	r->lineno++;
	/* JSON text has no raw NUL; it would cut the line short for the parsers */
	if (memchr(r->line, '\0', n)) {
		reader__fail(r, err, errlen, "a NUL byte in the line: not a memtrace trace");
		return -E2BIG;
	}
	if (!ended && r->lineno > 1) {
		/*
		 * The summary is memtrace's last write: a fragment after it was
		 * not cut by memtrace, it was added (two files joined, an edit).
		 */
		if (r->has_summary)
			return reader__fail(r, err, errlen,
					    "text after the summary: one trace per file (were two traces joined?)");
		/*
		 * memtrace ends every record with a newline: a last line without
		 * one was cut (memtrace killed, the disk full). Leave it out and
		 * say so, rather than refuse everything before it.
		 */
		r->cut_tail = true;
		return 0;
	}
	*len = n;
	return 1;
}

static int reader__not_json(struct reader *r, const char *why, size_t column,
			    char *err, size_t errlen)
{
	return reader__fail(r, err, errlen, "not JSON (%s, column %zu)%s", why, column,
			    r->st->ieof && r->st->ipos == r->st->ilen ? ": the last line is cut short, was memtrace killed?" : "");
}

/* The current line as a jansson object (start and summary); NULL on an error (*rc). */
static json_t *reader__json(struct reader *r, size_t len, int *rc, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *obj;

	/* JSON_REJECT_DUPLICATES: a doctored line must not hide a second value */
	obj = json_loadb(r->line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		*rc = reader__not_json(r, jerr.text, jerr.column, err, errlen);
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		*rc = reader__fail(r, err, errlen, "not a JSON object");
		return NULL;
	}
	*rc = 0;
	return obj;
}

/*
 * Parses the current line with yajl into the key table: the values of the
 * known top-level keys, every other value checked and dropped. Returns 0 or
 * -EINVAL ("not JSON (...)", "not a JSON object").
 */
static int reader__parse_line(struct reader *r, size_t len, char *err, size_t errlen)
{
	struct reader_state *st = r->st;
	yajl_alloc_funcs afs = { arena__malloc, arena__realloc, arena__free, st };
	yajl_status ys;
	unsigned char *msg;
	size_t column;
	char why[128];
	char *b;

	/* unescaped strings never outgrow their quoted form: room for all of them */
	if (len + 1 > st->slot->cap) {
		b = realloc(st->slot->str, len + 1);
		if (!b)
			return reader__fail(r, err, errlen, "out of memory");
		st->slot->str = b;
		st->slot->cap = len + 1;
	}
	st->sbuf = st->slot->str;
	st->sused = 0;
	st->nkeys = 0;
	st->depth = 0;
	st->arr = NULL;
	st->object = false;
	st->why = NULL;
	if (++st->gen == 0) {	/* every 4 G lines: forget the old generations */
		memset(st->vals, 0, sizeof(st->vals));
		st->gen = 1;
	}
	st->aused = 0;
	st->text = r->line;
	st->text_len = len;
	st->yajl = yajl_alloc(&parse__callbacks, &afs, st);
	if (!st->yajl)
		return reader__fail(r, err, errlen, "out of memory");
	ys = yajl_parse(st->yajl, (const unsigned char *)r->line, len);
	column = yajl_get_bytes_consumed(st->yajl);
	if (ys == yajl_status_ok) {
		ys = yajl_complete_parse(st->yajl);
		column = len;
	}
	if (ys != yajl_status_ok) {
		if (st->why) {
			snprintf(why, sizeof(why), "%s", st->why);
		} else {
			msg = yajl_get_error(st->yajl, 0, NULL, 0);
			/* "parse error: premature EOF\n": keep the part after "error: " */
			snprintf(why, sizeof(why), "%s", msg && strstr((char *)msg, "error: ") ?
				 strstr((char *)msg, "error: ") + 7 : msg ? (char *)msg : "?");
			why[strcspn(why, "\n")] = '\0';
			yajl_free_error(st->yajl, msg);
		}
		yajl_free(st->yajl);
		st->yajl = NULL;
		return reader__not_json(r, why, column + 1, err, errlen);
	}
	yajl_free(st->yajl);
	st->yajl = NULL;
	if (!st->object)
		return reader__fail(r, err, errlen, "not a JSON object");
	return 0;
}

int reader__open(struct reader *r, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	struct stat st;
	json_t *obj;
	const char *ev;
	size_t len;
	int rc;

	memset(r, 0, sizeof(*r));
	r->st = calloc(1, sizeof(*r->st));
	if (!r->st) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	keys__init(r->st);
	r->st->out = UINT32_MAX;
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
	/* fewer, larger reads (ibuf): stdio's buffer would only copy twice */
	setvbuf(r->in, NULL, _IONBF, 0);
	rc = reader__getline(r, &len, err, errlen);
	if (rc < 0)
		return rc;	/* too long, binary, a read error: err says so */
	if (!rc) {
		snprintf(err, errlen, "%s is empty: not a memtrace trace (write one with memtrace run -f json -o FILE)",
			 r->name);
		return -EINVAL;
	}
	/* any value, so that [1,2] or "start" is told apart from text that is not JSON */
	obj = json_loadb(r->line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!obj) {
		snprintf(err, errlen, "%s is not a memtrace JSON trace: its first line is not JSON (text and CSV traces cannot be read back: record with -f json)",
			 r->name);
		return -EINVAL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		snprintf(err, errlen, "%s is not a memtrace trace: its first line is JSON but not an object; a trace starts with its start record ({\"event\":\"start\",...})",
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

/* ---- the sorting window: a min-heap by (ts, line) of slots ---- */

static bool ent__less(const struct reader_ent *a, const struct reader_ent *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->lineno < b->lineno);
}

/*
 * A free slot for the next event. The window grows with the trace, up to
 * READER_WINDOW slots waiting plus the one handed out. Returns its index,
 * or UINT32_MAX when out of memory.
 */
static uint32_t slot__get(struct reader_state *st)
{
	struct reader_slot *s;
	struct reader_ent *h;
	uint32_t *f, cap;

	if (st->nfree)
		return st->free_slots[--st->nfree];
	if (st->nslots == st->slot_cap) {
		cap = st->slot_cap ? st->slot_cap * 2 : 64;
		if (cap > READER_WINDOW + 1)
			cap = READER_WINDOW + 1;
		if (cap == st->slot_cap)
			return UINT32_MAX;
		s = realloc(st->slots, cap * sizeof(*s));
		if (!s)
			return UINT32_MAX;
		st->slots = s;
		memset(s + st->slot_cap, 0, (cap - st->slot_cap) * sizeof(*s));
		st->slot_cap = cap;
		f = realloc(st->free_slots, cap * sizeof(*f));
		if (!f)
			return UINT32_MAX;
		st->free_slots = f;
		h = realloc(st->heap, cap * sizeof(*h));
		if (!h)
			return UINT32_MAX;
		st->heap = h;
	}
	return st->nslots++;
}

/* The slot is free again: its strings and document are let go. */
static void slot__put(struct reader_state *st, uint32_t slot)
{
	json_decref(st->slots[slot].doc);
	st->slots[slot].doc = NULL;
	st->free_slots[st->nfree++] = slot;
}

static void heap__push(struct reader_state *st, const struct reader_ent *e)
{
	size_t i = st->nheap++, p;

	while (i && ent__less(e, &st->heap[p = (i - 1) / 2])) {
		st->heap[i] = st->heap[p];
		i = p;
	}
	st->heap[i] = *e;
}

static void heap__pop(struct reader_state *st, struct reader_ent *out)
{
	struct reader_ent last;
	size_t i = 0, c;

	*out = st->heap[0];
	last = st->heap[--st->nheap];
	for (;;) {
		c = 2 * i + 1;
		if (c >= st->nheap)
			break;
		if (c + 1 < st->nheap && ent__less(&st->heap[c + 1], &st->heap[c]))
			c++;
		if (!ent__less(&st->heap[c], &last))
			break;
		st->heap[i] = st->heap[c];
		i = c;
	}
	if (st->nheap)
		st->heap[i] = last;
}

/* The "event" name of the parsed line, NULL if it has none (or not a string). */
static const char *line__event(const struct reader_state *st)
{
	const struct jv *v = &st->vals[K_event];

	return v->gen == st->gen && v->kind == JV_STR ? v->s : NULL;
}

/* Records whose fields the key table cannot hold (nested objects): one line each here. */
static bool line__needs_tree(uint32_t type)
{
	return type == MT_EV_AS_END;
}

/* Reads lines until one event is parsed into *ev, the end, or an error. */
static int reader__parse_next(struct reader *r, struct reader_slot *slot, char *err, size_t errlen)
{
	const char *name;
	uint32_t type;
	json_t *obj;
	size_t len;
	int rc;

	for (;;) {
		rc = reader__getline(r, &len, err, errlen);
		if (rc <= 0)
			return rc;
		rc = reader__parse_line(r, len, err, errlen);
		if (rc)
			return rc;
		name = line__event(r->st);
		if (!name)
			return reader__fail(r, err, errlen, "record without an \"event\" name");
		if (r->has_summary)
			return reader__fail(r, err, errlen,
					    "'%s' record after the summary: one trace per file (were two traces joined?)",
					    name);
		if (!strcmp(name, "summary")) {
			/* rare: read with jansson, as its nested counts need */
			obj = reader__json(r, len, &rc, err, errlen);
			if (!obj)
				return rc;
			rc = reader__summary(r, obj, err, errlen);
			json_decref(obj);
			if (rc)
				return rc;
			continue;
		}
		if (!strcmp(name, "start"))
			return reader__fail(r, err, errlen,
					    "a second start record: one trace per file (were two traces joined?)");
		type = event__type(name);
		if (type == MT_EV_NONE) {
			/* schema 1 may add event types: ignore, but count (report says so) */
			r->unknown++;
			continue;
		}
		r->read[type]++;
		if (line__needs_tree(type)) {
			/* rare records with nested objects: read with jansson, kept with the slot */
			slot->doc = reader__json(r, len, &rc, err, errlen);
			if (!slot->doc)
				return rc;
		}
		return event__from_line(r, type, slot->doc, &slot->ev, err, errlen) ?: 1;
	}
}

/* Parses the next event into a slot of the window. 1, 0 at the end, or an error. */
static int reader__fill(struct reader *r, char *err, size_t errlen)
{
	struct reader_state *st = r->st;
	struct reader_ent e;
	uint32_t slot;
	int rc;

	slot = slot__get(st);
	if (slot == UINT32_MAX) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st->slot = &st->slots[slot];
	rc = reader__parse_next(r, st->slot, err, errlen);
	if (rc <= 0) {
		slot__put(st, slot);
		return rc;
	}
	e.ts = st->slots[slot].ev.ts;
	e.lineno = r->lineno;
	e.slot = slot;
	heap__push(st, &e);
	return 1;
}

int reader__next(struct reader *r, struct mt_event *ev, char *err, size_t errlen)
{
	struct reader_state *st = r->st;
	struct reader_ent e;
	int rc;

	if (st->out != UINT32_MAX) {
		slot__put(st, st->out);
		st->out = UINT32_MAX;
	}
	while (!r->eof && st->nheap < READER_WINDOW) {
		rc = reader__fill(r, err, errlen);
		if (rc < 0)
			return rc;
		if (!rc)
			r->eof = true;
	}
	if (!st->nheap)
		return 0;
	heap__pop(st, &e);
	if (e.ts < r->last_ts)
		r->late++;
	else
		r->last_ts = e.ts;
	*ev = st->slots[e.slot].ev;
	st->out = e.slot;
	r->events++;
	return 1;
}

uint32_t reader__miscount(const struct reader *r, uint32_t from)
{
	uint32_t t;

	if (!r->has_summary)
		return MT_COUNT_SLOTS;
	for (t = from; t < MT_COUNT_SLOTS; t++)
		if (r->read[t] != r->summary.events[t])
			return t;
	return MT_COUNT_SLOTS;
}

bool reader__complete(const struct reader *r)
{
	return r->has_summary && !r->cut_tail && reader__miscount(r, 0) == MT_COUNT_SLOTS &&
	       !r->summary.unfollowed && !r->summary.unnumbered && !reader__later_part(r);
}

bool reader__later_part(const struct reader *r)
{
	return r->start.part > 1;
}

void reader__close(struct reader *r)
{
	struct reader_state *st = r->st;
	uint32_t i;

	if (st) {
		for (i = 0; i < st->slot_cap; i++) {
			free(st->slots[i].str);
			json_decref(st->slots[i].doc);
		}
		free(st->slots);
		free(st->free_slots);
		free(st->heap);
		free(st->keys);
		free(st->open);
		free(st);
	}
	json_decref(r->start_doc);
	free(r->line);
	if (r->in && r->in != stdin)
		fclose(r->in);
	memset(r, 0, sizeof(*r));
}
