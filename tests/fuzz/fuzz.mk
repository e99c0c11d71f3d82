# libFuzzer targets (make fuzz): built with clang, ASan and UBSan, in $(BUILD)/fuzz/.
FUZZ_CC ?= clang
FUZZ_FLAGS := -std=c11 -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -D__STDC_WANT_LIB_EXT1__=0
FUZZ_LIB_SRCS = $(LIB_SRCS)
FUZZ_TARGETS := fuzz_asm fuzz_decode fuzz_interp fuzz_jit fuzz_obj fuzz_verify

.PHONY: fuzz
fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/roundtrip.h $(FUZZ_LIB_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIB_SRCS)
