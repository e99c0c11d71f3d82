// SPDX-License-Identifier: MIT
/*
 * Printing maps and their entries for `bpfhost run --dump-maps`: keys and values as hex bytes
 * (per-CPU maps: one value per CPU slot that is not all zero), text or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/map.h"
#include "cli.h"

static void hex(const uint8_t *p, size_t n, int json)
{
	size_t i;

	if (json)
		putchar('"');
	for (i = 0; i < n; i++)
		printf(json ? "%02x" : (i ? " %02x" : "%02x"), p[i]);
	if (json)
		putchar('"');
}

static int iterable(uint32_t type)
{
	switch (type) {
	case BPFH_MAP_TYPE_HASH:
	case BPFH_MAP_TYPE_ARRAY:
	case BPFH_MAP_TYPE_PERCPU_HASH:
	case BPFH_MAP_TYPE_PERCPU_ARRAY:
	case BPFH_MAP_TYPE_LRU_HASH:
	case BPFH_MAP_TYPE_LRU_PERCPU_HASH:
	case BPFH_MAP_TYPE_LPM_TRIE:
	case BPFH_MAP_TYPE_DEVMAP:
	case BPFH_MAP_TYPE_DEVMAP_HASH:
		return 1;
	default:
		return 0;
	}
}

static int percpu(uint32_t type)
{
	return type == BPFH_MAP_TYPE_PERCPU_HASH || type == BPFH_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPFH_MAP_TYPE_LRU_PERCPU_HASH;
}

static void dump_entries(struct bpfh_map *map, int json)
{
	const struct bpfh_map_def *d = bpfh_map_def(map);
	size_t vsize = bpfh_map_user_value_size(map), stride = (d->value_size + 7) & ~7u;
	uint8_t *key = calloc(1, d->key_size + 1), *next = calloc(1, d->key_size + 1);
	uint8_t *val = calloc(1, vsize + 1);
	int first = 1, err;

	if (!key || !next || !val)
		goto out;
	for (err = bpfh_map_next_key(map, NULL, next); err == 0;
	     err = bpfh_map_next_key(map, key, next)) {
		unsigned cpu, ncpu = percpu(d->type) ? bpfh_cpu_possible() : 1;
		int firstv = 1;

		memcpy(key, next, d->key_size);
		if (bpfh_map_lookup(map, key, val))
			continue;
		printf(json ? "%s{\"key\": " : "    key ", first ? "" : ", ");
		hex(key, d->key_size, json);
		printf(json ? ", \"values\": [" : "  value");
		for (cpu = 0; cpu < ncpu; cpu++) {
			const uint8_t *v = val + (size_t)cpu * stride;
			size_t k;
			int zero = 1;

			for (k = 0; k < d->value_size; k++)
				zero &= v[k] == 0;
			if (ncpu > 1 && zero)
				continue;
			if (json) {
				printf("%s{\"cpu\": %u, \"value\": ", firstv ? "" : ", ", cpu);
				hex(v, d->value_size, 1);
				printf("}");
			} else {
				if (ncpu > 1)
					printf(" cpu%u:", cpu);
				putchar(' ');
				hex(v, d->value_size, 0);
			}
			firstv = 0;
		}
		printf(json ? "]}" : "\n");
		first = 0;
	}
out:
	free(key);
	free(next);
	free(val);
}

void cli_dump_maps(struct bpfh_instance *inst, const struct bpfh_object *obj, int json)
{
	size_t i;

	(void)obj;
	if (json)
		putchar('[');
	for (i = 0; i < bpfh_instance_nmaps(inst); i++) {
		struct bpfh_map *map = bpfh_instance_map_at(inst, i);
		const struct bpfh_map_def *d = bpfh_map_def(map);

		if (json) {
			printf("%s{\"name\": ", i ? ", " : "");
			cli_json_string(d->name);
			printf(", \"type\": %u, \"key_size\": %u, \"value_size\": %u, "
			       "\"max_entries\": %u, \"entries\": [", d->type, d->key_size,
			       d->value_size, d->max_entries);
		} else {
			printf("map %s: type %u, key %u, value %u, max_entries %u\n", d->name, d->type,
			       d->key_size, d->value_size, d->max_entries);
		}
		if (iterable(d->type))
			dump_entries(map, json);
		if (json)
			printf("]}");
	}
	if (json)
		putchar(']');
}
