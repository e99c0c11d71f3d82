// SPDX-License-Identifier: MIT
/*
 * The verifier's analyzer: a worklist fixpoint over the CFG's blocks (join at merge points,
 * widening at loop heads once a head has been joined max_loop_iterations times, with the
 * program's comparison constants as thresholds), the transfer function of every instruction,
 * and the safety checks made on the way. A check fails on the first abstract state that can
 * violate it; since states only grow, that state over-approximates some reachable one and the
 * program is rejected with one line naming the instruction and the abstract values involved.
 *
 * Loops are analysed by widening; their termination is proved by the loop counters of rel.c
 * (every back edge must show a bounded counter: check_loops). Stored states forget the
 * registers dead at their block (the CFG's live_in). The analysis's visits and memory are
 * bounded (max_states, max_memory).
 *
 * Not here: the CFG's structural checks (cfg.c) and the lattice of states (state.c).
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
#include "refs.h"

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

int bpfh_va_internal(struct actx *a, const char *what)
{
	bpfh_verify_log_insn(a->log, a->cfg->insns, a->cfg->count, a->insn);
	bpfh_log_printf(a->log, "internal error: %s\n", what);
	a->reject_insn = a->insn;
	return -EFAULT;
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

static int transfer(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		    unsigned op, unsigned form)
{
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
	case BPFH_FORM_CALLX:
		return bpfh_va_callx(a, st, insn);
	case BPFH_FORM_EXIT:
		return bpfh_va_exit(a, st);
	case BPFH_FORM_JA: case BPFH_FORM_JA32:
		return 0;
	case BPFH_FORM_LDABS: case BPFH_FORM_LDIND:
		return bpfh_va_ldabs(a, st, insn, op);
	default:
		return bpfh_va_internal(a, "an instruction form the analysis does not know");
	}
}

/* One instruction: its transfer function, then what it did to the relations. */
static int step(struct actx *a, struct bpfh_vstate *st, size_t i)
{
	const struct bpfh_insn *insn = &a->cfg->insns[i];
	unsigned op = a->cfg->ops[i];
	unsigned form = bpfh_op_info(op)->form;
	struct bpfh_vrel_plan plan;
	int err;

	a->insn = i;
	bpfh_vrel_plan(st, insn, op, &plan);
	/* "r <<= 32; r >>= 32" (clang's zero extension) of a register that holds a 32-bit
	 * value gives it back unchanged: its relations stay (the pair is in one block). */
	if (op == BPFH_OP_LSH64_K && insn->imm == 32 && i + 1 < a->cfg->count &&
	    a->cfg->ops[i + 1] == BPFH_OP_RSH64_K && insn[1].imm == 32 &&
	    insn[1].dst == insn->dst && a->cfg->block_of[i + 1] == a->cfg->block_of[i] &&
	    st->r[insn->dst].kind == BPFH_VK_SCALAR && st->r[insn->dst].s.r64.smin >= 0 &&
	    st->r[insn->dst].s.r64.smax <= (int64_t)UINT32_MAX) {
		plan.kind = BPFH_VREL_NONE;
		a->zext_insn = i + 1;
	} else if (a->zext_insn == i) {
		plan.kind = BPFH_VREL_NONE;
		a->zext_insn = SIZE_MAX;
	} else {
		a->zext_insn = SIZE_MAX;
	}
	err = transfer(a, st, insn, op, form);
	if (err)
		return err;
	bpfh_vrel_apply(st, &plan);
	if (form == BPFH_FORM_LDX && st->r[insn->dst].kind == BPFH_VK_PKT_END)
		bpfh_vrel_pkt_end(st, insn->dst);
	if (form == BPFH_FORM_LDX && st->r[insn->dst].kind == BPFH_VK_PKT_META)
		bpfh_vrel_pkt_meta(st, insn->dst);
	if (form == BPFH_FORM_CALL && op == BPFH_OP_CALL) {
		const struct bpfh_helper *h = bpfh_helper_find((uint32_t)insn->imm);

		if (h && (h->flags & BPFH_HELPER_PKT_CHANGES)) {
			bpfh_zone_forget(&st->z, BPFH_VREL_PKT_SIZE);
			bpfh_zone_add_bounds(&st->z, BPFH_VREL_PKT_SIZE, 0, BPFH_ZONE_INF);
		}
	}
	return 0;
}

/* --- The fixpoint --- */

/*
 * Calls are analysed in context: every call site gets its own instance of the callee (a
 * context: the function, its caller's context and call block, its depth), so a callee is
 * analysed with what each caller passes, and returns to that caller only. Contexts form a tree
 * (recursion is refused), at most BPFH_VMAX_FRAMES deep. A node is a block in a context; the
 * fixpoint runs over nodes. A callback (bpf_loop, bpf_for_each_map_elem) is a context whose
 * return may invoke it again: its exit flows back to its entry and to the helper's return.
 */
struct vctx {
	size_t fn;
	size_t parent;      /* SIZE_MAX: the program */
	size_t call_block;  /* the parent's block that ends with the call */
	unsigned depth;
	bool callback;
	size_t node0;       /* nodes [node0, node0 + blocks of fn) */
};

/*
 * A node keeps up to NPART states, one per "shape": the kinds of the registers (and their maps
 * and NULL-ness). Paths that bring a register as different kinds of pointer (a map value of one
 * map here, of another there; a pointer here, NULL there) stay apart instead of joining into
 * nothing usable, as Linux's path-by-path verification would keep them. Past NPART shapes,
 * states join into the first partition.
 */
#define NPART 4

struct vnode {
	struct bpfh_vstate *st[NPART]; /* NULL: none */
	size_t ctx;
	size_t child;           /* call blocks: the callee's context, SIZE_MAX: none yet */
	uint32_t visits[NPART];
	bool dirty[NPART];
	/* widening nodes: the zone of the last widening's result as it is, not closed (the next
	 * widening starts from it: closing could undo it); the state holds its closure, which
	 * visits, orders and joins would each compute otherwise. NULL: not widened yet. */
	struct bpfh_zone *wide[NPART];
	/* back edges, by the partition of the stored block the visit came from: the loop
	 * counter's bound; INT64_MIN: not taken */
	int64_t back_bound[NPART][2];
};

/* A state flowing into a block that keeps none: analysed as soon as the current visit ends,
 * or, when its edge leaves a loop, once that loop is stable (deferred). */
struct pending {
	size_t id;
	struct bpfh_vstate *st;
	unsigned part;      /* deferred: the partition of the stored block it comes from */
	size_t head;        /* deferred: the node of the outermost loop head whose span it leaves */
};

struct fix {
	struct vctx *ctx;
	size_t nctx, capctx;
	struct vnode *node;
	size_t nnode, capnode;
	struct pending *pend;
	size_t npend, cappend;
	struct pending *defer;
	size_t ndefer, capdefer;
	/* pending states' buffers, all of the size of the deepest state (so that one may take
	 * the place of a work state): free ones, and where to take one from (below) */
	struct bpfh_vstate *spare[4];
	unsigned nspare;
	unsigned max_depth;
	/* the work state (buf) the state flowing is in: a pending copy takes it instead, and a
	 * spare buffer takes its place; NULL: copy */
	struct bpfh_vstate **take;
	bool keep_all;      /* a state at every block (--verbose traces them) */
	bool release;       /* no edge goes backwards and there is one function: a block's
			       state is dropped once visited (nothing flows into it again) */
	unsigned part;      /* the partition of the stored block being visited */
	uint32_t max_iter;
	uint64_t bytes, peak;
};

#define MAX_NODES 2000000u
#define DEFAULT_MAX_STATES 1000000u
#define DEFAULT_MAX_MEMORY (256ull << 20)

/* Refuses a program whose analysis holds more than max_memory bytes (checked at every visit
 * and new context: what one step can add is a context's nodes or a state). */
static int check_memory(struct actx *a, const struct fix *f)
{
	uint64_t max = a->in->opts.max_memory ? a->in->opts.max_memory : DEFAULT_MAX_MEMORY;

	if (f->bytes <= max)
		return 0;
	return fail(a, "program too complex: its analysis needs more than %" PRIu64 " KiB "
		    "(states in too many call contexts or join points)", max >> 10);
}

static void account(struct fix *f, int64_t delta)
{
	f->bytes = (uint64_t)((int64_t)f->bytes + delta);
	if (f->bytes > f->peak)
		f->peak = f->bytes;
}

/* Room for need elements of size bytes in *arr (capacity *cap), doubling; counted in the
 * peak. */
static int grow(struct fix *f, void **arr, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *x;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	x = realloc(*arr, c * size);
	if (!x)
		return -ENOMEM;
	account(f, (int64_t)((c - *cap) * size));
	*arr = x;
	*cap = c;
	return 0;
}

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

static void entry_state(const struct bpfh_verify_input *in, const struct bpfh_cfg *cfg,
			struct bpfh_vstate *st)
{
	unsigned levels = 0;

	for (size_t b = 0; b < cfg->nblocks; b++)
		if (cfg->blocks[b].loop_head && cfg->blocks[b].loop_level + 1u > levels)
			levels = cfg->blocks[b].loop_level + 1u;
	bpfh_vstate_init(st, levels);
	if (in->type->ctx_size)
		bpfh_vreg_set_ptr(&st->r[1], BPFH_VK_CTX, 0);
	if (in->type->r2_ctx_size)
		bpfh_vreg_set_scalar(&st->r[2], bpfh_scalar_const(in->type->ctx_size));
	bpfh_vreg_set_ptr(&st->r[10], BPFH_VK_STACK, 0);
	for (unsigned r = 0; r < BPFH_REG_COUNT; r++)
		bpfh_vrel_forget_reg(st, r);
}

/* A new context for fn, called from block call_block of context parent. */
static int new_ctx(struct actx *a, struct fix *f, size_t fn, size_t parent, size_t call_block,
		   bool callback, size_t *out)
{
	const struct bpfh_vfunc *fu = &a->cfg->funcs[fn];
	size_t nb = fu->end_block - fu->first_block;
	/* Each block of a context is visited at least once, as a rule: twice the visits
	 * allowed (max_states) is more than a program that can finish needs. */
	uint64_t states = a->in->opts.max_states ? a->in->opts.max_states : DEFAULT_MAX_STATES;
	uint64_t max_nodes = states < MAX_NODES / 2 ? 2 * states : MAX_NODES;
	struct vctx *c;

	if (f->nnode + nb > max_nodes)
		return fail(a, "program too complex: more than %" PRIu64 " blocks in all call "
			    "contexts", max_nodes);
	if (check_memory(a, f))
		return -EACCES;
	if (grow(f, (void **)&f->ctx, &f->capctx, f->nctx + 1, sizeof(*f->ctx)) ||
	    grow(f, (void **)&f->node, &f->capnode, f->nnode + nb, sizeof(*f->node)))
		return -ENOMEM;
	c = &f->ctx[f->nctx];
	c->fn = fn;
	c->parent = parent;
	c->call_block = call_block;
	c->depth = parent == SIZE_MAX ? 0 : f->ctx[parent].depth + 1;
	c->callback = callback;
	c->node0 = f->nnode;
	for (size_t i = 0; i < nb; i++) {
		struct vnode *n = &f->node[f->nnode + i];

		memset(n, 0, sizeof(*n));
		n->ctx = f->nctx;
		n->child = SIZE_MAX;
		for (unsigned p = 0; p < NPART; p++)
			n->back_bound[p][0] = n->back_bound[p][1] = INT64_MIN;
	}
	f->nnode += nb;
	*out = f->nctx++;
	return 0;
}

static size_t node_of(const struct actx *a, const struct fix *f, size_t ctx, size_t block)
{
	return f->ctx[ctx].node0 + block - a->cfg->funcs[f->ctx[ctx].fn].first_block;
}

/* Same kinds, maps and NULL-ness in every register: states that join without losing a
 * pointer. A register unset on either side does not count: joined it is unset, and a read of
 * it fails on the unset path whether or not the paths are kept apart. */
static bool same_shape(const struct bpfh_vstate *a, const struct bpfh_vstate *b)
{
	for (unsigned i = 0; i < BPFH_REG_COUNT; i++) {
		const struct bpfh_vreg *x = &a->r[i], *y = &b->r[i];

		if (x->kind == BPFH_VK_UNINIT || y->kind == BPFH_VK_UNINIT)
			continue;
		if (x->kind != y->kind || x->null != y->null ||
		    (bpfh_vreg_is_ptr(x) && x->map != y->map))
			return false;
	}
	return true;
}

/* The partition of node n that state e joins (*p): the first of e's shape, a new one while
 * there are fewer than NPART (*fresh: made here, a copy of e), else the first. */
static int partition(struct fix *f, struct vnode *n, const struct bpfh_vstate *e, unsigned *p,
		     bool *fresh)
{
	unsigned k;

	*fresh = false;
	for (k = 0; k < NPART && n->st[k]; k++)
		if (same_shape(n->st[k], e))
			break;
	if (k == NPART)
		k = 0; /* too many shapes: join into the first */
	*p = k;
	if (n->st[k])
		return 0;
	n->st[k] = malloc(bpfh_vstate_size(e->depth));
	if (!n->st[k])
		return -ENOMEM;
	account(f, (int64_t)bpfh_vstate_size(e->depth));
	bpfh_vstate_copy(n->st[k], e);
	*fresh = true;
	return 0;
}

/* The join of every state that reached a block analysed path by path, for --verbose only
 * (never visited: not dirty). */
static int keep_for_trace(struct actx *a, struct fix *f, struct vnode *n,
			  const struct bpfh_vstate *e)
{
	unsigned p;
	bool fresh;

	if (partition(f, n, e, &p, &fresh))
		return -ENOMEM;
	if (!fresh && !bpfh_vstate_leq(e, n->st[p]))
		bpfh_vstate_join(n->st[p], e, false, a->thr, a->nthr);
	return 0;
}

/* The registers no path from the block reads before writing them are forgotten in its stored
 * state: the joins of paths that differ only there then keep one state, not two shapes
 * (what such a register held can matter to nothing; the zone keeps what it implied of the
 * others, being closed before the register is dropped). Later states joined in keep them
 * unset, as the join of unset with anything is unset. */
static void kill_dead(struct bpfh_vstate *st, unsigned live)
{
	for (unsigned r = 0; r < 10; r++) {
		if ((live & (1u << r)) || st->r[r].kind == BPFH_VK_UNINIT)
			continue;
		memset(&st->r[r], 0, sizeof(st->r[r]));
		bpfh_vrel_forget_reg(st, r);
	}
}

/* A spare or new buffer for a state of any depth. */
static struct bpfh_vstate *state_buffer(struct fix *f)
{
	struct bpfh_vstate *st;

	if (f->nspare)
		return f->spare[--f->nspare];
	st = malloc(bpfh_vstate_size(f->max_depth));
	if (st)
		account(f, (int64_t)bpfh_vstate_size(f->max_depth));
	return st;
}

/* A copy of e in a spare or new buffer. */
static struct bpfh_vstate *state_copy(struct fix *f, const struct bpfh_vstate *e)
{
	struct bpfh_vstate *copy = state_buffer(f);

	if (copy)
		bpfh_vstate_copy(copy, e);
	return copy;
}

static void state_release(struct fix *f, struct bpfh_vstate *st)
{
	if (f->nspare < sizeof(f->spare) / sizeof(f->spare[0])) {
		f->spare[f->nspare++] = st;
	} else {
		account(f, -(int64_t)bpfh_vstate_size(f->max_depth));
		free(st);
	}
}

/* The outermost loop whose span holds block from but not block s (its head); SIZE_MAX: the edge
 * leaves no loop (or from is SIZE_MAX: a call, a return, the start). */
static size_t left_loop(const struct bpfh_cfg *cfg, size_t from, size_t s)
{
	size_t left = SIZE_MAX;

	if (from == SIZE_MAX)
		return SIZE_MAX;
	for (size_t h = cfg->blocks[from].loop_in; h != SIZE_MAX; h = cfg->blocks[h].loop_outer) {
		if (s >= h && s <= cfg->blocks[h].loop_end)
			break;
		left = h;
	}
	return left;
}

/*
 * A state leaving the loop at node head, into node id that keeps no state: kept until the loop
 * is stable. The loop's states only grow, and with them those it sends out along one path: a
 * state of the same origin (partition) that includes an earlier one replaces it, one that adds
 * nothing is dropped, so the code after the loop runs on its final exit states only (the earlier
 * ones are included in them: every check they pass, the final ones pass).
 */
static int defer(struct fix *f, const struct bpfh_vstate *e, size_t id, size_t head)
{
	struct pending *d;

	for (size_t i = 0; i < f->ndefer; i++) {
		d = &f->defer[i];
		if (d->id != id || d->part != f->part)
			continue;
		if (bpfh_vstate_leq(e, d->st))
			return 0;
		if (bpfh_vstate_leq(d->st, e)) {
			bpfh_vstate_copy(d->st, e);
			if (head < d->head)
				d->head = head;
			return 0;
		}
	}
	if (grow(f, (void **)&f->defer, &f->capdefer, f->ndefer + 1, sizeof(*f->defer)))
		return -ENOMEM;
	d = &f->defer[f->ndefer];
	d->st = state_copy(f, e);
	if (!d->st)
		return -ENOMEM;
	d->id = id;
	d->part = f->part;
	d->head = head;
	f->ndefer++;
	return 0;
}

/* The zone's variables' rows (the others are never read). */
static void zone_copy(struct bpfh_zone *dst, const struct bpfh_zone *src)
{
	dst->n = src->n;
	dst->bottom = src->bottom;
	dst->closed = src->closed;
	memcpy(dst->m, src->m, (src->n + 1u) * sizeof(dst->m[0]));
}

/*
 * State e flows into block s of context ctx; from is the block it leaves in the same context
 * (SIZE_MAX: a call, a return or the start) and k which of its edges. Loop heads count the edge
 * (rel.c); a state that adds nothing is dropped; loop heads and callback entries widen once
 * they have been joined max_iter times.
 */
static int flow(struct actx *a, struct fix *f, size_t ctx, size_t s, struct bpfh_vstate *e,
		size_t from, int k)
{
	const struct bpfh_vblock *blk = &a->cfg->blocks[s];
	struct vnode *n;
	bool widen, entry, fresh;
	unsigned p;

	if (e->bottom)
		return 0;
	n = &f->node[node_of(a, f, ctx, s)];
	if (!blk->stored) {
		size_t head = left_loop(a->cfg, from, s);
		struct bpfh_vstate *copy;

		/* --verbose shows the join of what reached the block; the analysis still
		 * takes each path on its own, so the verdict does not depend on tracing. */
		if (f->keep_all && keep_for_trace(a, f, n, e))
			return -ENOMEM;
		if (head != SIZE_MAX)
			return defer(f, e, node_of(a, f, ctx, s), node_of(a, f, ctx, head));
		if (grow(f, (void **)&f->pend, &f->cappend, f->npend + 1, sizeof(*f->pend)))
			return -ENOMEM;
		if (f->take && *f->take == e) {
			copy = e;
			*f->take = state_buffer(f);
			if (!*f->take) {
				*f->take = e;
				return -ENOMEM;
			}
		} else {
			copy = state_copy(f, e);
		}
		if (!copy)
			return -ENOMEM;
		f->pend[f->npend].id = node_of(a, f, ctx, s);
		f->pend[f->npend++].st = copy;
		return 0;
	}
	if (blk->loop_head) {
		bool back = from != SIZE_MAX && blk->first <= a->cfg->blocks[from].first;

		if (back)
			f->node[node_of(a, f, ctx, from)].back_bound[f->part][k] =
				bpfh_vrel_loop_bound(e, blk->loop_level);
		bpfh_vrel_loop_edge(e, blk->loop_level, back);
		n = &f->node[node_of(a, f, ctx, s)];
	}
	entry = f->ctx[ctx].callback && s == a->cfg->funcs[f->ctx[ctx].fn].first_block;
	if (partition(f, n, e, &p, &fresh))
		return -ENOMEM;
	if (fresh) {
		kill_dead(n->st[p], a->cfg->blocks[s].live_in);
		n->dirty[p] = true;
		return 0;
	}
	if (bpfh_vstate_leq(e, n->st[p]))
		return 0;
	widen = (blk->loop_head || entry) && ++n->visits[p] > f->max_iter;
	if (!widen) {
		bpfh_vstate_join(n->st[p], e, false, a->thr, a->nthr);
	} else {
		struct bpfh_zone *w = n->wide[p];

		if (!w) {
			w = n->wide[p] = malloc(sizeof(*w));
			if (!w)
				return -ENOMEM;
			account(f, (int64_t)sizeof(*w));
			zone_copy(w, &n->st[p]->z);
		}
		bpfh_vstate_widen(n->st[p], e, w, a->thr, a->nthr);
	}
	n->dirty[p] = true;
	return 0;
}

/* The context a call block calls, made on first use; refuses recursion and depth. */
static int callee_ctx(struct actx *a, struct fix *f, size_t ctx, size_t b, size_t fn,
		      bool callback, size_t *out)
{
	size_t id = node_of(a, f, ctx, b);
	int err;

	if (f->node[id].child != SIZE_MAX) {
		*out = f->node[id].child;
		return 0;
	}
	a->insn = a->cfg->blocks[b].last;
	for (size_t c = ctx; c != SIZE_MAX; c = f->ctx[c].parent)
		if (f->ctx[c].fn == fn)
			return fail(a, "recursive call of the function at insn %zu",
				    a->cfg->funcs[fn].entry);
	if (f->ctx[ctx].depth + 1 >= BPFH_VMAX_FRAMES)
		return fail(a, "call depth exceeds %u frames", BPFH_VMAX_FRAMES);
	err = new_ctx(a, f, fn, ctx, b, callback, out);
	if (!err)
		f->node[node_of(a, f, ctx, b)].child = *out;
	return err;
}

/* The state a callee starts in: the caller's frame pushed, r1-r5 as given, r10 its frame. */
static void push_frame(const struct bpfh_vstate *st, struct bpfh_vstate *out)
{
	struct bpfh_vframe *fr;

	memcpy(out, st, bpfh_vstate_size(st->depth));
	fr = &out->frames[st->depth];
	memcpy(fr->stk, st->stk, sizeof(fr->stk));
	memcpy(fr->spill, st->spill, sizeof(fr->spill));
	memcpy(fr->saved, st->r, sizeof(fr->saved));
	fr->z = st->z;
	out->depth = (uint8_t)(st->depth + 1);
	memset(out->stk, BPFH_STK_INVALID, sizeof(out->stk));
	memset(out->spill, 0, sizeof(out->spill));
	memset(&out->r[0], 0, sizeof(out->r[0]));
	for (unsigned r = 6; r <= 9; r++)
		memset(&out->r[r], 0, sizeof(out->r[r]));
	bpfh_vreg_set_ptr(&out->r[10], BPFH_VK_STACK, 0);
	out->r[10].map = out->depth;
	for (unsigned r = 0; r < BPFH_REG_COUNT; r++)
		if (r == 0 || r >= 6)
			bpfh_vrel_forget_reg(out, r);
	for (unsigned l = 0; 13u + 2u * l < out->z.n; l++)
		bpfh_vrel_loop_edge(out, l, false);
}

/* The caller's state again when the callee returns: its frame, registers and relations. */
static void pop_frame(const struct bpfh_vstate *st, struct bpfh_vstate *out)
{
	const struct bpfh_vframe *fr = &st->frames[st->depth - 1];
	uint64_t pkt_range = st->pkt_range;

	memcpy(out, st, sizeof(*out));
	memcpy(out->frames, st->frames, (st->depth - 1u) * sizeof(*fr));
	out->depth = (uint8_t)(st->depth - 1);
	memcpy(out->stk, fr->stk, sizeof(out->stk));
	memcpy(out->spill, fr->spill, sizeof(out->spill));
	memcpy(out->r, fr->saved, sizeof(out->r));
	out->z = fr->z;
	out->pkt_range = pkt_range;
}

/* A callback's arguments, from the registers at the helper call. */
static int callback_args(struct actx *a, const struct bpfh_vstate *pre, struct bpfh_vstate *st,
			 uint32_t helper)
{
	for (unsigned r = 1; r <= 5; r++)
		memset(&st->r[r], 0, sizeof(st->r[r]));
	switch (helper) {
	case 181: /* bpf_loop(nr, cb, ctx, flags): cb(index, ctx) */
		bpfh_vreg_set_scalar(&st->r[1], bpfh_scalar_urange(0, (UINT64_C(1) << 23) - 1));
		st->r[2] = pre->r[3];
		break;
	case 164: { /* bpf_for_each_map_elem(map, cb, ctx, flags): cb(map, key, value, ctx) */
		uint32_t map = pre->r[1].map;

		st->r[1] = pre->r[1];
		bpfh_vreg_set_ptr(&st->r[2], BPFH_VK_MAP_KEY, 0);
		st->r[2].map = map;
		bpfh_vreg_set_ptr(&st->r[3], BPFH_VK_MAP_VALUE, 0);
		st->r[3].map = map;
		st->r[4] = pre->r[3];
		break;
	}
	default:
		/* cfg.c's takes_callback: a FUNC argument, which only these two have */
		return bpfh_va_internal(a, "a callback of a helper the analysis does not know");
	}
	for (unsigned r = 1; r <= 5; r++)
		bpfh_vrel_forget_reg(st, r);
	return 0;
}

/*
 * The call of a helper that takes a callback, from the state before it (pre): the callback's
 * entry (one more invocation) and the helper's return (the transfer of the call). tmp has room
 * for a state one frame deeper than pre.
 */
static int callback_site(struct actx *a, struct fix *f, size_t ctx, size_t b,
			 const struct bpfh_vstate *pre, struct bpfh_vstate *tmp)
{
	const struct bpfh_vblock *blk = &a->cfg->blocks[b];
	const struct bpfh_insn *insn = &a->cfg->insns[blk->last];
	size_t child;
	int err;

	/* The helper's return, after any number of invocations (0 included). */
	bpfh_vstate_copy(tmp, pre);
	err = step(a, tmp, blk->last);
	if (!err)
		err = flow(a, f, ctx, blk->succ[0], tmp, b, 0);
	if (err)
		return err;
	a->insn = blk->last;
	if (pre->r[2].kind != BPFH_VK_FUNC) /* the call's transfer (step) checked it */
		return bpfh_va_internal(a, "the callback is not a function");
	err = callee_ctx(a, f, ctx, b, a->cfg->fn_of[pre->r[2].map], true, &child);
	if (err)
		return err;
	push_frame(pre, tmp);
	err = callback_args(a, pre, tmp, (uint32_t)insn->imm);
	if (!err)
		err = flow(a, f, child, a->cfg->funcs[f->ctx[child].fn].first_block, tmp,
			   SIZE_MAX, 0);
	return err;
}

/* exit in a callee: back to the caller (and, for callbacks, to another invocation). */
static int do_return(struct actx *a, struct fix *f, size_t ctx, struct bpfh_vstate *st,
		     struct bpfh_vstate *tmp, struct bpfh_vstate *tmp2)
{
	const struct vctx *c = &f->ctx[ctx];
	const struct bpfh_vreg *r0 = &st->r[0];
	char b[96];
	int err = use(a, st, 0);

	if (err)
		return err;
	if (r0->kind == BPFH_VK_STACK && r0->map == st->depth)
		return fail(a, "R0 returns a pointer to the function's own stack: %s",
			    fmt_reg(r0, b, sizeof(b)));
	if (c->callback && (r0->kind != BPFH_VK_SCALAR || r0->s.r64.smin < 0 ||
			    r0->s.r64.smax > 1))
		return fail(a, "R0 of a callback must be 0 or 1, not %s",
			    fmt_reg(r0, b, sizeof(b)));
	pop_frame(st, tmp);
	if (c->callback)
		return callback_site(a, f, c->parent, c->call_block, tmp, tmp2);
	tmp->r[0] = *r0;
	for (unsigned r = 1; r <= 5; r++) {
		memset(&tmp->r[r], 0, sizeof(tmp->r[r]));
		tmp->r[r].map = CLOBBERED;
	}
	for (unsigned r = 0; r <= 5; r++)
		bpfh_vrel_forget_reg(tmp, r);
	return flow(a, f, c->parent, a->cfg->blocks[c->call_block].succ[0], tmp, c->call_block, 0);
}

/* One visit of node id from state in: its instructions, then its edges. own: in is the
 * visit's to change (a pending state), else it is copied first. */
static int visit(struct actx *a, struct fix *f, size_t id, struct bpfh_vstate *in, bool own,
		 struct bpfh_vstate **buf)
{
	size_t ctx = f->node[id].ctx;
	size_t b = a->cfg->funcs[f->ctx[ctx].fn].first_block + (id - f->ctx[ctx].node0);
	const struct bpfh_cfg *cfg = a->cfg;
	const struct bpfh_vblock *blk = &cfg->blocks[b];
	struct bpfh_vstate *st = own ? in : buf[0];
	unsigned op, form;
	int err = 0;

	if (!own)
		bpfh_vstate_copy(st, in);
	for (size_t i = blk->first; i < blk->last && !err; i++)
		if (cfg->ops[i] != BPFH_OP_LDDW_HI)
			err = step(a, st, i);
	if (err)
		return err;
	op = cfg->ops[blk->last];
	form = bpfh_op_info(op)->form;
	a->insn = blk->last;
	if (form == BPFH_FORM_JMP_K || form == BPFH_FORM_JMP_X) {
		err = bpfh_va_branch(a, st, &cfg->insns[blk->last], op, buf[1], buf[2]);
		for (int k = 0; k < 2 && !err; k++) {
			f->take = &buf[1 + k];
			err = flow(a, f, ctx, blk->succ[k], buf[1 + k], b, k);
			f->take = NULL;
		}
		return err;
	}
	if (blk->callee != SIZE_MAX) {
		size_t child;

		err = bpfh_va_lock_free(a, st, "function calls");
		if (!err)
			err = callee_ctx(a, f, ctx, b, blk->callee, false, &child);
		if (err)
			return err;
		push_frame(st, buf[1]);
		return flow(a, f, child, cfg->funcs[blk->callee].first_block, buf[1], SIZE_MAX, 0);
	}
	if (blk->callback_call)
		return callback_site(a, f, ctx, b, st, buf[1]);
	if (form == BPFH_FORM_EXIT && f->ctx[ctx].depth > 0)
		return do_return(a, f, ctx, st, buf[1], buf[2]);
	err = step(a, st, blk->last);
	for (int k = 0; k < 2 && !err; k++)
		if (blk->succ[k] != SIZE_MAX) {
			/* the last edge of a work state may give it away */
			f->take = !own && (k == 1 || blk->succ[1] == SIZE_MAX) ? &buf[0] : NULL;
			err = flow(a, f, ctx, blk->succ[k], st, b, k);
			f->take = NULL;
		}
	return err;
}

/*
 * Every loop terminates: on each back edge the head's counter, before it counts that edge, is
 * bounded (rel.c). The bound recorded for an edge is that of the last visit of its block, made on
 * the block's final state.
 */
static int check_loops(struct actx *a, struct fix *f, struct bpfh_verify_result *out)
{
	const struct bpfh_cfg *cfg = a->cfg;
	uint64_t limit = a->in->opts.max_loop_bound ? a->in->opts.max_loop_bound : 8388608;

	for (size_t c = 0; c < f->nctx; c++) {
		const struct bpfh_vfunc *fu = &cfg->funcs[f->ctx[c].fn];

		for (size_t h = fu->first_block; h < fu->end_block; h++) {
			const struct bpfh_vblock *head = &cfg->blocks[h];
			int64_t bound = -1;

			if (!head->loop_head)
				continue;
			for (size_t b = h; b < fu->end_block; b++)
				for (int k = 0; k < 2 * NPART; k++) {
					int64_t x = f->node[node_of(a, f, c, b)].back_bound[k / 2][k % 2];

					if (cfg->blocks[b].succ[k % 2] != h || x == INT64_MIN)
						continue;
					a->insn = cfg->blocks[b].last;
					if (x == BPFH_ZONE_INF)
						return fail(a, "loop may not terminate: no bound on the "
							    "iterations of the loop at insn %zu was "
							    "found (its exit test must bound a "
							    "register that changes by a constant "
							    "step)", head->first);
					if (x + 1 > bound)
						bound = x + 1;
				}
			if (bound < 0)
				continue; /* no back edge was ever taken */
			a->insn = head->first;
			if ((uint64_t)bound > limit)
				return fail(a, "loop may make %" PRId64 " iterations, more than the "
					    "limit of %" PRIu64, bound, limit);
			if (out->nloops < BPFH_VERIFY_MAX_LOOPS) {
				out->loops[out->nloops].insn = head->first;
				out->loops[out->nloops].max_iterations = (uint64_t)bound;
			}
			out->nloops++;
		}
	}
	return 0;
}

/* --verbose: the invariant before every instruction of every visited node. */
static void trace(struct actx *a, struct fix *f, struct bpfh_vstate **buf)
{
	const struct bpfh_verify_options *o = &a->in->opts;
	struct bpfh_log quiet;
	char text[2048];

	struct bpfh_log *log = a->log;

	bpfh_log_init(&quiet, NULL, 0);
	a->log = &quiet;
	for (size_t id = 0; id < f->nnode; id++) {
		size_t ctx = f->node[id].ctx;
		size_t b = a->cfg->funcs[f->ctx[ctx].fn].first_block + (id - f->ctx[ctx].node0);
		const struct bpfh_vblock *blk = &a->cfg->blocks[b];

		for (unsigned p = 0; p < NPART && f->node[id].st[p]; p++) {
			if (f->node[id].st[p]->bottom)
				continue;
			bpfh_vstate_copy(buf[0], f->node[id].st[p]);
			for (size_t i = blk->first; i <= blk->last; i++) {
				if (a->cfg->ops[i] == BPFH_OP_LDDW_HI)
					continue;
				bpfh_vstate_format(buf[0], text, sizeof(text));
				o->trace(o->trace_arg, i, text);
				if (i < blk->last && step(a, buf[0], i))
					break;
			}
		}
	}
	a->log = log;
}

static int run_pending(struct actx *a, struct fix *f, struct bpfh_verify_result *out,
		       struct bpfh_vstate **buf);

/* A visit of a stored node's partition p, then of the blocks with one predecessor it flows
 * into, straight from its edges. */
static int visit_node(struct actx *a, struct fix *f, size_t nid, unsigned p,
		      struct bpfh_verify_result *out, struct bpfh_vstate **buf)
{
	uint64_t max_states = a->in->opts.max_states ? a->in->opts.max_states : DEFAULT_MAX_STATES;
	const struct bpfh_cfg *cfg = a->cfg;
	int err;

	size_t ctx = f->node[nid].ctx;

	a->insn = cfg->blocks[cfg->funcs[f->ctx[ctx].fn].first_block +
			      (nid - f->ctx[ctx].node0)].first;
	if (++out->states > max_states)
		return fail(a, "program too complex: more than %" PRIu64 " block visits",
			    max_states);
	if (check_memory(a, f))
		return -EACCES;
	err = visit(a, f, nid, f->node[nid].st[p], false, buf);
	if (f->release && !err) {
		account(f, -(int64_t)bpfh_vstate_size(f->node[nid].st[p]->depth));
		free(f->node[nid].st[p]);
		f->node[nid].st[p] = NULL;
	}
	return err ? err : run_pending(a, f, out, buf);
}

/* The pending states, each as it comes (one may add others). */
static int run_pending(struct actx *a, struct fix *f, struct bpfh_verify_result *out,
		       struct bpfh_vstate **buf)
{
	uint64_t max_states = a->in->opts.max_states ? a->in->opts.max_states : DEFAULT_MAX_STATES;
	const struct bpfh_cfg *cfg = a->cfg;
	int err = 0;

	while (f->npend && !err) {
		struct pending q = f->pend[--f->npend];

		a->insn = cfg->blocks[cfg->funcs[f->ctx[f->node[q.id].ctx].fn].first_block +
				      (q.id - f->ctx[f->node[q.id].ctx].node0)].first;
		if (++out->states > max_states) {
			err = fail(a, "program too complex: more than %" PRIu64 " block visits",
				   max_states);
		} else if (check_memory(a, f)) {
			err = -EACCES;
		} else {
			err = visit(a, f, q.id, q.st, true, buf);
		}
		state_release(f, q.st);
	}
	return err;
}

/* The deferred states that leave loops with heads at nodes [lo, hi]; *ran: set when there
 * were any. */
static int run_deferred(struct actx *a, struct fix *f, size_t lo, size_t hi,
			struct bpfh_verify_result *out, struct bpfh_vstate **buf, bool *ran)
{
	unsigned part = f->part;
	int err = 0;

	for (size_t i = 0; i < f->ndefer && !err;) {
		struct pending d = f->defer[i];

		if (d.head < lo || d.head > hi) {
			i++;
			continue;
		}
		f->defer[i] = f->defer[--f->ndefer];
		if (grow(f, (void **)&f->pend, &f->cappend, f->npend + 1, sizeof(*f->pend))) {
			state_release(f, d.st);
			return -ENOMEM;
		}
		f->pend[f->npend++] = d;
		f->part = d.part;
		*ran = true;
		err = run_pending(a, f, out, buf);
		i = 0; /* the visits may have deferred others */
	}
	f->part = part;
	return err;
}

/* The sweep is at the last position (*id) of node nid: when nid's block ends a loop's span and
 * a node of that span is dirty, *id becomes the position before the first dirty one (the sweep
 * goes on from there); when none is, the loop is stable and the states leaving it run. */
static int loop_again(struct actx *a, struct fix *f, size_t nid, size_t *id,
		      struct bpfh_verify_result *out, struct bpfh_vstate **buf, bool *ran)
{
	const struct vctx *c = &f->ctx[f->node[nid].ctx];
	const struct bpfh_vfunc *fu = &a->cfg->funcs[c->fn];
	size_t h = a->cfg->blocks[fu->first_block + (nid - c->node0)].loop_from;
	size_t lo;
	int err;

	if (h != SIZE_MAX) {
		lo = c->node0 + h - fu->first_block;
		for (size_t x = lo * NPART; x <= *id; x++)
			if (f->node[x / NPART].dirty[x % NPART]) {
				*id = x - 1;
				return 0;
			}
		err = run_deferred(a, f, lo, nid, out, buf, ran);
		if (err)
			return err;
	}
	/* A callback is a loop too (its exit flows into its entry): its last node ends it. */
	if (c->callback && nid == c->node0 + (fu->end_block - fu->first_block) - 1)
		for (size_t x = c->node0 * NPART; x <= *id; x++)
			if (f->node[x / NPART].dirty[x % NPART]) {
				*id = x - 1;
				return 0;
			}
	return 0;
}

int bpfh_analyze(const struct bpfh_verify_input *in, const struct bpfh_cfg *cfg,
		 struct bpfh_verify_result *out, struct bpfh_log *log)
{
	struct actx *a = calloc(1, sizeof(*a));
	struct fix f;
	struct bpfh_vstate *buf[3] = { NULL, NULL, NULL };
	size_t main_ctx;
	unsigned max_depth;
	bool again = true;
	int err = -ENOMEM;

	memset(&f, 0, sizeof(f));
	f.keep_all = in->opts.trace != NULL;
	/* Blocks in index order are then in topological order: the first sweep visits each
	 * block once, after every block that flows into it. */
	f.release = !f.keep_all && cfg->nfuncs == 1;
	for (size_t b = 0; b < cfg->nblocks && f.release; b++)
		for (int k = 0; k < 2; k++)
			if (cfg->blocks[b].succ[k] != SIZE_MAX && cfg->blocks[b].succ[k] <= b)
				f.release = false;
	f.max_iter = in->opts.max_loop_iterations ? in->opts.max_loop_iterations : 8;
	/* A state's frames are its callers': distinct functions (no recursion), at most
	 * BPFH_VMAX_FRAMES - 1 (callee_ctx refuses deeper calls before a frame is pushed). */
	max_depth = cfg->nfuncs - 1 < BPFH_VMAX_FRAMES - 1 ? (unsigned)cfg->nfuncs - 1 :
							     BPFH_VMAX_FRAMES - 1;
	f.max_depth = max_depth;
	for (int i = 0; i < 3; i++)
		buf[i] = malloc(bpfh_vstate_size(max_depth));
	if (!a || !buf[0] || !buf[1] || !buf[2])
		goto out;
	account(&f, (int64_t)(3 * bpfh_vstate_size(max_depth) + sizeof(*a)));
	a->in = in;
	a->cfg = cfg;
	a->log = log;
	a->zext_insn = SIZE_MAX;
	collect_thresholds(a);
	err = new_ctx(a, &f, 0, SIZE_MAX, SIZE_MAX, false, &main_ctx);
	if (err)
		goto out;
	entry_state(in, cfg, buf[0]);
	err = flow(a, &f, main_ctx, 0, buf[0], SIZE_MAX, 0);
	/*
	 * Sweeps over the nodes in order (blocks are in program order: without backward edges
	 * that is a topological order), and a loop is iterated until it is stable before the
	 * code after it runs: past the last block of a loop's span, the sweep goes back to the
	 * loop's first dirty node. Otherwise everything after a loop would be analysed again on
	 * each of its iterations' exit states.
	 */
	while (again && !err) {
		again = false;
		for (size_t id = 0; id < f.nnode * NPART && !err; id++) {
			unsigned p = (unsigned)(id % NPART);
			size_t nid = id / NPART;

			if (f.node[nid].dirty[p]) {
				f.node[nid].dirty[p] = false;
				again = true;
				f.part = p;
				err = visit_node(a, &f, nid, p, out, buf);
			}
			if (!err && p == NPART - 1)
				err = loop_again(a, &f, nid, &id, out, buf, &again);
		}
		if (!err)
			err = run_deferred(a, &f, 0, SIZE_MAX, out, buf, &again);
	}
	if (!err)
		err = check_loops(a, &f, out);
	if (!err && in->opts.trace)
		trace(a, &f, buf);
	out->reject_insn = a->reject_insn;
	out->r0_min = a->r0_min;
	out->r0_max = a->r0_max;
	out->peak_bytes = f.peak;
out:
	for (size_t id = 0; id < f.nnode; id++)
		for (unsigned p = 0; p < NPART; p++) {
			free(f.node[id].st[p]);
			free(f.node[id].wide[p]);
		}
	for (size_t i = 0; i < f.npend; i++)
		free(f.pend[i].st);
	for (size_t i = 0; i < f.ndefer; i++)
		free(f.defer[i].st);
	free(f.defer);
	for (unsigned i = 0; i < f.nspare; i++)
		free(f.spare[i]);
	free(f.pend);
	free(f.node);
	free(f.ctx);
	for (int i = 0; i < 3; i++)
		free(buf[i]);
	free(a);
	return err;
}
