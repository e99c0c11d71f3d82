// SPDX-License-Identifier: MIT
/*
 * Interval pairs: unsigned and signed ranges of one W-bit word (see interval.h). Each transfer
 * function reasons about the exact mathematical results of its operands' ends and wraps them
 * modulo 2^W only when every result wraps the same number of times; otherwise the view is
 * unknown and the other view (or the scalar domain's tnum) has to say more. All arithmetic on
 * the ends is done without C overflow: in 64 bits with carries checked for W = 64, exactly in
 * 64 bits for smaller W.
 *
 * It does not reduce against bits or the other width: that is scalar.c's sync.
 */
#include "interval.h"

#include "bits.h"

uint64_t bpfh_ival_umax_of(unsigned w)
{
	return bpfh_low_mask(w);
}

int64_t bpfh_ival_smax_of(unsigned w)
{
	return (int64_t)bpfh_low_mask(w - 1);
}

int64_t bpfh_ival_smin_of(unsigned w)
{
	return -bpfh_ival_smax_of(w) - 1;
}

static uint64_t umaxw(unsigned w)
{
	return bpfh_low_mask(w);
}

static int64_t smaxw(unsigned w)
{
	return bpfh_ival_smax_of(w);
}

static int64_t sminw(unsigned w)
{
	return bpfh_ival_smin_of(w);
}

static uint64_t umin64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t umax64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static int64_t smin64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t smax64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* |x| as an unsigned number (2^63 for INT64_MIN). */
static uint64_t mag(int64_t x)
{
	return x < 0 ? 0 - bpfh_s2u(x) : bpfh_s2u(x);
}

static struct bpfh_ival mkival(uint64_t umin, uint64_t umax, int64_t smin, int64_t smax)
{
	struct bpfh_ival r = { umin, umax, smin, smax };

	return r;
}

struct bpfh_ival bpfh_ival_top(unsigned w)
{
	return mkival(0, umaxw(w), sminw(w), smaxw(w));
}

struct bpfh_ival bpfh_ival_const(uint64_t v, unsigned w)
{
	v &= umaxw(w);
	return mkival(v, v, bpfh_sext(v, w), bpfh_sext(v, w));
}

struct bpfh_ival bpfh_ival_urange(uint64_t lo, uint64_t hi, unsigned w)
{
	struct bpfh_ival r = mkival(lo, hi, sminw(w), smaxw(w));

	bpfh_ival_sync(&r, w);
	return r;
}

struct bpfh_ival bpfh_ival_srange(int64_t lo, int64_t hi, unsigned w)
{
	struct bpfh_ival r = mkival(0, umaxw(w), lo, hi);

	bpfh_ival_sync(&r, w);
	return r;
}

bool bpfh_ival_contains(const struct bpfh_ival *a, uint64_t x, unsigned w)
{
	int64_t s;

	if (bpfh_ival_is_bottom(a))
		return false;
	x &= umaxw(w);
	s = bpfh_sext(x, w);
	return a->umin <= x && x <= a->umax && a->smin <= s && s <= a->smax;
}

bool bpfh_ival_leq(const struct bpfh_ival *a, const struct bpfh_ival *b)
{
	if (bpfh_ival_is_bottom(a))
		return true;
	if (bpfh_ival_is_bottom(b))
		return false;
	return b->umin <= a->umin && a->umax <= b->umax && b->smin <= a->smin &&
	       a->smax <= b->smax;
}

bool bpfh_ival_sync(struct bpfh_ival *a, unsigned w)
{
	uint64_t lo, hi, p1lo, p1hi, p2lo, p2hi;
	bool p1, p2;

	if (bpfh_ival_is_bottom(a))
		goto empty;
	if (a->smin >= 0 || a->smax < 0) {
		/* The signed range lies in one half, where both orders agree: intersect. */
		lo = umax64(a->umin, bpfh_s2u(a->smin) & umaxw(w));
		hi = umin64(a->umax, bpfh_s2u(a->smax) & umaxw(w));
		if (lo > hi)
			goto empty;
		*a = mkival(lo, hi, bpfh_sext(lo, w), bpfh_sext(hi, w));
		return true;
	}
	/* The signed range crosses zero: as unsigned numbers it is [0, smax] (the non-negative
	 * part) and [smin, 2^W - 1] (the negative part). Intersect each with [umin, umax]. */
	p1lo = a->umin;
	p1hi = umin64(a->umax, (uint64_t)a->smax);
	p1 = p1lo <= p1hi;
	p2lo = umax64(a->umin, bpfh_s2u(a->smin) & umaxw(w));
	p2hi = a->umax;
	p2 = p2lo <= p2hi;
	if (p1 && p2)
		*a = mkival(p1lo, p2hi, bpfh_sext(p2lo, w), (int64_t)p1hi);
	else if (p1)
		*a = mkival(p1lo, p1hi, (int64_t)p1lo, (int64_t)p1hi);
	else if (p2)
		*a = mkival(p2lo, p2hi, bpfh_sext(p2lo, w), bpfh_sext(p2hi, w));
	else
		goto empty;
	return true;
empty:
	*a = bpfh_ival_bottom();
	return false;
}

struct bpfh_ival bpfh_ival_join(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	struct bpfh_ival r;

	if (bpfh_ival_is_bottom(a))
		return bpfh_ival_is_bottom(b) ? bpfh_ival_bottom() : *b;
	if (bpfh_ival_is_bottom(b))
		return *a;
	r = mkival(umin64(a->umin, b->umin), umax64(a->umax, b->umax), smin64(a->smin, b->smin),
		   smax64(a->smax, b->smax));
	bpfh_ival_sync(&r, w);
	return r;
}

struct bpfh_ival bpfh_ival_meet(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	struct bpfh_ival r;

	if (bpfh_ival_is_bottom(a) || bpfh_ival_is_bottom(b))
		return bpfh_ival_bottom();
	r = mkival(umax64(a->umin, b->umin), umin64(a->umax, b->umax), smax64(a->smin, b->smin),
		   smin64(a->smax, b->smax));
	bpfh_ival_sync(&r, w);
	return r;
}

/* ---- widening and narrowing ---- */

/* Built-in thresholds: magnitudes around the sizes programs test against (bytes, 16-bit
 * fields, 31/32-bit and 63/64-bit limits), taken with both signs where they fit. */
static const uint64_t builtin_thr[] = {
	0, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
	UINT64_C(0x7fffffffffffffff), UINT64_C(0x8000000000000000), UINT64_MAX,
};
#define NBUILTIN (sizeof(builtin_thr) / sizeof(builtin_thr[0]))

/* Candidate i (of NBUILTIN * 2 + nthr) as an unsigned W-bit bound; false if it does not fit. */
static bool cand_u(size_t i, unsigned w, const int64_t *thr, size_t nthr, uint64_t *out)
{
	if (i < NBUILTIN) {
		*out = builtin_thr[i];
		return *out <= umaxw(w);
	}
	i -= NBUILTIN;
	if (i >= nthr)
		return false;
	/* a negative constant compared unsigned is the W-bit word of the same bits */
	if (thr[i] < sminw(w) || (thr[i] > 0 && (uint64_t)thr[i] > umaxw(w)))
		return false;
	*out = bpfh_s2u(thr[i]) & umaxw(w);
	return true;
}

static bool cand_s(size_t i, unsigned w, const int64_t *thr, size_t nthr, int64_t *out)
{
	if (i < 2 * NBUILTIN) {
		uint64_t m = builtin_thr[i % NBUILTIN];

		if (m > (uint64_t)smaxw(w) + 1)
			return false;
		if (i < NBUILTIN) {
			if (m > (uint64_t)smaxw(w))
				return false;
			*out = (int64_t)m;
		} else {
			*out = m == (uint64_t)smaxw(w) + 1 ? sminw(w) : -(int64_t)m;
		}
		return true;
	}
	i -= 2 * NBUILTIN;
	if (i >= nthr || thr[i] < sminw(w) || thr[i] > smaxw(w))
		return false;
	*out = thr[i];
	return true;
}

/* Smallest candidate >= x (up) or largest <= x (down); the word's limits are candidates. */
static uint64_t thr_u(uint64_t x, bool up, unsigned w, const int64_t *thr, size_t nthr)
{
	uint64_t best = up ? umaxw(w) : 0, c;
	size_t i;

	for (i = 0; i < NBUILTIN + nthr; i++) {
		if (!cand_u(i, w, thr, nthr, &c))
			continue;
		if (up && c >= x && c < best)
			best = c;
		if (!up && c <= x && c > best)
			best = c;
	}
	return best;
}

static int64_t thr_s(int64_t x, bool up, unsigned w, const int64_t *thr, size_t nthr)
{
	int64_t best = up ? smaxw(w) : sminw(w), c;
	size_t i;

	for (i = 0; i < 2 * NBUILTIN + nthr; i++) {
		if (!cand_s(i, w, thr, nthr, &c))
			continue;
		if (up && c >= x && c < best)
			best = c;
		if (!up && c <= x && c > best)
			best = c;
	}
	return best;
}

static bool is_cand_u(uint64_t x, unsigned w, const int64_t *thr, size_t nthr)
{
	return thr_u(x, true, w, thr, nthr) == x;
}

static bool is_cand_s(int64_t x, unsigned w, const int64_t *thr, size_t nthr)
{
	return thr_s(x, true, w, thr, nthr) == x;
}

struct bpfh_ival bpfh_ival_widen(const struct bpfh_ival *a, const struct bpfh_ival *b,
				 unsigned w, const int64_t *thr, size_t nthr)
{
	struct bpfh_ival r;

	if (bpfh_ival_is_bottom(a))
		return bpfh_ival_is_bottom(b) ? bpfh_ival_bottom() : *b;
	if (bpfh_ival_is_bottom(b))
		return *a;
	r.umin = b->umin >= a->umin ? a->umin : thr_u(b->umin, false, w, thr, nthr);
	r.umax = b->umax <= a->umax ? a->umax : thr_u(b->umax, true, w, thr, nthr);
	r.smin = b->smin >= a->smin ? a->smin : thr_s(b->smin, false, w, thr, nthr);
	r.smax = b->smax <= a->smax ? a->smax : thr_s(b->smax, true, w, thr, nthr);
	return r;
}

struct bpfh_ival bpfh_ival_narrow(const struct bpfh_ival *a, const struct bpfh_ival *b,
				  unsigned w, const int64_t *thr, size_t nthr)
{
	struct bpfh_ival r = *a;

	if (bpfh_ival_is_bottom(a) || bpfh_ival_is_bottom(b))
		return bpfh_ival_bottom();
	/* Only bounds a widening could have produced are refined, and only ever tightened, so
	 * each bound changes at most once per threshold. */
	if (is_cand_u(a->umin, w, thr, nthr))
		r.umin = umax64(a->umin, b->umin);
	if (is_cand_u(a->umax, w, thr, nthr))
		r.umax = umin64(a->umax, b->umax);
	if (is_cand_s(a->smin, w, thr, nthr))
		r.smin = smax64(a->smin, b->smin);
	if (is_cand_s(a->smax, w, thr, nthr))
		r.smax = smin64(a->smax, b->smax);
	if (bpfh_ival_is_bottom(&r))
		return bpfh_ival_bottom();
	return r;
}

/* ---- exact arithmetic on the ends ---- */

/* x + y for W-bit unsigned x, y: the wrapped sum and the number of wraps (0 or 1). */
static int add_u(uint64_t x, uint64_t y, unsigned w, uint64_t *r)
{
	uint64_t s = x + y;

	if (w == 64) {
		*r = s;
		return s < x;
	}
	*r = s & umaxw(w);
	return (int)(s >> w);
}

/* x - y: the wrapped difference and whether it wrapped below 0. */
static int sub_u(uint64_t x, uint64_t y, unsigned w, uint64_t *r)
{
	*r = (x - y) & umaxw(w);
	return x < y;
}

/* x + y for W-bit signed x, y: the wrapped sum and -1, 0 or 1 for below, inside or above the
 * W-bit range. */
static int add_s(int64_t x, int64_t y, unsigned w, int64_t *r)
{
	int64_t t;

	if (w == 64) {
		*r = bpfh_u2s(bpfh_s2u(x) + bpfh_s2u(y));
		if (x >= 0 && y >= 0 && *r < 0)
			return 1;
		if (x < 0 && y < 0 && *r >= 0)
			return -1;
		return 0;
	}
	t = x + y;
	*r = bpfh_sext(bpfh_s2u(t), w);
	return t > smaxw(w) ? 1 : t < sminw(w) ? -1 : 0;
}

static int sub_s(int64_t x, int64_t y, unsigned w, int64_t *r)
{
	int64_t t;

	if (w == 64) {
		*r = bpfh_u2s(bpfh_s2u(x) - bpfh_s2u(y));
		if (x >= 0 && y < 0 && *r < 0)
			return 1;
		if (x < 0 && y >= 0 && *r >= 0)
			return -1;
		return 0;
	}
	t = x - y;
	*r = bpfh_sext(bpfh_s2u(t), w);
	return t > smaxw(w) ? 1 : t < sminw(w) ? -1 : 0;
}

/* x * y for W-bit signed x, y, if it fits in W bits. */
static bool mul_s(int64_t x, int64_t y, unsigned w, int64_t *r)
{
	uint64_t mx = mag(x), my = mag(y), p;
	bool neg = (x < 0) != (y < 0);

	if (mx && my > UINT64_MAX / mx)
		return false;
	p = mx * my;
	if (p > (uint64_t)smaxw(w) + (neg ? 1 : 0))
		return false;
	*r = neg ? bpfh_u2s(0 - p) : (int64_t)p;
	return true;
}

/* Result assembly: a pair from an unsigned and a signed range (either may be the top), then
 * reduced. */
static struct bpfh_ival finish(uint64_t umin, uint64_t umax, int64_t smin, int64_t smax,
			       unsigned w)
{
	struct bpfh_ival r = mkival(umin, umax, smin, smax);

	bpfh_ival_sync(&r, w);
	return r;
}

#define BOTTOM2(a, b)                                                      \
	do {                                                               \
		if (bpfh_ival_is_bottom(a) || bpfh_ival_is_bottom(b))      \
			return bpfh_ival_bottom();                         \
	} while (0)

struct bpfh_ival bpfh_ival_add(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	uint64_t ulo, uhi;
	int64_t slo, shi;
	struct bpfh_ival t = bpfh_ival_top(w);

	BOTTOM2(a, b);
	/* all sums wrap the same number of times: the wrapped ends still bound them */
	if (add_u(a->umin, b->umin, w, &ulo) == add_u(a->umax, b->umax, w, &uhi)) {
		t.umin = ulo;
		t.umax = uhi;
	}
	if (add_s(a->smin, b->smin, w, &slo) == add_s(a->smax, b->smax, w, &shi)) {
		t.smin = slo;
		t.smax = shi;
	}
	return finish(t.umin, t.umax, t.smin, t.smax, w);
}

struct bpfh_ival bpfh_ival_sub(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	uint64_t ulo, uhi;
	int64_t slo, shi;
	struct bpfh_ival t = bpfh_ival_top(w);

	BOTTOM2(a, b);
	if (sub_u(a->umin, b->umax, w, &ulo) == sub_u(a->umax, b->umin, w, &uhi)) {
		t.umin = ulo;
		t.umax = uhi;
	}
	if (sub_s(a->smin, b->smax, w, &slo) == sub_s(a->smax, b->smin, w, &shi)) {
		t.smin = slo;
		t.smax = shi;
	}
	return finish(t.umin, t.umax, t.smin, t.smax, w);
}

struct bpfh_ival bpfh_ival_neg(const struct bpfh_ival *a, unsigned w)
{
	struct bpfh_ival zero = bpfh_ival_const(0, w);

	return bpfh_ival_sub(&zero, a, w);
}

struct bpfh_ival bpfh_ival_mul(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	struct bpfh_ival t = bpfh_ival_top(w);
	int64_t p[4];

	BOTTOM2(a, b);
	if (!a->umax || b->umax <= umaxw(w) / a->umax) {
		t.umin = a->umin * b->umin;
		t.umax = a->umax * b->umax;
	}
	/* the product is bilinear: over a box its extremes are at the corners */
	if (mul_s(a->smin, b->smin, w, &p[0]) && mul_s(a->smin, b->smax, w, &p[1]) &&
	    mul_s(a->smax, b->smin, w, &p[2]) && mul_s(a->smax, b->smax, w, &p[3])) {
		t.smin = smin64(smin64(p[0], p[1]), smin64(p[2], p[3]));
		t.smax = smax64(smax64(p[0], p[1]), smax64(p[2], p[3]));
	}
	return finish(t.umin, t.umax, t.smin, t.smax, w);
}

struct bpfh_ival bpfh_ival_udiv(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	uint64_t lo, hi;

	BOTTOM2(a, b);
	if (b->umax == 0)
		return bpfh_ival_const(0, w); /* x / 0 = 0 */
	/* a divisor 0 among others adds the result 0 */
	lo = b->umin == 0 ? 0 : a->umin / b->umax;
	hi = a->umax / umax64(b->umin, 1);
	return finish(lo, hi, sminw(w), smaxw(w), w);
}

struct bpfh_ival bpfh_ival_umod(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	uint64_t hi;

	BOTTOM2(a, b);
	/* x % 0 = x, and x % y = x for x < y */
	if (b->umax == 0 || a->umax < b->umin)
		return *a;
	hi = b->umin == 0 ? a->umax : umin64(a->umax, b->umax - 1);
	return finish(0, hi, sminw(w), smaxw(w), w);
}

/* Hull of ranges added one at a time. */
struct hull {
	bool any;
	int64_t lo, hi;
};

static void hull_add(struct hull *h, int64_t lo, int64_t hi)
{
	if (!h->any) {
		h->any = true;
		h->lo = lo;
		h->hi = hi;
		return;
	}
	h->lo = smin64(h->lo, lo);
	h->hi = smax64(h->hi, hi);
}

/* Quotients of a's ends by the ends of a divisor range [lo, hi] that excludes 0 and -1:
 * truncated division is monotone in each argument on such a range, so the corners bound it. */
static void div_corners(struct hull *h, const struct bpfh_ival *a, int64_t lo, int64_t hi)
{
	int64_t q0 = a->smin / lo, q1 = a->smin / hi, q2 = a->smax / lo, q3 = a->smax / hi;

	hull_add(h, smin64(smin64(q0, q1), smin64(q2, q3)), smax64(smax64(q0, q1), smax64(q2, q3)));
}

struct bpfh_ival bpfh_ival_sdiv(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	struct hull h = { false, 0, 0 };
	int64_t lo, hi;

	BOTTOM2(a, b);
	if (b->smin <= 0 && b->smax >= 0)
		hull_add(&h, 0, 0); /* x / 0 = 0 */
	if (b->smin <= -1 && b->smax >= -1) {
		struct bpfh_ival n = bpfh_ival_neg(a, w); /* x / -1 = -x, wrapping */

		hull_add(&h, n.smin, n.smax);
	}
	lo = smax64(b->smin, 1);
	hi = b->smax;
	if (lo <= hi)
		div_corners(&h, a, lo, hi);
	lo = b->smin;
	hi = smin64(b->smax, -2);
	if (lo <= hi)
		div_corners(&h, a, lo, hi);
	return finish(0, umaxw(w), h.lo, h.hi, w);
}

struct bpfh_ival bpfh_ival_smod(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	uint64_t bmax, bmin_nz, amag, m;
	int64_t lo, hi;

	BOTTOM2(a, b);
	if (b->smin == 0 && b->smax == 0)
		return *a; /* x % 0 = x */
	/* The remainder has the dividend's sign and a magnitude below the divisor's and at most
	 * the dividend's; x % -1 = 0 fits that too. */
	bmax = umax64(mag(b->smin), mag(b->smax));
	bmin_nz = b->smin > 0 ? (uint64_t)b->smin : b->smax < 0 ? mag(b->smax) : 1;
	amag = umax64(mag(a->smin), mag(a->smax));
	if (amag < bmin_nz)
		return *a;
	m = bmax - 1;
	lo = a->smin >= 0 ? 0 : mag(a->smin) > m ? -(int64_t)m : a->smin;
	hi = a->smax <= 0 ? 0 : (uint64_t)a->smax > m ? (int64_t)m : a->smax;
	if (b->smin <= 0 && b->smax >= 0) {
		lo = smin64(lo, a->smin);
		hi = smax64(hi, a->smax);
	}
	return finish(0, umaxw(w), lo, hi, w);
}

struct bpfh_ival bpfh_ival_and(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	struct bpfh_ival t = bpfh_ival_top(w);

	BOTTOM2(a, b);
	t.umax = umin64(a->umax, b->umax);
	if (a->smin >= 0 || b->smin >= 0) {
		/* x & y with y >= 0 lies in [0, y] */
		t.smin = 0;
		if (a->smin >= 0)
			t.smax = smin64(t.smax, a->smax);
		if (b->smin >= 0)
			t.smax = smin64(t.smax, b->smax);
	} else if (a->smax < 0 && b->smax < 0) {
		/* both negative: clearing bits of a negative number lowers it */
		t.smax = smin64(a->smax, b->smax);
	}
	return finish(t.umin, t.umax, t.smin, t.smax, w);
}

struct bpfh_ival bpfh_ival_or(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	struct bpfh_ival t = bpfh_ival_top(w);

	BOTTOM2(a, b);
	t.umin = umax64(a->umin, b->umin);
	t.umax = bpfh_low_mask(bpfh_fls64(umax64(a->umax, b->umax)));
	if (a->smax < 0 || b->smax < 0) {
		/* with a negative operand the result is negative and at least that operand */
		t.smax = -1;
		if (a->smax < 0)
			t.smin = smax64(t.smin, a->smin);
		if (b->smax < 0)
			t.smin = smax64(t.smin, b->smin);
	} else if (a->smin >= 0 && b->smin >= 0) {
		t.smin = smax64(a->smin, b->smin);
	}
	return finish(t.umin, t.umax, t.smin, t.smax, w);
}

struct bpfh_ival bpfh_ival_xor(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w)
{
	struct bpfh_ival t = bpfh_ival_top(w);

	BOTTOM2(a, b);
	t.umax = bpfh_low_mask(bpfh_fls64(umax64(a->umax, b->umax)));
	if ((a->smin >= 0 && b->smin >= 0) || (a->smax < 0 && b->smax < 0))
		t.smin = 0; /* equal signs cancel */
	else if ((a->smin >= 0 && b->smax < 0) || (a->smax < 0 && b->smin >= 0))
		t.smax = -1;
	return finish(t.umin, t.umax, t.smin, t.smax, w);
}

struct bpfh_ival bpfh_ival_shl(const struct bpfh_ival *a, unsigned cmin, unsigned cmax,
			       unsigned w)
{
	struct bpfh_ival t = bpfh_ival_top(w);

	if (bpfh_ival_is_bottom(a) || cmin > cmax || cmax >= w)
		return bpfh_ival_bottom();
	if (a->umax <= (umaxw(w) >> cmax)) {
		t.umin = a->umin << cmin;
		t.umax = a->umax << cmax;
	}
	/* x * 2^c is monotone in c for a fixed sign; no end overflows if the largest count
	 * does not */
	if (cmax + 2 <= w && a->smin >= bpfh_asr(sminw(w), cmax) &&
	    a->smax <= bpfh_asr(smaxw(w), cmax)) {
		t.smin = a->smin * (INT64_C(1) << (a->smin < 0 ? cmax : cmin));
		t.smax = a->smax * (INT64_C(1) << (a->smax < 0 ? cmin : cmax));
	}
	return finish(t.umin, t.umax, t.smin, t.smax, w);
}

struct bpfh_ival bpfh_ival_shr(const struct bpfh_ival *a, unsigned cmin, unsigned cmax,
			       unsigned w)
{
	if (bpfh_ival_is_bottom(a) || cmin > cmax || cmax >= w)
		return bpfh_ival_bottom();
	if (cmax == 0)
		return *a;
	return finish(a->umin >> cmax, a->umax >> cmin, sminw(w), smaxw(w), w);
}

struct bpfh_ival bpfh_ival_sar(const struct bpfh_ival *a, unsigned cmin, unsigned cmax,
			       unsigned w)
{
	int64_t lo, hi;

	if (bpfh_ival_is_bottom(a) || cmin > cmax || cmax >= w)
		return bpfh_ival_bottom();
	if (cmax == 0)
		return *a;
	/* a non-negative x shrinks with the count, a negative one grows toward -1 */
	lo = bpfh_asr(a->smin, a->smin < 0 ? cmin : cmax);
	hi = bpfh_asr(a->smax, a->smax < 0 ? cmax : cmin);
	return finish(0, umaxw(w), lo, hi, w);
}

/* Intersect r (k bits) with the arc of low k bits [lo, hi] going up modulo 2^k. */
static void low_arc(struct bpfh_ival *r, uint64_t lo, uint64_t hi, unsigned k)
{
	if (lo <= hi) {
		r->umin = umax64(r->umin, lo);
		r->umax = umin64(r->umax, hi);
	}
	if (bpfh_sext(lo, k) <= bpfh_sext(hi, k)) {
		r->smin = smax64(r->smin, bpfh_sext(lo, k));
		r->smax = smin64(r->smax, bpfh_sext(hi, k));
	}
}

struct bpfh_ival bpfh_ival_low_bits(const struct bpfh_ival *a, unsigned w, unsigned k)
{
	struct bpfh_ival r = bpfh_ival_top(k);
	uint64_t m = bpfh_low_mask(k);

	if (bpfh_ival_is_bottom(a))
		return bpfh_ival_bottom();
	if (k >= w)
		return *a;
	/* fewer than 2^k consecutive values: their low bits form one arc of the k-bit circle */
	if (a->umax - a->umin <= m)
		low_arc(&r, a->umin & m, a->umax & m, k);
	if (bpfh_s2u(a->smax) - bpfh_s2u(a->smin) <= m)
		low_arc(&r, bpfh_s2u(a->smin) & m, bpfh_s2u(a->smax) & m, k);
	bpfh_ival_sync(&r, k);
	return r;
}
