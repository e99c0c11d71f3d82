// SPDX-License-Identifier: MIT
/* Tricky but safe, as people write it: an IPv6 parser that walks up to 6 extension headers
 * (hop-by-hop, routing, destination options: 8 * (hdrlen + 1) bytes each, a variable offset)
 * with a bound checked against data_end before every read, then counts the transport protocol.
 * ipv6_ext_short checks one byte of each header and reads two: the verifier must refuse it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 256);
} l4_count SEC(".maps");

struct ext {
	__u8 next;
	__u8 len;
};

/* The transport protocol after up to 6 extension headers, checking `checked` bytes of each
 * before reading its two; -1: drop. */
static __always_inline int walk(struct xdp_md *ctx, unsigned checked, __u32 *proto)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	__u32 off;
	int i;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IPV6))
		return 0;
	ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > data_end)
		return 0;
	*proto = ip6->nexthdr;
	off = sizeof(*eth) + sizeof(*ip6);
	for (i = 0; i < 6; i++) {
		struct ext *e;

		if (*proto != IPPROTO_HOPOPTS && *proto != IPPROTO_ROUTING &&
		    *proto != IPPROTO_DSTOPTS)
			break;
		if (off > 1024)
			return -1;
		e = data + off;
		if ((void *)e + checked > data_end)
			return -1;
		*proto = e->next;
		off += 8 * ((__u32)e->len + 1);
	}
	return 1;
}

SEC("xdp")
int ipv6_ext(struct xdp_md *ctx)
{
	__u32 proto = 0;
	__u64 *n;
	int r = walk(ctx, sizeof(struct ext), &proto);

	if (r <= 0)
		return r < 0 ? XDP_DROP : XDP_PASS;
	n = bpf_map_lookup_elem(&l4_count, &proto);
	if (n)
		*n += 1;
	return XDP_PASS;
}

SEC("xdp")
int ipv6_ext_short(struct xdp_md *ctx)
{
	__u32 proto = 0;
	int r = walk(ctx, 1, &proto); /* one byte checked, two read */

	if (r <= 0)
		return r < 0 ? XDP_DROP : XDP_PASS;
	return proto == IPPROTO_TCP ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
