/* SPDX-License-Identifier: MIT */
/*
 * Private to src/engine: the prepared program shared by the interpreters (and later the JITs).
 */
#ifndef BPFH_ENGINE_INT_H
#define BPFH_ENGINE_INT_H

#include "bpfhost/engine.h"
#include "../isa/ops.h"

/* One prepared slot. With computed goto, `label` is the handler's address (direct threading);
 * otherwise `op` is switched on. lddw keeps its 64-bit value in the imm of both slots. */
struct interp_insn {
	union {
		const void *label;
		uintptr_t op;
	} h;
	uint8_t dst;
	uint8_t src;
	int16_t off;
	int32_t imm;
};

struct bpfh_exec {
	enum bpfh_engine engine;
	size_t count;
	struct bpfh_insn *insns; /* the program as given, after lddw resolution */
	uint8_t *ops;            /* the decoder's row per slot */
	struct interp_insn *code;
	uint8_t *is_func;        /* is_func[i]: slot i is the target of an lddw func (callable) */
	char name[64];
};

/* Fill exec->code for the interpreter of exec->engine. */
void bpfh_interp_prepare(struct bpfh_exec *exec);
/* Run from slot start with r1..r5 = args (the program's entry, or a callback's). */
int bpfh_interp_run(const struct bpfh_exec *exec, struct bpfh_run *run, size_t start,
		    const uint64_t args[5], uint64_t *r0);

#endif
