// SPDX-License-Identifier: MIT
/*
 * Map helpers: lookup, update, delete, push, pop, peek, per-CPU lookup, and iteration with a
 * callback. They act on the program side of src/maps; checking that r1 really is a map and
 * that keys and values are the right size is the verifier's job, not theirs.
 */
#include <stdlib.h>
#include <string.h>

#include "helpers_int.h"

/* A value pointer handed to the program: the checked engine may let it be used. */
static uint64_t value_ptr(struct bpfh_run *run, struct bpfh_map *map, void *value)
{
	if (value)
		bpfh_run_add_region(run, (uintptr_t)value, bpfh_map_def(map)->value_size,
				    !(bpfh_map_def(map)->map_flags & BPFH_F_RDONLY_PROG));
	return (uint64_t)(uintptr_t)value;
}

BPFH_HELPER_IMPL(map_lookup_elem)
{
	return value_ptr(run, PTR(r1), bpfh_map_lookup_ptr(PTR(r1), PTR(r2)));
}

BPFH_HELPER_IMPL(map_update_elem)
{
	return (uint64_t)(int64_t)bpfh_map_update_prog(PTR(r1), PTR(r2), PTR(r3), r4);
}

BPFH_HELPER_IMPL(map_delete_elem)
{
	return (uint64_t)(int64_t)bpfh_map_delete_prog(PTR(r1), PTR(r2));
}

BPFH_HELPER_IMPL(map_push_elem)
{
	return (uint64_t)(int64_t)bpfh_map_push(PTR(r1), PTR(r2), r3);
}

BPFH_HELPER_IMPL(map_pop_elem)
{
	return (uint64_t)(int64_t)bpfh_map_pop(PTR(r1), PTR(r2));
}

BPFH_HELPER_IMPL(map_peek_elem)
{
	return (uint64_t)(int64_t)bpfh_map_peek(PTR(r1), PTR(r2));
}

BPFH_HELPER_IMPL(map_lookup_percpu_elem)
{
	return value_ptr(run, PTR(r1), bpfh_map_lookup_percpu_ptr(PTR(r1), PTR(r2), (uint32_t)r3));
}

/* bpf_for_each_map_elem(map, callback, ctx, flags): callback(map, &key, &value, ctx) for each
 * element until it returns 1; returns the number of elements visited. */
BPFH_HELPER_IMPL(for_each_map_elem)
{
	struct bpfh_map *map = PTR(r1);
	const struct bpfh_map_def *def = bpfh_map_def(map);
	unsigned char small[2][64];
	void *key, *next, *tmp;
	uint64_t visited = 0, ret;
	int err;

	if (r4 != 0)
		return ERR(EINVAL);
	if (def->key_size <= sizeof(small[0])) {
		key = small[0];
		next = small[1];
	} else {
		key = malloc(def->key_size);
		next = malloc(def->key_size);
		if (!key || !next) {
			free(key);
			free(next);
			return ERR(ENOMEM);
		}
	}
	/* The next key is taken before the callback runs: a callback may delete the element it
	 * is given (expiry), and the next key of a deleted one would start over. */
	err = bpfh_map_next_key(map, NULL, next);
	while (err == 0) {
		uint64_t args[5];
		void *value;

		tmp = key;
		key = next;
		next = tmp;
		err = bpfh_map_next_key(map, key, next);
		value = bpfh_map_lookup_ptr(map, key);
		if (value) {
			value_ptr(run, map, value);
			bpfh_run_add_region(run, (uintptr_t)key, def->key_size, 0);
			args[0] = r1;
			args[1] = (uint64_t)(uintptr_t)key;
			args[2] = (uint64_t)(uintptr_t)value;
			args[3] = r3;
			args[4] = 0;
			visited++;
			if (bpfh_exec_callback(run, r2, args, &ret) != 0 || ret == 1)
				break;
		}
	}
	if (def->key_size > sizeof(small[0])) {
		free(key);
		free(next);
	}
	return visited;
}
