// SPDX-License-Identifier: MIT
/*
 * Maps that hold objects and device maps: PROG_ARRAY with a resolver's program references
 * (counted here), ARRAY_OF_MAPS and HASH_OF_MAPS with template checks, user-side ids and the
 * inner maps' lifetimes, and DEVMAP / DEVMAP_HASH with Linux's value rules. Under ASan a
 * reference dropped too often or not at all shows up as a use after free or a leak.
 */
#include "maps_test.h"

#define T(x) BPFH_MAP_TYPE_##x

struct fake_prog {
	uint32_t id;
	int refs;
};

static struct fake_prog progs[3] = { { 11, 1 }, { 12, 1 }, { 13, 1 } };
static struct bpfh_map *registry[8];

static void *prog_by_id(void *ctx, uint32_t id)
{
	unsigned i;

	(void)ctx;
	for (i = 0; i < 3; i++) {
		if (progs[i].id == id) {
			progs[i].refs++;
			return &progs[i];
		}
	}
	return NULL;
}

static void prog_get(void *ctx, void *p)
{
	(void)ctx;
	((struct fake_prog *)p)->refs++;
}

static void prog_put(void *ctx, void *p)
{
	(void)ctx;
	((struct fake_prog *)p)->refs--;
}

static uint32_t prog_id(void *ctx, const void *p)
{
	(void)ctx;
	return ((const struct fake_prog *)p)->id;
}

static struct bpfh_map *map_by_id(void *ctx, uint32_t id)
{
	(void)ctx;
	if (id >= 8 || !registry[id])
		return NULL;
	return bpfh_map_get(registry[id]);
}

static const struct bpfh_map_resolver resolver = {
	.ctx = NULL,
	.map_by_id = map_by_id,
	.prog_by_id = prog_by_id,
	.prog_get = prog_get,
	.prog_put = prog_put,
	.prog_id = prog_id,
};

static void test_prog_array(void)
{
	struct bpfh_map *m = mk(T(PROG_ARRAY), 4, 4, 4, 0);
	uint32_t k, id, next;

	if (!m)
		return;
	k = 0;
	id = 11;
	CHECK(bpfh_map_update(m, &k, &id, 0) == -EBADF); /* no resolver yet */
	CHECK(bpfh_map_update_obj(m, &k, &progs[0], 0) == 0); /* plain pointer */
	CHECK(bpfh_map_lookup_obj(m, &k) == &progs[0]);
	CHECK(bpfh_map_lookup(m, &k, &id) == -ENOTSUP); /* no prog_id */
	CHECK(bpfh_map_delete(m, &k) == 0);
	CHECK(progs[0].refs == 1);

	bpfh_map_set_resolver(m, &resolver);
	id = 12;
	CHECK(bpfh_map_update(m, &k, &id, 0) == 0 && progs[1].refs == 2);
	CHECK(bpfh_map_update(m, &k, &id, BPFH_NOEXIST) == -EINVAL);
	CHECK(bpfh_map_update(m, &k, &id, BPFH_EXIST) == -EINVAL);
	id = 99;
	CHECK(bpfh_map_update(m, &k, &id, 0) == -EBADF);
	k = 4;
	id = 11;
	CHECK(bpfh_map_update(m, &k, &id, 0) == -E2BIG);
	CHECK(progs[0].refs == 1);
	k = 0;
	CHECK(bpfh_map_lookup(m, &k, &id) == 0 && id == 12);
	CHECK(bpfh_map_lookup_obj(m, &k) == &progs[1]);
	CHECK(bpfh_map_lookup_ptr(m, &k) == NULL); /* programs do not look up prog arrays */
	CHECK(bpfh_map_lookup_obj_ref(m, &k) == &progs[1] && progs[1].refs == 3);
	prog_put(NULL, &progs[1]);

	/* Replacing drops the old program's reference. */
	CHECK(bpfh_map_update_obj(m, &k, &progs[2], 0) == 0);
	CHECK(progs[1].refs == 1 && progs[2].refs == 2);
	k = 1;
	CHECK(bpfh_map_update_obj(m, &k, &progs[0], 0) == 0 && progs[0].refs == 2);
	CHECK(bpfh_map_lookup(m, &k, &id) == 0 && id == 11);
	k = 2;
	CHECK(bpfh_map_lookup(m, &k, &id) == -ENOENT);
	CHECK(bpfh_map_lookup_obj(m, &k) == NULL);
	CHECK(bpfh_map_delete(m, &k) == -ENOENT);
	k = 9;
	CHECK(bpfh_map_delete(m, &k) == -E2BIG);
	CHECK(bpfh_map_lookup_obj(m, &k) == NULL);
	CHECK(bpfh_map_next_key(m, NULL, &next) == 0 && next == 0);
	k = 3;
	CHECK(bpfh_map_next_key(m, &k, &next) == -ENOENT);
	k = 1;
	CHECK(bpfh_map_update_obj(m, &k, NULL, 0) == 0 && progs[0].refs == 1); /* NULL deletes */
	CHECK(bpfh_map_update_prog(m, &k, &id, 0) == -ENOTSUP);

	bpfh_map_clear_objs(m);
	CHECK(progs[2].refs == 1);
	k = 0;
	CHECK(bpfh_map_lookup_obj(m, &k) == NULL);
	CHECK(bpfh_map_update_obj(m, &k, &progs[2], 0) == 0 && progs[2].refs == 2);
	bpfh_map_put(m); /* the last put releases the program */
	CHECK(progs[2].refs == 1);
}

static void test_array_of_maps(void)
{
	struct bpfh_map_def def;
	struct bpfh_map *tmpl = mk(T(ARRAY), 4, 8, 4, 0);
	struct bpfh_map *same = mk(T(ARRAY), 4, 8, 4, 0);
	struct bpfh_map *bigger = mk(T(ARRAY), 4, 8, 8, 0);
	struct bpfh_map *hash = mk(T(HASH), 4, 8, 4, 0);
	struct bpfh_map *outer = NULL, *inner;
	uint32_t k = 0, id, ik = 1;
	uint64_t v = 42, *vp;

	memset(&def, 0, sizeof(def));
	def.type = T(ARRAY_OF_MAPS);
	def.key_size = 4;
	def.value_size = 4;
	def.max_entries = 2;
	CHECK(bpfh_map_create(&def, tmpl, NULL, &outer) == 0);
	if (!outer || !tmpl || !same || !bigger || !hash)
		return;
	bpfh_map_set_resolver(outer, &resolver);
	bpfh_map_set_id(same, 3);
	bpfh_map_set_id(bigger, 4);
	bpfh_map_set_id(hash, 5);
	registry[3] = same;
	registry[4] = bigger;
	registry[5] = hash;

	CHECK(bpfh_map_update_obj(outer, &k, hash, 0) == -EINVAL);
	CHECK(bpfh_map_update_obj(outer, &k, bigger, 0) == -EINVAL); /* max_entries differ */
	id = 5;
	CHECK(bpfh_map_update(outer, &k, &id, 0) == -EINVAL);
	id = 6;
	CHECK(bpfh_map_update(outer, &k, &id, 0) == -EBADF);
	id = 3;
	CHECK(bpfh_map_update(outer, &k, &id, 0) == 0);
	CHECK(bpfh_map_lookup(outer, &k, &id) == 0 && id == 3);
	inner = bpfh_map_lookup_ptr(outer, &k);
	CHECK(inner == same);
	CHECK(bpfh_map_update(same, &ik, &v, 0) == 0);
	vp = inner ? bpfh_map_lookup_ptr(inner, &ik) : NULL;
	CHECK(vp && *vp == 42);

	/* The outer map keeps the inner alive after its creator lets go. */
	registry[3] = NULL;
	bpfh_map_put(same);
	inner = bpfh_map_lookup_obj_ref(outer, &k);
	CHECK(inner != NULL);
	vp = inner ? bpfh_map_lookup_ptr(inner, &ik) : NULL;
	CHECK(vp && *vp == 42);
	CHECK(bpfh_map_delete(outer, &k) == 0);
	CHECK(bpfh_map_delete(outer, &k) == -ENOENT);
	vp = inner ? bpfh_map_lookup_ptr(inner, &ik) : NULL; /* our reference holds it */
	CHECK(vp && *vp == 42);
	bpfh_map_put(inner); /* frees it */
	CHECK(bpfh_map_lookup_ptr(outer, &k) == NULL);

	/* BPF_F_INNER_MAP: arrays of any size. */
	{
		struct bpfh_map *t2 = mk(T(ARRAY), 4, 8, 1, BPFH_F_INNER_MAP);
		struct bpfh_map *a8 = mk(T(ARRAY), 4, 8, 8, BPFH_F_INNER_MAP);
		struct bpfh_map *plain = mk(T(ARRAY), 4, 8, 1, 0);
		struct bpfh_map *o2 = NULL;

		CHECK(bpfh_map_create(&def, t2, NULL, &o2) == 0);
		if (o2) {
			CHECK(bpfh_map_update_obj(o2, &k, a8, 0) == 0);
			CHECK(bpfh_map_update_obj(o2, &k, plain, 0) == -EINVAL); /* flags differ */
		}
		bpfh_map_put(o2); /* drops a8 */
		bpfh_map_put(t2);
		bpfh_map_put(a8);
		bpfh_map_put(plain);
	}

	/* Destroying the outer drops the inner maps. */
	CHECK(bpfh_map_update_obj(outer, &k, tmpl, 0) == 0);
	bpfh_map_put(tmpl);
	registry[4] = registry[5] = NULL;
	bpfh_map_put(bigger);
	bpfh_map_put(hash);
	bpfh_map_put(outer);
}

static void test_hash_of_maps(void)
{
	struct bpfh_map_def def;
	struct bpfh_map *tmpl = mk(T(HASH), 4, 4, 16, 0);
	struct bpfh_map *a = mk(T(HASH), 4, 4, 64, 0); /* sizes need not match */
	struct bpfh_map *b = mk(T(HASH), 4, 4, 16, 0);
	struct bpfh_map *outer = NULL;
	uint64_t k = 0x1122334455667788ull, nk;
	uint32_t id;

	memset(&def, 0, sizeof(def));
	def.type = T(HASH_OF_MAPS);
	def.key_size = 8;
	def.value_size = 4;
	def.max_entries = 2;
	CHECK(bpfh_map_create(&def, tmpl, NULL, &outer) == 0);
	if (!outer || !a || !b)
		return;
	bpfh_map_set_resolver(outer, &resolver);
	bpfh_map_set_id(a, 6);
	bpfh_map_set_id(b, 7);
	registry[6] = a;
	registry[7] = b;
	id = 6;
	CHECK(bpfh_map_update(outer, &k, &id, BPFH_EXIST) == -ENOENT);
	CHECK(bpfh_map_update(outer, &k, &id, BPFH_NOEXIST) == 0);
	CHECK(bpfh_map_update(outer, &k, &id, BPFH_NOEXIST) == -EEXIST);
	CHECK(bpfh_map_lookup_ptr(outer, &k) == a);
	CHECK(bpfh_map_lookup(outer, &k, &id) == 0 && id == 6);
	id = 7;
	CHECK(bpfh_map_update(outer, &k, &id, BPFH_EXIST) == 0);
	CHECK(bpfh_map_lookup_obj(outer, &k) == b);
	nk = 1;
	CHECK(bpfh_map_update_obj(outer, &nk, a, 0) == 0);
	nk = 2;
	CHECK(bpfh_map_update_obj(outer, &nk, a, 0) == -E2BIG);
	CHECK(bpfh_map_update_obj(outer, &nk, tmpl, BPFH_EXIST) == -ENOENT);
	CHECK(bpfh_map_next_key(outer, NULL, &nk) == 0);
	CHECK(bpfh_map_lookup_and_delete(outer, &k, &id) == -ENOTSUP);
	CHECK(bpfh_map_update_prog(outer, &k, &id, 0) == -ENOTSUP);
	/* Creator lets go; the outer map still holds a and b. */
	registry[6] = registry[7] = NULL;
	bpfh_map_put(a);
	bpfh_map_put(b);
	{
		uint32_t ik = 5, iv = 9, out = 0;
		struct bpfh_map *in = bpfh_map_lookup_ptr(outer, &k);

		CHECK(in && bpfh_map_update(in, &ik, &iv, 0) == 0);
		CHECK(in && bpfh_map_lookup(in, &ik, &out) == 0 && out == 9);
	}
	CHECK(bpfh_map_delete(outer, &k) == 0); /* frees b */
	bpfh_map_clear_objs(outer);            /* frees a */
	CHECK(bpfh_map_next_key(outer, NULL, &nk) == -ENOENT);
	bpfh_map_put(outer);
	bpfh_map_put(tmpl);
}

static void test_devmap(void)
{
	struct bpfh_map *m = mk(T(DEVMAP), 4, 8, 4, 0);
	struct bpfh_map *m4 = mk(T(DEVMAP), 4, 4, 4, 0);
	struct bpfh_devmap_val v, out, *p;
	uint32_t k = 1, ifindex, next;

	if (!m || !m4)
		return;
	bpfh_map_set_resolver(m, &resolver);
	CHECK(bpfh_map_lookup(m, &k, &out) == -ENOENT);
	CHECK(bpfh_map_lookup_ptr(m, &k) == NULL);
	v.ifindex = 3;
	v.prog_id = 0;
	CHECK(bpfh_map_update(m, &k, &v, BPFH_NOEXIST) == -EEXIST);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_ANY) == 0);
	CHECK(bpfh_map_lookup(m, &k, &out) == 0 && out.ifindex == 3 && out.prog_id == 0);
	p = bpfh_map_lookup_ptr(m, &k);
	CHECK(p && p->ifindex == 3);
	v.prog_id = 12;
	CHECK(bpfh_map_update(m, &k, &v, BPFH_EXIST) == 0);
	CHECK(progs[1].refs == 1); /* checked, not held */
	CHECK(p && p->prog_id == 12);
	v.prog_id = 55;
	CHECK(bpfh_map_update(m, &k, &v, 0) == -EINVAL); /* no such program */
	v.ifindex = 0;
	v.prog_id = 12;
	CHECK(bpfh_map_update(m, &k, &v, 0) == -EINVAL); /* a program needs a port */
	v.prog_id = 0;
	CHECK(bpfh_map_update(m, &k, &v, 0) == 0); /* ifindex 0 empties the slot */
	CHECK(bpfh_map_lookup(m, &k, &out) == -ENOENT);
	k = 4;
	v.ifindex = 2;
	CHECK(bpfh_map_update(m, &k, &v, 0) == -E2BIG);
	CHECK(bpfh_map_delete(m, &k) == -EINVAL);
	k = 2;
	CHECK(bpfh_map_delete(m, &k) == 0); /* empty: still 0, as Linux */
	CHECK(bpfh_map_update_prog(m, &k, &v, 0) == -ENOTSUP);
	CHECK(bpfh_map_next_key(m, NULL, &next) == 0 && next == 0);

	ifindex = 9;
	CHECK(bpfh_map_update(m4, &k, &ifindex, 0) == 0);
	CHECK(bpfh_map_lookup(m4, &k, &next) == 0 && next == 9);
	p = bpfh_map_lookup_ptr(m4, &k);
	CHECK(p && p->ifindex == 9);
	bpfh_map_put(m);
	bpfh_map_put(m4);
}

static void test_devmap_hash(void)
{
	struct bpfh_map *m = mk(T(DEVMAP_HASH), 4, 8, 2, 0);
	struct bpfh_devmap_val v = { 5, 0 }, out, *p;
	uint32_t k = 1000, next;

	if (!m)
		return;
	CHECK(bpfh_map_update(m, &k, &v, BPFH_EXIST) == 0); /* EXIST inserts, as Linux */
	CHECK(bpfh_map_update(m, &k, &v, BPFH_NOEXIST) == -EEXIST);
	CHECK(bpfh_map_lookup(m, &k, &out) == 0 && out.ifindex == 5);
	p = bpfh_map_lookup_ptr(m, &k);
	CHECK(p && p->ifindex == 5 && p->prog_id == 0);
	v.ifindex = 0;
	CHECK(bpfh_map_update(m, &k, &v, 0) == -EINVAL);
	v.ifindex = 6;
	v.prog_id = 77; /* no resolver: not checked */
	k = 2000;
	CHECK(bpfh_map_update(m, &k, &v, 0) == 0);
	k = 3000;
	CHECK(bpfh_map_update(m, &k, &v, 0) == -E2BIG);
	CHECK(bpfh_map_delete(m, &k) == -ENOENT);
	k = 2000;
	CHECK(bpfh_map_lookup(m, &k, &out) == 0 && out.prog_id == 77);
	CHECK(bpfh_map_delete(m, &k) == 0);
	CHECK(bpfh_map_next_key(m, NULL, &next) == 0 && next == 1000);
	CHECK(bpfh_map_next_key(m, &next, &next) == -ENOENT);
	bpfh_map_put(m);
}

int main(void)
{
	test_cpus();
	test_prog_array();
	test_array_of_maps();
	test_hash_of_maps();
	test_devmap();
	test_devmap_hash();
	return check_summary("maps-objects");
}
