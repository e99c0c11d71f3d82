// SPDX-License-Identifier: MIT
/*
 * The scalar domain's lattice (src/verify/scalar.c) on random scalars of many shapes: the
 * reduction keeps every member of an arbitrary (unreduced) combination of components, drops
 * nothing else it should keep, is idempotent and leaves the bounds members; join is an upper
 * bound, commutative and idempotent; meet is exactly the common members, commutative and
 * idempotent; leq is a partial order and implies inclusion; widening is an upper bound and
 * widening sequences stabilise, narrowing stays between its operands; and precision spot checks
 * of the constructors and the reduction.
 */
#include "vtest.h"

#define NM 48

static char s1[256], s2[256], s3[256];

/* An arbitrary combination of components, not reduced (possibly empty). */
static struct bpfh_scalar raw_scalar(void)
{
	struct bpfh_scalar s = bpfh_scalar_unknown();
	uint64_t a = vt_value(), b = vt_value();

	if (vt_below(2)) {
		s.var.mask = vt_below(2) ? vt_bits((unsigned)vt_below(20)) : vt_rand() >> vt_below(64);
		s.var.value = vt_value() & ~s.var.mask;
	}
	if (vt_below(2)) {
		s.r64.umin = a < b ? a : b;
		s.r64.umax = a < b ? b : a;
	}
	if (vt_below(2)) {
		int64_t x = bpfh_u2s(vt_value()), y = bpfh_u2s(vt_value());

		s.r64.smin = x < y ? x : y;
		s.r64.smax = x < y ? y : x;
	}
	if (vt_below(2)) {
		a = vt_value() & 0xffffffff;
		b = vt_value() & 0xffffffff;
		s.r32.umin = a < b ? a : b;
		s.r32.umax = a < b ? b : a;
	}
	if (vt_below(2)) {
		int64_t x = (int32_t)(uint32_t)vt_value(), y = (int32_t)(uint32_t)vt_value();

		s.r32.smin = x < y ? x : y;
		s.r32.smax = x < y ? y : x;
	}
	return s;
}

/* Membership by the definition, for unreduced values. */
static bool raw_contains(const struct bpfh_scalar *s, uint64_t x)
{
	uint64_t lo = x & 0xffffffff;
	int64_t sx = bpfh_u2s(x), slo = (int32_t)(uint32_t)lo;

	return (x & ~s->var.mask) == s->var.value && (s->var.value & s->var.mask) == 0 &&
	       s->r64.umin <= x && x <= s->r64.umax && s->r64.smin <= sx && sx <= s->r64.smax &&
	       s->r32.umin <= lo && lo <= s->r32.umax && s->r32.smin <= slo && slo <= s->r32.smax;
}

static void reduction(void)
{
	struct vt_group gk = { 0, 0 }, gi = { 0, 0 }, gb = { 0, 0 }, ge = { 0, 0 };
	uint64_t m[NM];
	unsigned r, i, n;

	for (r = 0; r < vt_rounds(20000); r++) {
		struct bpfh_scalar raw = raw_scalar(), s = raw, t;
		bool ok = true, nonempty;
		uint64_t bad = 0;

		nonempty = bpfh_scalar_sync(&s);
		/* points that raw contains: ends of its components, moved to tnum members */
		{
			uint64_t c[12];

			c[0] = raw.r64.umin;
			c[1] = raw.r64.umax;
			c[2] = bpfh_s2u(raw.r64.smin);
			c[3] = bpfh_s2u(raw.r64.smax);
			c[4] = (raw.r64.umin & ~UINT64_C(0xffffffff)) | raw.r32.umin;
			c[5] = (raw.r64.umax & ~UINT64_C(0xffffffff)) | raw.r32.umax;
			c[6] = (raw.r64.umin & ~UINT64_C(0xffffffff)) | (bpfh_s2u(raw.r32.smin) & 0xffffffff);
			c[7] = raw.var.value;
			c[8] = raw.var.value | raw.var.mask;
			c[9] = vt_rand();
			c[10] = raw.r64.umin + vt_below(1000);
			c[11] = raw.r64.umax - vt_below(1000);
			for (i = 0; i < 12 * 8; i++) {
				uint64_t x = c[i % 12] + (i < 12 ? 0 : vt_below(64) - 32), y;

				if (bpfh_tnum_next_ge(raw.var, x, &y))
					x = y;
				if (raw_contains(&raw, x) && !bpfh_scalar_contains(&s, x)) {
					ok = false;
					bad = x;
				}
				if (!raw_contains(&raw, x) && bpfh_scalar_contains(&s, x)) {
					ok = false;
					bad = x;
				}
			}
		}
		vt_scalar_str(&raw, s1, sizeof(s1));
		vt_scalar_str(&s, s2, sizeof(s2));
		VT_CASE(&gk, ok, "sync of %s = %s changes membership of 0x%" PRIx64, s1, s2, bad);
		t = s;
		bpfh_scalar_sync(&t);
		VT_CASE(&gi, bpfh_scalar_eq(&t, &s), "sync of %s not idempotent", s2);
		VT_CASE(&gb, !nonempty || (bpfh_scalar_contains(&s, s.r64.umin) &&
					   bpfh_scalar_contains(&s, s.r64.umax) &&
					   bpfh_scalar_contains(&s, bpfh_s2u(s.r64.smin)) &&
					   bpfh_scalar_contains(&s, bpfh_s2u(s.r64.smax))),
			"bounds of %s are not members", s2);
		/* members of generated scalars are members of the sync of any raw form */
		s = vt_scalar();
		n = (unsigned)vt_members(&s, m, NM);
		for (i = 0; i < n; i++)
			VT_CASE(&ge, bpfh_scalar_contains(&s, m[i]), "sampled non-member");
		VT_CASE(&ge, bpfh_scalar_is_bottom(&s) || n > 0, "no members sampled");
	}
	VT_GROUP_END(&gk, "scalar sync keeps exactly the members");
	VT_GROUP_END(&gi, "scalar sync idempotent");
	VT_GROUP_END(&gb, "scalar sync leaves the 64-bit bounds members");
	VT_GROUP_END(&ge, "scalar generators produce members");
}

static void lattice(void)
{
	struct vt_group gj = { 0, 0 }, gm = { 0, 0 }, gl = { 0, 0 }, ga = { 0, 0 };
	uint64_t ma[NM], mb[NM];
	unsigned r, i, na, nb;
	unsigned long assoc_exact = 0, assoc_total = 0;

	for (r = 0; r < vt_rounds(20000); r++) {
		struct bpfh_scalar a = vt_scalar(), b = vt_scalar(), c = vt_scalar();
		struct bpfh_scalar j = bpfh_scalar_join(&a, &b), j2 = bpfh_scalar_join(&b, &a);
		struct bpfh_scalar mt = bpfh_scalar_meet(&a, &b), mt2 = bpfh_scalar_meet(&b, &a);
		struct bpfh_scalar aa = bpfh_scalar_join(&a, &a), am = bpfh_scalar_meet(&a, &a);
		struct bpfh_scalar sub = vt_below(2) ? mt : bpfh_scalar_meet(&a, &c);
		bool ok = true;

		if (vt_below(4) == 0)
			b = bpfh_scalar_meet(&a, &b);
		vt_scalar_str(&a, s1, sizeof(s1));
		vt_scalar_str(&b, s2, sizeof(s2));
		na = (unsigned)vt_members(&a, ma, NM);
		nb = (unsigned)vt_members(&b, mb, NM);
		j = bpfh_scalar_join(&a, &b);
		j2 = bpfh_scalar_join(&b, &a);
		mt = bpfh_scalar_meet(&a, &b);
		mt2 = bpfh_scalar_meet(&b, &a);
		for (i = 0; i < na; i++)
			ok = ok && bpfh_scalar_contains(&j, ma[i]) &&
			     bpfh_scalar_contains(&mt, ma[i]) == bpfh_scalar_contains(&b, ma[i]);
		for (i = 0; i < nb; i++)
			ok = ok && bpfh_scalar_contains(&j, mb[i]) &&
			     bpfh_scalar_contains(&mt, mb[i]) == bpfh_scalar_contains(&a, mb[i]);
		VT_CASE(&gj, ok && bpfh_scalar_leq(&a, &j) && bpfh_scalar_leq(&b, &j) &&
			bpfh_scalar_eq(&j, &j2) && bpfh_scalar_eq(&aa, &a),
			"join of %s and %s", s1, s2);
		VT_CASE(&gm, ok && bpfh_scalar_leq(&mt, &a) && bpfh_scalar_leq(&mt, &b) &&
			bpfh_scalar_eq(&mt, &mt2) && bpfh_scalar_eq(&am, &a),
			"meet of %s and %s", s1, s2);
		/* order: reflexive, antisymmetric, transitive, and it implies inclusion */
		ok = bpfh_scalar_leq(&a, &a) &&
		     (!bpfh_scalar_leq(&a, &b) || !bpfh_scalar_leq(&b, &a) || bpfh_scalar_eq(&a, &b)) &&
		     (!bpfh_scalar_leq(&sub, &a) || !bpfh_scalar_leq(&a, &j) || bpfh_scalar_leq(&sub, &j)) &&
		     bpfh_scalar_leq(&sub, &a);
		if (bpfh_scalar_leq(&a, &b))
			for (i = 0; i < na; i++)
				ok = ok && bpfh_scalar_contains(&b, ma[i]);
		VT_CASE(&gl, ok, "order with %s and %s", s1, s2);
		/* associativity: exact for the components; after reduction both groupings are
		 * upper bounds of all three */
		{
			struct bpfh_scalar bc = bpfh_scalar_join(&b, &c), x1, x2;

			x1 = bpfh_scalar_join(&j, &c);
			x2 = bpfh_scalar_join(&a, &bc);
			VT_CASE(&ga, bpfh_scalar_leq(&a, &x1) && bpfh_scalar_leq(&b, &x1) &&
				bpfh_scalar_leq(&c, &x1) && bpfh_scalar_leq(&a, &x2) &&
				bpfh_scalar_leq(&b, &x2) && bpfh_scalar_leq(&c, &x2),
				"join groupings with %s and %s", s1, s2);
			assoc_total++;
			assoc_exact += bpfh_scalar_eq(&x1, &x2);
		}
	}
	VT_GROUP_END(&gj, "scalar join: upper bound, commutative, idempotent");
	VT_GROUP_END(&gm, "scalar meet: exactly the common members, commutative, idempotent");
	VT_GROUP_END(&gl, "scalar leq: partial order, implies inclusion");
	VT_GROUP_END(&ga, "scalar join groupings are upper bounds");
	printf("  (join associative exactly in %lu of %lu random triples)\n", assoc_exact,
	       assoc_total);
}

static void widening(void)
{
	struct vt_group gw = { 0, 0 }, gt = { 0, 0 }, gn = { 0, 0 };
	int64_t thr[3];
	unsigned r, k;

	for (r = 0; r < vt_rounds(2000); r++) {
		struct bpfh_scalar x = vt_scalar(), y, nx;
		size_t nthr = (size_t)vt_below(4);
		unsigned changes = 0;

		for (k = 0; k < nthr; k++)
			thr[k] = bpfh_u2s(vt_value());
		for (k = 0; k < 300; k++) {
			y = vt_scalar();
			if (vt_below(2))
				y = bpfh_scalar_join(&x, &y);
			nx = bpfh_scalar_widen(&x, &y, thr, nthr);
			VT_CASE(&gw, bpfh_scalar_leq(&x, &nx) && bpfh_scalar_leq(&y, &nx),
				"widening not an upper bound");
			changes += !bpfh_scalar_eq(&nx, &x);
			x = nx;
		}
		/* 64 tnum bits, and 4 + 4 bounds each moving at most once per candidate */
		VT_CASE(&gt, changes <= 64 + 8 * (2 * 12 + 3 + 2), "widening changed %u times",
			changes);
		changes = 0;
		for (k = 0; k < 100; k++) {
			y = vt_scalar();
			y = bpfh_scalar_meet(&x, &y);
			if (bpfh_scalar_is_bottom(&y))
				continue;
			nx = bpfh_scalar_narrow(&x, &y, thr, nthr);
			VT_CASE(&gn, bpfh_scalar_leq(&y, &nx) && bpfh_scalar_leq(&nx, &x),
				"narrowing not between its operands");
			changes += !bpfh_scalar_eq(&nx, &x);
			x = nx;
		}
		VT_CASE(&gn, changes <= 64 + 8 * (2 * 12 + 3 + 2), "narrowing changed %u times",
			changes);
	}
	VT_GROUP_END(&gw, "scalar widening is an upper bound");
	VT_GROUP_END(&gt, "scalar widening sequences stabilise");
	VT_GROUP_END(&gn, "scalar narrowing between its operands and stabilising");
}

static void spot_checks(void)
{
	struct bpfh_scalar s, t;
	uint64_t v;

	s = bpfh_scalar_from_tnum((struct bpfh_tnum){ 0, 0xff });
	CHECK(s.r64.umin == 0 && s.r64.umax == 255 && s.r64.smin == 0 && s.r64.smax == 255 &&
	      s.r32.umax == 255 && s.r32.smax == 255);
	s = bpfh_scalar_urange(0, 255);
	CHECK(s.var.value == 0 && s.var.mask == 0xff);
	s = bpfh_scalar_urange(16, 31);
	CHECK(s.var.value == 16 && s.var.mask == 0xf);
	/* [1, 3] and even: 2 */
	s = bpfh_scalar_urange(1, 3);
	t = bpfh_scalar_from_tnum((struct bpfh_tnum){ 0, ~UINT64_C(1) });
	s = bpfh_scalar_meet(&s, &t);
	CHECK(bpfh_scalar_is_const(&s, &v) && v == 2);
	/* a 32-bit range of a value known below 2^32 is its 64-bit range */
	s = bpfh_scalar_u32range(5, 10);
	t = bpfh_scalar_urange(0, 0xffffffff);
	s = bpfh_scalar_meet(&s, &t);
	CHECK(s.r64.umin == 5 && s.r64.umax == 10 && s.r64.smin == 5 && s.r64.smax == 10);
	/* [-1, 1] as a 64-bit signed range: the low half is [-1, 1] as s32 */
	s = bpfh_scalar_srange(-1, 1);
	CHECK(s.r32.smin == -1 && s.r32.smax == 1 && s.r64.umin == 0 && s.r64.umax == UINT64_MAX);
	/* a 64-bit range spanning fewer than 2^32 values across a 2^32 boundary */
	s = bpfh_scalar_urange(UINT64_C(0x1fffffff0), UINT64_C(0x20000000f));
	CHECK(s.r32.smin == -16 && s.r32.smax == 15);
	/* the low half's range pulls in the 64-bit ends */
	s = bpfh_scalar_urange(UINT64_C(0x100000000), UINT64_C(0x3ffffffff));
	t = bpfh_scalar_u32range(10, 20);
	s = bpfh_scalar_meet(&s, &t);
	CHECK(s.r64.umin == UINT64_C(0x10000000a) && s.r64.umax == UINT64_C(0x300000014));
	/* contradictions */
	s = bpfh_scalar_urange(10, 20);
	t = bpfh_scalar_srange(-5, 15);
	s = bpfh_scalar_meet(&s, &t);
	CHECK(!bpfh_scalar_is_bottom(&s) && s.r64.umin == 10 && s.r64.umax == 15 &&
	      s.r64.smax == 15);
	s = bpfh_scalar_urange(10, 20);
	t = bpfh_scalar_srange(-5, 9);
	s = bpfh_scalar_meet(&s, &t);
	CHECK(bpfh_scalar_is_bottom(&s));
	s = bpfh_scalar_const(7);
	CHECK(bpfh_scalar_is_const(&s, &v) && v == 7 && s.r32.smin == 7);
	s = bpfh_scalar_unknown();
	CHECK(!bpfh_scalar_is_const(&s, &v) && bpfh_scalar_contains(&s, 123));
	s = bpfh_scalar_bottom();
	CHECK(bpfh_scalar_is_bottom(&s) && !bpfh_scalar_contains(&s, 0));
	t = bpfh_scalar_const(3);
	s = bpfh_scalar_join(&s, &t);
	CHECK(bpfh_scalar_eq(&s, &t));
	/* join of two constants: the hull, and the bits they share */
	s = bpfh_scalar_const(4);
	t = bpfh_scalar_const(12);
	s = bpfh_scalar_join(&s, &t);
	CHECK(s.r64.umin == 4 && s.r64.umax == 12 && s.var.value == 4 && s.var.mask == 8);
	/* widening a loop counter with the loop's bound as a threshold */
	{
		int64_t thr[] = { 100 };
		struct bpfh_scalar w0 = bpfh_scalar_const(0), w1 = bpfh_scalar_urange(0, 1);

		s = bpfh_scalar_widen(&w0, &w1, thr, 1);
		CHECK(s.r64.umax == 100);
		bpfh_scalar_sync(&s);
		CHECK(s.r64.umax == 100 && s.r32.umax == 100);
		t = bpfh_scalar_urange(0, 99);
		s = bpfh_scalar_narrow(&s, &t, thr, 1);
		CHECK(s.r64.umax == 99);
	}
	vt_scalar_str(&s, s3, sizeof(s3));
}

int main(void)
{
	vt_seed();
	reduction();
	lattice();
	widening();
	spot_checks();
	return check_summary("verify-scalar");
}
