// SPDX-License-Identifier: MIT
/*
 * A DNS query filter in XDP. For each query to UDP port 53 it hashes the question's name
 * (FNV-1a over the wire-format name, letters folded to lower case) in a bounded loop, in a
 * static subprogram, then:
 *  - asks the `blocked` bloom filter whether the name may be blocked; only then is the exact
 *    `block_rules` hash consulted (a bloom filter has false positives, never false negatives),
 *    and a match drops the query and counts it against its rule;
 *  - asks the `seen` bloom filter whether the name was queried before, and adds it when not,
 *    counting names never seen (a cheap "newly observed domains" signal).
 * User space adds the hashes of blocked names to both `blocked` (bpf_map_update_elem with a
 * NULL key pushes into a bloom filter) and `block_rules`.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_NAME 128
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

struct dnshdr {
	__u16 id;
	__u16 flags;
	__u16 qdcount;
	__u16 ancount;
	__u16 nscount;
	__u16 arcount;
};

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 10000);
	__uint(map_extra, 3); /* hash functions */
} blocked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 100000);
	__uint(map_extra, 5);
} seen SEC(".maps");

struct rule {
	__u32 id;
	__u32 pad;
	__u64 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct rule);
	__uint(max_entries, 10000);
} block_rules SEC(".maps");

__u64 queries;
__u64 new_names;
__u64 bloom_false_positives;

/*
 * Hash the question's name at offset off of the packet: FNV-1a over its wire format, letters
 * lower-cased, up to and with the terminating zero. Returns 0, or -1 when the name runs past
 * the packet or is longer than MAX_NAME. Static but not inlined: the verifier checks it once
 * per call site with the caller's packet bounds, and the program stays small.
 */
static __noinline int hash_qname(struct xdp_md *ctx, __u32 off, __u32 *hash)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data + (off & 0xff);
	__u32 h = FNV_OFFSET;
	int i;

	for (i = 0; i < MAX_NAME; i++) {
		__u8 c;

		if ((void *)(p + i + 1) > data_end)
			return -1;
		c = p[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * FNV_PRIME;
		if (c == 0) {
			*hash = h;
			return 0;
		}
	}
	return -1;
}

SEC("xdp")
int xdp_dns_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;
	struct dnshdr *dns;
	struct rule *r;
	__u32 h;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(53))
		return XDP_PASS;
	dns = (void *)(udp + 1);
	if ((void *)(dns + 1) > data_end)
		return XDP_DROP;
	/* Queries only (QR clear), with one question. */
	if ((dns->flags & bpf_htons(0x8000)) || dns->qdcount != bpf_htons(1))
		return XDP_PASS;
	/* A truncated or overlong name is not a query we let through. */
	if (hash_qname(ctx, (void *)(dns + 1) - data, &h))
		return XDP_DROP;
	__sync_fetch_and_add(&queries, 1);

	if (bpf_map_peek_elem(&seen, &h) != 0) {
		bpf_map_push_elem(&seen, &h, BPF_ANY);
		__sync_fetch_and_add(&new_names, 1);
	}
	if (bpf_map_peek_elem(&blocked, &h) == 0) {
		r = bpf_map_lookup_elem(&block_rules, &h);
		if (r) {
			__sync_fetch_and_add(&r->hits, 1);
			return XDP_DROP;
		}
		__sync_fetch_and_add(&bloom_false_positives, 1);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
