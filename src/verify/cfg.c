// SPDX-License-Identifier: MIT
/*
 * The verifier's control-flow graph: the image decoded through the opcode table, cut into basic
 * blocks at jump targets and after jumps and exits, with at most two successors per block. The
 * structural checks live here because they need no values: no jump into the second slot of
 * lddw, no control falling past the last instruction, every reachable block able to reach an
 * exit, no unreachable instruction (unless allowed), and the calls the analyzer does not model
 * yet (local calls, callx, kfuncs) refused by name. Loop heads are the targets of edges going
 * backwards; the analyzer widens there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/helpers.h"
#include "verify_int.h"

void bpfh_verify_log_insn(struct bpfh_log *log, const struct bpfh_insn *insns, size_t count,
			  size_t i)
{
	char dis[96];

	bpfh_disasm_insn(insns, count, i, BPFH_DISASM_C, dis, sizeof(dis));
	bpfh_log_printf(log, "insn %zu (%s): ", i, dis);
}

static bool is_cond_jump(unsigned form)
{
	return form == BPFH_FORM_JMP_K || form == BPFH_FORM_JMP_X;
}

/* Slots an instruction spans. */
static size_t width(const struct bpfh_cfg *cfg, size_t i)
{
	return cfg->ops[i] >= BPFH_OP_LDDW && cfg->ops[i] <= BPFH_OP_LDDW_MAP_IDX_VALUE ? 2 : 1;
}

static int refuse(struct bpfh_cfg *cfg, size_t i, const char *what, struct bpfh_log *log)
{
	bpfh_verify_log_insn(log, cfg->insns, cfg->count, i);
	bpfh_log_printf(log, "%s\n", what);
	return -EACCES;
}

/* What the decoder (bpfh_isa_decode) has ruled out: a bug in bpfhost, not in the program. */
static int internal(struct bpfh_cfg *cfg, size_t i, const char *what, struct bpfh_log *log)
{
	bpfh_verify_log_insn(log, cfg->insns, cfg->count, i);
	bpfh_log_printf(log, "internal error: %s\n", what);
	return -EFAULT;
}

void bpfh_cfg_free(struct bpfh_cfg *cfg)
{
	free(cfg->ops);
	free(cfg->block_of);
	free(cfg->blocks);
	free(cfg->funcs);
	free(cfg->fn_of);
	memset(cfg, 0, sizeof(*cfg));
}

static int64_t call_target(const struct bpfh_cfg *cfg, size_t i)
{
	if (cfg->ops[i] == BPFH_OP_LDDW_FUNC)
		return (int64_t)i + 1 + cfg->insns[i].imm;
	if (cfg->ops[i] == BPFH_OP_CALL_LOCAL)
		return bpfh_insn_target(&cfg->insns[i], i, cfg->ops[i]);
	return -1;
}

static bool takes_callback(const struct bpfh_cfg *cfg, size_t i)
{
	const struct bpfh_helper *h;

	if (cfg->ops[i] != BPFH_OP_CALL)
		return false;
	h = bpfh_helper_find((uint32_t)cfg->insns[i].imm);
	return h && bpfh_helper_takes_callback(h);
}

/* Functions: the program, and every target of a local call or of a function address. Each
 * instruction belongs to the last function starting at or before it; control must not fall
 * from one function into the next. */
static int find_functions(struct bpfh_cfg *cfg, bool *leader, struct bpfh_log *log)
{
	size_t n = cfg->count, nf = 0;
	bool *entry = calloc(n, sizeof(*entry));

	if (!entry)
		return -ENOMEM;
	entry[0] = true;
	for (size_t i = 0; i < n; i++) {
		int64_t t = call_target(cfg, i);

		if (t >= 0)
			entry[t] = true; /* the decoder checked the range */
	}
	for (size_t i = 0; i < n; i++)
		nf += entry[i];
	cfg->funcs = calloc(nf, sizeof(*cfg->funcs));
	cfg->fn_of = malloc(n * sizeof(*cfg->fn_of));
	if (!cfg->funcs || !cfg->fn_of) {
		free(entry);
		return -ENOMEM;
	}
	for (size_t i = 0, f = 0; i < n; i++) {
		if (entry[i]) {
			if (i > 0) {
				size_t prev = cfg->ops[i - 1] == BPFH_OP_LDDW_HI ? i - 2 : i - 1;
				unsigned form = bpfh_op_info(cfg->ops[prev])->form;

				if (form != BPFH_FORM_EXIT && form != BPFH_FORM_JA &&
				    form != BPFH_FORM_JA32) {
					free(entry);
					return refuse(cfg, prev, "control falls into the next "
						      "function", log);
				}
			}
			cfg->funcs[f++].entry = i;
			leader[i] = true;
		}
		cfg->fn_of[i] = (uint32_t)(f - 1);
	}
	cfg->nfuncs = nf;
	free(entry);
	return 0;
}

/* Structural checks on each instruction, and the leaders (block starts). The decoder has
 * checked jump targets, lddw pairs and that the last instruction is exit or ja. */
static int mark_leaders(struct bpfh_cfg *cfg, bool *leader, struct bpfh_log *log)
{
	size_t n = cfg->count;

	leader[0] = true;
	for (size_t i = 0; i < n; i += width(cfg, i)) {
		unsigned op = cfg->ops[i];
		unsigned form = bpfh_op_info(op)->form;
		size_t next = i + width(cfg, i);

		if (op == BPFH_OP_CALL_LOCAL || takes_callback(cfg, i)) {
			/* The call ends its block: the callee runs between the two. */
			if (next >= n)
				return internal(cfg, i, "control falls past the last instruction",
						log);
			leader[next] = true;
			continue;
		}
		if (op == BPFH_OP_CALL_KFUNC)
			return refuse(cfg, i, "kernel function calls are not supported yet", log);
		if (form == BPFH_FORM_JA || form == BPFH_FORM_JA32 || is_cond_jump(form)) {
			int64_t t = bpfh_insn_target(&cfg->insns[i], i, op);

			if (t < 0 || (uint64_t)t >= n)
				return internal(cfg, i, "jump out of the program", log);
			if (cfg->fn_of[t] != cfg->fn_of[i])
				return refuse(cfg, i, "jump out of the function (functions are entered "
					      "by calls only)", log);
			if (cfg->ops[t] == BPFH_OP_LDDW_HI)
				return internal(cfg, i, "jump into the second slot of lddw", log);
			leader[t] = true;
			if (next < n)
				leader[next] = true;
			else if (is_cond_jump(form))
				return internal(cfg, i, "control falls past the last instruction",
						log);
		} else if (form == BPFH_FORM_EXIT) {
			if (next < n)
				leader[next] = true;
		} else if (next >= n) {
			return internal(cfg, i, "control falls past the last instruction", log);
		}
	}
	return 0;
}

static void link_blocks(struct bpfh_cfg *cfg)
{
	for (size_t b = 0; b < cfg->nblocks; b++) {
		struct bpfh_vblock *blk = &cfg->blocks[b];
		size_t i = blk->last;
		unsigned op = cfg->ops[i];
		unsigned form = bpfh_op_info(op)->form;
		size_t next = i + width(cfg, i);

		blk->succ[0] = blk->succ[1] = SIZE_MAX;
		blk->callee = SIZE_MAX;
		blk->fn = cfg->fn_of[blk->first];
		if (op == BPFH_OP_CALL_LOCAL)
			blk->callee = cfg->fn_of[bpfh_insn_target(&cfg->insns[i], i, op)];
		blk->callback_call = takes_callback(cfg, i);
		if (form == BPFH_FORM_EXIT)
			continue;
		if (form == BPFH_FORM_JA || form == BPFH_FORM_JA32 || is_cond_jump(form)) {
			size_t t = (size_t)bpfh_insn_target(&cfg->insns[i], i, op);

			blk->succ[1] = cfg->block_of[t];
			if (form == BPFH_FORM_JA || form == BPFH_FORM_JA32)
				continue;
		}
		blk->succ[0] = cfg->block_of[next];
	}
}

/* Every reachable block must reach an exit: propagate "reaches exit" backwards until stable. */
static int check_paths(struct bpfh_cfg *cfg, bool allow_unreachable, struct bpfh_log *log)
{
	size_t nb = cfg->nblocks;
	size_t *stack = malloc(nb * sizeof(*stack));
	bool *to_exit = calloc(nb, sizeof(*to_exit));
	size_t sp = 0;
	int err = -ENOMEM;
	bool changed = true;

	if (!stack || !to_exit)
		goto out;
	cfg->blocks[0].reachable = true;
	stack[sp++] = 0;
	while (sp) {
		struct bpfh_vblock *blk = &cfg->blocks[stack[--sp]];
		size_t next[2 + 8], nn = 0;

		next[nn++] = blk->succ[0];
		next[nn++] = blk->succ[1];
		/* Functions called or whose address is taken in the block. */
		for (size_t i = blk->first; i <= blk->last && nn < 10; i++) {
			int64_t t = call_target(cfg, i);

			if (t >= 0)
				next[nn++] = cfg->block_of[t];
		}
		for (size_t k = 0; k < nn; k++) {
			size_t s = next[k];

			if (s != SIZE_MAX && !cfg->blocks[s].reachable) {
				cfg->blocks[s].reachable = true;
				stack[sp++] = s;
			}
		}
	}
	while (changed) {
		changed = false;
		for (size_t b = nb; b-- > 0;) {
			struct bpfh_vblock *blk = &cfg->blocks[b];
			bool r = bpfh_op_info(cfg->ops[blk->last])->form == BPFH_FORM_EXIT;

			for (int k = 0; k < 2; k++)
				if (blk->succ[k] != SIZE_MAX && to_exit[blk->succ[k]])
					r = true;
			if (r && !to_exit[b]) {
				to_exit[b] = true;
				changed = true;
			}
		}
	}
	err = 0;
	for (size_t b = 0; b < nb && !err; b++) {
		struct bpfh_vblock *blk = &cfg->blocks[b];

		if (!blk->reachable && !allow_unreachable)
			err = refuse(cfg, blk->first, "unreachable instruction", log);
		else if (blk->reachable && !to_exit[b])
			err = refuse(cfg, blk->last,
				     "no path from here reaches exit (infinite loop)", log);
	}
out:
	free(stack);
	free(to_exit);
	return err;
}

/*
 * Loop levels, for the termination proof (rel.c): a head's loop spans the blocks from the head to
 * the last block with an edge back to it. Spans must nest or be disjoint (else the loops are
 * irreducible); a head's level is the number of spans around it.
 */
/*
 * Strongly connected components of the blocks (Tarjan's algorithm, without recursion): comp[b]
 * names b's component. A loop head is the target of an edge going backwards from a block of its
 * own component; other backward jumps (to a shared exit, say) close no cycle.
 */
static int components(struct bpfh_cfg *cfg, size_t *comp)
{
	size_t nb = cfg->nblocks, idx = 0, sp = 0, cs = 0;
	size_t *index = malloc(nb * sizeof(*index)), *low = malloc(nb * sizeof(*low));
	size_t *stack = malloc(nb * sizeof(*stack)), *call = malloc(nb * sizeof(*call));
	uint8_t *edge = malloc(nb), *on = calloc(nb, 1);
	int err = -ENOMEM;

	if (!index || !low || !stack || !call || !edge || !on)
		goto out;
	for (size_t b = 0; b < nb; b++)
		index[b] = SIZE_MAX;
	for (size_t root = 0; root < nb; root++) {
		if (index[root] != SIZE_MAX)
			continue;
		call[cs] = root, edge[cs++] = 0;
		index[root] = low[root] = idx++;
		stack[sp++] = root, on[root] = 1;
		while (cs) {
			size_t v = call[cs - 1];

			if (edge[cs - 1] < 2) {
				size_t w = cfg->blocks[v].succ[edge[cs - 1]++];

				if (w == SIZE_MAX)
					continue;
				if (index[w] == SIZE_MAX) {
					index[w] = low[w] = idx++;
					stack[sp++] = w, on[w] = 1;
					call[cs] = w, edge[cs++] = 0;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			if (low[v] == index[v]) {
				size_t w;

				do {
					w = stack[--sp];
					on[w] = 0;
					comp[w] = v;
				} while (w != v);
			}
			cs--;
			if (cs && low[v] < low[call[cs - 1]])
				low[call[cs - 1]] = low[v];
		}
	}
	err = 0;
out:
	free(index);
	free(low);
	free(stack);
	free(call);
	free(edge);
	free(on);
	return err;
}

static int loop_levels(struct bpfh_cfg *cfg, struct bpfh_log *log)
{
	size_t nb = cfg->nblocks;
	size_t *end = malloc(nb * sizeof(*end)), *comp = malloc(nb * sizeof(*comp));
	int err = -ENOMEM;

	if (!end || !comp)
		goto out;
	err = components(cfg, comp);
	if (err)
		goto out;
	for (size_t b = 0; b < nb; b++) {
		end[b] = b;
		cfg->blocks[b].loop_from = SIZE_MAX;
	}
	for (size_t b = 0; b < nb; b++)
		for (int k = 0; k < 2; k++) {
			size_t t = cfg->blocks[b].succ[k];

			if (t == SIZE_MAX || t > b || comp[t] != comp[b])
				continue;
			cfg->blocks[t].loop_head = true;
			if (b > end[t])
				end[t] = b;
		}
	for (size_t b = 0; b < nb; b++)
		cfg->blocks[b].loop_in = SIZE_MAX;
	for (size_t h = nb; h-- > 0;)
		if (cfg->blocks[h].loop_head)
			cfg->blocks[end[h]].loop_from = h;
	/* inner heads come later: their spans overwrite their outer loops' */
	for (size_t h = 0; h < nb; h++) {
		if (!cfg->blocks[h].loop_head)
			continue;
		cfg->blocks[h].loop_end = end[h];
		cfg->blocks[h].loop_outer = cfg->blocks[h].loop_in;
		for (size_t b = h; b <= end[h]; b++)
			cfg->blocks[b].loop_in = h;
	}
	for (size_t h = 0; h < nb && !err; h++) {
		unsigned level = 0;

		if (!cfg->blocks[h].loop_head || !cfg->blocks[h].reachable)
			continue;
		for (size_t o = 0; o < h && !err; o++) {
			if (!cfg->blocks[o].loop_head || !cfg->blocks[o].reachable || end[o] < h)
				continue;
			if (end[h] > end[o]) {
				char what[128];

				snprintf(what, sizeof(what), "irreducible loop: it overlaps the loop "
					 "at insn %zu without nesting in it", cfg->blocks[o].first);
				err = refuse(cfg, cfg->blocks[h].first, what, log);
			}
			level++;
		}
		if (!err && level >= BPFH_VREL_MAX_LEVELS) {
			char what[64];

			snprintf(what, sizeof(what), "loops nested more than %u deep",
				 BPFH_VREL_MAX_LEVELS);
			err = refuse(cfg, cfg->blocks[h].first, what, log);
		}
		cfg->blocks[h].loop_level = (uint8_t)level;
	}
out:
	free(end);
	free(comp);
	return err;
}

/* Where the analysis keeps states: loop heads, function entries, blocks with several
 * predecessors. */
static int mark_stored(struct bpfh_cfg *cfg)
{
	uint32_t *npred = calloc(cfg->nblocks, sizeof(*npred));

	if (!npred)
		return -ENOMEM;
	for (size_t b = 0; b < cfg->nblocks; b++)
		for (int k = 0; k < 2; k++)
			if (cfg->blocks[b].succ[k] != SIZE_MAX)
				npred[cfg->blocks[b].succ[k]]++;
	/* Blocks that end with exit are in no cycle: each path into them is analysed on its own
	 * (a callee's returns reach its caller apart, as a return value and what it wrote
	 * together). */
	for (size_t b = 0; b < cfg->nblocks; b++)
		cfg->blocks[b].stored = (npred[b] != 1 || cfg->blocks[b].loop_head) &&
					bpfh_op_info(cfg->ops[cfg->blocks[b].last])->form !=
					BPFH_FORM_EXIT;
	for (size_t f = 0; f < cfg->nfuncs; f++)
		cfg->blocks[cfg->funcs[f].first_block].stored = true;
	/* After a helper that runs a callback, states come back from every invocation: join
	 * them there rather than analyse the rest of the program once per invocation. */
	for (size_t b = 0; b < cfg->nblocks; b++)
		if (cfg->blocks[b].callback_call && cfg->blocks[b].succ[0] != SIZE_MAX)
			cfg->blocks[cfg->blocks[b].succ[0]].stored = true;
	free(npred);
	return 0;
}

/* Live registers r0..r9 at each block's start (r10 is never dead): the backward fixpoint over
 * the blocks' edges, with the ISA's registers per instruction (bpfh_insn_regs: calls read
 * r1..r5 and clobber them). A call block's edge goes to the block after the call; the callee
 * is a function of its own. */
static void live_regs(struct bpfh_cfg *cfg)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t b = cfg->nblocks; b-- > 0;) {
			struct bpfh_vblock *blk = &cfg->blocks[b];
			unsigned live = 0, use, def;

			for (unsigned k = 0; k < 2; k++)
				if (blk->succ[k] != SIZE_MAX)
					live |= cfg->blocks[blk->succ[k]].live_in;
			for (size_t i = blk->last + 1; i-- > blk->first;) {
				if (cfg->ops[i] == BPFH_OP_LDDW_HI)
					continue;
				bpfh_insn_regs(&cfg->insns[i], cfg->ops[i], &use, &def);
				live = (live & ~def) | (use & 0x3ffu);
			}
			if (live != blk->live_in) {
				blk->live_in = (uint16_t)live;
				changed = true;
			}
		}
	}
}

int bpfh_cfg_build(struct bpfh_cfg *cfg, const struct bpfh_insn *insns, size_t count,
		   bool allow_unreachable, struct bpfh_log *log)
{
	bool *leader = NULL;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->insns = insns;
	cfg->count = count;
	if (!count)
		return -EINVAL;
	cfg->ops = malloc(count);
	cfg->block_of = malloc(count * sizeof(*cfg->block_of));
	leader = calloc(count, sizeof(*leader));
	err = -ENOMEM;
	if (!cfg->ops || !cfg->block_of || !leader)
		goto fail;
	err = bpfh_isa_decode(insns, count, cfg->ops, log);
	if (err)
		goto fail;
	err = find_functions(cfg, leader, log);
	if (!err)
		err = mark_leaders(cfg, leader, log);
	if (err)
		goto fail;
	for (size_t i = 0; i < count; i++)
		cfg->nblocks += leader[i];
	cfg->blocks = calloc(cfg->nblocks, sizeof(*cfg->blocks));
	err = -ENOMEM;
	if (!cfg->blocks)
		goto fail;
	for (size_t i = 0, b = SIZE_MAX; i < count; i++) {
		if (leader[i]) {
			b++;
			cfg->blocks[b].first = i;
		}
		if (cfg->ops[i] == BPFH_OP_LDDW_HI) {
			cfg->block_of[i] = SIZE_MAX;
			continue;
		}
		cfg->block_of[i] = b;
		cfg->blocks[b].last = i;
	}
	link_blocks(cfg);
	for (size_t f = 0; f < cfg->nfuncs; f++) {
		cfg->funcs[f].first_block = cfg->block_of[cfg->funcs[f].entry];
		cfg->funcs[f].end_block = f + 1 < cfg->nfuncs ?
			cfg->block_of[cfg->funcs[f + 1].entry] : cfg->nblocks;
	}
	err = check_paths(cfg, allow_unreachable, log);
	if (!err)
		err = loop_levels(cfg, log);
	if (!err)
		err = mark_stored(cfg);
	if (err)
		goto fail;
	live_regs(cfg);
	free(leader);
	return 0;
fail:
	free(leader);
	bpfh_cfg_free(cfg);
	return err;
}
