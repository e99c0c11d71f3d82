// SPDX-License-Identifier: MIT
/* An XDP program that reads the packet without checking it against data_end: the verifier
 * refuses it, so loading it fails (nothing unverified runs). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int unchecked(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	return data[12] == 0x08 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
