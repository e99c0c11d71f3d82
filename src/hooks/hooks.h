/* SPDX-License-Identifier: MIT */
/*
 * Private to src/hooks and src/ctx: program-type providers. A hook describes what a program of
 * its type sees (context size, return range) and runs it the way its attach point would: for
 * now the test run of each type. Hooks describe; the verifier will check.
 */
#ifndef BPFH_HOOKS_H
#define BPFH_HOOKS_H

#include "bpfhost/contexts.h"
#include "bpfhost/engine.h"
#include "bpfhost/helpers.h"
#include "bpfhost/prog.h"

/* What a hook needs of a loaded program to run it. */
struct bpfh_runner {
	const struct bpfh_exec *exec;
	const struct bpfh_exec *(*tail_target)(void *prog, const struct bpfh_exec *from);
	const struct bpfh_region *regions; /* the program's own memory (global data) */
	size_t nregions;
	uint32_t mem_size;  /* memory programs: the bytes the verifier let them use via r1 */
};

/* One invocation: arguments, helpers' environment, regions for the checked engine. */
struct bpfh_invoke {
	uint64_t r1, r2;
	struct bpfh_env *env;
	const struct bpfh_region *regions;
	size_t nregions;
	uint64_t insn_limit;
	struct bpfh_log *log;
};

struct bpfh_hook {
	uint32_t prog_type;
	const char *name;
	uint32_t ctx_size;   /* bytes of the context in r1 (0: r1 is plain memory) */
	int64_t ret_min;     /* the return values the type gives meaning to */
	int64_t ret_max;
	int (*test_run)(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			struct bpfh_test_run_opts *opts);
};

/* The hook of a program type, or NULL. */
const struct bpfh_hook *bpfh_hook_find(uint32_t prog_type);

/* Run once: helpers from the table, env and tail calls wired. 0 or the run's error. */
int bpfh_hook_invoke(const struct bpfh_runner *runner, const struct bpfh_invoke *inv,
		     uint64_t *r0);

#define BPFH_HOOK_REGIONS 32      /* a hook's regions and the program's global data */
#define BPFH_HOOK_DYN_REGIONS 128 /* map values and records met during one checked run */

/* An invocation prepared once for many runs (test-run rounds, the packet path): the run and
 * the checked engine's arrays of regions, which stay where they are while it is used. */
struct bpfh_hook_prepared {
	const struct bpfh_exec *exec;
	struct bpfh_run run;
	struct bpfh_region all[BPFH_HOOK_REGIONS];
	struct bpfh_region dyn[BPFH_HOOK_DYN_REGIONS];
};

/* Prepare inv for runner in *pr, as bpfh_hook_invoke would for one run. */
void bpfh_hook_prepare_run(const struct bpfh_runner *runner, const struct bpfh_invoke *inv,
			   struct bpfh_hook_prepared *pr);

/* Run it (again): each run starts as bpfh_hook_invoke's would (the engine resets its own
 * fields; the checked engine's regions met in a run go). 0 or the run's error. */
static inline int bpfh_hook_run_prepared(struct bpfh_hook_prepared *pr, uint64_t *r0)
{
	pr->run.ndyn = pr->run.dyn_next = 0;
	return bpfh_exec_run(pr->exec, &pr->run, r0);
}

/* Set up an invocation of a test run: r1, the environment (emptied, with the run's trace
 * output) and the regions the checked engine allows. */
void bpfh_hook_prepare(struct bpfh_invoke *inv, struct bpfh_env *env,
		       const struct bpfh_test_run_opts *opts, uint64_t r1,
		       const struct bpfh_region *regions, size_t nregions);

/* The repeat loop every test run shares: reset(arg) before each run, times the runs, leaves
 * the last r0 in opts->retval and the average in opts->duration. */
int bpfh_hook_repeat(const struct bpfh_runner *runner, struct bpfh_invoke *inv,
		     struct bpfh_test_run_opts *opts, void (*reset)(void *arg), void *arg);

/* Copy out: at most *room bytes of src (len) to dst; *room becomes len; -ENOSPC if short. */
int bpfh_hook_copy_out(void *dst, uint32_t *room, const void *src, size_t len);

int bpfh_hook_xdp_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			   struct bpfh_test_run_opts *opts);
int bpfh_hook_skb_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			   struct bpfh_test_run_opts *opts);
int bpfh_hook_ctx_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			   struct bpfh_test_run_opts *opts);
int bpfh_hook_bind_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			    struct bpfh_test_run_opts *opts);
int bpfh_hook_memory_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			      struct bpfh_test_run_opts *opts);

#endif
