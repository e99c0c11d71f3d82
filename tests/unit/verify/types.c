// SPDX-License-Identifier: MIT
/*
 * The program types' descriptions (src/verify/types.c) checked as data: one for every hook of
 * src/hooks/table.c with the hook's context size and a return range inside the hook's; field
 * tables inside the context, without overlaps, named, with rights that make sense;
 * helper lists naming only helpers bpfhost has, each once, with the type-specific ones where
 * they belong. Every helper's prototype is one the verifier can check (a key or value after its
 * map, memory followed by its size: call.c treats anything else as an internal error).
 * Then bpfh_object_verify_prog on the examples ($BUILD/examples): a verdict for
 * every program, rejections logged as "FILE:PROGRAM: insn N (...)", and its argument checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/contexts.h"
#include "bpfhost/helpers.h"
#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "bpfhost/verify.h"
#include "../check.h"
#include "../../../src/hooks/hooks.h"

static const struct {
	uint32_t prog_type, attach_type;
} cases[] = {
	{ BPFH_PROG_TYPE_XDP, 0 },
	{ BPFH_PROG_TYPE_XDP, BPFH_XDP_DEVMAP },
	{ BPFH_PROG_TYPE_SOCKET_FILTER, 0 },
	{ BPFH_PROG_TYPE_SCHED_CLS, 0 },
	{ BPFH_PROG_TYPE_SCHED_ACT, 0 },
	{ BPFH_PROG_TYPE_CGROUP_SKB, BPFH_CGROUP_INET_INGRESS },
	{ BPFH_PROG_TYPE_CGROUP_SKB, BPFH_CGROUP_INET_EGRESS },
	{ BPFH_PROG_TYPE_CGROUP_SKB, 99 },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, 99 },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET4_BIND },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET6_BIND },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET4_CONNECT },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET6_CONNECT },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_UDP4_SENDMSG },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_UDP6_SENDMSG },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_UDP4_RECVMSG },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_UDP6_RECVMSG },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET4_GETPEERNAME },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET6_GETPEERNAME },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET4_GETSOCKNAME },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET6_GETSOCKNAME },
	{ BPFH_PROG_TYPE_BIND, 0 },
	{ BPFH_PROG_TYPE_MEMORY, 0 },
};

/* One check per property and type, naming the first field that breaks it. */
static void check_fields(const struct bpfh_verify_prog_type *t)
{
	const char *bad[7] = { NULL };
	size_t i, j;

	if (!t->fields) {
		CHECKF(t->nfields == 0, "%s", t->name);
		return;
	}
	CHECKF(t->ctx_name != NULL, "%s", t->name);
	for (i = 0; i < t->nfields; i++) {
		const struct bpfh_verify_ctx_field *f = &t->fields[i];
		const char *n = f->name ? f->name : "?";
		unsigned w = f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8 ? f->size
											: 4;

		if (!f->name && !bad[0])
			bad[0] = "(unnamed)";
		if ((!f->size || f->off + f->size > t->ctx_size) && !bad[1])
			bad[1] = n;
		if (f->off % w && !bad[2])
			bad[2] = n;
		if (!(f->rights & BPFH_VFIELD_READ) && !bad[3])
			bad[3] = n;
		/* wide accesses only make sense in arrays of words */
		if ((f->rights & BPFH_VFIELD_WIDE) && f->size <= 8 && !bad[4])
			bad[4] = n;
		/* pointers are read whole, never written */
		if (f->kind != BPFH_VFIELD_SCALAR && (f->rights & (BPFH_VFIELD_WRITE |
		    BPFH_VFIELD_NARROW | BPFH_VFIELD_WIDE | BPFH_VFIELD_NARROW_WRITE)) && !bad[5])
			bad[5] = n;
		for (j = 0; j < i; j++)
			if (t->fields[j].off < f->off + f->size &&
			    f->off < t->fields[j].off + t->fields[j].size && !bad[6])
				bad[6] = n;
	}
	CHECKF(!bad[0], "%s: a field without a name", t->name);
	CHECKF(!bad[1], "%s.%s: outside the context", t->name, bad[1]);
	CHECKF(!bad[2], "%s.%s: offset not aligned", t->name, bad[2]);
	CHECKF(!bad[3], "%s.%s: not readable", t->name, bad[3]);
	CHECKF(!bad[4], "%s.%s: wide access to a scalar", t->name, bad[4]);
	CHECKF(!bad[5], "%s.%s: a pointer with more rights than a read", t->name, bad[5]);
	CHECKF(!bad[6], "%s.%s: overlaps another field", t->name, bad[6]);
}

static void check_helpers(const struct bpfh_verify_prog_type *t)
{
	uint32_t missing = 0, twice = 0;
	size_t i, j;

	if (!t->helpers)
		return;
	for (i = 0; i < t->nhelpers; i++) {
		if (!bpfh_helper_find(t->helpers[i]) && !missing)
			missing = t->helpers[i];
		for (j = 0; j < i; j++)
			if (t->helpers[i] == t->helpers[j] && !twice)
				twice = t->helpers[i];
	}
	CHECKF(!missing, "%s: helper %u is not bpfhost's", t->name, missing);
	CHECKF(!twice, "%s: helper %u listed twice", t->name, twice);
	/* every type has the map helpers and tail calls */
	CHECKF(bpfh_verify_type_allows_helper(t, 1) && bpfh_verify_type_allows_helper(t, 12), "%s",
	       t->name);
}

static void check_prototypes(void)
{
	size_t count, n = 0;

	bpfh_helper_table(&count);
	for (uint32_t id = 0; id < count; id++) {
		const struct bpfh_helper *h = bpfh_helper_find(id);
		int map = 0, ok = 1;

		if (!h)
			continue;
		n++;
		for (unsigned k = 0; k < 5; k++) {
			unsigned a = h->args[k], next = k < 4 ? h->args[k + 1] : BPFH_ARG_NONE;
			int sized = next == BPFH_ARG_SIZE || next == BPFH_ARG_SIZE_OR_ZERO;

			map |= a == BPFH_ARG_CONST_MAP_PTR;
			if ((a == BPFH_ARG_MAP_KEY || a == BPFH_ARG_MAP_VALUE) && !map)
				ok = 0;
			if ((a == BPFH_ARG_MEM || a == BPFH_ARG_MEM_OR_NULL ||
			     a == BPFH_ARG_UNINIT_MEM_OR_NULL || (a == BPFH_ARG_UNINIT_MEM && !map)) &&
			    !sized)
				ok = 0;
			if (a > BPFH_ARG_FORMAT_VALUE)
				ok = 0;
		}
		CHECKF(ok && h->ret <= BPFH_RET_ACTION, "helper %u (%s): a prototype the verifier "
		       "cannot check", id, h->name);
	}
	CHECKF(n >= 40, "only %zu helpers found", n);
}

static void check_types(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bpfh_verify_prog_type *t =
			bpfh_verify_type_of(cases[i].prog_type, cases[i].attach_type);
		const struct bpfh_hook *h = bpfh_hook_find(cases[i].prog_type);

		if (!CHECKF(t != NULL, "type %u/%u", cases[i].prog_type, cases[i].attach_type))
			continue;
		if (!CHECKF(h != NULL, "hook %u", cases[i].prog_type))
			continue;
		CHECKF(t->name != NULL, "type %u", cases[i].prog_type);
		CHECKF(t->ctx_size == h->ctx_size, "%s: %u, hook %u", t->name, t->ctx_size,
		       h->ctx_size);
		CHECKF(((t->ret_min == INT64_MIN && t->ret_max == INT64_MAX) ||
			(t->ret_min >= h->ret_min && t->ret_max <= h->ret_max)) &&
		       t->ret_min <= t->ret_max, "%s", t->name);
		check_fields(t);
		check_helpers(t);
	}
	CHECK(bpfh_verify_type_of(BPFH_PROG_TYPE_KPROBE, 0) == NULL);
	CHECK(bpfh_verify_type_of(BPFH_PROG_TYPE_TRACING, 0) == NULL);
	CHECK(bpfh_verify_type_of(BPFH_PROG_TYPE_XDP, 0) == &bpfh_verify_type_xdp);
	CHECK(bpfh_verify_type_of(BPFH_PROG_TYPE_SOCKET_FILTER, 0) ==
	      &bpfh_verify_type_socket_filter);

	/* type-specific helpers where Linux has them */
	CHECK(bpfh_verify_type_allows_helper(&bpfh_verify_type_xdp, 44));      /* adjust_head */
	CHECK(!bpfh_verify_type_allows_helper(&bpfh_verify_type_xdp, 26));     /* skb_load_bytes */
	CHECK(bpfh_verify_type_allows_helper(&bpfh_verify_type_socket_filter, 26));
	CHECK(!bpfh_verify_type_allows_helper(&bpfh_verify_type_socket_filter, 44));
	CHECK(!bpfh_verify_type_allows_helper(&bpfh_verify_type_socket_filter, 23)); /* redirect */
	CHECK(bpfh_verify_type_allows_helper(bpfh_verify_type_of(BPFH_PROG_TYPE_SCHED_CLS, 0), 23));
	CHECK(!bpfh_verify_type_allows_helper(bpfh_verify_type_of(BPFH_PROG_TYPE_SCHED_CLS, 0),
					      54));
	CHECK(bpfh_verify_type_allows_helper(
		bpfh_verify_type_of(BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET4_CONNECT), 14));
	CHECK(!bpfh_verify_type_allows_helper(&bpfh_verify_type_xdp, 14)); /* pid_tgid */
	CHECK(!bpfh_verify_type_allows_helper(&bpfh_verify_type_xdp, 4));  /* probe_read */
	{
		struct bpfh_verify_prog_type m = bpfh_verify_type_memory(64);

		CHECK(m.ctx_size == 64 && m.fields == NULL && m.ctx_writable);
		CHECK(bpfh_verify_type_allows_helper(&m, 4));
	}

	/* legacy packet loads: Linux's may_access_skb() */
	CHECK(bpfh_verify_type_socket_filter.ld_abs);
	CHECK(bpfh_verify_type_of(BPFH_PROG_TYPE_SCHED_CLS, 0)->ld_abs);
	CHECK(bpfh_verify_type_of(BPFH_PROG_TYPE_SCHED_ACT, 0)->ld_abs);
	CHECK(!bpfh_verify_type_of(BPFH_PROG_TYPE_CGROUP_SKB, 0)->ld_abs);
	CHECK(!bpfh_verify_type_xdp.ld_abs);
}

/* bpfh_object_verify_prog on every example object. */
static void check_objects(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	static const char *const names[] = { "xdp_pass", "xdp_firewall", "tc_proto_count",
					     "sock_legacy_count", "cgroup_connect4", "bind_policy",
					     "xdp_parse_chain" };
	size_t i, j;
	int opened = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct bpfh_object_opts oo = { .sz = sizeof(oo), .target_btf = bpfh_context_btf() };
		struct bpfh_object *obj = NULL;
		struct bpfh_log log;
		char path[512], logbuf[4096];

		snprintf(path, sizeof(path), "%s/examples/%s.bpf.o", build, names[i]);
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		if (bpfh_object_open_file_opts(path, &oo, &log, &obj))
			continue;
		opened++;
		for (j = 0; j < obj->nprogs; j++) {
			const struct bpfh_obj_prog *p = &obj->progs[j];
			struct bpfh_object_verify_opts vo = { .sz = sizeof(vo) };
			struct bpfh_verify_result r;
			char prefix[600];
			int err;

			bpfh_log_init(&log, logbuf, sizeof(logbuf));
			err = bpfh_object_verify_prog(obj, p, NULL, &r, &log);
			CHECKF(err == 0 || err == -EACCES, "%s: %d", p->name, err);
			CHECKF(r.insns == p->count, "%s", p->name);
			CHECKF(r.accepted == (err == 0), "%s", p->name);
			snprintf(prefix, sizeof(prefix), "%s:%s: insn ", path, p->name);
			if (err == -EACCES)
				CHECKF(!strncmp(logbuf, prefix, strlen(prefix)), "%s: log '%s'", p->name,
				       logbuf);
			else
				CHECKF(log.len == 0, "%s: log '%s'", p->name, logbuf);
			/* an explicit type replaces the section's: r0 = 2 is no recvmsg4 verdict */
			vo.type = bpfh_verify_type_of(BPFH_PROG_TYPE_CGROUP_SOCK_ADDR,
						      BPFH_CGROUP_UDP4_RECVMSG);
			if (!strcmp(names[i], "xdp_pass")) {
				bpfh_log_init(&log, logbuf, sizeof(logbuf));
				err = bpfh_object_verify_prog(obj, p, &vo, &r, &log);
				CHECKF(err == -EACCES && strstr(logbuf, "return range"), "%d '%s'", err,
				       logbuf);
				CHECKF(strstr(logbuf, " at xdp_pass.bpf.c:") != NULL, "'%s'", logbuf);
			}
		}
		if (!strcmp(names[i], "xdp_pass")) {
			struct bpfh_obj_prog other = obj->progs[0];
			struct bpfh_verify_result r;

			bpfh_log_init(&log, logbuf, sizeof(logbuf));
			CHECK(bpfh_object_verify_prog(obj, &other, NULL, &r, &log) == -EINVAL);
			CHECK(!r.accepted);
			CHECK(bpfh_object_verify_prog(NULL, &other, NULL, NULL, &log) == -EINVAL);
		}
		bpfh_object_destroy(obj);
	}
	if (!opened)
		printf("verify-types: no examples in %s/examples (built with clang): object checks "
		       "skipped\n", build);
}

int main(void)
{
	check_types();
	check_prototypes();
	check_objects();
	return check_summary("verify-types");
}
