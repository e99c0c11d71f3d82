# engine: preparation and the interpreters
ENGINE_SRCS := src/engine/exec.c src/engine/interp.c
