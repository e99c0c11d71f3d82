// SPDX-License-Identifier: MIT
/*
 * Service redirection at connect() time (cgroup/connect4), the socket-level load balancing
 * Cilium and Calico do: a connect() to a service address (address and port in `services`) is
 * rewritten to one of its backends before any packet exists, so no packet is ever translated.
 * Backends are chosen round robin. The program also enforces a simple egress policy: the user
 * restricted_uid may only connect to the ports in `allowed_ports` (verdict 0 refuses the
 * connect() with EPERM), and it counts connects per command name (bpf_get_current_comm), for
 * an operator's "who connects where" view.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_BACKENDS 8

struct svc_key {
	__u32 addr;  /* network byte order, as bpf_sock_addr has it */
	__u32 port;  /* network byte order, in the low 16 bits */
};

struct backend_addr {
	__u32 addr;  /* network byte order */
	__u32 port;  /* network byte order, in the low 16 bits */
};

struct service {
	__u32 count;
	__u32 next;  /* round robin cursor */
	struct backend_addr backends[MAX_BACKENDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct svc_key);
	__type(value, struct service);
	__uint(max_entries, 256);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);  /* host byte order */
	__type(value, __u8);
	__uint(max_entries, 64);
} allowed_ports SEC(".maps");

struct comm_key {
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct comm_key);
	__type(value, __u64);
	__uint(max_entries, 1024);
} connects_by_comm SEC(".maps");

const volatile __u32 restricted_uid = 65534; /* nobody */

static __always_inline void count_comm(void)
{
	struct comm_key k = {};
	__u64 one = 1, *n;

	if (bpf_get_current_comm(k.comm, sizeof(k.comm)))
		return;
	n = bpf_map_lookup_elem(&connects_by_comm, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&connects_by_comm, &k, &one, BPF_NOEXIST);
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	struct svc_key key = {};
	struct service *svc;
	__u32 uid = (__u32)bpf_get_current_uid_gid(), i;
	__u16 port = bpf_ntohs((__u16)ctx->user_port);

	if (ctx->protocol != IPPROTO_TCP && ctx->protocol != IPPROTO_UDP)
		return 1;
	count_comm();
	if (uid == restricted_uid && !bpf_map_lookup_elem(&allowed_ports, &port))
		return 0;

	key.addr = ctx->user_ip4;
	key.port = ctx->user_port;
	svc = bpf_map_lookup_elem(&services, &key);
	if (!svc || svc->count == 0 || svc->count > MAX_BACKENDS)
		return 1;
	/* Round robin; a lost update under contention only skews the rotation. */
	i = svc->next++ % svc->count;
	/* clang knows i < count <= MAX_BACKENDS and would drop the check below, which a
	 * verifier needs (the kernel's too: it keeps no range through x - x / y * y). */
	asm volatile("" : "+r"(i));
	if (i >= MAX_BACKENDS)
		return 1;
	ctx->user_ip4 = svc->backends[i].addr;
	ctx->user_port = svc->backends[i].port;
	return 1;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
