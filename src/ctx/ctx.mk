# ctx: instances (maps created, programs prepared), test runs, and an object's program
# verified as loading would (verify_prog.c)
CTX_SRCS := src/ctx/instance.c src/ctx/test_run.c src/ctx/xdp_port.c src/ctx/verify_prog.c
