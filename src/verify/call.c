// SPDX-License-Identifier: MIT
/*
 * The analyzer's helper calls: each argument checked against the helper's prototype
 * (src/helpers/helpers.def), r1-r5 clobbered, r0 by the return kind, packet pointers dropped by
 * helpers that change the packet.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/helpers.h"
#include "analyze.h"

static int arg_size(struct actx *a, const struct bpfh_vstate *st, unsigned reg, bool nonzero,
		    uint64_t *size)
{
	const struct bpfh_vreg *r = &st->r[reg];
	char b[96];
	int err = use(a, st, reg);

	if (err)
		return err;
	fmt_reg(r, b, sizeof(b));
	if (r->kind != BPFH_VK_SCALAR)
		return fail(a, "R%u must be a size, not %s", reg, b);
	if (r->s.r64.umax > (UINT64_C(1) << 29))
		return fail(a, "R%u is an unbounded size: %s", reg, b);
	if (nonzero && r->s.r64.umin == 0)
		return fail(a, "R%u is a size that may be 0: %s", reg, b);
	*size = r->s.r64.umax;
	return 0;
}

static int arg_mem(struct actx *a, struct bpfh_vstate *st, unsigned reg, uint64_t size,
		   bool write)
{
	struct bpfh_vreg p = st->r[reg];
	size_t slot;
	int err;

	if (size == 0 && p.kind == BPFH_VK_SCALAR)
		return 0;
	err = bpfh_va_check_region(a, st, reg, &p, 0, size, write ? ACC_HELPER_WRITE : ACC_HELPER_READ,
			   &slot);
	if (err)
		return err;
	if (write && p.kind == BPFH_VK_STACK && size)
		bpfh_vstate_stack_write(st, p.map, slot, size);
	return 0;
}

/* A helper that changes the packet: packet pointers of every frame are gone. */
static void drop_packet(struct bpfh_vstate *st)
{
	struct bpfh_vview v[BPFH_VMAX_FRAMES];
	unsigned n = bpfh_vstate_views(st, v);

	for (unsigned f = 0; f < n; f++) {
		for (int i = 0; i < BPFH_REG_COUNT; i++)
			if (v[f].regs[i].kind == BPFH_VK_PKT || v[f].regs[i].kind == BPFH_VK_PKT_END ||
			    v[f].regs[i].kind == BPFH_VK_PKT_META)
				memset(&v[f].regs[i], 0, sizeof(v[f].regs[i]));
		for (size_t s = 0; s < BPFH_VSLOTS; s++)
			if (v[f].stk[s * 8] == BPFH_STK_SPILL &&
			    (v[f].spill[s].kind == BPFH_VK_PKT ||
			     v[f].spill[s].kind == BPFH_VK_PKT_END ||
			     v[f].spill[s].kind == BPFH_VK_PKT_META)) {
				memset(&v[f].stk[s * 8], BPFH_STK_INVALID, 8);
				memset(&v[f].spill[s], 0, sizeof(v[f].spill[s]));
			}
	}
	for (unsigned f = 0; f < st->depth; f++) {
		bpfh_zone_forget(&st->frames[f].z, BPFH_VREL_PKT_SIZE);
		bpfh_zone_add_bounds(&st->frames[f].z, BPFH_VREL_PKT_SIZE, 0, BPFH_ZONE_INF);
	}
	st->pkt_range = 0;
}

/* A new lookup at the same instruction: older copies, in every frame, lose the identity (a
 * NULL check of the new one says nothing of them). */
static void drop_id(struct bpfh_vstate *st, uint32_t id)
{
	struct bpfh_vview v[BPFH_VMAX_FRAMES];
	unsigned n = bpfh_vstate_views(st, v);

	for (unsigned f = 0; f < n; f++) {
		for (int i = 0; i < BPFH_REG_COUNT; i++)
			if (v[f].regs[i].kind == BPFH_VK_MAP_VALUE_OR_NULL && v[f].regs[i].id == id)
				v[f].regs[i].id = 0;
		for (size_t s = 0; s < BPFH_VSLOTS; s++)
			if (v[f].stk[s * 8] == BPFH_STK_SPILL && v[f].spill[s].id == id)
				v[f].spill[s].id = 0;
	}
}

int bpfh_va_call(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn)
{
	const struct bpfh_helper *h = bpfh_helper_find((uint32_t)insn->imm);
	const char *name = bpfh_helper_name((uint32_t)insn->imm);
	const struct bpfh_verify_map *map = NULL;
	uint32_t map_idx = 0;
	char b[96];
	int err;

	if (!h)
		return fail(a, "unknown helper %s (%" PRId32 ")", name ? name : "?", insn->imm);
	for (unsigned k = 0; k < 5 && h->args[k] != BPFH_ARG_NONE; k++) {
		unsigned reg = k + 1;
		const struct bpfh_vreg *r = &st->r[reg];
		uint64_t size = 0;

		err = use(a, st, reg);
		if (err)
			return err;
		fmt_reg(r, b, sizeof(b));
		switch (h->args[k]) {
		case BPFH_ARG_ANYTHING:
			if (strict(a) && bpfh_vreg_is_ptr(r))
				return fail(a, "%s: R%u must be a scalar, not %s", h->name, reg, b);
			break;
		case BPFH_ARG_CONST:
			if (r->kind != BPFH_VK_SCALAR || !bpfh_scalar_is_const(&r->s, &size))
				return fail(a, "%s: R%u must be a constant, not %s", h->name,
					    reg, b);
			break;
		case BPFH_ARG_CONST_MAP_PTR:
			if (r->kind != BPFH_VK_MAP_PTR)
				return fail(a, "%s: R%u must be a map (lddw), not %s", h->name,
					    reg, b);
			map_idx = r->map;
			map = &a->in->maps[map_idx];
			break;
		case BPFH_ARG_MAP_KEY:
		case BPFH_ARG_MAP_VALUE:
			if (!map)
				return fail(a, "%s: R%u needs a map argument first", h->name, reg);
			size = h->args[k] == BPFH_ARG_MAP_KEY ? map->key_size : map->value_size;
			err = arg_mem(a, st, reg, size, false);
			if (err)
				return err;
			break;
		case BPFH_ARG_MEM:
		case BPFH_ARG_MEM_OR_NULL:
		case BPFH_ARG_UNINIT_MEM:
			if (k == 4 || (h->args[k + 1] != BPFH_ARG_SIZE &&
				       h->args[k + 1] != BPFH_ARG_SIZE_OR_ZERO))
				return fail(a, "%s: prototype without a size", h->name);
			err = arg_size(a, st, reg + 1, h->args[k + 1] == BPFH_ARG_SIZE, &size);
			if (err)
				return err;
			/* NULL (or any number) only with a size of 0: arg_mem lets that pass
			 * and refuses a number with a size that may be larger. */
			err = arg_mem(a, st, reg, size, h->args[k] == BPFH_ARG_UNINIT_MEM);
			if (err)
				return err;
			break;
		case BPFH_ARG_SIZE:
		case BPFH_ARG_SIZE_OR_ZERO:
			err = arg_size(a, st, reg, h->args[k] == BPFH_ARG_SIZE, &size);
			if (err)
				return err;
			break;
		case BPFH_ARG_CTX:
			if (r->kind != BPFH_VK_CTX || !bpfh_scalar_is_const(&r->s, &size) || size)
				return fail(a, "%s: R%u must be the context, not %s", h->name,
					    reg, b);
			break;
		case BPFH_ARG_LONG_PTR:
			err = arg_mem(a, st, reg, 8, true);
			if (err)
				return err;
			break;
		case BPFH_ARG_FUNC:
			if (r->kind != BPFH_VK_FUNC)
				return fail(a, "%s: R%u must be a function (a callback), not %s",
					    h->name, reg, b);
			break;
		case BPFH_ARG_STACK_OR_NULL:
			if (r->kind == BPFH_VK_SCALAR && bpfh_scalar_is_const(&r->s, &size) && !size)
				break;
			if (r->kind != BPFH_VK_STACK)
				return fail(a, "%s: R%u must be a stack pointer or NULL, not %s",
					    h->name, reg, b);
			break;
		default:
			return fail(a, "%s: argument %u (R%u) is of a kind not supported yet",
				    h->name, k + 1, reg);
		}
	}
	if (h->flags & BPFH_HELPER_PKT_CHANGES)
		drop_packet(st);
	for (int i = 1; i <= 5; i++) {
		memset(&st->r[i], 0, sizeof(st->r[i]));
		st->r[i].map = CLOBBERED;
	}
	switch (h->ret) {
	case BPFH_RET_VOID:
		memset(&st->r[0], 0, sizeof(st->r[0]));
		break;
	case BPFH_RET_MAP_VALUE_OR_NULL: {
		uint32_t id = (uint32_t)a->insn + 1;

		drop_id(st, id);
		bpfh_vreg_set_ptr(&st->r[0], BPFH_VK_MAP_VALUE_OR_NULL, 0);
		st->r[0].map = map_idx;
		st->r[0].id = id;
		break;
	}
	case BPFH_RET_INTEGER:
		bpfh_vreg_set_scalar(&st->r[0], bpfh_scalar_unknown());
		break;
	default:
		return fail(a, "%s: return kind not supported yet", h->name);
	}
	return 0;
}
