// SPDX-License-Identifier: MIT
/*
 * The JIT's architecture-independent part: which registers a helper call must keep (a liveness
 * analysis of r1..r5, with the helpers' argument counts when the options give them), which
 * helper calls the back end inlines (bpf_map_lookup_elem on ARRAY maps and bpf_tail_call on
 * PROG_ARRAYs known at the call, when the options describe them), whether the program is a
 * leaf (no context needed: it gets an entry that saves and sets only what it uses), the code
 * buffer and its limit, labels and cold stubs, the emission passes until the layout settles,
 * executable pages (carved from chunks, written, then flipped to read+execute, never both),
 * and the C side of a run: the context the code works in, the stack, and the interpreter's
 * error messages for the faults the code reports.
 *
 * Constant blinding (bpfh_exec_opts.blind) is decided here: a seed drawn per compilation from
 * which each slot's key is derived, so that every pass emits the same code; the back end
 * applies the keys.
 *
 * It does not encode instructions (the back end in x86_64/ does), or check memory accesses or
 * count instructions (the checked interpreter does).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "jit_int.h"
#include "../../platform/platform.h"

#define JIT_CODE_LIMIT (64u << 20) /* default bytes of code per program */
#define JIT_CODE_MAX (1u << 30)    /* the most a caller may allow: 32-bit offsets reach it */
#define JIT_MAX_INSNS BPFH_MAX_INSNS
#define JIT_PAD_FREEZE 3           /* passes before alignment padding stops changing */
#define JIT_LONG_AFTER 16          /* passes before every jump is made long (layout settles) */

/* ---- code buffer ---- */

void jit_buf_grow(struct jit_buf *b, size_t n)
{
	size_t cap;
	uint8_t *np;

	if (b->err)
		return;
	if (n > b->limit || b->len > b->limit - n) {
		b->err = -E2BIG;
		return;
	}
	cap = b->cap ? b->cap * 2 : 4096;
	while (cap < b->len + n)
		cap *= 2;
	if (cap > b->limit)
		cap = b->limit;
	np = realloc(b->p, cap);
	if (!np) {
		b->err = -ENOMEM;
		return;
	}
	b->p = np;
	b->cap = cap;
}

/* ---- stubs and fixups ---- */

size_t jit_stub_add(struct jit_pass *p, const struct jit_stub *s)
{
	if (p->nstubs == p->stub_cap) {
		size_t cap = p->stub_cap ? p->stub_cap * 2 : 64;
		struct jit_stub *ns = realloc(p->stubs, cap * sizeof(*ns));
		uint32_t *na;

		if (!ns) {
			p->buf.err = -ENOMEM;
			return 0;
		}
		p->stubs = ns;
		na = realloc(p->stub_addr, cap * sizeof(*na));
		if (!na) {
			p->buf.err = -ENOMEM;
			return 0;
		}
		p->stub_addr = na;
		p->stub_cap = cap;
	}
	p->stubs[p->nstubs] = *s;
	return p->nstubs++;
}

void jit_fixup(struct jit_pass *p, unsigned kind, unsigned width, size_t target, size_t from)
{
	struct jit_fixup *f;

	if (p->nfix == p->fix_cap) {
		size_t cap = p->fix_cap ? p->fix_cap * 2 : 256;
		struct jit_fixup *nf = realloc(p->fix, cap * sizeof(*nf));

		if (!nf) {
			p->buf.err = -ENOMEM;
			return;
		}
		p->fix = nf;
		p->fix_cap = cap;
	}
	f = &p->fix[p->nfix++];
	f->pos = (uint32_t)(jit_pos(&p->buf) - width);
	f->target = (uint32_t)target;
	f->from = (uint32_t)from;
	f->kind = (uint8_t)kind;
	f->width = (uint8_t)width;
	f->margin = 0;
}

void jit_fixup_margin(struct jit_pass *p, unsigned margin)
{
	if (p->nfix)
		p->fix[p->nfix - 1].margin = (uint8_t)margin;
}

static int fits8(int64_t d)
{
	return d >= -128 && d <= 127;
}

/* A displacement d from the end of a slot's code reaches with a one-byte offset from a jump
 * that ends up to margin bytes before it. */
static int near_margin(int64_t d, unsigned margin)
{
	return fits8(d) && fits8(d + margin);
}

int jit_slot_near(const struct jit_pass *p, size_t from_slot, size_t to, unsigned margin)
{
	if (!p->prev || p->all_long)
		return 0;
	/* from the end of the slot's code, before any padding of the next slot */
	return near_margin((int64_t)p->prev[to] -
			   ((int64_t)p->prev[from_slot + 1] - p->prev_pad[from_slot + 1]), margin);
}

/* Whether the next pass would lay the code out as this one did: no long jump between slots
 * that would now be short (and, as sizes only shrink, no short one out of reach). */
static int settled(const struct jit_pass *p)
{
	size_t k;

	for (k = 0; k < p->nfix; k++) {
		const struct jit_fixup *f = &p->fix[k];
		int near;

		if (f->kind != JIT_FIX_JUMP)
			continue;
		if (f->width == 1) /* does it reach? */
			near = fits8((int64_t)p->addr[f->target] - ((int64_t)f->pos + 1));
		else /* would the next pass make it short (jit_slot_near)? */
			near = near_margin((int64_t)p->addr[f->target] -
					   ((int64_t)p->addr[f->from + 1] - p->pad[f->from + 1]),
					   f->margin);
		if (f->width == 1 ? !near : near && !p->all_long)
			return 0;
	}
	return 1;
}

/* Fill in every displacement from this pass's addresses. */
static void apply_fixups(struct jit_pass *p)
{
	size_t k;

	for (k = 0; k < p->nfix; k++) {
		const struct jit_fixup *f = &p->fix[k];
		uint32_t to = f->kind == JIT_FIX_STUB ? p->stub_addr[f->target] :
							p->addr[f->target];
		uint32_t d = (uint32_t)((int64_t)to - ((int64_t)f->pos + f->width));
		unsigned i;

		for (i = 0; i < f->width; i++)
			p->buf.p[f->pos + i] = (uint8_t)(d >> (8 * i));
	}
}

/* ---- executable pages ---- */

/*
 * Code goes into pages carved from 256 KiB chunks rather than a mapping of its own: a
 * compilation then costs one mprotect (read+write to read+execute) instead of mmap, mprotect
 * and, at destruction, munmap. A chunk's pages are mapped in when it is made (see
 * bpfh_pages_alloc), so writing the code takes no page fault. On Linux, per program of one page:
 * the mprotect about 0.9 us, the chunk's mmap and munmap 0.7 us with 64 KiB chunks, 0.4 us with
 * 256 KiB ones, which hold at most 252 KiB not yet carved. Each program's pages are its own
 * (whole pages: mprotect works on nothing smaller), written while still read+write and
 * flipped to read+execute once, never back: pages of a destroyed
 * program are not reused, the chunk is unmapped when it is no longer carved and its last
 * program is gone. Programs larger than a quarter of a chunk get pages of their own (a chunk
 * of one program).
 */
#define CHUNK_SIZE (256u << 10)

struct code_chunk {
	uint8_t *base;
	size_t size, used; /* bytes; used: carved so far, whole pages */
	size_t live;       /* programs in it not destroyed yet */
};

static struct code_chunk *chunk_now; /* the chunk being carved, or NULL */
static uint32_t chunk_lock;

static void chunk_lock_take(void)
{
	while (__atomic_exchange_n(&chunk_lock, 1u, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&chunk_lock, __ATOMIC_RELAXED))
			;
}

static void chunk_lock_give(void)
{
	__atomic_store_n(&chunk_lock, 0u, __ATOMIC_RELEASE);
}

static struct code_chunk *chunk_new(size_t size)
{
	struct code_chunk *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	c->base = bpfh_pages_alloc(size);
	if (!c->base) {
		free(c);
		return NULL;
	}
	c->size = size;
	c->used = 0;
	c->live = 0;
	return c;
}

static void chunk_delete(struct code_chunk *c)
{
	bpfh_pages_free(c->base, c->size);
	free(c);
}

/* size bytes of read+write pages of their own, in *chunk; NULL when out of memory. */
static void *code_alloc(size_t size, struct code_chunk **chunk)
{
	size_t need = (size + JIT_PAGE - 1) / JIT_PAGE * JIT_PAGE;
	struct code_chunk *c, *retired = NULL;
	void *p;

	if (need > CHUNK_SIZE / 4) {
		c = chunk_new(need);
		if (!c)
			return NULL;
		c->used = need;
		c->live = 1;
		*chunk = c;
		return c->base;
	}
	chunk_lock_take();
	c = chunk_now;
	if (!c || c->size - c->used < need) {
		if (c && c->live == 0)
			retired = c;
		chunk_now = c = chunk_new(CHUNK_SIZE);
	}
	p = NULL;
	if (c) {
		p = c->base + c->used;
		c->used += need;
		c->live++;
	}
	chunk_lock_give();
	if (retired)
		chunk_delete(retired);
	*chunk = c;
	return p;
}

/* The program in chunk is gone. */
static void code_free(struct code_chunk *c)
{
	int dead;

	if (!c)
		return;
	chunk_lock_take();
	dead = --c->live == 0 && c != chunk_now;
	chunk_lock_give();
	if (dead)
		chunk_delete(c);
}

/* ---- constant blinding ---- */

/* splitmix64's finalizer: a bijection that spreads every input bit over the output. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A seed nobody outside the process can predict: the clock, addresses that ASLR moves, and a
 * counter so that two compilations in the same nanosecond differ. Not cryptographic, which
 * blinding does not need: the attacker sees neither the code nor the keys. */
static uint64_t blind_seed(const struct bpfh_exec *exec)
{
	static uint64_t counter;
	uint64_t n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

	return mix64(bpfh_time_ns() ^ mix64((uint64_t)(uintptr_t)exec) ^
		     mix64((uint64_t)(uintptr_t)&counter + n * 0x9e3779b97f4a7c15ull));
}

uint64_t jit_blind_key(const struct jit_pass *p, size_t i)
{
	uint64_t k = mix64(p->blind_seed + (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull);
	unsigned b;

	for (b = 0; b < 64; b += 8)
		if (!((k >> b) & 0xff))
			k |= (uint64_t)0xa5 << b;
	return k;
}

static int want_blind(const struct bpfh_exec_opts *opts)
{
	const char *env;

	if (opts && opts->sz >= offsetof(struct bpfh_exec_opts, blind) + sizeof(opts->blind) &&
	    opts->blind)
		return 1;
	env = getenv("BPFH_JIT_BLIND");
	return env && !strcmp(env, "1");
}

/* ---- per-compilation arrays ---- */

/* What a compilation needs per slot, in one allocation rather than one per array (a small
 * program's compilation is short enough for each malloc and free to count). */
struct jit_scratch {
	uint32_t *addr[2];  /* slot addresses of two consecutive passes (count + 1 each) */
	uint32_t *loop_end; /* find_entries */
	uint16_t *live;     /* analyse: registers live into each slot (count + 1) */
	uint16_t *use, *def; /* analyse: what each slot reads and writes */
	uint8_t *keep;      /* analyse: r1..r5 each helper call keeps */
	uint8_t *entry;     /* find_entries */
	uint8_t *pad[2];    /* padding before each slot in two consecutive passes (count + 1) */
	uint8_t *hinfo;     /* helper_infos */
	void *block;
};

static int scratch_alloc(struct jit_scratch *s, size_t n)
{
	size_t size = (3 * n + 2) * sizeof(uint32_t) + (3 * n + 1) * sizeof(uint16_t) + 5 * n + 2;
	uint8_t *p = malloc(size);

	s->block = p;
	if (!p)
		return -ENOMEM;
	/* widest first: every array starts aligned for its type */
	s->addr[0] = (uint32_t *)p;
	s->addr[1] = s->addr[0] + n + 1;
	s->loop_end = s->addr[1] + n + 1;
	s->live = (uint16_t *)(s->loop_end + n);
	s->use = s->live + n + 1;
	s->def = s->use + n;
	s->keep = (uint8_t *)(s->def + n);
	s->entry = s->keep + n;
	s->pad[0] = s->entry + n;
	s->pad[1] = s->pad[0] + n + 1;
	s->hinfo = s->pad[1] + n + 1;
	return 0;
}

/* ---- liveness of r1..r5 after helper calls ---- */

#define REGS_ARGS 0x3eu  /* r1..r5 */
#define REGS_ALL 0x7ffu

/* Registers slot i reads and writes, for the analysis: the ISA's (bpfh_insn_regs), but the
 * engines keep r1..r5 across helper calls and LD_ABS/LD_IND (only r0 is written), a helper
 * call reads only the arguments its prototype names where known, and where unsure it is
 * conservative (a local call or callx reads everything, and an exit reads r1..r5 when it may
 * return to a caller). */
static void uses_defs(const struct bpfh_exec *exec, size_t i, int has_local,
		      const uint8_t *hinfo, unsigned *use, unsigned *def)
{
	unsigned op = exec->ops[i];

	bpfh_insn_regs(&exec->insns[i], op, use, def);
	switch (bpfh_op_info(op)->form) {
	case BPFH_FORM_CALL:
		if (op == BPFH_OP_CALL) {
			if (hinfo && (hinfo[i] & JIT_HI_KNOWN)) /* r1..r_nargs */
				*use = ((1u << ((hinfo[i] & JIT_HI_NARGS) + 1)) - 1) & REGS_ARGS;
			*def = 1;
		} else {
			*use = REGS_ALL;
			*def = 0;
		}
		break;
	case BPFH_FORM_CALLX:
		*use = REGS_ALL;
		*def = 0;
		break;
	case BPFH_FORM_EXIT:
		if (has_local)
			*use = REGS_ALL;
		break;
	case BPFH_FORM_LDABS:
	case BPFH_FORM_LDIND:
		*def = 1;
		break;
	default:
		break;
	}
}

/* Successors of slot i: up to two, -1 for none. */
static void successors(const struct bpfh_exec *exec, size_t i, int64_t succ[2])
{
	unsigned op = exec->ops[i];
	unsigned form = bpfh_op_info(op)->form;

	succ[0] = (int64_t)i + 1;
	succ[1] = -1;
	switch (form) {
	case BPFH_FORM_EXIT:
		succ[0] = -1;
		break;
	case BPFH_FORM_JA:
	case BPFH_FORM_JA32:
		succ[0] = bpfh_insn_target(&exec->insns[i], i, op);
		break;
	case BPFH_FORM_JMP_K:
	case BPFH_FORM_JMP_X:
		succ[1] = bpfh_insn_target(&exec->insns[i], i, op);
		break;
	case BPFH_FORM_LDDW:
		succ[0] = (int64_t)i + 2;
		break;
	case BPFH_FORM_NONE:
		succ[0] = -1;
		break;
	default:
		break;
	}
}

/*
 * keep[i], for each helper call or callx slot i: the registers among r1..r5 (bit n-1 for rn)
 * that some path from i reads before writing, which the call must therefore preserve (the
 * interpreter never changes them). Backward sweeps to a fixed point; a program that does not
 * settle in a few dozen sweeps keeps all five at every call. Also the registers read before
 * any write at the entry (*live_in) and those the program names at all (*used), for the leaf
 * entry.
 */
static void analyse(const struct bpfh_exec *exec, const uint8_t *hinfo, struct jit_scratch *s,
		    int *has_local, unsigned *live_in, unsigned *used)
{
	uint16_t *live = s->live, *use = s->use, *def = s->def;
	uint8_t *keep = s->keep;
	size_t i, n = exec->count;
	int changed = 1, sweeps;

	*has_local = 0;
	for (i = 0; i < n; i++)
		if (exec->ops[i] == BPFH_OP_CALL_LOCAL || exec->ops[i] == BPFH_OP_CALLX)
			*has_local = 1;
	memset(live, 0, (n + 1) * sizeof(*live));
	memset(keep, 0, n);
	*used = 0;
	for (i = 0; i < n; i++) {
		unsigned u, d;

		uses_defs(exec, i, *has_local, hinfo, &u, &d);
		use[i] = (uint16_t)u;
		def[i] = (uint16_t)d;
		*used |= u | d;
	}
	for (sweeps = 0; changed && sweeps < 64; sweeps++) {
		changed = 0;
		for (i = n; i-- > 0;) {
			int64_t succ[2];
			unsigned out = 0, in;
			int k;

			successors(exec, i, succ);
			for (k = 0; k < 2; k++)
				if (succ[k] >= 0 && (size_t)succ[k] < n)
					out |= live[succ[k]];
			in = use[i] | (out & ~def[i]);
			if (in != live[i]) {
				live[i] = (uint16_t)in;
				changed = 1;
			}
			if (exec->ops[i] == BPFH_OP_CALL || exec->ops[i] == BPFH_OP_CALLX)
				keep[i] = (uint8_t)((out & REGS_ARGS) >> 1);
		}
	}
	*live_in = n ? live[0] : 0;
	/* Did not settle: keep everything, and take every register the program names as read at
	 * the entry, not the others (a leaf program's entry zeroes those of r0 and r6..r9 read
	 * there, and saves only those the program names: the caller's would be lost). */
	if (changed) {
		for (i = 0; i < n; i++)
			keep[i] = REGS_ARGS >> 1;
		*live_in = *used & REGS_ALL;
	}
}

/* ---- inline helper calls ---- */

/* Whether the options set field f (a caller built against an older, smaller struct has not). */
#define OPT(opts, f) ((opts) && (opts)->sz >= offsetof(struct bpfh_exec_opts, f) + \
			sizeof((opts)->f) && (opts)->f)

/* One inlined call at slot i of an n-slot program (the array made on first use). */
static struct jit_inline_call *inline_at(struct jit_inline_call **inl, size_t n, size_t i)
{
	if (!*inl)
		*inl = calloc(n, sizeof(**inl));
	return *inl ? &(*inl)[i] : NULL;
}

/* entry[i]: code may arrive at slot i other than from slot i - 1 (slot 0, a function, the
 * target of a jump or local call), so that a back end may merge slot i - 1 and slot i into
 * one sequence only where entry[i] is 0. loop_end (may be NULL) [t]: 0, or 1 + the last slot
 * jumping back to t (a loop's head), for the back end to align loops. */
static void find_entries(const struct bpfh_exec *exec, uint8_t *entry, uint32_t *loop_end)
{
	size_t i, n = exec->count;

	memset(entry, 0, n);
	if (loop_end)
		memset(loop_end, 0, n * sizeof(*loop_end));
	if (n)
		entry[0] = 1;
	for (i = 0; i < n; i++) {
		unsigned op = exec->ops[i], form = bpfh_op_info(op)->form;
		int64_t t;

		if (exec->is_func[i])
			entry[i] = 1;
		if (form != BPFH_FORM_JA && form != BPFH_FORM_JA32 && form != BPFH_FORM_JMP_K &&
		    form != BPFH_FORM_JMP_X && op != BPFH_OP_CALL_LOCAL)
			continue;
		t = bpfh_insn_target(&exec->insns[i], i, op);
		if (t >= 0 && (size_t)t < n)
			entry[t] = 1;
		if (loop_end && t >= 0 && (size_t)t <= i && op != BPFH_OP_CALL_LOCAL)
			loop_end[t] = (uint32_t)i + 1;
	}
}

/*
 * inl[i], for each `call 1` (bpf_map_lookup_elem) slot i where r1 provably holds a map that
 * opts->array_layout describes as an ARRAY, and each `call 12` (bpf_tail_call) where r2
 * provably holds a map that opts->prog_array_layout describes: the layout, so that the back
 * end does the helper's work itself. A forward scan of each basic block, conservative: r1 or
 * r2 is known only from an lddw of a map (src 1 or 5) in the same block with no write to it
 * and no call, exit or jump in between; every jump target and function entry starts with
 * nothing known. *out stays NULL when nothing is inlined.
 */
static int find_inline_calls(const struct bpfh_exec *exec, const struct bpfh_exec_opts *opts,
			     const uint8_t *keep, const uint8_t *entry, int blind,
			     struct jit_inline_call **out)
{
	struct jit_inline_call *inl = NULL, *c;
	int want_array = OPT(opts, array_layout), want_tail = OPT(opts, prog_array_layout);
	size_t i, n = exec->count;
	uint64_t map[3] = { 0, 0, 0 };
	int known[3] = { 0, 0, 0 }, any = 0, key_known = 0;
	uint32_t key = 0;
	/* where r2 and r3 were set (while known, key_known), and whether anything may have read
	 * them since (an instruction, or code after a conditional jump out of the block) */
	size_t set_at[4] = { 0, 0, 0, 0 };
	int read[4] = { 1, 1, 1, 1 };

	*out = NULL;
	for (i = 0; i < n && !any; i++)
		any = exec->ops[i] == BPFH_OP_CALL &&
		      ((want_array && exec->insns[i].imm == 1) ||
		       (want_tail && exec->insns[i].imm == 12));
	if (!any)
		return 0;
	for (i = 0; i < n; i++) {
		const struct bpfh_insn *in = &exec->insns[i];
		unsigned op = exec->ops[i], form = bpfh_op_info(op)->form, use, def;

		if (entry[i])
			known[1] = known[2] = key_known = 0;
		if (form == BPFH_FORM_LDDW) {
			if (in->dst == 1 || in->dst == 2) {
				known[in->dst] = op == BPFH_OP_LDDW_MAP_FD ||
						 op == BPFH_OP_LDDW_MAP_IDX;
				map[in->dst] = (uint64_t)(uint32_t)in[0].imm |
					       (uint64_t)(uint32_t)in[1].imm << 32;
			}
			if (in->dst == 2 || in->dst == 3) {
				set_at[in->dst] = i;
				read[in->dst] = 0;
			}
			if (in->dst == 3)
				key_known = 0;
			i++; /* the second slot (no jump lands there: the decoder refuses it) */
			if (i < n && entry[i])
				known[1] = known[2] = key_known = 0;
			continue;
		}
		if (op == BPFH_OP_CALL && in->imm == 1 && known[1] && want_array) {
			void *base;
			uint32_t stride, max;

			if (!opts->array_layout(opts->resolve_ctx, map[1], &base, &stride, &max) &&
			    stride <= INT32_MAX) {
				c = inline_at(&inl, n, i);
				if (!c)
					goto nomem;
				c->base = (uint64_t)(uintptr_t)base;
				c->stride = stride;
				c->max = max;
				c->kind = JIT_INLINE_ARRAY;
			}
		}
		if (op == BPFH_OP_CALL && in->imm == 12 && known[2] && want_tail) {
			void *const *slots;
			uint32_t max;
			size_t exec_off;

			if (!opts->prog_array_layout(opts->resolve_ctx, map[2], &slots, &max,
						     &exec_off) && exec_off <= INT32_MAX) {
				c = inline_at(&inl, n, i);
				if (!c)
					goto nomem;
				c->base = (uint64_t)(uintptr_t)slots;
				c->stride = (uint32_t)exec_off;
				c->max = max;
				c->kind = JIT_INLINE_TAIL;
				c->key_known = (uint8_t)(key_known && !blind); /* an immediate */
				c->key = key;
				/* r2 (and r3, a known key) read by nothing else: not set at all */
				if (!read[2] && !(keep[i] & 2u) && set_at[2] < i) {
					c = inline_at(&inl, n, set_at[2]);
					if (!c)
						goto nomem;
					c->dead = 1;
				}
				if (c->key_known && !read[3] && !(keep[i] & 4u) && set_at[3] < i) {
					c = inline_at(&inl, n, set_at[3]);
					if (!c)
						goto nomem;
					c->dead = 1;
				}
			}
		}
		uses_defs(exec, i, 0, NULL, &use, &def);
		if (use & 4u)
			read[2] = 1;
		if (use & 8u)
			read[3] = 1;
		if (form == BPFH_FORM_JMP_K || form == BPFH_FORM_JMP_X)
			read[2] = read[3] = 1;
		if (form == BPFH_FORM_CALL || form == BPFH_FORM_CALLX || form == BPFH_FORM_EXIT ||
		    form == BPFH_FORM_JA || form == BPFH_FORM_JA32 || form == BPFH_FORM_NONE)
			known[1] = known[2] = key_known = 0;
		if (def & 2u)
			known[1] = 0;
		if (def & 4u)
			known[2] = 0;
		if (def & 4u)
			read[2] = 1; /* not the lddw: a value nothing can leave out */
		if (def & 8u) /* the index is the low 32 bits of r3 */
			key_known = (op == BPFH_OP_MOV64_K || op == BPFH_OP_MOV32_K) &&
				    in->dst == 3;
		if (key_known && (op == BPFH_OP_MOV64_K || op == BPFH_OP_MOV32_K) && in->dst == 3) {
			key = (uint32_t)in->imm;
			set_at[3] = i;
			read[3] = 0;
		}
	}
	*out = inl;
	return 0;
nomem:
	free(inl);
	return -ENOMEM;
}

/* ---- what helpers do ---- */

/* hi[i], for each `call N` slot i that opts->helper_info describes: JIT_HI_* (NULL, and hi
 * untouched, when the option is not set). */
static const uint8_t *helper_infos(const struct bpfh_exec *exec,
				   const struct bpfh_exec_opts *opts, uint8_t *hi)
{
	size_t i;

	if (!OPT(opts, helper_info))
		return NULL;
	memset(hi, 0, exec->count);
	for (i = 0; i < exec->count; i++) {
		unsigned nargs, flags;

		if (exec->ops[i] != BPFH_OP_CALL ||
		    opts->helper_info(opts->resolve_ctx, (uint32_t)exec->insns[i].imm, &nargs,
				      &flags) || nargs > 5)
			continue;
		hi[i] = (uint8_t)(JIT_HI_KNOWN | nargs |
				  (flags & BPFH_HELPER_MAY_TAIL_CALL ? JIT_HI_TAIL : 0) |
				  (flags & BPFH_HELPER_MAY_CALL_BACK ? JIT_HI_CB : 0));
	}
	return hi;
}

/* ---- compilation ---- */


/* Whether the program needs no struct jit_ctx (see jit_int.h): no helper call but inlined
 * array lookups, no local call or callx, no function value (so no callback starts inside
 * it), no LD_ABS/LD_IND. */
static int is_leaf(const struct bpfh_exec *exec, const struct jit_inline_call *inl)
{
	size_t i;

	for (i = 0; i < exec->count; i++) {
		unsigned op = exec->ops[i], form = bpfh_op_info(op)->form;

		if (exec->is_func[i] || form == BPFH_FORM_CALLX || form == BPFH_FORM_LDABS ||
		    form == BPFH_FORM_LDIND)
			return 0;
		if (form == BPFH_FORM_CALL &&
		    !(op == BPFH_OP_CALL && inl && inl[i].kind == JIT_INLINE_ARRAY))
			return 0;
	}
	return exec->count > 0;
}

/* Whether a run of the program may continue in another program's code (which may use any
 * register): a tail call inlined, a helper that may ask for one (or that helper_info does not
 * describe), callx (to any helper). With also_cb, or may run callbacks (which may). */
int jit_call_may(const struct bpfh_exec *exec, const uint8_t *hinfo, size_t i, unsigned what)
{
	unsigned hi = hinfo && exec->ops[i] == BPFH_OP_CALL ? hinfo[i] : 0;

	return !(hi & JIT_HI_KNOWN) || (hi & what);
}

static int slot_may_tail_call(const struct bpfh_exec *exec, const uint8_t *hinfo,
			      const struct jit_inline_call *inl, int also_cb, size_t i)
{
	unsigned op = exec->ops[i];

	if (op != BPFH_OP_CALL && op != BPFH_OP_CALLX)
		return 0;
	if (inl && inl[i].kind == JIT_INLINE_ARRAY)
		return 0;
	if (inl && inl[i].kind == JIT_INLINE_TAIL)
		return 1;
	return jit_call_may(exec, hinfo, i, also_cb ? JIT_HI_TAIL | JIT_HI_CB : JIT_HI_TAIL);
}

static int may_tail_call(const struct bpfh_exec *exec, const uint8_t *hinfo,
			 const struct jit_inline_call *inl, int also_cb)
{
	size_t i;

	for (i = 0; i < exec->count; i++)
		if (slot_may_tail_call(exec, hinfo, inl, also_cb, i))
			return 1;
	return 0;
}

#define SAVES_STEPS (1u << 22)   /* slots walked for all functions, past which calls keep all */

/*
 * saves[i], for each local call or callx slot i: which of r6..r9 the code the call may run
 * writes (bit n - 6 for rn): the callee's slots reachable from its first until its exits,
 * the functions it calls included. All four for callx (any function), or when that code may
 * continue in another program (a tail call), or past SAVES_STEPS slots walked in all. Each
 * function is walked once (memo). 0 and NULL when the program has no local call.
 */
static int call_saves(const struct bpfh_exec *exec, const uint8_t *hinfo,
		      const struct jit_inline_call *inl, const uint16_t *def, uint8_t **out)
{
	size_t n = exec->count, i, steps = 0;
	uint32_t *stack, *seen;
	uint8_t *saves, *memo;

	*out = NULL;
	for (i = 0; i < n; i++)
		if (exec->ops[i] == BPFH_OP_CALL_LOCAL || exec->ops[i] == BPFH_OP_CALLX)
			break;
	if (i == n)
		return 0;
	saves = calloc(n, 1);
	stack = calloc(n, 2 * sizeof(uint32_t) + 1);
	if (!saves || !stack) {
		free(saves);
		free(stack);
		return -ENOMEM;
	}
	seen = stack + n;  /* seen[j] = t + 1: slot j is on the walk of function t */
	memo = (uint8_t *)(seen + n);
	memset(memo, 0xff, n);
	for (i = 0; i < n; i++) {
		unsigned op = exec->ops[i];
		int64_t t;
		size_t top = 0;
		uint8_t m = 0;

		if (op == BPFH_OP_CALLX)
			saves[i] = JIT_SAVES_ALL;
		if (op != BPFH_OP_CALL_LOCAL)
			continue;
		t = bpfh_insn_target(&exec->insns[i], i, op);
		if (t < 0 || (size_t)t >= n) {
			saves[i] = JIT_SAVES_ALL;
			continue;
		}
		if (memo[t] != 0xff) {
			saves[i] = memo[t];
			continue;
		}
		/* each slot pushed once per walk (marked when pushed): the stack holds n */
		seen[t] = (uint32_t)t + 1;
		stack[top++] = (uint32_t)t;
		while (top) {
			size_t j = stack[--top];
			int64_t next[3];
			int k;

			m |= (uint8_t)((def[j] >> 6) & JIT_SAVES_ALL);
			if (++steps > SAVES_STEPS || slot_may_tail_call(exec, hinfo, inl, 0, j)) {
				m = JIT_SAVES_ALL;
				break;
			}
			successors(exec, j, next);
			next[2] = -1;
			if (exec->ops[j] == BPFH_OP_CALL_LOCAL) { /* the callee too */
				next[2] = bpfh_insn_target(&exec->insns[j], j, exec->ops[j]);
				if (next[2] < 0 || (size_t)next[2] >= n) {
					m = JIT_SAVES_ALL;
					break;
				}
			}
			for (k = 0; k < 3; k++)
				if (next[k] >= 0 && (size_t)next[k] < n &&
				    seen[next[k]] != (uint32_t)t + 1) {
					seen[next[k]] = (uint32_t)t + 1;
					stack[top++] = (uint32_t)next[k];
				}
		}
		memo[t] = m;
		saves[i] = m;
	}
	free(stack);
	*out = saves;
	return 0;
}

BPFH_PRINTF(3, 4)
static void prep_msg(const struct bpfh_exec *exec, struct bpfh_log *log, const char *fmt, ...)
{
	va_list ap;

	bpfh_log_printf(log, "%s%sjit: ", exec->name, exec->name[0] ? ": " : "");
	va_start(ap, fmt);
	bpfh_log_vprintf(log, fmt, ap);
	va_end(ap);
	bpfh_log_printf(log, "\n");
}

/* Whether this process may make code: one page made read+write, then read+execute (a host
 * may refuse: SELinux's execmem, Windows' arbitrary code guard, a seccomp filter). Asked once
 * per process; 0, or the refusal's negative errno. */
static int jit_host_allows(void)
{
	static atomic_int answer = 1; /* 1: not asked yet */
	int a = atomic_load_explicit(&answer, memory_order_relaxed);

	if (a == 1) {
		void *p = bpfh_pages_alloc(JIT_PAGE);

		a = p ? bpfh_pages_protect_exec(p, JIT_PAGE) : -ENOMEM;
		bpfh_pages_free(p, JIT_PAGE);
		atomic_store_explicit(&answer, a, memory_order_relaxed);
	}
	return a;
}

/* Whether the JIT can run here: 0, or -ENOTSUP with *why. */
static int jit_supported(const char **why)
{
	int err = jit_arch_supported(why);

	if (!err && jit_host_allows()) {
		*why = "the host does not let this process make memory executable";
		err = -ENOTSUP;
	}
	return err;
}

int bpfh_jit_available(void)
{
	const char *why;

	return jit_supported(&why) == 0;
}

/* The perf map line of the program's code, when the options or the environment ask for it. */
static void perf_map(const struct bpfh_exec *exec, const struct bpfh_exec_opts *opts)
{
	const char *env = getenv("BPFH_PERF_MAP");
	int want = env && !strcmp(env, "1");

	if (opts && opts->sz >= offsetof(struct bpfh_exec_opts, perf_map) +
				 sizeof(opts->perf_map) && opts->perf_map)
		want = 1;
	if (want)
		bpfh_perf_map_write((uintptr_t)exec->jit_code, exec->jit_code_size,
				    exec->name[0] ? exec->name : "bpf_prog");
}

int bpfh_jit_prepare(struct bpfh_exec *exec, const struct bpfh_exec_opts *opts,
		     struct bpfh_log *log)
{
	struct jit_pass p;
	struct jit_scratch sc;
	struct jit_inline_call *inl = NULL;
	const uint8_t *hinfo;
	uint8_t *saves = NULL;
	size_t limit = JIT_CODE_LIMIT, count = exec->count, i, size;
	const char *why = NULL;
	struct code_chunk *chunk;
	void *pages;
	unsigned pass;
	int err;

	memset(&p, 0, sizeof(p));
	sc.block = NULL;
	err = jit_supported(&why);
	if (err) {
		prep_msg(exec, log, "not available on this host: %s", why);
		return err;
	}
	if (count > JIT_MAX_INSNS) {
		prep_msg(exec, log, "program of %zu instructions exceeds the JIT's limit of %d",
			 count, JIT_MAX_INSNS);
		return -E2BIG;
	}
	if (opts && opts->sz >= offsetof(struct bpfh_exec_opts, jit_code_limit) +
				 sizeof(opts->jit_code_limit) && opts->jit_code_limit)
		limit = opts->jit_code_limit;
	if (limit > JIT_CODE_MAX)
		limit = JIT_CODE_MAX;

	/* the program's: where each slot's code starts (count + 1), then each callable slot's */
	exec->jit_insn_off = malloc((2 * count + 1) * sizeof(uint32_t));
	err = -ENOMEM;
	if (!exec->jit_insn_off || scratch_alloc(&sc, count))
		goto out;
	exec->jit_func_off = exec->jit_insn_off + count + 1;
	memset(exec->jit_func_off, 0, count * sizeof(uint32_t));
	hinfo = helper_infos(exec, opts, sc.hinfo);
	analyse(exec, hinfo, &sc, &p.has_local_calls, &p.live_in, &p.regs_used);
	find_entries(exec, sc.entry, sc.loop_end);
	p.blind = want_blind(opts);
	err = find_inline_calls(exec, opts, sc.keep, sc.entry, p.blind, &inl);
	if (err)
		goto out;
	p.leaf = is_leaf(exec, inl);
	p.may_tail_call = may_tail_call(exec, hinfo, inl, 0);
	p.counts_tail_calls = may_tail_call(exec, hinfo, inl, 1);
	err = call_saves(exec, hinfo, inl, sc.def, &saves);
	if (err)
		goto out;
	p.call_saves = saves;

	p.exec = exec;
	p.entry = sc.entry;
	p.loop_end = sc.loop_end;
	p.keep = sc.keep;
	p.hinfo = hinfo;
	p.inl = inl;
	p.buf.limit = limit;
	if (OPT(opts, helpers) && opts->sz >= offsetof(struct bpfh_exec_opts, nhelpers) +
				  sizeof(opts->nhelpers)) {
		p.helpers = opts->helpers;
		p.nhelpers = opts->nhelpers;
	}
	if (p.blind)
		p.blind_seed = blind_seed(exec);
	for (pass = 0;; pass++) {
		p.buf.len = 0;
		p.nstubs = 0;
		p.nfix = 0;
		p.addr = sc.addr[pass & 1];
		p.prev = pass ? sc.addr[(pass + 1) & 1] : NULL;
		p.pad = sc.pad[pass & 1];
		p.prev_pad = sc.pad[(pass + 1) & 1];
		memset(p.pad, 0, count + 1);
		p.all_long = pass >= JIT_LONG_AFTER;
		p.pad_frozen = pass >= JIT_PAD_FREEZE;
		jit_arch_emit(&p);
		if (p.buf.err) {
			err = p.buf.err;
			if (err == -E2BIG)
				prep_msg(exec, log, "the program needs more than %zu bytes of "
					 "machine code, the limit", limit);
			goto out;
		}
		if (settled(&p))
			break;
		if (pass > JIT_LONG_AFTER) { /* cannot happen: long jumps have fixed sizes */
			prep_msg(exec, log, "the code layout did not settle");
			err = -EINVAL;
			goto out;
		}
	}
	apply_fixups(&p);

	size = JIT_CODE_PAD + p.buf.len;
	pages = code_alloc(size, &chunk);
	if (!pages) {
		err = -ENOMEM;
		goto out;
	}
	memset(pages, 0xcc, JIT_CODE_PAD);
	memcpy((uint8_t *)pages + JIT_CODE_PAD, p.buf.p, p.buf.len);
	err = bpfh_pages_protect_exec(pages, size);
	if (err) {
		code_free(chunk);
		prep_msg(exec, log, "cannot make the code executable (error %d)", err);
		goto out;
	}
	exec->jit_chunk = chunk;
	exec->jit_helpers = p.helpers;
	exec->jit_nhelpers = p.nhelpers;
	exec->jit_pages = pages;
	exec->jit_pages_size = size;
	exec->jit_code = (const uint8_t *)pages + JIT_CODE_PAD;
	exec->jit_code_size = p.buf.len;
	exec->jit_start = exec->jit_code + (p.leaf ? p.label[JIT_L_LEAF_TAIL] : p.addr[0]);
	/* its own entry, a bpfh_exec_run_fn */
	exec->run = (bpfh_exec_run_fn)(uintptr_t)(exec->jit_code +
						  p.label[p.leaf ? JIT_L_LEAF_RUN : JIT_L_MAIN]);
	for (i = 0; i < count; i++)
		if (exec->is_func[i])
			exec->jit_func_off[i] = p.addr[i];
	memcpy(exec->jit_insn_off, p.addr, (count + 1) * sizeof(uint32_t));
	perf_map(exec, opts);
	err = 0;
out:
	free(p.buf.p);
	free(p.stubs);
	free(p.stub_addr);
	free(p.fix);
	free(sc.block);
	free(inl);
	free(saves);
	return err;
}

void bpfh_jit_free(struct bpfh_exec *exec)
{
	code_free(exec->jit_chunk);
	exec->jit_chunk = NULL;
	exec->jit_pages = NULL;
	exec->jit_code = NULL;
	free(exec->jit_insn_off); /* jit_func_off too */
	exec->jit_func_off = NULL;
	exec->jit_insn_off = NULL;
}

/* ---- running ---- */


#define STACK_WORDS (BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8)

/* The C entry: callbacks, and runs whose helper table is not the one the calls were bound to
 * (refused here). bpfh_exec_run calls the other entries itself (a leaf program's, the main
 * entry); a callback never starts in a leaf program, which has no function. */
int bpfh_jit_run(const struct bpfh_exec *exec, struct bpfh_run *run, size_t start,
		 const uint64_t args[5], uint64_t *r0)
{
	uint64_t own_stack[STACK_WORDS], *stack = own_stack;
	struct jit_ctx ctx;
	jit_entry_fn entry;
	const void *at;
	int st;

	if (!jit_helpers_match(exec, run)) {
		bpfh_log_printf(run->log, "%s%sthe run's helper table is not the one the program "
				"was prepared for\n", exec->name, exec->name[0] ? ": " : "");
		return -EINVAL;
	}
	if (run->stack && run->nesting == 0)
		stack = run->stack;
	ctx.run = run;
	ctx.helpers = run->helpers;
	ctx.nhelpers = run->helpers ? run->nhelpers : 0;
	/* A local call from frame d needs d + 1 < BPFH_MAX_FRAMES, that is r10 at least two
	 * frames above the stack's bottom. */
	ctx.call_limit = (uint64_t)(uintptr_t)stack + 2 * BPFH_STACK_SIZE;
	ctx.entry_sp = 0;
	ctx.r1 = 0;
	ctx.r0 = 0;
	ctx.fault_exec = exec;
	ctx.fault_val = 0;
	ctx.fault_insn = 0;
	ctx.fault_kind = 0;
	ctx.tail_calls = run->tail_calls;
	entry = (jit_entry_fn)(uintptr_t)exec->jit_code;
	at = start ? (const void *)(exec->jit_code + exec->jit_func_off[start]) : exec->jit_start;
	st = entry(&ctx, args, at, stack + BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8);
	run->tail_calls = ctx.tail_calls;
	if (st == JIT_STATUS_OK) {
		*r0 = ctx.r0;
		return 0;
	}
	return jit_fault_status(&ctx);
}

int jit_fault_status(struct jit_ctx *ctx)
{
	struct bpfh_run *run = ctx->run;

	switch (ctx->fault_kind) {
	case JIT_FAULT_HELPER:
		bpfh_exec_fault(ctx->fault_exec, run, ctx->fault_insn,
				"call to unknown helper %llu", (unsigned long long)ctx->fault_val);
		return -ENOENT;
	case JIT_FAULT_CALLX:
		bpfh_exec_fault(ctx->fault_exec, run, ctx->fault_insn,
				"callx to 0x%llx, not a function of this program",
				(unsigned long long)ctx->fault_val);
		return -EFAULT;
	case JIT_FAULT_DEPTH:
		bpfh_exec_fault(ctx->fault_exec, run, ctx->fault_insn,
				"call depth exceeds %d frames", BPFH_MAX_FRAMES);
		return -EOVERFLOW;
	case JIT_FAULT_TAIL_ENGINE:
		bpfh_exec_fault(ctx->fault_exec, run, ctx->fault_insn,
				"tail call into a program prepared for another engine");
		return -EINVAL;
	case JIT_FAULT_ERROR:
		return run->error;
	default:
		return -EINVAL;
	}
}
