// SPDX-License-Identifier: MIT
/*
 * Test runs for hooks whose context is a plain structure with no packet (cgroup sock_addr):
 * ctx_in fills the context (all of it), the program runs on a copy, ctx_out receives the
 * context as the program left it (a connect4 program may rewrite user_ip4 and user_port).
 */
#include <errno.h>
#include <string.h>

#include "hooks.h"

#define CTX_MAX 256

struct ctx_state {
	uint8_t ctx[CTX_MAX], saved[CTX_MAX];
	uint32_t size;
};

static void reset_ctx(void *arg)
{
	struct ctx_state *s = arg;

	memcpy(s->ctx, s->saved, s->size);
}

int bpfh_hook_ctx_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			   struct bpfh_test_run_opts *opts)
{
	struct ctx_state st;
	struct bpfh_env env;
	struct bpfh_invoke inv;
	struct bpfh_region region;
	int err;

	if (hook->ctx_size > CTX_MAX || opts->data_in || !opts->ctx_in ||
	    opts->ctx_size_in != hook->ctx_size)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	st.size = hook->ctx_size;
	memcpy(st.saved, opts->ctx_in, st.size);
	region.base = (uintptr_t)st.ctx;
	region.size = st.size;
	region.writable = 1;
	bpfh_hook_prepare(&inv, &env, opts, (uint64_t)(uintptr_t)st.ctx, &region, 1);
	err = bpfh_hook_repeat(runner, &inv, opts, reset_ctx, &st);
	if (!err && opts->ctx_out)
		err = bpfh_hook_copy_out(opts->ctx_out, &opts->ctx_size_out, st.ctx, st.size);
	return err;
}
