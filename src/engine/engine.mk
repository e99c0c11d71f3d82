# engine: preparation, the interpreters, and the JIT (driver + x86-64 back end; the back end's
# files build on every host, and the JIT refuses to prepare where it cannot run)
ENGINE_SRCS := src/engine/exec.c src/engine/interp.c src/engine/jit/jit.c \
	src/engine/jit/x86_64/emit.c src/engine/jit/x86_64/abi.c src/engine/jit/x86_64/abi_sysv.c \
	src/engine/jit/x86_64/abi_win64.c src/engine/jit/x86_64/lower.c
