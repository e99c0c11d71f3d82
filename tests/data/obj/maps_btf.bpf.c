// SPDX-License-Identifier: MIT
/* BTF-defined maps of several types: key and value by type (__type) and by size, flags,
 * pinning, a 64-bit map_extra written as libbpf's __ulong does (an enum), a queue without a
 * key. One XDP program uses some of them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* libbpf's __ulong, for headers that predate it. */
#define ulong_field(name, val) enum { name##__value = (val) } name

struct flow_key {
	__u32 saddr, daddr;
	__u16 sport, dport;
	__u8 proto;
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
	__uint(max_entries, 1024);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 64);
	__uint(max_entries, 8);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, __u32);
	__uint(max_entries, 128);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 16);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 100);
	ulong_field(map_extra, 3);
} bloom SEC(".maps");

SEC("xdp")
int count_flows(struct xdp_md *ctx)
{
	struct flow_key key = { .proto = 6 };
	struct flow_stats *st;
	__u32 zero = 0;
	__u64 *c;

	st = bpf_map_lookup_elem(&flows, &key);
	if (st) {
		st->packets++;
		st->bytes += ctx->data_end - ctx->data;
	}
	c = bpf_map_lookup_elem(&counters, &zero);
	if (c)
		(*c)++;
	bpf_map_push_elem(&queue, &zero, 0);
	return bpf_map_lookup_elem(&config, &zero) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
