// SPDX-License-Identifier: MIT
/*
 * A per-source packet rate limiter in XDP: a token bucket for every IPv4 source address,
 * rate_pps packets per second with bursts of up to burst packets; packets over the limit are
 * dropped. Several CPUs may take packets of one source at once, so each bucket carries a
 * struct bpf_spin_lock that serialises its update (bpf_spin_lock / bpf_spin_unlock). Credit is
 * kept in nanoseconds of the monotonic clock: a packet costs 1e9 / rate_pps of it.
 *
 * Configuration is read-only data (.rodata, set before loading); the totals are global
 * variables in .bss that user space reads through the object's data map.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NSEC_PER_SEC 1000000000ull

struct bucket {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 credit_ns;   /* unused time credit, at most burst * cost */
	__u64 last_ns;
	__u64 dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct bucket);
	__uint(max_entries, 65536);
} buckets SEC(".maps");

const volatile __u64 rate_pps = 1000;
const volatile __u64 burst = 100;

__u64 total_passed;
__u64 total_dropped;

static __always_inline int verdict(int pass)
{
	if (pass) {
		__sync_fetch_and_add(&total_passed, 1);
		return XDP_PASS;
	}
	__sync_fetch_and_add(&total_dropped, 1);
	return XDP_DROP;
}

SEC("xdp")
int xdp_rate_limit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 now, cost, cap, credit;
	struct bucket *b;
	__u32 src;
	int pass;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	src = ip->saddr;
	now = bpf_ktime_get_ns();
	cost = NSEC_PER_SEC / (rate_pps ? rate_pps : 1);
	cap = cost * burst;

	b = bpf_map_lookup_elem(&buckets, &src);
	if (!b) {
		/* A new source starts with a full bucket, less this packet. */
		struct bucket fresh = { .credit_ns = cap - cost, .last_ns = now };

		if (burst == 0)
			return verdict(0);
		if (bpf_map_update_elem(&buckets, &src, &fresh, BPF_NOEXIST) == 0)
			return verdict(1);
		b = bpf_map_lookup_elem(&buckets, &src); /* another CPU created it */
		if (!b)
			return verdict(0);
	}

	bpf_spin_lock(&b->lock);
	credit = b->credit_ns;
	if (now > b->last_ns)
		credit += now - b->last_ns;
	if (credit > cap)
		credit = cap;
	pass = credit >= cost;
	if (pass)
		credit -= cost;
	else
		b->dropped++;
	b->credit_ns = credit;
	b->last_ns = now;
	bpf_spin_unlock(&b->lock);
	return verdict(pass);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
