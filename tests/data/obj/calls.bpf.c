// SPDX-License-Identifier: MIT
/* Subprograms: static and global functions in .text, a chain of calls, one subprogram shared
 * by several programs, two programs in one section, and function pointers (callbacks of
 * bpf_loop and bpf_for_each_map_elem, loaded with lddw). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} values SEC(".maps");

static __attribute__((noinline)) int leaf(int x)
{
	return x * 3 + 1;
}

static __attribute__((noinline)) int middle(int x)
{
	return leaf(x) + leaf(x + 1);
}

__attribute__((noinline)) int global_helper(int x)
{
	return middle(x) ^ 0x55;
}

static long loop_body(__u32 i, void *ctx)
{
	*(int *)ctx += leaf((int)i);
	return 0;
}

static long sum_elem(void *map, __u32 *key, __u64 *val, void *ctx)
{
	*(__u64 *)ctx += *val;
	return 0;
}

SEC("xdp")
int first(struct xdp_md *ctx)
{
	int acc = 0;

	bpf_loop(4, loop_body, &acc, 0);
	return global_helper(acc) & 3;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	__u64 sum = 0;

	bpf_for_each_map_elem(&values, sum_elem, &sum, 0);
	return middle((int)sum) & 3;
}

SEC("tc")
int third(struct __sk_buff *skb)
{
	return leaf(skb->len);
}

char LICENSE[] SEC("license") = "GPL";
