/* SPDX-License-Identifier: MIT */
/*
 * Bit helpers shared by the abstract domains (private to src/verify): conversions between
 * unsigned and signed 64-bit numbers that C leaves to the implementation, written out so the
 * domains behave the same with every compiler; masks of the low n bits for any n up to 64, so
 * no caller shifts by 64; and the highest and lowest set bit without compiler builtins.
 */
#ifndef BPFH_VERIFY_BITS_H
#define BPFH_VERIFY_BITS_H

#include <stdint.h>

#define BPFH_SIGN64 (UINT64_C(1) << 63)

/* Two's complement reinterpretation of u (C converts out-of-range values by implementation
 * choice; this does not depend on it). */
static inline int64_t bpfh_u2s(uint64_t u)
{
	if (u <= (uint64_t)INT64_MAX)
		return (int64_t)u;
	return (int64_t)(u - BPFH_SIGN64) - INT64_MAX - 1;
}

static inline uint64_t bpfh_s2u(int64_t s)
{
	return (uint64_t)s; /* well defined: reduction modulo 2^64 */
}

/* Bits 0 .. n-1 set, for 0 <= n <= 64. */
static inline uint64_t bpfh_low_mask(unsigned n)
{
	return n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

/* 1 + the index of the highest set bit; 0 for 0. */
static inline unsigned bpfh_fls64(uint64_t x)
{
	unsigned n = 0;

	if (x >> 32) {
		n += 32;
		x >>= 32;
	}
	if (x >> 16) {
		n += 16;
		x >>= 16;
	}
	if (x >> 8) {
		n += 8;
		x >>= 8;
	}
	if (x >> 4) {
		n += 4;
		x >>= 4;
	}
	if (x >> 2) {
		n += 2;
		x >>= 2;
	}
	if (x >> 1) {
		n += 1;
		x >>= 1;
	}
	return n + (unsigned)x;
}

/* Index of the lowest set bit of x != 0. */
static inline unsigned bpfh_ffs64(uint64_t x)
{
	return bpfh_fls64(x & (0 - x)) - 1;
}

/* Arithmetic shift right of a signed value (C leaves >> of negatives to the implementation). */
static inline int64_t bpfh_asr(int64_t x, unsigned n)
{
	if (n > 63)
		n = 63;
	if (x >= 0)
		return x >> n;
	return -1 - (int64_t)(bpfh_s2u(-1 - x) >> n);
}

/* Sign-extend the low bits bits of x (1 <= bits <= 64). */
static inline int64_t bpfh_sext(uint64_t x, unsigned bits)
{
	uint64_t m = bpfh_low_mask(bits);
	uint64_t sign = UINT64_C(1) << (bits - 1);

	x &= m;
	return bpfh_u2s(x & sign ? x | ~m : x);
}

#endif
