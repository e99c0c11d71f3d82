// SPDX-License-Identifier: MIT
/*
 * The zone domain (src/verify/zone.c) on three variables, with every integer point of a box
 * enumerated: closure keeps the points, is closed and tight (each bound attained), and finds
 * exactly the empty zones; join is the least zone above both (each bound the largest over the
 * union), meet exactly the intersection, leq exactly inclusion; the lattice laws; widening is
 * an upper bound and its sequences stabilise, narrowing stays between its operands; add_diff,
 * assign, forget, diff_max and entails against the points; and the packet-bounds pattern the
 * verifier will use (a pointer derived from a checked one, a variable offset).
 */
#include "vtest.h"

#include "../../../src/verify/zone.h"

#define NV 3
#define B 6 /* the box [-B, B]^NV; bounded zones are kept inside it */
#define SIDE (2 * B + 1)
#define NP (SIDE * SIDE * SIDE)

static int64_t pts[NP][NV + 1];

static void make_points(void)
{
	unsigned i;

	for (i = 0; i < NP; i++) {
		pts[i][0] = 0;
		pts[i][1] = (int64_t)(i % SIDE) - B;
		pts[i][2] = (int64_t)(i / SIDE % SIDE) - B;
		pts[i][3] = (int64_t)(i / SIDE / SIDE) - B;
	}
}

struct pset {
	bool in[NP];
};

static void gamma_z(const struct bpfh_zone *z, struct pset *s)
{
	unsigned i;

	for (i = 0; i < NP; i++)
		s->in[i] = bpfh_zone_contains(z, pts[i]);
}

static bool pempty(const struct pset *s)
{
	unsigned i;

	for (i = 0; i < NP; i++)
		if (s->in[i])
			return false;
	return true;
}

/* A random zone: random difference constraints, and (bounded) every variable within the box. */
static void rand_zone(struct bpfh_zone *z, bool bounded)
{
	unsigned k, n = (unsigned)vt_below(7);

	bpfh_zone_top(z, NV);
	if (bounded)
		for (k = 1; k <= NV; k++)
			bpfh_zone_add_bounds(z, k, -B, B);
	for (k = 0; k < n; k++) {
		unsigned x = (unsigned)vt_below(NV + 1), y = (unsigned)vt_below(NV + 1);

		if (x != y)
			bpfh_zone_add_diff(z, x, y, (int64_t)vt_below(9) - 4);
	}
}

/* A raw matrix: random entries, not closed. */
static void raw_zone(struct bpfh_zone *z)
{
	unsigned i, j;

	bpfh_zone_top(z, NV);
	for (i = 0; i <= NV; i++)
		for (j = 0; j <= NV; j++)
			if (i != j)
				z->m[i][j] = vt_below(3) ? (int64_t)vt_below(13) - 4 : BPFH_ZONE_INF;
			else
				z->m[i][j] = vt_below(20) ? 0 : -1;
	for (i = 1; i <= NV; i++) {
		z->m[i][0] = z->m[i][0] > B ? B : z->m[i][0];
		z->m[0][i] = z->m[0][i] > B ? B : z->m[0][i];
	}
	z->closed = false;
}

/* Max of x_i - x_j over the points of s; false if s is empty. */
static bool pmax(const struct pset *s, unsigned i, unsigned j, int64_t *out)
{
	bool any = false;
	unsigned p;

	for (p = 0; p < NP; p++) {
		int64_t d;

		if (!s->in[p])
			continue;
		d = pts[p][i] - pts[p][j];
		if (!any || d > *out)
			*out = d;
		any = true;
	}
	return any;
}

static bool tight(struct bpfh_zone *z, const struct pset *s)
{
	unsigned i, j;
	int64_t mx = 0;

	if (bpfh_zone_is_bottom(z))
		return pempty(s);
	for (i = 0; i <= NV; i++)
		for (j = 0; j <= NV; j++)
			if (!pmax(s, i, j, &mx) || (z->m[i][j] != mx && i != j))
				return false;
	return true;
}

static void closure(void)
{
	struct vt_group gk = { 0, 0 }, gc = { 0, 0 }, gt = { 0, 0 };
	static struct pset s1, s2;
	unsigned r, i, j, k;

	for (r = 0; r < vt_rounds(1500); r++) {
		struct bpfh_zone z, c;
		bool ok = true;

		raw_zone(&z);
		c = z;
		bpfh_zone_close(&c);
		gamma_z(&z, &s1);
		gamma_z(&c, &s2);
		VT_CASE(&gk, !memcmp(&s1, &s2, sizeof(s1)) || (c.bottom && pempty(&s1)),
			"closure changed the points");
		if (!c.bottom)
			for (i = 0; i <= NV; i++)
				for (j = 0; j <= NV; j++)
					for (k = 0; k <= NV; k++)
						if (c.m[i][k] != BPFH_ZONE_INF && c.m[k][j] != BPFH_ZONE_INF &&
						    c.m[i][j] > c.m[i][k] + c.m[k][j])
							ok = false;
		VT_CASE(&gc, ok, "closure is not closed");
		/* bounded by the box: tight, and bottom exactly when empty */
		VT_CASE(&gt, tight(&c, &s2), "closure not tight");
		rand_zone(&z, true);
		gamma_z(&z, &s1);
		VT_CASE(&gt, tight(&z, &s1), "incremental closure not tight");
	}
	VT_GROUP_END(&gk, "zone closure keeps the points");
	VT_GROUP_END(&gc, "zone closure is closed");
	VT_GROUP_END(&gt, "zone closure tight, bottom exactly when empty");
}

static void lattice(void)
{
	struct vt_group gj = { 0, 0 }, gm = { 0, 0 }, gl = { 0, 0 }, glaw = { 0, 0 };
	static struct pset sa, sb, sc, su;
	unsigned r, p;

	for (r = 0; r < vt_rounds(1500); r++) {
		struct bpfh_zone a, b, c, j, m, t1, t2, t3;
		bool sub = true, ok;

		rand_zone(&a, true);
		rand_zone(&b, vt_below(4) != 0);
		rand_zone(&c, true);
		if (vt_below(3) == 0)
			bpfh_zone_meet(&a, &a, &b); /* a below b */
		gamma_z(&a, &sa);
		gamma_z(&b, &sb);
		bpfh_zone_join(&j, &a, &b);
		bpfh_zone_meet(&m, &a, &b);
		gamma_z(&j, &sc);
		for (p = 0; p < NP; p++) {
			su.in[p] = sa.in[p] || sb.in[p];
			if (sa.in[p] && !sb.in[p])
				sub = false;
		}
		/* join: above both; each bound the largest over the union (for bounded b) */
		ok = bpfh_zone_leq(&a, &j) && bpfh_zone_leq(&b, &j);
		for (p = 0; p < NP; p++)
			ok = ok && (!su.in[p] || sc.in[p]);
		if (!b.bottom && b.m[1][0] <= B && b.m[0][1] <= B && b.m[2][0] <= B &&
		    b.m[0][2] <= B && b.m[3][0] <= B && b.m[0][3] <= B)
			ok = ok && tight(&j, &su);
		VT_CASE(&gj, ok, "join");
		gamma_z(&m, &sc);
		ok = true;
		for (p = 0; p < NP; p++)
			ok = ok && sc.in[p] == (sa.in[p] && sb.in[p]);
		VT_CASE(&gm, ok && bpfh_zone_leq(&m, &a) && bpfh_zone_leq(&m, &b), "meet");
		VT_CASE(&gl, bpfh_zone_leq(&a, &b) == sub, "leq");

		bpfh_zone_join(&t1, &j, &c);
		bpfh_zone_join(&t2, &b, &c);
		bpfh_zone_join(&t2, &a, &t2);
		ok = bpfh_zone_eq(&t1, &t2);
		bpfh_zone_meet(&t1, &m, &c);
		bpfh_zone_meet(&t2, &b, &c);
		bpfh_zone_meet(&t2, &a, &t2);
		ok = ok && bpfh_zone_eq(&t1, &t2);
		bpfh_zone_join(&t1, &b, &a);
		bpfh_zone_meet(&t2, &b, &a);
		ok = ok && bpfh_zone_eq(&t1, &j) && bpfh_zone_eq(&t2, &m);
		bpfh_zone_join(&t1, &a, &a);
		bpfh_zone_meet(&t2, &a, &a);
		ok = ok && bpfh_zone_eq(&t1, &a) && bpfh_zone_eq(&t2, &a);
		bpfh_zone_meet(&t3, &a, &j); /* absorption */
		ok = ok && bpfh_zone_eq(&t3, &a);
		bpfh_zone_join(&t3, &a, &m);
		ok = ok && bpfh_zone_eq(&t3, &a);
		ok = ok && bpfh_zone_leq(&a, &a) &&
		     (!bpfh_zone_leq(&a, &b) || !bpfh_zone_leq(&b, &a) || bpfh_zone_eq(&a, &b)) &&
		     (!bpfh_zone_leq(&m, &a) || !bpfh_zone_leq(&a, &j) || bpfh_zone_leq(&m, &j));
		VT_CASE(&glaw, ok, "laws");
	}
	VT_GROUP_END(&gj, "zone join: upper bound, least (each bound attained)");
	VT_GROUP_END(&gm, "zone meet is exactly the intersection");
	VT_GROUP_END(&gl, "zone leq is exactly inclusion");
	VT_GROUP_END(&glaw, "zone laws: commutative, associative, idempotent, absorbing, order");
}

static void widening(void)
{
	struct vt_group gw = { 0, 0 }, gt = { 0, 0 }, gn = { 0, 0 };
	int64_t thr[3];
	unsigned r, k;

	for (r = 0; r < vt_rounds(500); r++) {
		struct bpfh_zone x, y, nx;
		size_t nthr = (size_t)vt_below(4);
		unsigned changes = 0, bound;

		for (k = 0; k < nthr; k++)
			thr[k] = (int64_t)vt_below(20) - 5;
		bound = (NV + 1) * (NV + 1) * ((unsigned)nthr + 1) + 1;
		rand_zone(&x, vt_below(2));
		for (k = 0; k < 200; k++) {
			rand_zone(&y, vt_below(2));
			if (vt_below(2))
				bpfh_zone_join(&y, &x, &y);
			bpfh_zone_widen(&nx, &x, &y, thr, nthr);
			VT_CASE(&gw, bpfh_zone_leq(&x, &nx) && bpfh_zone_leq(&y, &nx),
				"widening not an upper bound");
			changes += memcmp(nx.m, x.m, sizeof(x.m)) != 0 || nx.bottom != x.bottom;
			x = nx;
		}
		VT_CASE(&gt, changes <= bound, "widening changed %u times", changes);
		changes = 0;
		for (k = 0; k < 50; k++) {
			rand_zone(&y, vt_below(2));
			bpfh_zone_meet(&y, &x, &y);
			if (bpfh_zone_is_bottom(&y))
				continue;
			bpfh_zone_narrow(&nx, &x, &y, thr, nthr);
			VT_CASE(&gn, bpfh_zone_leq(&y, &nx) && bpfh_zone_leq(&nx, &x),
				"narrowing not between its operands");
			changes += memcmp(nx.m, x.m, sizeof(x.m)) != 0;
			x = nx;
		}
		VT_CASE(&gn, changes <= bound, "narrowing changed %u times", changes);
	}
	VT_GROUP_END(&gw, "zone widening is an upper bound");
	VT_GROUP_END(&gt, "zone widening sequences stabilise");
	VT_GROUP_END(&gn, "zone narrowing between its operands and stabilising");
}

static void transfer(void)
{
	struct vt_group ga = { 0, 0 }, gs = { 0, 0 }, gf = { 0, 0 }, gd = { 0, 0 };
	static struct pset sa, sb;
	unsigned r, p;

	for (r = 0; r < vt_rounds(1500); r++) {
		struct bpfh_zone a, b;
		unsigned x = 1 + (unsigned)vt_below(NV), y = (unsigned)vt_below(NV + 1);
		int64_t c = (int64_t)vt_below(9) - 4, lo = (int64_t)vt_below(7) - 3;
		int64_t hi = lo + (int64_t)vt_below(4), q[NV + 1], mx = 0;
		bool ok = true;

		rand_zone(&a, true);
		gamma_z(&a, &sa);
		/* add_diff: exactly the points that also satisfy the constraint */
		b = a;
		bpfh_zone_add_diff(&b, x, y, c);
		gamma_z(&b, &sb);
		for (p = 0; p < NP; p++)
			ok = ok && sb.in[p] == (sa.in[p] && pts[p][x] - pts[p][y] <= c);
		VT_CASE(&gd, ok && tight(&b, &sb), "add_diff x%u - x%u <= %" PRId64, x, y, c);
		/* assign x := y + [lo, hi] (y may be x or 0) */
		b = a;
		bpfh_zone_assign(&b, x, y, lo, hi);
		ok = true;
		for (p = 0; p < NP; p++) {
			int64_t d;

			if (!sa.in[p])
				continue;
			for (d = lo; d <= hi; d++) {
				memcpy(q, pts[p], sizeof(q));
				q[x] = pts[p][y] + d;
				ok = ok && bpfh_zone_contains(&b, q);
			}
		}
		VT_CASE(&ga, ok, "assign x%u := x%u + [%" PRId64 ", %" PRId64 "]", x, y, lo, hi);
		/* assign of an exact offset keeps the relation exactly */
		b = a;
		bpfh_zone_assign(&b, x, y, c, c);
		VT_CASE(&gs, bpfh_zone_is_bottom(&a) ||
			(x == y ? true : bpfh_zone_diff_max(&b, x, y) == c &&
			 bpfh_zone_diff_max(&b, y, x) == -c), "assign exact");
		/* forget: x anything */
		b = a;
		bpfh_zone_forget(&b, x);
		ok = true;
		for (p = 0; p < NP; p++) {
			int64_t v;

			if (!sa.in[p])
				continue;
			for (v = -B; v <= B; v++) {
				memcpy(q, pts[p], sizeof(q));
				q[x] = v;
				ok = ok && bpfh_zone_contains(&b, q);
			}
		}
		VT_CASE(&gf, ok, "forget x%u", x);
		/* diff_max and entails match the points */
		if (pmax(&sa, x, y, &mx))
			VT_CASE(&gd, bpfh_zone_diff_max(&a, x, y) == mx && bpfh_zone_entails(&a, x, y, mx) &&
				!bpfh_zone_entails(&a, x, y, mx - 1), "diff_max");
		else
			VT_CASE(&gd, bpfh_zone_entails(&a, x, y, -100), "entails on bottom");
	}
	VT_GROUP_END(&gd, "zone add_diff exact, diff_max/entails exact");
	VT_GROUP_END(&ga, "zone assign sound");
	VT_GROUP_END(&gs, "zone assign of a constant offset exact");
	VT_GROUP_END(&gf, "zone forget sound");
}

/* The verifier's use: x1 = packet offset of r2, x2 = of r3, x3 = the packet's end. */
static void packet_pattern(void)
{
	struct bpfh_zone z, t;

	bpfh_zone_top(&z, 3);
	bpfh_zone_add_bounds(&z, 3, 0, 0xffff);     /* end = data + len, len < 64 KiB */
	bpfh_zone_assign(&z, 1, 0, 14, 14);         /* r2 = data + 14 */
	CHECK(!bpfh_zone_entails(&z, 1, 3, -8));    /* r2 + 8 <= end unknown */
	t = z;
	CHECK(bpfh_zone_add_diff(&t, 3, 1, 7));     /* if r2 + 8 > end (taken: end - r2 <= 7) */
	CHECK(!bpfh_zone_entails(&t, 1, 3, -8));
	CHECK(bpfh_zone_add_diff(&z, 1, 3, -8));    /* fall through: r2 + 8 <= end */
	CHECK(bpfh_zone_entails(&z, 1, 3, -8));
	CHECK(bpfh_zone_diff_max(&z, 0, 3) == -22); /* the end is at least 22 */
	bpfh_zone_assign(&z, 2, 1, 4, 4);           /* r3 = r2 + 4: derived pointer */
	CHECK(bpfh_zone_entails(&z, 2, 3, -4));     /* r3 + 4 <= end */
	CHECK(!bpfh_zone_entails(&z, 2, 3, -5));
	bpfh_zone_assign(&z, 2, 2, 0, 10);          /* r3 += [0, 10]: a variable offset */
	CHECK(!bpfh_zone_entails(&z, 2, 3, -4));
	CHECK(bpfh_zone_entails(&z, 2, 3, 6));
	bpfh_zone_forget(&z, 1);                    /* r2 overwritten: r3 keeps its relation */
	CHECK(bpfh_zone_entails(&z, 2, 3, 6));
	/* join of the two paths of a branch keeps the weaker bound */
	bpfh_zone_top(&z, 3);
	bpfh_zone_assign(&z, 1, 3, -20, -20);
	bpfh_zone_top(&t, 3);
	bpfh_zone_assign(&t, 1, 3, -30, -30);
	bpfh_zone_join(&z, &z, &t);
	CHECK(bpfh_zone_diff_max(&z, 1, 3) == -20 && bpfh_zone_diff_max(&z, 3, 1) == 30);
	/* contradiction */
	CHECK(!bpfh_zone_add_diff(&z, 3, 1, 10) && bpfh_zone_is_bottom(&z));
	/* huge constants saturate instead of overflowing */
	bpfh_zone_top(&z, 2);
	bpfh_zone_assign(&z, 1, 0, INT64_MAX - 1, INT64_MAX - 1);
	bpfh_zone_assign(&z, 2, 1, INT64_MAX - 1, INT64_MAX - 1);
	CHECK(!bpfh_zone_is_bottom(&z) && bpfh_zone_diff_max(&z, 2, 0) == BPFH_ZONE_INF);
	bpfh_zone_assign(&z, 1, 0, INT64_MIN + 1, INT64_MIN + 1);
	bpfh_zone_assign(&z, 2, 1, INT64_MIN + 1, INT64_MIN + 1);
	CHECK(!bpfh_zone_is_bottom(&z));
}

int main(void)
{
	vt_seed();
	make_points();
	closure();
	lattice();
	widening();
	transfer();
	packet_pattern();
	return check_summary("verify-zone");
}
