# Internet checksum (RFC 1071) over the memory at r1, r2 bytes long: 16-bit big-endian words
# summed with end-around carry, then complemented. Run it with:
#   build/bpfhost asm examples/isa/checksum.asm -o build/checksum.bin
#   build/bpfhost plugin < build/checksum.bin "45 00 00 73 00 00 40 00 40 11 00 00 c0 a8 00 01 c0 a8 00 c7"
# which prints b861, the checksum of that IPv4 header.
mov %r0, 0
mov %r3, %r2
and %r3, -2          # whole 16-bit words
add %r3, %r1         # end of the words
loop:
jge %r1, %r3, tail
ldxh %r4, [%r1]
be16 %r4
add %r0, %r4
add %r1, 2
ja loop
tail:
and %r2, 1
jeq %r2, 0, fold
ldxb %r4, [%r1]      # an odd last byte is the high half of a word
lsh %r4, 8
add %r0, %r4
fold:
mov %r4, %r0
rsh %r4, 16
jeq %r4, 0, done
and %r0, 0xffff
add %r0, %r4
ja fold
done:
xor %r0, 0xffff
exit
