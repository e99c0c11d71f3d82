// SPDX-License-Identifier: MIT
/*
 * A large program for the verifier benchmark (bench/verify.c), not run: an XDP parser that walks
 * up to 64 records of a type-length chain at variable offsets, each record checked against
 * data_end before it is read, and mixes the first 48 bytes of each into a hash (both loops
 * unrolled by clang), as parsers of IPv6 extension headers or TCP options are written: some
 * 10,000 instructions whose packet pointers carry a variable, bounded offset.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define RECORDS 64
#define BYTES 48

SEC("xdp")
int parse_tlv(struct xdp_md *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	__u32 off = 0, acc = 0;
	int done = 0;

#pragma clang loop unroll(full)
	for (int r = 0; r < RECORDS; r++) {
		const __u8 *p = data + off;

		if (done || p + 2 + BYTES > end) {
			done = 1;
		} else {
#pragma clang loop unroll(full)
			for (int i = 0; i < BYTES; i++)
				acc = (acc ^ p[2 + i]) * 31;
			done = p[0] == 0;
			off += 2 + (p[1] & 63);
		}
	}
	return acc & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "MIT";
