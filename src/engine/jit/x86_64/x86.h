/* SPDX-License-Identifier: MIT */
/*
 * Private to the x86-64 back end: register numbers, the instruction encoders (emit.c), and the
 * calling-convention layer's contract (abi_sysv.c today, a Windows x64 file later): which x86
 * register holds each BPF register, the scratch and context registers, the entry trampoline
 * and the helper-call sequence. The ISA lowering (lower.c) uses only what is declared here.
 */
#ifndef BPFH_JIT_X86_H
#define BPFH_JIT_X86_H

#include <stddef.h>

#include "../jit_int.h"

enum x86_reg {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Condition codes (the low nibble of jcc). */
enum x86_cc {
	X86_CC_O = 0x0, X86_CC_NO = 0x1, X86_CC_B = 0x2, X86_CC_AE = 0x3, X86_CC_E = 0x4,
	X86_CC_NE = 0x5, X86_CC_BE = 0x6, X86_CC_A = 0x7, X86_CC_S = 0x8, X86_CC_NS = 0x9,
	X86_CC_L = 0xc, X86_CC_GE = 0xd, X86_CC_LE = 0xe, X86_CC_G = 0xf,
};

/* Flags of one encoded instruction. */
#define X86_W 0x01    /* REX.W: 64-bit operand size */
#define X86_P66 0x02  /* operand-size prefix: 16-bit operand */
#define X86_B8R 0x04  /* the ModRM reg field is a byte register (spl..dil need a REX) */
#define X86_B8M 0x08  /* the ModRM r/m register is a byte register */
#define X86_LOCK 0x10 /* lock prefix */

/* Group opcodes' /digit (the ModRM reg field). */
enum { X86_ADD = 0, X86_OR = 1, X86_AND = 4, X86_SUB = 5, X86_XOR = 6, X86_CMP = 7 };
enum { X86_ROL = 0, X86_SHL = 4, X86_SHR = 5, X86_SAR = 7 };

/*
 * Generic forms: opcode opc (one byte, or two bytes 0x0fXX given as 0x0fXX) with a ModRM whose
 * reg field is reg (a register or a /digit) and whose r/m is a register (rr), the memory
 * [base + disp] (rm), or [base + index * (1 << scale) + disp] (rmx).
 */
void x86_rr(struct jit_buf *b, unsigned flags, unsigned opc, int reg, int rm);
void x86_rm(struct jit_buf *b, unsigned flags, unsigned opc, int reg, int base, int32_t disp);
void x86_rmx(struct jit_buf *b, unsigned flags, unsigned opc, int reg, int base, int index,
	     unsigned scale, int32_t disp);

/* Common instructions. w: 64-bit operation (else 32-bit, which zero-extends the result). */
void x86_mov_rr(struct jit_buf *b, int w, int dst, int src);
void x86_mov_imm(struct jit_buf *b, int dst, uint64_t v);  /* dst = v, shortest form */
/* Fixed-size forms (constant blinding): movabs; mov r, imm32 and xor r, imm32 (w: the imm32
 * sign-extended to 64 bits; else a 32-bit operation, which zero-extends). */
void x86_movabs(struct jit_buf *b, int dst, uint64_t v);
void x86_mov_imm32(struct jit_buf *b, int w, int dst, uint32_t v);
void x86_xor_imm32(struct jit_buf *b, int w, int dst, uint32_t v);
void x86_alu_rr(struct jit_buf *b, int w, unsigned opc, int dst, int src); /* opc: 0x01 add... */
void x86_alu_ri(struct jit_buf *b, int w, int digit, int dst, int32_t imm); /* group 1 */
void x86_alu_mi(struct jit_buf *b, int w, int digit, int base, int32_t disp, int32_t imm);
void x86_load(struct jit_buf *b, int w, int dst, int base, int32_t disp);
void x86_store(struct jit_buf *b, int w, int base, int32_t disp, int src);
void x86_lea(struct jit_buf *b, int dst, int base, int32_t disp);
void x86_lea_rip(struct jit_buf *b, int dst, uint32_t target); /* dst = code + target */
/* dst = index << scale (scale 0..3, index not rsp), no base; w: 64-bit, else the low 32 bits
 * zero-extended. Flags are left as they are. */
void x86_lea_scaled(struct jit_buf *b, int w, int dst, int index, unsigned scale);
void x86_bswap(struct jit_buf *b, int w, int r);
void x86_shift_ri(struct jit_buf *b, int w, int digit, int dst, uint8_t n);
void x86_shift_cl(struct jit_buf *b, int w, int digit, int dst);
void x86_push(struct jit_buf *b, int r);
void x86_pop(struct jit_buf *b, int r);
void x86_call_r(struct jit_buf *b, int r);
void x86_jmp_m(struct jit_buf *b, int base, int32_t disp);
void x86_ret(struct jit_buf *b);
void x86_nops(struct jit_buf *b, size_t n); /* n bytes of no-operation, in few instructions */
/* Jumps to an absolute position in the code (target), from the current position. */
void x86_jcc32(struct jit_buf *b, int cc, uint32_t target);
void x86_jmp32(struct jit_buf *b, uint32_t target);
void x86_call32(struct jit_buf *b, uint32_t target);
/* Short forward jumps inside one slot's code: emit with a placeholder, then land here. */
size_t x86_jcc8_fwd(struct jit_buf *b, int cc); /* cc < 0: jmp */
void x86_land8(struct jit_buf *b, size_t at);
size_t x86_jcc32_fwd(struct jit_buf *b, int cc);
void x86_land32(struct jit_buf *b, size_t at);

/* Displacements of the fields the code reaches: the context's, the run's, a program's. */
#define CTX_OFF(f) ((int32_t)offsetof(struct jit_ctx, f))
#define RUN_OFF(f) ((int32_t)offsetof(struct bpfh_run, f))
#define EXEC_OFF(f) ((int32_t)offsetof(struct bpfh_exec, f))

/* The calling-convention layer: the host's C convention (abi_sysv.c, abi_win64.c, one of which
 * defines x86_abi), and the entries and helper calls written against it (abi.c). */
struct x86_abi {
	uint8_t reg[BPFH_REG_COUNT]; /* x86 register of BPF r0..r10: r0 is rax (the helpers'
				      * return), r1.. are in arg[] as far as it goes, r6..r10
				      * survive calls */
	uint8_t ctx;                 /* holds struct jit_ctx *, survives calls */
	uint8_t t1, t2, t3;          /* scratch: no BPF register, not rax, rcx or rdx; t1 and
				      * t2 not callee-saved */
	uint8_t arg[6];              /* C's integer argument registers, nargs of them */
	uint8_t nargs;
	uint8_t saved[8];            /* the callee-saved registers, in the entries' push order */
	uint8_t nsaved;
	uint8_t shadow;              /* bytes a caller reserves for the callee above its
				      * return address (Windows: 32), stack arguments after */
	uint8_t probe;               /* the stack grows a page at a time (a guard page): code
				      * that reserves more touches each page in order */
};
extern const struct x86_abi x86_abi;
/* What both conventions' tables give alike: r0 in rax (a call's return), r6..r9 and r10 (the
 * frame pointer) in callee-saved registers that are no argument register in either, the
 * context in r12, t1 and t2 in r10 and r11. */
#define X86_ABI_COMMON \
	.reg[0] = X86_RAX, .reg[6] = X86_RBX, .reg[7] = X86_R13, .reg[8] = X86_R14, \
	.reg[9] = X86_R15, .reg[10] = X86_RBP, .ctx = X86_R12, .t1 = X86_R10, .t2 = X86_R11

/* The entry trampoline (offset 0): a C function int (struct jit_ctx *, const uint64_t
 * args[5], const void *start, uint64_t *stack_top) that saves what the ABI asks, loads r1..r5
 * from args, zeroes r0 and r6..r9, sets r10, calls start and stores r0 into the context,
 * returning JIT_STATUS_OK; or JIT_STATUS_FAULT after a fault (the context says which). */
void x86_abi_entry(struct jit_pass *p);
/* The main entry of a program that is not a leaf (label JIT_L_MAIN): a bpfh_exec_run_fn,
 * exec->run, which bpfh_exec_run jumps to. Where the program's calls are bound to a helper
 * table and the run gives another, it jumps on to bpfh_exec_run_c (which refuses the run).
 * Else it sets the run's bookkeeping as bpfh_exec_run_c does, keeps its context and, when
 * the run gives no stack, the 8 frames of stack on the native stack, loads r1..r5 from
 * run->args, calls slot 0 directly, stores r0 (0 after a fault) and returns 0 or
 * jit_fault_status's error. */
void x86_abi_main_entry(struct jit_pass *p);
/* Both entries call slot code, set ctx->entry_sp to where that call's return address is, and
 * follow the call with a two-byte jump over their fault continuation: an exit that unwinds
 * (fault, LD_ABS) sets rsp to entry_sp and returns, a fault with the return address moved
 * this many bytes on and eax = JIT_STATUS_FAULT. So unwinding does not depend on the entry,
 * nor on which program (after tail calls) the code belongs to. */
#define X86_FAULT_SKIP 2
/* A leaf program's ways in, emitted just before slot 0: the tail-call arrival
 * (JIT_L_LEAF_TAIL, r1..r5 where the ABI keeps them, r0 returned) and, falling into slot 0,
 * the run entry (JIT_L_LEAF_RUN, a bpfh_exec_run_fn); and its exit, which undoes what they
 * saved and stores r0 where t3 points, returning 0. */
void x86_abi_leaf_entry(struct jit_pass *p);
/* jit_pass.arch_flags, set by x86_abi_leaf_entry: the leaf program's code uses t3, so its
 * entries push t3, where the exits store r0 (else t3 keeps it through the run). */
#define X86_LEAF_PUSH_T3 1u
void x86_abi_leaf_exit(struct jit_pass *p);
/* Call the helper whose address is in register fn (not a BPF register), with r1..r5 as its
 * arguments and the run last, keeping the registers in keep (bit n-1 for rn) and recording r1
 * in ctx->r1 when record_r1 (a tail call's context). The native stack is 16-byte aligned in
 * slot code, as the entry leaves it. */
void x86_abi_helper_call(struct jit_pass *p, int fn, unsigned keep, int record_r1);

#endif
