// SPDX-License-Identifier: MIT
/*
 * The opcode table as data: one struct bpfh_op_info per row of opcodes.def, and the facts that
 * follow from a row (class, access width, 32-bit view, registers read and written). Nothing
 * here decodes.
 */
#include "ops.h"

const struct bpfh_op_info bpfh_op_table[BPFH_OP__COUNT] = {
	[BPFH_OP_LDDW_HI] = { "LDDW_HI", "", "", 0x00, BPFH_FORM_NONE, 0 },
#define BPFH_OP(ID, CODE, FORM, SEL, MN, SYM) \
	[BPFH_OP_##ID] = { #ID, MN, SYM, CODE, BPFH_FORM_##FORM, SEL },
#include "opcodes.def"
#undef BPFH_OP
};

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

#define REGS_CALL_ARGS 0x3eu /* r1..r5 */
#define REGS_CALL_DEFS 0x3fu /* r0 and the clobbered r1..r5 */

void bpfh_insn_regs(const struct bpfh_insn *insn, unsigned op, unsigned *use, unsigned *def)
{
	const struct bpfh_op_info *r = bpfh_op_info(op);
	unsigned d = 1u << insn->dst, s = 1u << insn->src;

	*use = 0;
	*def = 0;
	switch (r ? r->form : BPFH_FORM_NONE) {
	case BPFH_FORM_ALU_K:
		*use = (op == BPFH_OP_MOV64_K || op == BPFH_OP_MOV32_K) ? 0 : d;
		*def = d;
		break;
	case BPFH_FORM_ALU_X:
		*use = (op == BPFH_OP_MOV64_X || op == BPFH_OP_MOV32_X) ? s : d | s;
		*def = d;
		break;
	case BPFH_FORM_NEG:
	case BPFH_FORM_END:
		*use = d;
		*def = d;
		break;
	case BPFH_FORM_MOVSX:
	case BPFH_FORM_LDX:
		*use = s;
		*def = d;
		break;
	case BPFH_FORM_JMP_K:
	case BPFH_FORM_ST:
		*use = d;
		break;
	case BPFH_FORM_JMP_X:
	case BPFH_FORM_STX:
		*use = d | s;
		break;
	case BPFH_FORM_ATOMIC:
		*use = d | s;
		if (op == BPFH_OP_ACMPXCHG64 || op == BPFH_OP_ACMPXCHG32) {
			*use |= 1;
			*def = 1;
		} else if (r->sel & 0x01) { /* BPF_FETCH */
			*def = s;
		}
		break;
	case BPFH_FORM_CALL:
		*use = REGS_CALL_ARGS;
		*def = REGS_CALL_DEFS;
		break;
	case BPFH_FORM_CALLX:
		*use = REGS_CALL_ARGS | d;
		*def = REGS_CALL_DEFS;
		break;
	case BPFH_FORM_LDABS:
		*use = 1u << 6;
		*def = REGS_CALL_DEFS;
		break;
	case BPFH_FORM_LDIND:
		*use = 1u << 6 | s;
		*def = REGS_CALL_DEFS;
		break;
	case BPFH_FORM_EXIT:
		*use = 1;
		break;
	case BPFH_FORM_LDDW:
		*def = d;
		break;
	default: /* ja, gotol, the second slot of lddw */
		break;
	}
}
