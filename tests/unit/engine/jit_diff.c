// SPDX-License-Identifier: MIT
/*
 * Differential test of the JIT against the interpreters. From a fixed seed it generates random
 * well-formed programs, drawing instructions from every row of the opcode table: ALU and ALU64
 * (all operations, immediates at the interesting edges, divisors that are 0 or -1 at run time),
 * byte swaps, sign extension, loads, stores and atomics on the stack and on a 64-byte memory
 * block at valid offsets, address computations (mov, then adds of immediates and registers,
 * which the JIT merges into one lea where no jump lands between them), the shift-and-or of a
 * rotate (one rol in the JIT) and its near misses, forward jumps and
 * bounded loops (tested at the end, or at the head and entered again by a jump back, whose
 * test the JIT makes at that jump), helper 5 (identity) by call and
 * callx, local calls and callx into up to six subprograms (8 frames at most), LD_ABS/LD_IND on
 * the block as the packet, and lddw. Each program runs on the checked interpreter first, which
 * must run it clean; then the fast interpreter and the JIT run it from the same memory, the
 * same stack (run->stack, filled with the same random bytes) and the same arguments, and r0,
 * the error, the memory block and the whole stack must be equal on all of them; the JIT runs
 * twice, as it compiles by default and with its options: constant blinding, the helper table
 * bound at compile time and helper 5's prototype (bpfh_exec_opts.blind, helpers and
 * helper_info: one argument, so that only what the program reads of r1..r5 is kept).
 *
 * Runs for BPFH_JIT_DIFF_SECONDS (default 5) or 200,000 programs, whichever comes first, and
 * prints the programs compared, the mismatches (goal 0) and the JIT's compile time per 100
 * instructions as notes, then "jit-diff: N passed, N failed" for two checks: no mismatch, and
 * no program the generator made was refused or faulted on the checked interpreter. Skips
 * (0 passed) where the JIT is not available.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "../../../src/isa/ops.h"
#include "../../../src/platform/platform.h"
#include "../check.h"

#define MEM_SIZE 64
#define STACK_WORDS (BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8)
#define MAX_SLOTS 4096
#define MAX_FUNCS 7 /* main + 6: depth at most 7 frames */
#define MAX_PROGRAMS 200000
#define RUNS_PER_PROGRAM 2

/* ---- random numbers ---- */

/* Arbitrary code, run knowingly unverified (see bpfh_exec_opts.verdict). */
static const struct bpfh_exec_opts unverified = { .sz = sizeof(unverified),
						  .verdict = BPFH_EXEC_UNVERIFIED };

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static int32_t interesting_imm(void)
{
	static const int32_t edge[] = { 0, 1, -1, 2, -2, 7, 8, 16, 31, 32, 33, 63, 64, 0xff,
					0xffff, 0x7fffffff, INT32_MIN, 0x12345678, -0x7ff };

	switch (below(3)) {
	case 0:
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return (int32_t)below(64) - 16;
	default:
		return (int32_t)(uint32_t)rnd();
	}
}

/* ---- the generator ---- */

/* r9 holds the memory block's address and is never written; r8 is the loop counter, written
 * only by loops; r10 is the frame. Instructions write r0..r7. */
#define REG_MEM 9
#define REG_LOOP 8

struct fixup {
	size_t slot;   /* the jump or call to patch */
	size_t target; /* item index within its block, or function index */
	int kind;      /* 0 jump (off), 1 ja32 / call local (imm), 2 lddw func (imm) */
};

struct prog {
	struct bpfh_insn insns[MAX_SLOTS];
	size_t n;
	int overflow;
	size_t func_start[MAX_FUNCS];
	unsigned nfuncs;
	struct fixup calls[256]; /* calls and lddw func, patched once every function is placed */
	size_t ncalls;
};

static unsigned rows_by_form[BPFH_FORM__COUNT][BPFH_OP__COUNT];
static unsigned nrows_by_form[BPFH_FORM__COUNT];

static void index_rows(void)
{
	unsigned op;

	for (op = 1; op < BPFH_OP__COUNT; op++) {
		unsigned f = bpfh_op_info(op)->form;

		rows_by_form[f][nrows_by_form[f]++] = op;
	}
}

static unsigned pick_row(unsigned form)
{
	return rows_by_form[form][below(nrows_by_form[form])];
}

static struct bpfh_insn *emit(struct prog *p, unsigned op)
{
	const struct bpfh_op_info *info = bpfh_op_info(op);
	struct bpfh_insn *in;

	if (p->n + 2 > MAX_SLOTS) {
		p->overflow = 1;
		p->n = 0;
	}
	in = &p->insns[p->n++];
	memset(in, 0, sizeof(*in));
	in->code = info->code;
	switch (info->form) { /* the selector */
	case BPFH_FORM_ALU_K: case BPFH_FORM_ALU_X: case BPFH_FORM_MOVSX:
		in->off = (int16_t)info->sel;
		break;
	case BPFH_FORM_END: case BPFH_FORM_ATOMIC:
		in->imm = info->sel;
		break;
	case BPFH_FORM_CALL: case BPFH_FORM_LDDW:
		in->src = (uint8_t)info->sel;
		break;
	default:
		break;
	}
	return in;
}

static unsigned wreg(void)
{
	return below(8);
}

static unsigned rreg(void)
{
	return below(10);
}

static void emit_lddw(struct prog *p, unsigned dst, uint64_t v)
{
	struct bpfh_insn *in = emit(p, BPFH_OP_LDDW);

	in->dst = (uint8_t)dst;
	in->imm = (int32_t)(uint32_t)v;
	in = &p->insns[p->n++];
	memset(in, 0, sizeof(*in));
	in->imm = (int32_t)(uint32_t)(v >> 32);
}

static void emit_mov_k(struct prog *p, unsigned dst, int32_t imm)
{
	struct bpfh_insn *in = emit(p, BPFH_OP_MOV64_K);

	in->dst = (uint8_t)dst;
	in->imm = imm;
}

static void gen_alu(struct prog *p)
{
	static const unsigned forms[] = { BPFH_FORM_ALU_K, BPFH_FORM_ALU_X, BPFH_FORM_ALU_K,
					  BPFH_FORM_ALU_X, BPFH_FORM_NEG, BPFH_FORM_MOVSX,
					  BPFH_FORM_END };
	unsigned op = pick_row(forms[below(sizeof(forms) / sizeof(forms[0]))]);
	unsigned form = bpfh_op_info(op)->form;
	struct bpfh_insn *in;

	/* a divisor register of 0 or -1 now and then, and INT_MIN dividends */
	if (form == BPFH_FORM_ALU_X && below(4) == 0) {
		unsigned src = wreg();
		static const int32_t div_edge[] = { 0, -1, 1, INT32_MIN };

		emit_mov_k(p, src, div_edge[below(4)]);
		in = emit(p, op);
		in->dst = (uint8_t)wreg();
		in->src = (uint8_t)src;
		return;
	}
	in = emit(p, op);
	in->dst = (uint8_t)wreg();
	if (form == BPFH_FORM_ALU_X || form == BPFH_FORM_MOVSX)
		in->src = (uint8_t)rreg();
	if (form == BPFH_FORM_ALU_K)
		in->imm = interesting_imm();
}

/* A base register and an offset for an access of size bytes: the current frame (r10, within
 * its 512 bytes) or the memory block (r9); aligned when asked (atomics). */
static void pick_place(unsigned size, int aligned, uint8_t *base, int16_t *off)
{
	if (below(2)) {
		int o = -(int)size - (int)below(96);

		if (aligned)
			o &= ~(int)(size - 1);
		*base = 10;
		*off = (int16_t)o;
	} else {
		int o = (int)below(MEM_SIZE - size + 1);

		if (aligned)
			o &= ~(int)(size - 1);
		*base = REG_MEM;
		*off = (int16_t)o;
	}
}

static void gen_mem(struct prog *p)
{
	static const unsigned forms[] = { BPFH_FORM_LDX, BPFH_FORM_ST, BPFH_FORM_STX };
	unsigned op = pick_row(forms[below(3)]);
	unsigned form = bpfh_op_info(op)->form, size = bpfh_op_mem_size(op);
	struct bpfh_insn *in = emit(p, op);
	uint8_t base;
	int16_t off;

	pick_place(size, 0, &base, &off);
	in->off = off;
	if (form == BPFH_FORM_LDX) {
		in->src = base;
		in->dst = (uint8_t)wreg();
		if (below(4) == 0) { /* a byte swap of what was loaded (merged after ldxh) */
			unsigned dst = in->dst;

			in = emit(p, pick_row(BPFH_FORM_END));
			in->dst = (uint8_t)dst;
		}
	} else {
		in->dst = base;
		if (form == BPFH_FORM_ST)
			in->imm = interesting_imm();
		else
			in->src = (uint8_t)rreg();
	}
}

static void gen_atomic(struct prog *p)
{
	unsigned op = pick_row(BPFH_FORM_ATOMIC);
	struct bpfh_insn *in;
	uint8_t base;
	int16_t off;

	pick_place(bpfh_op_mem_size(op), 1, &base, &off);
	if ((op == BPFH_OP_ACMPXCHG32 || op == BPFH_OP_ACMPXCHG64) && below(2)) {
		/* make the compare succeed: r0 = the value there (for 32 bits, with other upper
		 * bits, which the result must not keep) */
		in = emit(p, op == BPFH_OP_ACMPXCHG32 ? BPFH_OP_LDXW : BPFH_OP_LDXDW);
		in->dst = 0;
		in->src = base;
		in->off = off;
		if (op == BPFH_OP_ACMPXCHG32 && below(2)) {
			emit_lddw(p, 7, rnd() << 32);
			in = emit(p, BPFH_OP_OR64_X);
			in->dst = 0;
			in->src = 7;
		}
	}
	in = emit(p, op);
	in->dst = base;
	in->off = off;
	in->src = (uint8_t)(bpfh_op_info(op)->sel & 1 ? wreg() : rreg()); /* fetch writes src */
}

static void gen_ldpkt(struct prog *p)
{
	unsigned op = pick_row(below(2) ? BPFH_FORM_LDABS : BPFH_FORM_LDIND);
	struct bpfh_insn *in;

	if (bpfh_op_info(op)->form == BPFH_FORM_LDIND && below(2)) {
		/* an index that lands in the packet */
		emit_mov_k(p, 6, (int32_t)below(8));
		in = emit(p, op);
		in->src = 6;
		in->imm = (int32_t)below(MEM_SIZE / 2);
		return;
	}
	in = emit(p, op);
	in->imm = (int32_t)below(MEM_SIZE + 16) - 8;
	if (bpfh_op_info(op)->form == BPFH_FORM_LDIND)
		in->src = (uint8_t)rreg();
}

static void gen_helper(struct prog *p)
{
	struct bpfh_insn *in;

	if (below(3)) {
		in = emit(p, BPFH_OP_CALL);
		in->imm = 5;
	} else {
		unsigned r = wreg();

		emit_mov_k(p, r, 5);
		in = emit(p, BPFH_OP_CALLX);
		in->dst = (uint8_t)r;
	}
}

static void gen_call(struct prog *p, unsigned func)
{
	struct bpfh_insn *in;

	if (below(2)) {
		in = emit(p, BPFH_OP_CALL_LOCAL);
		p->calls[p->ncalls++] = (struct fixup){ p->n - 1, func, 1 };
	} else {
		unsigned r = wreg();

		in = emit(p, BPFH_OP_LDDW_FUNC);
		in->dst = (uint8_t)r;
		p->calls[p->ncalls++] = (struct fixup){ p->n - 1, func, 2 };
		in = &p->insns[p->n++];
		memset(in, 0, sizeof(*in));
		in = emit(p, BPFH_OP_CALLX);
		in->dst = (uint8_t)r;
	}
}

/*
 * A block of nitems items of function func. Jumps go forward to an item of the same block or
 * its end; a loop (not inside another) runs a nested block 1..8 times on r8.
 */
/* One step of an address computation `rd = rs; rd += imm; rd += rx` (the JIT merges such
 * slots where no jump lands between them; here jumps may): an add of an immediate or of a
 * register (now and then rd itself, which must not merge), or now and then something else. */
/* The shift-and-or rotate compilers write (a = x; a <<= k; b = x; b >>= w - k; a |= b, either
 * shift first, 32 or 64 bits), which the JIT makes one rol; now and then a near miss (counts
 * that do not add up to the width), and registers drawn at random (so sometimes the same,
 * which is no rotate either). */
static void gen_rotate(struct prog *p)
{
	int w = (int)below(2), left_first = (int)below(2);
	unsigned a = wreg(), b = wreg(), x = rreg(), bits = w ? 64 : 32;
	unsigned k = 1 + below(bits - 1), other = bits - k;
	unsigned mov = w ? BPFH_OP_MOV64_X : BPFH_OP_MOV32_X;
	unsigned lsh = w ? BPFH_OP_LSH64_K : BPFH_OP_LSH32_K;
	unsigned rsh = w ? BPFH_OP_RSH64_K : BPFH_OP_RSH32_K;
	struct bpfh_insn *in;

	if (below(8) == 0 && other > 1)
		other--;
	in = emit(p, mov);
	in->dst = (uint8_t)a;
	in->src = (uint8_t)x;
	in = emit(p, left_first ? lsh : rsh);
	in->dst = (uint8_t)a;
	in->imm = (int32_t)(left_first ? k : other);
	in = emit(p, mov);
	in->dst = (uint8_t)b;
	in->src = (uint8_t)x;
	in = emit(p, left_first ? rsh : lsh);
	in->dst = (uint8_t)b;
	in->imm = (int32_t)(left_first ? other : k);
	in = emit(p, w ? BPFH_OP_OR64_X : BPFH_OP_OR32_X);
	in->dst = (uint8_t)a;
	in->src = (uint8_t)b;
}

static void gen_addr_step(struct prog *p, unsigned dst)
{
	struct bpfh_insn *in;
	unsigned c = below(8);

	if (c == 0) {
		gen_alu(p);
		return;
	}
	in = emit(p, c < 4 ? BPFH_OP_ADD64_K : BPFH_OP_ADD64_X);
	in->dst = (uint8_t)dst;
	if (c < 4)
		in->imm = interesting_imm();
	else
		in->src = (uint8_t)(c == 4 ? dst : rreg());
}

static void gen_block(struct prog *p, unsigned func, unsigned nfuncs, unsigned nitems,
		      int in_loop)
{
	unsigned addr_left = 0, addr_dst = 0;
	size_t item_slot[64];
	struct fixup jumps[64];
	size_t njumps = 0, k;
	unsigned i;

	if (nitems > 63)
		nitems = 63;
	for (i = 0; i < nitems && !p->overflow; i++) {
		unsigned c = below(100);

		item_slot[i] = p->n;
		if (addr_left) { /* the rest of an address computation, one item each */
			gen_addr_step(p, addr_dst);
			addr_left--;
		} else if (c < 5) {
			struct bpfh_insn *in = emit(p, BPFH_OP_MOV64_X);

			addr_dst = wreg();
			in->dst = (uint8_t)addr_dst;
			in->src = (uint8_t)rreg();
			addr_left = 1 + below(3);
		} else if (c < 38) {
			gen_alu(p);
		} else if (c < 55) {
			gen_mem(p);
		} else if (c < 61) {
			gen_atomic(p);
		} else if (c < 73) { /* a forward jump */
			unsigned op = below(8) ? pick_row(below(2) ? BPFH_FORM_JMP_K :
								     BPFH_FORM_JMP_X) :
					       below(2) ? BPFH_OP_JA : BPFH_OP_JA32;
			struct bpfh_insn *in = emit(p, op);
			unsigned form = bpfh_op_info(op)->form;

			if (form == BPFH_FORM_JMP_K || form == BPFH_FORM_JMP_X) {
				in->dst = (uint8_t)rreg();
				if (form == BPFH_FORM_JMP_X)
					in->src = (uint8_t)rreg();
				else
					in->imm = interesting_imm();
			}
			jumps[njumps++] = (struct fixup){ p->n - 1, i + 1 + below(nitems - i),
							  op == BPFH_OP_JA32 };
		} else if (c < 77 && !in_loop && below(2)) {
			size_t body;
			struct bpfh_insn *in;

			emit_mov_k(p, REG_LOOP, 1 + (int32_t)below(8));
			body = p->n;
			gen_block(p, func, nfuncs, 1 + below(8), 1);
			in = emit(p, BPFH_OP_SUB64_K);
			in->dst = REG_LOOP;
			in->imm = 1;
			in = emit(p, BPFH_OP_JNE_K);
			in->dst = REG_LOOP;
			in->off = (int16_t)((int64_t)body - (int64_t)p->n);
		} else if (c < 77 && !in_loop) {
			/* a loop tested at its head, entered again by a jump back (the JIT does
			 * the test at that jump): head: if REG_LOOP s<= 0 (or == 0, 64 or 32
			 * bits) goto out; body; REG_LOOP -= 1; goto head; out: */
			static const unsigned tests[] = { BPFH_OP_JSLE_K, BPFH_OP_JSLE32_K,
							  BPFH_OP_JEQ_K, BPFH_OP_JEQ32_K };
			unsigned back = below(4) ? BPFH_OP_JA : BPFH_OP_JA32;
			size_t head, test;
			struct bpfh_insn *in;

			emit_mov_k(p, REG_LOOP, (int32_t)below(8));
			head = p->n;
			in = emit(p, tests[below(4)]);
			in->dst = REG_LOOP;
			test = p->n - 1;
			gen_block(p, func, nfuncs, 1 + below(8), 1);
			in = emit(p, BPFH_OP_SUB64_K);
			in->dst = REG_LOOP;
			in->imm = 1;
			in = emit(p, back);
			if (back == BPFH_OP_JA32)
				in->imm = (int32_t)((int64_t)head - (int64_t)p->n);
			else
				in->off = (int16_t)((int64_t)head - (int64_t)p->n);
			if (!p->overflow)
				p->insns[test].off = (int16_t)((int64_t)p->n - (int64_t)test - 1);
		} else if (c < 84) {
			gen_helper(p);
		} else if (c < 90 && func + 1 < nfuncs) {
			gen_call(p, func + 1 + below(nfuncs - func - 1));
		} else if (c < 93) {
			gen_ldpkt(p);
		} else if (c < 96) {
			gen_rotate(p);
		} else {
			if (below(2))
				emit_lddw(p, wreg(), rnd());
			else
				emit_mov_k(p, wreg(), interesting_imm());
		}
	}
	item_slot[nitems] = p->n;
	for (k = 0; k < njumps && !p->overflow; k++) {
		struct bpfh_insn *in = &p->insns[jumps[k].slot];
		int64_t d = (int64_t)item_slot[jumps[k].target] - (int64_t)jumps[k].slot - 1;

		if (jumps[k].kind)
			in->imm = (int32_t)d;
		else
			in->off = (int16_t)d;
	}
}

static size_t generate(struct prog *p)
{
	unsigned f, r, fold = below(2);
	size_t k;

	p->n = 0;
	p->overflow = 0;
	p->ncalls = 0;
	p->nfuncs = 1 + below(MAX_FUNCS);
	/* main: the memory block's address in r9, some registers set */
	{
		struct bpfh_insn *in = emit(p, BPFH_OP_MOV64_X);

		in->dst = REG_MEM;
		in->src = 1;
	}
	for (r = 0; r < 8; r++) {
		if (below(3) == 0)
			continue;
		if (below(2))
			emit_lddw(p, r, rnd());
		else
			emit_mov_k(p, r, interesting_imm());
	}
	for (f = 0; f < p->nfuncs && !p->overflow; f++) {
		p->func_start[f] = p->n;
		gen_block(p, f, p->nfuncs, 4 + below(f ? 24 : 60), 0);
		if (fold) /* every register into r0 */
			for (r = 1; r <= 9; r++) {
				struct bpfh_insn *in = emit(p, BPFH_OP_XOR64_X);

				in->dst = 0;
				in->src = (uint8_t)r;
			}
		emit(p, BPFH_OP_EXIT);
	}
	for (k = 0; k < p->ncalls && !p->overflow; k++) {
		struct bpfh_insn *in = &p->insns[p->calls[k].slot];

		in->imm = (int32_t)((int64_t)p->func_start[p->calls[k].target] -
				    (int64_t)p->calls[k].slot - 1);
	}
	return p->overflow ? 0 : p->n;
}

/* ---- running and comparing ---- */

static uint64_t scramble(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
	return a ^ b ^ c ^ d ^ e ^ f;
}

static uint64_t (*volatile scramble_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
					 uint64_t) = scramble;
static volatile uint64_t sink;

/* Helper 5 gives back r1, as the conformance suite's; on the way it calls a function with
 * other values in every argument register, so that any r1..r5 the JIT fails to keep across
 * the call is visibly changed. */
static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfh_run *run)
{
	(void)run;
	sink = scramble_fn(~r1, ~r2, ~r3, ~r4, ~r5, 0x5a5a5a5a5a5a5a5aull);
	return r1;
}

static const bpfh_helper_fn helpers[6] = { [5] = helper_identity };

/* Helper 5's prototype: its result depends on r1 only. */
static int helper_info(void *ctx, uint32_t id, unsigned *nargs, unsigned *flags)
{
	(void)ctx;
	if (id != 5)
		return -ENOENT;
	*nargs = 1;
	*flags = 0;
	return 0;
}

struct outcome {
	int err;
	uint64_t r0;
	uint8_t mem[MEM_SIZE];
	uint64_t stack[STACK_WORDS];
};

struct input {
	uint8_t mem[MEM_SIZE];
	uint64_t stack[STACK_WORDS];
	uint64_t args[5];
};

static uint8_t mem_buf[MEM_SIZE] __attribute__((aligned(8)));
static uint64_t stack_buf[STACK_WORDS];

static void run_one(const struct bpfh_exec *exec, const struct input *in, struct outcome *out,
		    char *logbuf, size_t loglen)
{
	struct bpfh_region region = { (uintptr_t)mem_buf, MEM_SIZE, 1 };
	struct bpfh_run run;
	struct bpfh_log log;

	memcpy(mem_buf, in->mem, MEM_SIZE);
	memcpy(stack_buf, in->stack, sizeof(stack_buf));
	bpfh_log_init(&log, logbuf, loglen);
	memset(&run, 0, sizeof(run));
	memcpy(run.args, in->args, sizeof(run.args));
	run.args[0] = (uintptr_t)mem_buf;
	run.args[1] = MEM_SIZE;
	run.helpers = helpers;
	run.nhelpers = 6;
	run.pkt = mem_buf;
	run.pkt_len = MEM_SIZE;
	run.regions = &region;
	run.nregions = 1;
	run.insn_limit = 1000000;
	run.stack = stack_buf;
	run.log = &log;
	out->r0 = 0;
	out->err = bpfh_exec_run(exec, &run, &out->r0);
	memcpy(out->mem, mem_buf, MEM_SIZE);
	memcpy(out->stack, stack_buf, sizeof(stack_buf));
}

static int same(const struct outcome *a, const struct outcome *b)
{
	return a->err == b->err && a->r0 == b->r0 && !memcmp(a->mem, b->mem, MEM_SIZE) &&
	       !memcmp(a->stack, b->stack, sizeof(a->stack));
}

static void print_program(const struct prog *p)
{
	char text[128];
	size_t i;
	int n;

	for (i = 0; i < p->n; i += n > 0 ? (size_t)n : 1) {
		n = bpfh_disasm_insn(p->insns, p->n, i, BPFH_DISASM_C, text, sizeof(text));
		printf("      %4zu: %s\n", i, text);
	}
}

/* A watchdog for the runs on the fast engines, which count no instructions: a program the
 * checked interpreter ran to its end within its budget that does not end there is a failure,
 * reported with the program, not a hang of the suite. */
#define RUN_SECONDS 10
static const struct prog *running;

#if defined(__unix__)
#include <signal.h>
#include <unistd.h>

static void overdue(int sig)
{
	(void)sig;
	printf("FAIL jit-diff: a run of this program did not end within %d s on the fast "
	       "engines (it ends on interp-checked):\n", RUN_SECONDS);
	if (running)
		print_program(running);
	printf("jit-diff: 0 passed, 1 failed\n");
	fflush(stdout);
	_exit(1);
}

static void watch(int on)
{
	if (on)
		signal(SIGALRM, overdue);
	alarm(on ? RUN_SECONDS : 0);
}
#else
static void watch(int on)
{
	(void)on;
}
#endif

static void describe(const char *name, const struct outcome *o, const struct outcome *ref)
{
	size_t i;

	printf("      %s: err %d r0 0x%llx", name, o->err, (unsigned long long)o->r0);
	for (i = 0; i < MEM_SIZE; i++)
		if (o->mem[i] != ref->mem[i]) {
			printf(", mem[%zu] 0x%02x (checked 0x%02x)", i, o->mem[i], ref->mem[i]);
			break;
		}
	for (i = 0; i < STACK_WORDS; i++)
		if (o->stack[i] != ref->stack[i]) {
			printf(", stack word %zu 0x%llx (checked 0x%llx)", i,
			       (unsigned long long)o->stack[i], (unsigned long long)ref->stack[i]);
			break;
		}
	printf("\n");
}

static int jit_available(void)
{
	struct bpfh_insn exit_insn = { 0x95, 0, 0, 0, 0 };
	struct bpfh_exec *exec;

	if (bpfh_exec_create(BPFH_ENGINE_JIT, &exit_insn, 1, &unverified, NULL, &exec))
		return 0;
	bpfh_exec_destroy(exec);
	return 1;
}

int main(void)
{
	static struct prog prog;
	static struct input input;
	static struct outcome oc, oi, oj, ob;
	static char logbuf[4][1024];
	struct bpfh_exec_opts blind_opts;
	const char *env = getenv("BPFH_JIT_DIFF_SECONDS");
	double seconds = env ? atof(env) : 5.0;
	uint64_t t0 = bpfh_time_ns(), jit_ns = 0, jit_insns = 0, interp_ns = 0;
	unsigned long programs = 0, runs = 0, mismatches = 0, unclean = 0, refused = 0, shown = 0;
	unsigned long jit_programs = 0;

	if (!jit_available()) {
		printf("# jit-diff: skipped, the JIT is not available on this host\n");
		return check_summary("jit-diff");
	}
	index_rows();
	memset(&blind_opts, 0, sizeof(blind_opts));
	blind_opts.sz = sizeof(blind_opts);
	blind_opts.verdict = BPFH_EXEC_UNVERIFIED;
	blind_opts.blind = 1;
	blind_opts.helpers = helpers;
	blind_opts.nhelpers = 6;
	blind_opts.helper_info = helper_info;
	while (programs < MAX_PROGRAMS &&
	       (double)(bpfh_time_ns() - t0) < seconds * 1e9) {
		struct bpfh_exec *ec = NULL, *ei = NULL, *ej = NULL, *eb = NULL;
		struct bpfh_log log;
		size_t count = generate(&prog);
		uint64_t c0, c1;
		int r, bad = 0;

		if (!count)
			continue;
		bpfh_log_init(&log, logbuf[0], sizeof(logbuf[0]));
		c0 = bpfh_time_ns();
		if (bpfh_exec_create(BPFH_ENGINE_INTERP, prog.insns, count, &unverified, &log, &ei)) {
			if (refused++ < 3)
				printf("# refused: %s", logbuf[0]);
			continue;
		}
		c1 = bpfh_time_ns();
		interp_ns += c1 - c0;
		if (bpfh_exec_create(BPFH_ENGINE_INTERP_CHECKED, prog.insns, count, NULL, &log,
				     &ec) ||
		    bpfh_exec_create(BPFH_ENGINE_JIT, prog.insns, count, &unverified, &log, &ej)) {
			CHECKF(0, "program %lu prepares on interp but not on the others: %s",
			       programs, logbuf[0]);
			bpfh_exec_destroy(ec);
			bpfh_exec_destroy(ei);
			continue;
		}
		jit_ns += bpfh_time_ns() - c1;
		if (bpfh_exec_create(BPFH_ENGINE_JIT, prog.insns, count, &blind_opts, &log, &eb)) {
			CHECKF(0, "program %lu prepares on the JIT but not with options: %s",
			       programs, logbuf[0]);
			bpfh_exec_destroy(ec);
			bpfh_exec_destroy(ei);
			bpfh_exec_destroy(ej);
			continue;
		}
		jit_insns += count;
		jit_programs++;
		for (r = 0; r < RUNS_PER_PROGRAM; r++) {
			size_t w;

			for (w = 0; w < MEM_SIZE; w++)
				input.mem[w] = (uint8_t)rnd();
			for (w = 0; w < STACK_WORDS; w++)
				input.stack[w] = r ? rnd() : 0;
			for (w = 0; w < 5; w++)
				input.args[w] = rnd();
			run_one(ec, &input, &oc, logbuf[0], sizeof(logbuf[0]));
			if (oc.err) {
				if (unclean++ < 3) {
					printf("# program %lu not clean on interp-checked: %s",
					       programs, logbuf[0]);
					print_program(&prog);
				}
				break;
			}
			running = &prog;
			watch(1);
			run_one(ei, &input, &oi, logbuf[1], sizeof(logbuf[1]));
			run_one(ej, &input, &oj, logbuf[2], sizeof(logbuf[2]));
			run_one(eb, &input, &ob, logbuf[3], sizeof(logbuf[3]));
			watch(0);
			runs++;
			if (!same(&oc, &oi) || !same(&oc, &oj) || !same(&oc, &ob)) {
				bad = 1;
				if (shown++ < 3) {
					printf("FAIL jit-diff: program %lu, run %d differs\n",
					       programs, r);
					describe("interp-checked", &oc, &oc);
					describe("interp", &oi, &oc);
					describe("jit", &oj, &oc);
					describe("jit-opts", &ob, &oc);
					print_program(&prog);
				}
				break;
			}
		}
		if (!oc.err || bad) {
			programs++;
			mismatches += bad;
		}
		bpfh_exec_destroy(ec);
		bpfh_exec_destroy(ei);
		bpfh_exec_destroy(ej);
		bpfh_exec_destroy(eb);
	}
	printf("# jit-diff: %lu programs compared (%lu runs on 3 engines and the JIT with options), %lu mismatches, "
	       "%lu not clean on interp-checked, %lu refused\n", programs, runs, mismatches,
	       unclean, refused);
	if (jit_insns)
		printf("# jit-diff: JIT compile %.1f us per 100 instructions (interp prepare "
		       "%.1f), %lu programs of %.0f instructions on average\n",
		       (double)jit_ns / 1e3 * 100.0 / (double)jit_insns,
		       (double)interp_ns / 1e3 * 100.0 / (double)jit_insns, jit_programs,
		       (double)jit_insns / (double)jit_programs);
	CHECKF(programs > 0 && mismatches == 0, "%lu of %lu programs differ", mismatches,
	       programs);
	CHECKF(unclean == 0 && refused == 0, "the generator made programs the checked interpreter "
	       "refuses or faults on (%lu, %lu)", unclean, refused);
	return check_summary("jit-diff");
}
