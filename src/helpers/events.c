// SPDX-License-Identifier: MIT
/*
 * Event helpers: ring buffer records (output, reserve, submit, discard, query) and perf event
 * output, over src/maps' ring buffer and perf event array. Records a program reserves become
 * memory the checked engine lets it write until it submits them.
 */
#include "helpers_int.h"

#define BPF_F_CTXLEN_MASK (0xfffffull << 32)

BPFH_HELPER_IMPL(ringbuf_output)
{
	return (uint64_t)(int64_t)bpfh_ringbuf_output(PTR(r1), PTR(r2), r3, r4);
}

BPFH_HELPER_IMPL(ringbuf_reserve)
{
	void *rec = bpfh_ringbuf_reserve(PTR(r1), r2, r3);

	if (rec)
		bpfh_run_add_region(run, (uintptr_t)rec, (size_t)r2, 1);
	return (uint64_t)(uintptr_t)rec;
}

BPFH_HELPER_IMPL(ringbuf_submit)
{
	bpfh_ringbuf_submit(PTR(r1), r2);
	return 0;
}

BPFH_HELPER_IMPL(ringbuf_discard)
{
	bpfh_ringbuf_discard(PTR(r1), r2);
	return 0;
}

BPFH_HELPER_IMPL(ringbuf_query)
{
	return bpfh_ringbuf_query(PTR(r1), r2);
}

/* bpf_perf_event_output(ctx, map, flags, data, size): the upper bits of flags
 * (BPF_F_CTXLEN_MASK) ask for that many bytes of the packet to follow the data, for the
 * program types whose context has one (XDP, __sk_buff). */
BPFH_HELPER_IMPL(perf_event_output)
{
	struct bpfh_env *env = env_of(run);
	uint64_t ctxlen = (r3 & BPF_F_CTXLEN_MASK) >> 32;
	const void *extra = NULL;

	if (ctxlen) {
		if (env && env->xdp) {
			uintptr_t data = env->xdp->md->data, end = env->xdp->md->data_end;

			if (ctxlen > end - data)
				return ERR(EFAULT);
			extra = (const void *)data;
		} else if (env && env->pkt) {
			if (ctxlen > env->pkt_len)
				return ERR(EFAULT);
			extra = env->pkt;
		} else {
			return ERR(EINVAL);
		}
	}
	return (uint64_t)(int64_t)bpfh_perf_event_output(PTR(r2), r3 & ~BPF_F_CTXLEN_MASK, PTR(r4),
							r5, extra, ctxlen);
}
