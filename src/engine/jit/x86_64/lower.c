// SPDX-License-Identifier: MIT
/*
 * The x86-64 lowering of every instruction of the opcode table, with interp_body.h's semantics:
 * 32-bit results zero-extended; division by zero gives 0 and modulo by zero keeps the dividend
 * (truncated to 32 bits for the 32-bit forms); signed INT_MIN / -1 gives INT_MIN and
 * INT_MIN % -1 gives 0, both tested before the divide so the hardware never traps; shift counts
 * masked to the operand width (as x86 masks them); helper calls through the run's table (or
 * straight to the helper, with a table bound at compile time), with the interpreter's faults
 * and a tail call continuing in the target program's code in the same frame (inline on a known
 * PROG_ARRAY: bounds, slot, the 33-call limit, then a jump); local calls with their own 512
 * bytes of stack and the 8-frame limit; LD_ABS/LD_IND ending the run with r0 = 0 when out of
 * the packet. Also the common code (the fault and tail call exits), made once per process
 * with the entry (emit_head), and the cold stubs. Register assignments and the entries come
 * from the ABI layer.
 * With constant blinding, every immediate of an ALU, jump, store, LD_ABS/LD_IND or lddw
 * instruction goes through blind_imm32/blind_imm64 (imm ^ key in the code, xor key after).
 * A few sequences take less than one x86 instruction per slot where no jump lands between
 * their slots (p->entry): `rd = rs; rd += imm; rd += rx` (any two or all three) is one lea, not
 * blinded only; the shift-and-or of a rotate (`a = x; a <<= k; b = x; b >>= w - k; a |= b`)
 * is one rol; a 16-bit byte swap right after a 16-bit load of the same register skips its
 * zero extension; mul by 0, 1, 3, 5, 9 or a power of two is a move, nothing, an lea or a
 * shift. Loops of up to 64 bytes start where they fit in one 64-byte line, larger
 * ones on a 16-byte boundary (multi-byte nops before the head, from the previous pass's size);
 * slot 0 of a program that is not a leaf, where tail calls arrive, starts a 64-byte line (a
 * chain of tail calls is a loop through it: 1.10 to 1.03 ns per tail call in make bench).
 * A `ja` back to a loop's head that is a conditional jump does that test itself, inverted (one
 * jump per round instead of two), where immediates are not blinded. Where nothing else reads
 * them, the lddw of r2 and the `r3 = imm` of an inlined tail call with a constant index are
 * left out (jit.c marks them dead), the slot's address then a constant.
 *
 * It does not check memory accesses or count instructions (run a program on the checked
 * interpreter for that), and does not support kfunc calls (refused before it runs).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "x86.h"

#define R(n) ((int)x86_abi.reg[n])
#define T1 ((int)x86_abi.t1)
#define T2 ((int)x86_abi.t2)
#define T3 ((int)x86_abi.t3)
#define CTX ((int)x86_abi.ctx)

/* The code compares these as 32-bit words. */
_Static_assert(sizeof(enum bpfh_engine) == 4, "enum bpfh_engine is not 32 bits");
_Static_assert(sizeof(((struct bpfh_run *)0)->error) == 4, "run->error is not 32 bits");
_Static_assert(sizeof(((struct bpfh_run *)0)->tail_calls) == 4, "run->tail_calls is not 32 bits");

/* Opcodes of "op r/m, reg" for the BPF operations that have one. */
#define OPC_ADD 0x01
#define OPC_OR 0x09
#define OPC_AND 0x21
#define OPC_SUB 0x29
#define OPC_XOR 0x31
#define OPC_CMP 0x39
#define OPC_TEST 0x85
#define OPC_CMP_RM 0x3b /* cmp reg, r/m */

int jit_arch_supported(const char **why)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	*why = NULL; /* System V or Windows x64 (x86_abi) */
	return 0;
#else
	*why = "the JIT has an x86-64 back end only (arm64 is to come)";
	return -ENOTSUP;
#endif
}

/* ---- stubs ---- */

static void jcc_stub(struct jit_pass *p, int cc, size_t k)
{
	x86_jcc32(&p->buf, cc, 0);
	jit_fixup(p, JIT_FIX_STUB, 4, k, 0);
}

static void jcc_fault(struct jit_pass *p, int cc, size_t insn, unsigned kind, unsigned reg,
		      uint64_t val)
{
	struct jit_stub s = { JIT_STUB_FAULT, (uint8_t)kind, (uint8_t)reg, (uint32_t)insn, val };

	jcc_stub(p, cc, jit_stub_add(p, &s));
}

static void emit_stub(struct jit_pass *p, const struct jit_stub *s)
{
	struct jit_buf *b = &p->buf;

	x86_rm(b, 0, 0xc7, 0, CTX, CTX_OFF(fault_insn));
	jit_emit32(b, s->insn);
	if (s->kind == JIT_STUB_TAIL) {
		x86_jmp32(b, p->label[JIT_L_TAIL]);
		return;
	}
	x86_rm(b, 0, 0xc7, 0, CTX, CTX_OFF(fault_kind));
	jit_emit32(b, s->fault);
	if (s->reg != JIT_STUB_NOREG) {
		x86_store(b, 1, CTX, CTX_OFF(fault_val), R(s->reg));
	} else if (s->fault == JIT_FAULT_HELPER || s->fault == JIT_FAULT_CALLX) {
		x86_mov_imm(b, T2, s->val);
		x86_store(b, 1, CTX, CTX_OFF(fault_val), T2);
	}
	x86_jmp32(b, p->label[JIT_L_FAULT]);
}

/* ---- common code ---- */

static void set_kind_and_fault(struct jit_pass *p, unsigned kind)
{
	x86_rm(&p->buf, 0, 0xc7, 0, CTX, CTX_OFF(fault_kind));
	jit_emit32(&p->buf, kind);
	x86_jmp32(&p->buf, p->label[JIT_L_FAULT]);
}

/* Returns where the program's address (the fault exit's movabs) is in the code. */
static size_t emit_common(struct jit_pass *p)
{
	struct jit_buf *b = &p->buf;
	size_t err, engine, exec_at;

	/* LD_ABS / LD_IND out of the packet: the run (or callback) ends with r0 = 0, returning
	 * from the entry's call into slot code. */
	p->label[JIT_L_EXIT0] = (uint32_t)jit_pos(b);
	x86_load(b, 1, X86_RSP, CTX, CTX_OFF(entry_sp));
	x86_mov_imm(b, X86_RAX, 0);
	x86_ret(b);

	/* A fault: the stub recorded the slot, kind and value; add the program, unwind, and
	 * return from the entry's call into slot code to its fault continuation. */
	p->label[JIT_L_FAULT] = (uint32_t)jit_pos(b);
	x86_movabs(b, T2, (uint64_t)(uintptr_t)p->exec); /* always 10 bytes: see emit_head */
	exec_at = jit_pos(b) - 8;
	x86_store(b, 1, CTX, CTX_OFF(fault_exec), T2);
	x86_load(b, 1, X86_RSP, CTX, CTX_OFF(entry_sp));
	x86_alu_mi(b, 1, X86_ADD, X86_RSP, 0, X86_FAULT_SKIP);
	x86_mov_imm(b, X86_RAX, JIT_STATUS_FAULT);
	x86_ret(b);

	/* After a helper that failed in a callback (run->error) or asked for a tail call: stop
	 * with the error, or continue at the target's first slot with r1 as it was at the call,
	 * in this frame (rsp and r10 as they are, so its exit returns where ours would have). */
	p->label[JIT_L_TAIL] = (uint32_t)jit_pos(b);
	x86_load(b, 1, T2, CTX, CTX_OFF(run));
	x86_alu_mi(b, 0, X86_CMP, T2, RUN_OFF(error), 0);
	err = x86_jcc8_fwd(b, X86_CC_NE);
	x86_load(b, 1, T1, T2, RUN_OFF(tail_next));
	x86_alu_mi(b, 0, X86_CMP, T1, EXEC_OFF(engine), BPFH_ENGINE_JIT);
	engine = x86_jcc8_fwd(b, X86_CC_NE);
	x86_rm(b, X86_W, 0xc7, 0, T2, RUN_OFF(tail_next)); /* run->tail_next = NULL */
	jit_emit32(b, 0);
	x86_store(b, 1, T2, RUN_OFF(current), T1);
	x86_load(b, 1, R(1), CTX, CTX_OFF(r1));
	x86_jmp_m(b, T1, EXEC_OFF(jit_start));
	x86_land8(b, err);
	set_kind_and_fault(p, JIT_FAULT_ERROR);
	x86_land8(b, engine);
	set_kind_and_fault(p, JIT_FAULT_TAIL_ENGINE);
	return exec_at;
}

/*
 * The C entry and the common code, the head of every program's code but for its leaf entries,
 * differ between programs only in the program's address in the fault exit (a movabs, so that
 * its size is the same whatever the address). The first compilation in the process publishes
 * its head; later ones copy it and write their own address: making it costs as much as
 * compiling a few small instructions. Published with a C11 atomic: a compilation that finds
 * it not yet there makes its own.
 */
#define HEAD_MAX 256

static struct {
	uint8_t code[HEAD_MAX];
	size_t len, exec_at;
	uint32_t label[JIT_L__COUNT];
} head;
static atomic_int head_state; /* 0: not made, 1: being copied, 2: made */

static void emit_head(struct jit_pass *p)
{
	struct jit_buf *b = &p->buf;
	uint64_t exec = (uint64_t)(uintptr_t)p->exec;
	size_t exec_at, i;
	int expect = 0;

	if (atomic_load_explicit(&head_state, memory_order_acquire) == 2 && jit_pos(b) == 0 &&
	    jit_room(b, head.len)) {
		memcpy(b->p, head.code, head.len);
		for (i = 0; i < 8; i++)
			b->p[head.exec_at + i] = (uint8_t)(exec >> (8 * i));
		b->len = head.len;
		memcpy(p->label, head.label, sizeof(head.label));
		return;
	}
	x86_abi_entry(p);
	exec_at = emit_common(p);
	if (b->err || jit_pos(b) > HEAD_MAX || p->nfix || p->nstubs ||
	    !atomic_compare_exchange_strong(&head_state, &expect, 1))
		return;
	memcpy(head.code, b->p, jit_pos(b));
	head.len = jit_pos(b);
	head.exec_at = exec_at;
	memcpy(head.label, p->label, sizeof(head.label));
	atomic_store_explicit(&head_state, 2, memory_order_release);
}

/* ---- blinded immediates ---- */

/* r = imm (w: sign-extended to 64 bits; else zero-extended from 32), with imm ^ key in the
 * code and the key xor'ed at run time: sign extension commutes with xor, so the 64-bit form
 * gives sext(imm ^ key) ^ sext(key) = sext(imm). */
static void blind_imm32(struct jit_pass *p, int w, int r, int32_t imm)
{
	uint32_t k = (uint32_t)p->key;

	x86_mov_imm32(&p->buf, w, r, (uint32_t)imm ^ k);
	x86_xor_imm32(&p->buf, w, r, k);
}

/* r = v, blinded; r is not t2, which the 64-bit form uses for the key. */
static void blind_imm64(struct jit_pass *p, int r, uint64_t v)
{
	struct jit_buf *b = &p->buf;

	if (v == 0) {
		x86_mov_imm(b, r, 0); /* xor r, r: nothing of the program in it */
	} else if (v <= UINT32_MAX) {
		blind_imm32(p, 0, r, (int32_t)(uint32_t)v);
	} else if ((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX) {
		blind_imm32(p, 1, r, (int32_t)v);
	} else {
		x86_movabs(b, r, v ^ p->key);
		x86_movabs(b, T2, p->key);
		x86_alu_rr(b, 1, OPC_XOR, r, T2);
	}
}

/* ---- ALU ---- */

static void zext32(struct jit_buf *b, int r)
{
	x86_mov_rr(b, 0, r, r);
}

static void div_by_zero(struct jit_buf *b, int w, int d, int is_mod)
{
	if (!is_mod)
		x86_mov_imm(b, d, 0);
	else if (!w)
		zext32(b, d);
}

static void div_by_minus1(struct jit_buf *b, int w, int d, int is_mod)
{
	if (!is_mod)
		x86_rr(b, w ? X86_W : 0, 0xf7, 3, d); /* neg: INT_MIN stays INT_MIN */
	else
		x86_mov_imm(b, d, 0);
}

static unsigned ctz64(uint64_t v)
{
	unsigned n = 0;

	while (!(v & 1)) {
		v >>= 1;
		n++;
	}
	return n;
}

/* dst (op)= divisor. rax and rdx are the dividend and results of x86's divide, so whatever BPF
 * registers live there are saved in t1 and t3 around it; the divisor goes to t2. */
static void lower_div(struct jit_pass *p, const struct bpfh_insn *in, int w, int is_x,
		      int is_mod, int is_signed)
{
	struct jit_buf *b = &p->buf;
	int d = R(in->dst), res = is_mod ? X86_RDX : X86_RAX;
	size_t j_zero = 0, j_m1 = 0, j_done, j_done2;

	if (!is_x) {
		uint64_t v = w ? (uint64_t)(int64_t)in->imm : (uint64_t)(uint32_t)in->imm;
		uint64_t m1 = w ? UINT64_MAX : UINT32_MAX;

		if (v == 0) {
			div_by_zero(b, w, d, is_mod);
			return;
		}
		if (is_signed && v == m1) {
			div_by_minus1(b, w, d, is_mod);
			return;
		}
		if (p->blind) { /* no shortcut that would show the divisor */
			blind_imm32(p, w, T2, in->imm);
			goto divide;
		}
		if (!is_signed && !(v & (v - 1))) { /* a power of two: shift or mask */
			if (is_mod)
				x86_alu_ri(b, w, X86_AND, d, (int32_t)(v - 1));
			else if (ctz64(v))
				x86_shift_ri(b, w, X86_SHR, d, (uint8_t)ctz64(v));
			else if (!w)
				zext32(b, d);
			return;
		}
		x86_mov_imm(b, T2, v);
	} else {
		x86_mov_rr(b, 1, T2, R(in->src));
		x86_alu_rr(b, w, OPC_TEST, T2, T2);
		j_zero = x86_jcc8_fwd(b, X86_CC_E);
		if (is_signed) {
			x86_alu_ri(b, w, X86_CMP, T2, -1);
			j_m1 = x86_jcc8_fwd(b, X86_CC_E);
		}
	}
divide:
	if (d != X86_RAX)
		x86_mov_rr(b, 1, T1, X86_RAX);
	if (d != X86_RDX)
		x86_mov_rr(b, 1, T3, X86_RDX);
	if (d != X86_RAX)
		x86_mov_rr(b, 1, X86_RAX, d);
	if (is_signed) {
		if (w)
			jit_emit8(b, 0x48); /* cqo */
		jit_emit8(b, 0x99);         /* cdq */
	} else {
		x86_mov_imm(b, X86_RDX, 0);
	}
	x86_rr(b, w ? X86_W : 0, 0xf7, is_signed ? 7 : 6, T2); /* idiv / div */
	if (d != res)
		x86_mov_rr(b, 1, d, res); /* a 32-bit divide left the upper half zero */
	if (d != X86_RAX)
		x86_mov_rr(b, 1, X86_RAX, T1);
	if (d != X86_RDX)
		x86_mov_rr(b, 1, X86_RDX, T3);
	if (!is_x)
		return;
	j_done = x86_jcc8_fwd(b, -1);
	x86_land8(b, j_zero);
	div_by_zero(b, w, d, is_mod);
	if (is_signed) {
		j_done2 = x86_jcc8_fwd(b, -1);
		x86_land8(b, j_m1);
		div_by_minus1(b, w, d, is_mod);
		x86_land8(b, j_done2);
	}
	x86_land8(b, j_done);
}

/* d <<= n (n < the width): by 1 an add, by 2 or 3 an lea, which, unlike a shift, need not go
 * to the two ports x86 cores shift and branch on (a packet parse is short of those). The
 * 32-bit forms clear the upper half as the shift does. */
static void shl_imm(struct jit_buf *b, int w, int d, unsigned n)
{
	if (n == 1)
		x86_alu_rr(b, w, OPC_ADD, d, d);
	else if (n == 2 || n == 3)
		x86_lea_scaled(b, w, d, d, n);
	else
		x86_shift_ri(b, w, X86_SHL, d, (uint8_t)n);
}

/* Shifts by a register count, which x86 wants in cl. */
static void lower_shift(struct jit_buf *b, const struct bpfh_insn *in, int w, int digit, int is_x)
{
	int d = R(in->dst), s = R(in->src);

	if (!is_x) {
		uint8_t n = (uint8_t)(in->imm & (w ? 63 : 31));

		if (n && digit == X86_SHL)
			shl_imm(b, w, d, n);
		else if (n)
			x86_shift_ri(b, w, digit, d, n);
		else if (!w)
			zext32(b, d);
		return;
	}
	if (s == X86_RCX) {
		x86_shift_cl(b, w, digit, d);
		return;
	}
	x86_mov_rr(b, 1, T2, X86_RCX);
	x86_mov_rr(b, 1, X86_RCX, s);
	if (d == X86_RCX) {
		x86_shift_cl(b, w, digit, T2);
	} else {
		x86_shift_cl(b, w, digit, d);
	}
	x86_mov_rr(b, 1, X86_RCX, T2);
}

/* Record that the code just emitted ends with an operation on d (w: 64 bits wide) whose flags
 * are its result's. */
static void flags_of(struct jit_pass *p, int d, int w)
{
	p->flags_end = jit_pos(&p->buf);
	p->flags_reg = d;
	p->flags_w = w;
}

/* Whether, in slot i's code about to be emitted, ZF says whether d is 0 as a w-wide compare
 * sees it (a 32-bit result is zero-extended: a 64-bit compare sees the same): the operation
 * ended slot i - 1's code (it ends past where that code starts, and nothing came after), and
 * no jump arrives at slot i. */
static int flags_hold(const struct jit_pass *p, size_t i, int d, int w)
{
	return i > 0 && p->flags_end > p->addr[i - 1] && p->flags_end == jit_pos(&p->buf) &&
	       !p->entry[i] && p->flags_reg == d && (p->flags_w == w || !p->flags_w);
}

/* d *= imm for the immediates one cheaper instruction multiplies by (as compilers do): 0, 1,
 * 3, 5 and 9 (an lea of d + d * 2, 4 or 8), powers of two (shl_imm). The 32-bit forms clear
 * the upper half as mul32 does. 0 when imm is none of them. */
static int mul_small(struct jit_buf *b, int w, int d, int32_t imm)
{
	unsigned sh;

	if (imm == 0) {
		x86_mov_imm(b, d, 0);
		return 1;
	}
	if (imm == 1) {
		if (!w)
			zext32(b, d);
		return 1;
	}
	if (imm == 3 || imm == 5 || imm == 9) {
		x86_rmx(b, w ? X86_W : 0, 0x8d, d, d, d, imm == 3 ? 1 : imm == 5 ? 2 : 3, 0);
		return 1;
	}
	if (imm < 0 || (imm & (imm - 1)))
		return 0;
	for (sh = 1; (1 << sh) != imm; sh++)
		;
	shl_imm(b, w, d, sh);
	return 1;
}

static void lower_alu(struct jit_pass *p, const struct bpfh_insn *in, unsigned op, int w)
{
	const struct bpfh_op_info *info = bpfh_op_info(op);
	struct jit_buf *b = &p->buf;
	unsigned bop = info->code & 0xf0;
	int is_x = (info->code & 0x08) != 0;
	int d = R(in->dst), s = R(in->src);
	int32_t imm = in->imm;

	switch (bop) {
	case 0x00: case 0x10: case 0x40: case 0x50: case 0xa0: {
		static const uint8_t opc[16] = { [0x0] = OPC_ADD, [0x1] = OPC_SUB, [0x4] = OPC_OR,
						 [0x5] = OPC_AND, [0xa] = OPC_XOR };
		static const uint8_t digit[16] = { [0x0] = X86_ADD, [0x1] = X86_SUB, [0x4] = X86_OR,
						   [0x5] = X86_AND, [0xa] = X86_XOR };

		if (is_x) {
			x86_alu_rr(b, w, opc[bop >> 4], d, s);
			flags_of(p, d, w);
		} else if (imm == 0 && bop == 0x50) {
			x86_mov_imm(b, d, 0);
		} else if (imm == 0 && !w) {
			zext32(b, d); /* nothing to do but the 32-bit truncation */
		} else if (imm != 0 && p->blind) {
			blind_imm32(p, w, T2, imm);
			x86_alu_rr(b, w, opc[bop >> 4], d, T2);
			flags_of(p, d, w);
		} else if (imm != 0) {
			x86_alu_ri(b, w, digit[bop >> 4], d, imm);
			flags_of(p, d, w);
		}
		return;
	}
	case 0x20:
		if (is_x) {
			x86_rr(b, w ? X86_W : 0, 0x0faf, d, s);
		} else if (!p->blind && mul_small(b, w, d, imm)) {
			/* done: a shift, an lea, a move or nothing */
		} else if (p->blind) {
			blind_imm32(p, w, T2, imm);
			x86_rr(b, w ? X86_W : 0, 0x0faf, d, T2);
		} else if (imm >= -128 && imm <= 127) {
			x86_rr(b, w ? X86_W : 0, 0x6b, d, d);
			jit_emit8(b, (uint8_t)imm);
		} else {
			x86_rr(b, w ? X86_W : 0, 0x69, d, d);
			jit_emit32(b, (uint32_t)imm);
		}
		return;
	case 0x30:
	case 0x90:
		lower_div(p, in, w, is_x, bop == 0x90, info->sel == 1);
		return;
	case 0x60:
		lower_shift(b, in, w, X86_SHL, is_x);
		return;
	case 0x70:
		lower_shift(b, in, w, X86_SHR, is_x);
		return;
	case 0xc0:
		lower_shift(b, in, w, X86_SAR, is_x);
		return;
	case 0xb0:
		if (is_x) {
			if (!w || d != s)
				x86_mov_rr(b, w, d, s);
		} else if (p->blind && imm != 0) {
			blind_imm32(p, w, d, imm);
		} else {
			x86_mov_imm(b, d, w ? (uint64_t)(int64_t)imm : (uint64_t)(uint32_t)imm);
		}
		return;
	default:
		b->err = -EINVAL; /* no such row reaches here */
	}
}

/* hi_zero: bits 16..63 of d are known to be 0 (a 16-bit load just wrote it), so that the
 * 16-bit rotate keeps them 0 and a 16-bit swap needs no zero extension after it. */
static void lower_end(struct jit_buf *b, unsigned op, int d, int hi_zero)
{
	switch (op) {
	case BPFH_OP_LE16:
		x86_rr(b, 0, 0x0fb7, d, d); /* movzx */
		break;
	case BPFH_OP_LE32:
		zext32(b, d);
		break;
	case BPFH_OP_LE64:
		break;
	case BPFH_OP_BE16:
	case BPFH_OP_BSWAP16:
		x86_rr(b, X86_P66, 0xc1, X86_ROL, d);
		jit_emit8(b, 8);
		if (!hi_zero)
			x86_rr(b, 0, 0x0fb7, d, d);
		break;
	case BPFH_OP_BE32:
	case BPFH_OP_BSWAP32:
		x86_bswap(b, 0, d);
		break;
	default: /* BE64, BSWAP64 */
		x86_bswap(b, 1, d);
		break;
	}
}

static void lower_movsx(struct jit_buf *b, unsigned op, int d, int s)
{
	switch (op) {
	case BPFH_OP_MOVSX8_64:
		x86_rr(b, X86_W | X86_B8M, 0x0fbe, d, s);
		break;
	case BPFH_OP_MOVSX16_64:
		x86_rr(b, X86_W, 0x0fbf, d, s);
		break;
	case BPFH_OP_MOVSX32_64:
		x86_rr(b, X86_W, 0x63, d, s);
		break;
	case BPFH_OP_MOVSX8_32:
		x86_rr(b, X86_B8M, 0x0fbe, d, s);
		break;
	default: /* MOVSX16_32 */
		x86_rr(b, 0, 0x0fbf, d, s);
		break;
	}
}

/* ---- jumps ---- */

/* A jump from slot i (these bytes end its code) to slot target. cc < 0: unconditional. */
/* margin: the bytes of code at most that follow it in the slot (5: a jmp). */
static void jump_slot_m(struct jit_pass *p, size_t i, int cc, size_t target, unsigned margin)
{
	struct jit_buf *b = &p->buf;

	if (jit_slot_near(p, i, target, margin)) {
		jit_emit8(b, cc < 0 ? 0xeb : (uint8_t)(0x70 | cc));
		jit_emit8(b, 0);
		jit_fixup(p, JIT_FIX_JUMP, 1, target, i);
		jit_fixup_margin(p, margin);
		return;
	}
	if (cc < 0)
		x86_jmp32(b, 0);
	else
		x86_jcc32(b, cc, 0);
	jit_fixup(p, JIT_FIX_JUMP, 4, target, i);
	jit_fixup_margin(p, margin);
}

static void jump_slot(struct jit_pass *p, size_t i, int cc, size_t target)
{
	jump_slot_m(p, i, cc, target, 0);
}

static int jcond_compare(struct jit_pass *p, size_t at, const struct bpfh_insn *in,
			 unsigned op);

static void lower_jcond(struct jit_pass *p, size_t i, const struct bpfh_insn *in, unsigned op)
{
	size_t target = (size_t)bpfh_insn_target(in, i, op);

	if (target == i + 1) /* no effect either way */
		return;
	jump_slot(p, i, jcond_compare(p, i, in, op), target);
}

/* `ja` (slot i) to slot t, a conditional jump to u (not t + 1): the loop's test at its head,
 * done here and inverted, so that the loop takes one jump per round, not two: compare; if
 * false, jump to t + 1; else jump to u (or fall into it, the next slot). Not with blinding
 * (t's compare is blinded in t). */
static int lower_ja_rotated(struct jit_pass *p, size_t i, size_t t)
{
	const struct bpfh_exec *exec = p->exec;
	const struct bpfh_insn *in;
	unsigned op, form;
	int64_t u;
	int cc;

	if (p->blind || t >= exec->count || t + 1 >= exec->count || t == i)
		return 0;
	in = &exec->insns[t];
	op = exec->ops[t];
	form = bpfh_op_info(op)->form;
	if (form != BPFH_FORM_JMP_K && form != BPFH_FORM_JMP_X)
		return 0;
	u = bpfh_insn_target(in, t, op);
	if (u < 0 || (size_t)u >= exec->count || (size_t)u == t + 1)
		return 0;
	cc = jcond_compare(p, i, in, op);
	jump_slot_m(p, i, cc ^ 1, t + 1, 5); /* x86 condition codes pair up: cc ^ 1 is !cc */
	if ((size_t)u != i + 1) /* else u follows */
		jump_slot(p, i, -1, (size_t)u);
	return 1;
}

/* The compare of a conditional jump, emitted in slot at, whose x86 condition (taken) it
 * returns. `==` or `!=` 0 right after an operation on the register that set the flags from its
 * result needs no compare (sub 1 and jne, one fused instruction). */
static int jcond_compare(struct jit_pass *p, size_t at, const struct bpfh_insn *in,
			 unsigned op)
{
	static const int8_t cc[16] = {
		[0x1] = X86_CC_E, [0x2] = X86_CC_A, [0x3] = X86_CC_AE, [0x4] = X86_CC_NE,
		[0x5] = X86_CC_NE, [0x6] = X86_CC_G, [0x7] = X86_CC_GE, [0xa] = X86_CC_B,
		[0xb] = X86_CC_BE, [0xc] = X86_CC_L, [0xd] = X86_CC_LE,
	};
	const struct bpfh_op_info *info = bpfh_op_info(op);
	struct jit_buf *b = &p->buf;
	unsigned bop = info->code & 0xf0;
	int is_x = (info->code & 0x08) != 0, w = !bpfh_op_is_32(op);
	int d = R(in->dst), s = R(in->src);

	if (!is_x && p->blind && (bop == 0x40 || in->imm != 0)) {
		blind_imm32(p, w, T2, in->imm);
		x86_alu_rr(b, w, bop == 0x40 ? OPC_TEST : OPC_CMP, d, T2);
	} else if (bop == 0x40) { /* jset */
		if (is_x) {
			x86_alu_rr(b, w, OPC_TEST, d, s);
		} else {
			x86_rr(b, w ? X86_W : 0, 0xf7, 0, d);
			jit_emit32(b, (uint32_t)in->imm);
		}
	} else if (is_x) {
		x86_alu_rr(b, w, OPC_CMP, d, s);
	} else if (in->imm == 0) {
		if (!((bop == 0x10 || bop == 0x50) && flags_hold(p, at, d, w)))
			x86_alu_rr(b, w, OPC_TEST, d, d); /* the same flags as cmp with 0 */
	} else {
		x86_alu_ri(b, w, X86_CMP, d, in->imm);
	}
	return cc[bop >> 4];
}

/* ---- calls ---- */

/* After the helper: a tail call or a callback's error leaves through the slot's tail stub;
 * a helper known to do neither (p->hinfo) is not checked for them. */
static void helper_call(struct jit_pass *p, size_t i, int fn)
{
	struct jit_buf *b = &p->buf;
	struct jit_stub s = { JIT_STUB_TAIL, 0, JIT_STUB_NOREG, (uint32_t)i, 0 };
	int tail = jit_call_may(p->exec, p->hinfo, i, JIT_HI_TAIL);
	int cb = jit_call_may(p->exec, p->hinfo, i, JIT_HI_CB);
	size_t k;

	if (tail || cb) {
		/* the program running, for bpfh_exec_callback and bpf_tail_call (a tail call
		 * into this program leaves the caller's there), and the count of tail calls,
		 * which the helper (or a callback) may add to */
		x86_load(b, 1, T3, CTX, CTX_OFF(run));
		x86_mov_imm(b, T1, (uint64_t)(uintptr_t)p->exec);
		x86_store(b, 1, T3, RUN_OFF(current), T1);
		x86_load(b, 0, T1, CTX, CTX_OFF(tail_calls));
		x86_store(b, 0, T3, RUN_OFF(tail_calls), T1);
	}
	x86_abi_helper_call(p, fn, p->keep[i], tail);
	if (!tail && !cb)
		return;
	k = jit_stub_add(p, &s);
	x86_load(b, 1, T2, CTX, CTX_OFF(run));
	x86_load(b, 0, T1, T2, RUN_OFF(tail_calls));
	x86_store(b, 0, CTX, CTX_OFF(tail_calls), T1);
	if (tail) {
		x86_alu_mi(b, 1, X86_CMP, T2, RUN_OFF(tail_next), 0);
		jcc_stub(p, X86_CC_NE, k);
	}
	if (cb) {
		x86_alu_mi(b, 0, X86_CMP, T2, RUN_OFF(error), 0);
		jcc_stub(p, X86_CC_NE, k);
	}
}

/* bpf_map_lookup_elem on an ARRAY known at compile time: r0 = base + key * stride when the u32
 * key at [r2] is below max_entries, else 0. r1..r5 are left as they were (a helper call may
 * leave them so too: it keeps those read later). */
static void lower_array_lookup(struct jit_pass *p, const struct jit_inline_call *al)
{
	struct jit_buf *b = &p->buf;
	size_t j_done;
	unsigned sh;

	x86_load(b, 0, T1, R(2), 0);
	x86_mov_imm(b, R(0), 0);
	x86_alu_ri(b, 0, X86_CMP, T1, (int32_t)al->max);
	j_done = x86_jcc8_fwd(b, X86_CC_AE);
	for (sh = 0; sh < 31 && (1u << sh) < al->stride; sh++)
		;
	if ((1u << sh) == al->stride) {
		if (sh)
			shl_imm(b, 1, T1, sh);
	} else {
		x86_rr(b, X86_W, 0x69, T1, T1); /* imul r64, r/m64, imm32 */
		jit_emit32(b, al->stride);
	}
	x86_mov_imm(b, R(0), al->base);
	x86_alu_rr(b, 1, OPC_ADD, R(0), T1);
	x86_land8(b, j_done);
}

/* bpf_tail_call on a PROG_ARRAY known at compile time, doing what bpf_tail_call and the
 * engine do together (src/helpers/control.c, then interp_body.h's after_helper): fewer than
 * BPFH_MAX_TAIL_CALLS so far (the context's count), the u32 index in r3 below max, a program
 * in the slot, else r0 =
 * -ENOENT and on to the next instruction; otherwise count the call, refuse a target of another
 * engine and jump into its code with r0 = 0 and every other register as it is, in this frame
 * (run->current is left: the target's code sets it before the helper calls that read it).
 * rax (r0, about to be written anyway), t1 and t2 are the scratch. */
static void lower_tail_call(struct jit_pass *p, size_t i, const struct jit_inline_call *c)
{
	struct jit_buf *b = &p->buf;
	size_t fail[4], nfail = 0, k;
	int key_known = c->key_known; /* never when blinding: the key is an immediate */

	if (key_known && c->key >= c->max) { /* out of the array: fails whatever the count */
		x86_mov_imm(b, R(0), (uint64_t)(int64_t)-ENOENT);
		return;
	}
	x86_load(b, 0, T1, CTX, CTX_OFF(tail_calls)); /* the count, read once */
	x86_alu_ri(b, 0, X86_CMP, T1, BPFH_MAX_TAIL_CALLS);
	fail[nfail++] = x86_jcc8_fwd(b, X86_CC_AE);
	if (key_known) { /* the slot's address is a constant */
		x86_mov_imm(b, T2, c->base + (uint64_t)c->key * 8);
		x86_load(b, 1, T2, T2, 0);
	} else {
		x86_mov_rr(b, 0, R(0), R(3));
		x86_alu_ri(b, 0, X86_CMP, R(0), (int32_t)c->max);
		fail[nfail++] = x86_jcc8_fwd(b, X86_CC_AE);
		x86_mov_imm(b, T2, c->base);
		x86_rmx(b, X86_W, 0x8b, T2, T2, R(0), 3, 0);
	}
	x86_alu_rr(b, 1, OPC_TEST, T2, T2);
	fail[nfail++] = x86_jcc8_fwd(b, X86_CC_E);
	x86_load(b, 1, T2, T2, (int32_t)c->stride);
	x86_alu_rr(b, 1, OPC_TEST, T2, T2);
	fail[nfail++] = x86_jcc8_fwd(b, X86_CC_E);
	x86_alu_ri(b, 0, X86_ADD, T1, 1);
	x86_store(b, 0, CTX, CTX_OFF(tail_calls), T1);
	x86_alu_mi(b, 0, X86_CMP, T2, EXEC_OFF(engine), BPFH_ENGINE_JIT);
	jcc_fault(p, X86_CC_NE, i, JIT_FAULT_TAIL_ENGINE, JIT_STUB_NOREG, 0);
	x86_mov_imm(b, R(0), 0);
	x86_jmp_m(b, T2, EXEC_OFF(jit_start));
	for (k = 0; k < nfail; k++)
		x86_land8(b, fail[k]);
	x86_mov_imm(b, R(0), (uint64_t)(int64_t)-ENOENT);
}

static void lower_call_helper(struct jit_pass *p, size_t i, uint32_t id)
{
	struct jit_buf *b = &p->buf;

	if (p->inl && p->inl[i].kind == JIT_INLINE_ARRAY) {
		lower_array_lookup(p, &p->inl[i]);
		return;
	}
	if (p->inl && p->inl[i].kind == JIT_INLINE_TAIL) {
		lower_tail_call(p, i, &p->inl[i]);
		return;
	}

	if (p->helpers) { /* bound at compile time: call it where it is */
		if (id < p->nhelpers && p->helpers[id]) {
			x86_mov_imm(b, T2, (uint64_t)(uintptr_t)p->helpers[id]);
			helper_call(p, i, T2);
		} else { /* the table lacks it: the fault, when the call runs */
			struct jit_stub s = { JIT_STUB_FAULT, JIT_FAULT_HELPER, JIT_STUB_NOREG,
					      (uint32_t)i, id };

			x86_jmp32(b, 0);
			jit_fixup(p, JIT_FIX_STUB, 4, jit_stub_add(p, &s), 0);
		}
		return;
	}
	if (id <= INT32_MAX) {
		x86_alu_mi(b, 1, X86_CMP, CTX, CTX_OFF(nhelpers), (int32_t)id);
	} else {
		x86_mov_imm(b, T2, id);
		x86_rm(b, X86_W, OPC_CMP, T2, CTX, CTX_OFF(nhelpers));
	}
	jcc_fault(p, X86_CC_BE, i, JIT_FAULT_HELPER, JIT_STUB_NOREG, id); /* nhelpers <= id */
	x86_load(b, 1, T2, CTX, CTX_OFF(helpers));
	if (id <= INT32_MAX / 8) {
		x86_load(b, 1, T2, T2, (int32_t)(id * 8));
	} else {
		x86_mov_imm(b, T1, id);
		x86_rmx(b, X86_W, 0x8b, T2, T2, T1, 3, 0);
	}
	x86_alu_rr(b, 1, OPC_TEST, T2, T2);
	jcc_fault(p, X86_CC_E, i, JIT_FAULT_HELPER, JIT_STUB_NOREG, id);
	helper_call(p, i, T2);
}

/* A local call: a frame of its own (r10 one frame down, and back up after), the registers of
 * r6..r9 the callee may write (p->call_saves) kept on the native stack, an odd number of
 * words with the return address so that the callee runs 16-byte aligned as the caller. */
static unsigned local_saves(const struct jit_pass *p, size_t i)
{
	return p->call_saves ? p->call_saves[i] : JIT_SAVES_ALL;
}

static void local_enter(struct jit_pass *p, size_t i)
{
	struct jit_buf *b = &p->buf;
	unsigned saves = local_saves(p, i), n = 0;
	int r;

	x86_rm(b, X86_W, OPC_CMP_RM, R(10), CTX, CTX_OFF(call_limit));
	jcc_fault(p, X86_CC_B, i, JIT_FAULT_DEPTH, JIT_STUB_NOREG, 0);
	for (r = 6; r <= 9; r++)
		if (saves & (1u << (r - 6))) {
			x86_push(b, R(r));
			n++;
		}
	if (!(n & 1))
		x86_alu_ri(b, 1, X86_SUB, X86_RSP, 8);
	x86_alu_ri(b, 1, X86_SUB, R(10), BPFH_STACK_SIZE);
}

static void local_leave(struct jit_pass *p, size_t i)
{
	struct jit_buf *b = &p->buf;
	unsigned saves = local_saves(p, i), n = 0;
	int r;

	x86_alu_ri(b, 1, X86_ADD, R(10), BPFH_STACK_SIZE);
	for (r = 6; r <= 9; r++)
		n += (saves >> (r - 6)) & 1;
	if (!(n & 1))
		x86_alu_ri(b, 1, X86_ADD, X86_RSP, 8);
	for (r = 9; r >= 6; r--)
		if (saves & (1u << (r - 6)))
			x86_pop(b, R(r));
}

/* callx: a tagged function value of this program is a local call, anything else a helper id. */
static void lower_callx(struct jit_pass *p, size_t i, const struct bpfh_insn *in)
{
	struct jit_buf *b = &p->buf;
	size_t j_helper, j_done;

	x86_mov_rr(b, 1, T2, R(in->dst));
	x86_mov_rr(b, 1, T1, T2);
	x86_shift_ri(b, 1, X86_SHR, T1, 32);
	x86_alu_ri(b, 0, X86_CMP, T1, (int32_t)(BPFH_FUNC_TAG >> 32));
	j_helper = x86_jcc32_fwd(b, X86_CC_NE);
	zext32(b, T2);
	x86_alu_ri(b, 1, X86_CMP, T2, (int32_t)p->exec->count);
	jcc_fault(p, X86_CC_AE, i, JIT_FAULT_CALLX, in->dst, 0);
	x86_mov_imm(b, T1, (uint64_t)(uintptr_t)p->exec->jit_func_off);
	x86_rmx(b, 0, 0x8b, T1, T1, T2, 2, 0);
	x86_alu_rr(b, 0, OPC_TEST, T1, T1);
	jcc_fault(p, X86_CC_E, i, JIT_FAULT_CALLX, in->dst, 0);
	x86_lea_rip(b, T2, 0);
	x86_alu_rr(b, 1, OPC_ADD, T1, T2);
	local_enter(p, i);
	x86_call_r(b, T1);
	local_leave(p, i);
	j_done = x86_jcc32_fwd(b, -1);

	x86_land32(b, j_helper);
	x86_rm(b, X86_W, OPC_CMP_RM, T2, CTX, CTX_OFF(nhelpers));
	jcc_fault(p, X86_CC_AE, i, JIT_FAULT_HELPER, in->dst, 0);
	x86_load(b, 1, T1, CTX, CTX_OFF(helpers));
	x86_rmx(b, X86_W, 0x8b, T2, T1, T2, 3, 0);
	x86_alu_rr(b, 1, OPC_TEST, T2, T2);
	jcc_fault(p, X86_CC_E, i, JIT_FAULT_HELPER, in->dst, 0);
	helper_call(p, i, T2);
	x86_land32(b, j_done);
}

/* ---- memory ---- */

static void lower_ldx(struct jit_buf *b, unsigned op, int d, int s, int32_t off)
{
	switch (op) {
	case BPFH_OP_LDXB:
		x86_rm(b, 0, 0x0fb6, d, s, off);
		break;
	case BPFH_OP_LDXH:
		x86_rm(b, 0, 0x0fb7, d, s, off);
		break;
	case BPFH_OP_LDXW:
		x86_load(b, 0, d, s, off);
		break;
	case BPFH_OP_LDXDW:
		x86_load(b, 1, d, s, off);
		break;
	case BPFH_OP_LDXSB:
		x86_rm(b, X86_W, 0x0fbe, d, s, off);
		break;
	case BPFH_OP_LDXSH:
		x86_rm(b, X86_W, 0x0fbf, d, s, off);
		break;
	default: /* LDXSW */
		x86_rm(b, X86_W, 0x63, d, s, off);
		break;
	}
}

static void lower_stx(struct jit_buf *b, unsigned op, int d, int s, int32_t off);

static void lower_st(struct jit_pass *p, unsigned op, int d, int32_t off, int32_t imm)
{
	struct jit_buf *b = &p->buf;
	static const uint8_t as_stx[4] = { BPFH_OP_STXB, BPFH_OP_STXH, BPFH_OP_STXW,
					   BPFH_OP_STXDW };

	if (p->blind) { /* the value in t2, stored as a register */
		blind_imm32(p, 1, T2, imm);
		lower_stx(b, as_stx[op == BPFH_OP_STB ? 0 : op == BPFH_OP_STH ? 1 :
				    op == BPFH_OP_STW ? 2 : 3], d, T2, off);
		return;
	}
	switch (op) {
	case BPFH_OP_STB:
		x86_rm(b, 0, 0xc6, 0, d, off);
		jit_emit8(b, (uint8_t)imm);
		break;
	case BPFH_OP_STH:
		x86_rm(b, X86_P66, 0xc7, 0, d, off);
		jit_emit16(b, (uint16_t)imm);
		break;
	case BPFH_OP_STW:
		x86_rm(b, 0, 0xc7, 0, d, off);
		jit_emit32(b, (uint32_t)imm);
		break;
	default: /* STDW: the imm sign-extended */
		x86_rm(b, X86_W, 0xc7, 0, d, off);
		jit_emit32(b, (uint32_t)imm);
		break;
	}
}

static void lower_stx(struct jit_buf *b, unsigned op, int d, int s, int32_t off)
{
	switch (op) {
	case BPFH_OP_STXB:
		x86_rm(b, X86_B8R, 0x88, s, d, off);
		break;
	case BPFH_OP_STXH:
		x86_rm(b, X86_P66, 0x89, s, d, off);
		break;
	case BPFH_OP_STXW:
		x86_store(b, 0, d, off, s);
		break;
	default: /* STXDW */
		x86_store(b, 1, d, off, s);
		break;
	}
}

/* fetch-or, -and, -xor have no x86 instruction: a compare-exchange loop on rax (r0, kept in
 * t3), with the address in t1 and the new value built in t2. */
static void atomic_fetch_loop(struct jit_buf *b, int w, unsigned opc, int d, int s, int32_t off)
{
	int operand = s == X86_RAX ? T3 : s;
	size_t retry;

	x86_mov_rr(b, 1, T3, X86_RAX);
	x86_lea(b, T1, d, off);
	x86_load(b, w, X86_RAX, T1, 0);
	retry = jit_pos(b);
	x86_mov_rr(b, w, T2, X86_RAX);
	x86_alu_rr(b, w, opc, T2, operand);
	x86_rm(b, X86_LOCK | (w ? X86_W : 0), 0x0fb1, T2, T1, 0);
	jit_emit8(b, 0x70 | X86_CC_NE);
	jit_emit8(b, (uint8_t)((int64_t)retry - (int64_t)(jit_pos(b) + 1)));
	if (s != X86_RAX) { /* else r0 is the fetched value, as the interpreter leaves it */
		x86_mov_rr(b, w, s, X86_RAX);
		x86_mov_rr(b, 1, X86_RAX, T3);
	}
}

static void lower_atomic(struct jit_buf *b, unsigned op, const struct bpfh_insn *in)
{
	int w = !bpfh_op_is_32(op), d = R(in->dst), s = R(in->src);
	unsigned fw = w ? X86_W : 0;

	switch (op) {
	case BPFH_OP_AADD64: case BPFH_OP_AADD32:
		x86_rm(b, X86_LOCK | fw, OPC_ADD, s, d, in->off);
		break;
	case BPFH_OP_AOR64: case BPFH_OP_AOR32:
		x86_rm(b, X86_LOCK | fw, OPC_OR, s, d, in->off);
		break;
	case BPFH_OP_AAND64: case BPFH_OP_AAND32:
		x86_rm(b, X86_LOCK | fw, OPC_AND, s, d, in->off);
		break;
	case BPFH_OP_AXOR64: case BPFH_OP_AXOR32:
		x86_rm(b, X86_LOCK | fw, OPC_XOR, s, d, in->off);
		break;
	case BPFH_OP_AFADD64: case BPFH_OP_AFADD32:
		x86_rm(b, X86_LOCK | fw, 0x0fc1, s, d, in->off); /* xadd */
		break;
	case BPFH_OP_AXCHG64: case BPFH_OP_AXCHG32:
		x86_rm(b, fw, 0x87, s, d, in->off); /* xchg with memory is always locked */
		break;
	case BPFH_OP_AFOR64: case BPFH_OP_AFOR32:
		atomic_fetch_loop(b, w, OPC_OR, d, s, in->off);
		break;
	case BPFH_OP_AFAND64: case BPFH_OP_AFAND32:
		atomic_fetch_loop(b, w, OPC_AND, d, s, in->off);
		break;
	case BPFH_OP_AFXOR64: case BPFH_OP_AFXOR32:
		atomic_fetch_loop(b, w, OPC_XOR, d, s, in->off);
		break;
	default: /* ACMPXCHG: r0 is rax, compared and loaded by the instruction */
		x86_rm(b, X86_LOCK | fw, 0x0fb1, s, d, in->off);
		if (!w) /* on success a 32-bit cmpxchg leaves rax's upper half alone */
			zext32(b, X86_RAX);
		break;
	}
}

/* LD_ABS / LD_IND: r0 = the big-endian value at offset o of the packet; out of it, the run
 * ends with r0 = 0 (JIT_L_EXIT0). The packet is read from the run each time, as the
 * interpreter does. */
static void lower_ldpkt(struct jit_pass *p, unsigned op, const struct bpfh_insn *in)
{
	struct jit_buf *b = &p->buf;
	int n = (op == BPFH_OP_LDABSB || op == BPFH_OP_LDINDB) ? 1 :
		(op == BPFH_OP_LDABSH || op == BPFH_OP_LDINDH) ? 2 : 4;
	int abs = op == BPFH_OP_LDABSB || op == BPFH_OP_LDABSH || op == BPFH_OP_LDABSW;
	int r0 = R(0);

	if (abs && in->imm < 0) {
		x86_jmp32(b, p->label[JIT_L_EXIT0]);
		return;
	}
	if (abs && p->blind) {
		blind_imm32(p, 0, T1, (int32_t)(uint32_t)((uint32_t)in->imm + (uint32_t)n));
	} else if (abs) {
		x86_mov_imm(b, T1, (uint64_t)(int64_t)in->imm + (uint64_t)n); /* the end */
	} else {
		x86_mov_rr(b, 0, T1, R(in->src));                 /* (u32)src */
		if (p->blind) {
			blind_imm32(p, 1, T2, in->imm);
			x86_alu_rr(b, 1, OPC_ADD, T1, T2);
		} else {
			x86_alu_ri(b, 1, X86_ADD, T1, in->imm);  /* + imm, in 64 bits */
		}
		x86_jcc32(b, X86_CC_S, p->label[JIT_L_EXIT0]);   /* negative */
		x86_alu_ri(b, 1, X86_ADD, T1, n);                /* the end */
	}
	x86_load(b, 1, T2, CTX, CTX_OFF(run));
	x86_rm(b, X86_W, OPC_CMP_RM, T1, T2, RUN_OFF(pkt_len));
	x86_jcc32(b, X86_CC_A, p->label[JIT_L_EXIT0]);   /* end > pkt_len */
	x86_load(b, 1, T2, T2, RUN_OFF(pkt));
	x86_alu_rr(b, 1, OPC_TEST, T2, T2);
	x86_jcc32(b, X86_CC_E, p->label[JIT_L_EXIT0]);   /* no packet */
	if (n == 1)
		x86_rmx(b, 0, 0x0fb6, r0, T2, T1, 0, -n);
	else if (n == 2)
		x86_rmx(b, 0, 0x0fb7, r0, T2, T1, 0, -n);
	else
		x86_rmx(b, 0, 0x8b, r0, T2, T1, 0, -n);
	if (n == 2) {
		x86_rr(b, X86_P66, 0xc1, X86_ROL, r0);
		jit_emit8(b, 8);
	} else if (n == 4) {
		x86_bswap(b, 0, r0);
	}
}

/* ---- one slot, one program ---- */

static void lower(struct jit_pass *p, size_t i)
{
	const struct bpfh_insn *in = &p->exec->insns[i];
	unsigned op = p->exec->ops[i];
	struct jit_buf *b = &p->buf;
	int d = R(in->dst), s = R(in->src);

	switch (bpfh_op_info(op)->form) {
	case BPFH_FORM_ALU_K:
	case BPFH_FORM_ALU_X:
		lower_alu(p, in, op, !bpfh_op_is_32(op));
		break;
	case BPFH_FORM_NEG:
		x86_rr(b, op == BPFH_OP_NEG64 ? X86_W : 0, 0xf7, 3, d);
		break;
	case BPFH_FORM_MOVSX:
		lower_movsx(b, op, d, s);
		break;
	case BPFH_FORM_END:
		/* after `ldxh d` (movzx) with no way in between: d's high bits are 0 */
		lower_end(b, op, d, i > 0 && !p->entry[i] && p->exec->ops[i - 1] == BPFH_OP_LDXH &&
				    p->exec->insns[i - 1].dst == in->dst);
		break;
	case BPFH_FORM_JA:
	case BPFH_FORM_JA32: {
		size_t target = (size_t)bpfh_insn_target(in, i, op);

		if (target != i + 1 && !lower_ja_rotated(p, i, target))
			jump_slot(p, i, -1, target);
		break;
	}
	case BPFH_FORM_JMP_K:
	case BPFH_FORM_JMP_X:
		lower_jcond(p, i, in, op);
		break;
	case BPFH_FORM_CALL:
		if (op == BPFH_OP_CALL) {
			lower_call_helper(p, i, (uint32_t)in->imm);
		} else if (op == BPFH_OP_CALL_LOCAL) {
			local_enter(p, i);
			x86_call32(b, 0);
			jit_fixup(p, JIT_FIX_CALL, 4, (size_t)bpfh_insn_target(in, i, op), 0);
			local_leave(p, i);
		} else {
			b->err = -ENOTSUP; /* kfunc: refused before the JIT runs */
		}
		break;
	case BPFH_FORM_CALLX:
		lower_callx(p, i, in);
		break;
	case BPFH_FORM_EXIT:
		if (p->leaf)
			x86_abi_leaf_exit(p);
		else
			x86_ret(b);
		break;
	case BPFH_FORM_LDX:
		lower_ldx(b, op, d, s, in->off);
		break;
	case BPFH_FORM_ST:
		lower_st(p, op, d, in->off, in->imm);
		break;
	case BPFH_FORM_STX:
		lower_stx(b, op, d, s, in->off);
		break;
	case BPFH_FORM_ATOMIC:
		lower_atomic(b, op, in);
		break;
	case BPFH_FORM_LDDW: { /* the value, resolved, in both slots' imm */
		uint64_t v = (uint64_t)(uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;

		if (p->blind)
			blind_imm64(p, d, v);
		else
			x86_mov_imm(b, d, v);
		break;
	}
	case BPFH_FORM_LDABS:
	case BPFH_FORM_LDIND:
		lower_ldpkt(p, op, in);
		break;
	default:
		b->err = -EINVAL;
		break;
	}
}

/* ---- merged slots ---- */

/*
 * An address computed in two or three slots, `rd = rs; rd += imm` and/or `rd += rx` (64-bit,
 * rx not rd), becomes one lea rd, [rs + rx + imm] (lea's 32-bit displacement is
 * sign-extended, as add's immediate is). Only where no code arrives between the slots
 * (p->entry) and the immediates are not blinded. Returns the slots done, 0 for none.
 */
static size_t fuse_lea(struct jit_pass *p, size_t i)
{
	const struct bpfh_exec *exec = p->exec;
	const struct bpfh_insn *in = exec->insns;
	size_t j = i + 1;
	int d = in[i].dst, s = in[i].src, x = -1, have_imm = 0;
	int32_t imm = 0;

	if (p->blind || exec->ops[i] != BPFH_OP_MOV64_X || d == s)
		return 0;
	while (j < exec->count && j < i + 3 && !p->entry[j] && in[j].dst == d) {
		if (exec->ops[j] == BPFH_OP_ADD64_K && !have_imm) {
			imm = in[j].imm;
			have_imm = 1;
		} else if (exec->ops[j] == BPFH_OP_ADD64_X && x < 0 && in[j].src != d) {
			x = in[j].src;
		} else {
			break;
		}
		j++;
	}
	if (j == i + 1)
		return 0;
	if (x < 0)
		x86_lea(&p->buf, R(d), R(s), imm);
	else
		x86_rmx(&p->buf, X86_W, 0x8d, R(d), R(s), R(x), 0, imm);
	return j - i;
}

/*
 * A rotate as compilers write it without one (BPF has none): `a = x; a <<= k; b = x;
 * b >>= w - k; a |= b`, either shift first, all 32-bit or all 64-bit, a, b and x distinct.
 * It becomes `b = x; b >>= (or <<=) ...; a = x; rol a, k`: b keeps its value (it may be read
 * later), and a no longer waits for b (one rotate instead of a shift, an or and their chain).
 * Only where no code arrives between the five slots. Returns 5, or 0.
 */
static size_t fuse_rot(struct jit_pass *p, size_t i)
{
	const struct bpfh_exec *exec = p->exec;
	const struct bpfh_insn *in = exec->insns + i;
	const uint8_t *op = exec->ops + i;
	int w, a, b, x, k, first_left;
	unsigned lsh, rsh;
	size_t j;

	if (i + 5 > exec->count || (op[0] != BPFH_OP_MOV32_X && op[0] != BPFH_OP_MOV64_X))
		return 0;
	for (j = 1; j < 5; j++)
		if (p->entry[i + j])
			return 0;
	w = op[0] == BPFH_OP_MOV64_X;
	lsh = w ? BPFH_OP_LSH64_K : BPFH_OP_LSH32_K;
	rsh = w ? BPFH_OP_RSH64_K : BPFH_OP_RSH32_K;
	a = in[0].dst;
	x = in[0].src;
	b = in[2].dst;
	first_left = op[1] == lsh;
	if (op[2] != op[0] || in[2].src != x || a == x || b == x || a == b ||
	    in[1].dst != a || in[3].dst != b ||
	    op[1] != (first_left ? lsh : rsh) || op[3] != (first_left ? rsh : lsh) ||
	    op[4] != (w ? BPFH_OP_OR64_X : BPFH_OP_OR32_X) || in[4].dst != a || in[4].src != b ||
	    in[1].imm <= 0 || in[3].imm <= 0 || in[1].imm + in[3].imm != (w ? 64 : 32))
		return 0;
	k = first_left ? in[1].imm : in[3].imm; /* the left shift's count */
	x86_mov_rr(&p->buf, w, R(b), R(x));
	x86_shift_ri(&p->buf, w, first_left ? X86_SHR : X86_SHL, R(b), (uint8_t)in[3].imm);
	x86_mov_rr(&p->buf, w, R(a), R(x));
	x86_shift_ri(&p->buf, w, X86_ROL, R(a), (uint8_t)k);
	return 5;
}

/* Padding before slot i when it heads a loop, from the loop's size in the previous pass: a
 * loop of up to 64 bytes that would cross a 64-byte line starts on the next line, a larger
 * one on a 16-byte boundary. Code starts JIT_CODE_PAD bytes into its page. Frozen: as much
 * as the previous pass (which may no longer align, but keeps the layout shrinking). */
static void align_loop(struct jit_pass *p, size_t i)
{
	size_t at, len, n = 0;

	if (!p->loop_end || !p->loop_end[i] || !p->prev)
		return;
	if (p->pad_frozen) {
		n = p->prev_pad[i];
	} else {
		at = (JIT_CODE_PAD + jit_pos(&p->buf)) & 63;
		len = p->prev[p->loop_end[i]] - p->prev[i];
		if (len <= 64 && at + len > 64)
			n = 64 - at;
		else if (len > 64)
			n = (16 - (at & 15)) & 15;
	}
	x86_nops(&p->buf, n);
	p->pad[i] = (uint8_t)n;
}

void jit_arch_emit(struct jit_pass *p)
{
	const struct bpfh_exec *exec = p->exec;
	struct jit_buf *b = &p->buf;
	size_t i, k, n;

	p->flags_end = 0; /* no operation's flags yet in this pass */
	if (p->head_len) { /* the head of an earlier pass: its bytes, fixups and stubs */
		b->len = p->head_len;
		p->nfix = p->head_nfix;
		p->nstubs = p->head_nstubs;
	} else {
		emit_head(p);
		if (p->leaf)
			x86_abi_leaf_entry(p); /* falls into slot 0 */
		else
			x86_abi_main_entry(p);
		if (!p->leaf) /* slot 0, where tail calls arrive, on a 64-byte line of its own */
			x86_nops(b, (64 - ((JIT_CODE_PAD + jit_pos(b)) & 63)) & 63);
		if (!b->err) {
			p->head_len = jit_pos(b);
			p->head_nfix = p->nfix;
			p->head_nstubs = p->nstubs;
		}
	}
	for (i = 0; i < exec->count; i++) {
		align_loop(p, i);
		p->addr[i] = (uint32_t)jit_pos(b);
		if (exec->ops[i] == BPFH_OP_LDDW_HI || (p->inl && p->inl[i].dead))
			continue;
		if (p->blind)
			p->key = jit_blind_key(p, i);
		n = fuse_lea(p, i);
		if (!n)
			n = fuse_rot(p, i);
		if (n) { /* the merged slots' code is empty, at the end of the sequence */
			while (--n)
				p->addr[++i] = (uint32_t)jit_pos(b);
			continue;
		}
		lower(p, i);
	}
	p->addr[exec->count] = (uint32_t)jit_pos(b);
	for (k = 0; k < p->nstubs && !b->err; k++) {
		p->stub_addr[k] = (uint32_t)jit_pos(b);
		emit_stub(p, &p->stubs[k]);
	}
}
