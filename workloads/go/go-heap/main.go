// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// go-heap - the seed's stack vs heap: where Go puts a variable is the
// compiler's choice (escape analysis), and the heap is the garbage
// collector's. One run through:
//
//  1. a 4 KiB array that does not escape: on the goroutine's stack;
//  2. newPoint() returning a pointer (the point escapes: "moved to heap")
//     next to makePoint() returning a copy (it stays on the stack);
//     `make workloads-escape` shows the compiler's -gcflags=-m verdicts;
//  3. a large heap: BLOCKS blocks of 1 MiB (default 64), each page touched;
//  4. the blocks dropped and runtime.GC();
//  5. debug.FreeOSMemory(), which gives the free pages back to the kernel.
//
// Each phase prints runtime.MemStats figures.
//
// In memtrace: no brk at all (Go never calls it). The heap is 64 MiB
// arenas, reserved PROT_NONE at 0xc000000000, 0xc004000000, ... and
// committed rw- by mmap with MAP_FIXED as the heap grows; the goroutine
// stack is in the same arena as the heap. Step 5 returns memory with
// madvise(MADV_DONTNEED) over the arena commits: the mappings stay, only
// their pages go, and the rss records fall.
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"unsafe"

	"memtrace/workloads/internal/wl"
)

const usage = `Usage: go-heap [-b BLOCKS] [--json FILE]

Where Go's memory comes from: a non-escaping array (stack), an escaping
pointer (heap) next to a returned copy (stack), then BLOCKS blocks of 1 MiB
(default 64) that are dropped, collected (runtime.GC) and given back to the
kernel (debug.FreeOSMemory). Prints runtime.MemStats after each phase.

  -b N         blocks of 1 MiB (1-4096, default 64)
  --json FILE  append a JSON Lines self-report to FILE
               (default: $MEMTRACE_SELF_REPORT if set)
  -h, --help   this help

In memtrace look for: no brk; 64 MiB arenas reserved with prot --- at
0xc000000000 and up, committed rw- with MAP_FIXED as the heap grows; no
munmap when the blocks die (the GC keeps the address space and hands pages
back with madvise).

Examples:
  go-heap -b 256
  make workloads-escape        # the compiler's escape analysis of this file
  sudo ./memtrace run go-heap
`

const block = 1 << 20

type point struct{ x, y int }

//go:noinline
func newPoint(x, y int) *point {
	p := point{x, y} // escapes: "moved to heap: p"
	return &p
}

//go:noinline
func makePoint(x, y int) point {
	return point{x, y} // returned by value: stays on the stack
}

func addr[T any](p *T) uintptr { return uintptr(unsafe.Pointer(p)) }

func alloc(rep *wl.Report, what string, a uintptr, size int) *wl.Line {
	region := wl.Region(a)
	fmt.Printf("%-28s %#x  %s\n", what, a, region)
	return rep.Line("alloc").Addr("addr", a).Int("size", int64(size)).Str("region", region)
}

func phase(rep *wl.Report, name string) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("%-13s HeapAlloc %6.1f MiB  HeapSys %6.1f MiB  HeapReleased %6.1f MiB  NumGC %d\n",
		name, float64(ms.HeapAlloc)/block, float64(ms.HeapSys)/block,
		float64(ms.HeapReleased)/block, ms.NumGC)
	rep.Line("phase").Str("phase", name).Int("heap_alloc", int64(ms.HeapAlloc)).
		Int("heap_inuse", int64(ms.HeapInuse)).Int("heap_idle", int64(ms.HeapIdle)).
		Int("heap_released", int64(ms.HeapReleased)).Int("heap_sys", int64(ms.HeapSys)).
		Int("stack_inuse", int64(ms.StackInuse)).Int("sys", int64(ms.Sys)).
		Int("num_gc", int64(ms.NumGC)).Emit()
}

func main() {
	flags := wl.NewFlags("go-heap", usage)
	blocks := flags.Int("b", 64, "blocks of 1 MiB")
	rep := flags.Parse()
	flags.Range("-b", *blocks, 1, 4096)

	phase(rep, "start")

	var buf [512]int64 // 4 KiB; only its address as a number leaves, so it stays
	buf[0] = 1
	alloc(rep, "stack array [512]int64", addr(&buf), int(unsafe.Sizeof(buf))).
		Str("what", "stack").Emit()

	p := newPoint(1, 2)
	alloc(rep, "escape: newPoint() pointer", addr(p), int(unsafe.Sizeof(*p))).
		Str("what", "escape").Str("returns", "pointer").Emit()
	q := makePoint(3, 4)
	alloc(rep, "no escape: makePoint() copy", addr(&q), int(unsafe.Sizeof(q))).
		Str("what", "escape").Str("returns", "copy").Emit()

	heap := make([][]byte, *blocks)
	for i := range heap {
		heap[i] = make([]byte, block)
		for j := 0; j < block; j += 4096 {
			heap[i][j] = 1 // touch every page
		}
		if i == 0 || i == *blocks-1 {
			alloc(rep, fmt.Sprintf("block %d of %d MiB", i, *blocks), addr(&heap[i][0]), block).
				Str("what", "large").Int("index", int64(i)).Emit()
		} else {
			rep.Line("alloc").Str("what", "large").Int("index", int64(i)).
				Addr("addr", addr(&heap[i][0])).Int("size", block).Emit()
		}
	}
	phase(rep, "after_alloc")

	heap = nil
	runtime.GC()
	phase(rep, "after_gc")

	debug.FreeOSMemory()
	phase(rep, "after_free")
	runtime.KeepAlive(p)
}
