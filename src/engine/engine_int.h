/* SPDX-License-Identifier: MIT */
/*
 * Private to src/engine: the prepared program shared by the interpreters and the JIT, and the
 * entry points each engine gives exec.c.
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

/* How bpfh_exec_run runs a program (struct bpfh_exec.run). */
typedef int (*bpfh_exec_run_fn)(const struct bpfh_exec *exec, struct bpfh_run *run,
				uint64_t *r0);

struct bpfh_exec {
	/* bpfh_exec_run is a jump to this: a leaf JIT program's own entry (see jit/jit_int.h),
	 * else exec.c's way for the others. First, so that the jump's operand is short. */
	bpfh_exec_run_fn run;
	enum bpfh_engine engine;
	size_t count;
	struct bpfh_insn *insns; /* the program as given, after lddw resolution */
	uint8_t *ops;            /* the decoder's row per slot */
	struct interp_insn *code;
	uint8_t *is_func;        /* is_func[i]: slot i is the target of an lddw func (callable) */
	char name[64];
	/* JIT (src/engine/jit): read+execute pages, the code in them (its entry first), the
	 * code of slot 0 for tail calls into this program, and the offset in the code of each
	 * callable slot's (0: not callable), and where each slot's code starts (count + 1
	 * entries, the last the end of the code), for bpfh_exec_insn_offset. */
	void *jit_pages;
	size_t jit_pages_size;
	const uint8_t *jit_code;
	size_t jit_code_size;
	const void *jit_start;
	void *jit_chunk;          /* the pool chunk holding jit_pages (jit.c) */
	const bpfh_helper_fn *jit_helpers; /* the table calls were bound to (opts), or NULL */
	size_t jit_nhelpers;
	uint32_t *jit_func_off;
	uint32_t *jit_insn_off;
};


/* bpfh_exec_run for a program without an entry of its own (an interpreter's, or a JIT
 * program's whose main entry finds that the run's helper table is not the one its calls were
 * bound to, so that bpfh_jit_run refuses it with its message): exec->run unless the JIT sets
 * it. */
int bpfh_exec_run_c(const struct bpfh_exec *exec, struct bpfh_run *run, uint64_t *r0);

/* Whether run gives the helper table exec's JIT calls were bound to, if they were. */
static inline int jit_helpers_match(const struct bpfh_exec *exec, const struct bpfh_run *run)
{
	return !exec->jit_helpers ||
	       (run->helpers == exec->jit_helpers && run->nhelpers == exec->jit_nhelpers);
}

/* Fill exec->code for the interpreter of exec->engine. */
void bpfh_interp_prepare(struct bpfh_exec *exec);
/* Run from slot start with r1..r5 = args (the program's entry, or a callback's). */
int bpfh_interp_run(const struct bpfh_exec *exec, struct bpfh_run *run, size_t start,
		    const uint64_t args[5], uint64_t *r0);

/* Compile exec for the JIT: 0, or -ENOTSUP on a host the JIT does not support, -E2BIG past
 * its limits, -ENOMEM (each with a log line). */
int bpfh_jit_prepare(struct bpfh_exec *exec, const struct bpfh_exec_opts *opts,
		     struct bpfh_log *log);
/* Run the JIT's code from slot start through its C entry, as bpfh_interp_run, for a program
 * that is not a leaf (no entry of its own in exec->run): callbacks, and runs bpfh_exec_run
 * does not give to the main entry (another helper table than the bound one, refused with a
 * log line). */
int bpfh_jit_run(const struct bpfh_exec *exec, struct bpfh_run *run, size_t start,
		 const uint64_t args[5], uint64_t *r0);
/* Whether the JIT can run here: a back end for this machine, and a host that lets this
 * process make memory executable (asked once per process). */
int bpfh_jit_available(void);
/* Free what bpfh_jit_prepare made (nothing if it made nothing). */
void bpfh_jit_free(struct bpfh_exec *exec);

/* Log a run-time error at instruction i: "NAME: insn N (disassembly): message". */
BPFH_PRINTF(4, 5)
void bpfh_exec_fault(const struct bpfh_exec *exec, struct bpfh_run *run, size_t i,
		     const char *fmt, ...);

#endif
