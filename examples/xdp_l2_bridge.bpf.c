// SPDX-License-Identifier: MIT
/*
 * A learning bridge in XDP. Every frame teaches the forwarding database (`fdb`, an LRU hash,
 * so that stations not heard from for a long time make room when it fills) which port its
 * source MAC address sits behind. Frames to a known unicast destination leave directly
 * through that port (bpf_redirect_map on `ports`, a DEVMAP_HASH keyed by ifindex, which user
 * space fills with the bridge's ports); frames back out of the port they came in on are
 * dropped; frames to an unknown unicast destination go to the uplink (bpf_redirect to
 * uplink_ifindex) when one is configured; broadcast and multicast go to the stack, which
 * floods them. Entries older than ageing_ns (the coarse clock is precise enough) are ignored
 * until the station is heard again.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct mac_addr {
	__u8 addr[ETH_ALEN];
};

struct fdb_entry {
	__u32 ifindex;
	__u32 moves;     /* times the station was seen on another port */
	__u64 seen_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct mac_addr);
	__type(value, struct fdb_entry);
	__uint(max_entries, 8192);
} fdb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 64);
} ports SEC(".maps");

const volatile __u32 uplink_ifindex = 0;          /* 0: no uplink */
const volatile __u64 ageing_ns = 300000000000ull; /* 300 s, as Linux bridges */

static __always_inline int is_multicast(const __u8 *mac)
{
	return mac[0] & 1;
}

static __always_inline void learn(const __u8 *src, __u32 ifindex, __u64 now)
{
	struct mac_addr key;
	struct fdb_entry *e, fresh = { .ifindex = ifindex, .seen_ns = now };

	__builtin_memcpy(key.addr, src, ETH_ALEN);
	e = bpf_map_lookup_elem(&fdb, &key);
	if (!e) {
		bpf_map_update_elem(&fdb, &key, &fresh, BPF_ANY);
		return;
	}
	if (e->ifindex != ifindex) {
		e->ifindex = ifindex;
		e->moves++;
	}
	e->seen_ns = now;
}

SEC("xdp")
int xdp_bridge(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct mac_addr dst;
	struct fdb_entry *e;
	__u32 in = ctx->ingress_ifindex;
	__u64 now = bpf_ktime_get_coarse_ns();

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (!is_multicast(eth->h_source))
		learn(eth->h_source, in, now);
	if (is_multicast(eth->h_dest))
		return XDP_PASS;

	__builtin_memcpy(dst.addr, eth->h_dest, ETH_ALEN);
	e = bpf_map_lookup_elem(&fdb, &dst);
	if (e && now - e->seen_ns < ageing_ns) {
		if (e->ifindex == in)
			return XDP_DROP; /* both on the same segment */
		/* A port that is not (or no longer) in the bridge: to the stack. */
		return bpf_redirect_map(&ports, e->ifindex, XDP_PASS);
	}
	if (uplink_ifindex && uplink_ifindex != in)
		return bpf_redirect(uplink_ifindex, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
