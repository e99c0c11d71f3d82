# the bpfhost command line
BPFHOST_SRCS := tools/bpfhost/main.c tools/bpfhost/util.c
