// SPDX-License-Identifier: MIT
/*
 * The scalar domain's values and lattice (see scalar.h): constructors, membership, order, the
 * reduction between the tnum and the two interval pairs, join, meet, widening and narrowing.
 * The transfer functions are in scalar_alu.c, branch refinement in scalar_cond.c.
 *
 * The reduction is the heart of the domain: each step is a sound tightening of one component by
 * another (it never removes a member), and they repeat until nothing changes. It does not know
 * about instructions or registers.
 */
#include "scalar.h"

#include "bits.h"

#define LOW32 UINT64_C(0xffffffff)

static struct bpfh_scalar mk(struct bpfh_tnum var, struct bpfh_ival r64, struct bpfh_ival r32)
{
	struct bpfh_scalar s;

	s.var = var;
	s.r64 = r64;
	s.r32 = r32;
	return s;
}

struct bpfh_scalar bpfh_scalar_bottom(void)
{
	return mk(bpfh_tnum_bottom(), bpfh_ival_bottom(), bpfh_ival_bottom());
}

struct bpfh_scalar bpfh_scalar_unknown(void)
{
	return mk(bpfh_tnum_unknown(), bpfh_ival_top(64), bpfh_ival_top(32));
}

struct bpfh_scalar bpfh_scalar_const(uint64_t v)
{
	return mk(bpfh_tnum_const(v), bpfh_ival_const(v, 64), bpfh_ival_const(v, 32));
}

struct bpfh_scalar bpfh_scalar_from_tnum(struct bpfh_tnum t)
{
	struct bpfh_scalar s = bpfh_scalar_unknown();

	s.var = t;
	bpfh_scalar_sync(&s);
	return s;
}

struct bpfh_scalar bpfh_scalar_urange(uint64_t lo, uint64_t hi)
{
	struct bpfh_scalar s = bpfh_scalar_unknown();

	s.r64.umin = lo;
	s.r64.umax = hi;
	bpfh_scalar_sync(&s);
	return s;
}

struct bpfh_scalar bpfh_scalar_srange(int64_t lo, int64_t hi)
{
	struct bpfh_scalar s = bpfh_scalar_unknown();

	s.r64.smin = lo;
	s.r64.smax = hi;
	bpfh_scalar_sync(&s);
	return s;
}

struct bpfh_scalar bpfh_scalar_u32range(uint32_t lo, uint32_t hi)
{
	struct bpfh_scalar s = bpfh_scalar_unknown();

	s.r32.umin = lo;
	s.r32.umax = hi;
	bpfh_scalar_sync(&s);
	return s;
}

struct bpfh_scalar bpfh_scalar_s32range(int32_t lo, int32_t hi)
{
	struct bpfh_scalar s = bpfh_scalar_unknown();

	s.r32.smin = lo;
	s.r32.smax = hi;
	bpfh_scalar_sync(&s);
	return s;
}

bool bpfh_scalar_is_const(const struct bpfh_scalar *s, uint64_t *v)
{
	if (bpfh_scalar_is_bottom(s))
		return false;
	if (bpfh_tnum_is_const(s->var)) {
		*v = s->var.value;
		return true;
	}
	if (s->r64.umin == s->r64.umax) {
		*v = s->r64.umin;
		return true;
	}
	return false;
}

bool bpfh_scalar_contains(const struct bpfh_scalar *s, uint64_t x)
{
	return bpfh_tnum_contains(s->var, x) && bpfh_ival_contains(&s->r64, x, 64) &&
	       bpfh_ival_contains(&s->r32, x & LOW32, 32);
}

bool bpfh_scalar_eq(const struct bpfh_scalar *a, const struct bpfh_scalar *b)
{
	if (bpfh_scalar_is_bottom(a) || bpfh_scalar_is_bottom(b))
		return bpfh_scalar_is_bottom(a) && bpfh_scalar_is_bottom(b);
	return bpfh_tnum_eq(a->var, b->var) && bpfh_ival_eq(&a->r64, &b->r64) &&
	       bpfh_ival_eq(&a->r32, &b->r32);
}

bool bpfh_scalar_leq(const struct bpfh_scalar *a, const struct bpfh_scalar *b)
{
	if (bpfh_scalar_is_bottom(a))
		return true;
	if (bpfh_scalar_is_bottom(b))
		return false;
	return bpfh_tnum_leq(a->var, b->var) && bpfh_ival_leq(&a->r64, &b->r64) &&
	       bpfh_ival_leq(&a->r32, &b->r32);
}

/* ---- reduction ---- */

/*
 * Tnum and interval pair of one width w (t is the value zero-extended from w bits): the range
 * cuts the tnum to the bits its ends share, and each end moves to the nearest member of the
 * tnum (in its own order: signed ends are found with the sign bit flipped, which maps the
 * signed order onto the unsigned one).
 */
static bool sync_bits(struct bpfh_tnum *t, struct bpfh_ival *r, unsigned w)
{
	uint64_t sb = UINT64_C(1) << (w - 1), m = bpfh_low_mask(w), x;
	struct bpfh_tnum f;

	*t = bpfh_tnum_meet(*t, bpfh_tnum_range(r->umin, r->umax));
	if (bpfh_tnum_is_bottom(*t))
		return false;
	if (!bpfh_tnum_next_ge(*t, r->umin, &r->umin) || !bpfh_tnum_prev_le(*t, r->umax, &r->umax))
		return false;
	f.mask = t->mask;
	f.value = t->value ^ (sb & ~t->mask);
	if (!bpfh_tnum_next_ge(f, (bpfh_s2u(r->smin) & m) ^ sb, &x))
		return false;
	r->smin = bpfh_sext(x ^ sb, w);
	if (!bpfh_tnum_prev_le(f, (bpfh_s2u(r->smax) & m) ^ sb, &x))
		return false;
	r->smax = bpfh_sext(x ^ sb, w);
	return bpfh_ival_sync(r, w);
}

/*
 * The 32-bit ranges constrain the low half of a 64-bit value; move the ends of a 64-bit
 * unsigned range [*lo, *hi] inward to the nearest values whose low half is allowed. The allowed
 * low halves are an interval [a, b] (an unsigned 32-bit range, or a signed one within one sign)
 * or, for a signed range crossing zero, everything but the interval (b, a) between its ends.
 */
static bool fit_in(uint64_t *lo, uint64_t *hi, uint64_t a, uint64_t b)
{
	uint64_t l = *lo & LOW32, h = *hi & LOW32;
	uint64_t lbase = *lo - l, hbase = *hi - h;

	if (l < a) {
		*lo = lbase + a;
	} else if (l > b) {
		if (lbase == ~LOW32)
			return false;
		*lo = lbase + LOW32 + 1 + a;
	}
	if (h > b) {
		*hi = hbase + b;
	} else if (h < a) {
		if (hbase == 0)
			return false;
		*hi = hbase - LOW32 - 1 + b;
	}
	return *lo <= *hi;
}

/* Low halves in [f1, f2] forbidden (0 < f1 <= f2 < 2^32 - 1). */
static bool fit_out(uint64_t *lo, uint64_t *hi, uint64_t f1, uint64_t f2)
{
	uint64_t l = *lo & LOW32, h = *hi & LOW32;

	if (l >= f1 && l <= f2)
		*lo = *lo - l + f2 + 1;
	if (h >= f1 && h <= f2)
		*hi = *hi - h + f1 - 1;
	return *lo <= *hi;
}

static bool fit32(uint64_t *lo, uint64_t *hi, const struct bpfh_ival *r32)
{
	uint64_t sa = bpfh_s2u(r32->smin) & LOW32, sb = bpfh_s2u(r32->smax) & LOW32;

	if (!fit_in(lo, hi, r32->umin, r32->umax))
		return false;
	if (r32->smin >= 0 || r32->smax < 0)
		return fit_in(lo, hi, sa, sb);
	if (sb + 1 <= sa - 1)
		return fit_out(lo, hi, sb + 1, sa - 1);
	return true;
}

/* 32-bit ranges to 64-bit ones; signed 64-bit ranges are handled as unsigned ones with bit 63
 * flipped, which keeps the low half. */
static bool sync_32_to_64(struct bpfh_ival *r64, const struct bpfh_ival *r32)
{
	uint64_t lo, hi;

	if (!fit32(&r64->umin, &r64->umax, r32))
		return false;
	lo = bpfh_s2u(r64->smin) ^ BPFH_SIGN64;
	hi = bpfh_s2u(r64->smax) ^ BPFH_SIGN64;
	if (!fit32(&lo, &hi, r32))
		return false;
	r64->smin = bpfh_u2s(lo ^ BPFH_SIGN64);
	r64->smax = bpfh_u2s(hi ^ BPFH_SIGN64);
	return true;
}

static bool sync_once(struct bpfh_scalar *s)
{
	struct bpfh_ival low;
	struct bpfh_tnum t32;

	if (!bpfh_ival_sync(&s->r64, 64) || !bpfh_ival_sync(&s->r32, 32))
		return false;
	low = bpfh_ival_low_bits(&s->r64, 64, 32);
	s->r32 = bpfh_ival_meet(&s->r32, &low, 32);
	if (bpfh_ival_is_bottom(&s->r32))
		return false;
	if (!sync_32_to_64(&s->r64, &s->r32) || !bpfh_ival_sync(&s->r64, 64))
		return false;
	if (!sync_bits(&s->var, &s->r64, 64))
		return false;
	t32 = bpfh_tnum_subreg(s->var);
	if (!sync_bits(&t32, &s->r32, 32))
		return false;
	s->var = bpfh_tnum_with_subreg(s->var, t32);
	return true;
}

bool bpfh_scalar_sync(struct bpfh_scalar *s)
{
	struct bpfh_scalar old;
	unsigned round;

	if (bpfh_scalar_is_bottom(s))
		goto empty;
	/* A constant as bpfh_scalar_const makes it has one member and every component exact,
	 * and the unknown value no component can tighten: nothing changes them (together two
	 * thirds of the calls). */
	if (s->var.mask == 0) {
		struct bpfh_scalar c = bpfh_scalar_const(s->var.value);

		if (bpfh_ival_eq(&c.r64, &s->r64) && bpfh_ival_eq(&c.r32, &s->r32))
			return true;
	} else if (s->var.mask == UINT64_MAX) {
		struct bpfh_scalar u = bpfh_scalar_unknown();

		if (bpfh_ival_eq(&u.r64, &s->r64) && bpfh_ival_eq(&u.r32, &s->r32))
			return true;
	}
	/* Each round only tightens; in practice two or three reach the fixpoint. The bound is a
	 * guard: stopping early is still sound. */
	for (round = 0; round < 32; round++) {
		old = *s;
		if (!sync_once(s))
			goto empty;
		if (bpfh_scalar_eq(&old, s))
			break;
	}
	return true;
empty:
	*s = bpfh_scalar_bottom();
	return false;
}

/* ---- lattice ---- */

struct bpfh_scalar bpfh_scalar_join(const struct bpfh_scalar *a, const struct bpfh_scalar *b)
{
	struct bpfh_scalar r;

	if (bpfh_scalar_is_bottom(a))
		return bpfh_scalar_is_bottom(b) ? bpfh_scalar_bottom() : *b;
	if (bpfh_scalar_is_bottom(b))
		return *a;
	r = mk(bpfh_tnum_join(a->var, b->var), bpfh_ival_join(&a->r64, &b->r64, 64),
	       bpfh_ival_join(&a->r32, &b->r32, 32));
	bpfh_scalar_sync(&r);
	return r;
}

struct bpfh_scalar bpfh_scalar_meet(const struct bpfh_scalar *a, const struct bpfh_scalar *b)
{
	struct bpfh_scalar r;

	if (bpfh_scalar_is_bottom(a) || bpfh_scalar_is_bottom(b))
		return bpfh_scalar_bottom();
	r = mk(bpfh_tnum_meet(a->var, b->var), bpfh_ival_meet(&a->r64, &b->r64, 64),
	       bpfh_ival_meet(&a->r32, &b->r32, 32));
	bpfh_scalar_sync(&r);
	return r;
}

struct bpfh_scalar bpfh_scalar_widen(const struct bpfh_scalar *a, const struct bpfh_scalar *b,
				     const int64_t *thr, size_t nthr)
{
	if (bpfh_scalar_is_bottom(a))
		return bpfh_scalar_is_bottom(b) ? bpfh_scalar_bottom() : *b;
	if (bpfh_scalar_is_bottom(b))
		return *a;
	return mk(bpfh_tnum_widen(a->var, b->var), bpfh_ival_widen(&a->r64, &b->r64, 64, thr, nthr),
		  bpfh_ival_widen(&a->r32, &b->r32, 32, thr, nthr));
}

struct bpfh_scalar bpfh_scalar_narrow(const struct bpfh_scalar *a, const struct bpfh_scalar *b,
				      const int64_t *thr, size_t nthr)
{
	struct bpfh_scalar r;

	if (bpfh_scalar_is_bottom(a) || bpfh_scalar_is_bottom(b))
		return bpfh_scalar_bottom();
	r = mk(bpfh_tnum_meet(a->var, b->var), bpfh_ival_narrow(&a->r64, &b->r64, 64, thr, nthr),
	       bpfh_ival_narrow(&a->r32, &b->r32, 32, thr, nthr));
	if (bpfh_scalar_is_bottom(&r))
		return bpfh_scalar_bottom();
	return r;
}
