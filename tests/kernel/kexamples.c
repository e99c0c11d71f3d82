// SPDX-License-Identifier: MIT
/*
 * Differential test of the examples against the Linux kernel: every example object whose
 * programs are XDP, socket filter or tc is loaded in the kernel with libbpf and in bpfhost
 * (once on the interpreter, once on the checked interpreter), the maps of every side are
 * filled the same way where a program needs input (a small table of per-example setup:
 * .rodata settings before load, map contents after), the same packets go through
 * BPF_PROG_TEST_RUN and bpfh_prog_test_run, and the return values, output packets and
 * contexts are compared after each run; at the end the maps (every key and value), and the
 * records of ring buffers and perf event arrays, are compared too.
 *
 * Objects libbpf refuses to open (legacy "maps" sections, since libbpf 1.0) are loaded into
 * the kernel with bpf() directly: maps from bpfhost's parse of the object, programs as bpfhost
 * links them, their map references resolved by the kernel through fd_array.
 *
 * What is not compared, and why (a "note" line each): bytes of values and records that hold
 * clock readings or uninitialised padding (the table `masks`); inner-map templates; .kconfig;
 * the values of PROG_ARRAY and map-in-map slots, which are ids of each side's own objects
 * (which slots are filled is compared). Bloom filters cannot be listed: both sides are asked
 * about the values the test knows (the pushed ones must be present on both).
 *
 *   bpfh-kexamples [-v] [-vv] EXAMPLES-DIR [TRAFFIC.pcap]
 *
 * Packets: those of the pcap file (read with libpcap), then crafted ones (DNS queries, control
 * commands, TCP connections, VLAN tenants, IPv6 extension headers, ICMP, MAC learning, ...)
 * that reach the paths the pcap does not. Every program of an object sees every packet, in
 * order, on every side.
 *
 * Counting: one comparison is one run of one program on one packet on one bpfhost engine
 * against the kernel's run (return value, error, output packet and context all agree: passed;
 * anything differs: failed), plus one per map and per record stream of each object and
 * engine at the end. A kernel program that bpfhost cannot load is one failure per engine.
 * Programs of other types, and programs the kernel refuses (bpfhost's own sections such as
 * "bind", helpers Linux lacks for the type), are skipped, with the kernel's reason under -v.
 * Output:
 *   kernel-examples: N passed, N failed
 *   kernel-examples info: N objects, N programs compared on N packets, N skipped; ...
 * Where bpf() cannot be used: "kernel-examples: skipped (reason)", exit 0. Exit 1 on a
 * disagreement, 2 on bad usage.
 *
 * CPUs: the kernel runs a test run on the CPU the calling thread is on, bpfhost in CPU slot 0.
 * The test pins itself to CPU 0 so that both agree on what bpf_get_smp_processor_id() and
 * per-CPU lookups of another CPU's copy see; per-CPU maps are still compared as the sum over
 * all CPUs of each 8-byte (or 4-byte) word, which is what a counter means, since the two sides
 * have different numbers of possible CPUs (and the pinning may be refused).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#define PCAP_DONT_INCLUDE_PCAP_BPF_H /* its struct bpf_insn is classic BPF's */
#include <pcap/pcap.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfhost/contexts.h"
#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "kbpf.h"

#define MAX_PKT 2048
#define MAX_PKTS 1024
#define MAX_PROGS 32
#define MAX_MAPS 64
#define LOGBUF (1u << 16)

static int verbose;
static unsigned n_pass, n_fail;
static unsigned n_objects, n_compared_progs, n_skipped_progs, n_maps, n_maps_skipped;
static unsigned n_objects_skipped;
static int pinned;

/* ---- packets ---- */

struct pkt {
	char name[40];
	uint32_t ifindex;  /* ingress ifindex given in ctx_in (XDP), 0: none */
	uint32_t len;
	uint8_t data[MAX_PKT];
};

static struct pkt *pkts;
static size_t npkts;

static struct pkt *pkt_new(const char *name, uint32_t ifindex)
{
	struct pkt *p;

	if (npkts >= MAX_PKTS) {
		fprintf(stderr, "bpfh-kexamples: too many packets\n");
		exit(2);
	}
	p = &pkts[npkts++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ifindex = ifindex;
	return p;
}

static int read_pcap(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc = pcap_open_offline(path, err);
	unsigned i = 0;
	int rc;

	if (!pc) {
		fprintf(stderr, "bpfh-kexamples: %s: %s\n", path, err);
		return -1;
	}
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		char name[40];
		struct pkt *p;

		snprintf(name, sizeof(name), "pcap #%u", i++);
		if (h->caplen > MAX_PKT || h->caplen < 14)
			continue;
		p = pkt_new(name, 0);
		p->len = h->caplen;
		memcpy(p->data, data, h->caplen);
	}
	pcap_close(pc);
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t csum16(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x01 }, mac_b[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mac_aa[6] = { 0x02, 0, 0, 0, 0, 0xaa };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void b_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(p->data + p->len, dst, 6);
	memcpy(p->data + p->len + 6, src, 6);
	put16(p->data + p->len + 12, type);
	p->len += 14;
}

static void b_vlan(struct pkt *p, uint16_t vid, uint16_t next)
{
	put16(p->data + p->len, vid);
	put16(p->data + p->len + 2, next);
	p->len += 4;
}

/* An IPv4 header for l4len bytes after it (options: extra 4-byte words). */
static void b_ip4(struct pkt *p, const char *src, const char *dst, uint8_t proto, uint8_t ttl,
		  uint16_t frag, unsigned options, size_t l4len)
{
	uint8_t *ip = p->data + p->len;
	size_t hl = 20 + 4 * options;

	memset(ip, 0, hl);
	ip[0] = (uint8_t)(0x40 | (hl / 4));
	ip[1] = 0x20; /* DSCP 8 */
	put16(ip + 2, (uint16_t)(hl + l4len));
	put16(ip + 4, 0x1234);
	put16(ip + 6, frag);
	ip[8] = ttl;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	put16(ip + 10, csum16(ip, hl));
	p->len += (uint32_t)hl;
}

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };

static void b_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags, size_t payload)
{
	uint8_t *t = p->data + p->len;

	memset(t, 0, 20 + payload);
	put16(t, sport);
	put16(t + 2, dport);
	t[7] = 1;
	t[12] = 0x50;
	t[13] = flags;
	put16(t + 14, 65535);
	put16(t + 16, 0xabcd);
	memset(t + 20, 'p', payload);
	p->len += (uint32_t)(20 + payload);
}

static void b_udp(struct pkt *p, uint16_t sport, uint16_t dport, const void *payload, size_t n)
{
	uint8_t *u = p->data + p->len;

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + n));
	put16(u + 6, 0);
	memcpy(u + 8, payload, n);
	p->len += (uint32_t)(8 + n);
}

static void b_ip6(struct pkt *p, uint8_t nexthdr, uint8_t hop, uint8_t tclass, size_t plen)
{
	uint8_t *ip = p->data + p->len;

	memset(ip, 0, 40);
	ip[0] = (uint8_t)(0x60 | tclass >> 4);
	ip[1] = (uint8_t)(tclass << 4);
	put16(ip + 4, (uint16_t)plen);
	ip[6] = nexthdr;
	ip[7] = hop;
	inet_pton(AF_INET6, "2001:db8::1", ip + 8);
	inet_pton(AF_INET6, "2001:db8::2", ip + 24);
	p->len += 40;
}

/* An 8-byte extension header (hdrlen 0), or AH (hdrlen 1: 12 bytes, padded to 16 here). */
static void b_ext(struct pkt *p, uint8_t next, int ah)
{
	uint8_t *e = p->data + p->len;
	size_t n = ah ? 12 : 8;

	memset(e, 0, n);
	e[0] = next;
	e[1] = ah ? 1 : 0;
	p->len += (uint32_t)n;
}

/* A DNS query's wire-format name for a dotted name. */
static size_t dns_name(uint8_t *out, const char *name)
{
	size_t n = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		out[n++] = (uint8_t)l;
		memcpy(out + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	out[n++] = 0;
	return n;
}

/* The FNV-1a hash xdp_dns_filter computes over a wire-format name, letters folded. */
static uint32_t dns_hash(const char *name)
{
	uint8_t w[256];
	size_t n = dns_name(w, name), i;
	uint32_t h = 2166136261u;

	for (i = 0; i < n; i++) {
		uint8_t c = w[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static void dns_query(const char *label, const char *name, uint16_t flags, int truncate)
{
	struct pkt *p = pkt_new(label, 0);
	uint8_t msg[300];
	size_t n;

	memset(msg, 0, 12);
	put16(msg, 0x4242);
	put16(msg + 2, flags);
	put16(msg + 4, 1);
	n = 12 + dns_name(msg + 12, name);
	put16(msg + n, 1);
	put16(msg + n + 2, 1);
	n += 4;
	if (truncate)
		n = 12 + 6;
	b_eth(p, mac_a, mac_b, 0x0800);
	b_ip4(p, "10.1.3.7", "10.0.0.1", 17, 64, 0, 0, 8 + n);
	b_udp(p, 5353, 53, msg, n);
}

static void ctl_cmd(const char *label, const char *text)
{
	struct pkt *p = pkt_new(label, 0);
	size_t n = strlen(text);

	b_eth(p, mac_a, mac_b, 0x0800);
	b_ip4(p, "192.168.0.9", "10.0.0.1", 17, 64, 0, 0, 8 + n);
	b_udp(p, 40999, 9999, text, n);
}

static void tcp_pkt(const char *label, const char *src, const char *dst, uint16_t sport,
		    uint16_t dport, uint8_t flags)
{
	struct pkt *p = pkt_new(label, 0);

	b_eth(p, mac_a, mac_b, 0x0800);
	b_ip4(p, src, dst, 6, 64, 0, 0, 20 + 12);
	b_tcp(p, sport, dport, flags, 12);
}

static void vlan_pkt(const char *label, uint16_t outer_tpid, uint16_t vid, int qinq,
		     uint8_t proto, uint16_t dport)
{
	struct pkt *p = pkt_new(label, 0);

	b_eth(p, mac_a, mac_b, outer_tpid);
	if (qinq) {
		b_vlan(p, 100, 0x8100);
		b_vlan(p, vid, 0x0800);
	} else {
		b_vlan(p, vid, 0x0800);
	}
	if (proto == 6) {
		b_ip4(p, "10.2.0.5", "10.0.0.1", 6, 64, 0, 0, 20);
		b_tcp(p, 33000, dport, SYN, 0);
	} else {
		b_ip4(p, "10.2.0.5", "10.0.0.1", 17, 64, 0, 0, 8 + 4);
		b_udp(p, 33000, dport, "abcd", 4);
	}
}

static const char *const blocked_names[] = { "blocked.example", "ads.tracker.test" };
static const char *const dns_names[] = { "www.example.com", "BLOCKED.example", "ads.tracker.test",
					 "blocked.example", "new.example.org" };

static void craft_packets(void)
{
	struct pkt *p;
	unsigned i;

	/* DNS: new names, a repeat, blocked names (one in capitals), a response, truncation */
	dns_query("dns www.example.com", "www.example.com", 0x0100, 0);
	dns_query("dns www.example.com again", "www.example.com", 0x0100, 0);
	dns_query("dns BLOCKED.example", "BLOCKED.example", 0x0100, 0);
	dns_query("dns ads.tracker.test", "ads.tracker.test", 0x0100, 0);
	dns_query("dns new.example.org", "new.example.org", 0x0100, 0);
	dns_query("dns response", "www.example.com", 0x8180, 0);
	dns_query("dns truncated name", "www.example.com", 0x0100, 1);

	/* xdp_ctl commands */
	ctl_cmd("ctl limit 0x200", "limit 0x200\n");
	ctl_cmd("ctl OFFSET -42", "OFFSET -42\r\n");
	ctl_cmd("ctl show", "show");
	ctl_cmd("ctl bogus", "bogus command");
	ctl_cmd("ctl limit zz", "limit zz");
	ctl_cmd("ctl empty", "");

	/* TCP: a connection from inside, opened, used, closed; a reset; SYNs to a quiet port and
	 * from outside; enough new connections to exhaust a small port pool */
	tcp_pkt("tcp syn", "10.1.2.3", "10.0.0.1", 40001, 443, SYN);
	tcp_pkt("tcp ack", "10.1.2.3", "10.0.0.1", 40001, 443, ACK);
	tcp_pkt("tcp psh ack", "10.1.2.3", "10.0.0.1", 40001, 443, PSH | ACK);
	tcp_pkt("tcp fin ack", "10.1.2.3", "10.0.0.1", 40001, 443, FIN | ACK);
	tcp_pkt("tcp rst", "10.1.2.3", "10.0.0.1", 40002, 443, RST);
	tcp_pkt("tcp syn quiet port", "10.1.2.3", "10.0.0.1", 40003, 22, SYN);
	tcp_pkt("tcp syn-ack outside", "192.168.0.9", "10.0.0.1", 443, 40001, SYN | ACK);
	for (i = 0; i < 7; i++) {
		char name[40];

		snprintf(name, sizeof(name), "tcp syn pool %u", i);
		tcp_pkt(name, "10.1.9.1", "10.0.0.1", (uint16_t)(41000 + i), 80, SYN);
	}
	tcp_pkt("tcp syn to lb udp vip", "10.1.9.2", "10.0.0.1", 41100, 53, SYN);

	/* VLANs: tenants 1-3, QinQ, a priority tag */
	vlan_pkt("vlan 1 tcp 443", 0x8100, 1, 0, 6, 443);
	vlan_pkt("vlan 1 tcp 22", 0x8100, 1, 0, 6, 22);
	vlan_pkt("vlan 2 udp 53", 0x8100, 2, 0, 17, 53);
	vlan_pkt("vlan 2 tcp 53", 0x8100, 2, 0, 6, 53);
	vlan_pkt("vlan 3 tcp 443", 0x8100, 3, 0, 6, 443);
	vlan_pkt("qinq 100/1 udp 53", 0x88a8, 1, 1, 17, 53);
	vlan_pkt("vlan 0 tcp 80", 0x8100, 0, 0, 6, 80);
	p = pkt_new("vlan 1 ipv6", 0);
	b_eth(p, mac_a, mac_b, 0x8100);
	b_vlan(p, 1, 0x86dd);
	b_ip6(p, 59, 64, 0, 0);
	p = pkt_new("vlan 1 short", 0);
	b_eth(p, mac_a, mac_b, 0x8100);
	put16(p->data + p->len, 1);
	p->len += 2;

	/* IPv6: plain TCP, extension header chains of 5 and 7, hop limit 1, a DSCP */
	p = pkt_new("ipv6 tcp", 0);
	b_eth(p, mac_a, mac_b, 0x86dd);
	b_ip6(p, 6, 64, 0xb8, 20);
	b_tcp(p, 5000, 443, SYN, 0);
	p = pkt_new("ipv6 5 ext headers udp", 0);
	b_eth(p, mac_a, mac_b, 0x86dd);
	b_ip6(p, 0, 64, 0x28, 8 * 4 + 12 + 8 + 4);
	b_ext(p, 43, 0);  /* hop-by-hop -> routing */
	b_ext(p, 44, 0);  /* routing -> fragment */
	b_ext(p, 60, 0);  /* fragment -> destination options */
	b_ext(p, 51, 0);  /* destination options -> AH */
	b_ext(p, 17, 1);  /* AH -> UDP */
	b_udp(p, 5000, 53, "abcd", 4);
	p = pkt_new("ipv6 7 ext headers", 0);
	b_eth(p, mac_a, mac_b, 0x86dd);
	b_ip6(p, 0, 64, 0, 8 * 7 + 8);
	for (i = 0; i < 6; i++)
		b_ext(p, 60, 0);
	b_ext(p, 17, 0);
	b_udp(p, 5000, 53, "", 0);
	p = pkt_new("ipv6 hop limit 1", 0);
	b_eth(p, mac_a, mac_b, 0x86dd);
	b_ip6(p, 59, 1, 0, 0);
	p = pkt_new("ipv6 truncated", 0);
	b_eth(p, mac_a, mac_b, 0x86dd);
	memset(p->data + p->len, 0x60, 20);
	p->len += 20;

	/* IPv4 oddities: TTL 1, options, a fragment, a runt, a long datagram */
	p = pkt_new("ipv4 ttl 1", 0);
	b_eth(p, mac_a, mac_b, 0x0800);
	b_ip4(p, "172.16.5.1", "10.0.0.1", 17, 1, 0, 0, 8);
	b_udp(p, 1, 2, "", 0);
	p = pkt_new("ipv4 options", 0);
	b_eth(p, mac_a, mac_b, 0x0800);
	b_ip4(p, "172.16.5.2", "10.0.0.1", 6, 64, 0, 1, 20);
	b_tcp(p, 40000, 443, SYN, 0);
	p = pkt_new("ipv4 fragment", 0);
	b_eth(p, mac_a, mac_b, 0x0800);
	b_ip4(p, "172.16.5.3", "10.0.0.1", 6, 64, 0x2000, 0, 20);
	b_tcp(p, 40000, 443, SYN, 0);
	p = pkt_new("ipv4 runt", 0);
	b_eth(p, mac_a, mac_b, 0x0800);
	memset(p->data + p->len, 0x45, 10);
	p->len += 10;
	p = pkt_new("ipv4 ihl 4", 0);
	b_eth(p, mac_a, mac_b, 0x0800);
	b_ip4(p, "172.16.5.4", "10.0.0.1", 17, 64, 0, 0, 8);
	p->data[14] = 0x44;
	b_udp(p, 1, 2, "", 0);
	p = pkt_new("ipv4 udp 1400 bytes", 0);
	b_eth(p, mac_a, mac_b, 0x0800);
	b_ip4(p, "192.168.0.7", "10.0.0.1", 17, 64, 0, 0, 8 + 1400);
	{
		static uint8_t big[1400];

		memset(big, 'z', sizeof(big));
		b_udp(p, 4000, 53, big, sizeof(big));
	}
	p = pkt_new("ipv4 tot_len too large", 0);
	b_eth(p, mac_a, mac_b, 0x0800);
	b_ip4(p, "192.168.0.8", "10.0.0.1", 17, 64, 0, 0, 500);
	b_udp(p, 4000, 4001, "abcd", 4);

	/* ICMP: four echo requests (the ICMP budget), from a blocked network */
	for (i = 0; i < 4; i++) {
		char name[40];
		uint8_t *ic;

		snprintf(name, sizeof(name), "icmp echo %u", i);
		p = pkt_new(name, 0);
		b_eth(p, mac_a, mac_b, 0x0800);
		b_ip4(p, "10.1.2.9", "10.0.0.1", 1, 64, 0, 0, 16);
		ic = p->data + p->len;
		memset(ic, 0, 16);
		ic[0] = 8;
		put16(ic + 6, (uint16_t)i);
		put16(ic + 2, csum16(ic, 16));
		p->len += 16;
	}

	/* A burst from one source (rate limiting) */
	for (i = 0; i < 6; i++) {
		char name[40];

		snprintf(name, sizeof(name), "burst %u", i);
		p = pkt_new(name, 0);
		b_eth(p, mac_a, mac_b, 0x0800);
		b_ip4(p, "172.16.5.77", "10.0.0.1", 17, 64, 0, 0, 8 + 4);
		b_udp(p, 7000, 7001, "rate", 4);
	}

	/* MAC learning: a station heard on ifindex 1 (lo), then frames to it from "no
	 * interface" (0) and from ifindex 1, a multicast source, a broadcast */
	p = pkt_new("l2 from aa on 1", 1);
	b_eth(p, mac_a, mac_aa, 0x0806);
	memset(p->data + p->len, 0, 28);
	p->len += 28;
	p = pkt_new("l2 to aa from 0", 0);
	b_eth(p, mac_aa, mac_b, 0x0806);
	memset(p->data + p->len, 0, 28);
	p->len += 28;
	p = pkt_new("l2 to aa from 1", 1);
	b_eth(p, mac_aa, mac_b, 0x0806);
	memset(p->data + p->len, 0, 28);
	p->len += 28;
	p = pkt_new("l2 to b from 1", 1);
	b_eth(p, mac_b, mac_a, 0x0800);
	b_ip4(p, "10.1.3.40", "10.0.0.1", 6, 64, 0, 0, 20);
	b_tcp(p, 40000, 443, SYN, 0);
	p = pkt_new("l2 multicast source", 0);
	{
		const uint8_t mc[6] = { 0x01, 0, 0x5e, 0, 0, 1 };

		b_eth(p, mac_b, mc, 0x0806);
	}
	memset(p->data + p->len, 0, 28);
	p->len += 28;
	p = pkt_new("l2 broadcast", 0);
	b_eth(p, mac_bcast, mac_aa, 0x0806);
	memset(p->data + p->len, 0, 28);
	p->len += 28;
	p = pkt_new("ethernet only", 0);
	b_eth(p, mac_a, mac_b, 0x0800);
}

/* ---- libbpf's messages ---- */

static char *lbf_log;
static size_t lbf_len;

static int lbf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || !lbf_log)
		return 0;
	n = vsnprintf(lbf_log + lbf_len, LOGBUF - lbf_len, fmt, ap);
	if (n > 0)
		lbf_len = lbf_len + (size_t)n < LOGBUF ? lbf_len + (size_t)n : LOGBUF - 1;
	return 0;
}

static void lbf_reset(void)
{
	lbf_len = 0;
	lbf_log[0] = '\0';
}

/* The reason libbpf's messages give for a failed load: the verifier's, or libbpf's own. */
static void lbf_reason(char *out, size_t size)
{
	const char *b = strstr(lbf_log, "-- BEGIN PROG LOAD LOG --");
	const char *e = b ? strstr(b, "-- END PROG LOAD LOG --") : NULL;
	char *vlog, *line, *last = NULL;

	if (b && e) {
		b = strchr(b, '\n');
		if (b && b < e) {
			vlog = strndup(b + 1, (size_t)(e - b - 1));
			if (vlog) {
				kbpf_log_reason(vlog, out, size);
				free(vlog);
				return;
			}
		}
	}
	/* The last line of libbpf's own that says something failed. */
	vlog = strdup(lbf_log);
	if (!vlog) {
		snprintf(out, size, "?");
		return;
	}
	for (line = strtok(vlog, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "fail") || strstr(line, "unknown") || strstr(line, "invalid") ||
		    strstr(line, "not supported") || strstr(line, "missing"))
			last = line;
	snprintf(out, size, "%s", last ? last : "no reason given");
	free(vlog);
}

/* ---- one example's sides ---- */

enum { S_KERNEL, S_INTERP, S_CHECKED, S__COUNT };
static const char *const side_name[S__COUNT] = { "kernel", "interp", "interp-checked" };

struct rec {
	uint32_t len;
	uint8_t *data;
};

struct reclist {
	struct rec *r;
	size_t n, cap;
	uint64_t lost;
};

struct side {
	int kind;
	const char *example;
	const struct bpfh_object *obj;
	/* the kernel: loaded by libbpf (kobj), or where libbpf refuses the object, by bpf()
	 * directly from bpfhost's parse of it (kraw: maps created from its definitions, programs
	 * loaded with their lddw map references resolved through fd_array) */
	struct bpf_object *kobj;
	int kraw;
	int kmap[MAX_MAPS];               /* map fds by object map index, -1: none */
	int kprog[MAX_PROGS];             /* program fds by object program index, -1: none */
	uint8_t *kinit[MAX_MAPS];         /* kraw: global data to fill the maps with */
	struct bpfh_instance *inst;       /* bpfhost */
	int setup_errors;
	char setup_msg[256];
	struct reclist recs[MAX_MAPS];    /* per map index: ring buffer and perf records */
	struct ring_buffer *krb;
	struct perf_buffer *kpb[MAX_MAPS];
	struct bpfh_ringbuf_consumer *hrb;
	struct bpfh_perfbuf *hpb[MAX_MAPS];
};

static int is_kernel(const struct side *s)
{
	return s->kind == S_KERNEL;
}

static void setup_error(struct side *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->setup_errors++) {
		va_start(ap, fmt);
		vsnprintf(s->setup_msg, sizeof(s->setup_msg), fmt, ap);
		va_end(ap);
	}
}

/* The kernel's fd of the object's map called name, or -1. */
static int kmap_fd(const struct side *s, const char *name)
{
	int i = bpfh_object_find_map(s->obj, name);

	return i >= 0 && i < MAX_MAPS ? s->kmap[i] : -1;
}

/* Offset of a variable of .rodata, from the object's BTF (the same file on every side); -1
 * when there is none of that size. */
static long rodata_offset(const struct bpfh_object *obj, const char *var, size_t size)
{
	struct bpfh_btf *btf = obj->btf;
	struct bpfh_btf_var_secinfo vs;
	const struct bpfh_btf_type *t;
	uint32_t i;
	int64_t id;

	id = btf ? bpfh_btf_find(btf, ".rodata", BPFH_BTF_KIND_DATASEC) : -1;
	t = id > 0 ? bpfh_btf_type_by_id(btf, (uint32_t)id) : NULL;
	for (i = 0; t && i < t->vlen; i++) {
		const struct bpfh_btf_type *v;

		if (bpfh_btf_datasec_var(btf, (uint32_t)id, i, &vs))
			continue;
		v = bpfh_btf_type_by_id(btf, vs.type);
		if (v && !strcmp(v->name, var) && vs.size == size)
			return vs.offset;
	}
	return -1;
}

/* Set a .rodata variable: the kernel's before load (its verifier takes frozen read-only data
 * as constants), bpfhost's in the live map before any run. */
static void s_rodata(struct side *s, const char *var, const void *val, size_t size)
{
	long off = rodata_offset(s->obj, var, size);
	int idx = bpfh_object_find_map(s->obj, ".rodata");
	uint32_t zero = 0;
	uint8_t *base = NULL;

	if (off < 0 || idx < 0 || (size_t)off + size > s->obj->maps[idx].def.value_size) {
		setup_error(s, "no %zu-byte variable %s in .rodata", size, var);
		return;
	}
	if (is_kernel(s) && s->kobj) {
		struct bpf_map *m = bpf_object__find_map_by_name(s->kobj, ".rodata");
		const void *init = m ? bpf_map__initial_value(m, &(size_t){ 0 }) : NULL;
		size_t isize = s->obj->maps[idx].def.value_size;
		uint8_t *copy = init ? malloc(isize) : NULL;

		if (!copy) {
			setup_error(s, "no .rodata for %s", var);
			return;
		}
		memcpy(copy, init, isize);
		memcpy(copy + off, val, size);
		if (bpf_map__set_initial_value(m, copy, isize))
			setup_error(s, "cannot set %s", var);
		free(copy);
		return;
	}
	if (is_kernel(s))
		base = idx < MAX_MAPS ? s->kinit[idx] : NULL;
	else if (bpfh_instance_map_at(s->inst, (size_t)idx))
		base = bpfh_map_lookup_ptr(bpfh_instance_map_at(s->inst, (size_t)idx), &zero);
	if (!base) {
		setup_error(s, "no .rodata for %s", var);
		return;
	}
	memcpy(base + off, val, size);
}

static void s_rodata32(struct side *s, const char *var, uint32_t v)
{
	s_rodata(s, var, &v, sizeof(v));
}

static void s_rodata64(struct side *s, const char *var, uint64_t v)
{
	s_rodata(s, var, &v, sizeof(v));
}

/* Update (key NULL: push) a map element, as bpf_map_update_elem from user space. */
static void s_update(struct side *s, const char *map, const void *key, const void *val,
		     uint64_t flags)
{
	int err;

	if (is_kernel(s)) {
		int fd = kmap_fd(s, map);

		err = fd >= 0 ? bpf_map_update_elem(fd, key, val, flags) : -ENOENT;
		if (err)
			err = -errno;
	} else {
		struct bpfh_map *m = bpfh_instance_map(s->inst, map);

		err = m ? bpfh_map_update(m, key, val, flags) : -ENOENT;
	}
	if (err)
		setup_error(s, "update of %s: %s", map, strerror(-err));
}

/* ---- per-example setup ---- */

static void ip4(const char *text, void *out)
{
	inet_pton(AF_INET, text, out);
}

static void fw_setup(struct side *s)
{
	static const struct { const char *net; uint32_t len, val; } rules[] = {
		{ "10.1.2.0", 24, 1 }, { "172.16.0.0", 12, 2 }, { "192.168.0.8", 29, 3 },
		{ "10.1.3.32", 27, 4 }, { "10.1.3.7", 32, 5 },
	};
	struct { uint32_t prefixlen; uint8_t addr[4]; } key;
	unsigned i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		key.prefixlen = rules[i].len;
		ip4(rules[i].net, key.addr);
		s_update(s, "blocklist", &key, &rules[i].val, BPF_ANY);
	}
}

static void dns_setup(struct side *s)
{
	struct { uint32_t id, pad; uint64_t hits; } rule;
	unsigned i;

	for (i = 0; i < sizeof(blocked_names) / sizeof(blocked_names[0]); i++) {
		uint32_t h = dns_hash(blocked_names[i]);

		s_update(s, "blocked", NULL, &h, BPF_ANY);
		memset(&rule, 0, sizeof(rule));
		rule.id = 100 + i;
		s_update(s, "block_rules", &h, &rule, BPF_NOEXIST);
	}
}

static void ctl_rodata(struct side *s)
{
	s_rodata(s, "ctl_port", &(uint16_t){ 9999 }, 2);
}

static void lb_rodata(struct side *s)
{
	uint32_t a;

	ip4("10.0.0.254", &a);
	s_rodata32(s, "lb_src_ip", a);
}

static void lb_setup(struct side *s)
{
	struct { uint8_t vip[4]; uint16_t port; uint8_t proto, pad; } vk;
	struct { uint32_t first, count; } vm;
	struct { uint8_t ip[4]; uint32_t tx_port; uint8_t mac[6], pad[2]; uint64_t packets; } be;
	uint32_t i, ifindex = 1;

	memset(&vk, 0, sizeof(vk));
	ip4("10.0.0.1", vk.vip);
	vk.port = htons(443);
	vk.proto = 6;
	vm.first = 0;
	vm.count = 3;
	s_update(s, "services", &vk, &vm, BPF_ANY);
	vk.port = htons(53);
	vk.proto = 17;
	vm.first = 3;
	vm.count = 1;
	s_update(s, "services", &vk, &vm, BPF_ANY);
	vk.proto = 6; /* 53/TCP: a service without backends */
	vm.first = 0;
	vm.count = 0;
	s_update(s, "services", &vk, &vm, BPF_ANY);
	for (i = 0; i < 4; i++) {
		memset(&be, 0, sizeof(be));
		be.ip[0] = 10, be.ip[1] = 9, be.ip[3] = (uint8_t)(1 + i);
		be.tx_port = i; /* tx port 2 and 3 have no interface: the redirect fails */
		memcpy(be.mac, mac_aa, 6);
		be.mac[5] = (uint8_t)(0xb0 + i);
		s_update(s, "backends", &i, &be, BPF_ANY);
	}
	for (i = 0; i < 2; i++)
		s_update(s, "tx_ports", &i, &ifindex, BPF_ANY);
}

static void bridge_setup(struct side *s)
{
	uint32_t one = 1;

	s_update(s, "ports", &one, &one, BPF_ANY);
}

static void snat_rodata(struct side *s)
{
	uint32_t a;

	ip4("203.0.113.7", &a);
	s_rodata32(s, "nat_addr", a);
	ip4("10.1.0.0", &a);
	s_rodata32(s, "inside_net", a);
	ip4("255.255.0.0", &a);
	s_rodata32(s, "inside_mask", a);
}

static void snat_setup(struct side *s)
{
	uint16_t port;

	for (port = 20000; port < 20005; port++)
		s_update(s, "free_ports", NULL, &port, BPF_ANY);
}

static void tenant_setup(struct side *s)
{
	uint16_t port;
	uint32_t rule;

	port = 443, rule = 1;
	s_update(s, "tenant1_ports", &port, &rule, BPF_ANY);
	port = 80, rule = 2;
	s_update(s, "tenant1_ports", &port, &rule, BPF_ANY);
	port = 53, rule = 3;
	s_update(s, "tenant2_ports", &port, &rule, BPF_ANY);
}

static void logger_setup(struct side *s)
{
	uint16_t port = 22;
	uint8_t one = 1;

	s_update(s, "quiet_ports", &port, &one, BPF_ANY);
}

/* nr_cpus is each side's number of possible CPUs, so that the ICMP budget sums them all. */
static void proto_rodata(struct side *s)
{
	s_rodata32(s, "nr_cpus", is_kernel(s) ? (uint32_t)libbpf_num_possible_cpus() :
		   bpfh_cpu_possible());
	s_rodata64(s, "icmp_budget", 2);
}

/* Every packet sampled, so that the records do not depend on bpf_get_prandom_u32. */
static void sampler_rodata(struct side *s)
{
	s_rodata32(s, "sample_rate", 1);
}

/* One packet per second with bursts of 3: the burst's 4th packet onwards is dropped however
 * slowly the test runs. */
static void rate_rodata(struct side *s)
{
	s_rodata64(s, "rate_pps", 1);
	s_rodata64(s, "burst", 3);
}

/* Bytes of values (or records) that legitimately differ between the kernel and bpfhost. */
struct mask {
	const char *example, *map;
	uint32_t off, len;
	const char *why;
};

static const struct mask masks[] = {
	{ "xdp_l2_bridge", "fdb", 8, 8, "seen_ns: a clock reading" },
	{ "xdp_rate_limit", "buckets", 8, 16, "credit_ns and last_ns: clock readings" },
	{ "xdp_recent_sources", "history", 8, 8, "jiffies: a clock reading" },
	{ "sock_flow_tracker", "flows", 16, 16, "first_ns and last_ns: clock readings" },
	{ "tc_conn_logger", "events", 0, 8, "ts_ns: a clock reading" },
	{ "tc_proto_count", ".rodata", 0, 4, "nr_cpus: each side's number of possible CPUs" },
};

struct example {
	const char *name;
	void (*rodata)(struct side *s); /* before load */
	void (*setup)(struct side *s);  /* after load, before the packets */
};

static const struct example examples[] = {
	{ "xdp_firewall", NULL, fw_setup },
	{ "xdp_dns_filter", NULL, dns_setup },
	{ "xdp_ctl", ctl_rodata, NULL },
	{ "xdp_lb", lb_rodata, lb_setup },
	{ "xdp_l2_bridge", NULL, bridge_setup },
	{ "xdp_snat", snat_rodata, snat_setup },
	{ "xdp_tenant_policy", NULL, tenant_setup },
	{ "xdp_sampler", sampler_rodata, NULL },
	{ "xdp_rate_limit", rate_rodata, NULL },
	{ "tc_conn_logger", NULL, logger_setup },
	{ "tc_proto_count", proto_rodata, NULL },
};

static const struct example *find_example(const char *name)
{
	static const struct example generic = { NULL, NULL, NULL };
	size_t i;

	for (i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		if (!strcmp(examples[i].name, name))
			return &examples[i];
	return &generic;
}

/* ---- records: ring buffers and perf event arrays ---- */

static void rec_add(struct reclist *l, const void *data, size_t len)
{
	struct rec *r;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct rec *nr = realloc(l->r, cap * sizeof(*nr));

		if (!nr)
			return;
		l->r = nr;
		l->cap = cap;
	}
	r = &l->r[l->n];
	r->data = malloc(len ? len : 1);
	if (!r->data)
		return;
	memcpy(r->data, data, len);
	r->len = (uint32_t)len;
	l->n++;
}

static int krb_sample(void *ctx, void *data, size_t size)
{
	rec_add(ctx, data, size);
	return 0;
}

static int hrb_sample(void *ctx, void *data, size_t size)
{
	rec_add(ctx, data, size);
	return 0;
}

static void kpb_sample(void *ctx, int cpu, void *data, __u32 size)
{
	(void)cpu;
	rec_add(ctx, data, size);
}

static void kpb_lost(void *ctx, int cpu, __u64 cnt)
{
	(void)cpu;
	((struct reclist *)ctx)->lost += cnt;
}

static void hpb_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	(void)cpu;
	rec_add(ctx, data, size);
}

static void hpb_lost(void *ctx, int cpu, uint64_t cnt)
{
	(void)cpu;
	((struct reclist *)ctx)->lost += cnt;
}

/* Attach readers to the ring buffers and perf event arrays (before any run: a perf event
 * array only takes records where something listens). */
static void attach_readers(struct side *s)
{
	size_t i;

	for (i = 0; i < s->obj->nmaps && i < MAX_MAPS; i++) {
		const struct bpfh_obj_map *om = &s->obj->maps[i];
		uint32_t type = om->def.type;
		int err = 0;

		if (type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		if (is_kernel(s)) {
			int fd = s->kmap[i];

			if (fd < 0) {
				err = -ENOENT;
			} else if (type == BPF_MAP_TYPE_RINGBUF && !s->krb) {
				s->krb = ring_buffer__new(fd, krb_sample, &s->recs[i], NULL);
				err = s->krb ? 0 : -errno;
			} else if (type == BPF_MAP_TYPE_RINGBUF) {
				err = ring_buffer__add(s->krb, fd, krb_sample, &s->recs[i]);
			} else {
				s->kpb[i] = perf_buffer__new(fd, 8, kpb_sample, kpb_lost,
							     &s->recs[i], NULL);
				err = s->kpb[i] ? 0 : -errno;
			}
		} else {
			struct bpfh_map *m = bpfh_instance_map_at(s->inst, i);

			if (type == BPF_MAP_TYPE_RINGBUF && !s->hrb)
				err = bpfh_ringbuf_consumer_create(m, hrb_sample, &s->recs[i],
								   &s->hrb);
			else if (type == BPF_MAP_TYPE_RINGBUF)
				err = bpfh_ringbuf_consumer_add(s->hrb, m, hrb_sample, &s->recs[i]);
			else
				err = bpfh_perfbuf_create(m, 8, hpb_sample, hpb_lost, &s->recs[i],
							  &s->hpb[i]);
		}
		if (err)
			setup_error(s, "reader for %s: %s", om->name, strerror(-err));
	}
}

static void consume_readers(struct side *s)
{
	size_t i;

	if (s->krb)
		ring_buffer__consume(s->krb);
	if (s->hrb)
		bpfh_ringbuf_consumer_consume(s->hrb);
	for (i = 0; i < MAX_MAPS; i++) {
		if (s->kpb[i])
			perf_buffer__consume(s->kpb[i]);
		if (s->hpb[i])
			bpfh_perfbuf_consume(s->hpb[i]);
	}
}

static void side_release(struct side *s)
{
	size_t i, j;

	ring_buffer__free(s->krb);
	bpfh_ringbuf_consumer_destroy(s->hrb);
	for (i = 0; i < MAX_MAPS; i++) {
		perf_buffer__free(s->kpb[i]);
		bpfh_perfbuf_destroy(s->hpb[i]);
		for (j = 0; j < s->recs[i].n; j++)
			free(s->recs[i].r[j].data);
		free(s->recs[i].r);
		free(s->kinit[i]);
		if (s->kraw && s->kmap[i] >= 0)
			close(s->kmap[i]);
	}
	for (i = 0; s->kraw && i < MAX_PROGS; i++)
		if (s->kprog[i] >= 0)
			close(s->kprog[i]);
	bpf_object__close(s->kobj);
	bpfh_instance_destroy(s->inst);
	memset(s, 0, sizeof(*s));
}

/* A fresh kernel side for obj (nothing loaded). */
static void kernel_side(struct side *s, const struct bpfh_object *obj, const char *example)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->kind = S_KERNEL;
	s->obj = obj;
	s->example = example;
	for (i = 0; i < MAX_MAPS; i++)
		s->kmap[i] = -1;
	for (i = 0; i < MAX_PROGS; i++)
		s->kprog[i] = -1;
}

/* ---- test runs ---- */

static int prog_type_compared(uint32_t type)
{
	return type == BPF_PROG_TYPE_XDP || type == BPF_PROG_TYPE_SOCKET_FILTER ||
	       type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT;
}

struct result {
	int err;
	uint32_t retval;
	uint32_t len;
	uint8_t data[MAX_PKT + 512];
	union {
		struct xdp_md xdp;
		struct __sk_buff skb;
	} ctx;
	char msg[256];
};

static void run_one(struct side *s, size_t prog, uint32_t type, const struct pkt *p,
		    struct result *r)
{
	union {
		struct xdp_md xdp;
		struct __sk_buff skb;
	} in;
	uint32_t ctx_size = type == BPF_PROG_TYPE_XDP ? sizeof(in.xdp) : sizeof(in.skb);

	memset(r, 0, sizeof(*r));
	memset(&in, 0, sizeof(in));
	if (type == BPF_PROG_TYPE_XDP) {
		in.xdp.data_end = p->len;
		in.xdp.ingress_ifindex = p->ifindex;
	}
	if (is_kernel(s)) {
		int fd = s->kprog[prog];
		struct bpf_test_run_opts o;

		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
		o.data_in = p->data;
		o.data_size_in = p->len;
		o.data_out = r->data;
		o.data_size_out = sizeof(r->data);
		o.ctx_in = &in;
		o.ctx_size_in = ctx_size;
		o.ctx_out = &r->ctx;
		o.ctx_size_out = ctx_size;
		o.repeat = 1;
		r->err = fd >= 0 ? bpf_prog_test_run_opts(fd, &o) : -ENOENT;
		if (r->err)
			r->err = -errno;
		r->retval = o.retval;
		r->len = o.data_size_out;
	} else {
		struct bpfh_prog *hp = bpfh_instance_prog_at(s->inst, prog);
		struct bpfh_test_run_opts o;
		struct bpfh_log log;

		bpfh_log_init(&log, r->msg, sizeof(r->msg));
		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
		o.data_in = p->data;
		o.data_size_in = p->len;
		o.data_out = r->data;
		o.data_size_out = sizeof(r->data);
		o.ctx_in = &in;
		o.ctx_size_in = ctx_size;
		o.ctx_out = &r->ctx;
		o.ctx_size_out = ctx_size;
		o.repeat = 1;
		o.log = &log;
		o.insn_limit = 10000000;
		r->err = hp ? bpfh_prog_test_run(hp, &o) : -ENOENT;
		r->retval = o.retval;
		r->len = o.data_size_out;
		r->msg[strcspn(r->msg, "\n")] = '\0';
	}
}

static void hex(char *out, size_t size, const uint8_t *b, size_t n)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < n && o + 4 < size; i++)
		o += (size_t)snprintf(out + o, size - o, "%02x", b[i]);
	if (i < n && o + 4 < size)
		snprintf(out + o, size - o, "..");
}

/* Compare one run with the kernel's; 0 when they agree, else a message in why. */
static int compare_run(uint32_t type, const struct result *k, const struct result *h,
		       char *why, size_t size)
{
	char a[80], b[80];
	size_t i;

	if (k->err || h->err) {
		if (k->err == h->err)
			return 0;
		snprintf(why, size, "test run: kernel %s, bpfhost %s%s%s", strerror(-k->err),
			 strerror(-h->err), h->msg[0] ? ": " : "", h->msg);
		return -1;
	}
	if (k->retval != h->retval) {
		snprintf(why, size, "return value: kernel %u, bpfhost %u", k->retval, h->retval);
		return -1;
	}
	if (k->len != h->len || memcmp(k->data, h->data, k->len)) {
		for (i = 0; i < k->len && i < h->len && k->data[i] == h->data[i]; i++)
			;
		hex(a, sizeof(a), k->data + i, k->len > i ? k->len - i : 0);
		hex(b, sizeof(b), h->data + i, h->len > i ? h->len - i : 0);
		snprintf(why, size, "output packet: kernel %u bytes, bpfhost %u; first difference "
			 "at byte %zu: kernel %s, bpfhost %s", k->len, h->len, i, a, b);
		return -1;
	}
	if (type == BPF_PROG_TYPE_XDP) {
		const struct xdp_md *x = &k->ctx.xdp, *y = &h->ctx.xdp;

		if (x->data != y->data || x->data_end != y->data_end ||
		    x->data_meta != y->data_meta || x->ingress_ifindex != y->ingress_ifindex ||
		    x->rx_queue_index != y->rx_queue_index) {
			snprintf(why, size, "ctx_out: kernel data %u data_end %u "
				 "ingress_ifindex %u rx_queue %u, bpfhost %u %u %u %u", x->data,
				 x->data_end,
				 x->ingress_ifindex, x->rx_queue_index, y->data, y->data_end,
				 y->ingress_ifindex, y->rx_queue_index);
			return -1;
		}
	} else {
		/* The fields Linux's test run writes back (convert_skb_to___skb); the others
		 * keep what ctx_in had on the kernel's side. */
		const struct __sk_buff *x = &k->ctx.skb, *y = &h->ctx.skb;
		static const struct { const char *name; size_t off, size; } f[] = {
#define F(n) { #n, offsetof(struct __sk_buff, n), sizeof(((struct __sk_buff *)0)->n) }
			F(mark), F(priority), F(ingress_ifindex), F(ifindex), F(cb), F(tstamp),
			F(wire_len), F(gso_segs), F(gso_size), F(hwtstamp),
#undef F
		};

		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			if (memcmp((const uint8_t *)x + f[i].off, (const uint8_t *)y + f[i].off,
				   f[i].size)) {
				hex(a, sizeof(a), (const uint8_t *)x + f[i].off, f[i].size);
				hex(b, sizeof(b), (const uint8_t *)y + f[i].off, f[i].size);
				snprintf(why, size, "ctx_out field %s: kernel %s, bpfhost %s",
					 f[i].name, a, b);
				return -1;
			}
		}
	}
	return 0;
}

/* ---- map contents ---- */

struct entry {
	uint8_t *kv; /* key, then the normalised value */
};

struct dump {
	struct entry *e;
	size_t n;
	uint32_t ks, vs;
	int err;
};

static void dump_free(struct dump *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->e[i].kv);
	free(d->e);
	memset(d, 0, sizeof(*d));
}

static int is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* The value as compared: per-CPU values summed word by word over the CPUs; masked bytes 0. */
static void normalise(const char *example, const char *map, uint32_t type, const uint8_t *raw,
		      uint32_t vs, unsigned ncpu, uint8_t *out)
{
	size_t i;

	if (is_percpu(type)) {
		size_t stride = (vs + 7) & ~7u, w = vs % 8 == 0 ? 8 : vs % 4 == 0 ? 4 : 1, off;
		unsigned c;

		memset(out, 0, vs);
		for (c = 0; c < ncpu; c++) {
			for (off = 0; off + w <= vs; off += w) {
				uint64_t a = 0, b = 0;

				memcpy(&a, out + off, w);
				memcpy(&b, raw + c * stride + off, w);
				a += b;
				memcpy(out + off, &a, w);
			}
		}
	} else {
		memcpy(out, raw, vs);
	}
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++)
		if (!strcmp(masks[i].example, example) && !strcmp(masks[i].map, map) &&
		    masks[i].off < vs)
			memset(out + masks[i].off, 0, masks[i].off + masks[i].len <= vs ?
			       masks[i].len : vs - masks[i].off);
}

static void dump_add(struct dump *d, const void *key, const uint8_t *val)
{
	struct entry *ne;

	if (d->err)
		return;
	ne = realloc(d->e, (d->n + 1) * sizeof(*ne));
	if (!ne) {
		d->err = -ENOMEM;
		return;
	}
	d->e = ne;
	d->e[d->n].kv = malloc(d->ks + d->vs + 1);
	if (!d->e[d->n].kv) {
		d->err = -ENOMEM;
		return;
	}
	if (d->ks)
		memcpy(d->e[d->n].kv, key, d->ks);
	if (d->vs)
		memcpy(d->e[d->n].kv + d->ks, val, d->vs);
	d->n++;
}

static size_t cmp_size;

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct entry *)a)->kv, ((const struct entry *)b)->kv, cmp_size);
}

/* Read every element of a map on one side. Queues and stacks are popped (in order); the maps
 * that hold objects (programs, maps) give their keys only, the values being ids that differ
 * from side to side. */
static void dump_map(struct side *s, size_t idx, struct dump *d)
{
	const struct bpfh_obj_map *om = &s->obj->maps[idx];
	uint32_t type = om->def.type, ks = om->def.key_size, vs = om->def.value_size;
	int objs = type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		   type == BPF_MAP_TYPE_HASH_OF_MAPS;
	int fifo = type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
	struct bpfh_map *hm = NULL;
	unsigned ncpu = 1, guard;
	int kfd = -1;
	uint8_t *key, *next, *raw, *val;
	size_t rawsize;
	int err, first = 1;

	memset(d, 0, sizeof(*d));
	d->ks = ks;
	d->vs = objs ? 0 : vs;
	if (is_kernel(s)) {
		kfd = s->kmap[idx];
		if (kfd < 0) {
			d->err = -ENOENT;
			return;
		}
		if (is_percpu(type))
			ncpu = (unsigned)libbpf_num_possible_cpus();
	} else {
		hm = bpfh_instance_map_at(s->inst, idx);
		if (is_percpu(type))
			ncpu = bpfh_cpu_possible();
	}
	rawsize = is_percpu(type) ? ((vs + 7) & ~7u) * ncpu : vs;
	key = calloc(1, ks + 1);
	next = calloc(1, ks + 1);
	raw = calloc(1, rawsize + 8);
	val = calloc(1, vs + 1);
	if (!key || !next || !raw || !val) {
		d->err = -ENOMEM;
		goto out;
	}
	for (guard = 0; guard < om->def.max_entries * 2 + 16; guard++) {
		if (fifo) {
			if (kfd >= 0) {
				err = bpf_map_lookup_and_delete_elem(kfd, NULL, raw);
				err = err ? -errno : 0;
			} else {
				err = bpfh_map_lookup_and_delete(hm, NULL, raw);
			}
			if (err == -ENOENT)
				break;
			if (err) {
				d->err = err;
				break;
			}
			normalise(s->example, om->name, type, raw, vs, ncpu, val);
			dump_add(d, NULL, val);
			continue;
		}
		if (kfd >= 0) {
			err = bpf_map_get_next_key(kfd, first ? NULL : key, next);
			err = err ? -errno : 0;
		} else {
			err = bpfh_map_next_key(hm, first ? NULL : key, next);
		}
		if (err == -ENOENT)
			break;
		if (err) {
			d->err = err;
			break;
		}
		first = 0;
		memcpy(key, next, ks);
		if (objs) {
			/* Whether the slot holds something: a lookup that succeeds. */
			if (kfd >= 0) {
				uint32_t id;

				err = bpf_map_lookup_elem(kfd, key, &id) ? -errno : 0;
			} else {
				err = bpfh_map_lookup_obj(hm, key) ? 0 : -ENOENT;
			}
			if (!err)
				dump_add(d, key, NULL);
			continue;
		}
		if (kfd >= 0) {
			err = bpf_map_lookup_elem(kfd, key, raw);
			err = err ? -errno : 0;
		} else {
			err = bpfh_map_lookup(hm, key, raw);
		}
		if (err == -ENOENT)
			continue; /* an empty DEVMAP slot */
		if (err) {
			d->err = err;
			break;
		}
		normalise(s->example, om->name, type, raw, vs, ncpu, val);
		dump_add(d, key, val);
	}
	if (!fifo && d->n) {
		cmp_size = d->ks + d->vs;
		qsort(d->e, d->n, sizeof(d->e[0]), cmp_entry);
	}
out:
	free(key);
	free(next);
	free(raw);
	free(val);
}

/* Why a map is not compared element by element, or NULL. */
static const char *map_skip_reason(const struct bpfh_obj_map *om)
{
	switch (om->def.type) {
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return NULL; /* their records are compared */
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return NULL; /* probed */
	default:
		break;
	}
	if (om->kind == BPFH_OBJ_MAP_INNER)
		return "an inner-map template, not a map";
	if (om->kind == BPFH_OBJ_MAP_KCONFIG)
		return ".kconfig: each side answers with its own kernel's values";
	return NULL;
}

static int compare_dumps(const struct dump *k, const struct dump *h, char *why, size_t size)
{
	char a[80], b[80], kh[80];
	size_t i, n = k->n < h->n ? k->n : h->n, w = k->ks + k->vs;

	if (k->err || h->err) {
		snprintf(why, size, "cannot read it: kernel %s, bpfhost %s",
			 k->err ? strerror(-k->err) : "ok", h->err ? strerror(-h->err) : "ok");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (memcmp(k->e[i].kv, h->e[i].kv, w))
			break;
	if (i == n && k->n == h->n)
		return 0;
	if (i < n) {
		hex(kh, sizeof(kh), k->e[i].kv, k->ks);
		hex(a, sizeof(a), k->e[i].kv + k->ks, k->vs < 32 ? k->vs : 32);
		hex(b, sizeof(b), h->e[i].kv, h->ks);
		snprintf(why, size, "%zu elements on the kernel, %zu on bpfhost; element %zu: "
			 "kernel %s => %s, bpfhost %s => ", k->n, h->n, i, k->ks ? kh : "-", a,
			 h->ks ? b : "-");
		hex(a, sizeof(a), h->e[i].kv + h->ks, h->vs < 32 ? h->vs : 32);
		strncat(why, a, size - strlen(why) - 1);
	} else {
		const struct dump *more = k->n > h->n ? k : h;

		hex(kh, sizeof(kh), more->e[n].kv, more->ks + more->vs < 32 ? more->ks + more->vs :
		    32);
		snprintf(why, size, "%zu elements on the kernel, %zu on bpfhost; the first extra "
			 "one (%s): %s", k->n, h->n, more == k ? "kernel" : "bpfhost", kh);
	}
	return -1;
}

/* Bloom filters the test knows values of: those the setup pushes or the crafted packets make
 * the program push (a bloom filter has no false negatives: these must be present on both
 * sides). */
static const struct bloom_pushed {
	const char *example, *map;
	const char *const *names; /* DNS names, pushed as xdp_dns_filter's hash */
	size_t n;
} bloom_pushed[] = {
	{ "xdp_dns_filter", "blocked", blocked_names,
	  sizeof(blocked_names) / sizeof(blocked_names[0]) },
	{ "xdp_dns_filter", "seen", dns_names, sizeof(dns_names) / sizeof(dns_names[0]) },
};

/* Probe a bloom filter, which cannot be listed, with the values the test knows: the hashes of
 * every crafted DNS name and a few others. A value pushed must be present on both sides; any
 * other may be a false positive on either side (the two hash differently), so for those only
 * a value both report the same way agrees, and a disagreement is let pass. */
static int compare_bloom(const char *example, struct side *k, struct side *h, size_t idx,
			 char *why, size_t size)
{
	const struct bpfh_obj_map *om = &k->obj->maps[idx];
	int kfd = k->kmap[idx];
	struct bpfh_map *hm = bpfh_instance_map_at(h->inst, idx);
	uint32_t probes[32];
	size_t n = 0, i, j, b;

	if (om->def.value_size != 4 || kfd < 0) {
		snprintf(why, size, "not probed (value size %u)", om->def.value_size);
		return 1;
	}
	for (i = 0; i < sizeof(dns_names) / sizeof(dns_names[0]); i++)
		probes[n++] = dns_hash(dns_names[i]);
	probes[n++] = dns_hash("never.queried.example");
	probes[n++] = 0;
	probes[n++] = 0xdeadbeef;
	for (i = 0; i < n; i++) {
		uint32_t v = probes[i];
		int ke = bpf_map_lookup_elem(kfd, NULL, &v) ? -errno : 0;
		int he, pushed = 0;

		v = probes[i];
		he = bpfh_map_lookup(hm, NULL, &v);
		for (b = 0; b < sizeof(bloom_pushed) / sizeof(bloom_pushed[0]); b++)
			if (!strcmp(bloom_pushed[b].example, example) &&
			    !strcmp(bloom_pushed[b].map, om->name))
				for (j = 0; j < bloom_pushed[b].n; j++)
					pushed |= dns_hash(bloom_pushed[b].names[j]) == probes[i];
		if (pushed ? ke == 0 && he == 0 : ke == he || ((ke == 0) != (he == 0)))
			continue;
		snprintf(why, size, "value 0x%08x%s: kernel %s, bpfhost %s", probes[i],
			 pushed ? " (pushed)" : "", ke ? strerror(-ke) : "present",
			 he ? strerror(-he) : "present");
		return -1;
	}
	return 0;
}

static int compare_records(const char *example, const char *map, const struct reclist *k,
			   const struct reclist *h, char *why, size_t size)
{
	size_t i, j, n = k->n < h->n ? k->n : h->n;
	char a[80], b[80];

	for (i = 0; i < n; i++) {
		uint8_t *x = k->r[i].data, *y = h->r[i].data;

		if (k->r[i].len != h->r[i].len) {
			snprintf(why, size, "record %zu: kernel %u bytes, bpfhost %u", i,
				 k->r[i].len, h->r[i].len);
			return -1;
		}
		for (j = 0; j < sizeof(masks) / sizeof(masks[0]); j++)
			if (!strcmp(masks[j].example, example) && !strcmp(masks[j].map, map) &&
			    masks[j].off + masks[j].len <= k->r[i].len) {
				memset(x + masks[j].off, 0, masks[j].len);
				memset(y + masks[j].off, 0, masks[j].len);
			}
		if (memcmp(x, y, k->r[i].len)) {
			for (j = 0; x[j] == y[j]; j++)
				;
			hex(a, sizeof(a), x + j, k->r[i].len - j);
			hex(b, sizeof(b), y + j, k->r[i].len - j);
			snprintf(why, size, "record %zu (%u bytes), byte %zu: kernel %s, "
				 "bpfhost %s", i, k->r[i].len, j, a, b);
			return -1;
		}
	}
	if (k->n != h->n || k->lost != h->lost) {
		snprintf(why, size, "kernel %zu records (%llu lost), bpfhost %zu (%llu lost)", k->n,
			 (unsigned long long)k->lost, h->n, (unsigned long long)h->lost);
		return -1;
	}
	return 0;
}

static void compare_maps(const char *example, struct side *sides)
{
	const struct bpfh_object *obj = sides[S_KERNEL].obj;
	char why[1024];
	size_t i;
	int e;

	for (i = 0; i < obj->nmaps && i < MAX_MAPS; i++) {
		const struct bpfh_obj_map *om = &obj->maps[i];
		const char *skip = map_skip_reason(om);
		uint32_t type = om->def.type;
		struct dump kd;

		if (skip) {
			n_maps_skipped++;
			printf("note %s: map %s not compared: %s\n", example, om->name, skip);
			continue;
		}
		n_maps++;
		if (type == BPF_MAP_TYPE_RINGBUF || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
			for (e = S_INTERP; e <= S_CHECKED; e++) {
				if (compare_records(example, om->name, &sides[S_KERNEL].recs[i],
						    &sides[e].recs[i], why, sizeof(why))) {
					n_fail++;
					printf("FAIL %s: %s records on %s: %s\n", example, om->name,
					       side_name[e], why);
				} else {
					n_pass++;
				}
			}
			if (verbose)
				printf("  map %s: %zu records compared\n", om->name,
				       sides[S_KERNEL].recs[i].n);
			continue;
		}
		if (type == BPF_MAP_TYPE_BLOOM_FILTER) {
			for (e = S_INTERP; e <= S_CHECKED; e++) {
				int rc = compare_bloom(example, &sides[S_KERNEL], &sides[e], i, why,
						       sizeof(why));

				if (rc < 0) {
					n_fail++;
					printf("FAIL %s: bloom filter %s on %s: %s\n", example,
					       om->name, side_name[e], why);
				} else {
					n_pass++;
				}
			}
			if (verbose)
				printf("  map %s: bloom filter, probed\n", om->name);
			continue;
		}
		if (type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		    type == BPF_MAP_TYPE_HASH_OF_MAPS)
			printf("note %s: map %s: which slots are filled is compared, not their "
			       "values (ids of each side's own objects)\n", example, om->name);
		/* Kernel last: its queues and stacks are popped once, after bpfhost's. */
		dump_map(&sides[S_KERNEL], i, &kd);
		for (e = S_INTERP; e <= S_CHECKED; e++) {
			struct dump hd;

			dump_map(&sides[e], i, &hd);
			if (compare_dumps(&kd, &hd, why, sizeof(why))) {
				n_fail++;
				printf("FAIL %s: map %s on %s: %s\n", example, om->name,
				       side_name[e], why);
			} else {
				n_pass++;
			}
			dump_free(&hd);
		}
		if (verbose)
			printf("  map %s (%s): %zu elements compared%s\n", om->name,
			       libbpf_bpf_map_type_str(type), kd.n,
			       is_percpu(type) ? " (sums over CPUs)" : "");
		dump_free(&kd);
	}
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++)
		if (!strcmp(masks[i].example, example))
			printf("note %s: map %s: bytes %u-%u of each value not compared (%s)\n",
			       example, masks[i].map, masks[i].off, masks[i].off + masks[i].len - 1,
			       masks[i].why);
}

/* ---- one example ---- */

/* A name the kernel accepts for a map or program: letters, digits, '_' and '.', 15 at most. */
static void kname(char *out, const char *name)
{
	size_t i;

	for (i = 0; i < BPF_OBJ_NAME_LEN - 1 && name[i]; i++)
		out[i] = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
			 (name[i] >= '0' && name[i] <= '9') || name[i] == '.' ? name[i] : '_';
	out[i] = '\0';
}

/* Direct loading, map i (and its inner template first): 0 or a negative errno. */
static int raw_map(struct side *s, size_t i, unsigned depth, char *why, size_t size)
{
	const struct bpfh_obj_map *om = &s->obj->maps[i];
	struct bpf_map_create_opts o;
	uint32_t max = om->def.max_entries;
	char name[BPF_OBJ_NAME_LEN];
	int fd, err;

	if (s->kmap[i] >= 0)
		return 0;
	if (om->kind == BPFH_OBJ_MAP_KCONFIG) {
		snprintf(why, size, "map %s: .kconfig needs libbpf", om->name);
		return -ENOTSUP;
	}
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.map_flags = om->def.map_flags;
	o.map_extra = om->def.map_extra;
	if (om->inner >= 0) {
		if ((size_t)om->inner >= s->obj->nmaps || depth > 4)
			return -EINVAL;
		err = raw_map(s, (size_t)om->inner, depth + 1, why, size);
		if (err)
			return err;
		o.inner_map_fd = (uint32_t)s->kmap[om->inner];
	}
	if (om->def.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !max)
		max = (uint32_t)libbpf_num_possible_cpus(); /* libbpf's rule */
	kname(name, om->name);
	fd = bpf_map_create(om->def.type, name, om->def.key_size, om->def.value_size, max, &o);
	if (fd < 0) {
		err = -errno;
		snprintf(why, size, "map %s: BPF_MAP_CREATE: %s", om->name, strerror(errno));
		return err;
	}
	s->kmap[i] = fd;
	if (s->kinit[i]) {
		uint32_t zero = 0;

		if (bpf_map_update_elem(fd, &zero, s->kinit[i], BPF_ANY) ||
		    (om->kind == BPFH_OBJ_MAP_RODATA && bpf_map_freeze(fd))) {
			err = -errno;
			snprintf(why, size, "map %s: initial value: %s", om->name, strerror(errno));
			return err;
		}
	}
	return 0;
}

/* Load the example in the kernel without libbpf (which refuses some objects, such as legacy
 * "maps" sections since libbpf 1.0): maps from bpfhost's parse of the object, programs as
 * bpfhost links them, their map references (lddw with the map's index) resolved by the
 * kernel through fd_array. 0 or a negative errno with the reason in why. */
static int kernel_load_raw(const struct example *ex, struct side *s, const unsigned char *want,
			   char *why, size_t size)
{
	static char vlog[1 << 20];
	const struct bpfh_object *obj = s->obj;
	int fds[MAX_MAPS];
	size_t i, j;
	int err;

	s->kraw = 1;
	if (obj->nmaps > MAX_MAPS || obj->nprogs > MAX_PROGS) {
		snprintf(why, size, "too many maps or programs");
		return -E2BIG;
	}
	for (i = 0; i < obj->nmaps; i++) {
		const struct bpfh_obj_map *om = &obj->maps[i];

		if (om->kind != BPFH_OBJ_MAP_DATA && om->kind != BPFH_OBJ_MAP_RODATA &&
		    om->kind != BPFH_OBJ_MAP_BSS)
			continue;
		s->kinit[i] = calloc(1, om->def.value_size + 1);
		if (!s->kinit[i])
			return -ENOMEM;
		if (om->init)
			memcpy(s->kinit[i], om->init, om->init_size < om->def.value_size ?
			       om->init_size : om->def.value_size);
	}
	if (ex->rodata)
		ex->rodata(s);
	for (i = 0; i < obj->nmaps; i++) {
		err = raw_map(s, i, 0, why, size);
		if (err)
			return err;
		fds[i] = s->kmap[i];
	}
	for (i = 0; i < obj->nprogs; i++) {
		const struct bpfh_obj_prog *op = &obj->progs[i];
		struct bpf_prog_load_opts o;
		char name[BPF_OBJ_NAME_LEN];

		if (!want[i])
			continue;
		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
		o.expected_attach_type = op->expected_attach_type;
		o.kern_version = obj->kern_version;
		o.fd_array = fds;
		kname(name, op->name);
		s->kprog[i] = bpf_prog_load(op->prog_type, name, obj->license,
					    (const struct bpf_insn *)op->insns, op->count, &o);
		if (s->kprog[i] < 0) {
			err = -errno;
			o.log_level = 1;
			o.log_buf = vlog;
			o.log_size = sizeof(vlog);
			vlog[0] = '\0';
			bpf_prog_load(op->prog_type, name, obj->license,
				      (const struct bpf_insn *)op->insns, op->count, &o);
			kbpf_log_reason(vlog, why, size);
			return err;
		}
	}
	/* initial slots: programs of a PROG_ARRAY, maps of a map-in-map */
	for (i = 0; i < obj->nmaps; i++) {
		const struct bpfh_obj_map *om = &obj->maps[i];

		for (j = 0; j < om->nslots; j++) {
			const struct bpfh_obj_slot *sl = &om->slots[j];
			int v = om->def.type == BPF_MAP_TYPE_PROG_ARRAY ?
				(sl->index < MAX_PROGS ? s->kprog[sl->index] : -1) :
				(sl->index < MAX_MAPS ? s->kmap[sl->index] : -1);

			if (v >= 0 && bpf_map_update_elem(s->kmap[i], &sl->key, &v, BPF_ANY)) {
				err = -errno;
				snprintf(why, size, "map %s: slot %u: %s", om->name, sl->key,
					 strerror(errno));
				return err;
			}
		}
	}
	return 0;
}

/* Open the example in the kernel with only the programs in want[] loaded (want indexed as
 * obj->progs), rodata set: with libbpf, or directly where libbpf cannot open it (*raw_why
 * then says why). 0 or a negative errno with the reason in why. */
static int kernel_load(const char *path, const struct example *ex, struct side *s,
		       const unsigned char *want, char *why, size_t size, char *raw_why,
		       size_t raw_size)
{
	struct bpf_program *kp;
	size_t i;
	int err;

	lbf_reset();
	s->kobj = bpf_object__open_file(path, NULL);
	if (!s->kobj) {
		lbf_reason(raw_why, raw_size);
		return kernel_load_raw(ex, s, want, why, size);
	}
	bpf_object__for_each_program(kp, s->kobj) {
		int on = 0;

		for (i = 0; i < s->obj->nprogs; i++)
			if (!strcmp(s->obj->progs[i].name, bpf_program__name(kp)))
				on = want[i];
		bpf_program__set_autoload(kp, on);
	}
	if (ex->rodata)
		ex->rodata(s);
	err = bpf_object__load(s->kobj);
	if (err) {
		lbf_reason(why, size);
		bpf_object__close(s->kobj);
		s->kobj = NULL;
		return err < 0 ? err : -EINVAL;
	}
	for (i = 0; i < s->obj->nmaps && i < MAX_MAPS; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(s->kobj, s->obj->maps[i].name);

		s->kmap[i] = m ? bpf_map__fd(m) : -1;
	}
	for (i = 0; i < s->obj->nprogs && i < MAX_PROGS; i++) {
		kp = bpf_object__find_program_by_name(s->kobj, s->obj->progs[i].name);
		s->kprog[i] = kp && want[i] ? bpf_program__fd(kp) : -1;
	}
	return 0;
}

static void run_example(const char *dir, const char *file)
{
	char path[1024], name[256], why[1024], logbuf[4096], raw_why[512] = "";
	const struct example *ex;
	struct bpfh_object *obj = NULL;
	struct side sides[S__COUNT];
	unsigned char want[MAX_PROGS], refused[MAX_PROGS];
	char reasons[MAX_PROGS][256];
	struct bpfh_log log;
	size_t i, ncand = 0, nwant = 0, pi;
	unsigned pass0 = n_pass, fail0 = n_fail;
	int e, err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - strlen(".bpf.o")), file);
	ex = find_example(name);
	memset(sides, 0, sizeof(sides));
	memset(want, 0, sizeof(want));
	memset(refused, 0, sizeof(refused));

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_object_open_file(path, &log, &obj);
	if (err) {
		logbuf[strcspn(logbuf, "\n")] = '\0';
		/* Whether that matters depends on the kernel accepting it: try. */
		lbf_reset();
		{
			struct bpf_object *ko = bpf_object__open_file(path, NULL);
			int kerr = ko ? bpf_object__load(ko) : -EINVAL;

			bpf_object__close(ko);
			if (!kerr) {
				n_fail++;
				printf("FAIL %s: the kernel loads it, bpfhost cannot open it: %s\n",
				       name, logbuf);
			} else {
				n_objects_skipped++;
				if (verbose)
					printf("skip %s: neither bpfhost nor the kernel opens it "
					       "(%s)\n", name, logbuf);
			}
		}
		return;
	}
	for (i = 0; i < obj->nprogs && i < MAX_PROGS; i++) {
		if (prog_type_compared(obj->progs[i].prog_type)) {
			want[i] = 1;
			ncand++;
		}
	}
	if (!ncand) {
		n_objects_skipped++;
		n_skipped_progs += (unsigned)obj->nprogs;
		if (verbose)
			printf("skip %s: no XDP, socket filter or tc program (%zu program%s of "
			       "other types)\n", name, obj->nprogs, obj->nprogs == 1 ? "" : "s");
		bpfh_object_destroy(obj);
		return;
	}
	n_objects++;
	for (e = 0; e < S__COUNT; e++) {
		sides[e].kind = e;
		sides[e].example = name;
		sides[e].obj = obj;
	}
	kernel_side(&sides[S_KERNEL], obj, name);

	/* The kernel: all candidates at once, else one at a time to find the refused ones. */
	err = kernel_load(path, ex, &sides[S_KERNEL], want, why, sizeof(why), raw_why,
			  sizeof(raw_why));
	if (err) {
		side_release(&sides[S_KERNEL]);
		for (i = 0; i < obj->nprogs && i < MAX_PROGS; i++) {
			unsigned char one[MAX_PROGS];
			struct side t;

			if (!want[i])
				continue;
			memset(one, 0, sizeof(one));
			one[i] = 1;
			kernel_side(&t, obj, name);
			if (kernel_load(path, ex, &t, one, reasons[i], sizeof(reasons[i]), raw_why,
					sizeof(raw_why)))
				refused[i] = 1;
			side_release(&t);
		}
		for (i = 0; i < obj->nprogs && i < MAX_PROGS; i++)
			if (refused[i])
				want[i] = 0;
		kernel_side(&sides[S_KERNEL], obj, name);
		err = kernel_load(path, ex, &sides[S_KERNEL], want, why, sizeof(why), raw_why,
				  sizeof(raw_why));
	}
	if (raw_why[0] && verbose)
		printf("note %s: libbpf cannot open it (%s): loaded in the kernel with bpf() "
		       "directly\n", name, raw_why);
	for (i = 0; i < obj->nprogs && i < MAX_PROGS; i++) {
		if (!prog_type_compared(obj->progs[i].prog_type)) {
			n_skipped_progs++;
			if (verbose)
				printf("skip %s/%s: program type %s is not compared\n", name,
				       obj->progs[i].name,
				       bpfh_prog_type_name(obj->progs[i].prog_type) ?
				       bpfh_prog_type_name(obj->progs[i].prog_type) : "?");
		} else if (refused[i] || err) {
			n_skipped_progs++;
			if (verbose)
				printf("skip %s/%s: the kernel refuses it: %s\n", name,
				       obj->progs[i].name, refused[i] ? reasons[i] : why);
			want[i] = 0;
		} else {
			nwant++;
		}
	}
	if (err || !nwant)
		goto out;

	/* bpfhost, on each engine */
	for (e = S_INTERP; e <= S_CHECKED; e++) {
		struct bpfh_load_opts lo;

		memset(&lo, 0, sizeof(lo));
		lo.sz = sizeof(lo);
		lo.engine = e == S_INTERP ? BPFH_ENGINE_INTERP : BPFH_ENGINE_INTERP_CHECKED;
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		err = bpfh_instance_create(obj, &lo, &log, &sides[e].inst);
		if (err) {
			logbuf[strcspn(logbuf, "\n")] = '\0';
			printf("FAIL %s: the kernel loads %zu program%s, bpfhost (%s) cannot: %s\n",
			       name, nwant, nwant == 1 ? "" : "s", side_name[e], logbuf);
			n_fail += 2;
			goto out;
		}
		if (ex->rodata)
			ex->rodata(&sides[e]);
	}
	for (e = 0; e < S__COUNT; e++) {
		if (ex->setup)
			ex->setup(&sides[e]);
		attach_readers(&sides[e]);
	}
	for (e = S_INTERP; e <= S_CHECKED; e++) {
		if (sides[e].setup_errors != sides[S_KERNEL].setup_errors) {
			printf("FAIL %s: setup on %s: %s; on the kernel: %s\n", name, side_name[e],
			       sides[e].setup_errors ? sides[e].setup_msg : "ok",
			       sides[S_KERNEL].setup_errors ? sides[S_KERNEL].setup_msg : "ok");
			n_fail++;
		}
	}
	if (sides[S_KERNEL].setup_errors && verbose)
		printf("  note %s: setup: %s (on every side)\n", name, sides[S_KERNEL].setup_msg);

	/* The packets, each through every program on every side */
	for (pi = 0; pi < npkts; pi++) {
		for (i = 0; i < obj->nprogs && i < MAX_PROGS; i++) {
			static struct result r[S__COUNT];
			const char *pn = obj->progs[i].name;
			uint32_t type = obj->progs[i].prog_type;

			if (!want[i])
				continue;
			for (e = 0; e < S__COUNT; e++)
				run_one(&sides[e], i, type, &pkts[pi], &r[e]);
			for (e = S_INTERP; e <= S_CHECKED; e++) {
				if (compare_run(type, &r[S_KERNEL], &r[e], why, sizeof(why))) {
					n_fail++;
					printf("FAIL %s/%s on %s, %s: %s\n", name, pn, side_name[e],
					       pkts[pi].name, why);
				} else {
					n_pass++;
				}
			}
			if (verbose > 1)
				printf("  %s/%s %s: kernel %s %u, %u bytes\n", name, pn,
				       pkts[pi].name,
				       r[S_KERNEL].err ? strerror(-r[S_KERNEL].err) : "retval",
				       r[S_KERNEL].retval, r[S_KERNEL].len);
		}
	}
	n_compared_progs += (unsigned)nwant;
	for (e = 0; e < S__COUNT; e++)
		consume_readers(&sides[e]);
	compare_maps(name, sides);
	if (verbose)
		printf("%s %s: %zu program%s x %zu packets, %u agree, %u disagree\n",
		       n_fail == fail0 ? "ok  " : "FAIL", name, nwant, nwant == 1 ? "" : "s", npkts,
		       n_pass - pass0, n_fail - fail0);
out:
	for (e = 0; e < S__COUNT; e++)
		side_release(&sides[e]);
	bpfh_object_destroy(obj);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *pcap = NULL;
	char *files[256], why[256];
	size_t nfiles = 0, i;
	struct dirent *de;
	cpu_set_t set;
	DIR *d;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-v"))
			verbose = verbose > 1 ? verbose : 1;
		else if (!strcmp(argv[a], "-vv"))
			verbose = 2;
		else if (argv[a][0] == '-')
			dir = NULL, a = argc;
		else if (!dir)
			dir = argv[a];
		else if (!pcap)
			pcap = argv[a];
	}
	if (!dir) {
		fprintf(stderr, "usage: bpfh-kexamples [-v|-vv] EXAMPLES-DIR [TRAFFIC.pcap]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (kbpf_probe(BPF_PROG_TYPE_XDP, why, sizeof(why))) {
		printf("kernel-examples: skipped (%s)\n", why);
		return 0;
	}
	d = opendir(dir);
	if (!d) {
		printf("kernel-examples: skipped (%s: %s)\n", dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) != NULL && nfiles < sizeof(files) / sizeof(files[0])) {
		size_t len = strlen(de->d_name);

		if (len > 6 && !strcmp(de->d_name + len - 6, ".bpf.o"))
			files[nfiles++] = strdup(de->d_name);
	}
	closedir(d);
	if (!nfiles) {
		printf("kernel-examples: skipped (no example objects in %s)\n", dir);
		return 0;
	}
	qsort(files, nfiles, sizeof(files[0]), cmp_str);

	/* Test runs on CPU 0, as bpfhost's (see the top of this file). */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	pinned = sched_setaffinity(0, sizeof(set), &set) == 0;

	pkts = calloc(MAX_PKTS, sizeof(*pkts));
	lbf_log = malloc(LOGBUF);
	if (!pkts || !lbf_log)
		return 2;
	lbf_log[0] = '\0';
	libbpf_set_print(lbf_print);
	if (pcap && read_pcap(pcap))
		return 2;
	craft_packets();

	for (i = 0; i < nfiles; i++) {
		run_example(dir, files[i]);
		free(files[i]);
	}
	printf("kernel-examples: %u passed, %u failed\n", n_pass, n_fail);
	printf("kernel-examples info: %u objects compared (%u skipped), %u programs on %zu "
	       "packets each, %u programs skipped; %u maps compared, %u not; %s\n", n_objects,
	       n_objects_skipped, n_compared_progs, npkts, n_skipped_progs, n_maps, n_maps_skipped,
	       pinned ? "pinned to CPU 0" : "not pinned to CPU 0");
	free(pkts);
	free(lbf_log);
	return n_fail ? 1 : 0;
}
