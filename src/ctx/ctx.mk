# ctx: instances (maps created, programs prepared) and test runs
CTX_SRCS := src/ctx/instance.c src/ctx/test_run.c src/ctx/xdp_port.c
