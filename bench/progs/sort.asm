# SPDX-License-Identifier: MIT
# Insertion sort of the 32 u32 values at r1, in a copy on the stack: one 8-byte slot per value,
# a[k] at r10-256+8k (8-byte slots keep the kernel verifier's view of the stack the same on
# every path, so that it can prune; 4-byte elements sharing slots make it give up). Returns the
# sum of a[k] * (k + 1) over the sorted array, which depends on the order. i and j are byte
# offsets. Same algorithm: bench_sort in bench/native.c.
mov %r3, 0
copy:
mov %r4, %r1
add %r4, %r3
ldxw %r5, [%r4]
mov %r4, %r10
add %r4, -256
add %r4, %r3
add %r4, %r3
stxdw [%r4], %r5          # a[k] = in[k]
add %r3, 4
jlt %r3, 128, copy
mov %r3, 8                # i
outer:
mov %r4, %r10
add %r4, -256
add %r4, %r3
ldxdw %r5, [%r4]          # key = a[i]
mov %r6, %r3              # j = i
inner:
jeq %r6, 0, place
mov %r4, %r10
add %r4, -264
add %r4, %r6              # &a[j - 1]
ldxdw %r7, [%r4]
jle %r7, %r5, place
stxdw [%r4+8], %r7        # a[j] = a[j - 1]
sub %r6, 8
ja inner
place:
mov %r4, %r10
add %r4, -256
add %r4, %r6
stxdw [%r4], %r5          # a[j] = key
add %r3, 8
jlt %r3, 256, outer
mov %r0, 0
mov %r3, 0
mov %r8, 1
sum:
mov %r4, %r10
add %r4, -256
add %r4, %r3
ldxdw %r5, [%r4]
mul %r5, %r8
add %r0, %r5
add %r3, 8
add %r8, 1
jlt %r3, 256, sum
exit
