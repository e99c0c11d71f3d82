// SPDX-License-Identifier: MIT
/*
 * Soundness of the verifier against the checked interpreter: random, mostly well-formed memory
 * programs (ALU on scalars and pointers, loads and stores through r1 (32 bytes of memory) and
 * r10, conditional jumps (forward, and now and then back: loops), a helper call, calls of a
 * small function appended to the program) are verified;
 * every accepted one runs on the checked interpreter over random memory contents, and any
 * run-time fault, or an r0 outside the range the verifier computed at exit, is a bug. Runs that
 * reach the instruction limit are violations too when the loop bounds the verifier proved (their
 * product times the program's length) promise fewer instructions; others are counted apart.
 * One check per violation plus one for the whole run; prints programs tried, accepted and
 * violations. BPFH_SEED changes the seed, BPFH_VERIFY_ROUNDS the effort.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/helpers.h"
#include "bpfhost/verify.h"
#include "../check.h"
#include "vprog.h"

#define MEM VP_MEM
#define MAX_INSNS 40
#define INSN_LIMIT 100000 /* per run: loops the verifier bounds finish far sooner */
#define SOUND_START 0x9e3779b97f4a7c15ull /* the generator's start without BPFH_SEED */

static const uint8_t alu_ops[] = { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0,
				   0xb0, 0xc0 };
static const uint8_t jmp_ops[] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0,
				   0xd0 };
static const int32_t consts[] = { 0, 1, 2, 3, 4, 7, 8, 15, 16, 24, 28, 31, 32, 33, 63, 64, -1,
				  -8, -16, 255, 4096 };

static int32_t some_const(void)
{
	return vp_pick(4) ? consts[vp_pick(sizeof(consts) / sizeof(consts[0]))] : (int32_t)vp_rnd();
}

/* A register to read: r1 (memory), r10 (stack) or a scalar. */
static unsigned some_src(void)
{
	unsigned r = vp_pick(12);

	return r == 11 ? 10 : r == 2 ? 1 : r;
}

/* Append a small function (ALU on its arguments, a load or store through r1 or its own stack,
 * r0 from an argument) when the program calls one, and point the calls at it. */
static size_t callee(struct bpfh_insn *p, size_t n)
{
	size_t entry = n;
	bool called = false;

	for (size_t i = 0; i < n; i++)
		if (p[i].code == 0x85 && p[i].src == 1) {
			p[i].imm = (int32_t)((int64_t)entry - (int64_t)i - 1);
			called = true;
		}
	if (!called)
		return n;
	for (unsigned k = 0, len = 1 + vp_pick(5); k < len; k++) {
		struct bpfh_insn in = { 0 };

		switch (vp_pick(4)) {
		case 0:
			in.code = (uint8_t)(0x07 | alu_ops[vp_pick(12)]);
			in.dst = (1 + vp_pick(5)) & 0xf;
			in.imm = some_const() & 31;
			break;
		case 1:
			in.code = vp_ldx(vp_pick(4));
			in.dst = (1 + vp_pick(5)) & 0xf;
			in.src = vp_pick(2) ? 1 : 10;
			in.off = (int16_t)(in.src == 1 ? (int)vp_pick(MEM + 4) - 2 : -(int)vp_pick(24) - 1);
			break;
		case 2:
			in.code = vp_st(vp_pick(4));
			in.dst = vp_pick(2) ? 1 : 10;
			in.off = (int16_t)(in.dst == 1 ? (int)vp_pick(MEM + 4) - 2 : -(int)vp_pick(24) - 1);
			in.imm = some_const();
			break;
		default:
			in.code = 0xbf;
			in.dst = 0;
			in.src = (1 + vp_pick(5)) & 0xf;
			break;
		}
		p[n++] = in;
	}
	p[n++] = (struct bpfh_insn){ .code = 0xbf, .dst = 0, .src = (1 + vp_pick(5)) & 0xf };
	p[n++] = (struct bpfh_insn){ .code = 0x95 };
	return n;
}

static size_t gen(struct bpfh_insn *p)
{
	size_t n = 0, body = 3 + vp_pick(MAX_INSNS - 12);

	for (unsigned r = 3; r <= 9; r++)
		p[n++] = (struct bpfh_insn){ .code = 0xb7, .dst = r, .imm = some_const() };
	p[n++] = (struct bpfh_insn){ .code = 0xb7, .dst = 0, .imm = some_const() };
	for (size_t k = 0; k < body; k++) {
		struct bpfh_insn in = { 0 };
		unsigned kind = vp_pick(10);
		unsigned dst = vp_pick(10);
		size_t left = body - k; /* instructions after this one, before the exit */

		switch (kind) {
		case 0: case 1: case 2: /* ALU */
			in.code = (uint8_t)((vp_pick(4) ? 0x07 : 0x04) | alu_ops[vp_pick(12)]);
			if (vp_pick(2)) {
				in.code |= 0x08;
				in.src = some_src() & 0xf;
			} else {
				in.imm = some_const();
			}
			if ((in.code & 0xf0) == 0x60 || (in.code & 0xf0) == 0x70 ||
			    (in.code & 0xf0) == 0xc0)
				in.imm &= (in.code & 7) == 7 ? 63 : 31;
			in.dst = dst & 0xf;
			break;
		case 3: case 4: { /* load */
			unsigned sz = vp_pick(4);
			unsigned base = vp_pick(3) ? 1 : 10;

			in.code = vp_ldx(sz);
			in.dst = dst & 0xf;
			in.src = base & 0xf;
			in.off = (int16_t)(base == 1 ? (int)vp_pick(MEM + 4) - 2 : -(int)vp_pick(40) - 1);
			break;
		}
		case 5: case 6: { /* store */
			unsigned sz = vp_pick(4);
			unsigned base = vp_pick(2) ? 1 : 10;

			in.dst = base & 0xf;
			in.off = (int16_t)(base == 1 ? (int)vp_pick(MEM + 4) - 2 : -(int)vp_pick(40) - 1);
			if (vp_pick(2)) {
				in.code = vp_st(sz);
				in.imm = some_const();
			} else {
				in.code = vp_stx(sz);
				in.src = some_src() & 0xf;
			}
			break;
		}
		case 7: case 8: /* forward conditional jump */
			in.code = (uint8_t)((vp_pick(4) ? 0x05 : 0x06) | jmp_ops[vp_pick(11)]);
			if (vp_pick(3)) {
				in.imm = some_const();
			} else {
				in.code |= 0x08;
				in.src = some_src() & 0xf;
			}
			in.dst = some_src() & 0xf;
			in.off = (int16_t)vp_pick((unsigned)left);
			/* Now and then a loop: back to an earlier instruction of the body. */
			if (!vp_pick(8))
				in.off = (int16_t)(-1 - (int)vp_pick((unsigned)k + 1));
			break;
		case 9:
			if (vp_pick(3) == 0) {
				/* A call of the function appended after the exit (patched below). */
				in.code = 0x85;
				in.src = 1;
				in.imm = INT32_MIN;
				break;
			}
			/* fall through */
		default:
			if (vp_pick(2) && left >= 3) {
				/* A counted loop: step a register, test it, jump back (the body
				 * may clobber the register: the verifier must notice). */
				static const int32_t steps[] = { 1, 1, 2, 4, -1, -2, 3, 0 };
				static const uint8_t tests[] = { 0xa0, 0xb0, 0xc0, 0xd0, 0x50, 0x20,
								 0x30 };
				unsigned r = 3 + vp_pick(7);

				p[n++] = (struct bpfh_insn){ .code = 0x07, .dst = r & 0xf,
							     .imm = steps[vp_pick(8)] };
				k++;
				in.code = (uint8_t)((vp_pick(4) ? 0x05 : 0x06) | tests[vp_pick(7)]);
				in.dst = r & 0xf;
				in.imm = vp_pick(2) ? (int32_t)vp_pick(64) : some_const();
				in.off = (int16_t)(-2 - (int)vp_pick((unsigned)k));
				break;
			}
			in.code = 0x85;
			in.imm = 7; /* get_prandom_u32 */
			break;
		}
		p[n++] = in;
	}
	p[n++] = (struct bpfh_insn){ .code = 0x95 };
	return callee(p, n);
}

/* Whether the proven loop bounds promise at most limit instructions per run. */
static bool promised(const struct bpfh_verify_result *res, size_t n, uint64_t limit)
{
	double total = (double)n;

	if (res->nloops > BPFH_VERIFY_MAX_LOOPS)
		return false;
	for (size_t i = 0; i < res->nloops; i++)
		total *= (double)res->loops[i].max_iterations + 1;
	return total <= (double)limit;
}

int main(void)
{
	unsigned programs = vp_programs(25000);
	unsigned with_loops = 0, with_calls = 0, tried = 0, accepted = 0, violations = 0, runs = 0, timeouts = 0;
	size_t nhelpers;
	const bpfh_helper_fn *helpers = bpfh_helper_table(&nhelpers);
	struct bpfh_verify_prog_type type = bpfh_verify_type_memory(MEM);

	vp_seed(SOUND_START);
	for (unsigned i = 0; i < programs; i++) {
		struct bpfh_insn prog[MAX_INSNS + 24];
		size_t n = gen(prog);
		struct bpfh_verify_input in;
		struct bpfh_verify_result res;
		struct bpfh_exec *exec = NULL;
		char logbuf[512];
		struct bpfh_log log;

		memset(&in, 0, sizeof(in));
		in.insns = prog;
		in.count = n;
		in.type = &type;
		in.opts.allow_unreachable = 1;
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		tried++;
		if (bpfh_verify(&in, &res, &log))
			continue;
		accepted++;
		with_loops += res.nloops > 0;
		for (size_t j = 0; j < n; j++)
			if (prog[j].code == 0x85 && prog[j].src == 1) {
				with_calls++;
				break;
			}
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		if (bpfh_exec_create(BPFH_ENGINE_INTERP_CHECKED, prog, n, NULL, &log, &exec)) {
			CHECKF(0, "program %u accepted but not prepared: %s", i, logbuf);
			violations++;
			continue;
		}
		for (int k = 0; k < 3; k++) {
			uint64_t r0;
			int err = vp_run_memory(exec, k, helpers, nhelpers, INSN_LIMIT, &r0, logbuf,
						sizeof(logbuf));

			runs++;
			if (err == -ETIMEDOUT && !promised(&res, n, INSN_LIMIT)) {
				timeouts++;
				break;
			}
			if (err || (int64_t)r0 < res.r0_min || (int64_t)r0 > res.r0_max) {
				violations++;
				CHECKF(0, "program %u: accepted, but run %d gives %d (%s), "
				       "r0 %" PRId64 " (computed [%" PRId64 ", %" PRId64 "])", i,
				       k, err, logbuf, (int64_t)r0, res.r0_min, res.r0_max);
				if (violations <= 3)
					vp_print_program(prog, n);
				break;
			}
		}
		bpfh_exec_destroy(exec);
	}
	printf("verify-sound: %u programs tried, %u accepted (%u with loops, %u with calls), %u runs, "
	       "%u violations, %u runs stopped by the instruction limit\n", tried, accepted,
	       with_loops, with_calls, runs, violations, timeouts);
	CHECKF(accepted > tried / 50, "too few programs accepted (%u of %u) to mean anything",
	       accepted, tried);
	return check_summary("verify-sound");
}
