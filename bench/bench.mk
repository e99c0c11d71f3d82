# SPDX-License-Identifier: MIT
# benchmarks (make bench): build/bpfh-bench times bench/progs/*.asm on bpfhost's engines, their
# native C versions (bench/native.c) and, on Linux as root, the kernel's JIT; the figures go to
# $(BUILD)/bench.json.
BENCH_SRCS := bench/bench.c bench/native.c
ifeq ($(shell uname -s),Linux)
BENCH_SRCS += tests/kernel/kbpf.c
endif

$(BUILD)/bpfh-bench: $(call obj,$(BENCH_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench: $(BUILD)/bpfh-bench
	$(BUILD)/bpfh-bench -o $(BUILD)/bench.json bench/progs
