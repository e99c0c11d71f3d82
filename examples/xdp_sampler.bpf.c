// SPDX-License-Identifier: MIT
/*
 * A packet sampler in XDP: one packet in sample_rate (chosen at random, so that periodic
 * traffic cannot hide from it) is sent to user space through a perf event array, as sFlow
 * agents and `xdpdump` do, and every packet passes. Each sample is a struct sample_hdr (CPU,
 * NUMA node, interface, queue, packet length) followed by the first snap_len bytes of the
 * packet, which bpf_perf_event_output appends from the context itself (the upper 32 bits of
 * its flags) instead of copying them through the stack. Records go to the ring of the CPU
 * the program runs on (BPF_F_CURRENT_CPU).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sample_hdr {
	__u32 cpu;
	__u32 numa_node;
	__u32 ifindex;
	__u32 rx_queue;
	__u32 pkt_len;
	__u32 captured;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} samples SEC(".maps");

const volatile __u32 sample_rate = 100; /* 1 in N; 0 and 1 sample everything */
const volatile __u32 snap_len = 64;

__u64 sampled;
__u64 lost; /* bpf_perf_event_output failed: nobody listening, or a full ring */

SEC("xdp")
int xdp_sampler(struct xdp_md *ctx)
{
	struct sample_hdr hdr;
	__u64 flags;
	__u32 len;

	if (sample_rate > 1 && bpf_get_prandom_u32() % sample_rate)
		return XDP_PASS;
	len = bpf_xdp_get_buff_len(ctx);
	hdr.cpu = bpf_get_smp_processor_id();
	hdr.numa_node = bpf_get_numa_node_id();
	hdr.ifindex = ctx->ingress_ifindex;
	hdr.rx_queue = ctx->rx_queue_index;
	hdr.pkt_len = len;
	hdr.captured = len < snap_len ? len : snap_len;
	flags = BPF_F_CURRENT_CPU | ((__u64)hdr.captured << 32);
	if (bpf_perf_event_output(ctx, &samples, flags, &hdr, sizeof(hdr)))
		__sync_fetch_and_add(&lost, 1);
	else
		__sync_fetch_and_add(&sampled, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
