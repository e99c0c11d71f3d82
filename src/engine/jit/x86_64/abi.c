// SPDX-License-Identifier: MIT
/*
 * The calling-convention layer of the x86-64 JIT: the entries that C calls (prologue,
 * arguments, epilogue) and the helper-call sequence, written once against the description of
 * the host's convention in x86_abi (abi_sysv.c on System V hosts, abi_win64.c on Windows):
 * where each BPF register lives, C's argument registers, the callee-saved registers, the
 * shadow space and whether the stack grows a page at a time. r1..r4 (r1..r5 on System V) sit
 * in C's first argument registers, so a helper call moves nothing but what the convention
 * puts on the stack; r6..r10 and the context pointer sit in callee-saved registers, so
 * helpers keep them.
 *
 * This file does not lower BPF instructions (lower.c) or encode them (emit.c).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "x86.h"

#define NSAVED_MAX (sizeof(x86_abi.saved) / sizeof(x86_abi.saved[0]))

/* The main entry's context, on the native stack below the saves: a multiple of 16 bytes, so
 * the alignment below holds. */
#define CTX_FRAME ((int32_t)((sizeof(struct jit_ctx) + 15) / 16 * 16))
#define STACK_BYTES ((int32_t)(BPFH_MAX_FRAMES * BPFH_STACK_SIZE))
#define PAGE ((int32_t)JIT_PAGE)

/* rsp -= bytes; where the stack grows a page at a time (x86_abi.probe), a page at most
 * between two touches of the new bottom, so that each lands on the guard page at the
 * furthest. */
static void stack_reserve(struct jit_buf *b, int32_t bytes)
{
	while (x86_abi.probe && bytes > PAGE) {
		x86_alu_ri(b, 1, X86_SUB, X86_RSP, PAGE);
		x86_alu_mi(b, 1, X86_OR, X86_RSP, 0, 0);
		bytes -= PAGE;
	}
	x86_alu_ri(b, 1, X86_SUB, X86_RSP, bytes);
	if (x86_abi.probe)
		x86_alu_mi(b, 1, X86_OR, X86_RSP, 0, 0);
}

/* What both entries do before the call into slot code (ctx set, r1..r5 and r10 in place):
 * the unwinding point (the return address the call is about to push), r0 and r6..r9 zeroed
 * (those the entry saved, the others untouched),
 * the call; then the short jump over the fault continuation, which the fault exit's return
 * lands on (X86_FAULT_SKIP bytes further). Returns the short jump's position, to land on
 * the normal continuation. The call is made with rsp 8 bytes off a 16-byte boundary, so
 * that slot code runs with rsp 16-byte aligned, as a call needs. */
static size_t call_slot_code(struct jit_pass *p, int indirect, const uint8_t *save, size_t nsave)
{
	struct jit_buf *b = &p->buf;
	const uint8_t *R = x86_abi.reg;
	size_t ok;
	int i;

	x86_lea(b, x86_abi.t2, X86_RSP, -8);
	x86_store(b, 1, x86_abi.ctx, CTX_OFF(entry_sp), x86_abi.t2);
	x86_mov_imm(b, R[0], 0);
	for (i = 6; i <= 9; i++)
		if (memchr(save, R[i], nsave)) /* else the program does not name it */
			x86_mov_imm(b, R[i], 0);
	if (indirect) {
		x86_call_r(b, x86_abi.t1);
	} else {
		x86_call32(b, 0);
		jit_fixup(p, JIT_FIX_CALL, 4, 0, 0);
	}
	ok = x86_jcc8_fwd(b, -1);
	if (jit_pos(b) - (ok - 1) != X86_FAULT_SKIP && !b->err)
		b->err = -EINVAL; /* cannot happen: jmp rel8 is two bytes */
	return ok;
}

void x86_abi_entry(struct jit_pass *p)
{
	struct jit_buf *b = &p->buf;
	const uint8_t *R = x86_abi.reg, *A = x86_abi.arg;
	size_t i, ok, fault;

	/* every callee-saved register (after an even number of pushes, rsp is 8 off a 16-byte
	 * boundary, as call_slot_code wants: 8 more after an odd number) */
	for (i = 0; i < x86_abi.nsaved; i++)
		x86_push(b, x86_abi.saved[i]);
	if (x86_abi.nsaved % 2)
		x86_alu_ri(b, 1, X86_SUB, X86_RSP, 8);
	/* ctx, args, start, stack top */
	x86_mov_rr(b, 1, x86_abi.ctx, A[0]);
	x86_mov_rr(b, 1, x86_abi.t1, A[2]);
	x86_mov_rr(b, 1, x86_abi.t2, A[1]);
	x86_mov_rr(b, 1, R[10], A[3]);
	for (i = 1; i <= 5; i++)
		x86_load(b, 1, R[i], x86_abi.t2, (int32_t)(8 * (i - 1)));
	ok = call_slot_code(p, 1, x86_abi.saved, x86_abi.nsaved);
	fault = x86_jcc8_fwd(b, -1); /* eax is JIT_STATUS_FAULT */
	x86_land8(b, ok);
	x86_store(b, 1, x86_abi.ctx, CTX_OFF(r0), R[0]);
	x86_mov_imm(b, X86_RAX, JIT_STATUS_OK);
	x86_land8(b, fault);
	if (x86_abi.nsaved % 2)
		x86_alu_ri(b, 1, X86_ADD, X86_RSP, 8);
	for (i = x86_abi.nsaved; i-- > 0;)
		x86_pop(b, x86_abi.saved[i]);
	x86_ret(b);
}

/* Whether x86 register r is one C's callee must keep. */
static int callee_saved(int r)
{
	return memchr(x86_abi.saved, r, x86_abi.nsaved) != NULL;
}

/* The callee-saved registers the main entry saves, in push order: all of them when the run
 * may go on in another program (a tail call), else the context's, t3 (where it is
 * callee-saved: divisions and atomics use it) and those of r0..r10 the program names (r10
 * also for local calls, which move it). Returns how many. */
static size_t main_saves(const struct jit_pass *p, uint8_t out[NSAVED_MAX])
{
	size_t i, n = 0;

	for (i = 0; i < x86_abi.nsaved; i++) {
		int reg = x86_abi.saved[i], r;
		int need = p->may_tail_call || reg == x86_abi.ctx || reg == x86_abi.t3;

		for (r = 0; r <= 10 && !need; r++)
			need = x86_abi.reg[r] == reg &&
			       ((p->regs_used & (1u << r)) || (r == 10 && p->has_local_calls));
		if (need)
			out[n++] = (uint8_t)reg;
	}
	return n;
}

/* r1..r5 from run->args, the one in the register that holds the run last: only those the
 * program reads before writing, unless it may tail-call (the target then sees them all, as
 * on the interpreter). */
static void load_args(struct jit_pass *p, int run)
{
	const uint8_t *R = x86_abi.reg;
	int r, last;

	for (last = 0; last <= 1; last++)
		for (r = 1; r <= 5; r++)
			if ((p->may_tail_call || (p->live_in & (1u << r))) &&
			    (R[r] == run) == last)
				x86_load(&p->buf, 1, R[r], run, RUN_OFF(args) + 8 * (r - 1));
}

void x86_abi_main_entry(struct jit_pass *p)
{
	struct jit_buf *b = &p->buf;
	const uint8_t *R = x86_abi.reg;
	/* bpfh_exec_run's arguments */
	const int exec = x86_abi.arg[0], run = x86_abi.arg[1], r0_out = x86_abi.arg[2];
	const int ctx = x86_abi.ctx, t1 = x86_abi.t1, t2 = x86_abi.t2;
	uint8_t save[NSAVED_MAX];
	size_t nsave = main_saves(p, save), i, own, join, ok, done, refuse[2] = { 0, 0 };
	/* the context's frame, 8 more after an odd number of saves (rsp must be 8 off a
	 * 16-byte boundary before the call into slot code) */
	int32_t frame = CTX_FRAME + (nsave % 2 ? 8 : 0);
	int stack = p->may_tail_call || p->has_local_calls || (p->regs_used & (1u << 10));

	p->label[JIT_L_MAIN] = (uint32_t)jit_pos(b);
	if (p->helpers) { /* calls bound to a table: the run must give it, else the C way */
		x86_movabs(b, t2, (uint64_t)(uintptr_t)p->helpers);
		x86_rm(b, X86_W, 0x39, t2, run, RUN_OFF(helpers)); /* cmp */
		refuse[0] = x86_jcc32_fwd(b, X86_CC_NE);
		x86_movabs(b, t2, (uint64_t)p->nhelpers);
		x86_rm(b, X86_W, 0x39, t2, run, RUN_OFF(nhelpers));
		refuse[1] = x86_jcc32_fwd(b, X86_CC_NE);
	}
	for (i = 0; i < nsave; i++)
		x86_push(b, save[i]);
	x86_alu_ri(b, 1, X86_SUB, X86_RSP, frame);
	x86_mov_rr(b, 1, ctx, X86_RSP);
	x86_store(b, 1, ctx, CTX_OFF(run), run);
	x86_store(b, 1, ctx, CTX_OFF(r0_out), r0_out);
	/* the run's bookkeeping for helpers, as exec.c's way sets it */
	x86_store(b, 1, run, RUN_OFF(current), exec);
	x86_rm(b, X86_W, 0xc7, 0, run, RUN_OFF(tail_next));
	jit_emit32(b, 0);
	x86_rm(b, 0, 0xc7, 0, run, RUN_OFF(tail_calls));
	jit_emit32(b, 0);
	x86_rm(b, 0, 0xc7, 0, run, RUN_OFF(error));
	jit_emit32(b, 0);
	x86_rm(b, 0, 0xc7, 0, run, RUN_OFF(nesting));
	jit_emit32(b, 0);
	if (p->counts_tail_calls) { /* the count, run->tail_calls (0) while the code runs */
		x86_rm(b, 0, 0xc7, 0, ctx, CTX_OFF(tail_calls));
		jit_emit32(b, 0);
	}
	/* The run's table (none: nhelpers 0), where calls look it up: this program's unless
	 * they are bound, a tail call's target's (which may not be) if it may tail-call. */
	if (!p->helpers || p->may_tail_call) {
		x86_load(b, 1, t1, run, RUN_OFF(helpers));
		x86_load(b, 1, t2, run, RUN_OFF(nhelpers));
		x86_alu_rr(b, 1, 0x85, t1, t1);        /* test */
		x86_rr(b, X86_W, 0x0f44, t2, t1);      /* cmove t2, t1 (0) */
		x86_store(b, 1, ctx, CTX_OFF(helpers), t1);
		x86_store(b, 1, ctx, CTX_OFF(nhelpers), t2);
	}
	if (stack) {
		/* r10: the top of the run's stack, or of 8 frames reserved here below the
		 * context */
		x86_load(b, 1, R[10], run, RUN_OFF(stack));
		x86_alu_rr(b, 1, 0x85, R[10], R[10]);
		own = x86_jcc8_fwd(b, X86_CC_E);
		x86_alu_ri(b, 1, X86_ADD, R[10], STACK_BYTES);
		join = x86_jcc32_fwd(b, -1);
		x86_land8(b, own);
		stack_reserve(b, STACK_BYTES);
		x86_mov_rr(b, 1, R[10], ctx);
		x86_land32(b, join);
		/* a local call from frame d needs d + 1 < BPFH_MAX_FRAMES: r10 two frames above
		 * the stack's bottom */
		x86_lea(b, t1, R[10], -(STACK_BYTES - 2 * (int32_t)BPFH_STACK_SIZE));
		x86_store(b, 1, ctx, CTX_OFF(call_limit), t1);
	}
	load_args(p, run);
	ok = call_slot_code(p, 0, save, nsave);
	/* a fault: the run's error (and its log line) from the context, r0 = 0 */
	x86_alu_ri(b, 1, X86_SUB, X86_RSP, 8 + x86_abi.shadow);
	x86_mov_rr(b, 1, x86_abi.arg[0], ctx);
	x86_movabs(b, t2, (uint64_t)(uintptr_t)&jit_fault_status);
	x86_call_r(b, t2); /* eax: the error */
	x86_load(b, 1, t2, ctx, CTX_OFF(r0_out));
	x86_rm(b, X86_W, 0xc7, 0, t2, 0); /* *r0 = 0 */
	jit_emit32(b, 0);
	done = x86_jcc8_fwd(b, -1);
	x86_land8(b, ok);
	x86_load(b, 1, t2, ctx, CTX_OFF(r0_out));
	x86_store(b, 1, t2, 0, R[0]);
	x86_mov_imm(b, X86_RAX, 0);
	x86_land8(b, done);
	if (p->counts_tail_calls) { /* the count back in the run */
		x86_load(b, 1, t2, ctx, CTX_OFF(run));
		x86_load(b, 0, t1, ctx, CTX_OFF(tail_calls));
		x86_store(b, 0, t2, RUN_OFF(tail_calls), t1);
	}
	x86_lea(b, X86_RSP, ctx, frame);
	for (i = nsave; i-- > 0;)
		x86_pop(b, save[i]);
	x86_ret(b);
	if (p->helpers) {
		x86_land32(b, refuse[0]);
		x86_land32(b, refuse[1]);
		x86_movabs(b, t2, (uint64_t)(uintptr_t)&bpfh_exec_run_c);
		x86_rr(b, 0, 0xff, 4, t2); /* jmp t2: bpfh_exec_run_c(exec, run, r0) */
	}
}

/* What a leaf program's entries save and its exits restore: the callee-saved registers of
 * r0..r10 the program names, and t3 where it is callee-saved (it holds where r0 goes). */
static void leaf_saves(struct jit_pass *p, int pop)
{
	int order[BPFH_REG_COUNT + 1], n = 0, r, k;

	for (r = 0; r <= 10; r++)
		if ((p->regs_used & (1u << r)) && callee_saved(x86_abi.reg[r]))
			order[n++] = x86_abi.reg[r];
	if (callee_saved(x86_abi.t3))
		order[n++] = x86_abi.t3;
	for (k = 0; k < n; k++) {
		if (pop)
			x86_pop(&p->buf, order[n - 1 - k]);
		else
			x86_push(&p->buf, order[k]);
	}
}

/* Whether the program's code uses t3: divisions keep rdx there, the atomics' loops r0.
 * Where it does not, t3 keeps where the exits store r0 through the run. */
static int uses_t3(const struct bpfh_exec *exec)
{
	size_t i;

	for (i = 0; i < exec->count; i++) {
		const struct bpfh_op_info *info = bpfh_op_info(exec->ops[i]);
		unsigned cls = BPFH_CLASS(info->code), alu = info->code & 0xf0;

		if (info->form == BPFH_FORM_ATOMIC ||
		    ((cls == BPFH_CLASS_ALU || cls == BPFH_CLASS_ALU64) &&
		     (alu == 0x30 || alu == 0x90))) /* div, mod */
			return 1;
	}
	return 0;
}

/* Only the registers the program reads before writing are set (r1..r5 are the arguments). */
static void leaf_zero_live_in(struct jit_pass *p)
{
	int r;

	for (r = 0; r <= 9; r++)
		if ((r == 0 || r >= 6) && (p->live_in & (1u << r)))
			x86_mov_imm(&p->buf, x86_abi.reg[r], 0);
}

/* bpfh_exec_run's way in (after the saves and t3): the frame where the program uses r10, the
 * top of the run's stack when it gives one, else BPFH_STACK_SIZE bytes of the native stack
 * (reserved either way, as the exits release them); then r1..r5 from run->args, only those
 * the program reads before writing. */
static void leaf_run_args(struct jit_pass *p)
{
	struct jit_buf *b = &p->buf;
	const uint8_t *R = x86_abi.reg;
	const int run = x86_abi.arg[1], t2 = x86_abi.t2;
	size_t own;

	if (p->regs_used & (1u << 10)) {
		x86_mov_rr(b, 1, R[10], X86_RSP);
		x86_load(b, 1, t2, run, RUN_OFF(stack));
		x86_alu_rr(b, 1, 0x85, t2, t2); /* test */
		own = x86_jcc8_fwd(b, X86_CC_E);
		x86_lea(b, R[10], t2, STACK_BYTES);
		x86_land8(b, own);
		x86_alu_ri(b, 1, X86_SUB, X86_RSP, BPFH_STACK_SIZE);
	}
	load_args(p, run);
}

/* Two ways in, each saving what the exits restore (leaf_saves, t3 again where the code uses
 * it, BPFH_STACK_SIZE bytes of the native stack where it uses r10), with t3 where the exits
 * store r0:
 * - the tail-call arrival (label JIT_L_LEAF_TAIL, the program's jit_start): registers as the
 *   caller left them (r10 the caller's frame), as after any tail call. It returns r0, so it
 *   calls the rest of the program with t3 at a word of its own, and returns what the exit
 *   stored there.
 * - the run entry (JIT_L_LEAF_RUN: bpfh_exec_run's own arguments, t3 its third), which
 *   falls into slot 0.
 * No context: a leaf program never reaches for it. */
void x86_abi_leaf_entry(struct jit_pass *p)
{
	struct jit_buf *b = &p->buf;
	const int t3 = x86_abi.t3;

	if (uses_t3(p->exec))
		p->arch_flags |= X86_LEAF_PUSH_T3;
	p->label[JIT_L_LEAF_TAIL] = (uint32_t)jit_pos(b);
	x86_push(b, X86_RAX); /* the word for r0 */
	x86_mov_rr(b, 1, t3, X86_RSP);
	x86_call32(b, (uint32_t)jit_pos(b) + 5 + 2); /* over the pop and ret */
	x86_pop(b, X86_RAX);
	x86_ret(b);
	leaf_saves(p, 0);
	if (p->arch_flags & X86_LEAF_PUSH_T3)
		x86_push(b, t3);
	if (p->regs_used & (1u << 10))
		x86_alu_ri(b, 1, X86_SUB, X86_RSP, BPFH_STACK_SIZE);
	x86_jmp32(b, 0);
	jit_fixup(p, JIT_FIX_CALL, 4, 0, 0);
	p->label[JIT_L_LEAF_RUN] = (uint32_t)jit_pos(b);
	leaf_saves(p, 0);
	x86_mov_rr(b, 1, t3, x86_abi.arg[2]); /* where r0 goes */
	if (p->arch_flags & X86_LEAF_PUSH_T3)
		x86_push(b, t3);
	leaf_run_args(p);
	leaf_zero_live_in(p);
}

void x86_abi_leaf_exit(struct jit_pass *p)
{
	struct jit_buf *b = &p->buf;

	if (p->regs_used & (1u << 10))
		x86_alu_ri(b, 1, X86_ADD, X86_RSP, BPFH_STACK_SIZE);
	if (p->arch_flags & X86_LEAF_PUSH_T3)
		x86_pop(b, x86_abi.t3);
	x86_store(b, 1, x86_abi.t3, 0, X86_RAX);
	x86_mov_imm(b, X86_RAX, 0);
	leaf_saves(p, 1);
	x86_ret(b);
}

/* The helper's arguments: r1..r5 and the run, the first x86_abi.nargs in C's argument
 * registers (where the register map already puts r1..r4, and r5 on System V), the others on
 * the stack above the shadow space. */
void x86_abi_helper_call(struct jit_pass *p, int fn, unsigned keep, int record_r1)
{
	struct jit_buf *b = &p->buf;
	const uint8_t *R = x86_abi.reg;
	unsigned n = 0, i, nstack = 6 - x86_abi.nargs;
	int32_t frame = (int32_t)(x86_abi.shadow + 8 * nstack);

	if (record_r1)
		x86_store(b, 1, x86_abi.ctx, CTX_OFF(r1), R[1]);
	for (i = 1; i <= 5; i++) {
		if (keep & (1u << (i - 1))) {
			x86_push(b, R[i]);
			n++;
		}
	}
	if ((8 * n + (unsigned)frame) % 16)
		frame += 8;
	if (frame)
		x86_alu_ri(b, 1, X86_SUB, X86_RSP, frame);
	if (x86_abi.nargs >= 6) {
		x86_load(b, 1, x86_abi.arg[5], x86_abi.ctx, CTX_OFF(run));
	} else { /* rax (r0, which the call sets) carries the run to its slot */
		if (x86_abi.nargs < 5)
			x86_store(b, 1, X86_RSP, (int32_t)x86_abi.shadow, R[5]);
		x86_load(b, 1, X86_RAX, x86_abi.ctx, CTX_OFF(run));
		x86_store(b, 1, X86_RSP, (int32_t)(x86_abi.shadow + 8 * (nstack - 1)), X86_RAX);
	}
	x86_call_r(b, fn);
	if (frame)
		x86_alu_ri(b, 1, X86_ADD, X86_RSP, frame);
	for (i = 5; i >= 1; i--)
		if (keep & (1u << (i - 1)))
			x86_pop(b, R[i]);
}
