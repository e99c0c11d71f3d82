// SPDX-License-Identifier: MIT
/*
 * The verifier's entry point: checks the input, builds the CFG (cfg.c), runs the analysis
 * (analyze.c) and fills in the verdict and statistics. Also the built-in descriptions of the
 * program types the verifier knows (sizes and return ranges as src/hooks gives them).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "bpfhost/contexts.h"
#include "bpfhost/helpers.h"
#include "../platform/platform.h"
#include "verify_int.h"

const struct bpfh_verify_prog_type bpfh_verify_type_xdp = {
	.name = "xdp",
	.ctx_size = sizeof(struct bpfh_xdp_md),
	.pkt_data_off = offsetof(struct bpfh_xdp_md, data),
	.pkt_end_off = offsetof(struct bpfh_xdp_md, data_end),
	.ret_min = 0,
	.ret_max = 4,
};

const struct bpfh_verify_prog_type bpfh_verify_type_socket_filter = {
	.name = "socket_filter",
	.ctx_size = sizeof(struct bpfh_sk_buff),
	.pkt_data_off = offsetof(struct bpfh_sk_buff, data),
	.pkt_end_off = offsetof(struct bpfh_sk_buff, data_end),
	.ret_min = 0,
	.ret_max = UINT32_MAX,
	.ld_abs = 1,
};

struct bpfh_verify_prog_type bpfh_verify_type_memory(uint32_t mem_size)
{
	struct bpfh_verify_prog_type t = {
		.name = "memory",
		.ctx_size = mem_size,
		.ctx_writable = 1,
		.r2_ctx_size = 1,
		.pkt_data_off = -1,
		.pkt_end_off = -1,
		.ret_min = INT64_MIN,
		.ret_max = INT64_MAX,
	};

	return t;
}

int bpfh_verify(const struct bpfh_verify_input *in, struct bpfh_verify_result *out,
		struct bpfh_log *log)
{
	struct bpfh_verify_result res;
	struct bpfh_cfg cfg;
	uint64_t t0 = bpfh_time_ns();
	int err;

	memset(&res, 0, sizeof(res));
	if (!in || !in->insns || !in->count || !in->type || (in->nmaps && !in->maps)) {
		err = -EINVAL;
		goto done;
	}
	res.insns = in->count;
	err = bpfh_cfg_build(&cfg, in->insns, in->count, in->opts.allow_unreachable != 0, log);
	if (err == -EINVAL)
		err = -EACCES; /* the decoder's refusal, already logged */
	if (err)
		goto done;
	res.blocks = cfg.nblocks;
	err = bpfh_analyze(in, &cfg, &res, log);
	bpfh_cfg_free(&cfg);
done:
	res.accepted = err == 0;
	res.time_ns = bpfh_time_ns() - t0;
	if (out)
		*out = res;
	return err;
}
