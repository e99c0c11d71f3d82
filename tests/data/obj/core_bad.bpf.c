// SPDX-License-Identifier: MIT
/* CO-RE relocations that bpfhost's context BTF cannot satisfy, one per program. Built once
 * whole (core_bad.bpf.o: the first program's error wins) and once per case with BAD_CASE set
 * to keep only that program (core_bad_N.bpf.o, tests/data/obj/obj.mk); tests/unit/obj/core.c
 * checks each refusal's message:
 *  1. xdp_core reads a field that struct xdp_md does not have (access 0:6);
 *  2. enum_missing asks for the value of an enumerator that enum xdp_action does not have;
 *  3. type_clash reads a field that is a struct here and an integer in the target;
 *  4. signed_resize loads a signed 16-bit field that is 32 bits in the target. */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct xdp_md {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
	__u32 foo;
} __attribute__((preserve_access_index));

enum xdp_action { XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT, XDP_WARP };

struct xdp_md___clash {
	struct {
		__u32 lo, hi;
	} data;
} __attribute__((preserve_access_index));

struct xdp_md___narrow {
	__s16 ingress_ifindex;
} __attribute__((preserve_access_index));

#if !defined(BAD_CASE) || BAD_CASE == 1
SEC("xdp")
int xdp_core(struct xdp_md *ctx)
{
	return ctx->foo;
}
#endif

#if !defined(BAD_CASE) || BAD_CASE == 2
SEC("tc")
int enum_missing(struct xdp_md *ctx)
{
	return bpf_core_enum_value(enum xdp_action, XDP_WARP);
}
#endif

#if !defined(BAD_CASE) || BAD_CASE == 3
SEC("socket")
int type_clash(struct xdp_md___clash *ctx)
{
	return ctx->data.hi;
}
#endif

#if !defined(BAD_CASE) || BAD_CASE == 4
SEC("cgroup_skb/ingress")
int signed_resize(struct xdp_md___narrow *ctx)
{
	return ctx->ingress_ifindex;
}
#endif

char LICENSE[] SEC("license") = "GPL";
