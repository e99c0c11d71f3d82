// SPDX-License-Identifier: MIT
/*
 * A socket filter written the way samples/bpf and programs of the 4.x kernels were: maps
 * declared as `struct bpf_map_def` in the "maps" section (the struct defined here, as those
 * programs did before libbpf's BTF maps), and packet bytes read with the classic BPF
 * load instructions (LD_ABS, through clang's llvm.bpf.load.* intrinsics), which read from the
 * network header and return numbers in host byte order. It counts bytes per IP protocol and
 * packets per source address, and returns a snap length: IPv4 packets are kept up to snap_len
 * bytes (like tcpdump -s), others are cut to nothing.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") proto_bytes = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 256,
};

struct bpf_map_def SEC("maps") src_packets = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),  /* source address, host byte order */
	.value_size = sizeof(__u64),
	.max_entries = 1024,
};

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

#define SNAP_LEN 96

SEC("socket")
int sock_legacy_count(struct __sk_buff *skb)
{
	__u32 proto, saddr;
	__u64 *v, one = 1;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if ((load_byte(skb, 0) >> 4) != 4)
		return 0;
	proto = load_byte(skb, offsetof(struct iphdr, protocol));
	v = bpf_map_lookup_elem(&proto_bytes, &proto);
	if (v)
		__sync_fetch_and_add(v, skb->len);

	saddr = load_word(skb, offsetof(struct iphdr, saddr));
	v = bpf_map_lookup_elem(&src_packets, &saddr);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&src_packets, &saddr, &one, BPF_NOEXIST);

	/* Total length from the header: runts shorter than what they claim are dropped. */
	if (load_half(skb, offsetof(struct iphdr, tot_len)) > skb->len)
		return 0;
	return SNAP_LEN;
}

char _license[] SEC("license") = "GPL";
