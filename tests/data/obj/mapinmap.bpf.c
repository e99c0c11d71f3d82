// SPDX-License-Identifier: MIT
/* Map-in-map with an inner template and initial values (__array(values, ...)), a hash of
 * maps without them, and a prog array whose slots start filled with programs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [5] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 16);
	__type(key, __u64);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__type(key, __u32);
		__type(value, __u32);
		__uint(max_entries, 64);
	});
} by_id SEC(".maps");

int stage_two(struct __sk_buff *skb);
int stage_three(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(struct __sk_buff *));
} jump SEC(".maps") = {
	.values = { [1] = (void *)&stage_two, [3] = (void *)&stage_three },
};

SEC("tc")
int stage_one(struct __sk_buff *skb)
{
	__u32 key = 5, idx = 1;
	void *inner = bpf_map_lookup_elem(&outer, &key);
	__u64 *v;

	if (inner) {
		v = bpf_map_lookup_elem(inner, &idx);
		if (v)
			(*v)++;
	}
	bpf_tail_call(skb, &jump, 1);
	return 0;
}

SEC("tc")
int stage_two(struct __sk_buff *skb)
{
	__u64 id = skb->mark;

	if (bpf_map_lookup_elem(&by_id, &id))
		return 1;
	bpf_tail_call(skb, &jump, 3);
	return 0;
}

SEC("tc")
int stage_three(struct __sk_buff *skb)
{
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
