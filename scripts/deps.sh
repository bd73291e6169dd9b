#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# scripts/deps.sh - installs the Debian packages memtrace needs to build
# and test (golang-go for the Go workloads), only those missing. Needs
# root. It installs what the whole test suite needs: clickhouse-server and
# clickhouse-client for test_fleet (docs/fleet.md), which starts a private
# server of its own; Debian's chromium (and nodejs and npm where node is
# missing) and @mermaid-js/mermaid-cli as pinned by
# tests/mermaid/package-lock.json (npm ci, no browser download: puppeteer
# uses /usr/bin/chromium, see tests/mermaid/puppeteer.json) for the picture
# tests and the HTML page's; xxd, node and npm also build the page (make
# runs npm ci in web/ for uPlot, as pinned by web/package-lock.json). With
# --bench, also the tracers `make bench` compares against (perf, bpftrace), and mounts tracefs, which they need (memtrace itself does not).
# --test is accepted for older scripts: the test tools are always installed.
#
# Usage: scripts/deps.sh [--bench | --test]
set -eu
PKGS="make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev \
libjansson-dev libyajl-dev jq strace procps util-linux golang-go libcap2-bin passwd \
clickhouse-server clickhouse-client"
# the picture tests: a real browser and node for mermaid-cli
# xxd builds the HTML page's assets into memtrace (make); fonts for its screenshots
PKGS="$PKGS chromium xxd fonts-dejavu-core"
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
case "${1:-}" in
--bench) PKGS="$PKGS linux-perf bpftrace" ;;
--test | "") ;;
*) echo "scripts/deps.sh: unknown option '$1' (use --bench, --test or nothing)" >&2; exit 2 ;;
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
if [ -d "$(dirname "$0")/../tests/mermaid" ]; then
	mm="$(dirname "$0")/../tests/mermaid"
	# npm ci starts from scratch: only when the lock file changed since the last install
	if [ ! -x "$mm/node_modules/.bin/mmdc" ] ||
	   [ "$mm/package-lock.json" -nt "$mm/node_modules/.package-lock.json" ]; then
		echo "installing: mermaid-cli (tests/mermaid, npm ci)"
		(cd "$mm" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
	fi
fi
echo "dependencies: ok"
