// SPDX-License-Identifier: MIT
/*
 * The hash table: HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH, and the core that
 * HASH_OF_MAPS (map_in_map.c) and DEVMAP_HASH (devmap.c) build on.
 *
 * Layout. A power-of-2 number of buckets (Linux's count: max_entries rounded up), each a
 * singly linked chain (its head in one dense array that readers walk, 8 bytes a bucket) and a
 * spin lock (in another array). 4- and 8-byte keys hash with one and two multiplies; keys are
 * compared as 8-byte words, without memcmp, and a lookup of a one-word key keeps it in a
 * register.
 * An element keeps what readers touch first (link, hash, sequence count, key, value) and the
 * writers' bookkeeping after it; up to 64 bytes it fills one aligned cache line. Elements
 * come from a pool: all max_entries of them allocated at creation, or with BPF_F_NO_PREALLOC
 * one by one on demand up to max_entries; either way an element is never freed while the map
 * lives, only recycled through the free list, so a value pointer handed to a program stays
 * valid memory (as with Linux's preallocated maps, it may come to hold another key's value
 * once its element is deleted). Full means the pool is exhausted: -E2BIG.
 *
 * Reading. A program's lookup takes no lock and makes no atomic read-modify-write, as
 * Linux's RCU lookups: elements are never freed while the map lives, and each chain ends in a
 * "nulls" marker, an odd value (bucket index << 1 | 1) instead of NULL. A deleted element
 * keeps its next pointer, so a reader standing on it walks on; when the element is reused in
 * another bucket the reader follows it there, ends at the other bucket's marker and starts
 * over. Each element has a sequence count, odd while it is being refilled for a new key: a
 * reader that matched a key checks that the count did not move meanwhile (else starts over),
 * so it never returns an element that held the key only in a torn read. Every field a reader
 * touches (chain links, hash, key words, sequence, values) is read and written with C11-model
 * atomics (relaxed, with acquire/release where they publish), so concurrent rewriting is no
 * data race. As on Linux, a value pointer handed out may come to hold another key's value
 * once its element is deleted and reused.
 *
 * Writing. Updates, deletes, the user side's lookups and iteration hold the bucket's spin
 * lock; values are copied word-atomically (bpfh_val_*) and programs touch them without locks.
 * An update of an existing key writes its value in place. The pool lock guards the free list
 * and, for LRU maps, the LRU list. Lock order: bucket, then pool; a thread never holds two
 * buckets.
 *
 * LRU. Elements in use sit on one list, newest first; a program's lookup sets the element's
 * reference bit. When the free list is empty an insert evicts by the clock rule: from the
 * oldest end, an element whose bit is set gets it cleared and moves to the front, the first
 * one without it is taken. Like Linux's, this is an approximation of LRU. The victim is
 * claimed under the pool lock, then unlinked from its own bucket; a concurrent delete of the
 * victim sees the claim and leaves the element to the evictor. BPF_F_NO_COMMON_LRU is
 * accepted and uses the same common list.
 *
 * Not here: per-CPU free lists (one pool lock serves all threads), BPF_F_LOCK.
 */
#include <stdlib.h>

#include "maps_int.h"

#define HTAB_FLAGS                                                                          \
	(BPFH_F_NO_PREALLOC | BPFH_F_NO_COMMON_LRU | BPFH_F_NUMA_NODE | BPFH_F_ACCESS_MASK |   \
	 BPFH_F_ZERO_SEED)

enum lru_state {
	LRU_FREE,    /* on the free list (or being inserted) */
	LRU_LISTED,  /* in a bucket and on the LRU list */
	LRU_CLAIMED, /* taken by an evictor, not on the LRU list */
};

/*
 * An element: what lock-free readers use first (next, hash, seq, then the key at data[0] and
 * the value), the writers' bookkeeping (struct htab_cold) after the value, so that a small
 * element's key and value share the cache line of its header.
 */
struct htab_elem {
	uintptr_t next;             /* atomic: bucket chain, an element or a nulls marker */
	uint32_t hash;              /* atomic */
	uint32_t seq;               /* atomic: odd while refilled for a new key */
	uint64_t data[];            /* key as atomic words, zero padded to 8, then the value area,
				     * then struct htab_cold */
};

struct htab_cold {
	struct htab_elem *free_next; /* free list (pool lock); readers never follow it */
	union {
		struct htab_elem *lru_prev; /* LRU list (pool lock) */
		struct htab_elem *all_next; /* on-demand elements, for the final free (never LRU) */
	} u;
	struct htab_elem *lru_next;
	uint8_t linked;             /* in its bucket's chain (bucket lock) */
	uint8_t lru_state;          /* enum lru_state (pool lock) */
	uint8_t ref;                /* LRU reference bit (atomic) */
	uint8_t pad_[5];
};

struct bpfh_htab {
	struct bpfh_map map;
	unsigned kind;               /* BPFH_HTAB_* */
	uint32_t mask;               /* buckets - 1 */
	uint32_t seed;
	uint64_t seed64;             /* the seed spread over 64 bits, for the 4- and 8-byte hashes */
	uint32_t key_size;
	uint32_t key_words;          /* key_stride / 8 */
	size_t key_stride;
	size_t val_area;             /* bytes of value storage in an element */
	size_t cold_off;             /* offset of struct htab_cold in an element */
	size_t elem_size;
	uintptr_t *heads;            /* atomic: per bucket, its first element or nulls marker */
	uint32_t *locks;             /* per bucket, a spin lock */
	void *prealloc;              /* every element, when preallocated (from its first 64-byte
				      * boundary on) */

	uint32_t pool_lock;
	struct htab_elem *free;      /* free list */
	struct htab_elem *lru_first; /* newest */
	struct htab_elem *lru_last;  /* oldest */
	uint32_t lru_len;
	uint32_t nalloc;             /* on-demand elements allocated so far */
	struct htab_elem *all;       /* every on-demand element */
};

/* A key as the words an element stores: at most BPFH_MAX_KEY bytes. */
struct htab_key {
	uint64_t w[BPFH_MAX_KEY / 8];
};

/* The lookup path of programs is a few loads: keep its helpers in one function. */
#if defined(__GNUC__)
#define HTAB_INLINE static inline __attribute__((always_inline))
#else
#define HTAB_INLINE static inline
#endif

static struct bpfh_htab *htab_of(struct bpfh_map *map)
{
	return (struct bpfh_htab *)map;
}

static struct htab_cold *cold(const struct bpfh_htab *h, struct htab_elem *e)
{
	return (struct htab_cold *)(void *)((unsigned char *)e + h->cold_off);
}

/* ---- chains: nulls markers ---- */

static uintptr_t nulls_of(uint32_t bucket)
{
	return (uintptr_t)bucket << 1 | 1u;
}

static int is_nulls(uintptr_t p)
{
	return (int)(p & 1u);
}

static struct htab_elem *elem_at(uintptr_t p)
{
	return (struct htab_elem *)p;
}

static uintptr_t load_link(const uintptr_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_link(uintptr_t *p, uintptr_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* ---- elements ---- */

static unsigned char *elem_val(struct bpfh_htab *h, struct htab_elem *e, unsigned cpu)
{
	return (unsigned char *)e->data + h->key_stride +
	       ((h->kind & BPFH_HTAB_PERCPU) ? cpu * h->map.stride : 0);
}

static struct bpfh_map *elem_obj(struct bpfh_htab *h, struct htab_elem *e)
{
	return __atomic_load_n((struct bpfh_map **)(void *)elem_val(h, e, 0), __ATOMIC_ACQUIRE);
}

static void elem_set_obj(struct bpfh_htab *h, struct htab_elem *e, struct bpfh_map *obj)
{
	__atomic_store_n((struct bpfh_map **)(void *)elem_val(h, e, 0), obj, __ATOMIC_RELEASE);
}

/* The element's key copied out (the caller holds its bucket's lock, so it is stable). */
static void elem_key_out(struct bpfh_htab *h, struct htab_elem *e, void *key)
{
	bpfh_val_load(key, e->data, h->key_size);
}

/* ---- keys and hashing ---- */

/* A key in element form: its words, zero padded. Small keys fill a single word inline. */
HTAB_INLINE void key_words(const struct bpfh_htab *h, const void *key, struct htab_key *k)
{
	switch (h->key_size) {
	case 4:
		k->w[0] = 0;
		memcpy(k->w, key, 4);
		return;
	case 8:
		memcpy(k->w, key, 8);
		return;
	case 16:
		memcpy(k->w, key, 16);
		return;
	default:
		k->w[h->key_words - 1] = 0;
		memcpy(k->w, key, h->key_size);
	}
}

/*
 * A 4-byte key: one multiply, the product's upper half (every key bit reaches each of its
 * bits, through the constant's lower bits).
 */
static uint32_t hash4(uint32_t v, uint64_t seed64)
{
	return (uint32_t)(((uint64_t)v ^ seed64) * 0x9e3779b97f4a7c15ull >> 32);
}

/* Two multiply-xorshift rounds: every bit of x reaches every bit of the result. */
static uint64_t mix_fast(uint64_t x)
{
	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	return x ^ (x >> 32);
}

/*
 * The hash of a key: one multiply for 4-byte keys, two for 8-byte ones (the keys most maps
 * have), bpfh_hash for the rest. Every operation of a map hashes this way (the program side's
 * lookup inlines the first two cases), so all agree on a key's bucket.
 */
HTAB_INLINE uint32_t htab_hash(const struct bpfh_htab *h, const void *key)
{
	uint64_t w;

	switch (h->key_size) {
	case 4: {
		uint32_t v;

		memcpy(&v, key, 4);
		return hash4(v, h->seed64);
	}
	case 8:
		memcpy(&w, key, 8);
		return (uint32_t)mix_fast(w ^ h->seed64);
	default:
		return bpfh_hash(key, h->key_size, h->seed);
	}
}

/*
 * Does e's key equal k? Its words are read as atomics, for e may be refilled under a
 * lock-free reader, and with acquire order: the reader's second look at the sequence count
 * comes after them (a seqlock without fences, which ThreadSanitizer does not model; on x86
 * these are plain loads).
 */
HTAB_INLINE int key_match(const struct bpfh_htab *h, const struct htab_elem *e,
			  const struct htab_key *k)
{
	uint32_t i, n = h->key_words;

	if (__atomic_load_n(&e->data[0], __ATOMIC_ACQUIRE) != k->w[0])
		return 0;
	for (i = 1; i < n; i++)
		if (__atomic_load_n(&e->data[i], __ATOMIC_ACQUIRE) != k->w[i])
			return 0;
	return 1;
}

/* ---- creation ---- */

int bpfh_htab_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	uint32_t t = def->type;
	int lru = t == BPFH_MAP_TYPE_LRU_HASH || t == BPFH_MAP_TYPE_LRU_PERCPU_HASH;
	int percpu = t == BPFH_MAP_TYPE_PERCPU_HASH || t == BPFH_MAP_TYPE_LRU_PERCPU_HASH;

	if (def->map_flags & ~HTAB_FLAGS) {
		bpfh_map_log(log, def, "map_flags 0x%x not accepted by a hash map\n",
			     def->map_flags & ~HTAB_FLAGS);
		return -EINVAL;
	}
	if (!lru && (def->map_flags & BPFH_F_NO_COMMON_LRU)) {
		bpfh_map_log(log, def, "BPF_F_NO_COMMON_LRU is for LRU maps only\n");
		return -EINVAL;
	}
	if (lru && (def->map_flags & BPFH_F_NO_PREALLOC)) {
		bpfh_map_log(log, def, "an LRU map cannot have BPF_F_NO_PREALLOC\n");
		return -ENOTSUP;
	}
	if ((percpu || (def->map_flags & BPFH_F_NO_COMMON_LRU)) &&
	    (def->map_flags & BPFH_F_NUMA_NODE)) {
		bpfh_map_log(log, def, "BPF_F_NUMA_NODE not accepted by a per-CPU map\n");
		return -EINVAL;
	}
	if (def->max_entries == 0 || def->key_size == 0 || def->value_size == 0) {
		bpfh_map_log(log, def, "a hash map needs key_size, value_size and max_entries\n");
		return -EINVAL;
	}
	if (def->key_size > BPFH_MAX_KEY) {
		bpfh_map_log(log, def, "key_size %u above %u\n", def->key_size, BPFH_MAX_KEY);
		return -E2BIG;
	}
	if ((uint64_t)def->key_size + def->value_size >= BPFH_KMALLOC_MAX - 64 ||
	    (percpu && BPFH_ROUND8((size_t)def->value_size) > BPFH_PCPU_MIN_UNIT)) {
		bpfh_map_log(log, def, "value_size %u too large\n", def->value_size);
		return -E2BIG;
	}
	return 0;
}

static int htab_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	return bpfh_htab_check(def, log);
}

int bpfh_htab_alloc(const struct bpfh_map *tmpl, unsigned kind, struct bpfh_map **out)
{
	const struct bpfh_map_def *def = &tmpl->def;
	struct bpfh_htab *h;
	uint32_t nbuckets = bpfh_roundup_pow2(def->max_entries);
	uint32_t i;

	if (nbuckets == 0)
		return -E2BIG;
	if (def->map_flags & BPFH_F_NO_PREALLOC)
		kind |= BPFH_HTAB_LAZY;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->kind = kind;
	h->mask = nbuckets - 1;
	h->seed = bpfh_hash_seed(def, h);
	h->seed64 = h->seed ? (uint64_t)h->seed << 32 ^ mix_fast(h->seed) : 0;
	h->key_size = def->key_size;
	h->key_stride = BPFH_ROUND8((size_t)def->key_size);
	h->key_words = (uint32_t)(h->key_stride / 8);
	if (kind & BPFH_HTAB_OBJ)
		h->val_area = sizeof(struct bpfh_map *);
	else if (kind & BPFH_HTAB_PERCPU)
		h->val_area = tmpl->stride * tmpl->ncpu;
	else
		h->val_area = tmpl->stride;
	h->cold_off = sizeof(struct htab_elem) + h->key_stride + h->val_area;
	h->elem_size = h->cold_off + sizeof(struct htab_cold);
	/* A preallocated element of at most a cache line takes a whole one (the block is
	 * aligned to 64), so that a lookup touches one line of it. */
	if (h->elem_size <= 64)
		h->elem_size = 64;
	h->heads = malloc((size_t)nbuckets * sizeof(*h->heads));
	h->locks = calloc(nbuckets, sizeof(*h->locks));
	if (!h->heads || !h->locks)
		goto nomem;
	for (i = 0; i < nbuckets; i++)
		h->heads[i] = nulls_of(i);
	if (!(kind & BPFH_HTAB_LAZY)) {
		unsigned char *block;
		size_t bytes;

		if (h->elem_size > (SIZE_MAX - 64) / def->max_entries)
			goto nomem;
		bytes = h->elem_size * def->max_entries + 63;
		h->prealloc = calloc(1, bytes);
		if (!h->prealloc)
			goto nomem;
		block = (unsigned char *)h->prealloc + (-(uintptr_t)h->prealloc & 63);
		/* Free list in address order: the first inserts fill the block from its start. */
		for (i = def->max_entries; i-- > 0;) {
			struct htab_elem *e = (struct htab_elem *)(void *)(block + i * h->elem_size);

			cold(h, e)->free_next = h->free;
			h->free = e;
		}
	}
	*out = &h->map;
	return 0;
nomem:
	free(h->heads);
	free(h->locks);
	free(h);
	return -ENOMEM;
}

static int htab_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	unsigned kind = 0;

	switch (tmpl->def.type) {
	case BPFH_MAP_TYPE_PERCPU_HASH:
		kind = BPFH_HTAB_PERCPU;
		break;
	case BPFH_MAP_TYPE_LRU_HASH:
		kind = BPFH_HTAB_LRU;
		break;
	case BPFH_MAP_TYPE_LRU_PERCPU_HASH:
		kind = BPFH_HTAB_LRU | BPFH_HTAB_PERCPU;
		break;
	}
	return bpfh_htab_alloc(tmpl, kind, out);
}

void bpfh_htab_free(struct bpfh_map *map)
{
	struct bpfh_htab *h = htab_of(map);
	struct htab_elem *e, *next;

	if (h->kind & BPFH_HTAB_OBJ)
		bpfh_htab_clear(map);
	for (e = h->all; e; e = next) {
		next = cold(h, e)->u.all_next;
		free(e);
	}
	free(h->prealloc);
	free(h->heads);
	free(h->locks);
	free(h);
}

/* ---- pool and LRU list (pool lock held where it says so) ---- */

static void lru_unlink(struct bpfh_htab *h, struct htab_elem *e)
{
	struct htab_cold *c = cold(h, e);

	if (c->u.lru_prev)
		cold(h, c->u.lru_prev)->lru_next = c->lru_next;
	else
		h->lru_first = c->lru_next;
	if (c->lru_next)
		cold(h, c->lru_next)->u.lru_prev = c->u.lru_prev;
	else
		h->lru_last = c->u.lru_prev;
	c->u.lru_prev = c->lru_next = NULL;
	h->lru_len--;
}

static void lru_push_front(struct bpfh_htab *h, struct htab_elem *e)
{
	struct htab_cold *c = cold(h, e);

	c->u.lru_prev = NULL;
	c->lru_next = h->lru_first;
	if (h->lru_first)
		cold(h, h->lru_first)->u.lru_prev = e;
	else
		h->lru_last = e;
	h->lru_first = e;
	h->lru_len++;
}

static struct htab_elem *pool_pop(struct bpfh_htab *h)
{
	struct htab_elem *e;

	bpfh_spin_lock(&h->pool_lock);
	e = h->free;
	if (e)
		h->free = cold(h, e)->free_next;
	bpfh_spin_unlock(&h->pool_lock);
	return e;
}

static void pool_push(struct bpfh_htab *h, struct htab_elem *e)
{
	bpfh_spin_lock(&h->pool_lock);
	cold(h, e)->lru_state = LRU_FREE;
	cold(h, e)->free_next = h->free;
	h->free = e;
	bpfh_spin_unlock(&h->pool_lock);
}

/* BPF_F_NO_PREALLOC: add one element to the free list. Called with no lock held. */
static int pool_grow(struct bpfh_htab *h)
{
	struct htab_elem *e;

	bpfh_spin_lock(&h->pool_lock);
	if (h->nalloc >= h->map.def.max_entries) {
		bpfh_spin_unlock(&h->pool_lock);
		return -E2BIG;
	}
	h->nalloc++;
	bpfh_spin_unlock(&h->pool_lock);

	e = calloc(1, h->elem_size);
	bpfh_spin_lock(&h->pool_lock);
	if (!e) {
		h->nalloc--;
		bpfh_spin_unlock(&h->pool_lock);
		return -ENOMEM;
	}
	cold(h, e)->u.all_next = h->all;
	h->all = e;
	cold(h, e)->free_next = h->free;
	h->free = e;
	bpfh_spin_unlock(&h->pool_lock);
	return 0;
}

/*
 * Unlink e from bucket bi (its lock held). e keeps its next link: a lock-free reader standing
 * on e walks on along the chain it was in.
 */
static void bucket_unlink(struct bpfh_htab *h, uint32_t bi, struct htab_elem *e)
{
	uintptr_t *pp, p;

	for (pp = &h->heads[bi]; !is_nulls(p = load_link(pp)); pp = &elem_at(p)->next) {
		if (elem_at(p) == e) {
			store_link(pp, load_link(&e->next));
			break;
		}
	}
	cold(h, e)->linked = 0;
}

/* An element for an LRU insert: a free one, or the clock's victim. Called with no lock held;
 * NULL when every element is in flight in other threads' inserts. */
static struct htab_elem *lru_take(struct bpfh_htab *h)
{
	struct htab_elem *e = NULL;
	uint32_t i, limit, bi;

	bpfh_spin_lock(&h->pool_lock);
	if (h->free) {
		e = h->free;
		h->free = cold(h, e)->free_next;
		bpfh_spin_unlock(&h->pool_lock);
		return e;
	}
	/* Two rounds at most: after one, every reference bit is clear. */
	limit = 2 * h->lru_len + 1;
	for (i = 0; i < limit && h->lru_last; i++) {
		struct htab_elem *old = h->lru_last;

		if (__atomic_load_n(&cold(h, old)->ref, __ATOMIC_RELAXED)) {
			__atomic_store_n(&cold(h, old)->ref, 0, __ATOMIC_RELAXED);
			lru_unlink(h, old);
			lru_push_front(h, old);
			continue;
		}
		lru_unlink(h, old);
		cold(h, old)->lru_state = LRU_CLAIMED;
		e = old;
		break;
	}
	bpfh_spin_unlock(&h->pool_lock);
	if (!e)
		return NULL;

	/* The hash of a claimed element cannot change under us: only its claimer reuses it. */
	bi = __atomic_load_n(&e->hash, __ATOMIC_RELAXED) & h->mask;
	bpfh_spin_lock(&h->locks[bi]);
	if (cold(h, e)->linked)
		bucket_unlink(h, bi, e);
	bpfh_spin_unlock(&h->locks[bi]);
	return e;
}

/* Release an element that was unlinked from its bucket (whose lock is held). */
static void release_unlinked(struct bpfh_htab *h, struct htab_elem *e)
{
	if (!(h->kind & BPFH_HTAB_LRU)) {
		pool_push(h, e);
		return;
	}
	bpfh_spin_lock(&h->pool_lock);
	if (cold(h, e)->lru_state == LRU_LISTED) {
		lru_unlink(h, e);
		cold(h, e)->lru_state = LRU_FREE;
		cold(h, e)->free_next = h->free;
		h->free = e;
	}
	/* LRU_CLAIMED: an evictor owns it and finds it unlinked. */
	bpfh_spin_unlock(&h->pool_lock);
}

/* ---- lookups ---- */

/*
 * find (below) for keys of one word (1 to 8 bytes), the word held in a register: what most
 * programs' lookups run.
 */
HTAB_INLINE struct htab_elem *find1(struct bpfh_htab *h, uint32_t hash, uint64_t w)
{
	uint32_t bucket = hash & h->mask;
	const uintptr_t *head = &h->heads[bucket];
	uintptr_t p;

again:
	for (p = load_link(head); !is_nulls(p); p = load_link(&elem_at(p)->next)) {
		struct htab_elem *e = elem_at(p);
		uint32_t seq = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);

		if (__atomic_load_n(&e->hash, __ATOMIC_ACQUIRE) != hash ||
		    __atomic_load_n(&e->data[0], __ATOMIC_ACQUIRE) != w)
			continue;
		if ((seq & 1u) || __atomic_load_n(&e->seq, __ATOMIC_RELAXED) != seq)
			goto again;
		return e;
	}
	if (p != nulls_of(bucket))
		goto again;
	return NULL;
}

/*
 * The element of key k (hash hash), or NULL. Lock-free: see "Reading" above. With the bucket
 * lock held no element of the chain can be refilled or moved, so it never starts over.
 */
HTAB_INLINE struct htab_elem *find(struct bpfh_htab *h, uint32_t hash,
				     const struct htab_key *k)
{
	uint32_t bucket = hash & h->mask;
	const uintptr_t *head = &h->heads[bucket];
	uintptr_t p;

	if (h->key_words == 1)
		return find1(h, hash, k->w[0]);
again:
	for (p = load_link(head); !is_nulls(p); p = load_link(&elem_at(p)->next)) {
		struct htab_elem *e = elem_at(p);
		uint32_t seq = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);

		if (__atomic_load_n(&e->hash, __ATOMIC_ACQUIRE) != hash || !key_match(h, e, k))
			continue;
		/* A match counts only if e was not refilled while we read it. */
		if ((seq & 1u) || __atomic_load_n(&e->seq, __ATOMIC_RELAXED) != seq)
			goto again;
		return e;
	}
	/* The walk strayed onto another bucket's chain through a reused element. */
	if (p != nulls_of(bucket))
		goto again;
	return NULL;
}

static void mark_used(const struct bpfh_htab *h, struct htab_elem *e)
{
	if (!__atomic_load_n(&cold(h, e)->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&cold(h, e)->ref, 1, __ATOMIC_RELAXED);
}

void *bpfh_htab_lookup_ptr(struct bpfh_map *map, const void *key, unsigned cpu)
{
	struct bpfh_htab *h = htab_of(map);
	struct htab_key k;
	struct htab_elem *e;
	uint64_t w = 0;
	uint32_t v;

	switch (h->key_size) {
	case 4:
		memcpy(&v, key, 4);
		memcpy(&w, key, 4);
		e = find1(h, hash4(v, h->seed64), w);
		break;
	case 8:
		memcpy(&w, key, 8);
		e = find1(h, (uint32_t)mix_fast(w ^ h->seed64), w);
		break;
	default:
		key_words(h, key, &k);
		e = find(h, htab_hash(h, key), &k);
	}
	if (!e)
		return NULL;
	if (h->kind & BPFH_HTAB_LRU)
		mark_used(h, e);
	return (h->kind & BPFH_HTAB_OBJ) ? (void *)elem_obj(h, e) : elem_val(h, e, cpu);
}

/* Copy e's value out for the user side (per-CPU: every CPU's copy). */
static int copy_out(struct bpfh_htab *h, struct htab_elem *e, void *value)
{
	if (h->kind & BPFH_HTAB_OBJ) {
		uint32_t id = bpfh_map_id(elem_obj(h, e));

		memcpy(value, &id, sizeof(id));
	} else if (h->kind & BPFH_HTAB_PERCPU) {
		bpfh_val_load(value, elem_val(h, e, 0), h->val_area);
	} else {
		bpfh_val_load(value, elem_val(h, e, 0), h->map.def.value_size);
	}
	return 0;
}

int bpfh_htab_lookup(struct bpfh_map *map, const void *key, void *value)
{
	struct bpfh_htab *h = htab_of(map);
	uint32_t hash = htab_hash(h, key);
	uint32_t bi = hash & h->mask;
	struct htab_key k;
	struct htab_elem *e;
	int err = -ENOENT;

	key_words(h, key, &k);
	bpfh_spin_lock(&h->locks[bi]);
	e = find(h, hash, &k);
	if (e)
		err = copy_out(h, e, value);
	bpfh_spin_unlock(&h->locks[bi]);
	return err;
}

/* ---- updates ---- */

/* Write value into e: new says whether e is a fresh element (per-CPU: the other CPUs' copies
 * of a fresh element are zeroed when a program sets only its own). */
static void write_value(struct bpfh_htab *h, struct htab_elem *e, const void *value,
			enum bpfh_side side, int new)
{
	if (!(h->kind & BPFH_HTAB_PERCPU)) {
		bpfh_val_store(elem_val(h, e, 0), value, h->map.def.value_size);
		return;
	}
	if (side == BPFH_SIDE_USER) {
		bpfh_val_store(elem_val(h, e, 0), value, h->val_area);
		return;
	}
	if (new)
		bpfh_val_zero(elem_val(h, e, 0), h->val_area);
	bpfh_val_store(elem_val(h, e, bpfh_cpu_current()), value, h->map.def.value_size);
}

/*
 * Fill a fresh element and put it at the head of bucket bi (lock held). Lock-free readers may
 * still stand on n from its previous life: its sequence count is odd while its hash and key
 * change, and n is published to new readers by the release store of the bucket head.
 */
static void insert(struct bpfh_htab *h, uint32_t bi, struct htab_elem *n,
		   uint32_t hash, const struct htab_key *k, const void *value,
		   struct bpfh_map *obj, enum bpfh_side side)
{
	uint32_t seq = __atomic_load_n(&n->seq, __ATOMIC_RELAXED);
	uint32_t i;

	/* Release stores of the hash and key: a reader that sees any of the new words then sees
	 * the odd count. */
	__atomic_store_n(&n->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&n->hash, hash, __ATOMIC_RELEASE);
	for (i = 0; i < h->key_words; i++)
		__atomic_store_n(&n->data[i], k->w[i], __ATOMIC_RELEASE);
	__atomic_store_n(&cold(h, n)->ref, 0, __ATOMIC_RELAXED);
	if (h->kind & BPFH_HTAB_OBJ)
		elem_set_obj(h, n, obj);
	else
		write_value(h, n, value, side, 1);
	__atomic_store_n(&n->seq, seq + 2, __ATOMIC_RELEASE);
	__atomic_store_n(&n->next, load_link(&h->heads[bi]), __ATOMIC_RELAXED);
	store_link(&h->heads[bi], (uintptr_t)n);
	cold(h, n)->linked = 1;
	if (h->kind & BPFH_HTAB_LRU) {
		bpfh_spin_lock(&h->pool_lock);
		cold(h, n)->lru_state = LRU_LISTED;
		lru_push_front(h, n);
		bpfh_spin_unlock(&h->pool_lock);
	}
}

/*
 * Insert or replace key. For BPFH_HTAB_OBJ tables obj is stored (the caller's reference passes
 * to the map) and *old receives the replaced object, whose reference the caller drops.
 */
static int update(struct bpfh_htab *h, const void *key, const void *value, struct bpfh_map *obj,
		  struct bpfh_map **old, uint64_t flags, enum bpfh_side side)
{
	uint32_t hash = htab_hash(h, key);
	uint32_t bi = hash & h->mask;
	struct htab_elem *e, *n = NULL;
	struct htab_key k;
	int err;

	key_words(h, key, &k);
	for (;;) {
		bpfh_spin_lock(&h->locks[bi]);
		e = find(h, hash, &k);
		if (e) {
			if (flags == BPFH_NOEXIST) {
				err = -EEXIST;
				goto out_unlock;
			}
			if (h->kind & BPFH_HTAB_OBJ) {
				*old = elem_obj(h, e);
				elem_set_obj(h, e, obj);
			} else {
				write_value(h, e, value, side, 0);
			}
			if (h->kind & BPFH_HTAB_LRU)
				mark_used(h, e);
			err = 0;
			goto out_unlock;
		}
		if (flags == BPFH_EXIST) {
			err = -ENOENT;
			goto out_unlock;
		}
		if (!n && !(h->kind & BPFH_HTAB_LRU))
			n = pool_pop(h);
		if (n) {
			insert(h, bi, n, hash, &k, value, obj, side);
			n = NULL;
			err = 0;
			goto out_unlock;
		}
		bpfh_spin_unlock(&h->locks[bi]);

		/* No element at hand: get one without holding the bucket, then look again. */
		if (h->kind & BPFH_HTAB_LRU) {
			n = lru_take(h);
			if (!n)
				return -ENOMEM;
		} else if (h->kind & BPFH_HTAB_LAZY) {
			err = pool_grow(h);
			if (err)
				return err;
		} else {
			return -E2BIG;
		}
	}
out_unlock:
	bpfh_spin_unlock(&h->locks[bi]);
	if (n)
		pool_push(h, n);
	return err;
}

int bpfh_htab_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags,
		     enum bpfh_side side)
{
	return update(htab_of(map), key, value, NULL, NULL, flags, side);
}

/* ---- deletes ---- */

/* Unlink key and release its element; value (if not NULL) gets the value first, *obj the held
 * object (whose reference passes to the caller). */
static int delete(struct bpfh_htab *h, const void *key, void *value, struct bpfh_map **obj)
{
	uint32_t hash = htab_hash(h, key);
	uint32_t bi = hash & h->mask;
	struct htab_key k;
	struct htab_elem *e;

	key_words(h, key, &k);
	bpfh_spin_lock(&h->locks[bi]);
	e = find(h, hash, &k);
	if (!e) {
		bpfh_spin_unlock(&h->locks[bi]);
		return -ENOENT;
	}
	if (value)
		copy_out(h, e, value);
	if (obj)
		*obj = elem_obj(h, e);
	bucket_unlink(h, bi, e);
	if (h->kind & BPFH_HTAB_LRU) {
		release_unlinked(h, e);
		bpfh_spin_unlock(&h->locks[bi]);
	} else {
		bpfh_spin_unlock(&h->locks[bi]);
		pool_push(h, e);
	}
	return 0;
}

int bpfh_htab_delete(struct bpfh_map *map, const void *key)
{
	struct bpfh_htab *h = htab_of(map);
	struct bpfh_map *obj = NULL;
	int err;

	err = delete(h, key, NULL, (h->kind & BPFH_HTAB_OBJ) ? &obj : NULL);
	bpfh_map_put(obj);
	return err;
}

int bpfh_htab_lookup_and_delete(struct bpfh_map *map, const void *key, void *value)
{
	return delete(htab_of(map), key, value, NULL);
}

/* ---- iteration ---- */

int bpfh_htab_next_key(struct bpfh_map *map, const void *key, void *next_key)
{
	struct bpfh_htab *h = htab_of(map);
	uint32_t bi, hash;
	struct htab_elem *e;
	struct htab_key k;
	uintptr_t p;

	if (key) {
		hash = htab_hash(h, key);
		bi = hash & h->mask;
		key_words(h, key, &k);
		bpfh_spin_lock(&h->locks[bi]);
		e = find(h, hash, &k);
		if (e && !is_nulls(p = load_link(&e->next))) {
			elem_key_out(h, elem_at(p), next_key);
			bpfh_spin_unlock(&h->locks[bi]);
			return 0;
		}
		bpfh_spin_unlock(&h->locks[bi]);
		/* Not found: start over from the first key, as Linux does. */
		bi = e ? bi + 1 : 0;
	} else {
		bi = 0;
	}
	for (; bi <= h->mask; bi++) {
		if (is_nulls(load_link(&h->heads[bi])))
			continue;
		bpfh_spin_lock(&h->locks[bi]);
		p = load_link(&h->heads[bi]);
		if (!is_nulls(p)) {
			elem_key_out(h, elem_at(p), next_key);
			bpfh_spin_unlock(&h->locks[bi]);
			return 0;
		}
		bpfh_spin_unlock(&h->locks[bi]);
	}
	return -ENOENT;
}

/* ---- objects (HASH_OF_MAPS) ---- */

void *bpfh_htab_lookup_obj(struct bpfh_map *map, const void *key, int hold)
{
	struct bpfh_htab *h = htab_of(map);
	uint32_t hash = htab_hash(h, key);
	uint32_t bi = hash & h->mask;
	struct htab_key k;
	struct htab_elem *e;
	struct bpfh_map *obj = NULL;

	key_words(h, key, &k);
	/* Locked: a reference taken here cannot race with the replaced object's last put. */
	bpfh_spin_lock(&h->locks[bi]);
	e = find(h, hash, &k);
	if (e) {
		obj = elem_obj(h, e);
		if (hold)
			bpfh_map_get(obj);
	}
	bpfh_spin_unlock(&h->locks[bi]);
	return obj;
}

int bpfh_htab_update_obj(struct bpfh_map *map, const void *key, void *obj, uint64_t flags)
{
	struct bpfh_map *old = NULL;
	int err;

	bpfh_map_get(obj);
	err = update(htab_of(map), key, NULL, obj, &old, flags, BPFH_SIDE_USER);
	if (err)
		bpfh_map_put(obj);
	bpfh_map_put(old);
	return err;
}

void bpfh_htab_clear(struct bpfh_map *map)
{
	struct bpfh_htab *h = htab_of(map);
	uint32_t bi;

	for (bi = 0; bi <= h->mask; bi++) {
		for (;;) {
			struct htab_elem *e = NULL;
			struct bpfh_map *obj = NULL;
			uintptr_t p;

			bpfh_spin_lock(&h->locks[bi]);
			p = load_link(&h->heads[bi]);
			if (!is_nulls(p)) {
				e = elem_at(p);
				if (h->kind & BPFH_HTAB_OBJ)
					obj = elem_obj(h, e);
				bucket_unlink(h, bi, e);
				release_unlinked(h, e);
			}
			bpfh_spin_unlock(&h->locks[bi]);
			if (!e)
				break;
			bpfh_map_put(obj);
		}
	}
}

static void htab_free(struct bpfh_map *map)
{
	bpfh_htab_free(map);
}

const struct bpfh_map_ops bpfh_htab_ops = {
	.check = htab_check,
	.alloc = htab_alloc,
	.free = htab_free,
	.lookup_ptr = bpfh_htab_lookup_ptr,
	.lookup = bpfh_htab_lookup,
	.update = bpfh_htab_update,
	.delete = bpfh_htab_delete,
	.lookup_and_delete = bpfh_htab_lookup_and_delete,
	.next_key = bpfh_htab_next_key,
};
