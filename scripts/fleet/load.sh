#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# scripts/fleet/load.sh - loads memtrace JSON traces into ClickHouse
# (docs/fleet.md) with clickhouse-client: each file's events into
# memtrace.events, tagged with the host, boot and run of its start record,
# then one row for the file into memtrace.traces. A file already in
# memtrace.traces is skipped, so loading again is safe.
#
# Usage: load.sh [--port N] [--host-tag NAME] [--create] FILE.jsonl...
#   --port N          clickhouse-server's TCP port on 127.0.0.1 (default 9000);
#                     CLICKHOUSE_CLIENT overrides the whole client command
#   --host-tag NAME   store NAME as the host instead of the start record's
#                     hostname (two runs of one machine as two hosts, say)
#   --create          run schema.sql first (CREATE ... IF NOT EXISTS)
# Exits 0 when every file is loaded (or was already), 1 on the first failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
port=9000 host_tag="" create=0
die() { echo "load.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--port) port=${2:?--port needs a number}; shift 2 ;;
	--host-tag) host_tag=${2:?--host-tag needs a name}; shift 2 ;;
	--create) create=1; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "load.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "load.sh: give one or more .jsonl files written by memtrace run -f json" >&2; exit 2; }
command -v jq >/dev/null || die "jq is not installed: apt-get install jq"
read -r -a client <<<"${CLICKHOUSE_CLIENT:-clickhouse-client --host 127.0.0.1 --port $port}"
command -v "${client[0]}" >/dev/null || die "${client[0]} is not installed: apt-get install clickhouse-client"

ch() { "${client[@]}" "$@"; }
[ "$create" -eq 0 ] || ch --multiquery <"$here/schema.sql" || die "could not create the tables (is the server up on port $port?)"

# A string as a ClickHouse literal.
sql_str() { printf "'%s'" "$(printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g")"; }

load_file() {
	local f=$1 start last ids host boot run part tag n
	[ -f "$f" ] && [ -r "$f" ] || die "$f: not a readable file"
	start=$(head -n 1 "$f")
	jq -e 'select(.event == "start" and .schema == 1)' <<<"$start" >/dev/null 2>&1 ||
		die "$f: line 1 is not a memtrace start record of schema 1 (write traces with -f json)"
	# the ids every row carries; --host-tag replaces the hostname
	ids=$(jq -c --arg tag "$host_tag" '{host: (if $tag != "" then $tag else (.hostname // "") end),
		boot_id: (.boot_id // ""), run_ns: .wall_start_ns, part: (.part // 1)}' <<<"$start")
	host=$(jq -r .host <<<"$ids") boot=$(jq -r .boot_id <<<"$ids")
	run=$(jq -r .run_ns <<<"$ids") part=$(jq -r .part <<<"$ids")
	n=$(ch --query "SELECT count() FROM memtrace.traces WHERE host = $(sql_str "$host")
		AND boot_id = $(sql_str "$boot") AND run_ns = $run AND part = $part") ||
		die "cannot query memtrace.traces (is the server up on port $port? did you --create?)"
	if [ "$n" != 0 ]; then
		echo "load.sh: $f: already loaded (host $host, run $run, part $part): skipped" >&2
		return 0
	fi
	# Events: the ids and the line number spliced into each line (events
	# start with {"ts":, the start and summary records with {"event":).
	IDS=${ids%\}} awk 'BEGIN { p = ENVIRON["IDS"] }
		substr($0, 1, 6) == "{\"ts\":" { print p ",\"seq\":" NR "," substr($0, 2) }' "$f" |
		ch --input_format_skip_unknown_fields=1 \
			--query "INSERT INTO memtrace.events FORMAT JSONEachRow" ||
		die "$f: inserting the events failed; rows already inserted stay (delete them with ALTER TABLE memtrace.events DELETE WHERE run_ns = $run AND part = $part)"
	# The file's row last: its presence means the events are in.
	last=$(tail -n 1 "$f")
	jq -c -n --argjson s "$start" --argjson ids "$ids" --arg file "$f" --argjson last "$(jq -c . <<<"$last" 2>/dev/null || echo null)" '
		($last | if type == "object" and .event == "summary" then . else null end) as $sum |
		$ids + {file: $file, version: ($s.version // ""), command: ($s.command // ""),
		 target: ($s.target // ""), root_pid: ($s.root_pid // 0), kernel: ($s.kernel // ""),
		 complete: (if $sum then 1 else 0 end),
		 duration_ns: ($sum.duration_ns // 0),
		 events: (if $sum then ($sum.events | add) else 0 end),
		 lost: ($sum.lost // 0), missed: ($sum.missed // 0),
		 unfollowed: ($sum.unfollowed // 0), unnumbered: ($sum.unnumbered // 0),
		 exit_status: ($sum.exit_status // null)}' |
		ch --query "INSERT INTO memtrace.traces FORMAT JSONEachRow" || die "$f: inserting its traces row failed"
	[ -n "$(jq -c 'select(.event == "summary")' <<<"$last" 2>/dev/null)" ] ||
		echo "load.sh: warning: $f has no summary record (memtrace did not finish): loaded as incomplete" >&2
}

for f in "$@"; do
	load_file "$f"
done
