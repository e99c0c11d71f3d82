// SPDX-License-Identifier: MIT
/*
 * DEVMAP and DEVMAP_HASH: the egress ports of bpf_redirect_map. A value is struct
 * bpfh_devmap_val (value_size 8: ifindex and a program id) or its ifindex alone (value_size
 * 4). DEVMAP is an array of max_entries slots where ifindex 0 means empty; DEVMAP_HASH a hash
 * (htab.c) of up to max_entries u32 keys. Programs read values through bpfh_map_lookup_ptr and
 * never write them (the maps carry BPF_F_RDONLY_PROG, which map.c adds as Linux does).
 *
 * Linux's rules, kept: a DEVMAP update with ifindex 0 empties the slot (and may not name a
 * program), BPF_NOEXIST is -EEXIST, an index out of range -E2BIG, and a delete of an empty
 * slot succeeds (of an index out of range: -EINVAL); DEVMAP_HASH refuses ifindex 0 (-EINVAL)
 * and treats BPF_EXIST as BPF_ANY. What bpfhost does not do: check that the ifindex is a real
 * port (the datapath does when it redirects), or hold the program (see bpfh_devmap_val).
 */
#include <stdlib.h>

#include "maps_int.h"

#define DEV_FLAGS (BPFH_F_NUMA_NODE | BPFH_F_RDONLY | BPFH_F_WRONLY)

struct bpfh_devmap {
	struct bpfh_map map;
	uint64_t *slots; /* ifindex and prog id as one atomic word, ifindex 0 = empty */
};

static struct bpfh_devmap *dm_of(struct bpfh_map *map)
{
	return (struct bpfh_devmap *)map;
}

static int dm_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	if (def->max_entries == 0 || def->key_size != 4 ||
	    (def->value_size != 4 && def->value_size != 8) || (def->map_flags & ~DEV_FLAGS)) {
		bpfh_map_log(log, def, "a device map needs key_size 4, value_size 4 or 8, "
			     "max_entries, and no map_flags but NUMA, RDONLY and WRONLY\n");
		return -EINVAL;
	}
	return 0;
}

/* Read a user value (4 or 8 bytes) and check its program id; 0 or -EINVAL. */
static int read_val(struct bpfh_map *map, const void *value, struct bpfh_devmap_val *v)
{
	const struct bpfh_map_resolver *res = &map->res;

	memset(v, 0, sizeof(*v));
	memcpy(v, value, map->def.value_size);
	/* Linux reads the program as an fd, an int: only positive values name one. */
	if ((int32_t)v->prog_id <= 0) {
		v->prog_id = 0;
		return 0;
	}
	if (!v->ifindex)
		return -EINVAL; /* a program without a port */
	if (res->prog_by_id) {
		void *prog = res->prog_by_id(res->ctx, v->prog_id);

		if (!prog)
			return -EINVAL;
		if (res->prog_put)
			res->prog_put(res->ctx, prog);
	}
	return 0;
}

/* ---- DEVMAP ---- */

static int dm_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	struct bpfh_devmap *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->slots = calloc(tmpl->def.max_entries, sizeof(*d->slots));
	if (!d->slots) {
		free(d);
		return -ENOMEM;
	}
	*out = &d->map;
	return 0;
}

static void dm_free(struct bpfh_map *map)
{
	free(dm_of(map)->slots);
	free(map);
}

static void *dm_lookup_ptr(struct bpfh_map *map, const void *key, unsigned cpu)
{
	uint32_t index = bpfh_load_u32(key);
	uint64_t *slot;

	(void)cpu;
	if (index >= map->def.max_entries)
		return NULL;
	slot = &dm_of(map)->slots[index];
	/* The word is ifindex then prog id in memory order: a struct bpfh_devmap_val. */
	return bpfh_load_u32(slot) ? slot : NULL;
}

static int dm_lookup(struct bpfh_map *map, const void *key, void *value)
{
	uint32_t index = bpfh_load_u32(key);
	uint64_t w;

	if (index >= map->def.max_entries)
		return -ENOENT;
	w = __atomic_load_n(&dm_of(map)->slots[index], __ATOMIC_RELAXED);
	if (!bpfh_load_u32(&w))
		return -ENOENT;
	memcpy(value, &w, map->def.value_size);
	return 0;
}

static int dm_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags,
		     enum bpfh_side side)
{
	uint32_t index = bpfh_load_u32(key);
	struct bpfh_devmap_val v;
	uint64_t w;
	int err;

	(void)side;
	if (index >= map->def.max_entries)
		return -E2BIG;
	if (flags == BPFH_NOEXIST)
		return -EEXIST;
	err = read_val(map, value, &v);
	if (err)
		return err;
	memcpy(&w, &v, sizeof(w));
	__atomic_store_n(&dm_of(map)->slots[index], w, __ATOMIC_RELAXED);
	return 0;
}

static int dm_delete(struct bpfh_map *map, const void *key)
{
	uint32_t index = bpfh_load_u32(key);

	if (index >= map->def.max_entries)
		return -EINVAL;
	__atomic_store_n(&dm_of(map)->slots[index], 0, __ATOMIC_RELAXED);
	return 0;
}

const struct bpfh_map_ops bpfh_devmap_ops = {
	.check = dm_check,
	.alloc = dm_alloc,
	.free = dm_free,
	.lookup_ptr = dm_lookup_ptr,
	.lookup = dm_lookup,
	.update = dm_update,
	.delete = dm_delete,
	.next_key = bpfh_array_next_key,
};

/* ---- DEVMAP_HASH ---- */

static int dmh_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	struct bpfh_map t = *tmpl;

	/* Linux allocates device entries as they come. */
	t.def.map_flags |= BPFH_F_NO_PREALLOC;
	return bpfh_htab_alloc(&t, 0, out);
}

static int dmh_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags,
		      enum bpfh_side side)
{
	struct bpfh_devmap_val v;
	int err;

	err = read_val(map, value, &v);
	if (err)
		return err;
	if (!v.ifindex)
		return -EINVAL;
	if (flags == BPFH_EXIST)
		flags = BPFH_ANY;
	return bpfh_htab_update(map, key, &v, flags, side);
}

const struct bpfh_map_ops bpfh_devmap_hash_ops = {
	.check = dm_check,
	.alloc = dmh_alloc,
	.free = bpfh_htab_free,
	.lookup_ptr = bpfh_htab_lookup_ptr,
	.lookup = bpfh_htab_lookup,
	.update = dmh_update,
	.delete = bpfh_htab_delete,
	.next_key = bpfh_htab_next_key,
};
