// SPDX-License-Identifier: MIT
/*
 * HASH_OF_MAPS: a hash map (htab.c, kind BPFH_HTAB_OBJ) whose values are maps matching the
 * template given at creation, each held with a reference. value_size must be 4: on the user
 * side a value is the inner map's id, resolved through the map's resolver on update (-EBADF
 * for an unknown id, -EINVAL for a map that does not match the template) and returned on
 * lookup. Programs' lookups return the inner map itself. Update flags are the hash ones
 * (BPF_ANY, BPF_NOEXIST, BPF_EXIST).
 *
 * Not here: ARRAY_OF_MAPS (obj_array.c), the template match (map.c, bpfh_map_inner_ok).
 */
#include "maps_int.h"

static int hom_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	if (def->value_size != 4) {
		bpfh_map_log(log, def, "value_size must be 4 (a map id), got %u\n",
			     def->value_size);
		return -EINVAL;
	}
	return bpfh_htab_check(def, log);
}

static int hom_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	return bpfh_htab_alloc(tmpl, BPFH_HTAB_OBJ, out);
}

static int hom_update_obj(struct bpfh_map *map, const void *key, void *obj, uint64_t flags)
{
	if (!bpfh_map_inner_ok(map, obj))
		return -EINVAL;
	return bpfh_htab_update_obj(map, key, obj, flags);
}

static int hom_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags,
		      enum bpfh_side side)
{
	const struct bpfh_map_resolver *res = &map->res;
	struct bpfh_map *inner;
	int err;

	(void)side;
	inner = res->map_by_id ? res->map_by_id(res->ctx, bpfh_load_u32(value)) : NULL;
	if (!inner)
		return -EBADF;
	err = hom_update_obj(map, key, inner, flags);
	bpfh_map_put(inner); /* the map took its own reference */
	return err;
}

const struct bpfh_map_ops bpfh_hash_of_maps_ops = {
	.check = hom_check,
	.alloc = hom_alloc,
	.free = bpfh_htab_free,
	.lookup_ptr = bpfh_htab_lookup_ptr,
	.lookup = bpfh_htab_lookup,
	.update = hom_update,
	.delete = bpfh_htab_delete,
	.next_key = bpfh_htab_next_key,
	.lookup_obj = bpfh_htab_lookup_obj,
	.update_obj = hom_update_obj,
	.clear_objs = bpfh_htab_clear,
};
