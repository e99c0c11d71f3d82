// SPDX-License-Identifier: MIT
/* CO-RE against the real UAPI: <linux/bpf.h> with every struct made relocatable (as vmlinux.h
 * does), so that each context access carries a relocation that bpfhost's context BTF must
 * resolve to the offset clang already computed (tests/unit/obj/core.c). */
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
#include <linux/bpf.h>
#pragma clang attribute pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("xdp")
int xdp_uapi(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 r = ctx->ingress_ifindex + ctx->rx_queue_index * 1000 + ctx->data_meta;

	if (data + 14 > end)
		return XDP_DROP;
	if (bpf_core_field_exists(ctx->egress_ifindex))
		r += 1000000;
	r += bpf_core_type_size(struct xdp_md) * 10000000;
	return r + bpf_core_enum_value(enum xdp_action, XDP_PASS);
}

SEC("tc")
int skb_uapi(struct __sk_buff *skb)
{
	__u64 r = skb->len + skb->cb[2] + skb->remote_ip6[3] + skb->tstamp_type + skb->hwtstamp;
	struct bpf_sock *sk = skb->sk;

	r += skb->data_meta + (long)skb->flow_keys;
	r += bpf_core_field_size(skb->cb) + bpf_core_type_size(struct __sk_buff);
	if (sk)
		r += BPF_CORE_READ(sk, dst_port) + BPF_CORE_READ(sk, rx_queue_mapping);
	return (int)r;
}

SEC("cgroup/connect4")
int sa_uapi(struct bpf_sock_addr *ctx)
{
	__u32 r = ctx->user_ip4 + ctx->user_port + ctx->msg_src_ip6[1] + ctx->protocol;

	if (ctx->sk)
		r += BPF_CORE_READ(ctx, sk, family);
	r += bpf_core_type_id_kernel(struct bpf_sock_addr) + bpf_core_type_id_local(struct bpf_sock);
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
