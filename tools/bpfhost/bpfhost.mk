# the bpfhost command line; pcap replay (run.c) needs libpcap, found at build time
BPFHOST_SRCS := tools/bpfhost/main.c tools/bpfhost/util.c tools/bpfhost/run.c \
	tools/bpfhost/show.c tools/bpfhost/dump.c tools/bpfhost/jited.c \
	tools/bpfhost/verify.c
ifneq ($(wildcard /usr/include/pcap/pcap.h),)
$(BUILD)/obj/tools/bpfhost/run.o: ALL_CFLAGS += -DBPFH_HAVE_PCAP
BPFHOST_LDLIBS := -lpcap
endif
