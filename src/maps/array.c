// SPDX-License-Identifier: MIT
/*
 * ARRAY and PERCPU_ARRAY: max_entries values indexed by a uint32_t key, all present and zero at
 * creation, never deleted. Values are round_up(value_size, 8) bytes apart; a per-CPU array
 * keeps each CPU's copies of all elements together (CPU-major), so that threads on different
 * slots do not share cache lines. Lookups and updates take no lock: values are copied word by
 * word (bpfh_val_store/load), as Linux copies them with plain stores.
 *
 * Also bpfh_map_mmap, the storage of a BPF_F_MMAPABLE array. Not here: the object arrays
 * (prog_array.c, map_in_map.c), the perf event array (perf_event_array.c).
 */
#include <stdlib.h>

#include "maps_int.h"

#define ARRAY_FLAGS                                                                         \
	(BPFH_F_NUMA_NODE | BPFH_F_MMAPABLE | BPFH_F_ACCESS_MASK | BPFH_F_PRESERVE_ELEMS |  \
	 BPFH_F_INNER_MAP)

struct bpfh_array {
	struct bpfh_map map;
	int percpu;
	size_t cpu_span;        /* bytes of one CPU's copy of every element */
	unsigned char *values;
};

static struct bpfh_array *array_of(struct bpfh_map *map)
{
	return (struct bpfh_array *)map;
}

static int array_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	int percpu = def->type == BPFH_MAP_TYPE_PERCPU_ARRAY;

	if (def->max_entries == 0 || def->key_size != 4 || def->value_size == 0) {
		bpfh_map_log(log, def, "an array needs key_size 4 (got %u), a value_size and "
			     "max_entries\n", def->key_size);
		return -EINVAL;
	}
	if (def->map_flags & ~ARRAY_FLAGS) {
		bpfh_map_log(log, def, "map_flags 0x%x not accepted by an array\n",
			     def->map_flags & ~ARRAY_FLAGS);
		return -EINVAL;
	}
	if (percpu && (def->map_flags & BPFH_F_NUMA_NODE)) {
		bpfh_map_log(log, def, "BPF_F_NUMA_NODE not accepted by a per-CPU array\n");
		return -EINVAL;
	}
	if (def->type != BPFH_MAP_TYPE_ARRAY &&
	    (def->map_flags & (BPFH_F_MMAPABLE | BPFH_F_INNER_MAP))) {
		bpfh_map_log(log, def, "BPF_F_MMAPABLE and BPF_F_INNER_MAP are for arrays only\n");
		return -EINVAL;
	}
	if (def->map_flags & BPFH_F_PRESERVE_ELEMS) {
		bpfh_map_log(log, def, "BPF_F_PRESERVE_ELEMS is for perf event arrays only\n");
		return -EINVAL;
	}
	if (def->value_size > 0x7fffffffu ||
	    (percpu && BPFH_ROUND8((size_t)def->value_size) > BPFH_PCPU_MIN_UNIT)) {
		bpfh_map_log(log, def, "value_size %u too large\n", def->value_size);
		return -E2BIG;
	}
	return 0;
}

static int array_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	struct bpfh_array *a;
	unsigned ncopies;
	size_t span;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->percpu = tmpl->def.type == BPFH_MAP_TYPE_PERCPU_ARRAY;
	ncopies = a->percpu ? tmpl->ncpu : 1;
	span = tmpl->stride * tmpl->def.max_entries;
	if (span / tmpl->stride != tmpl->def.max_entries || span * ncopies / ncopies != span) {
		free(a);
		return -ENOMEM;
	}
	a->cpu_span = span;
	a->values = calloc(ncopies, span);
	if (!a->values) {
		free(a);
		return -ENOMEM;
	}
	*out = &a->map;
	return 0;
}

static void array_free(struct bpfh_map *map)
{
	struct bpfh_array *a = array_of(map);

	free(a->values);
	free(a);
}

static unsigned char *elem(struct bpfh_array *a, uint32_t index, unsigned cpu)
{
	return a->values + (a->percpu ? cpu * a->cpu_span : 0) + index * a->map.stride;
}

static void *array_lookup_ptr(struct bpfh_map *map, const void *key, unsigned cpu)
{
	uint32_t index = bpfh_load_u32(key);

	if (index >= map->def.max_entries)
		return NULL;
	return elem(array_of(map), index, cpu);
}

static int array_lookup(struct bpfh_map *map, const void *key, void *value)
{
	struct bpfh_array *a = array_of(map);
	uint32_t index = bpfh_load_u32(key);
	unsigned cpu;

	if (index >= map->def.max_entries)
		return -ENOENT;
	if (!a->percpu) {
		bpfh_val_load(value, elem(a, index, 0), map->def.value_size);
		return 0;
	}
	for (cpu = 0; cpu < map->ncpu; cpu++)
		bpfh_val_load((unsigned char *)value + cpu * map->stride, elem(a, index, cpu),
			      map->stride);
	return 0;
}

static int array_update(struct bpfh_map *map, const void *key, const void *value,
			uint64_t flags, enum bpfh_side side)
{
	struct bpfh_array *a = array_of(map);
	uint32_t index = bpfh_load_u32(key);
	unsigned cpu;

	if (index >= map->def.max_entries)
		return -E2BIG; /* every element exists; there is no room for another */
	if (flags == BPFH_NOEXIST)
		return -EEXIST;
	if (!a->percpu) {
		bpfh_val_store(elem(a, index, 0), value, map->def.value_size);
		return 0;
	}
	if (side == BPFH_SIDE_PROG) {
		bpfh_val_store(elem(a, index, bpfh_cpu_current()), value, map->def.value_size);
		return 0;
	}
	for (cpu = 0; cpu < map->ncpu; cpu++)
		bpfh_val_store(elem(a, index, cpu), (const unsigned char *)value + cpu * map->stride,
			       map->stride);
	return 0;
}

static int array_delete(struct bpfh_map *map, const void *key)
{
	(void)map;
	(void)key;
	return -EINVAL;
}

int bpfh_array_next_key(struct bpfh_map *map, const void *key, void *next_key)
{
	uint32_t index = key ? bpfh_load_u32(key) : UINT32_MAX, next;

	if (index >= map->def.max_entries)
		next = 0;
	else if (index == map->def.max_entries - 1)
		return -ENOENT;
	else
		next = index + 1;
	memcpy(next_key, &next, sizeof(next));
	return 0;
}

void *bpfh_map_mmap(struct bpfh_map *map, size_t *size)
{
	if (!map || map->def.type != BPFH_MAP_TYPE_ARRAY ||
	    !(map->def.map_flags & BPFH_F_MMAPABLE)) {
		errno = EINVAL;
		return NULL;
	}
	if (size)
		*size = array_of(map)->cpu_span;
	return array_of(map)->values;
}

int bpfh_map_array_layout(const struct bpfh_map *map, void **base, uint32_t *stride,
			  uint32_t *max)
{
	if (!map || map->def.type != BPFH_MAP_TYPE_ARRAY || map->ops != &bpfh_array_ops ||
	    map->stride > UINT32_MAX)
		return -ENOTSUP;
	*base = ((const struct bpfh_array *)map)->values;
	*stride = (uint32_t)map->stride;
	*max = map->def.max_entries;
	return 0;
}

const struct bpfh_map_ops bpfh_array_ops = {
	.check = array_check,
	.alloc = array_alloc,
	.free = array_free,
	.lookup_ptr = array_lookup_ptr,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.next_key = bpfh_array_next_key,
};
