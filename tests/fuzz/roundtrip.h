/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets: disassemble a program in both styles, reassemble the conformance
 * style and abort unless the bytes come back the same (for programs that decode).
 */
#ifndef BPFH_FUZZ_ROUNDTRIP_H
#define BPFH_FUZZ_ROUNDTRIP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/isa.h"

static inline void fuzz_roundtrip(const struct bpfh_insn *insns, size_t count)
{
	size_t i, cap = count * 96 + 1, len = 0, count2;
	struct bpfh_insn *again;
	uint8_t *ops;
	char *text;

	ops = malloc(count ? count : 1);
	text = malloc(cap);
	if (!ops || !text)
		goto out;
	if (bpfh_isa_decode(insns, count, ops, NULL) != 0)
		goto out; /* the assembler may build images the decoder refuses (e.g. r10 writes) */
	for (i = 0; i < count;) {
		char line[160], cline[160];
		int n = bpfh_disasm_insn(insns, count, i, BPFH_DISASM_CONF, line, sizeof(line));

		if (n <= 0 || bpfh_disasm_insn(insns, count, i, BPFH_DISASM_C, cline,
					       sizeof(cline)) != n || !cline[0])
			abort();
		len += (size_t)snprintf(text + len, cap - len, "%s\n", line);
		i += (size_t)n;
	}
	if (bpfh_asm(text, "roundtrip", 1, &again, &count2, NULL) != 0)
		abort();
	if (count2 != count || memcmp(again, insns, count * sizeof(*insns)) != 0)
		abort();
	free(again);
out:
	free(ops);
	free(text);
}

#endif
