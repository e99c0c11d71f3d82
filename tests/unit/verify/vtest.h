/* SPDX-License-Identifier: MIT */
/*
 * Shared by the abstract domains' unit tests: a seeded random generator (BPFH_SEED overrides
 * the fixed seed; BPFH_VERIFY_ROUNDS scales the sampling), "interesting" 64-bit values (powers of
 * two, sign and width boundaries, and their neighbours), random scalars of many shapes, members
 * sampled from a scalar (every member when there are few), the interpreter as the oracle of
 * one ALU instruction or one conditional jump, and group checks: one pass or fail per property
 * with the first counterexamples printed, so the counts stay meaningful.
 */
#ifndef BPFH_TEST_VTEST_H
#define BPFH_TEST_VTEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "../check.h"
#include "../../../src/verify/bits.h"
#include "../../../src/verify/scalar.h"

/* ---- random numbers ---- */

static uint64_t vt_state = UINT64_C(0x9e3779b97f4a7c15);

static inline void vt_seed(void)
{
	const char *s = getenv("BPFH_SEED");

	if (s && *s)
		vt_state = strtoull(s, NULL, 0) | 1;
}

static inline uint64_t vt_rand(void)
{
	/* xorshift64* */
	vt_state ^= vt_state >> 12;
	vt_state ^= vt_state << 25;
	vt_state ^= vt_state >> 27;
	return vt_state * UINT64_C(2685821657736338717);
}

static inline uint64_t vt_below(uint64_t n)
{
	return n ? vt_rand() % n : 0;
}

/* Sampling effort: BPFH_VERIFY_ROUNDS=N multiplies the default counts by N / 4. */
static inline unsigned vt_rounds(unsigned base)
{
	const char *s = getenv("BPFH_VERIFY_ROUNDS");
	unsigned long n;

	if (!s || !*s)
		return base;
	n = strtoul(s, NULL, 0);
	return (unsigned)(base * n / 4) + 1;
}

static const uint64_t vt_specials[] = {
	0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
	0x10000, 0x7fffffff, 0x80000000, 0xffffffff, UINT64_C(0x100000000), UINT64_C(0x1ffffffff),
	UINT64_C(0x7fffffffffffffff), UINT64_C(0x8000000000000000), UINT64_C(0xffffffff00000000),
	UINT64_C(0xffffffff80000000), UINT64_C(0xffffffff7fffffff), UINT64_MAX, UINT64_MAX - 1,
	UINT64_C(0xfffffffffffffff0), UINT64_C(0x8000000080000000),
};
#define VT_NSPECIALS (sizeof(vt_specials) / sizeof(vt_specials[0]))

/* A value near a boundary, a small one, a negative small one or a fully random one. */
static inline uint64_t vt_value(void)
{
	switch (vt_below(6)) {
	case 0:
	case 1:
		return vt_specials[vt_below(VT_NSPECIALS)] + vt_below(5) - 2;
	case 2:
		return vt_below(300);
	case 3:
		return 0 - vt_below(300);
	case 4:
		return vt_rand() >> vt_below(64);
	default:
		return vt_rand();
	}
}

/* A random mask with about k set bits. */
static inline uint64_t vt_bits(unsigned k)
{
	uint64_t m = 0;

	while (k--)
		m |= UINT64_C(1) << vt_below(64);
	return m;
}

/* ---- scalars ---- */

static inline struct bpfh_scalar vt_scalar_depth(unsigned depth);

static inline struct bpfh_scalar vt_scalar(void)
{
	return vt_scalar_depth(0);
}

static inline struct bpfh_scalar vt_scalar_depth(unsigned depth)
{
	struct bpfh_scalar s, t;
	uint64_t a, m;
	unsigned i, n;

	switch (vt_below(depth < 2 ? 13 : 10)) {
	case 0:
		return bpfh_scalar_const(vt_value());
	case 1:
		a = vt_value();
		m = vt_below(40);
		return bpfh_scalar_urange(a, a + m >= a ? a + m : UINT64_MAX);
	case 2:
		a = vt_value();
		m = vt_below(40);
		return bpfh_scalar_srange(bpfh_u2s(a),
					  bpfh_u2s(a) > INT64_MAX - (int64_t)m ?
					  INT64_MAX : bpfh_u2s(a) + (int64_t)m);
	case 3: {
		struct bpfh_tnum tn;

		m = vt_below(3) ? vt_bits((unsigned)vt_below(12)) : vt_rand() >> vt_below(64);
		tn.mask = m;
		tn.value = vt_value() & ~m;
		return bpfh_scalar_from_tnum(tn);
	}
	case 4:
		s = bpfh_scalar_bottom();
		n = 2 + (unsigned)vt_below(3);
		for (i = 0; i < n; i++) {
			t = bpfh_scalar_const(vt_value());
			s = bpfh_scalar_join(&s, &t);
		}
		return s;
	case 5:
		a = vt_value() & 0xffffffff;
		m = vt_below(3) ? vt_below(100) : vt_rand() & 0xffffffff;
		return bpfh_scalar_u32range((uint32_t)a, (uint32_t)(a + m > 0xffffffff ? 0xffffffff : a + m));
	case 6: {
		int32_t lo = (int32_t)(uint32_t)vt_value();

		m = vt_below(100);
		return bpfh_scalar_s32range(lo, (int64_t)lo + (int64_t)m > INT32_MAX ?
					    INT32_MAX : (int32_t)(lo + (int32_t)m));
	}
	case 7:
		return bpfh_scalar_unknown();
	case 8:
		a = vt_value();
		m = vt_value();
		return a <= m ? bpfh_scalar_urange(a, m) : bpfh_scalar_urange(m, a);
	case 9: {
		int64_t x = bpfh_u2s(vt_value()), y = bpfh_u2s(vt_value());

		return x <= y ? bpfh_scalar_srange(x, y) : bpfh_scalar_srange(y, x);
	}
	case 10:
		s = vt_scalar_depth(depth + 1);
		t = vt_scalar_depth(depth + 1);
		t = bpfh_scalar_meet(&s, &t);
		return bpfh_scalar_is_bottom(&t) ? s : t;
	default:
		/* the result of an operation: the shapes the verifier will meet */
		s = vt_scalar_depth(depth + 1);
		t = vt_scalar_depth(depth + 1);
		s = bpfh_scalar_alu((enum bpfh_alu)vt_below(BPFH_ALU__COUNT), vt_below(2) ? 64 : 32,
				    &s, &t);
		return bpfh_scalar_is_bottom(&s) ? bpfh_scalar_unknown() : s;
	}
}

/* Up to max members of s in out (all of them when s has few); 0 for bottom. */
static inline size_t vt_members(const struct bpfh_scalar *s, uint64_t *out, size_t max)
{
	size_t n = 0, tries;
	uint64_t x, cands[8];
	unsigned i;

	if (bpfh_scalar_is_bottom(s))
		return 0;
	/* few members: every one */
	if (s->r64.umax - s->r64.umin < max) {
		for (x = s->r64.umin;; x++) {
			if (bpfh_scalar_contains(s, x) && n < max)
				out[n++] = x;
			if (x == s->r64.umax)
				break;
		}
		return n;
	}
	if (bpfh_tnum_unknown_bits(s->var) <= 10 && (UINT64_C(1) << bpfh_tnum_unknown_bits(s->var)) <= max) {
		uint64_t sub = 0;

		do {
			x = s->var.value | sub;
			if (bpfh_scalar_contains(s, x) && n < max)
				out[n++] = x;
			sub = (sub - s->var.mask) & s->var.mask; /* next subset of mask */
		} while (sub);
		return n;
	}
	/* ends and random points, each moved to a member where possible */
	cands[0] = s->r64.umin;
	cands[1] = s->r64.umax;
	cands[2] = (uint64_t)s->r64.smin;
	cands[3] = (uint64_t)s->r64.smax;
	cands[4] = (s->r64.umin & ~UINT64_C(0xffffffff)) | s->r32.umin;
	cands[5] = (s->r64.umax & ~UINT64_C(0xffffffff)) | s->r32.umax;
	cands[6] = s->var.value;
	cands[7] = s->var.value | s->var.mask;
	for (i = 0; i < 8 && n < max; i++)
		if (bpfh_scalar_contains(s, cands[i]))
			out[n++] = cands[i];
	for (tries = 0; n < max && tries < max * 8; tries++) {
		switch (vt_below(5)) {
		case 0:
			x = s->r64.umin + vt_below(s->r64.umax - s->r64.umin + 1 ?
						   s->r64.umax - s->r64.umin + 1 : UINT64_MAX);
			break;
		case 1:
			x = (uint64_t)s->r64.smin +
			    vt_below((uint64_t)s->r64.smax - (uint64_t)s->r64.smin + 1 ?
				     (uint64_t)s->r64.smax - (uint64_t)s->r64.smin + 1 : UINT64_MAX);
			break;
		case 2:
			x = s->var.value | (vt_rand() & s->var.mask);
			break;
		case 3:
			x = cands[vt_below(8)] + vt_below(64) - 32;
			break;
		default:
			x = (vt_rand() & ~UINT64_C(0xffffffff)) |
			    ((s->r32.umin + vt_below(s->r32.umax - s->r32.umin + 1)) & 0xffffffff);
			break;
		}
		if (!bpfh_scalar_contains(s, x)) {
			uint64_t y;

			if (!bpfh_tnum_next_ge(s->var, x, &y) || !bpfh_scalar_contains(s, y))
				continue;
			x = y;
		}
		out[n++] = x;
	}
	return n;
}

static inline void vt_scalar_str(const struct bpfh_scalar *s, char *buf, size_t size)
{
	if (bpfh_scalar_is_bottom(s)) {
		snprintf(buf, size, "bottom");
		return;
	}
	snprintf(buf, size,
		 "{var=(0x%" PRIx64 "/0x%" PRIx64 ") u=[0x%" PRIx64 ",0x%" PRIx64 "] s=[%" PRId64
		 ",%" PRId64 "] u32=[0x%" PRIx64 ",0x%" PRIx64 "] s32=[%" PRId64 ",%" PRId64 "]}",
		 s->var.value, s->var.mask, s->r64.umin, s->r64.umax, s->r64.smin, s->r64.smax,
		 s->r32.umin, s->r32.umax, s->r32.smin, s->r32.smax);
}

/* ---- the interpreter as the oracle ---- */

static const char *const vt_alu_names[BPFH_ALU__COUNT] = {
	"add", "sub", "mul", "div", "sdiv", "mod", "smod", "or", "and", "xor", "lsh", "rsh",
	"arsh", "neg", "mov", "movsx8", "movsx16", "movsx32", "le16", "le32", "le64", "bswap16",
	"bswap32", "bswap64",
};

static const char *const vt_cond_names[BPFH_COND__COUNT] = {
	"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset",
};

/* The instruction computing r0 OP= r2 (or the unary form on r0). */
static inline struct bpfh_insn vt_alu_insn(enum bpfh_alu op, unsigned w)
{
	static const uint8_t opbits[BPFH_ALU__COUNT] = {
		[BPFH_ALU_ADD] = 0x00, [BPFH_ALU_SUB] = 0x10, [BPFH_ALU_MUL] = 0x20,
		[BPFH_ALU_DIV] = 0x30, [BPFH_ALU_SDIV] = 0x30, [BPFH_ALU_MOD] = 0x90,
		[BPFH_ALU_SMOD] = 0x90, [BPFH_ALU_OR] = 0x40, [BPFH_ALU_AND] = 0x50,
		[BPFH_ALU_XOR] = 0xa0, [BPFH_ALU_LSH] = 0x60, [BPFH_ALU_RSH] = 0x70,
		[BPFH_ALU_ARSH] = 0xc0, [BPFH_ALU_NEG] = 0x80, [BPFH_ALU_MOV] = 0xb0,
		[BPFH_ALU_MOVSX8] = 0xb0, [BPFH_ALU_MOVSX16] = 0xb0, [BPFH_ALU_MOVSX32] = 0xb0,
	};
	struct bpfh_insn in;
	uint8_t cls = w == 64 ? 0x07 : 0x04;

	memset(&in, 0, sizeof(in));
	in.dst = 0;
	switch (op) {
	case BPFH_ALU_NEG:
		in.code = cls | 0x80;
		break;
	case BPFH_ALU_TRUNC16:
	case BPFH_ALU_TRUNC32:
	case BPFH_ALU_TRUNC64:
		in.code = 0xd4; /* le: truncation on a little-endian host */
		in.imm = op == BPFH_ALU_TRUNC16 ? 16 : op == BPFH_ALU_TRUNC32 ? 32 : 64;
		break;
	case BPFH_ALU_BSWAP16:
	case BPFH_ALU_BSWAP32:
	case BPFH_ALU_BSWAP64:
		in.code = 0xd7;
		in.imm = op == BPFH_ALU_BSWAP16 ? 16 : op == BPFH_ALU_BSWAP32 ? 32 : 64;
		break;
	default:
		in.code = cls | 0x08 | opbits[op];
		in.src = 2;
		if (op == BPFH_ALU_SDIV || op == BPFH_ALU_SMOD)
			in.off = 1;
		if (op == BPFH_ALU_MOVSX8)
			in.off = 8;
		if (op == BPFH_ALU_MOVSX16)
			in.off = 16;
		if (op == BPFH_ALU_MOVSX32)
			in.off = 32;
		break;
	}
	return in;
}

static inline struct bpfh_exec *vt_prepare(const struct bpfh_insn *insns, size_t n)
{
	struct bpfh_exec *exec = NULL;
	char logbuf[512];
	struct bpfh_log log;

	/* the oracle: straight-line arithmetic on given values, run knowingly unverified */
	static const struct bpfh_exec_opts opts = { .sz = sizeof(opts),
						    .verdict = BPFH_EXEC_UNVERIFIED };

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (bpfh_exec_create(BPFH_ENGINE_INTERP, insns, n, &opts, &log, &exec)) {
		printf("cannot prepare an oracle program: %s\n", logbuf);
		exit(2);
	}
	return exec;
}

static inline uint64_t vt_run(const struct bpfh_exec *exec, uint64_t r1, uint64_t r2)
{
	struct bpfh_run run;
	uint64_t r0 = 0;

	memset(&run, 0, sizeof(run));
	run.args[0] = r1;
	run.args[1] = r2;
	if (bpfh_exec_run(exec, &run, &r0)) {
		printf("oracle run failed\n");
		exit(2);
	}
	return r0;
}

/* r0 = r1; r0 OP= r2; exit, run on the interpreter. */
static inline uint64_t vt_oracle_alu(enum bpfh_alu op, unsigned w, uint64_t dst, uint64_t src)
{
	static struct bpfh_exec *cache[BPFH_ALU__COUNT][2];
	struct bpfh_exec **e = &cache[op][w == 64];

	if (!*e) {
		struct bpfh_insn p[3];

		memset(p, 0, sizeof(p));
		p[0].code = 0xbf; /* r0 = r1 */
		p[0].src = 1;
		p[1] = vt_alu_insn(op, w);
		p[2].code = 0x95;
		*e = vt_prepare(p, 3);
	}
	return vt_run(*e, dst, src);
}

/* Whether `if r1 COND r2` jumps, compared at width w, run on the interpreter. */
static inline bool vt_oracle_cond(enum bpfh_cond c, unsigned w, uint64_t dst, uint64_t src)
{
	static const uint8_t opbits[BPFH_COND__COUNT] = {
		[BPFH_COND_EQ] = 0x10, [BPFH_COND_NE] = 0x50, [BPFH_COND_GT] = 0x20,
		[BPFH_COND_GE] = 0x30, [BPFH_COND_LT] = 0xa0, [BPFH_COND_LE] = 0xb0,
		[BPFH_COND_SGT] = 0x60, [BPFH_COND_SGE] = 0x70, [BPFH_COND_SLT] = 0xc0,
		[BPFH_COND_SLE] = 0xd0, [BPFH_COND_SET] = 0x40,
	};
	static struct bpfh_exec *cache[BPFH_COND__COUNT][2];
	struct bpfh_exec **e = &cache[c][w == 64];

	if (!*e) {
		struct bpfh_insn p[5];

		memset(p, 0, sizeof(p));
		p[0].code = (w == 64 ? 0x05 : 0x06) | 0x08 | opbits[c];
		p[0].dst = 1;
		p[0].src = 2;
		p[0].off = 2;
		p[1].code = 0xb7; /* r0 = 0 */
		p[2].code = 0x95;
		p[3].code = 0xb7; /* r0 = 1 */
		p[3].imm = 1;
		p[4].code = 0x95;
		*e = vt_prepare(p, 5);
	}
	return vt_run(*e, dst, src) != 0;
}

/* ---- group checks ---- */

struct vt_group {
	unsigned long checked, failed;
};

/* Count one case of a property; print the first few failures with their explanation. */
#define VT_CASE(g, ok, ...)                                  \
	do {                                                 \
		(g)->checked++;                              \
		if (!(ok)) {                                 \
			if ((g)->failed++ < 5) {             \
				printf("  counterexample: "); \
				printf(__VA_ARGS__);         \
				printf("\n");                \
			}                                    \
		}                                            \
	} while (0)

/* One pass or fail for the whole group. */
#define VT_GROUP_END(g, ...)                                                                 \
	CHECKF((g)->failed == 0 && (g)->checked > 0, "%lu of %lu cases failed in %s",          \
	       (g)->failed, (g)->checked, __VA_ARGS__)

#endif
