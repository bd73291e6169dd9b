#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# scripts/fleet/clickhouse-local.sh - a private clickhouse-server for tests
# and trials: listens on 127.0.0.1 only, on a free TCP port, keeps its data,
# logs and pid under DIR, and is stopped by `stop DIR` (by its own pid).
# Nothing of it touches /var/lib/clickhouse or the system's service.
#
# Usage: clickhouse-local.sh start DIR    prints the TCP port once it answers
#        clickhouse-local.sh stop DIR     stops it and waits until it is gone
set -euo pipefail

die() { echo "clickhouse-local.sh: $*" >&2; exit 1; }

# A TCP port nobody listens on now (ss lists the listening ones).
free_port() {
	local p used
	used=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
	for p in $(seq 19000 19999); do
		grep -qx "$p" <<<"$used" || { echo "$p"; return; }
	done
	die "no free TCP port in 19000-19999"
}

start() {
	local dir=$1 port i
	command -v clickhouse-server >/dev/null ||
		die "clickhouse-server is not installed: apt-get install clickhouse-server clickhouse-client (scripts/deps.sh does)"
	mkdir -p "$dir/data/tmp" "$dir/data/user_files" "$dir/log"
	dir=$(cd "$dir" && pwd)
	[ -e "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null && die "a server already runs for $dir (pid $(cat "$dir/pid")): stop it first"
	port=$(free_port)
	cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/server.err.log</errorlog><size>10M</size><count>1</count></logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$port</tcp_port>
    <path>$dir/data/</path>
    <tmp_path>$dir/data/tmp/</tmp_path>
    <user_files_path>$dir/data/user_files/</user_files_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>16</max_concurrent_queries>
</yandex>
XML
	cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
    <quotas><default></default></quotas>
</yandex>
XML
	clickhouse-server --config-file="$dir/config.xml" --pid-file="$dir/pid" --daemon \
		>"$dir/log/stdout.log" 2>&1 || die "clickhouse-server did not start: see $dir/log/"
	for i in $(seq 1 150); do
		if clickhouse-client --host 127.0.0.1 --port "$port" --query "SELECT 1" >/dev/null 2>&1; then
			echo "$port" >"$dir/port"
			echo "$port"
			return
		fi
		sleep 0.1
	done
	stop "$dir"
	die "clickhouse-server did not answer on 127.0.0.1:$port within 15 s: see $dir/log/"
}

stop() {
	local dir=$1 pid i
	[ -e "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	kill -TERM "$pid" 2>/dev/null || { rm -f "$dir/pid"; return 0; }
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$dir/pid"; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$dir/pid"
}

case "${1:-}:${2:-}" in
start:?*) start "$2" ;;
stop:?*) stop "$2" ;;
*) echo "usage: clickhouse-local.sh start|stop DIR" >&2; exit 2 ;;
esac
