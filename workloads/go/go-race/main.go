// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// go-race - the seed's data race: N goroutines (default 4) each add 1 to
// globalVar M times (default 100000) without synchronisation, then main
// prints the expected and the actual total. Two goroutines on two threads
// load the same value, both add 1, both store: one increment is gone.
// --fixed takes a sync.Mutex around each increment: always exact.
//
// `make workloads-race` builds workloads/go-race-race with -race, the
// seed's `go run -race`: it prints "WARNING: DATA RACE" naming the read and
// the write, and exits 66.
//
// In memtrace the race is invisible, as in the C race: it happens in memory
// the process already has. Unlike C there is no thread per racer: the
// goroutines run on the runtime's few threads (thread forks about
// GOMAXPROCS+2), and no stack mmap precedes them.
package main

import (
	"fmt"
	"runtime"
	"sync"

	"memtrace/workloads/internal/wl"
)

const usage = `Usage: go-race [-n GOROUTINES] [-m INCREMENTS] [--fixed] [--json FILE]

GOROUTINES goroutines each increment one shared int INCREMENTS times without
a lock; prints the expected and the actual total. Updates get lost when two
goroutines run on two threads at once, and how many changes from run to run.
--fixed takes a mutex around each increment: always exact.

  -n N         goroutines (1-10000, default 4)
  -m M         increments per goroutine (1-100000000, default 100000)
  --fixed      lock a sync.Mutex around each increment
  --json FILE  append a JSON Lines self-report to FILE
               (default: $MEMTRACE_SELF_REPORT if set)
  -h, --help   this help

In memtrace look for: nothing of the race itself, no syscall; a few thread
forks (the runtime's, not one per goroutine) and no stack mmap at all.

Examples:
  go-race -n 8 -m 1000000
  go-race --fixed
  make workloads-race && workloads/go-race-race -m 1000   # the race detector
  sudo ./memtrace run go-race
`

var globalVar int // plain int, not atomic: the race is the point

func main() {
	flags := wl.NewFlags("go-race", usage)
	n := flags.Int("n", 4, "goroutines")
	m := flags.Int("m", 100000, "increments per goroutine")
	fixed := flags.Bool("fixed", false, "use a mutex")
	rep := flags.Parse()
	flags.Range("-n", *n, 1, 10000)
	flags.Range("-m", *m, 1, 100000000)

	var mu sync.Mutex
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(*n)
	done.Add(*n)
	for i := 0; i < *n; i++ {
		go func(i int) {
			defer done.Done()
			ready.Done()
			<-gate // all set off together, or the first may finish before the last starts
			for j := 0; j < *m; j++ {
				if *fixed {
					mu.Lock()
					globalVar++
					mu.Unlock()
				} else {
					globalVar++
				}
			}
			rep.Line("goroutine").Int("index", int64(i)).Int("iterations", int64(*m)).Emit()
		}(i)
	}
	ready.Wait()
	close(gate)
	done.Wait()

	expected := *n * *m
	how := "unsynchronised"
	if *fixed {
		how = "mutex-protected"
	}
	fmt.Printf("%d goroutines x %d %s increments of globalVar (GOMAXPROCS %d)\n",
		*n, *m, how, runtime.GOMAXPROCS(0))
	if lost := expected - globalVar; lost == 0 {
		fmt.Printf("expected %d, actual %d: exact\n", expected, globalVar)
	} else {
		fmt.Printf("expected %d, actual %d: %d updates lost (run it again: the number changes)\n",
			expected, globalVar, lost)
	}
	rep.Line("result").Int("goroutines", int64(*n)).Int("iterations", int64(*m)).
		Int("expected", int64(expected)).Int("actual", int64(globalVar)).
		Int("lost", int64(expected-globalVar)).Bool("fixed", *fixed).Emit()
}
