// SPDX-License-Identifier: MIT
/* Legacy map definitions in the "maps" section (struct bpf_map_def, 20 bytes each), as
 * samples/bpf and old loaders wrote them, and a "version" section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_legacy {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def_legacy counts SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 256,
};

struct bpf_map_def_legacy table SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u64),
	.value_size = 16,
	.max_entries = 32,
	.map_flags = BPF_F_NO_PREALLOC,
};

SEC("socket")
int count_protocols(struct __sk_buff *skb)
{
	__u32 key = skb->protocol & 0xff;
	__u64 *v = bpf_map_lookup_elem(&counts, &key), k2 = key;

	if (v)
		__sync_fetch_and_add(v, 1);
	return bpf_map_lookup_elem(&table, &k2) ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x050a00;
