// SPDX-License-Identifier: MIT
/*
 * The hash maps: HASH (preallocated and BPF_F_NO_PREALLOC), PERCPU_HASH, LRU_HASH and
 * LRU_PERCPU_HASH. Update flags and their errors, full maps, deletes, lookup_and_delete,
 * iteration that sees every key once, odd key and value sizes, value pointers that stay put,
 * per-CPU layouts on both sides, LRU eviction that spares recently used elements, and random
 * operations against a model for key sizes around the 8-byte word boundaries.
 */
#include "maps_test.h"

#define T(x) BPFH_MAP_TYPE_##x

struct key13 {
	uint8_t b[13];
};

static uint32_t rnd32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static struct key13 key13(unsigned i)
{
	struct key13 k;

	memset(&k, 0, sizeof(k));
	memcpy(k.b, &i, sizeof(i));
	k.b[12] = (uint8_t)(i * 7);
	return k;
}

static void test_basic(uint32_t flags)
{
	struct bpfh_map *m = mk(T(HASH), 4, 8, 4, flags);
	uint32_t k, next;
	uint64_t v, out;
	uint64_t *p;
	int i;

	if (!m)
		return;
	k = 1;
	v = 100;
	CHECK(bpfh_map_lookup(m, &k, &out) == -ENOENT);
	CHECK(bpfh_map_lookup_ptr(m, &k) == NULL);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_EXIST) == -ENOENT);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_NOEXIST) == 0);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_NOEXIST) == -EEXIST);
	CHECK(bpfh_map_lookup(m, &k, &out) == 0 && out == 100);
	p = bpfh_map_lookup_ptr(m, &k);
	CHECK(p && *p == 100 && ((uintptr_t)p % 8) == 0);
	v = 200;
	CHECK(bpfh_map_update(m, &k, &v, BPFH_EXIST) == 0);
	CHECK(p && *p == 200); /* updated in place */
	CHECK(bpfh_map_lookup_ptr(m, &k) == p);
	if (p)
		*p = 201; /* as a program writes */
	CHECK(bpfh_map_lookup(m, &k, &out) == 0 && out == 201);

	/* Fill: the fifth key does not fit, replacing an existing one still works. */
	for (k = 2; k <= 4; k++) {
		v = k * 10;
		CHECK(bpfh_map_update(m, &k, &v, BPFH_ANY) == 0);
	}
	k = 5;
	CHECK(bpfh_map_update(m, &k, &v, BPFH_ANY) == -E2BIG);
	CHECK(bpfh_map_update_prog(m, &k, &v, BPFH_ANY) == -E2BIG);
	k = 4;
	v = 44;
	CHECK(bpfh_map_update(m, &k, &v, BPFH_ANY) == 0);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_NOEXIST) == -EEXIST);

	/* Iteration: every key once, then -ENOENT. */
	{
		unsigned seen = 0, count = 0;
		int err = bpfh_map_next_key(m, NULL, &next);

		while (err == 0 && count < 10) {
			seen |= 1u << next;
			count++;
			k = next;
			err = bpfh_map_next_key(m, &k, &next);
		}
		CHECKF(err == -ENOENT && count == 4 && seen == 0x1e, "count %u seen 0x%x", count,
		       seen);
		/* A key not in the map restarts from the first one. */
		k = 99;
		CHECK(bpfh_map_next_key(m, &k, &next) == 0 && next >= 1 && next <= 4);
		/* key and next_key may be one buffer */
		k = next;
		err = bpfh_map_next_key(m, &k, &k);
		CHECK(err == 0 || err == -ENOENT);
	}

	/* Delete, lookup_and_delete, and reuse of the freed room. */
	k = 3;
	CHECK(bpfh_map_delete(m, &k) == 0);
	CHECK(bpfh_map_delete(m, &k) == -ENOENT);
	CHECK(bpfh_map_lookup(m, &k, &out) == -ENOENT);
	k = 2;
	CHECK(bpfh_map_lookup_and_delete(m, &k, &out) == 0 && out == 20);
	CHECK(bpfh_map_lookup_and_delete(m, &k, &out) == -ENOENT);
	for (k = 10; k < 12; k++)
		CHECK(bpfh_map_update_prog(m, &k, &v, BPFH_NOEXIST) == 0);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_NOEXIST) == -E2BIG);
	for (i = 0; i < 4; i++) {
		/* Delete everything through iteration. */
		if (bpfh_map_next_key(m, NULL, &next) != 0)
			break;
		CHECK(bpfh_map_delete_prog(m, &next) == 0);
	}
	CHECK(bpfh_map_next_key(m, NULL, &next) == -ENOENT);
	CHECK(bpfh_map_push(m, &v, 0) == -ENOTSUP);
	CHECK(bpfh_map_pop(m, &v) == -ENOTSUP);
	CHECK(bpfh_map_peek(m, &v) == -ENOTSUP);
	CHECK(bpfh_map_lookup_percpu_ptr(m, &k, 0) == NULL);
	bpfh_map_put(m);
}

static void test_odd_sizes(void)
{
	struct bpfh_map *m = mk(T(HASH), 13, 5, 1000, BPFH_F_NO_PREALLOC);
	unsigned i, n = 0;
	uint8_t v[5], out[5];
	struct key13 k, next;
	int err;

	if (!m)
		return;
	for (i = 0; i < 1000; i++) {
		k = key13(i);
		memset(v, (int)i, sizeof(v));
		if (bpfh_map_update(m, &k, v, BPFH_NOEXIST) != 0)
			break;
	}
	CHECKF(i == 1000, "inserted %u", i);
	k = key13(1000);
	CHECK(bpfh_map_update(m, &k, v, BPFH_ANY) == -E2BIG);
	for (i = 0; i < 1000; i++) {
		k = key13(i);
		if (bpfh_map_lookup(m, &k, out) != 0 || out[0] != (uint8_t)i || out[4] != (uint8_t)i)
			break;
	}
	CHECKF(i == 1000, "looked up %u", i);
	err = bpfh_map_next_key(m, NULL, &next);
	while (err == 0) {
		n++;
		k = next;
		err = bpfh_map_next_key(m, &k, &next);
	}
	CHECK(err == -ENOENT && n == 1000);
	for (i = 0; i < 1000; i += 2) {
		k = key13(i);
		CHECK(bpfh_map_delete(m, &k) == 0);
	}
	k = key13(1);
	CHECK(bpfh_map_lookup(m, &k, out) == 0 && out[2] == 1);
	k = key13(2);
	CHECK(bpfh_map_lookup(m, &k, out) == -ENOENT);
	bpfh_map_put(m);
}

static void test_percpu(uint32_t type)
{
	struct bpfh_map *m = mk(type, 4, 12, 8, 0);
	uint8_t user[16 * TEST_NCPU], out[16 * TEST_NCPU];
	uint32_t k = 7, prog[3] = { 0x11111111, 0x22222222, 0x33333333 };
	unsigned c;
	uint8_t *p;

	if (!m)
		return;
	CHECK(bpfh_map_user_value_size(m) == sizeof(user));
	for (c = 0; c < TEST_NCPU; c++)
		memset(user + 16 * c, 0x10 + (int)c, 16);
	CHECK(bpfh_map_update(m, &k, user, BPFH_ANY) == 0);
	memset(out, 0, sizeof(out));
	CHECK(bpfh_map_lookup(m, &k, out) == 0 && !memcmp(out, user, sizeof(user)));
	for (c = 0; c < TEST_NCPU; c++) {
		p = bpfh_map_lookup_percpu_ptr(m, &k, c);
		CHECKF(p && p[0] == 0x10 + c && p[11] == 0x10 + c, "cpu %u", c);
		bpfh_cpu_set(c);
		CHECK(bpfh_map_lookup_ptr(m, &k) == p);
	}
	CHECK(bpfh_map_lookup_percpu_ptr(m, &k, TEST_NCPU) == NULL);

	/* A program updates its own CPU's copy. */
	bpfh_cpu_set(2);
	CHECK(bpfh_map_update_prog(m, &k, prog, BPFH_EXIST) == 0);
	CHECK(bpfh_map_lookup(m, &k, out) == 0);
	CHECK(!memcmp(out + 32, prog, 12) && out[0] == 0x10 && out[16] == 0x11 && out[48] == 0x13);

	/* A new element from a program: the other CPUs' copies are zero. */
	k = 8;
	CHECK(bpfh_map_update_prog(m, &k, prog, BPFH_NOEXIST) == 0);
	CHECK(bpfh_map_lookup(m, &k, out) == 0);
	CHECK(!memcmp(out + 32, prog, 12));
	for (c = 0; c < TEST_NCPU; c++)
		if (c != 2)
			CHECKF(out[16 * c] == 0 && out[16 * c + 15] == 0, "cpu %u", c);
	bpfh_cpu_set(0);
	CHECK(bpfh_map_lookup_and_delete(m, &k, out) == 0 && !memcmp(out + 32, prog, 12));
	bpfh_map_put(m);
}

/* Ten slots; keys 0..9 in, some used by a program, then ten more inserts: every one succeeds,
 * the map keeps ten, and the used ones survive the first round of evictions. */
static void test_lru(uint32_t type)
{
	unsigned vsize = type == T(LRU_PERCPU_HASH) ? 8 * TEST_NCPU : 8;
	struct bpfh_map *m = mk(type, 4, 8, 10, 0);
	uint64_t v[TEST_NCPU], out[TEST_NCPU];
	uint32_t k, next;
	unsigned n, kept;
	int err;

	if (!m)
		return;
	memset(v, 0, sizeof(v));
	for (k = 0; k < 10; k++) {
		v[0] = k;
		CHECK(bpfh_map_update(m, &k, v, BPFH_NOEXIST) == 0);
	}
	/* Used by programs: 0, 1, 2. */
	for (k = 0; k < 3; k++)
		CHECK(bpfh_map_lookup_ptr(m, &k) != NULL);
	for (k = 100; k < 105; k++) {
		v[0] = k;
		CHECKF(bpfh_map_update(m, &k, v, BPFH_ANY) == 0, "insert %u", k);
	}
	kept = 0;
	for (k = 0; k < 3; k++)
		kept += bpfh_map_lookup(m, &k, out) == 0;
	CHECKF(kept == 3, "recently used kept: %u", kept);
	for (k = 100; k < 105; k++)
		CHECK(bpfh_map_lookup(m, &k, out) == 0 && out[0] == k);
	n = 0;
	err = bpfh_map_next_key(m, NULL, &next);
	while (err == 0 && n < 100) {
		n++;
		k = next;
		err = bpfh_map_next_key(m, &k, &next);
	}
	CHECKF(n == 10, "elements %u", n);
	/* Flags still apply; an update of an existing key evicts nothing. */
	k = 100;
	CHECK(bpfh_map_update(m, &k, v, BPFH_NOEXIST) == -EEXIST);
	k = 999;
	CHECK(bpfh_map_update(m, &k, v, BPFH_EXIST) == -ENOENT);
	k = 1;
	CHECK(bpfh_map_delete(m, &k) == 0);
	CHECK(bpfh_map_delete(m, &k) == -ENOENT);
	(void)vsize;
	/* Many inserts never fail. */
	for (k = 1000; k < 1100; k++)
		if (bpfh_map_update_prog(m, &k, v, BPFH_ANY) != 0)
			break;
	CHECKF(k == 1100, "stopped at %u", k);
	k = 1099;
	CHECK(bpfh_map_lookup(m, &k, out) == 0);
	bpfh_map_put(m);
}

static void test_zero_seed(void)
{
	/* Two maps with BPF_F_ZERO_SEED iterate in the same order. */
	struct bpfh_map *a = mk(T(HASH), 4, 4, 64, BPFH_F_ZERO_SEED);
	struct bpfh_map *b = mk(T(HASH), 4, 4, 64, BPFH_F_ZERO_SEED);
	uint32_t k, ka, kb;
	int ea, eb, same = 1;

	if (!a || !b)
		return;
	for (k = 0; k < 50; k++) {
		bpfh_map_update(a, &k, &k, 0);
		bpfh_map_update(b, &k, &k, 0);
	}
	ea = bpfh_map_next_key(a, NULL, &ka);
	eb = bpfh_map_next_key(b, NULL, &kb);
	while (ea == 0 && eb == 0) {
		same &= ka == kb;
		ea = bpfh_map_next_key(a, &ka, &ka);
		eb = bpfh_map_next_key(b, &kb, &kb);
	}
	CHECK(same && ea == -ENOENT && eb == -ENOENT);
	bpfh_map_put(a);
	bpfh_map_put(b);
}

/*
 * Random updates, deletes and lookups against a model, for key sizes around the word
 * boundaries (the element compares keys as 8-byte words, with a one-word fast path for 4 and
 * 8 bytes): candidates that differ only in their first or only in their last byte. Elements
 * are reused for other keys all along; both sides' lookups and iteration are checked.
 */
static void model_key(uint32_t size, unsigned i, uint8_t *k)
{
	memset(k, 0x5a, size);
	if (i % 2)
		k[0] = (uint8_t)(i * 37 + 1);   /* differs in the first byte */
	else
		k[size - 1] = (uint8_t)(i * 37); /* differs in the last byte */
	if (size > 1)
		k[size / 2] ^= (uint8_t)(i >> 3);
}

static void test_model(uint32_t type, uint32_t size, uint32_t flags)
{
	enum { NCAND = 48 };
	/* An LRU map evicts instead of failing: give it room for every candidate. */
	const uint32_t max = type == T(LRU_HASH) ? 64 : 24;
	struct bpfh_map *m = mk(type, size, 8, max, flags);
	uint64_t model[NCAND];
	int present[NCAND];
	uint32_t seed = 99 + size, step, bad = 0, n = 0;
	uint8_t k[24], next[24];
	unsigned i;
	int err;

	if (!m)
		return;
	memset(present, 0, sizeof(present));
	for (step = 0; step < 20000; step++) {
		unsigned c = rnd32(&seed) % NCAND, op = rnd32(&seed) % 4;
		uint64_t v = rnd32(&seed), out = 0, *p;

		model_key(size, c, k);
		if (op == 0) {
			err = bpfh_map_update(m, k, &v, BPFH_ANY);
			if (present[c] || n < max) {
				bad += err != 0;
				n += !present[c];
				present[c] = 1;
				model[c] = v;
			} else {
				bad += err != -E2BIG;
			}
		} else if (op == 1) {
			err = bpfh_map_update_prog(m, k, &v, BPFH_NOEXIST);
			if (present[c]) {
				bad += err != -EEXIST;
			} else if (n < max) {
				bad += err != 0;
				n++;
				present[c] = 1;
				model[c] = v;
			} else {
				bad += err != -E2BIG;
			}
		} else if (op == 2) {
			err = bpfh_map_delete(m, k);
			bad += err != (present[c] ? 0 : -ENOENT);
			n -= present[c];
			present[c] = 0;
		} else {
			err = bpfh_map_lookup(m, k, &out);
			p = bpfh_map_lookup_ptr(m, k);
			if (present[c])
				bad += err != 0 || out != model[c] || !p || *p != model[c];
			else
				bad += err != -ENOENT || p != NULL;
		}
	}
	/* Iteration: each present candidate once. */
	{
		unsigned seen = 0, count = 0;

		err = bpfh_map_next_key(m, NULL, next);
		while (err == 0 && count <= max) {
			for (i = 0; i < NCAND; i++) {
				model_key(size, i, k);
				if (!memcmp(k, next, size)) {
					seen += present[i];
					break;
				}
			}
			count++;
			memcpy(k, next, size);
			err = bpfh_map_next_key(m, k, next);
		}
		bad += err != -ENOENT || count != n || seen != n;
	}
	CHECKF(bad == 0, "type %u key_size %u flags 0x%x: %u mismatches", type, size, flags, bad);
	bpfh_map_put(m);
}

int main(void)
{
	test_cpus();
	test_basic(0);
	test_basic(BPFH_F_NO_PREALLOC);
	test_odd_sizes();
	test_percpu(T(PERCPU_HASH));
	test_percpu(T(LRU_PERCPU_HASH));
	test_lru(T(LRU_HASH));
	test_lru(T(LRU_PERCPU_HASH));
	test_zero_seed();
	{
		static const uint32_t sizes[] = { 1, 3, 4, 5, 8, 9, 12, 16, 17, 20 };
		unsigned i;

		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			test_model(T(HASH), sizes[i], 0);
			test_model(T(HASH), sizes[i], BPFH_F_NO_PREALLOC);
		}
		test_model(T(LRU_HASH), 4, 0);
		test_model(T(LRU_HASH), 16, 0);
	}
	return check_summary("maps-hash");
}
