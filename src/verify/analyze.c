// SPDX-License-Identifier: MIT
/*
 * The verifier's analyzer: a worklist fixpoint over the CFG's blocks (join at merge points,
 * widening at loop heads once a head has been joined max_loop_iterations times, with the
 * program's comparison constants as thresholds), the transfer function of every instruction,
 * and the safety checks made on the way. A check fails on the first abstract state that can
 * violate it; since states only grow, that state over-approximates some reachable one and the
 * program is rejected with one line naming the instruction and the abstract values involved.
 *
 * Not here: the CFG's structural checks (cfg.c) and the lattice of states (state.c).
 * Loops are analysed by widening; their termination is not proved yet.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/helpers.h"
#include "../platform/platform.h"
#include "analyze.h"

BPFH_PRINTF(2, 3)
int bpfh_va_fail(struct actx *a, const char *fmt, ...)
{
	va_list ap;

	bpfh_verify_log_insn(a->log, a->cfg->insns, a->cfg->count, a->insn);
	va_start(ap, fmt);
	bpfh_log_vprintf(a->log, fmt, ap);
	va_end(ap);
	bpfh_log_printf(a->log, "\n");
	a->reject_insn = a->insn;
	return -EACCES;
}

int bpfh_va_use(struct actx *a, const struct bpfh_vstate *st, unsigned reg)
{
	const struct bpfh_vreg *r = &st->r[reg];

	if (r->kind != BPFH_VK_UNINIT)
		return 0;
	if (r->map == CLOBBERED)
		return fail(a, "R%u is unreadable after a call (r1-r5 are clobbered)", reg);
	return fail(a, "R%u is not initialised", reg);
}

/* --- One instruction --- */

static int step(struct actx *a, struct bpfh_vstate *st, size_t i)
{
	const struct bpfh_insn *insn = &a->cfg->insns[i];
	unsigned op = a->cfg->ops[i];
	unsigned form = bpfh_op_info(op)->form;

	a->insn = i;
	switch (form) {
	case BPFH_FORM_ALU_K: case BPFH_FORM_ALU_X: case BPFH_FORM_NEG:
	case BPFH_FORM_MOVSX: case BPFH_FORM_END:
		return bpfh_va_alu(a, st, insn, op);
	case BPFH_FORM_LDX:
		return bpfh_va_load(a, st, insn, op);
	case BPFH_FORM_ST: case BPFH_FORM_STX:
		return bpfh_va_store(a, st, insn, op);
	case BPFH_FORM_ATOMIC:
		return bpfh_va_atomic(a, st, insn, op);
	case BPFH_FORM_LDDW:
		return bpfh_va_lddw(a, st, insn, op);
	case BPFH_FORM_CALL:
		return bpfh_va_call(a, st, insn);
	case BPFH_FORM_EXIT:
		return bpfh_va_exit(a, st);
	case BPFH_FORM_JA: case BPFH_FORM_JA32:
		return 0;
	case BPFH_FORM_LDABS: case BPFH_FORM_LDIND:
		return bpfh_va_ldabs(a, st, insn, op);
	default:
		return fail(a, "unexpected instruction");
	}
}

/* --- The fixpoint --- */

static void collect_thresholds(struct actx *a)
{
	const struct bpfh_cfg *cfg = a->cfg;

	for (size_t i = 0; i < cfg->count && a->nthr + 3 <= MAX_THRESHOLDS; i++) {
		if (bpfh_op_info(cfg->ops[i])->form != BPFH_FORM_JMP_K)
			continue;
		a->thr[a->nthr++] = (int64_t)cfg->insns[i].imm - 1;
		a->thr[a->nthr++] = cfg->insns[i].imm;
		a->thr[a->nthr++] = (int64_t)cfg->insns[i].imm + 1;
	}
}

static void entry_state(const struct bpfh_verify_input *in, struct bpfh_vstate *st)
{
	bpfh_vstate_init(st);
	if (in->type->ctx_size)
		bpfh_vreg_set_ptr(&st->r[1], BPFH_VK_CTX, 0);
	if (in->type->r2_ctx_size)
		bpfh_vreg_set_scalar(&st->r[2], bpfh_scalar_const(in->type->ctx_size));
	bpfh_vreg_set_ptr(&st->r[10], BPFH_VK_STACK, 0);
}

int bpfh_analyze(const struct bpfh_verify_input *in, const struct bpfh_cfg *cfg,
		 struct bpfh_verify_result *out, struct bpfh_log *log)
{
	struct actx *a = calloc(1, sizeof(*a));
	size_t nb = cfg->nblocks;
	struct bpfh_vstate *states = calloc(nb, sizeof(*states));
	struct bpfh_vstate *cur = malloc(3 * sizeof(*cur));
	uint32_t *visits = calloc(nb, sizeof(*visits));
	bool *dirty = calloc(nb, sizeof(*dirty));
	uint64_t max_states = in->opts.max_states ? in->opts.max_states : 1000000;
	uint32_t max_iter = in->opts.max_loop_iterations ? in->opts.max_loop_iterations : 8;
	bool again = true;
	int err = -ENOMEM;

	if (!a || !states || !cur || !visits || !dirty)
		goto out;
	a->in = in;
	a->cfg = cfg;
	a->log = log;
	collect_thresholds(a);
	for (size_t b = 0; b < nb; b++)
		states[b].bottom = true;
	entry_state(in, &states[0]);
	dirty[0] = true;
	err = 0;
	while (again && !err) {
		again = false;
		for (size_t b = 0; b < nb && !err; b++) {
			const struct bpfh_vblock *blk = &cfg->blocks[b];
			struct bpfh_vstate *st = &cur[0], *edge[2] = { &cur[1], &cur[2] };
			unsigned op;

			if (!dirty[b])
				continue;
			dirty[b] = false;
			again = true;
			if (++out->states > max_states) {
				a->insn = blk->first;
				err = fail(a, "program too complex: more than %" PRIu64
					   " block visits", max_states);
				break;
			}
			*st = states[b];
			for (size_t i = blk->first; i < blk->last && !err; i++)
				if (cfg->ops[i] != BPFH_OP_LDDW_HI)
					err = step(a, st, i);
			if (err)
				break;
			op = cfg->ops[blk->last];
			a->insn = blk->last;
			if (bpfh_op_info(op)->form == BPFH_FORM_JMP_K ||
			    bpfh_op_info(op)->form == BPFH_FORM_JMP_X) {
				err = bpfh_va_branch(a, st, &cfg->insns[blk->last], op, edge[0],
						edge[1]);
			} else {
				err = step(a, st, blk->last);
				*edge[0] = *st;
				*edge[1] = *st;
			}
			for (int k = 0; k < 2 && !err; k++) {
				size_t s = blk->succ[k];
				bool widen;

				if (s == SIZE_MAX || edge[k]->bottom ||
				    bpfh_vstate_leq(edge[k], &states[s]))
					continue;
				widen = cfg->blocks[s].loop_head && ++visits[s] > max_iter;
				bpfh_vstate_join(&states[s], edge[k], widen, a->thr, a->nthr);
				dirty[s] = true;
			}
		}
	}
	out->reject_insn = a->reject_insn;
	out->r0_min = a->r0_min;
	out->r0_max = a->r0_max;
out:
	free(a);
	free(states);
	free(cur);
	free(visits);
	free(dirty);
	return err;
}

