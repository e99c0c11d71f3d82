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
	.reg = {
		X86_RAX, /* r0: return value */
		X86_RCX, /* r1..r4: argument registers 1..4 */
		X86_RDX,
		X86_R8,
		X86_R9,
		X86_RSI, /* r5: callee-saved (the fifth argument goes on the stack) */
		X86_RBX, /* r6..r9: callee-saved */
		X86_R13,
		X86_R14,
		X86_R15,
		X86_RBP, /* r10: frame pointer, callee-saved */
	},
	.ctx = X86_R12,
	.t1 = X86_R10,
	.t2 = X86_R11,
	.t3 = X86_RDI, /* callee-saved: the entries keep it */
	.arg = { X86_RCX, X86_RDX, X86_R8, X86_R9 },
	.nargs = 4,
	.saved = { X86_RBP, X86_RBX, X86_RDI, X86_RSI, X86_R12, X86_R13, X86_R14, X86_R15 },
	.nsaved = 8,
	.shadow = 32,
	.probe = 1,
};
#endif
