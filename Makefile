# ptbench: `make` builds ./ptbench; `make check` runs the tests (TAP via prove,
# including ASan/UBSan builds, then a short libFuzzer pass); `make bench` runs
# the harness benchmarks.
# `make run` and `make test` first install the Debian dependencies (the two
# commands of the README): they re-enter make so pkg-config sees the packages.
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)

PKGS := hwloc libcpuid json-c numa libtracefs libtraceevent zlib

# BPF programs of the lock probes (src/bpf/), compiled with clang and embedded
# by bpftool in skeleton headers (build/bpf/*.skel.h): the binary carries them.
# Without clang, bpftool or libbpf-dev the build goes on and the BPF backend
# reports itself unavailable (scripts/install-deps.sh installs all three).
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || ls /usr/sbin/bpftool 2>/dev/null)
HAVE_BPF ?= $(shell command -v $(CLANG) >/dev/null 2>&1 && [ -n "$(BPFTOOL)" ] && pkg-config --exists libbpf 2>/dev/null && echo 1)
ifeq ($(HAVE_BPF),1)
PKGS += libbpf
BPF_CFLAGS := -DPTBENCH_HAVE_BPF -Ibuild/bpf
BPF_SKELS := build/bpf/mmap_lock.skel.h build/bpf/vma_lock.skel.h build/bpf/ptlife.skel.h build/bpf/tail.skel.h
endif
BPF_ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
BPF_SRC_DEPS := $(wildcard src/bpf/*.h) include/ptbench/lock_bpf_abi.h include/ptbench/ptlife_bpf_abi.h include/ptbench/tail_abi.h include/ptbench/op_marker_abi.h
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
ALL_CFLAGS := -std=gnu11 $(WARN) -Iinclude $(PKG_CFLAGS) $(BPF_CFLAGS) -pthread \
	-DPTBENCH_VERSION='"$(VERSION)"' -DPTBENCH_DATADIR='"$(PREFIX)/share/ptbench"' $(CFLAGS)
LDLIBS := $(PKG_LIBS) -pthread -lm

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1 -g

# src/cmd/ holds main.c and the commands; every other folder of src/ is a
# library (src/bpf/ holds the BPF programs, built apart below)
CORE_SRC := $(filter-out src/cmd/main.c src/bpf/%,$(wildcard src/*/*.c)) $(wildcard bench/*.c)
MAIN_SRC := src/cmd/main.c

OBJ := $(patsubst %.c,build/obj/%.o,$(CORE_SRC))
SAN_OBJ := $(patsubst %.c,build/asan/%.o,$(CORE_SRC))

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
UNIT_SAN_BIN := $(patsubst tests/unit/%.c,build/tests/asan-%,$(UNIT_SRC))

.SECONDARY: $(BPF_SKELS) $(BPF_SKELS:.skel.h=.bpf.o)
.PHONY: all check unit integration install uninstall clean bench asan deps run test fuzz fuzz-build check-mutants
all: ptbench

deps:
	scripts/install-deps.sh

SCENARIO ?= default
run:
	scripts/install-deps.sh
	$(MAKE) all
	./ptbench run $(SCENARIO) $(ARGS)

test:
	scripts/install-deps.sh
	$(MAKE) check

# Header dependencies: the compiler writes, beside each object, a .d file
# naming the headers it read (-MMD: project headers, not system ones); -MP
# adds an empty rule per header so that deleting a header does not break the
# build. An edited header then rebuilds only the objects that include it.
DEPFLAGS = -MMD -MP

# the BPF object: CO-RE, so it is built once for every kernel with BTF
BPF_COMPILE = $(CLANG) -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Iinclude \
	-I/usr/include/$(shell $(CC) -dumpmachine) -c -o $@ $<
build/bpf/%.bpf.o: src/bpf/%.bpf.c $(BPF_SRC_DEPS)
	@mkdir -p $(dir $@)
	$(BPF_COMPILE)

# bench-only BPF objects (tests/perf/*.bpf.c), built the same way
build/bpf/%.bpf.o: tests/perf/%.bpf.c
	@mkdir -p $(dir $@)
	$(BPF_COMPILE)

build/bpf/%.skel.h: build/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name ptbench_$* >$@.tmp && mv $@.tmp $@

# generated headers (the BPF skeleton) exist before the first object is
# compiled (order-only); from then on the .d files name them like any header
build/obj/%.o: %.c | $(BPF_SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/asan/%.o: %.c | $(BPF_SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(DEPFLAGS) -c -o $@ $<

ptbench: $(OBJ) build/obj/src/cmd/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# the same program built with ASan/UBSan; the integration tests run it too
build/ptbench-asan: $(SAN_OBJ) build/asan/src/cmd/main.o
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)
asan: build/ptbench-asan

build/tests/test_%: tests/unit/test_%.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -Itests/unit -o $@ $< $(OBJ) $(LDLIBS)

build/tests/asan-test_%: tests/unit/test_%.c $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -Itests/unit -o $@ $< $(SAN_OBJ) $(LDLIBS)

# All tests, TAP through prove: unit tests (plain and sanitized) then the
# integration scripts, which drive ./ptbench and build/ptbench-asan.
check: ptbench build/ptbench-asan $(UNIT_BIN) $(UNIT_SAN_BIN)
	prove -v $(UNIT_BIN) $(UNIT_SAN_BIN) $(wildcard tests/integration/*.t)
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

# Calibration against the kernel (tests/kernel/): fetches the Debian kernels
# of tests/kernel/kernels.list and boots each under `ptbench vm` (TCG, about
# 80 s a kernel here); KERNEL_SET=ci runs the subset .ci/run runs.
.PHONY: check-kernels
check-kernels: ptbench
	prove -v tests/kernel/calibrate.t

unit: $(UNIT_BIN) $(UNIT_SAN_BIN)
	prove -v $(UNIT_BIN) $(UNIT_SAN_BIN)

# libFuzzer targets (tests/fuzz/fuzz_*.c) built with clang against the core
# objects compiled with ASan/UBSan and coverage. `make fuzz` runs each target
# for FUZZ_RUNS executions (10 M; the time each takes at the rates measured
# here is in doc/fuzzing.md) on a working copy of its seed corpus
# (tests/fuzz/corpus/T); FUZZ_SECONDS=N runs each for N seconds instead, as
# `make check` does (FUZZ_SMOKE_SECONDS each). New inputs found stay in
# build/fuzz/corpus/T; crashes are written as build/fuzz/crash-*.
FUZZ_CC ?= clang
FUZZ_RUNS ?= 10000000
FUZZ_SECONDS ?=
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow \
	-fno-sanitize-recover=undefined,float-cast-overflow -fno-omit-frame-pointer -O1 -g \
	-fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_OBJ := $(patsubst %.c,build/fuzz/obj/%.o,$(CORE_SRC))
# kept: make would otherwise delete them as intermediates after the first
# target and compile them all again for the next
.SECONDARY: $(FUZZ_OBJ)

# The statistics compare runs on the values a result holds (sorting, ranks,
# the Mann-Whitney test, the mde search that runs it ~26 times a metric)
# keep their edges but not libFuzzer's tracing of every integer comparison:
# loop bounds and indices there said nothing about the input and were the
# largest single cost of fuzz_result's executions (doc/fuzzing.md)
FUZZ_NO_TRACE_CMP := src/compare/stats.c src/compare/compare_rule.c
$(patsubst %.c,build/fuzz/obj/%.o,$(FUZZ_NO_TRACE_CMP)): FUZZ_FILE_FLAGS := -fno-sanitize-coverage=trace-cmp

build/fuzz/obj/%.o: %.c tests/fuzz/coverage-ignore.txt
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 $(WARN) -Iinclude $(PKG_CFLAGS) -pthread $(DEPFLAGS) \
		-DPTBENCH_VERSION='"$(VERSION)"' -DPTBENCH_DATADIR='"$(PREFIX)/share/ptbench"' \
		$(FUZZ_FLAGS) $(FUZZ_FILE_FLAGS) -c -o $@ $<

# json-c linked statically, its allocation calls renamed to the arena of
# tests/fuzz/json_arena.c (why: there, and doc/fuzzing.md)
JSONC_ARCHIVE := $(shell pkg-config --variable=libdir json-c 2>/dev/null)/libjson-c.a
JSONC_RENAMES := malloc calloc realloc free strdup
build/fuzz/libjson-c-arena.a: $(JSONC_ARCHIVE)
	@mkdir -p $(dir $@)
	objcopy $(foreach f,$(JSONC_RENAMES),--redefine-sym $(f)=pt_fuzz_json_$(f)) $< $@

FUZZ_ARENA := build/fuzz/obj/tests/fuzz/entry.o build/fuzz/obj/tests/fuzz/json_arena.o \
	build/fuzz/libjson-c-arena.a
.SECONDARY: $(FUZZ_ARENA)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ) $(FUZZ_ARENA)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 $(WARN) -Iinclude $(PKG_CFLAGS) -pthread $(FUZZ_FLAGS) \
		-fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(FUZZ_ARENA) $(filter-out -ljson-c,$(LDLIBS))

fuzz-build: $(FUZZ_BIN)

# Each target in turn, one process (the machine may be shared): -timeout
# makes a slow input (a quadratic parse) a finding, not just a slow run.
fuzz: fuzz-build
	@for b in $(FUZZ_BIN); do t=$${b##*/fuzz_}; \
		mkdir -p build/fuzz/corpus/$$t; \
		if [ -n "$(FUZZ_SECONDS)" ]; then budget="-max_total_time=$(FUZZ_SECONDS)"; \
			echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
		else budget="-runs=$(FUZZ_RUNS)"; echo "== fuzz $$t for $(FUZZ_RUNS) executions"; fi; \
		$$b $$budget -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
			-print_final_stats=1 -artifact_prefix=build/fuzz/ \
			build/fuzz/corpus/$$t tests/fuzz/corpus/$$t >build/fuzz/$$t.log 2>&1; st=$$?; \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added|SUMMARY|Test unit written|==[0-9]+==ERROR)' build/fuzz/$$t.log; \
		[ "$$st" = 0 ] || { echo "fuzz $$t: FAILED (exit $$st), see build/fuzz/$$t.log and build/fuzz/crash-*"; exit 1; }; \
	done

integration: ptbench build/ptbench-asan
	prove -v $(wildcard tests/integration/*.t)

build/perf/%: tests/perf/%.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -O2 -o $@ $< $(OBJ) $(LDLIBS)

PERF_BIN := $(patsubst tests/perf/%.c,build/perf/%,$(filter-out %.bpf.c,$(wildcard tests/perf/*.c)))
ifneq ($(HAVE_BPF),1)
# it measures the BPF probe: nothing to build or run without BPF
PERF_BIN := $(filter-out build/perf/bpf_overhead,$(PERF_BIN))
else
# the dispatch and clock floors under the probe (tests/perf/overhead_floor.bpf.c)
build/perf/bpf_overhead: build/bpf/overhead_floor.skel.h
.SECONDARY: build/bpf/overhead_floor.skel.h build/bpf/overhead_floor.bpf.o
endif
bench: ptbench $(PERF_BIN)
	@for b in $(PERF_BIN); do echo "== $$b"; $$b || exit 1; done
	@for s in tests/perf/*.sh; do [ -e "$$s" ] || continue; echo "== $$s"; sh $$s || exit 1; done

# Regressions planted in a kernel built here, judged by the gate
# (doc/kernel-ci.md): builds kernels, so not part of `make check`.
check-mutants: ptbench
	scripts/mutant-check.sh

install: ptbench
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ptbench/scenarios \
		$(DESTDIR)$(PREFIX)/share/ptbench/plots
	install -m 0755 ptbench $(DESTDIR)$(PREFIX)/bin/ptbench
	install -m 0644 scenarios/*.ini $(DESTDIR)$(PREFIX)/share/ptbench/scenarios/
	install -m 0644 ptbench.config $(DESTDIR)$(PREFIX)/share/ptbench/ptbench.config
	install -D -m 0755 scripts/mkinitramfs.sh $(DESTDIR)$(PREFIX)/share/ptbench/mkinitramfs.sh
	install -D -m 0755 scripts/initramfs/init $(DESTDIR)$(PREFIX)/share/ptbench/initramfs/init
	for f in plots/*.gp; do [ -e "$$f" ] && install -m 0644 $$f $(DESTDIR)$(PREFIX)/share/ptbench/plots/ || true; done
	install -D -m 0644 ptbench.1 $(DESTDIR)$(PREFIX)/share/man/man1/ptbench.1
	install -D -m 0644 scripts/ptbench-completion.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ptbench

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ptbench
	rm -rf $(DESTDIR)$(PREFIX)/share/ptbench
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/ptbench.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ptbench

clean:
	rm -rf build ptbench

# the .d files the compiler wrote (absent before the first build)
DEPFILES := $(OBJ:.o=.d) $(SAN_OBJ:.o=.d) build/obj/src/cmd/main.d build/asan/src/cmd/main.d \
	$(UNIT_BIN:=.d) $(UNIT_SAN_BIN:=.d) $(PERF_BIN:=.d) $(FUZZ_OBJ:.o=.d)
-include $(wildcard $(DEPFILES))
