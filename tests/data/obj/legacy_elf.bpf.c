// SPDX-License-Identifier: MIT
/* iproute2's legacy map definition (struct bpf_elf_map: the five fields of struct bpf_map_def,
 * then id, pinning, inner_id, inner_idx; 36 bytes), with one map pinned. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

struct bpf_elf_map acc SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = 4,
	.size_value = 8,
	.max_elem = 2,
	.pinning = 2, /* PIN_GLOBAL_NS */
};

struct bpf_elf_map scratch SEC("maps") = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.size_key = 4,
	.size_value = 32,
	.max_elem = 1,
};

SEC("classifier")
int account(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&acc, &key);

	if (v)
		__sync_fetch_and_add(v, skb->len);
	return bpf_map_lookup_elem(&scratch, &key) ? 0 : 2;
}

char LICENSE[] SEC("license") = "GPL";
