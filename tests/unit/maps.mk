# Map unit tests (src/maps): each tests/unit/maps/<name>.c becomes $(BUILD)/test-maps-<name>
# through unit.mk's unit_rule. The stress test runs threads (pthreads, in the test only).
#
#   make tsan-maps    build the stress test and the map sources with ThreadSanitizer in
#                     $(BUILD)/tsan-maps/ and run it (clang or gcc with libtsan)
MAPS_UNIT_SRCS := tests/unit/maps/create.c tests/unit/maps/hash.c tests/unit/maps/array.c \
	tests/unit/maps/lpm.c tests/unit/maps/objects.c tests/unit/maps/queue.c \
	tests/unit/maps/events.c tests/unit/maps/stress.c
TEST_BINS += $(foreach s,$(MAPS_UNIT_SRCS),$(call unit_bin,$(s)))
$(foreach s,$(MAPS_UNIT_SRCS),$(eval $(call unit_rule,$(s))))
$(call unit_bin,tests/unit/maps/stress.c): LDLIBS += -pthread

TSAN_MAPS := $(BUILD)/tsan-maps/test-maps-stress
TSAN_MAPS_SRCS := tests/unit/maps/stress.c $(MAPS_SRCS) $(BASE_SRCS) src/platform/common.c \
	src/platform/posix.c

.PHONY: tsan-maps
tsan-maps: $(TSAN_MAPS)
	$(TSAN_MAPS)

$(TSAN_MAPS): $(TSAN_MAPS_SRCS) tests/unit/maps/maps_test.h src/maps/maps_int.h \
		include/bpfhost/map.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O1 -g -fsanitize=thread -Iinclude -o $@ $(TSAN_MAPS_SRCS) -pthread
