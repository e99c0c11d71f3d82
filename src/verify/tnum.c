// SPDX-License-Identifier: MIT
/*
 * Tristate numbers: the bit-level abstract domain (see tnum.h for the representation). Every
 * operation here is a few machine operations on (value, mask) pairs and keeps bottom (a bit both
 * known and unknown) absorbing. The arithmetic follows the usual carry reasoning: a bit of a sum
 * is known when neither operand nor any carry into it is uncertain.
 *
 * It does not know the ISA: shift counts are plain numbers, and 32-bit operations are the
 * caller's composition of these with bpfh_tnum_cast and bpfh_tnum_sext.
 */
#include "tnum.h"

#include "bits.h"

static struct bpfh_tnum mk(uint64_t value, uint64_t mask)
{
	struct bpfh_tnum t = { value, mask };

	return t;
}

bool bpfh_tnum_is_unknown(struct bpfh_tnum t)
{
	return t.mask == UINT64_MAX && t.value == 0;
}

bool bpfh_tnum_contains(struct bpfh_tnum t, uint64_t v)
{
	return !bpfh_tnum_is_bottom(t) && (v & ~t.mask) == t.value;
}

bool bpfh_tnum_leq(struct bpfh_tnum a, struct bpfh_tnum b)
{
	if (bpfh_tnum_is_bottom(a))
		return true;
	if (bpfh_tnum_is_bottom(b))
		return false;
	/* every bit b knows, a knows too and with the same value */
	return (a.mask & ~b.mask) == 0 && ((a.value ^ b.value) & ~b.mask) == 0;
}

struct bpfh_tnum bpfh_tnum_range(uint64_t min, uint64_t max)
{
	uint64_t m;

	if (min > max)
		return bpfh_tnum_bottom();
	/* bits below the highest bit where min and max differ take every pattern in [min, max] */
	m = bpfh_low_mask(bpfh_fls64(min ^ max));
	return mk(min & ~m, m);
}

struct bpfh_tnum bpfh_tnum_join(struct bpfh_tnum a, struct bpfh_tnum b)
{
	uint64_t mu;

	if (bpfh_tnum_is_bottom(a))
		return b;
	if (bpfh_tnum_is_bottom(b))
		return a;
	mu = a.mask | b.mask | (a.value ^ b.value);
	return mk(a.value & ~mu, mu);
}

struct bpfh_tnum bpfh_tnum_meet(struct bpfh_tnum a, struct bpfh_tnum b)
{
	if (bpfh_tnum_is_bottom(a) || bpfh_tnum_is_bottom(b))
		return bpfh_tnum_bottom();
	if ((a.value ^ b.value) & ~a.mask & ~b.mask)
		return bpfh_tnum_bottom();
	return mk(a.value | b.value, a.mask & b.mask);
}

struct bpfh_tnum bpfh_tnum_widen(struct bpfh_tnum a, struct bpfh_tnum b)
{
	struct bpfh_tnum j = bpfh_tnum_join(a, b);
	uint64_t grown;

	if (bpfh_tnum_is_bottom(a))
		return j;
	grown = j.mask & ~a.mask;
	if (!grown)
		return j;
	j.mask |= ~bpfh_low_mask(bpfh_fls64(grown) - 1);
	j.value &= ~j.mask;
	return j;
}

#define BOTTOM2(a, b)                                                   \
	do {                                                            \
		if (bpfh_tnum_is_bottom(a) || bpfh_tnum_is_bottom(b))   \
			return bpfh_tnum_bottom();                      \
	} while (0)

struct bpfh_tnum bpfh_tnum_add(struct bpfh_tnum a, struct bpfh_tnum b)
{
	uint64_t sv, smax, carries, mu;

	BOTTOM2(a, b);
	/* The sum of the known parts and the sum with every unknown bit set bound the carries:
	 * a bit whose carry-in differs between the two (or whose operand bits are unknown) is
	 * unknown, and every other bit equals the known sum's. */
	sv = a.value + b.value;
	smax = sv + a.mask + b.mask;
	carries = smax ^ sv;
	mu = carries | a.mask | b.mask;
	return mk(sv & ~mu, mu);
}

struct bpfh_tnum bpfh_tnum_sub(struct bpfh_tnum a, struct bpfh_tnum b)
{
	uint64_t dv, hi, lo, mu;

	BOTTOM2(a, b);
	/* the extreme differences: the largest minuend with the smallest subtrahend and back */
	dv = a.value - b.value;
	hi = dv + a.mask;
	lo = dv - b.mask;
	mu = (hi ^ lo) | a.mask | b.mask;
	return mk(dv & ~mu, mu);
}

struct bpfh_tnum bpfh_tnum_neg(struct bpfh_tnum a)
{
	return bpfh_tnum_sub(bpfh_tnum_const(0), a);
}

struct bpfh_tnum bpfh_tnum_mul(struct bpfh_tnum a, struct bpfh_tnum b)
{
	struct bpfh_tnum acc = mk(0, 0);
	uint64_t bits, known;
	unsigned i;

	BOTTOM2(a, b);
	/* a * b = a.value * b.value + a.value * (b's unknown part) + (a's unknown part) * b. The
	 * first term is exact; the others are sums of b shifted by the bits of a, each summand
	 * being either "b's unknown bits" (a bit of a known 1) or "0 or all of b" (a bit of a
	 * unknown), both of which a tnum with value 0 covers. */
	known = a.value * b.value;
	bits = a.value | a.mask;
	for (i = 0; i < 64 && (bits >> i); i++) {
		uint64_t bit = UINT64_C(1) << i;

		if (a.value & bit)
			acc = bpfh_tnum_add(acc, mk(0, b.mask << i));
		else if (a.mask & bit)
			acc = bpfh_tnum_add(acc, mk(0, (b.value | b.mask) << i));
	}
	return bpfh_tnum_add(mk(known, 0), acc);
}

struct bpfh_tnum bpfh_tnum_and(struct bpfh_tnum a, struct bpfh_tnum b)
{
	uint64_t maybe_a, maybe_b, v;

	BOTTOM2(a, b);
	maybe_a = a.value | a.mask;
	maybe_b = b.value | b.mask;
	v = a.value & b.value;
	return mk(v, maybe_a & maybe_b & ~v);
}

struct bpfh_tnum bpfh_tnum_or(struct bpfh_tnum a, struct bpfh_tnum b)
{
	uint64_t v;

	BOTTOM2(a, b);
	v = a.value | b.value;
	return mk(v, (a.mask | b.mask) & ~v);
}

struct bpfh_tnum bpfh_tnum_xor(struct bpfh_tnum a, struct bpfh_tnum b)
{
	uint64_t mu;

	BOTTOM2(a, b);
	mu = a.mask | b.mask;
	return mk((a.value ^ b.value) & ~mu, mu);
}

struct bpfh_tnum bpfh_tnum_lshift(struct bpfh_tnum a, unsigned shift)
{
	if (bpfh_tnum_is_bottom(a))
		return a;
	if (shift >= 64)
		return mk(0, 0);
	return mk(a.value << shift, a.mask << shift);
}

struct bpfh_tnum bpfh_tnum_rshift(struct bpfh_tnum a, unsigned shift)
{
	if (bpfh_tnum_is_bottom(a))
		return a;
	if (shift >= 64)
		return mk(0, 0);
	return mk(a.value >> shift, a.mask >> shift);
}

struct bpfh_tnum bpfh_tnum_arshift(struct bpfh_tnum a, unsigned shift)
{
	if (bpfh_tnum_is_bottom(a))
		return a;
	/* A known sign fills value with copies of itself; an unknown sign is 0 in value and 1
	 * in mask, so the filled bits become unknown. */
	return mk(bpfh_s2u(bpfh_asr(bpfh_u2s(a.value), shift)),
		  bpfh_s2u(bpfh_asr(bpfh_u2s(a.mask), shift)));
}

struct bpfh_tnum bpfh_tnum_cast(struct bpfh_tnum a, unsigned size)
{
	uint64_t m = bpfh_low_mask(size * 8);

	if (bpfh_tnum_is_bottom(a))
		return a;
	return mk(a.value & m, a.mask & m);
}

struct bpfh_tnum bpfh_tnum_sext(struct bpfh_tnum a, unsigned bits)
{
	if (bpfh_tnum_is_bottom(a) || bits >= 64)
		return a;
	return bpfh_tnum_arshift(bpfh_tnum_lshift(a, 64 - bits), 64 - bits);
}

struct bpfh_tnum bpfh_tnum_subreg(struct bpfh_tnum a)
{
	return bpfh_tnum_cast(a, 4);
}

struct bpfh_tnum bpfh_tnum_with_subreg(struct bpfh_tnum a, struct bpfh_tnum sub)
{
	const uint64_t lo = UINT64_C(0xffffffff);

	if (bpfh_tnum_is_bottom(a) || bpfh_tnum_is_bottom(sub))
		return bpfh_tnum_bottom();
	return mk((a.value & ~lo) | (sub.value & lo), (a.mask & ~lo) | (sub.mask & lo));
}

static uint64_t swap_bytes(uint64_t x, unsigned size)
{
	uint64_t r = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		r |= ((x >> (8 * i)) & 0xff) << (8 * (size - 1 - i));
	return r;
}

struct bpfh_tnum bpfh_tnum_bswap(struct bpfh_tnum a, unsigned size)
{
	if (bpfh_tnum_is_bottom(a))
		return a;
	a = bpfh_tnum_cast(a, size);
	return mk(swap_bytes(a.value, size), swap_bytes(a.mask, size));
}

uint64_t bpfh_tnum_umin(struct bpfh_tnum t)
{
	return t.value;
}

uint64_t bpfh_tnum_umax(struct bpfh_tnum t)
{
	return t.value | t.mask;
}

int64_t bpfh_tnum_smin(struct bpfh_tnum t)
{
	/* the sign bit set if it may be, every other unknown bit clear */
	return bpfh_u2s(t.value | (t.mask & BPFH_SIGN64));
}

int64_t bpfh_tnum_smax(struct bpfh_tnum t)
{
	return bpfh_u2s(t.value | (t.mask & ~BPFH_SIGN64));
}

bool bpfh_tnum_next_ge(struct bpfh_tnum t, uint64_t x, uint64_t *out)
{
	uint64_t y, diff, below, cand;
	unsigned b, p;

	if (bpfh_tnum_is_bottom(t))
		return false;
	/* y: x with the known bits forced. Where y first differs from x (from the top), the
	 * bit is known; if y is above x there, the smallest member agrees with y above and
	 * takes only known bits below. If y is below x, some unknown bit above that point
	 * where x has 0 must become 1: the lowest one gives the smallest member. */
	y = (x & t.mask) | t.value;
	if (y == x) {
		*out = x;
		return true;
	}
	diff = y ^ x;
	b = bpfh_fls64(diff) - 1;
	below = bpfh_low_mask(b);
	if (y & (UINT64_C(1) << b)) {
		*out = (y & ~below) | (t.value & below);
		return true;
	}
	cand = t.mask & ~x & ~bpfh_low_mask(b + 1);
	if (!cand)
		return false;
	p = bpfh_ffs64(cand);
	below = bpfh_low_mask(p);
	*out = (x & ~bpfh_low_mask(p + 1)) | (UINT64_C(1) << p) | (t.value & below);
	return true;
}

bool bpfh_tnum_prev_le(struct bpfh_tnum t, uint64_t x, uint64_t *out)
{
	/* v <= x exactly when ~v >= ~x, and ~v ranges over the complemented tnum */
	struct bpfh_tnum c = mk(~t.value & ~t.mask, t.mask);
	uint64_t r;

	if (bpfh_tnum_is_bottom(t) || !bpfh_tnum_next_ge(c, ~x, &r))
		return false;
	*out = ~r;
	return true;
}

/* Flipping bit 63 maps int64 order onto uint64 order. */
static struct bpfh_tnum flip_sign(struct bpfh_tnum t)
{
	return mk(t.value ^ (BPFH_SIGN64 & ~t.mask), t.mask);
}

bool bpfh_tnum_snext_ge(struct bpfh_tnum t, int64_t x, int64_t *out)
{
	uint64_t r;

	if (!bpfh_tnum_next_ge(flip_sign(t), bpfh_s2u(x) ^ BPFH_SIGN64, &r))
		return false;
	*out = bpfh_u2s(r ^ BPFH_SIGN64);
	return true;
}

bool bpfh_tnum_sprev_le(struct bpfh_tnum t, int64_t x, int64_t *out)
{
	uint64_t r;

	if (!bpfh_tnum_prev_le(flip_sign(t), bpfh_s2u(x) ^ BPFH_SIGN64, &r))
		return false;
	*out = bpfh_u2s(r ^ BPFH_SIGN64);
	return true;
}

unsigned bpfh_tnum_unknown_bits(struct bpfh_tnum t)
{
	unsigned n = 0;
	uint64_t m = t.mask;

	while (m) {
		m &= m - 1;
		n++;
	}
	return n;
}
