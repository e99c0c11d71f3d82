# SPDX-License-Identifier: MIT
# Unit tests of src/obj, built like the others in unit.mk ($(BUILD)/test-obj-NAME), with the
# BPF test objects they open ($(BUILD)/obj-tests/, tests/data/obj/obj.mk) built first.
include tests/data/obj/obj.mk

OBJ_UNIT_SRCS := tests/unit/obj/sections.c tests/unit/obj/btf.c tests/unit/obj/objects.c \
	tests/unit/obj/malformed.c tests/unit/obj/writer.c tests/unit/obj/core.c
TEST_BINS += $(foreach s,$(OBJ_UNIT_SRCS),$(call unit_bin,$(s)))
$(foreach s,$(OBJ_UNIT_SRCS),$(eval $(call unit_rule,$(s))))
$(foreach s,$(OBJ_UNIT_SRCS),$(eval $(call unit_bin,$(s)): | $(OBJ_TEST_OBJS)))
