// SPDX-License-Identifier: MIT
/*
 * The System V AMD64 calling convention (Linux, the BSDs, macOS), as the x86-64 JIT's entries
 * and helper calls (abi.c) need it: r1..r5 in the first five argument registers and the run,
 * a helper's sixth argument, in the sixth (t3); r6..r10 and the context in callee-saved
 * registers. abi_win64.c gives the same for Windows.
 */
#include "x86.h"

#if !defined(_WIN32)
const struct x86_abi x86_abi = {
	X86_ABI_COMMON,
	/* r1..r5: argument registers 1..5 */
	.reg[1] = X86_RDI, .reg[2] = X86_RSI, .reg[3] = X86_RDX, .reg[4] = X86_RCX,
	.reg[5] = X86_R8,
	.t3 = X86_R9, /* also the sixth argument: the run, loaded just before a helper call */
	.arg = { X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_R9 },
	.nargs = 6,
	.saved = { X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15 },
	.nsaved = 6,
	.shadow = 0,
	.probe = 0,
};
#endif
