// SPDX-License-Identifier: MIT
/*
 * Packet replay rate: the packets of traffic.pcap, read once into memory with libpcap, go
 * through an XDP port (bpfh_xdp_port_run, include/bpfhost/xdp.h) again and again on one core,
 * and the rate is packets per second of that loop alone, I/O excluded (each packet is still
 * copied into the port's frame, as a real receive path would). Programs: examples/xdp_pass
 * (every packet passes: the cost of the path itself) and examples/xdp_firewall with a block
 * list of BLOCK_PREFIXES prefixes (an LPM trie lookup and a per-CPU counter per packet), on
 * the interpreter, the checked interpreter and the JIT (where the host has it). Each figure
 * is the best of BATCHES batches of about -t MS. The target for xdp_pass on the interpreter
 * is TARGET_PPS.
 *
 * Records: {"bench": "replay-PROGRAM", "engine": ..., "ns_per_run": ns per packet}.
 */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "bpfhost/xdp.h"
#include "bench.h"
#include "../src/platform/platform.h"

#ifdef BENCH_PCAP
#include <pcap/pcap.h>
#endif

#define BATCHES 5
#define MAX_PACKETS 4096
#define MAX_LEN 2048
#define BLOCK_PREFIXES 300
#define TARGET_PPS 5e6

struct packet {
	const uint8_t *data;
	size_t len;
};

static struct packet packets[MAX_PACKETS];
static size_t npackets;

#ifdef BENCH_PCAP
static int load_pcap(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc = pcap_open_offline(path, err);

	if (!pc) {
		printf("replay: skipped (%s: %s)\n", path, err);
		return -1;
	}
	while (npackets < MAX_PACKETS && pcap_next_ex(pc, &h, &data) == 1) {
		uint8_t *copy;

		if (h->caplen < 14 || h->caplen > MAX_LEN)
			continue;
		copy = malloc(h->caplen);
		if (!copy)
			break;
		memcpy(copy, data, h->caplen);
		packets[npackets].data = copy;
		packets[npackets].len = h->caplen;
		npackets++;
	}
	pcap_close(pc);
	return npackets ? 0 : -1;
}
#endif

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* The firewall's block list: 10.1.2.0/24 (a quarter of the bundled traffic's sources), then
 * prefixes of 12 to 32 bits at random in 20.0.0.0 - 99.255.255.255, which the traffic does not
 * use: a trie of realistic depth that most lookups walk without a match. */
static int fill_blocklist(struct bpfh_instance *inst)
{
	struct bpfh_map *m = bpfh_instance_map(inst, "blocklist");
	struct {
		uint32_t prefixlen;
		uint8_t addr[4];
	} key;
	uint32_t value = 1, a;
	int i, err;

	if (!m)
		return -ENOENT;
	key.prefixlen = 24;
	key.addr[0] = 10, key.addr[1] = 1, key.addr[2] = 2, key.addr[3] = 0;
	err = bpfh_map_update(m, &key, &value, 0);
	for (i = 1; i < BLOCK_PREFIXES && !err; i++) {
		key.prefixlen = 12 + rng() % 21;
		a = (20 + rng() % 80) << 24 | (rng() & 0xffffff);
		a &= key.prefixlen == 32 ? ~0u : ~(~0u >> key.prefixlen);
		key.addr[0] = (uint8_t)(a >> 24), key.addr[1] = (uint8_t)(a >> 16);
		key.addr[2] = (uint8_t)(a >> 8), key.addr[3] = (uint8_t)a;
		err = bpfh_map_update(m, &key, &value, 0);
	}
	return err;
}

/* Pass over the packets reps times: ns taken; verdicts of the last pass counted in v[5]. */
static uint64_t replay(struct bpfh_xdp_port *port, uint64_t reps, unsigned *v, int *err)
{
	struct bpfh_xdp_result res;
	uint64_t r, t0 = bpfh_time_ns();
	size_t i;

	for (r = 0; r < reps; r++) {
		for (i = 0; i < npackets; i++) {
			int e = bpfh_xdp_port_run(port, packets[i].data, packets[i].len, 1, NULL,
						  &res);

			if (e)
				*err = e;
			else if (r + 1 == reps && res.verdict < 5)
				v[res.verdict]++;
		}
	}
	return bpfh_time_ns() - t0;
}

/* One program on one engine: 0 (figure printed and recorded) or -1. */
static int bench_one(const char *dir, const char *example, enum bpfh_engine engine,
		     double *pps_out)
{
	static const char *const verdict[5] = { "aborted", "drop", "pass", "tx", "redirect" };
	char path[1024], logbuf[2048] = "", name[64];
	struct bpfh_object *obj = NULL;
	struct bpfh_instance *inst = NULL;
	struct bpfh_xdp_port *port = NULL;
	struct bpfh_load_opts lo;
	struct bpfh_log log;
	unsigned v[5] = { 0 };
	uint64_t reps = 1, ns;
	double best = 0, per;
	int b, err = 0, ret = -1;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, example);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	memset(&lo, 0, sizeof(lo));
	lo.sz = sizeof(lo);
	lo.engine = engine;
	if (bpfh_object_open_file(path, &log, &obj) ||
	    bpfh_instance_create(obj, &lo, &log, &inst)) {
		logbuf[strcspn(logbuf, "\n")] = '\0';
		printf("replay: BENCH FAILURE: %s\n", logbuf);
		goto out;
	}
	if (!strcmp(example, "xdp_firewall") && fill_blocklist(inst)) {
		printf("replay: BENCH FAILURE: cannot fill the firewall's block list\n");
		goto out;
	}
	if (bpfh_xdp_port_create(bpfh_instance_prog_at(inst, 0), MAX_LEN, NULL, NULL, &port)) {
		printf("replay: BENCH FAILURE: %s: cannot create an XDP port\n", example);
		goto out;
	}
	/* calibrate: passes that take about one batch */
	for (;;) {
		ns = replay(port, reps, v, &err);
		if (err || ns >= bench_batch_ns() / 10 || reps >= (1u << 30))
			break;
		reps *= 4;
	}
	reps = (uint64_t)((double)reps * (double)bench_batch_ns() / (double)(ns ? ns : 1));
	reps = reps ? reps : 1;
	for (b = 0; b < BATCHES && !err; b++) {
		memset(v, 0, sizeof(v));
		per = (double)replay(port, reps, v, &err) / (double)(reps * npackets);
		if (b == 0 || per < best)
			best = per;
	}
	if (err) {
		printf("replay: BENCH FAILURE: %s on %s: %s\n", example, bpfh_engine_name(engine),
		       strerror(-err));
		goto out;
	}
	printf("  %-14s %-15s %8.2f M packets/s %9.1f ns/packet   ", example,
	       bpfh_engine_name(engine), 1e3 / best, best);
	for (b = 0; b < 5; b++)
		if (v[b])
			printf(" %s %u", verdict[b], v[b]);
	printf("\n");
	snprintf(name, sizeof(name), "replay-%s", example);
	bench_record(name, bpfh_engine_name(engine), best, 0);
	*pps_out = 1e9 / best;
	ret = 0;
out:
	bpfh_xdp_port_destroy(port);
	bpfh_instance_destroy(inst);
	bpfh_object_destroy(obj);
	return ret;
}

int bench_replay(const char *dir)
{
	static const char *const progs[] = { "xdp_pass", "xdp_firewall" };
	static const enum bpfh_engine engines[] = { BPFH_ENGINE_INTERP,
						    BPFH_ENGINE_INTERP_CHECKED, BPFH_ENGINE_JIT };
	double pps, pass_pps = 0;
	size_t i, e, bytes = 0;
	int failed = 0;
#ifdef BENCH_PCAP
	char path[1024];

	snprintf(path, sizeof(path), "%s/traffic.pcap", dir);
	if (load_pcap(path))
		return 0;
#else
	(void)dir;
	printf("replay: skipped (built without libpcap)\n");
	return 0;
#endif
	for (i = 0; i < npackets; i++)
		bytes += packets[i].len;
	printf("pcap replay through an XDP port, one core, I/O excluded (%zu packets of %zu bytes "
	       "on average per pass; firewall: %d prefixes; verdicts of one pass)\n", npackets,
	       bytes / npackets, BLOCK_PREFIXES);
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		for (e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
			if (engines[e] == BPFH_ENGINE_JIT &&
			    bpfh_engine_default() != BPFH_ENGINE_JIT)
				continue; /* no JIT on this host */
			pps = 0;
			if (bench_one(dir, progs[i], engines[e], &pps))
				failed = 1;
			if (i == 0 && e == 0)
				pass_pps = pps;
		}
	}
	printf("  target: xdp_pass on interp >= %.0f M packets/s: %s (%.2f M)\n\n",
	       TARGET_PPS / 1e6, pass_pps >= TARGET_PPS ? "met" : "NOT MET", pass_pps / 1e6);
	for (i = 0; i < npackets; i++)
		free((void *)packets[i].data);
	npackets = 0;
	return failed ? -1 : 0;
}
