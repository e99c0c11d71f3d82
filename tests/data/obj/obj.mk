# SPDX-License-Identifier: MIT
# Test objects for src/obj: each tests/data/obj/NAME.bpf.c is built with clang -target bpf into
# $(BUILD)/obj-tests/NAME.bpf.o, the way libbpf users build theirs (-O2 -g, the distribution's
# <bpf/bpf_helpers.h> and, for <asm/types.h>, the multiarch include directory). Without clang
# the list is empty and the tests that need these objects skip themselves. (The variable names
# are this file's own: examples/examples.mk has its BPF_CFLAGS.)
OBJ_TEST_CLANG ?= clang
OBJ_TEST_HAVE_CLANG := $(shell command -v $(OBJ_TEST_CLANG) >/dev/null 2>&1 && echo yes)
OBJ_TEST_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
OBJ_TEST_CFLAGS := -O2 -g -target bpf -Wall -Werror \
	$(if $(OBJ_TEST_MULTIARCH),-I/usr/include/$(OBJ_TEST_MULTIARCH))
OBJ_TEST_SRCS := $(wildcard tests/data/obj/*.bpf.c)
# core_bad.bpf.c is also built once per case (BAD_CASE=N keeps one failing program).
OBJ_TEST_CORE_BAD := 1 2 3 4
ifeq ($(OBJ_TEST_HAVE_CLANG),yes)
OBJ_TEST_OBJS := $(patsubst tests/data/obj/%.c,$(BUILD)/obj-tests/%.o,$(OBJ_TEST_SRCS)) \
	$(foreach n,$(OBJ_TEST_CORE_BAD),$(BUILD)/obj-tests/core_bad_$(n).bpf.o)
else
OBJ_TEST_OBJS :=
endif

.PHONY: obj-tests
obj-tests: $(OBJ_TEST_OBJS)

$(BUILD)/obj-tests/%.bpf.o: tests/data/obj/%.bpf.c
	@mkdir -p $(dir $@)
	$(OBJ_TEST_CLANG) $(OBJ_TEST_CFLAGS) -c $< -o $@

$(BUILD)/obj-tests/core_bad_%.bpf.o: tests/data/obj/core_bad.bpf.c
	@mkdir -p $(dir $@)
	$(OBJ_TEST_CLANG) $(OBJ_TEST_CFLAGS) -DBAD_CASE=$* -c $< -o $@
