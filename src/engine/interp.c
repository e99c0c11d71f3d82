// SPDX-License-Identifier: MIT
/*
 * The interpreters: the loop in interp_body.h compiled once fast and once checked, plus the
 * pieces they share (signed division without overflow, byte swaps, atomics, the checked
 * engine's region test and fault messages). Direct threading with GNU C's computed goto, a
 * switch elsewhere.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "engine_int.h"

#if defined(__GNUC__) && !defined(BPFH_NO_THREADED)
#define BPFH_THREADED 1
#else
#define BPFH_THREADED 0
#endif

static uint64_t sdiv64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return 0;
	if (b == UINT64_MAX) /* -1: negation, which wraps INT64_MIN to itself */
		return 0 - a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}

static uint64_t smod64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return a;
	if (b == UINT64_MAX)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}

static uint32_t sdiv32(uint32_t a, uint32_t b)
{
	if (b == 0)
		return 0;
	if (b == UINT32_MAX)
		return 0 - a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}

static uint32_t smod32(uint32_t a, uint32_t b)
{
	if (b == 0)
		return a;
	if (b == UINT32_MAX)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

static inline uint16_t bswap16(uint16_t x)
{
	return (uint16_t)((x >> 8) | (x << 8));
}

static inline uint32_t bswap32(uint32_t x)
{
	return (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
}

static inline uint64_t bswap64(uint64_t x)
{
	return (uint64_t)bswap32((uint32_t)x) << 32 | bswap32((uint32_t)(x >> 32));
}

static uint64_t load_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Atomic read-modify-write on naturally aligned memory; each returns the old value. */
#if defined(__GNUC__)
#define DEF_ATOMICS(BITS, T)                                                                   \
	static T atomic_add##BITS(T *p, T v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); } \
	static T atomic_or##BITS(T *p, T v) { return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST); }   \
	static T atomic_and##BITS(T *p, T v) { return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST); } \
	static T atomic_xor##BITS(T *p, T v) { return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST); } \
	static T atomic_xchg##BITS(T *p, T v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); } \
	static T atomic_cmpxchg##BITS(T *p, T expect, T v)                                     \
	{                                                                                      \
		__atomic_compare_exchange_n(p, &expect, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
		return expect;                                                                 \
	}
#else
#error "bpfhost's interpreter needs GNU C atomics (gcc, clang, MinGW-w64)"
#endif
DEF_ATOMICS(64, uint64_t)
DEF_ATOMICS(32, uint32_t)


/* Checked engine: [addr, addr + size) lies in the live stack frames (from the current frame's
 * bottom to the top of the stack) or in one region of the run, writable if written. */
static int access_ok(const struct bpfh_run *run, const uint64_t *stack, uint64_t r10,
		     uint64_t addr, uint64_t size, int write)
{
	uint64_t lo = r10 - BPFH_STACK_SIZE;
	uint64_t top = (uint64_t)(uintptr_t)stack + BPFH_MAX_FRAMES * BPFH_STACK_SIZE;
	size_t i;

	if (addr >= lo && addr <= top && size <= top - addr)
		return 1;
	for (i = 0; i < run->nregions; i++) {
		const struct bpfh_region *r = &run->regions[i];

		if (addr >= r->base && size <= r->size && addr - r->base <= r->size - size &&
		    (!write || r->writable))
			return 1;
	}
	for (i = 0; i < run->nouter; i++)
		if (addr >= run->outer_lo[i] && addr <= run->outer_hi[i] &&
		    size <= run->outer_hi[i] - addr)
			return 1;
	for (i = 0; i < run->ndyn; i++) {
		const struct bpfh_region *r = &run->dyn[i];

		if (addr >= r->base && size <= r->size && addr - r->base <= r->size - size &&
		    (!write || r->writable))
			return 1;
	}
	return 0;
}

#define INTERP_CHECKED 0
#define INTERP_FN interp_fast
#include "interp_body.h"
#undef INTERP_CHECKED
#undef INTERP_FN

#define INTERP_CHECKED 1
#define INTERP_FN interp_checked
#include "interp_body.h"
#undef INTERP_CHECKED
#undef INTERP_FN

void bpfh_interp_prepare(struct bpfh_exec *exec)
{
	const void *const *labels = NULL;
	size_t i;

#if BPFH_THREADED
	if (exec->engine == BPFH_ENGINE_INTERP_CHECKED)
		interp_checked(NULL, NULL, 0, NULL, NULL, &labels);
	else
		interp_fast(NULL, NULL, 0, NULL, NULL, &labels);
#endif
	for (i = 0; i < exec->count; i++) {
		struct interp_insn *c = &exec->code[i];
		const struct bpfh_insn *in = &exec->insns[i];

		if (labels)
			c->h.label = labels[exec->ops[i]];
		else
			c->h.op = exec->ops[i];
		c->dst = in->dst;
		c->src = in->src;
		c->off = in->off;
		c->imm = in->imm;
	}
}

int bpfh_interp_run(const struct bpfh_exec *exec, struct bpfh_run *run, size_t start,
		    const uint64_t args[5], uint64_t *r0)
{
	if (exec->engine == BPFH_ENGINE_INTERP_CHECKED)
		return interp_checked(exec, run, start, args, r0, NULL);
	return interp_fast(exec, run, start, args, r0, NULL);
}
