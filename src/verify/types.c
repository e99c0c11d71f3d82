// SPDX-License-Identifier: MIT
/*
 * The program types the verifier knows, one description per hook of src/hooks/table.c (and per
 * attach type where Linux's rules depend on it): the context's fields with what a program may
 * do with each, the helpers it may call, its return range and whether legacy packet loads are
 * allowed. The rules follow Linux's *_is_valid_access and *_func_proto (net/core/filter.c),
 * restricted to what bpfhost has: the helpers of src/helpers/helpers.def. How a table is applied
 * to one access is ctx.c's business; this file is data.
 *
 * Where bpfhost differs from Linux on purpose: pointers Linux hands out from the context that
 * bpfhost does not model (__sk_buff.sk, bpf_sock_addr.sk) load as scalars, so a program can
 * test them but never dereference them; cgroup_skb's packet pointers, which Linux gives only
 * with CAP_BPF, are always given (a host process has no capabilities to ask for); the
 * sock_addr return ranges are the hook's (bind4/bind6 [0, 1], where Linux allows [0, 3]).
 */
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/contexts.h"
#include "bpfhost/helpers.h"
#include "bpfhost/obj.h"
#include "bpfhost/verify.h"

#define R BPFH_VFIELD_READ
#define W BPFH_VFIELD_WRITE
#define N BPFH_VFIELD_NARROW
#define WD BPFH_VFIELD_WIDE
#define NW BPFH_VFIELD_NARROW_WRITE
#define SC BPFH_VFIELD_SCALAR

#define FIELD(st, m, rights, kind) \
	{ offsetof(struct st, m), sizeof(((struct st *)0)->m), rights, kind, #m }
#define SKB(m, rights) FIELD(bpfh_sk_buff, m, rights, SC)
#define SKB_PKT(m, kind) FIELD(bpfh_sk_buff, m, R, kind)
#define XDP(m, kind) FIELD(bpfh_xdp_md, m, R, kind)
#define SA(m, rights) FIELD(bpfh_sock_addr, m, rights, SC)
#define BIND(m, rights, kind) FIELD(bpfh_bind_md, m, rights, kind)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- Helpers --- */

/* What every type gets (Linux's bpf_base_func_proto, with bpfhost's helpers): maps, time,
 * randomness, the CPU, tail calls, ring buffers, bpf_loop and friends, the formatted-output and
 * probe-read helpers Linux gives with CAP_PERFMON, spin locks with CAP_BPF. */
#define BASE_HELPERS 1, 2, 3, 5, 6, 7, 8, 12, 42, 87, 88, 89, 93, 94, 105, 106, 112, 113, 114, \
	115, 118, 125, 130, 160, 131, 132, 133, 134, 164, 165, 177, 181, 182, 195, 208

static const uint32_t helpers_xdp[] = {
	BASE_HELPERS,
	23,  /* redirect */
	25,  /* perf_event_output */
	28,  /* csum_diff */
	44,  /* xdp_adjust_head */
	51,  /* redirect_map */
	54,  /* xdp_adjust_meta */
	65,  /* xdp_adjust_tail */
	188, /* xdp_get_buff_len */
};

/* sk_filter_func_proto; cg_skb_func_proto adds nothing bpfhost has */
static const uint32_t helpers_skb_filter[] = {
	BASE_HELPERS,
	25, /* perf_event_output */
	26, /* skb_load_bytes */
};

static const uint32_t helpers_tc[] = {
	BASE_HELPERS,
	23, /* redirect */
	25, /* perf_event_output */
	26, /* skb_load_bytes */
	28, /* csum_diff */
};

/* sock_addr_func_proto: the current task's ids, as sockets are made in a process context */
static const uint32_t helpers_sock_addr[] = {
	BASE_HELPERS,
	14, /* get_current_pid_tgid */
	15, /* get_current_uid_gid */
	16, /* get_current_comm */
	25, /* perf_event_output */
};

/* bpfhost's bind hook (ebpf-for-windows' bind programs): a process context as well */
static const uint32_t helpers_bind[] = {
	BASE_HELPERS,
	4,   /* probe_read: the host process's own memory, bounded, failing cleanly */
	45,  /* probe_read_str */
	14,  /* get_current_pid_tgid */
	15,  /* get_current_uid_gid */
	16,  /* get_current_comm */
};

/* --- struct xdp_md: 4-byte reads only, nothing writable (xdp_is_valid_access) --- */

#define XDP_FIELDS \
	XDP(data, BPFH_VFIELD_PKT), \
	XDP(data_end, BPFH_VFIELD_PKT_END), \
	XDP(data_meta, BPFH_VFIELD_PKT_META), \
	XDP(ingress_ifindex, SC), \
	XDP(rx_queue_index, SC)

static const struct bpfh_verify_ctx_field fields_xdp[] = { XDP_FIELDS };
/* egress_ifindex only for programs run by a devmap */
static const struct bpfh_verify_ctx_field fields_xdp_devmap[] = {
	XDP_FIELDS,
	XDP(egress_ifindex, SC),
};

/* --- struct __sk_buff (bpf_skb_is_valid_access and each type's filter) --- */

/* Scalars every skb type reads: narrow reads allowed (bpf_ctx_narrow_access_ok). */
#define SKB_COMMON(markw, prio_w, qm_w, tci_w) \
	SKB(len, R | N), \
	SKB(pkt_type, R | N), \
	SKB(mark, R | N | (markw)), \
	SKB(queue_mapping, R | N | (qm_w)), \
	SKB(protocol, R | N), \
	SKB(vlan_present, R | N), \
	SKB(vlan_tci, R | N), \
	SKB(vlan_proto, R | N), \
	SKB(priority, R | N | (prio_w)), \
	SKB(ingress_ifindex, R | N), \
	SKB(ifindex, R | N), \
	SKB(tc_index, R | N | (tci_w)), \
	SKB(cb, R | W | N | NW | WD), \
	SKB(hash, R | N), \
	SKB(napi_id, R | N), \
	SKB(gso_segs, R | N), \
	SKB(sk, R), \
	SKB(gso_size, R | N)

/* family .. local_port: the socket's addresses (not for socket filters and tc) */
#define SKB_SOCK_FIELDS \
	SKB(family, R | N), \
	SKB(remote_ip4, R), \
	SKB(local_ip4, R), \
	SKB(remote_ip6, R), \
	SKB(local_ip6, R), \
	SKB(remote_port, R | N), \
	SKB(local_port, R | N)

/* sk_filter_is_valid_access: no packet pointers, no tc_classid, timestamps or wire_len;
 * only cb[] is writable. */
static const struct bpfh_verify_ctx_field fields_socket_filter[] = {
	SKB_COMMON(0, 0, 0, 0),
};

/* tc_cls_act_is_valid_access: packet pointers with data_meta; mark, tc_index, priority,
 * tc_classid, cb[], tstamp and queue_mapping writable; tstamp_type read as one byte. */
static const struct bpfh_verify_ctx_field fields_tc[] = {
	SKB_COMMON(W, W, W, W),
	SKB(tc_classid, R | N | W),
	SKB_PKT(data, BPFH_VFIELD_PKT),
	SKB_PKT(data_end, BPFH_VFIELD_PKT_END),
	SKB_PKT(data_meta, BPFH_VFIELD_PKT_META),
	SKB(tstamp, R | W),
	SKB(wire_len, R | N),
	SKB(tstamp_type, R),
	SKB(hwtstamp, R),
};

/* cg_skb_is_valid_access: the socket's fields, data and data_end (no data_meta), no
 * tc_classid or wire_len; mark, priority, cb[] and tstamp writable. */
static const struct bpfh_verify_ctx_field fields_cgroup_skb[] = {
	SKB_COMMON(W, W, 0, 0),
	SKB_SOCK_FIELDS,
	SKB_PKT(data, BPFH_VFIELD_PKT),
	SKB_PKT(data_end, BPFH_VFIELD_PKT_END),
	SKB(tstamp, R | W),
	SKB(hwtstamp, R),
};

/* --- struct bpf_sock_addr (sock_addr_is_valid_access) --- */

/* The address fields read narrow and written whole (or 8 bytes at a time in the IPv6 arrays);
 * which exist depends on the attach type's family, msg_src_* only for sendmsg. */
#define SA_ADDR (R | N | W)
#define SA_ADDR6 (R | N | W | WD)
#define SA_COMMON \
	SA(user_family, R), \
	SA(user_port, SA_ADDR), \
	SA(family, R), \
	SA(type, R), \
	SA(protocol, R), \
	SA(sk, R)

static const struct bpfh_verify_ctx_field fields_sa[] = { SA_COMMON };
static const struct bpfh_verify_ctx_field fields_sa4[] = { SA_COMMON, SA(user_ip4, SA_ADDR) };
static const struct bpfh_verify_ctx_field fields_sa6[] = { SA_COMMON, SA(user_ip6, SA_ADDR6) };
static const struct bpfh_verify_ctx_field fields_sa_sendmsg4[] = {
	SA_COMMON, SA(user_ip4, SA_ADDR), SA(msg_src_ip4, SA_ADDR),
};
static const struct bpfh_verify_ctx_field fields_sa_sendmsg6[] = {
	SA_COMMON, SA(user_ip6, SA_ADDR6), SA(msg_src_ip6, SA_ADDR6),
};

/* --- bind_md: bpfhost's own (ebpf-for-windows' layout): read-only; the application id is a
 * byte range [app_id_start, app_id_end) checked like a packet --- */

static const struct bpfh_verify_ctx_field fields_bind[] = {
	BIND(app_id_start, R, BPFH_VFIELD_PKT),
	BIND(app_id_end, R, BPFH_VFIELD_PKT_END),
	BIND(process_id, R | N, SC),
	BIND(socket_address, R | N | WD, SC),
	BIND(socket_address_length, R, SC),
	BIND(operation, R | N, SC),
	BIND(protocol, R, SC),
};

/* --- The descriptions --- */

#define TABLE(f) .fields = f, .nfields = COUNT(f)
#define HELPERS(h) .helpers = h, .nhelpers = COUNT(h)
#define SKB_TYPE(nm, f, h, lo, hi, ldabs) { \
	.name = nm, .ctx_name = "__sk_buff", .ctx_size = sizeof(struct bpfh_sk_buff), \
	.pkt_data_off = offsetof(struct bpfh_sk_buff, data), \
	.pkt_end_off = offsetof(struct bpfh_sk_buff, data_end), \
	.ret_min = lo, .ret_max = hi, TABLE(f), HELPERS(h), .ld_abs = ldabs }

/* Linux checks no XDP action; unknown ones drop the packet. */
#define XDP_TYPE(nm, f) { \
	.name = nm, .ctx_name = "xdp_md", .ctx_size = sizeof(struct bpfh_xdp_md), \
	.pkt_data_off = offsetof(struct bpfh_xdp_md, data), \
	.pkt_end_off = offsetof(struct bpfh_xdp_md, data_end), \
	.ret_min = INT64_MIN, .ret_max = INT64_MAX, TABLE(f), HELPERS(helpers_xdp) }

const struct bpfh_verify_prog_type bpfh_verify_type_xdp = XDP_TYPE("xdp", fields_xdp);
static const struct bpfh_verify_prog_type type_xdp_devmap =
	XDP_TYPE("xdp (devmap)", fields_xdp_devmap);

/* A socket filter has no direct packet access in Linux: data and data_end are not fields it
 * may read (pkt_data_off stays for callers that look at the layout). */
const struct bpfh_verify_prog_type bpfh_verify_type_socket_filter =
	SKB_TYPE("socket_filter", fields_socket_filter, helpers_skb_filter, INT64_MIN, INT64_MAX, 1);

static const struct bpfh_verify_prog_type type_sched_cls =
	SKB_TYPE("sched_cls", fields_tc, helpers_tc, INT64_MIN, INT64_MAX, 1);
static const struct bpfh_verify_prog_type type_sched_act =
	SKB_TYPE("sched_act", fields_tc, helpers_tc, INT64_MIN, INT64_MAX, 1);
/* Linux's may_access_skb() refuses LD_ABS / LD_IND to cgroup_skb programs; so does bpfhost. */
static const struct bpfh_verify_prog_type type_cgroup_skb =
	SKB_TYPE("cgroup_skb", fields_cgroup_skb, helpers_skb_filter, 0, 3, 0);
static const struct bpfh_verify_prog_type type_cgroup_skb_ingress =
	SKB_TYPE("cgroup_skb (ingress)", fields_cgroup_skb, helpers_skb_filter, 0, 1, 0);
static const struct bpfh_verify_prog_type type_cgroup_skb_egress =
	SKB_TYPE("cgroup_skb (egress)", fields_cgroup_skb, helpers_skb_filter, 0, 3, 0);

#define SA_TYPE(nm, f, lo, hi) { \
	.name = nm, .ctx_name = "bpf_sock_addr", .ctx_size = sizeof(struct bpfh_sock_addr), \
	.pkt_data_off = -1, .pkt_end_off = -1, .ret_min = lo, .ret_max = hi, TABLE(f), \
	HELPERS(helpers_sock_addr) }

static const struct bpfh_verify_prog_type type_sa = SA_TYPE("cgroup_sock_addr", fields_sa, 0, 1);

/* One per sock_addr attach type, by its number (obj.h's enum bpfh_attach_type). */
static const struct {
	uint32_t attach;
	struct bpfh_verify_prog_type type;
} sa_types[] = {
	{ BPFH_CGROUP_INET4_BIND, SA_TYPE("cgroup_sock_addr (bind4)", fields_sa4, 0, 1) },
	{ BPFH_CGROUP_INET6_BIND, SA_TYPE("cgroup_sock_addr (bind6)", fields_sa6, 0, 1) },
	{ BPFH_CGROUP_INET4_CONNECT, SA_TYPE("cgroup_sock_addr (connect4)", fields_sa4, 0, 1) },
	{ BPFH_CGROUP_INET6_CONNECT, SA_TYPE("cgroup_sock_addr (connect6)", fields_sa6, 0, 1) },
	{ BPFH_CGROUP_UDP4_SENDMSG,
	  SA_TYPE("cgroup_sock_addr (sendmsg4)", fields_sa_sendmsg4, 0, 1) },
	{ BPFH_CGROUP_UDP6_SENDMSG,
	  SA_TYPE("cgroup_sock_addr (sendmsg6)", fields_sa_sendmsg6, 0, 1) },
	/* Linux requires 1 from these: they may rewrite the address, not refuse */
	{ BPFH_CGROUP_UDP4_RECVMSG, SA_TYPE("cgroup_sock_addr (recvmsg4)", fields_sa4, 1, 1) },
	{ BPFH_CGROUP_UDP6_RECVMSG, SA_TYPE("cgroup_sock_addr (recvmsg6)", fields_sa6, 1, 1) },
	{ BPFH_CGROUP_INET4_GETPEERNAME,
	  SA_TYPE("cgroup_sock_addr (getpeername4)", fields_sa4, 1, 1) },
	{ BPFH_CGROUP_INET6_GETPEERNAME,
	  SA_TYPE("cgroup_sock_addr (getpeername6)", fields_sa6, 1, 1) },
	{ BPFH_CGROUP_INET4_GETSOCKNAME,
	  SA_TYPE("cgroup_sock_addr (getsockname4)", fields_sa4, 1, 1) },
	{ BPFH_CGROUP_INET6_GETSOCKNAME,
	  SA_TYPE("cgroup_sock_addr (getsockname6)", fields_sa6, 1, 1) },
};

static const struct bpfh_verify_prog_type type_bind = {
	.name = "bind",
	.ctx_name = "bind_md",
	.ctx_size = sizeof(struct bpfh_bind_md),
	.pkt_data_off = -1,
	.pkt_end_off = -1,
	.ret_min = 0,
	.ret_max = 3,
	TABLE(fields_bind),
	HELPERS(helpers_bind),
};

/* The memory type's fixed part; its size is the caller's (bpfh_verify_type_memory). */
static const struct bpfh_verify_prog_type type_memory = {
	.name = "memory",
	.ctx_size = 0,
	.ctx_writable = 1,
	.r2_ctx_size = 1,
	.pkt_data_off = -1,
	.pkt_end_off = -1,
	.ret_min = INT64_MIN,
	.ret_max = INT64_MAX,
};

struct bpfh_verify_prog_type bpfh_verify_type_memory(uint32_t mem_size)
{
	struct bpfh_verify_prog_type t = type_memory;

	t.ctx_size = mem_size;
	return t;
}

const struct bpfh_verify_prog_type *bpfh_verify_type_of(uint32_t prog_type,
							 uint32_t expected_attach_type)
{
	size_t i;

	switch (prog_type) {
	case BPFH_PROG_TYPE_XDP:
		return expected_attach_type == BPFH_XDP_DEVMAP ? &type_xdp_devmap
							       : &bpfh_verify_type_xdp;
	case BPFH_PROG_TYPE_SOCKET_FILTER:
		return &bpfh_verify_type_socket_filter;
	case BPFH_PROG_TYPE_SCHED_CLS:
		return &type_sched_cls;
	case BPFH_PROG_TYPE_SCHED_ACT:
		return &type_sched_act;
	case BPFH_PROG_TYPE_CGROUP_SKB:
		if (expected_attach_type == BPFH_CGROUP_INET_INGRESS)
			return &type_cgroup_skb_ingress;
		if (expected_attach_type == BPFH_CGROUP_INET_EGRESS)
			return &type_cgroup_skb_egress;
		return &type_cgroup_skb;
	case BPFH_PROG_TYPE_CGROUP_SOCK_ADDR:
		for (i = 0; i < COUNT(sa_types); i++)
			if (sa_types[i].attach == expected_attach_type)
				return &sa_types[i].type;
		return &type_sa;
	case BPFH_PROG_TYPE_BIND:
		return &type_bind;
	case BPFH_PROG_TYPE_MEMORY:
		return &type_memory;
	default:
		return NULL;
	}
}

int bpfh_verify_type_allows_helper(const struct bpfh_verify_prog_type *type, uint32_t id)
{
	size_t i;

	if (!type->helpers)
		return 1;
	for (i = 0; i < type->nhelpers; i++)
		if (type->helpers[i] == id)
			return 1;
	return 0;
}
