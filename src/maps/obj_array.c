// SPDX-License-Identifier: MIT
/*
 * PROG_ARRAY and ARRAY_OF_MAPS: arrays of max_entries slots that each hold an object or
 * nothing, indexed by a uint32_t key; value_size 4 (on the user side a value is the object's
 * id). A PROG_ARRAY holds programs, opaque here, with references taken through the resolver's
 * prog_get / prog_put; an ARRAY_OF_MAPS holds maps that match its template, with map
 * references. Updates take BPF_ANY only; deleting an empty slot is -ENOENT and an index out of
 * range -E2BIG, as Linux's fd arrays.
 *
 * Slots change under a spin lock (so a reader taking a reference cannot race with the drop of
 * the last one); a borrowed read (a tail call, a program's lookup of an inner map) is one
 * atomic load. Not here: HASH_OF_MAPS (map_in_map.c), PERF_EVENT_ARRAY (its own file), and
 * Linux's check that every program in a PROG_ARRAY has the same type (the loader's job).
 */
#include <stdlib.h>

#include "maps_int.h"

#define OBJ_ARRAY_FLAGS (BPFH_F_NUMA_NODE | BPFH_F_RDONLY | BPFH_F_WRONLY)

struct bpfh_obj_array {
	struct bpfh_map map;
	uint32_t lock;
	int maps;      /* holds maps (ARRAY_OF_MAPS), else programs */
	void **slots;
};

static struct bpfh_obj_array *oa_of(struct bpfh_map *map)
{
	return (struct bpfh_obj_array *)map;
}

static void hold(struct bpfh_obj_array *a, void *obj)
{
	if (a->maps)
		bpfh_map_get(obj);
	else if (a->map.res.prog_get)
		a->map.res.prog_get(a->map.res.ctx, obj);
}

static void release(struct bpfh_obj_array *a, void *obj)
{
	if (!obj)
		return;
	if (a->maps)
		bpfh_map_put(obj);
	else if (a->map.res.prog_put)
		a->map.res.prog_put(a->map.res.ctx, obj);
}

static int oa_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	if (def->max_entries == 0 || def->key_size != 4 || def->value_size != 4) {
		bpfh_map_log(log, def, "key_size and value_size must be 4 (got %u and %u), and "
			     "max_entries above 0\n", def->key_size, def->value_size);
		return -EINVAL;
	}
	if (def->map_flags & ~OBJ_ARRAY_FLAGS) {
		bpfh_map_log(log, def, "map_flags 0x%x not accepted by this array\n",
			     def->map_flags & ~OBJ_ARRAY_FLAGS);
		return -EINVAL;
	}
	return 0;
}

static int oa_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	struct bpfh_obj_array *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->maps = tmpl->def.type == BPFH_MAP_TYPE_ARRAY_OF_MAPS;
	a->slots = calloc(tmpl->def.max_entries, sizeof(*a->slots));
	if (!a->slots) {
		free(a);
		return -ENOMEM;
	}
	*out = &a->map;
	return 0;
}

/* Put obj (whose reference passes to the map) in slot index; drop what was there. */
static void store(struct bpfh_obj_array *a, uint32_t index, void *obj)
{
	void *old;

	bpfh_spin_lock(&a->lock);
	old = a->slots[index];
	__atomic_store_n(&a->slots[index], obj, __ATOMIC_RELEASE);
	bpfh_spin_unlock(&a->lock);
	release(a, old);
}

static int oa_delete(struct bpfh_map *map, const void *key)
{
	struct bpfh_obj_array *a = oa_of(map);
	uint32_t index = bpfh_load_u32(key);
	void *old;

	if (index >= map->def.max_entries)
		return -E2BIG;
	bpfh_spin_lock(&a->lock);
	old = a->slots[index];
	__atomic_store_n(&a->slots[index], NULL, __ATOMIC_RELEASE);
	bpfh_spin_unlock(&a->lock);
	if (!old)
		return -ENOENT;
	release(a, old);
	return 0;
}

static void oa_clear(struct bpfh_map *map)
{
	uint32_t i;

	for (i = 0; i < map->def.max_entries; i++)
		oa_delete(map, &i);
}

static void oa_free(struct bpfh_map *map)
{
	struct bpfh_obj_array *a = oa_of(map);

	oa_clear(map);
	free(a->slots);
	free(a);
}

static int oa_update_obj(struct bpfh_map *map, const void *key, void *obj, uint64_t flags)
{
	struct bpfh_obj_array *a = oa_of(map);
	uint32_t index = bpfh_load_u32(key);

	if (flags != BPFH_ANY)
		return -EINVAL;
	if (index >= map->def.max_entries)
		return -E2BIG;
	if (a->maps && !bpfh_map_inner_ok(map, obj))
		return -EINVAL;
	hold(a, obj);
	store(a, index, obj);
	return 0;
}

/* User side: value is the id of a program or map. */
static int oa_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags,
		     enum bpfh_side side)
{
	struct bpfh_obj_array *a = oa_of(map);
	uint32_t index = bpfh_load_u32(key), id = bpfh_load_u32(value);
	const struct bpfh_map_resolver *res = &map->res;
	void *obj;

	(void)side;
	if (flags != BPFH_ANY)
		return -EINVAL;
	if (index >= map->def.max_entries)
		return -E2BIG;
	if (a->maps) {
		obj = res->map_by_id ? res->map_by_id(res->ctx, id) : NULL;
		if (!obj)
			return -EBADF;
		if (!bpfh_map_inner_ok(map, obj)) {
			bpfh_map_put(obj);
			return -EINVAL;
		}
	} else {
		obj = res->prog_by_id ? res->prog_by_id(res->ctx, id) : NULL;
		if (!obj)
			return -EBADF;
	}
	store(a, index, obj);
	return 0;
}

static void *oa_lookup_obj(struct bpfh_map *map, const void *key, int take)
{
	struct bpfh_obj_array *a = oa_of(map);
	uint32_t index = bpfh_load_u32(key);
	void *obj;

	if (index >= map->def.max_entries)
		return NULL;
	if (!take)
		return __atomic_load_n(&a->slots[index], __ATOMIC_ACQUIRE);
	bpfh_spin_lock(&a->lock);
	obj = a->slots[index];
	if (obj)
		hold(a, obj);
	bpfh_spin_unlock(&a->lock);
	return obj;
}

/* Programs look up inner maps; a PROG_ARRAY gives them nothing (tail calls read slots). */
static void *oa_lookup_ptr(struct bpfh_map *map, const void *key, unsigned cpu)
{
	(void)cpu;
	if (!oa_of(map)->maps)
		return NULL;
	return oa_lookup_obj(map, key, 0);
}

static int oa_lookup(struct bpfh_map *map, const void *key, void *value)
{
	struct bpfh_obj_array *a = oa_of(map);
	uint32_t index = bpfh_load_u32(key), id = 0;
	void *obj;
	int err = 0;

	if (index >= map->def.max_entries)
		return -ENOENT;
	if (!a->maps && !map->res.prog_id)
		return -ENOTSUP;
	bpfh_spin_lock(&a->lock);
	obj = a->slots[index];
	if (!obj)
		err = -ENOENT;
	else if (a->maps)
		id = bpfh_map_id(obj);
	else
		id = map->res.prog_id(map->res.ctx, obj);
	bpfh_spin_unlock(&a->lock);
	if (!err)
		memcpy(value, &id, sizeof(id));
	return err;
}

int bpfh_map_prog_array_layout(const struct bpfh_map *map, void *const **slots, uint32_t *max)
{
	if (!map || map->def.type != BPFH_MAP_TYPE_PROG_ARRAY || map->ops != &bpfh_prog_array_ops)
		return -ENOTSUP;
	*slots = ((const struct bpfh_obj_array *)map)->slots;
	*max = map->def.max_entries;
	return 0;
}

const struct bpfh_map_ops bpfh_prog_array_ops = {
	.check = oa_check,
	.alloc = oa_alloc,
	.free = oa_free,
	.lookup_ptr = oa_lookup_ptr,
	.lookup = oa_lookup,
	.update = oa_update,
	.delete = oa_delete,
	.next_key = bpfh_array_next_key,
	.lookup_obj = oa_lookup_obj,
	.update_obj = oa_update_obj,
	.clear_objs = oa_clear,
};

const struct bpfh_map_ops bpfh_array_of_maps_ops = {
	.check = oa_check,
	.alloc = oa_alloc,
	.free = oa_free,
	.lookup_ptr = oa_lookup_ptr,
	.lookup = oa_lookup,
	.update = oa_update,
	.delete = oa_delete,
	.next_key = bpfh_array_next_key,
	.lookup_obj = oa_lookup_obj,
	.update_obj = oa_update_obj,
	.clear_objs = oa_clear,
};
