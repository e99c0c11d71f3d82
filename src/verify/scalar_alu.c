// SPDX-License-Identifier: MIT
/*
 * Transfer functions of the scalar domain: the abstract effect of every ALU instruction on a
 * register holding a number (see scalar.h for the semantics). Each builds the result's tnum and
 * interval pairs from the operands' with the component libraries (tnum.c, interval.c) and
 * reduces it. Where the low half of a 64-bit result depends only on the operands' low halves
 * (add, sub, mul, neg, the bitwise operations, left shifts by less than 32) the 32-bit view is
 * computed by the 32-bit operation too, which keeps what the 32-bit ranges knew.
 *
 * It does not decode instructions or know registers: the verifier maps an instruction to an
 * operation, a width and two scalars.
 */
#include "scalar.h"

#include "bits.h"

static struct bpfh_scalar mk(struct bpfh_tnum var, struct bpfh_ival r64, struct bpfh_ival r32)
{
	struct bpfh_scalar s;

	s.var = var;
	s.r64 = r64;
	s.r32 = r32;
	bpfh_scalar_sync(&s);
	return s;
}

/* A 32-bit result in the register: the tnum's high half known 0, the 64-bit view the 32-bit
 * unsigned range. */
static struct bpfh_scalar zext32(struct bpfh_tnum var32, struct bpfh_ival r32)
{
	struct bpfh_ival r64;

	if (bpfh_ival_is_bottom(&r32))
		return bpfh_scalar_bottom();
	r64.umin = r32.umin;
	r64.umax = r32.umax;
	r64.smin = (int64_t)r32.umin;
	r64.smax = (int64_t)r32.umax;
	return mk(bpfh_tnum_cast(var32, 4), r64, r32);
}

/* The low k bits of s (k = 8, 16 or 32) as a k-bit pair: what both views say of them. */
static struct bpfh_ival low_bits(const struct bpfh_scalar *s, unsigned k)
{
	struct bpfh_ival a, b;

	if (k == 32)
		return s->r32;
	a = bpfh_ival_low_bits(&s->r64, 64, k);
	b = bpfh_ival_low_bits(&s->r32, 32, k);
	return bpfh_ival_meet(&a, &b, k);
}

/* movsx: src's low k bits sign-extended to 64 bits. */
static struct bpfh_scalar sext(const struct bpfh_scalar *src, unsigned k)
{
	struct bpfh_ival low = low_bits(src, k), r64 = bpfh_ival_top(64), r32 = bpfh_ival_top(32);

	if (bpfh_ival_is_bottom(&low))
		return bpfh_scalar_bottom();
	r64.smin = low.smin;
	r64.smax = low.smax;
	if (k == 32) {
		r32 = src->r32; /* the low half is unchanged */
	} else {
		r32.smin = low.smin;
		r32.smax = low.smax;
	}
	return mk(bpfh_tnum_sext(src->var, k), r64, r32);
}

/* le16/le32 on a little-endian host: the low k bits zero-extended. */
static struct bpfh_scalar trunc_low(const struct bpfh_scalar *dst, unsigned k)
{
	struct bpfh_ival low, r;

	if (k == 64)
		return *dst;
	if (k == 32)
		return zext32(dst->var, dst->r32);
	low = low_bits(dst, k);
	if (bpfh_ival_is_bottom(&low))
		return bpfh_scalar_bottom();
	r.umin = low.umin;
	r.umax = low.umax;
	r.smin = (int64_t)low.umin;
	r.smax = (int64_t)low.umax;
	return mk(bpfh_tnum_cast(dst->var, k / 8), r, r);
}

/* The range and tnum of a shift count masked to w - 1: [*cmin, *cmax] and *cnt. */
static void shift_count(const struct bpfh_scalar *src, unsigned w, unsigned *cmin, unsigned *cmax,
			struct bpfh_tnum *cnt)
{
	const struct bpfh_ival *r = w == 64 ? &src->r64 : &src->r32;

	*cnt = bpfh_tnum_and(src->var, bpfh_tnum_const(w - 1));
	*cmin = (unsigned)bpfh_tnum_umin(*cnt);
	*cmax = (unsigned)bpfh_tnum_umax(*cnt);
	if (r->umax <= w - 1) {
		/* the count needs no masking: its range applies as it is */
		if (r->umin > *cmin)
			*cmin = (unsigned)r->umin;
		if (r->umax < *cmax)
			*cmax = (unsigned)r->umax;
	}
}

/* The tnum of t shifted by every count c in [cmin, cmax] the tnum cnt allows, joined. */
static struct bpfh_tnum tnum_shift(struct bpfh_tnum t, enum bpfh_alu op, unsigned cmin,
				   unsigned cmax, struct bpfh_tnum cnt)
{
	struct bpfh_tnum r = bpfh_tnum_bottom();
	unsigned c;

	for (c = cmin; c <= cmax; c++) {
		if (!bpfh_tnum_contains(cnt, c))
			continue;
		if (op == BPFH_ALU_LSH)
			r = bpfh_tnum_join(r, bpfh_tnum_lshift(t, c));
		else if (op == BPFH_ALU_RSH)
			r = bpfh_tnum_join(r, bpfh_tnum_rshift(t, c));
		else
			r = bpfh_tnum_join(r, bpfh_tnum_arshift(t, c));
	}
	return r;
}

static struct bpfh_scalar shift64(enum bpfh_alu op, const struct bpfh_scalar *dst,
				  const struct bpfh_scalar *src)
{
	struct bpfh_tnum cnt;
	struct bpfh_ival r64, r32 = bpfh_ival_top(32);
	unsigned cmin, cmax;

	shift_count(src, 64, &cmin, &cmax, &cnt);
	if (cmin > cmax)
		return bpfh_scalar_bottom();
	if (op == BPFH_ALU_LSH) {
		r64 = bpfh_ival_shl(&dst->r64, cmin, cmax, 64);
		/* below 32, the low half of x << c is the low half of x shifted */
		if (cmax < 32)
			r32 = bpfh_ival_shl(&dst->r32, cmin, cmax, 32);
	} else if (op == BPFH_ALU_RSH) {
		r64 = bpfh_ival_shr(&dst->r64, cmin, cmax, 64);
	} else {
		r64 = bpfh_ival_sar(&dst->r64, cmin, cmax, 64);
	}
	return mk(tnum_shift(dst->var, op, cmin, cmax, cnt), r64, r32);
}

static struct bpfh_scalar shift32(enum bpfh_alu op, const struct bpfh_scalar *dst,
				  const struct bpfh_scalar *src)
{
	struct bpfh_tnum cnt, t = bpfh_tnum_subreg(dst->var);
	struct bpfh_ival r32;
	unsigned cmin, cmax;

	shift_count(src, 32, &cmin, &cmax, &cnt);
	if (cmin > cmax)
		return bpfh_scalar_bottom();
	if (op == BPFH_ALU_LSH) {
		r32 = bpfh_ival_shl(&dst->r32, cmin, cmax, 32);
	} else if (op == BPFH_ALU_RSH) {
		r32 = bpfh_ival_shr(&dst->r32, cmin, cmax, 32);
	} else {
		r32 = bpfh_ival_sar(&dst->r32, cmin, cmax, 32);
		t = bpfh_tnum_sext(t, 32); /* shift in copies of bit 31 */
	}
	return zext32(tnum_shift(t, op, cmin, cmax, cnt), r32);
}

static struct bpfh_scalar alu64(enum bpfh_alu op, const struct bpfh_scalar *a,
				const struct bpfh_scalar *b)
{
	struct bpfh_tnum unk = bpfh_tnum_unknown();
	struct bpfh_ival top32 = bpfh_ival_top(32);

	switch (op) {
	case BPFH_ALU_ADD:
		return mk(bpfh_tnum_add(a->var, b->var), bpfh_ival_add(&a->r64, &b->r64, 64),
			  bpfh_ival_add(&a->r32, &b->r32, 32));
	case BPFH_ALU_SUB:
		return mk(bpfh_tnum_sub(a->var, b->var), bpfh_ival_sub(&a->r64, &b->r64, 64),
			  bpfh_ival_sub(&a->r32, &b->r32, 32));
	case BPFH_ALU_MUL:
		return mk(bpfh_tnum_mul(a->var, b->var), bpfh_ival_mul(&a->r64, &b->r64, 64),
			  bpfh_ival_mul(&a->r32, &b->r32, 32));
	case BPFH_ALU_DIV:
		return mk(unk, bpfh_ival_udiv(&a->r64, &b->r64, 64), top32);
	case BPFH_ALU_SDIV:
		return mk(unk, bpfh_ival_sdiv(&a->r64, &b->r64, 64), top32);
	case BPFH_ALU_MOD:
		return mk(unk, bpfh_ival_umod(&a->r64, &b->r64, 64), top32);
	case BPFH_ALU_SMOD:
		return mk(unk, bpfh_ival_smod(&a->r64, &b->r64, 64), top32);
	case BPFH_ALU_OR:
		return mk(bpfh_tnum_or(a->var, b->var), bpfh_ival_or(&a->r64, &b->r64, 64),
			  bpfh_ival_or(&a->r32, &b->r32, 32));
	case BPFH_ALU_AND:
		return mk(bpfh_tnum_and(a->var, b->var), bpfh_ival_and(&a->r64, &b->r64, 64),
			  bpfh_ival_and(&a->r32, &b->r32, 32));
	case BPFH_ALU_XOR:
		return mk(bpfh_tnum_xor(a->var, b->var), bpfh_ival_xor(&a->r64, &b->r64, 64),
			  bpfh_ival_xor(&a->r32, &b->r32, 32));
	case BPFH_ALU_LSH:
	case BPFH_ALU_RSH:
	case BPFH_ALU_ARSH:
		return shift64(op, a, b);
	case BPFH_ALU_NEG:
		return mk(bpfh_tnum_neg(a->var), bpfh_ival_neg(&a->r64, 64),
			  bpfh_ival_neg(&a->r32, 32));
	case BPFH_ALU_MOV:
		return *b;
	case BPFH_ALU_MOVSX8:
		return sext(b, 8);
	case BPFH_ALU_MOVSX16:
		return sext(b, 16);
	case BPFH_ALU_MOVSX32:
		return sext(b, 32);
	default:
		return bpfh_scalar_unknown();
	}
}

static struct bpfh_scalar alu32(enum bpfh_alu op, const struct bpfh_scalar *a,
				const struct bpfh_scalar *b)
{
	struct bpfh_tnum ta = bpfh_tnum_subreg(a->var), tb;
	struct bpfh_tnum unk = bpfh_tnum_cast(bpfh_tnum_unknown(), 4);
	struct bpfh_scalar s;

	tb = b ? bpfh_tnum_subreg(b->var) : unk;
	switch (op) {
	case BPFH_ALU_ADD:
		return zext32(bpfh_tnum_add(ta, tb), bpfh_ival_add(&a->r32, &b->r32, 32));
	case BPFH_ALU_SUB:
		return zext32(bpfh_tnum_sub(ta, tb), bpfh_ival_sub(&a->r32, &b->r32, 32));
	case BPFH_ALU_MUL:
		return zext32(bpfh_tnum_mul(ta, tb), bpfh_ival_mul(&a->r32, &b->r32, 32));
	case BPFH_ALU_DIV:
		return zext32(unk, bpfh_ival_udiv(&a->r32, &b->r32, 32));
	case BPFH_ALU_SDIV:
		return zext32(unk, bpfh_ival_sdiv(&a->r32, &b->r32, 32));
	case BPFH_ALU_MOD:
		return zext32(unk, bpfh_ival_umod(&a->r32, &b->r32, 32));
	case BPFH_ALU_SMOD:
		return zext32(unk, bpfh_ival_smod(&a->r32, &b->r32, 32));
	case BPFH_ALU_OR:
		return zext32(bpfh_tnum_or(ta, tb), bpfh_ival_or(&a->r32, &b->r32, 32));
	case BPFH_ALU_AND:
		return zext32(bpfh_tnum_and(ta, tb), bpfh_ival_and(&a->r32, &b->r32, 32));
	case BPFH_ALU_XOR:
		return zext32(bpfh_tnum_xor(ta, tb), bpfh_ival_xor(&a->r32, &b->r32, 32));
	case BPFH_ALU_LSH:
	case BPFH_ALU_RSH:
	case BPFH_ALU_ARSH:
		return shift32(op, a, b);
	case BPFH_ALU_NEG:
		return zext32(bpfh_tnum_neg(ta), bpfh_ival_neg(&a->r32, 32));
	case BPFH_ALU_MOV:
		return zext32(tb, b->r32);
	case BPFH_ALU_MOVSX8:
	case BPFH_ALU_MOVSX16:
		s = sext(b, op == BPFH_ALU_MOVSX8 ? 8 : 16);
		return zext32(s.var, s.r32);
	default:
		return bpfh_scalar_unknown();
	}
}

/* The ISA's semantics on concrete values, for constant operands: the ranges' reasoning is
 * sound but not always exact (remainders), and constants should fold exactly. */
static uint64_t eval(enum bpfh_alu op, unsigned w, uint64_t x, uint64_t y)
{
	uint64_t m = bpfh_low_mask(w);
	unsigned c = (unsigned)(y & (w - 1));

	x &= m;
	y &= m;
	switch (op) {
	case BPFH_ALU_DIV:
		return y ? x / y : 0;
	case BPFH_ALU_MOD:
		return y ? x % y : x;
	case BPFH_ALU_SDIV:
		if (!y)
			return 0;
		if (y == m) /* -1: negation, INT_MIN / -1 = INT_MIN */
			return (0 - x) & m;
		return bpfh_s2u(bpfh_sext(x, w) / bpfh_sext(y, w)) & m;
	case BPFH_ALU_SMOD:
		if (!y)
			return x;
		if (y == m)
			return 0;
		return bpfh_s2u(bpfh_sext(x, w) % bpfh_sext(y, w)) & m;
	case BPFH_ALU_LSH:
		return (x << c) & m;
	case BPFH_ALU_RSH:
		return x >> c;
	case BPFH_ALU_ARSH:
		return bpfh_s2u(bpfh_asr(bpfh_sext(x, w), c)) & m;
	default:
		return 0;
	}
}

static bool const_view(const struct bpfh_scalar *s, unsigned w, uint64_t *v)
{
	const struct bpfh_ival *r = w == 64 ? &s->r64 : &s->r32;

	*v = r->umin;
	return r->umin == r->umax;
}

struct bpfh_scalar bpfh_scalar_alu(enum bpfh_alu op, unsigned width, const struct bpfh_scalar *dst,
				   const struct bpfh_scalar *src)
{
	uint64_t x, y;

	bool unary = op == BPFH_ALU_NEG || (op >= BPFH_ALU_TRUNC16 && op <= BPFH_ALU_BSWAP64);

	if ((unsigned)op >= BPFH_ALU__COUNT || (!unary && !src))
		return bpfh_scalar_unknown();
	if (bpfh_scalar_is_bottom(dst) || (!unary && bpfh_scalar_is_bottom(src)))
		return bpfh_scalar_bottom();
	switch (op) {
	case BPFH_ALU_TRUNC16:
		return trunc_low(dst, 16);
	case BPFH_ALU_TRUNC32:
		return trunc_low(dst, 32);
	case BPFH_ALU_TRUNC64:
		return trunc_low(dst, 64);
	case BPFH_ALU_BSWAP16:
		return bpfh_scalar_from_tnum(bpfh_tnum_bswap(dst->var, 2));
	case BPFH_ALU_BSWAP32:
		return bpfh_scalar_from_tnum(bpfh_tnum_bswap(dst->var, 4));
	case BPFH_ALU_BSWAP64:
		return bpfh_scalar_from_tnum(bpfh_tnum_bswap(dst->var, 8));
	default:
		break;
	}
	if ((width == 64 || width == 32) && op >= BPFH_ALU_DIV && op <= BPFH_ALU_ARSH &&
	    op != BPFH_ALU_OR && op != BPFH_ALU_AND && op != BPFH_ALU_XOR &&
	    const_view(dst, width, &x) && const_view(src, width, &y))
		return bpfh_scalar_const(eval(op, width, x, y));
	if (width == 64)
		return alu64(op, dst, src);
	if (width == 32 && op != BPFH_ALU_MOVSX32)
		return alu32(op, dst, src);
	return bpfh_scalar_unknown();
}
