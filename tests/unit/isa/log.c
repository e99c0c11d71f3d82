// SPDX-License-Identifier: MIT
/*
 * Truncation of the caller's buffers: the log (include/bpfhost/log.h) and the disassembler's
 * output. Whatever is written, a buffer never overflows (guard bytes after it stay intact),
 * stays NUL-terminated, keeps the longest prefix that fits, and the log's `truncated` is set
 * exactly when text was dropped. Also through the library's writers: the assembler, the
 * decoder and the checked engine writing into tiny logs, and NULL or empty logs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "../check.h"
#include "rows.h"

#define GUARD 0xa5
#define ROOM 64 /* bytes of guard after each buffer */

/* buf[size] followed by ROOM guard bytes */
static char *guarded(size_t size)
{
	char *b = malloc(size + ROOM);

	if (b)
		memset(b, GUARD, size + ROOM);
	return b;
}

static int guard_intact(const char *b, size_t size)
{
	size_t i;

	for (i = size; i < size + ROOM; i++)
		if ((unsigned char)b[i] != GUARD)
			return 0;
	return 1;
}

static void check_log_basics(void)
{
	struct bpfh_log log;
	char big[5000], *b;
	size_t i;

	/* no buffer, an empty buffer, no log at all */
	bpfh_log_init(&log, NULL, 0);
	bpfh_log_printf(&log, "dropped %d\n", 1);
	CHECK(log.len == 0);
	b = guarded(0);
	if (b) {
		bpfh_log_init(&log, b, 0);
		bpfh_log_printf(&log, "dropped\n");
		CHECK(log.len == 0 && guard_intact(b, 0));
		free(b);
	}
	bpfh_log_printf(NULL, "nowhere %s\n", "at all");

	/* one byte: room for the NUL only */
	b = guarded(1);
	if (b) {
		bpfh_log_init(&log, b, 1);
		CHECK(b[0] == '\0' && !log.truncated);
		bpfh_log_printf(&log, "x");
		CHECK(b[0] == '\0' && log.len == 0 && log.truncated && guard_intact(b, 1));
		free(b);
	}

	/* an exact fit is not truncated; one byte more is */
	b = guarded(6);
	if (b) {
		bpfh_log_init(&log, b, 6);
		bpfh_log_printf(&log, "ab");
		bpfh_log_printf(&log, "%s", "cde");
		CHECK_STR(b, "abcde");
		CHECK(log.len == 5 && !log.truncated && guard_intact(b, 6));
		bpfh_log_printf(&log, "f");
		CHECK_STR(b, "abcde");
		CHECK(log.len == 5 && log.truncated && guard_intact(b, 6));
		free(b);
	}

	/* a write that straddles the end keeps its prefix; later writes change nothing */
	b = guarded(16);
	if (b) {
		bpfh_log_init(&log, b, 16);
		bpfh_log_printf(&log, "0123456789");
		bpfh_log_printf(&log, "abcdefghij");
		CHECK_STR(b, "0123456789abcde");
		CHECK(log.len == 15 && log.truncated && guard_intact(b, 16));
		bpfh_log_printf(&log, "more %d\n", 42);
		CHECK_STR(b, "0123456789abcde");
		CHECK(log.len == 15 && guard_intact(b, 16));
		/* init empties it again */
		bpfh_log_init(&log, b, 16);
		CHECK(b[0] == '\0' && log.len == 0 && !log.truncated);
		free(b);
	}

	/* one message far larger than the buffer */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 1; i <= 70; i += 23) {
		b = guarded(i);
		if (!b)
			continue;
		bpfh_log_init(&log, b, i);
		bpfh_log_printf(&log, "%s", big);
		CHECKF(log.len == i - 1 && strlen(b) == i - 1 && log.truncated && guard_intact(b, i),
		       "size %zu", i);
		free(b);
	}
}

/* b begins with as much of want as fits in size - 1 bytes */
static int starts_with(const char *b, const char *want, size_t size)
{
	size_t n = strlen(want);

	return !strncmp(b, want, size - 1 < n ? size - 1 : n);
}

/* The library's writers into logs too small for their messages. */
static void check_writers(void)
{
	static const char bad_asm[] = "frob %r1\nmov %r11, 1\nja nowhere\nadd %r1, 0x100000000\n"
				      "ldxw %r0, [%r1+99999]\nexit\n";
	struct bpfh_insn *insns = NULL, prog[3];
	struct bpfh_exec *exec = NULL;
	struct bpfh_log log;
	struct bpfh_run run;
	size_t count = 1, size;
	uint64_t r0;
	uint8_t ops[3];
	char *b;
	int err;

	for (size = 1; size <= 41; size += 8) {
		/* the assembler reports every error; only a prefix fits */
		b = guarded(size);
		if (!b)
			return;
		bpfh_log_init(&log, b, size);
		err = bpfh_asm(bad_asm, "bad.s", 1, &insns, &count, &log);
		CHECKF(err == -EINVAL && insns == NULL && count == 0, "asm into %zu bytes: %d", size,
		       err);
		CHECKF(log.truncated && log.len == size - 1 && strlen(b) == size - 1 &&
		       starts_with(b, "bad.s:1: unknown mnemonic 'frob'\n", size) &&
		       guard_intact(b, size), "asm log of %zu bytes: '%s'", size, b);

		/* the decoder */
		memset(prog, 0, sizeof(prog));
		prog[0].code = 0x95;
		prog[1].code = 0x95;
		prog[1].imm = 1234;
		bpfh_log_init(&log, b, size);
		CHECK(bpfh_isa_decode(prog, 2, ops, &log) == -EINVAL);
		CHECKF(log.truncated && strlen(b) == size - 1 &&
		       starts_with(b, "insn 1 (code 0x95): reserved field imm", size) &&
		       guard_intact(b, size), "decoder log of %zu bytes: '%s'", size, b);

		/* the checked engine's run-time message */
		memset(prog, 0, sizeof(prog));
		prog[0].code = 0x79; /* ldxdw r0, [r10 + 0]: above the stack */
		prog[0].src = 10;
		prog[1].code = 0x95;
		bpfh_log_init(&log, b, size);
		if (CHECK(bpfh_exec_create(BPFH_ENGINE_INTERP_CHECKED, prog, 2, NULL, &log, &exec) ==
			  0)) {
			memset(&run, 0, sizeof(run));
			run.log = &log;
			CHECK(bpfh_exec_run(exec, &run, &r0) == -EFAULT);
			CHECKF(log.truncated && strlen(b) == size - 1 &&
			       starts_with(b, "insn 0 (r0 = *(u64 *)(r10 + 0)): read", size) &&
			       guard_intact(b, size), "run log of %zu bytes: '%s'", size, b);
			bpfh_exec_destroy(exec);
			exec = NULL;
		}
		free(b);
	}

	/* no log at all: same verdicts */
	CHECK(bpfh_asm(bad_asm, NULL, 1, &insns, &count, NULL) == -EINVAL);
	CHECK(bpfh_exec_create(BPFH_ENGINE_INTERP_CHECKED, prog, 0, NULL, NULL, &exec) == -EINVAL &&
	      exec == NULL);
}

/* The disassembler into every size of buffer from 0 up: a prefix of the full text, always
 * terminated, and the same slot count whatever the size. */
static void check_disasm(void)
{
	unsigned op;
	size_t size;

	for (op = 1; op < BPFH_OP__COUNT; op++) {
		struct bpfh_insn prog[BUILD_MAX];
		size_t count = build(op, prog);
		int style;

		for (style = 0; style < 2; style++) {
			enum bpfh_disasm_style st = style ? BPFH_DISASM_C : BPFH_DISASM_CONF;
			char full[256];
			int want = bpfh_disasm_insn(prog, count, 0, st, full, sizeof(full));
			size_t len = strlen(full);
			int ok = 1;

			for (size = 0; size <= len + 1 && ok; size++) {
				char *b = guarded(size);

				if (!b)
					return;
				ok = bpfh_disasm_insn(prog, count, 0, st, b, size) == want &&
				     guard_intact(b, size) &&
				     (size == 0 || (strlen(b) == (size - 1 < len ? size - 1 : len) &&
						    !strncmp(b, full, strlen(b))));
				free(b);
			}
			CHECKF(ok, "%s, %s style: wrong at a buffer of %zu bytes",
			       bpfh_op_info(op)->name, style ? "C" : "conf", size - 1);
		}
	}
	/* a slot that does not decode, and an index past the end */
	{
		struct bpfh_insn bad = { 0xff, 1, 2, 3, 4 };
		char *b = guarded(8);

		if (b) {
			CHECK(bpfh_disasm_insn(&bad, 1, 0, BPFH_DISASM_C, b, 8) == -EINVAL &&
			      strlen(b) == 7 && guard_intact(b, 8));
			CHECK(bpfh_disasm_insn(&bad, 1, 1, BPFH_DISASM_C, b, 8) == -EINVAL &&
			      b[0] == '\0' && guard_intact(b, 8));
			free(b);
		}
	}
}

int main(void)
{
	check_log_basics();
	check_writers();
	check_disasm();
	return check_summary("isa-log");
}
