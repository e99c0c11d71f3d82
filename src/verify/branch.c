// SPDX-License-Identifier: MIT
/*
 * The analyzer's exits (r0 set and inside the type's return range) and conditional jumps:
 * refinement of numbers on both edges, NULL checks of map values (carried to every copy),
 * packet bounds proven against data_end, and the comparisons the strict profile refuses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "refs.h"

int bpfh_va_exit(struct actx *a, const struct bpfh_vstate *st)
{
	const struct bpfh_verify_prog_type *type = a->in->type;
	const struct bpfh_vreg *r0 = &st->r[0];
	int err = use(a, st, 0);

	if (!err)
		err = bpfh_va_refs_exit(a, st);
	if (err)
		return err;
	if (r0->kind != BPFH_VK_SCALAR)
		return fail(a, "R0 at exit is a pointer: %s", reg_str(r0));
	/* Hooks read a 32-bit verdict (test runs' retval is a u32): a range inside [0,
	 * UINT32_MAX] is checked on the low half. */
	if (type->ret_min >= 0 && type->ret_max <= (int64_t)UINT32_MAX) {
		if (r0->s.r32.umin < (uint64_t)type->ret_min ||
		    r0->s.r32.umax > (uint64_t)type->ret_max)
			return fail(a, "R0 at exit is %s (low 32 bits [%" PRIu64 ", %" PRIu64
				    "]), outside the return range [%" PRId64 ", %" PRId64 "] of %s "
				    "programs", reg_str(r0), r0->s.r32.umin, r0->s.r32.umax,
				    type->ret_min, type->ret_max, type->name ? type->name : "these");
	} else if (r0->s.r64.smin < type->ret_min || r0->s.r64.smax > type->ret_max)
		return fail(a, "R0 at exit is %s, outside the return range [%" PRId64 ", %" PRId64
			    "] of %s programs", reg_str(r0), type->ret_min, type->ret_max,
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

/* The edge where NULL-ness of id is decided: every copy becomes NULL (scalar 0) or non-NULL. */
static void set_null(struct bpfh_vstate *st, const struct bpfh_vreg *r, unsigned reg, bool null)
{
	bpfh_vref_null_check(st, r, reg, null);
}

/* pkt (offset lo) compared with pkt_end: on the edge where pkt + off <= end (or < end when
 * strict) the packet has at least lo (lo + 1) bytes. */
static void pkt_bound(struct bpfh_vstate *st, const struct bpfh_vreg *pkt,
		      const struct bpfh_vreg *end, bool lt)
{
	int64_t lo = pkt->s.r64.smin, e = end->s.r64.smax;

	/* pkt + lo <= end + e: at least lo - e bytes (the end may have been moved). */
	if (lo < 0 || lo > OFF_LIMIT || e < -OFF_LIMIT || e > OFF_LIMIT)
		return;
	lo -= e;
	if (lo < 0)
		return;
	if ((uint64_t)lo + lt > st->pkt_range)
		st->pkt_range = (uint64_t)lo + lt;
}

int bpfh_va_branch(struct actx *a, const struct bpfh_vstate *st, const struct bpfh_insn *insn,
		     unsigned op, struct bpfh_vstate *fall, struct bpfh_vstate *taken)
{
	const struct bpfh_op_info *info = bpfh_op_info(op);
	unsigned width = bpfh_op_is_32(op) ? 32 : 64;
	const struct bpfh_vreg *d = &st->r[insn->dst];
	struct bpfh_vreg s;
	enum bpfh_cond c;
	char b1[96], b2[96];
	uint64_t v;
	int err, src;

	bpfh_vstate_copy(fall, st);
	bpfh_vstate_copy(taken, st);
	if (cond_of(op, &c))
		return bpfh_va_internal(a, "not a conditional jump");
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
		src = info->form == BPFH_FORM_JMP_X ? (int)insn->src : -1;
		bpfh_vrel_cond(taken, c, width, insn->dst, src, true);
		bpfh_vrel_cond(fall, c, width, insn->dst, src, false);
		return 0;
	}
	/* A pointer that may be NULL against 0. */
	if ((c == BPFH_COND_EQ || c == BPFH_COND_NE) && width == 64 &&
	    bpfh_vkind_maybe_null(d->kind) && s.kind == BPFH_VK_SCALAR &&
	    bpfh_scalar_is_const(&s.s, &v) && v == 0) {
		set_null(c == BPFH_COND_EQ ? taken : fall, d, insn->dst, true);
		set_null(c == BPFH_COND_EQ ? fall : taken, d, insn->dst, false);
		return 0;
	}
	/* A pointer against 0: the equal edge is impossible, unless the pointer is "or NULL"
	 * (paths joined); then it is NULL there and not NULL on the other. */
	if ((c == BPFH_COND_EQ || c == BPFH_COND_NE) && width == 64 && bpfh_vreg_is_ptr(d) &&
	    !bpfh_vkind_maybe_null(d->kind) && s.kind == BPFH_VK_SCALAR &&
	    bpfh_scalar_is_const(&s.s, &v) && v == 0) {
		struct bpfh_vstate *eq = c == BPFH_COND_EQ ? taken : fall;
		struct bpfh_vstate *ne = c == BPFH_COND_EQ ? fall : taken;

		if (!d->null) {
			eq->bottom = true;
			return 0;
		}
		bpfh_vreg_set_scalar(&eq->r[insn->dst], bpfh_scalar_const(0));
		bpfh_vrel_forget_reg(eq, insn->dst);
		ne->r[insn->dst].null = 0;
		return 0;
	}
	if (width == 64 && bpfh_vkind_is_packet(d->kind) && bpfh_vkind_is_packet(s.kind) &&
	    (d->kind != BPFH_VK_PKT_END || s.kind != BPFH_VK_PKT_END)) {
		const int64_t MIN = INT64_MIN, INF = BPFH_ZONE_INF;
		unsigned x = insn->dst, y = insn->src;

		if (d->null || s.null)
			return fail(a, "comparison of a packet pointer that may be NULL: R%u %s, R%u "
				    "%s (compare it with 0 first)", insn->dst,
				    fmt_reg(d, b1, sizeof(b1)), insn->src, fmt_reg(&s, b2, sizeof(b2)));

		if (c != BPFH_COND_EQ && c != BPFH_COND_NE && c != BPFH_COND_GT &&
		    c != BPFH_COND_GE && c != BPFH_COND_LT && c != BPFH_COND_LE)
			return fail(a, "signed or bit comparison of packet pointers");
		if ((d->kind == BPFH_VK_PKT && s.kind == BPFH_VK_PKT_END) ||
		    (d->kind == BPFH_VK_PKT_END && s.kind == BPFH_VK_PKT)) {
			bool pkt_first = d->kind == BPFH_VK_PKT;
			const struct bpfh_vreg *pkt = pkt_first ? d : &s;
			const struct bpfh_vreg *end = pkt_first ? &s : d;
			enum bpfh_cond n = c;

			/* Normalise to "pkt OP end". */
			if (!pkt_first)
				n = c == BPFH_COND_GT ? BPFH_COND_LT : c == BPFH_COND_GE ? BPFH_COND_LE :
				    c == BPFH_COND_LT ? BPFH_COND_GT : c == BPFH_COND_LE ? BPFH_COND_GE : c;
			switch (n) {
			case BPFH_COND_GT: pkt_bound(fall, pkt, end, false); break;  /* pkt <= end */
			case BPFH_COND_GE: pkt_bound(fall, pkt, end, true); break;   /* pkt < end */
			case BPFH_COND_LT: pkt_bound(taken, pkt, end, true); break;
			case BPFH_COND_LE: pkt_bound(taken, pkt, end, false); break;
			default: break;
			}
		}
		/* Relations: every packet pointer's variable is its address minus data. */
		switch (c) {
		case BPFH_COND_GT:
			bpfh_vrel_pkt_cmp(taken, x, y, 1, INF);
			bpfh_vrel_pkt_cmp(fall, x, y, MIN, 0);
			break;
		case BPFH_COND_GE:
			bpfh_vrel_pkt_cmp(taken, x, y, 0, INF);
			bpfh_vrel_pkt_cmp(fall, x, y, MIN, -1);
			break;
		case BPFH_COND_LT:
			bpfh_vrel_pkt_cmp(taken, x, y, MIN, -1);
			bpfh_vrel_pkt_cmp(fall, x, y, 0, INF);
			break;
		case BPFH_COND_LE:
			bpfh_vrel_pkt_cmp(taken, x, y, MIN, 0);
			bpfh_vrel_pkt_cmp(fall, x, y, 1, INF);
			break;
		case BPFH_COND_EQ:
			bpfh_vrel_pkt_cmp(taken, x, y, 0, 0);
			break;
		default:
			bpfh_vrel_pkt_cmp(fall, x, y, 0, 0);
			break;
		}
		return 0;
	}
	if (!strict(a))
		return 0;
	return fail(a, "comparison not allowed: R%u %s with %s", insn->dst,
		    fmt_reg(d, b1, sizeof(b1)), fmt_reg(&s, b2, sizeof(b2)));
}
