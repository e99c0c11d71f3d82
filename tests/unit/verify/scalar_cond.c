// SPDX-License-Identifier: MIT
/*
 * Branch refinement in the scalar domain (src/verify/scalar_cond.c), with the interpreter as the
 * oracle: for every condition at 64 and 32 bits and both edges, random operand pairs (often
 * overlapping, often one constant), every pair of sampled members run through one conditional
 * jump on bpfhost's interpreter; a pair that takes the edge must be kept by the refinement (and
 * the edge must not be declared impossible). Refinement never adds members and leaves reduced
 * values; on constants it decides the edge exactly; a register compared with itself is handled.
 * Then precision spot checks.
 */
#include "vtest.h"

#define NM 24

static char s1[256], s2[256], s3[256], s4[256];

/* A second operand related to the first: overlapping it, or one of its members. */
static struct bpfh_scalar partner(const struct bpfh_scalar *a)
{
	uint64_t m[4];
	size_t n;

	switch (vt_below(5)) {
	case 0:
		n = vt_members(a, m, 4);
		return bpfh_scalar_const(n ? m[vt_below(n)] : vt_value());
	case 1:
		return bpfh_scalar_const(vt_value());
	case 2: {
		uint64_t lo = a->r64.umin + vt_below(5), hi = lo + vt_below(100);

		return bpfh_scalar_urange(lo, hi < lo ? UINT64_MAX : hi);
	}
	default:
		return vt_scalar();
	}
}

static unsigned long oracle_runs;

static void soundness(void)
{
	uint64_t ma[NM], mb[NM];
	unsigned c, wi, t, r, i, j, na, nb;
	char name[80];

	for (c = 0; c < BPFH_COND__COUNT; c++)
		for (wi = 0; wi < 2; wi++)
			for (t = 0; t < 2; t++) {
				unsigned w = wi ? 32 : 64;
				bool taken = t;
				struct vt_group g = { 0, 0 }, gs = { 0, 0 };

				for (r = 0; r < vt_rounds(1500); r++) {
					struct bpfh_scalar a = vt_scalar(), b, a2, b2, ra, rb;
					bool ok = true, possible;
					uint64_t bx = 0, by = 0;

					b = vt_below(2) ? partner(&a) : vt_scalar();
					if (vt_below(2)) {
						struct bpfh_scalar tmp = a; /* either side constant */

						a = b;
						b = tmp;
					}
					a2 = a;
					b2 = b;
					possible = bpfh_scalar_branch((enum bpfh_cond)c, w, taken, &a2, &b2);
					na = (unsigned)vt_members(&a, ma, NM);
					nb = (unsigned)vt_members(&b, mb, NM);
					for (i = 0; i < na && ok; i++)
						for (j = 0; j < nb && ok; j++) {
							oracle_runs++;
							if (vt_oracle_cond((enum bpfh_cond)c, w, ma[i], mb[j]) != taken)
								continue;
							if (!possible || !bpfh_scalar_contains(&a2, ma[i]) ||
							    !bpfh_scalar_contains(&b2, mb[j])) {
								ok = false;
								bx = ma[i];
								by = mb[j];
							}
						}
					if (!ok) {
						vt_scalar_str(&a, s1, sizeof(s1));
						vt_scalar_str(&b, s2, sizeof(s2));
						vt_scalar_str(&a2, s3, sizeof(s3));
						vt_scalar_str(&b2, s4, sizeof(s4));
					}
					VT_CASE(&g, ok, "%s%s %s: %s and %s became %s and %s (possible %d), "
						"losing 0x%" PRIx64 ", 0x%" PRIx64, vt_cond_names[c],
						w == 32 ? "32" : "", taken ? "taken" : "not taken", s1, s2,
						s3, s4, possible, bx, by);
					ra = a2;
					rb = b2;
					bpfh_scalar_sync(&ra);
					bpfh_scalar_sync(&rb);
					VT_CASE(&gs, bpfh_scalar_leq(&a2, &a) && bpfh_scalar_leq(&b2, &b) &&
						bpfh_scalar_eq(&ra, &a2) && bpfh_scalar_eq(&rb, &b2) &&
						(possible || (bpfh_scalar_is_bottom(&a2) &&
							      bpfh_scalar_is_bottom(&b2))),
						"%s%u: refinement grew or is not reduced", vt_cond_names[c], w);
				}
				snprintf(name, sizeof(name), "%s%s %s sound against the interpreter",
					 vt_cond_names[c], w == 32 ? "32" : "",
					 taken ? "taken" : "not taken");
				VT_GROUP_END(&g, name);
				snprintf(name, sizeof(name), "%s%s %s refines (never grows), reduced",
					 vt_cond_names[c], w == 32 ? "32" : "",
					 taken ? "taken" : "not taken");
				VT_GROUP_END(&gs, name);
			}
}

/* Constants: the edge is possible exactly when the interpreter takes it; a register compared
 * with itself. */
static void constants_and_aliases(void)
{
	unsigned c, wi, r;
	char name[80];

	for (c = 0; c < BPFH_COND__COUNT; c++)
		for (wi = 0; wi < 2; wi++) {
			unsigned w = wi ? 32 : 64;
			struct vt_group g = { 0, 0 }, ga = { 0, 0 };

			for (r = 0; r < vt_rounds(500); r++) {
				uint64_t x = vt_value(), y = vt_below(4) ? vt_value() : x, m[NM];
				struct bpfh_scalar a = bpfh_scalar_const(x), b = bpfh_scalar_const(y), s;
				bool jump = vt_oracle_cond((enum bpfh_cond)c, w, x, y), ok = true;
				bool pt, pn;
				size_t n, i;

				pt = bpfh_scalar_branch((enum bpfh_cond)c, w, true, &a, &b);
				a = bpfh_scalar_const(x);
				b = bpfh_scalar_const(y);
				pn = bpfh_scalar_branch((enum bpfh_cond)c, w, false, &a, &b);
				VT_CASE(&g, pt == jump && pn == !jump, "%s%u on 0x%" PRIx64 ", 0x%" PRIx64,
					vt_cond_names[c], w, x, y);

				/* the same object as both operands */
				s = vt_scalar();
				n = vt_members(&s, m, NM);
				for (i = 0; i < 2; i++) {
					struct bpfh_scalar self = s;
					bool p = bpfh_scalar_branch((enum bpfh_cond)c, w, i, &self, &self);
					size_t k;

					for (k = 0; k < n; k++)
						if (vt_oracle_cond((enum bpfh_cond)c, w, m[k], m[k]) == (bool)i &&
						    (!p || !bpfh_scalar_contains(&self, m[k])))
							ok = false;
				}
				VT_CASE(&ga, ok, "%s%u with itself", vt_cond_names[c], w);
			}
			snprintf(name, sizeof(name), "%s%s decides constants exactly", vt_cond_names[c],
				 w == 32 ? "32" : "");
			VT_GROUP_END(&g, name);
			snprintf(name, sizeof(name), "%s%s with itself sound", vt_cond_names[c],
				 w == 32 ? "32" : "");
			VT_GROUP_END(&ga, name);
		}
}

#define C(v) bpfh_scalar_const(v)
#define U(lo, hi) bpfh_scalar_urange(lo, hi)

/* Refine copies of a and b; returns whether the edge is possible. */
static bool br(enum bpfh_cond c, unsigned w, bool taken, struct bpfh_scalar *a,
	       struct bpfh_scalar b)
{
	return bpfh_scalar_branch(c, w, taken, a, &b);
}

static void spot_checks(void)
{
	struct bpfh_scalar x, y;
	uint64_t v;

	/* if x < 10: taken umax 9, fall-through umin 10 */
	x = bpfh_scalar_unknown();
	CHECK(br(BPFH_COND_LT, 64, true, &x, C(10)) && x.r64.umax == 9 && x.r64.umin == 0 &&
	      x.r64.smin == 0 && x.r64.smax == 9 && x.r32.umax == 9);
	x = bpfh_scalar_unknown();
	CHECK(br(BPFH_COND_LT, 64, false, &x, C(10)) && x.r64.umin == 10);
	/* a packet length check: len > 13 after len in [0, 1500] */
	x = U(0, 1500);
	CHECK(br(BPFH_COND_GT, 64, true, &x, C(13)) && x.r64.umin == 14 && x.r64.umax == 1500);
	/* signed */
	x = bpfh_scalar_unknown();
	CHECK(br(BPFH_COND_SGT, 64, true, &x, C(UINT64_MAX)) && x.r64.smin == 0 &&
	      x.r64.umax == INT64_MAX);
	x = bpfh_scalar_unknown();
	CHECK(br(BPFH_COND_SLT, 64, true, &x, C(0)) && x.r64.smax == -1 &&
	      x.r64.umin == UINT64_C(0x8000000000000000));
	/* equality makes a constant, and impossible edges are found */
	x = U(0, 100);
	CHECK(br(BPFH_COND_EQ, 64, true, &x, C(42)) && bpfh_scalar_is_const(&x, &v) && v == 42);
	x = U(0, 100);
	CHECK(!br(BPFH_COND_EQ, 64, true, &x, C(142)) && bpfh_scalar_is_bottom(&x));
	x = U(0, 100);
	CHECK(!br(BPFH_COND_GT, 64, true, &x, C(100)));
	x = U(0, 100);
	CHECK(!br(BPFH_COND_LE, 64, false, &x, C(100)));
	/* jne trims the ends */
	x = U(0, 100);
	CHECK(br(BPFH_COND_NE, 64, true, &x, C(0)) && x.r64.umin == 1);
	x = U(0, 1);
	CHECK(br(BPFH_COND_NE, 64, true, &x, C(1)) && bpfh_scalar_is_const(&x, &v) && v == 0);
	/* both operands refined */
	x = U(0, 100);
	y = U(50, 200);
	CHECK(bpfh_scalar_branch(BPFH_COND_GT, 64, true, &x, &y) && x.r64.umin == 51 &&
	      y.r64.umax == 99);
	/* 32-bit compares refine the low half, and through it the register */
	x = U(0, 0xffffffff);
	CHECK(br(BPFH_COND_LT, 32, true, &x, C(16)) && x.r64.umax == 15);
	x = bpfh_scalar_unknown();
	CHECK(br(BPFH_COND_LT, 32, true, &x, C(16)) && x.r32.umax == 15 && x.var.mask == ~UINT64_C(0xfffffff0));
	x = bpfh_scalar_unknown();
	CHECK(br(BPFH_COND_EQ, 32, true, &x, C(7)) && x.r32.umin == 7 && x.r32.umax == 7 &&
	      x.var.value == 7 && x.var.mask == ~UINT64_C(0xffffffff));
	/* jset */
	x = bpfh_scalar_unknown();
	CHECK(br(BPFH_COND_SET, 64, false, &x, C(0xf)) && x.var.mask == ~UINT64_C(0xf) &&
	      x.r64.umin == 0);
	x = U(0, 0xff);
	CHECK(br(BPFH_COND_SET, 64, true, &x, C(0x80)) && x.r64.umin == 0x80 && x.var.value == 0x80);
	x = U(0, 0xf);
	CHECK(!br(BPFH_COND_SET, 64, true, &x, C(0x10)));
	x = C(3);
	CHECK(!br(BPFH_COND_SET, 64, false, &x, C(1)));
	x = U(0, 0xff);
	CHECK(br(BPFH_COND_SET, 64, true, &x, bpfh_scalar_unknown()) && x.r64.umin == 1);
	/* bottom in: impossible */
	x = bpfh_scalar_bottom();
	CHECK(!br(BPFH_COND_EQ, 64, true, &x, C(0)));
}

int main(void)
{
	vt_seed();
	soundness();
	printf("  (%lu jumps run on the interpreter)\n", oracle_runs);
	constants_and_aliases();
	spot_checks();
	return check_summary("verify-scalar-cond");
}
