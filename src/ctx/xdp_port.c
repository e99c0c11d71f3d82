// SPDX-License-Identifier: MIT
/*
 * XDP ports (include/bpfhost/xdp.h): one reusable frame per port, so the packet path costs a
 * copy and a run per packet, no allocation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/xdp.h"
#include "ctx_int.h"
#include "../hooks/xdp_frame.h"

struct bpfh_xdp_port {
	struct bpfh_prog *prog;
	struct bpfh_runner runner;
	struct bpfh_xdp_frame frame;
	struct bpfh_hook_prepared run; /* every packet's run, prepared once */
	size_t max_packet;
};

int bpfh_xdp_port_create(struct bpfh_prog *prog, size_t max_packet, bpfh_trace_fn trace,
			 void *trace_arg, struct bpfh_xdp_port **out)
{
	struct bpfh_xdp_port *port;
	int err;

	*out = NULL;
	if (prog->type != BPFH_PROG_TYPE_XDP || max_packet > BPFH_XDP_MAX_PACKET)
		return -EINVAL;
	port = calloc(1, sizeof(*port));
	if (!port)
		return -ENOMEM;
	err = bpfh_xdp_frame_init(&port->frame, max_packet);
	if (err) {
		free(port);
		return err;
	}
	port->prog = prog;
	bpfh_prog_runner(prog, &port->runner);
	port->max_packet = max_packet;
	port->frame.env.trace = trace;
	port->frame.env.trace_arg = trace_arg;
	bpfh_xdp_frame_prepare(&port->frame, &port->runner, 0, &port->run);
	*out = port;
	return 0;
}

int bpfh_xdp_port_run(struct bpfh_xdp_port *port, const void *pkt, size_t len, uint32_t ifindex,
		      struct bpfh_log *log, struct bpfh_xdp_result *res)
{
	struct bpfh_xdp_frame *f = &port->frame;
	uint64_t r0 = 0;
	uint32_t key;
	int err;

	memset(res, 0, sizeof(*res));
	if (len < 14 || len > port->max_packet)
		return -EINVAL;
	bpfh_xdp_frame_load(f, pkt, len, 0);
	f->md.ingress_ifindex = ifindex;
	port->run.run.log = log;
	err = bpfh_hook_run_prepared(&port->run, &r0);
	if (err)
		return err;
	res->verdict = (uint32_t)r0;
	res->data = (const uint8_t *)(uintptr_t)f->md.data;
	res->len = f->md.data_end - f->md.data;
	res->redirected = f->env.redirected;
	res->redirect_ifindex = f->env.redirect_ifindex;
	if (f->env.redirected && f->env.redirect_map) {
		const uint32_t *ifx;

		key = f->env.redirect_key;
		ifx = bpfh_map_lookup_ptr(f->env.redirect_map, &key);
		res->redirect_ifindex = ifx ? *ifx : 0;
	}
	return 0;
}

void bpfh_xdp_port_destroy(struct bpfh_xdp_port *port)
{
	if (!port)
		return;
	bpfh_xdp_frame_fini(&port->frame);
	free(port);
}
