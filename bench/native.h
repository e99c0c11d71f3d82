/* SPDX-License-Identifier: MIT */
/*
 * The benchmarks' algorithms in native C, each the same computation as its bench/progs/NAME.asm
 * program: the memory at mem (len bytes) in, the program's r0 out. Compiled as their own
 * translation unit so that the runner's loop cannot inline them or fold their input.
 */
#ifndef BPFH_BENCH_NATIVE_H
#define BPFH_BENCH_NATIVE_H

#include <stddef.h>
#include <stdint.h>

uint64_t bench_arith(const uint8_t *mem, size_t len);
uint64_t bench_checksum(const uint8_t *mem, size_t len);
uint64_t bench_parse(const uint8_t *mem, size_t len);
uint64_t bench_sort(const uint8_t *mem, size_t len);
uint64_t bench_calls(const uint8_t *mem, size_t len);
/* Calls its helper through a function pointer loaded once per run. */
uint64_t bench_helpers(const uint8_t *mem, size_t len);
uint64_t bench_prandom(const uint8_t *mem, size_t len);

#endif
