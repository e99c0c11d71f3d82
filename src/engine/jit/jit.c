// SPDX-License-Identifier: MIT
/*
 * The JIT's architecture-independent part: which registers a helper call must keep (a liveness
 * analysis of r1..r5), which bpf_map_lookup_elem calls the back end inlines (ARRAY maps known
 * at the call, when the options describe them), the code buffer and its limit, labels and
 * cold stubs, the emission passes until the layout settles, executable pages (written, then
 * flipped to read+execute, never both), and the C side of a run: the context the code works
 * in, the stack, and the interpreter's error messages for the faults the code reports.
 *
 * It does not encode instructions (the back end in x86_64/ does), check memory accesses or
 * count instructions (the checked interpreter does), or blind constants: an option to blind
 * immediates against JIT spraying (XOR with a per-program random key, undone at run time) is
 * left for later; without a verifier every program here is trusted code anyway.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jit_int.h"
#include "../../platform/platform.h"

#define JIT_CODE_LIMIT (64u << 20) /* default bytes of code per program */
#define JIT_CODE_MAX (1u << 30)    /* the most a caller may allow: 32-bit offsets reach it */
#define JIT_MAX_INSNS BPFH_MAX_INSNS
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
}

static int fits8(int64_t d)
{
	return d >= -128 && d <= 127;
}

int jit_slot_near(const struct jit_pass *p, size_t from_slot, size_t to)
{
	if (!p->prev || p->all_long)
		return 0;
	return fits8((int64_t)p->prev[to] - (int64_t)p->prev[from_slot + 1]);
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
		near = fits8((int64_t)p->addr[f->target] - (int64_t)p->addr[f->from + 1]);
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

/* ---- liveness of r1..r5 after helper calls ---- */

#define REGS_ARGS 0x3eu  /* r1..r5 */
#define REGS_ALL 0x7ffu

/* Registers slot i reads and writes, for the analysis: conservative where unsure (a local call
 * or callx reads everything, and an exit reads r1..r5 when it may return to a caller). */
static void uses_defs(const struct bpfh_exec *exec, size_t i, int has_local, unsigned *use,
		      unsigned *def)
{
	const struct bpfh_insn *in = &exec->insns[i];
	unsigned op = exec->ops[i];
	unsigned d = 1u << in->dst, s = 1u << in->src;

	*use = 0;
	*def = 0;
	switch (bpfh_op_info(op)->form) {
	case BPFH_FORM_ALU_K:
		*use = (op == BPFH_OP_MOV64_K || op == BPFH_OP_MOV32_K) ? 0 : d;
		*def = d;
		break;
	case BPFH_FORM_ALU_X:
		*use = (op == BPFH_OP_MOV64_X || op == BPFH_OP_MOV32_X) ? s : d | s;
		*def = d;
		break;
	case BPFH_FORM_NEG:
	case BPFH_FORM_END:
		*use = d;
		*def = d;
		break;
	case BPFH_FORM_MOVSX:
	case BPFH_FORM_LDX:
		*use = s;
		*def = d;
		break;
	case BPFH_FORM_JMP_K:
	case BPFH_FORM_ST:
		*use = d;
		break;
	case BPFH_FORM_JMP_X:
	case BPFH_FORM_STX:
		*use = d | s;
		break;
	case BPFH_FORM_ATOMIC:
		*use = d | s;
		if (op == BPFH_OP_ACMPXCHG64 || op == BPFH_OP_ACMPXCHG32) {
			*use |= 1;
			*def = 1;
		} else if (in->imm & 0x01) { /* BPF_FETCH */
			*def = s;
		}
		break;
	case BPFH_FORM_CALL:
		if (op == BPFH_OP_CALL) {
			*use = REGS_ARGS;
			*def = 1;
		} else {
			*use = REGS_ALL;
		}
		break;
	case BPFH_FORM_CALLX:
		*use = REGS_ALL;
		break;
	case BPFH_FORM_EXIT:
		*use = has_local ? REGS_ALL : 1;
		break;
	case BPFH_FORM_LDDW:
		*def = d;
		break;
	case BPFH_FORM_LDABS:
		*def = 1;
		break;
	case BPFH_FORM_LDIND:
		*use = s;
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
 * settle in a few dozen sweeps keeps all five at every call.
 */
static int analyse(const struct bpfh_exec *exec, uint8_t *keep, int *has_local)
{
	uint16_t *live;
	unsigned *use, *def;
	size_t i, n = exec->count;
	int changed = 1, sweeps;

	*has_local = 0;
	for (i = 0; i < n; i++)
		if (exec->ops[i] == BPFH_OP_CALL_LOCAL || exec->ops[i] == BPFH_OP_CALLX)
			*has_local = 1;
	live = calloc(n + 1, sizeof(*live));
	use = malloc((n ? n : 1) * sizeof(*use));
	def = malloc((n ? n : 1) * sizeof(*def));
	if (!live || !use || !def) {
		free(live);
		free(use);
		free(def);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		uses_defs(exec, i, *has_local, &use[i], &def[i]);
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
	if (changed) /* did not settle: keep everything */
		for (i = 0; i < n; i++)
			keep[i] = REGS_ARGS >> 1;
	free(live);
	free(use);
	free(def);
	return 0;
}

/* ---- inline array lookups ---- */

/*
 * alook[i], for each `call 1` (bpf_map_lookup_elem) slot i where r1 provably holds a map that
 * opts->array_layout describes as an ARRAY: its layout, so that the back end indexes the
 * values itself. A forward scan of each basic block, conservative: r1 is known only from an
 * lddw of a map (src 1 or 5) in the same block with no write to r1 and no call, exit or
 * jump in between; every jump target and function entry starts with r1 unknown. *out stays
 * NULL when nothing is inlined.
 */
static int find_array_lookups(const struct bpfh_exec *exec, const struct bpfh_exec_opts *opts,
			      struct jit_array_lookup **out)
{
	struct jit_array_lookup *al = NULL;
	uint8_t *entry;
	size_t i, n = exec->count;
	uint64_t map = 0;
	int known = 0, any = 0;

	*out = NULL;
	if (!opts || opts->sz < offsetof(struct bpfh_exec_opts, array_layout) +
				sizeof(opts->array_layout) || !opts->array_layout)
		return 0;
	for (i = 0; i < n && !any; i++)
		any = exec->ops[i] == BPFH_OP_CALL && exec->insns[i].imm == 1;
	if (!any)
		return 0;
	entry = calloc(n, 1);
	if (!entry)
		return -ENOMEM;
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
	}
	for (i = 0; i < n; i++) {
		const struct bpfh_insn *in = &exec->insns[i];
		unsigned op = exec->ops[i], form = bpfh_op_info(op)->form, use, def;

		if (entry[i])
			known = 0;
		if (form == BPFH_FORM_LDDW) {
			if (in->dst == 1) {
				known = op == BPFH_OP_LDDW_MAP_FD || op == BPFH_OP_LDDW_MAP_IDX;
				map = (uint64_t)(uint32_t)in[0].imm |
				      (uint64_t)(uint32_t)in[1].imm << 32;
			}
			i++; /* the second slot (no jump lands there: the decoder refuses it) */
			if (i < n && entry[i])
				known = 0;
			continue;
		}
		if (op == BPFH_OP_CALL && in->imm == 1 && known) {
			void *base;
			uint32_t stride, max;

			if (!opts->array_layout(opts->resolve_ctx, map, &base, &stride, &max) &&
			    stride <= INT32_MAX) {
				if (!al) {
					al = calloc(n, sizeof(*al));
					if (!al) {
						free(entry);
						return -ENOMEM;
					}
				}
				al[i].base = (uint64_t)(uintptr_t)base;
				al[i].stride = stride;
				al[i].max = max;
				al[i].on = 1;
			}
		}
		uses_defs(exec, i, 0, &use, &def);
		if ((def & 2u) || form == BPFH_FORM_CALL || form == BPFH_FORM_CALLX ||
		    form == BPFH_FORM_EXIT || form == BPFH_FORM_JA || form == BPFH_FORM_JA32 ||
		    form == BPFH_FORM_NONE)
			known = 0;
	}
	free(entry);
	*out = al;
	return 0;
}

/* ---- compilation ---- */

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

int bpfh_jit_available(void)
{
	const char *why;

	return jit_arch_supported(&why) == 0;
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
	uint32_t *addr[2] = { NULL, NULL };
	uint8_t *keep = NULL;
	struct jit_array_lookup *alook = NULL;
	size_t limit = JIT_CODE_LIMIT, count = exec->count, i, size;
	const char *why = NULL;
	void *pages;
	unsigned pass;
	int err;

	memset(&p, 0, sizeof(p));
	err = jit_arch_supported(&why);
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

	keep = calloc(count ? count : 1, 1);
	addr[0] = malloc((count + 1) * sizeof(uint32_t));
	addr[1] = malloc((count + 1) * sizeof(uint32_t));
	exec->jit_func_off = calloc(count ? count : 1, sizeof(uint32_t));
	exec->jit_insn_off = malloc((count + 1) * sizeof(uint32_t));
	err = -ENOMEM;
	if (!keep || !addr[0] || !addr[1] || !exec->jit_func_off || !exec->jit_insn_off)
		goto out;
	err = analyse(exec, keep, &p.has_local_calls);
	if (err)
		goto out;
	err = find_array_lookups(exec, opts, &alook);
	if (err)
		goto out;

	p.exec = exec;
	p.keep = keep;
	p.alook = alook;
	p.buf.limit = limit;
	for (pass = 0;; pass++) {
		p.buf.len = 0;
		p.nstubs = 0;
		p.nfix = 0;
		p.addr = addr[pass & 1];
		p.prev = pass ? addr[(pass + 1) & 1] : NULL;
		p.all_long = pass >= JIT_LONG_AFTER;
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
	pages = bpfh_pages_alloc(size);
	if (!pages) {
		err = -ENOMEM;
		goto out;
	}
	memset(pages, 0xcc, JIT_CODE_PAD);
	memcpy((uint8_t *)pages + JIT_CODE_PAD, p.buf.p, p.buf.len);
	err = bpfh_pages_protect_exec(pages, size);
	if (err) {
		bpfh_pages_free(pages, size);
		prep_msg(exec, log, "cannot make the code executable (error %d)", err);
		goto out;
	}
	exec->jit_pages = pages;
	exec->jit_pages_size = size;
	exec->jit_code = (const uint8_t *)pages + JIT_CODE_PAD;
	exec->jit_code_size = p.buf.len;
	exec->jit_start = exec->jit_code + p.addr[0];
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
	free(addr[0]);
	free(addr[1]);
	free(keep);
	free(alook);
	return err;
}

void bpfh_jit_free(struct bpfh_exec *exec)
{
	bpfh_pages_free(exec->jit_pages, exec->jit_pages_size);
	exec->jit_pages = NULL;
	exec->jit_code = NULL;
	free(exec->jit_func_off);
	exec->jit_func_off = NULL;
	free(exec->jit_insn_off);
	exec->jit_insn_off = NULL;
}

/* ---- running ---- */


int bpfh_jit_run(const struct bpfh_exec *exec, struct bpfh_run *run, size_t start,
		 const uint64_t args[5], uint64_t *r0)
{
	uint64_t own_stack[BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8], *stack = own_stack;
	struct jit_ctx ctx;
	jit_entry_fn entry;
	const void *at;
	int st;

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
	entry = (jit_entry_fn)(uintptr_t)exec->jit_code;
	at = start ? (const void *)(exec->jit_code + exec->jit_func_off[start]) : exec->jit_start;
	st = entry(&ctx, args, at, stack + BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8);
	if (st == JIT_STATUS_OK) {
		*r0 = ctx.r0;
		return 0;
	}
	switch (ctx.fault_kind) {
	case JIT_FAULT_HELPER:
		bpfh_exec_fault(ctx.fault_exec, run, ctx.fault_insn, "call to unknown helper %llu",
		      (unsigned long long)ctx.fault_val);
		return -ENOENT;
	case JIT_FAULT_CALLX:
		bpfh_exec_fault(ctx.fault_exec, run, ctx.fault_insn,
		      "callx to 0x%llx, not a function of this program",
		      (unsigned long long)ctx.fault_val);
		return -EFAULT;
	case JIT_FAULT_DEPTH:
		bpfh_exec_fault(ctx.fault_exec, run, ctx.fault_insn, "call depth exceeds %d frames",
		      BPFH_MAX_FRAMES);
		return -EOVERFLOW;
	case JIT_FAULT_TAIL_ENGINE:
		bpfh_exec_fault(ctx.fault_exec, run, ctx.fault_insn,
		      "tail call into a program prepared for another engine");
		return -EINVAL;
	case JIT_FAULT_ERROR:
		return run->error;
	default:
		return -EINVAL;
	}
}
