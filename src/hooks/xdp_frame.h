/* SPDX-License-Identifier: MIT */
/*
 * Private to src/hooks and the packet path: one reusable XDP frame and its context.
 */
#ifndef BPFH_XDP_FRAME_H
#define BPFH_XDP_FRAME_H

#include "hooks.h"

#define BPFH_XDP_HEADROOM 256  /* XDP_PACKET_HEADROOM */
#define BPFH_XDP_TAILROOM 320  /* room to grow with bpf_xdp_adjust_tail */
#define BPFH_XDP_MAX_PACKET 65535

/* XDP verdicts (enum xdp_action). */
#define BPFH_XDP_ABORTED 0
#define BPFH_XDP_DROP 1
#define BPFH_XDP_PASS 2
#define BPFH_XDP_TX 3
#define BPFH_XDP_REDIRECT 4

struct bpfh_xdp_frame {
	uint8_t *frame; /* below 4 GiB */
	size_t frame_size;
	struct bpfh_xdp_md md;
	struct bpfh_xdp_buff buff;
	struct bpfh_env env;
	struct bpfh_region region[2]; /* the frame, the md (checked engine) */
};

/* A frame for packets up to max_packet bytes. 0 or -ENOMEM. */
int bpfh_xdp_frame_init(struct bpfh_xdp_frame *f, size_t max_packet);
void bpfh_xdp_frame_fini(struct bpfh_xdp_frame *f);
/* Copy a packet in (its first meta bytes are metadata); -EINVAL if it does not fit. */
int bpfh_xdp_frame_load(struct bpfh_xdp_frame *f, const void *pkt, size_t len, size_t meta);
/* The run of every packet the frame will hold, prepared once (the packet path): then, per
 * packet, bpfh_xdp_frame_load and bpfh_hook_run_prepared (its log may change in pr->run);
 * the packet that leaves is [md.data, md.data_end). */
void bpfh_xdp_frame_prepare(struct bpfh_xdp_frame *f, const struct bpfh_runner *runner,
			    uint64_t insn_limit, struct bpfh_hook_prepared *pr);

#endif
