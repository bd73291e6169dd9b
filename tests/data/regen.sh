#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/data/regen.sh - rewrites the expected reports of the golden traces
# after a deliberate change of `memtrace report` (review the diff!).
# Re-record a trace (needs root) with:
#   ./memtrace run -q -f json -o tests/data/NAME.jsonl NAME
# (fork-exec-vma.jsonl is the fork-exec workload recorded with vma records;
# shmfork.jsonl and attach.jsonl are written by hand, not recorded.)
set -e
cd "$(dirname "$0")/../.."
for t in tests/data/*.jsonl; do
	n=${t%.jsonl}
	./memtrace report "$t" > "$n.report.txt"
	./memtrace report -f json "$t" > "$n.report.json"
done
