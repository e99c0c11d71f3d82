// SPDX-License-Identifier: MIT
/*
 * Source NAT for TCP in XDP: connections from the inside network (inside_net/inside_mask)
 * leave with the public address nat_addr and a public port taken from a pool. The pool of
 * free ports is a QUEUE that user space fills: a new connection (a SYN) pops the port at its
 * head, and a closing one (FIN or RST) pushes its port back at the tail, so that a released
 * port is the last to be reused. Mappings live in `nat_table`; a packet of an unknown
 * connection that is not a SYN is dropped, and so is a SYN when the pool is empty. Checksums
 * are updated incrementally with bpf_csum_diff: the IPv4 header's for the address, the TCP
 * checksum for the address (in its pseudo-header) and the port. The translated packet goes
 * on to the stack, which routes it out.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct nat_key {
	__u32 saddr;  /* the inside 4-tuple, network byte order */
	__u32 daddr;
	__u16 sport;
	__u16 dport;
};

struct nat_entry {
	__u16 ext_port; /* host byte order */
	__u16 pad;
	__u32 pad2;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u16);
	__uint(max_entries, 16384);
} free_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct nat_key);
	__type(value, struct nat_entry);
	__uint(max_entries, 16384);
} nat_table SEC(".maps");

const volatile __u32 nat_addr = 0;     /* network byte order */
const volatile __u32 inside_net = 0;   /* network byte order */
const volatile __u32 inside_mask = 0;  /* network byte order */

__u64 pool_exhausted;
__u64 no_state;

static __always_inline __u16 csum_fold(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

/* The checksum after a 32-bit word of what it covers changed from `from` to `to`. */
static __always_inline __u16 csum_replace4(__u16 check, __u32 from, __u32 to)
{
	return csum_fold(bpf_csum_diff(&from, sizeof(from), &to, sizeof(to), (__u16)~check));
}

SEC("xdp")
int xdp_snat(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct nat_key key;
	struct nat_entry *e;
	struct tcphdr *tcp;
	__u32 old_addr, old_ports, new_ports;
	__u16 port;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return XDP_PASS;
	if ((ip->saddr & inside_mask) != inside_net)
		return XDP_PASS;
	tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > data_end)
		return XDP_DROP;

	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = tcp->source;
	key.dport = tcp->dest;
	e = bpf_map_lookup_elem(&nat_table, &key);
	if (!e) {
		struct nat_entry fresh = {};

		if (!tcp->syn || tcp->ack) {
			__sync_fetch_and_add(&no_state, 1);
			return XDP_DROP;
		}
		if (bpf_map_pop_elem(&free_ports, &port)) {
			__sync_fetch_and_add(&pool_exhausted, 1);
			return XDP_DROP;
		}
		fresh.ext_port = port;
		if (bpf_map_update_elem(&nat_table, &key, &fresh, BPF_NOEXIST)) {
			bpf_map_push_elem(&free_ports, &port, 0);
			return XDP_DROP;
		}
		e = bpf_map_lookup_elem(&nat_table, &key);
		if (!e)
			return XDP_DROP;
	}
	__sync_fetch_and_add(&e->packets, 1);
	port = e->ext_port;
	if (tcp->fin || tcp->rst) {
		/* The connection closes: its port goes back to the pool's tail. */
		bpf_map_delete_elem(&nat_table, &key);
		bpf_map_push_elem(&free_ports, &port, 0);
	}

	old_addr = ip->saddr;
	ip->saddr = nat_addr;
	ip->check = csum_replace4(ip->check, old_addr, nat_addr);
	__builtin_memcpy(&old_ports, &tcp->source, sizeof(old_ports));
	tcp->source = bpf_htons(port);
	__builtin_memcpy(&new_ports, &tcp->source, sizeof(new_ports));
	tcp->check = csum_replace4(tcp->check, old_addr, nat_addr);
	tcp->check = csum_replace4(tcp->check, old_ports, new_ports);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
