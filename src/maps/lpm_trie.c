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
 * Nodes are allocated on demand (Linux requires BPF_F_NO_PREALLOC here) and recycled through
 * a free list, never freed while the map lives, so value pointers stay valid. One
 * reader-writer lock: lookups and iteration read, updates and deletes write. Unlike Linux,
 * an update of an existing prefix writes the value in place instead of replacing the node.
 */
#include <stdlib.h>

#include "maps_int.h"

#define LPM_FLAGS (BPFH_F_NO_PREALLOC | BPFH_F_NUMA_NODE | BPFH_F_ACCESS_MASK)
#define LPM_DATA_MAX 256u
#define LPM_NODE_IM 1u /* intermediate: no value */

struct lpm_node {
	struct lpm_node *child[2];
	struct lpm_node *all_next;  /* every node, for the final free */
	uint32_t prefixlen;
	uint32_t flags;
	uint64_t data[];            /* key data, padded to 8, then the value */
};

struct bpfh_lpm {
	struct bpfh_map map;
	struct bpfh_rwlock lock;
	struct lpm_node *root;
	struct lpm_node *free;      /* recycled nodes, linked through child[0] */
	struct lpm_node *all;
	uint32_t data_size;         /* key_size - 4 */
	uint32_t max_prefixlen;     /* data_size * 8 */
	size_t data_stride;
	size_t node_size;
	uint32_t entries;           /* nodes with a value */
	uint32_t nodes;             /* nodes allocated */
};

static struct bpfh_lpm *lpm_of(struct bpfh_map *map)
{
	return (struct bpfh_lpm *)map;
}

static const uint8_t *key_data(const void *key)
{
	return (const uint8_t *)key + 4;
}

static uint8_t *node_data(struct lpm_node *n)
{
	return (uint8_t *)n->data;
}

static uint8_t *node_val(struct bpfh_lpm *t, struct lpm_node *n)
{
	return (uint8_t *)n->data + t->data_stride;
}

static unsigned bit_at(const uint8_t *data, uint32_t index)
{
	return (data[index / 8] >> (7 - index % 8)) & 1;
}

static unsigned clz8(unsigned v)
{
	unsigned n = 0;

	while (!(v & 0x80)) {
		v <<= 1;
		n++;
	}
	return n;
}

/* The number of leading bits node and key share, at most min(node, key prefixlen). */
static uint32_t match_len(const struct bpfh_lpm *t, struct lpm_node *n, const uint8_t *data,
			  uint32_t prefixlen)
{
	uint32_t limit = n->prefixlen < prefixlen ? n->prefixlen : prefixlen;
	uint32_t len = 0, i;

	for (i = 0; i < t->data_size && len < limit; i++) {
		unsigned diff = node_data(n)[i] ^ data[i];

		if (diff) {
			len += clz8(diff);
			break;
		}
		len += 8;
	}
	return len < limit ? len : limit;
}

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
	t->max_prefixlen = t->data_size * 8;
	t->data_stride = BPFH_ROUND8((size_t)t->data_size);
	t->node_size = sizeof(struct lpm_node) + t->data_stride + tmpl->stride;
	*out = &t->map;
	return 0;
}

static void lpm_free(struct bpfh_map *map)
{
	struct bpfh_lpm *t = lpm_of(map);
	struct lpm_node *n, *next;

	for (n = t->all; n; n = next) {
		next = n->all_next;
		free(n);
	}
	free(t);
}

/* A node from the free list or a new one (write lock held). Intermediate nodes are at most
 * one fewer than value nodes, so 2 * max_entries nodes always suffice. */
static struct lpm_node *node_get(struct bpfh_lpm *t)
{
	struct lpm_node *n = t->free;

	if (n) {
		t->free = n->child[0];
	} else {
		if (t->nodes >= 2 * (uint64_t)t->map.def.max_entries)
			return NULL;
		n = calloc(1, t->node_size);
		if (!n)
			return NULL;
		n->all_next = t->all;
		t->all = n;
		t->nodes++;
	}
	n->child[0] = n->child[1] = NULL;
	n->flags = 0;
	return n;
}

static void node_put(struct bpfh_lpm *t, struct lpm_node *n)
{
	n->child[0] = t->free;
	n->child[1] = NULL;
	t->free = n;
}

/* The node with the longest prefix of key that has a value (read lock held). */
static struct lpm_node *lookup(struct bpfh_lpm *t, const void *key)
{
	uint32_t prefixlen = bpfh_load_u32(key);
	const uint8_t *data = key_data(key);
	struct lpm_node *n, *found = NULL;

	if (prefixlen > t->max_prefixlen)
		return NULL;
	for (n = t->root; n;) {
		uint32_t m = match_len(t, n, data, prefixlen);

		if (m == t->max_prefixlen) {
			found = (n->flags & LPM_NODE_IM) ? found : n;
			break;
		}
		if (m < n->prefixlen)
			break;
		if (!(n->flags & LPM_NODE_IM))
			found = n;
		/* The key is shorter than anything below: stop here. */
		if (n->prefixlen >= prefixlen)
			break;
		n = n->child[bit_at(data, n->prefixlen)];
	}
	return found;
}

static void *lpm_lookup_ptr(struct bpfh_map *map, const void *key, unsigned cpu)
{
	struct bpfh_lpm *t = lpm_of(map);
	struct lpm_node *n;

	(void)cpu;
	bpfh_read_lock(&t->lock);
	n = lookup(t, key);
	bpfh_read_unlock(&t->lock);
	return n ? node_val(t, n) : NULL;
}

static int lpm_lookup(struct bpfh_map *map, const void *key, void *value)
{
	struct bpfh_lpm *t = lpm_of(map);
	struct lpm_node *n;

	bpfh_read_lock(&t->lock);
	n = lookup(t, key);
	if (n)
		bpfh_val_load(value, node_val(t, n), map->def.value_size);
	bpfh_read_unlock(&t->lock);
	return n ? 0 : -ENOENT;
}

static int lpm_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags,
		      enum bpfh_side side)
{
	struct bpfh_lpm *t = lpm_of(map);
	uint32_t prefixlen = bpfh_load_u32(key);
	const uint8_t *data = key_data(key);
	struct lpm_node **slot, *n, *nn, *im;
	uint32_t m = 0;
	int err = 0;

	(void)side;
	if (prefixlen > t->max_prefixlen)
		return -EINVAL;
	bpfh_write_lock(&t->lock);

	/* Walk down while the node's prefix is a proper prefix of the key. */
	for (slot = &t->root; (n = *slot) != NULL; slot = &n->child[bit_at(data, n->prefixlen)]) {
		m = match_len(t, n, data, prefixlen);
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
		memcpy(node_data(n), data, t->data_size);
		bpfh_val_store(node_val(t, n), value, map->def.value_size);
		__atomic_store_n(&n->flags, 0, __ATOMIC_RELAXED);
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
	nn = node_get(t);
	if (!nn) {
		err = -ENOMEM;
		goto out;
	}
	nn->prefixlen = prefixlen;
	memcpy(node_data(nn), data, t->data_size);
	bpfh_val_store(node_val(t, nn), value, map->def.value_size);

	if (!n) {
		/* An empty slot. */
		*slot = nn;
	} else if (m == prefixlen) {
		/* The new prefix contains n: it goes above n. */
		nn->child[bit_at(node_data(n), m)] = n;
		*slot = nn;
	} else {
		/* They diverge at bit m: join them under an intermediate node. */
		im = node_get(t);
		if (!im) {
			node_put(t, nn);
			err = -ENOMEM;
			goto out;
		}
		im->prefixlen = m;
		im->flags = LPM_NODE_IM;
		memcpy(node_data(im), node_data(n), t->data_size);
		im->child[bit_at(data, m)] = nn;
		im->child[!bit_at(data, m)] = n;
		*slot = im;
	}
	t->entries++;
out:
	bpfh_write_unlock(&t->lock);
	return err;
}

static int lpm_delete(struct bpfh_map *map, const void *key)
{
	struct bpfh_lpm *t = lpm_of(map);
	uint32_t prefixlen = bpfh_load_u32(key);
	const uint8_t *data = key_data(key);
	struct lpm_node **slot, **parent_slot = NULL, *n, *parent = NULL;
	uint32_t m = 0;
	int err = 0;

	if (prefixlen > t->max_prefixlen)
		return -EINVAL;
	bpfh_write_lock(&t->lock);
	for (slot = &t->root; (n = *slot) != NULL;) {
		m = match_len(t, n, data, prefixlen);
		if (n->prefixlen != m || n->prefixlen == prefixlen)
			break;
		parent = n;
		parent_slot = slot;
		slot = &n->child[bit_at(data, n->prefixlen)];
	}
	if (!n || n->prefixlen != prefixlen || n->prefixlen != m || (n->flags & LPM_NODE_IM)) {
		err = -ENOENT;
		goto out;
	}
	t->entries--;

	if (n->child[0] && n->child[1]) {
		/* Still joins two subtrees: keep it, without a value. */
		__atomic_store_n(&n->flags, LPM_NODE_IM, __ATOMIC_RELAXED);
		goto out;
	}
	if (parent && (parent->flags & LPM_NODE_IM) && !n->child[0] && !n->child[1]) {
		/* A leaf under an intermediate node: the node's sibling replaces the parent. */
		*parent_slot = parent->child[parent->child[0] == n ? 1 : 0];
		node_put(t, parent);
		node_put(t, n);
		goto out;
	}
	*slot = n->child[0] ? n->child[0] : n->child[1];
	node_put(t, n);
out:
	bpfh_write_unlock(&t->lock);
	return err;
}

static void copy_key(struct bpfh_lpm *t, struct lpm_node *n, void *next_key)
{
	memcpy(next_key, &n->prefixlen, 4);
	memcpy((uint8_t *)next_key + 4, node_data(n), t->data_size);
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
	const uint8_t *data;

	bpfh_read_lock(&t->lock);
	if (!t->root) {
		err = -ENOENT;
		goto out;
	}
	if (!key || bpfh_load_u32(key) > t->max_prefixlen)
		goto first;
	prefixlen = bpfh_load_u32(key);
	data = key_data(key);
	stack = malloc((t->max_prefixlen + 1) * sizeof(*stack));
	if (!stack) {
		err = -ENOMEM;
		goto out;
	}
	/* The path to the exact key, if it is there. */
	for (n = t->root; n;) {
		stack[++depth] = n;
		m = match_len(t, n, data, prefixlen);
		if (n->prefixlen != m || n->prefixlen == prefixlen)
			break;
		n = n->child[bit_at(data, n->prefixlen)];
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
