// SPDX-License-Identifier: MIT
/*
 * The example programs (examples/NAME.bpf.c, built by clang into $BUILD/examples/), end to end:
 * each object is opened with bpfh_object_open_file, instantiated on both interpreters, its
 * maps and global variables filled from user space where the program needs it, and its
 * programs test-run on crafted packets and contexts. The checks are on what the programs do:
 * verdicts, the packets they write (rewritten headers, encapsulation, checksums, metadata),
 * the contexts they rewrite, map contents (per-CPU values, LRU, queues and stacks, bloom
 * filters, maps of maps, prog arrays), global variables, trace output and ring buffer and perf
 * event records. A first pass checks that the examples together use every map type and every
 * helper bpfhost implements, legacy and BTF maps, .data, .rodata and .bss, subprograms, prog
 * array and map-in-map initial values, and CO-RE relocations.
 *
 * The objects are found in $BUILD/examples (BUILD defaults to "build"); without them (no
 * clang) the test says so and skips. Prints "examples: N passed, N failed".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <pthread.h>
#include <unistd.h>

#include "bpfhost/btf.h"
#include "bpfhost/contexts.h"
#include "bpfhost/helpers.h"
#include "bpfhost/map.h"
#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "bpfhost/xdp.h"
#include "../check.h"

/* ---- the run's state ---- */

/* Arbitrary code, run knowingly unverified (see bpfh_exec_opts.verdict). */
static const struct bpfh_exec_opts unverified = { .sz = sizeof(unverified),
						  .verdict = BPFH_EXEC_UNVERIFIED };

static const char *build_dir;
static enum bpfh_engine engine;
static char logbuf[16384];
static struct bpfh_log log_;
static char where[160]; /* "example (engine)", in every failure message */

#define ECHECK(cond) CHECKF(cond, "%s", where)
#define ECHECKF(cond, fmt, ...) CHECKF(cond, "%s: " fmt, where, __VA_ARGS__)

struct ex {
	const char *name;
	struct bpfh_object *obj;
	struct bpfh_instance *inst;
};

static void ex_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/examples/%s.bpf.o", build_dir, name);
}

/* Open and instantiate an example on the current engine; 0 or -1 (with a failed check). */
static int ex_open(struct ex *e, const char *name)
{
	struct bpfh_load_opts lo = { .sz = sizeof(lo), .engine = engine };
	char path[512];
	int err;

	memset(e, 0, sizeof(*e));
	e->name = name;
	snprintf(where, sizeof(where), "%s (%s)", name, bpfh_engine_name(engine));
	ex_path(path, sizeof(path), name);
	bpfh_log_init(&log_, logbuf, sizeof(logbuf));
	err = bpfh_object_open_file(path, &log_, &e->obj);
	if (!ECHECKF(err == 0, "open: %d: %s", err, logbuf))
		return -1;
	bpfh_log_init(&log_, logbuf, sizeof(logbuf));
	err = bpfh_instance_create(e->obj, &lo, &log_, &e->inst);
	if (!ECHECKF(err == 0, "instantiate: %d: %s", err, logbuf)) {
		bpfh_object_destroy(e->obj);
		e->obj = NULL;
		return -1;
	}
	return 0;
}

static void ex_close(struct ex *e)
{
	bpfh_instance_destroy(e->inst);
	bpfh_object_destroy(e->obj);
	memset(e, 0, sizeof(*e));
}

static struct bpfh_prog *prog_of(struct ex *e, const char *name)
{
	struct bpfh_prog *p = bpfh_instance_prog(e->inst, name);

	ECHECKF(p != NULL, "no program %s", name);
	return p;
}

static struct bpfh_map *map_of(struct ex *e, const char *name, uint32_t key_size,
			       uint32_t value_size)
{
	struct bpfh_map *m = bpfh_instance_map(e->inst, name);

	if (!ECHECKF(m != NULL, "no map %s", name))
		return NULL;
	if (!ECHECKF(bpfh_map_def(m)->key_size == key_size &&
		     bpfh_map_def(m)->value_size == value_size,
		     "map %s: key %u value %u, the test expects %u and %u", name,
		     bpfh_map_def(m)->key_size, bpfh_map_def(m)->value_size, key_size, value_size))
		return NULL;
	return m;
}

/*
 * A global variable of the program, found by name in the BTF of its data section (.data,
 * .rodata, .bss), as a pointer into the live map value: what a libbpf skeleton gives. The
 * test writes .rodata through it before running, as a loader sets configuration.
 */
static void *gvar(struct ex *e, const char *sec, const char *name, size_t size)
{
	struct bpfh_btf *btf = e->obj->btf;
	struct bpfh_map *map = bpfh_instance_map(e->inst, sec);
	struct bpfh_btf_var_secinfo vs;
	const struct bpfh_btf_type *t;
	uint32_t zero = 0, i;
	int64_t id;
	uint8_t *base;

	if (!ECHECKF(btf && map, "no BTF or no map %s for %s", sec, name))
		return NULL;
	id = bpfh_btf_find(btf, sec, BPFH_BTF_KIND_DATASEC);
	t = id > 0 ? bpfh_btf_type_by_id(btf, (uint32_t)id) : NULL;
	base = bpfh_map_lookup_ptr(map, &zero);
	if (!ECHECKF(t && base, "no DATASEC %s", sec))
		return NULL;
	for (i = 0; i < t->vlen; i++) {
		const struct bpfh_btf_type *v;

		if (bpfh_btf_datasec_var(btf, (uint32_t)id, i, &vs))
			continue;
		v = bpfh_btf_type_by_id(btf, vs.type);
		if (v && !strcmp(v->name, name)) {
			if (!ECHECKF(vs.size == size, "%s is %u bytes, the test expects %zu", name,
				     vs.size, size))
				return NULL;
			return base + vs.offset;
		}
	}
	ECHECKF(0, "no variable %s in %s", name, sec);
	return NULL;
}

static uint64_t gvar_u64(struct ex *e, const char *sec, const char *name)
{
	uint64_t v = ~0ull, *p = gvar(e, sec, name, sizeof(v));

	if (p)
		memcpy(&v, p, sizeof(v));
	return v;
}

static void set_gvar(struct ex *e, const char *sec, const char *name, const void *v, size_t size)
{
	void *p = gvar(e, sec, name, size);

	if (p)
		memcpy(p, v, size);
}

static void set_u32(struct ex *e, const char *name, uint32_t v)
{
	set_gvar(e, ".rodata", name, &v, sizeof(v));
}

static void set_u64(struct ex *e, const char *name, uint64_t v)
{
	set_gvar(e, ".rodata", name, &v, sizeof(v));
}

/* ---- trace output ---- */

#define MAX_TRACES 16
static char traces[MAX_TRACES][256];
static unsigned ntraces;

static void on_trace(void *arg, const char *text, size_t len)
{
	(void)arg;
	if (ntraces < MAX_TRACES)
		snprintf(traces[ntraces++], sizeof(traces[0]), "%.*s", (int)len, text);
}

/* ---- test runs ---- */

static uint8_t outbuf[4096];

static void opts_init(struct bpfh_test_run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	bpfh_log_init(&log_, logbuf, sizeof(logbuf));
	o->log = &log_;
	o->insn_limit = 1000000;
	o->trace = on_trace;
	ntraces = 0;
}

/* Run prog with o (data_in etc. set by the caller); the retval, or -1 after a failed check. */
static int64_t run(struct bpfh_prog *prog, struct bpfh_test_run_opts *o)
{
	int err;

	if (!prog)
		return -1;
	if (o->data_in && !o->data_out) {
		o->data_out = outbuf;
		o->data_size_out = sizeof(outbuf);
	}
	err = bpfh_prog_test_run(prog, o);
	if (!ECHECKF(err == 0, "test run of %s: %d: %s", bpfh_prog_name(prog), err, logbuf))
		return -1;
	return o->retval;
}

/* ---- packets ---- */

struct pb {
	uint8_t b[2048];
	size_t len;
	size_t l3, l4;     /* offsets of the IP and transport headers */
	int ipver;         /* 4, 6 or 0 */
	uint8_t l4proto;
};

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t mac_c[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t mac_d[6] = { 0x02, 0, 0, 0, 0, 0x0d };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

enum { TH_FIN = 1, TH_SYN = 2, TH_RST = 4, TH_PSH = 8, TH_ACK = 16 };

static void put(struct pb *p, const void *d, size_t n)
{
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void put8(struct pb *p, uint8_t v)
{
	p->b[p->len++] = v;
}

static void put16(struct pb *p, uint16_t v)
{
	put8(p, (uint8_t)(v >> 8));
	put8(p, (uint8_t)v);
}

static void put32(struct pb *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p, (uint16_t)v);
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void set16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* A value as the program sees it in network byte order, loaded by this (any-endian) host. */
static uint32_t net32(uint32_t host)
{
	uint8_t b[4] = { (uint8_t)(host >> 24), (uint8_t)(host >> 16), (uint8_t)(host >> 8),
			 (uint8_t)host };
	uint32_t v;

	memcpy(&v, b, 4);
	return v;
}

static uint16_t net16(uint16_t host)
{
	uint8_t b[2] = { (uint8_t)(host >> 8), (uint8_t)host };
	uint16_t v;

	memcpy(&v, b, 2);
	return v;
}

static void pb_eth(struct pb *p, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memset(p, 0, sizeof(*p));
	put(p, dst, 6);
	put(p, src, 6);
	put16(p, type);
}

static void pb_vlan(struct pb *p, uint16_t vid, uint16_t next)
{
	put16(p, vid);
	put16(p, next);
}

static void pb_ip4(struct pb *p, uint8_t proto, uint32_t s, uint32_t d, uint8_t ttl, uint8_t tos)
{
	p->l3 = p->len;
	p->ipver = 4;
	p->l4proto = proto;
	put8(p, 0x45);
	put8(p, tos);
	put16(p, 0);      /* tot_len, at finish */
	put16(p, 0x1234); /* id */
	put16(p, 0x4000); /* DF */
	put8(p, ttl);
	put8(p, proto);
	put16(p, 0);      /* check, at finish */
	put32(p, s);
	put32(p, d);
}

static void pb_ip6(struct pb *p, uint8_t nexthdr, uint8_t hop, uint8_t tclass)
{
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

	p->l3 = p->len;
	p->ipver = 6;
	put32(p, 6u << 28 | (uint32_t)tclass << 20);
	put16(p, 0); /* payload length, at finish */
	put8(p, nexthdr);
	put8(p, hop);
	put(p, src, 16);
	put(p, dst, 16);
}

/* An IPv6 extension header of (len8 + 1) * 8 bytes. */
static void pb_ext6(struct pb *p, uint8_t next, uint8_t len8)
{
	size_t i;

	put8(p, next);
	put8(p, len8);
	for (i = 2; i < (size_t)(len8 + 1) * 8; i++)
		put8(p, 0);
}

static void pb_tcp(struct pb *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	p->l4 = p->len;
	p->l4proto = 6;
	put16(p, sport);
	put16(p, dport);
	put32(p, 1000); /* seq */
	put32(p, (flags & TH_ACK) ? 2000 : 0);
	put8(p, 5 << 4);
	put8(p, flags);
	put16(p, 65535); /* window */
	put16(p, 0);     /* check */
	put16(p, 0);     /* urgent */
}

static void pb_udp(struct pb *p, uint16_t sport, uint16_t dport)
{
	p->l4 = p->len;
	p->l4proto = 17;
	put16(p, sport);
	put16(p, dport);
	put16(p, 0);
	put16(p, 0);
}

static void pb_icmp_echo(struct pb *p)
{
	p->l4 = p->len;
	p->l4proto = 1;
	put32(p, 0x08000000);
	put32(p, 0x00010001);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold16(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum of the transport pseudo-header for the packet at b (IP header at l3). */
static uint32_t pseudo_sum(const uint8_t *b, size_t l3, int ipver, uint8_t proto, size_t l4len)
{
	uint32_t sum = 0;

	if (ipver == 4)
		sum = csum_add(sum, b + l3 + 12, 8);
	else
		sum = csum_add(sum, b + l3 + 8, 32);
	return sum + proto + (uint32_t)l4len;
}

/* Lengths and checksums (IPv4 header, TCP, UDP, ICMP). */
static void pb_finish(struct pb *p)
{
	uint8_t *ip = p->b + p->l3, *l4 = p->b + p->l4;
	size_t l4len = p->len - p->l4;
	uint16_t c;

	if (p->ipver == 4) {
		set16(ip + 2, (uint16_t)(p->len - p->l3));
		set16(ip + 10, csum_fold16(csum_add(0, ip, 20)));
	} else if (p->ipver == 6) {
		set16(ip + 4, (uint16_t)(p->len - p->l3 - 40));
	}
	if (!p->l4)
		return;
	if (p->l4proto == 17) {
		set16(l4 + 4, (uint16_t)l4len);
		c = csum_fold16(csum_add(pseudo_sum(p->b, p->l3, p->ipver, 17, l4len), l4, l4len));
		set16(l4 + 6, c ? c : 0xffff);
	} else if (p->l4proto == 6) {
		set16(l4 + 16, csum_fold16(csum_add(pseudo_sum(p->b, p->l3, p->ipver, 6, l4len),
						    l4, l4len)));
	} else if (p->l4proto == 1) {
		set16(l4 + 2, csum_fold16(csum_add(0, l4, l4len)));
	}
}

static void mk_tcp4(struct pb *p, uint32_t s, uint16_t sport, uint32_t d, uint16_t dport,
		    uint8_t flags)
{
	pb_eth(p, mac_b, mac_a, 0x0800);
	pb_ip4(p, 6, s, d, 64, 0);
	pb_tcp(p, sport, dport, flags);
	pb_finish(p);
}

static void mk_udp4(struct pb *p, uint32_t s, uint16_t sport, uint32_t d, uint16_t dport,
		    const void *payload, size_t plen)
{
	pb_eth(p, mac_b, mac_a, 0x0800);
	pb_ip4(p, 17, s, d, 64, 0);
	pb_udp(p, sport, dport);
	if (plen)
		put(p, payload, plen);
	pb_finish(p);
}

static void mk_arp(struct pb *p, const uint8_t *src)
{
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };

	pb_eth(p, mac_bcast, src, 0x0806);
	put(p, arp, sizeof(arp));
}

/* Checksums of a packet as it left a program: IPv4 header and TCP/UDP over the pseudo-header
 * (UDP checksum 0 means none). */
static int ip4_csum_ok(const uint8_t *b, size_t l3)
{
	return csum_fold16(csum_add(0, b + l3, (size_t)(b[l3] & 0xf) * 4)) == 0;
}

static int l4_csum_ok(const uint8_t *b, size_t len, size_t l3)
{
	size_t l4 = l3 + (size_t)(b[l3] & 0xf) * 4, l4len = len - l4;
	uint8_t proto = b[l3 + 9];

	if (proto == 17 && get16(b + l4 + 6) == 0)
		return 1;
	return csum_fold16(csum_add(pseudo_sum(b, l3, 4, proto, l4len), b + l4, l4len)) == 0;
}

static int64_t run_pkt_cpu(struct bpfh_prog *prog, const struct pb *p, uint32_t cpu,
			   struct bpfh_test_run_opts *o)
{
	opts_init(o);
	o->data_in = p->b;
	o->data_size_in = (uint32_t)p->len;
	o->cpu = cpu;
	return run(prog, o);
}

static int64_t run_pkt(struct bpfh_prog *prog, const struct pb *p, struct bpfh_test_run_opts *o)
{
	return run_pkt_cpu(prog, p, 0, o);
}

/* XDP with an ingress interface (an xdp_md in ctx_in, as BPF_PROG_TEST_RUN takes it). */
static int64_t run_xdp_if(struct bpfh_prog *prog, const struct pb *p, uint32_t ifindex,
			  uint32_t cpu, struct bpfh_test_run_opts *o)
{
	static struct bpfh_xdp_md md;

	memset(&md, 0, sizeof(md));
	md.data_end = (uint32_t)p->len;
	md.ingress_ifindex = ifindex;
	opts_init(o);
	o->data_in = p->b;
	o->data_size_in = (uint32_t)p->len;
	o->ctx_in = &md;
	o->ctx_size_in = sizeof(md);
	o->cpu = cpu;
	return run(prog, o);
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "examples: out of memory\n");
		exit(2);
	}
	return p;
}

/* The user-side value of a per-CPU map for one CPU (values of 8 bytes or a multiple). */
static int percpu_get(struct bpfh_map *m, const void *key, unsigned cpu, void *out)
{
	size_t vs = bpfh_map_def(m)->value_size, stride = (vs + 7) & ~(size_t)7;
	uint8_t *all = xmalloc(bpfh_map_user_value_size(m));
	int err = bpfh_map_lookup(m, key, all);

	if (!err)
		memcpy(out, all + stride * cpu, vs);
	free(all);
	return err;
}

static uint64_t u64_at(struct bpfh_map *m, uint32_t key)
{
	uint64_t v = ~0ull;

	if (bpfh_map_lookup(m, &key, &v))
		return ~0ull;
	return v;
}

static uint32_t my_comm(char comm[16])
{
	FILE *f = fopen("/proc/self/comm", "r");
	size_t n = 0;

	memset(comm, 0, 16);
	if (f) {
		n = fread(comm, 1, 15, f);
		fclose(f);
	}
	while (n && (comm[n - 1] == '\n' || comm[n - 1] == '\0'))
		comm[--n] = '\0';
	return (uint32_t)n;
}

/* ---- xdp_firewall: LPM block list, per-CPU verdict counters ---- */

static void test_xdp_firewall(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_firewall");
	struct bpfh_map *bl = map_of(e, "blocklist", 8, 4);
	struct bpfh_map *cnt = map_of(e, "counters", 4, 8);
	struct bpfh_test_run_opts o;
	struct { uint32_t prefixlen, addr; } key = { 24, net32(IP4(10, 1, 2, 0)) };
	uint32_t one = 1, k;
	uint64_t v;
	struct pb p;

	if (!prog || !bl || !cnt)
		return;
	ECHECK(bpfh_map_update(bl, &key, &one, BPFH_ANY) == 0);
	mk_udp4(&p, IP4(10, 1, 2, 3), 1000, IP4(10, 0, 0, 1), 53, NULL, 0);
	ECHECK(run_pkt(prog, &p, &o) == 1 /* DROP */);
	mk_udp4(&p, IP4(10, 1, 3, 3), 1000, IP4(10, 0, 0, 1), 53, NULL, 0);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	ECHECK(o.data_size_out == p.len && !memcmp(outbuf, p.b, p.len));
	/* on CPU 1: a second /16 prefix, non-IP and a truncated IPv4 header */
	key.prefixlen = 16;
	key.addr = net32(IP4(172, 16, 0, 0));
	ECHECK(bpfh_map_update(bl, &key, &one, BPFH_ANY) == 0);
	mk_tcp4(&p, IP4(172, 16, 200, 9), 1, IP4(10, 0, 0, 1), 80, TH_SYN);
	ECHECK(run_pkt_cpu(prog, &p, 1, &o) == 1);
	mk_arp(&p, mac_a);
	ECHECK(run_pkt_cpu(prog, &p, 1, &o) == 2);
	p.len = 14 + 10;
	p.b[12] = 0x08;
	p.b[13] = 0x00;
	ECHECK(run_pkt_cpu(prog, &p, 1, &o) == 1);
	/* counters: PASS 0, DROP 1, NOT_IP 2, MALFORMED 3; CPU 0 then CPU 1 */
	k = 0;
	ECHECK(percpu_get(cnt, &k, 0, &v) == 0 && v == 1);
	k = 1;
	ECHECK(percpu_get(cnt, &k, 0, &v) == 0 && v == 1);
	ECHECK(percpu_get(cnt, &k, 1, &v) == 0 && v == 1);
	k = 2;
	ECHECK(percpu_get(cnt, &k, 1, &v) == 0 && v == 1);
	ECHECK(percpu_get(cnt, &k, 0, &v) == 0 && v == 0);
	k = 3;
	ECHECK(percpu_get(cnt, &k, 1, &v) == 0 && v == 1);
}

/* ---- xdp_lb: IP-in-IP to a backend by flow hash, DEVMAP redirect ---- */

struct lb_vip_key {
	uint32_t vip;
	uint16_t port;
	uint8_t proto, pad;
};

struct lb_backend {
	uint32_t ip;
	uint32_t tx_port;
	uint8_t mac[6];
	uint8_t pad[2];
	uint64_t packets;
};

static uint32_t rotl32(uint32_t x, int r)
{
	return x << r | x >> (32 - r);
}

static uint32_t hash_word(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

/* The program's flow hash, for predicting its choice. */
static uint32_t lb_flow_hash(uint32_t saddr, uint32_t daddr, uint32_t ports, uint32_t proto)
{
	uint32_t h = proto;

	h = hash_word(h, saddr);
	h = hash_word(h, daddr);
	h = hash_word(h, ports);
	h ^= 12;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static void test_xdp_lb(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_lb");
	struct bpfh_map *svc = map_of(e, "services", 8, 8);
	struct bpfh_map *be = map_of(e, "backends", 4, sizeof(struct lb_backend));
	struct bpfh_map *tx = map_of(e, "tx_ports", 4, 4);
	struct lb_vip_key vk = { net32(IP4(10, 0, 0, 100)), net16(80), 6, 0 };
	uint32_t meta[2] = { 10, 2 }, k, ifx, hits[2] = { 0, 0 };
	struct lb_backend b[2], got;
	struct bpfh_test_run_opts o;
	struct bpfh_xdp_port *port = NULL;
	struct bpfh_xdp_result res;
	const struct bpfh_obj_prog *op;
	struct pb p;
	unsigned i;

	if (!prog || !svc || !be || !tx)
		return;
	/* The program's image holds its global subprogram, called, not inlined. */
	op = bpfh_object_find_prog(e->obj, "xdp_lb");
	ECHECK(op && op->nfuncs == 2 && !strcmp(op->funcs[1].name, "flow_hash"));

	set_u32(e, "lb_src_ip", net32(IP4(10, 0, 0, 254)));
	ECHECK(bpfh_map_update(svc, &vk, meta, BPFH_ANY) == 0);
	memset(b, 0, sizeof(b));
	for (i = 0; i < 2; i++) {
		b[i].ip = net32(IP4(10, 1, 0, 1 + i));
		b[i].tx_port = i;
		memcpy(b[i].mac, i ? mac_d : mac_c, 6);
		k = 10 + i;
		ECHECK(bpfh_map_update(be, &k, &b[i], BPFH_ANY) == 0);
		ifx = 5 + i;
		ECHECK(bpfh_map_update(tx, &i, &ifx, BPFH_ANY) == 0);
	}

	/* 16 flows: each goes to the backend the hash says, encapsulated. */
	for (i = 0; i < 16; i++) {
		uint16_t sport = (uint16_t)(40000 + i * 7);
		uint32_t want = lb_flow_hash(net32(IP4(192, 168, 1, 10)), vk.vip,
					     (uint32_t)net16(sport) << 16 | net16(80), 6) % 2;
		const uint8_t *out = outbuf;

		mk_tcp4(&p, IP4(192, 168, 1, 10), sport, IP4(10, 0, 0, 100), 80, TH_SYN);
		if (!ECHECK(run_pkt(prog, &p, &o) == 4 /* REDIRECT */))
			continue;
		hits[want]++;
		ECHECK(o.redirected && o.redirect_ifindex == 5 + want);
		ECHECK(o.data_size_out == p.len + 20);
		ECHECK(!memcmp(out, want ? mac_d : mac_c, 6) && !memcmp(out + 6, mac_b, 6));
		ECHECK(out[12] == 0x08 && out[13] == 0x00);
		ECHECK(out[14] == 0x45 && out[14 + 9] == 4 /* IPIP */ && out[14 + 8] == 64);
		ECHECK(get16(out + 14 + 2) == p.len - 14 + 20);
		ECHECK(get32(out + 14 + 12) == IP4(10, 0, 0, 254));
		ECHECK(get32(out + 14 + 16) == IP4(10, 1, 0, 1 + want));
		ECHECK(ip4_csum_ok(out, 14));
		ECHECK(!memcmp(out + 34, p.b + 14, p.len - 14)); /* the inner packet, intact */
	}
	ECHECKF(hits[0] + hits[1] == 16 && hits[0] && hits[1], "backend 0: %u, 1: %u", hits[0],
		hits[1]);
	k = 10;
	ECHECK(bpfh_map_lookup(be, &k, &got) == 0 && got.packets == hits[0]);

	/* the packet path reports where a redirect goes */
	if (ECHECK(bpfh_xdp_port_create(prog, 2048, NULL, NULL, &port) == 0)) {
		mk_tcp4(&p, IP4(192, 168, 1, 10), 40000, IP4(10, 0, 0, 100), 80, TH_SYN);
		ECHECK(bpfh_xdp_port_run(port, p.b, p.len, 1, &log_, &res) == 0 &&
		       res.verdict == 4 && res.redirected && res.len == p.len + 20 &&
		       res.redirect_ifindex == 5 + lb_flow_hash(net32(IP4(192, 168, 1, 10)), vk.vip,
								(uint32_t)net16(40000) << 16 |
								net16(80), 6) % 2);
		bpfh_xdp_port_destroy(port);
	}

	/* not a service: another port, UDP to the TCP service, non-IP */
	mk_tcp4(&p, IP4(192, 168, 1, 10), 40000, IP4(10, 0, 0, 100), 81, TH_SYN);
	ECHECK(run_pkt(prog, &p, &o) == 2 && !o.redirected && o.data_size_out == p.len &&
	       !memcmp(outbuf, p.b, p.len));
	mk_udp4(&p, IP4(192, 168, 1, 10), 40000, IP4(10, 0, 0, 100), 80, "x", 1);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	mk_arp(&p, mac_a);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	/* a backend whose tx port has no DEVMAP entry: the fallback verdict, DROP */
	for (i = 0; i < 2; i++) {
		b[i].tx_port = 9;
		k = 10 + i;
		ECHECK(bpfh_map_update(be, &k, &b[i], BPFH_ANY) == 0);
	}
	mk_tcp4(&p, IP4(192, 168, 1, 10), 40000, IP4(10, 0, 0, 100), 80, TH_SYN);
	ECHECK(run_pkt(prog, &p, &o) == 1 && !o.redirected);
}

/* ---- xdp_l2_bridge: MAC learning (LRU hash), DEVMAP_HASH and bpf_redirect ---- */

struct fdb_entry {
	uint32_t ifindex;
	uint32_t moves;
	uint64_t seen_ns;
};

static void mk_frame(struct pb *p, const uint8_t *dst, const uint8_t *src)
{
	pb_eth(p, dst, src, 0x0800);
	pb_ip4(p, 17, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 64, 0);
	pb_udp(p, 1, 2);
	pb_finish(p);
}

static void test_xdp_l2_bridge(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_bridge");
	struct bpfh_map *fdb = map_of(e, "fdb", 6, sizeof(struct fdb_entry));
	struct bpfh_map *ports = map_of(e, "ports", 4, 4);
	struct bpfh_test_run_opts o;
	struct fdb_entry fe;
	uint32_t i;
	struct pb p;

	if (!prog || !fdb || !ports)
		return;
	/* 2 s: an entry seen at time 1 (below) is older than that on any running system */
	set_u64(e, "ageing_ns", 2000000000ull);
	for (i = 2; i <= 3; i++)
		ECHECK(bpfh_map_update(ports, &i, &i, BPFH_ANY) == 0);
	/* A on port 2 broadcasts: learned, to the stack */
	mk_frame(&p, mac_bcast, mac_a);
	ECHECK(run_xdp_if(prog, &p, 2, 0, &o) == 2 && !o.redirected);
	ECHECK(bpfh_map_lookup(fdb, mac_a, &fe) == 0 && fe.ifindex == 2 && fe.moves == 0 &&
	       fe.seen_ns > 0);
	/* B on port 3 to A: out of port 2; B learned */
	mk_frame(&p, mac_a, mac_b);
	ECHECK(run_xdp_if(prog, &p, 3, 0, &o) == 4 && o.redirected && o.redirect_ifindex == 2);
	ECHECK(o.data_size_out == p.len && !memcmp(outbuf, p.b, p.len));
	ECHECK(bpfh_map_lookup(fdb, mac_b, &fe) == 0 && fe.ifindex == 3);
	/* A to B: out of port 3 */
	mk_frame(&p, mac_b, mac_a);
	ECHECK(run_xdp_if(prog, &p, 2, 0, &o) == 4 && o.redirect_ifindex == 3);
	/* C on port 2 to A, also on port 2: dropped (same segment) */
	mk_frame(&p, mac_a, mac_c);
	ECHECK(run_xdp_if(prog, &p, 2, 0, &o) == 1);
	/* unknown destination, no uplink: to the stack; with an uplink: bpf_redirect */
	mk_frame(&p, mac_d, mac_a);
	ECHECK(run_xdp_if(prog, &p, 2, 0, &o) == 2 && !o.redirected);
	set_u32(e, "uplink_ifindex", 9);
	ECHECK(run_xdp_if(prog, &p, 2, 0, &o) == 4 && o.redirected && o.redirect_ifindex == 9);
	/* ... but never back out of the uplink itself */
	ECHECK(run_xdp_if(prog, &p, 9, 0, &o) == 2 && !o.redirected);
	/* A moves to port 3 (its second move: it was heard on the uplink above) */
	mk_frame(&p, mac_bcast, mac_a);
	ECHECK(run_xdp_if(prog, &p, 3, 0, &o) == 2);
	ECHECK(bpfh_map_lookup(fdb, mac_a, &fe) == 0 && fe.ifindex == 3 && fe.moves == 2);
	/* an aged entry is not trusted: B to the uplink until heard again */
	ECHECK(bpfh_map_lookup(fdb, mac_b, &fe) == 0);
	fe.seen_ns = 1;
	ECHECK(bpfh_map_update(fdb, mac_b, &fe, BPFH_EXIST) == 0);
	mk_frame(&p, mac_b, mac_c);
	ECHECK(run_xdp_if(prog, &p, 2, 0, &o) == 4 && o.redirect_ifindex == 9);
	mk_frame(&p, mac_c, mac_b);
	ECHECK(run_xdp_if(prog, &p, 3, 0, &o) == 4 && o.redirect_ifindex == 2);
	mk_frame(&p, mac_b, mac_c);
	ECHECK(run_xdp_if(prog, &p, 2, 0, &o) == 4 && o.redirect_ifindex == 3);
	/* port 3 leaves the bridge: the DEVMAP_HASH lookup fails, fallback to the stack */
	i = 3;
	ECHECK(bpfh_map_delete(ports, &i) == 0);
	ECHECK(run_xdp_if(prog, &p, 2, 0, &o) == 2 && !o.redirected);
	/* multicast sources are not learned (C is on port 2 too: dropped) */
	mk_frame(&p, mac_c, mac_bcast);
	ECHECK(run_xdp_if(prog, &p, 2, 0, &o) == 1);
	ECHECK(bpfh_map_lookup(fdb, mac_bcast, &fe) == -ENOENT);
}

/* ---- tc_proto_count: per-CPU hash, bpf_map_lookup_percpu_elem, CO-RE context reads ---- */

struct proto_stats {
	uint64_t packets, bytes, hw_stamped;
};

static int64_t run_skb(struct bpfh_prog *prog, const struct pb *p, uint32_t cpu,
		       struct bpfh_sk_buff *ctx, struct bpfh_sk_buff *ctx_out,
		       struct bpfh_test_run_opts *o)
{
	opts_init(o);
	o->data_in = p->b;
	o->data_size_in = (uint32_t)p->len;
	o->cpu = cpu;
	if (ctx) {
		o->ctx_in = ctx;
		o->ctx_size_in = sizeof(*ctx);
	}
	if (ctx_out) {
		o->ctx_out = ctx_out;
		o->ctx_size_out = sizeof(*ctx_out);
	}
	return run(prog, o);
}

static void test_tc_proto_count(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "tc_proto_count");
	struct bpfh_map *m = map_of(e, "proto_stats", 4, sizeof(struct proto_stats));
	const struct bpfh_obj_prog *op = bpfh_object_find_prog(e->obj, "tc_proto_count");
	struct { uint16_t eth; uint8_t ip, pad; } key;
	struct bpfh_test_run_opts o;
	struct bpfh_sk_buff skb;
	struct proto_stats st;
	struct pb icmp, p;
	size_t i, byte_off = 0;

	if (!prog || !m || !op)
		return;
	/* The context reads are CO-RE relocations (kept by the loader, not applied: bpfhost's
	 * __sk_buff is Linux's, so the compiled offsets are already right). */
	ECHECKF(op->ncore_relos >= 5, "%zu CO-RE relocations", op->ncore_relos);
	for (i = 0; i < op->ncore_relos; i++)
		if (op->core_relos[i].kind == BPFH_CORE_FIELD_BYTE_OFFSET)
			byte_off++;
	ECHECK(byte_off >= 4);

	set_u32(e, "nr_cpus", 2);
	set_u64(e, "icmp_budget", 3);
	pb_eth(&icmp, mac_b, mac_a, 0x0800);
	pb_ip4(&icmp, 1, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 64, 0);
	pb_icmp_echo(&icmp);
	pb_finish(&icmp);
	/* the budget counts every CPU's packets: 2 on CPU 0, then 1 and 1 on CPU 1 */
	ECHECK(run_skb(prog, &icmp, 0, NULL, NULL, &o) == 0 /* TC_ACT_OK */);
	ECHECK(run_skb(prog, &icmp, 0, NULL, NULL, &o) == 0);
	ECHECK(run_skb(prog, &icmp, 1, NULL, NULL, &o) == 0);
	ECHECK(run_skb(prog, &icmp, 1, NULL, NULL, &o) == 2 /* TC_ACT_SHOT */);
	key.eth = 0x0800;
	key.ip = 1;
	key.pad = 0;
	ECHECK(percpu_get(m, &key, 0, &st) == 0 && st.packets == 2 &&
	       st.bytes == 2 * icmp.len && st.hw_stamped == 0);
	ECHECK(percpu_get(m, &key, 1, &st) == 0 && st.packets == 2 && st.bytes == 2 * icmp.len);
	ECHECK(percpu_get(m, &key, 2, &st) == 0 && st.packets == 0);

	/* UDP with a hardware timestamp in the context */
	mk_udp4(&p, IP4(10, 0, 0, 1), 5, IP4(10, 0, 0, 2), 6, "abc", 3);
	memset(&skb, 0, sizeof(skb));
	skb.hwtstamp = 123456789;
	ECHECK(run_skb(prog, &p, 0, &skb, NULL, &o) == 0);
	key.ip = 17;
	ECHECK(percpu_get(m, &key, 0, &st) == 0 && st.packets == 1 && st.bytes == p.len &&
	       st.hw_stamped == 1);
	/* IPv6 TCP and ARP */
	pb_eth(&p, mac_b, mac_a, 0x86dd);
	pb_ip6(&p, 6, 64, 0);
	pb_tcp(&p, 1, 2, TH_SYN);
	pb_finish(&p);
	ECHECK(run_skb(prog, &p, 3, NULL, NULL, &o) == 0);
	key.eth = 0x86dd;
	key.ip = 6;
	ECHECK(percpu_get(m, &key, 3, &st) == 0 && st.packets == 1 && st.bytes == p.len);
	mk_arp(&p, mac_a);
	ECHECK(run_skb(prog, &p, 0, NULL, NULL, &o) == 0);
	key.eth = 0x0806;
	key.ip = 0;
	ECHECK(percpu_get(m, &key, 0, &st) == 0 && st.packets == 1);
	/* ICMP on CPU 5, which nr_cpus (2) leaves out of the sum: 4 is within a budget of 4;
	 * once the sum covers 6 CPUs, the next one is over */
	set_u64(e, "icmp_budget", 4);
	ECHECK(run_skb(prog, &icmp, 5, NULL, NULL, &o) == 0);
	set_u32(e, "nr_cpus", 6);
	ECHECK(run_skb(prog, &icmp, 5, NULL, NULL, &o) == 2);
}

/* ---- sock_flow_tracker: LRU flows, per-CPU LRU per source, bpf_for_each_map_elem GC ---- */

struct flow_key {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t proto, pad[3];
};

struct flow_stats {
	uint64_t packets, bytes, first_ns, last_ns;
};

static void test_sock_flow_tracker(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "sock_flow_tracker");
	struct bpfh_map *flows = map_of(e, "flows", sizeof(struct flow_key),
					sizeof(struct flow_stats));
	struct bpfh_map *src = map_of(e, "src_bytes", 4, 8);
	struct flow_key k1, k2, stale;
	struct flow_stats st, st2;
	struct bpfh_test_run_opts o;
	struct pb tcp, udp, p;
	uint32_t saddr = net32(IP4(10, 9, 8, 7));
	uint64_t v;
	int i;

	if (!prog || !flows || !src)
		return;
	set_u32(e, "gc_every", 8);
	set_u64(e, "flow_timeout_ns", 2000000000ull); /* 2 s: idle since time 1 is older */
	/* a flow idle since (nearly) boot, which the collector must delete */
	memset(&stale, 0, sizeof(stale));
	stale.saddr = net32(IP4(10, 1, 1, 1));
	stale.proto = 6;
	memset(&st, 0, sizeof(st));
	st.packets = 1;
	st.first_ns = st.last_ns = 1;
	ECHECK(bpfh_map_update(flows, &stale, &st, BPFH_ANY) == 0);

	mk_tcp4(&tcp, IP4(10, 9, 8, 7), 33000, IP4(192, 0, 2, 80), 443, TH_ACK);
	mk_udp4(&udp, IP4(10, 9, 8, 7), 5353, IP4(224, 0, 0, 251), 5353, "query", 5);
	for (i = 0; i < 3; i++)
		ECHECK(run_pkt_cpu(prog, &tcp, 0, &o) == (int64_t)tcp.len - 14); /* keep it all */
	ECHECK(run_pkt_cpu(prog, &udp, 1, &o) == (int64_t)udp.len - 14);
	mk_arp(&p, mac_a);
	ECHECK(run_pkt(prog, &p, &o) == 0);

	memset(&k1, 0, sizeof(k1));
	k1.saddr = saddr;
	k1.daddr = net32(IP4(192, 0, 2, 80));
	k1.sport = 33000;
	k1.dport = 443;
	k1.proto = 6;
	k2 = k1;
	k2.daddr = net32(IP4(224, 0, 0, 251));
	k2.sport = k2.dport = 5353;
	k2.proto = 17;
	ECHECK(bpfh_map_lookup(flows, &k1, &st) == 0 && st.packets == 3 &&
	       st.bytes == 3 * (tcp.len - 14) && st.first_ns > 1 && st.last_ns >= st.first_ns);
	ECHECK(bpfh_map_lookup(flows, &k2, &st2) == 0 && st2.packets == 1 &&
	       st2.bytes == udp.len - 14 && st2.first_ns >= st.first_ns);
	/* bytes per source, per CPU */
	ECHECK(percpu_get(src, &saddr, 0, &v) == 0 && v == 3 * (tcp.len - 14));
	ECHECK(percpu_get(src, &saddr, 1, &v) == 0 && v == udp.len - 14);
	ECHECK(gvar_u64(e, ".bss", "packets_seen") == 4 && gvar_u64(e, ".bss", "gc_runs") == 0);

	/* the 8th packet runs the collector: 3 flows visited, the stale one deleted */
	for (i = 0; i < 4; i++)
		ECHECK(run_pkt(prog, &tcp, &o) == (int64_t)tcp.len - 14);
	ECHECK(gvar_u64(e, ".bss", "gc_runs") == 1);
	ECHECKF(gvar_u64(e, ".bss", "gc_visited") == 3, "visited %llu",
		(unsigned long long)gvar_u64(e, ".bss", "gc_visited"));
	ECHECK(gvar_u64(e, ".bss", "gc_deleted") == 1);
	ECHECK(bpfh_map_lookup(flows, &stale, &st) == -ENOENT);
	ECHECK(bpfh_map_lookup(flows, &k1, &st) == 0 && st.packets == 7);
	ECHECK(bpfh_map_lookup(flows, &k2, &st) == 0);
}

/* ---- xdp_rate_limit: token buckets under bpf_spin_lock, .rodata config, .bss totals ---- */

struct bucket {
	uint32_t lock, pad;
	uint64_t credit_ns, last_ns, dropped;
};

#define RL_REPEAT 20000

struct rl_thread {
	struct bpfh_prog *prog;
	const struct pb *p;
	unsigned cpu;
	int err;
};

static void *rl_worker(void *arg)
{
	struct rl_thread *t = arg;
	struct bpfh_test_run_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.data_in = t->p->b;
	o.data_size_in = (uint32_t)t->p->len;
	o.repeat = RL_REPEAT;
	o.cpu = t->cpu;
	t->err = bpfh_prog_test_run(t->prog, &o);
	return NULL;
}

static void test_xdp_rate_limit(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_rate_limit");
	struct bpfh_map *m = map_of(e, "buckets", 4, sizeof(struct bucket));
	struct rl_thread th[4];
	pthread_t tid[4];
	struct bpfh_test_run_opts o;
	struct bucket b;
	uint32_t src = net32(IP4(198, 51, 100, 7));
	uint64_t passed, dropped, t0, secs;
	struct pb p, q;
	int i, verdicts[8];

	if (!prog || !m)
		return;
	set_u64(e, "rate_pps", 1);
	set_u64(e, "burst", 5);
	/* a burst of 8 from one source: 5 pass, 3 are over */
	mk_udp4(&p, IP4(198, 51, 100, 7), 1, IP4(10, 0, 0, 1), 2, NULL, 0);
	for (i = 0; i < 8; i++)
		verdicts[i] = (int)run_pkt(prog, &p, &o);
	ECHECKF(verdicts[0] == 2 && verdicts[4] == 2 && verdicts[5] == 1 && verdicts[7] == 1,
		"verdicts %d %d %d %d %d %d %d %d", verdicts[0], verdicts[1], verdicts[2],
		verdicts[3], verdicts[4], verdicts[5], verdicts[6], verdicts[7]);
	ECHECK(bpfh_map_lookup(m, &src, &b) == 0 && b.dropped == 3 && b.lock == 0 &&
	       b.credit_ns < 1000000000ull);
	ECHECK(gvar_u64(e, ".bss", "total_passed") == 5 &&
	       gvar_u64(e, ".bss", "total_dropped") == 3);
	/* another source has its own bucket; non-IP is not limited */
	mk_udp4(&q, IP4(198, 51, 100, 8), 1, IP4(10, 0, 0, 1), 2, NULL, 0);
	ECHECK(run_pkt(prog, &q, &o) == 2);
	mk_arp(&q, mac_a);
	for (i = 0; i < 10; i++)
		ECHECK(run_pkt(prog, &q, &o) == 2);
	ECHECK(gvar_u64(e, ".bss", "total_passed") == 6);

	/* four CPUs take RL_REPEAT packets each of one source with a burst of twice that: the
	 * spin lock keeps every debit, so exactly the burst passes (plus what the clock refills,
	 * one packet per second, while they run) */
	set_u64(e, "burst", 2 * RL_REPEAT);
	passed = gvar_u64(e, ".bss", "total_passed");
	dropped = gvar_u64(e, ".bss", "total_dropped");
	mk_udp4(&p, IP4(203, 0, 113, 9), 1, IP4(10, 0, 0, 1), 2, NULL, 0);
	t0 = (uint64_t)time(NULL);
	for (i = 0; i < 4; i++) {
		th[i].prog = prog;
		th[i].p = &p;
		th[i].cpu = (unsigned)i;
		th[i].err = -1;
		if (pthread_create(&tid[i], NULL, rl_worker, &th[i]))
			th[i].cpu = ~0u;
	}
	for (i = 0; i < 4; i++) {
		if (th[i].cpu != ~0u)
			pthread_join(tid[i], NULL);
		ECHECK(th[i].err == 0);
	}
	secs = (uint64_t)time(NULL) - t0 + 1;
	passed = gvar_u64(e, ".bss", "total_passed") - passed;
	dropped = gvar_u64(e, ".bss", "total_dropped") - dropped;
	ECHECKF(passed + dropped == 4 * RL_REPEAT && passed >= 2 * RL_REPEAT &&
		passed <= 2 * RL_REPEAT + secs,
		"passed %llu dropped %llu", (unsigned long long)passed,
		(unsigned long long)dropped);
}

/* ---- xdp_dns_filter: bloom filters (push, peek) in front of an exact hash ---- */

struct dns_rule {
	uint32_t id, pad;
	uint64_t hits;
};

/* A DNS query for name ("www.example.com") in wire format; flags as given. */
static void mk_dns(struct pb *p, const char *name, uint16_t flags, uint16_t dport)
{
	uint8_t q[300];
	size_t n = 0, i, label = 0;

	memset(q, 0, 12);
	q[0] = 0x12;
	q[1] = 0x34;
	q[2] = (uint8_t)(flags >> 8);
	q[3] = (uint8_t)flags;
	q[5] = 1; /* qdcount */
	n = 12;
	label = n++;
	for (i = 0; name[i]; i++) {
		if (name[i] == '.') {
			q[label] = (uint8_t)(n - label - 1);
			label = n++;
		} else {
			q[n++] = (uint8_t)name[i];
		}
	}
	q[label] = (uint8_t)(n - label - 1);
	q[n++] = 0;
	q[n++] = 0; /* qtype A */
	q[n++] = 1;
	q[n++] = 0; /* qclass IN */
	q[n++] = 1;
	mk_udp4(p, IP4(10, 0, 0, 2), 33333, IP4(10, 0, 0, 53), dport, q, n);
}

/* The program's hash: FNV-1a over the wire-format name, letters lower-cased, with the NUL. */
static uint32_t dns_name_hash(const char *name)
{
	uint8_t wire[256];
	size_t n = 0, i, label = n++;
	uint32_t h = 2166136261u;

	for (i = 0; name[i]; i++) {
		if (name[i] == '.') {
			wire[label] = (uint8_t)(n - label - 1);
			label = n++;
		} else {
			wire[n++] = (uint8_t)name[i];
		}
	}
	wire[label] = (uint8_t)(n - label - 1);
	wire[n++] = 0;
	for (i = 0; i < n; i++) {
		uint8_t c = wire[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c + 'a' - 'A');
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static void test_xdp_dns_filter(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_dns_filter");
	struct bpfh_map *blocked = map_of(e, "blocked", 0, 4);
	struct bpfh_map *seen = map_of(e, "seen", 0, 4);
	struct bpfh_map *rules = map_of(e, "block_rules", 4, sizeof(struct dns_rule));
	struct dns_rule r = { 7, 0, 0 };
	struct bpfh_test_run_opts o;
	uint32_t h = dns_name_hash("ads.example.com"), h2;
	struct pb p;

	if (!prog || !blocked || !seen || !rules)
		return;
	ECHECK(bpfh_map_def(blocked)->map_extra == 3);
	ECHECK(bpfh_map_update(blocked, NULL, &h, BPFH_ANY) == 0);
	ECHECK(bpfh_map_update(rules, &h, &r, BPFH_ANY) == 0);

	mk_dns(&p, "ads.example.com", 0x0100, 53);
	ECHECK(run_pkt(prog, &p, &o) == 1);
	mk_dns(&p, "ADS.Example.COM", 0x0100, 53); /* names are case-insensitive */
	ECHECK(run_pkt(prog, &p, &o) == 1);
	ECHECK(bpfh_map_lookup(rules, &h, &r) == 0 && r.hits == 2);
	mk_dns(&p, "www.example.com", 0x0100, 53);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	/* the program adds what it sees to `seen` */
	h2 = dns_name_hash("www.example.com");
	ECHECK(bpfh_map_lookup(seen, NULL, &h2) == 0);
	h2 = dns_name_hash("never.example.com");
	ECHECK(bpfh_map_lookup(seen, NULL, &h2) == -ENOENT);
	ECHECK(gvar_u64(e, ".bss", "queries") == 4 && gvar_u64(e, ".bss", "new_names") == 2);
	/* in the bloom filter but not in the rules: a false positive, passed and counted */
	h2 = dns_name_hash("fp.example.net");
	ECHECK(bpfh_map_update(blocked, NULL, &h2, BPFH_ANY) == 0);
	mk_dns(&p, "fp.example.net", 0x0100, 53);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	ECHECK(gvar_u64(e, ".bss", "bloom_false_positives") == 1);
	/* not queries: answers, other ports; a name running past the packet is dropped */
	mk_dns(&p, "ads.example.com", 0x8180, 53);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	mk_dns(&p, "ads.example.com", 0x0100, 5353);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	mk_dns(&p, "ads.example.com", 0x0100, 53);
	p.len -= 10; /* cut inside the name */
	ECHECK(run_pkt(prog, &p, &o) == 1);
	ECHECK(gvar_u64(e, ".bss", "queries") == 5);
	ECHECK(bpfh_map_lookup(rules, &h, &r) == 0 && r.hits == 2);
}

/* ---- xdp_parse_chain: tail calls through a prog array filled at load, XDP metadata ---- */

struct pkt_meta {
	uint16_t l3_off, l3_proto, vlan_id;
	uint8_t stage, verdict_reason;
};

/* Run and read the metadata the stages left in front of the packet (the test run returns
 * it with the packet, as Linux does). */
static int64_t run_chain(struct bpfh_prog *prog, const struct pb *p, struct pkt_meta *m)
{
	struct bpfh_test_run_opts o;
	int64_t v = run_pkt(prog, p, &o);

	memset(m, 0xee, sizeof(*m));
	if (v >= 0 && ECHECKF(o.data_size_out == p->len + sizeof(*m), "out %u", o.data_size_out)) {
		memcpy(m, outbuf, sizeof(*m));
		ECHECK(!memcmp(outbuf + sizeof(*m), p->b, p->len));
	}
	return v;
}

static void test_xdp_parse_chain(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_parse_eth");
	struct bpfh_map *stages = map_of(e, "stages", 4, 4);
	struct bpfh_map *runs = map_of(e, "stage_runs", 4, 8);
	const struct bpfh_obj_map *om;
	struct pkt_meta m;
	uint32_t k;
	struct pb p;
	int i;

	if (!prog || !stages || !runs)
		return;
	/* the prog array's slots come from the object */
	i = bpfh_object_find_map(e->obj, "stages");
	om = i >= 0 ? &e->obj->maps[i] : NULL;
	ECHECK(om && om->nslots == 3);
	for (k = 0; k < 3; k++)
		ECHECK(bpfh_map_lookup_obj(stages, &k) != NULL);

	/* IPv4 with a live TTL: the IPv4 stage passes it */
	mk_udp4(&p, IP4(10, 0, 0, 1), 1, IP4(10, 0, 0, 2), 2, NULL, 0);
	ECHECK(run_chain(prog, &p, &m) == 2);
	ECHECK(m.stage == 1 && m.l3_off == 14 && m.l3_proto == net16(0x0800) && m.vlan_id == 0 &&
	       m.verdict_reason == 0);
	/* TTL 1: dropped by the IPv4 stage */
	p.b[14 + 8] = 1;
	ECHECK(run_chain(prog, &p, &m) == 1 && m.stage == 1 && m.verdict_reason == 1);
	/* VLAN 42 carrying IPv6 with hop limit 1; then QinQ (VLANs 7 and 42) */
	pb_eth(&p, mac_b, mac_a, 0x8100);
	pb_vlan(&p, 42, 0x86dd);
	pb_ip6(&p, 17, 1, 0);
	pb_udp(&p, 1, 2);
	pb_finish(&p);
	ECHECK(run_chain(prog, &p, &m) == 1 && m.stage == 2 && m.l3_off == 18 &&
	       m.vlan_id == 42 && m.l3_proto == net16(0x86dd) && m.verdict_reason == 1);
	pb_eth(&p, mac_b, mac_a, 0x88a8);
	pb_vlan(&p, 7, 0x8100);
	pb_vlan(&p, 42, 0x86dd);
	pb_ip6(&p, 17, 64, 0);
	pb_udp(&p, 1, 2);
	pb_finish(&p);
	ECHECK(run_chain(prog, &p, &m) == 2 && m.stage == 2 && m.l3_off == 22 && m.vlan_id == 7);
	/* a truncated IPv6 header */
	p.len = 22 + 20;
	ECHECK(run_chain(prog, &p, &m) == 1 && m.stage == 2 && m.verdict_reason == 2);
	/* ARP: its own stage */
	mk_arp(&p, mac_a);
	ECHECK(run_chain(prog, &p, &m) == 2 && m.stage == 3);
	/* LLDP has no stage: the tail call falls through */
	pb_eth(&p, mac_bcast, mac_a, 0x88cc);
	put32(&p, 0);
	ECHECK(run_chain(prog, &p, &m) == 2 && m.stage == 0 && m.verdict_reason == 3);
	/* user space removes the ARP stage: ARP now falls through too */
	k = 2;
	ECHECK(bpfh_map_delete(stages, &k) == 0);
	mk_arp(&p, mac_a);
	ECHECK(run_chain(prog, &p, &m) == 2 && m.stage == 0 && m.verdict_reason == 3);
	/* runs per stage: entry 8, IPv4 2, IPv6 3, ARP 1 */
	ECHECK(u64_at(runs, 3) == 8 && u64_at(runs, 0) == 2 && u64_at(runs, 1) == 3 &&
	       u64_at(runs, 2) == 1);
}

/* ---- tc_conn_logger: ring buffer reserve/submit/discard, output and query ---- */

struct conn_event {
	uint64_t ts_ns;
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t kind, pad[3];
	uint32_t skb_len;
};

#define MAX_RECORDS 8
struct records {
	unsigned n;
	size_t size[MAX_RECORDS];
	uint8_t data[MAX_RECORDS][256];
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct records *r = ctx;

	if (r->n < MAX_RECORDS) {
		r->size[r->n] = size;
		memcpy(r->data[r->n], data, size < 256 ? size : 256);
	}
	r->n++;
	return 0;
}

static void test_tc_conn_logger(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "tc_conn_logger");
	struct bpfh_map *events = bpfh_instance_map(e->inst, "events");
	struct bpfh_map *quiet = map_of(e, "quiet_ports", 2, 1);
	struct bpfh_ringbuf_consumer *c = NULL;
	struct bpfh_test_run_opts o;
	struct conn_event ev;
	struct records rec;
	uint16_t port = 22;
	uint8_t one = 1;
	struct pb p;
	int i;

	if (!prog || !ECHECK(events != NULL) || !quiet)
		return;
	memset(&rec, 0, sizeof(rec));
	if (!ECHECK(bpfh_ringbuf_consumer_create(events, on_record, &rec, &c) == 0))
		return;
	ECHECK(bpfh_map_update(quiet, &port, &one, BPFH_ANY) == 0);

	/* a SYN: one record, reserved and submitted */
	mk_tcp4(&p, IP4(10, 0, 0, 5), 40001, IP4(192, 0, 2, 1), 443, TH_SYN);
	ECHECK(run_skb(prog, &p, 0, NULL, NULL, &o) == 0);
	ECHECK(bpfh_ringbuf_consumer_consume(c) == 1 && rec.n == 1 &&
	       rec.size[0] == sizeof(ev));
	memcpy(&ev, rec.data[0], sizeof(ev));
	ECHECK(ev.kind == 1 && ev.saddr == net32(IP4(10, 0, 0, 5)) &&
	       ev.daddr == net32(IP4(192, 0, 2, 1)) && ev.sport == 40001 && ev.dport == 443 &&
	       ev.skb_len == p.len && ev.ts_ns > 0);
	/* SYN+ACK and plain ACKs: nothing */
	mk_tcp4(&p, IP4(192, 0, 2, 1), 443, IP4(10, 0, 0, 5), 40001, TH_SYN | TH_ACK);
	ECHECK(run_skb(prog, &p, 0, NULL, NULL, &o) == 0);
	mk_tcp4(&p, IP4(10, 0, 0, 5), 40001, IP4(192, 0, 2, 1), 443, TH_ACK);
	ECHECK(run_skb(prog, &p, 0, NULL, NULL, &o) == 0);
	ECHECK(bpfh_ringbuf_consumer_consume(c) == 0);
	/* a RST: one record, by bpf_ringbuf_output */
	mk_tcp4(&p, IP4(192, 0, 2, 1), 443, IP4(10, 0, 0, 5), 40001, TH_RST);
	ECHECK(run_skb(prog, &p, 0, NULL, NULL, &o) == 0);
	ECHECK(bpfh_ringbuf_consumer_consume(c) == 1 && rec.n == 2);
	memcpy(&ev, rec.data[1], sizeof(ev));
	ECHECK(ev.kind == 2 && ev.sport == 443 && ev.dport == 40001 && ev.ts_ns > 0);
	/* a SYN to a quiet port: reserved, then discarded */
	mk_tcp4(&p, IP4(10, 0, 0, 5), 40002, IP4(192, 0, 2, 1), 22, TH_SYN);
	ECHECK(run_skb(prog, &p, 0, NULL, NULL, &o) == 0);
	ECHECK(bpfh_ringbuf_consumer_consume(c) == 0 && rec.n == 2);
	ECHECK(gvar_u64(e, ".bss", "discarded") == 1);
	/* a slow reader: past max_backlog unread bytes, events are skipped */
	set_u64(e, "max_backlog", 100);
	mk_tcp4(&p, IP4(10, 0, 0, 5), 40003, IP4(192, 0, 2, 1), 443, TH_SYN);
	for (i = 0; i < 4; i++)
		ECHECK(run_skb(prog, &p, 0, NULL, NULL, &o) == 0);
	ECHECK(gvar_u64(e, ".bss", "skipped") == 1);
	ECHECK(bpfh_ringbuf_consumer_consume(c) == 3 && rec.n == 5);
	/* not TCP, not IPv4 */
	mk_udp4(&p, IP4(10, 0, 0, 5), 1, IP4(192, 0, 2, 1), 2, NULL, 0);
	ECHECK(run_skb(prog, &p, 0, NULL, NULL, &o) == 0);
	mk_arp(&p, mac_a);
	ECHECK(run_skb(prog, &p, 0, NULL, NULL, &o) == 0);
	ECHECK(bpfh_ringbuf_consumer_consume(c) == 0);
	bpfh_ringbuf_consumer_destroy(c);
}

/* ---- xdp_sampler: bpf_perf_event_output with packet bytes from the context ---- */

struct sample_hdr {
	uint32_t cpu, numa_node, ifindex, rx_queue, pkt_len, captured;
};

struct samples {
	unsigned n, bad;
	int cpu;
	uint32_t size;
	uint8_t first[256];
	uint64_t lost;
};

static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	struct samples *s = ctx;

	if (s->n++ == 0) {
		s->cpu = cpu;
		s->size = size;
		memcpy(s->first, data, size < 256 ? size : 256);
	}
}

static void on_lost(void *ctx, int cpu, uint64_t cnt)
{
	(void)cpu;
	((struct samples *)ctx)->lost += cnt;
}

static void test_xdp_sampler(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_sampler");
	struct bpfh_map *m = bpfh_instance_map(e->inst, "samples");
	struct bpfh_perfbuf *pb = NULL;
	struct bpfh_test_run_opts o;
	struct bpfh_xdp_md md;
	struct sample_hdr h;
	struct samples s;
	uint8_t payload[100];
	struct pb p, small;
	size_t i;
	int sampled;

	if (!prog || !ECHECK(m != NULL))
		return;
	/* libbpf sizes a PERF_EVENT_ARRAY without max_entries to the number of CPUs */
	ECHECKF(bpfh_map_def(m)->max_entries == bpfh_cpu_possible(), "max_entries %u",
		bpfh_map_def(m)->max_entries);
	set_u32(e, "sample_rate", 1);
	/* nobody listens yet: the output fails and is counted */
	mk_udp4(&p, IP4(10, 0, 0, 1), 1, IP4(10, 0, 0, 2), 2, NULL, 0);
	ECHECK(run_pkt(prog, &p, &o) == 2 && gvar_u64(e, ".bss", "lost") == 1);
	memset(&s, 0, sizeof(s));
	if (!ECHECK(bpfh_perfbuf_create(m, 4, on_sample, on_lost, &s, &pb) == 0))
		return;
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 3);
	mk_udp4(&p, IP4(10, 0, 0, 1), 1, IP4(10, 0, 0, 2), 2, payload, sizeof(payload));
	memset(&md, 0, sizeof(md));
	md.data_end = (uint32_t)p.len;
	md.ingress_ifindex = 7;
	md.rx_queue_index = 3;
	opts_init(&o);
	o.data_in = p.b;
	o.data_size_in = (uint32_t)p.len;
	o.ctx_in = &md;
	o.ctx_size_in = sizeof(md);
	o.cpu = 2;
	ECHECK(run(prog, &o) == 2 && o.data_size_out == p.len);
	ECHECK(bpfh_perfbuf_consume(pb) == 1 && s.n == 1 && s.cpu == 2);
	/* the header, then the first 64 bytes of the packet; padded so that size + 4 is a
	 * multiple of 8 */
	ECHECKF(s.size == 92, "size %u", s.size);
	memcpy(&h, s.first, sizeof(h));
	ECHECK(h.cpu == 2 && h.numa_node == 0 && h.ifindex == 7 && h.rx_queue == 3 &&
	       h.pkt_len == p.len && h.captured == 64);
	ECHECK(!memcmp(s.first + sizeof(h), p.b, 64));
	/* a packet shorter than the snap length is captured whole */
	mk_udp4(&small, IP4(10, 0, 0, 1), 1, IP4(10, 0, 0, 2), 2, NULL, 0);
	memset(&s, 0, sizeof(s));
	ECHECK(run_pkt(prog, &small, &o) == 2);
	ECHECK(bpfh_perfbuf_consume(pb) == 1 && s.cpu == 0);
	memcpy(&h, s.first, sizeof(h));
	ECHECK(h.captured == small.len && !memcmp(s.first + sizeof(h), small.b, small.len));
	ECHECK(gvar_u64(e, ".bss", "sampled") == 2);
	/* one in two, at random: 400 packets give about 200 samples */
	set_u32(e, "sample_rate", 2);
	memset(&s, 0, sizeof(s));
	sampled = 0;
	for (i = 0; i < 400; i++) {
		ECHECK(run_pkt(prog, &small, &o) == 2);
		sampled += bpfh_perfbuf_consume(pb);
	}
	ECHECKF(sampled > 100 && sampled < 300 && s.lost == 0, "%d sampled", sampled);
	ECHECK(gvar_u64(e, ".bss", "sampled") == 2 + (uint64_t)sampled);
	bpfh_perfbuf_destroy(pb);
}

/* ---- tc_l4_classify: bounded loops over VLAN tags and IPv6 extension headers ---- */

static void test_tc_l4_classify(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "tc_l4_classify");
	struct bpfh_map *counts = map_of(e, "l4_packets", 4, 8);
	struct bpfh_test_run_opts o;
	struct bpfh_sk_buff out;
	struct pb p;
	int i;

	if (!prog || !counts)
		return;
	/* IPv4 UDP with DSCP EF (46) */
	pb_eth(&p, mac_b, mac_a, 0x0800);
	pb_ip4(&p, 17, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 64, 46 << 2);
	pb_udp(&p, 5004, 5004);
	pb_finish(&p);
	memset(&out, 0xff, sizeof(out));
	ECHECK(run_skb(prog, &p, 0, NULL, &out, &o) == 0 /* TC_ACT_OK */);
	ECHECK(o.ctx_size_out == sizeof(out) && out.mark == 17 && out.priority == 46 &&
	       out.tc_classid == 0x10011);
	/* VLAN 100, IPv6 (traffic class 0x28: DSCP 10), hop-by-hop, routing, fragment, AH,
	 * then TCP */
	pb_eth(&p, mac_b, mac_a, 0x8100);
	pb_vlan(&p, 100, 0x86dd);
	pb_ip6(&p, 0 /* hop-by-hop */, 64, 0x28);
	pb_ext6(&p, 43 /* routing */, 0);
	pb_ext6(&p, 44 /* fragment */, 1);
	put8(&p, 51 /* AH */);  /* the fragment header: 8 bytes, whatever its length byte */
	put8(&p, 0);
	put16(&p, 0);
	put32(&p, 0x01020304);
	put8(&p, 6);            /* AH: 4 * (1 + 2) = 12 bytes */
	put8(&p, 1);
	put16(&p, 0);
	put32(&p, 0);
	put32(&p, 0);
	pb_tcp(&p, 1234, 80, TH_SYN);
	pb_finish(&p);
	ECHECK(run_skb(prog, &p, 0, NULL, &out, &o) == 0);
	ECHECKF(out.mark == (100u << 16 | 6) && out.priority == 10 && out.tc_classid == 0x10006,
		"mark %#x priority %u classid %#x", out.mark, out.priority, out.tc_classid);
	/* QinQ: the outer VLAN id is the one marked */
	pb_eth(&p, mac_b, mac_a, 0x88a8);
	pb_vlan(&p, 300, 0x8100);
	pb_vlan(&p, 5, 0x0800);
	pb_ip4(&p, 1, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 64, 0);
	pb_icmp_echo(&p);
	pb_finish(&p);
	ECHECK(run_skb(prog, &p, 0, NULL, &out, &o) == 0 && out.mark == (300u << 16 | 1));
	/* seven destination-options headers: more than the walk allows, dropped */
	pb_eth(&p, mac_b, mac_a, 0x86dd);
	pb_ip6(&p, 60, 64, 0);
	for (i = 0; i < 7; i++)
		pb_ext6(&p, 60, 0);
	pb_finish(&p);
	ECHECK(run_skb(prog, &p, 0, NULL, &out, &o) == 2 /* TC_ACT_SHOT */);
	/* six are still walked: the seventh next header is UDP */
	pb_eth(&p, mac_b, mac_a, 0x86dd);
	pb_ip6(&p, 60, 64, 0);
	for (i = 0; i < 5; i++)
		pb_ext6(&p, 60, 0);
	pb_ext6(&p, 17, 0);
	pb_udp(&p, 1, 2);
	pb_finish(&p);
	ECHECK(run_skb(prog, &p, 0, NULL, &out, &o) == 0 && (out.mark & 0xffff) == 17);
	/* an extension header cut short: left alone */
	p.len = 14 + 40 + 8 + 1;
	memset(&out, 0, sizeof(out));
	ECHECK(run_skb(prog, &p, 0, NULL, &out, &o) == 0 && out.mark == 0);
	/* ARP: not classified */
	mk_arp(&p, mac_a);
	ECHECK(run_skb(prog, &p, 0, NULL, &out, &o) == 0 && out.mark == 0 && out.tc_classid == 0);
	ECHECK(u64_at(counts, 17) == 2 && u64_at(counts, 6) == 1 && u64_at(counts, 1) == 1);
}

/* ---- xdp_recent_sources: a QUEUE that drops its oldest, a STACK of distinct talkers ---- */

struct arrival {
	uint32_t saddr, len;
	uint64_t jiffies;
};

static void test_xdp_recent_sources(struct ex *e)
{
	static const uint8_t seq[] = { 1, 1, 2, 1, 3, 3, 4, 5, 6 };
	static const uint8_t zeros[16];
	struct bpfh_prog *prog = prog_of(e, "xdp_recent_sources");
	struct bpfh_map *hist = map_of(e, "history", 0, sizeof(struct arrival));
	struct bpfh_map *talkers = map_of(e, "talkers", 0, 4);
	struct bpfh_test_run_opts o;
	struct arrival a;
	uint64_t last = 0;
	uint32_t top;
	struct pb p;
	size_t i;

	if (!prog || !hist || !talkers)
		return;
	for (i = 0; i < sizeof(seq); i++) {
		mk_udp4(&p, IP4(10, 0, 0, seq[i]), 1, IP4(10, 0, 0, 100), 2, zeros, i);
		ECHECK(run_pkt(prog, &p, &o) == 2);
	}
	mk_arp(&p, mac_a);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	/* the queue kept the last 8 of 9, oldest first */
	ECHECK(bpfh_map_peek(hist, &a) == 0 && a.saddr == net32(IP4(10, 0, 0, 1)) && a.len == 43);
	for (i = 1; i < sizeof(seq); i++) {
		if (!ECHECK(bpfh_map_lookup_and_delete(hist, NULL, &a) == 0))
			break;
		ECHECKF(a.saddr == net32(IP4(10, 0, 0, seq[i])) && a.len == 42 + i &&
			a.jiffies >= last && a.jiffies > 0, "entry %zu", i);
		last = a.jiffies;
	}
	ECHECK(bpfh_map_lookup_and_delete(hist, NULL, &a) == -ENOENT);
	/* the stack: distinct consecutive sources 1 2 1 3 4 5 6, the newest 4 on top */
	for (i = 6; i >= 3; i--) {
		ECHECK(bpfh_map_lookup_and_delete(talkers, NULL, &top) == 0 &&
		       top == net32(IP4(10, 0, 0, i)));
	}
	ECHECK(bpfh_map_lookup_and_delete(talkers, NULL, &top) == -ENOENT);
	/* a burst from one host takes one slot */
	mk_udp4(&p, IP4(10, 0, 0, 9), 1, IP4(10, 0, 0, 100), 2, NULL, 0);
	for (i = 0; i < 3; i++)
		ECHECK(run_pkt(prog, &p, &o) == 2);
	ECHECK(bpfh_map_lookup_and_delete(talkers, NULL, &top) == 0 &&
	       top == net32(IP4(10, 0, 0, 9)));
	ECHECK(bpfh_map_lookup_and_delete(talkers, NULL, &top) == -ENOENT);
}

/* ---- xdp_snat: a QUEUE as a FIFO port pool (pop, push), incremental checksums ---- */

struct nat_key {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
};

struct nat_entry {
	uint16_t ext_port, pad;
	uint32_t pad2;
	uint64_t packets;
};

/* Run a TCP packet from 10.0.0.2:sport to 93.184.216.34:443; check a translated result. */
static int64_t snat_run(struct bpfh_prog *prog, uint16_t sport, uint8_t flags,
			uint16_t want_port)
{
	struct bpfh_test_run_opts o;
	struct pb p;
	int64_t v;

	mk_tcp4(&p, IP4(10, 0, 0, 2), sport, IP4(93, 184, 216, 34), 443, flags);
	v = run_pkt(prog, &p, &o);
	if (v != 2 || !want_port)
		return v;
	ECHECK(o.data_size_out == p.len);
	ECHECKF(get32(outbuf + 26) == IP4(192, 0, 2, 1) && get16(outbuf + 34) == want_port,
		"source %#x:%u", get32(outbuf + 26), get16(outbuf + 34));
	ECHECK(get32(outbuf + 30) == IP4(93, 184, 216, 34) && get16(outbuf + 36) == 443);
	ECHECK(ip4_csum_ok(outbuf, 14) && l4_csum_ok(outbuf, p.len, 14));
	return v;
}

static void test_xdp_snat(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_snat");
	struct bpfh_map *pool = map_of(e, "free_ports", 0, 2);
	struct bpfh_map *nat = map_of(e, "nat_table", 12, sizeof(struct nat_entry));
	struct bpfh_test_run_opts o;
	struct nat_entry ne;
	struct nat_key k;
	uint16_t port;
	struct pb p;

	if (!prog || !pool || !nat)
		return;
	set_u32(e, "nat_addr", net32(IP4(192, 0, 2, 1)));
	set_u32(e, "inside_net", net32(IP4(10, 0, 0, 0)));
	set_u32(e, "inside_mask", net32(IP4(255, 0, 0, 0)));
	for (port = 40000; port < 40004; port++)
		ECHECK(bpfh_map_update(pool, NULL, &port, BPFH_ANY) == 0);

	/* two connections take the pool's first two ports */
	ECHECK(snat_run(prog, 5555, TH_SYN, 40000) == 2);
	ECHECK(snat_run(prog, 5555, TH_ACK | TH_PSH, 40000) == 2);
	ECHECK(snat_run(prog, 6666, TH_SYN, 40001) == 2);
	memset(&k, 0, sizeof(k));
	k.saddr = net32(IP4(10, 0, 0, 2));
	k.daddr = net32(IP4(93, 184, 216, 34));
	k.sport = net16(5555);
	k.dport = net16(443);
	ECHECK(bpfh_map_lookup(nat, &k, &ne) == 0 && ne.ext_port == 40000 && ne.packets == 2);
	/* the first closes: translated one last time, its port goes to the pool's tail */
	ECHECK(snat_run(prog, 5555, TH_RST, 40000) == 2);
	ECHECK(bpfh_map_lookup(nat, &k, &ne) == -ENOENT);
	/* after that: no state, not a SYN: dropped */
	ECHECK(snat_run(prog, 5555, TH_ACK, 0) == 1);
	ECHECK(gvar_u64(e, ".bss", "no_state") == 1);
	/* three more connections: 40002, 40003, then the released 40000; a fourth finds the
	 * pool empty */
	ECHECK(snat_run(prog, 7001, TH_SYN, 40002) == 2);
	ECHECK(snat_run(prog, 7002, TH_SYN, 40003) == 2);
	ECHECK(snat_run(prog, 7003, TH_SYN, 40000) == 2);
	ECHECK(snat_run(prog, 7004, TH_SYN, 0) == 1);
	ECHECK(gvar_u64(e, ".bss", "pool_exhausted") == 1);
	/* a FIN returns 40001; the next SYN gets it */
	ECHECK(snat_run(prog, 6666, TH_FIN | TH_ACK, 40001) == 2);
	ECHECK(snat_run(prog, 7004, TH_SYN, 40001) == 2);
	ECHECK(bpfh_map_lookup_and_delete(pool, NULL, &port) == -ENOENT);
	/* outside sources and other protocols are not translated */
	mk_tcp4(&p, IP4(172, 16, 0, 2), 5555, IP4(93, 184, 216, 34), 443, TH_SYN);
	ECHECK(run_pkt(prog, &p, &o) == 2 && !memcmp(outbuf, p.b, p.len));
	mk_udp4(&p, IP4(10, 0, 0, 2), 5555, IP4(93, 184, 216, 34), 443, "q", 1);
	ECHECK(run_pkt(prog, &p, &o) == 2 && !memcmp(outbuf, p.b, p.len));
}

/* ---- sock_legacy_count: legacy "maps" section, LD_ABS loads ---- */

static void test_sock_legacy_count(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "sock_legacy_count");
	struct bpfh_map *bytes = map_of(e, "proto_bytes", 4, 8);
	struct bpfh_map *srcs = map_of(e, "src_packets", 4, 8);
	struct bpfh_test_run_opts o;
	uint32_t saddr = IP4(10, 2, 3, 4); /* host order: LD_ABS converts */
	uint64_t v;
	struct pb p;
	int i, legacy = 0;

	if (!prog || !bytes || !srcs)
		return;
	for (i = 0; i < (int)e->obj->nmaps; i++)
		legacy += e->obj->maps[i].kind == BPFH_OBJ_MAP_LEGACY;
	ECHECK(legacy == 2);
	ECHECK(bpfh_map_def(srcs)->type == BPFH_MAP_TYPE_HASH);

	mk_udp4(&p, IP4(10, 2, 3, 4), 1, IP4(10, 0, 0, 1), 2, "0123456789", 10);
	ECHECK(run_pkt(prog, &p, &o) == 96); /* the snap length */
	ECHECK(run_pkt(prog, &p, &o) == 96);
	mk_tcp4(&p, IP4(10, 2, 3, 4), 1, IP4(10, 0, 0, 1), 2, TH_SYN);
	ECHECK(run_pkt(prog, &p, &o) == 96);
	ECHECK(u64_at(bytes, 17) == 2 * (14 + 28 + 10 - 14) && u64_at(bytes, 6) == p.len - 14);
	ECHECK(bpfh_map_lookup(srcs, &saddr, &v) == 0 && v == 3);
	/* a header claiming more than arrived: counted, cut to nothing */
	set16(p.b + 14 + 2, 1000);
	ECHECK(run_pkt(prog, &p, &o) == 0);
	ECHECK(bpfh_map_lookup(srcs, &saddr, &v) == 0 && v == 4);
	/* IPv6, ARP: cut to nothing, not counted */
	pb_eth(&p, mac_b, mac_a, 0x86dd);
	pb_ip6(&p, 17, 64, 0);
	pb_udp(&p, 1, 2);
	pb_finish(&p);
	ECHECK(run_pkt(prog, &p, &o) == 0);
	mk_arp(&p, mac_a);
	ECHECK(run_pkt(prog, &p, &o) == 0);
	ECHECK(u64_at(bytes, 17) == 2 * (28 + 10));
}

/* ---- cgroup_connect4: sock_addr rewrite, uid policy, comm counters ---- */

struct svc_backend {
	uint32_t addr, port;
};

struct service {
	uint32_t count, next;
	struct svc_backend backends[8];
};

static int64_t run_connect(struct bpfh_prog *prog, uint32_t ip, uint16_t port, uint32_t proto,
			   struct bpfh_sock_addr *out)
{
	struct bpfh_test_run_opts o;
	struct bpfh_sock_addr in;

	memset(&in, 0, sizeof(in));
	in.user_family = 2;
	in.user_ip4 = net32(ip);
	in.user_port = net16(port);
	in.family = 2;
	in.type = proto == 6 ? 1 : 2;
	in.protocol = proto;
	opts_init(&o);
	o.ctx_in = &in;
	o.ctx_size_in = sizeof(in);
	o.ctx_out = out;
	o.ctx_size_out = sizeof(*out);
	return run(prog, &o);
}

static void test_cgroup_connect4(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "connect4");
	struct bpfh_map *svcs = map_of(e, "services", 8, sizeof(struct service));
	struct bpfh_map *allowed = map_of(e, "allowed_ports", 2, 1);
	struct bpfh_map *comms = map_of(e, "connects_by_comm", 16, 8);
	struct { uint32_t addr, port; } key = { net32(IP4(10, 96, 0, 10)), net16(53) };
	struct bpfh_sock_addr out;
	struct service s;
	char comm[16];
	uint64_t n = 0;
	uint16_t port = 443;
	uint8_t one = 1;
	int i;

	if (!prog || !svcs || !allowed || !comms)
		return;
	ECHECK(bpfh_prog_type(prog) == BPFH_PROG_TYPE_CGROUP_SOCK_ADDR);
	memset(&s, 0, sizeof(s));
	s.count = 2;
	s.backends[0].addr = net32(IP4(10, 0, 1, 1));
	s.backends[0].port = net16(5353);
	s.backends[1].addr = net32(IP4(10, 0, 1, 2));
	s.backends[1].port = net16(5354);
	ECHECK(bpfh_map_update(svcs, &key, &s, BPFH_ANY) == 0);
	/* round robin over the backends */
	for (i = 0; i < 3; i++) {
		ECHECK(run_connect(prog, IP4(10, 96, 0, 10), 53, 17, &out) == 1);
		ECHECKF(out.user_ip4 == net32(IP4(10, 0, 1, 1 + i % 2)) &&
			out.user_port == net16((uint16_t)(5353 + i % 2)) && out.user_family == 2,
			"connect %d went to %#x port %#x", i, out.user_ip4, out.user_port);
	}
	ECHECK(bpfh_map_lookup(svcs, &key, &s) == 0 && s.next == 3);
	/* not a service: untouched */
	ECHECK(run_connect(prog, IP4(1, 1, 1, 1), 53, 17, &out) == 1 &&
	       out.user_ip4 == net32(IP4(1, 1, 1, 1)) && out.user_port == net16(53));
	/* connects counted under this process's name */
	my_comm(comm);
	ECHECK(bpfh_map_lookup(comms, comm, &n) == 0 && n == 4);
	/* the restricted user (made to be us): only allowed ports */
	set_u32(e, "restricted_uid", (uint32_t)getuid());
	ECHECK(run_connect(prog, IP4(192, 0, 2, 1), 443, 6, &out) == 0);
	ECHECK(bpfh_map_update(allowed, &port, &one, BPFH_ANY) == 0);
	ECHECK(run_connect(prog, IP4(192, 0, 2, 1), 443, 6, &out) == 1);
	ECHECK(run_connect(prog, IP4(10, 96, 0, 10), 53, 17, &out) == 0);
	/* not TCP or UDP: not looked at, not counted */
	ECHECK(run_connect(prog, IP4(192, 0, 2, 1), 0, 1, &out) == 1);
	ECHECK(bpfh_map_lookup(comms, comm, &n) == 0 && n == 7);
}

/* ---- bind_policy and bind_audit: the bind hook (ebpf-for-windows' bind_md) ---- */

static int64_t run_bind(struct bpfh_prog *prog, const char *app, uint64_t pid, int op,
			uint16_t port, uint8_t proto)
{
	struct bpfh_test_run_opts o;
	struct bpfh_bind_md md;

	memset(&md, 0, sizeof(md));
	md.process_id = pid;
	md.socket_address[0] = 2; /* AF_INET, little-endian as in a SOCKADDR */
	md.socket_address[2] = (uint8_t)(port >> 8);
	md.socket_address[3] = (uint8_t)port;
	md.socket_address_length = 16;
	md.operation = op;
	md.protocol = proto;
	opts_init(&o);
	o.ctx_in = &md;
	o.ctx_size_in = sizeof(md);
	o.data_in = app;
	o.data_size_in = (uint32_t)strlen(app);
	return run(prog, &o);
}

struct process_entry {
	uint32_t bound, denied;
	char image_tail[16];
};

struct denial {
	uint64_t process_id, host_pid_tgid;
	uint16_t port;
	uint8_t reason, protocol;
	char host_comm[16];
	char app[64];
};

static void test_bind_policy(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "bind_policy");
	struct bpfh_map *procs = map_of(e, "processes", 8, sizeof(struct process_entry));
	struct bpfh_map *ring = bpfh_instance_map(e->inst, "denials");
	struct bpfh_ringbuf_consumer *c = NULL;
	struct process_entry pe;
	struct records rec;
	struct denial d;
	char comm[16];
	uint64_t pid;

	if (!prog || !procs || !ECHECK(ring != NULL))
		return;
	ECHECK(bpfh_prog_type(prog) == BPFH_PROG_TYPE_BIND);
	memset(&rec, 0, sizeof(rec));
	if (!ECHECK(bpfh_ringbuf_consumer_create(ring, on_record, &rec, &c) == 0))
		return;
	set_u32(e, "max_binds_per_process", 2);
	my_comm(comm);

	/* a privileged port from an untrusted path: denied, and reported */
	ECHECK(run_bind(prog, "/usr/bin/python3", 1234, BPFH_BIND_OPERATION_BIND, 80, 6) ==
	       BPFH_BIND_DENY);
	ECHECK(bpfh_ringbuf_consumer_consume(c) == 1 && rec.size[0] == sizeof(d));
	memcpy(&d, rec.data[0], sizeof(d));
	ECHECK(d.process_id == 1234 && d.port == 80 && d.reason == 1 && d.protocol == 6);
	ECHECK((d.host_pid_tgid >> 32) == (uint64_t)getpid() && !strcmp(d.host_comm, comm));
	ECHECK(!strcmp(d.app, "/usr/bin/python3"));
	pid = 1234;
	ECHECK(bpfh_map_lookup(procs, &pid, &pe) == 0 && pe.denied == 1 && pe.bound == 0 &&
	       !memcmp(pe.image_tail, "/usr/bin/python3", 16));
	/* trusted paths may; so may anyone above 1023 */
	ECHECK(run_bind(prog, "/usr/sbin/nginx", 10, BPFH_BIND_OPERATION_BIND, 80, 6) ==
	       BPFH_BIND_PERMIT_SOFT);
	ECHECK(run_bind(prog, "/usr/lib/systemd/systemd-resolved", 11, BPFH_BIND_OPERATION_BIND,
			53, 17) == BPFH_BIND_PERMIT_SOFT);
	pid = 11;
	ECHECK(bpfh_map_lookup(procs, &pid, &pe) == 0 && pe.bound == 1 &&
	       !memcmp(pe.image_tail, "systemd-resolved", 16));
	ECHECK(run_bind(prog, "/usr/sbin", 12, BPFH_BIND_OPERATION_BIND, 22, 6) ==
	       BPFH_BIND_DENY); /* not under it */
	/* the quota: two binds, then denied until an unbind */
	ECHECK(run_bind(prog, "/opt/app", 77, BPFH_BIND_OPERATION_BIND, 8080, 6) == 0);
	ECHECK(run_bind(prog, "/opt/app", 77, BPFH_BIND_OPERATION_BIND, 8081, 6) == 0);
	ECHECK(run_bind(prog, "/opt/app", 77, BPFH_BIND_OPERATION_BIND, 8082, 6) ==
	       BPFH_BIND_DENY);
	ECHECK(run_bind(prog, "/opt/app", 77, BPFH_BIND_OPERATION_POST_BIND, 8081, 6) == 0);
	ECHECK(run_bind(prog, "/opt/app", 77, BPFH_BIND_OPERATION_UNBIND, 8081, 6) == 0);
	pid = 77;
	ECHECK(bpfh_map_lookup(procs, &pid, &pe) == 0 && pe.bound == 1 && pe.denied == 1 &&
	       !strcmp(pe.image_tail, "/opt/app"));
	ECHECK(run_bind(prog, "/opt/app", 77, BPFH_BIND_OPERATION_BIND, 8082, 6) == 0);
	ECHECK(bpfh_ringbuf_consumer_consume(c) == 2 && rec.n == 3);
	memcpy(&d, rec.data[2], sizeof(d));
	ECHECK(d.process_id == 77 && d.reason == 2 && d.port == 8082 && !strcmp(d.app, "/opt/app"));
	/* a process that never was denied leaves the table with its last unbind */
	ECHECK(run_bind(prog, "/usr/sbin/nginx", 10, BPFH_BIND_OPERATION_UNBIND, 80, 6) == 0);
	pid = 10;
	ECHECK(bpfh_map_lookup(procs, &pid, &pe) == -ENOENT);
	bpfh_ringbuf_consumer_destroy(c);
}

struct bind_record {
	uint64_t process_id;
	uint32_t operation;
	uint16_t family, port;
	uint8_t protocol, tail_len;
	uint16_t path_len;
	uint32_t app_id_len;
	char path[64];
	char tail[24];
};

static void check_audit(struct records *rec, unsigned i, const char *app, uint64_t pid, int op,
			uint16_t port)
{
	struct bind_record r;
	size_t len = strlen(app), tail = len < 24 ? len : 24;

	if (!ECHECKF(i < rec->n && rec->size[i] == sizeof(r), "record %u of %u", i, rec->n))
		return;
	memcpy(&r, rec->data[i], sizeof(r));
	ECHECK(r.process_id == pid && r.operation == (uint32_t)op && r.family == 2 &&
	       r.port == port && r.protocol == 17 && r.app_id_len == len);
	ECHECKF(r.path_len == (len < 64 ? len + 1 : 64) && !strncmp(r.path, app, 63) &&
		r.path[63 < len ? 63 : len] == '\0', "path \"%.64s\" (%u)", r.path, r.path_len);
	ECHECK(r.tail_len == tail && !memcmp(r.tail, app + len - tail, tail));
}

static void test_bind_audit(struct ex *e)
{
	static const char long_app[] = "/opt/vendor/product/releases/2024.11.3/bin/"
				       "product-server-daemon-with-a-long-name";
	struct bpfh_prog *prog = prog_of(e, "bind_audit");
	struct bpfh_map *ring = bpfh_instance_map(e->inst, "bind_log");
	struct bpfh_ringbuf_consumer *c = NULL;
	struct records rec;
	uint8_t legacy;
	int round;

	if (!prog || !ECHECK(ring != NULL))
		return;
	memset(&rec, 0, sizeof(rec));
	if (!ECHECK(bpfh_ringbuf_consumer_create(ring, on_record, &rec, &c) == 0))
		return;
	/* the same records with the user-memory helpers and with the legacy ones */
	for (round = 0; round < 2; round++) {
		legacy = (uint8_t)round;
		set_gvar(e, ".rodata", "use_legacy_probes", &legacy, 1);
		memset(&rec, 0, sizeof(rec));
		ECHECK(run_bind(prog, "/usr/bin/dig", 4321, BPFH_BIND_OPERATION_BIND, 0, 17) == 0);
		ECHECK(run_bind(prog, long_app, 99, BPFH_BIND_OPERATION_BIND, 9000, 17) == 0);
		ECHECK(run_bind(prog, long_app, 99, BPFH_BIND_OPERATION_UNBIND, 9000, 17) == 0);
		ECHECK(bpfh_ringbuf_consumer_consume(c) == 3);
		check_audit(&rec, 0, "/usr/bin/dig", 4321, BPFH_BIND_OPERATION_BIND, 0);
		check_audit(&rec, 1, long_app, 99, BPFH_BIND_OPERATION_BIND, 9000);
		check_audit(&rec, 2, long_app, 99, BPFH_BIND_OPERATION_UNBIND, 9000);
	}
	ECHECK(gvar_u64(e, ".bss", "lost_records") == 0);
	bpfh_ringbuf_consumer_destroy(c);
}

/* ---- xdp_ctl: strtoul/strtol, strncmp, bpf_loop, snprintf, trace_(v)printk, .data ---- */

/* Send a command; on XDP_TX check the answer's headers and return its text in reply. */
static int64_t ctl_send(struct bpfh_prog *prog, const char *cmd, uint16_t dport, char *reply)
{
	struct bpfh_test_run_opts o;
	struct pb p;
	int64_t v;
	size_t n;

	mk_udp4(&p, IP4(192, 168, 1, 5), 40000, IP4(10, 0, 0, 1), dport, cmd, strlen(cmd));
	v = run_pkt(prog, &p, &o);
	reply[0] = '\0';
	if (v != 3)
		return v;
	if (!ECHECKF(o.data_size_out >= 42 && o.data_size_out < 42 + 64, "%u bytes",
		     o.data_size_out))
		return -1;
	n = o.data_size_out - 42;
	memcpy(reply, outbuf + 42, n);
	reply[n] = '\0';
	ECHECK(!memcmp(outbuf, mac_a, 6) && !memcmp(outbuf + 6, mac_b, 6));
	ECHECK(get32(outbuf + 26) == IP4(10, 0, 0, 1) && get32(outbuf + 30) == IP4(192, 168, 1, 5));
	ECHECK(get16(outbuf + 34) == dport && get16(outbuf + 36) == 40000);
	ECHECK(get16(outbuf + 16) == 28 + n && get16(outbuf + 38) == 8 + n && outbuf[22] == 64);
	ECHECK(ip4_csum_ok(outbuf, 14) && l4_csum_ok(outbuf, o.data_size_out, 14));
	return v;
}

static void test_xdp_ctl(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_ctl");
	struct pb p;
	struct bpfh_test_run_opts o;
	char reply[128];
	uint64_t v;

	if (!prog)
		return;
	/* initial values from .data */
	ECHECK(gvar_u64(e, ".data", "limit") == 1000 && gvar_u64(e, ".data", "offset") == 100);
	ECHECK(ctl_send(prog, "show", 9999, reply) == 3);
	CHECK_STR(reply, "limit=1000 offset=100\n");
	ECHECK(ctl_send(prog, "limit 0x200\n", 9999, reply) == 3);
	CHECK_STR(reply, "limit=512 offset=100\n");
	ECHECK(ntraces == 1 && !strcmp(traces[0], "ctl: limit 1000 -> 512"));
	ECHECK(gvar_u64(e, ".data", "limit") == 512);
	/* upper case, a signed number, four trace arguments (bpf_trace_vprintk) */
	ECHECK(ctl_send(prog, "OFFSET -42\r\n", 9999, reply) == 3);
	CHECK_STR(reply, "limit=512 offset=-42\n");
	ECHECKF(ntraces == 1 && !strcmp(traces[0], "ctl: offset 100 -> -42 from c0a80105:40000"),
		"trace \"%s\"", ntraces ? traces[0] : "");
	ECHECK(gvar_u64(e, ".data", "offset") == (uint64_t)-42);
	/* octal through base 0; bad commands and numbers */
	ECHECK(ctl_send(prog, "limit 017", 9999, reply) == 3);
	CHECK_STR(reply, "limit=15 offset=-42\n");
	ECHECK(ctl_send(prog, "bogus", 9999, reply) == 3);
	CHECK_STR(reply, "error\n");
	ECHECK(ntraces == 1 && !strcmp(traces[0], "ctl: bad command 'bogus' (-22)"));
	ECHECK(ctl_send(prog, "limit abc", 9999, reply) == 3);
	CHECK_STR(reply, "error\n");
	ECHECK(ctl_send(prog, "offset 99999999999999999999", 9999, reply) == 3);
	CHECK_STR(reply, "error\n");
	ECHECK(ntraces == 1 && strstr(traces[0], "(-34)")); /* ERANGE */
	ECHECK(ctl_send(prog, "shows", 9999, reply) == 3);
	CHECK_STR(reply, "error\n");
	/* user space changes a setting in .data */
	v = 7;
	set_gvar(e, ".data", "limit", &v, sizeof(v));
	ECHECK(ctl_send(prog, "show\n", 9999, reply) == 3);
	CHECK_STR(reply, "limit=7 offset=-42\n");
	ECHECK(gvar_u64(e, ".bss", "commands") == 9);
	/* other ports, and the port from .rodata */
	ECHECK(ctl_send(prog, "show", 9998, reply) == 2);
	{
		uint16_t port = 9998;

		set_gvar(e, ".rodata", "ctl_port", &port, sizeof(port));
	}
	ECHECK(ctl_send(prog, "show", 9998, reply) == 3);
	CHECK_STR(reply, "limit=7 offset=-42\n");
	mk_arp(&p, mac_a);
	ECHECK(run_pkt(prog, &p, &o) == 2);
}

/* ---- xdp_tenant_policy: ARRAY_OF_MAPS and HASH_OF_MAPS with initial values ---- */

static void mk_tenant(struct pb *p, uint16_t vid, uint8_t proto, uint16_t dport)
{
	pb_eth(p, mac_b, mac_a, 0x8100);
	pb_vlan(p, vid, 0x0800);
	pb_ip4(p, proto, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 64, 0);
	if (proto == 6)
		pb_tcp(p, 1000, dport, TH_SYN);
	else
		pb_udp(p, 1000, dport);
	pb_finish(p);
}

static void test_xdp_tenant_policy(struct ex *e)
{
	struct bpfh_prog *prog = prog_of(e, "xdp_tenant_policy");
	struct bpfh_map *ports = map_of(e, "tenant_ports", 4, 4);
	struct bpfh_map *stats = map_of(e, "tenant_stats", 4, 4);
	struct bpfh_map *t1 = map_of(e, "tenant1_ports", 2, 4);
	struct bpfh_map *t2 = map_of(e, "tenant2_ports", 2, 4);
	struct bpfh_map *s1 = map_of(e, "tenant1_stats", 4, 8);
	struct bpfh_map *p3 = NULL, *st3 = NULL;
	struct bpfh_map_def def;
	struct bpfh_test_run_opts o;
	uint32_t k, rule = 1;
	uint16_t port;
	struct pb p;
	int i, slots = 0;

	if (!prog || !ports || !stats || !t1 || !t2 || !s1)
		return;
	/* the outer maps hold what the object's initial values say */
	for (i = 0; i < (int)e->obj->nmaps; i++)
		if (e->obj->maps[i].def.type == BPFH_MAP_TYPE_ARRAY_OF_MAPS ||
		    e->obj->maps[i].def.type == BPFH_MAP_TYPE_HASH_OF_MAPS)
			slots += (int)e->obj->maps[i].nslots;
	ECHECK(slots == 4);
	k = 1;
	ECHECK(bpfh_map_lookup_obj(ports, &k) == t1 && bpfh_map_lookup_obj(stats, &k) == s1);
	k = 2;
	ECHECK(bpfh_map_lookup_obj(ports, &k) == t2);
	k = 3;
	ECHECK(bpfh_map_lookup_obj(ports, &k) == NULL);

	port = 443;
	ECHECK(bpfh_map_update(t1, &port, &rule, BPFH_ANY) == 0);
	port = 53;
	ECHECK(bpfh_map_update(t2, &port, &rule, BPFH_ANY) == 0);
	mk_tenant(&p, 1, 6, 443);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	mk_tenant(&p, 1, 6, 80);
	ECHECK(run_pkt(prog, &p, &o) == 1);
	mk_tenant(&p, 1, 17, 53); /* tenant 2's port, not tenant 1's */
	ECHECK(run_pkt(prog, &p, &o) == 1);
	mk_tenant(&p, 2, 17, 53);
	ECHECK(run_pkt(prog, &p, &o) == 2);
	mk_tenant(&p, 3, 6, 22); /* no table */
	ECHECK(run_pkt(prog, &p, &o) == 1);
	mk_udp4(&p, IP4(10, 0, 0, 1), 1, IP4(10, 0, 0, 2), 2, NULL, 0); /* untagged */
	ECHECK(run_pkt(prog, &p, &o) == 2);
	ECHECK(u64_at(s1, 0) == 1 && u64_at(s1, 1) == 2);

	/* tenant 3 arrives at run time: inner maps shaped like the templates */
	memset(&def, 0, sizeof(def));
	def.type = BPFH_MAP_TYPE_HASH;
	def.key_size = 2;
	def.value_size = 4;
	def.max_entries = 256;
	snprintf(def.name, sizeof(def.name), "tenant3_ports");
	bpfh_log_init(&log_, logbuf, sizeof(logbuf));
	ECHECKF(bpfh_map_create(&def, NULL, &log_, &p3) == 0, "%s", logbuf);
	def.type = BPFH_MAP_TYPE_ARRAY;
	def.key_size = 4;
	def.value_size = 8;
	def.max_entries = 2;
	snprintf(def.name, sizeof(def.name), "tenant3_stats");
	ECHECKF(bpfh_map_create(&def, NULL, &log_, &st3) == 0, "%s", logbuf);
	if (p3 && st3) {
		port = 22;
		ECHECK(bpfh_map_update(p3, &port, &rule, BPFH_ANY) == 0);
		k = 3;
		ECHECK(bpfh_map_update_obj(ports, &k, p3, BPFH_ANY) == 0);
		ECHECK(bpfh_map_update_obj(stats, &k, st3, BPFH_NOEXIST) == 0);
		mk_tenant(&p, 3, 6, 22);
		ECHECK(run_pkt(prog, &p, &o) == 2);
		mk_tenant(&p, 3, 6, 23);
		ECHECK(run_pkt(prog, &p, &o) == 1);
		ECHECK(u64_at(st3, 0) == 1 && u64_at(st3, 1) == 1);
		/* an inner map of another shape is refused */
		ECHECK(bpfh_map_update_obj(ports, &k, st3, BPFH_ANY) == -EINVAL);
		/* tenant 3 leaves: its allowed port is dropped again */
		ECHECK(bpfh_map_update_obj(ports, &k, NULL, BPFH_ANY) == 0);
		mk_tenant(&p, 3, 6, 22);
		ECHECK(run_pkt(prog, &p, &o) == 1);
	}
	bpfh_map_put(p3);
	bpfh_map_put(st3);
}

/* ---- xdp_pass: every packet passes, untouched (the replay benchmark's baseline) ---- */

static void test_xdp_pass(struct ex *e)
{
	static const uint8_t payload[5] = { 'h', 'e', 'l', 'l', 'o' };
	struct bpfh_prog *prog = prog_of(e, "xdp_pass");
	struct bpfh_test_run_opts o;
	struct pb p;

	if (!prog)
		return;
	mk_udp4(&p, IP4(10, 0, 0, 1), 1000, IP4(10, 0, 0, 2), 2000, payload, sizeof(payload));
	ECHECK(run_pkt(prog, &p, &o) == 2);
	ECHECK(o.data_size_out == p.len && !memcmp(outbuf, p.b, p.len));
	mk_arp(&p, mac_a);
	ECHECK(run_pkt(prog, &p, &o) == 2);
}

/* ---- what the examples cover together ---- */

static const struct example {
	const char *name;
	void (*test)(struct ex *e);
} examples[] = {
	{ "xdp_firewall", test_xdp_firewall },
	{ "xdp_lb", test_xdp_lb },
	{ "xdp_l2_bridge", test_xdp_l2_bridge },
	{ "tc_proto_count", test_tc_proto_count },
	{ "sock_flow_tracker", test_sock_flow_tracker },
	{ "xdp_rate_limit", test_xdp_rate_limit },
	{ "xdp_dns_filter", test_xdp_dns_filter },
	{ "xdp_parse_chain", test_xdp_parse_chain },
	{ "tc_conn_logger", test_tc_conn_logger },
	{ "xdp_sampler", test_xdp_sampler },
	{ "tc_l4_classify", test_tc_l4_classify },
	{ "xdp_recent_sources", test_xdp_recent_sources },
	{ "xdp_snat", test_xdp_snat },
	{ "sock_legacy_count", test_sock_legacy_count },
	{ "cgroup_connect4", test_cgroup_connect4 },
	{ "bind_policy", test_bind_policy },
	{ "bind_audit", test_bind_audit },
	{ "xdp_ctl", test_xdp_ctl },
	{ "xdp_tenant_policy", test_xdp_tenant_policy },
	{ "xdp_pass", test_xdp_pass },
};

#define NEXAMPLES (sizeof(examples) / sizeof(examples[0]))

/* Open every example (no instance) and check what they use together: every map type, every
 * helper bpfhost implements, and the object features the examples exist to show. */
static void test_coverage(void)
{
	static const uint32_t map_types[] = {
		BPFH_MAP_TYPE_HASH, BPFH_MAP_TYPE_ARRAY, BPFH_MAP_TYPE_PROG_ARRAY,
		BPFH_MAP_TYPE_PERF_EVENT_ARRAY, BPFH_MAP_TYPE_PERCPU_HASH,
		BPFH_MAP_TYPE_PERCPU_ARRAY, BPFH_MAP_TYPE_LRU_HASH, BPFH_MAP_TYPE_LRU_PERCPU_HASH,
		BPFH_MAP_TYPE_LPM_TRIE, BPFH_MAP_TYPE_ARRAY_OF_MAPS, BPFH_MAP_TYPE_HASH_OF_MAPS,
		BPFH_MAP_TYPE_DEVMAP, BPFH_MAP_TYPE_QUEUE, BPFH_MAP_TYPE_STACK,
		BPFH_MAP_TYPE_DEVMAP_HASH, BPFH_MAP_TYPE_RINGBUF, BPFH_MAP_TYPE_BLOOM_FILTER,
	};
	static uint8_t called[4096], map_seen[64];
	unsigned kinds[BPFH_OBJ_MAP_INNER + 1] = { 0 }, prog_slots = 0, map_slots = 0;
	unsigned static_subprogs = 0, global_subprogs = 0, core = 0, loops = 0, types[64] = { 0 };
	char path[512];
	size_t i, j, k, id;

	snprintf(where, sizeof(where), "coverage");
	for (i = 0; i < NEXAMPLES; i++) {
		struct bpfh_object *obj = NULL;

		ex_path(path, sizeof(path), examples[i].name);
		bpfh_log_init(&log_, logbuf, sizeof(logbuf));
		if (!ECHECKF(bpfh_object_open_file(path, &log_, &obj) == 0, "%s", logbuf))
			continue;
		for (j = 0; j < obj->nmaps; j++) {
			const struct bpfh_obj_map *m = &obj->maps[j];

			kinds[m->kind]++;
			if (m->def.type < sizeof(map_seen))
				map_seen[m->def.type] = 1;
			if (m->def.type == BPFH_MAP_TYPE_PROG_ARRAY)
				prog_slots += (unsigned)m->nslots;
			else if (m->def.type == BPFH_MAP_TYPE_ARRAY_OF_MAPS ||
				 m->def.type == BPFH_MAP_TYPE_HASH_OF_MAPS)
				map_slots += (unsigned)m->nslots;
		}
		for (j = 0; j < obj->nprogs; j++) {
			const struct bpfh_obj_prog *p = &obj->progs[j];

			if (p->prog_type < sizeof(types) / sizeof(types[0]))
				types[p->prog_type]++;
			else if (p->prog_type == BPFH_PROG_TYPE_BIND)
				types[0]++;
			core += p->ncore_relos > 0;
			for (k = 0; k < p->count; k++) {
				const struct bpfh_insn *in = &p->insns[k];

				if (in->code == 0x85 && in->src == 0 && in->imm >= 0 &&
				    (size_t)in->imm < sizeof(called))
					called[in->imm] = 1;
				/* a backward jump: a loop the compiler kept */
				if ((in->code & 0x07) == 0x05 && in->code != 0x85 &&
				    in->code != 0x95 && in->off < 0)
					loops++;
			}
			for (k = 1; k < p->nfuncs; k++) {
				const struct bpfh_btf_type *t = obj->btf ?
					bpfh_btf_type_by_id(obj->btf, p->funcs[k].btf_id) : NULL;

				if (t && t->kind == BPFH_BTF_KIND_FUNC)
					*(t->vlen == BPFH_BTF_LINKAGE_GLOBAL ? &global_subprogs :
					  &static_subprogs) += 1;
			}
		}
		bpfh_object_destroy(obj);
	}
	for (i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		ECHECKF(map_seen[map_types[i]], "no example uses map type %s",
			bpfh_map_type_name(map_types[i]));
	for (id = 0; id < sizeof(called); id++)
		if (bpfh_helper_find((uint32_t)id))
			ECHECKF(called[id], "no example calls bpf_%s (%zu)", bpfh_helper_name((uint32_t)id),
				id);
	ECHECK(kinds[BPFH_OBJ_MAP_BTF] && kinds[BPFH_OBJ_MAP_LEGACY] && kinds[BPFH_OBJ_MAP_DATA] &&
	       kinds[BPFH_OBJ_MAP_RODATA] && kinds[BPFH_OBJ_MAP_BSS] && kinds[BPFH_OBJ_MAP_INNER]);
	ECHECKF(prog_slots >= 3 && map_slots >= 4, "%u program slots, %u map slots", prog_slots,
		map_slots);
	ECHECKF(static_subprogs >= 1 && global_subprogs >= 1, "%u static, %u global subprograms",
		static_subprogs, global_subprogs);
	ECHECK(core >= 1 && loops >= 1);
	ECHECK(types[BPFH_PROG_TYPE_XDP] >= 5 && types[BPFH_PROG_TYPE_SOCKET_FILTER] >= 2 &&
	       types[BPFH_PROG_TYPE_SCHED_CLS] >= 2 && types[BPFH_PROG_TYPE_CGROUP_SOCK_ADDR] &&
	       types[0] >= 2);
}

/* Every example built has a test here. */
static void test_all_listed(void)
{
	char dir[512];
	struct dirent *d;
	DIR *dp;
	size_t i, n;

	snprintf(where, sizeof(where), "examples directory");
	snprintf(dir, sizeof(dir), "%s/examples", build_dir);
	dp = opendir(dir);
	if (!ECHECKF(dp != NULL, "cannot list %s", dir))
		return;
	while ((d = readdir(dp))) {
		n = strlen(d->d_name);
		if (n <= 6 || strcmp(d->d_name + n - 6, ".bpf.o"))
			continue;
		for (i = 0; i < NEXAMPLES; i++)
			if (strlen(examples[i].name) == n - 6 &&
			    !strncmp(examples[i].name, d->d_name, n - 6))
				break;
		ECHECKF(i < NEXAMPLES, "%s/%s has no test in %s", dir, d->d_name, __FILE__);
	}
	closedir(dp);
}

static int file_exists(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (f)
		fclose(f);
	return f != NULL;
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
	/* Every example on every engine: the JIT must give the interpreters' results. */
	static const enum bpfh_engine engines[] = { BPFH_ENGINE_INTERP,
						    BPFH_ENGINE_INTERP_CHECKED, BPFH_ENGINE_JIT };
	char path[512];
	size_t i, j, present = 0;

	build_dir = getenv("BUILD");
	if (!build_dir || !*build_dir)
		build_dir = "build";
	for (i = 0; i < NEXAMPLES; i++) {
		ex_path(path, sizeof(path), examples[i].name);
		present += file_exists(path);
	}
	if (present == 0) {
		ex_path(path, sizeof(path), examples[0].name);
		printf("# examples: skipped, %s not built (no clang?)\n", path);
		return check_summary("examples");
	}
	test_all_listed();
	test_coverage();
	for (j = 0; j < sizeof(engines) / sizeof(engines[0]); j++) {
		engine = engines[j];
		if (engine == BPFH_ENGINE_JIT && !jit_available()) {
			printf("# examples: the JIT is not available on this host, skipped\n");
			continue;
		}
		for (i = 0; i < NEXAMPLES; i++) {
			struct ex e;

			if (ex_open(&e, examples[i].name))
				continue;
			examples[i].test(&e);
			ex_close(&e);
		}
	}
	return check_summary("examples");
}
