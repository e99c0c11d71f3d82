// SPDX-License-Identifier: MIT
/*
 * Control helpers: tail calls (through the engine's tail_next, at most 33 per run as Linux),
 * bpf_loop (callbacks through bpfh_exec_callback), and spin locks on struct bpf_spin_lock words
 * inside map values.
 */
#include "helpers_int.h"

#define MAX_TAIL_CALLS 33
#define MAX_LOOPS (1u << 23)

BPFH_HELPER_IMPL(tail_call)
{
	struct bpfh_env *env = env_of(run);
	uint32_t index = (uint32_t)r3;
	const struct bpfh_exec *target;
	void *prog;

	if (run->tail_calls >= MAX_TAIL_CALLS || !env || !env->tail_target)
		return ERR(ENOENT);
	prog = bpfh_map_lookup_obj(PTR(r2), &index);
	if (!prog)
		return ERR(ENOENT);
	target = env->tail_target(prog, run->current);
	if (!target)
		return ERR(ENOENT);
	run->tail_calls++;
	run->tail_next = target;
	return 0;
}

/* bpf_loop(nr_loops, callback, ctx, flags): callback(index, ctx) until it returns 1; returns
 * the number of iterations. */
BPFH_HELPER_IMPL(loop)
{
	uint64_t i, ret;

	if (r4 != 0)
		return ERR(EINVAL);
	if (r1 > MAX_LOOPS)
		return ERR(E2BIG);
	for (i = 0; i < r1; i++) {
		uint64_t args[5] = { i, r3, 0, 0, 0 };

		if (bpfh_exec_callback(run, r2, args, &ret) != 0)
			return ERR(EINVAL);
		if (ret == 1)
			return i + 1;
	}
	return i;
}

BPFH_HELPER_IMPL(spin_lock)
{
	uint32_t *lock = PTR(r1);

	while (__atomic_exchange_n(lock, 1u, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(lock, __ATOMIC_RELAXED))
			;
	return 0;
}

BPFH_HELPER_IMPL(spin_unlock)
{
	__atomic_store_n((uint32_t *)PTR(r1), 0u, __ATOMIC_RELEASE);
	return 0;
}
