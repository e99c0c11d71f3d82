// SPDX-License-Identifier: MIT
/*
 * The smallest XDP program: every packet passes, untouched. It is the baseline of the packet
 * path's cost (make bench replays the bundled traffic through it) and a starting point:
 *   bpfhost run build/examples/xdp_pass.bpf.o --pcap build/examples/traffic.pcap
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
