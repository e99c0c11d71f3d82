// SPDX-License-Identifier: MIT
/*
 * A large program for the verifier benchmark (bench/verify.c), not run: a tc program that looks
 * up 1000 array slots one after another (an unrolled loop), null-checking each value and
 * updating it in place: some 12,000 instructions with a helper call, a map value pointer that
 * may be null and a branch in every step.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define N 1000

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, N);
} counters SEC(".maps");

SEC("tc")
int lookups_1000(struct __sk_buff *skb)
{
	__u64 total = skb->len;

#pragma unroll
	for (__u32 i = 0; i < N; i++) {
		__u32 key = i;
		__u64 *v = bpf_map_lookup_elem(&counters, &key);

		if (v) {
			total += *v;
			*v += 1;
		}
	}
	return total & 1;
}

char _license[] SEC("license") = "MIT";
