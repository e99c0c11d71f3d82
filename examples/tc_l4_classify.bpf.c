// SPDX-License-Identifier: MIT
/*
 * A tc classifier that finds the transport protocol behind VLAN tags and IPv6 extension
 * headers and marks the packet for the qdisc: skb->mark gets the outer VLAN id and the
 * transport protocol ((vid << 16) | proto), skb->priority the IP traffic class's DSCP, and
 * skb->tc_classid the class "1:proto". Both walks are bounded loops: at most MAX_VLANS tags
 * (802.1Q and 802.1ad) and MAX_EXT_HDRS IPv6 extension headers (hop-by-hop, routing,
 * destination options, fragment, authentication). A packet with more extension headers than
 * that is dropped (TC_ACT_SHOT): stacking extension headers is a known way to slip
 * past filters. Per-protocol packet counts go to an array.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_VLANS 2
#define MAX_EXT_HDRS 6

struct vlan_hdr {
	__u16 tci;
	__u16 next_proto;
};

/* The generic layout of an extension header (the fragment header's length field is
 * reserved: it is always 8 bytes). */
struct ext_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 256);
} l4_packets SEC(".maps");

static __always_inline int is_ext_hdr(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH;
}

SEC("tc")
int tc_l4_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth), vid = 0, l4;
	__u16 proto;
	__u8 dscp = 0, nh;
	__u64 *count;
	int i;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	proto = eth->h_proto;
	for (i = 0; i < MAX_VLANS; i++) {
		struct vlan_hdr *vh = data + off;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return TC_ACT_OK;
		if (i == 0)
			vid = bpf_ntohs(vh->tci) & 0x0fff;
		proto = vh->next_proto;
		off += sizeof(*vh);
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > data_end)
			return TC_ACT_OK;
		nh = ip->protocol;
		dscp = ip->tos >> 2;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > data_end)
			return TC_ACT_OK;
		nh = ip6->nexthdr;
		dscp = ((ip6->priority << 4) | (ip6->flow_lbl[0] >> 4)) >> 2;
		off += sizeof(*ip6);
		for (i = 0; i < MAX_EXT_HDRS; i++) {
			struct ext_hdr *eh = data + off;

			if (!is_ext_hdr(nh))
				break;
			if ((void *)(eh + 1) > data_end)
				return TC_ACT_OK;
			if (nh == IPPROTO_FRAGMENT)
				off += 8;
			else if (nh == IPPROTO_AH)
				off += 4 * ((__u32)eh->hdrlen + 2);
			else
				off += 8 * ((__u32)eh->hdrlen + 1);
			nh = eh->nexthdr;
		}
		if (is_ext_hdr(nh))
			return TC_ACT_SHOT;
	} else {
		return TC_ACT_OK;
	}

	l4 = nh;
	count = bpf_map_lookup_elem(&l4_packets, &l4);
	if (count)
		__sync_fetch_and_add(count, 1);
	skb->mark = vid << 16 | nh;
	skb->priority = dscp;
	skb->tc_classid = TC_H_MAKE(1 << 16, nh);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
