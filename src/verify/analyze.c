// SPDX-License-Identifier: MIT
/*
 * The verifier's analyzer: a worklist fixpoint over the CFG's blocks (join at merge points,
 * widening at loop heads once a head has been joined max_loop_iterations times, with the
 * program's comparison constants as thresholds), the transfer function of every instruction,
 * and the safety checks made on the way. A check fails on the first abstract state that can
 * violate it; since states only grow, that state over-approximates some reachable one and the
 * program is rejected with one line naming the instruction and the abstract values involved.
 *
 * Not here: the CFG's structural checks (cfg.c) and the lattice of states (state.c).
 * Loops are analysed by widening; their termination is not proved yet.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/helpers.h"
#include "../platform/platform.h"
#include "verify_int.h"

#define CLOBBERED 1u /* map field of an UNINIT register: r1-r5 after a call */
#define OFF_LIMIT (INT64_C(1) << 40)
#define MAX_THRESHOLDS 256

struct actx {
	const struct bpfh_verify_input *in;
	const struct bpfh_cfg *cfg;
	struct bpfh_log *log;
	int64_t thr[MAX_THRESHOLDS];
	size_t nthr;
	size_t insn;
	size_t reject_insn;
	bool have_r0;      /* r0 at the exits seen so far: [r0_min, r0_max] */
	int64_t r0_min, r0_max;
};

BPFH_PRINTF(2, 3)
static int fail(struct actx *a, const char *fmt, ...)
{
	va_list ap;

	bpfh_verify_log_insn(a->log, a->cfg->insns, a->cfg->count, a->insn);
	va_start(ap, fmt);
	bpfh_log_vprintf(a->log, fmt, ap);
	va_end(ap);
	bpfh_log_printf(a->log, "\n");
	a->reject_insn = a->insn;
	return -EACCES;
}

static const char *fmt_reg(const struct bpfh_vreg *r, char *buf, size_t size)
{
	bpfh_vreg_format(r, buf, size);
	return buf;
}

/* A register read: it must hold a value. */
static int use(struct actx *a, const struct bpfh_vstate *st, unsigned reg)
{
	const struct bpfh_vreg *r = &st->r[reg];

	if (r->kind != BPFH_VK_UNINIT)
		return 0;
	if (r->map == CLOBBERED)
		return fail(a, "R%u is unreadable after a call (r1-r5 are clobbered)", reg);
	return fail(a, "R%u is not initialised", reg);
}

static bool strict(const struct actx *a)
{
	return !a->in->opts.privileged;
}

/* --- ALU --- */

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
	if (ptr->kind == BPFH_VK_MAP_VALUE_OR_NULL)
		return fail(a, "arithmetic on R%u, which may be NULL: %s (compare it with 0 first)",
			    ptr == dst ? insn->dst : insn->src, fmt_reg(ptr, b1, sizeof(b1)));
	if (width == 64 && bpfh_vreg_is_ptr(dst) && bpfh_vreg_is_ptr(src) &&
	    alu == BPFH_ALU_SUB && dst->kind == src->kind && dst->map == src->map &&
	    dst->kind != BPFH_VK_MAP_PTR) {
		bpfh_vreg_set_scalar(dst, bpfh_scalar_unknown());
		return 0;
	}
	if (width == 64 && num->kind == BPFH_VK_SCALAR &&
	    (alu == BPFH_ALU_ADD || (alu == BPFH_ALU_SUB && ptr == dst)) &&
	    ptr->kind != BPFH_VK_MAP_PTR && ptr->kind != BPFH_VK_PKT_END) {
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

static int do_alu(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		  unsigned op)
{
	const struct bpfh_op_info *info = bpfh_op_info(op);
	unsigned width = bpfh_op_is_32(op) ? 32 : 64;
	struct bpfh_vreg *dst = &st->r[insn->dst];
	struct bpfh_vreg src;
	enum bpfh_alu alu;
	int err;

	if (alu_of(op, &alu))
		return fail(a, "unexpected instruction");
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

/* --- Memory --- */

/* ACC_LOAD: an instruction's read, whose stack bytes do_load checks itself (fills of spilled
 * pointers are reads of bytes that are not data). */
enum access { ACC_READ, ACC_LOAD, ACC_WRITE, ACC_HELPER_READ, ACC_HELPER_WRITE };

/*
 * Check an access of size bytes at p + off (p the value of register reg). For the stack,
 * *slot receives the byte index of the lowest byte when the offset is a constant (else
 * SIZE_MAX). Returns 0 or a rejection.
 */
static int check_region(struct actx *a, const struct bpfh_vstate *st, unsigned reg,
			const struct bpfh_vreg *p, int64_t off, uint64_t size, enum access acc,
			size_t *slot)
{
	char b[96];
	int64_t lo, hi;
	bool write = acc == ACC_WRITE || acc == ACC_HELPER_WRITE;
	const struct bpfh_verify_prog_type *type = a->in->type;

	if (slot)
		*slot = SIZE_MAX;
	if (p->kind == BPFH_VK_UNINIT)
		return use(a, st, reg);
	fmt_reg(p, b, sizeof(b));
	if (p->kind == BPFH_VK_SCALAR)
		return fail(a, "R%u is not a pointer: %s", reg, b);
	if (p->kind == BPFH_VK_MAP_VALUE_OR_NULL)
		return fail(a, "R%u may be NULL: %s (compare it with 0 first)", reg, b);
	if (p->kind == BPFH_VK_MAP_PTR || p->kind == BPFH_VK_PKT_END)
		return fail(a, "R%u is a %s pointer, which cannot be dereferenced", reg,
			    bpfh_vkind_name(p->kind));
	if (p->s.r64.smin < -OFF_LIMIT || p->s.r64.smax > OFF_LIMIT || size > (uint64_t)OFF_LIMIT)
		return fail(a, "R%u has an unbounded offset: %s", reg, b);
	lo = p->s.r64.smin + off;
	hi = p->s.r64.smax + off + (int64_t)size; /* exclusive */
	switch (p->kind) {
	case BPFH_VK_STACK:
		if (lo < -BPFH_STACK_SIZE || hi > 0)
			return fail(a, "stack access out of the frame: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ")  of [-512, 0)", reg, b, lo, hi);
		if (lo != hi - (int64_t)size) {
			if (write)
				return fail(a, "stack write with a variable offset: R%u %s", reg,
					    b);
		} else if (slot) {
			*slot = (size_t)(lo + BPFH_STACK_SIZE);
		}
		if (!write && acc != ACC_LOAD &&
		    !bpfh_vstate_stack_init(st, (size_t)(lo + BPFH_STACK_SIZE), (size_t)(hi - lo)))
			return fail(a, "read of uninitialised stack: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ")", reg, b, lo, hi);
		return 0;
	case BPFH_VK_CTX:
		if (acc == ACC_HELPER_READ || acc == ACC_HELPER_WRITE)
			return fail(a, "R%u: the context cannot be passed as memory to a helper",
				    reg);
		if (lo < 0 || hi > (int64_t)type->ctx_size)
			return fail(a, "context access out of bounds: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ") of %" PRIu32, reg, b, lo, hi,
				    type->ctx_size);
		if (write && !type->ctx_writable)
			return fail(a, "write into the context: R%u %s", reg, b);
		return 0;
	case BPFH_VK_MAP_VALUE: {
		uint32_t vs = a->in->maps[p->map].value_size;

		if (lo < 0 || hi > (int64_t)vs)
			return fail(a, "map value access out of bounds: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ")  of value_size %" PRIu32, reg, b, lo, hi, vs);
		return 0;
	}
	case BPFH_VK_PKT:
		if (lo < 0 || (uint64_t)hi > st->pkt_range)
			return fail(a, "packet access past the checked end: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ") , checked %" PRIu64, reg, b, lo, hi,
				    st->pkt_range);
		return 0;
	default:
		return fail(a, "R%u: bad pointer", reg);
	}
}

static struct bpfh_scalar loaded(unsigned op, unsigned size)
{
	switch (op) {
	case BPFH_OP_LDXSB: return bpfh_scalar_srange(INT8_MIN, INT8_MAX);
	case BPFH_OP_LDXSH: return bpfh_scalar_srange(INT16_MIN, INT16_MAX);
	case BPFH_OP_LDXSW: return bpfh_scalar_srange(INT32_MIN, INT32_MAX);
	default:
		if (size == 8)
			return bpfh_scalar_unknown();
		return bpfh_scalar_urange(0, (UINT64_C(1) << (8 * size)) - 1);
	}
}

static int do_load(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		   unsigned op)
{
	unsigned size = bpfh_op_mem_size(op);
	struct bpfh_vreg p = st->r[insn->src];
	struct bpfh_vreg *dst = &st->r[insn->dst];
	const struct bpfh_verify_prog_type *type = a->in->type;
	size_t slot;
	int err = check_region(a, st, insn->src, &p, insn->off, size, ACC_LOAD, &slot);
	uint64_t off;

	if (err)
		return err;
	if (p.kind == BPFH_VK_STACK) {
		int64_t lo = p.s.r64.smin + insn->off + BPFH_STACK_SIZE;
		int64_t hi = p.s.r64.smax + insn->off + BPFH_STACK_SIZE + size;
		char b[96];

		if (slot != SIZE_MAX && st->stk[slot] == BPFH_STK_SPILL && size == 8 &&
		    slot % 8 == 0) {
			*dst = st->spill[slot / 8];
			return 0;
		}
		for (int64_t i = lo; i < hi; i++)
			if (st->stk[i] == BPFH_STK_SPILL && st->spill[i / 8].kind != BPFH_VK_SCALAR)
				return fail(a, "partial read of a spilled pointer");
		if (!bpfh_vstate_stack_init(st, (size_t)lo, (size_t)(hi - lo)))
			return fail(a, "read of uninitialised stack: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ")", insn->src, fmt_reg(&p, b, sizeof(b)),
				    lo - BPFH_STACK_SIZE, hi - BPFH_STACK_SIZE);
	}
	if (p.kind == BPFH_VK_CTX && size == 4 && bpfh_scalar_is_const(&p.s, &off)) {
		int64_t at = (int64_t)off + insn->off;

		if (type->pkt_data_off >= 0 && at == type->pkt_data_off) {
			bpfh_vreg_set_ptr(dst, BPFH_VK_PKT, 0);
			return 0;
		}
		if (type->pkt_end_off >= 0 && at == type->pkt_end_off) {
			bpfh_vreg_set_ptr(dst, BPFH_VK_PKT_END, 0);
			return 0;
		}
	}
	bpfh_vreg_set_scalar(dst, loaded(op, size));
	return 0;
}

static int do_store(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		    unsigned op)
{
	const struct bpfh_op_info *info = bpfh_op_info(op);
	unsigned size = bpfh_op_mem_size(op);
	struct bpfh_vreg p = st->r[insn->dst];
	struct bpfh_vreg val;
	size_t slot;
	char b[96];
	int err;

	if (info->form == BPFH_FORM_ST) {
		bpfh_vreg_set_scalar(&val, bpfh_scalar_const((uint64_t)(int64_t)insn->imm));
	} else {
		err = use(a, st, insn->src);
		if (err)
			return err;
		val = st->r[insn->src];
	}
	err = check_region(a, st, insn->dst, &p, insn->off, size, ACC_WRITE, &slot);
	if (err)
		return err;
	if (bpfh_vreg_is_ptr(&val)) {
		fmt_reg(&val, b, sizeof(b));
		if (p.kind != BPFH_VK_STACK &&
		    (strict(a) || p.kind != BPFH_VK_MAP_VALUE))
			return fail(a, "storing pointer R%u %s into %s memory leaks it", insn->src,
				    b, bpfh_vkind_name(p.kind));
		if (p.kind == BPFH_VK_STACK && (size != 8 || slot % 8 != 0))
			return fail(a, "partial spill of pointer R%u %s", insn->src, b);
	}
	if (p.kind != BPFH_VK_STACK)
		return 0;
	bpfh_vstate_stack_write(st, slot, size);
	if (size == 8 && slot % 8 == 0) {
		memset(&st->stk[slot], BPFH_STK_SPILL, 8);
		st->spill[slot / 8] = val;
	}
	return 0;
}

static int do_atomic(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		     unsigned op)
{
	unsigned size = bpfh_op_mem_size(op);
	struct bpfh_vreg p = st->r[insn->dst];
	size_t slot;
	char b[96];
	int err = use(a, st, insn->src);

	if (err)
		return err;
	if (st->r[insn->src].kind != BPFH_VK_SCALAR)
		return fail(a, "atomic operation with pointer R%u %s", insn->src,
			    fmt_reg(&st->r[insn->src], b, sizeof(b)));
	if (insn->imm == 0xf1) { /* cmpxchg compares with r0 */
		err = use(a, st, 0);
		if (err)
			return err;
		if (st->r[0].kind != BPFH_VK_SCALAR)
			return fail(a, "atomic compare with pointer R0");
	}
	if (p.kind == BPFH_VK_PKT)
		return fail(a, "atomic operation on packet memory");
	err = check_region(a, st, insn->dst, &p, insn->off, size, ACC_READ, &slot);
	if (!err)
		err = check_region(a, st, insn->dst, &p, insn->off, size, ACC_WRITE, &slot);
	if (err)
		return err;
	if (p.kind == BPFH_VK_STACK)
		bpfh_vstate_stack_write(st, slot, size);
	if (insn->imm == 0xf1)
		bpfh_vreg_set_scalar(&st->r[0], loaded(BPFH_OP_LDXW, size));
	else if (insn->imm & 1)
		bpfh_vreg_set_scalar(&st->r[insn->src], loaded(BPFH_OP_LDXW, size));
	return 0;
}

/* --- lddw --- */

static int do_lddw(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		   unsigned op)
{
	struct bpfh_vreg *dst = &st->r[insn->dst];
	uint32_t idx = (uint32_t)insn->imm;

	switch (op) {
	case BPFH_OP_LDDW:
		bpfh_vreg_set_scalar(dst, bpfh_scalar_const((uint64_t)(uint32_t)insn[0].imm |
							    (uint64_t)(uint32_t)insn[1].imm << 32));
		return 0;
	case BPFH_OP_LDDW_MAP_FD:
	case BPFH_OP_LDDW_MAP_IDX:
	case BPFH_OP_LDDW_MAP_VALUE:
	case BPFH_OP_LDDW_MAP_IDX_VALUE:
		if (idx >= a->in->nmaps)
			return fail(a, "map index %" PRIu32 " out of range (%zu maps)", idx,
				    a->in->nmaps);
		if (op == BPFH_OP_LDDW_MAP_FD || op == BPFH_OP_LDDW_MAP_IDX) {
			bpfh_vreg_set_ptr(dst, BPFH_VK_MAP_PTR, 0);
		} else {
			uint32_t off = (uint32_t)insn[1].imm;

			if (off >= a->in->maps[idx].value_size)
				return fail(a, "map value offset %" PRIu32
					    " past value_size %" PRIu32,
					    off, a->in->maps[idx].value_size);
			bpfh_vreg_set_ptr(dst, BPFH_VK_MAP_VALUE, off);
		}
		dst->map = idx;
		return 0;
	case BPFH_OP_LDDW_FUNC:
		return fail(a, "function addresses (callbacks) are not supported yet");
	default:
		return fail(a, "lddw of a kernel variable is not supported yet");
	}
}

/* --- Helper calls --- */

static int arg_size(struct actx *a, const struct bpfh_vstate *st, unsigned reg, bool nonzero,
		    uint64_t *size)
{
	const struct bpfh_vreg *r = &st->r[reg];
	char b[96];
	int err = use(a, st, reg);

	if (err)
		return err;
	fmt_reg(r, b, sizeof(b));
	if (r->kind != BPFH_VK_SCALAR)
		return fail(a, "R%u must be a size, not %s", reg, b);
	if (r->s.r64.umax > (UINT64_C(1) << 29))
		return fail(a, "R%u is an unbounded size: %s", reg, b);
	if (nonzero && r->s.r64.umin == 0)
		return fail(a, "R%u is a size that may be 0: %s", reg, b);
	*size = r->s.r64.umax;
	return 0;
}

static int arg_mem(struct actx *a, struct bpfh_vstate *st, unsigned reg, uint64_t size,
		   bool write)
{
	struct bpfh_vreg p = st->r[reg];
	size_t slot;
	int err;

	if (size == 0 && p.kind == BPFH_VK_SCALAR)
		return 0;
	err = check_region(a, st, reg, &p, 0, size, write ? ACC_HELPER_WRITE : ACC_HELPER_READ,
			   &slot);
	if (err)
		return err;
	if (write && p.kind == BPFH_VK_STACK && size)
		bpfh_vstate_stack_write(st, slot, size);
	return 0;
}

static int do_call(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn)
{
	const struct bpfh_helper *h = bpfh_helper_find((uint32_t)insn->imm);
	const char *name = bpfh_helper_name((uint32_t)insn->imm);
	const struct bpfh_verify_map *map = NULL;
	uint32_t map_idx = 0;
	char b[96];
	int err;

	if (!h)
		return fail(a, "unknown helper %s (%" PRId32 ")", name ? name : "?", insn->imm);
	for (unsigned k = 0; k < 5 && h->args[k] != BPFH_ARG_NONE; k++) {
		unsigned reg = k + 1;
		const struct bpfh_vreg *r = &st->r[reg];
		uint64_t size = 0;

		err = use(a, st, reg);
		if (err)
			return err;
		fmt_reg(r, b, sizeof(b));
		switch (h->args[k]) {
		case BPFH_ARG_ANYTHING:
			if (strict(a) && bpfh_vreg_is_ptr(r))
				return fail(a, "%s: R%u must be a scalar, not %s", h->name, reg, b);
			break;
		case BPFH_ARG_CONST:
			if (r->kind != BPFH_VK_SCALAR || !bpfh_scalar_is_const(&r->s, &size))
				return fail(a, "%s: R%u must be a constant, not %s", h->name,
					    reg, b);
			break;
		case BPFH_ARG_CONST_MAP_PTR:
			if (r->kind != BPFH_VK_MAP_PTR)
				return fail(a, "%s: R%u must be a map (lddw), not %s", h->name,
					    reg, b);
			map_idx = r->map;
			map = &a->in->maps[map_idx];
			break;
		case BPFH_ARG_MAP_KEY:
		case BPFH_ARG_MAP_VALUE:
			if (!map)
				return fail(a, "%s: R%u needs a map argument first", h->name, reg);
			size = h->args[k] == BPFH_ARG_MAP_KEY ? map->key_size : map->value_size;
			err = arg_mem(a, st, reg, size, false);
			if (err)
				return err;
			break;
		case BPFH_ARG_MEM:
		case BPFH_ARG_MEM_OR_NULL:
		case BPFH_ARG_UNINIT_MEM:
			if (k == 4 || (h->args[k + 1] != BPFH_ARG_SIZE &&
				       h->args[k + 1] != BPFH_ARG_SIZE_OR_ZERO))
				return fail(a, "%s: prototype without a size", h->name);
			err = arg_size(a, st, reg + 1, h->args[k + 1] == BPFH_ARG_SIZE, &size);
			if (err)
				return err;
			/* NULL (or any number) only with a size of 0: arg_mem lets that pass
			 * and refuses a number with a size that may be larger. */
			err = arg_mem(a, st, reg, size, h->args[k] == BPFH_ARG_UNINIT_MEM);
			if (err)
				return err;
			break;
		case BPFH_ARG_SIZE:
		case BPFH_ARG_SIZE_OR_ZERO:
			err = arg_size(a, st, reg, h->args[k] == BPFH_ARG_SIZE, &size);
			if (err)
				return err;
			break;
		case BPFH_ARG_CTX:
			if (r->kind != BPFH_VK_CTX || !bpfh_scalar_is_const(&r->s, &size) || size)
				return fail(a, "%s: R%u must be the context, not %s", h->name,
					    reg, b);
			break;
		case BPFH_ARG_LONG_PTR:
			err = arg_mem(a, st, reg, 8, true);
			if (err)
				return err;
			break;
		default:
			return fail(a, "%s: argument %u (R%u) is of a kind not supported yet",
				    h->name, k + 1, reg);
		}
	}
	if (h->flags & BPFH_HELPER_PKT_CHANGES) {
		for (int i = 0; i < BPFH_REG_COUNT; i++)
			if (st->r[i].kind == BPFH_VK_PKT || st->r[i].kind == BPFH_VK_PKT_END)
				memset(&st->r[i], 0, sizeof(st->r[i]));
		for (size_t s = 0; s < BPFH_VSLOTS; s++)
			if (st->stk[s * 8] == BPFH_STK_SPILL &&
			    (st->spill[s].kind == BPFH_VK_PKT ||
			     st->spill[s].kind == BPFH_VK_PKT_END)) {
				memset(&st->stk[s * 8], BPFH_STK_INVALID, 8);
				memset(&st->spill[s], 0, sizeof(st->spill[s]));
			}
		st->pkt_range = 0;
	}
	for (int i = 1; i <= 5; i++) {
		memset(&st->r[i], 0, sizeof(st->r[i]));
		st->r[i].map = CLOBBERED;
	}
	switch (h->ret) {
	case BPFH_RET_VOID:
		memset(&st->r[0], 0, sizeof(st->r[0]));
		break;
	case BPFH_RET_MAP_VALUE_OR_NULL: {
		uint32_t id = (uint32_t)a->insn + 1;

		/* A new lookup at the same instruction: older copies lose the identity. */
		for (int i = 0; i < BPFH_REG_COUNT; i++)
			if (st->r[i].kind == BPFH_VK_MAP_VALUE_OR_NULL && st->r[i].id == id)
				memset(&st->r[i], 0, sizeof(st->r[i]));
		for (size_t s = 0; s < BPFH_VSLOTS; s++)
			if (st->stk[s * 8] == BPFH_STK_SPILL && st->spill[s].id == id)
				st->spill[s].id = 0;
		bpfh_vreg_set_ptr(&st->r[0], BPFH_VK_MAP_VALUE_OR_NULL, 0);
		st->r[0].map = map_idx;
		st->r[0].id = id;
		break;
	}
	case BPFH_RET_INTEGER:
		bpfh_vreg_set_scalar(&st->r[0], bpfh_scalar_unknown());
		break;
	default:
		return fail(a, "%s: return kind not supported yet", h->name);
	}
	return 0;
}

/* --- Exit --- */

static int do_exit(struct actx *a, const struct bpfh_vstate *st)
{
	const struct bpfh_verify_prog_type *type = a->in->type;
	const struct bpfh_vreg *r0 = &st->r[0];
	char b[96];
	int err = use(a, st, 0);

	if (err)
		return err;
	fmt_reg(r0, b, sizeof(b));
	if (r0->kind != BPFH_VK_SCALAR)
		return fail(a, "R0 at exit is a pointer: %s", b);
	if (r0->s.r64.smin < type->ret_min || r0->s.r64.smax > type->ret_max)
		return fail(a, "R0 at exit is %s, outside the return range [%" PRId64 ", %" PRId64
			    "] of %s programs", b, type->ret_min, type->ret_max,
			    type->name ? type->name : "these");
	if (!a->have_r0 || r0->s.r64.smin < a->r0_min)
		a->r0_min = r0->s.r64.smin;
	if (!a->have_r0 || r0->s.r64.smax > a->r0_max)
		a->r0_max = r0->s.r64.smax;
	a->have_r0 = true;
	return 0;
}

/* --- Conditional jumps --- */

static int cond_of(unsigned op, enum bpfh_cond *c)
{
#define FAM(ID, C)                                                          \
	case BPFH_OP_##ID##_K: case BPFH_OP_##ID##_X:                       \
	case BPFH_OP_##ID##32_K: case BPFH_OP_##ID##32_X: *c = C; return 0;
	switch (op) {
	FAM(JEQ, BPFH_COND_EQ) FAM(JNE, BPFH_COND_NE) FAM(JGT, BPFH_COND_GT)
	FAM(JGE, BPFH_COND_GE) FAM(JLT, BPFH_COND_LT) FAM(JLE, BPFH_COND_LE)
	FAM(JSGT, BPFH_COND_SGT) FAM(JSGE, BPFH_COND_SGE) FAM(JSLT, BPFH_COND_SLT)
	FAM(JSLE, BPFH_COND_SLE) FAM(JSET, BPFH_COND_SET)
	default: return -1;
	}
#undef FAM
}

/* The edge where NULL-ness of id is decided: every copy becomes NULL (scalar 0) or a value. */
static void set_null(struct bpfh_vstate *st, const struct bpfh_vreg *r, unsigned reg, bool null)
{
	uint32_t id = r->id;

	for (int i = 0; i < BPFH_REG_COUNT; i++) {
		struct bpfh_vreg *x = &st->r[i];

		if (x->kind != BPFH_VK_MAP_VALUE_OR_NULL || (id ? x->id != id : i != (int)reg))
			continue;
		if (null)
			bpfh_vreg_set_scalar(x, bpfh_scalar_const(0));
		else
			x->kind = BPFH_VK_MAP_VALUE, x->id = 0;
	}
	for (size_t s = 0; id && s < BPFH_VSLOTS; s++) {
		struct bpfh_vreg *x = &st->spill[s];

		if (st->stk[s * 8] != BPFH_STK_SPILL || x->kind != BPFH_VK_MAP_VALUE_OR_NULL ||
		    x->id != id)
			continue;
		if (null)
			bpfh_vreg_set_scalar(x, bpfh_scalar_const(0));
		else
			x->kind = BPFH_VK_MAP_VALUE, x->id = 0;
	}
}

/* pkt (offset lo) compared with pkt_end: on the edge where pkt + off <= end (or < end when
 * strict) the packet has at least lo (lo + 1) bytes. */
static void pkt_bound(struct bpfh_vstate *st, const struct bpfh_vreg *pkt, bool lt)
{
	int64_t lo = pkt->s.r64.smin;

	if (lo < 0 || lo > OFF_LIMIT)
		return;
	if ((uint64_t)lo + lt > st->pkt_range)
		st->pkt_range = (uint64_t)lo + lt;
}

static int do_branch(struct actx *a, const struct bpfh_vstate *st, const struct bpfh_insn *insn,
		     unsigned op, struct bpfh_vstate *fall, struct bpfh_vstate *taken)
{
	const struct bpfh_op_info *info = bpfh_op_info(op);
	unsigned width = bpfh_op_is_32(op) ? 32 : 64;
	const struct bpfh_vreg *d = &st->r[insn->dst];
	struct bpfh_vreg s;
	enum bpfh_cond c;
	char b1[96], b2[96];
	uint64_t v;
	int err;

	*fall = *st;
	*taken = *st;
	if (cond_of(op, &c))
		return fail(a, "unexpected instruction");
	err = use(a, st, insn->dst);
	if (err)
		return err;
	if (info->form == BPFH_FORM_JMP_K) {
		bpfh_vreg_set_scalar(&s, bpfh_scalar_const((uint64_t)(int64_t)insn->imm));
	} else {
		err = use(a, st, insn->src);
		if (err)
			return err;
		s = st->r[insn->src];
	}
	if (d->kind == BPFH_VK_SCALAR && s.kind == BPFH_VK_SCALAR) {
		struct bpfh_scalar x = d->s, y = s.s;

		if (!bpfh_scalar_branch(c, width, true, &x, &y)) {
			taken->bottom = true;
		} else {
			taken->r[insn->dst].s = x;
			if (info->form == BPFH_FORM_JMP_X && insn->src != insn->dst)
				taken->r[insn->src].s = y;
		}
		x = d->s, y = s.s;
		if (!bpfh_scalar_branch(c, width, false, &x, &y)) {
			fall->bottom = true;
		} else {
			fall->r[insn->dst].s = x;
			if (info->form == BPFH_FORM_JMP_X && insn->src != insn->dst)
				fall->r[insn->src].s = y;
		}
		return 0;
	}
	/* A pointer that may be NULL against 0. */
	if ((c == BPFH_COND_EQ || c == BPFH_COND_NE) && width == 64 &&
	    d->kind == BPFH_VK_MAP_VALUE_OR_NULL && s.kind == BPFH_VK_SCALAR &&
	    bpfh_scalar_is_const(&s.s, &v) && v == 0) {
		set_null(c == BPFH_COND_EQ ? taken : fall, d, insn->dst, true);
		set_null(c == BPFH_COND_EQ ? fall : taken, d, insn->dst, false);
		return 0;
	}
	/* A non-NULL pointer against 0: allowed, the equal edge is impossible. */
	if ((c == BPFH_COND_EQ || c == BPFH_COND_NE) && width == 64 && bpfh_vreg_is_ptr(d) &&
	    d->kind != BPFH_VK_MAP_VALUE_OR_NULL && s.kind == BPFH_VK_SCALAR &&
	    bpfh_scalar_is_const(&s.s, &v) && v == 0) {
		(c == BPFH_COND_EQ ? taken : fall)->bottom = true;
		return 0;
	}
	if (width == 64 && ((d->kind == BPFH_VK_PKT && s.kind == BPFH_VK_PKT_END) ||
			    (d->kind == BPFH_VK_PKT_END && s.kind == BPFH_VK_PKT))) {
		bool pkt_first = d->kind == BPFH_VK_PKT;
		const struct bpfh_vreg *pkt = pkt_first ? d : &s;

		/* Normalise to "pkt OP end". */
		if (!pkt_first) {
			switch (c) {
			case BPFH_COND_GT: c = BPFH_COND_LT; break;
			case BPFH_COND_GE: c = BPFH_COND_LE; break;
			case BPFH_COND_LT: c = BPFH_COND_GT; break;
			case BPFH_COND_LE: c = BPFH_COND_GE; break;
			default: break;
			}
		}
		switch (c) {
		case BPFH_COND_GT: pkt_bound(fall, pkt, false); break;  /* fall: pkt <= end */
		case BPFH_COND_GE: pkt_bound(fall, pkt, true); break;   /* fall: pkt < end */
		case BPFH_COND_LT: pkt_bound(taken, pkt, true); break;
		case BPFH_COND_LE: pkt_bound(taken, pkt, false); break;
		case BPFH_COND_EQ: case BPFH_COND_NE: break;
		default:
			return fail(a, "signed or bit comparison of packet pointers");
		}
		return 0;
	}
	if (!strict(a))
		return 0;
	return fail(a, "comparison not allowed: R%u %s with %s", insn->dst,
		    fmt_reg(d, b1, sizeof(b1)), fmt_reg(&s, b2, sizeof(b2)));
}

/* --- One instruction --- */

static int step(struct actx *a, struct bpfh_vstate *st, size_t i)
{
	const struct bpfh_insn *insn = &a->cfg->insns[i];
	unsigned op = a->cfg->ops[i];
	unsigned form = bpfh_op_info(op)->form;

	a->insn = i;
	switch (form) {
	case BPFH_FORM_ALU_K: case BPFH_FORM_ALU_X: case BPFH_FORM_NEG:
	case BPFH_FORM_MOVSX: case BPFH_FORM_END:
		return do_alu(a, st, insn, op);
	case BPFH_FORM_LDX:
		return do_load(a, st, insn, op);
	case BPFH_FORM_ST: case BPFH_FORM_STX:
		return do_store(a, st, insn, op);
	case BPFH_FORM_ATOMIC:
		return do_atomic(a, st, insn, op);
	case BPFH_FORM_LDDW:
		return do_lddw(a, st, insn, op);
	case BPFH_FORM_CALL:
		return do_call(a, st, insn);
	case BPFH_FORM_EXIT:
		return do_exit(a, st);
	case BPFH_FORM_JA: case BPFH_FORM_JA32:
		return 0;
	case BPFH_FORM_LDABS: case BPFH_FORM_LDIND:
		return fail(a, "legacy packet loads (ldabs, ldind) are not supported yet");
	default:
		return fail(a, "unexpected instruction");
	}
}

/* --- The fixpoint --- */

static void collect_thresholds(struct actx *a)
{
	const struct bpfh_cfg *cfg = a->cfg;

	for (size_t i = 0; i < cfg->count && a->nthr + 3 <= MAX_THRESHOLDS; i++) {
		if (bpfh_op_info(cfg->ops[i])->form != BPFH_FORM_JMP_K)
			continue;
		a->thr[a->nthr++] = (int64_t)cfg->insns[i].imm - 1;
		a->thr[a->nthr++] = cfg->insns[i].imm;
		a->thr[a->nthr++] = (int64_t)cfg->insns[i].imm + 1;
	}
}

static void entry_state(const struct bpfh_verify_input *in, struct bpfh_vstate *st)
{
	bpfh_vstate_init(st);
	if (in->type->ctx_size)
		bpfh_vreg_set_ptr(&st->r[1], BPFH_VK_CTX, 0);
	if (in->type->r2_ctx_size)
		bpfh_vreg_set_scalar(&st->r[2], bpfh_scalar_const(in->type->ctx_size));
	bpfh_vreg_set_ptr(&st->r[10], BPFH_VK_STACK, 0);
}

int bpfh_analyze(const struct bpfh_verify_input *in, const struct bpfh_cfg *cfg,
		 struct bpfh_verify_result *out, struct bpfh_log *log)
{
	struct actx *a = calloc(1, sizeof(*a));
	size_t nb = cfg->nblocks;
	struct bpfh_vstate *states = calloc(nb, sizeof(*states));
	struct bpfh_vstate *cur = malloc(3 * sizeof(*cur));
	uint32_t *visits = calloc(nb, sizeof(*visits));
	bool *dirty = calloc(nb, sizeof(*dirty));
	uint64_t max_states = in->opts.max_states ? in->opts.max_states : 1000000;
	uint32_t max_iter = in->opts.max_loop_iterations ? in->opts.max_loop_iterations : 8;
	bool again = true;
	int err = -ENOMEM;

	if (!a || !states || !cur || !visits || !dirty)
		goto out;
	a->in = in;
	a->cfg = cfg;
	a->log = log;
	collect_thresholds(a);
	for (size_t b = 0; b < nb; b++)
		states[b].bottom = true;
	entry_state(in, &states[0]);
	dirty[0] = true;
	err = 0;
	while (again && !err) {
		again = false;
		for (size_t b = 0; b < nb && !err; b++) {
			const struct bpfh_vblock *blk = &cfg->blocks[b];
			struct bpfh_vstate *st = &cur[0], *edge[2] = { &cur[1], &cur[2] };
			unsigned op;

			if (!dirty[b])
				continue;
			dirty[b] = false;
			again = true;
			if (++out->states > max_states) {
				a->insn = blk->first;
				err = fail(a, "program too complex: more than %" PRIu64
					   " block visits", max_states);
				break;
			}
			*st = states[b];
			for (size_t i = blk->first; i < blk->last && !err; i++)
				if (cfg->ops[i] != BPFH_OP_LDDW_HI)
					err = step(a, st, i);
			if (err)
				break;
			op = cfg->ops[blk->last];
			a->insn = blk->last;
			if (bpfh_op_info(op)->form == BPFH_FORM_JMP_K ||
			    bpfh_op_info(op)->form == BPFH_FORM_JMP_X) {
				err = do_branch(a, st, &cfg->insns[blk->last], op, edge[0],
						edge[1]);
			} else {
				err = step(a, st, blk->last);
				*edge[0] = *st;
				*edge[1] = *st;
			}
			for (int k = 0; k < 2 && !err; k++) {
				size_t s = blk->succ[k];
				bool widen;

				if (s == SIZE_MAX || edge[k]->bottom ||
				    bpfh_vstate_leq(edge[k], &states[s]))
					continue;
				widen = cfg->blocks[s].loop_head && ++visits[s] > max_iter;
				bpfh_vstate_join(&states[s], edge[k], widen, a->thr, a->nthr);
				dirty[s] = true;
			}
		}
	}
	out->reject_insn = a->reject_insn;
	out->r0_min = a->r0_min;
	out->r0_max = a->r0_max;
out:
	free(a);
	free(states);
	free(cur);
	free(visits);
	free(dirty);
	return err;
}
