// SPDX-License-Identifier: MIT
/*
 * Branch refinement in the scalar domain: what a conditional jump teaches about its operands on
 * each edge (see bpfh_scalar_branch in scalar.h). The fall-through edge is the taken edge of the
 * negated condition (jset's negation, dst & src == 0, has no jump of its own and is handled
 * here). A 64-bit comparison refines the 64-bit views and the whole tnum; a 32-bit one the
 * 32-bit views and the tnum's low half; the reduction then carries what was learnt to the other
 * components. Every refinement keeps each pair of members that satisfies the condition.
 *
 * It does not decide what to do with an impossible edge; it reports it.
 */
#include "scalar.h"

#include "bits.h"

/* Internal condition: the negation of SET. */
#define COND_NSET BPFH_COND__COUNT

static unsigned negate(enum bpfh_cond c)
{
	switch (c) {
	case BPFH_COND_EQ: return BPFH_COND_NE;
	case BPFH_COND_NE: return BPFH_COND_EQ;
	case BPFH_COND_GT: return BPFH_COND_LE;
	case BPFH_COND_GE: return BPFH_COND_LT;
	case BPFH_COND_LT: return BPFH_COND_GE;
	case BPFH_COND_LE: return BPFH_COND_GT;
	case BPFH_COND_SGT: return BPFH_COND_SLE;
	case BPFH_COND_SGE: return BPFH_COND_SLT;
	case BPFH_COND_SLT: return BPFH_COND_SGE;
	case BPFH_COND_SLE: return BPFH_COND_SGT;
	default: return COND_NSET;
	}
}

/* One width's view of an operand: its interval pair and its tnum (the low half, zero-extended,
 * for 32 bits). */
struct view {
	struct bpfh_ival r;
	struct bpfh_tnum t;
};

static void mark_empty(struct view *v)
{
	v->r = bpfh_ival_bottom();
}

/* Remove the value k from the ends of v's ranges (x != k). */
static void trim(struct view *v, uint64_t k, unsigned w)
{
	int64_t sk = bpfh_sext(k, w);

	if (v->r.umin == k && v->r.umax == k) {
		mark_empty(v);
		return;
	}
	if (v->r.umin == k)
		v->r.umin++;
	else if (v->r.umax == k)
		v->r.umax--;
	if (v->r.smin == sk && v->r.smax == sk) {
		mark_empty(v);
		return;
	}
	if (v->r.smin == sk)
		v->r.smin++;
	else if (v->r.smax == sk)
		v->r.smax--;
}

/* a > b (strict) or a >= b, unsigned. */
static void refine_ugt(struct view *a, struct view *b, bool strict, unsigned w)
{
	uint64_t d = strict ? 1 : 0;

	if (strict && (b->r.umin == bpfh_ival_umax_of(w) || a->r.umax == 0)) {
		mark_empty(a);
		return;
	}
	if (a->r.umin < b->r.umin + d)
		a->r.umin = b->r.umin + d;
	if (b->r.umax > a->r.umax - d)
		b->r.umax = a->r.umax - d;
}

static void refine_sgt(struct view *a, struct view *b, bool strict, unsigned w)
{
	int64_t d = strict ? 1 : 0;

	if (strict && (b->r.smin == bpfh_ival_smax_of(w) || a->r.smax == bpfh_ival_smin_of(w))) {
		mark_empty(a);
		return;
	}
	if (a->r.smin < b->r.smin + d)
		a->r.smin = b->r.smin + d;
	if (b->r.smax > a->r.smax - d)
		b->r.smax = a->r.smax - d;
}

static bool is_single_bit(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* a & b != 0. */
static void refine_set(struct view *a, struct view *b, unsigned w)
{
	uint64_t maybe = (a->t.value | a->t.mask) & (b->t.value | b->t.mask);

	if (!maybe) {
		mark_empty(a);
		return;
	}
	if (a->t.value & b->t.value)
		return; /* always true */
	if (is_single_bit(maybe)) {
		/* only one bit can be common: both have it */
		a->t = bpfh_tnum_meet(a->t, (struct bpfh_tnum){ maybe, ~maybe });
		b->t = bpfh_tnum_meet(b->t, (struct bpfh_tnum){ maybe, ~maybe });
	}
	/* neither operand is 0 */
	trim(a, 0, w);
	trim(b, 0, w);
}

/* a & b == 0: a bit known 1 in one operand is 0 in the other. */
static void refine_nset(struct view *a, struct view *b)
{
	uint64_t av = a->t.value, bv = b->t.value;

	if (av & bv) {
		mark_empty(a);
		return;
	}
	a->t = bpfh_tnum_meet(a->t, (struct bpfh_tnum){ 0, ~bv });
	b->t = bpfh_tnum_meet(b->t, (struct bpfh_tnum){ 0, ~av });
}

static void refine(unsigned c, struct view *a, struct view *b, unsigned w)
{
	struct bpfh_ival m;
	uint64_t k;

	switch (c) {
	case BPFH_COND_EQ:
		m = bpfh_ival_meet(&a->r, &b->r, w);
		a->r = b->r = m;
		a->t = b->t = bpfh_tnum_meet(a->t, b->t);
		break;
	case BPFH_COND_NE:
		if (bpfh_ival_is_const(&b->r)) {
			k = b->r.umin;
			trim(a, k, w);
		}
		if (bpfh_ival_is_const(&a->r)) {
			k = a->r.umin;
			trim(b, k, w);
		}
		break;
	case BPFH_COND_GT: refine_ugt(a, b, true, w); break;
	case BPFH_COND_GE: refine_ugt(a, b, false, w); break;
	case BPFH_COND_LT: refine_ugt(b, a, true, w); break;
	case BPFH_COND_LE: refine_ugt(b, a, false, w); break;
	case BPFH_COND_SGT: refine_sgt(a, b, true, w); break;
	case BPFH_COND_SGE: refine_sgt(a, b, false, w); break;
	case BPFH_COND_SLT: refine_sgt(b, a, true, w); break;
	case BPFH_COND_SLE: refine_sgt(b, a, false, w); break;
	case BPFH_COND_SET: refine_set(a, b, w); break;
	default: refine_nset(a, b); break;
	}
}

static struct view get_view(const struct bpfh_scalar *s, unsigned w)
{
	struct view v;

	v.r = w == 64 ? s->r64 : s->r32;
	v.t = w == 64 ? s->var : bpfh_tnum_subreg(s->var);
	return v;
}

static void put_view(struct bpfh_scalar *s, const struct view *v, unsigned w)
{
	if (w == 64) {
		s->r64 = v->r;
		s->var = v->t;
	} else {
		s->r32 = v->r;
		s->var = bpfh_tnum_with_subreg(s->var, v->t);
	}
}

bool bpfh_scalar_branch(enum bpfh_cond cond, unsigned width, bool taken, struct bpfh_scalar *dst,
			struct bpfh_scalar *src)
{
	struct bpfh_scalar a = *dst, b = *src;
	struct view va, vb;
	unsigned c = taken ? (unsigned)cond : negate(cond);
	bool ok;

	if ((unsigned)cond >= BPFH_COND__COUNT || (width != 64 && width != 32))
		return !bpfh_scalar_is_bottom(dst) && !bpfh_scalar_is_bottom(src);
	if (bpfh_scalar_is_bottom(&a) || bpfh_scalar_is_bottom(&b))
		goto impossible;
	if (c == BPFH_COND_EQ && width == 64) {
		/* equal registers: equal in every component */
		a = b = bpfh_scalar_meet(&a, &b);
	} else {
		va = get_view(&a, width);
		vb = get_view(&b, width);
		refine(c, &va, &vb, width);
		if (bpfh_ival_is_bottom(&va.r) || bpfh_ival_is_bottom(&vb.r) ||
		    bpfh_tnum_is_bottom(va.t) || bpfh_tnum_is_bottom(vb.t))
			goto impossible;
		put_view(&a, &va, width);
		put_view(&b, &vb, width);
	}
	ok = bpfh_scalar_sync(&a);
	ok = bpfh_scalar_sync(&b) && ok;
	if (!ok)
		goto impossible;
	*dst = a;
	*src = b;
	return true;
impossible:
	*dst = bpfh_scalar_bottom();
	*src = bpfh_scalar_bottom();
	return false;
}
