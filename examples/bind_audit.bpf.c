// SPDX-License-Identifier: MIT
/*
 * An audit log of bind, post-bind and unbind operations for the bind hook (ebpf-for-windows'
 * bind_md context): every operation becomes a record in a ring buffer with the process id,
 * the operation, protocol, address family and port, the application's path (its first 63
 * bytes) and the last 24 bytes of the path, which keep the executable's name even when the
 * path is long. The program never decides anything: it returns BIND_PERMIT_SOFT.
 *
 * The application id lives in the memory of the process that binds, so it is read with the
 * user-memory helpers (bpf_probe_read_user_str, bpf_probe_read_user). Tools that must also
 * load on kernels older than 5.5, which lack those, pick the old bpf_probe_read_str and
 * bpf_probe_read at load time: here through use_legacy_probes in .rodata.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

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

#define PATH_HEAD 64
#define PATH_TAIL 24

struct bind_record {
	__u64 process_id;
	__u32 operation;
	__u16 family;
	__u16 port;       /* host byte order */
	__u8 protocol;
	__u8 tail_len;
	__u16 path_len;   /* bytes the string read copied, with the NUL; 0 if it failed */
	__u32 app_id_len;
	char path[PATH_HEAD];
	char tail[PATH_TAIL];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} bind_log SEC(".maps");

const volatile bool use_legacy_probes = false;

__u64 lost_records;

SEC("bind")
bind_action_t bind_audit(bind_md_t *ctx)
{
	struct bind_record *r;
	long len, n, off;

	r = bpf_ringbuf_reserve(&bind_log, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost_records, 1);
		return BIND_PERMIT_SOFT;
	}
	r->process_id = ctx->process_id;
	r->operation = ctx->operation;
	r->family = ctx->socket_address[0] | ctx->socket_address[1] << 8;
	r->port = ctx->socket_address[2] << 8 | ctx->socket_address[3];
	r->protocol = ctx->protocol;

	len = ctx->app_id_end - ctx->app_id_start;
	r->app_id_len = len;
	n = len < PATH_TAIL ? len : PATH_TAIL;
	off = len - n;
	if (n < 0 || n > PATH_TAIL)
		n = 0;
	if (use_legacy_probes) {
		len = bpf_probe_read_str(r->path, sizeof(r->path), ctx->app_id_start);
		if (bpf_probe_read(r->tail, n, ctx->app_id_start + off))
			n = 0;
	} else {
		len = bpf_probe_read_user_str(r->path, sizeof(r->path), ctx->app_id_start);
		if (bpf_probe_read_user(r->tail, n, ctx->app_id_start + off))
			n = 0;
	}
	r->path_len = len > 0 ? len : 0;
	r->tail_len = n;
	bpf_ringbuf_submit(r, 0);
	return BIND_PERMIT_SOFT;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
