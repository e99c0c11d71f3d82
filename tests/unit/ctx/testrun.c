// SPDX-License-Identifier: MIT
/*
 * Instances, helpers and test runs without ELF: objects are built in memory (programs from
 * assembly, maps from definitions), instantiated and test-run on every hook, on both
 * interpreters. Covers lddw of maps and of global data, map helpers, tail calls, bpf_loop,
 * trace_printk, XDP adjust_head/tail, socket filter LD_ABS and skb_load_bytes, sock_addr
 * rewrites, the bind hook, memory programs, and load errors (unknown helpers).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/contexts.h"
#include "bpfhost/helpers.h"
#include "bpfhost/prog.h"
#include "bpfhost/xdp.h"
#include "../check.h"

/* Arbitrary code, run knowingly unverified (see bpfh_exec_opts.verdict). */
static const struct bpfh_exec_opts unverified = { .sz = sizeof(unverified),
						  .verdict = BPFH_EXEC_UNVERIFIED };

static const enum bpfh_engine engines[] = { BPFH_ENGINE_INTERP, BPFH_ENGINE_INTERP_CHECKED,
					    BPFH_ENGINE_JIT };
static enum bpfh_engine engine;
static char logbuf[8192];
static struct bpfh_log log_;

#define MAX_PROGS 4
#define MAX_MAPS 4

struct built {
	struct bpfh_object obj;
	struct bpfh_obj_prog progs[MAX_PROGS];
	struct bpfh_obj_map maps[MAX_MAPS];
	struct bpfh_instance *inst;
};

static void add_map(struct built *b, const char *name, uint32_t type, uint32_t key, uint32_t value,
		    uint32_t max, uint32_t flags)
{
	struct bpfh_obj_map *m = &b->maps[b->obj.nmaps++];

	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->def.name, sizeof(m->def.name), "%s", name);
	m->kind = BPFH_OBJ_MAP_BTF;
	m->inner = -1;
	m->def.type = type;
	m->def.key_size = key;
	m->def.value_size = value;
	m->def.max_entries = max;
	m->def.map_flags = flags;
}

static int add_prog(struct built *b, const char *name, uint32_t type, const char *text)
{
	struct bpfh_obj_prog *p = &b->progs[b->obj.nprogs];
	int err;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->section, sizeof(p->section), "%s", name);
	p->prog_type = type;
	bpfh_log_init(&log_, logbuf, sizeof(logbuf));
	err = bpfh_asm(text, name, 1, &p->insns, &p->count, &log_);
	if (!CHECKF(err == 0, "%s", logbuf))
		return err;
	b->obj.nprogs++;
	return 0;
}

static int instantiate(struct built *b)
{
	struct bpfh_load_opts lo = { .sz = sizeof(lo), .engine = engine };

	snprintf(b->obj.name, sizeof(b->obj.name), "built.o");
	b->obj.progs = b->progs;
	b->obj.maps = b->maps;
	bpfh_log_init(&log_, logbuf, sizeof(logbuf));
	return bpfh_instance_create(&b->obj, &lo, &log_, &b->inst);
}

static void release(struct built *b)
{
	size_t i;

	bpfh_instance_destroy(b->inst);
	for (i = 0; i < b->obj.nprogs; i++)
		free(b->progs[i].insns);
	memset(b, 0, sizeof(*b));
}

static struct bpfh_test_run_opts topts(void)
{
	struct bpfh_test_run_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	bpfh_log_init(&log_, logbuf, sizeof(logbuf));
	o.log = &log_;
	o.insn_limit = 1000000;
	return o;
}

static const uint8_t ipv4_udp[48] = {
	0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,             /* Ethernet */
	0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 1, 2, 3, 10, 0, 0, 1, /* IPv4 */
	0x9c, 0x40, 0x00, 0x35, 0, 8, 0, 0,                                   /* UDP */
	0, 0, 0, 0, 0, 0 };

/* XDP: parse with ctx->data/data_end, count per protocol in a map, return PASS for IPv4. */
static void test_xdp_map_count(void)
{
	struct built b = { 0 };
	struct bpfh_test_run_opts o;
	struct bpfh_map *m;
	uint8_t out[128];
	uint32_t key = 17;
	uint64_t value = 0;

	add_map(&b, "counts", BPFH_MAP_TYPE_HASH, 4, 8, 16, 0);
	if (add_prog(&b, "xdp_count", BPFH_PROG_TYPE_XDP,
		     "ldxw %r2, [%r1]\n"
		     "ldxw %r3, [%r1+4]\n"
		     "mov %r4, %r2\n"
		     "add %r4, 34\n"
		     "jgt %r4, %r3, drop\n"
		     "ldxb %r5, [%r2+23]\n"      /* IP protocol */
		     "stxw [%r10-4], %r5\n"
		     "lddw %r1, map_idx 0\n"
		     "mov %r2, %r10\n"
		     "add %r2, -4\n"
		     "call 1\n"
		     "jne %r0, 0, have\n"
		     "stdw [%r10-16], 1\n"
		     "lddw %r1, map_idx 0\n"
		     "mov %r2, %r10\n"
		     "add %r2, -4\n"
		     "mov %r3, %r10\n"
		     "add %r3, -16\n"
		     "mov %r4, 0\n"
		     "call 2\n"
		     "mov %r0, 2\n"
		     "exit\n"
		     "have:\n"
		     "mov %r1, 1\n"
		     "lock add [%r0], %r1\n"
		     "mov %r0, 2\n"
		     "exit\n"
		     "drop:\n"
		     "mov %r0, 1\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = sizeof(ipv4_udp);
	o.data_out = out;
	o.data_size_out = sizeof(out);
	o.repeat = 5;
	CHECKF(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "xdp_count"), &o) == 0, "%s", logbuf);
	CHECK(o.retval == BPFH_XDP_ACTION_PASS);
	CHECK(o.data_size_out == sizeof(ipv4_udp) && !memcmp(out, ipv4_udp, sizeof(ipv4_udp)));
	m = bpfh_instance_map(b.inst, "counts");
	CHECK(m && bpfh_map_lookup(m, &key, &value) == 0 && value == 5);
	/* too short for the parse: DROP */
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = 20;
	CHECK(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "xdp_count"), &o) == 0 &&
	      o.retval == BPFH_XDP_ACTION_DROP);
	/* below an Ethernet header: refused as Linux does */
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = 10;
	CHECK(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "xdp_count"), &o) == -EINVAL);
out:
	release(&b);
}

/* XDP: push 4 bytes of encapsulation in front (adjust_head -4), trim 6 bytes of tail. */
static void test_xdp_adjust(void)
{
	struct built b = { 0 };
	struct bpfh_test_run_opts o;
	uint8_t out[128];

	if (add_prog(&b, "xdp_adjust", BPFH_PROG_TYPE_XDP,
		     "mov %r6, %r1\n"
		     "mov %r2, -4\n"
		     "call 44\n"                 /* bpf_xdp_adjust_head(ctx, -4) */
		     "jne %r0, 0, fail\n"
		     "mov %r1, %r6\n"
		     "mov %r2, -6\n"
		     "call 65\n"                 /* bpf_xdp_adjust_tail(ctx, -6) */
		     "jne %r0, 0, fail\n"
		     "ldxw %r2, [%r6]\n"
		     "ldxw %r3, [%r6+4]\n"
		     "mov %r4, %r2\n"
		     "add %r4, 4\n"
		     "jgt %r4, %r3, fail\n"
		     "stw [%r2], 0x04030201\n"
		     "mov %r1, %r6\n"
		     "call 188\n"                /* bpf_xdp_get_buff_len */
		     "jne %r0, 46, fail\n"
		     "mov %r0, 3\n"
		     "exit\n"
		     "fail:\n"
		     "mov %r0, 0\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = sizeof(ipv4_udp);
	o.data_out = out;
	o.data_size_out = sizeof(out);
	CHECKF(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "xdp_adjust"), &o) == 0, "%s", logbuf);
	CHECK(o.retval == BPFH_XDP_ACTION_TX);
	CHECK(o.data_size_out == sizeof(ipv4_udp) - 2);
	CHECK(out[0] == 1 && out[3] == 4 && !memcmp(out + 4, ipv4_udp, sizeof(ipv4_udp) - 6));
	/* a small output buffer: -ENOSPC and the needed size */
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = sizeof(ipv4_udp);
	o.data_out = out;
	o.data_size_out = 8;
	CHECK(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "xdp_adjust"), &o) == -ENOSPC &&
	      o.data_size_out == sizeof(ipv4_udp) - 2);
out:
	release(&b);
}

/* Global data through lddw map_idx_value, trace_printk with arguments, bpf_loop. */
static char traced[256];

static void trace_to_buf(void *arg, const char *text, size_t len)
{
	(void)arg;
	snprintf(traced, sizeof(traced), "%.*s", (int)len, text);
}

static void test_data_trace_loop(void)
{
	static const uint8_t init[16] = { 7, 0, 0, 0, 0, 0, 0, 0, 'n', '=', '%', 'd', ' ', '%', 's', 0 };
	struct built b = { 0 };
	struct bpfh_test_run_opts o;

	add_map(&b, "built.data", BPFH_MAP_TYPE_ARRAY, 4, 16, 1, 0);
	b.maps[0].kind = BPFH_OBJ_MAP_DATA;
	b.maps[0].init = init;
	b.maps[0].init_size = sizeof(init);
	if (add_prog(&b, "mem_prog", BPFH_PROG_TYPE_MEMORY,
		     "lddw %r6, map_idx_value 0, 0\n"
		     "ldxdw %r7, [%r6]\n"        /* 7 from .data */
		     "stdw [%r10-8], 0\n"
		     "mov %r1, 10\n"
		     "lddw %r2, func cb\n"
		     "mov %r3, %r10\n"
		     "add %r3, -8\n"
		     "mov %r4, 0\n"
		     "call 181\n"                /* bpf_loop(10, cb, &sum, 0) */
		     "ldxdw %r8, [%r10-8]\n"     /* 0 + 1 + ... + 9 = 45 */
		     "stdw [%r10-16], 0x6b6f\n"  /* "ok" */
		     "mov %r1, %r6\n"
		     "add %r1, 8\n"
		     "mov %r2, 8\n"
		     "mov %r3, %r8\n"
		     "mov %r4, %r10\n"
		     "add %r4, -16\n"
		     "call 6\n"                  /* bpf_trace_printk("n=%d %s", 8, 45, "ok") */
		     "mov %r0, %r7\n"
		     "mul %r0, 100\n"
		     "add %r0, %r8\n"
		     "exit\n"
		     "cb:\n"
		     "ldxdw %r3, [%r2]\n"
		     "add %r3, %r1\n"
		     "stxdw [%r2], %r3\n"
		     "mov %r0, 0\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	o = topts();
	o.trace = trace_to_buf;
	traced[0] = '\0';
	CHECKF(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "mem_prog"), &o) == 0, "%s", logbuf);
	CHECKF(o.retval == 745, "retval %u", o.retval);
	CHECK_STR(traced, "n=45 ok");
out:
	release(&b);
}

/* Nothing unverified is prepared: an instance of a program the verifier refuses fails with
 * -EACCES and the verifier's line, naming the object, the program and the instruction. */
static void test_unverified_refused(void)
{
	struct built b = { 0 };

	if (add_prog(&b, "unchecked", BPFH_PROG_TYPE_XDP,
		     "ldxw %r2, [%r1+0]\n"
		     "ldxb %r0, [%r2+12]\n"      /* no check against data_end */
		     "mov %r0, 2\n"
		     "exit\n"))
		return;
	CHECK(instantiate(&b) == -EACCES);
	CHECKF(strstr(logbuf, "built.o:unchecked: insn 1 (") &&
	       strstr(logbuf, "packet access past the checked end"), "%s", logbuf);
	CHECK(b.inst == NULL);
	release(&b);
}

/* Tail call through a prog array slot filled from the object's initial values. */
static void test_tail_call(void)
{
	static const struct bpfh_obj_slot slot = { 2, 1 };
	struct built b = { 0 };
	struct bpfh_test_run_opts o;

	add_map(&b, "jmp", BPFH_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
	b.maps[0].slots = &slot;
	b.maps[0].nslots = 1;
	if (add_prog(&b, "entry", BPFH_PROG_TYPE_XDP,
		     "mov %r6, %r1\n"
		     "lddw %r2, map_idx 0\n"
		     "mov %r3, 3\n"
		     "call 12\n"                 /* empty slot: falls through */
		     "mov %r1, %r6\n"
		     "lddw %r2, map_idx 0\n"
		     "mov %r3, 2\n"
		     "call 12\n"                 /* slot 2: does not come back */
		     "mov %r0, 1\n"
		     "exit\n") ||
	    add_prog(&b, "target", BPFH_PROG_TYPE_XDP,
		     "ldxw %r0, [%r1+0]\n"       /* ctx->data: r1 is the context again */
		     "mov %r0, 42\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = sizeof(ipv4_udp);
	CHECKF(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "entry"), &o) == 0, "%s", logbuf);
	CHECKF(o.retval == 42, "retval %u", o.retval);
out:
	release(&b);
}

/* Socket filter: LD_ABS from the network header, skb->len, bpf_skb_load_bytes. */
static void test_socket_filter(void)
{
	struct built b = { 0 };
	struct bpfh_test_run_opts o;
	struct bpfh_sk_buff skb;

	if (add_prog(&b, "sock", BPFH_PROG_TYPE_SOCKET_FILTER,
		     "mov %r6, %r1\n"
		     "ldabsb 9\n"                /* IP protocol, from the network header */
		     "jne %r0, 17, drop\n"
		     "mov %r1, %r6\n"
		     "mov %r2, 20\n"
		     "mov %r3, %r10\n"
		     "add %r3, -4\n"
		     "mov %r4, 4\n"
		     "call 26\n"                 /* bpf_skb_load_bytes(skb, 20, buf, 4): ports */
		     "jne %r0, 0, drop\n"
		     "ldxh %r1, [%r10-2]\n"      /* destination port, network order */
		     "jne %r1, 0x3500, drop\n"
		     "ldxw %r0, [%r6]\n"         /* skb->len */
		     "exit\n"
		     "drop:\n"
		     "mov %r0, 0\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = sizeof(ipv4_udp);
	memset(&skb, 0, sizeof(skb));
	skb.mark = 7;
	o.ctx_in = &skb;
	o.ctx_size_in = sizeof(skb);
	CHECKF(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "sock"), &o) == 0, "%s", logbuf);
	CHECKF(o.retval == sizeof(ipv4_udp) - 14, "retval %u", o.retval);
	/* a field ctx_in may not set */
	skb.len = 5;
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = sizeof(ipv4_udp);
	o.ctx_in = &skb;
	o.ctx_size_in = sizeof(skb);
	CHECK(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "sock"), &o) == -EINVAL);
out:
	release(&b);
}

/*
 * __sk_buff test runs as Linux 6.x gives them (found by tests/kernel/kexamples.c): the packet
 * comes from the loopback device (skb->ifindex 1), gso_segs is 0, wire_len is skb->len (for
 * socket filters without the Ethernet header), an IPv4 or IPv6 packet too short for its
 * network header is refused, and a socket filter's data_out has its Ethernet header zeroed.
 */
static void test_skb_linux_details(void)
{
	struct built b = { 0 };
	struct bpfh_test_run_opts o;
	struct bpfh_sk_buff in, out;
	uint8_t pkt[64], outbuf[128];
	int t;

	if (add_prog(&b, "sock", BPFH_PROG_TYPE_SOCKET_FILTER,
		     "ldxw %r0, [%r1+40]\n"     /* skb->ifindex */
		     "exit\n") ||
	    add_prog(&b, "tc", BPFH_PROG_TYPE_SCHED_CLS,
		     "ldxw %r0, [%r1+40]\n"
		     "exit\n"))
		goto out;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	for (t = 0; t < 2; t++) {
		struct bpfh_prog *prog = bpfh_instance_prog(b.inst, t ? "tc" : "sock");

		o = topts();
		o.data_in = ipv4_udp;
		o.data_size_in = sizeof(ipv4_udp);
		o.data_out = outbuf;
		o.data_size_out = sizeof(outbuf);
		memset(&in, 0, sizeof(in));
		memset(&out, 0xff, sizeof(out));
		o.ctx_in = &in;
		o.ctx_size_in = sizeof(in);
		o.ctx_out = &out;
		o.ctx_size_out = sizeof(out);
		if (!CHECKF(bpfh_prog_test_run(prog, &o) == 0, "%s", logbuf))
			continue;
		CHECKF(o.retval == 1, "skb->ifindex %u", o.retval);
		CHECK(out.ifindex == 1 && out.gso_segs == 0);
		CHECKF(out.wire_len == sizeof(ipv4_udp) - (t ? 0 : 14), "wire_len %u",
		       out.wire_len);
		CHECK(o.data_size_out == sizeof(ipv4_udp));
		if (t) {
			CHECK(!memcmp(outbuf, ipv4_udp, sizeof(ipv4_udp)));
		} else {
			static const uint8_t zero[14];

			CHECK(!memcmp(outbuf, zero, 14) &&
			      !memcmp(outbuf + 14, ipv4_udp + 14, sizeof(ipv4_udp) - 14));
		}
		/* a wire_len shorter than the packet */
		in.wire_len = 10;
		o = topts();
		o.data_in = ipv4_udp;
		o.data_size_in = sizeof(ipv4_udp);
		o.ctx_in = &in;
		o.ctx_size_in = sizeof(in);
		CHECK(bpfh_prog_test_run(prog, &o) == -EINVAL);
		/* network headers: IPv4 needs 20 bytes after Ethernet, IPv6 40, others none */
		memset(pkt, 0, sizeof(pkt));
		pkt[12] = 0x08;
		o = topts();
		o.data_in = pkt;
		o.data_size_in = 14 + 19;
		CHECK(bpfh_prog_test_run(prog, &o) == -EINVAL);
		o.data_size_in = 14 + 20;
		CHECK(bpfh_prog_test_run(prog, &o) == 0);
		pkt[12] = 0x86;
		pkt[13] = 0xdd;
		o.data_size_in = 14 + 39;
		CHECK(bpfh_prog_test_run(prog, &o) == -EINVAL);
		o.data_size_in = 14 + 40;
		CHECK(bpfh_prog_test_run(prog, &o) == 0);
		pkt[12] = 0x08;
		pkt[13] = 0x06;
		o.data_size_in = 14;
		CHECK(bpfh_prog_test_run(prog, &o) == 0);
	}
out:
	release(&b);
}

/* XDP test runs arrive on the loopback device unless ctx_in says otherwise; ctx_out gives back
 * ctx_in's ingress_ifindex. */
static void test_xdp_ingress_ifindex(void)
{
	struct built b = { 0 };
	struct bpfh_test_run_opts o;
	struct bpfh_xdp_md in, out;

	if (add_prog(&b, "xdp_ifindex", BPFH_PROG_TYPE_XDP,
		     "ldxw %r0, [%r1+12]\n"     /* ctx->ingress_ifindex */
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = sizeof(ipv4_udp);
	CHECK(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "xdp_ifindex"), &o) == 0 &&
	      o.retval == 1);
	memset(&in, 0, sizeof(in));
	in.data_end = sizeof(ipv4_udp);
	o = topts();
	o.data_in = ipv4_udp;
	o.data_size_in = sizeof(ipv4_udp);
	o.ctx_in = &in;
	o.ctx_size_in = sizeof(in);
	o.ctx_out = &out;
	o.ctx_size_out = sizeof(out);
	CHECK(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "xdp_ifindex"), &o) == 0 &&
	      o.retval == 1 && out.ingress_ifindex == 0);
	in.ingress_ifindex = 5;
	o.ctx_in = &in;
	CHECK(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "xdp_ifindex"), &o) == 0 &&
	      o.retval == 5 && out.ingress_ifindex == 5);
out:
	release(&b);
}

/* cgroup/connect4: rewrite the destination port; ctx_out shows it. */
static void test_sock_addr(void)
{
	struct built b = { 0 };
	struct bpfh_test_run_opts o;
	struct bpfh_sock_addr in, out;

	if (add_prog(&b, "connect4", BPFH_PROG_TYPE_CGROUP_SOCK_ADDR,
		     "ldxw %r2, [%r1+24]\n"      /* user_port */
		     "jne %r2, 0x5000, keep\n"   /* htons(80) */
		     "stw [%r1+24], 0x901f\n"    /* htons(8080) */
		     "keep:\n"
		     "mov %r0, 1\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	memset(&in, 0, sizeof(in));
	in.user_family = 2;
	in.user_port = 0x5000;
	o = topts();
	o.ctx_in = &in;
	o.ctx_size_in = sizeof(in);
	o.ctx_out = &out;
	o.ctx_size_out = sizeof(out);
	CHECKF(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "connect4"), &o) == 0, "%s", logbuf);
	CHECK(o.retval == 1 && out.user_port == 0x901f && o.ctx_size_out == sizeof(out));
out:
	release(&b);
}

/* The bind hook: deny port 80 for an application whose id starts with '/'. */
static void test_bind(void)
{
	static const char app[] = "/usr/bin/app";
	struct built b = { 0 };
	struct bpfh_test_run_opts o;
	struct bpfh_bind_md md;

	if (add_prog(&b, "bind", BPFH_PROG_TYPE_BIND,
		     "ldxdw %r2, [%r1]\n"        /* app_id_start */
		     "ldxdw %r3, [%r1+8]\n"      /* app_id_end */
		     "jge %r2, %r3, permit\n"
		     "ldxb %r4, [%r2]\n"
		     "jne %r4, 0x2f, permit\n"
		     "ldxh %r5, [%r1+26]\n"      /* sin_port in socket_address */
		     "jne %r5, 0x5000, permit\n"
		     "mov %r0, 1\n"              /* BIND_DENY */
		     "exit\n"
		     "permit:\n"
		     "mov %r0, 0\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	memset(&md, 0, sizeof(md));
	md.socket_address[0] = 2; /* AF_INET, as a sockaddr_in */
	md.socket_address[2] = 0x00;
	md.socket_address[3] = 0x50;
	md.socket_address_length = 16;
	md.protocol = 6;
	o = topts();
	o.ctx_in = &md;
	o.ctx_size_in = sizeof(md);
	o.data_in = app;
	o.data_size_in = sizeof(app) - 1;
	CHECKF(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "bind"), &o) == 0, "%s", logbuf);
	CHECK(o.retval == BPFH_BIND_DENY);
	md.socket_address[3] = 0x51;
	o = topts();
	o.ctx_in = &md;
	o.ctx_size_in = sizeof(md);
	o.data_in = app;
	o.data_size_in = sizeof(app) - 1;
	CHECK(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "bind"), &o) == 0 &&
	      o.retval == BPFH_BIND_PERMIT_SOFT);
out:
	release(&b);
}

/* A helper bpfhost lacks fails the load, naming it; an unknown id too. */
static void test_unknown_helper(void)
{
	struct built b = { 0 };

	if (add_prog(&b, "p", BPFH_PROG_TYPE_MEMORY, "call 9\nexit\n"))
		return;
	CHECK(instantiate(&b) == -ENOTSUP);
	CHECKF(strstr(logbuf, "helper bpf_skb_store_bytes (id 9) is not supported"), "%s", logbuf);
	release(&b);
	if (add_prog(&b, "p", BPFH_PROG_TYPE_MEMORY, "call 9999\nexit\n"))
		return;
	CHECK(instantiate(&b) == -ENOTSUP);
	CHECKF(strstr(logbuf, "(id 9999) is not supported"), "%s", logbuf);
	release(&b);
}

/* The XDP port reuses its frame across packets and reports verdicts. */
static void test_xdp_port(void)
{
	struct built b = { 0 };
	struct bpfh_xdp_port *port = NULL;
	struct bpfh_xdp_result res;
	unsigned i;

	if (add_prog(&b, "xdp_len", BPFH_PROG_TYPE_XDP,
		     "ldxw %r2, [%r1]\n"
		     "ldxw %r3, [%r1+4]\n"
		     "sub %r3, %r2\n"
		     "mov %r0, 2\n"
		     "jgt %r3, 30, +1\n"
		     "mov %r0, 1\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	if (!CHECK(bpfh_xdp_port_create(bpfh_instance_prog(b.inst, "xdp_len"), 2048, NULL, NULL,
					&port) == 0))
		goto out;
	for (i = 0; i < 3; i++) {
		CHECK(bpfh_xdp_port_run(port, ipv4_udp, sizeof(ipv4_udp), 1, &log_, &res) == 0 &&
		      res.verdict == BPFH_XDP_ACTION_PASS && res.len == sizeof(ipv4_udp) &&
		      !memcmp(res.data, ipv4_udp, res.len));
		CHECK(bpfh_xdp_port_run(port, ipv4_udp, 20, 1, &log_, &res) == 0 &&
		      res.verdict == BPFH_XDP_ACTION_DROP);
	}
	CHECK(bpfh_xdp_port_run(port, ipv4_udp, 4000, 1, &log_, &res) == -EINVAL);
	bpfh_xdp_port_destroy(port);
out:
	release(&b);
}

/* bpf_for_each_map_elem whose callback deletes some of the elements it is given (expiry):
 * every element is visited once, none twice (the next key is taken before the callback). */
static void test_for_each_delete(void)
{
	struct built b = { 0 };
	struct bpfh_test_run_opts o;
	struct bpfh_map *m;
	uint32_t k, left = 0;
	uint64_t v = 0;

	add_map(&b, "table", BPFH_MAP_TYPE_HASH, 4, 8, 16, BPFH_F_ZERO_SEED);
	if (add_prog(&b, "expire", BPFH_PROG_TYPE_MEMORY,
		     "lddw %r1, map_idx 0\n"
		     "lddw %r2, func cb\n"
		     "mov %r3, 0\n"
		     "mov %r4, 0\n"
		     "call 164\n"                /* bpf_for_each_map_elem(&table, cb, NULL, 0) */
		     "exit\n"
		     "cb:\n"
		     "ldxw %r5, [%r2]\n"
		     "and %r5, 1\n"
		     "jne %r5, 0, keep\n"
		     "call 3\n"                  /* bpf_map_delete_elem(map, key): even keys */
		     "keep:\n"
		     "mov %r0, 0\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	m = bpfh_instance_map(b.inst, "table");
	for (k = 0; k < 8; k++)
		CHECK(bpfh_map_update(m, &k, &v, BPFH_ANY) == 0);
	o = topts();
	CHECKF(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "expire"), &o) == 0, "%s", logbuf);
	CHECKF(o.retval == 8, "visited %u", o.retval);
	for (k = 0; k < 8; k++)
		left += bpfh_map_lookup(m, &k, &v) == 0 ? (k & 1 ? 1 : 100) : 0;
	CHECKF(left == 4, "left %u", left);
out:
	release(&b);
}

/* A perf event array without max_entries gets one slot per CPU, as libbpf sizes it. */
static void test_perf_array_size(void)
{
	struct built b = { 0 };
	struct bpfh_map *m;

	add_map(&b, "events", BPFH_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0, 0);
	if (add_prog(&b, "p", BPFH_PROG_TYPE_MEMORY, "mov %r0, 0\nexit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	m = bpfh_instance_map(b.inst, "events");
	CHECK(m && bpfh_map_def(m)->max_entries == bpfh_cpu_possible());
out:
	release(&b);
}

/* The bind hook's application id ends with a NUL at app_id_end, so string reads stop there. */
static void test_bind_app_id_nul(void)
{
	static const char app[] = "/usr/bin/appXXXX";
	struct built b = { 0 };
	struct bpfh_test_run_opts o;
	struct bpfh_bind_md md;
	int i;

	/* r0 = 1 when the read stopped at the NUL after the id (its length + 1), else 0: bind
	 * verdicts are 0..3. */
	if (add_prog(&b, "bind", BPFH_PROG_TYPE_BIND,
		     "ldxdw %r6, [%r1+8]\n"     /* app_id_end */
		     "ldxdw %r3, [%r1]\n"       /* app_id_start */
		     "sub %r6, %r3\n"
		     "add %r6, 1\n"
		     "mov %r1, %r10\n"
		     "add %r1, -32\n"
		     "mov %r2, 32\n"
		     "call 115\n"               /* bpf_probe_read_kernel_str(buf, 32, app) */
		     "jne %r0, %r6, short\n"
		     "mov %r0, 1\n"
		     "exit\n"
		     "short:\n"
		     "mov %r0, 0\n"
		     "exit\n"))
		return;
	if (!CHECKF(instantiate(&b) == 0, "%s", logbuf))
		goto out;
	memset(&md, 0, sizeof(md));
	for (i = 12; i > 0; i -= 4) {
		o = topts();
		o.ctx_in = &md;
		o.ctx_size_in = sizeof(md);
		o.data_in = app;
		o.data_size_in = (uint32_t)i; /* a prefix: what follows it in app is not a NUL */
		CHECKF(bpfh_prog_test_run(bpfh_instance_prog(b.inst, "bind"), &o) == 0, "%s",
		       logbuf);
		CHECKF(o.retval == 1, "%d bytes of id not read as %d with the NUL", i, i + 1);
	}
out:
	release(&b);
}

/* The JIT where this host has one (x86-64, not Windows): a one-instruction program prepares. */
static int jit_available(void)
{
	static const struct bpfh_insn prog[2] = { { 0xb7, 0, 0, 0, 0 }, { 0x95, 0, 0, 0, 0 } };
	struct bpfh_exec *exec = NULL;
	int ok = bpfh_exec_create(BPFH_ENGINE_JIT, prog, 2, &unverified, NULL, &exec) == 0;

	bpfh_exec_destroy(exec);
	return ok;
}

int main(void)
{
	size_t e;

	for (e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
		engine = engines[e];
		if (engine == BPFH_ENGINE_JIT && !jit_available()) {
			printf("# ctx-testrun: the JIT is not available on this host, skipped\n");
			continue;
		}
		test_xdp_map_count();
		test_xdp_adjust();
		test_data_trace_loop();
		test_tail_call();
	test_unverified_refused();
		test_socket_filter();
		test_skb_linux_details();
		test_xdp_ingress_ifindex();
		test_sock_addr();
		test_bind();
		test_unknown_helper();
		test_xdp_port();
		test_for_each_delete();
		test_perf_array_size();
		test_bind_app_id_nul();
	}
	return check_summary("ctx-testrun");
}
