#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/run.sh - runs every test binary in tests/bin and tallies their TAP
# output. Unit tests (cmocka, TAP via CMOCKA_MESSAGE_OUTPUT) need nothing;
# integration tests need root and BPF: without them they skip with a reason,
# unless MEMTRACE_REQUIRE_BPF=1, which turns a skip into a failure.
#
# Usage: tests/run.sh [NAME...]     (default: all of tests/bin/test_*)
# Ends with the line "N passed, N failed" (and skipped, if any).
set -u
cd "$(dirname "$0")/.."
export CMOCKA_MESSAGE_OUTPUT=TAP
export MEMTRACE_BIN="${MEMTRACE_BIN:-$PWD/memtrace}"

pass=0 fail=0 skip=0 crashed=()
if [ $# -gt 0 ]; then
	bins=()
	for n in "$@"; do bins+=("tests/bin/$n"); done
else
	bins=(tests/bin/test_*)
fi
[ -e "${bins[0]}" ] || { echo "tests/run.sh: no test binaries in tests/bin: run make first" >&2; echo "0 passed, 1 failed"; exit 1; }

for bin in "${bins[@]}"; do
	[ -x "$bin" ] || continue
	case "$bin" in *.d) continue ;; esac
	name=$(basename "$bin")
	echo "# $name"
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	p=$(printf '%s\n' "$out" | grep -E '^ok [0-9]+' | grep -vc '# SKIP')
	s=$(printf '%s\n' "$out" | grep -E '^ok [0-9]+' | grep -c '# SKIP')
	f=$(printf '%s\n' "$out" | grep -cE '^not ok [0-9]+')
	# a binary that died or failed without saying which test counts as one failure
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		crashed+=("$name (exit $rc)")
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done

for c in "${crashed[@]+"${crashed[@]}"}"; do echo "# crashed or failed without a report: $c"; done
if [ "$skip" -gt 0 ]; then
	echo "# $skip skipped (set MEMTRACE_REQUIRE_BPF=1 to make skips fail)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
