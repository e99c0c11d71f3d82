# SPDX-License-Identifier: MIT
# Helper-heavy loop: 1000 rounds of one helper call (helper 5, bpfhost's test helper that
# returns r1, as the conformance suite's plugin has it) and a little arithmetic on its result,
# on a seed read from the first 8 bytes at r1. Same algorithm: bench_helpers in bench/native.c,
# the helper called through a function pointer. Not run on the kernel (it has no such helper).
ldxdw %r6, [%r1]          # x = seed
mov %r7, 1000             # i = 1000
loop:
mov %r1, %r6
call 5                    # r0 = r1
mul %r0, 0x5bd1e995
add %r0, %r7
mov %r6, %r0              # x = x * M + i
sub %r7, 1
jne %r7, 0, loop
mov %r0, %r6
exit
