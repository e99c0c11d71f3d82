// SPDX-License-Identifier: MIT
/*
 * Map operation benchmarks (bench/maps.c): XDP programs that each loop NKEYS times over one map
 * operation (lookup, update, delete) on one map type (HASH, ARRAY, LRU_HASH, LPM_TRIE), run by
 * bpfhost's interpreter and by the kernel through BPF_PROG_TEST_RUN, the same object on both.
 * `empty` is the same loop without the helper call: the runner subtracts its time so that what
 * remains is the operations' own cost. Every program leaves in `hits` how many operations
 * found (or stored, or removed) their element, which the runner checks.
 *
 * At the end, a tail-call chain (33 tail calls of a program into itself) and its baseline.
 *
 * Keys: i for the hash types and the array (0 .. NKEYS-1, all present before lookups, updates
 * and deletes); the LPM trie holds the /24 prefixes 10.(i >> 8).(i & 255).0, looked up with a
 * /32 address inside each, updated and deleted by the prefix itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NKEYS 1024
#define MAX_ENTRIES 4096 /* room, so that the LRU never evicts the keys being measured */

struct lpm_key {
	__u32 prefixlen;
	__u32 addr; /* network byte order */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, MAX_ENTRIES);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, NKEYS);
} array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, MAX_ENTRIES);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u64);
	__uint(max_entries, MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} lpm SEC(".maps");

__u64 hits;

/* The loop every program runs: the key on the stack, its address in a register (as a helper
 * call needs them), then OP, which adds 1 to n when the operation succeeds. */
#define LOOP(KEYTYPE, MAKE_KEY, OP)                                            \
	do {                                                                   \
		__u64 n = 0;                                                   \
		__u32 i;                                                       \
									       \
		_Pragma("clang loop unroll(disable)")                         \
		for (i = 0; i < NKEYS; i++) {                                  \
			KEYTYPE k = MAKE_KEY(i);                               \
			void *kp = &k;                                         \
									       \
			asm volatile("" : "+r"(kp) : : "memory");             \
			OP;                                                    \
		}                                                              \
		hits = n;                                                      \
	} while (0)

#define U32_KEY(i) (i)
#define LPM_PREFIX(i) ((struct lpm_key){ 24, bpf_htonl(0x0a000000u | (i) << 8) })
#define LPM_ADDR(i) ((struct lpm_key){ 32, bpf_htonl(0x0a000007u | (i) << 8) })

SEC("xdp")
int empty(struct xdp_md *ctx)
{
	LOOP(__u32, U32_KEY, n += *(__u32 *)kp <= NKEYS);
	return XDP_PASS;
}

#define LOOKUP(M) n += bpf_map_lookup_elem(&M, kp) != 0
#define UPDATE(M) ({ __u64 v = i; n += bpf_map_update_elem(&M, kp, &v, BPF_EXIST) == 0; })
#define DELETE(M) n += bpf_map_delete_elem(&M, kp) == 0

SEC("xdp")
int hash_lookup(struct xdp_md *ctx)
{
	LOOP(__u32, U32_KEY, LOOKUP(hash));
	return XDP_PASS;
}

SEC("xdp")
int hash_update(struct xdp_md *ctx)
{
	LOOP(__u32, U32_KEY, UPDATE(hash));
	return XDP_PASS;
}

SEC("xdp")
int hash_delete(struct xdp_md *ctx)
{
	LOOP(__u32, U32_KEY, DELETE(hash));
	return XDP_PASS;
}

SEC("xdp")
int array_lookup(struct xdp_md *ctx)
{
	LOOP(__u32, U32_KEY, LOOKUP(array));
	return XDP_PASS;
}

SEC("xdp")
int array_update(struct xdp_md *ctx)
{
	LOOP(__u32, U32_KEY, UPDATE(array));
	return XDP_PASS;
}

SEC("xdp")
int lru_lookup(struct xdp_md *ctx)
{
	LOOP(__u32, U32_KEY, LOOKUP(lru));
	return XDP_PASS;
}

SEC("xdp")
int lru_update(struct xdp_md *ctx)
{
	LOOP(__u32, U32_KEY, UPDATE(lru));
	return XDP_PASS;
}

SEC("xdp")
int lru_delete(struct xdp_md *ctx)
{
	LOOP(__u32, U32_KEY, DELETE(lru));
	return XDP_PASS;
}

SEC("xdp")
int lpm_lookup(struct xdp_md *ctx)
{
	LOOP(struct lpm_key, LPM_ADDR, LOOKUP(lpm));
	return XDP_PASS;
}

SEC("xdp")
int lpm_update(struct xdp_md *ctx)
{
	LOOP(struct lpm_key, LPM_PREFIX, UPDATE(lpm));
	return XDP_PASS;
}

SEC("xdp")
int lpm_delete(struct xdp_md *ctx)
{
	LOOP(struct lpm_key, LPM_PREFIX, DELETE(lpm));
	return XDP_PASS;
}

/*
 * Tail-call chain (bench/maps.c): chain_head tail-calls chain_link, which counts itself in
 * hits and tail-calls itself through slot 0 of `chain` until the limit of 33 tail calls makes
 * bpf_tail_call fail and it returns: 33 tail calls, hits = 33. chain_flat stores the same
 * hits and makes one tail call that cannot succeed (index 1 of a one-slot array), so that it
 * is, like chain_head, a program that tail-calls (its entry and exit are those of one, on
 * every engine: bpfhost's JIT gives programs without calls a shorter entry): the runner
 * subtracts its time, which leaves the 33 tail calls.
 */
#define TAIL_CALLS 33

int chain_link(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} chain SEC(".maps") = {
	.values = { [0] = (void *)&chain_link },
};

SEC("xdp")
int chain_link(struct xdp_md *ctx)
{
	hits++;
	bpf_tail_call(ctx, &chain, 0);
	return XDP_PASS;
}

SEC("xdp")
int chain_head(struct xdp_md *ctx)
{
	hits = 0;
	bpf_tail_call(ctx, &chain, 0);
	return XDP_DROP;
}

SEC("xdp")
int chain_flat(struct xdp_md *ctx)
{
	hits = TAIL_CALLS;
	bpf_tail_call(ctx, &chain, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
