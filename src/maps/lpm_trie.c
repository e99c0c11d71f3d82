// SPDX-License-Identifier: MIT
/*
 * LPM_TRIE: longest-prefix match over keys laid out as Linux's struct bpf_lpm_trie_key_u8
 * { uint32_t prefixlen; uint8_t data[]; } (prefixlen in host order, data most significant bit
 * first, as network addresses are). A binary trie with path compression, the shape Linux
 * uses: each node has a prefix (prefixlen bits of data) and two children chosen by the next
 * bit; nodes that only join two subtrees are intermediate and carry no value.
 *
 * Lookup finds the longest stored prefix of the key (its prefixlen caps the match); update
 * and delete work on exact (prefixlen, data) pairs. Full is -ENOSPC, as Linux. Iteration
 * follows Linux's post-order: more specific prefixes before the ones that contain them.
 *
 * Prefixes are kept as 64-bit words, most significant bit first (the key's bytes in big-endian
 * order, zero padded): comparing a node's prefix with a key is a few word compares and one
 * count of leading zeros, not a walk over bytes and bits. A lookup converts its key once.
 *
 * Nodes are allocated on demand (Linux requires BPF_F_NO_PREALLOC here) and recycled through
 * a free list, never freed while the map lives, so value pointers stay valid. Updates and
 * deletes hold a reader-writer lock for writing, the user side's lookups and iteration for
 * reading. A program's lookup takes no lock (as Linux's RCU walk): every change a writer makes
 * to a node reachable by readers is a single atomic store that leaves a consistent trie (new
 * nodes are filled, then published by one pointer store; a removed node keeps its children,
 * so a reader standing on it walks on into the trie as it was). The one change that could
 * mislead a reader, refilling a recycled node, happens inside an odd count of the trie's
 * sequence number: a reader whose walk overlapped one starts again, and after a few tries
 * takes the read lock. Unlike Linux, an update of an existing prefix writes the value in
 * place instead of replacing the node.
 */
#include <stdlib.h>

#include "maps_int.h"

#define LPM_FLAGS (BPFH_F_NO_PREALLOC | BPFH_F_NUMA_NODE | BPFH_F_ACCESS_MASK)
#define LPM_DATA_MAX 256u
#define LPM_WORDS_MAX (LPM_DATA_MAX / 8)
#define LPM_NODE_IM 1u /* intermediate: no value */
#define LPM_TRIES 8    /* lock-free walks before a lookup takes the read lock */
#define LPM_SLAB 32    /* nodes per allocation */

/* Lock-free walks read every field: writers store them as atomics, readers load them so. */
struct lpm_node {
	struct lpm_node *child[2];
	uint32_t prefixlen;
	uint32_t flags;
	uint64_t data[];            /* prefix words (data_words), then the value */
};

/* After the value: the free list's link (write lock). */
struct lpm_links {
	struct lpm_node *free_next;
};

/* Nodes are carved from slabs of LPM_SLAB, 64-byte aligned, so that a small node sits in one
 * cache line and a walk's nodes are near each other. */
struct lpm_slab {
	struct lpm_slab *next;
};

struct bpfh_lpm {
	struct bpfh_map map;
	struct bpfh_rwlock lock;
	uint32_t seq;               /* atomic: odd while a recycled node is refilled */
	struct lpm_node *root;      /* atomic */
	struct lpm_node *free;      /* recycled nodes */
	struct lpm_slab *slabs;     /* every slab, for the final free */
	uint8_t *slab_next;         /* the next unused node of the newest slab */
	uint32_t slab_left;         /* nodes left there */
	uint32_t data_size;         /* key_size - 4 */
	uint32_t data_words;        /* ceil(data_size / 8) */
	uint32_t max_prefixlen;     /* data_size * 8 */
	size_t links_off;           /* offset of struct lpm_links in a node */
	size_t node_size;
	uint32_t entries;           /* nodes with a value */
	uint32_t nodes;             /* nodes allocated */
};

/* A key's data as words. */
struct lpm_key {
	uint64_t w[LPM_WORDS_MAX];
};

static struct bpfh_lpm *lpm_of(struct bpfh_map *map)
{
	return (struct bpfh_lpm *)map;
}

static uint8_t *node_val(struct bpfh_lpm *t, struct lpm_node *n)
{
	return (uint8_t *)(n->data + t->data_words);
}

static struct lpm_links *node_links(struct bpfh_lpm *t, struct lpm_node *n)
{
	return (struct lpm_links *)(void *)((uint8_t *)n + t->links_off);
}

/* ---- node fields: acquire loads and release stores, so that a lock-free walk can check the
 * sequence count after them without fences (which ThreadSanitizer does not model) ---- */

static struct lpm_node *get_child(struct lpm_node *n, unsigned i)
{
	return __atomic_load_n(&n->child[i], __ATOMIC_ACQUIRE);
}

static void set_child(struct lpm_node *n, unsigned i, struct lpm_node *c)
{
	__atomic_store_n(&n->child[i], c, __ATOMIC_RELEASE);
}

static void set_slot(struct lpm_node **slot, struct lpm_node *c)
{
	__atomic_store_n(slot, c, __ATOMIC_RELEASE);
}

static uint32_t get_plen(struct lpm_node *n)
{
	return __atomic_load_n(&n->prefixlen, __ATOMIC_ACQUIRE);
}

static uint32_t get_flags(struct lpm_node *n)
{
	return __atomic_load_n(&n->flags, __ATOMIC_ACQUIRE);
}

static uint64_t get_word(struct lpm_node *n, uint32_t i)
{
	return __atomic_load_n(&n->data[i], __ATOMIC_ACQUIRE);
}

static void set_words(struct bpfh_lpm *t, struct lpm_node *n, const uint64_t *w)
{
	uint32_t i;

	for (i = 0; i < t->data_words; i++)
		__atomic_store_n(&n->data[i], w[i], __ATOMIC_RELEASE);
}

/* ---- prefixes as words ---- */

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The key's data (data_size bytes) as words; the padding past data_size is zero. */
static void key_words(const struct bpfh_lpm *t, const void *key, struct lpm_key *k)
{
	const uint8_t *d = (const uint8_t *)key + 4;
	uint32_t i, n = t->data_size;

	if (n == 4) { /* IPv4 */
		k->w[0] = (uint64_t)d[0] << 56 | (uint64_t)d[1] << 48 | (uint64_t)d[2] << 40 |
			  (uint64_t)d[3] << 32;
		return;
	}
	for (i = 0; n >= 8; i++, n -= 8, d += 8)
		k->w[i] = be64(d);
	if (n) {
		uint8_t tail[8] = { 0 };

		memcpy(tail, d, n);
		k->w[i] = be64(tail);
	}
}

/* The inverse: data_size bytes of words w. */
static void words_out(const struct bpfh_lpm *t, const uint64_t *w, uint8_t *out)
{
	uint32_t i;

	for (i = 0; i < t->data_size; i++)
		out[i] = (uint8_t)(w[i / 8] >> (56 - 8 * (i % 8)));
}

static unsigned bit_at(const struct lpm_key *k, uint32_t index)
{
	return (unsigned)(k->w[index / 64] >> (63 - index % 64)) & 1u;
}

static unsigned clz64(uint64_t v)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_clzll(v);
#else
	unsigned n = 0;

	while (!(v & (1ull << 63))) {
		v <<= 1;
		n++;
	}
	return n;
#endif
}

/* Do the first plen bits of n's prefix equal the key's? */
static int prefix_eq(struct lpm_node *n, const struct lpm_key *k, uint32_t plen)
{
	uint32_t i = 0;

	for (; plen >= 64; i++, plen -= 64)
		if (get_word(n, i) != k->w[i])
			return 0;
	return !plen || !((get_word(n, i) ^ k->w[i]) >> (64 - plen));
}

/* The number of leading bits node and key share, at most min(node, key prefixlen). */
static uint32_t match_len(const struct bpfh_lpm *t, struct lpm_node *n, const struct lpm_key *k,
			  uint32_t prefixlen)
{
	uint32_t plen = get_plen(n);
	uint32_t limit = plen < prefixlen ? plen : prefixlen;
	uint32_t i, len;

	for (i = 0; i < t->data_words && 64 * i < limit; i++) {
		uint64_t diff = get_word(n, i) ^ k->w[i];

		if (diff) {
			len = 64 * i + clz64(diff);
			return len < limit ? len : limit;
		}
	}
	return limit;
}

/* ---- creation ---- */

static int lpm_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	if (def->max_entries == 0 || !(def->map_flags & BPFH_F_NO_PREALLOC) ||
	    (def->map_flags & ~LPM_FLAGS)) {
		bpfh_map_log(log, def, "an LPM trie needs max_entries and map_flags "
			     "BPF_F_NO_PREALLOC (plus NUMA and access flags only)\n");
		return -EINVAL;
	}
	if (def->key_size < 4 + 1 || def->key_size > 4 + LPM_DATA_MAX) {
		bpfh_map_log(log, def, "key_size %u: an LPM key is a u32 prefixlen and 1 to %u "
			     "bytes of data\n", def->key_size, LPM_DATA_MAX);
		return -EINVAL;
	}
	if (def->value_size < 1 || def->value_size > BPFH_KMALLOC_MAX - LPM_DATA_MAX - 64) {
		bpfh_map_log(log, def, "value_size %u out of range\n", def->value_size);
		return -EINVAL;
	}
	return 0;
}

static int lpm_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	struct bpfh_lpm *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->data_size = tmpl->def.key_size - 4;
	t->data_words = (t->data_size + 7) / 8;
	t->max_prefixlen = t->data_size * 8;
	t->links_off = sizeof(struct lpm_node) + 8 * (size_t)t->data_words + tmpl->stride;
	t->node_size = t->links_off + sizeof(struct lpm_links);
	t->node_size = t->node_size <= 64 ? 64 : (t->node_size + 15) & ~(size_t)15;
	*out = &t->map;
	return 0;
}

static void lpm_free(struct bpfh_map *map)
{
	struct bpfh_lpm *t = lpm_of(map);
	struct lpm_slab *s, *next;

	for (s = t->slabs; s; s = next) {
		next = s->next;
		free(s);
	}
	free(t);
}

/*
 * A node from the free list or a new one (write lock held). Intermediate nodes are at most
 * one fewer than value nodes, so 2 * max_entries nodes always suffice. A recycled node may
 * still have lock-free readers on it: the first one an update takes makes the sequence count
 * odd (*refill), until the update ends.
 */
static struct lpm_node *node_get(struct bpfh_lpm *t, int *refill)
{
	struct lpm_node *n = t->free;

	if (n) {
		t->free = node_links(t, n)->free_next;
		if (!*refill) {
			*refill = 1;
			__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELAXED);
		}
	} else {
		if (t->nodes >= 2 * (uint64_t)t->map.def.max_entries)
			return NULL;
		if (!t->slab_left) {
			struct lpm_slab *s;

			if (t->node_size > (SIZE_MAX - 128) / LPM_SLAB)
				return NULL;
			s = calloc(1, 128 + LPM_SLAB * t->node_size);
			if (!s)
				return NULL;
			s->next = t->slabs;
			t->slabs = s;
			t->slab_next = (uint8_t *)s + 64 + (-((uintptr_t)s + 64) & 63);
			t->slab_left = LPM_SLAB;
		}
		n = (struct lpm_node *)(void *)t->slab_next;
		t->slab_next += t->node_size;
		t->slab_left--;
		t->nodes++;
	}
	set_child(n, 0, NULL);
	set_child(n, 1, NULL);
	__atomic_store_n(&n->flags, 0, __ATOMIC_RELEASE);
	return n;
}

/* Recycle n (write lock held). Its fields stay as they are for readers still on it. */
static void node_put(struct bpfh_lpm *t, struct lpm_node *n)
{
	node_links(t, n)->free_next = t->free;
	t->free = n;
}

/* ---- lookups ---- */

/*
 * The node with the longest prefix of key k (prefixlen bits) that has a value; *ok is 0 when
 * the walk went astray (more steps than a trie can have, which only a concurrent refill
 * causes).
 */
static struct lpm_node *walk(struct bpfh_lpm *t, const struct lpm_key *k, uint32_t prefixlen,
			     int *ok)
{
	struct lpm_node *n, *found = NULL;
	uint32_t steps = 0;

	*ok = 1;
	for (n = __atomic_load_n(&t->root, __ATOMIC_ACQUIRE); n;) {
		uint32_t plen = get_plen(n);

		/* Below n every prefix is longer than n's: stop when n's is longer than the
		 * key's or differs from it. */
		if (plen > prefixlen || !prefix_eq(n, k, plen))
			break;
		if (!(get_flags(n) & LPM_NODE_IM))
			found = n;
		if (plen == prefixlen)
			break;
		n = get_child(n, bit_at(k, plen));
		if (++steps > t->max_prefixlen + 1) {
			*ok = 0;
			break;
		}
	}
	return found;
}

/* walk for keys of at most 8 bytes of data (IPv4 among them), the key's word in a register. */
static struct lpm_node *walk1(struct bpfh_lpm *t, uint64_t kw, uint32_t prefixlen, int *ok)
{
	struct lpm_node *n, *found = NULL;
	uint32_t steps = 0;

	*ok = 1;
	for (n = __atomic_load_n(&t->root, __ATOMIC_ACQUIRE); n;) {
		uint32_t plen = get_plen(n);

		if (plen > prefixlen || (plen && ((get_word(n, 0) ^ kw) >> (64 - plen))))
			break;
		if (!(get_flags(n) & LPM_NODE_IM))
			found = n;
		if (plen == prefixlen)
			break;
		n = get_child(n, (unsigned)(kw >> (63 - plen)) & 1u);
		if (++steps > 64) {
			*ok = 0;
			break;
		}
	}
	return found;
}

/* The same, with the read lock held (the user side, or a lookup that gave up on lock-free
 * walks). */
static struct lpm_node *walk_locked(struct bpfh_lpm *t, const struct lpm_key *k,
				    uint32_t prefixlen)
{
	int ok;

	return walk(t, k, prefixlen, &ok);
}

static void *lpm_lookup_ptr(struct bpfh_map *map, const void *key, unsigned cpu)
{
	struct bpfh_lpm *t = lpm_of(map);
	uint32_t prefixlen = bpfh_load_u32(key);
	struct lpm_key k;
	struct lpm_node *n;
	unsigned tries;
	int ok;

	(void)cpu;
	if (prefixlen > t->max_prefixlen)
		return NULL;
	key_words(t, key, &k);
	for (tries = 0; tries < LPM_TRIES; tries++) {
		uint32_t seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);

		if (seq & 1u) {
			bpfh_cpu_relax();
			continue;
		}
		n = t->data_words == 1 ? walk1(t, k.w[0], prefixlen, &ok)
				       : walk(t, &k, prefixlen, &ok);
		/* The walk's loads are acquire: this one comes after them. */
		if (ok && __atomic_load_n(&t->seq, __ATOMIC_RELAXED) == seq)
			return n ? node_val(t, n) : NULL;
	}
	bpfh_read_lock(&t->lock);
	n = walk_locked(t, &k, prefixlen);
	bpfh_read_unlock(&t->lock);
	return n ? node_val(t, n) : NULL;
}

static int lpm_lookup(struct bpfh_map *map, const void *key, void *value)
{
	struct bpfh_lpm *t = lpm_of(map);
	uint32_t prefixlen = bpfh_load_u32(key);
	struct lpm_key k;
	struct lpm_node *n;

	if (prefixlen > t->max_prefixlen)
		return -ENOENT;
	key_words(t, key, &k);
	bpfh_read_lock(&t->lock);
	n = walk_locked(t, &k, prefixlen);
	if (n)
		bpfh_val_load(value, node_val(t, n), map->def.value_size);
	bpfh_read_unlock(&t->lock);
	return n ? 0 : -ENOENT;
}

/* ---- updates ---- */

static int lpm_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags,
		      enum bpfh_side side)
{
	struct bpfh_lpm *t = lpm_of(map);
	uint32_t prefixlen = bpfh_load_u32(key);
	struct lpm_node **slot, *n, *nn, *im;
	struct lpm_key k;
	uint32_t m = 0;
	int err = 0, refill = 0;

	(void)side;
	if (prefixlen > t->max_prefixlen)
		return -EINVAL;
	key_words(t, key, &k);
	bpfh_write_lock(&t->lock);

	/* Walk down while the node's prefix is a proper prefix of the key. */
	for (slot = &t->root; (n = *slot) != NULL; slot = &n->child[bit_at(&k, n->prefixlen)]) {
		m = match_len(t, n, &k, prefixlen);
		if (n->prefixlen != m || n->prefixlen == prefixlen ||
		    n->prefixlen == t->max_prefixlen)
			break;
	}

	/* The exact prefix exists: replace its value (or give an intermediate node one). */
	if (n && n->prefixlen == m && n->prefixlen == prefixlen) {
		if (!(n->flags & LPM_NODE_IM)) {
			if (flags == BPFH_NOEXIST) {
				err = -EEXIST;
				goto out;
			}
			bpfh_val_store(node_val(t, n), value, map->def.value_size);
			goto out;
		}
		if (flags == BPFH_EXIST) {
			err = -ENOENT;
			goto out;
		}
		if (t->entries >= map->def.max_entries) {
			err = -ENOSPC;
			goto out;
		}
		/* The first prefixlen bits are n's already: readers see no change there. */
		set_words(t, n, k.w);
		bpfh_val_store(node_val(t, n), value, map->def.value_size);
		__atomic_store_n(&n->flags, 0, __ATOMIC_RELEASE);
		t->entries++;
		goto out;
	}
	if (flags == BPFH_EXIST) {
		err = -ENOENT;
		goto out;
	}
	if (t->entries >= map->def.max_entries) {
		err = -ENOSPC;
		goto out;
	}
	nn = node_get(t, &refill);
	if (!nn) {
		err = -ENOMEM;
		goto out;
	}
	__atomic_store_n(&nn->prefixlen, prefixlen, __ATOMIC_RELEASE);
	set_words(t, nn, k.w);
	bpfh_val_store(node_val(t, nn), value, map->def.value_size);

	if (!n) {
		/* An empty slot. */
		set_slot(slot, nn);
	} else if (m == prefixlen) {
		/* The new prefix contains n: it goes above n. */
		struct lpm_key nk;

		memcpy(nk.w, n->data, 8 * (size_t)t->data_words);
		set_child(nn, bit_at(&nk, m), n);
		set_slot(slot, nn);
	} else {
		/* They diverge at bit m: join them under an intermediate node. */
		im = node_get(t, &refill);
		if (!im) {
			node_put(t, nn);
			err = -ENOMEM;
			goto out;
		}
		__atomic_store_n(&im->prefixlen, m, __ATOMIC_RELEASE);
		__atomic_store_n(&im->flags, LPM_NODE_IM, __ATOMIC_RELEASE);
		set_words(t, im, n->data);
		set_child(im, bit_at(&k, m), nn);
		set_child(im, !bit_at(&k, m), n);
		set_slot(slot, im);
	}
	t->entries++;
out:
	if (refill)
		__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
	bpfh_write_unlock(&t->lock);
	return err;
}

static int lpm_delete(struct bpfh_map *map, const void *key)
{
	struct bpfh_lpm *t = lpm_of(map);
	uint32_t prefixlen = bpfh_load_u32(key);
	struct lpm_node **slot, **parent_slot = NULL, *n, *parent = NULL;
	struct lpm_key k;
	uint32_t m = 0;
	int err = 0;

	if (prefixlen > t->max_prefixlen)
		return -EINVAL;
	key_words(t, key, &k);
	bpfh_write_lock(&t->lock);
	for (slot = &t->root; (n = *slot) != NULL;) {
		m = match_len(t, n, &k, prefixlen);
		if (n->prefixlen != m || n->prefixlen == prefixlen)
			break;
		parent = n;
		parent_slot = slot;
		slot = &n->child[bit_at(&k, n->prefixlen)];
	}
	if (!n || n->prefixlen != prefixlen || n->prefixlen != m || (n->flags & LPM_NODE_IM)) {
		err = -ENOENT;
		goto out;
	}
	t->entries--;

	if (n->child[0] && n->child[1]) {
		/* Still joins two subtrees: keep it, without a value. */
		__atomic_store_n(&n->flags, LPM_NODE_IM, __ATOMIC_RELEASE);
		goto out;
	}
	if (parent && (parent->flags & LPM_NODE_IM) && !n->child[0] && !n->child[1]) {
		/* A leaf under an intermediate node: the node's sibling replaces the parent. */
		set_slot(parent_slot, parent->child[parent->child[0] == n ? 1 : 0]);
		node_put(t, parent);
		node_put(t, n);
		goto out;
	}
	set_slot(slot, n->child[0] ? n->child[0] : n->child[1]);
	node_put(t, n);
out:
	bpfh_write_unlock(&t->lock);
	return err;
}

/* ---- iteration (read lock) ---- */

static void copy_key(struct bpfh_lpm *t, struct lpm_node *n, void *next_key)
{
	memcpy(next_key, &n->prefixlen, 4);
	words_out(t, n->data, (uint8_t *)next_key + 4);
}

/* The first node with a value in post-order under root (NULL for an empty subtree). */
static struct lpm_node *leftmost(struct lpm_node *root)
{
	struct lpm_node *n = root, *found = NULL;

	while (n) {
		if (n->flags & LPM_NODE_IM) {
			n = n->child[0];
		} else {
			found = n;
			n = n->child[0] ? n->child[0] : n->child[1];
		}
	}
	return found;
}

static int lpm_next_key(struct bpfh_map *map, const void *key, void *next_key)
{
	struct bpfh_lpm *t = lpm_of(map);
	struct lpm_node **stack = NULL, *n, *next = NULL;
	int depth = -1, err = 0;
	uint32_t prefixlen, m;
	struct lpm_key k;

	bpfh_read_lock(&t->lock);
	if (!t->root) {
		err = -ENOENT;
		goto out;
	}
	if (!key || bpfh_load_u32(key) > t->max_prefixlen)
		goto first;
	prefixlen = bpfh_load_u32(key);
	key_words(t, key, &k);
	stack = malloc((t->max_prefixlen + 1) * sizeof(*stack));
	if (!stack) {
		err = -ENOMEM;
		goto out;
	}
	/* The path to the exact key, if it is there. */
	for (n = t->root; n;) {
		stack[++depth] = n;
		m = match_len(t, n, &k, prefixlen);
		if (n->prefixlen != m || n->prefixlen == prefixlen)
			break;
		n = n->child[bit_at(&k, n->prefixlen)];
	}
	if (!n || n->prefixlen != prefixlen || (n->flags & LPM_NODE_IM))
		goto first;
	/* The next node in post-order: the leftmost of the right sibling subtree, else the
	 * first ancestor with a value. */
	while (depth > 0) {
		struct lpm_node *parent = stack[depth - 1];

		if (parent->child[0] == n && parent->child[1]) {
			next = leftmost(parent->child[1]);
			goto copy;
		}
		if (!(parent->flags & LPM_NODE_IM)) {
			next = parent;
			goto copy;
		}
		n = parent;
		depth--;
	}
	err = -ENOENT;
	goto out;
first:
	next = leftmost(t->root);
copy:
	if (next)
		copy_key(t, next, next_key);
	else
		err = -ENOENT;
out:
	bpfh_read_unlock(&t->lock);
	free(stack);
	return err;
}

const struct bpfh_map_ops bpfh_lpm_trie_ops = {
	.check = lpm_check,
	.alloc = lpm_alloc,
	.free = lpm_free,
	.lookup_ptr = lpm_lookup_ptr,
	.lookup = lpm_lookup,
	.update = lpm_update,
	.delete = lpm_delete,
	.next_key = lpm_next_key,
};
