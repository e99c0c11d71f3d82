/* SPDX-License-Identifier: MIT */
/*
 * The XDP packet path for embedders and the CLI: a port owns one frame (below 4 GiB, with
 * Linux's 256 bytes of headroom and room to grow the tail) and runs an XDP program on one
 * packet at a time, reusing the frame. A port is used by one thread at a time; create one per
 * thread to run in parallel (each thread also picks its CPU slot with bpfh_cpu_set).
 */
#ifndef BPFHOST_XDP_H
#define BPFHOST_XDP_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/prog.h"

#ifdef __cplusplus
extern "C" {
#endif

/* XDP verdicts (Linux's enum xdp_action). */
enum bpfh_xdp_action {
	BPFH_XDP_ACTION_ABORTED = 0,
	BPFH_XDP_ACTION_DROP = 1,
	BPFH_XDP_ACTION_PASS = 2,
	BPFH_XDP_ACTION_TX = 3,
	BPFH_XDP_ACTION_REDIRECT = 4,
};

struct bpfh_xdp_port;

/* What happened to one packet. */
struct bpfh_xdp_result {
	uint32_t verdict;          /* r0 (an enum bpfh_xdp_action for well-behaved programs) */
	const uint8_t *data;       /* the packet as it leaves (valid until the next run) */
	size_t len;
	int redirected;            /* bpf_redirect or bpf_redirect_map was called */
	uint32_t redirect_ifindex; /* bpf_redirect's ifindex, or the DEVMAP entry's */
};

/* A port for prog (an XDP program) and packets up to max_packet bytes. trace receives
 * bpf_trace_printk output (may be NULL). 0 or a negative errno. */
int bpfh_xdp_port_create(struct bpfh_prog *prog, size_t max_packet, bpfh_trace_fn trace,
			 void *trace_arg, struct bpfh_xdp_port **out);
/* Run the program on one packet received on ifindex. 0, -EINVAL (too big, or shorter than an
 * Ethernet header) or the run's error (logged). */
int bpfh_xdp_port_run(struct bpfh_xdp_port *port, const void *pkt, size_t len, uint32_t ifindex,
		      struct bpfh_log *log, struct bpfh_xdp_result *res);
void bpfh_xdp_port_destroy(struct bpfh_xdp_port *port);

#ifdef __cplusplus
}
#endif
#endif
