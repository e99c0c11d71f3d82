// SPDX-License-Identifier: MIT
/* A strong .kconfig extern that a user-space host cannot answer. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_HZ __kconfig;

SEC("socket")
int hz(void *ctx)
{
	return CONFIG_HZ;
}

char LICENSE[] SEC("license") = "GPL";
