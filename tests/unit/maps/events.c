// SPDX-License-Identifier: MIT
/*
 * Record maps. RINGBUF: reserve / submit / discard / output / query, records delivered in
 * reservation order once committed, a reserved record holding back later ones, discards
 * skipped, room running out and coming back, records that would wrap the end, a callback that
 * stops consumption, poll's timeout. PERF_EVENT_ARRAY: output to an index or the current CPU
 * slot, Linux's padded sizes, -ENOENT with nothing attached, lost records, detaching.
 */
#include "maps_test.h"

#define T(x) BPFH_MAP_TYPE_##x

struct seen {
	unsigned n;
	uint32_t first[64];
	size_t size[64];
	int stop_after;
};

static int on_sample(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	uint32_t v = 0;

	memcpy(&v, data, size < 4 ? size : 4);
	if (s->n < 64) {
		s->first[s->n] = v;
		s->size[s->n] = size;
	}
	s->n++;
	if (s->stop_after && s->n == (unsigned)s->stop_after)
		return -42;
	return 0;
}

static void test_ringbuf_basic(void)
{
	struct bpfh_map *m = mk(T(RINGBUF), 0, 0, 4096, 0);
	struct bpfh_ringbuf_consumer *c = NULL;
	struct seen s;
	uint32_t *a, *b, *d, v;

	if (!m)
		return;
	memset(&s, 0, sizeof(s));
	CHECK(bpfh_ringbuf_consumer_create(m, on_sample, &s, &c) == 0);
	CHECK(bpfh_ringbuf_query(m, BPFH_RB_RING_SIZE) == 4096);
	CHECK(bpfh_ringbuf_query(m, BPFH_RB_AVAIL_DATA) == 0);
	CHECK(bpfh_ringbuf_query(m, 99) == 0);
	CHECK(bpfh_ringbuf_reserve(m, 8, 1) == NULL); /* flags must be 0 */
	CHECK(bpfh_ringbuf_reserve(m, 4096, 0) == NULL);
	CHECK(bpfh_ringbuf_reserve(m, 4096 - 8 + 1, 0) == NULL);

	a = bpfh_ringbuf_reserve(m, 4, 0);
	b = bpfh_ringbuf_reserve(m, 10, 0);
	d = bpfh_ringbuf_reserve(m, 4, 0);
	CHECK(a && b && d && ((uintptr_t)a % 8) == 0 && ((uintptr_t)b % 8) == 0);
	if (!a || !b || !d)
		return;
	CHECK(bpfh_ringbuf_query(m, BPFH_RB_PROD_POS) == 16 + 24 + 16);
	CHECK(bpfh_ringbuf_query(m, BPFH_RB_AVAIL_DATA) == 56);
	*a = 1;
	*b = 2;
	*d = 3;
	/* b committed first: nothing is delivered while a is reserved. */
	bpfh_ringbuf_submit(b, BPFH_RB_NO_WAKEUP);
	CHECK(bpfh_ringbuf_consumer_consume(c) == 0 && s.n == 0);
	bpfh_ringbuf_discard(d, BPFH_RB_FORCE_WAKEUP);
	bpfh_ringbuf_submit(a, 0);
	CHECK(bpfh_ringbuf_consumer_consume(c) == 2);
	CHECK(s.n == 2 && s.first[0] == 1 && s.size[0] == 4 && s.first[1] == 2 &&
	      s.size[1] == 10);
	CHECK(bpfh_ringbuf_query(m, BPFH_RB_CONS_POS) == 56);
	CHECK(bpfh_ringbuf_query(m, BPFH_RB_AVAIL_DATA) == 0);

	v = 77;
	CHECK(bpfh_ringbuf_output(m, &v, 4, 0) == 0);
	CHECK(bpfh_ringbuf_output(m, &v, 4, 4) == -EINVAL);
	CHECK(bpfh_ringbuf_output(m, NULL, 0, BPFH_RB_NO_WAKEUP) == 0); /* empty record */
	CHECK(bpfh_ringbuf_consumer_poll(c, 0) == 2);
	CHECK(s.n == 4 && s.first[2] == 77 && s.size[3] == 0);
	CHECK(bpfh_ringbuf_consumer_poll(c, 0) == 0);
	CHECK(bpfh_ringbuf_consumer_poll(c, 5) == 0); /* waits 5 ms, returns nothing */

	/* The map does not serve the generic calls. */
	CHECK(bpfh_map_lookup(m, NULL, &v) == -ENOTSUP);
	CHECK(bpfh_map_update(m, NULL, &v, 0) == -ENOTSUP);
	CHECK(bpfh_map_delete(m, NULL) == -ENOTSUP);
	CHECK(bpfh_map_next_key(m, NULL, &v) == -ENOTSUP);
	CHECK(bpfh_map_lookup_ptr(m, NULL) == NULL);
	bpfh_ringbuf_consumer_destroy(c);
	bpfh_map_put(m);
}

static void test_ringbuf_full_and_wrap(void)
{
	struct bpfh_map *m = mk(T(RINGBUF), 0, 0, 4096, 0);
	struct bpfh_map *m2 = mk(T(RINGBUF), 0, 0, 8192, 0);
	struct bpfh_ringbuf_consumer *c = NULL;
	struct seen s;
	unsigned i, n, total = 0, bad = 0;
	uint32_t buf[256];

	if (!m || !m2)
		return;
	memset(&s, 0, sizeof(s));
	CHECK(bpfh_ringbuf_consumer_create(m, on_sample, &s, &c) == 0);
	/* 1000-byte records take 1008: four fit, the fifth does not. */
	for (n = 0; n < 10; n++) {
		buf[0] = n;
		if (bpfh_ringbuf_output(m, buf, 1000, 0) != 0)
			break;
	}
	CHECK(n == 4);
	CHECK(bpfh_ringbuf_output(m, buf, 1000, 0) == -EAGAIN);
	CHECK(bpfh_ringbuf_reserve(m, 1000, 0) == NULL);
	CHECK(bpfh_ringbuf_consumer_consume(c) == 4);
	/* Now records of 1000 keep wrapping at different offsets; all arrive in order. */
	for (i = 0; i < 200; i++) {
		buf[0] = 1000 + i;
		if (bpfh_ringbuf_output(m, buf, 600 + (i % 7) * 50, 0) != 0) {
			bad++;
			break;
		}
		if (i % 3 == 2) {
			unsigned before = s.n;

			bpfh_ringbuf_consumer_consume(c);
			total += s.n - before;
		}
	}
	bpfh_ringbuf_consumer_consume(c);
	CHECK(bad == 0);
	CHECK(s.n == 204);
	/* Delivery order on one consumer over two rings. */
	CHECK(bpfh_ringbuf_consumer_add(c, m2, on_sample, &s) == 0);
	CHECK(bpfh_ringbuf_consumer_add(c, NULL, on_sample, &s) == -EINVAL);
	buf[0] = 5000;
	CHECK(bpfh_ringbuf_output(m2, buf, 4, 0) == 0);
	CHECK(bpfh_ringbuf_consumer_consume(c) == 1 && s.n == 205);
	(void)total;

	/* A callback's error stops consumption, and the record it saw is consumed. */
	s.n = 0;
	s.stop_after = 2;
	for (i = 0; i < 3; i++)
		bpfh_ringbuf_output(m, &i, 4, 0);
	CHECK(bpfh_ringbuf_consumer_consume(c) == -42);
	s.stop_after = 0;
	CHECK(bpfh_ringbuf_consumer_consume(c) == 1 && s.n == 3 && s.first[2] == 2);
	bpfh_ringbuf_consumer_destroy(c);
	bpfh_map_put(m);
	bpfh_map_put(m2);

	/* Not a ring buffer. */
	m = mk(T(ARRAY), 4, 4, 1, 0);
	CHECK(bpfh_ringbuf_reserve(m, 4, 0) == NULL);
	CHECK(bpfh_ringbuf_output(m, buf, 4, 0) == -EAGAIN);
	CHECK(bpfh_ringbuf_query(m, BPFH_RB_RING_SIZE) == 0);
	CHECK(bpfh_ringbuf_consumer_create(m, on_sample, &s, &c) == -EINVAL && c == NULL);
	bpfh_map_put(m);
}

struct perf_seen {
	unsigned n;
	int cpu[16];
	uint32_t size[16];
	uint8_t data[16][32];
	uint64_t lost;
};

static void on_perf(void *ctx, int cpu, void *data, uint32_t size)
{
	struct perf_seen *s = ctx;

	if (s->n < 16) {
		s->cpu[s->n] = cpu;
		s->size[s->n] = size;
		memcpy(s->data[s->n], data, size < 32 ? size : 32);
	}
	s->n++;
}

static void on_lost(void *ctx, int cpu, uint64_t cnt)
{
	(void)cpu;
	((struct perf_seen *)ctx)->lost += cnt;
}

static void test_perf(void)
{
	struct bpfh_map *m = mk(T(PERF_EVENT_ARRAY), 4, 4, 8, 0);
	struct bpfh_perfbuf *pb = NULL;
	struct perf_seen s;
	uint8_t d[20], big[5000];
	uint32_t k = 1;
	unsigned i, ok;

	if (!m)
		return;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i + 1);
	CHECK(bpfh_perf_event_output(m, 0, d, 4, NULL, 0) == -ENOENT);
	CHECK(bpfh_perfbuf_create(m, 3, on_perf, NULL, &s, &pb) == -EINVAL && pb == NULL);
	CHECK(bpfh_perfbuf_create(m, 1, NULL, NULL, &s, &pb) == -EINVAL);
	CHECK(bpfh_perfbuf_create(m, 1, on_perf, on_lost, &s, &pb) == 0);
	if (!pb)
		return;
	/* Index 2, 5 bytes: padded to 12 (12 + 4 is a multiple of 8). */
	CHECK(bpfh_perf_event_output(m, 2, d, 5, NULL, 0) == 0);
	/* Current CPU slot 1, 4 bytes + 3 bytes of "context": 7, padded to 12. */
	bpfh_cpu_set(1);
	CHECK(bpfh_perf_event_output(m, BPFH_F_CURRENT_CPU, d, 4, d + 10, 3) == 0);
	bpfh_cpu_set(0);
	/* 4 bytes: already 4 + 4 = 8. */
	CHECK(bpfh_perf_event_output(m, 0, d, 4, NULL, 0) == 0);
	CHECK(bpfh_perfbuf_consume(pb) == 3);
	CHECK(s.n == 3);
	CHECK(s.cpu[0] == 0 && s.size[0] == 4 && s.data[0][3] == 4);
	CHECK(s.cpu[1] == 1 && s.size[1] == 12 && s.data[1][3] == 4 && s.data[1][4] == 11 &&
	      s.data[1][6] == 13 && s.data[1][7] == 0);
	CHECK(s.cpu[2] == 2 && s.size[2] == 12 && s.data[2][4] == 5 && s.data[2][5] == 0);

	/* Indices beyond the attached CPUs, beyond max_entries, bad flags. */
	CHECK(bpfh_perf_event_output(m, TEST_NCPU, d, 4, NULL, 0) == -ENOENT);
	CHECK(bpfh_perf_event_output(m, 8, d, 4, NULL, 0) == -E2BIG);
	CHECK(bpfh_perf_event_output(m, 1ull << 32, d, 4, NULL, 0) == -EINVAL);
	CHECK(bpfh_perf_event_output(m, 0, big, 70000, NULL, 0) == -E2BIG);

	/* One 4096-byte queue per CPU: fill index 3 until records are lost. */
	memset(big, 7, sizeof(big));
	for (i = 0, ok = 0; i < 10; i++)
		ok += bpfh_perf_event_output(m, 3, big, 1000, NULL, 0) == 0;
	CHECK(ok == 4);
	CHECK(bpfh_perf_event_output(m, 3, big, 1000, NULL, 0) == -ENOSPC);
	s.n = 0;
	CHECK(bpfh_perfbuf_poll(pb, 0) == 4 && s.lost == 7);
	/* Wrapping records arrive whole. */
	for (i = 0; i < 50; i++) {
		big[0] = (uint8_t)i;
		CHECK(bpfh_perf_event_output(m, 3, big, 900, NULL, 0) == 0);
		if (i % 3 == 2)
			bpfh_perfbuf_consume(pb);
	}
	bpfh_perfbuf_consume(pb);
	CHECK(s.lost == 7);
	CHECK(bpfh_perfbuf_poll(pb, 2) == 0);

	/* User side: delete detaches, lookup and update are not served. */
	CHECK(bpfh_map_delete(m, &k) == 0);
	CHECK(bpfh_map_delete(m, &k) == -ENOENT);
	CHECK(bpfh_perf_event_output(m, 1, d, 4, NULL, 0) == -ENOENT);
	CHECK(bpfh_map_lookup(m, &k, &i) == -ENOTSUP);
	CHECK(bpfh_map_update(m, &k, &i, 0) == -ENOTSUP);
	k = 9;
	CHECK(bpfh_map_delete(m, &k) == -E2BIG);
	CHECK(bpfh_map_next_key(m, NULL, &k) == 0 && k == 0);
	bpfh_perfbuf_destroy(pb);
	CHECK(bpfh_perf_event_output(m, 0, d, 4, NULL, 0) == -ENOENT);
	bpfh_perfbuf_destroy(NULL);
	bpfh_map_put(m);
}

int main(void)
{
	test_cpus();
	test_ringbuf_basic();
	test_ringbuf_full_and_wrap();
	test_perf();
	return check_summary("maps-events");
}
