# SPDX-License-Identifier: MIT
# verify: the verifier's abstract domains so far (each a small pure library with its private
# header): tnum.c (bits), interval.c (unsigned and signed ranges of one width), scalar*.c (their
# reduced product for 64-bit registers and 32-bit subregisters, ALU transfer functions, branch
# refinement), zone.c (difference-bound matrices)
VERIFY_SRCS := src/verify/tnum.c src/verify/interval.c src/verify/scalar.c \
	src/verify/scalar_alu.c src/verify/scalar_cond.c src/verify/zone.c
