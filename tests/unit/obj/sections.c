// SPDX-License-Identifier: MIT
/*
 * The section-name table (bpfh_section_prog_type) against libbpf's rules: exact names,
 * "type+" names with and without extras, names that only look alike, bpfhost's "bind", and the
 * program type names. Needs no compiled objects.
 */
#include <errno.h>

#include "bpfhost/obj.h"
#include "../check.h"

struct want {
	const char *sec;
	int found;
	uint32_t type, attach;
};

static const struct want table[] = {
	{ "socket", 1, BPFH_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "xdp", 1, BPFH_PROG_TYPE_XDP, BPFH_XDP },
	{ "xdp.frags", 1, BPFH_PROG_TYPE_XDP, BPFH_XDP },
	{ "xdp/devmap", 1, BPFH_PROG_TYPE_XDP, BPFH_XDP_DEVMAP },
	{ "xdp.frags/devmap", 1, BPFH_PROG_TYPE_XDP, BPFH_XDP_DEVMAP },
	{ "xdp/cpumap", 1, BPFH_PROG_TYPE_XDP, BPFH_XDP_CPUMAP },
	{ "tc", 1, BPFH_PROG_TYPE_SCHED_CLS, 0 },
	{ "classifier", 1, BPFH_PROG_TYPE_SCHED_CLS, 0 },
	{ "action", 1, BPFH_PROG_TYPE_SCHED_ACT, 0 },
	{ "tcx/ingress", 1, BPFH_PROG_TYPE_SCHED_CLS, BPFH_TCX_INGRESS },
	{ "cgroup/bind4", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET4_BIND },
	{ "cgroup/bind6", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET6_BIND },
	{ "cgroup/connect4", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET4_CONNECT },
	{ "cgroup/connect6", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET6_CONNECT },
	{ "cgroup/post_bind4", 1, BPFH_PROG_TYPE_CGROUP_SOCK, BPFH_CGROUP_INET4_POST_BIND },
	{ "cgroup/post_bind6", 1, BPFH_PROG_TYPE_CGROUP_SOCK, BPFH_CGROUP_INET6_POST_BIND },
	{ "cgroup/sendmsg4", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_UDP4_SENDMSG },
	{ "cgroup/sendmsg6", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_UDP6_SENDMSG },
	{ "cgroup/recvmsg4", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_UDP4_RECVMSG },
	{ "cgroup/recvmsg6", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_UDP6_RECVMSG },
	{ "cgroup/getpeername4", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR,
	  BPFH_CGROUP_INET4_GETPEERNAME },
	{ "cgroup/getpeername6", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR,
	  BPFH_CGROUP_INET6_GETPEERNAME },
	{ "cgroup/getsockname4", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR,
	  BPFH_CGROUP_INET4_GETSOCKNAME },
	{ "cgroup/getsockname6", 1, BPFH_PROG_TYPE_CGROUP_SOCK_ADDR,
	  BPFH_CGROUP_INET6_GETSOCKNAME },
	{ "cgroup_skb/ingress", 1, BPFH_PROG_TYPE_CGROUP_SKB, BPFH_CGROUP_INET_INGRESS },
	{ "cgroup_skb/egress", 1, BPFH_PROG_TYPE_CGROUP_SKB, BPFH_CGROUP_INET_EGRESS },
	{ "cgroup/skb", 1, BPFH_PROG_TYPE_CGROUP_SKB, 0 },
	{ "cgroup/sock", 1, BPFH_PROG_TYPE_CGROUP_SOCK, BPFH_CGROUP_INET_SOCK_CREATE },
	{ "cgroup/sock_create", 1, BPFH_PROG_TYPE_CGROUP_SOCK, BPFH_CGROUP_INET_SOCK_CREATE },
	{ "cgroup/sock_release", 1, BPFH_PROG_TYPE_CGROUP_SOCK, BPFH_CGROUP_INET_SOCK_RELEASE },
	{ "cgroup/dev", 1, BPFH_PROG_TYPE_CGROUP_DEVICE, BPFH_CGROUP_DEVICE },
	{ "cgroup/sysctl", 1, BPFH_PROG_TYPE_CGROUP_SYSCTL, BPFH_CGROUP_SYSCTL },
	{ "cgroup/getsockopt", 1, BPFH_PROG_TYPE_CGROUP_SOCKOPT, BPFH_CGROUP_GETSOCKOPT },
	{ "sockops", 1, BPFH_PROG_TYPE_SOCK_OPS, BPFH_CGROUP_SOCK_OPS },
	{ "sk_skb/stream_parser", 1, BPFH_PROG_TYPE_SK_SKB, BPFH_SK_SKB_STREAM_PARSER },
	{ "sk_skb/stream_verdict", 1, BPFH_PROG_TYPE_SK_SKB, BPFH_SK_SKB_STREAM_VERDICT },
	{ "sk_skb", 1, BPFH_PROG_TYPE_SK_SKB, 0 },
	{ "sk_msg", 1, BPFH_PROG_TYPE_SK_MSG, BPFH_SK_MSG_VERDICT },
	{ "kprobe/do_sys_open", 1, BPFH_PROG_TYPE_KPROBE, 0 },
	{ "kprobe", 1, BPFH_PROG_TYPE_KPROBE, 0 },
	{ "kretprobe/do_sys_open", 1, BPFH_PROG_TYPE_KPROBE, 0 },
	{ "uprobe/bin/true:main", 1, BPFH_PROG_TYPE_KPROBE, 0 },
	{ "uretprobe//usr/lib/libc.so.6:malloc", 1, BPFH_PROG_TYPE_KPROBE, 0 },
	{ "kprobe.multi/do_*", 1, BPFH_PROG_TYPE_KPROBE, BPFH_TRACE_KPROBE_MULTI },
	{ "usdt/bin/app:prov:probe", 1, BPFH_PROG_TYPE_KPROBE, 0 },
	{ "tracepoint/syscalls/sys_enter_openat", 1, BPFH_PROG_TYPE_TRACEPOINT, 0 },
	{ "tp/sched/sched_switch", 1, BPFH_PROG_TYPE_TRACEPOINT, 0 },
	{ "raw_tracepoint/sys_enter", 1, BPFH_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "raw_tp/sys_exit", 1, BPFH_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "raw_tp.w/x", 1, BPFH_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0 },
	{ "tp_btf/sched_wakeup", 1, BPFH_PROG_TYPE_TRACING, BPFH_TRACE_RAW_TP },
	{ "fentry/do_unlinkat", 1, BPFH_PROG_TYPE_TRACING, BPFH_TRACE_FENTRY },
	{ "fexit/do_unlinkat", 1, BPFH_PROG_TYPE_TRACING, BPFH_TRACE_FEXIT },
	{ "fmod_ret/x", 1, BPFH_PROG_TYPE_TRACING, BPFH_MODIFY_RETURN },
	{ "fentry.s/x", 1, BPFH_PROG_TYPE_TRACING, BPFH_TRACE_FENTRY },
	{ "freplace/x", 1, BPFH_PROG_TYPE_EXT, 0 },
	{ "lsm/file_open", 1, BPFH_PROG_TYPE_LSM, BPFH_LSM_MAC },
	{ "lsm.s/file_open", 1, BPFH_PROG_TYPE_LSM, BPFH_LSM_MAC },
	{ "iter/task", 1, BPFH_PROG_TYPE_TRACING, BPFH_TRACE_ITER },
	{ "syscall", 1, BPFH_PROG_TYPE_SYSCALL, 0 },
	{ "perf_event", 1, BPFH_PROG_TYPE_PERF_EVENT, 0 },
	{ "lwt_in", 1, BPFH_PROG_TYPE_LWT_IN, 0 },
	{ "flow_dissector", 1, BPFH_PROG_TYPE_FLOW_DISSECTOR, BPFH_FLOW_DISSECTOR },
	{ "sk_lookup", 1, BPFH_PROG_TYPE_SK_LOOKUP, BPFH_SK_LOOKUP },
	{ "sk_reuseport/migrate", 1, BPFH_PROG_TYPE_SK_REUSEPORT,
	  BPFH_SK_REUSEPORT_SELECT_OR_MIGRATE },
	{ "struct_ops/dummy", 1, BPFH_PROG_TYPE_STRUCT_OPS, 0 },
	{ "bind", 1, BPFH_PROG_TYPE_BIND, 0 },
	/* libbpf 1.x: no sloppy prefixes, no extras where the entry is exact */
	{ "xdp_prog", 0, 0, 0 },
	{ "xdp/foo", 0, 0, 0 },
	{ "socket1", 0, 0, 0 },
	{ "socket/x", 0, 0, 0 },
	{ "tc/foo", 0, 0, 0 },
	{ "kprobes/x", 0, 0, 0 },
	{ "kprobex", 0, 0, 0 },
	{ "cgroup/bind", 0, 0, 0 },
	{ "bind4", 0, 0, 0 },
	{ "bind/x", 0, 0, 0 },
	{ ".text", 0, 0, 0 },
	{ "", 0, 0, 0 },
	{ "my_hook/entry", 0, 0, 0 },
};

int main(void)
{
	size_t i;
	uint32_t t, a;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int err = bpfh_section_prog_type(table[i].sec, &t, &a);

		if (table[i].found) {
			CHECKF(err == 0, "section \"%s\": %d", table[i].sec, err);
			CHECKF(t == table[i].type, "section \"%s\": type %u, want %u",
			       table[i].sec, t, table[i].type);
			CHECKF(a == table[i].attach, "section \"%s\": attach %u, want %u",
			       table[i].sec, a, table[i].attach);
		} else {
			CHECKF(err == -ENOENT, "section \"%s\": %d, want -ENOENT", table[i].sec,
			       err);
			CHECKF(t == 0 && a == 0, "section \"%s\": outputs %u/%u not cleared",
			       table[i].sec, t, a);
		}
	}
	CHECK(bpfh_section_prog_type(NULL, &t, &a) == -ENOENT);
	CHECK(bpfh_section_prog_type("xdp", NULL, NULL) == 0);

	CHECK_STR(bpfh_prog_type_name(BPFH_PROG_TYPE_XDP), "xdp");
	CHECK_STR(bpfh_prog_type_name(BPFH_PROG_TYPE_SOCKET_FILTER), "socket_filter");
	CHECK_STR(bpfh_prog_type_name(BPFH_PROG_TYPE_CGROUP_SOCK_ADDR), "cgroup_sock_addr");
	CHECK_STR(bpfh_prog_type_name(BPFH_PROG_TYPE_SYSCALL), "syscall");
	CHECK_STR(bpfh_prog_type_name(BPFH_PROG_TYPE_NETFILTER), "netfilter");
	CHECK_STR(bpfh_prog_type_name(BPFH_PROG_TYPE_BIND), "bind");
	CHECK_STR(bpfh_prog_type_name(BPFH_PROG_TYPE_MEMORY), "memory");
	CHECK(bpfh_prog_type_name(33) == NULL);
	CHECK(bpfh_prog_type_name(0xffffffffu) == NULL);
	return check_summary("obj-sections");
}
