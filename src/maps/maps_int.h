/* SPDX-License-Identifier: MIT */
/*
 * Private to src/maps: the ops table each map type fills, the common head of every map
 * (struct bpfh_map), the spin and reader-writer locks (GCC/clang __atomic builtins, no OS
 * calls), the value copies that programs' atomics can race with safely, the key hash, and the
 * hash table core that the hash types, HASH_OF_MAPS and DEVMAP_HASH share. Nothing outside
 * src/maps includes it.
 */
#ifndef BPFH_MAPS_INT_H
#define BPFH_MAPS_INT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bpfhost/map.h"

/* Linux's limits, where a map's creation checks them. */
#define BPFH_KMALLOC_MAX (1u << 22)    /* KMALLOC_MAX_SIZE with 4 KiB pages */
#define BPFH_PCPU_MIN_UNIT 32768u      /* PCPU_MIN_UNIT_SIZE: one per-CPU value at most */
#define BPFH_MAX_KEY 512u              /* MAX_BPF_STACK: hash keys at most */
#define BPFH_PAGE_SIZE 4096u
#define BPFH_F_ACCESS_MASK                                                                  \
	(BPFH_F_RDONLY | BPFH_F_WRONLY | BPFH_F_RDONLY_PROG | BPFH_F_WRONLY_PROG)

#define BPFH_ROUND8(x) (((x) + 7u) & ~(size_t)7u)

/* Who is calling: the user side copies every CPU's value of a per-CPU map, a program only its
 * own CPU's. */
enum bpfh_side {
	BPFH_SIDE_USER,
	BPFH_SIDE_PROG,
};

/*
 * One map type. Every pointer may be NULL: the call then fails with -ENOTSUP (NULL for the
 * pointer-returning ones). Keys and values arrive unchecked in size (the caller passes
 * key_size and value bytes); flags for update were checked by map.c (at most BPF_EXIST).
 */
struct bpfh_map_ops {
	/* Creation-time checks beyond the common ones (log one line); 0 or -errno. */
	int (*check)(const struct bpfh_map_def *def, struct bpfh_log *log);
	/* Allocate the type's structure, which starts with struct bpfh_map; map.c fills the
	 * common head afterwards, except what alloc needs (def, ncpu, stride are set in *tmpl). */
	int (*alloc)(const struct bpfh_map *tmpl, struct bpfh_map **out);
	void (*free)(struct bpfh_map *map);
	/* Program side: pointer to the value of key in cpu's copy. */
	void *(*lookup_ptr)(struct bpfh_map *map, const void *key, unsigned cpu);
	/* User side: copy the value (per-CPU: every CPU's). */
	int (*lookup)(struct bpfh_map *map, const void *key, void *value);
	int (*update)(struct bpfh_map *map, const void *key, const void *value, uint64_t flags,
		      enum bpfh_side side);
	int (*delete)(struct bpfh_map *map, const void *key);
	int (*lookup_and_delete)(struct bpfh_map *map, const void *key, void *value);
	int (*next_key)(struct bpfh_map *map, const void *key, void *next_key);
	int (*push)(struct bpfh_map *map, const void *value, uint64_t flags);
	int (*pop)(struct bpfh_map *map, void *value);
	int (*peek)(struct bpfh_map *map, void *value);
	/* Objects (PROG_ARRAY, map-in-map): hold != 0 takes a reference for the caller. */
	void *(*lookup_obj)(struct bpfh_map *map, const void *key, int hold);
	int (*update_obj)(struct bpfh_map *map, const void *key, void *obj, uint64_t flags);
	void (*clear_objs)(struct bpfh_map *map);
};

/* The head of every map. Types embed it first and cast (container_of). */
struct bpfh_map {
	struct bpfh_map_def def;
	const struct bpfh_map_ops *ops;
	uint32_t refcnt;          /* atomic */
	uint32_t id;              /* atomic, relaxed */
	uint32_t frozen;          /* atomic */
	unsigned ncpu;            /* per-CPU copies (bpfh_cpu_possible() at creation) */
	size_t stride;            /* round_up(value_size, 8) */
	int has_inner;
	struct bpfh_map_def inner; /* map-in-map template */
	struct bpfh_map_resolver res;
};

extern const struct bpfh_map_ops bpfh_array_ops;
extern const struct bpfh_map_ops bpfh_htab_ops;
extern const struct bpfh_map_ops bpfh_prog_array_ops;
extern const struct bpfh_map_ops bpfh_array_of_maps_ops;
extern const struct bpfh_map_ops bpfh_hash_of_maps_ops;
extern const struct bpfh_map_ops bpfh_lpm_trie_ops;
extern const struct bpfh_map_ops bpfh_queue_stack_ops;
extern const struct bpfh_map_ops bpfh_ringbuf_ops;
extern const struct bpfh_map_ops bpfh_perf_event_array_ops;
extern const struct bpfh_map_ops bpfh_devmap_ops;
extern const struct bpfh_map_ops bpfh_devmap_hash_ops;
extern const struct bpfh_map_ops bpfh_bloom_filter_ops;

/* Log "map NAME: message" (NAME: the map's name, or its type's name). */
BPFH_PRINTF(3, 4)
void bpfh_map_log(struct bpfh_log *log, const struct bpfh_map_def *def, const char *fmt, ...);

/* Does inner match outer's template (bpf_map_meta_equal, array_map_meta_equal)? */
int bpfh_map_inner_ok(const struct bpfh_map *outer, const struct bpfh_map *inner);

/* ---- locks ---- */

static inline void bpfh_cpu_relax(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
	__builtin_ia32_pause();
#elif defined(__GNUC__) && defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

/* A test-and-test-and-set spin lock: 0 free, 1 held. */
static inline void bpfh_spin_lock(uint32_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			bpfh_cpu_relax();
	}
}

static inline int bpfh_spin_trylock(uint32_t *l)
{
	return !__atomic_load_n(l, __ATOMIC_RELAXED) &&
	       !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
}

static inline void bpfh_spin_unlock(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/*
 * A reader-writer spin lock that writers cannot starve: writers queue on wlock, then raise
 * BPFH_RW_WRITER, which stops new readers, and wait for the readers inside to leave.
 */
struct bpfh_rwlock {
	uint32_t state; /* BPFH_RW_WRITER | number of readers */
	uint32_t wlock;
};
#define BPFH_RW_WRITER 0x80000000u

static inline void bpfh_read_lock(struct bpfh_rwlock *rw)
{
	for (;;) {
		uint32_t v = __atomic_load_n(&rw->state, __ATOMIC_RELAXED);

		if (!(v & BPFH_RW_WRITER) &&
		    __atomic_compare_exchange_n(&rw->state, &v, v + 1, 1, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		bpfh_cpu_relax();
	}
}

static inline void bpfh_read_unlock(struct bpfh_rwlock *rw)
{
	__atomic_fetch_sub(&rw->state, 1, __ATOMIC_RELEASE);
}

static inline void bpfh_write_lock(struct bpfh_rwlock *rw)
{
	bpfh_spin_lock(&rw->wlock);
	__atomic_fetch_or(&rw->state, BPFH_RW_WRITER, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&rw->state, __ATOMIC_ACQUIRE) != BPFH_RW_WRITER)
		bpfh_cpu_relax();
}

static inline void bpfh_write_unlock(struct bpfh_rwlock *rw)
{
	__atomic_store_n(&rw->state, 0, __ATOMIC_RELEASE);
	bpfh_spin_unlock(&rw->wlock);
}

/* ---- values ---- */

/*
 * Copy n bytes into or out of map storage (map side 8-byte aligned; the other side any
 * alignment), in relaxed atomic words of 8 bytes and then 4, 2, 1 for the tail: programs
 * read and write values through pointers while the user side copies them, and a word that a
 * program updates atomically must not be seen torn (nor be a data race in C11 terms).
 */
void bpfh_val_store(void *map_dst, const void *src, size_t n);
void bpfh_val_load(void *dst, const void *map_src, size_t n);
void bpfh_val_zero(void *map_dst, size_t n);

/* ---- hashing ---- */

/* A 32-bit hash of len bytes of key (bpfhost's own function, not Linux's jhash). */
uint32_t bpfh_hash(const void *key, size_t len, uint32_t seed);
/* A per-map seed: 0 with BPF_F_ZERO_SEED, otherwise different for every map. */
uint32_t bpfh_hash_seed(const struct bpfh_map_def *def, const void *salt);

static inline uint32_t bpfh_load_u32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t bpfh_roundup_pow2(uint32_t v)
{
	uint32_t p = 1;

	while (p < v && p < 0x80000000u)
		p <<= 1;
	return p < v ? 0 : p;
}

/* next_key of every type indexed by a uint32_t below max_entries (array.c): a key out of range
 * (or NULL) gives 0, the last index -ENOENT. */
int bpfh_array_next_key(struct bpfh_map *map, const void *key, void *next_key);

/* ---- hash table core (htab.c) ---- */

/* What an element's value area holds. */
#define BPFH_HTAB_PERCPU 1u /* ncpu copies */
#define BPFH_HTAB_LRU 2u    /* evict the least recently used element when full */
#define BPFH_HTAB_OBJ 4u    /* a struct bpfh_map * with a reference (HASH_OF_MAPS) */
#define BPFH_HTAB_LAZY 8u   /* allocate elements on demand (BPF_F_NO_PREALLOC) */

/* Creation checks of the hash types (Linux's htab_map_alloc_check). */
int bpfh_htab_check(const struct bpfh_map_def *def, struct bpfh_log *log);
/* Allocate a hash table (a struct that starts with struct bpfh_map) of kind BPFH_HTAB_*. */
int bpfh_htab_alloc(const struct bpfh_map *tmpl, unsigned kind, struct bpfh_map **out);
void bpfh_htab_free(struct bpfh_map *map);
void *bpfh_htab_lookup_ptr(struct bpfh_map *map, const void *key, unsigned cpu);
int bpfh_htab_lookup(struct bpfh_map *map, const void *key, void *value);
int bpfh_htab_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags,
		     enum bpfh_side side);
int bpfh_htab_delete(struct bpfh_map *map, const void *key);
int bpfh_htab_lookup_and_delete(struct bpfh_map *map, const void *key, void *value);
int bpfh_htab_next_key(struct bpfh_map *map, const void *key, void *next_key);
/* BPFH_HTAB_OBJ tables: the held map (a reference for the caller with hold), store (taking a
 * reference), and drop every element. */
void *bpfh_htab_lookup_obj(struct bpfh_map *map, const void *key, int hold);
int bpfh_htab_update_obj(struct bpfh_map *map, const void *key, void *obj, uint64_t flags);
void bpfh_htab_clear(struct bpfh_map *map);

#endif
