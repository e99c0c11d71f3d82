// SPDX-License-Identifier: MIT
/*
 * A tc classifier that counts packets and bytes per protocol (EtherType and, for IPv4 and
 * IPv6, the IP protocol) in a per-CPU hash, so that CPUs never contend for a counter, and
 * enforces a global ICMP budget: once all CPUs together have seen icmp_budget ICMP packets,
 * further ICMP is dropped. The total is the sum of every CPU's copy, read with
 * bpf_map_lookup_percpu_elem in a bounded loop over the CPUs.
 *
 * The context is read the CO-RE way, as programs built against vmlinux.h do: the __sk_buff
 * fields go through __builtin_preserve_access_index, so their offsets are relocations in
 * .BTF.ext that a loader may adjust, and bpf_core_field_exists asks whether the running
 * kernel's __sk_buff has a hardware timestamp.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>

/* A relocatable read of a context field. */
#define CTX_FIELD(ctx, field) (*__builtin_preserve_access_index(&(ctx)->field))

#define MAX_CPUS 128

struct proto_key {
	__u16 eth_proto; /* host byte order */
	__u8 ip_proto;
	__u8 pad;
};

struct proto_stats {
	__u64 packets;
	__u64 bytes;
	__u64 hw_stamped; /* packets with a hardware timestamp */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct proto_key);
	__type(value, struct proto_stats);
	__uint(max_entries, 256);
} proto_stats SEC(".maps");

const volatile __u32 nr_cpus = 1;        /* set to the number of possible CPUs */
const volatile __u64 icmp_budget = 1000; /* ICMP packets, all CPUs together */

static __always_inline __u64 total_packets(struct proto_key *key)
{
	__u64 sum = 0;
	__u32 cpu;

	for (cpu = 0; cpu < MAX_CPUS && cpu < nr_cpus; cpu++) {
		struct proto_stats *s = bpf_map_lookup_percpu_elem(&proto_stats, key, cpu);

		if (s)
			sum += s->packets;
	}
	return sum;
}

SEC("tc")
int tc_proto_count(struct __sk_buff *skb)
{
	void *data = (void *)(long)CTX_FIELD(skb, data);
	void *data_end = (void *)(long)CTX_FIELD(skb, data_end);
	struct proto_key key = {};
	struct proto_stats *st, init = {};
	__u32 len = CTX_FIELD(skb, len);
	int stamped = 0;

	key.eth_proto = bpf_ntohs((__u16)CTX_FIELD(skb, protocol));
	if (key.eth_proto == ETH_P_IP) {
		struct iphdr *ip = data + sizeof(struct ethhdr);

		if ((void *)(ip + 1) <= data_end)
			key.ip_proto = ip->protocol;
	} else if (key.eth_proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);

		if ((void *)(ip6 + 1) <= data_end)
			key.ip_proto = ip6->nexthdr;
	}
	if (bpf_core_field_exists(skb->hwtstamp))
		stamped = CTX_FIELD(skb, hwtstamp) != 0;

	st = bpf_map_lookup_elem(&proto_stats, &key);
	if (!st) {
		bpf_map_update_elem(&proto_stats, &key, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&proto_stats, &key);
		if (!st)
			return TC_ACT_OK;
	}
	/* Per-CPU: this CPU's copy only, no atomics needed. */
	st->packets++;
	st->bytes += len;
	st->hw_stamped += stamped;

	if (key.ip_proto == IPPROTO_ICMP && key.eth_proto == ETH_P_IP &&
	    total_packets(&key) > icmp_budget)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
