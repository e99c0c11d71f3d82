// SPDX-License-Identifier: MIT
/*
 * Map creation: every type's checks of sizes, flags and map_extra as Linux makes them, with
 * the errno Linux returns and a log line saying why; the common checks (name, access flag
 * pairs, map-in-map templates); what creation records (BPF_F_RDONLY_PROG on device maps,
 * user-side value sizes, type names); CPU slot configuration; and the user-side permission
 * flags (BPF_F_RDONLY, BPF_F_WRONLY, freeze).
 */
#include "maps_test.h"

#define T(x) BPFH_MAP_TYPE_##x

struct create_case {
	const char *what;
	uint32_t type, key, value, max, flags;
	uint64_t extra;
	int err;
};

static const struct create_case cases[] = {
	/* hash family */
	{ "hash ok", T(HASH), 4, 8, 16, 0, 0, 0 },
	{ "hash no_prealloc", T(HASH), 4, 8, 16, BPFH_F_NO_PREALLOC, 0, 0 },
	{ "hash zero key", T(HASH), 0, 8, 16, 0, 0, -EINVAL },
	{ "hash zero value", T(HASH), 4, 0, 16, 0, 0, -EINVAL },
	{ "hash zero max", T(HASH), 4, 8, 0, 0, 0, -EINVAL },
	{ "hash key 513", T(HASH), 513, 8, 16, 0, 0, -E2BIG },
	{ "hash key 512", T(HASH), 512, 8, 16, 0, 0, 0 },
	{ "hash huge value", T(HASH), 4, 1u << 22, 16, 0, 0, -E2BIG },
	{ "hash mmapable", T(HASH), 4, 8, 16, BPFH_F_MMAPABLE, 0, -EINVAL },
	{ "hash no_common_lru", T(HASH), 4, 8, 16, BPFH_F_NO_COMMON_LRU, 0, -EINVAL },
	{ "hash zero_seed", T(HASH), 4, 8, 16, BPFH_F_ZERO_SEED, 0, 0 },
	{ "hash map_extra", T(HASH), 4, 8, 16, 0, 1, -EINVAL },
	{ "hash rdonly_prog", T(HASH), 4, 8, 16, BPFH_F_RDONLY_PROG, 0, 0 },
	{ "percpu_hash ok", T(PERCPU_HASH), 4, 8, 16, 0, 0, 0 },
	{ "percpu_hash numa", T(PERCPU_HASH), 4, 8, 16, BPFH_F_NUMA_NODE, 0, -EINVAL },
	{ "percpu_hash value 32769", T(PERCPU_HASH), 4, 32769, 16, 0, 0, -E2BIG },
	{ "lru ok", T(LRU_HASH), 4, 8, 16, 0, 0, 0 },
	{ "lru no_prealloc", T(LRU_HASH), 4, 8, 16, BPFH_F_NO_PREALLOC, 0, -ENOTSUP },
	{ "lru no_common_lru", T(LRU_HASH), 4, 8, 16, BPFH_F_NO_COMMON_LRU, 0, 0 },
	{ "lru_percpu ok", T(LRU_PERCPU_HASH), 8, 4, 16, 0, 0, 0 },
	/* arrays */
	{ "array ok", T(ARRAY), 4, 3, 10, 0, 0, 0 },
	{ "array key 8", T(ARRAY), 8, 4, 10, 0, 0, -EINVAL },
	{ "array zero value", T(ARRAY), 4, 0, 10, 0, 0, -EINVAL },
	{ "array zero max", T(ARRAY), 4, 4, 0, 0, 0, -EINVAL },
	{ "array no_prealloc", T(ARRAY), 4, 4, 10, BPFH_F_NO_PREALLOC, 0, -EINVAL },
	{ "array mmapable", T(ARRAY), 4, 4, 10, BPFH_F_MMAPABLE, 0, 0 },
	{ "array inner_map", T(ARRAY), 4, 4, 10, BPFH_F_INNER_MAP, 0, 0 },
	{ "array preserve", T(ARRAY), 4, 4, 10, BPFH_F_PRESERVE_ELEMS, 0, -EINVAL },
	{ "array rdonly+wronly", T(ARRAY), 4, 4, 10, BPFH_F_RDONLY | BPFH_F_WRONLY, 0, -EINVAL },
	{ "array rdonly_prog+wronly_prog", T(ARRAY), 4, 4, 10,
	  BPFH_F_RDONLY_PROG | BPFH_F_WRONLY_PROG, 0, -EINVAL },
	{ "percpu_array mmapable", T(PERCPU_ARRAY), 4, 4, 10, BPFH_F_MMAPABLE, 0, -EINVAL },
	{ "percpu_array numa", T(PERCPU_ARRAY), 4, 4, 10, BPFH_F_NUMA_NODE, 0, -EINVAL },
	{ "percpu_array value 32768", T(PERCPU_ARRAY), 4, 32768, 1, 0, 0, 0 },
	{ "percpu_array value 32769", T(PERCPU_ARRAY), 4, 32769, 1, 0, 0, -E2BIG },
	/* object arrays */
	{ "prog_array ok", T(PROG_ARRAY), 4, 4, 8, 0, 0, 0 },
	{ "prog_array value 8", T(PROG_ARRAY), 4, 8, 8, 0, 0, -EINVAL },
	{ "prog_array key 8", T(PROG_ARRAY), 8, 4, 8, 0, 0, -EINVAL },
	{ "prog_array rdonly_prog", T(PROG_ARRAY), 4, 4, 8, BPFH_F_RDONLY_PROG, 0, -EINVAL },
	{ "prog_array mmapable", T(PROG_ARRAY), 4, 4, 8, BPFH_F_MMAPABLE, 0, -EINVAL },
	{ "perf ok", T(PERF_EVENT_ARRAY), 4, 4, 4, 0, 0, 0 },
	{ "perf preserve", T(PERF_EVENT_ARRAY), 4, 4, 4, BPFH_F_PRESERVE_ELEMS, 0, 0 },
	{ "perf value 8", T(PERF_EVENT_ARRAY), 4, 8, 4, 0, 0, -EINVAL },
	{ "perf zero max", T(PERF_EVENT_ARRAY), 4, 4, 0, 0, 0, -EINVAL },
	/* LPM trie */
	{ "lpm ok", T(LPM_TRIE), 8, 4, 16, BPFH_F_NO_PREALLOC, 0, 0 },
	{ "lpm needs no_prealloc", T(LPM_TRIE), 8, 4, 16, 0, 0, -EINVAL },
	{ "lpm key 4", T(LPM_TRIE), 4, 4, 16, BPFH_F_NO_PREALLOC, 0, -EINVAL },
	{ "lpm key 5", T(LPM_TRIE), 5, 4, 16, BPFH_F_NO_PREALLOC, 0, 0 },
	{ "lpm key 260", T(LPM_TRIE), 260, 4, 16, BPFH_F_NO_PREALLOC, 0, 0 },
	{ "lpm key 261", T(LPM_TRIE), 261, 4, 16, BPFH_F_NO_PREALLOC, 0, -EINVAL },
	{ "lpm zero value", T(LPM_TRIE), 8, 0, 16, BPFH_F_NO_PREALLOC, 0, -EINVAL },
	{ "lpm zero max", T(LPM_TRIE), 8, 4, 0, BPFH_F_NO_PREALLOC, 0, -EINVAL },
	{ "lpm zero_seed", T(LPM_TRIE), 8, 4, 16, BPFH_F_NO_PREALLOC | BPFH_F_ZERO_SEED, 0,
	  -EINVAL },
	/* queue, stack */
	{ "queue ok", T(QUEUE), 0, 4, 8, 0, 0, 0 },
	{ "queue key 4", T(QUEUE), 4, 4, 8, 0, 0, -EINVAL },
	{ "queue zero value", T(QUEUE), 0, 0, 8, 0, 0, -EINVAL },
	{ "queue zero max", T(QUEUE), 0, 4, 0, 0, 0, -EINVAL },
	{ "queue no_prealloc", T(QUEUE), 0, 4, 8, BPFH_F_NO_PREALLOC, 0, -EINVAL },
	{ "stack ok", T(STACK), 0, 12, 8, BPFH_F_RDONLY_PROG, 0, 0 },
	{ "stack huge value", T(STACK), 0, (1u << 22) + 1, 1, 0, 0, -E2BIG },
	/* ring buffer */
	{ "ringbuf ok", T(RINGBUF), 0, 0, 4096, 0, 0, 0 },
	{ "ringbuf 64k", T(RINGBUF), 0, 0, 65536, 0, 0, 0 },
	{ "ringbuf not pow2", T(RINGBUF), 0, 0, 12288, 0, 0, -EINVAL },
	{ "ringbuf below page", T(RINGBUF), 0, 0, 2048, 0, 0, -EINVAL },
	{ "ringbuf key", T(RINGBUF), 4, 0, 4096, 0, 0, -EINVAL },
	{ "ringbuf value", T(RINGBUF), 0, 4, 4096, 0, 0, -EINVAL },
	{ "ringbuf rdonly", T(RINGBUF), 0, 0, 4096, BPFH_F_RDONLY, 0, -EINVAL },
	{ "ringbuf numa", T(RINGBUF), 0, 0, 4096, BPFH_F_NUMA_NODE, 0, 0 },
	/* device maps */
	{ "devmap 4", T(DEVMAP), 4, 4, 8, 0, 0, 0 },
	{ "devmap 8", T(DEVMAP), 4, 8, 8, 0, 0, 0 },
	{ "devmap value 12", T(DEVMAP), 4, 12, 8, 0, 0, -EINVAL },
	{ "devmap key 8", T(DEVMAP), 8, 4, 8, 0, 0, -EINVAL },
	{ "devmap rdonly_prog", T(DEVMAP), 4, 4, 8, BPFH_F_RDONLY_PROG, 0, -EINVAL },
	{ "devmap no_prealloc", T(DEVMAP), 4, 4, 8, BPFH_F_NO_PREALLOC, 0, -EINVAL },
	{ "devmap_hash ok", T(DEVMAP_HASH), 4, 8, 8, 0, 0, 0 },
	{ "devmap_hash zero max", T(DEVMAP_HASH), 4, 8, 0, 0, 0, -EINVAL },
	/* bloom filter */
	{ "bloom ok", T(BLOOM_FILTER), 0, 4, 100, 0, 3, 0 },
	{ "bloom default hashes", T(BLOOM_FILTER), 0, 11, 100, 0, 0, 0 },
	{ "bloom key", T(BLOOM_FILTER), 4, 4, 100, 0, 3, -EINVAL },
	{ "bloom zero value", T(BLOOM_FILTER), 0, 0, 100, 0, 3, -EINVAL },
	{ "bloom zero max", T(BLOOM_FILTER), 0, 4, 0, 0, 3, -EINVAL },
	{ "bloom extra 16", T(BLOOM_FILTER), 0, 4, 100, 0, 16, -EINVAL },
	{ "bloom zero_seed", T(BLOOM_FILTER), 0, 4, 100, BPFH_F_ZERO_SEED, 15, 0 },
	{ "bloom no_prealloc", T(BLOOM_FILTER), 0, 4, 100, BPFH_F_NO_PREALLOC, 0, -EINVAL },
	{ "bloom huge value", T(BLOOM_FILTER), 0, (1u << 22) + 1, 100, 0, 0, -E2BIG },
	/* unknown types */
	{ "unspec", T(UNSPEC), 4, 4, 4, 0, 0, -EINVAL },
	{ "sockmap (15)", 15, 4, 4, 4, 0, 0, -EINVAL },
	{ "type 1000", 1000, 4, 4, 4, 0, 0, -EINVAL },
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct create_case *c = &cases[i];
		struct bpfh_map_def def;
		struct bpfh_map *map = (struct bpfh_map *)&def; /* must be reset to NULL */
		char buf[256];
		struct bpfh_log log;
		int err;

		memset(&def, 0, sizeof(def));
		def.type = c->type;
		def.key_size = c->key;
		def.value_size = c->value;
		def.max_entries = c->max;
		def.map_flags = c->flags;
		def.map_extra = c->extra;
		snprintf(def.name, sizeof(def.name), "m%zu", i);
		bpfh_log_init(&log, buf, sizeof(buf));
		err = bpfh_map_create(&def, NULL, &log, &map);
		CHECKF(err == c->err, "%s: got %d, want %d (%s)", c->what, err, c->err, buf);
		if (err) {
			CHECKF(map == NULL, "%s: out not cleared", c->what);
			CHECKF(log.len > 0 && strstr(buf, def.name) && buf[log.len - 1] == '\n',
			       "%s: log \"%s\"", c->what, buf);
		} else {
			CHECKF(map != NULL && log.len == 0, "%s: log \"%s\"", c->what, buf);
			bpfh_map_put(map);
		}
	}
}

static void test_names(void)
{
	struct bpfh_map_def def;
	struct bpfh_map *map;
	char buf[256];
	struct bpfh_log log;

	memset(&def, 0, sizeof(def));
	def.type = T(ARRAY);
	def.key_size = 4;
	def.value_size = 4;
	def.max_entries = 1;
	strcpy(def.name, "my_map.bss");
	CHECK(bpfh_map_create(&def, NULL, NULL, &map) == 0);
	CHECK_STR(bpfh_map_def(map)->name, "my_map.bss");
	bpfh_map_put(map);

	strcpy(def.name, "bad-name");
	bpfh_log_init(&log, buf, sizeof(buf));
	CHECK(bpfh_map_create(&def, NULL, &log, &map) == -EINVAL);
	CHECKF(strstr(buf, "name") != NULL, "log \"%s\"", buf);

	memset(def.name, 'a', sizeof(def.name)); /* not terminated */
	CHECK(bpfh_map_create(&def, NULL, NULL, &map) == -EINVAL);

	memset(def.name, 0, sizeof(def.name));
	def.max_entries = 0;
	bpfh_log_init(&log, buf, sizeof(buf));
	CHECK(bpfh_map_create(&def, NULL, &log, &map) == -EINVAL);
	CHECKF(strncmp(buf, "map (array): ", 13) == 0, "log \"%s\"", buf);

	CHECK(bpfh_map_create(NULL, NULL, NULL, &map) == -EINVAL && map == NULL);
	CHECK(bpfh_map_create(&def, NULL, NULL, NULL) == -EINVAL);
}

static void test_type_names(void)
{
	CHECK_STR(bpfh_map_type_name(T(HASH)), "hash");
	CHECK_STR(bpfh_map_type_name(T(LRU_PERCPU_HASH)), "lru_percpu_hash");
	CHECK_STR(bpfh_map_type_name(T(LPM_TRIE)), "lpm_trie");
	CHECK_STR(bpfh_map_type_name(T(DEVMAP_HASH)), "devmap_hash");
	CHECK_STR(bpfh_map_type_name(T(BLOOM_FILTER)), "bloom_filter");
	CHECK(bpfh_map_type_name(T(UNSPEC)) == NULL);
	CHECK(bpfh_map_type_name(16) == NULL);
	CHECK(bpfh_map_type_name(99999) == NULL);
}

static void test_recorded(void)
{
	struct bpfh_map *m;

	m = mk(T(DEVMAP), 4, 4, 4, 0);
	CHECK(m && (bpfh_map_def(m)->map_flags & BPFH_F_RDONLY_PROG));
	bpfh_map_put(m);
	m = mk(T(DEVMAP_HASH), 4, 8, 4, BPFH_F_RDONLY);
	CHECK(m && bpfh_map_def(m)->map_flags == (BPFH_F_RDONLY | BPFH_F_RDONLY_PROG));
	bpfh_map_put(m);
	m = mk(T(ARRAY), 4, 4, 4, BPFH_F_MMAPABLE | BPFH_F_RDONLY_PROG);
	CHECK(m && bpfh_map_def(m)->map_flags == (BPFH_F_MMAPABLE | BPFH_F_RDONLY_PROG));
	bpfh_map_put(m);

	m = mk(T(PERCPU_HASH), 4, 12, 4, 0);
	CHECK(m && bpfh_map_user_value_size(m) == 16 * TEST_NCPU);
	bpfh_map_put(m);
	m = mk(T(PERCPU_ARRAY), 4, 8, 4, 0);
	CHECK(m && bpfh_map_user_value_size(m) == 8 * TEST_NCPU);
	bpfh_map_put(m);
	m = mk(T(LRU_PERCPU_HASH), 4, 1, 4, 0);
	CHECK(m && bpfh_map_user_value_size(m) == 8 * TEST_NCPU);
	bpfh_map_put(m);
	m = mk(T(HASH), 4, 12, 4, 0);
	CHECK(m && bpfh_map_user_value_size(m) == 12);
	CHECK(m && bpfh_map_id(m) == 0);
	if (m) {
		bpfh_map_set_id(m, 77);
		CHECK(bpfh_map_id(m) == 77);
		CHECK(bpfh_map_get(m) == m);
		bpfh_map_put(m);
	}
	bpfh_map_put(m);
	bpfh_map_put(NULL);
	CHECK(bpfh_map_get(NULL) == NULL);
}

static void test_cpus_fixed(void)
{
	unsigned c;

	CHECK(bpfh_cpu_possible() == TEST_NCPU);
	CHECK(bpfh_cpu_set_possible(8) == -EBUSY);
	CHECK(bpfh_cpu_set_possible(0) == -EINVAL);
	CHECK(bpfh_cpu_set_possible(BPFH_CPU_LIMIT + 1) == -EINVAL);
	CHECK(bpfh_cpu_current() == 0);
	bpfh_cpu_set(3);
	CHECK(bpfh_cpu_current() == 3);
	bpfh_cpu_set(TEST_NCPU + 1);
	c = bpfh_cpu_current();
	CHECK(c == 1);
	bpfh_cpu_set(0);
}

static void test_inner_templates(void)
{
	struct bpfh_map_def def;
	struct bpfh_map *inner, *outer = NULL, *prog_array, *aom;
	char buf[256];
	struct bpfh_log log;

	memset(&def, 0, sizeof(def));
	def.type = T(ARRAY_OF_MAPS);
	def.key_size = 4;
	def.value_size = 4;
	def.max_entries = 4;
	bpfh_log_init(&log, buf, sizeof(buf));
	CHECK(bpfh_map_create(&def, NULL, &log, &outer) == -EINVAL);
	CHECKF(strstr(buf, "template") != NULL, "log \"%s\"", buf);

	inner = mk(T(HASH), 4, 4, 8, 0);
	prog_array = mk(T(PROG_ARRAY), 4, 4, 8, 0);
	CHECK(bpfh_map_create(&def, inner, NULL, &outer) == 0);
	aom = outer;
	CHECK(bpfh_map_create(&def, prog_array, NULL, &outer) == -ENOTSUP);
	CHECK(bpfh_map_create(&def, aom, NULL, &outer) == -EINVAL); /* no nesting */
	def.value_size = 8;
	CHECK(bpfh_map_create(&def, inner, NULL, &outer) == -EINVAL);
	def.type = T(HASH_OF_MAPS);
	CHECK(bpfh_map_create(&def, inner, NULL, &outer) == -EINVAL);
	def.value_size = 4;
	def.key_size = 0;
	CHECK(bpfh_map_create(&def, inner, NULL, &outer) == -EINVAL);
	def.key_size = 16;
	def.map_flags = BPFH_F_NO_PREALLOC;
	CHECK(bpfh_map_create(&def, inner, NULL, &outer) == 0);
	bpfh_map_put(outer);
	bpfh_map_put(aom);
	bpfh_map_put(inner);
	bpfh_map_put(prog_array);
}

static void test_permissions(void)
{
	uint32_t k = 1, v = 5, out;
	struct bpfh_map *m;

	m = mk(T(HASH), 4, 4, 4, BPFH_F_RDONLY);
	CHECK(bpfh_map_update(m, &k, &v, 0) == -EPERM);
	CHECK(bpfh_map_update_prog(m, &k, &v, 0) == 0); /* programs are not restricted */
	CHECK(bpfh_map_lookup(m, &k, &out) == 0 && out == 5);
	CHECK(bpfh_map_delete(m, &k) == -EPERM);
	CHECK(bpfh_map_lookup_and_delete(m, &k, &out) == -EPERM);
	CHECK(bpfh_map_next_key(m, NULL, &out) == 0 && out == 1);
	CHECK(bpfh_map_delete_prog(m, &k) == 0);
	bpfh_map_put(m);

	m = mk(T(HASH), 4, 4, 4, BPFH_F_WRONLY);
	CHECK(bpfh_map_update(m, &k, &v, 0) == 0);
	CHECK(bpfh_map_lookup(m, &k, &out) == -EPERM);
	CHECK(bpfh_map_next_key(m, NULL, &out) == -EPERM);
	CHECK(bpfh_map_lookup_and_delete(m, &k, &out) == -EPERM);
	CHECK(bpfh_map_lookup_ptr(m, &k) != NULL);
	CHECK(bpfh_map_delete(m, &k) == 0);
	bpfh_map_put(m);

	m = mk(T(ARRAY), 4, 4, 4, 0);
	CHECK(bpfh_map_update(m, &k, &v, 0) == 0);
	CHECK(bpfh_map_freeze(m) == 0);
	CHECK(bpfh_map_freeze(m) == -EBUSY);
	CHECK(bpfh_map_update(m, &k, &v, 0) == -EPERM);
	CHECK(bpfh_map_lookup(m, &k, &out) == 0 && out == 5);
	v = 6;
	CHECK(bpfh_map_update_prog(m, &k, &v, 0) == 0);
	CHECK(bpfh_map_lookup(m, &k, &out) == 0 && out == 6);
	bpfh_map_put(m);

	m = mk(T(QUEUE), 0, 4, 4, 0);
	CHECK(bpfh_map_freeze(m) == 0);
	CHECK(bpfh_map_update(m, NULL, &v, 0) == -EPERM);
	CHECK(bpfh_map_push(m, &v, 0) == 0); /* the program side */
	CHECK(bpfh_map_lookup_and_delete(m, NULL, &out) == -EPERM);
	CHECK(bpfh_map_lookup(m, NULL, &out) == 0 && out == 6);
	bpfh_map_put(m);

	/* Unknown update flags and BPF_F_LOCK. */
	m = mk(T(HASH), 4, 4, 4, 0);
	CHECK(bpfh_map_update(m, &k, &v, 3) == -EINVAL);
	CHECK(bpfh_map_update(m, &k, &v, BPFH_F_LOCK) == -EINVAL);
	CHECK(bpfh_map_update_prog(m, &k, &v, BPFH_F_LOCK) == -EINVAL);
	CHECK(bpfh_map_update_prog(m, &k, &v, 1ull << 40) == -EINVAL);
	bpfh_map_put(m);
}

int main(void)
{
	test_cpus();
	test_cases();
	test_names();
	test_type_names();
	test_recorded();
	test_cpus_fixed();
	test_inner_templates();
	test_permissions();
	return check_summary("maps-create");
}
