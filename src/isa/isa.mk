# isa: the opcode table and what is generated from it
ISA_SRCS := src/isa/table.c src/isa/decode.c src/isa/asm.c src/isa/disasm.c
