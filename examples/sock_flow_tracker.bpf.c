// SPDX-License-Identifier: MIT
/*
 * A passive flow tracker as a socket filter: for every IPv4 TCP or UDP packet it keeps the
 * flow's packet and byte counts and first and last times (an LRU hash: the oldest flows make
 * room when it fills) and the bytes sent by each source address (a per-CPU LRU hash), and
 * passes the packet to the socket unchanged; other packets are cut off (return 0).
 *
 * Socket filters cannot read the packet directly: headers come in with bpf_skb_load_bytes,
 * from the network header. Times come from the boot clock, which keeps counting across
 * suspend. Every gc_every packets the program walks the flows with bpf_for_each_map_elem and
 * deletes those idle for longer than flow_timeout_ns.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
	__uint(max_entries, 16384);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4096);
} src_bytes SEC(".maps");

const volatile __u64 flow_timeout_ns = 60000000000ull; /* 60 s */
const volatile __u32 gc_every = 64;

__u64 packets_seen;
__u64 gc_runs;
__u64 gc_visited;
__u64 gc_deleted;

struct gc_ctx {
	__u64 now;
	__u64 deleted;
};

static long expire_flow(void *map, struct flow_key *key, struct flow_stats *st,
			struct gc_ctx *gc)
{
	if (gc->now - st->last_ns > flow_timeout_ns) {
		bpf_map_delete_elem(map, key);
		gc->deleted++;
	}
	return 0; /* continue */
}

SEC("socket")
int sock_flow_tracker(struct __sk_buff *skb)
{
	struct flow_key key = {};
	struct flow_stats *st;
	struct iphdr ip;
	__u64 now, *sb;
	__u16 l4[2];

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.ihl < 5)
		return 0;
	if (ip.protocol != IPPROTO_TCP && ip.protocol != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, l4, sizeof(l4)))
		return 0;

	now = bpf_ktime_get_boot_ns();
	key.saddr = ip.saddr;
	key.daddr = ip.daddr;
	key.sport = bpf_ntohs(l4[0]);
	key.dport = bpf_ntohs(l4[1]);
	key.proto = ip.protocol;
	st = bpf_map_lookup_elem(&flows, &key);
	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, skb->len);
		st->last_ns = now;
	} else {
		struct flow_stats fresh = {
			.packets = 1, .bytes = skb->len, .first_ns = now, .last_ns = now,
		};

		bpf_map_update_elem(&flows, &key, &fresh, BPF_ANY);
	}

	sb = bpf_map_lookup_elem(&src_bytes, &ip.saddr);
	if (sb) {
		*sb += skb->len;
	} else {
		__u64 len = skb->len;

		bpf_map_update_elem(&src_bytes, &ip.saddr, &len, BPF_NOEXIST);
	}

	__sync_fetch_and_add(&packets_seen, 1);
	if (packets_seen % gc_every == 0) {
		struct gc_ctx gc = { .now = now };
		long visited = bpf_for_each_map_elem(&flows, expire_flow, &gc, 0);

		__sync_fetch_and_add(&gc_runs, 1);
		__sync_fetch_and_add(&gc_visited, visited);
		__sync_fetch_and_add(&gc_deleted, gc.deleted);
	}
	return skb->len;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
