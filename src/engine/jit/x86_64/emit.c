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

/* One instruction's bytes, made here and appended to the buffer at once: one check for room,
 * and no store of the buffer's length after each byte (most of the cost of making code a byte
 * at a time). x86's longest instruction is 15 bytes. */
struct x86_bytes {
	uint8_t b[16];
	unsigned n;
};

static void put8(struct x86_bytes *x, uint8_t v)
{
	x->b[x->n++] = v;
}

static void put32(struct x86_bytes *x, uint32_t v)
{
	put8(x, (uint8_t)v);
	put8(x, (uint8_t)(v >> 8));
	put8(x, (uint8_t)(v >> 16));
	put8(x, (uint8_t)(v >> 24));
}

static void put_done(struct jit_buf *b, const struct x86_bytes *x)
{
	jit_emit_bytes(b, x->b, x->n);
}

/* The rel32 to target of the instruction whose bytes so far are x, the rel32 to end it, when it
 * goes at the buffer's end. */
static uint32_t rel32_to(const struct jit_buf *b, const struct x86_bytes *x, uint32_t target)
{
	return (uint32_t)((int64_t)target - (int64_t)(jit_pos(b) + x->n + 4));
}

static void opcode(struct x86_bytes *x, unsigned opc)
{
	if (opc > 0xff)
		put8(x, (uint8_t)(opc >> 8));
	put8(x, (uint8_t)opc);
}

/* Legacy prefixes, then a REX when an extended register, a 64-bit operand or a byte register
 * numbered 4..7 (spl, bpl, sil, dil rather than ah..bh) needs one. */
static void prefixes(struct x86_bytes *x, unsigned flags, int reg, int index, int base)
{
	uint8_t rex = 0x40;
	int need = 0;

	if (flags & X86_LOCK)
		put8(x, 0xf0);
	if (flags & X86_P66)
		put8(x, 0x66);
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
		put8(x, rex);
}

static void rr(struct x86_bytes *x, unsigned flags, unsigned opc, int reg, int rm)
{
	prefixes(x, flags, reg, 0, rm);
	opcode(x, opc);
	put8(x, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

void x86_rr(struct jit_buf *b, unsigned flags, unsigned opc, int reg, int rm)
{
	struct x86_bytes x = { .n = 0 };

	rr(&x, flags, opc, reg, rm);
	put_done(b, &x);
}

/* mod 00 has no displacement, except that base rbp/r13 there means RIP-relative: those always
 * take a displacement. rsp/r12 as base need a SIB byte. */
static int mem_mod(int base, int32_t disp)
{
	if (disp == 0 && (base & 7) != 5)
		return 0;
	return fits8(disp) ? 1 : 2;
}

static void disp_bytes(struct x86_bytes *x, int mod, int32_t disp)
{
	if (mod == 1)
		put8(x, (uint8_t)disp);
	else if (mod == 2)
		put32(x, (uint32_t)disp);
}

static void rm(struct x86_bytes *x, unsigned flags, unsigned opc, int reg, int base, int32_t disp)
{
	int mod = mem_mod(base, disp);

	prefixes(x, flags, reg, 0, base);
	opcode(x, opc);
	put8(x, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
	if ((base & 7) == 4)
		put8(x, 0x24); /* SIB: no index, base */
	disp_bytes(x, mod, disp);
}

void x86_rm(struct jit_buf *b, unsigned flags, unsigned opc, int reg, int base, int32_t disp)
{
	struct x86_bytes x = { .n = 0 };

	rm(&x, flags, opc, reg, base, disp);
	put_done(b, &x);
}

void x86_rmx(struct jit_buf *b, unsigned flags, unsigned opc, int reg, int base, int index,
	     unsigned scale, int32_t disp)
{
	struct x86_bytes x = { .n = 0 };
	int mod = mem_mod(base, disp);

	prefixes(&x, flags, reg, index, base);
	opcode(&x, opc);
	put8(&x, (uint8_t)(mod << 6 | (reg & 7) << 3 | 4));
	put8(&x, (uint8_t)(scale << 6 | (index & 7) << 3 | (base & 7)));
	disp_bytes(&x, mod, disp);
	put_done(b, &x);
}

void x86_mov_rr(struct jit_buf *b, int w, int dst, int src)
{
	x86_rr(b, w ? X86_W : 0, 0x89, src, dst);
}

void x86_mov_imm(struct jit_buf *b, int dst, uint64_t v)
{
	struct x86_bytes x = { .n = 0 };

	if (v == 0) {
		rr(&x, 0, 0x31, dst, dst); /* xor r32, r32 */
	} else if (v <= 0xffffffffu) {
		prefixes(&x, 0, 0, 0, dst);     /* mov r32, imm32 (zero-extends) */
		put8(&x, (uint8_t)(0xb8 + (dst & 7)));
		put32(&x, (uint32_t)v);
	} else if ((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX) {
		rr(&x, X86_W, 0xc7, 0, dst); /* mov r64, simm32 */
		put32(&x, (uint32_t)v);
	} else {
		prefixes(&x, X86_W, 0, 0, dst); /* movabs */
		put8(&x, (uint8_t)(0xb8 + (dst & 7)));
		put32(&x, (uint32_t)v);
		put32(&x, (uint32_t)(v >> 32));
	}
	put_done(b, &x);
}

void x86_movabs(struct jit_buf *b, int dst, uint64_t v)
{
	struct x86_bytes x = { .n = 0 };

	prefixes(&x, X86_W, 0, 0, dst);
	put8(&x, (uint8_t)(0xb8 + (dst & 7)));
	put32(&x, (uint32_t)v);
	put32(&x, (uint32_t)(v >> 32));
	put_done(b, &x);
}

void x86_mov_imm32(struct jit_buf *b, int w, int dst, uint32_t v)
{
	struct x86_bytes x = { .n = 0 };

	rr(&x, w ? X86_W : 0, 0xc7, 0, dst);
	put32(&x, v);
	put_done(b, &x);
}

void x86_xor_imm32(struct jit_buf *b, int w, int dst, uint32_t v)
{
	struct x86_bytes x = { .n = 0 };

	rr(&x, w ? X86_W : 0, 0x81, X86_XOR, dst);
	put32(&x, v);
	put_done(b, &x);
}

void x86_alu_rr(struct jit_buf *b, int w, unsigned opc, int dst, int src)
{
	x86_rr(b, w ? X86_W : 0, opc, src, dst);
}

void x86_alu_ri(struct jit_buf *b, int w, int digit, int dst, int32_t imm)
{
	struct x86_bytes x = { .n = 0 };

	if (fits8(imm)) {
		rr(&x, w ? X86_W : 0, 0x83, digit, dst);
		put8(&x, (uint8_t)imm);
	} else {
		rr(&x, w ? X86_W : 0, 0x81, digit, dst);
		put32(&x, (uint32_t)imm);
	}
	put_done(b, &x);
}

void x86_alu_mi(struct jit_buf *b, int w, int digit, int base, int32_t disp, int32_t imm)
{
	struct x86_bytes x = { .n = 0 };

	if (fits8(imm)) {
		rm(&x, w ? X86_W : 0, 0x83, digit, base, disp);
		put8(&x, (uint8_t)imm);
	} else {
		rm(&x, w ? X86_W : 0, 0x81, digit, base, disp);
		put32(&x, (uint32_t)imm);
	}
	put_done(b, &x);
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

void x86_lea_scaled(struct jit_buf *b, int w, int dst, int index, unsigned scale)
{
	struct x86_bytes x = { .n = 0 };

	prefixes(&x, w ? X86_W : 0, dst, index, X86_RBP);
	put8(&x, 0x8d);
	put8(&x, (uint8_t)((dst & 7) << 3 | 4));                /* mod 00, a SIB */
	put8(&x, (uint8_t)(scale << 6 | (index & 7) << 3 | 5)); /* base 101: none, disp32 */
	put32(&x, 0);
	put_done(b, &x);
}

void x86_lea_rip(struct jit_buf *b, int dst, uint32_t target)
{
	struct x86_bytes x = { .n = 0 };

	prefixes(&x, X86_W, dst, 0, 0);
	put8(&x, 0x8d);
	put8(&x, (uint8_t)((dst & 7) << 3 | 5)); /* mod 00, r/m 101: [rip + disp32] */
	put32(&x, rel32_to(b, &x, target));
	put_done(b, &x);
}

void x86_bswap(struct jit_buf *b, int w, int r)
{
	struct x86_bytes x = { .n = 0 };

	prefixes(&x, w ? X86_W : 0, 0, 0, r);
	put8(&x, 0x0f);
	put8(&x, (uint8_t)(0xc8 + (r & 7)));
	put_done(b, &x);
}

void x86_shift_ri(struct jit_buf *b, int w, int digit, int dst, uint8_t n)
{
	struct x86_bytes x = { .n = 0 };

	if (n == 1) {
		rr(&x, w ? X86_W : 0, 0xd1, digit, dst);
	} else {
		rr(&x, w ? X86_W : 0, 0xc1, digit, dst);
		put8(&x, n);
	}
	put_done(b, &x);
}

void x86_shift_cl(struct jit_buf *b, int w, int digit, int dst)
{
	x86_rr(b, w ? X86_W : 0, 0xd3, digit, dst);
}

void x86_push(struct jit_buf *b, int r)
{
	struct x86_bytes x = { .n = 0 };

	prefixes(&x, 0, 0, 0, r);
	put8(&x, (uint8_t)(0x50 + (r & 7)));
	put_done(b, &x);
}

void x86_pop(struct jit_buf *b, int r)
{
	struct x86_bytes x = { .n = 0 };

	prefixes(&x, 0, 0, 0, r);
	put8(&x, (uint8_t)(0x58 + (r & 7)));
	put_done(b, &x);
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
	struct x86_bytes x = { .n = 0 };

	put8(&x, 0x0f);
	put8(&x, (uint8_t)(0x80 | cc));
	put32(&x, rel32_to(b, &x, target));
	put_done(b, &x);
}

void x86_jmp32(struct jit_buf *b, uint32_t target)
{
	struct x86_bytes x = { .n = 0 };

	put8(&x, 0xe9);
	put32(&x, rel32_to(b, &x, target));
	put_done(b, &x);
}

void x86_call32(struct jit_buf *b, uint32_t target)
{
	struct x86_bytes x = { .n = 0 };

	put8(&x, 0xe8);
	put32(&x, rel32_to(b, &x, target));
	put_done(b, &x);
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
		size_t k = n > 9 ? 9 : n;

		jit_emit_bytes(b, nop[k - 1], k);
		n -= k;
	}
}
