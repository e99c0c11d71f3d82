// SPDX-License-Identifier: MIT
/*
 * Packet helpers: the checksum difference, redirects (recorded in the environment for the hook
 * to act on), and the XDP buffer adjustments, which move data, data_end and data_meta inside
 * the frame the hook gave (env->xdp) with Linux's limits.
 */
#include <string.h>

#include "helpers_int.h"

#define ETH_HLEN 14
#define XDP_META_MAX 32

/* bpf_csum_diff(from, from_size, to, to_size, seed): the 32-bit one's complement sum of the
 * 'to' words, of the complemented 'from' words and of the seed (sizes multiples of 4). */
BPFH_HELPER_IMPL(csum_diff)
{
	uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4, i, w;
	uint64_t sum = (uint32_t)r5;

	if (from_size % 4 || to_size % 4 || from_size > 512 || to_size > 512)
		return ERR(EINVAL);
	for (i = 0; i < from_size; i += 4) {
		memcpy(&w, (const uint8_t *)PTR(r1) + i, 4);
		sum += (uint32_t)~w;
	}
	for (i = 0; i < to_size; i += 4) {
		memcpy(&w, (const uint8_t *)PTR(r3) + i, 4);
		sum += w;
	}
	while (sum >> 32)
		sum = (sum & 0xffffffffu) + (sum >> 32);
	return sum;
}

/* bpf_skb_load_bytes(skb, offset, to, len): copy from the packet; -EFAULT out of bounds. */
BPFH_HELPER_IMPL(skb_load_bytes)
{
	struct bpfh_env *env = env_of(run);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;

	if (!env || !env->pkt || off > env->pkt_len || len > env->pkt_len - off) {
		if (len)
			memset(PTR(r3), 0, len);
		return ERR(EFAULT);
	}
	memcpy(PTR(r3), env->pkt + off, len);
	return 0;
}

BPFH_HELPER_IMPL(redirect)
{
	struct bpfh_env *env = env_of(run);

	if (!env || r2 != 0)
		return 0; /* XDP_ABORTED / TC_ACT_OK: flags must be 0 */
	env->redirected = 1;
	env->redirect_ifindex = (uint32_t)r1;
	env->redirect_flags = r2;
	env->redirect_map = NULL;
	return env->redirect_verdict;
}

/* bpf_redirect_map(map, key, flags): the low two bits of flags are the verdict to return when
 * the key has no entry. */
BPFH_HELPER_IMPL(redirect_map)
{
	struct bpfh_env *env = env_of(run);
	uint32_t key = (uint32_t)r2;

	if (!env || (r3 & ~3ull))
		return 0;
	if (!bpfh_map_lookup_ptr(PTR(r1), &key))
		return r3 & 3;
	env->redirected = 1;
	env->redirect_map = PTR(r1);
	env->redirect_key = key;
	env->redirect_flags = r3;
	return env->redirect_verdict;
}

/* Offsets of the md's pointers inside the frame. */
struct xdp_view {
	struct bpfh_xdp_md *md;
	uintptr_t lo, hi; /* the frame */
	uintptr_t meta, data, end;
};

static int view(struct bpfh_run *run, uint64_t ctx, struct xdp_view *v)
{
	struct bpfh_env *env = env_of(run);

	if (!env || !env->xdp || PTR(ctx) != (void *)env->xdp->md)
		return -EINVAL;
	v->md = env->xdp->md;
	v->lo = (uintptr_t)env->xdp->frame;
	v->hi = v->lo + env->xdp->frame_size;
	v->meta = v->md->data_meta;
	v->data = v->md->data;
	v->end = v->md->data_end;
	return 0;
}

/* Move data by delta (may be negative): room for an Ethernet header must remain, and the
 * metadata moves along with it. */
BPFH_HELPER_IMPL(xdp_adjust_head)
{
	struct xdp_view v;
	int64_t delta = (int64_t)(int32_t)r2;
	uintptr_t data, meta;

	if (view(run, r1, &v))
		return ERR(EINVAL);
	data = v.data + (uintptr_t)delta;
	meta = v.meta + (uintptr_t)delta;
	if ((delta < 0 && (uintptr_t)-delta > v.meta - v.lo) || data < v.lo || data > v.end ||
	    v.end - data < ETH_HLEN)
		return ERR(EINVAL);
	if (v.meta < v.data) /* metadata present: keep it just before the data */
		memmove((void *)meta, (void *)v.meta, v.data - v.meta);
	v.md->data = (uint32_t)data;
	v.md->data_meta = (uint32_t)meta;
	return 0;
}

BPFH_HELPER_IMPL(xdp_adjust_tail)
{
	struct xdp_view v;
	int64_t delta = (int64_t)(int32_t)r2;
	uintptr_t end;

	if (view(run, r1, &v))
		return ERR(EINVAL);
	end = v.end + (uintptr_t)delta;
	if ((delta < 0 && (uintptr_t)-delta > v.end - v.data) || end > v.hi ||
	    end - v.data < ETH_HLEN)
		return ERR(EINVAL);
	if (delta > 0) /* grown tail bytes read as zero, as in Linux */
		memset((void *)v.end, 0, (size_t)delta);
	v.md->data_end = (uint32_t)end;
	return 0;
}

BPFH_HELPER_IMPL(xdp_adjust_meta)
{
	struct xdp_view v;
	int64_t delta = (int64_t)(int32_t)r2;
	uintptr_t meta;

	if (view(run, r1, &v))
		return ERR(EINVAL);
	meta = v.meta + (uintptr_t)delta;
	if ((delta < 0 && (uintptr_t)-delta > v.meta - v.lo) || meta > v.data ||
	    v.data - meta > XDP_META_MAX || (v.data - meta) % 4)
		return ERR(EINVAL);
	v.md->data_meta = (uint32_t)meta;
	return 0;
}

BPFH_HELPER_IMPL(xdp_get_buff_len)
{
	struct xdp_view v;

	if (view(run, r1, &v))
		return 0;
	return v.end - v.data;
}
