// SPDX-License-Identifier: MIT
/*
 * A packet parser split into stages joined by tail calls, as large XDP programs are built to
 * stay within the verifier's limits. The entry stage parses Ethernet and up to two VLAN tags,
 * stores what it found in the packet's metadata area (bpf_xdp_adjust_meta: the bytes in front
 * of the packet that later stages, and AF_XDP or the stack, can read), and tail-calls the
 * stage for the network protocol through the `stages` program array, whose slots are filled
 * at load time from the object itself (__array(values, ...)). Each stage records itself in the
 * metadata and decides: IPv4 and IPv6 packets whose TTL or hop limit is exhausted are dropped,
 * ARP passes. A protocol without a stage, or an empty slot (user space may remove a stage at
 * run time), makes the tail call fail and the entry stage passes the packet, counting it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_VLANS 2

enum stage { STAGE_IPV4, STAGE_IPV6, STAGE_ARP, STAGE_MAX };

/* The metadata the stages share, right in front of the packet. */
struct pkt_meta {
	__u16 l3_off;     /* network header offset from the packet start */
	__u16 l3_proto;   /* EtherType, network byte order */
	__u16 vlan_id;    /* outer VLAN id, 0 if untagged */
	__u8 stage;       /* the last stage that ran: 1 + enum stage, 0 for the entry */
	__u8 verdict_reason;
};

enum reason { REASON_NONE, REASON_TTL, REASON_SHORT, REASON_NO_STAGE };

struct vlan_hdr {
	__u16 tci;
	__u16 next_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, STAGE_MAX + 1);
} stage_runs SEC(".maps");

int parse_ipv4(struct xdp_md *ctx);
int parse_ipv6(struct xdp_md *ctx);
int parse_arp(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, STAGE_MAX);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} stages SEC(".maps") = {
	.values = {
		[STAGE_IPV4] = (void *)&parse_ipv4,
		[STAGE_IPV6] = (void *)&parse_ipv6,
		[STAGE_ARP] = (void *)&parse_arp,
	},
};

static __always_inline void count_stage(__u32 stage)
{
	__u64 *n = bpf_map_lookup_elem(&stage_runs, &stage);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* The metadata, checked against the packet start; NULL when absent. */
static __always_inline struct pkt_meta *get_meta(struct xdp_md *ctx)
{
	void *meta = (void *)(long)ctx->data_meta;
	void *data = (void *)(long)ctx->data;

	if (meta + sizeof(struct pkt_meta) > data)
		return NULL;
	return meta;
}

SEC("xdp")
int xdp_parse_eth(struct xdp_md *ctx)
{
	void *data, *data_end;
	struct pkt_meta *meta;
	struct ethhdr *eth;
	__u16 proto, off, vid = 0;
	__u32 slot;
	int i;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct pkt_meta)))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	meta = get_meta(ctx);
	eth = data;
	if (!meta || (void *)(eth + 1) > data_end)
		return XDP_DROP;
	count_stage(STAGE_MAX);
	proto = eth->h_proto;
	off = sizeof(*eth);
	for (i = 0; i < MAX_VLANS; i++) {
		struct vlan_hdr *vh = data + off;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return XDP_DROP;
		if (i == 0)
			vid = bpf_ntohs(vh->tci) & 0x0fff;
		proto = vh->next_proto;
		off += sizeof(*vh);
	}
	meta->l3_off = off;
	meta->l3_proto = proto;
	meta->vlan_id = vid;
	meta->stage = 0;
	meta->verdict_reason = REASON_NONE;

	if (proto == bpf_htons(ETH_P_IP))
		slot = STAGE_IPV4;
	else if (proto == bpf_htons(ETH_P_IPV6))
		slot = STAGE_IPV6;
	else if (proto == bpf_htons(ETH_P_ARP))
		slot = STAGE_ARP;
	else
		slot = STAGE_MAX;
	bpf_tail_call(ctx, &stages, slot);
	/* Only reached when there is no stage for the protocol. */
	meta->verdict_reason = REASON_NO_STAGE;
	return XDP_PASS;
}

SEC("xdp")
int parse_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pkt_meta *meta = get_meta(ctx);
	struct iphdr *ip;

	if (!meta)
		return XDP_DROP;
	count_stage(STAGE_IPV4);
	meta->stage = 1 + STAGE_IPV4;
	ip = data + (meta->l3_off & 0xff);
	if ((void *)(ip + 1) > data_end) {
		meta->verdict_reason = REASON_SHORT;
		return XDP_DROP;
	}
	if (ip->ttl <= 1) {
		meta->verdict_reason = REASON_TTL;
		return XDP_DROP;
	}
	return XDP_PASS;
}

SEC("xdp")
int parse_ipv6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pkt_meta *meta = get_meta(ctx);
	struct ipv6hdr *ip6;

	if (!meta)
		return XDP_DROP;
	count_stage(STAGE_IPV6);
	meta->stage = 1 + STAGE_IPV6;
	ip6 = data + (meta->l3_off & 0xff);
	if ((void *)(ip6 + 1) > data_end) {
		meta->verdict_reason = REASON_SHORT;
		return XDP_DROP;
	}
	if (ip6->hop_limit <= 1) {
		meta->verdict_reason = REASON_TTL;
		return XDP_DROP;
	}
	return XDP_PASS;
}

SEC("xdp")
int parse_arp(struct xdp_md *ctx)
{
	struct pkt_meta *meta = get_meta(ctx);

	if (!meta)
		return XDP_DROP;
	count_stage(STAGE_ARP);
	meta->stage = 1 + STAGE_ARP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
