// SPDX-License-Identifier: MIT
/*
 * Soundness of known stack bytes (BPFH_STK_CONST) through the one thing they decide: a lookup
 * in an array with a known key below max_entries needs no NULL check. Random programs build a
 * key at r10 - 8 by stores of known and unknown numbers of every width (through r10 and through
 * a copy of it), stores at variable offsets, and branches that skip some of them; then look the
 * key up in an array of 1 to 8 entries and dereference the result without a check. For each
 * program the verifier accepts, the same program with the lookup replaced by "r0 = the key"
 * runs on the checked interpreter over random memory: a key at or past max_entries is a
 * violation (the dereference would have read NULL). Prints programs tried, accepted and
 * violations; BPFH_SEED changes the seed, BPFH_VERIFY_ROUNDS the effort.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/verify.h"
#include "../check.h"
#include "vprog.h"

#define MEM VP_MEM
#define MAX_INSNS 64
#define KEYS_START 0x243f6a8885a308d3ull /* the generator's start without BPFH_SEED */

/* A small key now and then past the map's end, and sometimes any number. */
static int32_t key_const(void)
{
	return vp_pick(8) ? (int32_t)vp_pick(10) : (int32_t)vp_rnd();
}

/* An offset in [-16, 0) aligned to the width (1 << w). */
static int16_t stack_off(unsigned w)
{
	unsigned size = 1u << w;

	return (int16_t)(-16 + (int)(vp_pick(16 / size) * size));
}

/* The key's prefix: r6 = the memory, r9 = r10 (a second stack pointer), then stores. */
static size_t gen_prefix(struct bpfh_insn *p)
{
	size_t n = 0, body = 1 + vp_pick(12);

	p[n++] = (struct bpfh_insn){ .code = 0xbf, .dst = 6, .src = 1 };
	p[n++] = (struct bpfh_insn){ .code = 0xbf, .dst = 9, .src = 10 };
	for (size_t k = 0; k < body; k++) {
		unsigned w = vp_pick(4), base = vp_pick(3) ? 10 : 9;

		switch (vp_pick(6)) {
		case 0: case 1: /* a known number, immediate */
			p[n++] = (struct bpfh_insn){ .code = vp_st(w), .dst = base,
						     .off = stack_off(w), .imm = key_const() };
			break;
		case 2: /* a known number, through a register */
			p[n++] = (struct bpfh_insn){ .code = 0xb7, .dst = 7, .imm = key_const() };
			p[n++] = (struct bpfh_insn){ .code = vp_stx(w), .dst = base, .src = 7,
						     .off = stack_off(w) };
			break;
		case 3: /* an unknown number from memory */
			p[n++] = (struct bpfh_insn){ .code = vp_ldx(w), .dst = 7, .src = 6,
						     .off = (int16_t)(vp_pick(MEM >> w) << w) };
			p[n++] = (struct bpfh_insn){ .code = vp_stx(w), .dst = base, .src = 7,
						     .off = stack_off(w) };
			break;
		case 4: { /* a byte at a variable offset in [-16, -9] or [-8, -1] */
			p[n++] = (struct bpfh_insn){ .code = 0x71, .dst = 8, .src = 6,
						     .off = (int16_t)vp_pick(MEM) };
			p[n++] = (struct bpfh_insn){ .code = 0x57, .dst = 8, .imm = 7 };
			p[n++] = (struct bpfh_insn){ .code = 0xbf, .dst = 7, .src = 10 };
			p[n++] = (struct bpfh_insn){ .code = 0x0f, .dst = 7, .src = 8 };
			p[n++] = (struct bpfh_insn){ .code = 0x72, .dst = 7,
						     .off = (int16_t)(vp_pick(2) ? -16 : -8),
						     .imm = key_const() };
			break;
		}
		case 5: /* skip the next store on some runs (paths join after it) */
			p[n++] = (struct bpfh_insn){ .code = 0x71, .dst = 8, .src = 6,
						     .off = (int16_t)vp_pick(MEM) };
			p[n++] = (struct bpfh_insn){ .code = 0x25, .dst = 8, .off = 1,
						     .imm = (int32_t)vp_pick(256) };
			p[n++] = (struct bpfh_insn){ .code = vp_st(w), .dst = base,
						     .off = stack_off(w), .imm = key_const() };
			break;
		}
	}
	return n;
}

int main(void)
{
	unsigned programs = vp_programs(10000);
	unsigned tried = 0, accepted = 0, violations = 0, runs = 0;
	struct bpfh_verify_prog_type type = bpfh_verify_type_memory(MEM);

	vp_seed(KEYS_START);
	for (unsigned i = 0; i < programs; i++) {
		struct bpfh_insn prog[MAX_INSNS + 16], run_prog[MAX_INSNS + 16];
		struct bpfh_verify_map map = { .type = 2, .key_size = 4, .value_size = 8,
					       .max_entries = 1 + vp_pick(8) };
		size_t n = gen_prefix(prog), m = n;
		struct bpfh_verify_input in;
		struct bpfh_verify_result res;
		struct bpfh_exec *exec = NULL;
		char logbuf[512];
		struct bpfh_log log;

		/* verified: the lookup and a dereference without a check */
		memcpy(run_prog, prog, n * sizeof(prog[0]));
		prog[n++] = (struct bpfh_insn){ .code = 0x18, .dst = 1, .src = 1, .imm = 0 };
		prog[n++] = (struct bpfh_insn){ 0 };
		prog[n++] = (struct bpfh_insn){ .code = 0xbf, .dst = 2, .src = 10 };
		prog[n++] = (struct bpfh_insn){ .code = 0x07, .dst = 2, .imm = -8 };
		prog[n++] = (struct bpfh_insn){ .code = 0x85, .imm = 1 };
		prog[n++] = (struct bpfh_insn){ .code = 0x79, .dst = 0, .src = 0 };
		prog[n++] = (struct bpfh_insn){ .code = 0xb7, .dst = 0, .imm = 0 };
		prog[n++] = (struct bpfh_insn){ .code = 0x95 };
		/* run: the key itself */
		run_prog[m++] = (struct bpfh_insn){ .code = 0x61, .dst = 0, .src = 10, .off = -8 };
		run_prog[m++] = (struct bpfh_insn){ .code = 0x95 };

		memset(&in, 0, sizeof(in));
		in.insns = prog;
		in.count = n;
		in.type = &type;
		in.maps = &map;
		in.nmaps = 1;
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		tried++;
		if (bpfh_verify(&in, &res, &log))
			continue;
		accepted++;
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		if (bpfh_exec_create(BPFH_ENGINE_INTERP_CHECKED, run_prog, m, NULL, &log, &exec)) {
			CHECKF(0, "program %u: the run's program not prepared: %s", i, logbuf);
			violations++;
			continue;
		}
		for (int k = 0; k < 8; k++) {
			uint64_t r0;
			int err = vp_run_memory(exec, k, NULL, 0, 10000, &r0, logbuf,
						sizeof(logbuf));

			runs++;
			if (err || r0 >= map.max_entries) {
				violations++;
				CHECKF(0, "program %u: lookup accepted without a check, but run %d "
				       "gives %d (%s), key %" PRIu64 " of %u entries", i, k, err,
				       logbuf, r0, map.max_entries);
				if (violations <= 3)
					vp_print_program(prog, n);
				break;
			}
		}
		bpfh_exec_destroy(exec);
	}
	printf("verify-keys: %u programs tried, %u accepted, %u runs, %u violations\n", tried,
	       accepted, runs, violations);
	CHECKF(accepted > tried / 50, "too few programs accepted (%u of %u) to mean anything",
	       accepted, tried);
	return check_summary("verify-keys");
}
