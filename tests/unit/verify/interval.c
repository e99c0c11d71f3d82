// SPDX-License-Identifier: MIT
/*
 * The interval-pair domain (src/verify/interval.c), mostly at a width of 8 bits where a set of
 * values is a 256-bit map and every member can be enumerated: the reduction keeps the set and
 * leaves every bound a member (so a reduced pair is the best pair for its set); join is the best
 * pair of the union, meet exactly the intersection, leq exactly inclusion; the usual laws;
 * widening is an upper bound and every widening sequence stabilises within its bound, narrowing
 * stays between its operands and stabilises too; every transfer function is sound against a
 * reference of the ISA's semantics for every pair of members (or a large sample), at 8 bits
 * and, sampled, at 16, 32 and 64 bits; and precision spot checks.
 */
#include "vtest.h"

#include "../../../src/verify/interval.h"

/* ---- sets of 8-bit values ---- */

struct set8 {
	uint64_t w[4];
};

static void set_add(struct set8 *s, unsigned x)
{
	s->w[x >> 6] |= UINT64_C(1) << (x & 63);
}

static bool set_has(const struct set8 *s, unsigned x)
{
	return (s->w[x >> 6] >> (x & 63)) & 1;
}

static bool set_eq(const struct set8 *a, const struct set8 *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static bool set_sub(const struct set8 *a, const struct set8 *b)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

/* The set a pair stands for, from the definition (not from contains). */
static struct set8 gamma8(const struct bpfh_ival *a)
{
	struct set8 s = { { 0, 0, 0, 0 } };
	unsigned x;

	for (x = 0; x < 256; x++) {
		int64_t sx = bpfh_sext(x, 8);

		if (a->umin <= x && x <= a->umax && a->smin <= sx && sx <= a->smax)
			set_add(&s, x);
	}
	return s;
}

/* The best pair for a set: its extremes in both orders. */
static struct bpfh_ival best8(const struct set8 *s)
{
	struct bpfh_ival r = bpfh_ival_bottom();
	bool any = false;
	unsigned x;

	for (x = 0; x < 256; x++) {
		int64_t sx = bpfh_sext(x, 8);

		if (!set_has(s, x))
			continue;
		if (!any) {
			r.umin = r.umax = x;
			r.smin = r.smax = sx;
			any = true;
		}
		r.umin = x < r.umin ? x : r.umin;
		r.umax = x > r.umax ? x : r.umax;
		r.smin = sx < r.smin ? sx : r.smin;
		r.smax = sx > r.smax ? sx : r.smax;
	}
	return r;
}

static uint64_t rand_w(unsigned w)
{
	return vt_value() & bpfh_low_mask(w);
}

/* A random pair of width w, reduced, not bottom. */
static struct bpfh_ival rand_ival(unsigned w)
{
	for (;;) {
		struct bpfh_ival r = bpfh_ival_top(w);
		uint64_t a = rand_w(w), b = rand_w(w);
		unsigned shape = (unsigned)vt_below(6);

		if (shape == 0) {
			r = bpfh_ival_const(a, w);
		} else if (shape == 1 || shape == 3) {
			r.umin = a < b ? a : b;
			r.umax = a < b ? b : a;
			if (vt_below(3) == 0) {
				uint64_t d = vt_below(8);

				if (r.umin + d < r.umax)
					r.umax = r.umin + d;
			}
		}
		if (shape == 2 || shape == 3) {
			int64_t c = bpfh_sext(rand_w(w), w), d = bpfh_sext(rand_w(w), w);

			r.smin = c < d ? c : d;
			r.smax = c < d ? d : c;
		}
		if (shape == 4) {
			struct bpfh_ival x = bpfh_ival_const(a, w), y = bpfh_ival_const(b, w);

			r = bpfh_ival_join(&x, &y, w);
		}
		if (bpfh_ival_sync(&r, w))
			return r;
	}
}

static void ival_str(const struct bpfh_ival *a, char *buf, size_t size)
{
	snprintf(buf, size, "u[%" PRIu64 ",%" PRIu64 "] s[%" PRId64 ",%" PRId64 "]", a->umin,
		 a->umax, a->smin, a->smax);
}

static void lattice8(void)
{
	struct vt_group gs = { 0, 0 }, gj = { 0, 0 }, gm = { 0, 0 }, gl = { 0, 0 }, glaw = { 0, 0 };
	unsigned r;
	char s1[96], s2[96];

	for (r = 0; r < vt_rounds(20000); r++) {
		/* an arbitrary (unreduced) pair: reduction keeps the set and leaves best bounds */
		struct bpfh_ival raw, a, b, c, t, u;
		struct set8 ga, gb, gab, gt, none = { { 0, 0, 0, 0 } };
		unsigned i;

		raw.umin = rand_w(8);
		raw.umax = rand_w(8);
		raw.smin = bpfh_sext(rand_w(8), 8);
		raw.smax = bpfh_sext(rand_w(8), 8);
		a = raw;
		ga = gamma8(&raw);
		bpfh_ival_sync(&a, 8);
		t = best8(&ga);
		VT_CASE(&gs, set_eq(&ga, &none) ?
			bpfh_ival_is_bottom(&a) : bpfh_ival_eq(&a, &t),
			"sync of u[%" PRIu64 ",%" PRIu64 "] s[%" PRId64 ",%" PRId64 "]", raw.umin,
			raw.umax, raw.smin, raw.smax);
		u = a;
		bpfh_ival_sync(&u, 8);
		VT_CASE(&gs, bpfh_ival_eq(&u, &a), "sync not idempotent");
		for (i = 0; i < 256; i++)
			VT_CASE(&gs, bpfh_ival_contains(&a, i, 8) == set_has(&ga, i), "contains %u", i);

		a = rand_ival(8);
		b = rand_ival(8);
		c = rand_ival(8);
		ga = gamma8(&a);
		gb = gamma8(&b);
		ival_str(&a, s1, sizeof(s1));
		ival_str(&b, s2, sizeof(s2));
		for (i = 0; i < 4; i++)
			gab.w[i] = ga.w[i] | gb.w[i];
		t = bpfh_ival_join(&a, &b, 8);
		u = best8(&gab);
		VT_CASE(&gj, bpfh_ival_eq(&t, &u), "join of %s and %s", s1, s2);
		for (i = 0; i < 4; i++)
			gab.w[i] = ga.w[i] & gb.w[i];
		t = bpfh_ival_meet(&a, &b, 8);
		gt = gamma8(&t);
		VT_CASE(&gm, set_eq(&gt, &gab), "meet of %s and %s", s1, s2);
		VT_CASE(&gl, bpfh_ival_leq(&a, &b) == set_sub(&ga, &gb), "leq of %s and %s", s1, s2);

		{
			struct bpfh_ival ab = bpfh_ival_join(&a, &b, 8), ba = bpfh_ival_join(&b, &a, 8);
			struct bpfh_ival mab = bpfh_ival_meet(&a, &b, 8), mba = bpfh_ival_meet(&b, &a, 8);
			struct bpfh_ival bc = bpfh_ival_join(&b, &c, 8), j1, j2, m1, m2, aa, ma;
			struct bpfh_ival mbc = bpfh_ival_meet(&b, &c, 8);

			j1 = bpfh_ival_join(&ab, &c, 8);
			j2 = bpfh_ival_join(&a, &bc, 8);
			m1 = bpfh_ival_meet(&mab, &c, 8);
			m2 = bpfh_ival_meet(&a, &mbc, 8);
			aa = bpfh_ival_join(&a, &a, 8);
			ma = bpfh_ival_meet(&a, &a, 8);
			VT_CASE(&glaw, bpfh_ival_eq(&ab, &ba) && bpfh_ival_eq(&mab, &mba) &&
				bpfh_ival_eq(&j1, &j2) && bpfh_ival_eq(&m1, &m2) &&
				bpfh_ival_eq(&aa, &a) && bpfh_ival_eq(&ma, &a) &&
				bpfh_ival_leq(&a, &ab) && bpfh_ival_leq(&mab, &a) &&
				(!bpfh_ival_leq(&a, &b) || !bpfh_ival_leq(&b, &c) ||
				 bpfh_ival_leq(&a, &c)) &&
				(!bpfh_ival_leq(&a, &b) || !bpfh_ival_leq(&b, &a) ||
				 bpfh_ival_eq(&a, &b)),
				"laws with %s, %s", s1, s2);
		}
	}
	VT_GROUP_END(&gs, "ival sync keeps the set, bounds are members, idempotent (8-bit)");
	VT_GROUP_END(&gj, "ival join is the best pair of the union (8-bit)");
	VT_GROUP_END(&gm, "ival meet is exactly the intersection (8-bit)");
	VT_GROUP_END(&gl, "ival leq is exactly inclusion (8-bit)");
	VT_GROUP_END(&glaw, "ival laws: commutative, associative, idempotent, order (8-bit)");
}

static void widening(void)
{
	static const unsigned widths[] = { 8, 16, 32, 64 };
	struct vt_group gw = { 0, 0 }, gt = { 0, 0 }, gn = { 0, 0 };
	int64_t thr[4];
	unsigned wi, r, k;

	for (wi = 0; wi < 4; wi++) {
		unsigned w = widths[wi];

		for (r = 0; r < vt_rounds(3000); r++) {
			struct bpfh_ival x = rand_ival(w), y, nx;
			size_t nthr = (size_t)vt_below(5);
			unsigned changes = 0, bound;

			for (k = 0; k < nthr; k++)
				thr[k] = bpfh_u2s(vt_value());
			/* each bound moves at most once per candidate (built-ins, the caller's, the
			 * limit), in one direction */
			bound = 4 * (2 * 12 + (unsigned)nthr + 2);
			for (k = 0; k < 300; k++) {
				y = rand_ival(w);
				if (vt_below(2))
					y = bpfh_ival_join(&x, &y, w);
				nx = bpfh_ival_widen(&x, &y, w, thr, nthr);
				VT_CASE(&gw, bpfh_ival_leq(&x, &nx) && bpfh_ival_leq(&y, &nx),
					"widening not an upper bound (w %u)", w);
				if (!bpfh_ival_eq(&nx, &x))
					changes++;
				x = nx;
			}
			VT_CASE(&gt, changes <= bound, "widening changed %u times (w %u)", changes, w);

			/* descending: narrow with smaller and smaller values below x */
			changes = 0;
			for (k = 0; k < 100; k++) {
				y = rand_ival(w);
				y = bpfh_ival_meet(&x, &y, w);
				if (bpfh_ival_is_bottom(&y))
					continue;
				nx = bpfh_ival_narrow(&x, &y, w, thr, nthr);
				VT_CASE(&gn, bpfh_ival_leq(&y, &nx) && bpfh_ival_leq(&nx, &x),
					"narrowing not between its operands (w %u)", w);
				if (!bpfh_ival_eq(&nx, &x))
					changes++;
				x = nx;
			}
			VT_CASE(&gn, changes <= bound, "narrowing changed %u times (w %u)", changes, w);
		}
	}
	VT_GROUP_END(&gw, "ival widening is an upper bound (8/16/32/64-bit)");
	VT_GROUP_END(&gt, "ival widening sequences stabilise within the bound");
	VT_GROUP_END(&gn, "ival narrowing between its operands and stabilising");
}

/* ---- transfer functions against the ISA's semantics at width w ---- */

enum iop {
	I_ADD, I_SUB, I_NEG, I_MUL, I_UDIV, I_UMOD, I_SDIV, I_SMOD, I_AND, I_OR, I_XOR, I_SHL,
	I_SHR, I_SAR, I_LOW, I__N
};
static const char *const iop_names[I__N] = {
	"add", "sub", "neg", "mul", "udiv", "umod", "sdiv", "smod", "and", "or", "xor", "shl",
	"shr", "sar", "low_bits",
};

static uint64_t ref(enum iop op, uint64_t x, uint64_t y, unsigned w)
{
	uint64_t m = bpfh_low_mask(w);
	int64_t sx = bpfh_sext(x, w), sy = bpfh_sext(y, w);

	switch (op) {
	case I_ADD: return (x + y) & m;
	case I_SUB: return (x - y) & m;
	case I_NEG: return (0 - x) & m;
	case I_MUL: return (x * y) & m;
	case I_UDIV: return y ? x / y : 0;
	case I_UMOD: return y ? x % y : x;
	case I_SDIV:
		if (!y)
			return 0;
		if (sy == -1)
			return (0 - x) & m;
		return bpfh_s2u(sx / sy) & m;
	case I_SMOD:
		if (!y)
			return x;
		if (sy == -1)
			return 0;
		return bpfh_s2u(sx % sy) & m;
	case I_AND: return x & y;
	case I_OR: return x | y;
	case I_XOR: return x ^ y;
	case I_SHL: return (x << y) & m;
	case I_SHR: return x >> y;
	case I_SAR: return bpfh_s2u(bpfh_asr(sx, (unsigned)y)) & m;
	default: return x;
	}
}

static struct bpfh_ival apply(enum iop op, const struct bpfh_ival *a, const struct bpfh_ival *b,
			      unsigned w, unsigned cmin, unsigned cmax, unsigned k)
{
	switch (op) {
	case I_ADD: return bpfh_ival_add(a, b, w);
	case I_SUB: return bpfh_ival_sub(a, b, w);
	case I_NEG: return bpfh_ival_neg(a, w);
	case I_MUL: return bpfh_ival_mul(a, b, w);
	case I_UDIV: return bpfh_ival_udiv(a, b, w);
	case I_UMOD: return bpfh_ival_umod(a, b, w);
	case I_SDIV: return bpfh_ival_sdiv(a, b, w);
	case I_SMOD: return bpfh_ival_smod(a, b, w);
	case I_AND: return bpfh_ival_and(a, b, w);
	case I_OR: return bpfh_ival_or(a, b, w);
	case I_XOR: return bpfh_ival_xor(a, b, w);
	case I_SHL: return bpfh_ival_shl(a, cmin, cmax, w);
	case I_SHR: return bpfh_ival_shr(a, cmin, cmax, w);
	case I_SAR: return bpfh_ival_sar(a, cmin, cmax, w);
	default: return bpfh_ival_low_bits(a, w, k);
	}
}

/* Members of a: all of them if few, else the bounds and random ones. */
static unsigned ival_members(const struct bpfh_ival *a, unsigned w, uint64_t *out, unsigned max)
{
	unsigned n = 0, tries;
	uint64_t x, m = bpfh_low_mask(w);

	if (a->umax - a->umin < max) {
		for (x = a->umin;; x++) {
			if (bpfh_ival_contains(a, x, w))
				out[n++] = x;
			if (x == a->umax)
				break;
		}
		return n;
	}
	out[n++] = a->umin;
	out[n++] = a->umax;
	out[n++] = bpfh_s2u(a->smin) & m;
	out[n++] = bpfh_s2u(a->smax) & m;
	for (tries = 0; n < max && tries < 8 * max; tries++) {
		x = vt_below(2) ? a->umin + vt_below(a->umax - a->umin + 1 ? a->umax - a->umin + 1 : UINT64_MAX)
				: bpfh_s2u(a->smin) + vt_below(bpfh_s2u(a->smax) - bpfh_s2u(a->smin) + 1 ?
							       bpfh_s2u(a->smax) - bpfh_s2u(a->smin) + 1 : UINT64_MAX);
		if (vt_below(4) == 0)
			x = out[vt_below(4)] + vt_below(9) - 4;
		x &= m;
		if (bpfh_ival_contains(a, x, w))
			out[n++] = x;
	}
	return n;
}

static void transfer(unsigned w, unsigned rounds, unsigned max)
{
	static uint64_t ma[256], mb[256];
	unsigned op, r, i, j, na, nb;
	char name[64], s1[96], s2[96], s3[96];

	for (op = 0; op < I__N; op++) {
		struct vt_group g = { 0, 0 };

		for (r = 0; r < rounds; r++) {
			struct bpfh_ival a = rand_ival(w), b = rand_ival(w), res;
			unsigned cmin = 0, cmax = 0, k = 1 + (unsigned)vt_below(w - 1);
			bool ok = true;
			uint64_t bad_x = 0, bad_y = 0, bad_r = 0;

			if (op == I_SHL || op == I_SHR || op == I_SAR) {
				cmin = (unsigned)vt_below(w);
				cmax = cmin + (unsigned)vt_below(vt_below(2) ? 1 : w - cmin);
				b = bpfh_ival_urange(cmin, cmax, w);
			}
			res = apply((enum iop)op, &a, &b, w, cmin, cmax, k);
			na = ival_members(&a, w, ma, max);
			nb = ival_members(&b, w, mb, max);
			for (i = 0; i < na && ok; i++)
				for (j = 0; j < nb && ok; j++) {
					uint64_t c;

					if (op == I_LOW)
						c = ma[i] & bpfh_low_mask(k);
					else
						c = ref((enum iop)op, ma[i], mb[j], w);
					if (!bpfh_ival_contains(&res, c, op == I_LOW ? k : w)) {
						ok = false;
						bad_x = ma[i];
						bad_y = mb[j];
						bad_r = c;
					}
				}
			ival_str(&a, s1, sizeof(s1));
			ival_str(&b, s2, sizeof(s2));
			ival_str(&res, s3, sizeof(s3));
			VT_CASE(&g, ok, "%s/%u of %s and %s (k %u) = %s misses %" PRIu64 " op %" PRIu64
				" = %" PRIu64, iop_names[op], w, s1, s2, k, s3, bad_x, bad_y, bad_r);
		}
		snprintf(name, sizeof(name), "ival %s sound at %u bits%s", iop_names[op], w,
			 max >= 256 ? " (every member)" : "");
		VT_GROUP_END(&g, name);
	}
}

static struct bpfh_ival U(uint64_t lo, uint64_t hi, unsigned w)
{
	return bpfh_ival_urange(lo, hi, w);
}

static struct bpfh_ival S(int64_t lo, int64_t hi, unsigned w)
{
	return bpfh_ival_srange(lo, hi, w);
}

#define IS(r, ulo, uhi) ((r).umin == (ulo) && (r).umax == (uhi))
#define ISS(r, slo, shi) ((r).smin == (slo) && (r).smax == (shi))

static void spot_checks(void)
{
	struct bpfh_ival a, b, r;

	a = U(0, 9, 64);
	b = bpfh_ival_const(1, 64);
	r = bpfh_ival_add(&a, &b, 64);
	CHECK(IS(r, 1, 10) && ISS(r, 1, 10));
	a = bpfh_ival_top(64);
	b = bpfh_ival_const(0xff, 64);
	r = bpfh_ival_and(&a, &b, 64);
	CHECK(IS(r, 0, 255) && ISS(r, 0, 255));
	a = U(100, 200, 64);
	b = bpfh_ival_const(10, 64);
	r = bpfh_ival_udiv(&a, &b, 64);
	CHECK(IS(r, 10, 20));
	a = bpfh_ival_top(64);
	b = bpfh_ival_const(8, 64);
	r = bpfh_ival_umod(&a, &b, 64);
	CHECK(IS(r, 0, 7));
	a = U(0, 5, 64);
	r = bpfh_ival_umod(&a, &b, 64);
	CHECK(IS(r, 0, 5));
	a = S(-20, 20, 64);
	b = bpfh_ival_const(8, 64);
	r = bpfh_ival_smod(&a, &b, 64);
	CHECK(ISS(r, -7, 7));
	r = bpfh_ival_sdiv(&a, &b, 64);
	CHECK(ISS(r, -2, 2));
	/* division by a range containing 0 includes 0; by exactly 0, only 0 */
	a = U(100, 200, 64);
	b = U(0, 4, 64);
	r = bpfh_ival_udiv(&a, &b, 64);
	CHECK(IS(r, 0, 200));
	b = bpfh_ival_const(0, 64);
	r = bpfh_ival_udiv(&a, &b, 64);
	CHECK(IS(r, 0, 0));
	r = bpfh_ival_umod(&a, &b, 64);
	CHECK(IS(r, 100, 200));
	/* INT_MIN / -1 wraps */
	a = bpfh_ival_const(BPFH_SIGN64, 64);
	b = bpfh_ival_const(UINT64_MAX, 64);
	r = bpfh_ival_sdiv(&a, &b, 64);
	CHECK(bpfh_ival_is_const(&r) && r.umin == BPFH_SIGN64);
	r = bpfh_ival_smod(&a, &b, 64);
	CHECK(bpfh_ival_is_const(&r) && r.umin == 0);
	/* a sum that wraps as a whole stays exact */
	a = U(UINT64_MAX - 1, UINT64_MAX, 64);
	b = U(2, 3, 64);
	r = bpfh_ival_add(&a, &b, 64);
	CHECK(IS(r, 0, 2));
	/* a sum that may or may not wrap loses the unsigned view, not the signed one */
	a = S(-1, 1, 64);
	b = bpfh_ival_const(1, 64);
	r = bpfh_ival_add(&a, &b, 64);
	CHECK(ISS(r, 0, 2) && IS(r, 0, 2));
	a = U(0, 15, 32);
	r = bpfh_ival_shl(&a, 4, 4, 32);
	CHECK(IS(r, 0, 240));
	a = S(-16, 15, 64);
	r = bpfh_ival_sar(&a, 2, 2, 64);
	CHECK(ISS(r, -4, 3));
	r = bpfh_ival_shl(&a, 1, 1, 64);
	CHECK(ISS(r, -32, 30));
	a = U(0x1f0, 0x20f, 64);
	r = bpfh_ival_low_bits(&a, 64, 8);
	CHECK(ISS(r, -16, 15));
	a = S(-3, 3, 64);
	b = S(-3, 3, 64);
	r = bpfh_ival_mul(&a, &b, 64);
	CHECK(ISS(r, -9, 9));
	/* top and bottom */
	a = bpfh_ival_top(32);
	CHECK(IS(a, 0, 0xffffffff) && ISS(a, INT32_MIN, INT32_MAX));
	a = bpfh_ival_bottom();
	b = bpfh_ival_const(3, 64);
	r = bpfh_ival_add(&a, &b, 64);
	CHECK(bpfh_ival_is_bottom(&r));
	r = bpfh_ival_join(&a, &b, 64);
	CHECK(bpfh_ival_eq(&r, &b));
	/* widening with a program's constant stops there; narrowing recovers the guard */
	{
		int64_t thr[] = { 1000 };

		a = U(0, 1, 64);
		b = U(0, 2, 64);
		r = bpfh_ival_widen(&a, &b, 64, thr, 1);
		CHECK(r.umax == 0xff);
		b = U(0, 300, 64);
		r = bpfh_ival_widen(&r, &b, 64, thr, 1);
		CHECK(r.umax == 1000);
		b = U(0, 999, 64);
		r = bpfh_ival_narrow(&r, &b, 64, thr, 1);
		CHECK(r.umax == 999);
		b = U(0, 5000, 64);
		r = bpfh_ival_widen(&r, &b, 64, NULL, 0);
		CHECK(r.umax == 0xffff);
	}
}

int main(void)
{
	vt_seed();
	lattice8();
	widening();
	transfer(8, vt_rounds(800), 256); /* every member of both operands */
	transfer(8, vt_rounds(6000), 40);
	transfer(16, vt_rounds(3000), 40);
	transfer(32, vt_rounds(3000), 40);
	transfer(64, vt_rounds(3000), 40);
	spot_checks();
	return check_summary("verify-interval");
}
