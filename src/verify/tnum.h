/* SPDX-License-Identifier: MIT */
/*
 * Tristate numbers (private to src/verify): a 64-bit value of which each bit is known 0, known 1
 * or unknown. A tnum is (value, mask): a set bit of mask is unknown, and the value holds the
 * known bits, so a concrete x belongs to t when (x & ~t.mask) == t.value. A tnum with a bit set
 * in both value and mask is the empty set (bottom); every function takes and may return it.
 *
 * This is a pure library of functions on values: the abstract operations are sound (each result
 * contains every concrete result of its operands' members) and join, meet and leq are exact
 * (the least upper bound, the intersection and set inclusion). It knows nothing of registers,
 * intervals or instructions: the scalar domain (scalar.h) combines tnums with ranges and gives
 * the ISA's operations their width and shift-count masking.
 */
#ifndef BPFH_VERIFY_TNUM_H
#define BPFH_VERIFY_TNUM_H

#include <stdbool.h>
#include <stdint.h>

struct bpfh_tnum {
	uint64_t value;
	uint64_t mask;
};

/* Constructors. */
static inline struct bpfh_tnum bpfh_tnum_const(uint64_t v)
{
	return (struct bpfh_tnum){ v, 0 };
}

static inline struct bpfh_tnum bpfh_tnum_unknown(void)
{
	return (struct bpfh_tnum){ 0, UINT64_MAX };
}

static inline struct bpfh_tnum bpfh_tnum_bottom(void)
{
	return (struct bpfh_tnum){ UINT64_MAX, UINT64_MAX };
}
/* The smallest tnum containing every x with min <= x <= max (unsigned); bottom if min > max. */
struct bpfh_tnum bpfh_tnum_range(uint64_t min, uint64_t max);

/* Predicates. */
static inline bool bpfh_tnum_is_bottom(struct bpfh_tnum t)
{
	return (t.value & t.mask) != 0;
}

static inline bool bpfh_tnum_is_const(struct bpfh_tnum t)
{
	return t.mask == 0;
}

bool bpfh_tnum_is_unknown(struct bpfh_tnum t);

static inline bool bpfh_tnum_eq(struct bpfh_tnum a, struct bpfh_tnum b)
{
	if (bpfh_tnum_is_bottom(a) || bpfh_tnum_is_bottom(b))
		return bpfh_tnum_is_bottom(a) && bpfh_tnum_is_bottom(b);
	return a.value == b.value && a.mask == b.mask;
}
bool bpfh_tnum_contains(struct bpfh_tnum t, uint64_t v);
/* a's members are all members of b (bottom is below everything). */
bool bpfh_tnum_leq(struct bpfh_tnum a, struct bpfh_tnum b);

/* Lattice: least upper bound (exact union of the known bits) and intersection (bottom when a
 * bit is known 0 in one and known 1 in the other). */
struct bpfh_tnum bpfh_tnum_join(struct bpfh_tnum a, struct bpfh_tnum b);
struct bpfh_tnum bpfh_tnum_meet(struct bpfh_tnum a, struct bpfh_tnum b);

/* Widening: the join, and when it made a bit unknown, every bit above that one too. Low known
 * bits (an alignment) survive; high ones are left for ranges to bound. Ascending sequences
 * a0, a0 wid a1, ... change at most 64 times (join alone would too, but one bit at a time). */
struct bpfh_tnum bpfh_tnum_widen(struct bpfh_tnum a, struct bpfh_tnum b);

/* Arithmetic modulo 2^64. */
struct bpfh_tnum bpfh_tnum_add(struct bpfh_tnum a, struct bpfh_tnum b);
struct bpfh_tnum bpfh_tnum_sub(struct bpfh_tnum a, struct bpfh_tnum b);
struct bpfh_tnum bpfh_tnum_neg(struct bpfh_tnum a);
struct bpfh_tnum bpfh_tnum_mul(struct bpfh_tnum a, struct bpfh_tnum b);
struct bpfh_tnum bpfh_tnum_and(struct bpfh_tnum a, struct bpfh_tnum b);
struct bpfh_tnum bpfh_tnum_or(struct bpfh_tnum a, struct bpfh_tnum b);
struct bpfh_tnum bpfh_tnum_xor(struct bpfh_tnum a, struct bpfh_tnum b);

/* Shifts by a known count (counts of 64 or more give 0, or the sign for arshift). arshift
 * shifts the 64-bit value; for a 32-bit arithmetic shift sign-extend from bit 31 first. */
struct bpfh_tnum bpfh_tnum_lshift(struct bpfh_tnum a, unsigned shift);
struct bpfh_tnum bpfh_tnum_rshift(struct bpfh_tnum a, unsigned shift);
struct bpfh_tnum bpfh_tnum_arshift(struct bpfh_tnum a, unsigned shift);

/* Widths: keep the low size bytes (1, 2, 4 or 8; the rest become known 0); sign-extend from bit
 * bits - 1 (1 <= bits <= 64); the 32-bit subregister (the low half, zero-extended); a with its
 * low half replaced by the low half of sub. */
struct bpfh_tnum bpfh_tnum_cast(struct bpfh_tnum a, unsigned size);
struct bpfh_tnum bpfh_tnum_sext(struct bpfh_tnum a, unsigned bits);
struct bpfh_tnum bpfh_tnum_subreg(struct bpfh_tnum a);
struct bpfh_tnum bpfh_tnum_with_subreg(struct bpfh_tnum a, struct bpfh_tnum sub);

/* Byte swaps of the low 2, 4 or 8 bytes (the rest known 0), as the ISA's bswap16/32/64. */
struct bpfh_tnum bpfh_tnum_bswap(struct bpfh_tnum a, unsigned size);

/* Conversions with intervals: the bounds of the members as unsigned and as signed numbers, and
 * the members nearest a point. next_ge gives the smallest member >= x, prev_le the largest
 * member <= x; both return false when there is none (or t is bottom). The signed forms order
 * the members as int64_t. The 32-bit forms look at the subregister only. */
uint64_t bpfh_tnum_umin(struct bpfh_tnum t);
uint64_t bpfh_tnum_umax(struct bpfh_tnum t);
int64_t bpfh_tnum_smin(struct bpfh_tnum t);
int64_t bpfh_tnum_smax(struct bpfh_tnum t);
bool bpfh_tnum_next_ge(struct bpfh_tnum t, uint64_t x, uint64_t *out);
bool bpfh_tnum_prev_le(struct bpfh_tnum t, uint64_t x, uint64_t *out);
bool bpfh_tnum_snext_ge(struct bpfh_tnum t, int64_t x, int64_t *out);
bool bpfh_tnum_sprev_le(struct bpfh_tnum t, int64_t x, int64_t *out);

/* Number of unknown bits. */
unsigned bpfh_tnum_unknown_bits(struct bpfh_tnum t);

#endif
