// SPDX-License-Identifier: MIT
/*
 * The opcode table as data: one struct bpfh_op_info per row of opcodes.def, and the facts that
 * follow from a row's opcode byte (class, access width, 32-bit view). Nothing here decodes.
 */
#include "ops.h"

static const struct bpfh_op_info op_table[BPFH_OP__COUNT] = {
	[BPFH_OP_LDDW_HI] = { "LDDW_HI", "", "", 0x00, BPFH_FORM_NONE, 0 },
#define BPFH_OP(ID, CODE, FORM, SEL, MN, SYM) \
	[BPFH_OP_##ID] = { #ID, MN, SYM, CODE, BPFH_FORM_##FORM, SEL },
#include "opcodes.def"
#undef BPFH_OP
};

const struct bpfh_op_info *bpfh_op_info(unsigned op)
{
	return op < BPFH_OP__COUNT ? &op_table[op] : NULL;
}

unsigned bpfh_op_mem_size(unsigned op)
{
	static const unsigned char size_bits[4] = { 4, 2, 1, 8 }; /* W, H, B, DW */
	const struct bpfh_op_info *r = bpfh_op_info(op);

	if (!r)
		return 0;
	switch (r->form) {
	case BPFH_FORM_LDX:
	case BPFH_FORM_ST:
	case BPFH_FORM_STX:
	case BPFH_FORM_ATOMIC:
	case BPFH_FORM_LDABS:
	case BPFH_FORM_LDIND:
		return size_bits[(r->code >> 3) & 3];
	default:
		return 0;
	}
}

int bpfh_op_is_32(unsigned op)
{
	const struct bpfh_op_info *r = bpfh_op_info(op);

	if (!r || r->form == BPFH_FORM_NONE)
		return 0;
	switch (BPFH_CLASS(r->code)) {
	case BPFH_CLASS_ALU:
	case BPFH_CLASS_JMP32:
		return 1;
	case BPFH_CLASS_STX:
		return r->form == BPFH_FORM_ATOMIC && bpfh_op_mem_size(op) == 4;
	default:
		return 0;
	}
}

int64_t bpfh_insn_target(const struct bpfh_insn *insn, size_t i, unsigned op)
{
	int64_t delta = (op == BPFH_OP_JA32 || op == BPFH_OP_CALL_LOCAL) ? insn->imm : insn->off;

	return (int64_t)i + 1 + delta;
}
