// SPDX-License-Identifier: MIT
/* .kconfig externs: the kernel version, configuration values of several types, and a weak
 * extern this host does not know (it reads 0). */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern int LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF __kconfig;
extern int CONFIG_NOT_ON_THIS_HOST __kconfig __weak;

SEC("socket")
int check_kernel(void *ctx)
{
	if (LINUX_KERNEL_VERSION < KERNEL_VERSION(5, 10, 0))
		return 0;
	return CONFIG_BPF_SYSCALL + (CONFIG_BPF == TRI_YES) + CONFIG_NOT_ON_THIS_HOST;
}

char LICENSE[] SEC("license") = "GPL";
