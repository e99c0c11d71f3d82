/* SPDX-License-Identifier: MIT */
/*
 * Shared by the ISA unit tests: where each operand form keeps its selector, and a valid program
 * around any row of the opcode table (the row's instruction with representative operands,
 * then exits), from which tests derive good and bad encodings.
 */
#ifndef BPFH_TEST_ROWS_H
#define BPFH_TEST_ROWS_H

#include <string.h>

#include "../../../src/isa/ops.h"

enum sel_field { SEL_NONE, SEL_OFF, SEL_IMM, SEL_SRC };

#define BUILD_MAX 5

/* The field that holds a form's selector, as RFC 9669 lays the encodings out (written here
 * independently of the decoder's own table). */
static inline enum sel_field selector_of(unsigned form)
{
	switch (form) {
	case BPFH_FORM_ALU_K:
	case BPFH_FORM_ALU_X:
	case BPFH_FORM_MOVSX:
		return SEL_OFF;
	case BPFH_FORM_END:
	case BPFH_FORM_ATOMIC:
		return SEL_IMM;
	case BPFH_FORM_CALL:
	case BPFH_FORM_LDDW:
		return SEL_SRC;
	default:
		return SEL_NONE;
	}
}

/*
 * A valid program around row op: its instruction at slot 0 (two slots for lddw) with
 * representative operands, then exits. Jumps and calls go forward by one, which lands on an
 * exit in every case. p must hold BUILD_MAX slots; returns the number used.
 */
static inline size_t build(unsigned op, struct bpfh_insn *p)
{
	const struct bpfh_op_info *r = bpfh_op_info(op);
	struct bpfh_insn *in = &p[0];
	size_t n = 1, i;

	memset(p, 0, BUILD_MAX * sizeof(*p));
	in->code = r->code;
	switch (r->form) {
	case BPFH_FORM_ALU_K: in->dst = 3; in->imm = -7; break;
	case BPFH_FORM_ALU_X:
	case BPFH_FORM_MOVSX: in->dst = 3; in->src = 4; break;
	case BPFH_FORM_NEG:
	case BPFH_FORM_END:
	case BPFH_FORM_CALLX: in->dst = 3; break;
	case BPFH_FORM_JA: in->off = 1; break;
	case BPFH_FORM_JA32: in->imm = 1; break;
	case BPFH_FORM_JMP_K: in->dst = 3; in->imm = -5; in->off = 1; break;
	case BPFH_FORM_JMP_X: in->dst = 3; in->src = 4; in->off = 1; break;
	case BPFH_FORM_CALL: in->imm = op == BPFH_OP_CALL_LOCAL ? 1 : 5; break;
	case BPFH_FORM_EXIT: break;
	case BPFH_FORM_LDX: in->dst = 3; in->src = 4; in->off = -8; break;
	case BPFH_FORM_ST: in->dst = 10; in->off = -16; in->imm = -3; break;
	case BPFH_FORM_STX:
	case BPFH_FORM_ATOMIC: in->dst = 10; in->src = 4; in->off = -16; break;
	case BPFH_FORM_LDDW:
		in->dst = 3;
		in->imm = op == BPFH_OP_LDDW_FUNC ? 1 : 0x12345678;
		if (op == BPFH_OP_LDDW || op == BPFH_OP_LDDW_MAP_VALUE ||
		    op == BPFH_OP_LDDW_MAP_IDX_VALUE)
			p[1].imm = -2;
		n = 2;
		break;
	case BPFH_FORM_LDABS: in->imm = 12; break;
	case BPFH_FORM_LDIND: in->src = 4; in->imm = -2; break;
	default: break;
	}
	switch (selector_of(r->form)) {
	case SEL_OFF: in->off = (int16_t)r->sel; break;
	case SEL_IMM: in->imm = r->sel; break;
	case SEL_SRC: in->src = (uint8_t)r->sel; break;
	default: break;
	}
	for (i = n; i < n + 3; i++)
		p[i].code = 0x95;
	return n + 3;
}

#endif
