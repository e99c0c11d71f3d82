/* SPDX-License-Identifier: MIT */
/*
 * Shared by the verifier's random-program tests (sound.c, keys.c): their random generator
 * (xorshift; BPFH_SEED mixes into each test's own start, BPFH_VERIFY_ROUNDS scales the
 * programs), the load and store opcodes by width, one run of an accepted program on the
 * checked interpreter over VP_MEM bytes of memory, and the listing of a program that broke a
 * promise.
 */
#ifndef BPFH_TEST_VPROG_H
#define BPFH_TEST_VPROG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "../../../src/isa/ops.h"

#define VP_MEM 32 /* bytes of memory the programs get (r1, r2 = VP_MEM) */

static uint64_t vp_state;

/* Start the generator at start, mixed with BPFH_SEED when set. */
static inline void vp_seed(uint64_t start)
{
	const char *seed = getenv("BPFH_SEED");

	vp_state = start;
	if (seed)
		vp_state ^= strtoull(seed, NULL, 0) * 0x2545f4914f6cdd1dull + 1;
}

static inline uint64_t vp_rnd(void)
{
	uint64_t x = vp_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return vp_state = x;
}

static inline unsigned vp_pick(unsigned n)
{
	return (unsigned)(vp_rnd() % n);
}

/* How many programs: per_round times BPFH_VERIFY_ROUNDS (4 when unset). */
static inline unsigned vp_programs(unsigned per_round)
{
	const char *rounds = getenv("BPFH_VERIFY_ROUNDS");

	return per_round * (rounds ? (unsigned)atoi(rounds) : 4);
}

/* The opcode bytes of the loads and stores of 1 << w bytes, from the opcode table. */
static inline uint8_t vp_ldx(unsigned w)
{
	static const unsigned op[4] = { BPFH_OP_LDXB, BPFH_OP_LDXH, BPFH_OP_LDXW, BPFH_OP_LDXDW };

	return bpfh_op_info(op[w & 3])->code;
}

static inline uint8_t vp_st(unsigned w)
{
	static const unsigned op[4] = { BPFH_OP_STB, BPFH_OP_STH, BPFH_OP_STW, BPFH_OP_STDW };

	return bpfh_op_info(op[w & 3])->code;
}

static inline uint8_t vp_stx(unsigned w)
{
	static const unsigned op[4] = { BPFH_OP_STXB, BPFH_OP_STXH, BPFH_OP_STXW, BPFH_OP_STXDW };

	return bpfh_op_info(op[w & 3])->code;
}

/* Run k of exec: memory zeroed (k 0) or random as r1, r2 = VP_MEM, the only region besides
 * the stack; the run's error, *r0, and its log in logbuf. */
static inline int vp_run_memory(const struct bpfh_exec *exec, int k, const bpfh_helper_fn *helpers,
				size_t nhelpers, uint64_t insn_limit, uint64_t *r0, char *logbuf,
				size_t loglen)
{
	uint64_t mem[VP_MEM / 8];
	struct bpfh_region region = { (uintptr_t)mem, VP_MEM, 1 };
	struct bpfh_run run;
	struct bpfh_log log;

	for (size_t j = 0; j < VP_MEM / 8; j++)
		mem[j] = k ? vp_rnd() : 0;
	memset(&run, 0, sizeof(run));
	run.args[0] = (uintptr_t)mem;
	run.args[1] = VP_MEM;
	run.helpers = helpers;
	run.nhelpers = nhelpers;
	run.regions = &region;
	run.nregions = 1;
	run.insn_limit = insn_limit;
	bpfh_log_init(&log, logbuf, loglen);
	run.log = &log;
	*r0 = 0;
	return bpfh_exec_run(exec, &run, r0);
}

/* The program, a line per instruction (for the first few violations). */
static inline void vp_print_program(const struct bpfh_insn *prog, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		char dis[96];

		bpfh_disasm_insn(prog, n, j, BPFH_DISASM_C, dis, sizeof(dis));
		printf("  %zu: %s\n", j, dis);
	}
}

#endif
