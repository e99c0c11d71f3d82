// SPDX-License-Identifier: MIT
/*
 * The hash table: HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH, and the core that
 * HASH_OF_MAPS (map_in_map.c) and DEVMAP_HASH (devmap.c) build on.
 *
 * Layout. A power-of-2 array of buckets, each a spin lock and a singly linked chain. Elements
 * come from a pool: all max_entries of them allocated at creation, or with BPF_F_NO_PREALLOC
 * one by one on demand up to max_entries; either way an element is never freed while the map
 * lives, only recycled through the free list, so a value pointer handed to a program stays
 * valid memory (as with Linux's preallocated maps, it may come to hold another key's value
 * once its element is deleted). Full means the pool is exhausted: -E2BIG.
 *
 * Locking. Every walk of a chain, reads included, holds that bucket's lock; values themselves
 * are copied word-atomically (bpfh_val_*) and programs touch them without locks. An update of
 * an existing key writes its value in place. The pool lock guards the free list and, for LRU
 * maps, the LRU list. Lock order: bucket, then pool; a thread never holds two buckets.
 *
 * LRU. Elements in use sit on one list, newest first; a program's lookup sets the element's
 * reference bit. When the free list is empty an insert evicts by the clock rule: from the
 * oldest end, an element whose bit is set gets it cleared and moves to the front, the first
 * one without it is taken. Like Linux's, this is an approximation of LRU. The victim is
 * claimed under the pool lock, then unlinked from its own bucket; a concurrent delete of the
 * victim sees the claim and leaves the element to the evictor. BPF_F_NO_COMMON_LRU is
 * accepted and uses the same common list.
 *
 * Not here: per-CPU free lists (one pool lock serves all threads), lock-free readers (Linux's
 * RCU and nulls lists), BPF_F_LOCK.
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

struct htab_elem {
	struct htab_elem *next;     /* bucket chain, or free list */
	struct htab_elem *lru_prev; /* LRU list (pool lock) */
	struct htab_elem *lru_next;
	struct htab_elem *all_next; /* on-demand elements, for the final free */
	uint32_t hash;
	uint8_t linked;             /* in its bucket's chain (bucket lock) */
	uint8_t lru_state;          /* enum lru_state (pool lock) */
	uint8_t ref;                /* LRU reference bit (atomic) */
	uint8_t pad_;
	uint64_t data[];            /* key, padded to 8, then the value area */
};

struct htab_bucket {
	uint32_t lock;
	struct htab_elem *head;
};

struct bpfh_htab {
	struct bpfh_map map;
	unsigned kind;               /* BPFH_HTAB_* */
	uint32_t mask;               /* buckets - 1 */
	uint32_t seed;
	size_t key_stride;
	size_t val_area;             /* bytes of value storage in an element */
	size_t elem_size;
	struct htab_bucket *buckets;
	void *prealloc;              /* every element, when preallocated */

	uint32_t pool_lock;
	struct htab_elem *free;      /* free list */
	struct htab_elem *lru_first; /* newest */
	struct htab_elem *lru_last;  /* oldest */
	uint32_t lru_len;
	uint32_t nalloc;             /* on-demand elements allocated so far */
	struct htab_elem *all;       /* every on-demand element */
};

static struct bpfh_htab *htab_of(struct bpfh_map *map)
{
	return (struct bpfh_htab *)map;
}

static unsigned char *elem_key(struct htab_elem *e)
{
	return (unsigned char *)e->data;
}

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
	h->key_stride = BPFH_ROUND8((size_t)def->key_size);
	if (kind & BPFH_HTAB_OBJ)
		h->val_area = sizeof(struct bpfh_map *);
	else if (kind & BPFH_HTAB_PERCPU)
		h->val_area = tmpl->stride * tmpl->ncpu;
	else
		h->val_area = tmpl->stride;
	h->elem_size = sizeof(struct htab_elem) + h->key_stride + h->val_area;
	h->buckets = calloc(nbuckets, sizeof(*h->buckets));
	if (!h->buckets)
		goto nomem;
	if (!(kind & BPFH_HTAB_LAZY)) {
		unsigned char *block;

		if (h->elem_size > SIZE_MAX / def->max_entries)
			goto nomem;
		block = calloc(def->max_entries, h->elem_size);
		if (!block)
			goto nomem;
		h->prealloc = block;
		/* Free list in address order: the first inserts fill the block from its start. */
		for (i = def->max_entries; i-- > 0;) {
			struct htab_elem *e = (struct htab_elem *)(void *)(block + i * h->elem_size);

			e->next = h->free;
			h->free = e;
		}
	}
	*out = &h->map;
	return 0;
nomem:
	free(h->buckets);
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
		next = e->all_next;
		free(e);
	}
	free(h->prealloc);
	free(h->buckets);
	free(h);
}

/* ---- pool and LRU list (pool lock held where it says so) ---- */

static void lru_unlink(struct bpfh_htab *h, struct htab_elem *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		h->lru_first = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		h->lru_last = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
	h->lru_len--;
}

static void lru_push_front(struct bpfh_htab *h, struct htab_elem *e)
{
	e->lru_prev = NULL;
	e->lru_next = h->lru_first;
	if (h->lru_first)
		h->lru_first->lru_prev = e;
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
		h->free = e->next;
	bpfh_spin_unlock(&h->pool_lock);
	return e;
}

static void pool_push(struct bpfh_htab *h, struct htab_elem *e)
{
	bpfh_spin_lock(&h->pool_lock);
	e->lru_state = LRU_FREE;
	e->next = h->free;
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
	e->all_next = h->all;
	h->all = e;
	e->next = h->free;
	h->free = e;
	bpfh_spin_unlock(&h->pool_lock);
	return 0;
}

/* Unlink e from bucket b (its lock held). */
static void bucket_unlink(struct htab_bucket *b, struct htab_elem *e)
{
	struct htab_elem **pp;

	for (pp = &b->head; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			/* Atomic: next_key peeks at bucket heads without the lock. */
			__atomic_store_n(pp, e->next, __ATOMIC_RELAXED);
			break;
		}
	}
	e->next = NULL;
	e->linked = 0;
}

/* An element for an LRU insert: a free one, or the clock's victim. Called with no lock held;
 * NULL when every element is in flight in other threads' inserts. */
static struct htab_elem *lru_take(struct bpfh_htab *h)
{
	struct htab_elem *e = NULL;
	struct htab_bucket *b;
	uint32_t i, limit;

	bpfh_spin_lock(&h->pool_lock);
	if (h->free) {
		e = h->free;
		h->free = e->next;
		bpfh_spin_unlock(&h->pool_lock);
		return e;
	}
	/* Two rounds at most: after one, every reference bit is clear. */
	limit = 2 * h->lru_len + 1;
	for (i = 0; i < limit && h->lru_last; i++) {
		struct htab_elem *old = h->lru_last;

		if (__atomic_load_n(&old->ref, __ATOMIC_RELAXED)) {
			__atomic_store_n(&old->ref, 0, __ATOMIC_RELAXED);
			lru_unlink(h, old);
			lru_push_front(h, old);
			continue;
		}
		lru_unlink(h, old);
		old->lru_state = LRU_CLAIMED;
		e = old;
		break;
	}
	bpfh_spin_unlock(&h->pool_lock);
	if (!e)
		return NULL;

	/* The hash of a claimed element cannot change under us: only its claimer reuses it. */
	b = &h->buckets[e->hash & h->mask];
	bpfh_spin_lock(&b->lock);
	if (e->linked)
		bucket_unlink(b, e);
	bpfh_spin_unlock(&b->lock);
	return e;
}

/* Release an element that was unlinked from bucket b (whose lock is held). */
static void release_unlinked(struct bpfh_htab *h, struct htab_elem *e)
{
	if (!(h->kind & BPFH_HTAB_LRU)) {
		pool_push(h, e);
		return;
	}
	bpfh_spin_lock(&h->pool_lock);
	if (e->lru_state == LRU_LISTED) {
		lru_unlink(h, e);
		e->lru_state = LRU_FREE;
		e->next = h->free;
		h->free = e;
	}
	/* LRU_CLAIMED: an evictor owns it and finds it unlinked. */
	bpfh_spin_unlock(&h->pool_lock);
}

/* ---- lookups ---- */

/* Key comparison without a call for the common sizes. */
static int key_eq(const void *a, const void *b, uint32_t n)
{
	uint64_t x, y;
	uint32_t u, v;

	switch (n) {
	case 4:
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		return u == v;
	case 8:
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	default:
		return !memcmp(a, b, n);
	}
}

static struct htab_elem *find(struct bpfh_htab *h, struct htab_bucket *b, uint32_t hash,
			      const void *key)
{
	struct htab_elem *e;

	for (e = b->head; e; e = e->next)
		if (e->hash == hash && key_eq(elem_key(e), key, h->map.def.key_size))
			return e;
	return NULL;
}

static void mark_used(struct htab_elem *e)
{
	if (!__atomic_load_n(&e->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&e->ref, 1, __ATOMIC_RELAXED);
}

void *bpfh_htab_lookup_ptr(struct bpfh_map *map, const void *key, unsigned cpu)
{
	struct bpfh_htab *h = htab_of(map);
	uint32_t hash = bpfh_hash(key, map->def.key_size, h->seed);
	struct htab_bucket *b = &h->buckets[hash & h->mask];
	struct htab_elem *e;
	void *p = NULL;

	bpfh_spin_lock(&b->lock);
	e = find(h, b, hash, key);
	if (e) {
		if (h->kind & BPFH_HTAB_LRU)
			mark_used(e);
		p = (h->kind & BPFH_HTAB_OBJ) ? (void *)elem_obj(h, e) : elem_val(h, e, cpu);
	}
	bpfh_spin_unlock(&b->lock);
	return p;
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
	uint32_t hash = bpfh_hash(key, map->def.key_size, h->seed);
	struct htab_bucket *b = &h->buckets[hash & h->mask];
	struct htab_elem *e;
	int err = -ENOENT;

	bpfh_spin_lock(&b->lock);
	e = find(h, b, hash, key);
	if (e)
		err = copy_out(h, e, value);
	bpfh_spin_unlock(&b->lock);
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

/* Fill a fresh element and put it at the head of bucket b (lock held). */
static void insert(struct bpfh_htab *h, struct htab_bucket *b, struct htab_elem *n,
		   uint32_t hash, const void *key, const void *value, struct bpfh_map *obj,
		   enum bpfh_side side)
{
	n->hash = hash;
	memcpy(elem_key(n), key, h->map.def.key_size);
	__atomic_store_n(&n->ref, 0, __ATOMIC_RELAXED);
	if (h->kind & BPFH_HTAB_OBJ)
		elem_set_obj(h, n, obj);
	else
		write_value(h, n, value, side, 1);
	n->next = b->head;
	__atomic_store_n(&b->head, n, __ATOMIC_RELAXED);
	n->linked = 1;
	if (h->kind & BPFH_HTAB_LRU) {
		bpfh_spin_lock(&h->pool_lock);
		n->lru_state = LRU_LISTED;
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
	uint32_t hash = bpfh_hash(key, h->map.def.key_size, h->seed);
	struct htab_bucket *b = &h->buckets[hash & h->mask];
	struct htab_elem *e, *n = NULL;
	int err;

	for (;;) {
		bpfh_spin_lock(&b->lock);
		e = find(h, b, hash, key);
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
				mark_used(e);
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
			insert(h, b, n, hash, key, value, obj, side);
			n = NULL;
			err = 0;
			goto out_unlock;
		}
		bpfh_spin_unlock(&b->lock);

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
	bpfh_spin_unlock(&b->lock);
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
	uint32_t hash = bpfh_hash(key, h->map.def.key_size, h->seed);
	struct htab_bucket *b = &h->buckets[hash & h->mask];
	struct htab_elem *e;

	bpfh_spin_lock(&b->lock);
	e = find(h, b, hash, key);
	if (!e) {
		bpfh_spin_unlock(&b->lock);
		return -ENOENT;
	}
	if (value)
		copy_out(h, e, value);
	if (obj)
		*obj = elem_obj(h, e);
	bucket_unlink(b, e);
	if (h->kind & BPFH_HTAB_LRU) {
		release_unlinked(h, e);
		bpfh_spin_unlock(&b->lock);
	} else {
		bpfh_spin_unlock(&b->lock);
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
	uint32_t i = 0, hash;
	struct htab_bucket *b;
	struct htab_elem *e;

	if (key) {
		hash = bpfh_hash(key, map->def.key_size, h->seed);
		i = hash & h->mask;
		b = &h->buckets[i];
		bpfh_spin_lock(&b->lock);
		e = find(h, b, hash, key);
		if (e && e->next) {
			memcpy(next_key, elem_key(e->next), map->def.key_size);
			bpfh_spin_unlock(&b->lock);
			return 0;
		}
		bpfh_spin_unlock(&b->lock);
		/* Not found: start over from the first key, as Linux does. */
		i = e ? i + 1 : 0;
	}
	for (; i <= h->mask; i++) {
		b = &h->buckets[i];
		if (!__atomic_load_n(&b->head, __ATOMIC_RELAXED))
			continue;
		bpfh_spin_lock(&b->lock);
		if (b->head) {
			memcpy(next_key, elem_key(b->head), map->def.key_size);
			bpfh_spin_unlock(&b->lock);
			return 0;
		}
		bpfh_spin_unlock(&b->lock);
	}
	return -ENOENT;
}

/* ---- objects (HASH_OF_MAPS) ---- */

void *bpfh_htab_lookup_obj(struct bpfh_map *map, const void *key, int hold)
{
	struct bpfh_htab *h = htab_of(map);
	uint32_t hash = bpfh_hash(key, map->def.key_size, h->seed);
	struct htab_bucket *b = &h->buckets[hash & h->mask];
	struct htab_elem *e;
	struct bpfh_map *obj = NULL;

	bpfh_spin_lock(&b->lock);
	e = find(h, b, hash, key);
	if (e) {
		obj = elem_obj(h, e);
		if (hold)
			bpfh_map_get(obj);
	}
	bpfh_spin_unlock(&b->lock);
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
	uint32_t i;

	for (i = 0; i <= h->mask; i++) {
		struct htab_bucket *b = &h->buckets[i];

		for (;;) {
			struct htab_elem *e;
			struct bpfh_map *obj = NULL;

			bpfh_spin_lock(&b->lock);
			e = b->head;
			if (e) {
				if (h->kind & BPFH_HTAB_OBJ)
					obj = elem_obj(h, e);
				bucket_unlink(b, e);
				release_unlinked(h, e);
			}
			bpfh_spin_unlock(&b->lock);
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
