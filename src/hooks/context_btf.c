// SPDX-License-Identifier: MIT
/*
 * The BTF of the contexts bpfhost offers (bpfh_context_btf() in include/bpfhost/contexts.h):
 * the target that CO-RE relocations of programs resolve against, as a kernel's vmlinux BTF is
 * on Linux. Types are written with the BTF writer of src/obj, their layouts taken with offsetof
 * from the C structs the hooks fill in (contexts.h, helpers.h), so the BTF cannot drift from
 * what programs are given; tests/unit/hooks/context_btf.c checks both against <linux/bpf.h>.
 * Names and member types follow Linux's UAPI headers as clang describes them (the __u32
 * typedefs, arrays indexed by __ARRAY_SIZE_TYPE__, the anonymous unions of __bpf_md_ptr).
 *
 * This file describes types only: it does not say which fields a program type may read or
 * write (the hooks and the verifier do), and it publishes nothing a context does not have.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

#include "bpfhost/btf.h"
#include "bpfhost/contexts.h"
#include "bpfhost/helpers.h"

/* Type ids shared by the structs. */
struct ids {
	int u8, u16, u32, s32, u64, be16;
	int u32x4, u32x5, u8x16, u8ptr;
	int sk_union, fk_union;
};

static void member(struct bpfh_btf_builder *b, const char *name, int type, size_t off)
{
	bpfh_btf_add_member(b, name, (uint32_t)type, (uint32_t)(off * 8), 0);
}

/* An enum of 4 bytes whose enumerators are 0, 1, 2, ...: its id. */
static int enumeration(struct bpfh_btf_builder *b, const char *name, const char *const *names,
		       size_t n)
{
	int id = bpfh_btf_add_enum(b, name, 4, 0);
	size_t i;

	for (i = 0; i < n; i++)
		bpfh_btf_add_enumerator(b, names[i], (int64_t)i);
	return id;
}

static void basic_types(struct bpfh_btf_builder *b, struct ids *t)
{
	int uchar, ushort, uint, sint, ull, index;

	uchar = bpfh_btf_add_int(b, "unsigned char", 1, 0);
	ushort = bpfh_btf_add_int(b, "unsigned short", 2, 0);
	uint = bpfh_btf_add_int(b, "unsigned int", 4, 0);
	sint = bpfh_btf_add_int(b, "int", 4, BPFH_BTF_INT_SIGNED);
	ull = bpfh_btf_add_int(b, "unsigned long long", 8, 0);
	index = bpfh_btf_add_int(b, "__ARRAY_SIZE_TYPE__", 4, 0);
	t->u8 = bpfh_btf_add_typedef(b, "__u8", (uint32_t)uchar);
	t->u16 = bpfh_btf_add_typedef(b, "__u16", (uint32_t)ushort);
	t->u32 = bpfh_btf_add_typedef(b, "__u32", (uint32_t)uint);
	t->s32 = bpfh_btf_add_typedef(b, "__s32", (uint32_t)sint);
	t->u64 = bpfh_btf_add_typedef(b, "__u64", (uint32_t)ull);
	t->be16 = bpfh_btf_add_typedef(b, "__be16", (uint32_t)t->u16);
	t->u32x4 = bpfh_btf_add_array(b, (uint32_t)t->u32, (uint32_t)index, 4);
	t->u32x5 = bpfh_btf_add_array(b, (uint32_t)t->u32, (uint32_t)index, 5);
	t->u8x16 = bpfh_btf_add_array(b, (uint32_t)t->u8, (uint32_t)index, 16);
	t->u8ptr = bpfh_btf_add_ptr(b, (uint32_t)t->u8);
}

#define XDP(f, type) member(b, #f, t->type, offsetof(struct bpfh_xdp_md, f))

static void xdp_md(struct bpfh_btf_builder *b, const struct ids *t)
{
	static const char *const actions[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					       "XDP_REDIRECT" };

	bpfh_btf_add_struct(b, "xdp_md", sizeof(struct bpfh_xdp_md));
	XDP(data, u32);
	XDP(data_end, u32);
	XDP(data_meta, u32);
	XDP(ingress_ifindex, u32);
	XDP(rx_queue_index, u32);
	XDP(egress_ifindex, u32);
	enumeration(b, "xdp_action", actions, sizeof(actions) / sizeof(actions[0]));
}

#define SOCK(f, type) member(b, #f, t->type, offsetof(struct bpfh_sock, f))

/* struct bpf_sock, and the anonymous unions of __bpf_md_ptr that hold pointers in contexts:
 * union { struct bpf_sock *sk; } and union { struct bpf_flow_keys *flow_keys; }. */
static void bpf_sock(struct bpfh_btf_builder *b, struct ids *t)
{
	int sock, ptr;

	sock = bpfh_btf_add_struct(b, "bpf_sock", sizeof(struct bpfh_sock));
	SOCK(bound_dev_if, u32);
	SOCK(family, u32);
	SOCK(type, u32);
	SOCK(protocol, u32);
	SOCK(mark, u32);
	SOCK(priority, u32);
	SOCK(src_ip4, u32);
	SOCK(src_ip6, u32x4);
	SOCK(src_port, u32);
	SOCK(dst_port, be16);
	SOCK(dst_ip4, u32);
	SOCK(dst_ip6, u32x4);
	SOCK(state, u32);
	SOCK(rx_queue_mapping, s32);
	ptr = bpfh_btf_add_ptr(b, (uint32_t)sock);
	t->sk_union = bpfh_btf_add_union(b, "", 8);
	member(b, "sk", ptr, 0);
	/* bpfhost has no flow dissector: the flow keys are declared, not laid out. */
	ptr = bpfh_btf_add_ptr(b, (uint32_t)bpfh_btf_add_fwd(b, "bpf_flow_keys", 0));
	t->fk_union = bpfh_btf_add_union(b, "", 8);
	member(b, "flow_keys", ptr, 0);
}

#define SKB(f, type) member(b, #f, t->type, offsetof(struct bpfh_sk_buff, f))

static void sk_buff(struct bpfh_btf_builder *b, const struct ids *t)
{
	static const char *const actions[] = { "SK_DROP", "SK_PASS" };

	bpfh_btf_add_struct(b, "__sk_buff", sizeof(struct bpfh_sk_buff));
	SKB(len, u32);
	SKB(pkt_type, u32);
	SKB(mark, u32);
	SKB(queue_mapping, u32);
	SKB(protocol, u32);
	SKB(vlan_present, u32);
	SKB(vlan_tci, u32);
	SKB(vlan_proto, u32);
	SKB(priority, u32);
	SKB(ingress_ifindex, u32);
	SKB(ifindex, u32);
	SKB(tc_index, u32);
	SKB(cb, u32x5);
	SKB(hash, u32);
	SKB(tc_classid, u32);
	SKB(data, u32);
	SKB(data_end, u32);
	SKB(napi_id, u32);
	SKB(family, u32);
	SKB(remote_ip4, u32);
	SKB(local_ip4, u32);
	SKB(remote_ip6, u32x4);
	SKB(local_ip6, u32x4);
	SKB(remote_port, u32);
	SKB(local_port, u32);
	SKB(data_meta, u32);
	member(b, "", t->fk_union, offsetof(struct bpfh_sk_buff, flow_keys));
	SKB(tstamp, u64);
	SKB(wire_len, u32);
	SKB(gso_segs, u32);
	member(b, "", t->sk_union, offsetof(struct bpfh_sk_buff, sk));
	SKB(gso_size, u32);
	SKB(tstamp_type, u8);
	SKB(hwtstamp, u64);
	enumeration(b, "sk_action", actions, sizeof(actions) / sizeof(actions[0]));
}

#define SA(f, type) member(b, #f, t->type, offsetof(struct bpfh_sock_addr, f))

static void sock_addr(struct bpfh_btf_builder *b, const struct ids *t)
{
	bpfh_btf_add_struct(b, "bpf_sock_addr", sizeof(struct bpfh_sock_addr));
	SA(user_family, u32);
	SA(user_ip4, u32);
	SA(user_ip6, u32x4);
	SA(user_port, u32);
	SA(family, u32);
	SA(type, u32);
	SA(protocol, u32);
	SA(msg_src_ip4, u32);
	SA(msg_src_ip6, u32x4);
	member(b, "", t->sk_union, offsetof(struct bpfh_sock_addr, sk));
}

#define BIND(f, type) member(b, #f, type, offsetof(struct bpfh_bind_md, f))

static int bind_struct(struct bpfh_btf_builder *b, const struct ids *t, const char *name,
		       int operation)
{
	int id = bpfh_btf_add_struct(b, name, sizeof(struct bpfh_bind_md));

	BIND(app_id_start, t->u8ptr);
	BIND(app_id_end, t->u8ptr);
	BIND(process_id, t->u64);
	BIND(socket_address, t->u8x16);
	BIND(socket_address_length, t->u8);
	BIND(operation, operation);
	BIND(protocol, t->u8);
	return id;
}

/* bind_md as DESIGN.md names it, and as ebpf-for-windows' headers spell it (typedef struct
 * _bind_md { ...; bind_operation_t operation; ... } bind_md_t), so that CO-RE finds either. */
static void bind_md(struct bpfh_btf_builder *b, const struct ids *t)
{
	static const char *const ops[] = { "BIND_OPERATION_BIND", "BIND_OPERATION_POST_BIND",
					   "BIND_OPERATION_UNBIND" };
	static const char *const actions[] = { "BIND_PERMIT_SOFT", "BIND_DENY", "BIND_REDIRECT",
					       "BIND_PERMIT_HARD" };
	const size_t nops = sizeof(ops) / sizeof(ops[0]);
	const size_t nactions = sizeof(actions) / sizeof(actions[0]);
	int op;

	bind_struct(b, t, "bind_md", enumeration(b, "bind_operation", ops, nops));
	op = bpfh_btf_add_typedef(b, "bind_operation_t",
				  (uint32_t)enumeration(b, "_bind_operation", ops, nops));
	bpfh_btf_add_typedef(b, "bind_md_t", (uint32_t)bind_struct(b, t, "_bind_md", op));
	enumeration(b, "bind_action", actions, nactions);
	bpfh_btf_add_typedef(b, "bind_action_t",
			     (uint32_t)enumeration(b, "_bind_action", actions, nactions));
}

static struct bpfh_btf *build(int *err)
{
	struct bpfh_btf_builder *b = bpfh_btf_builder_create();
	struct bpfh_btf *btf = NULL;
	struct ids t;

	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	basic_types(b, &t);
	xdp_md(b, &t);
	bpf_sock(b, &t);
	sk_buff(b, &t);
	sock_addr(b, &t);
	bind_md(b, &t);
	*err = bpfh_btf_builder_build(b, "bpfhost contexts", NULL, &btf);
	bpfh_btf_builder_destroy(b);
	return btf;
}

static _Atomic(struct bpfh_btf *) published;

const struct bpfh_btf *bpfh_context_btf(void)
{
	struct bpfh_btf *cur = atomic_load_explicit(&published, memory_order_acquire);
	struct bpfh_btf *mine;
	int err;

	if (cur)
		return cur;
	mine = build(&err);
	if (!mine) {
		errno = -err;
		return NULL;
	}
	if (atomic_compare_exchange_strong_explicit(&published, &cur, mine, memory_order_acq_rel,
						    memory_order_acquire))
		return mine;
	bpfh_btf_destroy(mine);   /* another thread published first; cur is its BTF */
	return cur;
}
