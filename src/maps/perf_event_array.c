// SPDX-License-Identifier: MIT
/*
 * PERF_EVENT_ARRAY and the perf buffer that reads it. On Linux each index of the map holds a
 * perf event whose ring a user-space reader maps; here each index holds a record queue that a
 * perf buffer (bpfh_perfbuf_create, after libbpf's perf_buffer__new) allocates and attaches,
 * one per CPU slot. bpf_perf_event_output appends a record to the queue at an index (or at the
 * calling thread's slot), and the perf buffer hands records to its callback in the order each
 * queue received them, with the index as the CPU. A record that does not fit is dropped and
 * counted, and the lost callback hears of it, as with PERF_RECORD_LOST.
 *
 * A queue: a byte ring of page_cnt * 4096 bytes; a record is a u32 size and that many bytes,
 * where size + 4 is a multiple of 8 (Linux pads raw samples the same way, and its readers see
 * the padded size). A record never wraps: a size of 0xffffffff marks the rest of the buffer as
 * padding. Producers on one index serialise on that slot's spin lock, which also guards
 * attaching and detaching; the consumer takes no lock on the data and publishes its position
 * with a release store. Not here: Linux's check that the event is bound to the calling CPU,
 * user-side updates with perf event fds, wakeup_events / watermarks.
 */
#include <limits.h>
#include <stdlib.h>

#include "maps_int.h"
#include "../platform/platform.h"

#define PE_FLAGS (BPFH_F_NUMA_NODE | BPFH_F_RDONLY | BPFH_F_WRONLY | BPFH_F_PRESERVE_ELEMS)
#define PE_PAD_MARK 0xffffffffu
#define PE_MAX_RECORD 0xffffu /* perf_event_header.size is 16 bits */

struct pe_queue {
	uint64_t size;
	uint64_t prod;   /* atomic: written by producers under the slot lock */
	uint64_t cons;   /* atomic: written by the consumer */
	uint64_t lost;   /* atomic */
	int index;
	unsigned char *data;
};

struct pe_slot {
	uint32_t lock;
	struct pe_queue *q;
};

struct bpfh_perf_array {
	struct bpfh_map map;
	struct pe_slot *slots;
};

static struct bpfh_perf_array *pa_of(struct bpfh_map *map)
{
	return (struct bpfh_perf_array *)map;
}

static int pa_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	if (def->max_entries == 0 || def->key_size != 4 || def->value_size != 4 ||
	    (def->map_flags & ~PE_FLAGS)) {
		bpfh_map_log(log, def, "a perf event array needs key_size and value_size 4, "
			     "max_entries, and no map_flags but NUMA, RDONLY, WRONLY and "
			     "PRESERVE_ELEMS\n");
		return -EINVAL;
	}
	return 0;
}

static int pa_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	struct bpfh_perf_array *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->slots = calloc(tmpl->def.max_entries, sizeof(*a->slots));
	if (!a->slots) {
		free(a);
		return -ENOMEM;
	}
	*out = &a->map;
	return 0;
}

static void pa_free(struct bpfh_map *map)
{
	/* Every perf buffer holds a reference: no queue is attached any more. */
	free(pa_of(map)->slots);
	free(map);
}

/* Detach whatever is at index: -ENOENT when nothing is (the perf buffer keeps its queue). */
static int pa_delete(struct bpfh_map *map, const void *key)
{
	struct bpfh_perf_array *a = pa_of(map);
	uint32_t index = bpfh_load_u32(key);
	struct pe_queue *q;

	if (index >= map->def.max_entries)
		return -E2BIG;
	bpfh_spin_lock(&a->slots[index].lock);
	q = a->slots[index].q;
	a->slots[index].q = NULL;
	bpfh_spin_unlock(&a->slots[index].lock);
	return q ? 0 : -ENOENT;
}

const struct bpfh_map_ops bpfh_perf_event_array_ops = {
	.check = pa_check,
	.alloc = pa_alloc,
	.free = pa_free,
	.delete = pa_delete,
	.next_key = bpfh_array_next_key,
};

/* ---- producers ---- */

int bpfh_perf_event_output(struct bpfh_map *map, uint64_t flags, const void *data,
			   uint64_t size, const void *extra, uint64_t extra_size)
{
	struct bpfh_perf_array *a;
	struct pe_slot *slot;
	struct pe_queue *q;
	uint64_t index, total, padded, rec, prod, cons, off, pad;
	unsigned char *p;
	uint32_t sz;
	int err = 0;

	if (!map || map->def.type != BPFH_MAP_TYPE_PERF_EVENT_ARRAY || (flags & ~BPFH_F_INDEX_MASK))
		return -EINVAL;
	a = pa_of(map);
	index = flags & BPFH_F_INDEX_MASK;
	if (index == BPFH_F_CURRENT_CPU)
		index = bpfh_cpu_current();
	if (index >= map->def.max_entries)
		return -E2BIG;
	if (size > PE_MAX_RECORD || extra_size > PE_MAX_RECORD)
		return -E2BIG;
	total = size + extra_size;
	padded = BPFH_ROUND8(total + 4) - 4;
	rec = 4 + padded;
	if (8 + rec > PE_MAX_RECORD) /* with perf_event_header */
		return -E2BIG;
	sz = (uint32_t)padded;

	slot = &a->slots[index];
	bpfh_spin_lock(&slot->lock);
	q = slot->q;
	if (!q) {
		err = -ENOENT;
		goto out;
	}
	cons = __atomic_load_n(&q->cons, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&q->prod, __ATOMIC_RELAXED);
	off = prod & (q->size - 1);
	pad = off + rec > q->size ? q->size - off : 0;
	if (prod + pad + rec - cons > q->size) {
		__atomic_add_fetch(&q->lost, 1, __ATOMIC_RELAXED);
		err = -ENOSPC;
		goto out;
	}
	if (pad) {
		sz = PE_PAD_MARK;
		memcpy(q->data + off, &sz, 4);
		sz = (uint32_t)padded;
		prod += pad;
	}
	p = q->data + (prod & (q->size - 1));
	memcpy(p, &sz, 4);
	if (size)
		memcpy(p + 4, data, size);
	if (extra_size)
		memcpy(p + 4 + size, extra, extra_size);
	memset(p + 4 + total, 0, padded - total);
	__atomic_store_n(&q->prod, prod + rec, __ATOMIC_RELEASE);
out:
	bpfh_spin_unlock(&slot->lock);
	return err;
}

/* ---- the perf buffer ---- */

struct bpfh_perfbuf {
	struct bpfh_map *map;
	bpfh_perfbuf_sample_fn sample_fn;
	bpfh_perfbuf_lost_fn lost_fn;
	void *ctx;
	uint32_t consumer_lock;
	size_t nq;
	struct pe_queue *queues;
};

int bpfh_perfbuf_create(struct bpfh_map *map, size_t page_cnt, bpfh_perfbuf_sample_fn sample_fn,
			bpfh_perfbuf_lost_fn lost_fn, void *ctx, struct bpfh_perfbuf **out)
{
	struct bpfh_perf_array *a;
	struct bpfh_perfbuf *pb;
	size_t i, bytes;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!map || map->def.type != BPFH_MAP_TYPE_PERF_EVENT_ARRAY || !sample_fn ||
	    page_cnt == 0 || (page_cnt & (page_cnt - 1)) || page_cnt > SIZE_MAX / BPFH_PAGE_SIZE)
		return -EINVAL;
	a = pa_of(map);
	bytes = page_cnt * BPFH_PAGE_SIZE;
	pb = calloc(1, sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	pb->nq = map->def.max_entries < map->ncpu ? map->def.max_entries : map->ncpu;
	pb->queues = calloc(pb->nq, sizeof(*pb->queues));
	if (!pb->queues)
		goto nomem;
	for (i = 0; i < pb->nq; i++) {
		pb->queues[i].size = bytes;
		pb->queues[i].index = (int)i;
		pb->queues[i].data = malloc(bytes);
		if (!pb->queues[i].data)
			goto nomem;
	}
	pb->map = bpfh_map_get(map);
	pb->sample_fn = sample_fn;
	pb->lost_fn = lost_fn;
	pb->ctx = ctx;
	for (i = 0; i < pb->nq; i++) {
		bpfh_spin_lock(&a->slots[i].lock);
		a->slots[i].q = &pb->queues[i];
		bpfh_spin_unlock(&a->slots[i].lock);
	}
	*out = pb;
	return 0;
nomem:
	if (pb->queues)
		for (i = 0; i < pb->nq; i++)
			free(pb->queues[i].data);
	free(pb->queues);
	free(pb);
	return -ENOMEM;
}

static int64_t consume_queue(struct bpfh_perfbuf *pb, struct pe_queue *q)
{
	uint64_t cons, prod, lost;
	int64_t cnt = 0;

	lost = __atomic_exchange_n(&q->lost, 0, __ATOMIC_RELAXED);
	if (lost && pb->lost_fn)
		pb->lost_fn(pb->ctx, q->index, lost);
	cons = __atomic_load_n(&q->cons, __ATOMIC_RELAXED);
	prod = __atomic_load_n(&q->prod, __ATOMIC_ACQUIRE);
	while (cons < prod) {
		unsigned char *p = q->data + (cons & (q->size - 1));
		uint32_t sz;

		memcpy(&sz, p, 4);
		if (sz == PE_PAD_MARK) {
			cons += q->size - (cons & (q->size - 1));
		} else {
			pb->sample_fn(pb->ctx, q->index, p + 4, sz);
			cons += 4 + (uint64_t)sz;
			cnt++;
		}
		__atomic_store_n(&q->cons, cons, __ATOMIC_RELEASE);
	}
	return cnt;
}

int bpfh_perfbuf_consume(struct bpfh_perfbuf *pb)
{
	int64_t total = 0;
	size_t i;

	if (!bpfh_spin_trylock(&pb->consumer_lock))
		return 0;
	for (i = 0; i < pb->nq; i++)
		total += consume_queue(pb, &pb->queues[i]);
	bpfh_spin_unlock(&pb->consumer_lock);
	return total > INT_MAX ? INT_MAX : (int)total;
}

static int perfbuf_ready(struct bpfh_perfbuf *pb)
{
	size_t i;

	for (i = 0; i < pb->nq; i++) {
		struct pe_queue *q = &pb->queues[i];

		if (__atomic_load_n(&q->prod, __ATOMIC_ACQUIRE) >
			    __atomic_load_n(&q->cons, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&q->lost, __ATOMIC_RELAXED))
			return 1;
	}
	return 0;
}

int bpfh_perfbuf_poll(struct bpfh_perfbuf *pb, int timeout_ms)
{
	uint64_t deadline;
	int n;

	n = bpfh_perfbuf_consume(pb);
	if (n != 0 || timeout_ms == 0)
		return n;
	if (timeout_ms < 0)
		timeout_ms = BPFH_POLL_MAX_MS;
	deadline = bpfh_time_ns() + (uint64_t)timeout_ms * 1000000u;
	while (bpfh_time_ns() < deadline) {
		if (perfbuf_ready(pb)) {
			n = bpfh_perfbuf_consume(pb);
			if (n != 0)
				return n;
		}
		bpfh_cpu_relax();
	}
	return 0;
}

void bpfh_perfbuf_destroy(struct bpfh_perfbuf *pb)
{
	struct bpfh_perf_array *a;
	size_t i;

	if (!pb)
		return;
	a = pa_of(pb->map);
	for (i = 0; i < pb->nq; i++) {
		bpfh_spin_lock(&a->slots[i].lock);
		if (a->slots[i].q == &pb->queues[i])
			a->slots[i].q = NULL;
		bpfh_spin_unlock(&a->slots[i].lock);
		free(pb->queues[i].data);
	}
	bpfh_map_put(pb->map);
	free(pb->queues);
	free(pb);
}
