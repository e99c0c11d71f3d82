// SPDX-License-Identifier: MIT
/* A kernel symbol (__ksym): nothing a user-space host can resolve. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;

SEC("socket")
int use_ksym(void *ctx)
{
	return *(const int *)bpf_this_cpu_ptr(&bpf_prog_active);
}

char LICENSE[] SEC("license") = "GPL";
