// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// Package wl is what the Go workloads share with each other and with the C
// ones (workloads/common.c): the JSON Lines self-report, option parsing that
// fails in one line with status 2, and a /proc/self/maps lookup.
//
// The self-report is how a workload tells a test what it saw from the
// inside, so that memtrace's view from the kernel can be held against it.
// One object per line, each line written with a single write() to a file
// opened with O_APPEND, so lines from a parent, its child and its threads
// never interleave. Every line starts with
//
//	{"workload":"NAME","kind":"KIND","pid":N,"tid":N, ...
//
// where tid is the OS thread the writing goroutine ran on at that moment.
// Addresses are hex strings ("0xc000012345"), sizes and counts numbers.
package wl

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ReportEnv names the report file when --json is not given.
const ReportEnv = "MEMTRACE_SELF_REPORT"

// Report is an open self-report; a nil *Report writes nothing.
type Report struct {
	name string
	path string
	f    *os.File
}

// Line is one self-report object being built.
type Line struct {
	r *Report
	b []byte
}

// Flags is a workload's command line: its own options plus --json.
type Flags struct {
	*flag.FlagSet
	name  string
	usage string
	json  *string
}

// NewFlags starts the options of workload name; usage is its --help text.
func NewFlags(name, usage string) *Flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &Flags{FlagSet: fs, name: name, usage: usage}
	f.json = fs.String("json", "", "append a JSON Lines self-report to FILE")
	return f
}

// Parse parses os.Args and opens the self-report (--json, else
// $MEMTRACE_SELF_REPORT). -h/--help prints the usage and exits 0; a bad
// option prints one line on stderr and exits 2.
func (f *Flags) Parse() *Report {
	err := f.FlagSet.Parse(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(f.usage)
		os.Exit(0)
	}
	if err != nil {
		f.Fail("%v", err)
	}
	if f.NArg() > 0 {
		f.Fail("unexpected argument '%s'", f.Arg(0))
	}
	path := *f.json
	if path == "" {
		path = os.Getenv(ReportEnv)
	}
	r, err := Open(f.name, path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", f.name, err)
		os.Exit(1)
	}
	return r
}

// Fail reports a bad command line in one line and exits 2.
func (f *Flags) Fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s: %s (see --help)\n", f.name, fmt.Sprintf(format, args...))
	os.Exit(2)
}

// Range fails unless min <= v <= max.
func (f *Flags) Range(opt string, v, min, max int) {
	if v < min || v > max {
		f.Fail("%s wants a number from %d to %d, not %d", opt, min, max, v)
	}
}

// Open opens the report file at path for appending; an empty path means no
// report.
func Open(workload, path string) (*Report, error) {
	r := &Report{name: workload}
	if path == "" {
		return r, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open self-report %s: %w", path, err)
	}
	r.path, r.f = path, f
	return r, nil
}

// Path is the report's file, "" if none (to hand on to a child).
func (r *Report) Path() string { return r.path }

// Line starts a line of the given kind with the workload, pid and tid.
func (r *Report) Line(kind string) *Line {
	l := &Line{r: r, b: make([]byte, 0, 256)}
	l.b = append(l.b, '{')
	return l.Str("workload", r.name).Str("kind", kind).
		Int("pid", int64(os.Getpid())).Int("tid", int64(syscall.Gettid()))
}

func (l *Line) key(k string) {
	if len(l.b) > 1 {
		l.b = append(l.b, ',')
	}
	l.b = strconv.AppendQuote(l.b, k)
	l.b = append(l.b, ':')
}

// Str adds a string field.
func (l *Line) Str(k, v string) *Line {
	l.key(k)
	s, _ := json.Marshal(v)
	l.b = append(l.b, s...)
	return l
}

// Int adds a number.
func (l *Line) Int(k string, v int64) *Line {
	l.key(k)
	l.b = strconv.AppendInt(l.b, v, 10)
	return l
}

// Addr adds an address as a hex string.
func (l *Line) Addr(k string, p uintptr) *Line {
	l.key(k)
	l.b = append(l.b, `"0x`...)
	l.b = strconv.AppendUint(l.b, uint64(p), 16)
	l.b = append(l.b, '"')
	return l
}

// Bool adds a boolean.
func (l *Line) Bool(k string, v bool) *Line {
	l.key(k)
	l.b = strconv.AppendBool(l.b, v)
	return l
}

// Emit closes the object and appends it to the report with one write.
func (l *Line) Emit() error {
	l.b = append(l.b, '}', '\n')
	if l.r.f == nil {
		return nil
	}
	_, err := l.r.f.Write(l.b) // one write(2): O_APPEND keeps the line whole
	return err
}

// Region names the /proc/self/maps region holding addr: "[heap]",
// "[stack]", a file path, "anonymous" for an unnamed mapping, or
// "unmapped".
func Region(addr uintptr) string {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return "unmapped"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		// start-end perms offset dev inode   [path]
		fields := strings.Fields(s.Text())
		if len(fields) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil || uint64(addr) < start || uint64(addr) >= end {
			continue
		}
		if len(fields) > 5 {
			return strings.Join(fields[5:], " ")
		}
		return "anonymous"
	}
	return "unmapped"
}
