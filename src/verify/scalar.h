/* SPDX-License-Identifier: MIT */
/*
 * The scalar domain (private to src/verify): what the verifier knows of a 64-bit register that
 * holds a number. It is the reduced product of a tnum (bits), an interval pair for the whole
 * register (unsigned and signed 64-bit ranges) and an interval pair for its 32-bit subregister,
 * the low half (unsigned and signed 32-bit ranges). A concrete x belongs to a scalar when the
 * tnum contains x, the 64-bit pair contains x and the 32-bit pair contains x's low half.
 *
 * Every function returns a reduced value (bpfh_scalar_sync: each component tightened from the
 * others until nothing changes), except widening and narrowing, whose results are left
 * unreduced so that sequences of them terminate. An empty scalar is bottom; every function
 * takes it and returns the canonical bpfh_scalar_bottom() for an empty result.
 *
 * Transfer functions cover every ALU operation of the ISA with its semantics (RFC 9669 and
 * bpfhost's interpreter): wrapping arithmetic, x / 0 = 0 and x % 0 = x, signed division and
 * remainder truncating (INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0), shift counts masked to the
 * width, 32-bit operations zero-extending their result into the register. Branch refinement
 * narrows both operands of a conditional jump on the taken and the fall-through edge. All are
 * sound: each result contains every concrete result of its operands' members.
 *
 * Pointers, regions and offsets are not here: they are other domains of the verifier.
 */
#ifndef BPFH_VERIFY_SCALAR_H
#define BPFH_VERIFY_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interval.h"
#include "tnum.h"

struct bpfh_scalar {
	struct bpfh_tnum var;  /* the 64 bits */
	struct bpfh_ival r64;  /* the register as a 64-bit number */
	struct bpfh_ival r32;  /* its low 32 bits as a 32-bit number */
};

/* Constructors (reduced). */
struct bpfh_scalar bpfh_scalar_unknown(void);
struct bpfh_scalar bpfh_scalar_bottom(void);
struct bpfh_scalar bpfh_scalar_const(uint64_t v);
struct bpfh_scalar bpfh_scalar_from_tnum(struct bpfh_tnum t);
struct bpfh_scalar bpfh_scalar_urange(uint64_t lo, uint64_t hi);
struct bpfh_scalar bpfh_scalar_srange(int64_t lo, int64_t hi);
/* Any 64-bit value whose low half is in [lo, hi] (unsigned 32-bit). */
struct bpfh_scalar bpfh_scalar_u32range(uint32_t lo, uint32_t hi);
struct bpfh_scalar bpfh_scalar_s32range(int32_t lo, int32_t hi);

static inline bool bpfh_scalar_is_bottom(const struct bpfh_scalar *s)
{
	return bpfh_tnum_is_bottom(s->var) || bpfh_ival_is_bottom(&s->r64) ||
	       bpfh_ival_is_bottom(&s->r32);
}
/* True and *v when s holds exactly one value. */
bool bpfh_scalar_is_const(const struct bpfh_scalar *s, uint64_t *v);
bool bpfh_scalar_contains(const struct bpfh_scalar *s, uint64_t x);
bool bpfh_scalar_eq(const struct bpfh_scalar *a, const struct bpfh_scalar *b);
/* Componentwise order: a <= b implies a's set is within b's. A partial order on reduced
 * values. */
bool bpfh_scalar_leq(const struct bpfh_scalar *a, const struct bpfh_scalar *b);

/*
 * Reduction, as Linux's reg_bounds_sync does it and a little more: tnum to ranges (each bound
 * moved to the nearest member of the tnum), ranges to tnum, signed to unsigned and back within
 * each width, the 64-bit ranges to the 32-bit ones (when the 64-bit range spans fewer than 2^32
 * values) and the 32-bit ranges to the 64-bit ones (each end moved to the nearest value whose
 * low half fits). Repeated until nothing changes. Returns false, with *s bottom, when the
 * components have no common member. Never changes the set s stands for.
 */
bool bpfh_scalar_sync(struct bpfh_scalar *s);

/* Lattice: join (componentwise hull, reduced), meet (componentwise intersection, reduced:
 * exactly the common members), widen and narrow (componentwise, unreduced: bpfh_tnum_widen and
 * the tnums' meet, bpfh_ival_widen and bpfh_ival_narrow with the caller's thresholds). */
struct bpfh_scalar bpfh_scalar_join(const struct bpfh_scalar *a, const struct bpfh_scalar *b);
struct bpfh_scalar bpfh_scalar_meet(const struct bpfh_scalar *a, const struct bpfh_scalar *b);
struct bpfh_scalar bpfh_scalar_widen(const struct bpfh_scalar *a, const struct bpfh_scalar *b,
				     const int64_t *thr, size_t nthr);
struct bpfh_scalar bpfh_scalar_narrow(const struct bpfh_scalar *a, const struct bpfh_scalar *b,
				      const int64_t *thr, size_t nthr);

/* ALU operations, by their ISA semantics. */
enum bpfh_alu {
	BPFH_ALU_ADD,
	BPFH_ALU_SUB,
	BPFH_ALU_MUL,
	BPFH_ALU_DIV,   /* unsigned; x / 0 = 0 */
	BPFH_ALU_SDIV,  /* signed, truncating; x / 0 = 0, INT_MIN / -1 = INT_MIN */
	BPFH_ALU_MOD,   /* unsigned; x % 0 = x */
	BPFH_ALU_SMOD,  /* signed, the dividend's sign; x % 0 = x, x % -1 = 0 */
	BPFH_ALU_OR,
	BPFH_ALU_AND,
	BPFH_ALU_XOR,
	BPFH_ALU_LSH,   /* counts masked to width - 1 */
	BPFH_ALU_RSH,
	BPFH_ALU_ARSH,
	BPFH_ALU_NEG,   /* of dst; src unused */
	BPFH_ALU_MOV,   /* src */
	BPFH_ALU_MOVSX8, /* src's low 8, 16 or 32 bits sign-extended to the width */
	BPFH_ALU_MOVSX16,
	BPFH_ALU_MOVSX32, /* width 64 only */
	/* Byte order, of dst; width unused. On a little-endian host le16/le32/le64 are TRUNC,
	 * be16/be32/be64 and the ALU64 bswap forms are BSWAP. */
	BPFH_ALU_TRUNC16, /* the low 16, 32 or 64 bits, zero-extended */
	BPFH_ALU_TRUNC32,
	BPFH_ALU_TRUNC64,
	BPFH_ALU_BSWAP16, /* the low 2, 4 or 8 bytes reversed, zero-extended */
	BPFH_ALU_BSWAP32,
	BPFH_ALU_BSWAP64,
	BPFH_ALU__COUNT
};

/*
 * The register after `dst OP= src` with a width of 64 (ALU64) or 32 (ALU: the operation on the
 * low halves, the result zero-extended). src is unused (may be NULL) for NEG, TRUNC* and
 * BSWAP*. Bottom in, bottom out. An operation or width the ISA lacks (MOVSX32 at width 32)
 * gives the unknown scalar.
 */
struct bpfh_scalar bpfh_scalar_alu(enum bpfh_alu op, unsigned width, const struct bpfh_scalar *dst,
				   const struct bpfh_scalar *src);

/* Conditions of conditional jumps (dst COND src), compared as 64-bit or as 32-bit (JMP32:
 * the low halves) values. */
enum bpfh_cond {
	BPFH_COND_EQ,
	BPFH_COND_NE,
	BPFH_COND_GT,  /* unsigned */
	BPFH_COND_GE,
	BPFH_COND_LT,
	BPFH_COND_LE,
	BPFH_COND_SGT, /* signed */
	BPFH_COND_SGE,
	BPFH_COND_SLT,
	BPFH_COND_SLE,
	BPFH_COND_SET, /* dst & src != 0 */
	BPFH_COND__COUNT
};

/*
 * Refine *dst and *src for the edge where `dst COND src` is taken (taken = true) or falls
 * through (false). Returns false when no members of dst and src can take that edge: the edge is
 * impossible, and *dst and *src are bottom. Otherwise both keep every pair of members that can
 * take it (reduced). dst and src may be the same object (a register compared with itself).
 */
bool bpfh_scalar_branch(enum bpfh_cond cond, unsigned width, bool taken, struct bpfh_scalar *dst,
			struct bpfh_scalar *src);

#endif
