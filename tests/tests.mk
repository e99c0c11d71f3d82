# test programs
HARNESS_SRCS := tests/harness/datafile.c tests/harness/vcase.c
CONFORM_SRCS := tests/harness/conform.c $(HARNESS_SRCS)
TEST_BINS := $(BUILD)/bpfh-conform

$(BUILD)/bpfh-conform: $(call obj,$(CONFORM_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
