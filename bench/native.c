// SPDX-License-Identifier: MIT
/*
 * Native C versions of the benchmark programs (see native.h). Each follows its .asm file step
 * by step, so that both compute the same r0; loads are little-endian, as on the hosts bpfhost
 * runs on, and byte swaps are written out.
 */
#include <string.h>

#include "native.h"

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint64_t bench_arith(const uint8_t *mem, size_t len)
{
	uint64_t x, h, i;

	(void)len;
	memcpy(&x, mem, sizeof(x));
	h = x;
	for (i = 1000; i != 0; i--) {
		uint32_t w;

		h += x;
		h *= 0x5bd1e995;
		h ^= i;
		h ^= h >> 29;
		w = (uint32_t)h;
		w = w << 7 | w >> 25;
		x += w;
		x = (x >> 1) | (x & 0x8000000000000000ull); /* arithmetic shift right by 1 */
	}
	return h;
}

uint64_t bench_checksum(const uint8_t *mem, size_t len)
{
	uint64_t sum = 0;
	size_t i, words = len >> 1;

	for (i = 0; i < words; i++)
		sum += be16_at(mem + 2 * i);
	for (i = 0; i < 3; i++) /* at most 2^16 words: three folds reach 16 bits */
		sum = (sum & 0xffff) + (sum >> 16);
	return sum ^ 0xffff;
}

uint64_t bench_parse(const uint8_t *mem, size_t len)
{
	size_t off = 14, ihl;
	const uint8_t *ip;
	unsigned type;

	if (len < 34)
		return 0;
	type = be16_at(mem + 12);
	if (type == 0x8100) {
		type = be16_at(mem + 16);
		off = 18;
	}
	if (type != 0x0800)
		return 0;
	ip = mem + off;
	if (ip[0] >> 4 != 4)
		return 0;
	ihl = ip[0] & 0xf;
	if (ihl < 5)
		return 0;
	if (be16_at(ip + 6) & 0x1fff)
		return 0;
	if (ip[9] != 6)
		return 0;
	off += ihl * 4;
	if (off + 20 > len)
		return 0;
	return be16_at(mem + off + 2);
}

/* The program keeps each value in an 8-byte stack slot for the kernel verifier's sake; C sorts
 * the u32 values as they are, which gives the same order and the same sum. */
uint64_t bench_sort(const uint8_t *mem, size_t len)
{
	uint32_t a[32];
	uint64_t sum = 0;
	size_t i, j;

	(void)len;
	memcpy(a, mem, sizeof(a));
	for (i = 1; i < 32; i++) {
		uint32_t key = a[i];

		for (j = i; j > 0 && a[j - 1] > key; j--)
			a[j] = a[j - 1];
		a[j] = key;
	}
	for (i = 0; i < 32; i++)
		sum += (uint64_t)a[i] * (i + 1);
	return sum;
}

static uint64_t calls_f3(uint64_t a, uint64_t b)
{
	return a * 0x5bd1e995 + b;
}

static uint64_t calls_f2(uint64_t a, uint64_t b)
{
	uint64_t r = calls_f3(a ^ b, b);

	return r ^ (r >> 7);
}

static uint64_t calls_f1(uint64_t a, uint64_t b)
{
	return calls_f2(a * 3, b) + b;
}

uint64_t bench_calls(const uint8_t *mem, size_t len)
{
	uint64_t x, i;

	(void)len;
	memcpy(&x, mem, sizeof(x));
	for (i = 1000; i != 0; i--)
		x = calls_f1(x, i);
	return x;
}

/* The helper: out of the compiler's sight, as a helper is to a BPF program. */
static uint64_t helper_identity(uint64_t r1)
{
	return r1;
}

static uint64_t (*volatile helper_fn)(uint64_t) = helper_identity;

uint64_t bench_helpers(const uint8_t *mem, size_t len)
{
	uint64_t (*fn)(uint64_t) = helper_fn;
	uint64_t x, i;

	(void)len;
	memcpy(&x, mem, sizeof(x));
	for (i = 1000; i != 0; i--)
		x = fn(x) * 0x5bd1e995 + i;
	return x;
}

/* bpf_get_prandom_u32 as bpfhost's: xorshift64*, one state per thread. */
static _Thread_local uint64_t prandom_state = 0x9e3779b97f4a7c15ull;

static uint32_t native_prandom(void)
{
	uint64_t x = prandom_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	prandom_state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t (*volatile prandom_fn)(void) = native_prandom;

uint64_t bench_prandom(const uint8_t *mem, size_t len)
{
	uint32_t (*fn)(void) = prandom_fn;
	uint64_t x, i;

	(void)len;
	memcpy(&x, mem, sizeof(x));
	for (i = 1000; i != 0; i--) {
		(void)fn(); /* its value masked out, as the program does */
		x = x * 0x5bd1e995 + i;
	}
	return x;
}
