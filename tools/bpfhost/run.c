// SPDX-License-Identifier: MIT
/*
 * bpfhost run: the main job. Loads an object, runs an XDP (or socket filter / tc) program over
 * every packet of a pcap file, counts verdicts, writes the packets that leave to a pcap, shows
 * trace_printk output, dumps maps, and reports the packet rate with I/O excluded. pcap files
 * are read and written with libpcap; everything else goes through bpfhost's public API.
 *
 *   bpfhost run PROG.o [--section S] [--type T] --pcap IN.pcap [--out OUT.pcap] [--engine E]
 *               [--repeat N] [--map-update MAP KEYHEX VALUEHEX]... [--dump-maps] [-j]
 */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "bpfhost/xdp.h"
#include "cli.h"
#include "../../src/platform/platform.h"

#ifdef BPFH_HAVE_PCAP
#include <pcap/pcap.h>

struct packet {
	uint8_t *data;
	uint32_t len;
	struct pcap_pkthdr hdr;
};

#define MAX_UPDATES 64

struct run_args {
	const char *file, *section, *pcap_in, *pcap_out, *type;
	const char *updates[MAX_UPDATES][3]; /* --map-update MAP KEY VALUE */
	unsigned nupdates;
	enum bpfh_engine engine;
	unsigned repeat;
	int dump_maps, json;
};

/* How a program type's verdicts are named and which of them let the packet leave. */
struct verdicts {
	const char *const *names; /* by r0; r0 past the last counts as "other" */
	unsigned n;
	unsigned leave;           /* bit v set: verdict v lets the packet out */
	int filter;               /* socket filter: r0 is the number of bytes to keep */
};

static const char *const xdp_names[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };
static const char *const tc_names[] = { "OK", "RECLASSIFY", "SHOT", "PIPE", "STOLEN", "QUEUED",
					"REPEAT", "REDIRECT" };
static const char *const filter_names[] = { "dropped", "kept" };

static const struct verdicts xdp_verdicts = { xdp_names, 5, 1u << 2 | 1u << 3 | 1u << 4, 0 };
static const struct verdicts tc_verdicts = { tc_names, 8, 1u << 0 | 1u << 1 | 1u << 3 | 1u << 7,
					     0 };
static const struct verdicts filter_verdicts = { filter_names, 2, 1u << 1, 1 };

#define MAX_VERDICTS 8

static void trace_out(void *arg, const char *text, size_t len)
{
	int json = *(int *)arg;

	if (json)
		return; /* JSON output stays one document; traces are counted instead */
	printf("bpf_trace_printk: %.*s%s", (int)len, text, len && text[len - 1] == '\n' ? "" : "\n");
}

static int read_pcap(const char *path, struct packet **out, size_t *count, int *linktype)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	struct packet *pkts = NULL, *np;
	size_t n = 0, cap = 0;
	pcap_t *p = pcap_open_offline(path, errbuf);
	int rc;

	if (!p) {
		fprintf(stderr, "bpfhost: %s: %s\n", path, errbuf);
		return -1;
	}
	*linktype = pcap_datalink(p);
	while ((rc = pcap_next_ex(p, &hdr, &bytes)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			np = realloc(pkts, cap * sizeof(*pkts));
			if (!np)
				goto oom;
			pkts = np;
		}
		pkts[n].data = malloc(hdr->caplen ? hdr->caplen : 1);
		if (!pkts[n].data)
			goto oom;
		memcpy(pkts[n].data, bytes, hdr->caplen);
		pkts[n].len = hdr->caplen;
		pkts[n].hdr = *hdr;
		n++;
	}
	if (rc == -1) {
		fprintf(stderr, "bpfhost: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		goto fail;
	}
	pcap_close(p);
	*out = pkts;
	*count = n;
	return 0;
oom:
	pcap_close(p);
	fprintf(stderr, "bpfhost: %s: out of memory\n", path);
fail:
	while (n--)
		free(pkts[n].data);
	free(pkts);
	return -1;
}

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->engine = bpfh_engine_default();
	a->repeat = 1;
	for (i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--section") && v) {
			a->section = v;
			i++;
		} else if (!strcmp(argv[i], "--type") && v) {
			a->type = v;
			i++;
		} else if (!strcmp(argv[i], "--pcap") && v) {
			a->pcap_in = v;
			i++;
		} else if (!strcmp(argv[i], "--out") && v) {
			a->pcap_out = v;
			i++;
		} else if (!strcmp(argv[i], "--engine") && v) {
			if (bpfh_engine_parse(v, &a->engine)) {
				fprintf(stderr, "bpfhost: unknown engine '%s'\n", v);
				return -1;
			}
			i++;
		} else if (!strcmp(argv[i], "--repeat") && v) {
			a->repeat = (unsigned)strtoul(v, NULL, 10);
			if (a->repeat == 0)
				a->repeat = 1;
			i++;
		} else if (!strcmp(argv[i], "--map-update") && i + 3 < argc) {
			if (a->nupdates == MAX_UPDATES) {
				fprintf(stderr, "bpfhost run: more than %d --map-update\n", MAX_UPDATES);
				return -1;
			}
			a->updates[a->nupdates][0] = argv[i + 1];
			a->updates[a->nupdates][1] = argv[i + 2];
			a->updates[a->nupdates][2] = argv[i + 3];
			a->nupdates++;
			i += 3;
		} else if (!strcmp(argv[i], "--dump-maps")) {
			a->dump_maps = 1;
		} else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			a->json = 1;
		} else if (argv[i][0] != '-' && !a->file) {
			a->file = argv[i];
		} else {
			fprintf(stderr, "bpfhost run: unexpected argument '%s'\n", argv[i]);
			return -1;
		}
	}
	if (!a->file || !a->pcap_in) {
		fprintf(stderr, "usage: bpfhost run PROG.o [--section S] [--type T] --pcap IN.pcap "
			"[--out OUT.pcap] "
			"[--engine E] [--repeat N] [--map-update MAP KEYHEX VALUEHEX]... [--dump-maps] "
			"[-j]\n");
		return -1;
	}
	return 0;
}

/* Ring buffer and perf event records: printed as they are consumed, after each packet. */
struct events {
	struct bpfh_ringbuf_consumer *rb;
	struct bpfh_perfbuf *pb[16];
	unsigned npb;
	uint64_t count;
	int json;
};

static void print_record(struct events *ev, const char *kind, const char *name, int cpu,
			 const uint8_t *data, size_t size)
{
	size_t i, n = size < 64 ? size : 64;

	ev->count++;
	if (ev->json)
		return;
	printf("%s %s", kind, name);
	if (cpu >= 0)
		printf(" cpu %d", cpu);
	printf(": %zu bytes:", size);
	for (i = 0; i < n; i++)
		printf(" %02x", data[i]);
	printf("%s\n", n < size ? " ..." : "");
}

struct event_src {
	struct events *ev;
	const char *name;
};

static int on_ringbuf(void *ctx, void *data, size_t size)
{
	struct event_src *s = ctx;

	print_record(s->ev, "ringbuf", s->name, -1, data, size);
	return 0;
}

static void on_perf(void *ctx, int cpu, void *data, uint32_t size)
{
	struct event_src *s = ctx;

	print_record(s->ev, "perf_event", s->name, cpu, data, size);
}

static void consume_events(struct events *ev)
{
	unsigned i;

	if (ev->rb)
		bpfh_ringbuf_consumer_consume(ev->rb);
	for (i = 0; i < ev->npb; i++)
		bpfh_perfbuf_consume(ev->pb[i]);
}

static int open_events(struct bpfh_instance *inst, struct events *ev, struct event_src *srcs)
{
	size_t i;
	int err = 0;

	for (i = 0; i < bpfh_instance_nmaps(inst) && !err; i++) {
		struct bpfh_map *map = bpfh_instance_map_at(inst, i);
		uint32_t type = bpfh_map_def(map)->type;

		srcs[i].ev = ev;
		srcs[i].name = bpfh_map_def(map)->name;
		if (type == BPFH_MAP_TYPE_RINGBUF)
			err = ev->rb ? bpfh_ringbuf_consumer_add(ev->rb, map, on_ringbuf, &srcs[i])
				     : bpfh_ringbuf_consumer_create(map, on_ringbuf, &srcs[i], &ev->rb);
		else if (type == BPFH_MAP_TYPE_PERF_EVENT_ARRAY && ev->npb < 16)
			err = bpfh_perfbuf_create(map, 8, on_perf, NULL, &srcs[i], &ev->pb[ev->npb++]);
	}
	return err;
}

static void close_events(struct events *ev)
{
	unsigned i;

	bpfh_ringbuf_consumer_destroy(ev->rb);
	for (i = 0; i < ev->npb; i++)
		bpfh_perfbuf_destroy(ev->pb[i]);
}

/* --map-update MAP KEY VALUE, as bpftool's map update: hex bytes of exactly the map's sizes. */
static int apply_updates(struct bpfh_instance *inst, const struct run_args *a)
{
	unsigned u;

	for (u = 0; u < a->nupdates; u++) {
		struct bpfh_map *map = bpfh_instance_map(inst, a->updates[u][0]);
		uint8_t *key = NULL, *value = NULL;
		size_t klen, vlen;
		int err = -EINVAL;

		if (!map) {
			fprintf(stderr, "bpfhost: no map '%s'\n", a->updates[u][0]);
			return -1;
		}
		if (cli_parse_hex(a->updates[u][1], &key, &klen) == 0 &&
		    cli_parse_hex(a->updates[u][2], &value, &vlen) == 0) {
			if (klen == bpfh_map_def(map)->key_size && vlen == bpfh_map_user_value_size(map))
				err = bpfh_map_update(map, key, value, 0);
			else
				fprintf(stderr, "bpfhost: map %s takes %u key bytes and %zu value bytes\n",
					a->updates[u][0], bpfh_map_def(map)->key_size,
					bpfh_map_user_value_size(map));
		}
		free(key);
		free(value);
		if (err) {
			fprintf(stderr, "bpfhost: map %s: update failed (%s)\n", a->updates[u][0],
				strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* A program that a prog array of the object starts with: a tail-call target, not an entry. */
static int tail_target(const struct bpfh_object *obj, size_t prog)
{
	size_t i, j;

	for (i = 0; i < obj->nmaps; i++)
		for (j = 0; obj->maps[i].def.type == BPFH_MAP_TYPE_PROG_ARRAY && j < obj->maps[i].nslots;
		     j++)
			if (obj->maps[i].slots[j].index == prog)
				return 1;
	return 0;
}

/* The program to run: the one named, else the first XDP, socket filter or tc program that is
 * not a tail-call target. */
static struct bpfh_prog *pick_prog(struct bpfh_instance *inst, const struct bpfh_object *obj,
				   const char *section)
{
	size_t i;

	if (section)
		return bpfh_instance_prog(inst, section);
	for (i = 0; i < bpfh_instance_nprogs(inst); i++) {
		struct bpfh_prog *p = bpfh_instance_prog_at(inst, i);
		uint32_t t = bpfh_prog_type(p);

		if (tail_target(obj, i))
			continue;
		if (t == BPFH_PROG_TYPE_XDP || t == BPFH_PROG_TYPE_SOCKET_FILTER ||
		    t == BPFH_PROG_TYPE_SCHED_CLS || t == BPFH_PROG_TYPE_SCHED_ACT)
			return p;
	}
	return NULL;
}

int cli_run(int argc, char **argv)
{
	struct run_args a;
	struct bpfh_object *obj = NULL;
	struct bpfh_instance *inst = NULL;
	struct bpfh_xdp_port *port = NULL;
	struct bpfh_prog *prog;
	struct bpfh_load_opts lo;
	struct bpfh_log log;
	struct packet *pkts = NULL;
	struct events ev;
	struct event_src *srcs = NULL;
	pcap_t *dead = NULL;
	pcap_dumper_t *dumper = NULL;
	uint64_t counts[MAX_VERDICTS + 1] = { 0 }, total = 0, ns = 0, t0, written = 0, refused = 0;
	const struct verdicts *vd;
	size_t npkts = 0, i;
	unsigned r;
	int linktype, err, rc = 1, json;
	char *logbuf = malloc(1 << 16);

	if (!logbuf || parse_run_args(argc, argv, &a)) {
		free(logbuf);
		return 2;
	}
	json = a.json;
	memset(&ev, 0, sizeof(ev));
	ev.json = json;
	bpfh_log_init(&log, logbuf, 1 << 16);
	err = cli_open_object(a.file, a.type, &log, &obj);
	if (err)
		goto out;
	memset(&lo, 0, sizeof(lo));
	lo.sz = sizeof(lo);
	lo.engine = a.engine;
	err = bpfh_instance_create(obj, &lo, &log, &inst);
	if (err)
		goto out;
	if (apply_updates(inst, &a))
		goto out;
	srcs = calloc(bpfh_instance_nmaps(inst) + 1, sizeof(*srcs));
	if (!srcs || open_events(inst, &ev, srcs)) {
		fprintf(stderr, "bpfhost: cannot open the ring buffers and perf event arrays\n");
		goto out;
	}
	prog = pick_prog(inst, obj, a.section);
	if (!prog) {
		fprintf(stderr, "bpfhost: %s: no %s program%s%s\n", a.file,
			a.section ? "such" : "XDP, socket filter or tc", a.section ? " " : "",
			a.section ? a.section : "");
		goto out;
	}
	if (read_pcap(a.pcap_in, &pkts, &npkts, &linktype))
		goto out;
	if (linktype != DLT_EN10MB) {
		fprintf(stderr, "bpfhost: %s: link type %d is not Ethernet\n", a.pcap_in, linktype);
		goto out;
	}
	if (a.pcap_out) {
		dead = pcap_open_dead(DLT_EN10MB, 65535);
		dumper = dead ? pcap_dump_open(dead, a.pcap_out) : NULL;
		if (!dumper) {
			fprintf(stderr, "bpfhost: %s: %s\n", a.pcap_out,
				dead ? pcap_geterr(dead) : "cannot open");
			goto out;
		}
	}
	vd = bpfh_prog_type(prog) == BPFH_PROG_TYPE_XDP ? &xdp_verdicts :
	     bpfh_prog_type(prog) == BPFH_PROG_TYPE_SOCKET_FILTER ? &filter_verdicts : &tc_verdicts;
	if (bpfh_prog_type(prog) == BPFH_PROG_TYPE_XDP) {
		err = bpfh_xdp_port_create(prog, 65535, trace_out, &json, &port);
		if (err)
			goto out;
	}
	for (r = 0; r < a.repeat; r++) {
		/* Time whole rounds; the first round, which also writes the output pcap, packet
		 * by packet around the runs only. */
		int per_packet = r == 0 && dumper;
		uint64_t round0 = bpfh_time_ns();

		for (i = 0; i < npkts; i++) {
			struct bpfh_xdp_result res;
			const uint8_t *outp = NULL;
			size_t outlen = 0;
			uint32_t v;

			if (per_packet)
				t0 = bpfh_time_ns();
			if (port) {
				err = bpfh_xdp_port_run(port, pkts[i].data, pkts[i].len, 1, &log, &res);
				v = res.verdict;
				outp = res.data;
				outlen = res.len;
			} else {
				struct bpfh_test_run_opts t;
				static uint8_t buf[65536];

				memset(&t, 0, sizeof(t));
				t.sz = sizeof(t);
				t.data_in = pkts[i].data;
				t.data_size_in = pkts[i].len;
				t.data_out = buf;
				t.data_size_out = sizeof(buf);
				t.trace = trace_out;
				t.trace_arg = &json;
				t.log = &log;
				err = bpfh_prog_test_run(prog, &t);
				v = t.retval;
				outp = buf;
				outlen = t.data_size_out;
			}
			if (per_packet)
				ns += bpfh_time_ns() - t0;
			if (err == -EINVAL) { /* a packet the hook cannot take (runt): count, go on */
				refused++;
				continue;
			}
			if (err)
				goto out;
			if (ev.rb || ev.npb)
				consume_events(&ev);
			total++;
			if (vd->filter) {
				/* a socket filter keeps r0 bytes from the network header on */
				if (v && v < outlen - 14)
					outlen = 14 + v;
				outp = pkts[i].data;
				v = v != 0;
			} else if (vd == &tc_verdicts && v == UINT32_MAX) {
				v = 0; /* TC_ACT_UNSPEC: the default action, as OK */
			}
			counts[v < vd->n ? v : vd->n]++;
			/* What leaves (the first round only): PASS, TX and REDIRECT for XDP; OK,
			 * RECLASSIFY, PIPE and REDIRECT for tc; what a socket filter keeps. */
			if (dumper && r == 0 && v < vd->n && (vd->leave >> v & 1)) {
				struct pcap_pkthdr h = pkts[i].hdr;

				h.caplen = h.len = (bpf_u_int32)outlen;
				pcap_dump((u_char *)dumper, &h, outp);
				written++;
			}
		}
		if (!per_packet)
			ns += bpfh_time_ns() - round0;
	}
	if (json) {
		printf("{\"file\": \"%s\", \"program\": \"%s\", \"section\": \"%s\", \"engine\": \"%s\", "
		       "\"packets\": %llu, \"verdicts\": {", a.file, bpfh_prog_name(prog),
		       bpfh_prog_section(prog), bpfh_engine_name(a.engine),
		       (unsigned long long)total);
		for (i = 0; i < vd->n; i++)
			printf("%s\"%s\": %llu", i ? ", " : "", vd->names[i],
			       (unsigned long long)counts[i]);
		printf("}, \"other\": %llu, \"refused\": %llu, \"events\": %llu, \"written\": %llu, "
		       "\"ns\": %llu, \"pps\": %.0f", (unsigned long long)counts[vd->n],
		       (unsigned long long)refused, (unsigned long long)ev.count,
		       (unsigned long long)written,
		       (unsigned long long)ns, ns ? (double)total * 1e9 / (double)ns : 0.0);
		if (a.dump_maps) {
			printf(", \"maps\": ");
			cli_dump_maps(inst, obj, 1);
		}
		printf("}\n");
	} else {
		printf("%s: %s (%s) on %llu packets from %s, engine %s\n", a.file,
		       bpfh_prog_name(prog), bpfh_prog_section(prog), (unsigned long long)total,
		       a.pcap_in, bpfh_engine_name(a.engine));
		for (i = 0; i < vd->n; i++)
			if (counts[i] || vd != &tc_verdicts)
				printf("  %-10s %llu\n", vd->names[i], (unsigned long long)counts[i]);
		if (counts[vd->n])
			printf("  %-10s %llu\n", "other", (unsigned long long)counts[vd->n]);
		if (refused)
			printf("  %-10s %llu (too short for the hook)\n", "refused",
			       (unsigned long long)refused);
		if (ev.count)
			printf("  %llu ring buffer / perf event records\n", (unsigned long long)ev.count);
		if (dumper)
			printf("  wrote %llu packets to %s\n", (unsigned long long)written, a.pcap_out);
		printf("  %.0f packets/s (%.1f ns per packet, pcap I/O excluded)\n",
		       ns ? (double)total * 1e9 / (double)ns : 0.0,
		       total ? (double)ns / (double)total : 0.0);
		if (a.dump_maps)
			cli_dump_maps(inst, obj, 0);
	}
	rc = 0;
out:
	if (log.len)
		fputs(log.buf, stderr);
	if (dumper)
		pcap_dump_close(dumper);
	if (dead)
		pcap_close(dead);
	bpfh_xdp_port_destroy(port);
	close_events(&ev);
	free(srcs);
	for (i = 0; i < npkts; i++)
		free(pkts[i].data);
	free(pkts);
	bpfh_instance_destroy(inst);
	bpfh_object_destroy(obj);
	free(logbuf);
	return rc;
}
#else
int cli_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "bpfhost run: this build has no libpcap (pcap replay is unavailable)\n");
	return 2;
}
#endif
