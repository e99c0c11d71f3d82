// SPDX-License-Identifier: MIT
/*
 * The relational part of the verifier's state: a zone (difference bounds, zone.c) over the
 * value of each register (a number, or a pointer's offset), the packet's size and one iteration
 * counter per loop-nesting level. It proves what intervals cannot:
 *
 *  - packet bounds through derived pointers and variable offsets: "p = data + x; if (p + 20 >
 *    data_end) goto out;" leaves off(p) + 20 <= size, which later accesses through p (or
 *    copies of it, or p minus a constant) are checked against;
 *  - loop termination: a loop head's counter is reset on entering the loop and incremented on
 *    each back edge; a relation between the counter and a register stepped by a constant, with
 *    the register bounded by the exit test, bounds the counter (cfg.c gives each head its level).
 *
 * Registers' variables are mathematical integers: a relation is kept only while the interval of
 * the register proves no signed overflow; anything else forgets the register and keeps only its
 * interval bounds.
 */
#include <string.h>

#include "analyze.h"

#define VAR_REG(r) ((unsigned)(r) + 1)
#define LIMIT (INT64_C(1) << 61)

void bpfh_vrel_init(struct bpfh_vstate *st, unsigned levels)
{
	bpfh_zone_top(&st->z, BPFH_VREL_VARS(levels));
	/* The packet's size is not negative. */
	bpfh_zone_add_bounds(&st->z, BPFH_VREL_PKT_SIZE, 0, BPFH_ZONE_INF);
	/* No back edge taken yet: a jump back to a block that is in no cycle then only ever
	 * counts to 1. */
	for (unsigned l = 0; l < levels; l++) {
		bpfh_zone_add_bounds(&st->z, BPFH_VREL_COUNTER(l), 0, 0);
		bpfh_zone_add_bounds(&st->z, BPFH_VREL_DOWN(l), 0, 0);
	}
}

static bool small(int64_t lo, int64_t hi)
{
	return lo >= -LIMIT && hi <= LIMIT;
}

/* Interval bounds of register reg into the zone. */
static void bound(struct bpfh_vstate *st, unsigned reg)
{
	const struct bpfh_vreg *r = &st->r[reg];

	/* The packet end's variable is the packet's size plus its offset, not the offset. */
	if (r->kind == BPFH_VK_UNINIT || r->kind == BPFH_VK_PKT_END || r->kind == BPFH_VK_PKT_META)
		return;
	bpfh_zone_add_bounds(&st->z, VAR_REG(reg), r->s.r64.smin, r->s.r64.smax);
}

/* Forget every relation of register reg and keep its interval bounds: x := [lo, hi] is that, in
 * O(n) on a closed zone (a forgotten variable's bounds tighten no other path). */
static void reset(struct bpfh_vstate *st, unsigned reg)
{
	const struct bpfh_vreg *r = &st->r[reg];

	if (r->kind == BPFH_VK_UNINIT || r->kind == BPFH_VK_PKT_END || r->kind == BPFH_VK_PKT_META)
		bpfh_zone_forget(&st->z, VAR_REG(reg));
	else
		bpfh_zone_assign(&st->z, VAR_REG(reg), 0, r->s.r64.smin, r->s.r64.smax);
}

static bool in_u32(const struct bpfh_vreg *r)
{
	return r->kind == BPFH_VK_SCALAR && r->s.r64.smin >= 0 && r->s.r64.smax <= UINT32_MAX;
}

/* 32-bit moves and additions of registers that hold 32-bit values are 64-bit ones when the
 * result does not wrap (clang's loops with -mcpu=v3 count in w registers). */
static void plan32(const struct bpfh_vstate *st, const struct bpfh_insn *insn, unsigned op,
		   struct bpfh_vrel_plan *p)
{
	const struct bpfh_vreg *d = &st->r[insn->dst], *s = &st->r[insn->src];
	int64_t lo, hi;

	if (op == BPFH_OP_MOV32_X) {
		if (in_u32(s))
			p->kind = BPFH_VREL_ASSIGN, p->from = VAR_REG(insn->src), p->lo = 0, p->hi = 0;
		return;
	}
	if (op == BPFH_OP_ADD32_K || op == BPFH_OP_SUB32_K) {
		lo = hi = op == BPFH_OP_ADD32_K ? (int64_t)insn->imm : -(int64_t)insn->imm;
	} else if ((op == BPFH_OP_ADD32_X || op == BPFH_OP_SUB32_X) && in_u32(s) &&
		   insn->src != insn->dst) {
		lo = op == BPFH_OP_ADD32_X ? s->s.r64.smin : -s->s.r64.smax;
		hi = op == BPFH_OP_ADD32_X ? s->s.r64.smax : -s->s.r64.smin;
	} else {
		return;
	}
	if (!in_u32(d) || d->s.r64.smin + lo < 0 || d->s.r64.smax + hi > UINT32_MAX)
		return;
	p->kind = BPFH_VREL_ASSIGN, p->from = VAR_REG(insn->dst), p->lo = lo, p->hi = hi;
}

void bpfh_vrel_plan(const struct bpfh_vstate *st, const struct bpfh_insn *insn, unsigned op,
		    struct bpfh_vrel_plan *p)
{
	const struct bpfh_op_info *info = bpfh_op_info(op);
	const struct bpfh_vreg *d = &st->r[insn->dst], *s = &st->r[insn->src];
	int64_t lo, hi;

	memset(p, 0, sizeof(*p));
	p->kind = BPFH_VREL_FORGET;
	p->reg = insn->dst;
	switch (info->form) {
	case BPFH_FORM_ALU_K:
	case BPFH_FORM_ALU_X:
		if (bpfh_op_is_32(op)) {
			plan32(st, insn, op, p);
			return;
		}
		if (info->form == BPFH_FORM_ALU_X && s->kind == BPFH_VK_UNINIT)
			return;
		lo = info->form == BPFH_FORM_ALU_K ? insn->imm : s->s.r64.smin;
		hi = info->form == BPFH_FORM_ALU_K ? insn->imm : s->s.r64.smax;
		if (op == BPFH_OP_MOV64_X) {
			p->kind = BPFH_VREL_ASSIGN, p->from = VAR_REG(insn->src), p->lo = 0, p->hi = 0;
			return;
		}
		if (op != BPFH_OP_ADD64_K && op != BPFH_OP_ADD64_X && op != BPFH_OP_SUB64_K &&
		    op != BPFH_OP_SUB64_X)
			return;
		/* dst += src (a number): only with a bounded src and no overflow; for X forms
		 * the source must be a number (pointer + number keeps the pointer's variable). */
		if (info->form == BPFH_FORM_ALU_X && (s->kind != BPFH_VK_SCALAR || insn->src == insn->dst))
			return;
		if (d->kind == BPFH_VK_UNINIT || !small(lo, hi) ||
		    !small(d->s.r64.smin, d->s.r64.smax))
			return;
		if (op == BPFH_OP_SUB64_K || op == BPFH_OP_SUB64_X) {
			int64_t t = lo;

			lo = -hi;
			hi = -t;
		}
		p->kind = BPFH_VREL_ASSIGN, p->from = VAR_REG(insn->dst), p->lo = lo, p->hi = hi;
		return;
	case BPFH_FORM_NEG: case BPFH_FORM_MOVSX: case BPFH_FORM_END:
	case BPFH_FORM_LDX: case BPFH_FORM_LDDW:
		return;
	case BPFH_FORM_ATOMIC:
		p->reg = insn->imm == 0xf1 ? 0 : insn->src;
		if (!(insn->imm & 1) && insn->imm != 0xf1)
			p->kind = BPFH_VREL_NONE;
		return;
	case BPFH_FORM_CALL:
	case BPFH_FORM_LDABS: case BPFH_FORM_LDIND:
		p->kind = BPFH_VREL_CALL;
		return;
	default:
		p->kind = BPFH_VREL_NONE;
		return;
	}
}

void bpfh_vrel_apply(struct bpfh_vstate *st, const struct bpfh_vrel_plan *p)
{
	switch (p->kind) {
	case BPFH_VREL_NONE:
		return;
	case BPFH_VREL_ASSIGN:
		bpfh_zone_assign(&st->z, VAR_REG(p->reg), p->from, p->lo, p->hi);
		bound(st, p->reg);
		return;
	case BPFH_VREL_FORGET:
		reset(st, p->reg);
		return;
	case BPFH_VREL_CALL:
		for (unsigned r = 1; r <= 5; r++)
			bpfh_zone_forget(&st->z, VAR_REG(r));
		reset(st, 0);
		return;
	}
}

void bpfh_vrel_pkt_end(struct bpfh_vstate *st, unsigned reg)
{
	bpfh_zone_assign(&st->z, VAR_REG(reg), BPFH_VREL_PKT_SIZE, 0, 0);
}

void bpfh_vrel_pkt_meta(struct bpfh_vstate *st, unsigned reg)
{
	bpfh_zone_forget(&st->z, VAR_REG(reg));
	bpfh_zone_add_bounds(&st->z, VAR_REG(reg), INT64_MIN, 0); /* meta <= data */
}

bool bpfh_vrel_meta_within(struct bpfh_vstate *st, unsigned reg, int64_t end)
{
	return bpfh_zone_entails(&st->z, VAR_REG(reg), 0, -end);
}

void bpfh_vrel_forget_reg(struct bpfh_vstate *st, unsigned reg)
{
	reset(st, reg);
}

/* Tighten a register's interval from the zone. */
static void tighten(struct bpfh_vstate *st, unsigned reg)
{
	struct bpfh_vreg *r = &st->r[reg];
	int64_t hi = bpfh_zone_diff_max(&st->z, VAR_REG(reg), 0);
	int64_t nlo = bpfh_zone_diff_max(&st->z, 0, VAR_REG(reg));
	int64_t lo = nlo == BPFH_ZONE_INF ? INT64_MIN : -nlo;
	struct bpfh_scalar m;

	if (r->kind == BPFH_VK_UNINIT)
		return;
	if (hi == BPFH_ZONE_INF)
		hi = INT64_MAX;
	if (lo <= r->s.r64.smin && hi >= r->s.r64.smax)
		return;
	if (lo > hi) {
		st->bottom = true;
		return;
	}
	m = bpfh_scalar_srange(lo, hi);
	m = bpfh_scalar_meet(&r->s, &m);
	if (bpfh_scalar_is_bottom(&m))
		st->bottom = true;
	else
		r->s = m;
}

/* Numbers, and the offsets of pointers into regions whose offsets can vary. */
static void tighten_all(struct bpfh_vstate *st)
{
	for (unsigned r = 0; r < BPFH_REG_COUNT && !st->bottom; r++)
		if (st->r[r].kind != BPFH_VK_UNINIT && st->r[r].kind != BPFH_VK_MAP_PTR &&
		    st->r[r].kind != BPFH_VK_PKT_END && st->r[r].kind != BPFH_VK_PKT_META)
			tighten(st, r);
}

void bpfh_vrel_cond(struct bpfh_vstate *st, enum bpfh_cond c, unsigned width, unsigned dst,
		    int src, bool taken)
{
	const struct bpfh_vreg *d = &st->r[dst];
	unsigned x = VAR_REG(dst), y;
	bool ok = true;

	if (st->bottom)
		return;
	bound(st, dst);
	if (src >= 0)
		bound(st, (unsigned)src);
	if (src < 0 || (unsigned)src == dst)
		goto sync;
	/* 32-bit compares are 64-bit ones on registers that hold 32-bit values (signed:
	 * 31-bit values). */
	if (width != 64 && !(in_u32(d) && in_u32(&st->r[src]) &&
			     ((c != BPFH_COND_SGT && c != BPFH_COND_SGE && c != BPFH_COND_SLT &&
			       c != BPFH_COND_SLE) ||
			      (d->s.r64.smax <= INT32_MAX && st->r[src].s.r64.smax <= INT32_MAX))))
		goto sync;
	y = VAR_REG(src);
	if (c == BPFH_COND_GT || c == BPFH_COND_GE || c == BPFH_COND_LT || c == BPFH_COND_LE) {
		/* Unsigned order is the signed one when both are not negative. */
		if (d->s.r64.smin < 0 || st->r[src].s.r64.smin < 0)
			goto sync;
		c = c == BPFH_COND_GT ? BPFH_COND_SGT : c == BPFH_COND_GE ? BPFH_COND_SGE :
		    c == BPFH_COND_LT ? BPFH_COND_SLT : BPFH_COND_SLE;
	}
	if (!taken) {
		switch (c) {
		case BPFH_COND_SGT: c = BPFH_COND_SLE; break;
		case BPFH_COND_SGE: c = BPFH_COND_SLT; break;
		case BPFH_COND_SLT: c = BPFH_COND_SGE; break;
		case BPFH_COND_SLE: c = BPFH_COND_SGT; break;
		case BPFH_COND_EQ: c = BPFH_COND_NE; break;
		case BPFH_COND_NE: c = BPFH_COND_EQ; break;
		default: goto sync;
		}
	}
	switch (c) {
	case BPFH_COND_SGT: ok = bpfh_zone_add_diff(&st->z, y, x, -1); break;
	case BPFH_COND_SGE: ok = bpfh_zone_add_diff(&st->z, y, x, 0); break;
	case BPFH_COND_SLT: ok = bpfh_zone_add_diff(&st->z, x, y, -1); break;
	case BPFH_COND_SLE: ok = bpfh_zone_add_diff(&st->z, x, y, 0); break;
	case BPFH_COND_EQ:
		ok = bpfh_zone_add_diff(&st->z, x, y, 0) && bpfh_zone_add_diff(&st->z, y, x, 0);
		break;
	default: break;
	}
sync:
	if (!ok) {
		st->bottom = true;
		return;
	}
	tighten_all(st);
}

void bpfh_vrel_pkt_cmp(struct bpfh_vstate *st, unsigned pkt, unsigned end, int64_t lo,
		       int64_t hi)
{
	bool ok = true;

	/* lo <= off(pkt) - var(end) <= hi */
	if (hi != BPFH_ZONE_INF)
		ok = bpfh_zone_add_diff(&st->z, VAR_REG(pkt), VAR_REG(end), hi);
	if (ok && lo != INT64_MIN)
		ok = bpfh_zone_add_diff(&st->z, VAR_REG(end), VAR_REG(pkt), -lo);
	if (!ok)
		st->bottom = true;
	else
		tighten_all(st);
}

bool bpfh_vrel_pkt_within(struct bpfh_vstate *st, unsigned reg, int64_t end)
{
	return bpfh_zone_entails(&st->z, VAR_REG(reg), BPFH_VREL_PKT_SIZE, -end);
}

void bpfh_vrel_loop_edge(struct bpfh_vstate *st, unsigned level, bool back)
{
	unsigned c = BPFH_VREL_COUNTER(level), d = BPFH_VREL_DOWN(level);

	if (back) {
		bpfh_zone_assign(&st->z, c, c, 1, 1);
		bpfh_zone_assign(&st->z, d, d, -1, -1);
	} else {
		bpfh_zone_assign(&st->z, c, 0, 0, 0);
		bpfh_zone_assign(&st->z, d, 0, 0, 0);
	}
}

int64_t bpfh_vrel_loop_bound(struct bpfh_vstate *st, unsigned level)
{
	int64_t up = bpfh_zone_diff_max(&st->z, BPFH_VREL_COUNTER(level), 0);
	int64_t down = bpfh_zone_diff_max(&st->z, 0, BPFH_VREL_DOWN(level));

	return up < down ? up : down;
}

void bpfh_vrel_diff(struct bpfh_vstate *st, unsigned x, unsigned y, int64_t *lo, int64_t *hi)
{
	int64_t up = bpfh_zone_diff_max(&st->z, VAR_REG(x), VAR_REG(y));
	int64_t down = bpfh_zone_diff_max(&st->z, VAR_REG(y), VAR_REG(x));

	*hi = up == BPFH_ZONE_INF ? INT64_MAX : up;
	*lo = down == BPFH_ZONE_INF ? INT64_MIN : -down;
	if (*lo > *hi) /* an impossible state: any value is sound */
		*lo = INT64_MIN, *hi = INT64_MAX;
}
