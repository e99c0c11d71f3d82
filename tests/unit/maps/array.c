// SPDX-License-Identifier: MIT
/*
 * ARRAY and PERCPU_ARRAY: every index present and zero at creation, update flags (NOEXIST is
 * -EEXIST), indices out of range, delete refused, iteration by index, value sizes that are not
 * multiples of 8, per-CPU layouts on both sides, and the storage of a BPF_F_MMAPABLE array.
 */
#include "maps_test.h"

#define T(x) BPFH_MAP_TYPE_##x

static void test_array(void)
{
	struct bpfh_map *m = mk(T(ARRAY), 4, 12, 5, 0);
	uint8_t v[12], out[12], zero[12] = { 0 };
	uint32_t k, next;
	uint8_t *p;

	if (!m)
		return;
	for (k = 0; k < 5; k++)
		CHECK(bpfh_map_lookup(m, &k, out) == 0 && !memcmp(out, zero, 12));
	k = 5;
	CHECK(bpfh_map_lookup(m, &k, out) == -ENOENT);
	CHECK(bpfh_map_lookup_ptr(m, &k) == NULL);
	memset(v, 0xab, sizeof(v));
	CHECK(bpfh_map_update(m, &k, v, BPFH_ANY) == -E2BIG);
	k = 2;
	CHECK(bpfh_map_update(m, &k, v, BPFH_NOEXIST) == -EEXIST);
	CHECK(bpfh_map_update(m, &k, v, BPFH_EXIST) == 0);
	CHECK(bpfh_map_lookup(m, &k, out) == 0 && !memcmp(out, v, 12));
	p = bpfh_map_lookup_ptr(m, &k);
	CHECK(p && p[11] == 0xab && ((uintptr_t)p % 8) == 0);
	k = 3;
	CHECK(p && (uint8_t *)bpfh_map_lookup_ptr(m, &k) == p + 16); /* 8-byte stride */
	k = 2;
	if (p)
		p[0] = 1;
	CHECK(bpfh_map_lookup(m, &k, out) == 0 && out[0] == 1);
	CHECK(bpfh_map_delete(m, &k) == -EINVAL);
	CHECK(bpfh_map_lookup_and_delete(m, &k, out) == -ENOTSUP);
	CHECK(bpfh_map_update_prog(m, &k, zero, 0) == 0);
	CHECK(bpfh_map_lookup(m, &k, out) == 0 && !memcmp(out, zero, 12));

	CHECK(bpfh_map_next_key(m, NULL, &next) == 0 && next == 0);
	k = 3;
	CHECK(bpfh_map_next_key(m, &k, &next) == 0 && next == 4);
	k = 4;
	CHECK(bpfh_map_next_key(m, &k, &next) == -ENOENT);
	k = 77;
	CHECK(bpfh_map_next_key(m, &k, &next) == 0 && next == 0);
	CHECK(bpfh_map_mmap(m, NULL) == NULL && errno == EINVAL);
	bpfh_map_put(m);
}

static void test_percpu_array(void)
{
	struct bpfh_map *m = mk(T(PERCPU_ARRAY), 4, 4, 3, 0);
	uint64_t user[TEST_NCPU], out[TEST_NCPU];
	uint32_t k = 1, v32;
	unsigned c;
	uint32_t *p[TEST_NCPU];

	if (!m)
		return;
	CHECK(bpfh_map_user_value_size(m) == 8 * TEST_NCPU);
	for (c = 0; c < TEST_NCPU; c++)
		user[c] = 0x1000 + c;
	CHECK(bpfh_map_update(m, &k, user, 0) == 0);
	CHECK(bpfh_map_lookup(m, &k, out) == 0 && !memcmp(out, user, sizeof(user)));
	for (c = 0; c < TEST_NCPU; c++) {
		p[c] = bpfh_map_lookup_percpu_ptr(m, &k, c);
		CHECKF(p[c] && *p[c] == 0x1000 + c, "cpu %u", c);
		bpfh_cpu_set(c);
		CHECK(bpfh_map_lookup_ptr(m, &k) == p[c]);
		v32 = 7 * c;
		CHECK(bpfh_map_update_prog(m, &k, &v32, BPFH_ANY) == 0);
	}
	bpfh_cpu_set(0);
	CHECK(bpfh_map_lookup(m, &k, out) == 0);
	for (c = 0; c < TEST_NCPU; c++)
		CHECKF((uint32_t)out[c] == 7 * c, "cpu %u", c);
	/* Different CPUs' copies are far apart (CPU-major storage). */
	CHECK(p[1] && p[0] && (uintptr_t)p[1] - (uintptr_t)p[0] == 3 * 8);
	k = 3;
	CHECK(bpfh_map_lookup_percpu_ptr(m, &k, 0) == NULL);
	CHECK(bpfh_map_update(m, &k, user, 0) == -E2BIG);
	bpfh_map_put(m);
}

static void test_mmap(void)
{
	struct bpfh_map *m = mk(T(ARRAY), 4, 6, 4, BPFH_F_MMAPABLE);
	uint8_t v[6] = { 1, 2, 3, 4, 5, 6 }, out[6];
	uint32_t k = 3;
	uint8_t *base;
	size_t size = 0;

	if (!m)
		return;
	base = bpfh_map_mmap(m, &size);
	CHECK(base && size == 4 * 8);
	CHECK(bpfh_map_update(m, &k, v, 0) == 0);
	CHECK(base && !memcmp(base + 24, v, 6));
	if (base)
		base[8] = 9;
	k = 1;
	CHECK(bpfh_map_lookup(m, &k, out) == 0 && out[0] == 9);
	bpfh_map_put(m);
}

int main(void)
{
	test_cpus();
	test_array();
	test_percpu_array();
	test_mmap();
	return check_summary("maps-array");
}
