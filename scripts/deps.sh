#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# scripts/deps.sh - installs the Debian packages memtrace needs to build
# and test (golang-go for the Go workloads), only those missing. Needs
# root. xxd, node and npm build the HTML page; chromium tests it. With --bench, also the tracers `make bench` compares against (perf,
# bpftrace), and mounts tracefs, which they need (memtrace itself does not).
#
# Usage: scripts/deps.sh [--bench]
set -eu
PKGS="make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev \
libjansson-dev jq strace procps util-linux golang-go libcap2-bin passwd \
xxd chromium fonts-dejavu-core"
# node and npm build the HTML page's assets (web/package-lock.json) and drive
# its browser test; Debian's only where no node is installed already.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
case "${1:-}" in
--bench) PKGS="$PKGS linux-perf bpftrace" ;;
"") ;;
*) echo "scripts/deps.sh: unknown option '$1' (use --bench or nothing)" >&2; exit 2 ;;
esac

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "scripts/deps.sh: missing packages:$missing; run as root (sudo make deps)" >&2
		exit 1
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ "$(id -u)" -eq 0 ] && [ -d /sys/kernel/tracing ] && [ ! -e /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
echo "dependencies: ok"
