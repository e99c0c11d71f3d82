// SPDX-License-Identifier: MIT
/*
 * The verifier's abstract state at one program point: per register a kind (uninitialised,
 * scalar, or a pointer into a region) with a scalar that is the value or the pointer's offset,
 * the 512-byte stack frame byte by byte (invalid, initialised data, part of a spilled register)
 * with the spilled registers per 8-byte slot, and the number of packet bytes proven to exist.
 * Lattice operations only: order, join and widening. The meaning of instructions is in
 * analyze.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "verify_int.h"
#include "refs.h"

static const char *const kind_names[] = {
	[BPFH_VK_UNINIT] = "uninitialised",
	[BPFH_VK_SCALAR] = "scalar",
	[BPFH_VK_CTX] = "ctx",
	[BPFH_VK_STACK] = "stack",
	[BPFH_VK_MAP_PTR] = "map_ptr",
	[BPFH_VK_MAP_VALUE] = "map_value",
	[BPFH_VK_MAP_VALUE_OR_NULL] = "map_value_or_null",
	[BPFH_VK_PKT] = "packet",
	[BPFH_VK_PKT_END] = "packet_end",
	[BPFH_VK_FUNC] = "func",
	[BPFH_VK_MAP_KEY] = "map_key",
	[BPFH_VK_PKT_META] = "packet_meta",
	[BPFH_VK_RINGBUF_MEM_OR_NULL] = "ringbuf_mem_or_null",
	[BPFH_VK_RINGBUF_MEM] = "ringbuf_mem",
	[BPFH_VK_MAP_PTR_OR_NULL] = "map_ptr_or_null",
};

const char *bpfh_vkind_name(unsigned kind)
{
	if (kind >= sizeof(kind_names) / sizeof(kind_names[0]) || !kind_names[kind])
		return "?";
	return kind_names[kind];
}

void bpfh_vreg_set_scalar(struct bpfh_vreg *r, struct bpfh_scalar s)
{
	memset(r, 0, sizeof(*r));
	r->kind = BPFH_VK_SCALAR;
	r->s = s;
}

void bpfh_vreg_set_ptr(struct bpfh_vreg *r, enum bpfh_vkind kind, int64_t off)
{
	memset(r, 0, sizeof(*r));
	r->kind = (uint8_t)kind;
	r->s = bpfh_scalar_const((uint64_t)off);
}

bool bpfh_vreg_is_ptr(const struct bpfh_vreg *r)
{
	return r->kind > BPFH_VK_SCALAR;
}

static void format_range(const struct bpfh_scalar *s, char *buf, size_t size)
{
	uint64_t v;

	if (bpfh_scalar_is_bottom(s))
		snprintf(buf, size, "(none)");
	else if (bpfh_scalar_is_const(s, &v))
		snprintf(buf, size, "%" PRId64, (int64_t)v);
	else
		snprintf(buf, size, "[%" PRId64 ", %" PRId64 "]", s->r64.smin, s->r64.smax);
}

static void format_kind(const struct bpfh_vreg *r, char *buf, size_t size);

void bpfh_vreg_format(const struct bpfh_vreg *r, char *buf, size_t size)
{
	format_kind(r, buf, size);
	if (r->null && bpfh_vreg_is_ptr(r)) {
		size_t n = strlen(buf);

		snprintf(buf + n, size > n ? size - n : 0, " or NULL");
	}
}

static void format_kind(const struct bpfh_vreg *r, char *buf, size_t size)
{
	char range[64];

	format_range(&r->s, range, sizeof(range));
	switch (r->kind) {
	case BPFH_VK_UNINIT:
		snprintf(buf, size, "uninitialised");
		break;
	case BPFH_VK_SCALAR:
		snprintf(buf, size, "scalar %s", range);
		break;
	case BPFH_VK_MAP_PTR:
	case BPFH_VK_MAP_PTR_OR_NULL:
		snprintf(buf, size, "%s(map %" PRIu32 ")", bpfh_vkind_name(r->kind), r->map);
		break;
	case BPFH_VK_RINGBUF_MEM:
	case BPFH_VK_RINGBUF_MEM_OR_NULL:
		snprintf(buf, size, "%s(map %" PRIu32 ", size %" PRIu32 ", off %s, ref %" PRIu32 ")",
			 bpfh_vkind_name(r->kind), r->map, r->mem_size, range, r->id);
		break;
	case BPFH_VK_MAP_VALUE:
	case BPFH_VK_MAP_VALUE_OR_NULL:
	case BPFH_VK_MAP_KEY:
		snprintf(buf, size, "%s(map %" PRIu32 ", off %s)", bpfh_vkind_name(r->kind), r->map,
			 range);
		break;
	case BPFH_VK_FUNC:
		snprintf(buf, size, "func(insn %" PRIu32 ")", r->map);
		break;
	case BPFH_VK_STACK:
		if (r->map)
			snprintf(buf, size, "stack(frame %" PRIu32 ", off %s)", r->map, range);
		else
			snprintf(buf, size, "stack(off %s)", range);
		break;
	default:
		snprintf(buf, size, "%s(off %s)", bpfh_vkind_name(r->kind), range);
		break;
	}
}

void bpfh_vstate_format(const struct bpfh_vstate *st, char *buf, size_t size)
{
	size_t n = 0;
	char v[128];

#define PUT(...)                                                                  \
	do {                                                                      \
		int k_ = snprintf(buf + n, size - n, __VA_ARGS__);                \
		if (k_ < 0 || (size_t)k_ >= size - n)                             \
			return;                                                   \
		n += (size_t)k_;                                                  \
	} while (0)
	if (!size)
		return;
	buf[0] = 0;
	if (st->depth)
		PUT("frame %u: ", st->depth);
	for (int i = 0; i < BPFH_REG_COUNT; i++) {
		if (st->r[i].kind == BPFH_VK_UNINIT)
			continue;
		bpfh_vreg_format(&st->r[i], v, sizeof(v));
		PUT("%sr%d=%s", n && buf[n - 1] != ' ' ? " " : "", i, v);
	}
	for (size_t s = 0; s < BPFH_VSLOTS; s++) {
		const uint8_t *b = &st->stk[s * 8];
		int init = 0;

		if (b[0] == BPFH_STK_SPILL) {
			bpfh_vreg_format(&st->spill[s], v, sizeof(v));
			PUT(" fp%d=%s", (int)(s * 8) - BPFH_STACK_SIZE, v);
			continue;
		}
		for (int k = 0; k < 8; k++)
			init += b[k] != BPFH_STK_INVALID;
		if (init)
			PUT(" fp%d=data(%d bytes)", (int)(s * 8) - BPFH_STACK_SIZE, init);
	}
	if (st->pkt_range)
		PUT(" packet>=%" PRIu64, st->pkt_range);
	bpfh_vrefs_format(&st->refs, v, sizeof(v));
	if (v[0])
		PUT(" %s", v);
#undef PUT
}

void bpfh_vstate_init(struct bpfh_vstate *st, unsigned levels)
{
	memset(st, 0, sizeof(*st));
	bpfh_vrel_init(st, levels);
}

static bool is_null(const struct bpfh_vreg *r)
{
	uint64_t v;

	return r->kind == BPFH_VK_SCALAR && bpfh_scalar_is_const(&r->s, &v) && v == 0;
}

/* Pointers that can carry "or NULL" (the kinds that are not already maybe-NULL ones). */
static bool nullable(const struct bpfh_vreg *r)
{
	return bpfh_vreg_is_ptr(r) && !bpfh_vkind_maybe_null(r->kind) &&
	       r->kind != BPFH_VK_MAP_PTR && r->kind != BPFH_VK_FUNC;
}

static bool vreg_leq(const struct bpfh_vreg *a, const struct bpfh_vreg *b)
{
	if (b->kind == BPFH_VK_UNINIT || !memcmp(a, b, sizeof(*a)))
		return true;
	if (is_null(a) && b->null && nullable(b))
		return true;
	if (a->null > b->null)
		return false;
	if (a->kind != b->kind || a->map != b->map)
		return false;
	if (b->id && a->id != b->id)
		return false;
	if (!bpfh_vreg_ext_leq(a, b))
		return false;
	return bpfh_scalar_leq(&a->s, &b->s);
}

static void vreg_join(struct bpfh_vreg *a, const struct bpfh_vreg *b, bool widen,
		      const int64_t *thr, size_t nthr)
{
	/* The common case: nothing changed (the join, and the widening, of x with x is x). */
	if (!memcmp(a, b, sizeof(*a)))
		return;
	/* NULL on one path, a pointer on the other: the pointer or NULL. */
	if (is_null(b) && nullable(a)) {
		a->null = 1;
		return;
	}
	if (is_null(a) && nullable(b)) {
		*a = *b;
		a->null = 1;
		return;
	}
	if (a->kind != b->kind || a->map != b->map) {
		memset(a, 0, sizeof(*a));
		return;
	}
	if (a->kind == BPFH_VK_UNINIT)
		return;
	a->null |= b->null;
	if (a->id != b->id)
		a->id = 0;
	bpfh_vreg_ext_join(a, b);
	if (widen) {
		struct bpfh_scalar j = bpfh_scalar_join(&a->s, &b->s);

		a->s = bpfh_scalar_widen(&a->s, &j, thr, nthr);
	} else {
		a->s = bpfh_scalar_join(&a->s, &b->s);
	}
}

/* Whether a slot's 8 byte kinds (w, in memory order) hold a CONST byte. */
static bool has_const(uint64_t w)
{
	uint64_t c = w ^ (UINT64_C(0x0101010101010101) * BPFH_STK_CONST);

	/* a zero byte in c */
	return ((c - UINT64_C(0x0101010101010101)) & ~c & UINT64_C(0x8080808080808080)) != 0;
}

/* The value of CONST byte i of a frame's stack (slot i / 8). */
static uint8_t const_byte(const struct bpfh_vreg *spill, size_t i)
{
	uint64_t v = spill[i / 8].s.var.value;
	uint8_t b[8];

	memcpy(b, &v, 8);
	return b[i % 8];
}

static bool stack_leq(const uint8_t *astk, const struct bpfh_vreg *aspill, const uint8_t *bstk,
		      const struct bpfh_vreg *bspill)
{
	for (size_t i = 0; i < BPFH_STACK_SIZE; i++) {
		uint64_t x, y;

		/* Equal slots pass byte by byte (spills are compared below): the common case;
		 * not with bytes of known value, whose values may differ. */
		if (i % 8 == 0) {
			memcpy(&x, &astk[i], 8);
			memcpy(&y, &bstk[i], 8);
			if (x == y && !has_const(x)) {
				i += 7;
				continue;
			}
		}
		/* INVALID is the top of bytes; SPILL and CONST below MISC below INVALID. */
		if (bstk[i] == BPFH_STK_INVALID)
			continue;
		if (astk[i] == BPFH_STK_INVALID)
			return false;
		if (bstk[i] == BPFH_STK_SPILL && astk[i] != BPFH_STK_SPILL)
			return false;
		if (bstk[i] == BPFH_STK_CONST &&
		    (astk[i] != BPFH_STK_CONST || const_byte(aspill, i) != const_byte(bspill, i)))
			return false;
		if (bstk[i] == BPFH_STK_MISC && astk[i] == BPFH_STK_SPILL &&
		    aspill[i / 8].kind != BPFH_VK_SCALAR)
			return false;
	}
	for (size_t s = 0; s < BPFH_VSLOTS; s++)
		if (bstk[s * 8] == BPFH_STK_SPILL && !vreg_leq(&aspill[s], &bspill[s]))
			return false;
	return true;
}

/* As the join does: a's NULL where b has "pointer or NULL" says nothing of the pointer's
 * variable. */
static bool null_zone_leq(const struct bpfh_vstate *a, const struct bpfh_vstate *b)
{
	struct bpfh_zone az = a->z, bz = b->z;

	for (unsigned i = 0; i < BPFH_REG_COUNT; i++)
		if (is_null(&a->r[i]) && nullable(&b->r[i]) && b->r[i].null) {
			int64_t c = bpfh_zone_diff_max(&bz, i + 1, 0);

			if (c != BPFH_ZONE_INF)
				bpfh_zone_assign(&az, i + 1, 0, c, c);
		}
	return bpfh_zone_leq(&az, &b->z);
}

bool bpfh_vstate_leq(const struct bpfh_vstate *a, const struct bpfh_vstate *b)
{
	struct bpfh_vstate renamed;

	if (a->bottom)
		return true;
	if (b->bottom)
		return false;
	if (bpfh_vids_for_leq(a, b, &renamed))
		a = &renamed;
	if (a->pkt_range < b->pkt_range || a->depth != b->depth)
		return false;
	if (!bpfh_vrefs_leq(&a->refs, &b->refs))
		return false;
	for (int i = 0; i < BPFH_REG_COUNT; i++)
		if (!vreg_leq(&a->r[i], &b->r[i]))
			return false;
	if (!stack_leq(a->stk, a->spill, b->stk, b->spill))
		return false;
	for (unsigned f = 0; f < a->depth; f++) {
		const struct bpfh_vframe *x = &a->frames[f], *y = &b->frames[f];

		for (int i = 0; i < BPFH_REG_COUNT; i++)
			if (!vreg_leq(&x->saved[i], &y->saved[i]))
				return false;
		if (!stack_leq(x->stk, x->spill, y->stk, y->spill) || !bpfh_zone_leq(&x->z, &y->z))
			return false;
	}
	for (unsigned i = 0; i < BPFH_REG_COUNT; i++)
		if (is_null(&a->r[i]) && nullable(&b->r[i]) && b->r[i].null)
			return null_zone_leq(a, b);
	return bpfh_zone_leq(&a->z, &b->z);
}

static void stack_join(uint8_t *astk, struct bpfh_vreg *aspill, const uint8_t *bstk,
		       const struct bpfh_vreg *bspill, bool widen, const int64_t *thr,
		       size_t nthr)
{
	for (size_t s = 0; s < BPFH_VSLOTS; s++) {
		uint8_t *x = &astk[s * 8];
		const uint8_t *y = &bstk[s * 8];
		uint64_t xs, ys;
		bool known = false; /* a byte of the same value on both paths: stays CONST */

		memcpy(&xs, x, 8);
		memcpy(&ys, y, 8);
		/* The common cases: both never written, or both plain data. */
		if (xs == ys && (xs == 0 || xs == UINT64_C(0x0101010101010101) * BPFH_STK_MISC))
			continue;
		if (x[0] == BPFH_STK_SPILL && y[0] == BPFH_STK_SPILL) {
			vreg_join(&aspill[s], &bspill[s], widen, thr, nthr);
			if (aspill[s].kind != BPFH_VK_UNINIT)
				continue;
			/* Spills of different kinds: what remains is data, and only scalars'
			 * bytes may be read as data. */
			memset(x, BPFH_STK_INVALID, 8);
			continue;
		}
		for (int k = 0; k < 8; k++) {
			uint8_t u = x[k], v = y[k];
			/* A spilled pointer's bytes never become readable data. */
			bool px = u == BPFH_STK_SPILL && aspill[s].kind != BPFH_VK_SCALAR;
			bool py = v == BPFH_STK_SPILL && bspill[s].kind != BPFH_VK_SCALAR;

			if (u == BPFH_STK_INVALID || v == BPFH_STK_INVALID || px || py)
				x[k] = BPFH_STK_INVALID;
			else if (u == BPFH_STK_CONST && v == BPFH_STK_CONST &&
				 const_byte(aspill, s * 8 + k) == const_byte(bspill, s * 8 + k))
				known = true;
			else
				x[k] = BPFH_STK_MISC;
		}
		if (!known)
			memset(&aspill[s], 0, sizeof(aspill[s]));
	}
}

static void zone_join(struct bpfh_zone *a, const struct bpfh_zone *b, bool widen,
		      const int64_t *thr, size_t nthr)
{
	if (widen) {
		struct bpfh_zone j;

		bpfh_zone_join(&j, a, b);
		bpfh_zone_widen(a, a, &j, thr, nthr);
	} else {
		bpfh_zone_join(a, a, b);
	}
}

/*
 * A register NULL on one side and a pointer on the other joins into "pointer or NULL"; its
 * relations only matter where it is not NULL (it cannot be used before a comparison with 0).
 * On the NULL side its variable is a value of no meaning: give it the pointer side's upper bound
 * there, so that the join keeps that bound (a hull with 0 would lose it). *bz becomes a copy
 * when b's side changes; true when a's changed.
 */
static bool null_sides(struct bpfh_vstate *a, const struct bpfh_vstate *b, struct bpfh_zone *bcopy,
		       const struct bpfh_zone **bz)
{
	bool changed = false;

	for (unsigned i = 0; i < BPFH_REG_COUNT; i++) {
		int64_t c;

		if (is_null(&a->r[i]) && nullable(&b->r[i])) {
			*bcopy = **bz;
			c = bpfh_zone_diff_max(bcopy, i + 1, 0);
			if (c != BPFH_ZONE_INF) {
				bpfh_zone_assign(&a->z, i + 1, 0, c, c);
				changed = true;
			}
		} else if (is_null(&b->r[i]) && nullable(&a->r[i])) {
			c = bpfh_zone_diff_max(&a->z, i + 1, 0);
			if (c == BPFH_ZONE_INF)
				continue;
			if (*bz != bcopy) {
				*bcopy = **bz;
				*bz = bcopy;
			}
			bpfh_zone_assign(bcopy, i + 1, 0, c, c);
		}
	}
	return changed;
}

/* The join, or widening, of a and b; wide (widenings only, may be NULL): see
 * bpfh_vstate_widen. */
static void join(struct bpfh_vstate *a, const struct bpfh_vstate *b, bool widen,
		 struct bpfh_zone *wide, const int64_t *thr, size_t nthr)
{
	struct bpfh_vstate renamed;
	struct bpfh_zone bcopy;
	const struct bpfh_zone *bz;

	if (b->bottom)
		return;
	if (a->bottom) {
		bpfh_vstate_copy(a, b);
		if (wide)
			*wide = a->z;
		return;
	}
	if (bpfh_vids_for_join(a, b, &renamed))
		b = &renamed;
	if (b->pkt_range < a->pkt_range)
		a->pkt_range = widen ? 0 : b->pkt_range;
	bpfh_vrefs_join(&a->refs, &b->refs);
	bz = &b->z;
	if (null_sides(a, b, &bcopy, &bz) && wide)
		*wide = a->z; /* as if wide had been closed and given the same bounds */
	for (int i = 0; i < BPFH_REG_COUNT; i++)
		vreg_join(&a->r[i], &b->r[i], widen, thr, nthr);
	if (wide) {
		struct bpfh_zone j;

		/* the join of the closed zones, then the widening of the last widening's
		 * result by it: as zone_join does with wide as a's zone. When b's zone adds
		 * nothing, the join is a's zone, which no bound of wide exceeds: both stay. */
		if (!bpfh_zone_leq(bz, &a->z)) {
			bpfh_zone_join(&j, &a->z, bz);
			bpfh_zone_widen(wide, wide, &j, thr, nthr);
			a->z = *wide;
			bpfh_zone_close(&a->z);
		}
	} else {
		zone_join(&a->z, bz, widen, thr, nthr);
	}
	stack_join(a->stk, a->spill, b->stk, b->spill, widen, thr, nthr);
	for (unsigned f = 0; f < a->depth && f < b->depth; f++) {
		struct bpfh_vframe *x = &a->frames[f];
		const struct bpfh_vframe *y = &b->frames[f];

		for (int i = 0; i < BPFH_REG_COUNT; i++)
			vreg_join(&x->saved[i], &y->saved[i], widen, thr, nthr);
		zone_join(&x->z, &y->z, widen, thr, nthr);
		stack_join(x->stk, x->spill, y->stk, y->spill, widen, thr, nthr);
	}
}

void bpfh_vstate_join(struct bpfh_vstate *a, const struct bpfh_vstate *b, bool widen,
		      const int64_t *thr, size_t nthr)
{
	join(a, b, widen, NULL, thr, nthr);
}

void bpfh_vstate_widen(struct bpfh_vstate *a, const struct bpfh_vstate *b,
		       struct bpfh_zone *wide, const int64_t *thr, size_t nthr)
{
	join(a, b, true, wide, thr, nthr);
}

size_t bpfh_vstate_size(unsigned depth)
{
	return sizeof(struct bpfh_vstate) + depth * sizeof(struct bpfh_vframe);
}

/* Whether slot s holds a spill or a byte of known value (its spill entry is then read). */
static bool slot_used(const uint8_t *stk, size_t s)
{
	uint64_t w;

	memcpy(&w, &stk[s * 8], 8);
	return stk[s * 8] == BPFH_STK_SPILL || has_const(w);
}

/* The lowest stack slot whose spill entry is read (a spilled register, bytes of known value);
 * BPFH_VSLOTS: none. */
static size_t first_used(const uint8_t *stk)
{
	for (size_t s = 0; s < BPFH_VSLOTS; s++)
		if (slot_used(stk, s))
			return s;
	return BPFH_VSLOTS;
}

/* As the running frame is copied: the spill entries from the lowest used, the zone's rows. */
static void frame_copy(struct bpfh_vframe *dst, const struct bpfh_vframe *src)
{
	size_t first = first_used(src->stk);

	memcpy(dst->stk, src->stk, sizeof(dst->stk));
	if (first < BPFH_VSLOTS)
		memcpy(&dst->spill[first], &src->spill[first],
		       (BPFH_VSLOTS - first) * sizeof(dst->spill[0]));
	memcpy(dst->saved, src->saved, sizeof(dst->saved));
	dst->z.n = src->z.n;
	dst->z.bottom = src->z.bottom;
	dst->z.closed = src->z.closed;
	memcpy(dst->z.m, src->z.m, (src->z.n + 1u) * sizeof(dst->z.m[0]));
}

/*
 * Copies are the analysis's main cost: copy what can matter only. The spill entries from the
 * lowest slot that holds a spilled register or a byte of known value (the others are never
 * read: their bytes are neither SPILL nor CONST, in src and so in dst), and the zone's rows of
 * its variables.
 */
void bpfh_vstate_copy(struct bpfh_vstate *dst, const struct bpfh_vstate *src)
{
	size_t first;

	if (dst == src)
		return;
	memcpy(dst->r, src->r, sizeof(dst->r));
	memcpy(dst->stk, src->stk, sizeof(dst->stk));
	first = first_used(src->stk);
	if (first < BPFH_VSLOTS)
		memcpy(&dst->spill[first], &src->spill[first],
		       (BPFH_VSLOTS - first) * sizeof(dst->spill[0]));
	dst->pkt_range = src->pkt_range;
	dst->z.n = src->z.n;
	dst->z.bottom = src->z.bottom;
	dst->z.closed = src->z.closed;
	memcpy(dst->z.m, src->z.m, (src->z.n + 1u) * sizeof(dst->z.m[0]));
	dst->bottom = src->bottom;
	dst->refs = src->refs;
	dst->depth = src->depth;
	for (unsigned f = 0; f < src->depth; f++)
		frame_copy(&dst->frames[f], &src->frames[f]);
}

unsigned bpfh_vstate_views(struct bpfh_vstate *st, struct bpfh_vview *v)
{
	for (unsigned f = 0; f < st->depth; f++)
		v[f] = (struct bpfh_vview){ st->frames[f].stk, st->frames[f].spill,
					    st->frames[f].saved };
	v[st->depth] = (struct bpfh_vview){ st->stk, st->spill, st->r };
	return st->depth + 1u;
}

struct bpfh_vview bpfh_vstate_frame(struct bpfh_vstate *st, unsigned frame)
{
	if (frame < st->depth)
		return (struct bpfh_vview){ st->frames[frame].stk, st->frames[frame].spill,
					    st->frames[frame].saved };
	return (struct bpfh_vview){ st->stk, st->spill, st->r };
}

void bpfh_vstack_unspill(uint8_t *stk, struct bpfh_vreg *spill, size_t slot)
{
	/* A scalar's bytes stay data, a pointer's become unreadable. */
	memset(&stk[slot * 8], spill[slot].kind == BPFH_VK_SCALAR ? BPFH_STK_MISC : BPFH_STK_INVALID,
	       8);
	memset(&spill[slot], 0, sizeof(spill[slot]));
}

void bpfh_vstack_write(uint8_t *stk, struct bpfh_vreg *spill, size_t lo, size_t n)
{
	for (size_t i = lo; i < lo + n; i++) {
		if (stk[i] == BPFH_STK_SPILL)
			bpfh_vstack_unspill(stk, spill, i / 8);
		stk[i] = BPFH_STK_MISC;
	}
}

void bpfh_vstack_write_const(uint8_t *stk, struct bpfh_vreg *spill, size_t lo, size_t n,
			     const uint8_t *bytes)
{
	bpfh_vstack_write(stk, spill, lo, n);
	for (size_t i = lo; i < lo + n; i++) {
		size_t s = i / 8;
		uint8_t b[8] = { 0 };
		uint64_t v;
		bool known = false;

		for (size_t k = 0; k < 8; k++)
			known |= stk[s * 8 + k] == BPFH_STK_CONST;
		if (known) {
			v = spill[s].s.var.value;
			memcpy(b, &v, 8);
		}
		b[i % 8] = bytes[i - lo];
		memcpy(&v, b, 8);
		bpfh_vreg_set_scalar(&spill[s], bpfh_scalar_const(v));
		stk[i] = BPFH_STK_CONST;
	}
}

bool bpfh_vstack_known(const uint8_t *stk, const struct bpfh_vreg *spill, size_t lo, size_t n,
		       uint8_t *bytes)
{
	for (size_t i = lo; i < lo + n; i++) {
		uint64_t v;
		uint8_t b[8];

		if (stk[i] == BPFH_STK_CONST) {
			bytes[i - lo] = const_byte(spill, i);
			continue;
		}
		if (stk[i] != BPFH_STK_SPILL || spill[i / 8].kind != BPFH_VK_SCALAR ||
		    !bpfh_scalar_is_const(&spill[i / 8].s, &v))
			return false;
		memcpy(b, &v, 8);
		bytes[i - lo] = b[i % 8];
	}
	return true;
}

bool bpfh_vstack_init(const uint8_t *stk, const struct bpfh_vreg *spill, size_t lo, size_t n)
{
	for (size_t i = lo; i < lo + n; i++) {
		if (stk[i] == BPFH_STK_INVALID)
			return false;
		if (stk[i] == BPFH_STK_SPILL && spill[i / 8].kind != BPFH_VK_SCALAR)
			return false;
	}
	return true;
}

void bpfh_vstate_stack_write(struct bpfh_vstate *st, unsigned frame, size_t lo, size_t n)
{
	struct bpfh_vview v = bpfh_vstate_frame(st, frame);

	bpfh_vstack_write(v.stk, v.spill, lo, n);
}

bool bpfh_vstate_stack_init(const struct bpfh_vstate *st, unsigned frame, size_t lo, size_t n)
{
	struct bpfh_vview v = bpfh_vstate_frame((struct bpfh_vstate *)st, frame);

	return bpfh_vstack_init(v.stk, v.spill, lo, n);
}
