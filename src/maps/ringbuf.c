// SPDX-License-Identifier: MIT
/*
 * RINGBUF: a multi-producer, single-consumer ring of records shared by all CPUs, with Linux's
 * record format: an 8-byte header { u32 len; u32 off; } whose len carries the BUSY bit (31)
 * while the record is reserved and the DISCARD bit (30) when it was discarded, then the data,
 * the whole rounded up to 8 bytes. Positions count bytes forever (64 bits); the offset in the
 * buffer is the position modulo its size.
 *
 * Producers reserve under a spin lock (the only lock on their side) and commit by clearing
 * BUSY with a release store, in any order. The consumer reads from its position up to the
 * producer's, stopping at a record still BUSY, and publishes its position after each record,
 * which frees the space. The header's off field holds the record's offset in the buffer, as
 * Linux's does; commit needs only the header, since there are no wakeups to send.
 *
 * Unlike Linux, the data pages are not mapped twice, so a record may not wrap: one that would
 * is preceded by a discarded padding record up to the end of the buffer. The consumer API
 * (libbpf's ring_buffer__*) is here too; there is no epoll: poll busy-waits on the clock of
 * src/platform and never sleeps.
 */
#include <limits.h>
#include <stdlib.h>

#include "maps_int.h"
#include "../platform/platform.h"

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8u
#define RB_MAX_RECORD (UINT32_MAX / 4)

struct rb_hdr {
	uint32_t len;
	uint32_t off;
};

struct bpfh_ringbuf {
	struct bpfh_map map;
	uint64_t mask;          /* size - 1 */
	size_t data_off;        /* where data starts, from the start of this struct */
	uint32_t lock;          /* producers */
	uint32_t consumer_lock; /* one consumer at a time (try-lock) */
	char pad1_[64];         /* producers' and consumer's positions on their own lines */
	uint64_t prod_pos;
	char pad2_[64];
	uint64_t cons_pos;
	char pad3_[64];
};

static struct bpfh_ringbuf *rb_of(struct bpfh_map *map)
{
	return (struct bpfh_ringbuf *)map;
}

static unsigned char *rb_data(struct bpfh_ringbuf *rb)
{
	return (unsigned char *)rb + rb->data_off;
}

static struct rb_hdr *rb_hdr_at(struct bpfh_ringbuf *rb, uint64_t pos)
{
	return (struct rb_hdr *)(void *)(rb_data(rb) + (pos & rb->mask));
}

static int rb_check(const struct bpfh_map_def *def, struct bpfh_log *log)
{
	uint32_t n = def->max_entries;

	if (def->map_flags & ~BPFH_F_NUMA_NODE) {
		bpfh_map_log(log, def, "map_flags 0x%x not accepted by a ring buffer\n",
			     def->map_flags);
		return -EINVAL;
	}
	if (def->key_size || def->value_size || n == 0 || (n & (n - 1)) ||
	    n % BPFH_PAGE_SIZE) {
		bpfh_map_log(log, def, "a ring buffer needs key_size and value_size 0 and "
			     "max_entries a power of 2 and a multiple of %u (got %u)\n",
			     BPFH_PAGE_SIZE, n);
		return -EINVAL;
	}
	return 0;
}

static int rb_alloc(const struct bpfh_map *tmpl, struct bpfh_map **out)
{
	size_t head = (sizeof(struct bpfh_ringbuf) + 63) & ~(size_t)63;
	struct bpfh_ringbuf *rb;

	/* One block: the head, then the data on its own cache lines. */
	rb = calloc(1, head + tmpl->def.max_entries);
	if (!rb)
		return -ENOMEM;
	rb->mask = tmpl->def.max_entries - 1;
	rb->data_off = head;
	*out = &rb->map;
	return 0;
}

static void rb_free(struct bpfh_map *map)
{
	free(map);
}

const struct bpfh_map_ops bpfh_ringbuf_ops = {
	.check = rb_check,
	.alloc = rb_alloc,
	.free = rb_free,
};

/* ---- producers ---- */

void *bpfh_ringbuf_reserve(struct bpfh_map *map, uint64_t size, uint64_t flags)
{
	struct bpfh_ringbuf *rb;
	uint64_t len, prod, cons, pad, ring;
	struct rb_hdr *hdr;

	if (!map || map->def.type != BPFH_MAP_TYPE_RINGBUF || flags || size > RB_MAX_RECORD)
		return NULL;
	rb = rb_of(map);
	ring = rb->mask + 1;
	len = BPFH_ROUND8(size + RB_HDR);
	if (len > ring)
		return NULL;

	bpfh_spin_lock(&rb->lock);
	cons = __atomic_load_n(&rb->cons_pos, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&rb->prod_pos, __ATOMIC_RELAXED);
	pad = (prod & rb->mask) + len > ring ? ring - (prod & rb->mask) : 0;
	if (prod + pad + len - cons > ring) {
		bpfh_spin_unlock(&rb->lock);
		return NULL;
	}
	if (pad) {
		hdr = rb_hdr_at(rb, prod);
		hdr->off = (uint32_t)(prod & rb->mask);
		__atomic_store_n(&hdr->len, (uint32_t)(pad - RB_HDR) | RB_DISCARD,
				 __ATOMIC_RELAXED);
		prod += pad;
	}
	hdr = rb_hdr_at(rb, prod);
	hdr->off = (uint32_t)(prod & rb->mask);
	__atomic_store_n(&hdr->len, (uint32_t)size | RB_BUSY, __ATOMIC_RELAXED);
	/* Publishes the headers: the consumer reads them after its acquire of prod_pos. */
	__atomic_store_n(&rb->prod_pos, prod + len, __ATOMIC_RELEASE);
	bpfh_spin_unlock(&rb->lock);
	return hdr + 1;
}

static void rb_commit(void *sample, int discard)
{
	struct rb_hdr *hdr = (struct rb_hdr *)sample - 1;
	uint32_t len = __atomic_load_n(&hdr->len, __ATOMIC_RELAXED);

	len &= ~RB_BUSY;
	if (discard)
		len |= RB_DISCARD;
	/* Release: the data written into the record is visible once BUSY reads clear. */
	__atomic_store_n(&hdr->len, len, __ATOMIC_RELEASE);
}

void bpfh_ringbuf_submit(void *sample, uint64_t flags)
{
	(void)flags; /* wakeups: consumers poll */
	rb_commit(sample, 0);
}

void bpfh_ringbuf_discard(void *sample, uint64_t flags)
{
	(void)flags;
	rb_commit(sample, 1);
}

int bpfh_ringbuf_output(struct bpfh_map *map, const void *data, uint64_t size, uint64_t flags)
{
	void *rec;

	if (flags & ~(uint64_t)(BPFH_RB_NO_WAKEUP | BPFH_RB_FORCE_WAKEUP))
		return -EINVAL;
	rec = bpfh_ringbuf_reserve(map, size, 0);
	if (!rec)
		return -EAGAIN;
	if (size)
		memcpy(rec, data, size);
	rb_commit(rec, 0);
	return 0;
}

uint64_t bpfh_ringbuf_query(struct bpfh_map *map, uint64_t flags)
{
	struct bpfh_ringbuf *rb;
	uint64_t cons, prod;

	if (!map || map->def.type != BPFH_MAP_TYPE_RINGBUF)
		return 0;
	rb = rb_of(map);
	cons = __atomic_load_n(&rb->cons_pos, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&rb->prod_pos, __ATOMIC_ACQUIRE);
	switch (flags) {
	case BPFH_RB_AVAIL_DATA:
		return prod - cons;
	case BPFH_RB_RING_SIZE:
		return rb->mask + 1;
	case BPFH_RB_CONS_POS:
		return cons;
	case BPFH_RB_PROD_POS:
		return prod;
	default:
		return 0;
	}
}

/* ---- the consumer ---- */

struct rb_ring {
	struct bpfh_ringbuf *rb;
	bpfh_ringbuf_sample_fn fn;
	void *ctx;
};

struct bpfh_ringbuf_consumer {
	struct rb_ring *rings;
	size_t n;
};

/* Consume what ring r has now: the number of records delivered, or a callback's error. */
static int64_t consume_ring(struct rb_ring *r)
{
	struct bpfh_ringbuf *rb = r->rb;
	uint64_t cons, prod;
	int64_t cnt = 0;
	int more;

	if (!bpfh_spin_trylock(&rb->consumer_lock))
		return 0;
	cons = __atomic_load_n(&rb->cons_pos, __ATOMIC_RELAXED);
	do {
		more = 0;
		prod = __atomic_load_n(&rb->prod_pos, __ATOMIC_ACQUIRE);
		while (cons < prod) {
			struct rb_hdr *hdr = rb_hdr_at(rb, cons);
			uint32_t len = __atomic_load_n(&hdr->len, __ATOMIC_ACQUIRE);
			uint32_t size = len & ~(RB_BUSY | RB_DISCARD);
			int err;

			if (len & RB_BUSY)
				goto out;
			cons += BPFH_ROUND8((uint64_t)size + RB_HDR);
			if (!(len & RB_DISCARD)) {
				err = r->fn(r->ctx, hdr + 1, size);
				cnt++;
				if (err < 0) {
					__atomic_store_n(&rb->cons_pos, cons, __ATOMIC_RELEASE);
					bpfh_spin_unlock(&rb->consumer_lock);
					return err;
				}
			}
			__atomic_store_n(&rb->cons_pos, cons, __ATOMIC_RELEASE);
			more = 1;
		}
	} while (more);
out:
	bpfh_spin_unlock(&rb->consumer_lock);
	return cnt;
}

static int ring_has_data(const struct rb_ring *r)
{
	return __atomic_load_n(&r->rb->prod_pos, __ATOMIC_ACQUIRE) >
	       __atomic_load_n(&r->rb->cons_pos, __ATOMIC_ACQUIRE);
}

int bpfh_ringbuf_consumer_create(struct bpfh_map *map, bpfh_ringbuf_sample_fn fn, void *ctx,
				 struct bpfh_ringbuf_consumer **out)
{
	struct bpfh_ringbuf_consumer *c;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = bpfh_ringbuf_consumer_add(c, map, fn, ctx);
	if (err) {
		free(c);
		return err;
	}
	*out = c;
	return 0;
}

int bpfh_ringbuf_consumer_add(struct bpfh_ringbuf_consumer *c, struct bpfh_map *map,
			      bpfh_ringbuf_sample_fn fn, void *ctx)
{
	struct rb_ring *rings;

	if (!c || !map || !fn || map->def.type != BPFH_MAP_TYPE_RINGBUF)
		return -EINVAL;
	rings = realloc(c->rings, (c->n + 1) * sizeof(*rings));
	if (!rings)
		return -ENOMEM;
	c->rings = rings;
	rings[c->n].rb = rb_of(bpfh_map_get(map));
	rings[c->n].fn = fn;
	rings[c->n].ctx = ctx;
	c->n++;
	return 0;
}

int bpfh_ringbuf_consumer_consume(struct bpfh_ringbuf_consumer *c)
{
	int64_t total = 0, n;
	size_t i;

	for (i = 0; i < c->n; i++) {
		n = consume_ring(&c->rings[i]);
		if (n < 0)
			return (int)n;
		total += n;
	}
	return total > INT_MAX ? INT_MAX : (int)total;
}

int bpfh_ringbuf_consumer_poll(struct bpfh_ringbuf_consumer *c, int timeout_ms)
{
	uint64_t deadline;
	size_t i;
	int n;

	n = bpfh_ringbuf_consumer_consume(c);
	if (n != 0 || timeout_ms == 0)
		return n;
	if (timeout_ms < 0)
		timeout_ms = BPFH_POLL_MAX_MS;
	deadline = bpfh_time_ns() + (uint64_t)timeout_ms * 1000000u;
	while (bpfh_time_ns() < deadline) {
		for (i = 0; i < c->n; i++) {
			if (ring_has_data(&c->rings[i])) {
				n = bpfh_ringbuf_consumer_consume(c);
				if (n != 0)
					return n;
			}
		}
		bpfh_cpu_relax();
	}
	return 0;
}

void bpfh_ringbuf_consumer_destroy(struct bpfh_ringbuf_consumer *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		bpfh_map_put(&c->rings[i].rb->map);
	free(c->rings);
	free(c);
}
