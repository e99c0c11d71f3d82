/* SPDX-License-Identifier: MIT */
/*
 * The zone domain (private to src/verify): conjunctions of difference constraints x - y <= c
 * between a few integer variables, as a difference-bound matrix. Variable 0 is the constant 0, so
 * x - 0 <= c and 0 - x <= c bound a single variable; variables 1..n are the caller's (for the
 * verifier: offsets of registers into the packet, the packet's end). Variables are mathematical
 * integers, not machine words: the caller gives them values that do not wrap.
 *
 * m[i][j] bounds x_i - x_j (BPFH_ZONE_INF: no bound). A zone is closed when every bound is the
 * tightest its constraints imply (m[i][j] <= m[i][k] + m[k][j]); every function leaves its result
 * closed or bottom, except widening and narrowing (closing their result could undo them), and
 * each closes a copy of an unclosed operand where precision needs it. Finite bounds are kept
 * within +-BPFH_ZONE_BOUND: a sum beyond it becomes INF (or, below, -BPFH_ZONE_BOUND), which only
 * ever weakens a constraint, so the domain stays sound.
 *
 * A pure library on caller-owned values: no allocation, no knowledge of registers or packets.
 */
#ifndef BPFH_VERIFY_ZONE_H
#define BPFH_VERIFY_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BPFH_ZONE_MAX_VARS 19
#define BPFH_ZONE_INF INT64_MAX
#define BPFH_ZONE_BOUND ((INT64_C(1) << 62) - 1)

struct bpfh_zone {
	unsigned n;   /* variables 1..n (0 is the constant 0) */
	bool bottom;  /* no point satisfies the constraints */
	bool closed;
	int64_t m[BPFH_ZONE_MAX_VARS + 1][BPFH_ZONE_MAX_VARS + 1];
};

/* No constraint / no point, over n <= BPFH_ZONE_MAX_VARS variables. */
void bpfh_zone_top(struct bpfh_zone *z, unsigned n);
void bpfh_zone_bottom(struct bpfh_zone *z, unsigned n);

/* Tighten every bound (Floyd–Warshall); false, and z bottom, when the constraints conflict. */
bool bpfh_zone_close(struct bpfh_zone *z);
/* Closes z if needed. */
bool bpfh_zone_is_bottom(struct bpfh_zone *z);

/* Whether the point p[1..n] (p[0] is ignored, taken as 0) satisfies z's constraints. */
bool bpfh_zone_contains(const struct bpfh_zone *z, const int64_t *p);

/* Add x - y <= c (incrementally closed). False, and z bottom, when it conflicts. */
bool bpfh_zone_add_diff(struct bpfh_zone *z, unsigned x, unsigned y, int64_t c);
/* Add lo <= x <= hi; INT64_MIN / BPFH_ZONE_INF leave a side open. */
bool bpfh_zone_add_bounds(struct bpfh_zone *z, unsigned x, int64_t lo, int64_t hi);

/* Drop every constraint on x. */
void bpfh_zone_forget(struct bpfh_zone *z, unsigned x);
/* x := y + d for some d in [lo, hi] (y may be x, or 0 for x := [lo, hi]); INT64_MIN /
 * BPFH_ZONE_INF leave a side open. */
void bpfh_zone_assign(struct bpfh_zone *z, unsigned x, unsigned y, int64_t lo, int64_t hi);

/* The tightest c with x - y <= c: BPFH_ZONE_INF when unbounded, -BPFH_ZONE_BOUND for a bottom
 * zone. x - 0 is x's upper bound, 0 - x minus its lower one. */
int64_t bpfh_zone_diff_max(struct bpfh_zone *z, unsigned x, unsigned y);
/* Whether x - y <= c holds in every point of z (true for bottom). */
bool bpfh_zone_entails(struct bpfh_zone *z, unsigned x, unsigned y, int64_t c);

/*
 * Lattice over zones of the same n (out may be an operand). join: the least closed zone above
 * both (the larger bound of each pair, on the closed operands); meet: both sets of constraints,
 * closed: exactly the common points. leq: a's points are all in b (exact when a is closed,
 * which it is made on a copy). widen: each bound of b looser than a's goes to the next of
 * thr[0..nthr) above it or to INF; narrow: a's INF bounds, and those on a threshold, take b's
 * tighter one. Both leave the result unclosed (a widening that changes no bound leaves a as it
 * is); a widening sequence stabilises after at most (n + 1)^2 * (nthr + 1) strict steps.
 */
void bpfh_zone_join(struct bpfh_zone *out, const struct bpfh_zone *a, const struct bpfh_zone *b);
void bpfh_zone_meet(struct bpfh_zone *out, const struct bpfh_zone *a, const struct bpfh_zone *b);
bool bpfh_zone_leq(const struct bpfh_zone *a, const struct bpfh_zone *b);
bool bpfh_zone_eq(const struct bpfh_zone *a, const struct bpfh_zone *b);
void bpfh_zone_widen(struct bpfh_zone *out, const struct bpfh_zone *a, const struct bpfh_zone *b,
		     const int64_t *thr, size_t nthr);
void bpfh_zone_narrow(struct bpfh_zone *out, const struct bpfh_zone *a, const struct bpfh_zone *b,
		      const int64_t *thr, size_t nthr);

#endif
