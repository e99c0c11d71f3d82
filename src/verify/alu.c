// SPDX-License-Identifier: MIT
/*
 * The analyzer's ALU transfer: numbers through the scalar domain, pointer arithmetic (a
 * constant or bounded number added to a pointer moves its offset; pointer minus pointer of the
 * same region is a number) and the refusals of everything else in the strict profile.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "refs.h"

static int alu_of(unsigned op, enum bpfh_alu *alu)
{
#define FAM(ID, A)                                                         \
	case BPFH_OP_##ID##64_K: case BPFH_OP_##ID##64_X:                  \
	case BPFH_OP_##ID##32_K: case BPFH_OP_##ID##32_X: *alu = A; return 0;
	switch (op) {
	FAM(ADD, BPFH_ALU_ADD) FAM(SUB, BPFH_ALU_SUB) FAM(MUL, BPFH_ALU_MUL)
	FAM(DIV, BPFH_ALU_DIV) FAM(SDIV, BPFH_ALU_SDIV) FAM(MOD, BPFH_ALU_MOD)
	FAM(SMOD, BPFH_ALU_SMOD) FAM(OR, BPFH_ALU_OR) FAM(AND, BPFH_ALU_AND)
	FAM(XOR, BPFH_ALU_XOR) FAM(LSH, BPFH_ALU_LSH) FAM(RSH, BPFH_ALU_RSH)
	FAM(ARSH, BPFH_ALU_ARSH) FAM(MOV, BPFH_ALU_MOV)
	case BPFH_OP_NEG64: case BPFH_OP_NEG32: *alu = BPFH_ALU_NEG; return 0;
	case BPFH_OP_MOVSX8_64: case BPFH_OP_MOVSX8_32: *alu = BPFH_ALU_MOVSX8; return 0;
	case BPFH_OP_MOVSX16_64: case BPFH_OP_MOVSX16_32: *alu = BPFH_ALU_MOVSX16; return 0;
	case BPFH_OP_MOVSX32_64: *alu = BPFH_ALU_MOVSX32; return 0;
	case BPFH_OP_LE16: *alu = BPFH_ALU_TRUNC16; return 0;
	case BPFH_OP_LE32: *alu = BPFH_ALU_TRUNC32; return 0;
	case BPFH_OP_LE64: *alu = BPFH_ALU_TRUNC64; return 0;
	case BPFH_OP_BE16: case BPFH_OP_BSWAP16: *alu = BPFH_ALU_BSWAP16; return 0;
	case BPFH_OP_BE32: case BPFH_OP_BSWAP32: *alu = BPFH_ALU_BSWAP32; return 0;
	case BPFH_OP_BE64: case BPFH_OP_BSWAP64: *alu = BPFH_ALU_BSWAP64; return 0;
	default: return -1;
	}
#undef FAM
}

static int alu_ptr(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		   enum bpfh_alu alu, unsigned width, const struct bpfh_vreg *src)
{
	struct bpfh_vreg *dst = &st->r[insn->dst];
	char b1[96], b2[96];
	const struct bpfh_vreg *ptr = bpfh_vreg_is_ptr(dst) ? dst : src;
	const struct bpfh_vreg *num = ptr == dst ? src : dst;

	if (alu == BPFH_ALU_MOV && width == 64) {
		*dst = *src;
		return 0;
	}
	if (bpfh_vkind_maybe_null(ptr->kind) || ptr->null)
		return fail(a, "arithmetic on R%u, which may be NULL: %s (compare it with 0 first)",
			    ptr == dst ? insn->dst : insn->src, fmt_reg(ptr, b1, sizeof(b1)));
	if (width == 64 && bpfh_vreg_is_ptr(dst) && bpfh_vreg_is_ptr(src) &&
	    alu == BPFH_ALU_SUB) {
		int64_t lo, hi;

		/* Packet pointers: a length (data_end - data), bounded by what the checks
		 * proved; the stack of one frame or the context: a difference of offsets.
		 * Nothing here tells an address. */
		if (bpfh_vkind_is_packet(dst->kind) && bpfh_vkind_is_packet(src->kind)) {
			bpfh_vrel_diff(st, insn->dst, insn->src, &lo, &hi);
			bpfh_vreg_set_scalar(dst, bpfh_scalar_srange(lo, hi));
			return 0;
		}
		if (dst->kind == src->kind && dst->map == src->map &&
		    (dst->kind == BPFH_VK_STACK || dst->kind == BPFH_VK_CTX)) {
			bpfh_vreg_set_scalar(dst, bpfh_scalar_alu(BPFH_ALU_SUB, 64, &dst->s, &src->s));
			return 0;
		}
		if (!strict(a) && dst->kind == src->kind && dst->map == src->map &&
		    dst->kind != BPFH_VK_MAP_PTR) {
			bpfh_vreg_set_scalar(dst, bpfh_scalar_unknown());
			return 0;
		}
	}
	if (width == 64 && num->kind == BPFH_VK_SCALAR &&
	    (alu == BPFH_ALU_ADD || (alu == BPFH_ALU_SUB && ptr == dst)) &&
	    ptr->kind != BPFH_VK_MAP_PTR) {
		struct bpfh_scalar off = bpfh_scalar_alu(alu, 64, &dst->s, &src->s);
		struct bpfh_vreg res = *ptr;

		res.s = off;
		*dst = res;
		return 0;
	}
	if (!strict(a) && alu != BPFH_ALU_MOV) {
		bpfh_vreg_set_scalar(dst, bpfh_scalar_unknown());
		return 0;
	}
	if (!strict(a)) {
		bpfh_vreg_set_scalar(dst, bpfh_scalar_u32range(0, UINT32_MAX));
		return 0;
	}
	if (bpfh_op_info(a->cfg->ops[a->insn])->form == BPFH_FORM_ALU_K)
		return fail(a, "pointer arithmetic not allowed: R%u %s, imm %" PRId32, insn->dst,
			    fmt_reg(dst, b1, sizeof(b1)), insn->imm);
	return fail(a, "pointer arithmetic not allowed: R%u %s, R%u %s", insn->dst,
		    fmt_reg(dst, b1, sizeof(b1)), insn->src, fmt_reg(src, b2, sizeof(b2)));
}

int bpfh_va_alu(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		  unsigned op)
{
	const struct bpfh_op_info *info = bpfh_op_info(op);
	unsigned width = bpfh_op_is_32(op) ? 32 : 64;
	struct bpfh_vreg *dst = &st->r[insn->dst];
	struct bpfh_vreg src;
	enum bpfh_alu alu;
	int err;

	if (alu_of(op, &alu))
		return bpfh_va_internal(a, "not an ALU operation");
	if (info->form == BPFH_FORM_END && op >= BPFH_OP_LE16 && op <= BPFH_OP_BE64)
		width = 64; /* the width is in the operation */
	memset(&src, 0, sizeof(src));
	if (info->form == BPFH_FORM_ALU_K) {
		bpfh_vreg_set_scalar(&src, bpfh_scalar_const((uint64_t)(int64_t)insn->imm));
	} else if (info->form == BPFH_FORM_ALU_X || info->form == BPFH_FORM_MOVSX) {
		err = use(a, st, insn->src);
		if (err)
			return err;
		src = st->r[insn->src];
	} else {
		bpfh_vreg_set_scalar(&src, bpfh_scalar_const(0)); /* unused */
	}
	if (alu != BPFH_ALU_MOV && alu < BPFH_ALU_MOVSX8) {
		err = use(a, st, insn->dst);
		if (err)
			return err;
	}
	if (alu >= BPFH_ALU_TRUNC16 || alu == BPFH_ALU_NEG) {
		err = use(a, st, insn->dst);
		if (err)
			return err;
	}
	if (alu == BPFH_ALU_MOV && width == 64 && info->form == BPFH_FORM_ALU_X) {
		*dst = src;
		return 0;
	}
	if (bpfh_vreg_is_ptr(&src) || (alu != BPFH_ALU_MOV && alu < BPFH_ALU_MOVSX8 &&
				       bpfh_vreg_is_ptr(dst)) ||
	    ((alu >= BPFH_ALU_TRUNC16 || alu == BPFH_ALU_NEG) && bpfh_vreg_is_ptr(dst))) {
		if (alu == BPFH_ALU_MOV || alu < BPFH_ALU_MOVSX8)
			return alu_ptr(a, st, insn, alu, width, &src);
		if (strict(a))
			return fail(a, "pointer arithmetic not allowed: R%u is a pointer",
				    bpfh_vreg_is_ptr(&src) ? insn->src : insn->dst);
		bpfh_vreg_set_scalar(dst, bpfh_scalar_unknown());
		return 0;
	}
	if (alu == BPFH_ALU_MOV || (alu >= BPFH_ALU_MOVSX8 && alu <= BPFH_ALU_MOVSX32)) {
		struct bpfh_scalar zero = bpfh_scalar_const(0);

		bpfh_vreg_set_scalar(dst, bpfh_scalar_alu(alu, width, &zero, &src.s));
		return 0;
	}
	bpfh_vreg_set_scalar(dst, bpfh_scalar_alu(alu, width, &dst->s, &src.s));
	return 0;
}
