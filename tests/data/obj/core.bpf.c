// SPDX-License-Identifier: MIT
/* CO-RE relocations (field offsets, existence, sizes, type existence, enum values), which the
 * loader keeps for a later pass without applying them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task {
	int pid;
	int tgid;
	struct {
		long state;
		char comm[16];
	} info;
} __attribute__((preserve_access_index));

enum mode { MODE_A = 1, MODE_B = 2 };

SEC("kprobe/wake_up_process")
int probe(struct task *t)
{
	int r = BPF_CORE_READ(t, tgid);

	if (bpf_core_field_exists(t->info.state))
		r += bpf_core_field_size(t->info.comm);
	if (bpf_core_type_exists(struct task))
		r++;
	if (bpf_core_enum_value_exists(enum mode, MODE_B))
		r += bpf_core_enum_value(enum mode, MODE_B);
	return r;
}

char LICENSE[] SEC("license") = "GPL";
