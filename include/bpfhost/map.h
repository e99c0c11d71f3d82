/* SPDX-License-Identifier: MIT */
/*
 * bpfhost maps: Linux's map types with Linux's numbering, flags and errors, safe for programs
 * running on several threads and for user-side calls at the same time.
 *
 * Two views of one map:
 *  - the user side (bpfh_map_lookup/update/delete/lookup_and_delete/next_key) copies values in
 *    and out, like the bpf() syscall: for per-CPU maps a value is bpfh_map_user_value_size()
 *    bytes, every CPU's copy rounded up to 8 bytes, CPU 0 first;
 *  - the program side (bpfh_map_lookup_ptr, bpfh_map_update_prog, bpfh_map_delete_prog,
 *    bpfh_map_push/pop/peek and the ring buffer and perf calls, called by helpers) works on the calling thread's CPU slot (bpfh_cpu_current()) and returns pointers
 *    into the map's storage that stay valid as long as the map lives (elements are
 *    preallocated or, with BPF_F_NO_PREALLOC, allocated on demand, and in both cases recycled,
 *    never freed while the map exists, as Linux's preallocated maps do: a pointer to a deleted
 *    element may come to hold another key's value, exactly as in Linux).
 *
 * Values are copied in and out 8 bytes at a time with relaxed atomic accesses, so a counter that
 * programs update with atomic instructions is never seen torn by the user side.
 *
 * Errors are negative errno values: -ENOENT no such element, -EEXIST with BPF_NOEXIST,
 * -E2BIG map full (LPM_TRIE: -ENOSPC, as Linux), -EINVAL bad flags or sizes, -ENOTSUP an
 * operation the type lacks (Linux's EOPNOTSUPP and its internal ENOTSUPP), -EPERM a user-side
 * write to a BPF_F_RDONLY or frozen map (or read of a BPF_F_WRONLY one), -ENOMEM.
 *
 * What each type does with each call, where it is not the obvious:
 *  - HASH, PERCPU_HASH: full is -E2BIG (the update of an existing key still succeeds).
 *  - LRU_HASH, LRU_PERCPU_HASH: an insert into a full map evicts an element that programs have
 *    not looked up lately (an approximation of LRU, as Linux's); it fails, with -ENOMEM, only
 *    when every element is being inserted by other threads at that moment.
 *  - ARRAY, PERCPU_ARRAY: every index exists (zero at creation); delete is -EINVAL; update of
 *    an index >= max_entries is -E2BIG, BPF_NOEXIST is -EEXIST.
 *  - QUEUE, STACK: user-side lookup is peek, update is push, lookup_and_delete is pop (key
 *    NULL); push on a full map is -E2BIG unless flags is BPF_EXIST, which drops the oldest.
 *  - BLOOM_FILTER: push adds, peek tests (-ENOENT when absent); user-side update is push and
 *    lookup is peek with the value as input; pop, delete and next_key are -ENOTSUP.
 *  - PROG_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS hold objects: see "Objects" below.
 *  - DEVMAP, DEVMAP_HASH: values are struct bpfh_devmap_val (value_size 8) or its first 4 bytes;
 *    programs may only read them (the map gets BPF_F_RDONLY_PROG, as in Linux).
 *  - RINGBUF, PERF_EVENT_ARRAY: records, see "Ring buffer" and "Perf event array" below.
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

/* Update flags (Linux values). BPF_F_LOCK is refused with -EINVAL: bpfhost has no map values
 * with a struct bpf_spin_lock (that needs BTF). */
#define BPFH_ANY 0
#define BPFH_NOEXIST 1
#define BPFH_EXIST 2
#define BPFH_F_LOCK 4

/* map_flags at creation (Linux values). Each type accepts the flags Linux accepts for it and
 * refuses the others with -EINVAL. BPF_F_NO_PREALLOC: hash maps allocate elements on demand
 * (LPM_TRIE requires it; LRU maps and arrays refuse it); BPF_F_NUMA_NODE and BPF_F_ZERO_SEED
 * are accepted (ZERO_SEED makes hashing deterministic); BPF_F_NO_COMMON_LRU is accepted and
 * behaves as one common LRU list; BPF_F_RDONLY / BPF_F_WRONLY restrict the user side (-EPERM);
 * BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG and BPF_F_MMAPABLE are recorded for the verifier and
 * bpfh_map_mmap. */
#define BPFH_F_NO_PREALLOC (1u << 0)
#define BPFH_F_NO_COMMON_LRU (1u << 1)
#define BPFH_F_NUMA_NODE (1u << 2)
#define BPFH_F_RDONLY (1u << 3)
#define BPFH_F_WRONLY (1u << 4)
#define BPFH_F_ZERO_SEED (1u << 6)
#define BPFH_F_RDONLY_PROG (1u << 7)
#define BPFH_F_WRONLY_PROG (1u << 8)
#define BPFH_F_MMAPABLE (1u << 10)
#define BPFH_F_PRESERVE_ELEMS (1u << 11)
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
	char name[BPFH_MAP_NAME_LEN]; /* letters, digits, '_' and '.', NUL-terminated, or empty */
};

struct bpfh_map;

/*
 * Create a map. For ARRAY_OF_MAPS and HASH_OF_MAPS, inner is the template every inner map must
 * match (type, key and value sizes, map_flags, and for an ARRAY template max_entries unless it
 * has BPF_F_INNER_MAP); NULL otherwise. The template is copied: the caller keeps its map. Sizes
 * and flags are checked as Linux checks them, and the log gets one line saying what is wrong.
 * The map starts with one reference, which the caller owns. Returns 0, -EINVAL, -E2BIG (sizes
 * beyond Linux's limits), -ENOTSUP (LRU with BPF_F_NO_PREALLOC; a PROG_ARRAY template) or
 * -ENOMEM.
 */
int bpfh_map_create(const struct bpfh_map_def *def, const struct bpfh_map *inner,
		    struct bpfh_log *log, struct bpfh_map **out);
/* Take and drop references (atomic; any thread). The last put frees the map, drops the maps
 * and programs it holds, and detaches perf buffers' queues; map NULL does nothing. Returns
 * map. */
struct bpfh_map *bpfh_map_get(struct bpfh_map *map);
void bpfh_map_put(struct bpfh_map *map);

const struct bpfh_map_def *bpfh_map_def(const struct bpfh_map *map);
/* Linux's (libbpf's) name of a map type: "hash", "array", "lpm_trie", ...; NULL if unknown. */
const char *bpfh_map_type_name(uint32_t type);
/* Bytes of one value on the user side: value_size, or for per-CPU maps
 * round_up(value_size, 8) * bpfh_cpu_possible(). */
size_t bpfh_map_user_value_size(const struct bpfh_map *map);

/* The id the registry gave the map (0 until set). The user-side view of a map-in-map value. */
uint32_t bpfh_map_id(const struct bpfh_map *map);
void bpfh_map_set_id(struct bpfh_map *map, uint32_t id);

/*
 * Freeze the user side, as BPF_MAP_FREEZE: afterwards user-side update, delete, push, pop and
 * lookup_and_delete fail with -EPERM; programs are not affected. Returns 0, or -EBUSY when
 * already frozen.
 */
int bpfh_map_freeze(struct bpfh_map *map);

/*
 * The value storage of an ARRAY created with BPF_F_MMAPABLE, as mmap() of its fd gives on
 * Linux: max_entries values, each round_up(value_size, 8) bytes apart; *size (if not NULL)
 * gets the byte count. Valid while the map lives. NULL with errno EINVAL for any other map.
 */
void *bpfh_map_mmap(struct bpfh_map *map, size_t *size);

/*
 * Where a (not per-CPU) ARRAY keeps its values, for code that indexes them itself (the JIT's
 * inline bpf_map_lookup_elem): the value of index i < *max is at *base + i * *stride. Fixed
 * for the map's life. -ENOTSUP for every other type (per-CPU arrays and object arrays too).
 */
int bpfh_map_array_layout(const struct bpfh_map *map, void **base, uint32_t *stride,
			  uint32_t *max);

/*
 * Where a PROG_ARRAY keeps its slots, for code that reads them itself (the JIT's inline
 * bpf_tail_call): slot i < *max is (*slots)[i], the object stored there or NULL, read as a
 * tail call reads it (one load). The array is fixed for the map's life. -ENOTSUP for every
 * other type.
 */
int bpfh_map_prog_array_layout(const struct bpfh_map *map, void *const **slots, uint32_t *max);

/*
 * User side (copies). Key and value are key_size and bpfh_map_user_value_size() bytes. For
 * PROG_ARRAY, ARRAY_OF_MAPS and HASH_OF_MAPS a value is a uint32_t id: update resolves it
 * through the map's resolver (bpfh_map_set_resolver; -EBADF when nothing has that id), lookup
 * returns the held object's id. A key NULL is accepted where key_size is 0.
 */
int bpfh_map_lookup(struct bpfh_map *map, const void *key, void *value);
int bpfh_map_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags);
int bpfh_map_delete(struct bpfh_map *map, const void *key);
/* The hash types (not HASH_OF_MAPS) and QUEUE / STACK (pop); -ENOTSUP for the others. */
int bpfh_map_lookup_and_delete(struct bpfh_map *map, const void *key, void *value);
/* key NULL (or, for most types, a key not in the map): the first key. -ENOENT after the last.
 * key and next_key may be the same buffer. */
int bpfh_map_next_key(struct bpfh_map *map, const void *key, void *next_key);
/*
 * QUEUE, STACK and BLOOM_FILTER as programs use them (bpf_map_push_elem / pop / peek; flags:
 * BPF_ANY, or BPF_EXIST to overwrite the oldest element of a full queue or stack; the bloom
 * filter takes BPF_ANY only). They do not check BPF_F_RDONLY or freezing: the user side
 * reaches these maps through update, lookup and lookup_and_delete, as the bpf() syscall does.
 * -ENOTSUP for other types.
 */
int bpfh_map_push(struct bpfh_map *map, const void *value, uint64_t flags);
int bpfh_map_pop(struct bpfh_map *map, void *value);
int bpfh_map_peek(struct bpfh_map *map, void *value);

/* Program side: pointer to the value for key in the calling thread's CPU slot, or NULL. For
 * map-in-map types, the inner struct bpfh_map pointer itself (borrowed: valid while the outer
 * map holds it; bpfhost has no RCU, so whoever replaces inner maps while programs run keeps
 * the old one alive until those runs end). NULL for types programs cannot look up (PROG_ARRAY,
 * PERF_EVENT_ARRAY, QUEUE, STACK, BLOOM_FILTER, RINGBUF). Marks an LRU element as used. */
void *bpfh_map_lookup_ptr(struct bpfh_map *map, const void *key);
/* Value of CPU cpu of a per-CPU map (bpf_map_lookup_percpu_elem), or NULL (also for
 * cpu >= bpfh_cpu_possible() and for maps that are not per-CPU). */
void *bpfh_map_lookup_percpu_ptr(struct bpfh_map *map, const void *key, uint32_t cpu);
/*
 * Program side update and delete (bpf_map_update_elem, bpf_map_delete_elem): value is
 * value_size bytes. A per-CPU map sets the calling thread's CPU copy (a new element's other
 * copies are zero). Update is -ENOTSUP for the types programs cannot update (PROG_ARRAY,
 * map-in-map, PERF_EVENT_ARRAY, DEVMAP*) and -EINVAL for QUEUE, STACK and BLOOM_FILTER
 * (programs push). Unlike bpfh_map_update / bpfh_map_delete they ignore BPF_F_RDONLY and
 * freezing, which only restrict the user side.
 */
int bpfh_map_update_prog(struct bpfh_map *map, const void *key, const void *value,
			 uint64_t flags);
int bpfh_map_delete_prog(struct bpfh_map *map, const void *key);

/*
 * Objects: PROG_ARRAY slots hold programs (opaque pointers), ARRAY_OF_MAPS and HASH_OF_MAPS
 * hold maps. The resolver says how the user-side ids map to objects and how program
 * references are taken; set it once, before the map is shared. Every callback may be NULL.
 */
struct bpfh_map_resolver {
	void *ctx;
	/* The map with this id, with a new reference (bpfh_map_get) the map then owns; NULL if
	 * none. Used by user-side updates of map-in-map types. */
	struct bpfh_map *(*map_by_id)(void *ctx, uint32_t id);
	/* The program with this id, with a new reference the map then owns; NULL if none. Used
	 * by user-side updates of PROG_ARRAY, and to check a DEVMAP value's bpf_prog id. */
	void *(*prog_by_id)(void *ctx, uint32_t id);
	/* Take and drop one reference on a program. Without them a PROG_ARRAY holds plain
	 * pointers whose lifetime the caller guarantees. */
	void (*prog_get)(void *ctx, void *prog);
	void (*prog_put)(void *ctx, void *prog);
	/* The id of a program, for user-side lookups of PROG_ARRAY (-ENOTSUP without it). */
	uint32_t (*prog_id)(void *ctx, const void *prog);
};
void bpfh_map_set_resolver(struct bpfh_map *map, const struct bpfh_map_resolver *res);

/*
 * Store obj at key (PROG_ARRAY, ARRAY_OF_MAPS: a uint32_t index; HASH_OF_MAPS: a key). The map
 * takes its own reference (prog_get, or bpfh_map_get for maps); the caller keeps its own. The
 * object it replaces loses the map's reference. An inner map must match the template
 * (-EINVAL). flags: BPF_ANY for arrays (others -EINVAL, as Linux); BPF_ANY, BPF_NOEXIST or
 * BPF_EXIST for HASH_OF_MAPS. -E2BIG for an index >= max_entries or a full hash; -ENOTSUP for
 * the other types. obj NULL deletes.
 */
int bpfh_map_update_obj(struct bpfh_map *map, const void *key, void *obj, uint64_t flags);
/* The object at key, borrowed (valid while the map holds it, see bpfh_map_lookup_ptr), or
 * NULL. This is what a tail call reads. */
void *bpfh_map_lookup_obj(struct bpfh_map *map, const void *key);
/* The object at key with a new reference the caller owns (drop it with bpfh_map_put, or the
 * resolver's prog_put), or NULL. Safe against a concurrent delete. */
void *bpfh_map_lookup_obj_ref(struct bpfh_map *map, const void *key);
/* Drop every object the map holds (Linux does this for a PROG_ARRAY when its last user
 * reference goes, which breaks program -> prog array -> program cycles). Other types: no-op. */
void bpfh_map_clear_objs(struct bpfh_map *map);

/* DEVMAP and DEVMAP_HASH value, as Linux's struct bpf_devmap_val: the egress ifindex and,
 * with value_size 8, the id of a program to run on the frame before it leaves (0: none; the
 * map checks the id with the resolver's prog_by_id when there is one, and holds no
 * reference: the redirect code looks the program up when it runs it). An ifindex of 0 empties
 * a DEVMAP slot and is refused by DEVMAP_HASH (-EINVAL). */
struct bpfh_devmap_val {
	uint32_t ifindex;
	uint32_t prog_id;
};

/*
 * CPUs as programs see them: each thread that runs programs has a slot number below
 * bpfh_cpu_possible(); bpf_get_smp_processor_id() returns it, and per-CPU maps keep one copy
 * of each value per slot. The number of slots is process-wide: BPFH_CPU_DEFAULT unless
 * bpfh_cpu_set_possible() changed it before the first map was created (an embedder typically
 * passes the number of processors, or of threads it runs programs on).
 */
#define BPFH_CPU_DEFAULT 64
#define BPFH_CPU_LIMIT 4096
unsigned bpfh_cpu_possible(void);
/* 0, -EINVAL (n is 0 or above BPFH_CPU_LIMIT), -EBUSY (a map exists or existed already). */
int bpfh_cpu_set_possible(unsigned n);
/* The calling thread's slot: 0 until bpfh_cpu_set(). */
unsigned bpfh_cpu_current(void);
/* Set the calling thread's slot (wrapped modulo bpfh_cpu_possible()). */
void bpfh_cpu_set(unsigned cpu);

/*
 * Ring buffer (RINGBUF): one buffer shared by all CPUs; max_entries bytes, a power of 2 and a
 * multiple of 4096. Records are delivered in the order they were reserved, each once it is
 * submitted; a record reserved but not yet submitted holds back the ones after it; discarded
 * records are skipped. A record never wraps the end of the buffer (bpfhost does not map the
 * data twice as Linux does): when one would, the rest of the buffer becomes a discarded
 * padding record, which counts in BPFH_RB_AVAIL_DATA like any other.
 */
#define BPFH_RB_NO_WAKEUP (1u << 0)
#define BPFH_RB_FORCE_WAKEUP (1u << 1)
#define BPFH_RB_AVAIL_DATA 0
#define BPFH_RB_RING_SIZE 1
#define BPFH_RB_CONS_POS 2
#define BPFH_RB_PROD_POS 3
/* Reserve size bytes (8-aligned) for a record: bpf_ringbuf_reserve. NULL when the map is not a
 * ring buffer, flags is not 0, or there is no room. */
void *bpfh_ringbuf_reserve(struct bpfh_map *map, uint64_t size, uint64_t flags);
/* Commit or discard a reserved record (bpf_ringbuf_submit / _discard). The wakeup flags are
 * accepted and have no effect: consumers poll. sample must come from bpfh_ringbuf_reserve
 * and be committed exactly once. */
void bpfh_ringbuf_submit(void *sample, uint64_t flags);
void bpfh_ringbuf_discard(void *sample, uint64_t flags);
/* Copy data into a new record (bpf_ringbuf_output): 0, -EINVAL for flags other than the
 * wakeup ones, -EAGAIN when there is no room. */
int bpfh_ringbuf_output(struct bpfh_map *map, const void *data, uint64_t size, uint64_t flags);
/* bpf_ringbuf_query: BPFH_RB_AVAIL_DATA (bytes between consumer and producer), RING_SIZE,
 * CONS_POS, PROD_POS; 0 for other flags and for maps that are not ring buffers. */
uint64_t bpfh_ringbuf_query(struct bpfh_map *map, uint64_t flags);

/*
 * Ring buffer consumer, in the manner of libbpf's ring_buffer__new / __add / __poll /
 * __consume. The callback gets each record's data and size; a negative return stops the
 * consumption and is returned. The consumer holds a reference on each map. Several consumers
 * (or threads) may consume the same ring: each record goes to one of them. A callback must not
 * consume its own ring again (that call would find the ring busy and return 0).
 */
typedef int (*bpfh_ringbuf_sample_fn)(void *ctx, void *data, size_t size);
struct bpfh_ringbuf_consumer;
/* 0, -EINVAL (not a RINGBUF map, fn NULL), -ENOMEM. */
int bpfh_ringbuf_consumer_create(struct bpfh_map *map, bpfh_ringbuf_sample_fn fn, void *ctx,
				 struct bpfh_ringbuf_consumer **out);
int bpfh_ringbuf_consumer_add(struct bpfh_ringbuf_consumer *c, struct bpfh_map *map,
			      bpfh_ringbuf_sample_fn fn, void *ctx);
/* Consume every record available now in every ring: the number consumed (at most INT_MAX),
 * or the callback's negative return. */
int bpfh_ringbuf_consumer_consume(struct bpfh_ringbuf_consumer *c);
/* The same; when nothing was available, check again (busy-waiting, no sleep) until a record
 * arrives or timeout_ms passes. A negative timeout (libbpf: forever) waits at most
 * BPFH_POLL_MAX_MS, so that a caller's loop gets to check its own exit condition. */
#define BPFH_POLL_MAX_MS 100
int bpfh_ringbuf_consumer_poll(struct bpfh_ringbuf_consumer *c, int timeout_ms);
void bpfh_ringbuf_consumer_destroy(struct bpfh_ringbuf_consumer *c);

/*
 * Perf event array (PERF_EVENT_ARRAY): key_size and value_size 4; each index is a record queue
 * that a perf buffer attaches (Linux: a perf event's ring). bpf_perf_event_output writes to the
 * index given in the low 32 bits of flags, or to the calling thread's CPU slot with
 * BPFH_F_CURRENT_CPU. User-side update and lookup are -ENOTSUP (there are no perf event fds);
 * delete detaches the queue at an index (-ENOENT when none); next_key walks indices as for
 * arrays.
 */
#define BPFH_F_INDEX_MASK 0xffffffffull
#define BPFH_F_CURRENT_CPU BPFH_F_INDEX_MASK
/*
 * Append a record made of data[size] followed by extra[extra_size] (extra: the bytes of the
 * context that bpf_perf_event_output's BPF_F_CTXLEN_MASK asks for; the helper passes them
 * and clears those bits). As Linux, the record is zero-padded so that its size plus 4 is a
 * multiple of 8, and the consumer sees the padded size. Returns 0; -EINVAL for flags outside
 * BPFH_F_INDEX_MASK or a map that is not a perf event array; -E2BIG for an index
 * >= max_entries or a record over 65535 bytes; -ENOENT when nothing is attached at the index;
 * -ENOSPC when the queue is full (the record is counted as lost).
 */
int bpfh_perf_event_output(struct bpfh_map *map, uint64_t flags, const void *data,
			   uint64_t size, const void *extra, uint64_t extra_size);

/* Perf buffer, in the manner of libbpf's perf_buffer__new / __poll / __consume: one queue of
 * page_cnt * 4096 bytes (page_cnt a power of 2) per index in [0, min(max_entries,
 * bpfh_cpu_possible())), attached to the map (replacing what was attached there). The sample
 * callback gets the index ("cpu"), the data and its padded size; the lost callback (may be
 * NULL) the number of records dropped on a full queue since the last call. The buffer holds a
 * reference on the map. One thread consumes a perf buffer at a time. */
typedef void (*bpfh_perfbuf_sample_fn)(void *ctx, int cpu, void *data, uint32_t size);
typedef void (*bpfh_perfbuf_lost_fn)(void *ctx, int cpu, uint64_t cnt);
struct bpfh_perfbuf;
/* 0, -EINVAL (not a PERF_EVENT_ARRAY, page_cnt not a power of 2, sample_fn NULL), -ENOMEM. */
int bpfh_perfbuf_create(struct bpfh_map *map, size_t page_cnt, bpfh_perfbuf_sample_fn sample_fn,
			bpfh_perfbuf_lost_fn lost_fn, void *ctx, struct bpfh_perfbuf **out);
/* Deliver every record available now: the number delivered. */
int bpfh_perfbuf_consume(struct bpfh_perfbuf *pb);
/* The same, busy-waiting up to timeout_ms for a first record (negative: BPFH_POLL_MAX_MS). */
int bpfh_perfbuf_poll(struct bpfh_perfbuf *pb, int timeout_ms);
/* Detach the queues (records not consumed are dropped) and free. NULL does nothing. */
void bpfh_perfbuf_destroy(struct bpfh_perfbuf *pb);

#ifdef __cplusplus
}
#endif
#endif
