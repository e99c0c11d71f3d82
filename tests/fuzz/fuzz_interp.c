// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the checked interpreter: any byte image that decodes must run to an exit
 * or stop with an error, with every memory access checked, so nothing the input does may crash
 * the host or reach undefined behaviour. The first 64 bytes are the memory r1 points to.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfh_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return r1;
}

#define MEM_SIZE 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const bpfh_helper_fn helpers[6] = { [5] = helper_identity };
	uint8_t mem[MEM_SIZE];
	struct bpfh_insn *insns;
	struct bpfh_exec *exec;
	struct bpfh_region region;
	struct bpfh_run run;
	size_t count;
	uint64_t r0;

	if (size < MEM_SIZE)
		return 0;
	memcpy(mem, data, MEM_SIZE);
	data += MEM_SIZE;
	size -= MEM_SIZE;
	count = size / sizeof(struct bpfh_insn);
	insns = malloc(count ? count * sizeof(*insns) : 1);
	if (!insns)
		return 0;
	memcpy(insns, data, count * sizeof(*insns));
	if (bpfh_exec_create(BPFH_ENGINE_INTERP_CHECKED, insns, count, NULL, NULL, &exec) == 0) {
		bpfh_run_init_memory(&run, &region, mem, sizeof(mem));
		run.helpers = helpers;
		run.nhelpers = 6;
		run.insn_limit = 4096;
		bpfh_exec_run(exec, &run, &r0);
		bpfh_exec_destroy(exec);
	}
	free(insns);
	return 0;
}
