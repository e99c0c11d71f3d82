# SPDX-License-Identifier: MIT
# Arithmetic loop: 1000 rounds of mixed 64-bit add, mul, xor and shifts (and a 32-bit rotate)
# on a seed read from the first 8 bytes at r1. Same algorithm: bench_arith in bench/native.c.
ldxdw %r3, [%r1]          # seed
mov %r0, %r3              # h = seed
mov %r4, 1000             # i = 1000
loop:
add %r0, %r3              # h += x
mul %r0, 0x5bd1e995       # h *= M
xor %r0, %r4              # h ^= i
mov %r5, %r0
rsh %r5, 29
xor %r0, %r5              # h ^= h >> 29
mov32 %r6, %r0            # w = (u32)h
lsh32 %r6, 7
mov32 %r7, %r0
rsh32 %r7, 25
or32 %r6, %r7             # w = rol32((u32)h, 7)
add %r3, %r6              # x += w
arsh %r3, 1               # x = (s64)x >> 1
sub %r4, 1
jne %r4, 0, loop
exit
