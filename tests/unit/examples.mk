# SPDX-License-Identifier: MIT
# The example programs' test (tests/unit/examples/examples.c): built like the other unit tests
# ($(BUILD)/test-examples-examples, with pthreads) after the example objects it opens, which
# examples/examples.mk builds into $(BUILD)/examples/ (none without clang: the test then skips
# itself).
EXAMPLES_UNIT_SRCS := tests/unit/examples/examples.c
EXAMPLES_TEST_OBJS := $(if $(shell command -v $(or $(BPF_CLANG),clang) >/dev/null 2>&1 && echo y),\
	$(patsubst examples/%.bpf.c,$(BUILD)/examples/%.bpf.o,$(wildcard examples/*.bpf.c)))
TEST_BINS += $(foreach s,$(EXAMPLES_UNIT_SRCS),$(call unit_bin,$(s)))
$(foreach s,$(EXAMPLES_UNIT_SRCS),$(eval $(call unit_rule,$(s))))
$(call unit_bin,tests/unit/examples/examples.c): LDLIBS += -pthread
$(call unit_bin,tests/unit/examples/examples.c): | $(EXAMPLES_TEST_OBJS)
