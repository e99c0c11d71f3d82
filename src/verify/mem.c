// SPDX-License-Identifier: MIT
/*
 * The analyzer's memory transfer: bounds of every access by region (stack frame, context,
 * map value, ring buffer record, packet), loads (fills of spilled registers, packet pointers
 * from the context), stores (spills, pointer leaks), atomics, the lddw forms and the legacy
 * packet loads (ldabs, ldind).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/map.h"
#include "analyze.h"
#include "refs.h"

int bpfh_va_check_region(struct actx *a, const struct bpfh_vstate *st, unsigned reg,
			const struct bpfh_vreg *p, int64_t off, uint64_t size, enum access acc,
			size_t *slot)
{
	int64_t lo, hi;
	bool write = acc == ACC_WRITE || acc == ACC_HELPER_WRITE || acc == ACC_STORE;
	const struct bpfh_verify_prog_type *type = a->in->type;

	if (slot)
		*slot = SIZE_MAX;
	if (p->kind == BPFH_VK_UNINIT)
		return bpfh_va_released(a, p, reg) ? -EACCES : use(a, st, reg);
	if (p->kind == BPFH_VK_SCALAR)
		return fail(a, "R%u is not a pointer: %s", reg, reg_str(p));
	if ((bpfh_vkind_maybe_null(p->kind) && p->kind != BPFH_VK_MAP_PTR_OR_NULL) || p->null)
		return fail(a, "R%u may be NULL: %s (compare it with 0 first)", reg, reg_str(p));
	if (p->kind == BPFH_VK_MAP_PTR || p->kind == BPFH_VK_PKT_END || p->kind == BPFH_VK_FUNC ||
	    p->kind == BPFH_VK_MAP_PTR_OR_NULL)
		return fail(a, "R%u is a %s pointer, which cannot be dereferenced", reg,
			    bpfh_vkind_name(p->kind));
	if (p->s.r64.smin < -OFF_LIMIT || p->s.r64.smax > OFF_LIMIT || size > (uint64_t)OFF_LIMIT)
		return fail(a, "R%u has an unbounded offset: %s", reg, reg_str(p));
	lo = p->s.r64.smin + off;
	hi = p->s.r64.smax + off + (int64_t)size; /* exclusive */
	switch (p->kind) {
	case BPFH_VK_STACK:
		if (lo < -BPFH_STACK_SIZE || hi > 0)
			return fail(a, "stack access out of the frame: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ") of [-512, 0)", reg, reg_str(p), lo, hi);
		if (lo != hi - (int64_t)size) {
			if (write && acc != ACC_STORE)
				return fail(a, "stack write with a variable offset: R%u %s", reg,
					    reg_str(p));
		} else if (slot) {
			*slot = (size_t)(lo + BPFH_STACK_SIZE);
		}
		if (!write && acc != ACC_LOAD &&
		    !bpfh_vstate_stack_init(st, p->map, (size_t)(lo + BPFH_STACK_SIZE),
					    (size_t)(hi - lo)))
			return fail(a, "read of uninitialised stack: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ")", reg, reg_str(p), lo, hi);
		return 0;
	case BPFH_VK_CTX: {
		enum bpfh_vkind k;
		char why[160];

		if (acc == ACC_HELPER_READ || acc == ACC_HELPER_WRITE)
			return fail(a, "R%u: the context cannot be passed as memory to a helper",
				    reg);
		if (bpfh_vctx_access(type, lo, hi, (unsigned)size, write, &k, why, sizeof(why)))
			return fail(a, "%s: R%u %s", why, reg, reg_str(p));
		return 0;
	}
	case BPFH_VK_MAP_VALUE: {
		const struct bpfh_verify_map *m = &a->in->maps[p->map];
		uint32_t vs = m->value_size;

		if (lo < 0 || hi > (int64_t)vs)
			return fail(a, "map value access out of bounds: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ") of value_size %" PRIu32, reg, reg_str(p), lo,
				    hi, vs);
		if (write && (m->map_flags & BPFH_F_RDONLY_PROG))
			return fail(a, "write into a map read-only for programs "
				    "(BPF_F_RDONLY_PROG): R%u %s", reg, reg_str(p));
		if (!write && (m->map_flags & BPFH_F_WRONLY_PROG))
			return fail(a, "read from a map write-only for programs "
				    "(BPF_F_WRONLY_PROG): R%u %s", reg, reg_str(p));
		/* The lock word is the helpers' alone: no load, store, atomic or helper
		 * memory argument may touch it. */
		if (m->has_spin_lock && lo < (int64_t)m->spin_lock_off + 4 &&
		    (int64_t)m->spin_lock_off < hi)
			return fail(a, "the bpf_spin_lock at offset %" PRIu32 " of the value cannot "
				    "be accessed directly: R%u %s, bytes [%" PRId64 ", %" PRId64 ")",
				    m->spin_lock_off, reg, reg_str(p), lo, hi);
		return 0;
	}
	case BPFH_VK_PKT_META:
		if (lo >= 0 && bpfh_vrel_meta_within((struct bpfh_vstate *)st, reg,
						     off + (int64_t)size))
			return 0;
		return fail(a, "packet metadata access past the checked end (data): R%u %s, bytes "
			    "[%" PRId64 ", %" PRId64 ")", reg, reg_str(p), lo, hi);
	case BPFH_VK_MAP_KEY: {
		uint32_t ks = a->in->maps[p->map].key_size;

		if (write)
			return fail(a, "write into a map key: R%u %s", reg, reg_str(p));
		if (lo < 0 || hi > (int64_t)ks)
			return fail(a, "map key access out of bounds: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ") of key_size %" PRIu32, reg, reg_str(p), lo, hi,
				    ks);
		return 0;
	}
	case BPFH_VK_RINGBUF_MEM:
		if (lo < 0 || hi > (int64_t)p->mem_size)
			return fail(a, "ring buffer record access out of bounds: R%u %s, bytes [%"
				    PRId64 ", %" PRId64 ") of %" PRIu32, reg, reg_str(p), lo, hi,
				    p->mem_size);
		return 0;
	case BPFH_VK_PKT:
		/* Constant offsets against the bytes proven; derived pointers and variable
		 * offsets through the relations (the zone closes itself: not a change). */
		if (lo >= 0 && (uint64_t)hi > st->pkt_range &&
		    bpfh_vrel_pkt_within((struct bpfh_vstate *)st, reg, off + (int64_t)size))
			return 0;
		if (lo < 0 || (uint64_t)hi > st->pkt_range)
			return fail(a, "packet access past the checked end: R%u %s, bytes [%" PRId64
				    ", %" PRId64 "), checked %" PRIu64, reg, reg_str(p), lo, hi,
				    st->pkt_range);
		return 0;
	default:
		/* scalars, map pointers, the packet end and functions were refused above */
		return bpfh_va_internal(a, "an access through a kind of pointer not handled");
	}
}

struct bpfh_scalar bpfh_va_loaded(unsigned op, unsigned size)
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

int bpfh_va_load(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		   unsigned op)
{
	unsigned size = bpfh_op_mem_size(op);
	struct bpfh_vreg p = st->r[insn->src];
	struct bpfh_vreg *dst = &st->r[insn->dst];
	const struct bpfh_verify_prog_type *type = a->in->type;
	size_t slot;
	int err = bpfh_va_check_region(a, st, insn->src, &p, insn->off, size, ACC_LOAD, &slot);

	if (err)
		return err;
	if (p.kind == BPFH_VK_STACK) {
		int64_t lo = p.s.r64.smin + insn->off + BPFH_STACK_SIZE;
		int64_t hi = p.s.r64.smax + insn->off + BPFH_STACK_SIZE + size;
		char b[96];
		struct bpfh_vview v = bpfh_vstate_frame(st, p.map);

		if (slot != SIZE_MAX && v.stk[slot] == BPFH_STK_SPILL && size == 8 &&
		    slot % 8 == 0) {
			*dst = v.spill[slot / 8];
			return 0;
		}
		for (int64_t i = lo; i < hi; i++)
			if (v.stk[i] == BPFH_STK_SPILL && v.spill[i / 8].kind != BPFH_VK_SCALAR)
				return fail(a, "partial read of a spilled pointer");
		if (!bpfh_vstack_init(v.stk, v.spill, (size_t)lo, (size_t)(hi - lo)))
			return fail(a, "read of uninitialised stack: R%u %s, bytes [%" PRId64
				    ", %" PRId64 ")", insn->src, fmt_reg(&p, b, sizeof(b)),
				    lo - BPFH_STACK_SIZE, hi - BPFH_STACK_SIZE);
	}
	if (p.kind == BPFH_VK_CTX) {
		enum bpfh_vkind k = BPFH_VK_SCALAR;
		char why[160];
		int64_t lo = p.s.r64.smin + insn->off, hi = p.s.r64.smax + insn->off + size;

		bpfh_vctx_access(type, lo, hi, size, false, &k, why, sizeof(why));
		if (k != BPFH_VK_SCALAR) {
			bpfh_vreg_set_ptr(dst, k, 0);
			return 0;
		}
	}
	bpfh_vreg_set_scalar(dst, bpfh_va_loaded(op, size));
	return 0;
}

/* A store at a variable stack offset: every byte it may reach keeps its state (initialised
 * stays initialised; uninitialised may stay so), spills there are broken and known values
 * forgotten. */
static void var_write(struct bpfh_vstate *st, const struct bpfh_vreg *p, int64_t off,
		      unsigned size)
{
	struct bpfh_vview v = bpfh_vstate_frame(st, p->map);
	int64_t lo = p->s.r64.smin + off + BPFH_STACK_SIZE;
	int64_t hi = p->s.r64.smax + off + size + BPFH_STACK_SIZE;

	for (int64_t i = lo; i < hi; i++) {
		if (v.stk[i] == BPFH_STK_SPILL)
			bpfh_vstack_unspill(v.stk, v.spill, (size_t)i / 8);
		if (v.stk[i] == BPFH_STK_CONST)
			v.stk[i] = BPFH_STK_MISC;
	}
}

/* The bytes a store of size bytes of the number v writes, in memory order. */
static void store_bytes(uint64_t v, unsigned size, uint8_t *out)
{
	uint8_t b1 = (uint8_t)v;
	uint16_t b2 = (uint16_t)v;
	uint32_t b4 = (uint32_t)v;

	if (size == 1)
		memcpy(out, &b1, 1);
	else if (size == 2)
		memcpy(out, &b2, 2);
	else if (size == 4)
		memcpy(out, &b4, 4);
	else
		memcpy(out, &v, 8);
}

int bpfh_va_store(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		    unsigned op)
{
	const struct bpfh_op_info *info = bpfh_op_info(op);
	unsigned size = bpfh_op_mem_size(op);
	struct bpfh_vreg p = st->r[insn->dst];
	struct bpfh_vreg val;
	size_t slot;
	uint64_t c;
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
	err = bpfh_va_check_region(a, st, insn->dst, &p, insn->off, size, ACC_STORE, &slot);
	if (err)
		return err;
	if (p.kind == BPFH_VK_STACK && slot == SIZE_MAX) {
		/* A variable offset: any byte in the range may be written, or not. */
		if (bpfh_vreg_is_ptr(&val))
			return fail(a, "spill of pointer R%u %s at a variable stack offset",
				    insn->src, fmt_reg(&val, b, sizeof(b)));
		var_write(st, &p, insn->off, size);
		return 0;
	}
	if (bpfh_vreg_is_ptr(&val)) {
		/* A reference stored anywhere but the stack would outlive its release. */
		if (p.kind != BPFH_VK_STACK && (val.kind == BPFH_VK_RINGBUF_MEM ||
						val.kind == BPFH_VK_RINGBUF_MEM_OR_NULL))
			return fail(a, "storing reference R%u %s into %s memory leaks it",
				    insn->src, reg_str(&val), bpfh_vkind_name(p.kind));
		if (p.kind != BPFH_VK_STACK &&
		    (strict(a) || p.kind != BPFH_VK_MAP_VALUE))
			return fail(a, "storing pointer R%u %s into %s memory leaks it", insn->src,
				    reg_str(&val), bpfh_vkind_name(p.kind));
		if (p.kind == BPFH_VK_STACK && (size != 8 || slot % 8 != 0))
			return fail(a, "partial spill of pointer R%u %s", insn->src, reg_str(&val));
	}
	if (p.kind != BPFH_VK_STACK)
		return 0;
	if (val.kind == BPFH_VK_STACK && val.map > p.map)
		return fail(a, "storing a pointer to the stack of frame %" PRIu32 " into frame %"
			    PRIu32 " would outlive it", val.map, p.map);
	if (size == 8 && slot % 8 == 0) {
		struct bpfh_vview v = bpfh_vstate_frame(st, p.map);

		bpfh_vstate_stack_write(st, p.map, slot, size);
		memset(&v.stk[slot], BPFH_STK_SPILL, 8);
		v.spill[slot / 8] = val;
	} else if (val.kind == BPFH_VK_SCALAR && bpfh_scalar_is_const(&val.s, &c)) {
		/* A narrower store of a known number: its bytes' values are known (a key's). */
		struct bpfh_vview v = bpfh_vstate_frame(st, p.map);
		uint8_t bytes[8];

		store_bytes(c, size, bytes);
		bpfh_vstack_write_const(v.stk, v.spill, slot, size, bytes);
	} else {
		bpfh_vstate_stack_write(st, p.map, slot, size);
	}
	return 0;
}

int bpfh_va_atomic(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
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
	if (p.kind == BPFH_VK_CTX && (a->in->type->fields || !a->in->type->ctx_writable))
		return fail(a, "atomic operation on the context: R%u %s", insn->dst,
			    fmt_reg(&p, b, sizeof(b)));
	err = bpfh_va_check_region(a, st, insn->dst, &p, insn->off, size, ACC_READ, &slot);
	if (!err)
		err = bpfh_va_check_region(a, st, insn->dst, &p, insn->off, size, ACC_WRITE, &slot);
	if (err)
		return err;
	if (p.kind == BPFH_VK_STACK)
		bpfh_vstate_stack_write(st, p.map, slot, size);
	if (insn->imm == 0xf1)
		bpfh_vreg_set_scalar(&st->r[0], bpfh_va_loaded(BPFH_OP_LDXW, size));
	else if (insn->imm & 1)
		bpfh_vreg_set_scalar(&st->r[insn->src], bpfh_va_loaded(BPFH_OP_LDXW, size));
	return 0;
}

/* --- lddw --- */

int bpfh_va_lddw(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
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
		bpfh_vreg_set_ptr(dst, BPFH_VK_FUNC, 0);
		dst->map = (uint32_t)((int64_t)a->insn + 1 + insn->imm);
		return 0;
	default:
		return fail(a, "lddw of a kernel variable is not supported yet");
	}
}

/* --- Legacy packet loads --- */

/* ldabs / ldind (socket filters): r0 = the 1, 2 or 4 bytes at imm (+ src) of the packet,
 * big-endian, zero-extended; r1-r5 clobbered, as a helper call would (Linux implements them
 * as one). r6 must hold the context. Out of bounds, the program ends with r0 = 0: an exit, so
 * 0 must be a valid return and nothing may be held. */
int bpfh_va_ldabs(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		  unsigned op)
{
	const struct bpfh_verify_prog_type *type = a->in->type;
	const struct bpfh_vreg *r6 = &st->r[6];
	unsigned size = op == BPFH_OP_LDABSB || op == BPFH_OP_LDINDB ? 1 :
			op == BPFH_OP_LDABSH || op == BPFH_OP_LDINDH ? 2 : 4;
	uint64_t off;
	char b[96];
	int err;

	if (!type->ld_abs)
		return fail(a, "legacy packet loads (ldabs, ldind) are not allowed in %s programs",
			    type->name ? type->name : "these");
	err = use(a, st, 6);
	if (err)
		return err;
	if (r6->kind != BPFH_VK_CTX || !bpfh_scalar_is_const(&r6->s, &off) || off)
		return fail(a, "legacy packet loads need the context in R6 (off 0), not %s",
			    fmt_reg(r6, b, sizeof(b)));
	if (bpfh_op_info(op)->form == BPFH_FORM_LDIND) {
		err = use(a, st, insn->src);
		if (err)
			return err;
		if (st->r[insn->src].kind != BPFH_VK_SCALAR)
			return fail(a, "ldind: R%u must be a scalar offset, not %s", insn->src,
				    fmt_reg(&st->r[insn->src], b, sizeof(b)));
	}
	if (st->refs.n || st->refs.lost)
		return fail(a, "legacy packet loads cannot be mixed with references held (from "
			    "insn %" PRIu32 "): the load may end the program",
			    st->refs.n ? st->refs.id[0] - 1 : 0);
	err = bpfh_va_lock_free(a, st, "legacy packet load");
	if (err)
		return err;
	if (type->ret_min > 0 || type->ret_max < 0)
		return fail(a, "a legacy packet load out of bounds ends the program with R0 = 0, "
			    "outside the return range [%" PRId64 ", %" PRId64 "]", type->ret_min,
			    type->ret_max);
	/* The implicit exit. */
	if (!a->have_r0 || a->r0_min > 0)
		a->r0_min = 0;
	if (!a->have_r0 || a->r0_max < 0)
		a->r0_max = 0;
	a->have_r0 = true;
	for (int i = 1; i <= 5; i++) {
		memset(&st->r[i], 0, sizeof(st->r[i]));
		st->r[i].map = CLOBBERED;
	}
	bpfh_vreg_set_scalar(&st->r[0], bpfh_scalar_urange(0, (UINT64_C(1) << (8 * size)) - 1));
	return 0;
}
