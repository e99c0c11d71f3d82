# SPDX-License-Identifier: MIT
# bpfhost: one non-recursive Makefile; each component lists its files in a small .mk.
#
#   make                    library, CLI and test programs (build/)
#   make check              every test; ends with "N passed, N failed"
#   make conformance        ../shared/conformance on every engine
#   make bench              benchmarks (build/bench.json)
#   make windows            the same core and CLI with MinGW-w64 (build/win/)
#   make SANITIZE=address,undefined check

.DEFAULT_GOAL := all
CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif
SHARED ?= ../shared
CONFORMANCE ?= $(SHARED)/conformance

OPT ?= -O2
WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Werror
CFLAGS ?= $(OPT) -g
ALL_CFLAGS := -std=c11 $(WARN) $(CFLAGS) -Iinclude -MMD -MP
LDLIBS :=

ifneq ($(SANITIZE),)
BUILD ?= build/san
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
else
BUILD ?= build
endif

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB := $(BUILD)/libbpfhost.a

PLATFORM_SRCS := src/platform/common.c src/platform/posix.c
include src/base/base.mk
include src/isa/isa.mk
include src/engine/engine.mk
include src/maps/maps.mk
include src/obj/obj.mk
include src/helpers/helpers.mk
include src/hooks/hooks.mk
include src/ctx/ctx.mk
include src/verify/verify.mk
LIB_SRCS = $(BASE_SRCS) $(ISA_SRCS) $(ENGINE_SRCS) $(MAPS_SRCS) $(OBJ_SRCS) $(HELPERS_SRCS) \
	$(HOOKS_SRCS) $(CTX_SRCS) $(VERIFY_SRCS) $(PLATFORM_SRCS)

include tools/bpfhost/bpfhost.mk
include tests/tests.mk
include tests/unit/unit.mk
include tests/kernel/kernel.mk
include tests/fuzz/fuzz.mk
include bench/bench.mk
include examples/examples.mk
include mk/windows.mk


.PHONY: all check check-quick conformance bench windows clean compdb
all: $(LIB) $(BUILD)/bpfhost $(TEST_BINS) $(EXAMPLES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bpfhost: $(call obj,$(BPFHOST_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(BPFHOST_LDLIBS)

# check: every suite natively, then again under ASan/UBSan, then the Windows build under Wine
# (each part skips itself where its tools are missing). check-quick: the native suites only.
check: all
	@BUILD=$(BUILD) CONFORMANCE=$(CONFORMANCE) sh tests/run-all.sh

check-quick: all
	@BPFH_QUICK=1 BUILD=$(BUILD) CONFORMANCE=$(CONFORMANCE) sh tests/run-all.sh

conformance: all
	@BUILD=$(BUILD) CONFORMANCE=$(CONFORMANCE) sh tests/conformance.sh

clean:
	rm -rf build

compdb:
	bear -- $(MAKE) -B all

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
