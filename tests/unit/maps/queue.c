// SPDX-License-Identifier: MIT
/*
 * The keyless maps: QUEUE (FIFO) and STACK (LIFO) through both the program calls (push, pop,
 * peek) and the user side (update, lookup, lookup_and_delete with a NULL key), full and empty
 * maps, BPF_EXIST overwriting the oldest, the calls they refuse; BLOOM_FILTER membership (no
 * false negatives, few false positives), its flags and refusals.
 */
#include "maps_test.h"

#define T(x) BPFH_MAP_TYPE_##x

struct val12 {
	uint32_t a, b, c;
};

static void test_queue(void)
{
	struct bpfh_map *q = mk(T(QUEUE), 0, 12, 3, 0);
	struct val12 v, out;
	uint32_t i;

	if (!q)
		return;
	CHECK(bpfh_map_pop(q, &out) == -ENOENT);
	CHECK(bpfh_map_peek(q, &out) == -ENOENT);
	CHECK(bpfh_map_lookup(q, NULL, &out) == -ENOENT);
	for (i = 1; i <= 3; i++) {
		v.a = i;
		v.b = i * 2;
		v.c = i * 3;
		CHECK(bpfh_map_push(q, &v, BPFH_ANY) == 0);
	}
	v.a = 4;
	CHECK(bpfh_map_push(q, &v, BPFH_ANY) == -E2BIG);
	CHECK(bpfh_map_push(q, &v, BPFH_NOEXIST) == -E2BIG);
	CHECK(bpfh_map_update(q, NULL, &v, BPFH_ANY) == -E2BIG);
	CHECK(bpfh_map_push(q, &v, 3) == -EINVAL);
	CHECK(bpfh_map_peek(q, &out) == 0 && out.a == 1 && out.c == 3);
	CHECK(bpfh_map_lookup(q, NULL, &out) == 0 && out.a == 1);
	/* BPF_EXIST drops the oldest. */
	CHECK(bpfh_map_push(q, &v, BPFH_EXIST) == 0);
	CHECK(bpfh_map_pop(q, &out) == 0 && out.a == 2);
	CHECK(bpfh_map_lookup_and_delete(q, NULL, &out) == 0 && out.a == 3);
	v.a = 5;
	CHECK(bpfh_map_update(q, NULL, &v, BPFH_ANY) == 0);
	CHECK(bpfh_map_pop(q, &out) == 0 && out.a == 4);
	CHECK(bpfh_map_pop(q, &out) == 0 && out.a == 5);
	CHECK(bpfh_map_pop(q, &out) == -ENOENT);
	/* Many rounds through the ring. */
	for (i = 0; i < 100; i++) {
		v.a = i;
		bpfh_map_push(q, &v, 0);
		if (i % 2) {
			CHECK(bpfh_map_pop(q, &out) == 0 && out.a == i - 1);
			CHECK(bpfh_map_pop(q, &out) == 0 && out.a == i);
		}
	}
	CHECK(bpfh_map_delete(q, NULL) == -EINVAL);
	CHECK(bpfh_map_next_key(q, NULL, &out) == -EINVAL);
	CHECK(bpfh_map_lookup_ptr(q, NULL) == NULL);
	CHECK(bpfh_map_update_prog(q, NULL, &v, 0) == -EINVAL);
	bpfh_map_put(q);
}

static void test_stack(void)
{
	struct bpfh_map *s = mk(T(STACK), 0, 4, 3, 0);
	uint32_t v, out;

	if (!s)
		return;
	for (v = 1; v <= 3; v++)
		CHECK(bpfh_map_push(s, &v, 0) == 0);
	CHECK(bpfh_map_push(s, &v, 0) == -E2BIG);
	CHECK(bpfh_map_peek(s, &out) == 0 && out == 3);
	CHECK(bpfh_map_pop(s, &out) == 0 && out == 3);
	CHECK(bpfh_map_pop(s, &out) == 0 && out == 2);
	v = 9;
	CHECK(bpfh_map_update(s, NULL, &v, 0) == 0);
	CHECK(bpfh_map_lookup_and_delete(s, NULL, &out) == 0 && out == 9);
	CHECK(bpfh_map_pop(s, &out) == 0 && out == 1);
	CHECK(bpfh_map_pop(s, &out) == -ENOENT);
	/* Full, BPF_EXIST: the oldest (bottom) goes, as Linux. */
	for (v = 1; v <= 3; v++)
		bpfh_map_push(s, &v, 0);
	v = 4;
	CHECK(bpfh_map_push(s, &v, BPFH_EXIST) == 0);
	CHECK(bpfh_map_pop(s, &out) == 0 && out == 4);
	CHECK(bpfh_map_pop(s, &out) == 0 && out == 3);
	CHECK(bpfh_map_pop(s, &out) == 0 && out == 2);
	CHECK(bpfh_map_pop(s, &out) == -ENOENT);
	bpfh_map_put(s);
}

static void test_bloom(void)
{
	struct bpfh_map_def def;
	struct bpfh_map *b = NULL;
	uint32_t v, fp = 0;

	memset(&def, 0, sizeof(def));
	def.type = T(BLOOM_FILTER);
	def.value_size = 4;
	def.max_entries = 1000;
	def.map_extra = 3;
	CHECK(bpfh_map_create(&def, NULL, NULL, &b) == 0);
	if (!b)
		return;
	v = 1;
	CHECK(bpfh_map_peek(b, &v) == -ENOENT);
	CHECK(bpfh_map_lookup(b, NULL, &v) == -ENOENT);
	for (v = 0; v < 1000; v++)
		CHECK(bpfh_map_push(b, &v, 0) == 0 || v == 0xffffffff);
	v = 5;
	CHECK(bpfh_map_push(b, &v, BPFH_EXIST) == -EINVAL);
	CHECK(bpfh_map_update(b, NULL, &v, BPFH_NOEXIST) == -EINVAL);
	CHECK(bpfh_map_update(b, NULL, &v, BPFH_ANY) == 0);
	for (v = 0; v < 1000; v++)
		if (bpfh_map_peek(b, &v) != 0)
			break;
	CHECKF(v == 1000, "false negative at %u", v);
	v = 5;
	CHECK(bpfh_map_lookup(b, NULL, &v) == 0);
	for (v = 1000000; v < 1010000; v++)
		fp += bpfh_map_peek(b, &v) == 0;
	CHECKF(fp < 1000, "false positives %u in 10000", fp); /* about 1-3% expected */
	CHECK(bpfh_map_pop(b, &v) == -ENOTSUP);
	CHECK(bpfh_map_delete(b, NULL) == -ENOTSUP);
	CHECK(bpfh_map_next_key(b, NULL, &v) == -ENOTSUP);
	CHECK(bpfh_map_lookup_and_delete(b, NULL, &v) == -ENOTSUP);
	CHECK(bpfh_map_update_prog(b, NULL, &v, 0) == -EINVAL);
	CHECK(bpfh_map_lookup_ptr(b, NULL) == NULL);
	bpfh_map_put(b);

	/* An odd value size with the default number of hashes. */
	{
		struct bpfh_map *b2 = mk(T(BLOOM_FILTER), 0, 7, 10, BPFH_F_ZERO_SEED);
		uint8_t x[7] = { 1, 2, 3, 4, 5, 6, 7 };

		if (!b2)
			return;
		CHECK(bpfh_map_push(b2, x, 0) == 0);
		CHECK(bpfh_map_peek(b2, x) == 0);
		bpfh_map_put(b2);
	}
}

int main(void)
{
	test_cpus();
	test_queue();
	test_stack();
	test_bloom();
	return check_summary("maps-queue");
}
