# SPDX-License-Identifier: MIT
# Unit tests of src/hooks, built like the others in unit.mk ($(BUILD)/test-hooks-NAME). btf.c
# compares the contexts' BTF with <linux/bpf.h> and calls it from threads (pthreads, in the
# test only).
HOOKS_UNIT_SRCS := tests/unit/hooks/btf.c
TEST_BINS += $(foreach s,$(HOOKS_UNIT_SRCS),$(call unit_bin,$(s)))
$(foreach s,$(HOOKS_UNIT_SRCS),$(eval $(call unit_rule,$(s))))
$(call unit_bin,tests/unit/hooks/btf.c): LDLIBS += -pthread
