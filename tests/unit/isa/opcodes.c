// SPDX-License-Identifier: MIT
/*
 * The opcode table row by row: for every row of src/isa/opcodes.def, an instruction built
 * directly from the row (its opcode byte, its selector value in the field its form names, the
 * other operands filled in) decodes back to that row; its conformance-style disassembly
 * assembles back to the same bytes; its C-style disassembly is non-empty. Rows that share an
 * opcode byte must be told apart by one selector field. A golden list pins the text of
 * representative rows in both styles (llvm-objdump's for the C style), and the assembler's
 * aliases and the table's width facts are checked on a few rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/isa.h"
#include "../../../src/isa/ops.h"
#include "../check.h"
#include "rows.h"

static void check_row(unsigned op)
{
	const struct bpfh_op_info *r = bpfh_op_info(op);
	struct bpfh_insn prog[BUILD_MAX], *again = NULL;
	char conf[160], c[160], logbuf[1024];
	struct bpfh_log log;
	size_t count = build(op, prog), count2 = 0, slots;
	uint8_t ops[BUILD_MAX], id = 0;
	int n, err;

	slots = r->form == BPFH_FORM_LDDW ? 2 : 1;
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_isa_decode(prog, count, ops, &log);
	CHECKF(err == 0 && ops[0] == op && (slots == 1 || ops[1] == BPFH_OP_LDDW_HI),
	       "%s: decode %d, row %s: %s", r->name, err, bpfh_op_info(ops[0])->name, logbuf);
	CHECKF(bpfh_isa_identify(&prog[0], 0, &id, NULL) == 0 && id == op,
	       "%s: identified as %s", r->name, bpfh_op_info(id)->name);

	n = bpfh_disasm_insn(prog, count, 0, BPFH_DISASM_C, c, sizeof(c));
	CHECKF(n == (int)slots && c[0] && strncmp(c, "(bad)", 5), "%s: C style %d '%s'", r->name,
	       n, c);
	n = bpfh_disasm_insn(prog, count, 0, BPFH_DISASM_CONF, conf, sizeof(conf));
	if (!CHECKF(n == (int)slots && conf[0], "%s: conf style %d '%s'", r->name, n, conf))
		return;
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_asm(conf, r->name, 1, &again, &count2, &log);
	CHECKF(err == 0 && count2 == slots && !memcmp(again, prog, slots * sizeof(*again)),
	       "%s: '%s' assembles to %zu slots (%d): %s", r->name, conf, count2, err, logbuf);
	free(again);
}

/* Rows sharing an opcode byte differ in one selector field; a row without one owns its byte. */
static void check_table(void)
{
	unsigned a, b;

	for (a = 1; a < BPFH_OP__COUNT; a++) {
		const struct bpfh_op_info *ra = bpfh_op_info(a);

		CHECKF(ra->name && ra->mnemonic && ra->mnemonic[0] && ra->sym, "row %u", a);
		if (selector_of(ra->form) == SEL_NONE)
			CHECKF(ra->sel == 0, "%s: selector value %d without a selector field",
			       ra->name, (int)ra->sel);
		for (b = a + 1; b < BPFH_OP__COUNT; b++) {
			const struct bpfh_op_info *rb = bpfh_op_info(b);

			if (ra->code != rb->code)
				continue;
			CHECKF(selector_of(ra->form) != SEL_NONE &&
			       selector_of(ra->form) == selector_of(rb->form) && ra->sel != rb->sel,
			       "%s and %s share code 0x%02x without a selector to tell them apart",
			       ra->name, rb->name, ra->code);
		}
	}
	CHECK(bpfh_op_info(BPFH_OP__COUNT) == NULL);
	CHECK(bpfh_op_info(BPFH_OP_LDDW_HI)->form == BPFH_FORM_NONE);
}

struct golden {
	unsigned op;
	uint8_t dst, src;
	int16_t off;
	int32_t imm, imm2;
	const char *c, *conf;
};

/* The selector values are set by the test from the row; only operands are given here. */
static const struct golden golden[] = {
	{ BPFH_OP_LDXW, 0, 1, 4, 0, 0, "r0 = *(u32 *)(r1 + 4)", "ldxw %r0, [%r1+4]" },
	{ BPFH_OP_LDXSB, 3, 4, -8, 0, 0, "r3 = *(s8 *)(r4 - 8)", "ldxsb %r3, [%r4-8]" },
	{ BPFH_OP_LDXDW, 2, 10, 0, 0, 0, "r2 = *(u64 *)(r10 + 0)", "ldxdw %r2, [%r10]" },
	{ BPFH_OP_ADD32_X, 0, 1, 0, 0, 0, "w0 += w1", "add32 %r0, %r1" },
	{ BPFH_OP_ADD64_K, 1, 0, 0, -1, 0, "r1 += -1", "add %r1, -1" },
	{ BPFH_OP_MOV64_K, 0, 0, 0, -1, 0, "r0 = -1", "mov %r0, -1" },
	{ BPFH_OP_MOV32_K, 0, 0, 0, (int32_t)0x80000000, 0, "w0 = -2147483648",
	  "mov32 %r0, -2147483648" },
	{ BPFH_OP_MOV32_X, 2, 3, 0, 0, 0, "w2 = w3", "mov32 %r2, %r3" },
	{ BPFH_OP_SDIV64_X, 1, 2, 0, 0, 0, "r1 s/= r2", "sdiv %r1, %r2" },
	{ BPFH_OP_SMOD32_K, 1, 0, 0, 3, 0, "w1 s%= 3", "smod32 %r1, 3" },
	{ BPFH_OP_ARSH32_K, 1, 0, 0, 3, 0, "w1 s>>= 3", "arsh32 %r1, 3" },
	{ BPFH_OP_LSH64_X, 1, 2, 0, 0, 0, "r1 <<= r2", "lsh %r1, %r2" },
	{ BPFH_OP_NEG64, 1, 0, 0, 0, 0, "r1 = -r1", "neg %r1" },
	{ BPFH_OP_NEG32, 1, 0, 0, 0, 0, "w1 = -w1", "neg32 %r1" },
	{ BPFH_OP_MOVSX8_64, 1, 2, 0, 0, 0, "r1 = (s8)r2", "movsx864 %r1, %r2" },
	{ BPFH_OP_MOVSX16_32, 1, 2, 0, 0, 0, "w1 = (s16)w2", "movsx1632 %r1, %r2" },
	{ BPFH_OP_BE16, 1, 0, 0, 0, 0, "r1 = be16 r1", "be16 %r1" },
	{ BPFH_OP_LE64, 1, 0, 0, 0, 0, "r1 = le64 r1", "le64 %r1" },
	{ BPFH_OP_BSWAP32, 1, 0, 0, 0, 0, "r1 = bswap32 r1", "bswap32 %r1" },
	{ BPFH_OP_JSGT_K, 1, 0, 3, 5, 0, "if r1 s> 5 goto +3", "jsgt %r1, 5, +3" },
	{ BPFH_OP_JEQ32_X, 1, 2, 1, 0, 0, "if w1 == w2 goto +1", "jeq32 %r1, %r2, +1" },
	{ BPFH_OP_JSET_K, 1, 0, 1, 8, 0, "if r1 & 8 goto +1", "jset %r1, 8, +1" },
	{ BPFH_OP_JLT_X, 1, 2, 0, 0, 0, "if r1 < r2 goto +0", "jlt %r1, %r2, +0" },
	{ BPFH_OP_JSLE32_K, 1, 0, 1, -1, 0, "if w1 s<= -1 goto +1", "jsle32 %r1, -1, +1" },
	{ BPFH_OP_JA, 0, 0, 1, 0, 0, "goto +1", "ja +1" },
	{ BPFH_OP_JA32, 0, 0, 0, 1, 0, "gotol +1", "ja32 +1" },
	{ BPFH_OP_CALL, 0, 0, 0, 5, 0, "call 5", "call 5" },
	{ BPFH_OP_CALLX, 2, 0, 0, 0, 0, "callx r2", "call %r2" },
	{ BPFH_OP_EXIT, 0, 0, 0, 0, 0, "exit", "exit" },
	{ BPFH_OP_STW, 10, 0, -16, -3, 0, "*(u32 *)(r10 - 16) = -3", "stw [%r10-16], -3" },
	{ BPFH_OP_STXDW, 10, 1, -8, 0, 0, "*(u64 *)(r10 - 8) = r1", "stxdw [%r10-8], %r1" },
	{ BPFH_OP_STXB, 1, 2, 7, 0, 0, "*(u8 *)(r1 + 7) = r2", "stxb [%r1+7], %r2" },
	{ BPFH_OP_AADD64, 10, 1, -8, 0, 0, "lock *(u64 *)(r10 - 8) += r1",
	  "lock add [%r10-8], %r1" },
	{ BPFH_OP_AADD32, 10, 1, -8, 0, 0, "lock *(u32 *)(r10 - 8) += w1",
	  "lock add32 [%r10-8], %r1" },
	{ BPFH_OP_AXOR64, 10, 1, -8, 0, 0, "lock *(u64 *)(r10 - 8) ^= r1",
	  "lock xor [%r10-8], %r1" },
	{ BPFH_OP_AFADD64, 10, 1, -8, 0, 0, "r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)",
	  "lock fetch add [%r10-8], %r1" },
	{ BPFH_OP_AFOR32, 10, 1, -8, 0, 0, "w1 = atomic_fetch_or((u32 *)(r10 - 8), w1)",
	  "lock fetch or32 [%r10-8], %r1" },
	{ BPFH_OP_AXCHG64, 10, 1, -8, 0, 0, "r1 = xchg_64(r10 - 8, r1)", "lock xchg [%r10-8], %r1" },
	{ BPFH_OP_AXCHG32, 10, 1, -8, 0, 0, "w1 = xchg32_32(r10 - 8, w1)",
	  "lock xchg32 [%r10-8], %r1" },
	{ BPFH_OP_ACMPXCHG64, 10, 1, -8, 0, 0, "r0 = cmpxchg_64(r10 - 8, r0, r1)",
	  "lock cmpxchg [%r10-8], %r1" },
	{ BPFH_OP_ACMPXCHG32, 10, 1, -8, 0, 0, "w0 = cmpxchg32_32(r10 - 8, w0, w1)",
	  "lock cmpxchg32 [%r10-8], %r1" },
	{ BPFH_OP_LDDW, 3, 0, 0, 0x12345678, -2, "r3 = 0xfffffffe12345678 ll",
	  "lddw %r3, 0xfffffffe12345678" },
	{ BPFH_OP_LDDW, 1, 0, 0, -1, -1, "r1 = 0xffffffffffffffff ll",
	  "lddw %r1, 0xffffffffffffffff" },
	{ BPFH_OP_LDDW_MAP_FD, 1, 0, 0, 3, 0, "r1 = map[fd:3]", "lddw %r1, map_fd 3" },
	{ BPFH_OP_LDDW_MAP_VALUE, 1, 0, 0, 3, 16, "r1 = map[fd:3][0]+16",
	  "lddw %r1, map_value 3, 16" },
	{ BPFH_OP_LDABSH, 0, 0, 0, 12, 0, "r0 = *(u16 *)skb[12]", "ldabsh 12" },
};

static void check_golden(const struct golden *g)
{
	const struct bpfh_op_info *r = bpfh_op_info(g->op);
	struct bpfh_insn prog[3];
	char text[160];

	memset(prog, 0, sizeof(prog));
	prog[0].code = r->code;
	prog[0].dst = g->dst & 0xf;
	prog[0].src = g->src & 0xf;
	prog[0].off = g->off;
	prog[0].imm = g->imm;
	prog[1].imm = g->imm2;
	switch (selector_of(r->form)) {
	case SEL_OFF: prog[0].off = (int16_t)r->sel; break;
	case SEL_IMM: prog[0].imm = r->sel; break;
	case SEL_SRC: prog[0].src = (uint8_t)r->sel; break;
	default: break;
	}
	bpfh_disasm_insn(prog, 3, 0, BPFH_DISASM_C, text, sizeof(text));
	CHECK_STR(text, g->c);
	bpfh_disasm_insn(prog, 3, 0, BPFH_DISASM_CONF, text, sizeof(text));
	CHECK_STR(text, g->conf);
}

/* Spellings the assembler takes besides the conformance disassembly's. */
static void check_alias(const char *text, unsigned op, int32_t imm)
{
	struct bpfh_insn *insns = NULL;
	size_t count = 0;
	uint8_t id = 0;
	int err = bpfh_asm(text, "alias", 1, &insns, &count, NULL);

	if (CHECKF(err == 0 && count >= 1, "'%s' does not assemble (%d)", text, err)) {
		CHECKF(bpfh_isa_identify(&insns[0], 0, &id, NULL) == 0 && id == op &&
		       insns[0].imm == imm, "'%s' is %s imm %d, want %s imm %d", text,
		       bpfh_op_info(id)->name, insns[0].imm, bpfh_op_info(op)->name, imm);
	}
	free(insns);
}

int main(void)
{
	unsigned op;
	size_t i;

	check_table();
	for (op = 1; op < BPFH_OP__COUNT; op++)
		check_row(op);
	for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++)
		check_golden(&golden[i]);

	check_alias("add64 %r1, 1", BPFH_OP_ADD64_K, 1);
	check_alias("neg64 %r1", BPFH_OP_NEG64, 0);
	check_alias("swap16 %r1", BPFH_OP_BSWAP16, 16);
	check_alias("swap64 %r1", BPFH_OP_BSWAP64, 64);
	check_alias("gotol +2\nexit\nexit\nexit", BPFH_OP_JA32, 2);
	check_alias("callx %r2", BPFH_OP_CALLX, 0);
	check_alias("mov %r1, 0x80000000", BPFH_OP_MOV64_K, INT32_MIN);
	check_alias("mov32 %r1, 0xffffffff", BPFH_OP_MOV32_K, -1);
	check_alias("jeq %r1, 0xffffffff, +0\nexit", BPFH_OP_JEQ_K, -1);
	check_alias("lock fetch xor32 [%r1+0], %r2", BPFH_OP_AFXOR32, 0xa1);
	check_alias("ldxw %r0, [%r1-0x10]", BPFH_OP_LDXW, 0);
	check_alias("call kfunc 7", BPFH_OP_CALL_KFUNC, 7);

	/* width facts the engines and the C style rely on */
	CHECK(bpfh_op_mem_size(BPFH_OP_LDXB) == 1 && bpfh_op_mem_size(BPFH_OP_LDXSH) == 2 &&
	      bpfh_op_mem_size(BPFH_OP_STW) == 4 && bpfh_op_mem_size(BPFH_OP_STXDW) == 8);
	CHECK(bpfh_op_mem_size(BPFH_OP_AADD32) == 4 && bpfh_op_mem_size(BPFH_OP_ACMPXCHG64) == 8);
	CHECK(bpfh_op_mem_size(BPFH_OP_LDABSH) == 2 && bpfh_op_mem_size(BPFH_OP_LDINDB) == 1);
	CHECK(bpfh_op_mem_size(BPFH_OP_ADD64_K) == 0 && bpfh_op_mem_size(BPFH_OP_LDDW) == 0);
	CHECK(bpfh_op_is_32(BPFH_OP_ADD32_K) && bpfh_op_is_32(BPFH_OP_JEQ32_X) &&
	      bpfh_op_is_32(BPFH_OP_AXCHG32) && bpfh_op_is_32(BPFH_OP_MOVSX8_32));
	CHECK(!bpfh_op_is_32(BPFH_OP_ADD64_K) && !bpfh_op_is_32(BPFH_OP_JEQ_X) &&
	      !bpfh_op_is_32(BPFH_OP_AXCHG64) && !bpfh_op_is_32(BPFH_OP_BSWAP16) &&
	      !bpfh_op_is_32(BPFH_OP_LDXW) && !bpfh_op_is_32(BPFH_OP_LDDW_HI));

	/* registers read and written (the verifier's liveness and the JIT's analysis) */
	{
		static const struct {
			unsigned op;
			struct bpfh_insn in;
			unsigned use, def;
		} rw[] = {
			{ BPFH_OP_MOV64_K, { 0xb7, 3, 0, 0, 7 }, 0, 1u << 3 },
			{ BPFH_OP_MOV32_X, { 0xbc, 3, 4, 0, 0 }, 1u << 4, 1u << 3 },
			{ BPFH_OP_ADD64_X, { 0x0f, 3, 4, 0, 0 }, 1u << 3 | 1u << 4, 1u << 3 },
			{ BPFH_OP_LDXW, { 0x61, 2, 10, -4, 0 }, 1u << 10, 1u << 2 },
			{ BPFH_OP_STXDW, { 0x7b, 10, 6, -8, 0 }, 1u << 10 | 1u << 6, 0 },
			{ BPFH_OP_JEQ_K, { 0x15, 5, 0, 1, 0 }, 1u << 5, 0 },
			{ BPFH_OP_AADD64, { 0xdb, 1, 2, 0, 0x00 }, 1u << 1 | 1u << 2, 0 },
			{ BPFH_OP_AFADD64, { 0xdb, 1, 2, 0, 0x01 }, 1u << 1 | 1u << 2, 1u << 2 },
			{ BPFH_OP_ACMPXCHG64, { 0xdb, 1, 2, 0, 0xf1 }, 1u << 0 | 1u << 1 | 1u << 2, 1 },
			{ BPFH_OP_CALL, { 0x85, 0, 0, 0, 1 }, 0x3e, 0x3f },
			{ BPFH_OP_CALLX, { 0x8d, 7, 0, 0, 0 }, 0x3e | 1u << 7, 0x3f },
			{ BPFH_OP_LDINDW, { 0x40, 0, 3, 0, 0 }, 1u << 6 | 1u << 3, 0x3f },
			{ BPFH_OP_EXIT, { 0x95, 0, 0, 0, 0 }, 1, 0 },
			{ BPFH_OP_JA, { 0x05, 0, 0, 1, 0 }, 0, 0 },
		};

		for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
			unsigned use, def;

			bpfh_insn_regs(&rw[i].in, rw[i].op, &use, &def);
			CHECKF(use == rw[i].use && def == rw[i].def, "%s: use 0x%x def 0x%x",
			       bpfh_op_info(rw[i].op)->name, use, def);
		}
	}
	return check_summary("isa-opcodes");
}
