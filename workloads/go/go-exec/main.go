// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// go-exec - the seed's process experiment: the parent prints its pid,
// &globalVar and &localVar (localVar = 10), then runs itself with os/exec
// as the child (localVar = 20), which prints the same; the parent waits and
// prints the child's exit code.
//
// A Go binary is not position-independent, so &globalVar is the same
// number in parent and child, and the heap arena starts at 0xc000000000 in
// both, so &localVar lands at about the same place: look-alike addresses,
// two memories. The parent's localVar stays 10.
//
// In memtrace: os/exec does not fork. It clones with CLONE_VM|CLONE_VFORK:
// the child is created in the parent's as (shared_vm true) and runs there,
// the parent suspended, until its exec gives it an as of its own. No copy
// of the address space is ever made. Then the child's runtime starts its
// own threads in its own as, and exits with --child-exit.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"unsafe"

	"memtrace/workloads/internal/wl"
)

const usage = `Usage: go-exec [--child-exit CODE] [--json FILE]

Prints the pid, &globalVar and &localVar (localVar = 10), then runs itself
via os/exec as a child that sets localVar = 20 and prints the same; waits
and prints the child's exit code.

  --child-exit CODE  the child exits with CODE (0-125, default 0)
  --json FILE        append a JSON Lines self-report to FILE (handed on to
                     the child; default: $MEMTRACE_SELF_REPORT if set)
  -h, --help         this help

In memtrace look for: a fork with CLONE_VM|CLONE_VFORK and shared_vm true,
so the child starts in the parent's as; its exec then gives it a new one.
No fork copies the parent: os/exec never calls fork().

Examples:
  go-exec --child-exit 3
  sudo ./memtrace run go-exec
`

var globalVar = 100

func addr[T any](p *T) uintptr { return uintptr(unsafe.Pointer(p)) }

func main() {
	flags := wl.NewFlags("go-exec", usage)
	childExit := flags.Int("child-exit", 0, "the child's exit code")
	child := flags.Bool("child", false, "internal: run as the child")
	rep := flags.Parse()
	flags.Range("--child-exit", *childExit, 0, 125)

	localVar := 10
	role := "parent"
	if *child {
		localVar = 20
		role = "child"
	}
	fmt.Printf("%-6s pid=%d ppid=%d  &globalVar=%p  &localVar=%p  localVar=%d\n",
		role, os.Getpid(), os.Getppid(), &globalVar, &localVar, localVar)
	rep.Line("process").Str("role", role).Int("ppid", int64(os.Getppid())).
		Addr("global_addr", addr(&globalVar)).Addr("local_addr", addr(&localVar)).
		Int("local", int64(localVar)).Emit()
	if *child {
		os.Exit(*childExit)
	}

	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-exec: cannot find myself: %v\n", err)
		os.Exit(1)
	}
	args := []string{"--child", "--child-exit", strconv.Itoa(*childExit)}
	if rep.Path() != "" {
		args = append(args, "--json", rep.Path())
	}
	cmd := exec.Command(self, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintf(os.Stderr, "go-exec: cannot run the child: %v\n", err)
		os.Exit(1)
	}
	code := cmd.ProcessState.ExitCode()
	fmt.Printf("parent pid=%d: child %d exited with %d; my localVar is still %d\n",
		os.Getpid(), cmd.Process.Pid, code, localVar)
	rep.Line("child_exit").Int("child_pid", int64(cmd.Process.Pid)).Int("code", int64(code)).Emit()
}
