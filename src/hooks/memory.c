// SPDX-License-Identifier: MIT
/*
 * The plain-memory program type: r1 = a copy of data_in, r2 = its length, as the conformance
 * suite runs programs; data_out receives the memory after the run. The memory r1 points to
 * is at least the size the program was verified for (zeros past data_in): the verifier only
 * knew that size, not data_in's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hooks.h"

struct mem_state {
	uint8_t *mem;
	const void *in;
	size_t len;
};

static void reset_mem(void *arg)
{
	struct mem_state *s = arg;

	if (s->len)
		memcpy(s->mem, s->in, s->len);
}

int bpfh_hook_memory_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			      struct bpfh_test_run_opts *opts)
{
	struct mem_state st;
	struct bpfh_env env;
	struct bpfh_invoke inv;
	struct bpfh_region region;
	size_t size;
	int err;

	(void)hook;
	if (opts->ctx_in || (opts->data_size_in && !opts->data_in))
		return -EINVAL;
	st.len = opts->data_size_in;
	st.in = opts->data_in;
	size = st.len > runner->mem_size ? st.len : runner->mem_size;
	st.mem = calloc(1, size ? size : 1);
	if (!st.mem)
		return -ENOMEM;
	region.base = (uintptr_t)st.mem;
	region.size = size;
	region.writable = 1;
	bpfh_hook_prepare(&inv, &env, opts, size ? (uint64_t)(uintptr_t)st.mem : 0, &region, 1);
	inv.r2 = st.len;
	env.pkt = st.mem;
	env.pkt_len = (uint32_t)st.len;
	err = bpfh_hook_repeat(runner, &inv, opts, reset_mem, &st);
	if (!err)
		err = bpfh_hook_copy_out(opts->data_out, &opts->data_size_out, st.mem, st.len);
	free(st.mem);
	return err;
}
