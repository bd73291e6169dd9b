// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// go-channel - the seed's "share memory by communicating": N producer
// goroutines (default 2) send 1..M (default 1000) on a channel of 8 slots;
// one consumer receives until main closes it and sums. Nothing is shared but
// the channel, so the sum is always N * M * (M + 1) / 2.
//
// In memtrace: the runtime's few thread forks, then silence while the values
// flow. A blocked goroutine is parked by the Go scheduler, not by the
// kernel, and the channel (a runtime hchan, on the Go heap, where C's
// workload keeps its channel on main's stack) needs no syscall at all.
package main

import (
	"fmt"
	"reflect"
	"sync"

	"memtrace/workloads/internal/wl"
)

const usage = `Usage: go-channel [-n PRODUCERS] [-m MESSAGES] [--json FILE]

PRODUCERS goroutines each send the numbers 1..MESSAGES on one channel of 8
slots; a consumer goroutine receives and sums until the channel is closed.
The sum is exact every time.

  -n N         producers (1-1000, default 2)
  -m M         values per producer (1-10000000, default 1000)
  --json FILE  append a JSON Lines self-report to FILE
               (default: $MEMTRACE_SELF_REPORT if set)
  -h, --help   this help

In memtrace look for: a few thread forks, then nothing while the values
move: goroutines block in the Go scheduler, with no syscall.

Examples:
  go-channel -n 4 -m 100000
  sudo ./memtrace run go-channel
`

const slots = 8

func main() {
	flags := wl.NewFlags("go-channel", usage)
	n := flags.Int("n", 2, "producers")
	m := flags.Int("m", 1000, "values per producer")
	rep := flags.Parse()
	flags.Range("-n", *n, 1, 1000)
	flags.Range("-m", *m, 1, 10000000)

	ch := make(chan int, slots)
	hchan := reflect.ValueOf(ch).Pointer() // the runtime's hchan behind ch
	fmt.Printf("channel of %d slots at %#x (%s), %d producers x %d values\n",
		slots, hchan, wl.Region(hchan), *n, *m)

	var producers sync.WaitGroup
	producers.Add(*n)
	for i := 0; i < *n; i++ {
		go func(i int) {
			defer producers.Done()
			for v := 1; v <= *m; v++ {
				ch <- v
			}
			rep.Line("goroutine").Str("role", "producer").Int("index", int64(i)).
				Int("count", int64(*m)).Emit()
		}(i)
	}
	result := make(chan [2]int)
	go func() {
		sum, count := 0, 0
		for v := range ch {
			sum += v
			count++
		}
		rep.Line("goroutine").Str("role", "consumer").Int("index", 0).
			Int("count", int64(count)).Emit()
		result <- [2]int{sum, count}
	}()
	producers.Wait()
	close(ch)
	r := <-result
	sum, received := r[0], r[1]

	expected := *n * *m * (*m + 1) / 2
	fmt.Printf("received %d values\n", received)
	verdict := "exact"
	if sum != expected {
		verdict = "WRONG"
	}
	fmt.Printf("sum %d, expected %d: %s\n", sum, expected, verdict)
	rep.Line("result").Int("producers", int64(*n)).Int("messages", int64(*m)).
		Int("received", int64(received)).Int("expected", int64(expected)).
		Int("actual", int64(sum)).Addr("channel_addr", hchan).Emit()
}
