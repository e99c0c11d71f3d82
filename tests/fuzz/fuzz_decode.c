// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the decoder and disassembler: any byte image must decode or be refused
 * with a log line naming an instruction; what decodes must round-trip through the conformance
 * disassembly and the assembler to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/isa.h"
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t count = size / sizeof(struct bpfh_insn), i;
	struct bpfh_insn *insns = malloc(count ? count * sizeof(*insns) : 1);
	uint8_t *ops = malloc(count ? count : 1);
	char logbuf[512], line[160];
	struct bpfh_log log;

	if (!insns || !ops)
		goto out;
	memcpy(insns, data, count * sizeof(*insns));
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (bpfh_isa_decode(insns, count, ops, &log) == 0)
		fuzz_roundtrip(insns, count);
	else if (log.len == 0)
		abort();
	/* The disassembler takes any slot, decodable or not. */
	for (i = 0; i < count; i++) {
		bpfh_disasm_insn(insns, count, i, BPFH_DISASM_C, line, sizeof(line));
		bpfh_disasm_insn(insns, count, i, BPFH_DISASM_CONF, line, sizeof(line));
	}
out:
	free(insns);
	free(ops);
	return 0;
}
