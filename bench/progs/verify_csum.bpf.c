// SPDX-License-Identifier: MIT
/*
 * A large program for the verifier benchmark (bench/verify.c), not run: an XDP program that
 * checks once that 1500 bytes of packet are there, then hashes them three ways (FNV-1a over the
 * bytes, Adler-32's two sums, a rotate-and-xor over 16-bit words) with loops clang unrolls
 * completely: some 13,000 straight-line instructions, every packet load at a constant offset
 * under the one bounds check. Each step depends on the one before, so clang cannot hoist the
 * loads (and spill them past the 512-byte stack).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LEN 1500

SEC("xdp")
int csum_1500(struct xdp_md *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	__u32 hash = 2166136261u, a = 1, b = 0, x = 0;

	if (data + LEN > end)
		return XDP_PASS;
#pragma unroll
	for (int i = 0; i < LEN; i++)
		hash = (hash ^ data[i]) * 16777619u;
#pragma unroll
	for (int i = 0; i < LEN; i++) {
		a += data[i];
		b += a;
	}
#pragma unroll
	for (int i = 0; i < LEN; i += 2)
		x = ((x << 5) | (x >> 27)) ^ *(const __u16 *)&data[i];
	return (hash ^ a ^ b ^ x) & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "MIT";
