/* SPDX-License-Identifier: MIT */
/*
 * Shared by the map unit tests: a one-line map constructor and the number of CPU slots every
 * test binary fixes before its first map (so that per-CPU layouts are known).
 */
#ifndef BPFH_TEST_MAPS_H
#define BPFH_TEST_MAPS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/map.h"
#include "../check.h"

#define TEST_NCPU 4

static inline void test_cpus(void)
{
	if (bpfh_cpu_set_possible(TEST_NCPU) != 0) {
		printf("FAIL: bpfh_cpu_set_possible(%d)\n", TEST_NCPU);
		exit(1);
	}
}

/* Create a map; *err (if given) gets the result. NULL on failure. */
static inline struct bpfh_map *mk_err(uint32_t type, uint32_t key_size, uint32_t value_size,
				      uint32_t max_entries, uint32_t flags, int *err)
{
	struct bpfh_map_def def;
	struct bpfh_map *map = NULL;
	int e;

	memset(&def, 0, sizeof(def));
	def.type = type;
	def.key_size = key_size;
	def.value_size = value_size;
	def.max_entries = max_entries;
	def.map_flags = flags;
	e = bpfh_map_create(&def, NULL, NULL, &map);
	if (err)
		*err = e;
	return map;
}

static inline struct bpfh_map *mk(uint32_t type, uint32_t key_size, uint32_t value_size,
				  uint32_t max_entries, uint32_t flags)
{
	int err;
	struct bpfh_map *map = mk_err(type, key_size, value_size, max_entries, flags, &err);

	if (!map)
		printf("FAIL: creating map type %u: %d\n", type, err);
	return map;
}

#endif
