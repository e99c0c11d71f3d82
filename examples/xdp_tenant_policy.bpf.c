// SPDX-License-Identifier: MIT
/*
 * Per-tenant port policy on a shared link, with maps of maps. A tenant is the VLAN its
 * traffic is tagged with. Each tenant has its own table of allowed TCP/UDP destination ports
 * (an inner hash in `tenant_ports`, an ARRAY_OF_MAPS indexed by VLAN id) and its own verdict
 * counters (an inner array in `tenant_stats`, a HASH_OF_MAPS keyed by VLAN id). Tenants 1 and
 * 2 and their tables are declared here and linked at load time through __array initial values;
 * user space adds more tenants at run time by creating inner maps of the same shape and
 * storing them in the outer maps, without reloading the program.
 * Untagged traffic passes; tagged traffic of a tenant without a table is dropped; a tenant's
 * traffic passes only to its allowed ports.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_TENANTS 4096

enum { STAT_ALLOWED, STAT_DENIED, STAT_MAX };

struct port_table {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);    /* destination port, host byte order */
	__type(value, __u32);  /* rule id */
	__uint(max_entries, 256);
} tenant1_ports SEC(".maps"), tenant2_ports SEC(".maps");

struct stat_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, STAT_MAX);
} tenant1_stats SEC(".maps"), tenant2_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, MAX_TENANTS);
	__type(key, __u32);
	__array(values, struct port_table);
} tenant_ports SEC(".maps") = {
	.values = { [1] = &tenant1_ports, [2] = &tenant2_ports },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, MAX_TENANTS);
	__type(key, __u32);
	__array(values, struct stat_table);
} tenant_stats SEC(".maps") = {
	.values = { [1] = &tenant1_stats, [2] = &tenant2_stats },
};

struct vlan_hdr {
	__u16 tci;
	__u16 next_proto;
};

static __always_inline void count(__u32 tenant, __u32 what)
{
	void *stats = bpf_map_lookup_elem(&tenant_stats, &tenant);
	__u64 *n;

	if (!stats)
		return;
	n = bpf_map_lookup_elem(stats, &what);
	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("xdp")
int xdp_tenant_policy(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *vh = (void *)(eth + 1);
	struct iphdr *ip = (void *)(vh + 1);
	void *ports;
	__u16 *l4, dport;
	__u32 tenant;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q))
		return XDP_PASS;
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	tenant = bpf_ntohs(vh->tci) & 0x0fff;
	ports = bpf_map_lookup_elem(&tenant_ports, &tenant);
	if (!ports)
		return XDP_DROP;
	if (vh->next_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP))
		goto deny;
	l4 = (void *)(ip + 1);
	if ((void *)(l4 + 2) > data_end)
		goto deny;
	dport = bpf_ntohs(l4[1]);
	if (!bpf_map_lookup_elem(ports, &dport))
		goto deny;
	count(tenant, STAT_ALLOWED);
	return XDP_PASS;
deny:
	count(tenant, STAT_DENIED);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
