/* SPDX-License-Identifier: MIT */
/*
 * bpfhost maps: Linux's map types with Linux's numbering, flags and errors, safe for programs
 * running on several threads and for user-side calls at the same time.
 *
 * Two views of one map:
 *  - the user side (bpfh_map_lookup/update/delete/next_key/push/pop/peek) copies values in and
 *    out, like the bpf() syscall: for per-CPU maps a value is bpfh_map_user_value_size() bytes,
 *    every CPU's copy rounded up to 8 bytes, CPU 0 first;
 *  - the program side (bpfh_map_lookup_ptr and friends, called by helpers) works on the calling
 *    thread's CPU slot (bpfh_cpu_current()) and returns pointers into the map's storage that stay
 *    valid as long as the map lives (elements are preallocated and recycled, never freed while
 *    the map exists, as Linux's preallocated maps do).
 *
 * Errors are negative errno values: -ENOENT no such element, -EEXIST with BPF_NOEXIST,
 * -E2BIG map full, -EINVAL bad flags or sizes, -ENOTSUP an operation the type lacks, -ENOMEM.
 */
#ifndef BPFHOST_MAP_H
#define BPFHOST_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/log.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Map types: the values of Linux's enum bpf_map_type. */
enum bpfh_map_type {
	BPFH_MAP_TYPE_UNSPEC = 0,
	BPFH_MAP_TYPE_HASH = 1,
	BPFH_MAP_TYPE_ARRAY = 2,
	BPFH_MAP_TYPE_PROG_ARRAY = 3,
	BPFH_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPFH_MAP_TYPE_PERCPU_HASH = 5,
	BPFH_MAP_TYPE_PERCPU_ARRAY = 6,
	BPFH_MAP_TYPE_LRU_HASH = 9,
	BPFH_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPFH_MAP_TYPE_LPM_TRIE = 11,
	BPFH_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPFH_MAP_TYPE_HASH_OF_MAPS = 13,
	BPFH_MAP_TYPE_DEVMAP = 14,
	BPFH_MAP_TYPE_QUEUE = 22,
	BPFH_MAP_TYPE_STACK = 23,
	BPFH_MAP_TYPE_DEVMAP_HASH = 25,
	BPFH_MAP_TYPE_RINGBUF = 27,
	BPFH_MAP_TYPE_BLOOM_FILTER = 30,
};

/* Update flags (Linux values). */
#define BPFH_ANY 0
#define BPFH_NOEXIST 1
#define BPFH_EXIST 2
#define BPFH_F_LOCK 4

/* map_flags at creation (Linux values). */
#define BPFH_F_NO_PREALLOC (1u << 0)
#define BPFH_F_NO_COMMON_LRU (1u << 1)
#define BPFH_F_NUMA_NODE (1u << 2)
#define BPFH_F_RDONLY (1u << 3)
#define BPFH_F_WRONLY (1u << 4)
#define BPFH_F_ZERO_SEED (1u << 6)
#define BPFH_F_RDONLY_PROG (1u << 7)
#define BPFH_F_WRONLY_PROG (1u << 8)
#define BPFH_F_MMAPABLE (1u << 10)
#define BPFH_F_INNER_MAP (1u << 12)

#define BPFH_MAP_NAME_LEN 64

/* What a map is: the fields of BPF_MAP_CREATE that matter outside the kernel. */
struct bpfh_map_def {
	uint32_t type;        /* enum bpfh_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint64_t map_extra;   /* bloom filter: number of hash functions in the low 4 bits */
	char name[BPFH_MAP_NAME_LEN];
};

struct bpfh_map;

/*
 * Create a map. For ARRAY_OF_MAPS and HASH_OF_MAPS, inner is the template every inner map must
 * match (type, key and value sizes, max_entries unless BPF_F_INNER_MAP); NULL otherwise. Sizes
 * and flags are checked as Linux checks them (log says which). The map starts with one
 * reference. Returns 0 or a negative errno.
 */
int bpfh_map_create(const struct bpfh_map_def *def, const struct bpfh_map *inner,
		    struct bpfh_log *log, struct bpfh_map **out);
/* Take and drop references; the last put frees the map (and drops the maps it holds). */
struct bpfh_map *bpfh_map_get(struct bpfh_map *map);
void bpfh_map_put(struct bpfh_map *map);

const struct bpfh_map_def *bpfh_map_def(const struct bpfh_map *map);
/* Bytes of one value on the user side: value_size, or for per-CPU maps
 * round_up(value_size, 8) * bpfh_cpu_possible(). */
size_t bpfh_map_user_value_size(const struct bpfh_map *map);

/* User side (copies). For map-in-map types a value is a uint32_t id of a map from the
 * registry given to bpfh_map_set_resolver; for PROG_ARRAY the id of a program. */
int bpfh_map_lookup(struct bpfh_map *map, const void *key, void *value);
int bpfh_map_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags);
int bpfh_map_delete(struct bpfh_map *map, const void *key);
int bpfh_map_lookup_and_delete(struct bpfh_map *map, const void *key, void *value);
/* key NULL: the first key. -ENOENT after the last. */
int bpfh_map_next_key(struct bpfh_map *map, const void *key, void *next_key);
int bpfh_map_push(struct bpfh_map *map, const void *value, uint64_t flags);
int bpfh_map_pop(struct bpfh_map *map, void *value);
int bpfh_map_peek(struct bpfh_map *map, void *value);

/* Program side: pointer to the value for key in the calling thread's CPU slot, or NULL. For
 * map-in-map types, the inner struct bpfh_map pointer itself. */
void *bpfh_map_lookup_ptr(struct bpfh_map *map, const void *key);
/* Value of CPU cpu of a per-CPU map (bpf_map_lookup_percpu_elem), or NULL. */
void *bpfh_map_lookup_percpu_ptr(struct bpfh_map *map, const void *key, uint32_t cpu);

/* CPUs as programs see them: each thread that runs programs has a slot number below
 * bpfh_cpu_possible(); bpf_get_smp_processor_id() returns it. */
unsigned bpfh_cpu_possible(void);
unsigned bpfh_cpu_current(void);
/* Set the calling thread's slot (wrapped modulo bpfh_cpu_possible()). */
void bpfh_cpu_set(unsigned cpu);

#ifdef __cplusplus
}
#endif
#endif
