# SPDX-License-Identifier: MIT
# Helper-heavy loop with a helper Linux has: 1000 rounds of bpf_get_prandom_u32 (helper 7),
# its value masked out so that every engine (the kernel's too) gives the same r0, and the
# arithmetic of helpers.asm on a seed read from the first 8 bytes at r1. Each engine calls its
# own helper: bpfhost's xorshift64* (src/helpers/process.c), the kernel's prandom_u32_state.
# Same algorithm: bench_prandom in bench/native.c, a xorshift64* through a function pointer.
ldxdw %r6, [%r1]          # x = seed
mov %r7, 1000             # i = 1000
loop:
call 7                    # r0 = bpf_get_prandom_u32()
and %r0, 0
add %r0, %r6
mul %r0, 0x5bd1e995
add %r0, %r7
mov %r6, %r0              # x = x * M + i
sub %r7, 1
jne %r7, 0, loop
mov %r0, %r6
exit
