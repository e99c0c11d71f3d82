// SPDX-License-Identifier: MIT
/*
 * Many threads on the same maps at once (pthreads here, in the test only; the library has no
 * threads of its own). Program-side threads, one per CPU slot, look up values and add to them
 * atomically through the returned pointers, update, push, and emit ring buffer and perf
 * records; user-side threads update, delete, look up and iterate the same hash, LRU and LPM
 * maps, swap inner maps and programs under map-in-map and prog array slots; a consumer thread
 * drains the queue, the ring buffer and the perf buffer while they are written.
 *
 * Afterwards: per-CPU and array counters equal the number of increments, every record
 * produced was consumed once and in each producer's order, the queue conserved its elements,
 * the maps hold at most max_entries, and program references are back where they started.
 * Then a recycling phase (recycle_phase) checks the lock-free lookups of the hash maps and the
 * LPM trie against writers that reuse elements under them.
 * Run it under ThreadSanitizer with `make tsan-maps`. An optional argument sets the number of
 * iterations per program thread (default 20000).
 */
#include <pthread.h>

#include "maps_test.h"

#define T(x) BPFH_MAP_TYPE_##x
#define NPROG TEST_NCPU
#define NUSER 2

static unsigned iters = 20000;

static struct bpfh_map *h, *hn, *lru, *pch, *arr, *lpm, *q, *rb, *pe, *hom, *pa, *inner_tmpl;
static struct bpfh_perfbuf *pb;
static struct bpfh_ringbuf_consumer *rbc;

static uint32_t producers_done;
static uint64_t errors;        /* unexpected results anywhere */
static uint64_t rb_produced, rb_consumed, rb_order_bad;
static uint64_t pe_produced, pe_consumed, pe_lost;
static uint64_t q_pushed, q_popped;
static uint64_t rb_last_seq[NPROG];
static uint64_t pe_last_seq[NPROG];

struct fake_prog {
	int refs; /* atomic */
};
static struct fake_prog fprogs[2] = { { 1 }, { 1 } };

static void fprog_get(void *ctx, void *p)
{
	(void)ctx;
	__atomic_add_fetch(&((struct fake_prog *)p)->refs, 1, __ATOMIC_RELAXED);
}

static void fprog_put(void *ctx, void *p)
{
	(void)ctx;
	__atomic_sub_fetch(&((struct fake_prog *)p)->refs, 1, __ATOMIC_RELAXED);
}

static const struct bpfh_map_resolver fres = {
	.prog_get = fprog_get,
	.prog_put = fprog_put,
};

/* Count an unexpected result; report the first few with their line. */
#define bad() bad_at(__LINE__)
static void bad_at(int line)
{
	if (__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED) <= 5)
		printf("unexpected result at stress.c:%d\n", line);
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

struct rec {
	uint32_t tid;
	uint32_t pad;
	uint64_t seq;
};

struct lpm_key {
	uint32_t prefixlen;
	uint8_t data[4];
};

static void *prog_thread(void *arg)
{
	unsigned tid = (unsigned)(uintptr_t)arg;
	uint32_t seed = 0x9e3779b9u * (tid + 1), zero = 0, k;
	uint64_t one = 1, *p, rseq = 0, pseq = 0;
	unsigned i;
	int err;

	bpfh_cpu_set(tid);
	if (bpfh_cpu_current() != tid)
		bad();
	for (i = 0; i < iters; i++) {
		struct bpfh_map *maps[3] = { h, hn, lru };
		unsigned j;

		for (j = 0; j < 3; j++) {
			k = rnd(&seed) % 2048;
			p = bpfh_map_lookup_ptr(maps[j], &k);
			if (p) {
				__atomic_add_fetch(p, 1, __ATOMIC_RELAXED);
			} else {
				err = bpfh_map_update_prog(maps[j], &k, &one, BPFH_ANY);
				if (err && err != -E2BIG && !(j == 2 && err == -ENOMEM))
					bad();
			}
		}
		k = rnd(&seed) % 64;
		err = bpfh_map_delete_prog(h, &k);
		if (err && err != -ENOENT)
			bad();

		/* Per-CPU and array counters. */
		p = bpfh_map_lookup_ptr(pch, &zero);
		if (!p)
			bad();
		else
			__atomic_add_fetch(p, 1, __ATOMIC_RELAXED);
		p = bpfh_map_lookup_ptr(arr, &zero);
		__atomic_add_fetch(p, 1, __ATOMIC_RELAXED);

		/* LPM lookups while the user side changes the trie. */
		{
			struct lpm_key lk = { 32, { 10, (uint8_t)rnd(&seed), (uint8_t)rnd(&seed), 1 } };
			uint32_t *lv = bpfh_map_lookup_ptr(lpm, &lk);

			if (lv)
				(void)__atomic_load_n(lv, __ATOMIC_RELAXED);
		}

		/* Queue. */
		if (bpfh_map_push(q, &i, 0) == 0)
			__atomic_add_fetch(&q_pushed, 1, __ATOMIC_RELAXED);

		/* Ring buffer: reserve/submit, output and discards. */
		{
			struct rec r = { tid, 0, rseq };

			if (i % 3 == 0) {
				struct rec *rr = bpfh_ringbuf_reserve(rb, sizeof(r), 0);

				if (rr) {
					*rr = r;
					if (i % 9 == 0) {
						bpfh_ringbuf_discard(rr, 0);
					} else {
						bpfh_ringbuf_submit(rr, 0);
						rseq++;
						__atomic_add_fetch(&rb_produced, 1, __ATOMIC_RELAXED);
					}
				}
			} else if (bpfh_ringbuf_output(rb, &r, sizeof(r), 0) == 0) {
				rseq++;
				__atomic_add_fetch(&rb_produced, 1, __ATOMIC_RELAXED);
			}
		}

		/* Perf event array, on this thread's slot. */
		if (i % 4 == 0) {
			struct rec r = { tid, 0, pseq };

			err = bpfh_perf_event_output(pe, BPFH_F_CURRENT_CPU, &r, sizeof(r), NULL, 0);
			if (err == 0) {
				pseq++;
				__atomic_add_fetch(&pe_produced, 1, __ATOMIC_RELAXED);
			} else if (err != -ENOSPC) {
				bad();
			}
		}

		/* An inner map, held while used; a program slot, held while "run". */
		{
			struct bpfh_map *in = bpfh_map_lookup_obj_ref(hom, &zero);
			void *prog = bpfh_map_lookup_obj_ref(pa, &zero);

			if (in) {
				k = rnd(&seed) % 16;
				p = bpfh_map_lookup_ptr(in, &k);
				if (p)
					__atomic_add_fetch(p, 1, __ATOMIC_RELAXED);
				else if (bpfh_map_update_prog(in, &k, &one, 0) != 0)
					bad();
				bpfh_map_put(in);
			}
			if (prog)
				fprog_put(NULL, prog);
		}
	}
	return NULL;
}

/*
 * Walk m's keys, at most cap steps; the number of steps. While other threads delete, a walk
 * may restart from the first key (as on Linux, when the current key vanishes), so only a
 * quiet map's count means anything.
 */
static unsigned walk_keys(struct bpfh_map *m, unsigned cap)
{
	uint8_t k[16], next[16];
	unsigned n = 0;
	int err;

	err = bpfh_map_next_key(m, NULL, next);
	while (err == 0 && n < cap) {
		n++;
		memcpy(k, next, sizeof(k));
		err = bpfh_map_next_key(m, k, next);
	}
	if (err != 0 && err != -ENOENT)
		bad();
	return n;
}

static void *user_thread(void *arg)
{
	unsigned tid = (unsigned)(uintptr_t)arg;
	uint32_t seed = 0x85ebca6bu * (tid + 1), k, zero = 0;
	uint64_t v, pcv[TEST_NCPU];
	unsigned i, n = iters / 2;
	int err;

	for (i = 0; i < n; i++) {
		struct bpfh_map *maps[3] = { h, hn, lru };
		unsigned j;

		for (j = 0; j < 3; j++) {
			k = rnd(&seed) % 2048;
			v = i;
			err = bpfh_map_update(maps[j], &k, &v, BPFH_ANY);
			if (err && err != -E2BIG && !(j == 2 && err == -ENOMEM))
				bad();
			k = rnd(&seed) % 2048;
			err = bpfh_map_delete(maps[j], &k);
			if (err && err != -ENOENT)
				bad();
			k = rnd(&seed) % 2048;
			err = bpfh_map_lookup(maps[j], &k, &v);
			if (err && err != -ENOENT)
				bad();
		}
		if (i % 500 == 0) {
			walk_keys(h, 4096);
			walk_keys(hn, 4096);
			walk_keys(lru, 1024);
		}
		if (bpfh_map_lookup(pch, &zero, pcv) != 0)
			bad();

		/* The trie. */
		{
			struct lpm_key lk = { 8 + rnd(&seed) % 17,
					      { 10, (uint8_t)rnd(&seed), (uint8_t)rnd(&seed), 0 } };
			uint32_t lv = i;

			if (i % 2)
				err = bpfh_map_update(lpm, &lk, &lv, BPFH_ANY);
			else
				err = bpfh_map_delete(lpm, &lk);
			if (err && err != -ENOENT && err != -ENOSPC)
				bad();
			if (i % 1000 == 0)
				walk_keys(lpm, 2048);
		}

		/* Swap the inner map and the program. */
		if (tid == 0 && i % 16 == 0) {
			struct bpfh_map *in = mk(T(HASH), 4, 8, 16, 0);

			if (!in || bpfh_map_update_obj(hom, &zero, in, 0) != 0)
				bad();
			bpfh_map_put(in);
		}
		if (tid == 1) {
			if (bpfh_map_update_obj(pa, &zero, &fprogs[i % 2], 0) != 0)
				bad();
			if (i % 7 == 0 && bpfh_map_delete(pa, &zero) != 0)
				bad();
		}
	}
	return NULL;
}

static int on_rb(void *ctx, void *data, size_t size)
{
	struct rec r;

	(void)ctx;
	if (size != sizeof(r)) {
		bad();
		return 0;
	}
	memcpy(&r, data, sizeof(r));
	if (r.tid >= NPROG || r.seq != rb_last_seq[r.tid]) {
		__atomic_add_fetch(&rb_order_bad, 1, __ATOMIC_RELAXED);
	} else {
		rb_last_seq[r.tid]++;
	}
	__atomic_add_fetch(&rb_consumed, 1, __ATOMIC_RELAXED);
	return 0;
}

static void on_pe(void *ctx, int cpu, void *data, uint32_t size)
{
	struct rec r;

	(void)ctx;
	memcpy(&r, data, sizeof(r));
	/* 16 bytes: padded to 20 (20 + 4 is a multiple of 8). */
	if (size != 20 || (int)r.tid != cpu || r.seq < pe_last_seq[cpu])
		bad();
	pe_last_seq[cpu] = r.seq + 1;
	__atomic_add_fetch(&pe_consumed, 1, __ATOMIC_RELAXED);
}

static void on_pe_lost(void *ctx, int cpu, uint64_t cnt)
{
	(void)ctx;
	(void)cpu;
	__atomic_add_fetch(&pe_lost, cnt, __ATOMIC_RELAXED);
}

static void drain(void)
{
	unsigned v;

	if (bpfh_ringbuf_consumer_consume(rbc) < 0)
		bad();
	bpfh_perfbuf_consume(pb);
	while (bpfh_map_pop(q, &v) == 0)
		__atomic_add_fetch(&q_popped, 1, __ATOMIC_RELAXED);
}

static void *consumer_thread(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&producers_done, __ATOMIC_ACQUIRE)) {
		if (bpfh_ringbuf_consumer_poll(rbc, 1) < 0)
			bad();
		bpfh_perfbuf_poll(pb, 0);
		{
			unsigned v;

			if (bpfh_map_pop(q, &v) == 0)
				__atomic_add_fetch(&q_popped, 1, __ATOMIC_RELAXED);
		}
	}
	drain();
	return NULL;
}

/*
 * Recycling: program-side readers look up keys while writers delete and reinsert others, so
 * that the elements (trie nodes) under the readers' lock-free walks are reused for other keys
 * in other buckets (nulls markers, sequence counts). Stable keys are never deleted: a lookup
 * of one must find it, at the same address, with its value, however the walk was disturbed.
 * A churning key may legitimately come back with another key's value (its element reused
 * after the lookup returned, as on Linux), but never with a value no key ever had.
 */
#define RC_STABLE 16
#define RC_CHURN 96
#define RC_WORDS 8
#define RC_ITERS (5 * iters) /* lookups per reader: cheap, and a stray walk is rare */

struct rc_key {
	uint64_t a, b; /* 16 bytes: two words to compare */
};

static struct bpfh_map *rc_hash, *rc_lru, *rc_lpm;
static uint64_t *rc_stable_ptr[RC_STABLE];
static uint32_t rc_readers_done;
static uint64_t rc_churn_found, rc_churn_other;

static struct rc_key rc_key(unsigned i)
{
	struct rc_key k = { i * 0x9e3779b97f4a7c15ull, ~(uint64_t)i };

	return k;
}

static uint64_t rc_tag(unsigned i)
{
	return 0xabcd000000000000ull | i;
}

static int rc_tag_ok(uint64_t v)
{
	return (v >> 48) == 0xabcd && (v & 0xffffffffffffull) < RC_STABLE + RC_CHURN;
}

static void rc_value(unsigned i, uint64_t *v)
{
	unsigned w;

	for (w = 0; w < RC_WORDS; w++)
		v[w] = rc_tag(i);
}

/* 10.0.0.0/8 is stable (value 1000); churning /16 and /24 prefixes inside it have values
 * len << 24 | b << 8 | c. */
static struct lpm_key rc_prefix(unsigned r)
{
	struct lpm_key k = { (r & 1) ? 24 : 16, { 10, (uint8_t)(r >> 1 & 3), 0, 0 } };

	if (k.prefixlen == 24)
		k.data[2] = (uint8_t)(r >> 3 & 7);
	return k;
}

static void *rc_reader(void *arg)
{
	unsigned tid = (unsigned)(uintptr_t)arg, i;
	uint32_t seed = 0x27d4eb2du * (tid + 1);
	uint64_t found = 0, other = 0;

	bpfh_cpu_set(tid);
	for (i = 0; i < RC_ITERS; i++) {
		unsigned s = rnd(&seed) % RC_STABLE, c = RC_STABLE + rnd(&seed) % RC_CHURN;
		struct rc_key k = rc_key(s);
		uint64_t *p = bpfh_map_lookup_ptr(rc_hash, &k);
		uint32_t *lv;

		if (p != rc_stable_ptr[s] ||
		    (p && (__atomic_load_n(&p[0], __ATOMIC_RELAXED) != rc_tag(s) ||
			   __atomic_load_n(&p[RC_WORDS - 1], __ATOMIC_RELAXED) != rc_tag(s))))
			bad();
		k = rc_key(c);
		p = bpfh_map_lookup_ptr(rc_hash, &k);
		if (p) {
			uint64_t v = __atomic_load_n(&p[0], __ATOMIC_RELAXED);

			if (v == rc_tag(c))
				found++;
			else if (rc_tag_ok(v))
				other++;
			else
				bad();
		}
		p = bpfh_map_lookup_ptr(rc_lru, &k);
		if (p && !rc_tag_ok(__atomic_load_n(&p[0], __ATOMIC_RELAXED)))
			bad();

		/* The trie: 10/8 always matches, 11/8 never. */
		{
			uint32_t r = rnd(&seed);
			struct lpm_key a = { 32, { 10, (uint8_t)(r & 3), (uint8_t)(r >> 2 & 7), 1 } };
			struct lpm_key b = { 32, { 11, 0, 0, 1 } };

			lv = bpfh_map_lookup_ptr(rc_lpm, &a);
			if (!lv)
				bad();
			else {
				uint32_t v = __atomic_load_n(lv, __ATOMIC_RELAXED);

				if (v != 1000 && (v >> 24) != 16 && (v >> 24) != 24)
					bad();
			}
			if (bpfh_map_lookup_ptr(rc_lpm, &b))
				bad();
		}
	}
	__atomic_add_fetch(&rc_churn_found, found, __ATOMIC_RELAXED);
	__atomic_add_fetch(&rc_churn_other, other, __ATOMIC_RELAXED);
	__atomic_add_fetch(&rc_readers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Delete and reinsert churning keys and prefixes until the readers are done; writer 0 on the
 * user side, writer 1 as a program. */
static void *rc_writer(void *arg)
{
	unsigned tid = (unsigned)(uintptr_t)arg;
	uint32_t seed = 0x165667b1u * (tid + 1);
	uint64_t v[RC_WORDS];

	bpfh_cpu_set(2 + tid);
	while (__atomic_load_n(&rc_readers_done, __ATOMIC_ACQUIRE) < 2) {
		unsigned c = RC_STABLE + rnd(&seed) % RC_CHURN, r = rnd(&seed);
		unsigned c2 = RC_STABLE + rnd(&seed) % RC_CHURN;
		struct rc_key k = rc_key(c), k2 = rc_key(c2);
		struct lpm_key lk = rc_prefix(r);
		uint32_t lvv = lk.prefixlen << 24 | (uint32_t)lk.data[1] << 8 | lk.data[2];
		int err;

		/* Delete one key, insert another: its element comes back in another bucket. */
		rc_value(c2, v);
		if (tid == 0) {
			err = bpfh_map_delete(rc_hash, &k);
			if (err && err != -ENOENT)
				bad();
			err = bpfh_map_update(rc_hash, &k2, v, BPFH_NOEXIST);
			if (err && err != -EEXIST && err != -E2BIG)
				bad();
			err = bpfh_map_update(rc_lru, &k2, v, BPFH_ANY);
			if (err && err != -ENOMEM)
				bad();
			err = bpfh_map_delete(rc_lpm, &lk);
			if (err && err != -ENOENT)
				bad();
		} else {
			err = bpfh_map_delete_prog(rc_hash, &k);
			if (err && err != -ENOENT)
				bad();
			err = bpfh_map_update_prog(rc_hash, &k2, v, BPFH_NOEXIST);
			if (err && err != -EEXIST && err != -E2BIG)
				bad();
			err = bpfh_map_delete_prog(rc_lru, &k);
			if (err && err != -ENOENT)
				bad();
			err = bpfh_map_update_prog(rc_lpm, &lk, &lvv, BPFH_ANY);
			if (err && err != -ENOSPC)
				bad();
		}
	}
	return NULL;
}

static void recycle_phase(void)
{
	pthread_t rd[2], wr[2];
	uint64_t v[RC_WORDS];
	struct lpm_key k8 = { 8, { 10, 0, 0, 0 } };
	uint32_t v8 = 1000;
	unsigned i;

	/* Few buckets, so that reused elements move between the chains under the readers. */
	rc_hash = mk(T(HASH), sizeof(struct rc_key), sizeof(v), 48, 0);
	rc_lru = mk(T(LRU_HASH), sizeof(struct rc_key), sizeof(v), 32, 0);
	rc_lpm = mk(T(LPM_TRIE), 8, 4, 24, BPFH_F_NO_PREALLOC);
	if (!rc_hash || !rc_lru || !rc_lpm) {
		printf("FAIL: recycle setup\n");
		exit(1);
	}
	for (i = 0; i < RC_STABLE; i++) {
		struct rc_key k = rc_key(i);

		rc_value(i, v);
		CHECK(bpfh_map_update(rc_hash, &k, v, BPFH_NOEXIST) == 0);
		rc_stable_ptr[i] = bpfh_map_lookup_ptr(rc_hash, &k);
		CHECK(rc_stable_ptr[i] != NULL);
	}
	CHECK(bpfh_map_update(rc_lpm, &k8, &v8, BPFH_NOEXIST) == 0);
	for (i = 0; i < 2; i++) {
		CHECK(pthread_create(&wr[i], NULL, rc_writer, (void *)(uintptr_t)i) == 0);
		CHECK(pthread_create(&rd[i], NULL, rc_reader, (void *)(uintptr_t)i) == 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(rd[i], NULL);
		pthread_join(wr[i], NULL);
	}
	CHECKF(errors == 0, "%llu unexpected results while recycling",
	       (unsigned long long)errors);
	CHECK(walk_keys(rc_hash, 1000) <= 48 && walk_keys(rc_lru, 1000) <= 32 &&
	      walk_keys(rc_lpm, 1000) <= 24);
	printf("recycle: %u lookups x 2 threads; churning keys found %llu, found reused %llu\n",
	       RC_ITERS, (unsigned long long)rc_churn_found, (unsigned long long)rc_churn_other);
	bpfh_map_put(rc_hash);
	bpfh_map_put(rc_lru);
	bpfh_map_put(rc_lpm);
}

static void setup(void)
{
	struct bpfh_map_def def;
	uint32_t zero = 0;
	uint64_t z[TEST_NCPU] = { 0 };

	h = mk(T(HASH), 4, 8, 1024, 0);
	hn = mk(T(HASH), 4, 8, 1024, BPFH_F_NO_PREALLOC);
	lru = mk(T(LRU_HASH), 4, 8, 256, 0);
	pch = mk(T(PERCPU_HASH), 4, 8, 64, 0);
	arr = mk(T(ARRAY), 4, 8, 16, 0);
	lpm = mk(T(LPM_TRIE), 8, 4, 512, BPFH_F_NO_PREALLOC);
	q = mk(T(QUEUE), 0, 4, 256, 0);
	rb = mk(T(RINGBUF), 0, 0, 1u << 16, 0);
	pe = mk(T(PERF_EVENT_ARRAY), 4, 4, NPROG, 0);
	pa = mk(T(PROG_ARRAY), 4, 4, 2, 0);
	inner_tmpl = mk(T(HASH), 4, 8, 16, 0);
	memset(&def, 0, sizeof(def));
	def.type = T(HASH_OF_MAPS);
	def.key_size = 4;
	def.value_size = 4;
	def.max_entries = 4;
	if (bpfh_map_create(&def, inner_tmpl, NULL, &hom) != 0 || !h || !hn || !lru || !pch ||
	    !arr || !lpm || !q || !rb || !pe || !pa) {
		printf("FAIL: setup\n");
		exit(1);
	}
	bpfh_map_set_resolver(pa, &fres);
	if (bpfh_map_update(pch, &zero, z, BPFH_NOEXIST) != 0 ||
	    bpfh_ringbuf_consumer_create(rb, on_rb, NULL, &rbc) != 0 ||
	    bpfh_perfbuf_create(pe, 4, on_pe, on_pe_lost, NULL, &pb) != 0) {
		printf("FAIL: setup\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	pthread_t prog[NPROG], user[NUSER], cons;
	uint64_t pcv[TEST_NCPU], av, sum = 0;
	uint32_t zero = 0;
	unsigned i;

	if (argc > 1)
		iters = (unsigned)strtoul(argv[1], NULL, 10);
	test_cpus();
	setup();
	CHECK(pthread_create(&cons, NULL, consumer_thread, NULL) == 0);
	for (i = 0; i < NUSER; i++)
		CHECK(pthread_create(&user[i], NULL, user_thread, (void *)(uintptr_t)i) == 0);
	for (i = 0; i < NPROG; i++)
		CHECK(pthread_create(&prog[i], NULL, prog_thread, (void *)(uintptr_t)i) == 0);
	for (i = 0; i < NPROG; i++)
		pthread_join(prog[i], NULL);
	for (i = 0; i < NUSER; i++)
		pthread_join(user[i], NULL);
	__atomic_store_n(&producers_done, 1, __ATOMIC_RELEASE);
	pthread_join(cons, NULL);

	CHECKF(errors == 0, "%llu unexpected results", (unsigned long long)errors);
	CHECK(bpfh_map_lookup(pch, &zero, pcv) == 0);
	for (i = 0; i < TEST_NCPU; i++) {
		CHECKF(pcv[i] == iters, "cpu %u: %llu", i, (unsigned long long)pcv[i]);
		sum += pcv[i];
	}
	CHECK(sum == (uint64_t)iters * NPROG);
	CHECK(bpfh_map_lookup(arr, &zero, &av) == 0 && av == (uint64_t)iters * NPROG);
	CHECKF(rb_consumed == rb_produced && rb_order_bad == 0,
	       "ringbuf produced %llu consumed %llu out of order %llu",
	       (unsigned long long)rb_produced, (unsigned long long)rb_consumed,
	       (unsigned long long)rb_order_bad);
	CHECK(bpfh_ringbuf_query(rb, BPFH_RB_AVAIL_DATA) == 0);
	CHECKF(pe_consumed == pe_produced, "perf produced %llu consumed %llu lost %llu",
	       (unsigned long long)pe_produced, (unsigned long long)pe_consumed,
	       (unsigned long long)pe_lost);
	CHECKF(q_pushed == q_popped, "queue pushed %llu popped %llu",
	       (unsigned long long)q_pushed, (unsigned long long)q_popped);
	/* Quiet now: a walk sees each key once, and no more than max_entries. */
	CHECK(walk_keys(h, 100000) <= 1024 && walk_keys(hn, 100000) <= 1024);
	CHECK(walk_keys(lru, 100000) <= 256 && walk_keys(lpm, 100000) <= 512);
	CHECK(errors == 0);

	bpfh_map_clear_objs(pa);
	CHECK(fprogs[0].refs == 1 && fprogs[1].refs == 1);
	recycle_phase();
	printf("stress: %u iterations x %d program threads; ringbuf %llu, perf %llu (+%llu lost), "
	       "queue %llu\n", iters, NPROG, (unsigned long long)rb_consumed,
	       (unsigned long long)pe_consumed, (unsigned long long)pe_lost,
	       (unsigned long long)q_popped);

	bpfh_ringbuf_consumer_destroy(rbc);
	bpfh_perfbuf_destroy(pb);
	bpfh_map_put(h);
	bpfh_map_put(hn);
	bpfh_map_put(lru);
	bpfh_map_put(pch);
	bpfh_map_put(arr);
	bpfh_map_put(lpm);
	bpfh_map_put(q);
	bpfh_map_put(rb);
	bpfh_map_put(pe);
	bpfh_map_put(pa);
	bpfh_map_put(hom);
	bpfh_map_put(inner_tmpl);
	return check_summary("maps-stress");
}
