// SPDX-License-Identifier: MIT
/*
 * An XDP firewall: drops IPv4 packets whose source address falls in a prefix of the block list
 * (an LPM trie), passes everything else, and counts packets per verdict in a per-CPU array.
 * Fill the block list from user space, e.g.
 *   bpfhost run build/examples/xdp_firewall.bpf.o --pcap examples/traffic.pcap \
 *       --map-update blocklist "18 00 00 00 0a 01 02 00" "01 00 00 00" --dump-maps
 * (key: prefix length 24 as a little-endian u32, then 10.1.2.0).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct lpm_v4_key {
	__u32 prefixlen;
	__u32 addr; /* network byte order */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist SEC(".maps");

enum { CNT_PASS, CNT_DROP, CNT_NOT_IP, CNT_MALFORMED, CNT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, CNT_MAX);
} counters SEC(".maps");

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &what);

	if (c)
		*c += 1;
	return verdict;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct lpm_v4_key key;

	if ((void *)(eth + 1) > data_end)
		return count(CNT_MALFORMED, XDP_DROP);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return count(CNT_NOT_IP, XDP_PASS);
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return count(CNT_MALFORMED, XDP_DROP);
	key.prefixlen = 32;
	key.addr = ip->saddr;
	if (bpf_map_lookup_elem(&blocklist, &key))
		return count(CNT_DROP, XDP_DROP);
	return count(CNT_PASS, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
