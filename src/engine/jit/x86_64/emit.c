// SPDX-License-Identifier: MIT
/*
 * x86-64 instruction encoding: prefixes, REX, ModRM, SIB and displacements, and the handful of
 * instructions the lowering needs in their shortest forms. Pure byte production: it runs on any
 * host (only running the result needs x86-64), knows nothing of BPF and never checks operands
 * beyond what the encoding itself requires.
 */
#include <errno.h>

#include "x86.h"

static int fits8(int64_t v)
{
	return v >= -128 && v <= 127;
}

static void opcode(struct jit_buf *b, unsigned opc)
{
	if (opc > 0xff)
		jit_emit8(b, (uint8_t)(opc >> 8));
	jit_emit8(b, (uint8_t)opc);
}

/* Legacy prefixes, then a REX when an extended register, a 64-bit operand or a byte register
 * numbered 4..7 (spl, bpl, sil, dil rather than ah..bh) needs one. */
static void prefixes(struct jit_buf *b, unsigned flags, int reg, int index, int base)
{
	uint8_t rex = 0x40;
	int need = 0;

	if (flags & X86_LOCK)
		jit_emit8(b, 0xf0);
	if (flags & X86_P66)
		jit_emit8(b, 0x66);
	if (flags & X86_W)
		rex |= 0x08;
	if (reg & 8)
		rex |= 0x04;
	if (index & 8)
		rex |= 0x02;
	if (base & 8)
		rex |= 0x01;
	if ((flags & X86_B8R) && reg >= 4 && reg < 8)
		need = 1;
	if ((flags & X86_B8M) && base >= 4 && base < 8)
		need = 1;
	if (rex != 0x40 || need)
		jit_emit8(b, rex);
}

void x86_rr(struct jit_buf *b, unsigned flags, unsigned opc, int reg, int rm)
{
	prefixes(b, flags, reg, 0, rm);
	opcode(b, opc);
	jit_emit8(b, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* mod 00 has no displacement, except that base rbp/r13 there means RIP-relative: those always
 * take a displacement. rsp/r12 as base need a SIB byte. */
static int mem_mod(int base, int32_t disp)
{
	if (disp == 0 && (base & 7) != 5)
		return 0;
	return fits8(disp) ? 1 : 2;
}

static void disp_bytes(struct jit_buf *b, int mod, int32_t disp)
{
	if (mod == 1)
		jit_emit8(b, (uint8_t)disp);
	else if (mod == 2)
		jit_emit32(b, (uint32_t)disp);
}

void x86_rm(struct jit_buf *b, unsigned flags, unsigned opc, int reg, int base, int32_t disp)
{
	int mod = mem_mod(base, disp);

	prefixes(b, flags, reg, 0, base);
	opcode(b, opc);
	jit_emit8(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
	if ((base & 7) == 4)
		jit_emit8(b, 0x24); /* SIB: no index, base */
	disp_bytes(b, mod, disp);
}

void x86_rmx(struct jit_buf *b, unsigned flags, unsigned opc, int reg, int base, int index,
	     unsigned scale, int32_t disp)
{
	int mod = mem_mod(base, disp);

	prefixes(b, flags, reg, index, base);
	opcode(b, opc);
	jit_emit8(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | 4));
	jit_emit8(b, (uint8_t)(scale << 6 | (index & 7) << 3 | (base & 7)));
	disp_bytes(b, mod, disp);
}

void x86_mov_rr(struct jit_buf *b, int w, int dst, int src)
{
	x86_rr(b, w ? X86_W : 0, 0x89, src, dst);
}

void x86_mov_imm(struct jit_buf *b, int dst, uint64_t v)
{
	if (v == 0) {
		x86_rr(b, 0, 0x31, dst, dst); /* xor r32, r32 */
	} else if (v <= 0xffffffffu) {
		prefixes(b, 0, 0, 0, dst);     /* mov r32, imm32 (zero-extends) */
		jit_emit8(b, (uint8_t)(0xb8 + (dst & 7)));
		jit_emit32(b, (uint32_t)v);
	} else if ((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX) {
		x86_rr(b, X86_W, 0xc7, 0, dst); /* mov r64, simm32 */
		jit_emit32(b, (uint32_t)v);
	} else {
		prefixes(b, X86_W, 0, 0, dst); /* movabs */
		jit_emit8(b, (uint8_t)(0xb8 + (dst & 7)));
		jit_emit64(b, v);
	}
}

void x86_movabs(struct jit_buf *b, int dst, uint64_t v)
{
	prefixes(b, X86_W, 0, 0, dst);
	jit_emit8(b, (uint8_t)(0xb8 + (dst & 7)));
	jit_emit64(b, v);
}

void x86_mov_imm32(struct jit_buf *b, int w, int dst, uint32_t v)
{
	x86_rr(b, w ? X86_W : 0, 0xc7, 0, dst);
	jit_emit32(b, v);
}

void x86_xor_imm32(struct jit_buf *b, int w, int dst, uint32_t v)
{
	x86_rr(b, w ? X86_W : 0, 0x81, X86_XOR, dst);
	jit_emit32(b, v);
}

void x86_alu_rr(struct jit_buf *b, int w, unsigned opc, int dst, int src)
{
	x86_rr(b, w ? X86_W : 0, opc, src, dst);
}

void x86_alu_ri(struct jit_buf *b, int w, int digit, int dst, int32_t imm)
{
	if (fits8(imm)) {
		x86_rr(b, w ? X86_W : 0, 0x83, digit, dst);
		jit_emit8(b, (uint8_t)imm);
	} else {
		x86_rr(b, w ? X86_W : 0, 0x81, digit, dst);
		jit_emit32(b, (uint32_t)imm);
	}
}

void x86_alu_mi(struct jit_buf *b, int w, int digit, int base, int32_t disp, int32_t imm)
{
	if (fits8(imm)) {
		x86_rm(b, w ? X86_W : 0, 0x83, digit, base, disp);
		jit_emit8(b, (uint8_t)imm);
	} else {
		x86_rm(b, w ? X86_W : 0, 0x81, digit, base, disp);
		jit_emit32(b, (uint32_t)imm);
	}
}

void x86_load(struct jit_buf *b, int w, int dst, int base, int32_t disp)
{
	x86_rm(b, w ? X86_W : 0, 0x8b, dst, base, disp);
}

void x86_store(struct jit_buf *b, int w, int base, int32_t disp, int src)
{
	x86_rm(b, w ? X86_W : 0, 0x89, src, base, disp);
}

void x86_lea(struct jit_buf *b, int dst, int base, int32_t disp)
{
	x86_rm(b, X86_W, 0x8d, dst, base, disp);
}

void x86_lea_rip(struct jit_buf *b, int dst, uint32_t target)
{
	prefixes(b, X86_W, dst, 0, 0);
	jit_emit8(b, 0x8d);
	jit_emit8(b, (uint8_t)((dst & 7) << 3 | 5)); /* mod 00, r/m 101: [rip + disp32] */
	jit_emit32(b, (uint32_t)((int64_t)target - (int64_t)(jit_pos(b) + 4)));
}

void x86_bswap(struct jit_buf *b, int w, int r)
{
	prefixes(b, w ? X86_W : 0, 0, 0, r);
	jit_emit8(b, 0x0f);
	jit_emit8(b, (uint8_t)(0xc8 + (r & 7)));
}

void x86_shift_ri(struct jit_buf *b, int w, int digit, int dst, uint8_t n)
{
	if (n == 1) {
		x86_rr(b, w ? X86_W : 0, 0xd1, digit, dst);
	} else {
		x86_rr(b, w ? X86_W : 0, 0xc1, digit, dst);
		jit_emit8(b, n);
	}
}

void x86_shift_cl(struct jit_buf *b, int w, int digit, int dst)
{
	x86_rr(b, w ? X86_W : 0, 0xd3, digit, dst);
}

void x86_push(struct jit_buf *b, int r)
{
	prefixes(b, 0, 0, 0, r);
	jit_emit8(b, (uint8_t)(0x50 + (r & 7)));
}

void x86_pop(struct jit_buf *b, int r)
{
	prefixes(b, 0, 0, 0, r);
	jit_emit8(b, (uint8_t)(0x58 + (r & 7)));
}

void x86_call_r(struct jit_buf *b, int r)
{
	x86_rr(b, 0, 0xff, 2, r);
}

void x86_jmp_m(struct jit_buf *b, int base, int32_t disp)
{
	x86_rm(b, 0, 0xff, 4, base, disp);
}

void x86_ret(struct jit_buf *b)
{
	jit_emit8(b, 0xc3);
}

/* rel32 = target - end of the instruction; positions are offsets in the code. */
void x86_jcc32(struct jit_buf *b, int cc, uint32_t target)
{
	jit_emit8(b, 0x0f);
	jit_emit8(b, (uint8_t)(0x80 | cc));
	jit_emit32(b, (uint32_t)((int64_t)target - (int64_t)(jit_pos(b) + 4)));
}

void x86_jmp32(struct jit_buf *b, uint32_t target)
{
	jit_emit8(b, 0xe9);
	jit_emit32(b, (uint32_t)((int64_t)target - (int64_t)(jit_pos(b) + 4)));
}

void x86_call32(struct jit_buf *b, uint32_t target)
{
	jit_emit8(b, 0xe8);
	jit_emit32(b, (uint32_t)((int64_t)target - (int64_t)(jit_pos(b) + 4)));
}

size_t x86_jcc8_fwd(struct jit_buf *b, int cc)
{
	jit_emit8(b, cc < 0 ? 0xeb : (uint8_t)(0x70 | cc));
	jit_emit8(b, 0);
	return jit_pos(b) - 1;
}

void x86_land8(struct jit_buf *b, size_t at)
{
	size_t d = jit_pos(b) - (at + 1);

	if (d > 127 && !b->err)
		b->err = -EINVAL; /* a lowering bug: the sequence outgrew its short jump */
	jit_patch8(b, at, (uint8_t)d);
}

size_t x86_jcc32_fwd(struct jit_buf *b, int cc)
{
	if (cc < 0) {
		jit_emit8(b, 0xe9);
	} else {
		jit_emit8(b, 0x0f);
		jit_emit8(b, (uint8_t)(0x80 | cc));
	}
	jit_emit32(b, 0);
	return jit_pos(b) - 4;
}

void x86_land32(struct jit_buf *b, size_t at)
{
	uint32_t d = (uint32_t)(jit_pos(b) - (at + 4));

	jit_patch8(b, at, (uint8_t)d);
	jit_patch8(b, at + 1, (uint8_t)(d >> 8));
	jit_patch8(b, at + 2, (uint8_t)(d >> 16));
	jit_patch8(b, at + 3, (uint8_t)(d >> 24));
}

/* The multi-byte nop forms (0f 1f /0 with growing addressing, 66 prefixes). */
void x86_nops(struct jit_buf *b, size_t n)
{
	static const uint8_t nop[9][9] = {
		{ 0x90 },
		{ 0x66, 0x90 },
		{ 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};

	while (n) {
		size_t k = n > 9 ? 9 : n, j;

		for (j = 0; j < k; j++)
			jit_emit8(b, nop[k - 1][j]);
		n -= k;
	}
}
