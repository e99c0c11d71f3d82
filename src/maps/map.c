// SPDX-License-Identifier: MIT
/*
 * The map core: creation (common checks, then the type's own, dispatched through one ops table
 * per type), reference counting, the user-side and program-side entry points of
 * include/bpfhost/map.h with their permission and flag checks, the object calls, CPU slots,
 * and the shared pieces of maps_int.h (value copies, key hash, template match).
 *
 * It does not know how any type stores its elements (that is each type's file), how ids are
 * given out (the registry above passes a resolver), or anything of the OS: it allocates with
 * malloc and synchronises with __atomic builtins only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "maps_int.h"

/* ---- CPU slots ---- */

static unsigned cpu_possible = BPFH_CPU_DEFAULT; /* atomic, relaxed */
static uint32_t cpu_frozen;                       /* atomic: set by the first map creation */
static _Thread_local unsigned cpu_current;

unsigned bpfh_cpu_possible(void)
{
	return __atomic_load_n(&cpu_possible, __ATOMIC_RELAXED);
}

int bpfh_cpu_set_possible(unsigned n)
{
	if (n == 0 || n > BPFH_CPU_LIMIT)
		return -EINVAL;
	if (__atomic_load_n(&cpu_frozen, __ATOMIC_ACQUIRE))
		return -EBUSY;
	__atomic_store_n(&cpu_possible, n, __ATOMIC_RELAXED);
	return 0;
}

unsigned bpfh_cpu_current(void)
{
	unsigned n = bpfh_cpu_possible();

	return cpu_current < n ? cpu_current : cpu_current % n;
}

void bpfh_cpu_set(unsigned cpu)
{
	cpu_current = cpu % bpfh_cpu_possible();
}

/* ---- types ---- */

struct map_type {
	const char *name;
	const struct bpfh_map_ops *ops;
};

static const struct map_type map_types[] = {
	[BPFH_MAP_TYPE_HASH] = { "hash", &bpfh_htab_ops },
	[BPFH_MAP_TYPE_ARRAY] = { "array", &bpfh_array_ops },
	[BPFH_MAP_TYPE_PROG_ARRAY] = { "prog_array", &bpfh_prog_array_ops },
	[BPFH_MAP_TYPE_PERF_EVENT_ARRAY] = { "perf_event_array", &bpfh_perf_event_array_ops },
	[BPFH_MAP_TYPE_PERCPU_HASH] = { "percpu_hash", &bpfh_htab_ops },
	[BPFH_MAP_TYPE_PERCPU_ARRAY] = { "percpu_array", &bpfh_array_ops },
	[BPFH_MAP_TYPE_LRU_HASH] = { "lru_hash", &bpfh_htab_ops },
	[BPFH_MAP_TYPE_LRU_PERCPU_HASH] = { "lru_percpu_hash", &bpfh_htab_ops },
	[BPFH_MAP_TYPE_LPM_TRIE] = { "lpm_trie", &bpfh_lpm_trie_ops },
	[BPFH_MAP_TYPE_ARRAY_OF_MAPS] = { "array_of_maps", &bpfh_array_of_maps_ops },
	[BPFH_MAP_TYPE_HASH_OF_MAPS] = { "hash_of_maps", &bpfh_hash_of_maps_ops },
	[BPFH_MAP_TYPE_DEVMAP] = { "devmap", &bpfh_devmap_ops },
	[BPFH_MAP_TYPE_QUEUE] = { "queue", &bpfh_queue_stack_ops },
	[BPFH_MAP_TYPE_STACK] = { "stack", &bpfh_queue_stack_ops },
	[BPFH_MAP_TYPE_DEVMAP_HASH] = { "devmap_hash", &bpfh_devmap_hash_ops },
	[BPFH_MAP_TYPE_RINGBUF] = { "ringbuf", &bpfh_ringbuf_ops },
	[BPFH_MAP_TYPE_BLOOM_FILTER] = { "bloom_filter", &bpfh_bloom_filter_ops },
};

static const struct map_type *map_type(uint32_t type)
{
	if (type >= sizeof(map_types) / sizeof(map_types[0]) || !map_types[type].ops)
		return NULL;
	return &map_types[type];
}

const char *bpfh_map_type_name(uint32_t type)
{
	const struct map_type *t = map_type(type);

	return t ? t->name : NULL;
}

static int is_percpu(const struct bpfh_map *map)
{
	uint32_t t = map->def.type;

	return t == BPFH_MAP_TYPE_PERCPU_HASH || t == BPFH_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPFH_MAP_TYPE_LRU_PERCPU_HASH;
}

static int is_map_in_map(uint32_t type)
{
	return type == BPFH_MAP_TYPE_ARRAY_OF_MAPS || type == BPFH_MAP_TYPE_HASH_OF_MAPS;
}

/* Types whose user side is push / peek / pop (key_size 0). */
static int is_keyless(uint32_t type)
{
	return type == BPFH_MAP_TYPE_QUEUE || type == BPFH_MAP_TYPE_STACK ||
	       type == BPFH_MAP_TYPE_BLOOM_FILTER;
}

void bpfh_map_log(struct bpfh_log *log, const struct bpfh_map_def *def, const char *fmt, ...)
{
	const char *type = bpfh_map_type_name(def->type);
	va_list ap;

	if (!log)
		return;
	if (def->name[0] && memchr(def->name, '\0', sizeof(def->name)))
		bpfh_log_printf(log, "map %s: ", def->name);
	else if (type)
		bpfh_log_printf(log, "map (%s): ", type);
	else
		bpfh_log_printf(log, "map: ");
	va_start(ap, fmt);
	bpfh_log_vprintf(log, fmt, ap);
	va_end(ap);
}

/* ---- creation ---- */

static int name_ok(const char *name)
{
	size_t i;

	for (i = 0; i < BPFH_MAP_NAME_LEN; i++) {
		char c = name[i];

		if (c == '\0')
			return 1;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return 0;
	}
	return 0; /* not terminated */
}

/* The checks Linux's map_create and bpf_map_meta_alloc make for every type. */
static int common_check(const struct bpfh_map_def *def, const struct bpfh_map *inner,
			struct bpfh_log *log)
{
	if (!name_ok(def->name)) {
		struct bpfh_map_def anon = *def;

		anon.name[0] = '\0';
		bpfh_map_log(log, &anon, "name must be letters, digits, '_' and '.', at most %d "
			     "bytes\n", BPFH_MAP_NAME_LEN - 1);
		return -EINVAL;
	}
	if (def->map_extra && def->type != BPFH_MAP_TYPE_BLOOM_FILTER) {
		bpfh_map_log(log, def, "map_extra is for bloom filters only\n");
		return -EINVAL;
	}
	if ((def->map_flags & BPFH_F_RDONLY) && (def->map_flags & BPFH_F_WRONLY)) {
		bpfh_map_log(log, def, "BPF_F_RDONLY and BPF_F_WRONLY together\n");
		return -EINVAL;
	}
	if ((def->map_flags & BPFH_F_RDONLY_PROG) && (def->map_flags & BPFH_F_WRONLY_PROG)) {
		bpfh_map_log(log, def, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together\n");
		return -EINVAL;
	}
	if (is_map_in_map(def->type)) {
		if (!inner) {
			bpfh_map_log(log, def, "a map-in-map needs an inner map template\n");
			return -EINVAL;
		}
		if (inner->has_inner) {
			bpfh_map_log(log, def, "the inner map cannot itself hold maps\n");
			return -EINVAL;
		}
		if (inner->def.type == BPFH_MAP_TYPE_PROG_ARRAY) {
			bpfh_map_log(log, def, "a prog_array cannot be an inner map\n");
			return -ENOTSUP;
		}
	}
	return 0;
}

int bpfh_map_create(const struct bpfh_map_def *def, const struct bpfh_map *inner,
		    struct bpfh_log *log, struct bpfh_map **out)
{
	const struct map_type *t;
	struct bpfh_map tmpl, *map = NULL;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!def)
		return -EINVAL;
	t = map_type(def->type);
	if (!t) {
		bpfh_map_log(log, def, "unknown map type %u\n", def->type);
		return -EINVAL;
	}
	err = common_check(def, inner, log);
	if (err)
		return err;
	if (t->ops->check) {
		err = t->ops->check(def, log);
		if (err)
			return err;
	}

	/* From here on the number of CPU slots is fixed. */
	__atomic_store_n(&cpu_frozen, 1, __ATOMIC_RELEASE);
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.def = *def;
	/* Programs only read device maps: Linux sets the flag itself, and so it shows. */
	if (def->type == BPFH_MAP_TYPE_DEVMAP || def->type == BPFH_MAP_TYPE_DEVMAP_HASH)
		tmpl.def.map_flags |= BPFH_F_RDONLY_PROG;
	tmpl.ncpu = bpfh_cpu_possible();
	tmpl.stride = BPFH_ROUND8((size_t)def->value_size);
	err = t->ops->alloc(&tmpl, &map);
	if (err) {
		bpfh_map_log(log, def, "cannot allocate %u entries (%s)\n", def->max_entries,
			     err == -ENOMEM ? "out of memory" : "too many");
		return err;
	}
	/* The type filled what follows the head; the head is the same for every type. */
	*map = tmpl;
	map->ops = t->ops;
	map->refcnt = 1;
	if (inner && is_map_in_map(def->type)) {
		map->has_inner = 1;
		map->inner = inner->def;
	}
	*out = map;
	return 0;
}

struct bpfh_map *bpfh_map_get(struct bpfh_map *map)
{
	if (map)
		__atomic_add_fetch(&map->refcnt, 1, __ATOMIC_RELAXED);
	return map;
}

void bpfh_map_put(struct bpfh_map *map)
{
	if (map && __atomic_sub_fetch(&map->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		map->ops->free(map);
}

const struct bpfh_map_def *bpfh_map_def(const struct bpfh_map *map)
{
	return &map->def;
}

size_t bpfh_map_user_value_size(const struct bpfh_map *map)
{
	if (is_percpu(map))
		return map->stride * map->ncpu;
	return map->def.value_size;
}

uint32_t bpfh_map_id(const struct bpfh_map *map)
{
	return __atomic_load_n(&map->id, __ATOMIC_RELAXED);
}

void bpfh_map_set_id(struct bpfh_map *map, uint32_t id)
{
	__atomic_store_n(&map->id, id, __ATOMIC_RELAXED);
}

int bpfh_map_freeze(struct bpfh_map *map)
{
	return __atomic_exchange_n(&map->frozen, 1, __ATOMIC_ACQ_REL) ? -EBUSY : 0;
}

void bpfh_map_set_resolver(struct bpfh_map *map, const struct bpfh_map_resolver *res)
{
	if (res)
		map->res = *res;
	else
		memset(&map->res, 0, sizeof(map->res));
}

int bpfh_map_inner_ok(const struct bpfh_map *outer, const struct bpfh_map *inner)
{
	const struct bpfh_map_def *t = &outer->inner, *d = &inner->def;

	if (!outer->has_inner || inner->has_inner)
		return 0;
	if (t->type != d->type || t->key_size != d->key_size || t->value_size != d->value_size ||
	    t->map_flags != d->map_flags)
		return 0;
	/* Only arrays compare sizes, and not with BPF_F_INNER_MAP (array_map_meta_equal). */
	if (t->type == BPFH_MAP_TYPE_ARRAY && !(t->map_flags & BPFH_F_INNER_MAP) &&
	    t->max_entries != d->max_entries)
		return 0;
	return 1;
}

/* ---- user side ---- */

static int can_read(const struct bpfh_map *map)
{
	return !(map->def.map_flags & BPFH_F_WRONLY);
}

static int can_write(const struct bpfh_map *map)
{
	return !(map->def.map_flags & BPFH_F_RDONLY) &&
	       !__atomic_load_n(&map->frozen, __ATOMIC_ACQUIRE);
}

int bpfh_map_lookup(struct bpfh_map *map, const void *key, void *value)
{
	if (!can_read(map))
		return -EPERM;
	if (is_keyless(map->def.type))
		return map->ops->peek ? map->ops->peek(map, value) : -ENOTSUP;
	return map->ops->lookup ? map->ops->lookup(map, key, value) : -ENOTSUP;
}

int bpfh_map_update(struct bpfh_map *map, const void *key, const void *value, uint64_t flags)
{
	if (!can_write(map))
		return -EPERM;
	if (flags > BPFH_EXIST) /* unknown flags, and BPF_F_LOCK: no value has a lock */
		return -EINVAL;
	if (is_keyless(map->def.type))
		return map->ops->push ? map->ops->push(map, value, flags) : -ENOTSUP;
	return map->ops->update ? map->ops->update(map, key, value, flags, BPFH_SIDE_USER)
				: -ENOTSUP;
}

int bpfh_map_delete(struct bpfh_map *map, const void *key)
{
	if (!can_write(map))
		return -EPERM;
	return bpfh_map_delete_prog(map, key);
}

int bpfh_map_lookup_and_delete(struct bpfh_map *map, const void *key, void *value)
{
	if (!can_read(map) || !can_write(map))
		return -EPERM;
	if (map->def.type == BPFH_MAP_TYPE_QUEUE || map->def.type == BPFH_MAP_TYPE_STACK)
		return map->ops->pop(map, value);
	return map->ops->lookup_and_delete ? map->ops->lookup_and_delete(map, key, value)
					   : -ENOTSUP;
}

int bpfh_map_next_key(struct bpfh_map *map, const void *key, void *next_key)
{
	if (!can_read(map))
		return -EPERM;
	return map->ops->next_key ? map->ops->next_key(map, key, next_key) : -ENOTSUP;
}

int bpfh_map_push(struct bpfh_map *map, const void *value, uint64_t flags)
{
	return map->ops->push ? map->ops->push(map, value, flags) : -ENOTSUP;
}

int bpfh_map_pop(struct bpfh_map *map, void *value)
{
	return map->ops->pop ? map->ops->pop(map, value) : -ENOTSUP;
}

int bpfh_map_peek(struct bpfh_map *map, void *value)
{
	return map->ops->peek ? map->ops->peek(map, value) : -ENOTSUP;
}

/* ---- program side ---- */

void *bpfh_map_lookup_ptr(struct bpfh_map *map, const void *key)
{
	return map->ops->lookup_ptr ? map->ops->lookup_ptr(map, key, bpfh_cpu_current()) : NULL;
}

void *bpfh_map_lookup_percpu_ptr(struct bpfh_map *map, const void *key, uint32_t cpu)
{
	if (!is_percpu(map) || cpu >= map->ncpu)
		return NULL;
	return map->ops->lookup_ptr(map, key, cpu);
}

int bpfh_map_update_prog(struct bpfh_map *map, const void *key, const void *value,
			 uint64_t flags)
{
	uint32_t t = map->def.type;

	if (flags > BPFH_EXIST)
		return -EINVAL;
	if (is_keyless(t))
		return -EINVAL;
	if (t == BPFH_MAP_TYPE_PROG_ARRAY || is_map_in_map(t) ||
	    t == BPFH_MAP_TYPE_PERF_EVENT_ARRAY || t == BPFH_MAP_TYPE_DEVMAP ||
	    t == BPFH_MAP_TYPE_DEVMAP_HASH)
		return -ENOTSUP;
	return map->ops->update ? map->ops->update(map, key, value, flags, BPFH_SIDE_PROG)
				: -ENOTSUP;
}

int bpfh_map_delete_prog(struct bpfh_map *map, const void *key)
{
	return map->ops->delete ? map->ops->delete(map, key) : -ENOTSUP;
}

/* ---- objects ---- */

int bpfh_map_update_obj(struct bpfh_map *map, const void *key, void *obj, uint64_t flags)
{
	if (!map->ops->update_obj)
		return -ENOTSUP;
	if (flags > BPFH_EXIST)
		return -EINVAL;
	if (!obj)
		return map->ops->delete(map, key);
	return map->ops->update_obj(map, key, obj, flags);
}

void *bpfh_map_lookup_obj(struct bpfh_map *map, const void *key)
{
	return map->ops->lookup_obj ? map->ops->lookup_obj(map, key, 0) : NULL;
}

void *bpfh_map_lookup_obj_ref(struct bpfh_map *map, const void *key)
{
	return map->ops->lookup_obj ? map->ops->lookup_obj(map, key, 1) : NULL;
}

void bpfh_map_clear_objs(struct bpfh_map *map)
{
	if (map->ops->clear_objs)
		map->ops->clear_objs(map);
}

/* ---- values ---- */

void bpfh_val_store(void *map_dst, const void *src, size_t n)
{
	unsigned char *d = map_dst;
	const unsigned char *s = src;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		__atomic_store_n((uint64_t *)(void *)(d + i), w, __ATOMIC_RELAXED);
	}
	if (i + 4 <= n) {
		uint32_t w;

		memcpy(&w, s + i, 4);
		__atomic_store_n((uint32_t *)(void *)(d + i), w, __ATOMIC_RELAXED);
		i += 4;
	}
	if (i + 2 <= n) {
		uint16_t w;

		memcpy(&w, s + i, 2);
		__atomic_store_n((uint16_t *)(void *)(d + i), w, __ATOMIC_RELAXED);
		i += 2;
	}
	if (i < n)
		__atomic_store_n(d + i, s[i], __ATOMIC_RELAXED);
}

void bpfh_val_load(void *dst, const void *map_src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = map_src;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w = __atomic_load_n((const uint64_t *)(const void *)(s + i),
					     __ATOMIC_RELAXED);

		memcpy(d + i, &w, 8);
	}
	if (i + 4 <= n) {
		uint32_t w = __atomic_load_n((const uint32_t *)(const void *)(s + i),
					     __ATOMIC_RELAXED);

		memcpy(d + i, &w, 4);
		i += 4;
	}
	if (i + 2 <= n) {
		uint16_t w = __atomic_load_n((const uint16_t *)(const void *)(s + i),
					     __ATOMIC_RELAXED);

		memcpy(d + i, &w, 2);
		i += 2;
	}
	if (i < n)
		d[i] = __atomic_load_n(s + i, __ATOMIC_RELAXED);
}

void bpfh_val_zero(void *map_dst, size_t n)
{
	unsigned char *d = map_dst;
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		__atomic_store_n((uint64_t *)(void *)(d + i), 0, __ATOMIC_RELAXED);
	for (; i < n; i++)
		__atomic_store_n(d + i, 0, __ATOMIC_RELAXED);
}

/* ---- hashing ---- */

/* A 64-bit finaliser: multiply-xorshift, so that every input bit reaches every output bit. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	x ^= x >> 33;
	return x;
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

static uint32_t load32(const unsigned char *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}

/* Keys are usually 4 to 16 bytes: one multiply per 8-byte word, the tail read as two
 * overlapping 4-byte words (or three bytes), no call to memcpy for a variable length. */
uint32_t bpfh_hash(const void *key, size_t len, uint32_t seed)
{
	const unsigned char *p = key;
	uint64_t h = ((uint64_t)seed << 32 | seed) ^ (len * 0x9e3779b97f4a7c15ull);
	uint64_t w;

	while (len > 8) {
		h = (h ^ load64(p)) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	if (len >= 4)
		w = load32(p) | (uint64_t)load32(p + len - 4) << 32;
	else if (len)
		w = p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
	else
		w = 0;
	h = mix64(h ^ w);
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t bpfh_hash_seed(const struct bpfh_map_def *def, const void *salt)
{
	static uint64_t counter;
	uint64_t n;

	if (def->map_flags & BPFH_F_ZERO_SEED)
		return 0;
	n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	return (uint32_t)mix64(n ^ (uint64_t)(uintptr_t)salt);
}
