# SPDX-License-Identifier: MIT
# The verifier's domain tests (src/verify): each tests/unit/verify/<name>.c becomes
# $(BUILD)/test-verify-<name> through unit.mk's unit_rule. They sample heavily; the environment
# variables BPFH_SEED (another random seed) and BPFH_VERIFY_ROUNDS (effort, 4 = the default)
# change how. cases.c runs the verifier's data-driven cases, tests/data/verify/*.data; sound.c
# runs random programs the verifier accepts on the checked interpreter; messages.c checks that
# every message format of src/verify is expected by a case; keys.c checks that a lookup the
# verifier proves non-NULL (a known key below max_entries) has such a key on every run.
VERIFY_UNIT_SRCS := tests/unit/verify/tnum.c tests/unit/verify/interval.c \
	tests/unit/verify/scalar.c tests/unit/verify/scalar_alu.c tests/unit/verify/scalar_cond.c \
	tests/unit/verify/zone.c tests/unit/verify/cases.c tests/unit/verify/types.c \
	tests/unit/verify/sound.c tests/unit/verify/messages.c tests/unit/verify/keys.c
TEST_BINS += $(foreach s,$(VERIFY_UNIT_SRCS),$(call unit_bin,$(s)))
$(foreach s,$(VERIFY_UNIT_SRCS),$(eval $(call unit_rule,$(s))))
