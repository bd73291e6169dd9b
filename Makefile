# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# memtrace - build, test, bench and install.  `make help` lists the targets.

OUTPUT   := .output
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(PREFIX)/bin
LIBEXECDIR := $(PREFIX)/libexec/memtrace
MANDIR   := $(PREFIX)/share/man/man1
VERSION  := 0.1.0

# Same arch naming as libbpf-bootstrap: vmlinux/<arch>/vmlinux.h, -D__TARGET_ARCH_<arch>.
UNAME_M := $(shell uname -m)
ARCH    := $(shell echo $(UNAME_M) | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX := vmlinux/$(ARCH)/vmlinux.h
# The syscall numbers and pt_regs registers in bpf/memtrace.bpf.c are x86_64's.
ifneq ($(UNAME_M),x86_64)
ifeq ($(filter clean help deps,$(MAKECMDGOALS)),)
$(error memtrace: unsupported architecture '$(UNAME_M)': only x86_64 is supported (bpf/ reads x86_64 syscall registers))
endif
endif

# Quiet output; V=1 shows the full commands.
ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# System include dirs clang would use for the host, so BPF code finds asm/ headers.
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall \
	      -I$(dir $(VMLINUX)) -Ibpf $(CLANG_BPF_SYS_INCLUDES)
CFLAGS   ?= -g -O2
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	    -DMEMTRACE_VERSION='"$(VERSION)"' -DMEMTRACE_LIBEXECDIR='"$(LIBEXECDIR)"'
DEPFLAGS  = -MMD -MP
# user/event: the decoded event model, its writers and reader (no libbpf);
# user/trace: the live tracer (libbpf); user/report: analyses of a trace.
USER_DIRS     := user/event user/trace user/report
USER_INCLUDES := -I$(OUTPUT) -Ibpf -Iuser $(addprefix -I,$(USER_DIRS))
LIBS     := -lbpf -lelf -lz -ljansson -lyajl -lm

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
# Light skeletons, one per program set ("Program sets" in bpf/memtrace.bpf.c):
# memtrace_base (default run), memtrace_attach (-p, -a), memtrace_rss (--rss
# alone), memtrace (all).
LSKELS    := $(addprefix $(OUTPUT)/,memtrace_base.lskel.h memtrace_attach.lskel.h \
	       memtrace_rss.lskel.h memtrace.lskel.h)
USER_SRCS := $(wildcard user/*.c $(addsuffix /*.c,$(USER_DIRS)))
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
# Everything but main(), for the unit tests to link against.
LIB_OBJS  := $(filter-out $(OUTPUT)/user/memtrace.o,$(USER_OBJS))
# The analysis side alone: links without libbpf (tests prove it).
NOBPF_OBJS := $(filter $(OUTPUT)/user/event/% $(OUTPUT)/user/report/%,$(USER_OBJS))

# The HTML page (memtrace report --html): web/page.{html,css,js} and uPlot,
# pinned by web/package-lock.json, compiled into memtrace as byte arrays
# (xxd -i), so that memtrace alone writes the page. npm is needed to build
# only; `make deps` installs it where node is missing.
NPM       ?= npm
WEB_SRCS  := web/page.html web/page.css web/page.js
WEB_NPM   := web/node_modules/.package-lock.json
WEB_LIB   := web/node_modules/uplot/dist/uPlot.iife.min.js web/node_modules/uplot/dist/uPlot.min.css
HTML_ASSETS := $(OUTPUT)/html_assets.h

WL_COMMON := workloads/common.c
WL_SRCS   := $(filter-out $(WL_COMMON),$(wildcard workloads/*.c))
WORKLOADS := $(patsubst %.c,%,$(WL_SRCS))
WL_CFLAGS := -g -O2 -Wall -Wextra -std=gnu11 -D_GNU_SOURCE -pthread

# Go workloads: workloads/go/NAME/ -> workloads/NAME. Standard library only,
# never a module download (GOPROXY=off), the installed toolchain only.
GO        ?= go
GO_FOUND  := $(shell command -v $(GO) 2>/dev/null)
GO_NAMES  := go-exec go-goroutines go-race go-channel go-heap
GO_WORKLOADS := $(addprefix workloads/,$(GO_NAMES))
GO_SRCS   := workloads/go/go.mod $(shell find workloads/go -name '*.go' 2>/dev/null)
GO_ENV    := GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GO111MODULE=on CGO_ENABLED=0 \
	     GOCACHE=$(abspath $(OUTPUT))/go-cache
ifneq ($(GO_FOUND),)
BUILT_WORKLOADS := $(WORKLOADS) $(GO_WORKLOADS)
else
BUILT_WORKLOADS := $(WORKLOADS)
endif

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,tests/bin/%,$(UNIT_SRCS))
ITEST_LIB := $(wildcard tests/lib/*.c)
ITEST_SRCS:= $(wildcard tests/integration/*.c)
ITEST_BINS:= $(patsubst tests/integration/%.c,tests/bin/%,$(ITEST_SRCS))
PROG_SRCS := $(wildcard tests/progs/*.c)
PROG_BINS := $(patsubst tests/progs/%.c,tests/bin/%,$(PROG_SRCS))
BENCH_SRCS:= $(wildcard bench/*.c)
BENCH_BINS:= $(patsubst bench/%.c,bench/bin/%,$(BENCH_SRCS))

.PHONY: all workloads tests test test-deps bench bench-faults bench-deps install uninstall clean deps vmlinux help \
	workloads-tsan workloads-race workloads-escape
.DELETE_ON_ERROR:
.SECONDARY: $(BPF_OBJS)

all: memtrace workloads tests

help:
	@echo 'make              build memtrace, the workloads and the tests'
	@echo 'make deps         install missing Debian packages (needs root)'
	@echo 'make test         run unit + integration tests (integration needs root)'
	@echo 'make test-deps    the same as make deps (kept for older scripts)'
	@echo 'make bench        overhead benchmark: untraced vs memtrace vs strace/perf/bpftrace'
	@echo 'make bench-deps   install perf and bpftrace for make bench (needs root)'
	@echo 'make install      install to $$(DESTDIR)$$(PREFIX) (default /usr/local)'
	@echo 'make vmlinux      regenerate vmlinux/$(ARCH)/vmlinux.h from this kernel'
	@echo 'make workloads-tsan  build the race workload with ThreadSanitizer'
	@echo 'make workloads-race  build go-race with the Go race detector (workloads/go-race-race)'
	@echo 'make workloads-escape  show the compiler'"'"'s escape analysis of go-heap'
	@echo 'V=1 shows full commands.'

deps:
	$(Q)./scripts/deps.sh

bench-deps:
	$(Q)./scripts/deps.sh --bench

test-deps:
	$(Q)./scripts/deps.sh --test

$(OUTPUT) tests/bin bench/bin:
	$(Q)mkdir -p $@

vmlinux:
	$(call msg,GEN,$(VMLINUX))
	$(Q)mkdir -p $(dir $(VMLINUX))
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX)

# Kernel side: .bpf.c -> .bpf.o -> skeleton header.
$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(VMLINUX) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -MF $(OUTPUT)/$*.bpf.d -MT $@ -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# Generated headers and objects are kept: else make deletes them as
# intermediates and the next make rebuilds them and all that includes them.
.SECONDARY: $(SKELS) $(LSKELS) $(LSKELS:.lskel.h=.bpf.o)

# The smaller program sets of the same source, for the light skeletons
# (the helpers only the left-out programs call are unused there).
$(OUTPUT)/memtrace_base.bpf.o: BPF_SET := -DMT_WITHOUT_MEMORY -DMT_WITHOUT_ATTACH -Wno-unused-function
$(OUTPUT)/memtrace_attach.bpf.o: BPF_SET := -DMT_WITHOUT_MEMORY -Wno-unused-function
$(OUTPUT)/memtrace_rss.bpf.o: BPF_SET := -DMT_WITHOUT_FAULTS -Wno-unused-function
$(OUTPUT)/memtrace_%.bpf.o: bpf/memtrace.bpf.c $(VMLINUX) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_SET) $(DEPFLAGS) -MF $(OUTPUT)/memtrace_$*.bpf.d -MT $@ -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUTPUT)/%.lskel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton -L $< name $*_lskel > $@

# User side. Skeletons are order-only prerequisites so that they exist on a
# first build; -MMD records the real dependency afterwards.
$(OUTPUT)/user/%.o: user/%.c | $(SKELS) $(LSKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(USER_INCLUDES) $(DEPFLAGS) -c $< -o $@

$(WEB_NPM): web/package.json web/package-lock.json
	$(call msg,NPM,web/node_modules)
	$(Q)command -v $(NPM) >/dev/null || { echo "memtrace: $(NPM) not found: run 'make deps' (the HTML page's chart library, uPlot, comes from npm at build time)" >&2; exit 1; }
	$(Q)cd web && $(NPM) ci --no-audit --no-fund --loglevel=error
	$(Q)touch $@

$(HTML_ASSETS): $(WEB_SRCS) $(WEB_NPM) | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)rm -rf $(OUTPUT)/web && mkdir -p $(OUTPUT)/web
	$(Q)cp $(WEB_SRCS) $(WEB_LIB) $(OUTPUT)/web/
	$(Q)(cd $(OUTPUT) && for f in web/*; do xxd -i "$$f"; done) | \
		sed 's/^unsigned/static const unsigned/' > $@.tmp
	$(Q)mv $@.tmp $@

$(OUTPUT)/user/report/html.o: $(HTML_ASSETS)
$(OUTPUT)/san/report/html.o: $(HTML_ASSETS)

memtrace: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

# Workloads: one .c each plus the shared common.c; the Go ones if go is found.
workloads: $(BUILT_WORKLOADS)
ifeq ($(GO_FOUND),)
	@echo '  SKIP     Go workloads ($(GO_NAMES)): $(GO) not found (make deps installs golang-go)'
endif

workloads/%: workloads/%.c $(WL_COMMON) workloads/common.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_CFLAGS) $< $(WL_COMMON) -o $@ -lm

workloads-tsan: workloads/race.c $(WL_COMMON) workloads/common.h
	$(call msg,CC,workloads/race-tsan)
	$(Q)$(CC) $(WL_CFLAGS) -fsanitize=thread -O1 workloads/race.c $(WL_COMMON) -o workloads/race-tsan

workloads/go-%: $(GO_SRCS)
	$(call msg,GO,$@)
	$(Q)cd workloads/go && $(GO_ENV) $(GO) build -trimpath -o ../go-$* ./go-$*

# The seed's `go run -race`: needs cgo (the detector's runtime links libc).
workloads-race: $(GO_SRCS)
	$(call msg,GO,workloads/go-race-race)
	$(Q)cd workloads/go && $(GO_ENV) CGO_ENABLED=1 $(GO) build -race -o ../go-race-race ./go-race

# The seed's escape analysis: which variables the compiler moved to the heap.
workloads-escape: $(GO_SRCS)
	$(Q)cd workloads/go && $(GO_ENV) $(GO) build -gcflags=-m -o /dev/null ./go-heap 2>&1 | \
		grep -E 'moved to heap|make\(\[\]byte'

# Tests: unit tests link the user objects (cmocka); integration tests use tests/lib.
ITEST_SCRIPTS := $(patsubst tests/integration/%.sh,tests/bin/%,$(wildcard tests/integration/*.sh))
tests: $(UNIT_BINS) $(ITEST_BINS) $(ITEST_SCRIPTS) $(PROG_BINS)

# Integration tests written in shell (they drive other programs: ClickHouse).
tests/bin/%: tests/integration/%.sh | tests/bin
	$(call msg,CP,$@)
	$(Q)install -m 0755 $< $@

tests/bin/%: tests/unit/%.c $(LIB_OBJS) | tests/bin
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(USER_INCLUDES) $(DEPFLAGS) -MF $@.d $< $(LIB_OBJS) $(LIBS) -lcmocka -ljansson -o $@

# The reader tests link only the analysis side, jansson and yajl: no libbpf needed.
tests/bin/test_reader tests/bin/test_reader_calls: tests/bin/%: tests/unit/%.c $(NOBPF_OBJS) | tests/bin
	$(call msg,CC,$@ (no libbpf))
	$(Q)$(CC) $(CFLAGS) $(USER_INCLUDES) $(DEPFLAGS) -MF $@.d $< $(NOBPF_OBJS) -lcmocka -ljansson -lyajl -lm -o $@

# The report test (golden traces, doctored traces, fuzz): the no-libbpf
# objects rebuilt with ASan + UBSan.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
SAN_OBJS  := $(patsubst $(OUTPUT)/user/%,$(OUTPUT)/san/%,$(NOBPF_OBJS))

$(OUTPUT)/san/%.o: user/%.c | $(SKELS) $(LSKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -O1 $(SAN_FLAGS) $(USER_INCLUDES) $(DEPFLAGS) -c $< -o $@

tests/bin/test_report_golden: tests/unit/test_report_golden.c $(SAN_OBJS) | tests/bin
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(CFLAGS) -O1 $(SAN_FLAGS) $(USER_INCLUDES) $(DEPFLAGS) -MF $@.d $< $(SAN_OBJS) -lcmocka -ljansson -lyajl -lm -o $@

tests/bin/%: tests/integration/%.c $(ITEST_LIB) | tests/bin
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib $(USER_INCLUDES) $(DEPFLAGS) -MF $@.d $< $(ITEST_LIB) -ljansson -o $@

tests/bin/%: tests/progs/%.c | tests/bin
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_CFLAGS) $(DEPFLAGS) -MF $@.d $< -o $@

test: all
	$(Q)./tests/run.sh

# Benchmark: storms + the runner that compares untraced / memtrace / others.
bench/bin/%: bench/%.c | bench/bin
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_CFLAGS) $(DEPFLAGS) -MF $@.d $< -o $@ -lm

# The floor tool loads its own small BPF object (bpf/hookfloor.bpf.c).
bench/bin/hookfloor: bench/hookfloor.c $(OUTPUT)/hookfloor.skel.h | bench/bin
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_CFLAGS) -I$(OUTPUT) -Ibpf $(DEPFLAGS) -MF $@.d $< -o $@ -lbpf -lelf -lz

bench: memtrace $(BENCH_BINS)
	$(Q)./bench/run.sh
	$(Q)BENCH_FAULTS=1 ./bench/run.sh

# issue 11: only the fault storms (pagetouch, cowtouch) with faults, rss, perf and bpftrace
bench-faults: memtrace $(BENCH_BINS)
	$(Q)BENCH_FAULTS=1 ./bench/run.sh

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)
	$(Q)install -m 0755 memtrace $(DESTDIR)$(BINDIR)/memtrace
	$(Q)install -m 0755 $(BUILT_WORKLOADS) $(DESTDIR)$(LIBEXECDIR)/
	$(Q)install -m 0644 docs/memtrace.1 $(DESTDIR)$(MANDIR)/memtrace.1

uninstall:
	$(Q)rm -f $(DESTDIR)$(BINDIR)/memtrace $(DESTDIR)$(MANDIR)/memtrace.1
	$(Q)rm -rf $(DESTDIR)$(LIBEXECDIR)

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(OUTPUT) memtrace tests/bin bench/bin $(WORKLOADS) workloads/race-tsan \
		$(GO_WORKLOADS) workloads/go-race-race

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/user/*.d $(OUTPUT)/user/*/*.d $(OUTPUT)/san/*/*.d tests/bin/*.d bench/bin/*.d)
