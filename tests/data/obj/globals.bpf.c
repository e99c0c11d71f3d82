// SPDX-License-Identifier: MIT
/* Global data: .data, .rodata (const volatile, and a string table), .bss, custom
 * .data.NAME and .rodata.NAME sections, static and global variables. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int hits = 7;                                   /* .data */
static int static_hits = 3;                     /* .data, static */
const volatile __u32 limit = 100;               /* .rodata */
const volatile char greeting[8] = "hello";      /* .rodata */
__u64 total;                                    /* .bss */
__u32 seen[4];                                  /* .bss */
int custom_counter SEC(".data.counters") = 42;  /* .data.counters */
const volatile int tunable SEC(".rodata.tunables") = 5; /* .rodata.tunables */

SEC("cgroup/bind4")
int limit_binds(struct bpf_sock_addr *ctx)
{
	static_hits++;
	hits++;
	total += ctx->user_port;
	seen[ctx->user_port & 3] = tunable;
	custom_counter++;
	bpf_printk("bind %d of %d", hits, limit);
	return hits + static_hits < limit && greeting[0] == 'h';
}

char LICENSE[] SEC("license") = "GPL";
