// SPDX-License-Identifier: MIT
/*
 * Soundness of the scalar domain's ALU transfer functions (src/verify/scalar_alu.c), with the
 * interpreter as the oracle: for every operation at 64 and 32 bits, random scalars of many
 * shapes (constants, ranges around every boundary, tnums, 32-bit ranges, results of other
 * operations), every pair of sampled members run as one instruction on bpfhost's interpreter,
 * and each concrete result must be a member of the abstract result. Also: constants fold
 * exactly, results are reduced, bottom propagates, and precision spot checks.
 */
#include "vtest.h"

#define NM 20

static char s1[256], s2[256], s3[256];

static bool is_unary(enum bpfh_alu op)
{
	return op == BPFH_ALU_NEG || op >= BPFH_ALU_TRUNC16;
}

static bool has_width(enum bpfh_alu op, unsigned w)
{
	if (op >= BPFH_ALU_TRUNC16)
		return w == 64; /* byte order operations have no width */
	return !(op == BPFH_ALU_MOVSX32 && w == 32);
}

/* Shift counts: mostly in range, sometimes needing the mask. */
static struct bpfh_scalar count_scalar(void)
{
	uint64_t a = vt_below(80), b = a + vt_below(8);

	switch (vt_below(4)) {
	case 0:
		return bpfh_scalar_const(vt_below(2) ? vt_below(64) : vt_value());
	case 1:
		return bpfh_scalar_urange(a, b);
	case 2:
		return bpfh_scalar_from_tnum((struct bpfh_tnum){ vt_below(64) & ~vt_bits(2),
								 vt_bits(2) & 0x7f });
	default:
		return vt_scalar();
	}
}

static unsigned long oracle_runs;

static void soundness(void)
{
	uint64_t ma[NM], mb[NM];
	unsigned op, wi, r, i, j, na, nb;
	char name[80];

	for (op = 0; op < BPFH_ALU__COUNT; op++) {
		for (wi = 0; wi < 2; wi++) {
			unsigned w = wi ? 32 : 64;
			struct vt_group g = { 0, 0 }, gr = { 0, 0 };

			if (!has_width((enum bpfh_alu)op, w))
				continue;
			for (r = 0; r < vt_rounds(1500); r++) {
				struct bpfh_scalar a = vt_scalar(), b, res, red;
				bool ok = true;
				uint64_t bx = 0, by = 0, bz = 0;

				if (op == BPFH_ALU_LSH || op == BPFH_ALU_RSH || op == BPFH_ALU_ARSH)
					b = count_scalar();
				else if ((op >= BPFH_ALU_DIV && op <= BPFH_ALU_SMOD) && vt_below(3) == 0)
					b = bpfh_scalar_srange(-2 - (int64_t)vt_below(3),
							       (int64_t)vt_below(4)); /* around 0 and -1 */
				else
					b = vt_scalar();
				res = bpfh_scalar_alu((enum bpfh_alu)op, w, &a, is_unary(op) ? NULL : &b);
				na = (unsigned)vt_members(&a, ma, NM);
				nb = is_unary((enum bpfh_alu)op) ? 1 : (unsigned)vt_members(&b, mb, NM);
				if (is_unary((enum bpfh_alu)op))
					mb[0] = 0;
				for (i = 0; i < na && ok; i++)
					for (j = 0; j < nb && ok; j++) {
						uint64_t z = vt_oracle_alu((enum bpfh_alu)op, w, ma[i], mb[j]);

						oracle_runs++;

						if (!bpfh_scalar_contains(&res, z)) {
							ok = false;
							bx = ma[i];
							by = mb[j];
							bz = z;
						}
					}
				if (!ok) {
					vt_scalar_str(&a, s1, sizeof(s1));
					vt_scalar_str(&b, s2, sizeof(s2));
					vt_scalar_str(&res, s3, sizeof(s3));
				}
				VT_CASE(&g, ok, "%s%u of %s and %s = %s misses 0x%" PRIx64 " op 0x%" PRIx64
					" = 0x%" PRIx64, vt_alu_names[op], w, s1, s2, s3, bx, by, bz);
				red = res;
				bpfh_scalar_sync(&red);
				VT_CASE(&gr, bpfh_scalar_eq(&red, &res), "%s%u result not reduced",
					vt_alu_names[op], w);
			}
			snprintf(name, sizeof(name), "%s%u sound against the interpreter",
				 vt_alu_names[op], w);
			VT_GROUP_END(&g, name);
			snprintf(name, sizeof(name), "%s%u result reduced", vt_alu_names[op], w);
			VT_GROUP_END(&gr, name);
		}
	}
}

/* Constants in, the interpreter's constant out, exactly; bottom in, bottom out. */
static void constants(void)
{
	unsigned op, wi, r;
	char name[80];

	for (op = 0; op < BPFH_ALU__COUNT; op++) {
		for (wi = 0; wi < 2; wi++) {
			unsigned w = wi ? 32 : 64;
			struct vt_group g = { 0, 0 };
			struct bpfh_scalar bot = bpfh_scalar_bottom(), one = bpfh_scalar_const(1), res;

			if (!has_width((enum bpfh_alu)op, w))
				continue;
			for (r = 0; r < vt_rounds(400); r++) {
				uint64_t x = vt_value(), y = vt_value(), z, v = 0;
				struct bpfh_scalar a, b;

				if (op == BPFH_ALU_LSH || op == BPFH_ALU_RSH || op == BPFH_ALU_ARSH)
					y = vt_below(3) ? vt_below(64) : y;
				a = bpfh_scalar_const(x);
				b = bpfh_scalar_const(y);
				res = bpfh_scalar_alu((enum bpfh_alu)op, w, &a, &b);
				z = vt_oracle_alu((enum bpfh_alu)op, w, x, y);
				VT_CASE(&g, bpfh_scalar_is_const(&res, &v) && v == z,
					"%s%u of 0x%" PRIx64 " and 0x%" PRIx64 ": 0x%" PRIx64
					" (const %d), want 0x%" PRIx64, vt_alu_names[op], w, x, y, v,
					bpfh_scalar_is_const(&res, &v), z);
			}
			res = bpfh_scalar_alu((enum bpfh_alu)op, w, &bot, &one);
			VT_CASE(&g, bpfh_scalar_is_bottom(&res), "%s%u of bottom", vt_alu_names[op], w);
			if (!is_unary((enum bpfh_alu)op)) {
				res = bpfh_scalar_alu((enum bpfh_alu)op, w, &one, &bot);
				VT_CASE(&g, bpfh_scalar_is_bottom(&res), "%s%u with bottom",
					vt_alu_names[op], w);
			}
			snprintf(name, sizeof(name), "%s%u folds constants exactly", vt_alu_names[op], w);
			VT_GROUP_END(&g, name);
		}
	}
}

static struct bpfh_scalar alu(enum bpfh_alu op, unsigned w, struct bpfh_scalar a,
			      struct bpfh_scalar b)
{
	return bpfh_scalar_alu(op, w, &a, &b);
}

#define C(v) bpfh_scalar_const(v)
#define U(lo, hi) bpfh_scalar_urange(lo, hi)
#define SR(lo, hi) bpfh_scalar_srange(lo, hi)
#define R64(s, ulo, uhi, slo, shi)                                                            \
	((s).r64.umin == (ulo) && (s).r64.umax == (uhi) && (s).r64.smin == (slo) &&            \
	 (s).r64.smax == (shi))

static void spot_checks(void)
{
	struct bpfh_scalar x = bpfh_scalar_unknown(), r;
	uint64_t v;

	/* masking */
	r = alu(BPFH_ALU_AND, 64, x, C(0xff));
	CHECK(R64(r, 0, 255, 0, 255) && r.var.mask == 0xff && r.r32.umax == 255);
	r = alu(BPFH_ALU_AND, 32, x, C(0xfff));
	CHECK(R64(r, 0, 0xfff, 0, 0xfff));
	/* 32-bit operations zero-extend */
	r = alu(BPFH_ALU_ADD, 32, x, x);
	CHECK(R64(r, 0, 0xffffffff, 0, 0xffffffff) && r.var.mask == 0xffffffff);
	r = alu(BPFH_ALU_MOV, 32, x, SR(-1, -1));
	CHECK(bpfh_scalar_is_const(&r, &v) && v == 0xffffffff);
	/* a packet offset: (x & 0x3f) + 14 */
	r = alu(BPFH_ALU_ADD, 64, alu(BPFH_ALU_AND, 64, x, C(0x3f)), C(14));
	CHECK(R64(r, 14, 77, 14, 77));
	/* shifts */
	r = alu(BPFH_ALU_LSH, 64, U(0, 15), C(2));
	CHECK(R64(r, 0, 60, 0, 60) && r.var.value == 0 && r.var.mask == 0x3c);
	r = alu(BPFH_ALU_RSH, 64, x, C(56));
	CHECK(R64(r, 0, 255, 0, 255));
	r = alu(BPFH_ALU_ARSH, 64, x, C(56));
	CHECK(R64(r, 0, UINT64_MAX, -128, 127));
	r = alu(BPFH_ALU_LSH, 64, C(1), U(0, 3)); /* 1, 2, 4 or 8 */
	CHECK(r.r64.umin == 1 && r.r64.umax == 8 && r.var.mask == 0xf);
	r = alu(BPFH_ALU_LSH, 64, C(1), C(64)); /* the count is masked: 1 << 0 */
	CHECK(bpfh_scalar_is_const(&r, &v) && v == 1);
	r = alu(BPFH_ALU_RSH, 32, C(0x80000000), C(33));
	CHECK(bpfh_scalar_is_const(&r, &v) && v == 0x40000000);
	r = alu(BPFH_ALU_ARSH, 32, C(0x80000000), C(4));
	CHECK(bpfh_scalar_is_const(&r, &v) && v == 0xf8000000);
	/* division by a constant and by an unknown divisor */
	r = alu(BPFH_ALU_DIV, 64, U(0, 1000), C(10));
	CHECK(R64(r, 0, 100, 0, 100));
	r = alu(BPFH_ALU_DIV, 64, U(0, 1000), x);
	CHECK(R64(r, 0, 1000, 0, 1000));
	r = alu(BPFH_ALU_MOD, 64, x, C(16));
	CHECK(R64(r, 0, 15, 0, 15) && r.var.mask == 0xf);
	r = alu(BPFH_ALU_MOD, 64, U(3, 9), C(0)); /* x % 0 = x */
	CHECK(R64(r, 3, 9, 3, 9));
	r = alu(BPFH_ALU_DIV, 32, U(3, 9), C(0)); /* x / 0 = 0 */
	CHECK(bpfh_scalar_is_const(&r, &v) && v == 0);
	r = alu(BPFH_ALU_SMOD, 64, SR(-100, 100), C(10));
	CHECK(r.r64.smin == -9 && r.r64.smax == 9);
	r = alu(BPFH_ALU_SDIV, 64, SR(-100, 100), C(UINT64_MAX)); /* / -1 */
	CHECK(r.r64.smin == -100 && r.r64.smax == 100);
	r = alu(BPFH_ALU_SDIV, 32, C(0x80000000), C(0xffffffff)); /* INT32_MIN / -1 */
	CHECK(bpfh_scalar_is_const(&r, &v) && v == 0x80000000);
	/* sign extension */
	r = alu(BPFH_ALU_MOVSX8, 64, x, x);
	CHECK(R64(r, 0, UINT64_MAX, -128, 127) && r.r32.smin == -128 && r.r32.smax == 127);
	r = alu(BPFH_ALU_MOVSX8, 64, x, U(0, 100));
	CHECK(R64(r, 0, 100, 0, 100));
	r = alu(BPFH_ALU_MOVSX16, 32, x, C(0x8000));
	CHECK(bpfh_scalar_is_const(&r, &v) && v == 0xffff8000);
	r = alu(BPFH_ALU_MOVSX32, 64, x, bpfh_scalar_s32range(-5, 5));
	CHECK(R64(r, 0, UINT64_MAX, -5, 5));
	/* byte order */
	r = bpfh_scalar_alu(BPFH_ALU_BSWAP16, 64, &x, NULL);
	CHECK(R64(r, 0, 0xffff, 0, 0xffff));
	r = alu(BPFH_ALU_BSWAP32, 64, C(0x11223344), x);
	CHECK(bpfh_scalar_is_const(&r, &v) && v == 0x44332211);
	r = alu(BPFH_ALU_TRUNC16, 64, U(0x10005, 0x10007), x);
	CHECK(R64(r, 5, 7, 5, 7));
	r = alu(BPFH_ALU_BSWAP16, 64, alu(BPFH_ALU_AND, 64, x, C(0xff)), x);
	CHECK(r.var.mask == 0xff00 && r.r64.umax == 0xff00);
	/* wrapping arithmetic keeps what it can */
	r = alu(BPFH_ALU_SUB, 64, U(0, 10), C(1));
	CHECK(R64(r, 0, UINT64_MAX, -1, 9));
	r = alu(BPFH_ALU_NEG, 64, U(1, 10), x);
	CHECK(R64(r, UINT64_MAX - 9, UINT64_MAX, -10, -1));
	r = alu(BPFH_ALU_MUL, 64, U(0, 100), U(0, 100));
	CHECK(R64(r, 0, 10000, 0, 10000));
	r = alu(BPFH_ALU_MUL, 32, U(0, 0x10000), U(0, 0x10000));
	CHECK(r.r32.umax == 0xffffffff && r.r64.umax == 0xffffffff);
	r = alu(BPFH_ALU_OR, 64, U(0, 15), C(0x100));
	CHECK(R64(r, 0x100, 0x10f, 0x100, 0x10f));
	r = alu(BPFH_ALU_XOR, 64, x, x);
	CHECK(!bpfh_scalar_is_const(&r, &v)); /* two different unknowns: nothing known */
	/* the 32-bit view of a 64-bit add keeps the 32-bit ranges */
	r = alu(BPFH_ALU_ADD, 64, bpfh_scalar_u32range(0, 10), C(5));
	CHECK(r.r32.umin == 5 && r.r32.umax == 15);
}

int main(void)
{
	vt_seed();
	soundness();
	printf("  (%lu instructions run on the interpreter)\n", oracle_runs);
	constants();
	spot_checks();
	return check_summary("verify-scalar-alu");
}
