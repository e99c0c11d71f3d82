# SPDX-License-Identifier: MIT
# bpf-to-bpf call chain: 1000 rounds of x = f1(x, i), where f1 calls f2 which calls f3 (three
# nested local calls per round, r6 kept across a call), on a seed read from the first 8 bytes
# at r1. Same algorithm: bench_calls in bench/native.c.
ldxdw %r6, [%r1]          # x = seed
mov %r7, 1000             # i = 1000
loop:
mov %r1, %r6
mov %r2, %r7
call local f1             # x = f1(x, i)
mov %r6, %r0
sub %r7, 1
jne %r7, 0, loop
mov %r0, %r6
exit
f1:                       # f1(a, b) = f2(a * 3, b) + b
mul %r1, 3
mov %r6, %r2
call local f2
add %r0, %r6
exit
f2:                       # f2(a, b) = r ^ (r >> 7), r = f3(a ^ b, b)
xor %r1, %r2
call local f3
mov %r1, %r0
rsh %r1, 7
xor %r0, %r1
exit
f3:                       # f3(a, b) = a * M + b
mov %r0, %r1
mul %r0, 0x5bd1e995
add %r0, %r2
exit
