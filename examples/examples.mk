# Example BPF programs (clang -target bpf) and the bundled traffic (examples/mkpcap.c with
# libpcap), built into $(BUILD)/examples/. Skipped where clang or libpcap is missing.
BPF_CLANG ?= clang
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -I/usr/include/$(shell uname -m)-linux-gnu
EXAMPLE_SRCS := $(wildcard examples/*.bpf.c)
EXAMPLE_OBJS := $(patsubst examples/%.bpf.c,$(BUILD)/examples/%.bpf.o,$(EXAMPLE_SRCS))
HAVE_CLANG := $(shell command -v $(BPF_CLANG) >/dev/null 2>&1 && echo 1)
HAVE_PCAP := $(shell test -f /usr/include/pcap/pcap.h && echo 1)

ifeq ($(HAVE_CLANG),1)
EXAMPLES := $(EXAMPLE_OBJS)
endif
ifeq ($(HAVE_PCAP),1)
EXAMPLES += $(BUILD)/examples/traffic.pcap
endif

.PHONY: examples
examples: $(EXAMPLES)

$(BUILD)/examples/%.bpf.o: examples/%.bpf.c
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/examples/mkpcap: examples/mkpcap.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 -o $@ $< -lpcap

$(BUILD)/examples/traffic.pcap: $(BUILD)/examples/mkpcap
	$< $@
