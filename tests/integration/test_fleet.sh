#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# test_fleet - memtrace traces in ClickHouse (issue 16, docs/fleet.md): a
# real clickhouse-server on 127.0.0.1 with its data under .output/, two
# runs loaded as two hosts (and a --rotate run as a third), every SQL file
# of scripts/fleet/sql run, and its answers checked against
# `memtrace report --format json` on the same traces. The server is
# stopped at the end, whatever happens. Prints TAP, like the C tests.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
memtrace=${MEMTRACE_BIN:-$root/memtrace}
fleet=$root/scripts/fleet
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
skip_all() {
	if [ "${MEMTRACE_REQUIRE_BPF:-0}" = 1 ]; then
		not_ok "fleet test can run" "$1 (MEMTRACE_REQUIRE_BPF=1: a missing server is a failure)"
	else
		n=$((n + 1)); echo "ok $n - fleet test # SKIP $1"
	fi
	echo "1..$n"; exit "$failed"
}
# check NAME EXPECTED GOT: equal sorted lines, or the diff
check() {
	local d
	if d=$(diff <(sort <<<"$2") <(sort <<<"$3")); then
		[ -n "$2" ] && ok "$1" || not_ok "$1" "nothing to compare"
	else
		not_ok "$1" "report (<) and SQL (>) differ:" "$(head -n 20 <<<"$d")"
	fi
}

command -v clickhouse-server >/dev/null && command -v clickhouse-client >/dev/null ||
	skip_all "clickhouse-server/clickhouse-client not installed (scripts/deps.sh installs them)"
command -v jq >/dev/null || skip_all "jq not installed"
[ "$(id -u)" = 0 ] || skip_all "tracing needs root"

work=$root/.output/fleet-test.$$
rm -rf "$work"; mkdir -p "$work"
cleanup() {
	"$fleet/clickhouse-local.sh" stop "$work/ch" >/dev/null 2>&1
	if [ "$failed" = 0 ]; then rm -rf "$work"; else echo "# kept $work"; fi
}
trap cleanup EXIT

# Two runs (host-a, host-b) and a split run (host-c).
cd "$root"
"$memtrace" run -q -f json -o "$work/a.jsonl" fork-exec >/dev/null 2>&1 &&
"$memtrace" run -q -f json -o "$work/b.jsonl" -- /bin/sh -c \
	"$root/workloads/heap >/dev/null; $root/workloads/go-exec >/dev/null" >/dev/null 2>&1 &&
"$memtrace" run -q -f json -b 16M -o "$work/c.jsonl" --rotate 64K -- "$root/tests/bin/storm" 3000 \
	>/dev/null 2>&1 || skip_all "memtrace run failed: cannot trace here"
for h in a b; do
	"$memtrace" report -f json "$work/$h.jsonl" >"$work/$h.report.json" ||
		{ not_ok "memtrace report $h.jsonl"; echo "1..$n"; exit 1; }
done

t0=$(date +%s%N)
port=$("$fleet/clickhouse-local.sh" start "$work/ch") || skip_all "clickhouse-server did not start (see $work/ch/log)"
ok "clickhouse-server up on 127.0.0.1:$port in $((($(date +%s%N) - t0) / 1000000)) ms"
ch() { clickhouse-client --host 127.0.0.1 --port "$port" "$@"; }
sql() { ch --format JSONEachRow --output_format_json_quote_64bit_integers=0 <"$fleet/sql/$1.sql"; }

if "$fleet/load.sh" --port "$port" --create --host-tag host-a "$work/a.jsonl" &&
   "$fleet/load.sh" --port "$port" --host-tag host-b "$work/b.jsonl" &&
   "$fleet/load.sh" --port "$port" --host-tag host-c "$work"/c.jsonl.* "$work/c.jsonl"; then
	ok "load.sh loads the three runs"
else
	not_ok "load.sh loads the three runs"
fi
"$fleet/load.sh" --port "$port" --host-tag host-a "$work/a.jsonl" 2>/dev/null
rows=$(ch --query "SELECT count() FROM memtrace.events WHERE host = 'host-a'")
want=$(jq '.trace.events' "$work/a.report.json")
[ "$rows" = "$want" ] && ok "loading a file again adds nothing ($rows rows)" ||
	not_ok "loading a file again adds nothing" "host-a rows $rows, report events $want"

bad=""
for f in "$fleet"/sql/*.sql; do
	ch --format Null <"$f" 2>"$work/err" || bad="$bad $(basename "$f"): $(head -c 300 "$work/err")"
done
[ -z "$bad" ] && ok "every SQL file runs on ClickHouse $(ch --query 'SELECT version()')" ||
	not_ok "every SQL file runs" "$bad"

# The report's figures, per host, as TSV lines.
report() {
	local h
	for h in a b; do jq -r --arg h "host-$h" "$1" "$work/$h.report.json"; done
}
ab='select(.host == "host-a" or .host == "host-b")'

check "process_events.sql = report processes[].events" \
	"$(report '.processes[] | .pid as $p | .events | to_entries[] | select(.value > 0) | [$h, $p, .key, .value] | @tsv')" \
	"$(sql process_events | jq -r "$ab | [.host, .pid, .event, .n] | @tsv")"
check "exec_chains.sql = report processes[].execs" \
	"$(report '.processes[] | select(.execs | length > 0) | [$h, .pid, (.execs | map(.filename) | join(",")), (.execs | map(.as) | join(","))] | @tsv')" \
	"$(sql exec_chains | jq -r "$ab | [.host, .pid, (.chain | join(\",\")), (.new_as | join(\",\"))] | @tsv")"
check "tree_edges.sql = report tree (relation, ts, pids, as)" \
	"$(report '.tree[] | [$h, .relation, .ts, .from_pid, .to_pid, .from_as, .to_as] | @tsv')" \
	"$(sql tree_edges | jq -r "$ab | [.host, .relation, .ts, .from_pid, .to_pid, .from_as, .to_as] | @tsv")"
check "address_space_calls.sql = report brk_grows, large_blocks, heap (not fork copies)" \
	"$(report '.address_spaces[] | select(.fork_copy_of == 0) | [$h, .as, .brk_grows, .large_blocks, (if .heap_start and .heap_start != "0x0" then .heap_start + " " + .heap_peak else "" end)] | @tsv')" \
	"$(sql address_space_calls | jq -r "$ab | select(.fork_copy == 0) | [.host, .as, .brk_grows, .large_blocks, (if .heap_start != \"\" then .heap_start + \" \" + .heap_peak else \"\" end)] | @tsv")"
check "events_per_minute.sql sums to the report's events per host" \
	"$(report '[$h, .trace.events] | @tsv')" \
	"$(sql events_per_minute | jq -s -r "map($ab) | group_by(.host)[] | [.[0].host, (map(.events) | add)] | @tsv")"
check "lost_per_host.sql = report trace.lost per host" \
	"$(report '[$h, .trace.events, .trace.lost] | @tsv')" \
	"$(sql lost_per_host | jq -r "$ab | [.host, .events, .lost] | @tsv")"
# the split run: its files' summaries add up to what its events table holds
check "a --rotate run: summaries' events = rows, lost summed over files" \
	"$(cat "$work"/c.jsonl* | jq -s -r '[map(select(.event == "summary")) | ("host-c", (map(.events | add) | add), (map(.lost) | add))] | @tsv')" \
	"$(sql lost_per_host | jq -r 'select(.host == "host-c") | [.host, .events, .lost] | @tsv')"
check "the summaries' unfollowed and unnumbered reach the traces table" \
	"$(cat "$work"/c.jsonl* | jq -s -r '[map(select(.event == "summary")) | ("host-c", (map(.unfollowed) | add), (map(.unnumbered) | add))] | @tsv')" \
	"$(sql lost_per_host | jq -r 'select(.host == "host-c") | [.host, .unfollowed, .unnumbered] | @tsv')"
files=$(ls "$work"/c.jsonl* | wc -l)
got=$(ch --query "SELECT count(), uniqExact(run_ns) FROM memtrace.traces WHERE host = 'host-c'" | tr '\t' ' ')
[ "$got" = "$files 1" ] && ok "a --rotate run: $files files, one run" || not_ok "a --rotate run: one row per file, one run" "got '$got', want '$files 1'"

pid=$(cat "$work/ch/pid")
"$fleet/clickhouse-local.sh" stop "$work/ch"
kill -0 "$pid" 2>/dev/null && not_ok "server stopped" "pid $pid still alive" || ok "server stopped, nothing left running"
echo "1..$n"
exit "$failed"
