// SPDX-License-Identifier: MIT
/*
 * The tnum domain (src/verify/tnum.c): the lattice laws on every tnum of 7 and 8 bits (join and
 * meet commutative, idempotent, absorbing, the order a partial order and consistent with them;
 * associativity and transitivity on random triples); exactness against the sets tnums stand for,
 * on every pair of 5-bit tnums (join is the best abstraction of the union, meet the intersection,
 * leq the inclusion, range the best abstraction of an interval); soundness of every operation
 * by enumerating every member of every pair of 4-bit tnums placed at several bit positions of a
 * 64-bit word (so carries cross bytes, words and the sign), and of random 64-bit tnums with few
 * unknown bits; optimality of add, sub and the bitwise operations; the bounds and nearest-member
 * searches against brute force; widening (an upper bound, at most 64 changes, alignment kept);
 * and a few precision spot checks.
 */
#include "vtest.h"

#include "../../../src/verify/tnum.h"

static struct bpfh_tnum T(uint64_t v, uint64_t m)
{
	struct bpfh_tnum t = { v & ~m, m };

	return t;
}

/* The k-bit tnum number i (0 <= i < 3^k): each base-3 digit is 0, 1 or unknown. */
static struct bpfh_tnum nth(unsigned i, unsigned k)
{
	struct bpfh_tnum t = { 0, 0 };
	unsigned b;

	for (b = 0; b < k; b++, i /= 3) {
		if (i % 3 == 1)
			t.value |= UINT64_C(1) << b;
		else if (i % 3 == 2)
			t.mask |= UINT64_C(1) << b;
	}
	return t;
}

static unsigned pow3(unsigned k)
{
	unsigned n = 1;

	while (k--)
		n *= 3;
	return n;
}

/* The best tnum for a set: bits on which all members agree are known. */
struct alpha {
	bool any;
	uint64_t first, diff;
};

static void alpha_add(struct alpha *a, uint64_t x)
{
	if (!a->any) {
		a->any = true;
		a->first = x;
		a->diff = 0;
	}
	a->diff |= a->first ^ x;
}

static struct bpfh_tnum alpha_get(const struct alpha *a)
{
	return a->any ? T(a->first, a->diff) : bpfh_tnum_bottom();
}

static void laws_exhaustive(void)
{
	struct vt_group g1 = { 0, 0 }, g2 = { 0, 0 }, g3 = { 0, 0 };
	unsigned n = pow3(7), n8 = pow3(8), i, j;

	/* single elements, 8 bits, and bottom */
	for (i = 0; i <= n8; i++) {
		struct bpfh_tnum a = i < n8 ? nth(i, 8) : bpfh_tnum_bottom();

		VT_CASE(&g1, bpfh_tnum_eq(bpfh_tnum_join(a, a), a) &&
			bpfh_tnum_eq(bpfh_tnum_meet(a, a), a) && bpfh_tnum_leq(a, a) &&
			bpfh_tnum_leq(bpfh_tnum_bottom(), a) && bpfh_tnum_leq(a, bpfh_tnum_unknown()) &&
			bpfh_tnum_eq(bpfh_tnum_join(a, bpfh_tnum_bottom()), a) &&
			bpfh_tnum_is_bottom(bpfh_tnum_meet(a, bpfh_tnum_bottom())),
			"idempotence/extremes at %u", i);
	}
	VT_GROUP_END(&g1, "tnum idempotence and extremes (all 8-bit)");

	/* pairs, 7 bits */
	for (i = 0; i < n; i++) {
		struct bpfh_tnum a = nth(i, 7);

		for (j = 0; j < n; j++) {
			struct bpfh_tnum b = nth(j, 7);
			struct bpfh_tnum jn = bpfh_tnum_join(a, b), mt = bpfh_tnum_meet(a, b);
			bool le = bpfh_tnum_leq(a, b);

			VT_CASE(&g2, bpfh_tnum_eq(jn, bpfh_tnum_join(b, a)) &&
				bpfh_tnum_eq(mt, bpfh_tnum_meet(b, a)) && bpfh_tnum_leq(a, jn) &&
				bpfh_tnum_leq(b, jn) && bpfh_tnum_leq(mt, a) && bpfh_tnum_leq(mt, b) &&
				bpfh_tnum_eq(bpfh_tnum_join(a, mt), a) &&
				bpfh_tnum_eq(bpfh_tnum_meet(a, jn), a),
				"join/meet laws at (%u, %u)", i, j);
			VT_CASE(&g3, le == bpfh_tnum_eq(jn, b) && le == bpfh_tnum_eq(mt, a) &&
				(!le || !bpfh_tnum_leq(b, a) || bpfh_tnum_eq(a, b)),
				"order laws at (%u, %u)", i, j);
		}
	}
	VT_GROUP_END(&g2, "tnum join/meet commutative, bounds, absorption (all 7-bit pairs)");
	VT_GROUP_END(&g3, "tnum leq consistent with join and meet, antisymmetric (all 7-bit pairs)");
}

static void laws_random(void)
{
	struct vt_group g = { 0, 0 };
	unsigned r, rounds = vt_rounds(200000);

	for (r = 0; r < rounds; r++) {
		struct bpfh_tnum a = nth((unsigned)vt_below(pow3(8)), 8);
		struct bpfh_tnum b = nth((unsigned)vt_below(pow3(8)), 8);
		struct bpfh_tnum c = nth((unsigned)vt_below(pow3(8)), 8);

		if (vt_below(2)) {
			/* also at random positions of 64 bits */
			uint64_t bg = vt_rand(), m = vt_rand() & vt_rand();

			a = T(bg ^ vt_rand(), m & vt_rand());
			b = T(bg ^ (vt_rand() & vt_rand()), m & vt_rand());
			c = T(bg, m & vt_rand());
		}
		VT_CASE(&g, bpfh_tnum_eq(bpfh_tnum_join(bpfh_tnum_join(a, b), c),
					 bpfh_tnum_join(a, bpfh_tnum_join(b, c))) &&
			bpfh_tnum_eq(bpfh_tnum_meet(bpfh_tnum_meet(a, b), c),
				     bpfh_tnum_meet(a, bpfh_tnum_meet(b, c))) &&
			(!bpfh_tnum_leq(a, b) || !bpfh_tnum_leq(b, c) || bpfh_tnum_leq(a, c)),
			"associativity/transitivity at round %u", r);
	}
	VT_GROUP_END(&g, "tnum join/meet associative, leq transitive (random triples)");
}

/* Exactness on 5-bit tnums against their sets. */
static void exactness(void)
{
	struct vt_group gj = { 0, 0 }, gm = { 0, 0 }, gl = { 0, 0 }, gc = { 0, 0 }, gr = { 0, 0 };
	const unsigned k = 5, n = pow3(5);
	unsigned i, j;
	uint64_t lo, hi, x;

	for (i = 0; i < n; i++) {
		struct bpfh_tnum a = nth(i, k);
		unsigned cnt = 0;

		for (x = 0; x < 64; x++)
			cnt += bpfh_tnum_contains(a, x);
		VT_CASE(&gc, cnt == (1u << bpfh_tnum_unknown_bits(a)), "contains at %u", i);
		for (j = 0; j < n; j++) {
			struct bpfh_tnum b = nth(j, k);
			struct alpha un = { false, 0, 0 }, in = { false, 0, 0 };
			bool sub = true;

			for (x = 0; x < 64; x++) {
				bool ia = bpfh_tnum_contains(a, x), ib = bpfh_tnum_contains(b, x);

				if (ia || ib)
					alpha_add(&un, x);
				if (ia && ib)
					alpha_add(&in, x);
				if (ia && !ib)
					sub = false;
			}
			VT_CASE(&gj, bpfh_tnum_eq(bpfh_tnum_join(a, b), alpha_get(&un)),
				"join of %u and %u is not the best", i, j);
			/* the intersection of two tnums is a tnum: meet is exact */
			VT_CASE(&gm, bpfh_tnum_eq(bpfh_tnum_meet(a, b), alpha_get(&in)),
				"meet of %u and %u is not exact", i, j);
			VT_CASE(&gl, bpfh_tnum_leq(a, b) == sub, "leq of %u and %u", i, j);
		}
	}
	for (lo = 0; lo < 256; lo++) {
		for (hi = lo; hi < 256; hi++) {
			struct alpha r = { false, 0, 0 };

			for (x = lo; x <= hi; x++)
				alpha_add(&r, x);
			VT_CASE(&gr, bpfh_tnum_eq(bpfh_tnum_range(lo, hi), alpha_get(&r)),
				"range [%" PRIu64 ", %" PRIu64 "]", lo, hi);
		}
	}
	VT_CASE(&gr, bpfh_tnum_is_bottom(bpfh_tnum_range(5, 4)), "range [5, 4]");
	VT_CASE(&gr, bpfh_tnum_is_unknown(bpfh_tnum_range(0, UINT64_MAX)), "range all");
	VT_GROUP_END(&gc, "tnum contains counts 2^unknown members (all 5-bit)");
	VT_GROUP_END(&gj, "tnum join is the best abstraction of the union (all 5-bit pairs)");
	VT_GROUP_END(&gm, "tnum meet is the intersection (all 5-bit pairs)");
	VT_GROUP_END(&gl, "tnum leq is inclusion (all 5-bit pairs)");
	VT_GROUP_END(&gr, "tnum range is the best abstraction of [lo, hi] (all 8-bit ranges)");
}

/* ---- soundness of the operations ---- */

enum op2 { O_ADD, O_SUB, O_MUL, O_AND, O_OR, O_XOR, O__N };
static const char *const op2_names[O__N] = { "add", "sub", "mul", "and", "or", "xor" };

static struct bpfh_tnum apply2(enum op2 op, struct bpfh_tnum a, struct bpfh_tnum b)
{
	switch (op) {
	case O_ADD: return bpfh_tnum_add(a, b);
	case O_SUB: return bpfh_tnum_sub(a, b);
	case O_MUL: return bpfh_tnum_mul(a, b);
	case O_AND: return bpfh_tnum_and(a, b);
	case O_OR: return bpfh_tnum_or(a, b);
	default: return bpfh_tnum_xor(a, b);
	}
}

static uint64_t concrete2(enum op2 op, uint64_t a, uint64_t b)
{
	switch (op) {
	case O_ADD: return a + b;
	case O_SUB: return a - b;
	case O_MUL: return a * b;
	case O_AND: return a & b;
	case O_OR: return a | b;
	default: return a ^ b;
	}
}

/* A 4-bit tnum placed at bit positions pos[0..3] of a 64-bit word whose other bits are bg. */
static uint64_t spread(uint64_t x, const unsigned *pos)
{
	uint64_t r = 0;
	unsigned i;

	for (i = 0; i < 4; i++)
		if (x & (1u << i))
			r |= UINT64_C(1) << pos[i];
	return r;
}

static struct bpfh_tnum embed(struct bpfh_tnum t, const unsigned *pos, uint64_t bg)
{
	uint64_t place = spread(0xf, pos);

	return T((bg & ~place) | spread(t.value, pos), spread(t.mask, pos));
}

/* Every member of t (at most 2^12 of them). */
static unsigned members(struct bpfh_tnum t, uint64_t *out)
{
	uint64_t sub = 0;
	unsigned n = 0;

	do {
		out[n++] = t.value | sub;
		sub = (sub - t.mask) & t.mask;
	} while (sub);
	return n;
}

static void soundness_binary(void)
{
	static const unsigned places[][4] = {
		{ 0, 1, 2, 3 }, { 0, 1, 62, 63 }, { 30, 31, 32, 33 }, { 6, 7, 8, 9 }, { 3, 17, 40, 63 },
	};
	static uint64_t ma[4096], mb[4096];
	const unsigned n = pow3(4);
	unsigned op, p, i, j, x, y, na, nb, r;

	for (op = 0; op < O__N; op++) {
		struct vt_group g = { 0, 0 }, gr = { 0, 0 }, gopt = { 0, 0 };

		for (p = 0; p < sizeof(places) / sizeof(places[0]); p++) {
			uint64_t bg = p ? vt_rand() : 0;

			for (i = 0; i < n; i++) {
				struct bpfh_tnum a = embed(nth(i, 4), places[p], bg);

				na = members(a, ma);
				for (j = 0; j < n; j++) {
					struct bpfh_tnum b = embed(nth(j, 4), places[p], bg * 3);
					struct bpfh_tnum res = apply2((enum op2)op, a, b);
					struct alpha best = { false, 0, 0 };
					bool ok = true;

					nb = members(b, mb);
					for (x = 0; x < na; x++)
						for (y = 0; y < nb; y++) {
							uint64_t c = concrete2((enum op2)op, ma[x], mb[y]);

							ok = ok && bpfh_tnum_contains(res, c);
							alpha_add(&best, c);
						}
					VT_CASE(&g, ok, "%s of (0x%" PRIx64 "/0x%" PRIx64 ") and (0x%" PRIx64
						"/0x%" PRIx64 ") = (0x%" PRIx64 "/0x%" PRIx64 ") misses a result",
						op2_names[op], a.value, a.mask, b.value, b.mask, res.value,
						res.mask);
					if (op != O_MUL)
						VT_CASE(&gopt, bpfh_tnum_eq(res, alpha_get(&best)),
							"%s of (0x%" PRIx64 "/0x%" PRIx64 ") and (0x%" PRIx64
							"/0x%" PRIx64 ") is not the best", op2_names[op],
							a.value, a.mask, b.value, b.mask);
				}
			}
		}
		/* random 64-bit tnums with up to 6 unknown bits each */
		for (r = 0; r < vt_rounds(1500); r++) {
			struct bpfh_tnum a = T(vt_value(), vt_bits((unsigned)vt_below(7)));
			struct bpfh_tnum b = T(vt_value(), vt_bits((unsigned)vt_below(7)));
			struct bpfh_tnum res = apply2((enum op2)op, a, b);
			bool ok = true;

			na = members(a, ma);
			nb = members(b, mb);
			for (x = 0; x < na; x++)
				for (y = 0; y < nb; y++)
					ok = ok && bpfh_tnum_contains(res, concrete2((enum op2)op, ma[x], mb[y]));
			VT_CASE(&gr, ok, "%s of (0x%" PRIx64 "/0x%" PRIx64 ") and (0x%" PRIx64 "/0x%" PRIx64
				")", op2_names[op], a.value, a.mask, b.value, b.mask);
		}
		VT_GROUP_END(&g, op2_names[op]);
		VT_GROUP_END(&gr, op2_names[op]);
		if (op != O_MUL)
			VT_GROUP_END(&gopt, op2_names[op]);
		/* bottom is absorbing */
		CHECK(bpfh_tnum_is_bottom(apply2((enum op2)op, bpfh_tnum_bottom(), T(1, 2))));
		CHECK(bpfh_tnum_is_bottom(apply2((enum op2)op, T(1, 2), bpfh_tnum_bottom())));
	}
}

static uint64_t bswap_ref(uint64_t x, unsigned size)
{
	uint64_t r = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		r = (r << 8) | ((x >> (8 * i)) & 0xff);
	return r;
}

static void soundness_unary(void)
{
	static uint64_t ma[4096];
	struct vt_group gn = { 0, 0 }, gs = { 0, 0 }, gc = { 0, 0 }, gb = { 0, 0 }, gsub = { 0, 0 };
	unsigned r, i, n, c;

	for (r = 0; r < vt_rounds(3000); r++) {
		struct bpfh_tnum a = T(vt_value(), vt_bits((unsigned)vt_below(9)));
		struct bpfh_tnum s = T(vt_value(), vt_bits((unsigned)vt_below(4)));
		struct bpfh_tnum neg = bpfh_tnum_neg(a), ws = bpfh_tnum_with_subreg(a, s);
		bool ok = true, oks = true, okc = true, okb = true, oksub = true;

		n = members(a, ma);
		for (i = 0; i < n; i++) {
			uint64_t x = ma[i];

			ok = ok && bpfh_tnum_contains(neg, 0 - x);
			for (c = 0; c < 64; c++) {
				oks = oks && bpfh_tnum_contains(bpfh_tnum_lshift(a, c), x << c) &&
				      bpfh_tnum_contains(bpfh_tnum_rshift(a, c), x >> c) &&
				      bpfh_tnum_contains(bpfh_tnum_arshift(a, c),
							 bpfh_s2u(bpfh_asr(bpfh_u2s(x), c)));
			}
			okc = okc && bpfh_tnum_contains(bpfh_tnum_cast(a, 1), x & 0xff) &&
			      bpfh_tnum_contains(bpfh_tnum_cast(a, 2), x & 0xffff) &&
			      bpfh_tnum_contains(bpfh_tnum_cast(a, 4), x & 0xffffffff) &&
			      bpfh_tnum_contains(bpfh_tnum_cast(a, 8), x) &&
			      bpfh_tnum_contains(bpfh_tnum_subreg(a), x & 0xffffffff) &&
			      bpfh_tnum_contains(bpfh_tnum_sext(a, 8), bpfh_s2u(bpfh_sext(x, 8))) &&
			      bpfh_tnum_contains(bpfh_tnum_sext(a, 16), bpfh_s2u(bpfh_sext(x, 16))) &&
			      bpfh_tnum_contains(bpfh_tnum_sext(a, 32), bpfh_s2u(bpfh_sext(x, 32))) &&
			      bpfh_tnum_contains(bpfh_tnum_sext(a, 64), x);
			okb = okb && bpfh_tnum_contains(bpfh_tnum_bswap(a, 2), bswap_ref(x, 2)) &&
			      bpfh_tnum_contains(bpfh_tnum_bswap(a, 4), bswap_ref(x, 4)) &&
			      bpfh_tnum_contains(bpfh_tnum_bswap(a, 8), bswap_ref(x, 8));
			oksub = oksub && bpfh_tnum_contains(ws, (x & ~UINT64_C(0xffffffff)) |
								    ((s.value | (vt_rand() & s.mask)) &
								     0xffffffff));
		}
		VT_CASE(&gn, ok, "neg of (0x%" PRIx64 "/0x%" PRIx64 ")", a.value, a.mask);
		VT_CASE(&gs, oks, "shifts of (0x%" PRIx64 "/0x%" PRIx64 ")", a.value, a.mask);
		VT_CASE(&gc, okc, "casts of (0x%" PRIx64 "/0x%" PRIx64 ")", a.value, a.mask);
		VT_CASE(&gb, okb, "bswap of (0x%" PRIx64 "/0x%" PRIx64 ")", a.value, a.mask);
		VT_CASE(&gsub, oksub, "with_subreg of (0x%" PRIx64 "/0x%" PRIx64 ")", a.value, a.mask);
	}
	VT_GROUP_END(&gn, "tnum neg sound");
	VT_GROUP_END(&gs, "tnum lshift/rshift/arshift sound for every count");
	VT_GROUP_END(&gc, "tnum cast/subreg/sext sound");
	VT_GROUP_END(&gb, "tnum bswap sound");
	VT_GROUP_END(&gsub, "tnum with_subreg sound");
}

/* Bounds and nearest members against brute force over the members. */
static void bounds(void)
{
	static uint64_t ma[4096];
	struct vt_group gb = { 0, 0 }, gn = { 0, 0 };
	unsigned r, i, n, q;

	for (r = 0; r < vt_rounds(4000); r++) {
		struct bpfh_tnum a = T(vt_value(), vt_bits((unsigned)vt_below(10)));
		uint64_t umin = UINT64_MAX, umax = 0;
		int64_t smin = INT64_MAX, smax = INT64_MIN;

		n = members(a, ma);
		for (i = 0; i < n; i++) {
			umin = ma[i] < umin ? ma[i] : umin;
			umax = ma[i] > umax ? ma[i] : umax;
			smin = bpfh_u2s(ma[i]) < smin ? bpfh_u2s(ma[i]) : smin;
			smax = bpfh_u2s(ma[i]) > smax ? bpfh_u2s(ma[i]) : smax;
		}
		VT_CASE(&gb, bpfh_tnum_umin(a) == umin && bpfh_tnum_umax(a) == umax &&
			bpfh_tnum_smin(a) == smin && bpfh_tnum_smax(a) == smax,
			"bounds of (0x%" PRIx64 "/0x%" PRIx64 ")", a.value, a.mask);
		for (q = 0; q < 16; q++) {
			uint64_t x = q < 8 ? ma[vt_below(n)] + vt_below(5) - 2 : vt_value(), got;
			bool has_ge = false, has_le = false, shas_ge = false, shas_le = false;
			uint64_t ge = 0, le = 0;
			int64_t sge = 0, sle = 0, sgot, sx = bpfh_u2s(x);
			bool ok;

			for (i = 0; i < n; i++) {
				uint64_t m = ma[i];
				int64_t s = bpfh_u2s(m);

				if (m >= x && (!has_ge || m < ge)) {
					has_ge = true;
					ge = m;
				}
				if (m <= x && (!has_le || m > le)) {
					has_le = true;
					le = m;
				}
				if (s >= sx && (!shas_ge || s < sge)) {
					shas_ge = true;
					sge = s;
				}
				if (s <= sx && (!shas_le || s > sle)) {
					shas_le = true;
					sle = s;
				}
			}
			ok = bpfh_tnum_next_ge(a, x, &got) == has_ge && (!has_ge || got == ge);
			ok = ok && bpfh_tnum_prev_le(a, x, &got) == has_le && (!has_le || got == le);
			ok = ok && bpfh_tnum_snext_ge(a, sx, &sgot) == shas_ge && (!shas_ge || sgot == sge);
			ok = ok && bpfh_tnum_sprev_le(a, sx, &sgot) == shas_le && (!shas_le || sgot == sle);
			VT_CASE(&gn, ok, "nearest members of (0x%" PRIx64 "/0x%" PRIx64 ") to 0x%" PRIx64,
				a.value, a.mask, x);
		}
	}
	VT_GROUP_END(&gb, "tnum umin/umax/smin/smax exact");
	VT_GROUP_END(&gn, "tnum next_ge/prev_le/snext_ge/sprev_le exact");
}

/* Widening: an upper bound; sequences change at most 64 times; low known bits survive. */
static void widening(void)
{
	struct vt_group gw = { 0, 0 }, gt = { 0, 0 };
	unsigned r, k;

	for (r = 0; r < vt_rounds(3000); r++) {
		struct bpfh_tnum x = T(vt_value(), vt_bits((unsigned)vt_below(4))), y, nx;
		unsigned changes = 0;

		for (k = 0; k < 200; k++) {
			y = T(vt_value(), vt_bits((unsigned)vt_below(4)));
			if (vt_below(4))
				y = T(x.value ^ vt_bits(1), x.mask); /* a neighbour */
			nx = bpfh_tnum_widen(x, y);
			VT_CASE(&gw, bpfh_tnum_leq(x, nx) && bpfh_tnum_leq(y, nx),
				"widen of (0x%" PRIx64 "/0x%" PRIx64 ") and (0x%" PRIx64 "/0x%" PRIx64
				")", x.value, x.mask, y.value, y.mask);
			changes += !bpfh_tnum_eq(nx, x);
			x = nx;
		}
		VT_CASE(&gt, changes <= 64, "widening changed %u times", changes);
	}
	VT_GROUP_END(&gw, "tnum widening is an upper bound");
	VT_GROUP_END(&gt, "tnum widening sequences change at most 64 times");
	/* a counter stepping by 4 keeps its alignment */
	{
		struct bpfh_tnum w = bpfh_tnum_widen(bpfh_tnum_const(0), bpfh_tnum_const(4));

		CHECK(w.value == 0 && w.mask == ~UINT64_C(3));
		CHECK(bpfh_tnum_eq(bpfh_tnum_widen(w, bpfh_tnum_const(8)), w));
	}
}

static void spot_checks(void)
{
	struct bpfh_tnum x = bpfh_tnum_unknown(), r;

	r = bpfh_tnum_and(x, bpfh_tnum_const(0xff));
	CHECK(r.value == 0 && r.mask == 0xff);
	CHECK(bpfh_tnum_umax(r) == 255 && bpfh_tnum_umin(r) == 0);
	r = bpfh_tnum_add(bpfh_tnum_const(40), bpfh_tnum_const(2));
	CHECK(bpfh_tnum_is_const(r) && r.value == 42);
	r = bpfh_tnum_mul(bpfh_tnum_const(6), bpfh_tnum_const(7));
	CHECK(bpfh_tnum_is_const(r) && r.value == 42);
	/* an aligned pointer offset times 8 stays aligned */
	r = bpfh_tnum_mul(T(0, 0xf), bpfh_tnum_const(8));
	CHECK(r.value == 0 && r.mask == 0x78);
	r = bpfh_tnum_lshift(T(0, 0xff), 4);
	CHECK(r.value == 0 && r.mask == 0xff0);
	r = bpfh_tnum_arshift(T(BPFH_SIGN64, 0xff), 4);
	CHECK(r.value == UINT64_C(0xf800000000000000) && r.mask == 0xf);
	r = bpfh_tnum_or(T(0, 0xf0), bpfh_tnum_const(1));
	CHECK(r.value == 1 && r.mask == 0xf0);
	r = bpfh_tnum_meet(bpfh_tnum_const(1), bpfh_tnum_const(2));
	CHECK(bpfh_tnum_is_bottom(r));
	r = bpfh_tnum_bswap(bpfh_tnum_const(0x1234), 2);
	CHECK(bpfh_tnum_is_const(r) && r.value == 0x3412);
	r = bpfh_tnum_sext(T(0x80, 0), 8);
	CHECK(bpfh_tnum_is_const(r) && r.value == UINT64_C(0xffffffffffffff80));
	r = bpfh_tnum_sext(T(0, 0x80), 8);
	CHECK(r.value == 0 && r.mask == UINT64_C(0xffffffffffffff80));
	CHECK(bpfh_tnum_unknown_bits(bpfh_tnum_unknown()) == 64);
}

int main(void)
{
	vt_seed();
	laws_exhaustive();
	laws_random();
	exactness();
	soundness_binary();
	soundness_unary();
	bounds();
	widening();
	spot_checks();
	return check_summary("verify-tnum");
}
