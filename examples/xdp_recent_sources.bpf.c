// SPDX-License-Identifier: MIT
/*
 * Keeps the recent IPv4 sources an interface hears from, for an operator's "who is talking
 * to us right now" view, and passes every packet:
 *  - `history`, a QUEUE, holds the last max_entries packets' sources and arrival times in
 *    jiffies, oldest first: a push into a full queue with BPF_EXIST drops the oldest entry;
 *  - `talkers`, a STACK, holds the last distinct sources, newest on top: the program peeks at
 *    the top and pushes only when the source differs, so a burst from one host takes one
 *    slot. User space pops both to read them (the stack newest first).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct arrival {
	__u32 saddr;   /* network byte order */
	__u32 len;
	__u64 jiffies;
};

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, struct arrival);
	__uint(max_entries, 8);
} history SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__type(value, __u32);
	__uint(max_entries, 4);
} talkers SEC(".maps");

SEC("xdp")
int xdp_recent_sources(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct arrival a;
	__u32 top;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	a.saddr = ip->saddr;
	a.len = (__u32)(data_end - data);
	a.jiffies = bpf_jiffies64();
	bpf_map_push_elem(&history, &a, BPF_EXIST);

	if (bpf_map_peek_elem(&talkers, &top) != 0 || top != a.saddr)
		bpf_map_push_elem(&talkers, &a.saddr, BPF_EXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
