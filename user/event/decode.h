/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * decode - names for the numbers the kernel hands us: prot bits, mmap,
 * mremap and clone flags, errno values, sizes for humans.
 * Every function writes a NUL-terminated string into buf (size n, it
 * truncates rather than overflows) and returns buf.
 */
#ifndef MEMTRACE_DECODE_H
#define MEMTRACE_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* "rwx", "r--", "---"; unknown extra bits appended as "|0x..." */
char *decode__prot(uint64_t prot, char *buf, size_t n);
/* "MAP_PRIVATE|MAP_ANONYMOUS"; unknown bits as "|0x..."; 0 -> "0" */
char *decode__mmap_flags(uint64_t flags, char *buf, size_t n);
/* "MREMAP_MAYMOVE|MREMAP_FIXED"; 0 -> "0" */
char *decode__mremap_flags(uint64_t flags, char *buf, size_t n);
/*
 * "CLONE_VM|CLONE_FS|...|SIGCHLD": the CLONE_* bits (the 64-bit clone3
 * set, CLONE_NEWTIME included), then the exit signal sig if not 0;
 * neither -> "0".
 */
char *decode__clone_flags(uint64_t flags, uint32_t sig, char *buf, size_t n);
/* "SHM_RDONLY|SHM_RND"; 0 -> "0" */
char *decode__shm_flags(uint64_t flags, char *buf, size_t n);
/* madvise advice: "MADV_DONTNEED"; a value without a name as decimal "42" */
const char *decode__madvise(uint64_t advice, char *buf, size_t n);
/* errno value (positive) to its name, "EINVAL"; unknown -> "E123" */
const char *decode__errno_name(int err, char *buf, size_t n);
/* "4096 B", "8 KiB", "1.5 MiB", "2 GiB" */
char *decode__size(uint64_t bytes, char *buf, size_t n);
/* signal number to name without SIG: "KILL"; unknown -> "SIG42" style number */
const char *decode__signal_name(int sig, char *buf, size_t n);

/* What a flags string decodes: the reverse of the functions above. */
enum decode_kind {
	DECODE_PROT,
	DECODE_MMAP,
	DECODE_MREMAP,
	DECODE_CLONE,
	DECODE_SHM,
};

/*
 * Parses a string written by decode__prot / _mmap_flags / _mremap_flags /
 * _clone_flags back into its number: every name, "0x.." for unnamed bits,
 * "SIGCHLD"/"SIG42" for clone's exit signal. Returns 0, or -EINVAL for
 * anything those functions never write.
 */
int decode__parse_flags(enum decode_kind kind, const char *s, uint64_t *out);
/*
 * The reverse of decode__clone_flags: the CLONE_* bits into *flags, the
 * "SIGCHLD"/"SIG42" item into *sig (0 if none). decode__parse_flags with
 * DECODE_CLONE ORs the signal into the low byte, which is ambiguous with
 * CLONE_NEWTIME: use this. Returns 0 or -EINVAL.
 */
int decode__parse_clone(const char *s, uint64_t *flags, uint32_t *sig);
/* The reverse of decode__madvise. Returns 0 or -EINVAL. */
int decode__parse_madvise(const char *s, uint64_t *advice);
/* "ENOMEM" or "E123" -> 12 or 123; -EINVAL for anything else. */
int decode__parse_errno(const char *s);

#endif /* MEMTRACE_DECODE_H */
