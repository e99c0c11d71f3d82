// SPDX-License-Identifier: MIT
/*
 * The __sk_buff hooks' test run (socket filter, tc classifier and action, cgroup skb), as
 * Linux's bpf_prog_test_run_skb does it: the packet is an Ethernet frame; tc programs see it
 * from the MAC header, the others from the network header; skb->protocol is the EtherType.
 * The context's settable fields come from ctx_in (mark, priority, ifindexes, cb, tstamp,
 * wire_len, gso_segs, gso_size, hwtstamp); any other non-zero field is refused, as Linux does.
 * Also as Linux: an IPv4 packet shorter than an IPv4 header after the Ethernet header, or an
 * IPv6 one shorter than an IPv6 header, is refused (-EINVAL); the packet arrives on the
 * loopback device (skb->ifindex 1) unless ctx_in names another; gso_segs is what ctx_in says
 * (0 by default, as Linux's test skb has no segments); and for the types that see the
 * packet from the network header, the Ethernet header of data_out is zeroed (Linux pushes a
 * zeroed header back in front of the packet after the run).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hooks.h"
#include "../platform/platform.h"

#define ETH_HLEN 14
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define LOOPBACK_IFINDEX 1
#define SKB_HEADROOM 256
#define SKB_TAILROOM 256

/* Bytes of ctx_in that may be non-zero: [from, to) ranges. */
static int ctx_in_ok(const struct bpfh_sk_buff *in)
{
	static const struct { size_t from, to; } settable[] = {
		{ offsetof(struct bpfh_sk_buff, mark), offsetof(struct bpfh_sk_buff, queue_mapping) },
		{ offsetof(struct bpfh_sk_buff, priority), offsetof(struct bpfh_sk_buff, tc_index) },
		{ offsetof(struct bpfh_sk_buff, cb), offsetof(struct bpfh_sk_buff, hash) },
		{ offsetof(struct bpfh_sk_buff, tstamp), offsetof(struct bpfh_sk_buff, sk) },
		{ offsetof(struct bpfh_sk_buff, gso_size), offsetof(struct bpfh_sk_buff, tstamp_type) },
		{ offsetof(struct bpfh_sk_buff, hwtstamp), sizeof(struct bpfh_sk_buff) },
	};
	const uint8_t *b = (const uint8_t *)in;
	size_t i, j;

	for (i = 0; i < sizeof(*in); i++) {
		int ok = 0;

		for (j = 0; j < sizeof(settable) / sizeof(settable[0]); j++)
			if (i >= settable[j].from && i < settable[j].to)
				ok = 1;
		if (!ok && b[i])
			return 0;
	}
	return 1;
}

struct skb_state {
	struct bpfh_sk_buff skb, saved;
};

static void reset_skb(void *arg)
{
	struct skb_state *s = arg;

	s->skb = s->saved;
}

int bpfh_hook_skb_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			   struct bpfh_test_run_opts *opts)
{
	int mac = hook->prog_type == BPFH_PROG_TYPE_SCHED_CLS ||
		  hook->prog_type == BPFH_PROG_TYPE_SCHED_ACT;
	size_t size = SKB_HEADROOM + opts->data_size_in + SKB_TAILROOM;
	struct skb_state st;
	struct bpfh_env env;
	struct bpfh_invoke inv;
	struct bpfh_region region[2];
	uint8_t *frame, *data;
	uint32_t len;
	int err;

	if (!opts->data_in || opts->data_size_in < ETH_HLEN || opts->data_size_in > 65535)
		return -EINVAL;
	{
		const uint8_t *eth = opts->data_in;
		uint32_t l3 = opts->data_size_in - ETH_HLEN;

		if ((eth[12] == 0x08 && eth[13] == 0x00 && l3 < IPV4_HLEN) ||
		    (eth[12] == 0x86 && eth[13] == 0xdd && l3 < IPV6_HLEN))
			return -EINVAL;
	}
	memset(&st, 0, sizeof(st));
	if (opts->ctx_in) {
		if (opts->ctx_size_in > sizeof(st.skb))
			return -EINVAL;
		memcpy(&st.skb, opts->ctx_in, opts->ctx_size_in);
		if (!ctx_in_ok(&st.skb))
			return -EINVAL;
		/* a wire_len shorter than the packet is refused, as Linux does */
		if (st.skb.wire_len && st.skb.wire_len < opts->data_size_in - (mac ? 0 : ETH_HLEN))
			return -EINVAL;
	}
	size = (size + 4095) & ~(size_t)4095;
	frame = bpfh_pages_alloc_low(size);
	if (!frame)
		return -ENOMEM;
	memcpy(frame + SKB_HEADROOM, opts->data_in, opts->data_size_in);
	data = frame + SKB_HEADROOM + (mac ? 0 : ETH_HLEN);
	len = opts->data_size_in - (mac ? 0 : ETH_HLEN);
	st.skb.len = len;
	st.skb.protocol = (uint32_t)frame[SKB_HEADROOM + 12] | (uint32_t)frame[SKB_HEADROOM + 13] << 8;
	st.skb.data = (uint32_t)(uintptr_t)data;
	st.skb.data_end = (uint32_t)(uintptr_t)(data + len);
	st.skb.data_meta = st.skb.data;
	/* wire_len defaults to skb->len, which for the types that start at the network header
	 * leaves out the Ethernet header */
	if (!st.skb.wire_len)
		st.skb.wire_len = len;
	if (!st.skb.ifindex)
		st.skb.ifindex = LOOPBACK_IFINDEX;
	st.saved = st.skb;

	region[0].base = (uintptr_t)frame;
	region[0].size = size;
	region[0].writable = 1;
	region[1].base = (uintptr_t)&st.skb;
	region[1].size = sizeof(st.skb);
	region[1].writable = 1;
	bpfh_hook_prepare(&inv, &env, opts, (uint64_t)(uintptr_t)&st.skb, region, 2);
	env.pkt = data;
	env.pkt_len = len;
	env.redirect_verdict = 7; /* TC_ACT_REDIRECT */
	err = bpfh_hook_repeat(runner, &inv, opts, reset_skb, &st);
	if (!err) {
		uint8_t *start = frame + SKB_HEADROOM;

		opts->redirected = env.redirected;
		opts->redirect_ifindex = env.redirect_ifindex;
		if (!mac)
			memset(start, 0, ETH_HLEN);
		err = bpfh_hook_copy_out(opts->data_out, &opts->data_size_out, start,
					 opts->data_size_in);
		if (!err && opts->ctx_out) {
			struct bpfh_sk_buff out = st.skb;

			out.data = out.data_end = out.data_meta = 0; /* addresses stay inside */
			err = bpfh_hook_copy_out(opts->ctx_out, &opts->ctx_size_out, &out,
						 sizeof(out));
		}
	}
	bpfh_pages_free(frame, size);
	return err;
}
