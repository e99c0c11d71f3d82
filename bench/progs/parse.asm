# SPDX-License-Identifier: MIT
# Packet header parse: the r2-byte frame at r1 is Ethernet (an optional 802.1Q tag), IPv4 and
# TCP. Returns the TCP destination port, or 0 for anything else (short frame, not IPv4, bad
# header length, a non-first fragment, not TCP). Same algorithm: bench_parse in bench/native.c.
mov %r0, 0
mov %r3, 14               # offset of the network header
jlt %r2, 34, out
ldxh %r4, [%r1+12]
be16 %r4                  # EtherType
jne %r4, 0x8100, untagged
ldxh %r4, [%r1+16]
be16 %r4                  # the inner EtherType
mov %r3, 18
untagged:
jne %r4, 0x0800, out
mov %r5, %r1
add %r5, %r3              # the IPv4 header
ldxb %r6, [%r5]
mov %r7, %r6
rsh %r7, 4
jne %r7, 4, out           # version 4
and %r6, 0xf
jlt %r6, 5, out           # IHL
lsh %r6, 2                # header length in bytes
ldxh %r7, [%r5+6]
be16 %r7
and %r7, 0x1fff
jne %r7, 0, out           # a fragment other than the first
ldxb %r7, [%r5+9]
jne %r7, 6, out           # TCP
add %r3, %r6              # offset of the TCP header
mov %r7, %r3
add %r7, 20
jgt %r7, %r2, out         # the whole TCP header is in the frame
add %r1, %r3
ldxh %r0, [%r1+2]
be16 %r0                  # destination port
out:
exit
