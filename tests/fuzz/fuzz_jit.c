// SPDX-License-Identifier: MIT
/*
 * libFuzzer target comparing the JIT with the checked interpreter: the first 64 bytes are the
 * memory r1 points to (also the LD_ABS packet), the rest a program image. A program that
 * decodes and that the checked interpreter runs to its exit without a fault within 4096
 * instructions must then give, on the JIT from the same memory and the same (zeroed) stack,
 * the same r0, the same memory and the same stack, compiled plainly and with constant blinding
 * (bpfh_exec_opts.blind); any difference aborts. The checked run is
 * what makes running arbitrary bytes as machine code safe: both engines follow the same path,
 * and the checked one proved that path's every access in bounds. Helper 5 (identity) is the
 * only helper. Does nothing where the JIT is not available.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Returns r1; calls through a pointer with other values in the argument registers first, so
 * that r1..r5 the JIT fails to keep across a helper call change visibly. */
/* Arbitrary code, run knowingly unverified (see bpfh_exec_opts.verdict). */
static const struct bpfh_exec_opts unverified = { .sz = sizeof(unverified),
						  .verdict = BPFH_EXEC_UNVERIFIED };

static uint64_t scramble(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a ^ b ^ c ^ d ^ e;
}

static uint64_t (*volatile scramble_fn)(uint64_t, uint64_t, uint64_t, uint64_t,
					 uint64_t) = scramble;
static volatile uint64_t sink;

static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfh_run *run)
{
	(void)run;
	sink = scramble_fn(~r1, ~r2, ~r3, ~r4, ~r5);
	return r1;
}

#define MEM_SIZE 64
#define STACK_WORDS (BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8)

static uint8_t mem[MEM_SIZE] __attribute__((aligned(8)));
static uint64_t stack[STACK_WORDS];

static int run(const struct bpfh_exec *exec, const uint8_t *init, uint64_t insn_limit,
	       uint64_t *r0)
{
	static const bpfh_helper_fn helpers[6] = { [5] = helper_identity };
	struct bpfh_region region = { (uintptr_t)mem, sizeof(mem), 1 };
	struct bpfh_run r;

	memcpy(mem, init, MEM_SIZE);
	memset(stack, 0, sizeof(stack));
	memset(&r, 0, sizeof(r));
	r.args[0] = (uintptr_t)mem;
	r.args[1] = sizeof(mem);
	r.helpers = helpers;
	r.nhelpers = 6;
	r.pkt = mem;
	r.pkt_len = sizeof(mem);
	r.regions = &region;
	r.nregions = 1;
	r.insn_limit = insn_limit;
	r.stack = stack;
	*r0 = 0;
	return bpfh_exec_run(exec, &r, r0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t stack_after[STACK_WORDS];
	uint8_t mem_after[MEM_SIZE];
	struct bpfh_insn *insns;
	struct bpfh_exec *checked = NULL, *jit = NULL, *blind = NULL;
	struct bpfh_exec_opts blind_opts;
	uint64_t r0_checked, r0_jit;
	size_t count;

	if (size < MEM_SIZE)
		return 0;
	count = (size - MEM_SIZE) / sizeof(struct bpfh_insn);
	insns = malloc(count ? count * sizeof(*insns) : 1);
	if (!insns)
		return 0;
	memcpy(insns, data + MEM_SIZE, count * sizeof(*insns));
	if (bpfh_exec_create(BPFH_ENGINE_INTERP_CHECKED, insns, count, NULL, NULL, &checked) == 0 &&
	    run(checked, data, 4096, &r0_checked) == 0 &&
	    bpfh_exec_create(BPFH_ENGINE_JIT, insns, count, &unverified, NULL, &jit) == 0) {
		memcpy(mem_after, mem, MEM_SIZE);
		memcpy(stack_after, stack, sizeof(stack));
		if (run(jit, data, 0, &r0_jit) != 0 || r0_jit != r0_checked ||
		    memcmp(mem_after, mem, MEM_SIZE) || memcmp(stack_after, stack, sizeof(stack)))
			abort();
		memset(&blind_opts, 0, sizeof(blind_opts));
		blind_opts.sz = sizeof(blind_opts);
		blind_opts.verdict = BPFH_EXEC_UNVERIFIED;
		blind_opts.blind = 1;
		if (bpfh_exec_create(BPFH_ENGINE_JIT, insns, count, &blind_opts, NULL, &blind) ||
		    run(blind, data, 0, &r0_jit) != 0 || r0_jit != r0_checked ||
		    memcmp(mem_after, mem, MEM_SIZE) || memcmp(stack_after, stack, sizeof(stack)))
			abort();
	}
	bpfh_exec_destroy(checked);
	bpfh_exec_destroy(jit);
	bpfh_exec_destroy(blind);
	free(insns);
	return 0;
}
