// SPDX-License-Identifier: MIT
/*
 * An XDP layer-4 load balancer in the manner of Katran: TCP and UDP packets to a virtual
 * service (VIP, port and protocol in the `services` hash) are encapsulated in IP-in-IP towards
 * one of the service's backends and redirected, through the `tx_ports` DEVMAP, out of the
 * interface that reaches it. The backend is picked by a hash of the flow, so every packet of a
 * connection reaches the same backend. Everything else goes to the stack.
 *
 * User space fills the maps: services (struct vip_key -> struct vip_meta: the service's
 * backends are backends[first .. first + count)), backends (index -> address, next-hop MAC,
 * tx port) and tx_ports (tx port -> ifindex). lb_src_ip, the outer source address, is set in
 * .rodata before loading. Shows bpf_xdp_adjust_head (room for the outer header), bpf_csum_diff
 * (its checksum), bpf_redirect_map and a global, non-inlined subprogram.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

struct vip_key {
	__u32 vip;   /* network byte order */
	__u16 port;  /* network byte order */
	__u8 proto;
	__u8 pad;
};

struct vip_meta {
	__u32 first;
	__u32 count;
};

struct backend {
	__u32 ip;        /* network byte order */
	__u32 tx_port;   /* key in tx_ports */
	__u8 mac[ETH_ALEN];
	__u8 pad[2];
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct vip_key);
	__type(value, struct vip_meta);
	__uint(max_entries, 512);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct backend);
	__uint(max_entries, 4096);
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 64);
} tx_ports SEC(".maps");

const volatile __u32 lb_src_ip = 0; /* network byte order; set before loading */

static __always_inline __u32 rotl32(__u32 x, int r)
{
	return x << r | x >> (32 - r);
}

static __always_inline __u32 hash_word(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51u;
	k = rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

/* A flow hash (murmur3 over the 4-tuple and protocol, with its final avalanche, so that every
 * input bit reaches the low bits the backend index comes from). Global and not inlined:
 * verified once, on its own, and shared by every caller. */
__noinline __u32 flow_hash(__u32 saddr, __u32 daddr, __u32 ports, __u32 proto)
{
	__u32 h = proto;

	h = hash_word(h, saddr);
	h = hash_word(h, daddr);
	h = hash_word(h, ports);
	h ^= 12; /* bytes hashed */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static __always_inline __u16 csum_fold(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

/* Prepend an outer IPv4 header (protocol IPIP) and a new Ethernet header towards the
 * backend, then redirect. inner_len is the inner packet's tot_len, network order. */
static __always_inline int encap_and_redirect(struct xdp_md *ctx, struct backend *be,
					      __u16 inner_len)
{
	struct ethhdr *eth, *old_eth;
	struct iphdr *outer;
	void *data, *data_end;

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct iphdr)))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	old_eth = data + sizeof(struct iphdr);
	outer = (void *)(eth + 1);
	if ((void *)(old_eth + 1) > data_end)
		return XDP_DROP;
	/* The old Ethernet header is overwritten by the outer IP header: read it first. */
	__builtin_memcpy(eth->h_source, old_eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	outer->version = 4;
	outer->ihl = 5;
	outer->tos = 0;
	outer->tot_len = bpf_htons(bpf_ntohs(inner_len) + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = 0;
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = lb_src_ip;
	outer->daddr = be->ip;
	outer->check = csum_fold(bpf_csum_diff(NULL, 0, (__be32 *)outer, sizeof(*outer), 0));

	__sync_fetch_and_add(&be->packets, 1);
	/* No such tx port: drop (the low bits of flags are the verdict for a missing entry). */
	return bpf_redirect_map(&tx_ports, be->tx_port, XDP_DROP);
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vip_key vk = {};
	struct vip_meta *vm;
	struct backend *be;
	struct iphdr *ip;
	__u16 *ports;
	__u32 idx;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	/* Options and fragments are left to the stack. */
	if (ip->ihl != 5 || (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	ports = (void *)(ip + 1);
	if ((void *)(ports + 2) > data_end)
		return XDP_DROP;

	vk.vip = ip->daddr;
	vk.port = ports[1];
	vk.proto = ip->protocol;
	vm = bpf_map_lookup_elem(&services, &vk);
	if (!vm || vm->count == 0)
		return XDP_PASS;
	idx = vm->first + flow_hash(ip->saddr, ip->daddr, (__u32)ports[0] << 16 | ports[1],
				    ip->protocol) % vm->count;
	be = bpf_map_lookup_elem(&backends, &idx);
	if (!be)
		return XDP_DROP;
	return encap_and_redirect(ctx, be, ip->tot_len);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
