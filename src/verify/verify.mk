# SPDX-License-Identifier: MIT
# verify: the verifier. The abstract domains, each a small pure library with its private
# header: tnum.c (bits), interval.c (unsigned and signed ranges of one width), scalar*.c (their
# reduced product for 64-bit registers and 32-bit subregisters, ALU transfer functions, branch
# refinement), zone.c (difference-bound matrices). The analysis (verify_int.h): verify.c (the
# entry point, bpfhost/verify.h), types.c (the program types' descriptions), ctx.c (context
# accesses by the field tables), cfg.c (blocks and structural checks), state.c (the abstract
# state and its lattice), analyze.c (the fixpoint), alu.c, mem.c, call.c, branch.c (transfer
# functions and checks by kind of instruction, analyze.h).
VERIFY_SRCS := src/verify/tnum.c src/verify/interval.c src/verify/scalar.c \
	src/verify/scalar_alu.c src/verify/scalar_cond.c src/verify/zone.c \
	src/verify/verify.c src/verify/cfg.c src/verify/state.c src/verify/analyze.c \
	src/verify/alu.c src/verify/mem.c src/verify/call.c src/verify/branch.c src/verify/ctx.c \
	src/verify/rel.c src/verify/refs.c \
	src/verify/types.c
