// SPDX-License-Identifier: MIT
/* A program in a section whose name gives no program type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("my_hook/entry")
int hooked(void *ctx)
{
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
