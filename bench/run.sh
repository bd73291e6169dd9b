#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# bench/run.sh - how much does tracing slow a program down?
#
# Runs each storm (bench/*.c) untraced and under memtrace, streaming every
# event as JSON to a file, and under strace, perf trace and bpftrace when
# they are installed, in rounds: untraced, memtrace, strace, ... and the
# next round in reverse order (A B C C B A ...), so that slow drifts of the
# machine hit every tool alike. Per storm and tool it reports the median
# ns per iteration, the ratio to untraced, events/s in the trace and lost
# events; for memtrace also its own CPU time and peak RSS. Then memtrace's
# start-up time and its drain capacity. See docs/performance.md.
#
# Usage: bench/run.sh            (make bench builds everything first)
# Environment:
#   BENCH_PAIRS=N      rounds per storm (default 11; 2 with BENCH_QUICK)
#   BENCH_QUICK=1      smoke run: 2 rounds, 1/5 of the iterations
#   BENCH_STORMS="..." storms to run (default: mmap brk fork threads pagetouch)
#   BENCH_TOOLS="..."  tracers besides memtrace (default: floor-hook
#                      floor-record floor-batch strace perf bpftrace; "" for
#                      memtrace only). The floor-* tools are bench/hookfloor,
#                      the least a sys_exit tracer can cost: an empty
#                      program; one bare record per syscall; the same records
#                      batched per CPU; floor-pcpu (not by default): the
#                      records in a per-CPU ring read in place. Issue 11's fault tools: memtrace-m
#                      (-m: faults aggregated + rss), memtrace-all
#                      (--faults=all --rss), perf-pf (perf trace -F all
#                      --no-syscalls), bpftrace-pf (a count per process and
#                      error code on exceptions:page_fault_user)
#   BENCH_FAULTS=1     the fault storms: pagetouch and cowtouch against
#                      untraced, memtrace (faults off), memtrace-m,
#                      memtrace-all, perf-pf and bpftrace-pf
#   BENCH_PIN=CPU      run every storm pinned to CPU (taskset), traced or not;
#                      the tracers themselves stay free to use any core
#   MEMTRACE=PATH      the memtrace binary (default ./memtrace)
#   MEMTRACE_ARGS=...  extra options for `memtrace run` (e.g. "-b 32M")
#
# Needs root. Times are printed, never asserted.
set -u
cd "$(dirname "$0")/.." || exit 1

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	PAIRS=${BENCH_PAIRS:-2}
	SCALE=5
else
	PAIRS=${BENCH_PAIRS:-11}
	SCALE=1
fi
STORMS=${BENCH_STORMS:-mmap brk fork threads pagetouch}
TOOLS=${BENCH_TOOLS-floor-hook floor-record floor-batch strace perf bpftrace}
if [ "${BENCH_FAULTS:-0}" = 1 ]; then
	STORMS=${BENCH_STORMS:-pagetouch cowtouch}
	TOOLS=${BENCH_TOOLS-memtrace-m memtrace-all perf-pf bpftrace-pf}
fi
PIN=${BENCH_PIN:-}
MEMTRACE=${MEMTRACE:-./memtrace}
MEMTRACE_ARGS=${MEMTRACE_ARGS:-}
STARTUP_RUNS=10
BIN=bench/bin
# What perf trace prints: the syscalls behind memtrace's events.
PERF_EVENTS='mmap,munmap,brk,mprotect,mremap,clone,clone3,fork,vfork,execve,exit,exit_group'

TMP=$(mktemp -d /tmp/memtrace-bench.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT

die() { echo "bench/run.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (memtrace, perf trace and bpftrace load BPF programs)"
[ -x "$MEMTRACE" ] || die "$MEMTRACE not built: run make bench"
for s in $STORMS mprotect selfusage; do
	[ -x "$BIN/$s" ] || die "$BIN/$s not built: run make bench"
done
command -v jq >/dev/null || die "needs jq (make deps)"
if [ ! -d /sys/kernel/tracing/events ] && [ -d /sys/kernel/tracing ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
fi

# ---- helpers -------------------------------------------------------------

median() { grep -v nan | sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "nan";
	else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
max() { grep -v nan | sort -g | tail -n 1; }
# calc EXPR: awk arithmetic, "nan" when an operand is missing
calc() { awk "BEGIN { x = $1; print x }" 2>/dev/null || echo nan; }

# Iterations for a storm: its own default (from -h), divided in quick mode.
iters_of() {
	local d
	d=$("$BIN/$1" -h | sed -n 's/.*(default \([0-9]*\)).*/\1/p' | head -n 1)
	echo $(( d / SCALE > 0 ? d / SCALE : 1 ))
}

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$2" | head -n 1; }

tool_available() {
	case $1 in
	strace) command -v strace >/dev/null ;;
	perf) command -v perf >/dev/null && perf trace -o /dev/null -e brk -- true >/dev/null 2>&1 ;;
	memtrace-m|memtrace-all) return 0 ;;
	floor-*) [ -x "$BIN/hookfloor" ] ;;
	perf-pf) command -v perf >/dev/null && perf trace -F all --no-syscalls -o /dev/null -- true >/dev/null 2>&1 ;;
	bpftrace-pf) command -v bpftrace >/dev/null && [ -d /sys/kernel/tracing/events/exceptions ] ;;
	bpftrace) command -v bpftrace >/dev/null && [ -d /sys/kernel/tracing/events/syscalls ] ;;
	*) return 1 ;;
	esac
}

# What bpftrace prints: one line per event for the traced process tree
# (pids join @t at fork, like memtrace's in-kernel filter); a syscall's
# arguments are kept at entry and printed with its result at exit.
bpftrace_script() {
	cat <<'EOF'
BEGIN { @t[cpid] = 1; }
tracepoint:sched:sched_process_fork /@t[pid]/ {
	@t[args->child_pid] = 1;
	printf("%lu fork pid=%d tid=%d child=%d\n", nsecs, pid, tid, args->child_pid); }
tracepoint:sched:sched_process_exec /@t[pid]/ {
	printf("%lu exec pid=%d tid=%d %s\n", nsecs, pid, tid, str(args->filename)); }
tracepoint:sched:sched_process_exit /@t[pid]/ {
	printf("%lu exit pid=%d tid=%d\n", nsecs, pid, tid);
	if (pid == tid) { delete(@t[pid]); } }
tracepoint:syscalls:sys_enter_mmap /@t[pid]/ {
	@mmap[tid] = (args->addr, args->len, args->prot, args->flags); }
tracepoint:syscalls:sys_exit_mmap /@t[pid]/ { $a = @mmap[tid];
	printf("%lu mmap pid=%d tid=%d addr=0x%lx len=%lu prot=%lu flags=0x%lx ret=0x%lx\n",
	       nsecs, pid, tid, $a.0, $a.1, $a.2, $a.3, args->ret); delete(@mmap[tid]); }
tracepoint:syscalls:sys_enter_munmap /@t[pid]/ { @munmap[tid] = (args->addr, args->len); }
tracepoint:syscalls:sys_exit_munmap /@t[pid]/ { $a = @munmap[tid];
	printf("%lu munmap pid=%d tid=%d addr=0x%lx len=%lu ret=%ld\n",
	       nsecs, pid, tid, $a.0, $a.1, args->ret); delete(@munmap[tid]); }
tracepoint:syscalls:sys_enter_mprotect /@t[pid]/ {
	@mprotect[tid] = (args->start, args->len, args->prot); }
tracepoint:syscalls:sys_exit_mprotect /@t[pid]/ { $a = @mprotect[tid];
	printf("%lu mprotect pid=%d tid=%d addr=0x%lx len=%lu prot=%lu ret=%ld\n",
	       nsecs, pid, tid, $a.0, $a.1, $a.2, args->ret); delete(@mprotect[tid]); }
tracepoint:syscalls:sys_enter_brk /@t[pid]/ { @brk[tid] = args->brk; }
tracepoint:syscalls:sys_exit_brk /@t[pid]/ {
	printf("%lu brk pid=%d tid=%d req=0x%lx ret=0x%lx\n", nsecs, pid, tid, @brk[tid], args->ret);
	delete(@brk[tid]); }
tracepoint:syscalls:sys_enter_mremap /@t[pid]/ {
	@mremap[tid] = (args->addr, args->old_len, args->new_len, args->flags); }
tracepoint:syscalls:sys_exit_mremap /@t[pid]/ { $a = @mremap[tid];
	printf("%lu mremap pid=%d tid=%d addr=0x%lx old=%lu new=%lu flags=0x%lx ret=0x%lx\n",
	       nsecs, pid, tid, $a.0, $a.1, $a.2, $a.3, args->ret); delete(@mremap[tid]); }
END { clear(@t); clear(@mmap); clear(@munmap); clear(@mprotect); clear(@brk); clear(@mremap); }
EOF
}

# memtrace's summary, the last line: {"event":"summary",...,"lost":N}
summary_events() { tail -n 1 "$1" | jq '.events | add'; }
summary_lost() { tail -n 1 "$1" | jq '.lost'; }

# run_one TOOL STORM ITERS [JOBS]: one run. Sets NS (ns/iter), EVENTS, LOST,
# and for memtrace CPU_MS and RSS_KB; returns non-zero if the run failed.
run_one() {
	local tool=$1 storm=$2 n=$3 jobs=${4:-1} out=$TMP/out trace=$TMP/trace
	local cmd=("$BIN/$storm" -n "$n" -j "$jobs")

	# a full path: bpftrace -c refuses a name that two PATH entries hold (/bin, /usr/bin)
	[ -n "$PIN" ] && cmd=("$(command -v taskset)" -c "$PIN" "${cmd[@]}")
	NS='' EVENTS='' LOST='' CPU_MS='' RSS_KB=''
	rm -f "$trace" "$TMP/usage"
	case $tool in
	untraced)
		"${cmd[@]}" >"$out" 2>"$TMP/err" ;;
	memtrace)
		# shellcheck disable=SC2086
		"$BIN/selfusage" -o "$TMP/usage" -- "$MEMTRACE" run -q -f json $MEMTRACE_ARGS \
			-o "$trace" -- "${cmd[@]}" >"$out" 2>"$TMP/err"
		EVENTS=$(summary_events "$trace")
		LOST=$(summary_lost "$trace")
		CPU_MS=$(field cpu_ms "$TMP/usage")
		RSS_KB=$(field maxrss_kb "$TMP/usage") ;;
	memtrace-m|memtrace-all)
		local mem=-m
		[ "$tool" = memtrace-all ] && mem="--faults=all --rss"
		# shellcheck disable=SC2086
		"$BIN/selfusage" -o "$TMP/usage" -- "$MEMTRACE" run -q -f json $mem $MEMTRACE_ARGS \
			-o "$trace" -- "${cmd[@]}" >"$out" 2>"$TMP/err"
		EVENTS=$(summary_events "$trace")
		LOST=$(summary_lost "$trace")
		CPU_MS=$(field cpu_ms "$TMP/usage")
		RSS_KB=$(field maxrss_kb "$TMP/usage") ;;
	floor-hook)
		"$BIN/hookfloor" -- "${cmd[@]}" >"$out" 2>"$TMP/err" ;;
	floor-record|floor-batch|floor-pcpu)
		local how=-r
		[ "$tool" = floor-batch ] && how=-b
		[ "$tool" = floor-pcpu ] && how=-p
		"$BIN/hookfloor" "$how" -- "${cmd[@]}" >"$out" 2>"$TMP/err"
		EVENTS=$(sed -n 's/^hookfloor: \([0-9]*\) records.*/\1/p' "$TMP/err")
		LOST=$(sed -n 's/.* records, \([0-9]*\) lost.*/\1/p' "$TMP/err") ;;
	perf-pf)
		perf trace -F all --no-syscalls -o "$trace" -- "${cmd[@]}" >"$out" 2>"$TMP/err"
		EVENTS=$(grep -vc 'LOST' "$trace")
		LOST=$(awk '/LOST [0-9]+ events/ { for (i = 1; i < NF; i++)
			if ($i == "LOST") s += $(i + 1) } END { print s + 0 }' "$trace") ;;
	bpftrace-pf)
		bpftrace -o "$trace" -e "tracepoint:exceptions:page_fault_user /comm == \"$storm\"/ { @[pid, args->error_code] = count(); }" \
			-c "${cmd[*]}" >"$out" 2>"$TMP/err"
		EVENTS=$(grep -c '^@' "$trace")
		LOST=0 ;;
	strace)
		strace -f -qq -o "$trace" -e trace=memory,process "${cmd[@]}" >"$out" 2>"$TMP/err"
		EVENTS=$(wc -l <"$trace")
		LOST=0 ;;		# strace stops the tracee: it cannot lose events
	perf)
		perf trace -o "$trace" -e "$PERF_EVENTS" -- "${cmd[@]}" >"$out" 2>"$TMP/err"
		EVENTS=$(grep -vc 'LOST' "$trace")
		LOST=$(awk '/LOST [0-9]+ events/ { for (i = 1; i < NF; i++)
			if ($i == "LOST") s += $(i + 1) } END { print s + 0 }' "$trace") ;;
	bpftrace)
		bpftrace -o "$trace" "$TMP/trace.bt" -c "${cmd[*]}" >"$out" 2>"$TMP/err"
		EVENTS=$(grep -c '^[0-9]' "$trace")
		LOST=$(cat "$trace" "$TMP/err" | awk '/Lost [0-9]+ events/ { for (i = 1; i < NF; i++)
			if ($i == "Lost") s += $(i + 1) } END { print s + 0 }') ;;
	esac
	NS=$(field ns_per_iter "$out")
	if [ -z "$NS" ]; then
		echo "bench/run.sh: $tool $storm: no result; its stderr:" >&2
		sed 's/^/  /' "$TMP/err" >&2
		return 1
	fi
}

# events/s while the loop ran: events over the storm's own timed wall clock
rate() { calc "$1 * 1e9 / ($2 * $3)"; }

fmt_int() { awk -v v="$1" 'BEGIN { if (v == "nan" || v == "") print "-"; else printf "%.0f\n", v }'; }
fmt_rate() {
	awk -v r="$1" 'BEGIN { if (r == "nan" || r == "") print "-";
		else if (r >= 1e6) printf "%.2fM\n", r / 1e6;
		else if (r >= 1e3) printf "%.0fk\n", r / 1e3; else printf "%.0f\n", r }'
}

# ---- the machine ---------------------------------------------------------

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "memtrace overhead benchmark: $(nproc) cores, ${cpu_model:-unknown CPU}, kernel $(uname -r)"
echo "rounds per storm: $PAIRS; memtrace run -q -f json -o FILE $MEMTRACE_ARGS${PIN:+; storms pinned to CPU $PIN}"

tools=(untraced memtrace)
for t in $TOOLS; do
	if tool_available "$t"; then
		tools+=("$t")
	else
		echo "note: $t is not installed or cannot trace here; skipped"
	fi
done
bpftrace_script >"$TMP/trace.bt"
echo

# ---- start-up ------------------------------------------------------------
#
# Wall time of tracing nothing. Its CPU time is subtracted from memtrace's
# CPU in the storms below to get the CPU it spends per event. The peak RSS
# with a one-page ring buffer is what memtrace needs besides the buffer.

: >"$TMP/startup"
for ((i = 0; i < STARTUP_RUNS; i++)); do
	t0=$EPOCHREALTIME
	"$MEMTRACE" run -q -o /dev/null -- /bin/true
	t1=$EPOCHREALTIME
	calc "($t1 - $t0) * 1000" >>"$TMP/startup"
done
: >"$TMP/startup.cpu"
: >"$TMP/startup.rss"
for ((i = 0; i < 3; i++)); do
	"$BIN/selfusage" -o "$TMP/usage" -- "$MEMTRACE" run -q -b 4096 -o /dev/null -- /bin/true
	field cpu_ms "$TMP/usage" >>"$TMP/startup.cpu"
	field maxrss_kb "$TMP/usage" >>"$TMP/startup.rss"
done
STARTUP_CPU=$(median <"$TMP/startup.cpu")
printf 'start-up: memtrace run -q -o /dev/null -- /bin/true: median %.1f ms wall (min %.1f, max %.1f, %d runs), %.0f ms CPU\n' \
	"$(median <"$TMP/startup")" "$(sort -g "$TMP/startup" | head -n 1)" \
	"$(max <"$TMP/startup")" "$STARTUP_RUNS" "$STARTUP_CPU"
printf "memtrace's own peak RSS (ring buffer of one page): %.1f MiB\n" \
	"$(calc "$(max <"$TMP/startup.rss") / 1024")"
echo

# ---- storms --------------------------------------------------------------

printf '%-10s %-12s %10s %7s %7s %9s %6s %8s %8s %8s\n' \
	storm tool ns/iter ratio pair events/s lost "mt CPU" "ns/event" "mt RSS"
for storm in $STORMS; do
	n=$(iters_of "$storm")
	for t in "${tools[@]}"; do
		for f in ns rate lost cpu cpuev rss; do : >"$TMP/$storm.$t.$f"; done
	done
	for ((round = 1; round <= PAIRS; round++)); do
		order=("${tools[@]}")
		if (( round % 2 == 0 )); then
			order=()
			for ((k = ${#tools[@]} - 1; k >= 0; k--)); do order+=("${tools[k]}"); done
		fi
		for t in "${order[@]}"; do
			# one line per round in .ns, so rounds pair up across tools
			if ! run_one "$t" "$storm" "$n"; then
				echo nan >>"$TMP/$storm.$t.ns"
				continue
			fi
			echo "$NS" >>"$TMP/$storm.$t.ns"
			[ -z "$EVENTS" ] && continue
			rate "$EVENTS" "$n" "$NS" >>"$TMP/$storm.$t.rate"
			echo "$LOST" >>"$TMP/$storm.$t.lost"
			[ -z "$CPU_MS" ] && continue
			echo "$CPU_MS" >>"$TMP/$storm.$t.cpu"
			# too few events for a per-event figure: start-up noise would dominate
			if [ "$EVENTS" -ge 10000 ]; then
				calc "($CPU_MS - $STARTUP_CPU) * 1e6 / $EVENTS" >>"$TMP/$storm.$t.cpuev"
			fi
			echo "$RSS_KB" >>"$TMP/$storm.$t.rss"
		done
	done
	base=$(median <"$TMP/$storm.untraced.ns")
	for t in "${tools[@]}"; do
		ns=$(median <"$TMP/$storm.$t.ns")
		ratio=$(calc "$ns / $base")
		pair=$(paste "$TMP/$storm.$t.ns" "$TMP/$storm.untraced.ns" |
		       awk '$1 != "nan" && $2 != "nan" { print $1 / $2 }' | median)
		ev=-; lost=-; cpu=-; cpuev=-; rss=-
		if [ -s "$TMP/$storm.$t.rate" ]; then
			ev=$(fmt_rate "$(median <"$TMP/$storm.$t.rate")")
			lost=$(max <"$TMP/$storm.$t.lost")
		fi
		if [ -s "$TMP/$storm.$t.cpu" ]; then
			cpu="$(fmt_int "$(median <"$TMP/$storm.$t.cpu")")ms"
			cpuev=$(fmt_int "$(median <"$TMP/$storm.$t.cpuev")")
			rss="$(fmt_int "$(calc "$(max <"$TMP/$storm.$t.rss") / 1024")")MiB"
		fi
		printf '%-10s %-12s %10.1f %6.3fx %6.3fx %9s %6s %8s %8s %8s\n' \
			"$storm" "$t" "$ns" "$ratio" "$pair" "$ev" "$lost" "$cpu" "$cpuev" "$rss"
	done
done
cat <<'EOF'

ns/iter: median; ratio: that over untraced's median; pair: median of the
per-round ratios (each traced run over the untraced run of its round).
events/s: events in the trace over the storm's timed loop; lost: the most in
one run. mt CPU: memtrace's own on-CPU time (median); ns/event: that less its
start-up CPU, per event; mt RSS: its peak RSS, which includes the ring buffer
twice (the kernel maps its data pages twice), so 4 MiB of it at the default -b 2M.
EOF
case " ${tools[*]} " in *" floor-"*) cat <<'EOF'
floor-hook: an empty program on sys_exit (bench/hookfloor), the price of the
hook itself; floor-record: plus one bare timestamped record per syscall of
the storm's process into a 2 MiB ring; floor-batch: the same records staged
per CPU and sent 42 at a time; floor-pcpu: written into a per-CPU ring
that the loader reads in place (768 KiB per CPU). A sys_exit tracer cannot
cost less.
EOF
esac

# ---- kernel time ---------------------------------------------------------
#
# Where the overhead is paid: one run per storm with --cost, which reads the
# kernel's own accounting of each BPF program's runs and time. These figures
# do not drift with the host like the ratios above do, but the statistics
# add two clock reads to every run, so they overstate the cost a little.

echo
COST_ARGS=''
[ "${BENCH_FAULTS:-0}" = 1 ] && COST_ARGS=-m	# issue 11: what faults + rss cost per fault
echo "kernel time in memtrace's programs, per storm iteration (memtrace run --cost $COST_ARGS, one run each):"
printf '%-10s %9s %7s  %s\n' storm ns/iter "of iter" "per hook: runs/iter x ns/run"
for storm in $STORMS; do
	n=$(iters_of "$storm")
	cmd=("$BIN/$storm" -n "$n")
	[ -n "$PIN" ] && cmd=("$(command -v taskset)" -c "$PIN" "${cmd[@]}")
	# shellcheck disable=SC2086
	if ! "$MEMTRACE" run -q --cost -f json $COST_ARGS $MEMTRACE_ARGS -o "$TMP/cost.jsonl" -- "${cmd[@]}" \
		>"$TMP/out" 2>"$TMP/err"; then
		echo "bench/run.sh: $storm with --cost failed:" >&2
		sed 's/^/  /' "$TMP/err" >&2
		continue
	fi
	total=$(tail -n 1 "$TMP/cost.jsonl" | jq '[.bpf_cost[].ns] | add')
	hooks=$(tail -n 1 "$TMP/cost.jsonl" | jq -r --argjson n "$n" '.bpf_cost | to_entries
		| map(select(.value.runs >= $n / 10))
		| map("\(.key) \(.value.runs / $n * 10 | round / 10)x\(.value.ns / .value.runs | round)")
		| join(", ")')
	base=$(median <"$TMP/$storm.untraced.ns")
	printf '%-10s %9.0f %6.1f%%  %s\n' "$storm" "$(calc "$total / $n")" \
		"$(calc "100 * $total / $n / $base")" "$hooks"
done
cat <<'EOF'

Runs are system-wide (sys_exit runs for every syscall of every process);
hooks with fewer than 0.1 runs per iteration are left out of the list but
counted in ns/iter. The syscall tracepoint's own slow path (about 50 ns per
syscall) is not a BPF program and is not included.
EOF

# the fault storms stop here: the drain capacity below is the syscall storms'
[ "${BENCH_FAULTS:-0}" = 1 ] && exit 0

# ---- drain capacity ------------------------------------------------------
#
# 1. Sustained: the mprotect storm makes events faster than any other; one
#    copy, then one per core (memtrace then competes for a core).
# 2. Burst: memtrace is stopped (SIGSTOP) while the storm fills a big ring
#    buffer, then continued: how fast it empties it, JSON to a file, with a
#    core to itself. That is the consumer's own limit.

echo
echo "drain capacity, sustained (mprotect storm, memtrace with default settings):"
printf '%-6s %10s %10s %6s %8s %9s\n' jobs ns/iter events/s lost "mt CPU" ns/event
n=$(iters_of mprotect)
for jobs in 1 2; do
	for f in ns rate lost cpu cpuev; do : >"$TMP/d.$f"; done
	for ((round = 1; round <= (PAIRS < 3 ? PAIRS : 3); round++)); do
		run_one memtrace mprotect "$n" "$jobs" || continue
		echo "$NS" >>"$TMP/d.ns"
		rate "$EVENTS" "$n" "$NS" >>"$TMP/d.rate"
		echo "$LOST" >>"$TMP/d.lost"
		echo "$CPU_MS" >>"$TMP/d.cpu"
		calc "($CPU_MS - $STARTUP_CPU) * 1e6 / $EVENTS" >>"$TMP/d.cpuev"
	done
	printf '%-6s %10.1f %10s %6s %8s %9s\n' "$jobs" "$(median <"$TMP/d.ns")" \
		"$(fmt_rate "$(median <"$TMP/d.rate")")" "$(max <"$TMP/d.lost")" \
		"$(fmt_int "$(median <"$TMP/d.cpu")")ms" "$(fmt_int "$(median <"$TMP/d.cpuev")")"
done

# burst_drain ITERS: one stopped-then-continued run; prints events, seconds
burst_drain() {
	local n=$1 trace=$TMP/burst.jsonl out=$TMP/burst.out mt t0 t1 before
	rm -f "$trace" "$out"
	"$MEMTRACE" run -q -f json -b 256M -o "$trace" -- "$BIN/mprotect" -n "$n" >"$out" &
	mt=$!
	# the start record is written once attached; the workload starts right after
	until [ -s "$trace" ] || ! kill -0 "$mt" 2>/dev/null; do sleep 0.005; done
	sleep 0.05
	kill -STOP "$mt"
	until [ -s "$out" ]; do sleep 0.02; done	# the storm is done
	before=$(wc -l <"$trace")
	t0=$EPOCHREALTIME
	kill -CONT "$mt"
	wait "$mt"
	t1=$EPOCHREALTIME
	echo "$(( $(summary_events "$trace") - before )) $(calc "$t1 - $t0") $(summary_lost "$trace")"
}

echo
echo "drain capacity, burst (memtrace stopped while the mprotect storm fills a 256 MiB ring, then continued):"
: >"$TMP/burst"
for ((round = 1; round <= (PAIRS < 3 ? PAIRS : 3); round++)); do
	read -r ev secs lost < <(burst_drain $(( 600000 / SCALE )))
	calc "$ev / $secs" >>"$TMP/burst"
	printf '  %d events drained in %.3f s: %s events/s, %s lost\n' "$ev" "$secs" \
		"$(fmt_rate "$(calc "$ev / $secs")")" "$lost"
done
printf 'burst drain capacity: median %s events/s\n' "$(fmt_rate "$(median <"$TMP/burst")")"

# ---- the report's reader -------------------------------------------------
#
# memtrace report on a multi-million-event trace: one recorded mmap storm
# (BENCH_READER_STORM iterations, real lines) replayed until the trace holds
# BENCH_READER_EVENTS events, each replay shifted in time and given new
# addresses' ts so that the stream stays sorted. Reader + analysis + text
# report on one core: events/s from user+sys CPU time, and peak RSS at a
# quarter of the events and at all of them (it must not grow with events).

READER_EVENTS=${BENCH_READER_EVENTS:-$(( 4000000 / SCALE ))}
storm=$TMP/reader-storm.jsonl
"$MEMTRACE" run -q -f json -b 64M -o "$storm" -- "$BIN/mmap" -n 20000 >/dev/null 2>&1
# replay_trace EVENTS OUT: the storm's event lines repeated, ts shifted per round
replay_trace() {
	awk -v want="$1" '
		NR == 1 { print; next }
		/"event":"summary"/ { next }
		{ line[n++] = $0; if (match($0, /"ts":[0-9]+/)) last = substr($0, RSTART + 5, RLENGTH - 5) + 0 }
		END {
			for (r = 0; out < want; r++)
				for (i = 0; i < n && out < want; i++) {
					l = line[i]
					if (r && match(l, /"ts":[0-9]+/)) {
						t = substr(l, RSTART + 5, RLENGTH - 5) + r * (last + 1)
						l = substr(l, 1, RSTART + 4) sprintf("%.0f", t) substr(l, RSTART + RLENGTH)
					}
					print l; out++
				}
			printf "{\"event\":\"summary\",\"ts\":%.0f,\"duration_ns\":%.0f,\"events\":{},\"lost\":0,\"missed\":0,\"exit_status\":0}\n", r * (last + 1), r * (last + 1)
		}' "$storm" >"$2"
}
# reader_run TRACE: prints "events cpu_seconds wall_seconds max_rss_kib"
reader_run() {
	/usr/bin/time -f '%U %S %e %M' -o "$TMP/reader.time" "$MEMTRACE" report "$1" >"$TMP/reader.out" || return 1
	read -r u s e m <"$TMP/reader.time"
	echo "$(sed -n 's/.*: \([0-9]*\) events over.*/\1/p' "$TMP/reader.out" | head -n 1) $(calc "$u + $s") $e $m"
}

echo
echo "memtrace report (reader + analysis + text report, one core) on a replayed mmap storm:"
printf '%-10s %10s %10s %12s %10s\n' events "CPU s" "wall s" events/s "peak RSS"
if [ -s "$storm" ]; then
	for part in 4 1; do
		replay_trace $(( READER_EVENTS / part )) "$TMP/reader.jsonl"
		: >"$TMP/reader.rate"
		for ((round = 1; round <= (PAIRS < 3 ? PAIRS : 3); round++)); do
			read -r ev cpu wall rss < <(reader_run "$TMP/reader.jsonl") || continue
			calc "$ev / $cpu" >>"$TMP/reader.rate"
		done
		printf '%-10s %10.2f %10.2f %12s %8s MiB\n' "$ev" "$cpu" "$wall" \
			"$(fmt_rate "$(median <"$TMP/reader.rate")")" "$(calc "int($rss / 1024)")"
	done
	rm -f "$TMP/reader.jsonl"
else
	echo "  (the storm could not be recorded)"
fi
