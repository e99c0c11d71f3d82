/* SPDX-License-Identifier: MIT */
/*
 * The contexts programs receive in r1, laid out byte for byte as Linux's UAPI defines them
 * (struct __sk_buff, struct bpf_sock_addr; struct xdp_md is struct bpfh_xdp_md in helpers.h),
 * plus bpfhost's own bind_md, which keeps ebpf-for-windows' layout so its bind programs port.
 * 32-bit fields that hold packet addresses (data, data_end, data_meta) point into frames that
 * bpfhost allocates below 4 GiB, so programs read them as Linux's do, unchanged. The same
 * layouts are published as BTF (bpfh_context_btf()), for CO-RE.
 */
#ifndef BPFHOST_CONTEXTS_H
#define BPFHOST_CONTEXTS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfh_sk_buff {
	uint32_t len;
	uint32_t pkt_type;
	uint32_t mark;
	uint32_t queue_mapping;
	uint32_t protocol;
	uint32_t vlan_present;
	uint32_t vlan_tci;
	uint32_t vlan_proto;
	uint32_t priority;
	uint32_t ingress_ifindex;
	uint32_t ifindex;
	uint32_t tc_index;
	uint32_t cb[5];
	uint32_t hash;
	uint32_t tc_classid;
	uint32_t data;
	uint32_t data_end;
	uint32_t napi_id;
	uint32_t family;
	uint32_t remote_ip4;
	uint32_t local_ip4;
	uint32_t remote_ip6[4];
	uint32_t local_ip6[4];
	uint32_t remote_port;
	uint32_t local_port;
	uint32_t data_meta;
	uint64_t flow_keys;
	uint64_t tstamp;
	uint32_t wire_len;
	uint32_t gso_segs;
	uint64_t sk;
	uint32_t gso_size;
	uint8_t tstamp_type;
	uint8_t pad[3];
	uint64_t hwtstamp;
};

struct bpfh_sock_addr {
	uint32_t user_family;
	uint32_t user_ip4;    /* network byte order */
	uint32_t user_ip6[4]; /* network byte order */
	uint32_t user_port;   /* network byte order */
	uint32_t family;
	uint32_t type;
	uint32_t protocol;
	uint32_t msg_src_ip4;
	uint32_t msg_src_ip6[4];
	uint64_t sk;
};

/* Linux's struct bpf_sock: what __sk_buff.sk and bpf_sock_addr.sk point to (bpfhost gives
 * programs no socket yet; the layout is published in bpfh_context_btf()). */
struct bpfh_sock {
	uint32_t bound_dev_if;
	uint32_t family;
	uint32_t type;
	uint32_t protocol;
	uint32_t mark;
	uint32_t priority;
	uint32_t src_ip4;
	uint32_t src_ip6[4];
	uint32_t src_port;    /* host byte order */
	uint16_t dst_port;    /* network byte order */
	uint16_t pad;
	uint32_t dst_ip4;
	uint32_t dst_ip6[4];
	uint32_t state;
	int32_t rx_queue_mapping;
};

/* ebpf-for-windows' bind hook: verdicts and operations. */
enum bpfh_bind_action {
	BPFH_BIND_PERMIT_SOFT = 0,
	BPFH_BIND_DENY = 1,
	BPFH_BIND_REDIRECT = 2,
	BPFH_BIND_PERMIT_HARD = 3,
};

enum bpfh_bind_operation {
	BPFH_BIND_OPERATION_BIND = 0,
	BPFH_BIND_OPERATION_POST_BIND = 1,
	BPFH_BIND_OPERATION_UNBIND = 2,
};

struct bpfh_bind_md {
	uint64_t app_id_start;          /* uint8_t *: the executable's path */
	uint64_t app_id_end;
	uint64_t process_id;
	uint8_t socket_address[16];
	uint8_t socket_address_length;
	int32_t operation;              /* enum bpfh_bind_operation */
	uint8_t protocol;
};

_Static_assert(sizeof(struct bpfh_sk_buff) == 192, "struct __sk_buff is 192 bytes");
_Static_assert(sizeof(struct bpfh_sock_addr) == 72, "struct bpf_sock_addr is 72 bytes");
_Static_assert(sizeof(struct bpfh_bind_md) == 56, "bind_md in natural C layout is 56 bytes");
_Static_assert(sizeof(struct bpfh_sock) == 80, "struct bpf_sock is 80 bytes");

struct bpfh_btf;

/*
 * The BTF bpfhost publishes for the contexts it offers, the target of CO-RE relocations
 * (struct bpfh_object_opts.target_btf): struct xdp_md, struct __sk_buff, struct bpf_sock_addr
 * and struct bpf_sock with Linux's UAPI layout and member types (the typedefs __u8 .. __u64,
 * __s32, __be16, the anonymous unions of __bpf_md_ptr, struct bpf_flow_keys declared only),
 * struct bind_md (and ebpf-for-windows' spelling, struct _bind_md and bind_md_t) in the layout
 * above, and the enums xdp_action, sk_action, bind_operation and bind_action (also as
 * _bind_operation / bind_operation_t and _bind_action / bind_action_t).
 *
 * Built at the first call and kept for the life of the process (never freed). Safe to call
 * from several threads at once: each caller that finds nothing builds, one of them publishes
 * with an atomic compare-and-swap and the others free theirs. Returns NULL (errno ENOMEM) when
 * memory runs out; a later call tries again.
 */
const struct bpfh_btf *bpfh_context_btf(void);

#ifdef __cplusplus
}
#endif
#endif
