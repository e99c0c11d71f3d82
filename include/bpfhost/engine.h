/* SPDX-License-Identifier: MIT */
/*
 * Execution engines: prepare a decoded program once, run it many times. Engines take programs
 * as they are after loading (lddw map and function references resolved through the resolver in
 * struct bpfh_exec_opts); they do not decide safety, which is the verifier's job, but those that
 * check nothing prepare a program only with the caller's verdict (bpfh_exec_opts.verdict). The
 * checked interpreter is the exception that proves nothing but catches everything at run time:
 * it checks every memory access against the regions a run may touch and stops with an error
 * naming the instruction.
 */
#ifndef BPFHOST_ENGINE_H
#define BPFHOST_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/isa.h"
#include "bpfhost/log.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bpfh_engine {
	BPFH_ENGINE_INTERP,         /* the fast interpreter (threaded dispatch where available) */
	BPFH_ENGINE_INTERP_CHECKED, /* the interpreter that checks every access and counts insns */
	BPFH_ENGINE_JIT,            /* machine code (x86-64 hosts, System V or Windows, that let
				     * the process make memory executable; elsewhere create fails
				     * with -ENOTSUP) */
	BPFH_ENGINE__COUNT
};

/* "interp", "interp-checked", "jit"; NULL for an unknown engine. */
const char *bpfh_engine_name(enum bpfh_engine engine);
/* Parse an engine name; 0 or -EINVAL. */
int bpfh_engine_parse(const char *name, enum bpfh_engine *out);
/* The engine to use when the caller names none: the JIT where this host has one (x86-64)
 * and lets the process make memory executable, else the fast interpreter. */
enum bpfh_engine bpfh_engine_default(void);

struct bpfh_run;
struct bpfh_exec;

/* A helper function: arguments r1..r5 and the run it serves; returns r0. */
typedef uint64_t (*bpfh_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				   uint64_t r5, struct bpfh_run *run);

/* Memory a run may touch, besides its own stack (checked interpreter only). */
struct bpfh_region {
	uintptr_t base;
	size_t size;
	int writable;
};

/* Tail calls one run may make (Linux's MAX_TAIL_CALL_CNT); the 34th fails with -ENOENT. */
#define BPFH_MAX_TAIL_CALLS 33

/* Value that `lddw rD, func +N` loads and `callx` accepts: the callee's slot tagged so that it
 * cannot be taken for a helper id. */
#define BPFH_FUNC_TAG 0xbf00000000000000ull

/* Resolves lddw pseudo forms (src 1, 2, 3, 5, 6) at preparation: returns 0 and the value, or a
 * negative errno (the engine logs the instruction). */
typedef int (*bpfh_lddw_resolver)(void *ctx, unsigned src, int32_t imm, int32_t imm2,
				  uint64_t *value);

struct bpfh_exec_opts {
	size_t sz; /* sizeof(struct bpfh_exec_opts), so the struct can grow */
	bpfh_lddw_resolver resolve;
	void *resolve_ctx;
	const char *name; /* program name for messages (optional) */
	/* JIT: the most machine code one program may take, in bytes (0: 64 MiB). Larger programs
	 * are refused with -E2BIG and a log line. */
	size_t jit_code_limit;
	/* JIT: append a line "START SIZE NAME" (hex start and size) for the program's code to
	 * /tmp/perf-PID.map, so that perf names it; also when the environment variable
	 * BPFH_PERF_MAP is 1. Failing to write it is not an error. No-op on Windows. */
	int perf_map;
	/* JIT: inline bpf_map_lookup_elem (helper 1) where r1 is provably the value of an lddw
	 * of src 1 or 5 that this returns 0 for, filling in an ARRAY's value layout (see
	 * bpfh_map_array_layout; ctx is resolve_ctx, value what resolve gave). Set it only when
	 * those values are struct bpfh_map pointers and every run's helper 1 is bpfhost's
	 * bpf_map_lookup_elem (bpfh_helper_table()), as for an instance's programs. */
	int (*array_layout)(void *ctx, uint64_t value, void **base, uint32_t *stride,
			    uint32_t *max);
	/* JIT: emit bpf_tail_call (helper 12) inline, as Linux's JIT does, where r2 is provably
	 * the value of an lddw of src 1 or 5 that this returns 0 for, describing a PROG_ARRAY:
	 * the slot of index i < *max is (*slots)[i] (the array fixed for the map's life), NULL or
	 * an object holding at byte offset *exec_off the const struct bpfh_exec * of its program
	 * (ctx is resolve_ctx, value what resolve gave). The code then does what the helper and
	 * the engine do together: the index checked against *max, the slot and its program
	 * loaded, the limit of 33 tail calls per run counted in run->tail_calls, r0 = -ENOENT
	 * when any of them fails, else r0 = 0 and a jump into the target's code in the same frame (a target prepared for another engine is the same run-time
	 * error as through the helper). Set it only when every run's helper 12 is bpfhost's
	 * bpf_tail_call and its env's tail_target gives that pointer, as for an instance's
	 * programs. */
	int (*prog_array_layout)(void *ctx, uint64_t value, void *const **slots, uint32_t *max,
				 size_t *exec_off);
	/* JIT: the helper table every run that reaches this program will give (run->helpers and
	 * run->nhelpers the same, tail calls into it included, as an instance's runs all use
	 * bpfh_helper_table()). Each `call N` then calls the helper at its address, without
	 * looking it up in the run's table at every call; a helper the table lacks is the same
	 * run-time error as without it. A run with another table fails with -EINVAL (and a log
	 * line), unless the program calls neither a helper nor a function of its own (it then
	 * runs whatever the table). NULL: looked up per call. */
	const bpfh_helper_fn *helpers;
	size_t nhelpers;
	/* JIT: what helper id of every run's table does, as its prototype says (ctx is
	 * resolve_ctx): 0 and in *nargs
	 * the number of arguments it reads (r1..r_nargs: the JIT then keeps only what the
	 * program itself reads of r1..r5 across calls, as a verifier allows) and in *flags
	 * BPFH_HELPER_MAY_* below (without them a call skips the checks for a tail call and a
	 * callback's error after it); nonzero: unknown (all five read, anything done). */
	int (*helper_info)(void *ctx, uint32_t id, unsigned *nargs, unsigned *flags);
	/* JIT: blind constants, as Linux's bpf_jit_harden: every immediate of the program's
	 * ALU, jump, store, LD_ABS/LD_IND and lddw instructions is emitted as imm ^ key, loaded
	 * into a scratch register and xor'ed with key at run time, so that no value the program
	 * chose appears in the code (JIT spraying); shift counts (one byte) and helper ids are
	 * left as they are, as Linux leaves them. The keys are drawn anew for each compilation
	 * (one per instruction). Also when the environment variable BPFH_JIT_BLIND is 1. The code
	 * is larger and slightly slower; results are the same. */
	int blind;
	/* What the caller knows of the program's safety. The engines that check nothing (interp,
	 * jit) prepare only a program whose verdict is BPFH_EXEC_VERIFIED (bpfh_verify accepted
	 * it for the context its runs will give: bpfh_instance_create, the conformance plugin) or
	 * BPFH_EXEC_UNVERIFIED (the caller knowingly runs arbitrary code: tests comparing the
	 * engines, benchmarks); otherwise bpfh_exec_create fails with -EPERM. The checked
	 * interpreter, which checks every access at run time, needs neither. */
	unsigned verdict;
};
#define BPFH_EXEC_VERIFIED 1u
#define BPFH_EXEC_UNVERIFIED 2u

/* bpfh_exec_opts.helper_info flags: the helper may ask for a tail call (set run->tail_next),
 * may run callbacks (bpfh_exec_callback, which can set run->error). */
#define BPFH_HELPER_MAY_TAIL_CALL 1u
#define BPFH_HELPER_MAY_CALL_BACK 2u

/* One run: initial registers, helpers, the legacy packet, regions and a budget. */
struct bpfh_run {
	uint64_t args[5];               /* r1..r5 at entry */
	const bpfh_helper_fn *helpers;  /* indexed by helper id; NULL rows are unknown helpers */
	size_t nhelpers;
	void *env;                      /* the host's state for its helpers (hooks, maps, output) */
	const uint8_t *pkt;             /* packet for LD_ABS / LD_IND (may be NULL) */
	size_t pkt_len;
	const struct bpfh_region *regions; /* checked engine: memory besides the stack */
	size_t nregions;
	uint64_t insn_limit;            /* checked engine: stop after this many insns (0: none) */
	uint64_t insns_executed;        /* out, checked engine: instructions executed (callbacks
					 * included; insn_limit bounds the total); the other
					 * engines count nothing and may leave any value */
	struct bpfh_log *log;           /* run-time errors, one line each */
	/* The engine's bookkeeping during a run, for helpers (a JIT program that calls nothing
	 * touches none of it): the program running now, as a helper that may tail-call or run
	 * callbacks sees it (it changes on a tail call; the JIT sets it before such calls). */
	const struct bpfh_exec *current;
	/* Tail calls: a helper sets tail_next and returns; the engine then continues in that
	 * program from its first instruction with r1 = the helper's r1, in the same frame.
	 * tail_calls counts them for the helper's limit (33 as Linux). */
	const struct bpfh_exec *tail_next;
	unsigned tail_calls;
	/* A failure inside a callback run by a helper (bpf_loop, for_each_map_elem): set by
	 * bpfh_exec_callback, it stops the whole run with that error. */
	int error;
	unsigned nesting; /* callbacks running inside one another */
	/* Checked engine: memory that becomes reachable during the run (map values returned by
	 * helpers, ring buffer records), recorded by bpfh_run_add_region into the caller's array
	 * (dyn_cap entries; when full the oldest is replaced). dyn_cap 0: nothing is recorded. */
	struct bpfh_region *dyn;
	size_t ndyn, dyn_cap, dyn_next;
	/* Checked engine: the stacks of the runs a callback is nested in (callbacks may use
	 * their callers' stack memory, as a bpf_loop callback its ctx). Kept by the engine. */
	uintptr_t outer_lo[BPFH_MAX_FRAMES], outer_hi[BPFH_MAX_FRAMES];
	unsigned nouter;
	/* Optional: the stack of the outermost run (not of callbacks), BPFH_MAX_FRAMES *
	 * BPFH_STACK_SIZE bytes, 8-byte aligned, used as it is (no engine clears it), so that a
	 * test can give two engines the same stack and compare it afterwards. NULL: each engine
	 * uses a stack of its own (the checked interpreter clears it). */
	uint64_t *stack;
};

/* The conformance suite's convention for a run on plain memory: zero run, r1 = mem (0 when len
 * is 0), r2 = len, mem also the packet of LD_ABS / LD_IND and, through *region (the caller's
 * storage), the one region the checked engine allows. Helpers, limits and log are the
 * caller's to set after. */
void bpfh_run_init_memory(struct bpfh_run *run, struct bpfh_region *region, uint8_t *mem,
			  size_t len);

/* Record memory the checked engine may let the program touch from now on (see dyn above). */
void bpfh_run_add_region(struct bpfh_run *run, uintptr_t base, size_t size, int writable);

/*
 * Decode and prepare insns[count] for engine. Fails with -EINVAL (log names the instruction)
 * for an image the decoder refuses or an lddw form that cannot be resolved, -ENOTSUP for an
 * instruction this host cannot run (kfunc calls, BTF-id loads), -ENOMEM. On success *out owns a
 * copy of the program; free it with bpfh_exec_destroy.
 */
int bpfh_exec_create(enum bpfh_engine engine, const struct bpfh_insn *insns, size_t count,
		     const struct bpfh_exec_opts *opts, struct bpfh_log *log,
		     struct bpfh_exec **out);

/*
 * Run once. *r0 receives r0 at the final exit. Returns 0, or a negative errno for a run-time
 * error (logged to run->log with the instruction): -EFAULT bad memory access (checked engine)
 * or callx to a value that is neither a helper nor a function, -ENOENT unknown helper,
 * -EOVERFLOW more than BPFH_MAX_FRAMES frames, -ETIMEDOUT insn_limit reached (checked engine).
 * The same exec may run on several threads at once.
 *
 * The fast interpreter and the JIT check no memory access and count no instructions: they run
 * what the checked interpreter (or a verifier) accepted. After a helper call the JIT keeps
 * r1..r5 only where the program reads them again, which no program can observe otherwise;
 * a tail call starts the target with the caller's r1 and r2..r5 as the JIT kept them.
 */
int bpfh_exec_run(const struct bpfh_exec *exec, struct bpfh_run *run, uint64_t *r0);

/*
 * For helpers that call back into the program (bpf_loop, bpf_for_each_map_elem, ...): run the
 * function whose value (as `lddw rX, func` loads it) is func, in the program running now, with
 * r1..r5 = args, on a stack of its own. Returns 0 and *r0, or a negative errno: -EINVAL for a
 * value that is not a function of the program, -EOVERFLOW past BPFH_MAX_FRAMES nested
 * callbacks, or the callback's own run-time error (also left in run->error, which ends the run).
 */
int bpfh_exec_callback(struct bpfh_run *run, uint64_t func, const uint64_t args[5], uint64_t *r0);

/* The engine the program was prepared for. */
enum bpfh_engine bpfh_exec_engine(const struct bpfh_exec *exec);

/* Number of instructions of the prepared program. */
size_t bpfh_exec_count(const struct bpfh_exec *exec);

/* JIT: the program's machine code (its C entry first), read-only. 0, or -ENOTSUP for a program
 * prepared for another engine. */
int bpfh_exec_code(const struct bpfh_exec *exec, const void **code, size_t *size);

/* JIT: the offset in that code where instruction insn's machine code starts (insn == count:
 * the end of the last instruction's code; an instruction with no code of its own (the second
 * slot of an lddw, one merged into a neighbour's lea or left out because nothing reads what it
 * writes) gives where the next code starts). -ENOTSUP for another engine, -EINVAL for insn
 * past count; else the offset (below 2^31). */
long bpfh_exec_insn_offset(const struct bpfh_exec *exec, size_t insn);

void bpfh_exec_destroy(struct bpfh_exec *exec);

#ifdef __cplusplus
}
#endif
#endif
