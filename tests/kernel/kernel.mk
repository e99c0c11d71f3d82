# SPDX-License-Identifier: MIT
# kernel differential test (BPF_PROG_TEST_RUN as root; skips elsewhere): build/bpfh-kdiff, run
# by tests/suites/kernel.sh over the conformance files. Linux only.
KBPF_SRCS := tests/kernel/kbpf.c
KDIFF_SRCS := tests/kernel/kdiff.c $(KBPF_SRCS) $(HARNESS_SRCS)

ifeq ($(shell uname -s),Linux)
TEST_BINS += $(BUILD)/bpfh-kdiff
endif

$(BUILD)/bpfh-kdiff: $(call obj,$(KDIFF_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
