/* SPDX-License-Identifier: MIT */
/*
 * The opcode table's view for bpfhost's own components (decoder, assembler, disassembler,
 * engines, verifier): instruction identifiers, operand forms and row lookup. Generated from
 * opcodes.def; not part of the public API.
 */
#ifndef BPFH_ISA_OPS_H
#define BPFH_ISA_OPS_H

#include "bpfhost/isa.h"

/* Operand forms: which fields of an instruction are operands, which one selects among rows that
 * share an opcode byte, and which must be zero. */
enum bpfh_form {
	BPFH_FORM_NONE = 0, /* second slot of lddw */
	BPFH_FORM_ALU_K,    /* dst, imm; selector off; src 0 */
	BPFH_FORM_ALU_X,    /* dst, src; selector off; imm 0 */
	BPFH_FORM_NEG,      /* dst; src, off, imm 0 */
	BPFH_FORM_MOVSX,    /* dst, src; selector off (source width); imm 0 */
	BPFH_FORM_END,      /* dst; selector imm (width); src, off 0 */
	BPFH_FORM_JA,       /* off; dst, src, imm 0 */
	BPFH_FORM_JA32,     /* imm; dst, src, off 0 */
	BPFH_FORM_JMP_K,    /* dst, imm, off; src 0 */
	BPFH_FORM_JMP_X,    /* dst, src, off; imm 0 */
	BPFH_FORM_CALL,     /* imm; selector src; dst, off 0 */
	BPFH_FORM_CALLX,    /* dst; src, off, imm 0 */
	BPFH_FORM_EXIT,     /* dst, src, off, imm 0 */
	BPFH_FORM_LDX,      /* dst, [src + off]; imm 0 */
	BPFH_FORM_ST,       /* [dst + off], imm; src 0 */
	BPFH_FORM_STX,      /* [dst + off], src; imm 0 */
	BPFH_FORM_ATOMIC,   /* [dst + off], src; selector imm */
	BPFH_FORM_LDDW,     /* dst, imm64; selector src; off 0; second slot all zero but imm */
	BPFH_FORM_LDABS,    /* imm; dst, src, off 0 */
	BPFH_FORM_LDIND,    /* src, imm; dst, off 0 */
	BPFH_FORM__COUNT
};

/* Instruction identifiers, one per row of src/isa/opcodes.def. 0 marks the second slot of
 * lddw. */
enum bpfh_op {
	BPFH_OP_LDDW_HI = 0,
#define BPFH_OP(ID, CODE, FORM, SEL, MN, SYM) BPFH_OP_##ID,
#include "opcodes.def"
#undef BPFH_OP
	BPFH_OP__COUNT
};

/* One row of the opcode table. */
struct bpfh_op_info {
	const char *name;     /* identifier, e.g. "ADD64_K" */
	const char *mnemonic; /* conformance assembly, e.g. "add" */
	const char *sym;      /* C-like operator or type, e.g. "+=" or "u32" */
	uint8_t code;
	uint8_t form; /* enum bpfh_form */
	int32_t sel;  /* value of the form's selector field */
};

/* The table's rows, indexed by op (src/isa/table.c); read them through bpfh_op_info. */
extern const struct bpfh_op_info bpfh_op_table[BPFH_OP__COUNT];

/* The row for op, or NULL when op is out of range. Inline: the decoder, the analyses and the
 * JIT's lowering ask for a row per instruction, more than once. */
static inline const struct bpfh_op_info *bpfh_op_info(unsigned op)
{
	return op < BPFH_OP__COUNT ? &bpfh_op_table[op] : NULL;
}

/* Instruction classes and size and mode bits (RFC 9669 section 3). */
#define BPFH_CLASS(code) ((code) & 0x07)
enum { BPFH_CLASS_LD, BPFH_CLASS_LDX, BPFH_CLASS_ST, BPFH_CLASS_STX,
       BPFH_CLASS_ALU, BPFH_CLASS_JMP, BPFH_CLASS_JMP32, BPFH_CLASS_ALU64 };

/* Access width in bytes of a load, store or atomic op (1, 2, 4, 8), or 0 for other ops. */
unsigned bpfh_op_mem_size(unsigned op);
/* 1 when the op works on 32-bit values (ALU class, JMP32, 32-bit atomics), else 0. */
int bpfh_op_is_32(unsigned op);

/* Identify the single slot insn (index i, for messages) without the checks that need its
 * neighbours (lddw pairs, jump targets). Returns 0 or -EINVAL with a log line. */
int bpfh_isa_identify(const struct bpfh_insn *insn, size_t i, uint8_t *op, struct bpfh_log *log);

/* Target slot of the jump or local call at index i (i + 1 + offset), as a signed value. */
int64_t bpfh_insn_target(const struct bpfh_insn *insn, size_t i, unsigned op);

/* The registers (bit n: rn) insn, of op, reads (*use) and writes (*def), by the ISA and its
 * calling convention: a call or callx reads r1..r5 (what a helper or function may take) and
 * writes r0..r5 (r1..r5 are clobbered); LD_ABS and LD_IND read the context in r6 and do the
 * same to r0..r5; exit reads r0; cmpxchg reads and writes r0, a fetching atomic writes its
 * source. Engines that keep r1..r5 across calls narrow this (src/engine/jit). */
void bpfh_insn_regs(const struct bpfh_insn *insn, unsigned op, unsigned *use, unsigned *def);

#endif
