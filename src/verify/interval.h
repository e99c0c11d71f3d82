/* SPDX-License-Identifier: MIT */
/*
 * Interval pairs (private to src/verify): the values of one W-bit machine word bounded twice,
 * as an unsigned number in [umin, umax] and as a two's complement number in [smin, smax]. W is
 * any width from 8 to 64 (the verifier uses 64 for registers and 32 for their subregisters; the
 * tests use 8 to check every value). For W < 64 the fields hold W-bit numbers: umin and umax in
 * [0, 2^W - 1], smin and smax in [-2^(W-1), 2^(W-1) - 1]. A concrete W-bit x belongs to the pair
 * when both views contain it. umin > umax (or smin > smax) is bottom, the empty set;
 * bpfh_ival_bottom gives the canonical one, which every function returns for an empty result.
 *
 * All arithmetic wraps modulo 2^W as the ISA does, and every transfer function is sound: its
 * result contains every concrete result. Division follows the ISA: x / 0 = 0, x % 0 = x, signed
 * division truncates toward zero, and a signed divisor of -1 negates (INT_MIN / -1 = INT_MIN,
 * INT_MIN % -1 = 0). Shifts take the range of their already masked count.
 *
 * The domain knows nothing of bits beyond what ranges say; the scalar domain (scalar.h) reduces
 * pairs against a tnum and against the other width.
 */
#ifndef BPFH_VERIFY_INTERVAL_H
#define BPFH_VERIFY_INTERVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpfh_ival {
	uint64_t umin, umax;
	int64_t smin, smax;
};

/* Limits of a W-bit word. */
uint64_t bpfh_ival_umax_of(unsigned w);
int64_t bpfh_ival_smin_of(unsigned w);
int64_t bpfh_ival_smax_of(unsigned w);

struct bpfh_ival bpfh_ival_top(unsigned w);
static inline struct bpfh_ival bpfh_ival_bottom(void)
{
	return (struct bpfh_ival){ 1, 0, 1, 0 };
}

/* The single value v (its low W bits). */
struct bpfh_ival bpfh_ival_const(uint64_t v, unsigned w);
/* [lo, hi] unsigned, the signed view unconstrained (then reduced); bottom if lo > hi. */
struct bpfh_ival bpfh_ival_urange(uint64_t lo, uint64_t hi, unsigned w);
/* [lo, hi] signed, the unsigned view unconstrained (then reduced); bottom if lo > hi. */
struct bpfh_ival bpfh_ival_srange(int64_t lo, int64_t hi, unsigned w);

static inline bool bpfh_ival_is_bottom(const struct bpfh_ival *a)
{
	return a->umin > a->umax || a->smin > a->smax;
}

static inline bool bpfh_ival_is_const(const struct bpfh_ival *a)
{
	return !bpfh_ival_is_bottom(a) && a->umin == a->umax;
}

/* x is taken modulo 2^W. */
bool bpfh_ival_contains(const struct bpfh_ival *a, uint64_t x, unsigned w);

static inline bool bpfh_ival_eq(const struct bpfh_ival *a, const struct bpfh_ival *b)
{
	if (bpfh_ival_is_bottom(a) || bpfh_ival_is_bottom(b))
		return bpfh_ival_is_bottom(a) && bpfh_ival_is_bottom(b);
	return a->umin == b->umin && a->umax == b->umax && a->smin == b->smin &&
	       a->smax == b->smax;
}
/* Componentwise inclusion: implies that a's set is included in b's (and is equivalent to it
 * for reduced pairs). */
bool bpfh_ival_leq(const struct bpfh_ival *a, const struct bpfh_ival *b);

/*
 * Reduce: tighten each view from the other (a signed range that does not cross from negative to
 * non-negative is an unsigned range, and an unsigned one that does not cross 2^(W-1) is a
 * signed one; a crossing range still cuts the other at its ends). Returns false and makes *a
 * bottom when the views leave no common value. Idempotent; the set is unchanged.
 */
bool bpfh_ival_sync(struct bpfh_ival *a, unsigned w);

/* Lattice. join: the componentwise hull (then reduced); meet: the intersection (exact; bottom
 * when empty). */
struct bpfh_ival bpfh_ival_join(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_meet(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);

/*
 * Widening: each bound of b that lies outside a moves to the next threshold beyond it, or to
 * the word's limit. Thresholds are 0, a few built-in powers of two (2^8, 2^16, 2^31, 2^32,
 * 2^63 and their predecessors) and their negations, plus the caller's thr[0..nthr) (for instance
 * the constants a program compares with), each taken as a signed and as an unsigned bound where
 * it fits in W bits. The result contains a and b and is NOT reduced (reducing could undo the
 * widening); in any sequence a1 = a0 wid b0, a2 = a1 wid b1, ... each bound moves at most once
 * per threshold, so the sequence stabilises.
 * Narrowing (for b included in a): bounds of a that sit on a threshold or a limit take b's
 * value; the others stay. Descending sequences of narrowings stabilise as well.
 */
struct bpfh_ival bpfh_ival_widen(const struct bpfh_ival *a, const struct bpfh_ival *b,
				 unsigned w, const int64_t *thr, size_t nthr);
struct bpfh_ival bpfh_ival_narrow(const struct bpfh_ival *a, const struct bpfh_ival *b,
				  unsigned w, const int64_t *thr, size_t nthr);

/* Transfer functions of W-bit operations; results are reduced. Shift counts are the range
 * [cmin, cmax] of the count after masking (cmax < W). */
struct bpfh_ival bpfh_ival_add(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_sub(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_neg(const struct bpfh_ival *a, unsigned w);
struct bpfh_ival bpfh_ival_mul(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_udiv(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_umod(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_sdiv(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_smod(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_and(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_or(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_xor(const struct bpfh_ival *a, const struct bpfh_ival *b, unsigned w);
struct bpfh_ival bpfh_ival_shl(const struct bpfh_ival *a, unsigned cmin, unsigned cmax,
			       unsigned w);
struct bpfh_ival bpfh_ival_shr(const struct bpfh_ival *a, unsigned cmin, unsigned cmax,
			       unsigned w);
struct bpfh_ival bpfh_ival_sar(const struct bpfh_ival *a, unsigned cmin, unsigned cmax,
			       unsigned w);

/* The low k bits (k < W) of a's members, as a k-bit pair (zero-extended and sign-extended
 * views): exact ranges when a's range spans fewer than 2^k values, else the k-bit top. */
struct bpfh_ival bpfh_ival_low_bits(const struct bpfh_ival *a, unsigned w, unsigned k);

#endif
