// SPDX-License-Identifier: MIT
/* The hooks bpfhost offers, by program type: context size, return range, test run. */
#include <stddef.h>

#include "hooks.h"

static const struct bpfh_hook hooks[] = {
	{ BPFH_PROG_TYPE_XDP, "xdp", sizeof(struct bpfh_xdp_md), 0, 4, bpfh_hook_xdp_test_run },
	{ BPFH_PROG_TYPE_SOCKET_FILTER, "socket_filter", sizeof(struct bpfh_sk_buff), 0,
	  UINT32_MAX, bpfh_hook_skb_test_run },
	{ BPFH_PROG_TYPE_SCHED_CLS, "sched_cls", sizeof(struct bpfh_sk_buff), INT32_MIN,
	  INT32_MAX, bpfh_hook_skb_test_run },
	{ BPFH_PROG_TYPE_SCHED_ACT, "sched_act", sizeof(struct bpfh_sk_buff), INT32_MIN,
	  INT32_MAX, bpfh_hook_skb_test_run },
	{ BPFH_PROG_TYPE_CGROUP_SKB, "cgroup_skb", sizeof(struct bpfh_sk_buff), 0, 3,
	  bpfh_hook_skb_test_run },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, "cgroup_sock_addr", sizeof(struct bpfh_sock_addr), 0,
	  1, bpfh_hook_ctx_test_run },
	{ BPFH_PROG_TYPE_BIND, "bind", sizeof(struct bpfh_bind_md), 0, 3,
	  bpfh_hook_bind_test_run },
	{ BPFH_PROG_TYPE_MEMORY, "memory", 0, INT64_MIN, INT64_MAX, bpfh_hook_memory_test_run },
};

const struct bpfh_hook *bpfh_hook_find(uint32_t prog_type)
{
	size_t i;

	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (hooks[i].prog_type == prog_type)
			return &hooks[i];
	return NULL;
}
