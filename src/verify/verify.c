// SPDX-License-Identifier: MIT
/*
 * The verifier's entry point: checks the input, builds the CFG (cfg.c), runs the analysis
 * (analyze.c) and fills in the verdict and statistics. The built-in descriptions of the
 * program types are in types.c.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "../platform/platform.h"
#include "verify_int.h"

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
