// SPDX-License-Identifier: MIT
/*
 * The Windows x64 calling convention, as the x86-64 JIT's entries and helper calls (abi.c)
 * need it: four argument registers (rcx, rdx, r8, r9), which hold r1..r4; a helper's fifth and
 * sixth arguments (r5 and the run) on the stack above 32 bytes of shadow space; rsi and rdi
 * callee-saved, so that r5 lives in rsi and t3 in rdi; r6..r10 and the context in the other
 * callee-saved registers. The stack grows a page at a time behind a guard page, so the
 * entries touch each page they reserve. abi_sysv.c gives the same for System V hosts.
 */
#include "x86.h"

#if defined(_WIN32)
const struct x86_abi x86_abi = {
	X86_ABI_COMMON,
	/* r1..r4: argument registers 1..4; r5 callee-saved (the fifth argument goes on the
	 * stack) */
	.reg[1] = X86_RCX, .reg[2] = X86_RDX, .reg[3] = X86_R8, .reg[4] = X86_R9,
	.reg[5] = X86_RSI,
	.t3 = X86_RDI, /* callee-saved: the entries keep it */
	.arg = { X86_RCX, X86_RDX, X86_R8, X86_R9 },
	.nargs = 4,
	.saved = { X86_RBP, X86_RBX, X86_RDI, X86_RSI, X86_R12, X86_R13, X86_R14, X86_R15 },
	.nsaved = 8,
	.shadow = 32,
	.probe = 1,
};
#endif
