// SPDX-License-Identifier: MIT
/*
 * A bind policy for bpfhost's bind hook, whose context is ebpf-for-windows' bind_md (defined
 * below, as ebpf-for-windows' headers define it), so the program ports between the two hosts:
 *  - ports below 1024 may only be bound by applications under /usr/sbin/ or
 *    /usr/lib/systemd/ (the application id is the executable's path, copied with
 *    bpf_probe_read_kernel_str and compared with bpf_strncmp);
 *  - each process may hold at most max_binds_per_process bound ports: BIND counts up, UNBIND
 *    counts down, in `processes`, which also keeps the end of the executable's path (the
 *    last 16 bytes, read with bpf_probe_read_kernel) for the operator;
 *  - every denial is reported through a ring buffer, with the id and name of the process
 *    that runs the hook (bpf_get_current_pid_tgid, bpf_get_current_comm).
 * Verdicts: BIND_PERMIT_SOFT lets later policies decide, BIND_DENY refuses the bind.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

typedef enum _bind_operation {
	BIND_OPERATION_BIND,
	BIND_OPERATION_POST_BIND,
	BIND_OPERATION_UNBIND,
} bind_operation_t;

typedef enum _bind_action {
	BIND_PERMIT_SOFT,
	BIND_DENY,
	BIND_REDIRECT,
	BIND_PERMIT_HARD,
} bind_action_t;

typedef struct _bind_md {
	__u8 *app_id_start;
	__u8 *app_id_end;
	__u64 process_id;
	__u8 socket_address[16];
	__u8 socket_address_length;
	bind_operation_t operation;
	__u8 protocol;
} bind_md_t;

#define AF_INET 2
#define AF_INET6 10
#define PATH_MAX_COPY 64
#define IMAGE_TAIL 16

struct process_entry {
	__u32 bound;
	__u32 denied;
	char image_tail[IMAGE_TAIL];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, struct process_entry);
	__uint(max_entries, 4096);
} processes SEC(".maps");

enum deny_reason { DENY_PRIVILEGED = 1, DENY_QUOTA = 2 };

struct denial {
	__u64 process_id;
	__u64 host_pid_tgid;
	__u16 port;
	__u8 reason;
	__u8 protocol;
	char host_comm[16];
	char app[PATH_MAX_COPY];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 4096);
} denials SEC(".maps");

const volatile __u32 max_binds_per_process = 16;

static __always_inline int trusted_path(const char *path)
{
	return bpf_strncmp(path, 10, "/usr/sbin/") == 0 ||
	       bpf_strncmp(path, 17, "/usr/lib/systemd/") == 0;
}

static __always_inline bind_action_t deny(bind_md_t *ctx, __u16 port, __u8 reason,
					  const char *path)
{
	struct denial *d = bpf_ringbuf_reserve(&denials, sizeof(*d), 0);

	if (d) {
		d->process_id = ctx->process_id;
		d->host_pid_tgid = bpf_get_current_pid_tgid();
		d->port = port;
		d->reason = reason;
		d->protocol = ctx->protocol;
		bpf_get_current_comm(d->host_comm, sizeof(d->host_comm));
		__builtin_memcpy(d->app, path, PATH_MAX_COPY);
		bpf_ringbuf_submit(d, 0);
	}
	return BIND_DENY;
}

SEC("bind")
bind_action_t bind_policy(bind_md_t *ctx)
{
	struct process_entry *pe, fresh = {};
	char path[PATH_MAX_COPY] = {};
	__u64 pid = ctx->process_id;
	__u16 family, port;
	long n;

	if (ctx->operation == BIND_OPERATION_UNBIND) {
		pe = bpf_map_lookup_elem(&processes, &pid);
		if (pe && pe->bound > 0 && --pe->bound == 0 && pe->denied == 0)
			bpf_map_delete_elem(&processes, &pid);
		return BIND_PERMIT_SOFT;
	}
	if (ctx->operation != BIND_OPERATION_BIND || ctx->socket_address_length < 4)
		return BIND_PERMIT_SOFT;
	family = ctx->socket_address[0] | ctx->socket_address[1] << 8;
	if (family != AF_INET && family != AF_INET6)
		return BIND_PERMIT_SOFT;
	port = ctx->socket_address[2] << 8 | ctx->socket_address[3];

	bpf_probe_read_kernel_str(path, sizeof(path), ctx->app_id_start);
	pe = bpf_map_lookup_elem(&processes, &pid);
	if (!pe) {
		n = ctx->app_id_end - ctx->app_id_start;
		if (n > IMAGE_TAIL)
			bpf_probe_read_kernel(fresh.image_tail, IMAGE_TAIL,
					      ctx->app_id_end - IMAGE_TAIL);
		else if (n > 0)
			bpf_probe_read_kernel(fresh.image_tail, n, ctx->app_id_start);
		bpf_map_update_elem(&processes, &pid, &fresh, BPF_NOEXIST);
		pe = bpf_map_lookup_elem(&processes, &pid);
		if (!pe)
			return BIND_PERMIT_SOFT;
	}

	if (port != 0 && port < 1024 && !trusted_path(path)) {
		pe->denied++;
		return deny(ctx, port, DENY_PRIVILEGED, path);
	}
	if (pe->bound >= max_binds_per_process) {
		pe->denied++;
		return deny(ctx, port, DENY_QUOTA, path);
	}
	pe->bound++;
	return BIND_PERMIT_SOFT;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
