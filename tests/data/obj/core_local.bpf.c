// SPDX-License-Identifier: MIT
/* CO-RE against definitions of the contexts that differ from Linux's: struct xdp_md with its
 * fields reordered and some left out, "flavors" (xdp_md___v2, enum xdp_action___local) with
 * fields and enumerators the target lacks, a __sk_buff whose sk is a plain pointer (Linux's
 * sits in an anonymous union) and whose ingress_ifindex is narrower, relocations in a
 * subprogram that two programs share, and every kind of relocation clang 14 emits. Opened
 * with bpfhost's context BTF, each access must land on Linux's offset (tests/unit/obj/core.c
 * checks the instructions and test-runs xdp_local). No <linux/bpf.h> here: the program's own
 * definitions are the local types. */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct xdp_md {
	__u32 ingress_ifindex;
	__u32 data_end;
	__u32 data;
} __attribute__((preserve_access_index));

struct xdp_md___v2 {
	__u32 rx_queue_index;
	__u32 data_meta;
	__u32 no_such_field;
} __attribute__((preserve_access_index));

/* All of its members are in the target, with the same types: it "matches". */
struct xdp_md___sub {
	__u32 data_end;
	__u32 data;
} __attribute__((preserve_access_index));

struct no_such_struct {
	int x;
} __attribute__((preserve_access_index));

enum xdp_action___local {
	XDP_PASS___local = 7,
	XDP_TX___local = 8,
	XDP_NOPE___local = 9,
};

struct bpf_sock {
	__u32 state;
	__u32 family;
	int rx_queue_mapping;
} __attribute__((preserve_access_index));

struct __sk_buff {
	__u32 mark;
	__u32 cb[5];
	__u32 len;
	__u32 remote_ip6[4];
	struct bpf_sock *sk;
	__u64 hwtstamp;
	__u16 ingress_ifindex;
	__u8 tstamp_type;
} __attribute__((preserve_access_index));

/* Shared by both XDP programs: its relocations must be applied in each copy. */
static __attribute__((noinline)) __u32 packet_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

SEC("xdp")
int xdp_local(struct xdp_md *ctx)
{
	struct xdp_md___v2 *v2 = (void *)ctx;
	__u32 r = packet_len(ctx);

	r += ctx->ingress_ifindex * 100;
	r += v2->rx_queue_index * 10000;
	if (bpf_core_field_exists(v2->no_such_field))
		r += 1000000;
	if (bpf_core_field_exists(v2->data_meta))
		r += 2000000;
	return r;
}

SEC("xdp")
int xdp_local2(struct xdp_md *ctx)
{
	__u32 r = packet_len(ctx);

	r += bpf_core_enum_value(enum xdp_action___local, XDP_PASS___local) * 10;
	r += bpf_core_enum_value(enum xdp_action___local, XDP_TX___local) * 100;
	if (bpf_core_enum_value_exists(enum xdp_action___local, XDP_NOPE___local))
		r += 1000;
	if (bpf_core_enum_value_exists(enum xdp_action___local, XDP_PASS___local))
		r += 2000;
	if (bpf_core_type_exists(struct xdp_md___v2))
		r += 10000;
	if (bpf_core_type_exists(struct xdp_md___sub))
		r += 20000;
	if (bpf_core_type_exists(struct no_such_struct))
		r += 40000;
	r += bpf_core_type_size(struct xdp_md) * 100000;
	r += bpf_core_type_size(struct no_such_struct) * 10000000;
	return r;
}

SEC("tc")
int skb_local(struct __sk_buff *skb)
{
	/* remote_ip6 is no field tc programs may read (Linux's rule, and bpfhost's verifier's):
	 * its offset is relocated all the same. */
	__u64 r = skb->mark + skb->cb[2] + skb->len + bpf_core_field_offset(skb->remote_ip6[3]) +
		  skb->hwtstamp;
	struct bpf_sock *sk = skb->sk;

	r += skb->ingress_ifindex + skb->tstamp_type;
	r += bpf_core_field_size(skb->ingress_ifindex) + bpf_core_field_size(skb->remote_ip6);
	r += bpf_core_field_offset(skb->sk);
	r += __builtin_preserve_field_info(skb->mark, BPF_FIELD_SIGNED) +
	     __builtin_preserve_field_info(skb->tstamp_type, BPF_FIELD_LSHIFT_U64) +
	     __builtin_preserve_field_info(skb->tstamp_type, BPF_FIELD_RSHIFT_U64) +
	     __builtin_preserve_field_info(skb->len, BPF_FIELD_LSHIFT_U64);
	if (sk)
		r += BPF_CORE_READ(sk, family) +
		     __builtin_preserve_field_info(sk->rx_queue_mapping, BPF_FIELD_SIGNED);
	return (int)r;
}

char LICENSE[] SEC("license") = "GPL";
