// SPDX-License-Identifier: MIT
/* CO-RE of bitfields: a local struct bits whose bitfields tests/unit/obj/core.c moves around
 * in a target BTF of its own (built with the BTF writer), read with BPF_CORE_READ_BITFIELD
 * (byte offset, byte size, left and right shift, signedness relocations). The program is run
 * as plain memory (section "bits", given the memory program type): r1 points at a struct bits
 * laid out as the target says, and the program writes what it read to the bytes at offset 64,
 * as five 64-bit values. */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct bits {
	unsigned int a : 3;
	unsigned int b : 9;
	int c : 5;
	unsigned long long d : 40;
	unsigned short e;
} __attribute__((preserve_access_index));

SEC("bits")
int read_bits(struct bits *in)
{
	__u64 *out = (__u64 *)((char *)in + 64);

	out[0] = BPF_CORE_READ_BITFIELD(in, a);
	out[1] = BPF_CORE_READ_BITFIELD(in, b);
	out[2] = BPF_CORE_READ_BITFIELD(in, c);
	out[3] = BPF_CORE_READ_BITFIELD(in, d);
	out[4] = in->e;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
