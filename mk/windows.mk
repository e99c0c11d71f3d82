# SPDX-License-Identifier: MIT
# Windows build with MinGW-w64 (make windows): the core, the CLI and the conformance runner as
# .exe files in $(BUILD)/win, build/win/ by default. Owned by the Windows port.
#
# The same sources as the native build, with src/platform/win32.c in place of posix.c, the same
# warnings, and objects of their own in build/win/obj. The programs are linked statically so
# they run under Wine (or on a bare Windows) without MinGW's DLLs. __USE_MINGW_ANSI_STDIO
# selects MinGW's C99 printf family, so %zu and %llx mean on Windows what they mean here.

WIN_CC ?= x86_64-w64-mingw32-gcc
WIN_AR ?= x86_64-w64-mingw32-ar
WIN_BUILD ?= $(BUILD)/win
WIN_CFLAGS ?= $(OPT) -g
WIN_ALL_CFLAGS := -std=c11 $(WARN) $(WIN_CFLAGS) -D__USE_MINGW_ANSI_STDIO=1 -Iinclude -MMD -MP
WIN_LDFLAGS ?= -static

win_obj = $(patsubst %.c,$(WIN_BUILD)/obj/%.o,$(1))
WIN_LIB := $(WIN_BUILD)/libbpfhost.a
WIN_LIB_SRCS = $(filter-out src/platform/posix.c,$(LIB_SRCS)) src/platform/win32.c
WIN_OBJS = $(call win_obj,$(WIN_LIB_SRCS) $(BPFHOST_SRCS) $(CONFORM_SRCS))

# Unit tests that exercise the platform layer's Windows side and the JIT's Windows x64
# convention, run under Wine by tests/windows.sh.
WIN_ENGINE_TESTS := run jit_inline jit_diff

windows: $(WIN_BUILD)/bpfhost.exe $(WIN_BUILD)/bpfh-conform.exe $(WIN_BUILD)/test-ctx-testrun.exe \
	$(patsubst %,$(WIN_BUILD)/test-engine-%.exe,$(WIN_ENGINE_TESTS))

$(WIN_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_ALL_CFLAGS) -c $< -o $@

$(WIN_LIB): $(call win_obj,$(WIN_LIB_SRCS))
	rm -f $@
	$(WIN_AR) rcs $@ $^

$(WIN_BUILD)/bpfhost.exe: $(call win_obj,$(BPFHOST_SRCS)) $(WIN_LIB)
	$(WIN_CC) $(WIN_LDFLAGS) -o $@ $^

$(WIN_BUILD)/bpfh-conform.exe: $(call win_obj,$(CONFORM_SRCS)) $(WIN_LIB)
	$(WIN_CC) $(WIN_LDFLAGS) -o $@ $^

$(WIN_BUILD)/test-ctx-testrun.exe: $(call win_obj,tests/unit/ctx/testrun.c) $(WIN_LIB)
	$(WIN_CC) $(WIN_LDFLAGS) -o $@ $^

$(WIN_BUILD)/test-engine-%.exe: $(WIN_BUILD)/obj/tests/unit/engine/%.o $(WIN_LIB)
	$(WIN_CC) $(WIN_LDFLAGS) -o $@ $^

-include $(wildcard $(WIN_OBJS:.o=.d))
