// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// go-goroutines - the seed's goroutine experiment: N goroutines (default
// 1000) each record the pid, &globalVar and &localVar, and the OS thread
// they run on. They all wait at a gate until every one exists, so all N
// are alive at the same time. main prints a digest: one pid, one
// &globalVar, N distinct &localVar, and how many OS threads carried them.
//
// localVar escapes (its address outlives the goroutine), so the compiler
// puts it on the Go heap; stack_addr is the address of a variable that does
// not escape, on the goroutine's own stack. Both lie in the Go heap arena at
// 0xc000000000: goroutine stacks are carved out of the heap, not mmap'd.
//
// In memtrace: a handful of thread forks (raw clone, no clone3, no
// PARENT_SETTID|CHILD_CLEARTID), about GOMAXPROCS+2 whatever N is; no
// mmap per goroutine and no MAP_STACK at all; the arena reserved PROT_NONE
// and committed rw- with MAP_FIXED; one as.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"unsafe"

	"memtrace/workloads/internal/wl"
)

const usage = `Usage: go-goroutines [-n GOROUTINES] [--json FILE]

Starts GOROUTINES goroutines (default 1000) that each record the pid, the OS
thread (tid) they run on, &globalVar, &localVar and an address on their own
stack, all alive at once; prints the first few and a digest: one pid, one
&globalVar, a distinct &localVar each, and how few OS threads ran them.

  -n N         goroutines (1-1000000, default 1000)
  --json FILE  append a JSON Lines self-report to FILE
               (default: $MEMTRACE_SELF_REPORT if set)
  -h, --help   this help

In memtrace look for: about GOMAXPROCS+2 thread forks (clone, thread:true)
whatever N is, no mmap per goroutine and no MAP_STACK mapping at all: the
goroutines' stacks and their escaped locals are in the Go heap arena, the
mmap of 0xc000000000 with MAP_FIXED over a PROT_NONE reservation.

Examples:
  go-goroutines -n 100000
  sudo ./memtrace run go-goroutines
`

// shown is how many goroutines print their own line.
const shown = 4

var globalVar = 100

type sighting struct {
	pid, tid int
	global   *int
	local    *int
	stack    uintptr
}

func main() {
	flags := wl.NewFlags("go-goroutines", usage)
	n := flags.Int("n", 1000, "goroutines")
	rep := flags.Parse()
	flags.Range("-n", *n, 1, 1000000)

	var localVar = 10
	seen := make([]sighting, *n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(*n)
	done.Add(*n)
	for i := 0; i < *n; i++ {
		go func(i int) {
			defer done.Done()
			localVar := i // escapes: seen[i].local outlives this goroutine
			var onStack int
			ready.Done()
			<-gate // every goroutine exists before any goes on
			seen[i] = sighting{
				pid:    os.Getpid(),
				tid:    syscall.Gettid(),
				global: &globalVar,
				local:  &localVar,
				// not a pointer, so onStack stays on this goroutine's stack
				stack: uintptr(unsafe.Pointer(&onStack)),
			}
			rep.Line("goroutine").Int("index", int64(i)).
				Addr("global_addr", uintptr(unsafe.Pointer(&globalVar))).
				Addr("local_addr", uintptr(unsafe.Pointer(&localVar))).
				Addr("stack_addr", seen[i].stack).Emit()
		}(i)
	}
	ready.Wait()
	close(gate)
	done.Wait()

	pids, globals, locals, tids := map[int]bool{}, map[*int]bool{}, map[*int]bool{}, map[int]bool{}
	lo, hi := ^uintptr(0), uintptr(0)
	for i, s := range seen {
		if i < shown {
			fmt.Printf("goroutine %-4d pid=%d tid=%d  &globalVar=%p  &localVar=%p  stack=%#x\n",
				i, s.pid, s.tid, s.global, s.local, s.stack)
		}
		pids[s.pid], globals[s.global], locals[s.local], tids[s.tid] = true, true, true, true
		a := uintptr(unsafe.Pointer(s.local))
		if a < lo {
			lo = a
		}
		if a > hi {
			hi = a
		}
	}
	created := pprof.Lookup("threadcreate").Count()
	if *n > shown {
		fmt.Printf("...\n")
	}
	fmt.Printf("main           pid=%d tid=%d  &globalVar=%p  &localVar=%p (%s)\n",
		os.Getpid(), syscall.Gettid(), &globalVar, &localVar, wl.Region(uintptr(unsafe.Pointer(&localVar))))
	fmt.Printf("%d goroutines: %d pid, %d &globalVar, %d distinct &localVar in [%#x, %#x] (%s)\n",
		*n, len(pids), len(globals), len(locals), lo, hi, wl.Region(lo))
	fmt.Printf("they ran on %d OS threads; the runtime created %d threads in all (GOMAXPROCS %d)\n",
		len(tids), created, runtime.GOMAXPROCS(0))

	rep.Line("main").Int("goroutines", int64(*n)).
		Addr("global_addr", uintptr(unsafe.Pointer(&globalVar))).
		Addr("local_addr", uintptr(unsafe.Pointer(&localVar))).
		Str("region", wl.Region(uintptr(unsafe.Pointer(&localVar)))).
		Int("distinct_locals", int64(len(locals))).
		Int("distinct_tids", int64(len(tids))).
		Int("threads_created", int64(created)).
		Int("gomaxprocs", int64(runtime.GOMAXPROCS(0))).Emit()
}
