// SPDX-License-Identifier: MIT
/*
 * QUEUE (FIFO) and STACK (LIFO): keyless maps of max_entries values in a ring of
 * max_entries + 1 slots under one spin lock. push adds at the head; a queue pops the oldest
 * (the tail), a stack the newest. Pushing to a full map fails with -E2BIG, or with BPF_EXIST
 * drops the oldest element to make room (for a stack too, as Linux does). pop and peek on an
 * empty map give -ENOENT. Lookups by key, deletes and iteration are -EINVAL, as Linux.
 *
 * Values are copied under the lock; programs never get pointers into this map.
 */
#include <stdlib.h>

#include "maps_int.h"

#define QS_FLAGS (BPFH_F_NUMA_NODE | BPFH_F_ACCESS_MASK)

struct bpfh_qs {
	struct bpfh_map map;
	uint32_t lock;
	uint32_t size;  /* slots: max_entries + 1 */
	uint32_t head;  /* where the next push goes */
	uint32_t tail;  /* the oldest element */
	int stack;
	unsigned char *slots;
};

static struct bpfh_qs *qs_of(struct bpfh_map *map)
{
	return (struct bpfh_qs *)map;
}

static int qs_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	if (def->max_entries == 0 || def->key_size != 0 || def->value_size == 0 ||
	    (def->map_flags & ~QS_FLAGS)) {
		bpfh_map_log(log, def, "a queue or stack needs key_size 0, a value_size, "
			     "max_entries, and no map_flags but NUMA and access flags\n");
		return -EINVAL;
	}
	if (def->value_size > BPFH_KMALLOC_MAX) {
		bpfh_map_log(log, def, "value_size %u too large\n", def->value_size);
		return -E2BIG;
	}
	return 0;
}

static int qs_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	struct bpfh_qs *q;
	uint64_t size = (uint64_t)tmpl->def.max_entries + 1;

	if (size > UINT32_MAX || size > SIZE_MAX / tmpl->def.value_size)
		return -ENOMEM;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->size = (uint32_t)size;
	q->stack = tmpl->def.type == BPFH_MAP_TYPE_STACK;
	q->slots = calloc(q->size, tmpl->def.value_size);
	if (!q->slots) {
		free(q);
		return -ENOMEM;
	}
	*out = &q->map;
	return 0;
}

static void qs_free(struct bpfh_map *map)
{
	struct bpfh_qs *q = qs_of(map);

	free(q->slots);
	free(q);
}

static unsigned char *slot(struct bpfh_qs *q, uint32_t i)
{
	return q->slots + (size_t)i * q->map.def.value_size;
}

static uint32_t next(struct bpfh_qs *q, uint32_t i)
{
	return i + 1 >= q->size ? 0 : i + 1;
}

static int qs_push(struct bpfh_map *map, const void *value, uint64_t flags)
{
	struct bpfh_qs *q = qs_of(map);
	int err = 0;

	if (flags > BPFH_EXIST)
		return -EINVAL;
	bpfh_spin_lock(&q->lock);
	if (next(q, q->head) == q->tail) {
		if (flags != BPFH_EXIST) {
			err = -E2BIG;
			goto out;
		}
		q->tail = next(q, q->tail); /* drop the oldest */
	}
	memcpy(slot(q, q->head), value, map->def.value_size);
	q->head = next(q, q->head);
out:
	bpfh_spin_unlock(&q->lock);
	return err;
}

/* Copy out the element pop or peek would take; remove it if del. */
static int qs_take(struct bpfh_map *map, void *value, int del)
{
	struct bpfh_qs *q = qs_of(map);
	uint32_t i;
	int err = 0;

	bpfh_spin_lock(&q->lock);
	if (q->head == q->tail) {
		err = -ENOENT;
		goto out;
	}
	if (q->stack) {
		i = q->head ? q->head - 1 : q->size - 1;
		if (del)
			q->head = i;
	} else {
		i = q->tail;
		if (del)
			q->tail = next(q, q->tail);
	}
	memcpy(value, slot(q, i), map->def.value_size);
out:
	bpfh_spin_unlock(&q->lock);
	return err;
}

static int qs_pop(struct bpfh_map *map, void *value)
{
	return qs_take(map, value, 1);
}

static int qs_peek(struct bpfh_map *map, void *value)
{
	return qs_take(map, value, 0);
}

static int qs_delete(struct bpfh_map *map, const void *key)
{
	(void)map;
	(void)key;
	return -EINVAL;
}

static int qs_next_key(struct bpfh_map *map, const void *key, void *next_key)
{
	(void)map;
	(void)key;
	(void)next_key;
	return -EINVAL;
}

const struct bpfh_map_ops bpfh_queue_stack_ops = {
	.check = qs_check,
	.alloc = qs_alloc,
	.free = qs_free,
	.delete = qs_delete,
	.next_key = qs_next_key,
	.push = qs_push,
	.pop = qs_pop,
	.peek = qs_peek,
};
