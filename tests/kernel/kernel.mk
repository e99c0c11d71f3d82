# SPDX-License-Identifier: MIT
# kernel differential tests (BPF_PROG_TEST_RUN as root; they skip elsewhere), Linux only:
#  - build/bpfh-kdiff, run by tests/suites/kernel.sh over the conformance files;
#  - build/bpfh-kexamples, run by tests/suites/kernel-examples.sh over the example objects and
#    their traffic; it loads them in the kernel with libbpf and reads the pcap with libpcap,
#    so it is built only where both are installed;
#  - build/bpfh-kverify, run by tests/suites/kernel-verify.sh: the verifier's case files
#    (tests/data/verify) verified by bpfhost and loaded by the kernel, verdicts compared.
KBPF_SRCS := tests/kernel/kbpf.c
KDIFF_SRCS := tests/kernel/kdiff.c $(KBPF_SRCS) $(HARNESS_SRCS)
KVERIFY_SRCS := tests/kernel/kverify.c $(KBPF_SRCS) $(HARNESS_SRCS)
KEXAMPLES_SRCS := tests/kernel/kexamples.c $(KBPF_SRCS)
HAVE_LIBBPF := $(shell test -f /usr/include/bpf/libbpf.h && test -f /usr/include/pcap/pcap.h && \
	echo 1)

ifeq ($(shell uname -s),Linux)
TEST_BINS += $(BUILD)/bpfh-kdiff $(BUILD)/bpfh-kverify
ifeq ($(HAVE_LIBBPF),1)
TEST_BINS += $(BUILD)/bpfh-kexamples
endif
endif

$(BUILD)/bpfh-kdiff: $(call obj,$(KDIFF_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bpfh-kverify: $(call obj,$(KVERIFY_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bpfh-kexamples: $(call obj,$(KEXAMPLES_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lbpf -lpcap
