# SPDX-License-Identifier: MIT
# unit tests: each tests/unit/<component>/<name>.c becomes $(BUILD)/test-<component>-<name>,
# linked with the library and the test-file reader; it prints "NAME: N passed, N failed" and
# exits non-zero when a check failed. tests/run-all.sh runs every $(BUILD)/test-*.
UNIT_SRCS := tests/unit/isa/roundtrip.c tests/unit/isa/opcodes.c tests/unit/isa/decode.c \
	tests/unit/isa/log.c tests/unit/engine/run.c tests/unit/engine/jit_diff.c \
	tests/unit/engine/jit_debug.c tests/unit/engine/jit_inline.c tests/unit/engine/jit_pages.c \
	tests/unit/engine/jit_denied.c \
	tests/unit/ctx/testrun.c
unit_bin = $(BUILD)/test-$(subst /,-,$(patsubst tests/unit/%.c,%,$(1)))
TEST_BINS += $(foreach s,$(UNIT_SRCS),$(call unit_bin,$(s)))

define unit_rule
$(call unit_bin,$(1)): $(call obj,$(1) $(HARNESS_SRCS)) $(LIB)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach s,$(UNIT_SRCS),$(eval $(call unit_rule,$(s))))
include tests/unit/maps.mk
-include tests/unit/obj.mk
-include tests/unit/hooks.mk
include tests/unit/examples.mk
-include tests/unit/verify.mk
