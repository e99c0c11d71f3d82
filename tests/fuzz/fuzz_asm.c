// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the assembler: any text must assemble or be refused with a log line,
 * never crash; whatever assembles must survive disassembly (both styles) and reassemble from the
 * conformance style to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/isa.h"
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char logbuf[512];
	struct bpfh_log log;
	struct bpfh_insn *insns;
	size_t count;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (bpfh_asm(text, "fuzz", 1, &insns, &count, &log) == 0) {
		fuzz_roundtrip(insns, count);
		free(insns);
	} else if (log.len == 0) {
		abort(); /* a refusal always says why */
	}
	free(text);
	return 0;
}
