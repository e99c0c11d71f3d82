# SPDX-License-Identifier: MIT
# Internet checksum (RFC 1071) of the r2 bytes at r1 (an even length: the bench uses 1500):
# big-endian 16-bit words summed in 64 bits, folded with end-around carry, complemented.
# The word counter (not a pointer comparison) bounds the loop and the folds are unrolled, which
# lets the kernel's verifier follow it (at most 2^16 words, so the sum stays below 2^32).
# Same algorithm: bench_checksum in bench/native.c.
mov %r0, 0
mov %r3, %r2
rsh %r3, 1                # words
jeq %r3, 0, fold
loop:
ldxh %r4, [%r1]
be16 %r4
add %r0, %r4
add %r1, 2
sub %r3, 1
jne %r3, 0, loop
fold:                     # three folds bring any sum below 2^32 to 16 bits
mov %r4, %r0
rsh %r4, 16
and %r0, 0xffff
add %r0, %r4
mov %r4, %r0
rsh %r4, 16
and %r0, 0xffff
add %r0, %r4
mov %r4, %r0
rsh %r4, 16
and %r0, 0xffff
add %r0, %r4
xor %r0, 0xffff
exit
