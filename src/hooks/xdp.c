// SPDX-License-Identifier: MIT
/*
 * The XDP hook: a frame below 4 GiB with 256 bytes of headroom before the packet and tailroom
 * after it, the xdp_md the program sees (its data fields are 32-bit addresses into the frame,
 * as on Linux), and the helpers' view of it for adjust_head/tail/meta. Used by test runs and by
 * the packet path (bpfh_xdp_frame_*), which reuses one frame for every packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hooks.h"
#include "xdp_frame.h"
#include "../platform/platform.h"

#define LOOPBACK_IFINDEX 1

int bpfh_xdp_frame_init(struct bpfh_xdp_frame *f, size_t max_packet)
{
	size_t size = BPFH_XDP_HEADROOM + max_packet + BPFH_XDP_TAILROOM;

	memset(f, 0, sizeof(*f));
	size = (size + 4095) & ~(size_t)4095;
	f->frame = bpfh_pages_alloc_low(size);
	if (!f->frame)
		return -ENOMEM;
	f->frame_size = size;
	f->buff.frame = f->frame;
	f->buff.frame_size = size;
	f->buff.md = &f->md;
	f->env.xdp = &f->buff;
	f->env.redirect_verdict = BPFH_XDP_REDIRECT;
	f->region[0].base = (uintptr_t)f->frame;
	f->region[0].size = size;
	f->region[0].writable = 1;
	f->region[1].base = (uintptr_t)&f->md;
	f->region[1].size = sizeof(f->md);
	f->region[1].writable = 0;
	return 0;
}

void bpfh_xdp_frame_fini(struct bpfh_xdp_frame *f)
{
	bpfh_pages_free(f->frame, f->frame_size);
	memset(f, 0, sizeof(*f));
}

/* Place a packet (meta bytes of metadata first) at the headroom and point md at it. */
int bpfh_xdp_frame_load(struct bpfh_xdp_frame *f, const void *pkt, size_t len, size_t meta)
{
	uint8_t *data = f->frame + BPFH_XDP_HEADROOM;

	if (meta > len || BPFH_XDP_HEADROOM + len + BPFH_XDP_TAILROOM > f->frame_size)
		return -EINVAL;
	memcpy(data - meta, pkt, len);
	f->md.data_meta = (uint32_t)(uintptr_t)(data - meta);
	f->md.data = (uint32_t)(uintptr_t)data;
	f->md.data_end = (uint32_t)(uintptr_t)(data + len - meta);
	f->env.redirected = 0;
	return 0;
}

/* The invocation of the program on the frame's packet. */
static void frame_invoke(struct bpfh_xdp_frame *f, uint64_t insn_limit, struct bpfh_log *log,
			 struct bpfh_invoke *inv)
{
	memset(inv, 0, sizeof(*inv));
	inv->r1 = (uint64_t)(uintptr_t)&f->md;
	inv->env = &f->env;
	inv->regions = f->region;
	inv->nregions = 2;
	inv->insn_limit = insn_limit;
	inv->log = log;
}

void bpfh_xdp_frame_prepare(struct bpfh_xdp_frame *f, const struct bpfh_runner *runner,
			    uint64_t insn_limit, struct bpfh_hook_prepared *pr)
{
	struct bpfh_invoke inv;

	frame_invoke(f, insn_limit, NULL, &inv);
	bpfh_hook_prepare_run(runner, &inv, pr);
}

struct xdp_reset {
	struct bpfh_xdp_frame *f;
	struct bpfh_xdp_md saved;
};

static void reset_md(void *arg)
{
	struct xdp_reset *r = arg;

	r->f->md = r->saved;
	r->f->env.redirected = 0;
}

/* BPF_PROG_TEST_RUN for XDP. ctx_in, when given, is an xdp_md whose data says how many leading
 * bytes of data_in are metadata, whose data_end equals data_size_in and whose data_meta is 0.
 * Without an ingress_ifindex the packet arrives, as on Linux, on queue 0 of the loopback device
 * (ifindex 1); ctx_out gives back the ingress_ifindex and rx_queue_index of ctx_in. */
int bpfh_hook_xdp_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			   struct bpfh_test_run_opts *opts)
{
	struct bpfh_xdp_frame f;
	struct bpfh_xdp_md in;
	struct xdp_reset r;
	struct bpfh_invoke inv;
	uint32_t meta = 0;
	int err;

	(void)hook;
	memset(&in, 0, sizeof(in));
	if (opts->ctx_in) {
		if (opts->ctx_size_in > sizeof(in))
			return -EINVAL;
		memcpy(&in, opts->ctx_in, opts->ctx_size_in);
		if (in.data_meta || in.egress_ifindex || in.data > in.data_end ||
		    in.data_end != opts->data_size_in || in.data > 32 || in.data % 4)
			return -EINVAL;
		meta = in.data;
	}
	if (opts->data_size_in < 14 || opts->data_size_in > BPFH_XDP_MAX_PACKET || !opts->data_in)
		return -EINVAL;
	err = bpfh_xdp_frame_init(&f, opts->data_size_in);
	if (err)
		return err;
	bpfh_xdp_frame_load(&f, opts->data_in, opts->data_size_in, meta);
	f.md.ingress_ifindex = in.ingress_ifindex ? in.ingress_ifindex : LOOPBACK_IFINDEX;
	f.md.rx_queue_index = in.rx_queue_index;
	f.env.trace = opts->trace;
	f.env.trace_arg = opts->trace_arg;
	r.f = &f;
	r.saved = f.md;
	frame_invoke(&f, opts->insn_limit, opts->log, &inv);
	err = bpfh_hook_repeat(runner, &inv, opts, reset_md, &r);
	if (!err) {
		uint8_t *start = (uint8_t *)(uintptr_t)f.md.data_meta;
		size_t len = f.md.data_end - f.md.data_meta;

		opts->redirected = f.env.redirected;
		opts->redirect_ifindex = f.env.redirect_ifindex;
		if (f.env.redirected && f.env.redirect_map) {
			/* bpf_redirect_map: the DEVMAP entry's ifindex, as the XDP port says */
			uint32_t key = f.env.redirect_key;
			const uint32_t *ifx = bpfh_map_lookup_ptr(f.env.redirect_map, &key);

			opts->redirect_ifindex = ifx ? *ifx : 0;
		}
		err = bpfh_hook_copy_out(opts->data_out, &opts->data_size_out, start, len);
		if (!err && opts->ctx_out) {
			struct bpfh_xdp_md out = f.md;

			out.data = f.md.data - f.md.data_meta;
			out.data_meta = 0;
			out.data_end = (uint32_t)len;
			out.ingress_ifindex = in.ingress_ifindex;
			err = bpfh_hook_copy_out(opts->ctx_out, &opts->ctx_size_out, &out,
						 sizeof(out));
		}
	}
	bpfh_xdp_frame_fini(&f);
	return err;
}
