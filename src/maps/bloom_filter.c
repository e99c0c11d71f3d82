// SPDX-License-Identifier: MIT
/*
 * BLOOM_FILTER: a keyless set that may answer "present" for a value never pushed, never
 * "absent" for one that was. push sets k bits, peek tests them (-ENOENT when one is clear);
 * there is no pop, delete or iteration (-ENOTSUP, Linux's EOPNOTSUPP). k is map_extra's low 4
 * bits (0: 5); the bit array is sized as Linux sizes it, max_entries * k / ln 2 rounded up to a
 * power of 2, at least 64 bits.
 *
 * Bits are set and tested with atomic operations, no lock. The hash is bpfhost's own (seeded
 * per map unless BPF_F_ZERO_SEED), so which values collide differs from Linux.
 */
#include <stdlib.h>

#include "maps_int.h"

#define BLOOM_FLAGS (BPFH_F_NUMA_NODE | BPFH_F_ZERO_SEED | BPFH_F_ACCESS_MASK)

struct bpfh_bloom {
	struct bpfh_map map;
	uint32_t nr_hashes;
	uint32_t seed;
	uint64_t bit_mask;  /* bits - 1 */
	uint64_t *bits;
};

static struct bpfh_bloom *bloom_of(struct bpfh_map *map)
{
	return (struct bpfh_bloom *)map;
}

static int bloom_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	if (def->value_size > BPFH_KMALLOC_MAX) {
		bpfh_map_log(log, def, "value_size %u too large\n", def->value_size);
		return -E2BIG;
	}
	if (def->key_size != 0 || def->value_size == 0 || def->max_entries == 0 ||
	    (def->map_flags & ~BLOOM_FLAGS) || (def->map_extra & ~0xfull)) {
		bpfh_map_log(log, def, "a bloom filter needs key_size 0, a value_size, "
			     "max_entries, map_extra below 16 and no map_flags but NUMA, "
			     "ZERO_SEED and access flags\n");
		return -EINVAL;
	}
	return 0;
}

static int bloom_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	struct bpfh_bloom *b;
	uint64_t nbits, k = tmpl->def.map_extra ? tmpl->def.map_extra : 5;

	/* n * k / ln 2, with 7 / 5 for 1 / ln 2; 2^32 bits at most. */
	nbits = (uint64_t)tmpl->def.max_entries * k / 5 * 7;
	if (nbits > (1ull << 31))
		nbits = 1ull << 32;
	else if (nbits <= 64)
		nbits = 64;
	else
		nbits = (uint64_t)bpfh_roundup_pow2((uint32_t)nbits);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->nr_hashes = (uint32_t)k;
	b->seed = bpfh_hash_seed(&tmpl->def, b);
	b->bit_mask = nbits - 1;
	b->bits = calloc(nbits / 64, sizeof(uint64_t));
	if (!b->bits) {
		free(b);
		return -ENOMEM;
	}
	*out = &b->map;
	return 0;
}

static void bloom_free(struct bpfh_map *map)
{
	struct bpfh_bloom *b = bloom_of(map);

	free(b->bits);
	free(b);
}

static uint64_t bit_of(struct bpfh_bloom *b, const void *value, uint32_t i)
{
	return bpfh_hash(value, b->map.def.value_size, b->seed + i) & b->bit_mask;
}

static int bloom_push(struct bpfh_map *map, const void *value, uint64_t flags)
{
	struct bpfh_bloom *b = bloom_of(map);
	uint32_t i;

	if (flags != BPFH_ANY)
		return -EINVAL;
	for (i = 0; i < b->nr_hashes; i++) {
		uint64_t bit = bit_of(b, value, i);

		__atomic_fetch_or(&b->bits[bit / 64], 1ull << (bit % 64), __ATOMIC_RELAXED);
	}
	return 0;
}

static int bloom_peek(struct bpfh_map *map, void *value)
{
	struct bpfh_bloom *b = bloom_of(map);
	uint32_t i;

	for (i = 0; i < b->nr_hashes; i++) {
		uint64_t bit = bit_of(b, value, i);

		if (!(__atomic_load_n(&b->bits[bit / 64], __ATOMIC_RELAXED) & (1ull << (bit % 64))))
			return -ENOENT;
	}
	return 0;
}

const struct bpfh_map_ops bpfh_bloom_filter_ops = {
	.check = bloom_check,
	.alloc = bloom_alloc,
	.free = bloom_free,
	.push = bloom_push,
	.peek = bloom_peek,
};
