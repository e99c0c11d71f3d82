// SPDX-License-Identifier: MIT
/*
 * Writes examples/traffic.pcap, the bundled traffic for the examples: Ethernet frames with
 * IPv4 TCP and UDP from a few source networks (10.1.2.0/24 is the one the firewall example
 * blocks), IPv6, ARP, and one runt frame, with correct IPv4 header checksums.
 *   mkpcap OUT.pcap
 */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t eth(uint8_t *f, uint16_t proto)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x01 }, src[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(proto >> 8);
	f[13] = (uint8_t)proto;
	return 14;
}

/* IPv4 with a TCP (6) or UDP (17) header and some payload. */
static size_t ipv4(uint8_t *f, const uint8_t saddr[4], const uint8_t daddr[4], uint8_t proto,
		   uint16_t sport, uint16_t dport, size_t payload)
{
	size_t off = eth(f, 0x0800), l4 = proto == 6 ? 20 : 8, tot = 20 + l4 + payload;
	uint8_t *ip = f + off, *t = ip + 20;
	uint16_t c;

	memset(ip, 0, tot);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, saddr, 4);
	memcpy(ip + 16, daddr, 4);
	c = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	if (proto == 6)
		t[12] = 0x50; /* data offset 5 words */
	else
		t[5] = (uint8_t)(8 + payload);
	memset(t + l4, 'x', payload);
	return off + tot;
}

int main(int argc, char **argv)
{
	static const uint8_t nets[4][3] = { { 10, 1, 2 }, { 10, 1, 3 }, { 192, 168, 0 }, { 172, 16, 5 } };
	static const uint8_t server[4] = { 10, 0, 0, 1 };
	pcap_t *dead;
	pcap_dumper_t *d;
	uint8_t f[1600];
	struct pcap_pkthdr h;
	unsigned i;

	if (argc != 2) {
		fprintf(stderr, "usage: mkpcap OUT.pcap\n");
		return 2;
	}
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	d = dead ? pcap_dump_open(dead, argv[1]) : NULL;
	if (!d) {
		fprintf(stderr, "mkpcap: %s: cannot write\n", argv[1]);
		return 1;
	}
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 200; i++) {
		uint8_t saddr[4];
		size_t n;

		memcpy(saddr, nets[i % 4], 3);
		saddr[3] = (uint8_t)(1 + i % 50);
		if (i % 20 == 7) { /* IPv6 */
			n = eth(f, 0x86dd);
			memset(f + n, 0, 40);
			f[n] = 0x60;
			f[n + 6] = 59; /* no next header */
			f[n + 7] = 64;
			n += 40;
		} else if (i % 20 == 13) { /* ARP request */
			n = eth(f, 0x0806);
			memset(f + n, 0, 28);
			n += 28;
		} else if (i == 199) { /* a runt: Ethernet header only */
			n = eth(f, 0x0800);
		} else {
			n = ipv4(f, saddr, server, i % 3 ? 6 : 17, (uint16_t)(40000 + i),
				 i % 3 ? 443 : 53, 20 + (i * 37) % 400);
		}
		h.ts.tv_sec = 1700000000 + i / 10;
		h.ts.tv_usec = (i % 10) * 100000;
		h.caplen = h.len = (bpf_u_int32)n;
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}
