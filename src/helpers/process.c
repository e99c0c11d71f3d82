// SPDX-License-Identifier: MIT
/*
 * Helpers about who and where the program runs: the CPU slot, NUMA node, process and thread
 * ids, user and group, the process name, and a per-thread pseudo-random generator.
 */
#include <string.h>

#include "helpers_int.h"
#include "../platform/platform.h"

BPFH_HELPER_IMPL(get_smp_processor_id)
{
	return bpfh_cpu_current();
}

BPFH_HELPER_IMPL(get_numa_node_id)
{
	return 0;
}

/* tgid in the upper half, thread id in the lower, as Linux packs them. */
BPFH_HELPER_IMPL(get_current_pid_tgid)
{
	return (uint64_t)bpfh_process_id() << 32 | bpfh_thread_id();
}

BPFH_HELPER_IMPL(get_current_uid_gid)
{
	return (uint64_t)bpfh_group_id() << 32 | bpfh_user_id();
}

BPFH_HELPER_IMPL(get_current_comm)
{
	char name[16];
	uint32_t size = (uint32_t)r2;

	if (size == 0)
		return ERR(EINVAL);
	bpfh_process_name(name);
	memset(PTR(r1), 0, size);
	memcpy(PTR(r1), name, size - 1 < 15 ? size - 1 : 15);
	return 0;
}

/* xorshift64*, one state per thread, seeded from the clock and the thread id. */
static _Thread_local uint64_t rng_state;

BPFH_HELPER_IMPL(get_prandom_u32)
{
	uint64_t x = rng_state;

	if (x == 0)
		x = (bpfh_time_ns() ^ ((uint64_t)bpfh_thread_id() << 32)) | 1;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}
