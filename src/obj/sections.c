// SPDX-License-Identifier: MIT
/*
 * What section names mean: the table that turns a program's ELF section name into a program
 * type and an expected attach type, with libbpf's matching rules and names (its "Program Types
 * and ELF Sections" table), plus bpfhost's own "bind"; the names of program types; and the two
 * sections that carry metadata, "license" and "version".
 *
 * The table decides types only. Whether bpfhost can attach or run a type is for the hooks to
 * say, and the extras after a slash ("kprobe/do_sys_open") are kept in the section name for
 * whoever attaches the program; they are not parsed here.
 */
#include <errno.h>
#include <string.h>

#include "obj_int.h"

/* How a table entry matches: EXACT only its own name; PLUS (libbpf's "type+") its name or
 * "name/extras". */
enum { EXACT, PLUS };

struct sec_def {
	const char *name;
	unsigned char match;
	uint32_t prog_type;
	uint32_t attach_type;
};

#define P(t) BPFH_PROG_TYPE_##t
#define A(t) BPFH_##t

/* libbpf's order matters where names share a prefix ("xdp.frags/devmap" before "xdp.frags",
 * "cgroup/sock_create" before "cgroup/sock"): the first match wins. */
static const struct sec_def sec_defs[] = {
	{ "socket", EXACT, P(SOCKET_FILTER), 0 },
	{ "sk_reuseport/migrate", EXACT, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT_OR_MIGRATE) },
	{ "sk_reuseport", EXACT, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT) },
	{ "kprobe", PLUS, P(KPROBE), 0 },
	{ "uprobe", PLUS, P(KPROBE), 0 },
	{ "uprobe.s", PLUS, P(KPROBE), 0 },
	{ "kretprobe", PLUS, P(KPROBE), 0 },
	{ "uretprobe", PLUS, P(KPROBE), 0 },
	{ "uretprobe.s", PLUS, P(KPROBE), 0 },
	{ "kprobe.multi", PLUS, P(KPROBE), A(TRACE_KPROBE_MULTI) },
	{ "kretprobe.multi", PLUS, P(KPROBE), A(TRACE_KPROBE_MULTI) },
	{ "uprobe.multi", PLUS, P(KPROBE), A(TRACE_UPROBE_MULTI) },
	{ "uretprobe.multi", PLUS, P(KPROBE), A(TRACE_UPROBE_MULTI) },
	{ "uprobe.multi.s", PLUS, P(KPROBE), A(TRACE_UPROBE_MULTI) },
	{ "uretprobe.multi.s", PLUS, P(KPROBE), A(TRACE_UPROBE_MULTI) },
	{ "ksyscall", PLUS, P(KPROBE), 0 },
	{ "kretsyscall", PLUS, P(KPROBE), 0 },
	{ "usdt", PLUS, P(KPROBE), 0 },
	{ "usdt.s", PLUS, P(KPROBE), 0 },
	{ "tc/ingress", EXACT, P(SCHED_CLS), A(TCX_INGRESS) },
	{ "tc/egress", EXACT, P(SCHED_CLS), A(TCX_EGRESS) },
	{ "tcx/ingress", EXACT, P(SCHED_CLS), A(TCX_INGRESS) },
	{ "tcx/egress", EXACT, P(SCHED_CLS), A(TCX_EGRESS) },
	{ "tc", EXACT, P(SCHED_CLS), 0 },
	{ "classifier", EXACT, P(SCHED_CLS), 0 },
	{ "action", EXACT, P(SCHED_ACT), 0 },
	{ "tracepoint", PLUS, P(TRACEPOINT), 0 },
	{ "tp", PLUS, P(TRACEPOINT), 0 },
	{ "raw_tracepoint", PLUS, P(RAW_TRACEPOINT), 0 },
	{ "raw_tp", PLUS, P(RAW_TRACEPOINT), 0 },
	{ "raw_tracepoint.w", PLUS, P(RAW_TRACEPOINT_WRITABLE), 0 },
	{ "raw_tp.w", PLUS, P(RAW_TRACEPOINT_WRITABLE), 0 },
	{ "tp_btf", PLUS, P(TRACING), A(TRACE_RAW_TP) },
	{ "fentry", PLUS, P(TRACING), A(TRACE_FENTRY) },
	{ "fmod_ret", PLUS, P(TRACING), A(MODIFY_RETURN) },
	{ "fexit", PLUS, P(TRACING), A(TRACE_FEXIT) },
	{ "fentry.s", PLUS, P(TRACING), A(TRACE_FENTRY) },
	{ "fmod_ret.s", PLUS, P(TRACING), A(MODIFY_RETURN) },
	{ "fexit.s", PLUS, P(TRACING), A(TRACE_FEXIT) },
	{ "freplace", PLUS, P(EXT), 0 },
	{ "lsm", PLUS, P(LSM), A(LSM_MAC) },
	{ "lsm.s", PLUS, P(LSM), A(LSM_MAC) },
	{ "lsm_cgroup", PLUS, P(LSM), A(LSM_CGROUP) },
	{ "iter", PLUS, P(TRACING), A(TRACE_ITER) },
	{ "iter.s", PLUS, P(TRACING), A(TRACE_ITER) },
	{ "syscall", EXACT, P(SYSCALL), 0 },
	{ "xdp.frags/devmap", EXACT, P(XDP), A(XDP_DEVMAP) },
	{ "xdp/devmap", EXACT, P(XDP), A(XDP_DEVMAP) },
	{ "xdp.frags/cpumap", EXACT, P(XDP), A(XDP_CPUMAP) },
	{ "xdp/cpumap", EXACT, P(XDP), A(XDP_CPUMAP) },
	{ "xdp.frags", EXACT, P(XDP), A(XDP) },
	{ "xdp", EXACT, P(XDP), A(XDP) },
	{ "perf_event", EXACT, P(PERF_EVENT), 0 },
	{ "lwt_in", EXACT, P(LWT_IN), 0 },
	{ "lwt_out", EXACT, P(LWT_OUT), 0 },
	{ "lwt_xmit", EXACT, P(LWT_XMIT), 0 },
	{ "lwt_seg6local", EXACT, P(LWT_SEG6LOCAL), 0 },
	{ "sockops", EXACT, P(SOCK_OPS), A(CGROUP_SOCK_OPS) },
	{ "sk_skb/stream_parser", EXACT, P(SK_SKB), A(SK_SKB_STREAM_PARSER) },
	{ "sk_skb/stream_verdict", EXACT, P(SK_SKB), A(SK_SKB_STREAM_VERDICT) },
	{ "sk_skb/verdict", EXACT, P(SK_SKB), A(SK_SKB_VERDICT) },
	{ "sk_skb", EXACT, P(SK_SKB), 0 },
	{ "sk_msg", EXACT, P(SK_MSG), A(SK_MSG_VERDICT) },
	{ "lirc_mode2", EXACT, P(LIRC_MODE2), A(LIRC_MODE2) },
	{ "flow_dissector", EXACT, P(FLOW_DISSECTOR), A(FLOW_DISSECTOR) },
	{ "cgroup_skb/ingress", EXACT, P(CGROUP_SKB), A(CGROUP_INET_INGRESS) },
	{ "cgroup_skb/egress", EXACT, P(CGROUP_SKB), A(CGROUP_INET_EGRESS) },
	{ "cgroup/skb", EXACT, P(CGROUP_SKB), 0 },
	{ "cgroup/sock_create", EXACT, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE) },
	{ "cgroup/sock_release", EXACT, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_RELEASE) },
	{ "cgroup/sock", EXACT, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE) },
	{ "cgroup/post_bind4", EXACT, P(CGROUP_SOCK), A(CGROUP_INET4_POST_BIND) },
	{ "cgroup/post_bind6", EXACT, P(CGROUP_SOCK), A(CGROUP_INET6_POST_BIND) },
	{ "cgroup/bind4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_BIND) },
	{ "cgroup/bind6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_BIND) },
	{ "cgroup/connect4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_CONNECT) },
	{ "cgroup/connect6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_CONNECT) },
	{ "cgroup/sendmsg4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_SENDMSG) },
	{ "cgroup/sendmsg6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_SENDMSG) },
	{ "cgroup/recvmsg4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_RECVMSG) },
	{ "cgroup/recvmsg6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_RECVMSG) },
	{ "cgroup/getpeername4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETPEERNAME) },
	{ "cgroup/getpeername6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETPEERNAME) },
	{ "cgroup/getsockname4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETSOCKNAME) },
	{ "cgroup/getsockname6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETSOCKNAME) },
	{ "cgroup/sysctl", EXACT, P(CGROUP_SYSCTL), A(CGROUP_SYSCTL) },
	{ "cgroup/getsockopt", EXACT, P(CGROUP_SOCKOPT), A(CGROUP_GETSOCKOPT) },
	{ "cgroup/setsockopt", EXACT, P(CGROUP_SOCKOPT), A(CGROUP_SETSOCKOPT) },
	{ "cgroup/dev", EXACT, P(CGROUP_DEVICE), A(CGROUP_DEVICE) },
	{ "struct_ops", PLUS, P(STRUCT_OPS), 0 },
	{ "struct_ops.s", PLUS, P(STRUCT_OPS), 0 },
	{ "sk_lookup", EXACT, P(SK_LOOKUP), A(SK_LOOKUP) },
	{ "netfilter", EXACT, P(NETFILTER), A(NETFILTER) },
	/* bpfhost's own: ebpf-for-windows' bind hook */
	{ "bind", EXACT, P(BIND), 0 },
};

static int matches(const struct sec_def *d, const char *name)
{
	size_t n = strlen(d->name);

	switch (d->match) {
	case PLUS:
		return !strncmp(name, d->name, n) && (name[n] == '\0' || name[n] == '/');
	default:
		return !strcmp(name, d->name);
	}
}

int bpfh_section_prog_type(const char *section, uint32_t *prog_type, uint32_t *attach_type)
{
	size_t i;

	if (prog_type)
		*prog_type = 0;
	if (attach_type)
		*attach_type = 0;
	if (!section)
		return -ENOENT;
	for (i = 0; i < sizeof(sec_defs) / sizeof(sec_defs[0]); i++) {
		if (!matches(&sec_defs[i], section))
			continue;
		if (prog_type)
			*prog_type = sec_defs[i].prog_type;
		if (attach_type)
			*attach_type = sec_defs[i].attach_type;
		return 0;
	}
	return -ENOENT;
}

static const char *const type_names[] = {
	"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
	"perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
	"sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr",
	"lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
	"raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm",
	"sk_lookup", "syscall", "netfilter",
};

const char *bpfh_prog_type_name(uint32_t prog_type)
{
	if (prog_type < sizeof(type_names) / sizeof(type_names[0]))
		return type_names[prog_type];
	if (prog_type == BPFH_PROG_TYPE_BIND)
		return "bind";
	if (prog_type == BPFH_PROG_TYPE_MEMORY)
		return "memory";
	return NULL;
}

/* "license": a NUL-terminated string (kept up to 127 bytes); "version": a u32, the kernel
 * version old kprobe loaders had to pass. Neither is required. */
int bpfh_obj_read_meta(struct bpfh_oload *ld)
{
	const struct bpfh_elf *elf = &ld->elf;
	struct bpfh_object *obj = ld->obj;
	int i;

	i = bpfh_elf_find_sec(elf, "license");
	if (i > 0 && elf->secs[i].data) {
		const struct bpfh_elf_sec *s = &elf->secs[i];
		size_t n = s->size < sizeof(obj->license) - 1 ? (size_t)s->size :
							      sizeof(obj->license) - 1;
		const void *nul = memchr(s->data, '\0', n);

		if (nul)
			n = (size_t)((const uint8_t *)nul - s->data);
		memcpy(obj->license, s->data, n);
		obj->license[n] = '\0';
	}
	i = bpfh_elf_find_sec(elf, "version");
	if (i > 0 && elf->secs[i].data) {
		if (elf->secs[i].size != 4)
			return bpfh_obj_err(&ld->ctx, "version", 0, "section of %llu bytes; a "
					    "kernel version is 4 bytes",
					    (unsigned long long)elf->secs[i].size);
		obj->kern_version = bpfh_rd32(elf->secs[i].data);
	}
	return 0;
}
