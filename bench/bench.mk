# SPDX-License-Identifier: MIT
# benchmarks (make bench): build/bpfh-bench times bench/progs/*.asm on bpfhost's engines (the
# JIT included where the host has it), their native C versions (bench/native.c) and, on Linux
# as root, the kernel's JIT; then map operations and a tail-call chain (bench/maps.c, the
# programs of bench/progs/maps.bpf.c: bpfhost's interpreter and JIT against the kernel, whose
# side needs libbpf) and the pcap replay rate (bench/replay.c, the
# examples xdp_pass and xdp_firewall over traffic.pcap; needs libpcap). The figures go to
# $(BUILD)/bench.json. Last the verifier (bench/verify.c): time and peak memory to verify every
# example and the large programs of bench/progs/verify_*.bpf.c (10,000 instructions or more).
BENCH_SRCS := bench/bench.c bench/native.c bench/maps.c bench/replay.c bench/verify.c
BENCH_LDLIBS :=
ifeq ($(shell uname -s),Linux)
BENCH_SRCS += tests/kernel/kbpf.c
ifneq ($(wildcard /usr/include/bpf/libbpf.h),)
$(BUILD)/obj/bench/maps.o: ALL_CFLAGS += -DBENCH_LIBBPF
BENCH_LDLIBS += -lbpf
endif
endif
ifneq ($(wildcard /usr/include/pcap/pcap.h),)
$(BUILD)/obj/bench/replay.o: ALL_CFLAGS += -DBENCH_PCAP
BENCH_LDLIBS += -lpcap
endif

$(BUILD)/bpfh-bench: $(call obj,$(BENCH_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(BENCH_LDLIBS)

# BPF programs of the benchmarks, built like the examples (examples/examples.mk, included after
# this file: its variables are used in recipes only); skipped without clang
BENCH_CLANG := $(shell command -v $(or $(BPF_CLANG),clang) >/dev/null 2>&1 && echo y)
BENCH_PCAP := $(if $(wildcard /usr/include/pcap/pcap.h),y)

$(BUILD)/bench/%.bpf.o: bench/progs/%.bpf.c
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

BENCH_VERIFY_PROGS := $(patsubst bench/progs/%.bpf.c,$(BUILD)/bench/%.bpf.o,\
	$(wildcard bench/progs/verify_*.bpf.c))
BENCH_INPUTS := $(if $(BENCH_CLANG),$(BUILD)/bench/maps.bpf.o $(BUILD)/examples/xdp_pass.bpf.o \
	$(BUILD)/examples/xdp_firewall.bpf.o $(if $(BENCH_PCAP),$(BUILD)/examples/traffic.pcap) \
	$(BENCH_VERIFY_PROGS) $(patsubst examples/%.bpf.c,$(BUILD)/examples/%.bpf.o,\
	$(wildcard examples/*.bpf.c)))
BENCH_ARGS := $(if $(BENCH_CLANG),--maps $(BUILD)/bench/maps.bpf.o \
	$(if $(BENCH_PCAP),--replay $(BUILD)/examples) \
	--verify $(BUILD)/examples --verify $(BUILD)/bench)

bench: $(BUILD)/bpfh-bench $(BENCH_INPUTS)
	$(BUILD)/bpfh-bench -o $(BUILD)/bench.json $(BENCH_ARGS) bench/progs
