// SPDX-License-Identifier: MIT
/*
 * The contexts' BTF (bpfh_context_btf()) against Linux's own headers: for struct xdp_md,
 * struct __sk_buff, struct bpf_sock_addr and struct bpf_sock, the size and every member's
 * offset and size equal what <linux/bpf.h> gives (members inside the anonymous unions of
 * __bpf_md_ptr included), and the BTF has no member the header lacks; the enums' values are
 * Linux's. bind_md (and _bind_md, bind_md_t) against ebpf-for-windows' definition, written
 * out here, and bpfhost's struct bpfh_bind_md. Also: first calls from several threads at once
 * all get the same BTF. Only this test includes <linux/bpf.h>; the library does not.
 */
#include <linux/bpf.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bpfhost/btf.h"
#include "bpfhost/contexts.h"
#include "../check.h"

struct field {
	const char *name;
	size_t off, size;
};

#define F(s, f) { #f, offsetof(struct s, f), sizeof(((struct s *)0)->f) }

static const struct field xdp_md_fields[] = {
	F(xdp_md, data), F(xdp_md, data_end), F(xdp_md, data_meta), F(xdp_md, ingress_ifindex),
	F(xdp_md, rx_queue_index), F(xdp_md, egress_ifindex),
};

static const struct field sk_buff_fields[] = {
	F(__sk_buff, len), F(__sk_buff, pkt_type), F(__sk_buff, mark),
	F(__sk_buff, queue_mapping), F(__sk_buff, protocol), F(__sk_buff, vlan_present),
	F(__sk_buff, vlan_tci), F(__sk_buff, vlan_proto), F(__sk_buff, priority),
	F(__sk_buff, ingress_ifindex), F(__sk_buff, ifindex), F(__sk_buff, tc_index),
	F(__sk_buff, cb), F(__sk_buff, hash), F(__sk_buff, tc_classid), F(__sk_buff, data),
	F(__sk_buff, data_end), F(__sk_buff, napi_id), F(__sk_buff, family),
	F(__sk_buff, remote_ip4), F(__sk_buff, local_ip4), F(__sk_buff, remote_ip6),
	F(__sk_buff, local_ip6), F(__sk_buff, remote_port), F(__sk_buff, local_port),
	F(__sk_buff, data_meta), F(__sk_buff, flow_keys), F(__sk_buff, tstamp),
	F(__sk_buff, wire_len), F(__sk_buff, gso_segs), F(__sk_buff, sk), F(__sk_buff, gso_size),
	F(__sk_buff, tstamp_type), F(__sk_buff, hwtstamp),
};

static const struct field sock_addr_fields[] = {
	F(bpf_sock_addr, user_family), F(bpf_sock_addr, user_ip4), F(bpf_sock_addr, user_ip6),
	F(bpf_sock_addr, user_port), F(bpf_sock_addr, family), F(bpf_sock_addr, type),
	F(bpf_sock_addr, protocol), F(bpf_sock_addr, msg_src_ip4),
	F(bpf_sock_addr, msg_src_ip6), F(bpf_sock_addr, sk),
};

static const struct field sock_fields[] = {
	F(bpf_sock, bound_dev_if), F(bpf_sock, family), F(bpf_sock, type), F(bpf_sock, protocol),
	F(bpf_sock, mark), F(bpf_sock, priority), F(bpf_sock, src_ip4), F(bpf_sock, src_ip6),
	F(bpf_sock, src_port), F(bpf_sock, dst_port), F(bpf_sock, dst_ip4), F(bpf_sock, dst_ip6),
	F(bpf_sock, state), F(bpf_sock, rx_queue_mapping),
};

/* ebpf-for-windows' bind context (ebpf_nethooks.h), in natural C layout. */
typedef enum _bind_operation {
	BIND_OPERATION_BIND,
	BIND_OPERATION_POST_BIND,
	BIND_OPERATION_UNBIND,
} bind_operation_t;

struct ebpf_bind_md {
	uint8_t *app_id_start;
	uint8_t *app_id_end;
	uint64_t process_id;
	uint8_t socket_address[16];
	uint8_t socket_address_length;
	bind_operation_t operation;
	uint8_t protocol;
};

static const struct field bind_fields[] = {
	F(ebpf_bind_md, app_id_start), F(ebpf_bind_md, app_id_end), F(ebpf_bind_md, process_id),
	F(ebpf_bind_md, socket_address), F(ebpf_bind_md, socket_address_length),
	F(ebpf_bind_md, operation), F(ebpf_bind_md, protocol),
};

static const struct field bpfh_bind_fields[] = {
	F(bpfh_bind_md, app_id_start), F(bpfh_bind_md, app_id_end), F(bpfh_bind_md, process_id),
	F(bpfh_bind_md, socket_address), F(bpfh_bind_md, socket_address_length),
	F(bpfh_bind_md, operation), F(bpfh_bind_md, protocol),
};

/* The named member called name of composite id, searching anonymous members: its byte offset
 * from the start of the outer struct and its size. Also counts the named members seen. */
static int find_member(const struct bpfh_btf *btf, uint32_t id, const char *name, size_t base,
		       size_t *off, int64_t *size, unsigned *named)
{
	const struct bpfh_btf_type *t = bpfh_btf_type_by_id(btf, bpfh_btf_resolve(btf, id));
	struct bpfh_btf_member m;
	uint32_t i;
	int found = 0;

	id = bpfh_btf_resolve(btf, id);
	for (i = 0; i < t->vlen; i++) {
		bpfh_btf_member(btf, id, i, &m);
		if (m.bit_offset % 8 || m.bitfield_size)
			CHECKF(0, "member %s: bit %u, bitfield %u", m.name, m.bit_offset,
			       m.bitfield_size);
		if (!m.name[0]) {
			found |= find_member(btf, m.type, name, base + m.bit_offset / 8, off, size,
					     named);
			continue;
		}
		++*named;
		if (!strcmp(m.name, name)) {
			*off = base + m.bit_offset / 8;
			*size = bpfh_btf_size(btf, m.type);
			found = 1;
		}
	}
	return found;
}

static void check_struct(const struct bpfh_btf *btf, const char *name, size_t size,
			 const struct field *fields, size_t n)
{
	int64_t id = bpfh_btf_find(btf, name, BPFH_BTF_KIND_STRUCT), msize = 0;
	unsigned named;
	size_t i, off = 0;

	if (!CHECKF(id > 0, "no struct %s", name))
		return;
	CHECKF(bpfh_btf_size(btf, (uint32_t)id) == (int64_t)size, "struct %s: %lld bytes, %zu in C",
	       name, (long long)bpfh_btf_size(btf, (uint32_t)id), size);
	for (i = 0; i < n; i++) {
		named = 0;
		if (!CHECKF(find_member(btf, (uint32_t)id, fields[i].name, 0, &off, &msize, &named),
			    "struct %s has no member %s", name, fields[i].name))
			continue;
		CHECKF(off == fields[i].off && msize == (int64_t)fields[i].size,
		       "%s.%s: offset %zu, size %lld; in C %zu, %zu", name, fields[i].name, off,
		       (long long)msize, fields[i].off, fields[i].size);
	}
	named = 0;
	find_member(btf, (uint32_t)id, "", 0, &off, &msize, &named);
	CHECKF(named == n, "struct %s: %u named members, %zu in C", name, named, n);
}

static void check_enum(const struct bpfh_btf *btf, const char *name, const char *enumerator,
		       int64_t want)
{
	int64_t id = bpfh_btf_find(btf, name, BPFH_BTF_KIND_ENUM), v;
	const char *n;
	uint32_t i;

	if (!CHECKF(id > 0, "no enum %s", name))
		return;
	for (i = 0; i < bpfh_btf_type_by_id(btf, (uint32_t)id)->vlen; i++) {
		bpfh_btf_enum_value(btf, (uint32_t)id, i, &n, &v);
		if (!strcmp(n, enumerator)) {
			CHECKF(v == want, "%s::%s = %lld, want %lld", name, enumerator, (long long)v,
			       (long long)want);
			return;
		}
	}
	CHECKF(0, "enum %s has no %s", name, enumerator);
}

#define NTHREADS 8

static void *first_call(void *arg)
{
	(void)arg;
	return (void *)bpfh_context_btf();
}

int main(void)
{
	pthread_t th[NTHREADS];
	const struct bpfh_btf *btf, *got[NTHREADS];
	int64_t id;
	int i;

	for (i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&th[i], NULL, first_call, NULL) == 0);
	for (i = 0; i < NTHREADS; i++) {
		void *r = NULL;

		CHECK(pthread_join(th[i], &r) == 0);
		got[i] = r;
	}
	btf = bpfh_context_btf();
	if (!CHECK(btf))
		return check_summary("hooks-btf");
	for (i = 0; i < NTHREADS; i++)
		CHECK(got[i] == btf);
#define CHECK_STRUCT(name, fields) \
	check_struct(btf, #name, sizeof(struct name), fields, sizeof(fields) / sizeof(fields[0]))
	CHECK_STRUCT(xdp_md, xdp_md_fields);
	CHECK_STRUCT(__sk_buff, sk_buff_fields);
	CHECK_STRUCT(bpf_sock_addr, sock_addr_fields);
	CHECK_STRUCT(bpf_sock, sock_fields);
	check_struct(btf, "bind_md", sizeof(struct ebpf_bind_md), bind_fields,
		     sizeof(bind_fields) / sizeof(bind_fields[0]));
	check_struct(btf, "_bind_md", sizeof(struct ebpf_bind_md), bind_fields,
		     sizeof(bind_fields) / sizeof(bind_fields[0]));
	check_struct(btf, "bind_md", sizeof(struct bpfh_bind_md), bpfh_bind_fields,
		     sizeof(bpfh_bind_fields) / sizeof(bpfh_bind_fields[0]));
	id = bpfh_btf_find(btf, "bind_md_t", BPFH_BTF_KIND_TYPEDEF);
	CHECK(id > 0 && bpfh_btf_resolve(btf, (uint32_t)id) ==
			(uint32_t)bpfh_btf_find(btf, "_bind_md", BPFH_BTF_KIND_STRUCT));
	/* the pointers of the contexts point at what Linux's do */
	id = bpfh_btf_find(btf, "bpf_flow_keys", BPFH_BTF_KIND_FWD);
	CHECK(id > 0);
	check_enum(btf, "xdp_action", "XDP_ABORTED", XDP_ABORTED);
	check_enum(btf, "xdp_action", "XDP_DROP", XDP_DROP);
	check_enum(btf, "xdp_action", "XDP_PASS", XDP_PASS);
	check_enum(btf, "xdp_action", "XDP_TX", XDP_TX);
	check_enum(btf, "xdp_action", "XDP_REDIRECT", XDP_REDIRECT);
	check_enum(btf, "sk_action", "SK_DROP", SK_DROP);
	check_enum(btf, "sk_action", "SK_PASS", SK_PASS);
	check_enum(btf, "bind_operation", "BIND_OPERATION_UNBIND", BIND_OPERATION_UNBIND);
	check_enum(btf, "_bind_operation", "BIND_OPERATION_POST_BIND", BIND_OPERATION_POST_BIND);
	check_enum(btf, "bind_action", "BIND_PERMIT_HARD", BPFH_BIND_PERMIT_HARD);
	check_enum(btf, "_bind_action", "BIND_DENY", BPFH_BIND_DENY);
	return check_summary("hooks-btf");
}
