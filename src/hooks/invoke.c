// SPDX-License-Identifier: MIT
/*
 * Running a program for a hook: the helper table, the environment, tail calls and the CPU slot
 * wired the same way for every type, and the timed repeat loop of test runs.
 */
#include <errno.h>
#include <string.h>

#include "hooks.h"
#include "../platform/platform.h"

void bpfh_hook_prepare_run(const struct bpfh_runner *runner, const struct bpfh_invoke *inv,
			   struct bpfh_hook_prepared *pr)
{
	struct bpfh_run *run = &pr->run;
	size_t n, i;

	pr->exec = runner->exec;
	memset(run, 0, sizeof(*run));
	if (bpfh_exec_engine(runner->exec) == BPFH_ENGINE_INTERP_CHECKED) {
		run->dyn = pr->dyn;
		run->dyn_cap = BPFH_HOOK_DYN_REGIONS;
		n = 0;
		for (i = 0; i < inv->nregions + runner->nregions; i++) {
			const struct bpfh_region *r = i < inv->nregions ? &inv->regions[i] :
					&runner->regions[i - inv->nregions];

			if (n < BPFH_HOOK_REGIONS)
				pr->all[n++] = *r;
			else
				bpfh_run_add_region(run, r->base, r->size, r->writable);
		}
		run->regions = pr->all;
		run->nregions = n;
	}
	run->args[0] = inv->r1;
	run->args[1] = inv->r2;
	run->helpers = bpfh_helper_table(&n);
	run->nhelpers = n;
	run->env = inv->env;
	run->pkt = inv->env->pkt;
	run->pkt_len = inv->env->pkt_len;
	inv->env->tail_target = runner->tail_target;
	run->insn_limit = inv->insn_limit;
	run->log = inv->log;
}

int bpfh_hook_invoke(const struct bpfh_runner *runner, const struct bpfh_invoke *inv,
		     uint64_t *r0)
{
	struct bpfh_hook_prepared pr;

	bpfh_hook_prepare_run(runner, inv, &pr);
	return bpfh_hook_run_prepared(&pr, r0);
}

void bpfh_hook_prepare(struct bpfh_invoke *inv, struct bpfh_env *env,
		       const struct bpfh_test_run_opts *opts, uint64_t r1,
		       const struct bpfh_region *regions, size_t nregions)
{
	memset(env, 0, sizeof(*env));
	env->trace = opts->trace;
	env->trace_arg = opts->trace_arg;
	memset(inv, 0, sizeof(*inv));
	inv->r1 = r1;
	inv->env = env;
	inv->regions = regions;
	inv->nregions = nregions;
	inv->insn_limit = opts->insn_limit;
	inv->log = opts->log;
}

int bpfh_hook_repeat(const struct bpfh_runner *runner, struct bpfh_invoke *inv,
		     struct bpfh_test_run_opts *opts, void (*reset)(void *arg), void *arg)
{
	uint32_t repeat = opts->repeat > 0 ? (uint32_t)opts->repeat : 1, i;
	uint64_t r0 = 0, t0, t1;
	struct bpfh_hook_prepared pr;
	int err = 0;

	bpfh_cpu_set(opts->cpu);
	/* One run prepared for all the rounds. */
	bpfh_hook_prepare_run(runner, inv, &pr);
	t0 = bpfh_time_ns();
	for (i = 0; i < repeat && !err; i++) {
		if (reset)
			reset(arg);
		err = bpfh_hook_run_prepared(&pr, &r0);
	}
	t1 = bpfh_time_ns();
	opts->retval = (uint32_t)r0;
	opts->duration = (uint32_t)((t1 - t0) / repeat);
	return err;
}

int bpfh_hook_copy_out(void *dst, uint32_t *room, const void *src, size_t len)
{
	uint32_t have = *room;

	*room = (uint32_t)len;
	if (!dst)
		return 0;
	if (len > have) {
		memcpy(dst, src, have);
		return -ENOSPC;
	}
	memcpy(dst, src, len);
	return 0;
}
