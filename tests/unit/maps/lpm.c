// SPDX-License-Identifier: MIT
/*
 * LPM_TRIE: the longest stored prefix wins, the key's own prefixlen caps the match, exact
 * (prefixlen, data) for update and delete, flags, -ENOSPC when full, Linux's post-order
 * iteration (the example of kernel/bpf/lpm_trie.c), and randomised runs of inserts, deletes
 * and lookups against a brute-force list of prefixes, over data of 2 to 20 bytes.
 */
#include "maps_test.h"

struct key4 {
	uint32_t prefixlen;
	uint8_t data[4];
};

static struct key4 ip4(unsigned a, unsigned b, unsigned c, unsigned d, uint32_t len)
{
	struct key4 k = { len, { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d } };

	return k;
}

static struct bpfh_map *mk_lpm(uint32_t key_size, uint32_t max)
{
	return mk(BPFH_MAP_TYPE_LPM_TRIE, key_size, 4, max, BPFH_F_NO_PREALLOC);
}

static uint32_t look(struct bpfh_map *m, struct key4 k)
{
	uint32_t v = 0;

	return bpfh_map_lookup(m, &k, &v) == 0 ? v : 0;
}

static void put4(struct bpfh_map *m, struct key4 k, uint32_t v)
{
	CHECKF(bpfh_map_update(m, &k, &v, BPFH_ANY) == 0, "insert %u", v);
}

static void test_ipv4(void)
{
	struct bpfh_map *m = mk_lpm(8, 16);
	struct key4 k, next;
	uint32_t v, *p;
	static const uint32_t order[] = { 24, 25, 26, 16 };
	unsigned i;
	int err;

	if (!m)
		return;
	CHECK(bpfh_map_next_key(m, NULL, &next) == -ENOENT);
	put4(m, ip4(192, 168, 0, 0, 16), 16);
	put4(m, ip4(192, 168, 0, 0, 24), 24);
	put4(m, ip4(192, 168, 1, 0, 24), 25);
	put4(m, ip4(192, 168, 128, 0, 24), 26);

	CHECK(look(m, ip4(192, 168, 0, 1, 32)) == 24);
	CHECK(look(m, ip4(192, 168, 1, 200, 32)) == 25);
	CHECK(look(m, ip4(192, 168, 128, 9, 32)) == 26);
	CHECK(look(m, ip4(192, 168, 2, 1, 32)) == 16);
	CHECK(look(m, ip4(192, 168, 255, 255, 32)) == 16);
	CHECK(look(m, ip4(192, 169, 0, 0, 32)) == 0);
	CHECK(look(m, ip4(10, 0, 0, 1, 32)) == 0);
	/* The key's prefixlen caps the match. */
	CHECK(look(m, ip4(192, 168, 0, 1, 20)) == 16);
	CHECK(look(m, ip4(192, 168, 0, 1, 15)) == 0);
	k = ip4(192, 168, 0, 1, 33);
	CHECK(bpfh_map_lookup(m, &k, &v) == -ENOENT);
	k = ip4(192, 168, 1, 1, 32);
	p = bpfh_map_lookup_ptr(m, &k);
	CHECK(p && *p == 25);

	/* Post-order, as Linux: more specific first. */
	err = bpfh_map_next_key(m, NULL, &next);
	for (i = 0; i < 4 && err == 0; i++) {
		k = next;
		CHECKF(look(m, ip4(k.data[0], k.data[1], k.data[2], k.data[3], k.prefixlen)) ==
			       order[i],
		       "item %u: %u.%u.%u.%u/%u", i, k.data[0], k.data[1], k.data[2], k.data[3],
		       k.prefixlen);
		err = bpfh_map_next_key(m, &k, &next);
	}
	CHECK(i == 4 && err == -ENOENT);
	k = ip4(1, 2, 3, 4, 8); /* not in the map: the first key */
	CHECK(bpfh_map_next_key(m, &k, &next) == 0 && next.prefixlen == 24 && next.data[2] == 0);

	/* Flags; exact matches for update and delete. */
	k = ip4(192, 168, 0, 0, 16);
	v = 160;
	CHECK(bpfh_map_update(m, &k, &v, BPFH_NOEXIST) == -EEXIST);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_EXIST) == 0);
	CHECK(look(m, ip4(192, 168, 7, 7, 32)) == 160);
	k = ip4(192, 168, 0, 0, 17);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_EXIST) == -ENOENT);
	CHECK(bpfh_map_delete(m, &k) == -ENOENT);
	k = ip4(192, 168, 0, 0, 33);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_ANY) == -EINVAL);
	CHECK(bpfh_map_delete(m, &k) == -EINVAL);
	k = ip4(192, 168, 0, 0, 24);
	CHECK(bpfh_map_delete(m, &k) == 0);
	CHECK(look(m, ip4(192, 168, 0, 1, 32)) == 160);
	CHECK(look(m, ip4(192, 168, 1, 1, 32)) == 25);
	k = ip4(192, 168, 0, 0, 16);
	CHECK(bpfh_map_delete(m, &k) == 0);
	CHECK(look(m, ip4(192, 168, 7, 7, 32)) == 0);
	CHECK(look(m, ip4(192, 168, 128, 7, 32)) == 26);
	/* A default route. */
	put4(m, ip4(0, 0, 0, 0, 0), 1);
	CHECK(look(m, ip4(8, 8, 8, 8, 32)) == 1);
	CHECK(look(m, ip4(192, 168, 1, 8, 32)) == 25);
	CHECK(bpfh_map_lookup_and_delete(m, &k, &v) == -ENOTSUP);
	bpfh_map_put(m);
}

static void test_full(void)
{
	struct bpfh_map *m = mk_lpm(8, 3);
	struct key4 k;
	uint32_t v = 1;

	if (!m)
		return;
	put4(m, ip4(10, 0, 0, 0, 8), 1);
	put4(m, ip4(10, 1, 0, 0, 16), 2);
	put4(m, ip4(10, 2, 0, 0, 16), 3); /* with an intermediate node */
	k = ip4(10, 3, 0, 0, 16);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_ANY) == -ENOSPC);
	k = ip4(10, 2, 0, 0, 16);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_ANY) == 0); /* replacing fits */
	CHECK(bpfh_map_delete(m, &k) == 0);
	k = ip4(10, 3, 0, 0, 16);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_ANY) == 0);
	bpfh_map_put(m);
}

/* Brute force over 2-byte data: the stored prefixes and their values. */
struct entry {
	int used;
	uint32_t len;
	uint8_t d[2];
	uint32_t v;
};

static int prefix_match(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (((a[i / 8] >> (7 - i % 8)) ^ (b[i / 8] >> (7 - i % 8))) & 1)
			return 0;
	return 1;
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_random(void)
{
	enum { N = 64 };
	struct bpfh_map *m = mk_lpm(6, N);
	struct entry model[N];
	uint32_t seed = 12345, i, step, mismatches = 0, iter_bad = 0;
	struct { uint32_t len; uint8_t d[2]; } k, next;

	if (!m)
		return;
	memset(model, 0, sizeof(model));
	for (step = 0; step < 20000; step++) {
		uint32_t op = rnd(&seed) % 3, len = rnd(&seed) % 17, v = rnd(&seed);
		uint8_t d[2] = { (uint8_t)(rnd(&seed) & 0xf0), (uint8_t)rnd(&seed) };
		int found = -1, free_slot = -1, err;

		/* Canonical data (bits past len zero) so exact matches compare by value. */
		for (i = len; i < 16; i++)
			d[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
		for (i = 0; i < N; i++) {
			if (model[i].used && model[i].len == len && !memcmp(model[i].d, d, 2))
				found = (int)i;
			if (!model[i].used && free_slot < 0)
				free_slot = (int)i;
		}
		k.len = len;
		memcpy(k.d, d, 2);
		if (op == 0) {
			err = bpfh_map_update(m, &k, &v, BPFH_ANY);
			if (found >= 0) {
				mismatches += err != 0;
				model[found].v = v;
			} else if (free_slot < 0) {
				mismatches += err != -ENOSPC;
			} else {
				mismatches += err != 0;
				model[free_slot].used = 1;
				model[free_slot].len = len;
				memcpy(model[free_slot].d, d, 2);
				model[free_slot].v = v;
			}
		} else if (op == 1) {
			err = bpfh_map_delete(m, &k);
			mismatches += err != (found >= 0 ? 0 : -ENOENT);
			if (found >= 0)
				model[found].used = 0;
		} else {
			uint32_t got = 0, want = 0, best = 0;
			int have = 0;

			k.len = 16;
			k.d[1] = (uint8_t)rnd(&seed);
			for (i = 0; i < N; i++) {
				if (model[i].used && prefix_match(model[i].d, k.d, model[i].len) &&
				    (!have || model[i].len > best)) {
					have = 1;
					best = model[i].len;
					want = model[i].v;
				}
			}
			err = bpfh_map_lookup(m, &k, &got);
			mismatches += have ? (err != 0 || got != want) : err != -ENOENT;
		}
		/* Now and then: iteration visits exactly the model's entries. */
		if (step % 1000 == 999) {
			uint32_t n = 0, want_n = 0;

			for (i = 0; i < N; i++)
				want_n += model[i].used;
			err = bpfh_map_next_key(m, NULL, &next);
			while (err == 0 && n <= N) {
				n++;
				k = next;
				err = bpfh_map_next_key(m, &k, &next);
			}
			iter_bad += n != want_n || err != -ENOENT;
		}
	}
	CHECKF(mismatches == 0, "%u mismatches", mismatches);
	CHECKF(iter_bad == 0, "%u bad iterations", iter_bad);
	bpfh_map_put(m);
}

/*
 * Brute force over wider data (d bytes: one word, more than one, a partial last word): the
 * word-at-a-time prefix compares, and lookups whose own prefixlen is below the data's width,
 * through both the program side (lock-free walk) and the user side.
 */
struct wentry {
	int used;
	uint32_t len;
	uint8_t d[20];
	uint32_t v;
};

struct wkey {
	uint32_t len;
	uint8_t d[20];
};

static void wide_data(uint32_t *seed, uint32_t d, uint8_t *out)
{
	static const uint8_t pick[4] = { 0x00, 0xff, 0x0f, 0xa5 };
	uint32_t i;

	/* Few distinct bytes, so that prefixes share long runs and split in every word. */
	for (i = 0; i < d; i++)
		out[i] = pick[rnd(seed) % 4];
	if (rnd(seed) % 2)
		out[rnd(seed) % d] ^= (uint8_t)(1u << (rnd(seed) % 8));
}

static void test_random_wide(uint32_t d)
{
	enum { N = 48 };
	struct bpfh_map *m = mk_lpm(4 + d, N);
	struct wentry model[N];
	uint32_t seed = 777 + d, i, step, mismatches = 0, iter_bad = 0;
	struct wkey k, next;

	if (!m)
		return;
	memset(model, 0, sizeof(model));
	for (step = 0; step < 20000; step++) {
		uint32_t op = rnd(&seed) % 3, len = rnd(&seed) % (8 * d + 1), v = rnd(&seed);
		uint8_t dd[20];
		int found = -1, free_slot = -1, err;

		memset(&k, 0, sizeof(k));
		wide_data(&seed, d, dd);
		for (i = len; i < 8 * d; i++)
			dd[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
		for (i = 0; i < N; i++) {
			if (model[i].used && model[i].len == len && !memcmp(model[i].d, dd, d))
				found = (int)i;
			if (!model[i].used && free_slot < 0)
				free_slot = (int)i;
		}
		k.len = len;
		memcpy(k.d, dd, d);
		if (op == 0) {
			err = bpfh_map_update(m, &k, &v, BPFH_ANY);
			if (found >= 0) {
				mismatches += err != 0;
				model[found].v = v;
			} else if (free_slot < 0) {
				mismatches += err != -ENOSPC;
			} else {
				mismatches += err != 0;
				model[free_slot].used = 1;
				model[free_slot].len = len;
				memcpy(model[free_slot].d, dd, d);
				model[free_slot].v = v;
			}
		} else if (op == 1) {
			err = bpfh_map_delete(m, &k);
			mismatches += err != (found >= 0 ? 0 : -ENOENT);
			if (found >= 0)
				model[found].used = 0;
		} else {
			uint32_t got = 0, want = 0, best = 0, *p;
			int have = 0;

			/* A key near the stored ones, capped at a random prefixlen. */
			wide_data(&seed, d, k.d);
			if (rnd(&seed) % 2) {
				i = rnd(&seed) % N;
				if (model[i].used)
					memcpy(k.d, model[i].d, d);
				k.d[rnd(&seed) % d] ^= (uint8_t)(rnd(&seed) & 1);
			}
			k.len = rnd(&seed) % 3 ? 8 * d : rnd(&seed) % (8 * d + 1);
			for (i = 0; i < N; i++) {
				if (model[i].used && model[i].len <= k.len &&
				    prefix_match(model[i].d, k.d, model[i].len) &&
				    (!have || model[i].len > best)) {
					have = 1;
					best = model[i].len;
					want = model[i].v;
				}
			}
			err = bpfh_map_lookup(m, &k, &got);
			mismatches += have ? (err != 0 || got != want) : err != -ENOENT;
			p = bpfh_map_lookup_ptr(m, &k);
			mismatches += have ? (!p || *p != want) : p != NULL;
		}
		if (step % 1000 == 999) {
			uint32_t n = 0, want_n = 0, bad_key = 0;

			for (i = 0; i < N; i++)
				want_n += model[i].used;
			err = bpfh_map_next_key(m, NULL, &next);
			while (err == 0 && n <= N) {
				int seen = 0;

				for (i = 0; i < N; i++)
					seen |= model[i].used && model[i].len == next.len &&
						!memcmp(model[i].d, next.d, d);
				bad_key += !seen;
				n++;
				k = next;
				err = bpfh_map_next_key(m, &k, &next);
			}
			iter_bad += n != want_n || err != -ENOENT || bad_key;
		}
	}
	CHECKF(mismatches == 0, "data %u bytes: %u mismatches", d, mismatches);
	CHECKF(iter_bad == 0, "data %u bytes: %u bad iterations", d, iter_bad);
	bpfh_map_put(m);
}

int main(void)
{
	test_cpus();
	test_ipv4();
	test_full();
	test_random();
	test_random_wide(4);
	test_random_wide(8);
	test_random_wide(9);
	test_random_wide(16);
	test_random_wide(20);
	return check_summary("maps-lpm");
}
