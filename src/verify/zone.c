// SPDX-License-Identifier: MIT
/*
 * The zone domain: difference-bound matrices (see zone.h). Closure is Floyd–Warshall, O(n^3)
 * for a whole matrix; adding one constraint to a closed matrix re-closes it in O(n^2) (a new
 * shortest path uses the new edge at most once). Bounds add with saturation: a sum beyond
 * BPFH_ZONE_BOUND is no bound at all, one below -BPFH_ZONE_BOUND is clamped to it, both of which
 * only loosen the constraint.
 *
 * It does not know what its variables stand for.
 */
#include "zone.h"

#include <string.h>

#define INF BPFH_ZONE_INF

/* Clamp a constraint's constant into the representable bounds (loosening only). */
static int64_t clamp(int64_t c)
{
	if (c > BPFH_ZONE_BOUND)
		return INF;
	if (c < -BPFH_ZONE_BOUND)
		return -BPFH_ZONE_BOUND;
	return c;
}

/* a + b for bounds: no overflow because finite bounds are within +-BPFH_ZONE_BOUND. */
static int64_t badd(int64_t a, int64_t b)
{
	if (a == INF || b == INF)
		return INF;
	return clamp(a + b);
}

static int64_t bmin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t bmax(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

void bpfh_zone_top(struct bpfh_zone *z, unsigned n)
{
	unsigned i, j;

	if (n > BPFH_ZONE_MAX_VARS)
		n = BPFH_ZONE_MAX_VARS;
	z->n = n;
	z->bottom = false;
	z->closed = true;
	for (i = 0; i <= BPFH_ZONE_MAX_VARS; i++)
		for (j = 0; j <= BPFH_ZONE_MAX_VARS; j++)
			z->m[i][j] = i == j ? 0 : INF;
}

void bpfh_zone_bottom(struct bpfh_zone *z, unsigned n)
{
	bpfh_zone_top(z, n);
	z->bottom = true;
}

bool bpfh_zone_close(struct bpfh_zone *z)
{
	unsigned i, j, k, a, b, c, n = z->n, na = 0;
	unsigned act[BPFH_ZONE_MAX_VARS + 1];

	if (z->bottom)
		return false;
	if (z->closed)
		return true;
	/* A variable without any bound is on no path: the closure runs over the others only
	 * (in the same order, so it makes the same updates). */
	for (i = 0; i <= n; i++)
		for (j = 0; j <= n; j++)
			if (i != j && (z->m[i][j] != INF || z->m[j][i] != INF)) {
				act[na++] = i;
				break;
			}
	for (c = 0; c < na; c++) {
		k = act[c];
		for (a = 0; a < na; a++) {
			i = act[a];
			if (z->m[i][k] == INF)
				continue;
			for (b = 0; b < na; b++) {
				j = act[b];
				z->m[i][j] = bmin(z->m[i][j], badd(z->m[i][k], z->m[k][j]));
			}
		}
	}
	for (i = 0; i <= n; i++) {
		if (z->m[i][i] < 0) {
			bpfh_zone_bottom(z, n);
			return false;
		}
	}
	z->closed = true;
	return true;
}

bool bpfh_zone_is_bottom(struct bpfh_zone *z)
{
	return !bpfh_zone_close(z);
}

/* x - y > c, without overflow. */
static bool diff_gt(int64_t x, int64_t y, int64_t c)
{
	if (y > 0 && c > INT64_MAX - y)
		return false; /* c + y is beyond any x */
	if (y < 0 && c < INT64_MIN - y)
		return true;
	return x > c + y;
}

bool bpfh_zone_contains(const struct bpfh_zone *z, const int64_t *p)
{
	unsigned i, j;

	if (z->bottom)
		return false;
	for (i = 0; i <= z->n; i++)
		for (j = 0; j <= z->n; j++) {
			int64_t vi = i ? p[i] : 0, vj = j ? p[j] : 0;

			if (z->m[i][j] != INF && diff_gt(vi, vj, z->m[i][j]))
				return false;
		}
	return true;
}

bool bpfh_zone_add_diff(struct bpfh_zone *z, unsigned x, unsigned y, int64_t c)
{
	unsigned i, j, n = z->n;

	if (x > n || y > n || z->bottom)
		return !z->bottom;
	c = clamp(c);
	if (x == y) {
		if (c < 0)
			bpfh_zone_bottom(z, n);
		return !z->bottom;
	}
	if (!bpfh_zone_close(z))
		return false;
	if (c >= z->m[x][y])
		return true;
	if (badd(z->m[y][x], c) < 0) {
		bpfh_zone_bottom(z, n);
		return false;
	}
	for (i = 0; i <= n; i++) {
		int64_t ix = badd(z->m[i][x], c);

		if (ix == INF)
			continue;
		for (j = 0; j <= n; j++)
			z->m[i][j] = bmin(z->m[i][j], badd(ix, z->m[y][j]));
	}
	return true;
}

bool bpfh_zone_add_bounds(struct bpfh_zone *z, unsigned x, int64_t lo, int64_t hi)
{
	if (hi != INF && !bpfh_zone_add_diff(z, x, 0, hi))
		return false;
	/* -x <= -lo; a lower bound beyond -BPFH_ZONE_BOUND is no bound */
	if (lo != INT64_MIN && lo >= -BPFH_ZONE_BOUND && !bpfh_zone_add_diff(z, 0, x, -lo))
		return false;
	return !z->bottom;
}

void bpfh_zone_forget(struct bpfh_zone *z, unsigned x)
{
	unsigned i;

	if (x == 0 || x > z->n || !bpfh_zone_close(z))
		return;
	for (i = 0; i <= z->n; i++) {
		if (i == x)
			continue;
		z->m[x][i] = INF;
		z->m[i][x] = INF;
	}
}

void bpfh_zone_assign(struct bpfh_zone *z, unsigned x, unsigned y, int64_t lo, int64_t hi)
{
	int64_t up, down;
	unsigned i;

	if (x == 0 || x > z->n || y > z->n || !bpfh_zone_close(z))
		return;
	if (lo != INT64_MIN && hi != INF && lo > hi) {
		bpfh_zone_bottom(z, z->n);
		return;
	}
	/* x - y <= hi and y - x <= -lo, each loosened if out of the bounds' range */
	up = clamp(hi);
	down = lo == INT64_MIN || lo < -BPFH_ZONE_BOUND ? INF : clamp(-lo);
	if (y != x) {
		/* x := y + d: x's bounds are y's moved by d, in O(n); a closed matrix stays
		 * closed (every path through x is one through y). */
		for (i = 0; i <= z->n; i++) {
			if (i == x)
				continue;
			z->m[x][i] = i == y ? up : badd(z->m[y][i], up);
			z->m[i][x] = i == y ? down : badd(z->m[i][y], down);
		}
		z->m[x][x] = 0;
		return;
	}
	/* x := x + d: every bound on x - v grows by at most hi, every v - x by at most -lo; the
	 * matrix stays closed (a path through x gains hi - lo >= 0). */
	for (i = 0; i <= z->n; i++) {
		if (i == x)
			continue;
		z->m[x][i] = badd(z->m[x][i], up);
		z->m[i][x] = badd(z->m[i][x], down);
	}
}

int64_t bpfh_zone_diff_max(struct bpfh_zone *z, unsigned x, unsigned y)
{
	if (x > z->n || y > z->n)
		return INF;
	if (!bpfh_zone_close(z))
		return -BPFH_ZONE_BOUND;
	return z->m[x][y];
}

bool bpfh_zone_entails(struct bpfh_zone *z, unsigned x, unsigned y, int64_t c)
{
	if (x > z->n || y > z->n)
		return false;
	if (!bpfh_zone_close(z))
		return true;
	return z->m[x][y] != INF && z->m[x][y] <= c;
}

/* z itself when it is closed (or bottom), else a closed copy of it in c: the lattice
 * operations read closed operands without copying them. */
static const struct bpfh_zone *closed_view(struct bpfh_zone *c, const struct bpfh_zone *z)
{
	if (z->closed || z->bottom)
		return z;
	memcpy(c, z, sizeof(*c));
	bpfh_zone_close(c);
	return c;
}

void bpfh_zone_join(struct bpfh_zone *out, const struct bpfh_zone *a, const struct bpfh_zone *b)
{
	struct bpfh_zone ta, tb;
	const struct bpfh_zone *ca = closed_view(&ta, a), *cb = closed_view(&tb, b);
	unsigned i, j, n = ca->n;

	if (ca->bottom) {
		if (out != cb)
			memcpy(out, cb, sizeof(*out));
		return;
	}
	if (cb->bottom) {
		if (out != ca)
			memcpy(out, ca, sizeof(*out));
		return;
	}
	/* the larger of two closed matrices' bounds is closed; out may be a or b, whose
	 * entries are read before they are written */
	for (i = 0; i <= n; i++)
		for (j = 0; j <= n; j++)
			out->m[i][j] = bmax(ca->m[i][j], cb->m[i][j]);
	if (out != a && out != b)
		for (i = 0; i <= BPFH_ZONE_MAX_VARS; i++)
			for (j = 0; j <= BPFH_ZONE_MAX_VARS; j++)
				if (i > n || j > n)
					out->m[i][j] = i == j ? 0 : INF;
	out->n = n;
	out->bottom = false;
	out->closed = true;
}

void bpfh_zone_meet(struct bpfh_zone *out, const struct bpfh_zone *a, const struct bpfh_zone *b)
{
	struct bpfh_zone r;
	unsigned i, j;

	memcpy(&r, a, sizeof(r));
	if (a->bottom || b->bottom) {
		bpfh_zone_bottom(out, a->n);
		return;
	}
	for (i = 0; i <= r.n; i++)
		for (j = 0; j <= r.n; j++)
			r.m[i][j] = bmin(a->m[i][j], b->m[i][j]);
	r.closed = false;
	bpfh_zone_close(&r);
	memcpy(out, &r, sizeof(*out));
}

bool bpfh_zone_leq(const struct bpfh_zone *a, const struct bpfh_zone *b)
{
	struct bpfh_zone t;
	const struct bpfh_zone *ca = closed_view(&t, a);
	unsigned i, j;

	if (ca->bottom)
		return true;
	if (b->bottom)
		return false;
	for (i = 0; i <= ca->n; i++)
		for (j = 0; j <= ca->n; j++)
			if (ca->m[i][j] > b->m[i][j])
				return false;
	return true;
}

bool bpfh_zone_eq(const struct bpfh_zone *a, const struct bpfh_zone *b)
{
	return bpfh_zone_leq(a, b) && bpfh_zone_leq(b, a);
}

/* Smallest threshold >= c, or INF. */
static int64_t next_thr(int64_t c, const int64_t *thr, size_t nthr)
{
	int64_t best = INF;
	size_t i;

	for (i = 0; i < nthr; i++)
		if (thr[i] >= c && thr[i] < best && thr[i] <= BPFH_ZONE_BOUND)
			best = thr[i];
	return best;
}

static bool is_thr(int64_t c, const int64_t *thr, size_t nthr)
{
	return c == INF || next_thr(c, thr, nthr) == c;
}

void bpfh_zone_widen(struct bpfh_zone *out, const struct bpfh_zone *a, const struct bpfh_zone *b,
		     const int64_t *thr, size_t nthr)
{
	struct bpfh_zone r, tb;
	const struct bpfh_zone *cb = closed_view(&tb, b);
	unsigned i, j;

	if (a->bottom) {
		memcpy(out, cb, sizeof(*out));
		return;
	}
	memcpy(&r, a, sizeof(r));
	if (!cb->bottom) {
		bool changed = false;

		/* a is used as it is: closing it would let bounds come back and the sequence
		 * might never stabilise */
		for (i = 0; i <= r.n; i++)
			for (j = 0; j <= r.n; j++)
				if (cb->m[i][j] > a->m[i][j]) {
					r.m[i][j] = next_thr(cb->m[i][j], thr, nthr);
					changed = true;
				}
		/* unchanged, a closed a stays closed (a frame's zone, which a callee does not
		 * change, would be closed again at every join) */
		if (changed)
			r.closed = false;
	}
	memcpy(out, &r, sizeof(*out));
}

void bpfh_zone_narrow(struct bpfh_zone *out, const struct bpfh_zone *a, const struct bpfh_zone *b,
		      const int64_t *thr, size_t nthr)
{
	struct bpfh_zone r, tb;
	const struct bpfh_zone *cb = closed_view(&tb, b);
	unsigned i, j;

	if (a->bottom || cb->bottom) {
		bpfh_zone_bottom(out, a->n);
		return;
	}
	memcpy(&r, a, sizeof(r));
	for (i = 0; i <= r.n; i++)
		for (j = 0; j <= r.n; j++)
			if (is_thr(a->m[i][j], thr, nthr))
				r.m[i][j] = bmin(a->m[i][j], cb->m[i][j]);
	r.closed = false;
	memcpy(out, &r, sizeof(*out));
}
