/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef MEMTRACE_RUN_H
#define MEMTRACE_RUN_H

/* `memtrace run ...`: argv[0] is "run". Returns memtrace's exit status. */
int cmd_run(int argc, char **argv);

#endif /* MEMTRACE_RUN_H */
